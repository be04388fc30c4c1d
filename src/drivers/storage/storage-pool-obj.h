/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-pool-obj.h: the storage driver's pool objects, their list, their
 * volumes, and the jobs that do the work off the RPC threads.
 *
 * Locking.  A StoragePoolObj's mutex guards its fields and is only ever
 * held briefly, never across I/O, a backend call or a wait: lookups, lists
 * and info (which run on the RPC I/O thread) take it and return at once.
 * The list has its own mutex, taken before a pool's, never after.
 *
 * Jobs.  Backend work runs on job threads (storage_job_run()).  The
 * caller waits for it a bounded time; a job that overruns keeps running
 * and applies its own result when it ends.  Pool state changes (build,
 * start, stop, delete, undefine) hold the pool's state job, one at a time;
 * volume operations count as "asynchronous jobs" (vol_jobs), which keep
 * the pool from being stopped or deleted under them.
 *
 * Volumes.  The pool's volume set is what the last refresh found, plus
 * what was created, changed or deleted since; a refresh builds the new set
 * off the lock and swaps it in, so readers always see a complete one.
 */
#pragma once

#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-vol-conf.h"
#include "drivers/storage/storage-backend.h"

typedef struct _StorageDriver StorageDriver;
typedef struct _StoragePoolObj StoragePoolObj;
typedef struct _StorageVol StorageVol;
typedef struct _StorageShared StorageShared;
typedef struct _StorageRefresh StorageRefresh;

/* A refcounted box: pool definitions and backend data shared with jobs
 * that may outlive the object's current state. */
struct _StorageShared {
    gint ref;
    gpointer data;
    GDestroyNotify free;
};
StorageShared *storage_shared_new(gpointer data, GDestroyNotify free);
StorageShared *storage_shared_ref(StorageShared *s);
void storage_shared_unref(StorageShared *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageShared, storage_shared_unref)

/* A volume as published: immutable once in a pool's set. */
struct _StorageVol {
    gint ref;
    StorageVolDef *def;
};
/* Wait, at most @max_ms, while the daemon's start still restores @obj (a
 * pool active before a restart is inactive until then). */
void storage_pool_obj_wait_restored(StoragePoolObj *obj, guint max_ms);
StorageVol *storage_vol_new(StorageVolDef *def);
StorageVol *storage_vol_ref(StorageVol *vol);
void storage_vol_unref(StorageVol *vol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageVol, storage_vol_unref)
/* A deep copy of @def with @capacity. */
StorageVolDef *storage_vol_copy_def(const StorageVolDef *def, guint64 capacity);

struct _StoragePoolObj {
    gint ref;
    GMutex lock;
    StorageDriver *drv;
    /* Immutable. */
    char *name;
    unsigned char uuid[MV_UUID_LEN];

    /* Under lock. */
    StorageShared *def;          /* StoragePoolDef: the live one while active */
    StoragePoolDef *new_def;     /* the persistent def to take at the next stop */
    gboolean persistent;
    gboolean autostart;
    gboolean active;
    gboolean stopping;           /* destroy passed its checks: no new volume work */
    gboolean restoring;          /* the daemon's start still brings it back (cond) */
    guint active_gen;            /* bumped at every start and stop */
    gboolean removed;            /* no longer in the list */
    StoragePoolStatus status;
    StorageShared *priv;         /* the backend's per-pool data, or NULL */

    GPtrArray *vols;             /* StorageVol, in listing order */
    GHashTable *vols_by_name;    /* name -> StorageVol (borrowed from vols) */
    GHashTable *vols_by_key;
    GHashTable *vols_by_path;
    GHashTable *creating;        /* names of volumes being created (set) */
    GHashTable *in_use;          /* name -> count of streams/clones using it */
    guint vol_jobs;              /* volume operations running */

    GCond cond;                  /* state job and vol_jobs changes */
    const char *job;             /* the state job's holder, or NULL */
    gint64 job_since;

    StorageRefresh *refresh;     /* the running refresh, or NULL */
    GHashTable *refresh_dirty;   /* volume names changed while it runs */
};

StoragePoolObj *storage_pool_obj_ref(StoragePoolObj *obj);
void storage_pool_obj_unref(StoragePoolObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoragePoolObj, storage_pool_obj_unref)

/* The current definition (a new reference; its data is a StoragePoolDef). */
StorageShared *storage_pool_obj_get_def(StoragePoolObj *obj);
/* Replace the definition (ownership of @def taken).  Caller holds lock. */
void storage_pool_obj_set_def_locked(StoragePoolObj *obj, StoragePoolDef *def);
/* A copy of the current definition (inactive XML).  Caller holds lock. */
StoragePoolDef *storage_pool_obj_copy_def_locked(StoragePoolObj *obj);
/* An inactive pool takes its persistent definition (new_def), if it has
 * one waiting.  Caller holds lock. */
void storage_pool_obj_take_new_def_locked(StoragePoolObj *obj);
#define STORAGE_POOL_DEF(shared) ((const StoragePoolDef *)(shared)->data)

/* The state job: one pool state change at a time.  Waits at most the
 * driver's job timeout for the holder, then fails naming it.  Do not hold
 * obj->lock. */
gboolean storage_pool_obj_begin_job(StoragePoolObj *obj, const char *what, GError **error);
/* The job if nobody holds it and the pool is still listed; never waits. */
gboolean storage_pool_obj_try_begin_job(StoragePoolObj *obj, const char *what);
void storage_pool_obj_end_job(StoragePoolObj *obj);

/* The standard refusals (caller holds lock). */
gboolean storage_pool_obj_check_active_locked(StoragePoolObj *obj, GError **error);
/* Active and not being stopped: new volume work may start (it counts in
 * vol_jobs or in_use, which keep a later stop away). */
gboolean storage_pool_obj_check_usable_locked(StoragePoolObj *obj, GError **error);
gboolean storage_pool_obj_check_inactive_locked(StoragePoolObj *obj, const char *what,
                                                GError **error);
gboolean storage_pool_obj_check_no_jobs_locked(StoragePoolObj *obj, GError **error);

/* ---- volumes (caller holds lock unless said otherwise) ---------------------- */

StorageVol *storage_pool_obj_find_vol_locked(StoragePoolObj *obj, const char *name);
/* Look a volume up by name, for an operation: a new reference, or NULL
 * with NO_STORAGE_VOL.  Takes the lock. */
StorageVol *storage_pool_obj_get_vol(StoragePoolObj *obj, const char *name, GError **error);
/* Add or replace (by name). */
void storage_pool_obj_put_vol_locked(StoragePoolObj *obj, StorageVol *vol);
void storage_pool_obj_remove_vol_locked(StoragePoolObj *obj, const char *name);
/* Replace the whole set (ownership of @vols, a GPtrArray of StorageVol,
 * taken); volumes changed since @dirty was started keep their current
 * state, and volumes being created are not published before they are. */
void storage_pool_obj_swap_vols_locked(StoragePoolObj *obj, GPtrArray *vols);
void storage_pool_obj_clear_vols_locked(StoragePoolObj *obj);

/* Mark @name as used by a stream or clone (refcounted). */
void storage_pool_obj_vol_use_locked(StoragePoolObj *obj, const char *name);
void storage_pool_obj_vol_unuse(StoragePoolObj *obj, const char *name);
gboolean storage_pool_obj_vol_in_use_locked(StoragePoolObj *obj, const char *name);

/* ---- the list -------------------------------------------------------------- */

typedef struct _StoragePoolList StoragePoolList;

StoragePoolList *storage_pool_list_new(void);
void storage_pool_list_free(StoragePoolList *list);

/* Add a pool for @def (ownership taken).  Fails if the name or uuid is
 * taken.  With @job, the pool is listed with that job already begun (the
 * caller ends it): nothing else can take it first.  Returns a new
 * reference. */
StoragePoolObj *storage_pool_list_add(StoragePoolList *list, StorageDriver *drv,
                                      StoragePoolDef *def, const char *job, GError **error);
/*
 * Which pool @def names (libvirt's duplicate check): the pool with its
 * name and uuid in *@ret_obj (a new reference) or NULL when there is none;
 * FALSE (OPERATION_FAILED) when another pool has its name or its uuid.
 */
gboolean storage_pool_list_find_same(StoragePoolList *list, const StoragePoolDef *def,
                                     StoragePoolObj **ret_obj, GError **error);
void storage_pool_list_remove(StoragePoolList *list, StoragePoolObj *obj);
/* Remove @obj unless it is active, in one step with respect to a start
 * (which checks obj->removed).  Returns whether it was removed. */
gboolean storage_pool_list_remove_inactive(StoragePoolList *list, StoragePoolObj *obj);
/* Lookups: a new reference, or NULL with MV_ERR_NO_STORAGE_POOL set. */
StoragePoolObj *storage_pool_list_find_by_name(StoragePoolList *list, const char *name,
                                               GError **error);
StoragePoolObj *storage_pool_list_find_by_uuid(StoragePoolList *list,
                                               const unsigned char *uuid, GError **error);
/* Another pool using the same target path or source as @def (a new
 * reference), or NULL. */
StoragePoolObj *storage_pool_list_find_conflict(StoragePoolList *list,
                                                const StoragePoolDef *def);
/* Every pool (new references), in definition order. */
GPtrArray *storage_pool_list_all(StoragePoolList *list);

/* ---- jobs ------------------------------------------------------------------ */

typedef gboolean (*StorageJobFunc)(gpointer data, GError **error);

/*
 * Run @func(@data) on a job thread and wait for it at most @timeout_ms
 * (0: until it ends).  @free_data (may be NULL) runs when the job ends,
 * waited for or not.  On timeout: FALSE with MV_ERR_OPERATION_TIMEOUT
 * "@what did not finish within N seconds"; the job goes on.
 */
gboolean storage_job_run(StorageDriver *drv, const char *what, StorageJobFunc func,
                         gpointer data, GDestroyNotify free_data, guint timeout_ms,
                         GError **error);
/* The driver's job threads; busy while a job is queued or running. */
GThreadPool *storage_job_pool_new(StorageDriver *drv);
gboolean storage_job_pool_busy(GThreadPool *pool);
/* Run @func(@data) on a job thread without waiting for it. */
void storage_job_start(StorageDriver *drv, StorageJobFunc func, gpointer data,
                       GDestroyNotify free_data);

/* ---- refresh ---------------------------------------------------------------- */

/*
 * Start a background refresh of @obj (active), or join the one running.
 * It runs on a job thread with the driver's refresh time bound; when it
 * ends, its result replaces the pool's volume set and sizes, or its error
 * is recorded in the pool's status (state inaccessible, message, time).
 * The REFRESH event is sent when it fails, or ends and someone asked with
 * @notify (a refresh call, not the one that comes with a start).  When the bound passes first, the pool is
 * marked the same way at that moment.  Returns a new reference.
 */
StorageRefresh *storage_pool_refresh_begin(StoragePoolObj *obj, gboolean notify);
/* Wait for @r to end, at most until its time bound: its result, or a
 * timeout error. */
gboolean storage_refresh_wait(StorageRefresh *r, GError **error);
/* The same, waiting @max_ms at most. */
gboolean storage_refresh_wait_at_most(StorageRefresh *r, guint max_ms, GError **error);
StorageRefresh *storage_refresh_ref(StorageRefresh *r);
void storage_refresh_unref(StorageRefresh *r);
/* The pool stopped: a refresh still running no longer concerns it. */
void storage_pool_obj_forget_refresh_locked(StoragePoolObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageRefresh, storage_refresh_unref)

/* A backend context for an operation on @obj: def and priv referenced,
 * deadline now + @timeout_ms (0: none).  Release with
 * storage_pool_ctx_clear(). */
typedef struct {
    StorageBackendPool bp;
    const StorageBackend *backend;
    StorageShared *def;
    StorageShared *priv;
    char *run_dir;
} StoragePoolCtx;

void storage_pool_ctx_init(StoragePoolCtx *ctx, StoragePoolObj *obj, guint timeout_ms);
void storage_pool_ctx_clear(StoragePoolCtx *ctx);
