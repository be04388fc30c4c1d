/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * Take the sockets systemd passed us (LISTEN_FDS / LISTEN_FDNAMES).
 * Returns a table name -> fd (GINT_TO_POINTER), possibly empty; the
 * environment variables are unset so children don't see them.
 */
GHashTable *mv_systemd_take_listen_fds(void);
/* sd_notify(); a no-op without NOTIFY_SOCKET. */
void mv_systemd_notify(const char *state);
