/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend-iscsi.c: pools of type iscsi, a target logged in with the
 * kernel's initiator through open-iscsi's iscsiadm, its LUNs appearing as
 * block devices under the pool's target directory (/dev/disk/by-path).
 *
 *   start     discovery (SendTargets) at the portal, the node's CHAP
 *             settings from the pool's <auth>, login; with an initiator IQN
 *             the session goes through an iscsiadm interface carrying it
 *             ("modvirt-iface-XXXXXXXX", created once)
 *   refresh   a rescan of the session, then every by-path entry of the
 *             target, "ip-HOST:PORT-iscsi-IQN-lun-N", is volume
 *             "unit:0:0:N" (type block, its size from the device)
 *   stop      logout
 *   check     is a session to the target still there?
 *   find      find-storage-pool-sources: SendTargets discovery at the
 *             portal given, --op nonpersistent (no node records), through
 *             the initiator's interface when an IQN is given
 *
 * The program is "iscsiadm" from PATH, or the file named by the
 * MODVIRT_ISCSIADM environment variable (tests use a stand-in there: this
 * machine's kernel has no iSCSI initiator at all).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/storage/storage-backend.h"
#include "drivers/storage/storage-iscsi.h"
#include "util/error.h"
#include "util/macros.h"

/* iscsiadm's own retries can take minutes: bound each run. */
#define ISCSIADM_TIMEOUT_S 30
/* iscsiadm's exit status when there is nothing to list. */
#define ISCSIADM_ERR_NO_OBJS_FOUND 21

typedef struct {
    const StoragePoolDef *def;
    char *host;
    guint port;
    char *portal;               /* "HOST:PORT" */
    const char *target;
    gint64 deadline;
} IscsiadmPool;

static void
iscsiadm_pool_clear(IscsiadmPool *p)
{
    g_free(p->host);
    g_free(p->portal);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(IscsiadmPool, iscsiadm_pool_clear)

/* @p for @pool's portal; and its target unless @discovery_only. */
static gboolean
iscsiadm_pool_init_full(IscsiadmPool *p, const StorageBackendPool *pool, gboolean discovery_only,
                        GError **error)
{
    memset(p, 0, sizeof(*p));
    p->def = pool->def;
    p->deadline = pool->deadline;
    if (!(p->target = storage_iscsi_target(pool->def)) && !discovery_only) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool '%s' needs exactly one source device (the target IQN)",
                     pool->def->name);
        return FALSE;
    }
    if (!storage_iscsi_portal(pool->def, &p->host, &p->port, error))
        return FALSE;
    p->portal = storage_iscsi_portal_string(p->host, p->port);
    return TRUE;
}

static gboolean
iscsiadm_pool_init(IscsiadmPool *p, const StorageBackendPool *pool, GError **error)
{
    return iscsiadm_pool_init_full(p, pool, FALSE, error);
}

static const char *
iscsiadm_program(void)
{
    const char *prog = g_getenv("MODVIRT_ISCSIADM");

    return prog && *prog ? prog : "iscsiadm";
}

/* Run iscsiadm with @args (NULL-terminated, without the program).  With
 * @ret_status NULL a non-zero exit fails (libvirt's "Child process"
 * message); otherwise it is stored. */
static gboolean
iscsiadm_run(const IscsiadmPool *p, const char *const *args, char **ret_out, int *ret_status,
             GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    gint64 end = g_get_monotonic_time() + ISCSIADM_TIMEOUT_S * G_USEC_PER_SEC;

    if (p->deadline)
        end = MIN(end, p->deadline);
    g_ptr_array_add(argv, (gpointer)iscsiadm_program());
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    return storage_command_run((const char *const *)argv->pdata, NULL, end, ret_out, NULL,
                               ret_status, error);
}

/* ---- sessions ----------------------------------------------------------- */

/* The id of the session to @p's target at its portal, or -1 when there is
 * none.  -2 with @error when iscsiadm fails. */
static int
iscsiadm_find_session(const IscsiadmPool *p, GError **error)
{
    static const char *const args[] = { "--mode", "session", NULL };
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    int status;

    if (!iscsiadm_run(p, args, &out, &status, error))
        return -2;
    if (status == ISCSIADM_ERR_NO_OBJS_FOUND)
        return -1;
    if (status != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot list iSCSI sessions: %s exited with status %d",
                     iscsiadm_program(), status);
        return -2;
    }
    /* "tcp: [3] 10.0.0.1:3260,1 iqn.2026-11.example:t1 (non-flash)" */
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) tok = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        g_autofree char *portal = NULL;
        const char *comma;
        guint64 sid;

        if (g_strv_length(tok) < 4 || tok[1][0] != '[')
            continue;
        comma = strchr(tok[2], ',');
        portal = comma ? g_strndup(tok[2], comma - tok[2]) : g_strdup(tok[2]);
        if (!g_str_equal(tok[3], p->target) || !g_str_equal(portal, p->portal))
            continue;
        tok[1][strcspn(tok[1], "]")] = '\0';
        if (g_ascii_string_to_unsigned(tok[1] + 1, 10, 0, G_MAXINT, &sid, NULL))
            return (int)sid;
    }
    return -1;
}

/* The iscsiadm interface carrying @iqn, created when missing.  One lookup
 * at a time: two creating the same interface, the second would fail. */
static char *
iscsiadm_iface_for(const IscsiadmPool *p, const char *iqn, GError **error)
{
    static GMutex lock;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);
    static const char *const list[] = { "--mode", "iface", NULL };
    g_autofree char *name = g_strdup_printf("modvirt-iface-%08x", g_str_hash(iqn));
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    int status;

    if (!iscsiadm_run(p, list, &out, &status, error))
        return NULL;
    /* "NAME transport,hwaddress,ipaddress,net_ifacename,initiatorname" */
    lines = g_strsplit(out ? out : "", "\n", -1);
    for (size_t i = 0; status == 0 && lines[i]; i++) {
        g_auto(GStrv) tok = g_strsplit_set(g_strstrip(lines[i]), " \t", 2);
        g_auto(GStrv) fields = NULL;

        if (g_strv_length(tok) < 2)
            continue;
        fields = g_strsplit(tok[1], ",", -1);
        if (g_strv_length(fields) >= 5 && g_str_equal(fields[4], iqn))
            return g_strdup(tok[0]);
    }
    {
        const char *const create[] = { "--mode", "iface", "--interface", name, "--op", "new",
                                       NULL };
        const char *const update[] = { "--mode", "iface", "--interface", name, "--op",
                                       "update", "--name", "iface.initiatorname", "--value",
                                       iqn, NULL };

        if (!iscsiadm_run(p, create, NULL, NULL, error) ||
            !iscsiadm_run(p, update, NULL, NULL, error))
            return NULL;
    }
    return g_steal_pointer(&name);
}

/* SendTargets discovery at @p's portal: the targets offered (a new array
 * of strings, in the portal's order).  @record: iscsiadm keeps
 * a node record of each (for a login); otherwise it only lists them. */
static GPtrArray *
iscsiadm_sendtargets(const IscsiadmPool *p, const char *iface, gboolean record, GError **error)
{
    const char *args[11] = { "--mode", "discovery", "--type", "sendtargets", "--portal",
                             p->portal, NULL };
    g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    int n = 6;

    if (iface) {
        args[n++] = "--interface";
        args[n++] = iface;
    }
    if (!record) {
        args[n++] = "--op";
        args[n++] = "nonpersistent";
    }
    if (!iscsiadm_run(p, args, &out, NULL, error))
        return NULL;
    /* "10.0.0.1:3260,1 iqn.2026-11.example:t1": a target offered through
     * two portals comes twice, and is listed twice (as by libvirt). */
    lines = g_strsplit(out ? out : "", "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) tok = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);

        if (g_strv_length(tok) >= 2)
            g_ptr_array_add(targets, g_strdup(tok[1]));
    }
    return g_steal_pointer(&targets);
}

/* SendTargets discovery: the target must be offered at the portal. */
static gboolean
iscsiadm_discover(const IscsiadmPool *p, const char *iface, GError **error)
{
    g_autoptr(GPtrArray) targets = iscsiadm_sendtargets(p, iface, TRUE, error);

    if (!targets)
        return FALSE;
    if (g_ptr_array_find_with_equal_func(targets, p->target, g_str_equal, NULL))
        return TRUE;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                 "target '%s' of storage pool '%s' is not offered by iSCSI portal '%s'",
                 p->target, p->def->name, p->portal);
    return FALSE;
}

static gboolean
iscsiadm_node_set(const IscsiadmPool *p, const char *name, const char *value, GError **error)
{
    const char *const args[] = { "--mode", "node", "--targetname", p->target, "--portal",
                                 p->portal, "--op", "update", "--name", name, "--value", value,
                                 NULL };

    return iscsiadm_run(p, args, NULL, NULL, error);
}

static gboolean
iscsiadm_set_chap(const IscsiadmPool *p, const char *secrets_dir, GError **error)
{
    g_autofree char *user = NULL;
    g_autofree char *password = NULL;

    if (!storage_iscsi_chap(p->def, secrets_dir, &user, &password, error))
        return FALSE;
    if (!user)
        return TRUE;
    return iscsiadm_node_set(p, "node.session.auth.authmethod", "CHAP", error) &&
           iscsiadm_node_set(p, "node.session.auth.username", user, error) &&
           iscsiadm_node_set(p, "node.session.auth.password", password, error);
}

static gboolean
iscsiadm_login(const IscsiadmPool *p, const char *iface, GError **error)
{
    const char *args[] = { "--mode", "node", "--targetname", p->target, "--portal", p->portal,
                           "--login", NULL, NULL, NULL };

    if (iface) {
        args[6] = "--interface";
        args[7] = iface;
        args[8] = "--login";
    }
    return iscsiadm_run(p, args, NULL, NULL, error);
}

/* ---- volumes -------------------------------------------------------------- */

/* The size of the device (or file) at @path in bytes. */
static gboolean
iscsi_lun_size(const char *path, guint64 *ret_size, GError **error)
{
    mv_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t end;

    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot open volume '%s'", path);
        return FALSE;
    }
    if ((end = lseek(fd, 0, SEEK_END)) < 0) {
        mv_error_set_errno(error, errno, "cannot get the size of volume '%s'", path);
        return FALSE;
    }
    *ret_size = (guint64)end;
    return TRUE;
}

static StorageVolDef *
iscsi_lun_vol(const char *dir, const char *entry, guint lun, GError **error)
{
    g_autoptr(StorageVolDef) vol = storage_vol_def_new();
    g_autofree char *path = g_build_filename(dir, entry, NULL);
    guint64 size;

    if (!iscsi_lun_size(path, &size, error))
        return NULL;
    vol->name = storage_iscsi_lun_vol_name(lun);
    vol->key = g_strdup(path);
    vol->target.path = g_steal_pointer(&path);
    vol->target.format = -1;
    vol->type = STORAGE_VOL_BLOCK;
    vol->capacity = size;
    vol->has_capacity = TRUE;
    vol->allocation = size;
    vol->has_allocation = TRUE;
    return g_steal_pointer(&vol);
}

/* Every "PREFIX-lun-N" entry of the pool's target directory. */
static gboolean
iscsi_list_luns(const IscsiadmPool *p, StorageRefreshResult *res, GError **error)
{
    g_autofree char *stem = storage_iscsi_lun_path_name(p->host, p->port, p->target, 0);
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) err = NULL;
    const char *ent;
    gsize prefix_len;

    /* the name of LUN 0 without its "0" */
    prefix_len = strlen(stem) - 1;
    if (!(dir = g_dir_open(p->def->target.path, 0, &err))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "cannot read the target directory of storage pool '%s': %s",
                     p->def->name, err->message);
        return FALSE;
    }
    while ((ent = g_dir_read_name(dir))) {
        StorageVolDef *vol;
        guint64 lun;

        if (strncmp(ent, stem, prefix_len) != 0 ||
            !g_ascii_string_to_unsigned(ent + prefix_len, 10, 0, G_MAXUINT32, &lun, NULL))
            continue;
        if (!(vol = iscsi_lun_vol(p->def->target.path, ent, (guint)lun, error)))
            return FALSE;
        res->capacity += vol->capacity;
        g_ptr_array_add(res->vols, vol);
    }
    res->allocation = res->capacity;
    res->available = 0;
    return TRUE;
}

/* ---- pool operations ------------------------------------------------------ */

static gboolean
iscsi_check(StorageBackendPool *pool, gboolean *ret_active, GError **error)
{
    g_auto(IscsiadmPool) p = { 0 };
    int sid;

    if (!iscsiadm_pool_init(&p, pool, error) || (sid = iscsiadm_find_session(&p, error)) == -2)
        return FALSE;
    *ret_active = sid >= 0;
    return TRUE;
}

static gboolean
iscsi_start(StorageBackendPool *pool, GError **error)
{
    g_auto(IscsiadmPool) p = { 0 };
    g_autofree char *iface = NULL;
    int sid;

    if (!iscsiadm_pool_init(&p, pool, error) || (sid = iscsiadm_find_session(&p, error)) == -2)
        return FALSE;
    if (sid >= 0)
        return TRUE;
    if (pool->def->source.initiator_iqn &&
        !(iface = iscsiadm_iface_for(&p, pool->def->source.initiator_iqn, error)))
        return FALSE;
    if (!iscsiadm_discover(&p, iface, error) ||
        !iscsiadm_set_chap(&p, pool->secrets_dir, error) ||
        !iscsiadm_login(&p, iface, error)) {
        g_prefix_error(error, "cannot log in to target '%s': ", p.target);
        return FALSE;
    }
    return TRUE;
}

static gboolean
iscsi_stop(StorageBackendPool *pool, GError **error)
{
    g_auto(IscsiadmPool) p = { 0 };
    int sid;

    if (!iscsiadm_pool_init(&p, pool, error) || (sid = iscsiadm_find_session(&p, error)) == -2)
        return FALSE;
    if (sid < 0)
        return TRUE;
    {
        const char *const args[] = { "--mode", "node", "--targetname", p.target, "--portal",
                                      p.portal, "--logout", NULL };

        return iscsiadm_run(&p, args, NULL, NULL, error);
    }
}

static StorageRefreshResult *
iscsi_refresh(StorageBackendPool *pool, GError **error)
{
    g_autoptr(StorageRefreshResult) res = storage_refresh_result_new();
    g_auto(IscsiadmPool) p = { 0 };
    g_autofree char *sid_str = NULL;
    int sid;

    if (!iscsiadm_pool_init(&p, pool, error) || (sid = iscsiadm_find_session(&p, error)) == -2)
        return NULL;
    if (sid < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "no iSCSI session to target '%s' at portal '%s' for storage pool '%s'",
                     p.target, p.portal, pool->def->name);
        return NULL;
    }
    sid_str = g_strdup_printf("%d", sid);
    {
        const char *const args[] = { "--mode", "session", "-r", sid_str, "-R", NULL };

        if (!iscsiadm_run(&p, args, NULL, NULL, error))
            return NULL;
    }
    if (!iscsi_list_luns(&p, res, error))
        return NULL;
    return g_steal_pointer(&res);
}

/* find-storage-pool-sources: the targets the portal of @pool's source
 * offers (SendTargets, through the interface of its initiator IQN if it
 * has one, leaving no node records behind), each as the source of a pool:
 * that host, that target. */
static GPtrArray *
iscsi_find_sources(StorageBackendPool *pool, GError **error)
{
    g_autoptr(GPtrArray) found =
        g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_def_free);
    g_auto(IscsiadmPool) p = { 0 };
    g_autoptr(GPtrArray) targets = NULL;
    g_autofree char *iface = NULL;

    if (!storage_iscsi_find_check(pool->def, error) ||
        !iscsiadm_pool_init_full(&p, pool, TRUE, error))
        return NULL;
    if (pool->def->source.initiator_iqn &&
        !(iface = iscsiadm_iface_for(&p, pool->def->source.initiator_iqn, error)))
        return NULL;
    if (!(targets = iscsiadm_sendtargets(&p, iface, FALSE, error)))
        return NULL;
    for (guint i = 0; i < targets->len; i++)
        g_ptr_array_add(found, storage_iscsi_found_source(pool->def, STORAGE_POOL_ISCSI,
                                                          g_ptr_array_index(targets, i)));
    return g_steal_pointer(&found);
}

const StorageBackend storage_backend_iscsi = {
    .type = STORAGE_POOL_ISCSI,
    .check = iscsi_check,
    .start = iscsi_start,
    .stop = iscsi_stop,
    .refresh = iscsi_refresh,
    .find_sources = iscsi_find_sources,
    .find_sources_takes_source = TRUE,
};
