/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "remote/remote-daemon.h"

typedef struct _QemuDriver QemuDriver;

extern const MvDaemonDriver qemu_daemon_driver;

char *qemu_driver_format_capabilities(QemuDriver *drv, gboolean with_guests);
