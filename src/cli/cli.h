/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h: mvsh, the modvirt shell: virsh's command names and options.
 */
#pragma once

#include <stdio.h>

#include <glib.h>

#include <modvirt/modvirt.h>

typedef enum {
    CLI_OPT_BOOL,        /* --flag */
    CLI_OPT_STRING,      /* --name VALUE */
    CLI_OPT_INT,         /* --name N */
    CLI_OPT_ARGV,        /* every remaining positional argument (or repeated --name V) */
} CliOptType;

typedef enum {
    CLI_OPT_REQUIRED = 1 << 0,
    CLI_OPT_POSITIONAL = 1 << 1,   /* usually given without its --name (as virsh, any
                                    * option with a value may be, in declaration order) */
    CLI_OPT_NAMED = 1 << 2,        /* never positional: only as --name VALUE */
    CLI_OPT_EMPTY_OK = 1 << 3,     /* may be "" (else an error, as in virsh) */
} CliOptFlags;

typedef struct {
    const char *name;              /* without the dashes */
    CliOptType type;
    unsigned int flags;
    const char *help;
} CliOpt;

typedef struct _CliCtl CliCtl;
typedef struct _CliArgs CliArgs;

typedef enum {
    CLI_CMD_NO_CONNECT = 1 << 0,   /* runs without a connection */
} CliCmdFlags;

typedef struct {
    const char *name;
    gboolean (*handler)(CliCtl *ctl, const CliArgs *args);
    const CliOpt *opts;            /* terminated by { NULL } */
    const char *help;
    unsigned int flags;
} CliCmd;

struct _CliCtl {
    char *uri;
    gboolean readonly;
    gboolean quiet;
    MvConnect *conn;
    gboolean interactive;
    int keepalive_interval;        /* seconds, 0: none (-k) */
    int keepalive_count;           /* missed answers before the end (-K) */
    gboolean keepalive_forced;     /* -k or -K given: failing to set it up is an error */
};

/* The connection, opened on first use.  NULL (error printed) on failure. */
MvConnect *cli_conn(CliCtl *ctl);
void cli_disconnect(CliCtl *ctl);

/* Print "error: MESSAGE" for the library's last error, or @fallback. */
void cli_report_error(const char *fallback);
void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

gboolean cli_args_has(const CliArgs *args, const char *name);
const char *cli_args_get(const CliArgs *args, const char *name);
/* Returns FALSE (error printed) if present and not a valid integer. */
gboolean cli_args_get_ullong(const CliArgs *args, const char *name, unsigned long long *ret);
gboolean cli_args_get_int(const CliArgs *args, const char *name, int *ret);
/* The values of a CLI_OPT_ARGV option, NULL-terminated, or NULL if none. */
const char *const *cli_args_get_argv(const CliArgs *args);

/* The command tables of each module. */
extern const CliCmd cli_host_cmds[];
extern const CliCmd cli_domain_cmds[];
extern const CliCmd cli_event_cmds[];
extern const CliCmd cli_console_cmds[];
extern const CliCmd cli_storage_cmds[];
extern const CliCmd cli_volume_cmds[];
