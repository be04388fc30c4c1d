/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-net.c: <interface> of type network, bridge, user and ethernet.
 * Other types (direct, vhostuser, hostdev...) are kept verbatim.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_net_type, DOMAIN_NET_TYPE_LAST, "network", "bridge", "user", "ethernet")

static const char *const domain_net_order[] = {
    "mac", "source", "vlan", "virtualport", "bandwidth", "ip", "route", "script",
    "downscript", "backenddomain", "target", "guest", "model", "driver", "backend",
    "filterref", "tune", "teaming", "link", "mtu", "coalesce", "boot", "alias", "rom",
    "address", NULL
};

/* Interface names libvirt (and modvirt) make up at start: not config. */
static const char *const domain_net_runtime_prefixes[] = { "vnet", "macvtap", "macvlan", NULL };

void
domain_net_def_free(DomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->network);
    g_free(net->portgroup);
    g_free(net->portid);
    g_free(net->bridge);
    g_free(net->ifname);
    g_free(net->model);
    g_free(net->driver_name);
    g_free(net->link_state);
    domain_device_info_clear(&net->info);
    domain_extra_free(net->extra);
    g_free(net);
}

static gboolean
domain_net_ifname_is_generated(const DomainNetDef *net)
{
    if (!net->ifname || net->managed_tap == DOMAIN_TRISTATE_NO)
        return FALSE;
    for (guint i = 0; domain_net_runtime_prefixes[i]; i++) {
        if (g_str_has_prefix(net->ifname, domain_net_runtime_prefixes[i]))
            return TRUE;
    }
    return FALSE;
}

/* ---- parse ------------------------------------------------------------------------ */

static gboolean
domain_net_parse_mac(DomainParseCtx *ctx, xmlNode *node, DomainNetDef *net, GError **error)
{
    xmlNode *mac = dctx_child(ctx, node, "mac");
    g_autofree char *addr = mac ? dctx_prop(ctx, mac, "address") : NULL;

    if (!addr) {
        net->mac[0] = 0x52;
        net->mac[1] = 0x54;
        net->mac[2] = 0x00;
        for (int i = 3; i < 6; i++)
            net->mac[i] = (unsigned char)g_random_int_range(0, 256);
        net->mac_generated = TRUE;
        return TRUE;
    }
    if (!domain_mac_parse(addr, net->mac)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_MAC,
                     "unable to parse mac address '%s'", addr);
        return FALSE;
    }
    if (net->mac[0] & 1) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "expected unicast mac address, found multicast '%s'", addr);
        return FALSE;
    }
    return TRUE;
}

static gboolean
domain_net_parse_source(DomainParseCtx *ctx, xmlNode *node, DomainNetDef *net, GError **error)
{
    xmlNode *src = NULL;
    gboolean live = (ctx->flags & DOMAIN_PARSE_STATUS) != 0;

    /* the <source> of user (dev=) and ethernet (address) interfaces stays extra */
    if (net->type == DOMAIN_NET_TYPE_NETWORK || net->type == DOMAIN_NET_TYPE_BRIDGE)
        src = dctx_child(ctx, node, "source");

    switch (net->type) {
    case DOMAIN_NET_TYPE_NETWORK:
        net->network = src ? dctx_prop(ctx, src, "network") : NULL;
        if (!net->network) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "No <source> 'network' attribute specified with <interface type='network'/>");
            return FALSE;
        }
        net->portgroup = dctx_prop(ctx, src, "portgroup");
        {
            g_autofree char *portid = dctx_prop(ctx, src, "portid");
            g_autofree char *bridge = dctx_prop(ctx, src, "bridge");

            if (live) {
                net->portid = g_steal_pointer(&portid);
                net->bridge = g_steal_pointer(&bridge);
            }
        }
        break;
    case DOMAIN_NET_TYPE_BRIDGE:
        net->bridge = src ? dctx_prop(ctx, src, "bridge") : NULL;
        if (!net->bridge) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "No <source> 'bridge' attribute specified with <interface type='bridge'/>");
            return FALSE;
        }
        break;
    case DOMAIN_NET_TYPE_USER:
    case DOMAIN_NET_TYPE_ETHERNET:
    case DOMAIN_NET_TYPE_LAST:
    default:
        break;
    }
    return TRUE;
}

static gboolean
domain_net_parse_target(DomainParseCtx *ctx, xmlNode *node, DomainNetDef *net, GError **error)
{
    xmlNode *target = dctx_child(ctx, node, "target");
    g_autofree char *dev = NULL;

    if (!target)
        return TRUE;
    dev = dctx_prop(ctx, target, "dev");
    if (!dctx_prop_tristate(ctx, target, "managed", FALSE, &net->managed_tap, error))
        return FALSE;
    net->ifname = g_steal_pointer(&dev);
    /* a generated name is runtime state, unless the user manages the tap */
    if (!(ctx->flags & DOMAIN_PARSE_STATUS) && domain_net_ifname_is_generated(net))
        g_clear_pointer(&net->ifname, g_free);
    return TRUE;
}

static gboolean
domain_net_parse_model_driver(DomainParseCtx *ctx, xmlNode *node, DomainNetDef *net,
                              GError **error)
{
    xmlNode *n;

    if ((n = dctx_child(ctx, node, "model"))) {
        net->model = dctx_prop(ctx, n, "type");
        if (net->model && !g_regex_match_simple("^[a-zA-Z0-9_-]+$", net->model, 0, 0)) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                         "Model name contains invalid characters");
            return FALSE;
        }
    }
    if ((n = dctx_child(ctx, node, "driver"))) {
        net->driver_name = dctx_prop(ctx, n, "name");
        if (!dctx_prop_uint(ctx, n, "queues", &net->driver_queues, error))
            return FALSE;
    }
    if ((n = dctx_child(ctx, node, "link"))) {
        if (!dctx_prop_choice(ctx, n, "state", (const char *const[]){ "up", "down", NULL },
                              &net->link_state, "interface link state", error))
            return FALSE;
    }
    if ((n = dctx_child(ctx, node, "mtu"))) {
        if (!dctx_prop_uint(ctx, n, "size", &net->mtu, error))
            return FALSE;
        if (net->mtu == 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "Invalid value for attribute 'size' in element 'mtu': '0'");
            return FALSE;
        }
    }
    return TRUE;
}

DomainNetDef *
domain_net_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                     GError **error)
{
    static const char *const known[] = {
        "vhostuser", "server", "client", "mcast", "internal", "direct", "hostdev", "udp",
        "vdpa", "null", "vds", NULL
    };
    g_autoptr(DomainNetDef) net = g_new0(DomainNetDef, 1);
    g_autofree char *type = xml_get_prop(node, "type");
    int t;

    if (!type) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute 'type' in element 'interface'");
        return NULL;
    }
    if ((t = domain_net_type_from_string(type)) < 0) {
        if (g_strv_contains(known, type)) {
            *ret_unsupported = TRUE;
            return NULL;
        }
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown interface type '%s'", type);
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "type"));
    net->type = t;
    if (!domain_net_parse_mac(ctx, node, net, error) ||
        !domain_net_parse_source(ctx, node, net, error) ||
        !domain_net_parse_target(ctx, node, net, error) ||
        !domain_net_parse_model_driver(ctx, node, net, error) ||
        !domain_device_info_parse(ctx, node, &net->info, TRUE, error) ||
        !dctx_collect(ctx, node, &net->extra, error))
        return NULL;
    return g_steal_pointer(&net);
}

/* ---- format ----------------------------------------------------------------------------- */

static void
domain_net_format_source(XmlBuf *b, const DomainNetDef *net, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    gboolean live = !(flags & DOMAIN_FORMAT_INACTIVE);

    switch (net->type) {
    case DOMAIN_NET_TYPE_NETWORK:
        fmt_attr(a, "network", net->network);
        fmt_attr(a, "portgroup", net->portgroup);
        if (live) {
            fmt_attr(a, "portid", net->portid);
            fmt_attr(a, "bridge", net->bridge);
        }
        break;
    case DOMAIN_NET_TYPE_BRIDGE:
        fmt_attr(a, "bridge", net->bridge);
        break;
    case DOMAIN_NET_TYPE_USER:
    case DOMAIN_NET_TYPE_ETHERNET:
    case DOMAIN_NET_TYPE_LAST:
    default:
        /* their <source>, if any, is in the extras */
        return;
    }
    fmt_element(b, "source", a->str, NULL, net->extra, "source", TRUE);
}

static void
domain_net_format_tail(XmlBuf *b, const DomainNetDef *net, guint *cursor)
{
    const DomainExtra *x = net->extra;

    domain_extra_format_before(b, x, "", domain_net_order, cursor, "model");
    if (net->model || domain_extra_has(x, "model")) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "type", net->model);
        fmt_element(b, "model", a->str, NULL, x, "model", TRUE);
    }
    domain_extra_format_before(b, x, "", domain_net_order, cursor, "driver");
    {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "name", net->driver_name);
        if (net->driver_queues > 0)
            fmt_attr_printf(a, "queues", "%u", net->driver_queues);
        fmt_element(b, "driver", a->str, NULL, x, "driver", FALSE);
    }
    domain_extra_format_before(b, x, "", domain_net_order, cursor, "link");
    if (net->link_state) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "state", net->link_state);
        fmt_element(b, "link", a->str, NULL, x, "link", TRUE);
    }
    domain_extra_format_before(b, x, "", domain_net_order, cursor, "mtu");
    if (net->mtu > 0) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr_printf(a, "size", "%u", net->mtu);
        fmt_element(b, "mtu", a->str, NULL, x, "mtu", TRUE);
    }
}

static void
domain_net_format_children(XmlBuf *b, const DomainNetDef *net, unsigned flags)
{
    const DomainExtra *x = net->extra;
    g_autoptr(GString) ma = g_string_new(NULL);
    const char *ifname = net->ifname;
    char mac[18];
    guint cursor = 0;

    if ((flags & DOMAIN_FORMAT_INACTIVE) && domain_net_ifname_is_generated(net))
        ifname = NULL;
    domain_extra_format_before(b, x, "", domain_net_order, &cursor, "mac");
    fmt_attr(ma, "address", domain_mac_format(net->mac, mac));
    fmt_element(b, "mac", ma->str, NULL, x, "mac", TRUE);
    domain_extra_format_before(b, x, "", domain_net_order, &cursor, "source");
    domain_net_format_source(b, net, flags);
    domain_extra_format_before(b, x, "", domain_net_order, &cursor, "target");
    if (ifname || net->managed_tap != DOMAIN_TRISTATE_ABSENT || domain_extra_has(x, "target")) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "dev", ifname);
        if (net->managed_tap != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(a, "managed", domain_tristate_to_string(net->managed_tap));
        fmt_element(b, "target", a->str, NULL, x, "target", TRUE);
    }
    domain_net_format_tail(b, net, &cursor);
    domain_device_info_format(b, &net->info, x, domain_net_order, &cursor, flags);
    domain_extra_format_before(b, x, "", domain_net_order, &cursor, NULL);
}

void
domain_net_def_format(XmlBuf *b, const DomainNetDef *net, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    fmt_attr(a, "type", domain_net_type_to_string(net->type));
    g_string_append(a, domain_extra_attrs(net->extra, ""));
    xml_buf_init(&child);
    domain_net_format_children(&child, net, flags);
    text = xml_buf_finish(&child);
    fmt_element(b, "interface", a->str, text, NULL, NULL, TRUE);
}
