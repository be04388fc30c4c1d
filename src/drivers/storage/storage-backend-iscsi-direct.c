/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend-iscsi-direct.c: pools of type iscsi-direct, an iSCSI
 * target reached with libiscsi from the daemon itself (no kernel
 * initiator, nothing on the host).
 *
 *   start     a discovery session: the target must be at the portal
 *   refresh   a normal session (the pool's initiator IQN, CHAP from its
 *             <auth>): REPORT LUNS, then per LUN TEST UNIT READY (the first
 *             command to a LUN gets a UNIT ATTENTION, so it is repeated),
 *             INQUIRY (only direct-access LUNs are volumes: tgtd's LUN 0 is
 *             a controller) and READ CAPACITY(16)
 *   wipe      zeros written over the session
 *   find      find-storage-pool-sources: a discovery session at the portal
 *             given, as the initiator IQN given (required), without CHAP
 *
 * Volumes are "unit:0:0:LUN", of type network; their key and path are the
 * by-path name "ip-HOST:PORT-iscsi-IQN-lun-LUN" (no /dev prefix: nothing
 * exists on the host).  Their capacity is the LUN's size, (last LBA + 1) x
 * block size; the pool's capacity and allocation are the sum, available 0.
 * Volumes cannot be created, deleted, resized, uploaded or downloaded.
 *
 * Time.  libiscsi is driven asynchronously from our own poll() loop: every
 * network step (connect, login, each command) must complete within
 * ISCSI_DIRECT_STEP_TIMEOUT_S and before the operation's deadline, so a
 * portal that accepts connections and then says nothing fails the one
 * operation that talks to it, with the step that hung in the message.
 * No connection outlives an operation.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "drivers/storage/storage-backend.h"
#include "drivers/storage/storage-iscsi.h"
#include "util/error.h"

#define ISCSI_DIRECT_STEP_TIMEOUT_S 10
/* How many times TEST UNIT READY is repeated while the LUN reports a
 * UNIT ATTENTION (one per pending condition: reset, capacity change...). */
#define ISCSI_DIRECT_TUR_TRIES 10
/* Bytes written per command when wiping. */
#define ISCSI_DIRECT_WIPE_CHUNK (1024 * 1024)

typedef enum {
    ISCSI_DIRECT_OP_PLAIN = 0,  /* connect, login, logout */
    ISCSI_DIRECT_OP_TASK,       /* a SCSI command */
    ISCSI_DIRECT_OP_DISCOVERY,
} IscsiDirectOpKind;

/* One asynchronous step.  Owned by the connection and freed only after
 * its context is destroyed: libiscsi may call back until then (a connect
 * callback runs again at tear down, destroying cancels what is pending). */
typedef struct {
    IscsiDirectOpKind kind;
    gboolean done;
    int status;
    struct scsi_task *task;     /* ISCSI_DIRECT_OP_TASK: what was submitted */
    GPtrArray *targets;         /* ISCSI_DIRECT_OP_DISCOVERY: target names */
} IscsiDirectOp;

typedef struct {
    struct iscsi_context *ctx;
    GPtrArray *ops;             /* IscsiDirectOp */
    const char *pool_name;
    char *owner;                /* "storage pool 'NAME'", or what else it is for */
    char *portal;
    const char *target;
    gint64 deadline;            /* the operation's (monotonic µs), 0: none */
    gboolean logged_in;
} IscsiDirectConn;

/* ---- connection and steps ----------------------------------------------- */

static void
iscsi_direct_op_free(gpointer data)
{
    IscsiDirectOp *op = data;

    if (op->task)
        scsi_free_scsi_task(op->task);
    if (op->targets)
        g_ptr_array_unref(op->targets);
    g_free(op);
}

static void
iscsi_direct_conn_free(IscsiDirectConn *conn)
{
    if (!conn)
        return;
    if (conn->ctx)
        iscsi_destroy_context(conn->ctx);
    g_ptr_array_unref(conn->ops);
    g_free(conn->owner);
    g_free(conn->portal);
    g_free(conn);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IscsiDirectConn, iscsi_direct_conn_free)

static IscsiDirectOp *
iscsi_direct_op_new(IscsiDirectConn *conn, IscsiDirectOpKind kind)
{
    IscsiDirectOp *op = g_new0(IscsiDirectOp, 1);

    op->kind = kind;
    if (kind == ISCSI_DIRECT_OP_DISCOVERY)
        op->targets = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(conn->ops, op);
    return op;
}

static void
iscsi_direct_cb(struct iscsi_context *ctx, int status, void *command_data, void *opaque)
{
    IscsiDirectOp *op = opaque;

    if (op->done)
        return;
    op->done = TRUE;
    op->status = status;
    if (op->kind == ISCSI_DIRECT_OP_DISCOVERY && status == SCSI_STATUS_GOOD) {
        for (struct iscsi_discovery_address *da = command_data; da; da = da->next)
            g_ptr_array_add(op->targets, g_strdup(da->target_name));
    }
}

/* The pending error of a socket (ECONNREFUSED...), 0 if none. */
static int
iscsi_direct_socket_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return 0;
    return err;
}

/* Service the context until @op completes, the step's time is up, or the
 * connection fails.  @what names the step in errors. */
static gboolean
iscsi_direct_wait(IscsiDirectConn *conn, IscsiDirectOp *op, const char *what, GError **error)
{
    gint64 step_end = g_get_monotonic_time() + ISCSI_DIRECT_STEP_TIMEOUT_S * G_USEC_PER_SEC;
    gint64 end = conn->deadline ? MIN(conn->deadline, step_end) : step_end;

    int sock_err = 0;

    while (!op->done) {
        struct pollfd pfd = { .fd = iscsi_get_fd(conn->ctx) };
        int timeout = storage_deadline_remaining_ms(end);
        int r;

        if (timeout == 0) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_TIMEOUT,
                         "iSCSI portal '%s' of %s did not answer in time: %s",
                         conn->portal, conn->owner, what);
            return FALSE;
        }
        pfd.events = iscsi_which_events(conn->ctx);
        if (pfd.events == 0 || pfd.fd < 0) {
            /* libiscsi is between connections: ask again a little later */
            g_usleep(MIN(timeout, 100) * 1000);
            if (iscsi_service(conn->ctx, 0) < 0)
                goto failed;
            continue;
        }
        r = poll(&pfd, 1, MIN(timeout, 1000));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            mv_error_set_errno(error, errno, "cannot wait for iSCSI portal '%s'", conn->portal);
            return FALSE;
        }
        if (r > 0 && (pfd.revents & (POLLERR | POLLHUP)))
            sock_err = iscsi_direct_socket_error(pfd.fd);
        if (iscsi_service(conn->ctx, r > 0 ? pfd.revents : 0) < 0)
            goto failed;
    }
    return TRUE;

 failed:
    if (sock_err != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "iSCSI portal '%s' of %s failed during %s: %s",
                     conn->portal, conn->owner, what, g_strerror(sock_err));
    } else {
        g_autofree char *detail = g_strdup(iscsi_get_error(conn->ctx));

        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "iSCSI portal '%s' of %s failed during %s: %s",
                     conn->portal, conn->owner, what, g_strchomp(detail));
    }
    return FALSE;
}

/* A step whose submission failed at once, or which completed badly. */
static gboolean
iscsi_direct_step_failed(IscsiDirectConn *conn, const char *what, GError **error)
{
    g_autofree char *detail = g_strdup(iscsi_get_error(conn->ctx));

    if (detail)
        g_strchomp(detail);
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                 "iSCSI %s at portal '%s' for %s failed: %s", what,
                 conn->portal, conn->owner, detail && *detail ? detail : "no detail");
    return FALSE;
}

static IscsiDirectConn *
iscsi_direct_conn_new(const StorageBackendPool *pool, enum iscsi_session_type type,
                      GError **error)
{
    const StoragePoolDef *def = pool->def;
    g_autoptr(IscsiDirectConn) conn = g_new0(IscsiDirectConn, 1);
    g_autofree char *host = NULL;
    g_autofree char *user = NULL;
    g_autofree char *password = NULL;
    guint port;

    conn->ops = g_ptr_array_new_with_free_func(iscsi_direct_op_free);
    conn->pool_name = def->name;
    /* No name: find-storage-pool-sources, a discovery without a pool. */
    conn->owner = def->name ? g_strdup_printf("storage pool '%s'", def->name)
                            : g_strdup("storage pool source discovery");
    conn->deadline = pool->deadline;
    conn->target = storage_iscsi_target(def);
    if (!def->name && !def->source.initiator_iqn) {
        mv_error_set_literal(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                             "missing initiator IQN");
        return NULL;
    }
    if ((def->name && !conn->target) || !def->source.initiator_iqn) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                     "storage pool '%s' needs a target IQN and an initiator IQN", def->name);
        return NULL;
    }
    /* A discovery without a pool logs in without CHAP (as libvirt). */
    if (!storage_iscsi_portal(def, &host, &port, error) ||
        (def->name && !storage_iscsi_chap(def, pool->secrets_dir, &user, &password, error)))
        return NULL;
    conn->portal = storage_iscsi_portal_string(host, port);
    if (!(conn->ctx = iscsi_create_context(def->source.initiator_iqn))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot create an iSCSI context for initiator '%s'",
                     def->source.initiator_iqn);
        return NULL;
    }
    iscsi_set_noautoreconnect(conn->ctx, 1);
    if (iscsi_set_session_type(conn->ctx, type) < 0 ||
        (type == ISCSI_SESSION_NORMAL &&
         (iscsi_set_targetname(conn->ctx, conn->target) < 0 ||
          iscsi_set_header_digest(conn->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C) < 0)) ||
        (user && iscsi_set_initiator_username_pwd(conn->ctx, user, password) < 0)) {
        iscsi_direct_step_failed(conn, "session setup", error);
        return NULL;
    }
    return g_steal_pointer(&conn);
}

static gboolean
iscsi_direct_login(IscsiDirectConn *conn, GError **error)
{
    IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_PLAIN);

    if (iscsi_connect_async(conn->ctx, conn->portal, iscsi_direct_cb, op) < 0)
        return iscsi_direct_step_failed(conn, "connection", error);
    if (!iscsi_direct_wait(conn, op, "connect", error))
        return FALSE;
    if (op->status != SCSI_STATUS_GOOD)
        return iscsi_direct_step_failed(conn, "connection", error);

    op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_PLAIN);
    if (iscsi_login_async(conn->ctx, iscsi_direct_cb, op) < 0)
        return iscsi_direct_step_failed(conn, "login", error);
    if (!iscsi_direct_wait(conn, op, "login", error))
        return FALSE;
    if (op->status != SCSI_STATUS_GOOD)
        return iscsi_direct_step_failed(conn, "login", error);
    conn->logged_in = TRUE;
    return TRUE;
}

/* Best effort: the target forgets the session anyway when we hang up. */
static void
iscsi_direct_logout(IscsiDirectConn *conn)
{
    IscsiDirectOp *op;
    gint64 saved = conn->deadline;

    if (!conn->logged_in)
        return;
    conn->logged_in = FALSE;
    op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_PLAIN);
    if (iscsi_logout_async(conn->ctx, iscsi_direct_cb, op) < 0)
        return;
    /* never wait long for a courtesy */
    conn->deadline = g_get_monotonic_time() + G_USEC_PER_SEC;
    if (saved)
        conn->deadline = MIN(conn->deadline, saved);
    iscsi_direct_wait(conn, op, "logout", NULL);
    conn->deadline = saved;
}

/* Wait for the SCSI command in @op (submitted as @task); its task on
 * success, whatever its SCSI status. */
static struct scsi_task *
iscsi_direct_task_wait(IscsiDirectConn *conn, IscsiDirectOp *op, struct scsi_task *task,
                       const char *what, GError **error)
{
    if (!task) {
        iscsi_direct_step_failed(conn, what, error);
        return NULL;
    }
    op->task = task;
    if (!iscsi_direct_wait(conn, op, what, error))
        return NULL;
    if (op->status != SCSI_STATUS_GOOD && op->status != SCSI_STATUS_CHECK_CONDITION) {
        iscsi_direct_step_failed(conn, what, error);
        return NULL;
    }
    return task;
}

/* ---- LUNs ----------------------------------------------------------------- */

static GArray *
iscsi_direct_report_luns(IscsiDirectConn *conn, GError **error)
{
    int alloc_len = 16384;

    for (;;) {
        IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_TASK);
        struct scsi_task *task;
        struct scsi_reportluns_list *list;
        GArray *luns;
        int full;

        task = iscsi_direct_task_wait(conn, op,
                                      iscsi_reportluns_task(conn->ctx, 0, alloc_len,
                                                            iscsi_direct_cb, op),
                                      "REPORT LUNS", error);
        if (!task)
            return NULL;
        if (task->status != SCSI_STATUS_GOOD) {
            iscsi_direct_step_failed(conn, "REPORT LUNS", error);
            return NULL;
        }
        full = scsi_datain_getfullsize(task);
        if (full > task->datain.size && full > alloc_len) {
            alloc_len = full;
            continue;
        }
        if (!(list = scsi_datain_unmarshall(task))) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                         "cannot read the LUN list of target '%s' at portal '%s'",
                         conn->target, conn->portal);
            return NULL;
        }
        luns = g_array_sized_new(FALSE, FALSE, sizeof(guint), list->num);
        for (guint32 i = 0; i < list->num; i++) {
            guint lun = list->luns[i];

            g_array_append_val(luns, lun);
        }
        return luns;
    }
}

/* TEST UNIT READY until the LUN stops reporting UNIT ATTENTION.  FALSE
 * with @error on a transport failure; *ret_ready tells the LUN's state. */
static gboolean
iscsi_direct_test_unit_ready(IscsiDirectConn *conn, guint lun, gboolean *ret_ready,
                             GError **error)
{
    *ret_ready = FALSE;
    for (int i = 0; i < ISCSI_DIRECT_TUR_TRIES; i++) {
        IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_TASK);
        struct scsi_task *task;

        task = iscsi_direct_task_wait(conn, op,
                                      iscsi_testunitready_task(conn->ctx, (int)lun,
                                                               iscsi_direct_cb, op),
                                      "TEST UNIT READY", error);
        if (!task)
            return FALSE;
        if (task->status == SCSI_STATUS_GOOD) {
            *ret_ready = TRUE;
            return TRUE;
        }
        if (task->sense.key != SCSI_SENSE_UNIT_ATTENTION) {
            g_debug("pool '%s': LUN %u not ready: %s", conn->pool_name, lun,
                    scsi_sense_key_str(task->sense.key));
            return TRUE;
        }
    }
    return TRUE;
}

/* Is @lun a direct-access (disk) device? */
static gboolean
iscsi_direct_is_disk(IscsiDirectConn *conn, guint lun, gboolean *ret_disk, GError **error)
{
    IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_TASK);
    struct scsi_inquiry_standard *inq;
    struct scsi_task *task;

    task = iscsi_direct_task_wait(conn, op,
                                  iscsi_inquiry_task(conn->ctx, (int)lun, 0, 0, 64,
                                                     iscsi_direct_cb, op),
                                  "INQUIRY", error);
    if (!task)
        return FALSE;
    *ret_disk = FALSE;
    if (task->status != SCSI_STATUS_GOOD || !(inq = scsi_datain_unmarshall(task)))
        return TRUE;
    *ret_disk = inq->qualifier == SCSI_INQUIRY_PERIPHERAL_QUALIFIER_CONNECTED &&
                inq->device_type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS;
    return TRUE;
}

static gboolean
iscsi_direct_capacity(IscsiDirectConn *conn, guint lun, guint64 *ret_blocks,
                      guint32 *ret_block_size, GError **error)
{
    IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_TASK);
    struct scsi_readcapacity16 *rc;
    struct scsi_task *task;

    task = iscsi_direct_task_wait(conn, op,
                                  iscsi_readcapacity16_task(conn->ctx, (int)lun,
                                                            iscsi_direct_cb, op),
                                  "READ CAPACITY", error);
    if (!task)
        return FALSE;
    if (task->status != SCSI_STATUS_GOOD || !(rc = scsi_datain_unmarshall(task))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "cannot read the capacity of LUN %u of target '%s' at portal '%s': %s",
                     lun, conn->target, conn->portal, iscsi_get_error(conn->ctx));
        return FALSE;
    }
    *ret_blocks = rc->returned_lba + 1;
    *ret_block_size = rc->block_length;
    return TRUE;
}

/* The volume of @lun, or NULL (and no error) when it is not a usable disk. */
static StorageVolDef *
iscsi_direct_lun_vol(IscsiDirectConn *conn, const char *host, guint port, guint lun,
                     GError **error)
{
    g_autoptr(StorageVolDef) vol = NULL;
    gboolean ready;
    gboolean disk;
    guint64 blocks;
    guint32 block_size;

    if (!iscsi_direct_test_unit_ready(conn, lun, &ready, error) ||
        !iscsi_direct_is_disk(conn, lun, &disk, error))
        return NULL;
    if (!disk) {
        g_debug("pool '%s': LUN %u is not a disk, skipped", conn->pool_name, lun);
        return NULL;
    }
    if (!iscsi_direct_capacity(conn, lun, &blocks, &block_size, error))
        return NULL;
    vol = storage_vol_def_new();
    vol->name = storage_iscsi_lun_vol_name(lun);
    vol->key = storage_iscsi_lun_path_name(host, port, conn->target, lun);
    vol->target.path = g_strdup(vol->key);
    vol->target.format = -1;
    vol->type = STORAGE_VOL_NETWORK;
    vol->capacity = blocks * block_size;
    vol->has_capacity = TRUE;
    vol->allocation = vol->capacity;
    vol->has_allocation = TRUE;
    return g_steal_pointer(&vol);
}

/* ---- pool operations ------------------------------------------------------ */

static gboolean
iscsi_direct_check(StorageBackendPool *pool, gboolean *ret_active, GError **error)
{
    /* Nothing on the host comes or goes with the pool: it stays active,
     * and its next refresh tells whether the target answers. */
    *ret_active = TRUE;
    return TRUE;
}

/* A discovery session at @pool's portal: the targets offered (a new array
 * of strings), and in *@ret_conn the connection, logged out. */
static GPtrArray *
iscsi_direct_discover(StorageBackendPool *pool, IscsiDirectConn **ret_conn, GError **error)
{
    g_autoptr(IscsiDirectConn) conn = NULL;
    IscsiDirectOp *op;

    if (!(conn = iscsi_direct_conn_new(pool, ISCSI_SESSION_DISCOVERY, error)) ||
        !iscsi_direct_login(conn, error))
        return NULL;
    op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_DISCOVERY);
    if (iscsi_discovery_async(conn->ctx, iscsi_direct_cb, op) < 0) {
        iscsi_direct_step_failed(conn, "discovery", error);
        return NULL;
    }
    if (!iscsi_direct_wait(conn, op, "discovery", error))
        return NULL;
    if (op->status != SCSI_STATUS_GOOD) {
        iscsi_direct_step_failed(conn, "discovery", error);
        return NULL;
    }
    iscsi_direct_logout(conn);
    *ret_conn = g_steal_pointer(&conn);
    return g_ptr_array_ref(op->targets);
}

static gboolean
iscsi_direct_start(StorageBackendPool *pool, GError **error)
{
    g_autoptr(IscsiDirectConn) conn = NULL;
    g_autoptr(GPtrArray) targets = iscsi_direct_discover(pool, &conn, error);

    if (!targets)
        return FALSE;
    if (g_ptr_array_find_with_equal_func(targets, conn->target, g_str_equal, NULL))
        return TRUE;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                 "target '%s' of storage pool '%s' is not offered by iSCSI portal '%s'",
                 conn->target, pool->def->name, conn->portal);
    return FALSE;
}

static StorageRefreshResult *
iscsi_direct_refresh(StorageBackendPool *pool, GError **error)
{
    g_autoptr(StorageRefreshResult) res = storage_refresh_result_new();
    g_autoptr(IscsiDirectConn) conn = NULL;
    g_autoptr(GArray) luns = NULL;
    g_autofree char *host = NULL;
    guint port;

    if (!storage_iscsi_portal(pool->def, &host, &port, error) ||
        !(conn = iscsi_direct_conn_new(pool, ISCSI_SESSION_NORMAL, error)) ||
        !iscsi_direct_login(conn, error) ||
        !(luns = iscsi_direct_report_luns(conn, error)))
        return NULL;
    for (guint i = 0; i < luns->len; i++) {
        g_autoptr(GError) err = NULL;
        guint lun = g_array_index(luns, guint, i);
        StorageVolDef *vol = iscsi_direct_lun_vol(conn, host, port, lun, &err);

        if (err) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        if (!vol)
            continue;
        res->capacity += vol->capacity;
        g_ptr_array_add(res->vols, vol);
    }
    iscsi_direct_logout(conn);
    res->allocation = res->capacity;
    res->available = 0;
    return g_steal_pointer(&res);
}

/* Write zeros over the whole LUN of @vol. */
static gboolean
iscsi_direct_wipe_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                      StorageVolWipeAlgorithm algorithm, unsigned int flags, GError **error)
{
    g_autoptr(IscsiDirectConn) conn = NULL;
    g_autofree unsigned char *zeros = NULL;
    gboolean ready;
    guint64 blocks;
    guint32 bs;
    guint lun;

    if (algorithm != STORAGE_VOL_WIPE_ALG_ZERO) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG, "unsupported algorithm %d",
                     (int)algorithm);
        return FALSE;
    }
    if (!storage_iscsi_vol_name_lun(vol->name, &lun)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "volume name '%s' names no LUN", vol->name);
        return FALSE;
    }
    if (!(conn = iscsi_direct_conn_new(pool, ISCSI_SESSION_NORMAL, error)) ||
        !iscsi_direct_login(conn, error) ||
        !iscsi_direct_test_unit_ready(conn, lun, &ready, error) ||
        !iscsi_direct_capacity(conn, lun, &blocks, &bs, error))
        return FALSE;
    if (bs == 0 || bs > ISCSI_DIRECT_WIPE_CHUNK) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "LUN %u of target '%s' has an unusable block size %u", lun, conn->target,
                     bs);
        return FALSE;
    }
    zeros = g_malloc0(ISCSI_DIRECT_WIPE_CHUNK);
    for (guint64 lba = 0; lba < blocks;) {
        guint64 n = MIN(blocks - lba, ISCSI_DIRECT_WIPE_CHUNK / bs);
        IscsiDirectOp *op = iscsi_direct_op_new(conn, ISCSI_DIRECT_OP_TASK);
        struct scsi_task *task;

        task = iscsi_direct_task_wait(conn, op,
                                      iscsi_write16_task(conn->ctx, (int)lun, lba, zeros,
                                                         (guint32)(n * bs), (int)bs, 0, 0, 0,
                                                         0, 0, iscsi_direct_cb, op),
                                      "WRITE", error);
        if (!task)
            return FALSE;
        if (task->status != SCSI_STATUS_GOOD)
            return iscsi_direct_step_failed(conn, "WRITE", error);
        /* release each chunk's task as it completes */
        g_ptr_array_remove(conn->ops, op);
        lba += n;
    }
    iscsi_direct_logout(conn);
    return TRUE;
}

/* find-storage-pool-sources: the targets the portal of @pool's source
 * offers to its initiator IQN, each as the source of a pool. */
static GPtrArray *
iscsi_direct_find_sources(StorageBackendPool *pool, GError **error)
{
    g_autoptr(GPtrArray) found =
        g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_def_free);
    g_autoptr(IscsiDirectConn) conn = NULL;
    g_autoptr(GPtrArray) targets = NULL;

    if (!storage_iscsi_find_check(pool->def, error) ||
        !(targets = iscsi_direct_discover(pool, &conn, error)))
        return NULL;
    for (guint i = 0; i < targets->len; i++)
        g_ptr_array_add(found, storage_iscsi_found_source(pool->def, STORAGE_POOL_ISCSI_DIRECT,
                                                          g_ptr_array_index(targets, i)));
    return g_steal_pointer(&found);
}

const StorageBackend storage_backend_iscsi_direct = {
    .type = STORAGE_POOL_ISCSI_DIRECT,
    .check = iscsi_direct_check,
    .start = iscsi_direct_start,
    .refresh = iscsi_direct_refresh,
    .wipe_vol = iscsi_direct_wipe_vol,
    .find_sources = iscsi_direct_find_sources,
    .find_sources_takes_source = TRUE,
};
