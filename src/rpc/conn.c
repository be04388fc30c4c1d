/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/conn.h"
#include "util/error.h"

#define RX_BUFFER_SIZE (16 * 1024)
/* What a queued packet costs beyond its buffer (struct, list link). */
#define MESSAGE_OVERHEAD 128
#define FD_QUEUE_MAX 64

typedef struct {
    GSource base;
    MvRpcConn *conn;
} ConnSource;

struct _MvRpcConn {
    gint ref;
    GMutex lock;
    GCond drain;
    int fd;
    GMainContext *ctx;
    GSource *source;
    gpointer tag;
    GIOCondition events;

    gboolean closing;        /* no further I/O wanted; the loop will finish */
    gboolean closed;         /* fd closed */
    gboolean close_after_flush;
    guint paused;
    gsize gate_limit;        /* stop reading while more output than this is queued */
    gboolean gated;

    /* Input: only touched on the context's thread. */
    guint8 *rx;
    gsize rx_len;
    gsize rx_off;
    guint8 lenbuf[4];
    guint lenfill;
    MvMessage *in;
    guint in_fds_left;
    GQueue fdq;              /* received fds, in arrival order */
    gint64 last_rx;

    /* Output: under lock. */
    GQueue outq;
    gsize out_bytes;
    gsize out_weight;        /* memory the queue holds, for the gate */

    /* Drain notification (mv_rpc_conn_notify_drained): under lock. */
    gsize drain_low;
    MvRpcConnDrainFunc drain_cb;
    gpointer drain_opaque;
    gboolean drain_due;      /* the queue is low: call it from the loop */

    uid_t uid;
    gid_t gid;
    pid_t pid;

    MvRpcConnRecvFunc recv_cb;
    MvRpcConnCloseFunc close_cb;
    gpointer opaque;
};

static gboolean conn_source_dispatch(GSource *source, GSourceFunc cb, gpointer data);
static void conn_source_finalize(GSource *source);

static GSourceFuncs conn_source_funcs = {
    .dispatch = conn_source_dispatch,
    .finalize = conn_source_finalize,
};

MvRpcConn *
mv_rpc_conn_new(int fd, GMainContext *ctx)
{
    MvRpcConn *conn = g_new0(MvRpcConn, 1);
    struct ucred cred;
    socklen_t len = sizeof(cred);
    int flags = fcntl(fd, F_GETFL);

    conn->ref = 1;
    g_mutex_init(&conn->lock);
    g_cond_init(&conn->drain);
    conn->fd = fd;
    conn->ctx = g_main_context_ref(ctx);
    g_queue_init(&conn->fdq);
    g_queue_init(&conn->outq);
    conn->uid = (uid_t)-1;
    conn->gid = (gid_t)-1;
    conn->pid = 0;
    conn->last_rx = g_get_monotonic_time();
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        conn->uid = cred.uid;
        conn->gid = cred.gid;
        conn->pid = cred.pid;
    }
    return conn;
}

MvRpcConn *
mv_rpc_conn_ref(MvRpcConn *conn)
{
    g_atomic_int_inc(&conn->ref);
    return conn;
}

static void
conn_drop_output_locked(MvRpcConn *conn)
{
    MvMessage *msg;

    while ((msg = g_queue_pop_head(&conn->outq)))
        mv_message_free(msg);
    conn->out_bytes = 0;
    conn->out_weight = 0;
}

void
mv_rpc_conn_unref(MvRpcConn *conn)
{
    int fd;

    if (!conn || !g_atomic_int_dec_and_test(&conn->ref))
        return;
    conn_drop_output_locked(conn);
    while ((fd = GPOINTER_TO_INT(g_queue_pop_head(&conn->fdq))) > 0)
        close(fd - 1);
    mv_message_free(conn->in);
    g_free(conn->rx);
    if (!conn->closed && conn->fd >= 0)
        close(conn->fd);
    g_main_context_unref(conn->ctx);
    g_mutex_clear(&conn->lock);
    g_cond_clear(&conn->drain);
    g_free(conn);
}

void
mv_rpc_conn_set_callbacks(MvRpcConn *conn, MvRpcConnRecvFunc recv_cb,
                          MvRpcConnCloseFunc close_cb, gpointer opaque)
{
    conn->recv_cb = recv_cb;
    conn->close_cb = close_cb;
    conn->opaque = opaque;
}

/* Must hold the lock. */
static void
conn_update_events_locked(MvRpcConn *conn)
{
    GIOCondition want = 0;

    if (!conn->source || conn->closed)
        return;
    if ((!conn->paused && !conn->gated) || conn->closing)
        want |= G_IO_IN;
    if (conn->outq.length > 0 && !conn->closing)
        want |= G_IO_OUT;
    if (want != conn->events) {
        conn->events = want;
        g_source_modify_unix_fd(conn->source, conn->tag, want);
    }
}

void
mv_rpc_conn_start(MvRpcConn *conn)
{
    ConnSource *src = (ConnSource *)g_source_new(&conn_source_funcs, sizeof(ConnSource));

    src->conn = mv_rpc_conn_ref(conn);
    g_mutex_lock(&conn->lock);
    conn->source = (GSource *)src;
    conn->events = G_IO_IN;
    conn->tag = g_source_add_unix_fd(conn->source, conn->fd, conn->events);
    conn_update_events_locked(conn);
    g_mutex_unlock(&conn->lock);
    g_source_attach(conn->source, conn->ctx);
}

static void
conn_shutdown_locked(MvRpcConn *conn)
{
    if (conn->closing)
        return;
    conn->closing = TRUE;
    if (conn->fd >= 0 && !conn->closed)
        shutdown(conn->fd, SHUT_RDWR);
    conn_drop_output_locked(conn);
    g_cond_broadcast(&conn->drain);
    if (conn->source) {
        conn_update_events_locked(conn);
        /* Make sure the loop runs the close even if no event arrives. */
        g_source_set_ready_time(conn->source, 0);
    }
}

/* Close or open the input gate after the output queue changed.  Must hold
 * the lock. */
static void
conn_gate_update_locked(MvRpcConn *conn)
{
    if (conn->gate_limit == 0)
        return;
    if (!conn->gated && conn->out_weight > conn->gate_limit) {
        conn->gated = TRUE;
    } else if (conn->gated && conn->out_weight <= conn->gate_limit / 2) {
        conn->gated = FALSE;
        /* Packets may be waiting in the receive buffer already. */
        if (conn->source)
            g_source_set_ready_time(conn->source, 0);
    }
}

/* Is the drain callback due now?  Then have the loop call it.  Must hold
 * the lock. */
static void
conn_drain_check_locked(MvRpcConn *conn)
{
    if (!conn->drain_cb || conn->drain_due || conn->out_bytes > conn->drain_low)
        return;
    conn->drain_due = TRUE;
    if (conn->source)
        g_source_set_ready_time(conn->source, 0);
}

/* Write as much of the queue as the socket takes.  Must hold the lock. */
static void
conn_flush_locked(MvRpcConn *conn)
{
    MvMessage *msg;

    while (!conn->closing && (msg = g_queue_peek_head(&conn->outq))) {
        if (msg->buffer_offset < msg->buffer_length) {
            ssize_t n = send(conn->fd, msg->buffer + msg->buffer_offset,
                             msg->buffer_length - msg->buffer_offset, MSG_NOSIGNAL | MSG_DONTWAIT);

            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                g_debug("write failed on fd %d: %s", conn->fd, g_strerror(errno));
                conn_shutdown_locked(conn);
                return;
            }
            msg->buffer_offset += n;
            if (msg->buffer_offset < msg->buffer_length)
                break;
        }
        while (msg->donefds < msg->nfds) {
            char dummy = 0;
            struct iovec iov = { &dummy, 1 };
            union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
            } u;
            struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
            };
            struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
            ssize_t n;

            cmsg->cmsg_level = SOL_SOCKET;
            cmsg->cmsg_type = SCM_RIGHTS;
            cmsg->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(cmsg), &msg->fds[msg->donefds], sizeof(int));
            n = sendmsg(conn->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    goto out;
                conn_shutdown_locked(conn);
                return;
            }
            msg->donefds++;
        }
        g_queue_pop_head(&conn->outq);
        conn->out_bytes -= msg->buffer_length;
        conn->out_weight -= msg->buffer_alloc + MESSAGE_OVERHEAD;
        mv_message_free(msg);
    }
 out:
    conn_gate_update_locked(conn);
    conn_drain_check_locked(conn);
    if (conn->outq.length == 0) {
        g_cond_broadcast(&conn->drain);
        if (conn->close_after_flush)
            conn_shutdown_locked(conn);
    } else if (conn->out_bytes < 256 * 1024) {
        g_cond_broadcast(&conn->drain);
    }
    conn_update_events_locked(conn);
}

gboolean
mv_rpc_conn_send(MvRpcConn *conn, MvMessage *msg)
{
    g_mutex_lock(&conn->lock);
    if (conn->closing || conn->close_after_flush) {
        g_mutex_unlock(&conn->lock);
        mv_message_free(msg);
        return FALSE;
    }
    msg->buffer_offset = 0;
    msg->donefds = 0;
    g_queue_push_tail(&conn->outq, msg);
    conn->out_bytes += msg->buffer_length;
    conn->out_weight += msg->buffer_alloc + MESSAGE_OVERHEAD;
    if (conn->outq.length == 1) {
        conn_flush_locked(conn);
    } else {
        conn_gate_update_locked(conn);
        conn_update_events_locked(conn);
    }
    g_mutex_unlock(&conn->lock);
    return TRUE;
}

void
mv_rpc_conn_pause(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    conn->paused++;
    conn_update_events_locked(conn);
    g_mutex_unlock(&conn->lock);
}

void
mv_rpc_conn_resume(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    if (conn->paused > 0)
        conn->paused--;
    conn_update_events_locked(conn);
    /* Packets may be waiting in the receive buffer already. */
    if (!conn->paused && conn->source)
        g_source_set_ready_time(conn->source, 0);
    g_mutex_unlock(&conn->lock);
}

gboolean
mv_rpc_conn_is_paused(MvRpcConn *conn)
{
    gboolean ret;

    g_mutex_lock(&conn->lock);
    ret = conn->paused > 0;
    g_mutex_unlock(&conn->lock);
    return ret;
}

void
mv_rpc_conn_close(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    conn_shutdown_locked(conn);
    g_mutex_unlock(&conn->lock);
}

void
mv_rpc_conn_close_after_flush(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    conn->close_after_flush = TRUE;
    if (conn->outq.length == 0)
        conn_shutdown_locked(conn);
    g_mutex_unlock(&conn->lock);
}

void
mv_rpc_conn_notify_drained(MvRpcConn *conn, gsize low, MvRpcConnDrainFunc func,
                           gpointer opaque)
{
    g_mutex_lock(&conn->lock);
    conn->drain_low = low;
    conn->drain_cb = func;
    conn->drain_opaque = opaque;
    conn->drain_due = FALSE;
    conn_drain_check_locked(conn);
    g_mutex_unlock(&conn->lock);
}

void
mv_rpc_conn_set_output_gate(MvRpcConn *conn, gsize limit)
{
    g_mutex_lock(&conn->lock);
    conn->gate_limit = limit;
    if (limit == 0)
        conn->gated = FALSE;
    conn_gate_update_locked(conn);
    conn_update_events_locked(conn);
    g_mutex_unlock(&conn->lock);
}

gboolean
mv_rpc_conn_is_closed(MvRpcConn *conn)
{
    gboolean ret;

    g_mutex_lock(&conn->lock);
    ret = conn->closing || conn->closed;
    g_mutex_unlock(&conn->lock);
    return ret;
}

gsize
mv_rpc_conn_queued_bytes(MvRpcConn *conn)
{
    gsize ret;

    g_mutex_lock(&conn->lock);
    ret = conn->out_bytes;
    g_mutex_unlock(&conn->lock);
    return ret;
}

gboolean
mv_rpc_conn_wait_queue(MvRpcConn *conn, gsize max)
{
    gboolean ret;

    g_mutex_lock(&conn->lock);
    while (!conn->closing && conn->out_bytes > max)
        g_cond_wait(&conn->drain, &conn->lock);
    ret = !conn->closing;
    g_mutex_unlock(&conn->lock);
    return ret;
}

int
mv_rpc_conn_get_fd(MvRpcConn *conn)
{
    return conn->fd;
}

void
mv_rpc_conn_get_peer(MvRpcConn *conn, uid_t *uid, gid_t *gid, pid_t *pid)
{
    if (uid)
        *uid = conn->uid;
    if (gid)
        *gid = conn->gid;
    if (pid)
        *pid = conn->pid;
}

gint64
mv_rpc_conn_last_rx(MvRpcConn *conn)
{
    return conn->last_rx;
}

/* Final close, on the context's thread. */
static void
conn_finish(MvRpcConn *conn)
{
    MvRpcConnCloseFunc cb;
    GSource *source;
    int fd;

    g_mutex_lock(&conn->lock);
    if (conn->closed) {
        g_mutex_unlock(&conn->lock);
        return;
    }
    conn->closing = TRUE;
    conn->closed = TRUE;
    conn->drain_cb = NULL;
    conn_drop_output_locked(conn);
    g_cond_broadcast(&conn->drain);
    source = g_steal_pointer(&conn->source);
    g_mutex_unlock(&conn->lock);

    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    while ((fd = GPOINTER_TO_INT(g_queue_pop_head(&conn->fdq))) > 0)
        close(fd - 1);
    close(conn->fd);
    cb = conn->close_cb;
    conn->close_cb = NULL;
    if (cb)
        cb(conn, conn->opaque);
}

static void
conn_receive_fds(MvRpcConn *conn, struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int fd;

            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            /* Stored +1 so that fd 0 is not a NULL pointer. */
            g_queue_push_tail(&conn->fdq, GINT_TO_POINTER(fd + 1));
        }
    }
}

/* Read once into @buf.  Returns bytes, 0 on EOF, -EAGAIN, or -errno. */
static ssize_t
conn_read(MvRpcConn *conn, guint8 *buf, gsize len)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * MV_NET_MESSAGE_NUM_FDS_MAX)];
        struct cmsghdr align;
    } u;
    struct iovec iov = { buf, len };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
    };
    ssize_t n;

    do {
        n = recvmsg(conn->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -errno;
    if (mh.msg_controllen > 0)
        conn_receive_fds(conn, &mh);
    if (n > 0)
        conn->last_rx = g_get_monotonic_time();
    return n;
}

/* The packet in conn->in is complete: decode its header and hand it over
 * (or start waiting for its fds).  Returns FALSE on a protocol error. */
static gboolean
conn_packet_done(MvRpcConn *conn)
{
    g_autoptr(GError) error = NULL;
    MvMessage *msg = conn->in;

    if (!mv_message_decode_header(msg, &error)) {
        g_debug("fd %d: %s", conn->fd, error->message);
        return FALSE;
    }
    if (msg->header.type == MV_NET_CALL_WITH_FDS || msg->header.type == MV_NET_REPLY_WITH_FDS) {
        if (msg->nfds == 0) {
            if (!mv_message_decode_num_fds(msg, &error)) {
                g_debug("fd %d: %s", conn->fd, error->message);
                return FALSE;
            }
            msg->donefds = 0;
            conn->in_fds_left = msg->nfds;
            if (conn->in_fds_left > 0)
                return TRUE;
        }
        msg->buffer_offset = MV_MESSAGE_MIN_LEN + 4;
    }
    conn->in = NULL;
    msg->donefds = 0;
    if (conn->recv_cb)
        conn->recv_cb(conn, msg, conn->opaque);
    else
        mv_message_free(msg);
    return TRUE;
}

/* Paused, gated or closing: no packet may be delivered now. */
static gboolean
conn_input_blocked(MvRpcConn *conn)
{
    gboolean ret;

    g_mutex_lock(&conn->lock);
    ret = conn->paused || conn->gated || conn->closing;
    g_mutex_unlock(&conn->lock);
    return ret;
}

/* Consume bytes from the receive buffer.  Returns FALSE on a protocol error. */
static gboolean
conn_process_rx(MvRpcConn *conn)
{
    while (conn->rx_off < conn->rx_len) {
        gsize avail = conn->rx_len - conn->rx_off;
        guint8 *p = conn->rx + conn->rx_off;

        if (conn_input_blocked(conn))
            return TRUE;

        if (conn->in && conn->in_fds_left > 0) {
            /* One dummy byte per fd; the fd came with it. */
            gpointer fdp = g_queue_pop_head(&conn->fdq);
            MvMessage *msg = conn->in;

            if (!fdp) {
                g_debug("fd %d: a dummy byte arrived without its file descriptor", conn->fd);
                return FALSE;
            }
            msg->fds[msg->donefds++] = GPOINTER_TO_INT(fdp) - 1;
            conn->in_fds_left--;
            conn->rx_off++;
            if (conn->in_fds_left == 0 && !conn_packet_done(conn))
                return FALSE;
            continue;
        }
        if (!conn->in) {
            guint32 len;
            gsize take = MIN(avail, 4 - conn->lenfill);

            memcpy(conn->lenbuf + conn->lenfill, p, take);
            conn->lenfill += take;
            conn->rx_off += take;
            if (conn->lenfill < 4)
                continue;
            conn->lenfill = 0;
            len = mv_message_get_u32(conn->lenbuf);
            /* Check before allocating anything. */
            if (len < MV_MESSAGE_MIN_LEN || len - MV_MESSAGE_LEN_LEN > MV_NET_MESSAGE_MAX) {
                g_debug("fd %d: bad packet length %u", conn->fd, len);
                return FALSE;
            }
            conn->in = mv_message_new();
            conn->in->buffer = g_malloc(len);
            conn->in->buffer_alloc = len;
            conn->in->buffer_length = len;
            memcpy(conn->in->buffer, conn->lenbuf, 4);
            conn->in->buffer_offset = 4;
            continue;
        } else {
            MvMessage *msg = conn->in;
            gsize take = MIN(avail, msg->buffer_length - msg->buffer_offset);

            memcpy(msg->buffer + msg->buffer_offset, p, take);
            msg->buffer_offset += take;
            conn->rx_off += take;
            if (msg->buffer_offset == msg->buffer_length && !conn_packet_done(conn))
                return FALSE;
        }
    }
    conn->rx_off = conn->rx_len = 0;
    return TRUE;
}

static gboolean
conn_do_read(MvRpcConn *conn)
{
    for (int round = 0; round < 8; round++) {
        ssize_t n;
        MvMessage *in = conn->in;

        if (g_queue_get_length(&conn->fdq) > FD_QUEUE_MAX) {
            g_debug("fd %d: too many unclaimed file descriptors", conn->fd);
            return FALSE;
        }
        if (in && conn->in_fds_left == 0 && conn->rx_off == conn->rx_len &&
            in->buffer_length - in->buffer_offset >= RX_BUFFER_SIZE &&
            !conn_input_blocked(conn)) {
            /* A large packet: read straight into it (it may complete it,
             * so not while input is blocked). */
            n = conn_read(conn, in->buffer + in->buffer_offset,
                          in->buffer_length - in->buffer_offset);
            if (n > 0) {
                in->buffer_offset += n;
                if (in->buffer_offset == in->buffer_length && !conn_packet_done(conn))
                    return FALSE;
                continue;
            }
        } else {
            if (!conn->rx)
                conn->rx = g_malloc(RX_BUFFER_SIZE);
            if (conn->rx_off < conn->rx_len)
                return conn_process_rx(conn);
            conn->rx_off = conn->rx_len = 0;
            n = conn_read(conn, conn->rx, RX_BUFFER_SIZE);
            if (n > 0) {
                conn->rx_len = n;
                if (!conn_process_rx(conn))
                    return FALSE;
                if ((gsize)n < RX_BUFFER_SIZE)
                    return TRUE;
                continue;
            }
        }
        if (n == -EAGAIN)
            return TRUE;
        return FALSE; /* EOF or error */
    }
    return TRUE;
}

static gboolean
conn_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    MvRpcConn *conn = ((ConnSource *)source)->conn;
    MvRpcConnDrainFunc drain_cb = NULL;
    GIOCondition revents;
    gboolean closing;
    gboolean ok = TRUE;

    mv_rpc_conn_ref(conn);
    g_source_set_ready_time(source, -1);
    g_mutex_lock(&conn->lock);
    revents = conn->tag ? g_source_query_unix_fd(source, conn->tag) : 0;
    closing = conn->closing;
    if (!closing && (revents & G_IO_OUT))
        conn_flush_locked(conn);
    closing = conn->closing;
    if (!closing && conn->drain_due) {
        drain_cb = g_steal_pointer(&conn->drain_cb);
        conn->drain_due = FALSE;
    }
    g_mutex_unlock(&conn->lock);

    if (drain_cb)
        drain_cb(conn, conn->drain_opaque);

    if (!closing) {
        /* Buffered packets first (after a resume), then the socket. */
        if (conn->rx_off < conn->rx_len)
            ok = conn_process_rx(conn);
        if (ok && (revents & (G_IO_HUP | G_IO_ERR)) && conn_input_blocked(conn)) {
            /* poll() reports a hang-up whatever we asked for: a paused or
             * gated connection would be woken for it again and again.  The
             * peer cannot read answers to what it left unread: close. */
            g_debug("fd %d: peer hung up while input is held back", conn->fd);
            ok = FALSE;
        } else if (ok && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
            ok = conn_do_read(conn);
        }
    }
    if (closing || !ok)
        conn_finish(conn);
    mv_rpc_conn_unref(conn);
    return G_SOURCE_CONTINUE;
}

/* The source owns a reference to the connection. */
static void
conn_source_finalize(GSource *source)
{
    mv_rpc_conn_unref(((ConnSource *)source)->conn);
}
