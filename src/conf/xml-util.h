/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml-util.h: reading XML documents with libxml2.
 *
 * Parsing is strict about well-formedness (no network access, no entity
 * expansion); errors name the element and attribute at fault.
 */
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <glib.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Parse @xml; the root element must be @root_name.  @what names the document
 * in errors ("domain", "pool"). */
xmlDoc *xml_parse_string(const char *xml, const char *root_name, const char *what,
                         GError **error);

/* Attribute @name of @node (newly allocated), or NULL. */
char *xml_get_prop(xmlNode *node, const char *name);
/* The first element child called @name, or NULL. */
xmlNode *xml_child(xmlNode *node, const char *name);
/* The element children called @name (NULL: all of them), in order. */
GPtrArray *xml_children(xmlNode *node, const char *name);
/* The text content of @node (newly allocated; "" for an empty element). */
char *xml_text(xmlNode *node);
/* The text of the first child @name, or NULL when there is none. */
char *xml_child_text(xmlNode *node, const char *name);
/* @node serialized as XML text (newly allocated). */
char *xml_node_to_string(xmlNode *node);
gboolean xml_is_element(xmlNode *node, const char *name);

/* Attribute helpers that report a bad value: the attribute may be absent
 * (returns TRUE and leaves *ret alone). */
gboolean xml_prop_uint(xmlNode *node, const char *name, guint *ret, GError **error);
gboolean xml_prop_ullong(xmlNode *node, const char *name, guint64 *ret, GError **error);
gboolean xml_prop_int(xmlNode *node, const char *name, int *ret, GError **error);
/* yes/no (and on/off with @onoff). */
gboolean xml_prop_bool(xmlNode *node, const char *name, gboolean onoff, int *ret_tristate,
                       GError **error);
