/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testutils.h"

void
mv_test_compare_to_file(const char *actual, const char *path)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) error = NULL;
    const char *regen = g_getenv("MODVIRT_TEST_REGENERATE");

    if (regen && g_str_equal(regen, "1")) {
        if (!g_file_set_contents(path, actual, -1, &error))
            g_error("cannot write %s: %s", path, error->message);
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &error)) {
        g_printerr("missing expected file %s (run with MODVIRT_TEST_REGENERATE=1)\n", path);
        g_test_fail();
        return;
    }
    if (!g_str_equal(expected, actual)) {
        g_autofree char *tmp = g_strdup_printf("%s/mvtest-actual-XXXXXX", g_get_tmp_dir());
        int fd = g_mkstemp(tmp);
        g_autofree char *cmd = NULL;

        if (fd >= 0) {
            (void)!write(fd, actual, strlen(actual));
            close(fd);
            cmd = g_strdup_printf("diff -u '%s' '%s' >&2", path, tmp);
            (void)!system(cmd);
            g_unlink(tmp);
        }
        g_printerr("output differs from %s\n", path);
        g_test_fail();
    }
}

char *
mv_test_path(const char *srcdir, const char *rel)
{
    return g_build_filename(srcdir, rel, NULL);
}

/* g_ptr_array_sort() passes pointers to the elements. */
static gint
test_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
mv_test_list_cases(const char *dir, const char *suffix)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d)
        return names;
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strndup(name, strlen(name) - strlen(suffix)));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, test_compare_names);
    return names;
}
