/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.h: the client end of an RPC connection.
 *
 * All client connections of a process share one I/O thread.  Calls are
 * synchronous and may be made from any thread; replies are matched by serial,
 * so calls from several threads overlap on one connection.  Events and
 * stream data are delivered from the I/O thread.
 */
#pragma once

#include <glib.h>

#include "rpc/message.h"

typedef struct _MvRpcClient MvRpcClient;
typedef struct _MvRpcClientStream MvRpcClientStream;

/* An event (MESSAGE packet) other than keepalive.  I/O thread; borrows @msg. */
typedef void (*MvRpcClientEventFunc)(MvRpcClient *client, MvMessage *msg, gpointer opaque);
/* The connection is gone.  I/O thread.  @reason: 0 eof, 1 error, 2 keepalive, 3 client. */
typedef void (*MvRpcClientCloseFunc)(MvRpcClient *client, int reason, gpointer opaque);

enum {
    MV_RPC_CLOSE_EOF = 0,
    MV_RPC_CLOSE_ERROR = 1,
    MV_RPC_CLOSE_KEEPALIVE = 2,
    MV_RPC_CLOSE_CLIENT = 3,
};

/* Connect to a UNIX socket (blocking).  Returns the fd, or -1 with errno
 * and @error set. */
int mv_rpc_socket_connect_unix(const char *path, GError **error);
/* The same, the socket non-blocking when @nonblock; returns the fd or
 * -errno (-EAGAIN: the listener's backlog is full). */
int mv_rpc_socket_connect(const char *path, gboolean nonblock, GError **error);
/*
 * Connect to @path; if nobody listens there, start @binary (found with
 * mv_command_find_daemon) with @extra_args under a lock, and retry for up
 * to five seconds.  @log_path receives the daemon's stderr.
 */
int mv_rpc_socket_connect_autostart(const char *path, const char *binary,
                                    const char *const *extra_args, const char *log_path,
                                    GError **error);

MvRpcClient *mv_rpc_client_new_fd(int fd);
MvRpcClient *mv_rpc_client_new_unix(const char *path, GError **error);
MvRpcClient *mv_rpc_client_ref(MvRpcClient *client);
void mv_rpc_client_unref(MvRpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRpcClient, mv_rpc_client_unref)

void mv_rpc_client_set_event_func(MvRpcClient *client, MvRpcClientEventFunc func,
                                  gpointer opaque, GDestroyNotify destroy);
void mv_rpc_client_set_close_func(MvRpcClient *client, MvRpcClientCloseFunc func,
                                  gpointer opaque, GDestroyNotify destroy);

gboolean mv_rpc_client_call(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                            xdrproc_t args_filter, void *args, xdrproc_t ret_filter, void *ret,
                            GError **error);
/*
 * The general form: fds sent with the call (CALL_WITH_FDS; dup'ed, the
 * caller keeps its own), fds received with the reply (*ret_fds, caller
 * owns them), and a stream bound to the call's serial.
 */
gboolean mv_rpc_client_call_full(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                                 const int *fds, guint nfds, xdrproc_t args_filter, void *args,
                                 xdrproc_t ret_filter, void *ret, int **ret_fds,
                                 guint *ret_nfds, MvRpcClientStream *stream, GError **error);

/* Ping the server after @interval seconds of silence; give up after @count
 * unanswered pings.  0 disables. */
void mv_rpc_client_set_keepalive(MvRpcClient *client, guint interval, guint count);
void mv_rpc_client_close(MvRpcClient *client);
gboolean mv_rpc_client_is_open(MvRpcClient *client);
/* Give up on a call after @ms milliseconds (0: wait forever). */
void mv_rpc_client_set_call_timeout(MvRpcClient *client, guint ms);
/* A read-only connection (VIR_CONNECT_RO): the generated stubs of write
 * procedures refuse to send, as libvirt's client does.  Never undone. */
void mv_rpc_client_set_readonly(MvRpcClient *client);
gboolean mv_rpc_client_is_readonly(MvRpcClient *client);

/* ---- streams ------------------------------------------------------------ */

MvRpcClientStream *mv_rpc_client_stream_new(MvRpcClient *client);
MvRpcClientStream *mv_rpc_client_stream_ref(MvRpcClientStream *st);
void mv_rpc_client_stream_unref(MvRpcClientStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRpcClientStream, mv_rpc_client_stream_unref)

/*
 * Receive: returns the number of bytes copied to @buf, 0 at the end of the
 * stream, -1 on error, -2 when @nonblock and nothing is there yet.
 * With @ret_hole, a hole is reported by returning 0 with *ret_hole set to
 * its length (*ret_hole is 0 at the end of the stream); without it, holes
 * are read as zeros.
 */
gssize mv_rpc_client_stream_recv(MvRpcClientStream *st, void *buf, gsize len, gboolean nonblock,
                                 gint64 *ret_hole, GError **error);
gboolean mv_rpc_client_stream_send(MvRpcClientStream *st, const void *data, gsize len,
                                   GError **error);
gboolean mv_rpc_client_stream_send_hole(MvRpcClientStream *st, gint64 length, GError **error);
/* Send "finish" and wait for the server to confirm (or report an error). */
gboolean mv_rpc_client_stream_finish(MvRpcClientStream *st, GError **error);
/* Abort: nothing is sent when the server already ended the stream. */
void mv_rpc_client_stream_abort(MvRpcClientStream *st);
/* Called on the I/O thread whenever something arrives on the stream.
 * Returns once no call of the previous function runs on another thread,
 * so its opaque may be freed right after. */
void mv_rpc_client_stream_set_notify(MvRpcClientStream *st, void (*func)(gpointer opaque),
                                     gpointer opaque);
