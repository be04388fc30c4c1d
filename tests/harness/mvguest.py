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
import subprocess

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


def idle(name, virt_type="qemu"):
    """A domain without an OS: it runs SeaBIOS and nothing else."""
    return """<domain type='%s'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (virt_type, name)


def console_open(dom, dev=None, flags=0):
    """A non-blocking python3-libvirt console stream on @dom."""
    import libvirt
    st = dom.connect().newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(dev, st, flags)
    return st


def console_read(st, want, timeout=60.0, poke=None, poke_every=1.0):
    """Read @st until @want shows up; returns all text read.  While waiting,
    send @poke every @poke_every seconds (QEMU drops guest output until it
    notices, within a second, that the pty has a reader)."""
    import time
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
    import time
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
