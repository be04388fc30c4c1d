# SPDX-License-Identifier: LGPL-2.1-or-later
"""Autostart once per boot, and no idle exit while domains run.

A "boot" here is what a real one does to modvirt: no QEMU running and an
empty runtime directory (/run, or $XDG_RUNTIME_DIR in session mode).  The
test stops every daemon and removes the stack's runtime directory to stand
for it.  Between boots, mvqemud restarts (SIGTERM, kill -9, idle exit and
start on demand by the proxy) must not start an autostart domain the admin
stopped.
"""

import os
import shutil
import signal
import subprocess
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in

PREFIX = "mvt-auto-"
AUTO, MANUAL = PREFIX + "on", PREFIX + "off"


def _state(s, name):
    return s.virsh("domstate", "--reason", name).stdout.strip()


def _define(s, name):
    path = os.path.join(s.root, name + ".xml")
    with open(path, "w") as f:
        f.write(mvguest.idle(name, virt_type="kvm"))
    s.virsh("define", path)


def _reboot(s):
    """Every daemon stopped, no QEMU, the runtime directory emptied."""
    for pid in s.qemu_pids(PREFIX):
        os.kill(pid, signal.SIGKILL)
    mvtest.wait_for(lambda: not s.qemu_pids(PREFIX), what="QEMUs gone")
    s.stop()
    shutil.rmtree(os.path.join(s.root, "session", "run"))


def test_autostart_once_per_boot():
    with mvtest.Stack(name="mv-auto") as s:
        s.start("mvproxyd")
        _define(s, AUTO)
        _define(s, MANUAL)
        check_in("marked as autostarted", s.virsh("autostart", AUTO).stdout)
        link = os.path.join(s.root, "session", "config", "modvirt", "qemu", "autostart",
                            AUTO + ".xml")
        check(os.path.islink(link), "no autostart link " + link)
        check_eq(os.path.realpath(link),
                 os.path.realpath(os.path.join(os.path.dirname(link), "..", AUTO + ".xml")),
                 "autostart link target")
        check_in(AUTO, s.virsh("list", "--all", "--autostart", "--name").stdout, "list")
        check(MANUAL not in s.virsh("list", "--all", "--autostart", "--name").stdout,
              "the other domain is listed as autostart")

        # This boot's mvqemud started before the flag was set: a restart
        # within the same boot does not start the domain.
        s.kill("mvqemud", signal.SIGTERM)
        s.start("mvqemud")
        time.sleep(1)
        check_eq(_state(s, AUTO), "shut off (unknown)", "autostart domain, same boot")

        # A boot: the first mvqemud starts it (asked for by the proxy, as a
        # client's first call would).
        _reboot(s)
        s.start("mvproxyd")
        s.virsh("list")
        mvtest.wait_for(lambda: _state(s, AUTO) == "running (booted)", timeout=20,
                        what="the autostart domain running after boot")
        check_eq(_state(s, MANUAL), "shut off (unknown)", "the other domain after boot")

        # The admin stops it; no later daemon start of this boot restarts it.
        s.virsh("destroy", AUTO)
        s.kill("mvqemud", signal.SIGKILL)
        s.start("mvqemud")
        time.sleep(1)
        # (A restarted daemon knows no reason for an inactive domain; nor
        # does libvirtd.)
        check(_state(s, AUTO).startswith("shut off"), "after kill -9 and restart: running")
        s.kill("mvqemud", signal.SIGTERM)
        s.virsh("list")    # the proxy starts mvqemud again
        time.sleep(1)
        check(_state(s, AUTO).startswith("shut off"), "after SIGTERM and start on demand: running")

        # Autostart off: the next boot leaves it alone; the link is gone.
        check_in("unmarked as autostarted", s.virsh("autostart", "--disable", AUTO).stdout)
        check(not os.path.lexists(link), "autostart link left behind")
        _reboot(s)
        s.start("mvproxyd")
        s.virsh("list")
        time.sleep(1)
        check_eq(_state(s, AUTO), "shut off (unknown)", "after a boot with autostart off")


def test_no_idle_exit_while_running():
    """mvqemud --timeout exits when idle, never while a domain runs."""
    name = PREFIX + "idle"
    with mvtest.Stack(name="mv-autoidle") as s:
        p = s.start("mvqemud", "--timeout", "1")
        uri = s.uri("mvqemud")
        path = os.path.join(s.root, name + ".xml")
        with open(path, "w") as f:
            f.write(mvguest.idle(name, virt_type="kvm"))
        s.virsh("create", path, uri=uri)
        time.sleep(4)
        check(p.poll() is None, "mvqemud exited with a domain running")
        check_eq(s.virsh("domstate", name, uri=uri).stdout.strip(), "running", name)
        time.sleep(3)
        check(p.poll() is None, "mvqemud exited with a domain running")
        s.virsh("destroy", name, uri=uri)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise mvtest.TestFailure("mvqemud did not exit once idle")
        check_eq(p.returncode, 0, "idle exit status")


if __name__ == "__main__":
    mvtest.main(globals())
