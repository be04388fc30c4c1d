# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_qemu_argv: the command lines of the golden tests, run by QEMU 7.2.

For a representative set of tests/qemuxml2argvdata/*.xml, the builder is run
(through tests/qemuargvtool) with real host options: a listening QMP socket
passed as an fd, real image files (and loop devices for block disks), real
tap devices, free TCP ports, peers for the sockets QEMU connects to.  QEMU
must start (-S), stay up and answer query-status with "prelaunch" and
query-name with the domain's name; then it is killed.  This catches
options QEMU rejects, which the goldens alone cannot.

Paths under /fake/ in the inputs are moved into a private temporary
directory.  Every QEMU, loop device, tgtd and socket is cleaned up even when
a check fails.
"""

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from mvtest import BUILD, SOURCE, TestFailure, check, check_eq, check_in, main, require_tool  # noqa: E402

DATA = os.path.join(SOURCE, "tests", "qemuxml2argvdata")
TOOL = os.path.join(BUILD, "tests", "qemuargvtool")
QEMU = "qemu-system-x86_64"

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000


def free_port(lo=20000, hi=60000, family=socket.AF_INET):
    """A TCP port nobody listens on (in [lo, hi) when asked)."""
    for port in ([0] if (lo, hi) == (20000, 60000) else range(lo, hi)):
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", port))
            return s.getsockname()[1]
        except OSError:
            continue
        finally:
            s.close()
    raise TestFailure("no free TCP port in [%d, %d)" % (lo, hi))


class Qmp:
    """A minimal QMP client on a unix socket."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        greeting = self._read()
        check("QMP" in greeting, "no QMP greeting: %r" % greeting)
        self.call("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise TestFailure("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise TestFailure("QMP %s: %s" % (cmd, reply["error"]))
            return reply["return"]

    def close(self):
        self.sock.close()


class Run:
    """One golden input made real, and the QEMU started from it."""

    def __init__(self, name):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="mvqc-%s-" % name)
        self.fds = []          # fds passed to QEMU (monitor, taps)
        self.keep = []         # sockets and files held open (peers)
        self.loops = []
        self.proc = None
        self.log = os.path.join(self.tmp, "qemu.log")
        self.disks = []        # --disk specs
        self.host_cpu = None

    # ---- the environment ------------------------------------------------

    def xml(self):
        with open(os.path.join(DATA, self.name + ".xml")) as f:
            text = f.read()
        text = text.replace("/fake/", self.tmp + "/")
        # free ports instead of the fixed ones of the goldens
        text = re.sub(r"port='59(\d\d)'",
                      lambda m: "port='%d'" % free_port(5900, 6000), text)
        text = re.sub(r"websocket='(\d+)'", lambda m: "websocket='%d'" % free_port(), text)
        text = re.sub(r"service='(\d+)'", lambda m: "service='%d'" % free_port(), text)
        return text

    def make_file(self, path, size="1M", fmt="raw"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if fmt == "qcow2":
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, size], check=True)
        else:
            with open(path, "wb") as f:
                f.truncate(1474560 if size == "floppy" else 1 << 20)

    def make_loop(self, path):
        self.make_file(path + ".img")
        dev = subprocess.run(["losetup", "-f", "--show", path + ".img"], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.loops.append(dev)
        os.symlink(dev, path)

    def listen_unix(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(4)
        self.keep.append(s)

    def listen_tcp(self, host, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        s.listen(4)
        self.keep.append(s)

    def open_tap(self, idx):
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
        name = ("mvqc%d-%d" % (os.getpid() % 100000, idx)).encode()
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
        self.fds.append(fd)
        return fd

    def prepare(self, root):
        """Files, devices and peers for what the XML refers to."""
        devices = root.find("devices")
        for disk in devices.findall("disk"):
            src = disk.find("source")
            drv = disk.find("driver")
            fmt = drv.get("type") if drv is not None else "raw"
            if src is None:
                continue
            if src.get("file"):
                self.make_file(src.get("file"), "floppy" if disk.get("device") == "floppy"
                               else "1M", fmt)
            elif src.get("dev"):
                self.make_loop(src.get("dev"))
        for kind in ("serial", "channel", "console"):
            for chr_ in devices.findall(kind):
                src = chr_.find("source")
                if src is None:
                    continue
                mode = src.get("mode", "connect")
                if chr_.get("type") in ("file", "unix") and src.get("path"):
                    os.makedirs(os.path.dirname(src.get("path")), exist_ok=True)
                if chr_.get("type") == "unix" and mode == "connect" and src.get("path"):
                    self.listen_unix(src.get("path"))
                if chr_.get("type") == "tcp" and mode == "connect":
                    self.listen_tcp(src.get("host"), src.get("service"))
        for rng in devices.findall("rng"):
            be = rng.find("backend")
            if be is not None and be.get("model") == "egd":
                src = be.find("source")
                self.listen_tcp(src.get("host"), src.get("service"))
        for gr in devices.findall("graphics"):
            for listen in gr.findall("listen"):
                if listen.get("socket"):
                    os.makedirs(os.path.dirname(listen.get("socket")), exist_ok=True)

    # ---- QEMU ------------------------------------------------------------

    def build_argv(self):
        xml_path = os.path.join(self.tmp, self.name + ".xml")
        text = self.xml()
        with open(xml_path, "w") as f:
            f.write(text)
        root = ET.fromstring(text)
        self.prepare(root)
        mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.monitor = os.path.join(self.tmp, "monitor.sock")
        mon.bind(self.monitor)
        mon.listen(1)
        self.keep.append(mon)
        monfd = os.dup(mon.fileno())
        self.fds.append(monfd)
        cmd = [TOOL, "--monitor-fd", str(monfd), "--channel-dir", os.path.join(self.tmp, "channel")]
        if root.get("type") == "kvm":
            cmd += ["--host-cpu", "host,-arch-capabilities"]
        else:
            cmd += ["--host-cpu", "max"]
        for i, iface in enumerate(root.find("devices").findall("interface")):
            if iface.get("type") != "user":
                cmd += ["--tap", "%d=%d" % (i, self.open_tap(i))]
        for spec in self.disks:
            cmd += ["--disk", spec]
        cmd.append(xml_path)
        os.makedirs(os.path.join(self.tmp, "channel", "domain-1-" + root.findtext("name")[:20]),
                    exist_ok=True)
        res = subprocess.run(cmd, capture_output=True, timeout=30)
        if res.returncode != 0:
            raise TestFailure("qemuargvtool failed: %s" % res.stderr.decode())
        return [a.decode() for a in res.stdout.split(b"\0")[:-1]], root

    def start(self):
        argv, root = self.build_argv()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, pass_fds=self.fds, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        return root

    def qemu_output(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def check_running(self, root):
        """QEMU is up, paused before start, and is the domain we asked for."""
        qmp = None
        try:
            qmp = Qmp(self.monitor)
            status = qmp.call("query-status")
            check_eq(status.get("status"), "prelaunch", "%s: query-status" % self.name)
            check_eq(qmp.call("query-name").get("name"), root.findtext("name"),
                     "%s: query-name" % self.name)
            time.sleep(0.2)
            check(self.proc.poll() is None, "QEMU exited")
            return qmp
        except Exception as e:
            if qmp:
                qmp.close()
            raise TestFailure("%s: %s\nQEMU said:\n%s" % (self.name, e, self.qemu_output()))

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait(timeout=30)
        for fd in self.fds:
            os.close(fd)
        for s in self.keep:
            s.close()
        for dev in self.loops:
            subprocess.run(["losetup", "-d", dev], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_case(name, disks=(), then=None):
    require_tool(QEMU)
    require_tool("qemu-img")
    check(os.access(TOOL, os.X_OK), "%s is not built" % TOOL)
    run = Run(name)
    try:
        run.disks = list(disks)
        root = run.start()
        qmp = run.check_running(root)
        try:
            if then:
                then(run, qmp)
        finally:
            qmp.close()
    finally:
        run.cleanup()


def make_test(name):
    def test():
        run_case(name)
    test.__name__ = "test_" + name.replace("-", "_")
    return test


# Everything that needs nothing outside this machine.
LOCAL_CASES = [
    "minimal", "minimal-kvm", "minimal-q35", "name-comma", "monitor-path", "machine-features",
    "cpu-custom", "cpu-host-passthrough", "cpu-host-model-tcg", "cpu-maximum",
    "cpu-maximum-kvm", "cpu-topology", "clock-localtime", "clock-variable", "clock-timers-kvm",
    "lifecycle", "boot-os-order", "boot-per-device", "disk-ide", "disk-sata-q35", "disk-sata-pc",
    "disk-scsi", "disk-floppy", "disk-floppy-q35", "disk-cache", "disk-block", "disk-usb",
    "controller-usb-ich9", "controller-usb-none", "controller-virtio-serial", "pci-addresses",
    "pci-bridge", "q35-root-ports", "net-all", "chardev-serial", "chardev-virtio", "console-pty",
    "input-all", "graphics-vnc", "graphics-vnc-autoport", "graphics-vnc-socket",
    "graphics-vnc-ipv6", "video-qxl-virtio", "video-vga", "video-bochs", "video-none",
    "memballoon", "rng-all", "pm-pc", "pm-q35", "graphics-vnc-audio",
]

for _case in LOCAL_CASES:
    globals()["test_" + _case.replace("-", "_")] = make_test(_case)


def test_boot_kernel_runs_guest():
    """-kernel/-initrd/-append and the file serial port: the test guest
    boots under TCG and prints its banner into the serial log."""
    guest = os.path.join(BUILD, "tests", "guest")
    res = subprocess.run(["sh", os.path.join(SOURCE, "tests", "guest", "build-guest.sh"), guest],
                         capture_output=True, text=True, timeout=300)
    check(res.returncode == 0, "build-guest.sh failed: %s" % res.stderr)

    def boot(run, qmp):
        qmp.call("cont")
        console = os.path.join(run.tmp, "logs", "kernel-console.log")

        def booted():
            try:
                with open(console, errors="replace") as f:
                    return "MVGUEST BOOTED" in f.read()
            except OSError:
                return False
        end = time.monotonic() + 120
        while time.monotonic() < end and not booted():
            check(run.proc.poll() is None, "QEMU exited: %s" % run.qemu_output())
            time.sleep(0.5)
        check(booted(), "no banner on the serial port; console:\n%s" %
              (open(console, errors="replace").read()[-2000:] if os.path.exists(console) else ""))

    orig_prepare = Run.prepare

    def prepare(self, root):
        orig_prepare(self, root)
        os.makedirs(os.path.join(self.tmp, "boot"), exist_ok=True)
        os.symlink(os.path.join(guest, "vmlinuz"), os.path.join(self.tmp, "boot", "vmlinuz"))
        os.symlink(os.path.join(guest, "initrd.gz"), os.path.join(self.tmp, "boot", "initrd.img"))
        os.makedirs(os.path.join(self.tmp, "logs"), exist_ok=True)
    Run.prepare = prepare
    try:
        run_case("boot-kernel", then=boot)
    finally:
        Run.prepare = orig_prepare


class Tgtd:
    """A private tgtd on loopback with two targets: LUN 1 of target1 open,
    LUN 2 of target2 behind CHAP."""

    def __init__(self, tmp):
        require_tool("tgtd")
        require_tool("tgtadm")
        self.tmp = tmp
        self.port = free_port()
        self.ctl = 100 + os.getpid() % 800
        self.proc = subprocess.Popen(["tgtd", "-f", "-C", str(self.ctl), "--iscsi",
                                      "portal=127.0.0.1:%d" % self.port],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        end = time.monotonic() + 10
        while not os.path.exists("/var/run/tgtd/socket.%d" % self.ctl):
            check(time.monotonic() < end and self.proc.poll() is None, "tgtd did not start")
            time.sleep(0.1)
        time.sleep(0.3)

    def adm(self, *args):
        res = subprocess.run(["tgtadm", "-C", str(self.ctl), "--lld", "iscsi"] + list(args),
                             capture_output=True, text=True, timeout=30)
        check(res.returncode == 0, "tgtadm %s: %s" % (" ".join(args), res.stderr))

    def setup(self):
        for tid, lun in ((1, 1), (2, 2)):
            img = os.path.join(self.tmp, "lun%d.img" % lun)
            with open(img, "wb") as f:
                f.truncate(8 << 20)
            self.adm("--op", "new", "--mode", "target", "--tid", str(tid), "-T",
                     "iqn.2026-11.org.example:mvqc%d.target%d" % (os.getpid(), tid))
            self.adm("--op", "new", "--mode", "logicalunit", "--tid", str(tid), "--lun", str(lun),
                     "-b", img)
            self.adm("--op", "bind", "--mode", "target", "--tid", str(tid), "-I", "ALL")
        self.adm("--op", "new", "--mode", "account", "--user", "fzuser",
                 "--password", "fzsecret12345")
        self.adm("--op", "bind", "--mode", "account", "--tid", "2", "--user", "fzuser")

    def stop(self):
        subprocess.run(["tgtadm", "-C", str(self.ctl), "--op", "update", "--mode", "sys",
                        "--name", "State", "-v", "offline"], capture_output=True)
        subprocess.run(["tgtadm", "-C", str(self.ctl), "--op", "delete", "--mode", "system"],
                       capture_output=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for suffix in ("", ".lock"):
            try:
                os.unlink("/var/run/tgtd/socket.%d%s" % (self.ctl, suffix))
            except OSError:
                pass


def test_disk_volume_iscsi():
    """Translated volume disks: a file, a block device, an iSCSI LUN and an
    iSCSI LUN behind CHAP (-object secret) served by a private tgtd."""
    tmp = tempfile.mkdtemp(prefix="mvqc-tgt-")
    tgt = None
    try:
        tgt = Tgtd(tmp)
        tgt.setup()
        secret = os.path.join(tmp, "chap.key")
        with open(secret, "w") as f:
            f.write("fzsecret12345")
        img = os.path.join(tmp, "vol.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, "1M"], check=True)
        raw = os.path.join(tmp, "lv0.img")
        with open(raw, "wb") as f:
            f.truncate(1 << 20)
        loop = subprocess.run(["losetup", "-f", "--show", raw], check=True, capture_output=True,
                              text=True).stdout.strip()
        prefix = "iscsi:127.0.0.1:%d/iqn.2026-11.org.example:mvqc%d" % (tgt.port, os.getpid())
        try:
            def blocks(run, qmp):
                nodes = {n["node-name"]: n for n in qmp.call("query-named-block-nodes")}
                for i in range(1, 5):
                    check_in("libvirt-%d-format" % i, nodes, "block nodes")
                check_eq(nodes["libvirt-2-storage"]["drv"], "iscsi", "vdc driver")
                check_eq(nodes["libvirt-1-storage"]["drv"], "iscsi", "sda driver")
            run_case("disk-volume", disks=[
                "0=file:" + img, "1=block:" + loop,
                "2=%s.target1/1,initiator=iqn.2026-11.org.example:mvqc" % prefix,
                "3=%s.target2/2,user=fzuser,secret=%s" % (prefix, secret)], then=blocks)
        finally:
            subprocess.run(["losetup", "-d", loop], capture_output=True)
    finally:
        if tgt:
            tgt.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_disk_volume_iscsi_bad_password():
    """The CHAP secret really is used: a wrong one makes QEMU fail."""
    tmp = tempfile.mkdtemp(prefix="mvqc-tgt-")
    tgt = None
    try:
        tgt = Tgtd(tmp)
        tgt.setup()
        secret = os.path.join(tmp, "wrong.key")
        with open(secret, "w") as f:
            f.write("not-the-password")
        prefix = "iscsi:127.0.0.1:%d/iqn.2026-11.org.example:mvqc%d" % (tgt.port, os.getpid())
        run = Run("disk-volume")
        img = os.path.join(tmp, "vol.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, "1M"], check=True)
        run.disks = ["0=file:" + img, "1=file:" + img,
                     "2=%s.target1/1" % prefix,
                     "3=%s.target2/2,user=fzuser,secret=%s" % (prefix, secret)]
        try:
            run.start()
            rc = run.proc.wait(timeout=60)
            check(rc != 0, "QEMU started with a wrong CHAP password")
        finally:
            run.cleanup()
    finally:
        if tgt:
            tgt.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(globals())
