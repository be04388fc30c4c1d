/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * command.h: starting other programs.  The only place that forks.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

/*
 * Find the daemon binary @name: first in the directories listed in
 * $MODVIRT_DAEMON_PATH (colon separated), then in SBINDIR.  Returns NULL if
 * none is executable.
 */
char *mv_command_find_daemon(const char *name);

/*
 * Start @argv as a detached daemon (double fork, new session, not our child),
 * stdin on /dev/null and stdout/stderr appended to @log_path (or /dev/null).
 * Returns 0 once the intermediate child has exited, or -errno.
 */
int mv_command_spawn_detached(const char *const *argv, const char *log_path);

typedef enum {
    MV_COMMAND_NEW_SESSION = 1 << 0,     /* setsid(): outlives us, own session */
    MV_COMMAND_DIE_WITH_PARENT = 1 << 1, /* SIGKILL when the spawning thread ends
                                          * (PR_SET_PDEATHSIG): never orphaned */
} MvCommandFlags;

/*
 * fork() + exec of @argv as our child, with the given fds kept open in the
 * child (in @keep_fds, numbered as in the parent; everything else is closed),
 * stdio from @stdin_fd/@stdout_fd/@stderr_fd (-1 for /dev/null), with
 * MvCommandFlags @flags (TRUE is MV_COMMAND_NEW_SESSION).  Returns the pid
 * or -errno.
 */
pid_t mv_command_spawn(const char *const *argv, const char *const *envp, const int *keep_fds,
                       guint nkeep, int stdin_fd, int stdout_fd, int stderr_fd,
                       unsigned int flags);

/* Close every fd >= 3 except those in @keep (for a freshly forked child). */
void mv_command_close_fds(const int *keep, guint nkeep);
