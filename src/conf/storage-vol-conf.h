/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-vol-conf.h: the <volume> XML document (libvirt's storage volume
 * format).  What a volume may say depends on the pool it lives in: the
 * volume formats come from the pool type (file formats for dir/fs pools,
 * partition types for disk pools, none for logical and iSCSI pools).
 *
 *   g_autoptr(StorageVolDef) vol = storage_vol_def_parse_string(pool, xml, 0, error);
 *   xml = storage_vol_def_format(pool, vol, 0);
 *
 * The driver fills in the rest after creating or refreshing a volume: key,
 * target path, type, allocation, physical size.
 */
#pragma once

#include <glib.h>

#include "conf/storage-pool-conf.h"
#include "conf/storage-xml.h"
#include "util/enum.h"

/* <volume type=>, libvirt's virStorageVolType order (crosses the wire in
 * VOL_GET_INFO). */
typedef enum {
    STORAGE_VOL_FILE = 0,
    STORAGE_VOL_BLOCK,
    STORAGE_VOL_DIR,
    STORAGE_VOL_NETWORK,
    STORAGE_VOL_NETDIR,
    STORAGE_VOL_PLOOP,
    STORAGE_VOL_LAST
} StorageVolType;
MV_ENUM_DECL(storage_vol_type);

/* <format type=> of volumes in dir/fs/netfs pools (libvirt's file formats;
 * "none" is not accepted in XML).  modvirt creates raw and qcow2 only; the
 * others exist so that refreshed volumes can be described. */
typedef enum {
    STORAGE_FILE_NONE = 0,
    STORAGE_FILE_RAW,
    STORAGE_FILE_DIR,
    STORAGE_FILE_BOCHS,
    STORAGE_FILE_CLOOP,
    STORAGE_FILE_DMG,
    STORAGE_FILE_ISO,
    STORAGE_FILE_VPC,
    STORAGE_FILE_VDI,
    STORAGE_FILE_FAT,
    STORAGE_FILE_VHD,
    STORAGE_FILE_PLOOP,
    STORAGE_FILE_COW,
    STORAGE_FILE_QCOW,
    STORAGE_FILE_QCOW2,
    STORAGE_FILE_QED,
    STORAGE_FILE_VMDK,
    STORAGE_FILE_LAST
} StorageFileFormat;
MV_ENUM_DECL(storage_file_format);

/* <format type=> of volumes (partitions) in disk pools. */
typedef enum {
    STORAGE_VOL_DISK_NONE = 0,
    STORAGE_VOL_DISK_LINUX,
    STORAGE_VOL_DISK_FAT16,
    STORAGE_VOL_DISK_FAT32,
    STORAGE_VOL_DISK_LINUX_SWAP,
    STORAGE_VOL_DISK_LINUX_LVM,
    STORAGE_VOL_DISK_LINUX_RAID,
    STORAGE_VOL_DISK_EXTENDED,
    STORAGE_VOL_DISK_LAST
} StorageVolDiskFormat;
MV_ENUM_DECL(storage_vol_disk_format);

/* <target><features> children (qcow2). */
typedef enum {
    STORAGE_FILE_FEATURE_LAZY_REFCOUNTS = 0,
    STORAGE_FILE_FEATURE_EXTENDED_L2,
    STORAGE_FILE_FEATURE_LAST
} StorageFileFeature;
MV_ENUM_DECL(storage_file_feature);

/* Which <format> values a pool type's volumes take. */
typedef enum {
    STORAGE_VOL_FORMATS_NONE = 0,   /* no <format> (logical, iscsi, ...) */
    STORAGE_VOL_FORMATS_FILE,       /* StorageFileFormat, default raw */
    STORAGE_VOL_FORMATS_DISK,       /* StorageVolDiskFormat, default none */
} StorageVolFormats;

StorageVolFormats storage_vol_formats_for_pool(StoragePoolType type);

typedef enum {
    /* <capacity> may be missing (libvirt's VIR_VOL_XML_PARSE_NO_CAPACITY,
     * used for the volume XML of createXMLFrom). */
    STORAGE_VOL_PARSE_NO_CAPACITY = 1 << 0,
    /* <capacity> may be missing when there is a backing store (its size is
     * taken then; VIR_VOL_XML_PARSE_OPT_CAPACITY). */
    STORAGE_VOL_PARSE_OPT_CAPACITY = 1 << 1,
} StorageVolParseFlags;

/* <backingStore>. */
typedef struct {
    char *path;
    int format;             /* as StorageVolTarget.format */
    StoragePerms perms;
} StorageVolBacking;

typedef struct {
    char *path;
    /* StorageFileFormat / StorageVolDiskFormat per storage_vol_formats_for_pool(),
     * -1 for the pool types without formats. */
    int format;
    StoragePerms perms;
    char *compat;           /* <compat> ("1.1"), NULL: not given */
    guint64 cluster_size;   /* <clusterSize>, bytes; 0: not given */
    gboolean nocow;         /* <nocow/> */
    gboolean has_features;  /* <features> present (even empty) */
    guint features;         /* bit (1 << StorageFileFeature) per feature */
} StorageVolTarget;

typedef struct _StorageVolDef StorageVolDef;
struct _StorageVolDef {
    char *name;
    char *key;
    StorageVolType type;
    guint64 capacity;       /* bytes */
    gboolean has_capacity;
    guint64 allocation;     /* bytes; = capacity when not given */
    gboolean has_allocation;
    guint64 physical;       /* bytes; runtime, printed when non-zero */
    StorageVolTarget target;
    StorageVolBacking *backing;     /* NULL: none */
};

StorageVolDef *storage_vol_def_new(void);
void storage_vol_def_free(StorageVolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorageVolDef, storage_vol_def_free)

/**
 * storage_vol_def_parse_string:
 * @pool: the pool the volume is (to be) in; gives the allowed formats
 * @xml: a <volume> document
 * @flags: StorageVolParseFlags
 * @error: return location
 *
 * Parse @xml with libvirt's rules, then storage_vol_def_validate().
 * Sizes take libvirt's units (bytes by default).  Runtime-only elements
 * (<physical>, <source>, <timestamps>) are ignored.
 *
 * Returns: a new def, or NULL with @error set.
 */
StorageVolDef *storage_vol_def_parse_string(const StoragePoolDef *pool, const char *xml,
                                            unsigned flags, GError **error);

/**
 * storage_vol_def_validate:
 *
 * modvirt's rules for a volume to create: a name without '/', a format
 * modvirt can create (raw, qcow2), a backing store only for formats that
 * have one (it then needs a path), features only for qcow2.
 */
gboolean storage_vol_def_validate(const StoragePoolDef *pool, const StorageVolDef *def,
                                  GError **error);

/* The volume XML as libvirt 9.0 prints it (newly allocated). */
char *storage_vol_def_format(const StoragePoolDef *pool, const StorageVolDef *def,
                             unsigned flags);

/* The string of a format value for volumes of @pool, NULL if none. */
const char *storage_vol_format_to_string(const StoragePoolDef *pool, int format);
