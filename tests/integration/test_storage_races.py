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
- a define or undefine of one pool never waits behind another pool's job
  (a redefine and an undefine waiting for that job hold no lock meanwhile);
  a define waiting for a pool-create-xml whose start fails defines the pool
  anew;
- symlinks in a pool directory are never written through.
"""

import hashlib
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
LOOP = {"dev": None}

# Stand-ins for the programs the driver runs, found first in its PATH:
# they run the real one, slower or failing when a flag file says so.
WRAPPERS = {
    "qemu-img": """#!/bin/sh
F=%(flags)s
[ -e $F/qemu-img-slow ] && sleep "$(cat $F/qemu-img-slow)"
[ -e $F/qemu-img-fail ] && { echo "qemu-img: failing as told" >&2; exit 1; }
exec /usr/bin/qemu-img "$@"
""",
    "mount": """#!/bin/sh
F=%(flags)s
[ -e $F/mount-slow ] && { touch $F/mount-began; sleep "$(cat $F/mount-slow)"; }
exec /usr/bin/mount "$@"
""",
    "mkfs": """#!/bin/sh
F=%(flags)s
[ -e $F/mkfs-slow ] && { touch $F/mkfs-began; sleep "$(cat $F/mkfs-slow)"; touch $F/mkfs-slept; }
exec /usr/sbin/mkfs "$@"
""",
    "umount": """#!/bin/sh
F=%(flags)s
/usr/bin/umount "$@" || exit $?
[ -e $F/umount-slow ] && sleep "$(cat $F/umount-slow)"
exit 0
""",
}
# Short bounds, so that the slow programs above overrun them.
STORAGE_CONF = "[storage]\njob_timeout=1000\nrefresh_timeout=500\n"


def flag(name, value=None):
    """Set (@value: its content) or clear (None) a wrapper's flag file."""
    path = os.path.join(stack().root, "flags", name)
    if value is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        with open(path, "w") as f:
            f.write(str(value))


def stack():
    global STACK
    if STACK is None:
        for tool in ("losetup", "mkfs.ext4", "mount", "umount", "qemu-img"):
            mvtest.require_tool(tool)
        STACK = mvtest.Stack(name="mvtest-strace")
        bindir = os.path.join(STACK.root, "bin")
        flags = os.path.join(STACK.root, "flags")
        os.makedirs(bindir)
        os.makedirs(flags)
        for name, text in WRAPPERS.items():
            with open(os.path.join(bindir, name), "w") as f:
                f.write(text % {"flags": flags})
            os.chmod(os.path.join(bindir, name), 0o755)
        STACK.env["PATH"] = bindir + ":" + STACK.env["PATH"]
        conf = os.path.join(STACK.root, "session", "config", "modvirt")
        os.makedirs(conf)
        with open(os.path.join(conf, "storage.conf"), "w") as f:
            f.write(STORAGE_CONF)
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


UUID1 = "7d3c53c1-6f4e-4b8e-9d1a-3e1c55aa0001"
UUID2 = "7d3c53c1-6f4e-4b8e-9d1a-3e1c55aa0002"


def config_files():
    d = os.path.join(stack().root, "session", "config", "modvirt", "storage")
    return sorted(f for f in os.listdir(d) if f.endswith(".xml"))


def test_define_clash_writes_nothing():
    """A definition clashing by uuid or by name is refused with libvirt's
    message, and no config file is written for it."""
    c = conn()
    c.storagePoolDefineXML(pool_xml("strace-d1", pool_dir("d1"), UUID1))
    same_uuid = err(lambda: c.storagePoolDefineXML(pool_xml("strace-d2", pool_dir("d2"),
                                                            UUID1)))
    same_name = err(lambda: c.storagePoolDefineXML(pool_xml("strace-d1", pool_dir("d1"),
                                                            UUID2)))
    created = err(lambda: c.storagePoolCreateXML(pool_xml("strace-d2", pool_dir("d2"),
                                                          UUID1), 0))
    check_eq(config_files(), ["%s.xml" % POOL, "strace-d1.xml"], "config files")
    check_eq(same_uuid[0], libvirt.VIR_ERR_OPERATION_FAILED, "same uuid, other name")
    check_in("pool 'strace-d1' is already defined with uuid %s" % UUID1, same_uuid[1])
    check_eq(same_name[0], libvirt.VIR_ERR_OPERATION_FAILED, "same name, other uuid")
    check_in("pool 'strace-d1' already exists with uuid %s" % UUID1, same_name[1])
    check_eq(created[0], libvirt.VIR_ERR_OPERATION_FAILED, "create-xml, same uuid")
    # After a restart the pools are those defined.
    stack().kill("mvstoraged", signal.SIGTERM)
    stack().start("mvstoraged")
    names = sorted(p.name() for p in conn().listAllStoragePools(0))
    check_eq(names, [POOL, "strace-d1"], "pools after a restart")


def test_create_xml_of_a_defined_pool():
    """pool-create-xml of a defined inactive pool starts it (its XML live
    until the stop); of an active one: OPERATION_INVALID."""
    c = conn()
    p = c.storagePoolLookupByName("strace-d1")
    os.makedirs(pool_dir("d1b"), exist_ok=True)
    live = pool_xml("strace-d1", pool_dir("d1b"), UUID1)
    p2 = c.storagePoolCreateXML(live, 0)
    check_eq(p2.UUIDString(), UUID1, "same pool")
    check(p.isActive(), "started")
    check_in("<path>%s</path>" % pool_dir("d1b"), p.XMLDesc(0))
    check_in("<path>%s</path>" % pool_dir("d1"),
             p.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE))
    code, msg = err(lambda: c.storagePoolCreateXML(live, 0))
    check_eq(code, libvirt.VIR_ERR_OPERATION_INVALID, "create-xml of an active pool")
    check_in("pool is already active as 'strace-d1'", msg)
    p.destroy()
    check_in("<path>%s</path>" % pool_dir("d1"), p.XMLDesc(0))
    check(p.isPersistent(), "still persistent")
    p.undefine()


def test_pool_that_cannot_come_back_shows_its_config():
    """Active on t1, redefined to t2, killed, t1 gone: after the restart the
    pool is inactive and shows t2; later definitions stick."""
    st = mvtest.Stack(name="mvtest-strace8")
    try:
        st.start("mvstoraged")
        c = conn(st)
        t = lambda n: os.path.join(st.root, "t%d" % n)
        x = lambda n: pool_xml("p8", t(n), UUID2)
        path_of = lambda xml: re.search(r"<path>(.*)</path>", xml).group(1)
        p = c.storagePoolDefineXML(x(1))
        p.build()
        p.create()
        c.storagePoolDefineXML(x(2))
        st.kill("mvstoraged", signal.SIGKILL)
        shutil.rmtree(t(1))
        st.start("mvstoraged")
        c = conn(st)
        p = c.storagePoolLookupByName("p8")
        mvtest.wait_for(lambda: path_of(p.XMLDesc(0)) != t(1), timeout=10,
                        what="the restore to end")
        check(not p.isActive(), "inactive")
        check_eq(path_of(p.XMLDesc(0)), t(2), "live XML")
        check_eq(path_of(p.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE)), t(2), "inactive XML")
        os.makedirs(t(3))
        c.storagePoolDefineXML(x(3))
        check_eq(path_of(p.XMLDesc(0)), t(3), "after a define")
        p.create()
        p.destroy()
        check_eq(path_of(p.XMLDesc(0)), t(3), "after start and destroy")
        with open(os.path.join(st.root, "session/config/modvirt/storage/p8.xml")) as f:
            check_eq(path_of(f.read()), t(3), "config file")
    finally:
        st.cleanup()


def test_autostart_racing_undefine():
    """set-autostart and undefine at the same time never leave an autostart
    link behind for a pool that is gone."""
    c = conn()
    c2 = conn()
    links = os.path.join(stack().root, "session", "config", "modvirt", "storage", "autostart")
    os.makedirs(pool_dir("as"), exist_ok=True)
    for i in range(40):
        p = c.storagePoolDefineXML(pool_xml("strace-as", pool_dir("as")))
        h = c2.storagePoolLookupByName("strace-as")
        stop = threading.Event()

        def spam():
            while not stop.is_set():
                try:
                    h.setAutostart(1)
                except libvirt.libvirtError:
                    return
        th = threading.Thread(target=spam)
        th.start()
        time.sleep(0.002 * (i % 5))
        p.undefine()
        stop.set()
        th.join()
        check(not os.path.lexists(os.path.join(links, "strace-as.xml")),
              "no autostart link left (round %d)" % i)


def new_vol(name, capacity=MiB, fmt="raw", allocation=None, c=None):
    return pool(c).createXML(vol_xml(name, capacity, fmt, allocation), 0)


def test_resize_libvirt_rules():
    """Never below the allocation (data would be cut); a delta shrink past
    zero stops at zero; ALLOCATE beyond the free space: OPERATION_FAILED."""
    full = new_vol("full.raw", 8 * MiB, allocation=8 * MiB)
    path = os.path.join(pool_dir(), "full.raw")
    with open(path, "r+b") as f:
        f.write(b"X" * (8 * MiB))
    pool().refresh()
    code, msg = err(lambda: full.resize(4096, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK))
    check_eq(code, libvirt.VIR_ERR_INVALID_ARG, "shrink below the allocation")
    check_in("can't shrink capacity below existing allocation", msg)
    check_eq(os.path.getsize(path), 8 * MiB, "file untouched")
    sparse = new_vol("sparse.raw", MiB, allocation=0)
    sparse.resize(2 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK |
                  libvirt.VIR_STORAGE_VOL_RESIZE_DELTA)
    check_eq(sparse.info()[1], 0, "a delta shrink past zero ends at zero")
    code, msg = err(lambda: sparse.resize(1 << 60, libvirt.VIR_STORAGE_VOL_RESIZE_ALLOCATE))
    check_eq(code, libvirt.VIR_ERR_OPERATION_FAILED, "allocate beyond the free space")
    check_in("Not enough space left in storage pool", msg)
    full.delete(0)
    sparse.delete(0)


def test_error_codes_as_libvirt():
    c = conn()
    p = pool(c)
    v = new_vol("codes.raw", c=c)
    s = c.newStream(0)
    v.upload(s, 0, 0, 0)
    code, msg = err(lambda: p.destroy())
    check_eq(code, libvirt.VIR_ERR_INTERNAL_ERROR, "destroy with a job running")
    check_in("pool '%s' has asynchronous jobs running." % POOL, msg)
    s.abort()
    code, msg = err(lambda: p.createXMLFrom(vol_xml("codes.raw", MiB), v, 0))
    check_eq(code, libvirt.VIR_ERR_INTERNAL_ERROR, "clone onto an existing name")
    check_in("storage volume name 'codes.raw' already in use.", msg)
    code, msg = err(lambda: p.createXML(vol_xml("reflink.raw", MiB),
                                        libvirt.VIR_STORAGE_VOL_CREATE_REFLINK))
    check_eq(code, libvirt.VIR_ERR_INVALID_ARG, "create with REFLINK")
    check_in("unsupported flags (0x2) in function virStorageVolCreateXML", msg)
    check(not os.path.exists(os.path.join(pool_dir(), "reflink.raw")), "nothing created")
    v.delete(0)


def test_upload_refused_while_in_use():
    """A second upload into a volume being uploaded, and a wipe meanwhile:
    'still in use'; the first upload's data are what the volume holds."""
    c = conn()
    v = new_vol("twice.raw", c=c)
    s1 = c.newStream(0)
    v.upload(s1, 0, 0, 0)
    s2 = c.newStream(0)
    code, msg = err(lambda: v.upload(s2, 0, 0, 0))
    check_eq(code, libvirt.VIR_ERR_OPERATION_INVALID, "second upload")
    check_in("volume 'twice.raw' is still in use.", msg)
    code, msg = err(lambda: v.wipe(0))
    check_in("volume 'twice.raw' is still in use.", msg)
    s1.send(b"A" * 4096)
    s1.finish()
    with open(os.path.join(pool_dir(), "twice.raw"), "rb") as f:
        check_eq(f.read(4096), b"A" * 4096, "content")
    v.delete(0)


def test_refresh_during_clone_publishes_nothing():
    """While a clone is copying, a refresh does not publish the half-made
    volume: it cannot be looked up or uploaded into; when the clone fails,
    no volume of that name is left."""
    c = conn()
    p = pool(c)
    src = new_vol("src.raw", 4 * MiB)
    for fail in (False, True):
        flag("qemu-img-slow", 2)
        flag("qemu-img-fail", 1 if fail else None)
        res = {}

        def clone():
            try:
                res["vol"] = p.createXMLFrom(vol_xml("copy.qcow2", 0, "qcow2"), src, 0)
            except libvirt.libvirtError as e:
                res["err"] = e.get_error_message()
        th = threading.Thread(target=clone)
        th.start()
        try:
            mvtest.wait_for(lambda: os.path.exists(os.path.join(pool_dir(), "copy.qcow2")),
                            timeout=10, what="the clone's target file")
            c2 = conn()
            c2.storagePoolLookupByName(POOL).refresh()
            code, msg = err(lambda: c2.storagePoolLookupByName(POOL)
                            .storageVolLookupByName("copy.qcow2"))
            check_eq(code, libvirt.VIR_ERR_NO_STORAGE_VOL, "the clone is not a volume yet")
            check(th.is_alive(), "the clone was still running")
        finally:
            th.join()
            flag("qemu-img-slow")
            flag("qemu-img-fail")
        names = p.listVolumes()
        if fail:
            check("err" in res, "the clone failed as told")
            check("copy.qcow2" not in names, "no phantom volume: %s" % names)
        else:
            check("vol" in res, "the clone succeeded: %s" % res)
            check("copy.qcow2" in names, "the clone is a volume")
            res["vol"].delete(0)
    src.delete(0)


def test_clone_not_cut_off_at_job_timeout():
    """Copying takes as long as the data: a clone outliving job_timeout
    (1 s here) completes."""
    p = pool()
    src = new_vol("long.raw", 4 * MiB)
    with open(os.path.join(pool_dir(), "long.raw"), "r+b") as f:
        f.write(b"L" * MiB)
    flag("qemu-img-slow", 2)
    try:
        t0 = time.monotonic()
        v = p.createXMLFrom(vol_xml("long.qcow2", 0, "qcow2"), src, 0)
        check(time.monotonic() - t0 > 1.5, "the clone took longer than job_timeout")
    finally:
        flag("qemu-img-slow")
    r = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                        os.path.join(pool_dir(), "long.raw"),
                        os.path.join(pool_dir(), "long.qcow2")], capture_output=True, text=True)
    check_eq(r.returncode, 0, "clone content (%s)" % r.stdout)
    v.delete(0)
    src.delete(0)


def test_abort_frees_the_volume():
    """Once an upload's abort returns, the volume can be deleted."""
    c = conn()
    buf = os.urandom(256 * 1024)
    for i in range(20):
        v = new_vol("ab%d.raw" % i, 256 * MiB, c=c)
        s = c.newStream(0)
        v.upload(s, 0, 0, 0)
        for k in range(80):
            s.send(buf)
        s.abort()
        v.delete(0)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_links_in_the_pool_never_written_through():
    """A symbolic link in the pool's directory is listed (as libvirt does)
    but wipe, resize and upload never write where it points."""
    c = conn()
    p = pool(c)
    victim = os.path.join(stack().root, "victim.raw")
    with open(victim, "wb") as f:
        f.write(b"V" * MiB)
    qvictim = os.path.join(stack().root, "victim.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qvictim, "4M"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x33 0 1M", qvictim],
                   check=True, capture_output=True)
    before = (sha(victim), sha(qvictim))
    os.symlink(victim, os.path.join(pool_dir(), "link.raw"))
    os.symlink(qvictim, os.path.join(pool_dir(), "link.qcow2"))
    p.refresh()
    for name in ("link.raw", "link.qcow2"):
        v = p.storageVolLookupByName(name)
        check(not ok(lambda: v.wipe(0)), "wipe of %s refused" % name)
        check(not ok(lambda: v.resize(8 * MiB)), "resize of %s refused" % name)
        s = c.newStream(0)
        if ok(lambda: v.upload(s, 0, 0, 0)):
            s.send(b"Z" * 4096)
            check(not ok(s.finish), "upload into %s refused" % name)
    check_eq((sha(victim), sha(qvictim)), before, "the link targets are untouched")
    for name in ("link.raw", "link.qcow2"):
        p.storageVolLookupByName(name).delete(0)
    check(os.path.exists(victim) and os.path.exists(qvictim), "delete removes the link only")


def test_clone_target_swapped_for_a_link():
    """The file a clone creates is the one written, even if its name is
    made a link while qemu-img starts."""
    p = pool()
    src = new_vol("swapsrc.raw", 4 * MiB)
    with open(os.path.join(pool_dir(), "swapsrc.raw"), "r+b") as f:
        f.write(b"S" * MiB)
    victim = os.path.join(stack().root, "victim2.bin")
    with open(victim, "wb") as f:
        f.write(b"W" * MiB)
    before = sha(victim)
    target = os.path.join(pool_dir(), "swap.qcow2")
    flag("qemu-img-slow", 1)
    res = {}
    th = threading.Thread(target=lambda: res.setdefault(
        "ok", ok(lambda: p.createXMLFrom(vol_xml("swap.qcow2", 0, "qcow2"), src, 0))))
    th.start()
    try:
        mvtest.wait_for(lambda: os.path.exists(target), timeout=10, what="the clone's file")
        os.unlink(target)
        os.symlink(victim, target)
    finally:
        th.join()
        flag("qemu-img-slow")
    check_eq(sha(victim), before, "the link's target is untouched")
    os.unlink(target)
    p.refresh()
    src.delete(0)


def test_failed_qcow2_wipe_keeps_the_volume():
    """Wiping a qcow2 image writes a new one beside it: when QEMU refuses
    (a cluster size it does not take), the volume is as it was."""
    path = os.path.join(pool_dir(), "odd.qcow2")
    hdr = bytearray(MiB)
    hdr[0:4] = b"QFI\xfb"
    struct.pack_into(">I", hdr, 4, 3)
    struct.pack_into(">I", hdr, 20, 8)            # 256-byte clusters
    struct.pack_into(">Q", hdr, 24, 4 * MiB)
    struct.pack_into(">I", hdr, 100, 104)
    hdr[4096:] = b"D" * (MiB - 4096)
    with open(path, "wb") as f:
        f.write(hdr)
    before = sha(path)
    p = pool()
    p.refresh()
    v = p.storageVolLookupByName("odd.qcow2")
    check(not ok(lambda: v.wipe(0)), "the wipe fails")
    check_eq(sha(path), before, "the volume is unchanged")
    leftovers = [n for n in os.listdir(pool_dir()) if n.startswith(".")]
    check_eq(leftovers, [], "no temporary file left")
    v.delete(0)


FS_POOL = "strace-fs"


def record(res, key, fn):
    """Call @fn: res[@key] is "ok", or libvirt's error message."""
    try:
        fn()
        res[key] = "ok"
    except libvirt.libvirtError as e:
        res[key] = e.get_error_message()


def mkfs_flags_clear():
    for name in ("mkfs-slow", "mkfs-began", "mkfs-slept"):
        flag(name)


def slow_build(p, res, seconds):
    """Build @p (overwriting) in a thread, its mkfs @seconds slower; return
    the thread once mkfs has begun: from then until mkfs is done, the build
    holds the pool's job.  res["build"]: its outcome."""
    mkfs_flags_clear()
    flag("mkfs-slow", seconds)
    build = threading.Thread(target=record, args=(
        res, "build", lambda: p.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE)))
    build.start()
    began = os.path.join(stack().root, "flags", "mkfs-began")
    mvtest.wait_for(lambda: os.path.exists(began), timeout=10, what="the build's mkfs")
    return build


def fs_target():
    return os.path.join(stack().root, "mnt")


def fs_other_target():
    return os.path.join(stack().root, "mnt-other")


def fs_pool_xml(target=None, uuid=None):
    u = "<uuid>%s</uuid>" % uuid if uuid else ""
    return ("<pool type='fs'><name>%s</name>%s<source><device path='%s'/><format type='ext4'/>"
            "</source><target><path>%s</path></target></pool>"
            % (FS_POOL, u, LOOP["dev"], target or fs_target()))


def test_fs_setup():
    LOOP["dev"] = mvtest.loop_attach(os.path.join(stack().root, "fs.img"), 64 * MiB)
    subprocess.run(["mkfs.ext4", "-q", "-F", LOOP["dev"]], check=True, capture_output=True)
    os.makedirs(fs_target())


def test_create_xml_that_times_out_leaves_no_pool():
    """pool-create-xml whose start (a mount slower than job_timeout) times
    out: when the start has ended, the pool is not running anywhere
    (unmounted, not listed, no state file), and a new create works.
    NB: the backend's own deadline ends the mount here; a start that ends
    after the call gave up (a mount that cannot be killed) is not
    reproducible from outside."""
    c = conn()
    flag("mount-slow", 2.5)
    try:
        code, msg = err(lambda: c.storagePoolCreateXML(fs_pool_xml(), 0))
        check_eq(code, libvirt.VIR_ERR_OPERATION_TIMEOUT, "the start overran: %s" % msg)
    finally:
        flag("mount-slow")
    time.sleep(2)
    mvtest.wait_for(lambda: not mvtest.mount_source(fs_target()), timeout=10, what="the late mount undone")
    time.sleep(0.5)
    check(not mvtest.mount_source(fs_target()), "still unmounted")
    names = [p.name() for p in c.listAllStoragePools(0)]
    check(FS_POOL not in names, "no such pool: %s" % names)
    state = os.path.join(stack().root, "session", "run", "modvirt", "storage",
                         FS_POOL + ".xml")
    check(not os.path.exists(state), "no state file")
    p = c.storagePoolCreateXML(fs_pool_xml(), 0)
    check(mvtest.mount_source(fs_target()), "a new create mounts it")
    p.destroy()


def test_no_volume_work_while_stopping():
    """While a destroy unmounts (slowly), a new volume or upload is
    refused; nothing lands in the mount point once unmounted."""
    c = conn()
    p = c.storagePoolDefineXML(fs_pool_xml())
    p.create()
    v = p.createXML(vol_xml("early.raw", MiB), 0)
    res = {}

    def destroy():
        try:
            p.destroy()
            res["destroy"] = "ok"
        except libvirt.libvirtError as e:
            res["destroy"] = e.get_error_message()
    # The unmount, then 0.4 s more before the stop ends (job_timeout: 1 s).
    flag("umount-slow", 0.4)
    try:
        th = threading.Thread(target=destroy)
        th.start()
        mvtest.wait_for(lambda: not mvtest.mount_source(fs_target()), timeout=10, what="the unmount")
        c2 = conn()
        p2 = c2.storagePoolLookupByName(FS_POOL)
        code, msg = err(lambda: p2.createXML(vol_xml("late.raw", MiB), 0))
        check_in("storage pool '%s' is not active" % FS_POOL, msg)
        th.join()
    finally:
        flag("umount-slow")
    check_eq(res.get("destroy"), "ok", "destroy")
    check_eq(os.listdir(fs_target()), [], "nothing in the unmounted mount point")
    check(not ok(lambda: v.info()), "the pool's volumes are gone with it")
    p.undefine()


def test_create_xml_racing_a_start():
    """pool-create-xml of a defined pool and a pool-start of it, both
    waiting for the pool's build (a slow mkfs) to end: one of them starts
    the pool, the other fails as it is active, and the running pool has the
    definition of the call that started it, never that of the call that
    failed.  (The create's check, definition swap and start now run under
    the pool's job; before, the create swapped its definition in while
    waiting, the start took the job first and started that definition, and
    the pool kept it after the create failed.)"""
    c = conn()
    p = c.storagePoolDefineXML(fs_pool_xml())
    other = fs_other_target()
    os.makedirs(other, exist_ok=True)
    live = fs_pool_xml(target=other, uuid=p.UUIDString())
    res = {}

    def call(key, fn):
        record(res, key, fn)
    try:
        # Well within job_timeout (1 s), mkfs included.
        build = slow_build(p, res, 0.35)
        start = threading.Thread(target=call, args=("start", lambda: conn().storagePoolLookupByName(
            FS_POOL).create()))
        start.start()
        time.sleep(0.1)             # the start waits first
        call("create", lambda: conn().storagePoolCreateXML(live, 0))
        start.join()
        build.join()
    finally:
        mkfs_flags_clear()
    check_eq(res.get("build"), "ok", "pool-build")
    winners = [k for k in ("start", "create") if res.get(k) == "ok"]
    check_eq(len(winners), 1, "calls that started the pool: %s" % res)
    loser = "start" if winners == ["create"] else "create"
    check_in("already active", res[loser])
    mounted, unused = (other, fs_target()) if winners == ["create"] else (fs_target(), other)
    check_eq(mvtest.mount_source(mounted), LOOP["dev"], "mounted by %s" % res)
    check(not mvtest.mount_source(unused), "nothing mounted on %s" % unused)
    check_in("<path>%s</path>" % mounted, p.XMLDesc(0))
    check_in("<path>%s</path>" % fs_target(), p.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE))
    p.destroy()
    check_in("<path>%s</path>" % fs_target(), p.XMLDesc(0))
    p.undefine()


def test_define_not_behind_another_pools_job():
    """While a pool's build runs (a slow mkfs), a redefine and an undefine
    of that pool wait for the build; meanwhile another pool can be
    defined, redefined and undefined at once.  (They waited for the job
    holding the driver's define lock, so every define and undefine of
    every pool waited for that build too.)"""
    c = conn()
    p = c.storagePoolDefineXML(fs_pool_xml())
    other = "strace-other"
    res = {}

    def call(key, fn):
        record(res, key, fn)
    slept = os.path.join(stack().root, "flags", "mkfs-slept")
    try:
        # Well within job_timeout (1 s), mkfs included.
        build = slow_build(p, res, 0.6)
        uuid = p.UUIDString()
        waiting = [threading.Thread(target=call, args=(
            "redefine", lambda: conn().storagePoolDefineXML(fs_pool_xml(uuid=uuid)))),
                   threading.Thread(target=call, args=(
            "undefine", lambda: conn().storagePoolLookupByName(FS_POOL).undefine()))]
        for t in waiting:
            t.start()
        time.sleep(0.1)             # both wait for the build's job
        # Another client (python3-libvirt's calls on the build's own
        # connection can wait for its reply, whatever the daemon does).
        c = conn()
        oxml = pool_xml(other, pool_dir("other"))
        call("define other", lambda: c.storagePoolDefineXML(oxml))
        call("redefine other", lambda: c.storagePoolDefineXML(pool_xml(
            other, pool_dir("other"), c.storagePoolLookupByName(other).UUIDString())))
        call("undefine other", lambda: c.storagePoolLookupByName(other).undefine())
        during = not os.path.exists(slept)
        for t in waiting + [build]:
            t.join()
    finally:
        mkfs_flags_clear()
    check_eq({k: res.get(k) for k in ("define other", "redefine other", "undefine other")},
             {"define other": "ok", "redefine other": "ok", "undefine other": "ok"},
             "calls on the other pool")
    check(during, "the other pool's calls waited for the build (%s)" % res)
    # Whichever went first, both succeeded: a redefine after the undefine
    # defines the pool anew.
    check_eq((res.get("build"), res.get("redefine"), res.get("undefine")), ("ok", "ok", "ok"),
             "build, redefine and undefine (%s)" % res)
    left = [x.name() for x in conn().listAllStoragePools() if x.name() == FS_POOL]
    if left:
        check_eq(conn().storagePoolLookupByName(FS_POOL).UUIDString(), uuid, "the pool's uuid")
        conn().storagePoolLookupByName(FS_POOL).undefine()


def test_define_waiting_for_a_failed_create():
    """A pool-create-xml of a new pool whose start fails (a slow mount of a
    device with no file system), and a define of the same pool waiting for
    that start: the define succeeds and the pool stays, defined anew.  (The
    failed create removed its pool only after its job ended: the define
    either failed, the pool gone under it, or redefined the pool just
    before it was removed, leaving a config on disk for a pool that was
    not listed.)"""
    name, uuid = "strace-gone", "5b0c3a4e-66b1-4bd8-9d5e-3c1d2b9b7c01"
    dev = os.path.join(stack().root, "not-a-fs.img")
    with open(dev, "wb") as f:
        f.truncate(8 * MiB)
    target = os.path.join(stack().root, "mnt-gone")
    os.makedirs(target, exist_ok=True)
    xml = ("<pool type='fs'><name>%s</name><uuid>%s</uuid><source><device path='%s'/>"
           "<format type='ext4'/></source><target><path>%s</path></target></pool>"
           % (name, uuid, dev, target))
    began = os.path.join(stack().root, "flags", "mount-began")
    res = {}
    flag("mount-began")
    # Well within job_timeout (1 s), mount included.
    flag("mount-slow", 0.5)
    try:
        create = threading.Thread(target=record, args=(
            res, "create", lambda: conn().storagePoolCreateXML(xml, 0)))
        create.start()
        mvtest.wait_for(lambda: os.path.exists(began), timeout=10, what="the create's mount")
        record(res, "define", lambda: conn().storagePoolDefineXML(xml))
        create.join()
    finally:
        flag("mount-slow")
        flag("mount-began")
    check(res.get("create") not in (None, "ok"), "the create failed: %s" % res)
    check_eq(res.get("define"), "ok", "the define waiting for it (%s)" % res)
    p = conn().storagePoolLookupByName(name)
    check_eq((p.UUIDString(), p.isPersistent(), p.isActive()), (uuid, 1, 0), "the pool")
    check_in(name + ".xml", config_files())
    p.undefine()


def teardown():
    try:
        for target in (fs_target(), fs_other_target()) if STACK is not None else ():
            if mvtest.mount_source(target):
                subprocess.run(["umount", "-l", target], capture_output=True)
    finally:
        mvtest.loop_detach(LOOP["dev"])
        if STACK is not None:
            STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
