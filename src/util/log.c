/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/error.h"
#include "util/log.h"

typedef struct {
    int level;
    char *match;
} LogFilter;

typedef enum {
    LOG_DEST_STDERR,
    LOG_DEST_FILE,
    LOG_DEST_JOURNALD,
} LogDest;

typedef struct {
    int level;
    LogDest dest;
    char *path;
    FILE *fp;
} LogOutput;

static GRWLock log_lock;
static GPtrArray *log_filters;   /* LogFilter */
static GPtrArray *log_outputs;   /* LogOutput */
static int log_default_level = MV_LOG_WARNING;
static char *log_progname;

static void
log_filter_free(gpointer p)
{
    LogFilter *f = p;

    g_free(f->match);
    g_free(f);
}

static void
log_output_free(gpointer p)
{
    LogOutput *o = p;

    if (o->fp)
        fclose(o->fp);
    g_free(o->path);
    g_free(o);
}

static int
log_level_from_glib(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return MV_LOG_ERROR;
    if (flags & G_LOG_LEVEL_WARNING)
        return MV_LOG_WARNING;
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
        return MV_LOG_INFO;
    return MV_LOG_DEBUG;
}

static const char *
log_level_name(int level)
{
    switch (level) {
    case MV_LOG_DEBUG: return "debug";
    case MV_LOG_INFO: return "info";
    case MV_LOG_WARNING: return "warning";
    case MV_LOG_ERROR: return "error";
    default: return "?";
    }
}

static int
log_threshold(const char *domain)
{
    if (log_filters && domain) {
        for (guint i = 0; i < log_filters->len; i++) {
            LogFilter *f = g_ptr_array_index(log_filters, i);

            if (g_str_equal(f->match, "*") || strstr(domain, f->match))
                return f->level;
        }
    }
    return log_default_level;
}

static void
log_write_line(FILE *fp, int level, const char *domain, const char *message)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");

    fprintf(fp, "%s.%03d+0000: %d: %s : %s: %s\n", stamp,
            g_date_time_get_microsecond(now) / 1000, (int)getpid(), log_level_name(level),
            domain ? domain : "-", message);
    fflush(fp);
}

static GLogWriterOutput
log_writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields, gpointer user_data)
{
    const char *domain = NULL;
    const char *message = NULL;
    int level = log_level_from_glib(flags);

    for (gsize i = 0; i < n_fields; i++) {
        if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
            domain = fields[i].value;
        else if (g_str_equal(fields[i].key, "MESSAGE"))
            message = fields[i].value;
    }
    if (!message)
        message = "";

    g_rw_lock_reader_lock(&log_lock);
    if (level < log_threshold(domain)) {
        g_rw_lock_reader_unlock(&log_lock);
        return G_LOG_WRITER_HANDLED;
    }
    if (!log_outputs || log_outputs->len == 0) {
        log_write_line(stderr, level, domain, message);
    } else {
        for (guint i = 0; i < log_outputs->len; i++) {
            LogOutput *o = g_ptr_array_index(log_outputs, i);

            if (level < o->level)
                continue;
            switch (o->dest) {
            case LOG_DEST_STDERR:
                log_write_line(stderr, level, domain, message);
                break;
            case LOG_DEST_FILE:
                if (o->fp)
                    log_write_line(o->fp, level, domain, message);
                break;
            case LOG_DEST_JOURNALD:
                g_log_writer_journald(flags, fields, n_fields, user_data);
                break;
            default:
                break;
            }
        }
    }
    g_rw_lock_reader_unlock(&log_lock);
    return G_LOG_WRITER_HANDLED;
}

void
mv_log_init(const char *progname)
{
    g_free(log_progname);
    log_progname = g_strdup(progname);
    g_log_set_writer_func(log_writer, NULL, NULL);
}

void
mv_log_set_default_level(int level)
{
    g_rw_lock_writer_lock(&log_lock);
    if (level >= MV_LOG_DEBUG && level <= MV_LOG_ERROR)
        log_default_level = level;
    g_rw_lock_writer_unlock(&log_lock);
}

int
mv_log_get_default_level(void)
{
    return log_default_level;
}

static gboolean
log_parse_level(const char *tok, int *ret_level, const char **ret_rest, GError **error)
{
    const char *colon = strchr(tok, ':');

    if (!colon || colon - tok != 1 || tok[0] < '1' || tok[0] > '4') {
        mv_error_set(error, MV_FROM_LOGGING, MV_ERR_INVALID_ARG,
                     "malformed log entry '%s': expected LEVEL:..., LEVEL being 1 to 4", tok);
        return FALSE;
    }
    *ret_level = tok[0] - '0';
    *ret_rest = colon + 1;
    return TRUE;
}

gboolean
mv_log_set_filters(const char *filters, GError **error)
{
    g_auto(GStrv) toks = g_strsplit_set(filters ? filters : "", " \t\n", -1);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(log_filter_free);

    for (size_t i = 0; toks[i]; i++) {
        LogFilter *f;
        const char *match;
        int level;

        if (!*toks[i])
            continue;
        if (!log_parse_level(toks[i], &level, &match, error))
            return FALSE;
        if (*match == '+')
            match++;
        if (!*match) {
            mv_error_set(error, MV_FROM_LOGGING, MV_ERR_INVALID_ARG,
                         "malformed log filter '%s': empty match", toks[i]);
            return FALSE;
        }
        f = g_new0(LogFilter, 1);
        f->level = level;
        f->match = g_strdup(match);
        g_ptr_array_add(list, f);
    }

    g_rw_lock_writer_lock(&log_lock);
    if (log_filters)
        g_ptr_array_unref(log_filters);
    log_filters = g_steal_pointer(&list);
    g_rw_lock_writer_unlock(&log_lock);
    return TRUE;
}

gboolean
mv_log_set_outputs(const char *outputs, GError **error)
{
    g_auto(GStrv) toks = g_strsplit_set(outputs ? outputs : "", " \t\n", -1);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(log_output_free);

    for (size_t i = 0; toks[i]; i++) {
        LogOutput *o;
        const char *rest;
        int level;

        if (!*toks[i])
            continue;
        if (!log_parse_level(toks[i], &level, &rest, error))
            return FALSE;
        o = g_new0(LogOutput, 1);
        o->level = level;
        g_ptr_array_add(list, o);
        if (g_str_equal(rest, "stderr")) {
            o->dest = LOG_DEST_STDERR;
        } else if (g_str_equal(rest, "journald")) {
            o->dest = LOG_DEST_JOURNALD;
        } else if (g_str_has_prefix(rest, "file:") && rest[5] == '/') {
            int fd;

            o->dest = LOG_DEST_FILE;
            o->path = g_strdup(rest + 5);
            fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0 || !(o->fp = fdopen(fd, "a"))) {
                int err = errno;

                if (fd >= 0)
                    close(fd);
                mv_error_set_errno(error, err, "cannot open log file '%s'", o->path);
                return FALSE;
            }
        } else {
            mv_error_set(error, MV_FROM_LOGGING, MV_ERR_INVALID_ARG,
                         "unknown log output '%s': expected stderr, journald or file:/PATH",
                         toks[i]);
            return FALSE;
        }
    }

    g_rw_lock_writer_lock(&log_lock);
    if (log_outputs)
        g_ptr_array_unref(log_outputs);
    log_outputs = g_steal_pointer(&list);
    g_rw_lock_writer_unlock(&log_lock);
    return TRUE;
}

char *
mv_log_get_filters(guint *ret_count)
{
    GString *s = g_string_new(NULL);
    guint n = 0;

    g_rw_lock_reader_lock(&log_lock);
    for (guint i = 0; log_filters && i < log_filters->len; i++) {
        LogFilter *f = g_ptr_array_index(log_filters, i);

        g_string_append_printf(s, "%s%d:%s", n ? " " : "", f->level, f->match);
        n++;
    }
    g_rw_lock_reader_unlock(&log_lock);
    if (ret_count)
        *ret_count = n;
    return g_string_free(s, FALSE);
}

char *
mv_log_default_output(void)
{
    return g_strdup_printf("%d:stderr", log_default_level);
}

char *
mv_log_get_outputs(guint *ret_count)
{
    GString *s = g_string_new(NULL);
    guint n = 0;

    g_rw_lock_reader_lock(&log_lock);
    for (guint i = 0; log_outputs && i < log_outputs->len; i++) {
        LogOutput *o = g_ptr_array_index(log_outputs, i);

        g_string_append_printf(s, "%s%d:", n ? " " : "", o->level);
        switch (o->dest) {
        case LOG_DEST_STDERR:
            g_string_append(s, "stderr");
            break;
        case LOG_DEST_FILE:
            g_string_append_printf(s, "file:%s", o->path);
            break;
        case LOG_DEST_JOURNALD:
            g_string_append(s, "journald");
            break;
        default:
            break;
        }
        n++;
    }
    g_rw_lock_reader_unlock(&log_lock);
    if (n == 0) {
        g_string_free(s, TRUE);
        if (ret_count)
            *ret_count = 1;
        return mv_log_default_output();
    }
    if (ret_count)
        *ret_count = n;
    return g_string_free(s, FALSE);
}
