/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib.h>

#include "util/hostinfo.h"

static char *
hostinfo_read_trimmed(const char *path)
{
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return NULL;
    return g_strstrip(data);
}

static int
hostinfo_read_int(const char *path, int def)
{
    g_autofree char *s = hostinfo_read_trimmed(path);

    return s && *s ? atoi(s) : def;
}

guint64
mv_hostinfo_memory_kib(void)
{
    g_autofree char *data = NULL;
    char *p;

    if (!g_file_get_contents("/proc/meminfo", &data, NULL, NULL))
        return 0;
    p = strstr(data, "MemTotal:");
    return p ? g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
}

static char *
hostinfo_cpuinfo_field(const char *cpuinfo, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(cpuinfo, "\n", -1);

    for (size_t i = 0; lines[i]; i++) {
        char *colon = strchr(lines[i], ':');
        g_autofree char *k = NULL;

        if (!colon)
            continue;
        k = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (g_str_equal(k, key))
            return g_strstrip(g_strdup(colon + 1));
    }
    return NULL;
}

static gint
hostinfo_int_cmp(gconstpointer a, gconstpointer b)
{
    return *(const int *)a - *(const int *)b;
}

static void
mv_host_cell_free(gpointer p)
{
    MvHostCell *cell = p;

    g_ptr_array_unref(cell->cpus);
    g_free(cell);
}

static void
mv_host_cpu_free(gpointer p)
{
    MvHostCpu *cpu = p;

    g_free(cpu->siblings);
    g_free(cpu);
}

void
mv_host_topology_free(MvHostTopology *topo)
{
    if (!topo)
        return;
    g_free(topo->arch);
    g_free(topo->vendor);
    g_free(topo->model_name);
    g_free(topo->family);
    g_free(topo->model);
    g_free(topo->stepping);
    g_strfreev(topo->flags);
    if (topo->cells)
        g_ptr_array_unref(topo->cells);
    g_free(topo);
}

static gboolean
hostinfo_cpu_online(int cpu)
{
    g_autofree char *path = g_strdup_printf("/sys/devices/system/cpu/cpu%d/online", cpu);

    /* cpu0 usually has no "online" file: it is always online. */
    return hostinfo_read_int(path, 1) == 1;
}

static MvHostCell *
hostinfo_cell_new(int id, const char *cpulist)
{
    MvHostCell *cell = g_new0(MvHostCell, 1);
    g_auto(GStrv) ranges = g_strsplit(cpulist ? cpulist : "", ",", -1);
    g_autofree char *meminfo = NULL;
    g_autofree char *mempath = g_strdup_printf("/sys/devices/system/node/node%d/meminfo", id);

    cell->id = id;
    cell->cpus = g_ptr_array_new_with_free_func(mv_host_cpu_free);
    if (g_file_get_contents(mempath, &meminfo, NULL, NULL)) {
        char *p = strstr(meminfo, "MemTotal:");

        if (p)
            cell->memory_kib = g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10);
    }
    for (size_t i = 0; ranges[i]; i++) {
        int lo, hi;
        char *dash = strchr(ranges[i], '-');

        if (!*g_strstrip(ranges[i]))
            continue;
        lo = atoi(ranges[i]);
        hi = dash ? atoi(dash + 1) : lo;
        for (int c = lo; c <= hi; c++) {
            MvHostCpu *cpu;
            g_autofree char *base = g_strdup_printf("/sys/devices/system/cpu/cpu%d/topology", c);
            g_autofree char *pkg = g_build_filename(base, "physical_package_id", NULL);
            g_autofree char *die = g_build_filename(base, "die_id", NULL);
            g_autofree char *core = g_build_filename(base, "core_id", NULL);
            g_autofree char *sib = g_build_filename(base, "thread_siblings_list", NULL);

            if (!hostinfo_cpu_online(c))
                continue;
            cpu = g_new0(MvHostCpu, 1);
            cpu->id = c;
            cpu->socket_id = hostinfo_read_int(pkg, 0);
            cpu->die_id = hostinfo_read_int(die, 0);
            cpu->core_id = hostinfo_read_int(core, c);
            cpu->siblings = hostinfo_read_trimmed(sib);
            if (!cpu->siblings)
                cpu->siblings = g_strdup_printf("%d", c);
            g_ptr_array_add(cell->cpus, cpu);
        }
    }
    return cell;
}

MvHostTopology *
mv_hostinfo_topology(void)
{
    MvHostTopology *topo = g_new0(MvHostTopology, 1);
    g_autofree char *cpuinfo = NULL;
    g_autofree char *vendor = NULL;
    g_autofree char *mhz = NULL;
    g_autofree char *flags = NULL;
    g_autoptr(GHashTable) sockets = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) cores = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint ncpus = 0;
    struct utsname ut;
    GDir *dir;

    uname(&ut);
    topo->arch = g_strdup(ut.machine);
    topo->page_size_kib = sysconf(_SC_PAGESIZE) / 1024;
    topo->memory_kib = mv_hostinfo_memory_kib();
    g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL);
    if (cpuinfo) {
        vendor = hostinfo_cpuinfo_field(cpuinfo, "vendor_id");
        topo->model_name = hostinfo_cpuinfo_field(cpuinfo, "model name");
        topo->family = hostinfo_cpuinfo_field(cpuinfo, "cpu family");
        topo->model = hostinfo_cpuinfo_field(cpuinfo, "model");
        topo->stepping = hostinfo_cpuinfo_field(cpuinfo, "stepping");
        mhz = hostinfo_cpuinfo_field(cpuinfo, "cpu MHz");
        flags = hostinfo_cpuinfo_field(cpuinfo, "flags");
    }
    if (g_strcmp0(vendor, "AuthenticAMD") == 0)
        topo->vendor = g_strdup("AMD");
    else if (g_strcmp0(vendor, "GenuineIntel") == 0)
        topo->vendor = g_strdup("Intel");
    else
        topo->vendor = g_strdup(vendor);
    topo->mhz = mhz ? (int)g_ascii_strtod(mhz, NULL) : 0;
    topo->flags = g_strsplit(flags ? flags : "", " ", -1);

    topo->cells = g_ptr_array_new_with_free_func(mv_host_cell_free);
    dir = g_dir_open("/sys/devices/system/node", 0, NULL);
    if (dir) {
        const char *name;
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

        while ((name = g_dir_read_name(dir))) {
            if (g_str_has_prefix(name, "node") && g_ascii_isdigit(name[4])) {
                int id = atoi(name + 4);

                g_array_append_val(ids, id);
            }
        }
        g_dir_close(dir);
        g_array_sort(ids, hostinfo_int_cmp);
        for (guint i = 0; i < ids->len; i++) {
            int id = g_array_index(ids, int, i);
            g_autofree char *path = g_strdup_printf("/sys/devices/system/node/node%d/cpulist", id);
            g_autofree char *list = hostinfo_read_trimmed(path);

            g_ptr_array_add(topo->cells, hostinfo_cell_new(id, list));
        }
    }
    if (topo->cells->len == 0) {
        g_autofree char *list = hostinfo_read_trimmed("/sys/devices/system/cpu/online");
        MvHostCell *cell = hostinfo_cell_new(0, list ? list : "0");

        cell->memory_kib = topo->memory_kib;
        g_ptr_array_add(topo->cells, cell);
    }

    for (guint i = 0; i < topo->cells->len; i++) {
        MvHostCell *cell = g_ptr_array_index(topo->cells, i);

        for (guint j = 0; j < cell->cpus->len; j++) {
            MvHostCpu *cpu = g_ptr_array_index(cell->cpus, j);

            g_hash_table_add(sockets, GINT_TO_POINTER(cpu->socket_id + 1));
            g_hash_table_add(cores, GINT_TO_POINTER(((cpu->socket_id + 1) << 16) + cpu->core_id + 1));
            ncpus++;
        }
    }
    topo->sockets = MAX(1, (int)g_hash_table_size(sockets) / MAX(1, (int)topo->cells->len));
    topo->dies = 1;
    topo->cores = MAX(1, (int)g_hash_table_size(cores) / MAX(1, (int)g_hash_table_size(sockets)));
    topo->threads = MAX(1, (int)ncpus / MAX(1, (int)g_hash_table_size(cores)));
    return topo;
}

void
mv_hostinfo_node_info(MvNodeInfo *info)
{
    g_autoptr(MvHostTopology) topo = mv_hostinfo_topology();
    int cpus = 0;

    memset(info, 0, sizeof(*info));
    g_strlcpy(info->model, topo->arch, sizeof(info->model));
    info->memory_kib = topo->memory_kib;
    for (guint i = 0; i < topo->cells->len; i++)
        cpus += ((MvHostCell *)g_ptr_array_index(topo->cells, i))->cpus->len;
    info->cpus = cpus;
    info->mhz = topo->mhz;
    info->nodes = topo->cells->len;
    info->sockets = topo->sockets;
    info->cores = topo->cores;
    info->threads = topo->threads;
}

char *
mv_hostinfo_hostname(void)
{
    char buf[256];

    if (gethostname(buf, sizeof(buf) - 1) < 0)
        return g_strdup("localhost");
    buf[sizeof(buf) - 1] = '\0';
    return g_strdup(buf);
}

char *
mv_hostinfo_dmi(const char *name)
{
    g_autofree char *path = g_build_filename("/sys/class/dmi/id", name, NULL);
    char *s = hostinfo_read_trimmed(path);

    if (s && !*s) {
        g_free(s);
        return NULL;
    }
    return s;
}

char *
mv_hostinfo_host_uuid(void)
{
    g_autofree char *id = NULL;

    if (!g_file_get_contents("/etc/machine-id", &id, NULL, NULL) || strlen(g_strstrip(id)) < 32)
        return NULL;
    return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
}

GStrv
mv_proc_stat_fields(int pid, gint64 tid)
{
    g_autofree char *path = tid > 0 ? g_strdup_printf("/proc/%d/task/%" G_GINT64_FORMAT "/stat",
                                                      pid, tid)
                                    : g_strdup_printf("/proc/%d/stat", pid);
    g_autofree char *data = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;

    if (pid <= 0 || !g_file_get_contents(path, &data, NULL, NULL) ||
        !(p = strrchr(data, ')')) || p[1] != ' ')
        return NULL;
    fields = g_strsplit(p + 2, " ", -1);
    if (g_strv_length(fields) < 20)
        return NULL;
    return g_steal_pointer(&fields);
}
