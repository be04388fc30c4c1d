/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-events.c: storage pool events (lifecycle and refresh) to the
 * clients that registered for them, with their callback ids.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "drivers/storage/storage-driver.h"
#include "remote-protocol.h"
#include "remote/remote-daemon.h"

typedef struct {
    StoragePoolObj *obj;
    int event_id;
    int event;
} StorageEventData;

static void
storage_event_send(MvServerClient *client, const RemoteEventReg *reg, gpointer opaque)
{
    StorageEventData *d = opaque;
    remote_nonnull_storage_pool pool;

    pool.name = d->obj->name;
    memcpy(pool.uuid, d->obj->uuid, MV_UUID_LEN);
    if (d->event_id == STORAGE_EVENT_ID_LIFECYCLE) {
        remote_storage_pool_event_lifecycle_msg msg = {
            .callbackID = reg->callback_id, .pool = pool, .event = d->event, .detail = 0,
        };

        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                    (xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg,
                                    &msg);
    } else {
        remote_storage_pool_event_refresh_msg msg = {
            .callbackID = reg->callback_id, .pool = pool,
        };

        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                    (xdrproc_t)xdr_remote_storage_pool_event_refresh_msg,
                                    &msg);
    }
}

void
storage_event_lifecycle(StorageDriver *drv, StoragePoolObj *obj, int event)
{
    StorageEventData d = { obj, STORAGE_EVENT_ID_LIFECYCLE, event };

    remote_event_foreach(drv->rd, REMOTE_EVENT_STORAGE_POOL, STORAGE_EVENT_ID_LIFECYCLE,
                         obj->uuid, storage_event_send, &d);
}

void
storage_event_refresh(StorageDriver *drv, StoragePoolObj *obj)
{
    StorageEventData d = { obj, STORAGE_EVENT_ID_REFRESH, 0 };

    remote_event_foreach(drv->rd, REMOTE_EVENT_STORAGE_POOL, STORAGE_EVENT_ID_REFRESH,
                         obj->uuid, storage_event_send, &d);
}
