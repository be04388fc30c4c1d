/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps.h: what each installed QEMU emulator can do, probed once and
 * cached on disk keyed by the binary's identity (path, size, mtime, inode).
 */
#pragma once

#include <glib.h>

#include "conf/capabilities.h"

typedef struct {
    char *name;
    char *alias;             /* "pc" for the default machine */
    guint max_cpus;
    gboolean deprecated;
} QemuMachine;

typedef struct {
    char *binary;
    char *arch;              /* "x86_64" */
    guint64 version;         /* major * 1000000 + minor * 1000 + micro */
    GPtrArray *machines;     /* QemuMachine */
    gboolean kvm;            /* /dev/kvm usable */
} QemuCaps;

void qemu_caps_free(QemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemu_caps_free)

/* The qemu-system-* binaries in the search path (MODVIRT_QEMU_PATH, else
 * /usr/local/bin:/usr/bin:/bin), one per architecture. */
GPtrArray *qemu_caps_find_binaries(void);
/* Probe @binary, or load the cached result from @cache_dir when the binary
 * has not changed. */
QemuCaps *qemu_caps_get(const char *binary, const char *cache_dir, GError **error);
/* Add a <guest> for @caps. */
void qemu_caps_fill_guest(const QemuCaps *qcaps, Caps *caps);
