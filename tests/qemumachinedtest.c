/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemumachinedtest: qemu-machined.c against fake-machined on a private
 * dbus-daemon given as the system bus: the calls and their arguments, the
 * fallback to RegisterMachine, the time bound with a machined that never
 * answers, and no bus at all.
 */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/qemu/qemu-machined.h"

#define FAKE_MACHINED ABS_BUILDDIR "/fake-machined"

/* The system daemon's driver registers machines, a session one does not. */
static QemuDriver system_driver = { .privileged = TRUE };
static QemuDriver session_driver = { .privileged = FALSE };

typedef struct {
    char *dir;
    GPid bus_pid;
    GPid fake_pid;
    char *address;
    GIOChannel *fake_out;
} Fixture;

/* The first line of @fd's output, waiting at most 10 s. */
static char *
read_line(GIOChannel *ch, guint timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    GString *line = g_string_new(NULL);
    int fd = g_io_channel_unix_get_fd(ch);

    while (g_get_monotonic_time() < end) {
        GPollFD pfd = { .fd = fd, .events = G_IO_IN };
        char c;

        if (g_poll(&pfd, 1, (end - g_get_monotonic_time()) / 1000 + 1) <= 0)
            continue;
        if (read(fd, &c, 1) != 1)
            break;
        if (c == '\n')
            return g_string_free(line, FALSE);
        g_string_append_c(line, c);
    }
    g_string_free(line, TRUE);
    return NULL;
}

static void
fixture_start_fake(Fixture *fx, const char *arg)
{
    const char *argv[] = { FAKE_MACHINED, arg, NULL };
    g_autofree char *ready = NULL;
    g_autoptr(GError) error = NULL;
    int out = -1;

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &fx->fake_pid, NULL, &out, NULL,
                                           &error));
    fx->fake_out = g_io_channel_unix_new(out);
    g_io_channel_set_close_on_unref(fx->fake_out, TRUE);
    ready = read_line(fx->fake_out, 10000);
    g_assert_cmpstr(ready, ==, "READY");
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    const char *fake_arg = data;
    g_autofree char *listen = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GIOChannel) ch = NULL;
    int out = -1;

    fx->dir = g_dir_make_tmp("mv-machined-XXXXXX", &error);
    g_assert_no_error(error);
    listen = g_strdup_printf("--address=unix:path=%s/bus", fx->dir);
    {
        const char *argv[] = { "dbus-daemon", "--session", listen, "--print-address=1",
                               "--nofork", "--nopidfile", NULL };

        g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                                   G_SPAWN_STDERR_TO_DEV_NULL,
                                               NULL, NULL, &fx->bus_pid, NULL, &out, NULL,
                                               &error));
    }
    ch = g_io_channel_unix_new(out);
    g_io_channel_set_close_on_unref(ch, TRUE);
    fx->address = read_line(ch, 10000);
    g_assert_nonnull(fx->address);
    g_setenv("DBUS_SYSTEM_BUS_ADDRESS", fx->address, TRUE);
    if (fake_arg)
        fixture_start_fake(fx, *fake_arg ? fake_arg : NULL);
}

static void
stop_child(GPid pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    g_spawn_close_pid(pid);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    g_autofree char *sock = g_build_filename(fx->dir, "bus", NULL);

    stop_child(fx->fake_pid);
    stop_child(fx->bus_pid);
    if (fx->fake_out)
        g_io_channel_unref(fx->fake_out);
    g_unlink(sock);
    g_rmdir(fx->dir);
    g_free(fx->dir);
    g_free(fx->address);
    g_unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

/* A running domain as the core would have it. */
static QemuDomainObj *
make_obj(int id, const char *name, pid_t pid)
{
    QemuDomainObj *obj = g_new0(QemuDomainObj, 1);
    static const unsigned char uuid[MV_UUID_LEN] = {
        0x4d, 0xea, 0x22, 0xb3, 0x1d, 0x52, 0xd8, 0xf3,
        0x2d, 0xa9, 0x4d, 0xea, 0x22, 0xb3, 0x1d, 0x52,
    };

    g_mutex_init(&obj->lock);
    obj->name = g_strdup(name);
    memcpy(obj->uuid, uuid, MV_UUID_LEN);
    obj->def = domain_def_new();
    obj->def->id = id;
    obj->pid = pid;
    return obj;
}

static void
free_obj(QemuDomainObj *obj)
{
    domain_def_free(obj->def);
    g_free(obj->name);
    g_mutex_clear(&obj->lock);
    g_free(obj);
}

#define UUID_STR "4dea22b3-1d52-d8f3-2da9-4dea22b31d52"

static void
test_register_terminate(Fixture *fx, gconstpointer data)
{
    QemuDomainObj *obj = make_obj(7, "demo", 4242);
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;
    g_autofree char *l3 = NULL;

    qemu_machined_register(&system_driver, obj);
    /* Asked twice (the events and the core): sent once. */
    qemu_machined_register(&system_driver, obj);
    /* The id is reset before the stop is reported: the name registered
     * is used all the same. */
    obj->def->id = -1;
    qemu_machined_terminate(&system_driver, obj);
    /* Nothing registered, no id: no name to terminate. */
    qemu_machined_terminate(&system_driver, obj);
    obj->def->id = 8;
    qemu_machined_terminate(&system_driver, obj);
    qemu_machined_flush();
    l1 = read_line(fx->fake_out, 5000);
    l2 = read_line(fx->fake_out, 5000);
    l3 = read_line(fx->fake_out, 5000);
    g_assert_cmpstr(l1, ==,
                    "CreateMachine name=qemu-7-demo uuid=" UUID_STR " service=modvirt-qemu "
                    "class=vm leader=4242 root= props=Slice,After");
    g_assert_cmpstr(l2, ==, "TerminateMachine name=qemu-7-demo");
    /* Not registered by us, but running with an id: terminated by name. */
    g_assert_cmpstr(l3, ==, "TerminateMachine name=qemu-8-demo");
    free_obj(obj);
}

static void
test_register_fallback(Fixture *fx, gconstpointer data)
{
    QemuDomainObj *obj = make_obj(3, "fallback", 99);
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;

    qemu_machined_register(&system_driver, obj);
    qemu_machined_flush();
    l1 = read_line(fx->fake_out, 5000);
    l2 = read_line(fx->fake_out, 5000);
    g_assert_nonnull(l1);
    g_assert_true(g_str_has_prefix(l1, "CreateMachine name=qemu-3-fallback "));
    g_assert_cmpstr(l2, ==,
                    "RegisterMachine name=qemu-3-fallback uuid=" UUID_STR
                    " service=modvirt-qemu class=vm leader=99 root=");
    qemu_machined_terminate(&system_driver, obj);
    qemu_machined_flush();
    free_obj(obj);
}

static void
test_hang_is_bounded(Fixture *fx, gconstpointer data)
{
    QemuDomainObj *obj = make_obj(1, "hang", 7);
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;
    gint64 t0 = g_get_monotonic_time();
    gint64 queued, done;

    qemu_machined_register(&system_driver, obj);
    qemu_machined_terminate(&system_driver, obj);
    queued = g_get_monotonic_time() - t0;
    qemu_machined_flush();
    done = g_get_monotonic_time() - t0;
    /* Asking never waits; each call gives up after the bound. */
    g_assert_cmpint(queued, <, 50 * 1000);
    g_assert_cmpint(done, >=, 2 * QEMU_MACHINED_TIMEOUT_MS * 1000);
    g_assert_cmpint(done, <, 2 * QEMU_MACHINED_TIMEOUT_MS * 1000 + 1000 * 1000);
    /* Both calls did reach it. */
    l1 = read_line(fx->fake_out, 5000);
    l2 = read_line(fx->fake_out, 5000);
    g_assert_true(l1 && g_str_has_prefix(l1, "CreateMachine name=qemu-1-hang "));
    g_assert_cmpstr(l2, ==, "TerminateMachine name=qemu-1-hang");
    free_obj(obj);
}

static void
test_session_driver(Fixture *fx, gconstpointer data)
{
    QemuDomainObj *obj = make_obj(4, "session", 5);
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;

    qemu_machined_register(&session_driver, obj);
    qemu_machined_terminate(&session_driver, obj);
    /* Only what the system driver asks for reaches machined. */
    qemu_machined_register(&system_driver, obj);
    qemu_machined_flush();
    l1 = read_line(fx->fake_out, 5000);
    g_assert_true(l1 && g_str_has_prefix(l1, "CreateMachine name=qemu-4-session "));
    l2 = read_line(fx->fake_out, 300);
    g_assert_null(l2);
    qemu_machined_terminate(&system_driver, obj);
    qemu_machined_flush();
    free_obj(obj);
}

static void
test_no_machined(Fixture *fx, gconstpointer data)
{
    QemuDomainObj *obj = make_obj(2, "alone", 8);
    gint64 t0 = g_get_monotonic_time();

    /* A bus without machined: ServiceUnknown at once. */
    qemu_machined_register(&system_driver, obj);
    qemu_machined_terminate(&system_driver, obj);
    qemu_machined_flush();
    g_assert_cmpint(g_get_monotonic_time() - t0, <, QEMU_MACHINED_TIMEOUT_MS * 1000);
    free_obj(obj);
}

static void
test_no_bus(void)
{
    QemuDomainObj *obj = make_obj(2, "nobus", 8);
    gint64 t0 = g_get_monotonic_time();

    g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/mv-machined-test/bus", TRUE);
    qemu_machined_register(&system_driver, obj);
    qemu_machined_terminate(&system_driver, obj);
    qemu_machined_flush();
    g_assert_cmpint(g_get_monotonic_time() - t0, <, QEMU_MACHINED_TIMEOUT_MS * 1000);
    g_unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    free_obj(obj);
}

static void
test_names(void)
{
    g_autofree char *a = qemu_machined_name(1, "demo");
    g_autofree char *b = qemu_machined_name(12, "my guest_1.example");
    g_autofree char *c = NULL;
    g_autofree char *long_name = g_strnfill(100, 'x');

    g_assert_cmpstr(a, ==, "qemu-1-demo");
    g_assert_cmpstr(b, ==, "qemu-12-myguest1example");
    c = qemu_machined_name(5, long_name);
    g_assert_cmpuint(strlen(c), ==, 64);
    g_assert_true(g_str_has_prefix(c, "qemu-5-xxx"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/machined/names", test_names);
    g_test_add("/qemu/machined/register-terminate", Fixture, "", fixture_setup,
               test_register_terminate, fixture_teardown);
    g_test_add("/qemu/machined/fallback", Fixture, "--no-create", fixture_setup,
               test_register_fallback, fixture_teardown);
    g_test_add("/qemu/machined/hang", Fixture, "--hang", fixture_setup, test_hang_is_bounded,
               fixture_teardown);
    g_test_add("/qemu/machined/session", Fixture, "", fixture_setup, test_session_driver,
               fixture_teardown);
    g_test_add("/qemu/machined/no-machined", Fixture, NULL, fixture_setup, test_no_machined,
               fixture_teardown);
    g_test_add_func("/qemu/machined/no-bus", test_no_bus);
    return g_test_run();
}
