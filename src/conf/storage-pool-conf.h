/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-pool-conf.h: the <pool> XML document (libvirt's storage pool
 * format), parsed into a StoragePoolDef, validated, and formatted back.
 *
 *   g_autoptr(StoragePoolDef) def = storage_pool_def_parse_string(xml, 0, error);
 *   if (!def || !storage_pool_def_validate(def, error))
 *       return NULL;
 *   xml = storage_pool_def_format(def, NULL, 0);        (inactive XML)
 *   xml = storage_pool_def_format(def, &status, 0);     (live XML)
 *
 * Parsing applies libvirt's own parse-time rules and defaults (uuid
 * generated, source name <-> pool name for the types that have one,
 * target path of logical pools, default source formats); every libvirt
 * pool type parses.  Validation adds modvirt's rules: the types modvirt
 * cannot run are refused with MV_ERR_CONFIG_UNSUPPORTED, and the source
 * each supported backend needs is checked.
 *
 * Runtime data (state, capacity, allocation, available, the last refresh
 * error) lives in StoragePoolStatus, kept by the driver beside the def.
 */
#pragma once

#include <glib.h>

#include "conf/storage-xml.h"
#include "util/enum.h"
#include "util/uuid.h"

/* libvirt's virStoragePoolType order. */
typedef enum {
    STORAGE_POOL_DIR = 0,
    STORAGE_POOL_FS,
    STORAGE_POOL_NETFS,
    STORAGE_POOL_LOGICAL,
    STORAGE_POOL_DISK,
    STORAGE_POOL_ISCSI,
    STORAGE_POOL_ISCSI_DIRECT,
    STORAGE_POOL_SCSI,
    STORAGE_POOL_MPATH,
    STORAGE_POOL_RBD,
    STORAGE_POOL_SHEEPDOG,
    STORAGE_POOL_GLUSTER,
    STORAGE_POOL_ZFS,
    STORAGE_POOL_VSTORAGE,
    STORAGE_POOL_LAST
} StoragePoolType;
MV_ENUM_DECL(storage_pool_type);

/* libvirt's virStoragePoolState numbers (they cross the wire in GET_INFO). */
typedef enum {
    STORAGE_POOL_STATE_INACTIVE = 0,
    STORAGE_POOL_STATE_BUILDING = 1,
    STORAGE_POOL_STATE_RUNNING = 2,
    STORAGE_POOL_STATE_DEGRADED = 3,
    STORAGE_POOL_STATE_INACCESSIBLE = 4,
    STORAGE_POOL_STATE_LAST
} StoragePoolState;
MV_ENUM_DECL(storage_pool_state);

/* <source><format type=> of fs pools. */
typedef enum {
    STORAGE_POOL_FS_AUTO = 0,
    STORAGE_POOL_FS_EXT2,
    STORAGE_POOL_FS_EXT3,
    STORAGE_POOL_FS_EXT4,
    STORAGE_POOL_FS_UFS,
    STORAGE_POOL_FS_ISO9660,
    STORAGE_POOL_FS_UDF,
    STORAGE_POOL_FS_GFS,
    STORAGE_POOL_FS_GFS2,
    STORAGE_POOL_FS_VFAT,
    STORAGE_POOL_FS_HFSPLUS,
    STORAGE_POOL_FS_XFS,
    STORAGE_POOL_FS_OCFS2,
    STORAGE_POOL_FS_VMFS,
    STORAGE_POOL_FS_LAST
} StoragePoolFsFormat;
MV_ENUM_DECL(storage_pool_fs_format);

/* ... of netfs pools. */
typedef enum {
    STORAGE_POOL_NETFS_AUTO = 0,
    STORAGE_POOL_NETFS_NFS,
    STORAGE_POOL_NETFS_GLUSTERFS,
    STORAGE_POOL_NETFS_CIFS,
    STORAGE_POOL_NETFS_LAST
} StoragePoolNetfsFormat;
MV_ENUM_DECL(storage_pool_netfs_format);

/* ... of disk pools (partition table). */
typedef enum {
    STORAGE_POOL_DISK_UNKNOWN = 0,
    STORAGE_POOL_DISK_DOS,
    STORAGE_POOL_DISK_DVH,
    STORAGE_POOL_DISK_GPT,
    STORAGE_POOL_DISK_MAC,
    STORAGE_POOL_DISK_BSD,
    STORAGE_POOL_DISK_PC98,
    STORAGE_POOL_DISK_SUN,
    STORAGE_POOL_DISK_LVM2,
    STORAGE_POOL_DISK_LAST
} StoragePoolDiskFormat;
MV_ENUM_DECL(storage_pool_disk_format);

/* ... of logical pools. */
typedef enum {
    STORAGE_POOL_LOGICAL_UNKNOWN = 0,
    STORAGE_POOL_LOGICAL_LVM2,
    STORAGE_POOL_LOGICAL_LAST
} StoragePoolLogicalFormat;
MV_ENUM_DECL(storage_pool_logical_format);

/* <auth type=>. */
typedef enum {
    STORAGE_AUTH_NONE = 0,
    STORAGE_AUTH_CHAP,
    STORAGE_AUTH_CEPH,
    STORAGE_AUTH_LAST
} StorageAuthType;
MV_ENUM_DECL(storage_auth_type);

/* <host name= port=/>; port 0 = not given. */
typedef struct {
    char *name;
    int port;
} StoragePoolSourceHost;

/* <device path= part_separator=/>. */
typedef struct {
    char *path;
    int part_separator;     /* STORAGE_TRISTATE_* */
} StoragePoolSourceDevice;

/*
 * <auth type='chap|ceph' username=><secret [type=] usage=|uuid=/></auth>.
 * Exactly one of secret_usage / has_secret_uuid is set.
 */
typedef struct {
    StorageAuthType type;
    char *username;
    char *secret_type;      /* optional <secret type=> ("iscsi"), kept as given */
    char *secret_usage;
    gboolean has_secret_uuid;
    unsigned char secret_uuid[MV_UUID_LEN];
} StoragePoolAuth;

typedef struct {
    GPtrArray *hosts;       /* StoragePoolSourceHost, never NULL */
    GPtrArray *devices;     /* StoragePoolSourceDevice, never NULL */
    char *dir;              /* <dir path=> (netfs, gluster) */
    char *adapter_xml;      /* <adapter> (scsi), kept verbatim: parse-only */
    char *name;             /* <name>: VG name (logical), ... */
    char *initiator_iqn;    /* <initiator><iqn name=> */
    int format;             /* per type: StoragePool{Fs,Netfs,Disk,Logical}Format; -1: none */
    StoragePoolAuth *auth;  /* NULL: no <auth> */
    guint protocol_ver;     /* <protocol ver=> (netfs); 0: not given */
    char *vendor;
    char *product;
} StoragePoolSource;

typedef struct {
    char *path;             /* NULL for the types without a target (iscsi-direct...) */
    StoragePerms perms;
} StoragePoolTarget;

typedef struct _StoragePoolDef StoragePoolDef;
struct _StoragePoolDef {
    StoragePoolType type;
    char *name;
    unsigned char uuid[MV_UUID_LEN];
    int feature_cow;        /* <features><cow state=>: STORAGE_TRISTATE_* */
    StoragePoolSource source;
    StoragePoolTarget target;
    int refresh_allocation; /* <refresh><volume allocation=>: -1 absent,
                             * 0 "default", 1 "capacity" */
};

/* Runtime data of a pool, owned by the driver. */
typedef struct {
    StoragePoolState state;
    guint64 capacity;
    guint64 allocation;
    guint64 available;
    /* The last background refresh failed: its message (NULL: it did not) and
     * when, in seconds since the epoch. */
    char *refresh_error;
    gint64 refresh_error_time;
} StoragePoolStatus;

StoragePoolDef *storage_pool_def_new(StoragePoolType type);
void storage_pool_def_free(StoragePoolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoragePoolDef, storage_pool_def_free)

void storage_pool_status_clear(StoragePoolStatus *status);
/* Record (message != NULL) or clear (NULL) a refresh failure at @when. */
void storage_pool_status_set_refresh_error(StoragePoolStatus *status, const char *message,
                                           gint64 when);

/**
 * storage_pool_def_parse_string:
 * @xml: a <pool> document
 * @flags: 0 (reserved)
 * @error: return location
 *
 * Parse @xml with libvirt's rules.  Runtime elements of live XML
 * (<capacity>, <allocation>, <available>, modvirt's namespace) are
 * ignored.  Unknown elements and attributes, and known ones that the pool
 * type does not use, are errors naming them.
 *
 * Returns: a new def, or NULL with @error set.
 */
StoragePoolDef *storage_pool_def_parse_string(const char *xml, unsigned flags, GError **error);

/**
 * storage_pool_def_validate:
 *
 * modvirt's rules on top of parsing: the pool type must be one modvirt runs
 * (dir, fs, logical, iscsi, iscsi-direct; MV_ERR_CONFIG_UNSUPPORTED naming
 * it otherwise) and the source must be complete for that backend (one
 * device for fs and iscsi, one host, ...).
 */
gboolean storage_pool_def_validate(const StoragePoolDef *def, GError **error);

/**
 * storage_pool_def_format:
 * @def: the pool
 * @status: runtime data for the live XML, NULL for the inactive XML
 * @flags: 0 (reserved)
 *
 * Returns: the XML as libvirt 9.0 prints it (newly allocated).
 */
char *storage_pool_def_format(const StoragePoolDef *def, const StoragePoolStatus *status,
                              unsigned flags);

/**
 * storage_pool_source_parse_string:
 * @type: the pool type it is a source of
 * @xml: a <source> document, as find-storage-pool-sources takes
 * @error: return location
 *
 * Parse @xml as the <source> of a pool of @type (the same rules as in
 * <pool>; nothing is required).
 *
 * Returns: a new def of @type with only its source set, or NULL with
 * @error set.
 */
StoragePoolDef *storage_pool_source_parse_string(StoragePoolType type, const char *xml,
                                                 GError **error);

/**
 * storage_pool_sources_format:
 * @sources: StoragePoolDef, each with a source to print
 *
 * Returns: <sources> with the <source> of each, as libvirt 9.0 prints the
 * answer of find-storage-pool-sources (newly allocated).
 */
char *storage_pool_sources_format(GPtrArray *sources);

/**
 * storage_pool_capabilities_format:
 *
 * Returns: <storagepoolCapabilities> as libvirt 9.0 prints it: every pool
 * type libvirt knows, supported='yes' for those modvirt runs, with the
 * source and volume formats each type takes (newly allocated).
 */
char *storage_pool_capabilities_format(void);

/* TRUE for the pool types modvirt has a backend for. */
gboolean storage_pool_type_is_supported(StoragePoolType type);
/* TRUE when pools of @type have a <target> (a local path). */
gboolean storage_pool_type_has_target(StoragePoolType type);
/* The string of @def->source.format, NULL when the type has no format. */
const char *storage_pool_source_format_to_string(const StoragePoolDef *def);
