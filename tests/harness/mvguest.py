# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvguest: guests for the integration tests.

- tiny(): the tiny test guest of tests/guest (a Debian cloud kernel and a
  busybox initramfs, built once into the build tree and cached), run under
  TCG: it prints "MVGUEST BOOTED" on its pty serial console, answers each
  line with "mvguest echo: LINE" and powers off on the ACPI button.
- idle(): a domain with no OS at all (it sits in the firmware), enough for
  start / suspend / resume / destroy.
"""

import os
import pty
import select
import signal
import subprocess
import time
import uuid

import mvtest

GUEST_DIR = os.path.join(mvtest.SOURCE, "tests", "guest")
CACHE_DIR = os.path.join(mvtest.BUILD, "tests", "guest-cache")

BANNER = "MVGUEST BOOTED"
PROMPT = "mvguest> "


def build():
    """Build (or reuse) the tiny guest; returns (kernel, initrd)."""
    for tool in ("apt-get", "apt-cache", "dpkg-deb", "gzip"):
        mvtest.require_tool(tool)
    r = subprocess.run(["sh", os.path.join(GUEST_DIR, "build-guest.sh"), CACHE_DIR],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise mvtest.TestFailure("build-guest.sh failed (%d): %s%s"
                                 % (r.returncode, r.stdout, r.stderr))
    kernel = os.path.join(CACHE_DIR, "vmlinuz")
    initrd = os.path.join(CACHE_DIR, "initrd.gz")
    mvtest.check(os.path.getsize(kernel) > 1000000, "no kernel built")
    mvtest.check(os.path.getsize(initrd) > 100000, "no initramfs built")
    return os.path.abspath(kernel), os.path.abspath(initrd)


def tiny(name):
    """The tiny guest's domain XML (tests/guest/domain.xml)."""
    kernel, initrd = build()
    with open(os.path.join(GUEST_DIR, "domain.xml")) as f:
        xml = f.read()
    return (xml.replace("@NAME@", name).replace("@KERNEL@", kernel)
            .replace("@INITRD@", initrd))


def domain_uuid(name):
    """A uuid of the test domain @name: the same every time (a definition
    without one would get a new one, and redefining would then fail)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "modvirt-test:" + name))


def idle(name, virt_type="qemu"):
    """A domain without an OS: it runs SeaBIOS and nothing else."""
    return """<domain type='%s'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (virt_type, name, domain_uuid(name))


_event_loop = None


def connect(uri):
    """A python3-libvirt connection whose socket an event loop watches (in
    a thread of its own), as non-blocking streams need: without one, data
    is only read from the socket when a call is made."""
    import threading
    import libvirt
    global _event_loop
    if _event_loop is None:
        libvirt.virEventRegisterDefaultImpl()

        def run():
            while True:
                libvirt.virEventRunDefaultImpl()

        _event_loop = threading.Thread(target=run, daemon=True)
        _event_loop.start()
    return libvirt.open(uri)


def console_open(dom, dev=None, flags=0):
    """A non-blocking python3-libvirt console stream on @dom, whose
    connection came from connect()."""
    import libvirt
    st = dom.connect().newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(dev, st, flags)
    return st


def console_read(st, want, timeout=60.0, poke=None, poke_every=1.0):
    """Read @st until @want shows up; returns all text read.  While waiting,
    send @poke every @poke_every seconds (QEMU drops guest output until it
    notices, within a second, that the pty has a reader)."""
    text = ""
    end = time.monotonic() + timeout
    next_poke = time.monotonic()
    while want not in text:
        now = time.monotonic()
        if now > end:
            raise mvtest.TestFailure("console: %r not seen within %.0fs; got %r"
                                     % (want, timeout, text[-1500:]))
        if poke is not None and now >= next_poke:
            st.send(poke.encode())
            next_poke = now + poke_every
        data = st.recv(65536)
        if data == -2:
            time.sleep(0.05)
            continue
        if not data:
            raise mvtest.TestFailure("console: end of stream before %r; got %r"
                                     % (want, text[-1500:]))
        text += data.decode(errors="replace")
    return text


def wait_ready(conn, name, timeout=90.0):
    """Wait until the tiny guest @name answers on its console and has had
    the time to watch its power button; the console is closed again."""
    dom = conn.lookupByName(name)
    st = console_open(dom)
    try:
        console_read(st, "mvguest echo: ping", timeout=timeout, poke="ping\r")
    finally:
        try:
            st.finish()
        except Exception:
            st.abort()
    # The power button watcher starts with the shell loop; give it a moment
    # to find its device.
    time.sleep(2)


# ---- interactive console clients -------------------------------------------

CTRL_RBRACKET = b"\x1d"


class PtyClient:
    """A console client (virsh or mvsh) on a pty of its own."""

    def __init__(self, argv, env):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self.text = ""
        self.pos = 0             # what expect() matched so far
        self.status = None

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            data = b""
        if not data:
            return None
        self.text += data.decode(errors="replace")
        return True

    def expect(self, want, timeout=60.0, poke=None, poke_every=1.0):
        """Read until @want; send @poke now and then meanwhile (QEMU drops
        guest output until it sees the pty has a reader)."""
        end = time.monotonic() + timeout
        next_poke = time.monotonic()
        while self.text.find(want, self.pos) < 0:
            now = time.monotonic()
            if now > end:
                raise mvtest.TestFailure("%r not seen within %.0fs; got %r"
                                         % (want, timeout, self.text[-1500:]))
            if poke is not None and now >= next_poke:
                self.send(poke)
                next_poke = now + poke_every
            if self.read(0.1) is None:
                raise mvtest.TestFailure("client output ended before %r: %r"
                                         % (want, self.text[-1500:]))
        self.pos = self.text.find(want, self.pos) + len(want)
        return self.text

    def send(self, data):
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def wait(self, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
                while self.read(0) is True:
                    pass
                os.close(self.fd)
                return self.status
            self.read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise mvtest.TestFailure("client did not exit: %r" % self.text[-1500:])


def virsh_console(stack, uri, name, *opts):
    return PtyClient(["virsh", "-c", uri, "console"] + list(opts) + [name], stack.env)


def start_guest(stack, uri, name):
    path = os.path.join(stack.root, name + ".xml")
    with open(path, "w") as f:
        f.write(tiny(name))
    stack.virsh("define", path, uri=uri)
    stack.virsh("start", name, uri=uri)


def talk(client, line):
    """The guest answers: first make sure it runs its loop, then talk."""
    client.expect("mvguest echo: ping", timeout=90, poke="ping\r")
    client.send(line + "\r")
    client.expect("mvguest echo: " + line, timeout=30)
