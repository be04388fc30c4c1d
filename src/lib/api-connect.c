/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-connect.c: opening connections, and the connection-level calls.
 */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "lib/lib-priv.h"
#include "util/error.h"
#include "util/paths.h"

#define FEATURE_PROGRAM_KEEPALIVE 10
#define FEATURE_REMOTE_EVENT_CALLBACK 14
#define FEATURE_REMOTE_CLOSE_CALLBACK 15

/* Whether we may start a missing daemon ourselves: in session mode, and in
 * system mode when systemd does not run (it would socket-activate it). */
static gboolean
connect_may_autostart(const MvUri *uri)
{
    const char *env = g_getenv("MODVIRT_AUTOSTART");

    if (uri->socket)
        return FALSE;
    if (env && g_str_equal(env, "0"))
        return FALSE;
    if (!uri->privileged)
        return TRUE;
    return access("/run/systemd/system", F_OK) != 0;
}

static int
connect_socket(const MvUri *uri, unsigned int flags, GError **error)
{
    gboolean ro = (flags & MV_CONNECT_RO) != 0;
    gboolean direct = g_str_equal(uri->mode, "direct");
    g_autofree char *binary = direct ? g_strdup_printf("mv%sd", uri->scheme)
                                     : g_strdup("mvproxyd");
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    g_autofree char *log = NULL;
    g_autoptr(MvPaths) paths = NULL;
    const char *args[] = { "--timeout", "120", uri->privileged ? "--system" : "--session", NULL };

    if (uri->socket)
        return mv_rpc_socket_connect_unix(uri->socket, error);
    dir = mv_paths_sock_dir(uri->privileged);
    name = g_strdup_printf("%s-%s", direct ? binary : "modvirt", ro ? "sock-ro" : "sock");
    path = g_build_filename(dir, name, NULL);
    if (!connect_may_autostart(uri))
        return mv_rpc_socket_connect_unix(path, error);
    paths = mv_paths_new(uri->privileged, NULL);
    g_mkdir_with_parents(paths->log_dir, 0700);
    log = g_strdup_printf("%s/%s.log", paths->log_dir, binary);
    return mv_rpc_socket_connect_autostart(path, binary, args, log, error);
}

static void
connect_queued_close(gpointer data)
{
    MvConnect *conn = data;
    MvConnectCloseFunc cb;
    void *opaque;
    int reason;

    g_mutex_lock(&conn->lock);
    cb = conn->close_cb;
    opaque = conn->close_opaque;
    reason = conn->closing ? 3 : conn->close_reason;
    g_mutex_unlock(&conn->lock);
    if (cb)
        cb(conn, reason, opaque);
}

static void
connect_unref_cb(gpointer data)
{
    mv_connect_close(data);
}

/* The I/O thread, racing with mv_connect_close(): see connect-watch.c. */
static void
connect_client_closed(MvRpcClient *client, int reason, gpointer opaque)
{
    MvConnectWatch *watch = opaque;
    MvConnect *conn = mv_lib_watch_lock(watch);
    gboolean notify = FALSE;

    if (conn) {
        g_mutex_lock(&conn->lock);
        /* libvirt's reasons: 0 error, 1 end of file, 2 keepalive, 3 client. */
        conn->close_reason = reason == MV_RPC_CLOSE_ERROR ? 0
                             : reason == MV_RPC_CLOSE_KEEPALIVE ? 2
                             : reason == MV_RPC_CLOSE_CLIENT ? 3 : 1;
        notify = conn->close_cb && !conn->closing;
        g_mutex_unlock(&conn->lock);
    }
    if (notify && mv_lib_connect_try_ref(conn))
        mv_lib_event_queue(connect_queued_close, conn, connect_unref_cb);
    mv_lib_watch_unlock(watch);
}

static gboolean
connect_handshake(MvConnect *conn, GError **error)
{
    remote_auth_list_ret auth = { 0 };
    remote_connect_open_args open_args = { 0 };
    remote_connect_supports_feature_args fargs = { 0 };
    remote_connect_supports_feature_ret fret = { 0 };
    char *name = conn->parsed.open_name;
    gboolean none = FALSE;

    if (!remote_call_auth_list(conn->client, &auth, error))
        return FALSE;
    for (u_int i = 0; i < auth.types.types_len; i++)
        none |= auth.types.types_val[i] == REMOTE_AUTH_NONE;
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);
    if (!none) {
        mv_error_set(error, MV_FROM_AUTH, MV_ERR_AUTH_FAILED,
                     "the server requires an authentication method modvirt lacks");
        return FALSE;
    }
    open_args.name = &name;
    open_args.flags = conn->flags & MV_CONNECT_RO;
    if (!remote_call_connect_open(conn->client, &open_args, error))
        return FALSE;
    fargs.feature = FEATURE_REMOTE_EVENT_CALLBACK;
    if (remote_call_connect_supports_feature(conn->client, &fargs, &fret, NULL))
        conn->event_callbacks = fret.supported != 0;
    fargs.feature = FEATURE_REMOTE_CLOSE_CALLBACK;
    if (remote_call_connect_supports_feature(conn->client, &fargs, &fret, NULL))
        conn->close_callbacks = fret.supported != 0;
    return TRUE;
}

MvConnect *
mv_connect_open(const char *uri, unsigned int flags)
{
    g_autofree char *def = NULL;
    g_autoptr(GError) error = NULL;
    MvConnect *conn;
    int fd;

    mv_lib_reset_error();
    if (!mv_lib_check_flags("mv_connect_open", flags, MV_CONNECT_RO))
        return NULL;
    if (!uri || !*uri)
        uri = def = mv_uri_default();
    conn = g_new0(MvConnect, 1);
    conn->ref = 1;
    g_mutex_init(&conn->lock);
    conn->uri = g_strdup(uri);
    conn->flags = flags;
    if (!mv_uri_parse(uri, &conn->parsed, &error))
        goto fail;
    fd = connect_socket(&conn->parsed, flags, &error);
    if (fd < 0)
        goto fail;
    conn->client = mv_rpc_client_new_fd(fd);
    if (flags & MV_CONNECT_RO)
        mv_rpc_client_set_readonly(conn->client);
    conn->watch = mv_lib_watch_new(conn);
    mv_rpc_client_set_close_func(conn->client, connect_client_closed,
                                 mv_lib_watch_ref(conn->watch), mv_lib_watch_unref);
    if (!connect_handshake(conn, &error))
        goto fail;
    return conn;

 fail:
    mv_lib_set_error(g_steal_pointer(&error));
    mv_connect_close(conn);
    return NULL;
}

int
mv_connect_ref(MvConnect *conn)
{
    if (!mv_lib_check_conn("mv_connect_ref", conn))
        return -1;
    g_atomic_int_inc(&conn->ref);
    return 0;
}

int
mv_connect_close(MvConnect *conn)
{
    int left;

    if (!conn)
        return -1;
    left = g_atomic_int_add(&conn->ref, -1) - 1;
    if (left > 0)
        return left;
    /* From here on the I/O thread's callbacks no longer see us; they keep
     * their (cleared) watch until the client goes. */
    if (conn->watch)
        mv_lib_watch_clear(conn->watch);
    if (conn->client) {
        g_mutex_lock(&conn->lock);
        conn->closing = TRUE;
        g_mutex_unlock(&conn->lock);
        if (mv_rpc_client_is_open(conn->client))
            remote_call_connect_close(conn->client, NULL);
        mv_rpc_client_unref(conn->client);
    }
    mv_lib_watch_unref(conn->watch);
    if (conn->close_free)
        conn->close_free(conn->close_opaque);
    if (conn->domain_events)
        g_hash_table_unref(conn->domain_events);
    if (conn->pool_events)
        g_hash_table_unref(conn->pool_events);
    mv_uri_clear(&conn->parsed);
    g_free(conn->uri);
    g_mutex_clear(&conn->lock);
    g_free(conn);
    return 0;
}

char *
mv_connect_get_uri(MvConnect *conn)
{
    if (!mv_lib_check_conn("mv_connect_get_uri", conn))
        return NULL;
    return g_strdup(conn->uri);
}

char *
mv_connect_get_hostname(MvConnect *conn)
{
    remote_connect_get_hostname_ret ret = { 0 };
    char *s;

    if (!mv_lib_check_conn("mv_connect_get_hostname", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_get_hostname(conn->client, &ret, &_err)))
        return NULL;
    s = g_strdup(ret.hostname);
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&ret);
    return s;
}

char *
mv_connect_get_type(MvConnect *conn)
{
    remote_connect_get_type_ret ret = { 0 };
    char *s;

    if (!mv_lib_check_conn("mv_connect_get_type", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_get_type(conn->client, &ret, &_err)))
        return NULL;
    s = g_strdup(ret.type);
    xdr_free((xdrproc_t)xdr_remote_connect_get_type_ret, (char *)&ret);
    return s;
}

int
mv_connect_get_version(MvConnect *conn, unsigned long long *ret_version)
{
    remote_connect_get_version_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_get_version", conn))
        return -1;
    if (!ret_version) {
        mv_lib_error_invalid_arg("mv_connect_get_version", "ret_version must not be NULL");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_get_version(conn->client, &ret, &_err)))
        return -1;
    *ret_version = ret.hv_ver;
    return 0;
}

int
mv_connect_get_lib_version(MvConnect *conn, unsigned long long *ret_version)
{
    remote_connect_get_lib_version_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_get_lib_version", conn))
        return -1;
    if (!ret_version) {
        mv_lib_error_invalid_arg("mv_connect_get_lib_version", "ret_version must not be NULL");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_get_lib_version(conn->client, &ret, &_err)))
        return -1;
    *ret_version = ret.lib_ver;
    return 0;
}

int
mv_node_get_info(MvConnect *conn, MvNodeInfo *info)
{
    remote_node_get_info_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_node_get_info", conn))
        return -1;
    if (!info) {
        mv_lib_error_invalid_arg("mv_node_get_info", "info must not be NULL");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_node_get_info(conn->client, &ret, &_err)))
        return -1;
    memcpy(info->model, ret.model, sizeof(info->model));
    info->model[sizeof(info->model) - 1] = '\0';
    info->memory = ret.memory;
    info->cpus = ret.cpus;
    info->mhz = ret.mhz;
    info->nodes = ret.nodes;
    info->sockets = ret.sockets;
    info->cores = ret.cores;
    info->threads = ret.threads;
    return 0;
}

char *
mv_connect_get_capabilities(MvConnect *conn)
{
    remote_connect_get_capabilities_ret ret = { 0 };
    char *s;

    if (!mv_lib_check_conn("mv_connect_get_capabilities", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_get_capabilities(conn->client, &ret, &_err)))
        return NULL;
    s = g_strdup(ret.capabilities);
    xdr_free((xdrproc_t)xdr_remote_connect_get_capabilities_ret, (char *)&ret);
    return s;
}

char *
mv_connect_get_sysinfo(MvConnect *conn, unsigned int flags)
{
    remote_connect_get_sysinfo_args args = { flags };
    remote_connect_get_sysinfo_ret ret = { 0 };
    char *s;

    if (!mv_lib_check_conn("mv_connect_get_sysinfo", conn) ||
        !mv_lib_check_flags("mv_connect_get_sysinfo", flags, 0) ||
        !MV_LIB_CALL(conn, remote_call_connect_get_sysinfo(conn->client, &args, &ret, &_err)))
        return NULL;
    s = g_strdup(ret.sysinfo);
    xdr_free((xdrproc_t)xdr_remote_connect_get_sysinfo_ret, (char *)&ret);
    return s;
}

int
mv_connect_is_alive(MvConnect *conn)
{
    if (!mv_lib_check_conn("mv_connect_is_alive", conn))
        return -1;
    return mv_rpc_client_is_open(conn->client) ? 1 : 0;
}

int
mv_connect_is_secure(MvConnect *conn)
{
    remote_connect_is_secure_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_is_secure", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_is_secure(conn->client, &ret, &_err)))
        return -1;
    return ret.secure ? 1 : 0;
}

int
mv_connect_set_keepalive(MvConnect *conn, int interval, unsigned int count)
{
    remote_connect_supports_feature_args args = { FEATURE_PROGRAM_KEEPALIVE };
    remote_connect_supports_feature_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_set_keepalive", conn))
        return -1;
    if (interval < 0) {
        mv_lib_error_invalid_arg("mv_connect_set_keepalive", "interval must not be negative");
        return -1;
    }
    if (interval == 0) {
        mv_rpc_client_set_keepalive(conn->client, 0, 0);
        return 0;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_supports_feature(conn->client, &args, &ret,
                                                                &_err)))
        return -1;
    if (!ret.supported)
        return 1;
    mv_rpc_client_set_keepalive(conn->client, interval, count);
    return 0;
}

int
mv_connect_register_close_callback(MvConnect *conn, MvConnectCloseFunc cb, void *opaque,
                                   void (*freecb)(void *))
{
    if (!mv_lib_check_conn("mv_connect_register_close_callback", conn))
        return -1;
    if (!cb) {
        mv_lib_error_invalid_arg("mv_connect_register_close_callback", "cb must not be NULL");
        return -1;
    }
    g_mutex_lock(&conn->lock);
    if (conn->close_cb) {
        g_mutex_unlock(&conn->lock);
        mv_lib_error_invalid_arg("mv_connect_register_close_callback",
                                 "a close callback is already registered");
        return -1;
    }
    conn->close_cb = cb;
    conn->close_opaque = opaque;
    conn->close_free = freecb;
    g_mutex_unlock(&conn->lock);
    if (conn->close_callbacks)
        remote_call_connect_register_close_callback(conn->client, NULL);
    return 0;
}

int
mv_connect_unregister_close_callback(MvConnect *conn, MvConnectCloseFunc cb)
{
    void (*freecb)(void *);
    void *opaque;

    if (!mv_lib_check_conn("mv_connect_unregister_close_callback", conn))
        return -1;
    g_mutex_lock(&conn->lock);
    if (conn->close_cb != cb || !cb) {
        g_mutex_unlock(&conn->lock);
        mv_lib_error_invalid_arg("mv_connect_unregister_close_callback",
                                 "this callback is not registered");
        return -1;
    }
    freecb = conn->close_free;
    opaque = conn->close_opaque;
    conn->close_cb = NULL;
    conn->close_free = NULL;
    conn->close_opaque = NULL;
    g_mutex_unlock(&conn->lock);
    if (conn->close_callbacks)
        remote_call_connect_unregister_close_callback(conn->client, NULL);
    if (freecb)
        freecb(opaque);
    return 0;
}
