/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server-stream.c: data streams multiplexed on a client connection.
 *
 * A stream lives on the serial of the call that opened it.  Packets the
 * client sends before our reply to that call is out are kept and replayed
 * once the stream is active.
 */
#include <string.h>

#include <glib.h>

#include "rpc/server-priv.h"
#include "util/error.h"

#define STREAM_QUEUE_HIGH (4 * 1024 * 1024)
/* Stream data a client may send before the reply that opens the stream;
 * beyond, its connection is not read until the reply went out. */
#define STREAM_EARLY_MAX (1024 * 1024)

MvServerStream *
mv_server_call_open_stream(MvServerCall *call, const MvServerStreamOps *ops, gpointer opaque,
                           gboolean allow_holes)
{
    MvServerClient *client = call->client;
    MvServerStream *st = g_new0(MvServerStream, 1);

    st->ref = 2; /* the client's list, and the call until the reply is out */
    st->client = mv_server_client_ref(client);
    st->header = call->header;
    st->ops = ops;
    st->opaque = opaque;
    st->state = STREAM_PENDING;
    st->allow_holes = allow_holes;
    g_queue_init(&st->early);
    mv_rpc_conn_set_bulk(client->conn);
    g_mutex_lock(&client->lock);
    /* NB: a client that went away before its stream existed had its
     * streams aborted already: this one stays out of the list, pending,
     * and is aborted when the call ends (mv_server_stream_activate()). */
    if (client->closed)
        st->ref = 1;
    else
        client->streams = g_list_prepend(client->streams, st);
    g_mutex_unlock(&client->lock);
    call->stream = st;
    return st;
}

MvServerStream *
mv_server_stream_ref(MvServerStream *st)
{
    g_atomic_int_inc(&st->ref);
    return st;
}

void
mv_server_stream_unref(MvServerStream *st)
{
    MvMessage *msg;

    if (!st || !g_atomic_int_dec_and_test(&st->ref))
        return;
    while ((msg = g_queue_pop_head(&st->early)))
        mv_message_free(msg);
    /* Never opened (the call failed): the client is read again. */
    if (st->early_paused)
        mv_rpc_conn_resume(st->client->conn);
    if (st->ops && st->ops->free)
        st->ops->free(st->opaque);
    if (st->client)
        mv_server_client_unref(st->client);
    g_free(st);
}

MvServerClient *
mv_server_stream_get_client(MvServerStream *st)
{
    return st->client;
}

MvServerStream *
mv_server_client_find_stream_locked(MvServerClient *client, guint32 prog, gint32 proc,
                                    guint32 serial)
{
    for (GList *l = client->streams; l; l = l->next) {
        MvServerStream *st = l->data;

        if (st->header.prog == prog && st->header.proc == proc && st->header.serial == serial)
            return st;
    }
    return NULL;
}

/* Remove @st from its client; drops the list's reference.  Must hold the
 * client's lock. */
void
mv_server_stream_detach_locked(MvServerStream *st)
{
    GList *l = g_list_find(st->client->streams, st);

    st->state = STREAM_CLOSED;
    if (l) {
        st->client->streams = g_list_delete_link(st->client->streams, l);
        /* The caller still holds a reference (call, or lookup). */
        g_atomic_int_add(&st->ref, -1);
    }
}

void
mv_server_stream_cancel(MvServerStream *st)
{
    gboolean pending;

    g_mutex_lock(&st->client->lock);
    pending = st->state == STREAM_PENDING;
    mv_server_stream_detach_locked(st);
    g_mutex_unlock(&st->client->lock);
    if (pending && st->ops->abort)
        st->ops->abort(st, st->opaque);
}

gboolean
mv_server_stream_is_closed(MvServerStream *st)
{
    gboolean ret;

    g_mutex_lock(&st->client->lock);
    ret = st->state == STREAM_CLOSED;
    g_mutex_unlock(&st->client->lock);
    return ret;
}

static MvMessage *
stream_packet(MvServerStream *st, guint32 type, guint32 status)
{
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = st->header;

    hdr.type = type;
    hdr.status = status;
    mv_message_encode_header(msg, &hdr, NULL);
    return msg;
}

static gboolean
stream_send(MvServerStream *st, MvMessage *msg)
{
    gboolean closed;

    g_mutex_lock(&st->client->lock);
    closed = st->state == STREAM_CLOSED;
    g_mutex_unlock(&st->client->lock);
    if (closed) {
        mv_message_free(msg);
        return FALSE;
    }
    return mv_rpc_conn_send(st->client->conn, msg);
}

gboolean
mv_server_stream_send_data(MvServerStream *st, const void *data, gsize len)
{
    const guint8 *p = data;

    /* The peer reads at most this much per packet. */
    while (len > 0) {
        gsize chunk = MIN(len, (gsize)MV_NET_MESSAGE_LEGACY_PAYLOAD_MAX);
        MvMessage *msg = stream_packet(st, MV_NET_STREAM, MV_NET_CONTINUE);

        if (!mv_message_encode_payload_raw(msg, p, chunk, NULL) || !stream_send(st, msg))
            return FALSE;
        p += chunk;
        len -= chunk;
    }
    return TRUE;
}

gboolean
mv_server_stream_send_hole(MvServerStream *st, gint64 length)
{
    MvMessage *msg = stream_packet(st, MV_NET_STREAM_HOLE, MV_NET_CONTINUE);
    mv_net_stream_hole hole = { .length = length, .flags = 0 };

    if (!mv_message_encode_payload(msg, (xdrproc_t)xdr_mv_net_stream_hole, &hole, NULL)) {
        mv_message_free(msg);
        return FALSE;
    }
    return stream_send(st, msg);
}

gboolean
mv_server_stream_send_eof(MvServerStream *st)
{
    MvMessage *msg = stream_packet(st, MV_NET_STREAM, MV_NET_CONTINUE);

    mv_message_encode_payload(msg, NULL, NULL, NULL);
    g_mutex_lock(&st->client->lock);
    if (st->state == STREAM_ACTIVE)
        st->state = STREAM_EOF_SENT;
    g_mutex_unlock(&st->client->lock);
    return mv_rpc_conn_send(st->client->conn, msg);
}

void
mv_server_stream_send_error(MvServerStream *st, const GError *error)
{
    MvMessage *msg = mv_message_new_error_reply(&st->header, MV_NET_STREAM, error);
    gboolean was_open;

    g_mutex_lock(&st->client->lock);
    was_open = st->state != STREAM_CLOSED;
    mv_server_stream_ref(st);
    if (was_open)
        mv_server_stream_detach_locked(st);
    g_mutex_unlock(&st->client->lock);
    if (was_open && msg)
        mv_rpc_conn_send(st->client->conn, msg);
    else
        mv_message_free(msg);
    mv_server_stream_unref(st);
}

gboolean
mv_server_stream_wait_writable(MvServerStream *st)
{
    if (mv_server_stream_is_closed(st))
        return FALSE;
    return mv_rpc_conn_wait_queue(st->client->conn, STREAM_QUEUE_HIGH) &&
           !mv_server_stream_is_closed(st);
}

static void stream_handle_packet(MvServerStream *st, MvMessage *msg);

/* Handle the packets that came before the reply, then read the client
 * again if they had stopped it.  I/O thread. */
static void
stream_drain_early(MvServerStream *st)
{
    MvMessage *msg;
    gboolean paused;

    while ((msg = g_queue_pop_head(&st->early)))
        stream_handle_packet(st, msg);
    g_mutex_lock(&st->client->lock);
    paused = st->early_paused;
    st->early_paused = FALSE;
    st->early_bytes = 0;
    g_mutex_unlock(&st->client->lock);
    if (paused)
        mv_rpc_conn_resume(st->client->conn);
}

static gboolean
stream_replay_early(gpointer data)
{
    stream_drain_early(data);
    return G_SOURCE_REMOVE;
}

void
mv_server_stream_activate(MvServerStream *st)
{
    gboolean active;
    gboolean orphan;

    g_mutex_lock(&st->client->lock);
    /* Pending but not in the list: its client was gone when it opened. */
    orphan = st->state == STREAM_PENDING && !g_list_find(st->client->streams, st);
    active = st->state == STREAM_PENDING && !orphan;
    if (active)
        st->state = STREAM_ACTIVE;
    else if (orphan)
        st->state = STREAM_CLOSED;
    g_mutex_unlock(&st->client->lock);
    if (orphan && st->ops->abort)
        st->ops->abort(st, st->opaque);
    if (!active)
        return;
    if (st->ops->start)
        st->ops->start(st, st->opaque);
    /* Packets that came before the reply are handled on the I/O thread,
     * like every other packet of the stream. */
    g_main_context_invoke_full(mv_server_get_context(st->client->srv), G_PRIORITY_DEFAULT,
                               stream_replay_early, mv_server_stream_ref(st),
                               (GDestroyNotify)mv_server_stream_unref);
}

/* A packet the stream refused: the client gets the error, and the
 * driver's work for the stream stops as after the client's abort.  NB:
 * the error detaches the stream, so neither the client's abort nor its
 * leaving would reach the driver any more (an upload's writer would wait
 * for data forever, holding its volume). */
static void
stream_fail(MvServerStream *st, GError *error)
{
    mv_server_stream_send_error(st, error);
    if (st->ops->abort)
        st->ops->abort(st, st->opaque);
}

/* Confirm the client's finish or abort, and forget the stream. */
static void
stream_confirm_close(MvServerStream *st)
{
    MvMessage *confirm = stream_packet(st, MV_NET_STREAM, MV_NET_OK);
    gboolean was_open;

    mv_message_encode_payload(confirm, NULL, NULL, NULL);
    g_mutex_lock(&st->client->lock);
    was_open = st->state != STREAM_CLOSED;
    mv_server_stream_ref(st);
    if (was_open)
        mv_server_stream_detach_locked(st);
    g_mutex_unlock(&st->client->lock);
    if (was_open)
        mv_rpc_conn_send(st->client->conn, confirm);
    else
        mv_message_free(confirm);
    mv_server_stream_unref(st);
}

void
mv_server_stream_finish_done(MvServerStream *st, const GError *error)
{
    if (error)
        mv_server_stream_send_error(st, error);
    else
        stream_confirm_close(st);
}

static void
stream_handle_packet(MvServerStream *st, MvMessage *msg)
{
    g_autoptr(GError) error = NULL;

    switch ((mv_net_message_status)msg->header.status) {
    case MV_NET_CONTINUE:
        if (msg->header.type == MV_NET_STREAM_HOLE) {
            mv_net_stream_hole hole = { 0 };

            if (!st->allow_holes) {
                mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_RPC, "Unexpected stream hole");
            } else if (!mv_message_decode_payload(msg, (xdrproc_t)xdr_mv_net_stream_hole,
                                                  &hole, &error)) {
                g_prefix_error(&error, "malformed stream hole: ");
            } else if (!st->ops->hole) {
                mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_RPC, "Unexpected stream hole");
            } else {
                st->ops->hole(st, hole.length, st->opaque, &error);
            }
        } else {
            gsize len;
            const guint8 *data = mv_message_payload(msg, &len);

            if (!st->ops->recv)
                mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_RPC,
                             "stream does not accept data from the client");
            else
                st->ops->recv(st, data, len, st->opaque, &error);
        }
        if (error)
            stream_fail(st, error);
        break;
    case MV_NET_OK:
        /* The client finished: confirm, or report why we could not. */
        if (st->ops->finish_begin) {
            st->ops->finish_begin(st, st->opaque);
            break;
        }
        if (st->ops->finish && !st->ops->finish(st, st->opaque, &error)) {
            stream_fail(st, error);
            break;
        }
        stream_confirm_close(st);
        break;
    case MV_NET_ERROR:
    default:
        /* The client aborted. */
        if (st->ops->abort)
            st->ops->abort(st, st->opaque);
        /* A stream whose end takes work confirms the abort like a finish,
         * once that work stopped (mv_server_stream_finish_done()). */
        if (st->ops->finish_begin)
            break;
        stream_confirm_close(st);
        break;
    }
    mv_message_free(msg);
}

void
mv_server_client_stream_packet(MvServerClient *client, MvMessage *msg)
{
    MvServerStream *st;
    gboolean pending;
    gboolean pause = FALSE;
    gint32 proc = msg->header.proc;
    guint32 serial = msg->header.serial;

    g_mutex_lock(&client->lock);
    st = mv_server_client_find_stream_locked(client, msg->header.prog, msg->header.proc,
                                             msg->header.serial);
    if (st)
        mv_server_stream_ref(st);
    pending = st && st->state == STREAM_PENDING;
    if (pending) {
        st->early_bytes += msg->buffer_length;
        g_queue_push_tail(&st->early, msg);
        /* NB: bounded, as a slow handler would otherwise let a client
         * queue all it can send. */
        if (st->early_bytes > STREAM_EARLY_MAX && !st->early_paused)
            pause = st->early_paused = TRUE;
    }
    g_mutex_unlock(&client->lock);
    if (pause) {
        g_debug("stream (proc %d, serial %u) not open yet and over %d bytes for it: "
                "not reading the client until it is", proc, serial, STREAM_EARLY_MAX);
        mv_rpc_conn_pause(client->conn);
    }

    if (!st) {
        /* A late packet for a stream that is gone: nothing to do. */
        g_debug("dropping stream packet for unknown stream (proc %d, serial %u)", proc, serial);
        mv_message_free(msg);
        return;
    }
    if (!pending) {
        stream_drain_early(st);
        stream_handle_packet(st, msg);
    }
    mv_server_stream_unref(st);
}

void
mv_server_client_abort_streams(MvServerClient *client)
{
    GList *streams;

    g_mutex_lock(&client->lock);
    streams = g_steal_pointer(&client->streams);
    for (GList *l = streams; l; l = l->next)
        ((MvServerStream *)l->data)->state = STREAM_CLOSED;
    g_mutex_unlock(&client->lock);
    for (GList *l = streams; l; l = l->next) {
        MvServerStream *st = l->data;

        if (st->ops->abort)
            st->ops->abort(st, st->opaque);
        mv_server_stream_unref(st);
    }
    g_list_free(streams);
}
