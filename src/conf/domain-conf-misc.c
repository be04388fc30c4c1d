/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-misc.c: <controller>, <input>, <graphics type='vnc'>,
 * <audio type='none'>, <video>, <memballoon> and <rng>.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_controller, DOMAIN_CONTROLLER_LAST,
             "ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus",
             "isa")
MV_ENUM_IMPL(domain_input, DOMAIN_INPUT_LAST, "mouse", "tablet", "keyboard", "passthrough",
             "evdev")
MV_ENUM_IMPL(domain_input_bus, DOMAIN_INPUT_BUS_LAST,
             "default", "ps2", "usb", "xen", "parallels", "virtio", "none")
MV_ENUM_IMPL(domain_graphics_listen, DOMAIN_GRAPHICS_LISTEN_LAST,
             "address", "network", "socket", "none")
MV_ENUM_IMPL(domain_rng_backend, DOMAIN_RNG_BACKEND_LAST, "random", "egd", "builtin")

static const char *const domain_controller_scsi_models[] = {
    "auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi", "virtio-scsi",
    "lsisas1078", "virtio-transitional", "virtio-non-transitional", "ncr53c90", "am53c974",
    "dc390", NULL
};
static const char *const domain_controller_usb_models[] = {
    "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3",
    "vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1", "qusb2", "qemu-xhci", "none", NULL
};
static const char *const domain_controller_pci_models[] = {
    "pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge", "pcie-root-port",
    "pcie-switch-upstream-port", "pcie-switch-downstream-port", "pci-expander-bus",
    "pcie-expander-bus", "pcie-to-pci-bridge", NULL
};
static const char *const domain_controller_vser_models[] = {
    "virtio", "virtio-transitional", "virtio-non-transitional", NULL
};
static const char *const domain_controller_ide_models[] = { "piix3", "piix4", "ich6", NULL };

static const char *const domain_video_order[] = { "driver", "model", "alias", "address", NULL };

static const char *const domain_video_models[] = {
    "default", "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio", "gop",
    "none", "bochs", "ramfb", NULL
};

/* ---- free --------------------------------------------------------------------------- */

void
domain_controller_def_free(DomainControllerDef *ctrl)
{
    if (!ctrl)
        return;
    g_free(ctrl->model);
    g_free(ctrl->pci_model_name);
    domain_device_info_clear(&ctrl->info);
    domain_extra_free(ctrl->extra);
    g_free(ctrl);
}

void
domain_input_def_free(DomainInputDef *input)
{
    if (!input)
        return;
    domain_device_info_clear(&input->info);
    domain_extra_free(input->extra);
    g_free(input);
}

static void
domain_graphics_listen_free(gpointer p)
{
    DomainGraphicsListen *l = p;

    g_free(l->address);
    g_free(l->network);
    g_free(l->socket);
    g_free(l);
}

void
domain_graphics_def_free(DomainGraphicsDef *graphics)
{
    if (!graphics)
        return;
    g_free(graphics->passwd);
    g_free(graphics->keymap);
    g_free(graphics->share_policy);
    if (graphics->listens)
        g_ptr_array_unref(graphics->listens);
    domain_device_info_clear(&graphics->info);
    domain_extra_free(graphics->extra);
    g_free(graphics);
}

void
domain_video_def_free(DomainVideoDef *video)
{
    if (!video)
        return;
    g_free(video->model);
    domain_device_info_clear(&video->info);
    domain_extra_free(video->extra);
    g_free(video);
}

void
domain_audio_def_free(DomainAudioDef *audio)
{
    if (!audio)
        return;
    g_free(audio->type);
    domain_extra_free(audio->extra);
    g_free(audio);
}

void
domain_memballoon_def_free(DomainMemballoonDef *balloon)
{
    if (!balloon)
        return;
    g_free(balloon->model);
    domain_device_info_clear(&balloon->info);
    domain_extra_free(balloon->extra);
    g_free(balloon);
}

void
domain_rng_def_free(DomainRNGDef *rng)
{
    if (!rng)
        return;
    g_free(rng->model);
    g_free(rng->random_path);
    domain_chr_source_def_clear(&rng->egd);
    domain_device_info_clear(&rng->info);
    domain_extra_free(rng->extra);
    g_free(rng);
}

/* Wrap the children written to @child into <@name @attrs>. */
static void
domain_misc_finish(XmlBuf *b, const char *name, GString *attrs, XmlBuf *child,
                   const DomainExtra *x)
{
    g_autofree char *text = xml_buf_finish(child);

    /* adds the unknown attributes and children of the element itself */
    fmt_element(b, name, attrs->str, text, x, "", TRUE);
}

/* ---- controller ----------------------------------------------------------------------- */

static gboolean
domain_controller_parse_model(DomainParseCtx *ctx, xmlNode *node, DomainControllerDef *ctrl,
                              GError **error)
{
    const char *const *models = NULL;

    switch (ctrl->type) {
    case DOMAIN_CONTROLLER_SCSI:
        models = domain_controller_scsi_models;
        break;
    case DOMAIN_CONTROLLER_USB:
        models = domain_controller_usb_models;
        break;
    case DOMAIN_CONTROLLER_PCI:
        models = domain_controller_pci_models;
        break;
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
        models = domain_controller_vser_models;
        break;
    case DOMAIN_CONTROLLER_IDE:
        models = domain_controller_ide_models;
        break;
    case DOMAIN_CONTROLLER_FDC:
    case DOMAIN_CONTROLLER_SATA:
    case DOMAIN_CONTROLLER_CCID:
    case DOMAIN_CONTROLLER_XENBUS:
    case DOMAIN_CONTROLLER_ISA:
    case DOMAIN_CONTROLLER_LAST:
    default:
        /* no model of ours: a model= attribute stays extra */
        return TRUE;
    }
    return dctx_prop_choice(ctx, node, "model", models, &ctrl->model, "controller model", error);
}

static gboolean
domain_controller_parse_children(DomainParseCtx *ctx, xmlNode *node, DomainControllerDef *ctrl,
                                 GError **error)
{
    xmlNode *n;

    if (ctrl->type == DOMAIN_CONTROLLER_USB && (n = dctx_child(ctx, node, "master"))) {
        guint start = 0;

        if (!dctx_prop_uint(ctx, n, "startport", &start, error))
            return FALSE;
        ctrl->master_startport = (int)start;
    }
    if (ctrl->type == DOMAIN_CONTROLLER_PCI) {
        if ((n = dctx_child(ctx, node, "model")))
            ctrl->pci_model_name = dctx_prop(ctx, n, "name");
        if ((n = dctx_child(ctx, node, "target"))) {
            guint v;

            v = G_MAXUINT;
            if (!dctx_prop_uint(ctx, n, "chassisNr", &v, error))
                return FALSE;
            if (v != G_MAXUINT && (v < 1 || v > 255)) {
                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                             "PCI controller chassisNr '%u' out of range - must be 1-255", v);
                return FALSE;
            }
            ctrl->pci_chassis_nr = v == G_MAXUINT ? 0 : v;
            v = G_MAXUINT;
            if (!dctx_prop_uint(ctx, n, "chassis", &v, error))
                return FALSE;
            ctrl->pci_chassis = v == G_MAXUINT ? -1 : (int)v;
            v = G_MAXUINT;
            if (!dctx_prop_uint(ctx, n, "port", &v, error))
                return FALSE;
            ctrl->pci_port = v == G_MAXUINT ? -1 : (int)v;
            v = G_MAXUINT;
            if (!dctx_prop_uint(ctx, n, "busNr", &v, error))
                return FALSE;
            ctrl->pci_bus_nr = v == G_MAXUINT ? -1 : (int)v;
        }
    }
    if ((n = dctx_child(ctx, node, "driver"))) {
        if (!dctx_prop_uint(ctx, n, "queues", &ctrl->queues, error))
            return FALSE;
    }
    return TRUE;
}

DomainControllerDef *
domain_controller_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                            GError **error)
{
    g_autoptr(DomainControllerDef) ctrl = g_new0(DomainControllerDef, 1);
    g_autofree char *type = dctx_prop(ctx, node, "type");
    int t = DOMAIN_CONTROLLER_IDE;
    guint v;

    ctrl->index = -1;
    ctrl->ports = ctrl->vectors = ctrl->master_startport = -1;
    ctrl->pci_chassis = ctrl->pci_port = ctrl->pci_bus_nr = -1;
    if (type && (t = domain_controller_from_string(type)) < 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown controller type '%s'", type);
        return NULL;
    }
    ctrl->type = t;
    if (!dctx_prop_int(ctx, node, "index", &ctrl->index, error))
        return NULL;
    if (ctrl->index < -1) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                     "Cannot parse controller index %d", ctrl->index);
        return NULL;
    }
    if (!domain_controller_parse_model(ctx, node, ctrl, error))
        return NULL;
    if (ctrl->type == DOMAIN_CONTROLLER_USB || ctrl->type == DOMAIN_CONTROLLER_VIRTIO_SERIAL) {
        v = G_MAXUINT;
        if (!dctx_prop_uint(ctx, node, "ports", &v, error))
            return NULL;
        ctrl->ports = v == G_MAXUINT ? -1 : (int)v;
    }
    if (ctrl->type == DOMAIN_CONTROLLER_VIRTIO_SERIAL) {
        v = G_MAXUINT;
        if (!dctx_prop_uint(ctx, node, "vectors", &v, error))
            return NULL;
        ctrl->vectors = v == G_MAXUINT ? -1 : (int)v;
    }
    if (!domain_controller_parse_children(ctx, node, ctrl, error) ||
        !domain_device_info_parse(ctx, node, &ctrl->info, FALSE, error) ||
        !dctx_collect(ctx, node, &ctrl->extra, error))
        return NULL;
    return g_steal_pointer(&ctrl);
}

void
domain_controller_def_format(XmlBuf *b, const DomainControllerDef *ctrl, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;

    fmt_attr(a, "type", domain_controller_to_string(ctrl->type));
    fmt_attr_printf(a, "index", "%d", ctrl->index);
    fmt_attr(a, "model", ctrl->model);
    if (ctrl->ports >= 0)
        fmt_attr_printf(a, "ports", "%d", ctrl->ports);
    if (ctrl->vectors >= 0)
        fmt_attr_printf(a, "vectors", "%d", ctrl->vectors);
    xml_buf_init(&child);
    if (ctrl->queues > 0 || domain_extra_has(ctrl->extra, "driver")) {
        g_autoptr(GString) d = g_string_new(NULL);

        if (ctrl->queues > 0)
            fmt_attr_printf(d, "queues", "%u", ctrl->queues);
        fmt_element(&child, "driver", d->str, NULL, ctrl->extra, "driver", TRUE);
    }
    if (ctrl->master_startport >= 0) {
        g_autoptr(GString) m = g_string_new(NULL);

        fmt_attr_printf(m, "startport", "%d", ctrl->master_startport);
        fmt_element(&child, "master", m->str, NULL, ctrl->extra, "master", TRUE);
    }
    if (ctrl->pci_model_name) {
        g_autoptr(GString) m = g_string_new(NULL);

        fmt_attr(m, "name", ctrl->pci_model_name);
        fmt_element(&child, "model", m->str, NULL, ctrl->extra, "model", TRUE);
    }
    if (ctrl->pci_chassis_nr > 0 || ctrl->pci_chassis >= 0 || ctrl->pci_port >= 0 ||
        ctrl->pci_bus_nr >= 0 || domain_extra_has(ctrl->extra, "target")) {
        g_autoptr(GString) t = g_string_new(NULL);

        if (ctrl->pci_chassis_nr > 0)
            fmt_attr_printf(t, "chassisNr", "%u", ctrl->pci_chassis_nr);
        if (ctrl->pci_chassis >= 0)
            fmt_attr_printf(t, "chassis", "%d", ctrl->pci_chassis);
        if (ctrl->pci_port >= 0)
            fmt_attr_printf(t, "port", "0x%x", ctrl->pci_port);
        if (ctrl->pci_bus_nr >= 0)
            fmt_attr_printf(t, "busNr", "%d", ctrl->pci_bus_nr);
        fmt_element(&child, "target", t->str, NULL, ctrl->extra, "target", TRUE);
    }
    domain_device_info_format(&child, &ctrl->info, ctrl->extra, NULL, NULL, flags);
    domain_misc_finish(b, "controller", a, &child, ctrl->extra);
}

/* ---- input ------------------------------------------------------------------------------- */

DomainInputDef *
domain_input_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                       GError **error)
{
    g_autoptr(DomainInputDef) input = g_new0(DomainInputDef, 1);
    g_autofree char *type = xml_get_prop(node, "type");
    g_autofree char *bus_attr = xml_get_prop(node, "bus");
    int t, bus = DOMAIN_INPUT_BUS_DEFAULT;

    if (!type) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                     "missing input device type");
        return NULL;
    }
    if ((t = domain_input_from_string(type)) < 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown input device type '%s'", type);
        return NULL;
    }
    if (t == DOMAIN_INPUT_PASSTHROUGH || t == DOMAIN_INPUT_EVDEV) {
        *ret_unsupported = TRUE;
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "type"));
    input->type = t;
    if (!dctx_prop_enum(ctx, node, "bus", domain_input_bus_from_string, &bus,
                        "input bus type", error))
        return NULL;
    if (bus == DOMAIN_INPUT_BUS_DEFAULT && bus_attr) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown input bus type 'default'");
        return NULL;
    }
    input->bus = bus;
    if (!domain_device_info_parse(ctx, node, &input->info, FALSE, error) ||
        !dctx_collect(ctx, node, &input->extra, error))
        return NULL;
    return g_steal_pointer(&input);
}

void
domain_input_def_format(XmlBuf *b, const DomainInputDef *input, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;

    fmt_attr(a, "type", domain_input_to_string(input->type));
    if (input->bus != DOMAIN_INPUT_BUS_DEFAULT)
        fmt_attr(a, "bus", domain_input_bus_to_string(input->bus));
    xml_buf_init(&child);
    domain_device_info_format(&child, &input->info, input->extra, NULL, NULL, flags);
    domain_misc_finish(b, "input", a, &child, input->extra);
}

/* ---- graphics ------------------------------------------------------------------------------ */

static gboolean
domain_graphics_parse_listens(DomainParseCtx *ctx, xmlNode *node, DomainGraphicsDef *gr,
                              GError **error)
{
    g_autoptr(GPtrArray) list = dctx_children(ctx, node, "listen");
    g_autofree char *attr = dctx_prop(ctx, node, "listen");
    g_autofree char *socket = dctx_prop(ctx, node, "socket");
    gboolean live = (ctx->flags & DOMAIN_PARSE_STATUS) != 0;

    for (guint i = 0; i < list->len; i++) {
        xmlNode *n = g_ptr_array_index(list, i);
        DomainGraphicsListen *l = g_new0(DomainGraphicsListen, 1);
        int type = DOMAIN_GRAPHICS_LISTEN_ADDRESS;

        g_ptr_array_add(gr->listens, l);
        if (!dctx_prop_enum(ctx, n, "type", domain_graphics_listen_from_string, &type,
                            "graphics listen type", error))
            return FALSE;
        l->type = type;
        l->address = dctx_prop(ctx, n, "address");
        l->network = dctx_prop(ctx, n, "network");
        l->socket = dctx_prop(ctx, n, "socket");
        if (l->type == DOMAIN_GRAPHICS_LISTEN_NETWORK && !live)
            g_clear_pointer(&l->address, g_free);
        if (l->type == DOMAIN_GRAPHICS_LISTEN_NETWORK && !l->network) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "'network' attribute is required for listen type 'network'");
            return FALSE;
        }
    }
    if (gr->listens->len == 0) {
        DomainGraphicsListen *l = g_new0(DomainGraphicsListen, 1);

        g_ptr_array_add(gr->listens, l);
        if (socket) {
            l->type = DOMAIN_GRAPHICS_LISTEN_SOCKET;
            l->socket = g_steal_pointer(&socket);
        } else {
            l->address = g_steal_pointer(&attr);
        }
    } else if (attr) {
        DomainGraphicsListen *l = g_ptr_array_index(gr->listens, 0);

        if (l->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS && l->address &&
            !g_str_equal(l->address, attr)) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "graphics 'listen' attribute '%s' must match 'address' attribute of first listen element (found '%s')",
                         attr, l->address);
            return FALSE;
        }
        if (l->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS && !l->address)
            l->address = g_steal_pointer(&attr);
    }
    return TRUE;
}

static gboolean
domain_graphics_parse_vnc(DomainParseCtx *ctx, xmlNode *node, DomainGraphicsDef *gr,
                          GError **error)
{
    g_autofree char *port = dctx_prop(ctx, node, "port");
    g_autofree char *passwd = dctx_prop(ctx, node, "passwd");

    gr->port = 0;
    if (port) {
        char *end = NULL;
        gint64 v = g_ascii_strtoll(port, &end, 10);

        if (!*port || *end || v < -1 || v > 65535) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "cannot parse vnc port %s", port);
            return FALSE;
        }
        gr->port = (int)v;
        if (v == -1)
            gr->autoport = DOMAIN_TRISTATE_YES;
    }
    if (!dctx_prop_tristate(ctx, node, "autoport", FALSE, &gr->autoport, error))
        return FALSE;
    if (gr->autoport == DOMAIN_TRISTATE_ABSENT)
        gr->autoport = port ? DOMAIN_TRISTATE_NO : DOMAIN_TRISTATE_YES;
    if (gr->port == -1 || (gr->autoport == DOMAIN_TRISTATE_YES &&
                           !(ctx->flags & DOMAIN_PARSE_STATUS)))
        gr->port = 0;
    if (!dctx_prop_int(ctx, node, "websocket", &gr->websocket, error))
        return FALSE;
    gr->passwd = g_steal_pointer(&passwd);
    gr->keymap = dctx_prop(ctx, node, "keymap");
    return dctx_prop_choice(ctx, node, "sharePolicy",
                            (const char *const[]){ "allow-exclusive", "force-shared", "ignore",
                                                   NULL },
                            &gr->share_policy, "graphics sharePolicy", error);
}

DomainGraphicsDef *
domain_graphics_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                          GError **error)
{
    static const char *const known[] = {
        "sdl", "rdp", "desktop", "spice", "egl-headless", "dbus", NULL
    };
    g_autoptr(DomainGraphicsDef) gr = g_new0(DomainGraphicsDef, 1);
    g_autofree char *type = xml_get_prop(node, "type");

    if (!type || !g_str_equal(type, "vnc")) {
        if (type && g_strv_contains(known, type)) {
            *ret_unsupported = TRUE;
            return NULL;
        }
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown graphics device type '%s'", type ? type : "");
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "type"));
    gr->listens = g_ptr_array_new_with_free_func(domain_graphics_listen_free);
    if (!domain_graphics_parse_vnc(ctx, node, gr, error) ||
        !domain_graphics_parse_listens(ctx, node, gr, error) ||
        !domain_device_info_parse(ctx, node, &gr->info, FALSE, error) ||
        !dctx_collect(ctx, node, &gr->extra, error))
        return NULL;
    return g_steal_pointer(&gr);
}

static void
domain_graphics_format_attrs(GString *a, const DomainGraphicsDef *gr, unsigned flags)
{
    const DomainGraphicsListen *l0 = gr->listens->len ? g_ptr_array_index(gr->listens, 0) : NULL;
    gboolean live = !(flags & DOMAIN_FORMAT_INACTIVE);

    fmt_attr(a, "type", "vnc");
    if (l0 && l0->type == DOMAIN_GRAPHICS_LISTEN_SOCKET) {
        fmt_attr(a, "socket", l0->socket);
    } else if (!l0 || l0->type != DOMAIN_GRAPHICS_LISTEN_NONE) {
        if (gr->port > 0 && (gr->autoport != DOMAIN_TRISTATE_YES || live))
            fmt_attr_printf(a, "port", "%d", gr->port);
        else if (gr->autoport == DOMAIN_TRISTATE_YES)
            fmt_attr(a, "port", "-1");
        fmt_attr(a, "autoport", domain_tristate_to_string(gr->autoport));
        if (gr->websocket != 0)
            fmt_attr_printf(a, "websocket", "%d", gr->websocket);
    }
    if (l0 && l0->address &&
        (l0->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS ||
         (l0->type == DOMAIN_GRAPHICS_LISTEN_NETWORK && live)))
        fmt_attr(a, "listen", l0->address);
    fmt_attr(a, "keymap", gr->keymap);
    fmt_attr(a, "sharePolicy", gr->share_policy);
    if (flags & DOMAIN_FORMAT_SECURE)
        fmt_attr(a, "passwd", gr->passwd);
}

void
domain_graphics_def_format(XmlBuf *b, const DomainGraphicsDef *gr, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;

    domain_graphics_format_attrs(a, gr, flags);
    xml_buf_init(&child);
    for (guint i = 0; i < gr->listens->len; i++) {
        DomainGraphicsListen *l = g_ptr_array_index(gr->listens, i);
        g_autoptr(GString) la = g_string_new(NULL);
        g_autofree char *path = domain_extra_path("", "listen", i);

        fmt_attr(la, "type", domain_graphics_listen_to_string(l->type));
        if (l->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS ||
            (l->type == DOMAIN_GRAPHICS_LISTEN_NETWORK && !(flags & DOMAIN_FORMAT_INACTIVE)))
            fmt_attr(la, "address", l->address);
        fmt_attr(la, "network", l->network);
        fmt_attr(la, "socket", l->socket);
        fmt_element(&child, "listen", la->str, NULL, gr->extra, path, TRUE);
    }
    domain_device_info_format(&child, &gr->info, gr->extra, NULL, NULL, flags);
    domain_misc_finish(b, "graphics", a, &child, gr->extra);
}

/* ---- video ------------------------------------------------------------------------------------ */

DomainVideoDef *
domain_video_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                       GError **error)
{
    g_autoptr(DomainVideoDef) video = g_new0(DomainVideoDef, 1);
    xmlNode *model = dctx_child(ctx, node, "model");

    if (model) {
        if (!dctx_prop_choice(ctx, model, "type", domain_video_models, &video->model,
                              "video model", error) ||
            !dctx_prop_uint(ctx, model, "vram", &video->vram, error) ||
            !dctx_prop_uint(ctx, model, "ram", &video->ram, error) ||
            !dctx_prop_uint(ctx, model, "vgamem", &video->vgamem, error) ||
            !dctx_prop_uint(ctx, model, "vram64", &video->vram64, error) ||
            !dctx_prop_uint(ctx, model, "heads", &video->heads, error) ||
            !dctx_prop_tristate(ctx, model, "primary", FALSE, &video->primary, error))
            return NULL;
    }
    if (!video->model)
        video->model = g_strdup("default");
    if (!domain_device_info_parse(ctx, node, &video->info, FALSE, error) ||
        !dctx_collect(ctx, node, &video->extra, error))
        return NULL;
    return g_steal_pointer(&video);
}

void
domain_video_def_format(XmlBuf *b, const DomainVideoDef *video, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) m = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;
    guint cursor = 0;

    xml_buf_init(&child);
    domain_extra_format_before(&child, video->extra, "", domain_video_order, &cursor, "model");
    fmt_attr(m, "type", video->model);
    if (video->ram > 0)
        fmt_attr_printf(m, "ram", "%u", video->ram);
    if (video->vram > 0)
        fmt_attr_printf(m, "vram", "%u", video->vram);
    if (video->vram64 > 0)
        fmt_attr_printf(m, "vram64", "%u", video->vram64);
    if (video->vgamem > 0)
        fmt_attr_printf(m, "vgamem", "%u", video->vgamem);
    if (video->heads > 0)
        fmt_attr_printf(m, "heads", "%u", video->heads);
    if (video->primary == DOMAIN_TRISTATE_YES)
        fmt_attr(m, "primary", "yes");
    fmt_element(&child, "model", m->str, NULL, video->extra, "model", TRUE);
    domain_device_info_format(&child, &video->info, video->extra, domain_video_order, &cursor,
                              flags);
    domain_extra_format_before(&child, video->extra, "", domain_video_order, &cursor, NULL);
    text = xml_buf_finish(&child);
    /* the unknown children are in @text already, in order */
    g_string_append(a, domain_extra_attrs(video->extra, ""));
    fmt_element(b, "video", a->str, text, NULL, NULL, TRUE);
}

/* ---- audio ----------------------------------------------------------------------------------- */

DomainAudioDef *
domain_audio_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                       GError **error)
{
    static const char *const types[] = {
        "none", "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "spice", "file",
        "dbus", NULL
    };
    g_autoptr(DomainAudioDef) audio = g_new0(DomainAudioDef, 1);
    g_autofree char *id = xml_get_prop(node, "id");
    g_autofree char *type = xml_get_prop(node, "type");
    char *end = NULL;
    guint64 v;

    if (!id) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute 'id' in element 'audio'");
        return NULL;
    }
    v = g_ascii_strtoull(id, &end, 10);
    if (!*id || *end || id[0] == '-' || v == 0 || v > G_MAXINT) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Invalid value for attribute 'id' in element 'audio': '%s'.", id);
        return NULL;
    }
    if (!type || !g_strv_contains(types, type)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Invalid value for attribute 'type' in element 'audio': '%s'.",
                     type ? type : "");
        return NULL;
    }
    if (!g_str_equal(type, "none")) {
        /* a host audio backend: kept verbatim */
        *ret_unsupported = TRUE;
        return NULL;
    }
    g_free(dctx_prop(ctx, node, "id"));
    audio->id = (guint)v;
    audio->type = dctx_prop(ctx, node, "type");
    if (!dctx_collect(ctx, node, &audio->extra, error))
        return NULL;
    return g_steal_pointer(&audio);
}

void
domain_audio_def_format(XmlBuf *b, const DomainAudioDef *audio, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;

    fmt_attr_printf(a, "id", "%u", audio->id);
    fmt_attr(a, "type", audio->type);
    xml_buf_init(&child);
    domain_misc_finish(b, "audio", a, &child, audio->extra);
}

/* ---- memballoon -------------------------------------------------------------------------------- */

DomainMemballoonDef *
domain_memballoon_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                            GError **error)
{
    static const char *const models[] = {
        "virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional", NULL
    };
    g_autoptr(DomainMemballoonDef) balloon = g_new0(DomainMemballoonDef, 1);
    xmlNode *stats;

    balloon->stats_period = -1;
    if (!dctx_prop_choice(ctx, node, "model", models, &balloon->model, "memory balloon model",
                          error))
        return NULL;
    if (!balloon->model) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute 'model' in element 'memballoon'");
        return NULL;
    }
    if (!dctx_prop_tristate(ctx, node, "autodeflate", TRUE, &balloon->autodeflate, error) ||
        !dctx_prop_tristate(ctx, node, "freePageReporting", TRUE,
                            &balloon->free_page_reporting, error))
        return NULL;
    if ((stats = dctx_child(ctx, node, "stats")) &&
        !dctx_prop_int(ctx, stats, "period", &balloon->stats_period, error))
        return NULL;
    if (!domain_device_info_parse(ctx, node, &balloon->info, FALSE, error) ||
        !dctx_collect(ctx, node, &balloon->extra, error))
        return NULL;
    return g_steal_pointer(&balloon);
}

void
domain_memballoon_def_format(XmlBuf *b, const DomainMemballoonDef *balloon, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;

    fmt_attr(a, "model", balloon->model);
    if (balloon->autodeflate != DOMAIN_TRISTATE_ABSENT)
        fmt_attr(a, "autodeflate", domain_tristate_switch_to_string(balloon->autodeflate));
    if (balloon->free_page_reporting != DOMAIN_TRISTATE_ABSENT)
        fmt_attr(a, "freePageReporting",
                 domain_tristate_switch_to_string(balloon->free_page_reporting));
    xml_buf_init(&child);
    if (balloon->stats_period >= 0) {
        g_autoptr(GString) s = g_string_new(NULL);

        fmt_attr_printf(s, "period", "%d", balloon->stats_period);
        fmt_element(&child, "stats", s->str, NULL, balloon->extra, "stats", TRUE);
    }
    domain_device_info_format(&child, &balloon->info, balloon->extra, NULL, NULL, flags);
    domain_misc_finish(b, "memballoon", a, &child, balloon->extra);
}

/* ---- rng ------------------------------------------------------------------------------------------ */

static gboolean
domain_rng_parse_backend(DomainParseCtx *ctx, xmlNode *node, DomainRNGDef *rng, GError **error)
{
    xmlNode *backend = dctx_child(ctx, node, "backend");
    g_autofree char *model_attr = NULL;
    int model = DOMAIN_RNG_BACKEND_RANDOM;

    if (!backend) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "missing RNG device backend");
        return FALSE;
    }
    if (!(model_attr = dctx_prop_req(ctx, backend, "model", error)))
        return FALSE;
    if ((model = domain_rng_backend_from_string(model_attr)) < 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unknown RNG backend model '%s'", model_attr);
        return FALSE;
    }
    rng->backend = model;
    switch (rng->backend) {
    case DOMAIN_RNG_BACKEND_RANDOM: {
        g_autofree char *path = g_strstrip(dctx_text(ctx, backend));

        if (*path)
            rng->random_path = g_steal_pointer(&path);
        break;
    }
    case DOMAIN_RNG_BACKEND_EGD: {
        g_autofree char *type = dctx_prop(ctx, backend, "type");
        int t = type ? domain_chr_type_from_string(type) : -1;

        if (t < 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "unknown backend type '%s' for egd", type ? type : "");
            return FALSE;
        }
        rng->egd.type = t;
        return domain_chr_source_parse(ctx, backend, &rng->egd, error);
    }
    case DOMAIN_RNG_BACKEND_BUILTIN:
    case DOMAIN_RNG_BACKEND_LAST:
    default:
        break;
    }
    return TRUE;
}

DomainRNGDef *
domain_rng_def_parse(DomainParseCtx *ctx, xmlNode *node, gboolean *ret_unsupported,
                     GError **error)
{
    static const char *const models[] = {
        "virtio", "virtio-transitional", "virtio-non-transitional", NULL
    };
    g_autoptr(DomainRNGDef) rng = g_new0(DomainRNGDef, 1);
    xmlNode *rate;

    if (!dctx_prop_choice(ctx, node, "model", models, &rng->model, "RNG model", error))
        return NULL;
    if (!rng->model) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute 'model' in element 'rng'");
        return NULL;
    }
    if ((rate = dctx_child(ctx, node, "rate"))) {
        if (!dctx_prop_uint(ctx, rate, "bytes", &rng->rate_bytes, error) ||
            !dctx_prop_uint(ctx, rate, "period", &rng->rate_period, error))
            return NULL;
    }
    if (!domain_rng_parse_backend(ctx, node, rng, error) ||
        !domain_device_info_parse(ctx, node, &rng->info, FALSE, error) ||
        !dctx_collect(ctx, node, &rng->extra, error))
        return NULL;
    return g_steal_pointer(&rng);
}

void
domain_rng_def_format(XmlBuf *b, const DomainRNGDef *rng, unsigned flags)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) ba = g_string_new(NULL);
    XmlBuf child;

    fmt_attr(a, "model", rng->model);
    xml_buf_init(&child);
    if (rng->rate_bytes > 0 || domain_extra_has(rng->extra, "rate")) {
        g_autoptr(GString) r = g_string_new(NULL);

        fmt_attr_printf(r, "bytes", "%u", rng->rate_bytes);
        if (rng->rate_period > 0)
            fmt_attr_printf(r, "period", "%u", rng->rate_period);
        fmt_element(&child, "rate", r->str, NULL, rng->extra, "rate", TRUE);
    }
    fmt_attr(ba, "model", domain_rng_backend_to_string(rng->backend));
    if (rng->backend == DOMAIN_RNG_BACKEND_RANDOM && rng->random_path) {
        g_autofree char *esc = fmt_escape_text(rng->random_path);

        xml_buf_add(&child, "<backend");
        xml_buf_add_raw(&child, ba->str);
        xml_buf_add_raw(&child, domain_extra_attrs(rng->extra, "backend"));
        xml_buf_add_raw(&child, ">");
        xml_buf_add_raw(&child, esc);
        xml_buf_add_raw(&child, "</backend>\n");
    } else if (rng->backend == DOMAIN_RNG_BACKEND_EGD) {
        XmlBuf src;
        g_autofree char *text = NULL;

        fmt_attr(ba, "type", domain_chr_type_to_string(rng->egd.type));
        xml_buf_init(&src);
        domain_chr_source_format(&src, &rng->egd, rng->extra, "backend", flags);
        text = xml_buf_finish(&src);
        fmt_element(&child, "backend", ba->str, text, rng->extra, "backend", TRUE);
    } else {
        fmt_element(&child, "backend", ba->str, NULL, rng->extra, "backend", TRUE);
    }
    domain_device_info_format(&child, &rng->info, rng->extra, NULL, NULL, flags);
    domain_misc_finish(b, "rng", a, &child, rng->extra);
}
