/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-command-priv.h: what the qemu-command-*.c files share.
 *
 *   qemu-command.c         the builder's frame: machine, cpu, memory, clock,
 *                          boot, the order of the sections, .args formatting,
 *                          refusing XML kept verbatim by the parser
 *   qemu-command-props.c   ordered properties -> JSON or keyval
 *   qemu-command-pci.c     PCI addresses, controllers, implicit controllers
 *   qemu-command-disk.c    -blockdev pairs and disk -device
 *   qemu-command-chr.c     -chardev, serials, consoles, channels
 *   qemu-command-dev.c     interfaces, inputs, graphics, video, balloon, rng
 */
#pragma once

#include "drivers/qemu/qemu-command.h"

/* ---- properties (qemu-command-props.c) -------------------------------- */

typedef struct _QemuProps QemuProps;

QemuProps *qemu_props_new(void);
void qemu_props_free(QemuProps *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuProps, qemu_props_free)

/* Each adds one property at the end; a NULL string adds nothing. */
void qemu_props_str(QemuProps *p, const char *key, const char *value);
void qemu_props_strf(QemuProps *p, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void qemu_props_uint(QemuProps *p, const char *key, guint64 value);
void qemu_props_bool(QemuProps *p, const char *key, gboolean value);
/* Takes @obj. */
void qemu_props_obj(QemuProps *p, const char *key, QemuProps *obj);
gboolean qemu_props_empty(const QemuProps *p);

/* {"key":value,...} on one line. */
char *qemu_props_json(const QemuProps *p);
/* [@first,]key=value,... with commas in values doubled, booleans on/off,
 * nested objects flattened as key.sub=value. */
char *qemu_props_keyval(const QemuProps *p, const char *first);
/* A value for a keyval option with its commas doubled. */
char *qemu_keyval_escape(const char *value);

/* ---- the builder's state ------------------------------------------------ */

typedef enum {
    QEMU_MACHINE_I440FX,
    QEMU_MACHINE_Q35,
} QemuMachineKind;

typedef struct {
    guint bus;
    guint slot;
    guint function;
    gboolean multifunction;
} QemuPciAddr;

typedef struct {
    const DomainDef *def;
    const QemuCommandOpts *opts;
    GPtrArray *argv;
    QemuMachineKind machine;
    const char *machine_type;        /* the resolved machine type, for messages */
    /* The controllers to emit: the def's and implicit ones (owned by
     * implicit). */
    GPtrArray *controllers;          /* DomainControllerDef *, borrowed */
    GPtrArray *implicit;             /* DomainControllerDef *, owned */
    GHashTable *pci;                 /* device pointer -> QemuPciAddr * */
    guint8 pci_used[256][32];        /* bitmask of functions used, per bus/slot */
    guint *disk_boot;                /* bootindex per disk, 0 = none */
    guint *net_boot;
} QemuCmd;

void qemu_cmd_add(QemuCmd *cmd, const char *arg);
void qemu_cmd_addf(QemuCmd *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* -@opt and @props as JSON; frees @props. */
void qemu_cmd_add_json(QemuCmd *cmd, const char *opt, QemuProps *props);

/* CONFIG_UNSUPPORTED from the QEMU driver. */
void qemu_cmd_unsupported(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- PCI and controllers (qemu-command-pci.c) -------------------------- */

/* Collect controllers (adding implicit ones) and give every PCI device an
 * address. */
gboolean qemu_cmd_pci_prepare(QemuCmd *cmd, GError **error);
/* "bus" and "addr" of @dev (a def device or implicit controller). */
void qemu_cmd_pci_props(QemuCmd *cmd, QemuProps *p, gconstpointer dev);
gboolean qemu_cmd_build_controllers(QemuCmd *cmd, GError **error);
/* The controller of @type and @index, or NULL. */
const DomainControllerDef *qemu_cmd_find_controller(QemuCmd *cmd, DomainControllerType type,
                                                    int index);
/* "usb" / "usb<N>" and so on: the id QEMU knows a controller by. */
char *qemu_cmd_controller_id(QemuCmd *cmd, const DomainControllerDef *ctrl);
/* The bus a USB device attaches to ("usb.0"), NULL with @error set when the
 * domain has no usable USB controller. */
char *qemu_cmd_usb_bus(QemuCmd *cmd, const DomainDeviceInfo *info, const char *what,
                       GError **error);
/* The virtio-serial port bus of a channel/console ("virtio-serial0.0"). */
char *qemu_cmd_virtio_serial_bus(QemuCmd *cmd, const DomainDeviceInfo *info);
/* Which devices sit on PCI (for the address pass). */
gboolean qemu_cmd_disk_is_pci(const DomainDiskDef *disk);
gboolean qemu_cmd_input_is_pci(const DomainInputDef *input);
gboolean qemu_cmd_serial_is_pci(const DomainChrDef *chr);

/* ---- disks (qemu-command-disk.c) ---------------------------------------- */

gboolean qemu_cmd_build_disks(QemuCmd *cmd, GError **error);
/* The alias QEMU gets for disk @idx (caller frees). */
char *qemu_cmd_disk_id(QemuCmd *cmd, guint idx);
/* Drive address of a disk on ide/sata/scsi/fdc, from <address> or the name. */
void qemu_cmd_disk_drive_addr(const DomainDiskDef *disk, DomainDeviceAddress *ret);

/* ---- chardevs (qemu-command-chr.c) -------------------------------------- */

/* "-chardev" value for @src with id @id; NULL with @error set. */
char *qemu_cmd_chardev(const DomainChrSourceDef *src, const char *id, const char *what,
                       GError **error);
gboolean qemu_cmd_build_serials(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_channels(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_consoles(QemuCmd *cmd, GError **error);

/* ---- other devices (qemu-command-dev.c) --------------------------------- */

gboolean qemu_cmd_build_nets(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_inputs(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_audios(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_graphics(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_videos(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_memballoon(QemuCmd *cmd, GError **error);
gboolean qemu_cmd_build_rngs(QemuCmd *cmd, GError **error);
/* The QEMU device of a video model ("VGA"), NULL if unsupported. */
const char *qemu_cmd_video_driver(const DomainVideoDef *video, gboolean primary);
