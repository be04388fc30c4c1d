/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf.h: libvirt's domain XML <-> DomainDef.
 *
 * Parsing and formatting only: no file, socket or process is touched.  The
 * model keeps what the user wrote (a volume disk stays pool/volume; the
 * driver keeps its translation elsewhere) plus the runtime fields of a live
 * domain (id, aliases, pty paths, vnc port) when parsed with
 * DOMAIN_PARSE_STATUS.
 *
 * Elements and attributes the parser does not know are not dropped: they are
 * stored verbatim (DomainExtra) with the element they were found in and
 * written back there on format, in libvirt's order where libvirt has one.
 * Devices of a kind or type we do not support (<sound>, <hostdev>,
 * <graphics type='spice'>, <interface type='direct'>...) are kept the same
 * way, as a whole.  DOMAIN_PARSE_VALIDATE turns all of these into errors.
 *
 * Typical use:
 *   define:  def = domain_def_parse_string(xml, opts, DOMAIN_PARSE_INACTIVE, err);
 *            domain_def_validate(def, opts, err);
 *   status:  def = domain_def_parse_node(node, opts, DOMAIN_PARSE_STATUS, err);
 *            (no validation, no inactive-only rules)
 *   dumpxml: domain_def_format(def, running ? 0 : DOMAIN_FORMAT_INACTIVE)
 *   status:  domain_def_format_buf(b, def, DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE)
 */
#pragma once

#include <libxml/tree.h>

#include <glib.h>

#include "conf/xml-buf.h"
#include "util/enum.h"
#include "util/uuid.h"

/* ---- options and flags -------------------------------------------------- */

typedef struct {
    /* Where modvirt puts the sockets it generates for virtio channels:
     * <channel_target_dir>/domain-<id>-<name>/<target>.  NULL: no path is
     * treated as auto-generated. */
    const char *channel_target_dir;
} DomainXMLOptions;

enum {
    DOMAIN_PARSE_INACTIVE = 1 << 0, /* define/create: inactive-only post-parse (chardev rules) */
    DOMAIN_PARSE_STATUS = 1 << 1,   /* runtime fields too (id, pty paths, aliases) */
    DOMAIN_PARSE_VALIDATE = 1 << 2, /* unknown elements/attributes are errors */
};

enum {
    DOMAIN_FORMAT_INACTIVE = 1 << 0,   /* the persistent config: no runtime fields */
    DOMAIN_FORMAT_SECURE = 1 << 1,     /* include passwords */
    DOMAIN_FORMAT_STATUS = 1 << 2,     /* everything needed to reload a live domain */
    DOMAIN_FORMAT_MIGRATABLE = 1 << 3, /* accepted; formats like without it for now */
};

/* ---- small shared types -------------------------------------------------- */

/* 0 means "not specified" (the attribute was absent). */
typedef enum {
    DOMAIN_TRISTATE_ABSENT = 0,
    DOMAIN_TRISTATE_YES,
    DOMAIN_TRISTATE_NO,
    DOMAIN_TRISTATE_LAST
} DomainTristate;
MV_ENUM_DECL(domain_tristate);          /* "default", "yes", "no" */
MV_ENUM_DECL(domain_tristate_switch);   /* "default", "on", "off" */

/* Unknown XML kept verbatim (domain-conf-unknown.c). */
typedef struct _DomainExtra DomainExtra;

typedef enum {
    DOMAIN_VIRT_QEMU,
    DOMAIN_VIRT_KVM,
    DOMAIN_VIRT_TEST,  /* parsed so test-driver XML loads; the QEMU driver refuses it */
    DOMAIN_VIRT_LAST
} DomainVirtType;
MV_ENUM_DECL(domain_virt);

/* ---- device addresses and common info ---------------------------------- */

typedef enum {
    DOMAIN_ADDR_NONE = 0,
    DOMAIN_ADDR_PCI,
    DOMAIN_ADDR_DRIVE,
    DOMAIN_ADDR_VIRTIO_SERIAL,
    DOMAIN_ADDR_CCID,
    DOMAIN_ADDR_USB,
    DOMAIN_ADDR_SPAPRVIO,
    DOMAIN_ADDR_VIRTIO_S390,
    DOMAIN_ADDR_CCW,
    DOMAIN_ADDR_VIRTIO_MMIO,
    DOMAIN_ADDR_ISA,
    DOMAIN_ADDR_DIMM,
    DOMAIN_ADDR_UNASSIGNED,
    DOMAIN_ADDR_LAST
} DomainAddrType;
MV_ENUM_DECL(domain_addr);

/*
 * The fields used depend on the type: pci (domain, bus, slot, function,
 * multifunction), drive (controller, bus, target, unit), virtio-serial
 * (controller, bus, port), ccid (controller, slot), usb (bus, port as a
 * string like "1.2").  The attributes of other types are kept in the owning
 * device's DomainExtra.
 */
typedef struct {
    DomainAddrType type;
    guint domain;
    guint bus;
    guint slot;
    guint function;
    DomainTristate multifunction;
    guint controller;
    guint target;
    guint unit;
    guint port;
    char *usb_port;
} DomainDeviceAddress;

typedef struct {
    char *alias;       /* runtime, or user alias "ua-..." kept in the config */
    DomainDeviceAddress addr;
    guint boot_order;  /* <boot order='N'/>; 0 = none */
} DomainDeviceInfo;

/* ---- os, features, cpu, clock, lifecycle (domain-conf-os.c) ------------- */

typedef enum {
    DOMAIN_BOOT_FLOPPY,
    DOMAIN_BOOT_DISK,
    DOMAIN_BOOT_CDROM,
    DOMAIN_BOOT_NET,
    DOMAIN_BOOT_LAST
} DomainBootDev;
MV_ENUM_DECL(domain_boot);  /* fd, hd, cdrom, network */

typedef struct {
    char *type;        /* "hvm" */
    char *arch;        /* NULL = host arch, decided by the driver */
    char *machine;     /* NULL = driver default */
    DomainBootDev boot_devs[DOMAIN_BOOT_LAST];
    guint nboot_devs;
    DomainTristate bootmenu;
    int bootmenu_timeout;  /* -1 = unset */
    char *kernel;
    char *initrd;
    char *cmdline;
    char *dtb;
} DomainOSDef;

typedef struct {
    DomainTristate acpi;   /* YES when <acpi/> present */
    DomainTristate apic;
    DomainTristate apic_eoi;
    DomainTristate pae;
    DomainTristate vmport; /* <vmport state='on|off'/> */
} DomainFeatures;

typedef enum {
    DOMAIN_CPU_MODE_CUSTOM,
    DOMAIN_CPU_MODE_HOST_MODEL,
    DOMAIN_CPU_MODE_HOST_PASSTHROUGH,
    DOMAIN_CPU_MODE_MAXIMUM,
    DOMAIN_CPU_MODE_LAST
} DomainCPUMode;
MV_ENUM_DECL(domain_cpu_mode);

typedef enum {
    DOMAIN_CPU_MATCH_DEFAULT,  /* attribute absent */
    DOMAIN_CPU_MATCH_MINIMUM,
    DOMAIN_CPU_MATCH_EXACT,
    DOMAIN_CPU_MATCH_STRICT,
    DOMAIN_CPU_MATCH_LAST
} DomainCPUMatch;
MV_ENUM_DECL(domain_cpu_match);

typedef enum {
    DOMAIN_CPU_CHECK_DEFAULT,
    DOMAIN_CPU_CHECK_NONE,
    DOMAIN_CPU_CHECK_PARTIAL,
    DOMAIN_CPU_CHECK_FULL,
    DOMAIN_CPU_CHECK_LAST
} DomainCPUCheck;
MV_ENUM_DECL(domain_cpu_check);

typedef enum {
    DOMAIN_CPU_FEATURE_FORCE,
    DOMAIN_CPU_FEATURE_REQUIRE,
    DOMAIN_CPU_FEATURE_OPTIONAL,
    DOMAIN_CPU_FEATURE_DISABLE,
    DOMAIN_CPU_FEATURE_FORBID,
    DOMAIN_CPU_FEATURE_LAST
} DomainCPUFeaturePolicy;
MV_ENUM_DECL(domain_cpu_feature_policy);

typedef struct {
    char *name;
    DomainCPUFeaturePolicy policy;
} DomainCPUFeature;

/*
 * <cpu>.  The conf layer stores the mode as written; mapping host-model and
 * host-passthrough onto what the local QEMU can run is the driver's job.
 */
typedef struct {
    DomainCPUMode mode;
    DomainCPUMatch match;
    DomainCPUCheck check;
    DomainTristate migratable;  /* on/off, host-passthrough and maximum only */
    char *model;
    char *model_fallback;       /* "allow" / "forbid", NULL if absent */
    char *vendor_id;            /* <model vendor_id=> */
    char *vendor;
    guint sockets, dies, cores, threads;  /* all 0: no <topology> */
    GPtrArray *features;        /* DomainCPUFeature */
} DomainCPUDef;

typedef enum {
    DOMAIN_CLOCK_UTC,
    DOMAIN_CLOCK_LOCALTIME,
    DOMAIN_CLOCK_VARIABLE,
    DOMAIN_CLOCK_TIMEZONE,
    DOMAIN_CLOCK_LAST
} DomainClockOffset;
MV_ENUM_DECL(domain_clock_offset);

typedef struct {
    char *name;        /* platform, pit, rtc, hpet, tsc, kvmclock, hypervclock... */
    DomainTristate present;
    char *tickpolicy;  /* delay, catchup, merge, discard */
    char *track;       /* boot, guest, wall, realtime */
} DomainTimerDef;

typedef struct {
    DomainClockOffset offset;
    char *timezone;        /* offset='timezone' */
    char *basis;           /* offset='variable': utc / localtime */
    gboolean has_adjustment;
    gint64 adjustment;     /* seconds */
    gboolean adjustment_reset;  /* adjustment='reset' (utc/localtime) */
    GPtrArray *timers;     /* DomainTimerDef */
} DomainClockDef;

typedef enum {
    DOMAIN_LIFECYCLE_DESTROY,
    DOMAIN_LIFECYCLE_RESTART,
    DOMAIN_LIFECYCLE_RESTART_RENAME,
    DOMAIN_LIFECYCLE_PRESERVE,
    DOMAIN_LIFECYCLE_COREDUMP_DESTROY,  /* on_crash only */
    DOMAIN_LIFECYCLE_COREDUMP_RESTART,  /* on_crash only */
    DOMAIN_LIFECYCLE_LAST
} DomainLifecycleAction;
MV_ENUM_DECL(domain_lifecycle);

/* <pm>: the ACPI sleep states offered to the guest (ABSENT: the machine's
 * default, no <pm> child written). */
typedef struct {
    DomainTristate suspend_to_mem;   /* S3 */
    DomainTristate suspend_to_disk;  /* S4 */
} DomainPMDef;

/* ---- disks (domain-conf-disk.c) ----------------------------------------- */

typedef enum {
    DOMAIN_DISK_TYPE_FILE,
    DOMAIN_DISK_TYPE_BLOCK,
    DOMAIN_DISK_TYPE_NETWORK,
    DOMAIN_DISK_TYPE_VOLUME,
    DOMAIN_DISK_TYPE_LAST
} DomainDiskType;
MV_ENUM_DECL(domain_disk_type);

typedef enum {
    DOMAIN_DISK_DEVICE_DISK,
    DOMAIN_DISK_DEVICE_CDROM,
    DOMAIN_DISK_DEVICE_FLOPPY,
    DOMAIN_DISK_DEVICE_LUN,
    DOMAIN_DISK_DEVICE_LAST
} DomainDiskDevice;
MV_ENUM_DECL(domain_disk_device);

typedef enum {
    DOMAIN_DISK_BUS_NONE = 0,  /* not written; post-parse picks one from the target name */
    DOMAIN_DISK_BUS_IDE,
    DOMAIN_DISK_BUS_FDC,
    DOMAIN_DISK_BUS_SCSI,
    DOMAIN_DISK_BUS_VIRTIO,
    DOMAIN_DISK_BUS_XEN,
    DOMAIN_DISK_BUS_USB,
    DOMAIN_DISK_BUS_UML,
    DOMAIN_DISK_BUS_SATA,
    DOMAIN_DISK_BUS_SD,
    DOMAIN_DISK_BUS_LAST
} DomainDiskBus;
MV_ENUM_DECL(domain_disk_bus);

typedef enum {
    DOMAIN_DISK_CACHE_DEFAULT,
    DOMAIN_DISK_CACHE_NONE,
    DOMAIN_DISK_CACHE_WRITETHROUGH,
    DOMAIN_DISK_CACHE_WRITEBACK,
    DOMAIN_DISK_CACHE_DIRECTSYNC,
    DOMAIN_DISK_CACHE_UNSAFE,
    DOMAIN_DISK_CACHE_LAST
} DomainDiskCache;
MV_ENUM_DECL(domain_disk_cache);

typedef enum {
    DOMAIN_STARTUP_POLICY_DEFAULT,
    DOMAIN_STARTUP_POLICY_MANDATORY,
    DOMAIN_STARTUP_POLICY_REQUISITE,
    DOMAIN_STARTUP_POLICY_OPTIONAL,
    DOMAIN_STARTUP_POLICY_LAST
} DomainStartupPolicy;
MV_ENUM_DECL(domain_startup_policy);

typedef enum {
    DOMAIN_DISK_VOLUME_MODE_DEFAULT,
    DOMAIN_DISK_VOLUME_MODE_HOST,
    DOMAIN_DISK_VOLUME_MODE_DIRECT,
    DOMAIN_DISK_VOLUME_MODE_LAST
} DomainDiskVolumeMode;
MV_ENUM_DECL(domain_disk_volume_mode);

typedef struct {
    char *name;
    char *port;        /* string, as libvirt keeps it */
    char *transport;   /* tcp (default, NULL), unix, rdma */
    char *socket;      /* transport='unix' */
} DomainDiskHost;

typedef struct {
    DomainDiskType type;
    DomainDiskDevice device;
    /* <driver> */
    char *driver_name;     /* "qemu" */
    char *format;          /* driver type: raw, qcow2, ... (NULL = unset) */
    DomainDiskCache cache;
    char *io;              /* native, threads, io_uring */
    char *discard;         /* ignore, unmap */
    /* <source> */
    char *path;            /* file= (file) or dev= (block) */
    char *protocol;        /* network: iscsi, nbd, http... */
    char *src_name;        /* network: name= (iscsi: "<iqn>/<lun>") */
    GPtrArray *hosts;      /* DomainDiskHost, network */
    char *auth_username;   /* <auth username=><secret type= usage=|uuid=/></auth> */
    char *auth_secret_type;
    char *auth_secret_usage;
    char *auth_secret_uuid;
    char *initiator_iqn;   /* <initiator><iqn name=/></initiator> */
    char *pool;            /* volume: exactly what the user wrote */
    char *volume;
    DomainDiskVolumeMode volume_mode;
    DomainStartupPolicy startup_policy;
    guint source_index;    /* live only: <source index=> (0 = none) */
    /* <target> */
    char *dst;             /* target dev: vda, sda... */
    DomainDiskBus bus;
    char *tray;            /* open / closed (cdrom, live) */
    gboolean readonly;
    gboolean shareable;
    char *serial;
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainDiskDef;

/* ---- network interfaces (domain-conf-net.c) ----------------------------- */

typedef enum {
    DOMAIN_NET_TYPE_NETWORK,
    DOMAIN_NET_TYPE_BRIDGE,
    DOMAIN_NET_TYPE_USER,
    DOMAIN_NET_TYPE_ETHERNET,
    DOMAIN_NET_TYPE_LAST
} DomainNetType;
MV_ENUM_DECL(domain_net_type);

typedef struct {
    DomainNetType type;
    unsigned char mac[6];
    gboolean mac_generated;  /* no <mac> in the XML: a 52:54:00 one was made up */
    char *network;           /* type network: <source network=> */
    char *portgroup;
    char *portid;            /* live: the network port's uuid */
    char *bridge;            /* type bridge: <source bridge=>; network: live bridge */
    char *ifname;            /* <target dev=>; vnet/macvtap names are runtime only */
    DomainTristate managed_tap;  /* <target managed=> (ethernet) */
    char *model;             /* virtio, e1000e... */
    char *driver_name;       /* <driver name=> */
    guint driver_queues;
    char *link_state;        /* up / down */
    guint mtu;
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainNetDef;

/* ---- character devices (domain-conf-chr.c) ------------------------------ */

typedef enum {
    DOMAIN_CHR_DEVICE_SERIAL,
    DOMAIN_CHR_DEVICE_CONSOLE,
    DOMAIN_CHR_DEVICE_CHANNEL,
    DOMAIN_CHR_DEVICE_LAST
} DomainChrDeviceType;
MV_ENUM_DECL(domain_chr_device);

typedef enum {
    DOMAIN_CHR_TYPE_NULL,
    DOMAIN_CHR_TYPE_VC,
    DOMAIN_CHR_TYPE_PTY,
    DOMAIN_CHR_TYPE_DEV,
    DOMAIN_CHR_TYPE_FILE,
    DOMAIN_CHR_TYPE_PIPE,
    DOMAIN_CHR_TYPE_STDIO,
    DOMAIN_CHR_TYPE_TCP,
    DOMAIN_CHR_TYPE_UNIX,
    DOMAIN_CHR_TYPE_LAST
} DomainChrType;
MV_ENUM_DECL(domain_chr_type);

typedef enum {
    DOMAIN_CHR_MODE_CONNECT,  /* default for unix and tcp */
    DOMAIN_CHR_MODE_BIND,     /* modvirt/QEMU listens */
    DOMAIN_CHR_MODE_LAST
} DomainChrMode;
MV_ENUM_DECL(domain_chr_mode);

typedef struct {
    DomainTristate enabled;  /* ABSENT: no <reconnect> element */
    guint timeout;           /* seconds; required with enabled='yes' */
} DomainChrReconnect;

typedef struct {
    DomainChrType type;
    char *path;        /* pty (live), dev, file, pipe, unix */
    DomainChrMode mode;
    gboolean mode_set; /* mode= was written, or set by the inactive chardev rule */
    char *host;        /* tcp */
    char *service;     /* tcp port */
    char *protocol;    /* tcp: raw (NULL), telnet, telnets, tls */
    DomainTristate append;  /* file: append='on|off' */
    DomainChrReconnect reconnect;
} DomainChrSourceDef;

typedef struct {
    DomainChrDeviceType device_type;
    /* target: serial: isa-serial, usb-serial, pci-serial, system-serial...;
     * console: serial, virtio...; channel: virtio, guestfwd.  NULL = unset */
    char *target_type;
    int target_port;         /* -1 = unset (serial/console port, guestfwd port) */
    char *target_model;      /* serial <model name=> */
    char *target_name;       /* virtio channel name */
    char *target_address;    /* guestfwd address */
    char *target_state;      /* live virtio channel state: connected/disconnected */
    DomainChrSourceDef source;
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainChrDef;

/* ---- controllers, input, graphics, video, balloon, rng (-misc.c) --------
 * (passthrough and evdev inputs are kept verbatim) */

typedef enum {
    DOMAIN_CONTROLLER_IDE,
    DOMAIN_CONTROLLER_FDC,
    DOMAIN_CONTROLLER_SCSI,
    DOMAIN_CONTROLLER_SATA,
    DOMAIN_CONTROLLER_VIRTIO_SERIAL,
    DOMAIN_CONTROLLER_CCID,
    DOMAIN_CONTROLLER_USB,
    DOMAIN_CONTROLLER_PCI,
    DOMAIN_CONTROLLER_XENBUS,
    DOMAIN_CONTROLLER_ISA,
    DOMAIN_CONTROLLER_LAST
} DomainControllerType;
MV_ENUM_DECL(domain_controller);

typedef struct {
    DomainControllerType type;
    int index;              /* -1 until assigned */
    char *model;            /* usb: qemu-xhci, piix3-uhci, none...; scsi: virtio-scsi,
                             * lsilogic...; pci: pci-root, pcie-root, pcie-root-port... */
    int ports;              /* usb, virtio-serial; -1 = unset */
    int vectors;            /* virtio-serial; -1 = unset */
    int master_startport;   /* usb companion <master startport=>; -1 = none */
    char *pci_model_name;   /* pci <model name=> */
    guint pci_chassis_nr;   /* pci-bridge <target chassisNr=> (1-255); 0 = unset */
    int pci_chassis;        /* pci <target chassis= port= busNr=>; -1 = unset */
    int pci_port;
    int pci_bus_nr;
    guint queues;           /* <driver queues=> */
    gboolean implicit;      /* added by the post-parse rules, not written; not kept
                             * across a format */
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainControllerDef;

typedef enum {
    DOMAIN_INPUT_MOUSE,
    DOMAIN_INPUT_TABLET,
    DOMAIN_INPUT_KEYBOARD,
    DOMAIN_INPUT_PASSTHROUGH,
    DOMAIN_INPUT_EVDEV,
    DOMAIN_INPUT_LAST
} DomainInputType;
MV_ENUM_DECL(domain_input);

typedef enum {
    DOMAIN_INPUT_BUS_DEFAULT,  /* attribute absent */
    DOMAIN_INPUT_BUS_PS2,
    DOMAIN_INPUT_BUS_USB,
    DOMAIN_INPUT_BUS_XEN,
    DOMAIN_INPUT_BUS_PARALLELS,
    DOMAIN_INPUT_BUS_VIRTIO,
    DOMAIN_INPUT_BUS_NONE,
    DOMAIN_INPUT_BUS_LAST
} DomainInputBus;
MV_ENUM_DECL(domain_input_bus);

typedef struct {
    DomainInputType type;
    DomainInputBus bus;     /* post-parse fills the default (ps2 / usb) */
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainInputDef;

typedef enum {
    DOMAIN_GRAPHICS_LISTEN_ADDRESS,
    DOMAIN_GRAPHICS_LISTEN_NETWORK,
    DOMAIN_GRAPHICS_LISTEN_SOCKET,
    DOMAIN_GRAPHICS_LISTEN_NONE,
    DOMAIN_GRAPHICS_LISTEN_LAST
} DomainGraphicsListenType;
MV_ENUM_DECL(domain_graphics_listen);

typedef struct {
    DomainGraphicsListenType type;
    char *address;     /* address; also the live address of a network listen */
    char *network;
    char *socket;
} DomainGraphicsListen;

/* Only <graphics type='vnc'> is modelled; other types are kept verbatim. */
typedef struct {
    int port;              /* -1 = autoport before start */
    DomainTristate autoport;
    int websocket;         /* 0 = none, -1 = auto */
    char *passwd;          /* shown with DOMAIN_FORMAT_SECURE only */
    char *keymap;
    char *share_policy;
    GPtrArray *listens;    /* DomainGraphicsListen */
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainGraphicsDef;

typedef struct {
    char *model;           /* vga, cirrus, qxl, virtio, bochs, ramfb, none... */
    guint vram, ram, vgamem, vram64, heads;  /* KiB / count; 0 = unset */
    DomainTristate primary;
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainVideoDef;

/* <audio>: only type 'none' is modelled; other types are kept verbatim. */
typedef struct {
    guint id;              /* required, from 1 */
    char *type;            /* "none" */
    DomainExtra *extra;
} DomainAudioDef;

typedef struct {
    char *model;           /* virtio, none... */
    DomainTristate autodeflate;
    DomainTristate free_page_reporting;
    int stats_period;      /* -1 = unset */
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainMemballoonDef;

typedef enum {
    DOMAIN_RNG_BACKEND_RANDOM,
    DOMAIN_RNG_BACKEND_EGD,
    DOMAIN_RNG_BACKEND_BUILTIN,
    DOMAIN_RNG_BACKEND_LAST
} DomainRNGBackend;
MV_ENUM_DECL(domain_rng_backend);

typedef struct {
    char *model;           /* virtio */
    DomainRNGBackend backend;
    char *random_path;     /* random: the device (NULL = QEMU default) */
    DomainChrSourceDef egd;  /* egd: the chardev (type in egd.type) */
    guint rate_bytes;      /* 0 = no <rate> */
    guint rate_period;
    DomainDeviceInfo info;
    DomainExtra *extra;
} DomainRNGDef;

/* ---- the domain ---------------------------------------------------------- */

typedef struct {
    int id;                    /* -1 inactive */
    DomainVirtType virt_type;
    char *name;
    unsigned char uuid[MV_UUID_LEN];
    char *title;
    char *description;
    char *metadata;            /* raw XML of <metadata>'s children, or NULL */

    guint64 max_memory_kib;    /* <memory> */
    guint64 cur_memory_kib;    /* <currentMemory> */
    guint vcpus_max;           /* <vcpu> */
    guint vcpus_current;       /* <vcpu current=>; == vcpus_max when absent */
    char *vcpu_placement;      /* static (default) / auto */
    char *vcpu_cpuset;

    DomainOSDef os;
    DomainFeatures features;
    DomainCPUDef *cpu;         /* NULL: no <cpu> */
    DomainClockDef clock;
    DomainLifecycleAction on_poweroff;
    DomainLifecycleAction on_reboot;
    DomainLifecycleAction on_crash;
    DomainPMDef pm;

    char *emulator;
    GPtrArray *disks;          /* DomainDiskDef */
    GPtrArray *controllers;    /* DomainControllerDef */
    GPtrArray *nets;           /* DomainNetDef */
    GPtrArray *serials;        /* DomainChrDef */
    GPtrArray *consoles;       /* DomainChrDef */
    GPtrArray *channels;       /* DomainChrDef */
    GPtrArray *inputs;         /* DomainInputDef */
    GPtrArray *graphics;       /* DomainGraphicsDef */
    GPtrArray *audios;         /* DomainAudioDef */
    GPtrArray *videos;         /* DomainVideoDef */
    DomainMemballoonDef *memballoon;  /* NULL: none written */
    GPtrArray *rngs;           /* DomainRNGDef */

    /* Unknown elements/attributes of <domain> and its non-device children,
     * and unknown or unsupported devices (kept whole) under <devices>. */
    DomainExtra *extra;
} DomainDef;

/* ---- API ------------------------------------------------------------------ */

/**
 * domain_def_parse_string:
 * @xml: a <domain> document
 * @opts: paths used by the chardev rules (may be NULL)
 * @flags: DOMAIN_PARSE_*
 *
 * Parses and applies the post-parse rules (defaults, implicit controllers,
 * drive addresses, console/serial link; with INACTIVE also the chardev path
 * rules and the removal of runtime-only values).  Does not run
 * domain_def_validate().
 *
 * Returns: a new DomainDef, or NULL with @error set.
 */
DomainDef *domain_def_parse_string(const char *xml, const DomainXMLOptions *opts,
                                   unsigned flags, GError **error);
/* The same for a <domain> element inside another document (status XML). */
DomainDef *domain_def_parse_node(xmlNode *root, const DomainXMLOptions *opts, unsigned flags,
                                 GError **error);
/**
 * domain_def_validate:
 *
 * The semantic checks libvirt runs at define/create time (chardev reconnect
 * and paths, duplicate targets, boot order conflicts...).  Never run on
 * status XML.
 */
gboolean domain_def_validate(const DomainDef *def, const DomainXMLOptions *opts,
                             GError **error);
/* Returns the XML text (caller frees). */
char *domain_def_format(const DomainDef *def, unsigned flags);
void domain_def_format_buf(XmlBuf *b, const DomainDef *def, unsigned flags);
/* Deep copy (everything, runtime fields included). */
DomainDef *domain_def_copy(const DomainDef *def);
DomainDef *domain_def_new(void);
void domain_def_free(DomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDef, domain_def_free)

/* TRUE if the definition holds XML kept verbatim (unknown elements,
 * attributes or devices).  @ret_what (optional) gets a description of the
 * first one, e.g. "element <sound> in <devices>". */
gboolean domain_def_has_unknown(const DomainDef *def, char **ret_what);
/* How many <@name> devices are kept verbatim (of a type not modelled). */
guint domain_def_count_kept_devices(const DomainDef *def, const char *name);

/* ---- helpers for the driver ------------------------------------------------ */

/* "<id>-<the first 20 characters of the name>" (caller frees). */
char *domain_def_short_name(const DomainDef *def);
/* <channel_target_dir>/domain-<id>-<short name> (caller frees). */
char *domain_def_channel_dir(const DomainDef *def, const DomainXMLOptions *opts);
/*
 * Fill the path of every virtio unix channel that has none:
 * <dir>/<target name>, or <dir>/vioser-CC-BB-PP.sock without a name.
 * Pure string work; creating the directory is the caller's business.
 */
void domain_def_prepare_channel_paths(DomainDef *def, const char *dir);

DomainDiskDef *domain_def_find_disk(const DomainDef *def, const char *dst);
DomainNetDef *domain_def_find_net_by_mac(const DomainDef *def, const unsigned char mac[6]);
/* "52:54:00:aa:bb:cc" into @buf (18 bytes). */
char *domain_mac_format(const unsigned char mac[6], char buf[18]);
gboolean domain_mac_parse(const char *str, unsigned char mac[6]);

void domain_disk_def_free(DomainDiskDef *disk);
/* The index of a disk target name: vda -> 0, sdb -> 1, hdaa -> 26; -1 if
 * malformed. */
int domain_disk_name_index(const char *name);
/*
 * The drive address (controller, bus, unit) libvirt gives the disk with
 * index @idx on @bus (IDE, SATA, SCSI - QEMU's wide bus -, floppy) in @a;
 * FALSE, @a untouched, on buses without drive addresses.
 */
gboolean domain_disk_drive_address_for_index(DomainDiskBus bus, int idx,
                                             DomainDeviceAddress *a);
void domain_net_def_free(DomainNetDef *net);
void domain_chr_def_free(DomainChrDef *chr);
void domain_controller_def_free(DomainControllerDef *ctrl);
void domain_input_def_free(DomainInputDef *input);
void domain_graphics_def_free(DomainGraphicsDef *graphics);
void domain_video_def_free(DomainVideoDef *video);
void domain_audio_def_free(DomainAudioDef *audio);
void domain_memballoon_def_free(DomainMemballoonDef *balloon);
void domain_rng_def_free(DomainRNGDef *rng);
void domain_cpu_def_free(DomainCPUDef *cpu);
void domain_device_info_clear(DomainDeviceInfo *info);
void domain_chr_source_def_clear(DomainChrSourceDef *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDiskDef, domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainNetDef, domain_net_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainChrDef, domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainControllerDef, domain_controller_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainInputDef, domain_input_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainGraphicsDef, domain_graphics_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainVideoDef, domain_video_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainAudioDef, domain_audio_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainMemballoonDef, domain_memballoon_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainRNGDef, domain_rng_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainCPUDef, domain_cpu_def_free)
