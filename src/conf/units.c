/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "conf/units.h"
#include "util/error.h"

guint64
units_scale(const char *unit, guint64 default_scale)
{
    static const struct {
        const char *name;
        guint64 scale;
    } table[] = {
        { "b", 1 }, { "byte", 1 }, { "bytes", 1 },
        { "KB", 1000ULL }, { "MB", 1000ULL * 1000 }, { "GB", 1000ULL * 1000 * 1000 },
        { "TB", 1000ULL * 1000 * 1000 * 1000 }, { "PB", 1000ULL * 1000 * 1000 * 1000 * 1000 },
        { "EB", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000 },
        { "k", 1024ULL }, { "KiB", 1024ULL },
        { "M", 1024ULL * 1024 }, { "MiB", 1024ULL * 1024 },
        { "G", 1024ULL * 1024 * 1024 }, { "GiB", 1024ULL * 1024 * 1024 },
        { "T", 1024ULL * 1024 * 1024 * 1024 }, { "TiB", 1024ULL * 1024 * 1024 * 1024 },
        { "P", 1024ULL * 1024 * 1024 * 1024 * 1024 },
        { "PiB", 1024ULL * 1024 * 1024 * 1024 * 1024 },
        { "E", 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024 },
        { "EiB", 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024 },
    };

    if (!unit || !*unit)
        return default_scale;
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        if (g_str_equal(unit, table[i].name))
            return table[i].scale;
    }
    /* Otherwise case-insensitive, as libvirt reads them ("kib", "B"...). */
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        if (g_ascii_strcasecmp(unit, table[i].name) == 0)
            return table[i].scale;
    }
    return 0;
}

gboolean
units_parse(const char *what, const char *value, const char *unit, guint64 default_scale,
            guint64 max, guint64 *ret_bytes, GError **error)
{
    guint64 scale = units_scale(unit, default_scale);
    g_autofree char *v = g_strstrip(g_strdup(value ? value : ""));
    char *end = NULL;
    guint64 n;

    if (scale == 0) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "unknown unit '%s' in <%s>", unit,
                     what);
        return FALSE;
    }
    errno = 0;
    n = g_ascii_strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || errno != 0) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                     "invalid value '%s' in <%s>: expected a non-negative integer", v, what);
        return FALSE;
    }
    if (n > max / scale) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_OVERFLOW,
                     "'%s%s%s' in <%s> exceeds the limit of %" G_GUINT64_FORMAT " bytes", v,
                     unit ? " " : "", unit ? unit : "", what, max);
        return FALSE;
    }
    *ret_bytes = n * scale;
    return TRUE;
}
