/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemumonitortest.c: the QMP client against a real qemu-system-x86_64
 * (commands, events, timeouts, end of file, concurrency, reconnect) and
 * against fake QMP peers on a socketpair (garbage, oversized lines, replies
 * out of order, no greeting).
 *
 * Every QEMU is started with PR_SET_PDEATHSIG, so even an aborted test
 * leaves none behind; each test also kills and reaps its own.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-monitor.h"
#include "util/error.h"

/* The event loop the monitors run on, in its own thread. */
typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
} TestLoop;

/* One QEMU and its monitor. */
typedef struct {
    TestLoop loop;
    char *dir;
    char *sock;
    GPid pid;
    QemuMonitor *mon;
    GAsyncQueue *events;         /* char * event names */
    gint eofs;
    gboolean eof_had_error;
} Fixture;

static gpointer
test_loop_thread(gpointer opaque)
{
    TestLoop *tl = opaque;

    g_main_context_push_thread_default(tl->ctx);
    g_main_loop_run(tl->loop);
    g_main_context_pop_thread_default(tl->ctx);
    return NULL;
}

static void
test_loop_start(TestLoop *tl)
{
    tl->ctx = g_main_context_new();
    tl->loop = g_main_loop_new(tl->ctx, FALSE);
    tl->thread = g_thread_new("test-loop", test_loop_thread, tl);
    while (!g_main_loop_is_running(tl->loop))
        g_usleep(1000);
}

static void
test_loop_stop(TestLoop *tl)
{
    g_main_loop_quit(tl->loop);
    g_thread_join(tl->thread);
    g_main_loop_unref(tl->loop);
    g_main_context_unref(tl->ctx);
}

static const char *
test_qemu_binary(void)
{
    static char *path;

    if (!path) {
        const char *env = g_getenv("MODVIRT_TEST_QEMU");

        path = env ? g_strdup(env) : g_find_program_in_path("qemu-system-x86_64");
        if (!path)
            g_error("required tool 'qemu-system-x86_64' is not installed");
    }
    return path;
}

static void
test_child_setup(gpointer data)
{
    /* Die with the test, whatever happens to it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
test_monitor_event(QemuMonitor *mon, const char *event, json_object *data, gint64 ts,
                   gpointer opaque)
{
    Fixture *f = opaque;

    g_assert_cmpint(ts, >, 0);
    if (g_str_equal(event, "RESET")) {
        json_object *v;

        /* The data member is passed through. */
        g_assert_nonnull(data);
        g_assert_true(json_object_object_get_ex(data, "guest", &v));
        g_assert_false(json_object_get_boolean(v));
    }
    g_async_queue_push(f->events, g_strdup(event));
}

static void
test_monitor_eof(QemuMonitor *mon, const GError *error, gpointer opaque)
{
    Fixture *f = opaque;

    f->eof_had_error = error != NULL;
    g_atomic_int_inc(&f->eofs);
}

static QemuMonitorConfig
test_config(Fixture *f, guint timeout_ms)
{
    QemuMonitorConfig cfg = {
        .context = f->loop.ctx,
        .open_timeout_ms = timeout_ms,
        .pid = f->pid,
        .event = test_monitor_event,
        .eof = test_monitor_eof,
        .opaque = f,
    };

    return cfg;
}

static void
fixture_start_qemu(Fixture *f)
{
    g_autofree char *disk = g_build_filename(f->dir, "disk.raw", NULL);
    g_autofree char *log = g_build_filename(f->dir, "qemu.log", NULL);
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", f->sock);
    g_autofree char *file = g_strdup_printf("driver=file,filename=%s,node-name=file0", disk);
    const char *argv[] = {
        test_qemu_binary(), "-S", "-no-user-config", "-nodefaults", "-display", "none",
        "-machine", "pc,accel=kvm:tcg", "-m", "64", "-qmp", qmp,
        "-chardev", "pty,id=charserial0", "-device", "isa-serial,chardev=charserial0",
        "-device", "virtio-balloon-pci,id=balloon0",
        "-blockdev", file, "-blockdev", "driver=raw,file=file0,node-name=fmt0",
        "-device", "virtio-blk-pci,drive=fmt0,id=disk0", NULL
    };
    g_autoptr(GError) error = NULL;
    int logfd;

    g_assert_true(g_file_set_contents(disk, "", 0, &error));
    g_assert_cmpint(truncate(disk, 1024 * 1024), ==, 0);
    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    if (!g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                test_child_setup, NULL, &f->pid, -1, logfd, logfd, &error))
        g_error("cannot start QEMU: %s", error->message);
    close(logfd);
}

static void
fixture_open(Fixture *f)
{
    g_autoptr(GError) error = NULL;
    QemuMonitorConfig cfg = test_config(f, 20000);

    f->mon = qemu_monitor_open(f->sock, &cfg, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->mon);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->dir = g_dir_make_tmp("mv-qmptest-XXXXXX", &error);
    g_assert_no_error(error);
    f->sock = g_build_filename(f->dir, "qmp.sock", NULL);
    f->events = g_async_queue_new_full(g_free);
    test_loop_start(&f->loop);
    if (data) {
        fixture_start_qemu(f);
        fixture_open(f);
    }
}

static void
fixture_reap(Fixture *f)
{
    if (f->pid <= 0)
        return;
    kill(f->pid, SIGCONT);
    kill(f->pid, SIGKILL);
    while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(f->pid);
    f->pid = 0;
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

    qemu_monitor_close(f->mon);
    fixture_reap(f);
    test_loop_stop(&f->loop);
    g_async_queue_unref(f->events);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->sock);
    g_free(f->dir);
}

/* The next event, or NULL after @ms. */
static char *
fixture_next_event(Fixture *f, guint ms)
{
    return g_async_queue_timeout_pop(f->events, (guint64)ms * 1000);
}

/* Wait for @name, skipping others. */
static void
fixture_expect_event(Fixture *f, const char *name)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < end) {
        g_autofree char *ev = fixture_next_event(f, 200);

        if (ev && g_str_equal(ev, name))
            return;
    }
    g_error("event %s did not arrive", name);
}

static guint64
test_qemu_version(void)
{
    const char *argv[] = { test_qemu_binary(), "--version", NULL };
    g_autofree char *out = NULL;
    unsigned int maj = 0, min = 0, mic = 0;
    const char *p;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, NULL, NULL));
    p = strstr(out, "version ");
    g_assert_nonnull(p);
    g_assert_cmpint(sscanf(p, "version %u.%u.%u", &maj, &min, &mic), >=, 2);
    return maj * 1000000ULL + min * 1000ULL + mic;
}

/* Real QEMU ------------------------------------------------------------- */

static void
test_commands(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) cpus = NULL;
    g_autoptr(GPtrArray) stats = NULL;
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GHashTable) chardevs = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autofree char *hmp = NULL;
    g_autofree char *klass = NULL;
    g_autofree char *ver = NULL;
    QemuMonitorChardev *chr;
    QemuMonitorStatus st;
    gboolean found_raw = FALSE;
    gboolean found_file = FALSE;
    guint64 actual = 0;

    g_assert_cmpuint(qemu_monitor_get_version(f->mon), ==, test_qemu_version());
    g_assert_true(qemu_monitor_query_status(f->mon, &st, &error));
    g_assert_no_error(error);
    g_assert_false(st.running);
    g_assert_cmpint(st.state, ==, QEMU_MONITOR_RUN_STATE_PRELAUNCH);
    g_assert_cmpint(st.reason, ==, QEMU_MONITOR_PAUSED_USER);

    ver = g_strdup_printf("%u.%u", (guint)(qemu_monitor_get_version(f->mon) / 1000000),
                          (guint)(qemu_monitor_get_version(f->mon) / 1000 % 1000));
    hmp = qemu_monitor_hmp(f->mon, "info version", &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(hmp, ver));

    cpus = qemu_monitor_query_cpus(f->mon, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(cpus->len, ==, 1);
    g_assert_cmpint(g_array_index(cpus, QemuMonitorCpu, 0).index, ==, 0);
    g_assert_cmpint(g_array_index(cpus, QemuMonitorCpu, 0).thread_id, >, 0);

    g_assert_cmpint(qemu_monitor_query_balloon(f->mon, &actual, &error), ==, 1);
    g_assert_no_error(error);
    g_assert_cmpuint(actual, ==, 64 * 1024 * 1024);

    stats = qemu_monitor_query_blockstats(f->mon, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(stats->len, ==, 1);
    g_assert_nonnull(strstr(((QemuMonitorBlockStats *)stats->pdata[0])->qdev, "disk0"));

    nodes = qemu_monitor_query_named_block_nodes(f->mon, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < nodes->len; i++) {
        QemuMonitorBlockNode *n = nodes->pdata[i];

        if (g_str_equal(n->node_name, "fmt0")) {
            found_raw = TRUE;
            g_assert_cmpstr(n->driver, ==, "raw");
            g_assert_cmpuint(n->virtual_size, ==, 1024 * 1024);
        } else if (g_str_equal(n->node_name, "file0")) {
            found_file = TRUE;
            g_assert_cmpstr(n->driver, ==, "file");
            g_assert_true(g_str_has_suffix(n->filename, "/disk.raw"));
        }
    }
    g_assert_true(found_raw && found_file);

    chardevs = qemu_monitor_query_chardev(f->mon, &error);
    g_assert_no_error(error);
    chr = g_hash_table_lookup(chardevs, "charserial0");
    g_assert_nonnull(chr);
    g_assert_nonnull(chr->pty_path);
    g_assert_true(g_str_has_prefix(chr->pty_path, "/dev/pts/"));
    g_assert_true(g_file_test(chr->pty_path, G_FILE_TEST_EXISTS));

    /* A QMP error names the command, QEMU's class and description. */
    ret = qemu_monitor_command_full(f->mon, "no-such-command", NULL, 0, &klass, &error);
    g_assert_null(ret);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "'no-such-command'"));
    g_assert_nonnull(strstr(error->message, "CommandNotFound"));
    g_assert_nonnull(strstr(error->message, "has not been found"));
    g_assert_cmpstr(klass, ==, "CommandNotFound");
    g_clear_error(&error);

    /* Arguments are passed through. */
    g_clear_pointer(&hmp, g_free);
    hmp = qemu_monitor_hmp(f->mon, "info block", &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(hmp, "fmt0"));
    g_assert_false(qemu_monitor_is_closed(f->mon));
}

static void
test_events(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    QemuMonitorStatus st;

    g_assert_true(qemu_monitor_cont(f->mon, &error));
    g_assert_no_error(error);
    fixture_expect_event(f, "RESUME");
    g_assert_true(qemu_monitor_query_status(f->mon, &st, &error));
    g_assert_true(st.running);
    g_assert_cmpint(st.state, ==, QEMU_MONITOR_RUN_STATE_RUNNING);

    g_assert_true(qemu_monitor_stop(f->mon, &error));
    g_assert_no_error(error);
    fixture_expect_event(f, "STOP");
    g_assert_true(qemu_monitor_query_status(f->mon, &st, &error));
    g_assert_false(st.running);
    g_assert_cmpint(st.state, ==, QEMU_MONITOR_RUN_STATE_PAUSED);
    g_assert_cmpint(st.reason, ==, QEMU_MONITOR_PAUSED_USER);

    g_assert_true(qemu_monitor_system_reset(f->mon, &error));
    g_assert_no_error(error);
    fixture_expect_event(f, "RESET");

    /* quit: QEMU hangs up, which is reported once. */
    g_assert_true(qemu_monitor_quit(f->mon, &error));
    g_assert_no_error(error);
    fixture_expect_event(f, "SHUTDOWN");
    for (int i = 0; i < 500 && g_atomic_int_get(&f->eofs) == 0; i++)
        g_usleep(10000);
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 1);
    g_assert_false(f->eof_had_error);
    g_assert_true(qemu_monitor_is_closed(f->mon));
}

static void
test_timeout(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autoptr(json_object) ret2 = NULL;
    json_object *v;
    gint64 t0;

    g_assert_cmpint(kill(f->pid, SIGSTOP), ==, 0);
    t0 = g_get_monotonic_time();
    ret = qemu_monitor_command(f->mon, "query-kvm", NULL, 300, &error);
    g_assert_null(ret);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(error->message, "'query-kvm'"));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 250 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    g_clear_error(&error);
    g_assert_cmpint(kill(f->pid, SIGCONT), ==, 0);

    /* The late reply to query-kvm must not be taken for this one. */
    ret2 = qemu_monitor_command(f->mon, "query-status", NULL, 10000, &error);
    g_assert_no_error(error);
    g_assert_true(json_object_object_get_ex(ret2, "status", &v));
    g_assert_false(json_object_object_get_ex(ret2, "present", &v));
    g_assert_false(qemu_monitor_is_closed(f->mon));
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 0);
}

typedef struct {
    QemuMonitor *mon;
    GError *error;
    gint64 elapsed;
} PendingCall;

static gpointer
pending_call_thread(gpointer opaque)
{
    PendingCall *pc = opaque;
    gint64 t0 = g_get_monotonic_time();
    json_object *ret = qemu_monitor_command(pc->mon, "query-status", NULL, 20000, &pc->error);

    pc->elapsed = g_get_monotonic_time() - t0;
    json_object_put(ret);
    return NULL;
}

static void
test_eof(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = NULL;
    PendingCall pc = { .mon = f->mon };
    GThread *th;

    /* A command in flight when QEMU dies fails at once, not at its timeout. */
    g_assert_cmpint(kill(f->pid, SIGSTOP), ==, 0);
    th = g_thread_new("pending", pending_call_thread, &pc);
    g_usleep(200 * 1000);
    g_assert_cmpint(kill(f->pid, SIGKILL), ==, 0);
    g_thread_join(th);
    g_assert_error(pc.error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(pc.error->message, "End of file"));
    g_assert_cmpint(pc.elapsed, <, 10 * G_USEC_PER_SEC);
    g_clear_error(&pc.error);

    for (int i = 0; i < 500 && g_atomic_int_get(&f->eofs) == 0; i++)
        g_usleep(10000);
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 1);
    g_assert_false(f->eof_had_error);
    g_assert_true(qemu_monitor_is_closed(f->mon));

    /* Later commands fail immediately; the hang-up is reported once. */
    ret = qemu_monitor_command(f->mon, "query-status", NULL, 20000, &error);
    g_assert_null(ret);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED);
    g_usleep(200 * 1000);
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 1);
}

#define CONCURRENT_THREADS 4
#define CONCURRENT_CALLS 50

typedef struct {
    QemuMonitor *mon;
    int seed;
    int failures;
} Worker;

static gpointer
concurrent_thread(gpointer opaque)
{
    Worker *w = opaque;
    static const char *const cmds[] = { "query-status", "query-kvm", "query-version",
                                        "query-name" };
    static const char *const keys[] = { "status", "present", "qemu", NULL };

    for (int i = 0; i < CONCURRENT_CALLS; i++) {
        int k = (i + w->seed) % G_N_ELEMENTS(cmds);
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) ret = qemu_monitor_command(w->mon, cmds[k], NULL, 20000, &error);
        json_object *v;

        /* Each reply must be the one to this thread's own command. */
        if (!ret || !json_object_is_type(ret, json_type_object))
            w->failures++;
        else if (keys[k] && !json_object_object_get_ex(ret, keys[k], &v))
            w->failures++;
        else if (!keys[k] && json_object_object_length(ret) != 0)
            w->failures++;
    }
    return NULL;
}

static void
test_concurrent(Fixture *f, gconstpointer data)
{
    Worker workers[CONCURRENT_THREADS];
    GThread *threads[CONCURRENT_THREADS];

    for (int i = 0; i < CONCURRENT_THREADS; i++) {
        workers[i] = (Worker){ .mon = f->mon, .seed = i };
        threads[i] = g_thread_new("worker", concurrent_thread, &workers[i]);
    }
    for (int i = 0; i < CONCURRENT_THREADS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(workers[i].failures, ==, 0);
    }
}

static void
test_reconnect(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = NULL;
    QemuMonitorStatus st;

    /* Leave QEMU paused (not in prelaunch) to see the state survive. */
    g_assert_true(qemu_monitor_cont(f->mon, &error));
    fixture_expect_event(f, "RESUME");
    g_assert_true(qemu_monitor_stop(f->mon, &error));
    fixture_expect_event(f, "STOP");
    qemu_monitor_close(f->mon);
    f->mon = NULL;
    /* Closing the monitor neither kills QEMU nor calls eof. */
    g_usleep(100 * 1000);
    g_assert_cmpint(waitpid(f->pid, NULL, WNOHANG), ==, 0);
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 0);

    /* Re-attach, as after a daemon restart: same call, same socket. */
    for (int i = 0; i < 3; i++) {
        fixture_open(f);
        g_assert_true(qemu_monitor_query_status(f->mon, &st, &error));
        g_assert_no_error(error);
        g_assert_cmpint(st.state, ==, QEMU_MONITOR_RUN_STATE_PAUSED);
        if (i < 2) {
            qemu_monitor_close(f->mon);
            f->mon = NULL;
        }
    }
    /* Events flow on the new connection. */
    g_assert_true(qemu_monitor_cont(f->mon, &error));
    fixture_expect_event(f, "RESUME");
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 0);
}

typedef struct {
    QemuMonitor *mon;
    GAsyncQueue *done;
    GError *error;
} OnLoop;

static gboolean
on_loop_cb(gpointer opaque)
{
    OnLoop *ol = opaque;
    json_object *ret = qemu_monitor_command(ol->mon, "query-status", NULL, 20000, &ol->error);

    json_object_put(ret);
    g_async_queue_push(ol->done, GINT_TO_POINTER(1));
    return G_SOURCE_REMOVE;
}

static void
test_on_loop_thread(Fixture *f, gconstpointer data)
{
    OnLoop ol = { .mon = f->mon, .done = g_async_queue_new() };
    gpointer done;

    /* On the context's own thread the call fails at once, no deadlock. */
    g_main_context_invoke(f->loop.ctx, on_loop_cb, &ol);
    done = g_async_queue_timeout_pop(ol.done, 5 * G_USEC_PER_SEC);
    g_assert_nonnull(done);
    g_assert_error(ol.error, mv_error_quark(MV_FROM_QEMU), MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(ol.error->message, "event loop thread"));
    g_clear_error(&ol.error);
    g_async_queue_unref(ol.done);
}

static void
test_open_failures(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    QemuMonitorConfig cfg = test_config(f, 300);
    gint64 t0 = g_get_monotonic_time();
    QemuMonitor *mon;
    GPid pid;
    const char *argv[] = { "/bin/true", NULL };

    /* Nothing listens: bounded by the open timeout. */
    mon = qemu_monitor_open(f->sock, &cfg, &error);
    g_assert_null(mon);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_TIMEOUT);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    g_clear_error(&error);

    /* A process that is gone: fails without waiting for the timeout. */
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &pid, NULL));
    waitpid(pid, NULL, 0);
    cfg.pid = pid;
    cfg.open_timeout_ms = 20000;
    t0 = g_get_monotonic_time();
    mon = qemu_monitor_open(f->sock, &cfg, &error);
    g_assert_null(mon);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
}

/* Fake QMP peers ------------------------------------------------------- */

typedef enum {
    FAKE_GARBAGE,            /* answer the first command with non-JSON */
    FAKE_OVERSIZED,          /* answer with an endless line */
    FAKE_OUT_OF_ORDER,       /* answer two commands in reverse order */
    FAKE_SILENT,             /* never greet */
} FakeMode;

typedef struct {
    int fd;
    FakeMode mode;
} FakePeer;

static char *
fake_read_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    while (read(fd, &c, 1) == 1) {
        if (c == '\n')
            return g_string_free(s, FALSE);
        g_string_append_c(s, c);
    }
    g_string_free(s, TRUE);
    return NULL;
}

static void
fake_write(int fd, const char *text)
{
    gsize len = strlen(text);

    while (len > 0) {
        ssize_t n = write(fd, text, len);

        if (n <= 0)
            return;
        text += n;
        len -= n;
    }
}

static gint64
fake_command_id(const char *line, char **ret_cmd)
{
    g_autoptr(json_object) obj = json_tokener_parse(line);
    json_object *v;

    g_assert_nonnull(obj);
    g_assert_true(json_object_object_get_ex(obj, "execute", &v));
    *ret_cmd = g_strdup(json_object_get_string(v));
    g_assert_true(json_object_object_get_ex(obj, "id", &v));
    return json_object_get_int64(v);
}

static gpointer
fake_peer_thread(gpointer opaque)
{
    FakePeer *fp = opaque;
    g_autofree char *line = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *junk = NULL;

    if (fp->mode == FAKE_SILENT) {
        g_free(fake_read_line(fp->fd));
        return NULL;
    }
    fake_write(fp->fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 3, \"minor\": 2, "
                       "\"major\": 9}}, \"capabilities\": []}}\r\n");
    line = fake_read_line(fp->fd);
    g_assert_nonnull(strstr(line, "qmp_capabilities"));
    fake_write(fp->fd, "{\"return\": {}, \"id\": 0}\r\n");
    g_clear_pointer(&line, g_free);
    line = fake_read_line(fp->fd);
    if (!line)
        return NULL;
    switch (fp->mode) {
    case FAKE_GARBAGE:
        /* An unknown id is ignored; then garbage. */
        fake_write(fp->fd, "{\"return\": {}, \"id\": 4242}\r\n");
        fake_write(fp->fd, "this is not json\r\n");
        break;
    case FAKE_OVERSIZED:
        junk = g_strnfill(200 * 1024, 'x');
        fake_write(fp->fd, junk);
        break;
    case FAKE_OUT_OF_ORDER: {
        g_autofree char *line2 = fake_read_line(fp->fd);
        g_autofree char *cmd2 = NULL;
        gint64 id1 = fake_command_id(line, &cmd);
        gint64 id2 = fake_command_id(line2, &cmd2);
        g_autofree char *r1 = g_strdup_printf("{\"return\": {\"cmd\": \"%s\"}, \"id\": %"
                                              G_GINT64_FORMAT "}\r\n", cmd, id1);
        g_autofree char *r2 = g_strdup_printf("{\"return\": {\"cmd\": \"%s\"}, \"id\": %"
                                              G_GINT64_FORMAT "}\r\n", cmd2, id2);

        /* An event between the two, then the replies swapped. */
        fake_write(fp->fd, r2);
        fake_write(fp->fd, "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}, "
                           "\"event\": \"FAKE_EVENT\"}\r\n");
        fake_write(fp->fd, r1);
        break;
    }
    case FAKE_SILENT:
    default:
        break;
    }
    /* Wait for the client to hang up. */
    for (;;) {
        g_autofree char *rest = fake_read_line(fp->fd);

        if (!rest)
            break;
    }
    return NULL;
}

static QemuMonitor *
fake_open(Fixture *f, FakePeer *fp, GThread **ret_thread, guint timeout_ms, GError **error)
{
    int sv[2];
    QemuMonitorConfig cfg = test_config(f, timeout_ms);

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    fp->fd = sv[1];
    *ret_thread = g_thread_new("fake-qmp", fake_peer_thread, fp);
    return qemu_monitor_open_fd(sv[0], &cfg, error);
}

static void
fake_finish(Fixture *f, FakePeer *fp, GThread *thread)
{
    qemu_monitor_close(f->mon);
    f->mon = NULL;
    g_thread_join(thread);
    close(fp->fd);
}

static void
fake_wait_eof(Fixture *f)
{
    for (int i = 0; i < 500 && g_atomic_int_get(&f->eofs) == 0; i++)
        g_usleep(10000);
    g_usleep(50 * 1000);
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 1);
}

static void
test_fake_garbage(Fixture *f, gconstpointer data)
{
    FakePeer fp = { .mode = FAKE_GARBAGE };
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = NULL;
    GThread *th;

    f->mon = fake_open(f, &fp, &th, 5000, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(qemu_monitor_get_version(f->mon), ==, 9002003);
    ret = qemu_monitor_command(f->mon, "query-status", NULL, 10000, &error);
    g_assert_null(ret);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "cannot parse"));
    fake_wait_eof(f);
    g_assert_true(f->eof_had_error);
    g_assert_true(qemu_monitor_is_closed(f->mon));
    fake_finish(f, &fp, th);
}

static void
test_fake_oversized(Fixture *f, gconstpointer data)
{
    FakePeer fp = { .mode = FAKE_OVERSIZED };
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = NULL;
    GThread *th;

    f->mon = fake_open(f, &fp, &th, 5000, &error);
    g_assert_no_error(error);
    qemu_monitor_set_max_line(f->mon, 64 * 1024);
    ret = qemu_monitor_command(f->mon, "query-status", NULL, 10000, &error);
    g_assert_null(ret);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "longer than"));
    fake_wait_eof(f);
    g_assert_true(f->eof_had_error);
    fake_finish(f, &fp, th);
}

typedef struct {
    QemuMonitor *mon;
    const char *cmd;
    char *got;
} OrderCall;

static gpointer
order_thread(gpointer opaque)
{
    OrderCall *oc = opaque;
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) ret = qemu_monitor_command(oc->mon, oc->cmd, NULL, 10000, &error);
    json_object *v;

    g_assert_no_error(error);
    g_assert_true(json_object_object_get_ex(ret, "cmd", &v));
    oc->got = g_strdup(json_object_get_string(v));
    return NULL;
}

static void
test_fake_out_of_order(Fixture *f, gconstpointer data)
{
    FakePeer fp = { .mode = FAKE_OUT_OF_ORDER };
    g_autoptr(GError) error = NULL;
    g_autofree char *ev = NULL;
    OrderCall a = { .cmd = "cmd-a" };
    OrderCall b = { .cmd = "cmd-b" };
    GThread *ta;
    GThread *tb;
    GThread *th;

    f->mon = fake_open(f, &fp, &th, 5000, &error);
    g_assert_no_error(error);
    a.mon = b.mon = f->mon;
    ta = g_thread_new("a", order_thread, &a);
    tb = g_thread_new("b", order_thread, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    /* Each caller got the reply to its own command. */
    g_assert_cmpstr(a.got, ==, "cmd-a");
    g_assert_cmpstr(b.got, ==, "cmd-b");
    ev = fixture_next_event(f, 5000);
    g_assert_cmpstr(ev, ==, "FAKE_EVENT");
    g_assert_cmpint(g_atomic_int_get(&f->eofs), ==, 0);
    g_free(a.got);
    g_free(b.got);
    fake_finish(f, &fp, th);
}

static void
test_fake_silent(Fixture *f, gconstpointer data)
{
    FakePeer fp = { .mode = FAKE_SILENT };
    g_autoptr(GError) error = NULL;
    gint64 t0 = g_get_monotonic_time();
    GThread *th;

    f->mon = fake_open(f, &fp, &th, 300, &error);
    g_assert_null(f->mon);
    g_assert_error(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_TIMEOUT);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    /* The failed open closed its end: the peer sees end of file. */
    g_thread_join(th);
    close(fp.fd);
}

#define ADD(name, func, qemu) \
    g_test_add("/qemu/monitor/" name, Fixture, (qemu) ? GINT_TO_POINTER(1) : NULL, \
               fixture_setup, func, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    ADD("commands", test_commands, TRUE);
    ADD("events", test_events, TRUE);
    ADD("timeout", test_timeout, TRUE);
    ADD("eof", test_eof, TRUE);
    ADD("concurrent", test_concurrent, TRUE);
    ADD("reconnect", test_reconnect, TRUE);
    ADD("on-loop-thread", test_on_loop_thread, TRUE);
    ADD("open-failures", test_open_failures, FALSE);
    ADD("fake/garbage", test_fake_garbage, FALSE);
    ADD("fake/oversized", test_fake_oversized, FALSE);
    ADD("fake/out-of-order", test_fake_out_of_order, FALSE);
    ADD("fake/no-greeting", test_fake_silent, FALSE);
    return g_test_run();
}
