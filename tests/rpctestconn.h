/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpctestconn.h: an MvRpcConn on one end of a socketpair, on a private
 * main context, for the unit tests of src/rpc (the test writes raw bytes
 * to @peer and iterates @ctx).
 */
#pragma once

#include <glib.h>

#include "rpc/conn.h"

typedef struct {
    GMainContext *ctx;
    MvRpcConn *conn;
    int peer;                    /* the other end; -1 once the test closed it */
    GPtrArray *received;         /* MvMessage, in arrival order */
    gboolean closed;             /* the connection's close callback ran */
} RpcTestConn;

void rpc_test_conn_open(RpcTestConn *f);
/* Close the connection, let every source finish, free everything. */
void rpc_test_conn_close(RpcTestConn *f);
