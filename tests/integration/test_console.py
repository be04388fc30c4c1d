# SPDX-License-Identifier: LGPL-2.1-or-later
"""The serial console (DOMAIN_OPEN_CONSOLE) of the tiny test guest under
TCG: stock `virsh console` driven through a pty (read the guest's prompt,
send a line, get the answer, leave with Ctrl+]), the busy console and
--force, python3-libvirt streams (device names, errors), and the
stream's end when the domain stops.  A console session ends with its
client, and with a packet the daemon refuses (then no --force is needed
for the next one)."""

import os
import signal
import time
import uuid

import mvguest
import mvtest
import mvwire
from mvtest import check, check_eq, check_in
from mvwire import i32, u32, xdr_string

PROC_DOMAIN_OPEN_CONSOLE = 201


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
            # A read-only connection may not open it.
            ro = mvguest.connect(s.uri("mvqemud", "sock-ro"))
            try:
                mvguest.console_open(ro.lookupByName("conpy"))
                raise mvtest.TestFailure("console opened on a read-only connection")
            except libvirt.libvirtError as e:
                check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED, "read-only")
                check_in("read only access prevents virDomainOpenConsole", str(e))
            finally:
                ro.close()
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


def _raw_console(stack, path, name):
    """DOMAIN_OPEN_CONSOLE on a raw connection: returns (wire, serial)."""
    uri = stack.uri()
    dom_uuid = uuid.UUID(stack.virsh("domuuid", name, uri=uri).stdout.strip()).bytes
    dom_id = int(stack.virsh("domid", name, uri=uri).stdout.strip())
    w = mvwire.Wire(path, timeout=60)
    w.handshake()
    serial = w.next_serial()
    w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE, mvwire.CALL, serial,
                         mvwire.OK, xdr_string(name) + dom_uuid + i32(dom_id) + u32(0) + u32(0)))
    reply = w.recv()
    check_eq((reply.type, reply.status), (mvwire.REPLY, mvwire.OK), "console reply")
    return w, serial


def _raw_send(w, serial, text):
    w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE, mvwire.STREAM, serial,
                         mvwire.CONTINUE, text.encode()))


def _raw_read_until(w, serial, want, timeout, poke=None):
    text = ""
    end = time.monotonic() + timeout
    next_poke = 0
    while want not in text[-2 * len(want) - 4096:]:
        check(time.monotonic() < end, "%r not seen; got %r" % (want, text[-1000:]))
        if poke and time.monotonic() > next_poke:
            _raw_send(w, serial, poke)
            next_poke = time.monotonic() + 1
        try:
            pkt = w.recv(timeout=0.2)
        except TimeoutError:
            continue
        check_eq((pkt.type, pkt.serial, pkt.status), (mvwire.STREAM, serial, mvwire.CONTINUE),
                 "stream packet")
        check(len(pkt.payload) > 0, "unexpected end of the console stream")
        text += pkt.payload.decode(errors="replace")
    return text


def test_volume_with_a_pausing_client():
    """Several hundred KiB of guest output, through the proxy, to a client
    that stops reading for a while: nothing lost, nothing reordered; then
    the client finishes the stream as virsh does."""
    count = 40000
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvproxyd")
        mvguest.start_guest(s, s.uri(), "conseq")
        try:
            w, serial = _raw_console(s, s.sock("mvproxyd"), "conseq")
            _raw_read_until(w, serial, "mvguest echo: ping", 90, poke="ping\r")
            _raw_send(w, serial, "seq %d\r" % count)
            time.sleep(3)
            text = _raw_read_until(w, serial, "mvguest: seq done", 120)
            # The numbers may follow a prompt on its line (input typed ahead
            # is echoed before the shell prints its prompt).
            first = text.find("1\r\n2\r\n3\r\n")
            check(first >= 0, "no first lines in %r" % text[:600])
            lines = text[first:].split("\r\n")
            check_eq(lines[:count], [str(i) for i in range(1, count + 1)], "the guest's output")
            # Finish: the server confirms.
            w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE,
                                 mvwire.STREAM, serial, mvwire.OK))
            end = time.monotonic() + 10
            while True:
                pkt = w.recv(timeout=max(0.1, end - time.monotonic()))
                if pkt.status == mvwire.OK:
                    break
            check_eq((pkt.type, len(pkt.payload)), (mvwire.STREAM, 0), "finish confirmation")
            w.close()
        finally:
            s.virsh("destroy", "conseq", check_rc=None)


def test_client_that_dies_frees_the_console():
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvproxyd")
        uri = s.uri()
        mvguest.start_guest(s, uri, "condie")
        try:
            c = mvguest.virsh_console(s, uri, "condie")
            mvguest.talk(c, "before")
            os.kill(c.pid, signal.SIGKILL)
            c.wait()
            # No --force needed: the session went with its client.
            c = mvguest.virsh_console(s, uri, "condie")
            mvguest.talk(c, "after")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "virsh console exit status")
            # A packet the console refuses (a hole) ends the session there,
            # even though its client then stays and never aborts.
            w, serial = _raw_console(s, s.sock("mvproxyd"), "condie")
            w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE,
                                 mvwire.STREAM_HOLE, serial, mvwire.CONTINUE,
                                 u32(0) + u32(4096) + u32(0)))
            while True:
                pkt = w.recv(timeout=10)
                if pkt.status != mvwire.CONTINUE:
                    break
            check_eq((pkt.type, pkt.status), (mvwire.STREAM, mvwire.ERROR), "hole refused")
            c = mvguest.virsh_console(s, uri, "condie")
            mvguest.talk(c, "after a refused packet")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "virsh console exit status")
            w.close()
        finally:
            s.virsh("destroy", "condie", uri=uri, check_rc=None)


if __name__ == "__main__":
    mvtest.main(globals())
