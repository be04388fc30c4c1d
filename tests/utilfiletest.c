/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utilfiletest.c: the atomic writes of src/util/file.c.
 *
 * Both variants (fsync'ed and volatile) give the new content in full with
 * the mode asked for, whatever the umask, replace an existing file, and
 * leave no temporary file behind, also when they fail; a failure leaves the
 * old content.  A new file appears in its directory under its own name
 * only, complete (inotify sees no temporary name): it was written unnamed
 * (O_TMPFILE), where the file system has it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/error.h"
#include "util/file.h"

typedef gboolean (*WriteFn)(const char *, const void *, gsize, mode_t, GError **);

typedef struct {
    const char *name;
    WriteFn fn;
} Variant;

static const Variant variants[] = {
    { "durable", mv_file_write_atomic },
    { "volatile", mv_file_write_atomic_volatile },
};

static guint
count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

static void
check_file(const char *path, const char *want, mode_t mode)
{
    g_autofree char *got = NULL;
    struct stat st;

    g_assert_true(g_file_get_contents(path, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, want);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, mode);
}

static void
test_write_replace(gconstpointer data)
{
    const Variant *v = data;
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "dom.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) big = g_string_new(NULL);
    mode_t old_umask = umask(0077);

    g_assert_nonnull(dir);
    g_assert_true(v->fn(path, "first\n", 6, 0644, &error));
    g_assert_no_error(error);
    check_file(path, "first\n", 0644);

    /* Larger than one write() may take at once on some systems. */
    for (guint i = 0; i < 20000; i++)
        g_string_append_printf(big, "<line n='%u'/>\n", i);
    g_assert_true(v->fn(path, big->str, big->len, 0600, &error));
    g_assert_no_error(error);
    check_file(path, big->str, 0600);

    g_assert_true(v->fn(path, "", 0, 0600, &error));
    check_file(path, "", 0600);
    g_assert_cmpuint(count_entries(dir), ==, 1);

    umask(old_umask);
    g_unlink(path);
    g_rmdir(dir);
}

/* The names the directory events read from @ifd name, in order, "+" for
 * created, ">" for renamed to, "<" for renamed from. */
static char *
read_dir_events(int ifd)
{
    g_autoptr(GString) out = g_string_new(NULL);
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;

    while ((n = read(ifd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n; ) {
            const struct inotify_event *ev = (const struct inotify_event *)p;

            const char *what = "<";

            if (ev->mask & IN_CREATE)
                what = "+";
            else if (ev->mask & IN_MOVED_TO)
                what = ">";
            g_string_append_printf(out, "%s%s ", what, ev->len ? ev->name : "?");
            p += sizeof(*ev) + ev->len;
        }
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Whether @dir's file system has O_TMPFILE (not every one does). */
static gboolean
tmpfile_supported(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

    if (fd < 0)
        return FALSE;
    close(fd);
    return TRUE;
}

static void
test_new_file_appears_whole(gconstpointer data)
{
    const Variant *v = data;
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "dom.xml", NULL);
    g_autofree char *events = NULL;
    g_autoptr(GError) error = NULL;
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

    g_assert_cmpint(ifd, >=, 0);
    g_assert_cmpint(inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM), >=, 0);
    g_assert_true(v->fn(path, "new\n", 4, 0600, &error));
    g_assert_no_error(error);
    events = read_dir_events(ifd);
    if (tmpfile_supported(dir)) {
        g_assert_cmpstr(events, ==, "+dom.xml ");
    } else {
        /* The fallback: a named temporary file, renamed. */
        g_assert_true(g_str_has_prefix(events, "+dom.xml."));
        g_assert_true(g_str_has_suffix(events, ">dom.xml "));
    }
    check_file(path, "new\n", 0600);

    /* Replacing it: under a temporary name, renamed over it. */
    g_clear_pointer(&events, g_free);
    g_assert_true(v->fn(path, "newer\n", 6, 0600, &error));
    events = read_dir_events(ifd);
    g_assert_true(g_str_has_suffix(events, ">dom.xml "));
    g_assert_true(g_str_has_prefix(events, "+dom.xml."));
    check_file(path, "newer\n", 0600);
    g_assert_cmpuint(count_entries(dir), ==, 1);

    close(ifd);
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_write_failure(gconstpointer data)
{
    const Variant *v = data;
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *gone = g_build_filename(dir, "gone", "dom.xml", NULL);
    g_autofree char *path = g_build_filename(dir, "dom.xml", NULL);
    g_autofree char *sub = g_build_filename(dir, "dom.xml", "x", NULL);
    g_autoptr(GError) error = NULL;

    /* The directory does not exist: an error naming the file, nothing made. */
    g_assert_false(v->fn(gone, "x", 1, 0600, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, gone));
    g_clear_error(&error);
    g_assert_cmpuint(count_entries(dir), ==, 0);

    /* The rename fails (a directory is in the way): the old content stays
     * and the temporary file goes. */
    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    g_assert_true(g_file_set_contents(sub, "keep", -1, NULL));
    g_assert_false(v->fn(path, "new", 3, 0600, &error));
    g_assert_nonnull(error);
    g_assert_cmpuint(count_entries(dir), ==, 1);
    g_assert_true(g_file_test(sub, G_FILE_TEST_IS_REGULAR));

    g_unlink(sub);
    g_rmdir(path);
    g_rmdir(dir);
}

/* ---- spare files ---- */

static void
wait_ready(MvFileSpares *sp, guint n)
{
    gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    while (mv_file_spares_ready(sp) < n) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }
}

/* Remove @dir and the files in it (one level). */
static void
rm_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *e;

    if (!d)
        return;
    while ((e = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, e, NULL);

        g_unlink(p);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

/* Every file in the spare directory @sdir is an empty regular file. */
static void
check_spares_empty(const char *sdir)
{
    GDir *d = g_dir_open(sdir, 0, NULL);
    const char *e;
    struct stat st;

    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(sdir, e, NULL);

        g_assert_cmpint(lstat(p, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpint(st.st_size, ==, 0);
    }
    g_dir_close(d);
}

/* A spare is used for a new file and for a replacement: the content and
 * mode asked for, the spare gone from its directory (one fewer there, or
 * made again), nothing else in the target directory. */
static void
test_spares_write(void)
{
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *sdir = g_build_filename(dir, ".spare", NULL);
    g_autofree char *path = g_build_filename(dir, "dom.xml", NULL);
    g_autoptr(GError) error = NULL;
    MvFileSpares *sp = mv_file_spares_new(sdir, 3, 3);
    mode_t old_umask = umask(0077);
    struct stat st;
    ino_t first_ino;

    /* The directory is made before mv_file_spares_new() returns. */
    g_assert_true(g_file_test(sdir, G_FILE_TEST_IS_DIR));
    wait_ready(sp, 3);
    g_assert_cmpuint(count_entries(sdir), ==, 3);
    check_spares_empty(sdir);

    g_assert_true(mv_file_write_atomic_spare(sp, path, "first\n", 6, 0644, &error));
    g_assert_no_error(error);
    check_file(path, "first\n", 0644);
    g_assert_cmpint(stat(path, &st), ==, 0);
    first_ino = st.st_ino;
    /* The replacement is another spare, another inode. */
    g_assert_true(mv_file_write_atomic_spare(sp, path, "second\n", 7, 0600, &error));
    g_assert_no_error(error);
    check_file(path, "second\n", 0600);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_ino, !=, first_ino);
    /* dom.xml and .spare only */
    g_assert_cmpuint(count_entries(dir), ==, 2);
    wait_ready(sp, 3);
    g_assert_cmpuint(count_entries(sdir), ==, 3);

    mv_file_spares_free(sp);
    /* The spares stay for the next process. */
    g_assert_cmpuint(count_entries(sdir), ==, 3);
    umask(old_umask);
    g_unlink(path);
    rm_dir(sdir);
    g_rmdir(dir);
}

/* What a crash left in the spare directory is reused, truncated first; a
 * symlink there is not followed (the write goes the ordinary way). */
static void
test_spares_leftovers(void)
{
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *sdir = g_build_filename(dir, ".spare", NULL);
    g_autofree char *junk = g_build_filename(sdir, "AAAAAA", NULL);
    g_autofree char *victim = g_build_filename(dir, "victim", NULL);
    g_autofree char *link = g_build_filename(sdir, "BBBBBB", NULL);
    g_autofree char *path = g_build_filename(dir, "dom.xml", NULL);
    g_autofree char *path2 = g_build_filename(dir, "dom2.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *got = NULL;
    MvFileSpares *sp;

    g_assert_cmpint(g_mkdir(sdir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(junk, "half-written content of a crashed write", -1, NULL));
    g_assert_true(g_file_set_contents(victim, "untouched", -1, NULL));
    g_assert_cmpint(symlink(victim, link), ==, 0);

    /* One kept ready at most: the scan queues what it finds first. */
    sp = mv_file_spares_new(sdir, 1, 2);
    wait_ready(sp, 2);
    g_assert_true(mv_file_write_atomic_spare(sp, path, "new", 3, 0600, &error));
    g_assert_no_error(error);
    check_file(path, "new", 0600);
    g_assert_true(mv_file_write_atomic_spare(sp, path2, "new2", 4, 0600, &error));
    g_assert_no_error(error);
    check_file(path2, "new2", 0600);
    g_assert_true(g_file_get_contents(victim, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, "untouched");
    /* The junk file was used (renamed away), whichever came first. */
    g_assert_false(g_file_test(junk, G_FILE_TEST_EXISTS));
    mv_file_spares_free(sp);

    g_unlink(path);
    g_unlink(path2);
    g_unlink(victim);
    rm_dir(sdir);
    g_rmdir(dir);
}

/* A recycled file leaves its place, waits emptied in the spare directory
 * and is the inode a later write uses; with the spares full, or none,
 * recycling is unlink(); a missing file is no error. */
static void
test_spares_recycle(void)
{
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *sdir = g_build_filename(dir, ".spare", NULL);
    g_autofree char *old = g_build_filename(dir, "old.xml", NULL);
    g_autofree char *x = g_build_filename(dir, "x.xml", NULL);
    g_autofree char *y = g_build_filename(dir, "y.xml", NULL);
    g_autoptr(GError) error = NULL;
    MvFileSpares *sp = mv_file_spares_new(sdir, 1, 2);
    struct stat st;
    ino_t ino;

    wait_ready(sp, 1);
    g_assert_true(g_file_set_contents(old, "<domain>secret</domain>", -1, NULL));
    g_assert_cmpint(stat(old, &st), ==, 0);
    ino = st.st_ino;
    g_assert_true(mv_file_spares_recycle(sp, old, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(old, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(mv_file_spares_ready(sp), ==, 2);
    g_assert_cmpuint(count_entries(sdir), ==, 2);
    check_spares_empty(sdir);
    /* The older spare first, then the recycled inode. */
    g_assert_true(mv_file_write_atomic_spare(sp, x, "x", 1, 0600, &error));
    g_assert_true(mv_file_write_atomic_spare(sp, y, "y", 1, 0600, &error));
    g_assert_no_error(error);
    check_file(y, "y", 0600);
    g_assert_cmpint(stat(y, &st), ==, 0);
    g_assert_cmpuint(st.st_ino, ==, ino);

    /* Full (2 of 2): unlinked. */
    wait_ready(sp, 1);
    g_assert_true(mv_file_spares_recycle(sp, x, &error));
    g_assert_cmpuint(mv_file_spares_ready(sp), ==, 2);
    g_assert_true(mv_file_spares_recycle(sp, y, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(y, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(mv_file_spares_ready(sp), ==, 2);
    g_assert_cmpuint(count_entries(sdir), ==, 2);
    g_assert_true(mv_file_spares_recycle(sp, y, &error));
    g_assert_no_error(error);
    mv_file_spares_free(sp);

    g_assert_true(g_file_set_contents(y, "y", -1, NULL));
    g_assert_true(mv_file_spares_recycle(NULL, y, &error));
    g_assert_false(g_file_test(y, G_FILE_TEST_EXISTS));
    rm_dir(sdir);
    rm_dir(dir);
}

/* A caller that finds none ready doubles the number kept, up to the max.
 * Here none is ready because the directory went away (with the spares in
 * it): the writes go the ordinary way meanwhile, and the thread makes the
 * directory again and refills it. */
static void
test_spares_grow(void)
{
    g_autofree char *dir = g_dir_make_tmp("utilfiletest-XXXXXX", NULL);
    g_autofree char *sdir = g_build_filename(dir, ".spare", NULL);
    g_autoptr(GError) error = NULL;
    MvFileSpares *sp = mv_file_spares_new(sdir, 2, 8);

    wait_ready(sp, 2);
    rm_dir(sdir);
    /* 2 stale spares, then 4 writes that find none: 2 -> 4 -> 8 -> 8 -> 8 */
    for (guint i = 0; i < 6; i++) {
        g_autofree char *p = g_strdup_printf("%s/d%u.xml", dir, i);

        g_assert_true(mv_file_write_atomic_spare(sp, p, "x", 1, 0600, &error));
        g_assert_no_error(error);
        check_file(p, "x", 0600);
    }
    g_assert_cmpuint(mv_file_spares_ready(sp), ==, 0);
    wait_ready(sp, 8);
    g_assert_true(g_file_test(sdir, G_FILE_TEST_IS_DIR));
    g_usleep(50 * 1000);
    g_assert_cmpuint(mv_file_spares_ready(sp), ==, 8);
    g_assert_cmpuint(count_entries(sdir), ==, 8);
    mv_file_spares_free(sp);

    /* Without spares: the ordinary atomic write. */
    {
        g_autofree char *p = g_build_filename(dir, "plain.xml", NULL);

        g_assert_true(mv_file_write_atomic_spare(NULL, p, "y", 1, 0600, &error));
        g_assert_no_error(error);
        check_file(p, "y", 0600);
    }
    rm_dir(sdir);
    rm_dir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(variants); i++) {
        g_autofree char *a = g_strdup_printf("/util/file/%s/write-replace", variants[i].name);
        g_autofree char *b = g_strdup_printf("/util/file/%s/failure", variants[i].name);
        g_autofree char *c = g_strdup_printf("/util/file/%s/new-file-appears-whole",
                                             variants[i].name);

        g_test_add_data_func(a, &variants[i], test_write_replace);
        g_test_add_data_func(b, &variants[i], test_write_failure);
        g_test_add_data_func(c, &variants[i], test_new_file_appears_whole);
    }
    g_test_add_func("/util/file/spares/write", test_spares_write);
    g_test_add_func("/util/file/spares/leftovers", test_spares_leftovers);
    g_test_add_func("/util/file/spares/grow", test_spares_grow);
    g_test_add_func("/util/file/spares/recycle", test_spares_recycle);
    return g_test_run();
}
