# SPDX-License-Identifier: LGPL-2.1-or-later
"""find-storage-pool-sources (virConnectFindStoragePoolSources) through
mvproxyd, with stock virsh, python3-libvirt and mvsh.

* logical: a volume group on a loop device is listed with its physical
  volume, in the text Debian's libvirtd 9.0 printed for such a group
  (checked on this machine, 2026-11-23).
* iscsi-direct: a private tgtd (package tgt) with two targets: both are
  listed, each with the host and initiator as given, in the order libiscsi
  gives them (libvirt 9.0's source shows both as copied there).  Without an initiator IQN, or
  without a host, libvirt's errors; a portal where nothing listens fails
  at once, naming it.  (libvirtd 9.0 itself cannot be the oracle here: this
  call crashes it, a general protection fault in
  libvirt_storage_backend_iscsi-direct.so; the text follows its iscsi
  type's, host then device.)
* iscsi: against fake-iscsiadm.py, the scripted stand-in of
  test_storage_iscsi.py (this kernel has no iSCSI initiator at all): the
  SendTargets discovery modvirt runs, non-persistent (no node record is
  left behind, as with libvirt), through the initiator's interface when one
  is given; both targets listed.
* Pool types without discovery (netfs among them: modvirt has no netfs
  pools, where libvirt runs showmount), an unknown type, no <source> or one
  without exactly one host, a <source> modvirt does not accept: libvirt's
  errors, or one naming the element.  The read-only socket refuses the
  call.
* mvsh prints what virsh prints (but for virsh's final blank line).

Other tests may create volume groups on this machine meanwhile: only this
test's own group is looked for in the logical lists, and a list is asked
again when pvs failed (a loop device detached in the middle of its scan).
LVM must not use a devices file here (Debian's default), or pvs would not
list the group: the test says so and fails.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402
from tgtdtarget import Tgtd, free_tcp_port  # noqa: E402

import libvirt  # noqa: E402

MIB = 1024 * 1024
VG = "mvfindvg%d" % os.getpid()
IQN1 = "iqn.2026-11.org.example.mvfind:target1"
IQN2 = "iqn.2026-11.org.example.mvfind:target2"
INITIATOR = "iqn.2026-11.org.example.mvfind:host1"
FAKE_PORTAL = "127.0.0.1:3260"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-iscsiadm.py")

stack = None
tgtd = None
state_dir = None
loop = {"dev": None, "vg": False}


def setup():
    global stack, tgtd, state_dir
    for tool in ("losetup", "pvcreate", "vgcreate", "vgremove", "pvremove", "pvs"):
        mvtest.require_tool(tool)
    stack = mvtest.Stack(name="mvfind")
    state_dir = os.path.join(stack.root, "fake-iscsiadm")
    os.makedirs(state_dir)
    with open(os.path.join(state_dir, "config.json"), "w") as f:
        json.dump({"bypath": os.path.join(stack.root, "by-path"),
                   "targets": {IQN1: {"portal": FAKE_PORTAL, "luns": {"1": MIB}},
                               IQN2: {"portal": FAKE_PORTAL, "luns": {"1": MIB}}},
                   "fail_updates": []}, f)
    stack.env["MODVIRT_ISCSIADM"] = FAKE
    stack.env["FAKE_ISCSIADM_DIR"] = state_dir
    tgtd = Tgtd(stack.root).start()
    tgtd.add_target(1, IQN1, [8 * MIB])
    tgtd.add_target(2, IQN2, [8 * MIB])
    loop["dev"] = mvtest.loop_attach(os.path.join(stack.root, "pv.img"), 64 * MIB)
    for cmd in (["pvcreate", "-q", loop["dev"]], ["vgcreate", "-q", VG, loop["dev"]]):
        r = subprocess.run(cmd + ["--devices", loop["dev"]], capture_output=True, text=True)
        check_eq(r.returncode, 0, "%s: %s" % (" ".join(cmd), r.stderr))
    loop["vg"] = True
    r = subprocess.run(["pvs", "--noheadings", "-o", "vg_name", loop["dev"]],
                       capture_output=True, text=True)
    check_eq(r.stdout.strip(), VG, "a plain pvs sees the test's volume group (if not, LVM "
             "uses a devices file on this host: %s)" % r.stderr.strip())
    stack.start_stack("mvstoraged", "mvproxyd")


def teardown():
    try:
        if stack:
            stack.stop()
    finally:
        try:
            if tgtd:
                tgtd.stop()
        finally:
            if loop["vg"]:
                for cmd in (["vgremove", "-q", "-f", VG], ["pvremove", "-q", loop["dev"]]):
                    subprocess.run(cmd + ["--devices", loop["dev"]], capture_output=True)
            if loop["dev"]:
                mvtest.loop_detach(loop["dev"])
            if stack:
                stack.cleanup()


def calls():
    """fake-iscsiadm's invocations so far, and forget them."""
    return mvtest.fake_iscsiadm_calls(state_dir)


def fake_nodes():
    try:
        with open(os.path.join(state_dir, "state.json")) as f:
            return json.load(f).get("nodes", {})
    except FileNotFoundError:
        return {}


def sources(*entries):
    """<sources> as libvirt prints it, one <source> per list of lines."""
    out = "<sources>\n"
    for lines in entries:
        out += "  <source>\n" + "".join("    %s\n" % l for l in lines) + "  </source>\n"
    return out + "</sources>\n"


def our_vg_source():
    return ("  <source>\n    <device path='%s'/>\n    <name>%s</name>\n"
            "    <format type='lvm2'/>\n  </source>\n" % (loop["dev"], VG))


def same(*args):
    """mvsh and virsh agree (mvtest.same_as_virsh)."""
    return mvtest.same_as_virsh(stack, *args)


def failed(kind, message, *args):
    r = stack.virsh(*args, check_rc=1)
    check_eq(r.stderr, "error: Failed to find any %s pool sources\nerror: %s\n" % (kind, message),
             "virsh %s" % " ".join(args))


def logical_list(*args):
    """virsh find-storage-pool-sources logical: asked again when pvs
    failed under another test's loop device."""
    for _ in range(3):
        r = stack.virsh("find-storage-pool-sources", "logical", *args, check_rc=None)
        if r.returncode == 0:
            return r.stdout
    check_eq(r.returncode, 0, "find-storage-pool-sources logical: %s" % r.stderr)


def test_logical():
    out = logical_list()
    check(out.startswith("<sources>\n") and out.endswith("</sources>\n\n"), out)
    check_in(our_vg_source(), out, "our volume group, as libvirt lists it")
    # The source given is not used, not even parsed (libvirt's rule).
    spec = os.path.join(stack.root, "spec.xml")
    with open(spec, "w") as f:
        f.write("<source><device path='/nonexistent'/><bogus/></source>\n")
    check_in(our_vg_source(), logical_list(spec), "with a source")
    c = libvirt.open(stack.uri())
    try:
        check_in(our_vg_source(), c.findStoragePoolSources("logical", None, 0), "python")
    finally:
        c.close()
    check_in(our_vg_source(), same("find-storage-pool-sources", "logical").stdout, "mvsh")


def test_iscsi_direct():
    port = str(tgtd.port)
    one, two = [["<host name='127.0.0.1' port='%s'/>" % port, "<device path='%s'/>" % iqn,
                 "<initiator>", "  <iqn name='%s'/>" % INITIATOR, "</initiator>"]
                for iqn in (IQN1, IQN2)]
    r = stack.virsh("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", port,
                    "--initiator", INITIATOR)
    # In libiscsi's order, as libvirt has them: the last target first.
    want = sources(two, one)
    check_eq(r.stdout, want + "\n", "virsh find-storage-pool-sources-as")
    # virsh 9.0 sends a host name with its port as given: the port is
    # taken from it, and the name is given back as it came.
    r = stack.virsh("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1:" + port, port,
                    "--initiator", INITIATOR)
    check_eq(r.stdout, want.replace("name='127.0.0.1'", "name='127.0.0.1:%s'" % port) + "\n",
             "host:port")
    same("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1:" + port, "--initiator",
         INITIATOR)
    spec = ("<source>\n  <host name='127.0.0.1' port='%s'/>\n  <initiator>\n"
            "    <iqn name='%s'/>\n  </initiator>\n</source>\n" % (port, INITIATOR))
    c = libvirt.open(stack.uri())
    try:
        check_eq(c.findStoragePoolSources("iscsi-direct", spec, 0), want, "python")
    finally:
        c.close()
    same("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", port, "--initiator",
         INITIATOR)


def test_iscsi_direct_errors():
    port = str(tgtd.port)
    failed("iscsi-direct", "unsupported configuration: missing initiator IQN",
           "find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", port)
    failed("iscsi-direct", "invalid argument: hostname must be specified for iscsi sources",
           "find-storage-pool-sources-as", "iscsi-direct")
    spec = os.path.join(stack.root, "twohosts.xml")
    with open(spec, "w") as f:
        f.write("<source><host name='127.0.0.1'/><host name='127.0.0.2'/>"
                "<initiator><iqn name='%s'/></initiator></source>\n" % INITIATOR)
    failed("iscsi-direct", "unsupported configuration: Expected exactly 1 host for the storage "
           "pool", "find-storage-pool-sources", "iscsi-direct", spec)
    with open(spec, "w") as f:
        f.write("<source/>\n")
    failed("iscsi-direct", "unsupported configuration: Expected exactly 1 host for the storage "
           "pool", "find-storage-pool-sources", "iscsi-direct", spec)
    same("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", port)
    # Nothing listens there: refused at once, the portal named.
    dead = str(free_tcp_port())
    t0 = time.monotonic()
    r = stack.virsh("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", dead,
                    "--initiator", INITIATOR, check_rc=1)
    check(time.monotonic() - t0 < 15, "a refused portal took %.1f s" % (time.monotonic() - t0))
    check_in("iSCSI portal '127.0.0.1:%s' of storage pool source discovery" % dead, r.stderr)
    # The daemon goes on: the same call to the real portal still works.
    r = stack.virsh("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1", port,
                    "--initiator", INITIATOR)
    check_in(IQN2, r.stdout, "after a failed discovery")


def test_iscsi_through_iscsiadm():
    calls()
    host, port = FAKE_PORTAL.split(":")
    r = stack.virsh("find-storage-pool-sources-as", "iscsi", host, port)
    check_eq(r.stdout, sources(["<host name='%s' port='%s'/>" % (host, port),
                                "<device path='%s'/>" % IQN1],
                               ["<host name='%s' port='%s'/>" % (host, port),
                                "<device path='%s'/>" % IQN2]) + "\n", "iscsi sources")
    check_eq(calls(),
             [["--mode", "discovery", "--type", "sendtargets", "--portal", FAKE_PORTAL,
               "--op", "nonpersistent"]], "the iscsiadm runs")
    check_eq(fake_nodes(), {}, "node records left behind")
    # Without a port: the default one, and no port in the answer.
    r = stack.virsh("find-storage-pool-sources-as", "iscsi", host)
    check_in("<host name='%s'/>\n    <device path='%s'/>" % (host, IQN1), r.stdout)
    calls()
    # With an initiator IQN: through an interface carrying it, and the
    # initiator in each source found.
    r = stack.virsh("find-storage-pool-sources-as", "iscsi", host, port, "--initiator",
                    INITIATOR)
    ini = ["<initiator>", "  <iqn name='%s'/>" % INITIATOR, "</initiator>"]
    check_eq(r.stdout, sources(["<host name='%s' port='%s'/>" % (host, port),
                                "<device path='%s'/>" % IQN1] + ini,
                               ["<host name='%s' port='%s'/>" % (host, port),
                                "<device path='%s'/>" % IQN2] + ini) + "\n",
             "iscsi sources with an initiator")
    argvs = calls()
    disc = [a for a in argvs if a[:2] == ["--mode", "discovery"]]
    check_eq(len(disc), 1, "one discovery: %s" % argvs)
    check_in("--interface", disc[0], "discovery through an interface")
    iface = disc[0][disc[0].index("--interface") + 1]
    check(iface.startswith("modvirt-iface-"), "discovery through interface %s" % iface)
    check_eq(fake_nodes(), {}, "node records left behind")
    failed("iscsi", "invalid argument: hostname must be specified for iscsi sources",
           "find-storage-pool-sources-as", "iscsi")
    same("find-storage-pool-sources-as", "iscsi", host, port)


def test_errors():
    for kind in ("dir", "fs", "netfs", "disk"):
        failed(kind, "this function is not supported by the connection driver: pool type "
               "'%s' does not support source discovery" % kind, "find-storage-pool-sources",
               kind)
    failed("foo", "internal error: unknown storage pool type foo", "find-storage-pool-sources",
           "foo")
    bad = os.path.join(stack.root, "bad.xml")
    with open(bad, "w") as f:
        f.write("<source><host name='127.0.0.1'/><bogus/></source>\n")
    failed("iscsi-direct", "XML error: unknown element <bogus> in <source> of the pool",
           "find-storage-pool-sources", "iscsi-direct", bad)
    with open(bad, "w") as f:
        f.write("<pool/>\n")
    failed("iscsi-direct", "XML error: unexpected root element <pool>, expecting <source>",
           "find-storage-pool-sources", "iscsi-direct", bad)
    r = stack.virsh("find-storage-pool-sources", "logical", uri=stack.uri(kind="sock-ro"),
                    check_rc=1)
    check_in("read only access prevents virConnectFindStoragePoolSources", r.stderr)
    for args in (["find-storage-pool-sources", "dir"], ["find-storage-pool-sources", "foo"],
                 ["find-storage-pool-sources", "iscsi-direct", bad],
                 ["find-storage-pool-sources", "iscsi", "/nonexistent.xml"],
                 ["find-storage-pool-sources"]):
        same(*args)


if __name__ == "__main__":
    mvtest.main(globals(), setup=setup, teardown=teardown)
