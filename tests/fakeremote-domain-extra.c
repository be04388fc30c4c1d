/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote-domain-extra.c: the fake remote server's domain statistics,
 * event registrations and consoles.
 */
#include <config.h>

#include <string.h>

#include "fakeremote-priv.h"
#include "util/uuid.h"

#define HANDLER(name) \
    static int name(MvServerCall *call, void *a, void *r, GError **error)
#define LOCKED(fr) \
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(fr)->lock)

static FakeDom *
extra_dom_find(FakeRemote *fr, const remote_nonnull_domain *rdom, GError **error)
{
    for (guint i = 0; i < fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (memcmp(dom->uuid, rdom->uuid, 16) == 0)
            return dom;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN, "no domain with matching name '%s'",
                 rdom->name);
    return NULL;
}

/* ---- statistics ---------------------------------------------------------- */

static remote_typed_param *
stats_add(GArray *params, const char *field, int type)
{
    remote_typed_param p = { 0 };

    p.field = g_strdup(field);
    p.value.type = type;
    g_array_append_val(params, p);
    return &g_array_index(params, remote_typed_param, params->len - 1);
}

static void
stats_fill(FakeDom *dom, unsigned int stats, GArray *params)
{
    gboolean all = stats == 0;

    if (all || (stats & 1)) {
        stats_add(params, "state.state", 1)->value.remote_typed_param_value_u.i = dom->state;
        stats_add(params, "state.reason", 1)->value.remote_typed_param_value_u.i = dom->reason;
    }
    if (all || (stats & 2))
        stats_add(params, "cpu.time", 4)->value.remote_typed_param_value_u.ul =
            dom->id != -1 ? 1500000000ULL * dom->id : 0;
    if ((all || (stats & 4)) && dom->id != -1) {
        stats_add(params, "balloon.current", 4)->value.remote_typed_param_value_u.ul =
            dom->memory / 2;
        stats_add(params, "balloon.maximum", 4)->value.remote_typed_param_value_u.ul =
            dom->memory;
    }
    if (all || (stats & 8)) {
        stats_add(params, "vcpu.current", 2)->value.remote_typed_param_value_u.ui = dom->vcpus;
        stats_add(params, "vcpu.maximum", 2)->value.remote_typed_param_value_u.ui = dom->vcpus;
    }
    if (all || (stats & 1024)) {
        stats_add(params, "vm.fake.name", 7)->value.remote_typed_param_value_u.s =
            g_strdup(dom->name);
        stats_add(params, "vm.fake.autostart", 6)->value.remote_typed_param_value_u.b =
            dom->autostart;
        stats_add(params, "vm.fake.ratio", 5)->value.remote_typed_param_value_u.d = 0.25;
        stats_add(params, "vm.fake.delta", 3)->value.remote_typed_param_value_u.l = -3;
    }
}

static void
stats_record(FakeDom *dom, unsigned int stats, remote_domain_stats_record *rec)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(remote_typed_param));

    rec->dom.name = g_strdup(dom->name);
    memcpy(rec->dom.uuid, dom->uuid, 16);
    rec->dom.id = dom->id;
    stats_fill(dom, stats, params);
    rec->params.params_len = params->len;
    rec->params.params_val = (remote_typed_param *)g_array_free(params, params->len == 0);
}

static gboolean
stats_matches(FakeDom *dom, unsigned int flags)
{
    gboolean active = dom->id != -1;

    if ((flags & 3) && !((flags & 1 && active) || (flags & 2 && !active)))
        return FALSE;
    if ((flags & 12) && !((flags & 4 && dom->persistent) || (flags & 8 && !dom->persistent)))
        return FALSE;
    if ((flags & 240) && !((flags & 16 && dom->state == 1) || (flags & 32 && dom->state == 3) ||
                           (flags & 64 && dom->state == 5) ||
                           (flags & 128 && dom->state != 1 && dom->state != 3 &&
                            dom->state != 5)))
        return FALSE;
    return TRUE;
}

HANDLER(h_get_all_domain_stats)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_get_all_domain_stats_args *args = a;
    remote_connect_get_all_domain_stats_ret *ret = r;
    LOCKED(fr);
    u_int n = args->doms.doms_len ? args->doms.doms_len : fr->doms->len;

    if (args->doms.doms_len && (args->flags & 0xff)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                     "filters are not allowed with a list of domains");
        return -1;
    }
    ret->retStats.retStats_val = g_new0(remote_domain_stats_record, n + 1);
    for (u_int i = 0; i < n; i++) {
        FakeDom *dom;

        if (args->doms.doms_len) {
            if (!(dom = extra_dom_find(fr, &args->doms.doms_val[i], error)))
                return -1;
        } else {
            dom = g_ptr_array_index(fr->doms, i);
            if (!stats_matches(dom, args->flags))
                continue;
        }
        stats_record(dom, args->stats,
                     &ret->retStats.retStats_val[ret->retStats.retStats_len++]);
    }
    return 0;
}

/* ---- events ------------------------------------------------------------------ */

HANDLER(h_event_register)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_domain_event_callback_register_any_args *args = a;
    LOCKED(fr);

    if (args->eventID < 0 || args->eventID > 26) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG, "unsupported event ID %d",
                     args->eventID);
        return -1;
    }
    if (args->dom && !extra_dom_find(fr, args->dom, error))
        return -1;
    ((remote_connect_domain_event_callback_register_any_ret *)r)->callbackID =
        fake_event_register(fr, mv_server_call_get_client(call), FAKE_EV_DOMAIN, args->eventID,
                            args->dom ? (unsigned char *)args->dom->uuid : NULL);
    return 0;
}

HANDLER(h_event_deregister)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_domain_event_callback_deregister_any_args *args = a;
    LOCKED(fr);

    return fake_event_deregister(fr, mv_server_call_get_client(call), FAKE_EV_DOMAIN,
                                 args->callbackID, error) ? 0 : -1;
}

/* ---- consoles: an echoing serial line ------------------------------------------------ */

typedef struct {
    FakeRemote *fr;
    unsigned char uuid[16];
    char *name;
} ConsoleCtx;

static void
console_ctx_free(gpointer data)
{
    ConsoleCtx *ctx = data;

    g_free(ctx->name);
    g_free(ctx);
}

static gboolean
console_recv(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque,
             GError **error)
{
    mv_server_stream_send_data(st, data, len);
    return TRUE;
}

/* The session ended: forget it, if it still is the domain's. */
static void
console_release(MvServerStream *st, ConsoleCtx *ctx)
{
    LOCKED(ctx->fr);

    for (guint i = 0; i < ctx->fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(ctx->fr->doms, i);

        if (memcmp(dom->uuid, ctx->uuid, 16) == 0 && dom->console == st)
            g_clear_pointer(&dom->console, mv_server_stream_unref);
    }
}

static gboolean
console_finish(MvServerStream *st, gpointer opaque, GError **error)
{
    console_release(st, opaque);
    return TRUE;
}

static void
console_abort(MvServerStream *st, gpointer opaque)
{
    console_release(st, opaque);
}

static void
console_start(MvServerStream *st, gpointer opaque)
{
    ConsoleCtx *ctx = opaque;
    g_autofree char *banner = g_strdup_printf("Fake console of %s\r\n", ctx->name);

    mv_server_stream_send_data(st, banner, strlen(banner));
}

static const MvServerStreamOps console_ops = {
    .recv = console_recv,
    .finish = console_finish,
    .abort = console_abort,
    .start = console_start,
    .free = console_ctx_free,
};

HANDLER(h_open_console)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_open_console_args *args = a;
    LOCKED(fr);
    FakeDom *dom = extra_dom_find(fr, &args->dom, error);
    ConsoleCtx *ctx;

    if (!dom)
        return -1;
    if (dom->id == -1) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    if (args->dev_name && !g_str_equal(*args->dev_name, "serial0")) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "cannot find character device %s", *args->dev_name);
        return -1;
    }
    if (dom->console && !(args->flags & 1)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "Active console session exists for this domain");
        return -1;
    }
    if (dom->console) {
        GError *taken = NULL;

        mv_error_set(&taken, MV_FROM_STREAMS, MV_ERR_OPERATION_FAILED,
                     "console taken over by another session");
        mv_server_stream_send_error(dom->console, taken);
        g_error_free(taken);
        g_clear_pointer(&dom->console, mv_server_stream_unref);
    }
    ctx = g_new0(ConsoleCtx, 1);
    ctx->fr = fr;
    memcpy(ctx->uuid, dom->uuid, 16);
    ctx->name = g_strdup(dom->name);
    dom->console = mv_server_stream_ref(mv_server_call_open_stream(call, &console_ops, ctx,
                                                                   FALSE));
    return 0;
}

void
fake_domain_register_more(FakeRemote *fr)
{
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, h_get_all_domain_stats,
              remote_connect_get_all_domain_stats_args, remote_connect_get_all_domain_stats_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, h_event_register,
              remote_connect_domain_event_callback_register_any_args,
              remote_connect_domain_event_callback_register_any_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                    h_event_deregister, remote_connect_domain_event_callback_deregister_any_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, h_open_console,
                    remote_domain_open_console_args);
}
