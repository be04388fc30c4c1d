/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuargvtool.c: print the QEMU command line of a domain XML, for the
 * real-QEMU acceptance test (integration/test_qemu_argv.py).
 *
 *   qemuargvtool [--host-cpu CPU] [--monitor-fd N] [--channel-dir DIR]
 *                [--tap IDX=FD]... [--disk IDX=SOURCE]... DOMAIN.xml
 *
 * SOURCE is file:PATH, block:PATH or
 * iscsi:HOST:PORT/TARGET/LUN[,initiator=IQN][,user=USER,secret=FILE]: the
 * translation of disk IDX, as the storage driver would give it.  The XML is
 * parsed as at define time and prepared as at start (id 1, channel paths).
 * The arguments go to stdout, each followed by a NUL byte; errors to stderr
 * with exit status 1.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "drivers/qemu/qemu-command.h"
#include "util/error.h"

typedef struct {
    char *host_cpu;
    int monitor_fd;
    char *channel_dir;
    char **taps;
    char **disks;
} ToolArgs;

static void
tool_source_free(gpointer p)
{
    QemuDiskSource *src = p;

    if (!src)
        return;
    g_free((char *)src->path);
    g_free((char *)src->host);
    g_free((char *)src->target);
    g_free((char *)src->initiator);
    g_free((char *)src->user);
    g_free((char *)src->secret_file);
    g_free(src);
}

static gboolean
tool_parse_index(const char *spec, guint max, guint *ret_idx, const char **ret_rest)
{
    char *end = NULL;
    guint64 idx = g_ascii_strtoull(spec, &end, 10);

    if (end == spec || *end != '=' || idx >= max)
        return FALSE;
    *ret_idx = (guint)idx;
    *ret_rest = end + 1;
    return TRUE;
}

/* iscsi:HOST:PORT/TARGET/LUN[,key=value...] */
static QemuDiskSource *
tool_parse_iscsi(const char *spec)
{
    g_auto(GStrv) opts = g_strsplit(spec, ",", -1);
    g_autofree char *portal = NULL;
    const char *slash = strchr(opts[0], '/');
    const char *last = strrchr(opts[0], '/');
    const char *colon;
    QemuDiskSource *src;

    if (!slash || slash == last)
        return NULL;
    portal = g_strndup(opts[0], slash - opts[0]);
    if (!(colon = strrchr(portal, ':')))
        return NULL;
    src = g_new0(QemuDiskSource, 1);
    src->type = DOMAIN_DISK_TYPE_NETWORK;
    src->protocol = "iscsi";
    src->host = g_strndup(portal, colon - portal);
    src->port = (guint)g_ascii_strtoull(colon + 1, NULL, 10);
    src->target = g_strndup(slash + 1, last - slash - 1);
    src->lun = (guint)g_ascii_strtoull(last + 1, NULL, 10);
    for (guint i = 1; opts[i]; i++) {
        if (g_str_has_prefix(opts[i], "initiator="))
            src->initiator = g_strdup(opts[i] + strlen("initiator="));
        else if (g_str_has_prefix(opts[i], "user="))
            src->user = g_strdup(opts[i] + strlen("user="));
        else if (g_str_has_prefix(opts[i], "secret="))
            src->secret_file = g_strdup(opts[i] + strlen("secret="));
    }
    return src;
}

static QemuDiskSource *
tool_parse_source(const char *spec)
{
    QemuDiskSource *src;

    if (g_str_has_prefix(spec, "iscsi:"))
        return tool_parse_iscsi(spec + strlen("iscsi:"));
    if (!g_str_has_prefix(spec, "file:") && !g_str_has_prefix(spec, "block:"))
        return NULL;
    src = g_new0(QemuDiskSource, 1);
    src->type = spec[0] == 'f' ? DOMAIN_DISK_TYPE_FILE : DOMAIN_DISK_TYPE_BLOCK;
    src->path = g_strdup(strchr(spec, ':') + 1);
    return src;
}

static DomainDef *
tool_load(const char *path, const char *channel_dir, GError **error)
{
    DomainXMLOptions xmlopts = { .channel_target_dir = channel_dir };
    g_autofree char *xml = NULL;
    g_autofree char *dir = NULL;
    g_autoptr(DomainDef) def = NULL;

    if (!g_file_get_contents(path, &xml, NULL, error))
        return NULL;
    if (!(def = domain_def_parse_string(xml, &xmlopts, DOMAIN_PARSE_INACTIVE, error)) ||
        !domain_def_validate(def, &xmlopts, error))
        return NULL;
    def->id = 1;
    dir = domain_def_channel_dir(def, &xmlopts);
    domain_def_prepare_channel_paths(def, dir);
    return g_steal_pointer(&def);
}

static int
tool_run(const char *path, const ToolArgs *args)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = tool_load(path, args->channel_dir, &error);
    g_autoptr(GPtrArray) sources = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree int *taps = NULL;
    QemuCommandOpts opts = { 0 };

    if (!def) {
        fprintf(stderr, "qemuargvtool: %s\n", error->message);
        return 1;
    }
    sources = g_ptr_array_new_with_free_func(tool_source_free);
    g_ptr_array_set_size(sources, def->disks->len);
    taps = g_new(int, def->nets->len + 1);
    for (guint i = 0; i <= def->nets->len; i++)
        taps[i] = -1;
    for (guint i = 0; args->taps && args->taps[i]; i++) {
        const char *rest;
        guint idx;

        if (!tool_parse_index(args->taps[i], def->nets->len, &idx, &rest)) {
            fprintf(stderr, "qemuargvtool: bad --tap '%s'\n", args->taps[i]);
            return 1;
        }
        taps[idx] = (int)g_ascii_strtoll(rest, NULL, 10);
    }
    for (guint i = 0; args->disks && args->disks[i]; i++) {
        const char *rest;
        guint idx;

        if (!tool_parse_index(args->disks[i], def->disks->len, &idx, &rest) ||
            !(g_ptr_array_index(sources, idx) = tool_parse_source(rest))) {
            fprintf(stderr, "qemuargvtool: bad --disk '%s'\n", args->disks[i]);
            return 1;
        }
    }
    opts.emulator = "qemu-system-x86_64";
    opts.qemu_version = 7002000;
    opts.machine = def->os.machine ? def->os.machine : "pc";
    opts.host_cpu = args->host_cpu;
    opts.monitor_fd = args->monitor_fd;
    opts.domain_dir = args->channel_dir;
    opts.disk_sources = (const QemuDiskSource *const *)sources->pdata;
    opts.tap_fds = taps;
    if (!(argv = qemu_command_build(def, &opts, &error))) {
        fprintf(stderr, "qemuargvtool: %s\n", error->message);
        return 1;
    }
    for (guint i = 0; i < argv->len; i++) {
        const char *arg = g_ptr_array_index(argv, i);

        fwrite(arg, 1, strlen(arg) + 1, stdout);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
    ToolArgs args = { .monitor_fd = -1 };
    GOptionEntry entries[] = {
        { "host-cpu", 0, 0, G_OPTION_ARG_STRING, &args.host_cpu, "host CPU model", "CPU" },
        { "monitor-fd", 0, 0, G_OPTION_ARG_INT, &args.monitor_fd, "QMP listening fd", "N" },
        { "channel-dir", 0, 0, G_OPTION_ARG_STRING, &args.channel_dir, "channel dir", "DIR" },
        { "tap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.taps, "tap fd of an interface",
          "IDX=FD" },
        { "disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.disks, "translated disk source",
          "IDX=SOURCE" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DOMAIN.xml");
    g_autoptr(GError) error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
        fprintf(stderr, "qemuargvtool: %s\n", error ? error->message : "one DOMAIN.xml expected");
        return 2;
    }
    if (!args.channel_dir)
        args.channel_dir = g_strdup("/tmp");
    rc = tool_run(argv[1], &args);
    g_free(args.host_cpu);
    g_free(args.channel_dir);
    g_strfreev(args.taps);
    g_strfreev(args.disks);
    return rc;
}
