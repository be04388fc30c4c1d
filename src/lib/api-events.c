/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-events.c: domain and storage pool event callbacks.
 *
 * Each local callback is one registration on the server, which picks its
 * callback id; that id is also the one we hand out.  Event MESSAGEs are
 * decoded on the RPC I/O thread and the callbacks queued for
 * mv_event_dispatch_pending(), so they run in the application's thread.
 */
#include <config.h>

#include <string.h>

#include "lib/lib-objects.h"
#include "util/error.h"

typedef enum {
    EVENT_KIND_DOMAIN,
    EVENT_KIND_POOL,
} EventKind;

/* The stored callback; cast back to its real type before the call. */
typedef void (*EventFunc)(void);

typedef struct {
    gint ref;
    EventKind kind;
    int callback_id;
    int event_id;
    EventFunc cb;
    void *opaque;
    void (*freecb)(void *);
    gint removed;
} EventCallback;

typedef struct {
    MvConnect *conn;             /* a reference */
    EventCallback *cb;           /* a reference */
    MvDomain *dom;
    MvStoragePool *pool;
    int event;
    int detail;
} QueuedEvent;

static EventCallback *
event_callback_ref(EventCallback *ecb)
{
    g_atomic_int_inc(&ecb->ref);
    return ecb;
}

static void
event_callback_unref(gpointer data)
{
    EventCallback *ecb = data;

    if (!g_atomic_int_dec_and_test(&ecb->ref))
        return;
    if (ecb->freecb)
        ecb->freecb(ecb->opaque);
    g_free(ecb);
}

static void
event_queued_free(gpointer data)
{
    QueuedEvent *qe = data;

    if (qe->dom)
        mv_lib_domain_unref(qe->dom);
    if (qe->pool)
        mv_lib_pool_unref(qe->pool);
    if (qe->cb)
        event_callback_unref(qe->cb);
    mv_connect_close(qe->conn);
    g_free(qe);
}

static void
event_queued_run(gpointer data)
{
    QueuedEvent *qe = data;
    EventCallback *ecb = qe->cb;

    if (!ecb || g_atomic_int_get(&ecb->removed))
        return;
    switch (ecb->kind) {
    case EVENT_KIND_DOMAIN:
        if (ecb->event_id == MV_DOMAIN_EVENT_ID_LIFECYCLE)
            ((MvConnectDomainEventCallback)ecb->cb)(qe->conn, qe->dom, qe->event, qe->detail,
                                                    ecb->opaque);
        else
            ((MvConnectDomainEventGenericCallback)ecb->cb)(qe->conn, qe->dom, ecb->opaque);
        break;
    case EVENT_KIND_POOL:
        if (ecb->event_id == MV_STORAGE_POOL_EVENT_ID_LIFECYCLE)
            ((MvConnectStoragePoolEventLifecycleCallback)ecb->cb)(qe->conn, qe->pool,
                                                                  qe->event, qe->detail,
                                                                  ecb->opaque);
        else
            ((MvConnectStoragePoolEventGenericCallback)ecb->cb)(qe->conn, qe->pool,
                                                                ecb->opaque);
        break;
    }
}

/*
 * I/O thread: queue the callback registered as @callback_id, if it wants
 * @event_id.  Takes the reference on @conn of the caller's
 * mv_lib_connect_try_ref(), and @dom / @pool.  NB: even an event nobody
 * wants is queued, so that what it holds is released in the application's
 * thread: releasing the last reference to the connection here would close
 * it from the thread that must read the close's reply.
 */
static void
event_queue(MvConnect *conn, EventKind kind, int callback_id, int event_id, MvDomain *dom,
            MvStoragePool *pool, int event, int detail)
{
    GHashTable *table;
    EventCallback *ecb = NULL;
    QueuedEvent *qe;

    g_mutex_lock(&conn->lock);
    table = kind == EVENT_KIND_DOMAIN ? conn->domain_events : conn->pool_events;
    if (table)
        ecb = g_hash_table_lookup(table, GINT_TO_POINTER(callback_id));
    if (ecb && ecb->event_id == event_id)
        event_callback_ref(ecb);
    else
        ecb = NULL;
    g_mutex_unlock(&conn->lock);
    if (!ecb)
        g_debug("no callback %d for event %d", callback_id, event_id);
    qe = g_new0(QueuedEvent, 1);
    qe->conn = conn;
    qe->cb = ecb;
    qe->dom = dom;
    qe->pool = pool;
    qe->event = event;
    qe->detail = detail;
    mv_lib_event_queue(event_queued_run, qe, event_queued_free);
}

/* Decode @msg's payload with @filter into @data; FALSE (logged) if bad. */
static gboolean
event_decode(MvMessage *msg, xdrproc_t filter, void *data)
{
    g_autoptr(GError) error = NULL;

    msg->buffer_offset = MV_MESSAGE_MIN_LEN;
    if (!mv_message_decode_payload(msg, filter, data, &error)) {
        g_debug("cannot decode event %d: %s", msg->header.proc, error->message);
        return FALSE;
    }
    return TRUE;
}

static void
event_domain_message(MvConnect *conn, MvMessage *msg)
{
    if (msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
        remote_domain_event_callback_lifecycle_msg m = { 0 };

        if (!event_decode(msg, (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &m))
            return;
        if (mv_lib_connect_try_ref(conn)) {
            event_queue(conn, EVENT_KIND_DOMAIN, m.callbackID, MV_DOMAIN_EVENT_ID_LIFECYCLE,
                        mv_lib_domain_new(conn, &m.msg.dom), NULL, m.msg.event, m.msg.detail);
        }
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&m);
    } else {
        remote_domain_event_callback_reboot_msg m = { 0 };

        if (!event_decode(msg, (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, &m))
            return;
        if (mv_lib_connect_try_ref(conn)) {
            event_queue(conn, EVENT_KIND_DOMAIN, m.callbackID, MV_DOMAIN_EVENT_ID_REBOOT,
                        mv_lib_domain_new(conn, &m.msg.dom), NULL, 0, 0);
        }
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, (char *)&m);
    }
}

static void
event_pool_message(MvConnect *conn, MvMessage *msg)
{
    if (msg->header.proc == REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE) {
        remote_storage_pool_event_lifecycle_msg m = { 0 };

        if (!event_decode(msg, (xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg, &m))
            return;
        if (mv_lib_connect_try_ref(conn)) {
            event_queue(conn, EVENT_KIND_POOL, m.callbackID, MV_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                        NULL, mv_lib_pool_new(conn, &m.pool), m.event, m.detail);
        }
        xdr_free((xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg, (char *)&m);
    } else {
        remote_storage_pool_event_refresh_msg m = { 0 };

        if (!event_decode(msg, (xdrproc_t)xdr_remote_storage_pool_event_refresh_msg, &m))
            return;
        if (mv_lib_connect_try_ref(conn)) {
            event_queue(conn, EVENT_KIND_POOL, m.callbackID, MV_STORAGE_POOL_EVENT_ID_REFRESH,
                        NULL, mv_lib_pool_new(conn, &m.pool), 0, 0);
        }
        xdr_free((xdrproc_t)xdr_remote_storage_pool_event_refresh_msg, (char *)&m);
    }
}

/* The RPC client's event function: the I/O thread, @msg borrowed, the
 * connection reached through its watch (see connect-watch.c). */
static void
event_message(MvRpcClient *client, MvMessage *msg, gpointer opaque)
{
    MvConnectWatch *watch = opaque;
    MvConnect *conn = mv_lib_watch_lock(watch);

    if (!conn || msg->header.prog != REMOTE_PROGRAM) {
        mv_lib_watch_unlock(watch);
        return;
    }
    switch (msg->header.proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE:
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT:
        event_domain_message(conn, msg);
        break;
    case REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE:
    case REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH:
        event_pool_message(conn, msg);
        break;
    default:
        g_debug("ignoring event procedure %d", msg->header.proc);
        break;
    }
    mv_lib_watch_unlock(watch);
}

/* Make sure events reach us, and that the table of @kind exists. */
static void
event_setup(MvConnect *conn, EventKind kind)
{
    GHashTable **table;
    gboolean install;

    g_mutex_lock(&conn->lock);
    install = !conn->domain_events && !conn->pool_events;
    table = kind == EVENT_KIND_DOMAIN ? &conn->domain_events : &conn->pool_events;
    if (!*table)
        *table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       event_callback_unref);
    g_mutex_unlock(&conn->lock);
    if (install)
        mv_rpc_client_set_event_func(conn->client, event_message, mv_lib_watch_ref(conn->watch),
                                     mv_lib_watch_unref);
}

static gboolean
event_check_callbacks(MvConnect *conn)
{
    GError *error = NULL;

    if (conn->event_callbacks)
        return TRUE;
    mv_error_set(&error, MV_FROM_REMOTE, MV_ERR_NO_SUPPORT,
                 "the server does not support event callbacks");
    mv_lib_set_error(error);
    return FALSE;
}

static int
event_add(MvConnect *conn, EventKind kind, int callback_id, int event_id, EventFunc cb,
          void *opaque, void (*freecb)(void *))
{
    EventCallback *ecb = g_new0(EventCallback, 1);

    ecb->ref = 1;
    ecb->kind = kind;
    ecb->callback_id = callback_id;
    ecb->event_id = event_id;
    ecb->cb = cb;
    ecb->opaque = opaque;
    ecb->freecb = freecb;
    g_mutex_lock(&conn->lock);
    g_hash_table_replace(kind == EVENT_KIND_DOMAIN ? conn->domain_events : conn->pool_events,
                         GINT_TO_POINTER(callback_id), ecb);
    g_mutex_unlock(&conn->lock);
    return callback_id;
}

/* Forget @callback_id locally.  FALSE if it was not registered. */
static gboolean
event_remove(MvConnect *conn, EventKind kind, int callback_id)
{
    GHashTable *table;
    EventCallback *ecb = NULL;

    g_mutex_lock(&conn->lock);
    table = kind == EVENT_KIND_DOMAIN ? conn->domain_events : conn->pool_events;
    if (table)
        ecb = g_hash_table_lookup(table, GINT_TO_POINTER(callback_id));
    if (ecb) {
        g_atomic_int_set(&ecb->removed, 1);
        g_hash_table_remove(table, GINT_TO_POINTER(callback_id));
    }
    g_mutex_unlock(&conn->lock);
    return ecb != NULL;
}

int
mv_connect_domain_event_register_any(MvConnect *conn, MvDomain *dom, int event_id,
                                     MvConnectDomainEventGenericCallback cb, void *opaque,
                                     void (*freecb)(void *))
{
    remote_connect_domain_event_callback_register_any_args args = { event_id, NULL };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    remote_nonnull_domain rdom;
    const char *func = "mv_connect_domain_event_register_any";

    if (!mv_lib_check_conn(func, conn))
        return -1;
    if (!cb || event_id < 0 || event_id >= MV_DOMAIN_EVENT_ID_COUNT ||
        (dom && dom->conn != conn)) {
        mv_lib_error_invalid_arg(func, "invalid callback, event id %d or domain", event_id);
        return -1;
    }
    if (!event_check_callbacks(conn))
        return -1;
    event_setup(conn, EVENT_KIND_DOMAIN);
    if (dom) {
        mv_lib_domain_to_remote(dom, &rdom);
        args.dom = &rdom;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_domain_event_callback_register_any(conn->client,
                                                                                  &args, &ret,
                                                                                  &_err)))
        return -1;
    return event_add(conn, EVENT_KIND_DOMAIN, ret.callbackID, event_id, (EventFunc)cb, opaque,
                     freecb);
}

int
mv_connect_domain_event_deregister_any(MvConnect *conn, int callback_id)
{
    remote_connect_domain_event_callback_deregister_any_args args = { callback_id };

    if (!mv_lib_check_conn("mv_connect_domain_event_deregister_any", conn))
        return -1;
    if (!event_remove(conn, EVENT_KIND_DOMAIN, callback_id)) {
        mv_lib_error_invalid_arg("mv_connect_domain_event_deregister_any",
                                 "callback %d is not registered", callback_id);
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_domain_event_callback_deregister_any(
                               conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_connect_storage_pool_event_register_any(MvConnect *conn, MvStoragePool *pool, int event_id,
                                           MvConnectStoragePoolEventGenericCallback cb,
                                           void *opaque, void (*freecb)(void *))
{
    remote_connect_storage_pool_event_register_any_args args = { event_id, NULL };
    remote_connect_storage_pool_event_register_any_ret ret = { 0 };
    remote_nonnull_storage_pool rpool;
    const char *func = "mv_connect_storage_pool_event_register_any";

    if (!mv_lib_check_conn(func, conn))
        return -1;
    if (!cb || event_id < MV_STORAGE_POOL_EVENT_ID_LIFECYCLE ||
        event_id > MV_STORAGE_POOL_EVENT_ID_REFRESH || (pool && pool->conn != conn)) {
        mv_lib_error_invalid_arg(func, "invalid callback, event id %d or pool", event_id);
        return -1;
    }
    if (!event_check_callbacks(conn))
        return -1;
    event_setup(conn, EVENT_KIND_POOL);
    if (pool) {
        mv_lib_pool_to_remote(pool, &rpool);
        args.pool = &rpool;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_storage_pool_event_register_any(conn->client,
                                                                               &args, &ret,
                                                                               &_err)))
        return -1;
    return event_add(conn, EVENT_KIND_POOL, ret.callbackID, event_id, (EventFunc)cb, opaque,
                     freecb);
}

int
mv_connect_storage_pool_event_deregister_any(MvConnect *conn, int callback_id)
{
    remote_connect_storage_pool_event_deregister_any_args args = { callback_id };

    if (!mv_lib_check_conn("mv_connect_storage_pool_event_deregister_any", conn))
        return -1;
    if (!event_remove(conn, EVENT_KIND_POOL, callback_id)) {
        mv_lib_error_invalid_arg("mv_connect_storage_pool_event_deregister_any",
                                 "callback %d is not registered", callback_id);
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_storage_pool_event_deregister_any(
                               conn->client, &args, &_err)))
        return -1;
    return 0;
}
