/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-dispatch-caps.c: CONNECT_GET_DOMAIN_CAPABILITIES.
 */
#include <config.h>

#include <glib.h>

#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-driver.h"
#include "remote-dispatch-protos.h"
#include "util/error.h"

/* VIR_CONNECT_GET_DOMAIN_CAPABILITIES_DISABLE_DEPRECATED_FEATURES: nothing
 * deprecated is reported as required, so there is nothing to disable. */
#define DOMCAPS_DISABLE_DEPRECATED_FEATURES (1U << 0)

static const char *
qemu_dispatch_opt_string(remote_string s)
{
    return s && *s && **s ? *s : NULL;
}

/*
 * Probing runs the emulator: a read-only client may only name one of the
 * installed emulators, not have the daemon execute any file it likes.
 */
static gboolean
qemu_dispatch_check_emulator(MvServerClient *client, const char *emulator, GError **error)
{
    g_autoptr(GPtrArray) bins = NULL;

    if (!emulator || !mv_server_client_is_readonly(client))
        return TRUE;
    bins = qemu_caps_find_binaries();
    if (g_ptr_array_find_with_equal_func(bins, emulator, g_str_equal, NULL))
        return TRUE;
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_DENIED,
                 "read only access prevents probing emulator '%s'", emulator);
    return FALSE;
}

int
remote_dispatch_connect_get_domain_capabilities(
    MvServerCall *call, remote_connect_get_domain_capabilities_args *args,
    remote_connect_get_domain_capabilities_ret *ret, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);
    QemuDriver *drv = qemu_driver_from_client(client);
    const char *emulator = qemu_dispatch_opt_string(args->emulatorbin);

    if (!mv_error_check_flags(MV_FROM_QEMU, "virConnectGetDomainCapabilities", args->flags,
                              DOMCAPS_DISABLE_DEPRECATED_FEATURES, error))
        return -1;
    if (!qemu_dispatch_check_emulator(client, emulator, error))
        return -1;
    ret->capabilities = qemu_caps_cache_domain_capabilities(
        drv->caps, emulator, qemu_dispatch_opt_string(args->arch),
        qemu_dispatch_opt_string(args->machine), qemu_dispatch_opt_string(args->virttype),
        error);
    return ret->capabilities ? 0 : -1;
}
