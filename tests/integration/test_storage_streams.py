# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volume streams and volume content operations, checked byte for byte.

- a 256 MiB file (random data with holes) uploaded and downloaded with
  virsh vol-upload/vol-download, plain and --sparse, and with
  python3-libvirt's sendAll/recvAll and sparseSendAll/sparseRecvAll: the
  source, the volume and the download have the same sha256, and sparse
  transfers keep the holes (allocation);
- offset and length are honoured, and writing past the length fails;
  a stream the daemon refuses that way (or a hole in a plain upload, sent
  on the raw wire) leaves the volume free: uploaded to and deleted right
  after;
- resize (grow, shrink), clone (raw, qcow2, raw -> qcow2) and wipe (raw,
  qcow2) verified by content;
- the proxy relays a second 256 MiB upload in buffers it already has: no
  page faults for each 256 KiB packet (daemon-main.c sets malloc's
  thresholds).
Everything goes through the proxy.
"""

import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
import mvwire  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402

PROC_STORAGE_VOL_UPLOAD = 208

MiB = 1024 * 1024
SIZE = 256 * MiB
POOL = "ststream-p"
STACK = None
# The data regions of the source file; the rest are holes.
EXTENTS = [(0, 3 * MiB), (40 * MiB, 17 * MiB + 4096), (128 * MiB, 1 * MiB),
           (250 * MiB, 6 * MiB)]
DATA_BYTES = sum(n for _, n in EXTENTS)


def stack():
    global STACK
    if STACK is None:
        STACK = mvtest.Stack(name="mvtest-ststream")
        STACK.start_stack("mvstoraged", "mvproxyd")
        d = os.path.join(STACK.root, "pool")
        STACK.virsh("pool-define-as", POOL, "dir", "--target", d, check_rc=0)
        STACK.virsh("pool-build", POOL, check_rc=0)
        STACK.virsh("pool-start", POOL, check_rc=0)
    return STACK


def path(*parts):
    return os.path.join(stack().root, *parts)


def vol_path(name):
    return path("pool", name)


def virsh(*args):
    return stack().virsh(*args, check_rc=0)


def sha256(p, length=None):
    h = hashlib.sha256()
    left = length
    with open(p, "rb") as f:
        while left is None or left > 0:
            chunk = f.read(4 * MiB if left is None else min(4 * MiB, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    return h.hexdigest()


def allocated(p):
    return os.stat(p).st_blocks * 512


def source():
    """The 256 MiB sparse source file, made once."""
    src = path("source.bin")
    if not os.path.exists(src):
        with open(src, "wb") as f:
            for off, n in EXTENTS:
                f.seek(off)
                f.write(os.urandom(n))
            f.truncate(SIZE)
    return src


def new_vol(name, alloc=0):
    virsh("vol-create-as", POOL, name, str(SIZE), "--allocation", str(alloc))


def test_virsh_upload_download_full():
    src = source()
    new_vol("full.raw")
    virsh("vol-upload", "full.raw", src, "--pool", POOL)
    check_eq(sha256(vol_path("full.raw")), sha256(src), "volume after upload")
    # without --sparse the holes travel as zeros and get written
    check(allocated(vol_path("full.raw")) >= SIZE, "non-sparse upload allocates everything")
    out = path("full.down")
    virsh("vol-download", "full.raw", out, "--pool", POOL)
    check_eq(os.path.getsize(out), SIZE, "download size")
    check_eq(sha256(out), sha256(src), "downloaded bytes")


def minor_faults(pid):
    return int(mvtest.proc_stat(pid)[7])


def test_proxy_reuses_stream_buffers():
    """1024 packets of 256 KiB through the proxy: glibc's default thresholds
    unmapped or trimmed their buffers and faulted them in again (3,500 to
    10,000 minor faults per upload here); now they stay in its heap."""
    src = source()
    proxy = stack().pid_of("mvproxyd")
    virsh("vol-upload", "full.raw", src, "--pool", POOL)
    before = minor_faults(proxy)
    virsh("vol-upload", "full.raw", src, "--pool", POOL)
    faults = minor_faults(proxy) - before
    check(faults < 500, "the proxy took %d page faults relaying 256 MiB" % faults)
    check_eq(sha256(vol_path("full.raw")), sha256(src), "volume after the uploads")


def test_virsh_upload_download_sparse():
    src = source()
    new_vol("sparse.raw")
    virsh("vol-upload", "sparse.raw", src, "--pool", POOL, "--sparse")
    check_eq(sha256(vol_path("sparse.raw")), sha256(src), "volume after sparse upload")
    alloc = allocated(vol_path("sparse.raw"))
    check(DATA_BYTES <= alloc < DATA_BYTES + 4 * MiB,
          "sparse upload keeps holes: %d allocated for %d of data" % (alloc, DATA_BYTES))
    out = path("sparse.down")
    virsh("vol-download", "sparse.raw", out, "--pool", POOL, "--sparse")
    check_eq(sha256(out), sha256(src), "sparse download bytes")
    alloc = allocated(out)
    check(alloc < DATA_BYTES + 4 * MiB,
          "sparse download keeps holes: %d allocated for %d of data" % (alloc, DATA_BYTES))


def test_sparse_upload_over_old_data():
    """Holes sent over existing data leave zeros (libvirt 9.0 leaves the old
    bytes there)."""
    src = source()
    virsh("vol-upload", "full.raw", src, "--pool", POOL)
    with open(vol_path("full.raw"), "r+b") as f:
        f.seek(100 * MiB)
        f.write(b"\xff" * MiB)
    virsh("vol-upload", "full.raw", src, "--pool", POOL, "--sparse")
    check_eq(sha256(vol_path("full.raw")), sha256(src), "old bytes in a hole were cleared")


PY_STREAMS = r'''
import hashlib, libvirt, os, sys
c = libvirt.open(sys.argv[1])
p = c.storagePoolLookupByName(sys.argv[2])
src = sys.argv[3]
v = p.createXML("<volume><name>py.raw</name><capacity>%d</capacity><allocation>0</allocation>"
                "</volume>" % os.path.getsize(src), 0)
def digest(b): return hashlib.sha256(b).hexdigest()
want = digest(open(src, "rb").read())
# plain
s = c.newStream(0)
v.upload(s, 0, 0, 0)
f = open(src, "rb")
s.sendAll(lambda st, n, f: f.read(n), f)
s.finish()
s = c.newStream(0)
v.download(s, 0, 0, 0)
buf = bytearray()
def sink(st, data, b): b.extend(data); return len(data)
s.recvAll(sink, buf)
s.finish()
print("plain", digest(bytes(buf)) == want)
# sparse
fd = os.open(src, os.O_RDONLY)
def hole_handler(st, fd):
    cur = os.lseek(fd, 0, os.SEEK_CUR)
    end = os.fstat(fd).st_size
    try:
        data = os.lseek(fd, cur, os.SEEK_DATA)
    except OSError:
        return (False, end - cur)
    if data > cur:
        os.lseek(fd, cur, os.SEEK_SET)
        return (False, data - cur)
    hole = os.lseek(fd, cur, os.SEEK_HOLE)
    os.lseek(fd, cur, os.SEEK_SET)
    return (True, hole - cur)
def skip(st, length, fd):
    os.lseek(fd, length, os.SEEK_CUR)
    return 0
v2 = p.createXML("<volume><name>py2.raw</name><capacity>%d</capacity><allocation>0</allocation>"
                 "</volume>" % os.path.getsize(src), 0)
s = c.newStream(0)
v2.upload(s, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
s.sparseSendAll(lambda st, n, fd: os.read(fd, n), hole_handler, skip, fd)
s.finish()
s = c.newStream(0)
v2.download(s, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
buf = bytearray()
holes = []
def on_hole(st, length, b): b.extend(bytes(length)); holes.append(length); return 0
s.sparseRecvAll(sink, on_hole, buf)
s.finish()
print("sparse", digest(bytes(buf)) == want, len(holes))
print("alloc", v2.info()[2])
# offset and length
s = c.newStream(0)
v.download(s, 40 << 20, 1 << 20, 0)
buf = bytearray()
s.recvAll(sink, buf)
s.finish()
with open(src, "rb") as f:
    f.seek(40 << 20)
    print("range", bytes(buf) == f.read(1 << 20))
s = c.newStream(0)
v.upload(s, 5 << 20, 4096, 0)
s.send(b"A" * 4096)
s.finish()
with open(v.path(), "rb") as f:
    f.seek((5 << 20) - 1)
    print("upload-at", f.read(4098) == bytes(1) + b"A" * 4096 + bytes(1))
s = c.newStream(0)
v.upload(s, 0, 4096, 0)
try:
    s.send(b"B" * 8192)
    s.finish()
    print("overflow accepted")
except libvirt.libvirtError as e:
    print("overflow", str(e))
    try:
        s.abort()
    except libvirt.libvirtError:
        pass
# refused, the upload ended there: the volume takes the next one at once
s = c.newStream(0)
v.upload(s, 0, 4, 0)
s.send(b"CCCC")
s.finish()
print("uploaded after overflow")
'''


def test_python_streams():
    st = stack()
    out = st.python(PY_STREAMS, st.uri(), POOL, source(), timeout=300).stdout
    check_in("plain True", out)
    check_in("sparse True", out)
    holes = int(out.split("sparse True ")[1].split()[0])
    check(holes >= len(EXTENTS) - 1, "holes received: %d" % holes)
    alloc = int(out.split("alloc ")[1].split()[0])
    check(DATA_BYTES <= alloc < DATA_BYTES + 4 * MiB, "python sparse allocation %d" % alloc)
    check_in("range True", out)
    check_in("upload-at True", out)
    check_in("overflow", out)
    check("overflow accepted" not in out, "writing past the length must fail: %s" % out)
    check_in("No space left on device", out)
    check_in("uploaded after overflow", out)


def first_bytes(p, n):
    with open(p, "rb") as f:
        return f.read(n)


def test_resize_by_content():
    src = source()
    head = first_bytes(src, 3 * MiB)
    head_file = path("head.bin")
    with open(head_file, "wb") as f:
        f.write(head)
    virsh("vol-create-as", POOL, "r.raw", str(8 * MiB), "--allocation", "0")
    virsh("vol-upload", "r.raw", head_file, "--pool", POOL, "--length", str(3 * MiB))
    virsh("vol-resize", "r.raw", str(20 * MiB), "--pool", POOL)
    check_eq(os.path.getsize(vol_path("r.raw")), 20 * MiB, "grown")
    with open(vol_path("r.raw"), "rb") as f:
        check_eq(f.read(3 * MiB), head, "data kept when growing")
        check_eq(f.read(), bytes(17 * MiB), "new space reads as zeros")
    # As libvirt: never below the allocation (the 3 MiB of data).
    r = stack().virsh("vol-resize", "r.raw", str(2 * MiB), "--pool", POOL, "--shrink",
                      check_rc=None)
    check(r.returncode != 0, "shrinking below the allocation must fail")
    check_in("can't shrink capacity below existing allocation", r.stderr)
    virsh("vol-resize", "r.raw", str(4 * MiB), "--pool", POOL, "--shrink")
    check_eq(first_bytes(vol_path("r.raw"), 8 * MiB), head + bytes(MiB), "shrunk, data kept")
    virsh("vol-resize", "r.raw", str(1 * MiB), "--pool", POOL, "--delta", "--allocate")
    check_eq(os.path.getsize(vol_path("r.raw")), 5 * MiB, "--delta")
    check(allocated(vol_path("r.raw")) >= 4 * MiB, "--allocate allocates the new space")
    # qcow2: the guest-visible content survives
    q = vol_path("r.qcow2")
    virsh("vol-create-as", POOL, "r.qcow2", str(4 * MiB), "--format", "qcow2")
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1M", q], check=True,
                   capture_output=True)
    virsh("vol-resize", "r.qcow2", str(64 * MiB), "--pool", POOL)
    info = subprocess.run(["qemu-img", "info", "--output=json", q], capture_output=True,
                          text=True, check=True).stdout
    check_in('"virtual-size": %d' % (64 * MiB), info)
    r = subprocess.run(["qemu-io", "-f", "qcow2", "-c", "read -P 0x5a 0 1M", q],
                       capture_output=True, text=True)
    check(r.returncode == 0 and "Pattern verification failed" not in r.stdout,
          "qcow2 data kept: %s" % r.stdout)


def test_clone_by_content():
    src = source()
    virsh("vol-clone", "sparse.raw", "clone.raw", "--pool", POOL)
    check_eq(sha256(vol_path("clone.raw")), sha256(src), "raw clone")
    check(allocated(vol_path("clone.raw")) < DATA_BYTES + 4 * MiB, "the clone stays sparse")
    virsh("vol-clone", "r.qcow2", "clone.qcow2", "--pool", POOL)
    r = subprocess.run(["qemu-img", "compare", vol_path("r.qcow2"), vol_path("clone.qcow2")],
                       capture_output=True, text=True)
    check_eq(r.returncode, 0, "qcow2 clone identical (%s)" % r.stdout)
    xml = path("conv.xml")
    with open(xml, "w") as f:
        f.write("<volume><name>conv.qcow2</name><capacity>%d</capacity>"
                "<target><format type='qcow2'/></target></volume>" % SIZE)
    virsh("vol-create-from", POOL, xml, "sparse.raw", "--inputpool", POOL)
    r = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "qcow2", src,
                        vol_path("conv.qcow2")], capture_output=True, text=True)
    check_eq(r.returncode, 0, "raw -> qcow2 clone identical (%s)" % r.stdout)


def test_wipe_by_content():
    virsh("vol-wipe", "clone.raw", "--pool", POOL)
    check_eq(os.path.getsize(vol_path("clone.raw")), SIZE, "size kept")
    with open(vol_path("clone.raw"), "rb") as f:
        while True:
            chunk = f.read(16 * MiB)
            if not chunk:
                break
            check(chunk.count(0) == len(chunk), "wiped volume reads as zeros")
    virsh("vol-wipe", "clone.qcow2", "--pool", POOL)
    q = vol_path("clone.qcow2")
    info = subprocess.run(["qemu-img", "info", "--output=json", q], capture_output=True,
                          text=True, check=True).stdout
    check_in('"format": "qcow2"', info, "a wiped qcow2 is still a qcow2 image")
    check_in('"virtual-size": %d' % (64 * MiB), info)
    r = subprocess.run(["qemu-io", "-f", "qcow2", "-c", "read -P 0 0 64M", q],
                       capture_output=True, text=True)
    check(r.returncode == 0 and "Pattern verification failed" not in r.stdout,
          "wiped qcow2 reads as zeros: %s" % r.stdout)


def test_in_use_volume_is_protected():
    """A volume being downloaded cannot be deleted meanwhile."""
    st = stack()
    virsh("vol-create-as", POOL, "busy.raw", str(64 * MiB))
    code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
v = c.storagePoolLookupByName(sys.argv[2]).storageVolLookupByName("busy.raw")
s = c.newStream(0)
v.download(s, 0, 0, 0)
s.recv(65536)
try:
    v.delete(0)
    print("deleted")
except libvirt.libvirtError as e:
    print("refused", str(e))
s.abort()
v.delete(0)
print("deleted after")
'''
    out = st.python(code, st.uri(), POOL).stdout
    check_in("refused", out)
    check_in("volume 'busy.raw' is still in use.", out)
    check_in("deleted after", out)


def test_refused_stream_frees_volume():
    """A stream the daemon refuses ends its work there, and the volume is
    free at once: uploaded to and deleted right after, no file of it held
    by mvstoraged.  Here a hole in a plain upload, on the raw wire (the
    client library will not send one), then the client just goes; data past
    the length is test_python_streams'."""
    st = stack()
    virsh("vol-create-as", POOL, "refused.raw", "1M")
    vol = (mvwire.xdr_string(POOL) + mvwire.xdr_string("refused.raw") +
           mvwire.xdr_string(vol_path("refused.raw")) + mvwire.u32(0) * 5)
    with mvwire.Wire(st.sock("mvproxyd"), timeout=20) as w:
        w.handshake()
        pkt = w.call_raw(PROC_STORAGE_VOL_UPLOAD, vol)
        check_eq(pkt.status, mvwire.OK, "plain upload opened")
        w.send(mvwire.packet(mvwire.REMOTE_PROGRAM, PROC_STORAGE_VOL_UPLOAD,
                             mvwire.STREAM_HOLE, pkt.serial, mvwire.CONTINUE,
                             mvwire.u32(0) + mvwire.u32(4096) + mvwire.u32(0)))
        pkt = w.recv(timeout=10)
        check_eq((pkt.type, pkt.status), (mvwire.STREAM, mvwire.ERROR), "hole refused")
        check_in("Unexpected stream hole", pkt.error().message)
    small = path("small.bin")
    with open(small, "wb") as f:
        f.write(b"D" * 4096)
    virsh("vol-upload", "refused.raw", small, "--pool", POOL)
    check_eq(first_bytes(vol_path("refused.raw"), 4096), b"D" * 4096, "uploaded after the hole")
    virsh("vol-delete", "refused.raw", "--pool", POOL)
    pid = st.pid_of("mvstoraged")
    mvtest.wait_for(lambda: not any(t.endswith("refused.raw") for t in _fd_targets(pid)),
                    timeout=10, what="mvstoraged closing refused.raw")


def _fd_targets(pid):
    d = "/proc/%d/fd" % pid
    out = []
    for fd in os.listdir(d):
        try:
            out.append(os.readlink(os.path.join(d, fd)))
        except OSError:
            pass
    return out


def teardown():
    if STACK is not None:
        STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
