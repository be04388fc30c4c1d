/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-util.h: helpers shared by mvsh's domain and storage commands: tables
 * laid out as virsh lays them out, sizes, object lookups, progress.
 */
#pragma once

#include "cli/cli.h"

/* ---- errors ---------------------------------------------------------------- */

/* "error: MESSAGE", then the library's last error on its own line, if any. */
void cli_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* The code of the library's last error, or 0. */
int cli_last_error_code(void);

/* Print unless mvsh runs quiet (-q): confirmations, table headers. */
void cli_print_extra(CliCtl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- tables ------------------------------------------------------------------ */

/*
 * A table as virsh prints it: a header, a line of dashes, rows; every
 * column as wide as its widest cell, cells separated by three spaces, the
 * line starting with one space, the last column unpadded.
 */
typedef struct _CliTable CliTable;

CliTable *cli_table_new(const char *first_header, ...) G_GNUC_NULL_TERMINATED;
/* Append a row of as many cells as there are headers. */
void cli_table_add_row(CliTable *table, const char *first_cell, ...) G_GNUC_NULL_TERMINATED;
void cli_table_add_rowv(CliTable *table, const char *const *cells);
/* The header and its dashes only if @header (not in quiet mode). */
void cli_table_print(CliTable *table, FILE *out, gboolean header);
void cli_table_free(CliTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliTable, cli_table_free)

/* ---- sizes --------------------------------------------------------------------- */

/* virsh's pretty capacity: @bytes scaled to B, KiB, MiB... */
double cli_pretty_capacity(unsigned long long bytes, const char **ret_unit);
/* "%.2lf %s" of cli_pretty_capacity(), newly allocated. */
char *cli_format_capacity(unsigned long long bytes);
/*
 * Parse a scaled integer as virsh does ("10M", "1GiB", "500KB", "4096"):
 * binary units by default, SI ones with a "B" suffix ("KB", "MB").
 * @default_scale multiplies a bare number.  FALSE on junk or overflow.
 */
gboolean cli_parse_scaled(const char *str, unsigned long long default_scale,
                          unsigned long long *ret);
/* As cli_parse_scaled(), printing virsh's errors ("Malformed size S", and
 * why) on failure. */
gboolean cli_parse_size(const char *str, unsigned long long *ret);

/* ---- files ------------------------------------------------------------------------ */

/* Read @path for a command; on failure prints virsh's error and returns NULL. */
char *cli_read_file(const char *path);

/* ---- lookups --------------------------------------------------------------------- */

typedef enum {
    CLI_BY_ID = 1 << 0,
    CLI_BY_UUID = 1 << 1,
    CLI_BY_NAME = 1 << 2,
} CliLookupFlags;

/* The domain named by option @opt ("domain"), as virsh finds it: by id,
 * UUID, then name (as @flags allow).  NULL (error printed) if not found. */
MvDomain *cli_lookup_domain(CliCtl *ctl, const CliArgs *args, const char *opt,
                            unsigned int flags);
MvDomain *cli_lookup_domain_str(CliCtl *ctl, const char *str, unsigned int flags);
/* The pool named by option @opt: by UUID (36 characters), then name. */
MvStoragePool *cli_lookup_pool(CliCtl *ctl, const CliArgs *args, const char *opt);
MvStoragePool *cli_lookup_pool_str(CliCtl *ctl, const char *str);
/* The volume named by option @opt: by name in --@pool_opt if given, else
 * (and then) by key and by path. */
MvStorageVol *cli_lookup_vol(CliCtl *ctl, const CliArgs *args, const char *opt,
                             const char *pool_opt);

/* GDestroyNotify forms of the free functions, for pointer arrays. */
void cli_domain_unref(gpointer dom);
void cli_pool_unref(gpointer pool);
void cli_vol_unref(gpointer vol);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomain, mv_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStoragePool, mv_storage_pool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageVol, mv_storage_vol_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStream, mv_stream_free)

/* ---- progress ----------------------------------------------------------------------- */

typedef struct {
    gboolean enabled;
    const char *label;
    unsigned long long total;    /* 0: unknown */
    unsigned long long done;
    gint64 last_draw;
} CliProgress;

/* Enabled when stderr is a terminal or @forced. */
void cli_progress_init(CliProgress *p, const char *label, unsigned long long total,
                       gboolean forced);
void cli_progress_add(CliProgress *p, unsigned long long bytes);
/* Draw the final state and end the line. */
void cli_progress_done(CliProgress *p);

/* ---- shared by the command files ------------------------------------------------ */

/* virsh's name of a domain state ("running", "shut off"...). */
const char *cli_domain_state_to_string(int state);
/* Attach to @dom's console until the escape character (see cli-console.c). */
gboolean cli_console_run(CliCtl *ctl, MvDomain *dom, const char *devname, unsigned int flags);

/* Print @xml, or with option --xpath the nodes it selects (--wrap: in one
 * <nodes> element), as virsh's dumpxml commands.  FALSE (error printed) on a
 * bad expression. */
gboolean cli_print_xml(const char *xml, const CliArgs *args);

/* edit and pool-edit (see cli-edit.c). */
gboolean cli_cmd_edit(CliCtl *ctl, const CliArgs *args);
gboolean cli_cmd_pool_edit(CliCtl *ctl, const CliArgs *args);

/* undefine's storage volumes (see cli-undefine.c). */
typedef struct _CliUndefineVols CliUndefineVols;

/* The volumes of @dom's disks named in @storage (comma separated targets or
 * sources), or all of them if @all.  NULL (error printed) on failure. */
CliUndefineVols *cli_undefine_vols_collect(CliCtl *ctl, MvDomain *dom, const char *storage,
                                           gboolean all);
/* Delete them (wiping first if @wipe); FALSE (errors printed) if one fails. */
gboolean cli_undefine_vols_remove(CliCtl *ctl, CliUndefineVols *uv, gboolean wipe,
                                  gboolean snapshots);
void cli_undefine_vols_free(CliUndefineVols *uv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliUndefineVols, cli_undefine_vols_free)

/* ---- signals ---------------------------------------------------------------------- */

/* Catch SIGINT for an interruptible wait: the returned fd becomes readable
 * on SIGINT.  cli_sigint_end() restores the previous handler. */
int cli_sigint_begin(void);
gboolean cli_sigint_caught(void);
void cli_sigint_end(void);
