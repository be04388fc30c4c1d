/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macros.h: small helpers shared by every layer.
 */
#pragma once

#include <errno.h>
#include <unistd.h>

#include <glib.h>

/* Debian 12 ships GLib 2.74, which predates g_autofd (2.76). */
static inline void
mv_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
    *fd = -1;
}
#define mv_autoclose __attribute__((cleanup(mv_closep)))

static inline int
mv_steal_fd(int *fd)
{
    int ret = *fd;
    *fd = -1;
    return ret;
}

#define MV_N_ELEMENTS(a) G_N_ELEMENTS(a)

/* Report a programming error in a switch on an enum: every switch lists all
 * values, plus _LAST and default, which land here. */
#define mv_enum_range_error(value) \
    g_critical("%s: unexpected enum value %d", G_STRFUNC, (int)(value))

#define MV_STREQ(a, b) (g_strcmp0((a), (b)) == 0)
