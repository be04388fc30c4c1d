# SPDX-License-Identifier: LGPL-2.1-or-later
"""Domain events: the three registration styles on the wire (legacy
REGISTER/DEREGISTER, REGISTER_ANY/DEREGISTER_ANY, CALLBACK_REGISTER_ANY/
DEREGISTER_ANY), stock `virsh event --all --loop` through the proxy and on
mvqemud's own socket, python3-libvirt callbacks (filtered and not, old and
new API) and legacy event packets, for defined / undefined / started /
suspended / resumed / stopped (destroyed, shutdown) / shutdown and reboot.
"""

import os
import signal
import subprocess
import threading
import time

import mvguest
import mvtest
import mvwire
from mvtest import check, check_eq, check_in
from mvwire import Reader, i32, u32, xdr_string

PROC_REGISTER = 105
PROC_DEREGISTER = 106
PROC_EVENT_LIFECYCLE = 107
PROC_REGISTER_ANY = 167
PROC_DEREGISTER_ANY = 168
PROC_EVENT_REBOOT = 169
PROC_CB_REGISTER_ANY = 316
PROC_CB_DEREGISTER_ANY = 317
PROC_EVENT_CB_LIFECYCLE = 318
NUM_EVENT_IDS = 27


class VirshEvents:
    """`virsh event --all --loop` in the background, its output on a pty
    (so that virsh does not buffer it)."""

    def __init__(self, stack, uri):
        self.stack = stack
        self.uri = uri
        master, slave = os.openpty()
        self.proc = subprocess.Popen(["virsh", "-c", uri, "event", "--all", "--loop"],
                                     env=stack.env, stdin=subprocess.DEVNULL, stdout=slave,
                                     stderr=slave, close_fds=True)
        os.close(slave)
        self.master = master
        self.text = ""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.text += data.decode(errors="replace")

    def output(self):
        with self.lock:
            return self.text

    def wait(self, line, timeout=30.0):
        mvtest.wait_for(lambda: line in self.output(), timeout=timeout,
                        what="virsh event to print %r (got %r)" % (line, self.output()[-800:]))

    def sync(self, name="evsync"):
        """Registration is over once virsh reports a domain defined now (an
        event sent while it still registers may be lost)."""
        xml = mvguest.idle(name)
        path = os.path.join(self.stack.root, name + ".xml")
        with open(path, "w") as f:
            f.write(xml)
        end = time.monotonic() + 30
        want = "event 'lifecycle' for domain '%s': Defined" % name
        while want not in self.output():
            check(time.monotonic() < end, "virsh event never reported %s" % name)
            check(self.proc.poll() is None, "virsh event exited: %r" % self.output())
            self.stack.virsh("define", path, uri=self.uri)
            self.stack.virsh("undefine", name, uri=self.uri)
            time.sleep(0.3)
        self.wait("event 'lifecycle' for domain '%s': Undefined Removed" % name)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise mvtest.TestFailure("virsh event did not stop on SIGINT")
        self.reader.join(timeout=5)
        os.close(self.master)
        return rc


def _define(stack, uri, name, xml):
    path = os.path.join(stack.root, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    stack.virsh("define", path, uri=uri)


def _lifecycle(ev, name):
    return "event 'lifecycle' for domain '%s': %s" % (name, ev)


def _check_virsh_lifecycle(stack, uri, name):
    """define, start, suspend, resume, destroy, undefine of an idle domain."""
    ev = VirshEvents(stack, uri)
    try:
        ev.sync()
        _define(stack, uri, name, mvguest.idle(name))
        ev.wait(_lifecycle("Defined Added", name))
        _define(stack, uri, name, mvguest.idle(name))
        ev.wait(_lifecycle("Defined Updated", name))
        stack.virsh("start", name, uri=uri)
        ev.wait(_lifecycle("Started Booted", name))
        stack.virsh("suspend", name, uri=uri)
        ev.wait(_lifecycle("Suspended Paused", name))
        stack.virsh("resume", name, uri=uri)
        ev.wait(_lifecycle("Resumed Unpaused", name))
        stack.virsh("destroy", name, uri=uri)
        ev.wait(_lifecycle("Stopped Destroyed", name))
        stack.virsh("undefine", name, uri=uri)
        ev.wait(_lifecycle("Undefined Removed", name))
    finally:
        rc = ev.stop()
    out = ev.output()
    check_eq(rc, 0, "virsh event exit status (output %r)" % out[-800:])
    # Each event once, in order.
    order = ["Defined Added", "Defined Updated", "Started Booted", "Suspended Paused",
             "Resumed Unpaused", "Stopped Destroyed", "Undefined Removed"]
    pos = [out.find(_lifecycle(e, name)) for e in order]
    check(all(p >= 0 for p in pos) and pos == sorted(pos), "events out of order: %r" % out)
    for e in order:
        check_eq(out.count(_lifecycle(e, name)), 1, "count of %r" % e)


def test_registration_on_the_wire():
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        for path in (s.sock("mvqemud"), s.sock("mvproxyd"), s.sock("mvqemud", "sock-ro")):
            with mvwire.Wire(path) as w:
                w.handshake()
                # The oldest pair: lifecycle only, no ids.
                check_eq(Reader(w.call(PROC_REGISTER)).i32(), 1, "cb_registered")
                e = w.call_error(PROC_REGISTER)
                check_in("domain event 0 already registered", e.message)
                # It shares its slot with REGISTER_ANY(0).
                e = w.call_error(PROC_REGISTER_ANY, i32(0))
                check_in("domain event 0 already registered", e.message)
                w.call(PROC_DEREGISTER_ANY, i32(0))
                e = w.call_error(PROC_DEREGISTER)
                check_in("domain event 0 not registered", e.message)
                w.call(PROC_REGISTER_ANY, i32(0))
                check_eq(Reader(w.call(PROC_DEREGISTER)).i32(), 0, "cb_registered")
                for ev in range(NUM_EVENT_IDS):
                    w.call(PROC_REGISTER_ANY, i32(ev))
                for ev in range(NUM_EVENT_IDS):
                    w.call(PROC_DEREGISTER_ANY, i32(ev))
                for bad in (-1, NUM_EVENT_IDS):
                    e = w.call_error(PROC_REGISTER_ANY, i32(bad))
                    check_in("unsupported event ID %d" % bad, e.message)
                    e = w.call_error(PROC_CB_REGISTER_ANY, i32(bad) + u32(0))
                    check_in("unsupported event ID %d" % bad, e.message)
                # Callback ids: one per registration, filtered or not.
                ids = [Reader(w.call(PROC_CB_REGISTER_ANY, i32(ev) + u32(0))).i32()
                       for ev in range(NUM_EVENT_IDS)]
                dom = xdr_string("nosuch") + b"\x11" * 16 + i32(-1)
                ids.append(Reader(w.call(PROC_CB_REGISTER_ANY, i32(0) + u32(1) + dom)).i32())
                check_eq(len(set(ids)), NUM_EVENT_IDS + 1, "distinct callback ids %r" % ids)
                for cb in ids:
                    w.call(PROC_CB_DEREGISTER_ANY, i32(cb))
                e = w.call_error(PROC_CB_DEREGISTER_ANY, i32(ids[0]))
                check_in("callback ID %d not registered" % ids[0], e.message)
                check_eq(w.hostname(), os.uname().nodename, "connection still usable")


def test_virsh_event_loop_through_proxy():
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvproxyd")
        _check_virsh_lifecycle(s, s.uri(), "evproxy")


def test_virsh_event_loop_direct():
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvqemud")
        _check_virsh_lifecycle(s, s.uri("mvqemud"), "evdirect")


def test_virsh_event_shutdown_and_reboot():
    """The tiny guest under TCG: an ACPI reboot and shutdown."""
    import libvirt
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvproxyd")
        uri = s.uri()
        name = "evguest"
        _define(s, uri, name, mvguest.tiny(name))
        ev = VirshEvents(s, uri)
        try:
            ev.sync()
            s.virsh("start", name, uri=uri)
            ev.wait(_lifecycle("Started Booted", name))
            conn = mvguest.connect(uri)
            try:
                mvguest.wait_ready(conn, name)
                s.virsh("reboot", name, uri=uri)
                ev.wait("event 'reboot' for domain '%s'" % name, timeout=90)
                mvguest.wait_ready(conn, name)
            finally:
                conn.close()
            s.virsh("shutdown", name, uri=uri)
            ev.wait(_lifecycle("Shutdown Finished", name), timeout=90)
            ev.wait(_lifecycle("Stopped Shutdown", name), timeout=30)
        finally:
            s.virsh("destroy", name, uri=uri, check_rc=None)
            rc = ev.stop()
        check_eq(rc, 0, "virsh event exit status")
        out = ev.output()
        check(_lifecycle("Stopped Destroyed", name) not in out, "destroyed: %r" % out)
        check_eq(s.virsh("domstate", name, uri=uri).stdout.strip(), "shut off", "state")


PY_CALLBACKS = r'''
import sys, threading, time, libvirt

uri, name_a, name_b, xml_a, xml_b = sys.argv[1:6]
libvirt.virEventRegisterDefaultImpl()
stop = False
def loop():
    while not stop:
        libvirt.virEventRunDefaultImpl()
t = threading.Thread(target=loop, daemon=True)
t.start()

conn = libvirt.open(uri)
seen = {"all": [], "only_a": [], "old": [], "reboot": []}
lock = threading.Lock()
def cb(key):
    def f(c, dom, event, detail, opaque):
        with lock:
            seen[key].append((dom.name(), event, detail))
    return f
def reboot_cb(c, dom, opaque):
    with lock:
        seen["reboot"].append(dom.name())

dom_a = conn.defineXML(xml_a)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb("all"), None)
conn.domainEventRegisterAny(dom_a, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb("only_a"), None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, reboot_cb, None)
old = cb("old")
conn.domainEventRegister(old, None)

dom_b = conn.defineXML(xml_b)
dom_a.create(); dom_a.suspend(); dom_a.resume(); dom_a.destroy()
dom_b.create(); dom_b.destroy(); dom_b.undefine()
dom_a.undefine()

E = libvirt
want_a = [(E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
          (E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
          (E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
          (E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)]
want_b = [(E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED),
          (E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
          (E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
          (E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)]
last = (E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)
end = time.monotonic() + 30
while time.monotonic() < end:
    with lock:
        if (name_a, ) + last in seen["all"] and (name_a, ) + last in seen["old"] and \
           (name_a, ) + last in seen["only_a"]:
            break
    time.sleep(0.05)
with lock:
    for key in ("all", "old"):
        got_a = [(e, d) for n, e, d in seen[key] if n == name_a]
        got_b = [(e, d) for n, e, d in seen[key] if n == name_b]
        assert got_a == want_a + [last], (key, got_a)
        assert got_b == want_b, (key, got_b)
    assert [n for n, e, d in seen["only_a"]] == [name_a] * 5, seen["only_a"]
    assert [(e, d) for n, e, d in seen["only_a"]] == want_a + [last], seen["only_a"]
    assert seen["reboot"] == [], seen["reboot"]
conn.domainEventDeregister(old)
print("OK", len(seen["all"]), len(seen["only_a"]), len(seen["old"]))
stop = True
conn.close()
'''


def test_python_callbacks():
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvproxyd")
        r = s.python(PY_CALLBACKS, s.uri(), "pya", "pyb", mvguest.idle("pya"),
                     mvguest.idle("pyb"), timeout=120)
        check_in("OK 9 5 9", r.stdout)


def _lifecycle_msg(payload):
    r = Reader(payload)
    name = r.string()
    r.opaque(16)
    dom_id = r.i32()
    return name, dom_id, r.i32(), r.i32()


def test_legacy_event_packets():
    """Legacy registrations get DOMAIN_EVENT_LIFECYCLE (107), serial 1, no
    callback id; callback registrations get 318 with theirs."""
    with mvtest.Stack(name="mv-events") as s:
        s.start("mvproxyd")
        with mvwire.Wire(s.sock("mvproxyd")) as w:
            w.handshake()
            w.call(PROC_REGISTER)
            cb = Reader(w.call(PROC_CB_REGISTER_ANY, i32(0) + u32(0))).i32()
            _define(s, s.uri(), "legacy", mvguest.idle("legacy"))
            got = {}
            while len(got) < 2:
                pkt = w.recv(timeout=15)
                check_eq((pkt.type, pkt.status, pkt.serial), (mvwire.MESSAGE, mvwire.OK, 1),
                         "event header")
                got[pkt.proc] = pkt.payload
            check_eq(sorted(got), [PROC_EVENT_LIFECYCLE, PROC_EVENT_CB_LIFECYCLE], "procs")
            check_eq(_lifecycle_msg(got[PROC_EVENT_LIFECYCLE]), ("legacy", -1, 0, 0), "legacy")
            r = Reader(got[PROC_EVENT_CB_LIFECYCLE])
            check_eq(r.i32(), cb, "callback id")
            check_eq(_lifecycle_msg(got[PROC_EVENT_CB_LIFECYCLE][4:]), ("legacy", -1, 0, 0),
                     "callback")
            w.call(PROC_DEREGISTER)
            w.call(PROC_CB_DEREGISTER_ANY, i32(cb))
            s.virsh("undefine", "legacy")
            # Nothing registered any more: no event comes.
            try:
                pkt = w.recv(timeout=1.5)
                raise mvtest.TestFailure("unexpected packet after deregistering: %r" % pkt)
            except TimeoutError:
                pass


if __name__ == "__main__":
    mvtest.main(globals())
