/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-translate.c: the volume translation itself, a pure function (the
 * RPC glue is storage-translate-dispatch.c).
 */
#include <config.h>

#include <glib.h>

#include "drivers/storage/storage-iscsi.h"
#include "drivers/storage/storage-translate.h"
#include "util/error.h"
#include "util/macros.h"
#include "util/uuid.h"

MV_ENUM_IMPL(storage_translate_mode, STORAGE_TRANSLATE_MODE_LAST,
             "default", "host", "direct")

MV_ENUM_IMPL(storage_translate_type, STORAGE_TRANSLATE_LAST,
             "file", "block", "network")

void
storage_translation_free(StorageTranslation *t)
{
    if (!t)
        return;
    g_free(t->path);
    g_free(t->protocol);
    g_free(t->host);
    g_free(t->target);
    g_free(t->initiator);
    g_free(t->auth_user);
    g_free(t->auth_secret_usage);
    g_free(t->auth_secret_uuid);
    g_free(t->pool_type);
    g_free(t->format);
    g_free(t);
}

/* A volume on the host: a file or a block device at its path. */
static gboolean
storage_translate_local(const StoragePoolDef *pool, const StorageVolDef *vol,
                        StorageTranslation *t, GError **error)
{
    const char *format;

    switch (vol->type) {
    case STORAGE_VOL_FILE:
    case STORAGE_VOL_DIR:
        t->type = STORAGE_TRANSLATE_FILE;
        break;
    case STORAGE_VOL_BLOCK:
        t->type = STORAGE_TRANSLATE_BLOCK;
        break;
    case STORAGE_VOL_NETWORK:
    case STORAGE_VOL_NETDIR:
    case STORAGE_VOL_PLOOP:
    case STORAGE_VOL_LAST:
    default:
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "unexpected type '%s' of storage volume '%s' in pool '%s'",
                     storage_vol_type_to_string(vol->type), vol->name, pool->name);
        return FALSE;
    }
    if (!vol->target.path) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "storage volume '%s' in pool '%s' has no path", vol->name, pool->name);
        return FALSE;
    }
    t->path = g_strdup(vol->target.path);
    format = vol->target.format >= 0 ? storage_vol_format_to_string(pool, vol->target.format)
                                     : NULL;
    t->format = g_strdup(format);
    return TRUE;
}

/* QEMU's own iSCSI client: everything comes from the pool, the LUN from
 * the volume's name. */
static gboolean
storage_translate_iscsi_network(const StoragePoolDef *pool, const StorageVolDef *vol,
                                StorageTranslation *t, GError **error)
{
    const StoragePoolAuth *auth = pool->source.auth;
    const char *target = storage_iscsi_target(pool);

    if (!storage_iscsi_portal(pool, &t->host, &t->port, error))
        return FALSE;
    if (!target) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool '%s' needs exactly one source device (the target IQN)",
                     pool->name);
        return FALSE;
    }
    if (!storage_iscsi_vol_name_lun(vol->name, &t->lun)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "storage volume name '%s' in pool '%s' names no LUN", vol->name,
                     pool->name);
        return FALSE;
    }
    t->type = STORAGE_TRANSLATE_NETWORK;
    t->protocol = g_strdup("iscsi");
    t->target = g_strdup(target);
    t->initiator = g_strdup(pool->source.initiator_iqn);
    if (auth && auth->type == STORAGE_AUTH_CHAP) {
        char buf[37];

        t->auth_user = g_strdup(auth->username);
        if (auth->has_secret_uuid)
            t->auth_secret_uuid = g_strdup(mv_uuid_format(auth->secret_uuid, buf));
        else
            t->auth_secret_usage = g_strdup(auth->secret_usage);
    }
    return TRUE;
}

static gboolean
storage_translate_check_mode(const StoragePoolDef *pool, int mode, GError **error)
{
    if (mode < 0 || mode >= STORAGE_TRANSLATE_MODE_LAST) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unknown disk source mode %d", mode);
        return FALSE;
    }
    if (mode != STORAGE_TRANSLATE_MODE_DEFAULT && pool->type != STORAGE_POOL_ISCSI) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "disk source mode '%s' is only valid when storage pool is of iscsi type, "
                     "not '%s'", storage_translate_mode_to_string(mode),
                     storage_pool_type_to_string(pool->type));
        return FALSE;
    }
    return TRUE;
}

StorageTranslation *
storage_translate_volume(const StoragePoolDef *pool, gboolean active, const StorageVolDef *vol,
                         const char *vol_name, int mode, GError **error)
{
    g_autoptr(StorageTranslation) t = g_new0(StorageTranslation, 1);
    gboolean ok = FALSE;

    if (!active) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool '%s' containing volume '%s' is not active", pool->name,
                     vol_name);
        return NULL;
    }
    g_return_val_if_fail(vol != NULL, NULL);
    if (!storage_translate_check_mode(pool, mode, error))
        return NULL;
    t->pool_type = g_strdup(storage_pool_type_to_string(pool->type));
    switch (pool->type) {
    case STORAGE_POOL_DIR:
    case STORAGE_POOL_FS:
    case STORAGE_POOL_NETFS:
    case STORAGE_POOL_LOGICAL:
    case STORAGE_POOL_DISK:
        ok = storage_translate_local(pool, vol, t, error);
        break;
    case STORAGE_POOL_ISCSI:
        if (mode == STORAGE_TRANSLATE_MODE_DIRECT)
            ok = storage_translate_iscsi_network(pool, vol, t, error);
        else
            ok = storage_translate_local(pool, vol, t, error);
        break;
    case STORAGE_POOL_ISCSI_DIRECT:
        ok = storage_translate_iscsi_network(pool, vol, t, error);
        break;
    case STORAGE_POOL_SCSI:
    case STORAGE_POOL_MPATH:
    case STORAGE_POOL_RBD:
    case STORAGE_POOL_SHEEPDOG:
    case STORAGE_POOL_GLUSTER:
    case STORAGE_POOL_ZFS:
    case STORAGE_POOL_VSTORAGE:
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "using '%s' pools for backing 'volume' disks isn't yet supported",
                     storage_pool_type_to_string(pool->type));
        break;
    case STORAGE_POOL_LAST:
    default:
        mv_enum_range_error(pool->type);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "unexpected storage pool type %d", (int)pool->type);
        break;
    }
    if (!ok)
        return NULL;
    return g_steal_pointer(&t);
}
