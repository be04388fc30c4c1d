/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcpollertest.c: the one-source poller of src/rpc/poller.c, on
 * socketpairs, with few watches and with many, and the connections built
 * on it.
 *
 * - a watch reports exactly what its socket has, a hang-up even when it
 *   asks for nothing, and GLib's own fd sources on the context still work,
 *   and so do the watches once they are gone (back to epoll_wait() alone);
 * - another thread changing a watch's events or waking it wakes a loop
 *   that sleeps in epoll_wait(), or in poll() beside a GLib fd source;
 * - a watch destroyed by the callback of another one never runs again;
 * - watches created and destroyed by another thread while the loop polls:
 *   none is called once its destroy notify ran, each notify runs once
 *   (run under valgrind too, which sees a watch used after it is freed);
 * - an fd the epoll set refuses is polled by GLib and reports all the same,
 *   also when another thread adds it while the loop sleeps;
 * - going from few watches to many and back loses no event;
 * - a connection holding its output (mv_rpc_conn_cork) sends it all, in
 *   order, when released; a connection among many still notices a peer
 *   that hangs up while it is paused, without spinning.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "rpc/conn.h"
#include "rpctestconn.h"
#include "rpc/message.h"
#include "rpc/poller.h"

/* More watches than the poller polls directly. */
#define MANY 24
#define SPIN_LIMIT 100

typedef struct {
    MvRpcPollerWatch *watch;
    int fd;                       /* ours */
    int peer;                     /* the other end */
    guint calls;
    GIOCondition last;            /* revents of the last call */
    GIOCondition seen;            /* all revents so far */
    gboolean drain;               /* read what arrives */
    MvRpcPollerWatch *victim;     /* destroy this one when called */
} Sock;

typedef struct {
    GMainContext *ctx;
    GPtrArray *socks;             /* Sock */
} Fixture;

static void
sock_cb(MvRpcPollerWatch *watch, GIOCondition revents, gpointer opaque)
{
    Sock *s = opaque;

    s->calls++;
    s->last = revents;
    s->seen |= revents;
    if (s->drain && (revents & G_IO_IN)) {
        char buf[256];

        while (recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
            ;
    }
    if (s->victim) {
        mv_rpc_poller_watch_destroy(s->victim);
        s->victim = NULL;
    }
}

static Sock *
fixture_add(Fixture *f, GIOCondition events)
{
    Sock *s = g_new0(Sock, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv),
                    ==, 0);
    s->fd = sv[0];
    s->peer = sv[1];
    s->drain = TRUE;
    s->watch = mv_rpc_poller_watch_new(f->ctx, s->fd, events, sock_cb, s, NULL);
    g_ptr_array_add(f->socks, s);
    return s;
}

/* Stop watching @s and close both ends (the Sock stays, for the counts). */
static void
sock_drop(Sock *s)
{
    if (s->watch)
        mv_rpc_poller_watch_destroy(s->watch);
    s->watch = NULL;
    if (s->fd >= 0)
        close(s->fd);
    if (s->peer >= 0)
        close(s->peer);
    s->fd = s->peer = -1;
}

static void
sock_free(gpointer p)
{
    sock_drop(p);
    g_free(p);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    f->ctx = g_main_context_new();
    f->socks = g_ptr_array_new_with_free_func(sock_free);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_ptr_array_unref(f->socks);
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    g_main_context_unref(f->ctx);
}

/* Iterate without blocking until nothing is left to dispatch. */
static void
fixture_settle(Fixture *f)
{
    for (guint i = 0; i < 1000 && g_main_context_iteration(f->ctx, FALSE); i++)
        ;
}

static void
fixture_reset_counts(Fixture *f)
{
    for (guint i = 0; i < f->socks->len; i++) {
        Sock *s = g_ptr_array_index(f->socks, i);

        s->calls = 0;
        s->seen = s->last = 0;
    }
}

static gboolean
on_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Block in the loop until @s was called, or @ms passed.  Returns the
 * iterations that dispatched something. */
static guint
fixture_wait_call(Fixture *f, Sock *s, guint ms)
{
    gboolean expired = FALSE;
    GSource *timer = g_timeout_source_new(ms);
    guint busy = 0;

    g_source_set_callback(timer, on_timeout, &expired, NULL);
    g_source_attach(timer, f->ctx);
    while (!expired && s->calls == 0) {
        if (g_main_context_iteration(f->ctx, TRUE) && !expired)
            busy++;
    }
    g_source_destroy(timer);
    g_source_unref(timer);
    return busy;
}

static void
send_byte(int fd)
{
    g_assert_cmpint(send(fd, "x", 1, MSG_NOSIGNAL), ==, 1);
}

/* Exactly the sockets written to are reported, readable. */
static void
check_only_written(Fixture *f, const guint *which, guint n)
{
    fixture_reset_counts(f);
    for (guint i = 0; i < n; i++)
        send_byte(((Sock *)g_ptr_array_index(f->socks, which[i]))->peer);
    fixture_settle(f);
    for (guint i = 0; i < f->socks->len; i++) {
        Sock *s = g_ptr_array_index(f->socks, i);
        gboolean written = FALSE;

        for (guint j = 0; j < n; j++)
            written |= which[j] == i;
        if (!s->watch)
            continue;
        g_assert_cmpuint(s->calls, ==, written ? 1 : 0);
        if (written)
            g_assert_cmpint(s->last & G_IO_IN, ==, G_IO_IN);
    }
}

static void
test_readable(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    guint first[] = { 0 };
    guint several[] = { 1, count / 2, count - 1 };

    for (guint i = 0; i < count; i++)
        fixture_add(f, G_IO_IN);
    g_assert_cmpuint(mv_rpc_poller_count(f->ctx), ==, count);
    fixture_settle(f);
    check_only_written(f, first, 1);
    if (count < G_N_ELEMENTS(several))
        return;
    check_only_written(f, several, G_N_ELEMENTS(several));
    /* And again: nothing stays reported once read. */
    check_only_written(f, several, G_N_ELEMENTS(several));
}

/* From many watches to few and back: each still reports its events. */
static void
test_many_to_few(Fixture *f, gconstpointer data)
{
    guint last[] = { MANY - 1 };
    guint two[] = { 0, MANY - 1 };

    for (guint i = 0; i < MANY; i++)
        fixture_add(f, G_IO_IN);
    fixture_settle(f);
    check_only_written(f, two, G_N_ELEMENTS(two));
    /* Down to two. */
    for (guint i = 1; i < MANY - 1; i++)
        sock_drop(g_ptr_array_index(f->socks, i));
    g_assert_cmpuint(mv_rpc_poller_count(f->ctx), ==, 2);
    fixture_settle(f);
    check_only_written(f, last, 1);
    check_only_written(f, two, G_N_ELEMENTS(two));
    /* And up again, the survivors among new ones. */
    for (guint i = 0; i < MANY; i++)
        fixture_add(f, G_IO_IN);
    fixture_settle(f);
    check_only_written(f, two, G_N_ELEMENTS(two));
}

/* A watch asking for nothing still hears its peer hang up. */
static void
test_hangup_no_events(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    Sock *s;

    for (guint i = 0; i + 1 < count; i++)
        fixture_add(f, G_IO_IN);
    s = fixture_add(f, 0);
    s->drain = FALSE;
    fixture_settle(f);
    send_byte(s->peer);
    fixture_settle(f);
    g_assert_cmpuint(s->calls, ==, 0);
    close(s->peer);
    s->peer = -1;
    fixture_wait_call(f, s, 3000);
    g_assert_cmpuint(s->calls, >=, 1);
    g_assert_cmpint(s->seen & G_IO_HUP, ==, G_IO_HUP);
    g_assert_cmpint(s->seen & G_IO_IN, ==, 0);
    mv_rpc_poller_watch_set_events(s->watch, G_IO_IN);
    s->calls = 0;
    fixture_settle(f);
    g_assert_cmpuint(s->calls, >=, 1);
    g_assert_cmpint(s->seen & G_IO_IN, ==, G_IO_IN);
}

typedef struct {
    Sock *s;
    gboolean wake;                /* wake, rather than ask for G_IO_OUT */
} Poke;

static gpointer
poke_thread(gpointer data)
{
    Poke *p = data;

    g_usleep(100 * 1000);
    if (p->wake)
        mv_rpc_poller_watch_wake(p->s->watch);
    else
        mv_rpc_poller_watch_set_events(p->s->watch, G_IO_IN | G_IO_OUT);
    return NULL;
}

#define CHANGE_WAKE 0x100            /* wake, rather than ask for G_IO_OUT */
#define CHANGE_MIXED 0x200           /* with a GLib fd source on the context */

static gboolean
never_cb(gint fd, GIOCondition cond, gpointer data)
{
    g_assert_not_reached();
    return G_SOURCE_CONTINUE;
}

/* Another thread's change reaches a loop asleep in epoll_wait(), or (with
 * a GLib fd source) in poll(): then the wake-up fd, in the epoll set since
 * the first iterations, is not in poll()'s array but still wakes it. */
static void
test_thread_change(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data) & 0xff;
    gboolean wake = (GPOINTER_TO_UINT(data) & CHANGE_WAKE) != 0;
    gboolean mixed = (GPOINTER_TO_UINT(data) & CHANGE_MIXED) != 0;
    Poke poke = { NULL, wake };
    GSource *src = NULL;
    int sv[2] = { -1, -1 };
    GThread *th;
    gint64 start;

    for (guint i = 0; i + 1 < count; i++)
        fixture_add(f, G_IO_IN);
    poke.s = fixture_add(f, G_IO_IN);
    fixture_settle(f);
    if (mixed) {
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        src = g_unix_fd_source_new(sv[0], G_IO_IN);
        g_source_set_callback(src, G_SOURCE_FUNC(never_cb), NULL, NULL);
        g_source_attach(src, f->ctx);
        fixture_settle(f);
    }
    fixture_reset_counts(f);
    th = g_thread_new("poke", poke_thread, &poke);
    start = g_get_monotonic_time();
    fixture_wait_call(f, poke.s, 5000);
    g_thread_join(th);
    g_assert_cmpuint(poke.s->calls, >=, 1);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 4 * G_USEC_PER_SEC);
    if (wake)
        g_assert_cmpint(poke.s->last, ==, 0);
    else
        g_assert_cmpint(poke.s->last & G_IO_OUT, ==, G_IO_OUT);
    for (guint i = 0; i + 1 < count; i++)
        g_assert_cmpuint(((Sock *)g_ptr_array_index(f->socks, i))->calls, ==, 0);
    if (src && wake) {
        /* The wake-up was acknowledged: the loop sleeps again, it does not
         * spin on a wake-up fd reported to nobody.  (Asking for G_IO_OUT,
         * the watch stays ready, and that one does spin.) */
        gboolean expired = FALSE;
        GSource *timer = g_timeout_source_new(200);
        guint iterations = 0;

        g_source_set_callback(timer, on_timeout, &expired, NULL);
        g_source_attach(timer, f->ctx);
        while (!expired && iterations < 1000) {
            g_main_context_iteration(f->ctx, TRUE);
            iterations++;
        }
        g_source_destroy(timer);
        g_source_unref(timer);
        g_assert_cmpuint(iterations, <, 10);
    }
    if (src) {
        g_source_destroy(src);
        g_source_unref(src);
        close(sv[0]);
        close(sv[1]);
    }
}

/* A watch destroyed by the callback of one dispatched before it, both
 * ready in the same iteration, is not called. */
static void
test_destroy_other(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    Sock *a, *b;

    for (guint i = 0; i + 2 < count; i++)
        fixture_add(f, G_IO_IN);
    a = fixture_add(f, G_IO_IN);
    b = fixture_add(f, G_IO_IN);
    fixture_settle(f);
    a->victim = b->watch;
    b->victim = a->watch;
    send_byte(a->peer);
    send_byte(b->peer);
    fixture_settle(f);
    /* One of them ran first and destroyed the other. */
    g_assert_cmpuint(a->calls + b->calls, ==, 1);
    if (a->calls)
        b->watch = NULL;
    else
        a->watch = NULL;
    g_assert_cmpuint(mv_rpc_poller_count(f->ctx), ==, count - 1);
}

static gboolean
glib_fd_cb(gint fd, GIOCondition cond, gpointer data)
{
    char c;

    (*(guint *)data)++;
    g_assert_cmpint(recv(fd, &c, 1, MSG_DONTWAIT), ==, 1);
    return G_SOURCE_CONTINUE;
}

/* GLib's own fd sources share the poll with the watches; once they are
 * gone, the watches alone still report. */
static void
test_glib_sources(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    guint glib_calls = 0;
    GSource *src;
    Sock *s;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    src = g_unix_fd_source_new(sv[0], G_IO_IN);
    g_source_set_callback(src, G_SOURCE_FUNC(glib_fd_cb), &glib_calls, NULL);
    g_source_attach(src, f->ctx);
    for (guint i = 0; i < count; i++)
        fixture_add(f, G_IO_IN);
    s = g_ptr_array_index(f->socks, count - 1);
    fixture_settle(f);
    send_byte(sv[1]);
    send_byte(s->peer);
    while (glib_calls == 0 || s->calls == 0)
        g_main_context_iteration(f->ctx, TRUE);
    g_assert_cmpuint(glib_calls, ==, 1);
    g_assert_cmpuint(s->calls, ==, 1);
    g_source_destroy(src);
    g_source_unref(src);
    close(sv[0]);
    close(sv[1]);
    fixture_settle(f);
    s->calls = 0;
    send_byte(s->peer);
    fixture_wait_call(f, s, 3000);
    g_assert_cmpuint(s->calls, ==, 1);
}

/* An fd the epoll set refuses is polled by GLib instead: a second watch on
 * a socket (EEXIST) and a watch on a regular file (EPERM) report like the
 * others, follow their events, and stop when destroyed; the sockets in the
 * set go on as before. */
static void
test_refused_by_epoll(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    guint all[] = { 0, count - 1 };
    Sock *first;
    Sock twin = { 0 };
    Sock file = { 0 };
    int fd;

    for (guint i = 0; i < count; i++)
        fixture_add(f, G_IO_IN);
    first = g_ptr_array_index(f->socks, 0);
    g_test_expect_message("mv-rpc", G_LOG_LEVEL_WARNING,
                          "fd * cannot be in the epoll set (File exists): polling it*");
    twin.fd = first->fd;
    twin.drain = TRUE;
    twin.watch = mv_rpc_poller_watch_new(f->ctx, twin.fd, G_IO_IN, sock_cb, &twin, NULL);
    g_test_assert_expected_messages();
    fixture_settle(f);
    g_assert_cmpuint(twin.calls, ==, 0);

    send_byte(first->peer);
    fixture_wait_call(f, &twin, 3000);
    fixture_settle(f);
    g_assert_cmpuint(twin.calls, ==, 1);
    g_assert_cmpint(twin.last & G_IO_IN, ==, G_IO_IN);
    g_assert_cmpuint(first->calls, ==, 1);

    /* Asking for nothing, it hears nothing. */
    mv_rpc_poller_watch_set_events(twin.watch, 0);
    twin.calls = 0;
    check_only_written(f, all, G_N_ELEMENTS(all));
    g_assert_cmpuint(twin.calls, ==, 0);

    /* A regular file: always readable to poll(), refused by epoll. */
    fd = g_file_open_tmp("rpcpollertest-XXXXXX", &path, &error);
    g_assert_no_error(error);
    g_test_expect_message("mv-rpc", G_LOG_LEVEL_WARNING,
                          "fd * cannot be in the epoll set (Operation not permitted)*");
    file.fd = fd;
    file.watch = mv_rpc_poller_watch_new(f->ctx, fd, G_IO_IN, sock_cb, &file, NULL);
    g_test_assert_expected_messages();
    fixture_wait_call(f, &file, 3000);
    g_assert_cmpuint(file.calls, >=, 1);
    g_assert_cmpint(file.seen, ==, G_IO_IN);

    mv_rpc_poller_watch_destroy(file.watch);
    mv_rpc_poller_watch_destroy(twin.watch);
    file.calls = 0;
    fixture_settle(f);
    g_assert_cmpuint(file.calls, ==, 0);
    check_only_written(f, all, G_N_ELEMENTS(all));
    g_assert_cmpuint(twin.calls, ==, 0);
    close(fd);
    unlink(path);
}

typedef struct {
    Sock *twin;
    GMainContext *ctx;
} TwinStart;

static gpointer
twin_thread(gpointer data)
{
    TwinStart *ts = data;

    g_usleep(100 * 1000);
    ts->twin->watch = mv_rpc_poller_watch_new(ts->ctx, ts->twin->fd, G_IO_IN, sock_cb,
                                              ts->twin, NULL);
    return NULL;
}

/* Another thread's refused watch reaches a loop asleep in epoll_wait(). */
static void
test_refused_by_epoll_thread(Fixture *f, gconstpointer data)
{
    guint count = GPOINTER_TO_UINT(data);
    Sock twin = { 0 };
    TwinStart ts = { &twin, f->ctx };
    GThread *thread;
    Sock *first;

    for (guint i = 0; i < count; i++)
        fixture_add(f, G_IO_IN);
    first = g_ptr_array_index(f->socks, 0);
    mv_rpc_poller_watch_set_events(first->watch, 0);
    fixture_settle(f);
    send_byte(first->peer);
    twin.fd = first->fd;
    twin.drain = TRUE;
    g_test_expect_message("mv-rpc", G_LOG_LEVEL_WARNING,
                          "fd * cannot be in the epoll set (File exists): polling it*");
    thread = g_thread_new("twin", twin_thread, &ts);
    fixture_wait_call(f, &twin, 3000);
    g_thread_join(thread);
    g_test_assert_expected_messages();
    g_assert_cmpuint(twin.calls, ==, 1);
    g_assert_cmpint(twin.last, ==, G_IO_IN);
    g_assert_cmpuint(first->calls, ==, 0);
    mv_rpc_poller_watch_destroy(twin.watch);
}

/* ---- watches destroyed by another thread ---------------------------------- */

#define RACE_ROUNDS 3000

typedef struct {
    gint notified;                /* the destroy notify ran */
    gint late;                    /* calls after that */
    gint calls;
} Victim;

typedef struct {
    GMainContext *ctx;
    gint stop;
} RaceLoop;

static gpointer
race_loop_thread(gpointer data)
{
    RaceLoop *rl = data;

    while (!g_atomic_int_get(&rl->stop))
        g_main_context_iteration(rl->ctx, TRUE);
    return NULL;
}

static void
victim_cb(MvRpcPollerWatch *watch, GIOCondition revents, gpointer opaque)
{
    Victim *v = opaque;

    if (g_atomic_int_get(&v->notified))
        g_atomic_int_inc(&v->late);
    g_atomic_int_inc(&v->calls);
    /* Level-triggered and never read: stop asking. */
    mv_rpc_poller_watch_set_events(watch, 0);
}

static void
victim_notify(gpointer opaque)
{
    Victim *v = opaque;

    g_assert_cmpint(g_atomic_int_add(&v->notified, 1), ==, 0);
}

/*
 * The loop thread sleeps in the poll function while this one creates a
 * watch, makes its socket readable and destroys it, at varying moments:
 * some while the kernel is handing the loop that very watch.  Its memory
 * must outlive the loop's use of it (valgrind reports it otherwise), and
 * its callback never runs after its destroy notify.
 */
static void
test_destroy_while_polling(Fixture *f, gconstpointer data)
{
    const char *env = g_getenv("MV_TEST_RACE_ROUNDS");
    guint rounds = env ? (guint)g_ascii_strtoull(env, NULL, 10) : RACE_ROUNDS;
    g_autofree Victim *victims = g_new0(Victim, rounds);
    RaceLoop rl = { f->ctx, 0 };
    guint called = 0;
    GThread *th;

    /* The poller exists before the loop starts. */
    fixture_add(f, G_IO_IN);
    th = g_thread_new("race-loop", race_loop_thread, &rl);
    for (guint i = 0; i < rounds; i++) {
        MvRpcPollerWatch *w;
        int sv[2];

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv),
                        ==, 0);
        w = mv_rpc_poller_watch_new(f->ctx, sv[0], G_IO_IN, victim_cb, &victims[i],
                                    victim_notify);
        send_byte(sv[1]);
        /* 0 to ~20 us: before, during and after the loop's wake-up. */
        for (volatile guint spin = 0; spin < (i % 64) * 40; spin++)
            ;
        mv_rpc_poller_watch_destroy(w);
        close(sv[0]);
        close(sv[1]);
    }
    g_atomic_int_set(&rl.stop, 1);
    g_main_context_wakeup(f->ctx);
    g_thread_join(th);
    fixture_settle(f);
    for (guint i = 0; i < rounds; i++) {
        g_assert_cmpint(g_atomic_int_get(&victims[i].notified), ==, 1);
        g_assert_cmpint(g_atomic_int_get(&victims[i].late), ==, 0);
        called += victims[i].calls > 0;
    }
    g_test_message("%u of %u watches were called before their destruction", called, rounds);
}

/* ---- connections ---------------------------------------------------------- */

typedef struct {
    RpcTestConn c;
    GPtrArray *fillers;           /* Sock: other watches on the context */
} ConnFixture;

static void
conn_fixture_setup(ConnFixture *f, gconstpointer data)
{
    guint fillers = GPOINTER_TO_UINT(data);
    Fixture tmp;

    rpc_test_conn_open(&f->c);
    tmp.ctx = f->c.ctx;
    tmp.socks = f->fillers = g_ptr_array_new_with_free_func(sock_free);
    for (guint i = 0; i < fillers; i++)
        fixture_add(&tmp, G_IO_IN);
}

static void
conn_fixture_teardown(ConnFixture *f, gconstpointer data)
{
    g_ptr_array_unref(f->fillers);
    rpc_test_conn_close(&f->c);
}

/* Held output goes out whole and in order once released. */
static void
test_conn_cork(ConnFixture *f, gconstpointer data)
{
    const guint count = 100;
    guint8 buf[MV_MESSAGE_MIN_LEN];
    gsize got = 0;

    mv_rpc_conn_cork(f->c.conn);
    for (guint i = 0; i < count; i++)
        mv_rpc_conn_send(f->c.conn, mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                                        MV_KEEPALIVE_PROTOCOL_VERSION,
                                                        MV_KEEPALIVE_PROC_PING,
                                                        MV_NET_MESSAGE, i, MV_NET_OK));
    /* Nothing left while held. */
    g_assert_cmpint(recv(f->c.peer, buf, sizeof(buf), MSG_DONTWAIT), <, 0);
    g_assert_cmpint(errno, ==, EAGAIN);
    g_assert_cmpuint(mv_rpc_conn_queued_bytes(f->c.conn), ==, count * MV_MESSAGE_MIN_LEN);
    mv_rpc_conn_uncork(f->c.conn);
    g_assert_cmpuint(mv_rpc_conn_queued_bytes(f->c.conn), ==, 0);
    for (guint i = 0; i < count; i++) {
        ssize_t n = recv(f->c.peer, buf, sizeof(buf), MSG_WAITALL);

        g_assert_cmpint(n, ==, sizeof(buf));
        g_assert_cmpuint(mv_message_get_u32(buf), ==, MV_MESSAGE_MIN_LEN);
        g_assert_cmpuint(mv_message_get_u32(buf + 20), ==, i);
        got += n;
    }
    g_assert_cmpuint(got, ==, count * MV_MESSAGE_MIN_LEN);
}

/* Paused among many watches: a hang-up closes it, no busy loop. */
static void
test_conn_paused_hangup(ConnFixture *f, gconstpointer data)
{
    gboolean expired = FALSE;
    GSource *timer = g_timeout_source_new(3000);
    guint busy = 0;

    mv_rpc_conn_pause(f->c.conn);
    for (guint i = 0; i < 10 && g_main_context_iteration(f->c.ctx, FALSE); i++)
        ;
    close(f->c.peer);
    f->c.peer = -1;
    g_source_set_callback(timer, on_timeout, &expired, NULL);
    g_source_attach(timer, f->c.ctx);
    while (!expired && !f->c.closed) {
        if (g_main_context_iteration(f->c.ctx, TRUE) && !expired)
            busy++;
        if (busy > 100000)
            break;
    }
    g_source_destroy(timer);
    g_source_unref(timer);
    g_assert_true(f->c.closed);
    g_assert_cmpuint(busy, <, SPIN_LIMIT);
}

int
main(int argc, char **argv)
{
    static const guint counts[] = { 1, 3, MANY };

    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        gpointer n = GUINT_TO_POINTER(counts[i]);
        g_autofree char *p1 = g_strdup_printf("/rpc/poller/%u/readable", counts[i]);
        g_autofree char *p2 = g_strdup_printf("/rpc/poller/%u/hangup-no-events", counts[i]);
        g_autofree char *p3 = g_strdup_printf("/rpc/poller/%u/thread-events", counts[i]);
        g_autofree char *p4 = g_strdup_printf("/rpc/poller/%u/thread-wake", counts[i]);
        g_autofree char *p5 = g_strdup_printf("/rpc/poller/%u/glib-sources", counts[i]);
        g_autofree char *p7 = g_strdup_printf("/rpc/poller/%u/thread-wake-mixed", counts[i]);
        g_autofree char *p8 = g_strdup_printf("/rpc/poller/%u/thread-events-mixed", counts[i]);
        g_autofree char *p9 = g_strdup_printf("/rpc/poller/%u/refused-by-epoll", counts[i]);
        g_autofree char *p10 = g_strdup_printf("/rpc/poller/%u/refused-by-epoll-thread",
                                               counts[i]);

        g_test_add(p1, Fixture, n, fixture_setup, test_readable, fixture_teardown);
        g_test_add(p2, Fixture, n, fixture_setup, test_hangup_no_events, fixture_teardown);
        g_test_add(p3, Fixture, n, fixture_setup, test_thread_change, fixture_teardown);
        g_test_add(p4, Fixture, GUINT_TO_POINTER(counts[i] | CHANGE_WAKE), fixture_setup,
                   test_thread_change, fixture_teardown);
        g_test_add(p7, Fixture, GUINT_TO_POINTER(counts[i] | CHANGE_WAKE | CHANGE_MIXED),
                   fixture_setup, test_thread_change, fixture_teardown);
        g_test_add(p8, Fixture, GUINT_TO_POINTER(counts[i] | CHANGE_MIXED), fixture_setup,
                   test_thread_change, fixture_teardown);
        g_test_add(p5, Fixture, n, fixture_setup, test_glib_sources, fixture_teardown);
        g_test_add(p9, Fixture, n, fixture_setup, test_refused_by_epoll, fixture_teardown);
        g_test_add(p10, Fixture, n, fixture_setup, test_refused_by_epoll_thread,
                   fixture_teardown);
        if (counts[i] >= 2) {
            g_autofree char *p6 = g_strdup_printf("/rpc/poller/%u/destroy-other", counts[i]);

            g_test_add(p6, Fixture, n, fixture_setup, test_destroy_other, fixture_teardown);
        }
    }
    g_test_add("/rpc/poller/many-to-few", Fixture, NULL, fixture_setup, test_many_to_few,
               fixture_teardown);
    g_test_add("/rpc/poller/destroy-while-polling", Fixture, NULL, fixture_setup,
               test_destroy_while_polling, fixture_teardown);
    g_test_add("/rpc/poller/conn/cork", ConnFixture, GUINT_TO_POINTER(0), conn_fixture_setup,
               test_conn_cork, conn_fixture_teardown);
    g_test_add("/rpc/poller/conn/cork-many", ConnFixture, GUINT_TO_POINTER(MANY),
               conn_fixture_setup, test_conn_cork, conn_fixture_teardown);
    g_test_add("/rpc/poller/conn/paused-hangup-many", ConnFixture, GUINT_TO_POINTER(MANY),
               conn_fixture_setup, test_conn_paused_hangup, conn_fixture_teardown);
    return g_test_run();
}
