/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend.c: the backend registry and what backends share: the
 * refresh result, open volumes, deadlines and running helper programs.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/storage/storage-backend.h"
#include "util/command.h"
#include "util/error.h"
#include "util/macros.h"

/* Every backend built in.  Add a line per new backend. */
static const StorageBackend *const storage_backends[] = {
    &storage_backend_dir,
    &storage_backend_fs,
    &storage_backend_logical,
    &storage_backend_iscsi,
    &storage_backend_iscsi_direct,
};

const StorageBackend *
storage_backend_for_type(StoragePoolType type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(storage_backends); i++) {
        if (storage_backends[i]->type == type)
            return storage_backends[i];
    }
    return NULL;
}

StorageRefreshResult *
storage_refresh_result_new(void)
{
    StorageRefreshResult *res = g_new0(StorageRefreshResult, 1);

    res->vols = g_ptr_array_new_with_free_func((GDestroyNotify)storage_vol_def_free);
    storage_perms_init(&res->target_perms);
    return res;
}

void
storage_refresh_result_free(StorageRefreshResult *res)
{
    if (!res)
        return;
    g_ptr_array_unref(res->vols);
    storage_perms_clear(&res->target_perms);
    g_free(res);
}

StorageVolIO *
storage_vol_io_new_fd(int fd, guint64 size, gboolean is_block)
{
    StorageVolIO *io = g_new0(StorageVolIO, 1);

    io->fd = fd;
    io->size = size;
    io->is_block = is_block;
    return io;
}

void
storage_vol_io_free(StorageVolIO *io)
{
    if (!io)
        return;
    if (io->free_priv)
        io->free_priv(io->priv);
    if (io->fd >= 0)
        close(io->fd);
    g_free(io);
}

/* ---- deadlines ---------------------------------------------------------- */

int
storage_deadline_remaining_ms(gint64 deadline)
{
    gint64 left;

    if (deadline == 0)
        return -1;
    left = deadline - g_get_monotonic_time();
    if (left <= 0)
        return 0;
    return (int)MIN((left + 999) / 1000, G_MAXINT);
}

char *
storage_fd_path(int fd)
{
    return g_strdup_printf("/proc/%d/fd/%d", (int)getpid(), fd);
}

gint64
storage_backend_step_deadline(const StorageBackendPool *pool)
{
    if (pool->deadline != 0 || pool->step_timeout_ms == 0)
        return pool->deadline;
    return g_get_monotonic_time() + (gint64)pool->step_timeout_ms * 1000;
}

gboolean
storage_deadline_check(gint64 deadline, const char *what, GError **error)
{
    if (deadline != 0 && g_get_monotonic_time() >= deadline) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT, "%s", what);
        return FALSE;
    }
    return TRUE;
}

/* ---- helper programs -------------------------------------------------- */

char *
storage_command_find(const char *name)
{
    static const char *const extra[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
    char *path;

    if (strchr(name, '/'))
        return g_access(name, X_OK) == 0 ? g_strdup(name) : NULL;
    if ((path = g_find_program_in_path(name)))
        return path;
    for (size_t i = 0; i < G_N_ELEMENTS(extra); i++) {
        path = g_build_filename(extra[i], name, NULL);
        if (g_access(path, X_OK) == 0)
            return path;
        g_free(path);
    }
    return NULL;
}

typedef struct {
    int fd;
    GString *buf;
} CommandPipe;

/* Move data between the child and us until both output pipes are closed
 * or @deadline passes.  Returns FALSE on timeout. */
static gboolean
command_pump(int in_fd, const char *input, CommandPipe *out, CommandPipe *err,
             gint64 deadline)
{
    gsize in_len = input ? strlen(input) : 0;
    gsize in_off = 0;

    while (out->fd >= 0 || err->fd >= 0) {
        struct pollfd fds[3];
        CommandPipe *pipes[3] = { NULL, NULL, NULL };
        int n = 0;
        int r;

        if (in_fd >= 0) {
            fds[n] = (struct pollfd){ .fd = in_fd, .events = POLLOUT };
            n++;
        }
        for (int i = 0; i < 2; i++) {
            CommandPipe *p = i == 0 ? out : err;

            if (p->fd < 0)
                continue;
            pipes[n] = p;
            fds[n] = (struct pollfd){ .fd = p->fd, .events = POLLIN };
            n++;
        }
        r = poll(fds, n, storage_deadline_remaining_ms(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return FALSE;
        for (int i = 0; i < n; i++) {
            char buf[4096];
            gssize len;

            if (!fds[i].revents)
                continue;
            if (!pipes[i]) {
                len = write(in_fd, input + in_off, in_len - in_off);
                if (len > 0)
                    in_off += len;
                if ((len < 0 && errno != EINTR && errno != EAGAIN) || in_off >= in_len) {
                    close(in_fd);
                    in_fd = -1;
                }
                continue;
            }
            len = read(fds[i].fd, buf, sizeof(buf));
            if (len > 0) {
                g_string_append_len(pipes[i]->buf, buf, len);
            } else if (len == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(pipes[i]->fd);
                pipes[i]->fd = -1;
            }
        }
    }
    if (in_fd >= 0)
        close(in_fd);
    return TRUE;
}

static int
command_wait(pid_t pid, gint64 deadline)
{
    int status = 0;

    for (;;) {
        pid_t r = waitpid(pid, &status, deadline ? WNOHANG : 0);

        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (r == 0) {
            if (storage_deadline_remaining_ms(deadline) == 0)
                return -2;
            g_usleep(1000);
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void
command_kill(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static gboolean
command_pipe(int fds[2], GError **error)
{
    if (pipe2(fds, O_CLOEXEC) < 0) {
        mv_error_set_errno(error, errno, "cannot create a pipe");
        return FALSE;
    }
    return TRUE;
}

/* @argv as one line for messages and logs, the value after each
 * "--value" left out: iscsiadm gets CHAP passwords that way. */
static char *
command_line_redacted(const char *const *argv)
{
    GString *line = g_string_new(NULL);

    for (guint i = 0; argv[i]; i++) {
        if (i > 0)
            g_string_append_c(line, ' ');
        if (i > 0 && g_str_equal(argv[i - 1], "--value"))
            g_string_append(line, "***");
        else
            g_string_append(line, argv[i]);
    }
    return g_string_free(line, FALSE);
}

gboolean
storage_command_run(const char *const *argv, const char *input, gint64 deadline,
                    char **ret_out, char **ret_err, int *ret_status, GError **error)
{
    g_autofree char *prog = storage_command_find(argv[0]);
    g_autofree char *cmdline = command_line_redacted(argv);
    g_autoptr(GString) out_buf = g_string_new(NULL);
    g_autoptr(GString) err_buf = g_string_new(NULL);
    g_autofree const char **args = NULL;
    int in_pipe[2] = { -1, -1 };
    int out_pipe[2] = { -1, -1 };
    int err_pipe[2] = { -1, -1 };
    CommandPipe out, err;
    guint argc = g_strv_length((char **)argv);
    pid_t pid;
    int status;

    if (!prog) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "Cannot find '%s' in path: %s", argv[0], g_strerror(ENOENT));
        return FALSE;
    }
    args = g_new0(const char *, argc + 1);
    args[0] = prog;
    for (guint i = 1; i < argc; i++)
        args[i] = argv[i];
    if ((input && !command_pipe(in_pipe, error)) || !command_pipe(out_pipe, error) ||
        !command_pipe(err_pipe, error)) {
        for (int i = 0; i < 2; i++) {
            mv_closep(&in_pipe[i]);
            mv_closep(&out_pipe[i]);
            mv_closep(&err_pipe[i]);
        }
        return FALSE;
    }
    pid = mv_command_spawn(args, NULL, NULL, 0, in_pipe[0], out_pipe[1], err_pipe[1], FALSE);
    mv_closep(&in_pipe[0]);
    mv_closep(&out_pipe[1]);
    mv_closep(&err_pipe[1]);
    if (pid < 0) {
        mv_closep(&in_pipe[1]);
        mv_closep(&out_pipe[0]);
        mv_closep(&err_pipe[0]);
        mv_error_set_errno(error, -pid, "cannot run '%s'", prog);
        return FALSE;
    }
    out = (CommandPipe){ out_pipe[0], out_buf };
    err = (CommandPipe){ err_pipe[0], err_buf };
    if (!command_pump(in_pipe[1], input, &out, &err, deadline) ||
        (status = command_wait(pid, deadline)) == -2) {
        mv_closep(&out.fd);
        mv_closep(&err.fd);
        command_kill(pid);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                     "Child process (%s) did not finish in time and was killed", cmdline);
        return FALSE;
    }
    if (status < 0) {
        mv_error_set_errno(error, errno, "cannot wait for '%s'", prog);
        return FALSE;
    }
    g_strchomp(err_buf->str);
    if (!ret_status && status != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "Child process (%s) unexpected exit status %d: %s", cmdline, status,
                     err_buf->str);
        return FALSE;
    }
    if (ret_status)
        *ret_status = status;
    if (ret_out)
        *ret_out = g_string_free(g_steal_pointer(&out_buf), FALSE);
    if (ret_err)
        *ret_err = g_string_free(g_steal_pointer(&err_buf), FALSE);
    return TRUE;
}
