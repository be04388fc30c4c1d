/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt-stream.h: data streams (volume upload and download, consoles).
 *
 * A stream is created unbound, then handed to the call that opens it
 * (mv_storage_vol_upload(), mv_domain_open_console()...).  Data then flows
 * over the connection until mv_stream_finish() or mv_stream_abort().
 */
#pragma once

#include <modvirt/modvirt-common.h>
#include <modvirt/modvirt-connect.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MvStream:
 *
 * Opaque; one thread at a time.
 *
 * Since: 0.1
 */
typedef struct _MvStream MvStream;

/**
 * MvStreamFlags:
 * @MV_STREAM_NONBLOCK: mv_stream_recv() returns -2 instead of waiting
 *
 * Since: 0.1
 */
typedef enum {
    MV_STREAM_NONBLOCK = 1 << 0,
} MvStreamFlags;

/**
 * MvStreamRecvFlagsValues:
 * @MV_STREAM_RECV_STOP_AT_HOLE: return -3 when a hole comes next, instead
 *   of reading it as zeros; mv_stream_recv_hole() then takes it
 *
 * Since: 0.1
 */
typedef enum {
    MV_STREAM_RECV_STOP_AT_HOLE = 1 << 0,
} MvStreamRecvFlagsValues;

/**
 * mv_stream_new:
 * @conn: the connection the stream will run on (referenced)
 * @flags: bitwise-OR of #MvStreamFlags
 *
 * Returns: a new stream, or NULL.
 * Since: 0.1
 */
MV_PUBLIC MvStream *mv_stream_new(MvConnect *conn, unsigned int flags);
/** mv_stream_ref: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_stream_ref(MvStream *st);
/**
 * mv_stream_free:
 *
 * Drops a reference.  A stream still open when the last goes is aborted.
 *
 * Returns: 0, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_free(MvStream *st);

/**
 * mv_stream_send:
 * @data: the bytes
 * @nbytes: how many
 *
 * Queues @data for the server, blocking while too much is queued already.
 *
 * Returns: @nbytes, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_send(MvStream *st, const char *data, size_t nbytes);
/**
 * mv_stream_recv:
 * @data: where to store
 * @nbytes: room in @data
 *
 * Holes of a sparse stream are read as zeros.
 *
 * Returns: the number of bytes stored, 0 at the end of the stream, -1 on
 * error, -2 if the stream is non-blocking and nothing is there yet.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_recv(MvStream *st, char *data, size_t nbytes);
/**
 * mv_stream_recv_flags:
 * @flags: bitwise-OR of #MvStreamRecvFlagsValues
 *
 * Like mv_stream_recv(); with MV_STREAM_RECV_STOP_AT_HOLE it returns -3
 * when a hole is next.
 *
 * Returns: as mv_stream_recv(), or -3.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_recv_flags(MvStream *st, char *data, size_t nbytes,
                                   unsigned int flags);
/**
 * mv_stream_recv_hole:
 * @length: (out): the length of the hole
 * @flags: 0
 *
 * Takes the hole that made mv_stream_recv_flags() return -3.  Without a
 * pending hole, sets @length to 0.
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_recv_hole(MvStream *st, long long *length, unsigned int flags);
/** mv_stream_send_hole: send a hole of @length bytes (sparse streams).  @flags: 0.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_stream_send_hole(MvStream *st, long long length, unsigned int flags);

/**
 * mv_stream_get_fd:
 *
 * A file descriptor (owned by the stream) that becomes readable whenever
 * something arrives on the stream: data, its end, or an error.
 * mv_stream_recv() resets it, so poll it, then receive until -2.
 *
 * Returns: the fd, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_get_fd(MvStream *st);

/**
 * mv_stream_finish:
 *
 * Ends the stream: tells the server we are done (after sending everything,
 * or after mv_stream_recv() returned 0) and waits for its confirmation,
 * which reports any error it had.
 *
 * Returns: 0, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_stream_finish(MvStream *st);
/** mv_stream_abort: give up on the stream.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_stream_abort(MvStream *st);

#ifdef __cplusplus
}
#endif
