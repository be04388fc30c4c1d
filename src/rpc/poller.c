/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poller.c: the sockets of a GMainContext behind one source (see poller.h).
 *
 * With a few watches (a daemon with a client or two, a client library)
 * nothing but poll() is used: no epoll_ctl() per connection.  Once there are
 * more, every watch joins the epoll set and stays there; new ones join it at
 * once until the number falls well back (hysteresis).  The context's poll
 * function finds its poller through a thread-local pointer set by the
 * source's prepare(), which GLib calls on the iterating thread right before
 * it polls.
 *
 * Locking: the poller's mutex guards the watch list, the ready queue and
 * each watch's events; callbacks run without it.  Watches are destroyed on
 * the iterating thread only, which is also the thread that polls, so a
 * pointer taken from the poll array or from epoll_wait() stays valid until
 * the results are handled.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/poller.h"

/* Up to this many watches are polled directly, each with its own pollfd;
 * beyond, through the epoll fd and epoll_wait() (one more syscall per
 * wake-up, but a cost that no longer grows with idle connections). */
#define POLLER_DIRECT_MAX 8
/* Back to direct polling at this many. */
#define POLLER_DIRECT_AGAIN 4
#define POLLER_EPOLL_BATCH 64

typedef struct _MvRpcPoller MvRpcPoller;

struct _MvRpcPollerWatch {
    gint ref;
    MvRpcPoller *poller;
    int fd;
    guint index;                 /* in poller->watches */
    GIOCondition events;
    GIOCondition revents;        /* reported, not dispatched yet */
    gboolean queued;             /* in poller->ready */
    gboolean in_epoll;           /* registered in the epoll set */
    gboolean destroyed;
    GList link;                  /* in poller->ready */
    MvRpcPollerFunc func;
    gpointer opaque;
    GDestroyNotify destroy;
};

struct _MvRpcPoller {
    GSource base;
    GMainContext *ctx;           /* the key in the table; not a reference */
    GMutex lock;
    int epfd;
    gboolean epoll_mode;         /* many watches: poll them through epfd */
    GPtrArray *watches;          /* MvRpcPollerWatch, unordered */
    GQueue ready;                /* watches to dispatch */
    /* Scratch for the poll function (iterating thread only). */
    struct pollfd *pfds;
    MvRpcPollerWatch **pwatch;
    guint scratch_len;
};

G_STATIC_ASSERT(sizeof(GPollFD) == sizeof(struct pollfd));
/* GIOCondition bits are poll()'s, and epoll's. */
G_STATIC_ASSERT((int)G_IO_IN == (int)EPOLLIN && (int)G_IO_OUT == (int)EPOLLOUT &&
                (int)G_IO_ERR == (int)EPOLLERR && (int)G_IO_HUP == (int)EPOLLHUP &&
                (int)G_IO_PRI == (int)EPOLLPRI);

static GMutex pollers_lock;
static GHashTable *pollers;      /* GMainContext * -> MvRpcPoller * */
/* The poller whose context this thread is iterating, from prepare() to the
 * poll function. */
static __thread MvRpcPoller *poller_current;

static gint poller_poll(GPollFD *ufds, guint nfds, gint timeout);

/* Must hold the lock. */
static void
poller_epoll_add_locked(MvRpcPoller *p, MvRpcPollerWatch *w)
{
    struct epoll_event ev = { 0 };

    ev.events = w->events;
    ev.data.ptr = w;
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0) {
        g_warning("cannot watch fd %d: %s", w->fd, g_strerror(errno));
        return;
    }
    w->in_epoll = TRUE;
}

/* Choose how to poll for this many watches; entering epoll mode registers
 * them all.  Must hold the lock. */
static gboolean
poller_use_epoll_locked(MvRpcPoller *p)
{
    guint nw = p->watches->len;

    if (!p->epoll_mode && nw > POLLER_DIRECT_MAX) {
        p->epoll_mode = TRUE;
        for (guint i = 0; i < nw; i++) {
            MvRpcPollerWatch *w = g_ptr_array_index(p->watches, i);

            if (!w->in_epoll)
                poller_epoll_add_locked(p, w);
        }
    } else if (p->epoll_mode && nw <= POLLER_DIRECT_AGAIN) {
        p->epoll_mode = FALSE;
    }
    return p->epoll_mode;
}

static void
poller_watch_unref(MvRpcPollerWatch *w)
{
    if (!g_atomic_int_dec_and_test(&w->ref))
        return;
    if (w->destroy)
        w->destroy(w->opaque);
    g_source_unref(&w->poller->base);
    g_free(w);
}

/* Queue @w for dispatch with @revents.  Must hold the lock. */
static void
poller_mark_ready_locked(MvRpcPoller *p, MvRpcPollerWatch *w, GIOCondition revents)
{
    w->revents |= revents;
    if (w->queued)
        return;
    w->queued = TRUE;
    w->link.data = w;
    g_queue_push_tail_link(&p->ready, &w->link);
}

static gboolean
poller_prepare(GSource *source, gint *timeout)
{
    MvRpcPoller *p = (MvRpcPoller *)source;
    gboolean ready;

    poller_current = p;
    *timeout = -1;
    g_mutex_lock(&p->lock);
    ready = p->ready.length > 0;
    g_mutex_unlock(&p->lock);
    return ready;
}

static gboolean
poller_check(GSource *source)
{
    MvRpcPoller *p = (MvRpcPoller *)source;
    gboolean ready;

    poller_current = NULL;
    g_mutex_lock(&p->lock);
    ready = p->ready.length > 0;
    g_mutex_unlock(&p->lock);
    return ready;
}

/* Run the callbacks of the watches ready now; those that become ready
 * meanwhile wait for the next iteration, so other sources get their turn. */
static gboolean
poller_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    MvRpcPoller *p = (MvRpcPoller *)source;
    guint budget;

    g_mutex_lock(&p->lock);
    budget = p->ready.length;
    while (budget-- > 0) {
        GList *l = g_queue_pop_head_link(&p->ready);
        MvRpcPollerWatch *w;
        GIOCondition revents;

        if (!l)
            break;
        w = l->data;
        w->queued = FALSE;
        revents = w->revents;
        w->revents = 0;
        g_atomic_int_inc(&w->ref);
        g_mutex_unlock(&p->lock);
        w->func(w, revents, w->opaque);
        poller_watch_unref(w);
        g_mutex_lock(&p->lock);
    }
    g_mutex_unlock(&p->lock);
    return G_SOURCE_CONTINUE;
}

/* The context is going away: release the watches it still had. */
static void
poller_finalize(GSource *source)
{
    MvRpcPoller *p = (MvRpcPoller *)source;

    g_mutex_lock(&pollers_lock);
    if (pollers && g_hash_table_lookup(pollers, p->ctx) == p)
        g_hash_table_remove(pollers, p->ctx);
    g_mutex_unlock(&pollers_lock);
    if (poller_current == p)
        poller_current = NULL;
    /* Watches hold a reference to the source: none is left. */
    g_ptr_array_unref(p->watches);
    close(p->epfd);
    g_free(p->pfds);
    g_free(p->pwatch);
    g_mutex_clear(&p->lock);
}

static GSourceFuncs poller_funcs = {
    .prepare = poller_prepare,
    .check = poller_check,
    .dispatch = poller_dispatch,
    .finalize = poller_finalize,
};

/* The poller of @ctx, created on first use; lives as long as the context. */
static MvRpcPoller *
poller_get(GMainContext *ctx)
{
    MvRpcPoller *p;

    g_mutex_lock(&pollers_lock);
    if (!pollers)
        pollers = g_hash_table_new(g_direct_hash, g_direct_equal);
    p = g_hash_table_lookup(pollers, ctx);
    if (p) {
        g_mutex_unlock(&pollers_lock);
        return p;
    }
    p = (MvRpcPoller *)g_source_new(&poller_funcs, sizeof(MvRpcPoller));
    g_source_set_name(&p->base, "mv-rpc-poller");
    p->ctx = ctx;
    g_mutex_init(&p->lock);
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0)
        g_error("epoll_create1 failed: %s", g_strerror(errno));
    p->watches = g_ptr_array_new();
    g_queue_init(&p->ready);
    /* NB: replaces g_poll(), which nothing else in modvirt changes. */
    g_main_context_set_poll_func(ctx, poller_poll);
    g_hash_table_insert(pollers, ctx, p);
    g_source_attach(&p->base, ctx);
    /* The context owns it now. */
    g_source_unref(&p->base);
    g_mutex_unlock(&pollers_lock);
    return p;
}

static void
poller_scratch_reserve(MvRpcPoller *p, guint n)
{
    if (n <= p->scratch_len)
        return;
    p->scratch_len = MAX(n, 2 * p->scratch_len);
    p->pfds = g_renew(struct pollfd, p->pfds, p->scratch_len);
    p->pwatch = g_renew(MvRpcPollerWatch *, p->pwatch, p->scratch_len);
}

/* Few watches: their fds join GLib's in one poll(). */
static gint
poller_poll_direct(MvRpcPoller *p, GPollFD *ufds, guint nfds, gint timeout)
{
    guint nw;
    gint ret;
    int saved;

    g_mutex_lock(&p->lock);
    nw = p->watches->len;
    poller_scratch_reserve(p, nfds + nw);
    memcpy(p->pfds, ufds, nfds * sizeof(struct pollfd));
    for (guint i = 0; i < nw; i++) {
        MvRpcPollerWatch *w = g_ptr_array_index(p->watches, i);

        p->pfds[nfds + i].fd = w->fd;
        p->pfds[nfds + i].events = w->events;
        p->pfds[nfds + i].revents = 0;
        p->pwatch[i] = w;
    }
    g_mutex_unlock(&p->lock);

    ret = poll(p->pfds, nfds + nw, timeout);
    saved = errno;
    if (ret <= 0) {
        errno = saved;
        return ret;
    }
    for (guint i = 0; i < nfds; i++)
        ufds[i].revents = p->pfds[i].revents;
    g_mutex_lock(&p->lock);
    for (guint i = 0; i < nw; i++) {
        MvRpcPollerWatch *w = p->pwatch[i];
        GIOCondition rev = p->pfds[nfds + i].revents;

        /* Events dropped meanwhile (by another thread) are not reported. */
        rev &= w->events | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
        if (rev && !w->destroyed)
            poller_mark_ready_locked(p, w, rev);
    }
    g_mutex_unlock(&p->lock);
    return ret;
}

/* Many watches: the epoll fd joins GLib's fds, then epoll_wait() names the
 * ready ones. */
static gint
poller_poll_epoll(MvRpcPoller *p, GPollFD *ufds, guint nfds, gint timeout)
{
    struct epoll_event evs[POLLER_EPOLL_BATCH];
    gint ret;
    int n;

    poller_scratch_reserve(p, nfds + 1);
    memcpy(p->pfds, ufds, nfds * sizeof(struct pollfd));
    p->pfds[nfds].fd = p->epfd;
    p->pfds[nfds].events = POLLIN;
    p->pfds[nfds].revents = 0;
    ret = poll(p->pfds, nfds + 1, timeout);
    if (ret <= 0)
        return ret;
    for (guint i = 0; i < nfds; i++)
        ufds[i].revents = p->pfds[i].revents;
    if (!(p->pfds[nfds].revents & POLLIN))
        return ret;
    do {
        n = epoll_wait(p->epfd, evs, G_N_ELEMENTS(evs), 0);
    } while (n < 0 && errno == EINTR);
    g_mutex_lock(&p->lock);
    for (int i = 0; i < n; i++) {
        MvRpcPollerWatch *w = evs[i].data.ptr;

        if (!w->destroyed)
            poller_mark_ready_locked(p, w, evs[i].events & (w->events | G_IO_HUP | G_IO_ERR));
    }
    g_mutex_unlock(&p->lock);
    return ret;
}

static gint
poller_poll(GPollFD *ufds, guint nfds, gint timeout)
{
    MvRpcPoller *p = poller_current;
    gboolean epoll_mode;

    poller_current = NULL;
    if (!p) {
        /* Our source was not prepared (a higher priority source is ready):
         * GLib's fds only, as GLib would. */
        return g_poll(ufds, nfds, timeout);
    }
    g_mutex_lock(&p->lock);
    epoll_mode = poller_use_epoll_locked(p);
    g_mutex_unlock(&p->lock);
    if (epoll_mode)
        return poller_poll_epoll(p, ufds, nfds, timeout);
    return poller_poll_direct(p, ufds, nfds, timeout);
}

/* Wake the context unless the caller is iterating it (then the next
 * prepare() sees what changed). */
static void
poller_kick(MvRpcPoller *p)
{
    if (!g_main_context_is_owner(p->ctx))
        g_main_context_wakeup(p->ctx);
}

MvRpcPollerWatch *
mv_rpc_poller_watch_new(GMainContext *ctx, int fd, GIOCondition events, MvRpcPollerFunc func,
                        gpointer opaque, GDestroyNotify destroy)
{
    MvRpcPoller *p = poller_get(ctx);
    MvRpcPollerWatch *w = g_new0(MvRpcPollerWatch, 1);

    w->ref = 1;
    w->poller = p;
    w->fd = fd;
    w->events = events;
    w->func = func;
    w->opaque = opaque;
    w->destroy = destroy;
    g_source_ref(&p->base);
    g_mutex_lock(&p->lock);
    if (p->epoll_mode)
        poller_epoll_add_locked(p, w);
    w->index = p->watches->len;
    g_ptr_array_add(p->watches, w);
    g_mutex_unlock(&p->lock);
    poller_kick(p);
    return w;
}

void
mv_rpc_poller_watch_set_events(MvRpcPollerWatch *w, GIOCondition events)
{
    MvRpcPoller *p = w->poller;
    struct epoll_event ev = { 0 };
    gboolean direct;

    g_mutex_lock(&p->lock);
    if (w->destroyed || w->events == events) {
        g_mutex_unlock(&p->lock);
        return;
    }
    w->events = events;
    if (w->in_epoll) {
        ev.events = events;
        ev.data.ptr = w;
        if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
            g_debug("cannot change the events of fd %d: %s", w->fd, g_strerror(errno));
    }
    direct = !p->epoll_mode;
    g_mutex_unlock(&p->lock);
    /* A poll() in progress has the old events in its array; an epoll set
     * reports the change by itself. */
    if (direct)
        poller_kick(p);
}

void
mv_rpc_poller_watch_wake(MvRpcPollerWatch *w)
{
    MvRpcPoller *p = w->poller;

    g_mutex_lock(&p->lock);
    if (w->destroyed || w->queued) {
        g_mutex_unlock(&p->lock);
        return;
    }
    poller_mark_ready_locked(p, w, 0);
    g_mutex_unlock(&p->lock);
    poller_kick(p);
}

void
mv_rpc_poller_watch_destroy(MvRpcPollerWatch *w)
{
    MvRpcPoller *p;
    MvRpcPollerWatch *last;

    if (!w)
        return;
    p = w->poller;
    g_mutex_lock(&p->lock);
    if (!w->destroyed) {
        w->destroyed = TRUE;
        if (w->queued) {
            g_queue_unlink(&p->ready, &w->link);
            w->queued = FALSE;
        }
        /* Swap-remove; the last one takes our slot. */
        last = g_ptr_array_index(p->watches, p->watches->len - 1);
        last->index = w->index;
        g_ptr_array_remove_index_fast(p->watches, w->index);
        if (w->in_epoll && epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL) < 0)
            g_debug("cannot stop watching fd %d: %s", w->fd, g_strerror(errno));
    }
    g_mutex_unlock(&p->lock);
    poller_watch_unref(w);
}

guint
mv_rpc_poller_count(GMainContext *ctx)
{
    MvRpcPoller *p;
    guint n = 0;

    g_mutex_lock(&pollers_lock);
    p = pollers ? g_hash_table_lookup(pollers, ctx) : NULL;
    if (p) {
        g_mutex_lock(&p->lock);
        n = p->watches->len;
        g_mutex_unlock(&p->lock);
    }
    g_mutex_unlock(&pollers_lock);
    return n;
}
