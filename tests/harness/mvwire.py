# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvwire: libvirt's RPC framing by hand, for tests that must send what no
well-behaved client would (bad lengths, wrong programs, pipelined calls,
file descriptors) and look at every byte that comes back.

A packet is a 4-byte big-endian length (counting itself), a 24-byte header
(prog, vers, proc, type, serial, status) and an XDR payload.
"""

import os
import re
import select
import socket
import struct
import time

REMOTE_PROGRAM = 0x20008086
QEMU_PROGRAM = 0x20008087
ADMIN_PROGRAM = 0x06900690
KEEPALIVE_PROGRAM = 0x6B656570

CALL, REPLY, MESSAGE, STREAM, CALL_WITH_FDS, REPLY_WITH_FDS, STREAM_HOLE = range(7)
OK, ERROR, CONTINUE = range(3)

KEEPALIVE_PING, KEEPALIVE_PONG = 1, 2

# Remote procedures used by the tests.
PROC_CONNECT_OPEN = 1
PROC_CONNECT_CLOSE = 2
PROC_CONNECT_GET_TYPE = 3
PROC_NODE_GET_INFO = 6
PROC_DOMAIN_DEFINE_XML = 11
PROC_CONNECT_GET_HOSTNAME = 59
PROC_CONNECT_SUPPORTS_FEATURE = 60
PROC_AUTH_LIST = 66
PROC_CONNECT_GET_URI = 110
PROC_CONNECT_LIST_ALL_NWFILTERS = 286

FEATURE_PROGRAM_KEEPALIVE = 10

# Error codes and domains (virErrorNumber, virErrorDomain).
ERR_NO_SUPPORT = 3
ERR_OPERATION_DENIED = 29
ERR_RPC = 39
FROM_RPC = 7
FROM_DOMAIN = 20

MESSAGE_MAX = 33554432
HEADER_LEN = 28

# ---- XDR ------------------------------------------------------------------


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def i32(v):
    return struct.pack(">i", v)


def xdr_string(s):
    b = s.encode() if isinstance(s, str) else s
    return u32(len(b)) + b + b"\0" * (-len(b) % 4)


def xdr_opt_string(s):
    return u32(0) if s is None else u32(1) + xdr_string(s)


class Reader:
    """Sequential XDR decoding of a payload."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def u32(self):
        v = struct.unpack_from(">I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def i32(self):
        v = struct.unpack_from(">i", self.data, self.pos)[0]
        self.pos += 4
        return v

    def u64(self):
        v = struct.unpack_from(">Q", self.data, self.pos)[0]
        self.pos += 8
        return v

    def opaque(self, n):
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def string(self):
        n = self.u32()
        v = self.data[self.pos:self.pos + n].decode(errors="replace")
        self.pos += n + (-n % 4)
        return v

    def opt_string(self):
        return self.string() if self.u32() else None

    def done(self):
        return self.pos == len(self.data)


class RemoteError(Exception):
    def __init__(self, code, domain, message):
        super().__init__("error %d (domain %d): %s" % (code, domain, message))
        self.code = code
        self.domain = domain
        self.message = message


def decode_error(payload):
    r = Reader(payload)
    code = r.i32()
    domain = r.i32()
    message = r.opt_string()
    r.i32()                       # level
    if r.u32():                   # dom
        r.string()
        r.opaque(16)
        r.i32()
    for _ in range(3):            # str1..str3
        r.opt_string()
    r.i32()                       # int1
    r.i32()                       # int2
    if r.u32():                   # net
        r.string()
        r.opaque(16)
    if not r.done():
        raise ValueError("trailing bytes after an error payload")
    return RemoteError(code, domain, message)


# ---- packets -------------------------------------------------------------


def packet(prog, proc, ptype=CALL, serial=0, status=OK, payload=b"", vers=1, nfds=None):
    """One whole packet; *_WITH_FDS types carry the fd count before the
    payload."""
    body = struct.pack(">IIiIII", prog, vers, proc, ptype, serial, status)
    if nfds is not None:
        body += u32(nfds)
    body += payload
    return u32(len(body) + 4) + body


class Packet:
    def __init__(self, data, fds=()):
        self.prog, self.vers, self.proc, self.type, self.serial, self.status = \
            struct.unpack_from(">IIiIII", data, 0)
        off = 24
        self.nfds = 0
        if self.type in (CALL_WITH_FDS, REPLY_WITH_FDS):
            self.nfds = struct.unpack_from(">I", data, off)[0]
            off += 4
        self.payload = data[off:]
        self.fds = list(fds)

    def error(self):
        return decode_error(self.payload)

    def is_ping(self):
        return (self.prog == KEEPALIVE_PROGRAM and self.proc == KEEPALIVE_PING and
                self.type == MESSAGE)

    def __repr__(self):
        return "<Packet prog=%#x proc=%d type=%d serial=%d status=%d len=%d>" % (
            self.prog, self.proc, self.type, self.serial, self.status, len(self.payload))


class Closed(Exception):
    """The peer closed the connection."""


class Wire:
    """A raw connection.  recv() answers keepalive PINGs when auto_pong is
    set, and counts the PINGs it saw."""

    def __init__(self, path, auto_pong=True, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.auto_pong = auto_pong
        self.pings = 0
        self.serial = 0
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def next_serial(self):
        s = self.serial
        self.serial += 1
        return s

    def send(self, data):
        self.sock.sendall(data)

    def send_fds(self, fds):
        """The fds of a *_WITH_FDS packet: one dummy byte each."""
        for fd in fds:
            self.sock.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                        struct.pack("i", fd))])

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete packet within the timeout")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed by the peer")
            self.buf += chunk

    def recv_raw(self, timeout=None):
        """The next packet, whatever it is."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        self._fill(4, deadline)
        length = struct.unpack_from(">I", self.buf)[0]
        if length < HEADER_LEN or length > MESSAGE_MAX + 4:
            raise ValueError("bad length %d from the server" % length)
        self._fill(length, deadline)
        data, self.buf = self.buf[4:length], self.buf[length:]
        return Packet(data)

    def recv(self, timeout=None):
        """The next packet other than a keepalive PING."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while True:
            pkt = self.recv_raw(max(0.0, deadline - time.monotonic()))
            if pkt.is_ping():
                self.pings += 1
                if self.auto_pong:
                    self.send(packet(KEEPALIVE_PROGRAM, KEEPALIVE_PONG, MESSAGE))
                continue
            return pkt

    def wait_closed(self, timeout=None):
        """Read until EOF; returns the packets seen before it."""
        seen = []
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        try:
            while True:
                seen.append(self.recv(max(0.0, deadline - time.monotonic())))
        except Closed:
            return seen

    def call_raw(self, proc, payload=b"", prog=REMOTE_PROGRAM, serial=None, timeout=None):
        """Send a call and return its reply packet."""
        if serial is None:
            serial = self.next_serial()
        self.send(packet(prog, proc, CALL, serial, OK, payload))
        pkt = self.recv(timeout)
        if pkt.serial != serial or pkt.type not in (REPLY, REPLY_WITH_FDS):
            raise ValueError("unexpected answer %r to call %d serial %d" % (pkt, proc, serial))
        return pkt

    def call(self, proc, payload=b"", prog=REMOTE_PROGRAM, timeout=None):
        """Send a call; return the reply payload or raise RemoteError."""
        pkt = self.call_raw(proc, payload, prog, timeout=timeout)
        if pkt.status != OK:
            raise pkt.error()
        return pkt.payload

    def call_error(self, proc, payload=b"", prog=REMOTE_PROGRAM, timeout=None):
        """Send a call that must fail; return its RemoteError."""
        pkt = self.call_raw(proc, payload, prog, timeout=timeout)
        if pkt.status != ERROR:
            raise AssertionError("call %d succeeded; an error was expected" % proc)
        return pkt.error()

    def handshake(self, name=None, keepalive=False, flags=0):
        """What virsh sends first: AUTH_LIST, (keepalive), CONNECT_OPEN."""
        r = Reader(self.call(PROC_AUTH_LIST))
        types = [r.i32() for _ in range(r.u32())]
        if types != [0]:
            raise AssertionError("auth types %r, want [NONE]" % types)
        if keepalive:
            r = Reader(self.call(PROC_CONNECT_SUPPORTS_FEATURE,
                                 i32(FEATURE_PROGRAM_KEEPALIVE)))
            if r.i32() != 1:
                raise AssertionError("keepalive not supported")
        self.call(PROC_CONNECT_OPEN, xdr_opt_string(name) + u32(flags))

    def hostname(self):
        return Reader(self.call(PROC_CONNECT_GET_HOSTNAME)).string()

    def is_closed(self, timeout=0.0):
        """Has the peer closed (EOF pending), without consuming packets?"""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except ConnectionResetError:
            return True


def admin_handshake(w):
    """The admin program's CONNECT_OPEN {flags}."""
    w.call(1, u32(0), prog=ADMIN_PROGRAM)


# ---- the protocol file -------------------------------------------------------

_ANN_RE = re.compile(r"/\*\s*(@generate:[^*]*)\*/\s*\n\s*REMOTE_PROC_(\w+)\s*=\s*(\d+)")


def protocol_procs(path):
    """{number: (NAME, {annotation: value})} from remote-protocol.x."""
    with open(path) as f:
        text = f.read()
    procs = {}
    for ann, name, num in _ANN_RE.findall(text):
        fields = {}
        for m in re.finditer(r"@(\w+)(?::\s*([\w|]+))?", ann):
            fields[m.group(1)] = m.group(2) or True
        procs[int(num)] = (name, fields)
    total = len(re.findall(r"^\s*REMOTE_PROC_\w+\s*=\s*\d+", text, re.M))
    return procs, total


# ---- process facts -------------------------------------------------------------


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def fd_targets(pid):
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return sorted(out)
