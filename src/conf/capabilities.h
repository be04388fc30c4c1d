/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * capabilities.h: the <capabilities> document: the host (CPU, topology,
 * memory) and one <guest> per emulator and OS type.
 */
#pragma once

#include <glib.h>

#include "util/hostinfo.h"

typedef struct {
    char *name;
    char *canonical;        /* for aliases such as "pc" */
    guint max_cpus;
    gboolean deprecated;
} CapsMachine;

typedef struct {
    char *os_type;          /* "hvm" */
    char *arch;
    guint wordsize;
    char *emulator;
    GPtrArray *machines;    /* CapsMachine */
    gboolean has_tcg;       /* <domain type='qemu'/> */
    gboolean has_kvm;       /* <domain type='kvm'/> */
} CapsGuest;

typedef struct {
    char *host_uuid;
    MvHostTopology *host;
    char *host_cpu_model;   /* NULL when not known */
    char *secmodel;         /* "none" */
    GPtrArray *guests;      /* CapsGuest */
} Caps;

Caps *caps_new(void);
/* A document with the host part filled from this machine. */
Caps *caps_new_host(void);
void caps_free(Caps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Caps, caps_free)

CapsGuest *caps_add_guest(Caps *caps, const char *os_type, const char *arch,
                          guint wordsize, const char *emulator);
void caps_guest_add_machine(CapsGuest *guest, const char *name, const char *canonical,
                            guint max_cpus);
char *caps_format(const Caps *caps);
