/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>

#include <glib.h>
#include <systemd/sd-daemon.h>

#include "util/systemd.h"

GHashTable *
mv_systemd_take_listen_fds(void)
{
    GHashTable *fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char **names = NULL;
    int n = sd_listen_fds_with_names(1, &names);

    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;
        const char *name = names && names[i] ? names[i] : "unknown";

        fcntl(fd, F_SETFD, FD_CLOEXEC);
        g_hash_table_insert(fds, g_strdup(name), GINT_TO_POINTER(fd));
    }
    g_strfreev(names);
    return fds;
}

void
mv_systemd_notify(const char *state)
{
    sd_notify(0, state);
}
