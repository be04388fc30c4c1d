/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-devices.c: the <devices> element: dispatch to the device
 * classes, libvirt's insertion order for disks, controllers and videos, and
 * the canonical output order (unknown devices are written at their place in
 * libvirt's order).
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

/* libvirt's order of the children of <devices>. */
static const char *const domain_devices_order[] = {
    "emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard",
    "serial", "parallel", "console", "channel", "input", "tpm", "graphics", "sound", "audio",
    "video", "hostdev", "redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng",
    "nvram", "panic", "shmem", "memory", "iommu", "vsock", "crypto", NULL
};

/* ---- insertion ------------------------------------------------------------------ */

/* Disks of a bus stay together, sorted by target name (libvirt's rule; the
 * bus is the one written, before defaults are filled in). */
static void
domain_devices_insert_disk(DomainDef *def, DomainDiskDef *disk)
{
    int insert_at = -1;
    int idx = domain_disk_name_index(disk->dst);

    for (int i = (int)def->disks->len - 1; i >= 0; i--) {
        DomainDiskDef *cur = g_ptr_array_index(def->disks, i);

        if (cur->bus != disk->bus)
            continue;
        if (domain_disk_name_index(cur->dst) > idx)
            insert_at = i;
        else if (insert_at == -1)
            insert_at = i + 1;
    }
    if (insert_at < 0)
        g_ptr_array_add(def->disks, disk);
    else
        g_ptr_array_insert(def->disks, insert_at, disk);
}

void
domain_devices_insert_controller(DomainDef *def, DomainControllerDef *ctrl)
{
    int insert_at = -1;

    for (int i = (int)def->controllers->len - 1; i >= 0; i--) {
        DomainControllerDef *cur = g_ptr_array_index(def->controllers, i);

        if (cur->type != ctrl->type)
            continue;
        if (ctrl->index == -1) {
            insert_at = i + 1;
            break;
        }
        if (cur->index > ctrl->index)
            insert_at = i;
        else if (ctrl->master_startport < 0 && cur->master_startport >= 0 &&
                 cur->index == ctrl->index)
            insert_at = i;
        else if (insert_at == -1)
            insert_at = i + 1;
    }
    if (insert_at < 0)
        g_ptr_array_add(def->controllers, ctrl);
    else
        g_ptr_array_insert(def->controllers, insert_at, ctrl);
}

/* ---- parse ---------------------------------------------------------------------- */

typedef gpointer (*DomainDeviceParseFunc)(DomainParseCtx *ctx, xmlNode *node,
                                          gboolean *ret_unsupported, GError **error);

static gpointer
domain_devices_parse_serial(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                            GError **error)
{
    return domain_chr_def_parse(ctx, node, DOMAIN_CHR_DEVICE_SERIAL, ret_unsupported, error);
}

static gpointer
domain_devices_parse_console(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                             GError **error)
{
    return domain_chr_def_parse(ctx, node, DOMAIN_CHR_DEVICE_CONSOLE, ret_unsupported, error);
}

static gpointer
domain_devices_parse_channel(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                             GError **error)
{
    return domain_chr_def_parse(ctx, node, DOMAIN_CHR_DEVICE_CHANNEL, ret_unsupported, error);
}

static gboolean
domain_devices_add(DomainDef *def, const char *name, gpointer dev, gboolean status,
                   GError **error)
{
    if (g_str_equal(name, "disk")) {
        /* status XML is our own output: keep it exactly as written */
        if (status)
            g_ptr_array_add(def->disks, dev);
        else
            domain_devices_insert_disk(def, dev);
    } else if (g_str_equal(name, "controller")) {
        if (status)
            g_ptr_array_add(def->controllers, dev);
        else
            domain_devices_insert_controller(def, dev);
    } else if (g_str_equal(name, "interface")) {
        g_ptr_array_add(def->nets, dev);
    } else if (g_str_equal(name, "serial")) {
        g_ptr_array_add(def->serials, dev);
    } else if (g_str_equal(name, "console")) {
        g_ptr_array_add(def->consoles, dev);
    } else if (g_str_equal(name, "channel")) {
        g_ptr_array_add(def->channels, dev);
    } else if (g_str_equal(name, "input")) {
        g_ptr_array_add(def->inputs, dev);
    } else if (g_str_equal(name, "graphics")) {
        g_ptr_array_add(def->graphics, dev);
    } else if (g_str_equal(name, "audio")) {
        g_ptr_array_add(def->audios, dev);
    } else if (g_str_equal(name, "video")) {
        DomainVideoDef *video = dev;

        if (video->primary == DOMAIN_TRISTATE_YES) {
            DomainVideoDef *first = def->videos->len ? g_ptr_array_index(def->videos, 0) : NULL;

            if (first && first->primary == DOMAIN_TRISTATE_YES) {
                domain_video_def_free(video);
                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                             "Only one primary video device is supported");
                return FALSE;
            }
            g_ptr_array_insert(def->videos, 0, video);
        } else {
            g_ptr_array_add(def->videos, video);
        }
    } else if (g_str_equal(name, "memballoon")) {
        if (def->memballoon) {
            domain_memballoon_def_free(dev);
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "only a single memory balloon device is supported");
            return FALSE;
        }
        def->memballoon = dev;
    } else if (g_str_equal(name, "rng")) {
        g_ptr_array_add(def->rngs, dev);
    }
    return TRUE;
}

static DomainDeviceParseFunc
domain_devices_parser(const char *name)
{
    static const struct {
        const char *name;
        DomainDeviceParseFunc parse;
    } table[] = {
        { "disk", (DomainDeviceParseFunc)domain_disk_def_parse },
        { "controller", (DomainDeviceParseFunc)domain_controller_def_parse },
        { "interface", (DomainDeviceParseFunc)domain_net_def_parse },
        { "serial", domain_devices_parse_serial },
        { "console", domain_devices_parse_console },
        { "channel", domain_devices_parse_channel },
        { "input", (DomainDeviceParseFunc)domain_input_def_parse },
        { "graphics", (DomainDeviceParseFunc)domain_graphics_def_parse },
        { "audio", (DomainDeviceParseFunc)domain_audio_def_parse },
        { "video", (DomainDeviceParseFunc)domain_video_def_parse },
        { "memballoon", (DomainDeviceParseFunc)domain_memballoon_def_parse },
        { "rng", (DomainDeviceParseFunc)domain_rng_def_parse },
    };

    for (guint i = 0; i < G_N_ELEMENTS(table); i++) {
        if (g_str_equal(table[i].name, name))
            return table[i].parse;
    }
    return NULL;
}

gboolean
domain_devices_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *devices = dctx_child(ctx, root, "devices");

    if (!devices)
        return TRUE;
    def->emulator = dctx_child_text(ctx, devices, "emulator");
    for (xmlNode *c = devices->children; c; c = c->next) {
        DomainDeviceParseFunc parse;
        gboolean unsupported = FALSE;
        gpointer dev;

        if (c->type != XML_ELEMENT_NODE || !(parse = domain_devices_parser((const char *)c->name)))
            continue;
        dev = parse(ctx, c, &unsupported, error);
        if (!dev && !unsupported)
            return FALSE;
        if (!dev) {
            /* kept verbatim by the domain's DomainExtra */
            if (ctx->flags & DOMAIN_PARSE_VALIDATE) {
                g_autofree char *type = xml_get_prop(c, "type");

                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_INVALID_SCHEMA,
                             "unsupported %s type '%s'", (const char *)c->name,
                             type ? type : "");
                return FALSE;
            }
            continue;
        }
        dctx_use(ctx, c);
        if (!domain_devices_add(def, (const char *)c->name, dev,
                                (ctx->flags & DOMAIN_PARSE_STATUS) != 0, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- format ----------------------------------------------------------------------- */

/*
 * The consoles as written: one that stands for serial @n is written as that
 * serial (libvirt's compatibility rule for HVM guests).  Shallow copies,
 * free the array only.
 */
static GPtrArray *
domain_devices_effective_consoles(const DomainDef *def)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < def->consoles->len; i++) {
        const DomainChrDef *con = g_ptr_array_index(def->consoles, i);
        DomainChrDef *copy = g_new0(DomainChrDef, 1);

        if (con->target_type && g_str_equal(con->target_type, "serial") &&
            i < def->serials->len) {
            *copy = *(const DomainChrDef *)g_ptr_array_index(def->serials, i);
            copy->device_type = DOMAIN_CHR_DEVICE_CONSOLE;
            copy->target_type = (char *)"serial";
            copy->target_model = NULL;
            copy->extra = con->extra;
        } else {
            *copy = *con;
        }
        g_ptr_array_add(list, copy);
    }
    return list;
}

typedef void (*DomainDeviceFormatFunc)(XmlBuf *, gconstpointer, unsigned);

/* The devices of a class, with those of that class kept verbatim at their
 * place among them; moves @cursor past the class. */
static void
domain_devices_format_list(XmlBuf *b, const DomainDef *def, const char *name, GPtrArray *list,
                           void (*format)(XmlBuf *, gconstpointer, unsigned), unsigned flags,
                           guint *cursor)
{
    domain_extra_format_before(b, def->extra, "devices", domain_devices_order, cursor, name);
    for (guint i = 0; list && i < list->len; i++) {
        domain_extra_format_class(b, def->extra, "devices", name, i, FALSE);
        format(b, g_ptr_array_index(list, i), flags);
    }
    domain_extra_format_class(b, def->extra, "devices", name, list ? list->len : 0, TRUE);
    for (guint i = 0; domain_devices_order[i]; i++) {
        if (g_str_equal(domain_devices_order[i], name))
            *cursor = i + 1;
    }
}

void
domain_devices_format(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    const DomainExtra *x = def->extra;
    g_autoptr(GPtrArray) consoles = domain_devices_effective_consoles(def);
    guint cursor = 0;

#define BEFORE(name) \
    domain_extra_format_before(b, x, "devices", domain_devices_order, &cursor, name)
#define LIST(name, list, fn) \
    domain_devices_format_list(b, def, name, def->list, (DomainDeviceFormatFunc)fn, flags, \
                               &cursor)

    xml_buf_add(b, "<devices");
    xml_buf_add_raw(b, domain_extra_attrs(x, "devices"));
    xml_buf_add_raw(b, ">\n");
    xml_buf_indent(b, 2);
    BEFORE("emulator");
    fmt_text_element(b, "emulator", def->emulator, x, "devices/emulator");
    LIST("disk", disks, domain_disk_def_format);
    LIST("controller", controllers, domain_controller_def_format);
    LIST("interface", nets, domain_net_def_format);
    LIST("serial", serials, domain_chr_def_format);
    domain_devices_format_list(b, def, "console", consoles,
                               (DomainDeviceFormatFunc)domain_chr_def_format, flags, &cursor);
    LIST("channel", channels, domain_chr_def_format);
    LIST("input", inputs, domain_input_def_format);
    LIST("graphics", graphics, domain_graphics_def_format);
    LIST("audio", audios, domain_audio_def_format);
    LIST("video", videos, domain_video_def_format);
    BEFORE("memballoon");
    if (def->memballoon)
        domain_memballoon_def_format(b, def->memballoon, flags);
    BEFORE("rng");
    LIST("rng", rngs, domain_rng_def_format);
    BEFORE(NULL);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</devices>\n");
#undef LIST
#undef BEFORE
}
