/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-iscsi.c: portals, LUN names and CHAP secrets of iSCSI pools.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "conf/secret-store.h"
#include "drivers/storage/storage-iscsi.h"
#include "util/error.h"
#include "util/uuid.h"

/* ---- portal ------------------------------------------------------------- */

static gboolean
storage_iscsi_parse_port(const char *str, const char *name, guint *ret_port, GError **error)
{
    guint64 port;

    if (!g_ascii_string_to_unsigned(str, 10, 1, 65535, &port, NULL)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "invalid port '%s' in storage pool host name '%s'", str, name);
        return FALSE;
    }
    *ret_port = (guint)port;
    return TRUE;
}

/* Split "h", "h:p", "[v6]", "[v6]:p" or "v6" into host and port (0: none). */
static gboolean
storage_iscsi_split_host(const char *name, char **ret_host, guint *ret_port, GError **error)
{
    const char *colon;

    *ret_port = 0;
    if (name[0] == '[') {
        const char *end = strchr(name, ']');

        if (!end || (end[1] != '\0' && end[1] != ':')) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "invalid storage pool host name '%s'", name);
            return FALSE;
        }
        if (end[1] == ':' && !storage_iscsi_parse_port(end + 2, name, ret_port, error))
            return FALSE;
        *ret_host = g_strndup(name + 1, end - name - 1);
        return TRUE;
    }
    colon = strchr(name, ':');
    if (!colon || strchr(colon + 1, ':')) {
        /* no port, or a bare IPv6 address */
        *ret_host = g_strdup(name);
        return TRUE;
    }
    if (!storage_iscsi_parse_port(colon + 1, name, ret_port, error))
        return FALSE;
    *ret_host = g_strndup(name, colon - name);
    return TRUE;
}

gboolean
storage_iscsi_portal(const StoragePoolDef *def, char **ret_host, guint *ret_port,
                     GError **error)
{
    const StoragePoolSourceHost *h;
    g_autofree char *host = NULL;
    guint name_port;

    if (def->source.hosts->len != 1) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool '%s' needs exactly one source host, not %u", def->name,
                     def->source.hosts->len);
        return FALSE;
    }
    h = g_ptr_array_index(def->source.hosts, 0);
    if (!storage_iscsi_split_host(h->name, &host, &name_port, error))
        return FALSE;
    if (!*host) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "invalid storage pool host name '%s'", h->name);
        return FALSE;
    }
    if (name_port != 0 && h->port != 0 && (guint)h->port != name_port) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "storage pool host '%s' has two ports: %u and %d", h->name, name_port,
                     h->port);
        return FALSE;
    }
    if (h->port != 0)
        *ret_port = (guint)h->port;
    else if (name_port != 0)
        *ret_port = name_port;
    else
        *ret_port = STORAGE_ISCSI_DEFAULT_PORT;
    *ret_host = g_steal_pointer(&host);
    return TRUE;
}

char *
storage_iscsi_portal_string(const char *host, guint port)
{
    if (strchr(host, ':'))
        return g_strdup_printf("[%s]:%u", host, port);
    return g_strdup_printf("%s:%u", host, port);
}

const char *
storage_iscsi_target(const StoragePoolDef *def)
{
    const StoragePoolSourceDevice *dev;

    if (def->source.devices->len != 1)
        return NULL;
    dev = g_ptr_array_index(def->source.devices, 0);
    return dev->path;
}

/* ---- LUN names ---------------------------------------------------------- */

char *
storage_iscsi_lun_path_name(const char *host, guint port, const char *iqn, guint lun)
{
    g_autofree char *portal = storage_iscsi_portal_string(host, port);

    return g_strdup_printf("ip-%s-iscsi-%s-lun-%u", portal, iqn, lun);
}

char *
storage_iscsi_lun_vol_name(guint lun)
{
    return g_strdup_printf("unit:0:0:%u", lun);
}

gboolean
storage_iscsi_vol_name_lun(const char *name, guint *ret_lun)
{
    const char *last = strrchr(name, ':');
    guint64 lun;

    if (!last || !g_ascii_string_to_unsigned(last + 1, 10, 0, G_MAXUINT32, &lun, NULL))
        return FALSE;
    *ret_lun = (guint)lun;
    return TRUE;
}

/* ---- secrets ------------------------------------------------------------ */

gboolean
storage_iscsi_chap(const StoragePoolDef *def, const char *secrets_dir, char **ret_user,
                   char **ret_password, GError **error)
{
    const StoragePoolAuth *auth = def->source.auth;
    g_autofree char *uuid = NULL;
    g_autofree char *what = NULL;
    char buf[37];

    *ret_user = NULL;
    *ret_password = NULL;
    if (!auth || auth->type == STORAGE_AUTH_NONE)
        return TRUE;
    if (auth->has_secret_uuid) {
        uuid = g_strdup(mv_uuid_format(auth->secret_uuid, buf));
        what = g_strdup_printf("with UUID '%s'", uuid);
    } else {
        what = g_strdup_printf("with usage '%s'", auth->secret_usage);
        if (secrets_dir)
            uuid = secret_store_find_iscsi_usage(secrets_dir, auth->secret_usage);
    }
    if (!secrets_dir || !uuid) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                     "no secret %s for the CHAP user '%s' of storage pool '%s'", what,
                     auth->username, def->name);
        return FALSE;
    }
    if (!(*ret_password = secret_store_read_password(secrets_dir, uuid, what, error)))
        return FALSE;
    *ret_user = g_strdup(auth->username);
    return TRUE;
}

gboolean
storage_iscsi_find_check(const StoragePoolDef *spec, GError **error)
{
    if (!spec) {
        mv_error_set_literal(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                             "hostname must be specified for iscsi sources");
        return FALSE;
    }
    if (spec->source.hosts->len != 1) {
        mv_error_set_literal(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                             "Expected exactly 1 host for the storage pool");
        return FALSE;
    }
    return TRUE;
}

StoragePoolDef *
storage_iscsi_found_source(const StoragePoolDef *spec, StoragePoolType type, const char *target)
{
    StoragePoolDef *def = storage_pool_def_new(type);
    const StoragePoolSourceHost *given = g_ptr_array_index(spec->source.hosts, 0);
    StoragePoolSourceHost *host = g_new0(StoragePoolSourceHost, 1);
    StoragePoolSourceDevice *dev = g_new0(StoragePoolSourceDevice, 1);

    host->name = g_strdup(given->name);
    host->port = given->port;
    g_ptr_array_add(def->source.hosts, host);
    dev->path = g_strdup(target);
    dev->part_separator = STORAGE_TRISTATE_ABSENT;
    g_ptr_array_add(def->source.devices, dev);
    def->source.initiator_iqn = g_strdup(spec->source.initiator_iqn);
    return def;
}
