/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-qcow2.h: creating and resizing qcow2 images with QEMU's own code,
 * without a fork per image.
 *
 * One qemu-storage-daemon per mvstoraged, started on first use and talked
 * to over QMP on a socketpair: an image is written by a blockdev-create
 * job (about 2 ms), where forking qemu-img costs its whole start-up each
 * time (about 7-10 ms).  Operations are serialised; each has a deadline,
 * and a helper that misses one (storage that stopped answering) is killed
 * and replaced, so one hung pool costs the others a restart at most.
 * Without qemu-storage-daemon, or when told to, qemu-img is forked instead.
 */
#pragma once

#include <glib.h>

#include "drivers/storage/storage-backend.h"

typedef struct {
    guint64 size;                /* bytes */
    const char *compat;          /* "0.10" or "1.1"; NULL: 1.1 */
    guint64 cluster_size;        /* bytes; 0: QEMU's default */
    gboolean lazy_refcounts;
    gboolean extended_l2;
    gboolean prealloc_metadata;
    const char *backing_path;    /* NULL: no backing store */
    const char *backing_format;  /* "raw", "qcow2"...; NULL: not recorded */
} StorageQcow2Opts;

typedef enum {
    STORAGE_QCOW2_AUTO = 0,      /* the helper, qemu-img if it cannot run */
    STORAGE_QCOW2_HELPER,        /* the helper only */
    STORAGE_QCOW2_QEMU_IMG,      /* fork qemu-img each time */
} StorageQcow2Mode;

/* @run_dir: where the helper may keep files.  Starts nothing yet. */
StorageQcow2 *storage_qcow2_new(const char *run_dir);
/* Stops the helper. */
void storage_qcow2_free(StorageQcow2 *q);
/* Stops the helper and keeps the rest: a call still running fails, a
 * later one starts a new helper. */
void storage_qcow2_stop(StorageQcow2 *q);
void storage_qcow2_set_mode(StorageQcow2 *q, StorageQcow2Mode mode);

/* Write a qcow2 image into @path, an existing (empty) file. */
gboolean storage_qcow2_create(StorageQcow2 *q, const char *path, const StorageQcow2Opts *opts,
                              gint64 deadline, GError **error);
/* Change the virtual size of the qcow2 image @path (shrinking included). */
gboolean storage_qcow2_resize(StorageQcow2 *q, const char *path, guint64 size,
                              gint64 deadline, GError **error);
/* The same for the file open as @fd (QEMU opens /proc/<our pid>/fd/<fd>:
 * that file, even if its name @path, used in messages, now points
 * elsewhere). */
gboolean storage_qcow2_create_fd(StorageQcow2 *q, int fd, const char *path,
                                 const StorageQcow2Opts *opts, gint64 deadline,
                                 GError **error);
gboolean storage_qcow2_resize_fd(StorageQcow2 *q, int fd, const char *path, guint64 size,
                                 gint64 deadline, GError **error);
/* The helper's pid, 0 when none runs (tests). */
int storage_qcow2_helper_pid(StorageQcow2 *q);
