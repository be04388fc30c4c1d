# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvqemud's first capabilities probe never stalls its other clients, and
a daemon killed while it probes leaves nothing behind.

On a fresh root mvqemud probes every qemu-system binary over QMP in the
background (a second or more).  CONNECT_GET_VERSION needs that answer; it
is otherwise an inline call, run on the I/O thread.  While the probe runs
it is handed to a worker instead, so one client waiting for the version
does not stop the daemon from answering another one's cheap calls.
"""

import glob
import os
import signal
import time

import mvguest
import mvtest
from mvtest import check, check_eq

CLIENT = r'''
import libvirt, sys, threading, time
uri = sys.argv[1]
a = libvirt.open(uri)
b = libvirt.open(uri)
res = {}

def version():
    t0 = time.monotonic()
    v = a.getVersion()
    res["a"] = (time.monotonic() - t0, v)

th = threading.Thread(target=version)
th.start()
lat = []
while th.is_alive():
    t0 = time.monotonic()
    b.getHostname()
    lat.append(time.monotonic() - t0)
    time.sleep(0.01)
th.join()
took, v = res["a"]
print(v, took, len(lat), max(lat) if lat else -1.0)
'''


def test_version_during_first_probe():
    with mvtest.Stack(name="mv-probe") as s:
        s.start("mvqemud")
        out = s.python(CLIENT, s.uri("mvqemud")).stdout.split()
        version, took, calls, worst = int(out[0]), float(out[1]), int(out[2]), float(out[3])
        check(version >= 7000000, "hypervisor version %d" % version)
        check(took >= 0.3, "getVersion took %.3fs: the probe was not running, nothing shown"
              % took)
        check(calls >= 5, "only %d getHostname calls answered during the %.2fs getVersion"
              % (calls, took))
        check(worst < min(1.0, took / 2),
              "a getHostname call took %.3fs while getVersion waited %.3fs" % (worst, took))
        # Once probed, the version is answered inline, the same.
        again = s.python("import libvirt, sys; print(libvirt.open(sys.argv[1]).getVersion())",
                         s.uri("mvqemud")).stdout.strip()
        check_eq(int(again), version, "version after the probe")


def test_version_not_held_by_another_emulator():
    """getVersion answers with the host's emulator: a probe of another
    architecture's emulator that hangs (a fake qemu-system-aarch64 that
    never opens its monitor) does not hold it up, nor a start."""
    with mvtest.Stack(name="mv-probeh") as s:
        bindir = os.path.join(s.root, "qemu-bin")
        os.makedirs(bindir)
        os.symlink("/usr/bin/qemu-system-x86_64", os.path.join(bindir, "qemu-system-x86_64"))
        fake = os.path.join(bindir, "qemu-system-aarch64")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nexec sleep 60\n")
        os.chmod(fake, 0o755)
        s.env["MODVIRT_QEMU_PATH"] = bindir
        s.start("mvqemud")
        t0 = time.monotonic()
        out = s.python("import libvirt, sys; print(libvirt.open(sys.argv[1]).getVersion())",
                       s.uri("mvqemud")).stdout.strip()
        took = time.monotonic() - t0
        check(int(out) >= 7000000, "hypervisor version %s" % out)
        hung = [p for p in _children(s.pid_of("mvqemud")) if "sleep" in _comm(p)]
        check(took < 12, "getVersion took %.1fs: it waited for the hung probe" % took)
        check(hung, "the fake aarch64 probe is not running: nothing shown")
        # A domain of the host's architecture starts meanwhile.
        path = os.path.join(s.root, "d.xml")
        with open(path, "w") as f:
            f.write(mvguest.idle("mvt-probeh", virt_type="kvm"))
        s.virsh("define", path, uri=s.uri("mvqemud"))
        s.virsh("start", "mvt-probeh", uri=s.uri("mvqemud"))
        check(any("sleep" in _comm(p) for p in _children(s.pid_of("mvqemud"))),
              "the fake probe ended before the start: nothing shown")
        s.virsh("destroy", "mvt-probeh", uri=s.uri("mvqemud"))


def _comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def _children(ppid):
    """pids of the live processes whose parent is @ppid."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == ppid and fields[0] != "Z":
            out.append(int(stat.split("/")[2]))
    return out


def test_killed_while_probing():
    """kill -9 mvqemud while its probe QEMU runs: that QEMU dies with it
    (it would otherwise wait on its QMP socket forever), and the next
    daemon removes the probe's directory."""
    with mvtest.Stack(name="mv-probek") as s:
        killed = 0
        for _ in range(3):
            p = s.start("mvqemud", wait=False)
            qemus = []
            mvtest.wait_for(lambda: p.poll() is not None or _children(p.pid), timeout=20,
                            what="a probe QEMU")
            qemus = _children(p.pid)
            if not qemus:
                break
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            killed += 1
            for q in qemus:
                mvtest.wait_for(lambda: not mvtest.pid_alive(q), timeout=5,
                                what="probe QEMU %d to die with its daemon" % q)
        check(killed > 0, "never caught mvqemud probing")
        work = os.path.join(s.root, "session", "cache", "modvirt", "qemu")
        s.start("mvqemud")
        s.python("import libvirt, sys; libvirt.open(sys.argv[1]).getVersion()", s.uri("mvqemud"))
        # getVersion needs the host's emulator only: the interrupted probe
        # may be another one's, done (and swept) a moment later.
        left = lambda: [d for d in os.listdir(work) if d.startswith("probe-")]
        mvtest.wait_for(lambda: not left(), timeout=60,
                        what="no probe directory left in " + work)


def test_sigterm_while_probing():
    """SIGTERM during the first probe: the daemon exits cleanly without
    waiting for the probe (its QEMU is killed), much faster than a probe."""
    with mvtest.Stack(name="mv-probet") as s:
        s.start("mvqemud")
        t0 = time.monotonic()
        s.python("import libvirt, sys; libvirt.open(sys.argv[1]).getVersion()", s.uri("mvqemud"))
        probe = time.monotonic() - t0
    with mvtest.Stack(name="mv-probet") as s:
        p = s.start("mvqemud", wait=False)
        mvtest.wait_for(lambda: p.poll() is not None or _children(p.pid), timeout=20,
                        what="a probe QEMU")
        qemus = _children(p.pid)
        check(qemus, "mvqemud exited before probing")
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        check_eq(p.wait(timeout=30), 0, "exit status")
        took = time.monotonic() - t0
        for q in qemus:
            mvtest.wait_for(lambda: not mvtest.pid_alive(q), timeout=5, what="probe QEMU gone")
        check(took < probe / 2, "SIGTERM took %.2fs to stop mvqemud; a whole probe takes %.2fs"
              % (took, probe))


if __name__ == "__main__":
    mvtest.main(globals())
