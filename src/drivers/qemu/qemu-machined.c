/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-machined.c: telling systemd-machined about running domains.
 *
 * A start asks for CreateMachine (machined puts QEMU in a scope of its
 * own), falling back to RegisterMachine when machined cannot create scopes
 * (no systemd as PID 1); a stop asks for TerminateMachine.  Both run on one
 * background thread, in order, each on a fresh bus connection and within
 * QEMU_MACHINED_TIMEOUT_MS in all: the connection, the authentication and
 * the calls are driven by hand, because sd_bus_call() would first wait
 * without a limit for a bus that accepts the connection but never
 * authenticates it.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "drivers/qemu/qemu-machined.h"
#include "util/uuid.h"

#define MACHINED_SERVICE "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"
#define MACHINED_NAME_MAX 64

typedef enum {
    MACHINED_REGISTER,
    MACHINED_TERMINATE,
    MACHINED_FLUSH,
} MachinedOp;

typedef struct {
    MachinedOp op;
    char *name;
    unsigned char uuid[MV_UUID_LEN];
    pid_t pid;
    /* MACHINED_FLUSH */
    GMutex *flush_lock;
    GCond *flush_cond;
    gboolean *flush_done;
} MachinedTask;

/* NB: one per process, as the bus connection would be: a daemon runs one
 * QEMU driver. */
static GMutex machined_lock;
static GThreadPool *machined_pool;
static GHashTable *machined_names;      /* uuid string -> registered name */
static gint machined_missing_logged;

static void
machined_task_free(MachinedTask *task)
{
    g_free(task->name);
    g_free(task);
}

char *
qemu_machined_name(int id, const char *name)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "qemu-%d-", id);
    /* machined takes host-name characters only. */
    for (const char *p = name; *p && s->len < MACHINED_NAME_MAX; p++) {
        if (g_ascii_isalnum(*p) || *p == '-')
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

/* ---- one bounded call ---------------------------------------------------------- */

typedef struct {
    gboolean done;
    char *error_name;
    char *error_message;
} MachinedReply;

static int
machined_reply_cb(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    MachinedReply *reply = userdata;

    reply->done = TRUE;
    if (sd_bus_message_is_method_error(m, NULL)) {
        const sd_bus_error *e = sd_bus_message_get_error(m);

        reply->error_name = g_strdup(e && e->name ? e->name : "unknown");
        reply->error_message = g_strdup(e && e->message ? e->message : "");
    }
    return 0;
}

/*
 * Send @m and wait for its answer until @deadline (monotonic µs).  Returns
 * 0 on success, -ETIMEDOUT, another -errno for a failed connection, or
 * -EREMOTEIO with @ret_error_name / @ret_error_message set for an error
 * reply.
 */
static int
machined_call(sd_bus *bus, sd_bus_message *m, gint64 deadline, char **ret_error_name,
              char **ret_error_message)
{
    MachinedReply reply = { 0 };
    sd_bus_slot *slot = NULL;
    int r;

    r = sd_bus_call_async(bus, &slot, m, machined_reply_cb, &reply, 0);
    if (r < 0)
        return r;
    while (!reply.done) {
        gint64 now = g_get_monotonic_time();

        if (now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        r = sd_bus_process(bus, NULL);
        if (r < 0)
            break;
        if (r > 0)
            continue;
        r = sd_bus_wait(bus, deadline - now);
        if (r < 0)
            break;
    }
    sd_bus_slot_unref(slot);
    if (!reply.done)
        return r < 0 ? r : -ETIMEDOUT;
    if (reply.error_name) {
        *ret_error_name = reply.error_name;
        *ret_error_message = reply.error_message;
        return -EREMOTEIO;
    }
    return 0;
}

static int
machined_new_call(sd_bus *bus, const char *method, sd_bus_message **ret)
{
    return sd_bus_message_new_method_call(bus, ret, MACHINED_SERVICE, MACHINED_PATH,
                                          MACHINED_MANAGER, method);
}

/* CreateMachine or RegisterMachine (@create FALSE) for @task. */
static int
machined_build_register(sd_bus *bus, const MachinedTask *task, gboolean create,
                        sd_bus_message **ret)
{
    sd_bus_message *m = NULL;
    int r;

    if ((r = machined_new_call(bus, create ? "CreateMachine" : "RegisterMachine", &m)) < 0)
        return r;
    if ((r = sd_bus_message_append(m, "s", task->name)) < 0 ||
        (r = sd_bus_message_append_array(m, 'y', task->uuid, MV_UUID_LEN)) < 0 ||
        (r = sd_bus_message_append(m, "ssus", "modvirt-qemu", "vm", (guint32)task->pid,
                                   "")) < 0)
        goto fail;
    if (create) {
        r = sd_bus_message_append(m, "a(sv)", 2, "Slice", "s", "machine.slice", "After", "as",
                                  1, "mvqemud.service");
        if (r < 0)
            goto fail;
    }
    *ret = m;
    return 0;

 fail:
    sd_bus_message_unref(m);
    return r;
}

static gboolean
machined_is_missing(const char *error_name)
{
    return g_str_equal(error_name, "org.freedesktop.DBus.Error.ServiceUnknown") ||
           g_str_equal(error_name, "org.freedesktop.DBus.Error.NameHasNoOwner");
}

/* What went wrong, at the level it deserves: an absent machined is usual
 * (no systemd here) and said once. */
static void
machined_log_failure(const MachinedTask *task, int r, const char *error_name,
                     const char *error_message)
{
    const char *what = task->op == MACHINED_REGISTER ? "register" : "terminate";

    if (r == -EREMOTEIO && !machined_is_missing(error_name)) {
        g_info("machine '%s': cannot %s with machined: %s: %s", task->name, what, error_name,
               error_message);
        return;
    }
    if (r == -ETIMEDOUT) {
        g_info("machine '%s': machined did not answer %s within %d ms", task->name, what,
               QEMU_MACHINED_TIMEOUT_MS);
        return;
    }
    if (g_atomic_int_compare_and_exchange(&machined_missing_logged, 0, 1))
        g_info("systemd-machined is not available (%s); domains are not registered with it",
               r == -EREMOTEIO ? error_name : g_strerror(-r));
    else
        g_debug("machine '%s': machined not available for %s", task->name, what);
}

static int
machined_do_register(sd_bus *bus, const MachinedTask *task, gint64 deadline,
                     char **ret_error_name, char **ret_error_message)
{
    sd_bus_message *m = NULL;
    int r;

    if ((r = machined_build_register(bus, task, TRUE, &m)) < 0)
        return r;
    r = machined_call(bus, m, deadline, ret_error_name, ret_error_message);
    sd_bus_message_unref(m);
    if (r != -EREMOTEIO || machined_is_missing(*ret_error_name))
        return r;
    /* machined runs but cannot create a scope (systemd is not PID 1):
     * register QEMU where it is. */
    g_debug("machine '%s': CreateMachine failed (%s), trying RegisterMachine", task->name,
            *ret_error_name);
    g_clear_pointer(ret_error_name, g_free);
    g_clear_pointer(ret_error_message, g_free);
    if ((r = machined_build_register(bus, task, FALSE, &m)) < 0)
        return r;
    r = machined_call(bus, m, deadline, ret_error_name, ret_error_message);
    sd_bus_message_unref(m);
    return r;
}

static int
machined_do_terminate(sd_bus *bus, const MachinedTask *task, gint64 deadline,
                      char **ret_error_name, char **ret_error_message)
{
    sd_bus_message *m = NULL;
    int r;

    if ((r = machined_new_call(bus, "TerminateMachine", &m)) < 0)
        return r;
    if ((r = sd_bus_message_append(m, "s", task->name)) >= 0)
        r = machined_call(bus, m, deadline, ret_error_name, ret_error_message);
    sd_bus_message_unref(m);
    return r;
}

static void
machined_run(const MachinedTask *task)
{
    gint64 deadline = g_get_monotonic_time() + QEMU_MACHINED_TIMEOUT_MS * 1000;
    g_autofree char *error_name = NULL;
    g_autofree char *error_message = NULL;
    sd_bus *bus = NULL;
    int r;

    /* Connecting to a unix socket does not block; the authentication is
     * driven by the wait loop of machined_call(). */
    r = sd_bus_open_system(&bus);
    if (r >= 0 && task->op == MACHINED_REGISTER)
        r = machined_do_register(bus, task, deadline, &error_name, &error_message);
    else if (r >= 0)
        r = machined_do_terminate(bus, task, deadline, &error_name, &error_message);
    if (r >= 0)
        g_debug("machine '%s': %s with machined", task->name,
                task->op == MACHINED_REGISTER ? "registered" : "terminated");
    else
        machined_log_failure(task, r, error_name, error_message);
    sd_bus_flush_close_unref(bus);
}

static void
machined_thread(gpointer data, gpointer user_data)
{
    MachinedTask *task = data;

    if (task->op == MACHINED_FLUSH) {
        g_mutex_lock(task->flush_lock);
        *task->flush_done = TRUE;
        g_cond_broadcast(task->flush_cond);
        g_mutex_unlock(task->flush_lock);
    } else {
        machined_run(task);
    }
    machined_task_free(task);
}

/* Queue @task.  A registration records the name to terminate the domain
 * (whose uuid is @uuid) under, and is dropped if that name is registered
 * already; a termination of a name never registered is dropped too when
 * @task has no name. */
static void
machined_queue(MachinedTask *task, const char *uuid)
{
    const char *known;

    g_mutex_lock(&machined_lock);
    if (!machined_pool) {
        /* One thread: calls stay in order (a stop never overtakes its start). */
        machined_pool = g_thread_pool_new(machined_thread, NULL, 1, FALSE, NULL);
        machined_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    if (task->op == MACHINED_REGISTER) {
        known = g_hash_table_lookup(machined_names, uuid);
        if (known && g_str_equal(known, task->name)) {
            g_mutex_unlock(&machined_lock);
            machined_task_free(task);
            return;
        }
        g_hash_table_replace(machined_names, g_strdup(uuid), g_strdup(task->name));
    } else if (task->op == MACHINED_TERMINATE && !task->name) {
        g_mutex_unlock(&machined_lock);
        machined_task_free(task);
        return;
    }
    g_thread_pool_push(machined_pool, task, NULL);
    g_mutex_unlock(&machined_lock);
}

/* ---- API ---------------------------------------------------------------------- */

/* As with libvirt, only the system daemon registers machines: a user's
 * session daemon has no place in the host's machine list. */
static gboolean
machined_wanted(QemuDriver *drv)
{
    return drv->privileged;
}

void
qemu_machined_register(QemuDriver *drv, QemuDomainObj *obj)
{
    MachinedTask *task;
    char uuid[37];
    int id;

    if (!machined_wanted(drv))
        return;
    task = g_new0(MachinedTask, 1);

    g_mutex_lock(&obj->lock);
    id = obj->def->id;
    task->pid = obj->pid;
    g_mutex_unlock(&obj->lock);
    task->op = MACHINED_REGISTER;
    task->name = qemu_machined_name(id, obj->name);
    memcpy(task->uuid, obj->uuid, MV_UUID_LEN);
    machined_queue(task, mv_uuid_format(obj->uuid, uuid));
}

void
qemu_machined_terminate(QemuDriver *drv, QemuDomainObj *obj)
{
    MachinedTask *task;
    char uuid[37];
    char *name = NULL;
    char *key = NULL;
    int id;

    if (!machined_wanted(drv))
        return;
    mv_uuid_format(obj->uuid, uuid);
    g_mutex_lock(&machined_lock);
    if (machined_names &&
        g_hash_table_steal_extended(machined_names, uuid, (gpointer *)&key, (gpointer *)&name))
        g_free(key);
    g_mutex_unlock(&machined_lock);
    if (!name) {
        /* Not registered by us (the daemon restarted since): its name
         * can only be known while its id is. */
        g_mutex_lock(&obj->lock);
        id = obj->def->id;
        g_mutex_unlock(&obj->lock);
        if (id >= 0)
            name = qemu_machined_name(id, obj->name);
    }
    task = g_new0(MachinedTask, 1);
    task->op = MACHINED_TERMINATE;
    task->name = name;
    memcpy(task->uuid, obj->uuid, MV_UUID_LEN);
    machined_queue(task, uuid);
}

void
qemu_machined_flush(void)
{
    MachinedTask *task = g_new0(MachinedTask, 1);
    GMutex lock;
    GCond cond;
    gboolean done = FALSE;

    g_mutex_init(&lock);
    g_cond_init(&cond);
    task->op = MACHINED_FLUSH;
    task->flush_lock = &lock;
    task->flush_cond = &cond;
    task->flush_done = &done;
    machined_queue(task, NULL);
    g_mutex_lock(&lock);
    while (!done)
        g_cond_wait(&cond, &lock);
    g_mutex_unlock(&lock);
    g_mutex_clear(&lock);
    g_cond_clear(&cond);
}
