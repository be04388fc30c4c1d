/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storagepoolxml2xmltest.c: storage pool XML, parse -> validate -> format.
 *
 * For each storagepoolxml2xmldata/NAME.xml:
 * - NAME.out.xml: the inactive XML; it must also be a fixed point (parsing
 *   and formatting it again gives it back);
 * - or NAME.err: the error of parsing or validation, "CODE: message";
 *   when parsing succeeded and validation failed (the pool types modvirt
 *   does not run), NAME.parsed.xml holds what parsing alone gives;
 * - NAME.status (optional, "key=value" lines: state, capacity, allocation,
 *   available, refresh_error, refresh_error_time): the runtime data of the
 *   live XML expected in NAME.live.xml, which must parse back to the
 *   inactive XML.
 * An input without <uuid> gets TEST_FIXED_UUID in place of the random one.
 * Regenerate with MODVIRT_TEST_REGENERATE=1.
 */
#include <string.h>

#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/storagepoolxml2xmldata"
#define TEST_FIXED_UUID "00000000-0000-4000-8000-000000000000"

static char *
test_data_path(const char *name, const char *suffix)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);

    return g_build_filename(DATADIR, file, NULL);
}

static char *
test_read(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("cannot read %s: %s", path, error->message);
    return text;
}

static char *
test_error_text(const GError *error)
{
    g_autofree char *msg = mv_error_format_message(error);
    const char *code = mv_error_code_to_name(mv_error_code(error));

    return g_strdup_printf("%s: %s\n", code ? code : "?", msg);
}

/* NAME.status -> StoragePoolStatus */
static void
test_load_status(const char *path, StoragePoolStatus *status)
{
    g_autofree char *text = test_read(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    memset(status, 0, sizeof(*status));
    for (guint i = 0; lines[i]; i++) {
        char *eq = strchr(lines[i], '=');
        const char *key = lines[i];
        const char *value;

        if (!*lines[i] || lines[i][0] == '#')
            continue;
        g_assert_nonnull(eq);
        *eq = '\0';
        value = eq + 1;
        if (g_str_equal(key, "state"))
            status->state = storage_pool_state_from_string(value);
        else if (g_str_equal(key, "capacity"))
            status->capacity = g_ascii_strtoull(value, NULL, 10);
        else if (g_str_equal(key, "allocation"))
            status->allocation = g_ascii_strtoull(value, NULL, 10);
        else if (g_str_equal(key, "available"))
            status->available = g_ascii_strtoull(value, NULL, 10);
        else if (g_str_equal(key, "refresh_error"))
            storage_pool_status_set_refresh_error(status, value, status->refresh_error_time);
        else if (g_str_equal(key, "refresh_error_time"))
            status->refresh_error_time = g_ascii_strtoll(value, NULL, 10);
        else
            g_error("%s: unknown key '%s'", path, key);
    }
    g_assert_cmpint(status->state, >, STORAGE_POOL_STATE_INACTIVE);
}

static void
test_live(const char *name, const StoragePoolDef *def, const char *inactive)
{
    g_autofree char *status_path = test_data_path(name, ".status");
    g_autofree char *live_path = test_data_path(name, ".live.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(StoragePoolDef) again = NULL;
    g_autofree char *live = NULL;
    g_autofree char *back = NULL;
    StoragePoolStatus status;

    if (!g_file_test(status_path, G_FILE_TEST_EXISTS)) {
        g_assert_false(g_file_test(live_path, G_FILE_TEST_EXISTS));
        return;
    }
    test_load_status(status_path, &status);
    live = storage_pool_def_format(def, &status, 0);
    mv_test_compare_to_file(live, live_path);
    /* the runtime data does not come back as configuration */
    again = storage_pool_def_parse_string(live, 0, &error);
    g_assert_no_error(error);
    back = storage_pool_def_format(again, NULL, 0);
    g_assert_cmpstr(back, ==, inactive);
    storage_pool_status_clear(&status);
}

/*
 * An input without <uuid> (as virsh pool-define-as writes it) gets a random
 * one: check it is there, then pin it so that the output can be compared.
 */
static void
test_fix_uuid(StoragePoolDef *def)
{
    g_assert_false(mv_uuid_is_null(def->uuid));
    g_assert_true(mv_uuid_parse(TEST_FIXED_UUID, def->uuid));
}

/* NAME.parsed.xml: the XML of a def that parses but does not validate. */
static void
test_parsed_only(const char *name, const StoragePoolDef *def)
{
    g_autofree char *path = test_data_path(name, ".parsed.xml");
    g_autofree char *out = NULL;

    if (!def || storage_pool_def_validate(def, NULL)) {
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
        return;
    }
    out = storage_pool_def_format(def, NULL, 0);
    mv_test_compare_to_file(out, path);
}

static void
test_pool(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in_path = test_data_path(name, ".xml");
    g_autofree char *out_path = test_data_path(name, ".out.xml");
    g_autofree char *err_path = test_data_path(name, ".err");
    g_autofree char *xml = test_read(in_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(StoragePoolDef) def = NULL;
    g_autoptr(StoragePoolDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    def = storage_pool_def_parse_string(xml, 0, &error);
    if (def && !strstr(xml, "<uuid>"))
        test_fix_uuid(def);
    test_parsed_only(name, def);
    if (def && !storage_pool_def_validate(def, &error))
        g_clear_pointer(&def, storage_pool_def_free);
    if (!def) {
        g_autofree char *text = test_error_text(error);

        g_assert_nonnull(error);
        g_assert_false(g_file_test(out_path, G_FILE_TEST_EXISTS));
        mv_test_compare_to_file(text, err_path);
        return;
    }
    g_assert_no_error(error);
    g_assert_false(g_file_test(err_path, G_FILE_TEST_EXISTS));
    out = storage_pool_def_format(def, NULL, 0);
    mv_test_compare_to_file(out, out_path);

    again = storage_pool_def_parse_string(out, 0, &error);
    g_assert_no_error(error);
    g_assert_true(storage_pool_def_validate(again, &error));
    out2 = storage_pool_def_format(again, NULL, 0);
    g_assert_cmpstr(out2, ==, out);

    test_live(name, def, out);
}

/* Without <uuid>, one is generated, different each time. */
static void
test_uuid_generated(void)
{
    const char *xml = "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>";
    g_autoptr(StoragePoolDef) a = storage_pool_def_parse_string(xml, 0, NULL);
    g_autoptr(StoragePoolDef) b = storage_pool_def_parse_string(xml, 0, NULL);

    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_false(mv_uuid_is_null(a->uuid));
    g_assert_true(memcmp(a->uuid, b->uuid, MV_UUID_LEN) != 0);
}

/* Every value of the enums has a string, and the strings map back. */
static void
test_enums(void)
{
    for (int i = 0; i < STORAGE_POOL_LAST; i++) {
        const char *s = storage_pool_type_to_string(i);

        g_assert_nonnull(s);
        g_assert_cmpint(storage_pool_type_from_string(s), ==, i);
    }
    for (int i = 0; i < STORAGE_POOL_STATE_LAST; i++)
        g_assert_cmpint(storage_pool_state_from_string(storage_pool_state_to_string(i)), ==, i);
    for (int i = 0; i < STORAGE_POOL_FS_LAST; i++)
        g_assert_nonnull(storage_pool_fs_format_to_string(i));
    for (int i = 0; i < STORAGE_POOL_NETFS_LAST; i++)
        g_assert_nonnull(storage_pool_netfs_format_to_string(i));
    for (int i = 0; i < STORAGE_POOL_DISK_LAST; i++)
        g_assert_nonnull(storage_pool_disk_format_to_string(i));
    for (int i = 0; i < STORAGE_POOL_LOGICAL_LAST; i++)
        g_assert_nonnull(storage_pool_logical_format_to_string(i));
    for (int i = 0; i < STORAGE_AUTH_LAST; i++)
        g_assert_nonnull(storage_auth_type_to_string(i));
    g_assert_null(storage_pool_type_to_string(STORAGE_POOL_LAST));
    g_assert_cmpint(storage_pool_type_from_string("nfs"), ==, -1);
}

/* pool-capabilities: libvirt 9.0's text (tests/data/storagepool-capabilities.xml
 * is what libvirtd printed on the project's machine, 2026-11-23, with
 * supported='no' for the types modvirt does not run), byte for byte. */
static void
test_capabilities(void)
{
    g_autofree char *want = test_read(ABS_SRCDIR "/data/storagepool-capabilities.xml");
    g_autofree char *got = storage_pool_capabilities_format();

    g_assert_cmpstr(got, ==, want);
}

/* The data directory holds no stray file: each input has one expectation. */
static void
test_data_complete(void)
{
    g_autoptr(GDir) dir = g_dir_open(DATADIR, 0, NULL);
    const char *file;

    g_assert_nonnull(dir);
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *stem = NULL;
        g_autofree char *in = NULL;

        if (g_str_has_suffix(file, ".out.xml"))
            stem = g_strndup(file, strlen(file) - strlen(".out.xml"));
        else if (g_str_has_suffix(file, ".live.xml"))
            stem = g_strndup(file, strlen(file) - strlen(".live.xml"));
        else if (g_str_has_suffix(file, ".parsed.xml"))
            stem = g_strndup(file, strlen(file) - strlen(".parsed.xml"));
        else if (g_str_has_suffix(file, ".err"))
            stem = g_strndup(file, strlen(file) - strlen(".err"));
        else if (g_str_has_suffix(file, ".status"))
            stem = g_strndup(file, strlen(file) - strlen(".status"));
        else if (g_str_has_suffix(file, ".xml"))
            continue;
        else
            g_error("unexpected file %s in %s", file, DATADIR);
        in = test_data_path(stem, ".xml");
        if (!g_file_test(in, G_FILE_TEST_EXISTS))
            g_error("%s has no input %s", file, in);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = NULL;

    g_test_init(&argc, &argv, NULL);
    cases = mv_test_list_cases(DATADIR, ".xml");
    for (guint i = 0; i < cases->len; i++) {
        const char *name = cases->pdata[i];
        g_autofree char *path = NULL;

        if (g_str_has_suffix(name, ".out") || g_str_has_suffix(name, ".live") ||
            g_str_has_suffix(name, ".parsed"))
            continue;
        path = g_strdup_printf("/conf/storagepool/xml2xml/%s", name);
        g_test_add_data_func_full(path, g_strdup(name), test_pool, g_free);
    }
    g_test_add_func("/conf/storagepool/uuid-generated", test_uuid_generated);
    g_test_add_func("/conf/storagepool/enums", test_enums);
    g_test_add_func("/conf/storagepool/data-complete", test_data_complete);
    g_test_add_func("/conf/storagepool/capabilities", test_capabilities);
    return g_test_run();
}
