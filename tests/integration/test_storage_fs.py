# SPDX-License-Identifier: LGPL-2.1-or-later
"""fs pools for real: an ext4 file system on a loop device (over an image
file in the test's directory), built (mkfs), mounted by pool-start,
unmounted by pool-destroy, with volumes on it, and still mounted and
active after a daemon restart.  The loop device and the mount are removed
even when the test fails.
"""

import hashlib
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402

MiB = 1024 * 1024
POOL = "stfs-pool"
STACK = None
LOOP = {"dev": None}


def stack():
    global STACK
    if STACK is None:
        for tool in ("losetup", "mkfs.ext4", "blkid", "mount", "umount"):
            mvtest.require_tool(tool)
        STACK = mvtest.Stack(name="mvtest-stfs")
        STACK.start_stack("mvstoraged", "mvproxyd")
    return STACK


def target():
    return os.path.join(stack().root, "mnt")


def virsh(*args, rc=0):
    return stack().virsh(*args, check_rc=rc)


def mounted_from():
    """The source of the mount on the target, or None."""
    return mvtest.mount_source(target())


def test_loop_device():
    LOOP["dev"] = mvtest.loop_attach(os.path.join(stack().root, "fs.img"), 96 * MiB)


def test_define_build_mkfs():
    dev = LOOP["dev"]
    virsh("pool-define-as", POOL, "fs", "--source-dev", dev, "--source-format", "ext4",
          "--target", target())
    xml = virsh("pool-dumpxml", POOL).stdout
    check_in("<device path='%s'/>" % dev, xml)
    check_in("<format type='ext4'/>", xml)
    virsh("pool-build", POOL)
    check(os.path.isdir(target()), "pool-build makes the mount point")
    check_eq(subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", dev],
                            capture_output=True, text=True).stdout.strip(), "",
             "a plain pool-build does not format")
    virsh("pool-build", POOL, "--overwrite")
    check_eq(subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", dev],
                            capture_output=True, text=True).stdout.strip(), "ext4", "mkfs ran")
    r = virsh("pool-build", POOL, "--no-overwrite", rc=None)
    check(r.returncode != 0, "--no-overwrite on a formatted device must fail")
    check_in("already formatted using 'ext4'", r.stderr)


def test_start_mounts():
    check_eq(mounted_from(), None, "not mounted before pool-start")
    virsh("pool-start", POOL)
    check_eq(mounted_from(), LOOP["dev"], "mounted by pool-start")
    info = virsh("pool-info", POOL).stdout
    check_in("State:          running", info)
    st = os.statvfs(target())
    check_in("<capacity unit='bytes'>%d</capacity>" % (st.f_frsize * st.f_blocks),
             virsh("pool-dumpxml", POOL).stdout)
    rows = virsh("vol-list", POOL, "--details").stdout
    check_in("lost+found", rows, "the file system's own directory is listed")
    check("dir" in [l.split()[2] for l in rows.splitlines() if "lost+found" in l],
          "lost+found is a dir volume")


def test_volumes_on_fs():
    virsh("vol-create-as", POOL, "a.raw", "4M")
    virsh("vol-create-as", POOL, "b.qcow2", "64M", "--format", "qcow2")
    data = os.urandom(2 * MiB)
    src = os.path.join(stack().root, "data.bin")
    with open(src, "wb") as f:
        f.write(data)
    virsh("vol-upload", "a.raw", src, "--pool", POOL)
    with open(os.path.join(target(), "a.raw"), "rb") as f:
        check_eq(f.read(len(data)), data, "uploaded to the mounted file system")
    LOOP["digest"] = hashlib.sha256(data).hexdigest()


def test_restart_keeps_it_mounted():
    st = stack()
    st.kill("mvstoraged", signal.SIGTERM)
    check_eq(mounted_from(), LOOP["dev"], "the mount outlives the daemon")
    st.start("mvstoraged")
    mvtest.wait_for(lambda: "active" in virsh("pool-list").stdout, timeout=10,
                    what="the pool back")
    check_in("b.qcow2", virsh("vol-list", POOL).stdout)


def test_destroy_unmounts():
    virsh("pool-destroy", POOL)
    check_eq(mounted_from(), None, "unmounted by pool-destroy")
    check(not os.path.exists(os.path.join(target(), "a.raw")), "files are on the device only")
    virsh("pool-start", POOL)
    out = os.path.join(stack().root, "back.bin")
    virsh("vol-download", "a.raw", out, "--pool", POOL, "--length", str(2 * MiB))
    with open(out, "rb") as f:
        check_eq(hashlib.sha256(f.read()).hexdigest(), LOOP["digest"], "data after a remount")
    virsh("pool-destroy", POOL)
    check_eq(mounted_from(), None, "unmounted again")


def test_delete_undefine():
    virsh("pool-delete", POOL)
    check(not os.path.exists(target()), "pool-delete removes the mount point")
    virsh("pool-undefine", POOL)


def teardown():
    try:
        if os.path.exists(target()) and mounted_from():
            subprocess.run(["umount", "-l", target()], capture_output=True)
    finally:
        mvtest.loop_detach(LOOP["dev"])
        if STACK is not None:
            STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
