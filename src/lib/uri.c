/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uri.c: connection URIs: driver[+transport]:///system|session[?params].
 */
#include <unistd.h>

#include "lib/lib-priv.h"
#include "util/error.h"

static const char *const uri_drivers[] = { "qemu", "storage", "network", NULL };

void
mv_uri_clear(MvUri *uri)
{
    g_clear_pointer(&uri->scheme, g_free);
    g_clear_pointer(&uri->transport, g_free);
    g_clear_pointer(&uri->path, g_free);
    g_clear_pointer(&uri->socket, g_free);
    g_clear_pointer(&uri->mode, g_free);
    g_clear_pointer(&uri->open_name, g_free);
}

char *
mv_uri_default(void)
{
    const char *env = g_getenv("MODVIRT_DEFAULT_URI");

    if (env && *env)
        return g_strdup(env);
    return g_strdup(geteuid() == 0 ? "qemu:///system" : "qemu:///session");
}

gboolean
mv_uri_parse(const char *uri, MvUri *out, GError **error)
{
    g_autoptr(GUri) parsed = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GHashTable) params = NULL;
    g_autoptr(GString) rest = g_string_new(NULL);
    const char *scheme;
    const char *plus;
    const char *query;
    GHashTableIter iter;
    gpointer key, value;

    memset(out, 0, sizeof(*out));
    parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, &local);
    if (!parsed) {
        mv_error_set(error, MV_FROM_URI, MV_ERR_INVALID_ARG, "cannot parse URI '%s': %s", uri,
                     local->message);
        return FALSE;
    }
    scheme = g_uri_get_scheme(parsed);
    plus = strchr(scheme, '+');
    out->scheme = plus ? g_strndup(scheme, plus - scheme) : g_strdup(scheme);
    out->transport = g_strdup(plus ? plus + 1 : "unix");
    if (!g_strv_contains(uri_drivers, out->scheme)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: modvirt has no '%s' driver (try qemu, storage or network)", uri,
                     out->scheme);
        goto fail;
    }
    if (!g_str_equal(out->transport, "unix")) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: transport '%s' is not supported (only unix)", uri, out->transport);
        goto fail;
    }
    if (g_uri_get_host(parsed) && *g_uri_get_host(parsed)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: remote hosts are not supported over a unix socket", uri);
        goto fail;
    }
    out->path = g_strdup(g_uri_get_path(parsed));
    if (!g_str_equal(out->path, "/system") && !g_str_equal(out->path, "/session")) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: unexpected URI path '%s', try %s:///system or %s:///session", uri,
                     out->path, out->scheme, out->scheme);
        goto fail;
    }
    out->privileged = g_str_equal(out->path, "/system");
    query = g_uri_get_query(parsed);
    if (query) {
        params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &local);
        if (!params) {
            mv_error_set(error, MV_FROM_URI, MV_ERR_INVALID_ARG, "%s: bad query: %s", uri,
                         local->message);
            goto fail;
        }
        g_hash_table_iter_init(&iter, params);
        while (g_hash_table_iter_next(&iter, &key, &value)) {
            if (g_str_equal(key, "socket")) {
                out->socket = g_strdup(value);
            } else if (g_str_equal(key, "mode")) {
                if (!g_str_equal(value, "auto") && !g_str_equal(value, "direct") &&
                    !g_str_equal(value, "legacy")) {
                    mv_error_set(error, MV_FROM_URI, MV_ERR_INVALID_ARG,
                                 "%s: unknown mode '%s' (auto, direct or legacy)", uri,
                                 (const char *)value);
                    goto fail;
                }
                out->mode = g_strdup(value);
            } else {
                /* Passed on to the daemon. */
                g_string_append_printf(rest, "%s%s=%s", rest->len ? "&" : "?",
                                       (const char *)key, (const char *)value);
            }
        }
    }
    if (!out->mode)
        out->mode = g_strdup("auto");
    out->open_name = g_strdup_printf("%s://%s%s", out->scheme, out->path, rest->str);
    return TRUE;

 fail:
    mv_uri_clear(out);
    return FALSE;
}
