/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote-conn.c: the connection-level procedures, which every daemon serves
 * (open, close, features, versions, host facts, identity).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <glib.h>

#include "configmake.h"
#include "conf/sysinfo.h"
#include "remote/remote-daemon.h"
#include "remote/remote-typed-params.h"
#include "remote-dispatch-protos.h"
#include "util/error.h"
#include "util/hostinfo.h"

/* VIR_DRV_FEATURE_* */
enum {
    FEATURE_FD_PASSING = 8,
    FEATURE_TYPED_PARAM_STRING = 9,
    FEATURE_PROGRAM_KEEPALIVE = 10,
    FEATURE_REMOTE_EVENT_CALLBACK = 14,
    FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
};

#define CONNECT_RO 1

RemoteDaemon *
remote_daemon_get(MvServerClient *client)
{
    return mv_server_get_opaque(mv_server_client_get_server(client));
}

RemoteClient *
remote_client_get(MvServerClient *client)
{
    return mv_server_client_get_priv(client);
}

static gpointer
remote_client_new(MvServerClient *client)
{
    RemoteClient *rc = g_new0(RemoteClient, 1);

    g_mutex_init(&rc->lock);
    rc->rd = mv_server_get_opaque(mv_server_client_get_server(client));
    rc->client = client;
    rc->events = g_array_new(FALSE, FALSE, sizeof(RemoteEventReg));
    rc->next_callback_id = 1;
    return rc;
}

static void
remote_client_free(MvServerClient *client, gpointer priv)
{
    RemoteClient *rc = priv;

    if (rc->rd && rc->rd->driver && rc->rd->driver->client_closed)
        rc->rd->driver->client_closed(rc->rd, client);
    g_array_unref(rc->events);
    g_free(rc->uri);
    g_mutex_clear(&rc->lock);
    g_free(rc);
}

void
remote_server_setup(MvServer *srv, RemoteDaemon *rd)
{
    mv_server_set_opaque(srv, rd);
    mv_server_set_client_priv(srv, remote_client_new, remote_client_free);
}

char *
remote_default_uri(RemoteDaemon *rd)
{
    return g_strdup_printf("%s:///%s", rd->driver->name, rd->privileged ? "system" : "session");
}

/* Which URIs a daemon accepts: its own scheme, and the hypervisor's (the
 * proxy replays a qemu:/// open to every daemon a client needs). */
static gboolean
remote_uri_acceptable(RemoteDaemon *rd, const char *uri, GError **error)
{
    static const char *const schemes[] = { "qemu", "storage", "network", NULL };
    g_autofree char *scheme = g_uri_parse_scheme(uri);
    const char *rest;

    if (!scheme || !g_strv_contains(schemes, scheme)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: this daemon serves %s:///system and %s:///session", uri,
                     rd->driver->name, rd->driver->name);
        return FALSE;
    }
    rest = uri + strlen(scheme);
    if (!g_str_has_prefix(rest, ":///") ||
        (!g_str_has_prefix(rest + 4, "system") && !g_str_has_prefix(rest + 4, "session"))) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "%s: unexpected URI path, try %s:///%s", uri, scheme,
                     rd->privileged ? "system" : "session");
        return FALSE;
    }
    return TRUE;
}

int
remote_dispatch_connect_open(MvServerCall *call, remote_connect_open_args *args,
                             GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);
    RemoteClient *rc = remote_client_get(client);
    const char *name = args->name && *args->name && **args->name ? *args->name : NULL;
    g_autofree char *uri = NULL;

    if (mv_server_client_is_opened(client)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_INVALID,
                     "connection already open");
        return -1;
    }
    if (name && !remote_uri_acceptable(rc->rd, name, error))
        return -1;
    uri = name ? g_strdup(name) : remote_default_uri(rc->rd);
    g_mutex_lock(&rc->lock);
    g_free(rc->uri);
    rc->uri = g_steal_pointer(&uri);
    rc->open_flags = args->flags | (mv_server_client_is_readonly(client) ? CONNECT_RO : 0);
    g_mutex_unlock(&rc->lock);
    /* A read-only open on a read-write socket is read-only, as in libvirt:
     * the daemon refuses the writes, whatever the client library does. */
    if (args->flags & CONNECT_RO)
        mv_server_client_set_readonly(client);
    mv_server_client_set_opened(client, TRUE);
    return 0;
}

int
remote_dispatch_connect_close(MvServerCall *call, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);

    mv_server_client_set_opened(client, FALSE);
    /* Reply first, then close ("delayed close"). */
    mv_server_call_close_after_reply(call);
    return 0;
}

int
remote_dispatch_auth_list(MvServerCall *call, remote_auth_list_ret *ret, GError **error)
{
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

int
remote_dispatch_auth_polkit(MvServerCall *call, remote_auth_polkit_ret *ret, GError **error)
{
    /* Every socket is "auth none": nothing left to authenticate. */
    ret->complete = 1;
    return 0;
}

int
remote_dispatch_connect_supports_feature(MvServerCall *call,
                                         remote_connect_supports_feature_args *args,
                                         remote_connect_supports_feature_ret *ret,
                                         GError **error)
{
    switch (args->feature) {
    case FEATURE_PROGRAM_KEEPALIVE:
        mv_server_client_start_keepalive(mv_server_call_get_client(call));
        ret->supported = 1;
        break;
    case FEATURE_FD_PASSING:
    case FEATURE_TYPED_PARAM_STRING:
    case FEATURE_REMOTE_EVENT_CALLBACK:
    case FEATURE_REMOTE_CLOSE_CALLBACK:
    case FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
        ret->supported = 1;
        break;
    default:
        /* Migration and the rest: not supported. */
        ret->supported = 0;
        break;
    }
    return 0;
}

int
remote_dispatch_connect_get_uri(MvServerCall *call, remote_connect_get_uri_ret *ret,
                                GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    g_mutex_lock(&rc->lock);
    ret->uri = g_strdup(rc->uri);
    g_mutex_unlock(&rc->lock);
    if (!ret->uri)
        ret->uri = remote_default_uri(rc->rd);
    return 0;
}

int
remote_dispatch_connect_get_type(MvServerCall *call, remote_connect_get_type_ret *ret,
                                 GError **error)
{
    RemoteDaemon *rd = remote_daemon_get(mv_server_call_get_client(call));

    ret->type = g_strdup(rd->driver->type);
    return 0;
}

int
remote_dispatch_connect_get_version(MvServerCall *call, remote_connect_get_version_ret *ret,
                                    GError **error)
{
    RemoteDaemon *rd = remote_daemon_get(mv_server_call_get_client(call));
    guint64 v = MV_VERSION_NUMBER;
    int rc;

    if (rd->driver->get_version) {
        /* Inline on the I/O thread unless the driver would have to wait
         * (mvqemud probing its emulators): then on a worker. */
        rc = rd->driver->get_version(rd, !mv_server_call_is_inline(call), &v, error);
        if (rc != 0)
            return rc > 0 ? MV_SERVER_CALL_TO_WORKER : -1;
    }
    ret->hv_ver = v;
    return 0;
}

int
remote_dispatch_connect_get_lib_version(MvServerCall *call,
                                        remote_connect_get_lib_version_ret *ret,
                                        GError **error)
{
    ret->lib_ver = MV_VERSION_NUMBER;
    return 0;
}

int
remote_dispatch_connect_get_hostname(MvServerCall *call, remote_connect_get_hostname_ret *ret,
                                     GError **error)
{
    ret->hostname = mv_hostinfo_hostname();
    return 0;
}

static void
remote_sysinfo_add_dmi(SysinfoSection *sec, const char *entry, const char *dmi)
{
    g_autofree char *v = mv_hostinfo_dmi(dmi);

    sysinfo_section_add(sec, entry, v);
}

static char *
remote_sysinfo_build(void)
{
    g_autoptr(Sysinfo) info = sysinfo_new();
    g_autoptr(MvHostTopology) topo = mv_hostinfo_topology();
    SysinfoSection *sec;
    g_autofree char *signature = NULL;
    g_autofree char *speed = NULL;
    g_autofree char *size = NULL;

    sec = sysinfo_add_section(info, "bios");
    remote_sysinfo_add_dmi(sec, "vendor", "bios_vendor");
    remote_sysinfo_add_dmi(sec, "version", "bios_version");
    remote_sysinfo_add_dmi(sec, "date", "bios_date");
    remote_sysinfo_add_dmi(sec, "release", "bios_release");
    sec = sysinfo_add_section(info, "system");
    remote_sysinfo_add_dmi(sec, "manufacturer", "sys_vendor");
    remote_sysinfo_add_dmi(sec, "product", "product_name");
    remote_sysinfo_add_dmi(sec, "version", "product_version");
    remote_sysinfo_add_dmi(sec, "serial", "product_serial");
    remote_sysinfo_add_dmi(sec, "uuid", "product_uuid");
    remote_sysinfo_add_dmi(sec, "sku", "product_sku");
    remote_sysinfo_add_dmi(sec, "family", "product_family");
    sec = sysinfo_add_section(info, "baseBoard");
    remote_sysinfo_add_dmi(sec, "manufacturer", "board_vendor");
    remote_sysinfo_add_dmi(sec, "product", "board_name");
    remote_sysinfo_add_dmi(sec, "version", "board_version");
    remote_sysinfo_add_dmi(sec, "serial", "board_serial");

    signature = g_strdup_printf("Family %s, Model %s, Stepping %s",
                                topo->family ? topo->family : "?",
                                topo->model ? topo->model : "?",
                                topo->stepping ? topo->stepping : "?");
    speed = g_strdup_printf("%d MHz", topo->mhz);
    for (int s = 0; s < topo->sockets * (int)topo->cells->len; s++) {
        g_autofree char *dest = g_strdup_printf("CPU %d", s);

        sec = sysinfo_add_section(info, "processor");
        sysinfo_section_add(sec, "socket_destination", dest);
        sysinfo_section_add(sec, "type", "Central Processor");
        sysinfo_section_add(sec, "manufacturer", topo->vendor);
        sysinfo_section_add(sec, "signature", signature);
        sysinfo_section_add(sec, "version", topo->model_name);
        sysinfo_section_add(sec, "max_speed", speed);
        sysinfo_section_add(sec, "status", "Populated, Enabled");
    }
    size = g_strdup_printf("%" G_GUINT64_FORMAT " MB", topo->memory_kib / 1024);
    sec = sysinfo_add_section(info, "memory_device");
    sysinfo_section_add(sec, "size", size);
    sysinfo_section_add(sec, "form_factor", "DIMM");
    sysinfo_section_add(sec, "locator", "DIMM 0");
    sysinfo_section_add(sec, "type", "RAM");
    return sysinfo_format(info);
}

int
remote_dispatch_connect_get_sysinfo(MvServerCall *call, remote_connect_get_sysinfo_args *args,
                                    remote_connect_get_sysinfo_ret *ret, GError **error)
{
    if (args->flags != 0) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function virConnectGetSysinfo", args->flags);
        return -1;
    }
    ret->sysinfo = remote_sysinfo_build();
    return 0;
}

int
remote_dispatch_node_get_info(MvServerCall *call, remote_node_get_info_ret *ret,
                              GError **error)
{
    MvNodeInfo info;

    mv_hostinfo_node_info(&info);
    memcpy(ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memory_kib;
    ret->cpus = info.cpus;
    ret->mhz = info.mhz;
    ret->nodes = info.nodes;
    ret->sockets = info.sockets;
    ret->cores = info.cores;
    ret->threads = info.threads;
    return 0;
}

int
remote_dispatch_node_get_security_model(MvServerCall *call,
                                        remote_node_get_security_model_ret *ret,
                                        GError **error)
{
    /* No security driver: empty model and doi, as a NUL each. */
    ret->model.model_len = 1;
    ret->model.model_val = g_new0(char, 1);
    ret->doi.doi_len = 1;
    ret->doi.doi_val = g_new0(char, 1);
    return 0;
}

int
remote_dispatch_connect_is_secure(MvServerCall *call, remote_connect_is_secure_ret *ret,
                                  GError **error)
{
    /* A UNIX socket is local, hence secure. */
    ret->secure = 1;
    return 0;
}

int
remote_dispatch_connect_get_capabilities(MvServerCall *call,
                                         remote_connect_get_capabilities_ret *ret,
                                         GError **error)
{
    RemoteDaemon *rd = remote_daemon_get(mv_server_call_get_client(call));

    if (!rd->driver->get_capabilities) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_SUPPORT,
                     "the %s driver has no capabilities", rd->driver->name);
        return -1;
    }
    ret->capabilities = rd->driver->get_capabilities(rd, error);
    return ret->capabilities ? 0 : -1;
}

int
remote_dispatch_connect_register_close_callback(MvServerCall *call, GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    g_mutex_lock(&rc->lock);
    if (rc->close_callback) {
        g_mutex_unlock(&rc->lock);
        mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_INVALID,
                     "a close callback is already registered");
        return -1;
    }
    rc->close_callback = TRUE;
    g_mutex_unlock(&rc->lock);
    return 0;
}

int
remote_dispatch_connect_unregister_close_callback(MvServerCall *call, GError **error)
{
    RemoteClient *rc = remote_client_get(mv_server_call_get_client(call));

    g_mutex_lock(&rc->lock);
    if (!rc->close_callback) {
        g_mutex_unlock(&rc->lock);
        mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_INVALID,
                     "no close callback is registered");
        return -1;
    }
    rc->close_callback = FALSE;
    g_mutex_unlock(&rc->lock);
    return 0;
}

int
remote_dispatch_connect_set_identity(MvServerCall *call,
                                     remote_connect_set_identity_args *args, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);
    const remote_typed_param *p = args->params.params_val;
    u_int n = args->params.params_len;
    MvIdentity ident = { 0 };
    guint64 v;
    gint64 pid;

    if (!mv_server_client_is_trusted(client)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_ACCESS_DENIED,
                     "only a privileged peer may assert another identity");
        return -1;
    }
    /* What the parameters leave out is the socket's, numbers only: the
     * names and process of the peer are not the asserted user's (and
     * looking them up would cost every connection of the proxy). */
    mv_server_client_get_peer(client, &ident.uid, &ident.gid, &ident.pid);
    if (typed_params_get_ullong(p, n, "unix-user-id", &v, error))
        ident.uid = (uid_t)v;
    else if (error && *error)
        goto fail;
    if (typed_params_get_ullong(p, n, "unix-group-id", &v, error))
        ident.gid = (gid_t)v;
    else if (error && *error)
        goto fail;
    if (typed_params_get_llong(p, n, "process-id", &pid, error))
        ident.pid = (pid_t)pid;
    else if (error && *error)
        goto fail;
    if (typed_params_get_ullong(p, n, "process-time", &v, error))
        ident.process_time = v;
    else if (error && *error)
        goto fail;
    if (typed_params_get_string(p, n, "user-name")) {
        g_free(ident.user_name);
        ident.user_name = g_strdup(typed_params_get_string(p, n, "user-name"));
    }
    if (typed_params_get_string(p, n, "group-name")) {
        g_free(ident.group_name);
        ident.group_name = g_strdup(typed_params_get_string(p, n, "group-name"));
    }
    mv_server_client_set_identity(client, &ident);
    mv_identity_clear(&ident);
    return 0;

 fail:
    mv_identity_clear(&ident);
    return -1;
}
