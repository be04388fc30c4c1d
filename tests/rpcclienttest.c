/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcclienttest.c: the RPC client (src/rpc/client.c) against a server played
 * by the test on the other end of a socketpair.
 *
 * A stream's notify callback may run on the client's I/O thread while its
 * owner drops it: mv_rpc_client_stream_set_notify() returns only once a
 * notify in progress has ended, so that its opaque can be freed right
 * after.  That holds for the notify the lost connection triggers too.
 *
 * The last user of a client closes its connection, also when two users
 * leave at the same moment.  That test is a race: with the old check (the
 * count read, then dropped) it failed in 2 of 3 runs here, not in all.
 */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/client.h"
#include "rpc/message.h"

#define TEST_PROGRAM 0x20008086
#define TEST_PROC 209

typedef struct {
    gint in_notify;               /* a notify is running */
    gint notified;                /* notifies that ran to their end */
} NotifyState;

/* A slow notify: long enough for the owner to drop the stream meanwhile. */
static void
slow_notify(gpointer opaque)
{
    NotifyState *state = opaque;

    g_atomic_int_set(&state->in_notify, 1);
    g_usleep(300 * 1000);
    g_atomic_int_inc(&state->notified);
    g_atomic_int_set(&state->in_notify, 0);
}

/* The server: read one call and answer it OK, without payload. */
static gpointer
answer_one_call(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    guint8 word[4];
    g_autofree guint8 *buf = NULL;
    guint32 len;

    g_assert_cmpint(recv(fd, word, 4, MSG_WAITALL), ==, 4);
    len = mv_message_get_u32(word);
    g_assert_cmpuint(len, >=, MV_MESSAGE_MIN_LEN);
    buf = g_malloc(len);
    memcpy(buf, word, 4);
    g_assert_cmpint(recv(fd, buf + 4, len - 4, MSG_WAITALL), ==, (ssize_t)len - 4);
    /* The call's header, turned into its reply. */
    mv_message_put_u32(buf, MV_MESSAGE_MIN_LEN);
    mv_message_put_u32(buf + 16, MV_NET_REPLY);
    mv_message_put_u32(buf + 24, MV_NET_OK);
    g_assert_cmpint(send(fd, buf, MV_MESSAGE_MIN_LEN, MSG_NOSIGNAL), ==, MV_MESSAGE_MIN_LEN);
    return NULL;
}

static void
test_notify_on_close(void)
{
    NotifyState state = { 0 };
    g_autoptr(GError) error = NULL;
    MvRpcClientStream *st;
    MvRpcClient *client;
    GThread *server;
    gint64 deadline;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0]);
    st = mv_rpc_client_stream_new(client);
    mv_rpc_client_stream_set_notify(st, slow_notify, &state);

    /* Open the stream: a call answered OK binds it. */
    server = g_thread_new("server", answer_one_call, GINT_TO_POINTER(sv[1]));
    g_assert_true(mv_rpc_client_call_full(client, TEST_PROGRAM, 1, TEST_PROC, NULL, 0, NULL,
                                          NULL, NULL, NULL, NULL, NULL, st, &error));
    g_assert_no_error(error);
    g_thread_join(server);

    /* The server goes away: the I/O thread tells the stream. */
    close(sv[1]);
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&state.in_notify) && g_atomic_int_get(&state.notified) == 0) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    /* Its owner drops it meanwhile: once set_notify() returns, no notify
     * may be running, its opaque can go. */
    mv_rpc_client_stream_set_notify(st, NULL, NULL);
    g_assert_cmpint(g_atomic_int_get(&state.in_notify), ==, 0);
    g_assert_cmpint(g_atomic_int_get(&state.notified), ==, 1);
    g_assert_false(mv_rpc_client_is_open(client));

    mv_rpc_client_stream_unref(st);
    mv_rpc_client_unref(client);
}

typedef struct {
    MvRpcClient *client;
    GMutex lock;
    GCond cond;
    gint ready;
    gboolean go;
} Leaver;

static gpointer
leave(gpointer data)
{
    Leaver *l = data;

    g_mutex_lock(&l->lock);
    l->ready++;
    g_cond_broadcast(&l->cond);
    while (!l->go)
        g_cond_wait(&l->cond, &l->lock);
    g_mutex_unlock(&l->lock);
    mv_rpc_client_unref(l->client);
    return NULL;
}

static void
test_last_users_leave_together(void)
{
    for (guint round = 0; round < 300; round++) {
        Leaver l = { 0 };
        GThread *th[2];
        struct pollfd pfd;
        guint8 byte;
        int sv[2];

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        g_mutex_init(&l.lock);
        g_cond_init(&l.cond);
        l.client = mv_rpc_client_new_fd(sv[0]);
        mv_rpc_client_ref(l.client);
        for (guint i = 0; i < 2; i++)
            th[i] = g_thread_new("leaver", leave, &l);
        g_mutex_lock(&l.lock);
        while (l.ready < 2)
            g_cond_wait(&l.cond, &l.lock);
        l.go = TRUE;
        g_cond_broadcast(&l.cond);
        g_mutex_unlock(&l.lock);
        for (guint i = 0; i < 2; i++)
            g_thread_join(th[i]);
        /* Both gone: the connection is closed (EOF on the other end). */
        pfd.fd = sv[1];
        pfd.events = POLLIN;
        g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
        g_assert_cmpint(recv(sv[1], &byte, 1, MSG_DONTWAIT), ==, 0);
        close(sv[1]);
        g_mutex_clear(&l.lock);
        g_cond_clear(&l.cond);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/client/stream/notify-on-close", test_notify_on_close);
    g_test_add_func("/rpc/client/unref/last-users-together", test_last_users_leave_together);
    return g_test_run();
}
