/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes-storage.c: vectors of the storage pool, volume and pool event
 * messages of the remote program.  See xdr2bytes.h and, for the shapes,
 * xdr2bytes-remote.h.
 */
#include <string.h>

#include <glib.h>

#include "remote-protocol.h"
#include "xdr2bytes-remote.h"
#include "xdr2bytes.h"

#define S(lit) XV_S(lit)

/*----- Shared shapes. -----*/

XV_SHAPE_POOL(remote_storage_pool_lookup_by_name_ret)
XV_SHAPE_POOL(remote_storage_pool_lookup_by_uuid_ret)
XV_SHAPE_POOL(remote_storage_pool_lookup_by_volume_ret)
XV_SHAPE_POOL(remote_storage_pool_lookup_by_target_path_ret)
XV_SHAPE_POOL(remote_storage_pool_create_xml_ret)
XV_SHAPE_POOL(remote_storage_pool_define_xml_ret)
XV_SHAPE_POOL(remote_storage_pool_undefine_args)
XV_SHAPE_POOL(remote_storage_pool_destroy_args)
XV_SHAPE_POOL(remote_storage_pool_get_info_args)
XV_SHAPE_POOL(remote_storage_pool_get_autostart_args)
XV_SHAPE_POOL(remote_storage_pool_is_active_args)
XV_SHAPE_POOL(remote_storage_pool_is_persistent_args)
XV_SHAPE_POOL(remote_storage_pool_num_of_volumes_args)

XV_SHAPE_POOL_FLAGS(remote_storage_pool_build_args)
XV_SHAPE_POOL_FLAGS(remote_storage_pool_create_args)
XV_SHAPE_POOL_FLAGS(remote_storage_pool_delete_args)
XV_SHAPE_POOL_FLAGS(remote_storage_pool_refresh_args)
XV_SHAPE_POOL_FLAGS(remote_storage_pool_get_xml_desc_args)

XV_SHAPE_VOL(remote_storage_pool_lookup_by_volume_args)
XV_SHAPE_VOL(remote_storage_vol_lookup_by_name_ret)
XV_SHAPE_VOL(remote_storage_vol_lookup_by_key_ret)
XV_SHAPE_VOL(remote_storage_vol_lookup_by_path_ret)
XV_SHAPE_VOL(remote_storage_vol_create_xml_ret)
XV_SHAPE_VOL(remote_storage_vol_create_xml_from_ret)
XV_SHAPE_VOL(remote_storage_vol_get_info_args)
XV_SHAPE_VOL(remote_storage_vol_get_path_args)

XV_SHAPE_VOL_FLAGS(remote_storage_vol_delete_args)
XV_SHAPE_VOL_FLAGS(remote_storage_vol_wipe_args)
XV_SHAPE_VOL_FLAGS(remote_storage_vol_get_xml_desc_args)
XV_SHAPE_VOL_FLAGS(remote_storage_vol_get_info_flags_args)

XV_SHAPE_INT(remote_connect_num_of_storage_pools_ret, num)
XV_SHAPE_INT(remote_connect_list_storage_pools_args, maxnames)
XV_SHAPE_INT(remote_connect_num_of_defined_storage_pools_ret, num)
XV_SHAPE_INT(remote_connect_list_defined_storage_pools_args, maxnames)
XV_SHAPE_INT(remote_storage_pool_get_autostart_ret, autostart)
XV_SHAPE_INT(remote_storage_pool_is_active_ret, active)
XV_SHAPE_INT(remote_storage_pool_is_persistent_ret, persistent)
XV_SHAPE_INT(remote_storage_pool_num_of_volumes_ret, num)
XV_SHAPE_INT(remote_connect_storage_pool_event_register_any_ret, callbackID)
XV_SHAPE_INT(remote_connect_storage_pool_event_deregister_any_args, callbackID)
XV_SHAPE_INT(remote_connect_get_storage_pool_capabilities_args, flags)

XV_SHAPE_STR(remote_connect_find_storage_pool_sources_ret, xml)
XV_SHAPE_STR(remote_connect_get_storage_pool_capabilities_ret, capabilities)
XV_SHAPE_STR(remote_storage_pool_lookup_by_name_args, name)
XV_SHAPE_STR(remote_storage_pool_lookup_by_target_path_args, path)
XV_SHAPE_STR(remote_storage_pool_get_xml_desc_ret, xml)
XV_SHAPE_STR(remote_storage_vol_lookup_by_key_args, key)
XV_SHAPE_STR(remote_storage_vol_lookup_by_path_args, path)
XV_SHAPE_STR(remote_storage_vol_get_xml_desc_ret, xml)
XV_SHAPE_STR(remote_storage_vol_get_path_ret, name)

XV_SHAPE_STR_FLAGS(remote_storage_pool_create_xml_args, xml)
XV_SHAPE_STR_FLAGS(remote_storage_pool_define_xml_args, xml)

XV_SHAPE_UUID(remote_storage_pool_lookup_by_uuid_args)

XV_SHAPE_NAMES(remote_connect_list_storage_pools_ret, names)
XV_SHAPE_NAMES(remote_connect_list_defined_storage_pools_ret, names)
XV_SHAPE_NAMES(remote_storage_pool_list_volumes_ret, names)

XV_SHAPE_LIST_ALL(remote_connect_list_all_storage_pools_args)

/*----- Messages of their own. -----*/

static void
build_list_all_pools_ret(void *obj)
{
    static remote_nonnull_storage_pool pools[1];
    remote_connect_list_all_storage_pools_ret *r = obj;

    xv_build_pool(&pools[0]);
    r->pools.pools_len = 1;
    r->pools.pools_val = pools;
    r->ret = 1;
}

static void
eq_remote_connect_list_all_storage_pools_ret(const void *pa, const void *pb)
{
    const remote_connect_list_all_storage_pools_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->pools.pools_len, ==, b->pools.pools_len);
    for (u_int i = 0; i < a->pools.pools_len; i++)
        xv_eq_pool(&a->pools.pools_val[i], &b->pools.pools_val[i]);
    g_assert_cmpuint(a->ret, ==, b->ret);
}

static void
build_find_sources_args(void *obj)
{
    remote_connect_find_storage_pool_sources_args *a = obj;

    a->type = S("logical");
    a->srcSpec = NULL;
    a->flags = 0;
}

static void
eq_remote_connect_find_storage_pool_sources_args(const void *pa, const void *pb)
{
    const remote_connect_find_storage_pool_sources_args *a = pa, *b = pb;

    xv_eq_str(a->type, b->type);
    xv_eq_optstr(a->srcSpec, b->srcSpec);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_pool_get_info_ret(void *obj)
{
    remote_storage_pool_get_info_ret *r = obj;

    r->state = 2;   /* RUNNING */
    r->capacity = G_GUINT64_CONSTANT(0x400000000);
    r->allocation = G_GUINT64_CONSTANT(0x100000000);
    r->available = G_GUINT64_CONSTANT(0x300000000);
}

static void
eq_remote_storage_pool_get_info_ret(const void *pa, const void *pb)
{
    const remote_storage_pool_get_info_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->state, ==, b->state);
    g_assert_cmpuint(a->capacity, ==, b->capacity);
    g_assert_cmpuint(a->allocation, ==, b->allocation);
    g_assert_cmpuint(a->available, ==, b->available);
}

static void
build_pool_set_autostart_args(void *obj)
{
    remote_storage_pool_set_autostart_args *a = obj;

    xv_build_pool(&a->pool);
    a->autostart = 1;
}

static void
eq_remote_storage_pool_set_autostart_args(const void *pa, const void *pb)
{
    const remote_storage_pool_set_autostart_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    g_assert_cmpint(a->autostart, ==, b->autostart);
}

static void
build_pool_list_volumes_args(void *obj)
{
    remote_storage_pool_list_volumes_args *a = obj;

    xv_build_pool(&a->pool);
    a->maxnames = 16;
}

static void
eq_remote_storage_pool_list_volumes_args(const void *pa, const void *pb)
{
    const remote_storage_pool_list_volumes_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    g_assert_cmpint(a->maxnames, ==, b->maxnames);
}

static void
build_pool_list_all_volumes_args(void *obj)
{
    remote_storage_pool_list_all_volumes_args *a = obj;

    xv_build_pool(&a->pool);
    a->need_results = 1;
    a->flags = 0;
}

static void
eq_remote_storage_pool_list_all_volumes_args(const void *pa, const void *pb)
{
    const remote_storage_pool_list_all_volumes_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    g_assert_cmpint(a->need_results, ==, b->need_results);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_pool_list_all_volumes_ret(void *obj)
{
    static remote_nonnull_storage_vol vols[1];
    remote_storage_pool_list_all_volumes_ret *r = obj;

    xv_build_vol(&vols[0]);
    r->vols.vols_len = 1;
    r->vols.vols_val = vols;
    r->ret = 1;
}

static void
eq_remote_storage_pool_list_all_volumes_ret(const void *pa, const void *pb)
{
    const remote_storage_pool_list_all_volumes_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->vols.vols_len, ==, b->vols.vols_len);
    for (u_int i = 0; i < a->vols.vols_len; i++)
        xv_eq_vol(&a->vols.vols_val[i], &b->vols.vols_val[i]);
    g_assert_cmpuint(a->ret, ==, b->ret);
}

static void
build_vol_lookup_by_name_args(void *obj)
{
    remote_storage_vol_lookup_by_name_args *a = obj;

    xv_build_pool(&a->pool);
    a->name = S("disk.qcow2");
}

static void
eq_remote_storage_vol_lookup_by_name_args(const void *pa, const void *pb)
{
    const remote_storage_vol_lookup_by_name_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    xv_eq_str(a->name, b->name);
}

static void
build_vol_create_xml_args(void *obj)
{
    remote_storage_vol_create_xml_args *a = obj;

    xv_build_pool(&a->pool);
    a->xml = S("<volume/>");
    a->flags = 1;   /* PREALLOC_METADATA */
}

static void
eq_remote_storage_vol_create_xml_args(const void *pa, const void *pb)
{
    const remote_storage_vol_create_xml_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    xv_eq_str(a->xml, b->xml);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_vol_create_xml_from_args(void *obj)
{
    remote_storage_vol_create_xml_from_args *a = obj;

    xv_build_pool(&a->pool);
    a->xml = S("<volume/>");
    xv_build_vol(&a->clonevol);
    a->flags = 0;
}

static void
eq_remote_storage_vol_create_xml_from_args(const void *pa, const void *pb)
{
    const remote_storage_vol_create_xml_from_args *a = pa, *b = pb;

    xv_eq_pool(&a->pool, &b->pool);
    xv_eq_str(a->xml, b->xml);
    xv_eq_vol(&a->clonevol, &b->clonevol);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_vol_wipe_pattern_args(void *obj)
{
    remote_storage_vol_wipe_pattern_args *a = obj;

    xv_build_vol(&a->vol);
    a->algorithm = 1;   /* NNSA */
    a->flags = 0;
}

static void
eq_remote_storage_vol_wipe_pattern_args(const void *pa, const void *pb)
{
    const remote_storage_vol_wipe_pattern_args *a = pa, *b = pb;

    xv_eq_vol(&a->vol, &b->vol);
    g_assert_cmpuint(a->algorithm, ==, b->algorithm);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

/* NB: VOL_GET_INFO and VOL_GET_INFO_FLAGS return the same layout. */
#define VOL_INFO(T) \
    static void \
    build_##T(void *obj) \
    { \
        T *r = obj; \
        r->type = 1; /* BLOCK */ \
        r->capacity = G_GUINT64_CONSTANT(0x40000000); \
        r->allocation = 0xc3000; \
    } \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        g_assert_cmpint(a->type, ==, b->type); \
        g_assert_cmpuint(a->capacity, ==, b->capacity); \
        g_assert_cmpuint(a->allocation, ==, b->allocation); \
    }

VOL_INFO(remote_storage_vol_get_info_ret)
VOL_INFO(remote_storage_vol_get_info_flags_ret)

static void
build_vol_resize_args(void *obj)
{
    remote_storage_vol_resize_args *a = obj;

    xv_build_vol(&a->vol);
    a->capacity = G_GUINT64_CONSTANT(0x80000000);
    a->flags = 4;   /* SHRINK */
}

static void
eq_remote_storage_vol_resize_args(const void *pa, const void *pb)
{
    const remote_storage_vol_resize_args *a = pa, *b = pb;

    xv_eq_vol(&a->vol, &b->vol);
    g_assert_cmpuint(a->capacity, ==, b->capacity);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

/* NB: upload and download take the same arguments. */
#define VOL_TRANSFER(T) \
    static void \
    build_##T(void *obj) \
    { \
        T *a = obj; \
        xv_build_vol(&a->vol); \
        a->offset = G_GUINT64_CONSTANT(0x100000000); \
        a->length = 0; \
        a->flags = 1; /* SPARSE_STREAM */ \
    } \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        xv_eq_vol(&a->vol, &b->vol); \
        g_assert_cmpuint(a->offset, ==, b->offset); \
        g_assert_cmpuint(a->length, ==, b->length); \
        g_assert_cmpuint(a->flags, ==, b->flags); \
    }

VOL_TRANSFER(remote_storage_vol_upload_args)
VOL_TRANSFER(remote_storage_vol_download_args)

static void
build_pool_event_register_any_args(void *obj)
{
    static remote_nonnull_storage_pool pool;
    remote_connect_storage_pool_event_register_any_args *a = obj;

    xv_build_pool(&pool);
    a->eventID = 0;   /* LIFECYCLE */
    a->pool = &pool;
}

static void
eq_remote_connect_storage_pool_event_register_any_args(const void *pa, const void *pb)
{
    const remote_connect_storage_pool_event_register_any_args *a = pa, *b = pb;

    g_assert_cmpint(a->eventID, ==, b->eventID);
    g_assert_true(!a->pool == !b->pool);
    if (a->pool)
        xv_eq_pool(a->pool, b->pool);
}

static void
build_pool_lifecycle_msg(void *obj)
{
    remote_storage_pool_event_lifecycle_msg *m = obj;

    m->callbackID = 1;
    xv_build_pool(&m->pool);
    m->event = 2;    /* STARTED */
    m->detail = 0;
}

static void
eq_remote_storage_pool_event_lifecycle_msg(const void *pa, const void *pb)
{
    const remote_storage_pool_event_lifecycle_msg *a = pa, *b = pb;

    g_assert_cmpint(a->callbackID, ==, b->callbackID);
    xv_eq_pool(&a->pool, &b->pool);
    g_assert_cmpint(a->event, ==, b->event);
    g_assert_cmpint(a->detail, ==, b->detail);
}

static const MvMessageHeader hdr_pool_lifecycle = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
    MV_NET_MESSAGE, 1, MV_NET_OK
};

#define SHAPE(file, type) XV_PAYLOAD(file, type, type)

const XdrVector xdr2bytes_storage_vectors[] = {
    SHAPE("remote-pool", remote_storage_pool_lookup_by_name_ret),
    SHAPE("remote-pool", remote_storage_pool_lookup_by_uuid_ret),
    SHAPE("remote-pool", remote_storage_pool_lookup_by_volume_ret),
    SHAPE("remote-pool", remote_storage_pool_lookup_by_target_path_ret),
    SHAPE("remote-pool", remote_storage_pool_create_xml_ret),
    SHAPE("remote-pool", remote_storage_pool_define_xml_ret),
    SHAPE("remote-pool", remote_storage_pool_undefine_args),
    SHAPE("remote-pool", remote_storage_pool_destroy_args),
    SHAPE("remote-pool", remote_storage_pool_get_info_args),
    SHAPE("remote-pool", remote_storage_pool_get_autostart_args),
    SHAPE("remote-pool", remote_storage_pool_is_active_args),
    SHAPE("remote-pool", remote_storage_pool_is_persistent_args),
    SHAPE("remote-pool", remote_storage_pool_num_of_volumes_args),
    SHAPE("remote-pool-flags", remote_storage_pool_build_args),
    SHAPE("remote-pool-flags", remote_storage_pool_create_args),
    SHAPE("remote-pool-flags", remote_storage_pool_delete_args),
    SHAPE("remote-pool-flags", remote_storage_pool_refresh_args),
    SHAPE("remote-pool-flags", remote_storage_pool_get_xml_desc_args),
    SHAPE("remote-vol", remote_storage_pool_lookup_by_volume_args),
    SHAPE("remote-vol", remote_storage_vol_lookup_by_name_ret),
    SHAPE("remote-vol", remote_storage_vol_lookup_by_key_ret),
    SHAPE("remote-vol", remote_storage_vol_lookup_by_path_ret),
    SHAPE("remote-vol", remote_storage_vol_create_xml_ret),
    SHAPE("remote-vol", remote_storage_vol_create_xml_from_ret),
    SHAPE("remote-vol", remote_storage_vol_get_info_args),
    SHAPE("remote-vol", remote_storage_vol_get_path_args),
    SHAPE("remote-vol-flags", remote_storage_vol_delete_args),
    SHAPE("remote-vol-flags", remote_storage_vol_wipe_args),
    SHAPE("remote-vol-flags", remote_storage_vol_get_xml_desc_args),
    SHAPE("remote-vol-flags", remote_storage_vol_get_info_flags_args),
    SHAPE("remote-int", remote_connect_num_of_storage_pools_ret),
    SHAPE("remote-int", remote_connect_list_storage_pools_args),
    SHAPE("remote-int", remote_connect_num_of_defined_storage_pools_ret),
    SHAPE("remote-int", remote_connect_list_defined_storage_pools_args),
    SHAPE("remote-int", remote_storage_pool_get_autostart_ret),
    SHAPE("remote-int", remote_storage_pool_is_active_ret),
    SHAPE("remote-int", remote_storage_pool_is_persistent_ret),
    SHAPE("remote-int", remote_storage_pool_num_of_volumes_ret),
    SHAPE("remote-int", remote_connect_storage_pool_event_register_any_ret),
    SHAPE("remote-int", remote_connect_storage_pool_event_deregister_any_args),
    SHAPE("remote-int", remote_connect_get_storage_pool_capabilities_args),
    SHAPE("remote-nstr", remote_connect_find_storage_pool_sources_ret),
    SHAPE("remote-nstr", remote_connect_get_storage_pool_capabilities_ret),
    SHAPE("remote-nstr", remote_storage_pool_lookup_by_name_args),
    SHAPE("remote-nstr", remote_storage_pool_lookup_by_target_path_args),
    SHAPE("remote-nstr", remote_storage_pool_get_xml_desc_ret),
    SHAPE("remote-nstr", remote_storage_vol_lookup_by_key_args),
    SHAPE("remote-nstr", remote_storage_vol_lookup_by_path_args),
    SHAPE("remote-nstr", remote_storage_vol_get_xml_desc_ret),
    SHAPE("remote-nstr", remote_storage_vol_get_path_ret),
    SHAPE("remote-nstr-flags", remote_storage_pool_create_xml_args),
    SHAPE("remote-nstr-flags", remote_storage_pool_define_xml_args),
    SHAPE("remote-uuid", remote_storage_pool_lookup_by_uuid_args),
    SHAPE("remote-names", remote_connect_list_storage_pools_ret),
    SHAPE("remote-names", remote_connect_list_defined_storage_pools_ret),
    SHAPE("remote-names", remote_storage_pool_list_volumes_ret),
    SHAPE("remote-list-all-args", remote_connect_list_all_storage_pools_args),
    SHAPE("remote-storage-vol-get-info-ret", remote_storage_vol_get_info_ret),
    SHAPE("remote-storage-vol-get-info-ret", remote_storage_vol_get_info_flags_ret),
    SHAPE("remote-storage-vol-transfer-args", remote_storage_vol_upload_args),
    SHAPE("remote-storage-vol-transfer-args", remote_storage_vol_download_args),
    XV_PAYLOAD("remote-connect-list-all-storage-pools-ret",
               remote_connect_list_all_storage_pools_ret, list_all_pools_ret),
    XV_PAYLOAD("remote-connect-find-storage-pool-sources-args",
               remote_connect_find_storage_pool_sources_args, find_sources_args),
    XV_PAYLOAD("remote-storage-pool-get-info-ret", remote_storage_pool_get_info_ret,
               pool_get_info_ret),
    XV_PAYLOAD("remote-storage-pool-set-autostart-args", remote_storage_pool_set_autostart_args,
               pool_set_autostart_args),
    XV_PAYLOAD("remote-storage-pool-list-volumes-args", remote_storage_pool_list_volumes_args,
               pool_list_volumes_args),
    XV_PAYLOAD("remote-storage-pool-list-all-volumes-args",
               remote_storage_pool_list_all_volumes_args, pool_list_all_volumes_args),
    XV_PAYLOAD("remote-storage-pool-list-all-volumes-ret",
               remote_storage_pool_list_all_volumes_ret, pool_list_all_volumes_ret),
    XV_PAYLOAD("remote-storage-vol-lookup-by-name-args", remote_storage_vol_lookup_by_name_args,
               vol_lookup_by_name_args),
    XV_PAYLOAD("remote-storage-vol-create-xml-args", remote_storage_vol_create_xml_args,
               vol_create_xml_args),
    XV_PAYLOAD("remote-storage-vol-create-xml-from-args",
               remote_storage_vol_create_xml_from_args, vol_create_xml_from_args),
    XV_PAYLOAD("remote-storage-vol-wipe-pattern-args", remote_storage_vol_wipe_pattern_args,
               vol_wipe_pattern_args),
    XV_PAYLOAD("remote-storage-vol-resize-args", remote_storage_vol_resize_args,
               vol_resize_args),
    XV_PAYLOAD("remote-connect-storage-pool-event-register-any-args",
               remote_connect_storage_pool_event_register_any_args,
               pool_event_register_any_args),
    XV_PACKET("remote-storage-pool-event-lifecycle", hdr_pool_lifecycle,
              remote_storage_pool_event_lifecycle_msg, pool_lifecycle_msg),
    /* Limits. */
    XV_BAD("remote-storage-pool-list-all-volumes-ret-over-limit",
           remote_storage_pool_list_all_volumes_ret),
    { NULL }
};
