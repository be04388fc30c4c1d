/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * admin-server.c: the admin program, served on every daemon's -admin-sock:
 * servers, clients, worker pools, client limits, logging, idle timeout.
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "configmake.h"
#include "admin-dispatch-protos.h"
#include "remote/remote-daemon.h"
#include "remote/remote-typed-params.h"
#include "util/error.h"
#include "util/log.h"

/* admin_typed_param and remote_typed_param have the same layout. */
G_STATIC_ASSERT(sizeof(admin_typed_param) == sizeof(remote_typed_param));

static RemoteDaemon *
admin_daemon(MvServerCall *call)
{
    return mv_server_get_opaque(mv_server_client_get_server(mv_server_call_get_client(call)));
}

static MvServer *
admin_find_server(MvServerCall *call, const char *name, GError **error)
{
    MvServer *srv = mv_net_daemon_lookup_server(admin_daemon(call)->net, name);

    if (!srv)
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_NO_SERVER,
                     "no server with matching name '%s'", name);
    return srv;
}

static MvServerClient *
admin_find_client(MvServerCall *call, admin_nonnull_client *clnt, GError **error)
{
    MvServer *srv = admin_find_server(call, clnt->srv.name, error);
    MvServerClient *client;

    if (!srv)
        return NULL;
    client = mv_server_lookup_client(srv, clnt->id);
    if (!client)
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_NO_CLIENT,
                     "no client with matching id '%" G_GUINT64_FORMAT "'", (guint64)clnt->id);
    return client;
}

static void
admin_fill_client(admin_nonnull_client *out, MvServer *srv, MvServerClient *client)
{
    out->srv.name = g_strdup(mv_server_get_name(srv));
    out->id = mv_server_client_get_id(client);
    out->timestamp = mv_server_client_get_timestamp(client);
    out->transport = 0; /* unix */
}

static void
admin_steal_params(TypedParams *tp, admin_typed_param **ret_val, u_int *ret_len)
{
    typed_params_steal(tp, (remote_typed_param **)ret_val, ret_len);
}

static gboolean
admin_check_flags(unsigned int flags, unsigned int allowed, const char *func, GError **error)
{
    if (flags & ~allowed) {
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function %s", flags & ~allowed, func);
        return FALSE;
    }
    return TRUE;
}

int
admin_dispatch_connect_open(MvServerCall *call, admin_connect_open_args *args, GError **error)
{
    if (!admin_check_flags(args->flags, 0, "virAdmConnectOpen", error))
        return -1;
    mv_server_client_set_opened(mv_server_call_get_client(call), TRUE);
    return 0;
}

int
admin_dispatch_connect_close(MvServerCall *call, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);

    mv_server_client_set_opened(client, FALSE);
    mv_server_call_close_after_reply(call);
    return 0;
}

int
admin_dispatch_connect_get_lib_version(MvServerCall *call,
                                       admin_connect_get_lib_version_ret *ret, GError **error)
{
    ret->libVer = MV_VERSION_NUMBER;
    return 0;
}

int
admin_dispatch_connect_list_servers(MvServerCall *call, admin_connect_list_servers_args *args,
                                    admin_connect_list_servers_ret *ret, GError **error)
{
    GPtrArray *servers = mv_net_daemon_get_servers(admin_daemon(call)->net);

    if (!admin_check_flags(args->flags, 0, "virAdmConnectListServers", error))
        return -1;
    if (args->need_results) {
        ret->servers.servers_len = servers->len;
        ret->servers.servers_val = g_new0(admin_nonnull_server, servers->len ? servers->len : 1);
        for (guint i = 0; i < servers->len; i++)
            ret->servers.servers_val[i].name =
                g_strdup(mv_server_get_name(g_ptr_array_index(servers, i)));
    }
    ret->ret = servers->len;
    return 0;
}

int
admin_dispatch_connect_lookup_server(MvServerCall *call,
                                     admin_connect_lookup_server_args *args,
                                     admin_connect_lookup_server_ret *ret, GError **error)
{
    MvServer *srv = admin_find_server(call, args->name, error);

    if (!srv)
        return -1;
    ret->srv.name = g_strdup(mv_server_get_name(srv));
    return 0;
}

int
admin_dispatch_server_get_threadpool_parameters(
    MvServerCall *call, admin_server_get_threadpool_parameters_args *args,
    admin_server_get_threadpool_parameters_ret *ret, GError **error)
{
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    MvWorkerPoolStats st;
    TypedParams tp;

    if (!srv)
        return -1;
    mv_server_get_worker_stats(srv, &st);
    typed_params_init(&tp);
    typed_params_add_uint(&tp, "minWorkers", st.min_workers);
    typed_params_add_uint(&tp, "maxWorkers", st.max_workers);
    typed_params_add_uint(&tp, "nWorkers", st.workers);
    typed_params_add_uint(&tp, "freeWorkers", st.free_workers);
    typed_params_add_uint(&tp, "prioWorkers", st.prio_workers);
    typed_params_add_uint(&tp, "jobQueueDepth", st.job_queue_depth);
    admin_steal_params(&tp, &ret->params.params_val, &ret->params.params_len);
    typed_params_clear(&tp);
    return 0;
}

static gboolean
admin_param_uint(const admin_typed_param *params, u_int n, const char *field, guint *ret,
                 GError **error)
{
    const remote_typed_param *rp = (const remote_typed_param *)params;

    *ret = G_MAXUINT;
    if (typed_params_get_uint(rp, n, field, ret, error))
        return TRUE;
    return !(error && *error);
}

static gboolean
admin_params_check(const admin_typed_param *params, u_int n, const char *const *allowed,
                   GError **error)
{
    for (u_int i = 0; i < n; i++) {
        if (!g_strv_contains(allowed, params[i].field)) {
            mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                         "parameter '%s' not supported", params[i].field);
            return FALSE;
        }
    }
    return TRUE;
}

int
admin_dispatch_server_set_threadpool_parameters(
    MvServerCall *call, admin_server_set_threadpool_parameters_args *args, GError **error)
{
    static const char *const allowed[] = { "minWorkers", "maxWorkers", "prioWorkers", NULL };
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    guint min_w, max_w, prio_w;

    if (!srv || !admin_params_check(args->params.params_val, args->params.params_len, allowed,
                                    error))
        return -1;
    if (!admin_param_uint(args->params.params_val, args->params.params_len, "minWorkers",
                          &min_w, error) ||
        !admin_param_uint(args->params.params_val, args->params.params_len, "maxWorkers",
                          &max_w, error) ||
        !admin_param_uint(args->params.params_val, args->params.params_len, "prioWorkers",
                          &prio_w, error))
        return -1;
    return mv_server_set_worker_limits(srv, min_w, max_w, prio_w, error) ? 0 : -1;
}

int
admin_dispatch_server_list_clients(MvServerCall *call, admin_server_list_clients_args *args,
                                   admin_server_list_clients_ret *ret, GError **error)
{
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    g_autoptr(GPtrArray) clients = NULL;

    if (!srv || !admin_check_flags(args->flags, 0, "virAdmServerListClients", error))
        return -1;
    clients = mv_server_list_clients(srv);
    if (args->need_results) {
        ret->clients.clients_len = clients->len;
        ret->clients.clients_val = g_new0(admin_nonnull_client, clients->len ? clients->len : 1);
        for (guint i = 0; i < clients->len; i++)
            admin_fill_client(&ret->clients.clients_val[i], srv,
                              g_ptr_array_index(clients, i));
    }
    ret->ret = clients->len;
    return 0;
}

int
admin_dispatch_server_lookup_client(MvServerCall *call,
                                    admin_server_lookup_client_args *args,
                                    admin_server_lookup_client_ret *ret, GError **error)
{
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    g_autoptr(MvServerClient) client = NULL;

    if (!srv)
        return -1;
    client = mv_server_lookup_client(srv, args->id);
    if (!client) {
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_NO_CLIENT,
                     "no client with matching id '%" G_GUINT64_FORMAT "'", (guint64)args->id);
        return -1;
    }
    admin_fill_client(&ret->clnt, srv, client);
    return 0;
}

int
admin_dispatch_client_get_info(MvServerCall *call, admin_client_get_info_args *args,
                               admin_client_get_info_ret *ret, GError **error)
{
    g_autoptr(MvServerClient) client = admin_find_client(call, &args->clnt, error);
    MvIdentity ident = { 0 };
    TypedParams tp;

    if (!client)
        return -1;
    mv_server_client_get_identity(client, &ident);
    typed_params_init(&tp);
    typed_params_add_boolean(&tp, "readonly", mv_server_client_is_readonly(client));
    /* Every client is local (a UNIX socket): as libvirt, its process
     * identity and no "sock_addr", which is for remote clients only. */
    typed_params_add_int(&tp, "unix_user_id", (int)ident.uid);
    if (ident.user_name)
        typed_params_add_string(&tp, "unix_user_name", ident.user_name);
    typed_params_add_int(&tp, "unix_group_id", (int)ident.gid);
    if (ident.group_name)
        typed_params_add_string(&tp, "unix_group_name", ident.group_name);
    typed_params_add_int(&tp, "unix_process_id", (int)ident.pid);
    mv_identity_clear(&ident);
    admin_steal_params(&tp, &ret->params.params_val, &ret->params.params_len);
    typed_params_clear(&tp);
    return 0;
}

int
admin_dispatch_client_close(MvServerCall *call, admin_client_close_args *args, GError **error)
{
    g_autoptr(MvServerClient) client = admin_find_client(call, &args->clnt, error);

    if (!client)
        return -1;
    if (client == mv_server_call_get_client(call)) {
        mv_error_set(error, MV_FROM_ADMIN, MV_ERR_OPERATION_INVALID,
                     "a client cannot close itself");
        return -1;
    }
    mv_server_client_close(client);
    return 0;
}

int
admin_dispatch_server_get_client_limits(MvServerCall *call,
                                        admin_server_get_client_limits_args *args,
                                        admin_server_get_client_limits_ret *ret,
                                        GError **error)
{
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    guint max_clients, cur_clients, max_unauth, cur_unauth;
    TypedParams tp;

    if (!srv)
        return -1;
    mv_server_get_client_limits(srv, &max_clients, &cur_clients, &max_unauth, &cur_unauth);
    typed_params_init(&tp);
    typed_params_add_uint(&tp, "nclients_max", max_clients);
    typed_params_add_uint(&tp, "nclients", cur_clients);
    typed_params_add_uint(&tp, "nclients_unauth_max", max_unauth);
    typed_params_add_uint(&tp, "nclients_unauth", cur_unauth);
    admin_steal_params(&tp, &ret->params.params_val, &ret->params.params_len);
    typed_params_clear(&tp);
    return 0;
}

int
admin_dispatch_server_set_client_limits(MvServerCall *call,
                                        admin_server_set_client_limits_args *args,
                                        GError **error)
{
    static const char *const allowed[] = { "nclients_max", "nclients_unauth_max", NULL };
    MvServer *srv = admin_find_server(call, args->srv.name, error);
    guint max_clients, max_unauth;

    if (!srv || !admin_params_check(args->params.params_val, args->params.params_len, allowed,
                                    error))
        return -1;
    if (!admin_param_uint(args->params.params_val, args->params.params_len, "nclients_max",
                          &max_clients, error) ||
        !admin_param_uint(args->params.params_val, args->params.params_len,
                          "nclients_unauth_max", &max_unauth, error))
        return -1;
    return mv_server_set_client_limits(srv, max_clients, max_unauth, error) ? 0 : -1;
}

int
admin_dispatch_connect_get_logging_outputs(MvServerCall *call,
                                           admin_connect_get_logging_outputs_args *args,
                                           admin_connect_get_logging_outputs_ret *ret,
                                           GError **error)
{
    guint n = 0;

    ret->outputs = mv_log_get_outputs(&n);
    ret->noutputs = n;
    return 0;
}

int
admin_dispatch_connect_get_logging_filters(MvServerCall *call,
                                           admin_connect_get_logging_filters_args *args,
                                           admin_connect_get_logging_filters_ret *ret,
                                           GError **error)
{
    guint n = 0;
    char *filters = mv_log_get_filters(&n);

    if (n > 0) {
        ret->filters = g_new0(char *, 1);
        *ret->filters = filters;
    } else {
        g_free(filters);
    }
    ret->nfilters = n;
    return 0;
}

int
admin_dispatch_connect_set_logging_outputs(MvServerCall *call,
                                           admin_connect_set_logging_outputs_args *args,
                                           GError **error)
{
    const char *outputs = args->outputs ? *args->outputs : NULL;

    if (!admin_check_flags(args->flags, 0, "virAdmConnectSetLoggingOutputs", error))
        return -1;
    return mv_log_set_outputs(outputs, error) ? 0 : -1;
}

int
admin_dispatch_connect_set_logging_filters(MvServerCall *call,
                                           admin_connect_set_logging_filters_args *args,
                                           GError **error)
{
    const char *filters = args->filters ? *args->filters : NULL;

    if (!admin_check_flags(args->flags, 0, "virAdmConnectSetLoggingFilters", error))
        return -1;
    return mv_log_set_filters(filters, error) ? 0 : -1;
}

int
admin_dispatch_connect_set_daemon_timeout(MvServerCall *call,
                                          admin_connect_set_daemon_timeout_args *args,
                                          GError **error)
{
    if (!admin_check_flags(args->flags, 0, "virAdmConnectSetDaemonTimeout", error))
        return -1;
    mv_net_daemon_set_timeout(admin_daemon(call)->net, args->timeout);
    return 0;
}
