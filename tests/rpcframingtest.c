/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcframingtest.c: the framing limits of src/rpc/conn.c, on a socketpair.
 *
 * The length word is checked before anything is allocated: a packet of
 * fewer than 28 bytes or more than 32 MiB + 4 closes the connection.  The
 * over-limit case runs in a subprocess whose address space leaves no room
 * for a 32 MiB buffer, so an allocation made before the check would abort
 * it.  The fd count of a *_WITH_FDS packet is limited to 32.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/conn.h"
#include "rpctestconn.h"
#include "rpc/message.h"

#define FRAME_MAX ((guint32)MV_NET_MESSAGE_MAX + MV_MESSAGE_LEN_LEN)

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

/* Iterate until the connection closed or @count packets arrived, at most
 * @ms milliseconds. */
static void
fixture_run(Fixture *f, guint count, guint ms)
{
    gboolean expired = FALSE;
    GSource *timer = g_timeout_source_new(ms);

    g_source_set_callback(timer, on_timeout, &expired, NULL);
    g_source_attach(timer, f->ctx);
    while (!expired && !f->closed && f->received->len < count)
        g_main_context_iteration(f->ctx, TRUE);
    g_source_destroy(timer);
    g_source_unref(timer);
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

/* A packet header: length word and the six header words. */
static void
put_header(guint8 *p, guint32 len, guint32 type)
{
    memset(p, 0, MV_MESSAGE_MIN_LEN);
    mv_message_put_u32(p, len);
    mv_message_put_u32(p + 4, MV_KEEPALIVE_PROGRAM);
    mv_message_put_u32(p + 8, MV_KEEPALIVE_PROTOCOL_VERSION);
    mv_message_put_u32(p + 12, MV_KEEPALIVE_PROC_PING);
    mv_message_put_u32(p + 16, type);
}

static void
test_smallest_packet(Fixture *f, gconstpointer data)
{
    guint8 pkt[MV_MESSAGE_MIN_LEN];
    MvMessage *msg;

    put_header(pkt, sizeof(pkt), MV_NET_MESSAGE);
    write_all(f->peer, pkt, sizeof(pkt));
    fixture_run(f, 1, 5000);
    g_assert_false(f->closed);
    g_assert_cmpuint(f->received->len, ==, 1);
    msg = f->received->pdata[0];
    g_assert_cmpuint(msg->buffer_length, ==, MV_MESSAGE_MIN_LEN);
    g_assert_cmpuint(msg->header.prog, ==, MV_KEEPALIVE_PROGRAM);
    g_assert_cmpint(msg->header.proc, ==, MV_KEEPALIVE_PROC_PING);
    g_assert_cmpuint(msg->header.type, ==, MV_NET_MESSAGE);
}

/* A length word below 28 closes the connection: the data after it is a
 * whole (but mis-framed) packet, so only the check can refuse it. */
static void
test_length_too_short(Fixture *f, gconstpointer data)
{
    guint32 len = GPOINTER_TO_UINT(data);
    guint8 pkt[MV_MESSAGE_MIN_LEN];

    put_header(pkt, len, MV_NET_MESSAGE);
    write_all(f->peer, pkt, sizeof(pkt));
    fixture_run(f, 1, 5000);
    g_assert_true(f->closed);
    g_assert_cmpuint(f->received->len, ==, 0);
}

typedef struct {
    int fd;
    guint32 len;
} Writer;

static gpointer
writer_thread(gpointer data)
{
    Writer *w = data;
    g_autofree guint8 *pkt = g_malloc0(w->len);

    put_header(pkt, w->len, MV_NET_MESSAGE);
    write_all(w->fd, pkt, w->len);
    return NULL;
}

/* The largest packet, 32 MiB + 4 with its length word, goes through. */
static void
test_length_max(Fixture *f, gconstpointer data)
{
    Writer w = { f->peer, FRAME_MAX };
    GThread *thread = g_thread_new("writer", writer_thread, &w);
    MvMessage *msg;

    fixture_run(f, 1, 30000);
    g_thread_join(thread);
    g_assert_false(f->closed);
    g_assert_cmpuint(f->received->len, ==, 1);
    msg = f->received->pdata[0];
    g_assert_cmpuint(msg->buffer_length, ==, FRAME_MAX);
}

/* Leave 16 MiB of address space: a 32 MiB buffer cannot be had. */
static void
limit_address_space(void)
{
    g_autofree char *statm = NULL;
    struct rlimit rl;
    long pages;
    void *probe;

    g_assert_true(g_file_get_contents("/proc/self/statm", &statm, NULL, NULL));
    pages = (long)g_ascii_strtoll(statm, NULL, 10);
    g_assert_cmpint(pages, >, 0);
    rl.rlim_cur = rl.rlim_max = (rlim_t)pages * sysconf(_SC_PAGESIZE) + 16 * 1024 * 1024;
    g_assert_cmpint(setrlimit(RLIMIT_AS, &rl), ==, 0);
    /* The limit bites: the control allocation fails. */
    probe = g_try_malloc(FRAME_MAX);
    g_assert_null(probe);
}

static void
over_limit_child(guint32 len)
{
    Fixture f;
    guint8 pkt[MV_MESSAGE_MIN_LEN];

    fixture_setup(&f, NULL);
    limit_address_space();
    put_header(pkt, len, MV_NET_MESSAGE);
    write_all(f.peer, pkt, sizeof(pkt));
    fixture_run(&f, 1, 5000);
    g_assert_true(f.closed);
    g_assert_cmpuint(f.received->len, ==, 0);
    fixture_teardown(&f, NULL);
}

static void
test_length_over_max(gconstpointer data)
{
    guint32 len = GPOINTER_TO_UINT(data);

    if (g_test_subprocess()) {
        over_limit_child(len);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

/* A *_WITH_FDS packet announcing @nfds descriptors, with no payload. */
static void
write_fds_packet(int fd, guint32 nfds)
{
    guint8 pkt[MV_MESSAGE_MIN_LEN + 4];

    put_header(pkt, sizeof(pkt), MV_NET_CALL_WITH_FDS);
    mv_message_put_u32(pkt + MV_MESSAGE_MIN_LEN, nfds);
    write_all(fd, pkt, sizeof(pkt));
}

static void
send_fd(int sock, int fd)
{
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
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    g_assert_cmpint(sendmsg(sock, &mh, MSG_NOSIGNAL), ==, 1);
}

static void
test_fds_at_limit(Fixture *f, gconstpointer data)
{
    MvMessage *msg;

    write_fds_packet(f->peer, MV_NET_MESSAGE_NUM_FDS_MAX);
    for (int i = 0; i < MV_NET_MESSAGE_NUM_FDS_MAX; i++) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        send_fd(f->peer, fd);
        close(fd);
    }
    fixture_run(f, 1, 5000);
    g_assert_false(f->closed);
    g_assert_cmpuint(f->received->len, ==, 1);
    msg = f->received->pdata[0];
    g_assert_cmpuint(msg->nfds, ==, MV_NET_MESSAGE_NUM_FDS_MAX);
    for (guint i = 0; i < msg->nfds; i++) {
        int fd = mv_message_take_fd(msg, i);

        g_assert_cmpint(fd, >=, 0);
        /* Received with MSG_CMSG_CLOEXEC. */
        g_assert_cmpint(fcntl(fd, F_GETFD) & FD_CLOEXEC, !=, 0);
        close(fd);
    }
}

static void
test_fds_over_limit(Fixture *f, gconstpointer data)
{
    write_fds_packet(f->peer, MV_NET_MESSAGE_NUM_FDS_MAX + 1);
    fixture_run(f, 1, 5000);
    g_assert_true(f->closed);
    g_assert_cmpuint(f->received->len, ==, 0);
}

/* The dummy byte that should carry a descriptor arrives without one. */
static void
test_fd_byte_without_fd(Fixture *f, gconstpointer data)
{
    char dummy = 0;

    write_fds_packet(f->peer, 1);
    write_all(f->peer, &dummy, 1);
    fixture_run(f, 1, 5000);
    g_assert_true(f->closed);
    g_assert_cmpuint(f->received->len, ==, 0);
}

#define ADD(path, data, func) \
    g_test_add(path, Fixture, data, fixture_setup, func, fixture_teardown)

int
main(int argc, char **argv)
{
    static const guint32 too_short[] = { 0, 3, 4, 27 };
    static const guint32 too_long[] = { FRAME_MAX + 1, G_MAXUINT32 };

    g_test_init(&argc, &argv, NULL);

    ADD("/rpc/framing/smallest-packet", NULL, test_smallest_packet);
    for (size_t i = 0; i < G_N_ELEMENTS(too_short); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/framing/too-short/%u", too_short[i]);

        ADD(path, GUINT_TO_POINTER(too_short[i]), test_length_too_short);
    }
    ADD("/rpc/framing/max-length", NULL, test_length_max);
    for (size_t i = 0; i < G_N_ELEMENTS(too_long); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/framing/too-long/%u", too_long[i]);

        g_test_add_data_func(path, GUINT_TO_POINTER(too_long[i]), test_length_over_max);
    }
    ADD("/rpc/framing/fds-at-limit", NULL, test_fds_at_limit);
    ADD("/rpc/framing/fds-over-limit", NULL, test_fds_over_limit);
    ADD("/rpc/framing/fd-byte-without-fd", NULL, test_fd_byte_without_fd);
    return g_test_run();
}
