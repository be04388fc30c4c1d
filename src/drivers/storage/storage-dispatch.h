/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-dispatch.h: what the storage driver's RPC handlers share.
 */
#pragma once

#include <glib.h>

#include "drivers/storage/storage-driver.h"
#include "remote-dispatch-protos.h"

StorageDriver *storage_dispatch_drv(MvServerCall *call);
/*
 * Run first by every storage procedure (gen-dispatch.py --gate): while the
 * daemon's start still brings pools back, a call would see an active pool
 * as inactive, so it waits for them (on a worker: an inline call is handed
 * over), until STORAGE_RESTORE_WAIT_MS after the start at most, then goes on
 * with what there is.
 */
int storage_dispatch_gate(MvServerCall *call, GError **error);
/* The pool of a handle (by uuid): a new reference, or NULL with
 * NO_STORAGE_POOL. */
StoragePoolObj *storage_dispatch_get_pool(StorageDriver *drv,
                                          const remote_nonnull_storage_pool *pool,
                                          GError **error);
void storage_dispatch_make_pool(StoragePoolObj *obj, remote_nonnull_storage_pool *ret);
/* The pool of a volume handle (by name), which must be active. */
StoragePoolObj *storage_dispatch_get_vol_pool(StorageDriver *drv,
                                              const remote_nonnull_storage_vol *vol,
                                              GError **error);
/* The volume of a handle in its (active) pool: new references to both. */
StorageVol *storage_dispatch_get_vol(StorageDriver *drv, const remote_nonnull_storage_vol *vol,
                                     StoragePoolObj **ret_pool, GError **error);
void storage_dispatch_make_vol(const char *pool_name, const StorageVolDef *def,
                               remote_nonnull_storage_vol *ret);
/* INVALID_ARG "unsupported flags (0x%x) in function @api" for bits not in
 * @allowed. */
gboolean storage_dispatch_check_flags(const char *api, unsigned int flags, unsigned int allowed,
                                      GError **error);
/* NO_SUPPORT with @what ("volume creation") when the backend lacks it. */
gboolean storage_dispatch_check_op(const void *op, const char *message, GError **error);
