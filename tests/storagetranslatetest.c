/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storagetranslatetest.c: the volume translation (TRANSLATE_VOLUME) as a
 * pure function: (pool XML, volume XML, mode, active) -> the source QEMU
 * opens, or an error.
 *
 * Inputs are storagetranslatedata/pool-*.xml and vol-*.xml; each case
 * expects NAME.out (the translation, one "field: value" line per field
 * set) or NAME.err ("CODE (DOMAIN): message").  Every case also checks
 * that the pool and the volume are unchanged afterwards (their XML
 * formats the same) and that asking again gives the same answer.
 * Regenerate with MODVIRT_TEST_REGENERATE=1.
 */
#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-vol-conf.h"
#include "drivers/storage/storage-translate.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/storagetranslatedata"

typedef struct {
    const char *name;
    const char *pool;
    const char *vol;
    int mode;
    gboolean active;
} TranslateCase;

static const TranslateCase translate_cases[] = {
    { "dir-qcow2", "dir", "dir-qcow2", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "dir-raw", "dir", "dir-raw", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "fs-raw", "fs", "fs-raw", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "logical", "logical", "logical", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-default", "iscsi", "iscsi-lun", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-host", "iscsi", "iscsi-lun", STORAGE_TRANSLATE_MODE_HOST, TRUE },
    { "iscsi-direct-mode", "iscsi", "iscsi-lun", STORAGE_TRANSLATE_MODE_DIRECT, TRUE },
    { "iscsi-direct", "iscsi-direct", "iscsi-direct-lun", STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-direct-define-as", "iscsi-direct-define-as", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-direct-noport", "iscsi-direct-noport", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-direct-ipv6", "iscsi-direct-ipv6", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "iscsi-direct-chap", "iscsi-direct-chap", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    /* errors */
    { "err-iscsi-direct-mode-direct", "iscsi-direct", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DIRECT, TRUE },
    { "err-iscsi-direct-mode-host", "iscsi-direct", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_HOST, TRUE },
    { "err-dir-mode-host", "dir", "dir-raw", STORAGE_TRANSLATE_MODE_HOST, TRUE },
    { "err-logical-mode-direct", "logical", "logical", STORAGE_TRANSLATE_MODE_DIRECT, TRUE },
    { "err-mode-unknown", "iscsi", "iscsi-lun", 7, TRUE },
    { "err-inactive", "iscsi-direct", "iscsi-direct-lun", STORAGE_TRANSLATE_MODE_DEFAULT,
      FALSE },
    { "err-inactive-dir", "dir", NULL, STORAGE_TRANSLATE_MODE_DEFAULT, FALSE },
    { "err-iscsi-direct-nolun", "iscsi-direct", "iscsi-direct-nolun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
    { "err-iscsi-direct-two-ports", "iscsi-direct-twoports", "iscsi-direct-lun",
      STORAGE_TRANSLATE_MODE_DEFAULT, TRUE },
};

static char *
test_read(const char *prefix, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s-%s.xml", prefix, name);
    g_autofree char *path = g_build_filename(DATADIR, file, NULL);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("cannot read %s: %s", path, error->message);
    return text;
}

static void
test_add_field(GString *out, const char *field, const char *value)
{
    if (value)
        g_string_append_printf(out, "%s: %s\n", field, value);
}

static char *
test_format_translation(const StorageTranslation *t)
{
    GString *out = g_string_new(NULL);

    test_add_field(out, "type", storage_translate_type_to_string(t->type));
    test_add_field(out, "path", t->path);
    test_add_field(out, "format", t->format);
    test_add_field(out, "protocol", t->protocol);
    test_add_field(out, "host", t->host);
    if (t->type == STORAGE_TRANSLATE_NETWORK) {
        g_string_append_printf(out, "port: %u\n", t->port);
        g_string_append_printf(out, "lun: %u\n", t->lun);
    } else {
        g_assert_cmpuint(t->port, ==, 0);
        g_assert_cmpuint(t->lun, ==, 0);
    }
    test_add_field(out, "target", t->target);
    test_add_field(out, "initiator", t->initiator);
    test_add_field(out, "auth_user", t->auth_user);
    test_add_field(out, "auth_secret_usage", t->auth_secret_usage);
    test_add_field(out, "auth_secret_uuid", t->auth_secret_uuid);
    test_add_field(out, "pool_type", t->pool_type);
    return g_string_free(out, FALSE);
}

/* The answer to one request, as the .out or .err text. */
static char *
test_translate_text(const TranslateCase *tc, const StoragePoolDef *pool,
                    const StorageVolDef *vol, gboolean *ret_ok)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(StorageTranslation) t = NULL;
    g_autofree char *msg = NULL;

    t = storage_translate_volume(pool, tc->active, vol, vol ? vol->name : "gone.img",
                                 tc->mode, &error);
    *ret_ok = t != NULL;
    if (t) {
        g_assert_no_error(error);
        return test_format_translation(t);
    }
    g_assert_nonnull(error);
    msg = mv_error_format_message(error);
    return g_strdup_printf("%s (%d): %s\n", mv_error_code_to_name(mv_error_code(error)),
                           mv_error_from(error), msg);
}

static void
test_translate(gconstpointer data)
{
    const TranslateCase *tc = data;
    g_autofree char *pool_xml = test_read("pool", tc->pool);
    g_autofree char *vol_xml = tc->vol ? test_read("vol", tc->vol) : NULL;
    g_autofree char *out_path = g_strdup_printf("%s/%s.out", DATADIR, tc->name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", DATADIR, tc->name);
    g_autoptr(StoragePoolDef) pool = NULL;
    g_autoptr(StorageVolDef) vol = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *pool_before = NULL;
    g_autofree char *vol_before = NULL;
    g_autofree char *pool_after = NULL;
    g_autofree char *vol_after = NULL;
    g_autofree char *text = NULL;
    g_autofree char *again = NULL;
    gboolean ok;
    gboolean ok2;

    pool = storage_pool_def_parse_string(pool_xml, 0, &error);
    g_assert_no_error(error);
    if (vol_xml) {
        vol = storage_vol_def_parse_string(pool, vol_xml, 0, &error);
        g_assert_no_error(error);
        vol_before = storage_vol_def_format(pool, vol, 0);
    }
    pool_before = storage_pool_def_format(pool, NULL, 0);

    text = test_translate_text(tc, pool, vol, &ok);
    g_assert_false(g_file_test(ok ? err_path : out_path, G_FILE_TEST_EXISTS));
    mv_test_compare_to_file(text, ok ? out_path : err_path);

    /* a pure function: nothing changed, and the same answer again */
    pool_after = storage_pool_def_format(pool, NULL, 0);
    g_assert_cmpstr(pool_after, ==, pool_before);
    if (vol) {
        vol_after = storage_vol_def_format(pool, vol, 0);
        g_assert_cmpstr(vol_after, ==, vol_before);
    }
    again = test_translate_text(tc, pool, vol, &ok2);
    g_assert_cmpint(ok2, ==, ok);
    g_assert_cmpstr(again, ==, text);
}

static void
test_enums(void)
{
    for (int i = 0; i < STORAGE_TRANSLATE_MODE_LAST; i++)
        g_assert_cmpint(storage_translate_mode_from_string(storage_translate_mode_to_string(i)),
                        ==, i);
    for (int i = 0; i < STORAGE_TRANSLATE_LAST; i++)
        g_assert_cmpint(storage_translate_type_from_string(storage_translate_type_to_string(i)),
                        ==, i);
    /* the wire's numbers (translate-protocol.x) */
    g_assert_cmpint(STORAGE_TRANSLATE_MODE_HOST, ==, 1);
    g_assert_cmpint(STORAGE_TRANSLATE_MODE_DIRECT, ==, 2);
    g_assert_cmpint(STORAGE_TRANSLATE_BLOCK, ==, 1);
    g_assert_cmpint(STORAGE_TRANSLATE_NETWORK, ==, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(translate_cases); i++) {
        g_autofree char *path = g_strdup_printf("/storage/translate/%s",
                                                translate_cases[i].name);

        g_test_add_data_func(path, &translate_cases[i], test_translate);
    }
    g_test_add_func("/storage/translate/enums", test_enums);
    return g_test_run();
}
