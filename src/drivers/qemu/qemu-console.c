/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-console.c: DOMAIN_OPEN_CONSOLE.
 *
 * A session opens the slave side of the pty QEMU allocated for the guest's
 * serial port, puts it in raw mode and bridges it to the RPC stream of the
 * call, both ways, from the server's I/O thread (no thread per console):
 *   - guest -> client: the pty is read when readable, unless too much is
 *     queued for the client already; then it is looked at again a little
 *     later (the connection has no "drained" notification);
 *   - client -> guest: keystrokes are written as the pty takes them; if the
 *     guest stops reading and too much piles up, the client's connection
 *     is paused until it drains.
 *
 * One session per pty at a time: a second one fails unless it asks for
 * FORCE, which ends the first one with an error.  A session ends when the
 * client finishes or aborts the stream, when the client goes away, or when
 * the domain stops (the client then sees an end of file).
 *
 * Every pty and source operation happens on the I/O thread; other threads
 * only mark a session closed and hand its teardown over.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "drivers/qemu/qemu-console.h"
#include "remote-dispatch-protos.h"
#include "util/error.h"
#include "util/uuid.h"

#define CONSOLE_READ_CHUNK (16 * 1024)
/* Output queued for the client beyond which the pty is left unread. */
#define CONSOLE_CLIENT_QUEUE_HIGH (1024 * 1024)
#define CONSOLE_RETRY_MS 20
/* Keystrokes the guest has not taken beyond which the client is paused. */
#define CONSOLE_GUEST_QUEUE_HIGH (64 * 1024)

typedef enum {
    CONSOLE_END_NONE,        /* the client finished, aborted or left */
    CONSOLE_END_EOF,         /* the domain stopped: an end of file */
    CONSOLE_END_KICKED,      /* another client forced the console */
} ConsoleEnd;

typedef struct {
    gint ref;
    GMutex lock;
    unsigned char uuid[MV_UUID_LEN];
    char *dom_name;
    char *path;
    GMainContext *ctx;       /* the server's I/O thread */
    MvRpcConn *conn;         /* the client's connection */

    /* Under lock. */
    MvServerStream *st;      /* from start() until the session ends */
    gboolean closed;
    ConsoleEnd end;
    GSource *in_src;
    GSource *out_src;
    GSource *retry_src;

    /* I/O thread only. */
    int fd;
    GByteArray *to_guest;
    gboolean paused;         /* we paused the client's connection */
} QemuConsole;

/* NB: one registry per process: a daemon runs one QEMU driver.  It holds a
 * reference to each open session. */
static GMutex console_registry_lock;
static GPtrArray *console_registry;

static QemuConsole *
console_ref(QemuConsole *con)
{
    g_atomic_int_inc(&con->ref);
    return con;
}

static void
console_unref(gpointer data)
{
    QemuConsole *con = data;

    if (!con || !g_atomic_int_dec_and_test(&con->ref))
        return;
    g_assert(!con->st && !con->in_src && !con->out_src && !con->retry_src);
    if (con->fd >= 0)
        close(con->fd);
    if (con->conn)
        mv_rpc_conn_unref(con->conn);
    if (con->ctx)
        g_main_context_unref(con->ctx);
    g_byte_array_unref(con->to_guest);
    g_free(con->dom_name);
    g_free(con->path);
    g_mutex_clear(&con->lock);
    g_free(con);
}

static void
console_registry_remove(QemuConsole *con)
{
    g_mutex_lock(&console_registry_lock);
    if (console_registry && g_ptr_array_remove(console_registry, con))
        console_unref(con);
    g_mutex_unlock(&console_registry_lock);
}

static void
console_destroy_source(GSource *src)
{
    if (!src)
        return;
    g_source_destroy(src);
    g_source_unref(src);
}

/* Release the pty and the sources.  I/O thread. */
static gboolean
console_teardown_cb(gpointer data)
{
    QemuConsole *con = data;
    GSource *in_src, *out_src, *retry_src;

    g_mutex_lock(&con->lock);
    in_src = g_steal_pointer(&con->in_src);
    out_src = g_steal_pointer(&con->out_src);
    retry_src = g_steal_pointer(&con->retry_src);
    g_mutex_unlock(&con->lock);
    console_destroy_source(in_src);
    console_destroy_source(out_src);
    console_destroy_source(retry_src);
    if (con->fd >= 0) {
        close(con->fd);
        con->fd = -1;
    }
    if (con->paused) {
        con->paused = FALSE;
        mv_rpc_conn_resume(con->conn);
    }
    return G_SOURCE_REMOVE;
}

/* Tell the client how its stream ended. */
static void
console_notify_end(QemuConsole *con, MvServerStream *st, ConsoleEnd end)
{
    g_autoptr(GError) error = NULL;

    switch (end) {
    case CONSOLE_END_EOF:
        mv_server_stream_send_eof(st);
        break;
    case CONSOLE_END_KICKED:
        mv_error_set(&error, MV_FROM_STREAMS, MV_ERR_OPERATION_ABORTED,
                     "console of domain '%s' was taken over by another client",
                     con->dom_name);
        mv_server_stream_send_error(st, error);
        break;
    case CONSOLE_END_NONE:
    default:
        break;
    }
}

/* End the session (idempotent).  Any thread. */
static void
console_close(QemuConsole *con, ConsoleEnd end)
{
    MvServerStream *st = NULL;

    g_mutex_lock(&con->lock);
    if (con->closed) {
        g_mutex_unlock(&con->lock);
        return;
    }
    con->closed = TRUE;
    con->end = end;
    /* Before the reply is out, start() reports the end instead. */
    st = g_steal_pointer(&con->st);
    g_mutex_unlock(&con->lock);

    g_debug("domain '%s': console session on %s ends (%d)", con->dom_name, con->path, end);
    console_registry_remove(con);
    if (st) {
        console_notify_end(con, st, end);
        mv_server_stream_unref(st);
    }
    g_main_context_invoke_full(con->ctx, G_PRIORITY_DEFAULT, console_teardown_cb,
                               console_ref(con), console_unref);
}

static gboolean
console_is_closed(QemuConsole *con)
{
    gboolean closed;

    g_mutex_lock(&con->lock);
    closed = con->closed;
    g_mutex_unlock(&con->lock);
    return closed;
}

/* ---- guest -> client ---------------------------------------------------------- */

static gboolean console_pty_readable(gint fd, GIOCondition cond, gpointer data);

/* Watch the pty for input again.  Caller holds con->lock. */
static void
console_watch_input_locked(QemuConsole *con)
{
    if (con->closed || con->in_src)
        return;
    con->in_src = g_unix_fd_source_new(con->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(con->in_src, (GSourceFunc)(void (*)(void))console_pty_readable,
                          console_ref(con), console_unref);
    g_source_attach(con->in_src, con->ctx);
}

static gboolean
console_retry_cb(gpointer data)
{
    QemuConsole *con = data;
    GSource *self;

    if (mv_rpc_conn_queued_bytes(con->conn) > CONSOLE_CLIENT_QUEUE_HIGH / 2)
        return G_SOURCE_CONTINUE;
    g_mutex_lock(&con->lock);
    self = g_steal_pointer(&con->retry_src);
    console_watch_input_locked(con);
    g_mutex_unlock(&con->lock);
    if (self)
        g_source_unref(self);
    return G_SOURCE_REMOVE;
}

/* The client is not keeping up: stop reading the pty for a while. */
static void
console_throttle(QemuConsole *con)
{
    GSource *in_src;

    g_mutex_lock(&con->lock);
    in_src = g_steal_pointer(&con->in_src);
    if (!con->closed && !con->retry_src) {
        con->retry_src = g_timeout_source_new(CONSOLE_RETRY_MS);
        g_source_set_callback(con->retry_src, console_retry_cb, console_ref(con),
                              console_unref);
        g_source_attach(con->retry_src, con->ctx);
    }
    g_mutex_unlock(&con->lock);
    if (in_src)
        g_source_unref(in_src);
}

static gboolean
console_pty_readable(gint fd, GIOCondition cond, gpointer data)
{
    QemuConsole *con = data;
    guint8 buf[CONSOLE_READ_CHUNK];
    MvServerStream *st = NULL;
    gboolean sent;
    ssize_t n;

    if (console_is_closed(con))
        return G_SOURCE_REMOVE;
    if (mv_rpc_conn_queued_bytes(con->conn) > CONSOLE_CLIENT_QUEUE_HIGH) {
        console_throttle(con);
        return G_SOURCE_REMOVE;
    }
    n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    if (n <= 0) {
        /* EIO: QEMU closed its side, the domain is going away. */
        if (n < 0 && errno != EIO)
            g_info("domain '%s': cannot read console %s: %s", con->dom_name, con->path,
                   g_strerror(errno));
        console_close(con, CONSOLE_END_EOF);
        return G_SOURCE_REMOVE;
    }
    g_mutex_lock(&con->lock);
    if (con->st)
        st = mv_server_stream_ref(con->st);
    g_mutex_unlock(&con->lock);
    sent = st && mv_server_stream_send_data(st, buf, n);
    if (st)
        mv_server_stream_unref(st);
    if (!sent) {
        console_close(con, CONSOLE_END_NONE);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* ---- client -> guest ---------------------------------------------------------- */

static gboolean console_pty_writable(gint fd, GIOCondition cond, gpointer data);

/* Write what the pty takes; watch it for the rest.  I/O thread. */
static void
console_flush_to_guest(QemuConsole *con)
{
    while (con->to_guest->len > 0) {
        ssize_t n = write(con->fd, con->to_guest->data, con->to_guest->len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) {
            if (errno != EIO)
                g_info("domain '%s': cannot write console %s: %s", con->dom_name, con->path,
                       g_strerror(errno));
            console_close(con, CONSOLE_END_EOF);
            return;
        }
        g_byte_array_remove_range(con->to_guest, 0, n);
    }
    g_mutex_lock(&con->lock);
    if (con->to_guest->len > 0 && !con->out_src && !con->closed) {
        con->out_src = g_unix_fd_source_new(con->fd, G_IO_OUT | G_IO_ERR | G_IO_HUP);
        g_source_set_callback(con->out_src, (GSourceFunc)(void (*)(void))console_pty_writable,
                              console_ref(con), console_unref);
        g_source_attach(con->out_src, con->ctx);
    }
    g_mutex_unlock(&con->lock);
    if (con->to_guest->len > CONSOLE_GUEST_QUEUE_HIGH && !con->paused) {
        con->paused = TRUE;
        mv_rpc_conn_pause(con->conn);
    } else if (con->to_guest->len <= CONSOLE_GUEST_QUEUE_HIGH / 2 && con->paused) {
        con->paused = FALSE;
        mv_rpc_conn_resume(con->conn);
    }
}

static gboolean
console_pty_writable(gint fd, GIOCondition cond, gpointer data)
{
    QemuConsole *con = data;
    GSource *self;

    if (console_is_closed(con))
        return G_SOURCE_REMOVE;
    g_mutex_lock(&con->lock);
    self = g_steal_pointer(&con->out_src);
    g_mutex_unlock(&con->lock);
    if (self)
        g_source_unref(self);
    console_flush_to_guest(con);
    return G_SOURCE_REMOVE;
}

/* ---- stream callbacks ------------------------------------------------------------ */

static gboolean
console_stream_recv(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque,
                    GError **error)
{
    QemuConsole *con = opaque;

    /* Keystrokes after the end are dropped, as for a closed terminal. */
    if (console_is_closed(con) || con->fd < 0)
        return TRUE;
    g_byte_array_append(con->to_guest, data, len);
    console_flush_to_guest(con);
    return TRUE;
}

static gboolean
console_stream_finish(MvServerStream *st, gpointer opaque, GError **error)
{
    console_close(opaque, CONSOLE_END_NONE);
    return TRUE;
}

static void
console_stream_abort(MvServerStream *st, gpointer opaque)
{
    console_close(opaque, CONSOLE_END_NONE);
}

static void
console_stream_start(MvServerStream *st, gpointer opaque)
{
    QemuConsole *con = opaque;
    MvServerStream *ended = NULL;

    g_mutex_lock(&con->lock);
    if (con->closed) {
        ended = st;
    } else {
        con->st = mv_server_stream_ref(st);
        console_watch_input_locked(con);
    }
    g_mutex_unlock(&con->lock);
    /* It ended before the reply went out. */
    if (ended)
        console_notify_end(con, ended, con->end);
}

static const MvServerStreamOps console_stream_ops = {
    .recv = console_stream_recv,
    .finish = console_stream_finish,
    .abort = console_stream_abort,
    .start = console_stream_start,
    .free = console_unref,
};

/* ---- opening ------------------------------------------------------------------------ */

static gboolean
console_chr_matches(const DomainChrDef *chr, const char *prefix, guint idx, const char *name)
{
    g_autofree char *dflt = NULL;

    if (chr->info.alias)
        return g_str_equal(chr->info.alias, name);
    dflt = g_strdup_printf("%s%u", prefix, idx);
    return g_str_equal(dflt, name);
}

/* The device @dev_name names (an alias), or the domain's console: the first
 * <console> if it is a pty, else the first <serial>.  Caller holds the lock. */
static DomainChrDef *
console_find_device(const DomainDef *def, const char *dev_name, GError **error)
{
    DomainChrDef *chr = NULL;

    if (dev_name) {
        for (guint i = 0; !chr && i < def->consoles->len; i++) {
            if (console_chr_matches(g_ptr_array_index(def->consoles, i), "console", i,
                                    dev_name))
                chr = g_ptr_array_index(def->consoles, i);
        }
        for (guint i = 0; !chr && i < def->serials->len; i++) {
            if (console_chr_matches(g_ptr_array_index(def->serials, i), "serial", i, dev_name))
                chr = g_ptr_array_index(def->serials, i);
        }
    } else if (def->consoles->len > 0 &&
               ((DomainChrDef *)g_ptr_array_index(def->consoles, 0))->source.type ==
                   DOMAIN_CHR_TYPE_PTY) {
        chr = g_ptr_array_index(def->consoles, 0);
    } else if (def->serials->len > 0) {
        chr = g_ptr_array_index(def->serials, 0);
    }
    if (!chr) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "cannot find character device %s", dev_name ? dev_name : "<null>");
        return NULL;
    }
    if (chr->source.type != DOMAIN_CHR_TYPE_PTY) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "character device %s is not using a PTY",
                     dev_name ? dev_name : (chr->info.alias ? chr->info.alias : "<null>"));
        return NULL;
    }
    if (!chr->source.path) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "character device %s has no pty yet",
                     dev_name ? dev_name : (chr->info.alias ? chr->info.alias : "<null>"));
        return NULL;
    }
    return chr;
}

/* The pty of @obj's console device, if the domain runs. */
static char *
console_device_path(QemuDomainObj *obj, const char *dev_name, GError **error)
{
    DomainChrDef *chr;
    char *path = NULL;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj))
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
    else if ((chr = console_find_device(obj->def, dev_name, error)))
        path = g_strdup(chr->source.path);
    g_mutex_unlock(&obj->lock);
    return path;
}

static int
console_open_pty(const char *path, GError **error)
{
    struct termios tio;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot open console '%s'", path);
        return -1;
    }
    if (!isatty(fd)) {
        close(fd);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED, "'%s' is not a pty", path);
        return -1;
    }
    /* Bytes must pass untouched both ways: no echo, no line editing. */
    if (tcgetattr(fd, &tio) < 0 || (cfmakeraw(&tio), tcsetattr(fd, TCSANOW, &tio)) < 0) {
        mv_error_set_errno(error, errno, "cannot put console '%s' in raw mode", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Make @con the session of its pty: fails if another one has it, unless
 * @force, which returns the one to end in @ret_old. */
static gboolean
console_registry_take(QemuConsole *con, gboolean force, QemuConsole **ret_old,
                      GError **error)
{
    QemuConsole *old = NULL;

    g_mutex_lock(&console_registry_lock);
    if (!console_registry)
        console_registry = g_ptr_array_new();
    for (guint i = 0; i < console_registry->len; i++) {
        QemuConsole *c = g_ptr_array_index(console_registry, i);

        if (g_str_equal(c->path, con->path))
            old = c;
    }
    if (old && !force) {
        g_mutex_unlock(&console_registry_lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "Active console session exists for this domain");
        return FALSE;
    }
    if (old)
        g_ptr_array_remove(console_registry, old);  /* its reference moves to the caller */
    g_ptr_array_add(console_registry, console_ref(con));
    g_mutex_unlock(&console_registry_lock);
    *ret_old = old;
    return TRUE;
}

int
remote_dispatch_domain_open_console(MvServerCall *call, remote_domain_open_console_args *args,
                                    GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);
    QemuDriver *drv = qemu_driver_from_client(client);
    g_autoptr(QemuDomainObj) obj = NULL;
    g_autofree char *path = NULL;
    QemuConsole *con;
    QemuConsole *old = NULL;
    int fd;

    if (!mv_error_check_flags(MV_FROM_DOMAIN, "virDomainOpenConsole", args->flags,
                              QEMU_CONSOLE_FORCE | QEMU_CONSOLE_SAFE, error))
        return -1;
    obj = qemu_domain_list_find_by_uuid(drv->domains, (const guchar *)args->dom.uuid, error);
    if (!obj)
        return -1;
    if (!(path = console_device_path(obj, args->dev_name ? *args->dev_name : NULL, error)))
        return -1;
    if ((fd = console_open_pty(path, error)) < 0)
        return -1;

    con = g_new0(QemuConsole, 1);
    con->ref = 1;
    g_mutex_init(&con->lock);
    memcpy(con->uuid, obj->uuid, MV_UUID_LEN);
    con->dom_name = g_strdup(obj->name);
    con->path = g_steal_pointer(&path);
    con->ctx = g_main_context_ref(mv_server_get_context(mv_server_client_get_server(client)));
    con->conn = mv_rpc_conn_ref(mv_server_client_get_conn(client));
    con->fd = fd;
    con->to_guest = g_byte_array_new();

    if (!console_registry_take(con, args->flags & QEMU_CONSOLE_FORCE, &old, error)) {
        console_unref(con);
        return -1;
    }
    if (old) {
        g_info("domain '%s': console %s forced away from its previous client", obj->name,
               con->path);
        /* Its registry reference came with it. */
        console_close(old, CONSOLE_END_KICKED);
        console_unref(old);
    }
    /* The stream's reference to @con is dropped by its free callback; ours
     * to the stream is only taken once it starts, so that a stream never
     * started does not keep the session alive. */
    mv_server_call_open_stream(call, &console_stream_ops, console_ref(con), FALSE);
    console_unref(con);
    return 0;
}

void
qemu_console_domain_stopped(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GPtrArray) ending = g_ptr_array_new_with_free_func(console_unref);

    g_mutex_lock(&console_registry_lock);
    for (guint i = 0; console_registry && i < console_registry->len; i++) {
        QemuConsole *c = g_ptr_array_index(console_registry, i);

        if (memcmp(c->uuid, obj->uuid, MV_UUID_LEN) == 0)
            g_ptr_array_add(ending, console_ref(c));
    }
    g_mutex_unlock(&console_registry_lock);
    for (guint i = 0; i < ending->len; i++)
        console_close(g_ptr_array_index(ending, i), CONSOLE_END_EOF);
}
