/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytestest.c: every message of the implemented procedures against bytes
 * written by hand from the protocol's specification.
 *
 * For each vector of xdr2bytes-*.c: encoding the built value gives exactly
 * the bytes of xdr2bytesdata/NAME.hex, decoding the bytes gives back every
 * field, and decoding any truncation of them fails.  "Bad" vectors must fail
 * to decode (limits exceeded, invalid union arms).  The coverage tests parse
 * remote-protocol.x and admin-protocol.x: a procedure whose @generate is not
 * "none" must have a vector for each of its _args/_ret/_msg structs, or a
 * whole packet when it has none.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "admin-protocol.h"
#include "remote-protocol.h"
#include "rpc/message.h"
#include "testutils.h"
#include "util/error.h"
#include "xdr2bytes.h"

const unsigned char xv_uuid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

void
xv_eq_str(const char *expected, const char *actual)
{
    g_assert_nonnull(actual);
    g_assert_cmpstr(expected, ==, actual);
}

void
xv_eq_optstr(char *const *expected, char *const *actual)
{
    if (!expected) {
        g_assert_null(actual);
        return;
    }
    g_assert_nonnull(actual);
    xv_eq_str(*expected, *actual);
}

void
xv_eq_bytes(const void *expected, const void *actual, gsize len)
{
    if (len == 0)
        return;
    g_assert_nonnull(actual);
    g_assert_cmpmem(expected, len, actual, len);
}

static char *
hex_window(const guint8 *data, gsize len, gsize at)
{
    GString *s = g_string_new(NULL);
    gsize start = at > 8 ? at - 8 : 0;

    for (gsize i = start; i < len && i < at + 8; i++)
        g_string_append_printf(s, i == at ? "[%02x]" : "%02x", data[i]);
    return g_string_free(s, FALSE);
}

/* Compare encoded bytes with a vector, naming the first differing offset. */
static void
assert_bytes(const char *file, const guint8 *actual, gsize alen, const guint8 *expected,
             gsize elen)
{
    gsize i = 0;
    g_autofree char *a = NULL;
    g_autofree char *e = NULL;

    while (i < alen && i < elen && actual[i] == expected[i])
        i++;
    if (i == alen && i == elen)
        return;
    a = hex_window(actual, alen, i);
    e = hex_window(expected, elen, i);
    g_error("%s: encoded %zu bytes, expected %zu; first difference at offset %zu:\n"
            "  encoded:  %s\n  expected: %s", file, alen, elen, i, a, e);
}

/*----- The .hex format. -----*/

static gboolean
hex_append_run(GByteArray *out, const char **pp, int line, GError **error)
{
    const char *p = *pp;
    const char *start = p;
    g_autoptr(GByteArray) run = g_byte_array_new();
    guint64 count = 1;

    while (g_ascii_isxdigit(*p))
        p++;
    if ((p - start) % 2 != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "line %d: odd number of hex digits", line);
        return FALSE;
    }
    for (const char *q = start; q < p; q += 2) {
        guint8 b = (g_ascii_xdigit_value(q[0]) << 4) | g_ascii_xdigit_value(q[1]);

        g_byte_array_append(run, &b, 1);
    }
    if (*p == '*') {
        char *end = NULL;

        count = g_ascii_strtoull(p + 1, &end, 10);
        if (end == p + 1 || count == 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "line %d: bad repeat count", line);
            return FALSE;
        }
        p = end;
    }
    for (guint64 i = 0; i < count; i++)
        g_byte_array_append(out, run->data, run->len);
    *pp = p;
    return TRUE;
}

/* Tokens: hex digit runs (an even count, "HEX*N" repeats the run N times),
 * "ASCII text" without padding, and comments from '#' to the end of line. */
GBytes *
xv_parse_hex(const char *text, GError **error)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    const char *p = text;
    int line = 1;

    while (*p) {
        if (*p == '\n')
            line++;
        if (g_ascii_isspace(*p)) {
            p++;
        } else if (*p == '#') {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '"') {
            const char *end = p + 1;

            while (*end && *end != '"' && *end != '\n')
                end++;
            if (*end != '"') {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "line %d: unterminated string", line);
                return NULL;
            }
            g_byte_array_append(out, (const guint8 *)p + 1, end - p - 1);
            p = end + 1;
        } else if (g_ascii_isxdigit(*p)) {
            if (!hex_append_run(out, &p, line, error))
                return NULL;
        } else {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "line %d: unexpected character '%c'", line, *p);
            return NULL;
        }
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static GBytes *
load_vector(const XdrVector *v)
{
    g_autofree char *path = g_strdup_printf("%s/xdr2bytesdata/%s.hex", ABS_SRCDIR, v->file);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    GBytes *bytes;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s", error->message);
    bytes = xv_parse_hex(text, &error);
    if (!bytes)
        g_error("%s: %s", path, error->message);
    return bytes;
}

/*----- Bare payloads. -----*/

/* Decode @len bytes of @data as the vector's type; the decoded value goes to
 * @obj (to be freed with xdr_free) and the bytes consumed to @ret_pos. */
static gboolean
payload_decode(const XdrVector *v, const guint8 *data, gsize len, void *obj, guint *ret_pos)
{
    XDR xdr;
    gboolean ok;

    xdrmem_create(&xdr, (char *)data, len, XDR_DECODE);
    ok = v->filter(&xdr, obj, 0);
    *ret_pos = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return ok;
}

static void
payload_round_trip(const XdrVector *v, GBytes *bytes)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    g_autofree void *built = g_malloc0(v->size);
    g_autofree void *decoded = g_malloc0(v->size);
    g_autofree guint8 *buf = g_malloc0(len + 64);
    XDR xdr;
    guint pos;

    v->build(built);
    xdrmem_create(&xdr, (char *)buf, len + 64, XDR_ENCODE);
    g_assert_true(v->filter(&xdr, built, 0));
    pos = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    assert_bytes(v->file, buf, pos, data, len);

    g_assert_true(payload_decode(v, data, len, decoded, &pos));
    g_assert_cmpuint(pos, ==, len);
    v->equal(built, decoded);
    xdr_free(v->filter, decoded);

    for (gsize cut = 0; cut < len; cut++) {
        memset(decoded, 0, v->size);
        if (payload_decode(v, data, cut, decoded, &pos))
            g_error("%s: decoding the first %zu of %zu bytes succeeded", v->file, cut, len);
        xdr_free(v->filter, decoded);
    }
}

/*----- Whole packets. -----*/

static MvMessage *
packet_from_bytes(const guint8 *data, gsize len)
{
    MvMessage *msg = mv_message_new();

    msg->buffer = g_memdup2(data, len ? len : 1);
    msg->buffer_alloc = len;
    msg->buffer_length = len;
    return msg;
}

static gboolean
packet_has_fds(const MvMessageHeader *hdr)
{
    return hdr->type == MV_NET_CALL_WITH_FDS || hdr->type == MV_NET_REPLY_WITH_FDS;
}

/* Decode the header, fd count and payload of @msg into @obj (which, when
 * given, must be freed with xdr_free; a failed decode frees it). */
static gboolean
packet_decode(const XdrVector *v, MvMessage *msg, void *obj)
{
    g_autoptr(GError) error = NULL;

    if (!mv_message_decode_header(msg, &error))
        return FALSE;
    if (packet_has_fds(&msg->header) && !mv_message_decode_num_fds(msg, &error))
        return FALSE;
    if (v->filter && !mv_message_decode_payload(msg, v->filter, obj, &error))
        return FALSE;
    return TRUE;
}

static void
packet_encode_check(const XdrVector *v, const guint8 *data, gsize len, void *built)
{
    g_autoptr(MvMessage) msg = mv_message_new();
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_message_encode_header(msg, v->header, &error));
    for (guint i = 0; i < v->nfds; i++) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        mv_message_add_fd(msg, fd);
    }
    g_assert_true(mv_message_encode_payload(msg, v->filter, built, &error));
    g_assert_no_error(error);
    assert_bytes(v->file, msg->buffer, msg->buffer_length, data, len);
}

static void
packet_round_trip(const XdrVector *v, GBytes *bytes)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    g_autofree void *built = v->size ? g_malloc0(v->size) : NULL;
    g_autofree void *decoded = v->size ? g_malloc0(v->size) : NULL;
    g_autoptr(MvMessage) msg = packet_from_bytes(data, len);

    /* The hand-written length word must count the whole packet. */
    g_assert_cmpuint(len, >=, 4);
    g_assert_cmpuint(mv_message_get_u32(data), ==, len);

    if (v->build)
        v->build(built);
    packet_encode_check(v, data, len, built);

    g_assert_true(packet_decode(v, msg, decoded));
    g_assert_cmpuint(msg->header.prog, ==, v->header->prog);
    g_assert_cmpuint(msg->header.vers, ==, v->header->vers);
    g_assert_cmpint(msg->header.proc, ==, v->header->proc);
    g_assert_cmpuint(msg->header.type, ==, v->header->type);
    g_assert_cmpuint(msg->header.serial, ==, v->header->serial);
    g_assert_cmpuint(msg->header.status, ==, v->header->status);
    g_assert_cmpuint(msg->nfds, ==, v->nfds);
    g_assert_cmpuint(msg->buffer_offset, ==, len);
    if (v->filter) {
        v->equal(built, decoded);
        xdr_free(v->filter, decoded);
    }

    for (gsize cut = 0; cut < len; cut++) {
        g_autoptr(MvMessage) part = packet_from_bytes(data, cut);

        if (decoded)
            memset(decoded, 0, v->size);
        if (packet_decode(v, part, decoded))
            g_error("%s: decoding the first %zu of %zu bytes succeeded", v->file, cut, len);
    }
}

static void
test_vector(gconstpointer data)
{
    const XdrVector *v = data;
    g_autoptr(GBytes) bytes = load_vector(v);

    if (v->bad) {
        gsize len;
        const guint8 *raw = g_bytes_get_data(bytes, &len);
        g_autofree void *obj = g_malloc0(v->size);

        if (v->header) {
            g_autoptr(MvMessage) msg = packet_from_bytes(raw, len);

            g_assert_false(packet_decode(v, msg, obj));
        } else {
            guint pos;

            g_assert_false(payload_decode(v, raw, len, obj, &pos));
            xdr_free(v->filter, obj);
        }
        return;
    }
    if (v->header)
        packet_round_trip(v, bytes);
    else
        payload_round_trip(v, bytes);
}

/*----- Coverage. -----*/

typedef struct {
    const char *path;      /* relative to the source root */
    const char *prefix;    /* remote, admin */
    guint32 prog;
} ProtocolFile;

static const ProtocolFile protocol_files[] = {
    { "src/remote/remote-protocol.x", "remote", REMOTE_PROGRAM },
    { "src/remote/admin-protocol.x", "admin", ADMIN_PROGRAM },
};

static const XdrVector *const vector_tables[] = {
    xdr2bytes_rpc_vectors, xdr2bytes_remote_vectors, xdr2bytes_domain_vectors,
    xdr2bytes_storage_vectors, xdr2bytes_admin_vectors,
};

static gboolean
have_type_vector(const char *type)
{
    for (size_t t = 0; t < G_N_ELEMENTS(vector_tables); t++) {
        for (const XdrVector *v = vector_tables[t]; v->file; v++) {
            if (!v->bad && v->type && g_str_equal(v->type, type))
                return TRUE;
        }
    }
    return FALSE;
}

static gboolean
have_packet_vector(guint32 prog, int proc)
{
    for (size_t t = 0; t < G_N_ELEMENTS(vector_tables); t++) {
        for (const XdrVector *v = vector_tables[t]; v->file; v++) {
            if (!v->bad && v->header && v->header->prog == prog && v->header->proc == proc)
                return TRUE;
        }
    }
    return FALSE;
}

/* Check one procedure; append what is missing to @missing. */
static void
coverage_check_proc(const ProtocolFile *pf, GHashTable *structs, const char *name, int number,
                    GString *missing)
{
    static const char *const suffixes[] = { "args", "ret", "msg" };
    g_autofree char *lower = g_ascii_strdown(name, -1);
    gboolean has_struct = FALSE;

    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        g_autofree char *type = g_strdup_printf("%s_%s_%s", pf->prefix, lower, suffixes[i]);

        if (!g_hash_table_contains(structs, type))
            continue;
        has_struct = TRUE;
        if (!have_type_vector(type))
            g_string_append_printf(missing, "  %s (procedure %d): no vector for %s\n",
                                   name, number, type);
    }
    if (!has_struct && !have_packet_vector(pf->prog, number))
        g_string_append_printf(missing, "  %s (procedure %d): no packet vector\n", name, number);
}

static void
test_coverage(gconstpointer data)
{
    const ProtocolFile *pf = data;
    g_autofree char *path = g_strdup_printf("%s/../%s", ABS_SRCDIR, pf->path);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GHashTable) structs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GRegex) ann_re = g_regex_new("^\\s*/\\*.*@generate:\\s*([a-z]+)", 0, 0, NULL);
    g_autoptr(GRegex) proc_re = g_regex_new("^\\s*[A-Z]+_PROC_([A-Z0-9_]+)\\s*=\\s*([0-9]+)",
                                            0, 0, NULL);
    g_autoptr(GRegex) struct_re = g_regex_new("^\\s*struct\\s+([a-z0-9_]+)\\s*\\{", 0, 0, NULL);
    g_autoptr(GString) missing = g_string_new(NULL);
    g_autofree char *generate = NULL;
    guint checked = 0;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_autoptr(GMatchInfo) m = NULL;

        if (g_regex_match(struct_re, lines[i], 0, &m))
            g_hash_table_add(structs, g_match_info_fetch(m, 1));
    }
    for (size_t i = 0; lines[i]; i++) {
        g_autoptr(GMatchInfo) m = NULL;
        g_autoptr(GMatchInfo) pm = NULL;

        if (g_regex_match(ann_re, lines[i], 0, &m)) {
            g_free(generate);
            generate = g_match_info_fetch(m, 1);
        } else if (g_regex_match(proc_re, lines[i], 0, &pm)) {
            g_autofree char *name = g_match_info_fetch(pm, 1);
            g_autofree char *num = g_match_info_fetch(pm, 2);

            g_assert_nonnull(generate);
            if (!g_str_equal(generate, "none")) {
                coverage_check_proc(pf, structs, name, (int)g_ascii_strtoll(num, NULL, 10),
                                    missing);
                checked++;
            }
            g_clear_pointer(&generate, g_free);
        }
    }
    /* The parse itself must have found the implemented procedures. */
    g_assert_cmpuint(checked, >, 0);
    if (missing->len > 0) {
        g_printerr("%s: procedures generated without wire vectors (see "
                   "tests/xdr2bytes.h to add them):\n%s", pf->path, missing->str);
        g_test_fail();
    }
}

/* Every data file is used; a file may serve several types of one shape, but
 * a type is listed once per file. */
static void
test_no_orphans(void)
{
    g_autofree char *dir = g_strdup_printf("%s/xdr2bytesdata", ABS_SRCDIR);
    g_autoptr(GPtrArray) names = mv_test_list_cases(dir, ".hex");
    g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (size_t t = 0; t < G_N_ELEMENTS(vector_tables); t++) {
        for (const XdrVector *v = vector_tables[t]; v->file; v++) {
            char *pair = g_strdup_printf("%s %s", v->file, v->type ? v->type : "");

            if (g_hash_table_contains(pairs, pair))
                g_error("vector %s is listed twice", pair);
            g_hash_table_add(pairs, pair);
            g_hash_table_add(used, (gpointer)v->file);
        }
    }
    for (guint i = 0; i < names->len; i++) {
        if (!g_hash_table_contains(used, names->pdata[i]))
            g_error("xdr2bytesdata/%s.hex is not used by any vector", (char *)names->pdata[i]);
    }
    g_assert_cmpuint(names->len, ==, g_hash_table_size(used));
}

/*----- The encoders and decoders of message.c. -----*/

static GBytes *
load_named(const char *file)
{
    XdrVector v = { .file = file };

    return load_vector(&v);
}

/* What the server answers to an unknown procedure. */
static void
test_error_reply(void)
{
    g_autoptr(GBytes) bytes = load_named("net-message-error-unknown-proc");
    MvMessageHeader call = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 999, MV_NET_CALL, 9,
                             MV_NET_OK };
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) decoded = NULL;
    g_autoptr(MvMessage) msg = NULL;
    g_autoptr(MvMessage) in = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);

    mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC, "unknown procedure: %d", 999);
    msg = mv_message_new_error_reply(&call, MV_NET_REPLY, err);
    g_assert_nonnull(msg);
    g_assert_cmpmem(msg->buffer, msg->buffer_length, data, len);

    /* The client side turns it into "not supported" for API fallbacks. */
    in = packet_from_bytes(data, len);
    g_assert_true(mv_message_decode_header(in, NULL));
    mv_message_decode_error(in, &decoded);
    g_assert_error(decoded, mv_error_remote_quark(MV_FROM_RPC), MV_ERR_NO_SUPPORT);
    g_assert_cmpstr(decoded->message, ==, "unknown procedure: 999");
}

static void
test_error_decode_full(void)
{
    g_autoptr(GBytes) payload = load_named("net-message-error-full");
    g_autoptr(MvMessage) msg = mv_message_new();
    MvMessageHeader hdr = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, 23, MV_NET_REPLY, 4,
                            MV_NET_ERROR };
    g_autoptr(GError) decoded = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data(payload, &len);

    g_assert_true(mv_message_encode_header(msg, &hdr, NULL));
    g_assert_true(mv_message_encode_payload_raw(msg, data, len, NULL));
    g_assert_true(mv_message_decode_header(msg, NULL));
    mv_message_decode_error(msg, &decoded);
    g_assert_error(decoded, mv_error_remote_quark(MV_FROM_DOMAIN), MV_ERR_NO_DOMAIN);
    g_assert_cmpstr(decoded->message, ==, "no domain");
}

static void
test_keepalive_simple(void)
{
    g_autoptr(GBytes) bytes = load_named("keepalive-ping");
    g_autoptr(MvMessage) msg = mv_message_new_simple(MV_KEEPALIVE_PROGRAM,
                                                     MV_KEEPALIVE_PROTOCOL_VERSION,
                                                     MV_KEEPALIVE_PROC_PING, MV_NET_MESSAGE,
                                                     0, MV_NET_OK);
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);

    g_assert_cmpmem(msg->buffer, msg->buffer_length, data, len);
}

/* The fd count of a *_WITH_FDS packet: 32 is the most accepted. */
static void
test_fd_count_limit(void)
{
    guint8 pkt[32] = { 0 };

    mv_message_put_u32(pkt, sizeof(pkt));
    mv_message_put_u32(pkt + 4, REMOTE_PROGRAM);
    mv_message_put_u32(pkt + 8, REMOTE_PROTOCOL_VERSION);
    mv_message_put_u32(pkt + 12, 309);
    mv_message_put_u32(pkt + 16, MV_NET_CALL_WITH_FDS);
    for (guint32 n = 0; n <= MV_NET_MESSAGE_NUM_FDS_MAX + 1; n++) {
        g_autoptr(MvMessage) msg = packet_from_bytes(pkt, sizeof(pkt));
        g_autoptr(GError) error = NULL;

        mv_message_put_u32(msg->buffer + 28, n);
        g_assert_true(mv_message_decode_header(msg, NULL));
        if (n <= MV_NET_MESSAGE_NUM_FDS_MAX) {
            g_assert_true(mv_message_decode_num_fds(msg, &error));
            g_assert_cmpuint(msg->nfds, ==, n);
        } else {
            g_assert_false(mv_message_decode_num_fds(msg, &error));
            g_assert_error(error, mv_error_quark(MV_FROM_RPC), MV_ERR_RPC);
        }
    }
}

/* A string of exactly REMOTE_STRING_MAX bytes goes out; one more does not. */
static void
test_string_limit_encode(void)
{
    MvMessageHeader hdr = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                            REMOTE_PROC_CONNECT_GET_CAPABILITIES, MV_NET_REPLY, 1, MV_NET_OK };
    g_autofree char *big = g_malloc(REMOTE_STRING_MAX + 2);
    remote_connect_get_capabilities_ret ret = { big };
    g_autoptr(MvMessage) ok = mv_message_new();
    g_autoptr(MvMessage) over = mv_message_new();
    g_autoptr(GError) error = NULL;

    memset(big, 'x', REMOTE_STRING_MAX + 1);
    big[REMOTE_STRING_MAX] = '\0';
    g_assert_true(mv_message_encode_header(ok, &hdr, NULL));
    g_assert_true(mv_message_encode_payload(ok, (xdrproc_t)xdr_remote_connect_get_capabilities_ret,
                                            &ret, &error));
    g_assert_cmpuint(ok->buffer_length, ==, MV_MESSAGE_MIN_LEN + 4 + REMOTE_STRING_MAX);

    big[REMOTE_STRING_MAX] = 'x';
    big[REMOTE_STRING_MAX + 1] = '\0';
    g_assert_true(mv_message_encode_header(over, &hdr, NULL));
    g_assert_false(mv_message_encode_payload(over,
                                             (xdrproc_t)xdr_remote_connect_get_capabilities_ret,
                                             &ret, &error));
    g_assert_error(error, mv_error_quark(MV_FROM_RPC), MV_ERR_RPC);
}

/* A payload reserved ahead (mv_message_reserve_payload(), as a handler's
 * mv_server_call_set_reply_size() does) encodes to the same bytes in the
 * buffer reserved, which does not grow: one encoding pass.  A reservation
 * too small still gives the right bytes. */
static void
test_reserved_payload(void)
{
    MvMessageHeader hdr = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                            REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, MV_NET_REPLY, 1,
                            MV_NET_OK };
    const guint n = 700;
    g_autofree remote_nonnull_storage_vol *vols = g_new0(remote_nonnull_storage_vol, n);
    g_autoptr(GPtrArray) strs = g_ptr_array_new_with_free_func(g_free);
    remote_storage_pool_list_all_volumes_ret ret = { { n, vols }, n };
    gsize xdr = 4 + 4;
    gsize sizes[] = { 0, 0, 100 };

    for (guint i = 0; i < n; i++) {
        char *name = g_strdup_printf("v%u%.*s.qcow2", i, (int)(i % 7), "abcdefg");
        char *key = g_strdup_printf("/var/lib/pool/%s", name);

        g_ptr_array_add(strs, name);
        g_ptr_array_add(strs, key);
        vols[i] = (remote_nonnull_storage_vol){ "pool", name, key };
        xdr += MV_XDR_STRING_SIZE(4) + MV_XDR_STRING_SIZE(strlen(name)) +
               MV_XDR_STRING_SIZE(strlen(key));
    }
    sizes[1] = xdr;
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
        g_autoptr(MvMessage) plain = mv_message_new();
        g_autoptr(MvMessage) msg = mv_message_new();
        g_autoptr(GError) error = NULL;
        gsize alloc;

        g_assert_true(mv_message_encode_header(plain, &hdr, NULL));
        g_assert_true(mv_message_encode_payload(
            plain, (xdrproc_t)xdr_remote_storage_pool_list_all_volumes_ret, &ret, &error));
        g_assert_cmpuint(plain->buffer_length, ==, MV_MESSAGE_MIN_LEN + xdr);

        g_assert_true(mv_message_encode_header(msg, &hdr, NULL));
        if (sizes[s])
            g_assert_true(mv_message_reserve_payload(msg, sizes[s], &error));
        alloc = msg->buffer_alloc;
        g_assert_true(mv_message_encode_payload(
            msg, (xdrproc_t)xdr_remote_storage_pool_list_all_volumes_ret, &ret, &error));
        g_assert_no_error(error);
        g_assert_cmpmem(msg->buffer, msg->buffer_length, plain->buffer, plain->buffer_length);
        if (sizes[s] >= xdr)
            g_assert_cmpuint(msg->buffer_alloc, ==, alloc);
    }
}

/* Decode @count elements of @elem after a count word, as @filter. */
static gboolean
decode_counted(xdrproc_t filter, gsize size, guint32 count, const guint8 *elem, gsize elem_len,
               const guint8 *tail, gsize tail_len)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autofree void *obj = g_malloc0(size);
    guint8 word[4];
    XDR xdr;
    gboolean ok;

    mv_message_put_u32(word, count);
    g_byte_array_append(buf, word, 4);
    for (guint32 i = 0; i < count; i++)
        g_byte_array_append(buf, elem, elem_len);
    g_byte_array_append(buf, tail, tail_len);
    xdrmem_create(&xdr, (char *)buf->data, buf->len, XDR_DECODE);
    ok = filter(&xdr, obj, 0);
    xdr_destroy(&xdr);
    xdr_free(filter, obj);
    return ok;
}

/* The over-limit vectors fail because of the limit: one less decodes. */
static void
test_decode_limits_exact(void)
{
    static const guint8 zero[4] = { 0 };
    static const guint8 letter[1] = { 'Q' };
    static const guint8 pad3[3] = { 0 };
    static const guint8 server[8] = { 0, 0, 0, 1, 'a', 0, 0, 0 };
    static const guint8 param[16] = { 0, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0 };
    g_autoptr(GByteArray) str = g_byte_array_new();
    xdrproc_t type_ret = (xdrproc_t)xdr_remote_connect_get_type_ret;
    xdrproc_t auth = (xdrproc_t)xdr_remote_auth_list_ret;
    xdrproc_t servers = (xdrproc_t)xdr_admin_connect_list_servers_ret;
    xdrproc_t threadpool = (xdrproc_t)xdr_admin_server_get_threadpool_parameters_ret;

    /* A string is a count of bytes then padding: REMOTE_STRING_MAX fits. */
    g_assert_true(decode_counted(type_ret, sizeof(remote_connect_get_type_ret),
                                 REMOTE_STRING_MAX, letter, 1, NULL, 0));
    g_assert_false(decode_counted(type_ret, sizeof(remote_connect_get_type_ret),
                                  REMOTE_STRING_MAX + 1, letter, 1, pad3, 3));
    g_assert_true(decode_counted(auth, sizeof(remote_auth_list_ret),
                                 REMOTE_AUTH_TYPE_LIST_MAX, zero, 4, NULL, 0));
    g_assert_false(decode_counted(auth, sizeof(remote_auth_list_ret),
                                  REMOTE_AUTH_TYPE_LIST_MAX + 1, zero, 4, NULL, 0));
    g_assert_true(decode_counted(servers, sizeof(admin_connect_list_servers_ret),
                                 ADMIN_SERVER_LIST_MAX, server, 8, zero, 4));
    g_assert_false(decode_counted(servers, sizeof(admin_connect_list_servers_ret),
                                  ADMIN_SERVER_LIST_MAX + 1, server, 8, zero, 4));
    g_assert_true(decode_counted(threadpool, sizeof(admin_server_get_threadpool_parameters_ret),
                                 ADMIN_SERVER_THREADPOOL_PARAMETERS_MAX, param, 16, NULL, 0));
    g_assert_false(decode_counted(threadpool,
                                  sizeof(admin_server_get_threadpool_parameters_ret),
                                  ADMIN_SERVER_THREADPOOL_PARAMETERS_MAX + 1, param, 16,
                                  NULL, 0));
}

/* The hex reader itself, so that a typo in a .hex file cannot pass. */
static void
test_hex_format(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = xv_parse_hex("0001 # one\n\"ab\" ff*3\n", &error);
    static const guint8 expected[] = { 0x00, 0x01, 'a', 'b', 0xff, 0xff, 0xff };
    gsize len;
    const guint8 *data;

    g_assert_no_error(error);
    data = g_bytes_get_data(b, &len);
    g_assert_cmpmem(data, len, expected, sizeof(expected));
    g_assert_null(xv_parse_hex("000", &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
    g_clear_error(&error);
    g_assert_null(xv_parse_hex("00 zz", &error));
    g_clear_error(&error);
    g_assert_null(xv_parse_hex("\"open\n\"", &error));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xdr2bytes/hex-format", test_hex_format);
    for (size_t t = 0; t < G_N_ELEMENTS(vector_tables); t++) {
        for (const XdrVector *v = vector_tables[t]; v->file; v++) {
            g_autofree char *name = g_strdup_printf("/xdr2bytes/vector/%s/%s", v->file,
                                                    v->type ? v->type : "packet");

            g_test_add_data_func(name, v, test_vector);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(protocol_files); i++) {
        g_autofree char *name = g_strdup_printf("/xdr2bytes/coverage/%s",
                                                protocol_files[i].prefix);

        g_test_add_data_func(name, &protocol_files[i], test_coverage);
    }
    g_test_add_func("/xdr2bytes/no-orphans", test_no_orphans);
    g_test_add_func("/xdr2bytes/message/error-reply", test_error_reply);
    g_test_add_func("/xdr2bytes/message/error-decode-full", test_error_decode_full);
    g_test_add_func("/xdr2bytes/message/keepalive-simple", test_keepalive_simple);
    g_test_add_func("/xdr2bytes/message/reserved-payload", test_reserved_payload);
    g_test_add_func("/xdr2bytes/limits/fd-count", test_fd_count_limit);
    g_test_add_func("/xdr2bytes/limits/string-encode", test_string_limit_encode);
    g_test_add_func("/xdr2bytes/limits/decode-exact", test_decode_limits_exact);
    return g_test_run();
}
