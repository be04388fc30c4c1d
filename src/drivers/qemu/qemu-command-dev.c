/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-dev.c: interfaces (tap fd / user netdevs), inputs, audio
 * backends, VNC, video, the memory balloon and random number generators.
 */
#include <string.h>

#include "drivers/qemu/qemu-command-priv.h"
#include "util/error.h"
#include "util/macros.h"

/* ---- interfaces ----------------------------------------------------------------- */

static const char *
qemu_net_driver(const char *model)
{
    static const char *const map[][2] = {
        { "virtio", "virtio-net-pci" }, { "e1000e", "e1000e" }, { "e1000", "e1000" },
        { "rtl8139", "rtl8139" },
    };

    if (!model)
        return "rtl8139";
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(model, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static gboolean
qemu_cmd_build_netdev(QemuCmd *cmd, const DomainNetDef *net, guint idx, const char *mac,
                      GError **error)
{
    int fd = cmd->opts->tap_fds ? cmd->opts->tap_fds[idx] : -1;

    qemu_cmd_add(cmd, "-netdev");
    switch (net->type) {
    case DOMAIN_NET_TYPE_USER:
        qemu_cmd_addf(cmd, "user,id=hostnet%u", idx);
        return TRUE;
    case DOMAIN_NET_TYPE_NETWORK:
    case DOMAIN_NET_TYPE_BRIDGE:
    case DOMAIN_NET_TYPE_ETHERNET:
        if (fd < 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                         "interface '%s': no tap device was opened for it", mac);
            return FALSE;
        }
        /* no vhost-net on this kernel: QEMU does the virtio rings itself */
        qemu_cmd_addf(cmd, "tap,fd=%d,vhost=off,id=hostnet%u", fd, idx);
        return TRUE;
    case DOMAIN_NET_TYPE_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported interface type '%s'",
                             domain_net_type_to_string(net->type));
        return FALSE;
    }
}

static gboolean
qemu_cmd_build_net(QemuCmd *cmd, guint idx, GError **error)
{
    const DomainNetDef *net = g_ptr_array_index(cmd->def->nets, idx);
    const char *driver = qemu_net_driver(net->model);
    g_autofree char *alias = net->info.alias ? g_strdup(net->info.alias)
                                             : g_strdup_printf("net%u", idx);
    QemuProps *p;
    char mac[18];

    domain_mac_format(net->mac, mac);
    if (!driver) {
        qemu_cmd_unsupported(error, "unsupported interface model '%s'", net->model);
        return FALSE;
    }
    if (MV_STREQ(net->driver_name, "vhost")) {
        qemu_cmd_unsupported(error, "interface '%s': vhost-net is not available on this host",
                             mac);
        return FALSE;
    }
    if (net->driver_queues > 1) {
        qemu_cmd_unsupported(error, "interface '%s': multiqueue is not supported", mac);
        return FALSE;
    }
    if (net->mtu > 0 && !g_str_equal(driver, "virtio-net-pci")) {
        qemu_cmd_unsupported(error, "interface '%s': setting the MTU needs model 'virtio'", mac);
        return FALSE;
    }
    if (!qemu_cmd_build_netdev(cmd, net, idx, mac, error))
        return FALSE;
    p = qemu_props_new();
    qemu_props_str(p, "driver", driver);
    qemu_props_strf(p, "netdev", "hostnet%u", idx);
    qemu_props_str(p, "id", alias);
    qemu_props_str(p, "mac", mac);
    if (net->mtu > 0)
        qemu_props_uint(p, "host_mtu", net->mtu);
    qemu_cmd_pci_props(cmd, p, net);
    if (cmd->net_boot[idx] > 0)
        qemu_props_uint(p, "bootindex", cmd->net_boot[idx]);
    qemu_cmd_add_json(cmd, "-device", p);
    return TRUE;
}

gboolean
qemu_cmd_build_nets(QemuCmd *cmd, GError **error)
{
    for (guint i = 0; i < cmd->def->nets->len; i++) {
        if (!qemu_cmd_build_net(cmd, i, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- inputs ------------------------------------------------------------------------- */

static const char *
qemu_input_driver(const DomainInputDef *in)
{
    static const char *const usb[] = { "usb-mouse", "usb-tablet", "usb-kbd" };
    static const char *const virtio[] = { "virtio-mouse-pci", "virtio-tablet-pci",
                                          "virtio-keyboard-pci" };

    if (in->type > DOMAIN_INPUT_KEYBOARD)
        return NULL;
    return in->bus == DOMAIN_INPUT_BUS_VIRTIO ? virtio[in->type] : usb[in->type];
}

static gboolean
qemu_cmd_build_input(QemuCmd *cmd, const DomainInputDef *in, guint idx, GError **error)
{
    const char *type = domain_input_to_string(in->type);
    const char *bus_name = domain_input_bus_to_string(in->bus);
    g_autofree char *alias = in->info.alias ? g_strdup(in->info.alias)
                                            : g_strdup_printf("input%u", idx);
    g_autoptr(QemuProps) p = qemu_props_new();
    g_autofree char *bus = NULL;

    switch (in->bus) {
    case DOMAIN_INPUT_BUS_DEFAULT:
    case DOMAIN_INPUT_BUS_PS2:
        /* the i8042 of the PC: mouse and keyboard are there already */
        if (in->type == DOMAIN_INPUT_MOUSE || in->type == DOMAIN_INPUT_KEYBOARD)
            return TRUE;
        if (in->bus == DOMAIN_INPUT_BUS_DEFAULT && in->type == DOMAIN_INPUT_TABLET)
            break;
        qemu_cmd_unsupported(error, "unsupported input type '%s' on bus '%s'", type, bus_name);
        return FALSE;
    case DOMAIN_INPUT_BUS_USB:
    case DOMAIN_INPUT_BUS_VIRTIO:
        if (qemu_input_driver(in))
            break;
        qemu_cmd_unsupported(error, "unsupported input type '%s' on bus '%s'", type, bus_name);
        return FALSE;
    case DOMAIN_INPUT_BUS_XEN:
    case DOMAIN_INPUT_BUS_PARALLELS:
    case DOMAIN_INPUT_BUS_NONE:
    case DOMAIN_INPUT_BUS_LAST:
    default:
        qemu_cmd_unsupported(error, "unsupported input bus '%s'", bus_name ? bus_name : "");
        return FALSE;
    }
    if (in->type > DOMAIN_INPUT_KEYBOARD) {
        qemu_cmd_unsupported(error, "unsupported input type '%s'", type);
        return FALSE;
    }
    qemu_props_str(p, "driver", qemu_input_driver(in));
    qemu_props_str(p, "id", alias);
    if (in->bus == DOMAIN_INPUT_BUS_VIRTIO) {
        qemu_cmd_pci_props(cmd, p, in);
    } else {
        if (!(bus = qemu_cmd_usb_bus(cmd, &in->info, "a USB input device", error)))
            return FALSE;
        qemu_props_str(p, "bus", bus);
        qemu_props_str(p, "port", in->info.addr.usb_port);
    }
    qemu_cmd_add_json(cmd, "-device", g_steal_pointer(&p));
    return TRUE;
}

gboolean
qemu_cmd_build_inputs(QemuCmd *cmd, GError **error)
{
    for (guint i = 0; i < cmd->def->inputs->len; i++) {
        if (!qemu_cmd_build_input(cmd, g_ptr_array_index(cmd->def->inputs, i), i, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- audio ------------------------------------------------------------------------------- */

/* <audio type='none'>: a backend that drops the sound, given to the display. */
gboolean
qemu_cmd_build_audios(QemuCmd *cmd, GError **error)
{
    for (guint i = 0; i < cmd->def->audios->len; i++) {
        const DomainAudioDef *audio = g_ptr_array_index(cmd->def->audios, i);
        QemuProps *p;

        if (!MV_STREQ(audio->type, "none")) {
            qemu_cmd_unsupported(error, "unsupported audio type '%s'",
                                 audio->type ? audio->type : "");
            return FALSE;
        }
        p = qemu_props_new();
        qemu_props_strf(p, "id", "audio%u", audio->id);
        qemu_props_str(p, "driver", "none");
        qemu_cmd_add_json(cmd, "-audiodev", p);
    }
    return TRUE;
}

/* ---- graphics ---------------------------------------------------------------------------- */

/* host:display (or unix:path, none) of a VNC server. */
static char *
qemu_vnc_address(const DomainGraphicsDef *gr, GError **error)
{
    const DomainGraphicsListen *l = gr->listens && gr->listens->len > 0
                                    ? g_ptr_array_index(gr->listens, 0) : NULL;
    const char *host = "127.0.0.1";
    g_autofree char *path = NULL;

    if (l) {
        switch (l->type) {
        case DOMAIN_GRAPHICS_LISTEN_ADDRESS:
            host = l->address ? l->address : host;
            break;
        case DOMAIN_GRAPHICS_LISTEN_NETWORK:
            if (!l->address) {
                qemu_cmd_unsupported(error, "vnc listen network '%s' has no address",
                                     l->network ? l->network : "");
                return NULL;
            }
            host = l->address;
            break;
        case DOMAIN_GRAPHICS_LISTEN_SOCKET:
            if (!l->socket) {
                qemu_cmd_unsupported(error, "vnc listen socket has no path");
                return NULL;
            }
            path = qemu_keyval_escape(l->socket);
            return g_strdup_printf("unix:%s", path);
        case DOMAIN_GRAPHICS_LISTEN_NONE:
            return g_strdup("none");
        case DOMAIN_GRAPHICS_LISTEN_LAST:
        default:
            qemu_cmd_unsupported(error, "unsupported vnc listen type");
            return NULL;
        }
    }
    if (gr->port >= 5900 && gr->port <= 65535)
        return g_strdup_printf(strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, gr->port - 5900);
    if (gr->port != -1 && gr->port != 0 && gr->autoport != DOMAIN_TRISTATE_YES) {
        qemu_cmd_unsupported(error, "vnc port must be in range [5900,65535]");
        return NULL;
    }
    /* not allocated: QEMU takes the first free display */
    return g_strdup_printf(strchr(host, ':') ? "[%s]:0,to=99" : "%s:0,to=99", host);
}

gboolean
qemu_cmd_build_graphics(QemuCmd *cmd, GError **error)
{
    const DomainGraphicsDef *gr;
    g_autoptr(GString) vnc = NULL;
    g_autofree char *addr = NULL;

    if (cmd->def->graphics->len == 0)
        return TRUE;
    if (cmd->def->graphics->len > 1) {
        qemu_cmd_unsupported(error, "only one graphics device is supported");
        return FALSE;
    }
    gr = g_ptr_array_index(cmd->def->graphics, 0);
    if (!(addr = qemu_vnc_address(gr, error)))
        return FALSE;
    vnc = g_string_new(addr);
    if (gr->websocket > 0)
        g_string_append_printf(vnc, ",websocket=%d", gr->websocket);
    else if (gr->websocket == -1)
        g_string_append(vnc, ",websocket=on");
    if (gr->share_policy) {
        if (!g_str_equal(gr->share_policy, "allow-exclusive") &&
            !g_str_equal(gr->share_policy, "force-shared") &&
            !g_str_equal(gr->share_policy, "ignore")) {
            qemu_cmd_unsupported(error, "unsupported vnc sharePolicy '%s'", gr->share_policy);
            return FALSE;
        }
        g_string_append_printf(vnc, ",share=%s", gr->share_policy);
    }
    if (gr->passwd)
        g_string_append(vnc, ",password=on");
    if (cmd->def->audios->len > 0)
        g_string_append_printf(vnc, ",audiodev=audio%u",
                               ((const DomainAudioDef *)g_ptr_array_index(cmd->def->audios,
                                                                           0))->id);
    qemu_cmd_add(cmd, "-vnc");
    qemu_cmd_add(cmd, vnc->str);
    if (gr->keymap) {
        qemu_cmd_add(cmd, "-k");
        qemu_cmd_add(cmd, gr->keymap);
    }
    return TRUE;
}

/* ---- video ------------------------------------------------------------------------------ */

const char *
qemu_cmd_video_driver(const DomainVideoDef *video, gboolean primary)
{
    const char *model = video->model ? video->model : "vga";

    if (g_str_equal(model, "vga"))
        return primary ? "VGA" : NULL;
    if (g_str_equal(model, "cirrus"))
        return primary ? "cirrus-vga" : NULL;
    if (g_str_equal(model, "bochs"))
        return "bochs-display";
    if (g_str_equal(model, "virtio"))
        return primary ? "virtio-vga" : "virtio-gpu-pci";
    if (g_str_equal(model, "qxl"))
        return primary ? "qxl-vga" : "qxl";
    return NULL;
}

static void
qemu_video_props(const DomainVideoDef *video, const char *driver, QemuProps *p)
{
    if (g_str_has_prefix(driver, "qxl")) {
        if (video->ram > 0)
            qemu_props_uint(p, "ram_size", (guint64)video->ram * 1024);
        if (video->vram > 0)
            qemu_props_uint(p, "vram_size", (guint64)video->vram * 1024);
        if (video->vram64 > 0)
            qemu_props_uint(p, "vram64_size_mb", video->vram64 / 1024);
        if (video->vgamem > 0)
            qemu_props_uint(p, "vgamem_mb", video->vgamem / 1024);
    } else if (g_str_equal(driver, "VGA") && video->vgamem > 0) {
        qemu_props_uint(p, "vgamem_mb", video->vgamem / 1024);
    } else if (g_str_equal(driver, "bochs-display") && video->vgamem > 0) {
        qemu_props_uint(p, "vgamem", (guint64)video->vgamem * 1024);
    }
    if (video->heads > 0 && (g_str_has_prefix(driver, "qxl") || g_str_has_prefix(driver, "virtio")))
        qemu_props_uint(p, "max_outputs", video->heads);
}

gboolean
qemu_cmd_build_videos(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;

    for (guint i = 0; i < def->videos->len; i++) {
        const DomainVideoDef *video = g_ptr_array_index(def->videos, i);
        const char *driver;
        g_autofree char *alias = video->info.alias ? g_strdup(video->info.alias)
                                                   : g_strdup_printf("video%u", i);
        QemuProps *p;

        if (MV_STREQ(video->model, "none")) {
            if (def->videos->len == 1)
                continue;
            qemu_cmd_unsupported(error, "a video model 'none' must be the only video device");
            return FALSE;
        }
        if (!(driver = qemu_cmd_video_driver(video, i == 0))) {
            if (qemu_cmd_video_driver(video, TRUE))
                qemu_cmd_unsupported(error, "video model '%s' is only valid as the primary "
                                     "video device", video->model ? video->model : "vga");
            else
                qemu_cmd_unsupported(error, "unsupported video model '%s'", video->model);
            return FALSE;
        }
        p = qemu_props_new();
        qemu_props_str(p, "driver", driver);
        qemu_props_str(p, "id", alias);
        qemu_video_props(video, driver, p);
        qemu_cmd_pci_props(cmd, p, video);
        qemu_cmd_add_json(cmd, "-device", p);
    }
    return TRUE;
}

/* ---- memory balloon ------------------------------------------------------------------------ */

gboolean
qemu_cmd_build_memballoon(QemuCmd *cmd, GError **error)
{
    const DomainMemballoonDef *b = cmd->def->memballoon;
    QemuProps *p;

    if (!b || MV_STREQ(b->model, "none"))
        return TRUE;
    if (!MV_STREQ(b->model, "virtio")) {
        qemu_cmd_unsupported(error, "unsupported memballoon model '%s'",
                             b->model ? b->model : "");
        return FALSE;
    }
    p = qemu_props_new();
    qemu_props_str(p, "driver", "virtio-balloon-pci");
    qemu_props_str(p, "id", b->info.alias ? b->info.alias : "balloon0");
    if (b->autodeflate != DOMAIN_TRISTATE_ABSENT)
        qemu_props_bool(p, "deflate-on-oom", b->autodeflate == DOMAIN_TRISTATE_YES);
    if (b->free_page_reporting != DOMAIN_TRISTATE_ABSENT)
        qemu_props_bool(p, "free-page-reporting",
                        b->free_page_reporting == DOMAIN_TRISTATE_YES);
    qemu_cmd_pci_props(cmd, p, b);
    qemu_cmd_add_json(cmd, "-device", p);
    return TRUE;
}

/* ---- random number generators ------------------------------------------------------------- */

static gboolean
qemu_cmd_build_rng(QemuCmd *cmd, const DomainRNGDef *rng, guint idx, GError **error)
{
    g_autofree char *alias = rng->info.alias ? g_strdup(rng->info.alias)
                                             : g_strdup_printf("rng%u", idx);
    g_autofree char *objid = g_strdup_printf("obj%s", alias);
    g_autofree char *charid = g_strdup_printf("char%s", alias);
    QemuProps *obj;
    QemuProps *p;

    if (rng->model && !g_str_equal(rng->model, "virtio")) {
        qemu_cmd_unsupported(error, "unsupported rng model '%s'", rng->model);
        return FALSE;
    }
    obj = qemu_props_new();
    switch (rng->backend) {
    case DOMAIN_RNG_BACKEND_RANDOM:
        qemu_props_str(obj, "qom-type", "rng-random");
        qemu_props_str(obj, "id", objid);
        qemu_props_str(obj, "filename", rng->random_path ? rng->random_path : "/dev/urandom");
        break;
    case DOMAIN_RNG_BACKEND_BUILTIN:
        qemu_props_str(obj, "qom-type", "rng-builtin");
        qemu_props_str(obj, "id", objid);
        break;
    case DOMAIN_RNG_BACKEND_EGD: {
        g_autofree char *chardev = qemu_cmd_chardev(&rng->egd, charid, "rng egd backend",
                                                    error);

        if (!chardev) {
            qemu_props_free(obj);
            return FALSE;
        }
        qemu_cmd_add(cmd, "-chardev");
        qemu_cmd_add(cmd, chardev);
        qemu_props_str(obj, "qom-type", "rng-egd");
        qemu_props_str(obj, "id", objid);
        qemu_props_str(obj, "chardev", charid);
        break;
    }
    case DOMAIN_RNG_BACKEND_LAST:
    default:
        qemu_props_free(obj);
        qemu_cmd_unsupported(error, "unsupported rng backend");
        return FALSE;
    }
    qemu_cmd_add_json(cmd, "-object", obj);

    p = qemu_props_new();
    qemu_props_str(p, "driver", "virtio-rng-pci");
    qemu_props_str(p, "rng", objid);
    qemu_props_str(p, "id", alias);
    if (rng->rate_bytes > 0) {
        qemu_props_uint(p, "max-bytes", rng->rate_bytes);
        qemu_props_uint(p, "period", rng->rate_period > 0 ? rng->rate_period : 1000);
    }
    qemu_cmd_pci_props(cmd, p, rng);
    qemu_cmd_add_json(cmd, "-device", p);
    return TRUE;
}

gboolean
qemu_cmd_build_rngs(QemuCmd *cmd, GError **error)
{
    for (guint i = 0; i < cmd->def->rngs->len; i++) {
        if (!qemu_cmd_build_rng(cmd, g_ptr_array_index(cmd->def->rngs, i), i, error))
            return FALSE;
    }
    return TRUE;
}
