/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <unistd.h>

#include <glib.h>

#include "configmake.h"
#include "util/paths.h"

static char *
paths_rooted(const char *root, const char *path)
{
    if (!root)
        return g_strdup(path);
    return g_build_filename(root, path, NULL);
}

static char *
paths_base(gboolean privileged, const char *root, const char *which)
{
    if (privileged) {
        if (g_str_equal(which, "config"))
            return paths_rooted(root, SYSCONFDIR "/modvirt");
        if (g_str_equal(which, "run"))
            return paths_rooted(root, RUNSTATEDIR "/modvirt");
        if (g_str_equal(which, "state"))
            return paths_rooted(root, LOCALSTATEDIR "/lib/modvirt");
        if (g_str_equal(which, "log"))
            return paths_rooted(root, LOCALSTATEDIR "/log/modvirt");
        return paths_rooted(root, LOCALSTATEDIR "/cache/modvirt");
    }
    if (root) {
        /* A rooted session tree ignores the XDG variables. */
        return g_build_filename(root, "session", which, "modvirt", NULL);
    }
    if (g_str_equal(which, "config"))
        return g_build_filename(g_get_user_config_dir(), "modvirt", NULL);
    if (g_str_equal(which, "run"))
        return g_build_filename(g_get_user_runtime_dir(), "modvirt", NULL);
    if (g_str_equal(which, "state"))
        return g_build_filename(g_get_user_data_dir(), "modvirt", NULL);
    if (g_str_equal(which, "log"))
        return g_build_filename(g_get_user_state_dir(), "modvirt", "log", NULL);
    return g_build_filename(g_get_user_cache_dir(), "modvirt", NULL);
}

gboolean
mv_paths_default_privileged(void)
{
    return geteuid() == 0;
}

MvPaths *
mv_paths_new(gboolean privileged, const char *driver)
{
    MvPaths *p = g_new0(MvPaths, 1);
    const char *root = g_getenv("MODVIRT_ROOT");
    g_autofree char *state = NULL;

    p->privileged = privileged;
    p->root = root && *root ? g_strdup(root) : NULL;
    p->config_dir = paths_base(privileged, p->root, "config");
    p->sock_dir = paths_base(privileged, p->root, "run");
    p->log_dir = paths_base(privileged, p->root, "log");
    p->cache_dir = paths_base(privileged, p->root, "cache");
    state = paths_base(privileged, p->root, "state");
    if (driver) {
        p->run_dir = g_build_filename(p->sock_dir, driver, NULL);
        p->state_dir = g_build_filename(state, driver, NULL);
        p->def_dir = g_build_filename(p->config_dir, driver, NULL);
    } else {
        p->run_dir = g_strdup(p->sock_dir);
        p->state_dir = g_strdup(state);
        p->def_dir = g_strdup(p->config_dir);
    }
    return p;
}

void
mv_paths_free(MvPaths *p)
{
    if (!p)
        return;
    g_free(p->root);
    g_free(p->config_dir);
    g_free(p->sock_dir);
    g_free(p->run_dir);
    g_free(p->state_dir);
    g_free(p->log_dir);
    g_free(p->cache_dir);
    g_free(p->def_dir);
    g_free(p);
}

char *
mv_paths_socket(const MvPaths *paths, const char *prefix, const char *kind)
{
    g_autofree char *name = g_strdup_printf("%s-%s", prefix, kind);

    return g_build_filename(paths->sock_dir, name, NULL);
}

char *
mv_paths_sock_dir(gboolean privileged)
{
    const char *root = g_getenv("MODVIRT_ROOT");

    return paths_base(privileged, root && *root ? root : NULL, "run");
}
