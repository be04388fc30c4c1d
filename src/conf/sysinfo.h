/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysinfo.h: the host's <sysinfo type='smbios'> document, from DMI data in
 * /sys where the host has it, and from /proc otherwise.
 */
#pragma once

#include <glib.h>

typedef struct {
    char *section;          /* "bios", "system", "baseBoard", "processor", "memory_device" */
    GPtrArray *names;       /* char * */
    GPtrArray *values;      /* char * */
} SysinfoSection;

typedef struct {
    GPtrArray *sections;    /* SysinfoSection */
} Sysinfo;

Sysinfo *sysinfo_new(void);
void sysinfo_free(Sysinfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Sysinfo, sysinfo_free)
SysinfoSection *sysinfo_add_section(Sysinfo *info, const char *section);
void sysinfo_section_add(SysinfoSection *sec, const char *name, const char *value);
char *sysinfo_format(const Sysinfo *info);
