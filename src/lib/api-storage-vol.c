/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-storage-vol.c: storage volume handles, lookups, creation, and the
 * upload/download streams.
 */
#include <config.h>

#include "lib/lib-objects.h"
#include "util/error.h"

/* ---- handles ----------------------------------------------------------- */

MvStorageVol *
mv_lib_vol_new(MvConnect *conn, const remote_nonnull_storage_vol *rvol)
{
    MvStorageVol *vol = g_new0(MvStorageVol, 1);

    vol->ref = 1;
    g_atomic_int_inc(&conn->ref);
    vol->conn = conn;
    vol->pool = g_strdup(rvol->pool);
    vol->name = g_strdup(rvol->name);
    vol->key = g_strdup(rvol->key);
    return vol;
}

void
mv_lib_vol_to_remote(MvStorageVol *vol, remote_nonnull_storage_vol *out)
{
    out->pool = vol->pool;
    out->name = vol->name;
    out->key = vol->key;
}

/* The accessors' check: it leaves the last error alone. */
static gboolean
vol_check_handle(const char *func, MvStorageVol *vol)
{
    if (!vol || !vol->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INVALID_STORAGE_VOL, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_vol(const char *func, MvStorageVol *vol)
{
    mv_lib_reset_error();
    if (!vol || !vol->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STORAGE, MV_ERR_INVALID_STORAGE_VOL, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

void
mv_lib_vol_unref(MvStorageVol *vol)
{
    if (!g_atomic_int_dec_and_test(&vol->ref))
        return;
    mv_connect_close(vol->conn);
    g_free(vol->pool);
    g_free(vol->name);
    g_free(vol->key);
    g_free(vol);
}

int
mv_storage_vol_ref(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_ref", vol))
        return -1;
    g_atomic_int_inc(&vol->ref);
    return 0;
}

int
mv_storage_vol_free(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_free", vol))
        return -1;
    mv_lib_vol_unref(vol);
    return 0;
}

MvConnect *
mv_storage_vol_get_connect(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_get_connect", vol))
        return NULL;
    return vol->conn;
}

const char *
mv_storage_vol_get_name(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_get_name", vol))
        return NULL;
    return vol->name;
}

const char *
mv_storage_vol_get_key(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_get_key", vol))
        return NULL;
    return vol->key;
}

const char *
mv_storage_vol_get_pool_name(MvStorageVol *vol)
{
    if (!vol_check_handle("mv_storage_vol_get_pool_name", vol))
        return NULL;
    return vol->pool;
}

/* ---- lookups ----------------------------------------------------------------- */

MvStorageVol *
mv_storage_vol_lookup_by_name(MvStoragePool *pool, const char *name)
{
    remote_storage_vol_lookup_by_name_args args;
    remote_storage_vol_lookup_by_name_ret ret = { { 0 } };
    MvStorageVol *vol;

    if (!mv_lib_check_pool("mv_storage_vol_lookup_by_name", pool))
        return NULL;
    if (!name) {
        mv_lib_error_null_arg("mv_storage_vol_lookup_by_name", "name");
        return NULL;
    }
    mv_lib_pool_to_remote(pool, &args.pool);
    args.name = (char *)name;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_vol_lookup_by_name(pool->conn->client,
                                                                         &args, &ret, &_err)))
        return NULL;
    vol = mv_lib_vol_new(pool->conn, &ret.vol);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_lookup_by_name_ret, (char *)&ret);
    return vol;
}

MvStorageVol *
mv_storage_vol_lookup_by_key(MvConnect *conn, const char *key)
{
    remote_storage_vol_lookup_by_key_args args = { (char *)key };
    remote_storage_vol_lookup_by_key_ret ret = { { 0 } };
    MvStorageVol *vol;

    if (!mv_lib_check_conn("mv_storage_vol_lookup_by_key", conn))
        return NULL;
    if (!key) {
        mv_lib_error_null_arg("mv_storage_vol_lookup_by_key", "key");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_vol_lookup_by_key(conn->client, &args, &ret,
                                                                  &_err)))
        return NULL;
    vol = mv_lib_vol_new(conn, &ret.vol);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_lookup_by_key_ret, (char *)&ret);
    return vol;
}

MvStorageVol *
mv_storage_vol_lookup_by_path(MvConnect *conn, const char *path)
{
    remote_storage_vol_lookup_by_path_args args = { (char *)path };
    remote_storage_vol_lookup_by_path_ret ret = { { 0 } };
    MvStorageVol *vol;

    if (!mv_lib_check_conn("mv_storage_vol_lookup_by_path", conn))
        return NULL;
    if (!path) {
        mv_lib_error_null_arg("mv_storage_vol_lookup_by_path", "path");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_storage_vol_lookup_by_path(conn->client, &args, &ret,
                                                                   &_err)))
        return NULL;
    vol = mv_lib_vol_new(conn, &ret.vol);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_lookup_by_path_ret, (char *)&ret);
    return vol;
}

/* ---- creation and removal --------------------------------------------------------- */

#define VOL_CREATE_FLAGS (MV_STORAGE_VOL_CREATE_PREALLOC_METADATA | \
                          MV_STORAGE_VOL_CREATE_REFLINK | MV_STORAGE_VOL_CREATE_VALIDATE)

MvStorageVol *
mv_storage_vol_create_xml(MvStoragePool *pool, const char *xml, unsigned int flags)
{
    remote_storage_vol_create_xml_args args;
    remote_storage_vol_create_xml_ret ret = { { 0 } };
    MvStorageVol *vol;

    if (!mv_lib_check_pool("mv_storage_vol_create_xml", pool) ||
        !mv_lib_check_flags("mv_storage_vol_create_xml", flags, VOL_CREATE_FLAGS))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_storage_vol_create_xml", "xml");
        return NULL;
    }
    mv_lib_pool_to_remote(pool, &args.pool);
    args.xml = (char *)xml;
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_vol_create_xml(pool->conn->client, &args, &ret,
                                                              &_err)))
        return NULL;
    vol = mv_lib_vol_new(pool->conn, &ret.vol);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_create_xml_ret, (char *)&ret);
    return vol;
}

MvStorageVol *
mv_storage_vol_create_xml_from(MvStoragePool *pool, const char *xml, MvStorageVol *clonevol,
                               unsigned int flags)
{
    remote_storage_vol_create_xml_from_args args;
    remote_storage_vol_create_xml_from_ret ret = { { 0 } };
    MvStorageVol *vol;

    if (!mv_lib_check_pool("mv_storage_vol_create_xml_from", pool) ||
        !mv_lib_check_flags("mv_storage_vol_create_xml_from", flags, VOL_CREATE_FLAGS))
        return NULL;
    if (!xml || !clonevol || clonevol->conn != pool->conn) {
        mv_lib_error_invalid_arg("mv_storage_vol_create_xml_from",
                                 "xml and a volume of the pool's connection are required");
        return NULL;
    }
    mv_lib_pool_to_remote(pool, &args.pool);
    args.xml = (char *)xml;
    mv_lib_vol_to_remote(clonevol, &args.clonevol);
    args.flags = flags;
    if (!MV_LIB_CALL(pool->conn, remote_call_storage_vol_create_xml_from(pool->conn->client, &args, &ret,
                                                                   &_err)))
        return NULL;
    vol = mv_lib_vol_new(pool->conn, &ret.vol);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_create_xml_from_ret, (char *)&ret);
    return vol;
}

int
mv_storage_vol_delete(MvStorageVol *vol, unsigned int flags)
{
    remote_storage_vol_delete_args args;

    if (!mv_lib_check_vol("mv_storage_vol_delete", vol) ||
        !mv_lib_check_flags("mv_storage_vol_delete", flags,
                            MV_STORAGE_VOL_DELETE_ZEROED | MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS))
        return -1;
    mv_lib_vol_to_remote(vol, &args.vol);
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_delete(vol->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_vol_wipe(MvStorageVol *vol, unsigned int flags)
{
    remote_storage_vol_wipe_args args;

    if (!mv_lib_check_vol("mv_storage_vol_wipe", vol) ||
        !mv_lib_check_flags("mv_storage_vol_wipe", flags, 0))
        return -1;
    mv_lib_vol_to_remote(vol, &args.vol);
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_wipe(vol->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_vol_wipe_pattern(MvStorageVol *vol, unsigned int algorithm, unsigned int flags)
{
    remote_storage_vol_wipe_pattern_args args;

    if (!mv_lib_check_vol("mv_storage_vol_wipe_pattern", vol) ||
        !mv_lib_check_flags("mv_storage_vol_wipe_pattern", flags, 0))
        return -1;
    if (algorithm > MV_STORAGE_VOL_WIPE_ALG_TRIM) {
        mv_lib_error_invalid_arg("mv_storage_vol_wipe_pattern", "unknown algorithm %u",
                                 algorithm);
        return -1;
    }
    mv_lib_vol_to_remote(vol, &args.vol);
    args.algorithm = algorithm;
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_wipe_pattern(vol->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_vol_resize(MvStorageVol *vol, unsigned long long capacity, unsigned int flags)
{
    remote_storage_vol_resize_args args;

    if (!mv_lib_check_vol("mv_storage_vol_resize", vol) ||
        !mv_lib_check_flags("mv_storage_vol_resize", flags,
                            MV_STORAGE_VOL_RESIZE_ALLOCATE | MV_STORAGE_VOL_RESIZE_DELTA |
                            MV_STORAGE_VOL_RESIZE_SHRINK))
        return -1;
    mv_lib_vol_to_remote(vol, &args.vol);
    args.capacity = capacity;
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_resize(vol->conn->client, &args, &_err)))
        return -1;
    return 0;
}

/* ---- information ------------------------------------------------------------------------ */

int
mv_storage_vol_get_info(MvStorageVol *vol, MvStorageVolInfo *info)
{
    remote_storage_vol_get_info_args args;
    remote_storage_vol_get_info_ret ret = { 0 };

    if (!mv_lib_check_vol("mv_storage_vol_get_info", vol))
        return -1;
    if (!info) {
        mv_lib_error_null_arg("mv_storage_vol_get_info", "info");
        return -1;
    }
    mv_lib_vol_to_remote(vol, &args.vol);
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_get_info(vol->conn->client, &args, &ret,
                                                                  &_err)))
        return -1;
    info->type = ret.type;
    info->capacity = ret.capacity;
    info->allocation = ret.allocation;
    return 0;
}

int
mv_storage_vol_get_info_flags(MvStorageVol *vol, MvStorageVolInfo *info, unsigned int flags)
{
    remote_storage_vol_get_info_flags_args args;
    remote_storage_vol_get_info_flags_ret ret = { 0 };

    if (!mv_lib_check_vol("mv_storage_vol_get_info_flags", vol) ||
        !mv_lib_check_flags("mv_storage_vol_get_info_flags", flags,
                            MV_STORAGE_VOL_GET_PHYSICAL))
        return -1;
    if (!info) {
        mv_lib_error_null_arg("mv_storage_vol_get_info_flags", "info");
        return -1;
    }
    mv_lib_vol_to_remote(vol, &args.vol);
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_get_info_flags(vol->conn->client,
                                                                        &args, &ret, &_err)))
        return -1;
    info->type = ret.type;
    info->capacity = ret.capacity;
    info->allocation = ret.allocation;
    return 0;
}

char *
mv_storage_vol_get_path(MvStorageVol *vol)
{
    remote_storage_vol_get_path_args args;
    remote_storage_vol_get_path_ret ret = { 0 };
    char *path;

    if (!mv_lib_check_vol("mv_storage_vol_get_path", vol))
        return NULL;
    mv_lib_vol_to_remote(vol, &args.vol);
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_get_path(vol->conn->client, &args, &ret,
                                                                  &_err)))
        return NULL;
    path = g_strdup(ret.name);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_get_path_ret, (char *)&ret);
    return path;
}

char *
mv_storage_vol_get_xml_desc(MvStorageVol *vol, unsigned int flags)
{
    remote_storage_vol_get_xml_desc_args args;
    remote_storage_vol_get_xml_desc_ret ret = { 0 };
    char *xml;

    if (!mv_lib_check_vol("mv_storage_vol_get_xml_desc", vol) ||
        !mv_lib_check_flags("mv_storage_vol_get_xml_desc", flags, 0))
        return NULL;
    mv_lib_vol_to_remote(vol, &args.vol);
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, remote_call_storage_vol_get_xml_desc(vol->conn->client, &args,
                                                                      &ret, &_err)))
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_remote_storage_vol_get_xml_desc_ret, (char *)&ret);
    return xml;
}

/* ---- streams ------------------------------------------------------------------------------- */

int
mv_storage_vol_upload(MvStorageVol *vol, MvStream *st, unsigned long long offset,
                      unsigned long long length, unsigned int flags)
{
    remote_storage_vol_upload_args args;

    if (!mv_lib_check_vol("mv_storage_vol_upload", vol) ||
        !mv_lib_check_flags("mv_storage_vol_upload", flags,
                            MV_STORAGE_VOL_UPLOAD_SPARSE_STREAM))
        return -1;
    if (!st) {
        mv_lib_error_null_arg("mv_storage_vol_upload", "st");
        return -1;
    }
    mv_lib_vol_to_remote(vol, &args.vol);
    args.offset = offset;
    args.length = length;
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, mv_lib_stream_open_call(st, vol->conn,
                                                        REMOTE_PROC_STORAGE_VOL_UPLOAD,
                                                        (xdrproc_t)xdr_remote_storage_vol_upload_args,
                                                        &args, &_err)))
        return -1;
    return 0;
}

int
mv_storage_vol_download(MvStorageVol *vol, MvStream *st, unsigned long long offset,
                        unsigned long long length, unsigned int flags)
{
    remote_storage_vol_download_args args;

    if (!mv_lib_check_vol("mv_storage_vol_download", vol) ||
        !mv_lib_check_flags("mv_storage_vol_download", flags,
                            MV_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM))
        return -1;
    if (!st) {
        mv_lib_error_null_arg("mv_storage_vol_download", "st");
        return -1;
    }
    mv_lib_vol_to_remote(vol, &args.vol);
    args.offset = offset;
    args.length = length;
    args.flags = flags;
    if (!MV_LIB_CALL(vol->conn, mv_lib_stream_open_call(st, vol->conn,
                                                        REMOTE_PROC_STORAGE_VOL_DOWNLOAD,
                                                        (xdrproc_t)xdr_remote_storage_vol_download_args,
                                                        &args, &_err)))
        return -1;
    return 0;
}
