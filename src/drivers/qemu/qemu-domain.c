/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <glib.h>

#include "drivers/qemu/qemu-domain.h"
#include "util/error.h"

MV_ENUM_IMPL(qemu_state, QEMU_STATE_LAST,
             "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
             "pmsuspended");

static const char *const running_reasons[] = {
    "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
    "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy",
    "post-copy failed",
};
static const char *const paused_reasons[] = {
    "unknown", "user", "migration", "saving", "dumping", "I/O error", "watchdog",
    "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up",
    "post-copy", "post-copy failed", "api error",
};
static const char *const shutdown_reasons[] = { "unknown", "user" };
static const char *const shutoff_reasons[] = {
    "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
    "from snapshot", "daemon",
};
static const char *const crashed_reasons[] = { "unknown", "panicked" };

static const char *const *
state_reasons(int state, guint *ret_n)
{
    switch ((QemuState)state) {
    case QEMU_STATE_RUNNING:
        *ret_n = G_N_ELEMENTS(running_reasons);
        return running_reasons;
    case QEMU_STATE_PAUSED:
        *ret_n = G_N_ELEMENTS(paused_reasons);
        return paused_reasons;
    case QEMU_STATE_SHUTDOWN:
        *ret_n = G_N_ELEMENTS(shutdown_reasons);
        return shutdown_reasons;
    case QEMU_STATE_SHUTOFF:
        *ret_n = G_N_ELEMENTS(shutoff_reasons);
        return shutoff_reasons;
    case QEMU_STATE_CRASHED:
        *ret_n = G_N_ELEMENTS(crashed_reasons);
        return crashed_reasons;
    case QEMU_STATE_NOSTATE:
    case QEMU_STATE_BLOCKED:
    case QEMU_STATE_PMSUSPENDED:
    case QEMU_STATE_LAST:
    default:
        *ret_n = 0;
        return NULL;
    }
}

const char *
qemu_state_reason_to_string(int state, int reason)
{
    guint n;
    const char *const *r = state_reasons(state, &n);

    if (!r || reason < 0 || (guint)reason >= n)
        return "unknown";
    return r[reason];
}

int
qemu_state_reason_from_string(int state, const char *reason)
{
    guint n;
    const char *const *r = state_reasons(state, &n);

    for (guint i = 0; r && reason && i < n; i++) {
        if (g_str_equal(r[i], reason))
            return i;
    }
    return 0;
}

/* ---- objects ---------------------------------------------------------------- */

static guint default_job_timeout_ms = 30000;

void
qemu_domain_set_default_job_timeout(guint ms)
{
    default_job_timeout_ms = ms;
}

QemuDomainObj *
qemu_domain_obj_ref(QemuDomainObj *obj)
{
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void
qemu_domain_obj_unref(QemuDomainObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->ref))
        return;
    domain_def_free(obj->def);
    domain_def_free(obj->new_def);
    g_free(obj->name);
    g_mutex_clear(&obj->lock);
    g_mutex_clear(&obj->status_lock);
    g_cond_clear(&obj->job_cond);
    g_free(obj);
}

gboolean
qemu_domain_obj_is_active(QemuDomainObj *obj)
{
    return obj->def->id >= 0;
}

DomainDef *
qemu_domain_obj_persistent_def(QemuDomainObj *obj)
{
    return obj->new_def ? obj->new_def : obj->def;
}

void
qemu_domain_obj_set_state(QemuDomainObj *obj, int state, int reason)
{
    obj->state = state;
    obj->reason = reason;
}

gboolean
qemu_domain_obj_begin_job(QemuDomainObj *obj, const char *what, guint timeout_ms,
                          GError **error)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)(timeout_ms ? timeout_ms : default_job_timeout_ms) * 1000;

    g_mutex_lock(&obj->lock);
    while (obj->job) {
        if (!g_cond_wait_until(&obj->job_cond, &obj->lock, deadline) && obj->job) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                         "cannot acquire state change lock of domain '%s' for %s "
                         "(held by %s for %.1f s)", obj->name, what, obj->job,
                         (g_get_monotonic_time() - obj->job_since) / 1e6);
            g_mutex_unlock(&obj->lock);
            return FALSE;
        }
    }
    if (obj->removed) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                     "no domain with matching name '%s'", obj->name);
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    obj->job = what;
    obj->job_since = g_get_monotonic_time();
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

void
qemu_domain_obj_end_job(QemuDomainObj *obj)
{
    g_mutex_lock(&obj->lock);
    obj->job = NULL;
    g_cond_signal(&obj->job_cond);
    g_mutex_unlock(&obj->lock);
}

/* ---- the list ----------------------------------------------------------------- */

struct _QemuDomainList {
    GRWLock lock;
    GHashTable *by_uuid;     /* uuid bytes (16) -> obj (strong) */
    GHashTable *by_name;     /* name -> obj (borrowed) */
    GHashTable *by_id;       /* id -> obj (borrowed) */
    int next_id;
    /* Every obj (borrowed) sorted by name, built when first needed after a
     * change: listing 10,000 domains then sorts nothing.  Writers (holding
     * the lock exclusively) drop it; readers build it under order_lock. */
    GPtrArray *order;
    GMutex order_lock;
};

static guint
uuid_hash(gconstpointer p)
{
    guint h;

    memcpy(&h, p, sizeof(h));
    return h;
}

static gboolean
uuid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, MV_UUID_LEN) == 0;
}

QemuDomainList *
qemu_domain_list_new(void)
{
    QemuDomainList *list = g_new0(QemuDomainList, 1);

    g_rw_lock_init(&list->lock);
    g_mutex_init(&list->order_lock);
    list->by_uuid = g_hash_table_new_full(uuid_hash, uuid_equal, g_free,
                                          (GDestroyNotify)qemu_domain_obj_unref);
    list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    list->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    list->next_id = 1;
    return list;
}

void
qemu_domain_list_free(QemuDomainList *list)
{
    if (!list)
        return;
    g_clear_pointer(&list->order, g_ptr_array_unref);
    g_mutex_clear(&list->order_lock);
    g_hash_table_unref(list->by_id);
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_rw_lock_clear(&list->lock);
    g_free(list);
}

QemuDomainObj *
qemu_domain_list_add(QemuDomainList *list, DomainDef *def, gboolean persistent, GError **error)
{
    QemuDomainObj *obj;
    QemuDomainObj *other;

    g_rw_lock_writer_lock(&list->lock);
    if ((other = g_hash_table_lookup(list->by_uuid, def->uuid))) {
        char uuid[37];

        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", other->name,
                     mv_uuid_format(def->uuid, uuid));
        g_rw_lock_writer_unlock(&list->lock);
        domain_def_free(def);
        return NULL;
    }
    if ((other = g_hash_table_lookup(list->by_name, def->name))) {
        char uuid[37];

        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", def->name,
                     mv_uuid_format(other->uuid, uuid));
        g_rw_lock_writer_unlock(&list->lock);
        domain_def_free(def);
        return NULL;
    }
    obj = g_new0(QemuDomainObj, 1);
    obj->ref = 2; /* the list's, and the caller's */
    g_mutex_init(&obj->lock);
    g_mutex_init(&obj->status_lock);
    g_cond_init(&obj->job_cond);
    obj->def = def;
    obj->name = g_strdup(def->name);
    memcpy(obj->uuid, def->uuid, MV_UUID_LEN);
    obj->persistent = persistent;
    obj->state = QEMU_STATE_SHUTOFF;
    obj->reason = QEMU_SHUTOFF_UNKNOWN;
    g_clear_pointer(&list->order, g_ptr_array_unref);
    g_hash_table_insert(list->by_uuid, g_memdup2(def->uuid, MV_UUID_LEN), obj);
    g_hash_table_insert(list->by_name, g_strdup(def->name), obj);
    if (def->id >= 0) {
        g_hash_table_insert(list->by_id, GINT_TO_POINTER(def->id), obj);
        if (def->id >= list->next_id)
            list->next_id = def->id + 1;
    }
    g_rw_lock_writer_unlock(&list->lock);
    return obj;
}

void
qemu_domain_list_remove(QemuDomainList *list, QemuDomainObj *obj)
{
    g_rw_lock_writer_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    obj->removed = TRUE;
    if (obj->def->id >= 0 &&
        g_hash_table_lookup(list->by_id, GINT_TO_POINTER(obj->def->id)) == obj)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->def->id));
    if (g_hash_table_lookup(list->by_name, obj->name) == obj)
        g_hash_table_remove(list->by_name, obj->name);
    g_cond_broadcast(&obj->job_cond);
    g_mutex_unlock(&obj->lock);
    g_clear_pointer(&list->order, g_ptr_array_unref);
    /* The list's reference: only if it is still this object's entry (a
     * second removal must not drop another object's). */
    if (g_hash_table_lookup(list->by_uuid, obj->uuid) == obj)
        g_hash_table_remove(list->by_uuid, obj->uuid);
    g_rw_lock_writer_unlock(&list->lock);
}

static QemuDomainObj *
list_ref_or_error(QemuDomainObj *obj, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static QemuDomainObj *
list_ref_or_error(QemuDomainObj *obj, GError **error, const char *fmt, ...)
{
    va_list ap;

    if (obj)
        return qemu_domain_obj_ref(obj);
    if (error) {
        va_start(ap, fmt);
        *error = g_error_new_valist(mv_error_quark(MV_FROM_QEMU), MV_ERR_NO_DOMAIN, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

QemuDomainObj *
qemu_domain_list_find_by_uuid(QemuDomainList *list, const unsigned char *uuid, GError **error)
{
    QemuDomainObj *obj;
    char str[37];

    g_rw_lock_reader_lock(&list->lock);
    obj = list_ref_or_error(g_hash_table_lookup(list->by_uuid, uuid), error,
                            "no domain with matching uuid '%s'", mv_uuid_format(uuid, str));
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

QemuDomainObj *
qemu_domain_list_find_by_name(QemuDomainList *list, const char *name, GError **error)
{
    QemuDomainObj *obj;

    g_rw_lock_reader_lock(&list->lock);
    obj = list_ref_or_error(g_hash_table_lookup(list->by_name, name), error,
                            "no domain with matching name '%s'", name);
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

QemuDomainObj *
qemu_domain_list_find_by_id(QemuDomainList *list, int id, GError **error)
{
    QemuDomainObj *obj;

    g_rw_lock_reader_lock(&list->lock);
    obj = list_ref_or_error(id >= 0 ? g_hash_table_lookup(list->by_id, GINT_TO_POINTER(id)) : NULL,
                            error, "no domain with matching id %d", id);
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

static gint
list_cmp_name(gconstpointer a, gconstpointer b)
{
    const QemuDomainObj *x = *(QemuDomainObj *const *)a;
    const QemuDomainObj *y = *(QemuDomainObj *const *)b;

    return g_strcmp0(x->name, y->name);
}

/* The objs sorted by name.  Caller holds the lock as a reader: the array
 * stays valid until it lets go. */
static GPtrArray *
list_order(QemuDomainList *list)
{
    GPtrArray *order;

    g_mutex_lock(&list->order_lock);
    if (!list->order) {
        GHashTableIter iter;
        gpointer value;

        order = g_ptr_array_sized_new(g_hash_table_size(list->by_uuid));
        g_hash_table_iter_init(&iter, list->by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            g_ptr_array_add(order, value);
        g_ptr_array_sort(order, list_cmp_name);
        list->order = order;
    }
    order = list->order;
    g_mutex_unlock(&list->order_lock);
    return order;
}

GPtrArray *
qemu_domain_list_all(QemuDomainList *list)
{
    GPtrArray *all;
    GPtrArray *order;

    g_rw_lock_reader_lock(&list->lock);
    order = list_order(list);
    all = g_ptr_array_new_full(order->len, (GDestroyNotify)qemu_domain_obj_unref);
    for (guint i = 0; i < order->len; i++)
        g_ptr_array_add(all, qemu_domain_obj_ref(g_ptr_array_index(order, i)));
    g_rw_lock_reader_unlock(&list->lock);
    return all;
}

void
qemu_domain_list_foreach(QemuDomainList *list, QemuDomainListFunc func, gpointer opaque)
{
    GPtrArray *order;

    g_rw_lock_reader_lock(&list->lock);
    order = list_order(list);
    for (guint i = 0; i < order->len; i++) {
        /* The objects, their definitions and names are scattered in
         * memory: with thousands of domains, waiting for each in turn
         * is most of the time.  Fetch ahead, in two steps.  next->def is
         * read without the object's lock: only as a hint (a prefetch of
         * a stale pointer does nothing). */
        if (i + 16 < order->len)
            __builtin_prefetch(g_ptr_array_index(order, i + 16));
        if (i + 8 < order->len) {
            QemuDomainObj *next = g_ptr_array_index(order, i + 8);

            __builtin_prefetch(next->def);
            __builtin_prefetch(next->name);
        }
        func(g_ptr_array_index(order, i), order->len, opaque);
    }
    g_rw_lock_reader_unlock(&list->lock);
}

guint
qemu_domain_list_count(QemuDomainList *list)
{
    guint n;

    g_rw_lock_reader_lock(&list->lock);
    n = g_hash_table_size(list->by_uuid);
    g_rw_lock_reader_unlock(&list->lock);
    return n;
}

int
qemu_domain_list_next_id(QemuDomainList *list)
{
    int id;

    g_rw_lock_writer_lock(&list->lock);
    id = list->next_id++;
    g_rw_lock_writer_unlock(&list->lock);
    return id;
}

void
qemu_domain_list_bump_id(QemuDomainList *list, int id)
{
    g_rw_lock_writer_lock(&list->lock);
    if (id >= list->next_id)
        list->next_id = id + 1;
    g_rw_lock_writer_unlock(&list->lock);
}

void
qemu_domain_list_update_id(QemuDomainList *list, QemuDomainObj *obj, int old_id)
{
    int id;

    g_rw_lock_writer_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    id = obj->def->id;
    g_mutex_unlock(&obj->lock);
    if (old_id >= 0 && g_hash_table_lookup(list->by_id, GINT_TO_POINTER(old_id)) == obj)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(old_id));
    if (id >= 0) {
        g_hash_table_insert(list->by_id, GINT_TO_POINTER(id), obj);
        if (id >= list->next_id)
            list->next_id = id + 1;
    }
    g_rw_lock_writer_unlock(&list->lock);
}
