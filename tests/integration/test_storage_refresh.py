# SPDX-License-Identifier: LGPL-2.1-or-later
"""A pool whose storage stops answering must not hold anything else up.

The "hung storage" is a FUSE file system mounted over a dir pool's target
by this test and never served: every access to it blocks in the kernel
until the test closes /dev/fuse.  While a refresh of that pool is stuck:

- the refresh call fails when the pool's time bound (storage.conf
  refresh_timeout) passes, a second one fails at once;
- another client's calls (pool list, info, XML, volume list, a volume
  creation in the other pool) are never delayed by more than 100 ms;
- the pool says why in pool-info (inaccessible) and pool-dumpxml
  (modvirt:refreshError), and a REFRESH event is sent.
When the storage answers again (here: fails), a refresh brings the pool
back to running.
"""

import ctypes
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import TestFailure, check, check_eq, check_in  # noqa: E402

REFRESH_TIMEOUT_MS = 1500
STACK = None
HANG = "strefresh-hang"
OK = "strefresh-ok"
FUSE = {"fd": -1, "target": None}


def stack():
    global STACK
    if STACK is None:
        STACK = mvtest.Stack(name="mvtest-strefresh")
        conf = os.path.join(STACK.root, "session", "config", "modvirt")
        os.makedirs(conf, exist_ok=True)
        with open(os.path.join(conf, "storage.conf"), "w") as f:
            f.write("[storage]\nrefresh_timeout = %d\njob_timeout = 3000\n"
                    % REFRESH_TIMEOUT_MS)
        STACK.start_stack("mvstoraged", "mvproxyd")
    return STACK


def target(name):
    return os.path.join(stack().root, "pools", name)


def virsh(*args, rc=0):
    return stack().virsh(*args, check_rc=rc)


def fuse_hang(path):
    """Mount a FUSE file system on @path that never answers."""
    if not os.path.exists("/dev/fuse"):
        raise TestFailure("/dev/fuse is missing: the hung-storage test needs FUSE")
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/dev/fuse", os.O_RDWR | os.O_CLOEXEC)
    opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
    if libc.mount(b"mvtest-hang", path.encode(), b"fuse", 0, opts.encode()) != 0:
        err = ctypes.get_errno()
        os.close(fd)
        raise TestFailure("cannot mount FUSE on %s: %s" % (path, os.strerror(err)))
    FUSE["fd"], FUSE["target"] = fd, path


def fuse_release():
    """Abort the FUSE connection (blocked calls fail) and unmount."""
    if FUSE["fd"] >= 0:
        os.close(FUSE["fd"])
        FUSE["fd"] = -1
    if FUSE["target"]:
        subprocess.run(["umount", "-l", FUSE["target"]], capture_output=True)
        FUSE["target"] = None


def test_setup_two_pools():
    for name in (HANG, OK):
        virsh("pool-define-as", name, "dir", "--target", target(name))
        virsh("pool-build", name)
        virsh("pool-start", name)
        virsh("vol-create-as", name, "v1.raw", "1M")
    fuse_hang(target(HANG))


MONITOR = r'''
import libvirt, sys, threading, time
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
events = []
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                              lambda conn, pool, opaque: events.append(pool.name()), None)
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
hang = c.storagePoolLookupByName(sys.argv[2])
ok = c.storagePoolLookupByName(sys.argv[3])
calls = [("listAllStoragePools", lambda: c.listAllStoragePools(0)),
         ("ok.info", ok.info), ("hang.info", hang.info),
         ("hang.XMLDesc", lambda: hang.XMLDesc(0)),
         ("ok.listAllVolumes", lambda: ok.listAllVolumes(0)),
         ("hang.listAllVolumes", lambda: hang.listAllVolumes(0)),
         ("lookupByName", lambda: c.storagePoolLookupByName(sys.argv[3]))]
print("ready", flush=True)
worst = (0, None)
n = 0
slow = []
end = time.time() + float(sys.argv[4])
while time.time() < end:
    for name, fn in calls:
        t = time.monotonic()
        fn()
        d = time.monotonic() - t
        n += 1
        if d > worst[0]:
            worst = (d, name)
        if d >= 0.100:
            slow.append("%s:%.3f" % (name, d))
    time.sleep(0.005)
print("slow", len(slow), " ".join(slow))
t = time.monotonic()
ok.createXML("<volume><name>during.raw</name><capacity>1048576</capacity></volume>", 0)
print("create %.3f" % (time.monotonic() - t))
print("worst %.4f %s calls %d" % (worst[0], worst[1], n))
print("events", " ".join(events))
'''


def test_hung_refresh_blocks_nothing_else():
    st = stack()
    mon = subprocess.Popen(["/usr/bin/python3", "-c", MONITOR, st.uri(), HANG, OK, "3.5"],
                           env=st.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    check_eq(mon.stdout.readline().strip(), "ready", "monitor started")
    t = time.monotonic()
    r = virsh("pool-refresh", HANG, rc=None)
    elapsed = time.monotonic() - t
    check(r.returncode != 0, "refreshing hung storage must fail: %s" % r.stdout)
    check_in("refresh of storage pool '%s' did not finish within 2 seconds" % HANG, r.stderr)
    check(REFRESH_TIMEOUT_MS / 1000.0 - 0.1 <= elapsed < 6, "failed after %.2fs" % elapsed)
    # the refresh is still stuck: a second one fails at once
    t = time.monotonic()
    r = virsh("pool-refresh", HANG, rc=None)
    check(r.returncode != 0, "second refresh must fail too")
    check(time.monotonic() - t < 1.0, "the second refresh waits for nothing")
    # other clients: virsh, meanwhile
    t = time.monotonic()
    rows = virsh("pool-list", "--all").stdout
    check(time.monotonic() - t < 1.0, "virsh pool-list while a refresh hangs")
    check_in(HANG, rows)
    out, err = mon.communicate(timeout=60)
    check_eq(mon.returncode, 0, "monitor: %s" % err)
    worst = out.split("worst ")[1].split()
    print("# slowest call: %s %ss of %s calls" % (worst[1], worst[0], worst[3]), flush=True)
    # Calls are answered from memory on the I/O thread: a few ms.  A call
    # the refresh held up would wait about a second (or all of them would);
    # one outlier a little past 100 ms is the scheduler of a loaded 2-core
    # machine, not us.
    slow = out.split("slow ")[1].split("\n")[0].split()
    check(int(slow[0]) <= 1 and float(worst[0]) < 0.300,
          "calls slower than 100 ms: %s" % " ".join(slow))
    create = float(out.split("create ")[1].split()[0])
    check(create < 1.0, "a volume creation in the other pool took %.3fs" % create)
    check_in("events %s" % HANG, out, "REFRESH event for the pool marked")


def test_failure_shown_in_info_and_xml():
    info = virsh("pool-info", HANG).stdout
    check_in("State:          inaccessible", info)
    xml = virsh("pool-dumpxml", HANG).stdout
    check_in("<modvirt:refreshError xmlns:modvirt='http://modvirt.org/schemas/storage/runtime/1.0'",
             xml)
    check_in("refresh did not finish within 2 seconds: the storage is not responding", xml)
    check_in("State:          running", virsh("pool-info", OK).stdout)
    # the last good volume list is kept
    check_in("v1.raw", virsh("vol-list", HANG).stdout)


def test_recovery():
    fuse_release()
    # the stuck refresh ends (with an error) now that the file system is gone
    mvtest.wait_for(lambda: "Transport endpoint is not connected" in
                    virsh("pool-dumpxml", HANG).stdout or
                    "not responding" not in virsh("pool-dumpxml", HANG).stdout,
                    timeout=10, what="the stuck refresh to end")
    virsh("pool-refresh", HANG)
    check_in("State:          running", virsh("pool-info", HANG).stdout)
    check("refreshError" not in virsh("pool-dumpxml", HANG).stdout, "error cleared")
    check_in("v1.raw", virsh("vol-list", HANG).stdout)


def test_cleanup_pools():
    for name in (HANG, OK):
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


def teardown():
    fuse_release()
    if STACK is not None:
        STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
