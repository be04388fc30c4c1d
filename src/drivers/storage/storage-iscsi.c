/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-iscsi.c: portals, LUN names and CHAP secrets of iSCSI pools.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "conf/xml-util.h"
#include "drivers/storage/storage-iscsi.h"
#include "util/error.h"
#include "util/macros.h"
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

/* Does the secret definition in @path have usage iscsi with target @usage? */
static gboolean
storage_secret_def_matches(const char *path, const char *usage)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *type = NULL;
    g_autofree char *target = NULL;
    xmlNode *node;

    if (!g_file_get_contents(path, &xml, NULL, NULL) ||
        !(doc = xml_parse_string(xml, "secret", "secret", NULL)))
        return FALSE;
    if (!(node = xml_child(xmlDocGetRootElement(doc), "usage")))
        return FALSE;
    type = xml_get_prop(node, "type");
    target = xml_child_text(node, "target");
    return MV_STREQ(type, "iscsi") && MV_STREQ(target, usage);
}

/* The UUID string of the secret whose usage is @usage, or NULL. */
static char *
storage_secret_find_usage(const char *dir, const char *usage)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    if (!d)
        return NULL;
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        unsigned char uuid[MV_UUID_LEN];
        g_autofree char *stem = NULL;

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        stem = g_strndup(ent, strlen(ent) - 4);
        if (!mv_uuid_parse(stem, uuid))
            continue;
        path = g_build_filename(dir, ent, NULL);
        if (storage_secret_def_matches(path, usage))
            return g_steal_pointer(&stem);
    }
    return NULL;
}

static char *
storage_secret_read_value(const char *dir, const char *uuid, const char *what, GError **error)
{
    g_autofree char *path = g_strdup_printf("%s/%s.base64", dir, uuid);
    g_autofree char *b64 = NULL;
    g_autofree guchar *raw = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &b64, NULL, NULL)) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                     "secret %s has no value", what);
        return NULL;
    }
    g_strstrip(b64);
    raw = g_base64_decode(b64, &len);
    if (len == 0 || memchr(raw, '\0', len)) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                     "the value of secret %s is not a usable password", what);
        return NULL;
    }
    return g_strndup((const char *)raw, len);
}

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
            uuid = storage_secret_find_usage(secrets_dir, auth->secret_usage);
    }
    if (!secrets_dir || !uuid) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                     "no secret %s for the CHAP user '%s' of storage pool '%s'", what,
                     auth->username, def->name);
        return FALSE;
    }
    if (!(*ret_password = storage_secret_read_value(secrets_dir, uuid, what, error)))
        return FALSE;
    *ret_user = g_strdup(auth->username);
    return TRUE;
}
