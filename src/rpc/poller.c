/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poller.c: the sockets of a GMainContext behind one source (see poller.h).
 *
 * Every watch the epoll set accepts stays in it from its creation to its
 * destruction (for the rare refusal, see below), so a wake-up costs the
 * same however many sockets are idle, and nothing is registered or
 * unregistered per iteration.  When the only fd GLib itself has to poll is
 * the context's wake-up fd (in the proxy, mvstoraged and mvnetworkd, and in
 * mvqemud while no domain runs: a domain's monitor, pidfd and console are
 * GLib fd sources), that fd joins the epoll set too and the iteration's one
 * syscall is epoll_wait().  Otherwise GLib's fds (but for the wake-up fd,
 * once in the set) and the epoll fd go to poll(), and epoll_wait() follows
 * when the epoll fd is ready.  The context's poll function finds its poller
 * through a thread-local pointer set by the source's prepare(), which GLib
 * calls on the iterating thread right before it polls.
 *
 * Locking: the poller's mutex guards the watch list, the ready queue, the
 * graveyard and each watch's events; callbacks run without it.  A watch
 * leaves the epoll set when destroyed, but a pointer to it may already be
 * in the results epoll_wait() gave the iterating thread: a watch destroyed
 * by another thread while that one polls keeps its last reference until
 * the results are handled.
 *
 * An fd the epoll set refuses (already in it through another watch, or of
 * a kind epoll does not take, or the kernel out of memory or of
 * max_user_watches) is polled by GLib instead, as an fd of the poller's
 * source: the iteration takes the poll() path, and check() (or dispatch(),
 * when prepare() found watches ready and GLib skips check()) queues it.
 * That path is for the rare refusal: each query searches the source's fds.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/poller.h"

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
    gpointer glib_tag;           /* or else polled by GLib: its tag */
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
    GPtrArray *watches;          /* MvRpcPollerWatch, unordered */
    GPtrArray *glib_polled;      /* those of them GLib polls */
    int refused_errno;           /* of the last refusal, warned about */
    GQueue ready;                /* watches to dispatch */
    /* The iterating thread is in the poll function and may hold pointers
     * to watches from the kernel: watches destroyed meanwhile by another
     * thread wait in @graveyard for their last unref until it is done. */
    gboolean polling;
    GSList *graveyard;
    /* Iterating thread only: */
    int wake_fd;                 /* the context's wake-up fd, in epfd; -1 not
                                  * known yet, -2 epfd refused it */
    struct pollfd *pfds;         /* scratch for poll() */
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
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, w->fd, &ev) == 0) {
        w->in_epoll = TRUE;
        return;
    }
    /* Once per cause: out of max_user_watches, every new client says it. */
    if (errno != p->refused_errno)
        g_warning("fd %d cannot be in the epoll set (%s): polling it with poll()", w->fd,
                  g_strerror(errno));
    else
        g_debug("fd %d cannot be in the epoll set (%s): polling it with poll()", w->fd,
                g_strerror(errno));
    p->refused_errno = errno;
    /* NB: takes the context's lock, which is never held around ours. */
    w->glib_tag = g_source_add_unix_fd(&p->base, w->fd, w->events);
    if (w->glib_tag)
        g_ptr_array_add(p->glib_polled, w);
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

/* Queue the watches GLib polled that poll() found ready.  Must hold the
 * lock. */
static void
poller_take_glib_polled_locked(MvRpcPoller *p)
{
    for (guint i = 0; i < p->glib_polled->len; i++) {
        MvRpcPollerWatch *w = g_ptr_array_index(p->glib_polled, i);
        GIOCondition revents = g_source_query_unix_fd(&p->base, w->glib_tag);

        /* An fd closed under its watch: tell the owner, or poll() would
         * return at once for ever, reporting nothing. */
        if (revents & G_IO_NVAL)
            revents |= G_IO_ERR | G_IO_HUP;
        /* poll() reports a hang-up or an error whatever was asked. */
        revents &= w->events | G_IO_HUP | G_IO_ERR;
        if (revents)
            poller_mark_ready_locked(p, w, revents);
    }
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
    poller_take_glib_polled_locked(p);
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
    /* Not checked if prepare() found watches ready. */
    poller_take_glib_polled_locked(p);
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
    g_ptr_array_unref(p->glib_polled);
    close(p->epfd);
    g_free(p->pfds);
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
    p->wake_fd = -1;
    p->watches = g_ptr_array_new();
    p->glib_polled = g_ptr_array_new();
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
}

/* Queue the watches among @evs for dispatch; an event of the context's
 * wake-up fd (data.ptr is the poller) goes to @wake instead, if given.
 * Must hold the lock. */
static void
poller_take_events_locked(MvRpcPoller *p, const struct epoll_event *evs, int n,
                          GPollFD *wake)
{
    for (int i = 0; i < n; i++) {
        MvRpcPollerWatch *w = evs[i].data.ptr;

        if ((gpointer)w == (gpointer)p) {
            if (wake)
                wake->revents = evs[i].events & (G_IO_IN | G_IO_HUP | G_IO_ERR);
            continue;
        }
        /* A watch destroyed since left the epoll set under the lock: its
         * events here are from before. */
        if (!w->destroyed)
            poller_mark_ready_locked(p, w, evs[i].events & (w->events | G_IO_HUP | G_IO_ERR));
    }
}

/* GLib's only fd is its wake-up fd: one epoll_wait() for everything. */
static gint
poller_poll_epoll_only(MvRpcPoller *p, GPollFD *wake, gint timeout)
{
    struct epoll_event evs[POLLER_EPOLL_BATCH];
    int n;

    wake->revents = 0;
    n = epoll_wait(p->epfd, evs, G_N_ELEMENTS(evs), timeout);
    if (n > 0) {
        g_mutex_lock(&p->lock);
        poller_take_events_locked(p, evs, n, wake);
        g_mutex_unlock(&p->lock);
    }
    return n;
}

/* GLib has fds of its own to poll: they and the epoll fd go to poll(),
 * then epoll_wait() names the ready watches.  GLib's wake-up fd, once in
 * the epoll set, is reported through it and left out of poll(): it would
 * make both ready, and cost an epoll_wait() that finds nothing else. */
static gint
poller_poll_mixed(MvRpcPoller *p, GPollFD *ufds, guint nfds, gint timeout)
{
    struct epoll_event evs[POLLER_EPOLL_BATCH];
    GPollFD *wake = NULL;
    gint ret;
    int n;

    poller_scratch_reserve(p, nfds + 1);
    memcpy(p->pfds, ufds, nfds * sizeof(struct pollfd));
    for (guint i = 0; i < nfds && p->wake_fd >= 0; i++) {
        if (ufds[i].fd == p->wake_fd && ufds[i].events == G_IO_IN) {
            wake = &ufds[i];
            p->pfds[i].fd = -1;          /* poll() skips it */
            break;
        }
    }
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
    poller_take_events_locked(p, evs, n, wake);
    g_mutex_unlock(&p->lock);
    return ret;
}

/* Is @pfd the context's wake-up fd, which then may be (or now is) in the
 * epoll set?  GLib always polls its wake-up fd, and it stays open as long
 * as the context; so when GLib asks for one fd only, that is the one. */
static gboolean
poller_is_wake_fd(MvRpcPoller *p, const GPollFD *pfd)
{
    struct epoll_event ev = { 0 };

    if (pfd->events != G_IO_IN)
        return FALSE;
    if (p->wake_fd != -1)
        return pfd->fd == p->wake_fd;
    ev.events = EPOLLIN;
    ev.data.ptr = p;
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, pfd->fd, &ev) < 0) {
        /* Not tried again every iteration: poll() it is, as GLib would. */
        g_debug("the wake-up fd %d cannot be in the epoll set: %s", pfd->fd,
                g_strerror(errno));
        p->wake_fd = -2;
        return FALSE;
    }
    p->wake_fd = pfd->fd;
    return TRUE;
}

static gint
poller_poll(GPollFD *ufds, guint nfds, gint timeout)
{
    MvRpcPoller *p = poller_current;
    GSList *dead;
    gint ret;
    int saved;

    poller_current = NULL;
    if (!p) {
        /* Our source was not prepared (a higher priority source is ready):
         * GLib's fds only, as GLib would. */
        return g_poll(ufds, nfds, timeout);
    }
    g_mutex_lock(&p->lock);
    p->polling = TRUE;
    g_mutex_unlock(&p->lock);
    if (nfds == 1 && poller_is_wake_fd(p, &ufds[0]))
        ret = poller_poll_epoll_only(p, &ufds[0], timeout);
    else
        ret = poller_poll_mixed(p, ufds, nfds, timeout);
    saved = errno;
    g_mutex_lock(&p->lock);
    p->polling = FALSE;
    dead = g_steal_pointer(&p->graveyard);
    g_mutex_unlock(&p->lock);
    g_slist_free_full(dead, (GDestroyNotify)poller_watch_unref);
    errno = saved;
    return ret;
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
    poller_epoll_add_locked(p, w);
    w->index = p->watches->len;
    g_ptr_array_add(p->watches, w);
    /* A poll in progress sees the new member of the epoll set by itself. */
    g_mutex_unlock(&p->lock);
    return w;
}

void
mv_rpc_poller_watch_set_events(MvRpcPollerWatch *w, GIOCondition events)
{
    MvRpcPoller *p = w->poller;
    struct epoll_event ev = { 0 };

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
    } else if (w->glib_tag) {
        /* Not g_source_modify_unix_fd(), which changes the events without
         * the context's lock: these take it, and wake the context. */
        g_source_remove_unix_fd(&p->base, w->glib_tag);
        w->glib_tag = g_source_add_unix_fd(&p->base, w->fd, events);
        if (!w->glib_tag)
            g_ptr_array_remove_fast(p->glib_polled, w);
    }
    /* An epoll_wait() or a poll() of the epoll fd in progress sees a
     * change in the epoll set by itself: no wake-up. */
    g_mutex_unlock(&p->lock);
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
        if (w->glib_tag) {
            g_source_remove_unix_fd(&p->base, g_steal_pointer(&w->glib_tag));
            g_ptr_array_remove_fast(p->glib_polled, w);
        }
        if (p->polling) {
            /* The iterating thread may have this watch's pointer from the
             * kernel in hand: it drops the reference when it is done. */
            p->graveyard = g_slist_prepend(p->graveyard, w);
            w = NULL;
        }
    }
    g_mutex_unlock(&p->lock);
    if (w)
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
