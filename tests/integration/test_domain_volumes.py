# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volume disks at domain start and at reconnect: libvirt's rhbz#1658504.

The stack runs in session mode with a private tgtd (package tgt) on
127.0.0.1 at a free non-default port: target 1 without authentication,
target 2 with CHAP, target 3 for the iscsi pool.  mvstoraged has a dir pool, an iscsi-direct pool on each
target (libiscsi, for real) and an iscsi pool on target 3.  The iscsi pool
needs the kernel initiator, which this machine's kernel lacks: its iscsiadm
is the scripted stand-in fake-iscsiadm.py (see test_storage_iscsi.py), whose
"login" only creates the by-path entries; what is real is the network source
mode='direct' yields, which QEMU opens against the real tgtd.

Domains are KVM guests without an OS (QEMU opens every disk at start; no
guest needs to boot).  Through stock virsh and the proxy:
 - a dir-pool volume disk and iscsi-direct volume disks (one with CHAP)
   start; QEMU gets file / iscsi -blockdev nodes from the translation;
 - kill -9 mvqemud five times: every guest is running, served by the same
   QEMU, controllable; inactive XML and the file on disk byte-identical,
   with no trace of the translation; nothing warned;
 - the same after kill -9 mvstoraged (mvqemud starts it again), and with
   the iscsi-direct pool stopped while the guest runs (a warning, nothing
   more);
 - mode='direct' on an iscsi-direct pool's volume: start refused with an
   error naming the mode and the pool type, nothing changed; on the iscsi
   pool: a network source;
 - a pool redefined elsewhere while mvqemud is down: a warning at
   reconnect, the guest keeps its file, the next start takes the new one;
 - startupPolicy: an optional cdrom whose volume is missing starts empty,
   a mandatory one refuses the start.
"""

import base64
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvguest  # noqa: E402
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402
from tgtdtarget import Tgtd  # noqa: E402

MIB = 1024 * 1024
IQN1 = "iqn.2026-11.org.example.mvdv:target1"
IQN2 = "iqn.2026-11.org.example.mvdv:target2"
IQN3 = "iqn.2026-11.org.example.mvdv:target3"
INITIATOR = "iqn.2026-11.org.example.mvdv:initiator1"
CHAP_USER, CHAP_PASSWORD = "mvdvuser", "mvdvsecret5678"
SECRET_UUID = "4f7a2b19-6c3d-4e8a-9b05-d1c2e3f4a5b6"
SECRET_USAGE = "mvdv-chap"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-iscsiadm.py")
PREFIX = "mvdv-"
DIRVM, ISDVM, ISCSIVM = PREFIX + "dir", PREFIX + "isd", PREFIX + "iscsi"
RUNNING = (DIRVM, ISDVM)

stack = None
tgtd = None


def setup():
    global stack, tgtd
    stack = mvtest.Stack(name="mvdv")
    tgtd = Tgtd(stack.root).start()
    tgtd.add_target(1, IQN1, [16 * MIB, 8 * MIB])
    tgtd.add_target(2, IQN2, [8 * MIB], chap=(CHAP_USER, CHAP_PASSWORD))
    tgtd.add_target(3, IQN3, [8 * MIB])
    secrets = os.path.join(stack.root, "session", "config", "modvirt", "secrets")
    os.makedirs(secrets)
    with open(os.path.join(secrets, SECRET_UUID + ".xml"), "w") as f:
        f.write("<secret ephemeral='no' private='yes'>\n  <uuid>%s</uuid>\n"
                "  <usage type='iscsi'>\n    <target>%s</target>\n  </usage>\n</secret>\n"
                % (SECRET_UUID, SECRET_USAGE))
    with open(os.path.join(secrets, SECRET_UUID + ".base64"), "w") as f:
        f.write(base64.b64encode(CHAP_PASSWORD.encode()).decode() + "\n")
    fake_dir = os.path.join(stack.root, "fake-iscsiadm")
    bypath = os.path.join(stack.root, "by-path")
    os.makedirs(fake_dir)
    os.makedirs(bypath)
    with open(os.path.join(fake_dir, "config.json"), "w") as f:
        json.dump({"bypath": bypath,
                   "targets": {IQN3: {"portal": tgtd.portal, "luns": {"1": 8 * MIB}}}}, f)
    stack.env["MODVIRT_ISCSIADM"] = FAKE
    stack.env["FAKE_ISCSIADM_DIR"] = fake_dir
    stack.start_stack()

    pools = {
        "mvdv-dir": "<pool type='dir'><name>mvdv-dir</name><target><path>%s</path></target>"
                    "</pool>" % os.path.join(stack.root, "dirpool"),
        "mvdv-isd": iscsi_pool("iscsi-direct", "mvdv-isd", IQN1),
        "mvdv-isd2": iscsi_pool("iscsi-direct", "mvdv-isd2", IQN2, auth=True),
        "mvdv-iscsi": iscsi_pool("iscsi", "mvdv-iscsi", IQN3, target=bypath),
    }
    for name, xml in pools.items():
        path = write(name + "-pool.xml", xml)
        stack.virsh("pool-define", path)
        if name == "mvdv-dir":
            stack.virsh("pool-build", name)
        stack.virsh("pool-start", name)
    stack.virsh("vol-create-as", "mvdv-dir", "root.qcow2", "32M", "--format", "qcow2")


def teardown():
    try:
        if stack:
            for pid in stack.qemu_pids(PREFIX):
                os.kill(pid, signal.SIGKILL)
    finally:
        try:
            if tgtd:
                tgtd.stop()
        finally:
            if stack:
                stack.cleanup()


def write(name, text):
    path = os.path.join(stack.root, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def iscsi_pool(ptype, name, iqn, auth=False, target=None):
    a = ""
    if auth:
        a = ("    <auth type='chap' username='%s'>\n      <secret usage='%s'/>\n"
             "    </auth>\n" % (CHAP_USER, SECRET_USAGE))
    t = "  <target>\n    <path>%s</path>\n  </target>\n" % target if target else ""
    return ("<pool type='%s'>\n  <name>%s</name>\n  <source>\n"
            "    <host name='127.0.0.1' port='%d'/>\n    <device path='%s'/>\n%s"
            "    <initiator>\n      <iqn name='%s'/>\n    </initiator>\n  </source>\n%s</pool>\n"
            % (ptype, name, tgtd.port, iqn, a, INITIATOR, t))


def volume_disk(pool, volume, dev, fmt="raw", mode=None, device="disk", policy=None):
    m = " mode='%s'" % mode if mode else ""
    p = " startupPolicy='%s'" % policy if policy else ""
    bus = "sata" if device == "cdrom" else "virtio"
    ro = "      <readonly/>\n" if device == "cdrom" else ""
    return ("    <disk type='volume' device='%s'>\n      <driver name='qemu' type='%s'/>\n"
            "      <source pool='%s' volume='%s'%s%s/>\n      <target dev='%s' bus='%s'/>\n%s"
            "    </disk>\n" % (device, fmt, pool, volume, m, p, dev, bus, ro))


def domain_xml(name, *disks):
    xml = mvguest.idle(name, virt_type="kvm")
    return xml.replace("  <devices>\n", "  <devices>\n" + "".join(disks), 1)


def define(name, *disks):
    stack.virsh("define", write(name + ".xml", domain_xml(name, *disks)))


def state(name):
    return stack.virsh("domstate", "--reason", name).stdout.strip()


def config_file(name):
    return os.path.join(stack.root, "session", "config", "modvirt", "qemu", name + ".xml")


def snapshot(name):
    """What must never change: inactive XML, the definition on disk."""
    with open(config_file(name)) as f:
        on_disk = f.read()
    return stack.virsh("dumpxml", "--inactive", name).stdout, on_disk


def check_no_translation(name, xml):
    """Volume disks say pool and volume, and nothing a translation makes."""
    for trace in ("<host", "protocol=", "file=", "dev='/", "iqn.", "127.0.0.1", "<auth",
                  "<initiator", tgtd.portal):
        check(trace not in xml, "%s: the definition has '%s' in it:\n%s" % (name, trace, xml))


def blockdevs(pid):
    """The JSON -blockdev arguments of QEMU @pid, as dicts."""
    argv = mvtest.qemu_argv(pid)
    return [json.loads(argv[i + 1]) for i, a in enumerate(argv)
            if a == "-blockdev" and argv[i + 1].startswith("{")]


def storage_nodes(pid):
    return [b for b in blockdevs(pid) if b.get("driver") in ("file", "host_device", "iscsi")]


def test_start_translates():
    define(DIRVM, volume_disk("mvdv-dir", "root.qcow2", "vda", fmt="qcow2"),
           volume_disk("mvdv-dir", "missing.iso", "sda", device="cdrom", policy="optional"))
    define(ISDVM, volume_disk("mvdv-isd", "unit:0:0:1", "vda"),
           volume_disk("mvdv-isd2", "unit:0:0:1", "vdb"))
    before = {n: snapshot(n) for n in RUNNING}
    for n in RUNNING:
        check_no_translation(n, before[n][0])
        stack.virsh("start", n)
        check_eq(state(n), "running (booted)", n)
    pids = {v: k for k, v in stack.qemu_pids(PREFIX).items()}

    nodes = storage_nodes(pids[DIRVM])
    check_eq([(b["driver"], b.get("filename")) for b in nodes],
             [("file", os.path.join(stack.root, "dirpool", "root.qcow2"))],
             "the dir-pool volume's node (the optional cdrom has no medium)")
    nodes = storage_nodes(pids[ISDVM])
    check_eq([(b["driver"], b["portal"], b["target"], b["lun"], b.get("user"))
              for b in nodes],
             [("iscsi", tgtd.portal, IQN1, 1, None),
              ("iscsi", tgtd.portal, IQN2, 1, CHAP_USER)],
             "the iscsi-direct volumes' nodes")
    for b in nodes:
        check_eq(b.get("initiator-name"), INITIATOR, "initiator of " + b["target"])
    check("password-secret" in nodes[1], "the CHAP disk has no password secret: %s" % nodes[1])
    argv = " ".join(mvtest.qemu_argv(pids[ISDVM]))
    check(CHAP_PASSWORD not in argv, "the CHAP password is on QEMU's command line")

    # The running domain shows what was asked for, too: no translation.
    live = stack.virsh("dumpxml", ISDVM).stdout
    check_in("<source pool='mvdv-isd' volume='unit:0:0:1'/>", live, "live XML")
    for n in RUNNING:
        check_eq(snapshot(n), before[n], "%s's definition after start" % n)


def _check_all_running(pids, before, what):
    for n in RUNNING:
        check(state(n).startswith("running ("), "%s %s: %s" % (n, what, state(n)))
        check_eq(snapshot(n), before[n], "%s's inactive XML and file %s" % (n, what))
        check_no_translation(n, before[n][0])
    check_eq(stack.qemu_pids(PREFIX), pids, "QEMU processes %s" % what)
    # Controllable: a job that goes to the monitor and back.
    for n in RUNNING:
        stack.virsh("suspend", n)
        check_eq(state(n), "paused (user)", "%s suspended %s" % (n, what))
        stack.virsh("resume", n)
        check_eq(state(n), "running (unpaused)", "%s resumed %s" % (n, what))


def _restart_qemud():
    stack.kill("mvqemud", signal.SIGKILL)
    stack.start("mvqemud")


def test_kill9_mvqemud_five_times():
    pids = stack.qemu_pids(PREFIX)
    check_eq(sorted(pids.values()), sorted(RUNNING), "running QEMUs")
    before = {n: snapshot(n) for n in RUNNING}
    mark = stack.log_mark("mvqemud")
    for round_ in range(5):
        _restart_qemud()
        _check_all_running(pids, before, "after kill -9 of mvqemud #%d" % (round_ + 1))
    log = stack.log_since("mvqemud", mark)
    for bad in ("translates to another source", "cannot translate", "QEMU has"):
        check(bad not in log, "mvqemud warned '%s' at a clean reconnect:\n%s" % (bad, log))


def test_kill9_mvstoraged():
    pids = stack.qemu_pids(PREFIX)
    before = {n: snapshot(n) for n in RUNNING}
    old = stack.kill("mvstoraged", signal.SIGKILL)
    _restart_qemud()
    # mvqemud started the storage daemon again to translate at reconnect.
    mvtest.wait_for(lambda: stack.pid_of("mvstoraged") not in (None, old),
                    what="mvstoraged started again")
    _check_all_running(pids, before, "after kill -9 of mvstoraged and mvqemud")
    pools = stack.virsh("pool-list", "--name").stdout.split()
    check_eq(sorted(pools), ["mvdv-dir", "mvdv-iscsi", "mvdv-isd", "mvdv-isd2"],
             "active pools after mvstoraged's restart")
    # And with mvstoraged killed while mvqemud runs: the next call reconnects.
    stack.kill("mvstoraged", signal.SIGKILL)
    stack.virsh("destroy", DIRVM)
    stack.virsh("start", DIRVM)
    pids = stack.qemu_pids(PREFIX)
    _check_all_running(pids, before, "after a start with a new mvstoraged")


def test_pool_stopped_while_running():
    pids = stack.qemu_pids(PREFIX)
    before = {n: snapshot(n) for n in RUNNING}
    stack.virsh("pool-destroy", "mvdv-isd")
    mark = stack.log_mark("mvqemud")
    _restart_qemud()
    _check_all_running(pids, before, "with its pool stopped")
    log = stack.log_since("mvqemud", mark)
    check_in("cannot translate volume 'unit:0:0:1' of pool 'mvdv-isd' again", log,
             "mvqemud's log at reconnect")
    check_in("keeping the source it runs on", log, "mvqemud's log at reconnect")
    # A new start needs the pool: refused, and says why.
    r = stack.virsh("start", ISDVM, check_rc=None)
    check(r.returncode != 0, "start of a running domain succeeded")
    stack.virsh("destroy", ISDVM)
    r = stack.virsh("start", ISDVM, check_rc=1)
    check_in("mvdv-isd", r.stderr, "start with the pool stopped")
    check_in("not active", r.stderr, "start with the pool stopped")
    check_eq(snapshot(ISDVM), before[ISDVM], "definition after the refused start")
    stack.virsh("pool-start", "mvdv-isd")
    stack.virsh("start", ISDVM)
    check_eq(state(ISDVM), "running (booted)", ISDVM)


def test_mode_direct():
    name = PREFIX + "direct-bad"
    define(name, volume_disk("mvdv-isd", "unit:0:0:1", "vda", mode="direct"))
    before = snapshot(name)
    r = stack.virsh("start", name, check_rc=1)
    check_in("disk source mode 'direct' is only valid when storage pool is of iscsi type, "
             "not 'iscsi-direct'", r.stderr, "start of a mode='direct' iscsi-direct disk")
    check(state(name).startswith("shut off"), "%s: %s" % (name, state(name)))
    check_eq(snapshot(name), before, "definition after the refused start")
    check_eq(sorted(stack.qemu_pids(PREFIX + "direct").values()), [], "QEMU of " + name)
    stack.virsh("undefine", name)

    # The iscsi pool (fake iscsiadm for the session) with mode='direct':
    # QEMU reaches the real target itself.
    define(ISCSIVM, volume_disk("mvdv-iscsi", "unit:0:0:1", "vda", mode="direct"))
    before = snapshot(ISCSIVM)
    stack.virsh("start", ISCSIVM)
    pid = [p for p, n in stack.qemu_pids(PREFIX).items() if n == ISCSIVM][0]
    nodes = storage_nodes(pid)
    check_eq([(b["driver"], b["portal"], b["target"], b["lun"]) for b in nodes],
             [("iscsi", tgtd.portal, IQN3, 1)], "the iscsi pool's mode='direct' node")
    check_eq(snapshot(ISCSIVM), before, "definition after start")
    check_no_translation(ISCSIVM, before[0])
    _restart_qemud()
    check_eq(state(ISCSIVM), "running (booted)", ISCSIVM)
    check_eq(snapshot(ISCSIVM), before, "definition after a restart")
    stack.virsh("destroy", ISCSIVM)


def test_startup_policy():
    name = PREFIX + "mandatory"
    define(name, volume_disk("mvdv-dir", "missing.iso", "sda", device="cdrom",
                             policy="mandatory"))
    before = snapshot(name)
    r = stack.virsh("start", name, check_rc=1)
    check_in("disk 'sda' (volume 'missing.iso' of pool 'mvdv-dir')", r.stderr,
             "mandatory cdrom with a missing volume")
    check(state(name).startswith("shut off"), "%s: %s" % (name, state(name)))
    check_eq(snapshot(name), before, "definition after the refused start")
    stack.virsh("undefine", name)
    # The optional one started without medium (test_start_translates); its
    # live XML says the drive is empty, its definition still names the volume.
    live = stack.virsh("dumpxml", DIRVM).stdout
    check("missing.iso" not in live, "live XML names the dropped volume:\n" + live)
    check_in("volume='missing.iso'", snapshot(DIRVM)[0], "inactive XML")


def test_translation_differs_at_reconnect():
    """The dir pool is redefined elsewhere while mvqemud is down: the
    volume now translates to another file.  mvqemud says so and keeps the
    guest on the file it has open; the next start uses the new one."""
    pids = stack.qemu_pids(PREFIX)
    before = snapshot(DIRVM)
    stack.kill("mvqemud", signal.SIGKILL)
    # On mvstoraged's own socket: through the proxy, the connection would
    # start mvqemud again.
    suri = stack.uri("mvstoraged")
    stack.virsh("pool-destroy", "mvdv-dir", uri=suri)
    stack.virsh("pool-undefine", "mvdv-dir", uri=suri)
    newdir = os.path.join(stack.root, "dirpool2")
    stack.virsh("pool-define", write("mvdv-dir2-pool.xml",
                                     "<pool type='dir'><name>mvdv-dir</name><target>"
                                     "<path>%s</path></target></pool>" % newdir), uri=suri)
    stack.virsh("pool-build", "mvdv-dir", uri=suri)
    stack.virsh("pool-start", "mvdv-dir", uri=suri)
    stack.virsh("vol-create-as", "mvdv-dir", "root.qcow2", "32M", "--format", "qcow2", uri=suri)
    check(stack.pid_of("mvqemud") is None or not mvtest.pid_alive(stack.pid_of("mvqemud")),
          "mvqemud was started by the pool calls")
    mark = stack.log_mark("mvqemud")
    stack.start("mvqemud")
    _check_all_running(pids, {**{n: snapshot(n) for n in RUNNING}, DIRVM: before},
                       "after its pool moved")
    log = stack.log_since("mvqemud", mark)
    check_in("volume 'root.qcow2' of pool 'mvdv-dir' now translates to another source", log,
             "mvqemud's log at reconnect")
    pid = [p for p, n in pids.items() if n == DIRVM][0]
    check_eq([b.get("filename") for b in storage_nodes(pid)],
             [os.path.join(stack.root, "dirpool", "root.qcow2")], "the file QEMU has open")
    stack.virsh("destroy", DIRVM)
    stack.virsh("start", DIRVM)
    pid = [p for p, n in stack.qemu_pids(PREFIX).items() if n == DIRVM][0]
    check_eq([b.get("filename") for b in storage_nodes(pid)],
             [os.path.join(newdir, "root.qcow2")], "the file of a new start")


def test_stop_all():
    for n in RUNNING:
        stack.virsh("destroy", n)
        check_eq(state(n), "shut off (destroyed)", n)
    check_eq(stack.qemu_pids(PREFIX), {}, "QEMUs left")


if __name__ == "__main__":
    mvtest.main(globals(), setup=setup, teardown=teardown)
