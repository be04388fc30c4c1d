/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-priv.h: what the domain-conf-*.c files share.
 *
 * Parsing goes through a DomainParseCtx that remembers every element and
 * attribute a parser consumed (dctx_* helpers); what was not consumed is
 * then collected into a DomainExtra and written back on format.
 */
#pragma once

#include "conf/domain-conf.h"
#include "conf/xml-buf.h"

/* ---- parse context (domain-conf-unknown.c) ------------------------------ */

typedef struct {
    GHashTable *used;    /* xmlNode* and xmlAttr* consumed by a parser */
    GHashTable *owned;   /* device nodes whose leftovers belong to the device */
    unsigned flags;      /* DOMAIN_PARSE_* */
    const DomainXMLOptions *opts;
} DomainParseCtx;

void dctx_init(DomainParseCtx *ctx, unsigned flags, const DomainXMLOptions *opts);
void dctx_clear(DomainParseCtx *ctx);
void dctx_use(DomainParseCtx *ctx, xmlNode *node);
/* Mark @node, its attributes and all its descendants consumed. */
void dctx_use_subtree(DomainParseCtx *ctx, xmlNode *node);
/* The attribute's value (caller frees) or NULL; marks it consumed. */
char *dctx_prop(DomainParseCtx *ctx, xmlNode *node, const char *name);
/* A required attribute: XML error naming it when absent. */
char *dctx_prop_req(DomainParseCtx *ctx, xmlNode *node, const char *name, GError **error);
xmlNode *dctx_child(DomainParseCtx *ctx, xmlNode *node, const char *name);
/* All element children called @name, consumed (free the array only). */
GPtrArray *dctx_children(DomainParseCtx *ctx, xmlNode *node, const char *name);
/* The text of @node (consumed), or of its first child @name (NULL if none). */
char *dctx_text(DomainParseCtx *ctx, xmlNode *node);
char *dctx_child_text(DomainParseCtx *ctx, xmlNode *node, const char *name);

gboolean dctx_prop_uint(DomainParseCtx *ctx, xmlNode *node, const char *name, guint *ret,
                        GError **error);
gboolean dctx_prop_int(DomainParseCtx *ctx, xmlNode *node, const char *name, int *ret,
                       GError **error);
/* yes/no (@onoff: on/off) into a DomainTristate. */
gboolean dctx_prop_tristate(DomainParseCtx *ctx, xmlNode *node, const char *name,
                            gboolean onoff, DomainTristate *ret, GError **error);
/*
 * An enum attribute.  Absent: *ret untouched, TRUE.  Unknown value: error
 * "unknown @what '@value'" (CONFIG_UNSUPPORTED).
 */
gboolean dctx_prop_enum(DomainParseCtx *ctx, xmlNode *node, const char *name,
                        int (*from_string)(const char *), int *ret, const char *what,
                        GError **error);
/* A string attribute restricted to @values (NULL-terminated). */
gboolean dctx_prop_choice(DomainParseCtx *ctx, xmlNode *node, const char *name,
                          const char *const *values, char **ret, const char *what,
                          GError **error);

/*
 * Collect what was not consumed under @node (which must be the element the
 * DomainExtra belongs to) into *@extra; nodes in ctx->owned are skipped.
 * With DOMAIN_PARSE_VALIDATE a leftover is an error naming it.  Marks @node
 * as owned so an enclosing collection skips it.
 */
gboolean dctx_collect(DomainParseCtx *ctx, xmlNode *node, DomainExtra **extra,
                      GError **error);

/* ---- DomainExtra (domain-conf-unknown.c) -------------------------------- */

DomainExtra *domain_extra_new(void);
void domain_extra_free(DomainExtra *x);
DomainExtra *domain_extra_copy(const DomainExtra *x);
gboolean domain_extra_is_empty(const DomainExtra *x);
/* "element <foo> in <disk>" or "attribute 'bar' of <driver>" (caller frees). */
char *domain_extra_describe_first(const DomainExtra *x, const char *owner);
/* Keep a whole element (an unsupported device) at @path of @x. */
void domain_extra_add_element(DomainExtra *x, const char *path, xmlNode *node);
/* Path of the @idx-th (0-based) child called @name below @parent:
 * "parent/name", or "parent/name[idx]" when idx > 0 (caller frees). */
char *domain_extra_path(const char *parent, const char *name, guint idx);

/* " a='b'" for the unknown attributes at @path ("" if none). */
const char *domain_extra_attrs(const DomainExtra *x, const char *path);
gboolean domain_extra_has(const DomainExtra *x, const char *path);
/* Number of unknown children called @name at @path. */
guint domain_extra_count(const DomainExtra *x, const char *path, const char *name);
/* Is there an unknown child @name at @path whose XML contains @text? */
gboolean domain_extra_child_contains(const DomainExtra *x, const char *path, const char *name,
                                     const char *text);
/* The unknown children called @name at @path that came after @seq known
 * siblings of that name (@and_after: or more). */
void domain_extra_format_class(XmlBuf *b, const DomainExtra *x, const char *path,
                               const char *name, guint seq, gboolean and_after);
/* All the unknown children at @path. */
void domain_extra_format_children(XmlBuf *b, const DomainExtra *x, const char *path);

/*
 * Containers with a canonical child order (<domain>, <devices>, <os>...):
 * before writing known child @next, write the unknown children whose place
 * in @order comes before it.  @cursor starts at 0; @next NULL flushes the
 * rest (unknown names go last).
 */
void domain_extra_format_before(XmlBuf *b, const DomainExtra *x, const char *path,
                                const char *const *order, guint *cursor, const char *next);

/* ---- formatting helpers (domain-conf-unknown.c) ------------------------- */

/*
 * Escaped element text.  Its newlines become FMT_TEXT_NEWLINE so that the
 * re-indenting XmlBuf leaves them alone; domain_def_format_buf() turns them
 * back into newlines (the character cannot occur in parsed XML 1.0).
 */
#define FMT_TEXT_NEWLINE '\x01'
char *fmt_escape_text(const char *text);
/* Reorder " a='1' b='2'" by @order (NULL-terminated); others go last. */
void fmt_attrs_sort(GString *attrs, const char *const *order);
/* Append " name='value'" (escaped) when @value is not NULL. */
void fmt_attr(GString *attrs, const char *name, const char *value);
void fmt_attr_printf(GString *attrs, const char *name, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/*
 * Write <@name@attrs+extra-attrs> @children + extra children </@name>, or an
 * empty element; writes nothing when there is no attribute, child or extra
 * and !@force.  @children is text produced by a separate XmlBuf at indent 0.
 */
void fmt_element(XmlBuf *b, const char *name, const char *attrs, const char *children,
                 const DomainExtra *x, const char *path, gboolean force);
/* The same, the attributes (known and unknown) in libvirt's @order. */
void fmt_element_sorted(XmlBuf *b, const char *name, const char *attrs, const char *children,
                        const DomainExtra *x, const char *path, gboolean force,
                        const char *const *order);
/* <@name>escaped text</@name> with extras at @path. */
void fmt_text_element(XmlBuf *b, const char *name, const char *text, const DomainExtra *x,
                      const char *path);
/* Serialize a node as libvirt-looking XML (single quotes, 2-space indent,
 * blanks between elements dropped); @dquote uses double quotes instead. */
void fmt_raw_node(GString *out, xmlNode *node, gboolean dquote);
/* The same, for a node written back inside its (kept) ancestors: the
 * namespaces they declare are not declared again. */
void fmt_raw_node_in_scope(GString *out, xmlNode *node);

/* ---- device info (domain-conf.c) ---------------------------------------- */

gboolean domain_device_info_parse(DomainParseCtx *ctx, xmlNode *node, DomainDeviceInfo *info,
                                  gboolean allow_boot, GError **error);
/* <boot/>, <alias/>, <address/> in libvirt's order; with @order (the
 * device's child order) unknown children are interleaved via @cursor. */
void domain_device_info_format(XmlBuf *b, const DomainDeviceInfo *info, const DomainExtra *x,
                               const char *const *order, guint *cursor, unsigned flags);
void domain_device_info_copy(DomainDeviceInfo *dst, const DomainDeviceInfo *src);

/* ---- per device class --------------------------------------------------- */

/* Each *_parse returns NULL with *ret_unsupported = TRUE (and no error)
 * for a type it does not model, so the caller keeps the element verbatim. */
DomainDiskDef *domain_disk_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                     gboolean *ret_unsupported, GError **error);
void domain_disk_def_format(XmlBuf *b, const DomainDiskDef *disk, unsigned flags);
DomainNetDef *domain_net_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                   gboolean *ret_unsupported, GError **error);
void domain_net_def_format(XmlBuf *b, const DomainNetDef *net, unsigned flags);
DomainChrDef *domain_chr_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                   DomainChrDeviceType devtype, gboolean *ret_unsupported,
                                   GError **error);
void domain_chr_def_format(XmlBuf *b, const DomainChrDef *chr, unsigned flags);
gboolean domain_chr_source_parse(DomainParseCtx *ctx, xmlNode *node, DomainChrSourceDef *src,
                                 GError **error);
/* The <source>/<protocol> children of a chardev-like element, the extra at @path. */
void domain_chr_source_format(XmlBuf *b, const DomainChrSourceDef *src, const DomainExtra *x,
                              const char *path, unsigned flags);
void domain_chr_source_copy(DomainChrSourceDef *dst, const DomainChrSourceDef *src);

DomainControllerDef *domain_controller_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                                 gboolean *ret_unsupported, GError **error);
void domain_controller_def_format(XmlBuf *b, const DomainControllerDef *ctrl, unsigned flags);
DomainInputDef *domain_input_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                       gboolean *ret_unsupported, GError **error);
void domain_input_def_format(XmlBuf *b, const DomainInputDef *input, unsigned flags);
DomainGraphicsDef *domain_graphics_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                             gboolean *ret_unsupported, GError **error);
void domain_graphics_def_format(XmlBuf *b, const DomainGraphicsDef *gr, unsigned flags);
DomainVideoDef *domain_video_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                       gboolean *ret_unsupported, GError **error);
void domain_video_def_format(XmlBuf *b, const DomainVideoDef *video, unsigned flags);
DomainAudioDef *domain_audio_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                       gboolean *ret_unsupported, GError **error);
void domain_audio_def_format(XmlBuf *b, const DomainAudioDef *audio, unsigned flags);
DomainMemballoonDef *domain_memballoon_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                                 gboolean *ret_unsupported, GError **error);
void domain_memballoon_def_format(XmlBuf *b, const DomainMemballoonDef *balloon,
                                  unsigned flags);
DomainRNGDef *domain_rng_def_parse(DomainParseCtx *ctx, xmlNode *node,
                                   gboolean *ret_unsupported, GError **error);
void domain_rng_def_format(XmlBuf *b, const DomainRNGDef *rng, unsigned flags);

/* ---- os, features, cpu, clock, lifecycle (domain-conf-os.c) ------------- */

gboolean domain_os_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error);
void domain_os_format(XmlBuf *b, const DomainDef *def, unsigned flags);
gboolean domain_features_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def,
                               GError **error);
void domain_features_format(XmlBuf *b, const DomainDef *def, unsigned flags);
gboolean domain_cpu_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error);
void domain_cpu_format(XmlBuf *b, const DomainDef *def, unsigned flags);
gboolean domain_clock_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def,
                            GError **error);
void domain_clock_format(XmlBuf *b, const DomainDef *def, unsigned flags);
gboolean domain_lifecycle_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def,
                                GError **error);
void domain_lifecycle_format(XmlBuf *b, const DomainDef *def, const char *const *order,
                             guint *cursor);
gboolean domain_pm_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error);
void domain_pm_format(XmlBuf *b, const DomainDef *def);
void domain_os_clear(DomainOSDef *os);
void domain_timer_def_free(gpointer timer);
void domain_clock_clear(DomainClockDef *clock);

/* ---- post-parse and devices (domain-conf-postparse.c) ------------------- */

gboolean domain_def_post_parse(DomainDef *def, DomainParseCtx *ctx, GError **error);

/* ---- the <devices> element (domain-conf-devices.c) ---------------------- */

gboolean domain_devices_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def,
                              GError **error);
void domain_devices_format(XmlBuf *b, const DomainDef *def, unsigned flags);
/* Insert where libvirt would (same type together, by index). */
void domain_devices_insert_controller(DomainDef *def, DomainControllerDef *ctrl);
