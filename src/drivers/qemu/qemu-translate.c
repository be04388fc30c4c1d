/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "conf/secret-store.h"
#include "drivers/qemu/qemu-translate.h"
#include "remote-client-stubs.h"
#include "translate-client-stubs.h"
#include "util/error.h"
#include "util/file.h"
#include "util/uuid.h"

#define TRANSLATE_TIMEOUT_MS 10000

static GMutex storage_lock;
static MvRpcClient *storage_client;

/* A connection to mvstoraged, opened (and mvstoraged started) on demand. */
static MvRpcClient *
translate_client(QemuDriver *drv, GError **error)
{
    RemoteDaemon *rd = drv->rd;
    g_autofree char *path = g_build_filename(rd->paths->sock_dir, "mvstoraged-sock", NULL);
    g_autofree char *log = g_build_filename(rd->paths->log_dir, "mvstoraged.log", NULL);
    g_autofree char *uri = g_strdup_printf("storage:///%s", rd->privileged ? "system" : "session");
    const char *args[] = { "--timeout", "120", rd->privileged ? "--system" : "--session", NULL };
    remote_connect_open_args open_args = { 0 };
    char *name = uri;
    MvRpcClient *client;
    int fd;

    g_mutex_lock(&storage_lock);
    if (storage_client && mv_rpc_client_is_open(storage_client)) {
        client = mv_rpc_client_ref(storage_client);
        g_mutex_unlock(&storage_lock);
        return client;
    }
    g_clear_pointer(&storage_client, mv_rpc_client_unref);
    fd = mv_rpc_socket_connect_autostart(path, "mvstoraged", args, log, error);
    if (fd < 0) {
        g_mutex_unlock(&storage_lock);
        g_prefix_error(error, "cannot reach the storage daemon: ");
        return NULL;
    }
    client = mv_rpc_client_new_fd(fd);
    mv_rpc_client_set_call_timeout(client, TRANSLATE_TIMEOUT_MS);
    open_args.name = &name;
    if (!remote_call_connect_open(client, &open_args, error)) {
        g_mutex_unlock(&storage_lock);
        mv_rpc_client_unref(client);
        g_prefix_error(error, "cannot open a connection to the storage daemon: ");
        return NULL;
    }
    storage_client = mv_rpc_client_ref(client);
    g_mutex_unlock(&storage_lock);
    return client;
}

void
qemu_translate_shutdown(QemuDriver *drv)
{
    g_mutex_lock(&storage_lock);
    g_clear_pointer(&storage_client, mv_rpc_client_unref);
    g_mutex_unlock(&storage_lock);
}

static gboolean
translate_call(QemuDriver *drv, const DomainDiskDef *disk, translate_translate_volume_ret *ret,
               GError **error)
{
    translate_translate_volume_args args = { 0 };

    args.pool = disk->pool;
    args.volume = disk->volume;
    args.mode = (int)disk->volume_mode;
    for (int attempt = 0; attempt < 2; attempt++) {
        g_autoptr(GError) local = NULL;
        MvRpcClient *client = translate_client(drv, error);
        gboolean ok;
        gboolean closed;

        if (!client)
            return FALSE;
        ok = translate_call_translate_volume(client, &args, ret, &local);
        closed = !mv_rpc_client_is_open(client);
        mv_rpc_client_unref(client);
        if (ok)
            return TRUE;
        /* A storage daemon that restarted: one more try on a new connection. */
        if (!closed || attempt == 1) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
    }
    return FALSE;
}

static char *
translate_strdup(translate_string s)
{
    return s && *s ? g_strdup(*s) : NULL;
}

/* A CHAP password (the secret @uuid, else the iscsi secret of @usage), in
 * the file QEMU reads for disk @index. */
static char *
translate_write_secret(QemuDriver *drv, const QemuDomainRuntime *rt, guint index,
                       const char *secret_uuid, const char *usage, GError **error)
{
    g_autofree char *dir = g_build_filename(drv->rd->paths->config_dir, "secrets", NULL);
    g_autofree char *uuid = g_strdup(secret_uuid);
    g_autofree char *what = NULL;
    g_autofree char *password = NULL;
    g_autofree char *path = qemu_command_disk_secret_path(rt->domain_dir, index);

    if (uuid) {
        what = g_strdup_printf("with UUID '%s'", uuid);
    } else {
        what = g_strdup_printf("with usage '%s'", usage ? usage : "");
        uuid = secret_store_find_iscsi_usage(dir, usage);
    }
    if (!uuid) {
        mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET, "no secret %s", what);
        return NULL;
    }
    if (!(password = secret_store_read_password(dir, uuid, what, error)))
        return NULL;
    if (!mv_file_write_atomic(path, password, strlen(password), 0600, error))
        return NULL;
    return g_steal_pointer(&path);
}

/* The CHAP password of a translated source, in a file QEMU reads. */
static char *
translate_secret_file(QemuDriver *drv, const QemuDomainRuntime *rt, guint index,
                      const translate_translate_volume_ret *ret, GError **error)
{
    g_autofree char *uuid = translate_strdup(ret->auth_secret_uuid);
    g_autofree char *usage = translate_strdup(ret->auth_secret_usage);

    return translate_write_secret(drv, rt, index, uuid, usage, error);
}

/* <disk type='network'> with <auth>: the password where the command line
 * builder expects it (qemu_command_disk_secret_path()). */
static gboolean
translate_network_secret(QemuDriver *drv, const QemuDomainRuntime *rt, guint index,
                         const DomainDiskDef *disk, GError **error)
{
    g_autofree char *path = NULL;

    if (disk->auth_secret_type && !g_str_equal(disk->auth_secret_type, "iscsi")) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "disk '%s': secret type '%s' cannot authenticate to an iSCSI target",
                     disk->dst, disk->auth_secret_type);
        return FALSE;
    }
    path = translate_write_secret(drv, rt, index, disk->auth_secret_uuid,
                                  disk->auth_secret_usage, error);
    if (!path) {
        g_prefix_error(error, "disk '%s': ", disk->dst);
        return FALSE;
    }
    return TRUE;
}

static QemuDiskSource *
translate_to_source(QemuDriver *drv, const QemuDomainRuntime *rt, guint index,
                    const translate_translate_volume_ret *ret, GError **error)
{
    g_autoptr(GError) local = NULL;
    QemuDiskSource *src = g_new0(QemuDiskSource, 1);

    switch (ret->type) {
    case 0:
        src->type = DOMAIN_DISK_TYPE_FILE;
        break;
    case 1:
        src->type = DOMAIN_DISK_TYPE_BLOCK;
        break;
    case 2:
        src->type = DOMAIN_DISK_TYPE_NETWORK;
        break;
    default:
        g_free(src);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "the storage daemon answered an unknown source type %d", ret->type);
        return NULL;
    }
    src->path = translate_strdup(ret->path);
    src->protocol = translate_strdup(ret->protocol);
    src->host = translate_strdup(ret->host);
    src->port = ret->port;
    src->target = translate_strdup(ret->target);
    src->lun = ret->lun;
    src->initiator = translate_strdup(ret->initiator);
    src->user = translate_strdup(ret->auth_user);
    if (src->user && !(src->secret_file = translate_secret_file(drv, rt, index, ret, error))) {
        qemu_disk_source_free(src);
        return NULL;
    }
    return src;
}

/* startupPolicy on a cold boot: optional drops the source of a removable
 * disk, requisite and mandatory fail. */
static gboolean
translate_may_drop(DomainDiskDef *disk)
{
    return disk->startup_policy == DOMAIN_STARTUP_POLICY_OPTIONAL &&
           (disk->device == DOMAIN_DISK_DEVICE_CDROM ||
            disk->device == DOMAIN_DISK_DEVICE_FLOPPY);
}

gboolean
qemu_translate_domain(QemuDriver *drv, DomainDef *def, QemuDomainRuntime *rt, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        translate_translate_volume_ret ret = { 0 };
        g_autoptr(GError) local = NULL;
        QemuDiskSource *src;

        if (disk->type == DOMAIN_DISK_TYPE_NETWORK && disk->auth_username) {
            if (!translate_network_secret(drv, rt, i, disk, error))
                return FALSE;
            continue;
        }
        if (disk->type != DOMAIN_DISK_TYPE_VOLUME || !disk->pool || !disk->volume)
            continue;
        if (!rt->disk_sources) {
            rt->disk_sources =
                g_ptr_array_new_with_free_func((GDestroyNotify)qemu_disk_source_free);
            g_ptr_array_set_size(rt->disk_sources, def->disks->len);
        }
        if (!translate_call(drv, disk, &ret, &local)) {
            if (translate_may_drop(disk)) {
                g_info("disk '%s': volume '%s' of pool '%s' is unavailable (%s); starting "
                       "without it (startupPolicy='optional')", disk->dst, disk->volume,
                       disk->pool, local->message);
                /* The live definition says so: an empty drive. */
                disk->type = DOMAIN_DISK_TYPE_FILE;
                disk->volume_mode = DOMAIN_DISK_VOLUME_MODE_DEFAULT;
                g_clear_pointer(&disk->pool, g_free);
                g_clear_pointer(&disk->volume, g_free);
                g_clear_pointer(&disk->path, g_free);
                continue;
            }
            g_propagate_prefixed_error(error, g_steal_pointer(&local),
                                       "disk '%s' (volume '%s' of pool '%s'): ", disk->dst,
                                       disk->volume, disk->pool);
            return FALSE;
        }
        src = translate_to_source(drv, rt, i, &ret, error);
        xdr_free((xdrproc_t)xdr_translate_translate_volume_ret, (char *)&ret);
        if (!src) {
            g_prefix_error(error, "disk '%s': ", disk->dst);
            return FALSE;
        }
        g_ptr_array_index(rt->disk_sources, i) = src;
    }
    return TRUE;
}

static gboolean
translate_same(const QemuDiskSource *a, const QemuDiskSource *b)
{
    return a->type == b->type && g_strcmp0(a->path, b->path) == 0 &&
           g_strcmp0(a->protocol, b->protocol) == 0 && g_strcmp0(a->host, b->host) == 0 &&
           a->port == b->port && g_strcmp0(a->target, b->target) == 0 && a->lun == b->lun &&
           g_strcmp0(a->initiator, b->initiator) == 0 && g_strcmp0(a->user, b->user) == 0;
}

/* Whether a block node's filename is what @src describes.  QEMU names an
 * iscsi node by its URL, or - opened from -blockdev options - by those
 * options as "json:{...}". */
static gboolean
translate_node_matches(const char *filename, const QemuDiskSource *src)
{
    g_autofree char *portal = NULL;
    g_autofree char *url = NULL;
    json_object *obj;
    json_object *v;
    gboolean same;

    if (!filename)
        return FALSE;
    if (src->type != DOMAIN_DISK_TYPE_NETWORK)
        return g_strcmp0(filename, src->path) == 0;
    portal = g_strdup_printf(strchr(src->host ? src->host : "", ':') ? "[%s]:%u" : "%s:%u",
                             src->host, src->port ? src->port : 3260);
    if (!g_str_has_prefix(filename, "json:")) {
        url = g_strdup_printf("iscsi://%s/%s/%u", portal, src->target, src->lun);
        return g_str_equal(filename, url);
    }
    if (!(obj = json_tokener_parse(filename + strlen("json:"))))
        return FALSE;
    same = json_object_object_get_ex(obj, "portal", &v) &&
           g_strcmp0(json_object_get_string(v), portal) == 0 &&
           json_object_object_get_ex(obj, "target", &v) &&
           g_strcmp0(json_object_get_string(v), src->target) == 0 &&
           json_object_object_get_ex(obj, "lun", &v) &&
           json_object_get_int64(v) == (gint64)src->lun;
    json_object_put(obj);
    return same;
}

/* Whether the QEMU block node of disk @i has what @src says open. */
static void
translate_check_node(QemuDomainObj *obj, const DomainDef *def, guint i,
                     const QemuDiskSource *src, GPtrArray *nodes)
{
    g_autofree char *want = qemu_command_disk_node_name(def, i, "storage");

    for (guint j = 0; j < nodes->len; j++) {
        QemuMonitorBlockNode *n = g_ptr_array_index(nodes, j);

        if (!n->node_name || !g_str_equal(n->node_name, want))
            continue;
        if (!translate_node_matches(n->filename, src))
            g_warning("domain '%s': disk %u: QEMU has '%s' open, not the source the volume "
                      "was translated to; keeping what the guest runs on", obj->name, i,
                      n->filename);
        return;
    }
    g_warning("domain '%s': disk %u: QEMU has no block node '%s'", obj->name, i, want);
}

void
qemu_translate_recheck(QemuDriver *drv, QemuDomainObj *obj, QemuMonitor *mon)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GPtrArray) stored = NULL;
    g_autoptr(GPtrArray) nodes = NULL;
    QemuDomainRuntime tmp = { 0 };

    g_mutex_lock(&obj->lock);
    if (!obj->runtime || !obj->runtime->disk_sources) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    def = domain_def_copy(obj->def);
    stored = g_ptr_array_ref(obj->runtime->disk_sources);
    tmp.domain_dir = g_strdup(obj->runtime->domain_dir);
    g_mutex_unlock(&obj->lock);

    if (mon)
        nodes = qemu_monitor_query_named_block_nodes(mon, NULL);
    for (guint i = 0; i < def->disks->len && i < stored->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        const QemuDiskSource *old = g_ptr_array_index(stored, i);
        translate_translate_volume_ret ret = { 0 };
        g_autoptr(GError) error = NULL;
        translate_string user;
        QemuDiskSource *now;

        if (!old || disk->type != DOMAIN_DISK_TYPE_VOLUME)
            continue;
        if (nodes)
            translate_check_node(obj, def, i, old, nodes);
        if (!translate_call(drv, disk, &ret, &error)) {
            g_warning("domain '%s': disk '%s': cannot translate volume '%s' of pool '%s' "
                      "again (%s); keeping the source it runs on", obj->name, disk->dst,
                      disk->volume, disk->pool, error->message);
            continue;
        }
        /* Compare only: the password file need not be written again. */
        user = ret.auth_user;
        ret.auth_user = NULL;
        now = translate_to_source(drv, &tmp, i, &ret, NULL);
        ret.auth_user = user;
        if (now)
            now->user = translate_strdup(user);
        xdr_free((xdrproc_t)xdr_translate_translate_volume_ret, (char *)&ret);
        if (now && !translate_same(now, old))
            g_warning("domain '%s': disk '%s': volume '%s' of pool '%s' now translates to "
                      "another source; keeping the one the guest runs on", obj->name,
                      disk->dst, disk->volume, disk->pool);
        qemu_disk_source_free(now);
    }
    g_free(tmp.domain_dir);
}
