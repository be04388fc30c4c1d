/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "conf/capabilities.h"
#include "conf/xml-buf.h"

static void
caps_machine_free(gpointer p)
{
    CapsMachine *m = p;

    g_free(m->name);
    g_free(m->canonical);
    g_free(m);
}

static void
caps_guest_free(gpointer p)
{
    CapsGuest *g = p;

    g_free(g->os_type);
    g_free(g->arch);
    g_free(g->emulator);
    g_ptr_array_unref(g->machines);
    g_free(g);
}

Caps *
caps_new(void)
{
    Caps *caps = g_new0(Caps, 1);

    caps->guests = g_ptr_array_new_with_free_func(caps_guest_free);
    caps->secmodel = g_strdup("none");
    return caps;
}

Caps *
caps_new_host(void)
{
    Caps *caps = caps_new();

    caps->host = mv_hostinfo_topology();
    caps->host_uuid = mv_hostinfo_host_uuid();
    return caps;
}

void
caps_free(Caps *caps)
{
    if (!caps)
        return;
    g_free(caps->host_uuid);
    mv_host_topology_free(caps->host);
    g_free(caps->host_cpu_model);
    g_free(caps->secmodel);
    g_ptr_array_unref(caps->guests);
    g_free(caps);
}

CapsGuest *
caps_add_guest(Caps *caps, const char *os_type, const char *arch, guint wordsize,
               const char *emulator)
{
    CapsGuest *g = g_new0(CapsGuest, 1);

    g->os_type = g_strdup(os_type);
    g->arch = g_strdup(arch);
    g->wordsize = wordsize;
    g->emulator = g_strdup(emulator);
    g->machines = g_ptr_array_new_with_free_func(caps_machine_free);
    g_ptr_array_add(caps->guests, g);
    return g;
}

void
caps_guest_add_machine(CapsGuest *guest, const char *name, const char *canonical,
                       guint max_cpus)
{
    CapsMachine *m = g_new0(CapsMachine, 1);

    m->name = g_strdup(name);
    m->canonical = g_strdup(canonical);
    m->max_cpus = max_cpus;
    g_ptr_array_add(guest->machines, m);
}

static void
caps_format_host_cpu(XmlBuf *b, const Caps *caps)
{
    const MvHostTopology *h = caps->host;

    xml_buf_add(b, "<cpu>\n");
    xml_buf_indent(b, 2);
    xml_buf_add(b, "<arch>%s</arch>\n", h->arch);
    if (caps->host_cpu_model)
        xml_buf_add(b, "<model>%s</model>\n", caps->host_cpu_model);
    if (h->vendor)
        xml_buf_add(b, "<vendor>%s</vendor>\n", h->vendor);
    xml_buf_add(b, "<topology sockets='%d' dies='%d' cores='%d' threads='%d'/>\n",
                h->sockets, h->dies, h->cores, h->threads);
    for (size_t i = 0; h->flags && h->flags[i]; i++) {
        if (*h->flags[i])
            xml_buf_add(b, "<feature name='%s'/>\n", h->flags[i]);
    }
    xml_buf_add(b, "<pages unit='KiB' size='%" G_GUINT64_FORMAT "'/>\n", h->page_size_kib);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</cpu>\n");
}

static void
caps_format_topology(XmlBuf *b, const MvHostTopology *h)
{
    xml_buf_add(b, "<topology>\n");
    xml_buf_indent(b, 2);
    xml_buf_add(b, "<cells num='%u'>\n", h->cells->len);
    xml_buf_indent(b, 2);
    for (guint i = 0; i < h->cells->len; i++) {
        const MvHostCell *cell = g_ptr_array_index(h->cells, i);

        xml_buf_add(b, "<cell id='%d'>\n", cell->id);
        xml_buf_indent(b, 2);
        xml_buf_add(b, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>\n", cell->memory_kib);
        xml_buf_add(b, "<pages unit='KiB' size='%" G_GUINT64_FORMAT "'>%" G_GUINT64_FORMAT
                    "</pages>\n", h->page_size_kib,
                    h->page_size_kib ? cell->memory_kib / h->page_size_kib : 0);
        xml_buf_add(b, "<distances>\n");
        for (guint j = 0; j < h->cells->len; j++) {
            const MvHostCell *other = g_ptr_array_index(h->cells, j);

            xml_buf_add(b, "  <sibling id='%d' value='%d'/>\n", other->id,
                        other->id == cell->id ? 10 : 20);
        }
        xml_buf_add(b, "</distances>\n");
        xml_buf_add(b, "<cpus num='%u'>\n", cell->cpus->len);
        for (guint j = 0; j < cell->cpus->len; j++) {
            const MvHostCpu *cpu = g_ptr_array_index(cell->cpus, j);

            xml_buf_add(b, "  <cpu id='%d' socket_id='%d' die_id='%d' core_id='%d' "
                        "siblings='%s'/>\n", cpu->id, cpu->socket_id, cpu->die_id,
                        cpu->core_id, cpu->siblings);
        }
        xml_buf_add(b, "</cpus>\n");
        xml_buf_indent(b, -2);
        xml_buf_add(b, "</cell>\n");
    }
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</cells>\n");
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</topology>\n");
}

static void
caps_format_guest(XmlBuf *b, const CapsGuest *g)
{
    xml_buf_add(b, "<guest>\n");
    xml_buf_indent(b, 2);
    xml_buf_add(b, "<os_type>%s</os_type>\n", g->os_type);
    xml_buf_add(b, "<arch name='%s'>\n", g->arch);
    xml_buf_indent(b, 2);
    xml_buf_add(b, "<wordsize>%u</wordsize>\n", g->wordsize);
    xml_buf_add(b, "<emulator>%s</emulator>\n", g->emulator);
    for (guint i = 0; i < g->machines->len; i++) {
        const CapsMachine *m = g_ptr_array_index(g->machines, i);

        if (m->canonical)
            xml_buf_add(b, "<machine canonical='%s' maxCpus='%u'>%s</machine>\n",
                        m->canonical, m->max_cpus, m->name);
        else
            xml_buf_add(b, "<machine maxCpus='%u'>%s</machine>\n", m->max_cpus, m->name);
    }
    if (g->has_tcg)
        xml_buf_add(b, "<domain type='qemu'/>\n");
    if (g->has_kvm)
        xml_buf_add(b, "<domain type='kvm'/>\n");
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</arch>\n");
    xml_buf_add(b, "<features>\n");
    xml_buf_add(b, "  <acpi default='on' toggle='yes'/>\n");
    xml_buf_add(b, "  <apic default='on' toggle='no'/>\n");
    xml_buf_add(b, "  <cpuselection/>\n");
    xml_buf_add(b, "  <deviceboot/>\n");
    xml_buf_add(b, "  <disksnapshot default='on' toggle='no'/>\n");
    if (g_str_equal(g->arch, "i686") || g_str_equal(g->arch, "x86_64")) {
        xml_buf_add(b, "  <pae/>\n");
        if (g_str_equal(g->arch, "i686"))
            xml_buf_add(b, "  <nonpae/>\n");
    }
    xml_buf_add(b, "</features>\n");
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</guest>\n");
}

char *
caps_format(const Caps *caps)
{
    XmlBuf b;

    xml_buf_init(&b);
    xml_buf_add(&b, "<capabilities>\n\n");
    xml_buf_indent(&b, 2);
    xml_buf_add(&b, "<host>\n");
    xml_buf_indent(&b, 2);
    if (caps->host_uuid)
        xml_buf_add(&b, "<uuid>%s</uuid>\n", caps->host_uuid);
    if (caps->host) {
        caps_format_host_cpu(&b, caps);
        xml_buf_add(&b, "<power_management/>\n");
        xml_buf_add(&b, "<iommu support='no'/>\n");
        caps_format_topology(&b, caps->host);
    }
    xml_buf_add(&b, "<secmodel>\n");
    xml_buf_add(&b, "  <model>%s</model>\n", caps->secmodel);
    xml_buf_add(&b, "  <doi>0</doi>\n");
    xml_buf_add(&b, "</secmodel>\n");
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</host>\n\n");
    for (guint i = 0; i < caps->guests->len; i++) {
        caps_format_guest(&b, g_ptr_array_index(caps->guests, i));
        xml_buf_add(&b, "\n");
    }
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</capabilities>\n");
    return xml_buf_finish(&b);
}
