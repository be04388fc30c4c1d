# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the proxy holds for a client, and what it makes wait instead.

While mvproxyd connects to a daemon (starting it, which may take seconds),
the client's packets for that daemon wait in the proxy.  Calls are bounded
by max_client_requests, but stream data is never answered: a client sending
it must be held back (the proxy stops reading it), not kept in memory.
Once the daemon is up, what waited goes to it and the client is read again.

A client that does not read what its daemons send makes the proxy stop
reading them, the daemons it connects to afterwards included: a download
started then waits in mvstoraged, not in the proxy.
"""

import os
import struct
import time

import mvtest
import mvwire
from mvtest import check, check_eq
from mvwire import CALL, CONTINUE, OK, REMOTE_PROGRAM, STREAM, packet

PROC_CONNECT_GET_CAPABILITIES = 7
PROC_CONNECT_NUM_OF_STORAGE_POOLS = 71
PROC_STORAGE_VOL_UPLOAD = 208
PROC_STORAGE_VOL_DOWNLOAD = 209
MiB = 1 << 20
CHUNK = 262120


def _slow_storaged_dir(stack, delay):
    """A MODVIRT_DAEMON_PATH whose mvstoraged listens only after @delay s."""
    d = os.path.join(stack.root, "daemons-slow")
    os.makedirs(d)
    for name in ("mvqemud", "mvnetworkd"):
        os.symlink(os.path.join(mvtest.DAEMON_DIR, name), os.path.join(d, name))
    path = os.path.join(d, "mvstoraged")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nsleep %d\nexec %s \"$@\"\n"
                % (delay, os.path.join(mvtest.DAEMON_DIR, "mvstoraged")))
    os.chmod(path, 0o755)
    return d


def test_stream_data_for_a_starting_daemon():
    with mvtest.Stack(name="mv-pxpend") as s:
        s.start("mvqemud")
        env = dict(s.env)
        env["MODVIRT_DAEMON_PATH"] = _slow_storaged_dir(s, 4)
        s.start("mvproxyd", env=env)
        pid = s.pid_of("mvproxyd")
        with mvwire.Wire(s.sock("mvproxyd"), timeout=30) as w:
            w.handshake()
            base = mvtest.rss_kib(pid)
            # Stream data for the storage daemon (on a serial no stream
            # uses: mvstoraged drops it once there), as fast as the proxy
            # takes it, for 2 s while mvstoraged is starting.
            chunk = packet(REMOTE_PROGRAM, PROC_STORAGE_VOL_UPLOAD, STREAM, 77, CONTINUE,
                           b"\0" * CHUNK)
            w.sock.setblocking(False)
            pending = b""
            sent = 0
            end = time.monotonic() + 2.0
            while time.monotonic() < end:
                if not pending:
                    pending = chunk
                try:
                    n = w.sock.send(pending)
                except BlockingIOError:
                    time.sleep(0.002)
                    continue
                pending = pending[n:]
                sent += n
            grown = mvtest.rss_kib(pid) - base
            check(grown < 48 * 1024, "the proxy grew by %d KiB holding %d MiB of stream data "
                  "for a daemon that is starting" % (grown, sent // MiB))
            check(sent < 64 * MiB, "the proxy took %d MiB from the client while the daemon "
                  "was starting" % (sent // MiB))
            # Once mvstoraged listens, the client is read again: the rest of
            # the packet, and calls to both daemons, are answered.
            w.sock.settimeout(30)
            w.sock.sendall(pending)
            w.send(packet(REMOTE_PROGRAM, PROC_CONNECT_NUM_OF_STORAGE_POOLS, CALL, 5000))
            pkt = w.recv(timeout=30)
            check_eq((pkt.serial, pkt.status), (5000, OK), "storage call after the start")
            check_eq(mvwire.Reader(pkt.payload).i32(), 0, "number of pools")
            check(w.hostname(), "hostname after the start")


def test_new_upstream_of_a_slow_reader():
    vol_mib = 128
    with mvtest.Stack(name="mv-pxpend") as s:
        conf = os.path.join(s.root, "proxy.conf")
        with open(conf, "w") as f:
            # The client is then never paused for its calls in flight: only
            # the back-pressure on what it does not read applies.
            f.write("[server]\nmax_client_requests=2000\n")
        s.start("mvqemud")
        s.start("mvstoraged")
        s.start("mvproxyd", "--config", conf)
        pdir = os.path.join(s.root, "pool")
        os.makedirs(pdir)
        s.virsh("pool-define-as", "p1", "dir", "--target", pdir)
        s.virsh("pool-start", "p1")
        s.virsh("vol-create-as", "p1", "v1", "%dM" % vol_mib)
        with open(os.path.join(pdir, "v1"), "r+b") as f:
            for _ in range(vol_mib):
                f.write(os.urandom(MiB))
        pid = s.pid_of("mvproxyd")
        with mvwire.Wire(s.sock("mvproxyd"), timeout=60) as w:
            w.handshake()
            base = mvtest.rss_kib(pid)
            # Capabilities (about 11 KiB each) from mvqemud, 1000 times,
            # unread: the proxy stops reading mvqemud past 4 MiB.
            ncaps = 1000
            w.send(b"".join(packet(REMOTE_PROGRAM, PROC_CONNECT_GET_CAPABILITIES, CALL, 1000 + i)
                            for i in range(ncaps)))
            mvtest.wait_for(lambda: mvtest.rss_kib(pid) - base > 3584, timeout=30,
                            what="the proxy to queue 4 MiB of replies")
            time.sleep(0.5)
            # A download: the first call for mvstoraged, a new connection.
            key = os.path.join(pdir, "v1")
            args = (mvwire.xdr_string("p1") + mvwire.xdr_string("v1") + mvwire.xdr_string(key) +
                    struct.pack(">QQI", 0, 0, 0))
            w.send(packet(REMOTE_PROGRAM, PROC_STORAGE_VOL_DOWNLOAD, CALL, 7, OK, args))
            peak = 0
            for _ in range(20):
                time.sleep(0.1)
                peak = max(peak, mvtest.rss_kib(pid) - base)
            check(peak < 40 * 1024, "the proxy grew by %d KiB for a client that reads nothing "
                  "(a %d MiB download)" % (peak, vol_mib))
            # Reading now, everything arrives: the replies, then the data.
            caps = 0
            data = 0
            opened = False
            while True:
                pkt = w.recv(timeout=60)
                if pkt.type == mvwire.REPLY and pkt.serial == 7:
                    check_eq(pkt.status, OK, "download reply")
                    opened = True
                elif pkt.type == mvwire.REPLY:
                    check_eq(pkt.status, OK, "capabilities %d" % pkt.serial)
                    caps += 1
                else:
                    check_eq((pkt.type, pkt.serial), (STREAM, 7), "stream packet")
                    if not pkt.payload:
                        break
                    data += len(pkt.payload)
            check(opened, "download reply")
            check_eq(caps, ncaps, "capabilities replies")
            check_eq(data, vol_mib * MiB, "bytes downloaded")


if __name__ == "__main__":
    mvtest.main(globals())
