/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command.h: a DomainDef -> the QEMU 7.2 command line.
 *
 * Pure: no file, socket or process is touched; everything that depends on
 * the host (the emulator, the monitor socket, tap fds, translated volume
 * disks, what "host CPU" means here) comes in through QemuCommandOpts.
 *
 * Devices are -device JSON and disks -blockdev JSON (storage node + format
 * node), chardevs and netdevs keyval, as libvirt does for this QEMU.  PCI
 * addresses written in the XML are used as they are; the others are
 * assigned in a fixed order (controllers, interfaces, secondary videos,
 * balloon, rngs, virtio disks, virtio inputs) to the first free slot of
 * bus 0.  Device ids are the def's aliases when set, else libvirt's names
 * (virtio-disk0, net0, serial0...).  Disk node names are
 * libvirt-<N>-storage / libvirt-<N>-format with N = ndisks - index, so the
 * first disk has the highest N (qemu_command_disk_node_name()).
 *
 * The daemon handles guest poweroff itself: -no-shutdown is always given.
 * <interface> link state, balloon stats period and VNC passwords are not on
 * the command line: set them over QMP after start.
 */
#pragma once

#include <glib.h>

#include "conf/domain-conf.h"

/* The translated source of a <disk type='volume'> (and of network disks). */
typedef struct {
    DomainDiskType type;       /* FILE, BLOCK or NETWORK */
    const char *path;          /* file/block */
    const char *protocol;      /* network: "iscsi" */
    const char *host;          /* iscsi portal host */
    guint port;                /* 0: 3260 */
    const char *target;        /* IQN */
    guint lun;
    const char *initiator;     /* initiator IQN or NULL */
    const char *user;          /* CHAP user or NULL */
    const char *secret_file;   /* file holding the CHAP password (-object secret,file=) or NULL */
} QemuDiskSource;

typedef struct {
    const char *emulator;      /* resolved binary path (argv[0]) */
    guint64 qemu_version;      /* e.g. 7002022 */
    const char *machine;       /* resolved machine type (def->os.machine or the emulator
                                * default); NULL: def->os.machine */
    const char *host_cpu;      /* what host-model / host-passthrough (and maximum under KVM)
                                * map to on this host, e.g. "host,-arch-capabilities" or a
                                * model name; NULL: refuse them */
    int monitor_fd;            /* listening QMP socket passed to QEMU (-chardev socket,fd=N),
                                * or -1 */
    const char *monitor_path;  /* when monitor_fd is -1: QEMU listens there */
    const char *domain_dir;    /* per-domain runtime dir (generated unix sockets live here;
                                * the builder itself does not need it today) */
    const QemuDiskSource *const *disk_sources; /* indexed like def->disks; NULL array or
                                                * entry NULL = use the def */
    const int *tap_fds;        /* indexed like def->nets; -1 = not a tap (user); NULL = none */
    gint64 now;                /* seconds since the epoch, for <clock offset='variable'> and
                                * adjustment=; 0 = the current time */
} QemuCommandOpts;

/**
 * qemu_command_build:
 * @def: the live definition (volume disks translated through @opts, channel
 *       paths filled in)
 * @opts: what the host provides
 *
 * Returns: the argument vector, argv[0] the emulator, not NULL-terminated,
 * strings owned by the array (g_free); or NULL with @error set, naming the
 * element and value QEMU cannot do (CONFIG_UNSUPPORTED) or what is missing
 * from @opts (INTERNAL_ERROR / OPERATION_INVALID).
 */
GPtrArray *qemu_command_build(const DomainDef *def, const QemuCommandOpts *opts, GError **error);

/* The file holding the password of disk @idx's <auth> for QEMU's secret
 * object: <@domain_dir>/disk<idx>-secret, written by the driver (caller
 * frees). */
char *qemu_command_disk_secret_path(const char *domain_dir, guint idx);

/**
 * qemu_command_assign_pci:
 * @def: a definition whose os.machine is a machine type the builder knows
 *
 * Writes into @def the PCI address qemu_command_build() would give each
 * PCI device that has none (the same pass, so a definition with the
 * addresses written gets exactly the command line it had without them), and
 * adds the controllers the builder would add implicitly, addressed too.
 *
 * Returns: FALSE with @error set when the addresses cannot be assigned
 * (a clash, an unknown machine type, no free slot).
 */
gboolean qemu_command_assign_pci(DomainDef *def, GError **error);

/*
 * libvirt's .args layout: the emulator, then one option (with its value) per
 * line, every line but the last ending in " \"; arguments that need it are
 * single-quoted for a POSIX shell.  Caller frees.
 */
char *qemu_command_format(GPtrArray *argv);

/* "libvirt-<N>-<what>" for disk @idx of @def (@what: "storage" or "format").
 * Caller frees. */
char *qemu_command_disk_node_name(const DomainDef *def, guint idx, const char *what);
