# SPDX-License-Identifier: LGPL-2.1-or-later
"""iscsi-direct pools against a real iSCSI target.

A private tgtd (package tgt) listens on 127.0.0.1 on a free non-default
port with its own control port, serving file-backed LUNs: target 1 without
authentication (64 and 128 MiB), target 2 with CHAP (32 MiB).  mvstoraged
reaches it with libiscsi; stock virsh and python3-libvirt talk to the
stack through the proxy.  Then tgtd is stopped with SIGSTOP: its port still
accepts connections but nothing answers, and a refresh of the pool must
fail on its own, with its reason in pool-info and pool-dumpxml, without
delaying other clients' pool and domain calls, and recover after SIGCONT.
"""

import base64
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import TestFailure, check, check_eq, check_in  # noqa: E402
from tgtdtarget import Tgtd  # noqa: E402

import libvirt  # noqa: E402

MIB = 1024 * 1024
IQN1 = "iqn.2026-11.org.example.mvisd:target1"
IQN2 = "iqn.2026-11.org.example.mvisd:target2"
INITIATOR = "iqn.2026-11.org.example.mvisd:initiator1"
CHAP_USER, CHAP_PASSWORD = "mvisduser", "mvisdsecret1234"
SECRET_UUID = "0b4c4e55-91d3-4a7f-8d0e-3f6d2c1b9a77"
SECRET_USAGE = "mvisd-chap"
LUNS1 = [64 * MIB, 128 * MIB]
LUNS2 = [32 * MIB]

stack = None
tgtd = None


def setup():
    global stack, tgtd
    stack = mvtest.Stack(name="mvisd")
    tgtd = Tgtd(stack.root).start()
    tgtd.add_target(1, IQN1, LUNS1)
    tgtd.add_target(2, IQN2, LUNS2, chap=(CHAP_USER, CHAP_PASSWORD))
    write_secret(CHAP_PASSWORD)
    stack.start_stack()


def teardown():
    try:
        if tgtd:
            tgtd.stop()
    finally:
        if stack:
            stack.cleanup()


def write_secret(password):
    """The CHAP password, in the secrets directory (libvirt's layout)."""
    d = os.path.join(stack.root, "session", "config", "modvirt", "secrets")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, SECRET_UUID + ".xml"), "w") as f:
        f.write("<secret ephemeral='no' private='yes'>\n  <uuid>%s</uuid>\n"
                "  <usage type='iscsi'>\n    <target>%s</target>\n  </usage>\n</secret>\n"
                % (SECRET_UUID, SECRET_USAGE))
    with open(os.path.join(d, SECRET_UUID + ".base64"), "w") as f:
        f.write(base64.b64encode(password.encode()).decode() + "\n")


def pool_xml(name, iqn, auth=False):
    a = ""
    if auth:
        a = ("    <auth type='chap' username='%s'>\n      <secret usage='%s'/>\n"
             "    </auth>\n" % (CHAP_USER, SECRET_USAGE))
    return ("<pool type='iscsi-direct'>\n  <name>%s</name>\n  <source>\n"
            "    <host name='127.0.0.1' port='%d'/>\n    <device path='%s'/>\n%s"
            "    <initiator>\n      <iqn name='%s'/>\n    </initiator>\n  </source>\n</pool>\n"
            % (name, tgtd.port, iqn, a, INITIATOR))


def define_file(name, xml):
    path = os.path.join(stack.root, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    return path


def vol_path(iqn, lun):
    return "ip-%s-iscsi-%s-lun-%d" % (tgtd.portal, iqn, lun)


def conn():
    return libvirt.open(stack.uri())


# ---- virsh ------------------------------------------------------------------

def test_virsh_define_start_list():
    stack.virsh("pool-define", define_file("isd1", pool_xml("isd1", IQN1)))
    stack.virsh("pool-start", "isd1")
    info = stack.virsh("pool-info", "isd1", "--bytes").stdout
    check_in("State:          running", info, "pool-info")
    check_in("Capacity:       %d" % sum(LUNS1), info, "pool-info capacity")
    check_in("Allocation:     %d" % sum(LUNS1), info, "pool-info allocation")
    check_in("Available:      0", info, "pool-info available")

    out = stack.virsh("vol-list", "isd1").stdout
    for lun in (1, 2):
        check_in("unit:0:0:%d" % lun, out, "vol-list")
        check_in(vol_path(IQN1, lun), out, "vol-list path")
    # LUN 0 is tgtd's controller, not a disk
    check("unit:0:0:0" not in out, "the controller LUN 0 is listed:\n" + out)

    for lun, size in enumerate(LUNS1, 1):
        vi = stack.virsh("vol-info", "--pool", "isd1", "unit:0:0:%d" % lun, "--bytes").stdout
        check_in("Type:           network", vi, "vol-info type")
        check_in("Capacity:       %d bytes" % size, vi, "vol-info capacity")
        check_in("Allocation:     %d bytes" % size, vi, "vol-info allocation")

    xml = stack.virsh("vol-dumpxml", "--pool", "isd1", "unit:0:0:1").stdout
    check_in("<volume type='network'>", xml, "vol-dumpxml")
    check_in("<key>%s</key>" % vol_path(IQN1, 1), xml, "vol-dumpxml key")
    check_in("<capacity unit='bytes'>%d</capacity>" % LUNS1[0], xml, "vol-dumpxml capacity")


def test_virsh_refresh_sees_new_lun():
    tgtd.add_lun(1, 3, 16 * MIB)
    stack.virsh("pool-refresh", "isd1")
    out = stack.virsh("vol-list", "isd1", "--details").stdout
    check_in("unit:0:0:3", out, "vol-list after refresh")
    vi = stack.virsh("vol-info", "--pool", "isd1", "unit:0:0:3", "--bytes").stdout
    check_in("Capacity:       %d bytes" % (16 * MIB), vi, "new LUN capacity")
    info = stack.virsh("pool-info", "isd1", "--bytes").stdout
    check_in("Capacity:       %d" % (sum(LUNS1) + 16 * MIB), info, "pool capacity = sum")


def test_virsh_vol_create_refused():
    r = stack.virsh("vol-create-as", "isd1", "newvol", "1M", check_rc=1)
    check_in("does not support volume creation", r.stderr, "vol-create-as")


def test_virsh_pool_define_as_host_port():
    """virsh writes --source-host h:port into the host name."""
    stack.virsh("pool-define-as", "isd2", "iscsi-direct", "--source-host", tgtd.portal,
                "--source-dev", IQN1, "--source-initiator", INITIATOR)
    stack.virsh("pool-start", "isd2")
    out = stack.virsh("vol-list", "isd2").stdout
    check_in("unit:0:0:1", out, "vol-list of a pool-define-as pool")
    stack.virsh("pool-destroy", "isd2")
    stack.virsh("pool-undefine", "isd2")


# ---- python3-libvirt ----------------------------------------------------------

def test_python_volumes():
    c = conn()
    try:
        pool = c.storagePoolLookupByName("isd1")
        pool.refresh(0)
        vols = {v.name(): v for v in pool.listAllVolumes(0)}
        for lun, size in enumerate(LUNS1, 1):
            v = vols["unit:0:0:%d" % lun]
            check_eq(v.info(), [libvirt.VIR_STORAGE_VOL_NETWORK, size, size],
                     "info of unit:0:0:%d" % lun)
            check_eq(v.path(), vol_path(IQN1, lun), "path")
            check_eq(v.key(), vol_path(IQN1, lun), "key")
            check_eq(c.storageVolLookupByKey(v.key()).name(), v.name(), "lookup by key")
            check_eq(c.storageVolLookupByPath(v.path()).name(), v.name(), "lookup by path")
        state, cap, alloc, avail = pool.info()
        check_eq(state, libvirt.VIR_STORAGE_POOL_RUNNING, "pool state")
        check_eq(cap, sum(v.info()[1] for v in vols.values()), "pool capacity")
        check_eq(avail, 0, "available")
    finally:
        c.close()


def test_python_create_refused():
    c = conn()
    try:
        pool = c.storagePoolLookupByName("isd1")
        try:
            pool.createXML("<volume><name>x</name><capacity>1048576</capacity></volume>", 0)
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_NO_SUPPORT, "error code")
            check_in("does not support volume creation", str(e), "message")
        else:
            raise TestFailure("volume creation in an iscsi-direct pool succeeded")
    finally:
        c.close()


def test_python_wipe_zero():
    with open(os.path.join(stack.root, "tid1-lun1.img"), "r+b") as f:
        f.write(b"\xa5" * (1024 * 1024))
    c = conn()
    try:
        v = c.storagePoolLookupByName("isd1").storageVolLookupByName("unit:0:0:1")
        v.wipe(0)
        try:
            v.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_NNSA, 0)
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_INVALID_ARG, "NNSA wipe")
        else:
            raise TestFailure("an NNSA wipe over iSCSI succeeded")
    finally:
        c.close()
    with open(os.path.join(stack.root, "tid1-lun1.img"), "rb") as f:
        check(f.read(1024 * 1024) == b"\0" * (1024 * 1024), "the LUN was not zeroed")


# ---- CHAP ---------------------------------------------------------------------

def test_chap():
    stack.virsh("pool-define", define_file("isdchap", pool_xml("isdchap", IQN2, auth=True)))
    stack.virsh("pool-start", "isdchap")
    vi = stack.virsh("vol-info", "--pool", "isdchap", "unit:0:0:1", "--bytes").stdout
    check_in("Capacity:       %d bytes" % LUNS2[0], vi, "CHAP LUN capacity")
    stack.virsh("pool-destroy", "isdchap")

    write_secret("not-the-password")
    r = stack.virsh("pool-start", "isdchap", check_rc=1)
    check_in("Authentication failure", r.stderr, "start with a wrong CHAP password")
    write_secret(CHAP_PASSWORD)
    stack.virsh("pool-start", "isdchap")
    stack.virsh("pool-destroy", "isdchap")
    stack.virsh("pool-undefine", "isdchap")


def test_chap_missing():
    """The target wants CHAP, the pool has none: login refused."""
    stack.virsh("pool-define", define_file("isdnochap", pool_xml("isdnochap", IQN2)))
    r = stack.virsh("pool-start", "isdnochap", check_rc=1)
    check_in("login", r.stderr, "start without CHAP")
    stack.virsh("pool-undefine", "isdnochap")


# ---- a portal that stops answering -----------------------------------------------

def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def call_round(c):
    """What virsh pool-list and virsh list do, timed: {call: seconds}."""
    pools = []
    t = {"pool list": timed(lambda: pools.extend(c.listAllStoragePools(0)))}
    t["pool info"] = max(timed(p.info) for p in pools)
    t["pool autostart"] = max(timed(p.autostart) for p in pools)
    t["domain list"] = timed(lambda: c.listAllDomains(0))
    return t


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def test_stalled_portal_blocks_nothing_else():
    """Delay = a call's time during the hung refresh minus its median time
    before.  The calls run in phases of 15 rounds while the refresh hangs
    (it gives up after 10 s): no call may take a second (waiting for the
    refresh would take ten), and in at least one phase every call must stay
    within 100 ms of its usual time.  One phase is allowed to miss the
    100 ms because other tests share this machine's two CPUs and the
    scheduler alone sometimes costs that much; a delay that comes from the
    refresh shows in every phase."""
    c_refresh = conn()
    c_other = conn()
    result = {}

    def refresh():
        t0 = time.monotonic()
        try:
            c_refresh.storagePoolLookupByName("isd1").refresh(0)
            result["ok"] = True
        except libvirt.libvirtError as e:
            result["error"] = str(e)
        result["took"] = time.monotonic() - t0

    try:
        before = [call_round(c_other) for _ in range(10)]
        usual = {k: median([r[k] for r in before]) for k in before[0]}
        tgtd.pause()
        th = threading.Thread(target=refresh)
        th.start()
        time.sleep(0.5)
        check(th.is_alive(), "the refresh of a stalled portal ended at once: %r" % result)

        t_hang = time.monotonic()
        phases = []
        while th.is_alive() and len(phases) < 3:
            rounds = []
            for _ in range(15):
                rounds.append(call_round(c_other))
                time.sleep(0.1)
            if not th.is_alive():
                break
            delay = {k: max(r[k] for r in rounds) - usual[k] for k in usual}
            phases.append(delay)
            print("# phase %d (to %.1f s into the hang), worst delay: %s" % (
                len(phases), time.monotonic() - t_hang,
                ", ".join("%s %.1f ms" % (k, delay[k] * 1000) for k in sorted(delay))))
        check(len(phases) >= 2, "only %d phases of calls during the hung refresh"
              % len(phases))
        for delay in phases:
            for k, d in delay.items():
                check(d < 1.0, "%s waited %.3f s while a refresh hung" % (k, d))
        check(any(max(delay.values()) <= 0.1 for delay in phases),
              "calls were delayed by more than 100 ms in every phase of the hung refresh")

        th.join(timeout=60)
        check(not th.is_alive(), "the refresh never ended")
        check("error" in result, "the refresh of a stalled portal succeeded: %r" % result)
        check_in(tgtd.portal, result["error"], "refresh error names the portal")
        print("# the refresh failed after %.1f s: %s" % (result["took"], result["error"]))

        info = stack.virsh("pool-info", "isd1").stdout
        check("running" not in info.split("State:")[1].splitlines()[0],
              "pool-info still says running:\n" + info)
        xml = stack.virsh("pool-dumpxml", "isd1").stdout
        check_in("refreshError", xml, "pool-dumpxml")
        check_in(tgtd.portal, xml, "pool-dumpxml names the portal")
    finally:
        if tgtd.stopped:
            tgtd.resume()
        c_refresh.close()
        c_other.close()

    # after SIGCONT the pool recovers with the next refresh
    stack.virsh("pool-refresh", "isd1")
    info = stack.virsh("pool-info", "isd1").stdout
    check_in("State:          running", info, "pool-info after recovery")
    xml = stack.virsh("pool-dumpxml", "isd1").stdout
    check("refreshError" not in xml, "the refresh error stayed:\n" + xml)
    check_in("unit:0:0:1", stack.virsh("vol-list", "isd1").stdout, "vol-list after recovery")


def test_destroy_undefine():
    stack.virsh("pool-destroy", "isd1")
    stack.virsh("pool-undefine", "isd1")
    out = stack.virsh("pool-list", "--all").stdout
    check("isd1" not in out, "pool still listed:\n" + out)


if __name__ == "__main__":
    mvtest.main(globals(), setup=setup, teardown=teardown)
