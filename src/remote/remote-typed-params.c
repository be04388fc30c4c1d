/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "remote/remote-typed-params.h"
#include "util/error.h"

void
typed_params_init(TypedParams *tp)
{
    tp->params = g_array_new(FALSE, TRUE, sizeof(remote_typed_param));
}

void
typed_params_clear(TypedParams *tp)
{
    if (!tp->params)
        return;
    for (guint i = 0; i < tp->params->len; i++)
        xdr_free((xdrproc_t)xdr_remote_typed_param,
                 (char *)&g_array_index(tp->params, remote_typed_param, i));
    g_array_unref(tp->params);
    tp->params = NULL;
}

static remote_typed_param *
typed_params_append(TypedParams *tp, const char *field, int type)
{
    remote_typed_param p = { 0 };

    /* Allocated with malloc: xdr_free() releases these. */
    p.field = strdup(field);
    p.value.type = type;
    g_array_append_val(tp->params, p);
    return &g_array_index(tp->params, remote_typed_param, tp->params->len - 1);
}

void
typed_params_add_int(TypedParams *tp, const char *field, int v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_INT)->value.remote_typed_param_value_u.i = v;
}

void
typed_params_add_uint(TypedParams *tp, const char *field, unsigned int v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_UINT)->value.remote_typed_param_value_u.ui = v;
}

void
typed_params_add_llong(TypedParams *tp, const char *field, gint64 v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_LLONG)->value.remote_typed_param_value_u.l = v;
}

void
typed_params_add_ullong(TypedParams *tp, const char *field, guint64 v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_ULLONG)->value.remote_typed_param_value_u.ul = v;
}

void
typed_params_add_double(TypedParams *tp, const char *field, double v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_DOUBLE)->value.remote_typed_param_value_u.d = v;
}

void
typed_params_add_boolean(TypedParams *tp, const char *field, gboolean v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_BOOLEAN)->value.remote_typed_param_value_u.b =
        v ? 1 : 0;
}

void
typed_params_add_string(TypedParams *tp, const char *field, const char *v)
{
    typed_params_append(tp, field, MV_TYPED_PARAM_STRING)->value.remote_typed_param_value_u.s =
        strdup(v ? v : "");
}

void
typed_params_steal(TypedParams *tp, remote_typed_param **ret_val, u_int *ret_len)
{
    gsize n = tp->params->len;
    remote_typed_param *out = malloc(sizeof(remote_typed_param) * (n ? n : 1));

    if (n)
        memcpy(out, tp->params->data, sizeof(remote_typed_param) * n);
    g_array_set_size(tp->params, 0);
    *ret_val = out;
    *ret_len = n;
}

const remote_typed_param *
typed_params_find(const remote_typed_param *params, u_int n, const char *field)
{
    for (u_int i = 0; i < n; i++) {
        if (params[i].field && g_str_equal(params[i].field, field))
            return &params[i];
    }
    return NULL;
}

static gboolean
typed_params_type_error(const char *field, int want, int got, GError **error)
{
    mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                 "invalid type for parameter '%s': expected %d, got %d", field, want, got);
    return FALSE;
}

gboolean
typed_params_get_uint(const remote_typed_param *params, u_int n, const char *field, guint *ret,
                      GError **error)
{
    const remote_typed_param *p = typed_params_find(params, n, field);

    if (!p)
        return FALSE;
    if (p->value.type != MV_TYPED_PARAM_UINT)
        return typed_params_type_error(field, MV_TYPED_PARAM_UINT, p->value.type, error);
    *ret = p->value.remote_typed_param_value_u.ui;
    return TRUE;
}

gboolean
typed_params_get_ullong(const remote_typed_param *params, u_int n, const char *field,
                        guint64 *ret, GError **error)
{
    const remote_typed_param *p = typed_params_find(params, n, field);

    if (!p)
        return FALSE;
    if (p->value.type != MV_TYPED_PARAM_ULLONG)
        return typed_params_type_error(field, MV_TYPED_PARAM_ULLONG, p->value.type, error);
    *ret = p->value.remote_typed_param_value_u.ul;
    return TRUE;
}

gboolean
typed_params_get_llong(const remote_typed_param *params, u_int n, const char *field,
                       gint64 *ret, GError **error)
{
    const remote_typed_param *p = typed_params_find(params, n, field);

    if (!p)
        return FALSE;
    if (p->value.type != MV_TYPED_PARAM_LLONG)
        return typed_params_type_error(field, MV_TYPED_PARAM_LLONG, p->value.type, error);
    *ret = p->value.remote_typed_param_value_u.l;
    return TRUE;
}

const char *
typed_params_get_string(const remote_typed_param *params, u_int n, const char *field)
{
    const remote_typed_param *p = typed_params_find(params, n, field);

    if (!p || p->value.type != MV_TYPED_PARAM_STRING)
        return NULL;
    return p->value.remote_typed_param_value_u.s;
}
