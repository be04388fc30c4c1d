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
#include "conf/xml-util.h"
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

/* ---- API tests (beyond the goldens) ---------------------------------------------- */

static DomainDef *
test_parse_case(const char *name, unsigned flags)
{
    g_autofree char *xml = test_read(name, ".xml");
    g_autoptr(GError) error = NULL;
    DomainDef *def;

    g_assert_nonnull(xml);
    def = domain_def_parse_string(xml, &test_opts, flags, &error);
    if (!def)
        g_error("%s: %s", name, error->message);
    return def;
}

/* The generated-path rule at define, then what the driver does at start. */
static void
test_chardev_start_paths(void)
{
    g_autoptr(DomainDef) def = test_parse_case("chardev-unix-generated-path",
                                               DOMAIN_PARSE_INACTIVE);
    g_autoptr(DomainDef) status = NULL;
    g_autoptr(DomainDef) redefined = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *xml = NULL;
    DomainChrDef *chr;

    g_assert_cmpuint(def->channels->len, ==, 3);
    for (guint i = 0; i < def->channels->len; i++) {
        chr = g_ptr_array_index(def->channels, i);
        g_assert_null(chr->source.path);
        g_assert_cmpint(chr->source.mode, ==, DOMAIN_CHR_MODE_BIND);
    }
    def->id = 3;
    dir = domain_def_channel_dir(def, &test_opts);
    g_assert_cmpstr(dir, ==, "/var/lib/modvirt/qemu/channel/target/domain-3-demo");
    domain_def_prepare_channel_paths(def, dir);
    chr = g_ptr_array_index(def->channels, 0);
    g_assert_cmpstr(chr->source.path, ==,
                    "/var/lib/modvirt/qemu/channel/target/domain-3-demo/org.qemu.guest_agent.0");
    xml = domain_def_format(def, DOMAIN_FORMAT_STATUS);
    g_assert_nonnull(strstr(xml, "<domain type='kvm' id='3'>"));
    g_assert_nonnull(strstr(xml, "<source mode='bind' path='/var/lib/modvirt/qemu/channel/"
                                 "target/domain-3-demo/org.example.two'/>"));
    /* a daemon restart keeps the live path and mode... */
    status = domain_def_parse_string(xml, &test_opts, DOMAIN_PARSE_STATUS, &error);
    g_assert_nonnull(status);
    chr = g_ptr_array_index(status->channels, 1);
    g_assert_cmpstr(chr->source.path, ==,
                    "/var/lib/modvirt/qemu/channel/target/domain-3-demo/org.example.one");
    g_assert_cmpint(chr->source.mode, ==, DOMAIN_CHR_MODE_BIND);
    /* ...while defining that live XML again drops the generated paths */
    redefined = domain_def_parse_string(xml, &test_opts, DOMAIN_PARSE_INACTIVE, &error);
    g_assert_nonnull(redefined);
    chr = g_ptr_array_index(redefined->channels, 1);
    g_assert_null(chr->source.path);
}

/* Status XML: no inactive-only rule applies. */
static void
test_chardev_status_keeps_path(void)
{
    g_autoptr(DomainDef) def = test_parse_case("chardev-unix-generated-path",
                                               DOMAIN_PARSE_STATUS);
    DomainChrDef *chr = g_ptr_array_index(def->channels, 0);

    g_assert_nonnull(chr->source.path);
    g_assert_cmpint(chr->source.mode, ==, DOMAIN_CHR_MODE_CONNECT);
}

static void
test_channel_path_without_name(void)
{
    g_autoptr(DomainDef) def = test_parse_case("libvirt-all-elements", DOMAIN_PARSE_INACTIVE);
    DomainChrDef *chr = g_ptr_array_index(def->channels, 1);

    g_assert_null(chr->source.path);
    g_clear_pointer(&chr->target_name, g_free);
    def->id = 12;
    domain_def_prepare_channel_paths(def, "/run/x");
    g_assert_cmpstr(chr->source.path, ==, "/run/x/vioser-00-00-02.sock");
    /* a channel with a path keeps it */
    chr = g_ptr_array_index(def->channels, 0);
    g_assert_cmpstr(chr->source.path, ==, "/run/user/agent.sock");
}

static void
test_short_name(void)
{
    g_autoptr(DomainDef) def = test_parse_case("minimal", DOMAIN_PARSE_INACTIVE);
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_free(def->name);
    def->name = g_strdup("abcdefghijklmnopqrstuvwxyz");
    def->id = 5;
    a = domain_def_short_name(def);
    g_assert_cmpstr(a, ==, "5-abcdefghijklmnopqrst");
    g_free(def->name);
    /* characters, not bytes: the 20th is a 2-byte one */
    def->name = g_strdup("abcdefghijklmnopqrs\xc3\xa9tail");
    b = domain_def_short_name(def);
    g_assert_cmpstr(b, ==, "5-abcdefghijklmnopqrs\xc3\xa9");
}

static void
test_has_unknown(void)
{
    g_autoptr(DomainDef) known = test_parse_case("libvirt-all-elements", DOMAIN_PARSE_INACTIVE);
    g_autoptr(DomainDef) unknown = test_parse_case("validate-unknown-device",
                                                   DOMAIN_PARSE_INACTIVE);
    g_autoptr(DomainDef) attr = test_parse_case("validate-unknown-attribute",
                                                DOMAIN_PARSE_INACTIVE);
    g_autofree char *what = NULL;
    g_autofree char *what2 = NULL;

    g_assert_false(domain_def_has_unknown(known, NULL));
    g_assert_true(domain_def_has_unknown(unknown, &what));
    g_assert_cmpstr(what, ==, "element <sound> in <devices>");
    g_assert_true(domain_def_has_unknown(attr, &what2));
    g_assert_cmpstr(what2, ==, "attribute 'detect_zeroes' of <driver>");
}

/* The status file embeds <domain> in <domstatus>. */
static void
test_parse_node(void)
{
    g_autofree char *live = test_read("live-running", ".xml");
    g_autofree char *doc = g_strdup_printf("<domstatus state='running' pid='42'>\n"
                                           "<monitor path='/x' type='unix'/>\n%s</domstatus>\n",
                                           live);
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) xdoc = xml_parse_string(doc, "domstatus", "status", &error);
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *again = NULL;
    xmlNode *node;

    g_assert_nonnull(xdoc);
    node = xml_child(xmlDocGetRootElement(xdoc), "domain");
    def = domain_def_parse_node(node, &test_opts, DOMAIN_PARSE_STATUS, &error);
    g_assert_nonnull(def);
    g_assert_cmpint(def->id, ==, 7);
    again = domain_def_format(def, DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE);
    g_assert_cmpstr(again, ==, live);
    g_assert_null(domain_def_parse_node(xml_child(xmlDocGetRootElement(xdoc), "monitor"),
                                        &test_opts, DOMAIN_PARSE_STATUS, &error));
}

static void
test_format_secure(void)
{
    g_autoptr(DomainDef) def = test_parse_case("live-running", DOMAIN_PARSE_STATUS);
    g_autofree char *plain = domain_def_format(def, 0);
    g_autofree char *secure = domain_def_format(def, DOMAIN_FORMAT_SECURE);
    g_autofree char *inactive = domain_def_format(def, DOMAIN_FORMAT_INACTIVE);

    g_assert_null(strstr(plain, "passwd="));
    g_assert_nonnull(strstr(secure, "passwd='letmein'"));
    /* live: the real port and the runtime names; config: none of them */
    g_assert_nonnull(strstr(plain, "<graphics type='vnc' port='5900' autoport='yes'"));
    g_assert_nonnull(strstr(plain, "<alias name='net0'/>"));
    g_assert_nonnull(strstr(plain, "<target dev='vnet3'/>"));
    g_assert_null(strstr(inactive, "vnet3"));
    g_assert_null(strstr(inactive, "alias name='net0'"));
    g_assert_nonnull(strstr(inactive, "<alias name='ua-lan'/>"));
    g_assert_nonnull(strstr(inactive, "<graphics type='vnc' port='-1' autoport='yes'"));
}

static void
test_lookups(void)
{
    g_autoptr(DomainDef) def = test_parse_case("libvirt-all-elements", DOMAIN_PARSE_INACTIVE);
    unsigned char mac[6];
    char buf[18];

    g_assert_nonnull(domain_def_find_disk(def, "sdc"));
    g_assert_null(domain_def_find_disk(def, "sdz"));
    g_assert_true(domain_mac_parse("52:54:00:0a:0b:0d", mac));
    g_assert_cmpstr(domain_mac_format(mac, buf), ==, "52:54:00:0a:0b:0d");
    g_assert_nonnull(domain_def_find_net_by_mac(def, mac));
    g_assert_false(domain_mac_parse("52:54:00:0a:0b", mac));
    g_assert_false(domain_mac_parse("52:54:00:0a:0b:0d:0e", mac));
    g_assert_false(domain_mac_parse("52:54:00:0a:0b:zz", mac));
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
    g_test_add_func("/conf/domain/chardev/start-paths", test_chardev_start_paths);
    g_test_add_func("/conf/domain/chardev/status-keeps-path", test_chardev_status_keeps_path);
    g_test_add_func("/conf/domain/chardev/path-without-name", test_channel_path_without_name);
    g_test_add_func("/conf/domain/short-name", test_short_name);
    g_test_add_func("/conf/domain/has-unknown", test_has_unknown);
    g_test_add_func("/conf/domain/parse-node", test_parse_node);
    g_test_add_func("/conf/domain/format-flags", test_format_secure);
    g_test_add_func("/conf/domain/lookups", test_lookups);
    return g_test_run();
}
