/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt-connect.h: connections to modvirt and facts about the host.
 */
#pragma once

#include <modvirt/modvirt-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MvConnect:
 *
 * A connection to modvirt (through mvproxyd, or straight to a daemon).
 * Opaque; thread-safe.
 *
 * Since: 0.1
 */
typedef struct _MvConnect MvConnect;

/**
 * MvConnectFlags:
 * @MV_CONNECT_RO: open a read-only connection (the -sock-ro socket)
 *
 * Since: 0.1
 */
typedef enum {
    MV_CONNECT_RO = 1 << 0,
} MvConnectFlags;

/**
 * MvNodeInfo:
 *
 * The host, as NODE_GET_INFO reports it.  Memory in KiB.
 *
 * Since: 0.1
 */
typedef struct {
    char model[32];
    unsigned long long memory;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes;
    unsigned int sockets;
    unsigned int cores;
    unsigned int threads;
} MvNodeInfo;

/**
 * mv_connect_open:
 * @uri: "qemu:///system", "qemu:///session", "storage:///system"...;
 *   "?socket=PATH" uses that socket as is, "?mode=direct" talks to the
 *   driver's own daemon instead of mvproxyd.  NULL means $MODVIRT_DEFAULT_URI,
 *   else qemu:///system for root and qemu:///session for others.
 * @flags: bitwise-OR of #MvConnectFlags
 *
 * Opens a connection.  In session mode (and in system mode without
 * systemd) a daemon whose socket is not there is started first.
 *
 * Returns: a new connection, or NULL (see mv_get_last_error()).
 * Since: 0.1
 */
MV_PUBLIC MvConnect *mv_connect_open(const char *uri, unsigned int flags);

/**
 * mv_connect_close:
 * @conn: a connection
 *
 * Drops a reference; the connection closes with the last one.
 *
 * Returns: the references left, or -1 on error.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_close(MvConnect *conn);
/** mv_connect_ref: Since: 0.1 */
MV_PUBLIC int mv_connect_ref(MvConnect *conn);

/** mv_connect_get_uri: Returns: the URI (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_connect_get_uri(MvConnect *conn);
/** mv_connect_get_hostname: Returns: the host's name (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_connect_get_hostname(MvConnect *conn);
/** mv_connect_get_type: Returns: the driver type ("QEMU"; caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_connect_get_type(MvConnect *conn);
/**
 * mv_connect_get_version:
 * @ret_version: the hypervisor's version, major * 1000000 + minor * 1000 + micro
 *
 * Returns: 0, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_get_version(MvConnect *conn, unsigned long long *ret_version);
/** mv_connect_get_lib_version: the daemon's modvirt version.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_get_lib_version(MvConnect *conn, unsigned long long *ret_version);
/** mv_node_get_info: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_node_get_info(MvConnect *conn, MvNodeInfo *info);
/** mv_connect_get_capabilities: Returns: the capabilities XML (caller frees).  Since: 0.1 */
MV_PUBLIC char *mv_connect_get_capabilities(MvConnect *conn);
/** mv_connect_get_sysinfo: @flags: 0.  Returns: the sysinfo XML (caller frees).  Since: 0.1 */
MV_PUBLIC char *mv_connect_get_sysinfo(MvConnect *conn, unsigned int flags);
/** mv_connect_is_alive: Returns: 1 if open, 0 if closed, -1 on error.  Since: 0.1 */
MV_PUBLIC int mv_connect_is_alive(MvConnect *conn);
/** mv_connect_is_secure: Returns: 1 for a local connection.  Since: 0.1 */
MV_PUBLIC int mv_connect_is_secure(MvConnect *conn);

/**
 * mv_connect_set_keepalive:
 * @interval: seconds of silence before a ping (0 disables)
 * @count: unanswered pings before the connection is declared dead
 *
 * Returns: 0, 1 if the server does not support keepalive, -1 on error.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_set_keepalive(MvConnect *conn, int interval, unsigned int count);

/**
 * MvConnectCloseFunc:
 * @reason: 0 error, 1 end of file, 2 keepalive, 3 the client closed
 *
 * Since: 0.1
 */
typedef void (*MvConnectCloseFunc)(MvConnect *conn, int reason, void *opaque);

/**
 * mv_connect_register_close_callback:
 *
 * Call @cb (from the event loop, see mv_event_run_default_impl()) when the
 * connection closes for any reason but mv_connect_close().
 *
 * Returns: 0, or -1 (one callback at a time).
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_register_close_callback(MvConnect *conn, MvConnectCloseFunc cb,
                                                 void *opaque, void (*freecb)(void *));
/** mv_connect_unregister_close_callback: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_unregister_close_callback(MvConnect *conn, MvConnectCloseFunc cb);

/**
 * mv_event_get_fd:
 *
 * Event loop integration: callbacks (events, close callbacks, stream
 * notifications) are queued by the library and run by
 * mv_event_dispatch_pending(), from the application's thread.  The returned
 * fd becomes readable whenever something is queued; poll it in any event
 * loop.
 *
 * Returns: a file descriptor owned by the library.
 * Since: 0.1
 */
MV_PUBLIC int mv_event_get_fd(void);
/** mv_event_dispatch_pending: run the queued callbacks.  Returns: how many ran.  Since: 0.1 */
MV_PUBLIC int mv_event_dispatch_pending(void);
/**
 * mv_event_run_default_impl:
 * @timeout_ms: how long to wait for something to run (-1: forever)
 *
 * Wait for queued callbacks and run them: the simplest event loop.
 *
 * Returns: how many callbacks ran, or -1 on error.
 * Since: 0.1
 */
MV_PUBLIC int mv_event_run_default_impl(int timeout_ms);

#ifdef __cplusplus
}
#endif
