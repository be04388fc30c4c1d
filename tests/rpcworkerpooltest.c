/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcworkerpooltest.c: the worker pool of src/rpc/workerpool.c.
 *
 * Two high-priority jobs pushed back to back while one ordinary worker is
 * idle: the first goes to it, the second to a priority worker, not behind
 * the first (which here waits for the second to run).  NB: the old
 * fault (the second signal going to the ordinary worker already woken)
 * needs that worker not to have run between the pushes, which this
 * machine's scheduler rarely allows: this checks the outcome, it does not
 * force that interleaving.
 */
#include <glib.h>

#include "rpc/workerpool.h"

typedef struct {
    GMutex lock;
    GCond cond;
    gboolean second_ran;
    gboolean first_saw_second;
} Shared;

typedef struct {
    Shared *sh;
    gboolean first;
} Job;

static void
run_job(gpointer data, gpointer opaque)
{
    Job *job = data;
    Shared *sh = job->sh;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    g_mutex_lock(&sh->lock);
    if (job->first) {
        while (!sh->second_ran && g_cond_wait_until(&sh->cond, &sh->lock, end))
            ;
        sh->first_saw_second = sh->second_ran;
    } else {
        sh->second_ran = TRUE;
        g_cond_broadcast(&sh->cond);
    }
    g_mutex_unlock(&sh->lock);
}

static void
wait_idle(MvWorkerPool *pool, guint free_workers)
{
    MvWorkerPoolStats st;

    for (int i = 0; i < 500; i++) {
        mv_worker_pool_get_stats(pool, &st);
        if (st.free_workers == free_workers)
            return;
        g_usleep(2000);
    }
    g_assert_cmpuint(st.free_workers, ==, free_workers);
}

static void
test_priority_not_behind(void)
{
    Shared sh = { 0 };
    Job first = { &sh, TRUE };
    Job second = { &sh, FALSE };
    MvWorkerPool *pool = mv_worker_pool_new("test", 1, 1, 2, run_job, NULL);

    g_mutex_init(&sh.lock);
    g_cond_init(&sh.cond);
    wait_idle(pool, 1);
    mv_worker_pool_push(pool, &first, TRUE);
    mv_worker_pool_push(pool, &second, TRUE);
    /* The first job returns once the second ran, or after 5 s. */
    for (int i = 0; i < 3000; i++) {
        gboolean done;

        g_mutex_lock(&sh.lock);
        done = sh.second_ran;
        g_mutex_unlock(&sh.lock);
        if (done)
            break;
        g_usleep(2000);
    }
    mv_worker_pool_quit(pool, NULL);
    mv_worker_pool_free(pool);
    g_assert_true(sh.second_ran);
    g_assert_true(sh.first_saw_second);
    g_cond_clear(&sh.cond);
    g_mutex_clear(&sh.lock);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/workerpool/priority-not-behind", test_priority_not_behind);
    return g_test_run();
}
