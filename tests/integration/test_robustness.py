# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad input on every listening socket of a daemon and of the proxy, both
run under valgrind: each bad client gets an error reply or a clean close,
the daemon keeps serving well-behaved clients, and neither fds nor memory
leak.  Also: unimplemented procedures, pipelined calls with throttling, and
file descriptors passed with a call."""

import os
import random
import re
import socket
import struct
import time

import mvtest
import mvwire
from mvtest import check, check_eq, check_in
from mvwire import (ADMIN_PROGRAM, CALL, CALL_WITH_FDS, ERROR, KEEPALIVE_PROGRAM, MESSAGE,
                    OK, REMOTE_PROGRAM, REPLY, STREAM, packet, u32)

VALGRIND_EXIT = 97


def _valgrind(stack, name):
    mvtest.require_tool("valgrind")
    return ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--error-exitcode=%d" % VALGRIND_EXIT, "--trace-children=no",
            "--log-file=" + os.path.join(stack.logdir, "valgrind-%s.log" % name)]


def _check_valgrind(stack, daemon):
    """SIGTERM the daemon and require a clean valgrind verdict."""
    procs = stack.procs[daemon]
    p = procs[-1]
    p.terminate()
    try:
        rc = p.wait(timeout=30)
    except Exception:
        p.kill()
        raise mvtest.TestFailure("%s did not exit on SIGTERM" % daemon)
    with open(os.path.join(stack.logdir, "valgrind-%s.log" % daemon)) as f:
        log = f.read()
    check_in("ERROR SUMMARY: 0 errors", log, "valgrind log of %s" % daemon)
    m = re.search(r"definitely lost: ([\d,]+) bytes", log)
    check(m is None or m.group(1) == "0", "%s leaked memory:\n%s" % (daemon, log[-6000:]))
    check_eq(rc, 0, "%s exit code (valgrind: %d means errors)" % (daemon, VALGRIND_EXIT))


# ---- well-behaved clients ---------------------------------------------------------


def _good_client(path, admin):
    with mvwire.Wire(path, timeout=30) as w:
        if admin:
            mvwire.admin_handshake(w)
            r = mvwire.Reader(w.call(3, prog=ADMIN_PROGRAM))
            check(r.u64() > 0, "admin GET_LIB_VERSION")
        else:
            w.handshake()
            check_eq(w.hostname(), socket.gethostname(), "hostname")


def _good_call(w, admin):
    """One call on an already open connection."""
    if admin:
        check(mvwire.Reader(w.call(3, prog=ADMIN_PROGRAM)).u64() > 0, "admin version")
    else:
        check_eq(w.hostname(), socket.gethostname(), "hostname")


def _wait_fds(pid, baseline, what):
    mvtest.wait_for(lambda: mvwire.fd_count(pid) <= baseline, timeout=30,
                    what="%s fds back to %d (now %d: %s)" % (
                        what, baseline, mvwire.fd_count(pid), mvwire.fd_targets(pid)))


# ---- the bad inputs ---------------------------------------------------------------


def _expect_close(path, data, what, shut=False):
    """Send @data; the server must close without answering anything but
    errors."""
    with mvwire.Wire(path, timeout=30) as w:
        try:
            w.send(data)
        except (BrokenPipeError, ConnectionResetError):
            return
        if shut:
            w.sock.shutdown(socket.SHUT_WR)
        for pkt in w.wait_closed(timeout=30):
            check(pkt.status == ERROR, "%s: got %r before the close" % (what, pkt))


def _expect_error(path, admin, data, what, code=mvwire.ERR_RPC, text=None):
    """Send @data after opening; the server must answer with an error reply
    and stay usable on the same connection."""
    with mvwire.Wire(path, timeout=30) as w:
        if admin:
            mvwire.admin_handshake(w)
        else:
            w.handshake()
        w.send(data)
        pkt = w.recv()
        check_eq(pkt.type, REPLY, "%s: reply type" % what)
        check_eq(pkt.status, ERROR, "%s: reply status" % what)
        e = pkt.error()
        check_eq(e.code, code, "%s: error code (%s)" % (what, e.message))
        if text:
            check_in(text, e.message, what)
        _good_call(w, admin)


def _expect_nothing(path, admin, data, what):
    """Send @data, which deserves no answer; the connection goes on."""
    with mvwire.Wire(path, timeout=30) as w:
        if admin:
            mvwire.admin_handshake(w)
        else:
            w.handshake()
        w.send(data)
        _good_call(w, admin)


def _garbage(seed, n):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


def _battery(path, admin):
    prog = ADMIN_PROGRAM if admin else REMOTE_PROGRAM
    good_proc = 3 if admin else mvwire.PROC_CONNECT_GET_HOSTNAME
    hdr = struct.pack(">IIiIII", prog, 1, good_proc, CALL, 7, OK)

    # Framing errors: a clean close.
    _expect_close(path, u32(0xFFFFFFFF) + hdr, "length 4 GiB")
    _expect_close(path, u32(mvwire.MESSAGE_MAX + 5) + hdr, "length above the limit")
    _expect_close(path, u32(0), "length 0")
    _expect_close(path, u32(27) + hdr[:23], "length below the header")
    _expect_close(path, u32(200) + hdr + b"\0" * 20, "truncated frame", shut=True)
    _expect_close(path, packet(prog, good_proc, CALL_WITH_FDS, 7, OK, nfds=33),
                  "33 file descriptors")
    _expect_close(path, u32(28) + struct.pack(">IIiIII", prog, 1, good_proc, CALL_WITH_FDS,
                                              7, OK),
                  "CALL_WITH_FDS without its fd count")
    # Two fds announced, two dummy bytes sent without any fd attached.
    _expect_close(path, packet(prog, good_proc, CALL_WITH_FDS, 7, OK, nfds=2) + b"\0\0",
                  "fds announced, none sent")
    for seed in range(4):
        _expect_close(path, _garbage(seed, 4096), "garbage %d" % seed)
    # A plausible length followed by garbage: errors or a close, never a hang.
    for seed in range(4, 8):
        body = _garbage(seed, 200)
        with mvwire.Wire(path, timeout=30) as w:
            if admin:
                mvwire.admin_handshake(w)
            else:
                w.handshake()
            w.send(u32(204) + body)
            w.send(packet(prog, good_proc, CALL, 99, OK))
            try:
                while True:
                    pkt = w.recv()
                    if pkt.serial == 99 and pkt.status == OK:
                        break
                    check_eq(pkt.status, ERROR, "garbage %d: %r" % (seed, pkt))
            except mvwire.Closed:
                pass

    # Well-framed but wrong: an error reply on a connection that goes on.
    _expect_error(path, admin, packet(0x12345678, 1, CALL, 5), "wrong program",
                  text="cannot find program")
    _expect_error(path, admin, packet(prog, good_proc, CALL, 5, vers=2), "wrong version",
                  text="cannot find program")
    _expect_error(path, admin, packet(prog, good_proc, CALL, 5, ERROR), "call with status error")
    _expect_error(path, admin, packet(prog, good_proc, CALL, 5, mvwire.CONTINUE),
                  "call with status continue")
    for t in (REPLY, MESSAGE, mvwire.REPLY_WITH_FDS, 7, 0x7FFFFFFF):
        nfds = 0 if t == mvwire.REPLY_WITH_FDS else None
        _expect_error(path, admin, packet(prog, good_proc, t, 5, nfds=nfds),
                      "message type %d" % t, text="unexpected message type")
    for proc in (-1, -0x80000000, 0, 100000, 0x7FFFFFFF):
        _expect_error(path, admin, packet(prog, proc, CALL, 5), "procedure %d" % proc,
                      text="unknown procedure")
    if not admin:
        _expect_error(path, admin, packet(prog, mvwire.PROC_CONNECT_SUPPORTS_FEATURE, CALL, 5,
                                          payload=b"\0\0"),
                      "truncated arguments", text="unable to decode")
        _expect_error(path, admin, packet(prog, mvwire.PROC_CONNECT_SUPPORTS_FEATURE, CALL, 5,
                                          payload=b""),
                      "missing arguments", text="unable to decode")
    else:
        _expect_error(path, admin, packet(prog, 13, CALL, 5, payload=u32(0xFFFFFFF0)),
                      "admin arguments", text="unable to decode")
    # Packets that get no answer: a stream nobody opened, keepalive noise.
    _expect_nothing(path, admin, packet(prog, good_proc, STREAM, 5, mvwire.CONTINUE, b"data"),
                    "stray stream data")
    _expect_nothing(path, admin, packet(prog, good_proc, STREAM, 5, ERROR), "stray abort")
    _expect_nothing(path, admin, packet(KEEPALIVE_PROGRAM, 9, MESSAGE), "keepalive proc 9")
    _expect_nothing(path, admin, packet(KEEPALIVE_PROGRAM, 2, MESSAGE), "unasked PONG")
    with mvwire.Wire(path, timeout=30) as w:
        w.send(packet(KEEPALIVE_PROGRAM, mvwire.KEEPALIVE_PING, MESSAGE))
        pkt = w.recv_raw()
        check_eq((pkt.prog, pkt.proc, pkt.type, pkt.serial, pkt.status),
                 (KEEPALIVE_PROGRAM, mvwire.KEEPALIVE_PONG, MESSAGE, 0, OK), "PONG")
        check_eq(pkt.payload, b"", "PONG payload")
    # A huge (legal) packet that never completes.
    with mvwire.Wire(path, timeout=30) as w:
        w.send(u32(mvwire.MESSAGE_MAX + 4) + hdr + b"\0" * (1 << 20))


def _vanishing_clients(path, admin, count=200):
    """@count clients at once, each leaving mid-call in its own way.
    Returns the read ends of the pipes whose write ends were passed."""
    prog = ADMIN_PROGRAM if admin else REMOTE_PROGRAM
    calls = 3 if admin else mvwire.PROC_NODE_GET_INFO
    if admin:
        opening = packet(prog, 1, CALL, 0, OK, u32(0))
    else:
        opening = (packet(prog, mvwire.PROC_AUTH_LIST, CALL, 0) +
                   packet(prog, mvwire.PROC_CONNECT_SUPPORTS_FEATURE, CALL, 1, OK, u32(10)) +
                   packet(prog, mvwire.PROC_CONNECT_OPEN, CALL, 2, OK, u32(0) + u32(0)))
    socks = []
    readers = []
    for i in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(path)
        socks.append(s)
    for i, s in enumerate(socks):
        kind = i % 6
        try:
            if kind == 0:
                pass                                   # connect and go
            elif kind == 1:
                s.sendall(opening[:13])                # half a header
            elif kind == 2:
                s.sendall(opening + b"".join(packet(prog, calls, CALL, 10 + j)
                                             for j in range(8)))
            elif kind == 3:
                r, wfd = os.pipe()
                readers.append(r)
                s.sendall(opening + packet(prog, calls, CALL_WITH_FDS, 10, OK, nfds=1))
                s.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     struct.pack("i", wfd))])
                os.close(wfd)
            elif kind == 4:
                r, wfd = os.pipe()
                readers.append(r)
                # Two fds announced, one sent: gone before the second.
                s.sendall(opening + packet(prog, calls, CALL_WITH_FDS, 10, OK, nfds=2))
                s.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     struct.pack("i", wfd))])
                os.close(wfd)
            else:
                s.sendall(opening + packet(prog, calls, CALL, 10)[:30])
        except (BrokenPipeError, ConnectionResetError):
            pass
    for s in socks:
        s.close()
    return readers


def _check_pipes_closed(readers, what):
    """Every passed write end must be closed by the server: EOF on ours."""
    for r in readers:
        os.set_blocking(r, False)
    deadline = time.monotonic() + 30
    for r in readers:
        while True:
            try:
                data = os.read(r, 1)
                check_eq(data, b"", "%s: pipe data" % what)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise mvtest.TestFailure("%s: a passed fd is still open in the server" % what)
                time.sleep(0.05)
        os.close(r)


def _socket_round(stack, pid, path, admin, what):
    _good_client(path, admin)
    baseline = mvwire.fd_count(pid)
    _battery(path, admin)
    readers = _vanishing_clients(path, admin)
    _check_pipes_closed(readers, what)
    _good_client(path, admin)
    _wait_fds(pid, baseline, what)
    check(mvtest.pid_alive(pid), "%s died" % what)


def test_daemon_bad_input_valgrind():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud", wrapper=_valgrind(s, "mvqemud"))
        pid = s.procs["mvqemud"][-1].pid
        for kind, admin in (("sock", False), ("sock-ro", False), ("admin-sock", True)):
            _socket_round(s, pid, s.sock("mvqemud", kind), admin, "mvqemud-" + kind)
        mvtest.wait_for(lambda: "Id" in s.virt_admin("mvqemud", "srv-list").stdout,
                        what="admin answers")
        _check_valgrind(s, "mvqemud")


def test_proxy_bad_input_valgrind():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud")
        s.start("mvproxyd", wrapper=_valgrind(s, "mvproxyd"))
        qpid = s.pid_of("mvqemud")
        ppid = s.procs["mvproxyd"][-1].pid
        _good_client(s.sock("mvqemud"), False)
        qbase = mvwire.fd_count(qpid)
        for kind, admin in (("sock", False), ("sock-ro", False), ("admin-sock", True)):
            _socket_round(s, ppid, s.sock("mvproxyd", kind), admin, "mvproxyd-" + kind)
        # The upstream connections the proxy opened are gone as well.
        _wait_fds(qpid, qbase, "mvqemud behind the proxy")
        check_eq(s.pid_of("mvqemud"), qpid, "mvqemud pid")
        _check_valgrind(s, "mvproxyd")


def test_other_daemons_bad_input():
    """The same on the storage and network daemons' sockets (no valgrind:
    the RPC code is the one checked above)."""
    with mvtest.Stack(name="mv-robust") as s:
        for daemon in ("mvstoraged", "mvnetworkd"):
            s.start(daemon)
            pid = s.pid_of(daemon)
            for kind, admin in (("sock", False), ("sock-ro", False), ("admin-sock", True)):
                _socket_round(s, pid, s.sock(daemon, kind), admin, "%s-%s" % (daemon, kind))


# ---- unimplemented procedures --------------------------------------------------------


def _check_unimplemented(path):
    with mvwire.Wire(path) as w:
        w.handshake()
        for proc in (mvwire.PROC_CONNECT_LIST_ALL_NWFILTERS, 399, 444, 100000):
            e = w.call_error(proc, u32(1) + u32(0))
            check_eq((e.code, e.domain), (mvwire.ERR_RPC, mvwire.FROM_RPC),
                     "error of procedure %d" % proc)
            check_eq(e.message, "unknown procedure: %d" % proc, "message")
            check_eq(w.hostname(), socket.gethostname(), "hostname after %d" % proc)


def test_unimplemented_procedure():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        _check_unimplemented(s.sock("mvqemud"))
        _check_unimplemented(s.sock("mvproxyd"))
        code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
for i in range(3):
    try:
        c.listAllNWFilters()
        sys.exit("unexpected success")
    except libvirt.libvirtError as e:
        assert e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT, e.get_error_code()
    print("host", c.getHostname())
c.close()
'''
        for daemon in ("mvqemud", "mvproxyd"):
            out = s.python(code, s.uri(daemon)).stdout
            check_eq(out.count("host "), 3, "calls after NO_SUPPORT")


# ---- pipelining -------------------------------------------------------------------


def _pipeline(path, n, base=1000):
    """@n calls back to back before reading anything; replies matched by
    serial."""
    with mvwire.Wire(path, timeout=60) as w:
        w.handshake()
        data = b""
        want = {}
        for i in range(n):
            serial = base + i * 7       # not in order, not contiguous
            if i % 3 == 0:
                data += packet(REMOTE_PROGRAM, mvwire.PROC_CONNECT_GET_HOSTNAME, CALL, serial)
                want[serial] = "hostname"
            elif i % 3 == 1:
                data += packet(REMOTE_PROGRAM, mvwire.PROC_NODE_GET_INFO, CALL, serial)
                want[serial] = "nodeinfo"
            else:
                data += packet(REMOTE_PROGRAM, 286, CALL, serial, OK, u32(1) + u32(0))
                want[serial] = "error"
        w.send(data)
        got = {}
        while len(got) < n:
            pkt = w.recv()
            check(pkt.serial in want, "reply with unknown serial %d" % pkt.serial)
            check(pkt.serial not in got, "two replies for serial %d" % pkt.serial)
            got[pkt.serial] = pkt
        for serial, kind in want.items():
            pkt = got[serial]
            if kind == "error":
                check_eq(pkt.status, ERROR, "status of %d" % serial)
                check_in("unknown procedure", pkt.error().message)
            elif kind == "hostname":
                check_eq(pkt.status, OK, "status of %d" % serial)
                check_eq(mvwire.Reader(pkt.payload).string(), socket.gethostname(), "host")
            else:
                check_eq(pkt.status, OK, "status of %d" % serial)
                # model char[32] (4 bytes each), memory u64, 6 ints.
                check_eq(len(pkt.payload), 128 + 8 + 6 * 4, "NODE_GET_INFO size")
        check_eq(w.hostname(), socket.gethostname(), "hostname after the burst")


def test_pipelining():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        _pipeline(s.sock("mvqemud"), 50)
        _pipeline(s.sock("mvproxyd"), 50)


def test_pipelining_throttled():
    """max_client_requests=1 and a single worker: 600 calls still all get
    their reply."""
    with mvtest.Stack(name="mv-robust") as s:
        conf = os.path.join(s.root, "throttle.conf")
        with open(conf, "w") as f:
            f.write("[server]\nmax_client_requests=1\nmin_workers=1\nmax_workers=1\n"
                    "prio_workers=0\n")
        s.start("mvqemud", "--config", conf)
        s.start("mvproxyd", "--config", conf)
        _pipeline(s.sock("mvqemud"), 600)
        _pipeline(s.sock("mvproxyd"), 600)


# ---- clients that send without reading --------------------------------------------------


def _flood(path, pid, proc, seconds=2.0, limit_kib=64 * 1024):
    """Calls as fast as the server takes them, reading nothing: the server
    must stop reading rather than queue replies without bound.  Then every
    call sent gets its reply."""
    with mvwire.Wire(path, timeout=60) as w:
        w.handshake()
        base = mvtest.rss_kib(pid)
        peak = base
        serial = 1000
        nsent = 0
        pending = b""
        w.sock.setblocking(False)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not pending:
                pending = b"".join(packet(REMOTE_PROGRAM, proc, CALL, serial + i)
                                   for i in range(256))
                serial += 256
            try:
                n = w.sock.send(pending)
            except BlockingIOError:
                n = 0
                time.sleep(0.005)
            pending = pending[n:]
            nsent = serial - 1000 - (len(pending) + 27) // 28
            peak = max(peak, mvtest.rss_kib(pid)) if n == 0 else peak
        peak = max(peak, mvtest.rss_kib(pid))
        check(peak - base < limit_kib, "server RSS grew by %d KiB for a client that does not "
              "read (%d calls sent)" % (peak - base, nsent))
        # Now read, sending what is left; every call is answered.
        want = set(range(1000, serial))
        got = 0
        while got < len(want):
            if pending:
                try:
                    pending = pending[w.sock.send(pending):]
                except BlockingIOError:
                    pass
            w.sock.settimeout(0.05)
            try:
                pkt = w.recv(timeout=0.05 if pending else 30)
            except TimeoutError:
                continue
            finally:
                w.sock.setblocking(False)
            check(pkt.serial in want, "unexpected reply %r" % pkt)
            check_eq(pkt.status, OK, "status of %d" % pkt.serial)
            got += 1
        w.sock.setblocking(True)
        check(nsent > 1000, "only %d calls sent" % nsent)
        check_eq(w.hostname(), socket.gethostname(), "hostname after the flood")


def test_flood_without_reading():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        for daemon in ("mvqemud", "mvproxyd"):
            for proc in (mvwire.PROC_CONNECT_GET_HOSTNAME, mvwire.PROC_NODE_GET_INFO):
                _flood(s.sock(daemon), s.pid_of(daemon), proc)


# ---- file descriptors ---------------------------------------------------------------


def _fd_call(path, pid, nfds, proc=mvwire.PROC_CONNECT_GET_HOSTNAME):
    """A CALL_WITH_FDS of @nfds pipe write ends; returns the reply and
    checks that the server closed every one of them."""
    pipes = [os.pipe() for _ in range(nfds)]
    with mvwire.Wire(path) as w:
        w.handshake()
        serial = w.next_serial()
        w.send(packet(REMOTE_PROGRAM, proc, CALL_WITH_FDS, serial, OK, nfds=nfds))
        w.send_fds([wfd for _, wfd in pipes])
        for _, wfd in pipes:
            os.close(wfd)
        pkt = w.recv()
        check_eq(pkt.serial, serial, "reply serial")
        check_eq(pkt.type, REPLY, "reply type")
        _check_pipes_closed([r for r, _ in pipes], "fds passed to procedure %d" % proc)
        check_eq(w.hostname(), socket.gethostname(), "hostname after the fds")
        return pkt


def _check_fd_passing(stack, daemon):
    path = stack.sock(daemon)
    pid = stack.pid_of(daemon)
    _good_client(path, False)
    baseline = mvwire.fd_count(pid)
    for nfds in (1, 3, 32):
        # Inline on the I/O thread.
        pkt = _fd_call(path, pid, nfds)
        check_eq(pkt.status, OK, "status")
        check_eq(mvwire.Reader(pkt.payload).string(), socket.gethostname(), "hostname")
        # On a worker.
        pkt = _fd_call(path, pid, nfds, proc=mvwire.PROC_NODE_GET_INFO)
        check_eq(pkt.status, OK, "status")
        check_eq(len(pkt.payload), 128 + 8 + 6 * 4, "NODE_GET_INFO size")
    # Refused calls close their fds too.
    pkt = _fd_call(path, pid, 2, proc=444)
    check_eq(pkt.status, ERROR, "status of an unknown procedure")
    with mvwire.Wire(stack.sock(daemon, "sock-ro")) as w:
        r, wfd = os.pipe()
        w.handshake()
        w.send(packet(REMOTE_PROGRAM, mvwire.PROC_DOMAIN_DEFINE_XML, CALL_WITH_FDS, 50, OK,
                      nfds=1))
        w.send_fds([wfd])
        os.close(wfd)
        check_eq(w.recv().error().code, mvwire.ERR_OPERATION_DENIED, "read-only refusal")
        _check_pipes_closed([r], "fd of a refused call")
    _wait_fds(pid, baseline, daemon)


def test_fd_passing():
    with mvtest.Stack(name="mv-robust") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        _check_fd_passing(s, "mvqemud")
        _check_fd_passing(s, "mvproxyd")


if __name__ == "__main__":
    mvtest.main(globals())
