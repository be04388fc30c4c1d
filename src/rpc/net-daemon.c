/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>

#include <glib.h>
#include <glib-unix.h>

#include "rpc/net-daemon.h"

struct _MvNetDaemon {
    GMainContext *ctx;
    GMainLoop *loop;
    GPtrArray *servers;
    guint timeout;
    gint inhibitions;
    GSource *idle_timer;
    gboolean timed_out;
    MvNetDaemonReloadFunc reload;
    gpointer reload_opaque;
    GSource *signals[3];
    gboolean stop_signalled;     /* SIGTERM/SIGINT, maybe before the loop ran */
};

static void net_daemon_update_idle(MvNetDaemon *nd);
static void net_daemon_watch_signals(MvNetDaemon *nd);

MvNetDaemon *
mv_net_daemon_new(GMainContext *ctx)
{
    MvNetDaemon *nd = g_new0(MvNetDaemon, 1);

    nd->ctx = g_main_context_ref(ctx);
    nd->loop = g_main_loop_new(ctx, FALSE);
    nd->servers = g_ptr_array_new_with_free_func((GDestroyNotify)mv_server_unref);
    net_daemon_watch_signals(nd);
    return nd;
}

void
mv_net_daemon_free(MvNetDaemon *nd)
{
    if (!nd)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(nd->signals); i++) {
        g_source_destroy(nd->signals[i]);
        g_source_unref(nd->signals[i]);
    }
    if (nd->idle_timer) {
        g_source_destroy(nd->idle_timer);
        g_source_unref(nd->idle_timer);
    }
    for (guint i = 0; i < nd->servers->len; i++)
        mv_server_close(g_ptr_array_index(nd->servers, i));
    g_ptr_array_unref(nd->servers);
    g_main_loop_unref(nd->loop);
    g_main_context_unref(nd->ctx);
    g_free(nd);
}

static void
net_daemon_client_count_changed(MvServer *srv, gpointer opaque)
{
    net_daemon_update_idle(opaque);
}

void
mv_net_daemon_add_server(MvNetDaemon *nd, MvServer *srv)
{
    g_ptr_array_add(nd->servers, mv_server_ref(srv));
    mv_server_set_client_count_cb(srv, net_daemon_client_count_changed, nd);
}

GPtrArray *
mv_net_daemon_get_servers(MvNetDaemon *nd)
{
    return nd->servers;
}

MvServer *
mv_net_daemon_lookup_server(MvNetDaemon *nd, const char *name)
{
    for (guint i = 0; i < nd->servers->len; i++) {
        MvServer *srv = g_ptr_array_index(nd->servers, i);

        if (g_str_equal(mv_server_get_name(srv), name))
            return srv;
    }
    return NULL;
}

static gboolean
net_daemon_idle_fired(gpointer data)
{
    MvNetDaemon *nd = data;

    g_source_unref(nd->idle_timer);
    nd->idle_timer = NULL;
    if (nd->timeout && g_atomic_int_get(&nd->inhibitions) == 0) {
        guint clients = 0;

        for (guint i = 0; i < nd->servers->len; i++)
            clients += mv_server_client_count(g_ptr_array_index(nd->servers, i));
        if (clients == 0) {
            g_info("no clients for %u seconds: exiting", nd->timeout);
            nd->timed_out = TRUE;
            g_main_loop_quit(nd->loop);
        }
    }
    return G_SOURCE_REMOVE;
}

static gboolean
net_daemon_update_idle_cb(gpointer data)
{
    MvNetDaemon *nd = data;
    guint clients = 0;
    gboolean idle;

    for (guint i = 0; i < nd->servers->len; i++)
        clients += mv_server_client_count(g_ptr_array_index(nd->servers, i));
    idle = nd->timeout > 0 && clients == 0 && g_atomic_int_get(&nd->inhibitions) == 0;
    if (idle && !nd->idle_timer) {
        nd->idle_timer = g_timeout_source_new_seconds(nd->timeout);
        g_source_set_callback(nd->idle_timer, net_daemon_idle_fired, nd, NULL);
        g_source_attach(nd->idle_timer, nd->ctx);
    } else if (!idle && nd->idle_timer) {
        g_source_destroy(nd->idle_timer);
        g_source_unref(nd->idle_timer);
        nd->idle_timer = NULL;
    }
    return G_SOURCE_REMOVE;
}

static void
net_daemon_update_idle(MvNetDaemon *nd)
{
    g_main_context_invoke(nd->ctx, net_daemon_update_idle_cb, nd);
}

void
mv_net_daemon_set_timeout(MvNetDaemon *nd, guint seconds)
{
    nd->timeout = seconds;
    net_daemon_update_idle(nd);
}

guint
mv_net_daemon_get_timeout(MvNetDaemon *nd)
{
    return nd->timeout;
}

void
mv_net_daemon_inhibit(MvNetDaemon *nd)
{
    g_atomic_int_inc(&nd->inhibitions);
    net_daemon_update_idle(nd);
}

void
mv_net_daemon_uninhibit(MvNetDaemon *nd)
{
    g_atomic_int_add(&nd->inhibitions, -1);
    net_daemon_update_idle(nd);
}

guint
mv_net_daemon_get_inhibitions(MvNetDaemon *nd)
{
    return g_atomic_int_get(&nd->inhibitions);
}

static gboolean
net_daemon_signal(gpointer data)
{
    MvNetDaemon *nd = data;

    g_info("signal received: shutting down");
    nd->stop_signalled = TRUE;
    g_main_loop_quit(nd->loop);
    return G_SOURCE_CONTINUE;
}

/*
 * SIGHUP is what "systemctl reload" sends (ExecReload=).  Its default action
 * would end the daemon with a signal systemd counts as a clean exit, so
 * Restart=on-failure would not even bring it back.
 */
static gboolean
net_daemon_sighup(gpointer data)
{
    MvNetDaemon *nd = data;

    g_info("SIGHUP received: reloading");
    if (nd->reload)
        nd->reload(nd->reload_opaque);
    return G_SOURCE_CONTINUE;
}

void
mv_net_daemon_set_reload_func(MvNetDaemon *nd, MvNetDaemonReloadFunc func, gpointer opaque)
{
    nd->reload = func;
    nd->reload_opaque = opaque;
}

/*
 * Watched from creation on, not from mv_net_daemon_run(): a SIGTERM that
 * arrives while the daemon still starts (right after READY=1, say) is then
 * handled by the loop as soon as it runs, instead of killing the daemon
 * before it removes its sockets and pid file.
 */
static void
net_daemon_watch_signals(MvNetDaemon *nd)
{
    const int signums[] = { SIGTERM, SIGINT, SIGHUP };

    G_STATIC_ASSERT(G_N_ELEMENTS(signums) == G_N_ELEMENTS(nd->signals));
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < G_N_ELEMENTS(signums); i++) {
        nd->signals[i] = g_unix_signal_source_new(signums[i]);
        g_source_set_callback(nd->signals[i],
                              signums[i] == SIGHUP ? net_daemon_sighup : net_daemon_signal,
                              nd, NULL);
        g_source_attach(nd->signals[i], nd->ctx);
    }
}

void
mv_net_daemon_run(MvNetDaemon *nd)
{
    net_daemon_update_idle(nd);
    nd->timed_out = FALSE;
    if (!nd->stop_signalled)
        g_main_loop_run(nd->loop);
}

void
mv_net_daemon_quit(MvNetDaemon *nd)
{
    g_main_loop_quit(nd->loop);
}

gboolean
mv_net_daemon_timed_out(MvNetDaemon *nd)
{
    return nd->timed_out;
}
