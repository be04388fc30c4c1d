/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MV_BUILDING_LIBRARY)
# define MV_PUBLIC __attribute__((visibility("default")))
#else
# define MV_PUBLIC
#endif

/* Library version: major * 1,000,000 + minor * 1,000 + micro. */
#define MV_VERSION_MAJOR 0
#define MV_VERSION_MINOR 1
#define MV_VERSION_MICRO 0

#define MV_UUID_BUFLEN 16
#define MV_UUID_STRING_BUFLEN 37

/**
 * mv_get_version:
 * @ret_lib_ver: where to store the library version number
 *
 * Returns: 0 on success.
 * Since: 0.1
 */
MV_PUBLIC int mv_get_version(unsigned long long *ret_lib_ver);

#ifdef __cplusplus
}
#endif
