/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command.c: the QEMU command line of a domain: the frame (name,
 * machine, accelerator, CPU, memory, topology, monitor, clock, life cycle,
 * boot), the order of the device sections, which follows libvirt's, and the
 * refusal of XML the parser kept without modelling it.
 */
#include <string.h>

#include "conf/xml-util.h"
#include "drivers/qemu/qemu-command-priv.h"
#include "util/error.h"
#include "util/macros.h"

/* The oldest QEMU whose command line this builder writes (JSON -device). */
#define QEMU_COMMAND_MIN_VERSION 7000000

void
qemu_cmd_add(QemuCmd *cmd, const char *arg)
{
    g_ptr_array_add(cmd->argv, g_strdup(arg));
}

void
qemu_cmd_addf(QemuCmd *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(cmd->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void
qemu_cmd_add_json(QemuCmd *cmd, const char *opt, QemuProps *props)
{
    qemu_cmd_add(cmd, opt);
    g_ptr_array_add(cmd->argv, qemu_props_json(props));
    qemu_props_free(props);
}

void
qemu_cmd_unsupported(GError **error, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    mv_error_set_literal(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED, msg);
}

char *
qemu_command_disk_node_name(const DomainDef *def, guint idx, const char *what)
{
    return g_strdup_printf("libvirt-%u-%s", def->disks->len - idx, what);
}

char *
qemu_command_disk_secret_path(const char *domain_dir, guint idx)
{
    return g_strdup_printf("%s/disk%u-secret", domain_dir, idx);
}

/* ---- machine, accelerator ----------------------------------------------------- */

static gboolean
qemu_cmd_machine_kind(QemuCmd *cmd, const char *machine, GError **error)
{
    if (g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35-")) {
        cmd->machine = QEMU_MACHINE_Q35;
    } else if (g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-i440fx-") ||
               g_str_has_prefix(machine, "pc-")) {
        cmd->machine = QEMU_MACHINE_I440FX;
    } else {
        qemu_cmd_unsupported(error, "unsupported machine type '%s'", machine);
        return FALSE;
    }
    return TRUE;
}

static const DomainTimerDef *
qemu_cmd_find_timer(const DomainDef *def, const char *name)
{
    for (guint i = 0; i < def->clock.timers->len; i++) {
        const DomainTimerDef *t = g_ptr_array_index(def->clock.timers, i);

        if (MV_STREQ(t->name, name))
            return t;
    }
    return NULL;
}

static gboolean
qemu_cmd_build_machine(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;
    const char *machine = cmd->opts->machine ? cmd->opts->machine : def->os.machine;
    const DomainTimerDef *hpet = qemu_cmd_find_timer(def, "hpet");
    g_autoptr(GString) m = NULL;

    if (!machine) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no machine type for domain '%s'", def->name);
        return FALSE;
    }
    if (!qemu_cmd_machine_kind(cmd, machine, error))
        return FALSE;
    cmd->machine_type = machine;
    m = g_string_new(machine);
    g_string_append(m, ",usb=off");
    if (def->features.vmport != DOMAIN_TRISTATE_ABSENT)
        g_string_append_printf(m, ",vmport=%s",
                               def->features.vmport == DOMAIN_TRISTATE_YES ? "on" : "off");
    g_string_append(m, ",dump-guest-core=off");
    if (hpet && hpet->present == DOMAIN_TRISTATE_NO)
        g_string_append(m, ",hpet=off");
    if (def->features.acpi != DOMAIN_TRISTATE_YES)
        g_string_append(m, ",acpi=off");
    qemu_cmd_add(cmd, "-machine");
    qemu_cmd_add(cmd, m->str);

    qemu_cmd_add(cmd, "-accel");
    switch (def->virt_type) {
    case DOMAIN_VIRT_KVM:
        qemu_cmd_add(cmd, "kvm");
        break;
    case DOMAIN_VIRT_QEMU:
        qemu_cmd_add(cmd, "tcg");
        break;
    case DOMAIN_VIRT_TEST:
    case DOMAIN_VIRT_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported domain type '%s'",
                             domain_virt_to_string(def->virt_type));
        return FALSE;
    }
    return TRUE;
}

/* ---- CPU ------------------------------------------------------------------------ */

static const char *
qemu_cmd_cpu_base(QemuCmd *cmd, const DomainCPUDef *cpu, GError **error)
{
    const char *mode = domain_cpu_mode_to_string(cpu->mode);

    switch (cpu->mode) {
    case DOMAIN_CPU_MODE_CUSTOM:
        return cpu->model;
    case DOMAIN_CPU_MODE_MAXIMUM:
        if (cmd->def->virt_type == DOMAIN_VIRT_QEMU)
            return "max";
        G_GNUC_FALLTHROUGH;
    case DOMAIN_CPU_MODE_HOST_MODEL:
    case DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
        if (!cmd->opts->host_cpu) {
            qemu_cmd_unsupported(error, "unsupported CPU mode '%s' on this host", mode);
            return NULL;
        }
        return cmd->opts->host_cpu;
    case DOMAIN_CPU_MODE_LAST:
    default:
        mv_enum_range_error(cpu->mode);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "bad CPU mode %d", cpu->mode);
        return NULL;
    }
}

static void
qemu_cmd_cpu_features(QemuCmd *cmd, const DomainCPUDef *cpu, GString *c)
{
    const DomainTimerDef *kvmclock = qemu_cmd_find_timer(cmd->def, "kvmclock");

    for (guint i = 0; cpu && cpu->features && i < cpu->features->len; i++) {
        const DomainCPUFeature *f = g_ptr_array_index(cpu->features, i);
        gboolean on = f->policy != DOMAIN_CPU_FEATURE_DISABLE &&
                      f->policy != DOMAIN_CPU_FEATURE_FORBID;

        g_string_append_printf(c, ",%s=%s", f->name, on ? "on" : "off");
    }
    if (cpu && cpu->vendor_id)
        g_string_append_printf(c, ",vendor=%s", cpu->vendor_id);
    if (cmd->def->features.apic_eoi != DOMAIN_TRISTATE_ABSENT)
        g_string_append_printf(c, ",kvm-pv-eoi=%s",
                               cmd->def->features.apic_eoi == DOMAIN_TRISTATE_YES ? "on" : "off");
    if (kvmclock && kvmclock->present != DOMAIN_TRISTATE_ABSENT)
        g_string_append_printf(c, ",kvmclock=%s",
                               kvmclock->present == DOMAIN_TRISTATE_YES ? "on" : "off");
}

static gboolean
qemu_cmd_build_cpu(QemuCmd *cmd, GError **error)
{
    const DomainCPUDef *cpu = cmd->def->cpu;
    const char *base = NULL;
    g_autoptr(GString) c = g_string_new(NULL);

    if (cpu && cpu->mode == DOMAIN_CPU_MODE_CUSTOM)
        base = cpu->model;
    else if (cpu && !(base = qemu_cmd_cpu_base(cmd, cpu, error)))
        return FALSE;
    qemu_cmd_cpu_features(cmd, cpu, c);
    if (!base && c->len == 0)
        return TRUE;
    if (!base && cpu && cpu->features && cpu->features->len > 0) {
        qemu_cmd_unsupported(error, "CPU features need a CPU <model>");
        return FALSE;
    }
    /* QEMU's own default model, named so that the properties apply to it */
    g_string_prepend(c, base ? base : "qemu64");
    qemu_cmd_add(cmd, "-cpu");
    qemu_cmd_add(cmd, c->str);
    return TRUE;
}

/* ---- memory and topology ---------------------------------------------------------- */

static gboolean
qemu_cmd_build_smp(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;
    const DomainCPUDef *cpu = def->cpu;
    guint sockets = def->vcpus_max, dies = 1, cores = 1, threads = 1;
    guint current = def->vcpus_current ? def->vcpus_current : def->vcpus_max;
    g_autoptr(GString) s = NULL;

    if (def->max_memory_kib == 0) {
        qemu_cmd_unsupported(error, "memory size must be greater than zero");
        return FALSE;
    }
    qemu_cmd_add(cmd, "-m");
    qemu_cmd_addf(cmd, "size=%" G_GUINT64_FORMAT "k", def->max_memory_kib);

    if (def->vcpus_max == 0 || current > def->vcpus_max) {
        qemu_cmd_unsupported(error, "invalid vcpu count %u (maximum %u)", current,
                             def->vcpus_max);
        return FALSE;
    }
    if (cpu && cpu->sockets > 0) {
        sockets = cpu->sockets;
        dies = cpu->dies ? cpu->dies : 1;
        cores = cpu->cores ? cpu->cores : 1;
        threads = cpu->threads ? cpu->threads : 1;
        if ((guint64)sockets * dies * cores * threads != def->vcpus_max) {
            qemu_cmd_unsupported(error, "CPU topology doesn't match maximum vcpu count");
            return FALSE;
        }
    }
    s = g_string_new(NULL);
    g_string_append_printf(s, "%u,sockets=%u,dies=%u,cores=%u,threads=%u", current, sockets,
                           dies, cores, threads);
    if (current != def->vcpus_max)
        g_string_append_printf(s, ",maxcpus=%u", def->vcpus_max);
    qemu_cmd_add(cmd, "-smp");
    qemu_cmd_add(cmd, s->str);
    return TRUE;
}

/* ---- monitor, clock, life cycle, boot ------------------------------------------------- */

static gboolean
qemu_cmd_build_monitor(QemuCmd *cmd, GError **error)
{
    const QemuCommandOpts *opts = cmd->opts;

    qemu_cmd_add(cmd, "-chardev");
    if (opts->monitor_fd >= 0) {
        qemu_cmd_addf(cmd, "socket,id=charmonitor,fd=%d,server=on,wait=off", opts->monitor_fd);
    } else if (opts->monitor_path) {
        g_autofree char *path = qemu_keyval_escape(opts->monitor_path);

        qemu_cmd_addf(cmd, "socket,id=charmonitor,path=%s,server=on,wait=off", path);
    } else {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no monitor socket for domain '%s'", cmd->def->name);
        return FALSE;
    }
    qemu_cmd_add(cmd, "-mon");
    qemu_cmd_add(cmd, "chardev=charmonitor,id=monitor,mode=control");
    return TRUE;
}

static gboolean
qemu_cmd_rtc_base(QemuCmd *cmd, GString *rtc, GError **error)
{
    const DomainClockDef *clock = &cmd->def->clock;
    gboolean local = clock->offset == DOMAIN_CLOCK_LOCALTIME;
    gint64 now = cmd->opts->now ? cmd->opts->now : g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GDateTime) t = NULL;
    g_autofree char *stamp = NULL;

    switch (clock->offset) {
    case DOMAIN_CLOCK_UTC:
    case DOMAIN_CLOCK_LOCALTIME:
        if (!clock->has_adjustment || clock->adjustment_reset) {
            g_string_append(rtc, local ? "base=localtime" : "base=utc");
            return TRUE;
        }
        break;
    case DOMAIN_CLOCK_VARIABLE:
        local = MV_STREQ(clock->basis, "localtime");
        break;
    case DOMAIN_CLOCK_TIMEZONE:
    case DOMAIN_CLOCK_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported clock offset '%s'",
                             domain_clock_offset_to_string(clock->offset));
        return FALSE;
    }
    now += clock->adjustment;
    t = local ? g_date_time_new_from_unix_local(now) : g_date_time_new_from_unix_utc(now);
    if (!t) {
        qemu_cmd_unsupported(error, "clock adjustment %" G_GINT64_FORMAT " is out of range",
                             clock->adjustment);
        return FALSE;
    }
    stamp = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
    g_string_append_printf(rtc, "base=%s", stamp);
    return TRUE;
}

static gboolean
qemu_cmd_timer(QemuCmd *cmd, const DomainTimerDef *t, GString *rtc, const char **ret_pit,
               GError **error)
{
    if (g_str_equal(t->name, "rtc")) {
        if (MV_STREQ(t->track, "guest"))
            g_string_append(rtc, ",clock=vm");
        else if (MV_STREQ(t->track, "wall"))
            g_string_append(rtc, ",clock=host");
        else if (MV_STREQ(t->track, "realtime"))
            g_string_append(rtc, ",clock=rt");
        else if (t->track && !MV_STREQ(t->track, "boot"))
            goto unsupported;
        if (MV_STREQ(t->tickpolicy, "catchup"))
            g_string_append(rtc, ",driftfix=slew");
        else if (t->tickpolicy && !MV_STREQ(t->tickpolicy, "delay"))
            goto unsupported;
    } else if (g_str_equal(t->name, "pit")) {
        if (t->tickpolicy && !MV_STREQ(t->tickpolicy, "delay") &&
            !MV_STREQ(t->tickpolicy, "discard"))
            goto unsupported;
        /* only the in-kernel PIT has a lost tick policy */
        if (cmd->def->virt_type == DOMAIN_VIRT_KVM)
            *ret_pit = t->tickpolicy;
    } else if (!g_str_equal(t->name, "hpet") && !g_str_equal(t->name, "kvmclock")) {
        qemu_cmd_unsupported(error, "unsupported timer '%s'", t->name);
        return FALSE;
    }
    return TRUE;

 unsupported:
    qemu_cmd_unsupported(error, "unsupported %s timer setting (track '%s', tickpolicy '%s')",
                         t->name, t->track ? t->track : "", t->tickpolicy ? t->tickpolicy : "");
    return FALSE;
}

static gboolean
qemu_cmd_build_clock(QemuCmd *cmd, GError **error)
{
    g_autoptr(GString) rtc = g_string_new(NULL);
    const char *pit = NULL;

    if (!qemu_cmd_rtc_base(cmd, rtc, error))
        return FALSE;
    for (guint i = 0; i < cmd->def->clock.timers->len; i++) {
        if (!qemu_cmd_timer(cmd, g_ptr_array_index(cmd->def->clock.timers, i), rtc, &pit,
                            error))
            return FALSE;
    }
    qemu_cmd_add(cmd, "-rtc");
    qemu_cmd_add(cmd, rtc->str);
    if (pit) {
        qemu_cmd_add(cmd, "-global");
        qemu_cmd_addf(cmd, "kvm-pit.lost_tick_policy=%s", pit);
    }
    return TRUE;
}

static gboolean
qemu_cmd_build_lifecycle(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;
    g_autoptr(GString) action = g_string_new(NULL);

    qemu_cmd_add(cmd, "-no-shutdown");
    switch (def->on_reboot) {
    case DOMAIN_LIFECYCLE_RESTART:
        break;
    case DOMAIN_LIFECYCLE_DESTROY:
    case DOMAIN_LIFECYCLE_PRESERVE:
        /* the reboot becomes a SHUTDOWN event the daemon acts on */
        g_string_append(action, "reboot=shutdown");
        break;
    case DOMAIN_LIFECYCLE_RESTART_RENAME:
    case DOMAIN_LIFECYCLE_COREDUMP_DESTROY:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
    case DOMAIN_LIFECYCLE_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported on_reboot action '%s'",
                             domain_lifecycle_to_string(def->on_reboot));
        return FALSE;
    }
    switch (def->on_crash) {
    case DOMAIN_LIFECYCLE_DESTROY:
    case DOMAIN_LIFECYCLE_RESTART:
        break;
    case DOMAIN_LIFECYCLE_PRESERVE:
        g_string_append_printf(action, "%spanic=pause", action->len ? "," : "");
        break;
    case DOMAIN_LIFECYCLE_RESTART_RENAME:
    case DOMAIN_LIFECYCLE_COREDUMP_DESTROY:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
    case DOMAIN_LIFECYCLE_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported on_crash action '%s'",
                             domain_lifecycle_to_string(def->on_crash));
        return FALSE;
    }
    /* what follows a guest poweroff is the daemon's business (-no-shutdown) */
    if (def->on_poweroff != DOMAIN_LIFECYCLE_DESTROY &&
        def->on_poweroff != DOMAIN_LIFECYCLE_RESTART &&
        def->on_poweroff != DOMAIN_LIFECYCLE_PRESERVE) {
        qemu_cmd_unsupported(error, "unsupported on_poweroff action '%s'",
                             domain_lifecycle_to_string(def->on_poweroff));
        return FALSE;
    }
    if (action->len > 0) {
        qemu_cmd_add(cmd, "-action");
        qemu_cmd_add(cmd, action->str);
    }
    return TRUE;
}

/* ---- power management --------------------------------------------------------------- */

/* <pm>: the ACPI S3/S4 switches of the chipset's power management device. */
static void
qemu_cmd_build_pm(QemuCmd *cmd)
{
    const char *device = cmd->machine == QEMU_MACHINE_Q35 ? "ICH9-LPC" : "PIIX4_PM";
    const DomainPMDef *pm = &cmd->def->pm;

    if (pm->suspend_to_mem != DOMAIN_TRISTATE_ABSENT) {
        qemu_cmd_add(cmd, "-global");
        qemu_cmd_addf(cmd, "%s.disable_s3=%d", device,
                      pm->suspend_to_mem == DOMAIN_TRISTATE_NO);
    }
    if (pm->suspend_to_disk != DOMAIN_TRISTATE_ABSENT) {
        qemu_cmd_add(cmd, "-global");
        qemu_cmd_addf(cmd, "%s.disable_s4=%d", device,
                      pm->suspend_to_disk == DOMAIN_TRISTATE_NO);
    }
}

/* ---- boot order ------------------------------------------------------------------------- */

static gboolean
qemu_cmd_boot_claim(GHashTable *seen, guint order, GError **error)
{
    if (g_hash_table_contains(seen, GUINT_TO_POINTER(order))) {
        qemu_cmd_unsupported(error, "boot order '%u' used for more than one device", order);
        return FALSE;
    }
    g_hash_table_add(seen, GUINT_TO_POINTER(order));
    return TRUE;
}

/* <boot dev=...> in <os>: the first device of each kind, in that order. */
static void
qemu_cmd_boot_from_os(QemuCmd *cmd)
{
    const DomainDef *def = cmd->def;
    DomainBootDev devs[DOMAIN_BOOT_LAST] = { DOMAIN_BOOT_DISK };
    guint ndevs = def->os.nboot_devs;

    if (ndevs == 0) {
        if (def->os.kernel)
            return;
        ndevs = 1;
    } else {
        memcpy(devs, def->os.boot_devs, sizeof(devs));
    }
    for (guint k = 0; k < ndevs; k++) {
        if (devs[k] == DOMAIN_BOOT_NET) {
            if (def->nets->len > 0 && cmd->net_boot[0] == 0)
                cmd->net_boot[0] = k + 1;
            continue;
        }
        for (guint i = 0; i < def->disks->len; i++) {
            const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
            gboolean match = (devs[k] == DOMAIN_BOOT_CDROM &&
                              disk->device == DOMAIN_DISK_DEVICE_CDROM) ||
                             (devs[k] == DOMAIN_BOOT_FLOPPY &&
                              disk->device == DOMAIN_DISK_DEVICE_FLOPPY) ||
                             (devs[k] == DOMAIN_BOOT_DISK &&
                              (disk->device == DOMAIN_DISK_DEVICE_DISK ||
                               disk->device == DOMAIN_DISK_DEVICE_LUN));

            if (match) {
                if (cmd->disk_boot[i] == 0)
                    cmd->disk_boot[i] = k + 1;
                break;
            }
        }
    }
}

static gboolean
qemu_cmd_build_boot(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    g_autoptr(GString) boot = g_string_new(NULL);
    gboolean per_device = FALSE;

    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if ((cmd->disk_boot[i] = disk->info.boot_order) > 0) {
            per_device = TRUE;
            if (!qemu_cmd_boot_claim(seen, disk->info.boot_order, error))
                return FALSE;
        }
    }
    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if ((cmd->net_boot[i] = net->info.boot_order) > 0) {
            per_device = TRUE;
            if (!qemu_cmd_boot_claim(seen, net->info.boot_order, error))
                return FALSE;
        }
    }
    if (!per_device)
        qemu_cmd_boot_from_os(cmd);

    if (def->os.bootmenu != DOMAIN_TRISTATE_ABSENT) {
        g_string_append_printf(boot, "menu=%s,",
                               def->os.bootmenu == DOMAIN_TRISTATE_YES ? "on" : "off");
        if (def->os.bootmenu == DOMAIN_TRISTATE_YES && def->os.bootmenu_timeout >= 0)
            g_string_append_printf(boot, "splash-time=%d,", def->os.bootmenu_timeout);
    }
    g_string_append(boot, "strict=on");
    qemu_cmd_add(cmd, "-boot");
    qemu_cmd_add(cmd, boot->str);

    if (def->os.kernel) {
        qemu_cmd_add(cmd, "-kernel");
        qemu_cmd_add(cmd, def->os.kernel);
    }
    if (def->os.initrd) {
        qemu_cmd_add(cmd, "-initrd");
        qemu_cmd_add(cmd, def->os.initrd);
    }
    if (def->os.cmdline) {
        qemu_cmd_add(cmd, "-append");
        qemu_cmd_add(cmd, def->os.cmdline);
    }
    if (def->os.dtb) {
        qemu_cmd_add(cmd, "-dtb");
        qemu_cmd_add(cmd, def->os.dtb);
    }
    return TRUE;
}

/* ---- what the parser kept verbatim --------------------------------------------------- */

/*
 * The conf layer keeps XML it does not model (unknown elements and
 * attributes, devices of a kind or type it does not support) and writes it
 * back on format.  None of it can reach QEMU, so starting such a domain fails
 * naming the first thing that would be lost.  For devices the message names
 * the kind and type ("unsupported graphics type 'spice'"); finding those
 * means looking at the formatted XML, as the kept elements are opaque here.
 */
typedef struct {
    const char *element;
    const char *what;            /* in the message */
    const char *attr;            /* the attribute telling the type */
    const char *const *types;    /* what modvirt models, NULL-terminated */
} QemuCheckDevice;

static const char *const qemu_check_disk_types[] = { "file", "block", "network", "volume",
                                                     NULL };
static const char *const qemu_check_net_types[] = { "network", "bridge", "user", "ethernet",
                                                    NULL };
static const char *const qemu_check_chr_types[] = { "null", "vc", "pty", "dev", "file", "pipe",
                                                    "stdio", "tcp", "unix", NULL };
static const char *const qemu_check_graphics_types[] = { "vnc", NULL };
static const char *const qemu_check_input_types[] = { "mouse", "tablet", "keyboard", NULL };
static const char *const qemu_check_audio_types[] = { "none", NULL };
static const char *const qemu_check_any[] = { NULL };

static const QemuCheckDevice qemu_check_devices[] = {
    { "emulator", NULL, NULL, qemu_check_any },
    { "disk", "disk", "type", qemu_check_disk_types },
    { "controller", NULL, NULL, qemu_check_any },
    { "interface", "interface", "type", qemu_check_net_types },
    { "serial", "serial", "type", qemu_check_chr_types },
    { "console", "console", "type", qemu_check_chr_types },
    { "channel", "channel", "type", qemu_check_chr_types },
    { "input", "input", "type", qemu_check_input_types },
    { "graphics", "graphics", "type", qemu_check_graphics_types },
    { "audio", "audio", "type", qemu_check_audio_types },
    { "video", NULL, NULL, qemu_check_any },
    { "memballoon", NULL, NULL, qemu_check_any },
    { "rng", NULL, NULL, qemu_check_any },
};

/* A message for the first device under <devices> modvirt does not model,
 * or NULL. */
static char *
qemu_check_find_device(xmlNode *devices)
{
    for (xmlNode *n = devices->children; n; n = n->next) {
        const QemuCheckDevice *known = NULL;
        g_autofree char *type = NULL;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (size_t i = 0; i < G_N_ELEMENTS(qemu_check_devices) && !known; i++) {
            if (xml_is_element(n, qemu_check_devices[i].element))
                known = &qemu_check_devices[i];
        }
        if (!known)
            return g_strdup_printf("unsupported device <%s>", (const char *)n->name);
        if (!known->attr)
            continue;
        type = xml_get_prop(n, known->attr);
        if (type && !g_strv_contains(known->types, type))
            return g_strdup_printf("unsupported %s type '%s'", known->what, type);
    }
    return NULL;
}

static gboolean
qemu_cmd_check_unknown(const DomainDef *def, GError **error)
{
    g_autofree char *what = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *msg = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *devices;

    if (!domain_def_has_unknown(def, &what))
        return TRUE;
    xml = domain_def_format(def, DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE);
    doc = xml_parse_string(xml, "domain", "domain", NULL);
    devices = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    if (devices)
        msg = qemu_check_find_device(devices);
    if (msg) {
        mv_error_set_literal(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED, msg);
        return FALSE;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                 "%s is not supported by the QEMU driver", what ? what : "some XML");
    return FALSE;
}

/* ---- the whole command line -------------------------------------------------------------- */

static gboolean
qemu_cmd_build_head(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;
    const char *emulator = cmd->opts->emulator ? cmd->opts->emulator : def->emulator;
    g_autofree char *name = qemu_keyval_escape(def->name);
    char uuid[37];

    if (!emulator) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no emulator for domain '%s'", def->name);
        return FALSE;
    }
    if (cmd->opts->qemu_version != 0 && cmd->opts->qemu_version < QEMU_COMMAND_MIN_VERSION) {
        guint64 v = cmd->opts->qemu_version;

        qemu_cmd_unsupported(error, "QEMU %u.%u.%u is too old, 7.0 or newer is needed",
                             (guint)(v / 1000000), (guint)(v / 1000 % 1000), (guint)(v % 1000));
        return FALSE;
    }
    qemu_cmd_add(cmd, emulator);
    qemu_cmd_add(cmd, "-name");
    qemu_cmd_addf(cmd, "guest=%s,debug-threads=on", name);
    qemu_cmd_add(cmd, "-S");
    if (!qemu_cmd_build_machine(cmd, error) || !qemu_cmd_build_cpu(cmd, error) ||
        !qemu_cmd_build_smp(cmd, error))
        return FALSE;
    qemu_cmd_add(cmd, "-uuid");
    qemu_cmd_add(cmd, mv_uuid_format(def->uuid, uuid));
    if (def->graphics->len == 0) {
        qemu_cmd_add(cmd, "-display");
        qemu_cmd_add(cmd, "none");
    }
    qemu_cmd_add(cmd, "-no-user-config");
    qemu_cmd_add(cmd, "-nodefaults");
    if (!qemu_cmd_build_monitor(cmd, error) || !qemu_cmd_build_clock(cmd, error) ||
        !qemu_cmd_build_lifecycle(cmd, error))
        return FALSE;
    qemu_cmd_build_pm(cmd);
    return qemu_cmd_build_boot(cmd, error);
}

static void
qemu_cmd_clear(QemuCmd *cmd)
{
    g_clear_pointer(&cmd->argv, g_ptr_array_unref);
    g_clear_pointer(&cmd->controllers, g_ptr_array_unref);
    g_clear_pointer(&cmd->implicit, g_ptr_array_unref);
    g_clear_pointer(&cmd->pci, g_hash_table_unref);
    g_clear_pointer(&cmd->disk_boot, g_free);
    g_clear_pointer(&cmd->net_boot, g_free);
}

GPtrArray *
qemu_command_build(const DomainDef *def, const QemuCommandOpts *opts, GError **error)
{
    g_autofree QemuCmd *cmd = g_new0(QemuCmd, 1);
    gboolean ok;

    g_return_val_if_fail(def != NULL && opts != NULL, NULL);
    cmd->def = def;
    cmd->opts = opts;
    cmd->argv = g_ptr_array_new_with_free_func(g_free);
    cmd->pci = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    cmd->disk_boot = g_new0(guint, def->disks->len + 1);
    cmd->net_boot = g_new0(guint, def->nets->len + 1);

    /* libvirt's section order */
    ok = qemu_cmd_check_unknown(def, error) && qemu_cmd_build_head(cmd, error) &&
         qemu_cmd_pci_prepare(cmd, error) && qemu_cmd_build_controllers(cmd, error) &&
         qemu_cmd_build_disks(cmd, error) && qemu_cmd_build_nets(cmd, error) &&
         qemu_cmd_build_serials(cmd, error) && qemu_cmd_build_channels(cmd, error) &&
         qemu_cmd_build_consoles(cmd, error) && qemu_cmd_build_inputs(cmd, error) &&
         qemu_cmd_build_audios(cmd, error) && qemu_cmd_build_graphics(cmd, error) &&
         qemu_cmd_build_videos(cmd, error) && qemu_cmd_build_memballoon(cmd, error) &&
         qemu_cmd_build_rngs(cmd, error);
    if (ok) {
        GPtrArray *argv = g_steal_pointer(&cmd->argv);

        g_ptr_array_add(argv, g_strdup("-msg"));
        g_ptr_array_add(argv, g_strdup("timestamp=on"));
        qemu_cmd_clear(cmd);
        return argv;
    }
    qemu_cmd_clear(cmd);
    return NULL;
}

/* ---- define-time PCI addresses ---------------------------------------------------------- */

static void
qemu_cmd_write_pci_addr(QemuCmd *cmd, gconstpointer dev, DomainDeviceInfo *info)
{
    const QemuPciAddr *a = g_hash_table_lookup(cmd->pci, dev);

    if (!a || info->addr.type == DOMAIN_ADDR_PCI)
        return;
    memset(&info->addr, 0, sizeof(info->addr));
    info->addr.type = DOMAIN_ADDR_PCI;
    info->addr.bus = a->bus;
    info->addr.slot = a->slot;
    info->addr.function = a->function;
    info->addr.multifunction = a->multifunction ? DOMAIN_TRISTATE_YES : DOMAIN_TRISTATE_ABSENT;
}

#define QEMU_CMD_WRITE_LIST(cmd, list, type) \
    for (guint i = 0; i < (list)->len; i++) { \
        type *d_ = g_ptr_array_index((list), i); \
        qemu_cmd_write_pci_addr((cmd), d_, &d_->info); \
    }

gboolean
qemu_command_assign_pci(DomainDef *def, GError **error)
{
    g_autofree QemuCmd *cmd = g_new0(QemuCmd, 1);
    gboolean ok;

    cmd->def = def;
    cmd->pci = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    ok = def->os.machine && qemu_cmd_machine_kind(cmd, def->os.machine, error);
    if (!def->os.machine)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no machine type for domain '%s'", def->name);
    cmd->machine_type = def->os.machine;
    if (ok && (ok = qemu_cmd_pci_prepare(cmd, error))) {
        /* what the builder would add by itself becomes part of the definition */
        while (cmd->implicit->len > 0) {
            g_ptr_array_add(def->controllers, g_ptr_array_steal_index(cmd->implicit, 0));
        }
        QEMU_CMD_WRITE_LIST(cmd, def->controllers, DomainControllerDef);
        QEMU_CMD_WRITE_LIST(cmd, def->nets, DomainNetDef);
        QEMU_CMD_WRITE_LIST(cmd, def->videos, DomainVideoDef);
        QEMU_CMD_WRITE_LIST(cmd, def->rngs, DomainRNGDef);
        QEMU_CMD_WRITE_LIST(cmd, def->disks, DomainDiskDef);
        QEMU_CMD_WRITE_LIST(cmd, def->inputs, DomainInputDef);
        QEMU_CMD_WRITE_LIST(cmd, def->serials, DomainChrDef);
        if (def->memballoon)
            qemu_cmd_write_pci_addr(cmd, def->memballoon, &def->memballoon->info);
    }
    qemu_cmd_clear(cmd);
    return ok;
}

#undef QEMU_CMD_WRITE_LIST

/* ---- .args formatting ---------------------------------------------------------------------- */

static gboolean
qemu_arg_is_shell_safe(const char *arg)
{
    if (!*arg)
        return FALSE;
    for (const char *c = arg; *c; c++) {
        if (!g_ascii_isalnum(*c) && !strchr("-_.,:/=+@%", *c))
            return FALSE;
    }
    return TRUE;
}

static void
qemu_arg_append(GString *out, const char *arg)
{
    if (qemu_arg_is_shell_safe(arg)) {
        g_string_append(out, arg);
        return;
    }
    g_string_append_c(out, '\'');
    for (const char *c = arg; *c; c++) {
        if (*c == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *c);
    }
    g_string_append_c(out, '\'');
}

char *
qemu_command_format(GPtrArray *argv)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < argv->len && g_ptr_array_index(argv, i); i++) {
        const char *arg = g_ptr_array_index(argv, i);
        const char *next = i + 1 < argv->len ? g_ptr_array_index(argv, i + 1) : NULL;

        if (i > 0)
            g_string_append(out, " \\\n");
        qemu_arg_append(out, arg);
        /* an option and its value share a line */
        if (i > 0 && arg[0] == '-' && next && next[0] != '-') {
            g_string_append_c(out, ' ');
            qemu_arg_append(out, next);
            i++;
        }
    }
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}
