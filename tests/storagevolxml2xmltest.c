/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storagevolxml2xmltest.c: storage volume XML, parse -> validate -> format,
 * in the pool it lives in.
 *
 * Each case names a volume, storagevolxml2xmldata/VOL.xml, and a pool,
 * storagepoolxml2xmldata/POOL.xml.  Expected: VOL.out.xml (which must be a
 * fixed point) or VOL.err ("CODE: message").  Regenerate with
 * MODVIRT_TEST_REGENERATE=1.
 */
#include <string.h>

#include <glib.h>

#include "conf/storage-vol-conf.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/storagevolxml2xmldata"
#define POOLDIR ABS_SRCDIR "/storagepoolxml2xmldata"

typedef struct {
    const char *vol;
    const char *pool;
    unsigned flags;
} VolCase;

static const VolCase vol_cases[] = {
    /* what virsh vol-create-as sends */
    { "vol-create-as-raw", "dir", 0 },
    { "vol-create-as-qcow2", "dir", 0 },
    { "vol-create-as-backing", "dir", 0 },
    { "vol-create-as-backing-raw", "dir", 0 },
    /* what vol-dumpxml prints, fed back */
    { "vol-dumpxml", "dir", 0 },
    { "vol-units", "dir", 0 },
    { "vol-qcow2-full", "dir", 0 },
    { "vol-qcow2-features-empty", "dir", 0 },
    { "vol-opt-capacity", "dir", STORAGE_VOL_PARSE_OPT_CAPACITY },
    { "vol-no-capacity", "dir", STORAGE_VOL_PARSE_NO_CAPACITY },
    { "vol-fs-qcow2", "fs", 0 },
    { "vol-logical", "logical", 0 },
    { "vol-logical-raw-format", "logical", 0 },
    { "vol-logical-snapshot", "logical", 0 },
    { "vol-iscsi-lun", "iscsi", 0 },
    { "vol-iscsi-direct-lun", "iscsi-direct", 0 },
    { "vol-disk-partition", "unsupported-disk", 0 },
    /* errors */
    { "err-vol-name-missing", "dir", 0 },
    { "err-vol-name-empty", "dir", 0 },
    { "err-vol-name-slash", "dir", 0 },
    { "err-vol-capacity-missing", "dir", 0 },
    { "err-vol-capacity-junk", "dir", 0 },
    { "err-vol-capacity-negative", "dir", 0 },
    { "err-vol-capacity-unit", "dir", 0 },
    { "err-vol-capacity-overflow", "dir", 0 },
    { "err-vol-allocation-junk", "dir", 0 },
    { "err-vol-opt-capacity-no-backing", "dir", STORAGE_VOL_PARSE_OPT_CAPACITY },
    { "err-vol-type-unknown", "dir", 0 },
    { "err-vol-format-unknown", "dir", 0 },
    { "err-vol-format-none", "dir", 0 },
    { "err-vol-format-vmdk", "dir", 0 },
    { "err-vol-compat-junk", "dir", 0 },
    { "err-vol-compat-010-features", "dir", 0 },
    { "err-vol-feature-unknown", "dir", 0 },
    { "err-vol-features-raw", "dir", 0 },
    { "err-vol-cluster-size-raw", "dir", 0 },
    { "err-vol-encryption", "dir", 0 },
    { "err-vol-backing-no-path", "dir", 0 },
    { "err-vol-backing-raw-target", "dir", 0 },
    { "err-vol-backing-format-unknown", "dir", 0 },
    { "err-vol-backing-format-vmdk", "dir", 0 },
    { "err-vol-perms-mode", "dir", 0 },
    { "err-vol-unknown-element", "dir", 0 },
    { "err-vol-unknown-target-element", "dir", 0 },
    { "err-vol-unknown-attribute", "dir", 0 },
    { "err-vol-duplicate-capacity", "dir", 0 },
    { "err-vol-logical-qcow2", "logical", 0 },
    { "err-vol-logical-compat", "logical", 0 },
    { "err-vol-root", "dir", 0 },
    { "err-vol-malformed", "dir", 0 },
};

static char *
test_read(const char *dir, const char *name, const char *suffix)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("cannot read %s: %s", path, error->message);
    return text;
}

static StoragePoolDef *
test_load_pool(const char *name)
{
    g_autofree char *xml = test_read(POOLDIR, name, ".xml");
    g_autoptr(GError) error = NULL;
    StoragePoolDef *pool = storage_pool_def_parse_string(xml, 0, &error);

    g_assert_no_error(error);
    return pool;
}

static void
test_vol(gconstpointer data)
{
    const VolCase *tc = data;
    g_autoptr(StoragePoolDef) pool = test_load_pool(tc->pool);
    g_autofree char *xml = test_read(DATADIR, tc->vol, ".xml");
    g_autofree char *out_file = g_strconcat(tc->vol, ".out.xml", NULL);
    g_autofree char *err_file = g_strconcat(tc->vol, ".err", NULL);
    g_autofree char *out_path = g_build_filename(DATADIR, out_file, NULL);
    g_autofree char *err_path = g_build_filename(DATADIR, err_file, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(StorageVolDef) vol = NULL;
    g_autoptr(StorageVolDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    vol = storage_vol_def_parse_string(pool, xml, tc->flags, &error);
    if (!vol) {
        g_autofree char *msg = NULL;
        g_autofree char *text = NULL;

        g_assert_nonnull(error);
        msg = mv_error_format_message(error);
        text = g_strdup_printf("%s: %s\n", mv_error_code_to_name(mv_error_code(error)), msg);
        g_assert_false(g_file_test(out_path, G_FILE_TEST_EXISTS));
        mv_test_compare_to_file(text, err_path);
        return;
    }
    g_assert_no_error(error);
    g_assert_false(g_file_test(err_path, G_FILE_TEST_EXISTS));
    out = storage_vol_def_format(pool, vol, 0);
    mv_test_compare_to_file(out, out_path);

    again = storage_vol_def_parse_string(pool, out, 0, &error);
    g_assert_no_error(error);
    out2 = storage_vol_def_format(pool, again, 0);
    g_assert_cmpstr(out2, ==, out);
}

/* What the driver fills in after creating or refreshing a volume. */
static void
test_driver_fields(void)
{
    g_autoptr(StoragePoolDef) pool = test_load_pool("dir");
    g_autoptr(StorageVolDef) vol = storage_vol_def_new();
    g_autofree char *out = NULL;

    vol->name = g_strdup("disk.img");
    vol->key = g_strdup("/var/lib/modvirt/images/disk.img");
    vol->target.path = g_strdup(vol->key);
    vol->target.format = STORAGE_FILE_RAW;
    vol->capacity = 1048576;
    vol->allocation = 4096;
    vol->physical = 1048576;
    vol->target.perms.mode = 0600;
    vol->target.perms.uid = 0;
    vol->target.perms.gid = 0;
    g_assert_true(storage_vol_def_validate(pool, vol, NULL));
    out = storage_vol_def_format(pool, vol, 0);
    g_assert_cmpstr(out, ==,
                    "<volume type='file'>\n"
                    "  <name>disk.img</name>\n"
                    "  <key>/var/lib/modvirt/images/disk.img</key>\n"
                    "  <capacity unit='bytes'>1048576</capacity>\n"
                    "  <allocation unit='bytes'>4096</allocation>\n"
                    "  <physical unit='bytes'>1048576</physical>\n"
                    "  <target>\n"
                    "    <path>/var/lib/modvirt/images/disk.img</path>\n"
                    "    <format type='raw'/>\n"
                    "    <permissions>\n"
                    "      <mode>0600</mode>\n"
                    "      <owner>0</owner>\n"
                    "      <group>0</group>\n"
                    "    </permissions>\n"
                    "  </target>\n"
                    "</volume>\n");
}

/* Allocation defaults to the capacity, and says it was not given. */
static void
test_allocation_default(void)
{
    g_autoptr(StoragePoolDef) pool = test_load_pool("dir");
    g_autoptr(StorageVolDef) a = NULL;
    g_autoptr(StorageVolDef) b = NULL;

    a = storage_vol_def_parse_string(pool, "<volume><name>a</name><capacity unit='k'>8</capacity>"
                                     "</volume>", 0, NULL);
    g_assert_nonnull(a);
    g_assert_true(a->has_capacity);
    g_assert_false(a->has_allocation);
    g_assert_cmpuint(a->allocation, ==, 8192);
    b = storage_vol_def_parse_string(pool, "<volume><name>b</name><capacity>8</capacity>"
                                     "<allocation>0</allocation></volume>", 0, NULL);
    g_assert_nonnull(b);
    g_assert_true(b->has_allocation);
    g_assert_cmpuint(b->allocation, ==, 0);
}

static void
test_enums(void)
{
    for (int i = 0; i < STORAGE_VOL_LAST; i++)
        g_assert_cmpint(storage_vol_type_from_string(storage_vol_type_to_string(i)), ==, i);
    for (int i = 0; i < STORAGE_FILE_LAST; i++)
        g_assert_cmpint(storage_file_format_from_string(storage_file_format_to_string(i)), ==, i);
    for (int i = 0; i < STORAGE_VOL_DISK_LAST; i++)
        g_assert_nonnull(storage_vol_disk_format_to_string(i));
    for (int i = 0; i < STORAGE_FILE_FEATURE_LAST; i++)
        g_assert_nonnull(storage_file_feature_to_string(i));
    for (int i = 0; i < STORAGE_POOL_LAST; i++)
        (void)storage_vol_formats_for_pool(i);
    g_assert_cmpint(storage_vol_formats_for_pool(STORAGE_POOL_DIR), ==, STORAGE_VOL_FORMATS_FILE);
    g_assert_cmpint(storage_vol_formats_for_pool(STORAGE_POOL_LOGICAL), ==,
                    STORAGE_VOL_FORMATS_NONE);
}

/* Every file of the data directory belongs to a case. */
static void
test_data_complete(void)
{
    g_autoptr(GDir) dir = g_dir_open(DATADIR, 0, NULL);
    const char *file;

    g_assert_nonnull(dir);
    while ((file = g_dir_read_name(dir))) {
        gboolean found = FALSE;

        for (size_t i = 0; i < G_N_ELEMENTS(vol_cases) && !found; i++) {
            const char *v = vol_cases[i].vol;
            size_t n = strlen(v);

            found = strncmp(file, v, n) == 0 &&
                    (g_str_equal(file + n, ".xml") || g_str_equal(file + n, ".out.xml") ||
                     g_str_equal(file + n, ".err"));
        }
        if (!found)
            g_error("%s/%s belongs to no case of storagevolxml2xmltest.c", DATADIR, file);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(vol_cases); i++) {
        g_autofree char *path = g_strdup_printf("/conf/storagevol/xml2xml/%s",
                                                vol_cases[i].vol);

        g_test_add_data_func(path, &vol_cases[i], test_vol);
    }
    g_test_add_func("/conf/storagevol/driver-fields", test_driver_fields);
    g_test_add_func("/conf/storagevol/allocation-default", test_allocation_default);
    g_test_add_func("/conf/storagevol/enums", test_enums);
    g_test_add_func("/conf/storagevol/data-complete", test_data_complete);
    return g_test_run();
}
