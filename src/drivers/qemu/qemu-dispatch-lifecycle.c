/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-dispatch-lifecycle.c: starting, stopping and pausing domains.
 */
#include <config.h>

#include <signal.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/qemu/qemu-conf.h"
#include "drivers/qemu/qemu-dispatch.h"
#include "drivers/qemu/qemu-events.h"
#include "drivers/qemu/qemu-postparse.h"
#include "drivers/qemu/qemu-process.h"
#include "util/error.h"

/* VIR_DOMAIN_START_*: PAUSED, AUTODESTROY, BYPASS_CACHE, FORCE_BOOT, VALIDATE, RESET_NVRAM */
#define START_ALL_FLAGS 0x3f
enum { DESTROY_GRACEFUL = 1, DESTROY_REMOVE_LOGS = 2 };
/* VIR_DOMAIN_SHUTDOWN_* and VIR_DOMAIN_REBOOT_* */
enum { MODE_ACPI = 1, MODE_AGENT = 2, MODE_INITCTL = 4, MODE_SIGNAL = 8, MODE_PARAVIRT = 16 };
#define MODE_ALL (MODE_ACPI | MODE_AGENT | MODE_INITCTL | MODE_SIGNAL | MODE_PARAVIRT)

static QemuDriver *
dispatch_drv(MvServerCall *call)
{
    return qemu_driver_from_client(mv_server_call_get_client(call));
}

static gboolean
dispatch_check_start_flags(const char *api, unsigned int flags, GError **error)
{
    if (!qemu_dispatch_check_flags(api, flags, START_ALL_FLAGS, error))
        return FALSE;
    if (flags & QEMU_START_AUTODESTROY) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "autodestroy is not supported by modvirt");
        return FALSE;
    }
    return TRUE;
}

/* Start a defined domain; the job is taken here. */
static gboolean
dispatch_start(QemuDriver *drv, QemuDomainObj *obj, unsigned int flags, GError **error)
{
    gboolean ok;

    if (!qemu_domain_obj_begin_job(obj, "start", 0, error))
        return FALSE;
    ok = qemu_process_start(drv, obj, flags, error);
    qemu_domain_obj_end_job(obj);
    return ok;
}

int
remote_dispatch_domain_create(MvServerCall *call, remote_domain_create_args *args,
                              GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(drv, &args->dom, error);

    if (!obj || !dispatch_start(drv, obj, 0, error))
        return -1;
    return 0;
}

int
remote_dispatch_domain_create_with_flags(MvServerCall *call,
                                         remote_domain_create_with_flags_args *args,
                                         remote_domain_create_with_flags_ret *ret,
                                         GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = NULL;

    if (!dispatch_check_start_flags("virDomainCreateWithFlags", args->flags, error) ||
        !(obj = qemu_dispatch_get_domain(drv, &args->dom, error)) ||
        !dispatch_start(drv, obj, args->flags, error))
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

/* virDomainCreateXML for a domain already known by its uuid: a defined,
 * inactive one starts with @def as its live definition (as libvirt). */
static int
dispatch_create_existing(QemuDriver *drv, QemuDomainObj *obj, const DomainDef *def,
                         unsigned int flags, remote_domain_create_xml_ret *ret, GError **error)
{
    gboolean active;
    gboolean persistent;
    gboolean ok;
    char uuid[37];

    if (!g_str_equal(obj->name, def->name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", obj->name,
                     mv_uuid_format(obj->uuid, uuid));
        return -1;
    }
    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    persistent = obj->persistent;
    g_mutex_unlock(&obj->lock);
    if (active || !persistent) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     active ? "domain '%s' is already active"
                            : "domain '%s' is already being started", obj->name);
        return -1;
    }
    if (!qemu_domain_obj_begin_job(obj, "start", 0, error))
        return -1;
    ok = qemu_process_start_def(drv, obj, def, flags, error);
    qemu_domain_obj_end_job(obj);
    if (!ok)
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

int
remote_dispatch_domain_create_xml(MvServerCall *call, remote_domain_create_xml_args *args,
                                  remote_domain_create_xml_ret *ret, GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuDomainObj) obj = NULL;
    g_autoptr(QemuDomainObj) other = NULL;

    if (!dispatch_check_start_flags("virDomainCreateXML", args->flags, error))
        return -1;
    def = domain_def_parse_string(args->xml_desc, &drv->xmlopts,
                                  DOMAIN_PARSE_INACTIVE |
                                  ((args->flags & QEMU_START_VALIDATE) ? DOMAIN_PARSE_VALIDATE : 0),
                                  error);
    if (!def || !domain_def_validate(def, &drv->xmlopts, error) ||
        !qemu_postparse_define(drv, def, error))
        return -1;
    if ((other = qemu_domain_list_find_by_uuid(drv->domains, def->uuid, NULL)))
        return dispatch_create_existing(drv, other, def, args->flags & ~QEMU_START_VALIDATE,
                                        ret, error);
    if ((other = qemu_domain_list_find_by_name(drv->domains, def->name, NULL))) {
        char uuid[37];

        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", other->name,
                     mv_uuid_format(other->uuid, uuid));
        return -1;
    }
    g_mutex_lock(&drv->define_lock);
    obj = qemu_domain_list_add(drv->domains, g_steal_pointer(&def), FALSE, error);
    g_mutex_unlock(&drv->define_lock);
    if (!obj)
        return -1;
    if (!dispatch_start(drv, obj, args->flags & ~QEMU_START_VALIDATE, error)) {
        qemu_process_remove_transient(drv, obj);
        return -1;
    }
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

static int
dispatch_destroy(QemuDriver *drv, const remote_nonnull_domain *dom, unsigned int flags,
                 GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    gboolean signalled = FALSE;
    gboolean ok;

    if (!qemu_dispatch_check_flags("virDomainDestroyFlags", flags,
                                   DESTROY_GRACEFUL | DESTROY_REMOVE_LOGS, error) ||
        !(obj = qemu_dispatch_get_domain(drv, dom, error)) ||
        !qemu_process_destroy_begin(drv, obj, (flags & DESTROY_GRACEFUL) != 0, &signalled,
                                    error))
        return -1;
    g_mutex_lock(&obj->lock);
    /* Our signal ended it while another job (a reconnect) held the domain:
     * that job recorded it destroyed; so was it. */
    ok = signalled && !qemu_domain_obj_is_active(obj);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        ok = qemu_process_kill(drv, obj, (flags & DESTROY_GRACEFUL) != 0,
                               QEMU_SHUTOFF_DESTROYED, QEMU_EVENT_STOPPED_DESTROYED, error);
    if (ok && (flags & DESTROY_REMOVE_LOGS)) {
        g_autofree char *log = g_strdup_printf("%s/%s.log", drv->log_dir, obj->name);

        g_unlink(log);
    }
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}

int
remote_dispatch_domain_destroy(MvServerCall *call, remote_domain_destroy_args *args,
                               GError **error)
{
    return dispatch_destroy(dispatch_drv(call), &args->dom, 0, error);
}

int
remote_dispatch_domain_destroy_flags(MvServerCall *call,
                                     remote_domain_destroy_flags_args *args, GError **error)
{
    return dispatch_destroy(dispatch_drv(call), &args->dom, args->flags, error);
}

/* Take the job of a running domain and its monitor. */
static QemuMonitor *
dispatch_begin_running(QemuDomainObj *obj, const char *what, GError **error)
{
    QemuMonitor *mon;

    if (!qemu_domain_obj_begin_job(obj, what, 0, error))
        return NULL;
    if (!(mon = qemu_process_get_monitor(obj, error)))
        qemu_domain_obj_end_job(obj);
    return mon;
}

static gboolean
dispatch_check_mode(const char *api, unsigned int flags, GError **error)
{
    if (!qemu_dispatch_check_flags(api, flags, MODE_ALL, error))
        return FALSE;
    if (flags & ~(MODE_ACPI | MODE_SIGNAL)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "%s: only the 'acpi' and 'signal' modes are supported (no guest agent, "
                     "initctl or paravirt)", api);
        return FALSE;
    }
    return TRUE;
}

static int
dispatch_shutdown(QemuDriver *drv, const remote_nonnull_domain *dom, unsigned int flags,
                  GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    gboolean ok = TRUE;
    pid_t pid;

    if (!dispatch_check_mode("virDomainShutdownFlags", flags, error) ||
        !(obj = qemu_dispatch_get_domain(drv, dom, error)))
        return -1;
    if (flags == MODE_SIGNAL) {
        if (!qemu_domain_obj_begin_job(obj, "shutdown", 0, error))
            return -1;
        g_mutex_lock(&obj->lock);
        pid = qemu_domain_obj_is_active(obj) ? obj->pid : 0;
        g_mutex_unlock(&obj->lock);
        if (pid <= 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
            ok = FALSE;
        } else {
            kill(pid, SIGTERM);
        }
        qemu_domain_obj_end_job(obj);
        return ok ? 0 : -1;
    }
    if (!(mon = dispatch_begin_running(obj, "shutdown", error)))
        return -1;
    g_mutex_lock(&obj->lock);
    if (obj->runtime)
        obj->runtime->fake_reboot = FALSE;
    g_mutex_unlock(&obj->lock);
    ok = qemu_monitor_system_powerdown(mon, error);
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}

int
remote_dispatch_domain_shutdown(MvServerCall *call, remote_domain_shutdown_args *args,
                                GError **error)
{
    return dispatch_shutdown(dispatch_drv(call), &args->dom, 0, error);
}

int
remote_dispatch_domain_shutdown_flags(MvServerCall *call,
                                      remote_domain_shutdown_flags_args *args, GError **error)
{
    return dispatch_shutdown(dispatch_drv(call), &args->dom, args->flags, error);
}

int
remote_dispatch_domain_reboot(MvServerCall *call, remote_domain_reboot_args *args,
                              GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    gboolean ok;

    if (!dispatch_check_mode("virDomainReboot", args->flags, error) ||
        !(obj = qemu_dispatch_get_domain(drv, &args->dom, error)) ||
        !(mon = dispatch_begin_running(obj, "reboot", error)))
        return -1;
    /* An ACPI power-off the guest performs, turned into a reset when QEMU
     * reports the shutdown (-no-shutdown keeps it around). */
    g_mutex_lock(&obj->lock);
    obj->runtime->fake_reboot = TRUE;
    g_mutex_unlock(&obj->lock);
    /* A daemon restarted meanwhile goes on with the reboot. */
    qemu_driver_save_status_later(drv, obj);
    ok = qemu_monitor_system_powerdown(mon, error);
    if (!ok) {
        g_mutex_lock(&obj->lock);
        if (obj->runtime)
            obj->runtime->fake_reboot = FALSE;
        g_mutex_unlock(&obj->lock);
    }
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}

int
remote_dispatch_domain_reset(MvServerCall *call, remote_domain_reset_args *args,
                             GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    gboolean ok;

    if (!qemu_dispatch_check_flags("virDomainReset", args->flags, 0, error) ||
        !(obj = qemu_dispatch_get_domain(drv, &args->dom, error)) ||
        !(mon = dispatch_begin_running(obj, "reset", error)))
        return -1;
    ok = qemu_monitor_system_reset(mon, error);
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}

static void
dispatch_save_status(QemuDriver *drv, QemuDomainObj *obj)
{
    g_autoptr(GError) error = NULL;

    if (!qemu_conf_save_status(drv, obj, &error))
        g_warning("domain '%s': cannot save its status: %s", obj->name, error->message);
}

int
remote_dispatch_domain_suspend(MvServerCall *call, remote_domain_suspend_args *args,
                               GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    int old_state, old_reason;
    gboolean ok = TRUE;

    if (!(obj = qemu_dispatch_get_domain(drv, &args->dom, error)) ||
        !(mon = dispatch_begin_running(obj, "suspend", error)))
        return -1;
    g_mutex_lock(&obj->lock);
    old_state = obj->state;
    old_reason = obj->reason;
    if (old_state == QEMU_STATE_PAUSED) {
        /* Already paused: nothing to do, as libvirt does. */
        g_mutex_unlock(&obj->lock);
        qemu_domain_obj_end_job(obj);
        return 0;
    }
    if (old_state != QEMU_STATE_RUNNING) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot suspend domain '%s' in state %s", obj->name,
                     qemu_state_to_string(old_state));
        qemu_domain_obj_end_job(obj);
        return -1;
    }
    /* Set first, so QEMU's STOP event is seen as ours. */
    qemu_domain_obj_set_state(obj, QEMU_STATE_PAUSED, QEMU_PAUSED_USER);
    g_mutex_unlock(&obj->lock);
    if (!qemu_monitor_stop(mon, error)) {
        g_mutex_lock(&obj->lock);
        qemu_domain_obj_set_state(obj, old_state, old_reason);
        g_mutex_unlock(&obj->lock);
        ok = FALSE;
    } else {
        dispatch_save_status(drv, obj);
        qemu_event_lifecycle(drv, obj, QEMU_EVENT_SUSPENDED, QEMU_EVENT_SUSPENDED_PAUSED);
    }
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}

int
remote_dispatch_domain_resume(MvServerCall *call, remote_domain_resume_args *args,
                              GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    int old_state, old_reason;
    gboolean ok = TRUE;

    if (!(obj = qemu_dispatch_get_domain(drv, &args->dom, error)) ||
        !(mon = dispatch_begin_running(obj, "resume", error)))
        return -1;
    g_mutex_lock(&obj->lock);
    old_state = obj->state;
    old_reason = obj->reason;
    if (old_state == QEMU_STATE_RUNNING) {
        g_mutex_unlock(&obj->lock);
        qemu_domain_obj_end_job(obj);
        return 0;
    }
    if (old_state != QEMU_STATE_PAUSED) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot resume domain '%s' in state %s", obj->name,
                     qemu_state_to_string(old_state));
        qemu_domain_obj_end_job(obj);
        return -1;
    }
    qemu_domain_obj_set_state(obj, QEMU_STATE_RUNNING, QEMU_RUNNING_UNPAUSED);
    g_mutex_unlock(&obj->lock);
    if (!qemu_monitor_cont(mon, error)) {
        g_mutex_lock(&obj->lock);
        qemu_domain_obj_set_state(obj, old_state, old_reason);
        g_mutex_unlock(&obj->lock);
        ok = FALSE;
    } else {
        dispatch_save_status(drv, obj);
        qemu_event_lifecycle(drv, obj, QEMU_EVENT_RESUMED, QEMU_EVENT_RESUMED_UNPAUSED);
    }
    qemu_domain_obj_end_job(obj);
    return ok ? 0 : -1;
}
