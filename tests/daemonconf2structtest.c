/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemonconf2structtest.c: daemon configuration files -> DaemonConfig.
 *
 * Each daemonconf2structdata/NAME.conf is loaded with daemon_config_load().
 * When it loads, daemon_config_dump() followed by one "warning: " line per
 * warning must equal NAME.dump; when it fails, the error message must equal
 * NAME.err.  A case has exactly one of the two.  Paths in messages are
 * written relative to the data directory, so the goldens do not depend on
 * where the tree lives.  MODVIRT_TEST_REGENERATE=1 rewrites the goldens.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf/daemon-config.h"
#include "testutils.h"
#include "util/error.h"

#define DATADIR ABS_SRCDIR "/daemonconf2structdata"

static gboolean
regenerate(void)
{
    return g_strcmp0(g_getenv("MODVIRT_TEST_REGENERATE"), "1") == 0;
}

static char *
relative_paths(const char *text)
{
    g_autoptr(GString) s = g_string_new(text);

    g_string_replace(s, DATADIR "/", "", 0);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *conf = g_strdup_printf("%s/%s.conf", DATADIR, name);
    g_autofree char *dump_path = g_strdup_printf("%s/%s.dump", DATADIR, name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", DATADIR, name);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) actual = g_string_new(NULL);
    g_autofree char *text = NULL;
    DaemonConfig cfg;
    gboolean ok;

    daemon_config_init(&cfg);
    ok = daemon_config_load(&cfg, conf, TRUE, warnings, &error);
    if (ok) {
        g_autofree char *dump = daemon_config_dump(&cfg);

        g_assert_no_error(error);
        g_string_append(actual, dump);
        for (guint i = 0; i < warnings->len; i++)
            g_string_append_printf(actual, "warning: %s\n", (char *)warnings->pdata[i]);
    } else {
        g_assert_nonnull(error);
        g_assert_true(g_error_matches(error, mv_error_quark(MV_FROM_CONF), MV_ERR_CONF_SYNTAX));
        g_string_append_printf(actual, "%s\n", error->message);
    }
    daemon_config_clear(&cfg);
    text = relative_paths(actual->str);

    /* A golden of the other kind means the outcome changed. */
    if (g_file_test(ok ? err_path : dump_path, G_FILE_TEST_EXISTS) && !regenerate()) {
        g_printerr("%s: expected to %s, but it %s:\n%s", name, ok ? "fail" : "load",
                   ok ? "loaded" : "failed", text);
        g_test_fail();
        return;
    }
    if (regenerate())
        (void)g_remove(ok ? err_path : dump_path);
    mv_test_compare_to_file(text, ok ? dump_path : err_path);
}

/* A missing optional file leaves the defaults; a required one is an error. */
static void
test_missing_file(void)
{
    g_autofree char *path = g_strdup_printf("%s/no-such-file.conf", DATADIR);
    g_autoptr(GError) error = NULL;
    g_autofree char *defaults = NULL;
    g_autofree char *loaded = NULL;
    DaemonConfig ref;
    DaemonConfig cfg;

    daemon_config_init(&ref);
    daemon_config_init(&cfg);
    defaults = daemon_config_dump(&ref);
    g_assert_true(daemon_config_load(&cfg, path, FALSE, NULL, &error));
    g_assert_no_error(error);
    loaded = daemon_config_dump(&cfg);
    g_assert_cmpstr(loaded, ==, defaults);

    g_assert_false(daemon_config_load(&cfg, path, TRUE, NULL, &error));
    g_assert_error(error, mv_error_quark(MV_FROM_CONF), MV_ERR_CONF_SYNTAX);
    g_assert_nonnull(strstr(error->message, path));
    daemon_config_clear(&cfg);
    daemon_config_clear(&ref);
}

/* Every case has its .conf; no golden is left without one. */
static void
test_no_orphans(void)
{
    static const char *const suffixes[] = { ".dump", ".err" };

    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        g_autoptr(GPtrArray) names = mv_test_list_cases(DATADIR, suffixes[i]);

        for (guint j = 0; j < names->len; j++) {
            g_autofree char *conf = g_strdup_printf("%s/%s.conf", DATADIR,
                                                    (char *)names->pdata[j]);

            if (!g_file_test(conf, G_FILE_TEST_EXISTS))
                g_error("%s%s has no .conf", (char *)names->pdata[j], suffixes[i]);
        }
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = NULL;

    g_test_init(&argc, &argv, NULL);
    cases = mv_test_list_cases(DATADIR, ".conf");
    g_assert_cmpuint(cases->len, >, 0);
    for (guint i = 0; i < cases->len; i++) {
        g_autofree char *path = g_strdup_printf("/daemonconf2struct/%s",
                                                (char *)cases->pdata[i]);

        g_test_add_data_func(path, cases->pdata[i], test_case);
    }
    g_test_add_func("/daemonconf2struct/missing-file", test_missing_file);
    g_test_add_func("/daemonconf2struct/no-orphans", test_no_orphans);
    return g_test_run();
}
