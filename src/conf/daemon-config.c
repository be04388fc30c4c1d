/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "conf/daemon-config.h"
#include "util/error.h"

typedef enum {
    CONF_UINT,
    CONF_MODE,
    CONF_STRING,
    CONF_LEVEL,
} ConfType;

typedef struct {
    const char *group;
    const char *key;
    ConfType type;
    size_t offset;
    guint max;            /* CONF_UINT: the largest accepted value */
} ConfKey;

#define U(g, k, f, m) { g, k, CONF_UINT, offsetof(DaemonConfig, f), m }

static const ConfKey conf_keys[] = {
    U("server", "max_clients", max_clients, 1000000),
    U("server", "max_anonymous_clients", max_anonymous_clients, 1000000),
    U("server", "min_workers", min_workers, 1000),
    U("server", "max_workers", max_workers, 1000),
    U("server", "prio_workers", prio_workers, 1000),
    U("server", "max_client_requests", max_client_requests, 10000),
    U("server", "keepalive_interval", keepalive_interval, 3600),
    U("server", "keepalive_count", keepalive_count, 1000),
    U("admin", "max_clients", admin_max_clients, 1000000),
    U("admin", "min_workers", admin_min_workers, 1000),
    U("admin", "max_workers", admin_max_workers, 1000),
    U("admin", "max_client_requests", admin_max_client_requests, 10000),
    { "sockets", "unix_sock_rw_perms", CONF_MODE, offsetof(DaemonConfig, unix_sock_rw_perms), 0 },
    { "sockets", "unix_sock_ro_perms", CONF_MODE, offsetof(DaemonConfig, unix_sock_ro_perms), 0 },
    { "sockets", "unix_sock_admin_perms", CONF_MODE,
      offsetof(DaemonConfig, unix_sock_admin_perms), 0 },
    { "logging", "log_level", CONF_LEVEL, offsetof(DaemonConfig, log_level), 0 },
    { "logging", "log_filters", CONF_STRING, offsetof(DaemonConfig, log_filters), 0 },
    { "logging", "log_outputs", CONF_STRING, offsetof(DaemonConfig, log_outputs), 0 },
};

void
daemon_config_init(DaemonConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_clients = 5000;
    cfg->max_anonymous_clients = 20;
    cfg->min_workers = 5;
    cfg->max_workers = 20;
    cfg->prio_workers = 5;
    cfg->max_client_requests = 5;
    cfg->keepalive_interval = 5;
    cfg->keepalive_count = 5;
    cfg->admin_max_clients = 5000;
    cfg->admin_min_workers = 1;
    cfg->admin_max_workers = 5;
    cfg->admin_max_client_requests = 5;
    cfg->unix_sock_rw_perms = 0600;
    cfg->unix_sock_ro_perms = 0666;
    cfg->unix_sock_admin_perms = 0700;
    cfg->log_level = 3;
}

void
daemon_config_clear(DaemonConfig *cfg)
{
    g_clear_pointer(&cfg->log_filters, g_free);
    g_clear_pointer(&cfg->log_outputs, g_free);
}

static const ConfKey *
conf_find(const char *group, const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(conf_keys); i++) {
        if (g_str_equal(conf_keys[i].group, group) && g_str_equal(conf_keys[i].key, key))
            return &conf_keys[i];
    }
    return NULL;
}

static gboolean
conf_parse_value(DaemonConfig *cfg, const ConfKey *k, const char *path, const char *raw,
                 GError **error)
{
    g_autofree char *val = g_strstrip(g_strdup(raw));
    char *field = (char *)cfg + k->offset;
    char *end = NULL;
    guint64 v;

    switch (k->type) {
    case CONF_STRING: {
        char **dst = (char **)field;
        gsize len = strlen(val);

        /* Accept "quoted" values, as libvirt's config files have them. */
        if (len >= 2 && val[0] == '"' && val[len - 1] == '"') {
            val[len - 1] = '\0';
            memmove(val, val + 1, len - 1);
        }
        g_free(*dst);
        *dst = g_steal_pointer(&val);
        return TRUE;
    }
    case CONF_UINT:
    case CONF_LEVEL:
        errno = 0;
        v = g_ascii_strtoull(val, &end, 10);
        if (!*val || *end || errno != 0 || (k->type == CONF_UINT && v > k->max) ||
            (k->type == CONF_LEVEL && (v < 1 || v > 4))) {
            if (k->type == CONF_LEVEL)
                mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                             "%s: [%s] %s: invalid value '%s': expected a level from 1 to 4",
                             path, k->group, k->key, val);
            else
                mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                             "%s: [%s] %s: invalid value '%s': expected an integer from 0 to %u",
                             path, k->group, k->key, val, k->max);
            return FALSE;
        }
        *(guint *)field = (guint)v;
        return TRUE;
    case CONF_MODE:
        errno = 0;
        v = g_ascii_strtoull(val, &end, 8);
        if (!*val || *end || errno != 0 || v > 0777) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "%s: [%s] %s: invalid value '%s': expected an octal mode such as 0600",
                         path, k->group, k->key, val);
            return FALSE;
        }
        *(mode_t *)field = (mode_t)v;
        return TRUE;
    default:
        return FALSE;
    }
}

/* Each server's worker pool needs a worker, and no more minimum than maximum. */
static gboolean
conf_check_workers(const char *path, const char *group, guint min, guint max, GError **error)
{
    if (max == 0) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "%s: [%s] max_workers must be at least 1", path, group);
        return FALSE;
    }
    if (min > max) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "%s: [%s] min_workers (%u) exceeds max_workers (%u)", path, group, min, max);
        return FALSE;
    }
    return TRUE;
}

gboolean
daemon_config_load(DaemonConfig *cfg, const char *path, gboolean must_exist,
                   GPtrArray *ret_warnings, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) groups = NULL;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        if (!must_exist && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX, "%s: %s", path, local->message);
        return FALSE;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (size_t i = 0; groups[i]; i++) {
        g_auto(GStrv) keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);

        for (size_t j = 0; keys && keys[j]; j++) {
            const ConfKey *k = conf_find(groups[i], keys[j]);
            g_autofree char *raw = NULL;

            if (!k) {
                if (ret_warnings)
                    g_ptr_array_add(ret_warnings,
                                    g_strdup_printf("%s: unknown key '%s' in group [%s], ignored",
                                                    path, keys[j], groups[i]));
                continue;
            }
            raw = g_key_file_get_value(kf, groups[i], keys[j], NULL);
            if (!conf_parse_value(cfg, k, path, raw ? raw : "", error))
                return FALSE;
        }
    }
    return conf_check_workers(path, "server", cfg->min_workers, cfg->max_workers, error) &&
           conf_check_workers(path, "admin", cfg->admin_min_workers, cfg->admin_max_workers,
                              error);
}

char *
daemon_config_dump(const DaemonConfig *cfg)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(conf_keys); i++) {
        const ConfKey *k = &conf_keys[i];
        const char *field = (const char *)cfg + k->offset;

        g_string_append_printf(s, "%s.%s = ", k->group, k->key);
        switch (k->type) {
        case CONF_UINT:
        case CONF_LEVEL:
            g_string_append_printf(s, "%u\n", *(const guint *)field);
            break;
        case CONF_MODE:
            g_string_append_printf(s, "%04o\n", (unsigned)*(const mode_t *)field);
            break;
        case CONF_STRING: {
            const char *v = *(char *const *)field;

            g_string_append_printf(s, "%s\n", v ? v : "(null)");
            break;
        }
        default:
            break;
        }
    }
    return g_string_free(s, FALSE);
}
