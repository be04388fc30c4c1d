/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-stream.c: volume upload and download as RPC streams.
 *
 * Upload.  Data arrive on the I/O thread (recv/hole), are queued, and a
 * writer on a job thread writes them (pwritev of consecutive chunks, holes
 * punched).  Past STREAM_QUEUE_HIGH bytes queued the client's connection
 * stops being read until the writer is below STREAM_QUEUE_LOW: the client
 * waits for the disk, never the I/O thread.  The client's finish is
 * confirmed once everything is written (finish_begin/finish_done).
 *
 * Download.  A reader on a job thread reads the volume (pread), finds
 * holes with SEEK_DATA/SEEK_HOLE when the client asked for a sparse stream
 * and sends them as holes, and waits whenever the client is behind
 * (mv_server_stream_wait_writable()).
 *
 * An I/O error ends the stream with a STREAM error naming the volume and
 * the cause.  While a stream runs, its volume is in use: it cannot be
 * deleted, resized or wiped, and the pool cannot be stopped.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/storage/storage-dispatch.h"
#include "util/error.h"

#define STREAM_QUEUE_HIGH (16 * 1024 * 1024)
#define STREAM_QUEUE_LOW (4 * 1024 * 1024)
#define STREAM_WAKE_BYTES (2 * 1024 * 1024)
#define STREAM_READ_CHUNK (4 * 262120)
#define STREAM_IOV_MAX 64

typedef struct {
    gint ref;
    StorageDriver *drv;
    StoragePoolObj *obj;
    StorageVol *vol;             /* in use while the stream runs */
    StorageVolIO *io;
    MvServerStream *st;
    gboolean write;
    gboolean sparse;
    guint64 start;               /* where the stream starts in the volume */
    guint64 offset;              /* upload: where the next byte received goes */
    guint64 end;                 /* 0: no limit (upload) */

    GMutex lock;
    GCond cond;
    GQueue queue;                /* upload: GBytes (data) or NULL-data items */
    gsize queued;                /* bytes of data queued */
    gboolean paused;             /* the client's connection is paused */
    gboolean finishing;          /* the client finished: drain, then confirm */
    gboolean aborted;
    GError *error;               /* the first failure */
    gboolean released;           /* the volume and pool are no longer held */
} VolStream;

/* A queued hole is a GBytes whose data is NULL and whose size is 0 with
 * the length kept beside it. */
typedef struct {
    GBytes *data;                /* NULL: a hole */
    guint64 hole;
} StreamItem;

static VolStream *
vol_stream_ref(VolStream *vs)
{
    g_atomic_int_inc(&vs->ref);
    return vs;
}

static void
stream_item_free(StreamItem *item)
{
    if (item->data)
        g_bytes_unref(item->data);
    g_free(item);
}

/* The stream's data are done with: the volume is no longer in use (once),
 * before the client is told the stream ended. */
static void
vol_stream_release(VolStream *vs)
{
    gboolean release;

    g_mutex_lock(&vs->obj->lock);
    release = !vs->released;
    vs->released = TRUE;
    if (release) {
        vs->obj->vol_jobs--;
        g_cond_broadcast(&vs->obj->cond);
    }
    g_mutex_unlock(&vs->obj->lock);
    if (release)
        storage_pool_obj_vol_unuse(vs->obj, vs->vol->def->name);
}

static void
vol_stream_unref(VolStream *vs)
{
    if (!vs || !g_atomic_int_dec_and_test(&vs->ref))
        return;
    g_queue_clear_full(&vs->queue, (GDestroyNotify)stream_item_free);
    storage_vol_io_free(vs->io);
    vol_stream_release(vs);
    storage_vol_unref(vs->vol);
    storage_pool_obj_unref(vs->obj);
    g_clear_error(&vs->error);
    g_cond_clear(&vs->cond);
    g_mutex_clear(&vs->lock);
    g_free(vs);
}

static MvRpcConn *
vol_stream_conn(VolStream *vs)
{
    return mv_server_client_get_conn(mv_server_stream_get_client(vs->st));
}

/* Record the first failure.  Caller holds vs->lock. */
static void
vol_stream_fail_locked(VolStream *vs, GError *error)
{
    if (!vs->error)
        vs->error = error;
    else
        g_error_free(error);
    g_queue_clear_full(&vs->queue, (GDestroyNotify)stream_item_free);
    vs->queued = 0;
    g_cond_broadcast(&vs->cond);
}

/* ---- upload -------------------------------------------------------------------- */

static gboolean
upload_push(VolStream *vs, StreamItem *item, gsize len, GError **error)
{
    gboolean pause = FALSE;

    g_mutex_lock(&vs->lock);
    if (vs->error) {
        g_mutex_unlock(&vs->lock);
        stream_item_free(item);
        g_propagate_error(error, g_error_copy(vs->error));
        return FALSE;
    }
    if (vs->end && (vs->offset >= vs->end || len > vs->end - vs->offset)) {
        g_mutex_unlock(&vs->lock);
        stream_item_free(item);
        mv_error_set_errno(error, ENOSPC, "cannot write to stream");
        return FALSE;
    }
    vs->offset += len;
    g_queue_push_tail(&vs->queue, item);
    if (item->data)
        vs->queued += len;
    /* NB: paused and the connection's pause change together, under
     * vs->lock: the writer's resume cannot come between them. */
    if (vs->queued > STREAM_QUEUE_HIGH && !vs->paused) {
        pause = vs->paused = TRUE;
        mv_rpc_conn_pause(vol_stream_conn(vs));
    }
    /* The writer is woken for batches (fewer context switches, longer
     * pwritev()s); the end of the stream wakes it for the rest. */
    if (!item->data || vs->queued >= STREAM_WAKE_BYTES || pause)
        g_cond_signal(&vs->cond);
    g_mutex_unlock(&vs->lock);
    return TRUE;
}

static gboolean
upload_recv(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque,
            GError **error)
{
    StreamItem *item = g_new0(StreamItem, 1);

    if (len == 0) {
        g_free(item);
        return TRUE;
    }
    item->data = g_bytes_new(data, len);
    return upload_push(opaque, item, len, error);
}

static gboolean
upload_hole(MvServerStream *st, gint64 length, gpointer opaque, GError **error)
{
    StreamItem *item = g_new0(StreamItem, 1);

    if (length < 0) {
        g_free(item);
        mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_ARG, "invalid hole length %" G_GINT64_FORMAT,
                     length);
        return FALSE;
    }
    item->hole = length;
    return upload_push(opaque, item, length, error);
}

static void
upload_finish_begin(MvServerStream *st, gpointer opaque)
{
    VolStream *vs = opaque;

    g_mutex_lock(&vs->lock);
    vs->finishing = TRUE;
    g_cond_broadcast(&vs->cond);
    g_mutex_unlock(&vs->lock);
}

static void
stream_abort(MvServerStream *st, gpointer opaque)
{
    VolStream *vs = opaque;

    g_mutex_lock(&vs->lock);
    vs->aborted = TRUE;
    g_cond_broadcast(&vs->cond);
    g_mutex_unlock(&vs->lock);
    /* A download sends nothing more: the volume is free for the client's
     * next call at once (its reader only reads).  An upload's writer
     * releases it after its last write, then confirms the abort (an
     * upload has finish_begin: its abort is confirmed the same way). */
    if (!vs->write)
        vol_stream_release(vs);
}

/* Punch [off, off + len) out of a regular file, growing it over the
 * hole when needed.  FALSE without @error when the file system cannot. */
static gboolean
upload_punch(VolStream *vs, guint64 off, guint64 len, GError **error)
{
    const char *path = vs->vol->def->target.path;
    struct stat st;

    if (fstat(vs->io->fd, &st) < 0) {
        mv_error_set_errno(error, errno, "cannot stat '%s'", path);
        return FALSE;
    }
    if ((guint64)st.st_size > off &&
        fallocate(vs->io->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
                  MIN(len, (guint64)st.st_size - off)) < 0) {
        if (errno != EOPNOTSUPP && errno != ENOSYS)
            mv_error_set_errno(error, errno, "cannot punch a hole in '%s'", path);
        return FALSE;
    }
    if ((guint64)st.st_size < off + len && ftruncate(vs->io->fd, off + len) < 0) {
        mv_error_set_errno(error, errno, "cannot resize '%s'", path);
        return FALSE;
    }
    return TRUE;
}

/* A hole at @off: punched, or zeros written where that cannot be. */
static gboolean
upload_write_hole(VolStream *vs, guint64 off, guint64 len, GError **error)
{
    StorageVolIO *io = vs->io;
    g_autofree guint8 *zeros = NULL;

    if (len == 0)
        return TRUE;
    if (io->fd >= 0 && !io->is_block) {
        if (upload_punch(vs, off, len, error))
            return TRUE;
        if (error && *error)
            return FALSE;
    }
    zeros = g_malloc0(MIN(len, (guint64)STREAM_READ_CHUNK));
    while (len > 0) {
        gsize n = MIN(len, (guint64)STREAM_READ_CHUNK);

        if (io->fd < 0) {
            if (!io->write(io, zeros, n, off, error))
                return FALSE;
        } else if (pwrite(io->fd, zeros, n, off) != (gssize)n) {
            mv_error_set_errno(error, errno ? errno : EIO, "cannot write to volume '%s'",
                               vs->vol->def->target.path);
            return FALSE;
        }
        off += n;
        len -= n;
    }
    return TRUE;
}

/* Write @n data items (consecutive) at @off. */
static gboolean
upload_write_data(VolStream *vs, GBytes **items, guint n, guint64 off, GError **error)
{
    struct iovec iov[STREAM_IOV_MAX];
    gsize total = 0;
    gsize done = 0;

    for (guint i = 0; i < n; i++) {
        iov[i].iov_base = (void *)g_bytes_get_data(items[i], &iov[i].iov_len);
        total += iov[i].iov_len;
    }
    if (vs->io->fd < 0) {
        for (guint i = 0; i < n; i++) {
            if (!vs->io->write(vs->io, iov[i].iov_base, iov[i].iov_len, off, error))
                return FALSE;
            off += iov[i].iov_len;
        }
        return TRUE;
    }
    while (done < total) {
        struct iovec *v = iov;
        guint cnt = n;
        gsize skip = done;
        gssize r;

        while (skip >= v->iov_len) {
            skip -= v->iov_len;
            v++;
            cnt--;
        }
        v->iov_base = (guint8 *)v->iov_base + skip;
        v->iov_len -= skip;
        r = pwritev(vs->io->fd, v, cnt, off + done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            mv_error_set_errno(error, r < 0 ? errno : EIO, "cannot write to volume '%s'",
                               vs->vol->def->target.path);
            return FALSE;
        }
        done += r;
        /* Rebase the iovecs on what is left. */
        for (guint i = 0; i < n; i++)
            iov[i].iov_base = (void *)g_bytes_get_data(items[i], &iov[i].iov_len);
    }
    return TRUE;
}

/* Take the next run of items: consecutive data, or one hole.  Caller holds
 * vs->lock.  Returns the number of items. */
static guint
upload_take_locked(VolStream *vs, GBytes **items, guint64 *ret_hole, gsize *ret_bytes)
{
    StreamItem *item = g_queue_peek_head(&vs->queue);
    guint n = 0;

    *ret_bytes = 0;
    if (!item->data) {
        *ret_hole = item->hole;
        stream_item_free(g_queue_pop_head(&vs->queue));
        return 0;
    }
    while ((item = g_queue_peek_head(&vs->queue)) && item->data && n < STREAM_IOV_MAX) {
        item = g_queue_pop_head(&vs->queue);
        *ret_bytes += g_bytes_get_size(item->data);
        items[n++] = g_steal_pointer(&item->data);
        stream_item_free(item);
    }
    return n;
}

/* Called without vs->lock: less queued, maybe read the client again. */
static void
upload_written(VolStream *vs, gsize bytes)
{
    g_mutex_lock(&vs->lock);
    vs->queued -= MIN(bytes, vs->queued);
    if (vs->paused && vs->queued < STREAM_QUEUE_LOW) {
        vs->paused = FALSE;
        mv_rpc_conn_resume(vol_stream_conn(vs));
    }
    g_mutex_unlock(&vs->lock);
}

/* The end of an upload: flush, publish the volume's new state, confirm. */
static void
upload_end(VolStream *vs, gboolean aborted)
{
    g_autoptr(GError) error = NULL;
    StoragePoolCtx ctx;

    g_mutex_lock(&vs->lock);
    if (vs->error)
        error = g_error_copy(vs->error);
    if (vs->paused) {
        vs->paused = FALSE;
        mv_rpc_conn_resume(vol_stream_conn(vs));
    }
    g_mutex_unlock(&vs->lock);
    /* NB: no fsync, as libvirt: the data are in the page cache. */
    if (!error && vs->io->finish)
        vs->io->finish(vs->io, &error);
    storage_pool_ctx_init(&ctx, vs->obj, vs->drv->job_timeout_ms);
    if (ctx.backend && ctx.backend->refresh_vol) {
        StorageVolDef *def = ctx.backend->refresh_vol(&ctx.bp, vs->vol->def, NULL);

        if (def) {
            g_autoptr(StorageVol) vol = storage_vol_new(def);

            g_mutex_lock(&vs->obj->lock);
            if (storage_pool_obj_find_vol_locked(vs->obj, def->name))
                storage_pool_obj_put_vol_locked(vs->obj, vol);
            g_mutex_unlock(&vs->obj->lock);
        }
    }
    storage_pool_ctx_clear(&ctx);
    vol_stream_release(vs);
    /* The client's finish, or its abort, is confirmed now that the volume
     * is free for its next call. */
    mv_server_stream_finish_done(vs->st, aborted ? NULL : error);
}

static gboolean
upload_job(gpointer data, GError **unused)
{
    VolStream *vs = data;
    guint64 off = vs->start;
    gboolean aborted;

    for (;;) {
        GBytes *items[STREAM_IOV_MAX];
        g_autoptr(GError) error = NULL;
        guint64 hole = 0;
        gsize bytes;
        guint n;

        g_mutex_lock(&vs->lock);
        while (!vs->aborted && !vs->error && g_queue_is_empty(&vs->queue) && !vs->finishing)
            g_cond_wait(&vs->cond, &vs->lock);
        if (vs->aborted || vs->error || g_queue_is_empty(&vs->queue)) {
            g_mutex_unlock(&vs->lock);
            break;
        }
        n = upload_take_locked(vs, items, &hole, &bytes);
        g_mutex_unlock(&vs->lock);
        if (n > 0 ? upload_write_data(vs, items, n, off, &error)
                  : upload_write_hole(vs, off, hole, &error)) {
            off += n > 0 ? bytes : hole;
        } else {
            g_warning("upload to volume '%s' failed: %s", vs->vol->def->name, error->message);
            g_mutex_lock(&vs->lock);
            vol_stream_fail_locked(vs, g_error_copy(error));
            g_mutex_unlock(&vs->lock);
            /* Tell the client now: it is still sending. */
            mv_server_stream_send_error(vs->st, error);
        }
        for (guint i = 0; i < n; i++)
            g_bytes_unref(items[i]);
        upload_written(vs, bytes);
    }
    g_mutex_lock(&vs->lock);
    aborted = vs->aborted;
    g_mutex_unlock(&vs->lock);
    upload_end(vs, aborted);
    /* The reference the upload call took for us. */
    mv_server_stream_unref(vs->st);
    return TRUE;
}

static void
stream_free(gpointer opaque)
{
    vol_stream_unref(opaque);
}

static const MvServerStreamOps upload_ops = {
    .recv = upload_recv,
    .hole = upload_hole,
    .abort = stream_abort,
    .free = stream_free,
    .finish_begin = upload_finish_begin,
};

/* ---- download -------------------------------------------------------------------- */

/* Send [off, end) of the volume's data. */
static gboolean
download_range(VolStream *vs, guint8 *buf, guint64 off, guint64 end, GError **error)
{
    while (off < end) {
        gsize want = MIN(end - off, (guint64)STREAM_READ_CHUNK);
        gssize n;

        if (vs->io->fd >= 0)
            n = pread(vs->io->fd, buf, want, off);
        else
            n = vs->io->read(vs->io, buf, want, off, error);
        if (n < 0 && vs->io->fd >= 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (vs->io->fd >= 0)
                mv_error_set_errno(error, errno, "cannot read volume '%s'",
                                   vs->vol->def->target.path);
            return FALSE;
        }
        if (n == 0)   /* the file shrank meanwhile */
            return TRUE;
        if (!mv_server_stream_send_data(vs->st, buf, n) ||
            !mv_server_stream_wait_writable(vs->st))
            return TRUE;  /* the client went away: nothing to report */
        off += n;
    }
    return TRUE;
}

/* Where the data after @off start and end (sparse downloads). */
static void
download_next_extent(VolStream *vs, guint64 off, guint64 end, guint64 *ret_data,
                     guint64 *ret_hole)
{
    off_t data;
    off_t hole;

    *ret_data = off;
    *ret_hole = end;
    if (!vs->sparse || vs->io->fd < 0 || vs->io->is_block)
        return;
    data = lseek(vs->io->fd, off, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO)
            *ret_data = end;   /* only a hole is left */
        return;
    }
    *ret_data = MIN((guint64)data, end);
    hole = lseek(vs->io->fd, *ret_data, SEEK_HOLE);
    if (hole >= 0)
        *ret_hole = MIN((guint64)hole, end);
}

static gboolean
download_job(gpointer data, GError **unused)
{
    VolStream *vs = data;
    g_autofree guint8 *buf = g_malloc(STREAM_READ_CHUNK);
    g_autoptr(GError) error = NULL;
    guint64 off = vs->start;
    gboolean ok = TRUE;

    while (ok && off < vs->end && !mv_server_stream_is_closed(vs->st)) {
        guint64 dstart, dend;

        download_next_extent(vs, off, vs->end, &dstart, &dend);
        if (dstart > off) {
            if (!mv_server_stream_send_hole(vs->st, dstart - off) ||
                !mv_server_stream_wait_writable(vs->st))
                break;
            off = dstart;
            continue;
        }
        ok = download_range(vs, buf, off, dend, &error);
        off = dend;
    }
    vol_stream_release(vs);
    if (!ok) {
        g_warning("download of volume '%s' failed: %s", vs->vol->def->name, error->message);
        mv_server_stream_send_error(vs->st, error);
    } else if (!mv_server_stream_is_closed(vs->st)) {
        mv_server_stream_send_eof(vs->st);
    }
    /* The reference download_start() took for us. */
    mv_server_stream_unref(vs->st);
    return TRUE;
}

static void
download_start(MvServerStream *st, gpointer opaque)
{
    VolStream *vs = opaque;

    /* NB: the reader uses the stream until it ends, even once the client
     * aborted it and the server forgot it: it holds a reference.  (The
     * VolStream cannot: the stream owns it.) */
    mv_server_stream_ref(st);
    storage_job_start(vs->drv, download_job, vol_stream_ref(vs),
                      (GDestroyNotify)vol_stream_unref);
}

static gboolean
download_finish(MvServerStream *st, gpointer opaque, GError **error)
{
    return TRUE;
}

static const MvServerStreamOps download_ops = {
    .abort = stream_abort,
    .start = download_start,
    .finish = download_finish,
    .free = stream_free,
};

/* ---- opening ------------------------------------------------------------------------ */

typedef struct {
    VolStream *vs;
    StoragePoolCtx ctx;
} StreamOpen;

static void
stream_open_free(StreamOpen *so)
{
    storage_pool_ctx_clear(&so->ctx);
    vol_stream_unref(so->vs);
    g_free(so);
}

static gboolean
stream_open_job(gpointer data, GError **error)
{
    StreamOpen *so = data;
    VolStream *vs = so->vs;
    const char *what = vs->write ? "upload" : "download";

    storage_pool_ctx_init(&so->ctx, vs->obj, vs->drv->job_timeout_ms);
    if (!so->ctx.backend || !so->ctx.backend->open_vol) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "storage pool doesn't support volume %s", what);
        return FALSE;
    }
    vs->io = so->ctx.backend->open_vol(&so->ctx.bp, vs->vol->def, vs->write, error);
    return vs->io != NULL;
}

/* libvirt's refusals: a volume being created cannot be read or written,
 * one in use cannot be written (an upload, a clone reading it...).  The
 * pool must not be stopping.  Caller holds lock. */
static gboolean
vol_stream_check_locked(StoragePoolObj *obj, const char *name, gboolean write, GError **error)
{
    if (!storage_pool_obj_check_usable_locked(obj, error))
        return FALSE;
    if (g_hash_table_contains(obj->creating, name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume '%s' is still being allocated.", name);
        return FALSE;
    }
    if (!storage_pool_obj_find_vol_locked(obj, name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", name);
        return FALSE;
    }
    if (write && storage_pool_obj_vol_in_use_locked(obj, name)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "volume '%s' is still in use.", name);
        return FALSE;
    }
    return TRUE;
}

/* A VolStream for @vol's volume, marked in use, opened. */
static VolStream *
vol_stream_open(MvServerCall *call, const remote_nonnull_storage_vol *vol, gboolean write,
                unsigned int flags, GError **error)
{
    StorageDriver *drv = storage_dispatch_drv(call);
    g_autoptr(StoragePoolObj) obj = NULL;
    VolStream *vs;
    StreamOpen *so;
    gboolean ok;

    if (!storage_dispatch_check_flags(write ? "virStorageVolUpload" : "virStorageVolDownload",
                                      flags, STORAGE_VOL_STREAM_SPARSE, error) ||
        !(obj = storage_dispatch_get_vol_pool(drv, vol, error)))
        return NULL;
    vs = g_new0(VolStream, 1);
    vs->ref = 1;
    vs->drv = drv;
    vs->write = write;
    vs->sparse = !!(flags & STORAGE_VOL_STREAM_SPARSE);
    g_mutex_init(&vs->lock);
    g_cond_init(&vs->cond);
    g_queue_init(&vs->queue);
    g_mutex_lock(&obj->lock);
    ok = vol_stream_check_locked(obj, vol->name, write, error);
    if (ok)
        vs->vol = storage_pool_obj_find_vol_locked(obj, vol->name);
    if (ok) {
        storage_vol_ref(vs->vol);
        storage_pool_obj_vol_use_locked(obj, vol->name);
        obj->vol_jobs++;
        vs->obj = storage_pool_obj_ref(obj);
    }
    g_mutex_unlock(&obj->lock);
    if (!ok) {
        g_mutex_clear(&vs->lock);
        g_cond_clear(&vs->cond);
        g_free(vs);
        return NULL;
    }
    so = g_new0(StreamOpen, 1);
    so->vs = vol_stream_ref(vs);
    if (!storage_job_run(drv, "opening the volume", stream_open_job, so,
                         (GDestroyNotify)stream_open_free, drv->job_timeout_ms, error)) {
        vol_stream_unref(vs);
        return NULL;
    }
    return vs;
}

int
remote_dispatch_storage_vol_upload(MvServerCall *call, remote_storage_vol_upload_args *args,
                                   GError **error)
{
    VolStream *vs = vol_stream_open(call, &args->vol, TRUE, args->flags, error);

    if (!vs)
        return -1;
    if (vs->io->is_block && (args->offset > vs->io->size ||
                             (args->length && args->length > vs->io->size - args->offset))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "upload of %" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
                     " does not fit volume '%s'", args->length, args->offset, args->vol.name);
        vol_stream_unref(vs);
        return -1;
    }
    vs->start = vs->offset = args->offset;
    vs->end = args->length ? args->offset + args->length : 0;
    vs->st = mv_server_call_open_stream(call, &upload_ops, vs, vs->sparse);
    /* The stream owns the first reference to @vs; the writer holds one,
     * and one to the stream (see download_start()). */
    mv_server_stream_ref(vs->st);
    storage_job_start(vs->drv, upload_job, vol_stream_ref(vs),
                      (GDestroyNotify)vol_stream_unref);
    return 0;
}

int
remote_dispatch_storage_vol_download(MvServerCall *call,
                                     remote_storage_vol_download_args *args, GError **error)
{
    VolStream *vs = vol_stream_open(call, &args->vol, FALSE, args->flags, error);

    if (!vs)
        return -1;
    vs->start = MIN(args->offset, vs->io->size);
    vs->end = args->length ? MIN(args->offset + args->length, vs->io->size) : vs->io->size;
    vs->end = MAX(vs->end, vs->start);
    vs->st = mv_server_call_open_stream(call, &download_ops, vs, vs->sparse);
    return 0;
}
