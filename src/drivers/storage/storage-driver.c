/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-driver.c: the storage driver as mvstoraged sees it: its state,
 * settings, what it keeps on disk, and bringing pools back at start-up
 * (those active before a restart, then the autostarted ones).
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf/capabilities.h"
#include "drivers/storage/storage-driver.h"
#include "drivers/storage/storage-qcow2.h"
#include "remote/remote-daemon.h"
#include "util/error.h"
#include "util/file.h"

extern const MvServerProgram remote_program_storage;

StorageDriver *
storage_driver_from_client(MvServerClient *client)
{
    return remote_daemon_get(client)->driver_state;
}

static char *
storage_driver_get_capabilities(RemoteDaemon *rd, GError **error)
{
    g_autoptr(Caps) caps = caps_new_host();

    return caps_format(caps);
}

/* ---- persistence ------------------------------------------------------------ */

static char *
driver_xml_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

gboolean
storage_driver_save_config(StorageDriver *drv, const StoragePoolDef *def, GError **error)
{
    g_autofree char *path = driver_xml_path(drv->config_dir, def->name);
    g_autofree char *xml = storage_pool_def_format(def, NULL, 0);

    if (!mv_file_mkdir(drv->config_dir, 0700, error))
        return FALSE;
    return mv_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

gboolean
storage_driver_delete_config(StorageDriver *drv, const char *name, GError **error)
{
    g_autofree char *path = driver_xml_path(drv->config_dir, name);
    g_autofree char *link = driver_xml_path(drv->autostart_dir, name);

    return mv_file_unlink(link, error) && mv_file_unlink(path, error);
}

gboolean
storage_driver_set_autostart(StorageDriver *drv, const char *name, gboolean autostart,
                             GError **error)
{
    g_autofree char *link = driver_xml_path(drv->autostart_dir, name);
    g_autofree char *target = g_strdup_printf("../%s.xml", name);

    if (!autostart)
        return mv_file_unlink(link, error);
    if (!mv_file_mkdir(drv->autostart_dir, 0700, error))
        return FALSE;
    return mv_file_symlink_atomic(target, link, error);
}

static gboolean
driver_get_autostart(StorageDriver *drv, const char *name)
{
    g_autofree char *link = driver_xml_path(drv->autostart_dir, name);

    return g_file_test(link, G_FILE_TEST_IS_SYMLINK);
}

void
storage_driver_save_state(StorageDriver *drv, StoragePoolObj *obj)
{
    g_autofree char *path = driver_xml_path(drv->state_dir, obj->name);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;

    g_mutex_lock(&obj->lock);
    xml = storage_pool_def_format(STORAGE_POOL_DEF(obj->def), &obj->status, 0);
    g_mutex_unlock(&obj->lock);
    if (!mv_file_mkdir(drv->state_dir, 0700, &error) ||
        !mv_file_write_atomic(path, xml, strlen(xml), 0600, &error))
        g_warning("storage pool '%s': cannot save its state: %s", obj->name, error->message);
}

void
storage_driver_delete_state(StorageDriver *drv, const char *name)
{
    g_autofree char *path = driver_xml_path(drv->state_dir, name);
    g_autofree char *dir = g_strdup_printf("%s/%s.d", drv->state_dir, name);
    g_autoptr(GError) error = NULL;

    if (!mv_file_unlink(path, &error))
        g_warning("storage pool '%s': %s", name, error->message);
    g_rmdir(dir);
}

char *
storage_driver_pool_run_dir(StorageDriver *drv, const char *name)
{
    char *dir = g_strdup_printf("%s/%s.d", drv->state_dir, name);

    if (g_mkdir_with_parents(dir, 0700) < 0)
        g_debug("cannot create %s: %s", dir, g_strerror(errno));
    return dir;
}

/* ---- settings ---------------------------------------------------------------- */

static gboolean
driver_conf_uint(GKeyFile *kf, const char *path, const char *key, guint min, guint *ret,
                 GError **error)
{
    g_autoptr(GError) err = NULL;
    guint64 v;

    if (!g_key_file_has_key(kf, "storage", key, NULL))
        return TRUE;
    v = g_key_file_get_uint64(kf, "storage", key, &err);
    if (err || v < min || v > G_MAXUINT) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "%s: [storage] %s: expected a number of milliseconds >= %u", path, key,
                     min);
        return FALSE;
    }
    *ret = (guint)v;
    return TRUE;
}

/* <config_dir>/storage.conf, [storage] group: refresh_timeout, job_timeout
 * and job_wait, in milliseconds.  A missing file means the defaults. */
static gboolean
driver_load_settings(StorageDriver *drv, const char *config_dir, GError **error)
{
    g_autofree char *path = g_build_filename(config_dir, "storage.conf", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;

    drv->refresh_timeout_ms = STORAGE_DEFAULT_REFRESH_TIMEOUT_MS;
    drv->job_timeout_ms = STORAGE_DEFAULT_JOB_TIMEOUT_MS;
    drv->job_wait_ms = STORAGE_DEFAULT_JOB_WAIT_MS;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX, "%s: %s", path, err->message);
        return FALSE;
    }
    return driver_conf_uint(kf, path, "refresh_timeout", 10, &drv->refresh_timeout_ms, error) &&
           driver_conf_uint(kf, path, "job_timeout", 10, &drv->job_timeout_ms, error) &&
           driver_conf_uint(kf, path, "job_wait", 10, &drv->job_wait_ms, error);
}

/* ---- start-up ---------------------------------------------------------------- */

static StoragePoolDef *
driver_read_def(const char *path, GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(StoragePoolDef) def = NULL;

    if (!g_file_get_contents(path, &xml, NULL, NULL)) {
        mv_error_set_errno(error, errno, "cannot read '%s'", path);
        return NULL;
    }
    if (!(def = storage_pool_def_parse_string(xml, 0, error)) ||
        !storage_pool_def_validate(def, error))
        return NULL;
    return g_steal_pointer(&def);
}

static gboolean
driver_name_matches(const StoragePoolDef *def, const char *entry)
{
    g_autofree char *expect = g_strdup_printf("%s.xml", def->name);

    return g_str_equal(expect, entry);
}

static void
driver_load_configs(StorageDriver *drv)
{
    g_autoptr(GDir) dir = g_dir_open(drv->config_dir, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(drv->config_dir, entry, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(StoragePoolObj) obj = NULL;
        StoragePoolDef *def;

        if (!g_str_has_suffix(entry, ".xml") || g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        if (!(def = driver_read_def(path, &error))) {
            g_warning("ignoring storage pool config %s: %s", path, error->message);
            continue;
        }
        if (!driver_name_matches(def, entry)) {
            g_warning("ignoring storage pool config %s: it defines pool '%s'", path, def->name);
            storage_pool_def_free(def);
            continue;
        }
        if (!(obj = storage_pool_list_add(drv->pools, drv, def, NULL, &error))) {
            g_warning("ignoring storage pool config %s: %s", path, error->message);
            continue;
        }
        obj->persistent = TRUE;
        obj->autostart = driver_get_autostart(drv, obj->name);
    }
}

/* Pools active before the restart: their state files.  Returns them. */
static GPtrArray *
driver_load_states(StorageDriver *drv)
{
    g_autoptr(GDir) dir = g_dir_open(drv->state_dir, 0, NULL);
    GPtrArray *was_active = g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_obj_unref);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(drv->state_dir, entry, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(StoragePoolDef) def = NULL;
        StoragePoolObj *obj;

        if (!g_str_has_suffix(entry, ".xml") || g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        if (!(def = driver_read_def(path, &error)) || !driver_name_matches(def, entry)) {
            g_warning("ignoring storage pool state %s: %s", path,
                      error ? error->message : "wrong name");
            continue;
        }
        obj = storage_pool_list_find_by_name(drv->pools, def->name, NULL);
        if (obj && memcmp(obj->uuid, def->uuid, MV_UUID_LEN) != 0) {
            g_warning("ignoring storage pool state %s: another pool has that name", path);
            storage_pool_obj_unref(obj);
            continue;
        }
        if (obj) {
            /* The live definition; the config is what it becomes at the stop. */
            g_mutex_lock(&obj->lock);
            obj->new_def = g_steal_pointer((StoragePoolDef **)&obj->def->data);
            storage_pool_obj_set_def_locked(obj, g_steal_pointer(&def));
            g_mutex_unlock(&obj->lock);
        } else if (!(obj = storage_pool_list_add(drv->pools, drv, g_steal_pointer(&def), NULL, &error))) {
            g_warning("ignoring storage pool state %s: %s", path, error->message);
            continue;
        }
        g_ptr_array_add(was_active, obj);
    }
    return was_active;
}

typedef struct {
    StorageDriver *drv;
    StoragePoolObj *obj;
    gboolean was_active;
} DriverRestore;

static void
driver_restore_free(DriverRestore *r)
{
    /* Done, or dropped at shutdown: nobody waits for it any longer. */
    g_atomic_int_add(&r->drv->restoring, -1);
    g_mutex_lock(&r->obj->lock);
    r->obj->restoring = FALSE;
    g_cond_broadcast(&r->obj->cond);
    g_mutex_unlock(&r->obj->lock);
    storage_pool_obj_unref(r->obj);
    g_free(r);
}

/* A pool that was active: is it still?  Then it is active again. */
static gboolean
driver_reattach(StorageDriver *drv, StoragePoolObj *obj, GError **error)
{
    StoragePoolCtx ctx;
    gboolean active = TRUE;
    gboolean ok = TRUE;

    storage_pool_ctx_init(&ctx, obj, drv->job_timeout_ms);
    if (!ctx.backend) {
        storage_pool_ctx_clear(&ctx);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "missing backend for pool type '%s'",
                     storage_pool_type_to_string(ctx.bp.def->type));
        return FALSE;
    }
    if (ctx.backend->check)
        ok = ctx.backend->check(&ctx.bp, &active, error);
    else
        active = FALSE;
    if (ok && active) {
        g_autoptr(StorageRefresh) r = NULL;

        g_mutex_lock(&obj->lock);
        obj->active = TRUE;
        obj->active_gen++;
        obj->status.state = STORAGE_POOL_STATE_RUNNING;
        if (ctx.bp.priv)
            obj->priv = storage_shared_new(ctx.bp.priv, (GDestroyNotify)ctx.backend->free_priv);
        g_mutex_unlock(&obj->lock);
        /* Back with its volumes, as after a start: the first refresh is
         * waited for (it is bounded by refresh_timeout; its failure shows in
         * the pool's state). */
        r = storage_pool_refresh_begin(obj, FALSE);
        storage_refresh_wait(r, NULL);
        g_info("storage pool '%s' is still active", obj->name);
    } else if (ctx.bp.priv && ctx.backend->free_priv) {
        ctx.backend->free_priv(ctx.bp.priv);
    }
    storage_pool_ctx_clear(&ctx);
    return ok && active;
}

static gboolean
driver_restore_job(gpointer data, GError **unused)
{
    DriverRestore *r = data;
    StoragePoolObj *obj = r->obj;
    g_autoptr(GError) error = NULL;
    gboolean autostart;
    gboolean persistent;

    if (r->was_active && driver_reattach(r->drv, obj, &error))
        return TRUE;
    if (error)
        g_warning("storage pool '%s': %s", obj->name, error->message);
    g_clear_error(&error);
    g_mutex_lock(&obj->lock);
    autostart = obj->autostart;
    persistent = obj->persistent;
    g_mutex_unlock(&obj->lock);
    /* A pool that was active comes back as it was, as does one set to
     * autostart. */
    if (r->was_active || autostart) {
        if (storage_pool_start(r->drv, obj, 0, &error))
            return TRUE;
        g_warning("storage pool '%s': cannot start it: %s", obj->name, error->message);
    }
    if (r->was_active) {
        storage_driver_delete_state(r->drv, obj->name);
        if (!persistent)
            storage_pool_list_remove(r->drv->pools, obj);
    }
    /* Not active: its live definition from before the restart is over. */
    g_mutex_lock(&obj->lock);
    storage_pool_obj_take_new_def_locked(obj);
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static void
driver_restore_pools(StorageDriver *drv)
{
    g_autoptr(GPtrArray) was_active = driver_load_states(drv);
    g_autoptr(GPtrArray) all = storage_pool_list_all(drv->pools);

    drv->restore_deadline = g_get_monotonic_time() +
                            STORAGE_RESTORE_WAIT_MS * G_GINT64_CONSTANT(1000);

    /* One job each: a pool whose storage hangs does not hold the others. */
    for (guint i = 0; i < all->len; i++) {
        StoragePoolObj *obj = g_ptr_array_index(all, i);
        DriverRestore *r;
        gboolean active = g_ptr_array_find(was_active, obj, NULL);

        if (!active && !obj->autostart)
            continue;
        r = g_new0(DriverRestore, 1);
        r->drv = drv;
        r->obj = storage_pool_obj_ref(obj);
        r->was_active = active;
        g_mutex_lock(&obj->lock);
        obj->restoring = TRUE;
        g_mutex_unlock(&obj->lock);
        g_atomic_int_inc(&drv->restoring);
        storage_job_start(drv, driver_restore_job, r, (GDestroyNotify)driver_restore_free);
    }
}

gboolean
storage_driver_wait_restored(StorageDriver *drv)
{
    g_autoptr(GPtrArray) all = NULL;

    if (!g_atomic_int_get(&drv->restoring))
        return TRUE;
    all = storage_pool_list_all(drv->pools);
    for (guint i = 0; i < all->len; i++) {
        gint64 left = drv->restore_deadline - g_get_monotonic_time();

        if (left <= 0)
            break;
        storage_pool_obj_wait_restored(g_ptr_array_index(all, i), (guint)(left / 1000) + 1);
    }
    return !g_atomic_int_get(&drv->restoring);
}

static gboolean
storage_driver_init(RemoteDaemon *rd, GError **error)
{
    StorageDriver *drv = g_new0(StorageDriver, 1);

    rd->driver_state = drv;
    drv->rd = rd;
    g_mutex_init(&drv->define_lock);
    drv->privileged = rd->privileged;
    drv->config_dir = g_strdup(rd->paths->def_dir);
    drv->autostart_dir = g_build_filename(drv->config_dir, "autostart", NULL);
    drv->state_dir = g_strdup(rd->paths->run_dir);
    drv->secrets_dir = g_build_filename(rd->paths->config_dir, "secrets", NULL);
    drv->ctx = g_main_context_ref(mv_server_get_context(rd->srv));
    drv->jobs = storage_job_pool_new(drv);
    drv->pools = storage_pool_list_new();
    if (!driver_load_settings(drv, rd->paths->config_dir, error))
        return FALSE;
    if (!mv_file_mkdir(drv->state_dir, 0700, error))
        return FALSE;
    drv->qcow2 = storage_qcow2_new(drv->state_dir);
    driver_load_configs(drv);
    driver_restore_pools(drv);
    return TRUE;
}

static void
storage_driver_shutdown(RemoteDaemon *rd)
{
    StorageDriver *drv = rd->driver_state;

    if (!drv)
        return;
    g_atomic_int_set(&drv->shutting_down, 1);
    /*
     * NB: a job stuck on unresponsive storage may still run and use the
     * driver (the qcow2 helper included): everything it can reach is left
     * allocated then, for the process is about to exit anyway.  The helper
     * process itself goes now.
     */
    if (storage_job_pool_busy(drv->jobs)) {
        storage_qcow2_stop(drv->qcow2);
        return;
    }
    g_thread_pool_free(drv->jobs, TRUE, TRUE);
    g_clear_pointer(&drv->qcow2, storage_qcow2_free);
    storage_pool_list_free(drv->pools);
    g_main_context_unref(drv->ctx);
    g_free(drv->config_dir);
    g_free(drv->autostart_dir);
    g_free(drv->state_dir);
    g_free(drv->secrets_dir);
    g_free(drv);
    rd->driver_state = NULL;
}

static const RemoteDriver storage_remote_driver = {
    .name = "storage",
    .type = "storage",
    .get_capabilities = storage_driver_get_capabilities,
};

const MvDaemonDriver storage_daemon_driver = {
    .name = "storage",
    .remote = &storage_remote_driver,
    .program = &remote_program_storage,
    .init = storage_driver_init,
    .shutdown = storage_driver_shutdown,
};
