/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "remote/remote-daemon.h"

extern const MvDaemonDriver storage_daemon_driver;
