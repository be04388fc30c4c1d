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
};

static void net_daemon_update_idle(MvNetDaemon *nd);

MvNetDaemon *
mv_net_daemon_new(GMainContext *ctx)
{
    MvNetDaemon *nd = g_new0(MvNetDaemon, 1);

    nd->ctx = g_main_context_ref(ctx);
    nd->loop = g_main_loop_new(ctx, FALSE);
    nd->servers = g_ptr_array_new_with_free_func((GDestroyNotify)mv_server_unref);
    return nd;
}

void
mv_net_daemon_free(MvNetDaemon *nd)
{
    if (!nd)
        return;
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
    g_main_loop_quit(nd->loop);
    return G_SOURCE_CONTINUE;
}

void
mv_net_daemon_run(MvNetDaemon *nd)
{
    GSource *term = g_unix_signal_source_new(SIGTERM);
    GSource *intr = g_unix_signal_source_new(SIGINT);

    signal(SIGPIPE, SIG_IGN);
    g_source_set_callback(term, net_daemon_signal, nd, NULL);
    g_source_set_callback(intr, net_daemon_signal, nd, NULL);
    g_source_attach(term, nd->ctx);
    g_source_attach(intr, nd->ctx);
    net_daemon_update_idle(nd);
    nd->timed_out = FALSE;
    g_main_loop_run(nd->loop);
    g_source_destroy(term);
    g_source_destroy(intr);
    g_source_unref(term);
    g_source_unref(intr);
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
