/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutils.h: helpers for the golden-file tests.
 */
#pragma once

#include <glib.h>

/*
 * Compare @actual with the content of @path.  A missing file or a
 * difference fails the test (with a unified diff on stderr), unless
 * MODVIRT_TEST_REGENERATE=1, which rewrites the file instead.
 */
void mv_test_compare_to_file(const char *actual, const char *path);

/* ABS_SRCDIR "/" @rel, newly allocated. */
char *mv_test_path(const char *srcdir, const char *rel);

/* Names of files in @dir ending with @suffix, sorted, without the suffix. */
GPtrArray *mv_test_list_cases(const char *dir, const char *suffix);
