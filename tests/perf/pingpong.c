/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingpong.c: this machine's floor for an RPC hop, for the spine benchmark
 * (wl_spine.py).
 *
 *   perf-pingpong [--relay user|sockmap] [N]
 *
 * Two processes on a unix socketpair: this one writes a 28-byte message
 * (an RPC header's size) and reads the answer, N times (default 200000);
 * the other, spawned with the socket as its stdin, reads each message and
 * writes it back.  That is the least a call costs before any client,
 * proxy or daemon code runs: a direct call makes one such round trip, a
 * call through the proxy two.  Prints one JSON object: the wall time per
 * round trip and the CPU time of the processes per round trip, in
 * microseconds.  Pinning is the caller's (taskset): children inherit it.
 *
 * With --relay, the message goes through a relay on the way, as through
 * mvproxyd: "user" is a third process that polls both sockets and copies
 * (the least any proxy in user space does); "sockmap" has the kernel move
 * it, with an sk_skb verdict program on a BPF sockmap redirecting each
 * packet out of the other socket (needs CAP_BPF; the kernel's worker
 * threads do the copying, and their CPU time is not in cpu_us).  Both are
 * floors for a call through a proxy.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "perf-io.h"

#define MSG_LEN 28

static gboolean
round_trip(int fd, char *buf)
{
    return perf_full_io(fd, buf, MSG_LEN, TRUE) && perf_full_io(fd, buf, MSG_LEN, FALSE);
}

static int
echo_main(void)
{
    char buf[MSG_LEN];

    while (perf_full_io(0, buf, sizeof(buf), FALSE)) {
        if (!perf_full_io(0, buf, sizeof(buf), TRUE))
            return 1;
    }
    return 0;
}

/* The relay process: stdin faces the client, stdout the echo process. */
static int
relay_main(void)
{
    struct pollfd pfd[2] = { { .fd = 0, .events = POLLIN }, { .fd = 1, .events = POLLIN } };
    char buf[4096];

    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (int i = 0; i < 2; i++) {
            ssize_t n;

            if (!pfd[i].revents)
                continue;
            n = read(pfd[i].fd, buf, sizeof(buf));
            if (n <= 0)
                return 0;
            if (!perf_full_io(pfd[1 - i].fd, buf, n, TRUE))
                return 1;
        }
    }
}

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* A sockmap of one socket, whose packets an sk_skb verdict program sends
 * out of the socket in @to_map.  Returns the map, or -1. */
static int
sockmap_new(void)
{
    union bpf_attr attr = { 0 };

    attr.map_type = BPF_MAP_TYPE_SOCKMAP;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    return sys_bpf(BPF_MAP_CREATE, &attr);
}

static gboolean
sockmap_redirect(int map, int to_map, int sock)
{
    /* r2 = to_map; r3 = 0 (key); r4 = 0 (egress); return bpf_sk_redirect_map(skb, r2, r3, r4) */
    struct bpf_insn insns[] = {
        { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 2, .src_reg = BPF_PSEUDO_MAP_FD,
          .imm = to_map },
        { 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 4, .imm = 0 },
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_sk_redirect_map },
        { .code = BPF_JMP | BPF_EXIT },
    };
    union bpf_attr attr = { 0 };
    int key = 0;
    int prog;

    attr.prog_type = BPF_PROG_TYPE_SK_SKB;
    attr.insns = (guint64)(guintptr)insns;
    attr.insn_cnt = G_N_ELEMENTS(insns);
    attr.license = (guint64)(guintptr)"GPL";
    if ((prog = sys_bpf(BPF_PROG_LOAD, &attr)) < 0)
        return FALSE;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = map;
    attr.attach_bpf_fd = prog;
    attr.attach_type = BPF_SK_SKB_VERDICT;
    if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
        return FALSE;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = map;
    attr.key = (guint64)(guintptr)&key;
    attr.value = (guint64)(guintptr)&sock;
    attr.flags = BPF_ANY;
    return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) == 0;
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
    char *relay_argv[] = { argv[0], (char *)"--relay-child", NULL };
    const char *relay = NULL;
    int cl[2] = { -1, -1 };
    GPid relay_pid = 0;
    int fd;
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
    if (argc > 1 && g_str_equal(argv[1], "--relay-child"))
        return relay_main();
    if (argc > 2 && g_str_equal(argv[1], "--relay")) {
        relay = argv[2];
        if (!g_str_equal(relay, "user") && !g_str_equal(relay, "sockmap")) {
            fprintf(stderr, "perf-pingpong: --relay user or sockmap, not '%s'\n", relay);
            return 2;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc > 1 && (!g_ascii_string_to_unsigned(argv[1], 10, 1, G_MAXUINT32, &n, &error))) {
        fprintf(stderr, "perf-pingpong: bad count: %s\n", error->message);
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("perf-pingpong: socketpair");
        return 1;
    }
    /* sv: relay (or this process) to the echo process; cl: this process
     * to the relay. */
    fd = sv[0];
    if (relay) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cl) < 0) {
            perror("perf-pingpong: socketpair");
            return 1;
        }
        fd = cl[0];
    }
    if (relay && g_str_equal(relay, "user")) {
        if (!g_spawn_async_with_fds(NULL, relay_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                    NULL, &relay_pid, cl[1], sv[0], -1, &error)) {
            fprintf(stderr, "perf-pingpong: %s\n", error->message);
            return 1;
        }
    } else if (relay) {
        int from_client = sockmap_new();
        int from_echo = sockmap_new();

        if (from_client < 0 || from_echo < 0 || !sockmap_redirect(from_client, from_echo, cl[1]) ||
            !sockmap_redirect(from_echo, from_client, sv[0])) {
            fprintf(stderr, "perf-pingpong: sockmap: %s\n", g_strerror(errno));
            return 1;
        }
    }
    if (!g_spawn_async_with_fds(NULL, child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, sv[1], -1, -1, &error)) {
        fprintf(stderr, "perf-pingpong: %s\n", error->message);
        return 1;
    }
    close(sv[1]);
    /* Warm up, then measure. */
    for (guint i = 0; i < 1000; i++) {
        if (!round_trip(fd, buf))
            return 1;
    }
    cpu0 = rusage_us(RUSAGE_SELF);
    t0 = g_get_monotonic_time();
    for (guint64 i = 0; i < n; i++) {
        if (!round_trip(fd, buf))
            return 1;
    }
    t1 = g_get_monotonic_time();
    cpu0 = rusage_us(RUSAGE_SELF) - cpu0;
    /* EOF reaches the echo process directly, through the relay, or (the
     * sockmap) once the relay's ends are gone. */
    close(fd);
    if (relay) {
        close(cl[1]);
        close(sv[0]);
    }
    if (relay_pid && (waitpid(relay_pid, &status, 0) < 0 || !WIFEXITED(status) ||
                      WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "perf-pingpong: the relay process failed\n");
        return 1;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "perf-pingpong: the echo process failed\n");
        return 1;
    }
    /* The children's CPU includes their 1000 warm-up rounds: negligible. */
    printf("{\"rounds\": %" G_GUINT64_FORMAT ", \"round_trip_us\": %.3f, \"cpu_us\": %.3f}\n",
           n, (double)(t1 - t0) / n, (cpu0 + rusage_us(RUSAGE_CHILDREN)) / n);
    return 0;
}
