/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/message.h"
#include "util/error.h"

MvMessage *
mv_message_new(void)
{
    return g_new0(MvMessage, 1);
}

void
mv_message_free(MvMessage *msg)
{
    if (!msg)
        return;
    for (guint i = 0; i < msg->nfds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_free(msg->fds);
    g_free(msg->buffer);
    g_free(msg);
}

void
mv_xdr_free(xdrproc_t filter, void *data)
{
    if (filter && data)
        xdr_free(filter, data);
}

static gboolean
message_type_has_fds(guint32 type)
{
    return type == MV_NET_CALL_WITH_FDS || type == MV_NET_REPLY_WITH_FDS;
}

static gboolean
message_reserve(MvMessage *msg, gsize want, GError **error)
{
    gsize alloc = msg->buffer_alloc ? msg->buffer_alloc : 256;

    if (want > MV_NET_MESSAGE_MAX + MV_MESSAGE_LEN_LEN) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                     "packet of %zu bytes exceeds the limit of %d bytes", want,
                     MV_NET_MESSAGE_MAX + MV_MESSAGE_LEN_LEN);
        return FALSE;
    }
    if (want <= msg->buffer_alloc)
        return TRUE;
    while (alloc < want)
        alloc *= 4;
    alloc = MIN(alloc, (gsize)MV_NET_MESSAGE_MAX + MV_MESSAGE_LEN_LEN);
    msg->buffer = g_realloc(msg->buffer, alloc);
    msg->buffer_alloc = alloc;
    return TRUE;
}

gboolean
mv_message_encode_header(MvMessage *msg, const MvMessageHeader *hdr, GError **error)
{
    guint8 *p;
    gsize len = MV_MESSAGE_MIN_LEN + (message_type_has_fds(hdr->type) ? 4 : 0);

    msg->header = *hdr;
    if (!message_reserve(msg, len, error))
        return FALSE;
    p = msg->buffer;
    mv_message_put_u32(p + 4, hdr->prog);
    mv_message_put_u32(p + 8, hdr->vers);
    mv_message_put_u32(p + 12, (guint32)hdr->proc);
    mv_message_put_u32(p + 16, hdr->type);
    mv_message_put_u32(p + 20, hdr->serial);
    mv_message_put_u32(p + 24, hdr->status);
    msg->buffer_offset = len;
    msg->buffer_length = len;
    mv_message_put_u32(p, (guint32)len);
    return TRUE;
}

static void
message_seal(MvMessage *msg)
{
    msg->buffer_length = msg->buffer_offset;
    mv_message_put_u32(msg->buffer, (guint32)msg->buffer_length);
    if (message_type_has_fds(msg->header.type))
        mv_message_put_u32(msg->buffer + MV_MESSAGE_MIN_LEN, msg->nfds);
}

gboolean
mv_message_reserve_payload(MvMessage *msg, gsize len, GError **error)
{
    return message_reserve(msg, msg->buffer_offset + len, error);
}

gboolean
mv_message_encode_payload(MvMessage *msg, xdrproc_t filter, void *data, GError **error)
{
    gboolean sized = FALSE;

    if (!filter) {
        message_seal(msg);
        return TRUE;
    }
    for (;;) {
        XDR xdr;
        gboolean ok;

        xdrmem_create(&xdr, (char *)msg->buffer + msg->buffer_offset,
                      msg->buffer_alloc - msg->buffer_offset, XDR_ENCODE);
        ok = filter(&xdr, data, 0);
        if (ok) {
            msg->buffer_offset += xdr_getpos(&xdr);
            xdr_destroy(&xdr);
            message_seal(msg);
            return TRUE;
        }
        xdr_destroy(&xdr);
        if (msg->buffer_alloc >= (gsize)MV_NET_MESSAGE_MAX + MV_MESSAGE_LEN_LEN || sized) {
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                         "unable to encode message payload: too large or invalid");
            return FALSE;
        }
        /* Did not fit the buffer: size it exactly once, rather than growing
         * and encoding again and again (a big list reply took 7 tries). */
        sized = TRUE;
        if (!message_reserve(msg, msg->buffer_offset + xdr_sizeof(filter, data), error))
            return FALSE;
    }
}

gboolean
mv_message_encode_payload_raw(MvMessage *msg, const void *data, gsize len, GError **error)
{
    if (!message_reserve(msg, msg->buffer_offset + len, error))
        return FALSE;
    if (len)
        memcpy(msg->buffer + msg->buffer_offset, data, len);
    msg->buffer_offset += len;
    message_seal(msg);
    return TRUE;
}

gboolean
mv_message_encode_error(MvMessage *msg, const GError *error, GError **ret_error)
{
    mv_net_message_error rerr = { 0 };
    g_autofree char *text = mv_error_format_message(error);
    char *textp = text;

    rerr.code = mv_error_code(error);
    rerr.domain = mv_error_from(error);
    rerr.message = &textp;
    rerr.level = MV_ERR_LEVEL_ERROR;
    rerr.int1 = -1;
    rerr.int2 = -1;
    return mv_message_encode_payload(msg, (xdrproc_t)xdr_mv_net_message_error, &rerr, ret_error);
}

gboolean
mv_message_decode_header(MvMessage *msg, GError **error)
{
    const guint8 *p = msg->buffer;

    if (msg->buffer_length < MV_MESSAGE_MIN_LEN) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "packet of %zu bytes is too short",
                     msg->buffer_length);
        return FALSE;
    }
    msg->header.prog = mv_message_get_u32(p + 4);
    msg->header.vers = mv_message_get_u32(p + 8);
    msg->header.proc = (gint32)mv_message_get_u32(p + 12);
    msg->header.type = mv_message_get_u32(p + 16);
    msg->header.serial = mv_message_get_u32(p + 20);
    msg->header.status = mv_message_get_u32(p + 24);
    msg->buffer_offset = MV_MESSAGE_MIN_LEN;
    return TRUE;
}

gboolean
mv_message_decode_num_fds(MvMessage *msg, GError **error)
{
    guint32 nfds;

    if (msg->buffer_length < MV_MESSAGE_MIN_LEN + 4) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "packet with fds lacks the fd count");
        return FALSE;
    }
    nfds = mv_message_get_u32(msg->buffer + MV_MESSAGE_MIN_LEN);
    if (nfds > MV_NET_MESSAGE_NUM_FDS_MAX) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                     "too many file descriptors in packet: %u, the limit is %d", nfds,
                     MV_NET_MESSAGE_NUM_FDS_MAX);
        return FALSE;
    }
    msg->buffer_offset = MV_MESSAGE_MIN_LEN + 4;
    if (nfds != msg->nfds) {
        g_free(msg->fds);
        msg->fds = g_new(int, nfds ? nfds : 1);
        for (guint i = 0; i < nfds; i++)
            msg->fds[i] = -1;
        msg->nfds = nfds;
    }
    return TRUE;
}

gboolean
mv_message_decode_payload(MvMessage *msg, xdrproc_t filter, void *data, GError **error)
{
    XDR xdr;
    gboolean ok;

    if (!filter)
        return TRUE;
    xdrmem_create(&xdr, (char *)msg->buffer + msg->buffer_offset,
                  msg->buffer_length - msg->buffer_offset, XDR_DECODE);
    ok = filter(&xdr, data, 0);
    if (ok)
        msg->buffer_offset += xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok) {
        /* A partial decode may have allocated. */
        xdr_free(filter, data);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "unable to decode message payload");
        return FALSE;
    }
    return TRUE;
}

void
mv_message_decode_error(MvMessage *msg, GError **error)
{
    mv_net_message_error rerr = { 0 };
    g_autoptr(GError) local = NULL;

    if (!mv_message_decode_payload(msg, (xdrproc_t)xdr_mv_net_message_error, &rerr, &local)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "malformed error from the server: %s",
                     local->message);
        return;
    }
    if (error) {
        const char *text = rerr.message && *rerr.message ? *rerr.message : "unknown error";
        int code = rerr.code;

        /* Old servers report an unknown procedure as an RPC error; clients
         * rely on "not supported" to fall back. */
        if ((rerr.domain == MV_FROM_REMOTE || rerr.domain == MV_FROM_RPC) &&
            code == MV_ERR_RPC && g_str_has_prefix(text, "unknown procedure"))
            code = MV_ERR_NO_SUPPORT;
        *error = g_error_new_literal(mv_error_remote_quark(rerr.domain), code, text);
    }
    xdr_free((xdrproc_t)xdr_mv_net_message_error, (char *)&rerr);
}

void
mv_message_add_fd(MvMessage *msg, int fd)
{
    msg->fds = g_renew(int, msg->fds, msg->nfds + 1);
    msg->fds[msg->nfds++] = fd;
}

int
mv_message_take_fd(MvMessage *msg, guint i)
{
    int fd;

    if (i >= msg->nfds)
        return -1;
    fd = msg->fds[i];
    msg->fds[i] = -1;
    return fd;
}

const guint8 *
mv_message_payload(const MvMessage *msg, gsize *ret_len)
{
    gsize start = MV_MESSAGE_MIN_LEN + (message_type_has_fds(msg->header.type) ? 4 : 0);

    if (start > msg->buffer_length)
        start = msg->buffer_length;
    *ret_len = msg->buffer_length - start;
    return msg->buffer + start;
}

MvMessage *
mv_message_new_simple(guint32 prog, guint32 vers, gint32 proc, guint32 type, guint32 serial,
                      guint32 status)
{
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = { prog, vers, proc, type, serial, status };

    mv_message_encode_header(msg, &hdr, NULL);
    message_seal(msg);
    return msg;
}

MvMessage *
mv_message_new_error_reply(const MvMessageHeader *call, guint32 type, const GError *error)
{
    MvMessage *msg = mv_message_new();
    MvMessageHeader hdr = *call;

    hdr.type = type;
    hdr.status = MV_NET_ERROR;
    if (!mv_message_encode_header(msg, &hdr, NULL) ||
        !mv_message_encode_error(msg, error, NULL)) {
        mv_message_free(msg);
        return NULL;
    }
    return msg;
}

const char *
mv_message_type_to_string(guint32 type)
{
    switch (type) {
    case MV_NET_CALL: return "call";
    case MV_NET_REPLY: return "reply";
    case MV_NET_MESSAGE: return "message";
    case MV_NET_STREAM: return "stream";
    case MV_NET_CALL_WITH_FDS: return "call-with-fds";
    case MV_NET_REPLY_WITH_FDS: return "reply-with-fds";
    case MV_NET_STREAM_HOLE: return "stream-hole";
    default: return "unknown";
    }
}
