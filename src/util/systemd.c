/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib.h>
#include <systemd/sd-daemon.h>

#include "util/macros.h"
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

char *
mv_systemd_take_notify_socket(void)
{
    const char *env = g_getenv("NOTIFY_SOCKET");
    char *addr = env && *env ? g_strdup(env) : NULL;

    g_unsetenv("NOTIFY_SOCKET");
    return addr;
}

/*
 * The notification protocol: one datagram on an AF_UNIX socket whose
 * address is a path, or an abstract name when it starts with '@'.  The
 * service manager learns our pid from the kernel (SCM_CREDENTIALS).
 */
int
mv_systemd_notify(const char *notify_socket, const char *state)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    mv_autoclose int fd = -1;
    size_t len;

    if (!notify_socket)
        return 0;
    len = strlen(notify_socket);
    if (len < 2 || len >= sizeof(sa.sun_path) ||
        (notify_socket[0] != '/' && notify_socket[0] != '@'))
        return -EINVAL;
    memcpy(sa.sun_path, notify_socket, len);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0';
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               offsetof(struct sockaddr_un, sun_path) + len) < 0)
        return -errno;
    return 0;
}
