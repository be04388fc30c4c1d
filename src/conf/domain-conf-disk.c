/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-disk.c: <disk>.
 *
 * Modelled: file, block, network (any protocol, with hosts, auth and the
 * iSCSI initiator) and volume sources; disk/cdrom/floppy/lun devices; the
 * driver name/type/cache/io/discard; target dev/bus/tray; readonly,
 * shareable, serial, boot order.  A volume disk keeps exactly what was
 * written (pool, volume, mode): its translation is the driver's business.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_disk_type, DOMAIN_DISK_TYPE_LAST, "file", "block", "network", "volume")
MV_ENUM_IMPL(domain_disk_device, DOMAIN_DISK_DEVICE_LAST, "disk", "cdrom", "floppy", "lun")
MV_ENUM_IMPL(domain_disk_bus, DOMAIN_DISK_BUS_LAST,
             "none", "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd")
MV_ENUM_IMPL(domain_disk_cache, DOMAIN_DISK_CACHE_LAST,
             "default", "none", "writethrough", "writeback", "directsync", "unsafe")
MV_ENUM_IMPL(domain_startup_policy, DOMAIN_STARTUP_POLICY_LAST,
             "default", "mandatory", "requisite", "optional")
MV_ENUM_IMPL(domain_disk_volume_mode, DOMAIN_DISK_VOLUME_MODE_LAST, "default", "host", "direct")

/* libvirt's order of a disk's children */
static const char *const domain_disk_order[] = {
    "driver", "auth", "source", "backingStore", "backenddomain", "geometry", "blockio",
    "mirror", "target", "iotune", "throttlefilters", "readonly", "shareable", "transient",
    "serial", "wwn", "vendor", "product", "encryption", "boot", "alias", "address", NULL
};

static const char *const domain_disk_driver_attr_order[] = {
    "name", "type", "cache", "error_policy", "rerror_policy", "io", "ioeventfd", "event_idx",
    "copy_on_read", "discard", "iothread", "detect_zeroes", "queues", "queue_size", NULL
};

static const char *const domain_disk_formats[] = {
    "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
    "cow", "qcow", "qcow2", "qed", "vmdk", "luks", "vhdx", NULL
};

static const char *const domain_disk_protocols[] = {
    "nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https", "ftp", "ftps", "tftp",
    "ssh", "vxhs", "nfs", NULL
};

static void
domain_disk_host_free(gpointer p)
{
    DomainDiskHost *h = p;

    g_free(h->name);
    g_free(h->port);
    g_free(h->transport);
    g_free(h->socket);
    g_free(h);
}

void
domain_disk_def_free(DomainDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->driver_name);
    g_free(disk->format);
    g_free(disk->io);
    g_free(disk->discard);
    g_free(disk->path);
    g_free(disk->protocol);
    g_free(disk->src_name);
    if (disk->hosts)
        g_ptr_array_unref(disk->hosts);
    g_free(disk->auth_username);
    g_free(disk->auth_secret_type);
    g_free(disk->auth_secret_usage);
    g_free(disk->auth_secret_uuid);
    g_free(disk->initiator_iqn);
    g_free(disk->pool);
    g_free(disk->volume);
    g_free(disk->dst);
    g_free(disk->tray);
    g_free(disk->serial);
    domain_device_info_clear(&disk->info);
    domain_extra_free(disk->extra);
    g_free(disk);
}

/* ---- parse ------------------------------------------------------------------------ */

static gboolean
domain_disk_parse_driver(DomainParseCtx *ctx, xmlNode *node, DomainDiskDef *disk,
                         GError **error)
{
    xmlNode *drv = dctx_child(ctx, node, "driver");
    int cache = DOMAIN_DISK_CACHE_DEFAULT;

    if (!drv)
        return TRUE;
    disk->driver_name = dctx_prop(ctx, drv, "name");
    if (!dctx_prop_choice(ctx, drv, "type", domain_disk_formats, &disk->format,
                          "driver format value", error) ||
        !dctx_prop_enum(ctx, drv, "cache", domain_disk_cache_from_string, &cache,
                        "disk cache mode", error) ||
        !dctx_prop_choice(ctx, drv, "io",
                          (const char *const[]){ "native", "threads", "io_uring", NULL },
                          &disk->io, "disk io mode", error) ||
        !dctx_prop_choice(ctx, drv, "discard", (const char *const[]){ "ignore", "unmap", NULL },
                          &disk->discard, "disk discard mode", error))
        return FALSE;
    disk->cache = cache;
    return TRUE;
}

static gboolean
domain_disk_parse_network(DomainParseCtx *ctx, xmlNode *src, DomainDiskDef *disk,
                          GError **error)
{
    g_autoptr(GPtrArray) hosts = dctx_children(ctx, src, "host");
    xmlNode *auth, *init;

    if (!dctx_prop_choice(ctx, src, "protocol", domain_disk_protocols, &disk->protocol,
                          "disk source protocol", error))
        return FALSE;
    if (!disk->protocol) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "missing network source protocol type");
        return FALSE;
    }
    disk->src_name = dctx_prop(ctx, src, "name");
    for (guint i = 0; i < hosts->len; i++) {
        xmlNode *h = g_ptr_array_index(hosts, i);
        DomainDiskHost *host = g_new0(DomainDiskHost, 1);

        g_ptr_array_add(disk->hosts, host);
        host->name = dctx_prop(ctx, h, "name");
        host->port = dctx_prop(ctx, h, "port");
        host->socket = dctx_prop(ctx, h, "socket");
        if (!dctx_prop_choice(ctx, h, "transport",
                              (const char *const[]){ "tcp", "unix", "rdma", NULL },
                              &host->transport, "disk source host transport", error))
            return FALSE;
    }
    if ((auth = dctx_child(ctx, src, "auth"))) {
        xmlNode *secret = dctx_child(ctx, auth, "secret");

        disk->auth_username = dctx_prop(ctx, auth, "username");
        if (secret) {
            disk->auth_secret_type = dctx_prop(ctx, secret, "type");
            disk->auth_secret_usage = dctx_prop(ctx, secret, "usage");
            disk->auth_secret_uuid = dctx_prop(ctx, secret, "uuid");
        }
    }
    if ((init = dctx_child(ctx, src, "initiator"))) {
        xmlNode *iqn = dctx_child(ctx, init, "iqn");

        if (iqn)
            disk->initiator_iqn = dctx_prop(ctx, iqn, "name");
    }
    return TRUE;
}

static gboolean
domain_disk_parse_source(DomainParseCtx *ctx, xmlNode *node, DomainDiskDef *disk,
                         GError **error)
{
    xmlNode *src = dctx_child(ctx, node, "source");
    int policy = DOMAIN_STARTUP_POLICY_DEFAULT, mode = DOMAIN_DISK_VOLUME_MODE_DEFAULT;

    if (!src)
        return TRUE;
    if (!dctx_prop_enum(ctx, src, "startupPolicy", domain_startup_policy_from_string, &policy,
                        "disk startupPolicy", error))
        return FALSE;
    disk->startup_policy = policy;
    if (ctx->flags & DOMAIN_PARSE_STATUS) {
        if (!dctx_prop_uint(ctx, src, "index", &disk->source_index, error))
            return FALSE;
    } else {
        g_free(dctx_prop(ctx, src, "index"));
    }
    switch (disk->type) {
    case DOMAIN_DISK_TYPE_FILE:
        disk->path = dctx_prop(ctx, src, "file");
        break;
    case DOMAIN_DISK_TYPE_BLOCK:
        disk->path = dctx_prop(ctx, src, "dev");
        break;
    case DOMAIN_DISK_TYPE_NETWORK:
        return domain_disk_parse_network(ctx, src, disk, error);
    case DOMAIN_DISK_TYPE_VOLUME:
        disk->pool = dctx_prop(ctx, src, "pool");
        disk->volume = dctx_prop(ctx, src, "volume");
        if (!disk->pool || !disk->volume) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "'pool' and 'volume' must be specified together for 'pool' type source");
            return FALSE;
        }
        if (!dctx_prop_enum(ctx, src, "mode", domain_disk_volume_mode_from_string, &mode,
                            "disk source mode", error))
            return FALSE;
        disk->volume_mode = mode;
        break;
    case DOMAIN_DISK_TYPE_LAST:
    default:
        break;
    }
    return TRUE;
}

static gboolean
domain_disk_parse_target(DomainParseCtx *ctx, xmlNode *node, DomainDiskDef *disk,
                         GError **error)
{
    xmlNode *target = dctx_child(ctx, node, "target");
    g_autofree char *bus = NULL;
    int val;

    if (target)
        disk->dst = dctx_prop(ctx, target, "dev");
    if (!disk->dst) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "missing target information for disk '%s'",
                     disk->path ? disk->path : (disk->volume ? disk->volume : ""));
        return FALSE;
    }
    if ((bus = dctx_prop(ctx, target, "bus"))) {
        if ((val = domain_disk_bus_from_string(bus)) <= 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "unknown disk bus '%s'", bus);
            return FALSE;
        }
        disk->bus = val;
    }
    if (!dctx_prop_choice(ctx, target, "tray", (const char *const[]){ "open", "closed", NULL },
                          &disk->tray, "disk tray status", error))
        return FALSE;
    if (domain_disk_name_index(disk->dst) < 0 && !g_str_has_prefix(disk->dst, "ubd")) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "invalid disk target '%s'", disk->dst);
        return FALSE;
    }
    return TRUE;
}

static gboolean
domain_disk_check(const DomainDiskDef *disk, GError **error)
{
    if (disk->startup_policy != DOMAIN_STARTUP_POLICY_DEFAULT) {
        if (disk->type == DOMAIN_DISK_TYPE_NETWORK || disk->type == DOMAIN_DISK_TYPE_BLOCK) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "Setting disk 'startupPolicy' is allowed only for 'file' and 'volume' disk types");
            return FALSE;
        }
        if (disk->startup_policy == DOMAIN_STARTUP_POLICY_REQUISITE &&
            disk->device != DOMAIN_DISK_DEVICE_CDROM &&
            disk->device != DOMAIN_DISK_DEVICE_FLOPPY) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "disk startupPolicy 'requisite' is allowed only for cdrom or floppy");
            return FALSE;
        }
    }
    return TRUE;
}

DomainDiskDef *
domain_disk_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                      GError **error)
{
    g_autoptr(DomainDiskDef) disk = g_new0(DomainDiskDef, 1);
    g_autofree char *type = xml_get_prop(node, "type");
    int device = DOMAIN_DISK_DEVICE_DISK;
    int t = DOMAIN_DISK_TYPE_FILE;

    disk->hosts = g_ptr_array_new_with_free_func(domain_disk_host_free);
    if (type && (t = domain_disk_type_from_string(type)) < 0) {
        static const char *const known[] = { "dir", "nvme", "vhostuser", "vhostvdpa", NULL };

        if (g_strv_contains(known, type)) {
            *ret_unsupported = TRUE;
            return NULL;
        }
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown disk type '%s'", type);
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "type"));
    disk->type = t;
    if (!dctx_prop_enum(ctx, node, "device", domain_disk_device_from_string, &device,
                        "disk device", error))
        return NULL;
    disk->device = device;
    if (!domain_disk_parse_driver(ctx, node, disk, error) ||
        !domain_disk_parse_source(ctx, node, disk, error) ||
        !domain_disk_parse_target(ctx, node, disk, error))
        return NULL;
    disk->readonly = dctx_child(ctx, node, "readonly") != NULL;
    disk->shareable = dctx_child(ctx, node, "shareable") != NULL;
    disk->serial = dctx_child_text(ctx, node, "serial");
    if (!domain_device_info_parse(ctx, node, &disk->info, TRUE, error) ||
        !domain_disk_check(disk, error) ||
        !dctx_collect(ctx, node, &disk->extra, error))
        return NULL;
    return g_steal_pointer(&disk);
}

/* ---- format -------------------------------------------------------------------------- */

static void
domain_disk_format_driver(XmlBuf *b, const DomainDiskDef *disk)
{
    g_autoptr(GString) a = g_string_new(NULL);

    fmt_attr(a, "name", disk->driver_name);
    fmt_attr(a, "type", disk->format);
    if (disk->cache != DOMAIN_DISK_CACHE_DEFAULT)
        fmt_attr(a, "cache", domain_disk_cache_to_string(disk->cache));
    fmt_attr(a, "io", disk->io);
    fmt_attr(a, "discard", disk->discard);
    fmt_element_sorted(b, "driver", a->str, NULL, disk->extra, "driver", FALSE,
                       domain_disk_driver_attr_order);
}

static void
domain_disk_format_source_children(XmlBuf *b, const DomainDiskDef *disk)
{
    for (guint i = 0; i < disk->hosts->len; i++) {
        DomainDiskHost *h = g_ptr_array_index(disk->hosts, i);
        g_autoptr(GString) a = g_string_new(NULL);
        g_autofree char *path = domain_extra_path("source", "host", i);

        fmt_attr(a, "name", h->name);
        fmt_attr(a, "port", h->port);
        fmt_attr(a, "transport", h->transport);
        fmt_attr(a, "socket", h->socket);
        fmt_element(b, "host", a->str, NULL, disk->extra, path, TRUE);
    }
    if (disk->initiator_iqn) {
        g_autoptr(GString) a = g_string_new(NULL);
        XmlBuf child;
        g_autofree char *text = NULL;

        xml_buf_init(&child);
        fmt_attr(a, "name", disk->initiator_iqn);
        fmt_element(&child, "iqn", a->str, NULL, disk->extra, "source/initiator/iqn", TRUE);
        text = xml_buf_finish(&child);
        fmt_element(b, "initiator", NULL, text, disk->extra, "source/initiator", TRUE);
    }
    if (disk->auth_username || domain_extra_has(disk->extra, "source/auth")) {
        g_autoptr(GString) a = g_string_new(NULL);
        g_autoptr(GString) sa = g_string_new(NULL);
        XmlBuf child;
        g_autofree char *text = NULL;

        xml_buf_init(&child);
        fmt_attr(a, "username", disk->auth_username);
        fmt_attr(sa, "type", disk->auth_secret_type);
        fmt_attr(sa, "usage", disk->auth_secret_usage);
        fmt_attr(sa, "uuid", disk->auth_secret_uuid);
        fmt_element(&child, "secret", sa->str, NULL, disk->extra, "source/auth/secret", FALSE);
        text = xml_buf_finish(&child);
        fmt_element(b, "auth", a->str, text, disk->extra, "source/auth", TRUE);
    }
}

static void
domain_disk_format_source(XmlBuf *b, const DomainDiskDef *disk, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    switch (disk->type) {
    case DOMAIN_DISK_TYPE_FILE:
        fmt_attr(a, "file", disk->path);
        break;
    case DOMAIN_DISK_TYPE_BLOCK:
        fmt_attr(a, "dev", disk->path);
        break;
    case DOMAIN_DISK_TYPE_NETWORK:
        fmt_attr(a, "protocol", disk->protocol);
        fmt_attr(a, "name", disk->src_name);
        break;
    case DOMAIN_DISK_TYPE_VOLUME:
        fmt_attr(a, "pool", disk->pool);
        fmt_attr(a, "volume", disk->volume);
        if (disk->volume_mode != DOMAIN_DISK_VOLUME_MODE_DEFAULT)
            fmt_attr(a, "mode", domain_disk_volume_mode_to_string(disk->volume_mode));
        break;
    case DOMAIN_DISK_TYPE_LAST:
    default:
        break;
    }
    if (disk->startup_policy != DOMAIN_STARTUP_POLICY_DEFAULT)
        fmt_attr(a, "startupPolicy", domain_startup_policy_to_string(disk->startup_policy));
    if (disk->source_index > 0 && !(flags & DOMAIN_FORMAT_INACTIVE))
        fmt_attr_printf(a, "index", "%u", disk->source_index);
    xml_buf_init(&child);
    domain_disk_format_source_children(&child, disk);
    text = xml_buf_finish(&child);
    fmt_element(b, "source", a->str, text, disk->extra, "source", FALSE);
}

static void
domain_disk_format_children(XmlBuf *b, const DomainDiskDef *disk, unsigned flags)
{
    const DomainExtra *x = disk->extra;
    g_autoptr(GString) a = g_string_new(NULL);
    guint cursor = 0;

    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "driver");
    domain_disk_format_driver(b, disk);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "source");
    domain_disk_format_source(b, disk, flags);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "target");
    fmt_attr(a, "dev", disk->dst);
    if (disk->bus != DOMAIN_DISK_BUS_NONE)
        fmt_attr(a, "bus", domain_disk_bus_to_string(disk->bus));
    if (disk->tray && g_str_equal(disk->tray, "open"))
        fmt_attr(a, "tray", disk->tray);
    fmt_element(b, "target", a->str, NULL, x, "target", TRUE);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "readonly");
    if (disk->readonly)
        fmt_element(b, "readonly", NULL, NULL, x, "readonly", TRUE);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "shareable");
    if (disk->shareable)
        fmt_element(b, "shareable", NULL, NULL, x, "shareable", TRUE);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, "serial");
    fmt_text_element(b, "serial", disk->serial, x, "serial");
    domain_device_info_format(b, &disk->info, x, domain_disk_order, &cursor, flags);
    domain_extra_format_before(b, x, "", domain_disk_order, &cursor, NULL);
}

void
domain_disk_def_format(XmlBuf *b, const DomainDiskDef *disk, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    fmt_attr(a, "type", domain_disk_type_to_string(disk->type));
    fmt_attr(a, "device", domain_disk_device_to_string(disk->device));
    g_string_append(a, domain_extra_attrs(disk->extra, ""));
    xml_buf_init(&child);
    domain_disk_format_children(&child, disk, flags);
    text = xml_buf_finish(&child);
    fmt_element(b, "disk", a->str, text, NULL, NULL, TRUE);
}

/* ---- helpers ------------------------------------------------------------------------------ */

gboolean
domain_disk_drive_address_for_index(DomainDiskBus bus, int idx, DomainDeviceAddress *a)
{
    switch (bus) {
    case DOMAIN_DISK_BUS_SCSI:
        /* QEMU's wide SCSI bus: 16 units, unit 7 is the controller */
        a->controller = idx / 15;
        a->unit = idx % 15;
        if (a->unit >= 7)
            a->unit++;
        return TRUE;
    case DOMAIN_DISK_BUS_SATA:
        a->controller = idx / 6;
        a->unit = idx % 6;
        return TRUE;
    case DOMAIN_DISK_BUS_IDE:
        a->controller = idx / 4;
        a->bus = (idx % 4) / 2;
        a->unit = idx % 2;
        return TRUE;
    case DOMAIN_DISK_BUS_FDC:
        a->controller = idx / 2;
        a->unit = idx % 2;
        return TRUE;
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_USB:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case DOMAIN_DISK_BUS_LAST:
    default:
        return FALSE;
    }
}

int
domain_disk_name_index(const char *name)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd", NULL };
    const char *p = NULL;
    int idx = 0;
    int n = 0;

    for (guint i = 0; prefixes[i]; i++) {
        if (g_str_has_prefix(name, prefixes[i])) {
            p = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!p || !*p)
        return -1;
    for (; *p; p++, n++) {
        if (!g_ascii_islower(*p))
            return -1;
        idx = (idx + (n == 0 ? 0 : 1)) * 26 + (*p - 'a');
        if (idx > G_MAXINT / 27)
            return -1;
    }
    return idx;
}
