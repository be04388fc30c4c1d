/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-process.h: running QEMU for a domain: start, stop, exit, monitor
 * events, and re-attaching to running QEMUs after a daemon restart.
 *
 * Every function here that changes a domain expects the caller to hold the
 * domain's job (qemu_domain_obj_begin_job), never its lock.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "drivers/qemu/qemu-command.h"
#include "drivers/qemu/qemu-driver.h"
#include "drivers/qemu/qemu-monitor.h"

/* What a running domain needs beyond its definition.  Owned by the domain
 * object; reached under its lock. */
struct _QemuDomainRuntime {
    QemuMonitor *mon;            /* NULL while (re)connecting or if unreachable */
    char *monitor_path;
    char *domain_dir;            /* per domain: monitor socket, generated sockets */
    char *log_path;
    char *emulator;
    guint64 qemu_version;
    char *machine;               /* the resolved machine type */
    int pidfd;
    GSource *exit_source;        /* watches pidfd */
    gboolean exited;             /* QEMU is gone (seen by the pidfd watch) */
    gboolean stopping;           /* a job is stopping it: the exit is expected */
    gboolean fake_reboot;        /* reboot via ACPI: reset instead of stopping */
    gboolean rebooting;          /* that reset under way: QEMU's STOP and RESUME
                                  * belong to it, not to a suspension */
    gboolean child;              /* started by this daemon: we reap it */
    gboolean inhibiting;         /* counted in the daemon's idle inhibitions */
    GPtrArray *disk_sources;     /* QemuDiskSource *, per disk (NULL = as in the def) */
};

/* VIR_DOMAIN_START_* */
enum {
    QEMU_START_PAUSED = 1 << 0,
    QEMU_START_AUTODESTROY = 1 << 1,
    QEMU_START_BYPASS_CACHE = 1 << 2,
    QEMU_START_FORCE_BOOT = 1 << 3,
    QEMU_START_VALIDATE = 1 << 4,
    QEMU_START_RESET_NVRAM = 1 << 5,
};

/* Start @obj (inactive).  On failure nothing is left running. */
gboolean qemu_process_start(QemuDriver *drv, QemuDomainObj *obj, unsigned int flags,
                            GError **error);
/* The same with @live_def (copied) as the live definition instead of the
 * domain's own: virDomainCreateXML of a defined, inactive domain. */
gboolean qemu_process_start_def(QemuDriver *drv, QemuDomainObj *obj, const DomainDef *live_def,
                                unsigned int flags, GError **error);
/*
 * Stop @obj's QEMU: SIGTERM, then SIGKILL after @grace_ms unless @graceful
 * (then fail instead).  Cleans up, records state SHUTOFF/@reason and emits
 * STOPPED/@detail.  Transient domains disappear.
 */
/* Drop @obj from the list if it is (still) transient and inactive. */
void qemu_process_remove_transient(QemuDriver *drv, QemuDomainObj *obj);
/*
 * Destroy's start: SIGTERM to QEMU (when running), then the domain's job
 * (SIGKILL when a non-graceful destroy cannot have it within the SIGTERM
 * grace time).  TRUE with the job held; then qemu_process_kill().
 * *@ret_signalled: whether it signalled a running QEMU (which whoever held
 * the job meanwhile may have seen go: the domain is then already off).
 */
gboolean qemu_process_destroy_begin(QemuDriver *drv, QemuDomainObj *obj, gboolean graceful,
                                    gboolean *ret_signalled, GError **error);
gboolean qemu_process_kill(QemuDriver *drv, QemuDomainObj *obj, gboolean graceful,
                           int reason, int detail, GError **error);

/* Run @func(drv, obj) on a worker thread, under a job named @what. */
void qemu_process_schedule(QemuDriver *drv, QemuDomainObj *obj, const char *what,
                           void (*func)(QemuDriver *drv, QemuDomainObj *obj));

/* Take the domains of the status files found at daemon start into the
 * list, each with its job held until its QEMU is reconnected (calls made
 * meanwhile wait instead of failing).  Returns them for
 * qemu_process_reconnect_start(), which must come after the persistent
 * definitions are loaded: a domain whose QEMU died must be known to be
 * persistent before it is marked shut off, or it would be dropped. */
GPtrArray *qemu_process_reconnect_all(QemuDriver *drv);
/* Re-attach to their QEMUs, one thread each; takes @objs. */
void qemu_process_reconnect_start(QemuDriver *drv, GPtrArray *objs);

/* Free a QemuDiskSource whose strings were allocated with g_strdup. */
void qemu_disk_source_free(QemuDiskSource *src);

/* Free a runtime (after the domain stopped). */
void qemu_domain_runtime_free(QemuDomainRuntime *rt);

/* A monitor reference released with qemu_monitor_unref() at the end of the
 * scope.  NB: g_autoptr(QemuMonitor) would *close* the monitor. */
static inline void
qemu_monitor_unrefp(QemuMonitor **mon)
{
    if (*mon)
        qemu_monitor_unref(*mon);
}
#define QEMU_MONITOR_AUTOUNREF __attribute__((cleanup(qemu_monitor_unrefp)))

/* The monitor of a running domain (a new reference), or an error saying
 * why there is none.  Caller holds the job. */
QemuMonitor *qemu_process_get_monitor(QemuDomainObj *obj, GError **error);

/* CPU time of the QEMU process (ns). */
guint64 qemu_process_cpu_time(pid_t pid);
/* /proc/PID/stat start time, 0 if the process is gone. */
guint64 qemu_process_start_time(pid_t pid);
