/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf/sysinfo.h"
#include "conf/xml-buf.h"

static void
sysinfo_section_free(gpointer p)
{
    SysinfoSection *sec = p;

    g_free(sec->section);
    g_ptr_array_unref(sec->names);
    g_ptr_array_unref(sec->values);
    g_free(sec);
}

Sysinfo *
sysinfo_new(void)
{
    Sysinfo *info = g_new0(Sysinfo, 1);

    info->sections = g_ptr_array_new_with_free_func(sysinfo_section_free);
    return info;
}

void
sysinfo_free(Sysinfo *info)
{
    if (!info)
        return;
    g_ptr_array_unref(info->sections);
    g_free(info);
}

SysinfoSection *
sysinfo_add_section(Sysinfo *info, const char *section)
{
    SysinfoSection *sec = g_new0(SysinfoSection, 1);

    sec->section = g_strdup(section);
    sec->names = g_ptr_array_new_with_free_func(g_free);
    sec->values = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(info->sections, sec);
    return sec;
}

void
sysinfo_section_add(SysinfoSection *sec, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    g_ptr_array_add(sec->names, g_strdup(name));
    g_ptr_array_add(sec->values, g_strdup(value));
}

char *
sysinfo_format(const Sysinfo *info)
{
    XmlBuf b;

    xml_buf_init(&b);
    xml_buf_add(&b, "<sysinfo type='smbios'>\n");
    xml_buf_indent(&b, 2);
    for (guint i = 0; i < info->sections->len; i++) {
        const SysinfoSection *sec = g_ptr_array_index(info->sections, i);

        if (sec->names->len == 0)
            continue;
        xml_buf_add(&b, "<%s>\n", sec->section);
        for (guint j = 0; j < sec->names->len; j++)
            xml_buf_add(&b, "  <entry name='%s'>%s</entry>\n",
                        (const char *)g_ptr_array_index(sec->names, j),
                        (const char *)g_ptr_array_index(sec->values, j));
        xml_buf_add(&b, "</%s>\n", sec->section);
    }
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</sysinfo>\n");
    return xml_buf_finish(&b);
}
