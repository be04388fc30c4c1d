/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote.c: the fake remote server's frame: the server and its thread,
 * the connection handshake, call counting, event registrations, objects.
 */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "fakeremote-priv.h"

/* ---- calls ------------------------------------------------------------- */

static gboolean
fake_is_handshake(int proc)
{
    switch (proc) {
    case REMOTE_PROC_AUTH_LIST:
    case REMOTE_PROC_CONNECT_OPEN:
    case REMOTE_PROC_CONNECT_CLOSE:
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
    case REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK:
    case REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK:
        return TRUE;
    default:
        return FALSE;
    }
}

FakeRemote *
fake_enter(MvServerCall *call)
{
    MvServerClient *client = mv_server_call_get_client(call);
    FakeRemote *fr = mv_server_get_opaque(mv_server_client_get_server(client));
    int proc = mv_server_call_get_header(call)->proc;

    if (proc >= 0 && proc < FAKE_NPROCS)
        g_atomic_int_inc(&fr->calls[proc]);
    if (g_atomic_int_get(&fr->call_log_fd) >= 0) {
        g_autofree char *line = g_strdup_printf("call %d\n", proc);

        (void)!write(fr->call_log_fd, line, strlen(line));
    }
    return fr;
}

guint
fake_remote_calls(FakeRemote *fr, int proc)
{
    return g_atomic_int_get(&fr->calls[proc]);
}

guint
fake_remote_calls_total(FakeRemote *fr)
{
    guint n = 0;

    for (int i = 0; i < FAKE_NPROCS; i++) {
        if (!fake_is_handshake(i))
            n += g_atomic_int_get(&fr->calls[i]);
    }
    return n;
}

void
fake_remote_reset_calls(FakeRemote *fr)
{
    for (int i = 0; i < FAKE_NPROCS; i++)
        g_atomic_int_set(&fr->calls[i], 0);
}

void
fake_remote_set_call_log(FakeRemote *fr, int fd)
{
    g_atomic_int_set(&fr->call_log_fd, fd);
}

void
fake_proc(FakeRemote *fr, int proc, MvServerProcFunc func, xdrproc_t args_filter,
          gsize args_size, xdrproc_t ret_filter, gsize ret_size)
{
    MvServerProc *p = &fr->procs[proc];

    p->func = func;
    p->args_filter = args_filter;
    p->args_size = args_size;
    p->ret_filter = ret_filter;
    p->ret_size = ret_size;
    p->flags = MV_PROC_KNOWN | MV_PROC_PRIORITY;
    if (fake_is_handshake(proc))
        p->flags |= MV_PROC_PREOPEN;
}

void
fake_remote_disable_proc(FakeRemote *fr, int proc)
{
    if (proc >= 0 && proc < FAKE_NPROCS)
        fr->procs[proc].func = NULL;
}

/* ---- the handshake ------------------------------------------------------ */

static int
fake_auth_list(MvServerCall *call, void *a, void *r, GError **error)
{
    remote_auth_list_ret *ret = r;

    fake_enter(call);
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

static int
fake_supports_feature(MvServerCall *call, void *a, void *r, GError **error)
{
    remote_connect_supports_feature_args *args = a;
    remote_connect_supports_feature_ret *ret = r;

    fake_enter(call);
    ret->supported = args->feature == 8 || args->feature == 9 || args->feature == 10 ||
                     args->feature == 14 || args->feature == 15;
    return 0;
}

static int
fake_open(MvServerCall *call, void *a, void *r, GError **error)
{
    fake_enter(call);
    mv_server_client_set_opened(mv_server_call_get_client(call), TRUE);
    return 0;
}

static int
fake_close(MvServerCall *call, void *a, void *r, GError **error)
{
    fake_enter(call);
    mv_server_call_close_after_reply(call);
    return 0;
}

static int
fake_void(MvServerCall *call, void *a, void *r, GError **error)
{
    fake_enter(call);
    return 0;
}

static int
fake_get_uri(MvServerCall *call, void *a, void *r, GError **error)
{
    remote_connect_get_uri_ret *ret = r;

    fake_enter(call);
    ret->uri = g_strdup("qemu:///system");
    return 0;
}

static int
fake_get_type(MvServerCall *call, void *a, void *r, GError **error)
{
    remote_connect_get_type_ret *ret = r;

    fake_enter(call);
    ret->type = g_strdup("QEMU");
    return 0;
}

static void
fake_handshake_register(FakeRemote *fr)
{
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_AUTH_LIST, fake_auth_list, remote_auth_list_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, fake_supports_feature,
              remote_connect_supports_feature_args, remote_connect_supports_feature_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_CONNECT_OPEN, fake_open, remote_connect_open_args);
    fake_proc(fr, REMOTE_PROC_CONNECT_CLOSE, fake_close, NULL, 0, NULL, 0);
    fake_proc(fr, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, fake_void, NULL, 0, NULL, 0);
    fake_proc(fr, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, fake_void, NULL, 0, NULL, 0);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_GET_URI, fake_get_uri, remote_connect_get_uri_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_GET_TYPE, fake_get_type,
                     remote_connect_get_type_ret);
}

/* ---- events --------------------------------------------------------------- */

static void
fake_reg_free(gpointer data)
{
    FakeReg *reg = data;

    mv_server_client_unref(reg->client);
    g_free(reg);
}

int
fake_event_register(FakeRemote *fr, MvServerClient *client, FakeEventKind kind, int event_id,
                    const unsigned char *uuid)
{
    FakeReg *reg = g_new0(FakeReg, 1);

    reg->client = mv_server_client_ref(client);
    reg->kind = kind;
    reg->event_id = event_id;
    reg->callback_id = fr->next_callback_id++;
    if (uuid) {
        reg->filtered = TRUE;
        memcpy(reg->uuid, uuid, 16);
    }
    g_ptr_array_add(fr->regs, reg);
    return reg->callback_id;
}

gboolean
fake_event_deregister(FakeRemote *fr, MvServerClient *client, FakeEventKind kind,
                      int callback_id, GError **error)
{
    for (guint i = 0; i < fr->regs->len; i++) {
        FakeReg *reg = g_ptr_array_index(fr->regs, i);

        if (reg->client == client && reg->kind == kind && reg->callback_id == callback_id) {
            g_ptr_array_remove_index(fr->regs, i);
            return TRUE;
        }
    }
    mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "callback %d not registered", callback_id);
    return FALSE;
}

typedef void (*FakeSendFunc)(FakeReg *reg, gpointer data);

static void
fake_emit(FakeRemote *fr, FakeEventKind kind, int event_id, const unsigned char *uuid,
          FakeSendFunc send, gpointer data)
{
    for (guint i = 0; i < fr->regs->len; i++) {
        FakeReg *reg = g_ptr_array_index(fr->regs, i);

        if (reg->kind != kind || reg->event_id != event_id ||
            mv_server_client_is_closed(reg->client) ||
            (reg->filtered && memcmp(reg->uuid, uuid, 16) != 0))
            continue;
        send(reg, data);
    }
}

static void
fake_domain_to_remote(FakeDom *dom, remote_nonnull_domain *out)
{
    out->name = dom->name;
    memcpy(out->uuid, dom->uuid, 16);
    out->id = dom->id;
}

static void
fake_send_lifecycle(FakeReg *reg, gpointer data)
{
    remote_domain_event_callback_lifecycle_msg *msg = data;

    msg->callbackID = reg->callback_id;
    mv_server_client_send_event(reg->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, msg);
}

void
fake_emit_domain_lifecycle(FakeRemote *fr, FakeDom *dom, int event, int detail)
{
    remote_domain_event_callback_lifecycle_msg msg = { 0 };

    fake_domain_to_remote(dom, &msg.msg.dom);
    msg.msg.event = event;
    msg.msg.detail = detail;
    fake_emit(fr, FAKE_EV_DOMAIN, 0, dom->uuid, fake_send_lifecycle, &msg);
}

static void
fake_send_reboot(FakeReg *reg, gpointer data)
{
    remote_domain_event_callback_reboot_msg *msg = data;

    msg->callbackID = reg->callback_id;
    mv_server_client_send_event(reg->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                                (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, msg);
}

void
fake_emit_domain_reboot(FakeRemote *fr, FakeDom *dom)
{
    remote_domain_event_callback_reboot_msg msg = { 0 };

    fake_domain_to_remote(dom, &msg.msg.dom);
    fake_emit(fr, FAKE_EV_DOMAIN, 1, dom->uuid, fake_send_reboot, &msg);
}

static void
fake_send_pool_lifecycle(FakeReg *reg, gpointer data)
{
    remote_storage_pool_event_lifecycle_msg *msg = data;

    msg->callbackID = reg->callback_id;
    mv_server_client_send_event(reg->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                (xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg, msg);
}

void
fake_emit_pool_lifecycle(FakeRemote *fr, FakePool *pool, int event)
{
    remote_storage_pool_event_lifecycle_msg msg = { 0 };

    msg.pool.name = pool->name;
    memcpy(msg.pool.uuid, pool->uuid, 16);
    msg.event = event;
    fake_emit(fr, FAKE_EV_POOL, 0, pool->uuid, fake_send_pool_lifecycle, &msg);
}

static void
fake_send_pool_refresh(FakeReg *reg, gpointer data)
{
    remote_storage_pool_event_refresh_msg *msg = data;

    msg->callbackID = reg->callback_id;
    mv_server_client_send_event(reg->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                                REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                (xdrproc_t)xdr_remote_storage_pool_event_refresh_msg, msg);
}

void
fake_emit_pool_refresh(FakeRemote *fr, FakePool *pool)
{
    remote_storage_pool_event_refresh_msg msg = { 0 };

    msg.pool.name = pool->name;
    memcpy(msg.pool.uuid, pool->uuid, 16);
    fake_emit(fr, FAKE_EV_POOL, 1, pool->uuid, fake_send_pool_refresh, &msg);
}

/* A UUID derived from @kind and @name, so that two fake servers populated
 * alike hold the same objects (mvsh and virsh then print the same). */
static void
fake_uuid_for(const char *kind, const char *name, unsigned char uuid[16])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_MD5);
    gsize len = 16;

    g_checksum_update(sum, (const guchar *)kind, -1);
    g_checksum_update(sum, (const guchar *)name, -1);
    g_checksum_get_digest(sum, uuid, &len);
}

/* ---- objects ----------------------------------------------------------------- */

void
fake_dom_free(gpointer data)
{
    FakeDom *dom = data;

    if (dom->console)
        mv_server_stream_unref(dom->console);
    g_free(dom->name);
    g_free(dom->title);
    g_free(dom);
}

void
fake_vol_free(gpointer data)
{
    FakeVol *vol = data;

    g_hash_table_unref(vol->blocks);
    g_free(vol->name);
    g_free(vol->key);
    g_free(vol->path);
    g_free(vol);
}

void
fake_pool_free(gpointer data)
{
    FakePool *pool = data;

    g_ptr_array_unref(pool->vols);
    g_free(pool->name);
    g_free(pool->type);
    g_free(pool->target);
    g_free(pool);
}

FakeDom *
fake_dom_add(FakeRemote *fr, const char *name, unsigned long long memory, unsigned int vcpus,
             const char *title)
{
    FakeDom *dom = g_new0(FakeDom, 1);

    dom->name = g_strdup(name);
    fake_uuid_for("domain:", name, dom->uuid);
    dom->id = -1;
    dom->state = 5;
    dom->persistent = TRUE;
    dom->memory = memory;
    dom->vcpus = vcpus;
    dom->title = g_strdup(title);
    g_ptr_array_add(fr->doms, dom);
    return dom;
}

FakePool *
fake_pool_add(FakeRemote *fr, const char *name, const char *type, const char *target)
{
    FakePool *pool = g_new0(FakePool, 1);

    pool->name = g_strdup(name);
    fake_uuid_for("pool:", name, pool->uuid);
    pool->type = g_strdup(type ? type : "dir");
    pool->target = g_strdup(target ? target : "/fake");
    pool->persistent = TRUE;
    pool->vols = g_ptr_array_new_with_free_func(fake_vol_free);
    g_ptr_array_add(fr->pools, pool);
    return pool;
}

FakeVol *
fake_vol_add(FakePool *pool, const char *name, unsigned long long capacity)
{
    FakeVol *vol = g_new0(FakeVol, 1);

    vol->name = g_strdup(name);
    vol->path = g_strdup_printf("%s/%s", pool->target, name);
    /* A logical pool's keys are not paths, as with LVM. */
    if (g_str_equal(pool->type, "logical"))
        vol->key = g_strdup_printf("lvkey-%s-%s", pool->name, name);
    else
        vol->key = g_strdup(vol->path);
    vol->capacity = capacity;
    vol->blocks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_ptr_array_add(pool->vols, vol);
    return vol;
}

unsigned long long
fake_vol_allocation(FakeVol *vol)
{
    unsigned long long a = (unsigned long long)g_hash_table_size(vol->blocks) * FAKE_BLOCK;

    return MIN(a, vol->capacity);
}

char *
fake_xml_element(const char *xml, const char *tag)
{
    g_autofree char *open = g_strdup_printf("<%s", tag);
    g_autofree char *close = g_strdup_printf("</%s>", tag);
    const char *start = strstr(xml, open);
    const char *end;

    while (start && start[strlen(open)] != '>' && start[strlen(open)] != ' ')
        start = strstr(start + 1, open);
    if (!start || !(start = strchr(start, '>')) || !(end = strstr(start, close)))
        return NULL;
    return g_strstrip(g_strndup(start + 1, end - start - 1));
}

char *
fake_xml_attr(const char *xml, const char *tag, const char *attr)
{
    g_autofree char *open = g_strdup_printf("<%s", tag);
    g_autofree char *key = g_strdup_printf("%s=", attr);
    const char *start = strstr(xml, open);
    const char *end = start ? strchr(start, '>') : NULL;
    const char *p;
    char quote;

    if (!end)
        return NULL;
    p = g_strstr_len(start, end - start, key);
    if (!p)
        return NULL;
    p += strlen(key);
    quote = *p++;
    end = strchr(p, quote);
    return end ? g_strndup(p, end - p) : NULL;
}

void
fake_remote_populate(FakeRemote *fr)
{
    FakeDom *dom;
    FakePool *pool;
    FakeVol *vol;
    guint8 *block;

    g_mutex_lock(&fr->lock);
    dom = fake_dom_add(fr, "alpha", 131072, 2, "The first");
    dom->id = fr->next_dom_id++;
    dom->state = 1;
    dom->reason = 1;
    dom->autostart = TRUE;
    fake_dom_add(fr, "Bravo", 65536, 1, NULL);
    dom = fake_dom_add(fr, "charlie", 262144, 4, NULL);
    dom->id = fr->next_dom_id++;
    dom->state = 3;
    dom->reason = 1;
    fake_dom_add(fr, "delta", 65536, 1, NULL);
    pool = fake_pool_add(fr, "default", "dir", "/var/lib/fake/images");
    pool->active = TRUE;
    pool->autostart = TRUE;
    vol = fake_vol_add(pool, "disk1.img", 10 * 1024 * 1024);
    block = g_malloc0(FAKE_BLOCK);
    memset(block, 0xab, FAKE_BLOCK);
    g_hash_table_insert(vol->blocks, GUINT_TO_POINTER(3), block);
    fake_vol_add(pool, "Empty.raw", 1536 * 1024);
    fake_pool_add(fr, "spare", "dir", "/var/lib/fake/spare");
    pool = fake_pool_add(fr, "vg0", "logical", "/dev/vg0");
    pool->active = TRUE;
    fake_vol_add(pool, "lv1", 4 * 1024 * 1024);
    g_mutex_unlock(&fr->lock);
}

/* ---- the server -------------------------------------------------------------------- */

static gpointer
fake_thread(gpointer data)
{
    FakeRemote *fr = data;

    g_main_context_push_thread_default(fr->ctx);
    g_main_loop_run(fr->loop);
    g_main_context_pop_thread_default(fr->ctx);
    return NULL;
}

FakeRemote *
fake_remote_new(void)
{
    FakeRemote *fr = g_new0(FakeRemote, 1);
    MvServerConfig cfg;

    g_mutex_init(&fr->lock);
    fr->doms = g_ptr_array_new_with_free_func(fake_dom_free);
    fr->pools = g_ptr_array_new_with_free_func(fake_pool_free);
    fr->regs = g_ptr_array_new_with_free_func(fake_reg_free);
    fr->next_dom_id = 1;
    fr->next_callback_id = 1;
    fr->call_log_fd = -1;
    fake_handshake_register(fr);
    fake_domain_register(fr);
    fake_storage_register(fr);
    fr->program.prog = REMOTE_PROGRAM;
    fr->program.vers = REMOTE_PROTOCOL_VERSION;
    fr->program.procs = fr->procs;
    fr->program.nprocs = FAKE_NPROCS;
    fr->ctx = g_main_context_new();
    fr->loop = g_main_loop_new(fr->ctx, FALSE);
    mv_server_config_defaults(&cfg);
    fr->srv = mv_server_new("fakeremote", &cfg, fr->ctx);
    mv_server_set_opaque(fr->srv, fr);
    mv_server_add_program(fr->srv, &fr->program);
    fr->thread = g_thread_new("fakeremote", fake_thread, fr);
    return fr;
}

gboolean
fake_remote_listen(FakeRemote *fr, const char *path, GError **error)
{
    return mv_server_add_service_unix(fr->srv, path, 0600, FALSE, error);
}

void
fake_remote_free(FakeRemote *fr)
{
    if (!fr)
        return;
    mv_server_close(fr->srv);
    /* Handlers use @fr: none may still run once it is freed. */
    mv_server_drain(fr->srv);
    g_main_loop_quit(fr->loop);
    g_thread_join(fr->thread);
    g_ptr_array_unref(fr->regs);
    mv_server_unref(fr->srv);
    g_main_loop_unref(fr->loop);
    g_main_context_unref(fr->ctx);
    g_ptr_array_unref(fr->doms);
    g_ptr_array_unref(fr->pools);
    g_mutex_clear(&fr->lock);
    g_free(fr);
}
