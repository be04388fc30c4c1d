/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-events.h: domain events to the clients that registered for them.
 */
#pragma once

#include "drivers/qemu/qemu-driver.h"

/* libvirt's virDomainEventID */
enum {
    QEMU_EVENT_ID_LIFECYCLE = 0,
    QEMU_EVENT_ID_REBOOT = 1,
    QEMU_EVENT_ID_LAST = 27,
};

/* libvirt's virDomainEventType and details */
enum {
    QEMU_EVENT_DEFINED = 0,
    QEMU_EVENT_UNDEFINED = 1,
    QEMU_EVENT_STARTED = 2,
    QEMU_EVENT_SUSPENDED = 3,
    QEMU_EVENT_RESUMED = 4,
    QEMU_EVENT_STOPPED = 5,
    QEMU_EVENT_SHUTDOWN = 6,
    QEMU_EVENT_PMSUSPENDED = 7,
    QEMU_EVENT_CRASHED = 8,
};
enum { QEMU_EVENT_DEFINED_ADDED = 0, QEMU_EVENT_DEFINED_UPDATED = 1 };
enum { QEMU_EVENT_UNDEFINED_REMOVED = 0 };
enum { QEMU_EVENT_STARTED_BOOTED = 0 };
enum { QEMU_EVENT_SUSPENDED_PAUSED = 0, QEMU_EVENT_SUSPENDED_IOERROR = 2,
       QEMU_EVENT_SUSPENDED_API_ERROR = 6 };
enum { QEMU_EVENT_RESUMED_UNPAUSED = 0 };
enum { QEMU_EVENT_STOPPED_SHUTDOWN = 0, QEMU_EVENT_STOPPED_DESTROYED = 1,
       QEMU_EVENT_STOPPED_CRASHED = 2, QEMU_EVENT_STOPPED_FAILED = 5 };
enum { QEMU_EVENT_SHUTDOWN_FINISHED = 0, QEMU_EVENT_SHUTDOWN_GUEST = 1,
       QEMU_EVENT_SHUTDOWN_HOST = 2 };
enum { QEMU_EVENT_CRASHED_PANICKED = 0 };

/* Send a lifecycle event for @obj to every client registered for it, in
 * the style each registered with (callback ids or legacy).  Any thread; do
 * not hold obj->lock. */
void qemu_event_lifecycle(QemuDriver *drv, QemuDomainObj *obj, int event, int detail);
void qemu_event_reboot(QemuDriver *drv, QemuDomainObj *obj);
