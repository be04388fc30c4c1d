# SPDX-License-Identifier: LGPL-2.1-or-later
"""systemd-machined registration of running domains, against fake-machined
(tests/fake-machined.c) on a private dbus-daemon given to mvqemud as its
system bus (DBUS_SYSTEM_BUS_ADDRESS): CreateMachine at start with the
domain's name, uuid, QEMU's pid; TerminateMachine at stop; a machined that
never answers does not delay start; no bus at all is fine; a session
daemon registers nothing (as with libvirt)."""

import glob
import os
import re
import signal
import subprocess
import threading
import time

import mvguest
import mvtest
from mvtest import check, check_eq

FAKE = os.path.join(mvtest.BUILD, "tests", "fake-machined")


class Bus:
    """A private dbus-daemon and, optionally, fake-machined on it."""

    def __init__(self, root):
        mvtest.require_tool("dbus-daemon")
        self.dir = os.path.join(root, "dbus")
        os.makedirs(self.dir, mode=0o700)
        r = subprocess.run(["dbus-daemon", "--session",
                            "--address=unix:path=%s/bus" % self.dir, "--print-address=1",
                            "--print-pid=1", "--fork", "--nopidfile"],
                           capture_output=True, text=True, timeout=30)
        check_eq(r.returncode, 0, "dbus-daemon status (%s)" % r.stderr)
        lines = r.stdout.split()
        self.address, self.pid = lines[0], int(lines[1])
        self.fake = None
        self.calls = []
        self.lock = threading.Lock()

    def start_fake(self, *args):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.fake = subprocess.Popen([FAKE] + list(args), env=env, stdout=subprocess.PIPE,
                                     text=True)
        check_eq(self.fake.stdout.readline().strip(), "READY", "fake-machined start")
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.fake.stdout:
            with self.lock:
                self.calls.append(line.strip())

    def wait_call(self, prefix, timeout=10.0):
        def find():
            with self.lock:
                return next((c for c in self.calls if c.startswith(prefix)), None)
        return mvtest.wait_for(find, timeout=timeout, what="machined call %r (calls %r)"
                               % (prefix, self.calls))

    def stop(self):
        if self.fake:
            self.fake.kill()
            self.fake.wait()
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def _qemu_pid(stack, name):
    """The pid of the domain's QEMU, from its status XML."""
    for path in glob.glob(os.path.join(stack.root, "**", name + ".xml"), recursive=True):
        with open(path) as f:
            m = re.search(r"<domstatus [^>]*pid='(\d+)'", f.read())
        if m:
            return int(m.group(1))
    raise mvtest.TestFailure("no status XML with a pid for %s" % name)


class _BusStack(mvtest.Stack):
    """A stack whose mvqemud (only) gets the bus as its system bus.  System
    mode (in a private root): a session daemon registers nothing."""

    def __init__(self, address, mode="system"):
        super().__init__(mode=mode, name="mv-machined")
        self.bus_address = address

    def start(self, daemon, *args, **kwargs):
        env = dict(kwargs.pop("env", None) or self.env)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus_address
        return super().start(daemon, *args, env=env, **kwargs)


def _stack_with_bus(address, mode="system"):
    return _BusStack(address, mode)


def _define(stack, name):
    path = os.path.join(stack.root, name + ".xml")
    with open(path, "w") as f:
        f.write(mvguest.idle(name))
    stack.virsh("define", path, uri=stack.uri("mvqemud"))
    return stack.virsh("domuuid", name, uri=stack.uri("mvqemud")).stdout.strip()


def _timed_start(stack, name):
    t0 = time.monotonic()
    stack.virsh("start", name, uri=stack.uri("mvqemud"))
    return time.monotonic() - t0


def test_start_and_destroy_are_reported():
    with mvtest.Stack(name="mv-machined") as base:
        bus = Bus(base.root)
        try:
            bus.start_fake()
            with _stack_with_bus(bus.address) as s:
                s.start("mvqemud")
                uuid = _define(s, "mdom")
                s.virsh("start", "mdom", uri=s.uri("mvqemud"))
                dom_id = s.virsh("domid", "mdom", uri=s.uri("mvqemud")).stdout.strip()
                call = bus.wait_call("CreateMachine ")
                check_eq(call, "CreateMachine name=qemu-%s-mdom uuid=%s service=modvirt-qemu "
                         "class=vm leader=%d root= props=Slice,After"
                         % (dom_id, uuid, _qemu_pid(s, "mdom")), "CreateMachine")
                s.virsh("destroy", "mdom", uri=s.uri("mvqemud"))
                check_eq(bus.wait_call("TerminateMachine "),
                         "TerminateMachine name=qemu-%s-mdom" % dom_id, "TerminateMachine")
                # A second run gets a new id, hence a new machine name.
                s.virsh("start", "mdom", uri=s.uri("mvqemud"))
                dom_id2 = s.virsh("domid", "mdom", uri=s.uri("mvqemud")).stdout.strip()
                check(dom_id2 != dom_id, "ids %s %s" % (dom_id, dom_id2))
                bus.wait_call("CreateMachine name=qemu-%s-mdom " % dom_id2)
                s.virsh("destroy", "mdom", uri=s.uri("mvqemud"))
                bus.wait_call("TerminateMachine name=qemu-%s-mdom" % dom_id2)
                with bus.lock:
                    check_eq(len(bus.calls), 4, "calls %r" % bus.calls)
        finally:
            bus.stop()


def test_hanging_machined_does_not_delay_start():
    with mvtest.Stack(name="mv-machined") as base:
        bus = Bus(base.root)
        try:
            # The same starts without any machined, for comparison.  The
            # first start of a daemon waits for the emulator's capabilities:
            # only later ones are timed.
            with _stack_with_bus(bus.address) as s:
                s.start("mvqemud")
                _define(s, "mfast")
                times = []
                for _ in range(3):
                    times.append(_timed_start(s, "mfast"))
                    s.virsh("destroy", "mfast", uri=s.uri("mvqemud"))
                base_time = min(times[1:])
            bus.start_fake("--hang")
            with _stack_with_bus(bus.address) as s:
                s.start("mvqemud")
                _define(s, "mhang")
                _timed_start(s, "mhang")
                bus.wait_call("CreateMachine name=")
                t0 = time.monotonic()
                s.virsh("destroy", "mhang", uri=s.uri("mvqemud"))
                destroy_time = time.monotonic() - t0
                bus.wait_call("TerminateMachine name=")
                hang_time = _timed_start(s, "mhang")
                # Reconnect after a daemon restart does not wait either.
                s.kill("mvqemud")
                s.start("mvqemud")
                check_eq(s.virsh("domstate", "mhang", uri=s.uri("mvqemud")).stdout.strip(),
                         "running", "state after reconnect")
                s.virsh("destroy", "mhang", uri=s.uri("mvqemud"))
                with bus.lock:
                    # Two starts (and maybe the reconnect), each answered by
                    # nobody.
                    check(len([c for c in bus.calls if c.startswith("CreateMachine")]) >= 2,
                          "CreateMachine calls %r" % bus.calls)
            check(hang_time < base_time + 0.5,
                  "start took %.2fs with a hanging machined, %.2fs without"
                  % (hang_time, base_time))
            check(destroy_time < 5, "destroy took %.2fs" % destroy_time)
        finally:
            bus.stop()


def test_session_daemon_registers_nothing():
    with mvtest.Stack(name="mv-machined") as base:
        bus = Bus(base.root)
        try:
            bus.start_fake()
            with _stack_with_bus(bus.address, mode="session") as s:
                s.start("mvqemud")
                _define(s, "msession")
                s.virsh("start", "msession", uri=s.uri("mvqemud"))
                s.virsh("destroy", "msession", uri=s.uri("mvqemud"))
                time.sleep(1)
                with bus.lock:
                    check_eq(bus.calls, [], "machined calls of a session daemon")
        finally:
            bus.stop()


def test_no_bus_at_all():
    with _stack_with_bus("unix:path=/nonexistent/mv-machined/bus") as s:
        s.start("mvqemud")
        _define(s, "mnobus")
        check(_timed_start(s, "mnobus") < 30, "start without a bus")
        check_eq(s.virsh("domstate", "mnobus", uri=s.uri("mvqemud")).stdout.strip(),
                 "running", "state")
        s.virsh("destroy", "mnobus", uri=s.uri("mvqemud"))
        check_eq(s.virsh("domstate", "mnobus", uri=s.uri("mvqemud")).stdout.strip(),
                 "shut off", "state")


if __name__ == "__main__":
    mvtest.main(globals())
