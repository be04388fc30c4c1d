/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-event.c: mvsh's `event`: wait for domain events and print them as
 * virsh does.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-util.h"

static const char *const event_names[MV_DOMAIN_EVENT_ID_COUNT] = {
    "lifecycle", "reboot", "rtc-change", "watchdog", "io-error", "graphics",
    "io-error-reason", "control-error", "block-job", "disk-change", "tray-change",
    "pm-wakeup", "pm-suspend", "balloon-change", "pm-suspend-disk", "device-removed",
    "block-job-2", "tunable", "agent-lifecycle", "device-added", "migration-iteration",
    "job-completed", "device-removal-failed", "metadata-change", "block-threshold",
    "memory-failure", "memory-device-size-change",
};

static const char *const lifecycle_names[] = {
    "Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped", "Shutdown",
    "PMSuspended", "Crashed",
};

/* Indexed by event type: the detail names, NULL-terminated. */
static const char *const *const lifecycle_details[] = {
    (const char *const[]){ "Added", "Updated", "Renamed", "Snapshot", NULL },
    (const char *const[]){ "Removed", "Renamed", NULL },
    (const char *const[]){ "Booted", "Migrated", "Restored", "Snapshot", "Event wakeup", NULL },
    (const char *const[]){ "Paused", "Migrated", "I/O Error", "Watchdog", "Restored",
                           "Snapshot", "API error", "Post-copy", "Post-copy Error", NULL },
    (const char *const[]){ "Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error",
                           NULL },
    (const char *const[]){ "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed",
                           "Snapshot", NULL },
    (const char *const[]){ "Finished", "Finished after guest request",
                           "Finished after host request", NULL },
    (const char *const[]){ "Memory", "Disk", NULL },
    (const char *const[]){ "Panicked", "Crashloaded", NULL },
};

static const char *
event_type_to_string(int event)
{
    if (event < 0 || event >= (int)G_N_ELEMENTS(lifecycle_names))
        return "unknown";
    return lifecycle_names[event];
}

static const char *
event_detail_to_string(int event, int detail)
{
    const char *const *names;

    if (event < 0 || event >= (int)G_N_ELEMENTS(lifecycle_details) || detail < 0)
        return "unknown";
    names = lifecycle_details[event];
    for (int i = 0; names[i]; i++) {
        if (i == detail)
            return names[i];
    }
    return "unknown";
}

typedef struct {
    int event_id;
    gboolean loop;
    gboolean timestamp;
    int *count;
} EventData;

/* Print one event line, unless a one-shot wait already got its event. */
static void G_GNUC_PRINTF(2, 3)
event_printf(EventData *data, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!data->loop && *data->count)
        return;
    if (data->timestamp) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");

        printf("%s.%03d+0000: ", ts, g_date_time_get_microsecond(now) / 1000);
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fputs(msg, stdout);
    fflush(stdout);
    (*data->count)++;
}

static void
event_lifecycle_cb(MvConnect *conn, MvDomain *dom, int event, int detail, void *opaque)
{
    event_printf(opaque, "event 'lifecycle' for domain '%s': %s %s\n",
                 mv_domain_get_name(dom), event_type_to_string(event),
                 event_detail_to_string(event, detail));
}

static void
event_generic_cb(MvConnect *conn, MvDomain *dom, void *opaque)
{
    EventData *data = opaque;

    event_printf(data, "event '%s' for domain '%s'\n", event_names[data->event_id],
                 mv_domain_get_name(dom));
}

/* The connection closed under the wait: say so as virsh does, end the wait. */
static void
event_conn_closed(MvConnect *conn, int reason, void *opaque)
{
    static const char *const why[] = { "I/O error", "end of file", "keepalive timeout" };
    g_autofree char *uri = NULL;
    gboolean *closed = opaque;

    if (reason < 0 || reason >= (int)G_N_ELEMENTS(why))
        return;
    uri = mv_connect_get_uri(conn);
    cli_error("Disconnected from %s due to %s", uri ? uri : "(null)", why[reason]);
    *closed = TRUE;
}

typedef enum {
    EVENT_WAIT_DONE,
    EVENT_WAIT_TIMEOUT,
    EVENT_WAIT_INTERRUPT,
    EVENT_WAIT_ERROR,
} EventWaitResult;

/* Run queued callbacks until one-shot completion, @timeout_ms, SIGINT, or
 * the end of the connection (*@closed). */
static EventWaitResult
event_wait(gboolean loop, int *count, int timeout_ms, const gboolean *closed)
{
    gint64 deadline = timeout_ms > 0 ? g_get_monotonic_time() + timeout_ms * 1000LL : 0;
    struct pollfd pfd[2] = { { .fd = mv_event_get_fd(), .events = POLLIN },
                             { .fd = cli_sigint_begin(), .events = POLLIN } };
    EventWaitResult res = EVENT_WAIT_ERROR;

    for (;;) {
        int wait = -1;
        int r;

        if ((!loop && *count > 0) || *closed) {
            res = EVENT_WAIT_DONE;
            break;
        }
        if (deadline) {
            gint64 left = deadline - g_get_monotonic_time();

            if (left <= 0) {
                res = EVENT_WAIT_TIMEOUT;
                break;
            }
            wait = (int)((left + 999) / 1000);
        }
        r = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, wait);
        if (cli_sigint_caught()) {
            res = EVENT_WAIT_INTERRUPT;
            break;
        }
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (pfd[0].revents & POLLIN))
            mv_event_dispatch_pending();
    }
    cli_sigint_end();
    return res;
}

/* Register for the chosen ids; as virsh, only the first failure counts. */
static gboolean
event_register(CliCtl *ctl, MvDomain *dom, EventData *data, guint ndata, int *ids)
{
    for (guint i = 0; i < ndata; i++) {
        MvConnectDomainEventGenericCallback cb =
            data[i].event_id == MV_DOMAIN_EVENT_ID_LIFECYCLE
            ? MV_DOMAIN_EVENT_CALLBACK(event_lifecycle_cb) : event_generic_cb;

        ids[i] = mv_connect_domain_event_register_any(ctl->conn, dom, data[i].event_id, cb,
                                                      &data[i], NULL);
        if (ids[i] < 0 && i == 0) {
            cli_report_error(NULL);
            return FALSE;
        }
        if (ids[i] < 0)
            mv_reset_last_error();
    }
    return TRUE;
}

/* Which ids to watch: FALSE (error printed) for bad options. */
static gboolean
event_select(const CliArgs *args, EventData *data, guint *ndata, int *count)
{
    const char *name = cli_args_get(args, "event");
    gboolean all = cli_args_has(args, "all");

    if (all && name) {
        cli_error("Options --all and --event are mutually exclusive");
        return FALSE;
    }
    if (!all && !name) {
        cli_error("one of --list, --all, or --event <type> is required");
        return FALSE;
    }
    *ndata = 0;
    for (int i = 0; i < MV_DOMAIN_EVENT_ID_COUNT; i++) {
        if (name && !g_str_equal(name, event_names[i]))
            continue;
        data[*ndata].event_id = i;
        data[*ndata].loop = cli_args_has(args, "loop");
        data[*ndata].timestamp = cli_args_has(args, "timestamp");
        data[*ndata].count = count;
        (*ndata)++;
    }
    if (*ndata == 0) {
        cli_error("unknown event type %s", name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
cmd_event(CliCtl *ctl, const CliArgs *args)
{
    EventData data[MV_DOMAIN_EVENT_ID_COUNT];
    int ids[MV_DOMAIN_EVENT_ID_COUNT];
    g_autoptr(MvDomain) dom = NULL;
    gboolean ok = FALSE;
    gboolean closed = FALSE;
    gboolean failed = FALSE;
    gboolean watched;
    EventWaitResult res;
    guint ndata = 0;
    int timeout = 0;
    int count = 0;

    if (cli_args_has(args, "list")) {
        if (cli_args_has(args, "all") || cli_args_has(args, "event")) {
            cli_error("Options --list and --%s are mutually exclusive",
                      cli_args_has(args, "all") ? "all" : "event");
            return FALSE;
        }
        for (int i = 0; i < MV_DOMAIN_EVENT_ID_COUNT; i++)
            printf("%s\n", event_names[i]);
        return TRUE;
    }
    if (!event_select(args, data, &ndata, &count) ||
        !cli_args_get_int(args, "timeout", &timeout))
        return FALSE;
    if (cli_args_has(args, "timeout") && timeout < 1) {
        cli_error("invalid timeout value '%s'", cli_args_get(args, "timeout"));
        return FALSE;
    }
    if (cli_args_has(args, "domain") &&
        !(dom = cli_lookup_domain(ctl, args, "domain", CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME)))
        return FALSE;
    for (guint i = 0; i < ndata; i++)
        ids[i] = -1;
    watched = mv_connect_register_close_callback(ctl->conn, event_conn_closed, &closed,
                                                 NULL) == 0;
    if (event_register(ctl, dom, data, ndata, ids)) {
        res = event_wait(cli_args_has(args, "loop"), &count, timeout * 1000, &closed);
        if (res == EVENT_WAIT_INTERRUPT)
            printf("event loop interrupted\n");
        else if (res == EVENT_WAIT_TIMEOUT)
            printf("event loop timed out\n");
        if (res != EVENT_WAIT_ERROR) {
            printf("events received: %d\n", count);
            ok = count > 0;
        }
    }
    for (guint i = 0; i < ndata; i++) {
        if (ids[i] >= 0 && mv_connect_domain_event_deregister_any(ctl->conn, ids[i]) < 0) {
            /* As virsh: one error ("client socket is closed"), once. */
            if (!failed)
                cli_report_error(NULL);
            failed = TRUE;
        }
    }
    if (watched)
        mv_connect_unregister_close_callback(ctl->conn, event_conn_closed);
    if (failed)
        ok = FALSE;
    /* Callbacks still queued point into @data: run them out now. */
    mv_event_dispatch_pending();
    return ok;
}

static const CliOpt opts_event[] = {
    { "domain", CLI_OPT_STRING, 0, "filter by domain name, id or uuid" },
    { "event", CLI_OPT_STRING, 0, "which event type to wait for" },
    { "all", CLI_OPT_BOOL, 0, "wait for all events instead of just one type" },
    { "loop", CLI_OPT_BOOL, 0, "loop until timeout or interrupt, rather than one-shot" },
    { "timeout", CLI_OPT_INT, 0, "timeout seconds" },
    { "list", CLI_OPT_BOOL, 0, "list valid event types" },
    { "timestamp", CLI_OPT_BOOL, 0, "show timestamp for each printed event" },
    { NULL }
};

const CliCmd cli_event_cmds[] = {
    { "event", cmd_event, opts_event, "Domain Events", 0 },
    { NULL }
};
