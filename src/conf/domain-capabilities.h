/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-capabilities.h: the <domainCapabilities> document: what one
 * emulator, machine type and virtualization type can do for a new domain
 * (vCPU limit, firmware, CPU modes and models, device and feature support).
 *
 * The driver fills the structure from what it probed; this file only holds
 * and formats it.
 */
#pragma once

#include <glib.h>

/* <enum name='NAME'><value>...</value>...</enum> */
typedef struct {
    char *name;
    GPtrArray *values;           /* char * */
} DomainCapsEnum;

/* An element with a supported='yes|no' attribute and enums ("disk"...). */
typedef struct {
    char *name;
    gboolean supported;
    GPtrArray *enums;            /* DomainCapsEnum */
} DomainCapsElement;

typedef struct {
    char *name;
    char *canonical;             /* the versioned model an alias stands for */
    gboolean usable;
    gboolean deprecated;
    GStrv blockers;              /* features missing on this host, or NULL */
} DomainCapsCpuModel;

typedef struct {
    char *name;
    gboolean supported;
} DomainCapsFeature;

typedef struct {
    char *path;                  /* the emulator */
    char *virttype;              /* "kvm", "qemu" */
    char *machine;               /* canonical machine type */
    char *arch;
    guint max_vcpus;
    gboolean iothreads;

    DomainCapsElement *os;       /* enums: "firmware" */
    DomainCapsElement *loader;   /* enums: "type", "readonly", "secure" */
    GPtrArray *loader_values;    /* firmware image paths */

    gboolean host_passthrough;
    gboolean maximum;
    gboolean host_model;
    char *host_model_name;
    char *host_model_vendor;     /* may be NULL */
    gboolean custom;
    GPtrArray *cpu_models;       /* DomainCapsCpuModel */

    DomainCapsElement *memory_backing;   /* NULL: omitted */
    GPtrArray *devices;          /* DomainCapsElement, in <devices> */
    GPtrArray *features;         /* DomainCapsFeature */
} DomainCaps;

DomainCaps *domain_caps_new(const char *path, const char *virttype, const char *machine,
                            const char *arch, guint max_vcpus);
void domain_caps_free(DomainCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainCaps, domain_caps_free)

DomainCapsElement *domain_caps_element_new(const char *name, gboolean supported);
void domain_caps_element_free(DomainCapsElement *el);
/* Add an enum with the NULL-terminated values that follow @name. */
DomainCapsEnum *domain_caps_element_add_enum(DomainCapsElement *el, const char *name, ...)
    G_GNUC_NULL_TERMINATED;
void domain_caps_enum_add_value(DomainCapsEnum *e, const char *value);

/* A new element in <devices>, owned by @caps. */
DomainCapsElement *domain_caps_add_device(DomainCaps *caps, const char *name,
                                          gboolean supported);
void domain_caps_add_feature(DomainCaps *caps, const char *name, gboolean supported);
/* @blockers is copied; NULL or empty for a usable model. */
void domain_caps_add_cpu_model(DomainCaps *caps, const char *name, const char *canonical,
                               gboolean usable, gboolean deprecated,
                               const char *const *blockers);

char *domain_caps_format(const DomainCaps *caps);
