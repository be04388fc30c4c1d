/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-host.c: mvsh's connection and host commands.
 */
#include <config.h>

#include <stdlib.h>

#include "cli/cli.h"

static void
cli_print_version(const char *what, const char *name, unsigned long long v)
{
    printf("%s: %s %llu.%llu.%llu\n", what, name, v / 1000000, (v / 1000) % 1000, v % 1000);
}

static gboolean
cmd_version(CliCtl *ctl, const CliArgs *args)
{
    unsigned long long lib = 0, hv = 0, daemon = 0;
    g_autofree char *type = NULL;

    mv_get_version(&lib);
    cli_print_version("Compiled against library", "modvirt", lib);
    cli_print_version("Using library", "modvirt", lib);
    if (!(type = mv_connect_get_type(ctl->conn))) {
        cli_report_error("failed to get the hypervisor type");
        return FALSE;
    }
    cli_print_version("Using API", type, lib);
    if (mv_connect_get_version(ctl->conn, &hv) < 0) {
        cli_report_error("failed to get the hypervisor version");
        return FALSE;
    }
    cli_print_version("Running hypervisor", type, hv);
    if (cli_args_has(args, "daemon")) {
        if (mv_connect_get_lib_version(ctl->conn, &daemon) < 0) {
            cli_report_error("failed to get the daemon version");
            return FALSE;
        }
        printf("Running against daemon: %llu.%llu.%llu\n", daemon / 1000000,
               (daemon / 1000) % 1000, daemon % 1000);
    }
    return TRUE;
}

static gboolean
cmd_hostname(CliCtl *ctl, const CliArgs *args)
{
    g_autofree char *name = mv_connect_get_hostname(ctl->conn);

    if (!name) {
        cli_report_error("failed to get hostname");
        return FALSE;
    }
    printf("%s\n", name);
    return TRUE;
}

static gboolean
cmd_uri(CliCtl *ctl, const CliArgs *args)
{
    g_autofree char *uri = mv_connect_get_uri(ctl->conn);

    if (!uri) {
        cli_report_error("failed to get URI");
        return FALSE;
    }
    printf("%s\n", uri);
    return TRUE;
}

static gboolean
cmd_nodeinfo(CliCtl *ctl, const CliArgs *args)
{
    MvNodeInfo info;

    if (mv_node_get_info(ctl->conn, &info) < 0) {
        cli_report_error("failed to get node information");
        return FALSE;
    }
    printf("%-20s %s\n", "CPU model:", info.model);
    printf("%-20s %u\n", "CPU(s):", info.cpus);
    printf("%-20s %u MHz\n", "CPU frequency:", info.mhz);
    printf("%-20s %u\n", "CPU socket(s):", info.sockets);
    printf("%-20s %u\n", "Core(s) per socket:", info.cores);
    printf("%-20s %u\n", "Thread(s) per core:", info.threads);
    printf("%-20s %u\n", "NUMA cell(s):", info.nodes);
    printf("%-20s %llu KiB\n", "Memory size:", info.memory);
    return TRUE;
}

static gboolean
cmd_capabilities(CliCtl *ctl, const CliArgs *args)
{
    g_autofree char *caps = mv_connect_get_capabilities(ctl->conn);

    if (!caps) {
        cli_report_error("failed to get capabilities");
        return FALSE;
    }
    printf("%s\n", caps);
    return TRUE;
}

static gboolean
cmd_sysinfo(CliCtl *ctl, const CliArgs *args)
{
    g_autofree char *info = mv_connect_get_sysinfo(ctl->conn, 0);

    if (!info) {
        cli_report_error("failed to get sysinfo");
        return FALSE;
    }
    printf("%s\n", info);
    return TRUE;
}

static gboolean
cmd_connect(CliCtl *ctl, const CliArgs *args)
{
    const char *uri = cli_args_get(args, "name");

    cli_disconnect(ctl);
    if (uri) {
        g_free(ctl->uri);
        ctl->uri = g_strdup(uri);
    }
    ctl->readonly = cli_args_has(args, "readonly");
    return cli_conn(ctl) != NULL;
}

static const CliOpt opts_version[] = {
    { "daemon", CLI_OPT_BOOL, 0, "report the daemon's version too" },
    { NULL }
};

static const CliOpt opts_connect[] = {
    { "name", CLI_OPT_STRING, CLI_OPT_POSITIONAL, "the URI to connect to" },
    { "readonly", CLI_OPT_BOOL, 0, "read-only connection" },
    { NULL }
};

static const CliOpt opts_none[] = {
    { NULL }
};

const CliCmd cli_host_cmds[] = {
    { "capabilities", cmd_capabilities, opts_none, "capabilities of the host and hypervisor", 0 },
    { "connect", cmd_connect, opts_connect, "(re)connect to the hypervisor", CLI_CMD_NO_CONNECT },
    { "hostname", cmd_hostname, opts_none, "print the host's name", 0 },
    { "nodeinfo", cmd_nodeinfo, opts_none, "information about the host", 0 },
    { "sysinfo", cmd_sysinfo, opts_none, "the host's system information (SMBIOS)", 0 },
    { "uri", cmd_uri, opts_none, "print the connection's URI", 0 },
    { "version", cmd_version, opts_version, "versions of the library and hypervisor", 0 },
    { NULL }
};
