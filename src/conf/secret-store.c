/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <glib.h>

#include "conf/secret-store.h"
#include "conf/xml-util.h"
#include "util/error.h"
#include "util/macros.h"
#include "util/uuid.h"

static gboolean
secret_store_matches(const char *path, const char *usage)
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

char *
secret_store_find_iscsi_usage(const char *dir, const char *usage)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    if (!d || !usage)
        return NULL;
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autofree char *stem = NULL;
        unsigned char uuid[MV_UUID_LEN];

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        stem = g_strndup(ent, strlen(ent) - 4);
        if (!mv_uuid_parse(stem, uuid))
            continue;
        path = g_build_filename(dir, ent, NULL);
        if (secret_store_matches(path, usage))
            return g_steal_pointer(&stem);
    }
    return NULL;
}

char *
secret_store_read_password(const char *dir, const char *uuid, const char *what, GError **error)
{
    g_autofree char *path = g_strdup_printf("%s/%s.base64", dir, uuid);
    g_autofree char *b64 = NULL;
    g_autofree guchar *raw = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &b64, NULL, NULL)) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET, "secret %s has no value", what);
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
