/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include <glib.h>

/*
 * Replace @path with @data atomically: write a temporary file in the same
 * directory (unnamed, O_TMPFILE, where the file system has it), fsync it,
 * then link it as @path if there is none, else rename it over @path.  A
 * crash (of the process or of the machine) at any point leaves either the
 * old or the new content.
 */
gboolean mv_file_write_atomic(const char *path, const void *data, gsize len, mode_t mode,
                              GError **error);
/*
 * The same without the fsync, for files that live no longer than the
 * machine's uptime (the runtime directory, a tmpfs): a crash of the process
 * at any point leaves either the old or the new content.
 */
gboolean mv_file_write_atomic_volatile(const char *path, const void *data, gsize len,
                                       mode_t mode, GError **error);
/* mkdir -p, then chmod the last component to @mode. */
gboolean mv_file_mkdir(const char *path, mode_t mode, GError **error);
/* Symlink @target at @path atomically (replacing it). */
gboolean mv_file_symlink_atomic(const char *target, const char *path, GError **error);
/* unlink(); a missing file is not an error. */
gboolean mv_file_unlink(const char *path, GError **error);
