/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-console.h: DOMAIN_OPEN_CONSOLE, a guest's pty serial port bridged to
 * an RPC stream.
 */
#pragma once

#include "drivers/qemu/qemu-driver.h"

/* VIR_DOMAIN_CONSOLE_* */
enum {
    QEMU_CONSOLE_FORCE = 1 << 0,   /* take the console over from another client */
    QEMU_CONSOLE_SAFE = 1 << 1,    /* only if sessions are exclusive (always here) */
};

/* End the console sessions of @obj, which stopped: their streams get an
 * end of file.  Any thread. */
void qemu_console_domain_stopped(QemuDriver *drv, QemuDomainObj *obj);
