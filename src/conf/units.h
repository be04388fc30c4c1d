/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * units.h: libvirt's scaled integers ("<memory unit='MiB'>64</memory>",
 * "<capacity unit='G'>1</capacity>").
 *
 * Units: b/byte/bytes; KB, MB, GB, TB, PB, EB (powers of 1000); k/KiB, M/MiB,
 * G/GiB, T/TiB, P/PiB, E/EiB (powers of 1024).  Names are case-insensitive
 * ("B" is bytes, "kb" is 1000).
 */
#pragma once

#include <glib.h>

/* The multiplier of @unit, or 0 if unknown.  NULL/"" is @default_scale. */
guint64 units_scale(const char *unit, guint64 default_scale);
/*
 * Parse @value in @unit (default @default_scale bytes) into bytes, checking
 * the result does not exceed @max.  @what names the element in errors.
 */
gboolean units_parse(const char *what, const char *value, const char *unit,
                     guint64 default_scale, guint64 max, guint64 *ret_bytes, GError **error);
