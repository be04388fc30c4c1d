/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "util/hostinfo.h"
#include "util/pidfile.h"

#define PIDFILE_DYING_WAIT_MS 10000
#define PIDFILE_DYING_POLL_MS 5
/* How long a holder that looks alive keeps its lock before we believe it:
 * one killed a moment ago shows as running until its threads notice. */
#define PIDFILE_BUSY_GRACE_MS 300

int
mv_pidfile_read(const char *path, pid_t *ret_pid)
{
    g_autofree char *data = NULL;
    char *end = NULL;
    long long v;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return -ENOENT;
    errno = 0;
    v = strtoll(data, &end, 10);
    if (errno != 0 || end == data || v <= 0 || v > G_MAXINT)
        return -EINVAL;
    *ret_pid = (pid_t)v;
    return 0;
}

/* Whether @pid is a process that is not dying: a killed multi-threaded
 * process shows its leader as a zombie while its other threads still
 * hold its files (and its lock) for as long as they take to exit. */
static gboolean
pidfile_holder_alive(pid_t pid)
{
    g_auto(GStrv) f = mv_proc_stat_fields(pid, 0);

    return f && !strchr("ZXx", f[0][0]);
}

int
mv_pidfile_acquire(const char *path, pid_t pid, pid_t *ret_holder)
{
    gint64 deadline = g_get_monotonic_time() + PIDFILE_DYING_WAIT_MS * 1000;
    gint64 grace = g_get_monotonic_time() + PIDFILE_BUSY_GRACE_MS * 1000;

    for (int attempt = 0; attempt < 10; attempt++) {
        struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        struct stat a, b;
        char buf[32];
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        int len;

        if (fd < 0)
            return -errno;
        if (fcntl(fd, F_SETLK, &lk) < 0) {
            int err = errno;

            close(fd);
            if (err == EAGAIN || err == EACCES) {
                pid_t holder = 0;

                /* A holder on its way out (killed a moment ago): its lock
                 * goes with its last thread, so wait for that, a while.
                 * One that looks alive may be dying all the same (SIGKILL
                 * not yet seen by its threads), or its pid not written yet
                 * (it took the lock a moment ago): a short grace too. */
                if (mv_pidfile_read(path, &holder) == 0 && holder != pid &&
                    !pidfile_holder_alive(holder) && g_get_monotonic_time() < deadline) {
                    g_usleep(PIDFILE_DYING_POLL_MS * 1000);
                    attempt--;
                    continue;
                }
                if (g_get_monotonic_time() < grace) {
                    g_usleep(PIDFILE_DYING_POLL_MS * 1000);
                    attempt--;
                    continue;
                }
                if (ret_holder)
                    *ret_holder = holder;
                return -EBUSY;
            }
            return -err;
        }
        /* Whoever held it before may have unlinked it meanwhile. */
        if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino ||
            a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        len = g_snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != len) {
            int err = errno ? errno : EIO;

            close(fd);
            return -err;
        }
        return fd;
    }
    return -EAGAIN;
}

void
mv_pidfile_release(const char *path, int fd)
{
    struct stat a, b;

    if (fd < 0)
        return;
    if (path && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
        unlink(path);
    close(fd);
}
