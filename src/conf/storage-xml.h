/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-xml.h: pieces shared by the pool and volume XML code.
 *
 * - StoragePerms, the <permissions> block of a pool target, a volume target
 *   and a volume backing store;
 * - strict element/attribute checks: the storage XML parsers refuse, by
 *   name, anything they do not know instead of dropping it silently;
 * - libvirt's path clean-up (duplicate and trailing slashes).
 */
#pragma once

#include <sys/types.h>

#include <libxml/tree.h>

#include <glib.h>

#include "conf/xml-buf.h"

/* Values of the tristate ints (absent/yes/no) used by the storage structs,
 * the same convention as xml_prop_bool(). */
#define STORAGE_TRISTATE_ABSENT 0
#define STORAGE_TRISTATE_YES 1
#define STORAGE_TRISTATE_NO 2

/*
 * The namespace of modvirt's own runtime-only elements in storage XML (see
 * storage_pool_def_format()).  The parsers skip elements in this namespace:
 * they describe state, not configuration.
 */
#define STORAGE_XML_MODVIRT_NS "http://modvirt.org/schemas/storage/runtime/1.0"

/* <permissions>: -1 (mode, uid, gid) / NULL (label) mean "not set". */
typedef struct {
    int mode;
    gint64 uid;
    gint64 gid;
    char *label;
} StoragePerms;

void storage_perms_init(StoragePerms *perms);
void storage_perms_clear(StoragePerms *perms);
gboolean storage_perms_is_set(const StoragePerms *perms);
/*
 * Parse the <permissions> element @node (NULL: leaves @perms unset).
 * <mode> is octal (0..0777); <owner>/<group> are ids, -1 meaning "unset"
 * as libvirt accepts; <label> is kept as given.
 */
gboolean storage_perms_parse(xmlNode *node, StoragePerms *perms, GError **error);
/* Writes nothing when no field is set. */
void storage_perms_format(XmlBuf *buf, const StoragePerms *perms);

/*
 * Fail (MV_ERR_XML_ERROR) when @node has an attribute that is not in the
 * NULL-terminated list @attrs (NULL: no attribute allowed).
 */
gboolean storage_xml_check_attrs(xmlNode *node, const char *const *attrs, GError **error);
/*
 * Fail when @node has an element child that is not in the NULL-terminated
 * list @children (NULL: none allowed), or text other than white space.
 * Children in STORAGE_XML_MODVIRT_NS are allowed (runtime data).
 * @what names @node's owner in the message ("the pool"), NULL for the root.
 */
gboolean storage_xml_check_children(xmlNode *node, const char *const *children,
                                    const char *what, GError **error);
/* TRUE for an element in STORAGE_XML_MODVIRT_NS. */
gboolean storage_xml_is_runtime(xmlNode *node);
/* Fail when @node has more than one child element called @name. */
gboolean storage_xml_check_unique(xmlNode *node, const char *name, GError **error);

/*
 * The text of the child @name of @node, NULL when there is none or it is
 * empty (libvirt treats an empty element as a missing one).
 */
char *storage_xml_child_text(xmlNode *node, const char *name);
/* Attribute @name of @node, NULL when absent or empty. */
char *storage_xml_prop(xmlNode *node, const char *name);

/*
 * libvirt's path sanitizing: runs of '/' become one (a leading "//" is
 * kept), a trailing '/' is dropped.  Returns a new string.
 */
char *storage_xml_sanitize_path(const char *path);

/*
 * Write the element @node (attributes, element children, text) with @buf's
 * quoting and indentation: how the parsers keep a block they do not model
 * (such as <adapter>) and write it back unchanged in meaning.
 */
void storage_xml_format_node(XmlBuf *buf, xmlNode *node);

/*
 * Fail when a child of @node named in @names (NULL-terminated) is not a
 * plain text element (it has attributes or element children).
 */
gboolean storage_xml_check_text_children(xmlNode *node, const char *const *names,
                                         GError **error);
/* Fail when @node has attributes other than @attrs or element children. */
gboolean storage_xml_check_leaf(xmlNode *node, const char *const *attrs, GError **error);
