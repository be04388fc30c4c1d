/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-postparse.h: the defaults libvirt's QEMU driver writes into a
 * definition when it is defined or created.
 *
 * The conf layer fills what every driver fills (domainxml2xmltest); this
 * adds what depends on the emulator and the machine: the architecture, the
 * canonical machine type, <emulator>, the default CPU model, the default
 * and built-in devices (root bus, USB controller, the chipset's IDE/SATA,
 * PS/2 inputs, an audio backend, the memory balloon), device models left
 * out (disk driver and format, NIC model, serial target, controller models)
 * and device addresses: PCI addresses exactly as the command line builder
 * assigns them at start (qemu_command_assign_pci()), USB ports in libvirt's
 * order.  All of it is persisted with the definition, so a QEMU upgrade or
 * an added device never changes the machine type or moves an existing
 * device.
 *
 * Idempotent: running it on its own output changes nothing.
 */
#pragma once

#include <glib.h>

#include "conf/domain-conf.h"
#include "drivers/qemu/qemu-caps.h"
#include "drivers/qemu/qemu-driver.h"

/**
 * qemu_postparse_domain:
 * @def: a definition parsed with DOMAIN_PARSE_INACTIVE and validated
 * @caps: the capabilities of the emulator @def runs on
 *
 * Returns: FALSE with @error set when @def cannot run on @caps (unknown
 * machine type, PCI address clash...).
 */
gboolean qemu_postparse_domain(DomainDef *def, const QemuCaps *caps, GError **error);

/* The capabilities @def runs on: its <emulator>, else the emulator for its
 * architecture, else for the host's. */
const QemuCaps *qemu_postparse_caps(QemuDriver *drv, const DomainDef *def, GError **error);

/* Both, for a definition being defined or created. */
gboolean qemu_postparse_define(QemuDriver *drv, DomainDef *def, GError **error);
