/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>

#include "rpc/workerpool.h"
#include "util/error.h"

struct _MvWorkerPool {
    char *name;
    GMutex lock;
    GCond cond;        /* ordinary workers wait here */
    GCond prio_cond;   /* priority workers wait here */
    GCond quit_cond;
    GQueue jobs;
    GQueue prio_jobs;
    guint min_workers;
    guint max_workers;
    guint prio_target;
    guint nworkers;
    guint nfree;
    guint nprio;
    guint nprio_free;
    gboolean quit;
    MvWorkFunc func;
    gpointer opaque;
    GDestroyNotify drop_job;     /* set by mv_worker_pool_quit() */
};

typedef struct {
    MvWorkerPool *pool;
    gboolean priority;
} WorkerArg;

static gpointer
worker_main(gpointer data)
{
    WorkerArg *arg = data;
    MvWorkerPool *pool = arg->pool;
    gboolean priority = arg->priority;

    g_free(arg);
    g_mutex_lock(&pool->lock);
    for (;;) {
        gpointer job = NULL;

        if (priority) {
            while (!pool->quit && pool->nprio <= pool->prio_target && !pool->prio_jobs.length) {
                pool->nprio_free++;
                g_cond_wait(&pool->prio_cond, &pool->lock);
                pool->nprio_free--;
            }
            if (pool->quit || pool->nprio > pool->prio_target)
                break;
            job = g_queue_pop_head(&pool->prio_jobs);
        } else {
            while (!pool->quit && pool->nworkers <= pool->max_workers &&
                   !pool->jobs.length && !pool->prio_jobs.length) {
                pool->nfree++;
                g_cond_wait(&pool->cond, &pool->lock);
                pool->nfree--;
            }
            if (pool->quit || pool->nworkers > pool->max_workers)
                break;
            job = g_queue_pop_head(&pool->prio_jobs);
            if (!job)
                job = g_queue_pop_head(&pool->jobs);
        }
        if (!job)
            continue;
        g_mutex_unlock(&pool->lock);
        pool->func(job, pool->opaque);
        g_mutex_lock(&pool->lock);
    }
    if (priority)
        pool->nprio--;
    else
        pool->nworkers--;
    g_cond_broadcast(&pool->quit_cond);
    g_mutex_unlock(&pool->lock);
    return NULL;
}

/* Must hold the lock. */
static void
worker_spawn_locked(MvWorkerPool *pool, gboolean priority)
{
    WorkerArg *arg = g_new0(WorkerArg, 1);
    g_autoptr(GError) error = NULL;
    g_autofree char *tname = g_strdup_printf("%s-%s", pool->name, priority ? "prio" : "work");
    GThread *th;

    arg->pool = pool;
    arg->priority = priority;
    th = g_thread_try_new(tname, worker_main, arg, &error);
    if (!th) {
        g_warning("cannot start worker thread: %s", error->message);
        g_free(arg);
        return;
    }
    g_thread_unref(th);
    if (priority)
        pool->nprio++;
    else
        pool->nworkers++;
}

MvWorkerPool *
mv_worker_pool_new(const char *name, guint min_workers, guint max_workers, guint prio_workers,
                   MvWorkFunc func, gpointer opaque)
{
    MvWorkerPool *pool = g_new0(MvWorkerPool, 1);

    pool->name = g_strdup(name);
    g_mutex_init(&pool->lock);
    g_cond_init(&pool->cond);
    g_cond_init(&pool->prio_cond);
    g_cond_init(&pool->quit_cond);
    g_queue_init(&pool->jobs);
    g_queue_init(&pool->prio_jobs);
    pool->max_workers = MAX(1, max_workers);
    pool->min_workers = MIN(min_workers, pool->max_workers);
    pool->prio_target = prio_workers;
    pool->func = func;
    pool->opaque = opaque;
    g_mutex_lock(&pool->lock);
    while (pool->nworkers < pool->min_workers)
        worker_spawn_locked(pool, FALSE);
    while (pool->nprio < pool->prio_target)
        worker_spawn_locked(pool, TRUE);
    g_mutex_unlock(&pool->lock);
    return pool;
}

void
mv_worker_pool_free(MvWorkerPool *pool)
{
    if (!pool)
        return;
    g_mutex_lock(&pool->lock);
    pool->quit = TRUE;
    g_cond_broadcast(&pool->cond);
    g_cond_broadcast(&pool->prio_cond);
    while (pool->nworkers > 0 || pool->nprio > 0)
        g_cond_wait(&pool->quit_cond, &pool->lock);
    g_mutex_unlock(&pool->lock);
    g_queue_clear(&pool->jobs);
    g_queue_clear(&pool->prio_jobs);
    g_mutex_clear(&pool->lock);
    g_cond_clear(&pool->cond);
    g_cond_clear(&pool->prio_cond);
    g_cond_clear(&pool->quit_cond);
    g_free(pool->name);
    g_free(pool);
}

void
mv_worker_pool_quit(MvWorkerPool *pool, GDestroyNotify drop_job)
{
    gpointer job;

    g_mutex_lock(&pool->lock);
    pool->quit = TRUE;
    pool->drop_job = drop_job;
    g_cond_broadcast(&pool->cond);
    g_cond_broadcast(&pool->prio_cond);
    while ((job = g_queue_pop_head(&pool->prio_jobs)) || (job = g_queue_pop_head(&pool->jobs))) {
        if (drop_job) {
            g_mutex_unlock(&pool->lock);
            drop_job(job);
            g_mutex_lock(&pool->lock);
        }
    }
    g_mutex_unlock(&pool->lock);
}

guint
mv_worker_pool_live(MvWorkerPool *pool)
{
    guint n;

    g_mutex_lock(&pool->lock);
    n = pool->nworkers + pool->nprio;
    g_mutex_unlock(&pool->lock);
    return n;
}

void
mv_worker_pool_push(MvWorkerPool *pool, gpointer job, gboolean priority)
{
    g_mutex_lock(&pool->lock);
    if (pool->quit) {
        /* Shutting down: nobody would run it. */
        g_mutex_unlock(&pool->lock);
        if (pool->drop_job)
            pool->drop_job(job);
        return;
    }
    /* One thread woken per job: an idle ordinary worker takes either kind;
     * the priority workers are there for when none is idle.  A woken
     * worker counts as idle until it runs: each job queued and not yet
     * taken has claimed one, so an idle one is left for this job only if
     * there are at least as many as jobs queued. */
    if (priority)
        g_queue_push_tail(&pool->prio_jobs, job);
    else
        g_queue_push_tail(&pool->jobs, job);
    if (pool->nfree >= pool->jobs.length + pool->prio_jobs.length)
        g_cond_signal(&pool->cond);
    else if (priority && pool->nprio_free > 0)
        g_cond_signal(&pool->prio_cond);
    else if (pool->nworkers < pool->max_workers)
        worker_spawn_locked(pool, FALSE);
    g_mutex_unlock(&pool->lock);
}

void
mv_worker_pool_get_stats(MvWorkerPool *pool, MvWorkerPoolStats *stats)
{
    g_mutex_lock(&pool->lock);
    stats->min_workers = pool->min_workers;
    stats->max_workers = pool->max_workers;
    stats->prio_workers = pool->nprio;
    stats->free_workers = pool->nfree;
    stats->workers = pool->nworkers;
    stats->job_queue_depth = pool->jobs.length + pool->prio_jobs.length;
    g_mutex_unlock(&pool->lock);
}

gboolean
mv_worker_pool_set_limits(MvWorkerPool *pool, guint min_workers, guint max_workers,
                          guint prio_workers, GError **error)
{
    guint newmin, newmax;

    g_mutex_lock(&pool->lock);
    newmin = min_workers != G_MAXUINT ? min_workers : pool->min_workers;
    newmax = max_workers != G_MAXUINT ? max_workers : pool->max_workers;
    if (newmax == 0 || newmin > newmax) {
        g_mutex_unlock(&pool->lock);
        mv_error_set(error, MV_FROM_THREAD, MV_ERR_INVALID_ARG,
                     "minWorkers (%u) must not exceed maxWorkers (%u), which must be > 0",
                     newmin, newmax);
        return FALSE;
    }
    pool->min_workers = newmin;
    pool->max_workers = newmax;
    if (prio_workers != G_MAXUINT)
        pool->prio_target = prio_workers;
    while (pool->nworkers < pool->min_workers)
        worker_spawn_locked(pool, FALSE);
    while (pool->nprio < pool->prio_target)
        worker_spawn_locked(pool, TRUE);
    /* Surplus workers leave when they next wake up. */
    g_cond_broadcast(&pool->cond);
    g_cond_broadcast(&pool->prio_cond);
    g_mutex_unlock(&pool->lock);
    return TRUE;
}
