/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-iscsi.h: what the two iSCSI pool types (iscsi, iscsi-direct) and
 * the volume translation share: the portal of a pool, the names of its
 * LUNs, and the CHAP password its <auth> refers to.
 *
 * Portal.  A pool has exactly one <host>.  Its port defaults to 3260, and
 * virsh's "pool-define-as --source-host h:3260" writes the port into the
 * name (<host name='h:3260'/>), so a name may carry it: "h:3260",
 * "[::1]:3260".  A bare IPv6 address ("::1") is a host without a port.
 *
 * Secrets.  modvirt has no secret driver; a secret's value is read from
 * the secrets directory in libvirt's on-disk layout: UUID.xml (the secret's
 * definition, giving its usage) beside UUID.base64 (the value, base64).
 * A pool's <secret uuid=> names the files directly; <secret usage=> is
 * matched against the <usage><target> of the definitions.
 */
#pragma once

#include <glib.h>

#include "conf/storage-pool-conf.h"

#define STORAGE_ISCSI_DEFAULT_PORT 3260

/* The portal of @def (an iscsi or iscsi-direct pool): host (newly
 * allocated, IPv6 without brackets) and port.  FALSE with
 * MV_ERR_CONFIG_UNSUPPORTED when there is not exactly one host, or with
 * MV_ERR_XML_ERROR when its name carries a bad port or two ports. */
gboolean storage_iscsi_portal(const StoragePoolDef *def, char **ret_host, guint *ret_port,
                              GError **error);

/* "HOST:PORT" ("[HOST]:PORT" for IPv6), as libiscsi and iscsiadm take it. */
char *storage_iscsi_portal_string(const char *host, guint port);

/* The target IQN of @def (its one source device), or NULL. */
const char *storage_iscsi_target(const StoragePoolDef *def);

/* udev's by-path name of a LUN: "ip-HOST:PORT-iscsi-IQN-lun-N". */
char *storage_iscsi_lun_path_name(const char *host, guint port, const char *iqn, guint lun);

/* The volume name of LUN @lun: "unit:0:0:N". */
char *storage_iscsi_lun_vol_name(guint lun);

/* The LUN of a volume named "unit:B:T:L" (any name whose last ':' token is
 * a number): FALSE when @name has none. */
gboolean storage_iscsi_vol_name_lun(const char *name, guint *ret_lun);

/*
 * The CHAP user and password of @def's <auth>, NULL/NULL when it has none.
 * The password comes from @secrets_dir (see above); a secret that cannot
 * be found or read fails with MV_ERR_NO_SECRET naming it.
 */
gboolean storage_iscsi_chap(const StoragePoolDef *def, const char *secrets_dir,
                            char **ret_user, char **ret_password, GError **error);

/* find-storage-pool-sources of an iSCSI type: FALSE with libvirt's errors
 * unless a <source> was given (@spec not NULL) that names one host. */
gboolean storage_iscsi_find_check(const StoragePoolDef *spec, GError **error);

/* A source found at @spec's portal: its host and initiator (as given) and
 * @target. */
StoragePoolDef *storage_iscsi_found_source(const StoragePoolDef *spec, StoragePoolType type,
                                           const char *target);
