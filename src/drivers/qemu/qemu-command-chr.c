/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-chr.c: character devices: the -chardev backend of a source
 * (null, vc, pty, tty, file, pipe, stdio, unix and tcp sockets with
 * server/reconnect) and the serial (isa-serial, usb-serial, pci-serial),
 * console (the first serial, or virtconsole) and channel (virtserialport)
 * front ends.
 */
#include "drivers/qemu/qemu-command-priv.h"
#include "util/error.h"
#include "util/macros.h"

static gboolean
qemu_chr_socket_props(const DomainChrSourceDef *src, QemuProps *p, const char *what,
                      GError **error)
{
    gboolean bind = src->mode == DOMAIN_CHR_MODE_BIND;

    if (src->type == DOMAIN_CHR_TYPE_TCP) {
        if (!src->service) {
            qemu_cmd_unsupported(error, "%s: a tcp source needs a service (port)", what);
            return FALSE;
        }
        qemu_props_str(p, "host", src->host ? src->host : (bind ? "0.0.0.0" : "localhost"));
        qemu_props_str(p, "port", src->service);
        if (MV_STREQ(src->protocol, "telnet")) {
            qemu_props_bool(p, "telnet", TRUE);
        } else if (src->protocol && !g_str_equal(src->protocol, "raw")) {
            qemu_cmd_unsupported(error, "%s: unsupported tcp protocol '%s'", what,
                                 src->protocol);
            return FALSE;
        }
    } else {
        qemu_props_str(p, "path", src->path);
    }
    if (bind) {
        if (src->reconnect.enabled != DOMAIN_TRISTATE_ABSENT) {
            qemu_cmd_unsupported(error, "%s: chardev reconnect is possible only for connect "
                                 "mode", what);
            return FALSE;
        }
        qemu_props_bool(p, "server", TRUE);
        qemu_props_bool(p, "wait", FALSE);
    } else if (src->reconnect.enabled == DOMAIN_TRISTATE_YES) {
        if (src->reconnect.timeout == 0) {
            qemu_cmd_unsupported(error, "%s: chardev reconnect source timeout cannot be '0'",
                                 what);
            return FALSE;
        }
        qemu_props_uint(p, "reconnect", src->reconnect.timeout);
    } else if (src->reconnect.enabled == DOMAIN_TRISTATE_NO) {
        qemu_props_uint(p, "reconnect", 0);
    }
    return TRUE;
}

char *
qemu_cmd_chardev(const DomainChrSourceDef *src, const char *id, const char *what,
                 GError **error)
{
    g_autoptr(QemuProps) p = qemu_props_new();
    const char *backend = NULL;
    gboolean need_path = FALSE;

    qemu_props_str(p, "id", id);
    switch (src->type) {
    case DOMAIN_CHR_TYPE_NULL:
        backend = "null";
        break;
    case DOMAIN_CHR_TYPE_VC:
        backend = "vc";
        break;
    case DOMAIN_CHR_TYPE_PTY:
        backend = "pty";
        break;
    case DOMAIN_CHR_TYPE_STDIO:
        backend = "stdio";
        break;
    case DOMAIN_CHR_TYPE_DEV:
        backend = "tty";
        need_path = TRUE;
        break;
    case DOMAIN_CHR_TYPE_PIPE:
        backend = "pipe";
        need_path = TRUE;
        break;
    case DOMAIN_CHR_TYPE_FILE:
        backend = "file";
        need_path = TRUE;
        break;
    case DOMAIN_CHR_TYPE_UNIX:
    case DOMAIN_CHR_TYPE_TCP:
        if (src->type == DOMAIN_CHR_TYPE_UNIX && !src->path)
            break;
        if (!qemu_chr_socket_props(src, p, what, error))
            return NULL;
        return qemu_props_keyval(p, "socket");
    case DOMAIN_CHR_TYPE_LAST:
    default:
        break;
    }
    if (!backend || (need_path && !src->path)) {
        if (backend || src->type == DOMAIN_CHR_TYPE_UNIX)
            qemu_cmd_unsupported(error, "%s: missing source path for a '%s' character device",
                                 what, domain_chr_type_to_string(src->type));
        else
            qemu_cmd_unsupported(error, "%s: unsupported character device type '%s'", what,
                                 domain_chr_type_to_string(src->type));
        return NULL;
    }
    qemu_props_str(p, "path", src->path);
    if (src->type == DOMAIN_CHR_TYPE_FILE && src->append != DOMAIN_TRISTATE_ABSENT)
        qemu_props_bool(p, "append", src->append == DOMAIN_TRISTATE_YES);
    return qemu_props_keyval(p, backend);
}

static gboolean
qemu_cmd_add_chardev(QemuCmd *cmd, const DomainChrSourceDef *src, const char *id,
                     const char *what, GError **error)
{
    g_autofree char *value = qemu_cmd_chardev(src, id, what, error);

    if (!value)
        return FALSE;
    qemu_cmd_add(cmd, "-chardev");
    g_ptr_array_add(cmd->argv, g_steal_pointer(&value));
    return TRUE;
}

/* ---- serials ---------------------------------------------------------------------------- */

/* A serial port, or with @console a console of type serial standing in for
 * the first one. */
static gboolean
qemu_cmd_build_serial(QemuCmd *cmd, const DomainChrDef *chr, guint idx, gboolean console,
                      GError **error)
{
    g_autofree char *alias = chr->info.alias && !console ? g_strdup(chr->info.alias)
                                                         : g_strdup_printf("serial%u", idx);
    g_autofree char *charid = g_strdup_printf("char%s", alias);
    g_autofree char *what = g_strdup_printf("serial '%s'", alias);
    const char *target = chr->target_type && !console ? chr->target_type : "isa-serial";
    g_autoptr(QemuProps) p = qemu_props_new();
    g_autofree char *bus = NULL;

    if (!g_str_equal(target, "isa-serial") && !g_str_equal(target, "usb-serial") &&
        !g_str_equal(target, "pci-serial")) {
        qemu_cmd_unsupported(error, "unsupported serial target type '%s'", target);
        return FALSE;
    }
    if (chr->target_model && !console && !g_str_equal(chr->target_model, target)) {
        qemu_cmd_unsupported(error, "unsupported serial target model '%s'", chr->target_model);
        return FALSE;
    }
    if (!qemu_cmd_add_chardev(cmd, &chr->source, charid, what, error))
        return FALSE;
    qemu_props_str(p, "driver", target);
    if (g_str_equal(target, "usb-serial")) {
        if (!(bus = qemu_cmd_usb_bus(cmd, &chr->info, "a usb-serial port", error)))
            return FALSE;
        qemu_props_str(p, "bus", bus);
        qemu_props_str(p, "port", chr->info.addr.usb_port);
    }
    qemu_props_str(p, "chardev", charid);
    qemu_props_str(p, "id", alias);
    if (g_str_equal(target, "isa-serial"))
        qemu_props_uint(p, "index", chr->target_port >= 0 ? (guint)chr->target_port : idx);
    if (g_str_equal(target, "pci-serial"))
        qemu_cmd_pci_props(cmd, p, chr);
    qemu_cmd_add_json(cmd, "-device", g_steal_pointer(&p));
    return TRUE;
}

gboolean
qemu_cmd_build_serials(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;

    for (guint i = 0; i < def->serials->len; i++) {
        if (!qemu_cmd_build_serial(cmd, g_ptr_array_index(def->serials, i), i, FALSE, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- channels and virtio consoles ---------------------------------------------------------- */

static gboolean
qemu_cmd_build_virtio_port(QemuCmd *cmd, const DomainChrDef *chr, const char *alias,
                           const char *driver, GError **error)
{
    g_autofree char *charid = g_strdup_printf("char%s", alias);
    g_autofree char *bus = qemu_cmd_virtio_serial_bus(cmd, &chr->info);
    g_autofree char *what = g_strdup_printf("%s '%s'", g_str_equal(driver, "virtconsole")
                                            ? "console" : "channel",
                                            chr->target_name ? chr->target_name : alias);
    QemuProps *p;

    if (!qemu_cmd_add_chardev(cmd, &chr->source, charid, what, error))
        return FALSE;
    p = qemu_props_new();
    qemu_props_str(p, "driver", driver);
    qemu_props_str(p, "bus", bus);
    if (chr->info.addr.type == DOMAIN_ADDR_VIRTIO_SERIAL && chr->info.addr.port > 0)
        qemu_props_uint(p, "nr", chr->info.addr.port);
    qemu_props_str(p, "chardev", charid);
    qemu_props_str(p, "id", alias);
    qemu_props_str(p, "name", chr->target_name);
    qemu_cmd_add_json(cmd, "-device", p);
    return TRUE;
}

gboolean
qemu_cmd_build_channels(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;

    for (guint i = 0; i < def->channels->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->channels, i);
        g_autofree char *alias = chr->info.alias ? g_strdup(chr->info.alias)
                                                 : g_strdup_printf("channel%u", i);

        if (chr->target_type && !g_str_equal(chr->target_type, "virtio")) {
            qemu_cmd_unsupported(error, "unsupported channel target type '%s'",
                                 chr->target_type);
            return FALSE;
        }
        if (!qemu_cmd_build_virtio_port(cmd, chr, alias, "virtserialport", error))
            return FALSE;
    }
    return TRUE;
}

gboolean
qemu_cmd_build_consoles(QemuCmd *cmd, GError **error)
{
    const DomainDef *def = cmd->def;

    for (guint i = 0; i < def->consoles->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->consoles, i);
        const char *target = chr->target_type ? chr->target_type : "serial";
        g_autofree char *alias = chr->info.alias ? g_strdup(chr->info.alias)
                                                 : g_strdup_printf("console%u", i);

        if (g_str_equal(target, "serial")) {
            /* the first console is the first serial port itself */
            if (i == 0 && def->serials->len > 0)
                continue;
            if (i == 0) {
                if (!qemu_cmd_build_serial(cmd, chr, 0, TRUE, error))
                    return FALSE;
                continue;
            }
            qemu_cmd_unsupported(error, "only the first console can be a serial port");
            return FALSE;
        }
        if (!g_str_equal(target, "virtio")) {
            qemu_cmd_unsupported(error, "unsupported console target type '%s'", target);
            return FALSE;
        }
        if (!qemu_cmd_build_virtio_port(cmd, chr, alias, "virtconsole", error))
            return FALSE;
    }
    return TRUE;
}
