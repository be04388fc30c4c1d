/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/poller.h"
#include "rpc/server-priv.h"
#include "util/error.h"
#include "util/macros.h"

/* How long a socket path may still be listened on by a dying predecessor. */
#define SERVER_SOCKET_GRACE_MS 1000

/* Output queued for a client beyond which we stop reading its calls: above
 * what a download stream keeps queued (server-stream.c), so that only a
 * client that does not read what it asked for is held back. */
#define SERVER_CLIENT_OUTPUT_MAX (8 * 1024 * 1024)
/* Unread events beyond which a client is too far behind and is closed:
 * nothing it does bounds them (they are not answers to its calls), and
 * dropping some would leave it with a wrong picture. */
#define SERVER_CLIENT_EVENTS_MAX SERVER_CLIENT_OUTPUT_MAX

typedef struct {
    MvServer *srv;
    int fd;
    gboolean readonly;
    MvRpcPollerWatch *watch;      /* events 0 while waiting for descriptors */
    GSource *retry;               /* that wait */
    char *path;                   /* unlinked at close when we bound it */
} ServerService;

struct _MvServer {
    gint ref;
    char *name;
    GMainContext *ctx;
    MvServerConfig cfg;
    GMutex lock;
    GPtrArray *services;          /* ServerService */
    GHashTable *clients;          /* id -> MvServerClient (strong) */
    guint64 next_client_id;
    GPtrArray *programs;          /* const MvServerProgram * */
    MvWorkerPool *workers;
    MvServerClientPrivNew priv_new;
    MvServerClientPrivFree priv_free;
    MvServerRawFunc raw_func;
    gpointer raw_opaque;
    void (*count_cb)(MvServer *srv, gpointer opaque);
    gpointer count_opaque;
    gpointer opaque;
    gboolean closed;
};

static void server_run_call(gpointer job, gpointer opaque);

void
mv_server_config_defaults(MvServerConfig *cfg)
{
    cfg->min_workers = 5;
    cfg->max_workers = 20;
    cfg->prio_workers = 5;
    cfg->max_clients = 5000;
    cfg->max_anonymous_clients = 20;
    cfg->max_client_requests = 5;
    cfg->keepalive_interval = 5;
    cfg->keepalive_count = 5;
}

MvServer *
mv_server_new(const char *name, const MvServerConfig *cfg, GMainContext *ctx)
{
    MvServer *srv = g_new0(MvServer, 1);

    srv->ref = 1;
    srv->name = g_strdup(name);
    srv->ctx = g_main_context_ref(ctx);
    srv->cfg = *cfg;
    /* A client is read again once it has fewer calls in progress than
     * this: with 0 it would never be, after its first call. */
    srv->cfg.max_client_requests = MAX(1, cfg->max_client_requests);
    g_mutex_init(&srv->lock);
    srv->services = g_ptr_array_new();
    srv->clients = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify)mv_server_client_unref);
    srv->programs = g_ptr_array_new();
    srv->next_client_id = 1;
    srv->workers = mv_worker_pool_new(name, cfg->min_workers, cfg->max_workers,
                                      cfg->prio_workers, server_run_call, srv);
    return srv;
}

MvServer *
mv_server_ref(MvServer *srv)
{
    g_atomic_int_inc(&srv->ref);
    return srv;
}

void
mv_server_unref(MvServer *srv)
{
    if (!srv || !g_atomic_int_dec_and_test(&srv->ref))
        return;
    mv_server_close(srv);
    mv_worker_pool_free(srv->workers);
    g_hash_table_unref(srv->clients);
    g_ptr_array_unref(srv->services);
    g_ptr_array_unref(srv->programs);
    g_main_context_unref(srv->ctx);
    g_mutex_clear(&srv->lock);
    g_free(srv->name);
    g_free(srv);
}

const char *
mv_server_get_name(MvServer *srv)
{
    return srv->name;
}

GMainContext *
mv_server_get_context(MvServer *srv)
{
    return srv->ctx;
}

void
mv_server_add_program(MvServer *srv, const MvServerProgram *prog)
{
    g_ptr_array_add(srv->programs, (gpointer)prog);
}

void
mv_server_set_client_priv(MvServer *srv, MvServerClientPrivNew priv_new,
                          MvServerClientPrivFree priv_free)
{
    srv->priv_new = priv_new;
    srv->priv_free = priv_free;
}

void
mv_server_set_raw_handler(MvServer *srv, MvServerRawFunc func, gpointer opaque)
{
    srv->raw_func = func;
    srv->raw_opaque = opaque;
}

void
mv_server_set_client_count_cb(MvServer *srv, void (*cb)(MvServer *srv, gpointer opaque),
                              gpointer opaque)
{
    srv->count_cb = cb;
    srv->count_opaque = opaque;
}

void
mv_server_set_opaque(MvServer *srv, gpointer opaque)
{
    srv->opaque = opaque;
}

gpointer
mv_server_get_opaque(MvServer *srv)
{
    return srv->opaque;
}

/* ---- clients ----------------------------------------------------------- */

MvServerClient *
mv_server_client_ref(MvServerClient *client)
{
    g_atomic_int_inc(&client->ref);
    return client;
}

void
mv_server_client_unref(MvServerClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->ref))
        return;
    if (client->priv && client->srv->priv_free)
        client->srv->priv_free(client, client->priv);
    mv_identity_clear(&client->peer);
    if (client->asserted) {
        mv_identity_clear(client->asserted);
        g_free(client->asserted);
    }
    mv_rpc_conn_unref(client->conn);
    mv_server_unref(client->srv);
    g_mutex_clear(&client->lock);
    g_free(client);
}

MvServer *
mv_server_client_get_server(MvServerClient *client)
{
    return client->srv;
}

guint64
mv_server_client_get_id(MvServerClient *client)
{
    return client->id;
}

gint64
mv_server_client_get_timestamp(MvServerClient *client)
{
    return client->timestamp;
}

gboolean
mv_server_client_is_readonly(MvServerClient *client)
{
    return g_atomic_int_get(&client->readonly);
}

void
mv_server_client_set_readonly(MvServerClient *client)
{
    g_atomic_int_set(&client->readonly, TRUE);
}

gpointer
mv_server_client_get_priv(MvServerClient *client)
{
    return client->priv;
}

MvRpcConn *
mv_server_client_get_conn(MvServerClient *client)
{
    return client->conn;
}

void
mv_server_client_get_peer(MvServerClient *client, uid_t *uid, gid_t *gid, pid_t *pid)
{
    mv_rpc_conn_get_peer(client->conn, uid, gid, pid);
}

void
mv_server_client_get_identity(MvServerClient *client, MvIdentity *ident)
{
    g_mutex_lock(&client->lock);
    if (!client->asserted && !client->peer_complete) {
        MvIdentity full = client->peer;

        /* Looked up without the lock (NSS may be slow); the first to
         * finish stores it. */
        full.user_name = full.group_name = NULL;
        g_mutex_unlock(&client->lock);
        mv_server_identity_complete(&full);
        g_mutex_lock(&client->lock);
        if (!client->peer_complete) {
            client->peer.process_time = full.process_time;
            client->peer.user_name = g_steal_pointer(&full.user_name);
            client->peer.group_name = g_steal_pointer(&full.group_name);
            client->peer_complete = TRUE;
        }
        mv_identity_clear(&full);
    }
    mv_server_identity_copy(ident, client->asserted ? client->asserted : &client->peer);
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_set_identity(MvServerClient *client, const MvIdentity *ident)
{
    MvIdentity *copy = g_new0(MvIdentity, 1);

    mv_server_identity_copy(copy, ident);
    g_mutex_lock(&client->lock);
    if (client->asserted) {
        mv_identity_clear(client->asserted);
        g_free(client->asserted);
    }
    client->asserted = copy;
    g_mutex_unlock(&client->lock);
}

gboolean
mv_server_client_is_trusted(MvServerClient *client)
{
    return client->peer.uid == 0 || client->peer.uid == geteuid();
}

void
mv_server_client_set_opened(MvServerClient *client, gboolean opened)
{
    g_mutex_lock(&client->lock);
    client->opened = opened;
    g_mutex_unlock(&client->lock);
}

gboolean
mv_server_client_is_opened(MvServerClient *client)
{
    gboolean ret;

    g_mutex_lock(&client->lock);
    ret = client->opened;
    g_mutex_unlock(&client->lock);
    return ret;
}

gboolean
mv_server_client_send(MvServerClient *client, MvMessage *msg)
{
    return mv_rpc_conn_send(client->conn, msg);
}

gboolean
mv_server_client_send_event(MvServerClient *client, guint32 prog, guint32 vers, int proc,
                            xdrproc_t filter, void *data)
{
    g_autoptr(GError) error = NULL;
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = { prog, vers, proc, MV_NET_MESSAGE, 1, MV_NET_OK };

    if (!mv_message_encode_header(msg, &hdr, &error) ||
        !mv_message_encode_payload(msg, filter, data, &error)) {
        g_warning("cannot encode event %d: %s", proc, error->message);
        mv_message_free(msg);
        return FALSE;
    }
    msg->event = TRUE;
    if (mv_rpc_conn_queued_event_bytes(client->conn) + msg->buffer_length >
        SERVER_CLIENT_EVENTS_MAX) {
        if (!mv_rpc_conn_is_closed(client->conn))
            g_warning("client %" G_GUINT64_FORMAT " of server '%s' is too far behind: more "
                      "than %d bytes of events unread; closing it", client->id,
                      client->srv->name, SERVER_CLIENT_EVENTS_MAX);
        mv_message_free(msg);
        mv_server_client_close(client);
        return FALSE;
    }
    return mv_rpc_conn_send(client->conn, msg);
}

void
mv_server_client_close(MvServerClient *client)
{
    mv_rpc_conn_close(client->conn);
}

void
mv_server_call_close_after_reply(MvServerCall *call)
{
    call->close_after_reply = TRUE;
}

gboolean
mv_server_client_is_closed(MvServerClient *client)
{
    return mv_rpc_conn_is_closed(client->conn);
}

static gboolean server_client_keepalive_tick(gpointer data);

/* (Re)arm the keepalive timer to fire in @ms.  I/O thread. */
static void
server_client_keepalive_arm(MvServerClient *client, guint ms)
{
    GSource *timer = g_timeout_source_new(ms);
    GSource *old;

    g_source_set_callback(timer, server_client_keepalive_tick, mv_server_client_ref(client),
                          (GDestroyNotify)mv_server_client_unref);
    g_mutex_lock(&client->lock);
    old = client->ka_timer;
    client->ka_timer = timer;
    g_mutex_unlock(&client->lock);
    if (old) {
        g_source_destroy(old);
        g_source_unref(old);
    }
    g_source_attach(timer, client->srv->ctx);
}

/*
 * Anything the client sends proves it alive and refills the count, as in
 * libvirt; a PING goes out after interval seconds of silence, and after
 * count unanswered ones the client is dropped.  NB: the count is refilled
 * by what arrived after our last PING, never by comparing the silence with
 * the interval: a PONG arrives a moment after the PING, so when the timer
 * fires an interval later the silence is about one interval either way.
 */
static gboolean
server_client_keepalive_tick(gpointer data)
{
    MvServerClient *client = data;
    MvServer *srv = client->srv;
    gint64 interval = (gint64)srv->cfg.keepalive_interval * G_USEC_PER_SEC;
    gint64 now = g_get_monotonic_time();
    gint64 last_rx = mv_rpc_conn_last_rx(client->conn);
    GSource *self;

    /* While its calls wait for us (throttled: paused) we do not read it,
     * PONGs included: that silence is ours. */
    if (last_rx > client->ka_ping_time || mv_rpc_conn_is_paused(client->conn))
        client->ka_countdown = srv->cfg.keepalive_count;
    if (now - last_rx < interval) {
        server_client_keepalive_arm(client, (interval - (now - last_rx)) / 1000 + 1);
        return G_SOURCE_REMOVE;
    }
    if (client->ka_countdown == 0) {
        g_info("client %" G_GUINT64_FORMAT " of server '%s' did not answer keepalive; closing",
               client->id, srv->name);
        g_mutex_lock(&client->lock);
        self = g_steal_pointer(&client->ka_timer);
        g_mutex_unlock(&client->lock);
        if (self)
            g_source_unref(self);
        mv_server_client_close(client);
        return G_SOURCE_REMOVE;
    }
    client->ka_countdown--;
    client->ka_ping_time = now;
    mv_rpc_conn_send(client->conn,
                     mv_message_new_simple(MV_KEEPALIVE_PROGRAM, MV_KEEPALIVE_PROTOCOL_VERSION,
                                           MV_KEEPALIVE_PROC_PING, MV_NET_MESSAGE, 0, MV_NET_OK));
    server_client_keepalive_arm(client, srv->cfg.keepalive_interval * 1000);
    return G_SOURCE_REMOVE;
}

static gboolean
server_client_keepalive_start_idle(gpointer data)
{
    MvServerClient *client = data;
    MvServer *srv = client->srv;

    if (client->ka_timer || client->closed || srv->cfg.keepalive_interval == 0)
        return G_SOURCE_REMOVE;
    client->ka_countdown = srv->cfg.keepalive_count;
    client->ka_ping_time = 0;
    server_client_keepalive_arm(client, srv->cfg.keepalive_interval * 1000);
    return G_SOURCE_REMOVE;
}

void
mv_server_client_start_keepalive(MvServerClient *client)
{
    /* The timer belongs to the I/O thread. */
    g_main_context_invoke_full(client->srv->ctx, G_PRIORITY_DEFAULT,
                               server_client_keepalive_start_idle,
                               mv_server_client_ref(client),
                               (GDestroyNotify)mv_server_client_unref);
}

/* ---- dispatch ---------------------------------------------------------- */

static const MvServerProgram *
server_find_program(MvServer *srv, guint32 prog, guint32 vers)
{
    for (guint i = 0; i < srv->programs->len; i++) {
        const MvServerProgram *p = g_ptr_array_index(srv->programs, i);

        if (p->prog == prog && p->vers == vers)
            return p;
    }
    return NULL;
}

static void
server_send_error_reply(MvServerClient *client, const MvMessageHeader *hdr, guint32 type,
                        const GError *error)
{
    MvMessage *reply = mv_message_new_error_reply(hdr, type, error);

    if (reply)
        mv_rpc_conn_send(client->conn, reply);
}

static void
server_call_free(MvServerCall *call)
{
    if (call->reply_fds) {
        for (guint i = 0; i < call->reply_fds->len; i++)
            close(g_array_index(call->reply_fds, int, i));
        g_array_unref(call->reply_fds);
    }
    mv_message_free(call->msg);
    if (call->stream)
        mv_server_stream_unref(call->stream);
    mv_server_client_unref(call->client);
    g_free(call);
}

/* What the handler put in @ret, freed. */
static void
server_call_free_ret(MvServerCall *call, gpointer ret)
{
    if (call->ret_free) {
        call->ret_free(call->ret_free_data);
        call->ret_free = NULL;
        call->ret_free_data = NULL;
    } else {
        mv_xdr_free(call->proc->ret_filter, ret);
    }
}

/* Decode, run, reply.  Runs on a worker or, for inline procedures, on the
 * I/O thread; FALSE when an inline procedure asked for a worker (nothing
 * was sent). */
static gboolean
server_execute_call(MvServerCall *call)
{
    MvServerClient *client = call->client;
    const MvServerProc *proc = call->proc;
    g_autoptr(GError) error = NULL;
    gpointer args = NULL;
    gpointer ret = NULL;
    char args_buf[256];
    char ret_buf[256];
    gboolean ok;
    gboolean done = TRUE;
    MvMessage *reply;
    MvMessageHeader hdr;
    int rv;

    /* Most argument structs are small: avoid the heap for them. */
    if (proc->args_size) {
        args = proc->args_size <= sizeof(args_buf) ? args_buf : g_malloc(proc->args_size);
        memset(args, 0, proc->args_size);
    }
    if (proc->ret_size) {
        ret = proc->ret_size <= sizeof(ret_buf) ? ret_buf : g_malloc(proc->ret_size);
        memset(ret, 0, proc->ret_size);
    }

    /* From the start of the payload: a call handed over by an inline run
     * is decoded again. */
    call->msg->buffer_offset = MV_MESSAGE_MIN_LEN;
    if (proc->args_filter && !mv_message_decode_payload(call->msg, proc->args_filter, args, &error)) {
        g_prefix_error(&error, "procedure %d: ", call->header.proc);
        ok = FALSE;
    } else {
        rv = proc->func(call, args, ret, &error);
        if (rv == MV_SERVER_CALL_TO_WORKER && call->on_io_thread) {
            call->close_after_reply = FALSE;
            mv_xdr_free(proc->args_filter, args);
            server_call_free_ret(call, ret);
            g_clear_error(&error);
            done = FALSE;
            goto cleanup;
        }
        ok = rv >= 0;
        if (!ok && !error)
            mv_error_set(&error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                         "procedure %d failed without an error", call->header.proc);
        mv_xdr_free(proc->args_filter, args);
    }

    if (!ok) {
        /* What a failed handler put in @ret, if anything. */
        server_call_free_ret(call, ret);
        if (call->stream)
            mv_server_stream_cancel(call->stream);
        server_send_error_reply(client, &call->header, MV_NET_REPLY, error);
        goto cleanup;
    }

    reply = mv_message_new();
    hdr = call->header;
    hdr.type = call->reply_fds && call->reply_fds->len ? MV_NET_REPLY_WITH_FDS : MV_NET_REPLY;
    hdr.status = MV_NET_OK;
    if (call->reply_fds) {
        for (guint i = 0; i < call->reply_fds->len; i++)
            mv_message_add_fd(reply, g_array_index(call->reply_fds, int, i));
        g_array_set_size(call->reply_fds, 0);
    }
    if (!mv_message_encode_header(reply, &hdr, &error) ||
        (call->reply_size && !mv_message_reserve_payload(reply, call->reply_size, &error)) ||
        !mv_message_encode_payload(reply, proc->ret_filter, ret, &error)) {
        mv_message_free(reply);
        if (call->stream)
            mv_server_stream_cancel(call->stream);
        server_send_error_reply(client, &call->header, MV_NET_REPLY, error);
    } else {
        mv_rpc_conn_send(client->conn, reply);
        if (call->stream)
            mv_server_stream_activate(call->stream);
    }
    server_call_free_ret(call, ret);

 cleanup:
    if (args && args != (gpointer)args_buf)
        g_free(args);
    if (ret && ret != (gpointer)ret_buf)
        g_free(ret);
    if (!done)
        return FALSE;
    /* NB: the call's, not the client's: another call of the client that
     * ends meanwhile must not close it before this reply is queued. */
    if (call->close_after_reply)
        mv_rpc_conn_close_after_flush(client->conn);
    return TRUE;
}

static void
server_run_call(gpointer job, gpointer opaque)
{
    MvServerCall *call = job;
    MvServerClient *client = call->client;
    MvServer *srv = client->srv;
    gboolean resume = FALSE;

    server_execute_call(call);
    g_mutex_lock(&client->lock);
    client->nrequests--;
    if (client->throttled && client->nrequests < srv->cfg.max_client_requests) {
        client->throttled = FALSE;
        resume = TRUE;
    }
    g_mutex_unlock(&client->lock);
    if (resume)
        mv_rpc_conn_resume(client->conn);
    server_call_free(call);
}

static char *
server_default_api_name(int proc)
{
    return g_strdup_printf("procedure %d", proc);
}

static void
server_dispatch_call(MvServerClient *client, MvMessage *msg)
{
    MvServer *srv = client->srv;
    const MvServerProgram *prog = server_find_program(srv, msg->header.prog, msg->header.vers);
    const MvServerProc *proc = NULL;
    g_autoptr(GError) error = NULL;
    MvServerCall *call;
    gboolean opened;

    if (!prog) {
        mv_error_set(&error, MV_FROM_RPC, MV_ERR_RPC, "cannot find program %u version %u",
                     msg->header.prog, msg->header.vers);
        goto error;
    }
    if (msg->header.status != MV_NET_OK) {
        mv_error_set(&error, MV_FROM_RPC, MV_ERR_RPC, "unexpected message status %u",
                     msg->header.status);
        goto error;
    }
    if (msg->header.proc >= 0 && (guint)msg->header.proc < prog->nprocs)
        proc = &prog->procs[msg->header.proc];

    /* Decided from the procedure number alone, before any argument is
     * decoded, whether or not this server implements it. */
    if (g_atomic_int_get(&client->readonly) && proc && (proc->flags & MV_PROC_WRITE)) {
        g_autofree char *fallback = NULL;
        const char *api = prog->proc_api_name ? prog->proc_api_name(msg->header.proc) : NULL;
        int from = prog->proc_error_domain ? prog->proc_error_domain(msg->header.proc)
                                           : MV_FROM_NONE;

        if (!api)
            api = fallback = server_default_api_name(msg->header.proc);
        mv_error_set(&error, from, MV_ERR_OPERATION_DENIED, "read only access prevents %s",
                     api);
        goto error;
    }
    if (!proc || !proc->func) {
        mv_error_set(&error, MV_FROM_RPC, MV_ERR_RPC, "unknown procedure: %d",
                     msg->header.proc);
        goto error;
    }
    g_mutex_lock(&client->lock);
    opened = client->opened;
    g_mutex_unlock(&client->lock);
    if (!opened && !(proc->flags & MV_PROC_PREOPEN)) {
        mv_error_set(&error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "connection not open");
        goto error;
    }

    call = g_new0(MvServerCall, 1);
    call->client = mv_server_client_ref(client);
    call->msg = msg;
    call->prog = prog;
    call->proc = proc;
    call->header = msg->header;

    if (proc->flags & MV_PROC_INLINE) {
        call->on_io_thread = TRUE;
        if (server_execute_call(call)) {
            server_call_free(call);
            return;
        }
        call->on_io_thread = FALSE;
    }
    g_mutex_lock(&client->lock);
    client->nrequests++;
    if (!client->throttled && client->nrequests >= srv->cfg.max_client_requests) {
        client->throttled = TRUE;
        mv_rpc_conn_pause(client->conn);
    }
    g_mutex_unlock(&client->lock);
    mv_worker_pool_push(srv->workers, call, (proc->flags & MV_PROC_PRIORITY) != 0);
    return;

 error:
    server_send_error_reply(client, &msg->header, MV_NET_REPLY, error);
    mv_message_free(msg);
}

static void
server_client_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque)
{
    MvServerClient *client = opaque;
    MvServer *srv = client->srv;

    if (msg->header.prog == MV_KEEPALIVE_PROGRAM) {
        if (msg->header.type == MV_NET_MESSAGE && msg->header.proc == MV_KEEPALIVE_PROC_PING) {
            mv_rpc_conn_send(conn, mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                                         MV_KEEPALIVE_PROTOCOL_VERSION,
                                                         MV_KEEPALIVE_PROC_PONG,
                                                         MV_NET_MESSAGE, 0, MV_NET_OK));
        }
        mv_message_free(msg);
        return;
    }
    if (srv->raw_func) {
        srv->raw_func(client, msg, srv->raw_opaque);
        return;
    }
    switch ((mv_net_message_type)msg->header.type) {
    case MV_NET_CALL:
    case MV_NET_CALL_WITH_FDS:
        server_dispatch_call(client, msg);
        return;
    case MV_NET_STREAM:
    case MV_NET_STREAM_HOLE:
        mv_server_client_stream_packet(client, msg);
        return;
    case MV_NET_REPLY:
    case MV_NET_MESSAGE:
    case MV_NET_REPLY_WITH_FDS:
    default: {
        g_autoptr(GError) error = NULL;

        mv_error_set(&error, MV_FROM_RPC, MV_ERR_RPC, "unexpected message type %u",
                     msg->header.type);
        server_send_error_reply(client, &msg->header, MV_NET_REPLY, error);
        mv_message_free(msg);
        return;
    }
    }
}

static void
server_client_closed(MvRpcConn *conn, gpointer opaque)
{
    MvServerClient *client = opaque;
    MvServer *srv = client->srv;
    GSource *timer;

    g_mutex_lock(&client->lock);
    client->closed = TRUE;
    timer = g_steal_pointer(&client->ka_timer);
    g_mutex_unlock(&client->lock);
    if (timer) {
        g_source_destroy(timer);
        g_source_unref(timer);
    }
    mv_server_client_abort_streams(client);

    g_mutex_lock(&srv->lock);
    /* Drops the list's reference; the conn callback's one goes below. */
    g_hash_table_remove(srv->clients, &client->id);
    g_mutex_unlock(&srv->lock);
    if (srv->count_cb)
        srv->count_cb(srv, srv->count_opaque);
    mv_server_client_unref(client);
}

MvServerClient *
mv_server_add_client_fd(MvServer *srv, int fd, gboolean readonly)
{
    MvServerClient *client = g_new0(MvServerClient, 1);
    guint64 *key = g_new(guint64, 1);

    client->ref = 2; /* the server's list and the conn callbacks */
    g_mutex_init(&client->lock);
    client->srv = mv_server_ref(srv);
    client->conn = mv_rpc_conn_new(fd, srv->ctx);
    mv_rpc_conn_set_output_gate(client->conn, SERVER_CLIENT_OUTPUT_MAX);
    client->readonly = readonly;
    client->timestamp = g_get_real_time() / G_USEC_PER_SEC;
    mv_rpc_conn_get_peer(client->conn, &client->peer.uid, &client->peer.gid, &client->peer.pid);
    if (srv->priv_new)
        client->priv = srv->priv_new(client);

    g_mutex_lock(&srv->lock);
    client->id = srv->next_client_id++;
    *key = client->id;
    g_hash_table_insert(srv->clients, key, client);
    g_mutex_unlock(&srv->lock);

    mv_rpc_conn_set_callbacks(client->conn, server_client_recv, server_client_closed, client);
    mv_rpc_conn_start(client->conn);
    if (srv->count_cb)
        srv->count_cb(srv, srv->count_opaque);
    return client;
}

/* ---- services ---------------------------------------------------------- */

/*
 * The lowest file descriptor a client may not have: the top of the
 * RLIMIT_NOFILE range (an eighth, 64 at least) stays for the daemon itself
 * (QEMU, files, GLib, which aborts when it cannot make its wakeup pipes).
 * Descriptors are allocated lowest first, so clients kept below it cannot
 * take that reserve, however many connect.
 */
static int
server_client_fd_limit(void)
{
    struct rlimit rl;
    rlim_t reserve;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > G_MAXINT)
        return G_MAXINT;
    reserve = MAX(rl.rlim_cur / 8, 64);
    return rl.rlim_cur > reserve ? (int)(rl.rlim_cur - reserve) : 0;
}

static gboolean
server_service_rewatch(gpointer data)
{
    ServerService *svc = data;

    g_source_unref(g_steal_pointer(&svc->retry));
    mv_rpc_poller_watch_set_events(svc->watch, G_IO_IN);
    return G_SOURCE_REMOVE;
}

static void
server_service_accept(MvRpcPollerWatch *watch, GIOCondition cond, gpointer data)
{
    ServerService *svc = data;
    MvServer *srv = svc->srv;
    int fd = svc->fd;
    int fd_limit;

    /* Waiting for descriptors: epoll still reports an error or a hang-up,
     * whatever the events. */
    if (svc->retry)
        return;
    fd_limit = server_client_fd_limit();
    for (int i = 0; i < 32; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        guint count;

        if (cfd < 0 && (errno == EMFILE || errno == ENFILE)) {
            /* The connection stays pending and the socket readable: stop
             * watching it for a while rather than spin. */
            g_warning("server '%s': no file descriptor left to accept a connection; "
                      "trying again in a second", srv->name);
            mv_rpc_poller_watch_set_events(watch, 0);
            svc->retry = g_timeout_source_new_seconds(1);
            g_source_set_callback(svc->retry, server_service_rewatch, svc, NULL);
            g_source_attach(svc->retry, srv->ctx);
            return;
        }
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                g_warning("server '%s': accept failed: %s", srv->name, g_strerror(errno));
            break;
        }
        if (cfd >= fd_limit) {
            g_warning("server '%s': too many open files (the limit is %d for clients), "
                      "refusing a connection", srv->name, fd_limit);
            close(cfd);
            continue;
        }
        g_mutex_lock(&srv->lock);
        count = g_hash_table_size(srv->clients);
        g_mutex_unlock(&srv->lock);
        if (count >= srv->cfg.max_clients) {
            g_warning("server '%s': too many clients (%u), refusing a connection", srv->name,
                      count);
            close(cfd);
            continue;
        }
        mv_server_add_client_fd(srv, cfd, svc->readonly);
    }
}

static gboolean
server_add_service(MvServer *srv, int fd, gboolean readonly, const char *path, GError **error)
{
    ServerService *svc = g_new0(ServerService, 1);
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    svc->srv = srv;
    svc->fd = fd;
    svc->readonly = readonly;
    svc->path = g_strdup(path);
    /* With the connections' sockets, behind the context's one poller
     * source (rpc/poller.h). */
    svc->watch = mv_rpc_poller_watch_new(srv->ctx, fd, G_IO_IN, server_service_accept, svc,
                                         NULL);
    g_mutex_lock(&srv->lock);
    g_ptr_array_add(srv->services, svc);
    g_mutex_unlock(&srv->lock);
    return TRUE;
}

gboolean
mv_server_add_service_fd(MvServer *srv, int fd, gboolean readonly, GError **error)
{
    return server_add_service(srv, fd, readonly, NULL, error);
}

/* Is something listening on @path? */
static gboolean
server_socket_in_use(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mv_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    return fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
}

/*
 * Whether @path is still listened on after a grace of SERVER_SOCKET_GRACE_MS.
 * A daemon that holds its pid file finds its predecessor's sockets still
 * open when that one was killed a moment ago: a dying process releases its
 * pid file lock and closes its sockets one after the other, not at once.
 */
static gboolean
server_socket_in_use_a_while(const char *path)
{
    gint64 end = g_get_monotonic_time() + SERVER_SOCKET_GRACE_MS * 1000;

    while (server_socket_in_use(path)) {
        if (g_get_monotonic_time() >= end)
            return TRUE;
        g_usleep(5 * 1000);
    }
    return FALSE;
}

gboolean
mv_server_add_service_unix(MvServer *srv, const char *path, mode_t mode, gboolean readonly,
                           GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mv_autoclose int fd = -1;
    mode_t old_umask;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                     "socket path '%s' is too long (the limit is %zu bytes)", path,
                     sizeof(addr.sun_path) - 1);
        return FALSE;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (server_socket_in_use_a_while(path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_OPERATION_INVALID,
                     "socket '%s' is in use by another process", path);
        return FALSE;
    }
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot create socket");
        return FALSE;
    }
    /* Never expose the socket with looser permissions, even briefly. */
    old_umask = umask(0777 & ~mode);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        umask(old_umask);
        mv_error_set_errno(error, err, "cannot bind socket '%s'", path);
        return FALSE;
    }
    umask(old_umask);
    if (chmod(path, mode) < 0 || listen(fd, 256) < 0) {
        mv_error_set_errno(error, errno, "cannot listen on '%s'", path);
        unlink(path);
        return FALSE;
    }
    return server_add_service(srv, mv_steal_fd(&fd), readonly, path, error);
}

void
mv_server_close(MvServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;

    g_mutex_lock(&srv->lock);
    srv->closed = TRUE;
    for (guint i = 0; i < srv->services->len; i++) {
        ServerService *svc = g_ptr_array_index(srv->services, i);

        mv_rpc_poller_watch_destroy(svc->watch);
        if (svc->retry) {
            g_source_destroy(svc->retry);
            g_source_unref(svc->retry);
        }
        close(svc->fd);
        if (svc->path)
            unlink(svc->path);
        g_free(svc->path);
        g_free(svc);
    }
    g_ptr_array_set_size(srv->services, 0);
    g_mutex_unlock(&srv->lock);

    clients = mv_server_list_clients(srv);
    for (guint i = 0; i < clients->len; i++)
        mv_server_client_close(g_ptr_array_index(clients, i));
}

static void
server_drop_call(gpointer job)
{
    MvServerCall *call = job;

    g_mutex_lock(&call->client->lock);
    call->client->nrequests--;
    g_mutex_unlock(&call->client->lock);
    server_call_free(call);
}

void
mv_server_drain(MvServer *srv)
{
    if (!srv)
        return;
    mv_worker_pool_quit(srv->workers, server_drop_call);
    while (mv_worker_pool_live(srv->workers) > 0) {
        if (!g_main_context_iteration(srv->ctx, FALSE))
            g_usleep(1000);
    }
}

guint
mv_server_client_count(MvServer *srv)
{
    guint n;

    g_mutex_lock(&srv->lock);
    n = g_hash_table_size(srv->clients);
    g_mutex_unlock(&srv->lock);
    return n;
}

static gint
server_client_cmp(gconstpointer a, gconstpointer b)
{
    const MvServerClient *ca = *(MvServerClient *const *)a;
    const MvServerClient *cb = *(MvServerClient *const *)b;

    return ca->id < cb->id ? -1 : ca->id > cb->id;
}

GPtrArray *
mv_server_list_clients(MvServer *srv)
{
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)mv_server_client_unref);
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&srv->lock);
    g_hash_table_iter_init(&iter, srv->clients);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(list, mv_server_client_ref(value));
    g_mutex_unlock(&srv->lock);
    g_ptr_array_sort(list, server_client_cmp);
    return list;
}

MvServerClient *
mv_server_lookup_client(MvServer *srv, guint64 id)
{
    MvServerClient *client;

    g_mutex_lock(&srv->lock);
    client = g_hash_table_lookup(srv->clients, &id);
    if (client)
        mv_server_client_ref(client);
    g_mutex_unlock(&srv->lock);
    return client;
}

guint
mv_server_get_max_client_requests(MvServer *srv)
{
    return srv->cfg.max_client_requests;
}

void
mv_server_get_worker_stats(MvServer *srv, MvWorkerPoolStats *stats)
{
    mv_worker_pool_get_stats(srv->workers, stats);
}

gboolean
mv_server_set_worker_limits(MvServer *srv, guint min_workers, guint max_workers,
                            guint prio_workers, GError **error)
{
    return mv_worker_pool_set_limits(srv->workers, min_workers, max_workers, prio_workers, error);
}

void
mv_server_get_client_limits(MvServer *srv, guint *max_clients, guint *cur_clients,
                            guint *max_unauth, guint *cur_unauth)
{
    g_mutex_lock(&srv->lock);
    *max_clients = srv->cfg.max_clients;
    *cur_clients = g_hash_table_size(srv->clients);
    *max_unauth = srv->cfg.max_anonymous_clients;
    /* Authentication is "none" on every socket: nobody waits for it. */
    *cur_unauth = 0;
    g_mutex_unlock(&srv->lock);
}

gboolean
mv_server_set_client_limits(MvServer *srv, guint max_clients, guint max_unauth, GError **error)
{
    g_mutex_lock(&srv->lock);
    if (max_clients != G_MAXUINT && max_clients == 0) {
        g_mutex_unlock(&srv->lock);
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG, "nclients_max must be > 0");
        return FALSE;
    }
    if ((max_unauth != G_MAXUINT ? max_unauth : srv->cfg.max_anonymous_clients) >
        (max_clients != G_MAXUINT ? max_clients : srv->cfg.max_clients)) {
        g_mutex_unlock(&srv->lock);
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                     "nclients_unauth_max must not exceed nclients_max");
        return FALSE;
    }
    if (max_clients != G_MAXUINT)
        srv->cfg.max_clients = max_clients;
    if (max_unauth != G_MAXUINT)
        srv->cfg.max_anonymous_clients = max_unauth;
    g_mutex_unlock(&srv->lock);
    return TRUE;
}

/* ---- calls ------------------------------------------------------------- */

gboolean
mv_server_call_is_inline(MvServerCall *call)
{
    return call->on_io_thread;
}

MvServerClient *
mv_server_call_get_client(MvServerCall *call)
{
    return call->client;
}

const MvMessageHeader *
mv_server_call_get_header(MvServerCall *call)
{
    return &call->header;
}

int
mv_server_call_take_fd(MvServerCall *call, guint i)
{
    return mv_message_take_fd(call->msg, i);
}

guint
mv_server_call_num_fds(MvServerCall *call)
{
    return call->msg->nfds;
}

void
mv_server_call_add_reply_fd(MvServerCall *call, int fd)
{
    if (!call->reply_fds)
        call->reply_fds = g_array_new(FALSE, FALSE, sizeof(int));
    g_array_append_val(call->reply_fds, fd);
}

void
mv_server_call_set_reply_size(MvServerCall *call, gsize bytes)
{
    call->reply_size = bytes;
}

void
mv_server_call_set_ret_owner(MvServerCall *call, GDestroyNotify free_fn, gpointer data)
{
    g_return_if_fail(!call->ret_free);
    call->ret_free = free_fn;
    call->ret_free_data = data;
}
