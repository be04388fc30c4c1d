/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingpong.c: this machine's floor for an RPC hop, for the spine benchmark
 * (wl_spine.py).
 *
 *   perf-pingpong [N]
 *
 * Two processes on a unix socketpair: this one writes a 28-byte message
 * (an RPC header's size) and reads the answer, N times (default 200000);
 * the other, spawned with the socket as its stdin, reads each message and
 * writes it back.  That is the least a call costs before any client,
 * proxy or daemon code runs: a direct call makes one such round trip, a
 * call through the proxy two.  Prints one JSON object: the wall time per
 * round trip and the CPU time of both processes per round trip, in
 * microseconds.  Pinning is the caller's (taskset): the child inherits it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#define MSG_LEN 28

static gboolean
full_io(int fd, char *buf, gsize len, gboolean out)
{
    while (len > 0) {
        ssize_t n = out ? write(fd, buf, len) : read(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

static gboolean
round_trip(int fd, char *buf)
{
    return full_io(fd, buf, MSG_LEN, TRUE) && full_io(fd, buf, MSG_LEN, FALSE);
}

static int
echo_main(void)
{
    char buf[MSG_LEN];

    while (full_io(0, buf, sizeof(buf), FALSE)) {
        if (!full_io(0, buf, sizeof(buf), TRUE))
            return 1;
    }
    return 0;
}

static double
rusage_us(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    char *child_argv[] = { argv[0], (char *)"--echo", NULL };
    char buf[MSG_LEN] = { 0 };
    guint64 n = 200000;
    double cpu0;
    gint64 t0;
    gint64 t1;
    GPid pid;
    int sv[2];
    int status;

    if (argc > 1 && g_str_equal(argv[1], "--echo"))
        return echo_main();
    if (argc > 1 && (!g_ascii_string_to_unsigned(argv[1], 10, 1, G_MAXUINT32, &n, &error))) {
        fprintf(stderr, "perf-pingpong: bad count: %s\n", error->message);
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("perf-pingpong: socketpair");
        return 1;
    }
    if (!g_spawn_async_with_fds(NULL, child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, sv[1], -1, -1, &error)) {
        fprintf(stderr, "perf-pingpong: %s\n", error->message);
        return 1;
    }
    close(sv[1]);
    /* Warm up, then measure. */
    for (guint i = 0; i < 1000; i++) {
        if (!round_trip(sv[0], buf))
            return 1;
    }
    cpu0 = rusage_us(RUSAGE_SELF);
    t0 = g_get_monotonic_time();
    for (guint64 i = 0; i < n; i++) {
        if (!round_trip(sv[0], buf))
            return 1;
    }
    t1 = g_get_monotonic_time();
    cpu0 = rusage_us(RUSAGE_SELF) - cpu0;
    close(sv[0]);
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "perf-pingpong: the echo process failed\n");
        return 1;
    }
    /* The child's CPU includes its 1000 warm-up rounds: negligible. */
    printf("{\"rounds\": %" G_GUINT64_FORMAT ", \"round_trip_us\": %.3f, \"cpu_us\": %.3f}\n",
           n, (double)(t1 - t0) / n, (cpu0 + rusage_us(RUSAGE_CHILDREN)) / n);
    return 0;
}
