/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

#define MV_FROM_MAX 128

static GQuark local_quarks[MV_FROM_MAX];
static GQuark remote_quarks[MV_FROM_MAX];

static void
error_init_quarks(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        for (int i = 0; i < MV_FROM_MAX; i++) {
            char name[64];

            g_snprintf(name, sizeof(name), "mv-error-%d", i);
            local_quarks[i] = g_quark_from_string(name);
            g_snprintf(name, sizeof(name), "mv-remote-error-%d", i);
            remote_quarks[i] = g_quark_from_string(name);
        }
        g_once_init_leave(&once, 1);
    }
}

GQuark
mv_error_quark(int from)
{
    error_init_quarks();
    if (from < 0 || from >= MV_FROM_MAX)
        from = MV_FROM_NONE;
    return local_quarks[from];
}

GQuark
mv_error_remote_quark(int from)
{
    error_init_quarks();
    if (from < 0 || from >= MV_FROM_MAX)
        from = MV_FROM_NONE;
    return remote_quarks[from];
}

static int
error_lookup(const GError *error, gboolean *ret_remote)
{
    error_init_quarks();
    for (int i = 0; i < MV_FROM_MAX; i++) {
        if (error->domain == local_quarks[i]) {
            *ret_remote = FALSE;
            return i;
        }
        if (error->domain == remote_quarks[i]) {
            *ret_remote = TRUE;
            return i;
        }
    }
    return -1;
}

int
mv_error_from(const GError *error)
{
    gboolean remote;
    int from = error ? error_lookup(error, &remote) : -1;

    return from < 0 ? MV_FROM_NONE : from;
}

gboolean
mv_error_is_ours(const GError *error)
{
    gboolean remote;

    return error && error_lookup(error, &remote) >= 0;
}

gboolean
mv_error_is_remote(const GError *error)
{
    gboolean remote = FALSE;

    return error && error_lookup(error, &remote) >= 0 && remote;
}

int
mv_error_code(const GError *error)
{
    if (!mv_error_is_ours(error))
        return MV_ERR_INTERNAL_ERROR;
    return error->code;
}

void
mv_error_set(GError **error, int from, int code, const char *fmt, ...)
{
    va_list ap;

    if (!error)
        return;
    va_start(ap, fmt);
    *error = g_error_new_valist(mv_error_quark(from), code, fmt, ap);
    va_end(ap);
}

void
mv_error_set_literal(GError **error, int from, int code, const char *msg)
{
    g_set_error_literal(error, mv_error_quark(from), code, msg);
}

void
mv_error_set_errno(GError **error, int errnum, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    *error = g_error_new(mv_error_quark(MV_FROM_NONE), MV_ERR_SYSTEM_ERROR, "%s: %s", msg,
                         g_strerror(errnum));
}

void
mv_error_propagate_as(GError **dest, GError *src, int from, int code)
{
    if (!src)
        return;
    if (mv_error_is_ours(src)) {
        g_propagate_error(dest, src);
        return;
    }
    if (dest)
        *dest = g_error_new_literal(mv_error_quark(from), code, src->message);
    g_error_free(src);
}

typedef struct {
    int code;
    const char *name;
    const char *fmt; /* one %s for the detail */
} ErrorInfo;

static const ErrorInfo error_infos[] = {
    { MV_ERR_OK, "OK", "%s" },
    { MV_ERR_INTERNAL_ERROR, "INTERNAL_ERROR", "internal error: %s" },
    { MV_ERR_NO_MEMORY, "NO_MEMORY", "out of memory: %s" },
    { MV_ERR_NO_SUPPORT, "NO_SUPPORT", "this function is not supported by the connection driver: %s" },
    { MV_ERR_NO_CONNECT, "NO_CONNECT", "no connection driver available for %s" },
    { MV_ERR_INVALID_CONN, "INVALID_CONN", "invalid connection pointer in %s" },
    { MV_ERR_INVALID_DOMAIN, "INVALID_DOMAIN", "invalid domain pointer in %s" },
    { MV_ERR_INVALID_ARG, "INVALID_ARG", "invalid argument: %s" },
    { MV_ERR_OPERATION_FAILED, "OPERATION_FAILED", "operation failed: %s" },
    { MV_ERR_OS_TYPE, "OS_TYPE", "unknown OS type %s" },
    { MV_ERR_NO_SOURCE, "NO_SOURCE", "missing source information for %s" },
    { MV_ERR_NO_NAME, "NO_NAME", "missing name information in %s" },
    { MV_ERR_XML_ERROR, "XML_ERROR", "XML error: %s" },
    { MV_ERR_DOM_EXIST, "DOM_EXIST", "operation failed: %s" },
    { MV_ERR_OPERATION_DENIED, "OPERATION_DENIED", "operation forbidden: %s" },
    { MV_ERR_OPEN_FAILED, "OPEN_FAILED", "failed to open configuration file %s" },
    { MV_ERR_READ_FAILED, "READ_FAILED", "failed to read configuration file %s" },
    { MV_ERR_PARSE_FAILED, "PARSE_FAILED", "failed to parse configuration file %s" },
    { MV_ERR_CONF_SYNTAX, "CONF_SYNTAX", "configuration file syntax error: %s" },
    { MV_ERR_WRITE_FAILED, "WRITE_FAILED", "failed to write configuration file: %s" },
    { MV_ERR_XML_DETAIL, "XML_DETAIL", "%s" },
    { MV_ERR_INVALID_NETWORK, "INVALID_NETWORK", "invalid network pointer in %s" },
    { MV_ERR_NETWORK_EXIST, "NETWORK_EXIST", "operation failed: %s" },
    { MV_ERR_SYSTEM_ERROR, "SYSTEM_ERROR", "%s" },
    { MV_ERR_RPC, "RPC", "%s" },
    { MV_ERR_GNUTLS_ERROR, "GNUTLS_ERROR", "GNUTLS call error: %s" },
    { MV_ERR_NO_DOMAIN, "NO_DOMAIN", "Domain not found: %s" },
    { MV_ERR_NO_NETWORK, "NO_NETWORK", "Network not found: %s" },
    { MV_ERR_INVALID_MAC, "INVALID_MAC", "invalid MAC address: %s" },
    { MV_ERR_AUTH_FAILED, "AUTH_FAILED", "authentication failed: %s" },
    { MV_ERR_INVALID_STORAGE_POOL, "INVALID_STORAGE_POOL", "invalid storage pool pointer in %s" },
    { MV_ERR_INVALID_STORAGE_VOL, "INVALID_STORAGE_VOL", "invalid storage volume pointer in %s" },
    { MV_ERR_NO_STORAGE_POOL, "NO_STORAGE_POOL", "Storage pool not found: %s" },
    { MV_ERR_NO_STORAGE_VOL, "NO_STORAGE_VOL", "Storage volume not found: %s" },
    { MV_ERR_NO_SECURITY_MODEL, "NO_SECURITY_MODEL", "Security model not found: %s" },
    { MV_ERR_OPERATION_INVALID, "OPERATION_INVALID", "Requested operation is not valid: %s" },
    { MV_ERR_NO_SECRET, "NO_SECRET", "Secret not found: %s" },
    { MV_ERR_CONFIG_UNSUPPORTED, "CONFIG_UNSUPPORTED", "unsupported configuration: %s" },
    { MV_ERR_OPERATION_TIMEOUT, "OPERATION_TIMEOUT", "Timed out during operation: %s" },
    { MV_ERR_HOOK_SCRIPT_FAILED, "HOOK_SCRIPT_FAILED", "Hook script execution failed: %s" },
    { MV_ERR_NO_DOMAIN_SNAPSHOT, "NO_DOMAIN_SNAPSHOT", "Domain snapshot not found: %s" },
    { MV_ERR_INVALID_STREAM, "INVALID_STREAM", "invalid stream pointer in %s" },
    { MV_ERR_ARGUMENT_UNSUPPORTED, "ARGUMENT_UNSUPPORTED", "argument unsupported: %s" },
    { MV_ERR_STORAGE_PROBE_FAILED, "STORAGE_PROBE_FAILED", "Storage pool probe failed: %s" },
    { MV_ERR_STORAGE_POOL_BUILT, "STORAGE_POOL_BUILT", "Storage pool already built: %s" },
    { MV_ERR_OPERATION_ABORTED, "OPERATION_ABORTED", "operation aborted: %s" },
    { MV_ERR_NO_DOMAIN_METADATA, "NO_DOMAIN_METADATA", "metadata not found: %s" },
    { MV_ERR_OVERFLOW, "OVERFLOW", "value too large: %s" },
    { MV_ERR_OPERATION_UNSUPPORTED, "OPERATION_UNSUPPORTED", "Operation not supported: %s" },
    { MV_ERR_AGENT_UNRESPONSIVE, "AGENT_UNRESPONSIVE", "Guest agent is not responding: %s" },
    { MV_ERR_RESOURCE_BUSY, "RESOURCE_BUSY", "resource busy: %s" },
    { MV_ERR_ACCESS_DENIED, "ACCESS_DENIED", "access denied: %s" },
    { MV_ERR_DBUS_SERVICE, "DBUS_SERVICE", "error from service: %s" },
    { MV_ERR_STORAGE_VOL_EXIST, "STORAGE_VOL_EXIST", "storage volume already exists: %s" },
    { MV_ERR_XML_INVALID_SCHEMA, "XML_INVALID_SCHEMA", "XML document failed to validate against schema: %s" },
    { MV_ERR_NO_SERVER, "NO_SERVER", "Server not found: %s" },
    { MV_ERR_NO_CLIENT, "NO_CLIENT", "Client not found: %s" },
    { MV_ERR_DEVICE_MISSING, "DEVICE_MISSING", "device not found: %s" },
    { MV_ERR_NETWORK_PORT_EXIST, "NETWORK_PORT_EXIST", "network port already exists: %s" },
    { MV_ERR_NO_NETWORK_PORT, "NO_NETWORK_PORT", "network port not found: %s" },
    { MV_ERR_NO_HOSTNAME, "NO_HOSTNAME", "no hostname found: %s" },
    { MV_ERR_MULTIPLE_DOMAINS, "MULTIPLE_DOMAINS", "multiple matching domains found: %s" },
};

static const ErrorInfo *
error_info(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_infos); i++) {
        if (error_infos[i].code == code)
            return &error_infos[i];
    }
    return NULL;
}

const char *
mv_error_code_to_name(int code)
{
    const ErrorInfo *info = error_info(code);

    return info ? info->name : NULL;
}

char *
mv_error_format_code_message(int code, const char *detail)
{
    const ErrorInfo *info = error_info(code);

    if (!info)
        return g_strdup(detail);
    /* NB: the table's formats hold exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return g_strdup_printf(info->fmt, detail);
#pragma GCC diagnostic pop
}

char *
mv_error_format_message(const GError *error)
{
    if (!error)
        return NULL;
    if (!mv_error_is_ours(error) || mv_error_is_remote(error))
        return g_strdup(error->message);
    return mv_error_format_code_message(error->code, error->message);
}

gboolean
mv_error_check_flags(int from, const char *func, unsigned int flags, unsigned int allowed,
                     GError **error)
{
    if (!(flags & ~allowed))
        return TRUE;
    mv_error_set(error, from, MV_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                 flags & ~allowed, func);
    return FALSE;
}
