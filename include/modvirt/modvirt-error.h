/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt-error.h: error reporting of libmodvirt.
 *
 * The numeric values of MvErrorCode and MvErrorDomain are those of libvirt's
 * virErrorNumber and virErrorDomain: they cross the wire unchanged, so both
 * enums are append-only.
 */
#pragma once

#include <modvirt/modvirt-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MV_ERR_OK = 0,
    MV_ERR_INTERNAL_ERROR = 1,
    MV_ERR_NO_MEMORY = 2,
    MV_ERR_NO_SUPPORT = 3,
    MV_ERR_UNKNOWN_HOST = 4,
    MV_ERR_NO_CONNECT = 5,
    MV_ERR_INVALID_CONN = 6,
    MV_ERR_INVALID_DOMAIN = 7,
    MV_ERR_INVALID_ARG = 8,
    MV_ERR_OPERATION_FAILED = 9,
    MV_ERR_GET_FAILED = 10,
    MV_ERR_POST_FAILED = 11,
    MV_ERR_HTTP_ERROR = 12,
    MV_ERR_SEXPR_SERIAL = 13,
    MV_ERR_NO_XEN = 14,
    MV_ERR_XEN_CALL = 15,
    MV_ERR_OS_TYPE = 16,
    MV_ERR_NO_KERNEL = 17,
    MV_ERR_NO_ROOT = 18,
    MV_ERR_NO_SOURCE = 19,
    MV_ERR_NO_TARGET = 20,
    MV_ERR_NO_NAME = 21,
    MV_ERR_NO_OS = 22,
    MV_ERR_NO_DEVICE = 23,
    MV_ERR_NO_XENSTORE = 24,
    MV_ERR_DRIVER_FULL = 25,
    MV_ERR_CALL_FAILED = 26,
    MV_ERR_XML_ERROR = 27,
    MV_ERR_DOM_EXIST = 28,
    MV_ERR_OPERATION_DENIED = 29,
    MV_ERR_OPEN_FAILED = 30,
    MV_ERR_READ_FAILED = 31,
    MV_ERR_PARSE_FAILED = 32,
    MV_ERR_CONF_SYNTAX = 33,
    MV_ERR_WRITE_FAILED = 34,
    MV_ERR_XML_DETAIL = 35,
    MV_ERR_INVALID_NETWORK = 36,
    MV_ERR_NETWORK_EXIST = 37,
    MV_ERR_SYSTEM_ERROR = 38,
    MV_ERR_RPC = 39,
    MV_ERR_GNUTLS_ERROR = 40,
    MV_ERR_WAR_NO_NETWORK = 41,
    MV_ERR_NO_DOMAIN = 42,
    MV_ERR_NO_NETWORK = 43,
    MV_ERR_INVALID_MAC = 44,
    MV_ERR_AUTH_FAILED = 45,
    MV_ERR_INVALID_STORAGE_POOL = 46,
    MV_ERR_INVALID_STORAGE_VOL = 47,
    MV_ERR_WAR_NO_STORAGE = 48,
    MV_ERR_NO_STORAGE_POOL = 49,
    MV_ERR_NO_STORAGE_VOL = 50,
    MV_ERR_WAR_NO_NODE = 51,
    MV_ERR_INVALID_NODE_DEVICE = 52,
    MV_ERR_NO_NODE_DEVICE = 53,
    MV_ERR_NO_SECURITY_MODEL = 54,
    MV_ERR_OPERATION_INVALID = 55,
    MV_ERR_WAR_NO_INTERFACE = 56,
    MV_ERR_NO_INTERFACE = 57,
    MV_ERR_INVALID_INTERFACE = 58,
    MV_ERR_MULTIPLE_INTERFACES = 59,
    MV_ERR_WAR_NO_NWFILTER = 60,
    MV_ERR_INVALID_NWFILTER = 61,
    MV_ERR_NO_NWFILTER = 62,
    MV_ERR_BUILD_FIREWALL = 63,
    MV_ERR_WAR_NO_SECRET = 64,
    MV_ERR_INVALID_SECRET = 65,
    MV_ERR_NO_SECRET = 66,
    MV_ERR_CONFIG_UNSUPPORTED = 67,
    MV_ERR_OPERATION_TIMEOUT = 68,
    MV_ERR_MIGRATE_PERSIST_FAILED = 69,
    MV_ERR_HOOK_SCRIPT_FAILED = 70,
    MV_ERR_INVALID_DOMAIN_SNAPSHOT = 71,
    MV_ERR_NO_DOMAIN_SNAPSHOT = 72,
    MV_ERR_INVALID_STREAM = 73,
    MV_ERR_ARGUMENT_UNSUPPORTED = 74,
    MV_ERR_STORAGE_PROBE_FAILED = 75,
    MV_ERR_STORAGE_POOL_BUILT = 76,
    MV_ERR_SNAPSHOT_REVERT_RISKY = 77,
    MV_ERR_OPERATION_ABORTED = 78,
    MV_ERR_AUTH_CANCELLED = 79,
    MV_ERR_NO_DOMAIN_METADATA = 80,
    MV_ERR_MIGRATE_UNSAFE = 81,
    MV_ERR_OVERFLOW = 82,
    MV_ERR_BLOCK_COPY_ACTIVE = 83,
    MV_ERR_OPERATION_UNSUPPORTED = 84,
    MV_ERR_SSH = 85,
    MV_ERR_AGENT_UNRESPONSIVE = 86,
    MV_ERR_RESOURCE_BUSY = 87,
    MV_ERR_ACCESS_DENIED = 88,
    MV_ERR_DBUS_SERVICE = 89,
    MV_ERR_STORAGE_VOL_EXIST = 90,
    MV_ERR_CPU_INCOMPATIBLE = 91,
    MV_ERR_XML_INVALID_SCHEMA = 92,
    MV_ERR_MIGRATE_FINISH_OK = 93,
    MV_ERR_AUTH_UNAVAILABLE = 94,
    MV_ERR_NO_SERVER = 95,
    MV_ERR_NO_CLIENT = 96,
    MV_ERR_AGENT_UNSYNCED = 97,
    MV_ERR_LIBSSH = 98,
    MV_ERR_DEVICE_MISSING = 99,
    MV_ERR_INVALID_NWFILTER_BINDING = 100,
    MV_ERR_NO_NWFILTER_BINDING = 101,
    MV_ERR_INVALID_DOMAIN_CHECKPOINT = 102,
    MV_ERR_NO_DOMAIN_CHECKPOINT = 103,
    MV_ERR_NO_DOMAIN_BACKUP = 104,
    MV_ERR_INVALID_NETWORK_PORT = 105,
    MV_ERR_NETWORK_PORT_EXIST = 106,
    MV_ERR_NO_NETWORK_PORT = 107,
    MV_ERR_NO_HOSTNAME = 108,
    MV_ERR_CHECKPOINT_INCONSISTENT = 109,
    MV_ERR_MULTIPLE_DOMAINS = 110,
} MvErrorCode;

typedef enum {
    MV_FROM_NONE = 0,
    MV_FROM_XEN = 1,
    MV_FROM_XEND = 2,
    MV_FROM_XENSTORE = 3,
    MV_FROM_SEXPR = 4,
    MV_FROM_XML = 5,
    MV_FROM_DOM = 6,
    MV_FROM_RPC = 7,
    MV_FROM_PROXY = 8,
    MV_FROM_CONF = 9,
    MV_FROM_QEMU = 10,
    MV_FROM_NET = 11,
    MV_FROM_TEST = 12,
    MV_FROM_REMOTE = 13,
    MV_FROM_OPENVZ = 14,
    MV_FROM_XENXM = 15,
    MV_FROM_STATS_LINUX = 16,
    MV_FROM_LXC = 17,
    MV_FROM_STORAGE = 18,
    MV_FROM_NETWORK = 19,
    MV_FROM_DOMAIN = 20,
    MV_FROM_UML = 21,
    MV_FROM_NODEDEV = 22,
    MV_FROM_XEN_INOTIFY = 23,
    MV_FROM_SECURITY = 24,
    MV_FROM_VBOX = 25,
    MV_FROM_INTERFACE = 26,
    MV_FROM_ONE = 27,
    MV_FROM_ESX = 28,
    MV_FROM_PHYP = 29,
    MV_FROM_SECRET = 30,
    MV_FROM_CPU = 31,
    MV_FROM_XENAPI = 32,
    MV_FROM_NWFILTER = 33,
    MV_FROM_HOOK = 34,
    MV_FROM_DOMAIN_SNAPSHOT = 35,
    MV_FROM_AUDIT = 36,
    MV_FROM_SYSINFO = 37,
    MV_FROM_STREAMS = 38,
    MV_FROM_VMWARE = 39,
    MV_FROM_EVENT = 40,
    MV_FROM_LIBXL = 41,
    MV_FROM_LOCKING = 42,
    MV_FROM_HYPERV = 43,
    MV_FROM_CAPABILITIES = 44,
    MV_FROM_URI = 45,
    MV_FROM_AUTH = 46,
    MV_FROM_DBUS = 47,
    MV_FROM_PARALLELS = 48,
    MV_FROM_DEVICE = 49,
    MV_FROM_SSH = 50,
    MV_FROM_LOCKSPACE = 51,
    MV_FROM_INITCTL = 52,
    MV_FROM_IDENTITY = 53,
    MV_FROM_CGROUP = 54,
    MV_FROM_ACCESS = 55,
    MV_FROM_SYSTEMD = 56,
    MV_FROM_BHYVE = 57,
    MV_FROM_CRYPTO = 58,
    MV_FROM_FIREWALL = 59,
    MV_FROM_POLKIT = 60,
    MV_FROM_THREAD = 61,
    MV_FROM_ADMIN = 62,
    MV_FROM_LOGGING = 63,
    MV_FROM_XENXL = 64,
    MV_FROM_PERF = 65,
    MV_FROM_LIBSSH = 66,
    MV_FROM_RESCTRL = 67,
    MV_FROM_FIREWALLD = 68,
    MV_FROM_DOMAIN_CHECKPOINT = 69,
    MV_FROM_TPM = 70,
    MV_FROM_BPF = 71,
    MV_FROM_CH = 72,
} MvErrorDomain;

typedef enum {
    MV_ERR_LEVEL_NONE = 0,
    MV_ERR_LEVEL_WARNING = 1,
    MV_ERR_LEVEL_ERROR = 2,
} MvErrorLevel;

/**
 * MvError:
 * @code: an MvErrorCode
 * @domain: an MvErrorDomain, the part of the system that raised it
 * @level: an MvErrorLevel
 * @message: the full, human readable message
 *
 * Since: 0.1
 */
typedef struct {
    int code;
    int domain;
    int level;
    char *message;
} MvError;

/**
 * mv_get_last_error:
 *
 * The last error raised by a libmodvirt call in this thread.
 *
 * Returns: a pointer owned by the library, valid until the next call into
 * the library from this thread, or NULL if the last call succeeded.
 * Since: 0.1
 */
MV_PUBLIC const MvError *mv_get_last_error(void);

/**
 * mv_reset_last_error:
 *
 * Forget the last error of this thread.
 *
 * Since: 0.1
 */
MV_PUBLIC void mv_reset_last_error(void);

/**
 * mv_error_code_name:
 * @code: an MvErrorCode
 *
 * Returns: the symbolic name of @code, such as "NO_DOMAIN", or NULL.
 * Since: 0.1
 */
MV_PUBLIC const char *mv_error_code_name(int code);

#ifdef __cplusplus
}
#endif
