/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utiluuidtest.c: src/util/uuid.c.
 *
 * Generated UUIDs are random version 4 ones (GLib agrees), all different;
 * the canonical form and the undashed one parse, junk does not, and
 * formatting gives back the canonical form.
 */
#include <string.h>

#include <glib.h>

#include "util/uuid.h"

static void
test_generate(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < 1000; i++) {
        unsigned char uuid[MV_UUID_LEN];
        char buf[37];

        mv_uuid_generate(uuid);
        mv_uuid_format(uuid, buf);
        g_assert_true(g_uuid_string_is_valid(buf));
        g_assert_cmpint(buf[14], ==, '4');
        g_assert_true(strchr("89ab", buf[19]) != NULL);
        g_assert_false(mv_uuid_is_null(uuid));
        g_assert_true(g_hash_table_add(seen, g_strdup(buf)));
    }
}

static void
test_parse_format(void)
{
    unsigned char a[MV_UUID_LEN];
    unsigned char b[MV_UUID_LEN];
    char buf[37];

    g_assert_true(mv_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db1809", a));
    g_assert_true(mv_uuid_parse("C7A5FDBDEDAF9455926AD65C16DB1809", b));
    g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
    g_assert_cmpstr(mv_uuid_format(a, buf), ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
    g_assert_false(mv_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db180", a));
    g_assert_false(mv_uuid_parse("not a uuid", a));
    g_assert_false(mv_uuid_parse(NULL, a));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/uuid/generate", test_generate);
    g_test_add_func("/util/uuid/parse-format", test_parse_format);
    return g_test_run();
}
