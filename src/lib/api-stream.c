/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-stream.c: MvStream over the RPC client's streams, and the calls that
 * open one on a domain (the console).
 */
#include <config.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/lib-objects.h"
#include "util/error.h"

/* The check of ref and free: they leave the last error alone. */
static gboolean
stream_check_handle(const char *func, MvStream *st)
{
    if (!st || !st->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_INVALID_STREAM, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_stream(const char *func, MvStream *st)
{
    mv_lib_reset_error();
    if (!st || !st->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_INVALID_STREAM, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

static void
stream_error(int code, const char *msg)
{
    GError *error = NULL;

    mv_error_set(&error, MV_FROM_STREAMS, code, "%s", msg);
    mv_lib_set_error(error);
}

/* On the I/O thread: something arrived. */
static void
stream_notify(gpointer opaque)
{
    MvStream *st = opaque;
    guint64 one = 1;

    if (st->notify_fd >= 0)
        (void)!write(st->notify_fd, &one, sizeof(one));
}

/*
 * Give up on a bound stream.  NB: once the server has failed the stream it
 * has forgotten it, so an abort packet would never be confirmed; the rpc
 * finish then only releases the stream (it knows the error).
 */
static void
stream_abort_rpc(MvStream *st)
{
    if (!st->bound || st->done)
        return;
    if (st->failed)
        mv_rpc_client_stream_finish(st->rpc, NULL);
    else
        mv_rpc_client_stream_abort(st->rpc);
}

MvStream *
mv_stream_new(MvConnect *conn, unsigned int flags)
{
    MvStream *st;

    if (!mv_lib_check_conn("mv_stream_new", conn) ||
        !mv_lib_check_flags("mv_stream_new", flags, MV_STREAM_NONBLOCK))
        return NULL;
    st = g_new0(MvStream, 1);
    st->ref = 1;
    mv_connect_ref(conn);
    st->conn = conn;
    st->flags = flags;
    st->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    st->rpc = mv_rpc_client_stream_new(conn->client);
    mv_rpc_client_stream_set_notify(st->rpc, stream_notify, st);
    return st;
}

int
mv_stream_ref(MvStream *st)
{
    if (!stream_check_handle("mv_stream_ref", st))
        return -1;
    g_atomic_int_inc(&st->ref);
    return 0;
}

int
mv_stream_free(MvStream *st)
{
    if (!stream_check_handle("mv_stream_free", st))
        return -1;
    if (!g_atomic_int_dec_and_test(&st->ref))
        return 0;
    stream_abort_rpc(st);
    /* No more notifications into a stream that is going. */
    mv_rpc_client_stream_set_notify(st->rpc, NULL, NULL);
    mv_rpc_client_stream_unref(st->rpc);
    if (st->notify_fd >= 0)
        close(st->notify_fd);
    mv_connect_close(st->conn);
    g_free(st);
    return 0;
}

gboolean
mv_lib_stream_open_call(MvStream *st, MvConnect *conn, int proc, xdrproc_t args_filter,
                        void *args, GError **error)
{
    if (st->conn != conn) {
        mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_ARG,
                     "the stream belongs to another connection");
        return FALSE;
    }
    if (st->bound) {
        mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_STREAM,
                     "the stream is already in use");
        return FALSE;
    }
    /* Every stream procedure (console, upload, download) is a write one. */
    if (!mv_lib_check_writable(conn, proc, error))
        return FALSE;
    if (!mv_rpc_client_call_full(conn->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc,
                                 NULL, 0, args_filter, args, NULL, NULL, NULL, NULL, st->rpc,
                                 error))
        return FALSE;
    st->bound = TRUE;
    return TRUE;
}

static gboolean
stream_check_open(const char *func, MvStream *st)
{
    if (!mv_lib_check_stream(func, st))
        return FALSE;
    if (!st->bound || st->done) {
        stream_error(MV_ERR_INVALID_STREAM, st->done ? "the stream is closed"
                                                     : "the stream is not open");
        return FALSE;
    }
    return TRUE;
}

int
mv_stream_send(MvStream *st, const char *data, size_t nbytes)
{
    g_autoptr(GError) error = NULL;

    if (!stream_check_open("mv_stream_send", st))
        return -1;
    if (!data && nbytes > 0) {
        mv_lib_error_null_arg("mv_stream_send", "data");
        return -1;
    }
    if (nbytes > G_MAXINT) {
        mv_lib_error_invalid_arg("mv_stream_send", "nbytes is too large");
        return -1;
    }
    if (!mv_rpc_client_stream_send(st->rpc, data, nbytes, &error)) {
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    return (int)nbytes;
}

int
mv_stream_send_hole(MvStream *st, long long length, unsigned int flags)
{
    g_autoptr(GError) error = NULL;

    if (!stream_check_open("mv_stream_send_hole", st) ||
        !mv_lib_check_flags("mv_stream_send_hole", flags, 0))
        return -1;
    if (length < 0) {
        mv_lib_error_invalid_arg("mv_stream_send_hole", "length must not be negative");
        return -1;
    }
    if (!mv_rpc_client_stream_send_hole(st->rpc, length, &error)) {
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    return 0;
}

/* Reset the notification fd before looking: what arrives later sets it
 * again, so a poller never misses data. */
static void
stream_drain_notify(MvStream *st)
{
    guint64 v;

    if (st->notify_fd >= 0)
        (void)!read(st->notify_fd, &v, sizeof(v));
}

int
mv_stream_recv_flags(MvStream *st, char *data, size_t nbytes, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    gboolean nonblock;
    gint64 hole = 0;
    gssize r;

    if (!stream_check_open("mv_stream_recv_flags", st) ||
        !mv_lib_check_flags("mv_stream_recv_flags", flags, MV_STREAM_RECV_STOP_AT_HOLE))
        return -1;
    if (!data && nbytes > 0) {
        mv_lib_error_null_arg("mv_stream_recv_flags", "data");
        return -1;
    }
    nbytes = MIN(nbytes, (size_t)G_MAXINT);
    if (st->pending_hole > 0) {
        if (flags & MV_STREAM_RECV_STOP_AT_HOLE)
            return -3;
        r = (gssize)MIN((gint64)nbytes, st->pending_hole);
        memset(data, 0, r);
        st->pending_hole -= r;
        return (int)r;
    }
    nonblock = (st->flags & MV_STREAM_NONBLOCK) != 0;
    stream_drain_notify(st);
    r = mv_rpc_client_stream_recv(st->rpc, data, nbytes, nonblock,
                                  (flags & MV_STREAM_RECV_STOP_AT_HOLE) ? &hole : NULL,
                                  &error);
    if (r == 0 && hole > 0) {
        st->pending_hole = hole;
        return -3;
    }
    if (r == -1) {
        st->failed = TRUE;
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    return (int)r;
}

int
mv_stream_recv(MvStream *st, char *data, size_t nbytes)
{
    return mv_stream_recv_flags(st, data, nbytes, 0);
}

int
mv_stream_recv_hole(MvStream *st, long long *length, unsigned int flags)
{
    if (!stream_check_open("mv_stream_recv_hole", st) ||
        !mv_lib_check_flags("mv_stream_recv_hole", flags, 0))
        return -1;
    if (!length) {
        mv_lib_error_null_arg("mv_stream_recv_hole", "length");
        return -1;
    }
    *length = st->pending_hole;
    st->pending_hole = 0;
    return 0;
}

int
mv_stream_get_fd(MvStream *st)
{
    if (!mv_lib_check_stream("mv_stream_get_fd", st))
        return -1;
    if (st->notify_fd < 0) {
        stream_error(MV_ERR_SYSTEM_ERROR, "cannot create the stream's notification fd");
        return -1;
    }
    return st->notify_fd;
}

int
mv_stream_finish(MvStream *st)
{
    g_autoptr(GError) error = NULL;

    if (!stream_check_open("mv_stream_finish", st))
        return -1;
    st->done = TRUE;
    if (!mv_rpc_client_stream_finish(st->rpc, &error)) {
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    return 0;
}

int
mv_stream_abort(MvStream *st)
{
    if (!mv_lib_check_stream("mv_stream_abort", st))
        return -1;
    stream_abort_rpc(st);
    st->done = TRUE;
    return 0;
}

/* ---- domain console ------------------------------------------------------ */

int
mv_domain_open_console(MvDomain *dom, const char *dev_name, MvStream *st, unsigned int flags)
{
    remote_domain_open_console_args args;
    char *name = (char *)dev_name;

    if (!mv_lib_check_domain("mv_domain_open_console", dom) ||
        !mv_lib_check_flags("mv_domain_open_console", flags,
                            MV_DOMAIN_CONSOLE_FORCE | MV_DOMAIN_CONSOLE_SAFE))
        return -1;
    if (!st) {
        mv_lib_error_null_arg("mv_domain_open_console", "st");
        return -1;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    args.dev_name = dev_name ? &name : NULL;
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, mv_lib_stream_open_call(st, dom->conn,
                                                        REMOTE_PROC_DOMAIN_OPEN_CONSOLE,
                                                        (xdrproc_t)xdr_remote_domain_open_console_args,
                                                        &args, &_err)))
        return -1;
    return 0;
}
