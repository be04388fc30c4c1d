/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * Take the sockets systemd passed us (LISTEN_FDS / LISTEN_FDNAMES).
 * Returns a table name -> fd (GINT_TO_POINTER), possibly empty; the
 * environment variables are unset so children don't see them.
 */
GHashTable *mv_systemd_take_listen_fds(void);

/*
 * Take NOTIFY_SOCKET out of the environment, so that the programs a daemon
 * starts (QEMU, dnsmasq, an autostarted daemon) do not report to its
 * service manager.  Call it before any thread starts.  Returns the address
 * (newly allocated), or NULL when there is no service manager to notify.
 */
char *mv_systemd_take_notify_socket(void);

/*
 * Send @state ("READY=1", "STOPPING=1\nSTATUS=...") to @notify_socket, as
 * sd_notify() does; a no-op returning 0 when @notify_socket is NULL.
 * Returns 0 or -errno.
 */
int mv_systemd_notify(const char *notify_socket, const char *state);
