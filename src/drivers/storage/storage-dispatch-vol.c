/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-dispatch-vol.c: the storage volume procedures.  Lookups, info,
 * path and XML are answered from the pool's volume set (on the I/O
 * thread); create, clone, delete, resize and wipe run the backend on a job
 * thread and publish the result in the set.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "conf/storage-xml.h"
#include "drivers/storage/storage-dispatch.h"
#include "util/error.h"

enum { VOL_GET_PHYSICAL = 1 };

/* ---- handles ------------------------------------------------------------------ */

void
storage_dispatch_make_vol(const char *pool_name, const StorageVolDef *def,
                          remote_nonnull_storage_vol *ret)
{
    ret->pool = g_strdup(pool_name);
    ret->name = g_strdup(def->name);
    ret->key = g_strdup(def->key ? def->key : "");
}

StoragePoolObj *
storage_dispatch_get_vol_pool(StorageDriver *drv, const remote_nonnull_storage_vol *vol,
                              GError **error)
{
    StoragePoolObj *obj = storage_pool_list_find_by_name(drv->pools, vol->pool, error);
    gboolean ok;

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_active_locked(obj, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        g_clear_pointer(&obj, storage_pool_obj_unref);
    return obj;
}

StorageVol *
storage_dispatch_get_vol(StorageDriver *drv, const remote_nonnull_storage_vol *vol,
                         StoragePoolObj **ret_pool, GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_vol_pool(drv, vol, error);
    StorageVol *v;

    if (!obj || !(v = storage_pool_obj_get_vol(obj, vol->name, error)))
        return NULL;
    if (ret_pool)
        *ret_pool = g_steal_pointer(&obj);
    return v;
}

/* ---- lookups, info (from memory) ----------------------------------------------- */

int
remote_dispatch_storage_vol_lookup_by_name(MvServerCall *call,
                                           remote_storage_vol_lookup_by_name_args *args,
                                           remote_storage_vol_lookup_by_name_ret *ret,
                                           GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_pool(storage_dispatch_drv(call),
                                                              &args->pool, error);
    g_autoptr(StorageVol) vol = NULL;
    gboolean ok;

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_active_locked(obj, error);
    g_mutex_unlock(&obj->lock);
    if (!ok || !(vol = storage_pool_obj_get_vol(obj, args->name, error)))
        return -1;
    storage_dispatch_make_vol(obj->name, vol->def, &ret->vol);
    return 0;
}

typedef enum { FIND_BY_KEY, FIND_BY_PATH } VolFind;

/* The volume with that key or path in any active pool. */
static gboolean
vol_find(MvServerCall *call, VolFind how, const char *what, remote_nonnull_storage_vol *ret)
{
    g_autoptr(GPtrArray) all = storage_pool_list_all(storage_dispatch_drv(call)->pools);

    for (guint i = 0; i < all->len; i++) {
        StoragePoolObj *obj = g_ptr_array_index(all, i);
        StorageVol *vol = NULL;

        g_mutex_lock(&obj->lock);
        if (obj->active)
            vol = g_hash_table_lookup(how == FIND_BY_KEY ? obj->vols_by_key : obj->vols_by_path,
                                      what);
        if (vol)
            storage_dispatch_make_vol(obj->name, vol->def, ret);
        g_mutex_unlock(&obj->lock);
        if (vol)
            return TRUE;
    }
    return FALSE;
}

int
remote_dispatch_storage_vol_lookup_by_key(MvServerCall *call,
                                          remote_storage_vol_lookup_by_key_args *args,
                                          remote_storage_vol_lookup_by_key_ret *ret,
                                          GError **error)
{
    if (vol_find(call, FIND_BY_KEY, args->key, &ret->vol))
        return 0;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                 "no storage vol with matching key %s", args->key);
    return -1;
}

int
remote_dispatch_storage_vol_lookup_by_path(MvServerCall *call,
                                           remote_storage_vol_lookup_by_path_args *args,
                                           remote_storage_vol_lookup_by_path_ret *ret,
                                           GError **error)
{
    g_autofree char *clean = storage_xml_sanitize_path(args->path);

    if (vol_find(call, FIND_BY_PATH, clean, &ret->vol) ||
        vol_find(call, FIND_BY_KEY, clean, &ret->vol))
        return 0;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                 "no storage vol with matching path '%s'", args->path);
    return -1;
}

static StorageVol *
dispatch_vol(MvServerCall *call, const remote_nonnull_storage_vol *vol,
             StoragePoolObj **ret_pool, GError **error)
{
    return storage_dispatch_get_vol(storage_dispatch_drv(call), vol, ret_pool, error);
}

int
remote_dispatch_storage_vol_get_info(MvServerCall *call,
                                     remote_storage_vol_get_info_args *args,
                                     remote_storage_vol_get_info_ret *ret, GError **error)
{
    g_autoptr(StorageVol) vol = dispatch_vol(call, &args->vol, NULL, error);

    if (!vol)
        return -1;
    ret->type = vol->def->type;
    ret->capacity = vol->def->capacity;
    ret->allocation = vol->def->allocation;
    return 0;
}

int
remote_dispatch_storage_vol_get_info_flags(MvServerCall *call,
                                           remote_storage_vol_get_info_flags_args *args,
                                           remote_storage_vol_get_info_flags_ret *ret,
                                           GError **error)
{
    g_autoptr(StorageVol) vol = NULL;

    if (!storage_dispatch_check_flags("virStorageVolGetInfoFlags", args->flags,
                                      VOL_GET_PHYSICAL, error) ||
        !(vol = dispatch_vol(call, &args->vol, NULL, error)))
        return -1;
    ret->type = vol->def->type;
    ret->capacity = vol->def->capacity;
    ret->allocation = (args->flags & VOL_GET_PHYSICAL) ? vol->def->physical
                                                       : vol->def->allocation;
    return 0;
}

int
remote_dispatch_storage_vol_get_path(MvServerCall *call,
                                     remote_storage_vol_get_path_args *args,
                                     remote_storage_vol_get_path_ret *ret, GError **error)
{
    g_autoptr(StorageVol) vol = dispatch_vol(call, &args->vol, NULL, error);

    if (!vol)
        return -1;
    ret->name = g_strdup(vol->def->target.path ? vol->def->target.path : "");
    return 0;
}

int
remote_dispatch_storage_vol_get_xml_desc(MvServerCall *call,
                                         remote_storage_vol_get_xml_desc_args *args,
                                         remote_storage_vol_get_xml_desc_ret *ret,
                                         GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StorageVol) vol = NULL;
    g_autoptr(StorageShared) def = NULL;

    if (!storage_dispatch_check_flags("virStorageVolGetXMLDesc", args->flags, 0, error) ||
        !(vol = dispatch_vol(call, &args->vol, &obj, error)))
        return -1;
    def = storage_pool_obj_get_def(obj);
    ret->xml = storage_vol_def_format(STORAGE_POOL_DEF(def), vol->def, 0);
    return 0;
}

/* ---- operations on job threads --------------------------------------------------- */

typedef struct _VolOp VolOp;
typedef gboolean (*VolOpFunc)(VolOp *op, GError **error);
struct _VolOp {
    StorageDriver *drv;
    StoragePoolObj *obj;
    VolOpFunc func;
    char *name;                  /* the volume reserved (creating) or marked in use */
    gboolean reserved;
    gboolean creating;
    gboolean published;          /* the new volume is in the pool's set */
    guint timeout_ms;            /* the backend's time bound, 0: none */
    StorageVolDef *def;          /* the new volume (create, clone) */
    StorageVol *vol;             /* the volume worked on, or the clone source */
    StoragePoolObj *src_obj;     /* the clone source's pool (source marked in use) */
    StorageShared *src_pooldef;
    guint64 capacity;
    unsigned int flags;
    int algorithm;
    StoragePoolCtx ctx;
};

static VolOp *
vol_op_new(StorageDriver *drv, StoragePoolObj *obj, VolOpFunc func, unsigned int flags)
{
    VolOp *op = g_new0(VolOp, 1);

    op->drv = drv;
    op->obj = storage_pool_obj_ref(obj);
    op->func = func;
    op->flags = flags;
    return op;
}

/* Release what @op reserved (once): before the caller gets its answer, so
 * that its next call finds the volume and pool free. */
static void
vol_op_release(VolOp *op)
{
    if (op->reserved) {
        g_mutex_lock(&op->obj->lock);
        if (op->creating)
            g_hash_table_remove(op->obj->creating, op->name);
        /* A creation that failed: whatever a refresh saw of it meanwhile
         * (the file before it was removed) is not a volume. */
        if (op->creating && !op->published)
            storage_pool_obj_remove_vol_locked(op->obj, op->name);
        op->obj->vol_jobs--;
        g_cond_broadcast(&op->obj->cond);
        g_mutex_unlock(&op->obj->lock);
        if (!op->creating)
            storage_pool_obj_vol_unuse(op->obj, op->name);
        op->reserved = FALSE;
    }
    if (op->src_obj) {
        storage_pool_obj_vol_unuse(op->src_obj, op->vol->def->name);
        g_clear_pointer(&op->src_obj, storage_pool_obj_unref);
    }
}

static void
vol_op_free(VolOp *op)
{
    vol_op_release(op);
    storage_pool_ctx_clear(&op->ctx);
    g_clear_pointer(&op->src_pooldef, storage_shared_unref);
    g_clear_pointer(&op->vol, storage_vol_unref);
    storage_vol_def_free(op->def);
    storage_pool_obj_unref(op->obj);
    g_free(op->name);
    g_free(op);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VolOp, vol_op_free)

typedef enum {
    VOL_RESERVE_EXISTING,        /* an existing volume, marked in use */
    VOL_RESERVE_CREATE,          /* a new name (create) */
    VOL_RESERVE_CLONE,           /* a new name (clone: libvirt's other error) */
} VolReserve;

/* Why @name cannot be reserved as @how, or TRUE.  Caller holds lock. */
static gboolean
vol_op_check_locked(StoragePoolObj *obj, const char *name, VolReserve how, GError **error)
{
    gboolean creating = g_hash_table_contains(obj->creating, name);
    gboolean exists = creating || storage_pool_obj_find_vol_locked(obj, name);

    if (!storage_pool_obj_check_usable_locked(obj, error))
        return FALSE;
    if (how == VOL_RESERVE_CREATE && exists) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_VOL_EXIST, "'%s'", name);
        return FALSE;
    }
    if (how == VOL_RESERVE_CLONE && exists) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "storage volume name '%s' already in use.", name);
        return FALSE;
    }
    if (how != VOL_RESERVE_EXISTING)
        return TRUE;
    if (creating) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume '%s' is still being allocated.", name);
        return FALSE;
    }
    if (storage_pool_obj_vol_in_use_locked(obj, name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume '%s' is still in use.", name);
        return FALSE;
    }
    if (!exists) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", name);
        return FALSE;
    }
    return TRUE;
}

/*
 * Reserve @name in the pool for @op: a new volume (the name must be free)
 * or an existing one (marked in use: nothing else deletes or changes it
 * meanwhile).  The pool must be active and not being stopped.
 */
static gboolean
vol_op_reserve(VolOp *op, const char *name, VolReserve how, GError **error)
{
    StoragePoolObj *obj = op->obj;
    gboolean ok;

    g_mutex_lock(&obj->lock);
    ok = vol_op_check_locked(obj, name, how, error);
    if (ok) {
        op->creating = how != VOL_RESERVE_EXISTING;
        if (op->creating) {
            g_hash_table_add(obj->creating, g_strdup(name));
        } else {
            storage_pool_obj_vol_use_locked(obj, name);
            op->vol = storage_vol_ref(storage_pool_obj_find_vol_locked(obj, name));
        }
        obj->vol_jobs++;
        op->name = g_strdup(name);
        op->reserved = TRUE;
    }
    g_mutex_unlock(&obj->lock);
    return ok;
}

static gboolean
vol_op_job(gpointer data, GError **error)
{
    VolOp *op = data;
    gboolean ok;

    storage_pool_ctx_init(&op->ctx, op->obj, op->timeout_ms);
    if (!op->ctx.backend) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "missing backend for pool type '%s'",
                     storage_pool_type_to_string(op->ctx.bp.def->type));
        ok = FALSE;
    } else {
        ok = op->func(op, error);
    }
    vol_op_release(op);
    return ok;
}

/* Run @op (ownership taken) on a job thread; the backend and the wait
 * are bound by @timeout_ms (0: until it ends). */
static gboolean
vol_op_run(VolOp *op, const char *what, guint timeout_ms, GError **error)
{
    g_autofree char *desc = g_strdup_printf("%s of volume '%s'", what, op->name);

    op->timeout_ms = timeout_ms;
    return storage_job_run(op->drv, desc, vol_op_job, op, (GDestroyNotify)vol_op_free,
                           timeout_ms, error);
}

/* Publish @def (ownership taken) as the volume's state now, re-read from
 * the backend when it can. */
static void
vol_publish(VolOp *op, StorageVolDef *def)
{
    g_autoptr(StorageVolDef) fresh = NULL;
    g_autoptr(StorageVol) vol = NULL;
    guint64 old_alloc = op->vol && !op->src_obj ? op->vol->def->allocation : 0;

    if (op->ctx.backend->refresh_vol)
        fresh = op->ctx.backend->refresh_vol(&op->ctx.bp, def, NULL);
    if (fresh) {
        storage_vol_def_free(def);
        def = g_steal_pointer(&fresh);
    }
    vol = storage_vol_new(def);
    g_mutex_lock(&op->obj->lock);
    if (op->obj->active) {
        /* Keep the pool's sizes about right until its next refresh. */
        gint64 delta = (gint64)def->allocation - (gint64)old_alloc;
        guint64 grow = delta > 0 ? (guint64)delta : 0;
        guint64 shrink = delta < 0 ? (guint64)-delta : 0;

        op->obj->status.allocation += grow - MIN(shrink, op->obj->status.allocation);
        op->obj->status.available += shrink - MIN(grow, op->obj->status.available);
        storage_pool_obj_put_vol_locked(op->obj, vol);
        op->published = TRUE;
    }
    g_mutex_unlock(&op->obj->lock);
}

static StorageVolDef *
vol_parse(StoragePoolObj *obj, const char *xml, unsigned int parse_flags, GError **error)
{
    g_autoptr(StorageShared) pooldef = storage_pool_obj_get_def(obj);

    return storage_vol_def_parse_string(STORAGE_POOL_DEF(pooldef), xml, parse_flags, error);
}

/* The handle of the volume just created. */
static int
vol_created(StoragePoolObj *obj, const char *name, remote_nonnull_storage_vol *ret,
            GError **error)
{
    g_autoptr(StorageVol) vol = storage_pool_obj_get_vol(obj, name, error);

    if (!vol)
        return -1;
    storage_dispatch_make_vol(obj->name, vol->def, ret);
    return 0;
}

/* ---- create, clone ----------------------------------------------------------------- */

static gboolean
op_create(VolOp *op, GError **error)
{
    if (!storage_dispatch_check_op(op->ctx.backend->create_vol,
                                   "storage pool does not support volume creation", error) ||
        !op->ctx.backend->create_vol(&op->ctx.bp, op->def, op->flags, error))
        return FALSE;
    vol_publish(op, g_steal_pointer(&op->def));
    return TRUE;
}

int
remote_dispatch_storage_vol_create_xml(MvServerCall *call,
                                       remote_storage_vol_create_xml_args *args,
                                       remote_storage_vol_create_xml_ret *ret, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(VolOp) op = NULL;
    g_autofree char *name = NULL;

    if (!storage_dispatch_check_flags("virStorageVolCreateXML", args->flags,
                                      STORAGE_VOL_CREATE_PREALLOC_METADATA |
                                      STORAGE_VOL_CREATE_VALIDATE, error) ||
        !(obj = storage_dispatch_get_pool(drv, &args->pool, error)))
        return -1;
    op = vol_op_new(drv, obj, op_create, args->flags);
    if (!(op->def = vol_parse(obj, args->xml, STORAGE_VOL_PARSE_OPT_CAPACITY, error)))
        return -1;
    name = g_strdup(op->def->name);
    if (!vol_op_reserve(op, name, VOL_RESERVE_CREATE, error) ||
        !vol_op_run(g_steal_pointer(&op), "creation", drv->job_timeout_ms, error))
        return -1;
    return vol_created(obj, name, &ret->vol, error);
}

static gboolean
op_clone(VolOp *op, GError **error)
{
    if (!storage_dispatch_check_op(op->ctx.backend->clone_vol,
                                   "storage pool does not support volume creation from an "
                                   "existing volume", error) ||
        !op->ctx.backend->clone_vol(&op->ctx.bp, op->def, STORAGE_POOL_DEF(op->src_pooldef),
                                    op->vol->def, op->flags, error))
        return FALSE;
    vol_publish(op, g_steal_pointer(&op->def));
    return TRUE;
}

/* Mark the clone source in use in its pool. */
static gboolean
clone_take_source(VolOp *op, StorageDriver *drv, const remote_nonnull_storage_vol *src,
                  GError **error)
{
    StorageVol *vol;
    gboolean ok = TRUE;

    if (!(op->src_obj = storage_dispatch_get_vol_pool(drv, src, error)))
        return FALSE;
    g_mutex_lock(&op->src_obj->lock);
    if (!storage_pool_obj_check_usable_locked(op->src_obj, error)) {
        ok = FALSE;
    } else if (g_hash_table_contains(op->src_obj->creating, src->name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume '%s' is still being allocated.", src->name);
        ok = FALSE;
    } else if (!(vol = storage_pool_obj_find_vol_locked(op->src_obj, src->name))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", src->name);
        ok = FALSE;
    } else {
        op->vol = storage_vol_ref(vol);
        storage_pool_obj_vol_use_locked(op->src_obj, src->name);
        op->src_pooldef = storage_shared_ref(op->src_obj->def);
    }
    g_mutex_unlock(&op->src_obj->lock);
    if (!ok)
        g_clear_pointer(&op->src_obj, storage_pool_obj_unref);
    return ok;
}

int
remote_dispatch_storage_vol_create_xml_from(MvServerCall *call,
                                            remote_storage_vol_create_xml_from_args *args,
                                            remote_storage_vol_create_xml_from_ret *ret,
                                            GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(VolOp) op = NULL;
    g_autofree char *name = NULL;

    if (!storage_dispatch_check_flags("virStorageVolCreateXMLFrom", args->flags,
                                      STORAGE_VOL_CREATE_PREALLOC_METADATA |
                                      STORAGE_VOL_CREATE_REFLINK |
                                      STORAGE_VOL_CREATE_VALIDATE, error) ||
        !(obj = storage_dispatch_get_pool(drv, &args->pool, error)))
        return -1;
    op = vol_op_new(drv, obj, op_clone, args->flags & ~STORAGE_VOL_CREATE_VALIDATE);
    if (!(op->def = vol_parse(obj, args->xml, STORAGE_VOL_PARSE_NO_CAPACITY, error)) ||
        !clone_take_source(op, drv, &args->clonevol, error))
        return -1;
    name = g_strdup(op->def->name);
    /* Copying takes as long as the data: no time bound. */
    if (!vol_op_reserve(op, name, VOL_RESERVE_CLONE, error) ||
        !vol_op_run(g_steal_pointer(&op), "cloning", 0, error))
        return -1;
    return vol_created(obj, name, &ret->vol, error);
}

/* ---- delete, resize, wipe ------------------------------------------------------- */

/* An operation on the existing volume of handle @vol. */
static VolOp *
vol_op_existing(MvServerCall *call, const remote_nonnull_storage_vol *vol, VolOpFunc func,
                unsigned int flags, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_vol_pool(drv, vol, error);
    g_autoptr(VolOp) op = NULL;

    if (!obj)
        return NULL;
    op = vol_op_new(drv, obj, func, flags);
    if (!vol_op_reserve(op, vol->name, VOL_RESERVE_EXISTING, error))
        return NULL;
    return g_steal_pointer(&op);
}

static gboolean
op_delete(VolOp *op, GError **error)
{
    if (!storage_dispatch_check_op(op->ctx.backend->delete_vol,
                                   "storage pool does not support vol deletion", error) ||
        !op->ctx.backend->delete_vol(&op->ctx.bp, op->vol->def, op->flags, error))
        return FALSE;
    g_mutex_lock(&op->obj->lock);
    if (storage_pool_obj_find_vol_locked(op->obj, op->name) == op->vol) {
        guint64 alloc = op->vol->def->allocation;

        op->obj->status.allocation -= MIN(alloc, op->obj->status.allocation);
        op->obj->status.available += alloc;
        storage_pool_obj_remove_vol_locked(op->obj, op->name);
    }
    g_mutex_unlock(&op->obj->lock);
    return TRUE;
}

int
remote_dispatch_storage_vol_delete(MvServerCall *call, remote_storage_vol_delete_args *args,
                                   GError **error)
{
    VolOp *op;

    if (!storage_dispatch_check_flags("virStorageVolDelete", args->flags,
                                      STORAGE_VOL_DELETE_ZEROED |
                                      STORAGE_VOL_DELETE_WITH_SNAPSHOTS, error) ||
        !(op = vol_op_existing(call, &args->vol, op_delete, args->flags, error)))
        return -1;
    return vol_op_run(op, "deletion", op->drv->job_timeout_ms, error) ? 0 : -1;
}

static gboolean
op_resize(VolOp *op, GError **error)
{
    if (!storage_dispatch_check_op(op->ctx.backend->resize_vol,
                                   "storage pool does not support changing of volume capacity",
                                   error) ||
        !op->ctx.backend->resize_vol(&op->ctx.bp, op->vol->def, op->capacity, op->flags, error))
        return FALSE;
    vol_publish(op, storage_vol_copy_def(op->vol->def, op->capacity));
    return TRUE;
}

/* libvirt's checks of a new capacity, in libvirt's order.  Caller holds
 * the pool's lock (its free space). */
static gboolean
resize_check_locked(StoragePoolObj *obj, const StorageVolDef *vol, guint64 capacity,
                    unsigned int flags, guint64 *ret, GError **error)
{
    guint64 cur = vol->capacity;

    if (flags & STORAGE_VOL_RESIZE_DELTA) {
        if (flags & STORAGE_VOL_RESIZE_SHRINK)
            *ret = cur - MIN(capacity, cur);
        else if (capacity > G_MAXUINT64 - cur)
            *ret = G_MAXUINT64;
        else
            *ret = cur + capacity;
    } else {
        *ret = capacity;
    }
    if (*ret < vol->allocation) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "can't shrink capacity below existing allocation");
        return FALSE;
    }
    if (*ret < cur && !(flags & STORAGE_VOL_RESIZE_SHRINK)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "Can't shrink capacity below current capacity unless shrink flag "
                     "explicitly specified");
        return FALSE;
    }
    if ((flags & STORAGE_VOL_RESIZE_ALLOCATE) &&
        *ret - vol->allocation > obj->status.available) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "Not enough space left in storage pool");
        return FALSE;
    }
    return TRUE;
}

int
remote_dispatch_storage_vol_resize(MvServerCall *call, remote_storage_vol_resize_args *args,
                                   GError **error)
{
    VolOp *op;
    gboolean ok;

    if (!storage_dispatch_check_flags("virStorageVolResize", args->flags,
                                      STORAGE_VOL_RESIZE_ALLOCATE | STORAGE_VOL_RESIZE_DELTA |
                                      STORAGE_VOL_RESIZE_SHRINK, error) ||
        !(op = vol_op_existing(call, &args->vol, op_resize, args->flags, error)))
        return -1;
    g_mutex_lock(&op->obj->lock);
    ok = resize_check_locked(op->obj, op->vol->def, args->capacity, args->flags, &op->capacity,
                             error);
    g_mutex_unlock(&op->obj->lock);
    if (!ok) {
        vol_op_free(op);
        return -1;
    }
    /* The backend gets the absolute size. */
    op->flags &= ~STORAGE_VOL_RESIZE_DELTA;
    return vol_op_run(op, "resize", op->drv->job_timeout_ms, error) ? 0 : -1;
}

static gboolean
op_wipe(VolOp *op, GError **error)
{
    if (!storage_dispatch_check_op(op->ctx.backend->wipe_vol,
                                   "storage pool does not support volume wiping", error) ||
        !op->ctx.backend->wipe_vol(&op->ctx.bp, op->vol->def, op->algorithm, op->flags, error))
        return FALSE;
    vol_publish(op, storage_vol_copy_def(op->vol->def, op->vol->def->capacity));
    return TRUE;
}

static int
vol_wipe(MvServerCall *call, const remote_nonnull_storage_vol *vol, unsigned int algorithm,
         unsigned int flags, GError **error)
{
    VolOp *op;

    if (!storage_dispatch_check_flags("virStorageVolWipePattern", flags, 0, error))
        return -1;
    if (algorithm >= STORAGE_VOL_WIPE_ALG_LAST) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "wiping algorithm %d not supported", algorithm);
        return -1;
    }
    if (!(op = vol_op_existing(call, vol, op_wipe, flags, error)))
        return -1;
    op->algorithm = algorithm;
    /* Wiping takes as long as the data: no time bound. */
    return vol_op_run(op, "wiping", 0, error) ? 0 : -1;
}

int
remote_dispatch_storage_vol_wipe(MvServerCall *call, remote_storage_vol_wipe_args *args,
                                 GError **error)
{
    return vol_wipe(call, &args->vol, STORAGE_VOL_WIPE_ALG_ZERO, args->flags, error);
}

int
remote_dispatch_storage_vol_wipe_pattern(MvServerCall *call,
                                         remote_storage_vol_wipe_pattern_args *args,
                                         GError **error)
{
    return vol_wipe(call, &args->vol, args->algorithm, args->flags, error);
}
