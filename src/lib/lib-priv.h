/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib-priv.h: libmodvirt's internals shared by its files.
 */
#pragma once

#define MV_BUILDING_LIBRARY 1

#include <glib.h>

#include <modvirt/modvirt.h>

#include "remote-client-stubs.h"
#include "rpc/client.h"

typedef struct {
    char *scheme;        /* "qemu" */
    char *transport;     /* "unix" */
    char *path;          /* "/system" */
    char *socket;        /* ?socket=, or NULL */
    char *mode;          /* ?mode=: "auto", "direct", "legacy" */
    char *open_name;     /* what CONNECT_OPEN carries: "qemu:///system" */
    gboolean privileged; /* /system */
} MvUri;

gboolean mv_uri_parse(const char *uri, MvUri *out, GError **error);
void mv_uri_clear(MvUri *uri);
/* The default URI (MODVIRT_DEFAULT_URI, else by euid). */
char *mv_uri_default(void);

/* Access to a connection from the RPC I/O thread: see connect-watch.c. */
typedef struct _MvConnectWatch MvConnectWatch;

struct _MvConnect {
    gint ref;
    GMutex lock;
    char *uri;
    MvUri parsed;
    unsigned int flags;
    MvRpcClient *client;
    gboolean event_callbacks;   /* the server supports the callback-id events */
    gboolean close_callbacks;   /* ... and close callbacks */
    gboolean closing;           /* mv_connect_close() is closing it */
    int close_reason;           /* why the RPC client closed: MvConnectCloseFunc's reason */

    MvConnectCloseFunc close_cb;
    void *close_opaque;
    void (*close_free)(void *);

    GHashTable *domain_events;  /* callback id (server) -> LibEventCallback, see api-events.c */
    GHashTable *pool_events;
    MvConnectWatch *watch;      /* the I/O thread's way to this connection */
};

MvConnectWatch *mv_lib_watch_new(MvConnect *conn);
MvConnectWatch *mv_lib_watch_ref(MvConnectWatch *watch);
void mv_lib_watch_unref(gpointer watch);
/* Lock @watch; returns its connection (NULL once closing).  Unlock always. */
MvConnect *mv_lib_watch_lock(MvConnectWatch *watch);
void mv_lib_watch_unlock(MvConnectWatch *watch);
/* Detach the connection (mv_connect_close() before freeing it). */
void mv_lib_watch_clear(MvConnectWatch *watch);
/* Take a reference unless the last one is already gone. */
gboolean mv_lib_connect_try_ref(MvConnect *conn);

/* Errors: record a GError as this thread's last error (consumes it). */
void mv_lib_set_error(GError *error);
void mv_lib_reset_error(void);
/* Report a programming error by the caller: invalid argument, bad flags. */
void mv_lib_error_invalid_arg(const char *func, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
gboolean mv_lib_check_flags(const char *func, unsigned int flags, unsigned int allowed);
gboolean mv_lib_check_conn(const char *func, MvConnect *conn);
/* Refuse @proc, a procedure that changes something, on a connection opened
 * read-only (MV_CONNECT_RO), with libvirt's error. */
gboolean mv_lib_check_writable(MvConnect *conn, int proc, GError **error);

/* The queue of callbacks run by mv_event_dispatch_pending(). */
void mv_lib_event_queue(void (*func)(gpointer data), gpointer data, GDestroyNotify destroy);

/* Evaluate @call, which reports into a GError named _err, and record that
 * error as the thread's last error when it fails.  Evaluates to @call. */
#define MV_LIB_CALL(conn, call) \
    ({ \
        g_autoptr(GError) _err = NULL; \
        gboolean _ok = (call); \
        if (!_ok) \
            mv_lib_set_error(g_steal_pointer(&_err)); \
        _ok; \
    })
