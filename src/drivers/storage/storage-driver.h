/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-driver.h: the storage driver's state, shared by its files.
 *
 * On disk:
 *   <def_dir>/NAME.xml             persistent pool definitions (inactive XML)
 *   <def_dir>/autostart/NAME.xml   -> ../NAME.xml for autostarted pools
 *   <run_dir>/NAME.xml             each active pool's live XML (state file):
 *                                  what comes back active after a restart
 *   <run_dir>/NAME.d/              a directory per pool for its backend
 *   <config_dir>/storage.conf      driver settings ([storage] group)
 * Every write is atomic (temporary file, fsync, rename).
 */
#pragma once

#include <glib.h>

#include "drivers/storage/storage-backend.h"
#include "drivers/storage/storage-pool-obj.h"
#include "remote/remote-daemon.h"

/* Defaults of the storage.conf settings. */
#define STORAGE_DEFAULT_REFRESH_TIMEOUT_MS 30000
#define STORAGE_DEFAULT_JOB_TIMEOUT_MS 60000
#define STORAGE_DEFAULT_JOB_WAIT_MS 30000
/* How long after the daemon's start calls wait for the pools it brings back. */
#define STORAGE_RESTORE_WAIT_MS 5000

struct _StorageDriver {
    RemoteDaemon *rd;
    gboolean privileged;
    StoragePoolList *pools;
    GMutex define_lock;          /* define, undefine, create: one at a time */
    char *config_dir;            /* persistent definitions */
    char *autostart_dir;
    char *state_dir;             /* runtime: live XML of active pools, pool dirs */
    char *secrets_dir;           /* <config_dir>/secrets: CHAP passwords of iSCSI pools */
    GMainContext *ctx;           /* the daemon's I/O context, for timers */
    GThreadPool *jobs;           /* job threads (storage_job_run()) */
    StorageQcow2 *qcow2;

    /* [storage] settings of storage.conf */
    guint refresh_timeout_ms;    /* refresh_timeout: a refresh's time bound */
    guint job_timeout_ms;        /* job_timeout: how long a call waits for backend work */
    guint job_wait_ms;           /* job_wait: how long a call waits for a busy pool */

    gint restoring;              /* pools the daemon's start still brings back */
    gint64 restore_deadline;     /* monotonic: calls wait for them until then */
    gint shutting_down;
};

extern const MvDaemonDriver storage_daemon_driver;

/* The driver of the daemon @client is connected to. */
StorageDriver *storage_driver_from_client(MvServerClient *client);
/* Wait until every pool the daemon's start brings back (storage_driver_init())
 * is back, or its deadline (STORAGE_RESTORE_WAIT_MS after the start) passed;
 * FALSE if some still are not. */
gboolean storage_driver_wait_restored(StorageDriver *drv);

/* ---- persistence (storage-driver.c) ----------------------------------------- */

gboolean storage_driver_save_config(StorageDriver *drv, const StoragePoolDef *def,
                                    GError **error);
gboolean storage_driver_delete_config(StorageDriver *drv, const char *name, GError **error);
gboolean storage_driver_set_autostart(StorageDriver *drv, const char *name, gboolean autostart,
                                      GError **error);
/* The state file of an active pool (its live XML); logged, never fatal. */
void storage_driver_save_state(StorageDriver *drv, StoragePoolObj *obj);
void storage_driver_delete_state(StorageDriver *drv, const char *name);
/* <state_dir>/NAME.d, created. */
char *storage_driver_pool_run_dir(StorageDriver *drv, const char *name);

/* ---- pool lifecycle (storage-dispatch-pool.c) ---------------------------- */

/* Start @obj (inactive): build first with STORAGE_POOL_CREATE_* flags,
 * then the backend start and a first refresh.  Sends STARTED. */
gboolean storage_pool_start(StorageDriver *drv, StoragePoolObj *obj, unsigned int flags,
                            GError **error);

/* ---- events (storage-events.c) --------------------------------------------- */

/* virStoragePoolEventID */
enum {
    STORAGE_EVENT_ID_LIFECYCLE = 0,
    STORAGE_EVENT_ID_REFRESH = 1,
    STORAGE_EVENT_ID_LAST,
};

/* virStoragePoolEventLifecycleType (every detail is 0) */
enum {
    STORAGE_EVENT_DEFINED = 0,
    STORAGE_EVENT_UNDEFINED = 1,
    STORAGE_EVENT_STARTED = 2,
    STORAGE_EVENT_STOPPED = 3,
    STORAGE_EVENT_CREATED = 4,
    STORAGE_EVENT_DELETED = 5,
};

/* Send an event about @obj to every client registered for it.  Any
 * thread; do not hold obj->lock. */
void storage_event_lifecycle(StorageDriver *drv, StoragePoolObj *obj, int event);
void storage_event_refresh(StorageDriver *drv, StoragePoolObj *obj);
