/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps-priv.h: the parts of qemu-caps shared between its files
 * (qemu-caps.c, qemu-caps-probe.c, qemu-caps-json.c) and the tests.
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps.h"

/* Bumped whenever the probe or the cache format changes meaning. */
#define QEMU_CAPS_CACHE_FORMAT 1

QemuCaps *qemu_caps_new(const char *binary);
void qemu_machine_free(gpointer p);
void qemu_cpu_model_free(gpointer p);
char *qemu_caps_arch_from_binary(const char *binary);

/*
 * Start @binary a few times over QMP and fill a new QemuCaps (see
 * qemu-caps.h).  Each QEMU started is killed and reaped before returning.
 */
/* Probe @binary; its QEMUs' sockets and logs live in a directory made
 * under @work_dir (NULL: the system's temporary directory). */
/* Ends probes early: the QEMUs they run are killed, new ones fail. */
typedef struct {
    GMutex lock;
    gboolean cancelled;
    GArray *pids;                /* pid_t of the QEMUs running */
} QemuCapsCancel;

void qemu_caps_cancel_init(QemuCapsCancel *c);
void qemu_caps_cancel_clear(QemuCapsCancel *c);
void qemu_caps_cancel(QemuCapsCancel *c);

/* @cancel may be NULL. */
QemuCaps *qemu_caps_probe(const char *binary, const char *work_dir, QemuCapsCancel *cancel,
                          GError **error);
/* How many QEMU processes probes have started in this process. */
guint qemu_caps_probe_spawn_count(void);

/* "path:size:mtime:inode" of @binary, NULL if it cannot be examined. */
char *qemu_caps_binary_identity(const char *binary);
/* A digest of what makes this host's results valid: kernel release, CPU
 * model and flags, /dev/kvm access. */
char *qemu_caps_host_identity(void);
/* Where the cached capabilities of @binary live under @cache_dir. */
char *qemu_caps_cache_file(const char *cache_dir, const char *binary);

json_object *qemu_caps_to_json(const QemuCaps *caps);
QemuCaps *qemu_caps_from_json(json_object *obj, GError **error);
/* Read the cache file @path; NULL (and no error) when it is missing or stale
 * for @identity / @host, which then means "probe again". */
QemuCaps *qemu_caps_load_file(const char *path, const char *identity, const char *host,
                              GError **error);
gboolean qemu_caps_save_file(const QemuCaps *caps, const char *path, GError **error);
