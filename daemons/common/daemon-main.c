/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemon-main.c: the one main() of every modvirt daemon, built once per
 * driver with -DDAEMON_NAME, -DSOCK_PREFIX and -DDAEMON_DRIVER.
 */
#include <config.h>

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "configmake.h"
#include "conf/daemon-config.h"
#include "remote/remote-daemon.h"
#include "rpc/net-daemon.h"
#include "util/error.h"
#include "util/file.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/pidfile.h"
#include "util/systemd.h"

#ifndef DAEMON_NAME
# error "DAEMON_NAME must be defined"
#endif

extern const MvDaemonDriver DAEMON_DRIVER;
extern const MvServerProgram admin_program_admin;
#ifdef DAEMON_PROGRAMS
/* More programs of this daemon's own (mvstoraged's translate program). */
extern const MvServerProgram *const DAEMON_PROGRAMS[];
#endif

enum {
    EXIT_USAGE = 1,
    EXIT_CONFIG = 2,
    EXIT_PATHS = 3,
    EXIT_RUNNING = 4,
    EXIT_SOCKETS = 5,
    EXIT_DRIVER = 6,
};

typedef struct {
    char *config;
    int timeout;
    gboolean verbose;
    char *pid_file;
    gboolean system;
    gboolean session;
    gboolean version;
} DaemonArgs;

static int
daemon_parse_args(int argc, char **argv, DaemonArgs *args, GError **error)
{
    GOptionEntry entries[] = {
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &args->config, "configuration file", "FILE" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &args->timeout,
          "exit after SECS seconds without clients and with nothing running", "SECS" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &args->verbose, "log more", NULL },
        { "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &args->pid_file, "pid file", "FILE" },
        { "system", 0, 0, G_OPTION_ARG_NONE, &args->system, "system mode (default for root)",
          NULL },
        { "session", 0, 0, G_OPTION_ARG_NONE, &args->session,
          "session mode (default for other users)", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &args->version, "print the version", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

    g_option_context_set_summary(ctx, DAEMON_NAME ": a modvirt daemon");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, error))
        return -1;
    if (argc > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument '%s'",
                    argv[1]);
        return -1;
    }
    if (args->system && args->session) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--system and --session are exclusive");
        return -1;
    }
    if (args->timeout < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--timeout must not be negative");
        return -1;
    }
    return 0;
}

static void
daemon_server_config(const DaemonConfig *cfg, gboolean admin, MvServerConfig *out)
{
    mv_server_config_defaults(out);
    if (admin) {
        out->max_clients = cfg->admin_max_clients;
        out->min_workers = cfg->admin_min_workers;
        out->max_workers = cfg->admin_max_workers;
        out->prio_workers = 0;
        out->max_client_requests = cfg->admin_max_client_requests;
    } else {
        out->max_clients = cfg->max_clients;
        out->max_anonymous_clients = cfg->max_anonymous_clients;
        out->min_workers = cfg->min_workers;
        out->max_workers = cfg->max_workers;
        out->prio_workers = cfg->prio_workers;
        out->max_client_requests = cfg->max_client_requests;
    }
    out->keepalive_interval = cfg->keepalive_interval;
    out->keepalive_count = cfg->keepalive_count;
}

/*
 * Each socket comes from systemd, by FileDescriptorName, else is bound here:
 * a daemon handed only some of its sockets (a unit disabled, or a
 * hand-written one) still gets the others.  The modes from the config file
 * apply only to the sockets bound here.
 */
static gboolean
daemon_setup_sockets(RemoteDaemon *rd, const DaemonConfig *cfg, GError **error)
{
    g_autoptr(GHashTable) fds = mv_systemd_take_listen_fds();
    GHashTableIter iter;
    gpointer key, value;
    struct {
        const char *unit_suffix;
        const char *kind;
        MvServer *srv;
        gboolean ro;
        mode_t mode;
    } socks[] = {
        /* The read-write socket last: whoever waits for it (a client that
         * started the daemon) finds the other two there too. */
        { "-admin.socket", "admin-sock", rd->admin, FALSE, cfg->unix_sock_admin_perms },
        { "-ro.socket", "sock-ro", rd->srv, TRUE, cfg->unix_sock_ro_perms },
        { ".socket", "sock", rd->srv, FALSE, cfg->unix_sock_rw_perms },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(socks); i++) {
        g_autofree char *name = g_strdup_printf("%s%s", DAEMON_NAME, socks[i].unit_suffix);
        g_autofree char *path = NULL;
        gpointer fdp;

        if (g_hash_table_steal_extended(fds, name, NULL, &fdp)) {
            if (!mv_server_add_service_fd(socks[i].srv, GPOINTER_TO_INT(fdp), socks[i].ro,
                                          error))
                return FALSE;
            g_info("using socket '%s' from systemd", name);
            continue;
        }
        path = mv_paths_socket(rd->paths, SOCK_PREFIX, socks[i].kind);
        if (!mv_server_add_service_unix(socks[i].srv, path, socks[i].mode, socks[i].ro, error))
            return FALSE;
    }
    g_hash_table_iter_init(&iter, fds);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        g_warning("ignoring unexpected socket '%s' from systemd", (const char *)key);
        close(GPOINTER_TO_INT(value));
    }
    return TRUE;
}

static void
daemon_notify(const char *notify_socket, const char *state)
{
    int r = mv_systemd_notify(notify_socket, state);

    if (r < 0)
        g_warning("cannot notify the service manager at '%s': %s", notify_socket,
                  g_strerror(-r));
}

static void
daemon_reload(gpointer opaque)
{
    const MvDaemonDriver *drv = &DAEMON_DRIVER;

    if (drv->reload)
        drv->reload(opaque);
    else
        g_info("%s: nothing to reload", drv->name);
}

static gboolean
daemon_make_dirs(const MvPaths *paths, GError **error)
{
    mode_t mode = paths->privileged ? 0755 : 0700;

    return mv_file_mkdir(paths->sock_dir, mode, error) &&
           mv_file_mkdir(paths->run_dir, mode, error) &&
           mv_file_mkdir(paths->log_dir, 0700, error);
}

/* Descriptors wanted at most: max_clients (5000 by default), what each
 * client costs the proxy, and the daemon's own reserve. */
#define DAEMON_NOFILE_WANTED 65536

/*
 * systemd's default soft RLIMIT_NOFILE is 1024, for programs using select():
 * below max_clients, and the server keeps an eighth of it for the daemon
 * itself.  We poll, so the soft limit goes up towards the hard one (524288
 * under systemd) as systemd suggests, to DAEMON_NOFILE_WANTED at most; a
 * LimitNOFILE= setting both is left as it is.
 */
static void
daemon_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= DAEMON_NOFILE_WANTED ||
        rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = MIN(rl.rlim_max, DAEMON_NOFILE_WANTED);
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        g_warning("cannot raise the limit of open files to %llu: %s",
                  (unsigned long long)rl.rlim_cur, g_strerror(errno));
}

/*
 * A stream moves 256 KiB packets: each one's buffer is allocated, then
 * freed once relayed or written.  glibc would map and unmap each (mmap
 * threshold 128 KiB at first) or give the freed top of the heap back
 * (trim threshold), and every packet would fault its pages in again: in
 * the proxy 2,400 to 10,000 faults per 256 MiB uploaded (an upload through
 * it went from 1.6-1.8 to 2.0-2.2 GB/s without them, on a VM that reports
 * free pages to its host).  Buffers up to 1 MiB come from the heap, and up
 * to 8 MiB freed stays mapped: a fresh daemon's RSS does not change, one
 * that carried streams may keep up to 8 MiB more per malloc arena.  Only
 * in the daemons that carry bulk stream data (mvproxyd, mvstoraged): with
 * them, mvqemud's RSS with 10,000 domains defined was 62 MiB instead of
 * 37-45 (its workers' arenas each keep what they freed).
 */
static void
daemon_tune_malloc(void)
{
#ifdef DAEMON_STREAM_BUFFERS
    if (!mallopt(M_MMAP_THRESHOLD, 1024 * 1024) || !mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024))
        g_warning("cannot set the malloc thresholds");
#endif
}

static int
daemon_run(int argc, char **argv)
{
    DaemonArgs args = { .timeout = 0 };
    g_autofree char *notify_socket = mv_systemd_take_notify_socket();
    g_autoptr(GError) error = NULL;
    g_autoptr(MvPaths) paths = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *config_path = NULL;
    g_autofree char *pid_path = NULL;
    g_autoptr(MvNetDaemon) net = NULL;
    g_autoptr(MvServer) srv = NULL;
    g_autoptr(MvServer) admin = NULL;
    MvServerConfig scfg;
    DaemonConfig cfg;
    RemoteDaemon rd = { 0 };
    gboolean privileged;
    const MvDaemonDriver *drv = &DAEMON_DRIVER;
    pid_t holder = 0;
    int pidfd;
    int ret = 0;

    mv_log_init(DAEMON_NAME);
    daemon_raise_nofile();
    daemon_tune_malloc();
    if (daemon_parse_args(argc, argv, &args, &error) < 0) {
        fprintf(stderr, "%s: %s\n", DAEMON_NAME, error->message);
        return EXIT_USAGE;
    }
    if (args.version) {
        printf("%s (modvirt) %s\n", DAEMON_NAME, PACKAGE_VERSION);
        return 0;
    }
    privileged = args.system ? TRUE : args.session ? FALSE : mv_paths_default_privileged();
    paths = mv_paths_new(privileged,
                         g_str_equal(drv->name, "proxy") ? NULL : drv->name);

    daemon_config_init(&cfg);
    config_path = args.config ? g_strdup(args.config)
                              : g_strdup_printf("%s/%s.conf", paths->config_dir, DAEMON_NAME);
    if (!daemon_config_load(&cfg, config_path, args.config != NULL, warnings, &error)) {
        fprintf(stderr, "%s: %s\n", DAEMON_NAME, error->message);
        daemon_config_clear(&cfg);
        return EXIT_CONFIG;
    }
    mv_log_set_default_level(args.verbose ? MV_LOG_INFO : (int)cfg.log_level);
    if ((cfg.log_filters && !mv_log_set_filters(cfg.log_filters, &error)) ||
        (cfg.log_outputs && !mv_log_set_outputs(cfg.log_outputs, &error))) {
        fprintf(stderr, "%s: %s: %s\n", DAEMON_NAME, config_path, error->message);
        daemon_config_clear(&cfg);
        return EXIT_CONFIG;
    }
    for (guint i = 0; i < warnings->len; i++)
        g_warning("%s", (const char *)g_ptr_array_index(warnings, i));

    if (!daemon_make_dirs(paths, &error)) {
        g_critical("%s", error->message);
        daemon_config_clear(&cfg);
        return EXIT_PATHS;
    }
    pid_path = args.pid_file ? g_strdup(args.pid_file)
                             : g_strdup_printf("%s/%s.pid", paths->sock_dir, DAEMON_NAME);
    pidfd = mv_pidfile_acquire(pid_path, getpid(), &holder);
    if (pidfd < 0) {
        if (pidfd == -EBUSY)
            g_critical("another %s is already running (pid %d, pid file %s)", DAEMON_NAME,
                       (int)holder, pid_path);
        else
            g_critical("cannot take the pid file '%s': %s", pid_path, g_strerror(-pidfd));
        daemon_config_clear(&cfg);
        return EXIT_RUNNING;
    }

    net = mv_net_daemon_new(g_main_context_default());
    daemon_server_config(&cfg, FALSE, &scfg);
    srv = mv_server_new(DAEMON_NAME, &scfg, g_main_context_default());
    daemon_server_config(&cfg, TRUE, &scfg);
    admin = mv_server_new("admin", &scfg, g_main_context_default());
    mv_net_daemon_add_server(net, srv);
    mv_net_daemon_add_server(net, admin);

    rd.driver = drv->remote;
    rd.net = net;
    rd.srv = srv;
    rd.admin = admin;
    rd.paths = paths;
    rd.privileged = privileged;
    rd.daemon_name = (char *)DAEMON_NAME;
    mv_server_set_opaque(admin, &rd);
    mv_server_add_program(admin, &admin_program_admin);
    if (drv->setup) {
        if (!drv->setup(&rd, &error))
            goto driver_error;
    } else {
        remote_server_setup(srv, &rd);
        mv_server_add_program(srv, drv->program);
    }
#ifdef DAEMON_PROGRAMS
    for (size_t i = 0; DAEMON_PROGRAMS[i]; i++)
        mv_server_add_program(srv, DAEMON_PROGRAMS[i]);
#endif

    if (!daemon_setup_sockets(&rd, &cfg, &error)) {
        g_critical("%s", error->message);
        ret = EXIT_SOCKETS;
        goto cleanup;
    }
    if (drv->init && !drv->init(&rd, &error))
        goto driver_error;

    daemon_notify(notify_socket, "READY=1\nSTATUS=running");
    mv_net_daemon_set_timeout(net, args.timeout);
    mv_net_daemon_set_reload_func(net, daemon_reload, &rd);
    g_info("%s ready (%s mode)", DAEMON_NAME, privileged ? "system" : "session");
    mv_net_daemon_run(net);
    if (mv_net_daemon_timed_out(net))
        daemon_notify(notify_socket, "STOPPING=1\nSTATUS=idle timeout");
    else
        daemon_notify(notify_socket, "STOPPING=1\nSTATUS=shutting down");
    goto cleanup;

 driver_error:
    g_critical("%s: %s", drv->name, error->message);
    ret = EXIT_DRIVER;

 cleanup:
    mv_server_close(srv);
    mv_server_close(admin);
    /* Calls still running use the driver: let them end first. */
    mv_server_drain(srv);
    mv_server_drain(admin);
    if (drv->shutdown)
        drv->shutdown(&rd);
    mv_pidfile_release(pid_path, pidfd);
    daemon_config_clear(&cfg);
    g_free(args.config);
    g_free(args.pid_file);
    return ret;
}

int
main(int argc, char **argv)
{
    return daemon_run(argc, argv);
}
