/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2argvtest.c: golden tests of the QEMU command line builder.
 *
 * Each case is qemuxml2argvdata/NAME.xml, parsed as at define time (INACTIVE
 * + validate) and prepared as at start (id 1, channel paths), then built
 * with fixed fake host options:
 *   emulator /usr/bin/qemu-system-x86_64, QEMU 7.2.22, monitor fd 1729,
 *   tap fd 1730+i for every tap interface, host CPU "host,-arch-capabilities"
 *   (KVM) or "max" (TCG), time 1700000000, machine aliases resolved as the
 *   driver does (pc -> pc-i440fx-7.2, q35 -> pc-q35-7.2, none -> pc).
 * Volume disks get a fake translation from their pool's name (see
 * test_translate()).  Expected: NAME.args or NAME.err ("CODE: message").
 * Regenerate with MODVIRT_TEST_REGENERATE=1.  The defined-* inputs are
 * what the driver's define-time defaults (qemu_postparse_domain()) made of
 * tests/qemuxml2xmldata cases.
 *
 * /qemu/xml2argv-defined/NAME: every case that builds, defined first (the
 * define-time defaults with the recorded QEMU 7.2 capabilities), must keep
 * every line of NAME.args: a device may gain properties (a USB port, a
 * virtio-serial port number) but keeps its bus and address, -vnc may gain
 * its audiodev; what the defaults add (-cpu qemu64, the USB controller, the
 * balloon, -audiodev) comes on top.
 */
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "drivers/qemu/qemu-command.h"
#include "drivers/qemu/qemu-postparse.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/qemuxml2argvdata"

enum {
    TEST_NO_HOST_CPU = 1 << 0,    /* opts.host_cpu = NULL */
    TEST_MONITOR_PATH = 1 << 1,   /* a monitor path instead of an fd */
    TEST_NO_TAPS = 1 << 2,        /* opts.tap_fds = NULL */
    TEST_OLD_QEMU = 1 << 3,       /* QEMU 6.2.0 */
};

typedef struct {
    const char *name;
    unsigned flags;
} ArgvCase;

static const ArgvCase argv_cases[] = {
    /* the frame */
    { "minimal", 0 },
    { "minimal-kvm", 0 },
    { "minimal-q35", 0 },
    { "name-comma", 0 },
    { "monitor-path", TEST_MONITOR_PATH },
    { "machine-features", 0 },
    { "cpu-custom", 0 },
    { "cpu-host-passthrough", 0 },
    { "cpu-host-model-tcg", 0 },
    { "cpu-maximum", 0 },
    { "cpu-maximum-kvm", 0 },
    { "cpu-topology", 0 },
    { "clock-localtime", 0 },
    { "clock-variable", 0 },
    { "clock-timers-kvm", 0 },
    { "lifecycle", 0 },
    { "boot-os-order", 0 },
    { "boot-per-device", 0 },
    { "boot-kernel", 0 },
    /* define-time XML (qemuxml2xmldata through qemu_postparse_domain()) */
    { "defined-disks-pc", 0 },
    { "defined-virtinst-q35", 0 },
    { "defined-chardevs", 0 },
    { "defined-graphics-video", 0 },
    { "pm-pc", 0 },
    { "pm-q35", 0 },
    /* disks */
    { "disk-ide", 0 },
    { "disk-sata-q35", 0 },
    { "disk-sata-pc", 0 },
    { "disk-scsi", 0 },
    { "disk-floppy", 0 },
    { "disk-floppy-q35", 0 },
    { "disk-cache", 0 },
    { "disk-block", 0 },
    { "disk-usb", 0 },
    { "disk-network", 0 },
    { "disk-network-auth", 0 },
    { "disk-volume", 0 },
    /* controllers, PCI */
    { "controller-usb-ich9", 0 },
    { "controller-usb-none", 0 },
    { "controller-virtio-serial", 0 },
    { "pci-addresses", 0 },
    { "pci-bridge", 0 },
    { "q35-root-ports", 0 },
    /* other devices */
    { "net-all", 0 },
    { "chardev-serial", 0 },
    { "chardev-virtio", 0 },
    { "console-pty", 0 },
    { "input-all", 0 },
    { "graphics-vnc", 0 },
    { "graphics-vnc-autoport", 0 },
    { "graphics-vnc-socket", 0 },
    { "graphics-vnc-ipv6", 0 },
    { "graphics-vnc-audio", 0 },
    { "video-qxl-virtio", 0 },
    { "video-vga", 0 },
    { "video-bochs", 0 },
    { "video-none", 0 },
    { "memballoon", 0 },
    { "rng-all", 0 },
    /* what QEMU (or this builder) cannot do */
    { "err-graphics-spice", 0 },
    { "err-graphics-two", 0 },
    { "err-audio-type", 0 },
    { "err-sound", 0 },
    { "err-unknown-element", 0 },
    { "err-interface-direct", 0 },
    { "err-domain-type-test", 0 },
    { "err-machine", 0 },
    { "err-old-qemu", TEST_OLD_QEMU },
    { "err-cpu-host-passthrough", TEST_NO_HOST_CPU },
    { "err-clock-timezone", 0 },
    { "err-timer", 0 },
    { "err-on-reboot", 0 },
    { "err-on-poweroff", 0 },
    { "err-disk-bus-xen", 0 },
    { "err-disk-lun", 0 },
    { "err-disk-cdrom-virtio", 0 },
    { "err-disk-ide-q35", 0 },
    { "err-disk-readonly-ide", 0 },
    { "err-disk-no-source", 0 },
    { "err-disk-format", 0 },
    { "err-disk-protocol", 0 },
    { "err-disk-iscsi-auth", 0 },
    { "err-disk-auth-secret-type", 0 },
    { "err-disk-io-native", 0 },
    { "err-volume-untranslated", 0 },
    { "err-net-vhost", 0 },
    { "err-net-model", 0 },
    { "err-net-no-tap", TEST_NO_TAPS },
    { "err-net-multiqueue", 0 },
    { "err-usb-disabled", 0 },
    { "err-usb-model", 0 },
    { "err-scsi-model", 0 },
    { "err-pcie-root-port-pc", 0 },
    { "err-pci-conflict", 0 },
    { "err-pci-bus", 0 },
    { "err-chr-tls", 0 },
    { "err-serial-target", 0 },
    { "err-channel-guestfwd", 0 },
    { "err-video-secondary-vga", 0 },
    { "err-video-model", 0 },
    { "err-memballoon-model", 0 },
};

/* ---- fake host ------------------------------------------------------------------ */

static const char *
test_machine(const DomainDef *def)
{
    const char *m = def->os.machine;

    if (!m || g_str_equal(m, "pc"))
        return "pc-i440fx-7.2";
    if (g_str_equal(m, "q35"))
        return "pc-q35-7.2";
    return m;
}

static void
test_source_free(gpointer p)
{
    QemuDiskSource *src = p;

    if (!src)
        return;
    g_free((char *)src->path);
    g_free((char *)src->target);
    g_free((char *)src->secret_file);
    g_free(src);
}

/*
 * What the storage driver would answer for a volume disk: pool
 * "untranslated" gets nothing, "iscsi-direct*" an iSCSI LUN (pool
 * "iscsi-direct-chap" with CHAP), "lvm" a block device, others a file.
 */
static GPtrArray *
test_translate(const DomainDef *def)
{
    GPtrArray *srcs = g_ptr_array_new_with_free_func(test_source_free);

    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        QemuDiskSource *src = NULL;

        if (disk->type == DOMAIN_DISK_TYPE_VOLUME && !g_str_equal(disk->pool, "untranslated")) {
            src = g_new0(QemuDiskSource, 1);
            if (g_str_has_prefix(disk->pool, "iscsi-direct")) {
                const char *colon = strrchr(disk->volume, ':');

                src->type = DOMAIN_DISK_TYPE_NETWORK;
                src->protocol = "iscsi";
                src->host = "iscsi.example.com";
                src->target = g_strdup("iqn.2026-11.org.example:target1");
                src->lun = colon ? (guint)g_ascii_strtoull(colon + 1, NULL, 10) : 0;
                src->initiator = "iqn.2026-11.org.example:initiator";
                if (g_str_equal(disk->pool, "iscsi-direct-chap")) {
                    src->user = "fzuser";
                    src->secret_file = g_strdup_printf("/fake/secrets/%s.key", disk->dst);
                }
            } else {
                src->type = g_str_equal(disk->pool, "lvm") ? DOMAIN_DISK_TYPE_BLOCK
                                                           : DOMAIN_DISK_TYPE_FILE;
                src->path = g_strdup_printf("/fake/%s/%s", disk->pool, disk->volume);
            }
        }
        g_ptr_array_add(srcs, src);
    }
    return srcs;
}

static DomainDef *
test_load(const char *name)
{
    static const DomainXMLOptions xmlopts = { .channel_target_dir = "/fake/channel" };
    g_autofree char *path = g_strdup_printf("%s/%s.xml", DATADIR, name);
    g_autofree char *xml = NULL;
    g_autofree char *dir = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;

    if (!g_file_get_contents(path, &xml, NULL, &error))
        g_error("cannot read %s: %s", path, error->message);
    def = domain_def_parse_string(xml, &xmlopts, DOMAIN_PARSE_INACTIVE, &error);
    g_assert_no_error(error);
    g_assert_true(domain_def_validate(def, &xmlopts, &error));
    g_assert_no_error(error);
    def->id = 1;
    dir = domain_def_channel_dir(def, &xmlopts);
    domain_def_prepare_channel_paths(def, dir);
    return g_steal_pointer(&def);
}

static GPtrArray *
test_build(const DomainDef *def, unsigned flags, GError **error)
{
    g_autoptr(GPtrArray) sources = test_translate(def);
    g_autofree int *taps = g_new0(int, def->nets->len + 1);
    QemuCommandOpts opts = {
        .emulator = "/usr/bin/qemu-system-x86_64",
        .qemu_version = flags & TEST_OLD_QEMU ? 6002000 : 7002022,
        .machine = test_machine(def),
        .host_cpu = def->virt_type == DOMAIN_VIRT_KVM ? "host,-arch-capabilities" : "max",
        .monitor_fd = 1729,
        .domain_dir = "/fake/domain-1",
        .disk_sources = (const QemuDiskSource *const *)sources->pdata,
        .tap_fds = taps,
        .now = 1700000000,
    };

    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);

        taps[i] = net->type == DOMAIN_NET_TYPE_USER ? -1 : 1730 + (int)i;
    }
    if (flags & TEST_NO_HOST_CPU)
        opts.host_cpu = NULL;
    if (flags & TEST_MONITOR_PATH) {
        opts.monitor_fd = -1;
        opts.monitor_path = "/fake/domain-1/monitor.sock";
    }
    if (flags & TEST_NO_TAPS)
        opts.tap_fds = NULL;
    return qemu_command_build(def, &opts, error);
}

static void
test_argv(gconstpointer data)
{
    const ArgvCase *tc = data;
    g_autoptr(DomainDef) def = test_load(tc->name);
    g_autofree char *args_path = g_strdup_printf("%s/%s.args", DATADIR, tc->name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", DATADIR, tc->name);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) argv = test_build(def, tc->flags, &error);
    g_autofree char *text = NULL;

    if (!argv) {
        g_autofree char *msg = NULL;

        g_assert_nonnull(error);
        msg = mv_error_format_message(error);
        text = g_strdup_printf("%s: %s\n", mv_error_code_to_name(mv_error_code(error)), msg);
        g_assert_false(g_file_test(args_path, G_FILE_TEST_EXISTS));
        mv_test_compare_to_file(text, err_path);
        return;
    }
    g_assert_no_error(error);
    g_assert_false(g_file_test(err_path, G_FILE_TEST_EXISTS));
    for (guint i = 0; i < argv->len; i++)
        g_assert_nonnull(g_ptr_array_index(argv, i));
    text = qemu_command_format(argv);
    mv_test_compare_to_file(text, args_path);
}

/* ---- defined first: nothing moves ---------------------------------------------------- */

static QemuCaps *test_caps;

/* "bus" and "addr" of a -device JSON (NULL if none), "" for a missing one. */
static char *
test_device_place(const char *json, char **ret_id)
{
    json_object *obj = json_tokener_parse(json);
    json_object *v;
    char *place;

    *ret_id = NULL;
    if (!obj)
        return NULL;
    if (json_object_object_get_ex(obj, "id", &v))
        *ret_id = g_strdup(json_object_get_string(v));
    place = g_strdup_printf("%s %s",
                            json_object_object_get_ex(obj, "bus", &v)
                            ? json_object_get_string(v) : "",
                            json_object_object_get_ex(obj, "addr", &v)
                            ? json_object_get_string(v) : "");
    json_object_put(obj);
    return place;
}

/* Is @line (option and value of the original command line) still there? */
static gboolean
test_line_kept(const char *line, GPtrArray *argv)
{
    g_autofree char *id = NULL;
    g_autofree char *place = NULL;

    for (guint i = 0; i + 1 < argv->len; i++) {
        g_autofree char *l = g_strdup_printf("%s %s", (char *)g_ptr_array_index(argv, i),
                                             (char *)g_ptr_array_index(argv, i + 1));
        g_autofree char *vnc = g_strdup_printf("%s,audiodev=audio1", line);

        if (g_str_equal(l, line) || g_str_equal(l, vnc))
            return TRUE;
    }
    if (!g_str_has_prefix(line, "-device ") ||
        !(place = test_device_place(line + strlen("-device "), &id)) || !id)
        return FALSE;
    for (guint i = 0; i + 1 < argv->len; i++) {
        g_autofree char *id2 = NULL;
        g_autofree char *place2 = NULL;

        if (!g_str_equal(g_ptr_array_index(argv, i), "-device"))
            continue;
        place2 = test_device_place(g_ptr_array_index(argv, i + 1), &id2);
        if (id2 && g_str_equal(id, id2))
            return place2 && g_str_equal(place, place2);
    }
    return FALSE;
}

static void
test_argv_defined(gconstpointer data)
{
    const ArgvCase *tc = data;
    static const DomainXMLOptions xmlopts = { .channel_target_dir = "/fake/channel" };
    g_autofree char *path = g_strdup_printf("%s/%s.xml", DATADIR, tc->name);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) orig = test_load(tc->name);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GPtrArray) before = NULL;
    g_autoptr(GPtrArray) after = NULL;
    g_autofree char *dir = NULL;

    g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
    before = test_build(orig, tc->flags, &error);
    if (!before)
        return;        /* an error case: nothing to compare */
    def = domain_def_parse_string(xml, &xmlopts, DOMAIN_PARSE_INACTIVE, &error);
    g_assert_no_error(error);
    g_assert_true(qemu_postparse_domain(def, test_caps, &error));
    g_assert_no_error(error);
    def->id = 1;
    dir = domain_def_channel_dir(def, &xmlopts);
    domain_def_prepare_channel_paths(def, dir);
    after = test_build(def, tc->flags, &error);
    g_assert_no_error(error);
    for (guint i = 1; i + 1 < before->len; i++) {
        const char *opt = g_ptr_array_index(before, i);
        g_autofree char *line = NULL;

        if (opt[0] != '-' || ((char *)g_ptr_array_index(before, i + 1))[0] == '-')
            continue;
        line = g_strdup_printf("%s %s", opt, (char *)g_ptr_array_index(before, i + 1));
        if (!test_line_kept(line, after))
            g_error("%s: '%s' is gone or moved once defined", tc->name, line);
    }
}

/* ---- the helpers ---------------------------------------------------------------------- */

static void
test_format(void)
{
    const char *args[] = { "/usr/bin/qemu", "-S", "-name", "guest=a,,b", "-append",
                           "console=ttyS0 quiet", "-device", "{\"driver\":\"x\"}", "-k",
                           "it's", "-no-shutdown" };
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(args); i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    out = qemu_command_format(argv);
    g_assert_cmpstr(out, ==,
                    "/usr/bin/qemu \\\n"
                    "-S \\\n"
                    "-name guest=a,,b \\\n"
                    "-append 'console=ttyS0 quiet' \\\n"
                    "-device '{\"driver\":\"x\"}' \\\n"
                    "-k 'it'\\''s' \\\n"
                    "-no-shutdown\n");
    /* a NULL terminator, as the driver adds before spawning, ends the list */
    g_ptr_array_set_size(argv, 2);
    g_ptr_array_add(argv, NULL);
    g_free(out);
    out = qemu_command_format(argv);
    g_assert_cmpstr(out, ==, "/usr/bin/qemu \\\n-S\n");
}

static void
test_node_names(void)
{
    g_autoptr(DomainDef) def = test_load("disk-ide");
    g_autofree char *first = qemu_command_disk_node_name(def, 0, "format");
    g_autofree char *last = qemu_command_disk_node_name(def, def->disks->len - 1, "storage");

    g_assert_cmpuint(def->disks->len, ==, 4);
    g_assert_cmpstr(first, ==, "libvirt-4-format");
    g_assert_cmpstr(last, ==, "libvirt-1-storage");
}

/* What the driver passes when nothing is translated and no tap is open. */
static void
test_opts_minimal(void)
{
    g_autoptr(DomainDef) def = test_load("monitor-path");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    QemuCommandOpts opts = { .monitor_fd = -1 };

    argv = qemu_command_build(def, &opts, &error);
    g_assert_null(argv);
    g_assert_cmpint(mv_error_code(error), ==, MV_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    opts.monitor_path = "/run/m.sock";
    opts.machine = "pc";
    argv = qemu_command_build(def, &opts, &error);
    g_assert_no_error(error);
    /* argv[0] falls back to the def's <emulator> */
    g_assert_cmpstr(g_ptr_array_index(argv, 0), ==, def->emulator);
    g_assert_cmpstr(g_ptr_array_index(argv, argv->len - 1), ==, "timestamp=on");
}

/* Every file of the data directory belongs to a case. */
static void
test_data_complete(void)
{
    g_autoptr(GDir) dir = g_dir_open(DATADIR, 0, NULL);
    const char *file;

    g_assert_nonnull(dir);
    while ((file = g_dir_read_name(dir))) {
        gboolean found = FALSE;

        for (size_t i = 0; i < G_N_ELEMENTS(argv_cases) && !found; i++) {
            const char *n = argv_cases[i].name;
            size_t len = strlen(n);

            found = strncmp(file, n, len) == 0 &&
                    (g_str_equal(file + len, ".xml") || g_str_equal(file + len, ".args") ||
                     g_str_equal(file + len, ".err"));
        }
        if (!found)
            g_error("%s/%s belongs to no case of qemuxml2argvtest.c", DATADIR, file);
    }
}

int
main(int argc, char **argv)
{
    /* <clock offset='variable' basis='localtime'> must not depend on the host */
    g_setenv("TZ", "UTC", TRUE);
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(argv_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/xml2argv/%s", argv_cases[i].name);

        g_test_add_data_func(path, &argv_cases[i], test_argv);
    }
    g_test_add_func("/qemu/command/format", test_format);
    g_test_add_func("/qemu/command/node-names", test_node_names);
    g_test_add_func("/qemu/command/opts-minimal", test_opts_minimal);
    g_test_add_func("/qemu/command/data-complete", test_data_complete);
    {
        g_autofree char *path = g_strdup_printf("%s/qemucapsdata/x86_64-7.2.json", ABS_SRCDIR);
        json_object *obj = json_object_from_file(path);

        g_assert_nonnull(obj);
        test_caps = qemu_caps_from_json(obj, NULL);
        json_object_put(obj);
        g_assert_nonnull(test_caps);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(argv_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/xml2argv-defined/%s",
                                                argv_cases[i].name);

        if (!g_str_has_prefix(argv_cases[i].name, "err-"))
            g_test_add_data_func(path, &argv_cases[i], test_argv_defined);
    }
    return g_test_run();
}
