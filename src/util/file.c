/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/error.h"
#include "util/file.h"
#include "util/macros.h"

/* Fill the six X's that end @name with random letters, as g_mkstemp()
 * does ("PATH.XXXXXX"): for a name tried again with other letters. */
static void
file_random_suffix(char *name)
{
    static const char letters[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char *x = name + strlen(name) - 6;

    for (guint i = 0; i < 6; i++)
        x[i] = letters[g_random_int_range(0, sizeof(letters) - 1)];
}

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
        file_random_suffix(tmp);
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

/* ---- spare files ------------------------------------------------------------ */

struct _MvFileSpares {
    char *dir;
    guint target;            /* doubles, up to max, whenever none is ready */
    guint max;
    GMutex lock;
    GCond cond;
    GQueue ready;            /* paths of empty (or truncatable) files */
    gboolean stop;
    GThread *thread;
};

/*
 * A new empty file in @sp's directory: its path, or NULL (errno set).
 * Made unnamed, then linked: creating a named file holds the directory's
 * lock while the inode is allocated (the slow part), and the writers
 * renaming spares out of the directory would wait for it.
 */
static char *
spares_make_one(MvFileSpares *sp)
{
    g_autofree char *path = g_build_filename(sp->dir, "XXXXXX", NULL);
    mv_autoclose int fd = open(sp->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    int r;

    if (fd < 0) {
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
            return NULL;
        /* No O_TMPFILE on this file system. */
        fd = g_mkstemp_full(path, O_WRONLY | O_CLOEXEC, 0600);
        return fd < 0 ? NULL : g_steal_pointer(&path);
    }
    for (guint tries = 0; tries < 100; tries++) {
        file_random_suffix(path);
        r = file_link_fd(fd, path);
        if (r != -EEXIST)
            break;
    }
    if (r < 0) {
        errno = -r;
        return NULL;
    }
    return g_steal_pointer(&path);
}

/* Take what an earlier process left, then keep sp->target ready. */
static gpointer
spares_thread(gpointer data)
{
    MvFileSpares *sp = data;
    GDir *dir;
    const char *entry;
    gboolean warned = FALSE;

    /* Behind every call: this only saves later callers time. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), 10) < 0)
        g_debug("cannot lower the priority of the spare-file thread: %s", g_strerror(errno));
    if ((dir = g_dir_open(sp->dir, 0, NULL))) {
        while ((entry = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(sp->dir, entry, NULL);

            g_mutex_lock(&sp->lock);
            if (sp->ready.length < sp->max) {
                g_queue_push_tail(&sp->ready, g_steal_pointer(&path));
                g_mutex_unlock(&sp->lock);
            } else {
                g_mutex_unlock(&sp->lock);
                g_unlink(path);
            }
        }
        g_dir_close(dir);
    }
    g_mutex_lock(&sp->lock);
    while (!sp->stop) {
        char *path;

        if (sp->ready.length >= sp->target) {
            g_cond_wait(&sp->cond, &sp->lock);
            continue;
        }
        g_mutex_unlock(&sp->lock);
        path = spares_make_one(sp);
        if (!path && errno == ENOENT) {
            /* Removed: made again below. */
            g_info("spare-file directory '%s' is gone: making it again", sp->dir);
        } else if (!path && !warned) {
            g_warning("cannot make spare files in '%s': %s", sp->dir, g_strerror(errno));
            warned = TRUE;
        }
        g_mutex_lock(&sp->lock);
        if (path) {
            g_queue_push_tail(&sp->ready, path);
        } else {
            /* The directory went away, the file system is full...: the
             * writes go the ordinary way meanwhile. */
            gint64 until = g_get_monotonic_time() + G_TIME_SPAN_SECOND;

            while (!sp->stop && g_cond_wait_until(&sp->cond, &sp->lock, until))
                ;
            g_mutex_unlock(&sp->lock);
            mv_file_mkdir(sp->dir, 0700, NULL);
            g_mutex_lock(&sp->lock);
        }
    }
    g_mutex_unlock(&sp->lock);
    return NULL;
}

MvFileSpares *
mv_file_spares_new(const char *dir, guint target, guint max)
{
    MvFileSpares *sp = g_new0(MvFileSpares, 1);
    g_autoptr(GError) error = NULL;

    sp->dir = g_strdup(dir);
    sp->target = MAX(target, 1);
    sp->max = MAX(max, sp->target);
    g_mutex_init(&sp->lock);
    g_cond_init(&sp->cond);
    g_queue_init(&sp->ready);
    /* Made now, so that the directory is there once this returns. */
    if (!mv_file_mkdir(dir, 0700, &error))
        g_warning("%s", error->message);
    sp->thread = g_thread_new("spare-files", spares_thread, sp);
    return sp;
}

void
mv_file_spares_free(MvFileSpares *sp)
{
    if (!sp)
        return;
    g_mutex_lock(&sp->lock);
    sp->stop = TRUE;
    g_cond_signal(&sp->cond);
    g_mutex_unlock(&sp->lock);
    g_thread_join(sp->thread);
    g_queue_clear_full(&sp->ready, g_free);
    g_mutex_clear(&sp->lock);
    g_cond_clear(&sp->cond);
    g_free(sp->dir);
    g_free(sp);
}

guint
mv_file_spares_ready(MvFileSpares *sp)
{
    guint n;

    g_mutex_lock(&sp->lock);
    n = sp->ready.length;
    g_mutex_unlock(&sp->lock);
    return n;
}

/* A spare's path, or NULL if none is ready; wakes the thread below 3/4. */
static char *
spares_take(MvFileSpares *sp)
{
    char *path;

    g_mutex_lock(&sp->lock);
    path = g_queue_pop_head(&sp->ready);
    if (!path)
        sp->target = MIN(sp->target * 2, sp->max);
    if (sp->ready.length < sp->target - sp->target / 4)
        g_cond_signal(&sp->cond);
    g_mutex_unlock(&sp->lock);
    return path;
}

gboolean
mv_file_spares_recycle(MvFileSpares *sp, const char *path, GError **error)
{
    g_autofree char *spare = NULL;
    gboolean room;

    if (sp) {
        g_mutex_lock(&sp->lock);
        room = sp->ready.length < sp->max;
        g_mutex_unlock(&sp->lock);
        if (room)
            spare = g_build_filename(sp->dir, "XXXXXX", NULL);
    }
    for (guint tries = 0; spare && tries < 100; tries++) {
        file_random_suffix(spare);
        if (renameat2(AT_FDCWD, path, AT_FDCWD, spare, RENAME_NOREPLACE) == 0) {
            /* Emptied at once: an old definition does not linger there. */
            if (truncate(spare, 0) < 0) {
                unlink(spare);
                return TRUE;
            }
            g_mutex_lock(&sp->lock);
            g_queue_push_tail(&sp->ready, g_steal_pointer(&spare));
            g_mutex_unlock(&sp->lock);
            return TRUE;
        }
        if (errno == ENOENT && access(path, F_OK) < 0)
            return TRUE;
        if (errno != EEXIST)
            break;
    }
    return mv_file_unlink(path, error);
}

gboolean
mv_file_write_atomic_spare(MvFileSpares *sp, const char *path, const void *data, gsize len,
                           mode_t mode, GError **error)
{
    g_autofree char *spare = sp ? spares_take(sp) : NULL;
    mv_autoclose int fd = -1;

    /* O_NOFOLLOW: whatever is there now is written only if it is a file. */
    if (spare)
        fd = open(spare, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return file_replace(path, data, len, mode, TRUE, error);
    if (!file_fill(fd, path, data, len, mode, TRUE, error)) {
        unlink(spare);
        return FALSE;
    }
    if (rename(spare, path) < 0) {
        int err = errno;

        unlink(spare);
        if (err == EXDEV)
            return file_replace(path, data, len, mode, TRUE, error);
        mv_error_set_errno(error, err, "cannot rename '%s' to '%s'", spare, path);
        return FALSE;
    }
    return TRUE;
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
