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
#include "util/hostinfo.h"

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

static void
stats_cpu(TypedParams *tp, pid_t pid)
{
    g_auto(GStrv) f = mv_proc_stat_fields(pid, 0);
    long hz = sysconf(_SC_CLK_TCK);
    guint64 ns = hz > 0 ? 1000000000ULL / (guint64)hz : 0;
    guint64 user = f ? g_ascii_strtoull(f[11], NULL, 10) * ns : 0;
    guint64 sys = f ? g_ascii_strtoull(f[12], NULL, 10) * ns : 0;

    typed_params_add_ullong(tp, "cpu.time", user + sys);
    typed_params_add_ullong(tp, "cpu.user", user);
    typed_params_add_ullong(tp, "cpu.system", sys);
}

static guint64
stats_thread_time(pid_t pid, gint64 tid)
{
    g_auto(GStrv) f = mv_proc_stat_fields(pid, tid);
    long hz = sysconf(_SC_CLK_TCK);

    if (!f || hz <= 0)
        return 0;
    return (g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10)) *
           (1000000000ULL / (guint64)hz);
}

/*
 * What the groups read from a domain, taken under its lock in one go: the
 * definition is neither copied nor held while /proc or the monitor is read.
 */
typedef struct {
    char *dst;
    char *path;
    char *alias;
    char *node;            /* the format node's name; only while running */
} StatsDisk;

typedef struct {
    gboolean active;
    int state;
    int reason;
    pid_t pid;
    guint64 cur_memory_kib;
    guint64 max_memory_kib;
    guint vcpus_current;
    guint vcpus_max;
    guint nnets;
    char **ifnames;        /* nnets entries, NULL when none */
    guint ndisks;
    StatsDisk *disks;
} StatsSnap;

/* Caller holds obj->lock. */
static void
stats_snap_take(StatsSnap *s, QemuDomainObj *obj, unsigned int stats)
{
    const DomainDef *def = obj->def;

    s->active = qemu_domain_obj_is_active(obj);
    s->state = obj->state;
    s->reason = obj->reason;
    s->pid = obj->pid;
    s->cur_memory_kib = def->cur_memory_kib ? def->cur_memory_kib : def->max_memory_kib;
    s->max_memory_kib = def->max_memory_kib;
    s->vcpus_current = def->vcpus_current ? def->vcpus_current : def->vcpus_max;
    s->vcpus_max = def->vcpus_max;
    if ((stats & STATS_INTERFACE) && def->nets->len) {
        s->nnets = def->nets->len;
        s->ifnames = g_new0(char *, s->nnets);
        for (guint i = 0; i < s->nnets; i++)
            s->ifnames[i] = g_strdup(((DomainNetDef *)g_ptr_array_index(def->nets, i))->ifname);
    }
    if ((stats & STATS_BLOCK) && def->disks->len) {
        s->ndisks = def->disks->len;
        s->disks = g_new0(StatsDisk, s->ndisks);
        for (guint i = 0; i < s->ndisks; i++) {
            const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

            s->disks[i].dst = g_strdup(disk->dst);
            s->disks[i].path = g_strdup(disk->path);
            if (s->active) {
                s->disks[i].alias = g_strdup(disk->info.alias);
                s->disks[i].node = qemu_command_disk_node_name(def, i, "format");
            }
        }
    }
}

static void
stats_snap_clear(StatsSnap *s)
{
    for (guint i = 0; i < s->nnets; i++)
        g_free(s->ifnames[i]);
    g_free(s->ifnames);
    for (guint i = 0; i < s->ndisks; i++) {
        g_free(s->disks[i].dst);
        g_free(s->disks[i].path);
        g_free(s->disks[i].alias);
        g_free(s->disks[i].node);
    }
    g_free(s->disks);
}

static void
stats_vcpu(TypedParams *tp, const StatsSnap *s, QemuMonitor *mon)
{
    g_autoptr(GArray) cpus = NULL;

    typed_params_add_uint(tp, "vcpu.current", s->vcpus_current);
    typed_params_add_uint(tp, "vcpu.maximum", s->vcpus_max);
    if (!mon || !(cpus = qemu_monitor_query_cpus(mon, NULL)))
        return;
    for (guint i = 0; i < cpus->len; i++) {
        QemuMonitorCpu *c = &g_array_index(cpus, QemuMonitorCpu, i);
        g_autofree char *state = g_strdup_printf("vcpu.%u.state", i);
        g_autofree char *time = g_strdup_printf("vcpu.%u.time", i);

        typed_params_add_int(tp, state, 1); /* VIR_VCPU_RUNNING */
        typed_params_add_ullong(tp, time, stats_thread_time(s->pid, c->thread_id));
    }
}

static void
stats_interfaces(TypedParams *tp, const StatsSnap *s)
{
    typed_params_add_uint(tp, "net.count", s->nnets);
    for (guint i = 0; i < s->nnets; i++) {
        const char *ifname = s->ifnames[i];
        g_autofree char *name = g_strdup_printf("net.%u.name", i);
        QemuInterfaceStats st = { 0 };
        /* The guest's view, as DOMAIN_INTERFACE_STATS gives it. */
        const struct {
            const char *field;
            const gint64 *value;
        } fields[] = {
            { "rx.bytes", &st.rx_bytes }, { "rx.pkts", &st.rx_packets },
            { "rx.errs", &st.rx_errs }, { "rx.drop", &st.rx_drop },
            { "tx.bytes", &st.tx_bytes }, { "tx.pkts", &st.tx_packets },
            { "tx.errs", &st.tx_errs }, { "tx.drop", &st.tx_drop },
        };

        typed_params_add_string(tp, name, ifname ? ifname : "");
        if (!s->active || !ifname)
            continue;
        /* A counter that cannot be read reports 0, as before. */
        qemu_interface_stats(ifname, &st, NULL);
        for (guint c = 0; c < G_N_ELEMENTS(fields); c++) {
            g_autofree char *field = g_strdup_printf("net.%u.%s", i, fields[c].field);

            typed_params_add_ullong(tp, field, (guint64)MAX(*fields[c].value, 0));
        }
    }
}

static void
stats_block_counters(TypedParams *tp, guint i, const char *qdev, GPtrArray *blk)
{
    for (guint j = 0; qdev && blk && j < blk->len; j++) {
        QemuMonitorBlockStats *st = g_ptr_array_index(blk, j);
        struct {
            const char *name;
            guint64 v;
        } f[] = {
            { "rd.reqs", st->rd_req }, { "rd.bytes", st->rd_bytes },
            { "rd.times", st->rd_total_ns }, { "wr.reqs", st->wr_req },
            { "wr.bytes", st->wr_bytes }, { "wr.times", st->wr_total_ns },
            { "fl.reqs", st->flush_req }, { "fl.times", st->flush_total_ns },
        };

        if (!st->qdev || !strstr(st->qdev, qdev))
            continue;
        for (guint k = 0; k < G_N_ELEMENTS(f); k++) {
            g_autofree char *field = g_strdup_printf("block.%u.%s", i, f[k].name);

            typed_params_add_ullong(tp, field, f[k].v);
        }
        return;
    }
}

static void
stats_block(TypedParams *tp, const StatsSnap *s, QemuMonitor *mon)
{
    g_autoptr(GPtrArray) blk = mon ? qemu_monitor_query_blockstats(mon, NULL) : NULL;
    g_autoptr(GPtrArray) nodes = mon ? qemu_monitor_query_named_block_nodes(mon, NULL) : NULL;

    typed_params_add_uint(tp, "block.count", s->ndisks);
    for (guint i = 0; i < s->ndisks; i++) {
        const StatsDisk *disk = &s->disks[i];
        g_autofree char *fname = g_strdup_printf("block.%u.name", i);

        typed_params_add_string(tp, fname, disk->dst ? disk->dst : "");
        if (disk->path) {
            g_autofree char *fpath = g_strdup_printf("block.%u.path", i);

            typed_params_add_string(tp, fpath, disk->path);
        }
        stats_block_counters(tp, i, disk->alias, blk);
        for (guint j = 0; disk->node && nodes && j < nodes->len; j++) {
            QemuMonitorBlockNode *n = g_ptr_array_index(nodes, j);
            g_autofree char *fa = NULL, *fc = NULL;

            if (!n->node_name || !g_str_equal(n->node_name, disk->node))
                continue;
            fa = g_strdup_printf("block.%u.allocation", i);
            fc = g_strdup_printf("block.%u.capacity", i);
            typed_params_add_ullong(tp, fa, n->actual_size);
            typed_params_add_ullong(tp, fc, n->virtual_size);
            break;
        }
    }
}

/*
 * One record: @obj's stats for the groups in @stats, or FALSE (nothing
 * written) when @flags filter it out.  The domain's lock is taken once.
 * @tp is empty, and left empty: one for all the records of a call (its
 * array grows once, not for each of thousands of records).
 */
static gboolean
stats_domain(QemuDomainObj *obj, unsigned int stats, unsigned int flags, TypedParams *tp,
             remote_domain_stats_record *rec)
{
    QEMU_MONITOR_AUTOUNREF QemuMonitor *mon = NULL;
    StatsSnap s = { 0 };
    gboolean job = FALSE;

    g_mutex_lock(&obj->lock);
    if (!stats_filter(obj, flags)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    rec->dom.id = obj->def->id;
    stats_snap_take(&s, obj, stats);
    g_mutex_unlock(&obj->lock);
    rec->dom.name = g_strdup(obj->name);
    memcpy(rec->dom.uuid, obj->uuid, MV_UUID_LEN);

    if (stats & STATS_STATE) {
        typed_params_add_int(tp, "state.state", s.state);
        typed_params_add_int(tp, "state.reason", s.reason);
    }
    if (s.active && (stats & (STATS_BALLOON | STATS_VCPU | STATS_BLOCK))) {
        guint timeout = (flags & STATS_FLAG_NOWAIT) ? 1 : 0;

        if (qemu_domain_obj_begin_job(obj, "stats", timeout, NULL)) {
            job = TRUE;
            mon = qemu_process_get_monitor(obj, NULL);
        }
    }
    if (s.active && (stats & STATS_CPU_TOTAL))
        stats_cpu(tp, s.pid);
    if (stats & STATS_BALLOON) {
        guint64 actual = 0;

        if (mon && qemu_monitor_query_balloon(mon, &actual, NULL) == 1)
            typed_params_add_ullong(tp, "balloon.current", actual / 1024);
        else
            typed_params_add_ullong(tp, "balloon.current", s.cur_memory_kib);
        typed_params_add_ullong(tp, "balloon.maximum", s.max_memory_kib);
    }
    if (stats & STATS_VCPU)
        stats_vcpu(tp, &s, mon);
    if (stats & STATS_INTERFACE)
        stats_interfaces(tp, &s);
    if (stats & STATS_BLOCK)
        stats_block(tp, &s, mon);
    if (job)
        qemu_domain_obj_end_job(obj);
    typed_params_steal(tp, &rec->params.params_val, &rec->params.params_len);
    stats_snap_clear(&s);
    return TRUE;
}

int
remote_dispatch_connect_get_all_domain_stats(MvServerCall *call,
                                             remote_connect_get_all_domain_stats_args *args,
                                             remote_connect_get_all_domain_stats_ret *ret,
                                             GError **error)
{
    QemuDriver *drv = qemu_driver_from_client(mv_server_call_get_client(call));
    g_autoptr(GPtrArray) objs = NULL;
    TypedParams tp;
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
    typed_params_init(&tp);
    for (guint i = 0; i < objs->len; i++)
        n += stats_domain(g_ptr_array_index(objs, i), stats, flags, &tp,
                          &ret->retStats.retStats_val[n]);
    typed_params_clear(&tp);
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
