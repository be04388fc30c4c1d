/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/*
 * Take a write lock on @path (created 0644 if missing) and write @pid to it.
 * Returns the locked fd (keep it open for as long as the lock is needed), or
 * -EBUSY if another process holds the lock (its pid in *ret_holder when
 * known, else 0), or another -errno.  A holder whose pid is dead or a zombie
 * is dying with the lock still held by its last threads: that is waited for
 * (up to 10 s), so a daemon started right after a kill -9 is not refused.
 */
int mv_pidfile_acquire(const char *path, pid_t pid, pid_t *ret_holder);
/* Unlink @path if @fd still locks it, and close @fd. */
void mv_pidfile_release(const char *path, int fd);
/* Read a pid from @path.  Returns 0 or -errno. */
int mv_pidfile_read(const char *path, pid_t *ret_pid);
