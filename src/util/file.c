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

/*
 * Temporary file, (fsync,) rename.  The directory is not synced: the
 * rename reaches the disk with the directory's next writeback, and until
 * then a machine crash leaves the old content, never a partial one.
 */
static gboolean
file_replace(const char *path, const void *data, gsize len, mode_t mode, gboolean durable,
             GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    mv_autoclose int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
    const char *p = data;
    gsize left = len;

    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot create temporary file for '%s'", path);
        return FALSE;
    }
    while (left > 0) {
        ssize_t n = write(fd, p, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mv_error_set_errno(error, n < 0 ? errno : EIO, "cannot write '%s'", tmp);
            unlink(tmp);
            return FALSE;
        }
        p += n;
        left -= n;
    }
    if (fchmod(fd, mode) < 0 || (durable && fsync(fd) < 0)) {
        mv_error_set_errno(error, errno, "cannot sync '%s'", tmp);
        unlink(tmp);
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
