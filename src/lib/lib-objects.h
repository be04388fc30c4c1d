/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib-objects.h: libmodvirt's object handles (domains, pools, volumes,
 * streams) and their conversion to and from the wire structs.
 */
#pragma once

#include "lib/lib-priv.h"

struct _MvDomain {
    gint ref;
    MvConnect *conn;             /* a reference */
    char *name;
    unsigned char uuid[MV_UUID_BUFLEN];
    int id;                      /* -1 when inactive */
};

struct _MvStoragePool {
    gint ref;
    MvConnect *conn;
    char *name;
    unsigned char uuid[MV_UUID_BUFLEN];
};

struct _MvStorageVol {
    gint ref;
    MvConnect *conn;
    char *pool;                  /* the pool's name */
    char *name;
    char *key;
};

struct _MvStream {
    gint ref;
    MvConnect *conn;
    unsigned int flags;          /* MvStreamFlags */
    MvRpcClientStream *rpc;
    gboolean bound;              /* a call opened it */
    gboolean done;               /* finished or aborted */
    gboolean failed;             /* the server ended it with an error */
    int notify_fd;               /* eventfd, readable when something arrived */
    gint64 pending_hole;         /* a hole taken from the wire, not yet reported */
};

/* New handles from wire structs (which are only read). */
MvDomain *mv_lib_domain_new(MvConnect *conn, const remote_nonnull_domain *rdom);
MvStoragePool *mv_lib_pool_new(MvConnect *conn, const remote_nonnull_storage_pool *rpool);
MvStorageVol *mv_lib_vol_new(MvConnect *conn, const remote_nonnull_storage_vol *rvol);

/* Drop a reference without touching the thread's last error. */
void mv_lib_domain_unref(MvDomain *dom);
void mv_lib_pool_unref(MvStoragePool *pool);
void mv_lib_vol_unref(MvStorageVol *vol);

/* Fill a wire struct that borrows the handle's strings. */
void mv_lib_domain_to_remote(MvDomain *dom, remote_nonnull_domain *out);
void mv_lib_pool_to_remote(MvStoragePool *pool, remote_nonnull_storage_pool *out);
void mv_lib_vol_to_remote(MvStorageVol *vol, remote_nonnull_storage_vol *out);

/* Argument checks of the public entry points; they reset the last error
 * and record one on failure. */
gboolean mv_lib_check_domain(const char *func, MvDomain *dom);
gboolean mv_lib_check_pool(const char *func, MvStoragePool *pool);
gboolean mv_lib_check_vol(const char *func, MvStorageVol *vol);
gboolean mv_lib_check_stream(const char *func, MvStream *st);
/* Record "@what must not be NULL in @func" (INVALID_ARG). */
void mv_lib_error_null_arg(const char *func, const char *what);

/*
 * Make the call @proc that opens @st (@st must be new and of the same
 * connection), so that the stream's packets flow on that call's serial.
 */
gboolean mv_lib_stream_open_call(MvStream *st, MvConnect *conn, int proc, xdrproc_t args_filter,
                                 void *args, GError **error);
