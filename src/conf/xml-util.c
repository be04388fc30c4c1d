/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "conf/xml-util.h"
#include "util/error.h"

typedef struct {
    GString *msg;
} XmlErrorCtx;

static void
xml_error_collect(void *data, xmlErrorPtr err)
{
    XmlErrorCtx *ctx = data;

    if (ctx->msg->len == 0 && err && err->message)
        g_string_append_printf(ctx->msg, "line %d: %s", err->line, g_strstrip(err->message));
}

xmlDoc *
xml_parse_string(const char *xml, const char *root_name, const char *what, GError **error)
{
    XmlErrorCtx ctx = { g_string_new(NULL) };
    xmlParserCtxtPtr pctxt = xmlNewParserCtxt();
    xmlDoc *doc = NULL;
    xmlNode *root;

    if (!xml || !*xml) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "empty %s XML document", what);
        goto out;
    }
    xmlSetStructuredErrorFunc(&ctx, xml_error_collect);
    doc = xmlCtxtReadMemory(pctxt, xml, strlen(xml), what, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "malformed %s XML: %s", what,
                     ctx.msg->len ? ctx.msg->str : "parse error");
        goto out;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || !xml_is_element(root, root_name)) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                     "unexpected root element <%s>, expecting <%s>",
                     root ? (const char *)root->name : "", root_name);
        xmlFreeDoc(doc);
        doc = NULL;
    }
 out:
    xmlFreeParserCtxt(pctxt);
    g_string_free(ctx.msg, TRUE);
    return doc;
}

gboolean
xml_is_element(xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && g_str_equal((const char *)node->name, name);
}

char *
xml_get_prop(xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (!v)
        return NULL;
    ret = g_strdup((const char *)v);
    xmlFree(v);
    return ret;
}

xmlNode *
xml_child(xmlNode *node, const char *name)
{
    for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && (!name || g_str_equal((const char *)c->name, name)))
            return c;
    }
    return NULL;
}

GPtrArray *
xml_children(xmlNode *node, const char *name)
{
    GPtrArray *list = g_ptr_array_new();

    for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && (!name || g_str_equal((const char *)c->name, name)))
            g_ptr_array_add(list, c);
    }
    return list;
}

char *
xml_text(xmlNode *node)
{
    xmlChar *v = xmlNodeGetContent(node);
    char *ret = g_strdup(v ? (const char *)v : "");

    if (v)
        xmlFree(v);
    return ret;
}

char *
xml_child_text(xmlNode *node, const char *name)
{
    xmlNode *c = xml_child(node, name);

    return c ? xml_text(c) : NULL;
}

char *
xml_node_to_string(xmlNode *node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *ret;

    xmlNodeDump(buf, node->doc, node, 0, 0);
    ret = g_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return ret;
}

static gboolean
xml_prop_number(xmlNode *node, const char *name, gboolean is_signed, guint64 max,
                guint64 *ret_u, gint64 *ret_s, gboolean *ret_present, GError **error)
{
    g_autofree char *v = xml_get_prop(node, name);
    char *end = NULL;

    *ret_present = FALSE;
    if (!v)
        return TRUE;
    errno = 0;
    if (is_signed) {
        *ret_s = g_ascii_strtoll(v, &end, 10);
    } else {
        if (v[0] == '-')
            goto bad;
        *ret_u = g_ascii_strtoull(v, &end, 0);
    }
    if (!*v || *end || errno != 0 || (!is_signed && *ret_u > max))
        goto bad;
    *ret_present = TRUE;
    return TRUE;
 bad:
    mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                 "invalid value '%s' for attribute '%s' of <%s>: expected %s", v, name,
                 (const char *)node->name, is_signed ? "an integer" : "a non-negative integer");
    return FALSE;
}

gboolean
xml_prop_uint(xmlNode *node, const char *name, guint *ret, GError **error)
{
    guint64 u = 0;
    gint64 s = 0;
    gboolean present;

    if (!xml_prop_number(node, name, FALSE, G_MAXUINT, &u, &s, &present, error))
        return FALSE;
    if (present)
        *ret = (guint)u;
    return TRUE;
}

gboolean
xml_prop_ullong(xmlNode *node, const char *name, guint64 *ret, GError **error)
{
    guint64 u = 0;
    gint64 s = 0;
    gboolean present;

    if (!xml_prop_number(node, name, FALSE, G_MAXUINT64, &u, &s, &present, error))
        return FALSE;
    if (present)
        *ret = u;
    return TRUE;
}

gboolean
xml_prop_int(xmlNode *node, const char *name, int *ret, GError **error)
{
    guint64 u = 0;
    gint64 s = 0;
    gboolean present;

    if (!xml_prop_number(node, name, TRUE, 0, &u, &s, &present, error))
        return FALSE;
    if (present) {
        if (s < G_MININT || s > G_MAXINT) {
            mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                         "value %" G_GINT64_FORMAT " of attribute '%s' of <%s> is out of range",
                         s, name, (const char *)node->name);
            return FALSE;
        }
        *ret = (int)s;
    }
    return TRUE;
}

gboolean
xml_prop_bool(xmlNode *node, const char *name, gboolean onoff, int *ret_tristate,
              GError **error)
{
    g_autofree char *v = xml_get_prop(node, name);

    if (!v)
        return TRUE;
    if (g_str_equal(v, "yes") || (onoff && g_str_equal(v, "on"))) {
        *ret_tristate = 1;
        return TRUE;
    }
    if (g_str_equal(v, "no") || (onoff && g_str_equal(v, "off"))) {
        *ret_tristate = 2;
        return TRUE;
    }
    mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                 "invalid value '%s' for attribute '%s' of <%s>: expected %s", v, name,
                 (const char *)node->name, onoff ? "'on' or 'off'" : "'yes' or 'no'");
    return FALSE;
}
