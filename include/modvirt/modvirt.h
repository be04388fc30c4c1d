/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modvirt.h: umbrella header of libmodvirt, the modvirt client library.
 */
#pragma once

#include <modvirt/modvirt-common.h>
#include <modvirt/modvirt-error.h>
#include <modvirt/modvirt-connect.h>
#include <modvirt/modvirt-domain.h>
#include <modvirt/modvirt-storage.h>
#include <modvirt/modvirt-stream.h>
