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
 * stream packets come back unchanged, file descriptors included.  What
 * belongs to the proxy's own socket and RPC layer is answered here:
 * keepalive, AUTH_LIST, the RPC features of CONNECT_SUPPORTS_FEATURE, and
 * CONNECT_CLOSE when nothing is under way.  The proxy keeps no state beyond
 * its live connections.
 *
 * An upstream that cannot be had, or goes away, fails only the calls that
 * needed it: each gets an error reply and the client stays connected; the
 * next call for that daemon connects again (starting the daemon if need
 * be).  The exception is an upstream through which the client registered
 * events or a close callback, or has a stream open: what the daemon held for
 * it is gone, so the client's connection is closed, which is how a libvirt
 * client learns of it (its close callback runs).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "proxy/proxy-start.h"
#include "proxy/proxy.h"
#include "remote-names.h"
#include "remote-protocol.h"
#include "remote-routes.h"
#include "remote/remote-typed-params.h"
#include "util/error.h"

/* Serials of the calls the proxy makes itself on an upstream connection. */
#define PROXY_SERIAL_BASE 0xfffff000u
/* Output queued for one side beyond which the proxy stops reading the other
 * (resuming at half): a peer that reads slower than the other sends, stream
 * data above all, must not make the proxy hold the difference. */
#define PROXY_QUEUE_HIGH (4 * 1024 * 1024)
/* VIR_DRV_FEATURE_*: those of the RPC layer, answered by the proxy. */
#define FEATURE_FD_PASSING 8
#define FEATURE_PROGRAM_KEEPALIVE 10
#define FEATURE_REMOTE_EVENT_CALLBACK 14
#define FEATURE_REMOTE_CLOSE_CALLBACK 15

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
    guint attempt;            /* bumped by every reset: spots stale connects */
    MvRpcConn *conn;
    GQueue pending;           /* client packets waiting for the upstream */
    gsize pending_bytes;      /* their size: above PROXY_QUEUE_HIGH, holding_client */
    GArray *awaiting;         /* MvMessageHeader of packets not answered yet */
    guint internal_pending;   /* our own calls not answered yet */
    gboolean open_queued;     /* the client's own CONNECT_OPEN went this way */
    guint registrations;      /* events and close callbacks registered */
    GArray *streams;          /* guint32 serials of the streams open */
    gboolean held;            /* not read: the client is slow to read */
    gboolean holding_client;  /* the client not read: this daemon is slow */
} Upstream;

struct _ProxyClient {
    gint ref;
    RemoteDaemon *rd;
    MvServerClient *client;   /* borrowed: the client owns us */
    gboolean closed;
    gboolean closing;         /* CONNECT_CLOSE answered: the rest is ignored */
    MvMessage *open_msg;      /* the client's CONNECT_OPEN, for replays */
    gboolean open_ok;         /* mvqemud accepted it */
    guint inflight;           /* packets forwarded and not answered yet */
    gboolean throttled;       /* reading the client paused because of them */
    gboolean upstreams_held;  /* its upstreams not read: it is slow to read */
    Upstream up[MV_ROUTE_LAST];
};

typedef struct {
    ProxyClient *pc;
    int route;
    guint attempt;
} ConnectRequest;

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
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        g_array_unref(pc->up[i].awaiting);
        g_array_unref(pc->up[i].streams);
    }
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
        pc->up[i].awaiting = g_array_new(FALSE, FALSE, sizeof(MvMessageHeader));
        pc->up[i].streams = g_array_new(FALSE, FALSE, sizeof(guint32));
    }
    return pc;
}

/* The routing flags of a packet's procedure (0: not one we know). */
static guint
proxy_proc_info(const MvMessageHeader *hdr)
{
    if (hdr->prog == REMOTE_PROGRAM && hdr->proc >= 0 && hdr->proc < REMOTE_PROC_COUNT)
        return remote_proc_routes[hdr->proc];
    return 0;
}

static gboolean
proxy_is_call(const MvMessageHeader *hdr)
{
    return hdr->type == MV_NET_CALL || hdr->type == MV_NET_CALL_WITH_FDS;
}

static gboolean
proxy_is_reply(const MvMessageHeader *hdr)
{
    return hdr->type == MV_NET_REPLY || hdr->type == MV_NET_REPLY_WITH_FDS;
}

/* Forget the upstream connection and what went through it.  The calls it
 * was to answer must have been answered (or the client be gone). */
static void
proxy_upstream_reset(Upstream *up)
{
    MvMessage *msg;

    while ((msg = g_queue_pop_head(&up->pending)))
        mv_message_free(msg);
    up->pending_bytes = 0;
    if (up->conn) {
        mv_rpc_conn_set_callbacks(up->conn, NULL, NULL, NULL);
        mv_rpc_conn_close(up->conn);
        mv_rpc_conn_unref(up->conn);
        up->conn = NULL;
    }
    g_array_set_size(up->awaiting, 0);
    g_array_set_size(up->streams, 0);
    up->held = FALSE;
    if (up->holding_client) {
        up->holding_client = FALSE;
        if (up->pc->client)
            mv_rpc_conn_resume(mv_server_client_get_conn(up->pc->client));
    }
    up->internal_pending = 0;
    up->registrations = 0;
    up->open_queued = FALSE;
    up->state = UP_NONE;
    up->attempt++;
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

/* ---- back-pressure ------------------------------------------------------ */

static void
proxy_client_drained(MvRpcConn *conn, gpointer opaque)
{
    ProxyClient *pc = opaque;

    pc->upstreams_held = FALSE;
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        Upstream *up = &pc->up[i];

        if (up->held) {
            up->held = FALSE;
            if (up->conn)
                mv_rpc_conn_resume(up->conn);
        }
    }
}

/* To the client.  One that reads slower than its daemons send (a download
 * it does not read) stops the proxy reading them: the data waits in the
 * daemon, which blocks its sender, and not here. */
static void
proxy_client_send(ProxyClient *pc, MvMessage *msg)
{
    MvRpcConn *conn;

    if (pc->closed || !pc->client) {
        mv_message_free(msg);
        return;
    }
    conn = mv_server_client_get_conn(pc->client);
    mv_rpc_conn_send(conn, msg);
    if (pc->upstreams_held || mv_rpc_conn_queued_bytes(conn) <= PROXY_QUEUE_HIGH)
        return;
    pc->upstreams_held = TRUE;
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        Upstream *up = &pc->up[i];

        if (up->conn && !up->held) {
            up->held = TRUE;
            mv_rpc_conn_pause(up->conn);
        }
    }
    mv_rpc_conn_notify_drained(conn, PROXY_QUEUE_HIGH / 2, proxy_client_drained, pc);
}

static void
proxy_upstream_drained(MvRpcConn *conn, gpointer opaque)
{
    Upstream *up = opaque;

    if (!up->holding_client)
        return;
    up->holding_client = FALSE;
    if (up->pc->client)
        mv_rpc_conn_resume(mv_server_client_get_conn(up->pc->client));
}

/* To the daemon.  A daemon that reads slower than the client sends (an
 * upload to slow storage) stops the proxy reading the client. */
static void
proxy_upstream_send(Upstream *up, MvMessage *msg)
{
    ProxyClient *pc = up->pc;

    mv_rpc_conn_send(up->conn, msg);
    if (up->holding_client || !pc->client ||
        mv_rpc_conn_queued_bytes(up->conn) <= PROXY_QUEUE_HIGH)
        return;
    up->holding_client = TRUE;
    mv_rpc_conn_pause(mv_server_client_get_conn(pc->client));
    mv_rpc_conn_notify_drained(up->conn, PROXY_QUEUE_HIGH / 2, proxy_upstream_drained, up);
}

static void
proxy_reply_error(ProxyClient *pc, const MvMessageHeader *hdr, const GError *error)
{
    MvMessage *reply;

    if (pc->closed || !pc->client || !proxy_is_call(hdr))
        return;
    reply = mv_message_new_error_reply(hdr, MV_NET_REPLY, error);
    if (reply)
        proxy_client_send(pc, reply);
}

/* ---- calls in flight ------------------------------------------------------ */

/* As a daemon does, stop reading a client that has max_client_requests
 * calls in progress: what it sends would otherwise pile up in the queue to
 * a daemon that reads no faster than it answers. */
static void
proxy_track(Upstream *up, const MvMessageHeader *hdr)
{
    ProxyClient *pc = up->pc;
    MvServer *srv = mv_server_client_get_server(pc->client);

    g_array_append_val(up->awaiting, *hdr);
    pc->inflight++;
    if (!pc->throttled && pc->inflight >= mv_server_get_max_client_requests(srv)) {
        pc->throttled = TRUE;
        mv_rpc_conn_pause(mv_server_client_get_conn(pc->client));
    }
}

static void
proxy_answered(ProxyClient *pc)
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

/* The packet @reply answers, taken off the list; FALSE if none. */
static gboolean
proxy_untrack(Upstream *up, const MvMessageHeader *reply, MvMessageHeader *call)
{
    for (guint i = 0; i < up->awaiting->len; i++) {
        MvMessageHeader *h = &g_array_index(up->awaiting, MvMessageHeader, i);

        if (h->serial == reply->serial && h->proc == reply->proc && h->prog == reply->prog) {
            *call = *h;
            g_array_remove_index(up->awaiting, i);
            proxy_answered(up->pc);
            return TRUE;
        }
    }
    return FALSE;
}

/* Every packet still waiting for this upstream's answer gets @error. */
static void
proxy_upstream_fail_calls(Upstream *up, const GError *error)
{
    g_autoptr(GArray) awaiting = up->awaiting;

    up->awaiting = g_array_new(FALSE, FALSE, sizeof(MvMessageHeader));
    for (guint i = 0; i < awaiting->len; i++) {
        proxy_reply_error(up->pc, &g_array_index(awaiting, MvMessageHeader, i), error);
        proxy_answered(up->pc);
    }
}

/* What the daemon now holds for the client, from the answer to @call. */
static void
proxy_note_answer(Upstream *up, const MvMessageHeader *call, const MvMessageHeader *reply)
{
    ProxyClient *pc = up->pc;
    guint info = proxy_proc_info(call);

    /* An open that mvqemud refused is not replayed to the other daemons;
     * once one was accepted, nothing changes the replayed one. */
    if (call->prog == REMOTE_PROGRAM && call->proc == REMOTE_PROC_CONNECT_OPEN &&
        !pc->open_ok) {
        if (reply->status == MV_NET_OK)
            pc->open_ok = TRUE;
        else if (pc->open_msg && pc->open_msg->header.serial == call->serial)
            g_clear_pointer(&pc->open_msg, mv_message_free);
    }

    if (reply->status != MV_NET_OK)
        return;
    if (info & MV_ROUTE_STREAM) {
        g_array_append_val(up->streams, call->serial);
        /* Bulk data both ways: whole packets per write. */
        mv_rpc_conn_set_bulk(up->conn);
        if (up->pc->client)
            mv_rpc_conn_set_bulk(mv_server_client_get_conn(up->pc->client));
    }
    if (info & MV_ROUTE_REGISTER)
        up->registrations++;
    if ((info & MV_ROUTE_DEREGISTER) && up->registrations > 0)
        up->registrations--;
}

/* A stream packet from the daemon: all but data and holes end the stream. */
static void
proxy_note_stream(Upstream *up, const MvMessageHeader *hdr)
{
    if (hdr->status == MV_NET_CONTINUE)
        return;
    for (guint i = 0; i < up->streams->len; i++) {
        if (g_array_index(up->streams, guint32, i) == hdr->serial) {
            g_array_remove_index_fast(up->streams, i);
            return;
        }
    }
}

/* ---- losing an upstream ------------------------------------------------- */

/*
 * The upstream could not be opened, or went away: the calls that were for
 * it fail with @error, and the next one connects again.  Unless the daemon
 * held state for the client (events, close callback, streams): then the
 * client's connection is closed once those errors are written.
 */
static void
proxy_upstream_lost(Upstream *up, const GError *error)
{
    ProxyClient *pc = up->pc;
    gboolean had_state = up->registrations > 0 || up->streams->len > 0;
    guint64 id = pc->client ? mv_server_client_get_id(pc->client) : 0;

    g_warning("client %" G_GUINT64_FORMAT ": lost %s (%u calls waiting): %s", id,
              route_daemons[up->route], up->awaiting->len, error->message);
    proxy_upstream_fail_calls(up, error);
    proxy_upstream_reset(up);
    if (had_state && pc->client && !pc->closed) {
        g_warning("client %" G_GUINT64_FORMAT ": closing it, it had events or streams through %s",
                  id, route_daemons[up->route]);
        mv_rpc_conn_close_after_flush(mv_server_client_get_conn(pc->client));
    }
}

/* ---- the upstream connection ----------------------------------------------- */

static void
proxy_upstream_flush(Upstream *up)
{
    /* The client held back because too much waited here: sending may hold
     * it again, until the daemon reads (proxy_upstream_send()). */
    gboolean held = up->holding_client;
    MvMessage *msg;

    up->holding_client = FALSE;
    while ((msg = g_queue_pop_head(&up->pending)))
        proxy_upstream_send(up, msg);
    up->pending_bytes = 0;
    if (held && up->pc->client)
        mv_rpc_conn_resume(mv_server_client_get_conn(up->pc->client));
}

/* The answer to our identity or open replay. */
static void
proxy_upstream_internal_reply(Upstream *up, MvMessage *msg)
{
    if (msg->header.status != MV_NET_OK) {
        g_autoptr(GError) error = NULL;

        mv_message_decode_error(msg, &error);
        mv_message_free(msg);
        proxy_upstream_lost(up, error);
        return;
    }
    mv_message_free(msg);
    if (--up->internal_pending == 0) {
        up->state = UP_READY;
        proxy_upstream_flush(up);
    }
}

static void
proxy_upstream_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque)
{
    Upstream *up = opaque;
    ProxyClient *pc = up->pc;
    MvMessageHeader call;

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
     * back until the upstream is ready (but its own CONNECT_OPEN, sent right
     * after ours, answered after them: the daemon answers these in order),
     * so while it is opening every reply answers one of our own calls, and
     * afterwards none does. */
    if (proxy_is_reply(&msg->header) && up->state == UP_OPENING && up->internal_pending > 0) {
        proxy_upstream_internal_reply(up, msg);
        return;
    }
    if (proxy_is_reply(&msg->header) && proxy_untrack(up, &msg->header, &call))
        proxy_note_answer(up, &call, &msg->header);
    else if (msg->header.type == MV_NET_STREAM || msg->header.type == MV_NET_STREAM_HOLE)
        proxy_note_stream(up, &msg->header);
    proxy_client_send(pc, msg);
}

static void
proxy_upstream_closed(MvRpcConn *conn, gpointer opaque)
{
    Upstream *up = opaque;
    g_autoptr(GError) error = NULL;

    if (up->conn != conn)
        return;
    /* libvirt's remote driver words a call on a lost connection so. */
    mv_error_set(&error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                 "client socket is closed (the connection to %s was lost)",
                 route_daemons[up->route]);
    proxy_upstream_lost(up, error);
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

/*
 * Connected: identity first, then the open, then the client's packets.
 * The identity and the open go together, without waiting: the daemon
 * answers them in order, and a refused identity fails the open with it.
 * The client's other packets wait for the answers, so that a daemon which
 * refuses the connection never sees them.
 */
static void
proxy_upstream_attach(Upstream *up, int fd)
{
    ProxyClient *pc = up->pc;
    MvMessage *head;

    up->conn = mv_rpc_conn_new(fd, g_main_context_default());
    mv_rpc_conn_set_callbacks(up->conn, proxy_upstream_recv, proxy_upstream_closed, up);
    mv_rpc_conn_start(up->conn);
    up->state = UP_OPENING;
    /* The client is slow to read what its other daemons sent: this one
     * waits too (proxy_client_drained() resumes it). */
    if (pc->upstreams_held) {
        up->held = TRUE;
        mv_rpc_conn_pause(up->conn);
    }
    /* One write for all of it. */
    mv_rpc_conn_cork(up->conn);
    proxy_send_identity(up);
    /* The client's own CONNECT_OPEN, when it is among the packets held
     * back, opens the connection; otherwise a replay of it does (always on
     * the other daemons, on mvqemud when this is a reconnection). */
    head = g_queue_peek_head(&up->pending);
    if (pc->open_msg && !up->open_queued)
        proxy_send_internal(up, 0, NULL, NULL, pc->open_msg);
    else if (head && head->header.prog == REMOTE_PROGRAM &&
             head->header.proc == REMOTE_PROC_CONNECT_OPEN && proxy_is_call(&head->header))
        proxy_upstream_send(up, g_queue_pop_head(&up->pending));
    mv_rpc_conn_uncork(up->conn);
}

static void
proxy_upstream_connected(int fd, const GError *error, gpointer opaque)
{
    ConnectRequest *req = opaque;
    ProxyClient *pc = req->pc;
    Upstream *up = &pc->up[req->route];

    if (pc->closed || up->state != UP_CONNECTING || up->attempt != req->attempt) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd < 0) {
        proxy_upstream_lost(up, error);
        return;
    }
    proxy_upstream_attach(up, fd);
}

static void
connect_request_free(gpointer p)
{
    ConnectRequest *req = p;

    proxy_client_unref(req->pc);
    g_free(req);
}

static void
proxy_upstream_start(Upstream *up)
{
    ProxyClient *pc = up->pc;
    RemoteDaemon *rd = pc->rd;
    gboolean ro = mv_server_client_is_readonly(pc->client);
    const char *daemon = route_daemons[up->route];
    g_autofree char *name = g_strdup_printf("%s-%s", daemon, ro ? "sock-ro" : "sock");
    g_autofree char *log = g_strdup_printf("%s.log", daemon);
    g_autofree char *rw_name = g_strdup_printf("%s-sock", daemon);
    g_autofree char *path = g_build_filename(rd->paths->sock_dir, name, NULL);
    g_autofree char *rw_path = g_build_filename(rd->paths->sock_dir, rw_name, NULL);
    g_autofree char *log_path = g_build_filename(rd->paths->log_dir, log, NULL);
    ProxyDaemonSpec spec = { daemon, path, rw_path, log_path, rd->privileged };
    ConnectRequest *req = g_new0(ConnectRequest, 1);

    req->pc = proxy_client_ref(pc);
    req->route = up->route;
    req->attempt = up->attempt;
    up->state = UP_CONNECTING;
    proxy_daemon_connect(&spec, proxy_upstream_connected, req, connect_request_free);
}

/* ---- the client's packets -------------------------------------------------- */

static void
proxy_forward(ProxyClient *pc, int route, MvMessage *msg)
{
    Upstream *up = &pc->up[route];

    /* The daemon answers every packet but stream data with one reply. */
    if (msg->header.type != MV_NET_STREAM && msg->header.type != MV_NET_STREAM_HOLE)
        proxy_track(up, &msg->header);
    if (msg->header.prog == REMOTE_PROGRAM && msg->header.proc == REMOTE_PROC_CONNECT_OPEN &&
        proxy_is_call(&msg->header))
        up->open_queued = TRUE;
    if (up->state == UP_READY) {
        proxy_upstream_send(up, msg);
        return;
    }
    g_queue_push_tail(&up->pending, msg);
    up->pending_bytes += msg->buffer_length;
    /* Stream data is not answered, so the count of calls in flight does
     * not bound it: stop reading the client until the daemon is there. */
    if (!up->holding_client && up->pending_bytes > PROXY_QUEUE_HIGH) {
        up->holding_client = TRUE;
        mv_rpc_conn_pause(mv_server_client_get_conn(pc->client));
    }
    if (up->state == UP_NONE)
        proxy_upstream_start(up);
}

/* A reply to the client's call @hdr, with @len bytes of XDR. */
static void
proxy_reply_local(ProxyClient *pc, const MvMessageHeader *call, const void *payload, gsize len)
{
    MvMessageHeader hdr = *call;
    MvMessage *reply = mv_message_new();

    hdr.type = MV_NET_REPLY;
    hdr.status = MV_NET_OK;
    mv_message_encode_header(reply, &hdr, NULL);
    mv_message_encode_payload_raw(reply, payload, len, NULL);
    proxy_client_send(pc, reply);
}

/*
 * CONNECT_SUPPORTS_FEATURE for the features of the RPC layer is ours, as
 * in libvirt's daemons (the driver is asked about the others): keepalive
 * (the proxy pings), fd passing (it forwards fds), event and close
 * callbacks (it forwards them).  The daemons answer the same.
 */
static gboolean
proxy_handle_feature(ProxyClient *pc, MvMessage *msg)
{
    gsize len;
    const guint8 *payload = mv_message_payload(msg, &len);
    guint8 one[4];

    if (len != 4)
        return FALSE;
    switch ((gint32)mv_message_get_u32(payload)) {
    case FEATURE_PROGRAM_KEEPALIVE:
        mv_server_client_start_keepalive(pc->client);
        break;
    case FEATURE_FD_PASSING:
    case FEATURE_REMOTE_EVENT_CALLBACK:
    case FEATURE_REMOTE_CLOSE_CALLBACK:
        break;
    default:
        return FALSE;
    }
    mv_message_put_u32(one, 1);
    proxy_reply_local(pc, &msg->header, one, sizeof(one));
    mv_message_free(msg);
    return TRUE;
}

/* AUTH_LIST: the authentication of the socket the client connected to,
 * the proxy's: none, as on every modvirt socket. */
static void
proxy_handle_auth_list(ProxyClient *pc, MvMessage *msg)
{
    guint8 none[8];

    mv_message_put_u32(none, 1);
    mv_message_put_u32(none + 4, REMOTE_AUTH_NONE);
    proxy_reply_local(pc, &msg->header, none, sizeof(none));
    mv_message_free(msg);
}

/* Is nothing of the client's under way through any upstream? */
static gboolean
proxy_client_idle(ProxyClient *pc)
{
    if (pc->inflight > 0)
        return FALSE;
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        Upstream *up = &pc->up[i];

        if ((up->state != UP_NONE && up->state != UP_READY) || up->pending.length > 0 ||
            up->streams->len > 0)
            return FALSE;
    }
    return TRUE;
}

/*
 * CONNECT_CLOSE with nothing under way: answered here, and the client
 * closed once the reply is out, as a daemon does.  Its upstream connections
 * are closed, which each daemon takes as the client going away (it drops
 * what it held for it, as after its own CONNECT_CLOSE).  With calls or
 * streams in flight it goes to mvqemud like any call, which answers it at
 * once and closes that connection; calls still running there then get the
 * proxy's "connection lost" error instead of their replies, which a libvirt
 * daemon would drop too (the client does not wait for them).
 */
static gboolean
proxy_handle_close(ProxyClient *pc, MvMessage *msg)
{
    if (!proxy_client_idle(pc))
        return FALSE;
    proxy_reply_local(pc, &msg->header, NULL, 0);
    mv_message_free(msg);
    pc->closing = TRUE;
    for (int i = 0; i < MV_ROUTE_LAST; i++) {
        if (pc->up[i].state == UP_READY)
            proxy_upstream_reset(&pc->up[i]);
    }
    mv_rpc_conn_close_after_flush(mv_server_client_get_conn(pc->client));
    return TRUE;
}

/* Calls answered here, without a daemon.  Returns TRUE if @msg was one
 * (and is consumed). */
static gboolean
proxy_handle_locally(ProxyClient *pc, MvMessage *msg, guint info)
{
    if (!proxy_is_call(&msg->header) || msg->header.prog != REMOTE_PROGRAM)
        return FALSE;
    if (mv_server_client_is_readonly(pc->client) && (info & MV_ROUTE_WRITE)) {
        g_autoptr(GError) error = NULL;

        mv_error_set(&error, remote_proc_error_domain(msg->header.proc),
                     MV_ERR_OPERATION_DENIED, "read only access prevents %s",
                     remote_proc_api_name(msg->header.proc));
        proxy_reply_error(pc, &msg->header, error);
        mv_message_free(msg);
        return TRUE;
    }
    switch (msg->header.proc) {
    case REMOTE_PROC_AUTH_LIST:
        proxy_handle_auth_list(pc, msg);
        return TRUE;
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
        return proxy_handle_feature(pc, msg);
    case REMOTE_PROC_CONNECT_CLOSE:
        return proxy_handle_close(pc, msg);
    case REMOTE_PROC_CONNECT_OPEN:
        /* Replayed from now on (a daemon connected before mvqemud answers
         * gets it too), unless mvqemud refuses it (proxy_note_answer()). */
        if (!pc->open_ok) {
            mv_message_free(pc->open_msg);
            pc->open_msg = mv_message_new();
            pc->open_msg->buffer = g_memdup2(msg->buffer, msg->buffer_length);
            pc->open_msg->buffer_alloc = pc->open_msg->buffer_length = msg->buffer_length;
            pc->open_msg->header = msg->header;
        }
        return FALSE;
    default:
        return FALSE;
    }
}

static void
proxy_client_packet(MvServerClient *client, MvMessage *msg, gpointer opaque)
{
    ProxyClient *pc = mv_server_client_get_priv(client);
    guint info = proxy_proc_info(&msg->header);
    int route = MV_ROUTE_QEMU;

    if (pc->closing) {
        /* Sent after its CONNECT_CLOSE: nobody reads the answers. */
        mv_message_free(msg);
        return;
    }
    if (info & MV_ROUTE_KNOWN)
        route = info & MV_ROUTE_DRIVER_MASK;
    if (proxy_handle_locally(pc, msg, info))
        return;
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
