/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemucapstest.c: QEMU capabilities.
 *
 * Against the real qemu-system-x86_64: what the probe finds (compared with
 * what the binary says on its command line), the disk cache (a second
 * lookup starts no QEMU at all, counted by a wrapper script and by the
 * probe's own counter; a changed binary or host probes again), and the CPU
 * configurations picked for host-passthrough / maximum / host-model, each
 * of which must really start.
 *
 * Against recorded capabilities (JSON files in qemucapsdata): <domainCapabilities>
 * and the guest part of <capabilities> as golden files.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-monitor.h"
#include "testutils.h"
#include "util/error.h"

static char *test_dir;           /* everything this test writes */

/* Where Debian's QEMU keeps its modules. */
#define QEMU_MODULES "/usr/lib/x86_64-linux-gnu/qemu"


static const char *
test_qemu_binary(void)
{
    static char *path;

    if (!path) {
        const char *env = g_getenv("MODVIRT_TEST_QEMU");

        path = env ? g_strdup(env) : g_find_program_in_path("qemu-system-x86_64");
        if (!path)
            g_error("required tool 'qemu-system-x86_64' is not installed");
    }
    return path;
}

static char *
test_subdir(const char *name)
{
    g_autofree char *tmpl = g_strdup_printf("%s/%s-XXXXXX", test_dir, name);

    g_assert_nonnull(g_mkdtemp(tmpl));
    return g_steal_pointer(&tmpl);
}

static char *
test_run(const char *arg1, const char *arg2)
{
    const char *argv[] = { test_qemu_binary(), arg1, arg2, NULL };
    g_autofree char *out = NULL;
    int status = 0;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return g_steal_pointer(&out);
}

/* The machine names "-machine help" lists, "none" aside. */
static GHashTable *
test_machine_help(void)
{
    g_autofree char *out = test_run("-machine", "help");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (size_t i = 1; lines[i]; i++) {
        g_auto(GStrv) words = g_strsplit(g_strstrip(lines[i]), " ", 2);

        if (words[0] && *words[0] && !g_str_equal(words[0], "none"))
            g_hash_table_add(names, g_strdup(words[0]));
    }
    return names;
}

static guint64
test_qemu_version(void)
{
    g_autofree char *out = test_run("--version", NULL);
    unsigned int maj = 0, min = 0, mic = 0;
    const char *p = strstr(out, "version ");

    g_assert_nonnull(p);
    g_assert_cmpint(sscanf(p, "version %u.%u.%u", &maj, &min, &mic), >=, 2);
    return maj * 1000000ULL + min * 1000ULL + mic;
}

static guint
test_count_lines(const char *path)
{
    g_autofree char *text = NULL;
    guint n = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* A "qemu-system-x86_64" in @dir that logs each run to @dir/runs. */
static char *
test_counting_wrapper(const char *dir)
{
    g_autofree char *script = g_strdup_printf("#!/bin/sh\necho run >> '%s/runs'\n"
                                              "exec '%s' \"$@\"\n", dir, test_qemu_binary());
    char *path = g_build_filename(dir, "qemu-system-x86_64", NULL);

    g_assert_true(g_file_set_contents(path, script, -1, NULL));
    g_assert_cmpint(g_chmod(path, 0755), ==, 0);
    return path;
}

static void
test_set_mtime(const char *path, time_t when)
{
    struct utimbuf times = { .actime = when, .modtime = when };

    g_assert_cmpint(utime(path, &times), ==, 0);
}

/* Probing the real binary ------------------------------------------------ */

static QemuCaps *real_caps;      /* probed once, shared by the tests below */

static const QemuCaps *
test_real_caps(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *cache = NULL;

    if (real_caps)
        return real_caps;
    cache = test_subdir("real");
    real_caps = qemu_caps_get(test_qemu_binary(), cache, &error);
    g_assert_no_error(error);
    g_assert_nonnull(real_caps);
    return real_caps;
}

static void
test_probe(void)
{
    const QemuCaps *caps = test_real_caps();
    g_autoptr(GHashTable) help = test_machine_help();
    g_autoptr(GHashTable) probed = g_hash_table_new(g_str_hash, g_str_equal);
    const QemuMachine *def;
    const QemuMachine *pc;
    GHashTableIter iter;
    gpointer name;

    g_assert_cmpstr(caps->arch, ==, "x86_64");
    g_assert_cmpuint(caps->version, ==, test_qemu_version());
    g_assert_nonnull(caps->package);

    /* The same machine types as "-machine help", aliases included. */
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (!g_str_equal(m->name, "none"))
            g_hash_table_add(probed, m->name);
        g_assert_cmpuint(m->max_cpus, >, 0);
    }
    g_assert_cmpuint(g_hash_table_size(probed), ==, g_hash_table_size(help));
    g_hash_table_iter_init(&iter, help);
    while (g_hash_table_iter_next(&iter, &name, NULL))
        g_assert_true(g_hash_table_contains(probed, name));

    /* "pc" is an alias of the default machine, which comes first. */
    def = qemu_caps_get_machine(caps, NULL);
    pc = qemu_caps_get_machine(caps, "pc");
    g_assert_nonnull(def);
    g_assert_true(def == pc);
    g_assert_true(g_str_has_prefix(def->name, "pc-i440fx-"));
    g_assert_true(g_ptr_array_index(caps->machines, 0) == def);
    g_assert_true(g_str_has_prefix(qemu_caps_get_machine(caps, "q35")->name, "pc-q35-"));
    g_assert_null(qemu_caps_get_machine(caps, "no-such-machine"));

    g_assert_cmpint(caps->kvm, ==, access("/dev/kvm", R_OK | W_OK) == 0);
    g_assert_true(caps->accel[QEMU_CAPS_ACCEL_TCG].available);
    g_assert_nonnull(qemu_caps_get_cpu_model(caps, QEMU_CAPS_ACCEL_TCG, "qemu64"));
    g_assert_cmpstr(qemu_caps_get_cpu_model(caps, QEMU_CAPS_ACCEL_TCG, "qemu64")->alias_of,
                    ==, "qemu64-v1");
    if (caps->kvm) {
        g_assert_cmpuint(caps->accel[QEMU_CAPS_ACCEL_KVM].cpu_models->len, >, 10);
        g_assert_cmpuint(caps->kvm_max_vcpus, >, 0);
    }
    g_assert_true(qemu_caps_has_device(caps, "virtio-blk-pci"));
    g_assert_true(qemu_caps_has_device(caps, "virtio-net-pci"));
    g_assert_false(qemu_caps_has_device(caps, "no-such-device"));
    g_assert_true(qemu_caps_has_command(caps, "query-status"));
    g_assert_true(qemu_caps_has_command(caps, "qmp_capabilities"));
}

static void
test_child_setup(gpointer data)
{
    /* Die with the test, whatever happens to it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Does QEMU come up (and stay up) with -cpu @cpu? */
static gboolean
test_cpu_runs(const char *machine, const char *accel, const char *cpu)
{
    g_autofree char *dir = test_subdir("cpu");
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    g_autofree char *marg = g_strdup_printf("%s,accel=%s", machine, accel);
    const char *argv[] = { test_qemu_binary(), "-S", "-nodefaults", "-no-user-config",
                           "-display", "none", "-machine", marg, "-cpu", cpu, "-m", "32",
                           "-qmp", qmp, NULL };
    QemuMonitorConfig cfg = { .open_timeout_ms = 10000 };
    g_autoptr(GError) error = NULL;
    QemuMonitor *mon;
    gboolean alive;
    GPid pid;

    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                test_child_setup, NULL, &pid, NULL));
    cfg.pid = pid;
    mon = qemu_monitor_open(sock, &cfg, &error);
    g_usleep(300 * 1000);
    alive = mon && waitpid(pid, NULL, WNOHANG) == 0;
    qemu_monitor_close(mon);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    g_spawn_close_pid(pid);
    return alive;
}

static void
test_cpu_mapping(void)
{
    const QemuCaps *caps = test_real_caps();
    const char *machine = qemu_caps_get_machine(caps, NULL)->name;
    guint checked = 0;

    for (int a = 0; a < QEMU_CAPS_ACCEL_LAST; a++) {
        for (int mode = 0; mode < QEMU_CAPS_CPU_LAST; mode++) {
            const char *cfg = qemu_caps_cpu_config(caps, a, mode);

            if (!cfg)
                continue;
            /* Whatever was picked must start, not abort. */
            if (!test_cpu_runs(machine, qemu_caps_accel_to_string(a), cfg))
                g_error("%s %s maps to '-cpu %s', which does not start",
                        qemu_caps_accel_to_string(a), qemu_caps_cpu_mode_to_string(mode), cfg);
            checked++;
        }
    }
    g_assert_null(qemu_caps_cpu_config(caps, QEMU_CAPS_ACCEL_TCG,
                                       QEMU_CAPS_CPU_HOST_PASSTHROUGH));
    g_assert_nonnull(qemu_caps_cpu_config(caps, QEMU_CAPS_ACCEL_TCG, QEMU_CAPS_CPU_MAXIMUM));
    if (caps->kvm) {
        const char *host = qemu_caps_cpu_config(caps, QEMU_CAPS_ACCEL_KVM,
                                                QEMU_CAPS_CPU_HOST_PASSTHROUGH);
        const char *model = qemu_caps_cpu_config(caps, QEMU_CAPS_ACCEL_KVM,
                                                 QEMU_CAPS_CPU_HOST_MODEL);

        g_assert_nonnull(host);
        g_assert_true(g_str_has_prefix(host, "host"));
        /* Where plain "host" aborts (nested KVM), it is never the pick. */
        if (!test_cpu_runs(machine, "kvm", "host"))
            g_assert_cmpstr(host, !=, "host");
        if (!test_cpu_runs(machine, "kvm", "max"))
            g_assert_cmpstr(qemu_caps_cpu_config(caps, QEMU_CAPS_ACCEL_KVM,
                                                 QEMU_CAPS_CPU_MAXIMUM), !=, "max");
        /* host-model is a named model QEMU knows. */
        g_assert_nonnull(model);
        g_assert_nonnull(qemu_caps_get_cpu_model(caps, QEMU_CAPS_ACCEL_KVM, model));
    }
    g_assert_cmpuint(checked, >=, 2);
}

/* The cache --------------------------------------------------------------- */

static void
test_cache(void)
{
    g_autofree char *dir = test_subdir("cache");
    g_autofree char *wrapper = test_counting_wrapper(dir);
    g_autofree char *runs = g_build_filename(dir, "runs", NULL);
    g_autofree char *file = qemu_caps_cache_file(dir, wrapper);
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) first = NULL;
    g_autoptr(QemuCaps) second = NULL;
    g_autoptr(QemuCaps) third = NULL;
    g_autoptr(QemuCaps) fourth = NULL;
    g_autoptr(json_object) obj = NULL;
    guint spawned;
    guint n;

    first = qemu_caps_get(wrapper, dir, &error);
    g_assert_no_error(error);
    n = test_count_lines(runs);
    g_assert_cmpuint(n, >=, 2);
    g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));

    /* Second lookup: from the cache, no QEMU started at all. */
    spawned = qemu_caps_probe_spawn_count();
    second = qemu_caps_get(wrapper, dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(test_count_lines(runs), ==, n);
    g_assert_cmpuint(qemu_caps_probe_spawn_count(), ==, spawned);
    g_assert_cmpstr(second->identity, ==, first->identity);
    g_assert_cmpuint(second->version, ==, first->version);
    g_assert_cmpuint(second->machines->len, ==, first->machines->len);

    /* Another host (kernel, CPU, /dev/kvm): probed again. */
    obj = json_object_from_file(file);
    json_object_object_add(obj, "host", json_object_new_string("another host"));
    g_assert_cmpint(json_object_to_file(file, obj), ==, 0);
    third = qemu_caps_get(wrapper, dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(test_count_lines(runs), >, n);
    n = test_count_lines(runs);

    /* The binary changed (another mtime): probed again. */
    test_set_mtime(wrapper, 1000000000);
    fourth = qemu_caps_get(wrapper, dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(test_count_lines(runs), >, n);
    g_assert_cmpstr(fourth->identity, !=, first->identity);
    n = test_count_lines(runs);

    /* A damaged cache file is probed over, not an error. */
    g_assert_true(g_file_set_contents(file, "{ not json", -1, NULL));
    qemu_caps_free(qemu_caps_get(wrapper, dir, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(test_count_lines(runs), >, n);
}

static void
test_cache_copy(void)
{
    g_autofree char *dir = test_subdir("copy");
    g_autofree char *copy = g_build_filename(dir, "qemu-system-x86_64", NULL);
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) a = NULL;
    g_autoptr(QemuCaps) b = NULL;
    g_autoptr(QemuCaps) c = NULL;
    gsize len = 0;
    guint spawned;

    /* A copy elsewhere finds QEMU's modules (TCG) only through this. */
    if (g_file_test(QEMU_MODULES, G_FILE_TEST_IS_DIR))
        g_setenv("QEMU_MODULE_DIR", QEMU_MODULES, FALSE);
    g_assert_true(g_file_get_contents(test_qemu_binary(), &data, &len, NULL));
    g_assert_true(g_file_set_contents(copy, data, len, NULL));
    g_assert_cmpint(g_chmod(copy, 0755), ==, 0);

    spawned = qemu_caps_probe_spawn_count();
    a = qemu_caps_get(copy, dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(qemu_caps_probe_spawn_count(), >, spawned);
    g_assert_cmpuint(a->version, ==, test_qemu_version());

    spawned = qemu_caps_probe_spawn_count();
    b = qemu_caps_get(copy, dir, &error);
    g_assert_cmpuint(qemu_caps_probe_spawn_count(), ==, spawned);

    /* Same content, another mtime: another identity, probed again. */
    test_set_mtime(copy, 1234567890);
    c = qemu_caps_get(copy, dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(qemu_caps_probe_spawn_count(), >, spawned);
    g_assert_cmpstr(c->identity, !=, b->identity);
}

static void
test_cache_object(void)
{
    g_autofree char *dir = test_subdir("object");
    g_autofree char *wrapper = test_counting_wrapper(dir);
    g_autofree char *runs = g_build_filename(dir, "runs", NULL);
    g_autoptr(GError) error = NULL;
    QemuCapsCache *cache;
    GPtrArray *all1;
    GPtrArray *all2;
    GPtrArray *all3;
    const QemuCaps *caps;
    g_autofree char *xml = NULL;
    guint n;

    g_setenv("MODVIRT_QEMU_PATH", dir, TRUE);
    cache = qemu_caps_cache_new(dir);
    qemu_caps_cache_probe_async(cache);
    all1 = qemu_caps_cache_get_all(cache);
    g_assert_cmpuint(all1->len, ==, 1);
    g_assert_cmpstr(((QemuCaps *)all1->pdata[0])->binary, ==, wrapper);
    n = test_count_lines(runs);
    g_assert_cmpuint(n, >, 0);

    /* Unchanged: the same list, nothing started. */
    all2 = qemu_caps_cache_get_all(cache);
    g_assert_true(all2 == all1);
    g_assert_cmpuint(test_count_lines(runs), ==, n);
    caps = qemu_caps_cache_lookup(cache, NULL, "x86_64", &error);
    g_assert_no_error(error);
    g_assert_true(caps == all1->pdata[0]);
    g_assert_null(qemu_caps_cache_lookup(cache, NULL, "aarch64", &error));
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INVALID_ARG);
    g_clear_error(&error);

    /* Changed: a new list; the old one stays valid for whoever holds it. */
    test_set_mtime(wrapper, 1000000000);
    all3 = qemu_caps_cache_get_all(cache);
    g_assert_true(all3 != all1);
    g_assert_cmpuint(test_count_lines(runs), >, n);
    g_assert_cmpstr(((QemuCaps *)all1->pdata[0])->binary, ==, wrapper);

    /* domcapabilities through the cache, and its argument checks. */
    xml = qemu_caps_cache_domain_capabilities(cache, NULL, NULL, "q35", "qemu", &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(xml, "<domain>qemu</domain>"));
    g_assert_nonnull(strstr(xml, "<machine>pc-q35-"));
    g_assert_null(qemu_caps_cache_domain_capabilities(cache, wrapper, "aarch64", NULL, NULL,
                                                      &error));
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(error->message, "doesn't match"));
    g_clear_error(&error);
    g_assert_null(qemu_caps_cache_domain_capabilities(cache, "relative/qemu", NULL, NULL, NULL,
                                                      &error));
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    qemu_caps_cache_free(cache);
    g_unsetenv("MODVIRT_QEMU_PATH");
}

/* Recorded capabilities: JSON and golden documents ------------------------ */

static QemuCaps *
test_load_recorded(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/qemucapsdata/%s.json", ABS_SRCDIR, name);
    g_autoptr(json_object) obj = json_object_from_file(path);
    g_autoptr(GError) error = NULL;
    QemuCaps *caps;

    g_assert_nonnull(obj);
    caps = qemu_caps_from_json(obj, &error);
    g_assert_no_error(error);
    return caps;
}

static void
test_json_roundtrip(void)
{
    const QemuCaps *real = test_real_caps();
    g_autoptr(json_object) a = qemu_caps_to_json(real);
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) back = qemu_caps_from_json(a, &error);
    g_autoptr(json_object) b = NULL;

    g_assert_no_error(error);
    b = qemu_caps_to_json(back);
    g_assert_cmpstr(json_object_to_json_string(a), ==, json_object_to_json_string(b));
}

typedef struct {
    const char *caps;            /* qemucapsdata/NAME.json */
    const char *virttype;
    const char *machine;
    const char *out;             /* qemucapsdata/OUT.xml */
} DomcapsCase;

static void
test_domcaps(gconstpointer data)
{
    const DomcapsCase *tc = data;
    g_autoptr(QemuCaps) caps = test_load_recorded(tc->caps);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainCaps) dc = qemu_caps_domain_caps(caps, tc->machine, tc->virttype, &error);
    g_autofree char *xml = NULL;
    g_autofree char *path = g_strdup_printf("%s/qemucapsdata/%s.xml", ABS_SRCDIR, tc->out);

    g_assert_no_error(error);
    xml = domain_caps_format(dc);
    mv_test_compare_to_file(xml, path);
}

static void
test_domcaps_errors(void)
{
    g_autoptr(QemuCaps) caps = test_load_recorded("x86_64-7.2");
    g_autoptr(GError) error = NULL;
    DomainCaps *dc;

    dc = qemu_caps_domain_caps(caps, NULL, "xen", &error);
    g_assert_null(dc);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    dc = qemu_caps_domain_caps(caps, "no-such-machine", "kvm", &error);
    g_assert_null(dc);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(error->message, "'no-such-machine'"));
    g_clear_error(&error);
    caps->accel[QEMU_CAPS_ACCEL_KVM].available = FALSE;
    caps->kvm = FALSE;
    dc = qemu_caps_domain_caps(caps, NULL, "kvm", &error);
    g_assert_null(dc);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_CONFIG_UNSUPPORTED);
}

static void
test_guest_caps(void)
{
    g_autoptr(QemuCaps) caps = test_load_recorded("x86_64-7.2");
    g_autoptr(Caps) doc = caps_new();
    g_autofree char *xml = NULL;
    g_autofree char *path = g_strdup_printf("%s/qemucapsdata/x86_64-7.2.guest.xml",
                                            ABS_SRCDIR);

    qemu_caps_fill_guest(caps, doc);
    xml = caps_format(doc);
    mv_test_compare_to_file(xml, path);
}

static const DomcapsCase domcaps_cases[] = {
    { "x86_64-7.2", "kvm", NULL, "x86_64-7.2.kvm-default" },
    { "x86_64-7.2", "qemu", "q35", "x86_64-7.2.qemu-q35" },
    { "x86_64-7.2", "kvm", "pc-q35-7.2", "x86_64-7.2.kvm-q35" },
};

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *fw = g_strdup_printf("%s/qemucapsdata/firmware", ABS_SRCDIR);
    g_autofree char *cmd = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Probes must not find the host's firmware descriptors. */
    g_setenv("MODVIRT_QEMU_FIRMWARE_PATH", fw, TRUE);
    test_dir = g_dir_make_tmp("mv-qemucapstest-XXXXXX", &error);
    g_assert_no_error(error);

    g_test_add_func("/qemu/caps/probe", test_probe);
    g_test_add_func("/qemu/caps/cpu-mapping", test_cpu_mapping);
    g_test_add_func("/qemu/caps/cache", test_cache);
    g_test_add_func("/qemu/caps/cache-copy", test_cache_copy);
    g_test_add_func("/qemu/caps/cache-object", test_cache_object);
    g_test_add_func("/qemu/caps/json-roundtrip", test_json_roundtrip);
    for (size_t i = 0; i < G_N_ELEMENTS(domcaps_cases); i++) {
        g_autofree char *name = g_strdup_printf("/qemu/caps/domcaps/%s", domcaps_cases[i].out);

        g_test_add_data_func(name, &domcaps_cases[i], test_domcaps);
    }
    g_test_add_func("/qemu/caps/domcaps-errors", test_domcaps_errors);
    g_test_add_func("/qemu/caps/guest", test_guest_caps);
    ret = g_test_run();

    qemu_caps_free(real_caps);
    cmd = g_strdup_printf("rm -rf '%s'", test_dir);
    if (system(cmd) != 0)
        ret = 1;
    g_free(test_dir);
    return ret;
}
