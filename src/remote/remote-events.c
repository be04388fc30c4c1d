/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <glib.h>

#include "remote/remote-daemon.h"
#include "util/error.h"

int
remote_event_register(RemoteClient *rc, RemoteEventKind kind, int event_id,
                      const unsigned char *filter_uuid, gboolean legacy, GError **error)
{
    RemoteEventReg reg = { 0 };

    g_mutex_lock(&rc->lock);
    if (rc->events->len >= REMOTE_EVENT_MAX_REGS) {
        g_mutex_unlock(&rc->lock);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                     "too many event registrations on this connection (%d)",
                     REMOTE_EVENT_MAX_REGS);
        return -1;
    }
    if (legacy) {
        for (guint i = 0; i < rc->events->len; i++) {
            RemoteEventReg *r = &g_array_index(rc->events, RemoteEventReg, i);

            if (r->legacy && r->kind == kind && r->event_id == event_id) {
                g_mutex_unlock(&rc->lock);
                mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                             "domain event %d already registered", event_id);
                return -1;
            }
        }
    }
    reg.kind = kind;
    reg.callback_id = rc->next_callback_id++;
    reg.event_id = event_id;
    reg.legacy = legacy;
    if (filter_uuid) {
        reg.has_filter = TRUE;
        memcpy(reg.uuid, filter_uuid, 16);
    }
    g_array_append_val(rc->events, reg);
    g_mutex_unlock(&rc->lock);
    return reg.callback_id;
}

static gboolean
remote_event_remove(RemoteClient *rc, RemoteEventKind kind, int value, gboolean legacy)
{
    gboolean found = FALSE;

    g_mutex_lock(&rc->lock);
    for (guint i = 0; i < rc->events->len; i++) {
        RemoteEventReg *r = &g_array_index(rc->events, RemoteEventReg, i);

        if (r->kind != kind || r->legacy != legacy)
            continue;
        if ((legacy && r->event_id == value) || (!legacy && r->callback_id == value)) {
            g_array_remove_index(rc->events, i);
            found = TRUE;
            break;
        }
    }
    g_mutex_unlock(&rc->lock);
    return found;
}

gboolean
remote_event_deregister(RemoteClient *rc, RemoteEventKind kind, int callback_id,
                        GError **error)
{
    if (!remote_event_remove(rc, kind, callback_id, FALSE)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                     "callback ID %d not registered", callback_id);
        return FALSE;
    }
    return TRUE;
}

gboolean
remote_event_deregister_legacy(RemoteClient *rc, RemoteEventKind kind, int event_id,
                               GError **error)
{
    if (!remote_event_remove(rc, kind, event_id, TRUE)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                     "domain event %d not registered", event_id);
        return FALSE;
    }
    return TRUE;
}

void
remote_event_foreach(RemoteDaemon *rd, RemoteEventKind kind, int event_id,
                     const unsigned char *uuid, RemoteEventFunc func, gpointer opaque)
{
    g_autoptr(GPtrArray) clients = mv_server_list_clients(rd->srv);

    for (guint i = 0; i < clients->len; i++) {
        MvServerClient *client = g_ptr_array_index(clients, i);
        RemoteClient *rc = mv_server_client_get_priv(client);
        g_autoptr(GArray) matches = g_array_new(FALSE, FALSE, sizeof(RemoteEventReg));

        if (!rc)
            continue;
        g_mutex_lock(&rc->lock);
        for (guint j = 0; j < rc->events->len; j++) {
            RemoteEventReg *r = &g_array_index(rc->events, RemoteEventReg, j);

            if (r->kind != kind || r->event_id != event_id)
                continue;
            if (r->has_filter && uuid && memcmp(r->uuid, uuid, 16) != 0)
                continue;
            g_array_append_val(matches, *r);
        }
        g_mutex_unlock(&rc->lock);
        for (guint j = 0; j < matches->len; j++)
            func(client, &g_array_index(matches, RemoteEventReg, j), opaque);
    }
}
