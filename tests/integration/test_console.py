# SPDX-License-Identifier: LGPL-2.1-or-later
"""The serial console (DOMAIN_OPEN_CONSOLE) of the tiny test guest under
TCG: stock `virsh console` driven through a pty (read the guest's prompt,
send a line, get the answer, leave with Ctrl+]), the busy console and
--force, python3-libvirt streams (device names, errors), and the
stream's end when the domain stops."""

import os
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in


def test_virsh_console_through_proxy():
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvproxyd")
        uri = s.uri()
        mvguest.start_guest(s, uri, "convirsh")
        try:
            c = mvguest.virsh_console(s, uri, "convirsh")
            c.expect("Connected to domain 'convirsh'", timeout=20)
            c.expect("Escape character is ^]", timeout=5)
            mvguest.talk(c, "hello from virsh")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "virsh console exit status (%r)" % c.text[-500:])
            # The session is over: another one may start at once.
            c = mvguest.virsh_console(s, uri, "convirsh")
            mvguest.talk(c, "second session")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "second virsh console exit status")
        finally:
            s.virsh("destroy", "convirsh", uri=uri, check_rc=None)


def test_busy_console_and_force():
    import libvirt
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvproxyd")
        uri = s.uri()
        mvguest.start_guest(s, uri, "conbusy")
        conn = mvguest.connect(uri)
        try:
            dom = conn.lookupByName("conbusy")
            st = mvguest.console_open(dom)
            mvguest.console_read(st, "mvguest echo: ping", timeout=90, poke="ping\r")
            # Busy: virsh is refused...
            c = mvguest.virsh_console(s, uri, "conbusy")
            check_eq(c.wait(), 1, "virsh console on a busy console")
            check_in("Active console session exists for this domain", c.text)
            # ...and so is a second stream, on the same device by its name.
            try:
                mvguest.console_open(dom, "serial0")
                raise mvtest.TestFailure("second console session was allowed")
            except libvirt.libvirtError as e:
                check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_FAILED, "error code")
                check_in("Active console session exists for this domain", str(e))
            # --force takes it over; the first session ends with an error.
            c = mvguest.virsh_console(s, uri, "conbusy", "--force")
            mvguest.talk(c, "forced")
            end = time.monotonic() + 15
            kicked = None
            while kicked is None and time.monotonic() < end:
                try:
                    data = st.recv(4096)
                    if data == -2:
                        time.sleep(0.05)
                    elif not data:
                        kicked = "eof"
                except libvirt.libvirtError as e:
                    kicked = str(e)
            check(kicked is not None and "taken over" in kicked,
                  "first session after --force: %r" % kicked)
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "forced virsh console exit status")
            # --safe is accepted: sessions are exclusive here.
            c = mvguest.virsh_console(s, uri, "conbusy", "--safe")
            mvguest.talk(c, "safe")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "virsh console --safe exit status")
        finally:
            s.virsh("destroy", "conbusy", uri=uri, check_rc=None)
            conn.close()


def _wait_eof(st, timeout):
    end = time.monotonic() + timeout
    while True:
        check(time.monotonic() < end, "console stream did not end with the domain")
        data = st.recv(65536)
        if data == -2:
            time.sleep(0.05)
        elif not data:
            return


def test_python_console_direct():
    import libvirt
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        path = os.path.join(s.root, "conpy.xml")
        with open(path, "w") as f:
            f.write(mvguest.tiny("conpy"))
        s.virsh("define", path, uri=uri)
        conn = mvguest.connect(uri)
        try:
            dom = conn.lookupByName("conpy")
            for dev, flags, code, text in ((None, 0, libvirt.VIR_ERR_OPERATION_INVALID,
                                            "domain is not running"),):
                try:
                    mvguest.console_open(dom, dev, flags)
                    raise mvtest.TestFailure("console of an inactive domain opened")
                except libvirt.libvirtError as e:
                    check_eq(e.get_error_code(), code, "error code")
                    check_in(text, str(e))
            dom.create()
            for dev, flags, code, text in (
                    ("nosuch", 0, libvirt.VIR_ERR_INTERNAL_ERROR,
                     "cannot find character device nosuch"),
                    (None, 4, libvirt.VIR_ERR_INVALID_ARG, "unsupported flags (0x4)")):
                try:
                    mvguest.console_open(dom, dev, flags)
                    raise mvtest.TestFailure("console %r flags %d opened" % (dev, flags))
                except libvirt.libvirtError as e:
                    check_eq(e.get_error_code(), code, "error code for %r" % dev)
                    check_in(text, str(e))
            # By alias: the console, and the serial port it is.
            for dev in ("console0", "serial0"):
                st = mvguest.console_open(dom, dev)
                mvguest.console_read(st, "mvguest echo: ping", timeout=90, poke="ping\r")
                st.send(("via %s\r" % dev).encode())
                mvguest.console_read(st, "mvguest echo: via %s" % dev, timeout=30)
                st.finish()
            # The stream ends when the domain does: destroyed...
            st = mvguest.console_open(dom)
            mvguest.console_read(st, "mvguest echo: ping", timeout=90, poke="ping\r")
            dom.destroy()
            _wait_eof(st, 30)
            st.finish()
            # ...or powered off by the guest.
            dom.create()
            st = mvguest.console_open(dom)
            mvguest.console_read(st, "mvguest echo: ping", timeout=90, poke="ping\r")
            st.send(b"poweroff\r")
            _wait_eof(st, 60)
            st.finish()
            mvtest.wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF, timeout=30,
                            what="the guest to be shut off")
        finally:
            try:
                dom.destroy()
            except libvirt.libvirtError:
                pass
            conn.close()


if __name__ == "__main__":
    mvtest.main(globals())
