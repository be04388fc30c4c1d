/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-driver.c: the QEMU driver as mvqemud sees it: the connection-level
 * hooks (type, version, capabilities) and the daemon hooks.
 */
#include <config.h>

#include <glib.h>

#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-driver.h"
#include "remote/remote-daemon.h"
#include "util/error.h"
#include "util/hostinfo.h"

extern const MvServerProgram remote_program_qemu;

static QemuDriver *
qemu_driver_get(RemoteDaemon *rd)
{
    return rd->driver_state;
}

QemuDriver *
qemu_driver_from_client(MvServerClient *client)
{
    return remote_daemon_get(client)->driver_state;
}

/* Every emulator's capabilities (cached on disk across restarts). */
GPtrArray *
qemu_driver_caps(QemuDriver *drv)
{
    return qemu_caps_cache_get_all(drv->caps);
}

const QemuCaps *
qemu_driver_caps_lookup(QemuDriver *drv, const char *emulator, const char *arch,
                        GError **error)
{
    GPtrArray *caps = qemu_driver_caps(drv);

    for (guint i = 0; i < caps->len; i++) {
        const QemuCaps *c = g_ptr_array_index(caps, i);

        if ((emulator && g_str_equal(c->binary, emulator)) ||
            (!emulator && arch && g_str_equal(c->arch, arch)))
            return c;
    }
    if (emulator)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "emulator '%s' is not a known qemu-system binary", emulator);
    else
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "no emulator found for architecture '%s'", arch ? arch : "(none)");
    return NULL;
}

static gboolean
qemu_driver_get_version(RemoteDaemon *rd, guint64 *ret_version, GError **error)
{
    GPtrArray *caps = qemu_driver_caps(qemu_driver_get(rd));
    const char *host_arch = NULL;
    g_autoptr(MvHostTopology) topo = NULL;

    if (caps->len == 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no QEMU emulator (qemu-system-*) is installed");
        return FALSE;
    }
    /* The version of the host architecture's emulator, as libvirt does. */
    topo = mv_hostinfo_topology();
    host_arch = topo->arch;
    *ret_version = ((QemuCaps *)g_ptr_array_index(caps, 0))->version;
    for (guint i = 0; i < caps->len; i++) {
        QemuCaps *c = g_ptr_array_index(caps, i);

        if (g_str_equal(c->arch, host_arch))
            *ret_version = c->version;
    }
    return TRUE;
}

char *
qemu_driver_format_capabilities(QemuDriver *drv, gboolean with_guests)
{
    g_autoptr(Caps) caps = caps_new_host();

    if (with_guests) {
        GPtrArray *qcaps = qemu_driver_caps(drv);

        for (guint i = 0; i < qcaps->len; i++)
            qemu_caps_fill_guest(g_ptr_array_index(qcaps, i), caps);
    }
    return caps_format(caps);
}

static char *
qemu_driver_get_capabilities(RemoteDaemon *rd, GError **error)
{
    return qemu_driver_format_capabilities(qemu_driver_get(rd), TRUE);
}

static const RemoteDriver qemu_remote_driver = {
    .name = "qemu",
    .type = "QEMU",
    .get_version = qemu_driver_get_version,
    .get_capabilities = qemu_driver_get_capabilities,
};

static gboolean
qemu_driver_init(RemoteDaemon *rd, GError **error)
{
    QemuDriver *drv = g_new0(QemuDriver, 1);

    /* Probing takes a second or so per emulator: start it now, in the
     * background, so that neither startup nor the first client waits. */
    drv->caps = qemu_caps_cache_new(rd->paths->cache_dir);
    qemu_caps_cache_probe_async(drv->caps);
    rd->driver_state = drv;
    return TRUE;
}

static void
qemu_driver_shutdown(RemoteDaemon *rd)
{
    QemuDriver *drv = qemu_driver_get(rd);

    if (!drv)
        return;
    qemu_caps_cache_free(drv->caps);
    g_free(drv);
    rd->driver_state = NULL;
}

const MvDaemonDriver qemu_daemon_driver = {
    .name = "qemu",
    .remote = &qemu_remote_driver,
    .program = &remote_program_qemu,
    .init = qemu_driver_init,
    .shutdown = qemu_driver_shutdown,
};
