/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-driver.c: the storage driver as mvstoraged sees it.
 */
#include <config.h>

#include <glib.h>

#include "conf/capabilities.h"
#include "drivers/storage/storage-driver.h"
#include "remote/remote-daemon.h"

extern const MvServerProgram remote_program_storage;

static char *
storage_driver_get_capabilities(RemoteDaemon *rd, GError **error)
{
    g_autoptr(Caps) caps = caps_new_host();

    return caps_format(caps);
}

static const RemoteDriver storage_remote_driver = {
    .name = "storage",
    .type = "storage",
    .get_capabilities = storage_driver_get_capabilities,
};

const MvDaemonDriver storage_daemon_driver = {
    .name = "storage",
    .remote = &storage_remote_driver,
    .program = &remote_program_storage,
};
