/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps.h: what each installed QEMU emulator can do.
 *
 * Each binary is probed over QMP (version, machine types, CPU models under
 * KVM and TCG, KVM availability, device types, commands), and which guest
 * CPU configurations really start on this host is found by starting QEMU
 * briefly with each candidate (under nested KVM, "-cpu host" may abort).
 * Results are cached on disk (one JSON file per binary) keyed by the binary's
 * identity (path, size, mtime, inode) and the host's (kernel release, CPU
 * model and flags, /dev/kvm access), reused across daemon restarts and
 * probed again when either changes.
 */
#pragma once

#include <glib.h>

#include "conf/capabilities.h"
#include "conf/domain-capabilities.h"
#include "util/enum.h"

/*
 * A machine type.  An alias gets an entry of its own, right after its
 * canonical machine: { "pc-i440fx-7.2", NULL } then { "pc", "pc-i440fx-7.2" }.
 */
typedef struct {
    char *name;              /* "pc-i440fx-7.2", or an alias: "pc" */
    char *alias;             /* for an alias, the canonical machine it stands for */
    guint max_cpus;
    gboolean is_default;     /* set on the canonical entry */
    gboolean deprecated;
} QemuMachine;

typedef struct {
    char *name;              /* "EPYC", "EPYC-v1" */
    char *alias_of;          /* "EPYC-v1" for "EPYC", else NULL */
    gboolean usable;         /* QEMU reports no unavailable feature */
    gboolean deprecated;
    GStrv blockers;          /* the unavailable features (possibly empty) */
} QemuCpuModel;

typedef enum {
    QEMU_CAPS_ACCEL_KVM,
    QEMU_CAPS_ACCEL_TCG,
    QEMU_CAPS_ACCEL_LAST,
} QemuCapsAccel;
MV_ENUM_DECL(qemu_caps_accel);

/* The guest CPU modes a domain may ask for (<cpu mode=...>). */
typedef enum {
    QEMU_CAPS_CPU_HOST_PASSTHROUGH,
    QEMU_CAPS_CPU_MAXIMUM,
    QEMU_CAPS_CPU_HOST_MODEL,
    QEMU_CAPS_CPU_LAST,
} QemuCapsCpuMode;
MV_ENUM_DECL(qemu_caps_cpu_mode);

typedef struct {
    gboolean available;      /* guests can run with this accelerator */
    GPtrArray *cpu_models;   /* QemuCpuModel, as query-cpu-definitions lists them */
    /*
     * The -cpu value that was seen to start for each mode (for example
     * "host,-arch-capabilities" for host-passthrough under nested KVM, a named
     * model such as "EPYC-Rome" for host-model), or NULL when none did.
     */
    char *cpu_config[QEMU_CAPS_CPU_LAST];
} QemuCapsAccelInfo;

typedef struct {
    char *binary;
    char *arch;              /* "x86_64" */
    guint64 version;         /* major * 1000000 + minor * 1000 + micro */
    char *package;           /* "Debian 1:7.2+dfsg-7+deb12u18" */
    GPtrArray *machines;     /* QemuMachine, the default one (and its alias) first */
    gboolean kvm;            /* KVM usable (query-kvm: enabled) */
    char *host_cpu_vendor;   /* the host's CPU vendor when probed ("AMD", "Intel") */
    guint kvm_max_vcpus;     /* KVM's vCPU limit, 0 if unknown */
    QemuCapsAccelInfo accel[QEMU_CAPS_ACCEL_LAST];
    GHashTable *devices;     /* QOM type names (a set) */
    GHashTable *commands;    /* QMP command names (a set) */
    char *identity;          /* the binary's identity when probed */
    char *host;              /* the host's identity when probed */
} QemuCaps;

void qemu_caps_free(QemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemu_caps_free)

/* The qemu-system-* binaries in the search path (MODVIRT_QEMU_PATH, else
 * /usr/local/bin:/usr/bin:/bin), one per name. */
GPtrArray *qemu_caps_find_binaries(void);
/*
 * Load the capabilities of @binary from @cache_dir when the cached copy is
 * still valid, else probe the binary (which takes about a second) and cache
 * the result.  Returns a new QemuCaps.
 */
QemuCaps *qemu_caps_get(const char *binary, const char *cache_dir, GError **error);
/* Add a <guest> for @qcaps to @caps. */
void qemu_caps_fill_guest(const QemuCaps *qcaps, Caps *caps);

/* Queries ----------------------------------------------------------------- */

gboolean qemu_caps_has_device(const QemuCaps *caps, const char *type);
gboolean qemu_caps_has_command(const QemuCaps *caps, const char *command);
/* The machine named @name (canonical or alias), the default one if @name is
 * NULL; NULL if unknown. */
const QemuMachine *qemu_caps_get_machine(const QemuCaps *caps, const char *name);
const QemuCpuModel *qemu_caps_get_cpu_model(const QemuCaps *caps, QemuCapsAccel accel,
                                            const char *name);
/* The -cpu value to use for @mode under @accel, or NULL if unsupported. */
const char *qemu_caps_cpu_config(const QemuCaps *caps, QemuCapsAccel accel,
                                 QemuCapsCpuMode mode);

/* A cache of every emulator's capabilities ------------------------------- */

typedef struct _QemuCapsCache QemuCapsCache;

QemuCapsCache *qemu_caps_cache_new(const char *cache_dir);
/* Waits for a background probe to finish. */
void qemu_caps_cache_free(QemuCapsCache *cache);
/* Probe (or load) every emulator in a background thread now, so that the
 * first caller does not wait. */
void qemu_caps_cache_probe_async(QemuCapsCache *cache);
/*
 * The capabilities of every installed emulator: an array of QemuCaps that
 * stays valid, unchanged, until the cache is freed.  Binaries that changed
 * since the last call are probed again (and then appear in a new array).
 */
GPtrArray *qemu_caps_cache_get_all(QemuCapsCache *cache);
/*
 * The capabilities of the found emulator that is @binary (a path) or, when
 * @binary is NULL, whose name says it serves @arch ("x86_64", "i686"...):
 * that one alone, without waiting for the others.  *@ret_found (may be
 * NULL) tells whether such a binary was found, so that a NULL result is
 * either "none" or its probe's failure (in @error).  Borrowed, valid until
 * the cache is freed.
 */
const QemuCaps *qemu_caps_cache_get_one(QemuCapsCache *cache, const char *binary,
                                        const char *arch, gboolean *ret_found,
                                        GError **error);
/* get_one() for @arch. */
const QemuCaps *qemu_caps_cache_get_arch(QemuCapsCache *cache, const char *arch,
                                         GError **error);
/* The array the last get_all returned, without waiting or looking at the
 * binaries: NULL before the first one ends or while one runs. */
GPtrArray *qemu_caps_cache_peek_all(QemuCapsCache *cache);
/* The capabilities of @emulator (a path), or of the emulator for @arch when
 * @emulator is NULL.  Borrowed, valid until the cache is freed. */
const QemuCaps *qemu_caps_cache_lookup(QemuCapsCache *cache, const char *emulator,
                                       const char *arch, GError **error);

/* <domainCapabilities> ----------------------------------------------------- */

/* What @caps offers a domain of type @virttype ("kvm", "qemu") on @machine
 * (canonical or alias; NULL for the default). */
DomainCaps *qemu_caps_domain_caps(const QemuCaps *caps, const char *machine,
                                  const char *virttype, GError **error);
/*
 * CONNECT_GET_DOMAIN_CAPABILITIES: the document for @emulator (else the
 * emulator for @arch, else for the host's architecture), @machine (else the
 * default) and @virttype (else "kvm" when KVM is usable, "qemu" otherwise).
 */
char *qemu_caps_cache_domain_capabilities(QemuCapsCache *cache, const char *emulator,
                                          const char *arch, const char *machine,
                                          const char *virttype, GError **error);
