/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * paths.h: every file system location modvirt uses, in one place.
 *
 *                 system (privileged)                session
 *   config        SYSCONFDIR/modvirt                 $XDG_CONFIG_HOME/modvirt
 *   sockets       RUNSTATEDIR/modvirt                $XDG_RUNTIME_DIR/modvirt
 *   runtime       RUNSTATEDIR/modvirt/DRIVER         $XDG_RUNTIME_DIR/modvirt/DRIVER
 *   state         LOCALSTATEDIR/lib/modvirt/DRIVER   $XDG_DATA_HOME/modvirt/DRIVER
 *   logs          LOCALSTATEDIR/log/modvirt          $XDG_STATE_HOME/modvirt/log
 *   cache         LOCALSTATEDIR/cache/modvirt        $XDG_CACHE_HOME/modvirt
 *   definitions   SYSCONFDIR/modvirt/DRIVER          $XDG_CONFIG_HOME/modvirt/DRIVER
 *
 * The MODVIRT_ROOT environment variable prefixes every one of them (tests run
 * a whole stack inside a temporary directory that way).
 */
#pragma once

#include <glib.h>

typedef struct _MvPaths MvPaths;
struct _MvPaths {
    gboolean privileged;
    char *root;          /* MODVIRT_ROOT, or NULL */
    char *config_dir;
    char *sock_dir;
    char *run_dir;       /* per driver */
    char *state_dir;     /* per driver */
    char *log_dir;
    char *cache_dir;
    char *def_dir;       /* per driver */
};

/* @driver may be NULL (the proxy, clients). */
MvPaths *mv_paths_new(gboolean privileged, const char *driver);
void mv_paths_free(MvPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvPaths, mv_paths_free)

/* "SOCKDIR/PREFIX-sock", "-sock-ro", "-admin-sock". */
char *mv_paths_socket(const MvPaths *paths, const char *prefix, const char *kind);

/* The directory holding the sockets, without creating a MvPaths. */
char *mv_paths_sock_dir(gboolean privileged);

/* Whether we run with root privileges by default (euid 0). */
gboolean mv_paths_default_privileged(void);
