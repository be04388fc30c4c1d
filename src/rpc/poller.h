/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poller.h: one GSource for all the sockets a GMainContext watches.
 *
 * GLib's own fd sources cost, per main-loop iteration, a walk over every
 * source (prepare, query, check) and a poll() over every fd, which grows with
 * the number of connections; and changing a source's events, or dispatching
 * one that may not recurse, wakes the context (an eventfd write and read).
 * The poller keeps every watched socket in one epoll set instead, behind a
 * single source that installs the context's poll function: when GLib's only
 * fd is its wake-up fd, that joins the set and epoll_wait() is the whole
 * poll; otherwise the epoll fd joins GLib's fds in poll().  Adding a watch
 * or changing its events from another thread needs no wake-up.
 */
#pragma once

#include <glib.h>

typedef struct _MvRpcPollerWatch MvRpcPollerWatch;

/*
 * Called on the thread iterating the context.  @revents: what epoll_wait()
 * (or, for an fd epoll refused, poll()) reported: G_IO_HUP and G_IO_ERR
 * whatever the events asked for, a closed fd as both; or 0 when the watch
 * was only woken (mv_rpc_poller_watch_wake).
 */
typedef void (*MvRpcPollerFunc)(MvRpcPollerWatch *watch, GIOCondition revents, gpointer opaque);

/* Watch @fd on @ctx.  @destroy(@opaque) runs once the watch is destroyed and
 * no callback runs any more.  Any thread. */
MvRpcPollerWatch *mv_rpc_poller_watch_new(GMainContext *ctx, int fd, GIOCondition events,
                                          MvRpcPollerFunc func, gpointer opaque,
                                          GDestroyNotify destroy);
/* Change the events watched.  Any thread. */
void mv_rpc_poller_watch_set_events(MvRpcPollerWatch *watch, GIOCondition events);
/* Run the callback on the next iteration, events or not.  Any thread. */
void mv_rpc_poller_watch_wake(MvRpcPollerWatch *watch);
/* Stop watching (before the fd is closed) and drop the creator's reference.
 * On the thread iterating the context, or with no thread iterating, the
 * callback never runs again; from another thread, one already dispatching
 * may still be running, and while that thread polls, the last reference (with
 * @destroy) goes only when its poll returns, on that thread. */
void mv_rpc_poller_watch_destroy(MvRpcPollerWatch *watch);

/* How many fds the context's poller watches (tests). */
guint mv_rpc_poller_count(GMainContext *ctx);
