/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-process.c: QEMU processes of running domains.
 *
 * QEMU is started as our child in its own session (so it outlives the
 * daemon), paused (-S), with its QMP socket created by us and passed as an
 * fd; we connect, read the pty paths, and resume it.  Its exit is noticed
 * at once through a pidfd (also for QEMUs adopted after a daemon restart,
 * which are no longer our children); we reap our own children ourselves.
 * With -no-shutdown, a guest power-off leaves QEMU paused: the daemon then
 * either resets it (reboot) or stops it.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "drivers/qemu/qemu-conf.h"
#include "drivers/qemu/qemu-console.h"
#include "drivers/qemu/qemu-events.h"
#include "drivers/qemu/qemu-interface.h"
#include "drivers/qemu/qemu-machined.h"
#include "drivers/qemu/qemu-process.h"
#include "drivers/qemu/qemu-translate.h"
#include "util/command.h"
#include "util/error.h"
#include "util/file.h"
#include "util/hostinfo.h"
#include "util/macros.h"
#include "util/pidfile.h"

#define PROCESS_TERM_GRACE_MS 10000
#define PROCESS_KILL_GRACE_MS 5000
#define PROCESS_RECONNECT_TIMEOUT_MS 10000

void
qemu_disk_source_free(QemuDiskSource *src)
{
    if (!src)
        return;
    g_free((char *)src->path);
    g_free((char *)src->protocol);
    g_free((char *)src->host);
    g_free((char *)src->target);
    g_free((char *)src->initiator);
    g_free((char *)src->user);
    g_free((char *)src->secret_file);
    g_free(src);
}

void
qemu_domain_runtime_free(QemuDomainRuntime *rt)
{
    if (!rt)
        return;
    if (rt->exit_source) {
        g_source_destroy(rt->exit_source);
        g_source_unref(rt->exit_source);
    }
    if (rt->mon)
        qemu_monitor_close(rt->mon);
    if (rt->pidfd >= 0)
        close(rt->pidfd);
    if (rt->disk_sources)
        g_ptr_array_unref(rt->disk_sources);
    g_free(rt->monitor_path);
    g_free(rt->domain_dir);
    g_free(rt->log_path);
    g_free(rt->emulator);
    g_free(rt->machine);
    g_free(rt);
}

/* ---- /proc ------------------------------------------------------------------ */

guint64
qemu_process_start_time(pid_t pid)
{
    g_auto(GStrv) f = NULL;

    if (!(f = mv_proc_stat_fields(pid, 0)) || g_str_equal(f[0], "Z") || g_str_equal(f[0], "X"))
        return 0;
    return g_ascii_strtoull(f[19], NULL, 10);
}

guint64
qemu_process_cpu_time(pid_t pid)
{
    g_auto(GStrv) f = NULL;
    long hz = sysconf(_SC_CLK_TCK);

    if (!(f = mv_proc_stat_fields(pid, 0)) || hz <= 0)
        return 0;
    /* utime and stime: fields 14 and 15. */
    return (g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10)) *
           (1000000000ULL / (guint64)hz);
}

static int
process_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* ---- helpers ---------------------------------------------------------------- */

typedef struct {
    QemuDriver *drv;
    QemuDomainObj *obj;
} ProcessCtx;

static ProcessCtx *
process_ctx_new(QemuDriver *drv, QemuDomainObj *obj)
{
    ProcessCtx *ctx = g_new0(ProcessCtx, 1);

    ctx->drv = drv;
    ctx->obj = qemu_domain_obj_ref(obj);
    return ctx;
}

static void
process_ctx_free(gpointer p)
{
    ProcessCtx *ctx = p;

    qemu_domain_obj_unref(ctx->obj);
    g_free(ctx);
}

typedef struct {
    QemuDriver *drv;
    QemuDomainObj *obj;
    const char *what;
    void (*func)(QemuDriver *drv, QemuDomainObj *obj);
} ProcessTask;

static gpointer
process_task_thread(gpointer data)
{
    ProcessTask *task = data;
    g_autoptr(GError) error = NULL;

    /* What QEMU did must be acted on: wait as long as it takes (a long
     * reconnect may hold the job), unless the daemon is going away. */
    while (!qemu_domain_obj_begin_job(task->obj, task->what, 0, &error)) {
        if (!g_error_matches(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_TIMEOUT) ||
            qemu_driver_is_stopping(task->drv))
            break;
        g_info("domain '%s': %s; waiting on", task->obj->name, error->message);
        g_clear_error(&error);
    }
    if (error) {
        g_warning("domain '%s': %s", task->obj->name, error->message);
    } else {
        task->func(task->drv, task->obj);
        qemu_domain_obj_end_job(task->obj);
    }
    qemu_domain_obj_unref(task->obj);
    g_free(task);
    return NULL;
}

void
qemu_process_schedule(QemuDriver *drv, QemuDomainObj *obj, const char *what,
                      void (*func)(QemuDriver *drv, QemuDomainObj *obj))
{
    ProcessTask *task = g_new0(ProcessTask, 1);
    g_autofree char *name = g_strdup_printf("qemu-%s", what);

    task->drv = drv;
    task->obj = qemu_domain_obj_ref(obj);
    task->what = what;
    task->func = func;
    qemu_driver_thread(drv, name, process_task_thread, task);
}

QemuMonitor *
qemu_process_get_monitor(QemuDomainObj *obj, GError **error)
{
    QemuMonitor *mon = NULL;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj))
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
    else if (!obj->runtime || !obj->runtime->mon || qemu_monitor_is_closed(obj->runtime->mon))
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s': the QEMU monitor is not available", obj->name);
    else
        mon = qemu_monitor_ref(obj->runtime->mon);
    g_mutex_unlock(&obj->lock);
    return mon;
}

static void
process_save_status(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GError) error = NULL;

    if (!qemu_conf_save_status(drv, obj, &error))
        g_warning("domain '%s': cannot save its status: %s", obj->name, error->message);
}

/* ---- stopping ------------------------------------------------------------------- */

static void
process_remove_tree(const char *dir)
{
    GDir *d;
    const char *name;

    if (!dir || !(d = g_dir_open(dir, 0, NULL)))
        return;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            process_remove_tree(path);
        else
            g_unlink(path);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

/*
 * The QEMU of @obj is gone (or is being given up): tidy up and record
 * SHUTOFF/@reason, emit STOPPED/@detail.  Caller holds the job.
 */
static void
process_cleanup(QemuDriver *drv, QemuDomainObj *obj, int reason, int detail, gboolean event)
{
    QemuDomainRuntime *rt;
    g_autofree char *channel_dir = NULL;
    DomainDef *live;
    gboolean transient;
    gboolean inhibiting;
    int old_id;
    pid_t pid;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    rt = g_steal_pointer(&obj->runtime);
    pid = obj->pid;
    old_id = obj->def->id;
    channel_dir = domain_def_channel_dir(obj->def, &drv->xmlopts);
    live = obj->def;
    transient = !obj->persistent;
    if (obj->new_def) {
        obj->def = g_steal_pointer(&obj->new_def);
        domain_def_free(live);
        live = NULL;
    } else {
        /* Transient: keep the live definition until the object goes. */
        live->id = -1;
    }
    obj->def->id = -1;
    obj->pid = 0;
    obj->start_time = 0;
    qemu_domain_obj_set_state(obj, QEMU_STATE_SHUTOFF, reason);
    g_mutex_unlock(&obj->lock);

    inhibiting = rt && rt->inhibiting;
    if (rt && rt->child && pid > 0)
        waitpid(pid, NULL, WNOHANG);
    qemu_domain_list_update_id(drv->domains, obj, old_id);
    qemu_conf_delete_status_of(drv, obj);
    qemu_console_domain_stopped(drv, obj);
    qemu_machined_terminate(drv, obj);
    if (rt) {
        process_remove_tree(rt->domain_dir);
        qemu_domain_runtime_free(rt);
    }
    process_remove_tree(channel_dir);
    if (inhibiting)
        qemu_driver_domain_stopped(drv);
    if (event)
        qemu_event_lifecycle(drv, obj, QEMU_EVENT_STOPPED, detail);
    if (transient)
        qemu_process_remove_transient(drv, obj);
}

void
qemu_process_remove_transient(QemuDriver *drv, QemuDomainObj *obj)
{
    gboolean remove;

    /* Under the define lock, looking again: a define may have made it
     * persistent since. */
    g_mutex_lock(&drv->define_lock);
    g_mutex_lock(&obj->lock);
    remove = !obj->persistent && !qemu_domain_obj_is_active(obj);
    g_mutex_unlock(&obj->lock);
    if (remove)
        qemu_domain_list_remove(drv->domains, obj);
    g_mutex_unlock(&drv->define_lock);
}

/* Wait up to @ms for @pidfd (or @pid) to show the process is gone. */
static gboolean
process_wait_exit(int pidfd, pid_t pid, int ms)
{
    if (pidfd >= 0) {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
        int r;

        for (;;) {
            int left = (int)((end - g_get_monotonic_time()) / 1000);

            r = poll(&pfd, 1, MAX(left, 0));
            if (r > 0)
                return TRUE;
            if (r == 0 || (r < 0 && errno != EINTR))
                return FALSE;
        }
    }
    for (int i = 0; i < ms / 10; i++) {
        if (qemu_process_start_time(pid) == 0)
            return TRUE;
        g_usleep(10 * 1000);
    }
    return qemu_process_start_time(pid) == 0;
}

gboolean
qemu_process_kill(QemuDriver *drv, QemuDomainObj *obj, gboolean graceful, int reason,
                  int detail, GError **error)
{
    pid_t pid;
    int pidfd;
    gboolean child;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    pid = obj->pid;
    pidfd = obj->runtime ? obj->runtime->pidfd : -1;
    child = obj->runtime && obj->runtime->child;
    if (obj->runtime)
        obj->runtime->stopping = TRUE;
    g_mutex_unlock(&obj->lock);

    if (pid > 0 && (!obj->runtime || !obj->runtime->exited)) {
        if (kill(pid, SIGTERM) < 0 && errno != ESRCH) {
            mv_error_set_errno(error, errno, "cannot send SIGTERM to QEMU (pid %d)", (int)pid);
            goto fail;
        }
        if (!process_wait_exit(pidfd, pid, PROCESS_TERM_GRACE_MS)) {
            if (graceful) {
                mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                             "QEMU (pid %d) did not exit within %d s of SIGTERM", (int)pid,
                             PROCESS_TERM_GRACE_MS / 1000);
                goto fail;
            }
            kill(pid, SIGKILL);
            if (!process_wait_exit(pidfd, pid, PROCESS_KILL_GRACE_MS)) {
                mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                             "QEMU (pid %d) did not die after SIGKILL", (int)pid);
                goto fail;
            }
        }
        if (child)
            waitpid(pid, NULL, 0);
    }
    process_cleanup(drv, obj, reason, detail, TRUE);
    return TRUE;

 fail:
    g_mutex_lock(&obj->lock);
    if (obj->runtime)
        obj->runtime->stopping = FALSE;
    g_mutex_unlock(&obj->lock);
    return FALSE;
}

/* ---- exit and monitor events ------------------------------------------------ */

static void
process_handle_unexpected_exit(QemuDriver *drv, QemuDomainObj *obj)
{
    int state;
    gboolean exited;

    g_mutex_lock(&obj->lock);
    exited = obj->runtime && obj->runtime->exited;
    state = obj->state;
    g_mutex_unlock(&obj->lock);
    if (!exited)
        return;
    if (state == QEMU_STATE_SHUTDOWN)
        process_cleanup(drv, obj, QEMU_SHUTOFF_SHUTDOWN, QEMU_EVENT_STOPPED_SHUTDOWN, TRUE);
    else
        process_cleanup(drv, obj, QEMU_SHUTOFF_CRASHED, QEMU_EVENT_STOPPED_FAILED, TRUE);
}

gboolean
qemu_process_destroy_begin(QemuDriver *drv, QemuDomainObj *obj, gboolean graceful,
                           gboolean *ret_signalled, GError **error)
{
    g_autoptr(GError) local = NULL;
    gboolean signalled = FALSE;
    gboolean exited;
    pid_t pid = 0;

    /* QEMU first, the job next, as libvirt does: a job stuck in a monitor
     * call to a hung QEMU ends as soon as QEMU is gone. */
    g_mutex_lock(&obj->lock);
    if (qemu_domain_obj_is_active(obj) && obj->runtime && obj->pid > 0 &&
        !obj->runtime->exited) {
        obj->runtime->stopping = TRUE;
        pid = obj->pid;
        signalled = kill(pid, SIGTERM) == 0;
    }
    g_mutex_unlock(&obj->lock);
    *ret_signalled = signalled;
    if (!signalled)
        return qemu_domain_obj_begin_job(obj, "destroy", 0, error);
    if (qemu_domain_obj_begin_job(obj, "destroy", graceful ? 0 : PROCESS_TERM_GRACE_MS,
                                  &local))
        return TRUE;
    if (!graceful) {
        /* Stopped, or ignoring SIGTERM. */
        g_clear_error(&local);
        kill(pid, SIGKILL);
        if (qemu_domain_obj_begin_job(obj, "destroy", 0, &local))
            return TRUE;
    }
    g_propagate_error(error, g_steal_pointer(&local));
    /* No job: the exit watch takes the domain's end over. */
    g_mutex_lock(&obj->lock);
    exited = obj->runtime && obj->runtime->exited;
    if (obj->runtime)
        obj->runtime->stopping = FALSE;
    g_mutex_unlock(&obj->lock);
    if (exited)
        qemu_process_schedule(drv, obj, "exit", process_handle_unexpected_exit);
    return FALSE;
}

static gboolean
process_exit_cb(gint fd, GIOCondition cond, gpointer data)
{
    ProcessCtx *ctx = data;
    QemuDomainObj *obj = ctx->obj;
    gboolean expected = TRUE;
    pid_t pid = 0;

    g_mutex_lock(&obj->lock);
    if (obj->runtime && !obj->runtime->exited) {
        obj->runtime->exited = TRUE;
        expected = obj->runtime->stopping;
        pid = obj->runtime->child ? obj->pid : 0;
    }
    g_mutex_unlock(&obj->lock);
    /* Reap our own child at once: PID 1 here reaps orphans only every few
     * seconds. */
    if (pid > 0)
        waitpid(pid, NULL, WNOHANG);
    if (!expected)
        qemu_process_schedule(ctx->drv, obj, "exit", process_handle_unexpected_exit);
    return G_SOURCE_REMOVE;
}

static void
process_watch_exit(QemuDriver *drv, QemuDomainObj *obj, QemuDomainRuntime *rt)
{
    if (rt->pidfd < 0)
        return;
    rt->exit_source = g_unix_fd_source_new(rt->pidfd, G_IO_IN);
    g_source_set_callback(rt->exit_source, G_SOURCE_FUNC(process_exit_cb),
                          process_ctx_new(drv, obj), process_ctx_free);
    g_source_attach(rt->exit_source, NULL);
}

static void
process_finish_reboot(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GError) error = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    gboolean active;

    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    g_mutex_unlock(&obj->lock);
    if (!active)
        return;
    /* Running again before QEMU says so: its RESUME event is ours. */
    g_mutex_lock(&obj->lock);
    if (obj->runtime)
        obj->runtime->fake_reboot = FALSE;
    qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_BOOTED);
    g_mutex_unlock(&obj->lock);
    mon = qemu_process_get_monitor(obj, &error);
    if (!mon || !qemu_monitor_system_reset(mon, &error) || !qemu_monitor_cont(mon, &error)) {
        g_warning("domain '%s': reboot failed, stopping it: %s", obj->name, error->message);
        qemu_process_kill(drv, obj, FALSE, QEMU_SHUTOFF_SHUTDOWN, QEMU_EVENT_STOPPED_SHUTDOWN,
                          NULL);
        return;
    }
    process_save_status(drv, obj);
}

static void
process_finish_shutdown(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GError) error = NULL;
    gboolean active;

    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    g_mutex_unlock(&obj->lock);
    if (active && !qemu_process_kill(drv, obj, FALSE, QEMU_SHUTOFF_SHUTDOWN,
                                     QEMU_EVENT_STOPPED_SHUTDOWN, &error))
        g_warning("domain '%s': cannot stop it after its shutdown: %s", obj->name,
                  error->message);
}

static void
process_finish_crash(QemuDriver *drv, QemuDomainObj *obj)
{
    qemu_process_kill(drv, obj, FALSE, QEMU_SHUTOFF_CRASHED, QEMU_EVENT_STOPPED_CRASHED, NULL);
}

static void
process_monitor_event(QemuMonitor *mon, const char *event, json_object *data, gint64 ts,
                      gpointer opaque)
{
    ProcessCtx *ctx = opaque;
    QemuDriver *drv = ctx->drv;
    QemuDomainObj *obj = ctx->obj;
    int emit = -1, detail = 0;
    void (*task)(QemuDriver *, QemuDomainObj *) = NULL;
    const char *task_name = NULL;
    gboolean save = FALSE;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    if (g_str_equal(event, "SHUTDOWN")) {
        json_object *guest = NULL;
        gboolean by_guest = data && json_object_object_get_ex(data, "guest", &guest) &&
                            json_object_get_boolean(guest);

        if (obj->runtime && obj->runtime->stopping) {
            /* Our own SIGTERM (destroy): the exit follows. */
        } else if (obj->runtime && (obj->runtime->fake_reboot ||
                                    obj->def->on_poweroff == DOMAIN_LIFECYCLE_RESTART)) {
            /* A reboot asked for, or a power-off the definition turns into
             * one (as libvirt: only reboot events).  QEMU pauses next
             * (-no-shutdown): that pause is part of the reboot, not a
             * suspension to report. */
            qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_SHUTTING_DOWN);
            obj->runtime->rebooting = TRUE;
            task = process_finish_reboot;
            task_name = "reboot";
        } else if (obj->state != QEMU_STATE_SHUTDOWN) {
            qemu_domain_obj_set_state(obj, QEMU_STATE_SHUTDOWN, QEMU_SHUTDOWN_USER);
            emit = QEMU_EVENT_SHUTDOWN;
            if (!data || !json_object_object_get_ex(data, "guest", &guest))
                detail = QEMU_EVENT_SHUTDOWN_FINISHED;
            else
                detail = by_guest ? QEMU_EVENT_SHUTDOWN_GUEST : QEMU_EVENT_SHUTDOWN_HOST;
            task = process_finish_shutdown;
            task_name = "shutdown";
            save = TRUE;
        }
    } else if (g_str_equal(event, "STOP")) {
        /* NB: the reboot task may already have marked the domain running
         * when the STOP of its shutdown arrives. */
        if (obj->state == QEMU_STATE_RUNNING && !(obj->runtime && obj->runtime->rebooting)) {
            qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_UNKNOWN);
            emit = QEMU_EVENT_SUSPENDED;
            detail = QEMU_EVENT_SUSPENDED_PAUSED;
            save = TRUE;
        }
    } else if (g_str_equal(event, "RESUME")) {
        if (obj->runtime && obj->runtime->rebooting) {
            /* The end of a reboot: running again, nothing suspended. */
            obj->runtime->rebooting = FALSE;
            if (obj->state != QEMU_STATE_RUNNING)
                qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_BOOTED);
            save = TRUE;
        } else if (obj->state == QEMU_STATE_PAUSED) {
            qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_UNPAUSED);
            emit = QEMU_EVENT_RESUMED;
            detail = QEMU_EVENT_RESUMED_UNPAUSED;
            save = TRUE;
        }
    } else if (g_str_equal(event, "RESET")) {
        g_mutex_unlock(&obj->lock);
        qemu_event_reboot(drv, obj);
        return;
    } else if (g_str_equal(event, "GUEST_PANICKED")) {
        qemu_domain_obj_set_state(obj, QEMU_STATE_CRASHED, QEMU_CRASHED_PANICKED);
        emit = QEMU_EVENT_CRASHED;
        detail = QEMU_EVENT_CRASHED_PANICKED;
        if (obj->def->on_crash == DOMAIN_LIFECYCLE_DESTROY ||
            obj->def->on_crash == DOMAIN_LIFECYCLE_COREDUMP_DESTROY) {
            task = process_finish_crash;
            task_name = "crash";
        } else if (obj->runtime && (obj->def->on_crash == DOMAIN_LIFECYCLE_RESTART ||
                                    obj->def->on_crash == DOMAIN_LIFECYCLE_RESTART_RENAME ||
                                    obj->def->on_crash == DOMAIN_LIFECYCLE_COREDUMP_RESTART)) {
            /* The guest is paused on its panic: reset it and go on. */
            obj->runtime->rebooting = TRUE;
            task = process_finish_reboot;
            task_name = "reboot";
        }
        save = TRUE;
    } else if (g_str_equal(event, "BLOCK_IO_ERROR")) {
        json_object *action = NULL;

        if (data && json_object_object_get_ex(data, "action", &action) &&
            g_str_equal(json_object_get_string(action), "stop") &&
            obj->state == QEMU_STATE_RUNNING) {
            qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_IOERROR);
            emit = QEMU_EVENT_SUSPENDED;
            detail = QEMU_EVENT_SUSPENDED_IOERROR;
            save = TRUE;
        }
    }
    g_mutex_unlock(&obj->lock);
    /* On the main loop: the file is written by the status writer. */
    if (save)
        qemu_driver_save_status_later(drv, obj);
    if (emit >= 0)
        qemu_event_lifecycle(drv, obj, emit, detail);
    if (task)
        qemu_process_schedule(drv, obj, task_name, task);
}

static void
process_monitor_eof(QemuMonitor *mon, const GError *error, gpointer opaque)
{
    ProcessCtx *ctx = opaque;

    if (error)
        g_warning("domain '%s': QEMU monitor closed: %s", ctx->obj->name, error->message);
    else
        g_debug("domain '%s': QEMU monitor hung up", ctx->obj->name);
}

static QemuMonitor *
process_monitor_connect(QemuDriver *drv, QemuDomainObj *obj, const char *path, pid_t pid,
                        guint timeout_ms, GError **error)
{
    QemuMonitorConfig cfg = {
        .context = NULL,
        .open_timeout_ms = timeout_ms,
        .pid = pid,
        .event = process_monitor_event,
        .eof = process_monitor_eof,
        .opaque = process_ctx_new(drv, obj),
        .opaque_free = process_ctx_free,
    };
    QemuMonitor *mon = qemu_monitor_open(path, &cfg, error);

    /* On failure the opaque stays ours. */
    if (!mon)
        process_ctx_free(cfg.opaque);
    return mon;
}

static gboolean
process_has_ptys(GPtrArray *const *lists, guint n)
{
    for (guint l = 0; l < n; l++) {
        for (guint i = 0; i < lists[l]->len; i++) {
            if (((DomainChrDef *)g_ptr_array_index(lists[l], i))->source.type ==
                DOMAIN_CHR_TYPE_PTY)
                return TRUE;
        }
    }
    return FALSE;
}

/* Put the pty paths QEMU allocated into the live definition (no query
 * when there is none: one round trip less on the way to running). */
static void
process_update_ptys(QemuDomainObj *obj, QemuMonitor *mon, DomainDef *live)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) chardevs = NULL;
    GPtrArray *lists[] = { live->serials, live->consoles, live->channels };
    const char *prefixes[] = { "serial", "console", "channel" };

    if (!process_has_ptys(lists, G_N_ELEMENTS(lists)))
        return;
    if (!(chardevs = qemu_monitor_query_chardev(mon, &error))) {
        g_warning("domain '%s': cannot query chardevs: %s", obj->name, error->message);
        return;
    }
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; i < lists[l]->len; i++) {
            DomainChrDef *chr = g_ptr_array_index(lists[l], i);
            g_autofree char *label = chr->info.alias
                                     ? g_strdup_printf("char%s", chr->info.alias)
                                     : g_strdup_printf("char%s%u", prefixes[l], i);
            QemuMonitorChardev *info;

            if (chr->source.type != DOMAIN_CHR_TYPE_PTY)
                continue;
            info = g_hash_table_lookup(chardevs, label);
            /* A <console target type='serial'> is the first serial port. */
            if (!info && l == 1 && live->serials->len > 0)
                info = g_hash_table_lookup(chardevs, "charserial0");
            if (info && info->pty_path) {
                g_free(chr->source.path);
                chr->source.path = g_strdup(info->pty_path);
            }
        }
    }
}

/* ---- starting -------------------------------------------------------------------- */

static int
process_monitor_listen(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mv_autoclose int fd = -1;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "monitor socket path '%s' is too long", path);
        return -1;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0) {
        mv_error_set_errno(error, errno, "cannot listen on the monitor socket '%s'", path);
        return -1;
    }
    return mv_steal_fd(&fd);
}

/* What <cpu mode='host-model|host-passthrough|maximum'> runs as on this
 * host: what the capabilities probe saw start (under this kind of nested
 * KVM, plain "-cpu host" aborts). */
static const char *
process_host_cpu(const QemuCaps *caps, const DomainDef *def)
{
    QemuCapsAccel accel = def->virt_type == DOMAIN_VIRT_KVM ? QEMU_CAPS_ACCEL_KVM
                                                            : QEMU_CAPS_ACCEL_TCG;
    QemuCapsCpuMode mode = QEMU_CAPS_CPU_HOST_PASSTHROUGH;

    if (def->cpu && def->cpu->mode == DOMAIN_CPU_MODE_HOST_MODEL)
        mode = QEMU_CAPS_CPU_HOST_MODEL;
    else if (def->cpu && def->cpu->mode == DOMAIN_CPU_MODE_MAXIMUM)
        mode = QEMU_CAPS_CPU_MAXIMUM;
    return qemu_caps_cpu_config(caps, accel, mode);
}

static gboolean
process_prepare_def(QemuDriver *drv, DomainDef *live, const QemuCaps **ret_caps,
                    GError **error)
{
    const char *arch = live->os.arch ? live->os.arch : "x86_64";
    const QemuCaps *caps;
    const QemuMachine *m;
    const char *machine;

    if (live->virt_type != DOMAIN_VIRT_KVM && live->virt_type != DOMAIN_VIRT_QEMU) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "domain type '%s' is not supported by the QEMU driver (use kvm or qemu)",
                     domain_virt_to_string(live->virt_type));
        return FALSE;
    }
    if (!(caps = qemu_driver_caps_lookup(drv, live->emulator, live->emulator ? NULL : arch,
                                         error)))
        return FALSE;
    if (live->virt_type == DOMAIN_VIRT_KVM && !caps->kvm) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "domain type 'kvm' needs /dev/kvm, which is not usable on this host; "
                     "use <domain type='qemu'>");
        return FALSE;
    }
    m = qemu_caps_get_machine(caps, live->os.machine);
    machine = m ? (m->alias ? m->alias : m->name) : NULL;
    if (!machine) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "emulator '%s' does not support machine type '%s'", caps->binary,
                     live->os.machine);
        return FALSE;
    }
    g_free(live->os.machine);
    live->os.machine = g_strdup(machine);
    if (!live->os.arch)
        live->os.arch = g_strdup(caps->arch);
    if (!live->emulator)
        live->emulator = g_strdup(caps->binary);
    *ret_caps = caps;
    return TRUE;
}

static char **
process_env(const QemuDomainRuntime *rt)
{
    char **env = g_new0(char *, 8);

    env[0] = g_strdup("LC_ALL=C");
    env[1] = g_strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env[2] = g_strdup_printf("HOME=%s", rt->domain_dir);
    env[3] = g_strdup_printf("XDG_DATA_HOME=%s/.local/share", rt->domain_dir);
    env[4] = g_strdup_printf("XDG_CACHE_HOME=%s/.cache", rt->domain_dir);
    env[5] = g_strdup_printf("XDG_CONFIG_HOME=%s/.config", rt->domain_dir);
    return env;
}

static int
process_open_log(const QemuDomainRuntime *rt, GPtrArray *argv, GError **error)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv->pdata);
    g_autofree char *head = NULL;
    g_autofree char *dir = g_path_get_dirname(rt->log_path);
    int fd;

    if (!mv_file_mkdir(dir, 0700, error))
        return -1;
    /* Read back too: what QEMU says if it fails to start. */
    fd = open(rt->log_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot open the QEMU log '%s'", rt->log_path);
        return -1;
    }
    head = g_strdup_printf("%s.000+0000: starting up\n%s\n", stamp, cmd);
    (void)!write(fd, head, strlen(head));
    return fd;
}

static char *
process_log_tail(int logfd, off_t from)
{
    char buf[1024];
    off_t end = lseek(logfd, 0, SEEK_END);
    off_t start;
    ssize_t n;
    const char *p = buf;
    const char *nl;

    if (end <= from)
        return g_strdup("");
    /* What this QEMU wrote, its last kilobyte, from a line start. */
    start = MAX(from, end - (off_t)sizeof(buf) + 1);
    if ((n = pread(logfd, buf, sizeof(buf) - 1, start)) <= 0)
        return g_strdup("");
    buf[n] = '\0';
    if (start > from && (nl = strchr(buf, '\n')))
        p = nl + 1;
    return g_strstrip(g_strdup(p));
}

gboolean
qemu_process_start(QemuDriver *drv, QemuDomainObj *obj, unsigned int flags, GError **error)
{
    return qemu_process_start_def(drv, obj, NULL, flags, error);
}

gboolean
qemu_process_start_def(QemuDriver *drv, QemuDomainObj *obj, const DomainDef *live_def,
                       unsigned int flags, GError **error)
{
    g_autoptr(DomainDef) live = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    g_auto(GStrv) env = NULL;
    g_autofree char *short_name = NULL;
    g_autofree char *channel_dir = NULL;
    g_autofree char *tail = NULL;
    QemuDomainRuntime *rt = NULL;
    const QemuCaps *caps = NULL;
    QemuCommandOpts opts = { 0 };
    g_autoptr(QemuTapFds) taps = NULL;
    g_autoptr(GArray) keep = g_array_new(FALSE, FALSE, sizeof(int));
    mv_autoclose int monfd = -1;
    mv_autoclose int logfd = -1;
    off_t log_start = 0;
    DomainDef *persistent;
    gboolean status_written = FALSE;
    pid_t pid = -1;
    int id;

    g_mutex_lock(&obj->lock);
    if (qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is already running");
        return FALSE;
    }
    live = domain_def_copy(live_def ? live_def : obj->def);
    g_mutex_unlock(&obj->lock);

    if (!process_prepare_def(drv, live, &caps, error))
        return FALSE;
    id = qemu_domain_list_next_id(drv->domains);
    live->id = id;
    short_name = domain_def_short_name(live);

    rt = g_new0(QemuDomainRuntime, 1);
    rt->pidfd = -1;
    rt->child = TRUE;
    rt->domain_dir = g_build_filename(drv->domains_dir, short_name, NULL);
    rt->monitor_path = g_build_filename(rt->domain_dir, "monitor.sock", NULL);
    rt->log_path = g_strdup_printf("%s/%s.log", drv->log_dir, live->name);
    rt->emulator = g_strdup(caps->binary);
    rt->qemu_version = caps->version;
    rt->machine = g_strdup(live->os.machine);

    process_remove_tree(rt->domain_dir);
    if (!mv_file_mkdir(rt->domain_dir, 0700, error))
        goto fail;
    channel_dir = domain_def_channel_dir(live, &drv->xmlopts);
    if (channel_dir) {
        if (!mv_file_mkdir(channel_dir, 0700, error))
            goto fail;
        domain_def_prepare_channel_paths(live, channel_dir);
    }
    if (!qemu_translate_domain(drv, live, rt, error))
        goto fail;
    if ((monfd = process_monitor_listen(rt->monitor_path, error)) < 0)
        goto fail;
    if (!(taps = qemu_interface_start(drv, live, error)))
        goto fail;

    opts.emulator = rt->emulator;
    opts.qemu_version = rt->qemu_version;
    opts.machine = rt->machine;
    opts.host_cpu = process_host_cpu(caps, live);
    opts.monitor_fd = monfd;
    opts.domain_dir = rt->domain_dir;
    opts.disk_sources = rt->disk_sources ? (const QemuDiskSource *const *)rt->disk_sources->pdata
                                         : NULL;
    opts.tap_fds = taps->fds;
    if (!(argv = qemu_command_build(live, &opts, error)))
        goto fail;
    /* QEMU writes its pid there at once: a daemon killed before it records
     * the pid finds it that way, instead of leaving an orphan. */
    g_ptr_array_add(argv, g_strdup("-pidfile"));
    g_ptr_array_add(argv, g_build_filename(rt->domain_dir, "qemu.pid", NULL));
    g_ptr_array_add(argv, NULL);
    if (!qemu_conf_save_status_raw(drv, live, rt, QEMU_STATE_PAUSED, QEMU_PAUSED_STARTING_UP,
                                   0, 0, error))
        goto fail;
    status_written = TRUE;
    if ((logfd = process_open_log(rt, argv, error)) < 0)
        goto fail;
    log_start = lseek(logfd, 0, SEEK_END);
    env = process_env(rt);
    g_array_append_val(keep, monfd);
    qemu_tap_fds_append(taps, keep);
    pid = mv_command_spawn((const char *const *)argv->pdata, (const char *const *)env,
                           (const int *)keep->data, keep->len, -1, logfd, logfd, TRUE);
    if (pid < 0) {
        mv_error_set_errno(error, -pid, "cannot start '%s'", rt->emulator);
        goto fail;
    }
    close(mv_steal_fd(&monfd));
    /* QEMU holds the taps now: they go when it does */
    qemu_tap_fds_close(taps);
    rt->pidfd = process_pidfd_open(pid);

    mon = process_monitor_connect(drv, obj, rt->monitor_path, pid, 0, error);
    if (!mon) {
        tail = process_log_tail(logfd, log_start);
        g_prefix_error(error, "QEMU did not start (%s): ", *tail ? tail : "no output");
        goto fail;
    }
    process_update_ptys(obj, mon, live);

    /* The domain is running from here on. */
    g_mutex_lock(&obj->lock);
    persistent = obj->def;
    if (obj->persistent) {
        obj->new_def = persistent;
    } else {
        domain_def_free(persistent);
    }
    obj->def = g_steal_pointer(&live);
    obj->pid = pid;
    obj->start_time = qemu_process_start_time(pid);
    rt->mon = g_steal_pointer(&mon);
    obj->runtime = rt;
    qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_STARTING_UP);
    g_mutex_unlock(&obj->lock);
    qemu_domain_list_update_id(drv->domains, obj, -1);
    process_watch_exit(drv, obj, rt);
    rt->inhibiting = TRUE;
    qemu_driver_domain_started(drv);

    if (!(flags & QEMU_START_PAUSED)) {
        /* Set first, so QEMU's RESUME event is seen as ours. */
        g_mutex_lock(&obj->lock);
        qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_BOOTED);
        g_mutex_unlock(&obj->lock);
        if (!qemu_monitor_cont(rt->mon, error)) {
            g_prefix_error(error, "cannot resume the guest: ");
            qemu_process_kill(drv, obj, FALSE, QEMU_SHUTOFF_FAILED, QEMU_EVENT_STOPPED_FAILED,
                              NULL);
            return FALSE;
        }
    } else {
        g_mutex_lock(&obj->lock);
        qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_USER);
        g_mutex_unlock(&obj->lock);
    }
    process_save_status(drv, obj);
    qemu_machined_register(drv, obj);
    qemu_event_lifecycle(drv, obj, QEMU_EVENT_STARTED, QEMU_EVENT_STARTED_BOOTED);
    if (flags & QEMU_START_PAUSED)
        qemu_event_lifecycle(drv, obj, QEMU_EVENT_SUSPENDED, QEMU_EVENT_SUSPENDED_PAUSED);
    return TRUE;

 fail:
    /* QEMU first: a daemon dying here must leave a status file for any
     * QEMU still alive, so that the next one stops it. */
    if (pid > 0) {
        kill(pid, SIGKILL);
        if (!process_wait_exit(rt->pidfd, pid, PROCESS_KILL_GRACE_MS))
            g_warning("domain '%s': QEMU (pid %d) survived SIGKILL", live->name, (int)pid);
        waitpid(pid, NULL, 0);
    }
    if (status_written)
        qemu_conf_delete_status(drv, live->name);
    /* Not persistent: a tap opened for this start is gone with our fd. */
    qemu_tap_fds_close(taps);
    if (rt) {
        process_remove_tree(rt->domain_dir);
        qemu_domain_runtime_free(rt);
    }
    process_remove_tree(channel_dir);
    return FALSE;
}

/* ---- reconnect ---------------------------------------------------------------------- */

static gboolean
process_is_our_qemu(pid_t pid, guint64 start_time, const char *emulator)
{
    g_autofree char *exe_link = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *exe = g_file_read_link(exe_link, NULL);
    g_autofree char *want = emulator ? realpath(emulator, NULL) : NULL;
    guint64 now = qemu_process_start_time(pid);

    if (now == 0 || (start_time && now != start_time))
        return FALSE;
    /* A pid and its start time name one process for the whole boot: that
     * is ours, whatever its binary became since (an upgrade, a symlink
     * pointed elsewhere).  Without a start time, the binary must match
     * (an upgraded one shows as "... (deleted)"). */
    if (start_time)
        return TRUE;
    if (exe && want && !g_str_has_prefix(exe, want))
        return FALSE;
    return TRUE;
}

static void
process_reconnect_one(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GError) error = NULL;
    QemuMonitor *mon = NULL;
    QemuMonitor *borrowed;
    QemuMonitorStatus status = { 0 };
    g_autofree char *path = NULL;
    g_autofree char *emulator = NULL;
    guint64 start_time;
    gboolean starting;
    gboolean reboot = FALSE;
    pid_t pid;

    g_mutex_lock(&obj->lock);
    pid = obj->pid;
    start_time = obj->start_time;
    path = g_strdup(obj->runtime->monitor_path);
    emulator = g_strdup(obj->runtime->emulator);
    starting = obj->state == QEMU_STATE_PAUSED && obj->reason == QEMU_PAUSED_STARTING_UP;
    g_mutex_unlock(&obj->lock);

    if (starting) {
        /* The daemon died while starting it: that QEMU never became a
         * running domain.  Stop it (its pidfile tells which it is). */
        pid_t qpid = 0;
        g_autofree char *pidfile = g_build_filename(obj->runtime->domain_dir, "qemu.pid",
                                                    NULL);

        if (mv_pidfile_read(pidfile, &qpid) == 0 && process_is_our_qemu(qpid, 0, emulator)) {
            g_info("domain '%s': stopping the QEMU (pid %d) of an interrupted start",
                   obj->name, (int)qpid);
            kill(qpid, SIGKILL);
        }
        process_cleanup(drv, obj, QEMU_SHUTOFF_DAEMON, 0, FALSE);
        return;
    }
    if (!process_is_our_qemu(pid, start_time, emulator)) {
        gboolean destroying;

        /* Gone by a destroy that came first (it signals before it waits
         * for this job): destroyed, and that destroy succeeds. */
        g_mutex_lock(&obj->lock);
        destroying = obj->runtime->stopping;
        g_mutex_unlock(&obj->lock);
        g_info("domain '%s': its QEMU (pid %d) is gone; marking it shut off", obj->name,
               (int)pid);
        if (destroying)
            process_cleanup(drv, obj, QEMU_SHUTOFF_DESTROYED, QEMU_EVENT_STOPPED_DESTROYED, TRUE);
        else
            process_cleanup(drv, obj, QEMU_SHUTOFF_CRASHED, 0, FALSE);
        return;
    }
    g_mutex_lock(&obj->lock);
    obj->runtime->pidfd = process_pidfd_open(pid);
    g_mutex_unlock(&obj->lock);
    process_watch_exit(drv, obj, obj->runtime);
    obj->runtime->inhibiting = TRUE;
    qemu_driver_domain_started(drv);

    mon = process_monitor_connect(drv, obj, path, pid, PROCESS_RECONNECT_TIMEOUT_MS, &error);
    if (!mon) {
        /* Not essential to the guest: it keeps running; calls needing the
         * monitor will say it is unavailable. */
        g_warning("domain '%s': cannot reconnect to its QEMU monitor, leaving it running: %s",
                  obj->name, error->message);
        return;
    }
    g_mutex_lock(&obj->lock);
    borrowed = mon;
    obj->runtime->mon = g_steal_pointer(&mon);
    g_mutex_unlock(&obj->lock);

    if (!qemu_monitor_query_status(borrowed, &status, &error)) {
        g_warning("domain '%s': cannot query its state: %s", obj->name, error->message);
    } else {
        g_mutex_lock(&obj->lock);
        if (status.running) {
            if (obj->state != QEMU_STATE_RUNNING)
                qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_UNPAUSED);
        } else if (status.state == QEMU_MONITOR_RUN_STATE_SHUTDOWN) {
            /* Powered off while nobody watched: a reboot under way (or one
             * the definition asks for) goes on, else the shutdown ends. */
            reboot = obj->runtime->fake_reboot ||
                     obj->def->on_poweroff == DOMAIN_LIFECYCLE_RESTART;
            if (reboot) {
                qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_SHUTTING_DOWN);
                obj->runtime->rebooting = TRUE;
            } else {
                qemu_domain_obj_set_state(obj, QEMU_STATE_SHUTDOWN, QEMU_SHUTDOWN_USER);
            }
        } else if (obj->state != QEMU_STATE_PAUSED && obj->state != QEMU_STATE_CRASHED) {
            qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, (int)status.reason);
        }
        g_mutex_unlock(&obj->lock);
    }
    process_save_status(drv, obj);
    /* Volume disks: translated again, compared, never acted on. */
    qemu_translate_recheck(drv, obj, borrowed);
    qemu_machined_register(drv, obj);
    if (status.state == QEMU_MONITOR_RUN_STATE_SHUTDOWN && !status.running) {
        if (reboot)
            process_finish_reboot(drv, obj);
        else
            process_finish_shutdown(drv, obj);
    }
}

static gpointer
process_reconnect_thread(gpointer data)
{
    ProcessCtx *ctx = data;

    process_reconnect_one(ctx->drv, ctx->obj);
    qemu_domain_obj_end_job(ctx->obj);
    process_ctx_free(ctx);
    return NULL;
}

GPtrArray *
qemu_process_reconnect_all(QemuDriver *drv)
{
    GPtrArray *objs = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_domain_obj_unref);
    GDir *dir = g_dir_open(drv->state_dir, 0, NULL);
    const char *entry;

    if (!dir)
        return objs;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuDomainObj) obj = NULL;
        QemuStatus st = { 0 };

        if (qemu_conf_is_stale_temp(entry)) {
            /* A temporary file of an interrupted atomic write. */
            g_autofree char *tmp = g_build_filename(drv->state_dir, entry, NULL);

            g_unlink(tmp);
            continue;
        }
        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(drv->state_dir, entry, NULL);
        if (!qemu_conf_load_status(drv, path, &st, &error)) {
            g_warning("ignoring status file %s: %s", path, error->message);
            continue;
        }
        qemu_interface_reserve_names(drv, st.def);
        obj = qemu_domain_list_add(drv->domains, g_steal_pointer(&st.def), FALSE, &error);
        if (!obj) {
            g_warning("ignoring status file %s: %s", path, error->message);
            qemu_status_clear(&st);
            continue;
        }
        /* Hold the job until the QEMU is back under control: calls made
         * meanwhile wait for it instead of failing. */
        obj->job = "reconnect";
        obj->job_since = g_get_monotonic_time();
        obj->pid = st.pid;
        obj->start_time = st.start_time;
        obj->runtime = g_steal_pointer(&st.runtime);
        obj->runtime->child = FALSE;
        qemu_domain_obj_set_state(obj, st.state, st.reason);
        qemu_status_clear(&st);
        g_ptr_array_add(objs, g_steal_pointer(&obj));
    }
    g_dir_close(dir);
    return objs;
}

void
qemu_process_reconnect_start(QemuDriver *drv, GPtrArray *objs)
{
    for (guint i = 0; i < objs->len; i++)
        qemu_driver_thread(drv, "qemu-reconnect", process_reconnect_thread,
                           process_ctx_new(drv, g_ptr_array_index(objs, i)));
    g_ptr_array_unref(objs);
}
