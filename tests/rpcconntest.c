/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcconntest.c: a connection of src/rpc/conn.c whose reading is paused
 * (back-pressure) or gated (output piling up) still notices its peer
 * hanging up, on a socketpair.
 *
 * A hang-up makes poll() report HUP whatever events were asked for, so a
 * paused connection that ignored it would be woken again at once, forever.
 * Each test counts the main-loop iterations that dispatched something: a
 * closed connection, or one left idle, needs a handful; a spinning one
 * thousands.
 *
 * Also the drain notification (mv_rpc_conn_notify_drained) a sender uses to
 * stop feeding a slow peer and go on when it caught up.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/conn.h"
#include "rpctestconn.h"
#include "rpc/message.h"

/* More dispatches than this in one run is a busy loop. */
#define SPIN_LIMIT 100

typedef RpcTestConn Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    rpc_test_conn_open(f);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    rpc_test_conn_close(f);
}

static gboolean
on_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/*
 * Run the loop for @ms milliseconds, or until the connection closed when
 * @until_closed.  Returns how many iterations dispatched something other
 * than the timer.
 */
static guint
fixture_run(Fixture *f, guint ms, gboolean until_closed)
{
    gboolean expired = FALSE;
    GSource *timer = g_timeout_source_new(ms);
    guint busy = 0;

    g_source_set_callback(timer, on_timeout, &expired, NULL);
    g_source_attach(timer, f->ctx);
    while (!expired && !(until_closed && f->closed)) {
        if (g_main_context_iteration(f->ctx, TRUE) && !expired)
            busy++;
        if (busy > 100000)
            break;
    }
    g_source_destroy(timer);
    g_source_unref(timer);
    return busy;
}

static void
write_all(int fd, const void *data, gsize len)
{
    const guint8 *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

/* @count keepalive PINGs, back to back, in one write. */
static void
write_pings(int fd, guint count)
{
    g_autofree guint8 *buf = g_malloc0((gsize)count * MV_MESSAGE_MIN_LEN);

    for (guint i = 0; i < count; i++) {
        guint8 *pkt = buf + (gsize)i * MV_MESSAGE_MIN_LEN;

        mv_message_put_u32(pkt, MV_MESSAGE_MIN_LEN);
        mv_message_put_u32(pkt + 4, MV_KEEPALIVE_PROGRAM);
        mv_message_put_u32(pkt + 8, MV_KEEPALIVE_PROTOCOL_VERSION);
        mv_message_put_u32(pkt + 12, MV_KEEPALIVE_PROC_PING);
        mv_message_put_u32(pkt + 16, MV_NET_MESSAGE);
        mv_message_put_u32(pkt + 20, i);
    }
    write_all(fd, buf, (gsize)count * MV_MESSAGE_MIN_LEN);
}

static void
peer_hang_up(Fixture *f)
{
    close(f->peer);
    f->peer = -1;
}

/* Paused with nothing buffered: the hang-up closes the connection. */
static void
test_paused_hangup(Fixture *f, gconstpointer data)
{
    guint busy;

    mv_rpc_conn_pause(f->conn);
    fixture_run(f, 50, FALSE);
    peer_hang_up(f);
    busy = fixture_run(f, 3000, TRUE);
    g_assert_true(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
    g_assert_cmpuint(f->received->len, ==, 0);
}

/*
 * Paused after the peer sent more than it may deliver (the rest waits in
 * the receive buffer or the socket), then the peer hangs up: no packet is
 * delivered while paused, and the connection closes instead of spinning.
 * @data: how many packets the peer sends before hanging up.
 */
static void
test_paused_pending_hangup(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    guint busy;

    write_pings(f->peer, 1);
    fixture_run(f, 50, FALSE);
    g_assert_cmpuint(f->received->len, ==, 1);
    mv_rpc_conn_pause(f->conn);
    write_pings(f->peer, count);
    peer_hang_up(f);
    busy = fixture_run(f, 3000, TRUE);
    g_assert_true(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
    g_assert_cmpuint(f->received->len, ==, 1);
}

/* Paused while packets wait, peer still there: idle, and everything is
 * delivered once resumed. */
static void
test_paused_idle(Fixture *f, gconstpointer data)
{
    guint busy;

    mv_rpc_conn_pause(f->conn);
    write_pings(f->peer, 5);
    busy = fixture_run(f, 300, FALSE);
    g_assert_false(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
    g_assert_cmpuint(f->received->len, ==, 0);
    mv_rpc_conn_resume(f->conn);
    fixture_run(f, 300, FALSE);
    g_assert_false(f->closed);
    g_assert_cmpuint(f->received->len, ==, 5);
}

/* A peer that only shuts its writing side may still read replies: while
 * paused it is left alone (without spinning); once resumed its packets are
 * delivered, then the end of its input closes the connection. */
static void
test_paused_half_close(Fixture *f, gconstpointer data)
{
    guint busy;

    mv_rpc_conn_pause(f->conn);
    write_pings(f->peer, 3);
    g_assert_cmpint(shutdown(f->peer, SHUT_WR), ==, 0);
    busy = fixture_run(f, 300, FALSE);
    g_assert_false(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
    mv_rpc_conn_resume(f->conn);
    fixture_run(f, 3000, TRUE);
    g_assert_true(f->closed);
    g_assert_cmpuint(f->received->len, ==, 3);
}

/* Gated (a peer that does not read its replies), then gone. */
static void
test_gated_hangup(Fixture *f, gconstpointer data)
{
    guint busy;

    mv_rpc_conn_set_output_gate(f->conn, 64 * 1024);
    for (guint i = 0; i < 64 && mv_rpc_conn_queued_bytes(f->conn) < 1024 * 1024; i++) {
        MvMessage *msg = mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                               MV_KEEPALIVE_PROTOCOL_VERSION,
                                               MV_KEEPALIVE_PROC_PONG, MV_NET_MESSAGE, i,
                                               MV_NET_OK);
        guint8 filler[64 * 1024] = { 0 };

        g_assert_true(mv_message_encode_payload_raw(msg, filler, sizeof(filler), NULL));
        g_assert_true(mv_rpc_conn_send(f->conn, msg));
    }
    g_assert_cmpuint(mv_rpc_conn_queued_bytes(f->conn), >, 64 * 1024);
    write_pings(f->peer, 4);
    busy = fixture_run(f, 200, FALSE);
    g_assert_false(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
    peer_hang_up(f);
    busy = fixture_run(f, 3000, TRUE);
    g_assert_true(f->closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
}

/* Queue @count packets of 64 KiB (the peer reads nothing yet). */
static void
queue_big(Fixture *f, guint count)
{
    static guint8 filler[64 * 1024];

    for (guint i = 0; i < count; i++) {
        MvMessage *msg = mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                               MV_KEEPALIVE_PROTOCOL_VERSION,
                                               MV_KEEPALIVE_PROC_PONG, MV_NET_MESSAGE, i,
                                               MV_NET_OK);

        g_assert_true(mv_message_encode_payload_raw(msg, filler, sizeof(filler), NULL));
        g_assert_true(mv_rpc_conn_send(f->conn, msg));
    }
}

typedef struct {
    guint calls;
    gsize queued;             /* what was queued when it was called */
} Drained;

static void
on_drained(MvRpcConn *conn, gpointer opaque)
{
    Drained *d = opaque;

    d->calls++;
    d->queued = mv_rpc_conn_queued_bytes(conn);
}

/* Read what the peer has, without blocking.  Returns the bytes read. */
static gsize
peer_drain(Fixture *f)
{
    static guint8 buf[256 * 1024];
    gsize total = 0;
    ssize_t n;

    while ((n = recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
        total += n;
    return total;
}

/* Called once the peer has read enough, not before, and only once. */
static void
test_drain_notify(Fixture *f, gconstpointer data)
{
    Drained d = { 0 };
    gint64 end;

    queue_big(f, 16);
    g_assert_cmpuint(mv_rpc_conn_queued_bytes(f->conn), >, 512 * 1024);
    mv_rpc_conn_notify_drained(f->conn, 64 * 1024, on_drained, &d);
    fixture_run(f, 200, FALSE);
    g_assert_cmpuint(d.calls, ==, 0);
    end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (d.calls == 0 && g_get_monotonic_time() < end) {
        peer_drain(f);
        g_main_context_iteration(f->ctx, FALSE);
    }
    g_assert_cmpuint(d.calls, ==, 1);
    g_assert_cmpuint(d.queued, <=, 64 * 1024);
    queue_big(f, 16);
    fixture_run(f, 100, FALSE);
    while (peer_drain(f) > 0 || g_main_context_iteration(f->ctx, FALSE))
        ;
    g_assert_cmpuint(d.calls, ==, 1);
    g_assert_false(f->closed);
}

/* Already low: called from the loop, not from the request. */
static void
test_drain_notify_now(Fixture *f, gconstpointer data)
{
    Drained d = { 0 };

    mv_rpc_conn_notify_drained(f->conn, 0, on_drained, &d);
    g_assert_cmpuint(d.calls, ==, 0);
    fixture_run(f, 100, FALSE);
    g_assert_cmpuint(d.calls, ==, 1);
}

/* A connection that closes never calls it. */
static void
test_drain_notify_closed(Fixture *f, gconstpointer data)
{
    Drained d = { 0 };

    queue_big(f, 16);
    mv_rpc_conn_notify_drained(f->conn, 64 * 1024, on_drained, &d);
    mv_rpc_conn_close(f->conn);
    fixture_run(f, 300, TRUE);
    g_assert_true(f->closed);
    fixture_run(f, 100, FALSE);
    g_assert_cmpuint(d.calls, ==, 0);
}

/* A stream's connection lets the kernel hold several whole 256 KiB
 * packets: one 1 MiB write goes through without blocking, and the default
 * buffer (about 200 KiB) does not hold one. */
static void
test_bulk_sndbuf(Fixture *f, gconstpointer data)
{
    gsize len = 1024 * 1024;
    g_autofree guint8 *buf = g_malloc0(len);
    int fd = mv_rpc_conn_get_fd(f->conn);
    int after = 0;
    socklen_t sl = sizeof(int);

    mv_rpc_conn_set_bulk(f->conn);
    mv_rpc_conn_set_bulk(f->conn);
    g_assert_cmpint(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &after, &sl), ==, 0);
    g_assert_cmpint(after, >=, 1024 * 1024);
    g_assert_cmpint(send(fd, buf, 700 * 1024, MSG_DONTWAIT), ==, 700 * 1024);
}

#define ADD(path, data, func) \
    g_test_add(path, Fixture, data, fixture_setup, func, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    ADD("/rpc/conn/paused-hangup", NULL, test_paused_hangup);
    ADD("/rpc/conn/paused-pending-hangup/1", GUINT_TO_POINTER(1), test_paused_pending_hangup);
    ADD("/rpc/conn/paused-pending-hangup/2000", GUINT_TO_POINTER(2000),
        test_paused_pending_hangup);
    ADD("/rpc/conn/paused-idle", NULL, test_paused_idle);
    ADD("/rpc/conn/paused-half-close", NULL, test_paused_half_close);
    ADD("/rpc/conn/gated-hangup", NULL, test_gated_hangup);
    ADD("/rpc/conn/drain-notify", NULL, test_drain_notify);
    ADD("/rpc/conn/drain-notify-now", NULL, test_drain_notify_now);
    ADD("/rpc/conn/drain-notify-closed", NULL, test_drain_notify_closed);
    ADD("/rpc/conn/bulk-sndbuf", NULL, test_bulk_sndbuf);
    return g_test_run();
}
