/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy.c: the thin proxy.
 *
 * Each client gets, lazily, one upstream connection per daemon it uses
 * (mvqemud, mvstoraged, mvnetworkd), on that daemon's -sock or, for clients of
 * the read-only socket, -sock-ro.  A new upstream first receives the
 * client's identity (CONNECT_SET_IDENTITY) and a replay of its CONNECT_OPEN;
 * then packets are forwarded by (program, procedure) through the generated
 * routing table, without decoding their arguments.  Replies, events and
 * stream packets come back unchanged, file descriptors included.  Keepalive
 * is answered here.  The proxy keeps no state beyond its live connections.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <glib.h>

#include "proxy/proxy.h"
#include "remote-names.h"
#include "remote-protocol.h"
#include "remote-routes.h"
#include "remote/remote-typed-params.h"
#include "rpc/client.h"
#include "util/error.h"

/* Serials of the calls the proxy makes itself on an upstream connection. */
#define PROXY_SERIAL_BASE 0xfffff000u
#define FEATURE_PROGRAM_KEEPALIVE 10

typedef enum {
    UP_NONE,
    UP_CONNECTING,
    UP_OPENING,
    UP_READY,
} UpState;

typedef struct _ProxyClient ProxyClient;

typedef struct {
    ProxyClient *pc;
    int route;
    UpState state;
    MvRpcConn *conn;
    GQueue pending;           /* client packets waiting for the upstream */
    guint internal_pending;   /* our own calls not answered yet */
} Upstream;

struct _ProxyClient {
    gint ref;
    RemoteDaemon *rd;
    MvServerClient *client;   /* borrowed: the client owns us */
    gboolean closed;
    MvMessage *open_msg;      /* the client's CONNECT_OPEN, for replays */
    guint inflight;           /* calls forwarded and not answered yet */
    gboolean throttled;       /* reading the client paused because of them */
    Upstream up[MV_ROUTE_LAST];
};

static const char *const route_daemons[MV_ROUTE_LAST] = {
    [MV_ROUTE_QEMU] = "mvqemud",
    [MV_ROUTE_STORAGE] = "mvstoraged",
    [MV_ROUTE_NETWORK] = "mvnetworkd",
};

static ProxyClient *
proxy_client_ref(ProxyClient *pc)
{
    g_atomic_int_inc(&pc->ref);
    return pc;
}

static void
proxy_client_unref(ProxyClient *pc)
{
    if (!g_atomic_int_dec_and_test(&pc->ref))
        return;
    mv_message_free(pc->open_msg);
    g_free(pc);
}

static gpointer
proxy_client_new(MvServerClient *client)
{
    ProxyClient *pc = g_new0(ProxyClient, 1);

    pc->ref = 1;
    pc->rd = mv_server_get_opaque(mv_server_client_get_server(client));
    pc->client = client;
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        pc->up[i].pc = pc;
        pc->up[i].route = i;
        g_queue_init(&pc->up[i].pending);
    }
    return pc;
}

static void
proxy_upstream_reset(Upstream *up)
{
    MvMessage *msg;

    while ((msg = g_queue_pop_head(&up->pending)))
        mv_message_free(msg);
    if (up->conn) {
        mv_rpc_conn_set_callbacks(up->conn, NULL, NULL, NULL);
        mv_rpc_conn_close(up->conn);
        mv_rpc_conn_unref(up->conn);
        up->conn = NULL;
    }
    up->state = UP_NONE;
}

static void
proxy_client_free(MvServerClient *client, gpointer priv)
{
    ProxyClient *pc = priv;

    pc->closed = TRUE;
    pc->client = NULL;
    for (int i = 0; i < MV_ROUTE_LAST; i++)
        proxy_upstream_reset(&pc->up[i]);
    proxy_client_unref(pc);
}

static void
proxy_reply_error(ProxyClient *pc, const MvMessageHeader *hdr, const GError *error)
{
    MvMessage *reply;

    if (pc->closed || !pc->client)
        return;
    if (hdr->type != MV_NET_CALL && hdr->type != MV_NET_CALL_WITH_FDS)
        return;
    reply = mv_message_new_error_reply(hdr, MV_NET_REPLY, error);
    if (reply)
        mv_server_client_send(pc->client, reply);
}

/* The upstream failed: the client cannot go on without it. */
static void
proxy_upstream_failed(Upstream *up, const GError *error)
{
    ProxyClient *pc = up->pc;
    MvMessage *msg;

    g_info("client %" G_GUINT64_FORMAT ": lost %s: %s",
           pc->client ? mv_server_client_get_id(pc->client) : 0, route_daemons[up->route],
           error->message);
    while ((msg = g_queue_pop_head(&up->pending))) {
        proxy_reply_error(pc, &msg->header, error);
        mv_message_free(msg);
    }
    proxy_upstream_reset(up);
    if (pc->client)
        mv_rpc_conn_close_after_flush(mv_server_client_get_conn(pc->client));
}

static void
proxy_upstream_flush(Upstream *up)
{
    MvMessage *msg;

    while ((msg = g_queue_pop_head(&up->pending)))
        mv_rpc_conn_send(up->conn, msg);
}

/* As a daemon does, stop reading a client that has max_client_requests
 * calls in progress: what it sends would otherwise pile up in the queue to
 * a daemon that reads no faster than it answers. */
static void
proxy_client_call_forwarded(ProxyClient *pc)
{
    MvServer *srv = mv_server_client_get_server(pc->client);

    pc->inflight++;
    if (!pc->throttled && pc->inflight >= mv_server_get_max_client_requests(srv)) {
        pc->throttled = TRUE;
        mv_rpc_conn_pause(mv_server_client_get_conn(pc->client));
    }
}

static void
proxy_client_call_answered(ProxyClient *pc)
{
    MvServer *srv;

    if (pc->inflight > 0)
        pc->inflight--;
    if (!pc->throttled || !pc->client)
        return;
    srv = mv_server_client_get_server(pc->client);
    if (pc->inflight < mv_server_get_max_client_requests(srv)) {
        pc->throttled = FALSE;
        mv_rpc_conn_resume(mv_server_client_get_conn(pc->client));
    }
}

static void
proxy_upstream_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque)
{
    Upstream *up = opaque;
    ProxyClient *pc = up->pc;

    if (msg->header.prog == MV_KEEPALIVE_PROGRAM) {
        if (msg->header.proc == MV_KEEPALIVE_PROC_PING)
            mv_rpc_conn_send(conn, mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                                         MV_KEEPALIVE_PROTOCOL_VERSION,
                                                         MV_KEEPALIVE_PROC_PONG,
                                                         MV_NET_MESSAGE, 0, MV_NET_OK));
        mv_message_free(msg);
        return;
    }
    /* NB: the client may use any serial, ours included.  Its calls are held
     * back until the upstream is ready, so while it is opening every reply
     * answers one of our own calls, and afterwards none does. */
    if ((msg->header.type == MV_NET_REPLY || msg->header.type == MV_NET_REPLY_WITH_FDS) &&
        up->state == UP_OPENING && up->internal_pending > 0) {
        /* The answer to our identity or open replay. */
        if (msg->header.status != MV_NET_OK) {
            g_autoptr(GError) error = NULL;

            mv_message_decode_error(msg, &error);
            mv_message_free(msg);
            proxy_upstream_failed(up, error);
            return;
        }
        mv_message_free(msg);
        if (--up->internal_pending == 0) {
            up->state = UP_READY;
            proxy_upstream_flush(up);
        }
        return;
    }
    if (msg->header.type == MV_NET_REPLY || msg->header.type == MV_NET_REPLY_WITH_FDS)
        proxy_client_call_answered(pc);
    if (pc->client && !pc->closed)
        mv_server_client_send(pc->client, msg);
    else
        mv_message_free(msg);
}

static void
proxy_upstream_closed(MvRpcConn *conn, gpointer opaque)
{
    Upstream *up = opaque;
    g_autoptr(GError) error = NULL;

    if (up->conn != conn)
        return;
    mv_error_set(&error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                 "connection to %s closed", route_daemons[up->route]);
    proxy_upstream_failed(up, error);
}

static void
proxy_send_internal(Upstream *up, int proc, xdrproc_t filter, void *args,
                    const MvMessage *raw)
{
    MvMessage *msg;
    static guint32 counter;

    if (raw) {
        /* A copy of the client's packet under our own serial. */
        msg = mv_message_new();
        msg->buffer = g_memdup2(raw->buffer, raw->buffer_length);
        msg->buffer_alloc = msg->buffer_length = raw->buffer_length;
        msg->header = raw->header;
        mv_message_put_u32(msg->buffer + 20, PROXY_SERIAL_BASE + (counter++ % 0x800));
    } else {
        MvMessageHeader hdr = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, MV_NET_CALL,
                                PROXY_SERIAL_BASE + 0x800 + (counter++ % 0x800), MV_NET_OK };

        msg = mv_message_new();
        if (!mv_message_encode_header(msg, &hdr, NULL) ||
            !mv_message_encode_payload(msg, filter, args, NULL)) {
            mv_message_free(msg);
            return;
        }
    }
    up->internal_pending++;
    mv_rpc_conn_send(up->conn, msg);
}

/* Tell the daemon who the client really is. */
static void
proxy_send_identity(Upstream *up)
{
    ProxyClient *pc = up->pc;
    remote_connect_set_identity_args args = { 0 };
    MvIdentity ident = { 0 };
    TypedParams tp;

    mv_server_client_get_identity(pc->client, &ident);
    typed_params_init(&tp);
    if (ident.user_name)
        typed_params_add_string(&tp, "user-name", ident.user_name);
    typed_params_add_ullong(&tp, "unix-user-id", ident.uid);
    if (ident.group_name)
        typed_params_add_string(&tp, "group-name", ident.group_name);
    typed_params_add_ullong(&tp, "unix-group-id", ident.gid);
    typed_params_add_llong(&tp, "process-id", ident.pid);
    typed_params_add_ullong(&tp, "process-time", ident.process_time);
    typed_params_steal(&tp, &args.params.params_val, &args.params.params_len);
    proxy_send_internal(up, REMOTE_PROC_CONNECT_SET_IDENTITY,
                        (xdrproc_t)xdr_remote_connect_set_identity_args, &args, NULL);
    xdr_free((xdrproc_t)xdr_remote_connect_set_identity_args, (char *)&args);
    typed_params_clear(&tp);
    mv_identity_clear(&ident);
}

typedef struct {
    ProxyClient *pc;
    int route;
    char *path;
    char *log_path;
    gboolean privileged;
} ConnectJob;

static void
connect_job_free(gpointer p)
{
    ConnectJob *job = p;

    proxy_client_unref(job->pc);
    g_free(job->path);
    g_free(job->log_path);
    g_free(job);
}

static void
proxy_connect_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    ConnectJob *job = data;
    const char *args[] = { "--timeout", "120", job->privileged ? "--system" : "--session",
                           NULL };
    GError *error = NULL;
    int fd = mv_rpc_socket_connect_autostart(job->path, route_daemons[job->route], args,
                                             job->log_path, &error);

    if (fd < 0)
        g_task_return_error(task, error);
    else
        g_task_return_int(task, fd);
}

static void
proxy_connect_done(GObject *source, GAsyncResult *res, gpointer data)
{
    ConnectJob *job = data;
    ProxyClient *pc = job->pc;
    Upstream *up = &pc->up[job->route];
    g_autoptr(GError) error = NULL;
    int fd = g_task_propagate_int(G_TASK(res), &error);

    if (pc->closed || up->state != UP_CONNECTING) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd < 0) {
        g_prefix_error(&error, "cannot reach %s: ", route_daemons[job->route]);
        proxy_upstream_failed(up, error);
        return;
    }
    up->conn = mv_rpc_conn_new(fd, g_main_context_default());
    mv_rpc_conn_set_callbacks(up->conn, proxy_upstream_recv, proxy_upstream_closed, up);
    mv_rpc_conn_start(up->conn);
    up->state = UP_OPENING;
    proxy_send_identity(up);
    /* The primary daemon gets the client's own CONNECT_OPEN in order; the
     * others a replay of it. */
    if (job->route != MV_ROUTE_QEMU && pc->open_msg)
        proxy_send_internal(up, 0, NULL, NULL, pc->open_msg);
}

static void
proxy_upstream_start(Upstream *up)
{
    ProxyClient *pc = up->pc;
    RemoteDaemon *rd = pc->rd;
    gboolean ro = mv_server_client_is_readonly(pc->client);
    g_autofree char *name = g_strdup_printf("%s-%s", route_daemons[up->route],
                                            ro ? "sock-ro" : "sock");
    g_autofree char *log = g_strdup_printf("%s.log", route_daemons[up->route]);
    ConnectJob *job = g_new0(ConnectJob, 1);
    g_autoptr(GTask) task = NULL;

    job->pc = proxy_client_ref(pc);
    job->route = up->route;
    job->path = g_build_filename(rd->paths->sock_dir, name, NULL);
    job->log_path = g_build_filename(rd->paths->log_dir, log, NULL);
    job->privileged = rd->privileged;
    up->state = UP_CONNECTING;
    task = g_task_new(NULL, NULL, proxy_connect_done, job);
    g_task_set_task_data(task, job, connect_job_free);
    g_task_run_in_thread(task, proxy_connect_thread);
}

static void
proxy_forward(ProxyClient *pc, int route, MvMessage *msg)
{
    Upstream *up = &pc->up[route];

    switch (up->state) {
    case UP_READY:
        mv_rpc_conn_send(up->conn, msg);
        return;
    case UP_NONE:
        g_queue_push_tail(&up->pending, msg);
        proxy_upstream_start(up);
        return;
    case UP_CONNECTING:
    case UP_OPENING:
    default:
        g_queue_push_tail(&up->pending, msg);
        return;
    }
}

/* CONNECT_SUPPORTS_FEATURE for keepalive is ours: the proxy pings. */
static gboolean
proxy_handle_keepalive_feature(ProxyClient *pc, MvMessage *msg)
{
    gsize len;
    const guint8 *payload = mv_message_payload(msg, &len);
    MvMessage *reply;
    MvMessageHeader hdr;
    guint8 one[4];

    if (len != 4 || (gint32)mv_message_get_u32(payload) != FEATURE_PROGRAM_KEEPALIVE)
        return FALSE;
    mv_server_client_start_keepalive(pc->client);
    hdr = msg->header;
    hdr.type = MV_NET_REPLY;
    hdr.status = MV_NET_OK;
    reply = mv_message_new();
    mv_message_encode_header(reply, &hdr, NULL);
    mv_message_put_u32(one, 1);
    mv_message_encode_payload_raw(reply, one, 4, NULL);
    mv_server_client_send(pc->client, reply);
    mv_message_free(msg);
    return TRUE;
}

static void
proxy_client_packet(MvServerClient *client, MvMessage *msg, gpointer opaque)
{
    ProxyClient *pc = mv_server_client_get_priv(client);
    int route = MV_ROUTE_QEMU;
    guint8 info = 0;

    if (msg->header.prog == REMOTE_PROGRAM && msg->header.proc >= 0 &&
        msg->header.proc < REMOTE_PROC_COUNT)
        info = remote_proc_routes[msg->header.proc];
    if (info & MV_ROUTE_KNOWN)
        route = info & MV_ROUTE_DRIVER_MASK;

    if (msg->header.type == MV_NET_CALL || msg->header.type == MV_NET_CALL_WITH_FDS) {
        if (mv_server_client_is_readonly(client) && (info & MV_ROUTE_WRITE) &&
            msg->header.prog == REMOTE_PROGRAM) {
            g_autoptr(GError) error = NULL;

            mv_error_set(&error, remote_proc_error_domain(msg->header.proc),
                         MV_ERR_OPERATION_DENIED, "read only access prevents %s",
                         remote_proc_api_name(msg->header.proc));
            proxy_reply_error(pc, &msg->header, error);
            mv_message_free(msg);
            return;
        }
        if (msg->header.prog == REMOTE_PROGRAM) {
            if (msg->header.proc == REMOTE_PROC_CONNECT_SUPPORTS_FEATURE &&
                proxy_handle_keepalive_feature(pc, msg))
                return;
            if (msg->header.proc == REMOTE_PROC_CONNECT_OPEN && !pc->open_msg) {
                pc->open_msg = mv_message_new();
                pc->open_msg->buffer = g_memdup2(msg->buffer, msg->buffer_length);
                pc->open_msg->buffer_alloc = pc->open_msg->buffer_length = msg->buffer_length;
                pc->open_msg->header = msg->header;
            }
        }
    }
    /* The daemon answers every packet but stream data with one reply. */
    if (msg->header.type != MV_NET_STREAM && msg->header.type != MV_NET_STREAM_HOLE)
        proxy_client_call_forwarded(pc);
    proxy_forward(pc, route, msg);
}

static gboolean
proxy_setup(RemoteDaemon *rd, GError **error)
{
    mv_server_set_opaque(rd->srv, rd);
    mv_server_set_client_priv(rd->srv, proxy_client_new, proxy_client_free);
    mv_server_set_raw_handler(rd->srv, proxy_client_packet, rd);
    return TRUE;
}

const MvDaemonDriver proxy_daemon_driver = {
    .name = "proxy",
    .setup = proxy_setup,
};
