/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-conf.h: what the QEMU driver keeps on disk: persistent definitions,
 * autostart links, and the status file of each running domain.
 *
 * All writes are atomic (temporary file, fsync, rename).
 */
#pragma once

#include <glib.h>

#include "drivers/qemu/qemu-driver.h"

/* Where the spare files for new definitions wait (in the config directory,
 * so on its file system), and how many: 512, more after bursts of defines
 * that used them all (which meanwhile make their files the ordinary way). */
#define QEMU_CONFIG_SPARE_DIR ".spare"
#define QEMU_CONFIG_SPARES 512
#define QEMU_CONFIG_SPARES_MAX 2048

gboolean qemu_conf_save_config(QemuDriver *drv, const DomainDef *def, GError **error);
gboolean qemu_conf_delete_config(QemuDriver *drv, const char *name, GError **error);
gboolean qemu_conf_set_autostart(QemuDriver *drv, const char *name, gboolean autostart,
                                 GError **error);
gboolean qemu_conf_get_autostart(QemuDriver *drv, const char *name);
/* Load every persistent definition (broken files are logged and skipped). */
void qemu_conf_load_configs(QemuDriver *drv);

/* The status file of a running domain: state, pid, monitor, runtime data
 * (volume translations included) and the live definition. */
gboolean qemu_conf_save_status(QemuDriver *drv, QemuDomainObj *obj, GError **error);
/* The same from explicit pieces: used before QEMU is spawned (pid 0), so
 * that a daemon killed right after the spawn still finds the QEMU it started
 * (through the pidfile in the domain directory) and does not orphan it. */
gboolean qemu_conf_save_status_raw(QemuDriver *drv, const DomainDef *def,
                                   const QemuDomainRuntime *rt, int state, int reason,
                                   pid_t pid, guint64 start_time, GError **error);
void qemu_conf_delete_status(QemuDriver *drv, const char *name);
/* The same for a domain that may have status writes in flight: none of
 * the snapshots taken so far is written after this. */
void qemu_conf_delete_status_of(QemuDriver *drv, QemuDomainObj *obj);
/* Whether a directory entry is a temporary file an interrupted atomic
 * write left ("NAME.xml.XXXXXX"), not a definition or status file. */
gboolean qemu_conf_is_stale_temp(const char *entry);

typedef struct {
    DomainDef *def;              /* the live definition */
    int state;
    int reason;
    pid_t pid;
    guint64 start_time;
    QemuDomainRuntime *runtime;
} QemuStatus;

void qemu_status_clear(QemuStatus *st);
gboolean qemu_conf_load_status(QemuDriver *drv, const char *path, QemuStatus *ret,
                               GError **error);
