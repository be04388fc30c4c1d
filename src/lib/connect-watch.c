/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connect-watch.c: how callbacks on the RPC I/O thread (the connection's
 * close function, event messages) reach an MvConnect safely.
 *
 * The RPC client calls them without any lock of ours, possibly while the
 * application drops its last reference.  They get the connection through
 * its watch instead: mv_connect_close() clears the watch, under its lock,
 * before freeing anything, so a callback holding the lock sees a live
 * connection or none.  A callback that keeps the connection beyond that
 * (a queued event) takes a reference with mv_lib_connect_try_ref(), which
 * fails once the last one is gone.
 */
#include <config.h>

#include "lib/lib-priv.h"

struct _MvConnectWatch {
    gint ref;
    GMutex lock;
    MvConnect *conn;
};

MvConnectWatch *
mv_lib_watch_new(MvConnect *conn)
{
    MvConnectWatch *watch = g_new0(MvConnectWatch, 1);

    watch->ref = 1;
    g_mutex_init(&watch->lock);
    watch->conn = conn;
    return watch;
}

MvConnectWatch *
mv_lib_watch_ref(MvConnectWatch *watch)
{
    g_atomic_int_inc(&watch->ref);
    return watch;
}

void
mv_lib_watch_unref(gpointer data)
{
    MvConnectWatch *watch = data;

    if (!watch || !g_atomic_int_dec_and_test(&watch->ref))
        return;
    g_mutex_clear(&watch->lock);
    g_free(watch);
}

MvConnect *
mv_lib_watch_lock(MvConnectWatch *watch)
{
    if (!watch)
        return NULL;
    g_mutex_lock(&watch->lock);
    return watch->conn;
}

void
mv_lib_watch_unlock(MvConnectWatch *watch)
{
    if (watch)
        g_mutex_unlock(&watch->lock);
}

void
mv_lib_watch_clear(MvConnectWatch *watch)
{
    g_mutex_lock(&watch->lock);
    watch->conn = NULL;
    g_mutex_unlock(&watch->lock);
}

gboolean
mv_lib_connect_try_ref(MvConnect *conn)
{
    for (;;) {
        gint ref = g_atomic_int_get(&conn->ref);

        if (ref <= 0)
            return FALSE;
        if (g_atomic_int_compare_and_exchange(&conn->ref, ref, ref + 1))
            return TRUE;
    }
}
