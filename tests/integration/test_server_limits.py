# SPDX-License-Identifier: LGPL-2.1-or-later
"""Limits from the configuration file that must not stop a server.

max_client_requests=0 is accepted by the configuration ("an integer from 0
to 10000"); it must not make a daemon (or the proxy) stop reading a client
for good after its first call run on a worker: each call is answered, one
at a time.

The file descriptor limit (RLIMIT_NOFILE, systemd's default soft limit is
1024) must not let clients take every descriptor: connections beyond what
leaves the daemon a reserve for itself are refused, and the daemon (or the
proxy) goes on serving; it used to abort (GLib cannot make its wakeup pipes)
once a local user had opened that many connections to the read-only socket.
"""

import os
import resource
import socket
import struct
import time

import mvtest
import mvwire
from mvtest import check, check_eq, check_in
from mvwire import CALL, OK, REMOTE_PROGRAM, packet


def _calls_answered(path):
    with mvwire.Wire(path, timeout=10) as w:
        w.handshake()
        for i in range(5):
            # NODE_GET_INFO runs on a worker; the hostname inline.
            payload = w.call(mvwire.PROC_NODE_GET_INFO)
            check_eq(len(payload), 128 + 8 + 6 * 4, "NODE_GET_INFO %d" % i)
            check_eq(w.hostname(), socket.gethostname(), "hostname %d" % i)
        # Pipelined: all answered.
        w.send(b"".join(packet(REMOTE_PROGRAM, mvwire.PROC_NODE_GET_INFO, CALL, 500 + i)
                        for i in range(20)))
        got = sorted(w.recv().serial for _ in range(20))
        check_eq(got, list(range(500, 520)), "pipelined replies")


def test_max_client_requests_zero():
    with mvtest.Stack(name="mv-limits") as s:
        conf = os.path.join(s.root, "zero.conf")
        with open(conf, "w") as f:
            f.write("[server]\nmax_client_requests=0\n")
        s.start("mvqemud", "--config", conf)
        s.start("mvproxyd", "--config", conf)
        _calls_answered(s.sock("mvqemud"))
        _calls_answered(s.sock("mvproxyd"))


def _flood_connections(stack, daemon, handshake):
    """400 connections to a daemon limited to 256 descriptors."""
    pid = stack.pid_of(daemon)
    with open("/proc/%d/limits" % pid) as f:
        check_in("256", [l for l in f if l.startswith("Max open files")][0], "limit")
    conns = []
    try:
        for _ in range(400):
            try:
                w = mvwire.Wire(stack.sock(daemon, "sock-ro"), timeout=10)
                conns.append(w)
                if handshake:
                    w.handshake()
            except (OSError, mvwire.Closed):
                pass
        # Accepted (or refused) as the daemon gets to them.
        mvtest.wait_for(lambda: "too many open files" in stack.log(daemon) or
                        not mvtest.pid_alive(pid), timeout=10, what="%s refusals" % daemon)
        time.sleep(0.5)
        check(mvtest.pid_alive(pid), "%s died with %d connections:\n%s"
              % (daemon, len(conns), stack.log(daemon)[-1500:]))
        check(mvwire.fd_count(pid) <= 256, "%s fds" % daemon)
    finally:
        for w in conns:
            w.close()
    # Once they are gone, a client is served again.
    mvtest.wait_for(lambda: mvwire.fd_count(pid) < 64, timeout=10, what="%s fds" % daemon)
    with mvwire.Wire(stack.sock(daemon)) as w:
        w.handshake()
        check_eq(w.hostname(), socket.gethostname(), "%s hostname after the flood" % daemon)
    check(mvtest.pid_alive(pid), "%s alive" % daemon)


def _raise_own_nofile(want):
    """This test's own soft limit of open files to @want (at most the hard
    one): its clients need that many sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


def test_fd_limit():
    _raise_own_nofile(1024)
    limit = ["prlimit", "--nofile=256:256", "--"]
    with mvtest.Stack(name="mv-limits") as s:
        s.start("mvqemud", wrapper=limit)
        _flood_connections(s, "mvqemud", False)
        s.start("mvproxyd", wrapper=limit)
        _flood_connections(s, "mvproxyd", True)


def test_fd_limit_reached_by_the_daemon():
    """Clients' own work (a download each: its file) can take the reserve
    too: then accept() fails (EMFILE) and the daemon waits a second before
    trying again, instead of spinning on the still readable socket."""
    _raise_own_nofile(1024)
    with mvtest.Stack(name="mv-limits") as s:
        s.start("mvstoraged", wrapper=["prlimit", "--nofile=256:256", "--"])
        pid = s.pid_of("mvstoraged")
        uri = s.uri("mvstoraged", scheme="storage")
        pdir = os.path.join(s.root, "pool")
        os.makedirs(pdir)
        s.virsh("pool-define-as", "p1", "dir", "--target", pdir, uri=uri)
        s.virsh("pool-start", "p1", uri=uri)
        s.virsh("vol-create-as", "p1", "v1", "16M", uri=uri)
        key = os.path.join(pdir, "v1")
        download = (mvwire.xdr_string("p1") + mvwire.xdr_string("v1") + mvwire.xdr_string(key) +
                    struct.pack(">QQI", 0, 0, 0))
        clients = []
        pending = []
        try:
            # As many clients as the limit lets in (the rest is refused).
            for _ in range(220):
                try:
                    w = mvwire.Wire(s.sock("mvstoraged"), timeout=10)
                    clients.append(w)
                    w.handshake()
                except (OSError, mvwire.Closed):
                    clients.pop().close()
            check(len(clients) > 100, "only %d clients" % len(clients))
            # Downloads nobody reads: their files take the last descriptors.
            for w in clients[:100]:
                w.send(packet(REMOTE_PROGRAM, 209, CALL, 7, OK, download))
            mvtest.wait_for(lambda: mvwire.fd_count(pid) >= 256, timeout=10,
                            what="mvstoraged's descriptors all used")
            # Connections it cannot accept now.
            for _ in range(10):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.connect(s.sock("mvstoraged"))
                pending.append(c)
            # The downloads first fill their sockets (1 MiB send buffers
            # each, a stream's): wait until that work is over, at most 20 s.
            end = time.monotonic() + 20
            while time.monotonic() < end:
                spent = mvtest.cpu_seconds(pid)
                time.sleep(0.5)
                if mvtest.cpu_seconds(pid) - spent < 0.05:
                    break
            spent = mvtest.cpu_seconds(pid)
            time.sleep(2.0)
            spent = mvtest.cpu_seconds(pid) - spent
            check(spent < 0.5, "mvstoraged used %.2fs of CPU in 2s with no descriptor left"
                  % spent)
            check_in("no file descriptor left", s.log("mvstoraged"), "log")
        finally:
            for w in clients:
                w.close()
            for c in pending:
                c.close()
        # Descriptors back: it accepts again.
        mvtest.wait_for(lambda: mvwire.fd_count(pid) < 64, timeout=10, what="fds released")
        with mvwire.Wire(s.sock("mvstoraged"), timeout=10) as w:
            w.handshake()
            check_eq(w.hostname(), socket.gethostname(), "hostname after")


def _nofile(pid):
    with open("/proc/%d/limits" % pid) as f:
        line = [l for l in f if l.startswith("Max open files")][0]
    return [int(v) for v in line.split()[3:5]]


def test_nofile_raised():
    """The soft limit goes up to the hard one (at most 65536): systemd's
    default of 1024 would otherwise cap the clients far below max_clients."""
    _raise_own_nofile(4096)
    with mvtest.Stack(name="mv-limits") as s:
        s.start("mvqemud", wrapper=["prlimit", "--nofile=1024:2048", "--"])
        pid = s.pid_of("mvqemud")
        check_eq(_nofile(pid), [2048, 2048], "mvqemud's limit of open files")
        conns = []
        try:
            for _ in range(1200):
                conns.append(mvwire.Wire(s.sock("mvqemud", "sock-ro")))
            mvtest.wait_for(lambda: mvwire.fd_count(pid) > 1200, timeout=10,
                            what="1200 clients of mvqemud")
            check("too many open files" not in s.log("mvqemud"), "refusals:\n%s"
                  % s.log("mvqemud")[-500:])
        finally:
            for w in conns:
                w.close()
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard == resource.RLIM_INFINITY:
            hard = 1 << 20
        s.start("mvproxyd", wrapper=["prlimit", "--nofile=1024:%d" % hard, "--"])
        check_eq(_nofile(s.pid_of("mvproxyd")), [min(hard, 65536), hard], "mvproxyd's limit")
        s.start("mvstoraged", wrapper=["prlimit", "--nofile=512:512", "--"])
        check_eq(_nofile(s.pid_of("mvstoraged")), [512, 512], "mvstoraged's limit")


if __name__ == "__main__":
    mvtest.main(globals())
