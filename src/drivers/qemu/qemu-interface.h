/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-interface.h: the host side of a domain's network interfaces.
 *
 * <interface type='bridge'> and type='ethernet' are backed by a tap device
 * the daemon opens (TUNSETIFF on /dev/net/tun) and hands to QEMU as an fd
 * (-netdev tap,fd=N).  Taps are never made persistent: the kernel deletes
 * one when its last fd closes, so once QEMU holds the only fd, the tap lives
 * exactly as long as that QEMU, whatever happens to the daemon.
 *
 * A tap the user did not name gets the next free "vnetN" (N counting up
 * for the daemon's life, as libvirt does, so that a name is not handed out
 * again right after it was freed); that name is runtime state, kept in the
 * live definition and so in the status XML.  type='network' needs the
 * network driver, which does not serve networks yet: such a start fails.
 */
#pragma once

#include <glib.h>

#include "conf/domain-conf.h"
#include "drivers/qemu/qemu-driver.h"

/* The fds of the taps opened for a start, indexed like def->nets. */
typedef struct {
    guint n;
    int *fds;                /* the tap's fd, or -1 (type user, or closed) */
} QemuTapFds;

/**
 * qemu_interface_start:
 * @drv: the driver (its tap name counter)
 * @def: the live definition of the domain being started; the ifname of
 *       each tap it gets is stored in its DomainNetDef
 *
 * Opens and sets up the tap of every bridge and ethernet interface: MAC
 * (the guest's with the first byte 0xfe), MTU, bridge port, link up.  On
 * failure nothing is left behind: fds closed, so the taps are gone.
 *
 * Returns: the fds (to pass to QEMU, then close with qemu_tap_fds_close()),
 * or NULL with @error set; a missing bridge or network is named.
 */
QemuTapFds *qemu_interface_start(QemuDriver *drv, DomainDef *def, GError **error);

/* Close the fds still open (after QEMU got its copies); idempotent. */
void qemu_tap_fds_close(QemuTapFds *taps);
void qemu_tap_fds_free(QemuTapFds *taps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTapFds, qemu_tap_fds_free)
/* Add the open fds of @taps to @keep (an array of int). */
void qemu_tap_fds_append(const QemuTapFds *taps, GArray *keep);

/* At reconnect: the vnetN names @def uses are taken; new ones count on
 * from there. */
void qemu_interface_reserve_names(QemuDriver *drv, const DomainDef *def);

/* ---- statistics ---------------------------------------------------------------- */

/* virDomainInterfaceStatsStruct: the guest's view (a tap's rx is what the
 * guest sent). */
typedef struct {
    gint64 rx_bytes;
    gint64 rx_packets;
    gint64 rx_errs;
    gint64 rx_drop;
    gint64 tx_bytes;
    gint64 tx_packets;
    gint64 tx_errs;
    gint64 tx_drop;
} QemuInterfaceStats;

/* The interface of @def whose host device is @device, or whose MAC is
 * @device ("52:54:00:..."); NULL if none. */
DomainNetDef *qemu_interface_find(const DomainDef *def, const char *device);

/* The counters of the host device @ifname (a tap: read from sysfs). */
gboolean qemu_interface_stats(const char *ifname, QemuInterfaceStats *ret, GError **error);
