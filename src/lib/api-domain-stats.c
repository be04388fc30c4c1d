/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-domain-stats.c: typed parameters and bulk domain statistics
 * (CONNECT_GET_ALL_DOMAIN_STATS).
 */
#include <config.h>

#include <string.h>

#include "lib/lib-objects.h"
#include "util/error.h"

char *
mv_typed_param_format(const MvTypedParam *param)
{
    if (!param)
        return NULL;
    switch ((MvTypedParamType)param->type) {
    case MV_TYPED_PARAM_INT:
        return g_strdup_printf("%d", param->value.i);
    case MV_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", param->value.ui);
    case MV_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", param->value.l);
    case MV_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", param->value.ul);
    case MV_TYPED_PARAM_DOUBLE:
        return g_strdup_printf("%f", param->value.d);
    case MV_TYPED_PARAM_BOOLEAN:
        return g_strdup(param->value.b ? "yes" : "no");
    case MV_TYPED_PARAM_STRING:
        return g_strdup(param->value.s ? param->value.s : "");
    default:
        return NULL;
    }
}

/* Fill @dst from the wire; FALSE for a type we do not know. */
static gboolean
stats_param_from_remote(MvTypedParam *dst, const remote_typed_param *src, GError **error)
{
    const remote_typed_param_value *v = &src->value;

    g_strlcpy(dst->field, src->field, sizeof(dst->field));
    dst->type = v->type;
    switch ((MvTypedParamType)v->type) {
    case MV_TYPED_PARAM_INT:
        dst->value.i = v->remote_typed_param_value_u.i;
        return TRUE;
    case MV_TYPED_PARAM_UINT:
        dst->value.ui = v->remote_typed_param_value_u.ui;
        return TRUE;
    case MV_TYPED_PARAM_LLONG:
        dst->value.l = v->remote_typed_param_value_u.l;
        return TRUE;
    case MV_TYPED_PARAM_ULLONG:
        dst->value.ul = v->remote_typed_param_value_u.ul;
        return TRUE;
    case MV_TYPED_PARAM_DOUBLE:
        dst->value.d = v->remote_typed_param_value_u.d;
        return TRUE;
    case MV_TYPED_PARAM_BOOLEAN:
        dst->value.b = v->remote_typed_param_value_u.b != 0;
        return TRUE;
    case MV_TYPED_PARAM_STRING:
        dst->value.s = g_strdup(v->remote_typed_param_value_u.s);
        return TRUE;
    default:
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "unknown parameter type %d of '%s'",
                     v->type, src->field);
        return FALSE;
    }
}

static void
stats_record_free(MvDomainStatsRecord *rec)
{
    if (!rec)
        return;
    for (int i = 0; i < rec->nparams; i++) {
        if (rec->params[i].type == MV_TYPED_PARAM_STRING)
            g_free(rec->params[i].value.s);
    }
    g_free(rec->params);
    if (rec->dom)
        mv_lib_domain_unref(rec->dom);
    g_free(rec);
}

void
mv_domain_stats_record_list_free(MvDomainStatsRecord **stats)
{
    if (!stats)
        return;
    for (MvDomainStatsRecord **r = stats; *r; r++)
        stats_record_free(*r);
    g_free(stats);
}

static MvDomainStatsRecord **
stats_from_remote(MvConnect *conn, const remote_connect_get_all_domain_stats_ret *ret,
                  GError **error)
{
    u_int n = ret->retStats.retStats_len;
    MvDomainStatsRecord **list = g_new0(MvDomainStatsRecord *, n + 1);

    for (u_int i = 0; i < n; i++) {
        const remote_domain_stats_record *src = &ret->retStats.retStats_val[i];
        MvDomainStatsRecord *rec = g_new0(MvDomainStatsRecord, 1);

        list[i] = rec;
        rec->dom = mv_lib_domain_new(conn, &src->dom);
        rec->params = g_new0(MvTypedParam, src->params.params_len + 1);
        for (u_int j = 0; j < src->params.params_len; j++) {
            if (!stats_param_from_remote(&rec->params[j], &src->params.params_val[j], error)) {
                mv_domain_stats_record_list_free(list);
                return NULL;
            }
            rec->nparams++;
        }
    }
    return list;
}

/* The call shared by both entry points; @doms borrowed. */
static int
stats_call(MvConnect *conn, remote_nonnull_domain *doms, u_int ndoms, unsigned int stats,
           MvDomainStatsRecord ***ret_stats, unsigned int flags)
{
    remote_connect_get_all_domain_stats_args args = { { ndoms, doms }, stats, flags };
    remote_connect_get_all_domain_stats_ret ret = { { 0 } };
    g_autoptr(GError) error = NULL;
    MvDomainStatsRecord **list;
    int n;

    if (!remote_call_connect_get_all_domain_stats(conn->client, &args, &ret, &error)) {
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    list = stats_from_remote(conn, &ret, &error);
    n = ret.retStats.retStats_len;
    xdr_free((xdrproc_t)xdr_remote_connect_get_all_domain_stats_ret, (char *)&ret);
    if (!list) {
        mv_lib_set_error(g_steal_pointer(&error));
        return -1;
    }
    *ret_stats = list;
    return n;
}

#define STATS_FILTERS 0xffu
#define STATS_MODIFIERS (MV_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT | \
                         MV_CONNECT_GET_ALL_DOMAINS_STATS_BACKING | \
                         MV_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)

int
mv_connect_get_all_domain_stats(MvConnect *conn, unsigned int stats,
                                MvDomainStatsRecord ***ret_stats, unsigned int flags)
{
    if (ret_stats)
        *ret_stats = NULL;
    if (!mv_lib_check_conn("mv_connect_get_all_domain_stats", conn) ||
        !mv_lib_check_flags("mv_connect_get_all_domain_stats", flags,
                            STATS_FILTERS | STATS_MODIFIERS))
        return -1;
    if (!ret_stats) {
        mv_lib_error_null_arg("mv_connect_get_all_domain_stats", "ret_stats");
        return -1;
    }
    return stats_call(conn, NULL, 0, stats, ret_stats, flags);
}

int
mv_domain_list_get_stats(MvDomain **doms, unsigned int stats,
                         MvDomainStatsRecord ***ret_stats, unsigned int flags)
{
    g_autofree remote_nonnull_domain *rdoms = NULL;
    MvConnect *conn;
    u_int n = 0;

    if (ret_stats)
        *ret_stats = NULL;
    mv_lib_reset_error();
    if (!doms || !doms[0]) {
        mv_lib_error_invalid_arg("mv_domain_list_get_stats", "doms must not be empty");
        return -1;
    }
    if (!mv_lib_check_domain("mv_domain_list_get_stats", doms[0]) ||
        !mv_lib_check_flags("mv_domain_list_get_stats", flags, STATS_MODIFIERS))
        return -1;
    if (!ret_stats) {
        mv_lib_error_null_arg("mv_domain_list_get_stats", "ret_stats");
        return -1;
    }
    conn = doms[0]->conn;
    while (doms[n])
        n++;
    rdoms = g_new0(remote_nonnull_domain, n);
    for (u_int i = 0; i < n; i++) {
        if (doms[i]->conn != conn) {
            mv_lib_error_invalid_arg("mv_domain_list_get_stats",
                                     "domains are from different connections");
            return -1;
        }
        mv_lib_domain_to_remote(doms[i], &rdoms[i]);
    }
    return stats_call(conn, rdoms, n, stats, ret_stats, flags);
}
