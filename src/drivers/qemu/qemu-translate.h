/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-translate.h: <disk type='volume'> sources, asked of mvstoraged.
 *
 * One TRANSLATE_VOLUME round trip per volume disk, on mvstoraged's own
 * socket (started if missing).  The answer lives only in the running
 * domain's runtime data and its status file; the definitions keep exactly
 * what the user wrote, so translating again - at every reconnect - starts
 * from the same input and gives the same answer.
 */
#pragma once

#include <glib.h>

#include "drivers/qemu/qemu-driver.h"
#include "drivers/qemu/qemu-process.h"

/*
 * Translate every volume disk of @def (the live definition being started)
 * into @rt->disk_sources, honouring startupPolicy; CHAP passwords are
 * written into @rt->domain_dir for QEMU's secret objects.
 */
gboolean qemu_translate_domain(QemuDriver *drv, DomainDef *def, QemuDomainRuntime *rt,
                               GError **error);

/*
 * After a daemon restart: translate again and compare with the stored
 * answer and with what QEMU has open (@mon may be NULL).  Differences and
 * failures are logged as warnings and change nothing: the guest keeps
 * running on what it has.
 */
void qemu_translate_recheck(QemuDriver *drv, QemuDomainObj *obj, QemuMonitor *mon);

/* Drop the connection to mvstoraged (daemon shutdown). */
void qemu_translate_shutdown(QemuDriver *drv);
