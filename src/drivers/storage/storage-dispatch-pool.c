/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-dispatch-pool.c: the storage pool procedures: lookups and lists
 * (answered from memory, on the I/O thread), define/undefine, the state
 * changes (build, start, stop, delete: backend work on a job thread with a
 * time bound), refresh, info and XML, autostart, event registration.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "conf/storage-xml.h"
#include "drivers/storage/storage-dispatch.h"
#include "remote/remote-daemon.h"
#include "util/error.h"

/* VIR_CONNECT_LIST_STORAGE_POOLS_*: NB inactive is the low bit. */
enum {
    LIST_INACTIVE = 1 << 0, LIST_ACTIVE = 1 << 1, LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3, LIST_AUTOSTART = 1 << 4, LIST_NO_AUTOSTART = 1 << 5,
    LIST_TYPES_SHIFT = 6,
};
/* The type bits follow, in this order (libvirt's, not the pool type enum's). */
static const StoragePoolType list_type_bits[] = {
    STORAGE_POOL_DIR, STORAGE_POOL_FS, STORAGE_POOL_NETFS, STORAGE_POOL_LOGICAL,
    STORAGE_POOL_DISK, STORAGE_POOL_ISCSI, STORAGE_POOL_SCSI, STORAGE_POOL_MPATH,
    STORAGE_POOL_RBD, STORAGE_POOL_SHEEPDOG, STORAGE_POOL_GLUSTER, STORAGE_POOL_ZFS,
    STORAGE_POOL_VSTORAGE, STORAGE_POOL_ISCSI_DIRECT,
};
#define LIST_ALL_FLAGS ((1u << (LIST_TYPES_SHIFT + G_N_ELEMENTS(list_type_bits))) - 1)

enum { XML_INACTIVE = 1 };
enum { DEFINE_VALIDATE = 1 };

/* ---- helpers shared with the volume procedures ---------------------------------- */

StorageDriver *
storage_dispatch_drv(MvServerCall *call)
{
    return storage_driver_from_client(mv_server_call_get_client(call));
}

int
storage_dispatch_gate(MvServerCall *call, GError **error)
{
    static gint late_logged;
    StorageDriver *drv = storage_dispatch_drv(call);

    /* One deadline for all calls: a pool whose storage hangs delays the
     * calls of the daemon's first seconds, then none. */
    if (!g_atomic_int_get(&drv->restoring) || g_get_monotonic_time() >= drv->restore_deadline)
        return 0;
    if (mv_server_call_is_inline(call))
        return MV_SERVER_CALL_TO_WORKER;
    if (!storage_driver_wait_restored(drv) &&
        g_atomic_int_compare_and_exchange(&late_logged, 0, 1))
        g_warning("storage pools still being restored %d s after the start: "
                  "calls go on without them", STORAGE_RESTORE_WAIT_MS / 1000);
    return 0;
}

StoragePoolObj *
storage_dispatch_get_pool(StorageDriver *drv, const remote_nonnull_storage_pool *pool,
                          GError **error)
{
    StoragePoolObj *obj = storage_pool_list_find_by_uuid(drv->pools,
                                                         (const guchar *)pool->uuid, NULL);
    char uuid[37];

    if (!obj)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching uuid '%s' (%s)",
                     mv_uuid_format((const guchar *)pool->uuid, uuid), pool->name);
    return obj;
}

void
storage_dispatch_make_pool(StoragePoolObj *obj, remote_nonnull_storage_pool *ret)
{
    ret->name = g_strdup(obj->name);
    memcpy(ret->uuid, obj->uuid, MV_UUID_LEN);
}

gboolean
storage_dispatch_check_flags(const char *api, unsigned int flags, unsigned int allowed,
                             GError **error)
{
    return mv_error_check_flags(MV_FROM_STORAGE, api, flags, allowed, error);
}

gboolean
storage_dispatch_check_op(const void *op, const char *message, GError **error)
{
    if (!op) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT, "%s", message);
        return FALSE;
    }
    return TRUE;
}

static StoragePoolObj *
dispatch_pool(MvServerCall *call, const remote_nonnull_storage_pool *pool, GError **error)
{
    return storage_dispatch_get_pool(storage_dispatch_drv(call), pool, error);
}

/* ---- lookups and lists (from memory) ------------------------------------------ */

int
remote_dispatch_storage_pool_lookup_by_name(MvServerCall *call,
                                            remote_storage_pool_lookup_by_name_args *args,
                                            remote_storage_pool_lookup_by_name_ret *ret,
                                            GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_pool_list_find_by_name(
        storage_dispatch_drv(call)->pools, args->name, error);

    if (!obj)
        return -1;
    storage_dispatch_make_pool(obj, &ret->pool);
    return 0;
}

int
remote_dispatch_storage_pool_lookup_by_uuid(MvServerCall *call,
                                            remote_storage_pool_lookup_by_uuid_args *args,
                                            remote_storage_pool_lookup_by_uuid_ret *ret,
                                            GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_pool_list_find_by_uuid(
        storage_dispatch_drv(call)->pools, (const guchar *)args->uuid, error);

    if (!obj)
        return -1;
    storage_dispatch_make_pool(obj, &ret->pool);
    return 0;
}

int
remote_dispatch_storage_pool_lookup_by_volume(MvServerCall *call,
                                              remote_storage_pool_lookup_by_volume_args *args,
                                              remote_storage_pool_lookup_by_volume_ret *ret,
                                              GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_pool_list_find_by_name(
        storage_dispatch_drv(call)->pools, args->vol.pool, error);

    if (!obj)
        return -1;
    storage_dispatch_make_pool(obj, &ret->pool);
    return 0;
}

int
remote_dispatch_storage_pool_lookup_by_target_path(
    MvServerCall *call, remote_storage_pool_lookup_by_target_path_args *args,
    remote_storage_pool_lookup_by_target_path_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) all = storage_pool_list_all(storage_dispatch_drv(call)->pools);
    g_autofree char *path = storage_xml_sanitize_path(args->path);

    for (guint i = 0; i < all->len; i++) {
        StoragePoolObj *obj = g_ptr_array_index(all, i);
        gboolean match;

        g_mutex_lock(&obj->lock);
        match = obj->active && STORAGE_POOL_DEF(obj->def)->target.path &&
                g_str_equal(STORAGE_POOL_DEF(obj->def)->target.path, path);
        g_mutex_unlock(&obj->lock);
        if (match) {
            storage_dispatch_make_pool(obj, &ret->pool);
            return 0;
        }
    }
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                 "no storage pool with matching target path '%s'", args->path);
    return -1;
}

static gboolean
list_matches(StoragePoolObj *obj, unsigned int flags)
{
    gboolean active = obj->active;
    guint types = flags >> LIST_TYPES_SHIFT;

    if ((flags & (LIST_ACTIVE | LIST_INACTIVE)) &&
        !((active && (flags & LIST_ACTIVE)) || (!active && (flags & LIST_INACTIVE))))
        return FALSE;
    if ((flags & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
        !((obj->persistent && (flags & LIST_PERSISTENT)) ||
          (!obj->persistent && (flags & LIST_TRANSIENT))))
        return FALSE;
    if ((flags & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
        !((obj->autostart && (flags & LIST_AUTOSTART)) ||
          (!obj->autostart && (flags & LIST_NO_AUTOSTART))))
        return FALSE;
    if (types) {
        StoragePoolType type = STORAGE_POOL_DEF(obj->def)->type;

        for (guint i = 0; i < G_N_ELEMENTS(list_type_bits); i++) {
            if ((types & (1u << i)) && list_type_bits[i] == type)
                return TRUE;
        }
        return FALSE;
    }
    return TRUE;
}

int
remote_dispatch_connect_list_all_storage_pools(MvServerCall *call,
                                               remote_connect_list_all_storage_pools_args *args,
                                               remote_connect_list_all_storage_pools_ret *ret,
                                               GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) found = NULL;

    if (!storage_dispatch_check_flags("virConnectListAllStoragePools", args->flags,
                                      LIST_ALL_FLAGS, error))
        return -1;
    all = storage_pool_list_all(storage_dispatch_drv(call)->pools);
    found = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++) {
        StoragePoolObj *obj = g_ptr_array_index(all, i);
        gboolean match;

        g_mutex_lock(&obj->lock);
        match = list_matches(obj, args->flags);
        g_mutex_unlock(&obj->lock);
        if (match)
            g_ptr_array_add(found, obj);
    }
    if (args->need_results) {
        ret->pools.pools_val = g_new0(remote_nonnull_storage_pool, found->len);
        ret->pools.pools_len = found->len;
        for (guint i = 0; i < found->len; i++)
            storage_dispatch_make_pool(g_ptr_array_index(found, i), &ret->pools.pools_val[i]);
    }
    ret->ret = found->len;
    return 0;
}

/* Names of the active (or inactive) pools, at most @max (-1: all). */
static GPtrArray *
list_names(MvServerCall *call, gboolean active, int max)
{
    g_autoptr(GPtrArray) all = storage_pool_list_all(storage_dispatch_drv(call)->pools);
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < all->len && (max < 0 || names->len < (guint)max); i++) {
        StoragePoolObj *obj = g_ptr_array_index(all, i);
        gboolean match;

        g_mutex_lock(&obj->lock);
        match = obj->active == active;
        g_mutex_unlock(&obj->lock);
        if (match)
            g_ptr_array_add(names, g_strdup(obj->name));
    }
    return names;
}

static gboolean
list_check_max(int maxnames, GError **error)
{
    if (maxnames < 0 || maxnames > REMOTE_STORAGE_POOL_NAME_LIST_MAX) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maxnames > REMOTE_STORAGE_POOL_LIST_MAX");
        return FALSE;
    }
    return TRUE;
}

int
remote_dispatch_connect_num_of_storage_pools(MvServerCall *call,
                                             remote_connect_num_of_storage_pools_ret *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) names = list_names(call, TRUE, -1);

    g_ptr_array_set_free_func(names, g_free);
    ret->num = names->len;
    return 0;
}

int
remote_dispatch_connect_num_of_defined_storage_pools(
    MvServerCall *call, remote_connect_num_of_defined_storage_pools_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) names = list_names(call, FALSE, -1);

    g_ptr_array_set_free_func(names, g_free);
    ret->num = names->len;
    return 0;
}

int
remote_dispatch_connect_list_storage_pools(MvServerCall *call,
                                           remote_connect_list_storage_pools_args *args,
                                           remote_connect_list_storage_pools_ret *ret,
                                           GError **error)
{
    GPtrArray *names;

    if (!list_check_max(args->maxnames, error))
        return -1;
    names = list_names(call, TRUE, args->maxnames);
    ret->names.names_len = names->len;
    ret->names.names_val = (char **)g_ptr_array_free(names, FALSE);
    return 0;
}

int
remote_dispatch_connect_list_defined_storage_pools(
    MvServerCall *call, remote_connect_list_defined_storage_pools_args *args,
    remote_connect_list_defined_storage_pools_ret *ret, GError **error)
{
    GPtrArray *names;

    if (!list_check_max(args->maxnames, error))
        return -1;
    names = list_names(call, FALSE, args->maxnames);
    ret->names.names_len = names->len;
    ret->names.names_val = (char **)g_ptr_array_free(names, FALSE);
    return 0;
}

/* ---- info -------------------------------------------------------------------- */

int
remote_dispatch_storage_pool_get_info(MvServerCall *call,
                                      remote_storage_pool_get_info_args *args,
                                      remote_storage_pool_get_info_ret *ret, GError **error)
{
    g_autoptr(StoragePoolObj) obj = dispatch_pool(call, &args->pool, error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->state = obj->active ? obj->status.state : STORAGE_POOL_STATE_INACTIVE;
    if (obj->active) {
        ret->capacity = obj->status.capacity;
        ret->allocation = obj->status.allocation;
        ret->available = obj->status.available;
    }
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_get_xml_desc(MvServerCall *call,
                                          remote_storage_pool_get_xml_desc_args *args,
                                          remote_storage_pool_get_xml_desc_ret *ret,
                                          GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;

    if (!storage_dispatch_check_flags("virStoragePoolGetXMLDesc", args->flags, XML_INACTIVE,
                                      error) ||
        !(obj = dispatch_pool(call, &args->pool, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    if ((args->flags & XML_INACTIVE) && obj->new_def)
        ret->xml = storage_pool_def_format(obj->new_def, NULL, 0);
    else if (obj->active && !(args->flags & XML_INACTIVE))
        ret->xml = storage_pool_def_format(STORAGE_POOL_DEF(obj->def), &obj->status, 0);
    else
        ret->xml = storage_pool_def_format(STORAGE_POOL_DEF(obj->def), NULL, 0);
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_get_autostart(MvServerCall *call,
                                           remote_storage_pool_get_autostart_args *args,
                                           remote_storage_pool_get_autostart_ret *ret,
                                           GError **error)
{
    g_autoptr(StoragePoolObj) obj = dispatch_pool(call, &args->pool, error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->autostart = obj->autostart;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_is_active(MvServerCall *call,
                                       remote_storage_pool_is_active_args *args,
                                       remote_storage_pool_is_active_ret *ret, GError **error)
{
    g_autoptr(StoragePoolObj) obj = dispatch_pool(call, &args->pool, error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->active = obj->active;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_is_persistent(MvServerCall *call,
                                           remote_storage_pool_is_persistent_args *args,
                                           remote_storage_pool_is_persistent_ret *ret,
                                           GError **error)
{
    g_autoptr(StoragePoolObj) obj = dispatch_pool(call, &args->pool, error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->persistent = obj->persistent;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_set_autostart(MvServerCall *call,
                                           remote_storage_pool_set_autostart_args *args,
                                           GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_pool(drv, &args->pool, error);
    gboolean ok;

    if (!obj)
        return -1;
    g_mutex_lock(&drv->define_lock);
    g_mutex_lock(&obj->lock);
    if (obj->removed) {
        /* Undefined meanwhile: no link for a pool that is gone. */
        g_mutex_unlock(&obj->lock);
        g_mutex_unlock(&drv->define_lock);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching name '%s'", obj->name);
        return -1;
    }
    if (!obj->persistent) {
        g_mutex_unlock(&obj->lock);
        g_mutex_unlock(&drv->define_lock);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot set autostart for transient pool");
        return -1;
    }
    g_mutex_unlock(&obj->lock);
    ok = storage_driver_set_autostart(drv, obj->name, args->autostart != 0, error);
    if (ok) {
        g_mutex_lock(&obj->lock);
        obj->autostart = args->autostart != 0;
        g_mutex_unlock(&obj->lock);
    }
    g_mutex_unlock(&drv->define_lock);
    return ok ? 0 : -1;
}

/* ---- volumes of a pool --------------------------------------------------------- */

/* The pool of @pool, which must be active; its lock is held on return. */
static StoragePoolObj *
dispatch_active_pool_locked(MvServerCall *call, const remote_nonnull_storage_pool *pool,
                            GError **error)
{
    StoragePoolObj *obj = dispatch_pool(call, pool, error);

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!storage_pool_obj_check_active_locked(obj, error)) {
        g_mutex_unlock(&obj->lock);
        storage_pool_obj_unref(obj);
        return NULL;
    }
    return obj;
}

int
remote_dispatch_storage_pool_num_of_volumes(MvServerCall *call,
                                            remote_storage_pool_num_of_volumes_args *args,
                                            remote_storage_pool_num_of_volumes_ret *ret,
                                            GError **error)
{
    g_autoptr(StoragePoolObj) obj = dispatch_active_pool_locked(call, &args->pool, error);

    if (!obj)
        return -1;
    ret->num = obj->vols->len;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_storage_pool_list_volumes(MvServerCall *call,
                                          remote_storage_pool_list_volumes_args *args,
                                          remote_storage_pool_list_volumes_ret *ret,
                                          GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;
    guint n;

    if (args->maxnames < 0 || args->maxnames > REMOTE_STORAGE_VOL_NAME_LIST_MAX) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maxnames > REMOTE_STORAGE_VOL_LIST_MAX");
        return -1;
    }
    if (!(obj = dispatch_active_pool_locked(call, &args->pool, error)))
        return -1;
    n = MIN(obj->vols->len, (guint)args->maxnames);
    ret->names.names_val = g_new0(char *, n);
    ret->names.names_len = n;
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(((StorageVol *)g_ptr_array_index(obj->vols, i))->def->name);
    g_mutex_unlock(&obj->lock);
    return 0;
}

/*
 * The pool's volumes as one block: the array, then the pool's name once
 * and each volume's name and key, owned by @call's reply (a pool of
 * thousands of volumes would otherwise cost three mallocs and frees each).
 * Called with @obj locked.
 */
static remote_nonnull_storage_vol *
dispatch_vol_list_block(StoragePoolObj *obj, MvServerCall *call)
{
    guint n = obj->vols->len;
    gsize pool_len = strlen(obj->name);
    gsize size = n * sizeof(remote_nonnull_storage_vol) + pool_len + 1;
    /* the reply: the array's count, each volume's three strings, ret */
    gsize xdr = 4 + 4 + n * MV_XDR_STRING_SIZE(pool_len);
    remote_nonnull_storage_vol *vals;
    char *pool;
    char *p;

    for (guint i = 0; i < n; i++) {
        const StorageVolDef *def = ((StorageVol *)g_ptr_array_index(obj->vols, i))->def;
        gsize name_len = strlen(def->name);
        gsize key_len = def->key ? strlen(def->key) : 0;

        size += name_len + 1 + key_len + 1;
        xdr += MV_XDR_STRING_SIZE(name_len) + MV_XDR_STRING_SIZE(key_len);
    }
    mv_server_call_set_reply_size(call, xdr);
    vals = g_malloc(size);
    pool = (char *)(vals + n);
    p = stpcpy(pool, obj->name) + 1;
    for (guint i = 0; i < n; i++) {
        const StorageVolDef *def = ((StorageVol *)g_ptr_array_index(obj->vols, i))->def;

        vals[i].pool = pool;
        vals[i].name = p;
        p = stpcpy(p, def->name) + 1;
        vals[i].key = p;
        p = stpcpy(p, def->key ? def->key : "") + 1;
    }
    mv_server_call_set_ret_owner(call, g_free, vals);
    return vals;
}

int
remote_dispatch_storage_pool_list_all_volumes(MvServerCall *call,
                                              remote_storage_pool_list_all_volumes_args *args,
                                              remote_storage_pool_list_all_volumes_ret *ret,
                                              GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;
    guint n;

    if (!storage_dispatch_check_flags("virStoragePoolListAllVolumes", args->flags, 0, error) ||
        !(obj = dispatch_active_pool_locked(call, &args->pool, error)))
        return -1;
    n = obj->vols->len;
    if (args->need_results) {
        ret->vols.vols_val = dispatch_vol_list_block(obj, call);
        ret->vols.vols_len = n;
    }
    ret->ret = n;
    g_mutex_unlock(&obj->lock);
    return 0;
}

/* ---- define, undefine ---------------------------------------------------------- */

static StoragePoolDef *
dispatch_parse_def(const char *xml, GError **error)
{
    g_autoptr(StoragePoolDef) def = storage_pool_def_parse_string(xml, 0, error);

    if (!def || !storage_pool_def_validate(def, error))
        return NULL;
    if (!storage_backend_for_type(def->type)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "no storage backend for pool type '%s' in this build",
                     storage_pool_type_to_string(def->type));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/*
 * Which pool @def is, with libvirt's checks in libvirt's order: another
 * pool with its name or uuid, then (@check_active, for create) the pool
 * itself active or starting (unless the caller holds its job: @held), then
 * another pool with its source.  *@ret_obj: the pool with @def's name and
 * uuid (a new reference), or NULL.
 */
static gboolean
dispatch_check_def(StorageDriver *drv, const StoragePoolDef *def, gboolean check_active,
                   StoragePoolObj *held, StoragePoolObj **ret_obj, GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StoragePoolObj) other = NULL;
    gboolean ok = TRUE;

    if (!storage_pool_list_find_same(drv->pools, def, &obj, error))
        return FALSE;
    if (obj && check_active) {
        g_mutex_lock(&obj->lock);
        if (obj->active) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                         "pool is already active as '%s'", obj->name);
            ok = FALSE;
        } else if (obj != held && obj->job && g_str_equal(obj->job, "start")) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                         "pool '%s' is starting up", obj->name);
            ok = FALSE;
        }
        g_mutex_unlock(&obj->lock);
        if (!ok)
            return FALSE;
    }
    if ((other = storage_pool_list_find_conflict(drv->pools, def))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "Storage source conflict with pool: '%s'", other->name);
        return FALSE;
    }
    *ret_obj = g_steal_pointer(&obj);
    return TRUE;
}

/*
 * dispatch_check_def() with the define lock held, and the job of the pool
 * @def names, if it exists, for @what.  The define lock is never held while
 * waiting for a job (a define or undefine of one pool never waits behind a
 * build of another): a running job is waited for without it, and then the
 * check is made again, as the pool may have been undefined or redefined
 * meanwhile.  On TRUE the define lock is held, and *@ret_obj's job if
 * *@ret_obj; on FALSE, neither.  The lock order: a pool's job, then the
 * define lock.
 */
static gboolean
dispatch_check_def_with_job(StorageDriver *drv, const StoragePoolDef *def,
                            gboolean check_active, const char *what,
                            StoragePoolObj **ret_obj, GError **error)
{
    g_autoptr(StoragePoolObj) held = NULL;

    for (;;) {
        g_autoptr(StoragePoolObj) obj = NULL;

        g_mutex_lock(&drv->define_lock);
        if (!dispatch_check_def(drv, def, check_active, held, &obj, error)) {
            g_mutex_unlock(&drv->define_lock);
            if (held)
                storage_pool_obj_end_job(held);
            return FALSE;
        }
        if (held && held != obj) {
            /* Not the pool whose job we waited for any more. */
            storage_pool_obj_end_job(held);
            g_clear_pointer(&held, storage_pool_obj_unref);
        }
        if (!obj || held || storage_pool_obj_try_begin_job(obj, what)) {
            /* The job, if any, goes with the reference. */
            g_clear_pointer(&held, storage_pool_obj_unref);
            *ret_obj = g_steal_pointer(&obj);
            return TRUE;
        }
        g_mutex_unlock(&drv->define_lock);
        if (!storage_pool_obj_begin_job(obj, what, error)) {
            gboolean gone;

            g_mutex_lock(&obj->lock);
            gone = obj->removed;
            g_mutex_unlock(&obj->lock);
            if (!gone)
                return FALSE;
            /* Undefined meanwhile: check again, as a new pool. */
            g_clear_error(error);
            continue;
        }
        held = g_steal_pointer(&obj);
    }
}

/* Redefine @obj with @def (ownership taken); the job is held. */
static gboolean
dispatch_redefine(StorageDriver *drv, StoragePoolObj *obj, StoragePoolDef *def, GError **error)
{
    if (!storage_driver_save_config(drv, def, error)) {
        storage_pool_def_free(def);
        return FALSE;
    }
    g_mutex_lock(&obj->lock);
    obj->persistent = TRUE;
    storage_pool_def_free(g_steal_pointer(&obj->new_def));
    if (obj->active)
        obj->new_def = def;
    else
        storage_pool_obj_set_def_locked(obj, def);
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

/* A new persistent pool for @def (ownership taken): in the list first (a
 * clash writes nothing), then its config; gone again if that fails. */
static StoragePoolObj *
dispatch_define_new(StorageDriver *drv, StoragePoolDef *def, GError **error)
{
    g_autoptr(StoragePoolObj) obj = storage_pool_list_add(drv->pools, drv, def, NULL, error);
    g_autoptr(StorageShared) shared = NULL;

    if (!obj)
        return NULL;
    shared = storage_pool_obj_get_def(obj);
    if (!storage_driver_save_config(drv, STORAGE_POOL_DEF(shared), error)) {
        storage_pool_list_remove(drv->pools, obj);
        return NULL;
    }
    g_mutex_lock(&obj->lock);
    obj->persistent = TRUE;
    g_mutex_unlock(&obj->lock);
    return g_steal_pointer(&obj);
}

int
remote_dispatch_storage_pool_define_xml(MvServerCall *call,
                                        remote_storage_pool_define_xml_args *args,
                                        remote_storage_pool_define_xml_ret *ret, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StoragePoolDef) def = NULL;

    if (!storage_dispatch_check_flags("virStoragePoolDefineXML", args->flags, DEFINE_VALIDATE,
                                      error))
        return -1;
    if (!(def = dispatch_parse_def(args->xml, error)) ||
        !dispatch_check_def_with_job(drv, def, FALSE, "define", &obj, error))
        return -1;
    if (obj) {
        gboolean ok = dispatch_redefine(drv, obj, g_steal_pointer(&def), error);

        g_mutex_unlock(&drv->define_lock);
        storage_pool_obj_end_job(obj);
        if (!ok)
            return -1;
    } else {
        obj = dispatch_define_new(drv, g_steal_pointer(&def), error);
        g_mutex_unlock(&drv->define_lock);
        if (!obj)
            return -1;
    }
    storage_event_lifecycle(drv, obj, STORAGE_EVENT_DEFINED);
    storage_dispatch_make_pool(obj, &ret->pool);
    return 0;
}

int
remote_dispatch_storage_pool_undefine(MvServerCall *call,
                                      remote_storage_pool_undefine_args *args, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_pool(drv, &args->pool, error);
    gboolean ok;

    if (!obj)
        return -1;
    /* NB: the job first, then the define lock (see
     * dispatch_check_def_with_job()). */
    if (!storage_pool_obj_begin_job(obj, "undefine", error))
        return -1;
    g_mutex_lock(&drv->define_lock);
    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_inactive_locked(obj, "still active", error) &&
         storage_pool_obj_check_no_jobs_locked(obj, error);
    if (ok && !obj->persistent) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "storage pool '%s' is transient", obj->name);
        ok = FALSE;
    }
    g_mutex_unlock(&obj->lock);
    if (ok && (ok = storage_driver_delete_config(drv, obj->name, error))) {
        storage_driver_delete_state(drv, obj->name);
        storage_pool_list_remove(drv->pools, obj);
    }
    g_mutex_unlock(&drv->define_lock);
    storage_pool_obj_end_job(obj);
    if (!ok)
        return -1;
    storage_event_lifecycle(drv, obj, STORAGE_EVENT_UNDEFINED);
    return 0;
}

/* ---- capabilities ------------------------------------------------------------- */

int
remote_dispatch_connect_get_storage_pool_capabilities(
    MvServerCall *call, remote_connect_get_storage_pool_capabilities_args *args,
    remote_connect_get_storage_pool_capabilities_ret *ret, GError **error)
{
    if (!storage_dispatch_check_flags("virConnectGetStoragePoolCapabilities", args->flags, 0,
                                      error))
        return -1;
    ret->capabilities = storage_pool_capabilities_format();
    return 0;
}

/* ---- find-storage-pool-sources ----------------------------------------------- */

/* How much longer than the backend's deadline a discovery is waited for. */
#define FIND_GRACE_MS 5000

/* A discovery on a job thread; the caller and the job each hold a
 * reference (the caller may stop waiting).  @spec NULL: no <source>. */
typedef struct {
    gint ref;
    const StorageBackend *backend;
    StoragePoolDef *spec;
    char *secrets_dir;
    guint timeout_ms;
    char *xml;                   /* the answer */
} FindOp;

static void
find_op_unref(gpointer data)
{
    FindOp *op = data;

    if (!g_atomic_int_dec_and_test(&op->ref))
        return;
    storage_pool_def_free(op->spec);
    g_free(op->secrets_dir);
    g_free(op->xml);
    g_free(op);
}

static gboolean
find_op_job(gpointer data, GError **error)
{
    FindOp *op = data;
    StorageBackendPool bp = { 0 };
    g_autoptr(GPtrArray) found = NULL;

    bp.def = op->spec;
    bp.deadline = g_get_monotonic_time() + (gint64)op->timeout_ms * 1000;
    bp.step_timeout_ms = op->timeout_ms;
    bp.secrets_dir = op->secrets_dir;
    if (!(found = op->backend->find_sources(&bp, error)))
        return FALSE;
    op->xml = storage_pool_sources_format(found);
    return TRUE;
}

int
remote_dispatch_connect_find_storage_pool_sources(
    MvServerCall *call, remote_connect_find_storage_pool_sources_args *args,
    remote_connect_find_storage_pool_sources_ret *ret, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolDef) spec = NULL;
    const StorageBackend *backend;
    FindOp *op;
    int type;

    if ((type = storage_pool_type_from_string(args->type)) < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "unknown storage pool type %s", args->type);
        return -1;
    }
    backend = storage_backend_for_type(type);
    if (!backend || !backend->find_sources) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "pool type '%s' does not support source discovery", args->type);
        return -1;
    }
    /* As in libvirt: the type first, then the flags, then the source. */
    if (!storage_dispatch_check_flags("virConnectFindStoragePoolSources", args->flags, 0,
                                      error))
        return -1;
    if (backend->find_sources_takes_source && args->srcSpec && *args->srcSpec &&
        !(spec = storage_pool_source_parse_string(type, *args->srcSpec, error)))
        return -1;
    op = g_new0(FindOp, 1);
    op->ref = 2;
    op->backend = backend;
    op->spec = g_steal_pointer(&spec);
    op->secrets_dir = g_strdup(drv->secrets_dir);
    op->timeout_ms = drv->job_timeout_ms;
    /* A little longer than the backend's own deadline, so that its own
     * error (the portal that did not answer...) is the one reported. */
    if (!storage_job_run(drv, "storage pool source discovery", find_op_job, op, find_op_unref,
                         drv->job_timeout_ms + FIND_GRACE_MS, error)) {
        find_op_unref(op);
        return -1;
    }
    ret->xml = g_steal_pointer(&op->xml);
    find_op_unref(op);
    return 0;
}

/* ---- state changes: backend work on job threads ------------------------------- */

typedef struct _PoolOp PoolOp;
typedef gboolean (*PoolOpFunc)(PoolOp *op, GError **error);
struct _PoolOp {
    StorageDriver *drv;
    StoragePoolObj *obj;
    unsigned int flags;
    PoolOpFunc func;
    guint timeout_ms;            /* the backend's deadline */
    gboolean restore_def;        /* failed: the persistent definition comes back */
    gboolean remove_failed;      /* failed: the (new, transient) pool goes */
    StoragePoolCtx ctx;
};

static void
pool_op_free(PoolOp *op)
{
    storage_pool_ctx_clear(&op->ctx);
    storage_pool_obj_unref(op->obj);
    g_free(op);
}

static gboolean
pool_op_job(gpointer data, GError **error)
{
    PoolOp *op = data;
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
    /* Before the job ends: no other job may see the failed call's
     * definition, not even after a caller that stopped waiting. */
    if (!ok && op->restore_def) {
        g_mutex_lock(&op->obj->lock);
        storage_pool_obj_take_new_def_locked(op->obj);
        g_mutex_unlock(&op->obj->lock);
    }
    /* Likewise: a define waiting for this job finds the pool gone, and
     * defines it anew, rather than redefining one about to go. */
    if (!ok && op->remove_failed)
        storage_pool_list_remove_inactive(op->drv->pools, op->obj);
    storage_pool_obj_end_job(op->obj);
    return ok;
}

/* An op to run @func on @obj, whose job the caller holds (and hands to
 * the op).  Until pool_op_submit(), the caller may change the pool under
 * the job. */
static PoolOp *
pool_op_new(StorageDriver *drv, StoragePoolObj *obj, PoolOpFunc func, unsigned int flags)
{
    PoolOp *op = g_new0(PoolOp, 1);

    op->drv = drv;
    op->obj = storage_pool_obj_ref(obj);
    op->flags = flags;
    op->func = func;
    op->timeout_ms = drv->job_timeout_ms;
    return op;
}

/* Take @obj's job for @what, for an op to run @func with it. */
static PoolOp *
pool_op_begin(StorageDriver *drv, StoragePoolObj *obj, const char *what, PoolOpFunc func,
              unsigned int flags, GError **error)
{
    if (!storage_pool_obj_begin_job(obj, what, error))
        return NULL;
    return pool_op_new(drv, obj, func, flags);
}

/* A begun @op that will not run: its job ends. */
static void
pool_op_cancel(PoolOp *op)
{
    storage_pool_obj_end_job(op->obj);
    pool_op_free(op);
}

/* Run @op on a job thread (it takes @op); wait for it within the driver's
 * bounds. */
static gboolean
pool_op_submit(PoolOp *op, const char *what, guint extra_ms, GError **error)
{
    StorageDriver *drv = op->drv;
    g_autofree char *desc = g_strdup_printf("%s of storage pool '%s'", what, op->obj->name);

    return storage_job_run(drv, desc, pool_op_job, op, (GDestroyNotify)pool_op_free,
                           drv->job_timeout_ms + extra_ms, error);
}

/* Take @obj's job for @what and run @func on a job thread; wait for it
 * within the driver's bounds. */
static gboolean
pool_op_run(StorageDriver *drv, StoragePoolObj *obj, const char *what, PoolOpFunc func,
            unsigned int flags, guint extra_ms, GError **error)
{
    PoolOp *op = pool_op_begin(drv, obj, what, func, flags, error);

    return op && pool_op_submit(op, what, extra_ms, error);
}

static gboolean
pool_check_inactive(StoragePoolObj *obj, const char *what, GError **error)
{
    gboolean ok;

    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_inactive_locked(obj, what, error);
    g_mutex_unlock(&obj->lock);
    return ok;
}

static gboolean
op_build(PoolOp *op, GError **error)
{
    if (!pool_check_inactive(op->obj, "already active", error))
        return FALSE;
    if (op->ctx.backend->build && !op->ctx.backend->build(&op->ctx.bp, op->flags, error))
        return FALSE;
    storage_event_lifecycle(op->drv, op->obj, STORAGE_EVENT_CREATED);
    return TRUE;
}

/* The pool is no longer active: forget its runtime state.  Caller holds lock. */
static void
pool_mark_inactive_locked(StoragePoolObj *obj)
{
    obj->active = FALSE;
    obj->active_gen++;
    storage_pool_obj_forget_refresh_locked(obj);
    storage_pool_obj_clear_vols_locked(obj);
    storage_pool_status_clear(&obj->status);
    g_clear_pointer(&obj->priv, storage_shared_unref);
    if (obj->new_def) {
        storage_pool_obj_set_def_locked(obj, obj->new_def);
        obj->new_def = NULL;
    }
}

static gboolean
op_start_backend(PoolOp *op, GError **error)
{
    const StorageBackend *be = op->ctx.backend;
    unsigned int build_flags = 0;

    if (op->flags & STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE)
        build_flags = STORAGE_POOL_BUILD_OVERWRITE;
    else if (op->flags & STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)
        build_flags = STORAGE_POOL_BUILD_NO_OVERWRITE;
    if ((op->flags & (STORAGE_POOL_CREATE_WITH_BUILD |
                      STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                      STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)) &&
        be->build && !be->build(&op->ctx.bp, build_flags, error))
        return FALSE;
    if (be->start && !be->start(&op->ctx.bp, error))
        return FALSE;
    g_mutex_lock(&op->obj->lock);
    if (op->obj->removed) {
        /* pool-create-xml gave up on this start and forgot the pool. */
        g_mutex_unlock(&op->obj->lock);
        if (be->stop)
            be->stop(&op->ctx.bp, NULL);
        if (op->ctx.bp.priv && be->free_priv)
            be->free_priv(g_steal_pointer(&op->ctx.bp.priv));
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "no storage pool with matching name '%s'", op->obj->name);
        return FALSE;
    }
    op->obj->active = TRUE;
    op->obj->active_gen++;
    op->obj->status.state = STORAGE_POOL_STATE_RUNNING;
    if (op->ctx.bp.priv)
        op->obj->priv = storage_shared_new(op->ctx.bp.priv, (GDestroyNotify)be->free_priv);
    g_mutex_unlock(&op->obj->lock);
    return TRUE;
}

static gboolean
op_start(PoolOp *op, GError **error)
{
    g_autoptr(StorageRefresh) r = NULL;
    g_autoptr(GError) err = NULL;

    if (!pool_check_inactive(op->obj, "already active", error) || !op_start_backend(op, error))
        return FALSE;
    /* The first refresh: a failure undoes the start; running out of time
     * leaves the pool active, marked as not responding. */
    r = storage_pool_refresh_begin(op->obj, FALSE);
    if (!storage_refresh_wait(r, &err) && !g_error_matches(err, mv_error_quark(MV_FROM_STORAGE),
                                                            MV_ERR_OPERATION_TIMEOUT)) {
        if (op->ctx.backend->stop)
            op->ctx.backend->stop(&op->ctx.bp, NULL);
        g_mutex_lock(&op->obj->lock);
        pool_mark_inactive_locked(op->obj);
        g_mutex_unlock(&op->obj->lock);
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    storage_driver_save_state(op->drv, op->obj);
    storage_event_lifecycle(op->drv, op->obj, STORAGE_EVENT_STARTED);
    return TRUE;
}

static gboolean
op_destroy(PoolOp *op, GError **error)
{
    StoragePoolObj *obj = op->obj;
    gboolean ok;
    gboolean transient;

    /* No new volume work from the checks on: a volume created or uploaded
     * while the backend stops would land in what is no longer the pool. */
    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_active_locked(obj, error) &&
         storage_pool_obj_check_no_jobs_locked(obj, error);
    obj->stopping = ok;
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return FALSE;
    ok = !op->ctx.backend->stop || op->ctx.backend->stop(&op->ctx.bp, error);
    g_mutex_lock(&obj->lock);
    obj->stopping = FALSE;
    if (!ok) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    pool_mark_inactive_locked(obj);
    transient = !obj->persistent;
    g_mutex_unlock(&obj->lock);
    storage_driver_delete_state(op->drv, obj->name);
    storage_event_lifecycle(op->drv, obj, STORAGE_EVENT_STOPPED);
    if (transient)
        storage_pool_list_remove(op->drv->pools, obj);
    return TRUE;
}

static gboolean
op_delete(PoolOp *op, GError **error)
{
    if (!pool_check_inactive(op->obj, "still active", error) ||
        !storage_dispatch_check_op(op->ctx.backend->delete_pool,
                                   "pool does not support pool deletion", error) ||
        !op->ctx.backend->delete_pool(&op->ctx.bp, op->flags, error))
        return FALSE;
    storage_event_lifecycle(op->drv, op->obj, STORAGE_EVENT_DELETED);
    return TRUE;
}

gboolean
storage_pool_start(StorageDriver *drv, StoragePoolObj *obj, unsigned int flags, GError **error)
{
    return pool_op_run(drv, obj, "start", op_start, flags, drv->refresh_timeout_ms, error);
}

int
remote_dispatch_storage_pool_build(MvServerCall *call, remote_storage_pool_build_args *args,
                                   GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;

    if (!storage_dispatch_check_flags("virStoragePoolBuild", args->flags,
                                      STORAGE_POOL_BUILD_REPAIR | STORAGE_POOL_BUILD_RESIZE |
                                      STORAGE_POOL_BUILD_NO_OVERWRITE |
                                      STORAGE_POOL_BUILD_OVERWRITE, error) ||
        !(obj = storage_dispatch_get_pool(drv, &args->pool, error)))
        return -1;
    return pool_op_run(drv, obj, "build", op_build, args->flags, 0, error) ? 0 : -1;
}

int
remote_dispatch_storage_pool_create(MvServerCall *call, remote_storage_pool_create_args *args,
                                    GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;

    if (!storage_dispatch_check_flags("virStoragePoolCreate", args->flags,
                                      STORAGE_POOL_CREATE_WITH_BUILD |
                                      STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                                      STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE, error) ||
        !(obj = storage_dispatch_get_pool(drv, &args->pool, error)))
        return -1;
    return storage_pool_start(drv, obj, args->flags, error) ? 0 : -1;
}

/*
 * pool-create-xml of a defined pool (the define lock and its job held, as
 * for a define; the job passes to the op returned, or ends): @def
 * (ownership taken) becomes its live definition, to be started by the op;
 * its persistent one comes back at the stop, or before the job ends if the
 * start fails.  The check that the pool is inactive, the swap and the start
 * are all under the pool's job: a pool-start in between would otherwise
 * start the definition of a call that then fails, and the pool would keep
 * it.
 */
static PoolOp *
dispatch_create_defined(StorageDriver *drv, StoragePoolObj *obj, StoragePoolDef *def,
                        unsigned int flags, GError **error)
{
    g_autoptr(StoragePoolDef) owned = def;
    PoolOp *op = pool_op_new(drv, obj, op_start, flags);

    g_mutex_lock(&obj->lock);
    if (obj->active) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "pool is already active as '%s'", obj->name);
        g_mutex_unlock(&obj->lock);
        pool_op_cancel(op);
        return NULL;
    }
    if (obj->persistent && !obj->new_def)
        obj->new_def = storage_pool_obj_copy_def_locked(obj);
    storage_pool_obj_set_def_locked(obj, g_steal_pointer(&owned));
    g_mutex_unlock(&obj->lock);
    op->restore_def = TRUE;
    return op;
}

int
remote_dispatch_storage_pool_create_xml(MvServerCall *call,
                                        remote_storage_pool_create_xml_args *args,
                                        remote_storage_pool_create_xml_ret *ret, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StoragePoolDef) def = NULL;
    PoolOp *op;

    if (!storage_dispatch_check_flags("virStoragePoolCreateXML", args->flags,
                                      STORAGE_POOL_CREATE_WITH_BUILD |
                                      STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                                      STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE, error))
        return -1;
    if (!(def = dispatch_parse_def(args->xml, error)) ||
        !dispatch_check_def_with_job(drv, def, TRUE, "start", &obj, error))
        return -1;
    if (obj) {
        op = dispatch_create_defined(drv, obj, g_steal_pointer(&def), args->flags, error);
        g_mutex_unlock(&drv->define_lock);
        if (!op || !pool_op_submit(op, "start", drv->refresh_timeout_ms, error))
            return -1;
        storage_dispatch_make_pool(obj, &ret->pool);
        return 0;
    }
    /* Listed with its job already begun: no call on it (a define of the
     * same name above all) comes between the listing and the start. */
    obj = storage_pool_list_add(drv->pools, drv, g_steal_pointer(&def), "start", error);
    g_mutex_unlock(&drv->define_lock);
    if (!obj)
        return -1;
    op = pool_op_new(drv, obj, op_start, args->flags);
    op->remove_failed = TRUE;
    if (!pool_op_submit(op, "start", drv->refresh_timeout_ms, error)) {
        /* NB: a start that overran may still end; it checks obj->removed. */
        storage_pool_list_remove_inactive(drv->pools, obj);
        return -1;
    }
    storage_dispatch_make_pool(obj, &ret->pool);
    return 0;
}

int
remote_dispatch_storage_pool_destroy(MvServerCall *call,
                                     remote_storage_pool_destroy_args *args, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = storage_dispatch_get_pool(drv, &args->pool, error);

    if (!obj)
        return -1;
    return pool_op_run(drv, obj, "destroy", op_destroy, 0, 0, error) ? 0 : -1;
}

int
remote_dispatch_storage_pool_delete(MvServerCall *call, remote_storage_pool_delete_args *args,
                                    GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;

    if (!storage_dispatch_check_flags("virStoragePoolDelete", args->flags,
                                      STORAGE_POOL_DELETE_ZEROED, error) ||
        !(obj = storage_dispatch_get_pool(drv, &args->pool, error)))
        return -1;
    return pool_op_run(drv, obj, "delete", op_delete, args->flags, 0, error) ? 0 : -1;
}

int
remote_dispatch_storage_pool_refresh(MvServerCall *call,
                                     remote_storage_pool_refresh_args *args, GError **error)
{
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StorageRefresh) r = NULL;
    gboolean ok;

    if (!storage_dispatch_check_flags("virStoragePoolRefresh", args->flags, 0, error) ||
        !(obj = dispatch_pool(call, &args->pool, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    ok = storage_pool_obj_check_active_locked(obj, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return -1;
    r = storage_pool_refresh_begin(obj, TRUE);
    return storage_refresh_wait(r, error) ? 0 : -1;
}

/* ---- events ------------------------------------------------------------------- */

int
remote_dispatch_connect_storage_pool_event_register_any(
    MvServerCall *call, remote_connect_storage_pool_event_register_any_args *args,
    remote_connect_storage_pool_event_register_any_ret *ret, GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));
    int id;

    if (args->eventID < 0 || args->eventID >= STORAGE_EVENT_ID_LAST) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported storage pool event ID %d", args->eventID);
        return -1;
    }
    id = remote_event_register(rc, REMOTE_EVENT_STORAGE_POOL, args->eventID,
                               args->pool ? (const guchar *)args->pool->uuid : NULL, FALSE,
                               error);
    if (id < 0)
        return -1;
    ret->callbackID = id;
    return 0;
}

int
remote_dispatch_connect_storage_pool_event_deregister_any(
    MvServerCall *call, remote_connect_storage_pool_event_deregister_any_args *args,
    GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    return remote_event_deregister(rc, REMOTE_EVENT_STORAGE_POOL, args->callbackID, error)
           ? 0 : -1;
}
