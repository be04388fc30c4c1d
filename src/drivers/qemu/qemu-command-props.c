/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-props.c: ordered property lists, written out as the JSON QEMU
 * takes for -device/-blockdev/-object or as keyval (-chardev, -netdev...).
 *
 * The order of insertion is kept: the golden files depend on it.
 */
#include <string.h>

#include "drivers/qemu/qemu-command-priv.h"

typedef enum {
    QEMU_PROP_STR,
    QEMU_PROP_UINT,
    QEMU_PROP_BOOL,
    QEMU_PROP_OBJ,
} QemuPropType;

typedef struct {
    char *key;
    QemuPropType type;
    char *str;
    guint64 num;
    gboolean flag;
    QemuProps *obj;
} QemuProp;

struct _QemuProps {
    GPtrArray *props;   /* QemuProp */
};

static void
qemu_prop_free(gpointer data)
{
    QemuProp *prop = data;

    g_free(prop->key);
    g_free(prop->str);
    qemu_props_free(prop->obj);
    g_free(prop);
}

QemuProps *
qemu_props_new(void)
{
    QemuProps *p = g_new0(QemuProps, 1);

    p->props = g_ptr_array_new_with_free_func(qemu_prop_free);
    return p;
}

void
qemu_props_free(QemuProps *p)
{
    if (!p)
        return;
    g_ptr_array_unref(p->props);
    g_free(p);
}

static QemuProp *
qemu_props_append(QemuProps *p, const char *key, QemuPropType type)
{
    QemuProp *prop = g_new0(QemuProp, 1);

    prop->key = g_strdup(key);
    prop->type = type;
    g_ptr_array_add(p->props, prop);
    return prop;
}

void
qemu_props_str(QemuProps *p, const char *key, const char *value)
{
    if (!value)
        return;
    qemu_props_append(p, key, QEMU_PROP_STR)->str = g_strdup(value);
}

void
qemu_props_strf(QemuProps *p, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qemu_props_append(p, key, QEMU_PROP_STR)->str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
qemu_props_uint(QemuProps *p, const char *key, guint64 value)
{
    qemu_props_append(p, key, QEMU_PROP_UINT)->num = value;
}

void
qemu_props_bool(QemuProps *p, const char *key, gboolean value)
{
    qemu_props_append(p, key, QEMU_PROP_BOOL)->flag = value;
}

void
qemu_props_obj(QemuProps *p, const char *key, QemuProps *obj)
{
    qemu_props_append(p, key, QEMU_PROP_OBJ)->obj = obj;
}

gboolean
qemu_props_empty(const QemuProps *p)
{
    return p->props->len == 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static void
qemu_json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*c < 0x20)
                g_string_append_printf(out, "\\u%04x", *c);
            else
                g_string_append_c(out, (char)*c);
        }
    }
    g_string_append_c(out, '"');
}

static void
qemu_props_json_append(GString *out, const QemuProps *p)
{
    g_string_append_c(out, '{');
    for (guint i = 0; i < p->props->len; i++) {
        const QemuProp *prop = g_ptr_array_index(p->props, i);

        if (i > 0)
            g_string_append_c(out, ',');
        qemu_json_string(out, prop->key);
        g_string_append_c(out, ':');
        switch (prop->type) {
        case QEMU_PROP_STR:
            qemu_json_string(out, prop->str);
            break;
        case QEMU_PROP_UINT:
            g_string_append_printf(out, "%" G_GUINT64_FORMAT, prop->num);
            break;
        case QEMU_PROP_BOOL:
            g_string_append(out, prop->flag ? "true" : "false");
            break;
        case QEMU_PROP_OBJ:
            qemu_props_json_append(out, prop->obj);
            break;
        }
    }
    g_string_append_c(out, '}');
}

char *
qemu_props_json(const QemuProps *p)
{
    GString *out = g_string_new(NULL);

    qemu_props_json_append(out, p);
    return g_string_free(out, FALSE);
}

/* ---- keyval ------------------------------------------------------------------ */

char *
qemu_keyval_escape(const char *value)
{
    GString *out = g_string_new(NULL);

    for (const char *c = value; *c; c++) {
        if (*c == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *c);
    }
    return g_string_free(out, FALSE);
}

static void
qemu_props_keyval_append(GString *out, const QemuProps *p, const char *prefix)
{
    for (guint i = 0; i < p->props->len; i++) {
        const QemuProp *prop = g_ptr_array_index(p->props, i);
        g_autofree char *key = prefix ? g_strdup_printf("%s.%s", prefix, prop->key)
                                      : g_strdup(prop->key);
        g_autofree char *value = NULL;

        if (prop->type == QEMU_PROP_OBJ) {
            qemu_props_keyval_append(out, prop->obj, key);
            continue;
        }
        if (out->len > 0)
            g_string_append_c(out, ',');
        g_string_append_printf(out, "%s=", key);
        switch (prop->type) {
        case QEMU_PROP_STR:
            value = qemu_keyval_escape(prop->str);
            g_string_append(out, value);
            break;
        case QEMU_PROP_UINT:
            g_string_append_printf(out, "%" G_GUINT64_FORMAT, prop->num);
            break;
        case QEMU_PROP_BOOL:
            g_string_append(out, prop->flag ? "on" : "off");
            break;
        case QEMU_PROP_OBJ:
            break;
        }
    }
}

char *
qemu_props_keyval(const QemuProps *p, const char *first)
{
    GString *out = g_string_new(NULL);

    if (first)
        g_string_append(out, first);
    qemu_props_keyval_append(out, p, NULL);
    return g_string_free(out, FALSE);
}
