/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "conf/storage-xml.h"
#include "conf/xml-util.h"
#include "util/error.h"

void
storage_perms_init(StoragePerms *perms)
{
    perms->mode = -1;
    perms->uid = -1;
    perms->gid = -1;
    perms->label = NULL;
}

void
storage_perms_clear(StoragePerms *perms)
{
    g_clear_pointer(&perms->label, g_free);
    storage_perms_init(perms);
}

gboolean
storage_perms_is_set(const StoragePerms *perms)
{
    return perms->mode != -1 || perms->uid != -1 || perms->gid != -1 || perms->label;
}

static gboolean
storage_perms_parse_mode(xmlNode *perms, StoragePerms *ret, GError **error)
{
    g_autofree char *text = storage_xml_child_text(perms, "mode");
    char *end = NULL;
    gint64 mode;

    if (!text)
        return TRUE;
    g_strstrip(text);
    errno = 0;
    mode = g_ascii_strtoll(text, &end, 8);
    if (!*text || *end || errno != 0 || mode < 0 || (mode & ~0777) != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "malformed octal mode '%s' in <permissions>", text);
        return FALSE;
    }
    ret->mode = (int)mode;
    return TRUE;
}

/* <owner>/<group>: a uid/gid; -1 (and its unsigned twin) mean "unset". */
static gboolean
storage_perms_parse_id(xmlNode *perms, const char *name, gint64 *ret, GError **error)
{
    g_autofree char *text = NULL;
    xmlNode *node = xml_child(perms, name);
    char *end = NULL;
    gint64 id;

    if (!node)
        return TRUE;
    text = g_strstrip(xml_text(node));
    errno = 0;
    id = g_ascii_strtoll(text, &end, 10);
    if (!*text || *end || errno != 0 || id < -1 || id > G_MAXUINT32) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "malformed %s element '%s' in <permissions>", name, text);
        return FALSE;
    }
    *ret = id == G_MAXUINT32 ? -1 : id;
    return TRUE;
}

gboolean
storage_perms_parse(xmlNode *node, StoragePerms *perms, GError **error)
{
    static const char *const children[] = { "mode", "owner", "group", "label", NULL };

    storage_perms_clear(perms);
    if (!node)
        return TRUE;
    if (!storage_xml_check_attrs(node, NULL, error) ||
        !storage_xml_check_children(node, children, "the permissions", error) ||
        !storage_xml_check_text_children(node, children, error))
        return FALSE;
    for (size_t i = 0; children[i]; i++) {
        if (!storage_xml_check_unique(node, children[i], error))
            return FALSE;
    }
    if (!storage_perms_parse_mode(node, perms, error) ||
        !storage_perms_parse_id(node, "owner", &perms->uid, error) ||
        !storage_perms_parse_id(node, "group", &perms->gid, error))
        return FALSE;
    perms->label = storage_xml_child_text(node, "label");
    return TRUE;
}

void
storage_perms_format(XmlBuf *buf, const StoragePerms *perms)
{
    if (!storage_perms_is_set(perms))
        return;
    xml_buf_add(buf, "<permissions>\n");
    xml_buf_indent(buf, 2);
    if (perms->mode != -1)
        xml_buf_add(buf, "<mode>0%o</mode>\n", (unsigned)perms->mode);
    if (perms->uid != -1)
        xml_buf_add(buf, "<owner>%" G_GINT64_FORMAT "</owner>\n", perms->uid);
    if (perms->gid != -1)
        xml_buf_add(buf, "<group>%" G_GINT64_FORMAT "</group>\n", perms->gid);
    if (perms->label)
        xml_buf_add(buf, "<label>%s</label>\n", perms->label);
    xml_buf_indent(buf, -2);
    xml_buf_add(buf, "</permissions>\n");
}

static gboolean
storage_xml_name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++) {
        if (g_str_equal(name, list[i]))
            return TRUE;
    }
    return FALSE;
}

gboolean
storage_xml_check_attrs(xmlNode *node, const char *const *attrs, GError **error)
{
    for (xmlAttr *a = node->properties; a; a = a->next) {
        if (a->ns) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "unknown attribute '%s:%s' of <%s>",
                         (const char *)a->ns->prefix, (const char *)a->name,
                         (const char *)node->name);
            return FALSE;
        }
        if (!storage_xml_name_in((const char *)a->name, attrs)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "unknown attribute '%s' of <%s>", (const char *)a->name,
                         (const char *)node->name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
storage_xml_is_runtime(xmlNode *node)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           g_str_equal((const char *)node->ns->href, STORAGE_XML_MODVIRT_NS);
}

static gboolean
storage_xml_is_blank(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (!g_ascii_isspace(*p))
            return FALSE;
    }
    return TRUE;
}

gboolean
storage_xml_check_children(xmlNode *node, const char *const *children, const char *what,
                           GError **error)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content && !storage_xml_is_blank((const char *)c->content)) {
                g_autofree char *text = g_strstrip(g_strdup((const char *)c->content));

                mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                             "unexpected text '%s' in <%s>%s%s", text,
                             (const char *)node->name, what ? " of " : "", what ? what : "");
                return FALSE;
            }
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || storage_xml_is_runtime(c))
            continue;
        if (c->ns) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "unknown element <%s:%s> in <%s>%s%s",
                         c->ns->prefix ? (const char *)c->ns->prefix : "",
                         (const char *)c->name, (const char *)node->name,
                         what ? " of " : "", what ? what : "");
            return FALSE;
        }
        if (!storage_xml_name_in((const char *)c->name, children)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "unknown element <%s> in <%s>%s%s", (const char *)c->name,
                         (const char *)node->name, what ? " of " : "", what ? what : "");
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
storage_xml_check_unique(xmlNode *node, const char *name, GError **error)
{
    g_autoptr(GPtrArray) list = xml_children(node, name);

    if (list->len > 1) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                     "element <%s> appears %u times in <%s>, at most once is allowed",
                     name, list->len, (const char *)node->name);
        return FALSE;
    }
    return TRUE;
}

char *
storage_xml_child_text(xmlNode *node, const char *name)
{
    g_autofree char *text = xml_child_text(node, name);

    if (!text || !*text)
        return NULL;
    return g_steal_pointer(&text);
}

char *
storage_xml_prop(xmlNode *node, const char *name)
{
    g_autofree char *v = xml_get_prop(node, name);

    if (!v || !*v)
        return NULL;
    return g_steal_pointer(&v);
}

char *
storage_xml_sanitize_path(const char *path)
{
    GString *s = g_string_sized_new(strlen(path));
    const char *p = path;

    /* POSIX gives a leading "//" (exactly two slashes) a meaning of its own */
    if (p[0] == '/' && p[1] == '/' && p[2] != '/') {
        g_string_append(s, "//");
        p += 2;
    }
    for (; *p; p++) {
        if (*p == '/' && s->len > 0 && s->str[s->len - 1] == '/')
            continue;
        g_string_append_c(s, *p);
    }
    if (s->len > 1 && s->str[s->len - 1] == '/' && !g_str_equal(s->str, "//"))
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

static gboolean
storage_xml_has_element_children(xmlNode *node)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return TRUE;
    }
    return FALSE;
}

void
storage_xml_format_node(XmlBuf *buf, xmlNode *node)
{
    g_autofree char *text = NULL;

    xml_buf_add(buf, "<%s", (const char *)node->name);
    for (xmlAttr *a = node->properties; a; a = a->next) {
        g_autofree char *v = xml_get_prop(node, (const char *)a->name);

        xml_buf_add(buf, " %s='%s'", (const char *)a->name, v ? v : "");
    }
    if (storage_xml_has_element_children(node)) {
        xml_buf_add(buf, ">\n");
        xml_buf_indent(buf, 2);
        for (xmlNode *c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE)
                storage_xml_format_node(buf, c);
        }
        xml_buf_indent(buf, -2);
        xml_buf_add(buf, "</%s>\n", (const char *)node->name);
        return;
    }
    text = xml_text(node);
    if (*text)
        xml_buf_add(buf, ">%s</%s>\n", text, (const char *)node->name);
    else
        xml_buf_add(buf, "/>\n");
}

gboolean
storage_xml_check_leaf(xmlNode *node, const char *const *attrs, GError **error)
{
    if (!storage_xml_check_attrs(node, attrs, error))
        return FALSE;
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_ERROR,
                         "unknown element <%s> in <%s>", (const char *)c->name,
                         (const char *)node->name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
storage_xml_check_text_children(xmlNode *node, const char *const *names, GError **error)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns ||
            !storage_xml_name_in((const char *)c->name, names))
            continue;
        if (!storage_xml_check_leaf(c, NULL, error))
            return FALSE;
    }
    return TRUE;
}
