/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-console.c: mvsh's `console`: a guest's serial console on the
 * terminal (raw mode, Ctrl+] leaves), or bridged to stdin/stdout when they
 * are not a terminal.
 *
 * Without a terminal the session ends on Ctrl+] in the input too, or once
 * the input is exhausted and the guest has been quiet for a moment, so
 * that `printf 'cmd\n' | mvsh console dom` shows the answer and returns.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli-util.h"

#define CONSOLE_ESCAPE 0x1d          /* Ctrl+] */
#define CONSOLE_LINGER_MS 300        /* quiet time after the input's end */
#define CONSOLE_LINGER_MAX_MS 5000

typedef struct {
    MvStream *st;
    int st_fd;
    gboolean tty;
    gboolean stdin_eof;
    gint64 eof_time;
    gint64 last_output;
    gboolean stream_eof;
    gboolean escaped;
    gboolean failed;
} Console;

/* Copy everything the guest sent to stdout.  FALSE when the stream ended
 * or failed. */
static gboolean
console_pump_output(Console *c)
{
    char buf[65536];

    for (;;) {
        int n = mv_stream_recv(c->st, buf, sizeof(buf));

        if (n == -2)
            return TRUE;
        if (n < 0) {
            c->failed = TRUE;
            return FALSE;
        }
        if (n == 0) {
            c->stream_eof = TRUE;
            return FALSE;
        }
        c->last_output = g_get_monotonic_time();
        if (write(STDOUT_FILENO, buf, n) < 0 && errno != EAGAIN) {
            c->failed = TRUE;
            return FALSE;
        }
    }
}

/* Send what was typed, up to the escape character.  FALSE to stop. */
static gboolean
console_pump_input(Console *c)
{
    char buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    ssize_t len = n;

    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0) {
        c->stdin_eof = TRUE;
        c->eof_time = g_get_monotonic_time();
        return TRUE;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == CONSOLE_ESCAPE) {
            c->escaped = TRUE;
            len = i;
            break;
        }
    }
    if (len > 0 && mv_stream_send(c->st, buf, len) < 0) {
        c->failed = TRUE;
        return FALSE;
    }
    return !c->escaped;
}

/* After the input's end: has the guest been quiet long enough? */
static gboolean
console_linger_over(Console *c, int *ret_wait)
{
    gint64 now = g_get_monotonic_time();
    gint64 quiet_since = MAX(c->eof_time, c->last_output);
    gint64 quiet_end = quiet_since + CONSOLE_LINGER_MS * 1000;
    gint64 hard_end = c->eof_time + CONSOLE_LINGER_MAX_MS * 1000;
    gint64 end = MIN(quiet_end, hard_end);

    if (now >= end)
        return TRUE;
    *ret_wait = (int)((end - now + 999) / 1000);
    return FALSE;
}

static void
console_loop(Console *c)
{
    for (;;) {
        struct pollfd pfd[2] = { { .fd = c->st_fd, .events = POLLIN },
                                 { .fd = STDIN_FILENO, .events = POLLIN } };
        int wait = -1;
        int r;

        if (c->stdin_eof && !c->tty && console_linger_over(c, &wait))
            return;
        r = poll(pfd, c->stdin_eof ? 1 : 2, wait);
        if (r < 0 && errno != EINTR) {
            c->failed = TRUE;
            return;
        }
        if (r <= 0)
            continue;
        if (pfd[0].revents && !console_pump_output(c))
            return;
        if (!c->stdin_eof && pfd[1].revents && !console_pump_input(c))
            return;
    }
}

gboolean
cli_console_run(CliCtl *ctl, MvDomain *dom, const char *devname, unsigned int flags)
{
    g_autoptr(MvStream) st = mv_stream_new(ctl->conn, MV_STREAM_NONBLOCK);
    Console c = { 0 };
    struct termios saved;
    struct termios raw;
    gboolean ok;

    if (!st || mv_domain_open_console(dom, devname, st, flags) < 0) {
        cli_fail("Failed to get console for domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    c.st = st;
    c.st_fd = mv_stream_get_fd(st);
    c.tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    cli_print_extra(ctl, "Connected to domain '%s'\nEscape character is ^] (Ctrl + ])\n",
           mv_domain_get_name(dom));
    fflush(stdout);
    if (c.tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    }
    /* Output already queued before we poll. */
    if (console_pump_output(&c))
        console_loop(&c);
    if (c.tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        printf("\n");
    }
    if (c.failed) {
        mv_stream_abort(st);
        cli_report_error("the console connection failed");
        return FALSE;
    }
    ok = mv_stream_finish(st) == 0;
    if (!ok && !c.stream_eof)
        cli_report_error(NULL);
    return ok || c.stream_eof;
}

static gboolean
cmd_console(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    unsigned int flags = 0;
    int state;

    if (!dom)
        return FALSE;
    if (mv_domain_get_state(dom, &state, NULL, 0) < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    if (state != MV_DOMAIN_RUNNING && state != MV_DOMAIN_PAUSED) {
        cli_error("The domain is not running");
        return FALSE;
    }
    if (cli_args_has(args, "force"))
        flags |= MV_DOMAIN_CONSOLE_FORCE;
    if (cli_args_has(args, "safe"))
        flags |= MV_DOMAIN_CONSOLE_SAFE;
    return cli_console_run(ctl, dom, cli_args_get(args, "devname"), flags);
}

static const CliOpt opts_console[] = {
    { "domain", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "domain name, id or uuid" },
    { "devname", CLI_OPT_STRING, 0, "character device name" },
    { "force", CLI_OPT_BOOL, 0,
      "force console connection (disconnect already connected sessions)" },
    { "safe", CLI_OPT_BOOL, 0, "only connect if safe console handling is supported" },
    { NULL }
};

const CliCmd cli_console_cmds[] = {
    { "console", cmd_console, opts_console, "connect to the guest console", 0 },
    { NULL }
};
