/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workerpool.h: the threads that run RPC calls.
 *
 * Ordinary workers take any job, high priority ones first.  Priority workers
 * take only high priority jobs, so those never wait behind slow calls when
 * every ordinary worker is busy.
 */
#pragma once

#include <glib.h>

typedef struct _MvWorkerPool MvWorkerPool;
typedef void (*MvWorkFunc)(gpointer job, gpointer opaque);

MvWorkerPool *mv_worker_pool_new(const char *name, guint min_workers, guint max_workers,
                                 guint prio_workers, MvWorkFunc func, gpointer opaque);
void mv_worker_pool_free(MvWorkerPool *pool);
/*
 * Take no more jobs: those still queued are dropped (@drop_job on each,
 * may be NULL) and every worker exits once its current job ends.  Returns
 * at once; mv_worker_pool_live() tells when they are gone.
 */
void mv_worker_pool_quit(MvWorkerPool *pool, GDestroyNotify drop_job);
guint mv_worker_pool_live(MvWorkerPool *pool);
void mv_worker_pool_push(MvWorkerPool *pool, gpointer job, gboolean priority);

typedef struct {
    guint min_workers;
    guint max_workers;
    guint prio_workers;
    guint free_workers;
    guint workers;
    guint job_queue_depth;
} MvWorkerPoolStats;

void mv_worker_pool_get_stats(MvWorkerPool *pool, MvWorkerPoolStats *stats);
/* Pass G_MAXUINT to keep a value. */
gboolean mv_worker_pool_set_limits(MvWorkerPool *pool, guint min_workers, guint max_workers,
                                   guint prio_workers, GError **error);
