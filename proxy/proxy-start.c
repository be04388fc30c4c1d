/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy-start.c: connecting the proxy to a daemon, starting it first when
 * nothing listens on its socket.
 *
 * The proxy's main thread serves every client, so it never waits here: a
 * connection to a listening unix socket is made without blocking, and a
 * daemon that has to be started is started on a helper thread.  All the
 * clients that need one daemon while it starts wait for that one start (a
 * thread each would, with a daemon slow to come up, use up the threads the
 * other clients' connections need); when it ends each waiter connects on its
 * own, or gets the reason it cannot.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>

#include "proxy/proxy-start.h"
#include "rpc/client.h"
#include "util/error.h"

typedef struct {
    char *path;
    ProxyConnectFunc func;
    gpointer opaque;
    GDestroyNotify destroy;
} StartWaiter;

/* One per daemon program; only touched on the main thread. */
typedef struct {
    char *daemon;
    char *start_path;         /* waited for by a start (ProxyDaemonSpec) */
    char *log_path;
    gboolean privileged;
    gboolean running;         /* a start is in progress */
    GPtrArray *waiters;       /* StartWaiter */
} Starter;

/* What the helper thread needs: copies, the Starter stays on the main thread. */
typedef struct {
    Starter *starter;
    char *path;
    char *log_path;
    gboolean privileged;
} StartJob;

static GHashTable *starters;

static void
start_waiter_free(gpointer p)
{
    StartWaiter *w = p;

    if (!w)
        return;
    if (w->destroy)
        w->destroy(w->opaque);
    g_free(w->path);
    g_free(w);
}

static void
start_job_free(gpointer p)
{
    StartJob *job = p;

    g_free(job->path);
    g_free(job->log_path);
    g_free(job);
}

/* Connect to @path without blocking: the fd, or -errno with @error set in
 * libvirt's words (-EAGAIN: the daemon's backlog is full). */
static int
start_try_connect(const char *path, GError **error)
{
    return mv_rpc_socket_connect(path, TRUE, error);
}

static void start_launch(Starter *st);

static void
start_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    StartJob *job = data;
    const char *args[] = { "--timeout", "120", job->privileged ? "--system" : "--session",
                           NULL };
    GError *error = NULL;
    int fd = mv_rpc_socket_connect_autostart(job->path, job->starter->daemon, args,
                                             job->log_path, &error);

    if (fd < 0) {
        g_task_return_error(task, error);
        return;
    }
    /* It listens: each waiter makes its own connection. */
    close(fd);
    g_task_return_boolean(task, TRUE);
}

/* Hand each waiter its connection, or the reason there is none. */
static void
start_done(GObject *source, GAsyncResult *res, gpointer data)
{
    Starter *st = data;
    g_autoptr(GError) start_error = NULL;
    g_autoptr(GPtrArray) waiters = st->waiters;
    gboolean started = g_task_propagate_boolean(G_TASK(res), &start_error);

    st->waiters = g_ptr_array_new_with_free_func(start_waiter_free);
    st->running = FALSE;
    if (!started)
        g_info("cannot start %s: %s", st->daemon, start_error->message);
    for (guint i = 0; i < waiters->len; i++) {
        StartWaiter *w = waiters->pdata[i];
        g_autoptr(GError) error = NULL;
        int fd = -1;

        if (started) {
            fd = start_try_connect(w->path, &error);
            if (fd == -EAGAIN) {
                /* A busy backlog: wait for it on the thread. */
                g_ptr_array_add(st->waiters, g_steal_pointer(&waiters->pdata[i]));
                continue;
            }
        }
        w->func(fd, started ? error : start_error, w->opaque);
    }
    if (st->waiters->len > 0)
        start_launch(st);
}

static void
start_launch(Starter *st)
{
    StartJob *job = g_new0(StartJob, 1);
    g_autoptr(GTask) task = NULL;

    job->starter = st;
    job->path = g_strdup(st->start_path);
    job->log_path = g_strdup(st->log_path);
    job->privileged = st->privileged;
    st->running = TRUE;
    task = g_task_new(NULL, NULL, start_done, st);
    g_task_set_task_data(task, job, start_job_free);
    g_task_run_in_thread(task, start_thread);
}

static Starter *
start_get(const ProxyDaemonSpec *spec)
{
    Starter *st;

    if (!starters)
        starters = g_hash_table_new(g_str_hash, g_str_equal);
    st = g_hash_table_lookup(starters, spec->daemon);
    if (!st) {
        /* Lives as long as the process: one per daemon program. */
        st = g_new0(Starter, 1);
        st->daemon = g_strdup(spec->daemon);
        st->waiters = g_ptr_array_new_with_free_func(start_waiter_free);
        g_hash_table_insert(starters, st->daemon, st);
    }
    g_free(st->log_path);
    st->log_path = g_strdup(spec->log_path);
    g_free(st->start_path);
    st->start_path = g_strdup(spec->start_path ? spec->start_path : spec->path);
    st->privileged = spec->privileged;
    return st;
}

void
proxy_daemon_connect(const ProxyDaemonSpec *spec, ProxyConnectFunc func, gpointer opaque,
                     GDestroyNotify destroy)
{
    g_autoptr(GError) error = NULL;
    StartWaiter *w;
    Starter *st;
    int fd = start_try_connect(spec->path, &error);

    if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED && fd != -EAGAIN)) {
        func(fd, error, opaque);
        if (destroy)
            destroy(opaque);
        return;
    }
    st = start_get(spec);
    w = g_new0(StartWaiter, 1);
    w->path = g_strdup(spec->path);
    w->func = func;
    w->opaque = opaque;
    w->destroy = destroy;
    g_ptr_array_add(st->waiters, w);
    if (!st->running)
        start_launch(st);
}
