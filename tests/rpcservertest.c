/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcservertest.c: a server's clients (src/rpc/server.c), on socketpairs.
 *
 * Events sent to a client that does not read them are bounded: past
 * SERVER_CLIENT_EVENTS_MAX (8 MiB) of unread events the client is closed,
 * and what it had not read yet is dropped with it; one that reads as they
 * come never is, however many it gets.
 *
 * A reply whose strings a handler keeps in one block of its own
 * (mv_server_call_set_ret_owner()) is encoded from it, then the block is
 * freed once, whether the call succeeded or failed; a reply filled the
 * ordinary way by a handler that then fails is freed too.
 *
 * Stream data a client sends before the reply that opens its stream waits
 * for that reply, but only up to STREAM_EARLY_MAX (1 MiB): beyond, the
 * client is not read until the reply went out, then everything arrives.
 *
 * A call that closes its client after its reply (CONNECT_CLOSE) does so
 * after its own reply, even when another call of the client ends first.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/message.h"
#include "rpc/server.h"
#include "util/error.h"

#define EVENTS_MAX (8 * 1024 * 1024)
#define EVENT_TEXT 60000
#define TEST_PROGRAM 0x20008086
#define TEST_PROC 311

typedef struct {
    GMainContext *ctx;
    MvServer *srv;
    MvServerClient *client;       /* borrowed: the server's */
    int peer;
    char *text;
} Fixture;

/* ---- replies owned by the handler ---------------------------------------- */

#define OWNED_PROGRAM 0x7e570001
#define OWNED_TEXT "one block for all the strings"

typedef struct {
    char *message;                /* points at text */
    char *str1;                   /* points at text + 4 */
    char text[sizeof(OWNED_TEXT)];
} OwnedBlock;

static guint owned_freed;

static void
owned_block_free(gpointer data)
{
    owned_freed++;
    g_free(data);
}

/* proc 1: the reply's strings live in a block of the handler's; proc 2
 * sets that up too, then fails. */
static int
owned_proc(MvServerCall *call, void *args, void *ret_, GError **error)
{
    mv_net_message_error *ret = ret_;
    OwnedBlock *b = g_new0(OwnedBlock, 1);

    memcpy(b->text, OWNED_TEXT, sizeof(OWNED_TEXT));
    b->message = b->text;
    b->str1 = b->text + 4;
    ret->code = 7;
    ret->message = &b->message;
    ret->str1 = &b->str1;
    mv_server_call_set_ret_owner(call, owned_block_free, b);
    if (mv_server_call_get_header(call)->proc == 2) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "failed after filling the reply");
        return -1;
    }
    return 0;
}

/* proc 3: fills its reply the ordinary way (xdr_free() frees it), then
 * fails: what it put there is freed all the same. */
static guint plain_freed;

static bool_t
xdr_counted_error(XDR *xdrs, mv_net_message_error *ret)
{
    if (xdrs->x_op == XDR_FREE && ret->message)
        plain_freed++;
    return xdr_mv_net_message_error(xdrs, ret);
}

static int
plain_proc_fails(MvServerCall *call, void *args, void *ret_, GError **error)
{
    mv_net_message_error *ret = ret_;

    ret->message = g_new0(char *, 1);
    *ret->message = g_strdup("filled, then the call failed");
    mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "failed after filling the reply");
    return -1;
}

static const MvServerProc owned_procs[] = {
    [1] = { owned_proc, NULL, 0, (xdrproc_t)xdr_mv_net_message_error,
            sizeof(mv_net_message_error), MV_PROC_INLINE | MV_PROC_PREOPEN | MV_PROC_KNOWN },
    [2] = { owned_proc, NULL, 0, (xdrproc_t)xdr_mv_net_message_error,
            sizeof(mv_net_message_error), MV_PROC_INLINE | MV_PROC_PREOPEN | MV_PROC_KNOWN },
    [3] = { plain_proc_fails, NULL, 0, (xdrproc_t)xdr_counted_error,
            sizeof(mv_net_message_error), MV_PROC_INLINE | MV_PROC_PREOPEN | MV_PROC_KNOWN },
};

static const MvServerProgram owned_program = {
    OWNED_PROGRAM, 1, owned_procs, G_N_ELEMENTS(owned_procs), NULL, NULL,
};

/* ---- a handler the test holds --------------------------------------------- */

/* A handler on a worker says it got somewhere, then waits until the test
 * lets it go; the test iterates the server's context meanwhile. */
typedef struct {
    GMutex lock;
    GCond cond;
    gboolean reached;
    gboolean released;
} Hold;

static void
hold_init(Hold *h)
{
    g_mutex_init(&h->lock);
    g_cond_init(&h->cond);
    h->reached = h->released = FALSE;
}

static void
hold_clear(Hold *h)
{
    g_mutex_clear(&h->lock);
    g_cond_clear(&h->cond);
}

/* Any thread: wait until the test lets it go. */
static void
hold_wait_released(Hold *h)
{
    g_mutex_lock(&h->lock);
    while (!h->released)
        g_cond_wait(&h->cond, &h->lock);
    g_mutex_unlock(&h->lock);
}

/* The handler: here, then wait. */
static void
hold_here(Hold *h)
{
    g_mutex_lock(&h->lock);
    h->reached = TRUE;
    g_cond_broadcast(&h->cond);
    g_mutex_unlock(&h->lock);
    hold_wait_released(h);
}

/* The test: iterate @ctx until the handler is there. */
static void
hold_wait_reached(Hold *h, GMainContext *ctx)
{
    g_mutex_lock(&h->lock);
    while (!h->reached) {
        g_mutex_unlock(&h->lock);
        g_main_context_iteration(ctx, FALSE);
        g_mutex_lock(&h->lock);
    }
    g_mutex_unlock(&h->lock);
}

static void
hold_release(Hold *h)
{
    g_mutex_lock(&h->lock);
    h->released = TRUE;
    g_cond_broadcast(&h->cond);
    g_mutex_unlock(&h->lock);
}

/* ---- stream data before the stream is open ------------------------------ */

#define EARLY_PROGRAM 0x7e570002
#define EARLY_MAX (1024 * 1024)
#define EARLY_PACKET (64 * 1024)
#define EARLY_TOTAL (16 * 1024 * 1024)

typedef struct {
    Hold handler;                /* holds its reply back */
    Hold writer;                 /* released once the stream is open */
    gsize received;              /* stream data handed to recv() */
    guint32 next;                /* the sequence number recv() expects */
    gint written;                /* bytes the client's writer got out */
    int fd;
} Early;

static Early early;

/* Each packet starts with its sequence number: they come in order. */
static gboolean
early_recv(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque, GError **error)
{
    g_assert_cmpuint(len, ==, EARLY_PACKET);
    g_assert_cmpuint(mv_message_get_u32(data), ==, early.next);
    early.next++;
    early.received += len;
    return TRUE;
}

static const MvServerStreamOps early_ops = { .recv = early_recv };

/* Opens a stream, then keeps its reply back until the test says so. */
static int
early_proc(MvServerCall *call, void *args, void *ret, GError **error)
{
    mv_server_call_open_stream(call, &early_ops, NULL, FALSE);
    hold_here(&early.handler);
    return 0;
}

static const MvServerProc early_procs[] = {
    [1] = { early_proc, NULL, 0, NULL, 0, MV_PROC_PREOPEN | MV_PROC_KNOWN },
};

static const MvServerProgram early_program = {
    EARLY_PROGRAM, 1, early_procs, G_N_ELEMENTS(early_procs), NULL, NULL,
};

/* The client: once the stream is open, all its data at once, without
 * waiting for the reply. */
static gpointer
early_writer(gpointer data)
{
    g_autoptr(MvMessage) call = mv_message_new_simple(EARLY_PROGRAM, 1, 1, MV_NET_CALL, 9,
                                                      MV_NET_OK);
    g_autofree guint8 *pkt = g_malloc0(MV_MESSAGE_MIN_LEN + EARLY_PACKET);

    hold_wait_released(&early.writer);
    memcpy(pkt, call->buffer, MV_MESSAGE_MIN_LEN);
    mv_message_put_u32(pkt, MV_MESSAGE_MIN_LEN + EARLY_PACKET);
    mv_message_put_u32(pkt + 16, MV_NET_STREAM);
    mv_message_put_u32(pkt + 24, MV_NET_CONTINUE);
    for (gsize sent = 0; sent < EARLY_TOTAL; sent += EARLY_PACKET) {
        mv_message_put_u32(pkt + MV_MESSAGE_MIN_LEN, sent / EARLY_PACKET);
        g_assert_cmpint(write(early.fd, pkt, MV_MESSAGE_MIN_LEN + EARLY_PACKET), ==,
                        MV_MESSAGE_MIN_LEN + EARLY_PACKET);
        g_atomic_int_add(&early.written, EARLY_PACKET);
    }
    return NULL;
}

/* ---- close after the reply -------------------------------------------------- */

#define CLOSING_PROGRAM 0x7e570003

static Hold closing;             /* proc 1 asked for the close */

/* proc 1: closes the client after its reply, which waits for the test. */
static int
closing_proc(MvServerCall *call, void *args, void *ret, GError **error)
{
    mv_server_call_close_after_reply(call);
    hold_here(&closing);
    return 0;
}

/* proc 2: any other call. */
static int
closing_other(MvServerCall *call, void *args, void *ret, GError **error)
{
    return 0;
}

static const MvServerProc closing_procs[] = {
    [1] = { closing_proc, NULL, 0, NULL, 0, MV_PROC_PREOPEN | MV_PROC_KNOWN },
    [2] = { closing_other, NULL, 0, NULL, 0, MV_PROC_PREOPEN | MV_PROC_KNOWN },
};

static const MvServerProgram closing_program = {
    CLOSING_PROGRAM, 1, closing_procs, G_N_ELEMENTS(closing_procs), NULL, NULL,
};

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    MvServerConfig cfg;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    mv_server_config_defaults(&cfg);
    cfg.min_workers = 0;
    cfg.prio_workers = 0;
    f->ctx = g_main_context_new();
    f->srv = mv_server_new("eventtest", &cfg, f->ctx);
    f->client = mv_server_add_client_fd(f->srv, sv[0], FALSE);
    f->peer = sv[1];
    f->text = g_malloc(EVENT_TEXT + 1);
    memset(f->text, 'e', EVENT_TEXT);
    f->text[EVENT_TEXT] = '\0';
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    mv_server_close(f->srv);
    for (guint i = 0; i < 1000 && g_main_context_iteration(f->ctx, FALSE); i++)
        ;
    mv_server_unref(f->srv);
    if (f->peer >= 0)
        close(f->peer);
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    g_main_context_unref(f->ctx);
    g_free(f->text);
}

/* One event of about EVENT_TEXT bytes; its serial-like number in code. */
static gboolean
send_event(Fixture *f, int n)
{
    mv_net_message_error ev = { 0 };

    ev.code = n;
    ev.message = &f->text;
    return mv_server_client_send_event(f->client, TEST_PROGRAM, 1, TEST_PROC,
                                       (xdrproc_t)xdr_mv_net_message_error, &ev);
}

static void
settle(Fixture *f)
{
    for (guint i = 0; i < 1000 && g_main_context_iteration(f->ctx, FALSE); i++)
        ;
}

/* Read one packet from the peer: 1, or 0 at EOF, -1 when EOF cuts it
 * short (a closed connection drops what it had not written). */
static int
read_packet(int fd, guint8 **ret_buf, gsize *ret_len)
{
    guint8 word[4];
    g_autofree guint8 *buf = NULL;
    ssize_t n = recv(fd, word, 4, MSG_WAITALL);
    guint32 len;

    if (n == 0)
        return 0;
    if (n != 4)
        return -1;
    len = mv_message_get_u32(word);
    g_assert_cmpuint(len, >=, MV_MESSAGE_MIN_LEN);
    buf = g_malloc(len);
    memcpy(buf, word, 4);
    if (recv(fd, buf + 4, len - 4, MSG_WAITALL) != (ssize_t)len - 4)
        return -1;
    *ret_buf = g_steal_pointer(&buf);
    *ret_len = len;
    return 1;
}

/* Iterate until the peer has something to read (or EOF). */
static void
wait_readable(Fixture *f)
{
    while (poll(&(struct pollfd){ .fd = f->peer, .events = POLLIN }, 1, 1) == 0)
        g_main_context_iteration(f->ctx, FALSE);
}

static void
test_too_far_behind(Fixture *f, gconstpointer data)
{
    gsize sent = 0;
    gsize packet = 0;
    guint8 *buf;
    gsize len;
    int got = 0;
    int rc;
    int n;

    settle(f);
    g_assert_cmpuint(mv_server_client_count(f->srv), ==, 1);
    /* The peer reads nothing: the socket fills, then our queue. */
    g_test_expect_message("mv-rpc", G_LOG_LEVEL_WARNING,
                          "client * of server 'eventtest' is too far behind: *; closing it");
    for (n = 0; n < 1000; n++) {
        gsize before = mv_rpc_conn_queued_bytes(mv_server_client_get_conn(f->client));

        if (!send_event(f, n))
            break;
        packet = mv_rpc_conn_queued_bytes(mv_server_client_get_conn(f->client)) - before;
        sent += packet;
    }
    g_assert_cmpint(n, <, 1000);
    g_test_assert_expected_messages();
    /* Everything up to the limit was taken; no more than the limit waits
     * (the rest is in the socket). */
    g_assert_cmpuint(packet, >, EVENT_TEXT);
    g_assert_cmpuint(sent, >=, EVENTS_MAX - packet);
    g_assert_true(mv_server_client_is_closed(f->client));
    g_assert_false(send_event(f, n + 1));
    settle(f);
    g_assert_cmpuint(mv_server_client_count(f->srv), ==, 0);

    /* What reached the socket arrives in order, then EOF (maybe in the
     * middle of the packet being written when it was closed). */
    while ((rc = read_packet(f->peer, &buf, &len)) > 0) {
        g_assert_cmpuint(mv_message_get_u32(buf + 4), ==, TEST_PROGRAM);
        g_assert_cmpuint(mv_message_get_u32(buf + 12), ==, TEST_PROC);
        g_assert_cmpuint(mv_message_get_u32(buf + 16), ==, MV_NET_MESSAGE);
        g_assert_cmpuint(mv_message_get_u32(buf + MV_MESSAGE_MIN_LEN), ==, (guint32)got);
        g_free(buf);
        got++;
    }
    g_assert_cmpint(got, >, 0);
    /* The queued events were dropped. */
    g_assert_cmpint(got + EVENTS_MAX / (EVENT_TEXT + 100), <=, n);
}

typedef struct {
    int fd;
    gsize bytes;
    guint packets;
} Reader;

static gpointer
reader_thread(gpointer data)
{
    Reader *r = data;
    guint8 *buf;
    gsize len;

    while (read_packet(r->fd, &buf, &len) > 0) {
        g_assert_cmpuint(mv_message_get_u32(buf + MV_MESSAGE_MIN_LEN), ==, r->packets);
        r->bytes += len;
        r->packets++;
        g_free(buf);
    }
    return NULL;
}

/* Three times the limit, to a peer that reads: nothing is refused. */
static void
test_reader_keeps_up(Fixture *f, gconstpointer data)
{
    Reader r = { f->peer, 0, 0 };
    MvRpcConn *conn = mv_server_client_get_conn(f->client);
    GThread *th = g_thread_new("reader", reader_thread, &r);
    gsize sent = 0;
    int n;

    for (n = 0; sent < 3 * EVENTS_MAX; n++) {
        gsize before = mv_rpc_conn_queued_bytes(conn);

        g_assert_true(send_event(f, n));
        sent += mv_rpc_conn_queued_bytes(conn) - before;
        /* The loop writes what the socket did not take at once. */
        while (mv_rpc_conn_queued_event_bytes(conn) > EVENTS_MAX / 4)
            g_main_context_iteration(f->ctx, TRUE);
    }
    while (mv_rpc_conn_queued_bytes(conn) > 0)
        g_main_context_iteration(f->ctx, TRUE);
    g_assert_false(mv_server_client_is_closed(f->client));
    shutdown(mv_rpc_conn_get_fd(conn), SHUT_WR);
    g_thread_join(th);
    g_assert_cmpuint(r.packets, ==, (guint)n);
    g_assert_cmpuint(r.bytes, >=, 3 * EVENTS_MAX);
}

/* Call @proc of the owned program; its reply, decoded. */
static void
owned_call(Fixture *f, int proc, guint32 *ret_status, mv_net_message_error *ret)
{
    g_autoptr(MvMessage) call = mv_message_new_simple(OWNED_PROGRAM, 1, proc, MV_NET_CALL,
                                                      40 + proc, MV_NET_OK);
    g_autofree guint8 *buf = NULL;
    gsize len;
    XDR xdr;

    g_assert_cmpint(write(f->peer, call->buffer, call->buffer_length), ==,
                    (ssize_t)call->buffer_length);
    settle(f);
    g_assert_cmpint(read_packet(f->peer, &buf, &len), ==, 1);
    g_assert_cmpuint(mv_message_get_u32(buf + 12), ==, (guint32)proc);
    g_assert_cmpuint(mv_message_get_u32(buf + 16), ==, MV_NET_REPLY);
    g_assert_cmpuint(mv_message_get_u32(buf + 20), ==, 40 + (guint32)proc);
    *ret_status = mv_message_get_u32(buf + 24);
    xdrmem_create(&xdr, (char *)buf + MV_MESSAGE_MIN_LEN, len - MV_MESSAGE_MIN_LEN, XDR_DECODE);
    g_assert_true(xdr_mv_net_message_error(&xdr, ret));
    xdr_destroy(&xdr);
}

static void
test_ret_owner(Fixture *f, gconstpointer data)
{
    mv_net_message_error ret = { 0 };
    guint32 status;

    mv_server_add_program(f->srv, &owned_program);
    owned_freed = 0;
    owned_call(f, 1, &status, &ret);
    g_assert_cmpuint(status, ==, MV_NET_OK);
    g_assert_cmpint(ret.code, ==, 7);
    g_assert_cmpstr(*ret.message, ==, OWNED_TEXT);
    g_assert_cmpstr(*ret.str1, ==, OWNED_TEXT + 4);
    g_assert_null(ret.str2);
    g_assert_cmpuint(owned_freed, ==, 1);
    xdr_free((xdrproc_t)xdr_mv_net_message_error, (char *)&ret);

    memset(&ret, 0, sizeof(ret));
    owned_call(f, 2, &status, &ret);
    g_assert_cmpuint(status, ==, MV_NET_ERROR);
    g_assert_cmpstr(*ret.message, ==, "internal error: failed after filling the reply");
    g_assert_cmpuint(owned_freed, ==, 2);
    xdr_free((xdrproc_t)xdr_mv_net_message_error, (char *)&ret);

    memset(&ret, 0, sizeof(ret));
    plain_freed = 0;
    owned_call(f, 3, &status, &ret);
    g_assert_cmpuint(status, ==, MV_NET_ERROR);
    g_assert_cmpuint(plain_freed, ==, 1);
    xdr_free((xdrproc_t)xdr_mv_net_message_error, (char *)&ret);
}

static void
test_stream_early_bounded(Fixture *f, gconstpointer data)
{
    g_autoptr(MvMessage) call = mv_message_new_simple(EARLY_PROGRAM, 1, 1, MV_NET_CALL, 9,
                                                      MV_NET_OK);
    g_autofree guint8 *buf = NULL;
    GThread *writer;
    gint before;
    gsize len;

    memset(&early, 0, sizeof(early));
    hold_init(&early.handler);
    hold_init(&early.writer);
    early.fd = f->peer;
    mv_server_add_program(f->srv, &early_program);
    writer = g_thread_new("writer", early_writer, NULL);
    g_assert_cmpint(write(f->peer, call->buffer, call->buffer_length), ==,
                    (ssize_t)call->buffer_length);

    hold_wait_reached(&early.handler, f->ctx);
    hold_release(&early.writer);
    /* Read the client until it stops getting anything out, past the
     * limit (a writer slow to be scheduled has not reached it yet). */
    do {
        before = g_atomic_int_get(&early.written);
        for (guint i = 0; i < 200; i++) {
            g_main_context_iteration(f->ctx, FALSE);
            g_usleep(500);
        }
    } while (g_atomic_int_get(&early.written) != before || before <= EARLY_MAX);
    /* Taken: the limit and a packet, plus what fits in the socket and the
     * connection's read buffer; nothing handed on yet. */
    g_assert_cmpint(before, <, EARLY_MAX + 2 * 1024 * 1024);
    g_assert_cmpuint(early.received, ==, 0);

    hold_release(&early.handler);
    wait_readable(f);
    g_assert_cmpint(read_packet(f->peer, &buf, &len), ==, 1);
    g_assert_cmpuint(mv_message_get_u32(buf + 16), ==, MV_NET_REPLY);
    g_assert_cmpuint(mv_message_get_u32(buf + 24), ==, MV_NET_OK);
    /* Then the client is read again, to the end, in order. */
    while (early.received < EARLY_TOTAL)
        g_main_context_iteration(f->ctx, TRUE);
    g_thread_join(writer);
    g_assert_cmpuint(early.received, ==, EARLY_TOTAL);
    hold_clear(&early.handler);
    hold_clear(&early.writer);
}

static void
send_simple(Fixture *f, guint32 prog, int proc, guint32 serial)
{
    g_autoptr(MvMessage) call = mv_message_new_simple(prog, 1, proc, MV_NET_CALL, serial,
                                                      MV_NET_OK);

    g_assert_cmpint(write(f->peer, call->buffer, call->buffer_length), ==,
                    (ssize_t)call->buffer_length);
}

static void
test_close_after_own_reply(Fixture *f, gconstpointer data)
{
    g_autofree guint8 *buf = NULL;
    g_autofree guint8 *buf2 = NULL;
    gsize len;

    hold_init(&closing);
    mv_server_add_program(f->srv, &closing_program);
    send_simple(f, CLOSING_PROGRAM, 1, 70);
    hold_wait_reached(&closing, f->ctx);

    /* Another call ends while the closing one waits: its reply comes, and
     * the connection stays open. */
    send_simple(f, CLOSING_PROGRAM, 2, 71);
    wait_readable(f);
    g_assert_cmpint(read_packet(f->peer, &buf, &len), ==, 1);
    g_assert_cmpuint(mv_message_get_u32(buf + 20), ==, 71);
    /* Give its worker time to finish with it (a client-wide close flag
     * closed the connection there): nothing more comes meanwhile. */
    for (guint i = 0; i < 300; i++) {
        g_assert_cmpint(poll(&(struct pollfd){ .fd = f->peer, .events = POLLIN }, 1, 1), ==, 0);
        g_main_context_iteration(f->ctx, FALSE);
    }
    g_assert_false(mv_server_client_is_closed(f->client));

    /* Then the closing call's reply, then the end. */
    hold_release(&closing);
    g_clear_pointer(&buf, g_free);
    wait_readable(f);
    g_assert_cmpint(read_packet(f->peer, &buf2, &len), ==, 1);
    g_assert_cmpuint(mv_message_get_u32(buf2 + 20), ==, 70);
    g_assert_cmpuint(mv_message_get_u32(buf2 + 24), ==, MV_NET_OK);
    wait_readable(f);
    g_assert_cmpint(read_packet(f->peer, &buf, &len), ==, 0);
    hold_clear(&closing);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/rpc/server/events/too-far-behind", Fixture, NULL, fixture_setup,
               test_too_far_behind, fixture_teardown);
    g_test_add("/rpc/server/events/reader-keeps-up", Fixture, NULL, fixture_setup,
               test_reader_keeps_up, fixture_teardown);
    g_test_add("/rpc/server/reply/ret-owner", Fixture, NULL, fixture_setup,
               test_ret_owner, fixture_teardown);
    g_test_add("/rpc/server/stream/early-bounded", Fixture, NULL, fixture_setup,
               test_stream_early_bounded, fixture_teardown);
    g_test_add("/rpc/server/close/after-own-reply", Fixture, NULL, fixture_setup,
               test_close_after_own_reply, fixture_teardown);
    return g_test_run();
}
