/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-error.c: the thread-local last error of libmodvirt.
 */
#include "lib/lib-priv.h"
#include "remote-names.h"
#include "util/error.h"

static GPrivate last_error = G_PRIVATE_INIT((GDestroyNotify)g_free);

static void
lib_error_free_fields(MvError *err)
{
    g_clear_pointer(&err->message, g_free);
}

static MvError *
lib_error_get(void)
{
    MvError *err = g_private_get(&last_error);

    if (!err) {
        err = g_new0(MvError, 1);
        g_private_set(&last_error, err);
    }
    return err;
}

void
mv_lib_set_error(GError *error)
{
    MvError *err = lib_error_get();

    lib_error_free_fields(err);
    if (!error) {
        err->code = MV_ERR_INTERNAL_ERROR;
        err->domain = MV_FROM_NONE;
        err->level = MV_ERR_LEVEL_ERROR;
        err->message = g_strdup("internal error: unknown failure");
        return;
    }
    err->code = mv_error_code(error);
    err->domain = mv_error_from(error);
    err->level = MV_ERR_LEVEL_ERROR;
    err->message = mv_error_format_message(error);
    g_error_free(error);
}

void
mv_lib_reset_error(void)
{
    MvError *err = g_private_get(&last_error);

    if (err) {
        lib_error_free_fields(err);
        err->code = MV_ERR_OK;
    }
}

const MvError *
mv_get_last_error(void)
{
    MvError *err = g_private_get(&last_error);

    if (!err || err->code == MV_ERR_OK)
        return NULL;
    return err;
}

void
mv_reset_last_error(void)
{
    mv_lib_reset_error();
}

const char *
mv_error_code_name(int code)
{
    return mv_error_code_to_name(code);
}

void
mv_lib_error_invalid_arg(const char *func, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    GError *error = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    mv_error_set(&error, MV_FROM_NONE, MV_ERR_INVALID_ARG, "%s in %s", msg, func);
    mv_lib_set_error(error);
}

gboolean
mv_lib_check_flags(const char *func, unsigned int flags, unsigned int allowed)
{
    if (flags & ~allowed) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function %s", flags & ~allowed, func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_conn(const char *func, MvConnect *conn)
{
    mv_lib_reset_error();
    if (!conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_NONE, MV_ERR_INVALID_CONN, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_writable(MvConnect *conn, int proc, GError **error)
{
    if (!(conn->flags & MV_CONNECT_RO))
        return TRUE;
    mv_error_set(error, remote_proc_error_domain(proc), MV_ERR_OPERATION_DENIED,
                 "read only access prevents %s", remote_proc_api_name(proc));
    return FALSE;
}

int
mv_get_version(unsigned long long *ret_lib_ver)
{
    if (!ret_lib_ver)
        return -1;
    *ret_lib_ver = MV_VERSION_MAJOR * 1000000ULL + MV_VERSION_MINOR * 1000ULL + MV_VERSION_MICRO;
    return 0;
}
