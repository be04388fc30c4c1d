/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server-priv.h: what server.c and server-stream.c share.
 */
#pragma once

#include "rpc/server.h"

struct _MvServerClient {
    gint ref;
    GMutex lock;
    MvServer *srv;
    MvRpcConn *conn;
    guint64 id;
    gint64 timestamp;             /* connect time, seconds since the epoch */
    gboolean readonly;
    gboolean opened;
    gboolean closed;
    MvIdentity peer;              /* from the socket; the rest when first asked */
    gboolean peer_complete;       /* peer's process time and names looked up */
    MvIdentity *asserted;         /* CONNECT_SET_IDENTITY, or NULL */
    gpointer priv;
    guint nrequests;              /* calls queued or running on workers */
    gboolean throttled;           /* input paused because of nrequests */
    GList *streams;               /* MvServerStream */

    /* keepalive (I/O thread only) */
    GSource *ka_timer;
    guint ka_countdown;           /* PINGs left before giving up */
    gint64 ka_ping_time;          /* monotonic time of our last PING */
};

struct _MvServerCall {
    MvServerClient *client;
    MvMessage *msg;
    const MvServerProgram *prog;
    const MvServerProc *proc;
    MvMessageHeader header;
    GArray *reply_fds;
    MvServerStream *stream;       /* opened by the handler */
    gboolean on_io_thread;        /* an inline procedure running inline */
    GDestroyNotify ret_free;      /* mv_server_call_set_ret_owner() */
    gboolean close_after_reply;   /* mv_server_call_close_after_reply() */
    gpointer ret_free_data;
    gsize reply_size;             /* mv_server_call_set_reply_size() */
};

typedef enum {
    STREAM_PENDING,               /* reply not sent yet */
    STREAM_ACTIVE,
    STREAM_EOF_SENT,
    STREAM_CLOSED,
} StreamState;

struct _MvServerStream {
    gint ref;
    MvServerClient *client;       /* strong ref while not closed */
    MvMessageHeader header;       /* prog, vers, proc, serial */
    const MvServerStreamOps *ops;
    gpointer opaque;
    StreamState state;
    gboolean allow_holes;
    GQueue early;                 /* packets that came before the reply went out */
    gsize early_bytes;
    gboolean early_paused;        /* the client's input waits for the reply */
};

/* server-identity.c */
/* Look up what the socket does not tell: process start time, user and
 * group names.  May block (NSS). */
void mv_server_identity_complete(MvIdentity *ident);
void mv_server_identity_copy(MvIdentity *dst, const MvIdentity *src);

/* server-stream.c */
void mv_server_stream_activate(MvServerStream *st);
/* A STREAM / STREAM_HOLE packet from the client; owns @msg.  I/O thread. */
void mv_server_client_stream_packet(MvServerClient *client, MvMessage *msg);
/* Abort every stream of a client that went away. */
void mv_server_client_abort_streams(MvServerClient *client);
/* Must hold client->lock. */
MvServerStream *mv_server_client_find_stream_locked(MvServerClient *client, guint32 prog,
                                                    gint32 proc, guint32 serial);
void mv_server_stream_detach_locked(MvServerStream *st);
/* The call that opened @st failed: the stream is gone before it started,
 * and its work, if any began, is aborted. */
void mv_server_stream_cancel(MvServerStream *st);
