/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-capabilities.c: building and formatting <domainCapabilities>.
 */
#include <config.h>

#include <stdarg.h>

#include "conf/domain-capabilities.h"
#include "conf/xml-buf.h"

static void
domain_caps_enum_free(gpointer p)
{
    DomainCapsEnum *e = p;

    g_free(e->name);
    g_ptr_array_unref(e->values);
    g_free(e);
}

DomainCapsElement *
domain_caps_element_new(const char *name, gboolean supported)
{
    DomainCapsElement *el = g_new0(DomainCapsElement, 1);

    el->name = g_strdup(name);
    el->supported = supported;
    el->enums = g_ptr_array_new_with_free_func(domain_caps_enum_free);
    return el;
}

void
domain_caps_element_free(DomainCapsElement *el)
{
    if (!el)
        return;
    g_free(el->name);
    g_ptr_array_unref(el->enums);
    g_free(el);
}

void
domain_caps_enum_add_value(DomainCapsEnum *e, const char *value)
{
    g_ptr_array_add(e->values, g_strdup(value));
}

DomainCapsEnum *
domain_caps_element_add_enum(DomainCapsElement *el, const char *name, ...)
{
    DomainCapsEnum *e = g_new0(DomainCapsEnum, 1);
    const char *value;
    va_list ap;

    e->name = g_strdup(name);
    e->values = g_ptr_array_new_with_free_func(g_free);
    va_start(ap, name);
    while ((value = va_arg(ap, const char *)))
        domain_caps_enum_add_value(e, value);
    va_end(ap);
    g_ptr_array_add(el->enums, e);
    return e;
}

static void
domain_caps_cpu_model_free(gpointer p)
{
    DomainCapsCpuModel *m = p;

    g_free(m->name);
    g_free(m->canonical);
    g_strfreev(m->blockers);
    g_free(m);
}

static void
domain_caps_feature_free(gpointer p)
{
    DomainCapsFeature *f = p;

    g_free(f->name);
    g_free(f);
}

DomainCaps *
domain_caps_new(const char *path, const char *virttype, const char *machine, const char *arch,
                guint max_vcpus)
{
    DomainCaps *caps = g_new0(DomainCaps, 1);

    caps->path = g_strdup(path);
    caps->virttype = g_strdup(virttype);
    caps->machine = g_strdup(machine);
    caps->arch = g_strdup(arch);
    caps->max_vcpus = max_vcpus;
    caps->loader_values = g_ptr_array_new_with_free_func(g_free);
    caps->cpu_models = g_ptr_array_new_with_free_func(domain_caps_cpu_model_free);
    caps->devices = g_ptr_array_new_with_free_func((GDestroyNotify)domain_caps_element_free);
    caps->features = g_ptr_array_new_with_free_func(domain_caps_feature_free);
    return caps;
}

void
domain_caps_free(DomainCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->path);
    g_free(caps->virttype);
    g_free(caps->machine);
    g_free(caps->arch);
    domain_caps_element_free(caps->os);
    domain_caps_element_free(caps->loader);
    g_ptr_array_unref(caps->loader_values);
    g_free(caps->host_model_name);
    g_free(caps->host_model_vendor);
    g_ptr_array_unref(caps->cpu_models);
    domain_caps_element_free(caps->memory_backing);
    g_ptr_array_unref(caps->devices);
    g_ptr_array_unref(caps->features);
    g_free(caps);
}

DomainCapsElement *
domain_caps_add_device(DomainCaps *caps, const char *name, gboolean supported)
{
    DomainCapsElement *el = domain_caps_element_new(name, supported);

    g_ptr_array_add(caps->devices, el);
    return el;
}

void
domain_caps_add_feature(DomainCaps *caps, const char *name, gboolean supported)
{
    DomainCapsFeature *f = g_new0(DomainCapsFeature, 1);

    f->name = g_strdup(name);
    f->supported = supported;
    g_ptr_array_add(caps->features, f);
}

void
domain_caps_add_cpu_model(DomainCaps *caps, const char *name, const char *canonical,
                          gboolean usable, gboolean deprecated, const char *const *blockers)
{
    DomainCapsCpuModel *m = g_new0(DomainCapsCpuModel, 1);

    m->name = g_strdup(name);
    m->canonical = g_strdup(canonical);
    m->usable = usable;
    m->deprecated = deprecated;
    if (blockers && blockers[0])
        m->blockers = g_strdupv((char **)blockers);
    g_ptr_array_add(caps->cpu_models, m);
}

/* Formatting -------------------------------------------------------------- */

static const char *
domain_caps_yes_no(gboolean b)
{
    return b ? "yes" : "no";
}

static void
domain_caps_format_enums(XmlBuf *b, GPtrArray *enums)
{
    for (guint i = 0; i < enums->len; i++) {
        const DomainCapsEnum *e = g_ptr_array_index(enums, i);

        if (e->values->len == 0) {
            xml_buf_add(b, "<enum name='%s'/>\n", e->name);
            continue;
        }
        xml_buf_add(b, "<enum name='%s'>\n", e->name);
        for (guint j = 0; j < e->values->len; j++)
            xml_buf_add(b, "  <value>%s</value>\n", (char *)g_ptr_array_index(e->values, j));
        xml_buf_add(b, "</enum>\n");
    }
}

/* <NAME supported='..'> enums and @inner </NAME>, or <NAME supported='..'/>. */
static void
domain_caps_format_element(XmlBuf *b, const DomainCapsElement *el,
                           void (*inner)(XmlBuf *b, gconstpointer data), gconstpointer data)
{
    gboolean empty = el->enums->len == 0 && !inner;

    if (!el->supported || empty) {
        xml_buf_add(b, "<%s supported='%s'/>\n", el->name, domain_caps_yes_no(el->supported));
        return;
    }
    xml_buf_add(b, "<%s supported='yes'>\n", el->name);
    xml_buf_indent(b, 2);
    if (inner)
        inner(b, data);
    domain_caps_format_enums(b, el->enums);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</%s>\n", el->name);
}

static void
domain_caps_format_loader_values(XmlBuf *b, gconstpointer data)
{
    const DomainCaps *caps = data;

    for (guint i = 0; i < caps->loader_values->len; i++)
        xml_buf_add(b, "<value>%s</value>\n", (char *)g_ptr_array_index(caps->loader_values, i));
}

static void
domain_caps_format_os_inner(XmlBuf *b, gconstpointer data)
{
    const DomainCaps *caps = data;

    domain_caps_format_enums(b, caps->os->enums);
    if (caps->loader)
        domain_caps_format_element(b, caps->loader, domain_caps_format_loader_values, caps);
}

static void
domain_caps_format_os(XmlBuf *b, const DomainCaps *caps)
{
    if (!caps->os)
        return;
    if (!caps->os->supported) {
        xml_buf_add(b, "<os supported='no'/>\n");
        return;
    }
    xml_buf_add(b, "<os supported='yes'>\n");
    xml_buf_indent(b, 2);
    domain_caps_format_os_inner(b, caps);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</os>\n");
}

static void
domain_caps_format_migratable(XmlBuf *b, const char *mode, const char *enum_name,
                              gboolean supported)
{
    if (!supported) {
        xml_buf_add(b, "<mode name='%s' supported='no'/>\n", mode);
        return;
    }
    xml_buf_add(b, "<mode name='%s' supported='yes'>\n", mode);
    xml_buf_add(b, "  <enum name='%s'>\n", enum_name);
    xml_buf_add(b, "    <value>on</value>\n");
    xml_buf_add(b, "    <value>off</value>\n");
    xml_buf_add(b, "  </enum>\n");
    xml_buf_add(b, "</mode>\n");
}

static void
domain_caps_format_custom(XmlBuf *b, const DomainCaps *caps)
{
    if (!caps->custom || caps->cpu_models->len == 0) {
        xml_buf_add(b, "<mode name='custom' supported='%s'/>\n",
                    domain_caps_yes_no(caps->custom));
        return;
    }
    xml_buf_add(b, "<mode name='custom' supported='yes'>\n");
    xml_buf_indent(b, 2);
    for (guint i = 0; i < caps->cpu_models->len; i++) {
        const DomainCapsCpuModel *m = g_ptr_array_index(caps->cpu_models, i);
        g_autofree char *canonical = NULL;

        if (m->canonical)
            canonical = g_markup_printf_escaped(" canonical='%s'", m->canonical);
        xml_buf_add(b, "<model usable='%s'", domain_caps_yes_no(m->usable));
        if (m->deprecated)
            xml_buf_add(b, " deprecated='yes'");
        xml_buf_add_raw(b, canonical ? canonical : "");
        xml_buf_add(b, ">%s</model>\n", m->name);
        if (!m->blockers)
            continue;
        xml_buf_add(b, "<blockers model='%s'>\n", m->name);
        for (size_t j = 0; m->blockers[j]; j++)
            xml_buf_add(b, "  <feature name='%s'/>\n", m->blockers[j]);
        xml_buf_add(b, "</blockers>\n");
    }
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</mode>\n");
}

static void
domain_caps_format_cpu(XmlBuf *b, const DomainCaps *caps)
{
    xml_buf_add(b, "<cpu>\n");
    xml_buf_indent(b, 2);
    domain_caps_format_migratable(b, "host-passthrough", "hostPassthroughMigratable",
                                  caps->host_passthrough);
    domain_caps_format_migratable(b, "maximum", "maximumMigratable", caps->maximum);
    if (caps->host_model && caps->host_model_name) {
        xml_buf_add(b, "<mode name='host-model' supported='yes'>\n");
        xml_buf_add(b, "  <model fallback='forbid'>%s</model>\n", caps->host_model_name);
        if (caps->host_model_vendor)
            xml_buf_add(b, "  <vendor>%s</vendor>\n", caps->host_model_vendor);
        xml_buf_add(b, "</mode>\n");
    } else {
        xml_buf_add(b, "<mode name='host-model' supported='no'/>\n");
    }
    domain_caps_format_custom(b, caps);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</cpu>\n");
}

char *
domain_caps_format(const DomainCaps *caps)
{
    XmlBuf b;

    xml_buf_init(&b);
    xml_buf_add(&b, "<domainCapabilities>\n");
    xml_buf_indent(&b, 2);
    xml_buf_add(&b, "<path>%s</path>\n", caps->path);
    xml_buf_add(&b, "<domain>%s</domain>\n", caps->virttype);
    if (caps->machine)
        xml_buf_add(&b, "<machine>%s</machine>\n", caps->machine);
    xml_buf_add(&b, "<arch>%s</arch>\n", caps->arch);
    if (caps->max_vcpus > 0)
        xml_buf_add(&b, "<vcpu max='%u'/>\n", caps->max_vcpus);
    xml_buf_add(&b, "<iothreads supported='%s'/>\n", domain_caps_yes_no(caps->iothreads));
    domain_caps_format_os(&b, caps);
    domain_caps_format_cpu(&b, caps);
    if (caps->memory_backing)
        domain_caps_format_element(&b, caps->memory_backing, NULL, NULL);
    xml_buf_add(&b, "<devices>\n");
    xml_buf_indent(&b, 2);
    for (guint i = 0; i < caps->devices->len; i++)
        domain_caps_format_element(&b, g_ptr_array_index(caps->devices, i), NULL, NULL);
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</devices>\n");
    xml_buf_add(&b, "<features>\n");
    for (guint i = 0; i < caps->features->len; i++) {
        const DomainCapsFeature *f = g_ptr_array_index(caps->features, i);

        xml_buf_add(&b, "  <%s supported='%s'/>\n", f->name, domain_caps_yes_no(f->supported));
    }
    xml_buf_add(&b, "</features>\n");
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</domainCapabilities>\n");
    return xml_buf_finish(&b);
}
