/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy.h: mvproxyd's forwarding of client packets to the daemon that owns
 * each procedure.
 */
#pragma once

#include "remote/remote-daemon.h"

extern const MvDaemonDriver proxy_daemon_driver;
