/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-postparse.c: the QEMU driver's define-time defaults (see the
 * header).  The order of the steps follows libvirt's: the machine and the
 * default devices first, then the defaults of each device, then the
 * addresses.
 */
#include <config.h>

#include <string.h>
#include <sys/utsname.h>

#include "drivers/qemu/qemu-command.h"
#include "drivers/qemu/qemu-postparse.h"
#include "util/error.h"
#include "util/macros.h"

typedef enum {
    QEMU_PP_I440FX,
    QEMU_PP_Q35,
    QEMU_PP_OTHER,   /* a machine the builder does not run: no device defaults */
} QemuPPMachine;

typedef struct {
    DomainDef *def;
    QemuPPMachine machine;
    gboolean x86;
    GPtrArray *added;          /* controllers added here, in libvirt's order (borrowed) */
    /* Defaults the builder never added by itself: they get their PCI
     * address after the devices it did address, so that none of those moves
     * when a definition from before define-time defaults is defined again. */
    DomainControllerDef *late_usb;
    DomainMemballoonDef *late_balloon;
} QemuPP;

/* ---- machine, emulator, CPU -------------------------------------------------------- */

static gboolean
qemu_pp_machine(QemuPP *pp, const QemuCaps *caps, GError **error)
{
    DomainDef *def = pp->def;
    const QemuMachine *m = qemu_caps_get_machine(caps, def->os.machine);
    const char *name;

    if (!m) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "Emulator '%s' does not support machine type '%s'", caps->binary,
                     def->os.machine ? def->os.machine : "");
        return FALSE;
    }
    /* an alias ("pc", "q35") is resolved once, so that the guest keeps the
     * machine type it was defined with when QEMU moves the alias */
    name = m->alias ? m->alias : m->name;
    if (!MV_STREQ(def->os.machine, name)) {
        g_free(def->os.machine);
        def->os.machine = g_strdup(name);
    }
    if (!def->os.arch)
        def->os.arch = g_strdup(caps->arch);
    if (!def->emulator)
        def->emulator = g_strdup(caps->binary);
    pp->x86 = g_str_equal(def->os.arch, "x86_64") || g_str_equal(def->os.arch, "i686");
    if (g_str_has_prefix(name, "pc-q35-") || g_str_equal(name, "q35"))
        pp->machine = QEMU_PP_Q35;
    else if (g_str_equal(name, "pc") || g_str_has_prefix(name, "pc-"))
        pp->machine = QEMU_PP_I440FX;
    else
        pp->machine = QEMU_PP_OTHER;
    if (!pp->x86)
        pp->machine = QEMU_PP_OTHER;
    return TRUE;
}

/* QEMU's default model, named, and the checks libvirt records with each mode. */
static void
qemu_pp_cpu(QemuPP *pp)
{
    DomainCPUDef *cpu = pp->def->cpu;

    if (!pp->x86)
        return;
    if (!cpu) {
        cpu = pp->def->cpu = g_new0(DomainCPUDef, 1);
        cpu->features = g_ptr_array_new();
        cpu->mode = DOMAIN_CPU_MODE_CUSTOM;
        cpu->match = DOMAIN_CPU_MATCH_EXACT;
    }
    switch (cpu->mode) {
    case DOMAIN_CPU_MODE_CUSTOM:
        if (!cpu->model) {
            cpu->model = g_strdup("qemu64");
            g_free(cpu->model_fallback);
            cpu->model_fallback = g_strdup("forbid");
            if (cpu->check == DOMAIN_CPU_CHECK_DEFAULT)
                cpu->check = DOMAIN_CPU_CHECK_NONE;
        } else if (cpu->check == DOMAIN_CPU_CHECK_DEFAULT) {
            cpu->check = DOMAIN_CPU_CHECK_PARTIAL;
        }
        break;
    case DOMAIN_CPU_MODE_HOST_MODEL:
        if (cpu->check == DOMAIN_CPU_CHECK_DEFAULT)
            cpu->check = DOMAIN_CPU_CHECK_PARTIAL;
        break;
    case DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
    case DOMAIN_CPU_MODE_MAXIMUM:
        if (cpu->check == DOMAIN_CPU_CHECK_DEFAULT)
            cpu->check = DOMAIN_CPU_CHECK_NONE;
        if (cpu->migratable == DOMAIN_TRISTATE_ABSENT)
            cpu->migratable = DOMAIN_TRISTATE_YES;
        break;
    case DOMAIN_CPU_MODE_LAST:
    default:
        mv_enum_range_error(cpu->mode);
        break;
    }
    if (cpu->sockets > 0 && cpu->dies == 0)
        cpu->dies = 1;
}

/* ---- controllers ------------------------------------------------------------------------- */

static DomainControllerDef *
qemu_pp_find_controller(const DomainDef *def, DomainControllerType type, int index)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(def->controllers, i);

        if (c->type == type && c->index == index)
            return c;
    }
    return NULL;
}

static DomainControllerDef *
qemu_pp_controller_new(DomainControllerType type, int index, const char *model)
{
    DomainControllerDef *c = g_new0(DomainControllerDef, 1);

    c->type = type;
    c->index = index;
    c->model = g_strdup(model);
    c->ports = c->vectors = c->master_startport = -1;
    c->pci_chassis = c->pci_port = c->pci_bus_nr = -1;
    return c;
}

/* A default controller the machine has: added when missing, or, when the
 * conf layer added it for a disk, moved to where libvirt's driver puts it. */
static void
qemu_pp_want_controller(QemuPP *pp, DomainControllerType type, int index, const char *model)
{
    DomainControllerDef *c = qemu_pp_find_controller(pp->def, type, index);

    if (!c) {
        c = qemu_pp_controller_new(type, index, model);
        g_ptr_array_add(pp->def->controllers, c);
        g_ptr_array_add(pp->added, c);
    } else if (c->implicit) {
        g_ptr_array_add(pp->added, c);
    }
}

/*
 * libvirt's order: the controllers the user wrote, those the QEMU driver
 * adds (USB, the chipset's SATA, the root bus), then those added for the
 * disks and channels.
 */
static void
qemu_pp_order_controllers(QemuPP *pp)
{
    GPtrArray *old = pp->def->controllers;
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)domain_controller_def_free);

    for (guint i = 0; i < old->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(old, i);

        if (!c->implicit && !g_ptr_array_find(pp->added, c, NULL))
            g_ptr_array_add(list, c);
    }
    g_ptr_array_extend(list, pp->added, NULL, NULL);
    for (guint i = 0; i < old->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(old, i);

        if (c->implicit && !g_ptr_array_find(pp->added, c, NULL))
            g_ptr_array_add(list, c);
    }
    g_ptr_array_set_free_func(old, NULL);
    g_ptr_array_unref(old);
    pp->def->controllers = list;
}

static void
qemu_pp_controller_defaults(QemuPP *pp, DomainControllerDef *c)
{
    gboolean q35 = pp->machine == QEMU_PP_Q35;

    switch (c->type) {
    case DOMAIN_CONTROLLER_USB:
        if (!c->model)
            c->model = g_strdup(q35 ? "qemu-xhci" : "piix3-uhci");
        break;
    case DOMAIN_CONTROLLER_SCSI:
        /* NB: libvirt picks lsilogic; the builder has always run virtio-scsi */
        if (!c->model)
            c->model = g_strdup("virtio-scsi");
        break;
    case DOMAIN_CONTROLLER_PCI:
        if (!c->model && c->index == 0)
            c->model = g_strdup(q35 ? "pcie-root" : "pci-root");
        else if (!c->model)
            c->model = g_strdup(q35 ? "pcie-root-port" : "pci-bridge");
        if (g_str_equal(c->model, "pci-bridge")) {
            if (!c->pci_model_name)
                c->pci_model_name = g_strdup("pci-bridge");
            /* chassisNr is 1-255: past that, QEMU's default. */
            if (c->pci_chassis_nr == 0 && c->pci_chassis < 0 && c->index > 0 && c->index <= 255)
                c->pci_chassis_nr = (guint)c->index;
        } else if (g_str_equal(c->model, "pcie-root-port")) {
            if (!c->pci_model_name)
                c->pci_model_name = g_strdup("pcie-root-port");
            if (c->pci_chassis < 0)
                c->pci_chassis = c->index;
        }
        break;
    case DOMAIN_CONTROLLER_IDE:
    case DOMAIN_CONTROLLER_FDC:
    case DOMAIN_CONTROLLER_SATA:
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
    case DOMAIN_CONTROLLER_CCID:
    case DOMAIN_CONTROLLER_XENBUS:
    case DOMAIN_CONTROLLER_ISA:
    case DOMAIN_CONTROLLER_LAST:
    default:
        break;
    }
}

static gboolean
qemu_pp_has_usb_device(const DomainDef *def)
{
    for (guint i = 0; i < def->inputs->len; i++) {
        const DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (in->bus == DOMAIN_INPUT_BUS_USB)
            return TRUE;
    }
    for (guint i = 0; i < def->disks->len; i++) {
        if (((DomainDiskDef *)g_ptr_array_index(def->disks, i))->bus == DOMAIN_DISK_BUS_USB)
            return TRUE;
    }
    for (guint i = 0; i < def->serials->len; i++) {
        if (MV_STREQ(((DomainChrDef *)g_ptr_array_index(def->serials, i))->target_type,
                     "usb-serial"))
            return TRUE;
    }
    return FALSE;
}

/* The chipset's own functions: PIIX3 IDE at 00:01.1, ICH9 AHCI at 00:1f.2. */
static void
qemu_pp_builtin_address(QemuPP *pp, DomainControllerDef *c)
{
    DomainDeviceAddress *a = &c->info.addr;

    if (a->type != DOMAIN_ADDR_NONE || c->index != 0)
        return;
    if (c->type == DOMAIN_CONTROLLER_IDE && pp->machine == QEMU_PP_I440FX) {
        a->slot = 0x01;
        a->function = 1;
    } else if (c->type == DOMAIN_CONTROLLER_SATA && pp->machine == QEMU_PP_Q35) {
        a->slot = 0x1f;
        a->function = 2;
    } else {
        return;
    }
    a->type = DOMAIN_ADDR_PCI;
}

static void
qemu_pp_controllers(QemuPP *pp)
{
    gboolean has_usb = FALSE;

    for (guint i = 0; i < pp->def->controllers->len; i++) {
        if (((DomainControllerDef *)g_ptr_array_index(pp->def->controllers, i))->type ==
            DOMAIN_CONTROLLER_USB)
            has_usb = TRUE;
    }
    if (!has_usb) {
        qemu_pp_want_controller(pp, DOMAIN_CONTROLLER_USB, 0, NULL);
        /* the builder added one for USB devices, at its place */
        if (!qemu_pp_has_usb_device(pp->def))
            pp->late_usb = qemu_pp_find_controller(pp->def, DOMAIN_CONTROLLER_USB, 0);
    }
    if (pp->machine == QEMU_PP_Q35)
        qemu_pp_want_controller(pp, DOMAIN_CONTROLLER_SATA, 0, NULL);
    qemu_pp_want_controller(pp, DOMAIN_CONTROLLER_PCI, 0, NULL);
    qemu_pp_order_controllers(pp);
    for (guint i = 0; i < pp->def->controllers->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(pp->def->controllers, i);

        qemu_pp_controller_defaults(pp, c);
        qemu_pp_builtin_address(pp, c);
    }
}

/* ---- other devices -------------------------------------------------------------------------- */

static void
qemu_pp_disks(QemuPP *pp)
{
    for (guint i = 0; i < pp->def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(pp->def->disks, i);

        if (!disk->driver_name)
            disk->driver_name = g_strdup("qemu");
        /* a volume's format is the pool's business, decided at start */
        if (!disk->format && disk->type != DOMAIN_DISK_TYPE_VOLUME)
            disk->format = g_strdup("raw");
    }
}

static void
qemu_pp_device_models(QemuPP *pp)
{
    for (guint i = 0; i < pp->def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(pp->def->nets, i);

        if (!net->model)
            net->model = g_strdup("rtl8139");
    }
    for (guint i = 0; i < pp->def->videos->len; i++) {
        DomainVideoDef *video = g_ptr_array_index(pp->def->videos, i);

        /* QEMU's own default, named */
        if (MV_STREQ(video->model, "qxl") && video->vgamem == 0)
            video->vgamem = 16 * 1024;
    }
    for (guint i = 0; i < pp->def->serials->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(pp->def->serials, i);

        if (!chr->target_type)
            chr->target_type = g_strdup("isa-serial");
        if (!chr->target_model &&
            (g_str_equal(chr->target_type, "isa-serial") ||
             g_str_equal(chr->target_type, "usb-serial") ||
             g_str_equal(chr->target_type, "pci-serial")))
            chr->target_model = g_strdup(chr->target_type);
    }
}

static gboolean
qemu_pp_has_input(const DomainDef *def, DomainInputType type, DomainInputBus bus)
{
    for (guint i = 0; i < def->inputs->len; i++) {
        const DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (in->type == type && in->bus == bus)
            return TRUE;
    }
    return FALSE;
}

/* What every PC has: the i8042's mouse and keyboard, an audio backend (none:
 * the sound goes nowhere), the memory balloon. */
static void
qemu_pp_default_devices(QemuPP *pp)
{
    static const DomainInputType ps2[] = { DOMAIN_INPUT_MOUSE, DOMAIN_INPUT_KEYBOARD };
    DomainDef *def = pp->def;

    for (guint i = 0; i < G_N_ELEMENTS(ps2); i++) {
        DomainInputDef *in;

        if (qemu_pp_has_input(def, ps2[i], DOMAIN_INPUT_BUS_PS2))
            continue;
        in = g_new0(DomainInputDef, 1);
        in->type = ps2[i];
        in->bus = DOMAIN_INPUT_BUS_PS2;
        g_ptr_array_add(def->inputs, in);
    }
    if (def->audios->len == 0 && domain_def_count_kept_devices(def, "audio") == 0) {
        DomainAudioDef *audio = g_new0(DomainAudioDef, 1);

        audio->id = 1;
        audio->type = g_strdup("none");
        g_ptr_array_add(def->audios, audio);
    }
    if (!def->memballoon) {
        def->memballoon = g_new0(DomainMemballoonDef, 1);
        def->memballoon->model = g_strdup("virtio");
        def->memballoon->stats_period = -1;
        pp->late_balloon = def->memballoon;
    }
}

/* ---- addresses --------------------------------------------------------------------------- */

/* Root ports of a USB controller model (its companions share the bus). */
static guint
qemu_pp_usb_ports(const DomainControllerDef *c)
{
    static const struct {
        const char *model;
        guint ports;
    } table[] = {
        { "piix3-uhci", 2 }, { "piix4-uhci", 2 }, { "vt82c686b-uhci", 2 },
        { "ich9-uhci1", 2 }, { "ich9-uhci2", 2 }, { "ich9-uhci3", 2 },
        { "ehci", 6 }, { "ich9-ehci1", 6 }, { "pci-ohci", 3 },
        { "qemu-xhci", 4 }, { "nec-xhci", 4 },
    };

    if (c->ports > 0)
        return (guint)c->ports;
    for (guint i = 0; c->model && i < G_N_ELEMENTS(table); i++) {
        if (g_str_equal(c->model, table[i].model))
            return table[i].ports;
    }
    return 0;
}

static void
qemu_pp_usb_take(DomainDeviceInfo *info, guint nports, guint8 *used)
{
    for (guint p = 1; p <= nports; p++) {
        if (used[p])
            continue;
        used[p] = 1;
        info->addr.type = DOMAIN_ADDR_USB;
        info->addr.bus = 0;
        info->addr.usb_port = g_strdup_printf("%u", p);
        return;
    }
}

/* The USB devices of bus 0, in libvirt's order: disks, inputs, serials. */
static GPtrArray *
qemu_pp_usb_devices(const DomainDef *def)
{
    GPtrArray *infos = g_ptr_array_new();

    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *d = g_ptr_array_index(def->disks, i);

        if (d->bus == DOMAIN_DISK_BUS_USB)
            g_ptr_array_add(infos, &d->info);
    }
    for (guint i = 0; i < def->inputs->len; i++) {
        DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (in->bus == DOMAIN_INPUT_BUS_USB)
            g_ptr_array_add(infos, &in->info);
    }
    for (guint i = 0; i < def->serials->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (MV_STREQ(chr->target_type, "usb-serial"))
            g_ptr_array_add(infos, &chr->info);
    }
    return infos;
}

/*
 * USB ports of bus 0, in order, for the devices without an address.  When
 * there are more devices than root ports libvirt adds a hub; modvirt does
 * not, and leaves those devices to QEMU.
 */
static void
qemu_pp_usb_addresses(QemuPP *pp)
{
    g_autoptr(GPtrArray) infos = qemu_pp_usb_devices(pp->def);
    guint8 used[256] = { 0 };
    guint nports = 0;

    for (guint i = 0; i < pp->def->controllers->len; i++) {
        const DomainControllerDef *c = g_ptr_array_index(pp->def->controllers, i);

        if (c->type == DOMAIN_CONTROLLER_USB && c->index == 0)
            nports = MAX(nports, qemu_pp_usb_ports(c));
    }
    nports = MIN(nports, G_N_ELEMENTS(used) - 1);
    for (guint i = 0; i < infos->len; i++) {
        const DomainDeviceInfo *info = g_ptr_array_index(infos, i);
        guint64 port;

        if (info->addr.type != DOMAIN_ADDR_USB || info->addr.bus != 0 || !info->addr.usb_port)
            continue;
        port = g_ascii_strtoull(info->addr.usb_port, NULL, 10);
        if (port > 0 && port < G_N_ELEMENTS(used))
            used[port] = 1;
    }
    for (guint i = 0; i < infos->len; i++) {
        DomainDeviceInfo *info = g_ptr_array_index(infos, i);

        if (info->addr.type == DOMAIN_ADDR_NONE)
            qemu_pp_usb_take(info, nports, used);
    }
}

static gboolean
qemu_pp_is_virtio_port(const DomainChrDef *chr)
{
    return MV_STREQ(chr->target_type, "virtio") &&
           (chr->info.addr.type == DOMAIN_ADDR_NONE ||
            chr->info.addr.type == DOMAIN_ADDR_VIRTIO_SERIAL);
}

static void
qemu_pp_vser_take(DomainChrDef *chr, gboolean allow_zero, GHashTable *used)
{
    guint port = allow_zero ? 0 : 1;

    if (chr->info.addr.type != DOMAIN_ADDR_NONE || !qemu_pp_is_virtio_port(chr))
        return;
    while (g_hash_table_contains(used, GUINT_TO_POINTER(port)))
        port++;
    g_hash_table_add(used, GUINT_TO_POINTER(port));
    chr->info.addr.type = DOMAIN_ADDR_VIRTIO_SERIAL;
    chr->info.addr.controller = 0;
    chr->info.addr.bus = 0;
    chr->info.addr.port = port;
}

/* Ports of virtio-serial0.0: virtio consoles may take port 0, channels
 * start at 1 (what QEMU would pick, in the order it creates them). */
static void
qemu_pp_virtio_serial_addresses(QemuPP *pp)
{
    GPtrArray *lists[] = { pp->def->consoles, pp->def->channels };
    g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);

    for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; i < lists[l]->len; i++) {
            const DomainChrDef *chr = g_ptr_array_index(lists[l], i);

            if (chr->info.addr.type == DOMAIN_ADDR_VIRTIO_SERIAL &&
                chr->info.addr.controller == 0 && chr->info.addr.bus == 0)
                g_hash_table_add(used, GUINT_TO_POINTER(chr->info.addr.port));
        }
    }
    for (guint i = 0; i < pp->def->consoles->len; i++)
        qemu_pp_vser_take(g_ptr_array_index(pp->def->consoles, i), TRUE, used);
    for (guint i = 0; i < pp->def->channels->len; i++)
        qemu_pp_vser_take(g_ptr_array_index(pp->def->channels, i), FALSE, used);
}

/* A pcie-root-port's port number is its own address, as the builder says. */
static void
qemu_pp_root_port_numbers(QemuPP *pp)
{
    for (guint i = 0; i < pp->def->controllers->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(pp->def->controllers, i);

        if (c->type == DOMAIN_CONTROLLER_PCI && MV_STREQ(c->model, "pcie-root-port") &&
            c->pci_port < 0 && c->info.addr.type == DOMAIN_ADDR_PCI)
            c->pci_port = (int)((c->info.addr.slot << 3) + c->info.addr.function);
    }
}

/*
 * PCI addresses in two rounds: what the builder addressed before defaults
 * existed, exactly as it did; then the defaults it never had, in the slots
 * left free.
 */
static gboolean
qemu_pp_pci_addresses(QemuPP *pp, GError **error)
{
    DomainDef *def = pp->def;
    guint usb_at = 0;
    gboolean ok;

    if (pp->late_usb && g_ptr_array_find(def->controllers, pp->late_usb, &usb_at))
        g_ptr_array_steal_index(def->controllers, usb_at);
    else
        pp->late_usb = NULL;
    if (pp->late_balloon)
        def->memballoon = NULL;
    ok = qemu_command_assign_pci(def, error);
    if (pp->late_usb)
        g_ptr_array_insert(def->controllers, (int)usb_at, pp->late_usb);
    if (pp->late_balloon)
        def->memballoon = pp->late_balloon;
    if (ok && (pp->late_usb || pp->late_balloon))
        ok = qemu_command_assign_pci(def, error);
    return ok;
}

/* ---- entry points ------------------------------------------------------------------------------ */

gboolean
qemu_postparse_domain(DomainDef *def, const QemuCaps *caps, GError **error)
{
    g_autoptr(GPtrArray) added = g_ptr_array_new();
    QemuPP pp = { .def = def, .added = added };

    g_return_val_if_fail(def != NULL && caps != NULL, FALSE);
    if (!qemu_pp_machine(&pp, caps, error))
        return FALSE;
    qemu_pp_cpu(&pp);
    if (pp.machine == QEMU_PP_OTHER)
        return TRUE;
    qemu_pp_controllers(&pp);
    qemu_pp_default_devices(&pp);
    qemu_pp_disks(&pp);
    qemu_pp_device_models(&pp);
    if (!qemu_pp_pci_addresses(&pp, error))
        return FALSE;
    qemu_pp_root_port_numbers(&pp);
    qemu_pp_usb_addresses(&pp);
    qemu_pp_virtio_serial_addresses(&pp);
    return TRUE;
}

const QemuCaps *
qemu_postparse_caps(QemuDriver *drv, const DomainDef *def, GError **error)
{
    struct utsname uts;
    const char *arch = def->os.arch;
    GPtrArray *known = qemu_caps_cache_peek_all(drv->caps);

    if (!def->emulator && !arch)
        arch = uname(&uts) == 0 ? uts.machine : "x86_64";
    if (def->emulator)
        arch = NULL;
    /* NB: looking at the binaries again (qemu_driver_caps_lookup()) costs a
     * scan of the search path; what the last look found serves defines at
     * full rate, and start looks again anyway. */
    for (guint i = 0; known && i < known->len; i++) {
        const QemuCaps *c = g_ptr_array_index(known, i);

        if ((def->emulator && g_str_equal(c->binary, def->emulator)) ||
            (arch && g_str_equal(c->arch, arch)))
            return c;
    }
    return qemu_driver_caps_lookup(drv, def->emulator, arch, error);
}

gboolean
qemu_postparse_define(QemuDriver *drv, DomainDef *def, GError **error)
{
    const QemuCaps *caps = qemu_postparse_caps(drv, def, error);

    return caps && qemu_postparse_domain(def, caps, error);
}
