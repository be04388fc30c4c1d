/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-machined: a stand-in for systemd-machined on a test's private bus.
 *
 *   fake-machined [--hang] [--no-create]
 *
 * Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS), takes the name
 * org.freedesktop.machine1 and serves CreateMachine, RegisterMachine and
 * TerminateMachine on /org/freedesktop/machine1, printing one line per call
 * on stdout:
 *   CreateMachine name=N uuid=U service=S class=C leader=P root=R props=K1,K2
 *   RegisterMachine name=N uuid=U service=S class=C leader=P root=R
 *   TerminateMachine name=N
 * after a first line "READY".  --hang: calls are recorded but never
 * answered.  --no-create: CreateMachine fails as machined does without
 * systemd, so that callers fall back to RegisterMachine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

static int arg_hang;
static int arg_no_create;

static void
print_uuid(const void *p, size_t n)
{
    const unsigned char *u = p;

    for (size_t i = 0; i < n; i++) {
        printf("%02x", u[i]);
        if (i == 3 || i == 5 || i == 7 || i == 9)
            printf("-");
    }
}

/* Record the common head of Create/RegisterMachine. */
static int
read_machine(sd_bus_message *m, const char *method, const char **ret_name)
{
    const char *name, *service, *class, *root;
    const void *uuid;
    size_t n;
    uint32_t leader;
    int r;

    if ((r = sd_bus_message_read(m, "s", &name)) < 0 ||
        (r = sd_bus_message_read_array(m, 'y', &uuid, &n)) < 0 ||
        (r = sd_bus_message_read(m, "ssus", &service, &class, &leader, &root)) < 0)
        return r;
    printf("%s name=%s uuid=", method, name);
    print_uuid(uuid, n);
    printf(" service=%s class=%s leader=%u root=%s", service, class, leader, root);
    *ret_name = name;
    return 0;
}

static int
reply_path(sd_bus_message *m, const char *name)
{
    char path[256];

    if (arg_hang) {
        /* Keep the call unanswered for good. */
        sd_bus_message_ref(m);
        return 1;
    }
    snprintf(path, sizeof(path), "/org/freedesktop/machine1/machine/%s", name);
    for (char *p = path + strlen("/org/freedesktop/machine1/machine/"); *p; p++) {
        if (*p == '-' || *p == '.')
            *p = '_';
    }
    return sd_bus_reply_method_return(m, "o", path);
}

static int
method_create(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *name, *key;
    int r, first = 1;

    if ((r = read_machine(m, "CreateMachine", &name)) < 0)
        return r;
    printf(" props=");
    if ((r = sd_bus_message_enter_container(m, 'a', "(sv)")) < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
        if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
            (r = sd_bus_message_skip(m, "v")) < 0 ||
            (r = sd_bus_message_exit_container(m)) < 0)
            return r;
        printf("%s%s", first ? "" : ",", key);
        first = 0;
    }
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
        return r;
    printf("\n");
    fflush(stdout);
    if (arg_no_create && !arg_hang)
        return sd_bus_error_set(error, "org.freedesktop.DBus.Error.Failed",
                                "The name org.freedesktop.systemd1 was not provided");
    return reply_path(m, name);
}

static int
method_register(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *name;
    int r;

    if ((r = read_machine(m, "RegisterMachine", &name)) < 0)
        return r;
    printf("\n");
    fflush(stdout);
    return reply_path(m, name);
}

static int
method_terminate(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *name;
    int r;

    if ((r = sd_bus_message_read(m, "s", &name)) < 0)
        return r;
    printf("TerminateMachine name=%s\n", name);
    fflush(stdout);
    if (arg_hang) {
        sd_bus_message_ref(m);
        return 1;
    }
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("CreateMachine", "sayssusa(sv)", "o", method_create, 0),
    SD_BUS_METHOD("RegisterMachine", "sayssus", "o", method_register, 0),
    SD_BUS_METHOD("TerminateMachine", "s", "", method_terminate, 0),
    SD_BUS_VTABLE_END,
};

int
main(int argc, char **argv)
{
    sd_bus *bus = NULL;
    int r;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hang") == 0) {
            arg_hang = 1;
        } else if (strcmp(argv[i], "--no-create") == 0) {
            arg_no_create = 1;
        } else {
            fprintf(stderr, "usage: %s [--hang] [--no-create]\n", argv[0]);
            return 2;
        }
    }
    if ((r = sd_bus_open_system(&bus)) < 0 ||
        (r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/machine1",
                                      "org.freedesktop.machine1.Manager", manager_vtable,
                                      NULL)) < 0 ||
        (r = sd_bus_request_name(bus, "org.freedesktop.machine1", 0)) < 0) {
        fprintf(stderr, "fake-machined: %s\n", strerror(-r));
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    for (;;) {
        r = sd_bus_process(bus, NULL);
        if (r < 0) {
            fprintf(stderr, "fake-machined: %s\n", strerror(-r));
            return 1;
        }
        if (r > 0)
            continue;
        if ((r = sd_bus_wait(bus, (uint64_t)-1)) < 0 && r != -EINTR) {
            fprintf(stderr, "fake-machined: %s\n", strerror(-r));
            return 1;
        }
    }
}
