# SPDX-License-Identifier: LGPL-2.1-or-later
"""logical pools as far as this kernel allows: an LVM volume group on a loop
device is built (pvcreate + vgcreate), started, listed, refreshed, found
again after a daemon restart, stopped and deleted (vgremove + pvremove).

This kernel has no device-mapper, so no logical volume can exist: creating
one must fail at once with an error that names the missing device-mapper
(not a crash, not lvcreate's raw output).  On a kernel with device-mapper
the same step checks that the volume is created instead.

The loop device, the volume group and LVM's host side effects
(/etc/lvm backups, /dev/mapper/control) are cleaned up even on failure.
"""

import glob
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402

MiB = 1024 * 1024
POOL = "stlvm-pool"
VG = "mvtestvg%d" % os.getpid()
STACK = None
LOOP = {"dev": None}
HAD_MAPPER = os.path.exists("/dev/mapper")


def have_device_mapper():
    if os.path.exists("/sys/class/misc/device-mapper"):
        return True
    with open("/proc/misc") as f:
        return any(line.split()[1:] == ["device-mapper"] for line in f)


def stack():
    global STACK
    if STACK is None:
        for tool in ("losetup", "pvcreate", "vgcreate", "vgs", "lvs", "vgremove", "pvremove"):
            mvtest.require_tool(tool)
        STACK = mvtest.Stack(name="mvtest-stlvm")
        STACK.start_stack("mvstoraged", "mvproxyd")
    return STACK


def virsh(*args, rc=0):
    return stack().virsh(*args, check_rc=rc)


def lvm(*args):
    return subprocess.run(list(args) + ["--devices", LOOP["dev"]], capture_output=True,
                          text=True)


def test_loop_device():
    LOOP["dev"] = mvtest.loop_attach(os.path.join(stack().root, "pv.img"), 128 * MiB)


def test_define_build_start():
    dev = LOOP["dev"]
    virsh("pool-define-as", POOL, "logical", "--source-dev", dev, "--source-name", VG,
          "--target", "/dev/" + VG)
    virsh("pool-build", POOL)
    r = lvm("vgs", "--noheadings", "-o", "vg_name,pv_count", VG)
    check_eq(r.stdout.split(), [VG, "1"], "the volume group exists (%s)" % r.stderr)
    virsh("pool-start", POOL)
    info = virsh("pool-info", POOL).stdout
    check_in("State:          running", info)
    size = lvm("vgs", "--noheadings", "--units", "b", "--nosuffix", "-o", "vg_size", VG)
    check_in("<capacity unit='bytes'>%s</capacity>" % size.stdout.strip(),
             virsh("pool-dumpxml", POOL).stdout)
    rows = [l for l in virsh("vol-list", POOL).stdout.splitlines()[2:] if l.strip()]
    check_eq(rows, [], "no volumes")


def test_create_volume():
    r = virsh("vol-create-as", POOL, "lv1", "8M", rc=None)
    if have_device_mapper():
        check_eq(r.returncode, 0, "vol-create-as with device-mapper: %s" % r.stderr)
        check_in("lv1", virsh("vol-list", POOL).stdout)
        virsh("vol-delete", "lv1", "--pool", POOL)
        return
    check(r.returncode != 0, "without device-mapper the volume cannot be created")
    check_in("error: Failed to create vol lv1", r.stderr)
    check_in("this function is not supported by the connection driver: cannot create volume "
             "'lv1' in logical pool '%s': this kernel has no device-mapper support" % POOL,
             r.stderr)
    check_eq(lvm("lvs", "--noheadings", VG).stdout.strip(), "", "no logical volume left")
    # the daemon is still there and the pool still fine
    check_in("State:          running", virsh("pool-info", POOL).stdout)


def test_refresh_and_restart():
    virsh("pool-refresh", POOL)
    st = stack()
    st.kill("mvstoraged", signal.SIGTERM)
    st.start("mvstoraged")
    mvtest.wait_for(lambda: "active" in virsh("pool-list").stdout, timeout=15,
                    what="the volume group found again")
    check_in("State:          running", virsh("pool-info", POOL).stdout)


def test_destroy_delete():
    virsh("pool-destroy", POOL)
    check_in("State:          inactive", virsh("pool-info", POOL).stdout)
    virsh("pool-delete", POOL)
    r = lvm("vgs", VG)
    check(r.returncode != 0, "the volume group is gone")
    r = lvm("pvs", "--noheadings", LOOP["dev"])
    check(r.returncode != 0 or not r.stdout.strip(), "the physical volume is gone: %s" % r.stdout)
    virsh("pool-undefine", POOL)


def teardown():
    try:
        if LOOP["dev"]:
            lvm("vgremove", "-f", VG)
            lvm("pvremove", "-ff", "-y", LOOP["dev"])
            mvtest.loop_detach(LOOP["dev"])
        for path in glob.glob("/etc/lvm/backup/%s" % VG) + \
                glob.glob("/etc/lvm/archive/%s_*.vg" % VG):
            os.unlink(path)
        if not HAD_MAPPER and os.path.exists("/dev/mapper"):
            for name in os.listdir("/dev/mapper"):
                if name == "control":
                    os.unlink("/dev/mapper/control")
            if not os.listdir("/dev/mapper"):
                os.rmdir("/dev/mapper")
    finally:
        if STACK is not None:
            STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
