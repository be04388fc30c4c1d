/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-monitor.h: a QMP client on a GMainContext.
 *
 * Threading model
 *
 *   All socket I/O happens on the monitor's GMainContext (the daemon's main
 *   loop): a GSource reads replies and events and writes queued commands with
 *   non-blocking calls, so a slow or stopped QEMU never blocks that loop.
 *   Some thread must iterate the context for the monitor to make progress.
 *
 *   qemu_monitor_command() and the helpers below are synchronous and meant
 *   for worker threads: they queue the command, then wait on a condition
 *   variable for the reply carrying the command's id (so any number of
 *   threads may issue commands at once; QEMU answers them in order), for the
 *   timeout, or for the monitor to close.  Calling them ON the context's
 *   thread (for instance from an event callback) is not allowed: it would
 *   wait for a reply that only that very thread can read, so it fails at
 *   once with MV_ERR_INTERNAL_ERROR instead of deadlocking.
 *
 *   qemu_monitor_open() connects, reads the greeting and negotiates
 *   capabilities synchronously in the calling thread, with blocking I/O
 *   bounded by the open timeout; it does not need the context to be running
 *   (it may be called before the main loop starts, e.g. to re-attach to
 *   running QEMUs at daemon start), but it must not be called on a running
 *   main loop's thread if blocking that loop is a problem.
 *
 * Callbacks run on the context's thread.  The event callback gets every
 * asynchronous event; the eof callback is called at most once, when QEMU
 * hangs up (error NULL) or the monitor had to be closed because of an I/O or
 * protocol error (garbage, oversized line: error set).  Neither is called
 * for a close requested with qemu_monitor_close(), nor after it returns
 * (except a callback already running in the context's thread at that
 * moment, when close is called from another thread).
 */
#pragma once

#include <sys/types.h>

#include <glib.h>
#include <json-c/json.h>

#include "util/enum.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)

typedef struct _QemuMonitor QemuMonitor;

/* The timeouts used when a caller passes 0. */
#define QEMU_MONITOR_DEFAULT_OPEN_TIMEOUT_MS 30000
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000
/* The longest line (one reply or event) accepted from QEMU by default. */
#define QEMU_MONITOR_DEFAULT_MAX_LINE (16 * 1024 * 1024)

/*
 * @event: the event name ("STOP"); @data: its "data" member, borrowed, NULL
 * when the event has none; @timestamp_us: QEMU's timestamp in microseconds
 * since the epoch, or -1.
 */
typedef void (*QemuMonitorEventFunc)(QemuMonitor *mon, const char *event, json_object *data,
                                     gint64 timestamp_us, gpointer opaque);
/* @error: NULL for a plain end of file, else why the monitor was closed. */
typedef void (*QemuMonitorEofFunc)(QemuMonitor *mon, const GError *error, gpointer opaque);

typedef struct {
    GMainContext *context;       /* NULL: the global default context */
    guint open_timeout_ms;       /* connect + greeting + negotiation; 0: default */
    pid_t pid;                   /* > 0: give up waiting once this process is gone */
    QemuMonitorEventFunc event;  /* may be NULL */
    QemuMonitorEofFunc eof;      /* may be NULL */
    gpointer opaque;
    GDestroyNotify opaque_free;  /* called on @opaque when the monitor is freed */
} QemuMonitorConfig;

/*
 * Connect to QEMU's QMP socket at @path, retrying until the socket accepts
 * connections (QEMU may still be starting) or the timeout expires, read the
 * greeting and negotiate capabilities.  Used both for a QEMU just started
 * and to re-attach to one that kept running while the daemon restarted.
 * Returns a monitor owned by the caller (release with qemu_monitor_close()).
 */
QemuMonitor *qemu_monitor_open(const char *path, const QemuMonitorConfig *cfg, GError **error);
/* The same on an already connected stream socket @fd, which the monitor
 * takes over (it is closed on failure too). */
QemuMonitor *qemu_monitor_open_fd(int fd, const QemuMonitorConfig *cfg, GError **error);

/* Stop all I/O, fail pending commands, and drop the caller's reference. */
void qemu_monitor_close(QemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitor, qemu_monitor_close)

QemuMonitor *qemu_monitor_ref(QemuMonitor *mon);
void qemu_monitor_unref(QemuMonitor *mon);

/* Whether the monitor was closed (by either side). */
gboolean qemu_monitor_is_closed(QemuMonitor *mon);
/* QEMU's version from the greeting: major * 1000000 + minor * 1000 + micro. */
guint64 qemu_monitor_get_version(QemuMonitor *mon);
/* Lines longer than @max_bytes close the monitor with an error. */
void qemu_monitor_set_max_line(QemuMonitor *mon, gsize max_bytes);

/*
 * Run QMP command @cmd with @args (borrowed; NULL for none) and wait up to
 * @timeout_ms (0: the default) for its reply.  Returns a new reference to
 * the reply's "return" member.  A QMP error becomes a GError naming @cmd and
 * QEMU's error class and description; a timeout is MV_ERR_OPERATION_TIMEOUT
 * (the command may still run later; its late reply is discarded).
 */
json_object *qemu_monitor_command(QemuMonitor *mon, const char *cmd, json_object *args,
                                  guint timeout_ms, GError **error);
/* The same, also giving QEMU's error class (e.g. "DeviceNotActive") in
 * @ret_error_class when the command failed with a QMP error. */
json_object *qemu_monitor_command_full(QemuMonitor *mon, const char *cmd, json_object *args,
                                       guint timeout_ms, char **ret_error_class,
                                       GError **error);

/* Helpers -------------------------------------------------------------- */

/* QEMU's RunState, as query-status reports it. */
typedef enum {
    QEMU_MONITOR_RUN_STATE_DEBUG,
    QEMU_MONITOR_RUN_STATE_INMIGRATE,
    QEMU_MONITOR_RUN_STATE_INTERNAL_ERROR,
    QEMU_MONITOR_RUN_STATE_IO_ERROR,
    QEMU_MONITOR_RUN_STATE_PAUSED,
    QEMU_MONITOR_RUN_STATE_POSTMIGRATE,
    QEMU_MONITOR_RUN_STATE_PRELAUNCH,
    QEMU_MONITOR_RUN_STATE_FINISH_MIGRATE,
    QEMU_MONITOR_RUN_STATE_RESTORE_VM,
    QEMU_MONITOR_RUN_STATE_RUNNING,
    QEMU_MONITOR_RUN_STATE_SAVE_VM,
    QEMU_MONITOR_RUN_STATE_SHUTDOWN,
    QEMU_MONITOR_RUN_STATE_SUSPENDED,
    QEMU_MONITOR_RUN_STATE_WATCHDOG,
    QEMU_MONITOR_RUN_STATE_GUEST_PANICKED,
    QEMU_MONITOR_RUN_STATE_COLO,
    QEMU_MONITOR_RUN_STATE_PRECONFIG,
    QEMU_MONITOR_RUN_STATE_LAST,
} QemuMonitorRunState;
MV_ENUM_DECL(qemu_monitor_run_state);

/* libvirt's virDomainPausedReason values, for the driver's state mapping. */
typedef enum {
    QEMU_MONITOR_PAUSED_UNKNOWN = 0,
    QEMU_MONITOR_PAUSED_USER = 1,
    QEMU_MONITOR_PAUSED_MIGRATION = 2,
    QEMU_MONITOR_PAUSED_SAVE = 3,
    QEMU_MONITOR_PAUSED_IOERROR = 5,
    QEMU_MONITOR_PAUSED_WATCHDOG = 6,
    QEMU_MONITOR_PAUSED_SHUTTING_DOWN = 8,
    QEMU_MONITOR_PAUSED_CRASHED = 10,
} QemuMonitorPausedReason;

typedef struct {
    gboolean running;
    QemuMonitorRunState state;
    QemuMonitorPausedReason reason;  /* why it is paused (when !running) */
} QemuMonitorStatus;

gboolean qemu_monitor_query_status(QemuMonitor *mon, QemuMonitorStatus *ret_status,
                                   GError **error);
QemuMonitorPausedReason qemu_monitor_run_state_paused_reason(QemuMonitorRunState state);

gboolean qemu_monitor_cont(QemuMonitor *mon, GError **error);
gboolean qemu_monitor_stop(QemuMonitor *mon, GError **error);
gboolean qemu_monitor_system_powerdown(QemuMonitor *mon, GError **error);
gboolean qemu_monitor_system_reset(QemuMonitor *mon, GError **error);
/* Ask QEMU to exit.  Its hang-up then reaches the eof callback. */
gboolean qemu_monitor_quit(QemuMonitor *mon, GError **error);

/* An HMP command line through human-monitor-command; returns its output. */
char *qemu_monitor_hmp(QemuMonitor *mon, const char *cmdline, GError **error);

typedef struct {
    int index;             /* cpu-index */
    gint64 thread_id;
    char *qom_path;
} QemuMonitorCpu;

/* query-cpus-fast: an array of QemuMonitorCpu, in QEMU's order. */
GArray *qemu_monitor_query_cpus(QemuMonitor *mon, GError **error);

/* query-balloon: 1 with the balloon size in bytes, 0 when the domain has no
 * balloon device, -1 on error. */
int qemu_monitor_query_balloon(QemuMonitor *mon, guint64 *ret_actual, GError **error);

typedef struct {
    char *device;          /* the -drive id, "" with -blockdev */
    char *node_name;
    char *qdev;            /* the frontend's id or QOM path */
    guint64 rd_bytes;
    guint64 wr_bytes;
    guint64 rd_req;
    guint64 wr_req;
    guint64 flush_req;
    guint64 rd_total_ns;
    guint64 wr_total_ns;
    guint64 flush_total_ns;
    guint64 wr_highest_offset;
} QemuMonitorBlockStats;

void qemu_monitor_block_stats_free(QemuMonitorBlockStats *stats);
/* query-blockstats: QemuMonitorBlockStats for each frontend. */
GPtrArray *qemu_monitor_query_blockstats(QemuMonitor *mon, GError **error);

typedef struct {
    char *node_name;
    char *driver;          /* "qcow2", "file"... */
    char *filename;
    guint64 virtual_size;
    guint64 actual_size;   /* bytes allocated on the host */
    gboolean read_only;
} QemuMonitorBlockNode;

void qemu_monitor_block_node_free(QemuMonitorBlockNode *node);
/* query-named-block-nodes (flat): QemuMonitorBlockNode for each node. */
GPtrArray *qemu_monitor_query_named_block_nodes(QemuMonitor *mon, GError **error);

typedef struct {
    char *label;
    char *filename;        /* "pty:/dev/pts/3", "unix:/path,server=on"... */
    char *pty_path;        /* "/dev/pts/3" for a pty, else NULL */
    gboolean frontend_open;
} QemuMonitorChardev;

void qemu_monitor_chardev_free(QemuMonitorChardev *chr);
/* query-chardev: label -> QemuMonitorChardev. */
GHashTable *qemu_monitor_query_chardev(QemuMonitor *mon, GError **error);
