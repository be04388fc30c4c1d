/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-vol-conf.h"
#include "conf/xml-buf.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(storage_pool_type, STORAGE_POOL_LAST,
             "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi",
             "mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage")

MV_ENUM_IMPL(storage_pool_state, STORAGE_POOL_STATE_LAST,
             "inactive", "building", "running", "degraded", "inaccessible")

MV_ENUM_IMPL(storage_pool_fs_format, STORAGE_POOL_FS_LAST,
             "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
             "hfs+", "xfs", "ocfs2", "vmfs")

MV_ENUM_IMPL(storage_pool_netfs_format, STORAGE_POOL_NETFS_LAST,
             "auto", "nfs", "glusterfs", "cifs")

MV_ENUM_IMPL(storage_pool_disk_format, STORAGE_POOL_DISK_LAST,
             "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2")

MV_ENUM_IMPL(storage_pool_logical_format, STORAGE_POOL_LOGICAL_LAST,
             "unknown", "lvm2")

MV_ENUM_IMPL(storage_auth_type, STORAGE_AUTH_LAST,
             "none", "chap", "ceph")

/* What the <source> of each pool type is made of (libvirt's rules). */
enum {
    SRC_HOST = 1 << 0,
    SRC_DEVICE = 1 << 1,
    SRC_DIR = 1 << 2,
    SRC_ADAPTER = 1 << 3,
    SRC_NAME = 1 << 4,
    SRC_INITIATOR = 1 << 5,
    SRC_NETWORK = 1 << 6,   /* no local target */
};

typedef struct {
    unsigned flags;
    int default_format;     /* -1: the type has no <format> */
    const char *(*format_to_string)(int format);
    int (*format_from_string)(const char *str);
} StoragePoolTypeInfo;

static const StoragePoolTypeInfo storage_pool_type_info[STORAGE_POOL_LAST] = {
    [STORAGE_POOL_DIR] = { 0, -1, NULL, NULL },
    [STORAGE_POOL_FS] = { SRC_DEVICE, STORAGE_POOL_FS_AUTO,
                          storage_pool_fs_format_to_string,
                          storage_pool_fs_format_from_string },
    [STORAGE_POOL_NETFS] = { SRC_HOST | SRC_DIR, STORAGE_POOL_NETFS_AUTO,
                             storage_pool_netfs_format_to_string,
                             storage_pool_netfs_format_from_string },
    [STORAGE_POOL_LOGICAL] = { SRC_NAME | SRC_DEVICE, STORAGE_POOL_LOGICAL_LVM2,
                               storage_pool_logical_format_to_string,
                               storage_pool_logical_format_from_string },
    [STORAGE_POOL_DISK] = { SRC_DEVICE, STORAGE_POOL_DISK_UNKNOWN,
                            storage_pool_disk_format_to_string,
                            storage_pool_disk_format_from_string },
    [STORAGE_POOL_ISCSI] = { SRC_HOST | SRC_DEVICE | SRC_INITIATOR, -1, NULL, NULL },
    [STORAGE_POOL_ISCSI_DIRECT] = { SRC_HOST | SRC_DEVICE | SRC_NETWORK | SRC_INITIATOR, -1,
                                    NULL, NULL },
    [STORAGE_POOL_SCSI] = { SRC_ADAPTER, -1, NULL, NULL },
    [STORAGE_POOL_MPATH] = { 0, -1, NULL, NULL },
    [STORAGE_POOL_RBD] = { SRC_HOST | SRC_NETWORK | SRC_NAME, -1, NULL, NULL },
    [STORAGE_POOL_SHEEPDOG] = { SRC_HOST | SRC_NETWORK | SRC_NAME, -1, NULL, NULL },
    [STORAGE_POOL_GLUSTER] = { SRC_HOST | SRC_NETWORK | SRC_NAME | SRC_DIR, -1, NULL, NULL },
    [STORAGE_POOL_ZFS] = { SRC_NAME | SRC_DEVICE, -1, NULL, NULL },
    [STORAGE_POOL_VSTORAGE] = { SRC_NAME, -1, NULL, NULL },
};

static const StoragePoolTypeInfo *
storage_pool_info(StoragePoolType type)
{
    g_assert(type >= 0 && type < STORAGE_POOL_LAST);
    return &storage_pool_type_info[type];
}

gboolean
storage_pool_type_is_supported(StoragePoolType type)
{
    switch (type) {
    case STORAGE_POOL_DIR:
    case STORAGE_POOL_FS:
    case STORAGE_POOL_LOGICAL:
    case STORAGE_POOL_ISCSI:
    case STORAGE_POOL_ISCSI_DIRECT:
        return TRUE;
    case STORAGE_POOL_NETFS:
    case STORAGE_POOL_DISK:
    case STORAGE_POOL_SCSI:
    case STORAGE_POOL_MPATH:
    case STORAGE_POOL_RBD:
    case STORAGE_POOL_SHEEPDOG:
    case STORAGE_POOL_GLUSTER:
    case STORAGE_POOL_ZFS:
    case STORAGE_POOL_VSTORAGE:
        return FALSE;
    case STORAGE_POOL_LAST:
    default:
        break;
    }
    g_return_val_if_reached(FALSE);
}

gboolean
storage_pool_type_has_target(StoragePoolType type)
{
    return !(storage_pool_info(type)->flags & SRC_NETWORK);
}

const char *
storage_pool_source_format_to_string(const StoragePoolDef *def)
{
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);

    if (!info->format_to_string)
        return NULL;
    return info->format_to_string(def->source.format);
}

static void
storage_pool_source_host_free(gpointer data)
{
    StoragePoolSourceHost *host = data;

    g_free(host->name);
    g_free(host);
}

static void
storage_pool_source_device_free(gpointer data)
{
    StoragePoolSourceDevice *dev = data;

    g_free(dev->path);
    g_free(dev);
}

static void
storage_pool_auth_free(StoragePoolAuth *auth)
{
    if (!auth)
        return;
    g_free(auth->username);
    g_free(auth->secret_type);
    g_free(auth->secret_usage);
    g_free(auth);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoragePoolAuth, storage_pool_auth_free)

StoragePoolDef *
storage_pool_def_new(StoragePoolType type)
{
    StoragePoolDef *def = g_new0(StoragePoolDef, 1);

    def->type = type;
    def->source.hosts = g_ptr_array_new_with_free_func(storage_pool_source_host_free);
    def->source.devices = g_ptr_array_new_with_free_func(storage_pool_source_device_free);
    def->source.format = storage_pool_info(type)->default_format;
    storage_perms_init(&def->target.perms);
    def->refresh_allocation = -1;
    return def;
}

void
storage_pool_def_free(StoragePoolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_ptr_array_unref(def->source.hosts);
    g_ptr_array_unref(def->source.devices);
    g_free(def->source.dir);
    g_free(def->source.adapter_xml);
    g_free(def->source.name);
    g_free(def->source.initiator_iqn);
    storage_pool_auth_free(def->source.auth);
    g_free(def->source.vendor);
    g_free(def->source.product);
    g_free(def->target.path);
    storage_perms_clear(&def->target.perms);
    g_free(def);
}

void
storage_pool_status_clear(StoragePoolStatus *status)
{
    g_clear_pointer(&status->refresh_error, g_free);
    memset(status, 0, sizeof(*status));
}

void
storage_pool_status_set_refresh_error(StoragePoolStatus *status, const char *message,
                                      gint64 when)
{
    g_free(status->refresh_error);
    status->refresh_error = g_strdup(message);
    status->refresh_error_time = message ? when : 0;
}

/* ---- parsing: <source> ------------------------------------------------ */

static gboolean
storage_pool_parse_hosts(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const attrs[] = { "name", "port", NULL };
    g_autoptr(GPtrArray) nodes = xml_children(source, "host");

    for (guint i = 0; i < nodes->len; i++) {
        xmlNode *node = nodes->pdata[i];
        g_autofree char *name = NULL;
        StoragePoolSourceHost *host;
        int port = 0;

        if (!storage_xml_check_attrs(node, attrs, error) ||
            !storage_xml_check_children(node, NULL, "the pool source", error))
            return FALSE;
        if (!(name = storage_xml_prop(node, "name"))) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "missing storage pool host name");
            return FALSE;
        }
        if (!xml_prop_int(node, "port", &port, error))
            return FALSE;
        if (port < 0 || port > 65535) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "invalid port %d of storage pool host '%s'", port, name);
            return FALSE;
        }
        host = g_new0(StoragePoolSourceHost, 1);
        host->name = g_steal_pointer(&name);
        host->port = port;
        g_ptr_array_add(def->source.hosts, host);
    }
    return TRUE;
}

static gboolean
storage_pool_parse_devices(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const attrs[] = { "path", "part_separator", NULL };
    /* <freeExtent> is runtime data of disk pools: allowed, not kept */
    static const char *const children[] = { "freeExtent", NULL };
    g_autoptr(GPtrArray) nodes = xml_children(source, "device");

    for (guint i = 0; i < nodes->len; i++) {
        xmlNode *node = nodes->pdata[i];
        g_autofree char *path = NULL;
        StoragePoolSourceDevice *dev;
        int sep = STORAGE_TRISTATE_ABSENT;

        if (!storage_xml_check_attrs(node, attrs, error) ||
            !storage_xml_check_children(node, children, "the pool source", error))
            return FALSE;
        if (!(path = storage_xml_prop(node, "path"))) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "missing storage pool source device path");
            return FALSE;
        }
        if (!xml_prop_bool(node, "part_separator", FALSE, &sep, error))
            return FALSE;
        dev = g_new0(StoragePoolSourceDevice, 1);
        dev->path = g_steal_pointer(&path);
        dev->part_separator = sep;
        g_ptr_array_add(def->source.devices, dev);
    }
    return TRUE;
}

/* <one attr='value'/> elements: <dir path=>, <vendor name=>, <product name=> */
static gboolean
storage_pool_parse_attr_element(xmlNode *source, const char *element, const char *attr,
                                char **ret, GError **error)
{
    const char *const attrs[] = { attr, NULL };
    xmlNode *node = xml_child(source, element);

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, NULL, "the pool source", error))
        return FALSE;
    if (!(*ret = storage_xml_prop(node, attr))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing attribute '%s' of <%s> in the pool source", attr, element);
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_initiator(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const children[] = { "iqn", NULL };
    static const char *const attrs[] = { "name", NULL };
    xmlNode *node = xml_child(source, "initiator");
    xmlNode *iqn;

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, NULL, error) ||
        !storage_xml_check_children(node, children, "the pool source", error) ||
        !storage_xml_check_unique(node, "iqn", error))
        return FALSE;
    iqn = xml_child(node, "iqn");
    if (iqn && (!storage_xml_check_attrs(iqn, attrs, error) ||
                !storage_xml_check_children(iqn, NULL, "the pool source", error)))
        return FALSE;
    if (!iqn || !(def->source.initiator_iqn = storage_xml_prop(iqn, "name"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing <iqn name=> in the <initiator> of the pool source");
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_format(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);
    xmlNode *node = xml_child(source, "format");
    g_autofree char *type = NULL;

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, NULL, "the pool source", error))
        return FALSE;
    type = storage_xml_prop(node, "type");
    if (!type)
        return TRUE;
    if ((def->source.format = info->format_from_string(type)) < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown pool format type %s", type);
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_secret(StoragePoolAuth *auth, xmlNode *node, GError **error)
{
    static const char *const attrs[] = { "type", "usage", "uuid", NULL };
    g_autofree char *uuid = NULL;

    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, NULL, "the pool source", error))
        return FALSE;
    auth->secret_type = storage_xml_prop(node, "type");
    auth->secret_usage = storage_xml_prop(node, "usage");
    uuid = storage_xml_prop(node, "uuid");
    if (uuid && auth->secret_usage) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "either secret uuid or usage expected, not both");
        return FALSE;
    }
    if (!uuid && !auth->secret_usage) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing secret uuid or usage attribute");
        return FALSE;
    }
    if (uuid) {
        if (!mv_uuid_parse(uuid, auth->secret_uuid)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "invalid secret uuid '%s'", uuid);
            return FALSE;
        }
        auth->has_secret_uuid = TRUE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_auth(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const attrs[] = { "type", "username", NULL };
    static const char *const children[] = { "secret", NULL };
    xmlNode *node = xml_child(source, "auth");
    g_autoptr(StoragePoolAuth) auth = NULL;
    g_autofree char *type = NULL;
    xmlNode *secret;
    int t;

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, children, "the pool source", error) ||
        !storage_xml_check_unique(node, "secret", error))
        return FALSE;
    if (!(type = storage_xml_prop(node, "type"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool missing auth type");
        return FALSE;
    }
    if ((t = storage_auth_type_from_string(type)) <= STORAGE_AUTH_NONE) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown auth type '%s'", type);
        return FALSE;
    }
    auth = g_new0(StoragePoolAuth, 1);
    auth->type = t;
    if (!(auth->username = storage_xml_prop(node, "username"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, "missing username for auth");
        return FALSE;
    }
    if (!(secret = xml_child(node, "secret"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing <secret> element in auth");
        return FALSE;
    }
    if (!storage_pool_parse_secret(auth, secret, error))
        return FALSE;
    def->source.auth = g_steal_pointer(&auth);
    return TRUE;
}

static gboolean
storage_pool_parse_protocol(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const attrs[] = { "ver", NULL };
    xmlNode *node = xml_child(source, "protocol");

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, NULL, "the pool source", error))
        return FALSE;
    if (def->type != STORAGE_POOL_NETFS ||
        (def->source.format != STORAGE_POOL_NETFS_NFS &&
         def->source.format != STORAGE_POOL_NETFS_AUTO)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool protocol ver unsupported for pool type '%s'",
                     def->type == STORAGE_POOL_NETFS ?
                     storage_pool_netfs_format_to_string(def->source.format) :
                     storage_pool_type_to_string(def->type));
        return FALSE;
    }
    return xml_prop_uint(node, "ver", &def->source.protocol_ver, error);
}

/*
 * libvirt ignores the source elements a pool type does not use; here they
 * are refused, so that nothing given is dropped without a word.
 */
static gboolean
storage_pool_check_source_usage(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const struct {
        const char *element;
        unsigned flag;
    } uses[] = {
        { "host", SRC_HOST }, { "device", SRC_DEVICE }, { "dir", SRC_DIR },
        { "adapter", SRC_ADAPTER }, { "name", SRC_NAME }, { "initiator", SRC_INITIATOR },
    };
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);
    const char *element = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(uses) && !element; i++) {
        if (!(info->flags & uses[i].flag) && xml_child(source, uses[i].element))
            element = uses[i].element;
    }
    if (!element && !info->format_to_string && xml_child(source, "format"))
        element = "format";
    if (element) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "element <%s> of <source> is not used by storage pool type '%s'",
                     element, storage_pool_type_to_string(def->type));
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_source(StoragePoolDef *def, xmlNode *source, GError **error)
{
    static const char *const children[] = {
        "host", "device", "dir", "adapter", "name", "initiator", "format", "auth",
        "protocol", "vendor", "product", NULL
    };
    static const char *const unique[] = {
        "dir", "adapter", "name", "initiator", "format", "auth", "protocol", "vendor",
        "product", NULL
    };
    xmlNode *adapter;

    static const char *const text_children[] = { "name", NULL };

    if (!storage_xml_check_attrs(source, NULL, error) ||
        !storage_xml_check_children(source, children, "the pool", error) ||
        !storage_xml_check_text_children(source, text_children, error))
        return FALSE;
    for (size_t i = 0; unique[i]; i++) {
        if (!storage_xml_check_unique(source, unique[i], error))
            return FALSE;
    }
    if (!storage_pool_check_source_usage(def, source, error))
        return FALSE;
    def->source.name = storage_xml_child_text(source, "name");
    if (!storage_pool_parse_format(def, source, error) ||
        !storage_pool_parse_hosts(def, source, error) ||
        !storage_pool_parse_initiator(def, source, error) ||
        !storage_pool_parse_devices(def, source, error) ||
        !storage_pool_parse_attr_element(source, "dir", "path", &def->source.dir, error) ||
        !storage_pool_parse_auth(def, source, error) ||
        !storage_pool_parse_protocol(def, source, error) ||
        !storage_pool_parse_attr_element(source, "vendor", "name", &def->source.vendor,
                                         error) ||
        !storage_pool_parse_attr_element(source, "product", "name", &def->source.product,
                                         error))
        return FALSE;
    if (def->source.dir) {
        g_autofree char *raw = g_steal_pointer(&def->source.dir);

        def->source.dir = storage_xml_sanitize_path(raw);
    }
    if ((adapter = xml_child(source, "adapter"))) {
        XmlBuf buf;

        xml_buf_init(&buf);
        storage_xml_format_node(&buf, adapter);
        def->source.adapter_xml = xml_buf_finish(&buf);
    }
    return TRUE;
}

/* ---- parsing: <pool> -------------------------------------------------- */

static gboolean
storage_pool_parse_features(StoragePoolDef *def, xmlNode *root, GError **error)
{
    static const char *const children[] = { "cow", NULL };
    static const char *const attrs[] = { "state", NULL };
    xmlNode *node = xml_child(root, "features");
    xmlNode *cow;

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, NULL, error) ||
        !storage_xml_check_children(node, children, "the pool", error) ||
        !storage_xml_check_unique(node, "cow", error))
        return FALSE;
    if (!(cow = xml_child(node, "cow")))
        return TRUE;
    if (!storage_xml_check_attrs(cow, attrs, error) ||
        !storage_xml_check_children(cow, NULL, "the pool", error) ||
        !xml_prop_bool(cow, "state", FALSE, &def->feature_cow, error))
        return FALSE;
    if (def->feature_cow != STORAGE_TRISTATE_ABSENT &&
        def->type != STORAGE_POOL_FS && def->type != STORAGE_POOL_DIR) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cow feature may only be used for 'fs' and 'dir' pools");
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_parse_refresh(StoragePoolDef *def, xmlNode *root, GError **error)
{
    static const char *const children[] = { "volume", NULL };
    static const char *const attrs[] = { "allocation", NULL };
    xmlNode *node = xml_child(root, "refresh");
    g_autofree char *alloc = NULL;
    xmlNode *vol;

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, NULL, error) ||
        !storage_xml_check_children(node, children, "the pool", error) ||
        !storage_xml_check_unique(node, "volume", error))
        return FALSE;
    if (!(vol = xml_child(node, "volume")))
        return TRUE;
    if (!storage_xml_check_attrs(vol, attrs, error) ||
        !storage_xml_check_children(vol, NULL, "the pool", error))
        return FALSE;
    if (!(alloc = storage_xml_prop(vol, "allocation")))
        return TRUE;
    if (g_str_equal(alloc, "default")) {
        def->refresh_allocation = 0;
    } else if (g_str_equal(alloc, "capacity")) {
        def->refresh_allocation = 1;
    } else {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown storage pool volume refresh allocation type %s", alloc);
        return FALSE;
    }
    return TRUE;
}

/* The target path of logical and zfs pools follows the source name. */
static char *
storage_pool_implied_target(const StoragePoolDef *def)
{
    if (def->type == STORAGE_POOL_LOGICAL)
        return g_strdup_printf("/dev/%s", def->source.name);
    if (def->type == STORAGE_POOL_ZFS)
        return g_strdup_printf("/dev/zvol/%s", def->source.name);
    return NULL;
}

static gboolean
storage_pool_parse_target(StoragePoolDef *def, xmlNode *root, GError **error)
{
    static const char *const children[] = { "path", "permissions", NULL };
    static const char *const text_children[] = { "path", NULL };
    xmlNode *node = xml_child(root, "target");
    g_autofree char *implied = storage_pool_implied_target(def);
    g_autofree char *path = NULL;

    if (!storage_pool_type_has_target(def->type)) {
        if (node) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                         "element <target> is not used by storage pool type '%s'",
                         storage_pool_type_to_string(def->type));
            return FALSE;
        }
        return TRUE;
    }
    if (node && (!storage_xml_check_attrs(node, NULL, error) ||
                 !storage_xml_check_children(node, children, "the pool", error) ||
                 !storage_xml_check_text_children(node, text_children, error) ||
                 !storage_xml_check_unique(node, "path", error) ||
                 !storage_xml_check_unique(node, "permissions", error)))
        return FALSE;
    path = node ? storage_xml_child_text(node, "path") : NULL;
    if (path) {
        g_autofree char *raw = g_steal_pointer(&path);

        path = storage_xml_sanitize_path(raw);
    }
    if (implied && path && !g_str_equal(implied, path)) {
        /* libvirt replaces it without a word: refuse instead */
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "target path '%s' of %s pool '%s' must be '%s' (it follows the source name)",
                     path, storage_pool_type_to_string(def->type), def->name, implied);
        return FALSE;
    }
    if (implied)
        path = g_steal_pointer(&implied);
    if (!path) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing storage pool target path");
        return FALSE;
    }
    def->target.path = g_steal_pointer(&path);
    return storage_perms_parse(node ? xml_child(node, "permissions") : NULL,
                               &def->target.perms, error);
}

static gboolean
storage_pool_parse_identity(StoragePoolDef *def, xmlNode *root, GError **error)
{
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);
    g_autofree char *uuid = storage_xml_child_text(root, "uuid");

    def->name = storage_xml_child_text(root, "name");
    if (!def->name && (info->flags & SRC_NAME))
        def->name = g_strdup(def->source.name);
    if (!def->name) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing <name> element of the storage pool");
        return FALSE;
    }
    if (strchr(def->name, '/')) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "storage pool name '%s' cannot contain '/'", def->name);
        return FALSE;
    }
    if (!uuid) {
        mv_uuid_generate(def->uuid);
    } else if (!mv_uuid_parse(g_strstrip(uuid), def->uuid)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "malformed uuid element '%s'", uuid);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's per-type requirements on the source, checked at parse time. */
static gboolean
storage_pool_parse_check_source(StoragePoolDef *def, GError **error)
{
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);
    const char *missing = NULL;

    /* a gluster volume is mounted from its root unless told otherwise */
    if (def->type == STORAGE_POOL_GLUSTER && !def->source.dir)
        def->source.dir = g_strdup("/");
    if ((info->flags & SRC_HOST) && def->source.hosts->len == 0)
        missing = "missing storage pool source host name";
    else if ((info->flags & SRC_DIR) && !def->source.dir)
        missing = "missing storage pool source path";
    else if ((info->flags & SRC_ADAPTER) && !def->source.adapter_xml)
        missing = "missing storage pool source adapter";
    else if (info->flags == SRC_DEVICE && def->source.devices->len == 0)
        missing = "missing storage pool source device name";
    if (missing) {
        mv_error_set_literal(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, missing);
        return FALSE;
    }
    if ((info->flags & SRC_NAME) && !def->source.name)
        def->source.name = g_strdup(def->name);
    return TRUE;
}

static StoragePoolType
storage_pool_parse_type(xmlNode *root, GError **error)
{
    g_autofree char *type = xml_get_prop(root, "type");
    int t;

    if (!type) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing required attribute 'type' of <pool>");
        return STORAGE_POOL_LAST;
    }
    if ((t = storage_pool_type_from_string(type)) < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "invalid value '%s' for attribute 'type' of <pool>: unknown storage pool type",
                     type);
        return STORAGE_POOL_LAST;
    }
    return t;
}

static gboolean
storage_pool_check_root(xmlNode *root, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    /* capacity, allocation and available are runtime data: accepted (live
     * XML fed back), not kept, as libvirt does */
    static const char *const children[] = {
        "name", "uuid", "capacity", "allocation", "available", "features", "source",
        "target", "refresh", NULL
    };

    static const char *const text_children[] = { "name", "uuid", NULL };

    if (!storage_xml_check_attrs(root, attrs, error) ||
        !storage_xml_check_children(root, children, NULL, error) ||
        !storage_xml_check_text_children(root, text_children, error))
        return FALSE;
    for (size_t i = 0; children[i]; i++) {
        if (!storage_xml_check_unique(root, children[i], error))
            return FALSE;
    }
    return TRUE;
}

StoragePoolDef *
storage_pool_def_parse_string(const char *xml, unsigned flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(StoragePoolDef) def = NULL;
    StoragePoolType type;
    xmlNode *root;
    xmlNode *source;

    g_return_val_if_fail(flags == 0, NULL);
    if (!(doc = xml_parse_string(xml, "pool", "storage pool", error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if ((type = storage_pool_parse_type(root, error)) == STORAGE_POOL_LAST ||
        !storage_pool_check_root(root, error))
        return NULL;
    def = storage_pool_def_new(type);
    if ((source = xml_child(root, "source")) &&
        !storage_pool_parse_source(def, source, error))
        return NULL;
    if (!storage_pool_parse_identity(def, root, error) ||
        !storage_pool_parse_features(def, root, error) ||
        !storage_pool_parse_check_source(def, error) ||
        !storage_pool_parse_target(def, root, error))
        return NULL;
    if (def->type == STORAGE_POOL_ISCSI_DIRECT && !def->source.initiator_iqn) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "missing initiator IQN");
        return NULL;
    }
    if (!storage_pool_parse_refresh(def, root, error))
        return NULL;
    return g_steal_pointer(&def);
}

StoragePoolDef *
storage_pool_source_parse_string(StoragePoolType type, const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(StoragePoolDef) def = storage_pool_def_new(type);

    if (!(doc = xml_parse_string(xml, "source", "storage pool source", error)) ||
        !storage_pool_parse_source(def, xmlDocGetRootElement(doc), error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- validation ------------------------------------------------------- */

static gboolean
storage_pool_validate_count(const StoragePoolDef *def, const char *what, guint count,
                            GError **error)
{
    if (count != 1) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "storage pool '%s' of type '%s' needs exactly 1 source %s, not %u",
                     def->name, storage_pool_type_to_string(def->type), what, count);
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_validate_unused(const StoragePoolDef *def, const char *element, gboolean present,
                             GError **error)
{
    if (present) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "element <%s> of <source> is not used by storage pool type '%s'",
                     element, storage_pool_type_to_string(def->type));
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_validate_iscsi(const StoragePoolDef *def, GError **error)
{
    if (!storage_pool_validate_count(def, "host", def->source.hosts->len, error) ||
        !storage_pool_validate_count(def, "device (the target IQN)",
                                     def->source.devices->len, error))
        return FALSE;
    if (def->source.auth && def->source.auth->type != STORAGE_AUTH_CHAP) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "auth type '%s' is not supported by storage pool type '%s', only 'chap'",
                     storage_auth_type_to_string(def->source.auth->type),
                     storage_pool_type_to_string(def->type));
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_pool_validate_local(const StoragePoolDef *def, GError **error)
{
    if (!storage_pool_validate_unused(def, "auth", def->source.auth != NULL, error) ||
        !storage_pool_validate_unused(def, "vendor", def->source.vendor != NULL, error) ||
        !storage_pool_validate_unused(def, "product", def->source.product != NULL, error))
        return FALSE;
    if (def->type == STORAGE_POOL_FS &&
        !storage_pool_validate_count(def, "device", def->source.devices->len, error))
        return FALSE;
    if (!g_path_is_absolute(def->target.path)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "target path '%s' of storage pool '%s' must be absolute",
                     def->target.path, def->name);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_pool_def_validate(const StoragePoolDef *def, GError **error)
{
    if (!storage_pool_type_is_supported(def->type)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool type '%s' is not supported by modvirt",
                     storage_pool_type_to_string(def->type));
        return FALSE;
    }
    for (guint i = 0; i < def->source.devices->len; i++) {
        const StoragePoolSourceDevice *dev = def->source.devices->pdata[i];

        if (dev->part_separator != STORAGE_TRISTATE_ABSENT) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                         "'part_separator' of source device '%s' is only used by disk pools",
                         dev->path);
            return FALSE;
        }
    }
    switch (def->type) {
    case STORAGE_POOL_DIR:
    case STORAGE_POOL_FS:
    case STORAGE_POOL_LOGICAL:
        return storage_pool_validate_local(def, error);
    case STORAGE_POOL_ISCSI:
    case STORAGE_POOL_ISCSI_DIRECT:
        return storage_pool_validate_iscsi(def, error);
    case STORAGE_POOL_NETFS:
    case STORAGE_POOL_DISK:
    case STORAGE_POOL_SCSI:
    case STORAGE_POOL_MPATH:
    case STORAGE_POOL_RBD:
    case STORAGE_POOL_SHEEPDOG:
    case STORAGE_POOL_GLUSTER:
    case STORAGE_POOL_ZFS:
    case STORAGE_POOL_VSTORAGE:
    case STORAGE_POOL_LAST:
    default:
        break;
    }
    g_return_val_if_reached(FALSE);
}

/* ---- formatting ------------------------------------------------------- */

static void
storage_pool_format_auth(XmlBuf *buf, const StoragePoolAuth *auth)
{
    char uuid[37];

    xml_buf_add(buf, "<auth type='%s' username='%s'>\n",
                storage_auth_type_to_string(auth->type), auth->username);
    xml_buf_indent(buf, 2);
    xml_buf_add(buf, "<secret");
    if (auth->secret_type)
        xml_buf_add(buf, " type='%s'", auth->secret_type);
    if (auth->has_secret_uuid)
        xml_buf_add(buf, " uuid='%s'/>\n", mv_uuid_format(auth->secret_uuid, uuid));
    else
        xml_buf_add(buf, " usage='%s'/>\n", auth->secret_usage);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</auth>\n");
}

static void
storage_pool_format_source_devices(XmlBuf *buf, const StoragePoolSource *src)
{
    for (guint i = 0; i < src->devices->len; i++) {
        const StoragePoolSourceDevice *dev = src->devices->pdata[i];

        xml_buf_add(buf, "<device path='%s'", dev->path);
        if (dev->part_separator != STORAGE_TRISTATE_ABSENT)
            xml_buf_add(buf, " part_separator='%s'",
                        dev->part_separator == STORAGE_TRISTATE_YES ? "yes" : "no");
        xml_buf_add(buf, "/>\n");
    }
}

static void
storage_pool_format_source(XmlBuf *buf, const StoragePoolDef *def)
{
    const StoragePoolTypeInfo *info = storage_pool_info(def->type);
    const StoragePoolSource *src = &def->source;

    xml_buf_add(buf, "<source>\n");
    xml_buf_indent(buf, 2);
    for (guint i = 0; (info->flags & SRC_HOST) && i < src->hosts->len; i++) {
        const StoragePoolSourceHost *host = src->hosts->pdata[i];

        xml_buf_add(buf, "<host name='%s'", host->name);
        if (host->port != 0)
            xml_buf_add(buf, " port='%d'", host->port);
        xml_buf_add(buf, "/>\n");
    }
    if (info->flags & SRC_DEVICE)
        storage_pool_format_source_devices(buf, src);
    if ((info->flags & SRC_DIR) && src->dir)
        xml_buf_add(buf, "<dir path='%s'/>\n", src->dir);
    if ((info->flags & SRC_ADAPTER) && src->adapter_xml)
        xml_buf_add_raw(buf, src->adapter_xml);
    if ((info->flags & SRC_NAME) && src->name)
        xml_buf_add(buf, "<name>%s</name>\n", src->name);
    if ((info->flags & SRC_INITIATOR) && src->initiator_iqn) {
        xml_buf_add(buf, "<initiator>\n");
        xml_buf_add(buf, "  <iqn name='%s'/>\n", src->initiator_iqn);
        xml_buf_add(buf, "</initiator>\n");
    }
    if (info->format_to_string)
        xml_buf_add(buf, "<format type='%s'/>\n", info->format_to_string(src->format));
    if (src->auth)
        storage_pool_format_auth(buf, src->auth);
    if (src->protocol_ver != 0)
        xml_buf_add(buf, "<protocol ver='%u'/>\n", src->protocol_ver);
    if (src->vendor)
        xml_buf_add(buf, "<vendor name='%s'/>\n", src->vendor);
    if (src->product)
        xml_buf_add(buf, "<product name='%s'/>\n", src->product);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</source>\n");
}

/*
 * The failure of the last background refresh, in the live XML only.
 *
 * libvirt's pool XML has nowhere to put it, so it goes in one element in
 * modvirt's own XML namespace, last in <pool>:
 *
 *   <modvirt:refreshError xmlns:modvirt='http://modvirt.org/schemas/storage/runtime/1.0'
 *                         time='2026-11-22T10:00:00Z'>message</modvirt:refreshError>
 *
 * Why this form:
 * - libvirt's own pool XML already carries per-type elements in foreign
 *   namespaces (fs:mount_opts, rbd:config_opts) at that place, so clients
 *   (virsh, virt-manager, python's ElementTree, libxml2 users) already cope
 *   with a namespaced child of <pool> they do not know, and ignore it;
 * - it is machine readable (an XML comment would not be);
 * - it never appears in the inactive XML, which is what pool-edit edits and
 *   what modvirt stores, and the parser skips the namespace, so live XML fed
 *   back to pool-define still works.
 */
static void
storage_pool_format_status(XmlBuf *buf, const StoragePoolStatus *status)
{
    g_autoptr(GDateTime) when = NULL;
    g_autofree char *stamp = NULL;

    if (!status->refresh_error)
        return;
    when = g_date_time_new_from_unix_utc(status->refresh_error_time);
    stamp = when ? g_date_time_format(when, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
    xml_buf_add(buf, "<modvirt:refreshError xmlns:modvirt='%s' time='%s'>"
                "%s</modvirt:refreshError>\n",
                STORAGE_XML_MODVIRT_NS, stamp, status->refresh_error);
}

static void
storage_pool_format_target(XmlBuf *buf, const StoragePoolDef *def)
{
    if (!storage_pool_type_has_target(def->type))
        return;
    xml_buf_add(buf, "<target>\n");
    xml_buf_indent(buf, 2);
    if (def->target.path)
        xml_buf_add(buf, "<path>%s</path>\n", def->target.path);
    storage_perms_format(buf, &def->target.perms);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</target>\n");
}

/* <defaultFormat type=/> and <enum name=> of @n values of @to_string. */
static void
storage_caps_format_options(XmlBuf *buf, const char *element, const char *enum_name,
                            int default_value, const char *(*to_string)(int), int n)
{
    xml_buf_add(buf, "<%s>\n", element);
    xml_buf_indent(buf, 2);
    xml_buf_add(buf, "<defaultFormat type='%s'/>\n", to_string(default_value));
    xml_buf_add(buf, "<enum name='%s'>\n", enum_name);
    for (int i = 0; i < n; i++)
        xml_buf_add(buf, "  <value>%s</value>\n", to_string(i));
    xml_buf_add(buf, "</enum>\n");
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</%s>\n", element);
}

char *
storage_pool_capabilities_format(void)
{
    XmlBuf buf;

    xml_buf_init(&buf);
    xml_buf_add(&buf, "<storagepoolCapabilities>\n");
    xml_buf_indent(&buf, 2);
    for (int type = 0; type < STORAGE_POOL_LAST; type++) {
        const StoragePoolTypeInfo *info = storage_pool_info(type);

        xml_buf_add(&buf, "<pool type='%s' supported='%s'>\n", storage_pool_type_to_string(type),
                    storage_pool_type_is_supported(type) ? "yes" : "no");
        xml_buf_indent(&buf, 2);
        if (info->format_to_string) {
            int n = 0;

            /* The enum's strings, up to its end (to_string() gives NULL). */
            while (info->format_to_string(n))
                n++;
            storage_caps_format_options(&buf, "poolOptions", "sourceFormatType",
                                        info->default_format, info->format_to_string, n);
        }
        switch (storage_vol_formats_for_pool(type)) {
        case STORAGE_VOL_FORMATS_FILE:
            /* libvirt offers rbd volumes as raw, with no format to choose. */
            storage_caps_format_options(&buf, "volOptions", "targetFormatType", STORAGE_FILE_RAW,
                                        storage_file_format_to_string,
                                        type == STORAGE_POOL_RBD ? 0 : STORAGE_FILE_LAST);
            break;
        case STORAGE_VOL_FORMATS_DISK:
            storage_caps_format_options(&buf, "volOptions", "targetFormatType",
                                        STORAGE_VOL_DISK_NONE, storage_vol_disk_format_to_string,
                                        STORAGE_VOL_DISK_LAST);
            break;
        case STORAGE_VOL_FORMATS_NONE:
            break;
        }
        xml_buf_indent(&buf, -2);
        xml_buf_add(&buf, "</pool>\n");
    }
    xml_buf_indent(&buf, -2);
    xml_buf_add(&buf, "</storagepoolCapabilities>\n");
    return xml_buf_finish(&buf);
}

char *
storage_pool_sources_format(GPtrArray *sources)
{
    XmlBuf buf;

    xml_buf_init(&buf);
    xml_buf_add(&buf, "<sources>\n");
    xml_buf_indent(&buf, 2);
    for (guint i = 0; i < sources->len; i++)
        storage_pool_format_source(&buf, g_ptr_array_index(sources, i));
    xml_buf_indent(&buf, -2);
    xml_buf_add(&buf, "</sources>\n");
    return xml_buf_finish(&buf);
}

char *
storage_pool_def_format(const StoragePoolDef *def, const StoragePoolStatus *status,
                        unsigned flags)
{
    XmlBuf buf;
    char uuid[37];

    g_return_val_if_fail(flags == 0, NULL);
    xml_buf_init(&buf);
    xml_buf_add(&buf, "<pool type='%s'>\n", storage_pool_type_to_string(def->type));
    xml_buf_indent(&buf, 2);
    xml_buf_add(&buf, "<name>%s</name>\n", def->name);
    xml_buf_add(&buf, "<uuid>%s</uuid>\n", mv_uuid_format(def->uuid, uuid));
    xml_buf_add(&buf, "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n",
                status ? status->capacity : 0);
    xml_buf_add(&buf, "<allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>\n",
                status ? status->allocation : 0);
    xml_buf_add(&buf, "<available unit='bytes'>%" G_GUINT64_FORMAT "</available>\n",
                status ? status->available : 0);
    if (def->feature_cow != STORAGE_TRISTATE_ABSENT) {
        xml_buf_add(&buf, "<features>\n");
        xml_buf_add(&buf, "  <cow state='%s'/>\n",
                    def->feature_cow == STORAGE_TRISTATE_YES ? "yes" : "no");
        xml_buf_add(&buf, "</features>\n");
    }
    storage_pool_format_source(&buf, def);
    storage_pool_format_target(&buf, def);
    if (def->refresh_allocation >= 0) {
        xml_buf_add(&buf, "<refresh>\n");
        xml_buf_add(&buf, "  <volume allocation='%s'/>\n",
                    def->refresh_allocation == 1 ? "capacity" : "default");
        xml_buf_add(&buf, "</refresh>\n");
    }
    if (status)
        storage_pool_format_status(&buf, status);
    xml_buf_indent(&buf, -2);
    xml_buf_add(&buf, "</pool>\n");
    return xml_buf_finish(&buf);
}
