# SPDX-License-Identifier: LGPL-2.1-or-later
"""Directory pools end to end: stock virsh and python3-libvirt through the
proxy (mvproxyd -> mvstoraged).

Every pool and volume command of virsh the storage driver serves is run and
its output and effect checked (files on disk, sizes, XML), then the same
through the Python API (lookups, legacy list calls, transient pools), then
persistence: the pools come back after a daemon restart as they were, and
after a "reboot" (runtime state gone) only the autostarted ones start, and
calls made while a restarted daemon still brings its pools back wait for
them instead of seeing active pools as inactive.
Pool lifecycle and refresh events are watched with virsh pool-event and
with Python callbacks.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import TestFailure, check, check_eq, check_in  # noqa: E402

MiB = 1024 * 1024
STACK = None
POOL = "stdir-p1"


def stack():
    global STACK
    if STACK is None:
        STACK = mvtest.Stack(name="mvtest-stdir")
        STACK.start_stack("mvstoraged", "mvproxyd")
    return STACK


def pool_dir(name=POOL):
    return os.path.join(stack().root, "pools", name)


def virsh(*args, rc=0):
    return stack().virsh(*args, check_rc=rc)


def virsh_fail(*args):
    r = stack().virsh(*args, check_rc=None)
    check(r.returncode != 0, "virsh %s should fail: %s" % (" ".join(args), r.stdout))
    return r.stderr


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(4 * MiB), b""):
            h.update(chunk)
    return h.hexdigest()


def fields(text):
    """'Key:   value' lines of virsh's *-info commands."""
    out = {}
    for line in text.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def list_rows(text):
    """Data rows of a virsh table (after the ---- line), split on blanks."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("---"):
            return [l.split() for l in lines[i + 1:] if l.strip()]
    raise TestFailure("no table in %r" % text)


# ---- pools with virsh --------------------------------------------------------------

def test_pool_define_build_start():
    r = virsh("pool-define-as", POOL, "dir", "--target", pool_dir())
    check_in("Pool %s defined" % POOL, r.stdout)
    check(not os.path.exists(pool_dir()), "define must not create the directory")
    r = virsh("pool-list", "--all")
    check_eq(list_rows(r.stdout), [[POOL, "inactive", "no"]], "pool-list --all")
    err = virsh_fail("pool-start", POOL)
    check_in("cannot open directory '%s'" % pool_dir(), err)
    check_in("Pool %s built" % POOL, virsh("pool-build", POOL).stdout)
    check(os.path.isdir(pool_dir()), "pool-build creates the directory")
    check_eq(oct(os.stat(pool_dir()).st_mode & 0o777), "0o711", "default directory mode")
    check_in("Pool %s started" % POOL, virsh("pool-start", POOL).stdout)
    r = virsh("pool-list")
    check_eq(list_rows(r.stdout), [[POOL, "active", "no"]], "pool-list")
    err = virsh_fail("pool-start", POOL)
    check_in("storage pool '%s' is already active" % POOL, err)
    err = virsh_fail("pool-info", "no-such-pool")
    check_in("Storage pool not found: no storage pool with matching name 'no-such-pool'", err)


def test_pool_define_file_create_transient():
    xml = os.path.join(stack().root, "pool.xml")
    with open(xml, "w") as f:
        f.write("<pool type='dir'><name>stdir-file</name><uuid>5c9d2e55-0d7f-4d86-9e3a-"
                "0c3b1f0e7a11</uuid><target><path>%s</path></target></pool>"
                % pool_dir("stdir-file"))
    check_in("Pool stdir-file defined from %s" % xml, virsh("pool-define", xml).stdout)
    check_in("<uuid>5c9d2e55-0d7f-4d86-9e3a-0c3b1f0e7a11</uuid>",
             virsh("pool-dumpxml", "stdir-file").stdout)
    # the same XML again is a redefinition; another uuid under that name is not
    virsh("pool-define", xml)
    with open(xml, "w") as f:
        f.write("<pool type='dir'><name>stdir-file</name><uuid>5c9d2e55-0d7f-4d86-9e3a-"
                "0c3b1f0e7a12</uuid><target><path>%s</path></target></pool>"
                % pool_dir("stdir-file"))
    err = virsh_fail("pool-define", xml)
    check_in("pool 'stdir-file' already exists with uuid "
             "5c9d2e55-0d7f-4d86-9e3a-0c3b1f0e7a11", err)
    err = virsh_fail("pool-define-as", "stdir-dup", "dir", "--target", pool_dir("stdir-file"))
    check_in("Storage source conflict with pool: 'stdir-file'", err)
    virsh("pool-undefine", "stdir-file")
    # transient pools: pool-create-as --build starts one; pool-destroy removes it
    check_in("Pool stdir-tr created", virsh("pool-create-as", "stdir-tr", "dir", "--target",
                                            pool_dir("stdir-tr"), "--build").stdout)
    info = fields(virsh("pool-info", "stdir-tr").stdout)
    check_eq((info["State"], info["Persistent"]), ("running", "no"), "transient pool")
    virsh("pool-destroy", "stdir-tr")
    err = virsh_fail("pool-info", "stdir-tr")
    check_in("no storage pool with matching name 'stdir-tr'", err)


def test_pool_info_dumpxml_autostart():
    info = fields(virsh("pool-info", POOL).stdout)
    check_eq(info["Name"], POOL)
    check_eq(info["State"], "running")
    check_eq(info["Persistent"], "yes")
    check_eq(info["Autostart"], "no")
    st = os.statvfs(pool_dir())
    xml = virsh("pool-dumpxml", POOL).stdout
    check_in("<pool type='dir'>", xml)
    check_in("<path>%s</path>" % pool_dir(), xml)
    check_in("<capacity unit='bytes'>%d</capacity>" % (st.f_frsize * st.f_blocks), xml)
    inactive = virsh("pool-dumpxml", "--inactive", POOL).stdout
    check_in("<capacity unit='bytes'>0</capacity>", inactive)
    check_in("Pool %s marked as autostarted" % POOL, virsh("pool-autostart", POOL).stdout)
    check_eq(fields(virsh("pool-info", POOL).stdout)["Autostart"], "yes")
    link = os.path.join(stack().root, "session", "config", "modvirt", "storage", "autostart",
                        POOL + ".xml")
    check(os.path.islink(link), "autostart link %s" % link)
    r = virsh("pool-list", "--all", "--details")
    row = list_rows(r.stdout)[0]
    check_eq(row[:4], [POOL, "running", "yes", "yes"], "pool-list --details")
    check_in("Pool %s unmarked as autostarted" % POOL,
             virsh("pool-autostart", POOL, "--disable").stdout)
    check(not os.path.lexists(link), "autostart link removed")
    virsh("pool-autostart", POOL)


def test_vol_create_as_and_list():
    r = virsh("vol-create-as", POOL, "a.qcow2", "1G", "--format", "qcow2")
    check_in("Vol a.qcow2 created", r.stdout)
    virsh("vol-create-as", POOL, "b.raw", "16M")
    virsh("vol-create-as", POOL, "c.raw", "8M", "--allocation", "0")
    path_a = os.path.join(pool_dir(), "a.qcow2")
    out = subprocess.run(["qemu-img", "info", "--output=json", path_a], capture_output=True,
                         text=True, check=True).stdout
    check_in('"format": "qcow2"', out)
    check_in('"virtual-size": 1073741824', out)
    check_eq(os.path.getsize(os.path.join(pool_dir(), "b.raw")), 16 * MiB, "raw size")
    check(os.stat(os.path.join(pool_dir(), "b.raw")).st_blocks * 512 >= 16 * MiB,
          "raw volume without --allocation is fully allocated")
    check_eq(os.stat(os.path.join(pool_dir(), "c.raw")).st_blocks, 0, "--allocation 0: sparse")
    rows = list_rows(virsh("vol-list", POOL).stdout)
    check_eq(sorted(rows), [["a.qcow2", path_a], ["b.raw", os.path.join(pool_dir(), "b.raw")],
                            ["c.raw", os.path.join(pool_dir(), "c.raw")]], "vol-list")
    rows = list_rows(virsh("vol-list", POOL, "--details").stdout)
    by_name = {r[0]: r for r in rows}
    check_eq(by_name["a.qcow2"][2:5], ["file", "1.00", "GiB"], "vol-list --details qcow2")
    check_eq(by_name["b.raw"][2:7], ["file", "16.00", "MiB", "16.00", "MiB"], "raw details")
    err = virsh_fail("vol-create-as", POOL, "b.raw", "1M")
    check_in("storage volume already exists: 'b.raw'", err)


def test_vol_backing_store():
    virsh("vol-create-as", POOL, "top.qcow2", "0", "--format", "qcow2", "--backing-vol",
          "a.qcow2", "--backing-vol-format", "qcow2")
    xml = virsh("vol-dumpxml", "top.qcow2", "--pool", POOL).stdout
    check_in("<backingStore>\n    <path>%s</path>\n    <format type='qcow2'/>"
             % os.path.join(pool_dir(), "a.qcow2"), xml)
    check_in("<capacity unit='bytes'>1073741824</capacity>", xml, "the backing store's size")
    out = subprocess.run(["qemu-img", "info", "--output=json",
                          os.path.join(pool_dir(), "top.qcow2")],
                         capture_output=True, text=True, check=True).stdout
    check_in('"backing-filename": "%s"' % os.path.join(pool_dir(), "a.qcow2"), out)
    virsh("vol-delete", "top.qcow2", "--pool", POOL)


def test_vol_create_from_file():
    xml = os.path.join(stack().root, "vol.xml")
    with open(xml, "w") as f:
        f.write("<volume><name>d.qcow2</name><capacity unit='MiB'>64</capacity>"
                "<target><format type='qcow2'/><compat>0.10</compat></target></volume>")
    check_in("Vol d.qcow2 created from %s" % xml, virsh("vol-create", POOL, xml).stdout)
    out = subprocess.run(["qemu-img", "info", os.path.join(pool_dir(), "d.qcow2")],
                         capture_output=True, text=True, check=True).stdout
    check_in("compat: 0.10", out)
    dump = virsh("vol-dumpxml", "d.qcow2", "--pool", POOL).stdout
    check_in("<compat>0.10</compat>", dump)
    check_in("<capacity unit='bytes'>67108864</capacity>", dump)


def test_vol_info_path_dumpxml():
    path_b = os.path.join(pool_dir(), "b.raw")
    info = fields(virsh("vol-info", "b.raw", "--pool", POOL).stdout)
    check_eq((info["Name"], info["Type"], info["Capacity"]), ("b.raw", "file", "16.00 MiB"))
    check_eq(virsh("vol-path", "b.raw", "--pool", POOL).stdout.strip(), path_b)
    info = fields(virsh("vol-info", path_b).stdout)          # by key/path
    check_eq(info["Name"], "b.raw")
    xml = virsh("vol-dumpxml", "a.qcow2", "--pool", POOL).stdout
    for piece in ("<volume type='file'>", "<name>a.qcow2</name>",
                  "<key>%s</key>" % os.path.join(pool_dir(), "a.qcow2"),
                  "<capacity unit='bytes'>1073741824</capacity>", "<format type='qcow2'/>",
                  "<compat>1.1</compat>", "<clusterSize unit='B'>65536</clusterSize>"):
        check_in(piece, xml, "vol-dumpxml")
    # virsh falls back to key and path lookups, and reports the last one
    err = virsh_fail("vol-info", "nope", "--pool", POOL)
    check_in("failed to get vol 'nope'", err)
    check_in("Storage volume not found: no storage vol with matching path 'nope'", err)


def test_vol_resize_wipe_clone():
    path_c = os.path.join(pool_dir(), "c.raw")
    with open(path_c, "r+b") as f:
        f.write(b"x" * 4096)
    virsh("vol-resize", "c.raw", "12M", "--pool", POOL)
    check_eq(os.path.getsize(path_c), 12 * MiB, "grown")
    err = virsh_fail("vol-resize", "c.raw", "4M", "--pool", POOL)
    check_in("Can't shrink capacity below current capacity unless shrink flag explicitly "
             "specified", err)
    virsh("vol-resize", "c.raw", "4M", "--pool", POOL, "--shrink")
    check_eq(os.path.getsize(path_c), 4 * MiB, "shrunk")
    check_eq(fields(virsh("vol-info", "c.raw", "--pool", POOL).stdout)["Capacity"], "4.00 MiB")
    virsh("vol-resize", "a.qcow2", "2G", "--pool", POOL)
    out = subprocess.run(["qemu-img", "info", "--output=json",
                          os.path.join(pool_dir(), "a.qcow2")],
                         capture_output=True, text=True, check=True).stdout
    check_in('"virtual-size": 2147483648', out)
    check_in("Vol c2.raw cloned from c.raw", virsh("vol-clone", "c.raw", "c2.raw", "--pool",
                                                     POOL).stdout)
    check_eq(sha256(os.path.join(pool_dir(), "c2.raw")), sha256(path_c), "clone content")
    check_in("Vol c.raw wiped", virsh("vol-wipe", "c.raw", "--pool", POOL).stdout)
    with open(path_c, "rb") as f:
        check_eq(f.read(), b"\0" * (4 * MiB), "wiped content")
    err = virsh_fail("vol-wipe", "c2.raw", "--pool", POOL, "--algorithm", "nnsa")
    check_in("scrub", err)
    xml = os.path.join(stack().root, "from.xml")
    with open(xml, "w") as f:
        f.write("<volume><name>e.qcow2</name><capacity unit='MiB'>8</capacity>"
                "<target><format type='qcow2'/></target></volume>")
    virsh("vol-create-from", POOL, xml, "c2.raw", "--inputpool", POOL)
    r = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                        os.path.join(pool_dir(), "c2.raw"), os.path.join(pool_dir(), "e.qcow2")],
                       capture_output=True, text=True)
    check_eq(r.returncode, 0, "raw -> qcow2 clone content (%s)" % r.stdout)


def test_vol_upload_download():
    src = os.path.join(stack().root, "up.bin")
    data = os.urandom(3 * MiB + 123)
    with open(src, "wb") as f:
        f.write(data)
    virsh("vol-upload", "b.raw", src, "--pool", POOL)
    with open(os.path.join(pool_dir(), "b.raw"), "rb") as f:
        check_eq(f.read(len(data)), data, "uploaded bytes")
    dst = os.path.join(stack().root, "down.bin")
    virsh("vol-download", "b.raw", dst, "--pool", POOL, "--offset", "0", "--length",
          str(len(data)))
    check_eq(sha256(dst), sha256(src), "downloaded bytes")


def test_pool_refresh_sees_outside_changes():
    with open(os.path.join(pool_dir(), "outside.raw"), "wb") as f:
        f.truncate(5 * MiB)
    os.unlink(os.path.join(pool_dir(), "d.qcow2"))
    names = [r[0] for r in list_rows(virsh("vol-list", POOL).stdout)]
    check("outside.raw" not in names and "d.qcow2" in names, "before refresh: %s" % names)
    check_in("Pool %s refreshed" % POOL, virsh("pool-refresh", POOL).stdout)
    names = [r[0] for r in list_rows(virsh("vol-list", POOL).stdout)]
    check("outside.raw" in names and "d.qcow2" not in names, "after refresh: %s" % names)


def test_vol_delete():
    check_in("Vol outside.raw deleted", virsh("vol-delete", "outside.raw", "--pool",
                                               POOL).stdout)
    check(not os.path.exists(os.path.join(pool_dir(), "outside.raw")), "file removed")
    err = virsh_fail("vol-delete", "outside.raw", "--pool", POOL)
    check_in("no storage vol with matching path 'outside.raw'", err)


# ---- the Python API ---------------------------------------------------------------

PY_API = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
pool, target, tdir = sys.argv[2], sys.argv[3], sys.argv[4]
p = c.storagePoolLookupByName(pool)
assert c.storagePoolLookupByUUIDString(p.UUIDString()).name() == pool
assert c.storagePoolLookupByTargetPath(target).name() == pool
assert p.isActive() == 1 and p.isPersistent() == 1 and p.autostart() == 1
names = sorted(v.name() for v in p.listAllVolumes())
assert names == sorted(p.listVolumes()) and p.numOfVolumes() == len(names), names
assert pool in c.listStoragePools() and c.numOfStoragePools() >= 1
v = p.storageVolLookupByName("b.raw")
assert v.storagePoolLookupByVolume().name() == pool
assert c.storageVolLookupByKey(v.key()).name() == "b.raw"
assert c.storageVolLookupByPath(v.path()).name() == "b.raw"
t, cap, alloc = v.info()
assert (t, cap) == (libvirt.VIR_STORAGE_VOL_FILE, 16 << 20), v.info()
st, pcap, palloc, pavail = p.info()
assert st == libvirt.VIR_STORAGE_POOL_RUNNING and pcap > 0 and pavail > 0
flags = libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_DIR
assert pool in [x.name() for x in c.listAllStoragePools(flags)]
assert pool not in [x.name() for x in c.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE)]
# a transient pool goes away when it stops
tp = c.storagePoolCreateXML("<pool type='dir'><name>stdir-transient</name>"
                            "<target><path>%s</path></target></pool>" % tdir,
                            libvirt.VIR_STORAGE_POOL_CREATE_WITH_BUILD)
assert tp.isActive() == 1 and tp.isPersistent() == 0
try:
    tp.setAutostart(1)
    raise SystemExit("autostart of a transient pool must fail")
except libvirt.libvirtError as e:
    assert "transient" in str(e), e
tv = tp.createXML("<volume><name>t.raw</name><capacity>1024</capacity></volume>", 0)
assert tv.path() == tdir + "/t.raw"
tv.delete(0)
tp.destroy()
try:
    c.storagePoolLookupByName("stdir-transient")
    raise SystemExit("transient pool still there")
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL, e
# errors keep libvirt's codes
for fn, code in ((lambda: p.storageVolLookupByName("nope"), libvirt.VIR_ERR_NO_STORAGE_VOL),
                 (lambda: c.storageVolLookupByKey("/nope"), libvirt.VIR_ERR_NO_STORAGE_VOL),
                 (lambda: p.createXML("<volume><name>b.raw</name><capacity>1</capacity></volume>", 0),
                  libvirt.VIR_ERR_STORAGE_VOL_EXIST),
                 (lambda: p.undefine(), libvirt.VIR_ERR_OPERATION_INVALID)):
    try:
        fn()
        raise SystemExit("no error")
    except libvirt.libvirtError as e:
        assert e.get_error_code() == code, (e.get_error_code(), str(e))
        assert e.get_error_domain() == libvirt.VIR_FROM_STORAGE, e.get_error_domain()
print("ok")
'''


def test_python_api():
    st = stack()
    r = st.python(PY_API, st.uri(), POOL, pool_dir(), os.path.join(st.root, "pools", "tr"))
    check_in("ok", r.stdout)


def test_qcow2_create_uses_one_helper():
    """qcow2 volumes are written by one long-lived qemu-storage-daemon, not a
    qemu-img per volume."""
    st = stack()
    pid = st.pid_of("mvstoraged")

    def helpers():
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    cmd = f.read().split(b"\0")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid and any(b"qemu-storage-daemon" in a for a in cmd):
                out.append(int(entry))
        return out

    before = helpers()
    check_eq(len(before), 1, "one qemu-storage-daemon child of mvstoraged")
    code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
p = c.storagePoolLookupByName(sys.argv[2])
for i in range(20):
    p.createXML("<volume><name>many%d.qcow2</name><capacity>1073741824</capacity>"
                "<target><format type='qcow2'/></target></volume>" % i, 0)
print("ok")
'''
    check_in("ok", st.python(code, st.uri(), POOL).stdout)
    check_eq(helpers(), before, "the same helper")
    for i in range(20):
        path = os.path.join(pool_dir(), "many%d.qcow2" % i)
        with open(path, "rb") as f:
            check_eq(f.read(4), b"QFI\xfb", "qcow2 magic of %s" % path)
        virsh("vol-delete", "many%d.qcow2" % i, "--pool", POOL)


# ---- persistence -----------------------------------------------------------------

def test_restart_keeps_pools():
    st = stack()
    virsh("pool-define-as", "stdir-p2", "dir", "--target", pool_dir("stdir-p2"))
    virsh("pool-build", "stdir-p2")
    virsh("pool-start", "stdir-p2")
    virsh("pool-define-as", "stdir-p3", "dir", "--target", pool_dir("stdir-p3"))
    vols_before = sorted(r[0] for r in list_rows(virsh("vol-list", POOL).stdout))
    st.kill("mvstoraged", signal.SIGTERM)
    st.start("mvstoraged")
    mvtest.wait_for(lambda: "active" in virsh("pool-list", "--all").stdout, timeout=10,
                    what="pools back")
    rows = {r[0]: r[1] for r in list_rows(virsh("pool-list", "--all").stdout)}
    check_eq(rows, {POOL: "active", "stdir-p2": "active", "stdir-p3": "inactive"},
             "states after a restart")
    vols_after = sorted(r[0] for r in list_rows(virsh("vol-list", POOL).stdout))
    check_eq(vols_after, vols_before, "volumes found again")


def test_calls_wait_for_pools_coming_back():
    """strace holds the restart's check of POOL's directory back for 1.5 s:
    pool-list, pool-info and vol-list sent meanwhile (through the proxy)
    wait for it and see the pool active with its volumes."""
    mvtest.require_tool("strace")
    st = stack()
    vols_before = sorted(r[0] for r in list_rows(virsh("vol-list", POOL).stdout))
    check(vols_before, "no volumes in %s to find again" % POOL)
    st.kill("mvstoraged", signal.SIGTERM)
    st.start("mvstoraged", wrapper=["strace", "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null",
                                    "-e", "trace=%%stat", "-P", pool_dir(),
                                    "-e", "inject=%%stat:delay_enter=1500000:when=1"])
    try:
        t0 = time.monotonic()
        rows = {r[0]: r[1] for r in list_rows(virsh("pool-list", "--all").stdout)}
        waited = time.monotonic() - t0
        check_eq(rows, {POOL: "active", "stdir-p2": "active", "stdir-p3": "inactive"},
                 "states right after a restart")
        check(waited > 0.8, "pool-list took %.2f s: the held-back restore was not waited for"
              % waited)
        check_eq(fields(virsh("pool-info", POOL).stdout)["State"], "running", "pool-info State")
        # The restore waited for the pool's first refresh too.
        check_eq(sorted(r[0] for r in list_rows(virsh("vol-list", POOL).stdout)), vols_before,
                 "volumes right after a restart")
    finally:
        # Back to a daemon without strace for the tests after this one.
        st.kill("mvstoraged", signal.SIGTERM)
        st.start("mvstoraged")


def test_reboot_starts_autostart_only():
    st = stack()
    st.kill("mvstoraged", signal.SIGTERM)
    run_dir = os.path.join(st.root, "session", "run", "modvirt", "storage")
    for name in os.listdir(run_dir):
        if name.endswith(".xml"):
            os.unlink(os.path.join(run_dir, name))
    st.start("mvstoraged")
    mvtest.wait_for(lambda: "active" in virsh("pool-list", "--all").stdout, timeout=10,
                    what="autostarted pool")
    rows = {r[0]: r[1] for r in list_rows(virsh("pool-list", "--all").stdout)}
    check_eq(rows, {POOL: "active", "stdir-p2": "inactive", "stdir-p3": "inactive"},
             "after a reboot")


# ---- events ---------------------------------------------------------------------

PY_EVENTS = r'''
import libvirt, sys, threading, time
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
seen = []
def life(conn, pool, event, detail, opaque): seen.append(("life", pool.name(), event))
def refresh(conn, pool, opaque): seen.append(("refresh", pool.name()))
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, life, None)
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, refresh, None)
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
print("ready", flush=True)
sys.stdin.readline()
def done():
    mine = [s for s in seen if s[1] == sys.argv[2]]
    return len(mine) >= 7
end = time.time() + 10
while time.time() < end and not done():
    time.sleep(0.05)
for s in seen:
    print(*s)
'''


def wait_virsh_registered(procs):
    """virsh pool-event registers after its handshake: poke a probe pool
    until both have printed one of its events (they flush each at once)."""
    import select
    seen = [False, False]
    end = time.monotonic() + 30
    virsh("pool-create-as", "stdir-probe", "dir", "--target", pool_dir("stdir-probe"),
          "--build")
    while not all(seen) and time.monotonic() < end:
        virsh("pool-refresh", "stdir-probe")
        virsh("pool-destroy", "stdir-probe")
        virsh("pool-create-as", "stdir-probe", "dir", "--target", pool_dir("stdir-probe"))
        for i, p in enumerate(procs):
            while select.select([p.stdout], [], [], 0.2)[0]:
                line = p.stdout.readline()
                if not line:
                    break
                seen[i] = seen[i] or "stdir-probe" in line
    virsh("pool-destroy", "stdir-probe")
    check(all(seen), "virsh pool-event did not start in time")


def test_events_virsh_and_python():
    st = stack()
    name = "stdir-ev"
    procs = [subprocess.Popen(["virsh", "-c", st.uri(), "pool-event", "--event", ev, "--loop",
                               "--timeout", "60"], env=st.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for ev in ("lifecycle", "refresh")]
    py = subprocess.Popen(["/usr/bin/python3", "-c", PY_EVENTS, st.uri(), name], env=st.env,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        check_eq(py.stdout.readline().strip(), "ready", "python registered")
        wait_virsh_registered(procs)
        virsh("pool-define-as", name, "dir", "--target", pool_dir(name))
        virsh("pool-build", name)
        virsh("pool-start", name)
        virsh("pool-refresh", name)
        virsh("pool-destroy", name)
        virsh("pool-delete", name)
        virsh("pool-undefine", name)
        time.sleep(0.5)
        py.stdin.write("\n")
        py.stdin.flush()
        py_out = py.communicate(timeout=20)[0]
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        outs = [p.communicate(timeout=20)[0] for p in procs]
        if py.poll() is None:
            py.kill()
    want = ["Defined", "Created", "Started", "Stopped", "Deleted", "Undefined"]
    got = [l.rsplit(": ", 1)[1] for l in outs[0].splitlines()
           if l.startswith("event 'lifecycle' for storage pool %s:" % name)]
    check_eq(got, want, "virsh lifecycle events")
    refreshes = [l for l in outs[1].splitlines()
                 if l == "event 'refresh' for storage pool %s" % name]
    check(len(refreshes) >= 1, "virsh refresh event: %r" % outs[1])
    life = [l.split()[2] for l in py_out.splitlines() if l.startswith("life %s " % name)]
    check_eq(life, ["0", "4", "2", "3", "5", "1"], "python lifecycle events")
    check_in("refresh %s" % name, py_out, "python refresh event")


# ---- tear down --------------------------------------------------------------------

def test_pool_destroy_delete_undefine():
    for name in ("stdir-p2", "stdir-p3"):
        virsh("pool-undefine", name)
    err = virsh_fail("pool-undefine", POOL)
    check_in("storage pool '%s' is still active" % POOL, err)
    check_in("Pool %s destroyed" % POOL, virsh("pool-destroy", POOL).stdout)
    err = virsh_fail("vol-list", POOL)
    check_in("storage pool '%s' is not active" % POOL, err)
    err = virsh_fail("pool-delete", POOL)
    check_in("Directory not empty", err)
    for name in os.listdir(pool_dir()):
        os.unlink(os.path.join(pool_dir(), name))
    check_in("Pool %s deleted" % POOL, virsh("pool-delete", POOL).stdout)
    check(not os.path.exists(pool_dir()), "directory removed")
    check_in("Pool %s has been undefined" % POOL, virsh("pool-undefine", POOL).stdout)
    check_eq(list_rows(virsh("pool-list", "--all").stdout), [], "no pools left")


def teardown():
    if STACK is not None:
        STACK.cleanup()


if __name__ == "__main__":
    mvtest.main(globals(), teardown=teardown)
