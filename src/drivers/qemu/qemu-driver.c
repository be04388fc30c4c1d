/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-driver.c: the QEMU driver as mvqemud sees it: the connection-level
 * hooks (type, version, capabilities) and the daemon hooks.
 */
#include <config.h>

#include <sys/utsname.h>

#include <glib.h>

#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-conf.h"
#include "drivers/qemu/qemu-driver.h"
#include "drivers/qemu/qemu-process.h"
#include "drivers/qemu/qemu-translate.h"
#include "util/file.h"
#include "remote/remote-daemon.h"
#include "util/error.h"
#include "util/hostinfo.h"

extern const MvServerProgram remote_program_qemu;

static QemuDriver *
qemu_driver_get(RemoteDaemon *rd)
{
    return rd->driver_state;
}

QemuDriver *
qemu_driver_from_client(MvServerClient *client)
{
    return remote_daemon_get(client)->driver_state;
}

/* Every emulator's capabilities (cached on disk across restarts). */
GPtrArray *
qemu_driver_caps(QemuDriver *drv)
{
    return qemu_caps_cache_get_all(drv->caps);
}

const QemuCaps *
qemu_driver_caps_lookup(QemuDriver *drv, const char *emulator, const char *arch,
                        GError **error)
{
    GPtrArray *caps;

    if (emulator || arch) {
        /* That emulator alone: a start need not wait for the others. */
        gboolean found = FALSE;
        const QemuCaps *c = qemu_caps_cache_get_one(drv->caps, emulator, arch, &found, error);

        if (c || found)
            return c;
        g_clear_error(error);
    }
    caps = qemu_driver_caps(drv);
    for (guint i = 0; i < caps->len; i++) {
        const QemuCaps *c = g_ptr_array_index(caps, i);

        if ((emulator && g_str_equal(c->binary, emulator)) ||
            (!emulator && arch && g_str_equal(c->arch, arch)))
            return c;
    }
    if (emulator)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "emulator '%s' is not a known qemu-system binary", emulator);
    else
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "no emulator found for architecture '%s'", arch ? arch : "(none)");
    return NULL;
}

static int
qemu_driver_get_version(RemoteDaemon *rd, gboolean may_block, guint64 *ret_version,
                        GError **error)
{
    QemuDriver *drv = qemu_driver_get(rd);
    GPtrArray *caps = NULL;
    struct utsname ut;

    uname(&ut);
    if (may_block) {
        /* Right after a restart, without waiting for the other emulators. */
        const QemuCaps *host = qemu_caps_cache_get_arch(drv->caps, ut.machine, NULL);

        if (host) {
            *ret_version = host->version;
            return 0;
        }
        caps = qemu_driver_caps(drv);
    } else if (!(caps = qemu_caps_cache_peek_all(drv->caps))) {
        return 1;
    }
    if (caps->len == 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "no QEMU emulator (qemu-system-*) is installed");
        return -1;
    }
    /* The version of the host architecture's emulator, as libvirt does. */
    *ret_version = ((QemuCaps *)g_ptr_array_index(caps, 0))->version;
    for (guint i = 0; i < caps->len; i++) {
        QemuCaps *c = g_ptr_array_index(caps, i);

        if (g_str_equal(c->arch, ut.machine))
            *ret_version = c->version;
    }
    return 0;
}

char *
qemu_driver_format_capabilities(QemuDriver *drv, gboolean with_guests)
{
    g_autoptr(Caps) caps = caps_new_host();

    if (with_guests) {
        GPtrArray *qcaps = qemu_driver_caps(drv);

        for (guint i = 0; i < qcaps->len; i++)
            qemu_caps_fill_guest(g_ptr_array_index(qcaps, i), caps);
    }
    return caps_format(caps);
}

static char *
qemu_driver_get_capabilities(RemoteDaemon *rd, GError **error)
{
    return qemu_driver_format_capabilities(qemu_driver_get(rd), TRUE);
}

static const RemoteDriver qemu_remote_driver = {
    .name = "qemu",
    .type = "QEMU",
    .get_version = qemu_driver_get_version,
    .get_capabilities = qemu_driver_get_capabilities,
};

void
qemu_driver_domain_started(QemuDriver *drv)
{
    /* Running domains keep the daemon from idling out. */
    mv_net_daemon_inhibit(drv->rd->net);
}

void
qemu_driver_domain_stopped(QemuDriver *drv)
{
    mv_net_daemon_uninhibit(drv->rd->net);
}

typedef struct {
    QemuDriver *drv;
    GThreadFunc func;
    gpointer data;
} DriverThread;

static gpointer
qemu_driver_thread_main(gpointer opaque)
{
    DriverThread *t = opaque;
    QemuDriver *drv = t->drv;

    t->func(t->data);
    g_free(t);
    g_mutex_lock(&drv->bg_lock);
    drv->bg_threads--;
    g_cond_broadcast(&drv->bg_cond);
    g_mutex_unlock(&drv->bg_lock);
    return NULL;
}

void
qemu_driver_thread(QemuDriver *drv, const char *name, GThreadFunc func, gpointer data)
{
    DriverThread *t = g_new0(DriverThread, 1);

    t->drv = drv;
    t->func = func;
    t->data = data;
    g_mutex_lock(&drv->bg_lock);
    drv->bg_threads++;
    g_mutex_unlock(&drv->bg_lock);
    g_thread_unref(g_thread_new(name, qemu_driver_thread_main, t));
}

gboolean
qemu_driver_is_stopping(QemuDriver *drv)
{
    gboolean stopping;

    g_mutex_lock(&drv->bg_lock);
    stopping = drv->stopping;
    g_mutex_unlock(&drv->bg_lock);
    return stopping;
}

/* Wait for the background threads, running the main loop meanwhile: they
 * may be waiting for a monitor reply it delivers. */
static void
qemu_driver_wait_threads(QemuDriver *drv)
{
    g_mutex_lock(&drv->bg_lock);
    drv->stopping = TRUE;
    while (drv->bg_threads > 0) {
        g_mutex_unlock(&drv->bg_lock);
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
        g_mutex_lock(&drv->bg_lock);
    }
    g_mutex_unlock(&drv->bg_lock);
}

static void
qemu_driver_write_status(gpointer data, gpointer user_data)
{
    QemuDomainObj *obj = data;
    g_autoptr(GError) error = NULL;

    if (!qemu_conf_save_status(user_data, obj, &error))
        g_warning("domain '%s': cannot save its status: %s", obj->name, error->message);
    qemu_domain_obj_unref(obj);
}

void
qemu_driver_save_status_later(QemuDriver *drv, QemuDomainObj *obj)
{
    g_thread_pool_push(drv->status_writer, qemu_domain_obj_ref(obj), NULL);
}

static gpointer
qemu_driver_autostart_thread(gpointer data)
{
    QemuDriver *drv = data;
    g_autoptr(GPtrArray) all = qemu_domain_list_all(drv->domains);

    for (guint i = 0; i < all->len; i++) {
        QemuDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GError) error = NULL;
        gboolean start;

        if (qemu_driver_is_stopping(drv))
            break;
        g_mutex_lock(&obj->lock);
        start = obj->autostart && obj->persistent;
        g_mutex_unlock(&obj->lock);
        if (!start || !qemu_domain_obj_begin_job(obj, "autostart", 0, &error)) {
            if (error)
                g_warning("domain '%s': autostart: %s", obj->name, error->message);
            continue;
        }
        g_mutex_lock(&obj->lock);
        start = !qemu_domain_obj_is_active(obj);
        g_mutex_unlock(&obj->lock);
        if (start && !qemu_process_start(drv, obj, 0, &error))
            g_warning("domain '%s': autostart failed: %s", obj->name, error->message);
        qemu_domain_obj_end_job(obj);
    }
    return NULL;
}

/* Autostart once per boot: the runtime directory is emptied at boot (and
 * $XDG_RUNTIME_DIR at logout), so a marker there tells. */
static void
qemu_driver_autostart(QemuDriver *drv)
{
    g_autofree char *marker = g_build_filename(drv->state_dir, "autostarted", NULL);
    g_autoptr(GError) error = NULL;

    if (g_file_test(marker, G_FILE_TEST_EXISTS))
        return;
    if (!mv_file_write_atomic(marker, "", 0, 0600, &error)) {
        g_warning("cannot create %s: %s; not autostarting", marker, error->message);
        return;
    }
    qemu_driver_thread(drv, "qemu-autostart", qemu_driver_autostart_thread, drv);
}

static gboolean
qemu_driver_init(RemoteDaemon *rd, GError **error)
{
    QemuDriver *drv = g_new0(QemuDriver, 1);
    const char *timeout = g_getenv("MODVIRT_QEMU_JOB_TIMEOUT_MS");
    g_autofree char *spares = NULL;
    GPtrArray *reconnect;

    drv->rd = rd;
    drv->privileged = rd->privileged;
    /* Probing takes a second or so per emulator: start it now, in the
     * background, so that neither startup nor the first client waits. */
    drv->caps = qemu_caps_cache_new(rd->paths->cache_dir);
    qemu_caps_cache_probe_async(drv->caps);
    drv->config_dir = g_strdup(rd->paths->def_dir);
    drv->autostart_dir = g_build_filename(drv->config_dir, "autostart", NULL);
    drv->state_dir = g_strdup(rd->paths->run_dir);
    drv->domains_dir = g_build_filename(drv->state_dir, "domains", NULL);
    drv->channel_dir = g_build_filename(drv->state_dir, "channel", NULL);
    drv->log_dir = g_build_filename(rd->paths->log_dir, "qemu", NULL);
    drv->xmlopts.channel_target_dir = drv->channel_dir;
    drv->domains = qemu_domain_list_new();
    drv->status_writer = g_thread_pool_new(qemu_driver_write_status, drv, 1, FALSE, NULL);
    rd->driver_state = drv;
    if (timeout && *timeout)
        qemu_domain_set_default_job_timeout((guint)g_ascii_strtoull(timeout, NULL, 10));

    if (!mv_file_mkdir(drv->config_dir, 0700, error) ||
        !mv_file_mkdir(drv->state_dir, 0700, error) ||
        !mv_file_mkdir(drv->domains_dir, 0700, error) ||
        !mv_file_mkdir(drv->channel_dir, 0700, error) ||
        !mv_file_mkdir(drv->log_dir, 0700, error))
        return FALSE;
    spares = g_build_filename(drv->config_dir, QEMU_CONFIG_SPARE_DIR, NULL);
    drv->config_spares = mv_file_spares_new(spares, QEMU_CONFIG_SPARES, QEMU_CONFIG_SPARES_MAX);

    /* Running domains first (their status files), then the definitions:
     * a running persistent domain gets its persistent definition from the
     * config directory. */
    reconnect = qemu_process_reconnect_all(drv);
    qemu_conf_load_configs(drv);
    qemu_process_reconnect_start(drv, reconnect);
    qemu_driver_autostart(drv);
    return TRUE;
}

static void
qemu_driver_shutdown(RemoteDaemon *rd)
{
    QemuDriver *drv = qemu_driver_get(rd);

    if (!drv)
        return;
    /* QEMUs keep running: the next daemon reconnects to them. */
    qemu_driver_wait_threads(drv);
    g_thread_pool_free(drv->status_writer, FALSE, TRUE);
    mv_file_spares_free(drv->config_spares);
    qemu_translate_shutdown(drv);
    qemu_domain_list_free(drv->domains);
    qemu_caps_cache_free(drv->caps);
    g_free(drv->config_dir);
    g_free(drv->autostart_dir);
    g_free(drv->state_dir);
    g_free(drv->domains_dir);
    g_free(drv->channel_dir);
    g_free(drv->log_dir);
    g_free(drv);
    rd->driver_state = NULL;
}

const MvDaemonDriver qemu_daemon_driver = {
    .name = "qemu",
    .remote = &qemu_remote_driver,
    .program = &remote_program_qemu,
    .init = qemu_driver_init,
    .shutdown = qemu_driver_shutdown,
};
