/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * message.h: one RPC packet, its framing and XDR payload.
 */
#pragma once

#include <rpc/rpc.h>

#include <glib.h>

#include "protocol.h"

typedef struct {
    guint32 prog;
    guint32 vers;
    gint32 proc;
    guint32 type;    /* mv_net_message_type */
    guint32 serial;
    guint32 status;  /* mv_net_message_status */
} MvMessageHeader;

typedef struct _MvMessage MvMessage;
struct _MvMessage {
    MvMessageHeader header;

    guint8 *buffer;       /* the whole packet, length word included */
    gsize buffer_length;  /* bytes of the packet (== its length word when complete) */
    gsize buffer_alloc;
    gsize buffer_offset;  /* encode/decode position; I/O progress while queued */

    int *fds;             /* owned; -1 once taken */
    guint nfds;
    guint donefds;        /* fds sent or received so far */

    gboolean event;       /* unsolicited (an event): its connection counts these apart */
};

#define MV_MESSAGE_HEADER_LEN 24
#define MV_MESSAGE_LEN_LEN 4
#define MV_MESSAGE_MIN_LEN (MV_MESSAGE_LEN_LEN + MV_MESSAGE_HEADER_LEN)

MvMessage *mv_message_new(void);
void mv_message_free(MvMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvMessage, mv_message_free)

/* Prepare an empty packet with @hdr: the header is encoded and the payload
 * position set just after it (after the fd count for *_WITH_FDS). */
gboolean mv_message_encode_header(MvMessage *msg, const MvMessageHeader *hdr, GError **error);
/* XDR's size of a string of @len bytes (length word, padded to 4). */
#define MV_XDR_STRING_SIZE(len) (4 + (((gsize)(len) + 3) & ~(gsize)3))
/* Room for @len more bytes of payload: an encoder that knows the size
 * spares mv_message_encode_payload() its counting pass (xdr_sizeof()). */
gboolean mv_message_reserve_payload(MvMessage *msg, gsize len, GError **error);
/* Append the XDR of @data (NULL filter: nothing) and seal the length word. */
gboolean mv_message_encode_payload(MvMessage *msg, xdrproc_t filter, void *data, GError **error);
gboolean mv_message_encode_payload_raw(MvMessage *msg, const void *data, gsize len,
                                       GError **error);
/* Encode @error (one of ours, or any GError) as mv_net_message_error. */
gboolean mv_message_encode_error(MvMessage *msg, const GError *error, GError **ret_error);

/* Parse the header of a complete packet in buffer; sets buffer_offset to the
 * payload (or to the fd count). */
gboolean mv_message_decode_header(MvMessage *msg, GError **error);
/* For *_WITH_FDS: read the fd count (checked against the limit). */
gboolean mv_message_decode_num_fds(MvMessage *msg, GError **error);
gboolean mv_message_decode_payload(MvMessage *msg, xdrproc_t filter, void *data, GError **error);
/* Decode an mv_net_message_error payload into a GError of the remote
 * family; always sets @error. */
void mv_message_decode_error(MvMessage *msg, GError **error);

/* Attach @fd (ownership taken) to an outgoing packet; the type must be a
 * *_WITH_FDS one and the count is written at encode time. */
void mv_message_add_fd(MvMessage *msg, int fd);
/* Take fd @i of a received packet (caller owns it), or -1. */
int mv_message_take_fd(MvMessage *msg, guint i);

/* The raw payload of a complete packet (after the header and fd count). */
const guint8 *mv_message_payload(const MvMessage *msg, gsize *ret_len);

/* Convenience: a whole reply/error packet for a call header. */
MvMessage *mv_message_new_error_reply(const MvMessageHeader *call, guint32 type,
                                      const GError *error);
MvMessage *mv_message_new_simple(guint32 prog, guint32 vers, gint32 proc, guint32 type,
                                 guint32 serial, guint32 status);

/* Read and write big-endian words. */
static inline guint32
mv_message_get_u32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static inline void
mv_message_put_u32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* Free what an XDR decode allocated inside @data (not @data itself). */
void mv_xdr_free(xdrproc_t filter, void *data);

const char *mv_message_type_to_string(guint32 type);
