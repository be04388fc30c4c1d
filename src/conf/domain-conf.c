/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf.c: the <domain> element: top-level parse and format, the
 * device info (boot order, alias, address), life cycle of a DomainDef.
 *
 * The device classes live in domain-conf-<class>.c, the post-parse rules in
 * domain-conf-postparse.c and the define-time checks in
 * domain-conf-validate.c.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/units.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_tristate, DOMAIN_TRISTATE_LAST, "default", "yes", "no")
MV_ENUM_IMPL(domain_tristate_switch, DOMAIN_TRISTATE_LAST, "default", "on", "off")
MV_ENUM_IMPL(domain_virt, DOMAIN_VIRT_LAST, "qemu", "kvm", "test")
MV_ENUM_IMPL(domain_addr, DOMAIN_ADDR_LAST,
             "none", "pci", "drive", "virtio-serial", "ccid", "usb", "spapr-vio",
             "virtio-s390", "ccw", "virtio-mmio", "isa", "dimm", "unassigned")

/* libvirt's order of the children of <domain>. */
static const char *const domain_root_order[] = {
    "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
    "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
    "iothreadids", "cputune", "numatune", "resource", "sysinfo", "bootloader",
    "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff", "on_reboot",
    "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap",
    "launchSecurity", NULL
};

/* ---- life cycle ----------------------------------------------------------------- */

DomainDef *
domain_def_new(void)
{
    DomainDef *def = g_new0(DomainDef, 1);

    def->id = -1;
    def->vcpus_max = 1;
    def->vcpus_current = 1;
    def->os.bootmenu_timeout = -1;
    def->on_poweroff = DOMAIN_LIFECYCLE_DESTROY;
    def->on_reboot = DOMAIN_LIFECYCLE_RESTART;
    def->on_crash = DOMAIN_LIFECYCLE_DESTROY;
    def->clock.timers = g_ptr_array_new_with_free_func(domain_timer_def_free);
    def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)domain_disk_def_free);
    def->controllers =
        g_ptr_array_new_with_free_func((GDestroyNotify)domain_controller_def_free);
    def->nets = g_ptr_array_new_with_free_func((GDestroyNotify)domain_net_def_free);
    def->serials = g_ptr_array_new_with_free_func((GDestroyNotify)domain_chr_def_free);
    def->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)domain_chr_def_free);
    def->channels = g_ptr_array_new_with_free_func((GDestroyNotify)domain_chr_def_free);
    def->inputs = g_ptr_array_new_with_free_func((GDestroyNotify)domain_input_def_free);
    def->graphics = g_ptr_array_new_with_free_func((GDestroyNotify)domain_graphics_def_free);
    def->audios = g_ptr_array_new_with_free_func((GDestroyNotify)domain_audio_def_free);
    def->videos = g_ptr_array_new_with_free_func((GDestroyNotify)domain_video_def_free);
    def->rngs = g_ptr_array_new_with_free_func((GDestroyNotify)domain_rng_def_free);
    return def;
}

void
domain_def_free(DomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->metadata);
    g_free(def->vcpu_placement);
    g_free(def->vcpu_cpuset);
    domain_os_clear(&def->os);
    domain_cpu_def_free(def->cpu);
    domain_clock_clear(&def->clock);
    g_free(def->emulator);
    g_ptr_array_unref(def->disks);
    g_ptr_array_unref(def->controllers);
    g_ptr_array_unref(def->nets);
    g_ptr_array_unref(def->serials);
    g_ptr_array_unref(def->consoles);
    g_ptr_array_unref(def->channels);
    g_ptr_array_unref(def->inputs);
    g_ptr_array_unref(def->graphics);
    g_ptr_array_unref(def->audios);
    g_ptr_array_unref(def->videos);
    domain_memballoon_def_free(def->memballoon);
    g_ptr_array_unref(def->rngs);
    domain_extra_free(def->extra);
    g_free(def);
}

DomainDef *
domain_def_copy(const DomainDef *def)
{
    g_autofree char *xml = domain_def_format(def, DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE);
    g_autoptr(GError) error = NULL;
    DomainDef *copy;

    /* The status format is lossless by design (the golden tests check that
     * status XML round-trips), so a copy is a format and a parse. */
    copy = domain_def_parse_string(xml, NULL, DOMAIN_PARSE_STATUS, &error);
    if (!copy)
        g_error("domain '%s' does not round-trip: %s", def->name, error->message);
    return copy;
}

/* ---- device info ------------------------------------------------------------------- */

void
domain_device_info_clear(DomainDeviceInfo *info)
{
    g_clear_pointer(&info->alias, g_free);
    g_clear_pointer(&info->addr.usb_port, g_free);
    memset(info, 0, sizeof(*info));
}

void
domain_device_info_copy(DomainDeviceInfo *dst, const DomainDeviceInfo *src)
{
    *dst = *src;
    dst->alias = g_strdup(src->alias);
    dst->addr.usb_port = g_strdup(src->addr.usb_port);
}

static gboolean
domain_address_uint(DomainParseCtx *ctx, xmlNode *node, const char *name, guint max,
                    guint *ret, GError **error)
{
    g_autofree char *v = dctx_prop(ctx, node, name);
    char *end = NULL;
    guint64 n;

    if (!v)
        return TRUE;
    n = g_ascii_strtoull(v, &end, 0);
    if (!*v || *end || v[0] == '-' || n > max) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Cannot parse <address> '%s' attribute", name);
        return FALSE;
    }
    *ret = (guint)n;
    return TRUE;
}

static gboolean
domain_address_parse(DomainParseCtx *ctx, xmlNode *node, DomainDeviceAddress *addr,
                     GError **error)
{
    int type = DOMAIN_ADDR_NONE;
    gboolean ok = TRUE;

    if (!dctx_prop_enum(ctx, node, "type", domain_addr_from_string, &type, "address type",
                        error))
        return FALSE;
    addr->type = type;
    switch ((DomainAddrType)type) {
    case DOMAIN_ADDR_PCI:
        ok = domain_address_uint(ctx, node, "domain", 0xffff, &addr->domain, error) &&
             domain_address_uint(ctx, node, "bus", 0xff, &addr->bus, error) &&
             domain_address_uint(ctx, node, "slot", 0x1f, &addr->slot, error) &&
             domain_address_uint(ctx, node, "function", 7, &addr->function, error) &&
             dctx_prop_tristate(ctx, node, "multifunction", TRUE, &addr->multifunction, error);
        break;
    case DOMAIN_ADDR_DRIVE:
        ok = domain_address_uint(ctx, node, "controller", G_MAXUINT, &addr->controller,
                                 error) &&
             domain_address_uint(ctx, node, "bus", G_MAXUINT, &addr->bus, error) &&
             domain_address_uint(ctx, node, "target", G_MAXUINT, &addr->target, error) &&
             domain_address_uint(ctx, node, "unit", G_MAXUINT, &addr->unit, error);
        break;
    case DOMAIN_ADDR_VIRTIO_SERIAL:
        ok = domain_address_uint(ctx, node, "controller", G_MAXUINT, &addr->controller,
                                 error) &&
             domain_address_uint(ctx, node, "bus", G_MAXUINT, &addr->bus, error) &&
             domain_address_uint(ctx, node, "port", G_MAXUINT, &addr->port, error);
        break;
    case DOMAIN_ADDR_CCID:
        ok = domain_address_uint(ctx, node, "controller", G_MAXUINT, &addr->controller,
                                 error) &&
             domain_address_uint(ctx, node, "slot", G_MAXUINT, &addr->slot, error);
        break;
    case DOMAIN_ADDR_USB:
        addr->usb_port = dctx_prop(ctx, node, "port");
        ok = domain_address_uint(ctx, node, "bus", G_MAXUINT, &addr->bus, error);
        break;
    case DOMAIN_ADDR_NONE:
    case DOMAIN_ADDR_SPAPRVIO:
    case DOMAIN_ADDR_VIRTIO_S390:
    case DOMAIN_ADDR_CCW:
    case DOMAIN_ADDR_VIRTIO_MMIO:
    case DOMAIN_ADDR_ISA:
    case DOMAIN_ADDR_DIMM:
    case DOMAIN_ADDR_UNASSIGNED:
    case DOMAIN_ADDR_LAST:
    default:
        /* the other attributes stay in the device's DomainExtra */
        break;
    }
    return ok;
}

gboolean
domain_device_info_parse(DomainParseCtx *ctx, xmlNode *node, DomainDeviceInfo *info,
                         gboolean allow_boot, GError **error)
{
    xmlNode *n;

    if (allow_boot && (n = dctx_child(ctx, node, "boot"))) {
        g_autofree char *order = dctx_prop_req(ctx, n, "order", error);
        char *end = NULL;
        guint64 v;

        if (!order)
            return FALSE;
        v = g_ascii_strtoull(order, &end, 10);
        if (!*order || *end || v == 0 || v > G_MAXINT) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "incorrect boot order '%s', expecting positive integer", order);
            return FALSE;
        }
        info->boot_order = (guint)v;
    }
    if ((n = dctx_child(ctx, node, "alias"))) {
        g_autofree char *alias = dctx_prop(ctx, n, "name");

        if (alias && ((ctx->flags & DOMAIN_PARSE_STATUS) || g_str_has_prefix(alias, "ua-")))
            info->alias = g_steal_pointer(&alias);
    }
    if ((n = dctx_child(ctx, node, "address"))) {
        if (!domain_address_parse(ctx, n, &info->addr, error))
            return FALSE;
    }
    return TRUE;
}

static void
domain_address_format(GString *a, const DomainDeviceAddress *addr)
{
    fmt_attr(a, "type", domain_addr_to_string(addr->type));
    switch (addr->type) {
    case DOMAIN_ADDR_PCI:
        fmt_attr_printf(a, "domain", "0x%04x", addr->domain);
        fmt_attr_printf(a, "bus", "0x%02x", addr->bus);
        fmt_attr_printf(a, "slot", "0x%02x", addr->slot);
        fmt_attr_printf(a, "function", "0x%x", addr->function);
        if (addr->multifunction != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(a, "multifunction", domain_tristate_switch_to_string(addr->multifunction));
        break;
    case DOMAIN_ADDR_DRIVE:
        fmt_attr_printf(a, "controller", "%u", addr->controller);
        fmt_attr_printf(a, "bus", "%u", addr->bus);
        fmt_attr_printf(a, "target", "%u", addr->target);
        fmt_attr_printf(a, "unit", "%u", addr->unit);
        break;
    case DOMAIN_ADDR_VIRTIO_SERIAL:
        fmt_attr_printf(a, "controller", "%u", addr->controller);
        fmt_attr_printf(a, "bus", "%u", addr->bus);
        fmt_attr_printf(a, "port", "%u", addr->port);
        break;
    case DOMAIN_ADDR_CCID:
        fmt_attr_printf(a, "controller", "%u", addr->controller);
        fmt_attr_printf(a, "slot", "%u", addr->slot);
        break;
    case DOMAIN_ADDR_USB:
        fmt_attr_printf(a, "bus", "%u", addr->bus);
        fmt_attr(a, "port", addr->usb_port);
        break;
    case DOMAIN_ADDR_NONE:
    case DOMAIN_ADDR_SPAPRVIO:
    case DOMAIN_ADDR_VIRTIO_S390:
    case DOMAIN_ADDR_CCW:
    case DOMAIN_ADDR_VIRTIO_MMIO:
    case DOMAIN_ADDR_ISA:
    case DOMAIN_ADDR_DIMM:
    case DOMAIN_ADDR_UNASSIGNED:
    case DOMAIN_ADDR_LAST:
    default:
        break;
    }
}

void
domain_device_info_format(XmlBuf *b, const DomainDeviceInfo *info, const DomainExtra *x,
                          const char *const *order, guint *cursor, unsigned flags)
{
    if (order)
        domain_extra_format_before(b, x, "", order, cursor, "boot");
    if (info->boot_order > 0 || domain_extra_has(x, "boot")) {
        g_autoptr(GString) a = g_string_new(NULL);

        if (info->boot_order > 0)
            fmt_attr_printf(a, "order", "%u", info->boot_order);
        fmt_element(b, "boot", a->str, NULL, x, "boot", TRUE);
    }
    if (order)
        domain_extra_format_before(b, x, "", order, cursor, "alias");
    if (info->alias &&
        (!(flags & DOMAIN_FORMAT_INACTIVE) || g_str_has_prefix(info->alias, "ua-"))) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "name", info->alias);
        fmt_element(b, "alias", a->str, NULL, x, "alias", TRUE);
    }
    if (order)
        domain_extra_format_before(b, x, "", order, cursor, "address");
    if (info->addr.type != DOMAIN_ADDR_NONE) {
        g_autoptr(GString) a = g_string_new(NULL);

        domain_address_format(a, &info->addr);
        fmt_element(b, "address", a->str, NULL, x, "address", TRUE);
    }
}

/* ---- top-level parse ------------------------------------------------------------------ */

static gboolean
domain_def_parse_memory(DomainParseCtx *ctx, xmlNode *root, const char *name,
                        guint64 *ret_kib, GError **error)
{
    xmlNode *n = dctx_child(ctx, root, name);
    g_autofree char *unit = NULL;
    g_autofree char *text = NULL;
    guint64 bytes = 0;

    if (!n)
        return TRUE;
    unit = dctx_prop(ctx, n, "unit");
    text = dctx_text(ctx, n);
    if (!units_parse(name, text, unit, 1024, (guint64)G_MAXINT64, &bytes, error))
        return FALSE;
    *ret_kib = (bytes + 1023) / 1024;
    return TRUE;
}

static gboolean
domain_def_parse_vcpu(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *n = dctx_child(ctx, root, "vcpu");
    g_autofree char *text = NULL;
    guint current = 0;
    char *end = NULL;
    guint64 v;

    if (!n)
        return TRUE;
    text = g_strstrip(dctx_text(ctx, n));
    v = g_ascii_strtoull(text, &end, 10);
    if (!*text || *end || text[0] == '-' || v == 0 || v > G_MAXUINT16) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "maximum vcpus count must be an integer from 1 to %u, not '%s' in <vcpu>",
                     (guint)G_MAXUINT16, text);
        return FALSE;
    }
    def->vcpus_max = (guint)v;
    def->vcpus_current = def->vcpus_max;
    if (!dctx_prop_uint(ctx, n, "current", &current, error))
        return FALSE;
    if (current != 0) {
        if (current > def->vcpus_max) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "maxvcpus must not be less than current vcpus (%u < %u)",
                         def->vcpus_max, current);
            return FALSE;
        }
        def->vcpus_current = current;
    }
    if (!dctx_prop_choice(ctx, n, "placement", (const char *const[]){ "static", "auto", NULL },
                          &def->vcpu_placement, "vcpu placement", error))
        return FALSE;
    def->vcpu_cpuset = dctx_prop(ctx, n, "cpuset");
    return TRUE;
}

static gboolean
domain_def_parse_identity(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    g_autofree char *type = dctx_prop(ctx, root, "type");
    g_autofree char *uuid = NULL;
    int virt;
    xmlNode *n;

    if (!type) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                     "missing domain type attribute");
        return FALSE;
    }
    if ((virt = domain_virt_from_string(type)) < 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                     "invalid domain type %s", type);
        return FALSE;
    }
    def->virt_type = virt;
    if (ctx->flags & DOMAIN_PARSE_STATUS) {
        if (!dctx_prop_int(ctx, root, "id", &def->id, error))
            return FALSE;
    } else {
        g_free(dctx_prop(ctx, root, "id"));
    }
    def->name = dctx_child_text(ctx, root, "name");
    if (def->name)
        g_strstrip(def->name);
    if (!def->name || !*def->name) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_NO_NAME, "domain");
        return FALSE;
    }
    /* Names become file names: never a path, never a line break. */
    if (strchr(def->name, '/')) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR, "name %s cannot contain '/'",
                     def->name);
        return FALSE;
    }
    if (strchr(def->name, '\n')) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_DETAIL, "invalid char in name: 0x%02x",
                     '\n');
        return FALSE;
    }
    if ((uuid = dctx_child_text(ctx, root, "uuid"))) {
        if (!mv_uuid_parse(g_strstrip(uuid), def->uuid)) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "malformed uuid element '%s'", uuid);
            return FALSE;
        }
    } else {
        mv_uuid_generate(def->uuid);
    }
    def->title = dctx_child_text(ctx, root, "title");
    if (def->title && strchr(def->title, '\n')) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Domain title can't contain newlines");
        return FALSE;
    }
    def->description = dctx_child_text(ctx, root, "description");
    if ((n = dctx_child(ctx, root, "metadata"))) {
        GString *s = g_string_new(NULL);

        /* kept whole, as raw XML: nothing in it is "unknown" */
        dctx_use_subtree(ctx, n);
        g_hash_table_add(ctx->owned, n);
        for (xmlNode *c = n->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE)
                fmt_raw_node(s, c, TRUE);
        }
        def->metadata = g_string_free(s, FALSE);
    }
    return TRUE;
}

static gboolean
domain_def_parse_xml(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    if (!domain_def_parse_identity(ctx, root, def, error))
        return FALSE;
    if (!domain_def_parse_memory(ctx, root, "memory", &def->max_memory_kib, error) ||
        !domain_def_parse_memory(ctx, root, "currentMemory", &def->cur_memory_kib, error))
        return FALSE;
    if (!domain_def_parse_vcpu(ctx, root, def, error))
        return FALSE;
    if (!domain_os_parse(ctx, root, def, error) ||
        !domain_features_parse(ctx, root, def, error) ||
        !domain_cpu_parse(ctx, root, def, error) ||
        !domain_clock_parse(ctx, root, def, error) ||
        !domain_lifecycle_parse(ctx, root, def, error) ||
        !domain_pm_parse(ctx, root, def, error))
        return FALSE;
    if (!domain_devices_parse(ctx, root, def, error))
        return FALSE;
    return dctx_collect(ctx, root, &def->extra, error);
}

DomainDef *
domain_def_parse_node(xmlNode *root, const DomainXMLOptions *opts, unsigned flags,
                      GError **error)
{
    g_autoptr(DomainDef) def = domain_def_new();
    DomainParseCtx ctx;
    gboolean ok;

    if (!xml_is_element(root, "domain")) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "unexpected root element <%s>, expecting <domain>",
                     root ? (const char *)root->name : "");
        return NULL;
    }
    dctx_init(&ctx, flags, opts);
    ok = domain_def_parse_xml(&ctx, root, def, error) &&
         domain_def_post_parse(def, &ctx, error);
    dctx_clear(&ctx);
    if (!ok)
        return NULL;
    return g_steal_pointer(&def);
}

DomainDef *
domain_def_parse_string(const char *xml, const DomainXMLOptions *opts, unsigned flags,
                        GError **error)
{
    g_autoptr(xmlDoc) doc = xml_parse_string(xml, "domain", "domain", error);

    if (!doc)
        return NULL;
    return domain_def_parse_node(xmlDocGetRootElement(doc), opts, flags, error);
}

/* ---- top-level format -------------------------------------------------------------------- */

static void
domain_def_format_identity(XmlBuf *b, const DomainDef *def, guint *cursor)
{
    char uuid[37];

    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "name");
    fmt_text_element(b, "name", def->name, def->extra, "name");
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "uuid");
    fmt_text_element(b, "uuid", mv_uuid_format(def->uuid, uuid), def->extra, "uuid");
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "title");
    fmt_text_element(b, "title", def->title, def->extra, "title");
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "description");
    fmt_text_element(b, "description", def->description, def->extra, "description");
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "metadata");
    if (def->metadata)
        fmt_element(b, "metadata", NULL, def->metadata, def->extra, "metadata", TRUE);
}

static void
domain_def_format_resources(XmlBuf *b, const DomainDef *def, guint *cursor)
{
    g_autoptr(GString) a = g_string_new(NULL);

    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "memory");
    xml_buf_add(b, "<memory unit='KiB'%s>%" G_GUINT64_FORMAT "</memory>\n",
                domain_extra_attrs(def->extra, "memory"), def->max_memory_kib);
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "currentMemory");
    xml_buf_add(b, "<currentMemory unit='KiB'%s>%" G_GUINT64_FORMAT "</currentMemory>\n",
                domain_extra_attrs(def->extra, "currentMemory"), def->cur_memory_kib);
    domain_extra_format_before(b, def->extra, "", domain_root_order, cursor, "vcpu");
    fmt_attr(a, "placement", def->vcpu_placement ? def->vcpu_placement : "static");
    fmt_attr(a, "cpuset", def->vcpu_cpuset);
    if (def->vcpus_current != def->vcpus_max)
        fmt_attr_printf(a, "current", "%u", def->vcpus_current);
    g_string_append(a, domain_extra_attrs(def->extra, "vcpu"));
    xml_buf_add(b, "<vcpu");
    xml_buf_add_raw(b, a->str);
    xml_buf_add(b, ">%u</vcpu>\n", def->vcpus_max);
}

static void
domain_def_format_internal(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    guint cursor = 0;

    fmt_attr(a, "type", domain_virt_to_string(def->virt_type));
    if (!(flags & DOMAIN_FORMAT_INACTIVE) && def->id >= 0)
        fmt_attr_printf(a, "id", "%d", def->id);
    g_string_append(a, domain_extra_attrs(def->extra, ""));
    xml_buf_add(b, "<domain");
    xml_buf_add_raw(b, a->str);
    xml_buf_add_raw(b, ">\n");
    xml_buf_indent(b, 2);
    domain_def_format_identity(b, def, &cursor);
    domain_def_format_resources(b, def, &cursor);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "os");
    domain_os_format(b, def, flags);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "features");
    domain_features_format(b, def, flags);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "cpu");
    domain_cpu_format(b, def, flags);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "clock");
    domain_clock_format(b, def, flags);
    domain_lifecycle_format(b, def, domain_root_order, &cursor);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "pm");
    domain_pm_format(b, def);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, "devices");
    domain_devices_format(b, def, flags);
    domain_extra_format_before(b, def->extra, "", domain_root_order, &cursor, NULL);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</domain>\n");
}

void
domain_def_format_buf(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    g_autofree char *text = NULL;
    XmlBuf local;

    xml_buf_init(&local);
    local.indent = b->indent;
    if (b->s->len > 0 && b->s->str[b->s->len - 1] != '\n')
        g_string_append_c(b->s, '\n');
    domain_def_format_internal(&local, def, flags);
    text = xml_buf_finish(&local);
    /* multi-line text is appended as is: its lines must not be indented */
    g_strdelimit(text, "\x01", '\n');
    g_string_append(b->s, text);
}

char *
domain_def_format(const DomainDef *def, unsigned flags)
{
    XmlBuf b;

    xml_buf_init(&b);
    domain_def_format_buf(&b, def, flags);
    return xml_buf_finish(&b);
}

/* ---- queries and helpers --------------------------------------------------------------- */

static gboolean
domain_device_list_has_unknown(GPtrArray *list, gsize extra_offset, const char *owner,
                               char **ret_what)
{
    for (guint i = 0; list && i < list->len; i++) {
        const DomainExtra *x = *(DomainExtra **)((char *)g_ptr_array_index(list, i) +
                                                 extra_offset);

        if (!domain_extra_is_empty(x)) {
            if (ret_what)
                *ret_what = domain_extra_describe_first(x, owner);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
domain_def_has_unknown(const DomainDef *def, char **ret_what)
{
    if (!domain_extra_is_empty(def->extra)) {
        if (ret_what)
            *ret_what = domain_extra_describe_first(def->extra, "domain");
        return TRUE;
    }
#define CHECK(list, type, owner) \
    if (domain_device_list_has_unknown(def->list, G_STRUCT_OFFSET(type, extra), owner, \
                                       ret_what)) \
        return TRUE
    CHECK(disks, DomainDiskDef, "disk");
    CHECK(controllers, DomainControllerDef, "controller");
    CHECK(nets, DomainNetDef, "interface");
    CHECK(serials, DomainChrDef, "serial");
    CHECK(consoles, DomainChrDef, "console");
    CHECK(channels, DomainChrDef, "channel");
    CHECK(inputs, DomainInputDef, "input");
    CHECK(graphics, DomainGraphicsDef, "graphics");
    CHECK(audios, DomainAudioDef, "audio");
    CHECK(videos, DomainVideoDef, "video");
    CHECK(rngs, DomainRNGDef, "rng");
#undef CHECK
    if (def->memballoon && !domain_extra_is_empty(def->memballoon->extra)) {
        if (ret_what)
            *ret_what = domain_extra_describe_first(def->memballoon->extra, "memballoon");
        return TRUE;
    }
    return FALSE;
}

guint
domain_def_count_kept_devices(const DomainDef *def, const char *name)
{
    return domain_extra_count(def->extra, "devices", name);
}

char *
domain_def_short_name(const DomainDef *def)
{
    const char *end = def->name;

    /* the first 20 characters (not bytes) of the name, like libvirt */
    for (int n = 0; n < 20 && *end; n++)
        end = g_utf8_next_char(end);
    return g_strdup_printf("%d-%.*s", def->id, (int)(end - def->name), def->name);
}

char *
domain_def_channel_dir(const DomainDef *def, const DomainXMLOptions *opts)
{
    g_autofree char *short_name = NULL;

    g_return_val_if_fail(opts && opts->channel_target_dir, NULL);
    short_name = domain_def_short_name(def);
    return g_strdup_printf("%s/domain-%s", opts->channel_target_dir, short_name);
}

void
domain_def_prepare_channel_paths(DomainDef *def, const char *dir)
{
    for (guint i = 0; i < def->channels->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(def->channels, i);

        if (!chr->target_type || !g_str_equal(chr->target_type, "virtio") ||
            chr->source.type != DOMAIN_CHR_TYPE_UNIX || chr->source.path)
            continue;
        if (chr->target_name)
            chr->source.path = g_strdup_printf("%s/%s", dir, chr->target_name);
        else
            chr->source.path = g_strdup_printf("%s/vioser-%02u-%02u-%02u.sock", dir,
                                               chr->info.addr.controller, chr->info.addr.bus,
                                               chr->info.addr.port);
    }
}

DomainDiskDef *
domain_def_find_disk(const DomainDef *def, const char *dst)
{
    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->dst && g_str_equal(disk->dst, dst))
            return disk;
    }
    return NULL;
}

DomainNetDef *
domain_def_find_net_by_mac(const DomainDef *def, const unsigned char mac[6])
{
    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (memcmp(net->mac, mac, 6) == 0)
            return net;
    }
    return NULL;
}

char *
domain_mac_format(const unsigned char mac[6], char buf[18])
{
    g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
               mac[4], mac[5]);
    return buf;
}

gboolean
domain_mac_parse(const char *str, unsigned char mac[6])
{
    const char *p = str;

    for (int i = 0; i < 6; i++) {
        char *end = NULL;
        guint64 v;

        if (!g_ascii_isxdigit(*p))
            return FALSE;
        v = g_ascii_strtoull(p, &end, 16);
        if (v > 0xff || end - p > 2 || (i < 5 && *end != ':' && *end != '-') ||
            (i == 5 && *end))
            return FALSE;
        mac[i] = (unsigned char)v;
        p = end + (i < 5 ? 1 : 0);
    }
    return TRUE;
}
