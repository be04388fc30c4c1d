/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml-buf.h: building XML text with indentation.
 *
 *   xml_buf_add(&b, "<name>%s</name>\n", name);
 *
 * String arguments are escaped (g_markup_printf_escaped); each line starts
 * at the current indentation.
 */
#pragma once

#include <glib.h>

typedef struct {
    GString *s;
    int indent;
} XmlBuf;

void xml_buf_init(XmlBuf *b);
/* Returns the text and resets @b. */
char *xml_buf_finish(XmlBuf *b);
void xml_buf_clear(XmlBuf *b);
void xml_buf_add(XmlBuf *b, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Append text verbatim (already XML), re-indented line by line. */
void xml_buf_add_raw(XmlBuf *b, const char *text);
void xml_buf_indent(XmlBuf *b, int delta);
