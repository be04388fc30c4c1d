# SPDX-License-Identifier: LGPL-2.1-or-later
"""TRANSLATE_VOLUME over the wire, as mvqemud asks it of mvstoraged.

A raw RPC client (libvirt's framing by hand: length, header, XDR) connects
to mvstoraged's own socket, opens the connection with the remote program's
CONNECT_OPEN, and calls procedure 1 of the private translate program
(0x4d565452, src/remote/translate-protocol.x) for a volume of a dir pool
and a LUN of an iscsi-direct pool served by a private tgtd.  mode='direct'
on the iscsi-direct pool is refused with an error naming the mode and the
pool type; an inactive pool is refused; the proxy does not route the
program at all; and asking does not change the pool (its XML).
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import TestFailure, check, check_eq, check_in  # noqa: E402
from tgtdtarget import Tgtd  # noqa: E402

REMOTE_PROGRAM = 0x20008086
TRANSLATE_PROGRAM = 0x4D565452
PROC_CONNECT_OPEN = 1
PROC_TRANSLATE_VOLUME = 1
CALL, REPLY = 0, 1
OK, ERROR = 0, 1
MODE_DEFAULT, MODE_HOST, MODE_DIRECT = 0, 1, 2
TYPE_FILE, TYPE_BLOCK, TYPE_NETWORK = 0, 1, 2
ERR_XML_ERROR = 27
ERR_RPC = 39
ERR_CONFIG_UNSUPPORTED = 67
FROM_DOMAIN = 20

MIB = 1024 * 1024
IQN = "iqn.2026-11.org.example.mvtr:target1"
INITIATOR = "iqn.2026-11.org.example.mvtr:initiator1"

stack = None
tgtd = None


# ---- a minimal RPC client ---------------------------------------------------

def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        v = struct.unpack_from(">I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def i32(self):
        v = struct.unpack_from(">i", self.data, self.pos)[0]
        self.pos += 4
        return v

    def string(self):
        n = self.u32()
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n + (-n % 4)
        return s

    def opt_string(self):
        return self.string() if self.u32() else None

    def done(self):
        return self.pos == len(self.data)


class RemoteError(Exception):
    def __init__(self, code, domain, message):
        super().__init__("%d/%d: %s" % (code, domain, message))
        self.code, self.domain, self.message = code, domain, message


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.serial = 0

    def close(self):
        self.sock.close()

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise TestFailure("connection closed by the daemon")
            buf += chunk
        return buf

    def call(self, prog, proc, payload=b""):
        serial = self.serial
        self.serial += 1
        hdr = struct.pack(">IIiiIi", prog, 1, proc, CALL, serial, OK)
        self.sock.sendall(struct.pack(">I", 4 + len(hdr) + len(payload)) + hdr + payload)
        while True:
            length = struct.unpack(">I", self._recv(4))[0]
            data = self._recv(length - 4)
            rprog, _, rproc, rtype, rserial, status = struct.unpack_from(">IIiiIi", data)
            if rtype == REPLY and rserial == serial:
                break
        body = data[24:]
        if status == ERROR:
            r = Reader(body)
            code, domain = r.i32(), r.i32()
            raise RemoteError(code, domain, r.opt_string() or "")
        check_eq((rprog, rproc, status), (prog, proc, OK), "reply header")
        return body

    def open(self):
        self.call(REMOTE_PROGRAM, PROC_CONNECT_OPEN, struct.pack(">I", 0) + struct.pack(">I", 0))

    def translate(self, pool, volume, mode=MODE_DEFAULT, flags=0):
        body = self.call(TRANSLATE_PROGRAM, PROC_TRANSLATE_VOLUME,
                         xdr_string(pool) + xdr_string(volume) + struct.pack(">iI", mode, flags))
        r = Reader(body)
        ret = {"type": r.i32(), "path": r.opt_string(), "protocol": r.opt_string(),
               "host": r.opt_string(), "port": r.u32(), "target": r.opt_string(),
               "lun": r.u32(), "initiator": r.opt_string(), "auth_user": r.opt_string(),
               "auth_secret_usage": r.opt_string(), "auth_secret_uuid": r.opt_string(),
               "pool_type": r.string(), "format": r.opt_string()}
        check(r.done(), "trailing bytes in the TRANSLATE_VOLUME reply")
        return ret


def storaged():
    c = Client(stack.sock("mvstoraged"))
    c.open()
    return c


def translate_error(c, *args):
    try:
        c.translate(*args)
    except RemoteError as e:
        return e
    raise TestFailure("TRANSLATE_VOLUME%r succeeded" % (args,))


# ---- setup ----------------------------------------------------------------------

def setup():
    global stack, tgtd
    stack = mvtest.Stack(name="mvtr")
    tgtd = Tgtd(stack.root).start()
    tgtd.add_target(1, IQN, [64 * MIB, 32 * MIB])
    stack.start_stack()

    pooldir = os.path.join(stack.root, "dirpool")
    os.makedirs(pooldir)
    stack.virsh("pool-define-as", "trdir", "dir", "--target", pooldir)
    stack.virsh("pool-start", "trdir")
    stack.virsh("vol-create-as", "trdir", "disk.qcow2", "16M", "--format", "qcow2")
    stack.virsh("pool-define-as", "trisd", "iscsi-direct", "--source-host", tgtd.portal,
                "--source-dev", IQN, "--source-initiator", INITIATOR)
    stack.virsh("pool-start", "trisd")


def teardown():
    try:
        if tgtd:
            tgtd.stop()
    finally:
        if stack:
            stack.cleanup()


# ---- tests ------------------------------------------------------------------------

def test_dir_volume():
    c = storaged()
    try:
        t = c.translate("trdir", "disk.qcow2")
    finally:
        c.close()
    check_eq(t["type"], TYPE_FILE, "type")
    check_eq(t["path"], os.path.join(stack.root, "dirpool", "disk.qcow2"), "path")
    check_eq(t["format"], "qcow2", "format")
    check_eq(t["pool_type"], "dir", "pool type")
    check_eq(t["host"], None, "host of a file")


def test_iscsi_direct_volume():
    xml_before = stack.virsh("pool-dumpxml", "trisd", "--inactive").stdout
    c = storaged()
    try:
        t = c.translate("trisd", "unit:0:0:2")
        again = c.translate("trisd", "unit:0:0:2")
    finally:
        c.close()
    check_eq(t["type"], TYPE_NETWORK, "type")
    check_eq(t["protocol"], "iscsi", "protocol")
    # pool-define-as wrote <host name='127.0.0.1:PORT'/>: split into host and port
    check_eq((t["host"], t["port"]), ("127.0.0.1", tgtd.port), "portal")
    check_eq(t["target"], IQN, "target")
    check_eq(t["lun"], 2, "lun")
    check_eq(t["initiator"], INITIATOR, "initiator")
    check_eq(t["auth_user"], None, "no CHAP user")
    check_eq(t["pool_type"], "iscsi-direct", "pool type")
    check_eq(t["path"], None, "no path for a network source")
    check_eq(again, t, "asking twice")
    check_eq(stack.virsh("pool-dumpxml", "trisd", "--inactive").stdout, xml_before,
             "pool definition after translating")


def test_mode_direct_refused_on_iscsi_direct():
    c = storaged()
    try:
        e = translate_error(c, "trisd", "unit:0:0:1", MODE_DIRECT)
        e2 = translate_error(c, "trdir", "disk.qcow2", MODE_HOST)
    finally:
        c.close()
    check_eq((e.code, e.domain), (ERR_XML_ERROR, FROM_DOMAIN), "error of mode=direct")
    check_in("'direct'", e.message, "error names the mode")
    check_in("'iscsi-direct'", e.message, "error names the pool type")
    check_in("'host'", e2.message, "error names the mode")
    check_in("'dir'", e2.message, "error names the pool type")


def test_inactive_pool_refused():
    stack.virsh("pool-destroy", "trisd")
    c = storaged()
    try:
        e = translate_error(c, "trisd", "unit:0:0:1")
    finally:
        c.close()
    stack.virsh("pool-start", "trisd")
    check_eq(e.code, ERR_CONFIG_UNSUPPORTED, "error code")
    check_in("storage pool 'trisd' containing volume 'unit:0:0:1' is not active", e.message,
             "message")


def test_unknown_volume_and_pool():
    c = storaged()
    try:
        e = translate_error(c, "trisd", "unit:0:0:9")
        check_in("unit:0:0:9", e.message, "unknown volume")
        e = translate_error(c, "nosuchpool", "x")
        check_in("nosuchpool", e.message, "unknown pool")
    finally:
        c.close()


def test_proxy_does_not_route_it():
    c = Client(stack.sock("mvproxyd"))
    try:
        c.open()
        e = translate_error(c, "trdir", "disk.qcow2")
    finally:
        c.close()
    check_eq(e.code, ERR_RPC, "the proxy's error code")
    check_in("cannot find program %d" % TRANSLATE_PROGRAM, e.message, "the proxy's answer")


if __name__ == "__main__":
    mvtest.main(globals(), setup=setup, teardown=teardown)
