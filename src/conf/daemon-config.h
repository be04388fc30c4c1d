/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemon-config.h: a daemon's configuration file (GKeyFile INI).
 *
 * Every key lives in a table (group, key, type, field); one generic loader
 * reads them.  Unknown keys are reported as warnings; a bad value is an
 * error naming the group, key and value, and the daemon does not start.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

typedef struct {
    /* [server]: the daemon's main RPC server */
    guint max_clients;
    guint max_anonymous_clients;
    guint min_workers;
    guint max_workers;
    guint prio_workers;
    guint max_client_requests;
    guint keepalive_interval;
    guint keepalive_count;
    /* [admin]: the admin server */
    guint admin_max_clients;
    guint admin_min_workers;
    guint admin_max_workers;
    guint admin_max_client_requests;
    /* [sockets] */
    mode_t unix_sock_rw_perms;
    mode_t unix_sock_ro_perms;
    mode_t unix_sock_admin_perms;
    /* [logging] */
    guint log_level;
    char *log_filters;
    char *log_outputs;
} DaemonConfig;

void daemon_config_init(DaemonConfig *cfg);
void daemon_config_clear(DaemonConfig *cfg);
/* Load @path into @cfg (defaults for what it does not set).  A missing file
 * is fine when !@must_exist.  Unknown keys are appended to @ret_warnings. */
gboolean daemon_config_load(DaemonConfig *cfg, const char *path, gboolean must_exist,
                            GPtrArray *ret_warnings, GError **error);
/* One "group.key = value" line per setting, for tests. */
char *daemon_config_dump(const DaemonConfig *cfg);
