/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote-daemon.h: what the remote program's server side knows of the
 * daemon it runs in, and the per-client state it keeps.
 */
#pragma once

#include <glib.h>

#include "rpc/net-daemon.h"
#include "rpc/server.h"
#include "util/paths.h"

typedef struct _RemoteDaemon RemoteDaemon;
typedef struct _RemoteClient RemoteClient;

/* What each daemon's driver tells the connection-level procedures. */
typedef struct {
    const char *name;            /* "qemu", "storage", "network" */
    const char *type;            /* CONNECT_GET_TYPE: "QEMU" */
    /* CONNECT_GET_VERSION (the hypervisor's version for qemu): 0, -1 on
     * error, or - only when !@may_block - 1 when answering means waiting. */
    int (*get_version)(RemoteDaemon *rd, gboolean may_block, guint64 *ret_version,
                       GError **error);
    /* CONNECT_GET_CAPABILITIES. */
    char *(*get_capabilities)(RemoteDaemon *rd, GError **error);
    /* Driver-specific per-client cleanup (event callbacks...). */
    void (*client_closed)(RemoteDaemon *rd, MvServerClient *client);
} RemoteDriver;

struct _RemoteDaemon {
    const RemoteDriver *driver;
    MvNetDaemon *net;
    MvServer *srv;               /* the daemon's main server */
    MvServer *admin;
    MvPaths *paths;
    gboolean privileged;
    char *daemon_name;           /* "mvqemud" */
    gpointer driver_state;
};

#define REMOTE_EVENT_MAX_REGS 1024

typedef enum {
    REMOTE_EVENT_DOMAIN,
    REMOTE_EVENT_STORAGE_POOL,
    REMOTE_EVENT_NETWORK,
    REMOTE_EVENT_KIND_LAST,
} RemoteEventKind;

typedef struct {
    RemoteEventKind kind;
    int callback_id;
    int event_id;
    gboolean legacy;             /* REGISTER_ANY without callback ids */
    gboolean has_filter;
    unsigned char uuid[16];
} RemoteEventReg;

struct _RemoteClient {
    GMutex lock;
    RemoteDaemon *rd;
    MvServerClient *client;      /* borrowed: the client owns us */
    char *uri;
    guint open_flags;
    gboolean close_callback;
    GArray *events;              /* RemoteEventReg */
    int next_callback_id;
};

RemoteDaemon *remote_daemon_get(MvServerClient *client);
RemoteClient *remote_client_get(MvServerClient *client);

/* Install the remote program's per-client state on @srv. */
void remote_server_setup(MvServer *srv, RemoteDaemon *rd);

/* The URI a client gets when it opens with an empty name. */
char *remote_default_uri(RemoteDaemon *rd);

/* Events ---------------------------------------------------------------- */

/* Register; returns the callback id, or -1 with @error set. */
int remote_event_register(RemoteClient *rc, RemoteEventKind kind, int event_id,
                          const unsigned char *filter_uuid, gboolean legacy, GError **error);
gboolean remote_event_deregister(RemoteClient *rc, RemoteEventKind kind, int callback_id,
                                 GError **error);
/* Legacy deregistration is by event id. */
gboolean remote_event_deregister_legacy(RemoteClient *rc, RemoteEventKind kind, int event_id,
                                        GError **error);

typedef void (*RemoteEventFunc)(MvServerClient *client, const RemoteEventReg *reg,
                                gpointer opaque);
/* Call @func for every registration of every client of @rd's server that
 * wants (@kind, @event_id) for an object with @uuid. */
void remote_event_foreach(RemoteDaemon *rd, RemoteEventKind kind, int event_id,
                          const unsigned char *uuid, RemoteEventFunc func, gpointer opaque);

/* What a daemon's driver library hands to the shared daemon main. */
typedef struct {
    const char *name;                    /* "qemu", "storage", "network", "proxy" */
    const RemoteDriver *remote;          /* NULL for the proxy */
    const MvServerProgram *program;      /* the remote program's table, or NULL */
    /* Set the main server up differently (the proxy forwards packets). */
    gboolean (*setup)(RemoteDaemon *rd, GError **error);
    /* Load state (definitions, running objects, autostart) before READY=1. */
    gboolean (*init)(RemoteDaemon *rd, GError **error);
    void (*shutdown)(RemoteDaemon *rd);
    /* SIGHUP ("systemctl reload"): re-read definitions.  Optional. */
    void (*reload)(RemoteDaemon *rd);
} MvDaemonDriver;
