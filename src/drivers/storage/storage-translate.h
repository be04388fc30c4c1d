/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-translate.h: turning a <disk type='volume'> source (pool, volume,
 * mode) into the source QEMU opens: a file, a block device, or an iSCSI
 * network source.  Served to mvqemud by mvstoraged as TRANSLATE_VOLUME
 * (src/remote/translate-protocol.x), on mvstoraged's own sockets only.
 *
 * The translation is a pure function of the pool's definition, whether it
 * is active, and the volume: it changes none of them, and keeps nothing.
 * mvqemud keeps the answer in runtime state only and asks again at every
 * start and reconnect; asking twice gives the same answer (a runtime
 * detail written back into a definition is what made libvirt kill guests
 * at daemon restart, rhbz#1658504).
 *
 *   dir, fs          file (the volume's path and format)
 *   logical          block
 *   iscsi            mode host (the default): block, the LUN's device;
 *                    mode direct: network, QEMU's own iSCSI client
 *   iscsi-direct     network: the pool's one host (port 3260 by default),
 *                    target = the pool's source device, lun = the last
 *                    ':' token of the volume name, the initiator IQN and
 *                    the CHAP user and secret of the pool
 *
 * A mode is only valid for iscsi pools.
 */
#pragma once

#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-vol-conf.h"
#include "util/enum.h"

/* The wire's mode numbers (translate_translate_volume_args.mode), which
 * are libvirt's <source mode=> values. */
typedef enum {
    STORAGE_TRANSLATE_MODE_DEFAULT = 0,
    STORAGE_TRANSLATE_MODE_HOST,
    STORAGE_TRANSLATE_MODE_DIRECT,
    STORAGE_TRANSLATE_MODE_LAST
} StorageTranslateMode;
MV_ENUM_DECL(storage_translate_mode);

/* The wire's source types (translate_translate_volume_ret.type). */
typedef enum {
    STORAGE_TRANSLATE_FILE = 0,
    STORAGE_TRANSLATE_BLOCK,
    STORAGE_TRANSLATE_NETWORK,
    STORAGE_TRANSLATE_LAST
} StorageTranslateType;
MV_ENUM_DECL(storage_translate_type);

typedef struct {
    StorageTranslateType type;
    char *path;                 /* file, block */
    char *protocol;             /* network: "iscsi" */
    char *host;                 /* network: the portal's host (IPv6 without brackets) */
    guint port;
    char *target;               /* the target IQN */
    guint lun;
    char *initiator;            /* initiator IQN, or NULL */
    char *auth_user;            /* CHAP user, or NULL */
    char *auth_secret_usage;    /* the secret, by usage ... */
    char *auth_secret_uuid;     /* ... or by UUID (string) */
    char *pool_type;            /* "dir", "iscsi-direct"... */
    char *format;               /* the volume's format ("qcow2"), or NULL */
} StorageTranslation;

void storage_translation_free(StorageTranslation *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageTranslation, storage_translation_free)

/**
 * storage_translate_volume:
 * @pool: the pool's definition (the live one while it is active)
 * @active: whether the pool is active
 * @vol: the volume (NULL only when the pool is inactive)
 * @vol_name: the volume's name as asked (for messages)
 * @mode: a StorageTranslateMode value as received
 * @error: return location
 *
 * Returns: a new translation, or NULL with @error set: CONFIG_UNSUPPORTED
 * for an inactive pool and for pool types without volume disks, XML_ERROR
 * (from DOMAIN) for a mode on a pool that is not iscsi, INVALID_ARG for an
 * unknown mode.
 */
StorageTranslation *storage_translate_volume(const StoragePoolDef *pool, gboolean active,
                                             const StorageVolDef *vol, const char *vol_name,
                                             int mode, GError **error);
