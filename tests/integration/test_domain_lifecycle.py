# SPDX-License-Identifier: LGPL-2.1-or-later
"""A domain's whole life with stock virsh through the proxy, and with
python3-libvirt with its events: define, start, inspect, suspend, resume,
reboot, shutdown (the tiny guest powers off on the ACPI button), start,
destroy, undefine - each step checked."""

import os
import re
import threading
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in


_loop = None


def connect(uri):
    """A python3-libvirt connection with an event loop running in a thread
    (non-blocking console streams need one)."""
    import libvirt
    global _loop
    if _loop is None:
        libvirt.virEventRegisterDefaultImpl()

        def run():
            while True:
                libvirt.virEventRunDefaultImpl()

        _loop = threading.Thread(target=run, daemon=True)
        _loop.start()
    return libvirt.open(uri)


def reboot_and_wait(conn, name):
    """Reboot the tiny guest and wait until it booted again: the banner shows
    once more on its console."""
    dom = conn.lookupByName(name)
    st = mvguest.console_open(dom)
    try:
        dom.reboot(0)
        mvguest.console_read(st, mvguest.BANNER, timeout=120)
    finally:
        try:
            st.finish()
        except Exception:
            st.abort()
    mvguest.wait_ready(conn, name)


def _state(s, name, uri=None):
    return s.virsh("domstate", "--reason", name, uri=uri).stdout.strip()


def _wait_state(s, name, want, timeout=60):
    mvtest.wait_for(lambda: _state(s, name) == want, timeout=timeout, interval=0.2,
                    what="%s to be %r (is %r)" % (name, want, _state(s, name)))


def test_virsh_through_proxy():
    name = "mvt-life-virsh"
    xml = mvguest.tiny(name)
    with mvtest.Stack(name="mv-life") as s:
        s.start("mvproxyd")
        path = os.path.join(s.root, "dom.xml")
        with open(path, "w") as f:
            f.write(xml)
        check_in("Domain '%s' defined" % name, s.virsh("define", path).stdout)
        check_in(name, s.virsh("list", "--all").stdout)
        check_eq(_state(s, name), "shut off (unknown)", "state after define")

        check_in("Domain '%s' started" % name, s.virsh("start", name).stdout)
        check_eq(_state(s, name), "running (booted)", "state after start")
        info = s.virsh("dominfo", name).stdout
        check(re.search(r"State:\s+running", info), "dominfo state: " + info)
        check(re.search(r"Persistent:\s+yes", info), "dominfo persistent: " + info)
        check(re.search(r"Max memory:\s+262144 KiB", info), "dominfo memory: " + info)
        # Statistics, all groups and the vcpu group alone (which goes to
        # the monitor for the vCPU threads).
        stats = s.virsh("domstats", name).stdout
        for field in ("state.state=1", "state.reason=1", "cpu.time=", "balloon.current=262144",
                      "vcpu.current=1", "vcpu.maximum=1", "vcpu.0.state=1", "vcpu.0.time=",
                      "net.count=0", "block.count="):
            check_in(field, stats, "domstats")
        stats = s.virsh("domstats", "--vcpu", name).stdout
        check_in("vcpu.0.time=", stats, "domstats --vcpu")
        check("state.state" not in stats, "domstats --vcpu shows the state group")
        live = s.virsh("dumpxml", name).stdout
        check(re.search(r"<domain type='qemu' id='\d+'>", live), "live XML id: " + live[:200])
        check(re.search(r"<source path='/dev/pts/\d+'/>", live), "pty path in live XML")
        inactive = s.virsh("dumpxml", "--inactive", name).stdout
        check("id=" not in inactive.splitlines()[0], "inactive XML has an id")
        check("/dev/pts/" not in inactive, "inactive XML shows a pty path")

        conn = connect(s.uri())
        mvguest.wait_ready(conn, name)

        s.virsh("suspend", name)
        check_eq(_state(s, name), "paused (user)", "state after suspend")
        s.virsh("resume", name)
        check_eq(_state(s, name), "running (unpaused)", "state after resume")

        # Reboot: an ACPI power-off the guest does, turned into a reset.
        st = mvguest.console_open(conn.lookupByName(name))
        check_in("is being rebooted", s.virsh("reboot", name).stdout)
        mvguest.console_read(st, mvguest.BANNER, timeout=120)
        st.finish()
        mvguest.wait_ready(conn, name)
        check_eq(_state(s, name).split()[0], "running", "state after reboot")

        # Shutdown: the guest powers off, QEMU stops, the domain is shut off.
        s.virsh("shutdown", name)
        _wait_state(s, name, "shut off (shutdown)", timeout=60)

        s.virsh("start", name)
        check_eq(_state(s, name), "running (booted)", "state after the second start")
        t0 = time.monotonic()
        check_in("Domain '%s' destroyed" % name, s.virsh("destroy", name).stdout)
        check(time.monotonic() - t0 < 5, "destroy took too long")
        check_eq(_state(s, name), "shut off (destroyed)", "state after destroy")

        check_in("Domain '%s' has been undefined" % name, s.virsh("undefine", name).stdout)
        r = s.virsh("domstate", name, check_rc=1)
        check_in("failed to get domain '%s'" % name, r.stderr)
        conn.close()


EVENTS = r'''
import libvirt, sys, threading, time, json
sys.path.insert(0, sys.argv[3])
import mvguest
uri, xml = sys.argv[1], open(sys.argv[2]).read()
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open(uri)
events = []
lock = threading.Lock()
def lifecycle(c, dom, event, detail, opaque):
    with lock:
        events.append(("lifecycle", dom.name(), event, detail))
def reboot(c, dom, opaque):
    with lock:
        events.append(("reboot", dom.name()))
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, reboot, None)

def wait_state(dom, state, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if dom.state()[0] == state:
            return
        time.sleep(0.2)
    raise Exception("state %s not reached: %s" % (state, dom.state()))

dom = conn.defineXML(xml)
name = dom.name()
dom.create()
assert dom.isActive() == 1
mvguest.wait_ready(conn, name)
dom.suspend(); assert dom.state() == [3, 1], dom.state()
dom.resume(); assert dom.state() == [1, 5], dom.state()
st = mvguest.console_open(dom)
dom.reboot(0)
mvguest.console_read(st, mvguest.BANNER, timeout=120)
st.finish()
mvguest.wait_ready(conn, name)
dom.shutdown()
wait_state(dom, libvirt.VIR_DOMAIN_SHUTOFF)
assert dom.state() == [5, 1], dom.state()
dom.create()
dom.destroy()
assert dom.state() == [5, 2], dom.state()
dom.undefine()
time.sleep(1)
with lock:
    print(json.dumps(events))
conn.close()
'''


def test_python_with_events():
    name = "mvt-life-py"
    xml = mvguest.tiny(name)
    with mvtest.Stack(name="mv-life") as s:
        s.start("mvproxyd")
        path = os.path.join(s.root, "dom.xml")
        with open(path, "w") as f:
            f.write(xml)
        r = s.python(EVENTS, s.uri(), path, os.path.dirname(mvtest.__file__), timeout=300)
        import json
        events = json.loads(r.stdout.strip().splitlines()[-1])
        got = [tuple(e[2:]) if e[0] == "lifecycle" else ("reboot",) for e in events]
        # DEFINED/ADDED, STARTED/BOOTED, SUSPENDED/PAUSED, RESUMED/UNPAUSED,
        # a reboot, SHUTDOWN/guest, STOPPED/SHUTDOWN, STARTED/BOOTED,
        # STOPPED/DESTROYED, UNDEFINED/REMOVED - in that order.
        want = [(0, 0), (2, 0), (3, 0), (4, 0), ("reboot",), (6, 1), (5, 0), (2, 0), (5, 1),
                (1, 0)]
        # A guest reboot may report more than one reset; keep the first.
        dedup = []
        for e in got:
            if e == ("reboot",) and dedup and dedup[-1] == ("reboot",):
                continue
            dedup.append(e)
        check_eq(dedup, want, "events (all: %s)" % events)
        check(all(e[1] == name for e in events), "events for another domain: %s" % events)


def test_guest_runs_until_its_power_button():
    """The tiny guest keeps running (it powered itself off 10 s after boot,
    reading a power button device it had misnamed, which made every ACPI
    shutdown test pass without ACPI), and then powers off on virsh
    shutdown: the ACPI button, not a timer."""
    name = "mvt-life-button"
    with mvtest.Stack(name="mv-lifeb") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        path = os.path.join(s.root, "dom.xml")
        with open(path, "w") as f:
            f.write(mvguest.tiny(name))
        s.virsh("define", path, uri=uri)
        t0 = time.monotonic()
        s.virsh("start", name, uri=uri)
        conn = connect(uri)
        mvguest.wait_ready(conn, name)
        time.sleep(max(0.0, 25 - (time.monotonic() - t0)))
        check_eq(_state(s, name, uri), "running (booted)", "25 s after start, untouched")
        s.virsh("shutdown", name, uri=uri)
        mvtest.wait_for(lambda: _state(s, name, uri) == "shut off (shutdown)", timeout=30,
                        interval=0.2, what="the guest to power off on the ACPI button")


def test_poweroff_restart():
    """on_poweroff='restart': the guest powering off (virsh shutdown, the
    ACPI button) is turned into a reboot of the same QEMU, as libvirt does:
    reboot events only, the domain running again."""
    import libvirt
    name = "mvt-life-pr"
    xml = mvguest.tiny(name).replace("<on_poweroff>destroy</on_poweroff>",
                                     "<on_poweroff>restart</on_poweroff>")
    with mvtest.Stack(name="mv-life-pr") as s:
        s.start("mvproxyd")
        conn = connect(s.uri())
        events = []
        conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                    lambda c, d, e, det, o: events.append((e, det)), None)
        conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                                    lambda c, d, o: events.append("reboot"), None)
        dom = conn.defineXML(xml)
        dom.create()
        mvguest.wait_ready(conn, name)
        pids = s.qemu_pids(name)
        del events[:]
        st = mvguest.console_open(dom)
        try:
            dom.shutdown()
            mvguest.console_read(st, mvguest.BANNER, timeout=120)
        finally:
            st.abort()
        mvguest.wait_ready(conn, name)
        check_eq(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
                 "state after the power-off")
        check_eq(s.qemu_pids(name), pids, "QEMU after the power-off")
        check(events and all(e == "reboot" for e in events),
              "events of a power-off turned into a reboot: %s" % events)
        dom.destroy()
        dom.undefine()
        conn.close()


if __name__ == "__main__":
    mvtest.main(globals())
