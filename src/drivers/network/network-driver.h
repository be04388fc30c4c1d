/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "remote/remote-daemon.h"

extern const MvDaemonDriver network_daemon_driver;
