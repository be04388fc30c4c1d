# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvqemud restarts without harming guests: kill -9 with three running
domains, one of whose QEMU dies while the daemon is down; and a daemon
killed at random points of define/start/destroy loops loses no definition
and orphans or duplicates no QEMU."""

import os
import random
import signal
import subprocess
import threading
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in


def _state(s, name, uri):
    return s.virsh("domstate", "--reason", name, uri=uri).stdout.strip()


def _define_idle(s, uri, names, start=False):
    """Define (and start) an idle KVM guest of each name, with virsh."""
    for n in names:
        path = os.path.join(s.root, n + ".xml")
        with open(path, "w") as f:
            f.write(mvguest.idle(n, virt_type="kvm"))
        s.virsh("define", path, uri=uri)
        if start:
            s.virsh("start", n, uri=uri)


def test_kill9_with_three_running():
    prefix = "mvt-rst-"
    names = [prefix + str(i) for i in range(3)]
    with mvtest.Stack(name="mv-rst") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        _define_idle(s, uri, names, start=True)
        before = s.qemu_pids(prefix)
        check_eq(sorted(before.values()), names, "QEMUs before the restart")
        ids = {n: s.virsh("domid", n, uri=uri).stdout.strip() for n in names}

        for round_ in range(3):
            s.kill("mvqemud", signal.SIGKILL)
            if round_ == 2:
                # One guest dies while nobody watches.
                victim = [p for p, n in before.items() if n == names[2]][0]
                os.kill(victim, signal.SIGKILL)
                mvtest.wait_for(lambda: not mvtest.pid_alive(victim), what="victim QEMU gone")
            s.start("mvqemud")
            alive = names if round_ < 2 else names[:2]
            for n in alive:
                check_eq(_state(s, n, uri), "running (booted)", "%s after restart %d" % (n, round_))
                check_eq(s.virsh("domid", n, uri=uri).stdout.strip(), ids[n], "id of " + n)
            now = s.qemu_pids(prefix)
            check_eq(sorted(now.values()), alive, "QEMUs after restart %d" % round_)
            for p, n in now.items():
                check(before.get(p) == n, "%s is served by a new QEMU (pid %d)" % (n, p))
        check_eq(_state(s, names[2], uri), "shut off (crashed)", "the killed guest")

        # Fully controllable after the restarts.
        for n in names[:2]:
            s.virsh("suspend", n, uri=uri)
            check_eq(_state(s, n, uri), "paused (user)", n)
            s.virsh("resume", n, uri=uri)
            check_in("<domain type='kvm' id='", s.virsh("dumpxml", n, uri=uri).stdout)
            s.virsh("destroy", n, uri=uri)
            check_eq(_state(s, n, uri), "shut off (destroyed)", n)
        check_eq(s.qemu_pids(prefix), {}, "QEMUs left")
        # The killed one starts again.
        s.virsh("start", names[2], uri=uri)
        s.virsh("destroy", names[2], uri=uri)


def test_monitor_after_immediate_restarts():
    """The daemon killed right after it started guests (or long after),
    and started again at once: it reconnects every monitor (QEMU takes one
    monitor client at a time, and the old one is only just gone) and each
    guest answers calls that need its monitor, served by the same QEMU."""
    prefix = "mvt-rim-"
    names = [prefix + str(i) for i in range(3)]
    code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
for n in sys.argv[2:]:
    d = c.lookupByName(n)
    d.suspend()
    d.resume()
print("ok")
'''
    with mvtest.Stack(name="mv-rim") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        _define_idle(s, uri, names, start=True)
        for round_ in range(12):
            if round_ % 2:
                # Guests started just before the kill, as well as old ones.
                for n in names:
                    s.virsh("destroy", n, uri=uri)
                    s.virsh("start", n, uri=uri)
            before = s.qemu_pids(prefix)
            mark = s.log_mark("mvqemud")
            s.kill("mvqemud", signal.SIGKILL)
            s.start("mvqemud")
            r = s.python(code, uri, *names)
            check_in("ok", r.stdout)
            log = s.log_since("mvqemud", mark)
            check("cannot reconnect" not in log and "cannot query its state" not in log,
                  "round %d: a monitor was not reconnected:\n%s" % (round_, log))
            check_eq(s.qemu_pids(prefix), before, "QEMUs after restart %d" % round_)
        for n in names:
            s.virsh("destroy", n, uri=uri)


def test_status_of_a_dotted_name():
    """A domain named like a temporary file ("x.xml.abcdef") keeps its
    status file over a restart: the guest stays known and running."""
    names = ["mvt-dot.xml.abcdef", "mvt-dot2.xml"]
    with mvtest.Stack(name="mv-dot") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        _define_idle(s, uri, names, start=True)
        pids = s.qemu_pids("mvt-dot")
        s.kill("mvqemud", signal.SIGKILL)
        s.start("mvqemud")
        for n in names:
            check_eq(_state(s, n, uri), "running (booted)", n)
        check_eq(s.qemu_pids("mvt-dot"), pids, "QEMUs")
        for n in names:
            s.virsh("destroy", n, uri=uri)


def test_destroy_right_after_restart():
    """Calls sent while the daemon reconnects wait for it instead of
    failing (libvirt 9.0 fails about 9% of them)."""
    prefix = "mvt-rds-"
    names = [prefix + str(i) for i in range(3)]
    with mvtest.Stack(name="mv-rds") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        _define_idle(s, uri, names)
        for round_ in range(4):
            for n in names:
                s.virsh("start", n, uri=uri)
            s.kill("mvqemud", signal.SIGKILL)
            s.start("mvqemud")
            code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
for n in sys.argv[2:]:
    c.lookupByName(n).destroy()
print("ok")
'''
            r = s.python(code, uri, *names)
            check_in("ok", r.stdout)
            for n in names:
                check_eq(_state(s, n, uri), "shut off (destroyed)", n)
        check_eq(s.qemu_pids(prefix), {}, "QEMUs left")


def test_destroy_before_the_reconnect_looks():
    """A destroy that signals QEMU before the restarted daemon's reconnect
    has looked at it (strace holds the reconnect's open of /proc/PID/stat
    back for 1.5 s): the reconnect finds QEMU gone by that destroy, which
    succeeds, and the domain is 'shut off (destroyed)', not crashed."""
    mvtest.require_tool("strace")
    name = "mvt-rdb-0"
    with mvtest.Stack(name="mv-rdb") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        _define_idle(s, uri, [name], start=True)
        qpid = list(s.qemu_pids(name))[0]
        s.kill("mvqemud", signal.SIGKILL)
        s.start("mvqemud", wrapper=["strace", "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null",
                                    "-e", "trace=openat", "-P", "/proc/%d/stat" % qpid,
                                    "-e", "inject=openat:delay_enter=1500000"])
        t0 = time.monotonic()
        r = s.python(r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
c.lookupByName(sys.argv[2]).destroy()
print("destroyed")
''', uri, name)
        check_in("destroyed", r.stdout)
        check(time.monotonic() - t0 > 1.0,
              "the destroy did not wait for the held-back reconnect: nothing shown")
        check_eq(_state(s, name, uri), "shut off (destroyed)", name)
        check(not mvtest.pid_alive(qpid), "QEMU %d still alive" % qpid)


def _crash_loop(s, uri, names, stop):
    code = r'''
import libvirt, sys, time
uri, xmldir = sys.argv[1], sys.argv[2]
names = sys.argv[3:]
def conn():
    while True:
        try:
            return libvirt.open(uri)
        except libvirt.libvirtError:
            time.sleep(0.02)
c = conn()
i = 0
while True:
    n = names[i % len(names)]
    i += 1
    try:
        d = c.defineXML(open("%s/%s.xml" % (xmldir, n)).read())
        if not d.isActive():
            d.create()
        d.destroy()
    except libvirt.libvirtError as e:
        try:
            c.close()
        except Exception:
            pass
        c = conn()
'''
    return subprocess.Popen(["/usr/bin/python3", "-c", code, uri, s.root] + names,
                            env=s.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_crash_safety():
    """Kill -9 mvqemud at random points of define/start/destroy loops, 50
    times; nothing is lost, half-written, orphaned or duplicated."""
    prefix = "mvt-crash-"
    names = [prefix + str(i) for i in range(3)]
    rng = random.Random(1658504)
    with mvtest.Stack(name="mv-crash") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        for n in names:
            with open(os.path.join(s.root, n + ".xml"), "w") as f:
                f.write(mvguest.idle(n, virt_type="kvm"))
        loop = _crash_loop(s, uri, names, None)
        try:
            for _ in range(50):
                time.sleep(rng.uniform(0.01, 0.25))
                s.kill("mvqemud", signal.SIGKILL)
                s.start("mvqemud")
        finally:
            loop.kill()
            loop.wait()
        # Let the reconnect threads finish, then restart once more cleanly.
        time.sleep(1)
        s.kill("mvqemud", signal.SIGKILL)
        s.start("mvqemud")
        time.sleep(1)

        confdir = os.path.join(s.root, "session", "config", "modvirt", "qemu")
        leftovers = [f for f in os.listdir(confdir) if ".xml." in f]
        check_eq(leftovers, [], "temporary files left in " + confdir)
        listed = s.virsh("list", "--all", "--name", uri=uri).stdout.split()
        defined = sorted(f[:-4] for f in os.listdir(confdir) if f.endswith(".xml"))
        check_eq(sorted(listed), defined, "domains listed against definitions on disk")
        for n in defined:
            # Every definition on disk is whole and the daemon agrees.
            s.virsh("dumpxml", "--inactive", n, uri=uri)
        qemus = s.qemu_pids(prefix)
        running = s.virsh("list", "--name", uri=uri).stdout.split()
        check_eq(sorted(qemus.values()), sorted(running),
                 "QEMUs on the host against running domains (no orphan, no duplicate)")
        for n in running:
            s.virsh("destroy", n, uri=uri)
        check_eq(s.qemu_pids(prefix), {}, "QEMUs left")


if __name__ == "__main__":
    mvtest.main(globals())
