/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps-domain.c: <domainCapabilities> from the probed capabilities:
 * which emulator, machine and virtualization type a request means, and
 * what QEMU offers for them (CPU modes that start on this host, CPU models,
 * the device types QEMU has, firmware).
 */
#include <config.h>

#include <string.h>
#include <sys/utsname.h>

#include <glib.h>
#include <json-c/json.h>

#include "conf/domain-capabilities.h"
#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-monitor.h"
#include "util/error.h"

/* Where firmware descriptors (QEMU's docs/interop/firmware.json) live;
 * MODVIRT_QEMU_FIRMWARE_PATH (colon separated) replaces the default. */
#define QEMU_FIRMWARE_PATH "/etc/qemu/firmware:/usr/share/qemu/firmware"

static int
qemu_caps_strv_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *
qemu_caps_qemu_arch(const char *arch)
{
    return g_str_equal(arch, "i686") ? "i386" : arch;
}

/* Whether descriptor @obj describes UEFI firmware for @arch / @machine. */
static gboolean
qemu_caps_firmware_matches(json_object *obj, const char *arch, const char *machine)
{
    json_object *ifaces;
    json_object *targets;
    gboolean uefi = FALSE;

    if (!json_object_object_get_ex(obj, "interface-types", &ifaces) ||
        !json_object_object_get_ex(obj, "targets", &targets))
        return FALSE;
    for (size_t i = 0; i < json_object_array_length(ifaces); i++)
        uefi |= g_strcmp0(json_object_get_string(json_object_array_get_idx(ifaces, i)),
                          "uefi") == 0;
    for (size_t i = 0; uefi && i < json_object_array_length(targets); i++) {
        json_object *t = json_object_array_get_idx(targets, i);
        json_object *a;
        json_object *machines;

        if (!json_object_object_get_ex(t, "architecture", &a) ||
            g_strcmp0(json_object_get_string(a), qemu_caps_qemu_arch(arch)) != 0 ||
            !json_object_object_get_ex(t, "machines", &machines))
            continue;
        for (size_t j = 0; j < json_object_array_length(machines); j++) {
            const char *pat = json_object_get_string(json_object_array_get_idx(machines, j));

            if (pat && g_pattern_match_simple(pat, machine))
                return TRUE;
        }
    }
    return FALSE;
}

/* The UEFI firmware images installed for @arch / @machine. */
static GPtrArray *
qemu_caps_find_firmware(const char *arch, const char *machine)
{
    const char *env = g_getenv("MODVIRT_QEMU_FIRMWARE_PATH");
    g_auto(GStrv) dirs = g_strsplit(env ? env : QEMU_FIRMWARE_PATH, ":", -1);
    GPtrArray *images = g_ptr_array_new_with_free_func(g_free);

    for (size_t d = 0; dirs[d]; d++) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        GDir *dir = *dirs[d] ? g_dir_open(dirs[d], 0, NULL) : NULL;
        const char *name;

        /* Descriptors apply in name order ("50-ovmf.json" before "60-..."). */
        while (dir && (name = g_dir_read_name(dir))) {
            if (g_str_has_suffix(name, ".json"))
                g_ptr_array_add(names, g_strdup(name));
        }
        if (dir)
            g_dir_close(dir);
        g_ptr_array_sort(names, (GCompareFunc)qemu_caps_strv_cmp);
        for (guint n = 0; n < names->len; n++) {
            g_autofree char *path = g_build_filename(dirs[d], names->pdata[n], NULL);
            g_autoptr(json_object) obj = json_object_from_file(path);
            json_object *mapping;
            json_object *exe;
            json_object *file;

            if (!obj || !qemu_caps_firmware_matches(obj, arch, machine) ||
                !json_object_object_get_ex(obj, "mapping", &mapping))
                continue;
            if ((json_object_object_get_ex(mapping, "executable", &exe) &&
                 json_object_object_get_ex(exe, "filename", &file)) ||
                json_object_object_get_ex(mapping, "filename", &file)) {
                const char *fw = json_object_get_string(file);

                if (fw && !g_ptr_array_find_with_equal_func(images, fw, g_str_equal, NULL))
                    g_ptr_array_add(images, g_strdup(fw));
            }
        }
    }
    return images;
}

static void
qemu_caps_domain_os(DomainCaps *dc, const QemuCaps *caps)
{
    g_autoptr(GPtrArray) firmware = qemu_caps_find_firmware(caps->arch, dc->machine);
    gboolean x86 = g_str_equal(caps->arch, "x86_64") || g_str_equal(caps->arch, "i686");
    DomainCapsEnum *e;

    dc->os = domain_caps_element_new("os", TRUE);
    e = domain_caps_element_add_enum(dc->os, "firmware", NULL);
    if (x86)
        domain_caps_enum_add_value(e, "bios");
    if (firmware->len > 0)
        domain_caps_enum_add_value(e, "efi");
    dc->loader = domain_caps_element_new("loader", TRUE);
    for (guint i = 0; i < firmware->len; i++)
        g_ptr_array_add(dc->loader_values, g_strdup(firmware->pdata[i]));
    domain_caps_element_add_enum(dc->loader, "type", "rom", "pflash", NULL);
    domain_caps_element_add_enum(dc->loader, "readonly", "yes", "no", NULL);
    domain_caps_element_add_enum(dc->loader, "secure", "no", NULL);
}

static void
qemu_caps_domain_cpu(DomainCaps *dc, const QemuCaps *caps, QemuCapsAccel accel)
{
    const QemuCapsAccelInfo *info = &caps->accel[accel];

    dc->host_passthrough = info->cpu_config[QEMU_CAPS_CPU_HOST_PASSTHROUGH] != NULL;
    dc->maximum = info->cpu_config[QEMU_CAPS_CPU_MAXIMUM] != NULL;
    if (info->cpu_config[QEMU_CAPS_CPU_HOST_MODEL]) {
        dc->host_model = TRUE;
        dc->host_model_name = g_strdup(info->cpu_config[QEMU_CAPS_CPU_HOST_MODEL]);
        if (accel == QEMU_CAPS_ACCEL_KVM)
            dc->host_model_vendor = g_strdup(caps->host_cpu_vendor);
    }
    for (guint i = 0; i < info->cpu_models->len; i++) {
        const QemuCpuModel *m = g_ptr_array_index(info->cpu_models, i);

        if (g_str_equal(m->name, "host") || g_str_equal(m->name, "max") ||
            g_str_equal(m->name, "base"))
            continue;
        g_auto(GStrv) blockers = g_strdupv(m->blockers);

        if (blockers)
            qsort(blockers, g_strv_length(blockers), sizeof(char *), qemu_caps_strv_cmp);
        domain_caps_add_cpu_model(dc, m->name, m->alias_of, m->usable, m->deprecated,
                                  (const char *const *)blockers);
    }
    dc->custom = dc->cpu_models->len > 0;
}

/* Append to @e the values whose QOM type (the entry after each) exists. */
static void
qemu_caps_enum_if(DomainCapsEnum *e, const QemuCaps *caps, const char *const *pairs)
{
    for (size_t i = 0; pairs[i]; i += 2) {
        if (!pairs[i + 1] || qemu_caps_has_device(caps, pairs[i + 1]))
            domain_caps_enum_add_value(e, pairs[i]);
    }
}

/* A device element whose main enum @name lists the @pairs QEMU has. */
static DomainCapsElement *
qemu_caps_domain_device(DomainCaps *dc, const QemuCaps *caps, const char *element,
                        const char *name, const char *const *pairs)
{
    DomainCapsElement *el = domain_caps_add_device(dc, element, TRUE);
    DomainCapsEnum *e = domain_caps_element_add_enum(el, name, NULL);

    qemu_caps_enum_if(e, caps, pairs);
    el->supported = e->values->len > 0;
    return el;
}

static void
qemu_caps_domain_disk(DomainCaps *dc, const QemuCaps *caps)
{
    static const char *const devices[] = {
        "disk", NULL, "cdrom", "ide-cd", "floppy", "floppy", "lun", "scsi-block", NULL
    };
    static const char *const buses[] = {
        "ide", "ide-hd", "fdc", "isa-fdc", "scsi", "scsi-hd", "virtio", "virtio-blk-pci",
        "usb", "usb-storage", "sata", "ich9-ahci", NULL
    };
    static const char *const models[] = {
        "virtio", "virtio-blk-pci", "virtio-transitional", "virtio-blk-pci-transitional",
        "virtio-non-transitional", "virtio-blk-pci-non-transitional", NULL
    };
    DomainCapsElement *el = qemu_caps_domain_device(dc, caps, "disk", "diskDevice", devices);

    qemu_caps_enum_if(domain_caps_element_add_enum(el, "bus", NULL), caps, buses);
    qemu_caps_enum_if(domain_caps_element_add_enum(el, "model", NULL), caps, models);
}

static void
qemu_caps_domain_graphics(DomainCaps *dc, const QemuCaps *caps)
{
    DomainCapsElement *el = domain_caps_add_device(dc, "graphics", TRUE);
    DomainCapsEnum *e = domain_caps_element_add_enum(el, "type", NULL);

    if (qemu_caps_has_command(caps, "query-vnc"))
        domain_caps_enum_add_value(e, "vnc");
    if (qemu_caps_has_command(caps, "query-spice"))
        domain_caps_enum_add_value(e, "spice");
    if (qemu_caps_has_device(caps, "dbus-display"))
        domain_caps_enum_add_value(e, "dbus");
    el->supported = e->values->len > 0;
}

static void
qemu_caps_domain_devices(DomainCaps *dc, const QemuCaps *caps)
{
    static const char *const video[] = {
        "vga", "VGA", "cirrus", "cirrus-vga", "vmvga", "vmware-svga", "qxl", "qxl-vga",
        "virtio", "virtio-gpu-pci", "none", NULL, "bochs", "bochs-display",
        "ramfb", "ramfb", NULL
    };
    static const char *const rng[] = {
        "virtio", "virtio-rng-pci", "virtio-transitional", "virtio-rng-pci-transitional",
        "virtio-non-transitional", "virtio-rng-pci-non-transitional", NULL
    };
    static const char *const rng_backends[] = {
        "random", "rng-random", "egd", "rng-egd", "builtin", "rng-builtin", NULL
    };
    static const char *const fs[] = {
        "path", "virtio-9p-pci", "virtiofs", "vhost-user-fs-pci", NULL
    };
    static const char *const tpm[] = { "tpm-tis", "tpm-tis", "tpm-crb", "tpm-crb", NULL };
    static const char *const tpm_backends[] = {
        "passthrough", "tpm-passthrough", "emulator", "tpm-emulator", NULL
    };
    static const char *const redir[] = { "usb", "usb-redir", NULL };
    static const char *const channel[] = {
        "pty", NULL, "unix", NULL, "spicevmc", "chardev-spicevmc", NULL
    };
    static const char *const crypto[] = { "virtio", "virtio-crypto-pci", NULL };
    static const char *const crypto_backends[] = {
        "builtin", "cryptodev-backend-builtin", "lkcf", "cryptodev-backend-lkcf", NULL
    };
    DomainCapsElement *el;

    qemu_caps_domain_disk(dc, caps);
    qemu_caps_domain_graphics(dc, caps);
    qemu_caps_domain_device(dc, caps, "video", "modelType", video);
    /* Host device assignment is not implemented. */
    domain_caps_add_device(dc, "hostdev", FALSE);
    el = qemu_caps_domain_device(dc, caps, "rng", "model", rng);
    qemu_caps_enum_if(domain_caps_element_add_enum(el, "backendModel", NULL), caps,
                      rng_backends);
    qemu_caps_domain_device(dc, caps, "filesystem", "driverType", fs);
    el = qemu_caps_domain_device(dc, caps, "tpm", "model", tpm);
    qemu_caps_enum_if(domain_caps_element_add_enum(el, "backendModel", NULL), caps,
                      tpm_backends);
    qemu_caps_domain_device(dc, caps, "redirdev", "bus", redir);
    qemu_caps_domain_device(dc, caps, "channel", "type", channel);
    el = qemu_caps_domain_device(dc, caps, "crypto", "model", crypto);
    if (el->supported) {
        domain_caps_element_add_enum(el, "type", "qemu", NULL);
        qemu_caps_enum_if(domain_caps_element_add_enum(el, "backendModel", NULL), caps,
                          crypto_backends);
    }
}

static void
qemu_caps_domain_features(DomainCaps *dc, const QemuCaps *caps)
{
    static const char *const backing[] = {
        "file", "memory-backend-file", "anonymous", "memory-backend-ram",
        "memfd", "memory-backend-memfd", NULL
    };
    DomainCapsEnum *e;

    dc->memory_backing = domain_caps_element_new("memoryBacking", TRUE);
    e = domain_caps_element_add_enum(dc->memory_backing, "sourceType", NULL);
    qemu_caps_enum_if(e, caps, backing);
    dc->memory_backing->supported = e->values->len > 0;

    domain_caps_add_feature(dc, "gic", FALSE);
    domain_caps_add_feature(dc, "vmcoreinfo", qemu_caps_has_device(caps, "vmcoreinfo"));
    domain_caps_add_feature(dc, "genid", qemu_caps_has_device(caps, "vmgenid"));
    /* Not implemented by modvirt (yet), whatever QEMU can do. */
    domain_caps_add_feature(dc, "backingStoreInput", FALSE);
    domain_caps_add_feature(dc, "backup", FALSE);
    domain_caps_add_feature(dc, "async-teardown", FALSE);
    domain_caps_add_feature(dc, "s390-pv", FALSE);
    domain_caps_add_feature(dc, "ps2", qemu_caps_has_device(caps, "i8042"));
    domain_caps_add_feature(dc, "sev", FALSE);
    domain_caps_add_feature(dc, "sgx", FALSE);
}

DomainCaps *
qemu_caps_domain_caps(const QemuCaps *caps, const char *machine, const char *virttype,
                      GError **error)
{
    const QemuMachine *m = qemu_caps_get_machine(caps, machine);
    QemuCapsAccel accel;
    g_autoptr(DomainCaps) dc = NULL;
    guint max_vcpus;

    if (g_str_equal(virttype, "kvm")) {
        accel = QEMU_CAPS_ACCEL_KVM;
    } else if (g_str_equal(virttype, "qemu")) {
        accel = QEMU_CAPS_ACCEL_TCG;
    } else {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG, "unknown virttype: %s", virttype);
        return NULL;
    }
    if (!caps->accel[accel].available) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     accel == QEMU_CAPS_ACCEL_KVM ? "KVM is not supported by '%s' on this host"
                                                  : "TCG is not supported by '%s'",
                     caps->binary);
        return NULL;
    }
    if (!m) {
        if (machine)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                         "the machine '%s' is not supported by emulator '%s'", machine,
                         caps->binary);
        else
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                         "emulator '%s' has no default machine type", caps->binary);
        return NULL;
    }
    max_vcpus = m->max_cpus;
    if (accel == QEMU_CAPS_ACCEL_KVM && caps->kvm_max_vcpus > 0)
        max_vcpus = MIN(max_vcpus, caps->kvm_max_vcpus);
    dc = domain_caps_new(caps->binary, virttype, m->name, caps->arch, max_vcpus);
    dc->iothreads = qemu_caps_has_device(caps, "iothread");
    qemu_caps_domain_os(dc, caps);
    qemu_caps_domain_cpu(dc, caps, accel);
    qemu_caps_domain_devices(dc, caps);
    qemu_caps_domain_features(dc, caps);
    return g_steal_pointer(&dc);
}

static char *
qemu_caps_host_arch(void)
{
    struct utsname u;

    if (uname(&u) < 0)
        return g_strdup("x86_64");
    return g_strdup(g_str_equal(u.machine, "i386") || g_str_equal(u.machine, "i586")
                    ? "i686" : u.machine);
}

char *
qemu_caps_cache_domain_capabilities(QemuCapsCache *cache, const char *emulator,
                                    const char *arch, const char *machine,
                                    const char *virttype, GError **error)
{
    g_autofree char *host_arch = qemu_caps_host_arch();
    g_autoptr(DomainCaps) dc = NULL;
    const QemuCaps *caps;

    if (!emulator && !arch)
        arch = host_arch;
    if (!(caps = qemu_caps_cache_lookup(cache, emulator, arch, error)))
        return NULL;
    if (emulator && arch && !g_str_equal(caps->arch, arch)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                     "architecture from emulator '%s' doesn't match given architecture '%s'",
                     caps->arch, arch);
        return NULL;
    }
    if (!virttype)
        virttype = caps->kvm ? "kvm" : "qemu";
    if (!(dc = qemu_caps_domain_caps(caps, machine, virttype, error)))
        return NULL;
    return domain_caps_format(dc);
}
