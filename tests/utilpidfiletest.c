/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utilpidfiletest.c: the pid file lock of src/util/pidfile.c.
 *
 * A live holder refuses a second taker at once and names itself.  A holder
 * killed a moment ago may still hold the lock through threads that have
 * not exited yet (its leader already a zombie): the taker waits for them
 * instead of refusing, then gets the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/command.h"
#include "util/pidfile.h"

typedef struct {
    char *dir;
    char *path;
} Fixture;

static void
fixture_set_up(Fixture *fx, gconstpointer unused)
{
    fx->dir = g_dir_make_tmp("mvpidfile-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    fx->path = g_build_filename(fx->dir, "d.pid", NULL);
}

static void
fixture_tear_down(Fixture *fx, gconstpointer unused)
{
    g_unlink(fx->path);
    g_rmdir(fx->dir);
    g_free(fx->path);
    g_free(fx->dir);
}

static void *
holder_linger(void *data)
{
    int fd = GPOINTER_TO_INT(data);
    char c;

    /* Returns when the test closes its end: the process ends then. */
    while (read(fd, &c, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* This program run as "--hold PATH linger|stay READY_FD HOLD_FD": take the
 * lock, say so on READY_FD, then either stay, or let the main thread exit
 * while a thread lingers until HOLD_FD is closed. */
static int
holder_main(char **argv)
{
    int ready = (int)g_ascii_strtoll(argv[4], NULL, 10);
    int hold = (int)g_ascii_strtoll(argv[5], NULL, 10);
    pthread_t th;

    if (mv_pidfile_acquire(argv[2], getpid(), NULL) < 0)
        return 1;
    if (pthread_create(&th, NULL, holder_linger, GINT_TO_POINTER(hold)) != 0)
        return 2;
    if (write(ready, "r", 1) != 1)
        return 3;
    if (g_str_equal(argv[3], "linger"))
        syscall(SYS_exit, 0);
    pthread_join(th, NULL);
    return 0;
}

static char *self_path;

/* A holder process (see holder_main()); @hold[1] ends it when closed. */
static pid_t
spawn_holder(const char *path, gboolean leader_exits, int ready[2], int hold[2])
{
    g_autofree char *rfd = NULL;
    g_autofree char *hfd = NULL;
    pid_t pid;

    g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
    g_assert_cmpint(pipe2(hold, O_CLOEXEC), ==, 0);
    rfd = g_strdup_printf("%d", ready[1]);
    hfd = g_strdup_printf("%d", hold[0]);
    {
        const char *argv[] = { self_path, "--hold", path, leader_exits ? "linger" : "stay",
                               rfd, hfd, NULL };
        const int keep[] = { ready[1], hold[0] };

        pid = mv_command_spawn(argv, NULL, keep, G_N_ELEMENTS(keep), -1, -1, 2, 0);
    }
    g_assert_cmpint(pid, >, 0);
    close(ready[1]);
    close(hold[0]);
    return pid;
}

static void
wait_ready(int fd)
{
    char c;

    g_assert_cmpint(read(fd, &c, 1), ==, 1);
    close(fd);
}

static char
proc_state(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    const char *end;

    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(end = strrchr(stat, ')')))
        return '?';
    return end[2];
}

static void
test_live_holder(Fixture *fx, gconstpointer unused)
{
    int ready[2], hold[2];
    pid_t holder = 0;
    pid_t pid = spawn_holder(fx->path, FALSE, ready, hold);
    gint64 t0;
    int status;

    wait_ready(ready[0]);
    t0 = g_get_monotonic_time();
    g_assert_cmpint(mv_pidfile_acquire(fx->path, getpid(), &holder), ==, -EBUSY);
    g_assert_cmpint(holder, ==, pid);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, G_USEC_PER_SEC);
    close(hold[1]);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

typedef struct {
    const char *path;
    int fd;
} Taker;

static gpointer
taker_run(gpointer data)
{
    Taker *t = data;

    t->fd = mv_pidfile_acquire(t->path, getpid(), NULL);
    return NULL;
}

static void
test_dying_holder(Fixture *fx, gconstpointer unused)
{
    int ready[2], hold[2];
    pid_t pid = spawn_holder(fx->path, TRUE, ready, hold);
    Taker taker = { fx->path, -100 };
    g_autofree char *content = NULL;
    GThread *th;
    int status;

    wait_ready(ready[0]);
    /* The leader is gone (a zombie), a thread still holds the lock. */
    for (int i = 0; i < 500 && proc_state(pid) != 'Z'; i++)
        g_usleep(2000);
    g_assert_cmpint(proc_state(pid), ==, 'Z');
    th = g_thread_new("taker", taker_run, &taker);
    g_usleep(300 * 1000);
    g_assert_cmpint(g_atomic_int_get(&taker.fd), ==, -100);
    /* The last thread exits: the lock is free and taken. */
    close(hold[1]);
    g_thread_join(th);
    g_assert_cmpint(taker.fd, >=, 0);
    g_assert_true(g_file_get_contents(fx->path, &content, NULL, NULL));
    g_assert_cmpint(g_ascii_strtoll(content, NULL, 10), ==, getpid());
    mv_pidfile_release(fx->path, taker.fd);
    g_assert_false(g_file_test(fx->path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
}

int
main(int argc, char **argv)
{
    if (argc == 6 && g_str_equal(argv[1], "--hold"))
        return holder_main(argv);
    self_path = g_file_read_link("/proc/self/exe", NULL);
    g_test_init(&argc, &argv, NULL);
    g_test_add("/pidfile/live-holder", Fixture, NULL, fixture_set_up, test_live_holder,
               fixture_tear_down);
    g_test_add("/pidfile/dying-holder", Fixture, NULL, fixture_set_up, test_dying_holder,
               fixture_tear_down);
    return g_test_run();
}
