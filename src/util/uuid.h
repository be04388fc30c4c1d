/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#define MV_UUID_LEN 16

void mv_uuid_generate(unsigned char uuid[MV_UUID_LEN]);
/* Accepts the canonical form, with or without dashes.  Returns FALSE on junk. */
gboolean mv_uuid_parse(const char *str, unsigned char uuid[MV_UUID_LEN]);
/* @buf needs 37 bytes. */
char *mv_uuid_format(const unsigned char uuid[MV_UUID_LEN], char buf[37]);
gboolean mv_uuid_is_null(const unsigned char uuid[MV_UUID_LEN]);
