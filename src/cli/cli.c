/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.c: mvsh's main: options, the command table, argument parsing, and the
 * interactive loop.
 */
#include <config.h>

#include "configmake.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

struct _CliArgs {
    GHashTable *values;      /* name -> value ("" for booleans) */
    GPtrArray *argv;         /* the values of the CLI_OPT_ARGV option, NULL-terminated */
    gboolean help;           /* --help: print the command's help instead */
};


static const CliCmd *cli_all_tables[] = {
    cli_host_cmds,
    cli_domain_cmds,
    cli_event_cmds,
    cli_console_cmds,
    cli_storage_cmds,
    cli_volume_cmds,
};

void
cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void
cli_report_error(const char *fallback)
{
    const MvError *err = mv_get_last_error();

    if (err && err->message)
        cli_error("%s", err->message);
    else
        cli_error("%s", fallback ? fallback : "unknown error");
}

MvConnect *
cli_conn(CliCtl *ctl)
{
    if (!ctl->conn) {
        ctl->conn = mv_connect_open(ctl->uri, ctl->readonly ? MV_CONNECT_RO : 0);
        if (!ctl->conn) {
            cli_error("failed to connect to the hypervisor");
            cli_report_error(NULL);
            return NULL;
        }
        /* As virsh: a server that stops answering ends the connection. */
        if (ctl->keepalive_interval > 0 &&
            mv_connect_set_keepalive(ctl->conn, ctl->keepalive_interval,
                                     ctl->keepalive_count) != 0) {
            if (ctl->keepalive_forced) {
                cli_error("Cannot setup keepalive on connection as requested, disconnecting");
                cli_disconnect(ctl);
                return NULL;
            }
            mv_reset_last_error();
        }
    }
    return ctl->conn;
}

void
cli_disconnect(CliCtl *ctl)
{
    if (ctl->conn) {
        mv_connect_close(ctl->conn);
        ctl->conn = NULL;
    }
}

gboolean
cli_args_has(const CliArgs *args, const char *name)
{
    return g_hash_table_contains(args->values, name);
}

const char *
cli_args_get(const CliArgs *args, const char *name)
{
    return g_hash_table_lookup(args->values, name);
}

gboolean
cli_args_get_ullong(const CliArgs *args, const char *name, unsigned long long *ret)
{
    const char *v = cli_args_get(args, name);
    char *end = NULL;

    if (!v)
        return TRUE;
    errno = 0;
    *ret = g_ascii_strtoull(v, &end, 10);
    if (!*v || *end || errno != 0 || v[0] == '-') {
        cli_error("invalid value '%s' for --%s: expected a non-negative integer", v, name);
        return FALSE;
    }
    return TRUE;
}

gboolean
cli_args_get_int(const CliArgs *args, const char *name, int *ret)
{
    const char *v = cli_args_get(args, name);
    char *end = NULL;
    gint64 n;

    if (!v)
        return TRUE;
    errno = 0;
    n = g_ascii_strtoll(v, &end, 10);
    if (!*v || *end || errno != 0 || n < G_MININT || n > G_MAXINT) {
        cli_error("invalid value '%s' for --%s: expected an integer", v, name);
        return FALSE;
    }
    *ret = (int)n;
    return TRUE;
}

const char *const *
cli_args_get_argv(const CliArgs *args)
{
    if (!args->argv || args->argv->len < 2)
        return NULL;
    return (const char *const *)args->argv->pdata;
}

/* Add @value to the CLI_OPT_ARGV option @o. */
static void
cli_args_add_argv(CliArgs *args, const CliOpt *o, const char *value)
{
    if (!args->argv) {
        args->argv = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(args->argv, NULL);
    }
    g_ptr_array_insert(args->argv, args->argv->len - 1, g_strdup(value));
    g_hash_table_replace(args->values, g_strdup(o->name), g_strdup(value));
}

static const CliCmd *
cli_find_cmd(const char *name)
{
    for (size_t t = 0; t < G_N_ELEMENTS(cli_all_tables); t++) {
        for (const CliCmd *c = cli_all_tables[t]; c->name; c++) {
            if (g_str_equal(c->name, name))
                return c;
        }
    }
    return NULL;
}

static const CliOpt *
cli_find_opt(const CliCmd *cmd, const char *name)
{
    for (const CliOpt *o = cmd->opts; o && o->name; o++) {
        if (g_str_equal(o->name, name))
            return o;
    }
    return NULL;
}

static CliArgs *
cli_parse_args(const CliCmd *cmd, int argc, char **argv)
{
    CliArgs *args = g_new0(CliArgs, 1);
    const CliOpt *next_pos = cmd->opts;

    args->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (g_str_has_prefix(a, "--") && a[2]) {
            g_autofree char *name = g_strdup(a + 2);
            char *eq = strchr(name, '=');
            const char *value = NULL;
            const CliOpt *o;

            if (eq) {
                *eq = '\0';
                value = eq + 1;
            }
            o = cli_find_opt(cmd, name);
            if (!o && !value && g_str_equal(name, "help")) {
                /* As virsh: every command takes --help. */
                args->help = TRUE;
                return args;
            }
            if (!o) {
                cli_error("command '%s' doesn't support option --%s", cmd->name, name);
                goto fail;
            }
            if (o->type == CLI_OPT_BOOL) {
                if (value) {
                    cli_error("option --%s of '%s' takes no value", name, cmd->name);
                    goto fail;
                }
                value = "";
            } else if (!value) {
                if (i + 1 >= argc) {
                    cli_error("expected a value for option --%s of '%s'", name, cmd->name);
                    goto fail;
                }
                value = argv[++i];
            }
            if (o->type == CLI_OPT_ARGV) {
                cli_args_add_argv(args, o, value);
                continue;
            }
            if (g_hash_table_contains(args->values, o->name)) {
                cli_error("option --%s already seen", o->name);
                goto fail;
            }
            g_hash_table_replace(args->values, g_strdup(o->name), g_strdup(value));
            continue;
        }
        /* A positional argument, as virsh takes them: the value of the next
         * option that takes one and is not given yet, in declaration order. */
        while (next_pos && next_pos->name &&
               (next_pos->type == CLI_OPT_BOOL || (next_pos->flags & CLI_OPT_NAMED) ||
                (next_pos->type != CLI_OPT_ARGV &&
                 g_hash_table_contains(args->values, next_pos->name))))
            next_pos++;
        if (!next_pos || !next_pos->name) {
            cli_error("unexpected data '%s' for command '%s'", a, cmd->name);
            goto fail;
        }
        if (next_pos->type == CLI_OPT_ARGV) {
            cli_args_add_argv(args, next_pos, a);
            continue;
        }
        g_hash_table_replace(args->values, g_strdup(next_pos->name), g_strdup(a));
        next_pos++;
    }
    for (const CliOpt *o = cmd->opts; o && o->name; o++) {
        if ((o->flags & CLI_OPT_REQUIRED) && !g_hash_table_contains(args->values, o->name)) {
            cli_error("command '%s' requires <%s> option", cmd->name, o->name);
            goto fail;
        }
    }
    for (const CliOpt *o = cmd->opts; o && o->name; o++) {
        const char *v = g_hash_table_lookup(args->values, o->name);

        /* As virsh: no option takes an empty value ("$VM" unset in a script). */
        if (o->type != CLI_OPT_BOOL && o->type != CLI_OPT_ARGV &&
            !(o->flags & CLI_OPT_EMPTY_OK) && v && !*v) {
            cli_error("Failed to get option '%s': Option argument is empty", o->name);
            goto fail;
        }
    }
    return args;

 fail:
    g_hash_table_unref(args->values);
    if (args->argv)
        g_ptr_array_unref(args->argv);
    g_free(args);
    return NULL;
}

static void
cli_args_free(CliArgs *args)
{
    g_hash_table_unref(args->values);
    if (args->argv)
        g_ptr_array_unref(args->argv);
    g_free(args);
}

/* FALSE (error printed) if @name is not a command. */
static gboolean
cli_print_help(const char *name)
{
    const CliCmd *cmd;

    if (!name) {
        printf("Commands (use 'help COMMAND' for details):\n\n");
        for (size_t t = 0; t < G_N_ELEMENTS(cli_all_tables); t++) {
            for (const CliCmd *c = cli_all_tables[t]; c->name; c++)
                printf("    %-24s %s\n", c->name, c->help);
        }
        printf("    %-24s %s\n", "help", "print help");
        printf("    %-24s %s\n", "quit, exit", "leave the interactive shell");
        return TRUE;
    }
    cmd = cli_find_cmd(name);
    if (!cmd) {
        cli_error("command '%s' doesn't exist", name);
        return FALSE;
    }
    printf("  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s", cmd->name, cmd->help, cmd->name);
    for (const CliOpt *o = cmd->opts; o && o->name; o++) {
        const char *fmt = o->type == CLI_OPT_BOOL ? " [--%s]"
                          : o->type == CLI_OPT_ARGV ? " [<%s>]..."
                          : (o->flags & CLI_OPT_REQUIRED) ? " <%s>" : " [--%s <value>]";

        printf(fmt, o->name);
    }
    printf("\n\n  OPTIONS\n");
    for (const CliOpt *o = cmd->opts; o && o->name; o++)
        printf("    --%-20s %s\n", o->name, o->help);
    return TRUE;
}

/* Run one command line.  Returns TRUE on success. */
static gboolean
cli_run_command(CliCtl *ctl, int argc, char **argv)
{
    const CliCmd *cmd;
    CliArgs *args;
    gboolean ok;

    if (argc == 0)
        return TRUE;
    if (g_str_equal(argv[0], "help"))
        return cli_print_help(argc > 1 ? argv[1] : NULL);
    cmd = cli_find_cmd(argv[0]);
    if (!cmd) {
        cli_error("unknown command: '%s'", argv[0]);
        return FALSE;
    }
    args = cli_parse_args(cmd, argc - 1, argv + 1);
    if (!args)
        return FALSE;
    if (args->help) {
        cli_args_free(args);
        return cli_print_help(cmd->name);
    }
    mv_reset_last_error();
    if (!(cmd->flags & CLI_CMD_NO_CONNECT) && !cli_conn(ctl)) {
        cli_args_free(args);
        return FALSE;
    }
    ok = cmd->handler(ctl, args);
    cli_args_free(args);
    fflush(stdout);
    return ok;
}

/* Add the words of the command @text (if any) to @cmds.  FALSE (error
 * printed) on bad quoting. */
static gboolean
cli_split_add(GPtrArray *cmds, const char *text)
{
    g_autoptr(GError) error = NULL;
    char **argv = NULL;
    int argc = 0;

    if (!g_shell_parse_argv(text, &argc, &argv, &error)) {
        if (g_error_matches(error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
            return TRUE;
        cli_error("%s", error->message);
        return FALSE;
    }
    g_ptr_array_add(cmds, argv);
    return TRUE;
}

/*
 * The commands of @line as virsh reads a line: ';' and newlines end a
 * command unless quoted or escaped; each command is split as by a shell.
 * NULL (error printed) on bad quoting.
 */
static GPtrArray *
cli_split_line(const char *line)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_autoptr(GString) cur = g_string_new(NULL);
    char quote = 0;

    for (const char *p = line;; p++) {
        if (*p && (quote || (*p != ';' && *p != '\n'))) {
            if (*p == '\\' && quote != '\'' && p[1])
                g_string_append_c(cur, *p++);
            else if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '\'' || *p == '"'))
                quote = *p;
            g_string_append_c(cur, *p);
            continue;
        }
        if (!cli_split_add(cmds, cur->str))
            return NULL;
        g_string_truncate(cur, 0);
        if (!*p)
            break;
    }
    return g_steal_pointer(&cmds);
}

/* Whether @argv names a command and its arguments parse (errors printed). */
static gboolean
cli_check_command(char **argv)
{
    const CliCmd *cmd;
    CliArgs *args;

    if (g_str_equal(argv[0], "help") || g_str_equal(argv[0], "quit") ||
        g_str_equal(argv[0], "exit"))
        return TRUE;
    if (!(cmd = cli_find_cmd(argv[0]))) {
        cli_error("unknown command: '%s'", argv[0]);
        return FALSE;
    }
    if (!(args = cli_parse_args(cmd, g_strv_length(argv) - 1, argv + 1)))
        return FALSE;
    cli_args_free(args);
    return TRUE;
}

/*
 * Run the commands of @line, as virsh: none if one of them does not parse,
 * else each in turn until quit or exit (then *@quit is set).  Returns the
 * success of the last one run.
 */
static gboolean
cli_run_line(CliCtl *ctl, const char *line, gboolean *quit)
{
    g_autoptr(GPtrArray) cmds = cli_split_line(line);
    gboolean ok = TRUE;

    if (!cmds)
        return FALSE;
    for (guint i = 0; i < cmds->len; i++) {
        if (!cli_check_command(g_ptr_array_index(cmds, i)))
            return FALSE;
    }
    for (guint i = 0; i < cmds->len; i++) {
        char **argv = g_ptr_array_index(cmds, i);

        if (g_str_equal(argv[0], "quit") || g_str_equal(argv[0], "exit")) {
            *quit = TRUE;
            break;
        }
        ok = cli_run_command(ctl, g_strv_length(argv), argv);
    }
    return ok;
}

static int
cli_interactive(CliCtl *ctl)
{
    char line[65536];
    gboolean tty = isatty(STDIN_FILENO);
    gboolean ok = TRUE;

    ctl->interactive = TRUE;
    if (tty)
        printf("Welcome to mvsh, the modvirt shell.\n"
               "Type:  'help' for help with commands\n       'quit' to quit\n\n");
    for (;;) {
        gboolean quit = FALSE;

        if (tty) {
            printf("mvsh # ");
            fflush(stdout);
        }
        if (!fgets(line, sizeof(line), stdin))
            break;
        g_strstrip(line);
        if (!*line || line[0] == '#')
            continue;
        if (!cli_run_line(ctl, line, &quit))
            ok = FALSE;
        if (quit)
            break;
    }
    if (tty)
        printf("\n");
    return ok ? 0 : 1;
}

/*
 * If argv[*@i] is option @shrt or @lng (also as --long=VALUE), parse its
 * value (advancing *@i) into *@ret and return TRUE; *@bad is set (error
 * printed) for a value that is not a non-negative integer.
 */
static gboolean
cli_main_int_opt(int argc, char **argv, int *i, const char *shrt, const char *lng, int *ret,
                 gboolean *bad)
{
    const char *a = argv[*i];
    const char *value = NULL;
    gint64 n;

    if (g_str_has_prefix(a, lng) && a[strlen(lng)] == '=')
        value = a + strlen(lng) + 1;
    else if (!g_str_equal(a, shrt) && !g_str_equal(a, lng))
        return FALSE;
    else if (*i + 1 < argc)
        value = argv[++*i];
    if (!value || !g_ascii_string_to_signed(value, 10, 0, G_MAXINT, &n, NULL)) {
        cli_error("Invalid value for option %s", shrt);
        *bad = TRUE;
        return TRUE;
    }
    *ret = (int)n;
    return TRUE;
}

static void
cli_usage(void)
{
    printf("mvsh [OPTION]... [COMMAND [ARG]...]\n\n"
           "  -c, --connect URI   connect to URI (default: MODVIRT_DEFAULT_URI, else\n"
           "                      qemu:///system for root, qemu:///session otherwise)\n"
           "  -r, --readonly      connect read-only\n"
           "  -k, --keepalive-interval=NUM\n"
           "                      keepalive interval in seconds, 0 for disable (5)\n"
           "  -K, --keepalive-count=NUM\n"
           "                      number of possible missed keepalive messages (6)\n"
           "  -q, --quiet         quiet mode\n"
           "  -h, --help          this help\n"
           "  -v, --version       the version\n\n"
           "Without COMMAND, commands are read from standard input.\n"
           "'mvsh help' lists the commands.\n");
}

int
main(int argc, char **argv)
{
    CliCtl ctl = { .keepalive_interval = 5, .keepalive_count = 6 };
    gboolean bad = FALSE;
    int i;
    int ret;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (cli_main_int_opt(argc, argv, &i, "-k", "--keepalive-interval",
                             &ctl.keepalive_interval, &bad) ||
            cli_main_int_opt(argc, argv, &i, "-K", "--keepalive-count", &ctl.keepalive_count,
                             &bad)) {
            if (bad)
                return 1;
            ctl.keepalive_forced = TRUE;
        } else if (g_str_equal(a, "-c") || g_str_equal(a, "--connect")) {
            if (i + 1 >= argc) {
                cli_error("option %s requires a URI", a);
                return 1;
            }
            g_free(ctl.uri);
            ctl.uri = g_strdup(argv[++i]);
        } else if (g_str_has_prefix(a, "--connect=")) {
            g_free(ctl.uri);
            ctl.uri = g_strdup(a + strlen("--connect="));
        } else if (g_str_equal(a, "-r") || g_str_equal(a, "--readonly")) {
            ctl.readonly = TRUE;
        } else if (g_str_equal(a, "-q") || g_str_equal(a, "--quiet")) {
            ctl.quiet = TRUE;
        } else if (g_str_equal(a, "-h") || g_str_equal(a, "--help")) {
            cli_usage();
            return 0;
        } else if (g_str_equal(a, "-v") || g_str_equal(a, "--version")) {
            printf("%s\n", PACKAGE_VERSION);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s'", a);
            return 1;
        } else {
            break;
        }
    }
    if (i == argc - 1) {
        /* As virsh: a single argument is a command line ("list; list --all"). */
        gboolean quit = FALSE;

        ret = cli_run_line(&ctl, argv[i], &quit) ? 0 : 1;
    } else if (i < argc) {
        ret = cli_run_command(&ctl, argc - i, argv + i) ? 0 : 1;
    } else {
        ret = cli_interactive(&ctl);
    }
    cli_disconnect(&ctl);
    g_free(ctl.uri);
    return ret;
}
