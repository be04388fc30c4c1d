/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conn.h: packet I/O on one stream socket, driven by a GMainContext.
 *
 * Input runs on the thread iterating the context: bytes are read greedily,
 * cut into packets (the length word is checked before anything is
 * allocated), fds received with SCM_RIGHTS are matched to the dummy bytes
 * that follow a *_WITH_FDS packet, and each complete packet is handed to the
 * receive callback, header decoded.
 *
 * Output may be queued from any thread.  The sending thread writes at once
 * when the queue was empty (no hand-off on the hot path), unless the output
 * is held (mv_rpc_conn_cork); queued packets leave together, several per
 * sendmsg().  Whatever the socket does not take is finished from the context
 * when it becomes writable.  The socket is watched through the context's
 * poller (poller.h), one source for all of them.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "rpc/message.h"

typedef struct _MvRpcConn MvRpcConn;

/* Takes ownership of @msg. */
typedef void (*MvRpcConnRecvFunc)(MvRpcConn *conn, MvMessage *msg, gpointer opaque);
/* Called once, on the context's thread, when the connection is gone. */
typedef void (*MvRpcConnCloseFunc)(MvRpcConn *conn, gpointer opaque);
typedef void (*MvRpcConnDrainFunc)(MvRpcConn *conn, gpointer opaque);

MvRpcConn *mv_rpc_conn_new(int fd, GMainContext *ctx);
MvRpcConn *mv_rpc_conn_ref(MvRpcConn *conn);
void mv_rpc_conn_unref(MvRpcConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRpcConn, mv_rpc_conn_unref)

void mv_rpc_conn_set_callbacks(MvRpcConn *conn, MvRpcConnRecvFunc recv_cb,
                               MvRpcConnCloseFunc close_cb, gpointer opaque);
/* Start watching the socket. */
void mv_rpc_conn_start(MvRpcConn *conn);

/* Queue @msg (ownership taken).  Returns FALSE (and frees it) when closed. */
gboolean mv_rpc_conn_send(MvRpcConn *conn, MvMessage *msg);
/*
 * Hold output back: what is sent meanwhile is queued and goes out in as few
 * writes as possible when the last hold is released (holds nest).  For the
 * context's thread, for the span of a callback: the connection holds its own
 * output so while it handles the packets of one read, so that the replies
 * to pipelined calls leave together.
 */
void mv_rpc_conn_cork(MvRpcConn *conn);
void mv_rpc_conn_uncork(MvRpcConn *conn);
/*
 * The connection carries a stream: let the kernel hold a few whole stream
 * packets (256 KiB each) of its output, instead of its default ~200 KiB, so
 * that bulk data goes out in one write per packet.  Thread-safe, idempotent.
 */
void mv_rpc_conn_set_bulk(MvRpcConn *conn);
/* Stop or resume reading; nests (each pause needs a resume).  Thread-safe. */
void mv_rpc_conn_pause(MvRpcConn *conn);
void mv_rpc_conn_resume(MvRpcConn *conn);
gboolean mv_rpc_conn_is_paused(MvRpcConn *conn);
/*
 * Stop reading while more than @limit bytes of output are queued, until
 * half of it is written (0: never).  For the server end of a connection
 * only: a peer that sends without reading must not make us queue without
 * bound.  Never on both ends, which could then wait for each other.
 */
void mv_rpc_conn_set_output_gate(MvRpcConn *conn, gsize limit);
/*
 * Call @func once, on the context's thread, as soon as at most @low bytes
 * of output are queued (on the next iteration if that is already so): for
 * a sender that stopped feeding a slow peer and waits to go on.  Replaces
 * an earlier request; never called once the connection is closing.
 * Thread-safe.
 */
void mv_rpc_conn_notify_drained(MvRpcConn *conn, gsize low, MvRpcConnDrainFunc func,
                                gpointer opaque);
/* Close now; pending output is dropped.  Thread-safe. */
void mv_rpc_conn_close(MvRpcConn *conn);
/* Close once everything queued so far has been written.  Thread-safe. */
void mv_rpc_conn_close_after_flush(MvRpcConn *conn);
gboolean mv_rpc_conn_is_closed(MvRpcConn *conn);

/* Bytes queued and not yet written. */
gsize mv_rpc_conn_queued_bytes(MvRpcConn *conn);
/* Of which bytes of packets marked MvMessage.event. */
gsize mv_rpc_conn_queued_event_bytes(MvRpcConn *conn);
/* Block (not on the context's thread!) until at most @max bytes are queued
 * or the connection closed.  Returns FALSE when closed. */
gboolean mv_rpc_conn_wait_queue(MvRpcConn *conn, gsize max);

int mv_rpc_conn_get_fd(MvRpcConn *conn);
void mv_rpc_conn_get_peer(MvRpcConn *conn, uid_t *uid, gid_t *gid, pid_t *pid);
/* Monotonic time (µs) of the last byte received. */
gint64 mv_rpc_conn_last_rx(MvRpcConn *conn);
