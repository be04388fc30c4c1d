/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/enum.h"

int
mv_enum_from_string(const char *const *types, unsigned int ntypes, const char *type)
{
    if (!type)
        return -1;
    for (unsigned int i = 0; i < ntypes; i++) {
        if (types[i] && g_str_equal(types[i], type))
            return i;
    }
    return -1;
}

const char *
mv_enum_to_string(const char *const *types, unsigned int ntypes, int type)
{
    if (type < 0 || (unsigned int)type >= ntypes)
        return NULL;
    return types[type];
}
