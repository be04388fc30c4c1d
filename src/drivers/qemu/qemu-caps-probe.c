/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps-probe.c: probing one QEMU binary.
 *
 * 1. "-machine none,accel=kvm:tcg": version, KVM, machine types, commands,
 *    device types, and the CPU models as KVM sees them (when it is usable);
 * 2. "-machine none,accel=tcg": the CPU models as TCG sees them;
 * 3. for each accelerator and guest CPU mode, candidate -cpu values are
 *    tried by starting QEMU paused on the default machine: the first that
 *    comes up (greets on QMP, answers, quits cleanly) is recorded.  Under a
 *    nested KVM, "-cpu host" and "-cpu max" abort on an MSR write that
 *    "-arch-capabilities" avoids; host-model gets the named model closest to
 *    the host (most of its features available) that starts.
 *
 * The monitors run on a private GMainContext in a thread of their own, so a
 * probe may run from any thread, including the daemon's main loop.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "drivers/qemu/qemu-monitor.h"
#include "util/command.h"
#include "util/error.h"
#include "util/hostinfo.h"
#include "util/macros.h"

#define QEMU_CAPS_OPEN_TIMEOUT_MS 15000
#define QEMU_CAPS_COMMAND_TIMEOUT_MS 15000
#define QEMU_CAPS_EXIT_TIMEOUT_US (5 * G_USEC_PER_SEC)
/* How many of the best ranked named models host-model tries. */
#define QEMU_CAPS_HOST_MODEL_TRIES 6

/* QEMU processes started by probes so far (tests check the cache with it). */
static gint qemu_caps_spawned;

typedef struct {
    const char *binary;
    QemuCapsCancel *cancel;      /* kills the running QEMU, fails the next */
    char *dir;                   /* private: sockets and QEMU logs */
    guint seq;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
} QemuCapsProbe;

typedef struct {
    pid_t pid;
    QemuMonitor *mon;
    char *log;
    QemuCapsCancel *cancel;      /* @pid is registered there */
} QemuCapsProc;

void
qemu_caps_cancel_init(QemuCapsCancel *c)
{
    g_mutex_init(&c->lock);
    c->cancelled = FALSE;
    c->pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
}

void
qemu_caps_cancel_clear(QemuCapsCancel *c)
{
    g_array_unref(c->pids);
    g_mutex_clear(&c->lock);
}

void
qemu_caps_cancel(QemuCapsCancel *c)
{
    g_mutex_lock(&c->lock);
    c->cancelled = TRUE;
    for (guint i = 0; i < c->pids->len; i++)
        kill(g_array_index(c->pids, pid_t, i), SIGKILL);
    g_mutex_unlock(&c->lock);
}

/* Register a running QEMU; FALSE (and it is killed) when cancelled. */
static gboolean
qemu_caps_cancel_add(QemuCapsCancel *c, pid_t pid)
{
    gboolean ok;

    g_mutex_lock(&c->lock);
    ok = !c->cancelled;
    if (ok)
        g_array_append_val(c->pids, pid);
    else
        kill(pid, SIGKILL);
    g_mutex_unlock(&c->lock);
    return ok;
}

static void
qemu_caps_cancel_remove(QemuCapsCancel *c, pid_t pid)
{
    g_mutex_lock(&c->lock);
    for (guint i = 0; i < c->pids->len; i++) {
        if (g_array_index(c->pids, pid_t, i) == pid) {
            g_array_remove_index_fast(c->pids, i);
            break;
        }
    }
    g_mutex_unlock(&c->lock);
}

static gpointer
qemu_caps_probe_loop(gpointer opaque)
{
    QemuCapsProbe *p = opaque;

    g_main_context_push_thread_default(p->ctx);
    g_main_loop_run(p->loop);
    g_main_context_pop_thread_default(p->ctx);
    return NULL;
}

static gboolean
qemu_caps_probe_quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* Remove the directories of probes whose daemon was killed meanwhile. */
static void
qemu_caps_probe_sweep(const char *work_dir)
{
    g_autoptr(GDir) d = g_dir_open(work_dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autoptr(GDir) sub = NULL;
        const char *f;
        char *end = NULL;
        guint64 pid;

        if (!g_str_has_prefix(name, "probe-"))
            continue;
        pid = g_ascii_strtoull(name + 6, &end, 10);
        if (end == name + 6 || *end != '-' || pid == 0 || pid > G_MAXINT ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        path = g_build_filename(work_dir, name, NULL);
        sub = g_dir_open(path, 0, NULL);
        while (sub && (f = g_dir_read_name(sub))) {
            g_autofree char *fp = g_build_filename(path, f, NULL);

            g_unlink(fp);
        }
        g_rmdir(path);
    }
}

/* A directory of its own for one probe: under @work_dir when its sockets'
 * paths fit (sun_path), else in the temporary directory. */
static char *
qemu_caps_probe_dir(const char *work_dir, GError **error)
{
    g_autofree char *tmpl = NULL;

    if (work_dir && strlen(work_dir) < 64 && g_mkdir_with_parents(work_dir, 0700) == 0) {
        qemu_caps_probe_sweep(work_dir);
        tmpl = g_strdup_printf("%s/probe-%d-XXXXXX", work_dir, (int)getpid());
        if (g_mkdtemp_full(tmpl, 0700))
            return g_steal_pointer(&tmpl);
    }
    return g_dir_make_tmp("mv-qemucaps-XXXXXX", error);
}

static gboolean
qemu_caps_probe_init(QemuCapsProbe *p, const char *binary, const char *work_dir,
                     GError **error)
{
    g_autoptr(GError) local = NULL;

    p->binary = binary;
    if (!(p->dir = qemu_caps_probe_dir(work_dir, &local))) {
        mv_error_propagate_as(error, g_steal_pointer(&local), MV_FROM_QEMU,
                              MV_ERR_SYSTEM_ERROR);
        return FALSE;
    }
    p->ctx = g_main_context_new();
    p->loop = g_main_loop_new(p->ctx, FALSE);
    p->thread = g_thread_new("qemu-caps-probe", qemu_caps_probe_loop, p);
    return TRUE;
}

static void
qemu_caps_probe_cleanup(QemuCapsProbe *p)
{
    GDir *dir;
    const char *name;

    if (p->thread) {
        /* Quit from within the loop, which then surely runs. */
        GSource *quit = g_idle_source_new();

        g_source_set_callback(quit, qemu_caps_probe_quit, p->loop, NULL);
        g_source_attach(quit, p->ctx);
        g_source_unref(quit);
        g_thread_join(p->thread);
    }
    g_clear_pointer(&p->loop, g_main_loop_unref);
    g_clear_pointer(&p->ctx, g_main_context_unref);
    if (p->dir && (dir = g_dir_open(p->dir, 0, NULL))) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(p->dir, name, NULL);

            g_unlink(path);
        }
        g_dir_close(dir);
        g_rmdir(p->dir);
    }
    g_clear_pointer(&p->dir, g_free);
}

/* The last line QEMU wrote to @log, for error messages. */
static char *
qemu_caps_log_tail(const char *log)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(log, &text, NULL, NULL))
        return g_strdup("");
    lines = g_strsplit(g_strstrip(text), "\n", -1);
    for (int i = (int)g_strv_length(lines) - 1; i >= 0; i--) {
        if (*g_strstrip(lines[i]))
            return g_strdup(lines[i]);
    }
    return g_strdup("");
}

/* Reap @proc's QEMU, killing it if it does not exit in time.  Returns
 * whether it exited on its own with status 0. */
static gboolean
qemu_caps_proc_reap(QemuCapsProc *proc)
{
    gint64 end = g_get_monotonic_time() + QEMU_CAPS_EXIT_TIMEOUT_US;
    int status = 0;
    pid_t r;

    while ((r = waitpid(proc->pid, &status, WNOHANG)) == 0 && g_get_monotonic_time() < end)
        g_usleep(5000);
    if (r == 0) {
        kill(proc->pid, SIGKILL);
        while (waitpid(proc->pid, &status, 0) < 0 && errno == EINTR)
            ;
        return FALSE;
    }
    return r == proc->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Quit QEMU (politely, then not), close the monitor and reap. */
static gboolean
qemu_caps_proc_stop(QemuCapsProc *proc)
{
    gboolean quit = TRUE;
    gboolean clean;

    if (proc->pid <= 0)
        return FALSE;
    if (proc->cancel)
        qemu_caps_cancel_remove(proc->cancel, proc->pid);
    proc->cancel = NULL;
    if (proc->mon) {
        g_autoptr(GError) error = NULL;

        quit = qemu_monitor_quit(proc->mon, &error);
        if (!quit)
            kill(proc->pid, SIGKILL);
        g_clear_pointer(&proc->mon, qemu_monitor_close);
    } else {
        kill(proc->pid, SIGKILL);
    }
    clean = qemu_caps_proc_reap(proc) && quit;
    proc->pid = 0;
    g_clear_pointer(&proc->log, g_free);
    return clean;
}

/* Start the binary paused with a QMP socket and @args, and connect. */
static gboolean
qemu_caps_proc_start(QemuCapsProbe *p, const char *const *args, QemuCapsProc *proc,
                     GError **error)
{
    guint seq = ++p->seq;
    g_autofree char *sock = g_strdup_printf("%s/qmp-%u.sock", p->dir, seq);
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    QemuMonitorConfig cfg = { .context = p->ctx, .open_timeout_ms = QEMU_CAPS_OPEN_TIMEOUT_MS };
    g_autoptr(GError) local = NULL;
    int logfd;

    proc->log = g_strdup_printf("%s/qemu-%u.log", p->dir, seq);
    g_ptr_array_add(argv, (gpointer)p->binary);
    g_ptr_array_add(argv, "-S");
    g_ptr_array_add(argv, "-no-user-config");
    g_ptr_array_add(argv, "-nodefaults");
    g_ptr_array_add(argv, "-qmp");
    g_ptr_array_add(argv, qmp);
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);

    logfd = open(proc->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    /* Never left behind, not even by a daemon killed while it probes. */
    proc->pid = mv_command_spawn((const char *const *)argv->pdata, NULL, NULL, 0, -1, logfd,
                                 logfd, MV_COMMAND_DIE_WITH_PARENT);
    if (logfd >= 0)
        close(logfd);
    if (proc->pid < 0) {
        mv_error_set_errno(error, -proc->pid, "cannot start '%s'", p->binary);
        proc->pid = 0;
        return FALSE;
    }
    g_atomic_int_inc(&qemu_caps_spawned);
    if (p->cancel) {
        proc->cancel = p->cancel;
        if (!qemu_caps_cancel_add(p->cancel, proc->pid)) {
            qemu_caps_proc_stop(proc);
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_ABORTED,
                         "probing '%s' was cancelled", p->binary);
            return FALSE;
        }
    }
    cfg.pid = proc->pid;
    if (!(proc->mon = qemu_monitor_open(sock, &cfg, &local))) {
        g_autofree char *tail = NULL;

        kill(proc->pid, SIGKILL);
        tail = qemu_caps_log_tail(proc->log);
        qemu_caps_proc_stop(proc);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "cannot probe '%s': %s%s%s",
                     p->binary, local->message, *tail ? ": " : "", tail);
        return FALSE;
    }
    return TRUE;
}

static json_object *
qemu_caps_query(QemuCapsProc *proc, const char *cmd, json_object *args, json_type type,
                GError **error)
{
    g_autoptr(json_object) ret = qemu_monitor_command(proc->mon, cmd, args,
                                                      QEMU_CAPS_COMMAND_TIMEOUT_MS, error);

    if (!ret)
        return NULL;
    if (!json_object_is_type(ret, type)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "QEMU command '%s' returned an unexpected value", cmd);
        return NULL;
    }
    return g_steal_pointer(&ret);
}

static const char *
qemu_caps_json_str(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static gboolean
qemu_caps_json_bool(json_object *obj, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v);
}

/* The probing queries ---------------------------------------------------- */

static gboolean
qemu_caps_probe_version(QemuCapsProc *proc, QemuCaps *caps, GError **error)
{
    g_autoptr(json_object) ret = qemu_caps_query(proc, "query-version", NULL,
                                                 json_type_object, error);
    json_object *qemu;
    json_object *v;
    guint64 parts[3] = { 0 };
    static const char *const names[] = { "major", "minor", "micro" };

    if (!ret || !json_object_object_get_ex(ret, "qemu", &qemu)) {
        if (ret)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                         "'%s' did not report its version", caps->binary);
        return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (json_object_object_get_ex(qemu, names[i], &v))
            parts[i] = json_object_get_int64(v);
    }
    caps->version = parts[0] * 1000000 + parts[1] * 1000 + parts[2];
    caps->package = g_strdup(qemu_caps_json_str(ret, "package"));
    return TRUE;
}

static gboolean
qemu_caps_probe_target(QemuCapsProc *proc, QemuCaps *caps, GError **error)
{
    g_autoptr(json_object) ret = qemu_caps_query(proc, "query-target", NULL,
                                                 json_type_object, error);
    const char *arch;

    if (!ret)
        return FALSE;
    if ((arch = qemu_caps_json_str(ret, "arch"))) {
        g_free(caps->arch);
        /* libvirt's name for QEMU's "i386" target. */
        caps->arch = g_strdup(g_str_equal(arch, "i386") ? "i686" : arch);
    }
    return TRUE;
}

/* By name, each canonical machine followed by its alias. */
static gint
qemu_caps_machine_cmp(gconstpointer a, gconstpointer b)
{
    const QemuMachine *ma = *(const QemuMachine *const *)a;
    const QemuMachine *mb = *(const QemuMachine *const *)b;
    const char *ca = ma->alias ? ma->alias : ma->name;
    const char *cb = mb->alias ? mb->alias : mb->name;
    int r;

    if ((r = g_strcmp0(ca, cb)) == 0)
        return !!ma->alias - !!mb->alias;
    return r;
}

static gboolean
qemu_caps_probe_machines(QemuCapsProc *proc, QemuCaps *caps, GError **error)
{
    g_autoptr(json_object) ret = qemu_caps_query(proc, "query-machines", NULL,
                                                 json_type_array, error);
    const char *def = NULL;

    if (!ret)
        return FALSE;
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        const char *alias = qemu_caps_json_str(e, "alias");
        QemuMachine *m;
        json_object *v;

        if (!qemu_caps_json_str(e, "name"))
            continue;
        m = g_new0(QemuMachine, 1);
        m->name = g_strdup(qemu_caps_json_str(e, "name"));
        m->is_default = qemu_caps_json_bool(e, "is-default");
        m->deprecated = qemu_caps_json_bool(e, "deprecated");
        m->max_cpus = json_object_object_get_ex(e, "cpu-max", &v) ? json_object_get_int(v) : 1;
        if (m->is_default)
            def = m->name;
        g_ptr_array_add(caps->machines, m);
        if (alias) {
            QemuMachine *a = g_new0(QemuMachine, 1);

            a->name = g_strdup(alias);
            a->alias = g_strdup(m->name);
            a->max_cpus = m->max_cpus;
            a->deprecated = m->deprecated;
            g_ptr_array_add(caps->machines, a);
        }
    }
    g_ptr_array_sort(caps->machines, qemu_caps_machine_cmp);
    /* Bring the default machine and its alias to the front. */
    for (guint i = 0, front = 0; def && i < caps->machines->len; i++) {
        QemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (g_str_equal(m->name, def) || MV_STREQ(m->alias, def)) {
            g_ptr_array_steal_index(caps->machines, i);
            g_ptr_array_insert(caps->machines, front++, m);
        }
    }
    return TRUE;
}

/* The "name" of each element of the array returned by @cmd, into @set. */
static gboolean
qemu_caps_probe_names(QemuCapsProc *proc, const char *cmd, GHashTable *set, GError **error)
{
    g_autoptr(json_object) ret = qemu_caps_query(proc, cmd, NULL, json_type_array, error);

    if (!ret)
        return FALSE;
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        const char *name = qemu_caps_json_str(json_object_array_get_idx(ret, i), "name");

        if (name)
            g_hash_table_add(set, g_strdup(name));
    }
    return TRUE;
}

static gint
qemu_caps_cpu_model_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const QemuCpuModel *const *)a)->name,
                  (*(const QemuCpuModel *const *)b)->name);
}

static gboolean
qemu_caps_probe_cpu_models(QemuCapsProc *proc, QemuCapsAccelInfo *info, GError **error)
{
    g_autoptr(json_object) ret = qemu_caps_query(proc, "query-cpu-definitions", NULL,
                                                 json_type_array, error);

    if (!ret)
        return FALSE;
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        g_autoptr(GPtrArray) blockers = g_ptr_array_new_with_free_func(g_free);
        json_object *unavail = NULL;
        QemuCpuModel *m;

        if (!qemu_caps_json_str(e, "name"))
            continue;
        m = g_new0(QemuCpuModel, 1);
        m->name = g_strdup(qemu_caps_json_str(e, "name"));
        m->alias_of = g_strdup(qemu_caps_json_str(e, "alias-of"));
        m->deprecated = qemu_caps_json_bool(e, "deprecated");
        if (json_object_object_get_ex(e, "unavailable-features", &unavail) &&
            json_object_is_type(unavail, json_type_array)) {
            for (size_t j = 0; j < json_object_array_length(unavail); j++)
                g_ptr_array_add(blockers, g_strdup(json_object_get_string(
                                    json_object_array_get_idx(unavail, j))));
        }
        m->usable = blockers->len == 0;
        g_ptr_array_add(blockers, NULL);
        m->blockers = (GStrv)g_ptr_array_free(g_steal_pointer(&blockers), FALSE);
        g_ptr_array_add(info->cpu_models, m);
    }
    g_ptr_array_sort(info->cpu_models, qemu_caps_cpu_model_cmp);
    return TRUE;
}

/* Ranking named models for host-model ------------------------------------ */

typedef struct {
    const QemuCpuModel *model;
    guint available;             /* features of the model the host has */
    guint missing;
} QemuCapsRank;

static gint
qemu_caps_rank_cmp(gconstpointer a, gconstpointer b)
{
    const QemuCapsRank *ra = a;
    const QemuCapsRank *rb = b;

    if (ra->available != rb->available)
        return ra->available > rb->available ? -1 : 1;
    if (ra->missing != rb->missing)
        return ra->missing < rb->missing ? -1 : 1;
    /* Prefer the plain name ("EPYC-Rome") to its versioned twin. */
    if (!ra->model->alias_of != !rb->model->alias_of)
        return ra->model->alias_of ? -1 : 1;
    return strcmp(ra->model->name, rb->model->name);
}

static guint
qemu_caps_count_available(json_object *props, const QemuCpuModel *m)
{
    guint n = 0;

    json_object_object_foreach(props, key, val) {
        if (json_object_is_type(val, json_type_boolean) && json_object_get_boolean(val) &&
            !g_strv_contains((const char *const *)m->blockers, key))
            n++;
    }
    return n;
}

/* Named models, best first: most features available on the host. */
static GArray *
qemu_caps_rank_models(QemuCapsProc *proc, const QemuCapsAccelInfo *info)
{
    GArray *ranks = g_array_new(FALSE, TRUE, sizeof(QemuCapsRank));

    for (guint i = 0; i < info->cpu_models->len; i++) {
        const QemuCpuModel *m = g_ptr_array_index(info->cpu_models, i);
        g_autoptr(json_object) args = json_object_new_object();
        g_autoptr(json_object) model = json_object_new_object();
        g_autoptr(json_object) ret = NULL;
        g_autoptr(GError) error = NULL;
        json_object *exp;
        json_object *props;
        QemuCapsRank r = { .model = m };

        if (g_str_equal(m->name, "host") || g_str_equal(m->name, "max") ||
            g_str_equal(m->name, "base"))
            continue;
        json_object_object_add(model, "name", json_object_new_string(m->name));
        json_object_object_add(args, "type", json_object_new_string("full"));
        json_object_object_add(args, "model", json_object_get(model));
        ret = qemu_caps_query(proc, "query-cpu-model-expansion", args, json_type_object,
                              &error);
        if (!ret || !json_object_object_get_ex(ret, "model", &exp) ||
            !json_object_object_get_ex(exp, "props", &props)) {
            g_debug("cannot expand CPU model '%s': %s", m->name,
                    error ? error->message : "no properties");
            continue;
        }
        r.available = qemu_caps_count_available(props, m);
        r.missing = g_strv_length(m->blockers);
        g_array_append_val(ranks, r);
    }
    g_array_sort(ranks, qemu_caps_rank_cmp);
    return ranks;
}

/* The accelerator probes ------------------------------------------------- */

static guint
qemu_caps_kvm_max_vcpus(void)
{
    mv_autoclose int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int n;

    if (fd < 0)
        return 0;
    if ((n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS)) <= 0)
        n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    return n > 0 ? (guint)n : 0;
}

static gboolean
qemu_caps_probe_main(QemuCapsProbe *p, QemuCaps *caps, GArray **ret_kvm_ranks,
                     GError **error)
{
    const char *const args[] = { "-nographic", "-machine", "none,accel=kvm:tcg", NULL };
    g_autoptr(json_object) kvm = NULL;
    QemuCapsProc proc = { 0 };
    gboolean ok;

    if (!qemu_caps_proc_start(p, args, &proc, error))
        return FALSE;
    ok = qemu_caps_probe_version(&proc, caps, error) &&
         qemu_caps_probe_target(&proc, caps, error) &&
         (kvm = qemu_caps_query(&proc, "query-kvm", NULL, json_type_object, error)) &&
         qemu_caps_probe_machines(&proc, caps, error) &&
         qemu_caps_probe_names(&proc, "query-commands", caps->commands, error) &&
         qemu_caps_probe_names(&proc, "qom-list-types", caps->devices, error);
    if (ok) {
        g_autoptr(MvHostTopology) topo = mv_hostinfo_topology();

        caps->kvm = qemu_caps_json_bool(kvm, "enabled");
        caps->host_cpu_vendor = g_strdup(topo->vendor);
        caps->accel[QEMU_CAPS_ACCEL_KVM].available = caps->kvm;
        if (caps->kvm) {
            caps->kvm_max_vcpus = qemu_caps_kvm_max_vcpus();
            ok = qemu_caps_probe_cpu_models(&proc, &caps->accel[QEMU_CAPS_ACCEL_KVM], error);
            if (ok && qemu_caps_has_command(caps, "query-cpu-model-expansion"))
                *ret_kvm_ranks = qemu_caps_rank_models(&proc, &caps->accel[QEMU_CAPS_ACCEL_KVM]);
        }
    }
    qemu_caps_proc_stop(&proc);
    return ok;
}

/* TCG may be missing (a build without it, or its module not found): that
 * only makes <domain type='qemu'> unavailable. */
static void
qemu_caps_probe_tcg(QemuCapsProbe *p, QemuCaps *caps, GArray **ret_ranks)
{
    const char *const args[] = { "-nographic", "-machine", "none,accel=tcg", NULL };
    QemuCapsAccelInfo *info = &caps->accel[QEMU_CAPS_ACCEL_TCG];
    g_autoptr(GError) error = NULL;
    QemuCapsProc proc = { 0 };

    if (!qemu_caps_proc_start(p, args, &proc, &error)) {
        g_debug("'%s' cannot run TCG guests: %s", p->binary, error->message);
        return;
    }
    info->available = qemu_caps_probe_cpu_models(&proc, info, &error);
    if (info->available && qemu_caps_has_command(caps, "query-cpu-model-expansion"))
        *ret_ranks = qemu_caps_rank_models(&proc, info);
    if (error)
        g_debug("'%s': TCG CPU models: %s", p->binary, error->message);
    qemu_caps_proc_stop(&proc);
}

/* Does QEMU come up with "-cpu @cpu"? */
static gboolean
qemu_caps_cpu_starts(QemuCapsProbe *p, const char *machine, QemuCapsAccel accel,
                     const char *cpu)
{
    g_autofree char *marg = g_strdup_printf("%s,accel=%s", machine,
                                            qemu_caps_accel_to_string(accel));
    const char *const args[] = { "-display", "none", "-machine", marg, "-cpu", cpu,
                                 "-m", "32", NULL };
    g_autoptr(GError) error = NULL;
    QemuCapsProc proc = { 0 };
    QemuMonitorStatus st;
    gboolean ok;

    if (!qemu_caps_proc_start(p, args, &proc, &error)) {
        g_debug("'%s': -cpu %s does not start under %s: %s", p->binary, cpu,
                qemu_caps_accel_to_string(accel), error->message);
        return FALSE;
    }
    ok = qemu_monitor_query_status(proc.mon, &st, &error);
    ok = qemu_caps_proc_stop(&proc) && ok;
    g_debug("'%s': -cpu %s under %s: %s", p->binary, cpu, qemu_caps_accel_to_string(accel),
            ok ? "starts" : "fails");
    return ok;
}

static char *
qemu_caps_first_starting(QemuCapsProbe *p, const char *machine, QemuCapsAccel accel,
                         const char *const *candidates)
{
    for (size_t i = 0; candidates[i]; i++) {
        if (qemu_caps_cpu_starts(p, machine, accel, candidates[i]))
            return g_strdup(candidates[i]);
    }
    return NULL;
}

static void
qemu_caps_probe_cpu_configs(QemuCapsProbe *p, QemuCaps *caps, QemuCapsAccel accel,
                            GArray *ranks)
{
    static const char *const host[] = { "host", "host,-arch-capabilities", NULL };
    static const char *const max[] = { "max", "max,-arch-capabilities", NULL };
    static const char *const max_tcg[] = { "max", NULL };
    QemuCapsAccelInfo *info = &caps->accel[accel];
    const QemuMachine *machine = qemu_caps_get_machine(caps, NULL);
    g_autoptr(GPtrArray) named = g_ptr_array_new();

    if (!info->available || !machine)
        return;
    if (accel == QEMU_CAPS_ACCEL_KVM) {
        info->cpu_config[QEMU_CAPS_CPU_HOST_PASSTHROUGH] =
            qemu_caps_first_starting(p, machine->name, accel, host);
        info->cpu_config[QEMU_CAPS_CPU_MAXIMUM] =
            qemu_caps_first_starting(p, machine->name, accel, max);
    } else {
        info->cpu_config[QEMU_CAPS_CPU_MAXIMUM] =
            qemu_caps_first_starting(p, machine->name, accel, max_tcg);
    }
    for (guint i = 0; ranks && i < ranks->len && i < QEMU_CAPS_HOST_MODEL_TRIES; i++)
        g_ptr_array_add(named, g_array_index(ranks, QemuCapsRank, i).model->name);
    g_ptr_array_add(named, NULL);
    info->cpu_config[QEMU_CAPS_CPU_HOST_MODEL] =
        qemu_caps_first_starting(p, machine->name, accel, (const char *const *)named->pdata);
}

static QemuCaps *
qemu_caps_probe_all(QemuCapsProbe *p, GError **error)
{
    g_autoptr(QemuCaps) caps = qemu_caps_new(p->binary);
    g_autoptr(GArray) kvm_ranks = NULL;
    g_autoptr(GArray) tcg_ranks = NULL;

    if (!qemu_caps_probe_main(p, caps, &kvm_ranks, error))
        return NULL;
    qemu_caps_probe_tcg(p, caps, &tcg_ranks);
    if (!caps->kvm && !caps->accel[QEMU_CAPS_ACCEL_TCG].available) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "'%s' can run guests neither with KVM nor with TCG", p->binary);
        return NULL;
    }
    qemu_caps_probe_cpu_configs(p, caps, QEMU_CAPS_ACCEL_KVM, kvm_ranks);
    qemu_caps_probe_cpu_configs(p, caps, QEMU_CAPS_ACCEL_TCG, tcg_ranks);
    return g_steal_pointer(&caps);
}

guint
qemu_caps_probe_spawn_count(void)
{
    return g_atomic_int_get(&qemu_caps_spawned);
}

QemuCaps *
qemu_caps_probe(const char *binary, const char *work_dir, QemuCapsCancel *cancel,
                GError **error)
{
    QemuCapsProbe p = { .cancel = cancel };
    QemuCaps *caps = NULL;
    gint64 t0 = g_get_monotonic_time();

    if (qemu_caps_probe_init(&p, binary, work_dir, error))
        caps = qemu_caps_probe_all(&p, error);
    qemu_caps_probe_cleanup(&p);
    if (caps)
        g_debug("probed '%s' in %" G_GINT64_FORMAT " ms", binary,
                (g_get_monotonic_time() - t0) / 1000);
    return caps;
}
