/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * network-driver.c: the network driver as mvnetworkd sees it.
 */
#include <config.h>

#include <glib.h>

#include "conf/capabilities.h"
#include "drivers/network/network-driver.h"
#include "remote/remote-daemon.h"

extern const MvServerProgram remote_program_network;

static char *
network_driver_get_capabilities(RemoteDaemon *rd, GError **error)
{
    g_autoptr(Caps) caps = caps_new_host();

    return caps_format(caps);
}

static const RemoteDriver network_remote_driver = {
    .name = "network",
    .type = "network",
    .get_capabilities = network_driver_get_capabilities,
};

const MvDaemonDriver network_daemon_driver = {
    .name = "network",
    .remote = &network_remote_driver,
    .program = &remote_program_network,
};
