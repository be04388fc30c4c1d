/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-validate.c: the checks libvirt runs on a definition at define
 * and create time (never on status XML): chardev sources and <reconnect>,
 * duplicate disk targets, network disk hosts.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "util/error.h"

static gboolean
domain_validate_reconnect(const DomainChrSourceDef *src, GError **error)
{
    if (src->reconnect.enabled == DOMAIN_TRISTATE_ABSENT)
        return TRUE;
    /* any <reconnect>, even enabled='no', contradicts listening */
    if (src->mode == DOMAIN_CHR_MODE_BIND) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                     "chardev reconnect is possible only for connect mode");
        return FALSE;
    }
    if (src->reconnect.enabled == DOMAIN_TRISTATE_YES && src->reconnect.timeout == 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                     "chardev reconnect source timeout cannot be '0'");
        return FALSE;
    }
    return TRUE;
}

/* @path_optional: virtio/xen channels, whose unix path modvirt generates. */
static gboolean
domain_validate_chr_source(const DomainChrSourceDef *src, gboolean path_optional,
                           GError **error)
{
    switch (src->type) {
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_FILE:
    case DOMAIN_CHR_TYPE_PIPE:
        if (!src->path) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "Missing source path attribute for char device");
            return FALSE;
        }
        return TRUE;
    case DOMAIN_CHR_TYPE_TCP:
        if (!src->host && src->mode == DOMAIN_CHR_MODE_CONNECT) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "Missing source host attribute for char device");
            return FALSE;
        }
        if (!src->service) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "Missing source service attribute for char device");
            return FALSE;
        }
        return domain_validate_reconnect(src, error);
    case DOMAIN_CHR_TYPE_UNIX:
        if (!src->path && !path_optional) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "Missing source path attribute for char device");
            return FALSE;
        }
        return domain_validate_reconnect(src, error);
    case DOMAIN_CHR_TYPE_NULL:
    case DOMAIN_CHR_TYPE_VC:
    case DOMAIN_CHR_TYPE_PTY:
    case DOMAIN_CHR_TYPE_STDIO:
    case DOMAIN_CHR_TYPE_LAST:
    default:
        return TRUE;
    }
}

static gboolean
domain_validate_chr(const DomainChrDef *chr, GError **error)
{
    gboolean path_optional = chr->device_type == DOMAIN_CHR_DEVICE_CHANNEL &&
                             (g_strcmp0(chr->target_type, "virtio") == 0 ||
                              g_strcmp0(chr->target_type, "xen") == 0);

    if (chr->device_type == DOMAIN_CHR_DEVICE_CHANNEL &&
        g_strcmp0(chr->target_type, "guestfwd") == 0 &&
        (!chr->target_address || chr->target_port < 0)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "guestfwd channel requires target address and port");
        return FALSE;
    }
    return domain_validate_chr_source(&chr->source, path_optional, error);
}

static gboolean
domain_validate_disks(const DomainDef *def, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *d = g_ptr_array_index(def->disks, i);

        for (guint j = i + 1; j < def->disks->len; j++) {
            const DomainDiskDef *o = g_ptr_array_index(def->disks, j);

            if (g_str_equal(d->dst, o->dst)) {
                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                             "target '%s' duplicated for disk sources '%s' and '%s'", d->dst,
                             d->path ? d->path : "", o->path ? o->path : "");
                return FALSE;
            }
        }
        if (d->type == DOMAIN_DISK_TYPE_NETWORK && g_strcmp0(d->protocol, "iscsi") == 0 &&
            d->hosts->len != 1) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "protocol 'iscsi' accepts only one host");
            return FALSE;
        }
    }
    return TRUE;
}

/* As libvirt's QEMU driver, at define time: QEMU refuses it at start. */
static gboolean
domain_validate_topology(const DomainDef *def, GError **error)
{
    const DomainCPUDef *cpu = def->cpu;

    if (!cpu || cpu->sockets == 0)
        return TRUE;
    if ((guint64)cpu->sockets * (cpu->dies ? cpu->dies : 1) * cpu->cores * cpu->threads !=
        def->vcpus_max) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "CPU topology doesn't match maximum vcpu count");
        return FALSE;
    }
    return TRUE;
}

gboolean
domain_def_validate(const DomainDef *def, const DomainXMLOptions *opts, GError **error)
{
    GPtrArray *chrs[] = { def->serials, def->consoles, def->channels };

    for (guint l = 0; l < G_N_ELEMENTS(chrs); l++) {
        for (guint i = 0; i < chrs[l]->len; i++) {
            if (!domain_validate_chr(g_ptr_array_index(chrs[l], i), error))
                return FALSE;
        }
    }
    for (guint i = 0; i < def->rngs->len; i++) {
        const DomainRNGDef *rng = g_ptr_array_index(def->rngs, i);

        if (rng->backend == DOMAIN_RNG_BACKEND_EGD &&
            !domain_validate_chr_source(&rng->egd, FALSE, error))
            return FALSE;
    }
    return domain_validate_topology(def, error) && domain_validate_disks(def, error);
}
