/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-dispatch-domain.c: looking domains up, listing, defining and
 * undefining them, and what they report (info, state, XML, metadata).
 */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "conf/xml-util.h"
#include "drivers/qemu/qemu-conf.h"
#include "drivers/qemu/qemu-dispatch.h"
#include "drivers/qemu/qemu-events.h"
#include "drivers/qemu/qemu-postparse.h"
#include "drivers/qemu/qemu-process.h"
#include "util/error.h"

/* VIR_CONNECT_LIST_DOMAINS_* */
enum {
    LIST_ACTIVE = 1 << 0, LIST_INACTIVE = 1 << 1, LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3, LIST_RUNNING = 1 << 4, LIST_PAUSED = 1 << 5,
    LIST_SHUTOFF = 1 << 6, LIST_OTHER = 1 << 7, LIST_MANAGEDSAVE = 1 << 8,
    LIST_NO_MANAGEDSAVE = 1 << 9, LIST_AUTOSTART = 1 << 10, LIST_NO_AUTOSTART = 1 << 11,
    LIST_HAS_SNAPSHOT = 1 << 12, LIST_NO_SNAPSHOT = 1 << 13, LIST_HAS_CHECKPOINT = 1 << 14,
    LIST_NO_CHECKPOINT = 1 << 15,
};
#define LIST_ALL_FLAGS 0xffff

enum { DEFINE_VALIDATE = 1 };
/* VIR_DOMAIN_UNDEFINE_*: managed save, snapshots, nvram, keep nvram,
 * checkpoints, tpm, keep tpm.  None of these exist here: accepted. */
#define UNDEFINE_ALL_FLAGS 0x7f
enum { XML_SECURE = 1, XML_INACTIVE = 2, XML_UPDATE_CPU = 4, XML_MIGRATABLE = 8 };
enum { METADATA_DESCRIPTION = 0, METADATA_TITLE = 1, METADATA_ELEMENT = 2 };
enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2 };

QemuDomainObj *
qemu_dispatch_get_domain(QemuDriver *drv, const remote_nonnull_domain *dom, GError **error)
{
    QemuDomainObj *obj = qemu_domain_list_find_by_uuid(drv->domains, (const guchar *)dom->uuid,
                                                       NULL);
    char uuid[37];

    if (!obj)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                     "no domain with matching uuid '%s' (%s)",
                     mv_uuid_format((const guchar *)dom->uuid, uuid), dom->name);
    return obj;
}

void
qemu_dispatch_make_domain(QemuDomainObj *obj, remote_nonnull_domain *ret)
{
    ret->name = g_strdup(obj->name);
    memcpy(ret->uuid, obj->uuid, MV_UUID_LEN);
    g_mutex_lock(&obj->lock);
    ret->id = obj->def->id;
    g_mutex_unlock(&obj->lock);
}

gboolean
qemu_dispatch_check_flags(const char *api, unsigned int flags, unsigned int allowed,
                          GError **error)
{
    return mv_error_check_flags(MV_FROM_DOMAIN, api, flags, allowed, error);
}

static QemuDriver *
dispatch_drv(MvServerCall *call)
{
    return qemu_driver_from_client(mv_server_call_get_client(call));
}

/* ---- lookups ---------------------------------------------------------------- */

int
remote_dispatch_domain_lookup_by_id(MvServerCall *call, remote_domain_lookup_by_id_args *args,
                                    remote_domain_lookup_by_id_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_domain_list_find_by_id(dispatch_drv(call)->domains,
                                                               args->id, error);

    if (!obj)
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

int
remote_dispatch_domain_lookup_by_name(MvServerCall *call,
                                      remote_domain_lookup_by_name_args *args,
                                      remote_domain_lookup_by_name_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_domain_list_find_by_name(dispatch_drv(call)->domains,
                                                                 args->name, error);

    if (!obj)
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

int
remote_dispatch_domain_lookup_by_uuid(MvServerCall *call,
                                      remote_domain_lookup_by_uuid_args *args,
                                      remote_domain_lookup_by_uuid_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_domain_list_find_by_uuid(dispatch_drv(call)->domains,
                                                                 (const guchar *)args->uuid,
                                                                 error);

    if (!obj)
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

/* ---- lists ------------------------------------------------------------------ */

/* Caller holds obj->lock. */
static gboolean
dispatch_list_match_locked(QemuDomainObj *obj, unsigned int flags)
{
    gboolean active = qemu_domain_obj_is_active(obj);
    int state = obj->state;

    if ((flags & (LIST_ACTIVE | LIST_INACTIVE)) &&
        !((flags & LIST_ACTIVE && active) || (flags & LIST_INACTIVE && !active)))
        return FALSE;
    if ((flags & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
        !((flags & LIST_PERSISTENT && obj->persistent) ||
          (flags & LIST_TRANSIENT && !obj->persistent)))
        return FALSE;
    if ((flags & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)) &&
        !((flags & LIST_RUNNING && state == QEMU_STATE_RUNNING) ||
          (flags & LIST_PAUSED && state == QEMU_STATE_PAUSED) ||
          (flags & LIST_SHUTOFF && state == QEMU_STATE_SHUTOFF) ||
          (flags & LIST_OTHER && state != QEMU_STATE_RUNNING && state != QEMU_STATE_PAUSED &&
           state != QEMU_STATE_SHUTOFF)))
        return FALSE;
    if ((flags & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
        !((flags & LIST_AUTOSTART && obj->autostart) ||
          (flags & LIST_NO_AUTOSTART && !obj->autostart)))
        return FALSE;
    /* No managed save images, snapshots or checkpoints exist. */
    if ((flags & (LIST_MANAGEDSAVE | LIST_NO_MANAGEDSAVE)) && !(flags & LIST_NO_MANAGEDSAVE))
        return FALSE;
    if ((flags & (LIST_HAS_SNAPSHOT | LIST_NO_SNAPSHOT)) && !(flags & LIST_NO_SNAPSHOT))
        return FALSE;
    if ((flags & (LIST_HAS_CHECKPOINT | LIST_NO_CHECKPOINT)) && !(flags & LIST_NO_CHECKPOINT))
        return FALSE;
    return TRUE;
}

static gboolean
dispatch_list_match(QemuDomainObj *obj, unsigned int flags)
{
    gboolean match;

    g_mutex_lock(&obj->lock);
    match = dispatch_list_match_locked(obj, flags);
    g_mutex_unlock(&obj->lock);
    return match;
}

/*
 * The reply of CONNECT_LIST_ALL_DOMAINS: the array and every name in one
 * string block, owned by the call (mv_server_call_set_ret_owner()): with
 * 10,000 domains, 10,000 g_strdup()s and frees fewer.
 */
typedef struct {
    remote_nonnull_domain *doms;
    GString *names;              /* each name and its NUL */
} DispatchListBlock;

static void
dispatch_list_block_free(gpointer data)
{
    DispatchListBlock *b = data;

    g_free(b->doms);
    g_string_free(b->names, TRUE);
    g_free(b);
}

typedef struct {
    unsigned int flags;
    gboolean need_results;
    guint n;
    DispatchListBlock *block;
} DispatchListAll;

/* One domain of CONNECT_LIST_ALL_DOMAINS: one lock, nothing else taken.
 * Its name's offset in the block stands in for the pointer until the end. */
static void
dispatch_list_all_one(QemuDomainObj *obj, guint total, gpointer opaque)
{
    DispatchListAll *l = opaque;
    remote_nonnull_domain *dom;
    int id;

    g_mutex_lock(&obj->lock);
    if (!dispatch_list_match_locked(obj, l->flags)) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    id = obj->def->id;
    g_mutex_unlock(&obj->lock);
    if (l->need_results) {
        if (!l->block->doms) {
            l->block->doms = g_new(remote_nonnull_domain, total);
            l->block->names = g_string_sized_new(total * 24);
        }
        dom = &l->block->doms[l->n];
        dom->name = GSIZE_TO_POINTER(l->block->names->len);
        g_string_append_len(l->block->names, obj->name, strlen(obj->name) + 1);
        memcpy(dom->uuid, obj->uuid, MV_UUID_LEN);
        dom->id = id;
    }
    l->n++;
}

int
remote_dispatch_connect_list_all_domains(MvServerCall *call,
                                         remote_connect_list_all_domains_args *args,
                                         remote_connect_list_all_domains_ret *ret,
                                         GError **error)
{
    DispatchListAll l = { .flags = args->flags, .need_results = args->need_results != 0 };

    if (!qemu_dispatch_check_flags("virConnectListAllDomains", args->flags, LIST_ALL_FLAGS, error))
        return -1;
    l.block = g_new0(DispatchListBlock, 1);
    qemu_domain_list_foreach(dispatch_drv(call)->domains, dispatch_list_all_one, &l);
    if (!l.block->doms) {
        l.block->doms = g_new0(remote_nonnull_domain, 1);
        l.block->names = g_string_new(NULL);
    }
    for (guint i = 0; i < l.n && l.need_results; i++)
        l.block->doms[i].name = l.block->names->str + GPOINTER_TO_SIZE(l.block->doms[i].name);
    mv_server_call_set_ret_owner(call, dispatch_list_block_free, l.block);
    /* count, ret; per domain its name (the block holds each with its NUL,
     * so block length + 3 per name bounds the padding), uuid and id */
    mv_server_call_set_reply_size(call, 8 + (l.need_results
                                             ? l.block->names->len + l.n * (4 + 3 + MV_UUID_LEN + 4)
                                             : 0));
    if (l.need_results) {
        ret->domains.domains_val = l.block->doms;
        ret->domains.domains_len = l.n;
    }
    ret->ret = l.n;
    return 0;
}

int
remote_dispatch_connect_num_of_domains(MvServerCall *call,
                                       remote_connect_num_of_domains_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) all = qemu_domain_list_all(dispatch_drv(call)->domains);

    for (guint i = 0; i < all->len; i++)
        ret->num += dispatch_list_match(g_ptr_array_index(all, i), LIST_ACTIVE);
    return 0;
}

int
remote_dispatch_connect_num_of_defined_domains(MvServerCall *call,
                                               remote_connect_num_of_defined_domains_ret *ret,
                                               GError **error)
{
    g_autoptr(GPtrArray) all = qemu_domain_list_all(dispatch_drv(call)->domains);

    for (guint i = 0; i < all->len; i++)
        ret->num += dispatch_list_match(g_ptr_array_index(all, i), LIST_INACTIVE);
    return 0;
}

int
remote_dispatch_connect_list_domains(MvServerCall *call, remote_connect_list_domains_args *args,
                                     remote_connect_list_domains_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    guint n = 0;

    if (args->maxids < 0 || args->maxids > REMOTE_DOMAIN_ID_LIST_MAX) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maxids %d out of range", args->maxids);
        return -1;
    }
    all = qemu_domain_list_all(dispatch_drv(call)->domains);
    ret->ids.ids_val = g_new0(int, args->maxids ? args->maxids : 1);
    for (guint i = 0; i < all->len && n < (guint)args->maxids; i++) {
        QemuDomainObj *obj = g_ptr_array_index(all, i);

        g_mutex_lock(&obj->lock);
        if (qemu_domain_obj_is_active(obj))
            ret->ids.ids_val[n++] = obj->def->id;
        g_mutex_unlock(&obj->lock);
    }
    ret->ids.ids_len = n;
    return 0;
}

int
remote_dispatch_connect_list_defined_domains(MvServerCall *call,
                                             remote_connect_list_defined_domains_args *args,
                                             remote_connect_list_defined_domains_ret *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    guint n = 0;

    if (args->maxnames < 0 || args->maxnames > REMOTE_DOMAIN_NAME_LIST_MAX) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maxnames %d out of range", args->maxnames);
        return -1;
    }
    all = qemu_domain_list_all(dispatch_drv(call)->domains);
    ret->names.names_val = g_new0(char *, args->maxnames ? args->maxnames : 1);
    for (guint i = 0; i < all->len && n < (guint)args->maxnames; i++) {
        QemuDomainObj *obj = g_ptr_array_index(all, i);

        if (dispatch_list_match(obj, LIST_INACTIVE))
            ret->names.names_val[n++] = g_strdup(obj->name);
    }
    ret->names.names_len = n;
    return 0;
}

/* ---- define / undefine ----------------------------------------------------------- */

/* Under the define lock: nothing else adds, removes or redefines meanwhile. */
static QemuDomainObj *
dispatch_define_locked(QemuDriver *drv, DomainDef *new_def, GError **error)
{
    g_autoptr(DomainDef) def = new_def;
    g_autoptr(QemuDomainObj) obj = NULL;
    g_autoptr(QemuDomainObj) other = NULL;
    char uuid[37];
    DomainDef *old;
    gboolean active;

    obj = qemu_domain_list_find_by_uuid(drv->domains, def->uuid, NULL);
    other = qemu_domain_list_find_by_name(drv->domains, def->name, NULL);
    if (obj && !g_str_equal(obj->name, def->name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", obj->name,
                     mv_uuid_format(obj->uuid, uuid));
        return NULL;
    }
    if (!obj && other) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", def->name,
                     mv_uuid_format(other->uuid, uuid));
        return NULL;
    }
    /* On disk first: nothing changes in memory if that fails. */
    if (!qemu_conf_save_config(drv, def, error))
        return NULL;
    if (!obj) {
        obj = qemu_domain_list_add(drv->domains, g_steal_pointer(&def), TRUE, error);
        if (!obj)
            return NULL;
        qemu_event_lifecycle(drv, obj, QEMU_EVENT_DEFINED, QEMU_EVENT_DEFINED_ADDED);
        return g_steal_pointer(&obj);
    }
    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    if (active) {
        old = obj->new_def;
        obj->new_def = g_steal_pointer(&def);
    } else {
        old = obj->def;
        obj->def = g_steal_pointer(&def);
    }
    obj->persistent = TRUE;
    g_mutex_unlock(&obj->lock);
    domain_def_free(old);
    qemu_event_lifecycle(drv, obj, QEMU_EVENT_DEFINED, QEMU_EVENT_DEFINED_UPDATED);
    return g_steal_pointer(&obj);
}

static QemuDomainObj *
dispatch_define(QemuDriver *drv, const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(DomainDef) def = NULL;
    QemuDomainObj *obj;

    def = domain_def_parse_string(xml, &drv->xmlopts,
                                  DOMAIN_PARSE_INACTIVE |
                                  ((flags & DEFINE_VALIDATE) ? DOMAIN_PARSE_VALIDATE : 0),
                                  error);
    if (!def || !domain_def_validate(def, &drv->xmlopts, error))
        return NULL;
    if (def->virt_type != DOMAIN_VIRT_KVM && def->virt_type != DOMAIN_VIRT_QEMU) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "domain type '%s' is not supported by the QEMU driver (use kvm or qemu)",
                     domain_virt_to_string(def->virt_type));
        return NULL;
    }
    /* the driver's defaults are part of what is persisted */
    if (!qemu_postparse_define(drv, def, error))
        return NULL;
    g_mutex_lock(&drv->define_lock);
    obj = dispatch_define_locked(drv, g_steal_pointer(&def), error);
    g_mutex_unlock(&drv->define_lock);
    return obj;
}

int
remote_dispatch_domain_define_xml(MvServerCall *call, remote_domain_define_xml_args *args,
                                  remote_domain_define_xml_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = dispatch_define(dispatch_drv(call), args->xml, 0, error);

    if (!obj)
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

int
remote_dispatch_domain_define_xml_flags(MvServerCall *call,
                                        remote_domain_define_xml_flags_args *args,
                                        remote_domain_define_xml_flags_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;

    if (!qemu_dispatch_check_flags("virDomainDefineXMLFlags", args->flags, DEFINE_VALIDATE,
                                   error))
        return -1;
    if (!(obj = dispatch_define(dispatch_drv(call), args->xml, args->flags, error)))
        return -1;
    qemu_dispatch_make_domain(obj, &ret->dom);
    return 0;
}

static int
dispatch_undefine(QemuDriver *drv, const remote_nonnull_domain *dom, unsigned int flags,
                  GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    gboolean active;
    int ret = -1;

    if (!qemu_dispatch_check_flags("virDomainUndefineFlags", flags, UNDEFINE_ALL_FLAGS, error) ||
        !(obj = qemu_dispatch_get_domain(drv, dom, error)) ||
        !qemu_domain_obj_begin_job(obj, "undefine", 0, error))
        return -1;
    g_mutex_lock(&drv->define_lock);
    g_mutex_lock(&obj->lock);
    if (!obj->persistent) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot undefine transient domain");
        goto out;
    }
    g_mutex_unlock(&obj->lock);
    if (!qemu_conf_delete_config(drv, obj->name, error))
        goto out;
    g_mutex_lock(&obj->lock);
    active = qemu_domain_obj_is_active(obj);
    obj->persistent = FALSE;
    obj->autostart = FALSE;
    g_clear_pointer(&obj->new_def, domain_def_free);
    g_mutex_unlock(&obj->lock);
    if (!active)
        qemu_domain_list_remove(drv->domains, obj);
    else
        qemu_conf_save_status(drv, obj, NULL);
    qemu_event_lifecycle(drv, obj, QEMU_EVENT_UNDEFINED, QEMU_EVENT_UNDEFINED_REMOVED);
    ret = 0;
 out:
    g_mutex_unlock(&drv->define_lock);
    qemu_domain_obj_end_job(obj);
    return ret;
}

int
remote_dispatch_domain_undefine(MvServerCall *call, remote_domain_undefine_args *args,
                                GError **error)
{
    return dispatch_undefine(dispatch_drv(call), &args->dom, 0, error);
}

int
remote_dispatch_domain_undefine_flags(MvServerCall *call,
                                      remote_domain_undefine_flags_args *args, GError **error)
{
    return dispatch_undefine(dispatch_drv(call), &args->dom, args->flags, error);
}

/* ---- what a domain reports ---------------------------------------------------- */

int
remote_dispatch_domain_get_info(MvServerCall *call, remote_domain_get_info_args *args,
                                remote_domain_get_info_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);
    pid_t pid;

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->state = obj->state;
    ret->maxMem = obj->def->max_memory_kib;
    ret->memory = obj->def->cur_memory_kib ? obj->def->cur_memory_kib
                                           : obj->def->max_memory_kib;
    ret->nrVirtCpu = obj->def->vcpus_current ? obj->def->vcpus_current : obj->def->vcpus_max;
    pid = obj->pid;
    g_mutex_unlock(&obj->lock);
    ret->cpuTime = pid > 0 ? qemu_process_cpu_time(pid) : 0;
    return 0;
}

int
remote_dispatch_domain_get_state(MvServerCall *call, remote_domain_get_state_args *args,
                                 remote_domain_get_state_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;

    if (!qemu_dispatch_check_flags("virDomainGetState", args->flags, 0, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    ret->state = obj->state;
    ret->reason = obj->reason;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_get_xml_desc(MvServerCall *call, remote_domain_get_xml_desc_args *args,
                                    remote_domain_get_xml_desc_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    unsigned int fmt = 0;

    if (!qemu_dispatch_check_flags("virDomainGetXMLDesc", args->flags,
                                   XML_SECURE | XML_INACTIVE | XML_UPDATE_CPU | XML_MIGRATABLE,
                                   error))
        return -1;
    if ((args->flags & XML_SECURE) &&
        mv_server_client_is_readonly(mv_server_call_get_client(call))) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                     "virDomainGetXMLDesc with secure flag");
        return -1;
    }
    if (!(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    if (args->flags & XML_SECURE)
        fmt |= DOMAIN_FORMAT_SECURE;
    if (args->flags & XML_MIGRATABLE)
        fmt |= DOMAIN_FORMAT_MIGRATABLE;
    g_mutex_lock(&obj->lock);
    if ((args->flags & XML_INACTIVE) || !qemu_domain_obj_is_active(obj))
        ret->xml = domain_def_format(qemu_domain_obj_persistent_def(obj),
                                     fmt | DOMAIN_FORMAT_INACTIVE);
    else
        ret->xml = domain_def_format(obj->def, fmt);
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_get_autostart(MvServerCall *call, remote_domain_get_autostart_args *args,
                                     remote_domain_get_autostart_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->autostart = obj->autostart;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_set_autostart(MvServerCall *call, remote_domain_set_autostart_args *args,
                                     GError **error)
{
    QemuDriver *drv = dispatch_drv(call);
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(drv, &args->dom, error);
    gboolean persistent;

    if (!obj)
        return -1;
    g_mutex_lock(&drv->define_lock);
    g_mutex_lock(&obj->lock);
    persistent = obj->persistent && !obj->removed;
    g_mutex_unlock(&obj->lock);
    if (!persistent) {
        g_mutex_unlock(&drv->define_lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
        return -1;
    }
    if (!qemu_conf_set_autostart(drv, obj->name, args->autostart != 0, error)) {
        g_mutex_unlock(&drv->define_lock);
        return -1;
    }
    g_mutex_lock(&obj->lock);
    obj->autostart = args->autostart != 0;
    g_mutex_unlock(&obj->lock);
    g_mutex_unlock(&drv->define_lock);
    return 0;
}

int
remote_dispatch_domain_is_active(MvServerCall *call, remote_domain_is_active_args *args,
                                 remote_domain_is_active_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->active = qemu_domain_obj_is_active(obj);
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_is_persistent(MvServerCall *call, remote_domain_is_persistent_args *args,
                                     remote_domain_is_persistent_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->persistent = obj->persistent;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_get_max_memory(MvServerCall *call,
                                      remote_domain_get_max_memory_args *args,
                                      remote_domain_get_max_memory_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->memory = obj->def->max_memory_kib;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_get_os_type(MvServerCall *call, remote_domain_get_os_type_args *args,
                                   remote_domain_get_os_type_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    ret->type = g_strdup(obj->def->os.type ? obj->def->os.type : "hvm");
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_get_vcpus_flags(MvServerCall *call,
                                       remote_domain_get_vcpus_flags_args *args,
                                       remote_domain_get_vcpus_flags_ret *ret, GError **error)
{
    /* VIR_DOMAIN_AFFECT_LIVE 1, CONFIG 2, VCPU_MAXIMUM 4, VCPU_GUEST 8 */
    g_autoptr(QemuDomainObj) obj = NULL;
    const DomainDef *def;

    if (!qemu_dispatch_check_flags("virDomainGetVcpusFlags", args->flags,
                                   AFFECT_LIVE | AFFECT_CONFIG | 4, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    def = (args->flags & AFFECT_CONFIG) ? qemu_domain_obj_persistent_def(obj) : obj->def;
    if ((args->flags & AFFECT_LIVE) && !qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    ret->num = (args->flags & 4) || !def->vcpus_current ? def->vcpus_max : def->vcpus_current;
    g_mutex_unlock(&obj->lock);
    return 0;
}

int
remote_dispatch_domain_has_managed_save_image(MvServerCall *call,
                                              remote_domain_has_managed_save_image_args *args,
                                              remote_domain_has_managed_save_image_ret *ret,
                                              GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;

    if (!qemu_dispatch_check_flags("virDomainHasManagedSaveImage", args->flags, 0, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    /* modvirt does not save domains. */
    ret->result = 0;
    return 0;
}

int
remote_dispatch_domain_managed_save_remove(MvServerCall *call,
                                           remote_domain_managed_save_remove_args *args,
                                           GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;

    if (!qemu_dispatch_check_flags("virDomainManagedSaveRemove", args->flags, 0, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    return 0;
}

int
remote_dispatch_domain_snapshot_num(MvServerCall *call, remote_domain_snapshot_num_args *args,
                                    remote_domain_snapshot_num_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    ret->num = 0;
    return 0;
}

int
remote_dispatch_domain_get_security_label(MvServerCall *call,
                                          remote_domain_get_security_label_args *args,
                                          remote_domain_get_security_label_ret *ret,
                                          GError **error)
{
    g_autoptr(QemuDomainObj) obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom,
                                                            error);

    if (!obj)
        return -1;
    /* No security driver: an empty label. */
    ret->label.label_len = 1;
    ret->label.label_val = g_new0(char, 1);
    ret->enforcing = 0;
    return 0;
}

int
remote_dispatch_domain_get_messages(MvServerCall *call, remote_domain_get_messages_args *args,
                                    remote_domain_get_messages_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    g_autofree char *what = NULL;
    gboolean unknown;

    /* VIR_DOMAIN_MESSAGE_DEPRECATION 1, TAINTING 2 */
    if (!qemu_dispatch_check_flags("virDomainGetMessages", args->flags, 3, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    unknown = domain_def_has_unknown(obj->def, &what);
    g_mutex_unlock(&obj->lock);
    ret->msgs.msgs_val = g_new0(char *, 1);
    if (unknown && (args->flags == 0 || (args->flags & 2))) {
        ret->msgs.msgs_val[0] = g_strdup_printf("tainted: XML modvirt does not interpret "
                                                "is kept verbatim (%s)", what);
        ret->msgs.msgs_len = 1;
    }
    return 0;
}

static char *
dispatch_metadata_element(const char *metadata, const char *uri)
{
    g_autofree char *wrapped = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    if (!metadata || !uri)
        return NULL;
    wrapped = g_strdup_printf("<metadata>%s</metadata>", metadata);
    if (!(doc = xml_parse_string(wrapped, "metadata", "metadata", NULL)))
        return NULL;
    for (xmlNode *c = xmlDocGetRootElement(doc)->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            g_str_equal((const char *)c->ns->href, uri))
            return xml_node_to_string(c);
    }
    return NULL;
}

int
remote_dispatch_domain_get_metadata(MvServerCall *call, remote_domain_get_metadata_args *args,
                                    remote_domain_get_metadata_ret *ret, GError **error)
{
    g_autoptr(QemuDomainObj) obj = NULL;
    const DomainDef *def;
    char *value = NULL;

    if (!qemu_dispatch_check_flags("virDomainGetMetadata", args->flags,
                                   AFFECT_LIVE | AFFECT_CONFIG, error) ||
        !(obj = qemu_dispatch_get_domain(dispatch_drv(call), &args->dom, error)))
        return -1;
    if (args->type == METADATA_ELEMENT && (!args->uri || !*args->uri)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                     "a namespace URI is required for metadata elements");
        return -1;
    }
    g_mutex_lock(&obj->lock);
    def = (args->flags & AFFECT_CONFIG) ? qemu_domain_obj_persistent_def(obj) : obj->def;
    switch (args->type) {
    case METADATA_DESCRIPTION:
        value = g_strdup(def->description);
        break;
    case METADATA_TITLE:
        value = g_strdup(def->title);
        break;
    case METADATA_ELEMENT:
        value = dispatch_metadata_element(def->metadata, *args->uri);
        break;
    default:
        g_mutex_unlock(&obj->lock);
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG, "unknown metadata type %d",
                     args->type);
        return -1;
    }
    g_mutex_unlock(&obj->lock);
    if (!value) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_NO_DOMAIN_METADATA,
                     "Requested metadata element is not present");
        return -1;
    }
    ret->metadata = value;
    return 0;
}
