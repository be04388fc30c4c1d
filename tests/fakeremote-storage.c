/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote-storage.c: the fake remote server's storage pool procedures.
 * Volumes are in fakeremote-volume.c.
 */
#include <config.h>

#include <string.h>

#include "fakeremote-priv.h"
#include "util/uuid.h"

#define HANDLER(name) \
    static int name(MvServerCall *call, void *a, void *r, GError **error)
#define LOCKED(fr) \
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(fr)->lock)

#define POOL_CAPACITY (10ULL * 1024 * 1024 * 1024)

static const char *const pool_types[] = {
    "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd", "sheepdog",
    "gluster", "zfs", "vstorage", "iscsi-direct",
};

void
fake_pool_to_remote(FakePool *pool, remote_nonnull_storage_pool *out)
{
    out->name = g_strdup(pool->name);
    memcpy(out->uuid, pool->uuid, 16);
}

FakePool *
fake_pool_by_name(FakeRemote *fr, const char *name, GError **error)
{
    for (guint i = 0; i < fr->pools->len; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        if (g_str_equal(pool->name, name))
            return pool;
    }
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                 "no storage pool with matching name '%s'", name);
    return NULL;
}

static FakePool *
pool_by_uuid(FakeRemote *fr, const unsigned char *uuid, GError **error)
{
    char buf[37];

    for (guint i = 0; i < fr->pools->len; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        if (memcmp(pool->uuid, uuid, 16) == 0)
            return pool;
    }
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                 "no storage pool with matching uuid '%s'", mv_uuid_format(uuid, buf));
    return NULL;
}

FakePool *
fake_pool_find(FakeRemote *fr, const remote_nonnull_storage_pool *rpool, GError **error)
{
    return pool_by_uuid(fr, (const unsigned char *)rpool->uuid, error);
}

gboolean
fake_pool_check_active(FakePool *pool, gboolean want, GError **error)
{
    if (pool->active == want)
        return TRUE;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                 want ? "storage pool '%s' is not active"
                      : "storage pool '%s' is already active", pool->name);
    return FALSE;
}

static gboolean
pool_group(unsigned int flags, unsigned int yes_bit, unsigned int no_bit, gboolean value)
{
    if (!(flags & (yes_bit | no_bit)))
        return TRUE;
    return ((flags & yes_bit) && value) || ((flags & no_bit) && !value);
}

static gboolean
pool_matches(FakePool *pool, unsigned int flags)
{
    unsigned int types = flags >> 6;

    if (types) {
        gboolean any = FALSE;

        for (size_t i = 0; i < G_N_ELEMENTS(pool_types); i++)
            any |= (types & (1u << i)) && g_str_equal(pool->type, pool_types[i]);
        if (!any)
            return FALSE;
    }
    return pool_group(flags, 2, 1, pool->active) && pool_group(flags, 4, 8, pool->persistent) &&
           pool_group(flags, 16, 32, pool->autostart);
}

/* ---- lists and lookups ----------------------------------------------------- */

HANDLER(h_list_all_pools)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_all_storage_pools_args *args = a;
    remote_connect_list_all_storage_pools_ret *ret = r;
    LOCKED(fr);

    ret->pools.pools_val = g_new0(remote_nonnull_storage_pool, fr->pools->len + 1);
    for (guint i = 0; i < fr->pools->len; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        if (pool_matches(pool, args->flags))
            fake_pool_to_remote(pool, &ret->pools.pools_val[ret->pools.pools_len++]);
    }
    ret->ret = ret->pools.pools_len;
    return 0;
}

static int
pool_count(FakeRemote *fr, gboolean active)
{
    int n = 0;

    for (guint i = 0; i < fr->pools->len; i++)
        n += ((FakePool *)g_ptr_array_index(fr->pools, i))->active == active;
    return n;
}

static void
pool_names(FakeRemote *fr, gboolean active, int max, u_int *len, char ***val)
{
    *val = g_new0(char *, fr->pools->len + 1);
    for (guint i = 0; i < fr->pools->len && (int)*len < max; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        if (pool->active == active)
            (*val)[(*len)++] = g_strdup(pool->name);
    }
}

HANDLER(h_num_of_pools)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    ((remote_connect_num_of_storage_pools_ret *)r)->num = pool_count(fr, TRUE);
    return 0;
}

HANDLER(h_num_of_defined_pools)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    ((remote_connect_num_of_defined_storage_pools_ret *)r)->num = pool_count(fr, FALSE);
    return 0;
}

HANDLER(h_list_pools)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_storage_pools_ret *ret = r;
    LOCKED(fr);

    pool_names(fr, TRUE, ((remote_connect_list_storage_pools_args *)a)->maxnames,
               &ret->names.names_len, &ret->names.names_val);
    return 0;
}

HANDLER(h_list_defined_pools)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_defined_storage_pools_ret *ret = r;
    LOCKED(fr);

    pool_names(fr, FALSE, ((remote_connect_list_defined_storage_pools_args *)a)->maxnames,
               &ret->names.names_len, &ret->names.names_val);
    return 0;
}

HANDLER(h_find_sources)
{
    remote_connect_find_storage_pool_sources_args *args = a;

    fake_enter(call);
    ((remote_connect_find_storage_pool_sources_ret *)r)->xml =
        g_strdup_printf("<sources>\n  <!-- %s -->\n</sources>\n", args->type);
    return 0;
}

HANDLER(h_pool_lookup_by_name)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_by_name(fr, ((remote_storage_pool_lookup_by_name_args *)a)->name,
                                       error);

    if (!pool)
        return -1;
    fake_pool_to_remote(pool, &((remote_storage_pool_lookup_by_name_ret *)r)->pool);
    return 0;
}

HANDLER(h_pool_lookup_by_uuid)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = pool_by_uuid(fr, (unsigned char *)
                                  ((remote_storage_pool_lookup_by_uuid_args *)a)->uuid, error);

    if (!pool)
        return -1;
    fake_pool_to_remote(pool, &((remote_storage_pool_lookup_by_uuid_ret *)r)->pool);
    return 0;
}

HANDLER(h_pool_lookup_by_volume)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_lookup_by_volume_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_by_name(fr, args->vol.pool, error);

    if (!pool)
        return -1;
    fake_pool_to_remote(pool, &((remote_storage_pool_lookup_by_volume_ret *)r)->pool);
    return 0;
}

HANDLER(h_pool_lookup_by_target)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_lookup_by_target_path_args *args = a;
    LOCKED(fr);

    for (guint i = 0; i < fr->pools->len; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        if (g_str_equal(pool->target, args->path)) {
            fake_pool_to_remote(pool, &((remote_storage_pool_lookup_by_target_path_ret *)r)->pool);
            return 0;
        }
    }
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                 "no storage pool with matching target path '%s'", args->path);
    return -1;
}

/* ---- definition and lifecycle ------------------------------------------------------ */

static FakePool *
pool_define(FakeRemote *fr, const char *xml, GError **error)
{
    g_autofree char *name = fake_xml_element(xml, "name");
    g_autofree char *type = fake_xml_attr(xml, "pool", "type");
    g_autofree char *uuid = fake_xml_element(xml, "uuid");
    g_autofree char *target = fake_xml_element(xml, "path");
    FakePool *pool;

    if (!name || !type) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "missing pool source name or type element");
        return NULL;
    }
    for (guint i = 0; i < fr->pools->len; i++) {
        pool = g_ptr_array_index(fr->pools, i);
        if (g_str_equal(pool->name, name)) {
            g_free(pool->target);
            pool->target = g_strdup(target ? target : pool->target);
            return pool;
        }
    }
    pool = fake_pool_add(fr, name, type, target);
    if (uuid)
        mv_uuid_parse(uuid, pool->uuid);
    return pool;
}

HANDLER(h_pool_create_xml)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_create_xml_args *args = a;
    g_autofree char *name = fake_xml_element(args->xml, "name");
    LOCKED(fr);
    FakePool *pool;

    if (name && fake_pool_by_name(fr, name, NULL)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "pool '%s' already exists", name);
        return -1;
    }
    if (!(pool = pool_define(fr, args->xml, error)))
        return -1;
    pool->persistent = FALSE;
    pool->active = TRUE;
    fake_emit_pool_lifecycle(fr, pool, 2);
    fake_pool_to_remote(pool, &((remote_storage_pool_create_xml_ret *)r)->pool);
    return 0;
}

HANDLER(h_pool_define_xml)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = pool_define(fr, ((remote_storage_pool_define_xml_args *)a)->xml, error);

    if (!pool)
        return -1;
    pool->persistent = TRUE;
    fake_emit_pool_lifecycle(fr, pool, 0);
    fake_pool_to_remote(pool, &((remote_storage_pool_define_xml_ret *)r)->pool);
    return 0;
}

HANDLER(h_pool_build)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_build_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);

    if (!pool || !fake_pool_check_active(pool, FALSE, error))
        return -1;
    if ((args->flags & 4) && (args->flags & 8)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "overwrite and no-overwrite are mutually exclusive");
        return -1;
    }
    return 0;
}

HANDLER(h_pool_create)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_create_args *)a)->pool, error);

    if (!pool || !fake_pool_check_active(pool, FALSE, error))
        return -1;
    pool->active = TRUE;
    fake_emit_pool_lifecycle(fr, pool, 2);
    return 0;
}

HANDLER(h_pool_destroy)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_destroy_args *)a)->pool, error);

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    pool->active = FALSE;
    fake_emit_pool_lifecycle(fr, pool, 3);
    if (!pool->persistent)
        g_ptr_array_remove(fr->pools, pool);
    return 0;
}

HANDLER(h_pool_delete)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_delete_args *)a)->pool, error);

    if (!pool || !fake_pool_check_active(pool, FALSE, error))
        return -1;
    g_ptr_array_set_size(pool->vols, 0);
    fake_emit_pool_lifecycle(fr, pool, 5);
    return 0;
}

HANDLER(h_pool_undefine)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_undefine_args *)a)->pool, error);

    if (!pool || !fake_pool_check_active(pool, FALSE, error))
        return -1;
    fake_emit_pool_lifecycle(fr, pool, 1);
    g_ptr_array_remove(fr->pools, pool);
    return 0;
}

HANDLER(h_pool_refresh)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_refresh_args *)a)->pool, error);

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    fake_emit_pool_refresh(fr, pool);
    return 0;
}

/* ---- information ------------------------------------------------------------------ */

static unsigned long long
pool_allocation(FakePool *pool)
{
    unsigned long long n = 0;

    for (guint i = 0; i < pool->vols->len; i++)
        n += fake_vol_allocation(g_ptr_array_index(pool->vols, i));
    return n;
}

HANDLER(h_pool_get_info)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_get_info_ret *ret = r;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_get_info_args *)a)->pool, error);

    if (!pool)
        return -1;
    ret->state = pool->active ? 2 : 0;
    if (pool->active) {
        ret->capacity = POOL_CAPACITY;
        ret->allocation = pool_allocation(pool);
        ret->available = ret->capacity - ret->allocation;
    }
    return 0;
}

HANDLER(h_pool_get_xml_desc)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_get_xml_desc_args *)a)->pool,
                                    error);
    unsigned long long alloc;
    char uuid[37];

    if (!pool)
        return -1;
    alloc = pool->active ? pool_allocation(pool) : 0;
    ((remote_storage_pool_get_xml_desc_ret *)r)->xml =
        g_strdup_printf("<pool type='%s'>\n  <name>%s</name>\n  <uuid>%s</uuid>\n"
                        "  <capacity unit='bytes'>%llu</capacity>\n"
                        "  <allocation unit='bytes'>%llu</allocation>\n"
                        "  <available unit='bytes'>%llu</available>\n  <source>\n  </source>\n"
                        "  <target>\n    <path>%s</path>\n  </target>\n</pool>\n",
                        pool->type, pool->name, mv_uuid_format(pool->uuid, uuid),
                        pool->active ? POOL_CAPACITY : 0, alloc,
                        pool->active ? POOL_CAPACITY - alloc : 0, pool->target);
    return 0;
}

HANDLER(h_pool_get_autostart)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_get_autostart_args *)a)->pool,
                                    error);

    if (!pool)
        return -1;
    ((remote_storage_pool_get_autostart_ret *)r)->autostart = pool->autostart;
    return 0;
}

HANDLER(h_pool_set_autostart)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_set_autostart_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);

    if (!pool)
        return -1;
    pool->autostart = args->autostart != 0;
    return 0;
}

HANDLER(h_pool_is_active)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_is_active_args *)a)->pool, error);

    if (!pool)
        return -1;
    ((remote_storage_pool_is_active_ret *)r)->active = pool->active;
    return 0;
}

HANDLER(h_pool_is_persistent)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_is_persistent_args *)a)->pool,
                                    error);

    if (!pool)
        return -1;
    ((remote_storage_pool_is_persistent_ret *)r)->persistent = pool->persistent;
    return 0;
}

/* ---- events ------------------------------------------------------------------------- */

HANDLER(h_pool_event_register)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_storage_pool_event_register_any_args *args = a;
    LOCKED(fr);

    if (args->eventID < 0 || args->eventID > 1) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG, "unsupported event ID %d",
                     args->eventID);
        return -1;
    }
    ((remote_connect_storage_pool_event_register_any_ret *)r)->callbackID =
        fake_event_register(fr, mv_server_call_get_client(call), FAKE_EV_POOL, args->eventID,
                            args->pool ? (unsigned char *)args->pool->uuid : NULL);
    return 0;
}

HANDLER(h_pool_event_deregister)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return fake_event_deregister(fr, mv_server_call_get_client(call), FAKE_EV_POOL,
                                 ((remote_connect_storage_pool_event_deregister_any_args *)a)
                                     ->callbackID, error) ? 0 : -1;
}

void
fake_storage_register(FakeRemote *fr)
{
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS, h_list_all_pools,
              remote_connect_list_all_storage_pools_args,
              remote_connect_list_all_storage_pools_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_NUM_OF_STORAGE_POOLS, h_num_of_pools,
                     remote_connect_num_of_storage_pools_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS,
                     h_num_of_defined_pools, remote_connect_num_of_defined_storage_pools_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_STORAGE_POOLS, h_list_pools,
              remote_connect_list_storage_pools_args, remote_connect_list_storage_pools_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS, h_list_defined_pools,
              remote_connect_list_defined_storage_pools_args,
              remote_connect_list_defined_storage_pools_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_FIND_STORAGE_POOL_SOURCES, h_find_sources,
              remote_connect_find_storage_pool_sources_args,
              remote_connect_find_storage_pool_sources_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, h_pool_lookup_by_name,
              remote_storage_pool_lookup_by_name_args, remote_storage_pool_lookup_by_name_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, h_pool_lookup_by_uuid,
              remote_storage_pool_lookup_by_uuid_args, remote_storage_pool_lookup_by_uuid_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, h_pool_lookup_by_volume,
              remote_storage_pool_lookup_by_volume_args,
              remote_storage_pool_lookup_by_volume_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_TARGET_PATH, h_pool_lookup_by_target,
              remote_storage_pool_lookup_by_target_path_args,
              remote_storage_pool_lookup_by_target_path_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_CREATE_XML, h_pool_create_xml,
              remote_storage_pool_create_xml_args, remote_storage_pool_create_xml_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_DEFINE_XML, h_pool_define_xml,
              remote_storage_pool_define_xml_args, remote_storage_pool_define_xml_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_BUILD, h_pool_build,
                    remote_storage_pool_build_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_CREATE, h_pool_create,
                    remote_storage_pool_create_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_DESTROY, h_pool_destroy,
                    remote_storage_pool_destroy_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_DELETE, h_pool_delete,
                    remote_storage_pool_delete_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_UNDEFINE, h_pool_undefine,
                    remote_storage_pool_undefine_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_REFRESH, h_pool_refresh,
                    remote_storage_pool_refresh_args);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_GET_INFO, h_pool_get_info,
              remote_storage_pool_get_info_args, remote_storage_pool_get_info_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, h_pool_get_xml_desc,
              remote_storage_pool_get_xml_desc_args, remote_storage_pool_get_xml_desc_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, h_pool_get_autostart,
              remote_storage_pool_get_autostart_args, remote_storage_pool_get_autostart_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, h_pool_set_autostart,
                    remote_storage_pool_set_autostart_args);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, h_pool_is_active,
              remote_storage_pool_is_active_args, remote_storage_pool_is_active_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, h_pool_is_persistent,
              remote_storage_pool_is_persistent_args, remote_storage_pool_is_persistent_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, h_pool_event_register,
              remote_connect_storage_pool_event_register_any_args,
              remote_connect_storage_pool_event_register_any_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
                    h_pool_event_deregister,
                    remote_connect_storage_pool_event_deregister_any_args);
    fake_volume_register(fr);
}
