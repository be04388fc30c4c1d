/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-file.h: volumes that are local files (dir and fs pools) or block
 * devices: describing them (with a look at their headers), creating,
 * cloning, resizing, wiping, deleting and opening them.
 *
 * Image headers are read here (qcow2's virtual size, backing store,
 * compat level, cluster size...) instead of asking qemu-img: a pool of
 * 1,000 images refreshes in a few milliseconds.  Images are written by
 * QEMU's code only (storage-qcow2.h, qemu-img convert).
 */
#pragma once

#include <glib.h>

#include "drivers/storage/storage-backend.h"

/* Files of ours in a pool's directory, while we write them (a wiped qcow2
 * image before it replaces the volume): never volumes. */
#define STORAGE_FILE_TEMP_PREFIX ".mvtmp-"

/*
 * Describe @name in the directory @dirfd (whose path is @dir) as a volume.
 * NULL without @error set for what is not a volume (a socket, a fifo, a
 * dangling link, a file that went away).
 */
StorageVolDef *storage_file_probe(int dirfd, const char *dir, const char *name, GError **error);
/* The same for one path (a volume after a change, a backing store). */
StorageVolDef *storage_file_probe_path(const char *path, GError **error);

/* The pool's sizes from statvfs() of @path. */
gboolean storage_file_pool_sizes(const char *path, guint64 *ret_capacity,
                                 guint64 *ret_allocation, guint64 *ret_available,
                                 GError **error);

/* Backend operations for files in the pool's target directory. */
gboolean storage_file_create_vol(StorageBackendPool *pool, StorageVolDef *vol,
                                 unsigned int flags, GError **error);
gboolean storage_file_clone_vol(StorageBackendPool *pool, StorageVolDef *vol,
                                const StoragePoolDef *src_pool, const StorageVolDef *src,
                                unsigned int flags, GError **error);
gboolean storage_file_delete_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                                 unsigned int flags, GError **error);
gboolean storage_file_resize_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                                 guint64 capacity, unsigned int flags, GError **error);
/* Also for block devices (logical volumes). */
gboolean storage_file_wipe_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                               StorageVolWipeAlgorithm algorithm, unsigned int flags,
                               GError **error);
StorageVolDef *storage_file_refresh_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                                        GError **error);
/* Also for block devices. */
StorageVolIO *storage_file_open_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                                    gboolean write, GError **error);
