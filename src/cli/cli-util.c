/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-util.c: tables, sizes, lookups, progress and SIGINT for mvsh's
 * domain and storage commands.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "cli/cli-util.h"

/* ---- errors ---------------------------------------------------------------- */

void
cli_fail(const char *fmt, ...)
{
    const MvError *err = mv_get_last_error();
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cli_error("%s", msg);
    if (err && err->message)
        cli_error("%s", err->message);
}

int
cli_last_error_code(void)
{
    const MvError *err = mv_get_last_error();

    return err ? err->code : 0;
}

void
cli_print_extra(CliCtl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl->quiet)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* ---- tables -------------------------------------------------------------------- */

struct _CliTable {
    guint ncols;
    GPtrArray *rows;             /* GStrv each, the header first */
};

static void
cli_table_add_from_va(CliTable *table, const char *first, va_list ap)
{
    GStrv row = g_new0(char *, table->ncols + 1);
    const char *cell = first;

    for (guint i = 0; i < table->ncols; i++) {
        row[i] = g_strdup(cell ? cell : "");
        cell = cell ? va_arg(ap, const char *) : NULL;
    }
    g_ptr_array_add(table->rows, row);
}

CliTable *
cli_table_new(const char *first_header, ...)
{
    CliTable *table = g_new0(CliTable, 1);
    va_list ap;

    va_start(ap, first_header);
    for (const char *h = first_header; h; h = va_arg(ap, const char *))
        table->ncols++;
    va_end(ap);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    va_start(ap, first_header);
    cli_table_add_from_va(table, first_header, ap);
    va_end(ap);
    return table;
}

void
cli_table_add_row(CliTable *table, const char *first_cell, ...)
{
    va_list ap;

    va_start(ap, first_cell);
    cli_table_add_from_va(table, first_cell, ap);
    va_end(ap);
}

void
cli_table_add_rowv(CliTable *table, const char *const *cells)
{
    GStrv row = g_new0(char *, table->ncols + 1);

    for (guint i = 0; i < table->ncols; i++)
        row[i] = g_strdup(cells[i] ? cells[i] : "");
    g_ptr_array_add(table->rows, row);
}

static void
cli_table_print_row(GStrv row, const gsize *widths, guint ncols, FILE *out)
{
    fputc(' ', out);
    for (guint c = 0; c < ncols; c++) {
        if (c + 1 < ncols) {
            long pad = (long)widths[c] - (long)g_utf8_strlen(row[c], -1);

            fputs(row[c], out);
            fprintf(out, "%*s", (int)MAX(pad, 0) + 3, "");
        } else {
            fputs(row[c], out);
        }
    }
    fputc('\n', out);
}

void
cli_table_print(CliTable *table, FILE *out, gboolean header)
{
    g_autofree gsize *widths = g_new0(gsize, table->ncols);
    gsize dashes = 0;

    /* Without the header, as virsh -q, only the rows set the widths. */
    for (guint r = header ? 0 : 1; r < table->rows->len; r++) {
        GStrv row = g_ptr_array_index(table->rows, r);

        for (guint c = 0; c < table->ncols; c++)
            widths[c] = MAX(widths[c], (gsize)g_utf8_strlen(row[c], -1));
    }
    for (guint c = 0; c < table->ncols; c++)
        dashes += widths[c] + 3;
    if (header) {
        cli_table_print_row(g_ptr_array_index(table->rows, 0), widths, table->ncols, out);
        for (gsize i = 0; i < dashes; i++)
            fputc('-', out);
        fputc('\n', out);
    }
    for (guint r = 1; r < table->rows->len; r++)
        cli_table_print_row(g_ptr_array_index(table->rows, r), widths, table->ncols, out);
}

void
cli_table_free(CliTable *table)
{
    if (!table)
        return;
    g_ptr_array_unref(table->rows);
    g_free(table);
}

/* ---- sizes ------------------------------------------------------------------------ */

double
cli_pretty_capacity(unsigned long long bytes, const char **ret_unit)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)bytes;
    guint i = 0;

    while (v >= 1024.0 && i + 1 < G_N_ELEMENTS(units)) {
        v /= 1024.0;
        i++;
    }
    *ret_unit = units[i];
    return v;
}

char *
cli_format_capacity(unsigned long long bytes)
{
    const char *unit;
    double v = cli_pretty_capacity(bytes, &unit);

    return g_strdup_printf("%.2f %s", v, unit);
}

/* The multiplier of a unit suffix, 0 if unknown. */
static unsigned long long
cli_suffix_scale(const char *suffix, unsigned long long default_scale)
{
    static const char prefixes[] = "kmgtpe";
    const char *p;
    unsigned long long base;
    unsigned long long scale = 1;

    if (!*suffix)
        return default_scale;
    if (g_ascii_strcasecmp(suffix, "b") == 0 || g_ascii_strcasecmp(suffix, "byte") == 0 ||
        g_ascii_strcasecmp(suffix, "bytes") == 0)
        return 1;
    p = strchr(prefixes, g_ascii_tolower(suffix[0]));
    if (!p || !suffix[0])
        return 0;
    if (suffix[1] == '\0' || g_ascii_strcasecmp(suffix + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(suffix + 1, "B") == 0)
        base = 1000;
    else
        return 0;
    for (long i = 0; i <= p - prefixes; i++)
        scale *= base;
    return scale;
}

gboolean
cli_parse_scaled(const char *str, unsigned long long default_scale, unsigned long long *ret)
{
    unsigned long long v;
    unsigned long long scale;
    char *end = NULL;

    if (!str || !g_ascii_isdigit(str[0]))
        return FALSE;
    errno = 0;
    v = g_ascii_strtoull(str, &end, 10);
    if (errno != 0)
        return FALSE;
    scale = cli_suffix_scale(end, default_scale);
    if (scale == 0 || (v != 0 && scale > G_MAXUINT64 / v))
        return FALSE;
    *ret = v * scale;
    return TRUE;
}

gboolean
cli_parse_size(const char *str, unsigned long long *ret)
{
    char *end = NULL;

    if (cli_parse_scaled(str, 1, ret))
        return TRUE;
    cli_error("Malformed size %s", str);
    if (str && g_ascii_isdigit(str[0])) {
        g_ascii_strtoull(str, &end, 10);
        if (cli_suffix_scale(end, 1) == 0)
            cli_error("invalid argument: unknown suffix '%s'", end);
    }
    return FALSE;
}

/* ---- files ---------------------------------------------------------------------------- */

char *
cli_read_file(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        cli_error("Failed to open file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    close(fd);
    if (!g_file_get_contents(path, &data, NULL, &error)) {
        cli_error("%s", error->message);
        return NULL;
    }
    return data;
}

/* ---- lookups ------------------------------------------------------------------------- */

MvDomain *
cli_lookup_domain_str(CliCtl *ctl, const char *str, unsigned int flags)
{
    MvDomain *dom = NULL;
    char *end = NULL;
    gint64 id;

    if (flags & CLI_BY_ID) {
        id = g_ascii_strtoll(str, &end, 10);
        if (*str && !*end && id >= 0 && id <= G_MAXINT)
            dom = mv_domain_lookup_by_id(ctl->conn, (int)id);
    }
    if (!dom && (flags & CLI_BY_UUID) && strlen(str) == MV_UUID_STRING_BUFLEN - 1)
        dom = mv_domain_lookup_by_uuid_string(ctl->conn, str);
    if (!dom && (flags & CLI_BY_NAME))
        dom = mv_domain_lookup_by_name(ctl->conn, str);
    mv_reset_last_error();
    if (!dom)
        cli_error("failed to get domain '%s'", str);
    return dom;
}

MvDomain *
cli_lookup_domain(CliCtl *ctl, const CliArgs *args, const char *opt, unsigned int flags)
{
    const char *str = cli_args_get(args, opt);

    if (!str) {
        cli_error("command requires <%s> option", opt);
        return NULL;
    }
    return cli_lookup_domain_str(ctl, str, flags);
}

MvStoragePool *
cli_lookup_pool_str(CliCtl *ctl, const char *str)
{
    MvStoragePool *pool = NULL;

    if (strlen(str) == MV_UUID_STRING_BUFLEN - 1)
        pool = mv_storage_pool_lookup_by_uuid_string(ctl->conn, str);
    if (!pool)
        pool = mv_storage_pool_lookup_by_name(ctl->conn, str);
    if (!pool)
        cli_fail("failed to get pool '%s'", str);
    return pool;
}

MvStoragePool *
cli_lookup_pool(CliCtl *ctl, const CliArgs *args, const char *opt)
{
    const char *str = cli_args_get(args, opt);

    if (!str) {
        cli_error("command requires <%s> option", opt);
        return NULL;
    }
    return cli_lookup_pool_str(ctl, str);
}

MvStorageVol *
cli_lookup_vol(CliCtl *ctl, const CliArgs *args, const char *opt, const char *pool_opt)
{
    const char *str = cli_args_get(args, opt);
    const char *pool_str = pool_opt ? cli_args_get(args, pool_opt) : NULL;
    g_autoptr(MvStoragePool) pool = NULL;
    MvStorageVol *vol = NULL;

    if (!str) {
        cli_error("command requires <%s> option", opt);
        return NULL;
    }
    if (pool_str) {
        if (!(pool = cli_lookup_pool_str(ctl, pool_str)))
            return NULL;
        vol = mv_storage_vol_lookup_by_name(pool, str);
    }
    if (!vol)
        vol = mv_storage_vol_lookup_by_key(ctl->conn, str);
    if (!vol)
        vol = mv_storage_vol_lookup_by_path(ctl->conn, str);
    if (!vol) {
        if (pool || !pool_opt)
            cli_fail("failed to get vol '%s'", str);
        else
            cli_fail("failed to get vol '%s', specifying --%s might help", str, pool_opt);
        return NULL;
    }
    if (pool && !g_str_equal(mv_storage_vol_get_pool_name(vol),
                             mv_storage_pool_get_name(pool))) {
        cli_error("Requested volume '%s' is not in pool '%s'", str,
                  mv_storage_pool_get_name(pool));
        mv_storage_vol_free(vol);
        return NULL;
    }
    return vol;
}

void
cli_domain_unref(gpointer dom)
{
    if (dom)
        mv_domain_free(dom);
}

void
cli_pool_unref(gpointer pool)
{
    if (pool)
        mv_storage_pool_free(pool);
}

void
cli_vol_unref(gpointer vol)
{
    if (vol)
        mv_storage_vol_free(vol);
}

/* ---- progress --------------------------------------------------------------------------- */

void
cli_progress_init(CliProgress *p, const char *label, unsigned long long total, gboolean forced)
{
    memset(p, 0, sizeof(*p));
    p->enabled = forced || isatty(STDERR_FILENO);
    p->label = label;
    p->total = total;
}

static void
cli_progress_draw(CliProgress *p)
{
    g_autofree char *done = cli_format_capacity(p->done);
    char bar[31];
    int pct = 0;
    int fill = 0;

    if (p->total > 0) {
        pct = (int)MIN(100, p->done * 100 / p->total);
        fill = pct * 30 / 100;
    }
    memset(bar, ' ', 30);
    memset(bar, '#', fill);
    bar[30] = '\0';
    if (p->total > 0) {
        g_autofree char *total = cli_format_capacity(p->total);

        fprintf(stderr, "\r%s [%s] %3d%% %s / %s ", p->label, bar, pct, done, total);
    } else {
        fprintf(stderr, "\r%s %s ", p->label, done);
    }
    fflush(stderr);
}

void
cli_progress_add(CliProgress *p, unsigned long long bytes)
{
    gint64 now;

    p->done += bytes;
    if (!p->enabled)
        return;
    now = g_get_monotonic_time();
    if (now - p->last_draw < 100 * 1000)
        return;
    p->last_draw = now;
    cli_progress_draw(p);
}

void
cli_progress_done(CliProgress *p)
{
    if (!p->enabled)
        return;
    cli_progress_draw(p);
    fputc('\n', stderr);
}

/* ---- SIGINT ------------------------------------------------------------------------------- */

static int sigint_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sigint_seen;
static struct sigaction sigint_old;

static void
cli_sigint_handler(int sig)
{
    char c = 0;
    int saved = errno;

    sigint_seen = 1;
    if (sigint_pipe[1] >= 0)
        (void)!write(sigint_pipe[1], &c, 1);
    errno = saved;
}

int
cli_sigint_begin(void)
{
    struct sigaction sa = { 0 };

    sigint_seen = 0;
    if (sigint_pipe[0] < 0 && !g_unix_open_pipe(sigint_pipe, FD_CLOEXEC, NULL))
        return -1;
    g_unix_set_fd_nonblocking(sigint_pipe[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(sigint_pipe[1], TRUE, NULL);
    sa.sa_handler = cli_sigint_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &sigint_old);
    return sigint_pipe[0];
}

gboolean
cli_sigint_caught(void)
{
    return sigint_seen != 0;
}

void
cli_sigint_end(void)
{
    char buf[16];

    sigaction(SIGINT, &sigint_old, NULL);
    while (sigint_pipe[0] >= 0 && read(sigint_pipe[0], buf, sizeof(buf)) > 0)
        ;
}
