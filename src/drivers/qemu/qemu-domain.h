/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-domain.h: the QEMU driver's domain objects and their list.
 *
 * A QemuDomainObj holds a domain's definitions and state.  Its mutex guards
 * the fields and is only ever held briefly (never across a monitor call or a
 * process start).  Operations that change a domain take its *job*: one at a
 * time; a second one waits a bounded time and then fails naming the
 * operation holding it.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "conf/domain-conf.h"

typedef struct _QemuDomainObj QemuDomainObj;
typedef struct _QemuDomainList QemuDomainList;
typedef struct _QemuDomainRuntime QemuDomainRuntime;

/* libvirt's virDomainState and reasons. */
typedef enum {
    QEMU_STATE_NOSTATE = 0,
    QEMU_STATE_RUNNING = 1,
    QEMU_STATE_BLOCKED = 2,
    QEMU_STATE_PAUSED = 3,
    QEMU_STATE_SHUTDOWN = 4,
    QEMU_STATE_SHUTOFF = 5,
    QEMU_STATE_CRASHED = 6,
    QEMU_STATE_PMSUSPENDED = 7,
    QEMU_STATE_LAST
} QemuState;
MV_ENUM_DECL(qemu_state);

enum {
    QEMU_RUNNING_UNKNOWN = 0, QEMU_RUNNING_BOOTED = 1, QEMU_RUNNING_MIGRATED = 2,
    QEMU_RUNNING_RESTORED = 3, QEMU_RUNNING_FROM_SNAPSHOT = 4, QEMU_RUNNING_UNPAUSED = 5,
    QEMU_RUNNING_MIGRATION_CANCELED = 6, QEMU_RUNNING_SAVE_CANCELED = 7,
    QEMU_RUNNING_WAKEUP = 8, QEMU_RUNNING_CRASHED = 9, QEMU_RUNNING_POSTCOPY = 10,
    QEMU_RUNNING_POSTCOPY_FAILED = 11, QEMU_RUNNING_LAST
};
enum {
    QEMU_PAUSED_UNKNOWN = 0, QEMU_PAUSED_USER = 1, QEMU_PAUSED_MIGRATION = 2,
    QEMU_PAUSED_SAVE = 3, QEMU_PAUSED_DUMP = 4, QEMU_PAUSED_IOERROR = 5,
    QEMU_PAUSED_WATCHDOG = 6, QEMU_PAUSED_FROM_SNAPSHOT = 7, QEMU_PAUSED_SHUTTING_DOWN = 8,
    QEMU_PAUSED_SNAPSHOT = 9, QEMU_PAUSED_CRASHED = 10, QEMU_PAUSED_STARTING_UP = 11,
    QEMU_PAUSED_POSTCOPY = 12, QEMU_PAUSED_POSTCOPY_FAILED = 13, QEMU_PAUSED_API_ERROR = 14,
    QEMU_PAUSED_LAST
};
enum {
    QEMU_SHUTDOWN_UNKNOWN = 0, QEMU_SHUTDOWN_USER = 1, QEMU_SHUTDOWN_LAST
};
enum {
    QEMU_SHUTOFF_UNKNOWN = 0, QEMU_SHUTOFF_SHUTDOWN = 1, QEMU_SHUTOFF_DESTROYED = 2,
    QEMU_SHUTOFF_CRASHED = 3, QEMU_SHUTOFF_MIGRATED = 4, QEMU_SHUTOFF_SAVED = 5,
    QEMU_SHUTOFF_FAILED = 6, QEMU_SHUTOFF_FROM_SNAPSHOT = 7, QEMU_SHUTOFF_DAEMON = 8,
    QEMU_SHUTOFF_LAST
};
enum {
    QEMU_CRASHED_UNKNOWN = 0, QEMU_CRASHED_PANICKED = 1, QEMU_CRASHED_LAST
};
/* The name of a reason of @state ("booted", "destroyed"...). */
const char *qemu_state_reason_to_string(int state, int reason);
int qemu_state_reason_from_string(int state, const char *reason);

struct _QemuDomainObj {
    gint ref;
    GMutex lock;
    /* Immutable copies, readable without the lock. */
    char *name;
    unsigned char uuid[MV_UUID_LEN];

    /* Under lock. */
    DomainDef *def;          /* the live definition while running, else the persistent one */
    DomainDef *new_def;      /* while running: the persistent definition (NULL if transient) */
    gboolean persistent;
    gboolean autostart;
    gboolean removed;        /* undefined: no longer in the list */
    int state;
    int reason;
    pid_t pid;               /* 0 when inactive */
    gint64 start_time;       /* /proc/PID/stat start time (clock ticks), to recognise the QEMU */
    QemuDomainRuntime *runtime;  /* owned by qemu-process.c while active */
    guint64 status_seq;      /* bumped at every status snapshot */

    /* Status file writes, in snapshot order (qemu-conf.c). */
    GMutex status_lock;
    guint64 status_written;  /* the newest snapshot written, or deleted up to */

    /* The job. */
    GCond job_cond;
    const char *job;         /* the operation holding it (a static string), or NULL */
    gint64 job_since;        /* monotonic µs */
};

QemuDomainObj *qemu_domain_obj_ref(QemuDomainObj *obj);
void qemu_domain_obj_unref(QemuDomainObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuDomainObj, qemu_domain_obj_unref)

gboolean qemu_domain_obj_is_active(QemuDomainObj *obj);   /* caller holds lock */
/* The persistent definition: new_def when running with one, else def.  Caller holds lock. */
DomainDef *qemu_domain_obj_persistent_def(QemuDomainObj *obj);
void qemu_domain_obj_set_state(QemuDomainObj *obj, int state, int reason);  /* holds lock */

/*
 * Take the job for @what (e.g. "destroy"), waiting at most @timeout_ms
 * (0: the driver default) for the current holder.  On timeout the error
 * names the operation holding it.  Do not hold obj->lock.
 */
gboolean qemu_domain_obj_begin_job(QemuDomainObj *obj, const char *what, guint timeout_ms,
                                   GError **error);
void qemu_domain_obj_end_job(QemuDomainObj *obj);
void qemu_domain_set_default_job_timeout(guint ms);

/* ---- the list -------------------------------------------------------------- */

QemuDomainList *qemu_domain_list_new(void);
void qemu_domain_list_free(QemuDomainList *list);

/* Add a new domain for @def (ownership taken).  Fails if the name or uuid is
 * taken by another domain.  Returns a new reference. */
QemuDomainObj *qemu_domain_list_add(QemuDomainList *list, DomainDef *def, gboolean persistent,
                                    GError **error);
void qemu_domain_list_remove(QemuDomainList *list, QemuDomainObj *obj);
/* Lookups return a new reference, or NULL with MV_ERR_NO_DOMAIN set. */
QemuDomainObj *qemu_domain_list_find_by_uuid(QemuDomainList *list, const unsigned char *uuid,
                                             GError **error);
QemuDomainObj *qemu_domain_list_find_by_name(QemuDomainList *list, const char *name,
                                             GError **error);
QemuDomainObj *qemu_domain_list_find_by_id(QemuDomainList *list, int id, GError **error);
/* Every domain (new references), sorted by name. */
GPtrArray *qemu_domain_list_all(QemuDomainList *list);
/*
 * Call @func for every domain, sorted by name, with the number of domains,
 * under the list's lock (held as a reader): no reference is taken.  @func
 * must be quick, may take obj->lock, and must not call back into the list.
 */
typedef void (*QemuDomainListFunc)(QemuDomainObj *obj, guint total, gpointer opaque);
void qemu_domain_list_foreach(QemuDomainList *list, QemuDomainListFunc func, gpointer opaque);
guint qemu_domain_list_count(QemuDomainList *list);
/* Ids of running domains come from here: never reused while the daemon runs. */
int qemu_domain_list_next_id(QemuDomainList *list);
void qemu_domain_list_bump_id(QemuDomainList *list, int id);
/* Update the id index after a start or stop (obj->def->id changed). */
void qemu_domain_list_update_id(QemuDomainList *list, QemuDomainObj *obj, int old_id);
/* Rename support is not offered; the name index follows the def. */
