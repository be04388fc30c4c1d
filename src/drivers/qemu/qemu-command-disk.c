/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-disk.c: disks as a -blockdev pair (storage node: file,
 * host_device, host_cdrom, iscsi, nbd, http(s); format node: raw, qcow2...)
 * and a -device on their bus (virtio-blk-pci, ide-hd/ide-cd on the IDE or
 * AHCI bus, scsi-hd/scsi-cd, floppy, usb-storage).  A CD-ROM or floppy
 * without a source gets the device alone.
 */
#include <string.h>

#include "drivers/qemu/qemu-command-priv.h"
#include "util/error.h"
#include "util/macros.h"

/* Where the bytes come from, from the def or the driver's translation. */
typedef struct {
    DomainDiskType type;
    const char *path;          /* file / block; NULL: no medium */
    const char *protocol;      /* network */
    const char *host;
    guint port;
    const char *socket;        /* nbd over a unix socket */
    const char *name;          /* nbd export, http path */
    const char *target;        /* iscsi */
    guint lun;
    const char *initiator;
    const char *user;
    const char *secret_file;
    char *owned_target;
    char *owned_secret;
} QemuDiskSrc;

void
qemu_cmd_disk_drive_addr(const DomainDiskDef *disk, DomainDeviceAddress *ret)
{
    if (disk->info.addr.type == DOMAIN_ADDR_DRIVE) {
        *ret = disk->info.addr;
        return;
    }
    memset(ret, 0, sizeof(*ret));
    ret->type = DOMAIN_ADDR_DRIVE;
    domain_disk_drive_address_for_index(disk->bus, MAX(domain_disk_name_index(disk->dst), 0),
                                        ret);
}

char *
qemu_cmd_disk_id(QemuCmd *cmd, guint idx)
{
    const DomainDiskDef *disk = g_ptr_array_index(cmd->def->disks, idx);
    DomainDeviceAddress a;

    if (disk->info.alias)
        return g_strdup(disk->info.alias);
    qemu_cmd_disk_drive_addr(disk, &a);
    switch (disk->bus) {
    case DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", a.controller, a.bus, a.unit);
    case DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata%u-%u-%u", a.controller, a.bus, a.unit);
    case DOMAIN_DISK_BUS_SCSI:
        return g_strdup_printf("scsi%u-%u-%u-%u", a.controller, a.bus, a.target, a.unit);
    case DOMAIN_DISK_BUS_FDC:
        return g_strdup_printf("fdc0-0-%u", a.unit);
    case DOMAIN_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%d", MAX(domain_disk_name_index(disk->dst), 0));
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case DOMAIN_DISK_BUS_LAST:
    default:
        return g_strdup_printf("virtio-disk%d", MAX(domain_disk_name_index(disk->dst), 0));
    }
}

/* ---- the source -------------------------------------------------------------------- */

/*
 * <auth username=><secret type='iscsi' usage=|uuid=/></auth>: the driver
 * writes the password into the domain's runtime directory before QEMU
 * starts (qemu_command_disk_secret_path()); the command line names the file.
 */
static gboolean
qemu_disk_src_auth(QemuCmd *cmd, guint idx, const DomainDiskDef *disk, QemuDiskSrc *src,
                   GError **error)
{
    if (disk->auth_secret_type && !g_str_equal(disk->auth_secret_type, "iscsi")) {
        qemu_cmd_unsupported(error, "disk '%s': secret type '%s' cannot authenticate to an "
                             "iSCSI target", disk->dst, disk->auth_secret_type);
        return FALSE;
    }
    if (!disk->auth_secret_usage && !disk->auth_secret_uuid) {
        qemu_cmd_unsupported(error, "disk '%s': the iSCSI user '%s' has no <secret>",
                             disk->dst, disk->auth_username);
        return FALSE;
    }
    if (!cmd->opts->domain_dir) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "disk '%s': no runtime directory for the secret of the iSCSI user '%s'",
                     disk->dst, disk->auth_username);
        return FALSE;
    }
    src->user = disk->auth_username;
    src->owned_secret = qemu_command_disk_secret_path(cmd->opts->domain_dir, idx);
    src->secret_file = src->owned_secret;
    return TRUE;
}

static gboolean
qemu_disk_src_network(QemuCmd *cmd, guint idx, const DomainDiskDef *disk, QemuDiskSrc *src,
                      GError **error)
{
    const DomainDiskHost *h = disk->hosts && disk->hosts->len > 0
                              ? g_ptr_array_index(disk->hosts, 0) : NULL;
    const char *slash;

    src->protocol = disk->protocol;
    src->name = disk->src_name;
    if (h) {
        src->host = h->name;
        src->port = h->port ? (guint)g_ascii_strtoull(h->port, NULL, 10) : 0;
        src->socket = h->socket;
    }
    if (!MV_STREQ(disk->protocol, "iscsi"))
        return TRUE;
    if (!h || !h->name || !disk->src_name) {
        qemu_cmd_unsupported(error, "disk '%s': an iSCSI source needs a host and a target",
                             disk->dst);
        return FALSE;
    }
    if (disk->auth_username && !qemu_disk_src_auth(cmd, idx, disk, src, error))
        return FALSE;
    slash = strrchr(disk->src_name, '/');
    src->owned_target = slash ? g_strndup(disk->src_name, slash - disk->src_name)
                              : g_strdup(disk->src_name);
    src->target = src->owned_target;
    src->lun = slash ? (guint)g_ascii_strtoull(slash + 1, NULL, 10) : 0;
    src->initiator = disk->initiator_iqn;
    return TRUE;
}

static gboolean
qemu_disk_src_get(QemuCmd *cmd, guint idx, QemuDiskSrc *src, GError **error)
{
    const DomainDiskDef *disk = g_ptr_array_index(cmd->def->disks, idx);
    const QemuDiskSource *t = cmd->opts->disk_sources ? cmd->opts->disk_sources[idx] : NULL;

    memset(src, 0, sizeof(*src));
    if (t) {
        src->type = t->type;
        src->path = t->path;
        src->protocol = t->protocol;
        src->host = t->host;
        src->port = t->port;
        src->target = t->target;
        src->lun = t->lun;
        src->initiator = t->initiator;
        src->user = t->user;
        src->secret_file = t->secret_file;
        return TRUE;
    }
    src->type = disk->type;
    switch (disk->type) {
    case DOMAIN_DISK_TYPE_FILE:
    case DOMAIN_DISK_TYPE_BLOCK:
        src->path = disk->path;
        return TRUE;
    case DOMAIN_DISK_TYPE_NETWORK:
        return qemu_disk_src_network(cmd, idx, disk, src, error);
    case DOMAIN_DISK_TYPE_VOLUME:
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "disk '%s': volume '%s' of pool '%s' has no translated source", disk->dst,
                     disk->volume ? disk->volume : "", disk->pool ? disk->pool : "");
        return FALSE;
    case DOMAIN_DISK_TYPE_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported disk type '%s'",
                             domain_disk_type_to_string(disk->type));
        return FALSE;
    }
}

static gboolean
qemu_disk_src_empty(const QemuDiskSrc *src)
{
    return src->type != DOMAIN_DISK_TYPE_NETWORK && !src->path;
}

/* ---- -blockdev ------------------------------------------------------------------------- */

/* cache.direct, cache.no-flush and the device's write-cache for a mode. */
static void
qemu_disk_cache(DomainDiskCache mode, gboolean *direct, gboolean *noflush, gboolean *wcache)
{
    *direct = mode == DOMAIN_DISK_CACHE_NONE || mode == DOMAIN_DISK_CACHE_DIRECTSYNC;
    *noflush = mode == DOMAIN_DISK_CACHE_UNSAFE;
    *wcache = mode != DOMAIN_DISK_CACHE_WRITETHROUGH && mode != DOMAIN_DISK_CACHE_DIRECTSYNC;
}

static void
qemu_disk_common_props(const DomainDiskDef *disk, QemuProps *p)
{
    gboolean direct, noflush, wcache;

    if (MV_STREQ(disk->discard, "unmap"))
        qemu_props_str(p, "discard", "unmap");
    if (disk->cache != DOMAIN_DISK_CACHE_DEFAULT) {
        QemuProps *c = qemu_props_new();

        qemu_disk_cache(disk->cache, &direct, &noflush, &wcache);
        qemu_props_bool(c, "direct", direct);
        qemu_props_bool(c, "no-flush", noflush);
        qemu_props_obj(p, "cache", c);
    }
}

static gboolean
qemu_disk_storage_network(const DomainDiskDef *disk, const QemuDiskSrc *src,
                          const char *node, QemuProps *p, GError **error)
{
    if (MV_STREQ(src->protocol, "iscsi")) {
        qemu_props_str(p, "driver", "iscsi");
        qemu_props_strf(p, "portal", "%s:%u", src->host, src->port ? src->port : 3260);
        qemu_props_str(p, "target", src->target);
        qemu_props_uint(p, "lun", src->lun);
        qemu_props_str(p, "transport", "tcp");
        qemu_props_str(p, "initiator-name", src->initiator);
        if (src->user) {
            qemu_props_str(p, "user", src->user);
            qemu_props_strf(p, "password-secret", "%s-secret0", node);
        }
    } else if (MV_STREQ(src->protocol, "nbd")) {
        QemuProps *server = qemu_props_new();

        if (src->socket) {
            qemu_props_str(server, "type", "unix");
            qemu_props_str(server, "path", src->socket);
        } else {
            qemu_props_str(server, "type", "inet");
            qemu_props_str(server, "host", src->host ? src->host : "localhost");
            qemu_props_strf(server, "port", "%u", src->port ? src->port : 10809);
        }
        qemu_props_str(p, "driver", "nbd");
        qemu_props_obj(p, "server", server);
        qemu_props_str(p, "export", src->name);
    } else if (MV_STREQ(src->protocol, "http") || MV_STREQ(src->protocol, "https")) {
        if (!src->host || !src->name) {
            qemu_cmd_unsupported(error, "disk '%s': an %s source needs a host and a name",
                                 disk->dst, src->protocol);
            return FALSE;
        }
        qemu_props_str(p, "driver", src->protocol);
        if (src->port)
            qemu_props_strf(p, "url", "%s://%s:%u/%s", src->protocol, src->host, src->port,
                            src->name[0] == '/' ? src->name + 1 : src->name);
        else
            qemu_props_strf(p, "url", "%s://%s/%s", src->protocol, src->host,
                            src->name[0] == '/' ? src->name + 1 : src->name);
    } else {
        qemu_cmd_unsupported(error, "unsupported disk protocol '%s'",
                             src->protocol ? src->protocol : "");
        return FALSE;
    }
    return TRUE;
}

static QemuProps *
qemu_disk_storage_node(QemuCmd *cmd, const DomainDiskDef *disk, const QemuDiskSrc *src,
                       const char *node, GError **error)
{
    g_autoptr(QemuProps) p = qemu_props_new();
    gboolean local = src->type != DOMAIN_DISK_TYPE_NETWORK;

    if (!local) {
        if (!qemu_disk_storage_network(disk, src, node, p, error))
            return NULL;
    } else if (src->type == DOMAIN_DISK_TYPE_BLOCK) {
        qemu_props_str(p, "driver", disk->device == DOMAIN_DISK_DEVICE_CDROM ? "host_cdrom"
                                                                             : "host_device");
        qemu_props_str(p, "filename", src->path);
    } else {
        qemu_props_str(p, "driver", "file");
        qemu_props_str(p, "filename", src->path);
    }
    if (disk->io) {
        if (!local || (!g_str_equal(disk->io, "native") && !g_str_equal(disk->io, "threads") &&
                       !g_str_equal(disk->io, "io_uring"))) {
            qemu_cmd_unsupported(error, "disk '%s': unsupported io mode '%s'", disk->dst,
                                 disk->io);
            return NULL;
        }
        if (g_str_equal(disk->io, "native") && disk->cache != DOMAIN_DISK_CACHE_NONE &&
            disk->cache != DOMAIN_DISK_CACHE_DIRECTSYNC) {
            qemu_cmd_unsupported(error, "disk '%s': io 'native' needs cache 'none' or "
                                 "'directsync'", disk->dst);
            return NULL;
        }
        qemu_props_str(p, "aio", disk->io);
    }
    qemu_props_str(p, "node-name", node);
    qemu_props_bool(p, "auto-read-only", TRUE);
    qemu_disk_common_props(disk, p);
    return g_steal_pointer(&p);
}

static const char *
qemu_disk_format(const DomainDiskDef *disk, GError **error)
{
    static const char *const formats[] = {
        "raw", "qcow2", "qcow", "qed", "vmdk", "vdi", "vpc", "vhdx", NULL
    };

    if (!disk->format || g_str_equal(disk->format, "iso"))
        return "raw";
    if (g_strv_contains(formats, disk->format))
        return disk->format;
    qemu_cmd_unsupported(error, "disk '%s': unsupported disk format '%s'", disk->dst,
                         disk->format);
    return NULL;
}

static gboolean
qemu_cmd_build_blockdev(QemuCmd *cmd, guint idx, const QemuDiskSrc *src, GError **error)
{
    const DomainDiskDef *disk = g_ptr_array_index(cmd->def->disks, idx);
    g_autofree char *storage = qemu_command_disk_node_name(cmd->def, idx, "storage");
    g_autofree char *format = qemu_command_disk_node_name(cmd->def, idx, "format");
    gboolean readonly = disk->readonly || disk->device == DOMAIN_DISK_DEVICE_CDROM;
    const char *driver = qemu_disk_format(disk, error);
    QemuProps *node;
    QemuProps *fmt;

    if (!driver)
        return FALSE;
    if (src->user) {
        if (!src->secret_file) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                         "disk '%s': no secret file for the iSCSI user '%s'", disk->dst,
                         src->user);
            return FALSE;
        }
        node = qemu_props_new();
        qemu_props_str(node, "qom-type", "secret");
        qemu_props_strf(node, "id", "%s-secret0", storage);
        qemu_props_str(node, "format", "raw");
        qemu_props_str(node, "file", src->secret_file);
        qemu_cmd_add_json(cmd, "-object", node);
    }
    if (!(node = qemu_disk_storage_node(cmd, disk, src, storage, error)))
        return FALSE;
    qemu_cmd_add_json(cmd, "-blockdev", node);

    fmt = qemu_props_new();
    qemu_props_str(fmt, "node-name", format);
    qemu_props_bool(fmt, "read-only", readonly);
    qemu_disk_common_props(disk, fmt);
    qemu_props_str(fmt, "driver", driver);
    qemu_props_str(fmt, "file", storage);
    qemu_cmd_add_json(cmd, "-blockdev", fmt);
    return TRUE;
}

/* ---- -device ------------------------------------------------------------------------------ */

static gboolean
qemu_disk_check_device(const DomainDiskDef *disk, GError **error)
{
    const char *bus = domain_disk_bus_to_string(disk->bus);
    const char *device = domain_disk_device_to_string(disk->device);

    switch (disk->bus) {
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_USB:
        if (disk->device == DOMAIN_DISK_DEVICE_DISK)
            return TRUE;
        break;
    case DOMAIN_DISK_BUS_IDE:
    case DOMAIN_DISK_BUS_SATA:
    case DOMAIN_DISK_BUS_SCSI:
        if (disk->device == DOMAIN_DISK_DEVICE_DISK && disk->readonly &&
            disk->bus != DOMAIN_DISK_BUS_SCSI) {
            qemu_cmd_unsupported(error, "disk '%s': readonly disks are not supported on bus "
                                 "'%s'", disk->dst, bus);
            return FALSE;
        }
        if (disk->device == DOMAIN_DISK_DEVICE_DISK || disk->device == DOMAIN_DISK_DEVICE_CDROM)
            return TRUE;
        break;
    case DOMAIN_DISK_BUS_FDC:
        if (disk->device == DOMAIN_DISK_DEVICE_FLOPPY)
            return TRUE;
        break;
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case DOMAIN_DISK_BUS_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported disk bus '%s'", bus ? bus : "");
        return FALSE;
    }
    qemu_cmd_unsupported(error, "disk '%s': unsupported disk device '%s' on bus '%s'",
                         disk->dst, device, bus);
    return FALSE;
}

/* The bus-specific properties of a disk's -device. */
static gboolean
qemu_disk_bus_props(QemuCmd *cmd, const DomainDiskDef *disk, QemuProps *p, GError **error)
{
    gboolean cd = disk->device == DOMAIN_DISK_DEVICE_CDROM;
    const DomainControllerDef *ctrl;
    g_autofree char *id = NULL;
    g_autofree char *bus = NULL;
    DomainDeviceAddress a;

    qemu_cmd_disk_drive_addr(disk, &a);
    switch (disk->bus) {
    case DOMAIN_DISK_BUS_VIRTIO:
        qemu_props_str(p, "driver", "virtio-blk-pci");
        qemu_cmd_pci_props(cmd, p, disk);
        return TRUE;
    case DOMAIN_DISK_BUS_IDE:
        if (cmd->machine == QEMU_MACHINE_Q35 || a.controller != 0 || a.bus > 1 || a.unit > 1) {
            qemu_cmd_unsupported(error, "disk '%s': no IDE bus %u unit %u on this machine",
                                 disk->dst, a.bus, a.unit);
            return FALSE;
        }
        qemu_props_str(p, "driver", cd ? "ide-cd" : "ide-hd");
        qemu_props_strf(p, "bus", "ide.%u", a.bus);
        qemu_props_uint(p, "unit", a.unit);
        return TRUE;
    case DOMAIN_DISK_BUS_SATA:
        ctrl = qemu_cmd_find_controller(cmd, DOMAIN_CONTROLLER_SATA, a.controller);
        if (a.bus != 0 || a.unit > 5) {
            qemu_cmd_unsupported(error, "disk '%s': SATA unit %u is out of range", disk->dst,
                                 a.unit);
            return FALSE;
        }
        if (ctrl)
            id = qemu_cmd_controller_id(cmd, ctrl);
        else
            id = g_strdup(cmd->machine == QEMU_MACHINE_Q35 ? "ide" : "sata0");
        qemu_props_str(p, "driver", cd ? "ide-cd" : "ide-hd");
        qemu_props_strf(p, "bus", "%s.%u", id, a.unit);
        return TRUE;
    case DOMAIN_DISK_BUS_SCSI:
        ctrl = qemu_cmd_find_controller(cmd, DOMAIN_CONTROLLER_SCSI, a.controller);
        id = qemu_cmd_controller_id(cmd, ctrl);
        qemu_props_str(p, "driver", cd ? "scsi-cd" : "scsi-hd");
        qemu_props_strf(p, "bus", "%s.0", id);
        if (MV_STREQ(ctrl->model, "lsilogic")) {
            qemu_props_uint(p, "scsi-id", a.unit);
        } else {
            qemu_props_uint(p, "channel", a.bus);
            qemu_props_uint(p, "scsi-id", a.target);
            qemu_props_uint(p, "lun", a.unit);
        }
        return TRUE;
    case DOMAIN_DISK_BUS_FDC:
        if (a.unit > 1) {
            qemu_cmd_unsupported(error, "disk '%s': floppy unit %u is out of range", disk->dst,
                                 a.unit);
            return FALSE;
        }
        qemu_props_str(p, "driver", "floppy");
        qemu_props_uint(p, "unit", a.unit);
        return TRUE;
    case DOMAIN_DISK_BUS_USB:
        if (!(bus = qemu_cmd_usb_bus(cmd, &disk->info, "a USB disk", error)))
            return FALSE;
        qemu_props_str(p, "driver", "usb-storage");
        qemu_props_str(p, "bus", bus);
        qemu_props_str(p, "port", disk->info.addr.usb_port);
        return TRUE;
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case DOMAIN_DISK_BUS_LAST:
    default:
        break;
    }
    return qemu_disk_check_device(disk, error);
}

/* The floppy controller carries the boot index of its drives. */
static void
qemu_cmd_build_fdc(QemuCmd *cmd)
{
    QemuProps *fdc = NULL;

    for (guint i = 0; i < cmd->def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(cmd->def->disks, i);
        DomainDeviceAddress a;

        if (disk->bus != DOMAIN_DISK_BUS_FDC)
            continue;
        qemu_cmd_disk_drive_addr(disk, &a);
        if (cmd->machine == QEMU_MACHINE_Q35 && !fdc) {
            fdc = qemu_props_new();
            qemu_props_str(fdc, "driver", "isa-fdc");
            qemu_props_str(fdc, "id", "fdc0");
        }
        if (cmd->disk_boot[i] == 0 || a.unit > 1)
            continue;
        if (fdc) {
            qemu_props_uint(fdc, a.unit == 0 ? "bootindexA" : "bootindexB", cmd->disk_boot[i]);
        } else {
            qemu_cmd_add(cmd, "-global");
            qemu_cmd_addf(cmd, "isa-fdc.bootindex%c=%u", a.unit == 0 ? 'A' : 'B',
                          cmd->disk_boot[i]);
        }
    }
    if (fdc)
        qemu_cmd_add_json(cmd, "-device", fdc);
}

static gboolean
qemu_cmd_build_disk(QemuCmd *cmd, guint idx, GError **error)
{
    const DomainDiskDef *disk = g_ptr_array_index(cmd->def->disks, idx);
    g_autofree char *id = qemu_cmd_disk_id(cmd, idx);
    g_autofree char *format = qemu_command_disk_node_name(cmd->def, idx, "format");
    g_autoptr(QemuProps) p = qemu_props_new();
    gboolean direct, noflush, wcache;
    QemuDiskSrc src;
    gboolean ok;

    if (!qemu_disk_check_device(disk, error))
        return FALSE;
    ok = qemu_disk_src_get(cmd, idx, &src, error);
    if (ok && qemu_disk_src_empty(&src) && disk->device != DOMAIN_DISK_DEVICE_CDROM &&
        disk->device != DOMAIN_DISK_DEVICE_FLOPPY) {
        qemu_cmd_unsupported(error, "disk '%s' has no source", disk->dst);
        ok = FALSE;
    }
    if (ok && !qemu_disk_src_empty(&src))
        ok = qemu_cmd_build_blockdev(cmd, idx, &src, error);
    g_free(src.owned_target);
    g_free(src.owned_secret);
    if (!ok || !qemu_disk_bus_props(cmd, disk, p, error))
        return FALSE;

    if (disk->shareable)
        qemu_props_bool(p, "share-rw", TRUE);
    if (!qemu_disk_src_empty(&src))
        qemu_props_str(p, "drive", format);
    qemu_props_str(p, "id", id);
    if (cmd->disk_boot[idx] > 0 && disk->bus != DOMAIN_DISK_BUS_FDC)
        qemu_props_uint(p, "bootindex", cmd->disk_boot[idx]);
    if (disk->cache != DOMAIN_DISK_CACHE_DEFAULT && disk->device == DOMAIN_DISK_DEVICE_DISK) {
        qemu_disk_cache(disk->cache, &direct, &noflush, &wcache);
        qemu_props_str(p, "write-cache", wcache ? "on" : "off");
    }
    qemu_props_str(p, "serial", disk->serial);
    qemu_cmd_add_json(cmd, "-device", g_steal_pointer(&p));
    return TRUE;
}

gboolean
qemu_cmd_build_disks(QemuCmd *cmd, GError **error)
{
    qemu_cmd_build_fdc(cmd);
    for (guint i = 0; i < cmd->def->disks->len; i++) {
        if (!qemu_cmd_build_disk(cmd, i, error))
            return FALSE;
    }
    return TRUE;
}
