/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * perf-io.h: blocking I/O of the benchmark's C helpers (pingpong.c,
 * floor.c).
 */
#pragma once

#include <errno.h>
#include <unistd.h>

#include <glib.h>

/* Write (@out) or read all @len bytes of @buf; FALSE on an error or EOF. */
static inline gboolean
perf_full_io(int fd, void *buf, gsize len, gboolean out)
{
    guint8 *p = buf;

    while (len > 0) {
        ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= n;
    }
    return TRUE;
}
