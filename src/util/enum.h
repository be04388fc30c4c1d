/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * enum.h: string tables for enums.
 *
 *   MV_ENUM_DECL(net_forward)          in the header
 *   MV_ENUM_IMPL(net_forward, NET_FORWARD_LAST, "none", "nat", ...)
 *
 * gives net_forward_to_string(int) and net_forward_from_string(const char *),
 * the latter returning -1 for an unknown string.  The implementation checks at
 * compile time that the table has exactly _LAST entries.
 */
#pragma once

#include <glib.h>

int mv_enum_from_string(const char *const *types, unsigned int ntypes, const char *type);
const char *mv_enum_to_string(const char *const *types, unsigned int ntypes, int type);

#define MV_ENUM_DECL(name) \
    const char *name##_to_string(int type); \
    int name##_from_string(const char *str)

#define MV_ENUM_IMPL(name, lastVal, ...) \
    static const char *const name##_table[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##_table) == (lastVal)); \
    const char * \
    name##_to_string(int type) \
    { \
        return mv_enum_to_string(name##_table, G_N_ELEMENTS(name##_table), type); \
    } \
    int \
    name##_from_string(const char *str) \
    { \
        return mv_enum_from_string(name##_table, G_N_ELEMENTS(name##_table), str); \
    }
