# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stock virsh and python3-libvirt against mvqemud, through the proxy:
domcapabilities and the guest part of capabilities come from the QMP probe
of the real qemu-system-x86_64, cached on disk across daemon restarts."""

import glob
import signal
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import mvtest
from mvtest import check, check_eq, check_in

QEMU = "/usr/bin/qemu-system-x86_64"


def _qemu_version():
    mvtest.require_tool("qemu-system-x86_64")
    out = subprocess.run([QEMU, "--version"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    check(m is not None, "cannot parse %r" % out)
    return tuple(int(x) for x in m.groups())


def _machine_help():
    """The machine names (aliases included) qemu lists, 'none' aside."""
    out = subprocess.run([QEMU, "-machine", "help"], capture_output=True, text=True,
                         check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        words = line.split()
        if words and words[0] != "none":
            names.add(words[0])
    return names


def _kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def _cache_files(stack):
    return sorted(glob.glob(os.path.join(stack.root, "**", "qemu", "capabilities", "*.json"),
                            recursive=True))


def _check_default_domcaps(xml):
    major, minor, _ = _qemu_version()
    doc = ET.fromstring(xml)
    check_eq(doc.findtext("path"), QEMU, "path")
    check_eq(doc.findtext("domain"), "kvm" if _kvm_usable() else "qemu", "domain")
    check_eq(doc.findtext("machine"), "pc-i440fx-%d.%d" % (major, minor), "default machine")
    check_eq(doc.findtext("arch"), "x86_64", "arch")
    check_eq(doc.find("vcpu").get("max"), "255", "vcpu max")
    modes = {m.get("name"): m for m in doc.findall("cpu/mode")}
    check_eq(modes["custom"].get("supported"), "yes", "custom mode")
    models = [m.text for m in modes["custom"].findall("model")]
    check("qemu64" in models and "Skylake-Client" in models, "cpu models: %s" % models[:10])
    check("host" not in models and "max" not in models, "host/max listed as models")
    if _kvm_usable():
        check_eq(modes["host-passthrough"].get("supported"), "yes", "host-passthrough")
        check_eq(modes["host-model"].get("supported"), "yes", "host-model")
        check(modes["host-model"].findtext("model") in models, "host-model is a known model")
    disk_buses = [v.text for v in doc.findall("devices/disk/enum[@name='bus']/value")]
    check("virtio" in disk_buses and "ide" in disk_buses, "disk buses %s" % disk_buses)
    check_eq(doc.find("devices/hostdev").get("supported"), "no", "hostdev")
    check_in("vga", [v.text for v in doc.findall("devices/video/enum/value")], "video models")


def test_domcapabilities():
    with mvtest.Stack(name="mv-domcaps") as s:
        s.start("mvproxyd")
        r = s.virsh("domcapabilities", timeout=120)
        _check_default_domcaps(r.stdout)

        # TCG on q35: the machine resolves to its canonical name; no passthrough.
        r = s.virsh("domcapabilities", "--virttype", "qemu", "--machine", "q35")
        doc = ET.fromstring(r.stdout)
        check_eq(doc.findtext("domain"), "qemu", "domain")
        check(doc.findtext("machine").startswith("pc-q35-"), doc.findtext("machine"))
        modes = {m.get("name"): m.get("supported") for m in doc.findall("cpu/mode")}
        check_eq(modes["host-passthrough"], "no", "host-passthrough under TCG")
        check_eq(modes["maximum"], "yes", "maximum under TCG")

        # Explicit emulator and arch.
        r = s.virsh("domcapabilities", "--emulatorbin", QEMU, "--arch", "x86_64")
        check_in("<path>%s</path>" % QEMU, r.stdout)

        # What virsh reports for bad arguments.
        r = s.virsh("domcapabilities", "--machine", "no-such-machine", check_rc=1)
        check_in("the machine 'no-such-machine' is not supported", r.stderr)
        r = s.virsh("domcapabilities", "--virttype", "xen", check_rc=1)
        check_in("unknown virttype: xen", r.stderr)
        r = s.virsh("domcapabilities", "--arch", "s390x", check_rc=1)
        check_in("unable to find any emulator to serve 's390x' architecture", r.stderr)


def test_capabilities_guests():
    with mvtest.Stack(name="mv-domcaps") as s:
        s.start("mvproxyd")
        major, minor, micro = _qemu_version()
        r = s.virsh("version", timeout=120)
        check_in("Running hypervisor: QEMU %d.%d.%d" % (major, minor, micro), r.stdout)
        doc = ET.fromstring(s.virsh("capabilities").stdout)
        guests = [g for g in doc.findall("guest")
                  if g.find("arch").get("name") == "x86_64"
                  and g.findtext("arch/emulator") == QEMU]
        check_eq(len(guests), 1, "x86_64 guests")
        arch = guests[0].find("arch")
        machines = {m.text for m in arch.findall("machine")}
        check_eq(machines, _machine_help(), "machine types")
        pc = [m for m in arch.findall("machine") if m.text == "pc"][0]
        check_eq(pc.get("canonical"), "pc-i440fx-%d.%d" % (major, minor), "pc canonical")
        types = {d.get("type") for d in arch.findall("domain")}
        check("qemu" in types, "domain type qemu missing: %s" % types)
        if _kvm_usable():
            check("kvm" in types, "domain type kvm missing: %s" % types)


def test_python_and_cache_across_restart():
    with mvtest.Stack(name="mv-domcaps") as s:
        s.start("mvqemud")
        code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
print(c.getDomainCapabilities(None, "x86_64", "pc", "qemu", 0))
try:
    c.getDomainCapabilities(None, None, None, None, 0x80)
    print("unexpected success"); sys.exit(1)
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_INVALID_ARG, e.get_error_code()
c.close()
'''
        r = s.python(code, s.uri("mvqemud"))
        check_in("<domain>qemu</domain>", r.stdout)
        files = _cache_files(s)
        check(len(files) >= 1, "no capabilities cached under %s" % s.root)
        before = {f: os.stat(f).st_mtime_ns for f in files}

        # A restarted daemon reuses the cache: nothing is probed again.
        s.kill("mvqemud", signal.SIGTERM)
        s.start("mvqemud")
        r = s.virsh("domcapabilities", uri=s.uri("mvqemud"))
        _check_default_domcaps(r.stdout)
        check_eq({f: os.stat(f).st_mtime_ns for f in _cache_files(s)}, before, "cache files")


if __name__ == "__main__":
    mvtest.main(globals())
