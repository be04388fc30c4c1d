/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * secret-store.h: the secrets modvirt's daemons share, laid out as libvirt
 * keeps them: <config>/secrets/<uuid>.xml (a <secret> definition whose
 * <usage type='iscsi'><target> names it) and <uuid>.base64 (its value).
 */
#pragma once

#include <glib.h>

/* The uuid string of the iscsi secret whose usage target is @usage, or NULL. */
char *secret_store_find_iscsi_usage(const char *dir, const char *usage);
/*
 * The value of secret @uuid as a password (no NUL bytes).  @what describes
 * the secret in errors ("with usage 'x'").
 */
char *secret_store_read_password(const char *dir, const char *uuid, const char *what,
                                 GError **error);
