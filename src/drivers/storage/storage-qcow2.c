/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-qcow2.c: the qcow2 helper (one qemu-storage-daemon over QMP) and
 * its qemu-img fallback.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include "drivers/storage/storage-qcow2.h"
#include "util/command.h"
#include "util/error.h"
#include "util/macros.h"

#define QCOW2_START_TIMEOUT_MS 10000

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)

typedef struct {
    const char **argv;
    int keep_fd;
    pid_t pid;
    gboolean done;
} Qcow2Spawn;

struct _StorageQcow2 {
    GMutex lock;                 /* one operation at a time */
    StorageQcow2Mode mode;
    char *run_dir;
    int fd;                      /* QMP socket, -1: no helper */
    pid_t pid;
    GString *rbuf;               /* bytes read past the last line */
    guint serial;                /* job ids */
    GPtrArray *events;           /* JOB_STATUS_CHANGE seen: "id\nstatus" */
    gboolean helper_broken;      /* could not start: use qemu-img */

    /*
     * The helper is forked by this thread, which lives as long as @q: the
     * helper gets SIGKILL when its parent thread ends (setpriv --pdeathsig),
     * so it never outlives mvstoraged, even a killed one.
     */
    GThread *spawner;
    GAsyncQueue *spawn_queue;    /* Qcow2Spawn, or &q->spawn_quit */
    GMutex spawn_lock;
    GCond spawn_cond;
    int spawn_quit;
};

static gpointer
qcow2_spawner(gpointer data)
{
    StorageQcow2 *q = data;
    gpointer item;

    while ((item = g_async_queue_pop(q->spawn_queue)) != &q->spawn_quit) {
        Qcow2Spawn *req = item;
        pid_t pid = mv_command_spawn(req->argv, NULL, &req->keep_fd, 1, -1, -1, -1, TRUE);

        g_mutex_lock(&q->spawn_lock);
        req->pid = pid;
        req->done = TRUE;
        g_cond_broadcast(&q->spawn_cond);
        g_mutex_unlock(&q->spawn_lock);
    }
    return NULL;
}

StorageQcow2 *
storage_qcow2_new(const char *run_dir)
{
    StorageQcow2 *q = g_new0(StorageQcow2, 1);

    g_mutex_init(&q->lock);
    g_mutex_init(&q->spawn_lock);
    g_cond_init(&q->spawn_cond);
    q->run_dir = g_strdup(run_dir);
    q->fd = -1;
    q->rbuf = g_string_new(NULL);
    q->events = g_ptr_array_new_with_free_func(g_free);
    q->spawn_queue = g_async_queue_new();
    q->spawner = g_thread_new("qcow2-spawn", qcow2_spawner, q);
    return q;
}

static void
qcow2_stop_helper(StorageQcow2 *q)
{
    mv_closep(&q->fd);
    if (q->pid > 0) {
        kill(q->pid, SIGKILL);
        while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    q->pid = 0;
    g_string_truncate(q->rbuf, 0);
    g_ptr_array_set_size(q->events, 0);
}

void
storage_qcow2_stop(StorageQcow2 *q)
{
    if (!q)
        return;
    g_mutex_lock(&q->lock);
    qcow2_stop_helper(q);
    g_mutex_unlock(&q->lock);
}

void
storage_qcow2_free(StorageQcow2 *q)
{
    if (!q)
        return;
    g_mutex_lock(&q->lock);
    qcow2_stop_helper(q);
    g_mutex_unlock(&q->lock);
    g_async_queue_push(q->spawn_queue, &q->spawn_quit);
    g_thread_join(q->spawner);
    g_async_queue_unref(q->spawn_queue);
    g_ptr_array_unref(q->events);
    g_string_free(q->rbuf, TRUE);
    g_free(q->run_dir);
    g_cond_clear(&q->spawn_cond);
    g_mutex_clear(&q->spawn_lock);
    g_mutex_clear(&q->lock);
    g_free(q);
}

void
storage_qcow2_set_mode(StorageQcow2 *q, StorageQcow2Mode mode)
{
    g_mutex_lock(&q->lock);
    q->mode = mode;
    g_mutex_unlock(&q->lock);
}

int
storage_qcow2_helper_pid(StorageQcow2 *q)
{
    int pid;

    g_mutex_lock(&q->lock);
    pid = q->pid;
    g_mutex_unlock(&q->lock);
    return pid;
}

/* ---- QMP ------------------------------------------------------------------- */

static gboolean
qcow2_fail_io(StorageQcow2 *q, const char *what, gint64 deadline, GError **error)
{
    if (deadline && g_get_monotonic_time() >= deadline)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                     "qemu-storage-daemon did not answer in time (%s); it was restarted", what);
    else
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "lost the connection to qemu-storage-daemon (%s)", what);
    qcow2_stop_helper(q);
    return FALSE;
}

/* One JSON line from the helper. */
static json_object *
qcow2_read_line(StorageQcow2 *q, gint64 deadline, GError **error)
{
    for (;;) {
        char *nl = memchr(q->rbuf->str, '\n', q->rbuf->len);
        char buf[4096];
        struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
        gssize n;
        int r;

        if (nl) {
            gsize len = nl - q->rbuf->str;
            json_object *obj;

            q->rbuf->str[len] = '\0';
            obj = json_tokener_parse(q->rbuf->str);
            g_string_erase(q->rbuf, 0, len + 1);
            if (obj)
                return obj;
            continue;
        }
        r = poll(&pfd, 1, storage_deadline_remaining_ms(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            qcow2_fail_io(q, "read", deadline, error);
            return NULL;
        }
        n = read(q->fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            qcow2_fail_io(q, "read", deadline, error);
            return NULL;
        }
        g_string_append_len(q->rbuf, buf, n);
    }
}

static void
qcow2_note_event(StorageQcow2 *q, json_object *obj)
{
    json_object *ev, *data, *id, *status;

    if (!json_object_object_get_ex(obj, "event", &ev) ||
        !g_str_equal(json_object_get_string(ev), "JOB_STATUS_CHANGE") ||
        !json_object_object_get_ex(obj, "data", &data) ||
        !json_object_object_get_ex(data, "id", &id) ||
        !json_object_object_get_ex(data, "status", &status))
        return;
    g_ptr_array_add(q->events, g_strdup_printf("%s\n%s", json_object_get_string(id),
                                               json_object_get_string(status)));
}

/* Send @cmd (consumed) without waiting for the answer. */
static gboolean
qcow2_send(StorageQcow2 *q, json_object *cmd, gint64 deadline, GError **error)
{
    const char *text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
    g_autofree char *line = g_strdup_printf("%s\n", text);
    gsize off = 0;
    gsize len = strlen(line);

    json_object_put(cmd);
    while (off < len) {
        gssize n = send(q->fd, line + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return qcow2_fail_io(q, "write", deadline, error);
        off += n;
    }
    return TRUE;
}

/* The answer to the oldest command sent: its "return" member (a new
 * reference), or NULL with the QMP error.  Events met are noted. */
static json_object *
qcow2_reply(StorageQcow2 *q, gint64 deadline, GError **error)
{
    for (;;) {
        g_autoptr(json_object) obj = qcow2_read_line(q, deadline, error);
        json_object *ret, *err, *desc;

        if (!obj)
            return NULL;
        if (json_object_object_get_ex(obj, "return", &ret))
            return json_object_get(ret);
        if (json_object_object_get_ex(obj, "error", &err)) {
            json_object_object_get_ex(err, "desc", &desc);
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR, "%s",
                         desc ? json_object_get_string(desc) : "QMP error");
            return NULL;
        }
        qcow2_note_event(q, obj);
    }
}

/* Send @cmd (consumed) and wait for its answer. */
static json_object *
qcow2_command(StorageQcow2 *q, json_object *cmd, gint64 deadline, GError **error)
{
    if (!qcow2_send(q, cmd, deadline, error))
        return NULL;
    return qcow2_reply(q, deadline, error);
}

static json_object *
qcow2_cmd_new(const char *name, json_object *args)
{
    json_object *cmd = json_object_new_object();

    json_object_object_add(cmd, "execute", json_object_new_string(name));
    if (args)
        json_object_object_add(cmd, "arguments", args);
    return cmd;
}

static gboolean
qcow2_simple(StorageQcow2 *q, const char *name, json_object *args, gint64 deadline,
             GError **error)
{
    json_object *ret = qcow2_command(q, qcow2_cmd_new(name, args), deadline, error);

    if (!ret)
        return FALSE;
    json_object_put(ret);
    return TRUE;
}

static gboolean
qcow2_start_helper(StorageQcow2 *q, GError **error)
{
    g_autofree char *qsd = storage_command_find("qemu-storage-daemon");
    g_autofree char *setpriv = storage_command_find("setpriv");
    g_autofree char *chardev = NULL;
    g_autoptr(json_object) greeting = NULL;
    gint64 deadline = g_get_monotonic_time() + QCOW2_START_TIMEOUT_MS * 1000;
    const char *argv[16];
    int sv[2];
    int n = 0;
    Qcow2Spawn req = { 0 };

    if (!qsd) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "Cannot find 'qemu-storage-daemon' in path: %s", g_strerror(ENOENT));
        return FALSE;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        mv_error_set_errno(error, errno, "cannot create a socket pair");
        return FALSE;
    }
    chardev = g_strdup_printf("socket,id=mon,fd=%d", sv[1]);
    if (setpriv) {
        argv[n++] = setpriv;
        argv[n++] = "--pdeathsig";
        argv[n++] = "KILL";
        argv[n++] = "--";
    }
    argv[n++] = qsd;
    argv[n++] = "--chardev";
    argv[n++] = chardev;
    argv[n++] = "--monitor";
    argv[n++] = "chardev=mon";
    argv[n] = NULL;
    req.argv = argv;
    req.keep_fd = sv[1];
    g_mutex_lock(&q->spawn_lock);
    g_async_queue_push(q->spawn_queue, &req);
    while (!req.done)
        g_cond_wait(&q->spawn_cond, &q->spawn_lock);
    g_mutex_unlock(&q->spawn_lock);
    close(sv[1]);
    if (req.pid < 0) {
        close(sv[0]);
        mv_error_set_errno(error, -req.pid, "cannot run '%s'", qsd);
        return FALSE;
    }
    q->fd = sv[0];
    q->pid = req.pid;
    if (!(greeting = qcow2_read_line(q, deadline, error)) ||
        !qcow2_simple(q, "qmp_capabilities", NULL, deadline, error)) {
        g_prefix_error(error, "cannot start qemu-storage-daemon: ");
        qcow2_stop_helper(q);
        return FALSE;
    }
    g_debug("qemu-storage-daemon started, pid %d", (int)q->pid);
    return TRUE;
}

/* Wait until job @id reaches @status (events, in order). */
static gboolean
qcow2_wait_job(StorageQcow2 *q, const char *id, const char *status, gint64 deadline,
               GError **error)
{
    g_autofree char *want = g_strdup_printf("%s\n%s", id, status);

    for (;;) {
        g_autoptr(json_object) obj = NULL;

        for (guint i = 0; i < q->events->len; i++) {
            if (g_str_equal(g_ptr_array_index(q->events, i), want)) {
                g_ptr_array_set_size(q->events, 0);
                return TRUE;
            }
        }
        g_ptr_array_set_size(q->events, 0);
        if (!(obj = qcow2_read_line(q, deadline, error)))
            return FALSE;
        qcow2_note_event(q, obj);
    }
}

/* The error of job @id in the answer to query-jobs, NULL when none. */
static char *
qcow2_job_error(json_object *jobs, const char *id)
{
    size_t n = json_object_array_length(jobs);

    for (size_t i = 0; i < n; i++) {
        json_object *job = json_object_array_get_idx(jobs, i);
        json_object *jid, *err;

        if (json_object_object_get_ex(job, "id", &jid) &&
            g_str_equal(json_object_get_string(jid), id) &&
            json_object_object_get_ex(job, "error", &err))
            return g_strdup(json_object_get_string(err));
    }
    return NULL;
}

static gboolean
qcow2_run_job(StorageQcow2 *q, const char *id, json_object *options, gint64 deadline,
              GError **error)
{
    json_object *args = json_object_new_object();
    g_autoptr(json_object) jobs = NULL;
    g_autoptr(json_object) dismissed = NULL;
    g_autofree char *job_error = NULL;

    json_object_object_add(args, "job-id", json_object_new_string(id));
    json_object_object_add(args, "options", options);
    if (!qcow2_simple(q, "blockdev-create", args, deadline, error) ||
        !qcow2_wait_job(q, id, "concluded", deadline, error))
        return FALSE;
    /* Both at once: the job's outcome, and away with it. */
    args = json_object_new_object();
    json_object_object_add(args, "id", json_object_new_string(id));
    if (!qcow2_send(q, qcow2_cmd_new("query-jobs", NULL), deadline, error) ||
        !qcow2_send(q, qcow2_cmd_new("job-dismiss", args), deadline, error) ||
        !(jobs = qcow2_reply(q, deadline, error)) ||
        !(dismissed = qcow2_reply(q, deadline, error)))
        return FALSE;
    if ((job_error = qcow2_job_error(jobs, id))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR, "%s", job_error);
        return FALSE;
    }
    return TRUE;
}

static json_object *
qcow2_file_node(const char *path)
{
    json_object *file = json_object_new_object();
    json_object *cache = json_object_new_object();

    json_object_object_add(file, "driver", json_object_new_string("file"));
    json_object_object_add(file, "filename", json_object_new_string(path));
    json_object_object_add(cache, "no-flush", json_object_new_boolean(TRUE));
    json_object_object_add(file, "cache", cache);
    return file;
}

static json_object *
qcow2_create_options(const char *path, const StorageQcow2Opts *opts)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "driver", json_object_new_string("qcow2"));
    json_object_object_add(o, "file", qcow2_file_node(path));
    json_object_object_add(o, "size", json_object_new_uint64(opts->size));
    json_object_object_add(o, "version", json_object_new_string(
                               opts->compat && g_str_equal(opts->compat, "0.10") ? "v2" : "v3"));
    if (opts->cluster_size)
        json_object_object_add(o, "cluster-size", json_object_new_uint64(opts->cluster_size));
    if (opts->lazy_refcounts)
        json_object_object_add(o, "lazy-refcounts", json_object_new_boolean(TRUE));
    if (opts->extended_l2)
        json_object_object_add(o, "extended-l2", json_object_new_boolean(TRUE));
    if (opts->prealloc_metadata)
        json_object_object_add(o, "preallocation", json_object_new_string("metadata"));
    if (opts->backing_path) {
        json_object_object_add(o, "backing-file", json_object_new_string(opts->backing_path));
        if (opts->backing_format)
            json_object_object_add(o, "backing-fmt",
                                   json_object_new_string(opts->backing_format));
    }
    return o;
}

/* Between operations the helper says nothing we have not read: a hung up
 * socket, or an exited process, is a dead helper. */
static gboolean
qcow2_helper_alive(StorageQcow2 *q)
{
    struct pollfd pfd = { .fd = q->fd, .events = POLLIN | POLLRDHUP };

    if (waitpid(q->pid, NULL, WNOHANG) == q->pid) {
        q->pid = 0;
        return FALSE;
    }
    return !(poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLRDHUP)));
}

/* Make sure a helper runs: 1, or 0 to fork qemu-img instead, or -1 with
 * @error when only the helper would do. */
static int
qcow2_pick(StorageQcow2 *q, GError **error)
{
    g_autoptr(GError) err = NULL;

    if (q->mode == STORAGE_QCOW2_QEMU_IMG)
        return 0;
    if (q->fd >= 0 && !qcow2_helper_alive(q)) {
        /* It died since the last operation (killed...): start another. */
        g_warning("qemu-storage-daemon (pid %d) went away; starting a new one", (int)q->pid);
        qcow2_stop_helper(q);
    }
    if (q->fd >= 0)
        return 1;
    if (q->helper_broken && q->mode == STORAGE_QCOW2_AUTO)
        return 0;
    if (qcow2_start_helper(q, &err))
        return 1;
    if (q->mode == STORAGE_QCOW2_HELPER) {
        g_propagate_error(error, g_steal_pointer(&err));
        return -1;
    }
    g_warning("%s; forking qemu-img instead", err->message);
    q->helper_broken = TRUE;
    return 0;
}

/* ---- qemu-img --------------------------------------------------------------- */

static gboolean
qcow2_img_create(const char *path, const StorageQcow2Opts *opts, gint64 deadline,
                 GError **error)
{
    g_autoptr(GString) o = g_string_new(NULL);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, opts->size);
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-o", NULL, path, size,
                           NULL };

    g_string_append_printf(o, "compat=%s", opts->compat ? opts->compat : "1.1");
    if (opts->cluster_size)
        g_string_append_printf(o, ",cluster_size=%" G_GUINT64_FORMAT, opts->cluster_size);
    if (opts->lazy_refcounts)
        g_string_append(o, ",lazy_refcounts=on");
    if (opts->extended_l2)
        g_string_append(o, ",extended_l2=on");
    if (opts->prealloc_metadata)
        g_string_append(o, ",preallocation=metadata");
    if (opts->backing_path) {
        /* NB: qemu-img options are comma separated; a comma is doubled. */
        g_autofree char *b = NULL;
        g_auto(GStrv) parts = g_strsplit(opts->backing_path, ",", -1);

        b = g_strjoinv(",,", parts);
        g_string_append_printf(o, ",backing_file=%s", b);
        if (opts->backing_format)
            g_string_append_printf(o, ",backing_fmt=%s", opts->backing_format);
    }
    argv[6] = o->str;
    return storage_command_run(argv, NULL, deadline, NULL, NULL, NULL, error);
}

static gboolean
qcow2_img_resize(const char *path, guint64 size, gint64 deadline, GError **error)
{
    g_autofree char *sz = g_strdup_printf("%" G_GUINT64_FORMAT, size);
    const char *argv[] = { "qemu-img", "resize", "-q", "--shrink", "-f", "qcow2", path, sz,
                           NULL };

    return storage_command_run(argv, NULL, deadline, NULL, NULL, NULL, error);
}

/* ---- operations --------------------------------------------------------------- */

/* Create an image in @path (opened by QEMU), @shown in messages. */
static gboolean
qcow2_create_at(StorageQcow2 *q, const char *path, const char *shown,
                const StorageQcow2Opts *opts, gint64 deadline, GError **error)
{
    g_autofree char *id = NULL;
    gboolean ok;

    if (!storage_deadline_check(deadline, "no time left to create the qcow2 image", error))
        return FALSE;
    g_mutex_lock(&q->lock);
    switch (qcow2_pick(q, error)) {
    case -1:
        g_mutex_unlock(&q->lock);
        return FALSE;
    case 0:
        g_mutex_unlock(&q->lock);
        ok = qcow2_img_create(path, opts, deadline, error);
        break;
    default:
        id = g_strdup_printf("mvcreate%u", ++q->serial);
        ok = qcow2_run_job(q, id, qcow2_create_options(path, opts), deadline, error);
        g_mutex_unlock(&q->lock);
        break;
    }
    if (!ok)
        g_prefix_error(error, "cannot create qcow2 image '%s': ", shown);
    return ok;
}

gboolean
storage_qcow2_create(StorageQcow2 *q, const char *path, const StorageQcow2Opts *opts,
                     gint64 deadline, GError **error)
{
    return qcow2_create_at(q, path, path, opts, deadline, error);
}

gboolean
storage_qcow2_create_fd(StorageQcow2 *q, int fd, const char *path,
                        const StorageQcow2Opts *opts, gint64 deadline, GError **error)
{
    g_autofree char *at = storage_fd_path(fd);

    return qcow2_create_at(q, at, path, opts, deadline, error);
}

static gboolean
qcow2_helper_resize(StorageQcow2 *q, const char *path, guint64 size, gint64 deadline,
                    GError **error)
{
    g_autofree char *node = g_strdup_printf("mvresize%u", ++q->serial);
    json_object *args = json_object_new_object();
    gboolean ok;

    json_object_object_add(args, "driver", json_object_new_string("qcow2"));
    json_object_object_add(args, "node-name", json_object_new_string(node));
    json_object_object_add(args, "file", qcow2_file_node(path));
    json_object_object_add(args, "backing", NULL);
    if (!qcow2_simple(q, "blockdev-add", args, deadline, error))
        return FALSE;
    args = json_object_new_object();
    json_object_object_add(args, "node-name", json_object_new_string(node));
    json_object_object_add(args, "size", json_object_new_uint64(size));
    ok = qcow2_simple(q, "block_resize", args, deadline, error);
    if (q->fd >= 0) {
        args = json_object_new_object();
        json_object_object_add(args, "node-name", json_object_new_string(node));
        if (!qcow2_simple(q, "blockdev-del", args, deadline, ok ? error : NULL))
            ok = FALSE;
    }
    return ok;
}

static gboolean
qcow2_resize_at(StorageQcow2 *q, const char *path, const char *shown, guint64 size,
                gint64 deadline, GError **error)
{
    gboolean ok;

    if (!storage_deadline_check(deadline, "no time left to resize the qcow2 image", error))
        return FALSE;
    g_mutex_lock(&q->lock);
    switch (qcow2_pick(q, error)) {
    case -1:
        g_mutex_unlock(&q->lock);
        return FALSE;
    case 0:
        g_mutex_unlock(&q->lock);
        ok = qcow2_img_resize(path, size, deadline, error);
        break;
    default:
        ok = qcow2_helper_resize(q, path, size, deadline, error);
        g_mutex_unlock(&q->lock);
        break;
    }
    if (!ok)
        g_prefix_error(error, "cannot resize qcow2 image '%s': ", shown);
    return ok;
}

gboolean
storage_qcow2_resize(StorageQcow2 *q, const char *path, guint64 size, gint64 deadline,
                     GError **error)
{
    return qcow2_resize_at(q, path, path, size, deadline, error);
}

gboolean
storage_qcow2_resize_fd(StorageQcow2 *q, int fd, const char *path, guint64 size,
                        gint64 deadline, GError **error)
{
    g_autofree char *at = storage_fd_path(fd);

    return qcow2_resize_at(q, at, path, size, deadline, error);
}
