/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/conn.h"
#include "rpc/poller.h"
#include "util/error.h"

#define CONN_BULK_SNDBUF (1024 * 1024)

#define RX_BUFFER_SIZE (16 * 1024)
/* What a queued packet costs beyond its buffer (struct, list link). */
#define MESSAGE_OVERHEAD 128
#define FD_QUEUE_MAX 64
/* Packets written by one sendmsg() at most. */
#define CONN_WRITE_IOV_MAX 32

struct _MvRpcConn {
    gint ref;
    GMutex lock;
    GCond drain;
    guint drain_waiters;     /* threads in mv_rpc_conn_wait_queue() */
    int fd;
    GMainContext *ctx;
    MvRpcPollerWatch *watch;
    GIOCondition events;

    gboolean closing;        /* no further I/O wanted; the loop will finish */
    gboolean bulk;           /* mv_rpc_conn_set_bulk() done */
    gboolean closed;         /* fd closed */
    gboolean close_after_flush;
    guint corked;            /* sends only queue (nests): see mv_rpc_conn_cork() */
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
    gsize out_event_bytes;   /* of which events (MvMessage.event) */

    /* Drain notification (mv_rpc_conn_notify_drained): under lock. */
    gsize drain_low;
    MvRpcConnDrainFunc drain_cb;
    gpointer drain_opaque;
    gboolean drain_due;      /* the queue is low: call it from the loop */

    /* The peer (SO_PEERCRED), read when first asked: under lock. */
    gboolean have_peer;
    uid_t uid;
    gid_t gid;
    pid_t pid;

    MvRpcConnRecvFunc recv_cb;
    MvRpcConnCloseFunc close_cb;
    gpointer opaque;
};

static void conn_watch_cb(MvRpcPollerWatch *watch, GIOCondition revents, gpointer opaque);

MvRpcConn *
mv_rpc_conn_new(int fd, GMainContext *ctx)
{
    MvRpcConn *conn = g_new0(MvRpcConn, 1);
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
    if (flags >= 0 && !(flags & O_NONBLOCK))
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return conn;
}

void
mv_rpc_conn_set_bulk(MvRpcConn *conn)
{
    int size = CONN_BULK_SNDBUF;

    /* A limit, not an allocation: it costs only while a slow reader leaves
     * data queued (the kernel doubles it for its bookkeeping). */
    g_mutex_lock(&conn->lock);
    /* NB: a closed connection's fd number may be another one's already. */
    if (!conn->bulk && !conn->closed) {
        conn->bulk = TRUE;
        setsockopt(conn->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    }
    g_mutex_unlock(&conn->lock);
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
    conn->out_event_bytes = 0;
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

    if (!conn->watch || conn->closed)
        return;
    if ((!conn->paused && !conn->gated) || conn->closing)
        want |= G_IO_IN;
    if (conn->outq.length > 0 && !conn->closing && !conn->corked)
        want |= G_IO_OUT;
    if (want != conn->events) {
        conn->events = want;
        mv_rpc_poller_watch_set_events(conn->watch, want);
    }
}

/* Have the loop run the connection's callback even if no event arrives.
 * Must hold the lock. */
static void
conn_wake_locked(MvRpcConn *conn)
{
    if (conn->watch)
        mv_rpc_poller_watch_wake(conn->watch);
}

void
mv_rpc_conn_start(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    conn->events = G_IO_IN;
    /* The watch owns a reference, dropped when it is destroyed. */
    conn->watch = mv_rpc_poller_watch_new(conn->ctx, conn->fd, conn->events, conn_watch_cb,
                                          mv_rpc_conn_ref(conn),
                                          (GDestroyNotify)mv_rpc_conn_unref);
    conn_update_events_locked(conn);
    g_mutex_unlock(&conn->lock);
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
    if (conn->drain_waiters)
        g_cond_broadcast(&conn->drain);
    if (conn->watch) {
        conn_update_events_locked(conn);
        /* Make sure the loop runs the close even if no event arrives. */
        conn_wake_locked(conn);
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
        conn_wake_locked(conn);
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
    conn_wake_locked(conn);
}

/* Send the bytes of the queued packets, from the head on, in one
 * sendmsg(): several packets when they are queued (a burst of replies, a
 * pipelined client), up to the first one carrying fds, whose fds must follow
 * its bytes.  Returns bytes written or -errno; @ret_asked: bytes tried.
 * Must hold the lock. */
static ssize_t
conn_write_bytes_locked(MvRpcConn *conn, gsize *ret_asked)
{
    struct iovec iov[CONN_WRITE_IOV_MAX];
    struct msghdr mh = { .msg_iov = iov };
    gsize asked = 0;
    ssize_t n;

    for (GList *l = conn->outq.head; l && mh.msg_iovlen < G_N_ELEMENTS(iov); l = l->next) {
        MvMessage *msg = l->data;

        iov[mh.msg_iovlen].iov_base = msg->buffer + msg->buffer_offset;
        iov[mh.msg_iovlen].iov_len = msg->buffer_length - msg->buffer_offset;
        asked += iov[mh.msg_iovlen].iov_len;
        mh.msg_iovlen++;
        if (msg->nfds > msg->donefds)
            break;
    }
    do {
        n = sendmsg(conn->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    *ret_asked = asked;
    return n < 0 ? -errno : n;
}

/* The head packet is written and sent its fds: drop it.  Must hold the
 * lock. */
static void
conn_pop_sent_locked(MvRpcConn *conn)
{
    MvMessage *msg = g_queue_pop_head(&conn->outq);

    conn->out_bytes -= msg->buffer_length;
    conn->out_weight -= msg->buffer_alloc + MESSAGE_OVERHEAD;
    if (msg->event)
        conn->out_event_bytes -= msg->buffer_length;
    mv_message_free(msg);
}

/* Send the fds of the head packet, one per sendmsg() with a dummy byte.
 * Returns 0 when all went, or -errno.  Must hold the lock. */
static int
conn_write_fds_locked(MvRpcConn *conn, MvMessage *msg)
{
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

        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &msg->fds[msg->donefds], sizeof(int));
        if (sendmsg(conn->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        msg->donefds++;
    }
    return 0;
}

/* Write as much of the queue as the socket takes.  Must hold the lock. */
static void
conn_flush_locked(MvRpcConn *conn)
{
    MvMessage *msg;

    while (!conn->closing && (msg = g_queue_peek_head(&conn->outq))) {
        int err;

        if (msg->buffer_offset < msg->buffer_length) {
            gsize asked;
            ssize_t n = conn_write_bytes_locked(conn, &asked);
            gboolean full = n >= 0 && (gsize)n < asked;

            if (n == -EAGAIN || n == -EWOULDBLOCK)
                break;
            if (n < 0) {
                g_debug("write failed on fd %d: %s", conn->fd, g_strerror((int)-n));
                conn_shutdown_locked(conn);
                return;
            }
            /* Account the bytes to the packets they came from; those done
             * and without fds go. */
            while ((msg = g_queue_peek_head(&conn->outq))) {
                gsize take = MIN((gsize)n, msg->buffer_length - msg->buffer_offset);

                msg->buffer_offset += take;
                n -= take;
                if (msg->buffer_offset < msg->buffer_length || msg->donefds < msg->nfds)
                    break;
                conn_pop_sent_locked(conn);
            }
            /* A short write: the socket is full, wait for it. */
            if (full)
                break;
            /* More packets than one sendmsg() took, or fds to send. */
            if (!msg || msg->buffer_offset < msg->buffer_length)
                continue;
        }
        err = conn_write_fds_locked(conn, msg);
        if (err == -EAGAIN || err == -EWOULDBLOCK)
            break;
        if (err < 0) {
            conn_shutdown_locked(conn);
            return;
        }
        conn_pop_sent_locked(conn);
    }
    conn_gate_update_locked(conn);
    conn_drain_check_locked(conn);
    /* NB: GLib's g_cond_broadcast() is a futex syscall even with nobody
     * waiting: only when someone does. */
    if (conn->outq.length == 0) {
        if (conn->drain_waiters)
            g_cond_broadcast(&conn->drain);
        if (conn->close_after_flush)
            conn_shutdown_locked(conn);
    } else if (conn->out_bytes < 256 * 1024 && conn->drain_waiters) {
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
    if (msg->event)
        conn->out_event_bytes += msg->buffer_length;
    if (conn->outq.length == 1 && !conn->corked) {
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
    if (!conn->paused)
        conn_wake_locked(conn);
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

gsize
mv_rpc_conn_queued_event_bytes(MvRpcConn *conn)
{
    gsize ret;

    g_mutex_lock(&conn->lock);
    ret = conn->out_event_bytes;
    g_mutex_unlock(&conn->lock);
    return ret;
}

gboolean
mv_rpc_conn_wait_queue(MvRpcConn *conn, gsize max)
{
    gboolean ret;

    g_mutex_lock(&conn->lock);
    conn->drain_waiters++;
    while (!conn->closing && conn->out_bytes > max)
        g_cond_wait(&conn->drain, &conn->lock);
    conn->drain_waiters--;
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
    g_mutex_lock(&conn->lock);
    if (!conn->have_peer && !conn->closed) {
        struct ucred cred;
        socklen_t len = sizeof(cred);

        /* The credentials of the peer when it connected: the same
         * whenever asked. */
        if (getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
            conn->uid = cred.uid;
            conn->gid = cred.gid;
            conn->pid = cred.pid;
        }
        conn->have_peer = TRUE;
    }
    g_mutex_unlock(&conn->lock);
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
    MvRpcPollerWatch *watch;
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
    if (conn->drain_waiters)
        g_cond_broadcast(&conn->drain);
    watch = g_steal_pointer(&conn->watch);
    g_mutex_unlock(&conn->lock);

    /* Before the fd is closed: it leaves the epoll set.  The watch's
     * reference is the caller's (the callback holds its own). */
    mv_rpc_poller_watch_destroy(watch);
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

void
mv_rpc_conn_cork(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    conn->corked++;
    g_mutex_unlock(&conn->lock);
}

void
mv_rpc_conn_uncork(MvRpcConn *conn)
{
    g_mutex_lock(&conn->lock);
    if (conn->corked > 0 && --conn->corked == 0 && conn->outq.length > 0 && !conn->closing)
        conn_flush_locked(conn);
    g_mutex_unlock(&conn->lock);
}

/* The watch's callback, on the context's thread.  The watch holds a
 * reference to the connection while it runs. */
static void
conn_watch_cb(MvRpcPollerWatch *watch, GIOCondition revents, gpointer opaque)
{
    MvRpcConn *conn = opaque;
    MvRpcConnDrainFunc drain_cb = NULL;
    gpointer drain_opaque = NULL;
    gboolean closing;
    gboolean ok = TRUE;

    g_mutex_lock(&conn->lock);
    closing = conn->closing;
    if (!closing && (revents & G_IO_OUT))
        conn_flush_locked(conn);
    closing = conn->closing;
    if (!closing && conn->drain_due) {
        drain_cb = g_steal_pointer(&conn->drain_cb);
        drain_opaque = conn->drain_opaque;
        conn->drain_due = FALSE;
    }
    g_mutex_unlock(&conn->lock);

    if (drain_cb)
        drain_cb(conn, drain_opaque);

    if (!closing) {
        /* What the packets read now make us send goes out in one write
         * once they are all handled (inline replies to pipelined calls). */
        mv_rpc_conn_cork(conn);
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
        mv_rpc_conn_uncork(conn);
        /* Closed meanwhile (a reply was the last word): finish now rather
         * than on another iteration. */
        g_mutex_lock(&conn->lock);
        closing = conn->closing;
        g_mutex_unlock(&conn->lock);
    }
    if (closing || !ok)
        conn_finish(conn);
}
