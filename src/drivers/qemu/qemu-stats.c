/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-stats.c: CONNECT_GET_ALL_DOMAIN_STATS: the state, cpu-total,
 * balloon, vcpu, interface and block groups, libvirt's field names.
 *
 * Inactive domains report what their definition says; running ones add
 * what /proc and QEMU tell.  A domain whose monitor is busy (another job)
 * is skipped for the monitor-based groups rather than waited for when
 * NOWAIT is given.  Also DOMAIN_INTERFACE_STATS (virsh domifstat): one
 * interface's counters, the same as its "net" group.
 */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/qemu/qemu-dispatch.h"
#include "drivers/qemu/qemu-interface.h"
#include "drivers/qemu/qemu-process.h"
#include "remote/remote-typed-params.h"
#include "util/error.h"

enum {
    STATS_STATE = 1 << 0,
    STATS_CPU_TOTAL = 1 << 1,
    STATS_BALLOON = 1 << 2,
    STATS_VCPU = 1 << 3,
    STATS_INTERFACE = 1 << 4,
    STATS_BLOCK = 1 << 5,
};
#define STATS_SUPPORTED 0x3f
/* VIR_CONNECT_GET_ALL_DOMAINS_STATS_* */
#define STATS_FLAG_ACTIVE (1u << 0)
#define STATS_FLAG_INACTIVE (1u << 1)
#define STATS_FLAG_PERSISTENT (1u << 2)
#define STATS_FLAG_TRANSIENT (1u << 3)
#define STATS_FLAG_RUNNING (1u << 4)
#define STATS_FLAG_PAUSED (1u << 5)
#define STATS_FLAG_SHUTOFF (1u << 6)
#define STATS_FLAG_OTHER (1u << 7)
#define STATS_FLAG_NOWAIT (1u << 29)
#define STATS_FLAG_BACKING (1u << 30)
#define STATS_FLAG_ENFORCE (1u << 31)

static gboolean
stats_filter(QemuDomainObj *obj, unsigned int flags)
{
    gboolean active = qemu_domain_obj_is_active(obj);
    int st = obj->state;

    if ((flags & (STATS_FLAG_ACTIVE | STATS_FLAG_INACTIVE)) &&
        !((flags & STATS_FLAG_ACTIVE && active) || (flags & STATS_FLAG_INACTIVE && !active)))
        return FALSE;
    if ((flags & (STATS_FLAG_PERSISTENT | STATS_FLAG_TRANSIENT)) &&
        !((flags & STATS_FLAG_PERSISTENT && obj->persistent) ||
          (flags & STATS_FLAG_TRANSIENT && !obj->persistent)))
        return FALSE;
    if ((flags & (STATS_FLAG_RUNNING | STATS_FLAG_PAUSED | STATS_FLAG_SHUTOFF | STATS_FLAG_OTHER)) &&
        !((flags & STATS_FLAG_RUNNING && st == QEMU_STATE_RUNNING) ||
          (flags & STATS_FLAG_PAUSED && st == QEMU_STATE_PAUSED) ||
          (flags & STATS_FLAG_SHUTOFF && st == QEMU_STATE_SHUTOFF) ||
          (flags & STATS_FLAG_OTHER && st != QEMU_STATE_RUNNING && st != QEMU_STATE_PAUSED &&
           st != QEMU_STATE_SHUTOFF)))
        return FALSE;
    return TRUE;
}

static guint64
stats_read_u64(const char *path)
{
    g_autofree char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    return g_ascii_strtoull(data, NULL, 10);
}

static void
stats_cpu(TypedParams *tp, pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;
    g_auto(GStrv) f = NULL;
    long hz = sysconf(_SC_CLK_TCK);
    char *p;
    guint64 ns = hz > 0 ? 1000000000ULL / (guint64)hz : 0;
    guint64 user = 0, sys = 0;

    if (g_file_get_contents(path, &data, NULL, NULL) && (p = strrchr(data, ')'))) {
        f = g_strsplit(p + 2, " ", -1);
        if (g_strv_length(f) > 12) {
            user = g_ascii_strtoull(f[11], NULL, 10) * ns;
            sys = g_ascii_strtoull(f[12], NULL, 10) * ns;
        }
    }
    typed_params_add_ullong(tp, "cpu.time", user + sys);
    typed_params_add_ullong(tp, "cpu.user", user);
    typed_params_add_ullong(tp, "cpu.system", sys);
}

static guint64
stats_thread_time(pid_t pid, gint64 tid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task/%" G_GINT64_FORMAT "/stat", (int)pid,
                                            tid);
    g_autofree char *data = NULL;
    g_auto(GStrv) f = NULL;
    long hz = sysconf(_SC_CLK_TCK);
    char *p;

    if (hz <= 0 || !g_file_get_contents(path, &data, NULL, NULL) || !(p = strrchr(data, ')')))
        return 0;
    f = g_strsplit(p + 2, " ", -1);
    if (g_strv_length(f) <= 12)
        return 0;
    return (g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10)) *
           (1000000000ULL / (guint64)hz);
}

static void
stats_vcpu(TypedParams *tp, const DomainDef *def, pid_t pid, QemuMonitor *mon)
{
    guint cur = def->vcpus_current ? def->vcpus_current : def->vcpus_max;
    g_autoptr(GArray) cpus = NULL;

    typed_params_add_uint(tp, "vcpu.current", cur);
    typed_params_add_uint(tp, "vcpu.maximum", def->vcpus_max);
    if (!mon || !(cpus = qemu_monitor_query_cpus(mon, NULL)))
        return;
    for (guint i = 0; i < cpus->len; i++) {
        QemuMonitorCpu *c = &g_array_index(cpus, QemuMonitorCpu, i);
        g_autofree char *state = g_strdup_printf("vcpu.%u.state", i);
        g_autofree char *time = g_strdup_printf("vcpu.%u.time", i);

        typed_params_add_int(tp, state, 1); /* VIR_VCPU_RUNNING */
        typed_params_add_ullong(tp, time, stats_thread_time(pid, c->thread_id));
    }
}

static void
stats_interfaces(TypedParams *tp, const DomainDef *def, gboolean active)
{
    static const char *const counters[] = {
        "rx_bytes", "rx.bytes", "rx_packets", "rx.pkts", "rx_errors", "rx.errs",
        "rx_dropped", "rx.drop", "tx_bytes", "tx.bytes", "tx_packets", "tx.pkts",
        "tx_errors", "tx.errs", "tx_dropped", "tx.drop",
    };

    typed_params_add_uint(tp, "net.count", def->nets->len);
    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);
        g_autofree char *name = g_strdup_printf("net.%u.name", i);

        typed_params_add_string(tp, name, net->ifname ? net->ifname : "");
        if (!active || !net->ifname)
            continue;
        /* A tap counts from the host's side: what it receives, the guest
         * sent.  Report the guest's view, as libvirt does. */
        for (guint c = 0; c < G_N_ELEMENTS(counters); c += 2) {
            const char *swapped = counters[c][0] == 'r' ? "tx" : "rx";
            g_autofree char *field = g_strdup_printf("net.%u.%s", i, counters[c + 1]);
            g_autofree char *sys = g_strdup_printf("/sys/class/net/%s/statistics/%s%s",
                                                   net->ifname, swapped, counters[c] + 2);

            typed_params_add_ullong(tp, field, stats_read_u64(sys));
        }
    }
}

static void
stats_block(TypedParams *tp, const DomainDef *def, QemuMonitor *mon)
{
    g_autoptr(GPtrArray) blk = mon ? qemu_monitor_query_blockstats(mon, NULL) : NULL;
    g_autoptr(GPtrArray) nodes = mon ? qemu_monitor_query_named_block_nodes(mon, NULL) : NULL;

    typed_params_add_uint(tp, "block.count", def->disks->len);
    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autofree char *fname = g_strdup_printf("block.%u.name", i);
        g_autofree char *fpath = g_strdup_printf("block.%u.path", i);
        const char *qdev = disk->info.alias;

        typed_params_add_string(tp, fname, disk->dst ? disk->dst : "");
        if (disk->path)
            typed_params_add_string(tp, fpath, disk->path);
        for (guint j = 0; blk && j < blk->len; j++) {
            QemuMonitorBlockStats *s = g_ptr_array_index(blk, j);
            struct {
                const char *name;
                guint64 v;
            } f[] = {
                { "rd.reqs", s->rd_req }, { "rd.bytes", s->rd_bytes },
                { "rd.times", s->rd_total_ns }, { "wr.reqs", s->wr_req },
                { "wr.bytes", s->wr_bytes }, { "wr.times", s->wr_total_ns },
                { "fl.reqs", s->flush_req }, { "fl.times", s->flush_total_ns },
            };

            if (!qdev || !s->qdev || !strstr(s->qdev, qdev))
                continue;
            for (guint k = 0; k < G_N_ELEMENTS(f); k++) {
                g_autofree char *field = g_strdup_printf("block.%u.%s", i, f[k].name);

                typed_params_add_ullong(tp, field, f[k].v);
            }
            break;
        }
        for (guint j = 0; nodes && j < nodes->len; j++) {
            QemuMonitorBlockNode *n = g_ptr_array_index(nodes, j);
            g_autofree char *want = qemu_command_disk_node_name(def, i, "format");
            g_autofree char *fa = NULL, *fc = NULL;

            if (!n->node_name || !g_str_equal(n->node_name, want))
                continue;
            fa = g_strdup_printf("block.%u.allocation", i);
            fc = g_strdup_printf("block.%u.capacity", i);
            typed_params_add_ullong(tp, fa, n->actual_size);
            typed_params_add_ullong(tp, fc, n->virtual_size);
            break;
        }
    }
}

/* One record: @obj's stats for the groups in @stats. */
static void
stats_domain(QemuDomainObj *obj, unsigned int stats, unsigned int flags,
             remote_domain_stats_record *rec)
{
    g_autoptr(DomainDef) def = NULL;
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    TypedParams tp;
    gboolean active;
    gboolean job = FALSE;
    int state, reason;
    pid_t pid;

    qemu_dispatch_make_domain(obj, &rec->dom);
    typed_params_init(&tp);
    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    state = obj->state;
    reason = obj->reason;
    pid = obj->pid;
    /* The cheap, common case (mvsh list) copies nothing. */
    if (stats & ~STATS_STATE)
        def = domain_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);

    if (stats & STATS_STATE) {
        typed_params_add_int(&tp, "state.state", state);
        typed_params_add_int(&tp, "state.reason", reason);
    }
    if (active && (stats & (STATS_BALLOON | STATS_VCPU | STATS_BLOCK))) {
        guint timeout = (flags & STATS_FLAG_NOWAIT) ? 1 : 0;

        if (qemu_domain_obj_begin_job(obj, "stats", timeout, NULL)) {
            job = TRUE;
            mon = qemu_process_get_monitor(obj, NULL);
        }
    }
    if (def && active && (stats & STATS_CPU_TOTAL))
        stats_cpu(&tp, pid);
    if (def && (stats & STATS_BALLOON)) {
        guint64 actual = 0;

        if (mon && qemu_monitor_query_balloon(mon, &actual, NULL) == 1)
            typed_params_add_ullong(&tp, "balloon.current", actual / 1024);
        else
            typed_params_add_ullong(&tp, "balloon.current",
                                    def->cur_memory_kib ? def->cur_memory_kib
                                                        : def->max_memory_kib);
        typed_params_add_ullong(&tp, "balloon.maximum", def->max_memory_kib);
    }
    if (def && (stats & STATS_VCPU))
        stats_vcpu(&tp, def, pid, active ? mon : NULL);
    if (def && (stats & STATS_INTERFACE))
        stats_interfaces(&tp, def, active);
    if (def && (stats & STATS_BLOCK))
        stats_block(&tp, def, active ? mon : NULL);
    if (job)
        qemu_domain_obj_end_job(obj);
    typed_params_steal(&tp, &rec->params.params_val, &rec->params.params_len);
    typed_params_clear(&tp);
}

int
remote_dispatch_connect_get_all_domain_stats(MvServerCall *call,
                                             remote_connect_get_all_domain_stats_args *args,
                                             remote_connect_get_all_domain_stats_ret *ret,
                                             GError **error)
{
    QemuDriver *drv = qemu_driver_from_client(mv_server_call_get_client(call));
    g_autoptr(GPtrArray) objs = NULL;
    unsigned int stats = args->stats ? args->stats : STATS_SUPPORTED;
    unsigned int flags = args->flags;
    guint n = 0;

    if (flags & ~(0xffu | STATS_FLAG_NOWAIT | STATS_FLAG_BACKING | STATS_FLAG_ENFORCE)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function virConnectGetAllDomainStats", flags);
        return -1;
    }
    if ((flags & STATS_FLAG_ENFORCE) && (args->stats & ~STATS_SUPPORTED)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "requested statistics groups 0x%x are not supported",
                     args->stats & ~STATS_SUPPORTED);
        return -1;
    }
    stats &= STATS_SUPPORTED;
    if (args->doms.doms_len > 0) {
        if (flags & 0xff) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                         "filtering flags cannot be used with an explicit domain list");
            return -1;
        }
        objs = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_domain_obj_unref);
        for (u_int i = 0; i < args->doms.doms_len; i++) {
            QemuDomainObj *obj = qemu_dispatch_get_domain(drv, &args->doms.doms_val[i], error);

            if (!obj)
                return -1;
            g_ptr_array_add(objs, obj);
        }
    } else {
        objs = qemu_domain_list_all(drv->domains);
    }
    ret->retStats.retStats_val = g_new0(remote_domain_stats_record, objs->len ? objs->len : 1);
    for (guint i = 0; i < objs->len; i++) {
        QemuDomainObj *obj = g_ptr_array_index(objs, i);
        gboolean match;

        g_mutex_lock(&obj->lock);
        match = stats_filter(obj, flags);
        g_mutex_unlock(&obj->lock);
        if (!match)
            continue;
        stats_domain(obj, stats, flags, &ret->retStats.retStats_val[n++]);
    }
    ret->retStats.retStats_len = n;
    return 0;
}

/* ---- DOMAIN_INTERFACE_STATS ------------------------------------------------------ */

int
remote_dispatch_domain_interface_stats(MvServerCall *call,
                                       remote_domain_interface_stats_args *args,
                                       remote_domain_interface_stats_ret *ret, GError **error)
{
    QemuDriver *drv = qemu_driver_from_client(mv_server_call_get_client(call));
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(drv, &args->dom, error);
    g_autofree char *ifname = NULL;
    QemuInterfaceStats st = { 0 };
    DomainNetDef *net = NULL;
    DomainNetType type = DOMAIN_NET_TYPE_USER;
    gboolean active;

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    if (active && (net = qemu_interface_find(obj->def, args->path))) {
        ifname = g_strdup(net->ifname);
        type = net->type;
    }
    g_mutex_unlock(&obj->lock);
    if (!active) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    if (!net) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                     "invalid path, '%s' is not a known interface", args->path);
        return -1;
    }
    if (!ifname) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                     "interface '%s' of type '%s' has no host device to report statistics of",
                     args->path, domain_net_type_to_string(type));
        return -1;
    }
    if (!qemu_interface_stats(ifname, &st, error))
        return -1;
    ret->rx_bytes = st.rx_bytes;
    ret->rx_packets = st.rx_packets;
    ret->rx_errs = st.rx_errs;
    ret->rx_drop = st.rx_drop;
    ret->tx_bytes = st.tx_bytes;
    ret->tx_packets = st.tx_packets;
    ret->tx_errs = st.tx_errs;
    ret->tx_drop = st.tx_drop;
    return 0;
}
