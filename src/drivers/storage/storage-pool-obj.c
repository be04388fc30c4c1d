/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-pool-obj.c: pool objects, their volume sets, the pool list, job
 * threads and the bounded background refresh.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "drivers/storage/storage-driver.h"
#include "drivers/storage/storage-pool-obj.h"
#include "rpc/net-daemon.h"
#include "util/error.h"

/* ---- shared boxes and volumes ---------------------------------------------- */

StorageShared *
storage_shared_new(gpointer data, GDestroyNotify free)
{
    StorageShared *s = g_new0(StorageShared, 1);

    s->ref = 1;
    s->data = data;
    s->free = free;
    return s;
}

StorageShared *
storage_shared_ref(StorageShared *s)
{
    g_atomic_int_inc(&s->ref);
    return s;
}

void
storage_shared_unref(StorageShared *s)
{
    if (!s || !g_atomic_int_dec_and_test(&s->ref))
        return;
    if (s->free && s->data)
        s->free(s->data);
    g_free(s);
}

StorageVol *
storage_vol_new(StorageVolDef *def)
{
    StorageVol *vol = g_new0(StorageVol, 1);

    vol->ref = 1;
    vol->def = def;
    return vol;
}

StorageVol *
storage_vol_ref(StorageVol *vol)
{
    g_atomic_int_inc(&vol->ref);
    return vol;
}

void
storage_vol_unref(StorageVol *vol)
{
    if (!vol || !g_atomic_int_dec_and_test(&vol->ref))
        return;
    storage_vol_def_free(vol->def);
    g_free(vol);
}

static void
perms_copy(StoragePerms *dst, const StoragePerms *src)
{
    *dst = *src;
    dst->label = g_strdup(src->label);
}

StorageVolDef *
storage_vol_copy_def(const StorageVolDef *def, guint64 capacity)
{
    StorageVolDef *copy = storage_vol_def_new();

    copy->name = g_strdup(def->name);
    copy->key = g_strdup(def->key);
    copy->type = def->type;
    copy->capacity = capacity;
    copy->has_capacity = def->has_capacity;
    copy->allocation = def->allocation;
    copy->has_allocation = def->has_allocation;
    copy->physical = def->physical;
    copy->target.path = g_strdup(def->target.path);
    copy->target.format = def->target.format;
    perms_copy(&copy->target.perms, &def->target.perms);
    copy->target.compat = g_strdup(def->target.compat);
    copy->target.cluster_size = def->target.cluster_size;
    copy->target.nocow = def->target.nocow;
    copy->target.has_features = def->target.has_features;
    copy->target.features = def->target.features;
    if (def->backing) {
        copy->backing = g_new0(StorageVolBacking, 1);
        copy->backing->path = g_strdup(def->backing->path);
        copy->backing->format = def->backing->format;
        perms_copy(&copy->backing->perms, &def->backing->perms);
    }
    return copy;
}

/* ---- pool objects ----------------------------------------------------------- */

static StoragePoolObj *
storage_pool_obj_new(StorageDriver *drv, StoragePoolDef *def)
{
    StoragePoolObj *obj = g_new0(StoragePoolObj, 1);

    obj->ref = 1;
    g_mutex_init(&obj->lock);
    g_cond_init(&obj->cond);
    obj->drv = drv;
    obj->name = g_strdup(def->name);
    memcpy(obj->uuid, def->uuid, MV_UUID_LEN);
    obj->def = storage_shared_new(def, (GDestroyNotify)storage_pool_def_free);
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)storage_vol_unref);
    obj->vols_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    obj->vols_by_key = g_hash_table_new(g_str_hash, g_str_equal);
    obj->vols_by_path = g_hash_table_new(g_str_hash, g_str_equal);
    obj->creating = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    obj->in_use = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return obj;
}

StoragePoolObj *
storage_pool_obj_ref(StoragePoolObj *obj)
{
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void
storage_pool_obj_unref(StoragePoolObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->ref))
        return;
    storage_shared_unref(obj->def);
    storage_pool_def_free(obj->new_def);
    storage_pool_status_clear(&obj->status);
    storage_shared_unref(obj->priv);
    g_hash_table_unref(obj->vols_by_name);
    g_hash_table_unref(obj->vols_by_key);
    g_hash_table_unref(obj->vols_by_path);
    g_ptr_array_unref(obj->vols);
    g_hash_table_unref(obj->creating);
    g_hash_table_unref(obj->in_use);
    if (obj->refresh_dirty)
        g_hash_table_unref(obj->refresh_dirty);
    g_free(obj->name);
    g_cond_clear(&obj->cond);
    g_mutex_clear(&obj->lock);
    g_free(obj);
}

StorageShared *
storage_pool_obj_get_def(StoragePoolObj *obj)
{
    StorageShared *def;

    g_mutex_lock(&obj->lock);
    def = storage_shared_ref(obj->def);
    g_mutex_unlock(&obj->lock);
    return def;
}

void
storage_pool_obj_set_def_locked(StoragePoolObj *obj, StoragePoolDef *def)
{
    storage_shared_unref(obj->def);
    obj->def = storage_shared_new(def, (GDestroyNotify)storage_pool_def_free);
}

StoragePoolDef *
storage_pool_obj_copy_def_locked(StoragePoolObj *obj)
{
    g_autofree char *xml = storage_pool_def_format(STORAGE_POOL_DEF(obj->def), NULL, 0);

    return storage_pool_def_parse_string(xml, 0, NULL);
}

void
storage_pool_obj_take_new_def_locked(StoragePoolObj *obj)
{
    if (obj->active || !obj->new_def)
        return;
    storage_pool_obj_set_def_locked(obj, g_steal_pointer(&obj->new_def));
}

/* Must hold obj->lock; the pool has no job. */
static void
obj_take_job_locked(StoragePoolObj *obj, const char *what)
{
    obj->job = what;
    obj->job_since = g_get_monotonic_time();
}

gboolean
storage_pool_obj_begin_job(StoragePoolObj *obj, const char *what, GError **error)
{
    gint64 end = g_get_monotonic_time() + (gint64)obj->drv->job_wait_ms * 1000;

    g_mutex_lock(&obj->lock);
    while (obj->job) {
        if (!g_cond_wait_until(&obj->cond, &obj->lock, end) && obj->job) {
            gint64 secs = (g_get_monotonic_time() - obj->job_since) / G_USEC_PER_SEC;

            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                         "cannot %s storage pool '%s': busy with '%s' for %" G_GINT64_FORMAT
                         " s", what, obj->name, obj->job, secs);
            g_mutex_unlock(&obj->lock);
            return FALSE;
        }
    }
    if (obj->removed) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching name '%s'", obj->name);
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    obj_take_job_locked(obj, what);
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

gboolean
storage_pool_obj_try_begin_job(StoragePoolObj *obj, const char *what)
{
    gboolean ok;

    g_mutex_lock(&obj->lock);
    ok = !obj->job && !obj->removed;
    if (ok)
        obj_take_job_locked(obj, what);
    g_mutex_unlock(&obj->lock);
    return ok;
}

void
storage_pool_obj_end_job(StoragePoolObj *obj)
{
    g_mutex_lock(&obj->lock);
    obj->job = NULL;
    g_cond_broadcast(&obj->cond);
    g_mutex_unlock(&obj->lock);
}

gboolean
storage_pool_obj_check_active_locked(StoragePoolObj *obj, GError **error)
{
    if (!obj->active) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "storage pool '%s' is not active", obj->name);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_pool_obj_check_inactive_locked(StoragePoolObj *obj, const char *what, GError **error)
{
    if (obj->active) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "storage pool '%s' is %s", obj->name, what);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_pool_obj_check_usable_locked(StoragePoolObj *obj, GError **error)
{
    /* NB: libvirt holds the pool's lock through a stop; a call that came
     * meanwhile finds the pool inactive.  The same answer, without the wait. */
    if (obj->stopping) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "storage pool '%s' is not active", obj->name);
        return FALSE;
    }
    return storage_pool_obj_check_active_locked(obj, error);
}

gboolean
storage_pool_obj_check_no_jobs_locked(StoragePoolObj *obj, GError **error)
{
    if (obj->vol_jobs > 0 || g_hash_table_size(obj->in_use) > 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "pool '%s' has asynchronous jobs running.", obj->name);
        return FALSE;
    }
    return TRUE;
}

/* ---- volume sets ------------------------------------------------------------ */

StorageVol *
storage_pool_obj_find_vol_locked(StoragePoolObj *obj, const char *name)
{
    return g_hash_table_lookup(obj->vols_by_name, name);
}

StorageVol *
storage_pool_obj_get_vol(StoragePoolObj *obj, const char *name, GError **error)
{
    StorageVol *vol;

    g_mutex_lock(&obj->lock);
    vol = g_hash_table_lookup(obj->vols_by_name, name);
    if (vol)
        storage_vol_ref(vol);
    g_mutex_unlock(&obj->lock);
    if (!vol)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", name);
    return vol;
}

static void
vols_index_add(StoragePoolObj *obj, StorageVol *vol)
{
    g_hash_table_insert(obj->vols_by_name, vol->def->name, vol);
    if (vol->def->key)
        g_hash_table_insert(obj->vols_by_key, vol->def->key, vol);
    if (vol->def->target.path)
        g_hash_table_insert(obj->vols_by_path, vol->def->target.path, vol);
}

static void
vols_index_remove(StoragePoolObj *obj, StorageVol *vol)
{
    g_hash_table_remove(obj->vols_by_name, vol->def->name);
    if (vol->def->key && g_hash_table_lookup(obj->vols_by_key, vol->def->key) == vol)
        g_hash_table_remove(obj->vols_by_key, vol->def->key);
    if (vol->def->target.path &&
        g_hash_table_lookup(obj->vols_by_path, vol->def->target.path) == vol)
        g_hash_table_remove(obj->vols_by_path, vol->def->target.path);
}

static void
vols_mark_dirty(StoragePoolObj *obj, const char *name)
{
    if (obj->refresh_dirty)
        g_hash_table_add(obj->refresh_dirty, g_strdup(name));
}

void
storage_pool_obj_put_vol_locked(StoragePoolObj *obj, StorageVol *vol)
{
    StorageVol *old = g_hash_table_lookup(obj->vols_by_name, vol->def->name);
    guint idx;

    vols_mark_dirty(obj, vol->def->name);
    if (old && g_ptr_array_find(obj->vols, old, &idx)) {
        vols_index_remove(obj, old);
        /* Same place in the listing; the array drops the old reference. */
        storage_vol_unref(g_ptr_array_index(obj->vols, idx));
        g_ptr_array_index(obj->vols, idx) = storage_vol_ref(vol);
    } else {
        g_ptr_array_add(obj->vols, storage_vol_ref(vol));
    }
    vols_index_add(obj, vol);
}

void
storage_pool_obj_remove_vol_locked(StoragePoolObj *obj, const char *name)
{
    StorageVol *vol = g_hash_table_lookup(obj->vols_by_name, name);

    vols_mark_dirty(obj, name);
    if (!vol)
        return;
    vols_index_remove(obj, vol);
    g_ptr_array_remove(obj->vols, vol);
}

void
storage_pool_obj_clear_vols_locked(StoragePoolObj *obj)
{
    g_hash_table_remove_all(obj->vols_by_name);
    g_hash_table_remove_all(obj->vols_by_key);
    g_hash_table_remove_all(obj->vols_by_path);
    g_ptr_array_set_size(obj->vols, 0);
}

void
storage_pool_obj_swap_vols_locked(StoragePoolObj *obj, GPtrArray *vols)
{
    g_autoptr(GPtrArray) old = obj->vols;
    g_autoptr(GHashTable) keep = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify)storage_vol_unref);
    GHashTableIter iter;
    gpointer name;
    gpointer value;

    /* Volumes created, changed or deleted while the refresh ran: their
     * current state wins over what the refresh saw. */
    if (obj->refresh_dirty) {
        g_hash_table_iter_init(&iter, obj->refresh_dirty);
        while (g_hash_table_iter_next(&iter, &name, NULL)) {
            StorageVol *cur = g_hash_table_lookup(obj->vols_by_name, name);

            g_hash_table_insert(keep, name, cur ? storage_vol_ref(cur) : NULL);
        }
    }
    g_hash_table_remove_all(obj->vols_by_name);
    g_hash_table_remove_all(obj->vols_by_key);
    g_hash_table_remove_all(obj->vols_by_path);
    obj->vols = g_ptr_array_new_full(vols->len, (GDestroyNotify)storage_vol_unref);
    for (guint i = 0; i < vols->len; i++) {
        StorageVol *vol = g_ptr_array_index(vols, i);

        /* A volume being created (a clone half copied) is not one yet. */
        if (g_hash_table_contains(keep, vol->def->name) ||
            g_hash_table_contains(obj->creating, vol->def->name))
            continue;
        g_ptr_array_add(obj->vols, storage_vol_ref(vol));
        vols_index_add(obj, vol);
    }
    g_hash_table_iter_init(&iter, keep);
    while (g_hash_table_iter_next(&iter, &name, &value)) {
        StorageVol *cur = value;

        if (!cur)
            continue;
        g_ptr_array_add(obj->vols, storage_vol_ref(cur));
        vols_index_add(obj, cur);
    }
}

void
storage_pool_obj_vol_use_locked(StoragePoolObj *obj, const char *name)
{
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(obj->in_use, name));

    g_hash_table_insert(obj->in_use, g_strdup(name), GUINT_TO_POINTER(n + 1));
}

void
storage_pool_obj_vol_unuse(StoragePoolObj *obj, const char *name)
{
    guint n;

    g_mutex_lock(&obj->lock);
    n = GPOINTER_TO_UINT(g_hash_table_lookup(obj->in_use, name));
    if (n <= 1)
        g_hash_table_remove(obj->in_use, name);
    else
        g_hash_table_insert(obj->in_use, g_strdup(name), GUINT_TO_POINTER(n - 1));
    g_cond_broadcast(&obj->cond);
    g_mutex_unlock(&obj->lock);
}

gboolean
storage_pool_obj_vol_in_use_locked(StoragePoolObj *obj, const char *name)
{
    return g_hash_table_contains(obj->in_use, name);
}

/* ---- the list --------------------------------------------------------------- */

struct _StoragePoolList {
    GMutex lock;
    GPtrArray *pools;            /* StoragePoolObj */
    GHashTable *by_name;         /* borrowed */
    GHashTable *by_uuid;
};

static guint
uuid_hash(gconstpointer key)
{
    guint h;

    memcpy(&h, key, sizeof(h));
    return h;
}

static gboolean
uuid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, MV_UUID_LEN) == 0;
}

StoragePoolList *
storage_pool_list_new(void)
{
    StoragePoolList *list = g_new0(StoragePoolList, 1);

    g_mutex_init(&list->lock);
    list->pools = g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_obj_unref);
    list->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    list->by_uuid = g_hash_table_new(uuid_hash, uuid_equal);
    return list;
}

void
storage_pool_list_free(StoragePoolList *list)
{
    if (!list)
        return;
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_ptr_array_unref(list->pools);
    g_mutex_clear(&list->lock);
    g_free(list);
}

/* libvirt's rule: the uuid decides which pool @def is; a pool with its
 * uuid and another name, or its name and another uuid, is a clash.  The
 * pool with both (borrowed), or NULL.  Caller holds list->lock. */
static gboolean
list_find_same_locked(StoragePoolList *list, const StoragePoolDef *def,
                      StoragePoolObj **ret_same, GError **error)
{
    StoragePoolObj *other;
    char uuid[37];

    *ret_same = NULL;
    if ((other = g_hash_table_lookup(list->by_uuid, def->uuid))) {
        if (!g_str_equal(other->name, def->name)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                         "pool '%s' is already defined with uuid %s", other->name,
                         mv_uuid_format(other->uuid, uuid));
            return FALSE;
        }
        *ret_same = other;
        return TRUE;
    }
    if ((other = g_hash_table_lookup(list->by_name, def->name))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "pool '%s' already exists with uuid %s", def->name,
                     mv_uuid_format(other->uuid, uuid));
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_pool_list_find_same(StoragePoolList *list, const StoragePoolDef *def,
                            StoragePoolObj **ret_obj, GError **error)
{
    StoragePoolObj *same = NULL;
    gboolean ok;

    g_mutex_lock(&list->lock);
    ok = list_find_same_locked(list, def, &same, error);
    *ret_obj = same ? storage_pool_obj_ref(same) : NULL;
    g_mutex_unlock(&list->lock);
    return ok;
}

StoragePoolObj *
storage_pool_list_add(StoragePoolList *list, StorageDriver *drv, StoragePoolDef *def,
                      const char *job, GError **error)
{
    StoragePoolObj *obj = NULL;
    char uuid[37];

    g_mutex_lock(&list->lock);
    if (!list_find_same_locked(list, def, &obj, error)) {
        g_mutex_unlock(&list->lock);
        storage_pool_def_free(def);
        return NULL;
    }
    if (obj) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "pool '%s' is already defined with uuid %s", obj->name,
                     mv_uuid_format(obj->uuid, uuid));
        g_mutex_unlock(&list->lock);
        storage_pool_def_free(def);
        return NULL;
    }
    obj = storage_pool_obj_new(drv, def);
    /* Not shared yet: its lock is free to take. */
    if (job) {
        g_mutex_lock(&obj->lock);
        obj_take_job_locked(obj, job);
        g_mutex_unlock(&obj->lock);
    }
    g_ptr_array_add(list->pools, obj);
    g_hash_table_insert(list->by_name, obj->name, obj);
    g_hash_table_insert(list->by_uuid, obj->uuid, obj);
    storage_pool_obj_ref(obj);
    g_mutex_unlock(&list->lock);
    return obj;
}

/* Caller holds list->lock and obj->lock. */
static void
list_remove_locked(StoragePoolList *list, StoragePoolObj *obj)
{
    g_hash_table_remove(list->by_name, obj->name);
    g_hash_table_remove(list->by_uuid, obj->uuid);
    obj->removed = TRUE;
    g_cond_broadcast(&obj->cond);
}

void
storage_pool_list_remove(StoragePoolList *list, StoragePoolObj *obj)
{
    g_mutex_lock(&list->lock);
    if (g_hash_table_lookup(list->by_name, obj->name) == obj) {
        g_mutex_lock(&obj->lock);
        list_remove_locked(list, obj);
        g_mutex_unlock(&obj->lock);
        g_ptr_array_remove(list->pools, obj);
    }
    g_mutex_unlock(&list->lock);
}

gboolean
storage_pool_list_remove_inactive(StoragePoolList *list, StoragePoolObj *obj)
{
    gboolean removed = FALSE;

    g_mutex_lock(&list->lock);
    if (g_hash_table_lookup(list->by_name, obj->name) == obj) {
        g_mutex_lock(&obj->lock);
        removed = !obj->active;
        if (removed)
            list_remove_locked(list, obj);
        g_mutex_unlock(&obj->lock);
        if (removed)
            g_ptr_array_remove(list->pools, obj);
    }
    g_mutex_unlock(&list->lock);
    return removed;
}

StoragePoolObj *
storage_pool_list_find_by_name(StoragePoolList *list, const char *name, GError **error)
{
    StoragePoolObj *obj;

    g_mutex_lock(&list->lock);
    obj = g_hash_table_lookup(list->by_name, name);
    if (obj)
        storage_pool_obj_ref(obj);
    g_mutex_unlock(&list->lock);
    if (!obj)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching name '%s'", name);
    return obj;
}

StoragePoolObj *
storage_pool_list_find_by_uuid(StoragePoolList *list, const unsigned char *uuid,
                               GError **error)
{
    StoragePoolObj *obj;
    char str[37];

    g_mutex_lock(&list->lock);
    obj = g_hash_table_lookup(list->by_uuid, uuid);
    if (obj)
        storage_pool_obj_ref(obj);
    g_mutex_unlock(&list->lock);
    if (!obj)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching uuid '%s'", mv_uuid_format(uuid, str));
    return obj;
}

GPtrArray *
storage_pool_list_all(StoragePoolList *list)
{
    GPtrArray *all;

    g_mutex_lock(&list->lock);
    all = g_ptr_array_new_full(list->pools->len, (GDestroyNotify)storage_pool_obj_unref);
    for (guint i = 0; i < list->pools->len; i++)
        g_ptr_array_add(all, storage_pool_obj_ref(g_ptr_array_index(list->pools, i)));
    g_mutex_unlock(&list->lock);
    return all;
}

/* The part of a pool's source that must be unique among pools. */
static char *
pool_source_id(const StoragePoolDef *def)
{
    const StoragePoolSourceHost *host;
    const StoragePoolSourceDevice *dev;

    switch (def->type) {
    case STORAGE_POOL_DIR:
        return g_strdup_printf("path:%s", def->target.path);
    case STORAGE_POOL_FS:
    case STORAGE_POOL_DISK:
        if (def->source.devices->len == 0)
            return NULL;
        dev = g_ptr_array_index(def->source.devices, 0);
        return g_strdup_printf("dev:%s", dev->path);
    case STORAGE_POOL_LOGICAL:
        return def->source.name ? g_strdup_printf("vg:%s", def->source.name) : NULL;
    case STORAGE_POOL_ISCSI:
    case STORAGE_POOL_ISCSI_DIRECT:
        if (def->source.hosts->len == 0 || def->source.devices->len == 0)
            return NULL;
        host = g_ptr_array_index(def->source.hosts, 0);
        dev = g_ptr_array_index(def->source.devices, 0);
        return g_strdup_printf("iscsi:%s:%d:%s", host->name, host->port, dev->path);
    case STORAGE_POOL_NETFS:
    case STORAGE_POOL_SCSI:
    case STORAGE_POOL_MPATH:
    case STORAGE_POOL_RBD:
    case STORAGE_POOL_SHEEPDOG:
    case STORAGE_POOL_GLUSTER:
    case STORAGE_POOL_ZFS:
    case STORAGE_POOL_VSTORAGE:
        return NULL;
    case STORAGE_POOL_LAST:
    default:
        return NULL;
    }
}

StoragePoolObj *
storage_pool_list_find_conflict(StoragePoolList *list, const StoragePoolDef *def)
{
    g_autofree char *id = pool_source_id(def);
    StoragePoolObj *found = NULL;

    g_mutex_lock(&list->lock);
    for (guint i = 0; i < list->pools->len && !found; i++) {
        StoragePoolObj *obj = g_ptr_array_index(list->pools, i);
        g_autofree char *other_id = NULL;
        gboolean same_target;

        if (g_str_equal(obj->name, def->name))
            continue;
        g_mutex_lock(&obj->lock);
        other_id = pool_source_id(STORAGE_POOL_DEF(obj->def));
        same_target = def->target.path && STORAGE_POOL_DEF(obj->def)->target.path &&
                      g_str_equal(def->target.path, STORAGE_POOL_DEF(obj->def)->target.path);
        g_mutex_unlock(&obj->lock);
        if (same_target || (id && other_id && g_str_equal(id, other_id)))
            found = storage_pool_obj_ref(obj);
    }
    g_mutex_unlock(&list->lock);
    return found;
}

/* ---- jobs ------------------------------------------------------------------ */

typedef struct {
    gint ref;
    StorageDriver *drv;
    GMutex lock;
    GCond cond;
    gboolean done;
    gboolean ok;
    GError *error;
    StorageJobFunc func;
    gpointer data;
    GDestroyNotify free_data;
} StorageJob;

static void
storage_job_unref(StorageJob *job)
{
    if (!g_atomic_int_dec_and_test(&job->ref))
        return;
    if (job->free_data)
        job->free_data(job->data);
    mv_net_daemon_uninhibit(job->drv->rd->net);
    g_clear_error(&job->error);
    g_cond_clear(&job->cond);
    g_mutex_clear(&job->lock);
    g_free(job);
}

/* Runs on a job thread. */
static void
storage_job_thread(gpointer data, gpointer user_data)
{
    StorageJob *job = data;
    GError *error = NULL;
    gboolean ok = job->func(job->data, &error);

    if (!ok && !error)
        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "storage job failed without an error");
    if (ok)
        g_clear_error(&error);
    g_mutex_lock(&job->lock);
    job->done = TRUE;
    job->ok = ok;
    job->error = error;
    g_cond_broadcast(&job->cond);
    g_mutex_unlock(&job->lock);
    storage_job_unref(job);
}

static StorageJob *
storage_job_push(StorageDriver *drv, StorageJobFunc func, gpointer data,
                 GDestroyNotify free_data, int refs)
{
    StorageJob *job = g_new0(StorageJob, 1);

    job->ref = refs;
    job->drv = drv;
    g_mutex_init(&job->lock);
    g_cond_init(&job->cond);
    job->func = func;
    job->data = data;
    job->free_data = free_data;
    /* Work in progress keeps the daemon from exiting when idle. */
    mv_net_daemon_inhibit(drv->rd->net);
    /* NB: with an unlimited pool this never fails: a thread per job. */
    g_thread_pool_push(drv->jobs, job, NULL);
    return job;
}

GThreadPool *
storage_job_pool_new(StorageDriver *drv)
{
    /* Unlimited: a job stuck on unresponsive storage holds its thread and
     * never delays the next job. */
    return g_thread_pool_new(storage_job_thread, drv, -1, FALSE, NULL);
}

gboolean
storage_job_pool_busy(GThreadPool *pool)
{
    return g_thread_pool_get_num_threads(pool) > 0 || g_thread_pool_unprocessed(pool) > 0;
}

void
storage_job_start(StorageDriver *drv, StorageJobFunc func, gpointer data,
                  GDestroyNotify free_data)
{
    storage_job_push(drv, func, data, free_data, 1);
}

gboolean
storage_job_run(StorageDriver *drv, const char *what, StorageJobFunc func, gpointer data,
                GDestroyNotify free_data, guint timeout_ms, GError **error)
{
    StorageJob *job = storage_job_push(drv, func, data, free_data, 2);
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    gboolean ok;

    g_mutex_lock(&job->lock);
    while (!job->done) {
        if (timeout_ms == 0)
            g_cond_wait(&job->cond, &job->lock);
        else if (!g_cond_wait_until(&job->cond, &job->lock, end) && !job->done)
            break;
    }
    if (!job->done) {
        g_mutex_unlock(&job->lock);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                     "%s did not finish within %u seconds", what, (timeout_ms + 999) / 1000);
        storage_job_unref(job);
        return FALSE;
    }
    ok = job->ok;
    if (!ok)
        g_propagate_error(error, g_steal_pointer(&job->error));
    g_mutex_unlock(&job->lock);
    storage_job_unref(job);
    return ok;
}

/* ---- backend contexts ------------------------------------------------------- */

void
storage_pool_ctx_init(StoragePoolCtx *ctx, StoragePoolObj *obj, guint timeout_ms)
{
    memset(ctx, 0, sizeof(*ctx));
    g_mutex_lock(&obj->lock);
    ctx->def = storage_shared_ref(obj->def);
    ctx->priv = obj->priv ? storage_shared_ref(obj->priv) : NULL;
    g_mutex_unlock(&obj->lock);
    ctx->backend = storage_backend_for_type(STORAGE_POOL_DEF(ctx->def)->type);
    ctx->run_dir = storage_driver_pool_run_dir(obj->drv, obj->name);
    ctx->bp.def = STORAGE_POOL_DEF(ctx->def);
    ctx->bp.priv = ctx->priv ? ctx->priv->data : NULL;
    ctx->bp.run_dir = ctx->run_dir;
    ctx->bp.qcow2 = obj->drv->qcow2;
    ctx->bp.secrets_dir = obj->drv->secrets_dir;
    ctx->bp.deadline = timeout_ms ? g_get_monotonic_time() + (gint64)timeout_ms * 1000 : 0;
    ctx->bp.step_timeout_ms = obj->drv->job_timeout_ms;
}

void
storage_pool_ctx_clear(StoragePoolCtx *ctx)
{
    g_clear_pointer(&ctx->def, storage_shared_unref);
    g_clear_pointer(&ctx->priv, storage_shared_unref);
    g_clear_pointer(&ctx->run_dir, g_free);
}

/* ---- refresh ---------------------------------------------------------------- */

struct _StorageRefresh {
    gint ref;
    StoragePoolObj *obj;
    GMutex lock;
    GCond cond;
    guint gen;                   /* the pool's active_gen when it started */
    guint timeout_ms;
    gint64 deadline;
    gboolean done;
    gboolean ok;
    gboolean overdue;            /* the time bound passed first */
    gboolean notify;             /* send REFRESH when it ends (failures always do) */
    GError *error;
    GSource *watchdog;
};

StorageRefresh *
storage_refresh_ref(StorageRefresh *r)
{
    g_atomic_int_inc(&r->ref);
    return r;
}

void
storage_refresh_unref(StorageRefresh *r)
{
    if (!r || !g_atomic_int_dec_and_test(&r->ref))
        return;
    if (r->watchdog)
        g_source_unref(r->watchdog);
    g_clear_error(&r->error);
    storage_pool_obj_unref(r->obj);
    g_cond_clear(&r->cond);
    g_mutex_clear(&r->lock);
    g_free(r);
}

static void
refresh_mark_failed_locked(StoragePoolObj *obj, const char *message)
{
    storage_pool_status_set_refresh_error(&obj->status, message, g_get_real_time() / G_USEC_PER_SEC);
    obj->status.state = STORAGE_POOL_STATE_INACCESSIBLE;
}

/* The time bound passed (on the I/O thread): mark the pool now. */
static gboolean
refresh_watchdog(gpointer data)
{
    StorageRefresh *r = data;
    StoragePoolObj *obj = r->obj;
    gboolean mark;

    g_mutex_lock(&r->lock);
    mark = !r->done;
    r->overdue = mark;
    g_mutex_unlock(&r->lock);
    if (!mark)
        return G_SOURCE_REMOVE;
    g_mutex_lock(&obj->lock);
    mark = obj->refresh == r && obj->active && obj->active_gen == r->gen;
    if (mark) {
        g_autofree char *msg = g_strdup_printf("refresh did not finish within %u seconds: "
                                               "the storage is not responding",
                                               (r->timeout_ms + 999) / 1000);

        refresh_mark_failed_locked(obj, msg);
    }
    g_mutex_unlock(&obj->lock);
    if (mark) {
        g_warning("storage pool '%s': refresh did not finish within %u ms", obj->name,
                  r->timeout_ms);
        storage_event_refresh(obj->drv, obj);
    }
    return G_SOURCE_REMOVE;
}

static GPtrArray *
refresh_wrap_vols(StorageRefreshResult *res)
{
    GPtrArray *vols = g_ptr_array_new_full(res->vols->len, (GDestroyNotify)storage_vol_unref);

    /* Take the defs out of the result: they become published volumes. */
    g_ptr_array_set_free_func(res->vols, NULL);
    for (guint i = 0; i < res->vols->len; i++)
        g_ptr_array_add(vols, storage_vol_new(g_ptr_array_index(res->vols, i)));
    g_ptr_array_set_size(res->vols, 0);
    return vols;
}

/* The live definition shows the target directory's permissions as they
 * are (libvirt's refresh does the same).  Caller holds lock. */
static void
refresh_update_perms_locked(StoragePoolObj *obj, const StoragePerms *perms)
{
    const StoragePoolDef *def = STORAGE_POOL_DEF(obj->def);
    g_autofree char *xml = NULL;
    StoragePoolDef *copy;

    if (perms->mode < 0 ||
        (def->target.perms.mode == perms->mode && def->target.perms.uid == perms->uid &&
         def->target.perms.gid == perms->gid))
        return;
    /* NB: definitions are shared with running jobs: a new one, never a change. */
    xml = storage_pool_def_format(def, NULL, 0);
    if (!(copy = storage_pool_def_parse_string(xml, 0, NULL)))
        return;
    copy->target.perms.mode = perms->mode;
    copy->target.perms.uid = perms->uid;
    copy->target.perms.gid = perms->gid;
    storage_pool_obj_set_def_locked(obj, copy);
}

/* Apply what the refresh found (or its failure) to the pool.  Returns
 * whether it still mattered. */
static gboolean
refresh_apply(StorageRefresh *r, StorageRefreshResult *res, const GError *error)
{
    StoragePoolObj *obj = r->obj;
    g_autoptr(GPtrArray) vols = res ? refresh_wrap_vols(res) : NULL;
    gboolean applied;

    g_mutex_lock(&obj->lock);
    applied = obj->active && obj->active_gen == r->gen;
    if (applied && res) {
        storage_pool_obj_swap_vols_locked(obj, vols);
        obj->status.capacity = res->capacity;
        obj->status.allocation = res->allocation;
        obj->status.available = res->available;
        storage_pool_status_set_refresh_error(&obj->status, NULL, 0);
        obj->status.state = STORAGE_POOL_STATE_RUNNING;
        refresh_update_perms_locked(obj, &res->target_perms);
    } else if (applied) {
        refresh_mark_failed_locked(obj, error->message);
    }
    if (obj->refresh == r) {
        obj->refresh = NULL;
        g_clear_pointer(&obj->refresh_dirty, g_hash_table_unref);
        storage_refresh_unref(r);
    }
    g_mutex_unlock(&obj->lock);
    return applied;
}

static gboolean
refresh_job(gpointer data, GError **unused)
{
    StorageRefresh *r = data;
    StoragePoolObj *obj = r->obj;
    g_autoptr(StorageRefreshResult) res = NULL;
    g_autoptr(GError) error = NULL;
    StoragePoolCtx ctx;

    storage_pool_ctx_init(&ctx, obj, r->timeout_ms);
    if (!ctx.backend)
        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "missing backend for pool type '%s'",
                     storage_pool_type_to_string(ctx.bp.def->type));
    else
        res = ctx.backend->refresh(&ctx.bp, &error);
    storage_pool_ctx_clear(&ctx);
    if (!res && !error)
        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR, "refresh failed");
    if (!res)
        g_warning("storage pool '%s': refresh failed: %s", obj->name, error->message);
    if (refresh_apply(r, res, error) && (!res || g_atomic_int_get(&r->notify)))
        storage_event_refresh(obj->drv, obj);
    if (r->watchdog)
        g_source_destroy(r->watchdog);
    g_mutex_lock(&r->lock);
    r->done = TRUE;
    r->ok = res != NULL;
    r->error = g_steal_pointer(&error);
    g_cond_broadcast(&r->cond);
    g_mutex_unlock(&r->lock);
    return TRUE;
}

void
storage_pool_obj_wait_restored(StoragePoolObj *obj, guint max_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)max_ms * 1000;

    g_mutex_lock(&obj->lock);
    while (obj->restoring && g_cond_wait_until(&obj->cond, &obj->lock, end))
        ;
    g_mutex_unlock(&obj->lock);
}

StorageRefresh *
storage_pool_refresh_begin(StoragePoolObj *obj, gboolean notify)
{
    StorageDriver *drv = obj->drv;
    StorageRefresh *r;

    g_mutex_lock(&obj->lock);
    if (obj->refresh) {
        r = storage_refresh_ref(obj->refresh);
        if (notify)
            g_atomic_int_set(&r->notify, TRUE);
        g_mutex_unlock(&obj->lock);
        return r;
    }
    r = g_new0(StorageRefresh, 1);
    r->ref = 3;     /* the caller, the pool, the job */
    r->obj = storage_pool_obj_ref(obj);
    g_mutex_init(&r->lock);
    g_cond_init(&r->cond);
    r->gen = obj->active_gen;
    r->notify = notify;
    r->timeout_ms = drv->refresh_timeout_ms;
    r->deadline = g_get_monotonic_time() + (gint64)r->timeout_ms * 1000;
    obj->refresh = r;
    obj->refresh_dirty = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->watchdog = g_timeout_source_new(r->timeout_ms);
    g_source_set_callback(r->watchdog, refresh_watchdog, storage_refresh_ref(r),
                          (GDestroyNotify)storage_refresh_unref);
    g_mutex_unlock(&obj->lock);
    g_source_attach(r->watchdog, drv->ctx);
    storage_job_start(drv, refresh_job, r, (GDestroyNotify)storage_refresh_unref);
    return r;
}

gboolean
storage_refresh_wait(StorageRefresh *r, GError **error)
{
    return storage_refresh_wait_at_most(r, G_MAXUINT, error);
}

gboolean
storage_refresh_wait_at_most(StorageRefresh *r, guint max_ms, GError **error)
{
    /* A little past the bound, so that a refresh ending right at it wins. */
    gint64 end = r->deadline + 50 * 1000;
    gboolean ok;

    if (max_ms != G_MAXUINT)
        end = MIN(end, g_get_monotonic_time() + (gint64)max_ms * 1000);
    g_mutex_lock(&r->lock);
    while (!r->done) {
        if (!g_cond_wait_until(&r->cond, &r->lock, end) && !r->done)
            break;
    }
    if (!r->done) {
        g_mutex_unlock(&r->lock);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                     "refresh of storage pool '%s' did not finish within %u seconds: "
                     "the storage is not responding", r->obj->name,
                     (MIN(r->timeout_ms, max_ms) + 999) / 1000);
        return FALSE;
    }
    ok = r->ok;
    if (!ok && error)
        *error = g_error_copy(r->error);
    g_mutex_unlock(&r->lock);
    return ok;
}

void
storage_pool_obj_forget_refresh_locked(StoragePoolObj *obj)
{
    if (!obj->refresh)
        return;
    g_clear_pointer(&obj->refresh, storage_refresh_unref);
    g_clear_pointer(&obj->refresh_dirty, g_hash_table_unref);
}
