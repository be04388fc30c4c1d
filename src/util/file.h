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
/*
 * Spare files: empty files made ahead of need, on a background thread at
 * low priority, in a directory of their own (@dir, made if missing), for
 * the atomic writes of new files on the same file system.  Making a file
 * means allocating an inode, which on a file system where other processes
 * delete files a lot (ext4 without a journal skips every inode freed in
 * the last 30-60 s, one by one) can cost a millisecond of CPU; taking a
 * spare moves that cost off the caller's path.  Files left in @dir by a
 * crash are spares too: their content is truncated before use, and only
 * whole, fsync'ed content is ever renamed out of @dir.
 */
typedef struct _MvFileSpares MvFileSpares;

/* @target: how many to keep ready (no descriptor stays open); each time
 * a caller finds none ready, twice as many, up to @max. */
MvFileSpares *mv_file_spares_new(const char *dir, guint target, guint max);
/* Stops the thread; the files stay, for the next process. */
void mv_file_spares_free(MvFileSpares *spares);
/* How many are ready now. */
guint mv_file_spares_ready(MvFileSpares *spares);
/*
 * mv_file_write_atomic() through a spare: truncate it, write, fsync, rename
 * it over @path (on @path's file system, which must be @spares').  Without
 * a spare ready (or with @spares NULL), mv_file_write_atomic() itself.
 */
gboolean mv_file_write_atomic_spare(MvFileSpares *spares, const char *path, const void *data,
                                    gsize len, mode_t mode, GError **error);

/*
 * Take @path out of its place for good, as unlink() would, but keep its
 * inode as a spare (moved into the spare directory, emptied), so that a
 * later write needs no new one: on such a file system freeing an inode
 * also slows every allocation near it for the next 30-60 s.  With @spares
 * NULL or enough spares kept already, unlink().  A missing @path is not an
 * error.  (A crash between the rename and the truncation leaves the old
 * content in the spare directory until that spare is used: truncated then.)
 */
gboolean mv_file_spares_recycle(MvFileSpares *spares, const char *path, GError **error);

/* mkdir -p, then chmod the last component to @mode. */
gboolean mv_file_mkdir(const char *path, mode_t mode, GError **error);
/* Symlink @target at @path atomically (replacing it). */
gboolean mv_file_symlink_atomic(const char *target, const char *path, GError **error);
/* unlink(); a missing file is not an error. */
gboolean mv_file_unlink(const char *path, GError **error);
