/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/error.h"
#include "util/file.h"
#include "util/macros.h"

/* Give the unnamed file @fd (O_TMPFILE) the name @path: 0, or -errno
 * (-EEXIST if @path exists).  AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH
 * before Linux 6.10; without it, the file's /proc/self/fd link does the
 * same (remembered: session daemons would try the former every time). */
static int
file_link_fd(int fd, const char *path)
{
    static gint empty_path_refused;
    char proc[64];

    if (!g_atomic_int_get(&empty_path_refused)) {
        if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
            return 0;
        if (errno != ENOENT && errno != EPERM)
            return -errno;
        g_atomic_int_set(&empty_path_refused, 1);
    }
    g_snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
        return -errno;
    return 0;
}

/* Write all of @data to @fd, then set @mode (the umask applied at creation
 * may have taken bits away) and, if @durable, fsync. */
static gboolean
file_fill(int fd, const char *what, const void *data, gsize len, mode_t mode,
          gboolean durable, GError **error)
{
    const char *p = data;
    gsize left = len;

    while (left > 0) {
        ssize_t n = write(fd, p, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mv_error_set_errno(error, n < 0 ? errno : EIO, "cannot write '%s'", what);
            return FALSE;
        }
        p += n;
        left -= n;
    }
    if (fchmod(fd, mode) < 0 || (durable && fsync(fd) < 0)) {
        mv_error_set_errno(error, errno, "cannot sync '%s'", what);
        return FALSE;
    }
    return TRUE;
}

/* Rename the temporary @tmp over @path; on failure @tmp goes. */
static gboolean
file_rename_tmp(const char *tmp, const char *path, GError **error)
{
    if (rename(tmp, path) < 0) {
        mv_error_set_errno(error, errno, "cannot rename '%s' to '%s'", tmp, path);
        unlink(tmp);
        return FALSE;
    }
    return TRUE;
}

/* The way without O_TMPFILE: a named temporary file, (fsync,) rename. */
static gboolean
file_replace_named(const char *path, const void *data, gsize len, mode_t mode,
                   gboolean durable, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    mv_autoclose int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);

    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot create temporary file for '%s'", path);
        return FALSE;
    }
    if (!file_fill(fd, tmp, data, len, mode, durable, error)) {
        unlink(tmp);
        return FALSE;
    }
    return file_rename_tmp(tmp, path, error);
}

/*
 * The content goes to a file without a name in @path's directory
 * (O_TMPFILE), is fsync'ed, then appears under its name complete: linked
 * as @path if there was none (one directory change, and a crash can leave
 * no temporary file), else linked under a temporary name and renamed over
 * @path.  Where O_TMPFILE is not supported: a named temporary file, fsync,
 * rename.  The directory is not synced: the new name reaches the disk with
 * the directory's next writeback, and until then a machine crash leaves the
 * old content (or none), never a partial one.
 */
static gboolean
file_replace(const char *path, const void *data, gsize len, mode_t mode, gboolean durable,
             GError **error)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *tmp = NULL;
    mv_autoclose int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    int r;

    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
        return file_replace_named(path, data, len, mode, durable, error);
    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot create temporary file for '%s'", path);
        return FALSE;
    }
    if (!file_fill(fd, path, data, len, mode, durable, error))
        return FALSE;
    r = file_link_fd(fd, path);
    if (r == 0)
        return TRUE;
    /* Neither way to link it (no /proc, say): the named temporary file. */
    if (r == -ENOENT || r == -EPERM)
        return file_replace_named(path, data, len, mode, durable, error);
    if (r != -EEXIST) {
        mv_error_set_errno(error, -r, "cannot create '%s'", path);
        return FALSE;
    }
    /* Replace: a temporary name ("PATH.XXXXXX", as g_mkstemp() makes), then
     * rename. */
    tmp = g_strdup_printf("%s.XXXXXX", path);
    for (guint tries = 0; ; tries++) {
        char *x = tmp + strlen(tmp) - 6;

        for (guint i = 0; i < 6; i++)
            x[i] = letters[g_random_int_range(0, sizeof(letters) - 1)];
        r = file_link_fd(fd, tmp);
        if (r == 0)
            break;
        if (r != -EEXIST || tries >= 100) {
            mv_error_set_errno(error, -r, "cannot create temporary file for '%s'", path);
            return FALSE;
        }
    }
    return file_rename_tmp(tmp, path, error);
}

gboolean
mv_file_write_atomic(const char *path, const void *data, gsize len, mode_t mode,
                     GError **error)
{
    return file_replace(path, data, len, mode, TRUE, error);
}

gboolean
mv_file_write_atomic_volatile(const char *path, const void *data, gsize len, mode_t mode,
                              GError **error)
{
    return file_replace(path, data, len, mode, FALSE, error);
}

gboolean
mv_file_mkdir(const char *path, mode_t mode, GError **error)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        mv_error_set_errno(error, errno, "cannot create directory '%s'", path);
        return FALSE;
    }
    if (chmod(path, mode) < 0) {
        mv_error_set_errno(error, errno, "cannot set mode of '%s'", path);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_file_symlink_atomic(const char *target, const char *path, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp%d", path, (int)getpid());

    unlink(tmp);
    if (symlink(target, tmp) < 0) {
        mv_error_set_errno(error, errno, "cannot create symlink '%s'", tmp);
        return FALSE;
    }
    if (rename(tmp, path) < 0) {
        mv_error_set_errno(error, errno, "cannot rename '%s' to '%s'", tmp, path);
        unlink(tmp);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_file_unlink(const char *path, GError **error)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        mv_error_set_errno(error, errno, "cannot remove '%s'", path);
        return FALSE;
    }
    return TRUE;
}
