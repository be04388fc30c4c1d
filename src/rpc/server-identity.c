/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server-identity.c: who a client is, looked up when first asked.
 *
 * The socket tells uid, gid and pid at accept.  The process start time and
 * the user and group names cost file reads (/proc, NSS), and most
 * connections never need them: a daemon behind the proxy is told them with
 * CONNECT_SET_IDENTITY, and only the proxy's forwarding and virt-admin's
 * client-info ask.  So they are read on first use (libvirt too creates a
 * client's identity when first asked), and the names are kept for a few
 * seconds, as every connection of one user would look up the same ones.
 */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "rpc/server-priv.h"
#include "util/hostinfo.h"

/* How long a looked-up name is trusted: a renamed user or group shows
 * under its new name at most this late. */
#define IDENTITY_NAME_TTL (5 * G_USEC_PER_SEC)

typedef struct {
    char *name;                   /* NULL: no such id */
    gint64 expires;               /* monotonic µs */
} NameEntry;

static GMutex names_lock;
static GHashTable *user_names;    /* uid -> NameEntry */
static GHashTable *group_names;   /* gid -> NameEntry */

static void
name_entry_free(gpointer p)
{
    NameEntry *e = p;

    g_free(e->name);
    g_free(e);
}

static char *
identity_lookup(guint id, gboolean group)
{
    char buf[4096];

    if (group) {
        struct group gr, *grp = NULL;

        if (getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grp) == 0 && grp)
            return g_strdup(gr.gr_name);
    } else {
        struct passwd pw, *pwp = NULL;

        if (getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
            return g_strdup(pw.pw_name);
    }
    return NULL;
}

/* The name of user or group @id (a copy), from the cache or NSS. */
static char *
identity_name(guint id, gboolean group)
{
    GHashTable **cache = group ? &group_names : &user_names;
    gint64 now = g_get_monotonic_time();
    NameEntry *e;
    char *name;

    g_mutex_lock(&names_lock);
    if (!*cache)
        *cache = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, name_entry_free);
    e = g_hash_table_lookup(*cache, GUINT_TO_POINTER(id));
    if (e && e->expires > now) {
        name = g_strdup(e->name);
        g_mutex_unlock(&names_lock);
        return name;
    }
    g_mutex_unlock(&names_lock);

    /* NSS may be slow (a directory service): not under the lock. */
    name = identity_lookup(id, group);
    e = g_new0(NameEntry, 1);
    e->name = g_strdup(name);
    e->expires = now + IDENTITY_NAME_TTL;
    g_mutex_lock(&names_lock);
    g_hash_table_replace(*cache, GUINT_TO_POINTER(id), e);
    g_mutex_unlock(&names_lock);
    return name;
}

/* Field 22 of /proc/PID/stat, the start time in clock ticks; 0 if unknown. */
static guint64
identity_process_time(pid_t pid)
{
    g_auto(GStrv) fields = mv_proc_stat_fields(pid, 0);

    return fields ? g_ascii_strtoull(fields[19], NULL, 10) : 0;
}

void
mv_server_identity_complete(MvIdentity *ident)
{
    ident->process_time = identity_process_time(ident->pid);
    g_free(ident->user_name);
    ident->user_name = identity_name(ident->uid, FALSE);
    g_free(ident->group_name);
    ident->group_name = identity_name(ident->gid, TRUE);
}

void
mv_identity_clear(MvIdentity *ident)
{
    g_clear_pointer(&ident->user_name, g_free);
    g_clear_pointer(&ident->group_name, g_free);
}

void
mv_server_identity_copy(MvIdentity *dst, const MvIdentity *src)
{
    *dst = *src;
    dst->user_name = g_strdup(src->user_name);
    dst->group_name = g_strdup(src->group_name);
}
