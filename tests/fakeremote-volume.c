/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote-volume.c: the fake remote server's volume procedures,
 * upload and download included.
 */
#include <config.h>

#include <string.h>

#include "fakeremote-priv.h"

#define HANDLER(name) \
    static int name(MvServerCall *call, void *a, void *r, GError **error)
#define LOCKED(fr) \
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(fr)->lock)

static void
vol_to_remote(FakePool *pool, FakeVol *vol, remote_nonnull_storage_vol *out)
{
    out->pool = g_strdup(pool->name);
    out->name = g_strdup(vol->name);
    out->key = g_strdup(vol->key);
}

static FakeVol *
vol_in_pool(FakePool *pool, const char *name)
{
    for (guint i = 0; i < pool->vols->len; i++) {
        FakeVol *vol = g_ptr_array_index(pool->vols, i);

        if (g_str_equal(vol->name, name))
            return vol;
    }
    return NULL;
}

/* The volume a call is about (pool name + name), and its pool. */
static FakeVol *
vol_find(FakeRemote *fr, const remote_nonnull_storage_vol *rvol, FakePool **ret_pool,
         GError **error)
{
    FakePool *pool = fake_pool_by_name(fr, rvol->pool, error);
    FakeVol *vol;

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return NULL;
    if (!(vol = vol_in_pool(pool, rvol->name))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", rvol->name);
        return NULL;
    }
    if (ret_pool)
        *ret_pool = pool;
    return vol;
}

/* Any active pool's volume whose key (or path) is @what. */
static FakeVol *
vol_search(FakeRemote *fr, const char *what, gboolean by_path, FakePool **ret_pool)
{
    for (guint i = 0; i < fr->pools->len; i++) {
        FakePool *pool = g_ptr_array_index(fr->pools, i);

        for (guint j = 0; pool->active && j < pool->vols->len; j++) {
            FakeVol *vol = g_ptr_array_index(pool->vols, j);

            if (g_str_equal(by_path ? vol->path : vol->key, what)) {
                *ret_pool = pool;
                return vol;
            }
        }
    }
    return NULL;
}

/* ---- lookups and lists ---------------------------------------------------------- */

HANDLER(h_lookup_by_name)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_lookup_by_name_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);
    FakeVol *vol;

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    if (!(vol = vol_in_pool(pool, args->name))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", args->name);
        return -1;
    }
    vol_to_remote(pool, vol, &((remote_storage_vol_lookup_by_name_ret *)r)->vol);
    return 0;
}

HANDLER(h_lookup_by_key)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_lookup_by_key_args *args = a;
    LOCKED(fr);
    FakePool *pool = NULL;
    FakeVol *vol = vol_search(fr, args->key, FALSE, &pool);

    if (!vol) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching key %s", args->key);
        return -1;
    }
    vol_to_remote(pool, vol, &((remote_storage_vol_lookup_by_key_ret *)r)->vol);
    return 0;
}

HANDLER(h_lookup_by_path)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_lookup_by_path_args *args = a;
    LOCKED(fr);
    FakePool *pool = NULL;
    FakeVol *vol = vol_search(fr, args->path, TRUE, &pool);

    if (!vol) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching path '%s'", args->path);
        return -1;
    }
    vol_to_remote(pool, vol, &((remote_storage_vol_lookup_by_path_ret *)r)->vol);
    return 0;
}

HANDLER(h_num_of_volumes)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &((remote_storage_pool_num_of_volumes_args *)a)->pool,
                                    error);

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    ((remote_storage_pool_num_of_volumes_ret *)r)->num = pool->vols->len;
    return 0;
}

HANDLER(h_list_volumes)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_list_volumes_args *args = a;
    remote_storage_pool_list_volumes_ret *ret = r;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    ret->names.names_val = g_new0(char *, pool->vols->len + 1);
    for (guint i = 0; i < pool->vols->len && (int)ret->names.names_len < args->maxnames; i++)
        ret->names.names_val[ret->names.names_len++] =
            g_strdup(((FakeVol *)g_ptr_array_index(pool->vols, i))->name);
    return 0;
}

HANDLER(h_list_all_volumes)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_pool_list_all_volumes_args *args = a;
    remote_storage_pool_list_all_volumes_ret *ret = r;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);

    if (!pool || !fake_pool_check_active(pool, TRUE, error))
        return -1;
    ret->ret = pool->vols->len;
    if (!args->need_results)
        return 0;
    ret->vols.vols_val = g_new0(remote_nonnull_storage_vol, pool->vols->len + 1);
    for (guint i = 0; i < pool->vols->len; i++)
        vol_to_remote(pool, g_ptr_array_index(pool->vols, i),
                      &ret->vols.vols_val[ret->vols.vols_len++]);
    return 0;
}

/* ---- creation and removal ------------------------------------------------------- */

static gboolean
vol_parse_capacity(const char *xml, unsigned long long *ret, GError **error)
{
    g_autofree char *cap = fake_xml_element(xml, "capacity");
    g_autofree char *unit = fake_xml_attr(xml, "capacity", "unit");
    unsigned long long scale = 1;

    if (!cap) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, "missing capacity element");
        return FALSE;
    }
    if (unit && (g_str_equal(unit, "K") || g_str_equal(unit, "KiB")))
        scale = 1024;
    else if (unit && (g_str_equal(unit, "M") || g_str_equal(unit, "MiB")))
        scale = 1024 * 1024;
    else if (unit && (g_str_equal(unit, "G") || g_str_equal(unit, "GiB")))
        scale = 1024 * 1024 * 1024;
    *ret = g_ascii_strtoull(cap, NULL, 10) * scale;
    return TRUE;
}

static FakeVol *
vol_create(FakePool *pool, const char *xml, GError **error)
{
    g_autofree char *name = fake_xml_element(xml, "name");
    unsigned long long capacity;

    if (!name) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR, "missing volume name element");
        return NULL;
    }
    if (!vol_parse_capacity(xml, &capacity, error))
        return NULL;
    if (vol_in_pool(pool, name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_VOL_EXIST,
                     "'%s'", name);
        return NULL;
    }
    return fake_vol_add(pool, name, capacity);
}

HANDLER(h_create_xml)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_create_xml_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);
    FakeVol *vol;

    if (!pool || !fake_pool_check_active(pool, TRUE, error) ||
        !(vol = vol_create(pool, args->xml, error)))
        return -1;
    vol_to_remote(pool, vol, &((remote_storage_vol_create_xml_ret *)r)->vol);
    return 0;
}

HANDLER(h_create_xml_from)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_create_xml_from_args *args = a;
    LOCKED(fr);
    FakePool *pool = fake_pool_find(fr, &args->pool, error);
    FakeVol *src;
    FakeVol *vol;
    GHashTableIter iter;
    gpointer key;
    gpointer block;

    if (!pool || !fake_pool_check_active(pool, TRUE, error) ||
        !(src = vol_find(fr, &args->clonevol, NULL, error)) ||
        !(vol = vol_create(pool, args->xml, error)))
        return -1;
    g_hash_table_iter_init(&iter, src->blocks);
    while (g_hash_table_iter_next(&iter, &key, &block))
        g_hash_table_insert(vol->blocks, key, g_memdup2(block, FAKE_BLOCK));
    vol_to_remote(pool, vol, &((remote_storage_vol_create_xml_from_ret *)r)->vol);
    return 0;
}

HANDLER(h_delete)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakePool *pool = NULL;
    FakeVol *vol = vol_find(fr, &((remote_storage_vol_delete_args *)a)->vol, &pool, error);

    if (!vol)
        return -1;
    g_ptr_array_remove(pool->vols, vol);
    return 0;
}

HANDLER(h_wipe)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &((remote_storage_vol_wipe_args *)a)->vol, NULL, error);

    if (!vol)
        return -1;
    g_hash_table_remove_all(vol->blocks);
    return 0;
}

HANDLER(h_wipe_pattern)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_wipe_pattern_args *args = a;
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &args->vol, NULL, error);

    if (!vol)
        return -1;
    if (args->algorithm != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "wiping algorithm %u is not supported", args->algorithm);
        return -1;
    }
    g_hash_table_remove_all(vol->blocks);
    return 0;
}

static gboolean
vol_block_beyond(gpointer key, gpointer value, gpointer data)
{
    return (unsigned long long)GPOINTER_TO_UINT(key) * FAKE_BLOCK >= *(unsigned long long *)data;
}

HANDLER(h_resize)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_resize_args *args = a;
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &args->vol, NULL, error);
    unsigned long long cap;

    if (!vol)
        return -1;
    cap = args->capacity;
    if (args->flags & 2)
        cap = (args->flags & 4) ? vol->capacity - MIN(cap, vol->capacity) : vol->capacity + cap;
    if (cap < vol->capacity && !(args->flags & 4)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "Can't shrink capacity below current capacity unless shrink flag "
                     "explicitly specified");
        return -1;
    }
    vol->capacity = cap;
    g_hash_table_foreach_remove(vol->blocks, vol_block_beyond, &cap);
    return 0;
}

/* ---- information ----------------------------------------------------------------- */

HANDLER(h_get_info)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_get_info_ret *ret = r;
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &((remote_storage_vol_get_info_args *)a)->vol, NULL, error);

    if (!vol)
        return -1;
    ret->type = 0;
    ret->capacity = vol->capacity;
    ret->allocation = fake_vol_allocation(vol);
    return 0;
}

HANDLER(h_get_info_flags)
{
    FakeRemote *fr = fake_enter(call);
    remote_storage_vol_get_info_flags_args *args = a;
    remote_storage_vol_get_info_flags_ret *ret = r;
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &args->vol, NULL, error);

    if (!vol)
        return -1;
    ret->type = 0;
    ret->capacity = vol->capacity;
    /* The physical size of a raw file: its length. */
    ret->allocation = (args->flags & 1) ? vol->capacity : fake_vol_allocation(vol);
    return 0;
}

HANDLER(h_get_path)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &((remote_storage_vol_get_path_args *)a)->vol, NULL, error);

    if (!vol)
        return -1;
    ((remote_storage_vol_get_path_ret *)r)->name = g_strdup(vol->path);
    return 0;
}

HANDLER(h_get_xml_desc)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, &((remote_storage_vol_get_xml_desc_args *)a)->vol, NULL, error);

    if (!vol)
        return -1;
    ((remote_storage_vol_get_xml_desc_ret *)r)->xml =
        g_strdup_printf("<volume type='file'>\n  <name>%s</name>\n  <key>%s</key>\n"
                        "  <capacity unit='bytes'>%llu</capacity>\n"
                        "  <allocation unit='bytes'>%llu</allocation>\n  <target>\n"
                        "    <path>%s</path>\n    <format type='raw'/>\n  </target>\n"
                        "</volume>\n", vol->name, vol->key, vol->capacity,
                        fake_vol_allocation(vol), vol->path);
    return 0;
}

/* ---- streams ------------------------------------------------------------------------ */

typedef struct {
    FakeRemote *fr;
    char *pool;
    char *name;
    unsigned long long pos;
    unsigned long long end;
    gboolean sparse;
} Transfer;

static void
transfer_free(gpointer data)
{
    Transfer *t = data;

    g_free(t->pool);
    g_free(t->name);
    g_free(t);
}

/* The volume of @t, or NULL if it went away.  Lock held. */
static FakeVol *
transfer_vol(Transfer *t, GError **error)
{
    remote_nonnull_storage_vol rvol = { t->pool, t->name, NULL };

    return vol_find(t->fr, &rvol, NULL, error);
}

static gboolean
upload_recv(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque, GError **error)
{
    Transfer *t = opaque;
    LOCKED(t->fr);
    FakeVol *vol = transfer_vol(t, error);

    if (!vol)
        return FALSE;
    if (t->pos + len > t->end) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "the upload goes beyond the end of volume '%s'", vol->name);
        return FALSE;
    }
    while (len > 0) {
        guint idx = t->pos / FAKE_BLOCK;
        gsize off = t->pos % FAKE_BLOCK;
        gsize n = MIN(len, FAKE_BLOCK - off);
        guint8 *block = g_hash_table_lookup(vol->blocks, GUINT_TO_POINTER(idx));

        if (!block) {
            block = g_malloc0(FAKE_BLOCK);
            g_hash_table_insert(vol->blocks, GUINT_TO_POINTER(idx), block);
        }
        memcpy(block + off, data, n);
        data += n;
        len -= n;
        t->pos += n;
    }
    return TRUE;
}

static gboolean
upload_hole(MvServerStream *st, gint64 length, gpointer opaque, GError **error)
{
    Transfer *t = opaque;

    t->pos += length;
    return TRUE;
}

static const MvServerStreamOps upload_ops = {
    .recv = upload_recv,
    .hole = upload_hole,
    .free = transfer_free,
};

/* Copy [pos, pos+len) of the volume into @buf; FALSE for a hole there
 * (len never crosses a block). */
static gboolean
download_read(Transfer *t, guint8 *buf, gsize len, gboolean *ret_gone)
{
    LOCKED(t->fr);
    FakeVol *vol = transfer_vol(t, NULL);
    guint8 *block;

    *ret_gone = vol == NULL;
    if (!vol)
        return FALSE;
    block = g_hash_table_lookup(vol->blocks, GUINT_TO_POINTER((guint)(t->pos / FAKE_BLOCK)));
    if (block)
        memcpy(buf, block + t->pos % FAKE_BLOCK, len);
    else
        memset(buf, 0, len);
    return block != NULL;
}

typedef struct {
    MvServerStream *st;
    Transfer *t;
} DownloadJob;

static gpointer
download_run(gpointer data)
{
    DownloadJob *job = data;
    Transfer *t = job->t;
    g_autofree guint8 *buf = g_malloc(FAKE_BLOCK);
    gint64 hole = 0;
    gboolean gone = FALSE;

    while (t->pos < t->end && !gone) {
        gsize len = MIN(t->end - t->pos, FAKE_BLOCK - t->pos % FAKE_BLOCK);
        gboolean data_there = download_read(t, buf, len, &gone);

        if (gone)
            break;
        if (!data_there && t->sparse) {
            hole += len;
        } else {
            if (hole > 0 && !mv_server_stream_send_hole(job->st, hole))
                break;
            hole = 0;
            if (!mv_server_stream_wait_writable(job->st) ||
                !mv_server_stream_send_data(job->st, buf, len))
                break;
        }
        t->pos += len;
    }
    if (t->pos >= t->end && (hole == 0 || mv_server_stream_send_hole(job->st, hole)))
        mv_server_stream_send_eof(job->st);
    mv_server_stream_unref(job->st);
    g_free(job);
    return NULL;
}

static void
download_start(MvServerStream *st, gpointer opaque)
{
    DownloadJob *job = g_new0(DownloadJob, 1);

    job->st = mv_server_stream_ref(st);
    job->t = opaque;
    g_thread_unref(g_thread_new("fake-download", download_run, job));
}

static const MvServerStreamOps download_ops = {
    .start = download_start,
    .free = transfer_free,
};

/* Open a transfer of [offset, offset+length) of the call's volume. */
static int
transfer_open(MvServerCall *call, const remote_nonnull_storage_vol *rvol,
              unsigned long long offset, unsigned long long length, unsigned int flags,
              const MvServerStreamOps *ops, GError **error)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeVol *vol = vol_find(fr, rvol, NULL, error);
    Transfer *t;

    if (!vol)
        return -1;
    if (offset > vol->capacity) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "offset %llu is beyond the end of volume '%s'", offset, vol->name);
        return -1;
    }
    t = g_new0(Transfer, 1);
    t->fr = fr;
    t->pool = g_strdup(rvol->pool);
    t->name = g_strdup(vol->name);
    t->pos = offset;
    t->end = length ? MIN(offset + length, vol->capacity) : vol->capacity;
    t->sparse = (flags & 1) != 0;
    mv_server_call_open_stream(call, ops, t, t->sparse);
    return 0;
}

HANDLER(h_upload)
{
    remote_storage_vol_upload_args *args = a;

    return transfer_open(call, &args->vol, args->offset, args->length, args->flags,
                         &upload_ops, error);
}

HANDLER(h_download)
{
    remote_storage_vol_download_args *args = a;

    return transfer_open(call, &args->vol, args->offset, args->length, args->flags,
                         &download_ops, error);
}

void
fake_volume_register(FakeRemote *fr)
{
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME, h_lookup_by_name,
              remote_storage_vol_lookup_by_name_args, remote_storage_vol_lookup_by_name_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, h_lookup_by_key,
              remote_storage_vol_lookup_by_key_args, remote_storage_vol_lookup_by_key_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH, h_lookup_by_path,
              remote_storage_vol_lookup_by_path_args, remote_storage_vol_lookup_by_path_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_NUM_OF_VOLUMES, h_num_of_volumes,
              remote_storage_pool_num_of_volumes_args, remote_storage_pool_num_of_volumes_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES, h_list_volumes,
              remote_storage_pool_list_volumes_args, remote_storage_pool_list_volumes_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, h_list_all_volumes,
              remote_storage_pool_list_all_volumes_args,
              remote_storage_pool_list_all_volumes_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_CREATE_XML, h_create_xml,
              remote_storage_vol_create_xml_args, remote_storage_vol_create_xml_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, h_create_xml_from,
              remote_storage_vol_create_xml_from_args, remote_storage_vol_create_xml_from_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_DELETE, h_delete, remote_storage_vol_delete_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_WIPE, h_wipe, remote_storage_vol_wipe_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_WIPE_PATTERN, h_wipe_pattern,
                    remote_storage_vol_wipe_pattern_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_RESIZE, h_resize, remote_storage_vol_resize_args);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_GET_INFO, h_get_info, remote_storage_vol_get_info_args,
              remote_storage_vol_get_info_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_GET_INFO_FLAGS, h_get_info_flags,
              remote_storage_vol_get_info_flags_args, remote_storage_vol_get_info_flags_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_GET_PATH, h_get_path, remote_storage_vol_get_path_args,
              remote_storage_vol_get_path_ret);
    FAKE_PROC(fr, REMOTE_PROC_STORAGE_VOL_GET_XML_DESC, h_get_xml_desc,
              remote_storage_vol_get_xml_desc_args, remote_storage_vol_get_xml_desc_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_UPLOAD, h_upload, remote_storage_vol_upload_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_STORAGE_VOL_DOWNLOAD, h_download,
                    remote_storage_vol_download_args);
}
