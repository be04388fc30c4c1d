/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-events.c: domain event registrations and their delivery.
 *
 * Three generations of registration share one per-client registry
 * (remote-events.c):
 *   - CONNECT_DOMAIN_EVENT_REGISTER / DEREGISTER: lifecycle only, no ids;
 *   - CONNECT_DOMAIN_EVENT_REGISTER_ANY / DEREGISTER_ANY: any event id, one
 *     registration per id, no ids on the wire;
 *   - CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY / DEREGISTER_ANY: any event
 *     id with an optional domain filter; the server picks a callback id that
 *     every event then carries.
 * The first two are "legacy" and share their slots: a client registered
 * with one may deregister with the other, as with libvirt.
 *
 * Only lifecycle and reboot events are ever emitted; registrations for the
 * other ids are accepted so that `virsh event --all` works.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "drivers/qemu/qemu-driver.h"
#include "drivers/qemu/qemu-events.h"
#include "remote/remote-daemon.h"
#include "remote-dispatch-protos.h"
#include "util/error.h"

/* ---- registration ---------------------------------------------------------- */

static gboolean
qemu_event_check_id(int event_id, GError **error)
{
    if (event_id < 0 || event_id >= QEMU_EVENT_ID_LAST) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                     "unsupported event ID %d", event_id);
        return FALSE;
    }
    return TRUE;
}

int
remote_dispatch_connect_domain_event_register(MvServerCall *call,
                                              remote_connect_domain_event_register_ret *ret,
                                              GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    if (remote_event_register(rc, REMOTE_EVENT_DOMAIN, QEMU_EVENT_ID_LIFECYCLE, NULL, TRUE,
                              error) < 0)
        return -1;
    ret->cb_registered = 1;
    return 0;
}

int
remote_dispatch_connect_domain_event_deregister(MvServerCall *call,
                                                remote_connect_domain_event_deregister_ret *ret,
                                                GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    if (!remote_event_deregister_legacy(rc, REMOTE_EVENT_DOMAIN, QEMU_EVENT_ID_LIFECYCLE,
                                        error))
        return -1;
    ret->cb_registered = 0;
    return 0;
}

int
remote_dispatch_connect_domain_event_register_any(MvServerCall *call,
                                                  remote_connect_domain_event_register_any_args *args,
                                                  GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    if (!qemu_event_check_id(args->eventID, error))
        return -1;
    if (remote_event_register(rc, REMOTE_EVENT_DOMAIN, args->eventID, NULL, TRUE, error) < 0)
        return -1;
    return 0;
}

int
remote_dispatch_connect_domain_event_deregister_any(MvServerCall *call,
                                                    remote_connect_domain_event_deregister_any_args *args,
                                                    GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    if (!qemu_event_check_id(args->eventID, error))
        return -1;
    if (!remote_event_deregister_legacy(rc, REMOTE_EVENT_DOMAIN, args->eventID, error))
        return -1;
    return 0;
}

int
remote_dispatch_connect_domain_event_callback_register_any(
    MvServerCall *call, remote_connect_domain_event_callback_register_any_args *args,
    remote_connect_domain_event_callback_register_any_ret *ret, GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));
    const unsigned char *filter = NULL;
    int id;

    if (!qemu_event_check_id(args->eventID, error))
        return -1;
    /* NB: like libvirt, the filter domain need not exist (yet): it is
     * matched by uuid when events are sent. */
    if (args->dom)
        filter = (const unsigned char *)args->dom->uuid;
    id = remote_event_register(rc, REMOTE_EVENT_DOMAIN, args->eventID, filter, FALSE, error);
    if (id < 0)
        return -1;
    ret->callbackID = id;
    return 0;
}

int
remote_dispatch_connect_domain_event_callback_deregister_any(
    MvServerCall *call, remote_connect_domain_event_callback_deregister_any_args *args,
    GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    if (!remote_event_deregister(rc, REMOTE_EVENT_DOMAIN, args->callbackID, error))
        return -1;
    return 0;
}

/* ---- delivery --------------------------------------------------------------- */

typedef struct {
    remote_nonnull_domain dom;
    int event;
    int detail;
} QemuEventData;

static void
qemu_event_data_init(QemuEventData *data, QemuDomainObj *obj, char *name_buf)
{
    memset(data, 0, sizeof(*data));
    data->dom.name = name_buf;
    memcpy(data->dom.uuid, obj->uuid, sizeof(data->dom.uuid));
    g_mutex_lock(&obj->lock);
    data->dom.id = obj->def ? obj->def->id : -1;
    g_mutex_unlock(&obj->lock);
}

static void
qemu_event_send_lifecycle(MvServerClient *client, const RemoteEventReg *reg, gpointer opaque)
{
    QemuEventData *data = opaque;
    remote_domain_event_lifecycle_msg msg = {
        .dom = data->dom, .event = data->event, .detail = data->detail,
    };

    if (reg->legacy) {
        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                                    (xdrproc_t)xdr_remote_domain_event_lifecycle_msg, &msg);
    } else {
        remote_domain_event_callback_lifecycle_msg cmsg = {
            .callbackID = reg->callback_id, .msg = msg,
        };

        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                    (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg,
                                    &cmsg);
    }
}

static void
qemu_event_send_reboot(MvServerClient *client, const RemoteEventReg *reg, gpointer opaque)
{
    QemuEventData *data = opaque;
    remote_domain_event_reboot_msg msg = { .dom = data->dom };

    if (reg->legacy) {
        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_DOMAIN_EVENT_REBOOT,
                                    (xdrproc_t)xdr_remote_domain_event_reboot_msg, &msg);
    } else {
        remote_domain_event_callback_reboot_msg cmsg = {
            .callbackID = reg->callback_id, .msg = msg,
        };

        mv_server_client_send_event(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                    REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                                    (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg,
                                    &cmsg);
    }
}

void
qemu_event_lifecycle(QemuDriver *drv, QemuDomainObj *obj, int event, int detail)
{
    g_autofree char *name = g_strdup(obj->name);
    QemuEventData data;

    g_debug("domain '%s': lifecycle event %d/%d", obj->name, event, detail);
    if (!drv->rd)
        return;
    qemu_event_data_init(&data, obj, name);
    data.event = event;
    data.detail = detail;
    remote_event_foreach(drv->rd, REMOTE_EVENT_DOMAIN, QEMU_EVENT_ID_LIFECYCLE, obj->uuid,
                         qemu_event_send_lifecycle, &data);
}

void
qemu_event_reboot(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autofree char *name = g_strdup(obj->name);
    QemuEventData data;

    g_debug("domain '%s': reboot event", obj->name);
    if (!drv->rd)
        return;
    qemu_event_data_init(&data, obj, name);
    remote_event_foreach(drv->rd, REMOTE_EVENT_DOMAIN, QEMU_EVENT_ID_REBOOT, obj->uuid,
                         qemu_event_send_reboot, &data);
}
