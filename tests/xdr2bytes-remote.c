/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes-remote.c: vectors of the envelope (protocol.x) and of the remote
 * program (remote-protocol.x).  The values filled here are the ones written
 * in the .hex files; see xdr2bytes.h.
 */
#include <string.h>

#include <glib.h>

#include "remote-protocol.h"
#include "xdr2bytes-remote.h"
#include "xdr2bytes.h"

#define S(lit) XV_S(lit)

/*----- Envelope. -----*/

static void
build_net_header(void *obj)
{
    mv_net_message_header *h = obj;

    h->prog = REMOTE_PROGRAM;
    h->vers = REMOTE_PROTOCOL_VERSION;
    h->proc = REMOTE_PROC_CONNECT_GET_TYPE;
    h->type = MV_NET_REPLY;
    h->serial = 0x01020304;
    h->status = MV_NET_ERROR;
}

static void
eq_mv_net_message_header(const void *pa, const void *pb)
{
    const mv_net_message_header *a = pa, *b = pb;

    g_assert_cmpuint(a->prog, ==, b->prog);
    g_assert_cmpuint(a->vers, ==, b->vers);
    g_assert_cmpint(a->proc, ==, b->proc);
    g_assert_cmpint(a->type, ==, b->type);
    g_assert_cmpuint(a->serial, ==, b->serial);
    g_assert_cmpint(a->status, ==, b->status);
}

static void
eq_mv_net_message_nonnull_domain(const void *pa, const void *pb)
{
    const mv_net_message_nonnull_domain *a = pa, *b = pb;

    xv_eq_str(a->name, b->name);
    xv_eq_bytes(a->uuid, b->uuid, 16);
    g_assert_cmpint(a->id, ==, b->id);
}

static void
eq_mv_net_message_nonnull_network(const void *pa, const void *pb)
{
    const mv_net_message_nonnull_network *a = pa, *b = pb;

    xv_eq_str(a->name, b->name);
    xv_eq_bytes(a->uuid, b->uuid, 16);
}

static void
eq_mv_net_message_error(const void *pa, const void *pb)
{
    const mv_net_message_error *a = pa, *b = pb;

    g_assert_cmpint(a->code, ==, b->code);
    g_assert_cmpint(a->domain, ==, b->domain);
    xv_eq_optstr(a->message, b->message);
    g_assert_cmpint(a->level, ==, b->level);
    g_assert_true(!a->dom == !b->dom);
    if (a->dom)
        eq_mv_net_message_nonnull_domain(a->dom, b->dom);
    xv_eq_optstr(a->str1, b->str1);
    xv_eq_optstr(a->str2, b->str2);
    xv_eq_optstr(a->str3, b->str3);
    g_assert_cmpint(a->int1, ==, b->int1);
    g_assert_cmpint(a->int2, ==, b->int2);
    g_assert_true(!a->net == !b->net);
    if (a->net)
        eq_mv_net_message_nonnull_network(a->net, b->net);
}

/* What mv_message_encode_error() sends: the message, level error, -1 ints. */
static void
build_error_unknown_proc(void *obj)
{
    static char *msg = S("unknown procedure: 999");
    mv_net_message_error *e = obj;

    e->code = 39;     /* VIR_ERR_RPC */
    e->domain = 7;    /* VIR_FROM_RPC */
    e->message = &msg;
    e->level = 2;
    e->int1 = -1;
    e->int2 = -1;
}

/* Every optional member present but str3. */
static void
build_error_full(void *obj)
{
    static char *msg = S("no domain");
    static char *s1 = S("a");
    static char *s2 = S("bc");
    static mv_net_message_nonnull_domain dom = { S("demo"), { 0 }, 5 };
    static mv_net_message_nonnull_network net = { S("default"), { 0 } };
    mv_net_message_error *e = obj;

    memcpy(dom.uuid, xv_uuid, 16);
    memcpy(net.uuid, xv_uuid, 16);
    e->code = 42;     /* VIR_ERR_NO_DOMAIN */
    e->domain = 20;   /* VIR_FROM_DOMAIN */
    e->message = &msg;
    e->level = 2;
    e->dom = &dom;
    e->str1 = &s1;
    e->str2 = &s2;
    e->int1 = 7;
    e->int2 = -2;
    e->net = &net;
}

static void
build_stream_hole(void *obj)
{
    mv_net_stream_hole *h = obj;

    h->length = G_GINT64_CONSTANT(0x100000000);
    h->flags = 0;
}

static void
eq_mv_net_stream_hole(const void *pa, const void *pb)
{
    const mv_net_stream_hole *a = pa, *b = pb;

    g_assert_cmpint(a->length, ==, b->length);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

/* libvirt's DOMAIN_CREATE_XML_WITH_FILES arguments, {nstr xml_desc; u32
 * flags}: not in our protocol yet, enough to carry a *_WITH_FDS payload. */
typedef struct {
    char *xml_desc;
    u_int flags;
} xv_create_xml_args;

static bool_t
xdr_xv_create_xml_args(XDR *xdrs, xv_create_xml_args *objp)
{
    return xdr_remote_nonnull_string(xdrs, &objp->xml_desc) && xdr_u_int(xdrs, &objp->flags);
}

static void
build_create_xml_args(void *obj)
{
    xv_create_xml_args *a = obj;

    a->xml_desc = S("<domain/>");
    a->flags = 0;
}

static void
eq_xv_create_xml_args(const void *pa, const void *pb)
{
    const xv_create_xml_args *a = pa, *b = pb;

    xv_eq_str(a->xml_desc, b->xml_desc);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static const MvMessageHeader hdr_ping = {
    MV_KEEPALIVE_PROGRAM, MV_KEEPALIVE_PROTOCOL_VERSION, MV_KEEPALIVE_PROC_PING,
    MV_NET_MESSAGE, 0, MV_NET_OK
};
static const MvMessageHeader hdr_pong = {
    MV_KEEPALIVE_PROGRAM, MV_KEEPALIVE_PROTOCOL_VERSION, MV_KEEPALIVE_PROC_PONG,
    MV_NET_MESSAGE, 0, MV_NET_OK
};
static const MvMessageHeader hdr_unknown_proc_error = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 999, MV_NET_REPLY, 9, MV_NET_ERROR
};
/* A hole in a sparse STORAGE_VOL_DOWNLOAD (209) stream. */
static const MvMessageHeader hdr_stream_hole = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 209, MV_NET_STREAM_HOLE, 12, MV_NET_CONTINUE
};
/* DOMAIN_CREATE_XML_WITH_FILES (309) with two fds. */
static const MvMessageHeader hdr_create_with_fds = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 309, MV_NET_CALL_WITH_FDS, 3, MV_NET_OK
};
static const MvMessageHeader hdr_fds_over_limit = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 309, MV_NET_CALL_WITH_FDS, 3, MV_NET_OK
};

const XdrVector xdr2bytes_rpc_vectors[] = {
    XV_PAYLOAD("net-message-header", mv_net_message_header, net_header),
    XV_EMPTY("keepalive-ping", hdr_ping),
    XV_EMPTY("keepalive-pong", hdr_pong),
    XV_PACKET("net-message-error-unknown-proc", hdr_unknown_proc_error,
              mv_net_message_error, error_unknown_proc),
    XV_PAYLOAD("net-message-error-full", mv_net_message_error, error_full),
    XV_PACKET("net-stream-hole", hdr_stream_hole, mv_net_stream_hole, stream_hole),
    XV_PACKET_FDS("net-call-with-fds", hdr_create_with_fds, xv_create_xml_args,
                  create_xml_args, 2),
    XV_BAD_PACKET("net-call-with-fds-over-limit", hdr_fds_over_limit, xv_create_xml_args),
    XV_BAD("net-message-error-string-over-limit", mv_net_message_error),
    { NULL }
};

/*----- Remote program: handles and typed parameters. -----*/

void
xv_build_dom(remote_nonnull_domain *dom)
{
    dom->name = S("demo");
    memcpy(dom->uuid, xv_uuid, 16);
    dom->id = 5;
}

void
xv_eq_dom(const remote_nonnull_domain *a, const remote_nonnull_domain *b)
{
    xv_eq_str(a->name, b->name);
    xv_eq_bytes(a->uuid, b->uuid, 16);
    g_assert_cmpint(a->id, ==, b->id);
}

void
xv_build_pool(remote_nonnull_storage_pool *pool)
{
    pool->name = S("default");
    memcpy(pool->uuid, xv_uuid, 16);
}

void
xv_eq_pool(const remote_nonnull_storage_pool *a, const remote_nonnull_storage_pool *b)
{
    xv_eq_str(a->name, b->name);
    xv_eq_bytes(a->uuid, b->uuid, 16);
}

void
xv_build_vol(remote_nonnull_storage_vol *vol)
{
    vol->pool = S("default");
    vol->name = S("disk.qcow2");
    vol->key = S("/var/lib/modvirt/images/disk.qcow2");
}

void
xv_eq_vol(const remote_nonnull_storage_vol *a, const remote_nonnull_storage_vol *b)
{
    xv_eq_str(a->pool, b->pool);
    xv_eq_str(a->name, b->name);
    xv_eq_str(a->key, b->key);
}

void
xv_eq_typed_param(const remote_typed_param *a, const remote_typed_param *b)
{
    const remote_typed_param_value *va = &a->value, *vb = &b->value;

    xv_eq_str(a->field, b->field);
    g_assert_cmpint(va->type, ==, vb->type);
    switch (va->type) {
    case 1:
        g_assert_cmpint(va->remote_typed_param_value_u.i, ==, vb->remote_typed_param_value_u.i);
        break;
    case 2:
        g_assert_cmpuint(va->remote_typed_param_value_u.ui, ==,
                         vb->remote_typed_param_value_u.ui);
        break;
    case 3:
        g_assert_cmpint(va->remote_typed_param_value_u.l, ==, vb->remote_typed_param_value_u.l);
        break;
    case 4:
        g_assert_cmpuint(va->remote_typed_param_value_u.ul, ==,
                         vb->remote_typed_param_value_u.ul);
        break;
    case 5:
        g_assert_cmpfloat(va->remote_typed_param_value_u.d, ==, vb->remote_typed_param_value_u.d);
        break;
    case 6:
        g_assert_cmpint(va->remote_typed_param_value_u.b, ==, vb->remote_typed_param_value_u.b);
        break;
    case 7:
        xv_eq_str(va->remote_typed_param_value_u.s, vb->remote_typed_param_value_u.s);
        break;
    default:
        g_assert_not_reached();
    }
}

static void
build_domain_demo(void *obj)
{
    xv_build_dom(obj);
}

static void
build_domain_inactive(void *obj)
{
    xv_build_dom(obj);
    ((remote_nonnull_domain *)obj)->id = -1;
}

static void
eq_remote_nonnull_domain(const void *a, const void *b)
{
    xv_eq_dom(a, b);
}

/*----- Remote program: connection procedures. -----*/

static void
build_open_call(void *obj)
{
    static char *name = S("qemu:///system");
    remote_connect_open_args *a = obj;

    a->name = &name;
    a->flags = 0;
}

static void
build_open_null_ro(void *obj)
{
    remote_connect_open_args *a = obj;

    a->name = NULL;
    a->flags = 1;   /* VIR_CONNECT_RO */
}

static void
eq_remote_connect_open_args(const void *pa, const void *pb)
{
    const remote_connect_open_args *a = pa, *b = pb;

    xv_eq_optstr(a->name, b->name);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_supports_feature_args(void *obj)
{
    ((remote_connect_supports_feature_args *)obj)->feature = 10;   /* PROGRAM_KEEPALIVE */
}

static void
eq_remote_connect_supports_feature_args(const void *pa, const void *pb)
{
    g_assert_cmpint(((const remote_connect_supports_feature_args *)pa)->feature, ==,
                    ((const remote_connect_supports_feature_args *)pb)->feature);
}

static void
build_supports_feature_ret(void *obj)
{
    ((remote_connect_supports_feature_ret *)obj)->supported = 1;
}

static void
eq_remote_connect_supports_feature_ret(const void *pa, const void *pb)
{
    g_assert_cmpint(((const remote_connect_supports_feature_ret *)pa)->supported, ==,
                    ((const remote_connect_supports_feature_ret *)pb)->supported);
}

static void
build_get_type_ret(void *obj)
{
    ((remote_connect_get_type_ret *)obj)->type = S("QEMU");
}

static void
eq_remote_connect_get_type_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_type_ret *)pa)->type,
              ((const remote_connect_get_type_ret *)pb)->type);
}

static void
build_get_version_ret(void *obj)
{
    ((remote_connect_get_version_ret *)obj)->hv_ver = 7002000;   /* QEMU 7.2.0 */
}

static void
eq_remote_connect_get_version_ret(const void *pa, const void *pb)
{
    g_assert_cmpuint(((const remote_connect_get_version_ret *)pa)->hv_ver, ==,
                     ((const remote_connect_get_version_ret *)pb)->hv_ver);
}

static void
build_get_lib_version_ret(void *obj)
{
    ((remote_connect_get_lib_version_ret *)obj)->lib_ver = 9000000;   /* 9.0.0 */
}

static void
eq_remote_connect_get_lib_version_ret(const void *pa, const void *pb)
{
    g_assert_cmpuint(((const remote_connect_get_lib_version_ret *)pa)->lib_ver, ==,
                     ((const remote_connect_get_lib_version_ret *)pb)->lib_ver);
}

static void
build_get_hostname_ret(void *obj)
{
    ((remote_connect_get_hostname_ret *)obj)->hostname = S("host1");
}

static void
eq_remote_connect_get_hostname_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_hostname_ret *)pa)->hostname,
              ((const remote_connect_get_hostname_ret *)pb)->hostname);
}

static void
build_get_sysinfo_args(void *obj)
{
    ((remote_connect_get_sysinfo_args *)obj)->flags = 0;
}

static void
eq_remote_connect_get_sysinfo_args(const void *pa, const void *pb)
{
    g_assert_cmpuint(((const remote_connect_get_sysinfo_args *)pa)->flags, ==,
                     ((const remote_connect_get_sysinfo_args *)pb)->flags);
}

static void
build_get_sysinfo_ret(void *obj)
{
    ((remote_connect_get_sysinfo_ret *)obj)->sysinfo = S("<sysinfo type='smbios'/>");
}

static void
eq_remote_connect_get_sysinfo_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_sysinfo_ret *)pa)->sysinfo,
              ((const remote_connect_get_sysinfo_ret *)pb)->sysinfo);
}

static void
build_get_uri_ret(void *obj)
{
    ((remote_connect_get_uri_ret *)obj)->uri = S("qemu:///session");
}

static void
eq_remote_connect_get_uri_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_uri_ret *)pa)->uri,
              ((const remote_connect_get_uri_ret *)pb)->uri);
}

static void
build_node_get_info_ret(void *obj)
{
    remote_node_get_info_ret *r = obj;

    memset(r->model, 0, sizeof(r->model));
    memcpy(r->model, "x86_64", 6);
    r->memory = G_GUINT64_CONSTANT(0x200000000);   /* KiB: 8 TiB */
    r->cpus = 16;
    r->mhz = 2400;
    r->nodes = 1;
    r->sockets = 1;
    r->cores = 8;
    r->threads = 2;
}

static void
eq_remote_node_get_info_ret(const void *pa, const void *pb)
{
    const remote_node_get_info_ret *a = pa, *b = pb;

    xv_eq_bytes(a->model, b->model, sizeof(a->model));
    g_assert_cmpuint(a->memory, ==, b->memory);
    g_assert_cmpint(a->cpus, ==, b->cpus);
    g_assert_cmpint(a->mhz, ==, b->mhz);
    g_assert_cmpint(a->nodes, ==, b->nodes);
    g_assert_cmpint(a->sockets, ==, b->sockets);
    g_assert_cmpint(a->cores, ==, b->cores);
    g_assert_cmpint(a->threads, ==, b->threads);
}

static void
build_get_capabilities_ret(void *obj)
{
    ((remote_connect_get_capabilities_ret *)obj)->capabilities = S("<capabilities/>");
}

static void
eq_remote_connect_get_capabilities_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_capabilities_ret *)pa)->capabilities,
              ((const remote_connect_get_capabilities_ret *)pb)->capabilities);
}

static void
build_get_domain_capabilities_args(void *obj)
{
    static char *arch = S("x86_64");
    static char *machine = S("q35");
    static char *virttype = S("kvm");
    remote_connect_get_domain_capabilities_args *a = obj;

    a->emulatorbin = NULL;
    a->arch = &arch;
    a->machine = &machine;
    a->virttype = &virttype;
    a->flags = 0;
}

static void
eq_remote_connect_get_domain_capabilities_args(const void *pa, const void *pb)
{
    const remote_connect_get_domain_capabilities_args *a = pa, *b = pb;

    xv_eq_optstr(a->emulatorbin, b->emulatorbin);
    xv_eq_optstr(a->arch, b->arch);
    xv_eq_optstr(a->machine, b->machine);
    xv_eq_optstr(a->virttype, b->virttype);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_get_domain_capabilities_ret(void *obj)
{
    ((remote_connect_get_domain_capabilities_ret *)obj)->capabilities =
        S("<domainCapabilities/>");
}

static void
eq_remote_connect_get_domain_capabilities_ret(const void *pa, const void *pb)
{
    xv_eq_str(((const remote_connect_get_domain_capabilities_ret *)pa)->capabilities,
              ((const remote_connect_get_domain_capabilities_ret *)pb)->capabilities);
}

/* The server counts the trailing NUL of model and doi. */
static void
build_security_model_apparmor(void *obj)
{
    /* NB: writable, tirpc's xdr_char() stores back even when encoding. */
    static char model[] = "apparmor";
    static char doi[] = "0";
    remote_node_get_security_model_ret *r = obj;

    r->model.model_len = 9;
    r->model.model_val = model;
    r->doi.doi_len = 2;
    r->doi.doi_val = doi;
}

static void
build_security_model_none(void *obj)
{
    remote_node_get_security_model_ret *r = obj;

    r->model.model_len = 0;
    r->model.model_val = NULL;
    r->doi.doi_len = 0;
    r->doi.doi_val = NULL;
}

static void
eq_remote_node_get_security_model_ret(const void *pa, const void *pb)
{
    const remote_node_get_security_model_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->model.model_len, ==, b->model.model_len);
    xv_eq_bytes(a->model.model_val, b->model.model_val, a->model.model_len);
    g_assert_cmpuint(a->doi.doi_len, ==, b->doi.doi_len);
    xv_eq_bytes(a->doi.doi_val, b->doi.doi_val, a->doi.doi_len);
}

static void
build_is_secure_ret(void *obj)
{
    ((remote_connect_is_secure_ret *)obj)->secure = 1;
}

static void
eq_remote_connect_is_secure_ret(const void *pa, const void *pb)
{
    g_assert_cmpint(((const remote_connect_is_secure_ret *)pa)->secure, ==,
                    ((const remote_connect_is_secure_ret *)pb)->secure);
}

static void
build_auth_list_none(void *obj)
{
    static remote_auth_type types[] = { REMOTE_AUTH_NONE };
    remote_auth_list_ret *r = obj;

    r->types.types_len = 1;
    r->types.types_val = types;
}

static void
build_auth_list_polkit(void *obj)
{
    static remote_auth_type types[] = { REMOTE_AUTH_POLKIT };
    remote_auth_list_ret *r = obj;

    r->types.types_len = 1;
    r->types.types_val = types;
}

static void
eq_remote_auth_list_ret(const void *pa, const void *pb)
{
    const remote_auth_list_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->types.types_len, ==, b->types.types_len);
    for (u_int i = 0; i < a->types.types_len; i++)
        g_assert_cmpint(a->types.types_val[i], ==, b->types.types_val[i]);
}

static void
build_auth_polkit_ret(void *obj)
{
    ((remote_auth_polkit_ret *)obj)->complete = 1;
}

static void
eq_remote_auth_polkit_ret(const void *pa, const void *pb)
{
    g_assert_cmpint(((const remote_auth_polkit_ret *)pa)->complete, ==,
                    ((const remote_auth_polkit_ret *)pb)->complete);
}

/* What the proxy sends on behalf of root (libvirt-internals §2). */
static void
build_set_identity_args(void *obj)
{
    static remote_typed_param params[3];
    remote_connect_set_identity_args *a = obj;

    params[0].field = S("user-name");
    params[0].value.type = 7;
    params[0].value.remote_typed_param_value_u.s = S("root");
    params[1].field = S("unix-user-id");
    params[1].value.type = 4;
    params[1].value.remote_typed_param_value_u.ul = 0;
    params[2].field = S("process-id");
    params[2].value.type = 3;
    params[2].value.remote_typed_param_value_u.l = 0x1234;
    a->params.params_len = 3;
    a->params.params_val = params;
    a->flags = 0;
}

/* The union arms the identity does not use: int, uint, double, boolean. */
static void
build_set_identity_arms(void *obj)
{
    static remote_typed_param params[4];
    remote_connect_set_identity_args *a = obj;

    params[0].field = S("i");
    params[0].value.type = 1;
    params[0].value.remote_typed_param_value_u.i = -2;
    params[1].field = S("ui");
    params[1].value.type = 2;
    params[1].value.remote_typed_param_value_u.ui = 0x80000000u;
    params[2].field = S("dbl");
    params[2].value.type = 5;
    params[2].value.remote_typed_param_value_u.d = 1.5;
    params[3].field = S("bool");
    params[3].value.type = 6;
    params[3].value.remote_typed_param_value_u.b = 1;
    a->params.params_len = 4;
    a->params.params_val = params;
    a->flags = 1;
}

static void
eq_remote_connect_set_identity_args(const void *pa, const void *pb)
{
    const remote_connect_set_identity_args *a = pa, *b = pb;

    g_assert_cmpuint(a->params.params_len, ==, b->params.params_len);
    for (u_int i = 0; i < a->params.params_len; i++)
        xv_eq_typed_param(&a->params.params_val[i], &b->params.params_val[i]);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_connection_closed_msg(void *obj)
{
    ((remote_connect_event_connection_closed_msg *)obj)->reason = 2;   /* KEEPALIVE */
}

static void
eq_remote_connect_event_connection_closed_msg(const void *pa, const void *pb)
{
    g_assert_cmpint(((const remote_connect_event_connection_closed_msg *)pa)->reason, ==,
                    ((const remote_connect_event_connection_closed_msg *)pb)->reason);
}

#define REMOTE_HDR(proc, type, serial, status) \
    { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, type, serial, status }

/* The packets virsh sends and receives in its handshake (§3.6, §4.5). */
static const MvMessageHeader hdr_open_call =
    REMOTE_HDR(REMOTE_PROC_CONNECT_OPEN, MV_NET_CALL, 2, MV_NET_OK);
static const MvMessageHeader hdr_close_call =
    REMOTE_HDR(REMOTE_PROC_CONNECT_CLOSE, MV_NET_CALL, 7, MV_NET_OK);
static const MvMessageHeader hdr_auth_list_reply =
    REMOTE_HDR(REMOTE_PROC_AUTH_LIST, MV_NET_REPLY, 0, MV_NET_OK);
static const MvMessageHeader hdr_register_close_call =
    REMOTE_HDR(REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, MV_NET_CALL, 5, MV_NET_OK);
static const MvMessageHeader hdr_unregister_close_call =
    REMOTE_HDR(REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, MV_NET_CALL, 6, MV_NET_OK);
/* Events go out with serial 1 (§3.2). */
static const MvMessageHeader hdr_connection_closed_event =
    REMOTE_HDR(REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED, MV_NET_MESSAGE, 1, MV_NET_OK);

const XdrVector xdr2bytes_remote_vectors[] = {
    XV_PAYLOAD("remote-nonnull-domain", remote_nonnull_domain, domain_demo),
    XV_PAYLOAD("remote-nonnull-domain-inactive", remote_nonnull_domain, domain_inactive),
    XV_PACKET("remote-connect-open-call", hdr_open_call, remote_connect_open_args, open_call),
    XV_PAYLOAD("remote-connect-open-args-null", remote_connect_open_args, open_null_ro),
    XV_EMPTY("remote-connect-close-call", hdr_close_call),
    XV_PAYLOAD("remote-connect-get-type-ret", remote_connect_get_type_ret, get_type_ret),
    XV_PAYLOAD("remote-connect-get-version-ret", remote_connect_get_version_ret,
               get_version_ret),
    XV_PAYLOAD("remote-node-get-info-ret", remote_node_get_info_ret, node_get_info_ret),
    XV_PAYLOAD("remote-connect-get-capabilities-ret", remote_connect_get_capabilities_ret,
               get_capabilities_ret),
    XV_PAYLOAD("remote-connect-get-domain-capabilities-args",
               remote_connect_get_domain_capabilities_args, get_domain_capabilities_args),
    XV_PAYLOAD("remote-connect-get-domain-capabilities-ret",
               remote_connect_get_domain_capabilities_ret, get_domain_capabilities_ret),
    XV_PAYLOAD("remote-connect-get-hostname-ret", remote_connect_get_hostname_ret,
               get_hostname_ret),
    XV_PAYLOAD("remote-connect-supports-feature-args", remote_connect_supports_feature_args,
               supports_feature_args),
    XV_PAYLOAD("remote-connect-supports-feature-ret", remote_connect_supports_feature_ret,
               supports_feature_ret),
    XV_PACKET("remote-auth-list-reply", hdr_auth_list_reply, remote_auth_list_ret,
              auth_list_none),
    XV_PAYLOAD("remote-auth-list-ret-polkit", remote_auth_list_ret, auth_list_polkit),
    XV_PAYLOAD("remote-auth-polkit-ret", remote_auth_polkit_ret, auth_polkit_ret),
    XV_PAYLOAD("remote-connect-get-uri-ret", remote_connect_get_uri_ret, get_uri_ret),
    XV_PAYLOAD("remote-node-get-security-model-ret", remote_node_get_security_model_ret,
               security_model_apparmor),
    XV_PAYLOAD("remote-node-get-security-model-ret-none", remote_node_get_security_model_ret,
               security_model_none),
    XV_PAYLOAD("remote-connect-is-secure-ret", remote_connect_is_secure_ret, is_secure_ret),
    XV_PAYLOAD("remote-connect-get-lib-version-ret", remote_connect_get_lib_version_ret,
               get_lib_version_ret),
    XV_PAYLOAD("remote-connect-get-sysinfo-args", remote_connect_get_sysinfo_args,
               get_sysinfo_args),
    XV_PAYLOAD("remote-connect-get-sysinfo-ret", remote_connect_get_sysinfo_ret,
               get_sysinfo_ret),
    XV_EMPTY("remote-connect-register-close-callback-call", hdr_register_close_call),
    XV_EMPTY("remote-connect-unregister-close-callback-call", hdr_unregister_close_call),
    XV_PACKET("remote-connect-event-connection-closed", hdr_connection_closed_event,
              remote_connect_event_connection_closed_msg, connection_closed_msg),
    XV_PAYLOAD("remote-connect-set-identity-args", remote_connect_set_identity_args,
               set_identity_args),
    XV_PAYLOAD("remote-connect-set-identity-args-arms", remote_connect_set_identity_args,
               set_identity_arms),
    /* Limits and malformed input. */
    XV_BAD("remote-nonnull-string-over-limit", remote_connect_get_type_ret),
    XV_BAD("remote-auth-list-ret-over-limit", remote_auth_list_ret),
    XV_BAD("remote-node-get-security-model-ret-over-limit", remote_node_get_security_model_ret),
    XV_BAD("remote-connect-set-identity-args-over-limit", remote_connect_set_identity_args),
    XV_BAD("remote-typed-param-bad-type", remote_connect_set_identity_args),
    { NULL }
};
