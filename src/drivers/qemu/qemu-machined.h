/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-machined.h: running domains registered with systemd-machined.
 *
 * Calls go out over sd-bus on the system bus (DBUS_SYSTEM_BUS_ADDRESS is
 * honoured) from one background thread, in the order they were asked for,
 * each bounded by QEMU_MACHINED_TIMEOUT_MS in all.  Nothing ever waits for
 * them: a missing bus or machined is noted once in the log and ignored.
 * Only a privileged (system) driver registers anything.
 *
 * Calling them twice is harmless: a name registered already is not sent
 * again, nor a termination for a domain that has none.
 */
#pragma once

#include <sys/types.h>

#include "drivers/qemu/qemu-driver.h"

#define QEMU_MACHINED_TIMEOUT_MS 200

/* Register @obj, which has just started (or was reconnected): its name,
 * uuid, id and pid are read now.  Any thread; do not hold obj->lock. */
void qemu_machined_register(QemuDriver *drv, QemuDomainObj *obj);
/* Tell machined @obj stopped (under the name it was registered with, so
 * the id may already be reset).  Any thread; do not hold obj->lock. */
void qemu_machined_terminate(QemuDriver *drv, QemuDomainObj *obj);

/* "qemu-<id>-<name>", keeping the characters machined accepts, at most
 * 64 of them (caller frees). */
char *qemu_machined_name(int id, const char *name);
/* Wait until every call asked for so far is done (tests). */
void qemu_machined_flush(void);
