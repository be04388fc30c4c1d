/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-chr.c: <serial>, <console> and <channel>, and the chardev
 * source shared with the rng egd backend.
 *
 * Modelled source types: null, vc, pty, dev, file, pipe, stdio, tcp, unix
 * (with <reconnect>).  Others (udp, spicevmc, spiceport, qemu-vdagent...)
 * keep the whole device verbatim.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_chr_device, DOMAIN_CHR_DEVICE_LAST, "serial", "console", "channel")
MV_ENUM_IMPL(domain_chr_type, DOMAIN_CHR_TYPE_LAST,
             "null", "vc", "pty", "dev", "file", "pipe", "stdio", "tcp", "unix")
MV_ENUM_IMPL(domain_chr_mode, DOMAIN_CHR_MODE_LAST, "connect", "bind")

static const char *const domain_chr_order[] = {
    "source", "protocol", "log", "target", "alias", "address", NULL
};

static const char *const domain_chr_unsupported[] = {
    "udp", "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus", NULL
};

void
domain_chr_source_def_clear(DomainChrSourceDef *src)
{
    g_clear_pointer(&src->path, g_free);
    g_clear_pointer(&src->host, g_free);
    g_clear_pointer(&src->service, g_free);
    g_clear_pointer(&src->protocol, g_free);
}

void
domain_chr_source_copy(DomainChrSourceDef *dst, const DomainChrSourceDef *src)
{
    *dst = *src;
    dst->path = g_strdup(src->path);
    dst->host = g_strdup(src->host);
    dst->service = g_strdup(src->service);
    dst->protocol = g_strdup(src->protocol);
}

void
domain_chr_def_free(DomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->target_type);
    g_free(chr->target_model);
    g_free(chr->target_name);
    g_free(chr->target_address);
    g_free(chr->target_state);
    domain_chr_source_def_clear(&chr->source);
    domain_device_info_clear(&chr->info);
    domain_extra_free(chr->extra);
    g_free(chr);
}

/* ---- source ------------------------------------------------------------------------- */

static gboolean
domain_chr_source_parse_reconnect(DomainParseCtx *ctx, xmlNode *src, DomainChrSourceDef *def,
                                  GError **error)
{
    xmlNode *rc = dctx_child(ctx, src, "reconnect");
    g_autofree char *timeout = NULL;
    char *end = NULL;
    guint64 v;

    if (!rc)
        return TRUE;
    if (!dctx_prop_tristate(ctx, rc, "enabled", FALSE, &def->reconnect.enabled, error))
        return FALSE;
    timeout = dctx_prop(ctx, rc, "timeout");
    if (def->reconnect.enabled != DOMAIN_TRISTATE_YES)
        return TRUE;
    if (!timeout) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute 'timeout' in element 'reconnect'");
        return FALSE;
    }
    v = g_ascii_strtoull(timeout, &end, 10);
    if (!*timeout || *end || timeout[0] == '-' || v > G_MAXUINT) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Invalid value for attribute 'timeout' in element 'reconnect': '%s'. Expected non-negative integer value",
                     timeout);
        return FALSE;
    }
    def->reconnect.timeout = (guint)v;
    return TRUE;
}

static gboolean
domain_chr_source_parse_mode(DomainParseCtx *ctx, xmlNode *src, DomainChrSourceDef *def,
                             GError **error)
{
    int mode = DOMAIN_CHR_MODE_CONNECT;
    g_autofree char *m = xml_get_prop(src, "mode");

    if (!dctx_prop_enum(ctx, src, "mode", domain_chr_mode_from_string, &mode,
                        "source mode", error))
        return FALSE;
    /* NB: a second <source> only refines the first (libvirt reads the first mode) */
    if (m && !def->mode_set) {
        def->mode = mode;
        def->mode_set = TRUE;
    }
    return TRUE;
}

/* @node is the device (or rng <backend>); its <source>/<protocol> are read. */
gboolean
domain_chr_source_parse(DomainParseCtx *ctx, xmlNode *node, DomainChrSourceDef *def,
                        GError **error)
{
    gboolean live = (ctx->flags & DOMAIN_PARSE_STATUS) != 0;
    xmlNode *src = dctx_child(ctx, node, "source");
    xmlNode *proto;

    if (src) {
        g_autofree char *path = dctx_prop(ctx, src, "path");

        switch (def->type) {
        case DOMAIN_CHR_TYPE_PTY:
            if (live)
                def->path = g_steal_pointer(&path);
            break;
        case DOMAIN_CHR_TYPE_DEV:
        case DOMAIN_CHR_TYPE_FILE:
        case DOMAIN_CHR_TYPE_PIPE:
        case DOMAIN_CHR_TYPE_UNIX:
            def->path = g_steal_pointer(&path);
            if (def->type == DOMAIN_CHR_TYPE_FILE &&
                !dctx_prop_tristate(ctx, src, "append", TRUE, &def->append, error))
                return FALSE;
            if (def->type == DOMAIN_CHR_TYPE_UNIX &&
                (!domain_chr_source_parse_mode(ctx, src, def, error) ||
                 !domain_chr_source_parse_reconnect(ctx, src, def, error)))
                return FALSE;
            break;
        case DOMAIN_CHR_TYPE_TCP:
            def->host = dctx_prop(ctx, src, "host");
            def->service = dctx_prop(ctx, src, "service");
            if (!domain_chr_source_parse_mode(ctx, src, def, error) ||
                !domain_chr_source_parse_reconnect(ctx, src, def, error))
                return FALSE;
            break;
        case DOMAIN_CHR_TYPE_NULL:
        case DOMAIN_CHR_TYPE_VC:
        case DOMAIN_CHR_TYPE_STDIO:
        case DOMAIN_CHR_TYPE_LAST:
        default:
            /* nothing to read: the attributes of a stray <source> stay extra */
            if (path)
                g_hash_table_remove(ctx->used, xmlHasNsProp(src, (const xmlChar *)"path", NULL));
            break;
        }
    }
    if (def->type == DOMAIN_CHR_TYPE_TCP && (proto = dctx_child(ctx, node, "protocol"))) {
        if (!dctx_prop_choice(ctx, proto, "type",
                              (const char *const[]){ "raw", "telnet", "telnets", "tls", NULL },
                              &def->protocol, "chardev protocol", error))
            return FALSE;
    }
    return TRUE;
}

void
domain_chr_source_format(XmlBuf *b, const DomainChrSourceDef *src, const DomainExtra *x,
                         const char *path, unsigned flags)
{
    g_autofree char *spath = domain_extra_path(path, "source", 0);
    g_autofree char *ppath = domain_extra_path(path, "protocol", 0);
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    xml_buf_init(&child);
    switch (src->type) {
    case DOMAIN_CHR_TYPE_PTY:
        if (!(flags & DOMAIN_FORMAT_INACTIVE))
            fmt_attr(a, "path", src->path);
        break;
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_FILE:
    case DOMAIN_CHR_TYPE_PIPE:
        fmt_attr(a, "path", src->path);
        if (src->append != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(a, "append", domain_tristate_switch_to_string(src->append));
        break;
    case DOMAIN_CHR_TYPE_UNIX:
        /* a path modvirt picks at start listens: the status format (and so
         * domain_def_copy()) keeps that, as libvirt's inactive XML does not */
        if (src->path || domain_extra_has(x, spath) ||
            ((flags & DOMAIN_FORMAT_STATUS) && src->mode_set)) {
            fmt_attr(a, "mode", domain_chr_mode_to_string(src->mode));
            fmt_attr(a, "path", src->path);
        }
        break;
    case DOMAIN_CHR_TYPE_TCP:
        fmt_attr(a, "mode", domain_chr_mode_to_string(src->mode));
        fmt_attr(a, "host", src->host);
        fmt_attr(a, "service", src->service);
        break;
    case DOMAIN_CHR_TYPE_NULL:
    case DOMAIN_CHR_TYPE_VC:
    case DOMAIN_CHR_TYPE_STDIO:
    case DOMAIN_CHR_TYPE_LAST:
    default:
        break;
    }
    if ((src->type == DOMAIN_CHR_TYPE_TCP || src->type == DOMAIN_CHR_TYPE_UNIX) &&
        src->reconnect.enabled != DOMAIN_TRISTATE_ABSENT && a->len > 0) {
        g_autoptr(GString) ra = g_string_new(NULL);
        g_autofree char *rpath = domain_extra_path(spath, "reconnect", 0);

        fmt_attr(ra, "enabled", domain_tristate_to_string(src->reconnect.enabled));
        if (src->reconnect.enabled == DOMAIN_TRISTATE_YES)
            fmt_attr_printf(ra, "timeout", "%u", src->reconnect.timeout);
        fmt_element(&child, "reconnect", ra->str, NULL, x, rpath, TRUE);
    }
    text = xml_buf_finish(&child);
    fmt_element(b, "source", a->str, text, x, spath, FALSE);
    if (src->type == DOMAIN_CHR_TYPE_TCP) {
        g_autoptr(GString) pa = g_string_new(NULL);

        fmt_attr(pa, "type", src->protocol ? src->protocol : "raw");
        fmt_element(b, "protocol", pa->str, NULL, x, ppath, TRUE);
    }
}

/* ---- target --------------------------------------------------------------------------- */

static gboolean
domain_chr_parse_target(DomainParseCtx *ctx, xmlNode *node, DomainChrDef *chr, GError **error)
{
    static const char *const serial_types[] = {
        "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial", "system-serial",
        "sclp-serial", "isa-debug", NULL
    };
    static const char *const console_types[] = {
        "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm", NULL
    };
    static const char *const channel_types[] = { "guestfwd", "virtio", "xen", NULL };
    const char *const *types[] = { serial_types, console_types, channel_types };
    xmlNode *target = dctx_child(ctx, node, "target");
    xmlNode *model;

    chr->target_port = -1;
    if (!target) {
        if (chr->device_type == DOMAIN_CHR_DEVICE_CHANNEL) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "missing target element for channel device");
            return FALSE;
        }
        return TRUE;
    }
    if (!dctx_prop_choice(ctx, target, "type", types[chr->device_type], &chr->target_type,
                          "target type", error) ||
        !dctx_prop_int(ctx, target, "port", &chr->target_port, error))
        return FALSE;
    if (chr->device_type == DOMAIN_CHR_DEVICE_CHANNEL) {
        g_autofree char *state = NULL;

        if (!chr->target_type) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "target type must be specified for channel device");
            return FALSE;
        }
        chr->target_name = dctx_prop(ctx, target, "name");
        chr->target_address = dctx_prop(ctx, target, "address");
        state = dctx_prop(ctx, target, "state");
        if (ctx->flags & DOMAIN_PARSE_STATUS)
            chr->target_state = g_steal_pointer(&state);
    }
    if (chr->device_type == DOMAIN_CHR_DEVICE_SERIAL && (model = dctx_child(ctx, target, "model")))
        chr->target_model = dctx_prop(ctx, model, "name");
    return TRUE;
}

static void
domain_chr_format_target(XmlBuf *b, const DomainChrDef *chr, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    fmt_attr(a, "type", chr->target_type);
    switch (chr->device_type) {
    case DOMAIN_CHR_DEVICE_CHANNEL:
        fmt_attr(a, "name", chr->target_name);
        fmt_attr(a, "address", chr->target_address);
        if (chr->target_port >= 0)
            fmt_attr_printf(a, "port", "%d", chr->target_port);
        if (!(flags & DOMAIN_FORMAT_INACTIVE))
            fmt_attr(a, "state", chr->target_state);
        break;
    case DOMAIN_CHR_DEVICE_SERIAL:
    case DOMAIN_CHR_DEVICE_CONSOLE:
    case DOMAIN_CHR_DEVICE_LAST:
    default:
        if (chr->target_port >= 0)
            fmt_attr_printf(a, "port", "%d", chr->target_port);
        break;
    }
    xml_buf_init(&child);
    if (chr->target_model) {
        g_autoptr(GString) ma = g_string_new(NULL);

        fmt_attr(ma, "name", chr->target_model);
        fmt_element(&child, "model", ma->str, NULL, chr->extra, "target/model", TRUE);
    }
    text = xml_buf_finish(&child);
    fmt_element(b, "target", a->str, text, chr->extra, "target", TRUE);
}

/* ---- device ------------------------------------------------------------------------------ */

DomainChrDef *
domain_chr_def_parse(DomainParseCtx *ctx, xmlNode *node, DomainChrDeviceType devtype,
                     gboolean *ret_unsupported, GError **error)
{
    g_autoptr(DomainChrDef) chr = g_new0(DomainChrDef, 1);
    g_autofree char *type = xml_get_prop(node, "type");
    g_autofree char *tty = NULL;
    int t = DOMAIN_CHR_TYPE_PTY;

    if (type && (t = domain_chr_type_from_string(type)) < 0) {
        if (g_strv_contains(domain_chr_unsupported, type)) {
            *ret_unsupported = TRUE;
            return NULL;
        }
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown type presented to host for character device: %s", type);
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "type"));
    tty = dctx_prop(ctx, node, "tty");  /* runtime copy of the pty path */
    chr->device_type = devtype;
    chr->source.type = t;
    if (!domain_chr_parse_target(ctx, node, chr, error) ||
        !domain_chr_source_parse(ctx, node, &chr->source, error) ||
        !domain_device_info_parse(ctx, node, &chr->info, FALSE, error) ||
        !dctx_collect(ctx, node, &chr->extra, error))
        return NULL;
    return g_steal_pointer(&chr);
}

void
domain_chr_def_format(XmlBuf *b, const DomainChrDef *chr, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;
    guint cursor = 0;

    fmt_attr(a, "type", domain_chr_type_to_string(chr->source.type));
    if (chr->device_type == DOMAIN_CHR_DEVICE_CONSOLE &&
        chr->source.type == DOMAIN_CHR_TYPE_PTY && !(flags & DOMAIN_FORMAT_INACTIVE))
        fmt_attr(a, "tty", chr->source.path);
    g_string_append(a, domain_extra_attrs(chr->extra, ""));
    xml_buf_init(&child);
    domain_extra_format_before(&child, chr->extra, "", domain_chr_order, &cursor, "source");
    domain_chr_source_format(&child, &chr->source, chr->extra, "", flags);
    domain_extra_format_before(&child, chr->extra, "", domain_chr_order, &cursor, "target");
    domain_chr_format_target(&child, chr, flags);
    domain_device_info_format(&child, &chr->info, chr->extra, domain_chr_order, &cursor, flags);
    domain_extra_format_before(&child, chr->extra, "", domain_chr_order, &cursor, NULL);
    text = xml_buf_finish(&child);
    fmt_element(b, domain_chr_device_to_string(chr->device_type), a->str, text, NULL, NULL,
                TRUE);
}
