/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes-admin.c: vectors of the admin program (admin-protocol.x), as
 * virt-admin sends and receives them.  See xdr2bytes.h.
 */
#include <string.h>

#include <glib.h>

#include "admin-protocol.h"
#include "xdr2bytes.h"

#define S(lit) ((char *)(lit))

/*----- Shared members. -----*/

static void
eq_admin_nonnull_server(const admin_nonnull_server *a, const admin_nonnull_server *b)
{
    xv_eq_str(a->name, b->name);
}

static void
eq_admin_nonnull_client(const admin_nonnull_client *a, const admin_nonnull_client *b)
{
    eq_admin_nonnull_server(&a->srv, &b->srv);
    g_assert_cmpuint(a->id, ==, b->id);
    g_assert_cmpint(a->timestamp, ==, b->timestamp);
    g_assert_cmpuint(a->transport, ==, b->transport);
}

static void
eq_admin_params(u_int alen, const admin_typed_param *a, u_int blen, const admin_typed_param *b)
{
    g_assert_cmpuint(alen, ==, blen);
    for (u_int i = 0; i < alen; i++) {
        const admin_typed_param_value *va = &a[i].value, *vb = &b[i].value;

        xv_eq_str(a[i].field, b[i].field);
        g_assert_cmpint(va->type, ==, vb->type);
        switch (va->type) {
        case 1:
            g_assert_cmpint(va->admin_typed_param_value_u.i, ==, vb->admin_typed_param_value_u.i);
            break;
        case 2:
            g_assert_cmpuint(va->admin_typed_param_value_u.ui, ==,
                             vb->admin_typed_param_value_u.ui);
            break;
        case 3:
            g_assert_cmpint(va->admin_typed_param_value_u.l, ==, vb->admin_typed_param_value_u.l);
            break;
        case 4:
            g_assert_cmpuint(va->admin_typed_param_value_u.ul, ==,
                             vb->admin_typed_param_value_u.ul);
            break;
        case 5:
            g_assert_cmpfloat(va->admin_typed_param_value_u.d, ==,
                              vb->admin_typed_param_value_u.d);
            break;
        case 6:
            g_assert_cmpint(va->admin_typed_param_value_u.b, ==, vb->admin_typed_param_value_u.b);
            break;
        case 7:
            xv_eq_str(va->admin_typed_param_value_u.s, vb->admin_typed_param_value_u.s);
            break;
        default:
            g_assert_not_reached();
        }
    }
}

static void
set_uint_param(admin_typed_param *p, const char *field, u_int value)
{
    p->field = S(field);
    p->value.type = 2;
    p->value.admin_typed_param_value_u.ui = value;
}

/* The client every vector uses: id 3 on mvqemud, unix transport. */
static void
set_client(admin_nonnull_client *c)
{
    c->srv.name = S("mvqemud");
    c->id = 3;
    c->timestamp = 1700000000;
    c->transport = 0;
}

/* A struct holding only "unsigned int flags". */
#define FLAGS_ONLY(T) \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        g_assert_cmpuint(((const T *)pa)->flags, ==, ((const T *)pb)->flags); \
    }

static void
build_flags_zero(void *obj)
{
    /* Every flags-only struct starts with its flags. */
    *(u_int *)obj = 0;
}

FLAGS_ONLY(admin_connect_open_args)
FLAGS_ONLY(admin_connect_get_logging_outputs_args)
FLAGS_ONLY(admin_connect_get_logging_filters_args)

/* A struct holding "admin_nonnull_server srv; unsigned int flags". */
#define SRV_FLAGS(T) \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        eq_admin_nonnull_server(&a->srv, &b->srv); \
        g_assert_cmpuint(a->flags, ==, b->flags); \
    }

SRV_FLAGS(admin_server_get_threadpool_parameters_args)
SRV_FLAGS(admin_server_get_client_limits_args)

static void
build_srv_mvqemud(void *obj)
{
    /* NB: admin_server_get_*_args all start with srv, then flags. */
    admin_server_get_threadpool_parameters_args *a = obj;

    a->srv.name = S("mvqemud");
    a->flags = 0;
}

/* A struct holding "admin_typed_param params<N>". */
#define PARAMS_RET(T) \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        eq_admin_params(a->params.params_len, a->params.params_val, \
                        b->params.params_len, b->params.params_val); \
    }

PARAMS_RET(admin_server_get_threadpool_parameters_ret)
PARAMS_RET(admin_client_get_info_ret)
PARAMS_RET(admin_server_get_client_limits_ret)

/* A struct holding "admin_nonnull_server srv; admin_typed_param params<N>;
 * unsigned int flags". */
#define SRV_PARAMS_FLAGS(T) \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        eq_admin_nonnull_server(&a->srv, &b->srv); \
        eq_admin_params(a->params.params_len, a->params.params_val, \
                        b->params.params_len, b->params.params_val); \
        g_assert_cmpuint(a->flags, ==, b->flags); \
    }

SRV_PARAMS_FLAGS(admin_server_set_threadpool_parameters_args)
SRV_PARAMS_FLAGS(admin_server_set_client_limits_args)

/* A struct holding "admin_nonnull_client clnt; unsigned int flags". */
#define CLNT_FLAGS(T) \
    static void \
    eq_##T(const void *pa, const void *pb) \
    { \
        const T *a = pa, *b = pb; \
        eq_admin_nonnull_client(&a->clnt, &b->clnt); \
        g_assert_cmpuint(a->flags, ==, b->flags); \
    }

CLNT_FLAGS(admin_client_get_info_args)
CLNT_FLAGS(admin_client_close_args)

static void
build_clnt_flags(void *obj)
{
    /* NB: admin_client_*_args all start with clnt, then flags. */
    admin_client_close_args *a = obj;

    set_client(&a->clnt);
    a->flags = 0;
}

/*----- Per procedure. -----*/

static void
build_lib_version_ret(void *obj)
{
    ((admin_connect_get_lib_version_ret *)obj)->libVer = 9000000;
}

static void
eq_admin_connect_get_lib_version_ret(const void *pa, const void *pb)
{
    g_assert_cmpuint(((const admin_connect_get_lib_version_ret *)pa)->libVer, ==,
                     ((const admin_connect_get_lib_version_ret *)pb)->libVer);
}

static void
build_list_servers_args(void *obj)
{
    admin_connect_list_servers_args *a = obj;

    a->need_results = 1;
    a->flags = 0;
}

static void
eq_admin_connect_list_servers_args(const void *pa, const void *pb)
{
    const admin_connect_list_servers_args *a = pa, *b = pb;

    g_assert_cmpuint(a->need_results, ==, b->need_results);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_list_servers_ret(void *obj)
{
    static admin_nonnull_server servers[] = { { S("mvqemud") }, { S("admin") } };
    admin_connect_list_servers_ret *r = obj;

    r->servers.servers_len = 2;
    r->servers.servers_val = servers;
    r->ret = 2;
}

static void
eq_admin_connect_list_servers_ret(const void *pa, const void *pb)
{
    const admin_connect_list_servers_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->servers.servers_len, ==, b->servers.servers_len);
    for (u_int i = 0; i < a->servers.servers_len; i++)
        eq_admin_nonnull_server(&a->servers.servers_val[i], &b->servers.servers_val[i]);
    g_assert_cmpuint(a->ret, ==, b->ret);
}

static void
build_lookup_server_args(void *obj)
{
    admin_connect_lookup_server_args *a = obj;

    a->name = S("mvqemud");
    a->flags = 0;
}

static void
eq_admin_connect_lookup_server_args(const void *pa, const void *pb)
{
    const admin_connect_lookup_server_args *a = pa, *b = pb;

    xv_eq_str(a->name, b->name);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_lookup_server_ret(void *obj)
{
    ((admin_connect_lookup_server_ret *)obj)->srv.name = S("admin");
}

static void
eq_admin_connect_lookup_server_ret(const void *pa, const void *pb)
{
    eq_admin_nonnull_server(&((const admin_connect_lookup_server_ret *)pa)->srv,
                            &((const admin_connect_lookup_server_ret *)pb)->srv);
}

static void
build_threadpool_ret(void *obj)
{
    static admin_typed_param params[2];
    admin_server_get_threadpool_parameters_ret *r = obj;

    set_uint_param(&params[0], "minWorkers", 5);
    set_uint_param(&params[1], "maxWorkers", 20);
    r->params.params_len = 2;
    r->params.params_val = params;
}

static void
build_set_threadpool_args(void *obj)
{
    static admin_typed_param params[1];
    admin_server_set_threadpool_parameters_args *a = obj;

    set_uint_param(&params[0], "prioWorkers", 7);
    a->srv.name = S("mvqemud");
    a->params.params_len = 1;
    a->params.params_val = params;
    a->flags = 0;
}

static void
build_list_clients_args(void *obj)
{
    admin_server_list_clients_args *a = obj;

    a->srv.name = S("mvqemud");
    a->need_results = 1;
    a->flags = 0;
}

static void
eq_admin_server_list_clients_args(const void *pa, const void *pb)
{
    const admin_server_list_clients_args *a = pa, *b = pb;

    eq_admin_nonnull_server(&a->srv, &b->srv);
    g_assert_cmpuint(a->need_results, ==, b->need_results);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_list_clients_ret(void *obj)
{
    static admin_nonnull_client clients[1];
    admin_server_list_clients_ret *r = obj;

    set_client(&clients[0]);
    r->clients.clients_len = 1;
    r->clients.clients_val = clients;
    r->ret = 1;
}

static void
eq_admin_server_list_clients_ret(const void *pa, const void *pb)
{
    const admin_server_list_clients_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->clients.clients_len, ==, b->clients.clients_len);
    for (u_int i = 0; i < a->clients.clients_len; i++)
        eq_admin_nonnull_client(&a->clients.clients_val[i], &b->clients.clients_val[i]);
    g_assert_cmpuint(a->ret, ==, b->ret);
}

static void
build_lookup_client_args(void *obj)
{
    admin_server_lookup_client_args *a = obj;

    a->srv.name = S("mvqemud");
    a->id = 3;
    a->flags = 0;
}

static void
eq_admin_server_lookup_client_args(const void *pa, const void *pb)
{
    const admin_server_lookup_client_args *a = pa, *b = pb;

    eq_admin_nonnull_server(&a->srv, &b->srv);
    g_assert_cmpuint(a->id, ==, b->id);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_lookup_client_ret(void *obj)
{
    set_client(&((admin_server_lookup_client_ret *)obj)->clnt);
}

static void
eq_admin_server_lookup_client_ret(const void *pa, const void *pb)
{
    eq_admin_nonnull_client(&((const admin_server_lookup_client_ret *)pa)->clnt,
                            &((const admin_server_lookup_client_ret *)pb)->clnt);
}

/* A local client as libvirt describes it: boolean, int and string arms. */
static void
build_client_info_ret(void *obj)
{
    static admin_typed_param params[3];
    admin_client_get_info_ret *r = obj;

    params[0].field = S("readonly");
    params[0].value.type = 6;
    params[0].value.admin_typed_param_value_u.b = 0;
    params[1].field = S("unix_user_id");
    params[1].value.type = 1;
    params[1].value.admin_typed_param_value_u.i = 0;
    params[2].field = S("unix_user_name");
    params[2].value.type = 7;
    params[2].value.admin_typed_param_value_u.s = S("root");
    r->params.params_len = 3;
    r->params.params_val = params;
}

static void
build_client_limits_ret(void *obj)
{
    static admin_typed_param params[2];
    admin_server_get_client_limits_ret *r = obj;

    set_uint_param(&params[0], "nclients_max", 5000);
    set_uint_param(&params[1], "nclients", 1);
    r->params.params_len = 2;
    r->params.params_val = params;
}

static void
build_set_client_limits_args(void *obj)
{
    static admin_typed_param params[1];
    admin_server_set_client_limits_args *a = obj;

    set_uint_param(&params[0], "nclients_max", 10);
    a->srv.name = S("mvqemud");
    a->params.params_len = 1;
    a->params.params_val = params;
    a->flags = 0;
}

static void
build_logging_outputs_ret(void *obj)
{
    admin_connect_get_logging_outputs_ret *r = obj;

    r->outputs = S("3:stderr");
    r->noutputs = 1;
}

static void
eq_admin_connect_get_logging_outputs_ret(const void *pa, const void *pb)
{
    const admin_connect_get_logging_outputs_ret *a = pa, *b = pb;

    xv_eq_str(a->outputs, b->outputs);
    g_assert_cmpuint(a->noutputs, ==, b->noutputs);
}

static void
build_logging_filters_ret(void *obj)
{
    static char *filters = S("1:rpc");
    admin_connect_get_logging_filters_ret *r = obj;

    r->filters = &filters;
    r->nfilters = 1;
}

static void
build_logging_filters_ret_none(void *obj)
{
    admin_connect_get_logging_filters_ret *r = obj;

    r->filters = NULL;
    r->nfilters = 0;
}

static void
eq_admin_connect_get_logging_filters_ret(const void *pa, const void *pb)
{
    const admin_connect_get_logging_filters_ret *a = pa, *b = pb;

    xv_eq_optstr(a->filters, b->filters);
    g_assert_cmpuint(a->nfilters, ==, b->nfilters);
}

static void
build_set_logging_outputs_args(void *obj)
{
    static char *outputs = S("1:file:/tmp/x.log");
    admin_connect_set_logging_outputs_args *a = obj;

    a->outputs = &outputs;
    a->flags = 0;
}

static void
eq_admin_connect_set_logging_outputs_args(const void *pa, const void *pb)
{
    const admin_connect_set_logging_outputs_args *a = pa, *b = pb;

    xv_eq_optstr(a->outputs, b->outputs);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

/* NULL filters: back to the defaults. */
static void
build_set_logging_filters_args(void *obj)
{
    admin_connect_set_logging_filters_args *a = obj;

    a->filters = NULL;
    a->flags = 0;
}

static void
eq_admin_connect_set_logging_filters_args(const void *pa, const void *pb)
{
    const admin_connect_set_logging_filters_args *a = pa, *b = pb;

    xv_eq_optstr(a->filters, b->filters);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_set_daemon_timeout_args(void *obj)
{
    admin_connect_set_daemon_timeout_args *a = obj;

    a->timeout = 120;
    a->flags = 0;
}

static void
eq_admin_connect_set_daemon_timeout_args(const void *pa, const void *pb)
{
    const admin_connect_set_daemon_timeout_args *a = pa, *b = pb;

    g_assert_cmpuint(a->timeout, ==, b->timeout);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static const MvMessageHeader hdr_admin_close_call = {
    ADMIN_PROGRAM, ADMIN_PROTOCOL_VERSION, ADMIN_PROC_CONNECT_CLOSE, MV_NET_CALL, 1, MV_NET_OK
};
static const MvMessageHeader hdr_admin_list_servers_reply = {
    ADMIN_PROGRAM, ADMIN_PROTOCOL_VERSION, ADMIN_PROC_CONNECT_LIST_SERVERS, MV_NET_REPLY, 2,
    MV_NET_OK
};

const XdrVector xdr2bytes_admin_vectors[] = {
    XV_PAYLOAD("admin-connect-open-args", admin_connect_open_args, flags_zero),
    XV_EMPTY("admin-connect-close-call", hdr_admin_close_call),
    XV_PAYLOAD("admin-connect-get-lib-version-ret", admin_connect_get_lib_version_ret,
               lib_version_ret),
    XV_PAYLOAD("admin-connect-list-servers-args", admin_connect_list_servers_args,
               list_servers_args),
    XV_PACKET("admin-connect-list-servers-reply", hdr_admin_list_servers_reply,
              admin_connect_list_servers_ret, list_servers_ret),
    XV_PAYLOAD("admin-connect-lookup-server-args", admin_connect_lookup_server_args,
               lookup_server_args),
    XV_PAYLOAD("admin-connect-lookup-server-ret", admin_connect_lookup_server_ret,
               lookup_server_ret),
    XV_PAYLOAD("admin-server-get-threadpool-parameters-args",
               admin_server_get_threadpool_parameters_args, srv_mvqemud),
    XV_PAYLOAD("admin-server-get-threadpool-parameters-ret",
               admin_server_get_threadpool_parameters_ret, threadpool_ret),
    XV_PAYLOAD("admin-server-set-threadpool-parameters-args",
               admin_server_set_threadpool_parameters_args, set_threadpool_args),
    XV_PAYLOAD("admin-server-list-clients-args", admin_server_list_clients_args,
               list_clients_args),
    XV_PAYLOAD("admin-server-list-clients-ret", admin_server_list_clients_ret,
               list_clients_ret),
    XV_PAYLOAD("admin-server-lookup-client-args", admin_server_lookup_client_args,
               lookup_client_args),
    XV_PAYLOAD("admin-server-lookup-client-ret", admin_server_lookup_client_ret,
               lookup_client_ret),
    XV_PAYLOAD("admin-client-get-info-args", admin_client_get_info_args, clnt_flags),
    XV_PAYLOAD("admin-client-get-info-ret", admin_client_get_info_ret, client_info_ret),
    XV_PAYLOAD("admin-client-close-args", admin_client_close_args, clnt_flags),
    XV_PAYLOAD("admin-server-get-client-limits-args", admin_server_get_client_limits_args,
               srv_mvqemud),
    XV_PAYLOAD("admin-server-get-client-limits-ret", admin_server_get_client_limits_ret,
               client_limits_ret),
    XV_PAYLOAD("admin-server-set-client-limits-args", admin_server_set_client_limits_args,
               set_client_limits_args),
    XV_PAYLOAD("admin-connect-get-logging-outputs-args",
               admin_connect_get_logging_outputs_args, flags_zero),
    XV_PAYLOAD("admin-connect-get-logging-outputs-ret", admin_connect_get_logging_outputs_ret,
               logging_outputs_ret),
    XV_PAYLOAD("admin-connect-get-logging-filters-args",
               admin_connect_get_logging_filters_args, flags_zero),
    XV_PAYLOAD("admin-connect-get-logging-filters-ret", admin_connect_get_logging_filters_ret,
               logging_filters_ret),
    XV_PAYLOAD("admin-connect-get-logging-filters-ret-none",
               admin_connect_get_logging_filters_ret, logging_filters_ret_none),
    XV_PAYLOAD("admin-connect-set-logging-outputs-args",
               admin_connect_set_logging_outputs_args, set_logging_outputs_args),
    XV_PAYLOAD("admin-connect-set-logging-filters-args",
               admin_connect_set_logging_filters_args, set_logging_filters_args),
    XV_PAYLOAD("admin-connect-set-daemon-timeout-args", admin_connect_set_daemon_timeout_args,
               set_daemon_timeout_args),
    /* Limits. */
    XV_BAD("admin-connect-list-servers-ret-over-limit", admin_connect_list_servers_ret),
    XV_BAD("admin-server-get-threadpool-parameters-ret-over-limit",
           admin_server_get_threadpool_parameters_ret),
    XV_BAD("admin-client-get-info-ret-over-limit", admin_client_get_info_ret),
    { NULL }
};
