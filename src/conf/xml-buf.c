/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "conf/xml-buf.h"

void
xml_buf_init(XmlBuf *b)
{
    b->s = g_string_new(NULL);
    b->indent = 0;
}

char *
xml_buf_finish(XmlBuf *b)
{
    char *ret = g_string_free(b->s, FALSE);

    b->s = NULL;
    return ret;
}

void
xml_buf_clear(XmlBuf *b)
{
    if (b->s)
        g_string_free(b->s, TRUE);
    b->s = NULL;
}

static void
xml_buf_append_indented(XmlBuf *b, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        gsize len = nl ? (gsize)(nl - p + 1) : strlen(p);

        if (b->s->len == 0 || b->s->str[b->s->len - 1] == '\n') {
            if (len > 1 || *p != '\n') {
                for (int i = 0; i < b->indent; i++)
                    g_string_append_c(b->s, ' ');
            }
        }
        g_string_append_len(b->s, p, len);
        p += len;
    }
}

void
xml_buf_add(XmlBuf *b, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_markup_vprintf_escaped(fmt, ap);
    va_end(ap);
    xml_buf_append_indented(b, text);
}

void
xml_buf_add_raw(XmlBuf *b, const char *text)
{
    xml_buf_append_indented(b, text);
}

void
xml_buf_indent(XmlBuf *b, int delta)
{
    b->indent += delta;
    if (b->indent < 0)
        b->indent = 0;
}
