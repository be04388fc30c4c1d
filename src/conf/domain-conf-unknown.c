/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-unknown.c: keeping the XML we do not model.
 *
 * Every parser reads through the dctx_* helpers, which remember the nodes
 * and attributes they handed out.  dctx_collect() then walks the element of
 * an object (a device, the domain) and stores, per element path, the
 * attributes and child elements nobody consumed.  The formatters ask for
 * them by the same path and write them back in place.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "conf/xml-util.h"
#include "util/error.h"

typedef struct {
    char *name;   /* element name, for ordering and messages */
    char *xml;    /* serialized, indentation-free first line */
    guint seq;    /* known siblings of the same name before it */
} DomainExtraChild;

typedef struct {
    char *path;        /* relative to the owner element, "" = itself */
    GString *attrs;    /* " a='b'" */
    GPtrArray *children;  /* DomainExtraChild */
} DomainExtraNode;

struct _DomainExtra {
    GPtrArray *nodes;  /* DomainExtraNode */
};

/* ---- DomainExtra ----------------------------------------------------------- */

static void
domain_extra_child_free(gpointer p)
{
    DomainExtraChild *c = p;

    g_free(c->name);
    g_free(c->xml);
    g_free(c);
}

static void
domain_extra_node_free(gpointer p)
{
    DomainExtraNode *n = p;

    g_free(n->path);
    g_string_free(n->attrs, TRUE);
    g_ptr_array_unref(n->children);
    g_free(n);
}

DomainExtra *
domain_extra_new(void)
{
    DomainExtra *x = g_new0(DomainExtra, 1);

    x->nodes = g_ptr_array_new_with_free_func(domain_extra_node_free);
    return x;
}

void
domain_extra_free(DomainExtra *x)
{
    if (!x)
        return;
    g_ptr_array_unref(x->nodes);
    g_free(x);
}

static DomainExtraNode *
domain_extra_lookup(const DomainExtra *x, const char *path)
{
    if (!x)
        return NULL;
    for (guint i = 0; i < x->nodes->len; i++) {
        DomainExtraNode *n = g_ptr_array_index(x->nodes, i);

        if (g_str_equal(n->path, path))
            return n;
    }
    return NULL;
}

static DomainExtraNode *
domain_extra_get(DomainExtra *x, const char *path)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    if (n)
        return n;
    n = g_new0(DomainExtraNode, 1);
    n->path = g_strdup(path);
    n->attrs = g_string_new(NULL);
    n->children = g_ptr_array_new_with_free_func(domain_extra_child_free);
    g_ptr_array_add(x->nodes, n);
    return n;
}

DomainExtra *
domain_extra_copy(const DomainExtra *x)
{
    DomainExtra *copy;

    if (!x)
        return NULL;
    copy = domain_extra_new();
    for (guint i = 0; i < x->nodes->len; i++) {
        DomainExtraNode *n = g_ptr_array_index(x->nodes, i);
        DomainExtraNode *c = domain_extra_get(copy, n->path);

        g_string_append(c->attrs, n->attrs->str);
        for (guint j = 0; j < n->children->len; j++) {
            DomainExtraChild *src = g_ptr_array_index(n->children, j);
            DomainExtraChild *dst = g_new0(DomainExtraChild, 1);

            dst->name = g_strdup(src->name);
            dst->xml = g_strdup(src->xml);
            dst->seq = src->seq;
            g_ptr_array_add(c->children, dst);
        }
    }
    return copy;
}

gboolean
domain_extra_is_empty(const DomainExtra *x)
{
    if (!x)
        return TRUE;
    for (guint i = 0; i < x->nodes->len; i++) {
        DomainExtraNode *n = g_ptr_array_index(x->nodes, i);

        if (n->attrs->len > 0 || n->children->len > 0)
            return FALSE;
    }
    return TRUE;
}

/* The element name at the end of @path ("source/host[1]" -> "host"). */
static char *
domain_extra_path_leaf(const char *path, const char *owner)
{
    const char *slash = strrchr(path, '/');
    const char *leaf = slash ? slash + 1 : path;
    const char *bracket;

    if (!*leaf)
        return g_strdup(owner);
    bracket = strchr(leaf, '[');
    return bracket ? g_strndup(leaf, bracket - leaf) : g_strdup(leaf);
}

char *
domain_extra_describe_first(const DomainExtra *x, const char *owner)
{
    if (!x)
        return NULL;
    for (guint i = 0; i < x->nodes->len; i++) {
        DomainExtraNode *n = g_ptr_array_index(x->nodes, i);
        g_autofree char *leaf = domain_extra_path_leaf(n->path, owner);

        if (n->children->len > 0) {
            DomainExtraChild *c = g_ptr_array_index(n->children, 0);

            return g_strdup_printf("element <%s> in <%s>", c->name, leaf);
        }
        if (n->attrs->len > 0) {
            const char *a = n->attrs->str + 1;
            const char *eq = strchr(a, '=');

            return g_strdup_printf("attribute '%.*s' of <%s>", (int)(eq - a), a, leaf);
        }
    }
    return NULL;
}

char *
domain_extra_path(const char *parent, const char *name, guint idx)
{
    g_autofree char *leaf = idx > 0 ? g_strdup_printf("%s[%u]", name, idx) : g_strdup(name);

    if (!parent || !*parent)
        return g_steal_pointer(&leaf);
    return g_strdup_printf("%s/%s", parent, leaf);
}

static void
domain_extra_add_element_seq(DomainExtra *x, const char *path, xmlNode *node, guint seq)
{
    DomainExtraNode *n = domain_extra_get(x, path);
    DomainExtraChild *c = g_new0(DomainExtraChild, 1);
    GString *s = g_string_new(NULL);

    fmt_raw_node_in_scope(s, node);
    c->seq = seq;
    if (node->ns && node->ns->prefix)
        c->name = g_strdup_printf("%s:%s", node->ns->prefix, node->name);
    else
        c->name = g_strdup((const char *)node->name);
    c->xml = g_string_free(s, FALSE);
    g_ptr_array_add(n->children, c);
}

void
domain_extra_add_element(DomainExtra *x, const char *path, xmlNode *node)
{
    domain_extra_add_element_seq(x, path, node, 0);
}

static void
domain_extra_add_attr(DomainExtra *x, const char *path, xmlAttr *attr)
{
    DomainExtraNode *n = domain_extra_get(x, path);
    xmlChar *v = xmlNodeListGetString(attr->doc, attr->children, 1);
    g_autofree char *name = NULL;

    if (attr->ns && attr->ns->prefix)
        name = g_strdup_printf("%s:%s", attr->ns->prefix, attr->name);
    else
        name = g_strdup((const char *)attr->name);
    fmt_attr(n->attrs, name, v ? (const char *)v : "");
    if (v)
        xmlFree(v);
}

const char *
domain_extra_attrs(const DomainExtra *x, const char *path)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    return n ? n->attrs->str : "";
}

gboolean
domain_extra_has(const DomainExtra *x, const char *path)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    return n && (n->attrs->len > 0 || n->children->len > 0);
}

guint
domain_extra_count(const DomainExtra *x, const char *path, const char *name)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);
    guint count = 0;

    for (guint i = 0; n && i < n->children->len; i++) {
        DomainExtraChild *c = g_ptr_array_index(n->children, i);

        if (g_str_equal(c->name, name))
            count++;
    }
    return count;
}

gboolean
domain_extra_child_contains(const DomainExtra *x, const char *path, const char *name,
                            const char *text)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    for (guint i = 0; n && i < n->children->len; i++) {
        DomainExtraChild *c = g_ptr_array_index(n->children, i);

        if (g_str_equal(c->name, name) && strstr(c->xml, text))
            return TRUE;
    }
    return FALSE;
}

static int
domain_extra_rank(const char *const *order, const char *name)
{
    for (int i = 0; order && order[i]; i++) {
        if (g_str_equal(order[i], name))
            return i;
    }
    return G_MAXINT;
}

static void
domain_extra_format_range(XmlBuf *b, const DomainExtra *x, const char *path,
                          const char *const *order, int lo, int hi)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    if (!n)
        return;
    for (guint i = 0; i < n->children->len; i++) {
        DomainExtraChild *c = g_ptr_array_index(n->children, i);
        int rank = domain_extra_rank(order, c->name);

        if (rank >= lo && (rank < hi || hi == G_MAXINT))
            xml_buf_add_raw(b, c->xml);
    }
}

void
domain_extra_format_class(XmlBuf *b, const DomainExtra *x, const char *path, const char *name,
                          guint seq, gboolean and_after)
{
    DomainExtraNode *n = domain_extra_lookup(x, path);

    for (guint i = 0; n && i < n->children->len; i++) {
        DomainExtraChild *c = g_ptr_array_index(n->children, i);

        if (g_str_equal(c->name, name) && (c->seq == seq || (and_after && c->seq > seq)))
            xml_buf_add_raw(b, c->xml);
    }
}

void
domain_extra_format_children(XmlBuf *b, const DomainExtra *x, const char *path)
{
    domain_extra_format_range(b, x, path, NULL, 0, G_MAXINT);
}

void
domain_extra_format_before(XmlBuf *b, const DomainExtra *x, const char *path,
                           const char *const *order, guint *cursor, const char *next)
{
    int hi = next ? domain_extra_rank(order, next) : G_MAXINT;

    if (hi != G_MAXINT && hi < (int)*cursor)
        return;
    if (*cursor == G_MAXUINT)
        return;
    domain_extra_format_range(b, x, path, order, (int)*cursor, hi);
    *cursor = hi == G_MAXINT ? G_MAXUINT : (guint)hi;
}

/* ---- parse context ----------------------------------------------------------- */

void
dctx_init(DomainParseCtx *ctx, unsigned flags, const DomainXMLOptions *opts)
{
    ctx->used = g_hash_table_new(NULL, NULL);
    ctx->owned = g_hash_table_new(NULL, NULL);
    ctx->flags = flags;
    ctx->opts = opts;
}

void
dctx_clear(DomainParseCtx *ctx)
{
    g_clear_pointer(&ctx->used, g_hash_table_unref);
    g_clear_pointer(&ctx->owned, g_hash_table_unref);
}

void
dctx_use(DomainParseCtx *ctx, xmlNode *node)
{
    if (node)
        g_hash_table_add(ctx->used, node);
}

void
dctx_use_subtree(DomainParseCtx *ctx, xmlNode *node)
{
    if (node->type != XML_ELEMENT_NODE)
        return;
    g_hash_table_add(ctx->used, node);
    for (xmlAttr *a = node->properties; a; a = a->next)
        g_hash_table_add(ctx->used, a);
    for (xmlNode *c = node->children; c; c = c->next)
        dctx_use_subtree(ctx, c);
}

char *
dctx_prop(DomainParseCtx *ctx, xmlNode *node, const char *name)
{
    xmlAttr *attr = xmlHasNsProp(node, (const xmlChar *)name, NULL);

    if (!attr)
        return NULL;
    g_hash_table_add(ctx->used, attr);
    return xml_get_prop(node, name);
}

char *
dctx_prop_req(DomainParseCtx *ctx, xmlNode *node, const char *name, GError **error)
{
    char *v = dctx_prop(ctx, node, name);

    if (!v)
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Missing required attribute '%s' in element '%s'", name,
                     (const char *)node->name);
    return v;
}

xmlNode *
dctx_child(DomainParseCtx *ctx, xmlNode *node, const char *name)
{
    xmlNode *c = xml_child(node, name);

    dctx_use(ctx, c);
    return c;
}

GPtrArray *
dctx_children(DomainParseCtx *ctx, xmlNode *node, const char *name)
{
    GPtrArray *list = xml_children(node, name);

    for (guint i = 0; i < list->len; i++)
        dctx_use(ctx, g_ptr_array_index(list, i));
    return list;
}

char *
dctx_text(DomainParseCtx *ctx, xmlNode *node)
{
    dctx_use(ctx, node);
    return xml_text(node);
}

char *
dctx_child_text(DomainParseCtx *ctx, xmlNode *node, const char *name)
{
    xmlNode *c = dctx_child(ctx, node, name);

    return c ? xml_text(c) : NULL;
}

static void
dctx_mark_attr(DomainParseCtx *ctx, xmlNode *node, const char *name)
{
    xmlAttr *attr = xmlHasNsProp(node, (const xmlChar *)name, NULL);

    if (attr)
        g_hash_table_add(ctx->used, attr);
}

gboolean
dctx_prop_uint(DomainParseCtx *ctx, xmlNode *node, const char *name, guint *ret,
               GError **error)
{
    dctx_mark_attr(ctx, node, name);
    return xml_prop_uint(node, name, ret, error);
}

gboolean
dctx_prop_int(DomainParseCtx *ctx, xmlNode *node, const char *name, int *ret, GError **error)
{
    dctx_mark_attr(ctx, node, name);
    return xml_prop_int(node, name, ret, error);
}

gboolean
dctx_prop_tristate(DomainParseCtx *ctx, xmlNode *node, const char *name, gboolean onoff,
                   DomainTristate *ret, GError **error)
{
    int v = DOMAIN_TRISTATE_ABSENT;

    dctx_mark_attr(ctx, node, name);
    if (!xml_prop_bool(node, name, onoff, &v, error))
        return FALSE;
    if (v != DOMAIN_TRISTATE_ABSENT)
        *ret = v;
    return TRUE;
}

gboolean
dctx_prop_enum(DomainParseCtx *ctx, xmlNode *node, const char *name,
               int (*from_string)(const char *), int *ret, const char *what, GError **error)
{
    g_autofree char *v = dctx_prop(ctx, node, name);
    int val;

    if (!v)
        return TRUE;
    if ((val = from_string(v)) < 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED, "unknown %s '%s'", what,
                     v);
        return FALSE;
    }
    *ret = val;
    return TRUE;
}

gboolean
dctx_prop_choice(DomainParseCtx *ctx, xmlNode *node, const char *name,
                 const char *const *values, char **ret, const char *what, GError **error)
{
    g_autofree char *v = dctx_prop(ctx, node, name);

    if (!v)
        return TRUE;
    if (!g_strv_contains(values, v)) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED, "unknown %s '%s'", what,
                     v);
        return FALSE;
    }
    g_free(*ret);
    *ret = g_steal_pointer(&v);
    return TRUE;
}

static void
dctx_collect_node(DomainParseCtx *ctx, xmlNode *node, const char *path, DomainExtra *x)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (xmlNs *ns = node->nsDef; ns; ns = ns->next) {
        g_autofree char *attr = ns->prefix ? g_strdup_printf("xmlns:%s", ns->prefix)
                                           : g_strdup("xmlns");

        fmt_attr(domain_extra_get(x, path)->attrs, attr, (const char *)ns->href);
    }
    for (xmlAttr *a = node->properties; a; a = a->next) {
        if (!g_hash_table_contains(ctx->used, a))
            domain_extra_add_attr(x, path, a);
    }
    for (xmlNode *c = node->children; c; c = c->next) {
        guint idx;
        g_autofree char *cpath = NULL;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        idx = GPOINTER_TO_UINT(g_hash_table_lookup(seen, c->name));
        g_hash_table_replace(seen, g_strdup((const char *)c->name), GUINT_TO_POINTER(idx + 1));
        if (g_hash_table_contains(ctx->owned, c) || g_hash_table_contains(ctx->used, c)) {
            guint k = GPOINTER_TO_UINT(g_hash_table_lookup(known, c->name));

            g_hash_table_replace(known, g_strdup((const char *)c->name),
                                 GUINT_TO_POINTER(k + 1));
        }
        if (g_hash_table_contains(ctx->owned, c))
            continue;
        if (!g_hash_table_contains(ctx->used, c)) {
            domain_extra_add_element_seq(
                x, path, c, GPOINTER_TO_UINT(g_hash_table_lookup(known, c->name)));
            continue;
        }
        cpath = domain_extra_path(path, (const char *)c->name, idx);
        dctx_collect_node(ctx, c, cpath, x);
    }
    g_hash_table_unref(seen);
    g_hash_table_unref(known);
}

gboolean
dctx_collect(DomainParseCtx *ctx, xmlNode *node, DomainExtra **extra, GError **error)
{
    g_autoptr(GError) unused = NULL;
    DomainExtra *x = domain_extra_new();

    dctx_collect_node(ctx, node, "", x);
    g_hash_table_add(ctx->owned, node);
    if (domain_extra_is_empty(x)) {
        domain_extra_free(x);
        return TRUE;
    }
    if (ctx->flags & DOMAIN_PARSE_VALIDATE) {
        g_autofree char *what = domain_extra_describe_first(x, (const char *)node->name);

        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_INVALID_SCHEMA, "unsupported %s", what);
        domain_extra_free(x);
        return FALSE;
    }
    domain_extra_free(*extra);
    *extra = x;
    return TRUE;
}

/* ---- formatting helpers --------------------------------------------------------- */

char *
fmt_escape_text(const char *text)
{
    char *esc = g_markup_escape_text(text, -1);

    g_strdelimit(esc, "\n", FMT_TEXT_NEWLINE);
    return esc;
}

/* Append the attributes of @extra whose name @attrs does not have yet (a
 * value the parser left alone but the formatter writes itself wins). */
static void
fmt_attrs_append_new(GString *attrs, const char *extra)
{
    g_autoptr(GRegex) re = g_regex_new(" ([^=' ]+)='[^']*'", 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;

    g_regex_match(re, extra, 0, &mi);
    while (g_match_info_matches(mi)) {
        g_autofree char *name = g_match_info_fetch(mi, 1);
        g_autofree char *item = g_match_info_fetch(mi, 0);
        g_autofree char *key = g_strdup_printf(" %s='", name);

        if (!strstr(attrs->str, key))
            g_string_append(attrs, item);
        g_match_info_next(mi, NULL);
    }
}

typedef struct {
    char *text;
    int rank;
} FmtAttrItem;

void
fmt_attrs_sort(GString *attrs, const char *const *order)
{
    g_autoptr(GRegex) re = g_regex_new(" ([^=' ]+)='[^']*'", 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;
    g_autoptr(GArray) items = g_array_new(FALSE, FALSE, sizeof(FmtAttrItem));

    g_regex_match(re, attrs->str, 0, &mi);
    while (g_match_info_matches(mi)) {
        g_autofree char *name = g_match_info_fetch(mi, 1);
        FmtAttrItem item = { g_match_info_fetch(mi, 0), domain_extra_rank(order, name) };
        guint pos = items->len;

        /* stable insertion: after every item of a lower or equal rank */
        while (pos > 0 && g_array_index(items, FmtAttrItem, pos - 1).rank > item.rank)
            pos--;
        g_array_insert_val(items, pos, item);
        g_match_info_next(mi, NULL);
    }
    g_string_truncate(attrs, 0);
    for (guint i = 0; i < items->len; i++) {
        FmtAttrItem *item = &g_array_index(items, FmtAttrItem, i);

        g_string_append(attrs, item->text);
        g_free(item->text);
    }
}

/* Escaped attribute value; whitespace characters other than the space are
 * written as references so that they survive re-parsing (and indentation). */
static char *
fmt_escape_attr(const char *value)
{
    g_autofree char *esc = g_markup_escape_text(value, -1);
    GString *s = g_string_sized_new(strlen(esc));

    for (const char *p = esc; *p; p++) {
        if (*p == '\n')
            g_string_append(s, "&#10;");
        else if (*p == '\r')
            g_string_append(s, "&#13;");
        else if (*p == '\t')
            g_string_append(s, "&#9;");
        else
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

void
fmt_attr(GString *attrs, const char *name, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = fmt_escape_attr(value);
    g_string_append_printf(attrs, " %s='%s'", name, esc);
}

void
fmt_attr_printf(GString *attrs, const char *name, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *value = NULL;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fmt_attr(attrs, name, value);
}

void
fmt_element_sorted(XmlBuf *b, const char *name, const char *attrs, const char *children,
                   const DomainExtra *x, const char *path, gboolean force,
                   const char *const *order)
{
    g_autoptr(GString) all = g_string_new(attrs);
    DomainExtraNode *n = path ? domain_extra_lookup(x, path) : NULL;
    gboolean has_children = (children && *children) || (n && n->children->len > 0);

    if (n)
        fmt_attrs_append_new(all, n->attrs->str);
    if (order)
        fmt_attrs_sort(all, order);
    if (!force && !has_children && all->len == 0)
        return;
    xml_buf_add_raw(b, "<");
    xml_buf_add_raw(b, name);
    xml_buf_add_raw(b, all->str);
    if (!has_children) {
        xml_buf_add_raw(b, "/>\n");
        return;
    }
    xml_buf_add_raw(b, ">\n");
    xml_buf_indent(b, 2);
    if (children)
        xml_buf_add_raw(b, children);
    if (n)
        domain_extra_format_children(b, x, path);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</%s>\n", name);
}

void
fmt_element(XmlBuf *b, const char *name, const char *attrs, const char *children,
            const DomainExtra *x, const char *path, gboolean force)
{
    fmt_element_sorted(b, name, attrs, children, x, path, force, NULL);
}

void
fmt_text_element(XmlBuf *b, const char *name, const char *text, const DomainExtra *x,
                 const char *path)
{
    g_autofree char *esc = NULL;
    DomainExtraNode *n = domain_extra_lookup(x, path);

    if (!text)
        return;
    esc = fmt_escape_text(text);
    xml_buf_add(b, "<%s", name);
    xml_buf_add_raw(b, domain_extra_attrs(x, path));
    xml_buf_add_raw(b, ">");
    xml_buf_add_raw(b, esc);
    if (n && n->children->len > 0) {
        /* mixed content: the unknown children follow the text */
        xml_buf_add_raw(b, "\n");
        xml_buf_indent(b, 2);
        domain_extra_format_children(b, x, path);
        xml_buf_indent(b, -2);
    }
    xml_buf_add(b, "</%s>\n", name);
}

/* ---- raw serialization ------------------------------------------------------------ */

static gboolean
fmt_raw_is_blank(xmlNode *n)
{
    return (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
           xmlIsBlankNode(n);
}

static void
fmt_raw_qname(GString *out, xmlNs *ns, const xmlChar *name)
{
    if (ns && ns->prefix)
        g_string_append_printf(out, "%s:", (const char *)ns->prefix);
    g_string_append(out, (const char *)name);
}

static void
fmt_raw_attr(GString *out, const char *name, const char *value, char q)
{
    g_autofree char *esc = fmt_escape_attr(value ? value : "");

    g_string_append_printf(out, " %s=%c%s%c", name, q, esc, q);
}

/* Declare @ns unless already in scope (the scope lists prefixes, "" = default). */
static void
fmt_raw_declare(GString *out, GPtrArray *scope, xmlNs *ns, char q)
{
    const char *prefix;
    g_autofree char *attr = NULL;

    if (!ns || !ns->href)
        return;
    prefix = ns->prefix ? (const char *)ns->prefix : "";
    for (guint i = 0; i < scope->len; i++) {
        if (g_str_equal(g_ptr_array_index(scope, i), prefix))
            return;
    }
    g_ptr_array_add(scope, (gpointer)prefix);
    attr = *prefix ? g_strdup_printf("xmlns:%s", prefix) : g_strdup("xmlns");
    fmt_raw_attr(out, attr, (const char *)ns->href, q);
}

static void
fmt_raw_element(GString *out, xmlNode *node, int indent, GPtrArray *scope, char q)
{
    guint scope_len = scope->len;
    gboolean has_elem = FALSE;
    gboolean has_text = FALSE;

    g_string_append_printf(out, "%*s<", indent, "");
    fmt_raw_qname(out, node->ns, node->name);
    for (xmlNs *ns = node->nsDef; ns; ns = ns->next)
        fmt_raw_declare(out, scope, ns, q);
    fmt_raw_declare(out, scope, node->ns, q);
    for (xmlAttr *a = node->properties; a; a = a->next) {
        GString *name = g_string_new(NULL);
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);

        fmt_raw_declare(out, scope, a->ns, q);
        fmt_raw_qname(name, a->ns, a->name);
        fmt_raw_attr(out, name->str, (const char *)v, q);
        g_string_free(name, TRUE);
        if (v)
            xmlFree(v);
    }
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            has_elem = TRUE;
        else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                 !fmt_raw_is_blank(c))
            has_text = TRUE;
    }
    if (!has_elem && !has_text) {
        g_string_append(out, "/>\n");
    } else if (!has_elem) {
        xmlChar *t = xmlNodeGetContent(node);
        g_autofree char *esc = fmt_escape_text(t ? (const char *)t : "");

        g_string_append_printf(out, ">%s</", esc);
        fmt_raw_qname(out, node->ns, node->name);
        g_string_append(out, ">\n");
        if (t)
            xmlFree(t);
    } else {
        g_string_append(out, ">\n");
        for (xmlNode *c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                fmt_raw_element(out, c, indent + 2, scope, q);
            } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                       !fmt_raw_is_blank(c)) {
                g_autofree char *esc = fmt_escape_text((const char *)c->content);

                g_string_append_printf(out, "%*s%s\n", indent + 2, "", g_strstrip(esc));
            }
        }
        g_string_append_printf(out, "%*s</", indent, "");
        fmt_raw_qname(out, node->ns, node->name);
        g_string_append(out, ">\n");
    }
    g_ptr_array_set_size(scope, scope_len);
}

void
fmt_raw_node(GString *out, xmlNode *node, gboolean dquote)
{
    g_autoptr(GPtrArray) scope = g_ptr_array_new();

    fmt_raw_element(out, node, 0, scope, dquote ? '"' : '\'');
}

void
fmt_raw_node_in_scope(GString *out, xmlNode *node)
{
    g_autoptr(GPtrArray) scope = g_ptr_array_new();

    /* the declarations of the ancestors are kept with them (as attributes) */
    for (xmlNode *p = node->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
        for (xmlNs *ns = p->nsDef; ns; ns = ns->next)
            g_ptr_array_add(scope, (gpointer)(ns->prefix ? (const char *)ns->prefix : ""));
    }
    fmt_raw_element(out, node, 0, scope, '\'');
}
