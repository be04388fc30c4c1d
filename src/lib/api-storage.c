/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-storage.c: storage pool handles, lookups, listing, lifecycle and
 * information.  Volumes are in api-storage-vol.c.
 */
#include <config.h>

#include <string.h>

#include "lib/lib-objects.h"
#include "util/error.h"
#include "util/uuid.h"

/* ---- handles ----------------------------------------------------------- */

MvStoragePool *
mv_lib_pool_new(MvConnect *conn, const remote_nonnull_storage_pool *rpool)
{
    MvStoragePool *pool = g_new0(MvStoragePool, 1);

    pool->ref = 1;
    g_atomic_int_inc(&conn->ref);
    pool->conn = conn;
    pool->name = g_strdup(rpool->name);
    memcpy(pool->uuid, rpool->uuid, MV_UUID_BUFLEN);
    return pool;
}

void
mv_lib_pool_to_remote(MvStoragePool *pool, remote_nonnull_storage_pool *out)
{
    out->name = pool->name;
    memcpy(out->uuid, pool->uuid, MV_UUID_BUFLEN);
}

/* The accessors' check: it leaves the last error alone. */
static gboolean
pool_check_handle(const char *func, MvStoragePool *pool)
{
    if (!pool || !pool->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INVALID_STORAGE_POOL, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_pool(const char *func, MvStoragePool *pool)
{
    mv_lib_reset_error();
    if (!pool || !pool->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INVALID_STORAGE_POOL, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

void
mv_lib_pool_unref(MvStoragePool *pool)
{
    if (!g_atomic_int_dec_and_test(&pool->ref))
        return;
    mv_connect_close(pool->conn);
    g_free(pool->name);
    g_free(pool);
}

int
mv_storage_pool_ref(MvStoragePool *pool)
{
    if (!pool_check_handle("mv_storage_pool_ref", pool))
        return -1;
    g_atomic_int_inc(&pool->ref);
    return 0;
}

int
mv_storage_pool_free(MvStoragePool *pool)
{
    if (!pool_check_handle("mv_storage_pool_free", pool))
        return -1;
    mv_lib_pool_unref(pool);
    return 0;
}

MvConnect *
mv_storage_pool_get_connect(MvStoragePool *pool)
{
    if (!pool_check_handle("mv_storage_pool_get_connect", pool))
        return NULL;
    return pool->conn;
}

const char *
mv_storage_pool_get_name(MvStoragePool *pool)
{
    if (!pool_check_handle("mv_storage_pool_get_name", pool))
        return NULL;
    return pool->name;
}

int
mv_storage_pool_get_uuid(MvStoragePool *pool, unsigned char *uuid)
{
    if (!pool_check_handle("mv_storage_pool_get_uuid", pool))
        return -1;
    if (!uuid) {
        mv_lib_error_null_arg("mv_storage_pool_get_uuid", "uuid");
        return -1;
    }
    memcpy(uuid, pool->uuid, MV_UUID_BUFLEN);
    return 0;
}

int
mv_storage_pool_get_uuid_string(MvStoragePool *pool, char *buf)
{
    if (!pool_check_handle("mv_storage_pool_get_uuid_string", pool))
        return -1;
    if (!buf) {
        mv_lib_error_null_arg("mv_storage_pool_get_uuid_string", "buf");
        return -1;
    }
    mv_uuid_format(pool->uuid, buf);
    return 0;
}

/* ---- listing ------------------------------------------------------------------ */

int
mv_connect_list_all_storage_pools(MvConnect *conn, MvStoragePool ***pools, unsigned int flags)
{
    remote_connect_list_all_storage_pools_args args = { pools != NULL, flags };
    remote_connect_list_all_storage_pools_ret ret = { { 0 } };
    int n;

    if (pools)
        *pools = NULL;
    if (!mv_lib_check_conn("mv_connect_list_all_storage_pools", conn) ||
        !mv_lib_check_flags("mv_connect_list_all_storage_pools", flags, (1u << 20) - 1))
        return -1;
    if (!MV_LIB_CALL(conn, remote_call_connect_list_all_storage_pools(conn->client, &args,
                                                                       &ret, &_err)))
        return -1;
    if (pools) {
        MvStoragePool **list = g_new0(MvStoragePool *, ret.pools.pools_len + 1);

        for (u_int i = 0; i < ret.pools.pools_len; i++)
            list[i] = mv_lib_pool_new(conn, &ret.pools.pools_val[i]);
        *pools = list;
        n = ret.pools.pools_len;
    } else {
        n = ret.ret;
    }
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_storage_pools_ret, (char *)&ret);
    return n;
}

int
mv_connect_num_of_storage_pools(MvConnect *conn)
{
    remote_connect_num_of_storage_pools_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_num_of_storage_pools", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_num_of_storage_pools(conn->client, &ret, &_err)))
        return -1;
    return ret.num;
}

int
mv_connect_num_of_defined_storage_pools(MvConnect *conn)
{
    remote_connect_num_of_defined_storage_pools_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_num_of_defined_storage_pools", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_num_of_defined_storage_pools(conn->client, &ret,
                                                                             &_err)))
        return -1;
    return ret.num;
}

/* Copy at most @maxnames names out of a wire list. */
static int
pool_copy_names(char **names, int maxnames, char **src, u_int nsrc)
{
    int n = MIN((int)nsrc, maxnames);

    for (int i = 0; i < n; i++)
        names[i] = g_strdup(src[i]);
    return n;
}

static gboolean
pool_check_names(const char *func, char **names, int maxnames)
{
    if (maxnames < 0 || (maxnames > 0 && !names)) {
        mv_lib_error_invalid_arg(func, "names/maxnames are invalid");
        return FALSE;
    }
    return TRUE;
}

int
mv_connect_list_storage_pools(MvConnect *conn, char **names, int maxnames)
{
    remote_connect_list_storage_pools_args args = { maxnames };
    remote_connect_list_storage_pools_ret ret = { { 0 } };
    int n;

    if (!mv_lib_check_conn("mv_connect_list_storage_pools", conn) ||
        !pool_check_names("mv_connect_list_storage_pools", names, maxnames) ||
        !MV_LIB_CALL(conn, remote_call_connect_list_storage_pools(conn->client, &args, &ret,
                                                                   &_err)))
        return -1;
    n = pool_copy_names(names, maxnames, ret.names.names_val, ret.names.names_len);
    xdr_free((xdrproc_t)xdr_remote_connect_list_storage_pools_ret, (char *)&ret);
    return n;
}

int
mv_connect_list_defined_storage_pools(MvConnect *conn, char **names, int maxnames)
{
    remote_connect_list_defined_storage_pools_args args = { maxnames };
    remote_connect_list_defined_storage_pools_ret ret = { { 0 } };
    int n;

    if (!mv_lib_check_conn("mv_connect_list_defined_storage_pools", conn) ||
        !pool_check_names("mv_connect_list_defined_storage_pools", names, maxnames) ||
        !MV_LIB_CALL(conn, remote_call_connect_list_defined_storage_pools(conn->client, &args,
                                                                           &ret, &_err)))
        return -1;
    n = pool_copy_names(names, maxnames, ret.names.names_val, ret.names.names_len);
    xdr_free((xdrproc_t)xdr_remote_connect_list_defined_storage_pools_ret, (char *)&ret);
    return n;
}

char *
mv_connect_find_storage_pool_sources(MvConnect *conn, const char *type, const char *src_spec,
                                     unsigned int flags)
{
    remote_connect_find_storage_pool_sources_args args = { (char *)type, NULL, flags };
    remote_connect_find_storage_pool_sources_ret ret = { 0 };
    char *spec = (char *)src_spec;
    char *xml;

    if (!mv_lib_check_conn("mv_connect_find_storage_pool_sources", conn) ||
        !mv_lib_check_flags("mv_connect_find_storage_pool_sources", flags, 0))
        return NULL;
    if (!type) {
        mv_lib_error_null_arg("mv_connect_find_storage_pool_sources", "type");
        return NULL;
    }
    args.srcSpec = src_spec ? &spec : NULL;
    if (!MV_LIB_CALL(conn, remote_call_connect_find_storage_pool_sources(conn->client, &args,
                                                                          &ret, &_err)))
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_remote_connect_find_storage_pool_sources_ret, (char *)&ret);
    return xml;
}

char *
mv_connect_get_storage_pool_capabilities(MvConnect *conn, unsigned int flags)
{
    remote_connect_get_storage_pool_capabilities_args args = { flags };
    remote_connect_get_storage_pool_capabilities_ret ret = { 0 };
    char *xml;

    if (!mv_lib_check_conn("mv_connect_get_storage_pool_capabilities", conn) ||
        !mv_lib_check_flags("mv_connect_get_storage_pool_capabilities", flags, 0))
        return NULL;
    if (!MV_LIB_CALL(conn, remote_call_connect_get_storage_pool_capabilities(conn->client, &args,
                                                                              &ret, &_err)))
        return NULL;
    xml = g_strdup(ret.capabilities);
    xdr_free((xdrproc_t)xdr_remote_connect_get_storage_pool_capabilities_ret, (char *)&ret);
    return xml;
}

/* ---- lookups -------------------------------------------------------------------- */

MvStoragePool *
mv_storage_pool_lookup_by_name(MvConnect *conn, const char *name)
{
    remote_storage_pool_lookup_by_name_args args = { (char *)name };
    remote_storage_pool_lookup_by_name_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_conn("mv_storage_pool_lookup_by_name", conn))
        return NULL;
    if (!name) {
        mv_lib_error_null_arg("mv_storage_pool_lookup_by_name", "name");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_pool_lookup_by_name(conn->client, &args, &ret,
                                                                    &_err)))
        return NULL;
    pool = mv_lib_pool_new(conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_lookup_by_name_ret, (char *)&ret);
    return pool;
}

MvStoragePool *
mv_storage_pool_lookup_by_uuid(MvConnect *conn, const unsigned char *uuid)
{
    remote_storage_pool_lookup_by_uuid_args args;
    remote_storage_pool_lookup_by_uuid_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_conn("mv_storage_pool_lookup_by_uuid", conn))
        return NULL;
    if (!uuid) {
        mv_lib_error_null_arg("mv_storage_pool_lookup_by_uuid", "uuid");
        return NULL;
    }
    memcpy(args.uuid, uuid, MV_UUID_BUFLEN);
    if (!MV_LIB_CALL(conn, remote_call_storage_pool_lookup_by_uuid(conn->client, &args, &ret,
                                                                    &_err)))
        return NULL;
    pool = mv_lib_pool_new(conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_lookup_by_uuid_ret, (char *)&ret);
    return pool;
}

MvStoragePool *
mv_storage_pool_lookup_by_uuid_string(MvConnect *conn, const char *uuidstr)
{
    unsigned char uuid[MV_UUID_BUFLEN];

    if (!mv_lib_check_conn("mv_storage_pool_lookup_by_uuid_string", conn))
        return NULL;
    if (!uuidstr || !mv_uuid_parse(uuidstr, uuid)) {
        mv_lib_error_invalid_arg("mv_storage_pool_lookup_by_uuid_string", "invalid UUID '%s'",
                                 uuidstr ? uuidstr : "(null)");
        return NULL;
    }
    return mv_storage_pool_lookup_by_uuid(conn, uuid);
}

MvStoragePool *
mv_storage_pool_lookup_by_volume(MvStorageVol *vol)
{
    remote_storage_pool_lookup_by_volume_args args;
    remote_storage_pool_lookup_by_volume_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_vol("mv_storage_pool_lookup_by_volume", vol))
        return NULL;
    mv_lib_vol_to_remote(vol, &args.vol);
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_pool_lookup_by_volume(vol->conn->client,
                                                                           &args, &ret, &_err)))
        return NULL;
    pool = mv_lib_pool_new(vol->conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_lookup_by_volume_ret, (char *)&ret);
    return pool;
}

MvStoragePool *
mv_storage_pool_lookup_by_target_path(MvConnect *conn, const char *path)
{
    remote_storage_pool_lookup_by_target_path_args args = { (char *)path };
    remote_storage_pool_lookup_by_target_path_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_conn("mv_storage_pool_lookup_by_target_path", conn))
        return NULL;
    if (!path) {
        mv_lib_error_null_arg("mv_storage_pool_lookup_by_target_path", "path");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_pool_lookup_by_target_path(conn->client, &args,
                                                                           &ret, &_err)))
        return NULL;
    pool = mv_lib_pool_new(conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_lookup_by_target_path_ret, (char *)&ret);
    return pool;
}

/* ---- lifecycle -------------------------------------------------------------------- */

#define POOL_CREATE_FLAGS (MV_STORAGE_POOL_CREATE_WITH_BUILD | \
                           MV_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE | \
                           MV_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)

MvStoragePool *
mv_storage_pool_create_xml(MvConnect *conn, const char *xml, unsigned int flags)
{
    remote_storage_pool_create_xml_args args = { (char *)xml, flags };
    remote_storage_pool_create_xml_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_conn("mv_storage_pool_create_xml", conn) ||
        !mv_lib_check_flags("mv_storage_pool_create_xml", flags, POOL_CREATE_FLAGS))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_storage_pool_create_xml", "xml");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_pool_create_xml(conn->client, &args, &ret, &_err)))
        return NULL;
    pool = mv_lib_pool_new(conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_create_xml_ret, (char *)&ret);
    return pool;
}

MvStoragePool *
mv_storage_pool_define_xml(MvConnect *conn, const char *xml, unsigned int flags)
{
    remote_storage_pool_define_xml_args args = { (char *)xml, flags };
    remote_storage_pool_define_xml_ret ret = { { 0 } };
    MvStoragePool *pool;

    if (!mv_lib_check_conn("mv_storage_pool_define_xml", conn) ||
        !mv_lib_check_flags("mv_storage_pool_define_xml", flags,
                            MV_STORAGE_POOL_DEFINE_VALIDATE))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_storage_pool_define_xml", "xml");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_pool_define_xml(conn->client, &args, &ret, &_err)))
        return NULL;
    pool = mv_lib_pool_new(conn, &ret.pool);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_define_xml_ret, (char *)&ret);
    return pool;
}

int
mv_storage_pool_build(MvStoragePool *pool, unsigned int flags)
{
    remote_storage_pool_build_args args;

    if (!mv_lib_check_pool("mv_storage_pool_build", pool) ||
        !mv_lib_check_flags("mv_storage_pool_build", flags, 0xf))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_build(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_create(MvStoragePool *pool, unsigned int flags)
{
    remote_storage_pool_create_args args;

    if (!mv_lib_check_pool("mv_storage_pool_create", pool) ||
        !mv_lib_check_flags("mv_storage_pool_create", flags, POOL_CREATE_FLAGS))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_create(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_destroy(MvStoragePool *pool)
{
    remote_storage_pool_destroy_args args;

    if (!mv_lib_check_pool("mv_storage_pool_destroy", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_destroy(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_delete(MvStoragePool *pool, unsigned int flags)
{
    remote_storage_pool_delete_args args;

    if (!mv_lib_check_pool("mv_storage_pool_delete", pool) ||
        !mv_lib_check_flags("mv_storage_pool_delete", flags, MV_STORAGE_POOL_DELETE_ZEROED))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_delete(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_undefine(MvStoragePool *pool)
{
    remote_storage_pool_undefine_args args;

    if (!mv_lib_check_pool("mv_storage_pool_undefine", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_undefine(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_refresh(MvStoragePool *pool, unsigned int flags)
{
    remote_storage_pool_refresh_args args;

    if (!mv_lib_check_pool("mv_storage_pool_refresh", pool) ||
        !mv_lib_check_flags("mv_storage_pool_refresh", flags, 0))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_refresh(pool->conn->client, &args, &_err)))
        return -1;
    return 0;
}

/* ---- information ------------------------------------------------------------------- */

int
mv_storage_pool_get_info(MvStoragePool *pool, MvStoragePoolInfo *info)
{
    remote_storage_pool_get_info_args args;
    remote_storage_pool_get_info_ret ret = { 0 };

    if (!mv_lib_check_pool("mv_storage_pool_get_info", pool))
        return -1;
    if (!info) {
        mv_lib_error_null_arg("mv_storage_pool_get_info", "info");
        return -1;
    }
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_get_info(pool->conn->client, &args,
                                                                    &ret, &_err)))
        return -1;
    info->state = ret.state;
    info->capacity = ret.capacity;
    info->allocation = ret.allocation;
    info->available = ret.available;
    return 0;
}

char *
mv_storage_pool_get_xml_desc(MvStoragePool *pool, unsigned int flags)
{
    remote_storage_pool_get_xml_desc_args args;
    remote_storage_pool_get_xml_desc_ret ret = { 0 };
    char *xml;

    if (!mv_lib_check_pool("mv_storage_pool_get_xml_desc", pool) ||
        !mv_lib_check_flags("mv_storage_pool_get_xml_desc", flags, MV_STORAGE_XML_INACTIVE))
        return NULL;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_get_xml_desc(pool->conn->client,
                                                                        &args, &ret, &_err)))
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_get_xml_desc_ret, (char *)&ret);
    return xml;
}

int
mv_storage_pool_get_autostart(MvStoragePool *pool, int *autostart)
{
    remote_storage_pool_get_autostart_args args;
    remote_storage_pool_get_autostart_ret ret = { 0 };

    if (!mv_lib_check_pool("mv_storage_pool_get_autostart", pool))
        return -1;
    if (!autostart) {
        mv_lib_error_null_arg("mv_storage_pool_get_autostart", "autostart");
        return -1;
    }
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_get_autostart(pool->conn->client,
                                                                         &args, &ret, &_err)))
        return -1;
    *autostart = ret.autostart;
    return 0;
}

int
mv_storage_pool_set_autostart(MvStoragePool *pool, int autostart)
{
    remote_storage_pool_set_autostart_args args;

    if (!mv_lib_check_pool("mv_storage_pool_set_autostart", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.autostart = autostart ? 1 : 0;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_set_autostart(pool->conn->client, &args,
                                                                  &_err)))
        return -1;
    return 0;
}

int
mv_storage_pool_is_active(MvStoragePool *pool)
{
    remote_storage_pool_is_active_args args;
    remote_storage_pool_is_active_ret ret = { 0 };

    if (!mv_lib_check_pool("mv_storage_pool_is_active", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_is_active(pool->conn->client, &args,
                                                                     &ret, &_err)))
        return -1;
    return ret.active ? 1 : 0;
}

int
mv_storage_pool_is_persistent(MvStoragePool *pool)
{
    remote_storage_pool_is_persistent_args args;
    remote_storage_pool_is_persistent_ret ret = { 0 };

    if (!mv_lib_check_pool("mv_storage_pool_is_persistent", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_is_persistent(pool->conn->client,
                                                                         &args, &ret, &_err)))
        return -1;
    return ret.persistent ? 1 : 0;
}

int
mv_storage_pool_num_of_volumes(MvStoragePool *pool)
{
    remote_storage_pool_num_of_volumes_args args;
    remote_storage_pool_num_of_volumes_ret ret = { 0 };

    if (!mv_lib_check_pool("mv_storage_pool_num_of_volumes", pool))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_num_of_volumes(pool->conn->client,
                                                                          &args, &ret, &_err)))
        return -1;
    return ret.num;
}

int
mv_storage_pool_list_volumes(MvStoragePool *pool, char **names, int maxnames)
{
    remote_storage_pool_list_volumes_args args;
    remote_storage_pool_list_volumes_ret ret = { { 0 } };
    int n;

    if (!mv_lib_check_pool("mv_storage_pool_list_volumes", pool) ||
        !pool_check_names("mv_storage_pool_list_volumes", names, maxnames))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.maxnames = maxnames;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_list_volumes(pool->conn->client,
                                                                        &args, &ret, &_err)))
        return -1;
    n = pool_copy_names(names, maxnames, ret.names.names_val, ret.names.names_len);
    xdr_free((xdrproc_t)xdr_remote_storage_pool_list_volumes_ret, (char *)&ret);
    return n;
}

int
mv_storage_pool_list_all_volumes(MvStoragePool *pool, MvStorageVol ***vols, unsigned int flags)
{
    remote_storage_pool_list_all_volumes_args args;
    remote_storage_pool_list_all_volumes_ret ret = { { 0 } };
    int n;

    if (vols)
        *vols = NULL;
    if (!mv_lib_check_pool("mv_storage_pool_list_all_volumes", pool) ||
        !mv_lib_check_flags("mv_storage_pool_list_all_volumes", flags, 0))
        return -1;
    mv_lib_pool_to_remote(pool, &args.pool);
    args.need_results = vols != NULL;
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_pool_list_all_volumes(pool->conn->client,
                                                                            &args, &ret,
                                                                            &_err)))
        return -1;
    if (vols) {
        MvStorageVol **list = g_new0(MvStorageVol *, ret.vols.vols_len + 1);

        for (u_int i = 0; i < ret.vols.vols_len; i++)
            list[i] = mv_lib_vol_new(pool->conn, &ret.vols.vols_val[i]);
        *vols = list;
        n = ret.vols.vols_len;
    } else {
        n = ret.ret;
    }
    xdr_free((xdrproc_t)xdr_remote_storage_pool_list_all_volumes_ret, (char *)&ret);
    return n;
}
