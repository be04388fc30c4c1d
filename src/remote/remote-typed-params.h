/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote-typed-params.h: building and reading typed parameter lists (the
 * remote and admin programs share the wire layout).
 */
#pragma once

#include <glib.h>

#include "remote-protocol.h"

typedef enum {
    MV_TYPED_PARAM_INT = 1,
    MV_TYPED_PARAM_UINT = 2,
    MV_TYPED_PARAM_LLONG = 3,
    MV_TYPED_PARAM_ULLONG = 4,
    MV_TYPED_PARAM_DOUBLE = 5,
    MV_TYPED_PARAM_BOOLEAN = 6,
    MV_TYPED_PARAM_STRING = 7,
} MvTypedParamType;

/* A growable list of remote_typed_param; hand it to a ret struct with
 * typed_params_steal(). */
typedef struct {
    GArray *params;  /* remote_typed_param */
} TypedParams;

void typed_params_init(TypedParams *tp);
void typed_params_clear(TypedParams *tp);
void typed_params_add_int(TypedParams *tp, const char *field, int v);
void typed_params_add_uint(TypedParams *tp, const char *field, unsigned int v);
void typed_params_add_llong(TypedParams *tp, const char *field, gint64 v);
void typed_params_add_ullong(TypedParams *tp, const char *field, guint64 v);
void typed_params_add_double(TypedParams *tp, const char *field, double v);
void typed_params_add_boolean(TypedParams *tp, const char *field, gboolean v);
void typed_params_add_string(TypedParams *tp, const char *field, const char *v);
/* Moves the array out: *ret_val is malloc'ed (xdr_free compatible). */
void typed_params_steal(TypedParams *tp, remote_typed_param **ret_val, u_int *ret_len);

/* Lookups in a received list; FALSE when absent.  A present parameter of
 * the wrong type is an error. */
const remote_typed_param *typed_params_find(const remote_typed_param *params, u_int n,
                                            const char *field);
gboolean typed_params_get_uint(const remote_typed_param *params, u_int n, const char *field,
                               guint *ret, GError **error);
gboolean typed_params_get_ullong(const remote_typed_param *params, u_int n, const char *field,
                                 guint64 *ret, GError **error);
gboolean typed_params_get_llong(const remote_typed_param *params, u_int n, const char *field,
                                gint64 *ret, GError **error);
const char *typed_params_get_string(const remote_typed_param *params, u_int n,
                                    const char *field);
