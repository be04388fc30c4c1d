/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/socket.h>
#include <unistd.h>

#include "rpctestconn.h"

static void
rpc_test_conn_recv(MvRpcConn *conn, MvMessage *msg, gpointer opaque)
{
    g_ptr_array_add(((RpcTestConn *)opaque)->received, msg);
}

static void
rpc_test_conn_closed(MvRpcConn *conn, gpointer opaque)
{
    ((RpcTestConn *)opaque)->closed = TRUE;
}

void
rpc_test_conn_open(RpcTestConn *f)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    f->ctx = g_main_context_new();
    f->conn = mv_rpc_conn_new(sv[0], f->ctx);
    f->peer = sv[1];
    f->received = g_ptr_array_new_with_free_func((GDestroyNotify)mv_message_free);
    f->closed = FALSE;
    mv_rpc_conn_set_callbacks(f->conn, rpc_test_conn_recv, rpc_test_conn_closed, f);
    mv_rpc_conn_start(f->conn);
}

void
rpc_test_conn_close(RpcTestConn *f)
{
    mv_rpc_conn_close(f->conn);
    while (!f->closed && g_main_context_iteration(f->ctx, FALSE))
        ;
    mv_rpc_conn_unref(f->conn);
    if (f->peer >= 0)
        close(f->peer);
    /* Let the sources' finalizers run before the context goes. */
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    g_main_context_unref(f->ctx);
    g_ptr_array_unref(f->received);
}
