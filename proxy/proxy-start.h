/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy-start.h: how the proxy reaches a daemon's socket.
 *
 * A listening daemon is connected to at once, on the calling (main)
 * thread.  When nothing listens, the daemon is started on a helper thread,
 * once however many clients wait for it; each waiter then connects itself.
 * Nothing here blocks the main loop.
 */
#pragma once

#include <glib.h>

/*
 * Called on the main thread, exactly once per request, possibly before
 * proxy_daemon_connect() returns: with a connected socket (@fd >= 0, the
 * callee owns it) or with the reason there is none (@fd < 0).
 */
typedef void (*ProxyConnectFunc)(int fd, const GError *error, gpointer opaque);

typedef struct {
    const char *daemon;       /* program name, e.g. "mvstoraged" */
    const char *path;         /* the socket to connect to */
    const char *start_path;   /* the socket a started daemon binds last (its
                               * read-write one): what a start waits for */
    const char *log_path;     /* where a started daemon's output goes */
    gboolean privileged;      /* start it with --system, else --session */
} ProxyDaemonSpec;

/* @destroy (may be NULL) frees @opaque after @func ran. */
void proxy_daemon_connect(const ProxyDaemonSpec *spec, ProxyConnectFunc func,
                          gpointer opaque, GDestroyNotify destroy);
