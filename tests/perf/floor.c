/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor.c: the least a daemon, and a proxy in front of it, can cost the
 * spine benchmark's client (wl_spine.py).
 *
 *   perf-floor serve SOCK
 *   perf-floor relay SOCK UPSTREAM
 *
 * "serve" listens on SOCK and answers just the remote-program calls that
 * python3-libvirt makes in the spine's latency and open+close workloads
 * (AUTH_LIST, CONNECT_OPEN, CONNECT_SUPPORTS_FEATURE, CONNECT_GET_VERSION,
 * CONNECT_GET_LIB_VERSION, CONNECT_GET_HOSTNAME, CONNECT_CLOSE, keepalive
 * PING) with fixed replies: nothing is decoded beyond the header, nothing
 * allocated per call, no event loop, one client at a time, as many bytes
 * per read as are there.  Other keepalive packets are ignored; any other
 * packet closes the connection.
 *
 * "relay" listens on SOCK and, for each client in turn, connects to
 * UPSTREAM and copies bytes both ways with poll(): what any proxy has to
 * do at least, without looking at a packet.  Its writes block: a client
 * and a server that both send more than a socket holds without reading
 * would stall it, which a call and its reply never do.
 *
 * The same client workload against these gives the floor for modvirt's
 * direct and proxied figures on the machine it runs on.  Neither is a
 * server for anything else: no authentication, no limits beyond the frame
 * size, no concurrency.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "perf-io.h"

#define HEADER_LEN 28
#define BUF_LEN 65536

#define REMOTE_PROGRAM 0x20008086
#define KEEPALIVE_PROGRAM 0x6b656570
#define KEEPALIVE_PING 1
#define KEEPALIVE_PONG 2
#define TYPE_REPLY 1
#define TYPE_MESSAGE 2

enum {
    PROC_CONNECT_OPEN = 1,
    PROC_CONNECT_CLOSE = 2,
    PROC_CONNECT_GET_VERSION = 4,
    PROC_CONNECT_GET_HOSTNAME = 59,
    PROC_CONNECT_SUPPORTS_FEATURE = 60,
    PROC_AUTH_LIST = 66,
    PROC_CONNECT_GET_LIB_VERSION = 157,
};

static void
put_u32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static guint32
get_u32(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}

/* The reply to the packet @in (its header) in @out: its length, 0 to say
 * nothing (a keepalive PONG), or -1 to close.  *@last: close after it. */
static int
answer(const guint8 *in, guint8 *out, gboolean *last)
{
    guint32 prog = get_u32(in + 4);
    guint32 proc = get_u32(in + 12);
    int n = HEADER_LEN;

    memcpy(out, in, HEADER_LEN);
    put_u32(out + 16, TYPE_REPLY);
    put_u32(out + 24, 0);
    if (prog == KEEPALIVE_PROGRAM) {
        if (proc != KEEPALIVE_PING)
            return 0;
        put_u32(out + 12, KEEPALIVE_PONG);
        put_u32(out + 16, TYPE_MESSAGE);
    } else if (prog != REMOTE_PROGRAM) {
        return -1;
    } else {
        switch (proc) {
        case PROC_AUTH_LIST:
            put_u32(out + n, 1); /* one type: REMOTE_AUTH_NONE */
            put_u32(out + n + 4, 0);
            n += 8;
            break;
        case PROC_CONNECT_OPEN:
            break;
        case PROC_CONNECT_CLOSE:
            *last = TRUE;
            break;
        case PROC_CONNECT_SUPPORTS_FEATURE:
            put_u32(out + n, 1);
            n += 4;
            break;
        case PROC_CONNECT_GET_VERSION:
        case PROC_CONNECT_GET_LIB_VERSION:
            put_u32(out + n, 0); /* 9.0.0 as an unsigned hyper */
            put_u32(out + n + 4, 9000000);
            n += 8;
            break;
        case PROC_CONNECT_GET_HOSTNAME:
            put_u32(out + n, 5);
            memcpy(out + n + 4, "floor\0\0\0", 8);
            n += 12;
            break;
        default:
            return -1;
        }
    }
    put_u32(out, n);
    return n;
}

/* One client, until it closes, sends what we do not answer, or after its
 * CONNECT_CLOSE.  The replies to the packets of one read leave in one
 * write (or more, should many arrive at once). */
static void
serve_client(int fd)
{
    g_autofree guint8 *in = g_malloc(BUF_LEN);
    guint8 out[HEADER_LEN * 2 * 16];
    gsize have = 0;

    for (;;) {
        gsize used = 0;
        gsize out_len = 0;
        gboolean last = FALSE;
        gboolean bad = FALSE;
        ssize_t n = read(fd, in + have, BUF_LEN - have);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        have += n;
        while (!last && have - used >= 4) {
            guint32 len = get_u32(in + used);
            int r;

            if (len < HEADER_LEN || len > BUF_LEN) {
                bad = TRUE;
                break;
            }
            if (have - used < len)
                break;
            if (out_len + HEADER_LEN * 2 > sizeof(out)) {
                if (!perf_full_io(fd, out, out_len, TRUE))
                    return;
                out_len = 0;
            }
            if ((r = answer(in + used, out + out_len, &last)) < 0) {
                bad = TRUE;
                break;
            }
            out_len += r;
            used += len;
        }
        /* What was answered goes out, even before closing. */
        if (out_len > 0 && !perf_full_io(fd, out, out_len, TRUE))
            return;
        if (last || bad)
            return;
        memmove(in, in + used, have - used);
        have -= used;
    }
}

/* Copy both ways between @client and @upstream until either side closes. */
static void
relay_client(int client, int upstream)
{
    struct pollfd pfd[2] = { { .fd = client, .events = POLLIN },
                             { .fd = upstream, .events = POLLIN } };
    g_autofree guint8 *buf = g_malloc(BUF_LEN);

    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        for (int i = 0; i < 2; i++) {
            ssize_t n;

            if (!pfd[i].revents)
                continue;
            n = read(pfd[i].fd, buf, BUF_LEN);
            if (n <= 0 || !perf_full_io(pfd[1 - i].fd, buf, n, TRUE))
                return;
        }
    }
}

static gboolean
make_addr(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (g_strlcpy(addr->sun_path, path, sizeof(addr->sun_path)) >= sizeof(addr->sun_path)) {
        fprintf(stderr, "perf-floor: socket path too long: %s\n", path);
        return FALSE;
    }
    return TRUE;
}

static int
listen_on(const char *path)
{
    struct sockaddr_un addr;
    int fd;

    if (!make_addr(path, &addr))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
        fprintf(stderr, "perf-floor: cannot listen on %s: %s\n", path, g_strerror(errno));
        return -1;
    }
    return fd;
}

static int
connect_to(const char *path)
{
    struct sockaddr_un addr;
    int fd;

    if (!make_addr(path, &addr))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fprintf(stderr, "perf-floor: cannot connect to %s: %s\n", path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int
main(int argc, char **argv)
{
    gboolean relay = argc == 4 && g_str_equal(argv[1], "relay");
    int lfd;

    if (!relay && !(argc == 3 && g_str_equal(argv[1], "serve"))) {
        fprintf(stderr, "usage: perf-floor serve SOCK | perf-floor relay SOCK UPSTREAM\n");
        return 2;
    }
    /* A client gone in the middle of a reply is the next one's turn. */
    signal(SIGPIPE, SIG_IGN);
    if ((lfd = listen_on(argv[2])) < 0)
        return 1;
    /* Listening: the caller may connect from now on. */
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        int up;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "perf-floor: accept: %s\n", g_strerror(errno));
            return 1;
        }
        if (!relay) {
            serve_client(fd);
        } else if ((up = connect_to(argv[3])) >= 0) {
            relay_client(fd, up);
            close(up);
        }
        close(fd);
    }
}
