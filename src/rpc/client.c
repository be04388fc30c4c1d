/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/client.h"
#include "rpc/conn.h"
#include "util/command.h"
#include "util/error.h"
#include "util/macros.h"

#define STREAM_RX_HIGH (8 * 1024 * 1024)

typedef struct {
    guint32 serial;
    gboolean done;
    MvMessage *reply;
    GError *error;
} PendingCall;

struct _MvRpcClient {
    gint ref;                     /* the users', and the conn's callbacks' until closed */
    gint users;                   /* mv_rpc_client_ref(): the last one closes */
    GMutex lock;
    GCond cond;
    MvRpcConn *conn;
    guint32 next_serial;
    GHashTable *pending;          /* serial -> PendingCall (borrowed from the caller's stack) */
    GList *streams;               /* MvRpcClientStream (strong) */
    gboolean closed;
    int close_reason;
    guint call_timeout_ms;
    gint readonly;

    MvRpcClientEventFunc event_func;
    gpointer event_opaque;
    GDestroyNotify event_destroy;
    MvRpcClientCloseFunc close_func;
    gpointer close_opaque;
    GDestroyNotify close_destroy;

    GSource *ka_timer;
    guint ka_interval;
    guint ka_count;
    guint ka_countdown;
};

struct _MvRpcClientStream {
    gint ref;
    MvRpcClient *client;
    gboolean bound;
    MvMessageHeader header;
    GQueue rx;                    /* MvMessage: data, holes, eof, ok, error */
    gsize rx_bytes;
    gboolean paused;              /* we paused the conn for this stream */
    gsize cur_off;                /* consumed part of the head data packet */
    gint64 cur_hole;              /* remaining part of the head hole */
    gboolean eof;
    gboolean finished;
    GError *error;
    void (*notify)(gpointer opaque);
    gpointer notify_opaque;
    GThread *notifying;           /* the thread calling notify, or NULL */
};

/* ---- the shared I/O thread ------------------------------------------- */

static GMainContext *client_ctx;

static gpointer
client_io_main(gpointer data)
{
    GMainLoop *loop = g_main_loop_new(client_ctx, FALSE);

    g_main_loop_run(loop);
    return NULL;
}

static GMainContext *
client_io_context(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        client_ctx = g_main_context_new();
        g_thread_unref(g_thread_new("mv-rpc-client", client_io_main, NULL));
        g_once_init_leave(&once, 1);
    }
    return client_ctx;
}

/* ---- sockets ----------------------------------------------------------- */

int
mv_rpc_socket_connect(const char *path, gboolean nonblock, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mv_autoclose int fd = -1;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG, "socket path '%s' is too long",
                     path);
        return -ENAMETOOLONG;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) {
        int err = errno;

        mv_error_set_errno(error, err, "cannot create socket");
        return -err;
    }
    while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        if (err == EINTR)
            continue;
        g_set_error(error, mv_error_quark(MV_FROM_RPC), MV_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '%s': %s", path, g_strerror(err));
        return -err;
    }
    return mv_steal_fd(&fd);
}

int
mv_rpc_socket_connect_unix(const char *path, GError **error)
{
    int fd = mv_rpc_socket_connect(path, FALSE, error);

    if (fd < 0) {
        errno = -fd;
        return -1;
    }
    return fd;
}

int
mv_rpc_socket_connect_autostart(const char *path, const char *binary,
                                const char *const *extra_args, const char *log_path,
                                GError **error)
{
    g_autoptr(GError) first = NULL;
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *name = g_path_get_basename(binary);
    g_autofree char *lockpath = g_strdup_printf("%s/%s.lock", dir, name);
    g_autofree char *exe = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    mv_autoclose int lockfd = -1;
    int fd;
    int err;

    fd = mv_rpc_socket_connect_unix(path, &first);
    if (fd >= 0)
        return fd;
    err = errno;
    if (err != ENOENT && err != ECONNREFUSED) {
        g_propagate_error(error, g_steal_pointer(&first));
        return -1;
    }
    exe = mv_command_find_daemon(name);
    if (!exe) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR,
                     "%s (and no '%s' to start: set MODVIRT_DAEMON_PATH?)", first->message,
                     name);
        return -1;
    }
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        mv_error_set_errno(error, errno, "cannot create '%s'", dir);
        return -1;
    }
    /* One starter at a time; the others wait and then connect. */
    lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lockfd >= 0)
        flock(lockfd, LOCK_EX);
    fd = mv_rpc_socket_connect_unix(path, NULL);
    if (fd >= 0)
        return fd;

    argv = g_ptr_array_new();
    g_ptr_array_add(argv, exe);
    for (size_t i = 0; extra_args && extra_args[i]; i++)
        g_ptr_array_add(argv, (gpointer)extra_args[i]);
    g_ptr_array_add(argv, NULL);
    g_debug("starting %s for %s", exe, path);
    if ((err = mv_command_spawn_detached((const char *const *)argv->pdata, log_path)) < 0) {
        mv_error_set_errno(error, -err, "cannot start daemon '%s'", exe);
        return -1;
    }
    /* A daemon listens within a few milliseconds: look every millisecond
     * for the first 100, then every 10, for 5 seconds in all. */
    for (int i = 0; i < 100 + 490; i++) {
        g_clear_error(&first);
        fd = mv_rpc_socket_connect_unix(path, &first);
        if (fd >= 0)
            return fd;
        g_usleep(i < 100 ? 1000 : 10 * 1000);
    }
    /* libvirt's words, and where to look. */
    mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR,
                 "%s (started '%s', which did not listen within 5 seconds: see %s)",
                 first->message, exe, log_path ? log_path : "its log");
    return -1;
}

/* ---- client ------------------------------------------------------------ */

static void client_conn_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque);
static void client_conn_closed(MvRpcConn *conn, gpointer opaque);

MvRpcClient *
mv_rpc_client_new_fd(int fd)
{
    MvRpcClient *client = g_new0(MvRpcClient, 1);

    client->ref = 2; /* the caller, and the conn's callbacks until closed */
    client->users = 1;
    g_mutex_init(&client->lock);
    g_cond_init(&client->cond);
    client->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
    client->conn = mv_rpc_conn_new(fd, client_io_context());
    mv_rpc_conn_set_callbacks(client->conn, client_conn_recv, client_conn_closed, client);
    mv_rpc_conn_start(client->conn);
    return client;
}

MvRpcClient *
mv_rpc_client_new_unix(const char *path, GError **error)
{
    int fd = mv_rpc_socket_connect_unix(path, error);

    if (fd < 0)
        return NULL;
    return mv_rpc_client_new_fd(fd);
}

MvRpcClient *
mv_rpc_client_ref(MvRpcClient *client)
{
    g_atomic_int_inc(&client->users);
    g_atomic_int_inc(&client->ref);
    return client;
}

static void
client_release(MvRpcClient *client)
{
    if (!g_atomic_int_dec_and_test(&client->ref))
        return;
    if (client->event_destroy)
        client->event_destroy(client->event_opaque);
    if (client->close_destroy)
        client->close_destroy(client->close_opaque);
    g_hash_table_unref(client->pending);
    mv_rpc_conn_unref(client->conn);
    g_mutex_clear(&client->lock);
    g_cond_clear(&client->cond);
    g_free(client);
}

void
mv_rpc_client_unref(MvRpcClient *client)
{
    if (!client)
        return;
    /* NB: a count of users apart from the references, so that of two
     * users leaving at once exactly one sees it was the last. */
    if (g_atomic_int_dec_and_test(&client->users))
        mv_rpc_client_close(client);
    client_release(client);
}

void
mv_rpc_client_set_event_func(MvRpcClient *client, MvRpcClientEventFunc func, gpointer opaque,
                             GDestroyNotify destroy)
{
    g_mutex_lock(&client->lock);
    client->event_func = func;
    client->event_opaque = opaque;
    client->event_destroy = destroy;
    g_mutex_unlock(&client->lock);
}

void
mv_rpc_client_set_close_func(MvRpcClient *client, MvRpcClientCloseFunc func, gpointer opaque,
                             GDestroyNotify destroy)
{
    g_mutex_lock(&client->lock);
    client->close_func = func;
    client->close_opaque = opaque;
    client->close_destroy = destroy;
    g_mutex_unlock(&client->lock);
}

void
mv_rpc_client_set_readonly(MvRpcClient *client)
{
    g_atomic_int_set(&client->readonly, TRUE);
}

gboolean
mv_rpc_client_is_readonly(MvRpcClient *client)
{
    return g_atomic_int_get(&client->readonly);
}

void
mv_rpc_client_set_call_timeout(MvRpcClient *client, guint ms)
{
    client->call_timeout_ms = ms;
}

gboolean
mv_rpc_client_is_open(MvRpcClient *client)
{
    gboolean ret;

    g_mutex_lock(&client->lock);
    ret = !client->closed;
    g_mutex_unlock(&client->lock);
    return ret;
}

void
mv_rpc_client_close(MvRpcClient *client)
{
    g_mutex_lock(&client->lock);
    if (!client->closed)
        client->close_reason = MV_RPC_CLOSE_CLIENT;
    g_mutex_unlock(&client->lock);
    mv_rpc_conn_close(client->conn);
    /* Wait for the I/O thread to finish with us, unless we are it. */
    if (!g_main_context_is_owner(client_io_context())) {
        g_mutex_lock(&client->lock);
        while (!client->closed)
            g_cond_wait(&client->cond, &client->lock);
        g_mutex_unlock(&client->lock);
    }
}

/* ---- keepalive ----------------------------------------------------------- */

static gboolean
client_keepalive_tick(gpointer data)
{
    MvRpcClient *client = data;
    gint64 idle = g_get_monotonic_time() - mv_rpc_conn_last_rx(client->conn);

    if (idle < (gint64)client->ka_interval * G_USEC_PER_SEC) {
        client->ka_countdown = client->ka_count;
        return G_SOURCE_CONTINUE;
    }
    if (client->ka_countdown == 0) {
        g_mutex_lock(&client->lock);
        client->close_reason = MV_RPC_CLOSE_KEEPALIVE;
        g_mutex_unlock(&client->lock);
        mv_rpc_conn_close(client->conn);
        return G_SOURCE_REMOVE;
    }
    client->ka_countdown--;
    mv_rpc_conn_send(client->conn,
                     mv_message_new_simple(MV_KEEPALIVE_PROGRAM, MV_KEEPALIVE_PROTOCOL_VERSION,
                                           MV_KEEPALIVE_PROC_PING, MV_NET_MESSAGE, 0, MV_NET_OK));
    return G_SOURCE_CONTINUE;
}

void
mv_rpc_client_set_keepalive(MvRpcClient *client, guint interval, guint count)
{
    g_mutex_lock(&client->lock);
    if (client->ka_timer) {
        g_source_destroy(client->ka_timer);
        g_source_unref(client->ka_timer);
        client->ka_timer = NULL;
    }
    client->ka_interval = interval;
    client->ka_count = count;
    client->ka_countdown = count;
    if (interval > 0 && !client->closed) {
        client->ka_timer = g_timeout_source_new_seconds(interval);
        g_source_set_callback(client->ka_timer, client_keepalive_tick, client, NULL);
        g_source_attach(client->ka_timer, client_io_context());
    }
    g_mutex_unlock(&client->lock);
}

/* ---- I/O callbacks ------------------------------------------------------ */

static MvRpcClientStream *
client_find_stream_locked(MvRpcClient *client, const MvMessageHeader *hdr)
{
    for (GList *l = client->streams; l; l = l->next) {
        MvRpcClientStream *st = l->data;

        if (st->header.serial == hdr->serial && st->header.proc == hdr->proc &&
            st->header.prog == hdr->prog)
            return st;
    }
    return NULL;
}

static void
client_stream_packet(MvRpcClient *client, MvMessage *msg)
{
    MvRpcClientStream *st;
    void (*notify)(gpointer) = NULL;
    gpointer notify_opaque = NULL;

    g_mutex_lock(&client->lock);
    st = client_find_stream_locked(client, &msg->header);
    if (!st) {
        g_mutex_unlock(&client->lock);
        mv_message_free(msg);
        return;
    }
    g_queue_push_tail(&st->rx, msg);
    st->rx_bytes += msg->buffer_length;
    if (!st->paused && st->rx_bytes > STREAM_RX_HIGH) {
        st->paused = TRUE;
        mv_rpc_conn_pause(client->conn);
    }
    notify = st->notify;
    notify_opaque = st->notify_opaque;
    if (notify) {
        /* set_notify() waits for this call to end before it returns: the
         * caller may free @notify_opaque right after it. */
        st->notifying = g_thread_self();
        mv_rpc_client_stream_ref(st);
    }
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
    if (notify) {
        notify(notify_opaque);
        g_mutex_lock(&client->lock);
        st->notifying = NULL;
        g_cond_broadcast(&client->cond);
        g_mutex_unlock(&client->lock);
        mv_rpc_client_stream_unref(st);
    }
}

static void
client_conn_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque)
{
    MvRpcClient *client = opaque;
    PendingCall *call;

    switch ((mv_net_message_type)msg->header.type) {
    case MV_NET_REPLY:
    case MV_NET_REPLY_WITH_FDS:
        g_mutex_lock(&client->lock);
        call = g_hash_table_lookup(client->pending, GUINT_TO_POINTER(msg->header.serial));
        if (call && !call->done) {
            call->reply = msg;
            call->done = TRUE;
            g_hash_table_remove(client->pending, GUINT_TO_POINTER(msg->header.serial));
            g_cond_broadcast(&client->cond);
            msg = NULL;
        }
        g_mutex_unlock(&client->lock);
        mv_message_free(msg);
        return;
    case MV_NET_MESSAGE:
        if (msg->header.prog == MV_KEEPALIVE_PROGRAM) {
            if (msg->header.proc == MV_KEEPALIVE_PROC_PING)
                mv_rpc_conn_send(conn, mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                                             MV_KEEPALIVE_PROTOCOL_VERSION,
                                                             MV_KEEPALIVE_PROC_PONG,
                                                             MV_NET_MESSAGE, 0, MV_NET_OK));
        } else if (client->event_func) {
            client->event_func(client, msg, client->event_opaque);
        }
        mv_message_free(msg);
        return;
    case MV_NET_STREAM:
    case MV_NET_STREAM_HOLE:
        client_stream_packet(client, msg);
        return;
    case MV_NET_CALL:
    case MV_NET_CALL_WITH_FDS:
    default:
        g_debug("client: ignoring a packet of type %u", msg->header.type);
        mv_message_free(msg);
        return;
    }
}

/* Tell @st its connection is gone.  set_notify() waits for this call to
 * end, as for a packet's. */
static void
client_stream_notify_closed(MvRpcClient *client, MvRpcClientStream *st)
{
    void (*notify)(gpointer) = NULL;
    gpointer notify_opaque = NULL;

    g_mutex_lock(&client->lock);
    notify = st->notify;
    notify_opaque = st->notify_opaque;
    if (notify)
        st->notifying = g_thread_self();
    g_mutex_unlock(&client->lock);
    if (!notify)
        return;
    notify(notify_opaque);
    g_mutex_lock(&client->lock);
    st->notifying = NULL;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

static void
client_conn_closed(MvRpcConn *conn, gpointer opaque)
{
    MvRpcClient *client = opaque;
    MvRpcClientCloseFunc func;
    GHashTableIter iter;
    GList *streams;
    gpointer value;
    int reason;

    g_mutex_lock(&client->lock);
    client->closed = TRUE;
    reason = client->close_reason;
    g_hash_table_iter_init(&iter, client->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        PendingCall *call = value;

        call->done = TRUE;
        mv_error_set(&call->error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                     reason == MV_RPC_CLOSE_KEEPALIVE
                     ? "connection closed due to keepalive timeout"
                     : "client socket is closed");
    }
    g_hash_table_remove_all(client->pending);
    if (client->ka_timer) {
        g_source_destroy(client->ka_timer);
        g_source_unref(client->ka_timer);
        client->ka_timer = NULL;
    }
    for (GList *l = client->streams; l; l = l->next) {
        MvRpcClientStream *st = l->data;

        if (!st->error && !st->finished)
            mv_error_set(&st->error, MV_FROM_STREAMS, MV_ERR_RPC, "stream: connection closed");
    }
    func = client->close_func;
    /* Their owners may drop them meanwhile: each notified as in
     * client_stream_packet(), from a list of our own. */
    streams = NULL;
    for (GList *l = client->streams; l; l = l->next)
        streams = g_list_prepend(streams, mv_rpc_client_stream_ref(l->data));
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
    for (GList *l = streams; l; l = l->next)
        client_stream_notify_closed(client, l->data);
    g_list_free_full(streams, (GDestroyNotify)mv_rpc_client_stream_unref);
    if (func)
        func(client, reason, client->close_opaque);
    client_release(client);
}

/* ---- calls --------------------------------------------------------------- */

gboolean
mv_rpc_client_call(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                   xdrproc_t args_filter, void *args, xdrproc_t ret_filter, void *ret,
                   GError **error)
{
    return mv_rpc_client_call_full(client, prog, vers, proc, NULL, 0, args_filter, args,
                                   ret_filter, ret, NULL, NULL, NULL, error);
}

gboolean
mv_rpc_client_call_full(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                        const int *fds, guint nfds, xdrproc_t args_filter, void *args,
                        xdrproc_t ret_filter, void *ret, int **ret_fds, guint *ret_nfds,
                        MvRpcClientStream *stream, GError **error)
{
    PendingCall call = { 0 };
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = { prog, vers, proc, nfds ? MV_NET_CALL_WITH_FDS : MV_NET_CALL, 0,
                            MV_NET_OK };
    g_autoptr(MvMessage) reply = NULL;
    gint64 deadline = 0;

    for (guint i = 0; i < nfds; i++) {
        int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);

        if (fd < 0) {
            mv_error_set_errno(error, errno, "cannot duplicate file descriptor %d", fds[i]);
            mv_message_free(msg);
            return FALSE;
        }
        mv_message_add_fd(msg, fd);
    }

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        mv_message_free(msg);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "client socket is closed");
        return FALSE;
    }
    hdr.serial = client->next_serial++;
    call.serial = hdr.serial;
    g_mutex_unlock(&client->lock);

    if (!mv_message_encode_header(msg, &hdr, error) ||
        !mv_message_encode_payload(msg, args_filter, args, error)) {
        mv_message_free(msg);
        return FALSE;
    }

    g_mutex_lock(&client->lock);
    g_hash_table_insert(client->pending, GUINT_TO_POINTER(call.serial), &call);
    if (stream) {
        stream->header = hdr;
        stream->header.type = MV_NET_STREAM;
        stream->bound = TRUE;
        client->streams = g_list_prepend(client->streams, mv_rpc_client_stream_ref(stream));
    }
    g_mutex_unlock(&client->lock);

    mv_rpc_conn_send(client->conn, msg);

    if (client->call_timeout_ms)
        deadline = g_get_monotonic_time() + (gint64)client->call_timeout_ms * 1000;
    g_mutex_lock(&client->lock);
    while (!call.done) {
        if (client->closed && !call.done) {
            call.done = TRUE;
            mv_error_set(&call.error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                         "client socket is closed");
            break;
        }
        if (deadline) {
            if (!g_cond_wait_until(&client->cond, &client->lock, deadline) && !call.done) {
                g_hash_table_remove(client->pending, GUINT_TO_POINTER(call.serial));
                call.done = TRUE;
                mv_error_set(&call.error, MV_FROM_RPC, MV_ERR_OPERATION_TIMEOUT,
                             "no reply to procedure %d within %u ms", proc,
                             client->call_timeout_ms);
            }
        } else {
            g_cond_wait(&client->cond, &client->lock);
        }
    }
    g_hash_table_remove(client->pending, GUINT_TO_POINTER(call.serial));
    g_mutex_unlock(&client->lock);

    reply = call.reply;
    if (call.error || !reply || reply->header.status != MV_NET_OK) {
        if (call.error)
            g_propagate_error(error, call.error);
        else if (reply && reply->header.status == MV_NET_ERROR)
            mv_message_decode_error(reply, error);
        else
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "unexpected reply status");
        if (stream) {
            g_mutex_lock(&client->lock);
            client->streams = g_list_remove(client->streams, stream);
            g_mutex_unlock(&client->lock);
            mv_rpc_client_stream_unref(stream);
        }
        return FALSE;
    }
    if (reply->header.type == MV_NET_REPLY_WITH_FDS) {
        if (ret_fds) {
            *ret_nfds = reply->nfds;
            *ret_fds = g_new(int, reply->nfds ? reply->nfds : 1);
            for (guint i = 0; i < reply->nfds; i++)
                (*ret_fds)[i] = mv_message_take_fd(reply, i);
        }
    } else if (ret_fds) {
        *ret_fds = NULL;
        *ret_nfds = 0;
    }
    return mv_message_decode_payload(reply, ret_filter, ret, error);
}

/* ---- streams --------------------------------------------------------------- */

MvRpcClientStream *
mv_rpc_client_stream_new(MvRpcClient *client)
{
    MvRpcClientStream *st = g_new0(MvRpcClientStream, 1);

    st->ref = 1;
    st->client = mv_rpc_client_ref(client);
    g_queue_init(&st->rx);
    return st;
}

MvRpcClientStream *
mv_rpc_client_stream_ref(MvRpcClientStream *st)
{
    g_atomic_int_inc(&st->ref);
    return st;
}

void
mv_rpc_client_stream_unref(MvRpcClientStream *st)
{
    MvMessage *msg;

    if (!st || !g_atomic_int_dec_and_test(&st->ref))
        return;
    while ((msg = g_queue_pop_head(&st->rx)))
        mv_message_free(msg);
    g_clear_error(&st->error);
    mv_rpc_client_unref(st->client);
    g_free(st);
}

void
mv_rpc_client_stream_set_notify(MvRpcClientStream *st, void (*func)(gpointer opaque),
                                gpointer opaque)
{
    g_mutex_lock(&st->client->lock);
    st->notify = func;
    st->notify_opaque = opaque;
    /* A notify running on another thread may still use the old opaque. */
    while (st->notifying && st->notifying != g_thread_self())
        g_cond_wait(&st->client->cond, &st->client->lock);
    g_mutex_unlock(&st->client->lock);
}

/* Drop the stream from its client's list.  Must hold the lock. */
static void
client_stream_unbind_locked(MvRpcClientStream *st)
{
    GList *l = g_list_find(st->client->streams, st);

    if (st->paused) {
        st->paused = FALSE;
        mv_rpc_conn_resume(st->client->conn);
    }
    if (l) {
        st->client->streams = g_list_delete_link(st->client->streams, l);
        g_atomic_int_add(&st->ref, -1); /* the caller still holds one */
    }
}

static void
client_stream_pop_locked(MvRpcClientStream *st)
{
    MvMessage *msg = g_queue_pop_head(&st->rx);

    st->rx_bytes -= msg->buffer_length;
    st->cur_off = 0;
    st->cur_hole = -1;
    mv_message_free(msg);
    if (st->paused && st->rx_bytes < STREAM_RX_HIGH / 2) {
        st->paused = FALSE;
        mv_rpc_conn_resume(st->client->conn);
    }
}

gssize
mv_rpc_client_stream_recv(MvRpcClientStream *st, void *buf, gsize len, gboolean nonblock,
                          gint64 *ret_hole, GError **error)
{
    MvRpcClient *client = st->client;
    gssize ret = -1;

    if (ret_hole)
        *ret_hole = 0;
    g_mutex_lock(&client->lock);
    for (;;) {
        MvMessage *msg = g_queue_peek_head(&st->rx);

        if (!msg) {
            if (st->eof) {
                ret = 0;
                break;
            }
            if (st->error) {
                g_propagate_error(error, g_error_copy(st->error));
                break;
            }
            if (nonblock) {
                ret = -2;
                break;
            }
            g_cond_wait(&client->cond, &client->lock);
            continue;
        }
        if (msg->header.status == MV_NET_ERROR) {
            mv_message_decode_error(msg, &st->error);
            client_stream_pop_locked(st);
            continue;
        }
        if (msg->header.status == MV_NET_OK) {
            /* A confirmation nobody waits for: ignore. */
            client_stream_pop_locked(st);
            continue;
        }
        if (msg->header.type == MV_NET_STREAM_HOLE) {
            if (st->cur_hole < 0 || st->cur_off == 0) {
                mv_net_stream_hole hole = { 0 };

                if (st->cur_off == 0) {
                    msg->buffer_offset = MV_MESSAGE_MIN_LEN;
                    if (!mv_message_decode_payload(msg, (xdrproc_t)xdr_mv_net_stream_hole,
                                                   &hole, error))
                        break;
                    st->cur_hole = hole.length;
                    st->cur_off = 1;
                }
            }
            if (ret_hole) {
                *ret_hole = st->cur_hole;
                client_stream_pop_locked(st);
                ret = 0;
                break;
            }
            ret = (gssize)MIN((gint64)len, st->cur_hole);
            memset(buf, 0, ret);
            st->cur_hole -= ret;
            if (st->cur_hole == 0)
                client_stream_pop_locked(st);
            if (ret > 0)
                break;
            continue;
        } else {
            gsize plen;
            const guint8 *payload = mv_message_payload(msg, &plen);

            if (plen == 0) {
                /* End of stream. */
                st->eof = TRUE;
                client_stream_pop_locked(st);
                ret = 0;
                break;
            }
            ret = MIN(len, plen - st->cur_off);
            memcpy(buf, payload + st->cur_off, ret);
            st->cur_off += ret;
            if (st->cur_off == plen)
                client_stream_pop_locked(st);
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    return ret;
}

static gboolean
client_stream_send_packet(MvRpcClientStream *st, guint32 type, guint32 status,
                          xdrproc_t filter, void *data, const void *raw, gsize rawlen,
                          GError **error)
{
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = st->header;

    if (!st->bound) {
        mv_message_free(msg);
        mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_STREAM, "stream is not open");
        return FALSE;
    }
    hdr.type = type;
    hdr.status = status;
    if (!mv_message_encode_header(msg, &hdr, error) ||
        (raw ? !mv_message_encode_payload_raw(msg, raw, rawlen, error)
             : !mv_message_encode_payload(msg, filter, data, error))) {
        mv_message_free(msg);
        return FALSE;
    }
    if (!mv_rpc_conn_send(st->client->conn, msg)) {
        mv_error_set(error, MV_FROM_STREAMS, MV_ERR_RPC, "stream: connection closed");
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_rpc_client_stream_send(MvRpcClientStream *st, const void *data, gsize len, GError **error)
{
    const guint8 *p = data;

    g_mutex_lock(&st->client->lock);
    if (st->error) {
        g_propagate_error(error, g_error_copy(st->error));
        g_mutex_unlock(&st->client->lock);
        return FALSE;
    }
    g_mutex_unlock(&st->client->lock);
    while (len > 0) {
        gsize chunk = MIN(len, (gsize)MV_NET_MESSAGE_LEGACY_PAYLOAD_MAX);

        /* Don't let an unbounded queue build up behind a slow server. */
        if (!mv_rpc_conn_wait_queue(st->client->conn, 4 * 1024 * 1024)) {
            mv_error_set(error, MV_FROM_STREAMS, MV_ERR_RPC, "stream: connection closed");
            return FALSE;
        }
        if (!client_stream_send_packet(st, MV_NET_STREAM, MV_NET_CONTINUE, NULL, NULL,
                                       p, chunk, error))
            return FALSE;
        p += chunk;
        len -= chunk;
    }
    return TRUE;
}

gboolean
mv_rpc_client_stream_send_hole(MvRpcClientStream *st, gint64 length, GError **error)
{
    mv_net_stream_hole hole = { .length = length, .flags = 0 };

    return client_stream_send_packet(st, MV_NET_STREAM_HOLE, MV_NET_CONTINUE,
                                     (xdrproc_t)xdr_mv_net_stream_hole, &hole, NULL, 0, error);
}

/* Wait for the server's answer to our finish/abort: STREAM OK or ERROR. */
static gboolean
client_stream_wait_confirm(MvRpcClientStream *st, GError **error)
{
    MvRpcClient *client = st->client;
    gboolean ok = FALSE;

    g_mutex_lock(&client->lock);
    for (;;) {
        MvMessage *msg = g_queue_peek_head(&st->rx);

        if (!msg) {
            if (client->closed) {
                mv_error_set(error, MV_FROM_STREAMS, MV_ERR_RPC, "stream: connection closed");
                break;
            }
            g_cond_wait(&client->cond, &client->lock);
            continue;
        }
        if (msg->header.status == MV_NET_OK) {
            client_stream_pop_locked(st);
            ok = TRUE;
            break;
        }
        if (msg->header.status == MV_NET_ERROR) {
            mv_message_decode_error(msg, error);
            client_stream_pop_locked(st);
            break;
        }
        /* Data the caller did not read: discard. */
        client_stream_pop_locked(st);
    }
    st->finished = TRUE;
    client_stream_unbind_locked(st);
    g_mutex_unlock(&client->lock);
    return ok;
}

gboolean
mv_rpc_client_stream_finish(MvRpcClientStream *st, GError **error)
{
    g_mutex_lock(&st->client->lock);
    if (st->error) {
        g_propagate_error(error, g_error_copy(st->error));
        st->finished = TRUE;
        client_stream_unbind_locked(st);
        g_mutex_unlock(&st->client->lock);
        return FALSE;
    }
    g_mutex_unlock(&st->client->lock);
    if (!client_stream_send_packet(st, MV_NET_STREAM, MV_NET_OK, NULL, NULL, NULL, 0, error))
        return FALSE;
    return client_stream_wait_confirm(st, error);
}

void
mv_rpc_client_stream_abort(MvRpcClientStream *st)
{
    g_autoptr(GError) error = NULL;

    if (!st->bound || st->finished)
        return;
    g_mutex_lock(&st->client->lock);
    if (st->error) {
        /* The server ended the stream with an error: there is nothing left
         * on its side to abort, and no answer would come. */
        st->finished = TRUE;
        client_stream_unbind_locked(st);
        g_mutex_unlock(&st->client->lock);
        return;
    }
    g_mutex_unlock(&st->client->lock);
    if (client_stream_send_packet(st, MV_NET_STREAM, MV_NET_ERROR, NULL, NULL, NULL, 0, NULL))
        client_stream_wait_confirm(st, &error);
    else {
        g_mutex_lock(&st->client->lock);
        st->finished = TRUE;
        client_stream_unbind_locked(st);
        g_mutex_unlock(&st->client->lock);
    }
}
