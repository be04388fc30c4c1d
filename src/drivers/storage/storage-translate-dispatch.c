/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-translate-dispatch.c: TRANSLATE_VOLUME, the private program
 * mvqemud calls on mvstoraged's own sockets (never routed by the proxy).
 * The table is generated (translate-dispatch-storage.c); the daemon main
 * adds it to mvstoraged's server from storage_translate_programs.
 */
#include <config.h>

#include <glib.h>

#include "drivers/storage/storage-driver.h"
#include "drivers/storage/storage-translate.h"
#include "translate-dispatch-protos.h"
#include "util/error.h"

/* Shorter than mvqemud's call timeout, so that it hears why. */
#define TRANSLATE_REFRESH_WAIT_MS 5000

extern const MvServerProgram translate_program_storage;

const MvServerProgram *const storage_translate_programs[] = {
    &translate_program_storage,
    NULL,
};

static translate_string
translate_string_new(const char *str)
{
    translate_string s;

    if (!str)
        return NULL;
    s = g_new0(char *, 1);
    *s = g_strdup(str);
    return s;
}

static void
translate_fill_ret(const StorageTranslation *t, translate_translate_volume_ret *ret)
{
    ret->type = t->type;
    ret->path = translate_string_new(t->path);
    ret->protocol = translate_string_new(t->protocol);
    ret->host = translate_string_new(t->host);
    ret->port = t->port;
    ret->target = translate_string_new(t->target);
    ret->lun = t->lun;
    ret->initiator = translate_string_new(t->initiator);
    ret->auth_user = translate_string_new(t->auth_user);
    ret->auth_secret_usage = translate_string_new(t->auth_secret_usage);
    ret->auth_secret_uuid = translate_string_new(t->auth_secret_uuid);
    ret->pool_type = g_strdup(t->pool_type);
    ret->format = translate_string_new(t->format);
}

int
translate_dispatch_translate_volume(MvServerCall *call, translate_translate_volume_args *args,
                                    translate_translate_volume_ret *ret, GError **error)
{
    StorageDriver *drv = storage_driver_from_client(mv_server_call_get_client(call));
    g_autoptr(StoragePoolObj) obj = NULL;
    g_autoptr(StorageShared) def = NULL;
    g_autoptr(StorageVol) vol = NULL;
    g_autoptr(StorageTranslation) t = NULL;
    gboolean active = FALSE;

    if (args->flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG, "unsupported flags (0x%x)",
                     args->flags);
        return -1;
    }
    if (!(obj = storage_pool_list_find_by_name(drv->pools, args->pool, error)))
        return -1;
    /* Right after mvstoraged started (mvqemud starts it to ask this), a
     * pool that was active is so again once its restore ran. */
    storage_pool_obj_wait_restored(obj, TRANSLATE_REFRESH_WAIT_MS);
    /* A snapshot of the pool under its lock; nothing is changed.  A volume
     * not found while the pool's refresh runs (the one a start or a daemon
     * restart begins) may be what it is about to find: that one is waited
     * for, a little. */
    for (int attempt = 0; attempt < 2 && !vol; attempt++) {
        g_autoptr(StorageRefresh) refresh = NULL;

        g_mutex_lock(&obj->lock);
        active = obj->active;
        g_clear_pointer(&def, storage_shared_unref);
        def = storage_shared_ref(obj->def);
        if (active) {
            StorageVol *v = storage_pool_obj_find_vol_locked(obj, args->volume);

            vol = v ? storage_vol_ref(v) : NULL;
            if (!vol && obj->refresh && attempt == 0)
                refresh = storage_refresh_ref(obj->refresh);
        }
        g_mutex_unlock(&obj->lock);
        if (!refresh)
            break;
        storage_refresh_wait_at_most(refresh, TRANSLATE_REFRESH_WAIT_MS, NULL);
    }
    if (active && !vol) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", args->volume);
        return -1;
    }
    t = storage_translate_volume(STORAGE_POOL_DEF(def), active, vol ? vol->def : NULL,
                                 args->volume, args->mode, error);
    if (!t)
        return -1;
    translate_fill_ret(t, ret);
    return 0;
}
