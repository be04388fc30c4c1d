/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-monitor-cmd.c: typed wrappers of the QMP commands the driver uses,
 * on top of qemu_monitor_command().
 */
#include <config.h>

#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-monitor.h"
#include "util/error.h"
#include "util/macros.h"

MV_ENUM_IMPL(qemu_monitor_run_state, QEMU_MONITOR_RUN_STATE_LAST,
             "debug", "inmigrate", "internal-error", "io-error", "paused", "postmigrate",
             "prelaunch", "finish-migrate", "restore-vm", "running", "save-vm", "shutdown",
             "suspended", "watchdog", "guest-panicked", "colo", "preconfig")

/* JSON accessors tolerant of missing members. */
static const char *
qemu_json_string(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static guint64
qemu_json_uint(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    return json_object_get_uint64(v);
}

static gboolean
qemu_json_bool(json_object *obj, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v);
}

static gboolean
qemu_monitor_check_type(json_object *ret, json_type type, const char *cmd, GError **error)
{
    if (json_object_is_type(ret, type))
        return TRUE;
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                 "QEMU command '%s' returned an unexpected value: %s", cmd,
                 json_object_to_json_string(ret));
    return FALSE;
}

/* Run @cmd, which returns nothing of interest. */
static gboolean
qemu_monitor_simple(QemuMonitor *mon, const char *cmd, GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(mon, cmd, NULL, 0, error);

    return ret != NULL;
}

QemuMonitorPausedReason
qemu_monitor_run_state_paused_reason(QemuMonitorRunState state)
{
    switch (state) {
    case QEMU_MONITOR_RUN_STATE_INMIGRATE:
    case QEMU_MONITOR_RUN_STATE_POSTMIGRATE:
    case QEMU_MONITOR_RUN_STATE_FINISH_MIGRATE:
        return QEMU_MONITOR_PAUSED_MIGRATION;
    case QEMU_MONITOR_RUN_STATE_IO_ERROR:
        return QEMU_MONITOR_PAUSED_IOERROR;
    case QEMU_MONITOR_RUN_STATE_PAUSED:
    case QEMU_MONITOR_RUN_STATE_PRELAUNCH:
        return QEMU_MONITOR_PAUSED_USER;
    case QEMU_MONITOR_RUN_STATE_SAVE_VM:
        return QEMU_MONITOR_PAUSED_SAVE;
    case QEMU_MONITOR_RUN_STATE_SHUTDOWN:
        return QEMU_MONITOR_PAUSED_SHUTTING_DOWN;
    case QEMU_MONITOR_RUN_STATE_WATCHDOG:
        return QEMU_MONITOR_PAUSED_WATCHDOG;
    case QEMU_MONITOR_RUN_STATE_GUEST_PANICKED:
        return QEMU_MONITOR_PAUSED_CRASHED;
    case QEMU_MONITOR_RUN_STATE_DEBUG:
    case QEMU_MONITOR_RUN_STATE_INTERNAL_ERROR:
    case QEMU_MONITOR_RUN_STATE_RESTORE_VM:
    case QEMU_MONITOR_RUN_STATE_RUNNING:
    case QEMU_MONITOR_RUN_STATE_SUSPENDED:
    case QEMU_MONITOR_RUN_STATE_COLO:
    case QEMU_MONITOR_RUN_STATE_PRECONFIG:
        return QEMU_MONITOR_PAUSED_UNKNOWN;
    case QEMU_MONITOR_RUN_STATE_LAST:
    default:
        mv_enum_range_error(state);
        return QEMU_MONITOR_PAUSED_UNKNOWN;
    }
}

gboolean
qemu_monitor_query_status(QemuMonitor *mon, QemuMonitorStatus *ret_status, GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(mon, "query-status", NULL, 0, error);
    const char *status;
    int state;

    if (!ret || !qemu_monitor_check_type(ret, json_type_object, "query-status", error))
        return FALSE;
    status = qemu_json_string(ret, "status");
    if (!status || (state = qemu_monitor_run_state_from_string(status)) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU reported an unknown run state '%s'", status ? status : "");
        return FALSE;
    }
    ret_status->running = qemu_json_bool(ret, "running");
    ret_status->state = state;
    ret_status->reason = qemu_monitor_run_state_paused_reason(state);
    return TRUE;
}

gboolean
qemu_monitor_cont(QemuMonitor *mon, GError **error)
{
    return qemu_monitor_simple(mon, "cont", error);
}

gboolean
qemu_monitor_stop(QemuMonitor *mon, GError **error)
{
    return qemu_monitor_simple(mon, "stop", error);
}

gboolean
qemu_monitor_system_powerdown(QemuMonitor *mon, GError **error)
{
    return qemu_monitor_simple(mon, "system_powerdown", error);
}

gboolean
qemu_monitor_system_reset(QemuMonitor *mon, GError **error)
{
    return qemu_monitor_simple(mon, "system_reset", error);
}

gboolean
qemu_monitor_quit(QemuMonitor *mon, GError **error)
{
    return qemu_monitor_simple(mon, "quit", error);
}

char *
qemu_monitor_hmp(QemuMonitor *mon, const char *cmdline, GError **error)
{
    g_autoptr(json_object) args = json_object_new_object();
    g_autoptr(json_object) ret = NULL;

    json_object_object_add(args, "command-line", json_object_new_string(cmdline));
    ret = qemu_monitor_command(mon, "human-monitor-command", args, 0, error);
    if (!ret || !qemu_monitor_check_type(ret, json_type_string, "human-monitor-command", error))
        return NULL;
    return g_strdup(json_object_get_string(ret));
}

static void
qemu_monitor_cpu_clear(gpointer p)
{
    g_free(((QemuMonitorCpu *)p)->qom_path);
}

GArray *
qemu_monitor_query_cpus(QemuMonitor *mon, GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(mon, "query-cpus-fast", NULL, 0, error);
    GArray *cpus;

    if (!ret || !qemu_monitor_check_type(ret, json_type_array, "query-cpus-fast", error))
        return NULL;
    cpus = g_array_new(FALSE, TRUE, sizeof(QemuMonitorCpu));
    g_array_set_clear_func(cpus, qemu_monitor_cpu_clear);
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        QemuMonitorCpu cpu = { 0 };
        json_object *v;

        cpu.index = json_object_object_get_ex(e, "cpu-index", &v) ? json_object_get_int(v)
                                                                   : (int)i;
        cpu.thread_id = json_object_object_get_ex(e, "thread-id", &v) ? json_object_get_int64(v)
                                                                       : -1;
        cpu.qom_path = g_strdup(qemu_json_string(e, "qom-path"));
        g_array_append_val(cpus, cpu);
    }
    return cpus;
}

int
qemu_monitor_query_balloon(QemuMonitor *mon, guint64 *ret_actual, GError **error)
{
    g_autofree char *klass = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(json_object) ret = qemu_monitor_command_full(mon, "query-balloon", NULL, 0,
                                                           &klass, &local);

    if (!ret) {
        /* No balloon device: not an error for the caller. */
        if (g_strcmp0(klass, "DeviceNotActive") == 0)
            return 0;
        g_propagate_error(error, g_steal_pointer(&local));
        return -1;
    }
    if (!qemu_monitor_check_type(ret, json_type_object, "query-balloon", error))
        return -1;
    *ret_actual = qemu_json_uint(ret, "actual");
    return 1;
}

void
qemu_monitor_block_stats_free(QemuMonitorBlockStats *stats)
{
    if (!stats)
        return;
    g_free(stats->device);
    g_free(stats->node_name);
    g_free(stats->qdev);
    g_free(stats);
}

GPtrArray *
qemu_monitor_query_blockstats(QemuMonitor *mon, GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(mon, "query-blockstats", NULL, 0, error);
    GPtrArray *list;

    if (!ret || !qemu_monitor_check_type(ret, json_type_array, "query-blockstats", error))
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_monitor_block_stats_free);
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        QemuMonitorBlockStats *st = g_new0(QemuMonitorBlockStats, 1);
        json_object *s = NULL;

        st->device = g_strdup(qemu_json_string(e, "device"));
        st->node_name = g_strdup(qemu_json_string(e, "node-name"));
        st->qdev = g_strdup(qemu_json_string(e, "qdev"));
        if (json_object_object_get_ex(e, "stats", &s)) {
            st->rd_bytes = qemu_json_uint(s, "rd_bytes");
            st->wr_bytes = qemu_json_uint(s, "wr_bytes");
            st->rd_req = qemu_json_uint(s, "rd_operations");
            st->wr_req = qemu_json_uint(s, "wr_operations");
            st->flush_req = qemu_json_uint(s, "flush_operations");
            st->rd_total_ns = qemu_json_uint(s, "rd_total_time_ns");
            st->wr_total_ns = qemu_json_uint(s, "wr_total_time_ns");
            st->flush_total_ns = qemu_json_uint(s, "flush_total_time_ns");
            st->wr_highest_offset = qemu_json_uint(s, "wr_highest_offset");
        }
        g_ptr_array_add(list, st);
    }
    return list;
}

void
qemu_monitor_block_node_free(QemuMonitorBlockNode *node)
{
    if (!node)
        return;
    g_free(node->node_name);
    g_free(node->driver);
    g_free(node->filename);
    g_free(node);
}

GPtrArray *
qemu_monitor_query_named_block_nodes(QemuMonitor *mon, GError **error)
{
    g_autoptr(json_object) args = json_object_new_object();
    g_autoptr(json_object) ret = NULL;
    GPtrArray *list;

    json_object_object_add(args, "flat", json_object_new_boolean(TRUE));
    ret = qemu_monitor_command(mon, "query-named-block-nodes", args, 0, error);
    if (!ret ||
        !qemu_monitor_check_type(ret, json_type_array, "query-named-block-nodes", error))
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_monitor_block_node_free);
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        QemuMonitorBlockNode *node = g_new0(QemuMonitorBlockNode, 1);
        json_object *image = NULL;

        node->node_name = g_strdup(qemu_json_string(e, "node-name"));
        node->driver = g_strdup(qemu_json_string(e, "drv"));
        node->filename = g_strdup(qemu_json_string(e, "file"));
        node->read_only = qemu_json_bool(e, "ro");
        if (json_object_object_get_ex(e, "image", &image)) {
            node->virtual_size = qemu_json_uint(image, "virtual-size");
            node->actual_size = qemu_json_uint(image, "actual-size");
        }
        g_ptr_array_add(list, node);
    }
    return list;
}

void
qemu_monitor_chardev_free(QemuMonitorChardev *chr)
{
    if (!chr)
        return;
    g_free(chr->label);
    g_free(chr->filename);
    g_free(chr->pty_path);
    g_free(chr);
}

GHashTable *
qemu_monitor_query_chardev(QemuMonitor *mon, GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(mon, "query-chardev", NULL, 0, error);
    GHashTable *table;

    if (!ret || !qemu_monitor_check_type(ret, json_type_array, "query-chardev", error))
        return NULL;
    table = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                  (GDestroyNotify)qemu_monitor_chardev_free);
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        const char *label = qemu_json_string(e, "label");
        QemuMonitorChardev *chr;

        if (!label)
            continue;
        chr = g_new0(QemuMonitorChardev, 1);
        chr->label = g_strdup(label);
        chr->filename = g_strdup(qemu_json_string(e, "filename"));
        chr->frontend_open = qemu_json_bool(e, "frontend-open");
        if (chr->filename && g_str_has_prefix(chr->filename, "pty:"))
            chr->pty_path = g_strdup(chr->filename + strlen("pty:"));
        /* The key is the value's own label. */
        g_hash_table_replace(table, chr->label, chr);
    }
    return table;
}
