/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-pci.c: controllers and PCI addresses.
 *
 * The controllers QEMU gets are the def's plus the implicit ones the
 * devices need (a virtio-scsi controller for a SCSI disk, virtio-serial for
 * a channel, a USB controller for a USB device).  Built-in ones (the
 * PIIX3/ICH9 IDE/SATA, the floppy controller, the root bus) give no option.
 *
 * Addresses written in the XML are kept (and checked for clashes); the
 * others take the first free slot of bus 0, devices in a fixed order.  On
 * i440fx slot 1 is the PIIX3 (the UHCI controller takes function 2) and the
 * primary video gets slot 2; on q35 slot 0x1f is the ICH9 and the primary
 * video gets slot 1.
 */
#include <string.h>

#include "drivers/qemu/qemu-command-priv.h"
#include "util/error.h"
#include "util/macros.h"

/* libvirt's order of the controller types on the command line. */
static const DomainControllerType qemu_cmd_controller_order[] = {
    DOMAIN_CONTROLLER_PCI, DOMAIN_CONTROLLER_USB, DOMAIN_CONTROLLER_SCSI,
    DOMAIN_CONTROLLER_IDE, DOMAIN_CONTROLLER_SATA, DOMAIN_CONTROLLER_FDC,
    DOMAIN_CONTROLLER_VIRTIO_SERIAL, DOMAIN_CONTROLLER_CCID, DOMAIN_CONTROLLER_XENBUS,
    DOMAIN_CONTROLLER_ISA,
};

/* ---- which controller is which QEMU device --------------------------------- */

static const char *
qemu_cmd_usb_driver(const char *model)
{
    static const char *const map[][2] = {
        { "piix3-uhci", "piix3-usb-uhci" }, { "piix4-uhci", "piix4-usb-uhci" },
        { "ehci", "usb-ehci" }, { "qemu-xhci", "qemu-xhci" }, { "nec-xhci", "nec-usb-xhci" },
        { "ich9-ehci1", "ich9-usb-ehci1" }, { "ich9-uhci1", "ich9-usb-uhci1" },
        { "ich9-uhci2", "ich9-usb-uhci2" }, { "ich9-uhci3", "ich9-usb-uhci3" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(model, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static const char *
qemu_cmd_pci_driver(const char *model)
{
    static const char *const map[][2] = {
        { "pci-bridge", "pci-bridge" }, { "pcie-root-port", "pcie-root-port" },
        { "pcie-to-pci-bridge", "pcie-pci-bridge" }, { "dmi-to-pci-bridge", "i82801b11-bridge" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(model, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static const char *
qemu_cmd_pci_default_model(QemuCmd *cmd, const DomainControllerDef *ctrl)
{
    if (ctrl->model)
        return ctrl->model;
    if (ctrl->index == 0)
        return cmd->machine == QEMU_MACHINE_Q35 ? "pcie-root" : "pci-root";
    return cmd->machine == QEMU_MACHINE_Q35 ? "pcie-root-port" : "pci-bridge";
}

/*
 * The QEMU device of @ctrl; *ret_driver NULL for a built-in controller (or
 * USB model none).  FALSE with @error for what QEMU cannot do.
 */
static gboolean
qemu_cmd_controller_driver(QemuCmd *cmd, const DomainControllerDef *ctrl,
                           const char **ret_driver, GError **error)
{
    const char *type = domain_controller_to_string(ctrl->type);
    gboolean q35 = cmd->machine == QEMU_MACHINE_Q35;
    const char *model = ctrl->model;

    *ret_driver = NULL;
    switch (ctrl->type) {
    case DOMAIN_CONTROLLER_USB:
        if (!model)
            model = q35 ? "qemu-xhci" : "piix3-uhci";
        if (g_str_equal(model, "none"))
            return TRUE;
        *ret_driver = qemu_cmd_usb_driver(model);
        break;
    case DOMAIN_CONTROLLER_SCSI:
        if (!model || g_str_equal(model, "virtio-scsi"))
            *ret_driver = "virtio-scsi-pci";
        else if (g_str_equal(model, "lsilogic"))
            *ret_driver = "lsi53c895a";
        break;
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
        *ret_driver = "virtio-serial-pci";
        break;
    case DOMAIN_CONTROLLER_SATA:
        if (q35 && ctrl->index == 0)
            return TRUE;
        *ret_driver = "ich9-ahci";
        break;
    case DOMAIN_CONTROLLER_IDE:
        if (!q35 && ctrl->index == 0)
            return TRUE;
        qemu_cmd_unsupported(error, "IDE controller index %d is not available on machine '%s'",
                             ctrl->index, cmd->machine_type);
        return FALSE;
    case DOMAIN_CONTROLLER_FDC:
        if (ctrl->index == 0)
            return TRUE;
        qemu_cmd_unsupported(error, "only one floppy controller is supported");
        return FALSE;
    case DOMAIN_CONTROLLER_PCI:
        model = qemu_cmd_pci_default_model(cmd, ctrl);
        if (ctrl->index == 0) {
            if (g_str_equal(model, q35 ? "pcie-root" : "pci-root"))
                return TRUE;
            qemu_cmd_unsupported(error, "unsupported PCI root controller model '%s' for this "
                                 "machine", model);
            return FALSE;
        }
        if (!q35 && g_str_equal(model, "pcie-root-port")) {
            qemu_cmd_unsupported(error, "PCI controller model '%s' needs a q35 machine", model);
            return FALSE;
        }
        *ret_driver = qemu_cmd_pci_driver(model);
        break;
    case DOMAIN_CONTROLLER_CCID:
    case DOMAIN_CONTROLLER_XENBUS:
    case DOMAIN_CONTROLLER_ISA:
    case DOMAIN_CONTROLLER_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported controller type '%s'", type);
        return FALSE;
    }
    if (!*ret_driver) {
        qemu_cmd_unsupported(error, "unsupported %s controller model '%s'", type, model);
        return FALSE;
    }
    return TRUE;
}

const DomainControllerDef *
qemu_cmd_find_controller(QemuCmd *cmd, DomainControllerType type, int index)
{
    for (guint i = 0; i < cmd->controllers->len; i++) {
        const DomainControllerDef *c = g_ptr_array_index(cmd->controllers, i);

        if (c->type == type && c->index == index)
            return c;
    }
    return NULL;
}

char *
qemu_cmd_controller_id(QemuCmd *cmd, const DomainControllerDef *ctrl)
{
    if (ctrl->info.alias)
        return g_strdup(ctrl->info.alias);
    switch (ctrl->type) {
    case DOMAIN_CONTROLLER_USB:
        return ctrl->index == 0 ? g_strdup("usb") : g_strdup_printf("usb%d", ctrl->index);
    case DOMAIN_CONTROLLER_PCI:
        if (ctrl->index == 0)
            return g_strdup(cmd->machine == QEMU_MACHINE_Q35 ? "pcie.0" : "pci.0");
        return g_strdup_printf("pci.%d", ctrl->index);
    case DOMAIN_CONTROLLER_SATA:
        if (cmd->machine == QEMU_MACHINE_Q35 && ctrl->index == 0)
            return g_strdup("ide");
        break;
    case DOMAIN_CONTROLLER_IDE:
        return g_strdup("ide");
    case DOMAIN_CONTROLLER_FDC:
    case DOMAIN_CONTROLLER_SCSI:
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
    case DOMAIN_CONTROLLER_CCID:
    case DOMAIN_CONTROLLER_XENBUS:
    case DOMAIN_CONTROLLER_ISA:
    case DOMAIN_CONTROLLER_LAST:
    default:
        break;
    }
    return g_strdup_printf("%s%d", domain_controller_to_string(ctrl->type), ctrl->index);
}

/* ---- implicit controllers ----------------------------------------------------- */

static void
qemu_cmd_need_controller(QemuCmd *cmd, DomainControllerType type, int index)
{
    DomainControllerDef *c;

    if (qemu_cmd_find_controller(cmd, type, index))
        return;
    c = g_new0(DomainControllerDef, 1);
    c->type = type;
    c->index = index;
    c->ports = c->vectors = c->master_startport = -1;
    c->pci_chassis = c->pci_port = c->pci_bus_nr = -1;
    g_ptr_array_add(cmd->implicit, c);
    g_ptr_array_add(cmd->controllers, c);
}

static gboolean
qemu_cmd_has_usb_device(const DomainDef *def)
{
    for (guint i = 0; i < def->inputs->len; i++) {
        const DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (in->bus == DOMAIN_INPUT_BUS_USB ||
            (in->bus == DOMAIN_INPUT_BUS_DEFAULT && in->type == DOMAIN_INPUT_TABLET))
            return TRUE;
    }
    for (guint i = 0; i < def->disks->len; i++) {
        if (((DomainDiskDef *)g_ptr_array_index(def->disks, i))->bus == DOMAIN_DISK_BUS_USB)
            return TRUE;
    }
    for (guint i = 0; i < def->serials->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (MV_STREQ(chr->target_type, "usb-serial"))
            return TRUE;
    }
    return FALSE;
}

static void
qemu_cmd_virtio_serial_need(QemuCmd *cmd, GPtrArray *chrs, gboolean console)
{
    for (guint i = 0; i < chrs->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(chrs, i);
        gboolean virtio = MV_STREQ(chr->target_type, "virtio") ||
                          (!console && !chr->target_type);

        if (!virtio)
            continue;
        qemu_cmd_need_controller(cmd, DOMAIN_CONTROLLER_VIRTIO_SERIAL,
                                 chr->info.addr.type == DOMAIN_ADDR_VIRTIO_SERIAL
                                 ? (int)chr->info.addr.controller : 0);
    }
}

static void
qemu_cmd_add_implicit(QemuCmd *cmd)
{
    const DomainDef *def = cmd->def;
    gboolean has_usb = FALSE;

    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        DomainDeviceAddress addr;

        qemu_cmd_disk_drive_addr(disk, &addr);
        if (disk->bus == DOMAIN_DISK_BUS_SCSI)
            qemu_cmd_need_controller(cmd, DOMAIN_CONTROLLER_SCSI, addr.controller);
        else if (disk->bus == DOMAIN_DISK_BUS_SATA &&
                 !(cmd->machine == QEMU_MACHINE_Q35 && addr.controller == 0))
            qemu_cmd_need_controller(cmd, DOMAIN_CONTROLLER_SATA, addr.controller);
    }
    qemu_cmd_virtio_serial_need(cmd, def->channels, FALSE);
    qemu_cmd_virtio_serial_need(cmd, def->consoles, TRUE);
    for (guint i = 0; i < cmd->controllers->len; i++) {
        if (((DomainControllerDef *)g_ptr_array_index(cmd->controllers, i))->type ==
            DOMAIN_CONTROLLER_USB)
            has_usb = TRUE;
    }
    if (!has_usb && qemu_cmd_has_usb_device(def))
        qemu_cmd_need_controller(cmd, DOMAIN_CONTROLLER_USB, 0);
}

/* ---- PCI devices ---------------------------------------------------------------- */

gboolean
qemu_cmd_disk_is_pci(const DomainDiskDef *disk)
{
    return disk->bus == DOMAIN_DISK_BUS_VIRTIO;
}

gboolean
qemu_cmd_input_is_pci(const DomainInputDef *input)
{
    return input->bus == DOMAIN_INPUT_BUS_VIRTIO;
}

gboolean
qemu_cmd_serial_is_pci(const DomainChrDef *chr)
{
    return MV_STREQ(chr->target_type, "pci-serial");
}

typedef struct {
    gconstpointer dev;
    const DomainDeviceInfo *info;
    const char *what;            /* for messages: "interface", "controller"... */
    int fixed_slot;              /* preferred slot on bus 0, -1 none */
    int fixed_function;
    int usb2_group;              /* ICH9 EHCI + UHCI companions: their USB index, or -1 */
} QemuPciDev;

static void
qemu_pci_dev_add(GArray *devs, gconstpointer dev, const DomainDeviceInfo *info,
                 const char *what)
{
    QemuPciDev d = { dev, info, what, -1, 0, -1 };

    g_array_append_val(devs, d);
}

/* The ICH9 USB2 set shares one slot: EHCI on function 7, UHCI<n> on n-1. */
static void
qemu_pci_dev_usb(QemuCmd *cmd, QemuPciDev *d, const DomainControllerDef *c,
                 const char *driver)
{
    if (g_str_equal(driver, "piix3-usb-uhci") && cmd->machine == QEMU_MACHINE_I440FX &&
        c->index == 0) {
        d->fixed_slot = 1;
        d->fixed_function = 2;
    } else if (g_str_has_prefix(driver, "ich9-usb-")) {
        d->usb2_group = c->index;
        d->fixed_function = g_str_equal(driver, "ich9-usb-ehci1")
                            ? 7 : driver[strlen(driver) - 1] - '1';
    }
}

/* Every PCI device, in the order automatic addresses are handed out. */
static gboolean
qemu_cmd_pci_devices(QemuCmd *cmd, GArray *devs, GError **error)
{
    const DomainDef *def = cmd->def;

    for (size_t t = 0; t < G_N_ELEMENTS(qemu_cmd_controller_order); t++) {
        for (guint i = 0; i < cmd->controllers->len; i++) {
            const DomainControllerDef *c = g_ptr_array_index(cmd->controllers, i);
            const char *driver;

            if (c->type != qemu_cmd_controller_order[t])
                continue;
            if (!qemu_cmd_controller_driver(cmd, c, &driver, error))
                return FALSE;
            if (!driver)
                continue;
            qemu_pci_dev_add(devs, c, &c->info, "controller");
            if (c->type == DOMAIN_CONTROLLER_USB)
                qemu_pci_dev_usb(cmd, &g_array_index(devs, QemuPciDev, devs->len - 1), c,
                                 driver);
        }
    }
    for (guint i = 0; i < def->nets->len; i++)
        qemu_pci_dev_add(devs, g_ptr_array_index(def->nets, i),
                         &((DomainNetDef *)g_ptr_array_index(def->nets, i))->info, "interface");
    for (guint i = 0; i < def->videos->len; i++) {
        const DomainVideoDef *v = g_ptr_array_index(def->videos, i);

        if (MV_STREQ(v->model, "none"))
            continue;
        qemu_pci_dev_add(devs, v, &v->info, "video");
        if (i == 0)
            g_array_index(devs, QemuPciDev, devs->len - 1).fixed_slot =
                cmd->machine == QEMU_MACHINE_Q35 ? 1 : 2;
    }
    if (def->memballoon && MV_STREQ(def->memballoon->model, "virtio"))
        qemu_pci_dev_add(devs, def->memballoon, &def->memballoon->info, "memballoon");
    for (guint i = 0; i < def->rngs->len; i++)
        qemu_pci_dev_add(devs, g_ptr_array_index(def->rngs, i),
                         &((DomainRNGDef *)g_ptr_array_index(def->rngs, i))->info, "rng");
    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (qemu_cmd_disk_is_pci(disk))
            qemu_pci_dev_add(devs, disk, &disk->info, "disk");
    }
    for (guint i = 0; i < def->inputs->len; i++) {
        const DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (qemu_cmd_input_is_pci(in))
            qemu_pci_dev_add(devs, in, &in->info, "input");
    }
    for (guint i = 0; i < def->serials->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (qemu_cmd_serial_is_pci(chr))
            qemu_pci_dev_add(devs, chr, &chr->info, "serial");
    }
    return TRUE;
}

static gboolean
qemu_cmd_pci_claim(QemuCmd *cmd, const QemuPciDev *d, const DomainDeviceAddress *a,
                   GError **error)
{
    const DomainControllerDef *bus = NULL;
    QemuPciAddr *addr;

    if (a->domain != 0 || a->bus > 255) {
        qemu_cmd_unsupported(error, "PCI address %04x:%02x:%02x.%x of %s is not available",
                             a->domain, a->bus, a->slot, a->function, d->what);
        return FALSE;
    }
    if (a->bus > 0) {
        bus = qemu_cmd_find_controller(cmd, DOMAIN_CONTROLLER_PCI, a->bus);
        if (!bus) {
            qemu_cmd_unsupported(error, "PCI bus 0x%02x of %s is not defined", a->bus, d->what);
            return FALSE;
        }
        if (g_str_equal(qemu_cmd_pci_default_model(cmd, bus), "pcie-root-port") &&
            a->slot != 0) {
            qemu_cmd_unsupported(error, "PCI slot 0x%02x of %s: a pcie-root-port has slot 0 "
                                 "only", a->slot, d->what);
            return FALSE;
        }
    }
    if ((a->bus == 0 && a->slot == 0) || (cmd->pci_used[a->bus][a->slot] & (1u << a->function))) {
        qemu_cmd_unsupported(error, "PCI address 0000:%02x:%02x.%x of %s is already in use",
                             a->bus, a->slot, a->function, d->what);
        return FALSE;
    }
    cmd->pci_used[a->bus][a->slot] |= 1u << a->function;
    addr = g_new0(QemuPciAddr, 1);
    addr->bus = a->bus;
    addr->slot = a->slot;
    addr->function = a->function;
    addr->multifunction = a->multifunction == DOMAIN_TRISTATE_YES;
    g_hash_table_insert(cmd->pci, (gpointer)d->dev, addr);
    return TRUE;
}

static gboolean
qemu_cmd_pci_auto(QemuCmd *cmd, const QemuPciDev *d, GHashTable *usb2, GError **error)
{
    DomainDeviceAddress a = { .type = DOMAIN_ADDR_PCI };
    gpointer slot;

    if (d->usb2_group >= 0) {
        /* the first of the set picks a free slot, the others join it */
        a.function = d->fixed_function;
        a.multifunction = a.function == 0 ? DOMAIN_TRISTATE_YES : DOMAIN_TRISTATE_ABSENT;
        if ((slot = g_hash_table_lookup(usb2, GINT_TO_POINTER(d->usb2_group)))) {
            a.slot = GPOINTER_TO_UINT(slot);
            return qemu_cmd_pci_claim(cmd, d, &a, error);
        }
        for (a.slot = 1; a.slot < 32; a.slot++) {
            if (cmd->pci_used[0][a.slot] == 0) {
                g_hash_table_insert(usb2, GINT_TO_POINTER(d->usb2_group),
                                    GUINT_TO_POINTER(a.slot));
                return qemu_cmd_pci_claim(cmd, d, &a, error);
            }
        }
    }
    if (d->fixed_slot >= 0 &&
        !(cmd->pci_used[0][d->fixed_slot] & (1u << d->fixed_function)) &&
        (d->fixed_function > 0 || cmd->pci_used[0][d->fixed_slot] == 0)) {
        a.slot = d->fixed_slot;
        a.function = d->fixed_function;
        return qemu_cmd_pci_claim(cmd, d, &a, error);
    }
    for (a.slot = 1; a.slot < 32; a.slot++) {
        if (cmd->pci_used[0][a.slot] == 0)
            return qemu_cmd_pci_claim(cmd, d, &a, error);
    }
    qemu_cmd_unsupported(error, "no free PCI slot on bus 0 for %s", d->what);
    return FALSE;
}

gboolean
qemu_cmd_pci_prepare(QemuCmd *cmd, GError **error)
{
    g_autoptr(GArray) devs = g_array_new(FALSE, FALSE, sizeof(QemuPciDev));
    g_autoptr(GHashTable) usb2 = g_hash_table_new(NULL, NULL);

    cmd->controllers = g_ptr_array_new();
    cmd->implicit = g_ptr_array_new_with_free_func((GDestroyNotify)domain_controller_def_free);
    g_ptr_array_extend(cmd->controllers, cmd->def->controllers, NULL, NULL);
    qemu_cmd_add_implicit(cmd);

    /* the chipset's own functions */
    if (cmd->machine == QEMU_MACHINE_Q35)
        cmd->pci_used[0][0x1f] = (1u << 0) | (1u << 2) | (1u << 3);
    else
        cmd->pci_used[0][1] = (1u << 0) | (1u << 1) | (1u << 3);

    if (!qemu_cmd_pci_devices(cmd, devs, error))
        return FALSE;
    /* first what the XML says, then the rest in order */
    for (guint i = 0; i < devs->len; i++) {
        const QemuPciDev *d = &g_array_index(devs, QemuPciDev, i);

        if (d->info->addr.type == DOMAIN_ADDR_PCI &&
            !qemu_cmd_pci_claim(cmd, d, &d->info->addr, error))
            return FALSE;
    }
    for (guint i = 0; i < devs->len; i++) {
        const QemuPciDev *d = &g_array_index(devs, QemuPciDev, i);

        if (d->info->addr.type == DOMAIN_ADDR_PCI && d->usb2_group >= 0)
            g_hash_table_insert(usb2, GINT_TO_POINTER(d->usb2_group),
                                GUINT_TO_POINTER(d->info->addr.slot));
    }
    /* the devices with a customary place first, so that nothing else takes it */
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < devs->len; i++) {
            const QemuPciDev *d = &g_array_index(devs, QemuPciDev, i);

            if (d->info->addr.type == DOMAIN_ADDR_PCI || (d->fixed_slot >= 0) != (pass == 0))
                continue;
            if (!qemu_cmd_pci_auto(cmd, d, usb2, error))
                return FALSE;
        }
    }
    return TRUE;
}

void
qemu_cmd_pci_props(QemuCmd *cmd, QemuProps *p, gconstpointer dev)
{
    const QemuPciAddr *a = g_hash_table_lookup(cmd->pci, dev);

    g_assert(a);
    if (a->bus == 0)
        qemu_props_str(p, "bus", cmd->machine == QEMU_MACHINE_Q35 ? "pcie.0" : "pci.0");
    else
        qemu_props_strf(p, "bus", "pci.%u", a->bus);
    if (a->multifunction)
        qemu_props_bool(p, "multifunction", TRUE);
    if (a->function == 0)
        qemu_props_strf(p, "addr", "0x%x", a->slot);
    else
        qemu_props_strf(p, "addr", "0x%x.0x%x", a->slot, a->function);
}

/* ---- controller devices ------------------------------------------------------------ */

static void
qemu_cmd_pci_controller_props(QemuCmd *cmd, const DomainControllerDef *c, const char *driver,
                              QemuProps *p)
{
    const QemuPciAddr *a = g_hash_table_lookup(cmd->pci, c);

    if (g_str_equal(driver, "pci-bridge")) {
        if (c->pci_chassis_nr > 0)
            qemu_props_uint(p, "chassis_nr", c->pci_chassis_nr);
        else
            qemu_props_uint(p, "chassis_nr", c->pci_chassis >= 0 ? (guint)c->pci_chassis
                                                                 : (guint)c->index);
    } else if (g_str_equal(driver, "pcie-root-port")) {
        qemu_props_uint(p, "port", c->pci_port >= 0 ? (guint)c->pci_port
                                                    : (a->slot << 3) + a->function);
        qemu_props_uint(p, "chassis", c->pci_chassis >= 0 ? (guint)c->pci_chassis
                                                          : (guint)c->index);
    }
}

static gboolean
qemu_cmd_build_controller(QemuCmd *cmd, const DomainControllerDef *c, GError **error)
{
    g_autofree char *id = qemu_cmd_controller_id(cmd, c);
    const char *driver;
    QemuProps *p;

    if (!qemu_cmd_controller_driver(cmd, c, &driver, error))
        return FALSE;
    if (!driver)
        return TRUE;
    p = qemu_props_new();
    qemu_props_str(p, "driver", driver);
    if (c->type == DOMAIN_CONTROLLER_PCI)
        qemu_cmd_pci_controller_props(cmd, c, driver, p);
    if (c->type == DOMAIN_CONTROLLER_USB && c->ports > 0 && g_str_has_suffix(driver, "xhci")) {
        qemu_props_uint(p, "p2", c->ports);
        qemu_props_uint(p, "p3", c->ports);
    }
    if (c->type == DOMAIN_CONTROLLER_SCSI && c->queues > 0)
        qemu_props_uint(p, "num_queues", c->queues);
    if (c->type == DOMAIN_CONTROLLER_USB && c->master_startport >= 0) {
        /* a companion of the EHCI controller of the same index */
        qemu_props_strf(p, "masterbus", "%s.0", id);
        qemu_props_uint(p, "firstport", c->master_startport);
    } else {
        qemu_props_str(p, "id", id);
    }
    if (c->type == DOMAIN_CONTROLLER_VIRTIO_SERIAL) {
        if (c->ports > 0)
            qemu_props_uint(p, "max_ports", c->ports);
        if (c->vectors > 0)
            qemu_props_uint(p, "vectors", c->vectors);
    }
    qemu_cmd_pci_props(cmd, p, c);
    qemu_cmd_add_json(cmd, "-device", p);
    return TRUE;
}

gboolean
qemu_cmd_build_controllers(QemuCmd *cmd, GError **error)
{
    for (size_t t = 0; t < G_N_ELEMENTS(qemu_cmd_controller_order); t++) {
        for (guint i = 0; i < cmd->controllers->len; i++) {
            const DomainControllerDef *c = g_ptr_array_index(cmd->controllers, i);

            if (c->type == qemu_cmd_controller_order[t] &&
                !qemu_cmd_build_controller(cmd, c, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* ---- buses of USB and virtio-serial devices ---------------------------------------- */

char *
qemu_cmd_usb_bus(QemuCmd *cmd, const DomainDeviceInfo *info, const char *what, GError **error)
{
    int index = info->addr.type == DOMAIN_ADDR_USB ? (int)info->addr.bus : 0;
    const DomainControllerDef *c = qemu_cmd_find_controller(cmd, DOMAIN_CONTROLLER_USB, index);
    g_autofree char *id = NULL;

    if (!c || MV_STREQ(c->model, "none")) {
        qemu_cmd_unsupported(error, "%s needs a USB controller, but USB is disabled for this "
                             "domain", what);
        return NULL;
    }
    id = qemu_cmd_controller_id(cmd, c);
    return g_strdup_printf("%s.0", id);
}

char *
qemu_cmd_virtio_serial_bus(QemuCmd *cmd, const DomainDeviceInfo *info)
{
    int index = 0;
    guint bus = 0;
    const DomainControllerDef *c;
    g_autofree char *id = NULL;

    if (info->addr.type == DOMAIN_ADDR_VIRTIO_SERIAL) {
        index = info->addr.controller;
        bus = info->addr.bus;
    }
    c = qemu_cmd_find_controller(cmd, DOMAIN_CONTROLLER_VIRTIO_SERIAL, index);
    id = c ? qemu_cmd_controller_id(cmd, c) : g_strdup_printf("virtio-serial%d", index);
    return g_strdup_printf("%s.%u", id, bus);
}
