/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "conf/storage-vol-conf.h"
#include "conf/units.h"
#include "conf/xml-buf.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(storage_vol_type, STORAGE_VOL_LAST,
             "file", "block", "dir", "network", "netdir", "ploop")

MV_ENUM_IMPL(storage_file_format, STORAGE_FILE_LAST,
             "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd",
             "ploop", "cow", "qcow", "qcow2", "qed", "vmdk")

MV_ENUM_IMPL(storage_vol_disk_format, STORAGE_VOL_DISK_LAST,
             "none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid",
             "extended")

MV_ENUM_IMPL(storage_file_feature, STORAGE_FILE_FEATURE_LAST,
             "lazy_refcounts", "extended_l2")

/* Sizes are kept in an off_t in the end: at most 2^63 - 1 bytes. */
#define STORAGE_VOL_MAX_SIZE ((guint64)G_MAXINT64)

StorageVolFormats
storage_vol_formats_for_pool(StoragePoolType type)
{
    switch (type) {
    case STORAGE_POOL_DIR:
    case STORAGE_POOL_FS:
    case STORAGE_POOL_NETFS:
    case STORAGE_POOL_RBD:
    case STORAGE_POOL_GLUSTER:
    case STORAGE_POOL_VSTORAGE:
        return STORAGE_VOL_FORMATS_FILE;
    case STORAGE_POOL_DISK:
        return STORAGE_VOL_FORMATS_DISK;
    case STORAGE_POOL_LOGICAL:
    case STORAGE_POOL_ISCSI:
    case STORAGE_POOL_ISCSI_DIRECT:
    case STORAGE_POOL_SCSI:
    case STORAGE_POOL_MPATH:
    case STORAGE_POOL_SHEEPDOG:
    case STORAGE_POOL_ZFS:
        return STORAGE_VOL_FORMATS_NONE;
    case STORAGE_POOL_LAST:
    default:
        break;
    }
    g_return_val_if_reached(STORAGE_VOL_FORMATS_NONE);
}

static int
storage_vol_default_format(const StoragePoolDef *pool)
{
    switch (storage_vol_formats_for_pool(pool->type)) {
    case STORAGE_VOL_FORMATS_FILE:
        return STORAGE_FILE_RAW;
    case STORAGE_VOL_FORMATS_DISK:
        return STORAGE_VOL_DISK_NONE;
    case STORAGE_VOL_FORMATS_NONE:
    default:
        return -1;
    }
}

const char *
storage_vol_format_to_string(const StoragePoolDef *pool, int format)
{
    switch (storage_vol_formats_for_pool(pool->type)) {
    case STORAGE_VOL_FORMATS_FILE:
        return storage_file_format_to_string(format);
    case STORAGE_VOL_FORMATS_DISK:
        return storage_vol_disk_format_to_string(format);
    case STORAGE_VOL_FORMATS_NONE:
    default:
        return NULL;
    }
}

/* -1 for a name the pool's volumes do not take ("none" is no file format). */
static int
storage_vol_format_from_string(const StoragePoolDef *pool, const char *str)
{
    int f;

    switch (storage_vol_formats_for_pool(pool->type)) {
    case STORAGE_VOL_FORMATS_FILE:
        f = storage_file_format_from_string(str);
        return f == STORAGE_FILE_NONE ? -1 : f;
    case STORAGE_VOL_FORMATS_DISK:
        return storage_vol_disk_format_from_string(str);
    case STORAGE_VOL_FORMATS_NONE:
    default:
        return -1;
    }
}

static void
storage_vol_backing_free(StorageVolBacking *backing)
{
    if (!backing)
        return;
    g_free(backing->path);
    storage_perms_clear(&backing->perms);
    g_free(backing);
}

StorageVolDef *
storage_vol_def_new(void)
{
    StorageVolDef *def = g_new0(StorageVolDef, 1);

    def->type = STORAGE_VOL_FILE;
    def->target.format = -1;
    storage_perms_init(&def->target.perms);
    return def;
}

void
storage_vol_def_free(StorageVolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->key);
    g_free(def->target.path);
    storage_perms_clear(&def->target.perms);
    g_free(def->target.compat);
    storage_vol_backing_free(def->backing);
    g_free(def);
}

/* ---- parsing ---------------------------------------------------------- */

/* <capacity unit=>N</capacity> and friends; *ret_present tells if found. */
static gboolean
storage_vol_parse_size(xmlNode *parent, const char *name, guint64 *ret, gboolean *ret_present,
                       GError **error)
{
    static const char *const attrs[] = { "unit", NULL };
    xmlNode *node = xml_child(parent, name);
    g_autofree char *unit = NULL;
    g_autofree char *value = NULL;

    if (ret_present)
        *ret_present = FALSE;
    if (!node)
        return TRUE;
    if (!storage_xml_check_leaf(node, attrs, error))
        return FALSE;
    unit = xml_get_prop(node, "unit");
    /* libvirt writes <clusterSize unit='B'>, which units.c does not take */
    if (unit && g_str_equal(unit, "B"))
        unit[0] = 'b';
    value = xml_text(node);
    if (!units_parse(name, value, unit, 1, STORAGE_VOL_MAX_SIZE, ret, error))
        return FALSE;
    if (ret_present)
        *ret_present = TRUE;
    return TRUE;
}

/* <format type=> of a target or backing store. */
static gboolean
storage_vol_parse_format(const StoragePoolDef *pool, xmlNode *parent, int *ret,
                         GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    xmlNode *node = xml_child(parent, "format");
    g_autofree char *type = NULL;

    *ret = storage_vol_default_format(pool);
    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, attrs, error) ||
        !storage_xml_check_children(node, NULL, "the volume", error))
        return FALSE;
    if (!(type = storage_xml_prop(node, "type")))
        return TRUE;
    if (storage_vol_formats_for_pool(pool->type) == STORAGE_VOL_FORMATS_NONE) {
        /* LVs and LUNs are raw block devices: saying so loses nothing */
        if (g_str_equal(type, "raw"))
            return TRUE;
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "volumes of storage pool type '%s' have no format, '%s' cannot be used",
                     storage_pool_type_to_string(pool->type), type);
        return FALSE;
    }
    if ((*ret = storage_vol_format_from_string(pool, type)) < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown volume format type %s", type);
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_vol_parse_features(StorageVolTarget *target, xmlNode *tnode, GError **error)
{
    xmlNode *node = xml_child(tnode, "features");

    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, NULL, error))
        return FALSE;
    target->has_features = TRUE;
    for (xmlNode *c = node->children; c; c = c->next) {
        int f;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (c->ns || (f = storage_file_feature_from_string((const char *)c->name)) < 0) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                         "unsupported feature %s", (const char *)c->name);
            return FALSE;
        }
        if (!storage_xml_check_attrs(c, NULL, error) ||
            !storage_xml_check_children(c, NULL, "the volume", error))
            return FALSE;
        target->features |= 1u << f;
    }
    /* the features need qcow2 v3, which libvirt implies */
    if (!target->compat)
        target->compat = g_strdup("1.1");
    return TRUE;
}

static gboolean
storage_vol_parse_compat(StorageVolTarget *target, xmlNode *tnode, GError **error)
{
    g_auto(GStrv) parts = NULL;

    if (!(target->compat = storage_xml_child_text(tnode, "compat")))
        return TRUE;
    parts = g_strsplit(target->compat, ".", 2);
    for (guint i = 0; i < 2; i++) {
        const char *p = parts[0] ? parts[i] : NULL;

        if (!p || !*p || strspn(p, "0123456789") != strlen(p)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "forbidden characters in <compat> '%s': expected a version such as 1.1",
                         target->compat);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
storage_vol_parse_target(const StoragePoolDef *pool, StorageVolDef *def, xmlNode *tnode,
                         GError **error)
{
    /* <timestamps> is runtime data (vol-dumpxml): accepted, not kept */
    static const char *const children[] = {
        "path", "format", "permissions", "timestamps", "encryption", "compat", "clusterSize",
        "nocow", "features", NULL
    };
    static const char *const text_children[] = { "path", "compat", NULL };
    StorageVolTarget *target = &def->target;
    xmlNode *nocow;

    target->format = storage_vol_default_format(pool);
    if (!tnode)
        return TRUE;
    if (!storage_xml_check_attrs(tnode, NULL, error) ||
        !storage_xml_check_children(tnode, children, "the volume", error))
        return FALSE;
    for (size_t i = 0; children[i]; i++) {
        if (!storage_xml_check_unique(tnode, children[i], error))
            return FALSE;
    }
    if (!storage_xml_check_text_children(tnode, text_children, error))
        return FALSE;
    if (xml_child(tnode, "encryption")) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "element <encryption> of volume '%s' is not supported", def->name);
        return FALSE;
    }
    target->path = storage_xml_child_text(tnode, "path");
    if ((nocow = xml_child(tnode, "nocow")) &&
        (!storage_xml_check_attrs(nocow, NULL, error) ||
         !storage_xml_check_children(nocow, NULL, "the volume", error)))
        return FALSE;
    target->nocow = nocow != NULL;
    return storage_vol_parse_format(pool, tnode, &target->format, error) &&
           storage_perms_parse(xml_child(tnode, "permissions"), &target->perms, error) &&
           storage_vol_parse_compat(target, tnode, error) &&
           storage_vol_parse_size(tnode, "clusterSize", &target->cluster_size, NULL, error) &&
           storage_vol_parse_features(target, tnode, error);
}

static gboolean
storage_vol_parse_backing(const StoragePoolDef *pool, StorageVolDef *def, xmlNode *bnode,
                          GError **error)
{
    static const char *const children[] = {
        "path", "format", "permissions", "timestamps", NULL
    };
    static const char *const text_children[] = { "path", NULL };
    StorageVolBacking *backing;

    if (!bnode)
        return TRUE;
    if (!storage_xml_check_attrs(bnode, NULL, error) ||
        !storage_xml_check_children(bnode, children, "the volume", error))
        return FALSE;
    for (size_t i = 0; children[i]; i++) {
        if (!storage_xml_check_unique(bnode, children[i], error))
            return FALSE;
    }
    if (!storage_xml_check_text_children(bnode, text_children, error))
        return FALSE;
    backing = def->backing = g_new0(StorageVolBacking, 1);
    storage_perms_init(&backing->perms);
    backing->path = storage_xml_child_text(bnode, "path");
    return storage_vol_parse_format(pool, bnode, &backing->format, error) &&
           storage_perms_parse(xml_child(bnode, "permissions"), &backing->perms, error);
}

static gboolean
storage_vol_parse_root(StorageVolDef *def, xmlNode *root, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    /* <source> (extents) and <physical> are runtime data: accepted, not kept */
    static const char *const children[] = {
        "name", "key", "source", "capacity", "allocation", "physical", "target",
        "backingStore", NULL
    };
    static const char *const text_children[] = { "name", "key", NULL };
    g_autofree char *type = NULL;
    int t;

    if (!storage_xml_check_attrs(root, attrs, error) ||
        !storage_xml_check_children(root, children, NULL, error))
        return FALSE;
    for (size_t i = 0; children[i]; i++) {
        if (!storage_xml_check_unique(root, children[i], error))
            return FALSE;
    }
    if (!storage_xml_check_text_children(root, text_children, error))
        return FALSE;
    if ((type = xml_get_prop(root, "type"))) {
        if ((t = storage_vol_type_from_string(type)) < 0) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                         "unknown volume type '%s'", type);
            return FALSE;
        }
        def->type = t;
    }
    if (!(def->name = storage_xml_child_text(root, "name"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, "missing volume name element");
        return FALSE;
    }
    def->key = storage_xml_child_text(root, "key");
    return TRUE;
}

StorageVolDef *
storage_vol_def_parse_string(const StoragePoolDef *pool, const char *xml, unsigned flags,
                             GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(StorageVolDef) def = NULL;
    xmlNode *root;

    g_return_val_if_fail((flags & ~(STORAGE_VOL_PARSE_NO_CAPACITY |
                                    STORAGE_VOL_PARSE_OPT_CAPACITY)) == 0, NULL);
    if (!(doc = xml_parse_string(xml, "volume", "storage volume", error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    def = storage_vol_def_new();
    if (!storage_vol_parse_root(def, root, error) ||
        !storage_vol_parse_backing(pool, def, xml_child(root, "backingStore"), error) ||
        !storage_vol_parse_size(root, "capacity", &def->capacity, &def->has_capacity, error))
        return NULL;
    if (!def->has_capacity && !(flags & STORAGE_VOL_PARSE_NO_CAPACITY) &&
        !((flags & STORAGE_VOL_PARSE_OPT_CAPACITY) && def->backing && def->backing->path)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, "missing capacity element");
        return NULL;
    }
    if (!storage_vol_parse_size(root, "allocation", &def->allocation, &def->has_allocation,
                                error))
        return NULL;
    if (!def->has_allocation)
        def->allocation = def->capacity;
    if (!storage_vol_parse_target(pool, def, xml_child(root, "target"), error) ||
        !storage_vol_def_validate(pool, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- validation ------------------------------------------------------- */

static gboolean
storage_vol_validate_file_format(const StorageVolDef *def, int format, const char *what,
                                 GError **error)
{
    if (format != STORAGE_FILE_RAW && format != STORAGE_FILE_QCOW2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "%s format '%s' of volume '%s' is not supported (only raw and qcow2 are)",
                     what, storage_file_format_to_string(format), def->name);
        return FALSE;
    }
    return TRUE;
}

/* compat, clusterSize and features are qcow2 options. */
static gboolean
storage_vol_validate_qcow2_options(const StorageVolDef *def, GError **error)
{
    const StorageVolTarget *t = &def->target;
    const char *option = NULL;

    if (t->has_features)
        option = "features";
    else if (t->cluster_size != 0)
        option = "clusterSize";
    else if (t->compat)
        option = "compat";
    if (option && t->format != STORAGE_FILE_QCOW2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "<%s> of volume '%s' is only supported for the qcow2 format, not '%s'",
                     option, def->name, storage_file_format_to_string(t->format));
        return FALSE;
    }
    if (t->features != 0 && t->compat && g_str_equal(t->compat, "0.10")) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "qcow2 features of volume '%s' need compat 1.1, not 0.10", def->name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
storage_vol_validate_backing(const StoragePoolDef *pool, const StorageVolDef *def,
                             GError **error)
{
    StorageVolFormats formats = storage_vol_formats_for_pool(pool->type);

    if (!def->backing)
        return TRUE;
    if (formats == STORAGE_VOL_FORMATS_FILE && def->target.format != STORAGE_FILE_QCOW2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "volume '%s' of format '%s' cannot have a backing store (qcow2 only)",
                     def->name, storage_file_format_to_string(def->target.format));
        return FALSE;
    }
    if (!def->backing->path) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "the backing store of volume '%s' needs a <path>", def->name);
        return FALSE;
    }
    if (formats == STORAGE_VOL_FORMATS_FILE &&
        !storage_vol_validate_file_format(def, def->backing->format, "backing store", error))
        return FALSE;
    return TRUE;
}

gboolean
storage_vol_def_validate(const StoragePoolDef *pool, const StorageVolDef *def, GError **error)
{
    if (strchr(def->name, '/')) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume name '%s' cannot contain '/'", def->name);
        return FALSE;
    }
    switch (storage_vol_formats_for_pool(pool->type)) {
    case STORAGE_VOL_FORMATS_FILE:
        if (!storage_vol_validate_file_format(def, def->target.format, "volume", error) ||
            !storage_vol_validate_qcow2_options(def, error))
            return FALSE;
        break;
    case STORAGE_VOL_FORMATS_DISK:
    case STORAGE_VOL_FORMATS_NONE:
    default:
        if (def->target.compat || def->target.cluster_size != 0 || def->target.has_features) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                         "qcow2 options of volume '%s' cannot be used in storage pool type '%s'",
                         def->name, storage_pool_type_to_string(pool->type));
            return FALSE;
        }
        break;
    }
    return storage_vol_validate_backing(pool, def, error);
}

/* ---- formatting ------------------------------------------------------- */

static void
storage_vol_format_features(XmlBuf *buf, const StorageVolTarget *target)
{
    if (!target->has_features)
        return;
    if (target->features == 0) {
        xml_buf_add(buf, "<features/>\n");
        return;
    }
    xml_buf_add(buf, "<features>\n");
    xml_buf_indent(buf, 2);
    for (int f = 0; f < STORAGE_FILE_FEATURE_LAST; f++) {
        if (target->features & (1u << f))
            xml_buf_add(buf, "<%s/>\n", storage_file_feature_to_string(f));
    }
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</features>\n");
}

static void
storage_vol_format_format(XmlBuf *buf, const StoragePoolDef *pool, int format)
{
    const char *str;

    if (storage_vol_formats_for_pool(pool->type) == STORAGE_VOL_FORMATS_NONE)
        return;
    str = storage_vol_format_to_string(pool, format);
    g_return_if_fail(str != NULL);
    xml_buf_add(buf, "<format type='%s'/>\n", str);
}

static void
storage_vol_format_target(XmlBuf *buf, const StoragePoolDef *pool,
                          const StorageVolTarget *target)
{
    xml_buf_add(buf, "<target>\n");
    xml_buf_indent(buf, 2);
    if (target->path)
        xml_buf_add(buf, "<path>%s</path>\n", target->path);
    storage_vol_format_format(buf, pool, target->format);
    storage_perms_format(buf, &target->perms);
    if (target->compat)
        xml_buf_add(buf, "<compat>%s</compat>\n", target->compat);
    if (target->cluster_size != 0)
        xml_buf_add(buf, "<clusterSize unit='B'>%" G_GUINT64_FORMAT "</clusterSize>\n",
                    target->cluster_size);
    /* libvirt 9.0 parses <nocow/> but does not print it; modvirt keeps it */
    if (target->nocow)
        xml_buf_add(buf, "<nocow/>\n");
    storage_vol_format_features(buf, target);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</target>\n");
}

static void
storage_vol_format_backing(XmlBuf *buf, const StoragePoolDef *pool,
                           const StorageVolBacking *backing)
{
    if (!backing || !backing->path)
        return;
    xml_buf_add(buf, "<backingStore>\n");
    xml_buf_indent(buf, 2);
    xml_buf_add(buf, "<path>%s</path>\n", backing->path);
    storage_vol_format_format(buf, pool, backing->format);
    storage_perms_format(buf, &backing->perms);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</backingStore>\n");
}

char *
storage_vol_def_format(const StoragePoolDef *pool, const StorageVolDef *def, unsigned flags)
{
    XmlBuf buf;

    g_return_val_if_fail(flags == 0, NULL);
    xml_buf_init(&buf);
    xml_buf_add(&buf, "<volume type='%s'>\n", storage_vol_type_to_string(def->type));
    xml_buf_indent(&buf, 2);
    xml_buf_add(&buf, "<name>%s</name>\n", def->name);
    if (def->key)
        xml_buf_add(&buf, "<key>%s</key>\n", def->key);
    xml_buf_add(&buf, "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n",
                def->capacity);
    xml_buf_add(&buf, "<allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>\n",
                def->allocation);
    if (def->physical != 0)
        xml_buf_add(&buf, "<physical unit='bytes'>%" G_GUINT64_FORMAT "</physical>\n",
                    def->physical);
    storage_vol_format_target(&buf, pool, &def->target);
    storage_vol_format_backing(&buf, pool, def->backing);
    xml_buf_indent(&buf, -2);
    xml_buf_add(&buf, "</volume>\n");
    return xml_buf_finish(&buf);
}
