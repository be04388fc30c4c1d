/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storagefiletest.c: file volumes and the qcow2 helper, against QEMU's own
 * tools.
 *
 * - storage_file_probe_path() reads what qemu-img wrote (virtual size,
 *   compat, cluster size, lazy refcounts, backing store and its format)
 *   and tells raw files, directories and ISO images apart;
 * - storage_qcow2_create()/_resize() through qemu-storage-daemon and
 *   through qemu-img give images qemu-img check accepts, with the same
 *   properties; the helper survives being killed and being too slow (a
 *   missed deadline replaces it);
 * - the time per image of both ways is printed (TAP comment), and the
 *   helper must not be slower than forking qemu-img.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/storage/storage-file.h"
#include "drivers/storage/storage-qcow2.h"
#include "util/error.h"

#define MiB (1024 * 1024)

static char *tmpdir;

static char *
tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Run a command line (a test helper, not the code under test). */
static char *
run(const char *cmdline)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!g_spawn_command_line_sync(cmdline, &out, &err, &status, &error))
        g_error("%s: %s", cmdline, error->message);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("%s failed: %s", cmdline, err);
    return g_steal_pointer(&out);
}

static StorageVolDef *
probe(const char *name)
{
    g_autofree char *path = tmp_path(name);
    g_autoptr(GError) error = NULL;
    StorageVolDef *def = storage_file_probe_path(path, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    g_assert_cmpstr(def->name, ==, name);
    g_assert_cmpstr(def->key, ==, path);
    g_assert_cmpstr(def->target.path, ==, path);
    return def;
}

static void
test_probe_qcow2(void)
{
    g_autofree char *a = tmp_path("p1.qcow2");
    g_autofree char *b = tmp_path("p2.qcow2");
    g_autofree char *cmd = NULL;
    g_autoptr(StorageVolDef) d1 = NULL;
    g_autoptr(StorageVolDef) d2 = NULL;

    cmd = g_strdup_printf("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=4096 %s 3G",
                          a);
    g_free(run(cmd));
    g_free(cmd);
    cmd = g_strdup_printf("qemu-img create -q -f qcow2 -o lazy_refcounts=on -b %s -F qcow2 %s",
                          a, b);
    g_free(run(cmd));
    d1 = probe("p1.qcow2");
    g_assert_cmpint(d1->type, ==, STORAGE_VOL_FILE);
    g_assert_cmpint(d1->target.format, ==, STORAGE_FILE_QCOW2);
    g_assert_cmpuint(d1->capacity, ==, 3ULL << 30);
    g_assert_cmpstr(d1->target.compat, ==, "0.10");
    g_assert_cmpuint(d1->target.cluster_size, ==, 4096);
    g_assert_null(d1->backing);
    d2 = probe("p2.qcow2");
    g_assert_cmpuint(d2->capacity, ==, 3ULL << 30);
    g_assert_cmpstr(d2->target.compat, ==, "1.1");
    g_assert_true(d2->target.features & (1u << STORAGE_FILE_FEATURE_LAZY_REFCOUNTS));
    g_assert_nonnull(d2->backing);
    g_assert_cmpstr(d2->backing->path, ==, a);
    g_assert_cmpint(d2->backing->format, ==, STORAGE_FILE_QCOW2);
}

static void
test_probe_raw_dir_iso(void)
{
    g_autofree char *raw = tmp_path("r.img");
    g_autofree char *dir = tmp_path("sub");
    g_autofree char *iso = tmp_path("cd.iso");
    g_autoptr(StorageVolDef) r = NULL;
    g_autoptr(StorageVolDef) d = NULL;
    g_autoptr(StorageVolDef) i = NULL;
    int fd;

    fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 5 * MiB), ==, 0);
    g_assert_cmpint(pwrite(fd, "data", 4, 0), ==, 4);
    close(fd);
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    fd = open(iso, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, "\001CD001", 6, 32768), ==, 6);
    g_assert_cmpint(ftruncate(fd, 64 * 1024), ==, 0);
    close(fd);
    r = probe("r.img");
    g_assert_cmpint(r->target.format, ==, STORAGE_FILE_RAW);
    g_assert_cmpuint(r->capacity, ==, 5 * MiB);
    g_assert_cmpuint(r->physical, ==, 5 * MiB);
    g_assert_cmpuint(r->allocation, <, 5 * MiB);
    g_assert_cmpint(r->target.perms.mode, ==, 0640);
    d = probe("sub");
    g_assert_cmpint(d->type, ==, STORAGE_VOL_DIR);
    g_assert_cmpint(d->target.format, ==, STORAGE_FILE_DIR);
    i = probe("cd.iso");
    g_assert_cmpint(i->target.format, ==, STORAGE_FILE_ISO);
}

static void
put_be32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void
put_be64(guint8 *p, guint64 v)
{
    put_be32(p, v >> 32);
    put_be32(p + 4, (guint32)v);
}

/* A qcow2 v3 header claiming a backing name of @size bytes at @off, in a
 * file of @len bytes (@name written at @off when it fits). */
static void
write_crafted_qcow2(const char *file, guint64 off, guint32 size, gsize len, const char *name)
{
    g_autofree char *path = tmp_path(file);
    g_autofree guint8 *buf = g_malloc0(MAX(len, (gsize)112));
    int fd;

    memcpy(buf, "QFI\xfb", 4);
    put_be32(buf + 4, 3);
    put_be64(buf + 8, off);
    put_be32(buf + 16, size);
    put_be32(buf + 20, 16);
    put_be64(buf + 24, 1ULL << 30);
    put_be32(buf + 100, 104);
    if (name && off < len && strlen(name) <= len - off)
        memcpy(buf + off, name, strlen(name));
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, buf, len), ==, (gssize)len);
    close(fd);
}

/* Headers written to hurt: a backing name "before" the header (an offset
 * that wraps), one past the end of the file, one past the 4 KiB read at
 * first, and a file shorter than a v3 header.  Nothing outside the file
 * is ever read into the volume's description. */
static void
test_probe_qcow2_crafted(void)
{
    static const guint64 wraps[] = { 8, 128, 512, 1000 };
    g_autoptr(StorageVolDef) far = NULL;
    g_autoptr(StorageVolDef) past_end = NULL;
    g_autoptr(StorageVolDef) shorty = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(wraps); i++) {
        g_autofree char *name = g_strdup_printf("wrap%zu.qcow2", i);
        g_autoptr(StorageVolDef) d = NULL;

        write_crafted_qcow2(name, G_MAXUINT64 - wraps[i] + 1, MIN(wraps[i] + 64, 1000), 4096,
                            NULL);
        d = probe(name);
        g_assert_cmpint(d->target.format, ==, STORAGE_FILE_QCOW2);
        g_assert_null(d->backing);
    }
    write_crafted_qcow2("past-end.qcow2", 4090, 100, 4096, NULL);
    past_end = probe("past-end.qcow2");
    g_assert_null(past_end->backing);
    /* A name beyond the first 4 KiB is read where it is. */
    write_crafted_qcow2("far.qcow2", 8192, 9, 8192 + 512, "/far/away");
    far = probe("far.qcow2");
    g_assert_nonnull(far->backing);
    g_assert_cmpstr(far->backing->path, ==, "/far/away");
    g_assert_cmpint(far->backing->format, ==, STORAGE_FILE_RAW);
    /* 40 bytes: too short for the v3 fields; the name is not in the file. */
    write_crafted_qcow2("short.qcow2", 36, 4, 40, NULL);
    shorty = probe("short.qcow2");
    g_assert_cmpint(shorty->target.format, ==, STORAGE_FILE_QCOW2);
    g_assert_false(shorty->target.has_features);
    g_assert_null(shorty->backing);
}

/* "virtual-size", "cluster-size", "compat", "backing-filename" of an image. */
static char *
img_summary(const char *path)
{
    g_autofree char *cmd = g_strdup_printf("qemu-img info --output=json %s", path);
    g_autofree char *info = run(cmd);
    g_autoptr(GString) s = g_string_new(NULL);
    const char *keys[] = { "\"virtual-size\"", "\"cluster-size\"", "\"compat\"",
                           "\"lazy-refcounts\"", "\"backing-filename\"",
                           "\"backing-filename-format\"", NULL };

    g_free(cmd);
    cmd = g_strdup_printf("qemu-img check -q %s", path);
    g_free(run(cmd));
    for (int k = 0; keys[k]; k++) {
        const char *p = strstr(info, keys[k]);

        if (p)
            g_string_append_printf(s, "%.*s;", (int)strcspn(p, ",\n"), p);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean
create_one(StorageQcow2 *q, const char *name, const StorageQcow2Opts *opts, GError **error)
{
    g_autofree char *path = tmp_path(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    return storage_qcow2_create(q, path, opts, g_get_monotonic_time() + 30 * G_USEC_PER_SEC,
                                error);
}

static void
test_qcow2_helper_matches_qemu_img(void)
{
    g_autoptr(GError) error = NULL;
    StorageQcow2 *q = storage_qcow2_new(tmpdir);
    g_autofree char *base = tmp_path("base.qcow2");
    StorageQcow2Opts opts[] = {
        { .size = 1ULL << 30 },
        { .size = 3 * MiB, .compat = "0.10", .cluster_size = 16384 },
        { .size = 64 * MiB, .lazy_refcounts = TRUE, .prealloc_metadata = TRUE },
        { .size = 64 * MiB, .extended_l2 = TRUE },
        { .size = 1ULL << 30, .backing_path = base, .backing_format = "qcow2" },
    };

    g_assert_true(create_one(q, "base.qcow2", &opts[0], &error));
    /* QEMU's refusal comes back as the error, both ways. */
    for (int mode = STORAGE_QCOW2_HELPER; mode <= STORAGE_QCOW2_QEMU_IMG; mode++) {
        StorageQcow2Opts bad = { .size = MiB, .cluster_size = 1000 };

        storage_qcow2_set_mode(q, mode);
        g_assert_false(create_one(q, "bad.qcow2", &bad, &error));
        g_assert_nonnull(error);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, "power of two"));
        g_clear_error(&error);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(opts); i++) {
        g_autofree char *n1 = g_strdup_printf("h%zu.qcow2", i);
        g_autofree char *n2 = g_strdup_printf("i%zu.qcow2", i);
        g_autofree char *p1 = tmp_path(n1);
        g_autofree char *p2 = tmp_path(n2);
        g_autofree char *s1 = NULL;
        g_autofree char *s2 = NULL;

        storage_qcow2_set_mode(q, STORAGE_QCOW2_HELPER);
        g_assert_true(create_one(q, n1, &opts[i], &error));
        g_assert_no_error(error);
        g_assert_cmpint(storage_qcow2_helper_pid(q), >, 0);
        storage_qcow2_set_mode(q, STORAGE_QCOW2_QEMU_IMG);
        g_assert_true(create_one(q, n2, &opts[i], &error));
        g_assert_no_error(error);
        s1 = img_summary(p1);
        s2 = img_summary(p2);
        g_assert_cmpstr(s1, ==, s2);
    }
    storage_qcow2_free(q);
}

static void
test_qcow2_resize(void)
{
    g_autoptr(GError) error = NULL;
    StorageQcow2 *q = storage_qcow2_new(tmpdir);
    StorageQcow2Opts opts = { .size = 64 * MiB };
    g_autofree char *path = tmp_path("rs.qcow2");
    g_autoptr(StorageVolDef) def = NULL;

    storage_qcow2_set_mode(q, STORAGE_QCOW2_HELPER);
    g_assert_true(create_one(q, "rs.qcow2", &opts, &error));
    g_assert_true(storage_qcow2_resize(q, path, 2ULL << 30, 0, &error));
    g_assert_no_error(error);
    def = probe("rs.qcow2");
    g_assert_cmpuint(def->capacity, ==, 2ULL << 30);
    g_clear_pointer(&def, storage_vol_def_free);
    g_assert_true(storage_qcow2_resize(q, path, 32 * MiB, 0, &error));
    def = probe("rs.qcow2");
    g_assert_cmpuint(def->capacity, ==, 32 * MiB);
    g_clear_pointer(&def, storage_vol_def_free);
    storage_qcow2_set_mode(q, STORAGE_QCOW2_QEMU_IMG);
    g_assert_true(storage_qcow2_resize(q, path, 48 * MiB, 0, &error));
    def = probe("rs.qcow2");
    g_assert_cmpuint(def->capacity, ==, 48 * MiB);
    storage_qcow2_free(q);
}

/* Wait until our child @pid has exited, all its threads gone (without
 * reaping it: that is for the code under test). */
static void
wait_exited(int pid)
{
    for (int i = 0; i < 5000; i++) {
        siginfo_t info = { 0 };

        if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
            return;
        g_usleep(1000);
    }
    g_error("process %d did not die", pid);
}

static void
test_qcow2_helper_recovers(void)
{
    g_autoptr(GError) error = NULL;
    StorageQcow2 *q = storage_qcow2_new(tmpdir);
    StorageQcow2Opts opts = { .size = 8 * MiB };
    g_autofree char *path = tmp_path("late.qcow2");
    int pid;
    int fd;

    storage_qcow2_set_mode(q, STORAGE_QCOW2_HELPER);
    g_assert_true(create_one(q, "k1.qcow2", &opts, &error));
    pid = storage_qcow2_helper_pid(q);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    wait_exited(pid);
    /* The next call notices and starts another helper. */
    g_assert_true(create_one(q, "k3.qcow2", &opts, &error));
    g_assert_no_error(error);
    g_assert_cmpint(storage_qcow2_helper_pid(q), !=, pid);
    /* A helper that stops answering: a timeout at the deadline, and a new
     * helper next time. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    close(fd);
    pid = storage_qcow2_helper_pid(q);
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    g_assert_false(storage_qcow2_create(q, path, &opts,
                                        g_get_monotonic_time() + 300 * 1000, &error));
    g_assert_error(error, mv_error_quark(MV_FROM_STORAGE), MV_ERR_OPERATION_TIMEOUT);
    g_clear_error(&error);
    g_assert_cmpint(storage_qcow2_helper_pid(q), ==, 0);
    g_assert_true(create_one(q, "k4.qcow2", &opts, &error));
    g_assert_cmpint(storage_qcow2_helper_pid(q), >, 0);
    g_assert_cmpint(storage_qcow2_helper_pid(q), !=, pid);
    /* A deadline already gone: nothing is tried. */
    g_assert_false(storage_qcow2_create(q, path, &opts, g_get_monotonic_time() - 1, &error));
    g_assert_error(error, mv_error_quark(MV_FROM_STORAGE), MV_ERR_OPERATION_TIMEOUT);
    g_clear_error(&error);
    storage_qcow2_free(q);
}

static double
time_creates(StorageQcow2 *q, const char *prefix, int n)
{
    StorageQcow2Opts opts = { .size = 1ULL << 30 };
    g_autoptr(GError) error = NULL;
    gint64 start;

    /* Warm up (starts the helper). */
    g_assert_true(create_one(q, "warm.qcow2", &opts, &error));
    start = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("%s%d.qcow2", prefix, i);

        g_assert_true(create_one(q, name, &opts, &error));
    }
    return (g_get_monotonic_time() - start) / 1000.0 / n;
}

static void
test_qcow2_helper_is_faster(void)
{
    StorageQcow2 *q = storage_qcow2_new(tmpdir);
    double helper, img;

    storage_qcow2_set_mode(q, STORAGE_QCOW2_QEMU_IMG);
    img = time_creates(q, "ti", 30);
    storage_qcow2_set_mode(q, STORAGE_QCOW2_HELPER);
    helper = time_creates(q, "th", 30);
    g_test_message("qcow2 create: qemu-storage-daemon %.2f ms, qemu-img %.2f ms per image",
                   helper, img);
    g_assert_cmpfloat(helper, <, img);
    storage_qcow2_free(q);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *cleanup = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* The helper tests provoke the warnings a dead or slow helper gives. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    if (!(tmpdir = g_dir_make_tmp("storagefiletest-XXXXXX", &error)))
        g_error("%s", error->message);
    g_test_add_func("/storage/file/probe-qcow2", test_probe_qcow2);
    g_test_add_func("/storage/file/probe-raw-dir-iso", test_probe_raw_dir_iso);
    g_test_add_func("/storage/file/probe-qcow2-crafted", test_probe_qcow2_crafted);
    g_test_add_func("/storage/qcow2/helper-matches-qemu-img", test_qcow2_helper_matches_qemu_img);
    g_test_add_func("/storage/qcow2/resize", test_qcow2_resize);
    g_test_add_func("/storage/qcow2/helper-recovers", test_qcow2_helper_recovers);
    g_test_add_func("/storage/qcow2/helper-is-faster", test_qcow2_helper_is_faster);
    ret = g_test_run();
    cleanup = g_strdup_printf("rm -rf %s", tmpdir);
    g_free(run(cleanup));
    g_free(tmpdir);
    return ret;
}
