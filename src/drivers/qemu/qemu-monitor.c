/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-monitor.c: the QMP connection: connect and handshake, the GSource
 * doing the socket I/O on the monitor's context, and synchronous commands
 * matched to their replies by id.  See qemu-monitor.h for the threading
 * rules.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-monitor.h"
#include "util/error.h"
#include "util/hostinfo.h"
#include "util/macros.h"

#define QEMU_MONITOR_READ_CHUNK 65536
/* Bytes read per dispatch at most, so one chatty QEMU can't hog the loop. */
#define QEMU_MONITOR_READ_BUDGET (1024 * 1024)
#define QEMU_MONITOR_JSON_DEPTH 1024
#define QEMU_MONITOR_CONNECT_RETRY_US (10 * 1000)

/* A command waiting for its reply; lives on the waiting thread's stack. */
typedef struct {
    gint64 id;
    gboolean done;
    json_object *reply;          /* the whole reply, NULL if the monitor closed */
} QemuMonitorPending;

typedef struct {
    GSource base;
    QemuMonitor *mon;            /* a reference */
    gpointer tag;
    gboolean input_pending;      /* lines left in the buffer by the handshake */
} QemuMonitorSource;

struct _QemuMonitor {
    gatomicrefcount refs;
    GMutex lock;
    GCond cond;
    int fd;
    GMainContext *ctx;
    char *name;                  /* the socket path, for messages */
    QemuMonitorConfig cfg;
    guint64 version;

    /* Guarded by lock. */
    QemuMonitorSource *source;   /* a reference, until closed */
    GString *out;                /* queued commands */
    gint64 next_id;
    GHashTable *pending;         /* &QemuMonitorPending.id -> QemuMonitorPending */
    gboolean closed;
    gboolean user_closed;
    GError *close_error;
    gsize max_line;

    /* Only touched by the handshake, then by the source's dispatch. */
    GByteArray *in;
    gboolean eof_reported;
};

static void
qemu_monitor_free(QemuMonitor *mon)
{
    g_assert(!mon->source);
    if (mon->fd >= 0)
        close(mon->fd);
    if (mon->cfg.opaque_free)
        mon->cfg.opaque_free(mon->cfg.opaque);
    g_main_context_unref(mon->ctx);
    g_free(mon->name);
    g_string_free(mon->out, TRUE);
    g_hash_table_unref(mon->pending);
    g_clear_error(&mon->close_error);
    g_byte_array_unref(mon->in);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    g_free(mon);
}

QemuMonitor *
qemu_monitor_ref(QemuMonitor *mon)
{
    g_atomic_ref_count_inc(&mon->refs);
    return mon;
}

void
qemu_monitor_unref(QemuMonitor *mon)
{
    if (mon && g_atomic_ref_count_dec(&mon->refs))
        qemu_monitor_free(mon);
}

static QemuMonitor *
qemu_monitor_new(int fd, const char *name, const QemuMonitorConfig *cfg)
{
    QemuMonitor *mon = g_new0(QemuMonitor, 1);

    g_atomic_ref_count_init(&mon->refs);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->fd = fd;
    mon->name = g_strdup(name);
    if (cfg)
        mon->cfg = *cfg;
    mon->ctx = g_main_context_ref(mon->cfg.context ? mon->cfg.context
                                                   : g_main_context_default());
    mon->out = g_string_new(NULL);
    mon->pending = g_hash_table_new(g_int64_hash, g_int64_equal);
    mon->max_line = QEMU_MONITOR_DEFAULT_MAX_LINE;
    mon->in = g_byte_array_new();
    return mon;
}

/* Parsing ---------------------------------------------------------------- */

/*
 * Find the next complete line at @pos in the input buffer and put its
 * length, without the line feed, in @ret_len.  Returns 1 when found, 0 when
 * no line is complete yet, -1 on an oversized line (with @error set).
 */
static int
qemu_monitor_find_line(QemuMonitor *mon, gsize pos, gsize *ret_len, GError **error)
{
    const guint8 *start = mon->in->data + pos;
    gsize avail = mon->in->len - pos;
    const guint8 *nl = avail > 0 ? memchr(start, '\n', avail) : NULL;
    gsize max_line;

    g_mutex_lock(&mon->lock);
    max_line = mon->max_line;
    g_mutex_unlock(&mon->lock);
    if ((nl && (gsize)(nl - start) > max_line) || (!nl && avail > max_line)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU monitor '%s' sent a line longer than %" G_GSIZE_FORMAT " bytes",
                     mon->name, max_line);
        return -1;
    }
    if (!nl)
        return 0;
    *ret_len = nl - start;
    return 1;
}

/* Parse one line (a JSON object, possibly followed by blanks). */
static json_object *
qemu_monitor_parse_line(QemuMonitor *mon, const char *line, gsize len, GError **error)
{
    json_tokener *tok = json_tokener_new_ex(QEMU_MONITOR_JSON_DEPTH);
    json_object *obj = NULL;
    gsize end = 0;

    if (len > 0 && !memchr(line, '\0', len)) {
        obj = json_tokener_parse_ex(tok, line, (int)len);
        end = json_tokener_get_parse_end(tok);
        while (obj && end < len && g_ascii_isspace(line[end]))
            end++;
    }
    json_tokener_free(tok);
    if (!obj || end != len || !json_object_is_type(obj, json_type_object)) {
        g_autofree char *shown = g_strndup(line, MIN(len, 80));
        g_autofree char *escaped = g_strescape(shown, NULL);

        json_object_put(obj);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "cannot parse a message from QEMU monitor '%s': '%s'", mon->name,
                     escaped);
        return NULL;
    }
    return obj;
}

static gint64
qemu_monitor_event_timestamp(json_object *msg)
{
    json_object *ts;
    json_object *secs;
    json_object *usecs;

    if (!json_object_object_get_ex(msg, "timestamp", &ts) ||
        !json_object_object_get_ex(ts, "seconds", &secs) ||
        !json_object_object_get_ex(ts, "microseconds", &usecs))
        return -1;
    return json_object_get_int64(secs) * G_USEC_PER_SEC + json_object_get_int64(usecs);
}

/* Closing ---------------------------------------------------------------- */

/* Mark the monitor closed and wake every waiter.  Called with the lock. */
static void
qemu_monitor_close_locked(QemuMonitor *mon, const GError *why)
{
    GHashTableIter iter;
    gpointer value;

    if (mon->closed)
        return;
    mon->closed = TRUE;
    if (why)
        mon->close_error = g_error_copy(why);
    else
        mon->close_error = g_error_new(mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED,
                                       "End of file from QEMU monitor '%s'", mon->name);
    g_hash_table_iter_init(&iter, mon->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        ((QemuMonitorPending *)value)->done = TRUE;
    g_cond_broadcast(&mon->cond);
}

/*
 * The peer hung up (@error NULL) or misbehaved: close, and tell the owner
 * once.  Runs on the context's thread, from the source's dispatch.
 */
static void
qemu_monitor_fail(QemuMonitor *mon, const GError *error)
{
    QemuMonitorSource *src;
    gboolean notify;

    g_mutex_lock(&mon->lock);
    notify = !mon->closed && !mon->user_closed && !mon->eof_reported;
    qemu_monitor_close_locked(mon, error);
    src = g_steal_pointer(&mon->source);
    mon->eof_reported = TRUE;
    g_mutex_unlock(&mon->lock);
    if (error)
        g_debug("QEMU monitor '%s' closed: %s", mon->name, error->message);
    else
        g_debug("QEMU monitor '%s': end of file", mon->name);
    if (mon->fd >= 0)
        shutdown(mon->fd, SHUT_RDWR);
    if (notify && mon->cfg.eof)
        mon->cfg.eof(mon, error, mon->cfg.opaque);
    /* The context keeps its own reference while dispatching. */
    if (src)
        g_source_unref(&src->base);
}

void
qemu_monitor_close(QemuMonitor *mon)
{
    QemuMonitorSource *src;

    if (!mon)
        return;
    g_mutex_lock(&mon->lock);
    mon->user_closed = TRUE;
    if (!mon->closed) {
        g_autoptr(GError) why = g_error_new(mv_error_quark(MV_FROM_QEMU),
                                            MV_ERR_OPERATION_FAILED,
                                            "QEMU monitor '%s' was closed", mon->name);

        qemu_monitor_close_locked(mon, why);
    }
    src = g_steal_pointer(&mon->source);
    g_mutex_unlock(&mon->lock);
    if (src) {
        g_source_destroy(&src->base);
        g_source_unref(&src->base);
    }
    if (mon->fd >= 0)
        shutdown(mon->fd, SHUT_RDWR);
    qemu_monitor_unref(mon);
}

gboolean
qemu_monitor_is_closed(QemuMonitor *mon)
{
    gboolean closed;

    g_mutex_lock(&mon->lock);
    closed = mon->closed;
    g_mutex_unlock(&mon->lock);
    return closed;
}

guint64
qemu_monitor_get_version(QemuMonitor *mon)
{
    return mon->version;
}

void
qemu_monitor_set_max_line(QemuMonitor *mon, gsize max_bytes)
{
    g_mutex_lock(&mon->lock);
    mon->max_line = max_bytes;
    g_mutex_unlock(&mon->lock);
}

/* Dispatch (context thread) ---------------------------------------------- */

static void
qemu_monitor_handle_event(QemuMonitor *mon, json_object *msg, const char *name)
{
    json_object *data = NULL;
    gboolean closed;

    g_mutex_lock(&mon->lock);
    closed = mon->closed;
    g_mutex_unlock(&mon->lock);
    if (closed || !mon->cfg.event)
        return;
    json_object_object_get_ex(msg, "data", &data);
    mon->cfg.event(mon, name, data, qemu_monitor_event_timestamp(msg), mon->cfg.opaque);
}

static void
qemu_monitor_handle_message(QemuMonitor *mon, json_object *msg)
{
    json_object *v;
    QemuMonitorPending *pending;
    gint64 id;

    if (json_object_object_get_ex(msg, "event", &v) &&
        json_object_is_type(v, json_type_string)) {
        qemu_monitor_handle_event(mon, msg, json_object_get_string(v));
        return;
    }
    if (!json_object_object_get_ex(msg, "id", &v) || !json_object_is_type(v, json_type_int)) {
        g_debug("QEMU monitor '%s': ignoring a message without id", mon->name);
        return;
    }
    id = json_object_get_int64(v);
    g_mutex_lock(&mon->lock);
    pending = g_hash_table_lookup(mon->pending, &id);
    if (pending && !pending->done) {
        pending->reply = json_object_get(msg);
        pending->done = TRUE;
        g_cond_broadcast(&mon->cond);
    }
    g_mutex_unlock(&mon->lock);
    if (!pending)
        g_debug("QEMU monitor '%s': discarding the late reply to command %" G_GINT64_FORMAT,
                mon->name, id);
}

/* Handle every complete line in the input buffer. */
static gboolean
qemu_monitor_process_input(QemuMonitor *mon, GError **error)
{
    gsize pos = 0;
    gsize len = 0;
    gboolean ok = TRUE;
    int r;

    while ((r = qemu_monitor_find_line(mon, pos, &len, error)) > 0) {
        const char *line = (const char *)mon->in->data + pos;
        json_object *msg;

        pos += len + 1;
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
            len--;
        if (len == 0)
            continue;
        if (!(msg = qemu_monitor_parse_line(mon, line, len, error))) {
            ok = FALSE;
            break;
        }
        qemu_monitor_handle_message(mon, msg);
        json_object_put(msg);
    }
    if (r < 0)
        ok = FALSE;
    g_byte_array_remove_range(mon->in, 0, pos);
    return ok;
}

/* Read what is available; FALSE at end of file (@error unset) or on error. */
static gboolean
qemu_monitor_read(QemuMonitor *mon, GError **error)
{
    guint8 buf[QEMU_MONITOR_READ_CHUNK];
    gsize total = 0;

    while (total < QEMU_MONITOR_READ_BUDGET) {
        ssize_t n = read(mon->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TRUE;
        if (n < 0 && errno == ECONNRESET)
            return FALSE;
        if (n < 0) {
            mv_error_set_errno(error, errno, "cannot read from QEMU monitor '%s'", mon->name);
            return FALSE;
        }
        if (n == 0)
            return FALSE;
        g_byte_array_append(mon->in, buf, n);
        total += n;
    }
    return TRUE;
}

/* Write queued commands; FALSE when the peer is gone or on error. */
static gboolean
qemu_monitor_write(QemuMonitor *mon, GError **error)
{
    gboolean ok = TRUE;

    g_mutex_lock(&mon->lock);
    while (mon->out->len > 0) {
        ssize_t n = send(mon->fd, mon->out->str, mon->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            if (errno != EPIPE && errno != ECONNRESET)
                mv_error_set_errno(error, errno, "cannot write to QEMU monitor '%s'",
                                   mon->name);
            ok = FALSE;
            break;
        }
        g_string_erase(mon->out, 0, n);
    }
    g_mutex_unlock(&mon->lock);
    return ok;
}

static void
qemu_monitor_update_events(QemuMonitorSource *src)
{
    QemuMonitor *mon = src->mon;
    GIOCondition events = G_IO_IN;

    g_mutex_lock(&mon->lock);
    if (mon->out->len > 0)
        events |= G_IO_OUT;
    g_mutex_unlock(&mon->lock);
    g_source_modify_unix_fd(&src->base, src->tag, events);
}

static gboolean
qemu_monitor_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return ((QemuMonitorSource *)source)->input_pending;
}

static gboolean
qemu_monitor_source_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    QemuMonitorSource *src = (QemuMonitorSource *)source;
    QemuMonitor *mon = qemu_monitor_ref(src->mon);
    GIOCondition revents = g_source_query_unix_fd(source, src->tag);
    g_autoptr(GError) error = NULL;
    gboolean alive = TRUE;

    src->input_pending = FALSE;
    if (qemu_monitor_is_closed(mon)) {
        qemu_monitor_unref(mon);
        return G_SOURCE_REMOVE;
    }
    if (revents & G_IO_OUT)
        alive = qemu_monitor_write(mon, &error);
    if (alive && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        alive = qemu_monitor_read(mon, &error);
    /* Handle what arrived before a hang-up too. */
    if (!qemu_monitor_process_input(mon, error ? NULL : &error))
        alive = FALSE;
    if (!alive) {
        qemu_monitor_fail(mon, error);
        qemu_monitor_unref(mon);
        return G_SOURCE_REMOVE;
    }
    qemu_monitor_update_events(src);
    qemu_monitor_unref(mon);
    return G_SOURCE_CONTINUE;
}

static void
qemu_monitor_source_finalize(GSource *source)
{
    qemu_monitor_unref(((QemuMonitorSource *)source)->mon);
}

static GSourceFuncs qemu_monitor_source_funcs = {
    .prepare = qemu_monitor_source_prepare,
    .dispatch = qemu_monitor_source_dispatch,
    .finalize = qemu_monitor_source_finalize,
};

/* Ask the context's thread to write what was queued. */
static gboolean
qemu_monitor_kick_cb(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    QemuMonitorSource *src = NULL;

    g_mutex_lock(&mon->lock);
    if (mon->source && !mon->closed)
        src = (QemuMonitorSource *)g_source_ref(&mon->source->base);
    g_mutex_unlock(&mon->lock);
    if (src) {
        if (!g_source_is_destroyed(&src->base))
            qemu_monitor_update_events(src);
        g_source_unref(&src->base);
    }
    return G_SOURCE_REMOVE;
}

static void
qemu_monitor_attach(QemuMonitor *mon)
{
    QemuMonitorSource *src;
    g_autofree char *name = g_strdup_printf("qemu-monitor %s", mon->name);

    src = (QemuMonitorSource *)g_source_new(&qemu_monitor_source_funcs, sizeof(*src));
    src->mon = qemu_monitor_ref(mon);
    src->tag = g_source_add_unix_fd(&src->base, mon->fd, G_IO_IN);
    src->input_pending = mon->in->len > 0;
    g_source_set_name(&src->base, name);
    g_mutex_lock(&mon->lock);
    mon->source = src;
    g_mutex_unlock(&mon->lock);
    g_source_attach(&src->base, mon->ctx);
}

/* Opening ---------------------------------------------------------------- */

static gboolean
qemu_monitor_pid_alive(pid_t pid)
{
    g_auto(GStrv) f = NULL;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return FALSE;
    if (!(f = mv_proc_stat_fields(pid, 0)))
        return TRUE;
    /* A zombie is as good as gone. */
    return f[0][0] != 'Z' && f[0][0] != 'X';
}

static int
qemu_monitor_connect(const char *path, pid_t pid, gint64 deadline, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU monitor socket path '%s' is too long", path);
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    for (;;) {
        mv_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int err;

        if (fd < 0) {
            mv_error_set_errno(error, errno, "cannot create a socket");
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return mv_steal_fd(&fd);
        err = errno;
        if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR) {
            mv_error_set_errno(error, err, "cannot connect to QEMU monitor '%s'", path);
            return -1;
        }
        if (pid > 0 && !qemu_monitor_pid_alive(pid)) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                         "QEMU process %d exited before its monitor '%s' accepted a connection",
                         (int)pid, path);
            return -1;
        }
        if (g_get_monotonic_time() >= deadline) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                         "timed out connecting to QEMU monitor '%s': %s", path,
                         g_strerror(err));
            return -1;
        }
        g_usleep(QEMU_MONITOR_CONNECT_RETRY_US);
    }
}

static gboolean
qemu_monitor_poll(QemuMonitor *mon, short events, gint64 deadline, GError **error)
{
    struct pollfd pfd = { .fd = mon->fd, .events = events };

    for (;;) {
        gint64 left = deadline - g_get_monotonic_time();
        int r;

        if (left <= 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                         "timed out waiting for QEMU monitor '%s' to greet", mon->name);
            return FALSE;
        }
        r = poll(&pfd, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
        if (r > 0)
            return TRUE;
        if (r < 0 && errno != EINTR) {
            mv_error_set_errno(error, errno, "cannot poll QEMU monitor '%s'", mon->name);
            return FALSE;
        }
    }
}

/* The next message, with blocking reads bounded by @deadline. */
static json_object *
qemu_monitor_read_sync(QemuMonitor *mon, gint64 deadline, GError **error)
{
    for (;;) {
        g_autoptr(GError) local = NULL;
        gsize len = 0;
        int r = qemu_monitor_find_line(mon, 0, &len, error);
        json_object *msg;

        if (r < 0)
            return NULL;
        if (r > 0) {
            gsize skip = len + 1;

            while (len > 0 && (mon->in->data[len - 1] == '\r' || mon->in->data[len - 1] == ' '))
                len--;
            if (len == 0) {
                g_byte_array_remove_range(mon->in, 0, skip);
                continue;
            }
            msg = qemu_monitor_parse_line(mon, (const char *)mon->in->data, len, error);
            g_byte_array_remove_range(mon->in, 0, skip);
            return msg;
        }
        if (!qemu_monitor_poll(mon, POLLIN, deadline, error))
            return NULL;
        if (!qemu_monitor_read(mon, &local)) {
            if (local)
                g_propagate_error(error, g_steal_pointer(&local));
            else
                mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                             "End of file from QEMU monitor '%s' before it was ready",
                             mon->name);
            return NULL;
        }
    }
}

static gboolean
qemu_monitor_write_sync(QemuMonitor *mon, const char *text, gint64 deadline, GError **error)
{
    g_mutex_lock(&mon->lock);
    g_string_append(mon->out, text);
    g_mutex_unlock(&mon->lock);
    for (;;) {
        g_autoptr(GError) local = NULL;
        gboolean empty;

        if (!qemu_monitor_write(mon, &local)) {
            if (local)
                g_propagate_error(error, g_steal_pointer(&local));
            else
                mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                             "End of file from QEMU monitor '%s' before it was ready",
                             mon->name);
            return FALSE;
        }
        g_mutex_lock(&mon->lock);
        empty = mon->out->len == 0;
        g_mutex_unlock(&mon->lock);
        if (empty)
            return TRUE;
        if (!qemu_monitor_poll(mon, POLLOUT, deadline, error))
            return FALSE;
    }
}

static void
qemu_monitor_parse_greeting(QemuMonitor *mon, json_object *qmp)
{
    json_object *version;
    json_object *qemu;
    json_object *v;
    guint64 parts[3] = { 0 };
    static const char *const names[] = { "major", "minor", "micro" };

    if (!json_object_object_get_ex(qmp, "version", &version) ||
        !json_object_object_get_ex(version, "qemu", &qemu))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (json_object_object_get_ex(qemu, names[i], &v))
            parts[i] = json_object_get_int64(v);
    }
    mon->version = parts[0] * 1000000 + parts[1] * 1000 + parts[2];
}

/* Greeting, then qmp_capabilities (id 0). */
static gboolean
qemu_monitor_handshake(QemuMonitor *mon, gint64 deadline, GError **error)
{
    g_autoptr(json_object) greeting = NULL;
    json_object *qmp;

    if (!(greeting = qemu_monitor_read_sync(mon, deadline, error)))
        return FALSE;
    if (!json_object_object_get_ex(greeting, "QMP", &qmp)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU monitor '%s' did not send a QMP greeting", mon->name);
        return FALSE;
    }
    qemu_monitor_parse_greeting(mon, qmp);
    if (!qemu_monitor_write_sync(mon, "{\"execute\": \"qmp_capabilities\", \"id\": 0}\r\n",
                                 deadline, error))
        return FALSE;
    for (;;) {
        g_autoptr(json_object) msg = qemu_monitor_read_sync(mon, deadline, error);
        json_object *v;

        if (!msg)
            return FALSE;
        if (!json_object_object_get_ex(msg, "id", &v))
            continue;
        if (json_object_object_get_ex(msg, "return", &v))
            return TRUE;
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU monitor '%s' refused capabilities negotiation: %s", mon->name,
                     json_object_to_json_string(msg));
        return FALSE;
    }
}

static QemuMonitor *
qemu_monitor_open_common(int fd, const char *name, const QemuMonitorConfig *cfg,
                         gint64 deadline, GError **error)
{
    QemuMonitor *mon = qemu_monitor_new(fd, name, cfg);
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        mv_error_set_errno(error, errno, "cannot set up QEMU monitor '%s'", name);
        mon->cfg.opaque_free = NULL;
        qemu_monitor_unref(mon);
        return NULL;
    }
    if (!qemu_monitor_handshake(mon, deadline, error)) {
        /* The caller keeps @opaque on failure. */
        mon->cfg.opaque_free = NULL;
        qemu_monitor_unref(mon);
        return NULL;
    }
    qemu_monitor_attach(mon);
    g_debug("QEMU monitor '%s' open (QEMU %" G_GUINT64_FORMAT ")", name, mon->version);
    return mon;
}

static gint64
qemu_monitor_open_deadline(const QemuMonitorConfig *cfg)
{
    guint ms = cfg && cfg->open_timeout_ms ? cfg->open_timeout_ms
                                           : QEMU_MONITOR_DEFAULT_OPEN_TIMEOUT_MS;

    return g_get_monotonic_time() + (gint64)ms * 1000;
}

QemuMonitor *
qemu_monitor_open(const char *path, const QemuMonitorConfig *cfg, GError **error)
{
    gint64 deadline = qemu_monitor_open_deadline(cfg);
    int fd = qemu_monitor_connect(path, cfg ? cfg->pid : 0, deadline, error);

    if (fd < 0)
        return NULL;
    return qemu_monitor_open_common(fd, path, cfg, deadline, error);
}

QemuMonitor *
qemu_monitor_open_fd(int fd, const QemuMonitorConfig *cfg, GError **error)
{
    g_autofree char *name = g_strdup_printf("fd %d", fd);

    return qemu_monitor_open_common(fd, name, cfg, qemu_monitor_open_deadline(cfg), error);
}

/* Commands --------------------------------------------------------------- */

static json_object *
qemu_monitor_reply_result(const char *cmd, json_object *reply, char **ret_error_class,
                          GError **error)
{
    json_object *v;
    json_object *klass = NULL;
    json_object *desc = NULL;

    if (json_object_object_get_ex(reply, "return", &v))
        return json_object_get(v);
    if (json_object_object_get_ex(reply, "error", &v)) {
        json_object_object_get_ex(v, "class", &klass);
        json_object_object_get_ex(v, "desc", &desc);
        if (ret_error_class)
            *ret_error_class = g_strdup(klass ? json_object_get_string(klass) : "");
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "unable to execute QEMU command '%s': %s (%s)", cmd,
                     desc ? json_object_get_string(desc) : "unknown error",
                     klass ? json_object_get_string(klass) : "GenericError");
        return NULL;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                 "unexpected reply to QEMU command '%s': %s", cmd,
                 json_object_to_json_string(reply));
    return NULL;
}

/* Queue @cmd and wait for its reply (NULL with @error on timeout/close). */
static json_object *
qemu_monitor_send(QemuMonitor *mon, const char *cmd, json_object *args, guint timeout_ms,
                  GError **error)
{
    g_autoptr(json_object) msg = json_object_new_object();
    QemuMonitorPending pending = { 0 };
    gint64 deadline;

    json_object_object_add(msg, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(msg, "arguments", json_object_get(args));
    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot run QEMU command '%s': %s", cmd, mon->close_error->message);
        g_mutex_unlock(&mon->lock);
        return NULL;
    }
    pending.id = ++mon->next_id;
    json_object_object_add(msg, "id", json_object_new_int64(pending.id));
    g_string_append(mon->out,
                    json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    g_string_append(mon->out, "\r\n");
    g_hash_table_insert(mon->pending, &pending.id, &pending);
    g_mutex_unlock(&mon->lock);

    g_main_context_invoke_full(mon->ctx, G_PRIORITY_DEFAULT, qemu_monitor_kick_cb,
                               qemu_monitor_ref(mon), (GDestroyNotify)qemu_monitor_unref);

    deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    g_mutex_lock(&mon->lock);
    while (!pending.done) {
        if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline) && !pending.done)
            break;
    }
    g_hash_table_remove(mon->pending, &pending.id);
    if (!pending.done) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                     "timed out after %u ms waiting for QEMU command '%s'", timeout_ms, cmd);
    } else if (!pending.reply) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot run QEMU command '%s': %s", cmd, mon->close_error->message);
    }
    g_mutex_unlock(&mon->lock);
    return pending.reply;
}

json_object *
qemu_monitor_command_full(QemuMonitor *mon, const char *cmd, json_object *args,
                          guint timeout_ms, char **ret_error_class, GError **error)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;

    if (ret_error_class)
        *ret_error_class = NULL;
    if (g_main_context_is_owner(mon->ctx)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU command '%s' cannot be run from the monitor's event loop thread",
                     cmd);
        return NULL;
    }
    if (timeout_ms == 0)
        timeout_ms = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    qemu_monitor_ref(mon);
    reply = qemu_monitor_send(mon, cmd, args, timeout_ms, error);
    ret = reply ? qemu_monitor_reply_result(cmd, reply, ret_error_class, error) : NULL;
    qemu_monitor_unref(mon);
    return ret;
}

json_object *
qemu_monitor_command(QemuMonitor *mon, const char *cmd, json_object *args, guint timeout_ms,
                     GError **error)
{
    return qemu_monitor_command_full(mon, cmd, args, timeout_ms, NULL, error);
}
