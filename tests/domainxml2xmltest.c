/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domainxml2xmltest.c: golden tests of the domain XML conf layer.
 *
 * For every tests/domainxml2xmldata/NAME.xml (not *.out.xml, *.status.xml):
 *   NAME.err           parse (INACTIVE) + validate must fail with this message
 *   NAME.validate.err  parse with DOMAIN_PARSE_VALIDATE must fail with this message
 *                      (without the flag the input must still parse)
 *   NAME.out.xml       the inactive format after parse (INACTIVE) + validate;
 *                      when absent, the output must equal NAME.xml itself
 *   NAME.status.xml    optional: parse with STATUS, format with STATUS|SECURE
 * Every output must also be a fixed point: parsing it again gives it back.
 * NAME.unstable (holding the reason) marks an input whose first output is
 * not, as in libvirt; the second must then be.
 *
 * A generated <uuid> (input without one) or <mac> (address not in the input)
 * is checked and then masked, so goldens stay stable.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf/domain-conf.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/domainxml2xmldata"

static const DomainXMLOptions test_opts = {
    .channel_target_dir = "/var/lib/modvirt/qemu/channel/target",
};

static char *
test_read(const char *name, const char *suffix)
{
    g_autofree char *path = g_strdup_printf("%s/%s%s", DATADIR, name, suffix);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return text;
}

static char *
test_error_text(GError *error)
{
    g_autofree char *msg = mv_error_format_message(error);

    return g_strdup_printf("%s\n", msg);
}

/* Mask values the parser made up; fail if they are malformed. */
static char *
test_mask_generated(const char *input, const char *output)
{
    g_autoptr(GRegex) mac_re = g_regex_new("<mac address='([0-9a-f:]{17})'/>", 0, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;
    GString *s = g_string_new(output);

    if (!strstr(input, "<uuid>")) {
        char *start = strstr(s->str, "<uuid>");
        unsigned char uuid[MV_UUID_LEN];
        g_autofree char *value = NULL;

        g_assert_nonnull(start);
        value = g_strndup(start + 6, 36);
        g_assert_true(mv_uuid_parse(value, uuid));
        memcpy(start + 6, "00000000-0000-0000-0000-000000000000", 36);
    }
    g_regex_match(mac_re, s->str, 0, &mi);
    while (g_match_info_matches(mi)) {
        g_autofree char *mac = g_match_info_fetch(mi, 1);
        int start, end;

        if (!strstr(input, mac)) {
            g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
            g_match_info_fetch_pos(mi, 1, &start, &end);
            memcpy(s->str + start + 9, "xx:xx:xx", 8);
        }
        g_match_info_next(mi, NULL);
    }
    return g_string_free(s, FALSE);
}

static void
test_fixed_point(const char *xml, unsigned parse_flags, unsigned format_flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, &test_opts, parse_flags, &error);
    g_autofree char *again = NULL;

    if (!def)
        g_error("re-parsing the output failed: %s", error->message);
    again = domain_def_format(def, format_flags);
    if (!g_str_equal(again, xml)) {
        g_printerr("not a fixed point:\n%s\n---\n%s\n", xml, again);
        g_test_fail();
    }
}

static void
test_copy(const DomainDef *def)
{
    unsigned flags = DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE;
    g_autoptr(DomainDef) copy = domain_def_copy(def);
    g_autofree char *a = domain_def_format(def, flags);
    g_autofree char *b = domain_def_format(copy, flags);

    if (!g_str_equal(a, b)) {
        g_printerr("domain_def_copy() differs:\n%s\n---\n%s\n", a, b);
        g_test_fail();
    }
}

static void
test_errors(const char *name, const char *input)
{
    g_autofree char *err = test_read(name, ".err");
    g_autofree char *verr = test_read(name, ".validate.err");
    g_autofree char *errpath = g_strdup_printf("%s/%s.err", DATADIR, name);
    g_autofree char *verrpath = g_strdup_printf("%s/%s.validate.err", DATADIR, name);

    if (verr) {
        g_autoptr(GError) error = NULL;
        g_autoptr(DomainDef) def = domain_def_parse_string(
            input, &test_opts, DOMAIN_PARSE_INACTIVE | DOMAIN_PARSE_VALIDATE, &error);
        g_autofree char *text = NULL;

        g_assert_null(def);
        text = test_error_text(error);
        mv_test_compare_to_file(text, verrpath);
    }
    if (err) {
        g_autoptr(GError) error = NULL;
        g_autoptr(DomainDef) def = domain_def_parse_string(input, &test_opts,
                                                           DOMAIN_PARSE_INACTIVE, &error);
        g_autofree char *text = NULL;

        if (def && domain_def_validate(def, &test_opts, &error))
            g_error("%s: expected an error, parse and validate succeeded", name);
        g_assert_nonnull(error);
        text = test_error_text(error);
        mv_test_compare_to_file(text, errpath);
    }
}

static void
test_status(const char *name, const char *input)
{
    unsigned flags = DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE;
    g_autofree char *path = g_strdup_printf("%s/%s.status.xml", DATADIR, name);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *actual = NULL;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return;
    def = domain_def_parse_string(input, &test_opts, DOMAIN_PARSE_STATUS, &error);
    if (!def)
        g_error("%s: status parse failed: %s", name, error->message);
    actual = domain_def_format(def, flags);
    mv_test_compare_to_file(actual, path);
    test_fixed_point(actual, DOMAIN_PARSE_STATUS, flags);
    test_copy(def);
}

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *input = test_read(name, ".xml");
    g_autofree char *err = test_read(name, ".err");
    g_autofree char *unstable = test_read(name, ".unstable");
    g_autofree char *outpath = g_strdup_printf("%s/%s.out.xml", DATADIR, name);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *masked = NULL;

    g_assert_nonnull(input);
    test_errors(name, input);
    if (err)
        return;
    def = domain_def_parse_string(input, &test_opts, DOMAIN_PARSE_INACTIVE, &error);
    if (!def || !domain_def_validate(def, &test_opts, &error))
        g_error("%s: %s", name, error->message);
    actual = domain_def_format(def, DOMAIN_FORMAT_INACTIVE);
    masked = test_mask_generated(input, actual);
    if (g_str_equal(masked, input) && g_strcmp0(g_getenv("MODVIRT_TEST_REGENERATE"), "1") == 0) {
        /* identical to the input: no .out.xml */
        (void)g_remove(outpath);
    } else if (g_file_test(outpath, G_FILE_TEST_EXISTS) ||
               g_strcmp0(g_getenv("MODVIRT_TEST_REGENERATE"), "1") == 0) {
        mv_test_compare_to_file(masked, outpath);
    } else if (!g_str_equal(masked, input)) {
        g_printerr("%s: output differs from the input (and there is no .out.xml):\n%s", name,
                   masked);
        g_test_fail();
    }
    if (unstable) {
        /* like libvirt, the first re-parse may still move things (disks
         * sorted by the bus they get); the one after must not */
        g_autoptr(DomainDef) again = domain_def_parse_string(actual, &test_opts,
                                                             DOMAIN_PARSE_INACTIVE, &error);
        g_autofree char *second = NULL;

        g_assert_nonnull(again);
        second = domain_def_format(again, DOMAIN_FORMAT_INACTIVE);
        g_assert_cmpstr(second, !=, actual);
        test_fixed_point(second, DOMAIN_PARSE_INACTIVE, DOMAIN_FORMAT_INACTIVE);
    } else {
        test_fixed_point(actual, DOMAIN_PARSE_INACTIVE, DOMAIN_FORMAT_INACTIVE);
    }
    test_copy(def);
    test_status(name, input);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = mv_test_list_cases(DATADIR, ".xml");
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < inputs->len; i++) {
        const char *name = g_ptr_array_index(inputs, i);

        if (g_str_has_suffix(name, ".out") || g_str_has_suffix(name, ".status"))
            continue;
        g_ptr_array_add(names, g_strdup(name));
    }
    g_assert_cmpuint(names->len, >, 0);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *path = g_strdup_printf("/conf/domain/xml2xml/%s", name);

        g_test_add_data_func(path, name, test_case);
    }
    return g_test_run();
}
