# SPDX-License-Identifier: LGPL-2.1-or-later
"""Interfaces that really connect: the taps behind <interface type='bridge'>
and type='ethernet', seen from the host (ip link, sysfs) and through stock
virsh via the proxy (dumpxml, domiflist, domifstat, domstats), across a
kill -9 of mvqemud, and gone after destroy; a missing bridge or a
type='network' interface fails the start naming it and leaves nothing
behind.  With a TCG guest whose firmware boots from the network, the
guest's DHCP requests cross the tap onto the bridge and move the counters.

Each test makes its own bridge (mvbr + random suffix) and deletes it."""

import contextlib
import json
import os
import re
import secrets
import select
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import mvguest
import mvtest
from mvtest import check, check_eq, check_in

COUNTERS = ("rx_bytes", "rx_packets", "rx_errs", "rx_drop",
            "tx_bytes", "tx_packets", "tx_errs", "tx_drop")
# the guest's counter -> the tap's sysfs counter (a tap's tx is the guest's rx)
SYSFS = {"rx_bytes": "tx_bytes", "rx_packets": "tx_packets", "rx_errs": "tx_errors",
         "rx_drop": "tx_dropped", "tx_bytes": "rx_bytes", "tx_packets": "rx_packets",
         "tx_errs": "rx_errors", "tx_drop": "rx_dropped"}
DOMSTATS = {"rx_bytes": "rx.bytes", "rx_packets": "rx.pkts", "rx_errs": "rx.errs",
            "rx_drop": "rx.drop", "tx_bytes": "tx.bytes", "tx_packets": "tx.pkts",
            "tx_errs": "tx.errs", "tx_drop": "tx.drop"}


# ---- host side ------------------------------------------------------------------

def ip(*args, check_rc=True):
    mvtest.require_tool("ip")
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)
    if check_rc and r.returncode != 0:
        raise mvtest.TestFailure("ip %s: %s" % (" ".join(args), r.stderr))
    return r


def link(name):
    """`ip -d link show` of @name as a dict, or None if there is no such link."""
    r = ip("-j", "-d", "link", "show", "dev", name, check_rc=False)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)[0]


def sysfs(ifname, counter):
    with open("/sys/class/net/%s/statistics/%s" % (ifname, counter)) as f:
        return int(f.read())


def links_with_macs(macs):
    """Host links whose address is the tap form (fe:...) of one of @macs."""
    want = {"fe" + m[2:] for m in macs}
    found = json.loads(ip("-j", "link", "show").stdout)
    return sorted(l["ifname"] for l in found if l.get("address") in want)


def unique(prefix):
    return prefix + secrets.token_hex(4)


@contextlib.contextmanager
def bridge(mtu=None):
    name = unique("mvbr")
    ip("link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0")
    try:
        if mtu:
            ip("link", "set", name, "mtu", str(mtu))
        ip("link", "set", name, "up")
        yield name
    finally:
        ip("link", "del", name, check_rc=False)


# ---- domains ------------------------------------------------------------------------

def iface(kind, mac, source=None, model="virtio", target=None, extra=""):
    src = ""
    if kind == "bridge":
        src = "<source bridge='%s'/>" % source
    elif kind == "network":
        src = "<source network='%s'/>" % source
    return ("<interface type='%s'><mac address='%s'/>%s%s<model type='%s'/>%s</interface>"
            % (kind, mac, src, target or "", model, extra))


def domain_xml(name, ifaces, virt_type="kvm"):
    return mvguest.idle(name, virt_type=virt_type).replace(
        "</devices>", "\n".join(ifaces) + "\n  </devices>")


def define(s, name, ifaces, virt_type="kvm"):
    path = os.path.join(s.root, name + ".xml")
    with open(path, "w") as f:
        f.write(domain_xml(name, ifaces, virt_type))
    if name not in s.domains:
        s.domains.append(name)
    s.virsh("define", path)


def targets(xml):
    """[(type, mac, target dev or None)] of the interfaces of a domain XML."""
    out = []
    for i in ET.fromstring(xml).find("devices").findall("interface"):
        t = i.find("target")
        out.append((i.get("type"), i.find("mac").get("address"),
                    t.get("dev") if t is not None else None))
    return out


def domiflist(s, name):
    rows = {}
    for line in s.virsh("domiflist", name).stdout.splitlines()[2:]:
        f = line.split()
        if len(f) == 5:
            rows[f[4]] = {"ifname": f[0], "type": f[1], "source": f[2], "model": f[3]}
    return rows


def domifstat(s, name, dev):
    out = {}
    for line in s.virsh("domifstat", name, dev).stdout.splitlines():
        f = line.split()
        if len(f) == 3:
            out[f[1]] = int(f[2])
    return out


def domstats_net(s, name):
    out = {}
    for line in s.virsh("domstats", "--interface", name).stdout.splitlines():
        m = re.match(r"\s+net\.(\S+)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def check_counters(got, ifname, before, what):
    """@got (the guest's view) lies between the tap's counters read
    @before and now: the host may send it something meanwhile."""
    check_eq(sorted(got), sorted(COUNTERS), what + ": counters")
    for c in COUNTERS:
        now = sysfs(ifname, SYSFS[c])
        check(before[c] <= got[c] <= now,
              "%s: %s = %d, the tap says %d..%d" % (what, c, got[c], before[c], now))


def sysfs_view(ifname):
    return {c: sysfs(ifname, SYSFS[c]) for c in COUNTERS}


def daemon_tun_fds(pid):
    """fds of process @pid open on /dev/net/tun."""
    n = 0
    fddir = "/proc/%d/fd" % pid
    for fd in os.listdir(fddir):
        try:
            if os.readlink(os.path.join(fddir, fd)) == "/dev/net/tun":
                n += 1
        except OSError:
            pass
    return n


def check_tap(ifname, mac, master, mtu):
    l = link(ifname)
    check(l is not None, "tap %s does not exist" % ifname)
    check_eq(l["linkinfo"]["info_kind"], "tun", ifname + " kind")
    check_eq(l["linkinfo"]["info_data"]["type"], "tap", ifname + " tun type")
    check_eq(l["linkinfo"]["info_data"]["persist"], False, ifname + " persistent")
    check_in("UP", l["flags"], ifname + " flags")
    check_eq(l["address"], "fe" + mac[2:], ifname + " MAC")
    check_eq(l.get("master"), master, ifname + " master")
    check_eq(l["mtu"], mtu, ifname + " MTU")


@contextlib.contextmanager
def stack(name):
    """mvqemud and the proxy; virsh goes through the proxy.  QEMUs outlive
    the daemons: those of the domains define() made are killed at the end,
    so that a failed test leaves no guest (and no tap) behind."""
    with mvtest.Stack(name=name) as s:
        s.domains = []
        try:
            s.start("mvqemud")
            s.start("mvproxyd")
            yield s
        finally:
            for dom in s.domains:
                for pid in mvtest.qemu_pids(dom):
                    os.kill(pid, signal.SIGKILL)


# ---- tests ------------------------------------------------------------------------------

def test_bridge_and_ethernet():
    name = unique("mvt-if-")
    macs = ["52:54:00:%02x:%02x:01" % (secrets.randbelow(256), secrets.randbelow(256)),
            "52:54:00:%02x:%02x:02" % (secrets.randbelow(256), secrets.randbelow(256)),
            "52:54:00:%02x:%02x:03" % (secrets.randbelow(256), secrets.randbelow(256)),
            "52:54:00:%02x:%02x:04" % (secrets.randbelow(256), secrets.randbelow(256))]
    with bridge(mtu=1400) as br, stack("mv-if") as s:
        define(s, name, [iface("bridge", macs[0], br),
                         iface("user", macs[1], model="e1000e"),
                         iface("ethernet", macs[2], model="e1000e"),
                         iface("bridge", macs[3], br, extra="<mtu size='1300'/>")])
        s.virsh("start", name)
        live = targets(s.virsh("dumpxml", name).stdout)
        check_eq([(t, m) for t, m, _ in live],
                 [("bridge", macs[0]), ("user", macs[1]), ("ethernet", macs[2]),
                  ("bridge", macs[3])], "live interfaces")
        taps = [d for _, _, d in live]
        check(taps[1] is None, "the user interface has a target: %r" % taps)
        for t in (taps[0], taps[2], taps[3]):
            check(t and re.match(r"^vnet\d+$", t), "generated tap name %r" % t)
        check_eq(len({taps[0], taps[2], taps[3]}), 3, "distinct taps %r" % taps)
        check_eq([d for _, _, d in targets(s.virsh("dumpxml", "--inactive", name).stdout)],
                 [None] * 4, "inactive XML targets")

        # The host side.
        check_tap(taps[0], macs[0], br, 1400)            # the bridge's MTU
        check_tap(taps[2], macs[2], None, 1500)
        check_tap(taps[3], macs[3], br, 1300)            # <mtu>
        check_eq(link(br)["mtu"], 1400, "bridge MTU")
        pid = list(mvtest.qemu_pids(name))
        check_eq(len(pid), 1, "QEMUs of " + name)
        argv = " ".join(mvtest.qemu_argv(pid[0]))
        check_eq(len(re.findall(r"-netdev tap,fd=\d+,vhost=off", argv)), 3, "tap netdevs")
        check_in("-netdev user,id=hostnet1", argv)
        check_eq(daemon_tun_fds(s.pid_of("mvqemud")), 0, "tun fds left open in mvqemud")
        check_eq(daemon_tun_fds(pid[0]), 3, "tun fds of QEMU")

        # virsh's views.
        rows = domiflist(s, name)
        check_eq(rows[macs[0]], {"ifname": taps[0], "type": "bridge", "source": br,
                                 "model": "virtio"}, "domiflist bridge")
        check_eq(rows[macs[2]], {"ifname": taps[2], "type": "ethernet", "source": "-",
                                 "model": "e1000e"}, "domiflist ethernet")
        for dev in (taps[0], macs[2]):
            ifname = taps[0] if dev == taps[0] else taps[2]
            before = sysfs_view(ifname)
            check_counters(domifstat(s, name, dev), ifname, before, "domifstat " + dev)
        r = s.virsh("domifstat", name, "nosuchtap0", check_rc=1)
        check_in("'nosuchtap0' is not a known interface", r.stderr)
        r = s.virsh("domifstat", name, macs[1], check_rc=1)
        check_in("no host device", r.stderr)
        before = sysfs_view(taps[2])
        st = domstats_net(s, name)
        check_eq(st["count"], "4", "net.count")
        check_eq(st["2.name"], taps[2], "net.2.name")
        check_counters({c: int(st["2." + DOMSTATS[c]]) for c in COUNTERS}, taps[2], before,
                       "domstats net.2")

        # kill -9 mvqemud and back: the same taps, still counted.
        ifindex = {t: link(t)["ifindex"] for t in (taps[0], taps[2], taps[3])}
        s.kill("mvqemud", signal.SIGKILL)
        s.start("mvqemud")
        check_eq(list(mvtest.qemu_pids(name)), pid, "QEMU after the restart")
        check_eq([d for _, _, d in targets(s.virsh("dumpxml", name).stdout)], taps,
                 "taps after the restart")
        check_eq({t: link(t)["ifindex"] for t in ifindex}, ifindex, "tap ifindexes")
        check_tap(taps[0], macs[0], br, 1400)
        before = sysfs_view(taps[0])
        check_counters(domifstat(s, name, taps[0]), taps[0], before, "domifstat after restart")
        check_eq(domstats_net(s, name)["0.name"], taps[0], "net.0.name after restart")

        # Stopped: the taps are gone, the bridge has no ports left.
        s.virsh("destroy", name)
        for t in (taps[0], taps[2], taps[3]):
            mvtest.wait_for(lambda: link(t) is None, what="tap %s gone" % t)
        check_eq(json.loads(ip("-j", "link", "show", "master", br).stdout), [], "bridge ports")
        check_eq([d for _, _, d in targets(s.virsh("dumpxml", name).stdout)], [None] * 4,
                 "targets when shut off")

        # The freed names are not handed out again at once, even by a daemon
        # restarted meanwhile: it learnt them from the status XML.
        other = unique("mvt-if2-")
        mac2 = "52:54:00:%02x:%02x:05" % (secrets.randbelow(256), secrets.randbelow(256))
        define(s, other, [iface("bridge", mac2, br)])
        s.virsh("start", other)
        (_, _, tap2), = targets(s.virsh("dumpxml", other).stdout)
        check(int(tap2[4:]) > max(int(t[4:]) for t in taps if t),
              "new tap %s after %r" % (tap2, taps))
        check_tap(tap2, mac2, br, 1400)
        s.virsh("destroy", other)
        mvtest.wait_for(lambda: link(tap2) is None, what="tap %s gone" % tap2)
        r = s.virsh("domifstat", name, macs[0], check_rc=1)
        check_in("not running", r.stderr)
        # And again.
        s.virsh("start", name)
        check_tap(targets(s.virsh("dumpxml", name).stdout)[0][2], macs[0], br, 1400)
        s.virsh("destroy", name)
        check_eq(links_with_macs(macs), [], "taps left")


def test_user_named_taps():
    name = unique("mvt-ifn-")
    mine = unique("mvtap")
    theirs = unique("mvtap")
    mac = "52:54:00:%02x:%02x:11" % (secrets.randbelow(256), secrets.randbelow(256))
    mac2 = "52:54:00:%02x:%02x:12" % (secrets.randbelow(256), secrets.randbelow(256))
    with bridge() as br, stack("mv-ifn") as s:
        # A name of our own is kept, in the inactive XML too.
        define(s, name, [iface("bridge", mac, br, target="<target dev='%s'/>" % mine)])
        s.virsh("start", name)
        check_tap(mine, mac, br, 1500)
        check_eq(targets(s.virsh("dumpxml", "--inactive", name).stdout)[0][2], mine,
                 "inactive target")
        s.virsh("destroy", name)
        mvtest.wait_for(lambda: link(mine) is None, what="tap %s gone" % mine)

        # An existing device of that name is not taken over.
        ip("tuntap", "add", "dev", theirs, "mode", "tap")
        try:
            define(s, name, [iface("bridge", mac, br, target="<target dev='%s'/>" % theirs)])
            r = s.virsh("start", name, check_rc=1)
            check_in(theirs, r.stderr)
            check_in("already exists", r.stderr)
            check(link(theirs) is not None and link(theirs).get("master") is None,
                  "%s was touched" % theirs)

            # ... unless managed='no' says to use it as it is.
            define(s, name, [iface("ethernet", mac2,
                                   target="<target dev='%s' managed='no'/>" % theirs)])
            before = link(theirs)["address"]
            s.virsh("start", name)
            l = link(theirs)
            check_in("UP", l["flags"], theirs + " flags")
            check_eq(l["address"], before, theirs + " MAC (not ours to change)")
            check_eq(targets(s.virsh("dumpxml", name).stdout)[0][2], theirs, "live target")
            check_eq(targets(s.virsh("dumpxml", "--inactive", name).stdout)[0][2], theirs,
                     "inactive target")
            check_eq(domstats_net(s, name)["0.name"], theirs, "net.0.name")
            s.virsh("destroy", name)
            check(link(theirs) is not None, "the user's tap %s was deleted" % theirs)
        finally:
            ip("tuntap", "del", "dev", theirs, "mode", "tap", check_rc=False)

        # managed='no' and nothing there.
        r = s.virsh("start", name, check_rc=1)
        check_in("managed='no'", r.stderr)
        check_in(theirs, r.stderr)


def test_failed_starts_leave_nothing():
    name = unique("mvt-iff-")
    macs = ["52:54:00:%02x:%02x:2%d" % (secrets.randbelow(256), secrets.randbelow(256), i)
            for i in range(3)]
    missing = unique("mvbr")
    with bridge() as br, stack("mv-iff") as s:
        # The first taps exist by the time the missing bridge is found.
        define(s, name, [iface("ethernet", macs[0]), iface("bridge", macs[1], br),
                         iface("bridge", macs[2], missing)])
        r = s.virsh("start", name, check_rc=1)
        check_in("bridge '%s'" % missing, r.stderr)
        check_in("No such device", r.stderr)
        check_eq(links_with_macs(macs), [], "taps left")
        check_eq(json.loads(ip("-j", "link", "show", "master", br).stdout), [], "bridge ports")
        check_eq(mvtest.qemu_pids(name), {}, "QEMUs")
        check_in("shut off", s.virsh("domstate", name).stdout)

        # Something other than a bridge.
        define(s, name, [iface("bridge", macs[1], "lo")])
        r = s.virsh("start", name, check_rc=1)
        check_in("'lo' is not a bridge", r.stderr)

        # type='network': no network driver yet.
        define(s, name, [iface("ethernet", macs[0]), iface("network", macs[1], "default")])
        r = s.virsh("start", name, check_rc=1)
        check_in("Network not found", r.stderr)
        check_in("network 'default'", r.stderr)
        code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
try:
    c.lookupByName(sys.argv[2]).create()
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_domain())
'''
        r = s.python(code, s.uri(), name)
        check_eq(r.stdout.split(), ["43", "19"], "error code and domain (NO_NETWORK, NETWORK)")

        # Host-side addresses on an ethernet tap are refused, before QEMU.
        define(s, name, [iface("ethernet", macs[0],
                               extra="<ip address='192.0.2.1' prefix='24'/>")])
        r = s.virsh("start", name, check_rc=1)
        check_in("<ip>", r.stderr)

        check_eq(links_with_macs(macs), [], "taps left")
        check_eq(mvtest.qemu_pids(name), {}, "QEMUs")
        check_eq(daemon_tun_fds(s.pid_of("mvqemud")), 0, "tun fds left open in mvqemud")
        # The domain still starts once its interfaces are right.
        define(s, name, [iface("ethernet", macs[0]), iface("bridge", macs[1], br)])
        s.virsh("start", name)
        s.virsh("destroy", name)
        check_eq(links_with_macs(macs), [], "taps left after destroy")


def _frame_from(sock, mac, timeout):
    """The first IPv4 UDP frame to port 67 (DHCP) from @mac seen on @sock."""
    want = bytes.fromhex(mac.replace(":", ""))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], 0.5)
        if not r:
            continue
        frame = sock.recv(65536)
        if frame[6:12] == want and frame[12:14] == b"\x08\x00" and frame[23] == 17 and \
                frame[36:38] == b"\x00\x43":
            return frame
    raise mvtest.TestFailure("no DHCP request from %s on the bridge within %ds" % (mac, timeout))


def test_traffic_counters():
    """A TCG guest booting from the network: its firmware's DHCP requests
    reach the bridge through the tap, and count as the guest's tx."""
    name = unique("mvt-ift-")
    mac = "52:54:00:%02x:%02x:31" % (secrets.randbelow(256), secrets.randbelow(256))
    with bridge() as br, stack("mv-ift") as s:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        sock.bind((br, 0))
        try:
            define(s, name, [iface("bridge", mac, br, extra="<boot order='1'/>")],
                   virt_type="qemu")
            s.virsh("start", name)
            tap = targets(s.virsh("dumpxml", name).stdout)[0][2]
            frame = _frame_from(sock, mac, 90)
        finally:
            sock.close()
        st = mvtest.wait_for(lambda: (lambda d: d if d["tx_packets"] > 0 else None)(
            domifstat(s, name, tap)), what="guest tx counted")
        check(st["tx_bytes"] >= len(frame), "tx_bytes %d < one frame (%d)"
              % (st["tx_bytes"], len(frame)))
        net = domstats_net(s, name)
        check(int(net["0.tx.pkts"]) >= st["tx_packets"], "domstats tx.pkts %s < %d"
              % (net["0.tx.pkts"], st["tx_packets"]))
        check(int(net["0.tx.bytes"]) >= st["tx_bytes"], "domstats tx.bytes")
        s.virsh("destroy", name)
        mvtest.wait_for(lambda: link(tap) is None, what="tap %s gone" % tap)


if __name__ == "__main__":
    mvtest.main(globals())
