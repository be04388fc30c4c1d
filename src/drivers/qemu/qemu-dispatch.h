/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-dispatch.h: helpers shared by the QEMU driver's procedure handlers.
 */
#pragma once

#include "drivers/qemu/qemu-driver.h"
#include "remote-dispatch-protos.h"

/* The domain a handle names (looked up by uuid), or NULL with the error
 * libvirt reports. */
QemuDomainObj *qemu_dispatch_get_domain(QemuDriver *drv, const remote_nonnull_domain *dom,
                                        GError **error);
/* Fill a handle for @obj (id -1 when inactive). */
void qemu_dispatch_make_domain(QemuDomainObj *obj, remote_nonnull_domain *ret);
/* Error out on flags outside @allowed, naming @api. */
gboolean qemu_dispatch_check_flags(const char *api, unsigned int flags, unsigned int allowed,
                                   GError **error);
