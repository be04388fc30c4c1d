/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2xmltest.c: the QEMU driver's define-time defaults against
 * libvirt's.
 *
 * For every tests/qemuxml2xmldata/NAME.xml: parse (INACTIVE) + validate +
 * qemu_postparse_domain() with the recorded capabilities of QEMU 7.2
 * (qemucapsdata/x86_64-7.2.json), then the inactive format.  The reference
 * is what libvirt 9.0's QEMU driver answered for the same input
 * (NAME.libvirt.xml, captured by hand with qemuxml2xml-capture.py):
 *   - equal: nothing more;
 *   - different: the difference, as changed lines (NAME.diff), is a golden
 *     of its own, and the case is listed with its reason in
 *     libvirt-differences.txt.  A listed case that no longer differs, or a
 *     .diff without its case, fails.
 *   - libvirt refused the input (NAME.libvirt.err): ours must refuse it with
 *     the same message, or with the one in NAME.err.
 * MAC addresses made up on either side are masked.  Every output must be a
 * fixed point: defining it again gives it back.  Regenerate the .diff files
 * with MODVIRT_TEST_REGENERATE=1.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "drivers/qemu/qemu-postparse.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/qemuxml2xmldata"

static QemuCaps *test_caps;
static GHashTable *test_reasons;    /* case name -> reason */

static char *
test_read(const char *name, const char *suffix)
{
    g_autofree char *path = g_strdup_printf("%s/%s%s", DATADIR, name, suffix);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return text;
}

static gboolean
test_exists(const char *name, const char *suffix)
{
    g_autofree char *path = g_strdup_printf("%s/%s%s", DATADIR, name, suffix);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* ---- masking and the line difference ---------------------------------------- */

/* MAC addresses not in @input were made up: the same mask on both sides. */
static char *
test_mask(const char *input, const char *text)
{
    g_autoptr(GRegex) re = g_regex_new("<mac address='([0-9a-f:]{17})'/>", 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;
    GString *s = g_string_new(text);

    g_regex_match(re, text, 0, &mi);
    while (g_match_info_matches(mi)) {
        g_autofree char *mac = g_match_info_fetch(mi, 1);
        g_autofree char *whole = g_match_info_fetch(mi, 0);

        if (!strstr(input, mac)) {
            g_autofree char *masked = g_strdup_printf("<mac address='%.9sxx:xx:xx'/>", mac);

            g_string_replace(s, whole, masked, 1);
        }
        g_match_info_next(mi, NULL);
    }
    return g_string_free(s, FALSE);
}

static void
test_diff_hunk(GString *out, char **a, guint a0, guint a1, char **b, guint b0, guint b1)
{
    if (a0 == a1 && b0 == b1)
        return;
    g_string_append_printf(out, "@@ libvirt line %u, modvirt line %u @@\n", a0 + 1, b0 + 1);
    for (guint i = a0; i < a1; i++)
        g_string_append_printf(out, "-%s\n", a[i]);
    for (guint i = b0; i < b1; i++)
        g_string_append_printf(out, "+%s\n", b[i]);
}

/* The lines that differ between @ref and @ours (longest common
 * subsequence), "" when none. */
static char *
test_line_diff(const char *ref, const char *ours)
{
    g_auto(GStrv) a = g_strsplit(ref, "\n", -1);
    g_auto(GStrv) b = g_strsplit(ours, "\n", -1);
    guint na = g_strv_length(a), nb = g_strv_length(b);
    g_autofree guint *len = g_new0(guint, (gsize)(na + 1) * (nb + 1));
    GString *out = g_string_new(NULL);
    guint i = 0, j = 0, hi = 0, hj = 0;

#define L(x, y) len[(gsize)(x) * (nb + 1) + (y)]
    for (int x = (int)na - 1; x >= 0; x--) {
        for (int y = (int)nb - 1; y >= 0; y--)
            L(x, y) = g_str_equal(a[x], b[y]) ? L(x + 1, y + 1) + 1
                                              : MAX(L(x + 1, y), L(x, y + 1));
    }
    while (i < na && j < nb) {
        if (g_str_equal(a[i], b[j])) {
            test_diff_hunk(out, a, hi, i, b, hj, j);
            hi = ++i;
            hj = ++j;
        } else if (L(i + 1, j) >= L(i, j + 1)) {
            i++;
        } else {
            j++;
        }
    }
#undef L
    test_diff_hunk(out, a, hi, na, b, hj, nb);
    return g_string_free(out, FALSE);
}

static int
test_cmp_lines(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same lines, in any order. */
static void
test_assert_same_lines(const char *a, const char *b)
{
    g_auto(GStrv) la = g_strsplit(a, "\n", -1);
    g_auto(GStrv) lb = g_strsplit(b, "\n", -1);
    guint n = g_strv_length(la);

    g_assert_cmpuint(n, ==, g_strv_length(lb));
    qsort(la, n, sizeof(char *), test_cmp_lines);
    qsort(lb, n, sizeof(char *), test_cmp_lines);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(la[i], ==, lb[i]);
}

/* What the driver starts is a copy (status format and back): every
 * chardev listens or connects as in the definition. */
static void
test_assert_copy_keeps_modes(const DomainDef *def)
{
    g_autoptr(DomainDef) copy = domain_def_copy(def);
    GPtrArray *a[] = { def->serials, def->consoles, def->channels };
    GPtrArray *b[] = { copy->serials, copy->consoles, copy->channels };

    for (guint l = 0; l < G_N_ELEMENTS(a); l++) {
        g_assert_cmpuint(a[l]->len, ==, b[l]->len);
        for (guint i = 0; i < a[l]->len; i++) {
            const DomainChrDef *x = g_ptr_array_index(a[l], i);
            const DomainChrDef *y = g_ptr_array_index(b[l], i);

            g_assert_cmpint(x->source.mode, ==, y->source.mode);
        }
    }
}

/* ---- the cases ----------------------------------------------------------------- */

static DomainDef *
test_define(const char *xml, GError **error)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, NULL, DOMAIN_PARSE_INACTIVE, error);

    if (!def || !domain_def_validate(def, NULL, error) ||
        !qemu_postparse_domain(def, test_caps, error))
        return NULL;
    return g_steal_pointer(&def);
}

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *input = test_read(name, ".xml");
    g_autofree char *err = test_exists(name, ".err") ? test_read(name, ".err")
                                                     : test_read(name, ".libvirt.err");
    g_autofree char *ref = test_read(name, ".libvirt.xml");
    g_autofree char *diff_path = g_strdup_printf("%s/%s.diff", DATADIR, name);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = test_define(input, &error);
    g_autoptr(DomainDef) again = NULL;
    g_autofree char *ours = NULL;
    g_autofree char *ours2 = NULL;
    g_autofree char *ours3 = NULL;
    g_autofree char *diff = NULL;

    if (err) {
        g_autofree char *text = NULL;
        g_autofree char *msg = NULL;

        g_assert_null(def);
        text = mv_error_format_message(error);
        msg = g_strdup_printf("%s\n", text);
        g_assert_cmpstr(msg, ==, err);
        return;
    }
    g_assert_no_error(error);
    test_assert_copy_keeps_modes(def);
    if (!ref)
        g_error("%s: no %s.libvirt.xml: run tests/qemuxml2xml-capture.py", name, name);
    ours = domain_def_format(def, DOMAIN_FORMAT_INACTIVE);

    /* Defining the output again changes nothing but, as with libvirt, the
     * order of controllers the driver appended (the parser groups them by
     * type); the result of that is a fixed point. */
    again = test_define(ours, &error);
    g_assert_no_error(error);
    ours2 = domain_def_format(again, DOMAIN_FORMAT_INACTIVE);
    test_assert_same_lines(ours, ours2);
    g_clear_pointer(&again, domain_def_free);
    again = test_define(ours2, &error);
    g_assert_no_error(error);
    ours3 = domain_def_format(again, DOMAIN_FORMAT_INACTIVE);
    g_assert_cmpstr(ours3, ==, ours2);

    {
        g_autofree char *mref = test_mask(input, ref);
        g_autofree char *mours = test_mask(input, ours);

        diff = test_line_diff(mref, mours);
    }
    if (!*diff && !g_getenv("MODVIRT_TEST_REGENERATE")) {
        g_assert_false(g_file_test(diff_path, G_FILE_TEST_EXISTS));
        if (g_hash_table_contains(test_reasons, name)) {
            g_test_message("%s is listed in libvirt-differences.txt but equals libvirt's",
                           name);
            g_test_fail();
        }
        return;
    }
    if (!*diff) {
        g_unlink(diff_path);
        return;
    }
    mv_test_compare_to_file(diff, diff_path);
    if (!g_hash_table_contains(test_reasons, name)) {
        g_test_message("%s differs from libvirt's (%s.diff) but is not listed with a reason "
                       "in libvirt-differences.txt", name, name);
        g_test_fail();
    }
}

/* Every listed difference and every .diff belongs to a case. */
static void
test_differences_list(void)
{
    g_autoptr(GPtrArray) diffs = mv_test_list_cases(DATADIR, ".diff");
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, test_reasons);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!test_exists(key, ".xml"))
            g_error("libvirt-differences.txt lists '%s', which is no case", (char *)key);
    }
    for (guint i = 0; i < diffs->len; i++) {
        const char *n = g_ptr_array_index(diffs, i);

        if (!test_exists(n, ".xml"))
            g_error("%s.diff belongs to no case", n);
    }
}

static void
test_load_reasons(void)
{
    g_autofree char *text = test_read("libvirt-differences", ".txt");
    g_auto(GStrv) lines = NULL;

    g_assert_nonnull(text);
    test_reasons = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        char *sp;

        if (!*line || *line == '#')
            continue;
        sp = strchr(line, ' ');
        if (!sp || !*g_strstrip(sp + 1))
            g_error("libvirt-differences.txt: '%s' has no reason", line);
        *sp = '\0';
        g_hash_table_insert(test_reasons, g_strdup(line), g_strdup(g_strstrip(sp + 1)));
    }
}

static void
test_load_caps(void)
{
    g_autofree char *path = g_strdup_printf("%s/qemucapsdata/x86_64-7.2.json", ABS_SRCDIR);
    json_object *obj = json_object_from_file(path);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(obj);
    test_caps = qemu_caps_from_json(obj, &error);
    json_object_put(obj);
    g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    test_load_caps();
    test_load_reasons();
    cases = mv_test_list_cases(DATADIR, ".xml");
    for (guint i = 0; i < cases->len; i++) {
        const char *name = g_ptr_array_index(cases, i);
        g_autofree char *path = NULL;

        if (strchr(name, '.'))
            continue;   /* NAME.libvirt.xml */
        path = g_strdup_printf("/qemu/xml2xml/%s", name);
        g_test_add_data_func(path, name, test_case);
    }
    g_test_add_func("/qemu/xml2xml/differences-list", test_differences_list);
    ret = g_test_run();
    qemu_caps_free(test_caps);
    g_hash_table_unref(test_reasons);
    return ret;
}
