# SPDX-License-Identifier: LGPL-2.1-or-later
"""Limits from the configuration file that must not stop a server.

max_client_requests=0 is accepted by the configuration ("an integer from 0
to 10000"); it must not make a daemon (or the proxy) stop reading a client
for good after its first call run on a worker: each call is answered, one
at a time.
"""

import os
import socket

import mvtest
import mvwire
from mvtest import check_eq
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


if __name__ == "__main__":
    mvtest.main(globals())
