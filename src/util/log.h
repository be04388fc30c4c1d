/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h: the daemon's log configuration, changeable at runtime.
 *
 * Levels follow libvirt: 1 debug, 2 info, 3 warning, 4 error.
 * Filters:  "LEVEL:MATCH ..."       e.g. "1:rpc 3:util" (MATCH is a substring
 *                                   of the GLib log domain, such as "mv-rpc")
 * Outputs:  "LEVEL:stderr", "LEVEL:file:PATH", "LEVEL:journald", space
 *           separated.
 */
#pragma once

#include <glib.h>

typedef enum {
    MV_LOG_DEBUG = 1,
    MV_LOG_INFO = 2,
    MV_LOG_WARNING = 3,
    MV_LOG_ERROR = 4,
} MvLogLevel;

void mv_log_init(const char *progname);
void mv_log_set_default_level(int level);
int mv_log_get_default_level(void);
gboolean mv_log_set_filters(const char *filters, GError **error);
gboolean mv_log_set_outputs(const char *outputs, GError **error);
/* Returns a newly allocated string, and the number of entries. */
char *mv_log_get_filters(guint *ret_count);
char *mv_log_get_outputs(guint *ret_count);
/* The output used when none is configured. */
char *mv_log_default_output(void);
