/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-daemon.h: the servers of one daemon, its main loop, signals and idle
 * exit.
 */
#pragma once

#include <glib.h>

#include "rpc/server.h"

MvNetDaemon *mv_net_daemon_new(GMainContext *ctx);
void mv_net_daemon_free(MvNetDaemon *nd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetDaemon, mv_net_daemon_free)

void mv_net_daemon_add_server(MvNetDaemon *nd, MvServer *srv);
/* The servers, in the order they were added (borrowed). */
GPtrArray *mv_net_daemon_get_servers(MvNetDaemon *nd);
MvServer *mv_net_daemon_lookup_server(MvNetDaemon *nd, const char *name);

/* Exit after @seconds without clients and inhibitions (0: never). */
void mv_net_daemon_set_timeout(MvNetDaemon *nd, guint seconds);
guint mv_net_daemon_get_timeout(MvNetDaemon *nd);
/* Something (a running domain...) keeps the daemon alive.  Thread-safe. */
void mv_net_daemon_inhibit(MvNetDaemon *nd);
void mv_net_daemon_uninhibit(MvNetDaemon *nd);
guint mv_net_daemon_get_inhibitions(MvNetDaemon *nd);

/* Called in the main loop on SIGHUP ("systemctl reload"). */
typedef void (*MvNetDaemonReloadFunc)(gpointer opaque);
void mv_net_daemon_set_reload_func(MvNetDaemon *nd, MvNetDaemonReloadFunc func,
                                   gpointer opaque);

/* Run until SIGTERM/SIGINT, mv_net_daemon_quit() or the idle timeout;
 * SIGHUP calls the reload function instead of ending the daemon. */
void mv_net_daemon_run(MvNetDaemon *nd);
void mv_net_daemon_quit(MvNetDaemon *nd);
/* Whether the last run ended because of the idle timeout. */
gboolean mv_net_daemon_timed_out(MvNetDaemon *nd);
