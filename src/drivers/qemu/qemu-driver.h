/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-driver.h: the QEMU driver's state, shared by its files.
 */
#pragma once

#include <glib.h>

#include "conf/domain-conf.h"
#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-domain.h"
#include "remote/remote-daemon.h"
#include "util/file.h"

typedef struct _QemuDriver QemuDriver;

struct _QemuDriver {
    RemoteDaemon *rd;
    gboolean privileged;

    QemuCapsCache *caps;         /* every emulator's, probed in the background */

    QemuDomainList *domains;
    char *config_dir;            /* persistent definitions: <config>/qemu/NAME.xml */
    char *autostart_dir;         /* <config>/qemu/autostart/NAME.xml -> ../NAME.xml */
    MvFileSpares *config_spares; /* <config>/qemu/.spare: files for new definitions */
    char *state_dir;             /* runtime: status XML, pid files: <run>/qemu */
    char *domains_dir;           /* per running domain: monitor socket, sockets: <run>/qemu/domains */
    char *channel_dir;           /* auto-generated chardev sockets: <run>/qemu/channel */
    char *log_dir;               /* <log>/qemu/NAME.log */
    DomainXMLOptions xmlopts;

    GMutex define_lock;          /* definitions: define, undefine, autostart, create-xml's
                                  * add, the removal of transient domains; taken before
                                  * a domain's lock, never while waiting for a job */
    gint inhibited;              /* running domains holding the daemon up */
    GThreadPool *status_writer;  /* status files written off the main loop, in order */

    /* Background threads (autostart, reconnect, event tasks): shutdown
     * waits for them before freeing anything. */
    GMutex bg_lock;
    GCond bg_cond;
    guint bg_threads;
    gboolean stopping;
    gint tap_next_id;            /* the N of the next vnetN to try (qemu-interface.c) */
};

extern const MvDaemonDriver qemu_daemon_driver;

/* The driver of the daemon @client is connected to. */
QemuDriver *qemu_driver_from_client(MvServerClient *client);
/* Capabilities of every emulator (probed once, cached on disk, probed again
 * when a binary changes).  Borrowed, unchanged until the driver shuts down. */
GPtrArray *qemu_driver_caps(QemuDriver *drv);
/* The capabilities of @emulator (a path), or of the emulator for @arch when
 * @emulator is NULL.  Borrowed. */
const QemuCaps *qemu_driver_caps_lookup(QemuDriver *drv, const char *emulator, const char *arch,
                                        GError **error);
char *qemu_driver_format_capabilities(QemuDriver *drv, gboolean with_guests);

/* Run @func(@data) on a new thread that driver shutdown waits for. */
void qemu_driver_thread(QemuDriver *drv, const char *name, GThreadFunc func, gpointer data);
/* Whether the daemon is shutting down (background work should end). */
gboolean qemu_driver_is_stopping(QemuDriver *drv);
/* Write @obj's status file soon, on the status writer thread. */
void qemu_driver_save_status_later(QemuDriver *drv, QemuDomainObj *obj);

/* A running domain keeps the daemon from idling out. */
void qemu_driver_domain_started(QemuDriver *drv);
void qemu_driver_domain_stopped(QemuDriver *drv);
