/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "util/command.h"
#include "configmake.h"

char *
mv_command_find_daemon(const char *name)
{
    const char *path = g_getenv("MODVIRT_DAEMON_PATH");
    g_autofree char *fallback = g_build_filename(SBINDIR, name, NULL);

    if (path && *path) {
        g_auto(GStrv) dirs = g_strsplit(path, ":", -1);

        for (size_t i = 0; dirs[i]; i++) {
            g_autofree char *cand = g_build_filename(dirs[i], name, NULL);

            if (*dirs[i] && access(cand, X_OK) == 0)
                return g_steal_pointer(&cand);
        }
    }
    if (access(fallback, X_OK) == 0)
        return g_steal_pointer(&fallback);
    return NULL;
}

static gboolean
command_keep(int fd, const int *keep, guint nkeep)
{
    for (guint i = 0; i < nkeep; i++) {
        if (keep[i] == fd)
            return TRUE;
    }
    return FALSE;
}

void
mv_command_close_fds(const int *keep, guint nkeep)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int dfd;

    if (!d) {
        for (int fd = 3; fd < 65536; fd++) {
            if (!command_keep(fd, keep, nkeep))
                close(fd);
        }
        return;
    }
    dfd = dirfd(d);
    while ((de = readdir(d))) {
        int fd;

        if (de->d_name[0] == '.')
            continue;
        fd = atoi(de->d_name);
        if (fd < 3 || fd == dfd || command_keep(fd, keep, nkeep))
            continue;
        close(fd);
    }
    closedir(d);
}

static void
command_child_stdio(int stdin_fd, int stdout_fd, int stderr_fd)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    dup2(stdin_fd >= 0 ? stdin_fd : null, 0);
    dup2(stdout_fd >= 0 ? stdout_fd : null, 1);
    dup2(stderr_fd >= 0 ? stderr_fd : null, 2);
    if (null > 2)
        close(null);
    else if (null >= 0)
        fcntl(null, F_SETFD, 0);   /* NB: dup2() onto itself keeps close-on-exec */
}

static void
command_reset_signals(void)
{
    sigset_t set;
    struct sigaction sa = { .sa_handler = SIG_DFL };

    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
    }
}

int
mv_command_spawn_detached(const char *const *argv, const char *log_path)
{
    int logfd = -1;
    pid_t pid;
    int status;

    if (log_path)
        logfd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    pid = fork();
    if (pid < 0) {
        int err = errno;

        if (logfd >= 0)
            close(logfd);
        return -err;
    }
    if (pid == 0) {
        pid_t grandchild;

        setsid();
        grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild < 0 ? 1 : 0);
        command_reset_signals();
        command_child_stdio(-1, logfd, logfd);
        mv_command_close_fds(NULL, 0);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (logfd >= 0)
        close(logfd);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -ECHILD;
    return 0;
}

pid_t
mv_command_spawn(const char *const *argv, const char *const *envp, const int *keep_fds,
                 guint nkeep, int stdin_fd, int stdout_fd, int stderr_fd, unsigned int flags)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    if (pid < 0)
        return -errno;
    if (pid == 0) {
        if (flags & MV_COMMAND_NEW_SESSION)
            setsid();
        if (flags & MV_COMMAND_DIE_WITH_PARENT) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            /* The parent may have died before that. */
            if (getppid() != parent)
                _exit(127);
        }
        command_reset_signals();
        command_child_stdio(stdin_fd, stdout_fd, stderr_fd);
        for (guint i = 0; i < nkeep; i++) {
            int flags = fcntl(keep_fds[i], F_GETFD);

            if (flags >= 0)
                fcntl(keep_fds[i], F_SETFD, flags & ~FD_CLOEXEC);
        }
        mv_command_close_fds(keep_fds, nkeep);
        if (envp)
            execve(argv[0], (char *const *)argv, (char *const *)envp);
        else
            execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}
