# SPDX-License-Identifier: LGPL-2.1-or-later
"""Define-time defaults, <pm> and a CHAP iSCSI network disk, end to end.

The domain is what stock virt-install writes (--print-xml, asked of the
modvirt stack itself through the proxy): the tiny test guest's kernel under
TCG on virt-install's default machine (q35), its <pm> (S3 and S4 off), and
a <disk type='network'> on an iSCSI LUN of a private tgtd behind CHAP, whose
<auth> names a secret by usage (the secrets directory in libvirt's layout).
Through stock virsh and the proxy:
 - define: dumpxml --inactive shows what libvirt's QEMU driver fills in
   (canonical machine type, <emulator>, default devices, models, PCI and USB
   addresses) next to everything the user wrote; the file on disk is the
   same; defining the output again changes nothing;
 - start: the guest boots (its console answers); QEMU got the PCI addresses
   of the definition, -global ICH9-LPC.disable_s3=1/disable_s4=1, and the
   CHAP password as a secret object reading a 0600 file in the domain's
   runtime directory, never on the command line; the LUN is open (its
   capacity in domstats);
 - destroy (the password file goes with the runtime directory), and the
   start refusals: a wrong password (QEMU cannot log in),
   a secret that does not exist (named in the error); undefine.
"""

import base64
import os
import re
import stat
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvguest  # noqa: E402
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402
from tgtdtarget import Tgtd  # noqa: E402

MIB = 1024 * 1024
NAME = "mvdd-vi"
IQN = "iqn.2026-11.org.example.mvdd:target1"
CHAP_USER, CHAP_PASSWORD = "mvdduser", "mvddsecret4321"
SECRET_UUID = "7c1e4d2a-5b3f-4a6e-8d90-1f2e3d4c5b6a"
SECRET_USAGE = "mvdd-chap"

stack = None
tgtd = None
secret_file = None


def secrets_dir():
    return os.path.join(stack.root, "session", "config", "modvirt", "secrets")


def write_secret(password):
    with open(os.path.join(secrets_dir(), SECRET_UUID + ".base64"), "w") as f:
        f.write(base64.b64encode(password.encode()).decode() + "\n")


def setup():
    global stack, tgtd
    mvtest.require_tool("virt-install")
    stack = mvtest.Stack(name="mvdd")
    tgtd = Tgtd(stack.root).start()
    tgtd.add_target(1, IQN, [8 * MIB], chap=(CHAP_USER, CHAP_PASSWORD))
    os.makedirs(secrets_dir())
    with open(os.path.join(secrets_dir(), SECRET_UUID + ".xml"), "w") as f:
        f.write("<secret ephemeral='no' private='yes'>\n  <uuid>%s</uuid>\n"
                "  <usage type='iscsi'>\n    <target>%s</target>\n  </usage>\n</secret>\n"
                % (SECRET_UUID, SECRET_USAGE))
    write_secret(CHAP_PASSWORD)
    stack.start_stack()


def teardown():
    try:
        if stack:
            for pid in stack.qemu_pids("mvdd-"):
                os.kill(pid, 9)
    finally:
        try:
            if tgtd:
                tgtd.stop()
        finally:
            if stack:
                stack.cleanup()


def virt_install_xml():
    """What virt-install writes for the guest, asked of the modvirt stack."""
    kernel, initrd = mvguest.build()
    disk = ("type=network,device=disk,source.protocol=iscsi,source.name=%s/1,"
            "source.host0.name=127.0.0.1,source.host0.port=%d,target.bus=virtio"
            % (IQN, tgtd.port))
    r = stack.run(["virt-install", "--connect", stack.uri(), "--print-xml", "--name", NAME,
                   "--uuid", mvguest.domain_uuid(NAME), "--virt-type", "qemu",
                   "--memory", "256", "--vcpus", "1", "--osinfo", "debian11", "--import",
                   "--boot", "kernel=%s,initrd=%s,kernel_args=console=ttyS0 quiet"
                   % (kernel, initrd),
                   "--network", "none", "--graphics", "none", "--console", "pty",
                   "--disk", disk,
                   "--xml", "./devices/disk/source/auth/@username=" + CHAP_USER,
                   "--xml", "./devices/disk/source/auth/secret/@type=iscsi",
                   "--xml", "./devices/disk/source/auth/secret/@usage=" + SECRET_USAGE],
                  timeout=120, check_rc=0)
    return r.stdout


def write(name, text):
    path = os.path.join(stack.root, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def inactive():
    return stack.virsh("dumpxml", "--inactive", NAME).stdout


def state():
    return stack.virsh("domstate", "--reason", NAME).stdout.strip()


def qemu_pid():
    pids = [p for p, n in stack.qemu_pids("mvdd-").items() if n == NAME]
    check_eq(len(pids), 1, "QEMU processes of " + NAME)
    return pids[0]


def pci_addresses(root):
    """(device kind, its id in the XML, bus, slot, function) of every PCI address."""
    found = []
    for dev in root.find("devices"):
        a = dev.find("address")
        if a is None or a.get("type") != "pci":
            continue
        found.append((dev.tag, int(a.get("bus"), 16), int(a.get("slot"), 16),
                      int(a.get("function"), 16)))
    return found


def test_define_fills_defaults():
    xml = virt_install_xml()
    # what virt-install wrote, the test's premise
    for want in ("<pm>", '<suspend-to-mem enabled="no"/>', '<suspend-to-disk enabled="no"/>',
                 'machine="q35"', '<auth username="%s">' % CHAP_USER,
                 '<secret type="iscsi" usage="%s"/>' % SECRET_USAGE):
        check_in(want, xml, "virt-install's XML")
    stack.virsh("define", write(NAME + ".xml", xml))
    out = inactive()
    root = ET.fromstring(out)
    # the user's: <pm>, the network disk and its authentication
    for want in ("<suspend-to-mem enabled='no'/>", "<suspend-to-disk enabled='no'/>",
                 "<source protocol='iscsi' name='%s/1'>" % IQN,
                 "<host name='127.0.0.1' port='%d'/>" % tgtd.port,
                 "<auth username='%s'>" % CHAP_USER,
                 "<secret type='iscsi' usage='%s'/>" % SECRET_USAGE,
                 "<cmdline>console=ttyS0 quiet</cmdline>",
                 "<target type='virtio' name='org.qemu.guest_agent.0'/>"):
        check_in(want, out, "dumpxml --inactive")
    # the driver's
    for want in ("machine='pc-q35-7.2'", "<emulator>/usr/bin/qemu-system-x86_64</emulator>",
                 "<controller type='sata' index='0'>\n      <address type='pci' "
                 "domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>",
                 "<controller type='pci' index='0' model='pcie-root'/>",
                 "<driver name='qemu' type='raw'/>",
                 "<input type='mouse' bus='ps2'/>", "<input type='keyboard' bus='ps2'/>",
                 "<audio id='1' type='none'/>",
                 "<target type='isa-serial' port='0'>\n        <model name='isa-serial'/>",
                 "<address type='virtio-serial' controller='0' bus='0' port='1'/>"):
        check_in(want, out, "dumpxml --inactive")
    check_eq(root.find("os/type").get("arch"), "x86_64", "arch")
    check_eq(root.find("devices/memballoon").get("model"), "virtio", "memballoon")
    # every PCI device has its address, each a different one
    kinds = {"controller", "disk", "memballoon", "rng"}
    addrs = pci_addresses(root)
    for dev in root.find("devices"):
        if dev.tag in kinds and dev.get("model") not in ("pcie-root",) and \
                dev.get("type") not in ("sata",):
            check(dev.find("address") is not None,
                  "<%s %s> has no address:\n%s" % (dev.tag, dev.attrib, out))
    slots = [a[1:] for a in addrs]
    check_eq(len(slots), len(set(slots)), "distinct PCI addresses")
    # persisted as shown, and a fixed point
    with open(os.path.join(stack.root, "session", "config", "modvirt", "qemu",
                           NAME + ".xml")) as f:
        on_disk = f.read()
    for line in ("machine='pc-q35-7.2'", "<audio id='1' type='none'/>"):
        check_in(line, on_disk, "the definition on disk")
    stack.virsh("define", write(NAME + "-again.xml", out))
    check_eq(inactive(), out, "dumpxml --inactive after defining its own output")


def test_start_runs_guest():
    out = inactive()
    stack.virsh("start", NAME)
    check_eq(state(), "running (booted)", "state after start")
    conn = mvguest.connect(stack.uri())
    try:
        mvguest.wait_ready(conn, NAME)
    finally:
        conn.close()
    pid = qemu_pid()
    argv = mvtest.qemu_argv(pid)
    joined = " ".join(argv)
    for want in ("ICH9-LPC.disable_s3=1", "ICH9-LPC.disable_s4=1"):
        check_in(want, argv, "QEMU's -global options")
    check(CHAP_PASSWORD not in joined, "the CHAP password is on QEMU's command line")
    # the PCI addresses of the definition, as the builder gave them
    for tag, bus, slot, fn in pci_addresses(ET.fromstring(out)):
        if bus != 0 or (slot, fn) in ((0x1f, 2),):
            continue
        addr = '"addr":"0x%x"' % slot if fn == 0 else '"addr":"0x%x.0x%x"' % (slot, fn)
        check_in(addr, joined, "QEMU's devices (%s at %02x.%x)" % (tag, slot, fn))
    # the secret object and its file
    objs = [argv[i + 1] for i, a in enumerate(argv) if a == "-object" and "secret" in argv[i + 1]]
    check_eq(len(objs), 1, "secret objects: %s" % objs)
    global secret_file
    path = secret_file = re.search(r'"file":"([^"]+)"', objs[0]).group(1)
    check(path.startswith(stack.root), "secret file outside the private tree: " + path)
    st = os.stat(path)
    check_eq(stat.S_IMODE(st.st_mode), 0o600, "mode of " + path)
    with open(path) as f:
        check_eq(f.read(), CHAP_PASSWORD, "content of " + path)
    iscsi = [argv[i + 1] for i, a in enumerate(argv)
             if a == "-blockdev" and '"driver":"iscsi"' in argv[i + 1]]
    check_eq(len(iscsi), 1, "iscsi block nodes")
    check_in('"user":"%s"' % CHAP_USER, iscsi[0], "the iscsi node")
    check_in('"password-secret":', iscsi[0], "the iscsi node")
    # the LUN is open: its size, read over iSCSI
    stats = stack.virsh("domstats", "--block", NAME).stdout
    check_in("block.0.capacity=%d" % (8 * MIB), stats, "domstats --block")
    check_eq(inactive(), out, "dumpxml --inactive while running")


def test_destroy():
    stack.virsh("destroy", NAME)
    check_eq(state(), "shut off (destroyed)", "state after destroy")
    check_eq(stack.qemu_pids("mvdd-"), {}, "QEMUs left")
    check(secret_file and not os.path.exists(secret_file),
          "the password file outlived the domain: %s" % secret_file)


def test_wrong_password_refused():
    write_secret("not-the-password")
    try:
        r = stack.virsh("start", NAME, check_rc=1, timeout=120)
        check(state().startswith("shut off"), "state after a refused start: " + state())
        check_in("Authentication failure", r.stderr, "error of a start with a bad password")
    finally:
        write_secret(CHAP_PASSWORD)
    check_eq(stack.qemu_pids("mvdd-"), {}, "QEMUs left")


def test_missing_secret_named():
    out = inactive()
    other = out.replace("usage='%s'" % SECRET_USAGE, "usage='mvdd-nosuch'")
    stack.virsh("define", write(NAME + "-nosecret.xml", other))
    r = stack.virsh("start", NAME, check_rc=1)
    check_in("no secret with usage 'mvdd-nosuch'", r.stderr, "start with an unknown secret")
    check(state().startswith("shut off"), "state: " + state())
    stack.virsh("define", write(NAME + "-back.xml", out))
    stack.virsh("start", NAME)
    check_eq(state(), "running (booted)", "state after start")
    stack.virsh("destroy", NAME)
    stack.virsh("undefine", NAME)
    r = stack.virsh("list", "--all", "--name")
    check(NAME not in r.stdout.split(), "still defined: " + r.stdout)


if __name__ == "__main__":
    mvtest.main(globals(), setup=setup, teardown=teardown)
