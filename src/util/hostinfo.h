/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hostinfo.h: facts about the host, read from /proc and /sys.
 */
#pragma once

#include <glib.h>

typedef struct {
    char model[32];          /* the machine, as uname -m */
    guint64 memory_kib;
    int cpus;
    int mhz;
    int nodes;
    int sockets;             /* per node */
    int cores;               /* per socket */
    int threads;             /* per core */
} MvNodeInfo;

typedef struct {
    int id;
    int socket_id;
    int die_id;
    int core_id;
    char *siblings;
} MvHostCpu;

typedef struct {
    int id;
    guint64 memory_kib;
    GPtrArray *cpus;         /* MvHostCpu */
} MvHostCell;

typedef struct {
    char *arch;
    char *vendor;            /* "AMD", "Intel" or the raw vendor id */
    char *model_name;        /* /proc/cpuinfo "model name" */
    char *family;
    char *model;
    char *stepping;
    char **flags;            /* cpuinfo flags */
    int mhz;
    int sockets;
    int dies;
    int cores;
    int threads;
    guint64 page_size_kib;
    guint64 memory_kib;
    GPtrArray *cells;        /* MvHostCell */
} MvHostTopology;

void mv_hostinfo_node_info(MvNodeInfo *info);
MvHostTopology *mv_hostinfo_topology(void);
void mv_host_topology_free(MvHostTopology *topo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvHostTopology, mv_host_topology_free)

char *mv_hostinfo_hostname(void);
/* The host's UUID (from /etc/machine-id), or NULL. */
char *mv_hostinfo_host_uuid(void);
guint64 mv_hostinfo_memory_kib(void);
/* The DMI string @name (/sys/class/dmi/id/@name), or NULL. */
char *mv_hostinfo_dmi(const char *name);

/*
 * The fields of /proc/@pid/stat (of its thread @tid when > 0) after
 * "pid (comm)": [0] is the state, [11]/[12] utime/stime, [19] the start
 * time (field N of proc(5) is [N - 3]).  NULL if the process is gone or
 * the file is short.
 */
GStrv mv_proc_stat_fields(int pid, gint64 tid);
