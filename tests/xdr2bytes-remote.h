/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes-remote.h: object handles and message shapes of the remote
 * program, shared by the vector tables of xdr2bytes-*.c.
 *
 * Most messages are an object handle, maybe followed by flags, or a single
 * value.  One XV_SHAPE_* line defines build_<type> and eq_<type> for such a
 * message; its table entry then names the shared .hex file of the shape
 * (the bytes are the same whatever the procedure):
 *
 *   remote-nonnull-domain      XV_SHAPE_DOM        the handle of "demo", id 5
 *   remote-dom-flags           XV_SHAPE_DOM_FLAGS  that handle, flags 3
 *   remote-pool                XV_SHAPE_POOL       pool "default"
 *   remote-pool-flags          XV_SHAPE_POOL_FLAGS that pool, flags 3
 *   remote-vol                 XV_SHAPE_VOL        volume disk.qcow2 of "default"
 *   remote-vol-flags           XV_SHAPE_VOL_FLAGS  that volume, flags 3
 *   remote-int                 XV_SHAPE_INT        a single int, 7
 *   remote-nstr                XV_SHAPE_STR        a single string, "demo"
 *   remote-nstr-flags          XV_SHAPE_STR_FLAGS  "<domain/>", flags 3
 *   remote-uuid                XV_SHAPE_UUID       the 16 bytes of xv_uuid
 *   remote-names               XV_SHAPE_NAMES      the strings "a" and "bc"
 *   remote-list-all-args       XV_SHAPE_LIST_ALL   need_results 1, flags 3
 */
#pragma once

#include <glib.h>

#include "remote-protocol.h"
#include "xdr2bytes.h"

/* NB: builders store pointers to literals; built objects are only encoded. */
#define XV_S(lit) ((char *)(lit))

#define XV_FLAGS 3
#define XV_INT 7

/* name "demo", xv_uuid, id 5 */
void xv_build_dom(remote_nonnull_domain *dom);
void xv_eq_dom(const remote_nonnull_domain *a, const remote_nonnull_domain *b);
/* name "default", xv_uuid */
void xv_build_pool(remote_nonnull_storage_pool *pool);
void xv_eq_pool(const remote_nonnull_storage_pool *a, const remote_nonnull_storage_pool *b);
/* pool "default", name "disk.qcow2", key "/var/lib/modvirt/images/disk.qcow2" */
void xv_build_vol(remote_nonnull_storage_vol *vol);
void xv_eq_vol(const remote_nonnull_storage_vol *a, const remote_nonnull_storage_vol *b);
void xv_eq_typed_param(const remote_typed_param *a, const remote_typed_param *b);

#define XV_SHAPE_HANDLE(T, member, kind) \
    static void \
    build_##T(void *obj) \
    { \
        xv_build_##kind(&((T *)obj)->member); \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        xv_eq_##kind(&((const T *)a)->member, &((const T *)b)->member); \
    }

#define XV_SHAPE_HANDLE_FLAGS(T, member, kind) \
    static void \
    build_##T(void *obj) \
    { \
        xv_build_##kind(&((T *)obj)->member); \
        ((T *)obj)->flags = XV_FLAGS; \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        xv_eq_##kind(&((const T *)a)->member, &((const T *)b)->member); \
        g_assert_cmpuint(((const T *)a)->flags, ==, ((const T *)b)->flags); \
    }

#define XV_SHAPE_DOM(type) XV_SHAPE_HANDLE(type, dom, dom)
#define XV_SHAPE_DOM_FLAGS(type) XV_SHAPE_HANDLE_FLAGS(type, dom, dom)
#define XV_SHAPE_POOL(type) XV_SHAPE_HANDLE(type, pool, pool)
#define XV_SHAPE_POOL_FLAGS(type) XV_SHAPE_HANDLE_FLAGS(type, pool, pool)
#define XV_SHAPE_VOL(type) XV_SHAPE_HANDLE(type, vol, vol)
#define XV_SHAPE_VOL_FLAGS(type) XV_SHAPE_HANDLE_FLAGS(type, vol, vol)

#define XV_SHAPE_INT(T, field) \
    static void \
    build_##T(void *obj) \
    { \
        ((T *)obj)->field = XV_INT; \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        g_assert_cmpint(((const T *)a)->field, ==, ((const T *)b)->field); \
    }

#define XV_SHAPE_STR(T, field) \
    static void \
    build_##T(void *obj) \
    { \
        ((T *)obj)->field = XV_S("demo"); \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        xv_eq_str(((const T *)a)->field, ((const T *)b)->field); \
    }

#define XV_SHAPE_STR_FLAGS(T, field) \
    static void \
    build_##T(void *obj) \
    { \
        ((T *)obj)->field = XV_S("<domain/>"); \
        ((T *)obj)->flags = XV_FLAGS; \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        xv_eq_str(((const T *)a)->field, ((const T *)b)->field); \
        g_assert_cmpuint(((const T *)a)->flags, ==, ((const T *)b)->flags); \
    }

#define XV_SHAPE_UUID(T) \
    static void \
    build_##T(void *obj) \
    { \
        memcpy(((T *)obj)->uuid, xv_uuid, 16); \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        xv_eq_bytes(((const T *)a)->uuid, ((const T *)b)->uuid, 16); \
    }

#define XV_SHAPE_NAMES(T, field) \
    static void \
    build_##T(void *obj) \
    { \
        static char *names[] = { XV_S("a"), XV_S("bc") }; \
        ((T *)obj)->field.field##_len = 2; \
        ((T *)obj)->field.field##_val = names; \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        const T *pa = a, *pb = b; \
        g_assert_cmpuint(pa->field.field##_len, ==, pb->field.field##_len); \
        for (u_int i = 0; i < pa->field.field##_len; i++) \
            xv_eq_str(pa->field.field##_val[i], pb->field.field##_val[i]); \
    }

#define XV_SHAPE_LIST_ALL(T) \
    static void \
    build_##T(void *obj) \
    { \
        ((T *)obj)->need_results = 1; \
        ((T *)obj)->flags = XV_FLAGS; \
    } \
    static void \
    eq_##T(const void *a, const void *b) \
    { \
        g_assert_cmpint(((const T *)a)->need_results, ==, ((const T *)b)->need_results); \
        g_assert_cmpuint(((const T *)a)->flags, ==, ((const T *)b)->flags); \
    }
