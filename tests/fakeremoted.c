/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremoted.c: the fake remote server as a process, for tests that drive
 * mvsh and stock virsh against the same objects.
 *
 *   fakeremoted SOCKET [--populate] [--call-log FILE] [--without PROC]...
 *
 * Runs until SIGTERM or SIGINT.  --call-log appends "call N" for every
 * procedure call, so a test can count what a command sent.  --without
 * makes procedure PROC unknown, as on an older server.
 */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "fakeremote.h"

static gboolean
fakeremoted_quit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(FakeRemote) fr = NULL;
    g_autoptr(GMainLoop) loop = NULL;
    gboolean populate = FALSE;
    const char *log = NULL;
    const char *path = NULL;
    g_autoptr(GArray) without = g_array_new(FALSE, FALSE, sizeof(int));
    int log_fd = -1;

    for (int i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--populate"))
            populate = TRUE;
        else if (g_str_equal(argv[i], "--call-log") && i + 1 < argc)
            log = argv[++i];
        else if (g_str_equal(argv[i], "--without") && i + 1 < argc)
            g_array_append_val(without, (int){ (int)g_ascii_strtoll(argv[++i], NULL, 10) });
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: fakeremoted SOCKET [--populate] [--call-log FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    fr = fake_remote_new();
    for (guint i = 0; i < without->len; i++)
        fake_remote_disable_proc(fr, g_array_index(without, int, i));
    if (populate)
        fake_remote_populate(fr);
    if (log) {
        log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (log_fd < 0) {
            perror(log);
            return 1;
        }
        fake_remote_set_call_log(fr, log_fd);
    }
    if (!fake_remote_listen(fr, path, &error)) {
        fprintf(stderr, "fakeremoted: %s\n", error->message);
        return 1;
    }
    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, fakeremoted_quit, loop);
    g_unix_signal_add(SIGINT, fakeremoted_quit, loop);
    g_main_loop_run(loop);
    fake_remote_set_call_log(fr, -1);
    if (log_fd >= 0)
        close(log_fd);
    unlink(path);
    return 0;
}
