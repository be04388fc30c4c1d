/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend.h: what a storage pool type implements.
 *
 * One StorageBackend per pool type (dir, fs, logical, iscsi, iscsi-direct).
 * The driver (storage-pool-obj.c, storage-dispatch-*.c) owns the pool
 * objects, their locks, jobs, persistence and events; a backend only does
 * the work on the host, and never sees a lock or a client.
 *
 * Threads and time.  Every backend operation runs on a storage job thread,
 * never on the RPC I/O thread, and may block.  Each gets a deadline
 * (StorageBackendPool.deadline, monotonic microseconds as from
 * g_get_monotonic_time(); 0 = none): a backend should pass it on to what
 * can hang (storage_command_run() kills a child at the deadline; a libiscsi
 * event loop should poll with it) and fail with MV_ERR_OPERATION_TIMEOUT
 * when it passes.  If an operation overruns anyway the driver stops waiting
 * for it (the client gets a timeout error and the pool is marked), and the
 * thread is left to finish; its late result is applied or dropped by the
 * driver.  So an operation must stay correct when it finishes late, and
 * must not keep pointers into @pool beyond its return.
 *
 * Several operations can run at the same time on one pool (a refresh while
 * a volume is created, two uploads...), never two pool-level state changes
 * (build/start/stop/delete): the driver serialises those.  Per-pool data
 * (@pool->priv) must be safe to use from several threads.
 *
 * Errors.  Operations return FALSE/NULL with @error set, in libvirt's terms
 * (MV_FROM_STORAGE and the MvErrorCode libvirt would use; system errors
 * with mv_error_set_errno()).  An operation a backend cannot do at all is
 * left NULL: the driver answers MV_ERR_NO_SUPPORT with libvirt's message
 * for it ("storage pool does not support volume creation"...).  An
 * operation it can do only in some cases (a flag, a format) fails with
 * MV_ERR_NO_SUPPORT or MV_ERR_ARGUMENT_UNSUPPORTED and says why.  Never a
 * wrong result instead.
 *
 * Volumes are described by StorageVolDef (conf/storage-vol-conf.h): name,
 * key (unique host wide: the path for local files), type, capacity,
 * allocation, physical, target path, format, permissions, backing store.
 * storage_vol_def_format() prints that as the volume XML.
 */
#pragma once

#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-vol-conf.h"

/* ---- libvirt's flag values (they cross the wire) ---------------------- */

/* virStoragePoolBuildFlags */
enum {
    STORAGE_POOL_BUILD_NEW = 0,
    STORAGE_POOL_BUILD_REPAIR = 1 << 0,
    STORAGE_POOL_BUILD_RESIZE = 1 << 1,
    STORAGE_POOL_BUILD_NO_OVERWRITE = 1 << 2,
    STORAGE_POOL_BUILD_OVERWRITE = 1 << 3,
};

/* virStoragePoolCreateFlags */
enum {
    STORAGE_POOL_CREATE_WITH_BUILD = 1 << 0,
    STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE = 1 << 1,
    STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 1 << 2,
};

/* virStoragePoolDeleteFlags */
enum {
    STORAGE_POOL_DELETE_NORMAL = 0,
    STORAGE_POOL_DELETE_ZEROED = 1 << 0,
};

/* virStorageVolCreateFlags */
enum {
    STORAGE_VOL_CREATE_PREALLOC_METADATA = 1 << 0,
    STORAGE_VOL_CREATE_REFLINK = 1 << 1,
    STORAGE_VOL_CREATE_VALIDATE = 1 << 2,
};

/* virStorageVolDeleteFlags */
enum {
    STORAGE_VOL_DELETE_NORMAL = 0,
    STORAGE_VOL_DELETE_ZEROED = 1 << 0,
    STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 1 << 1,
};

/* virStorageVolResizeFlags */
enum {
    STORAGE_VOL_RESIZE_ALLOCATE = 1 << 0,
    STORAGE_VOL_RESIZE_DELTA = 1 << 1,
    STORAGE_VOL_RESIZE_SHRINK = 1 << 2,
};

/* virStorageVolWipeAlgorithm */
typedef enum {
    STORAGE_VOL_WIPE_ALG_ZERO = 0,
    STORAGE_VOL_WIPE_ALG_NNSA,
    STORAGE_VOL_WIPE_ALG_DOD,
    STORAGE_VOL_WIPE_ALG_BSI,
    STORAGE_VOL_WIPE_ALG_GUTMANN,
    STORAGE_VOL_WIPE_ALG_SCHNEIER,
    STORAGE_VOL_WIPE_ALG_PFITZNER7,
    STORAGE_VOL_WIPE_ALG_PFITZNER33,
    STORAGE_VOL_WIPE_ALG_RANDOM,
    STORAGE_VOL_WIPE_ALG_TRIM,
    STORAGE_VOL_WIPE_ALG_LAST
} StorageVolWipeAlgorithm;

/* virStorageVol{Upload,Download}Flags */
enum {
    STORAGE_VOL_STREAM_SPARSE = 1 << 0,
};

/* ---- what an operation works on -------------------------------------- */

typedef struct _StorageBackendPool StorageBackendPool;
typedef struct _StorageQcow2 StorageQcow2;
struct _StorageBackendPool {
    /* The pool's definition (borrowed, unchanged during the operation). */
    const StoragePoolDef *def;
    /* Give up by then (monotonic µs); 0: no limit. */
    gint64 deadline;
    /* Without a deadline (work as long as its data: clone, wipe), the bound
     * of each step that is not the data (the qcow2 helper), in ms. */
    guint step_timeout_ms;
    /* A runtime directory of this pool's own (created by the driver):
     * <run_dir>/pools/<name>.d.  For mount points, helper sockets... */
    const char *run_dir;
    /* The backend's per-pool data while the pool is active: set by start()
     * (and check() when it finds the pool active), given to every later
     * operation, released with free_priv() after stop() or when the pool
     * goes away.  NULL when the backend keeps none. */
    gpointer priv;
    /* The driver's qcow2 helper (storage-qcow2.h), for file backends. */
    StorageQcow2 *qcow2;
    /* Where secret values live, for the CHAP passwords of iSCSI pools
     * (storage-iscsi.h): <config_dir>/secrets, the modvirt config directory
     * (MvPaths.config_dir), not the driver's.  NULL: no secrets. */
    const char *secrets_dir;
};

/* What refresh() found. */
typedef struct {
    GPtrArray *vols;        /* StorageVolDef, owned, in any order */
    guint64 capacity;       /* bytes */
    guint64 allocation;
    guint64 available;
    /* The target directory's mode and owner as found (libvirt shows them
     * in the live pool XML); unset (-1) when the pool has no directory. */
    StoragePerms target_perms;
} StorageRefreshResult;

StorageRefreshResult *storage_refresh_result_new(void);
void storage_refresh_result_free(StorageRefreshResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageRefreshResult, storage_refresh_result_free)

/*
 * An open volume, for upload (write) and download (read) streams.
 *
 * A backend whose volumes are local files or block devices returns an fd
 * (storage_vol_io_new_fd()): the stream code then reads with pread(),
 * finds holes with SEEK_DATA/SEEK_HOLE, writes with pwrite() and punches
 * holes with fallocate().  Other backends (iscsi-direct) leave fd at -1
 * and provide read/write instead; holes are then written as zeros.
 */
typedef struct _StorageVolIO StorageVolIO;
struct _StorageVolIO {
    int fd;                 /* -1: use read/write */
    guint64 size;           /* the volume's size in bytes: where a download ends */
    gboolean is_block;      /* a block device: no holes to seek, writes must not extend */
    /* Read up to @len bytes at @offset; 0 at the end.  -1 with @error. */
    gssize (*read)(StorageVolIO *io, void *buf, gsize len, guint64 offset, GError **error);
    /* Write all of @len bytes at @offset.  FALSE with @error. */
    gboolean (*write)(StorageVolIO *io, const void *buf, gsize len, guint64 offset,
                      GError **error);
    /* After the last write of an upload (flush...); optional. */
    gboolean (*finish)(StorageVolIO *io, GError **error);
    /* Release priv (the fd is closed by storage_vol_io_free()); optional. */
    void (*free_priv)(gpointer priv);
    gpointer priv;
};

/* Takes ownership of @fd. */
StorageVolIO *storage_vol_io_new_fd(int fd, guint64 size, gboolean is_block);
void storage_vol_io_free(StorageVolIO *io);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageVolIO, storage_vol_io_free)

/* ---- the backend ------------------------------------------------------ */

typedef struct _StorageBackend StorageBackend;
struct _StorageBackend {
    StoragePoolType type;

    /*
     * At daemon start, for a pool that was active before: is it still?
     * (a mount still mounted, a session still logged in...).  Sets
     * *ret_active, and @pool->priv when it keeps per-pool data.  Optional:
     * without it the pool is started again with start().
     */
    gboolean (*check)(StorageBackendPool *pool, gboolean *ret_active, GError **error);
    /* pool-build: STORAGE_POOL_BUILD_* flags.  Optional (then a no-op). */
    gboolean (*build)(StorageBackendPool *pool, unsigned int flags, GError **error);
    /* pool-start, before the first refresh.  Optional. */
    gboolean (*start)(StorageBackendPool *pool, GError **error);
    /* pool-destroy.  Optional. */
    gboolean (*stop)(StorageBackendPool *pool, GError **error);
    /* pool-delete (the pool is inactive): STORAGE_POOL_DELETE_* flags. */
    gboolean (*delete_pool)(StorageBackendPool *pool, unsigned int flags, GError **error);
    /* List the volumes and the pool's sizes.  Required. */
    StorageRefreshResult *(*refresh)(StorageBackendPool *pool, GError **error);
    void (*free_priv)(gpointer priv);

    /*
     * Create the volume @vol describes (parsed and validated, name checked
     * unique in the pool): fill in its target path, key and type, create
     * it, and fill in what it now is (sizes, format...), or leave that to
     * refresh_vol().  STORAGE_VOL_CREATE_* flags.  Nothing may be left
     * behind on failure.
     */
    gboolean (*create_vol)(StorageBackendPool *pool, StorageVolDef *vol, unsigned int flags,
                           GError **error);
    /*
     * Create @vol (as for create_vol) holding the content of @src, a
     * volume of @src_pool (this pool or another, of any type), converting
     * the format if they differ.  The driver keeps @src from being deleted
     * or written meanwhile.
     */
    gboolean (*clone_vol)(StorageBackendPool *pool, StorageVolDef *vol,
                          const StoragePoolDef *src_pool, const StorageVolDef *src,
                          unsigned int flags, GError **error);
    gboolean (*delete_vol)(StorageBackendPool *pool, const StorageVolDef *vol,
                           unsigned int flags, GError **error);
    /* New capacity in bytes (DELTA already applied by the driver, which
     * also checked SHRINK); STORAGE_VOL_RESIZE_ALLOCATE may be set. */
    gboolean (*resize_vol)(StorageBackendPool *pool, const StorageVolDef *vol,
                           guint64 capacity, unsigned int flags, GError **error);
    gboolean (*wipe_vol)(StorageBackendPool *pool, const StorageVolDef *vol,
                         StorageVolWipeAlgorithm algorithm, unsigned int flags, GError **error);
    /* The volume as it is now (after a change): a new def.  Optional: the
     * driver then keeps what it knew until the next pool refresh. */
    StorageVolDef *(*refresh_vol)(StorageBackendPool *pool, const StorageVolDef *vol,
                                  GError **error);
    /* Open for an upload (@write) or a download. */
    StorageVolIO *(*open_vol)(StorageBackendPool *pool, const StorageVolDef *vol,
                              gboolean write, GError **error);

    /*
     * find-storage-pool-sources: the sources of pools of this type that
     * the host, or the place @pool's source names (an iSCSI portal), has
     * to offer.  @pool->def is no pool: its name is NULL and only its
     * source is set, from the caller's <source>; it is NULL when none was
     * given, or when the backend does not take one
     * (!find_sources_takes_source: not even parsed, as in libvirt).
     * @pool->priv and run_dir are NULL.  Returns StoragePoolDef (their
     * sources only), possibly none.  Optional: without it the driver
     * answers libvirt's "does not support source discovery".
     */
    GPtrArray *(*find_sources)(StorageBackendPool *pool, GError **error);
    gboolean find_sources_takes_source;
};

/* The backend of pools of @type, or NULL when modvirt has none (built in). */
const StorageBackend *storage_backend_for_type(StoragePoolType type);

/* The backends (each in its own storage-backend-*.c). */
extern const StorageBackend storage_backend_dir;
extern const StorageBackend storage_backend_fs;
extern const StorageBackend storage_backend_logical;
extern const StorageBackend storage_backend_iscsi;
extern const StorageBackend storage_backend_iscsi_direct;

/* ---- helpers for backends (storage-backend.c) ------------------------- */

/* Milliseconds left before @deadline (at least 1 while it is in the
 * future), 0 when it has passed, -1 for no deadline. */
int storage_deadline_remaining_ms(gint64 deadline);
/* FALSE with MV_ERR_OPERATION_TIMEOUT naming @what when @deadline passed. */
gboolean storage_deadline_check(gint64 deadline, const char *what, GError **error);
/* A path to the open file @fd of this process, for the programs it
 * starts: they open that file, whatever its name points to by then. */
char *storage_fd_path(int fd);
/* The deadline of a step of @pool's operation that starts now: the
 * operation's, or step_timeout_ms from now when it has none. */
gint64 storage_backend_step_deadline(const StorageBackendPool *pool);

/*
 * Run a program and wait for it: @argv[0] is a path or a name looked up
 * in PATH; @input (may be NULL) goes to its stdin.  At @deadline the child
 * is killed (SIGKILL) and the call fails with MV_ERR_OPERATION_TIMEOUT.
 *
 * With @ret_status NULL a non-zero exit is an error in libvirt's words:
 * "Child process (ARGV) unexpected exit status N: STDERR"
 * (MV_ERR_INTERNAL_ERROR); otherwise the exit status (or 128 + signal) is
 * stored and the call succeeds.  @ret_out (may be NULL) gets stdout,
 * @ret_err (may be NULL) stderr.
 */
gboolean storage_command_run(const char *const *argv, const char *input, gint64 deadline,
                             char **ret_out, char **ret_err, int *ret_status, GError **error);
/* The full path of program @name found in PATH (and /sbin, /usr/sbin),
 * or NULL. */
char *storage_command_find(const char *name);
