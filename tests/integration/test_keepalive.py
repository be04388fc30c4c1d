# SPDX-License-Identifier: LGPL-2.1-or-later
"""Server keepalive, on a daemon and on the proxy, with
keepalive_interval=1 and keepalive_count=2 from a --config file: a client
that asked for keepalive (feature 10) and stops answering PINGs is dropped
after about interval x (count + 1) seconds, having received `count` PINGs;
one that answers stays; one that never asked is never pinged."""

import concurrent.futures
import os
import signal
import socket
import time

import mvtest
import mvwire
from mvtest import check, check_eq

INTERVAL = 1
COUNT = 2
CONFIG = "[server]\nkeepalive_interval=%d\nkeepalive_count=%d\n" % (INTERVAL, COUNT)


def _silent(path):
    """Asks for keepalive, then never answers: dropped."""
    with mvwire.Wire(path, auto_pong=False, timeout=30) as w:
        w.handshake(keepalive=True)
        t0 = time.monotonic()
        seen = w.wait_closed(timeout=30)
        elapsed = time.monotonic() - t0
        return elapsed, w.pings, seen


def _answering(path, duration):
    """Asks for keepalive and answers every PING: kept."""
    with mvwire.Wire(path, auto_pong=True, timeout=30) as w:
        w.handshake(keepalive=True)
        end = time.monotonic() + duration
        while time.monotonic() < end:
            try:
                pkt = w.recv(timeout=max(0.01, end - time.monotonic()))
                raise mvtest.TestFailure("unexpected packet %r" % pkt)
            except TimeoutError:
                pass
        return w.pings, w.hostname()


def _not_asked(path, duration):
    """Never asked for keepalive: never pinged, never dropped."""
    with mvwire.Wire(path, auto_pong=False, timeout=30) as w:
        w.handshake(keepalive=False)
        closed = w.is_closed(timeout=duration)
        pings = 0
        if not closed:
            host = w.hostname()
            pings = w.pings
        else:
            host = None
        return closed, pings, host


def _check_all(paths):
    death = INTERVAL * (COUNT + 1)
    duration = 2 * death + 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=3 * len(paths)) as pool:
        silent = {p: pool.submit(_silent, p) for p in paths}
        answering = {p: pool.submit(_answering, p, duration) for p in paths}
        not_asked = {p: pool.submit(_not_asked, p, duration) for p in paths}
        for p in paths:
            name = os.path.basename(p)
            elapsed, pings, seen = silent[p].result()
            check_eq(seen, [], "%s: packets before the close" % name)
            check_eq(pings, COUNT, "%s: PINGs sent to a silent client" % name)
            check(death - 0.5 <= elapsed <= death + 1.5,
                  "%s: silent client dropped after %.1fs, want about %ds" % (name, elapsed, death))
            pings, host = answering[p].result()
            check(pings >= 2, "%s: only %d PINGs in %ds" % (name, pings, duration))
            check_eq(host, socket.gethostname(), "%s: answering client still served" % name)
            closed, pings, host = not_asked[p].result()
            check(not closed, "%s: client without keepalive was dropped" % name)
            check_eq(pings, 0, "%s: PINGs to a client that did not ask" % name)
            check_eq(host, socket.gethostname(), "%s: hostname" % name)


def test_keepalive():
    with mvtest.Stack(name="mv-keepalive") as s:
        conf = os.path.join(s.root, "keepalive.conf")
        with open(conf, "w") as f:
            f.write(CONFIG)
        s.start("mvqemud", "--config", conf)
        s.start("mvproxyd", "--config", conf)
        _check_all([s.sock("mvqemud"), s.sock("mvqemud", "sock-ro"), s.sock("mvproxyd")])


def test_keepalive_virsh():
    """Stock clients answer the PINGs: a virsh session outlives several
    death intervals."""
    with mvtest.Stack(name="mv-keepalive") as s:
        conf = os.path.join(s.root, "keepalive.conf")
        with open(conf, "w") as f:
            f.write(CONFIG)
        s.start("mvqemud", "--config", conf)
        s.start("mvproxyd", "--config", conf)
        code = r'''
import libvirt, sys, time, threading
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
c = libvirt.open(sys.argv[1])
closed = []
c.registerCloseCallback(lambda conn, reason, opaque: closed.append(reason), None)
time.sleep(float(sys.argv[2]))
print("alive", c.isAlive(), "closed", closed, "host", c.getHostname())
'''
        secs = str(INTERVAL * (COUNT + 1) * 2 + 1)
        daemons = ("mvqemud", "mvproxyd")
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(daemons)) as pool:
            runs = {d: pool.submit(s.python, code, s.uri(d), secs) for d in daemons}
            for daemon in daemons:
                out = runs[daemon].result().stdout
                check_eq(out.split()[:4], ["alive", "1", "closed", "[]"],
                         "%s: %s" % (daemon, out))


def test_keepalive_while_throttled():
    """A client whose calls wait (the proxy stopped reading it at
    max_client_requests, the daemon being frozen) is not dropped for the
    PONGs we did not read."""
    with mvtest.Stack(name="mv-keepalive") as s:
        conf = os.path.join(s.root, "keepalive.conf")
        with open(conf, "w") as f:
            f.write(CONFIG + "max_client_requests=2\n")
        s.start("mvqemud")
        s.start("mvproxyd", "--config", conf)
        qpid = s.pid_of("mvqemud")
        with mvwire.Wire(s.sock("mvproxyd"), auto_pong=True, timeout=30) as w:
            w.handshake(keepalive=True)
            os.kill(qpid, signal.SIGSTOP)
            try:
                for serial in range(100, 104):
                    w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, mvwire.PROC_NODE_GET_INFO,
                                         mvwire.CALL, serial))
                try:
                    pkt = w.recv(timeout=INTERVAL * (COUNT + 1) * 2 + 1)
                    raise mvtest.TestFailure("unexpected packet %r" % pkt)
                except TimeoutError:
                    pass
                check(w.pings >= 2, "only %d PINGs while throttled" % w.pings)
            finally:
                os.kill(qpid, signal.SIGCONT)
            serials = sorted(w.recv().serial for _ in range(4))
            check_eq(serials, [100, 101, 102, 103], "replies after the thaw")
            check_eq(w.hostname(), socket.gethostname(), "hostname")


if __name__ == "__main__":
    mvtest.main(globals())
