/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt-domain.h: domains (virtual machines), their lifecycle, state,
 * statistics and events.
 *
 * Every numeric value here (states, reasons, flags, event ids) is libvirt's:
 * they cross the wire unchanged.
 */
#pragma once

#include <modvirt/modvirt-common.h>
#include <modvirt/modvirt-connect.h>
#include <modvirt/modvirt-stream.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MvDomain:
 *
 * A handle on a domain: its connection (referenced), name, UUID and id (-1
 * when inactive).  Opaque and reference counted: release it with
 * mv_domain_free().  The id is the one the handle was made with; look the
 * domain up again to see a newer one.  Unlike the other calls, the
 * accessors (mv_domain_get_name(), _get_id(), _get_uuid(),
 * _get_uuid_string(), _get_connect()) and mv_domain_ref() / _free() leave
 * the last error alone, so that a failure can be reported with the
 * domain's name, after releasing handles.
 *
 * Since: 0.1
 */
typedef struct _MvDomain MvDomain;

/**
 * MvDomainState:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_NOSTATE = 0,
    MV_DOMAIN_RUNNING = 1,
    MV_DOMAIN_BLOCKED = 2,
    MV_DOMAIN_PAUSED = 3,
    MV_DOMAIN_SHUTDOWN = 4,
    MV_DOMAIN_SHUTOFF = 5,
    MV_DOMAIN_CRASHED = 6,
    MV_DOMAIN_PMSUSPENDED = 7,
} MvDomainState;

/**
 * MvDomainRunningReason:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_RUNNING_UNKNOWN = 0,
    MV_DOMAIN_RUNNING_BOOTED = 1,
    MV_DOMAIN_RUNNING_MIGRATED = 2,
    MV_DOMAIN_RUNNING_RESTORED = 3,
    MV_DOMAIN_RUNNING_FROM_SNAPSHOT = 4,
    MV_DOMAIN_RUNNING_UNPAUSED = 5,
    MV_DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    MV_DOMAIN_RUNNING_SAVE_CANCELED = 7,
    MV_DOMAIN_RUNNING_WAKEUP = 8,
    MV_DOMAIN_RUNNING_CRASHED = 9,
    MV_DOMAIN_RUNNING_POSTCOPY = 10,
    MV_DOMAIN_RUNNING_POSTCOPY_FAILED = 11,
} MvDomainRunningReason;

/**
 * MvDomainPausedReason:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_PAUSED_UNKNOWN = 0,
    MV_DOMAIN_PAUSED_USER = 1,
    MV_DOMAIN_PAUSED_MIGRATION = 2,
    MV_DOMAIN_PAUSED_SAVE = 3,
    MV_DOMAIN_PAUSED_DUMP = 4,
    MV_DOMAIN_PAUSED_IOERROR = 5,
    MV_DOMAIN_PAUSED_WATCHDOG = 6,
    MV_DOMAIN_PAUSED_FROM_SNAPSHOT = 7,
    MV_DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    MV_DOMAIN_PAUSED_SNAPSHOT = 9,
    MV_DOMAIN_PAUSED_CRASHED = 10,
    MV_DOMAIN_PAUSED_STARTING_UP = 11,
    MV_DOMAIN_PAUSED_POSTCOPY = 12,
    MV_DOMAIN_PAUSED_POSTCOPY_FAILED = 13,
    MV_DOMAIN_PAUSED_API_ERROR = 14,
} MvDomainPausedReason;

/**
 * MvDomainShutdownReason:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_SHUTDOWN_UNKNOWN = 0,
    MV_DOMAIN_SHUTDOWN_USER = 1,
} MvDomainShutdownReason;

/**
 * MvDomainShutoffReason:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_SHUTOFF_UNKNOWN = 0,
    MV_DOMAIN_SHUTOFF_SHUTDOWN = 1,
    MV_DOMAIN_SHUTOFF_DESTROYED = 2,
    MV_DOMAIN_SHUTOFF_CRASHED = 3,
    MV_DOMAIN_SHUTOFF_MIGRATED = 4,
    MV_DOMAIN_SHUTOFF_SAVED = 5,
    MV_DOMAIN_SHUTOFF_FAILED = 6,
    MV_DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    MV_DOMAIN_SHUTOFF_DAEMON = 8,
} MvDomainShutoffReason;

/**
 * MvDomainCrashedReason:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_CRASHED_UNKNOWN = 0,
    MV_DOMAIN_CRASHED_PANICKED = 1,
} MvDomainCrashedReason;

/**
 * MvDomainInfo:
 * @state: an #MvDomainState
 * @max_mem: the maximum memory, KiB
 * @memory: the current memory, KiB
 * @nr_virt_cpu: the number of virtual CPUs
 * @cpu_time: CPU time used, nanoseconds
 *
 * Since: 0.1
 */
typedef struct {
    unsigned char state;
    unsigned long long max_mem;
    unsigned long long memory;
    unsigned short nr_virt_cpu;
    unsigned long long cpu_time;
} MvDomainInfo;

/**
 * MvConnectListAllDomainsFlags:
 *
 * Filters of mv_connect_list_all_domains().  Within each group (active,
 * persistence, state, managed save, autostart, snapshot, checkpoint) the
 * bits are ORed; groups are ANDed; no bit of a group means no filter.
 *
 * Since: 0.1
 */
typedef enum {
    MV_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0,
    MV_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1,
    MV_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2,
    MV_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3,
    MV_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4,
    MV_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5,
    MV_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6,
    MV_CONNECT_LIST_DOMAINS_OTHER = 1 << 7,
    MV_CONNECT_LIST_DOMAINS_MANAGEDSAVE = 1 << 8,
    MV_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
    MV_CONNECT_LIST_DOMAINS_AUTOSTART = 1 << 10,
    MV_CONNECT_LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
    MV_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12,
    MV_CONNECT_LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,
    MV_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14,
    MV_CONNECT_LIST_DOMAINS_NO_CHECKPOINT = 1 << 15,
} MvConnectListAllDomainsFlags;

/**
 * MvDomainCreateFlags:
 *
 * Flags of mv_domain_create_with_flags() and mv_domain_create_xml().
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_NONE = 0,
    MV_DOMAIN_START_PAUSED = 1 << 0,
    MV_DOMAIN_START_AUTODESTROY = 1 << 1,
    MV_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    MV_DOMAIN_START_FORCE_BOOT = 1 << 3,
    MV_DOMAIN_START_VALIDATE = 1 << 4,
    MV_DOMAIN_START_RESET_NVRAM = 1 << 5,
} MvDomainCreateFlags;

/**
 * MvDomainDefineFlags:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_DEFINE_VALIDATE = 1 << 0,
} MvDomainDefineFlags;

/**
 * MvDomainUndefineFlags:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_UNDEFINE_MANAGED_SAVE = 1 << 0,
    MV_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 1 << 1,
    MV_DOMAIN_UNDEFINE_NVRAM = 1 << 2,
    MV_DOMAIN_UNDEFINE_KEEP_NVRAM = 1 << 3,
    MV_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4,
    MV_DOMAIN_UNDEFINE_TPM = 1 << 5,
    MV_DOMAIN_UNDEFINE_KEEP_TPM = 1 << 6,
} MvDomainUndefineFlags;

/**
 * MvDomainDestroyFlags:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_DESTROY_DEFAULT = 0,
    MV_DOMAIN_DESTROY_GRACEFUL = 1 << 0,
    MV_DOMAIN_DESTROY_REMOVE_LOGS = 1 << 1,
} MvDomainDestroyFlags;

/**
 * MvDomainShutdownFlags:
 *
 * The methods mv_domain_shutdown_flags() and mv_domain_reboot() may use
 * (0: the hypervisor's choice).
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_SHUTDOWN_DEFAULT = 0,
    MV_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1 << 0,
    MV_DOMAIN_SHUTDOWN_GUEST_AGENT = 1 << 1,
    MV_DOMAIN_SHUTDOWN_INITCTL = 1 << 2,
    MV_DOMAIN_SHUTDOWN_SIGNAL = 1 << 3,
    MV_DOMAIN_SHUTDOWN_PARAVIRT = 1 << 4,
} MvDomainShutdownFlags;

/**
 * MvDomainXMLFlags:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_XML_SECURE = 1 << 0,
    MV_DOMAIN_XML_INACTIVE = 1 << 1,
    MV_DOMAIN_XML_UPDATE_CPU = 1 << 2,
    MV_DOMAIN_XML_MIGRATABLE = 1 << 3,
} MvDomainXMLFlags;

/**
 * MvDomainMetadataType:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_METADATA_DESCRIPTION = 0,
    MV_DOMAIN_METADATA_TITLE = 1,
    MV_DOMAIN_METADATA_ELEMENT = 2,
} MvDomainMetadataType;

/**
 * MvDomainModificationImpact:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_AFFECT_CURRENT = 0,
    MV_DOMAIN_AFFECT_LIVE = 1 << 0,
    MV_DOMAIN_AFFECT_CONFIG = 1 << 1,
} MvDomainModificationImpact;

/* ---- lookups and handles ------------------------------------------------ */

/** mv_domain_ref: take a reference.  Returns: 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_ref(MvDomain *dom);
/**
 * mv_domain_free:
 * @dom: a domain handle
 *
 * Drops a reference; the handle goes with the last one.  The domain itself
 * is untouched.
 *
 * Returns: 0, or -1 if @dom is NULL.
 * Since: 0.1
 */
MV_PUBLIC int mv_domain_free(MvDomain *dom);
/** mv_domain_get_connect: Returns: the connection (borrowed).  Since: 0.1 */
MV_PUBLIC MvConnect *mv_domain_get_connect(MvDomain *dom);
/** mv_domain_get_name: Returns: the name (borrowed from @dom).  Since: 0.1 */
MV_PUBLIC const char *mv_domain_get_name(MvDomain *dom);
/** mv_domain_get_id: Returns: the id, or (unsigned int)-1 if inactive or on error.  Since: 0.1 */
MV_PUBLIC unsigned int mv_domain_get_id(MvDomain *dom);
/** mv_domain_get_uuid: @uuid: MV_UUID_BUFLEN bytes.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_get_uuid(MvDomain *dom, unsigned char *uuid);
/** mv_domain_get_uuid_string: @buf: MV_UUID_STRING_BUFLEN bytes.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_get_uuid_string(MvDomain *dom, char *buf);

/** mv_domain_lookup_by_id: Returns: a new handle, or NULL (NO_DOMAIN).  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_lookup_by_id(MvConnect *conn, int id);
/** mv_domain_lookup_by_name: Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_lookup_by_name(MvConnect *conn, const char *name);
/** mv_domain_lookup_by_uuid: @uuid: MV_UUID_BUFLEN raw bytes.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_lookup_by_uuid(MvConnect *conn, const unsigned char *uuid);
/**
 * mv_domain_lookup_by_uuid_string:
 * @uuidstr: the UUID, with or without dashes
 *
 * Returns: a new handle, or NULL (INVALID_ARG for a malformed UUID).
 * Since: 0.1
 */
MV_PUBLIC MvDomain *mv_domain_lookup_by_uuid_string(MvConnect *conn, const char *uuidstr);

/**
 * mv_connect_list_all_domains:
 * @conn: a connection
 * @domains: (out) (optional): where to store a NULL-terminated array of new
 *   handles; free each with mv_domain_free() and the array with free().
 *   NULL only counts.
 * @flags: bitwise-OR of #MvConnectListAllDomainsFlags
 *
 * Lists domains in one call (CONNECT_LIST_ALL_DOMAINS).
 *
 * Returns: the number of domains, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_list_all_domains(MvConnect *conn, MvDomain ***domains,
                                          unsigned int flags);
/** mv_connect_num_of_domains: Returns: the number of active domains, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_num_of_domains(MvConnect *conn);
/**
 * mv_connect_list_domains:
 * @ids: room for @maxids ids
 *
 * Legacy: the ids of the active domains.
 *
 * Returns: how many were stored, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_list_domains(MvConnect *conn, int *ids, int maxids);
/** mv_connect_num_of_defined_domains: Returns: the number of inactive domains, or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_num_of_defined_domains(MvConnect *conn);
/**
 * mv_connect_list_defined_domains:
 * @names: room for @maxnames names; each stored name is the caller's (free())
 *
 * Legacy: the names of the inactive domains.
 *
 * Returns: how many were stored, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_list_defined_domains(MvConnect *conn, char **names, int maxnames);

/* ---- lifecycle ------------------------------------------------------------ */

/** mv_domain_define_xml: define (or update) a persistent domain.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_define_xml(MvConnect *conn, const char *xml);
/** mv_domain_define_xml_flags: @flags: #MvDomainDefineFlags.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_define_xml_flags(MvConnect *conn, const char *xml,
                                               unsigned int flags);
/** mv_domain_undefine: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_undefine(MvDomain *dom);
/** mv_domain_undefine_flags: @flags: #MvDomainUndefineFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_undefine_flags(MvDomain *dom, unsigned int flags);
/**
 * mv_domain_create:
 * @dom: a defined, inactive domain
 *
 * Starts the domain, then looks it up again (by UUID) so that @dom carries
 * its new id.
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_domain_create(MvDomain *dom);
/** mv_domain_create_with_flags: @flags: #MvDomainCreateFlags; updates @dom's id.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_create_with_flags(MvDomain *dom, unsigned int flags);
/** mv_domain_create_xml: start a transient domain.  @flags: #MvDomainCreateFlags.  Returns: a new handle, or NULL.  Since: 0.1 */
MV_PUBLIC MvDomain *mv_domain_create_xml(MvConnect *conn, const char *xml, unsigned int flags);
/** mv_domain_destroy: stop at once.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_destroy(MvDomain *dom);
/** mv_domain_destroy_flags: @flags: #MvDomainDestroyFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_destroy_flags(MvDomain *dom, unsigned int flags);
/** mv_domain_shutdown: ask the guest to shut down.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_shutdown(MvDomain *dom);
/** mv_domain_shutdown_flags: @flags: #MvDomainShutdownFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_shutdown_flags(MvDomain *dom, unsigned int flags);
/** mv_domain_reboot: @flags: #MvDomainShutdownFlags.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_reboot(MvDomain *dom, unsigned int flags);
/** mv_domain_reset: a hard reset.  @flags: 0.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_reset(MvDomain *dom, unsigned int flags);
/** mv_domain_suspend: pause the vCPUs.  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_suspend(MvDomain *dom);
/** mv_domain_resume: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_resume(MvDomain *dom);

/* ---- information ------------------------------------------------------------ */

/** mv_domain_get_info: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_get_info(MvDomain *dom, MvDomainInfo *info);
/**
 * mv_domain_get_state:
 * @state: (out): an #MvDomainState
 * @reason: (out) (optional): the reason, whose enum depends on @state
 * @flags: 0
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_domain_get_state(MvDomain *dom, int *state, int *reason, unsigned int flags);
/** mv_domain_get_xml_desc: @flags: #MvDomainXMLFlags.  Returns: the XML (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_domain_get_xml_desc(MvDomain *dom, unsigned int flags);
/** mv_domain_get_autostart: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_get_autostart(MvDomain *dom, int *autostart);
/** mv_domain_set_autostart: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_set_autostart(MvDomain *dom, int autostart);
/** mv_domain_is_active: Returns: 1, 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_is_active(MvDomain *dom);
/** mv_domain_is_persistent: Returns: 1, 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_is_persistent(MvDomain *dom);
/** mv_domain_get_max_memory: Returns: the maximum memory in KiB, or 0 on error.  Since: 0.1 */
MV_PUBLIC unsigned long long mv_domain_get_max_memory(MvDomain *dom);
/** mv_domain_get_os_type: Returns: "hvm"... (caller frees), or NULL.  Since: 0.1 */
MV_PUBLIC char *mv_domain_get_os_type(MvDomain *dom);
/** mv_domain_has_managed_save_image: @flags: 0.  Returns: 1, 0, or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_has_managed_save_image(MvDomain *dom, unsigned int flags);
/**
 * mv_domain_get_metadata:
 * @type: an #MvDomainMetadataType
 * @uri: the namespace for MV_DOMAIN_METADATA_ELEMENT, else NULL
 * @flags: #MvDomainModificationImpact
 *
 * Returns: the metadata (caller frees), or NULL (NO_DOMAIN_METADATA when
 * there is none).
 * Since: 0.1
 */
MV_PUBLIC char *mv_domain_get_metadata(MvDomain *dom, int type, const char *uri,
                                       unsigned int flags);

/**
 * MvSecurityModel:
 *
 * Since: 0.1
 */
typedef struct {
    char model[257];
    char doi[257];
} MvSecurityModel;

/**
 * MvSecurityLabel:
 *
 * Since: 0.1
 */
typedef struct {
    char label[4097];
    int enforcing;
} MvSecurityLabel;

/** mv_node_get_security_model: the host's security driver ("" if none).  Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_node_get_security_model(MvConnect *conn, MvSecurityModel *secmodel);
/** mv_domain_get_security_label: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_domain_get_security_label(MvDomain *dom, MvSecurityLabel *seclabel);

/* ---- typed parameters and statistics ------------------------------------ */

/**
 * MvTypedParamType:
 *
 * Since: 0.1
 */
typedef enum {
    MV_TYPED_PARAM_INT = 1,
    MV_TYPED_PARAM_UINT = 2,
    MV_TYPED_PARAM_LLONG = 3,
    MV_TYPED_PARAM_ULLONG = 4,
    MV_TYPED_PARAM_DOUBLE = 5,
    MV_TYPED_PARAM_BOOLEAN = 6,
    MV_TYPED_PARAM_STRING = 7,
} MvTypedParamType;

#define MV_TYPED_PARAM_FIELD_LENGTH 80

/**
 * MvTypedParam:
 * @field: the name, such as "state.state"
 * @type: an #MvTypedParamType
 * @value: the value; @value.s is owned by the record holding the parameter
 *
 * Since: 0.1
 */
typedef struct {
    char field[MV_TYPED_PARAM_FIELD_LENGTH];
    int type;
    union {
        int i;
        unsigned int ui;
        long long l;
        unsigned long long ul;
        double d;
        char b;
        char *s;
    } value;
} MvTypedParam;

/**
 * mv_typed_param_format:
 * @param: a parameter
 *
 * Returns: its value as text, as virsh prints it ("yes"/"no" for booleans;
 * caller frees), or NULL for an unknown type.
 * Since: 0.1
 */
MV_PUBLIC char *mv_typed_param_format(const MvTypedParam *param);

/**
 * MvDomainStatsTypes:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_STATS_STATE = 1 << 0,
    MV_DOMAIN_STATS_CPU_TOTAL = 1 << 1,
    MV_DOMAIN_STATS_BALLOON = 1 << 2,
    MV_DOMAIN_STATS_VCPU = 1 << 3,
    MV_DOMAIN_STATS_INTERFACE = 1 << 4,
    MV_DOMAIN_STATS_BLOCK = 1 << 5,
    MV_DOMAIN_STATS_PERF = 1 << 6,
    MV_DOMAIN_STATS_IOTHREAD = 1 << 7,
    MV_DOMAIN_STATS_MEMORY = 1 << 8,
    MV_DOMAIN_STATS_DIRTYRATE = 1 << 9,
    MV_DOMAIN_STATS_VM = 1 << 10,
} MvDomainStatsTypes;

/**
 * MvConnectGetAllDomainStatsFlags:
 *
 * The first eight are filters with the values of
 * #MvConnectListAllDomainsFlags; they are refused by
 * mv_domain_list_get_stats().
 *
 * Since: 0.1
 */
typedef enum {
    MV_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE = 1 << 0,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE = 1 << 1,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT = 1 << 2,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT = 1 << 3,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING = 1 << 4,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED = 1 << 5,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF = 1 << 6,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_OTHER = 1 << 7,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT = 1 << 29,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_BACKING = 1 << 30,
    MV_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS = 1U << 31,
} MvConnectGetAllDomainStatsFlags;

/**
 * MvDomainStatsRecord:
 * @dom: the domain (a handle owned by the record)
 * @params: its statistics
 * @nparams: how many
 *
 * Since: 0.1
 */
typedef struct {
    MvDomain *dom;
    MvTypedParam *params;
    int nparams;
} MvDomainStatsRecord;

/**
 * mv_connect_get_all_domain_stats:
 * @stats: bitwise-OR of #MvDomainStatsTypes (0: all the server has)
 * @ret_stats: (out): a NULL-terminated array of records; free it with
 *   mv_domain_stats_record_list_free()
 * @flags: bitwise-OR of #MvConnectGetAllDomainStatsFlags
 *
 * Statistics of every domain that passes the filters, in one call.  With
 * MV_DOMAIN_STATS_STATE this is the cheapest way to list domains with
 * their state.
 *
 * Returns: the number of records, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_get_all_domain_stats(MvConnect *conn, unsigned int stats,
                                              MvDomainStatsRecord ***ret_stats,
                                              unsigned int flags);
/**
 * mv_domain_list_get_stats:
 * @doms: a NULL-terminated array of domains of one connection
 *
 * Like mv_connect_get_all_domain_stats(), for the given domains.
 *
 * Returns: the number of records, or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_domain_list_get_stats(MvDomain **doms, unsigned int stats,
                                       MvDomainStatsRecord ***ret_stats, unsigned int flags);
/** mv_domain_stats_record_list_free: accepts NULL.  Since: 0.1 */
MV_PUBLIC void mv_domain_stats_record_list_free(MvDomainStatsRecord **stats);

/* ---- console ---------------------------------------------------------------- */

/**
 * MvDomainConsoleFlags:
 * @MV_DOMAIN_CONSOLE_FORCE: take the console over from another session
 * @MV_DOMAIN_CONSOLE_SAFE: only if the server can guard against concurrent use
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_CONSOLE_FORCE = 1 << 0,
    MV_DOMAIN_CONSOLE_SAFE = 1 << 1,
} MvDomainConsoleFlags;

/**
 * mv_domain_open_console:
 * @dev_name: (optional): the console or serial device's alias; NULL for
 *   the first console
 * @st: a new, unbound stream of @dom's connection
 * @flags: bitwise-OR of #MvDomainConsoleFlags
 *
 * Binds @st to the domain's console: what the guest writes can be read
 * from it, what is sent goes to the guest.
 *
 * Returns: 0 or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_domain_open_console(MvDomain *dom, const char *dev_name, MvStream *st,
                                     unsigned int flags);

/* ---- events ----------------------------------------------------------------- */

/**
 * MvDomainEventID:
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    MV_DOMAIN_EVENT_ID_REBOOT = 1,
    MV_DOMAIN_EVENT_ID_RTC_CHANGE = 2,
    MV_DOMAIN_EVENT_ID_WATCHDOG = 3,
    MV_DOMAIN_EVENT_ID_IO_ERROR = 4,
    MV_DOMAIN_EVENT_ID_GRAPHICS = 5,
    MV_DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,
    MV_DOMAIN_EVENT_ID_CONTROL_ERROR = 7,
    MV_DOMAIN_EVENT_ID_BLOCK_JOB = 8,
    MV_DOMAIN_EVENT_ID_DISK_CHANGE = 9,
    MV_DOMAIN_EVENT_ID_TRAY_CHANGE = 10,
    MV_DOMAIN_EVENT_ID_PMWAKEUP = 11,
    MV_DOMAIN_EVENT_ID_PMSUSPEND = 12,
    MV_DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,
    MV_DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,
    MV_DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,
    MV_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
    MV_DOMAIN_EVENT_ID_TUNABLE = 17,
    MV_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,
    MV_DOMAIN_EVENT_ID_DEVICE_ADDED = 19,
    MV_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
    MV_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
    MV_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22,
    MV_DOMAIN_EVENT_ID_METADATA_CHANGE = 23,
    MV_DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,
    MV_DOMAIN_EVENT_ID_MEMORY_FAILURE = 25,
    MV_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26,
} MvDomainEventID;

/** MV_DOMAIN_EVENT_ID_COUNT: how many event ids the protocol has.  Since: 0.1 */
#define MV_DOMAIN_EVENT_ID_COUNT 27

/**
 * MvDomainEventType:
 *
 * The @event of a lifecycle event; its @detail enum follows.
 *
 * Since: 0.1
 */
typedef enum {
    MV_DOMAIN_EVENT_DEFINED = 0,
    MV_DOMAIN_EVENT_UNDEFINED = 1,
    MV_DOMAIN_EVENT_STARTED = 2,
    MV_DOMAIN_EVENT_SUSPENDED = 3,
    MV_DOMAIN_EVENT_RESUMED = 4,
    MV_DOMAIN_EVENT_STOPPED = 5,
    MV_DOMAIN_EVENT_SHUTDOWN = 6,
    MV_DOMAIN_EVENT_PMSUSPENDED = 7,
    MV_DOMAIN_EVENT_CRASHED = 8,
} MvDomainEventType;

/** MvDomainEventDefinedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_DEFINED_ADDED = 0,
    MV_DOMAIN_EVENT_DEFINED_UPDATED = 1,
    MV_DOMAIN_EVENT_DEFINED_RENAMED = 2,
    MV_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,
} MvDomainEventDefinedDetailType;

/** MvDomainEventUndefinedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    MV_DOMAIN_EVENT_UNDEFINED_RENAMED = 1,
} MvDomainEventUndefinedDetailType;

/** MvDomainEventStartedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_STARTED_BOOTED = 0,
    MV_DOMAIN_EVENT_STARTED_MIGRATED = 1,
    MV_DOMAIN_EVENT_STARTED_RESTORED = 2,
    MV_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    MV_DOMAIN_EVENT_STARTED_WAKEUP = 4,
} MvDomainEventStartedDetailType;

/** MvDomainEventSuspendedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    MV_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    MV_DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    MV_DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    MV_DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    MV_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    MV_DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    MV_DOMAIN_EVENT_SUSPENDED_POSTCOPY = 7,
    MV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
} MvDomainEventSuspendedDetailType;

/** MvDomainEventResumedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    MV_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    MV_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    MV_DOMAIN_EVENT_RESUMED_POSTCOPY = 3,
    MV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,
} MvDomainEventResumedDetailType;

/** MvDomainEventStoppedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    MV_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    MV_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    MV_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    MV_DOMAIN_EVENT_STOPPED_SAVED = 4,
    MV_DOMAIN_EVENT_STOPPED_FAILED = 5,
    MV_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
} MvDomainEventStoppedDetailType;

/** MvDomainEventShutdownDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    MV_DOMAIN_EVENT_SHUTDOWN_GUEST = 1,
    MV_DOMAIN_EVENT_SHUTDOWN_HOST = 2,
} MvDomainEventShutdownDetailType;

/** MvDomainEventPMSuspendedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_PMSUSPENDED_MEMORY = 0,
    MV_DOMAIN_EVENT_PMSUSPENDED_DISK = 1,
} MvDomainEventPMSuspendedDetailType;

/** MvDomainEventCrashedDetailType: Since: 0.1 */
typedef enum {
    MV_DOMAIN_EVENT_CRASHED_PANICKED = 0,
    MV_DOMAIN_EVENT_CRASHED_CRASHLOADED = 1,
} MvDomainEventCrashedDetailType;

/**
 * MvConnectDomainEventGenericCallback:
 *
 * The type under which every domain event callback is registered; the
 * actual signature depends on the event id (see
 * #MvConnectDomainEventCallback).  @dom is valid during the call only
 * (take a reference to keep it).
 *
 * Since: 0.1
 */
typedef void (*MvConnectDomainEventGenericCallback)(MvConnect *conn, MvDomain *dom,
                                                     void *opaque);

/**
 * MvConnectDomainEventCallback:
 * @event: an #MvDomainEventType
 * @detail: its detail
 *
 * The callback of MV_DOMAIN_EVENT_ID_LIFECYCLE.  MV_DOMAIN_EVENT_ID_REBOOT
 * uses #MvConnectDomainEventGenericCallback.
 *
 * Since: 0.1
 */
typedef void (*MvConnectDomainEventCallback)(MvConnect *conn, MvDomain *dom, int event,
                                             int detail, void *opaque);

/** MV_DOMAIN_EVENT_CALLBACK: cast a callback to the generic type.  Since: 0.1 */
#define MV_DOMAIN_EVENT_CALLBACK(cb) \
    ((MvConnectDomainEventGenericCallback)(void (*)(void))(cb))

/**
 * mv_connect_domain_event_register_any:
 * @conn: a connection
 * @dom: (optional): only events of this domain; NULL for all
 * @event_id: an #MvDomainEventID
 * @cb: the callback, cast with MV_DOMAIN_EVENT_CALLBACK()
 * @opaque: its data
 * @freecb: (optional): frees @opaque once the callback is deregistered
 *
 * Callbacks run from mv_event_dispatch_pending() or
 * mv_event_run_default_impl(), in the application's thread.  Lifecycle
 * and reboot events are decoded; the other ids may be registered and then
 * never fire.
 *
 * Returns: a callback id for mv_connect_domain_event_deregister_any(), or -1.
 * Since: 0.1
 */
MV_PUBLIC int mv_connect_domain_event_register_any(MvConnect *conn, MvDomain *dom,
                                                   int event_id,
                                                   MvConnectDomainEventGenericCallback cb,
                                                   void *opaque, void (*freecb)(void *));
/** mv_connect_domain_event_deregister_any: Returns: 0 or -1.  Since: 0.1 */
MV_PUBLIC int mv_connect_domain_event_deregister_any(MvConnect *conn, int callback_id);

#ifdef __cplusplus
}
#endif
