/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.h: the project's error contract.
 *
 * Layers above util/ report failures through a GError whose domain is one of
 * the MV_ERROR quarks: one quark per MvErrorDomain (the part of the system
 * that raised it), the GError code being an MvErrorCode.  The message holds
 * the detail only ("no domain with matching name 'x'"); the standard prefix
 * of the code ("Domain not found: ") is added where the error leaves the
 * process, by mv_error_format_message().
 *
 * Errors that came over the wire already carry their full text; they use the
 * "remote" quark family so that they are never prefixed twice.
 */
#pragma once

#include <glib.h>

#include <modvirt/modvirt-error.h>

GQuark mv_error_quark(int from);
GQuark mv_error_remote_quark(int from);

/* The MvErrorDomain of an error, or MV_FROM_NONE if it is not ours. */
int mv_error_from(const GError *error);
gboolean mv_error_is_ours(const GError *error);
gboolean mv_error_is_remote(const GError *error);
/* The MvErrorCode of an error, or MV_ERR_INTERNAL_ERROR if it is not ours. */
int mv_error_code(const GError *error);

void mv_error_set(GError **error, int from, int code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
void mv_error_set_literal(GError **error, int from, int code, const char *msg);
/* A system error: "@fmt: strerror(@errnum)". */
void mv_error_set_errno(GError **error, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Re-wrap a foreign GError (GLib, libxml...) as MV_FROM_@from / @code. */
void mv_error_propagate_as(GError **dest, GError *src, int from, int code);
/* libvirt's flag check: INVALID_ARG "unsupported flags (0x%x) in function
 * @func" (in error domain @from) for the bits of @flags not in @allowed. */
gboolean mv_error_check_flags(int from, const char *func, unsigned int flags,
                              unsigned int allowed, GError **error);

/* The full, user visible message of an error: the code's standard prefix
 * followed by the detail (for local errors), the text as is otherwise. */
char *mv_error_format_message(const GError *error);
char *mv_error_format_code_message(int code, const char *detail);
const char *mv_error_code_to_name(int code);
