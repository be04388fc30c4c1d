/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event.c: the callback queue behind mv_event_*: callbacks are queued from
 * the RPC I/O thread and run by the application, in its own thread.
 */
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/lib-priv.h"

typedef struct {
    void (*func)(gpointer data);
    gpointer data;
    GDestroyNotify destroy;
} QueuedCall;

static GMutex queue_lock;
static GQueue queue = G_QUEUE_INIT;
static int queue_fd = -1;

static int
event_fd(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        queue_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        g_once_init_leave(&once, 1);
    }
    return queue_fd;
}

void
mv_lib_event_queue(void (*func)(gpointer data), gpointer data, GDestroyNotify destroy)
{
    QueuedCall *qc = g_new0(QueuedCall, 1);
    guint64 one = 1;
    int fd = event_fd();

    qc->func = func;
    qc->data = data;
    qc->destroy = destroy;
    g_mutex_lock(&queue_lock);
    g_queue_push_tail(&queue, qc);
    g_mutex_unlock(&queue_lock);
    if (fd >= 0)
        (void)!write(fd, &one, sizeof(one));
}

int
mv_event_get_fd(void)
{
    return event_fd();
}

int
mv_event_dispatch_pending(void)
{
    guint64 v;
    int n = 0;
    int fd = event_fd();

    if (fd >= 0)
        (void)!read(fd, &v, sizeof(v));
    for (;;) {
        QueuedCall *qc;

        g_mutex_lock(&queue_lock);
        qc = g_queue_pop_head(&queue);
        g_mutex_unlock(&queue_lock);
        if (!qc)
            break;
        qc->func(qc->data);
        if (qc->destroy)
            qc->destroy(qc->data);
        g_free(qc);
        n++;
    }
    return n;
}

int
mv_event_run_default_impl(int timeout_ms)
{
    struct pollfd pfd = { .fd = event_fd(), .events = POLLIN };
    int r;

    if (pfd.fd < 0)
        return -1;
    do {
        r = poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    return mv_event_dispatch_pending();
}
