/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt-storage.h: storage pools and volumes.
 *
 * Numeric values (states, types, flags, event ids) are libvirt's.
 */
#pragma once

#include <modvirt/modvirt-common.h>
#include <modvirt/modvirt-connect.h>
#include <modvirt/modvirt-stream.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MvStoragePool:
 *
 * A handle on a storage pool (connection, name, UUID).  Reference counted:
 * release it with mv_storage_pool_free().
 *
 * Since: 0.1
 */
typedef struct _MvStoragePool MvStoragePool;

/**
 * MvStorageVol:
 *
 * A handle on a volume (connection, pool name, name, key).  Reference
 * counted: release it with mv_storage_vol_free().  As for domains, the
 * accessors of pools and volumes (get_name, get_key, get_pool_name,
 * get_uuid, get_uuid_string, get_connect), their ref and free functions
 * (and those of streams) leave the last error alone.
 *
 * Since: 0.1
 */
typedef struct _MvStorageVol MvStorageVol;

/**
 * MvStoragePoolState:
 *
 * Since: 0.1
 */
typedef enum {
    MV_STORAGE_POOL_INACTIVE = 0,
    MV_STORAGE_POOL_BUILDING = 1,
    MV_STORAGE_POOL_RUNNING = 2,
    MV_STORAGE_POOL_DEGRADED = 3,
    MV_STORAGE_POOL_INACCESSIBLE = 4,
} MvStoragePoolState;

/**
 * MvStoragePoolInfo:
 * @state: an #MvStoragePoolState
 * @capacity: bytes
 * @allocation: bytes
 * @available: bytes
 *
 * Since: 0.1
 */
typedef struct {
    int state;
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long available;
} MvStoragePoolInfo;

/**
 * MvStorageVolType:
 *
 * Since: 0.1
 */
typedef enum {
    MV_STORAGE_VOL_FILE = 0,
    MV_STORAGE_VOL_BLOCK = 1,
    MV_STORAGE_VOL_DIR = 2,
    MV_STORAGE_VOL_NETWORK = 3,
    MV_STORAGE_VOL_NETDIR = 4,
    MV_STORAGE_VOL_PLOOP = 5,
} MvStorageVolType;

/**
 * MvStorageVolInfo:
 * @type: an #MvStorageVolType
 * @capacity: bytes
 * @allocation: bytes
 *
 * Since: 0.1
 */
typedef struct {
    int type;
    unsigned long long capacity;
    unsigned long long allocation;
} MvStorageVolInfo;

/**
 * MvConnectListAllStoragePoolsFlags:
 *
 * NB: unlike domains, INACTIVE is bit 0 and ACTIVE bit 1.
 *
 * Since: 0.1
 */
typedef enum {
    MV_CONNECT_LIST_STORAGE_POOLS_INACTIVE = 1 << 0,
    MV_CONNECT_LIST_STORAGE_POOLS_ACTIVE = 1 << 1,
    MV_CONNECT_LIST_STORAGE_POOLS_PERSISTENT = 1 << 2,
    MV_CONNECT_LIST_STORAGE_POOLS_TRANSIENT = 1 << 3,
    MV_CONNECT_LIST_STORAGE_POOLS_AUTOSTART = 1 << 4,
    MV_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART = 1 << 5,
    MV_CONNECT_LIST_STORAGE_POOLS_DIR = 1 << 6,
    MV_CONNECT_LIST_STORAGE_POOLS_FS = 1 << 7,
    MV_CONNECT_LIST_STORAGE_POOLS_NETFS = 1 << 8,
    MV_CONNECT_LIST_STORAGE_POOLS_LOGICAL = 1 << 9,
    MV_CONNECT_LIST_STORAGE_POOLS_DISK = 1 << 10,
    MV_CONNECT_LIST_STORAGE_POOLS_ISCSI = 1 << 11,
    MV_CONNECT_LIST_STORAGE_POOLS_SCSI = 1 << 12,
    MV_CONNECT_LIST_STORAGE_POOLS_MPATH = 1 << 13,
    MV_CONNECT_LIST_STORAGE_POOLS_RBD = 1 << 14,
    MV_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG = 1 << 15,
    MV_CONNECT_LIST_STORAGE_POOLS_GLUSTER = 1 << 16,
    MV_CONNECT_LIST_STORAGE_POOLS_ZFS = 1 << 17,
    MV_CONNECT_LIST_STORAGE_POOLS_VSTORAGE = 1 << 18,
    MV_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT = 1 << 19,
} MvConnectListAllStoragePoolsFlags;

/** MvStoragePoolDefineFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_POOL_DEFINE_VALIDATE = 1 << 0,
} MvStoragePoolDefineFlags;

/** MvStoragePoolBuildFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_POOL_BUILD_NEW = 0,
    MV_STORAGE_POOL_BUILD_REPAIR = 1 << 0,
    MV_STORAGE_POOL_BUILD_RESIZE = 1 << 1,
    MV_STORAGE_POOL_BUILD_NO_OVERWRITE = 1 << 2,
    MV_STORAGE_POOL_BUILD_OVERWRITE = 1 << 3,
} MvStoragePoolBuildFlags;

/** MvStoragePoolCreateFlags: of mv_storage_pool_create() and mv_storage_pool_create_xml().  Since: 0.1 */
typedef enum {
    MV_STORAGE_POOL_CREATE_NORMAL = 0,
    MV_STORAGE_POOL_CREATE_WITH_BUILD = 1 << 0,
    MV_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE = 1 << 1,
    MV_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 1 << 2,
} MvStoragePoolCreateFlags;

/** MvStoragePoolDeleteFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_POOL_DELETE_NORMAL = 0,
    MV_STORAGE_POOL_DELETE_ZEROED = 1 << 0,
} MvStoragePoolDeleteFlags;

/** MvStorageXMLFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_XML_INACTIVE = 1 << 0,
} MvStorageXMLFlags;

/** MvStorageVolCreateFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_CREATE_PREALLOC_METADATA = 1 << 0,
    MV_STORAGE_VOL_CREATE_REFLINK = 1 << 1,
    MV_STORAGE_VOL_CREATE_VALIDATE = 1 << 2,
} MvStorageVolCreateFlags;

/** MvStorageVolDeleteFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_DELETE_NORMAL = 0,
    MV_STORAGE_VOL_DELETE_ZEROED = 1 << 0,
    MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 1 << 1,
} MvStorageVolDeleteFlags;

/** MvStorageVolResizeFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_RESIZE_ALLOCATE = 1 << 0,
    MV_STORAGE_VOL_RESIZE_DELTA = 1 << 1,
    MV_STORAGE_VOL_RESIZE_SHRINK = 1 << 2,
} MvStorageVolResizeFlags;

/** MvStorageVolInfoFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_USE_ALLOCATION = 0,
    MV_STORAGE_VOL_GET_PHYSICAL = 1 << 0,
} MvStorageVolInfoFlags;

/** MvStorageVolWipeAlgorithm: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_WIPE_ALG_ZERO = 0,
    MV_STORAGE_VOL_WIPE_ALG_NNSA = 1,
    MV_STORAGE_VOL_WIPE_ALG_DOD = 2,
    MV_STORAGE_VOL_WIPE_ALG_BSI = 3,
    MV_STORAGE_VOL_WIPE_ALG_GUTMANN = 4,
    MV_STORAGE_VOL_WIPE_ALG_SCHNEIER = 5,
    MV_STORAGE_VOL_WIPE_ALG_PFITZNER7 = 6,
    MV_STORAGE_VOL_WIPE_ALG_PFITZNER33 = 7,
    MV_STORAGE_VOL_WIPE_ALG_RANDOM = 8,
    MV_STORAGE_VOL_WIPE_ALG_TRIM = 9,
} MvStorageVolWipeAlgorithm;

/** MvStorageVolUploadFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_UPLOAD_SPARSE_STREAM = 1 << 0,
} MvStorageVolUploadFlags;

/** MvStorageVolDownloadFlags: Since: 0.1 */
typedef enum {
    MV_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM = 1 << 0,
} MvStorageVolDownloadFlags;

/* ---- pools --------------------------------------------------------------- */

/** mv_storage_pool_ref: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_ref(MvStoragePool *pool);
/** mv_storage_pool_free: drop a reference.  Returns: 0, or -1 if @pool is NULL.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_free(MvStoragePool *pool);
/** mv_storage_pool_get_connect: Returns: the connection (borrowed).  Since: 0.1 */
MV_PUBLIC MvConnect *mv_storage_pool_get_connect(MvStoragePool *pool);
/** mv_storage_pool_get_name: Returns: the name (borrowed).  Since: 0.1 */
MV_PUBLIC const char *mv_storage_pool_get_name(MvStoragePool *pool);
/** mv_storage_pool_get_uuid: @uuid: MV_UUID_BUFLEN bytes.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_get_uuid(MvStoragePool *pool, unsigned char *uuid);
/** mv_storage_pool_get_uuid_string: @buf: MV_UUID_STRING_BUFLEN bytes.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_get_uuid_string(MvStoragePool *pool, char *buf);

/**
 * mv_connect_list_all_storage_pools:
 * @pools: (out) (optional): a NULL-terminated array of new handles (free
 *   each with mv_storage_pool_free(), the array with free()); NULL only
 *   counts
 * @flags: bitwise-OR of #MvConnectListAllStoragePoolsFlags
 *
 * Returns: the number of pools, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_list_all_storage_pools(MvConnect *conn, MvStoragePool ***pools,
                                                unsigned int flags);
/** mv_connect_num_of_storage_pools: Returns: the number of active pools, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_num_of_storage_pools(MvConnect *conn);
/** mv_connect_list_storage_pools: legacy; names of active pools (caller frees each).  Returns: how many, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_list_storage_pools(MvConnect *conn, char **names, int maxnames);
/** mv_connect_num_of_defined_storage_pools: Returns: the number of inactive pools, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_num_of_defined_storage_pools(MvConnect *conn);
/** mv_connect_list_defined_storage_pools: legacy; names of inactive pools.  Returns: how many, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_list_defined_storage_pools(MvConnect *conn, char **names,
                                                    int maxnames);
/**
 * mv_connect_find_storage_pool_sources:
 * @type: a pool type ("logical", "netfs"...)
 * @src_spec: (optional): a <source> element narrowing the search
 * @flags: 0
 *
 * Returns: a <sources> document (caller frees), or NULL.
 * Since: 0.1
 */
MV_PUBLIC char *mv_connect_find_storage_pool_sources(MvConnect *conn, const char *type,
                                                     const char *src_spec, unsigned int flags);
/**
 * mv_connect_get_storage_pool_capabilities:
 * @flags: 0
 *
 * Returns: a <storagepoolCapabilities> document (caller frees): every pool
 * type, whether the daemon runs it, and the formats it takes; or NULL.
 * Since: 0.1
 */
MV_PUBLIC char *mv_connect_get_storage_pool_capabilities(MvConnect *conn, unsigned int flags);

/** mv_storage_pool_lookup_by_name: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_lookup_by_name(MvConnect *conn, const char *name);
/** mv_storage_pool_lookup_by_uuid: @uuid: raw bytes.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_lookup_by_uuid(MvConnect *conn,
                                                        const unsigned char *uuid);
/** mv_storage_pool_lookup_by_uuid_string: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_lookup_by_uuid_string(MvConnect *conn,
                                                               const char *uuidstr);
/** mv_storage_pool_lookup_by_volume: the pool holding @vol.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_lookup_by_volume(MvStorageVol *vol);
/** mv_storage_pool_lookup_by_target_path: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_lookup_by_target_path(MvConnect *conn,
                                                               const char *path);

/** mv_storage_pool_create_xml: create and start a transient pool.  @flags: #MvStoragePoolCreateFlags.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_create_xml(MvConnect *conn, const char *xml,
                                                    unsigned int flags);
/** mv_storage_pool_define_xml: @flags: #MvStoragePoolDefineFlags.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStoragePool *mv_storage_pool_define_xml(MvConnect *conn, const char *xml,
                                                    unsigned int flags);
/** mv_storage_pool_build: @flags: #MvStoragePoolBuildFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_build(MvStoragePool *pool, unsigned int flags);
/** mv_storage_pool_create: start a defined pool.  @flags: #MvStoragePoolCreateFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_create(MvStoragePool *pool, unsigned int flags);
/** mv_storage_pool_destroy: stop the pool.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_destroy(MvStoragePool *pool);
/** mv_storage_pool_delete: remove the pool's storage.  @flags: #MvStoragePoolDeleteFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_delete(MvStoragePool *pool, unsigned int flags);
/** mv_storage_pool_undefine: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_undefine(MvStoragePool *pool);
/** mv_storage_pool_refresh: rescan the volumes.  @flags: 0.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_refresh(MvStoragePool *pool, unsigned int flags);
/** mv_storage_pool_get_info: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_get_info(MvStoragePool *pool, MvStoragePoolInfo *info);
/** mv_storage_pool_get_xml_desc: @flags: #MvStorageXMLFlags.  Returns: the XML (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_storage_pool_get_xml_desc(MvStoragePool *pool, unsigned int flags);
/** mv_storage_pool_get_autostart: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_get_autostart(MvStoragePool *pool, int *autostart);
/** mv_storage_pool_set_autostart: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_set_autostart(MvStoragePool *pool, int autostart);
/** mv_storage_pool_is_active: Returns: 1, 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_is_active(MvStoragePool *pool);
/** mv_storage_pool_is_persistent: Returns: 1, 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_is_persistent(MvStoragePool *pool);
/** mv_storage_pool_num_of_volumes: Returns: the number of volumes, or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_num_of_volumes(MvStoragePool *pool);
/** mv_storage_pool_list_volumes: legacy; volume names (caller frees each).  Returns: how many, or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_pool_list_volumes(MvStoragePool *pool, char **names, int maxnames);
/**
 * mv_storage_pool_list_all_volumes:
 * @vols: (out) (optional): a NULL-terminated array of new handles (free each
 *   with mv_storage_vol_free(), the array with free()); NULL only counts
 * @flags: 0
 *
 * All volumes in one call.  Each handle carries the volume's key, which is
 * its path for file-backed pools.
 *
 * Returns: the number of volumes, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_storage_pool_list_all_volumes(MvStoragePool *pool, MvStorageVol ***vols,
                                               unsigned int flags);

/* ---- volumes ----------------------------------------------------------------- */

/** mv_storage_vol_ref: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_ref(MvStorageVol *vol);
/** mv_storage_vol_free: drop a reference.  Returns: 0, or -1 if @vol is NULL.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_free(MvStorageVol *vol);
/** mv_storage_vol_get_connect: Returns: the connection (borrowed).  Since: 0.1 */
MV_PUBLIC MvConnect *mv_storage_vol_get_connect(MvStorageVol *vol);
/** mv_storage_vol_get_name: Returns: the name (borrowed).  Since: 0.1 */
MV_PUBLIC const char *mv_storage_vol_get_name(MvStorageVol *vol);
/** mv_storage_vol_get_key: Returns: the key (borrowed).  Since: 0.1 */
MV_PUBLIC const char *mv_storage_vol_get_key(MvStorageVol *vol);
/** mv_storage_vol_get_pool_name: Returns: the name of the volume's pool (borrowed).  Since: 0.1 */
MV_PUBLIC const char *mv_storage_vol_get_pool_name(MvStorageVol *vol);

/** mv_storage_vol_lookup_by_name: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStorageVol *mv_storage_vol_lookup_by_name(MvStoragePool *pool, const char *name);
/** mv_storage_vol_lookup_by_key: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStorageVol *mv_storage_vol_lookup_by_key(MvConnect *conn, const char *key);
/** mv_storage_vol_lookup_by_path: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStorageVol *mv_storage_vol_lookup_by_path(MvConnect *conn, const char *path);

/** mv_storage_vol_create_xml: @flags: #MvStorageVolCreateFlags.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvStorageVol *mv_storage_vol_create_xml(MvStoragePool *pool, const char *xml,
                                                  unsigned int flags);
/**
 * mv_storage_vol_create_xml_from:
 * @pool: where to create the volume
 * @xml: the new volume
 * @clonevol: the volume whose content it starts with (any pool)
 * @flags: #MvStorageVolCreateFlags
 *
 * Returns: a new handle, or NULL.
 * Since: 0.1
 */
MV_PUBLIC MvStorageVol *mv_storage_vol_create_xml_from(MvStoragePool *pool, const char *xml,
                                                       MvStorageVol *clonevol,
                                                       unsigned int flags);
/** mv_storage_vol_delete: @flags: #MvStorageVolDeleteFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_delete(MvStorageVol *vol, unsigned int flags);
/** mv_storage_vol_wipe: overwrite with zeros.  @flags: 0.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_wipe(MvStorageVol *vol, unsigned int flags);
/** mv_storage_vol_wipe_pattern: @algorithm: an #MvStorageVolWipeAlgorithm.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_wipe_pattern(MvStorageVol *vol, unsigned int algorithm,
                                          unsigned int flags);
/** mv_storage_vol_resize: @capacity: bytes.  @flags: #MvStorageVolResizeFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_resize(MvStorageVol *vol, unsigned long long capacity,
                                    unsigned int flags);
/** mv_storage_vol_get_info: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_get_info(MvStorageVol *vol, MvStorageVolInfo *info);
/** mv_storage_vol_get_info_flags: @flags: #MvStorageVolInfoFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_storage_vol_get_info_flags(MvStorageVol *vol, MvStorageVolInfo *info,
                                            unsigned int flags);
/** mv_storage_vol_get_path: Returns: the path (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_storage_vol_get_path(MvStorageVol *vol);
/** mv_storage_vol_get_xml_desc: @flags: 0.  Returns: the XML (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_storage_vol_get_xml_desc(MvStorageVol *vol, unsigned int flags);

/**
 * mv_storage_vol_upload:
 * @st: a new, unbound stream of @vol's connection
 * @offset: where in the volume the data goes
 * @length: how much at most (0: up to the end of the volume)
 * @flags: #MvStorageVolUploadFlags: with SPARSE_STREAM, holes may be sent
 *   (mv_stream_send_hole()) and leave the volume's bytes alone
 *
 * Binds @st for sending; end with mv_stream_finish().
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_storage_vol_upload(MvStorageVol *vol, MvStream *st, unsigned long long offset,
                                    unsigned long long length, unsigned int flags);
/**
 * mv_storage_vol_download:
 * @st: a new, unbound stream of @vol's connection
 * @offset: where in the volume to start
 * @length: how much at most (0: up to the end of the volume)
 * @flags: #MvStorageVolDownloadFlags: with SPARSE_STREAM, the server sends
 *   holes (see mv_stream_recv_flags())
 *
 * Binds @st for receiving; read to the end, then mv_stream_finish().
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_storage_vol_download(MvStorageVol *vol, MvStream *st,
                                      unsigned long long offset, unsigned long long length,
                                      unsigned int flags);

/* ---- events ------------------------------------------------------------------ */

/**
 * MvStoragePoolEventID:
 *
 * Since: 0.1
 */
typedef enum {
    MV_STORAGE_POOL_EVENT_ID_LIFECYCLE = 0,
    MV_STORAGE_POOL_EVENT_ID_REFRESH = 1,
} MvStoragePoolEventID;

/**
 * MvStoragePoolEventLifecycleType:
 *
 * Since: 0.1
 */
typedef enum {
    MV_STORAGE_POOL_EVENT_DEFINED = 0,
    MV_STORAGE_POOL_EVENT_UNDEFINED = 1,
    MV_STORAGE_POOL_EVENT_STARTED = 2,
    MV_STORAGE_POOL_EVENT_STOPPED = 3,
    MV_STORAGE_POOL_EVENT_CREATED = 4,
    MV_STORAGE_POOL_EVENT_DELETED = 5,
} MvStoragePoolEventLifecycleType;

/**
 * MvConnectStoragePoolEventGenericCallback:
 *
 * The registration type of pool event callbacks, and the signature of
 * MV_STORAGE_POOL_EVENT_ID_REFRESH.  @pool is valid during the call only.
 *
 * Since: 0.1
 */
typedef void (*MvConnectStoragePoolEventGenericCallback)(MvConnect *conn, MvStoragePool *pool,
                                                          void *opaque);
/**
 * MvConnectStoragePoolEventLifecycleCallback:
 * @event: an #MvStoragePoolEventLifecycleType
 * @detail: 0
 *
 * Since: 0.1
 */
typedef void (*MvConnectStoragePoolEventLifecycleCallback)(MvConnect *conn,
                                                            MvStoragePool *pool, int event,
                                                            int detail, void *opaque);

/** MV_STORAGE_POOL_EVENT_CALLBACK: cast to the generic type.  Since: 0.1 */
#define MV_STORAGE_POOL_EVENT_CALLBACK(cb) \
    ((MvConnectStoragePoolEventGenericCallback)(void (*)(void))(cb))

/**
 * mv_connect_storage_pool_event_register_any:
 * @pool: (optional): only this pool's events
 * @event_id: an #MvStoragePoolEventID
 *
 * As mv_connect_domain_event_register_any(), for pools.
 *
 * Returns: a callback id, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_storage_pool_event_register_any(MvConnect *conn, MvStoragePool *pool,
                                                         int event_id,
                                                         MvConnectStoragePoolEventGenericCallback cb,
                                                         void *opaque, void (*freecb)(void *));
/** mv_connect_storage_pool_event_deregister_any: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_storage_pool_event_deregister_any(MvConnect *conn, int callback_id);

#ifdef __cplusplus
}
#endif
