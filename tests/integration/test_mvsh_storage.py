# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvsh's storage pool and volume commands against the real daemons
(through mvproxyd) on a dir pool, with stock virsh on the same stack as the
oracle of the output formats; pool-edit; volume upload and download, sparse
ones included, checked against the files of the pool; pool-capabilities,
against what libvirtd 9.0 printed on this machine."""

import hashlib
import os
import subprocess
import xml.etree.ElementTree as ET

import mvtest
from mvtest import check, check_eq, check_in


def same(s, *args):
    return mvtest.same_as_virsh(s, *args)


def dir_pool(s, name):
    target = os.path.join(s.root, name)
    r = s.mvsh("pool-define-as", name, "dir", "--target", target, check_rc=0)
    check_eq(r.stdout, "Pool %s defined\n" % name, "pool-define-as")
    check_eq(s.mvsh("pool-build", name).stdout, "Pool %s built\n" % name, "pool-build")
    check_eq(s.mvsh("pool-start", name).stdout, "Pool %s started\n" % name, "pool-start")
    return target


def test_pools_match_virsh():
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        r = s.mvsh("pool-define-as", "dormant", "dir", "--target",
                   os.path.join(s.root, "dormant"), "--print-xml", check_rc=0)
        check_eq(r.stdout, "<pool type='dir'>\n  <name>dormant</name>\n  <target>\n"
                 "    <path>%s</path>\n  </target>\n</pool>\n" % os.path.join(s.root, "dormant"),
                 "print-xml")
        s.mvsh("pool-define-as", "dormant", "dir", "--target", os.path.join(s.root, "dormant"),
               check_rc=0)
        dir_pool(s, "active")
        s.mvsh("pool-autostart", "active", check_rc=0)
        same(s, "pool-start", "active", "--overwrite", "--no-overwrite")
        for args in (["pool-list"], ["pool-list", "--all"], ["pool-list", "--inactive"],
                     ["pool-list", "--all", "--details"], ["pool-list", "--all", "--name"],
                     ["pool-list", "--uuid"], ["pool-list", "--autostart", "--all"],
                     ["pool-list", "--type", "dir", "--all"], ["pool-info", "active"],
                     ["pool-info", "dormant"], ["pool-info", "active", "--bytes"],
                     ["pool-dumpxml", "active"], ["pool-dumpxml", "dormant", "--inactive"],
                     ["pool-info", "nosuch"]):
            same(s, *args)
        uuid = s.mvsh("pool-uuid", "active", check_rc=0).stdout.strip()
        check_eq(len(uuid), 36, "pool-uuid prints a uuid")
        # pool-name takes a uuid only, pool-uuid a name only.
        for args in (["pool-uuid", "active"], ["pool-uuid", "nosuch"], ["pool-uuid", uuid],
                     ["pool-name", uuid], ["pool-name", "active"],
                     ["pool-name", "00000000-0000-0000-0000-000000000000"]):
            same(s, *args)
        check_eq(s.mvsh("pool-autostart", "active", "--disable").stdout,
                 "Pool active unmarked as autostarted\n", "pool-autostart --disable")
        check_eq(s.mvsh("pool-refresh", "active").stdout, "Pool active refreshed\n", "refresh")
        check_eq(s.mvsh("pool-destroy", "active").stdout, "Pool active destroyed\n", "destroy")
        check_eq(s.mvsh("pool-delete", "active").stdout, "Pool active deleted\n", "delete")
        check(not os.path.exists(os.path.join(s.root, "active")), "pool-delete left the dir")
        check_eq(s.mvsh("pool-undefine", "active").stdout, "Pool active has been undefined\n",
                 "undefine")
        r = s.mvsh("pool-start", "active", check_rc=1)
        check_in("error: failed to get pool 'active'", r.stderr)
        xml = os.path.join(s.root, "tpool.xml")
        with open(xml, "w") as f:
            f.write("<pool type='dir'><name>transient</name><target><path>%s</path></target>"
                    "</pool>\n" % os.path.join(s.root, "tdir"))
        os.mkdir(os.path.join(s.root, "tdir"))
        r = s.mvsh("pool-create", xml, check_rc=0)
        check_eq(r.stdout, "Pool transient created from %s\n" % xml, "pool-create")
        same(s, "pool-list", "--all", "--details")
        same(s, "pool-list", "--transient")
        s.mvsh("pool-destroy", "transient", check_rc=0)
        args = ["transient2", "dir", "--target", os.path.join(s.root, "tdir2")]
        r = s.mvsh("pool-create-as", *args, "--print-xml", check_rc=0)
        check_eq(r.stdout, s.mvsh("pool-define-as", *args, "--print-xml").stdout,
                 "pool-create-as --print-xml")
        r = s.mvsh("pool-create-as", *args, check_rc=1)
        check_in("error: Failed to create pool transient2", r.stderr)
        same(s, "pool-create-as", *args, "--overwrite", "--no-overwrite", "--print-xml")
        same(s, "pool-create", xml, "--overwrite", "--no-overwrite")
        same(s, "pool-start", "nosuch", "--overwrite", "--no-overwrite")
        r = s.mvsh("pool-create-as", *args, "--build", check_rc=0)
        check_eq(r.stdout, "Pool transient2 created\n", "pool-create-as --build")
        check(os.path.isdir(os.path.join(s.root, "tdir2")), "pool-create-as --build made the dir")
        same(s, "pool-list", "--transient")
        s.mvsh("pool-destroy", "transient2", check_rc=0)


def test_pool_edit():
    """pool-edit as virsh's on success; a definition the daemon refuses
    changes nothing, says why, and the edited file is kept."""
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        dir_pool(s, "ed")
        dir_pool(s, "ved")
        check_in("<mode>0711</mode>", s.mvsh("pool-dumpxml", "--inactive", "ed",
                                             check_rc=0).stdout)
        tmp = os.path.join(s.root, "edit-tmp")
        os.makedirs(tmp)
        mode = os.path.join(s.root, "mode.sh")
        with open(mode, "w") as f:
            f.write("#!/bin/sh\nsed -i 's|<mode>[0-7]*</mode>|<mode>0700</mode>|' \"$1\"\n")
        os.chmod(mode, 0o755)

        def both(ed, args_m, args_v):
            env = dict(s.env, EDITOR=ed, TMPDIR=tmp)
            env.pop("VISUAL", None)
            m = subprocess.run([mvtest.MVSH, "-c", s.uri()] + args_m, env=env,
                               capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)
            v = None
            if args_v:
                v = subprocess.run(["virsh", "-c", s.uri()] + args_v, env=env,
                                   capture_output=True, text=True, timeout=60)
            return m, v

        for ed, want in (("true", "Pool %s XML configuration not changed.\n"),
                         (mode, "Pool %s XML configuration edited.\n")):
            m, v = both(ed, ["pool-edit", "ed"], ["pool-edit", "ved"])
            check_eq(m.stdout, want % "ed", "mvsh pool-edit with %s (stderr %r)" % (ed, m.stderr))
            check_eq(v.stdout, want % "ved" + "\n", "virsh pool-edit with %s" % ed)
            check_eq((m.stderr, m.returncode), (v.stderr, v.returncode), "stderr and status")
        check_eq(os.listdir(tmp), [], "temporary files left by pool-edit")
        edited = s.mvsh("pool-dumpxml", "--inactive", "ed", check_rc=0).stdout
        check_in("<mode>0700</mode>", edited)
        check_eq(edited, s.mvsh("pool-dumpxml", "--inactive", "ved", check_rc=0).stdout
                 .replace("ved", "ed").replace(
                     s.mvsh("pool-uuid", "ved", check_rc=0).stdout.strip(),
                     s.mvsh("pool-uuid", "ed", check_rc=0).stdout.strip()),
                 "mvsh's and virsh's edits give the same definition")

        bad = os.path.join(s.root, "bad.sh")
        with open(bad, "w") as f:
            f.write("#!/bin/sh\nsed -i 's|<mode>0700</mode>|<mode>0999</mode>|' \"$1\"\n")
        os.chmod(bad, 0o755)
        m, _ = both(bad, ["pool-edit", "ed"], None)
        check_eq(m.returncode, 1, "pool-edit to a bad mode: status")
        kept = os.listdir(tmp)
        check_eq(len(kept), 1, "the edited file is kept")
        lines = m.stderr.splitlines()
        check_eq(lines[0], "error: Failed to define pool from the edited XML, kept in %s"
                 % os.path.join(tmp, kept[0]), "first error line")
        check(len(lines) == 2 and "0999" in lines[1], "the reason names the value: %r"
              % m.stderr)
        check_eq(s.mvsh("pool-dumpxml", "--inactive", "ed", check_rc=0).stdout, edited,
                 "definition after a refused edit")
        r = s.mvsh("pool-edit", "nosuch", check_rc=1)
        check_eq(r.stderr, "error: failed to get pool 'nosuch'\nerror: Storage pool not found: "
                 "no storage pool with matching name 'nosuch'\n", "pool-edit of no pool")


def test_volumes_match_virsh():
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        target = dir_pool(s, "p")
        check_eq(s.mvsh("vol-create-as", "p", "a.img", "10M").stdout, "Vol a.img created\n",
                 "vol-create-as")
        s.mvsh("vol-create-as", "p", "b.qcow2", "1G", "--format", "qcow2", check_rc=0)
        s.mvsh("vol-create-as", "p", "Sparse.raw", "64M", "--allocation", "0", check_rc=0)
        xml = os.path.join(s.root, "v.xml")
        with open(xml, "w") as f:
            f.write("<volume><name>fromxml.img</name><capacity unit='M'>2</capacity></volume>\n")
        check_eq(s.mvsh("vol-create", "p", xml).stdout, "Vol fromxml.img created from %s\n" % xml,
                 "vol-create")
        for args in (["vol-list", "p"], ["vol-list", "p", "--details"],
                     ["vol-info", "a.img", "--pool", "p"],
                     ["vol-info", "a.img", "--pool", "p", "--bytes"],
                     ["vol-info", os.path.join(target, "b.qcow2")],
                     ["vol-info", "Sparse.raw", "--pool", "p", "--physical"],
                     ["vol-path", "a.img", "--pool", "p"],
                     ["vol-dumpxml", "b.qcow2", "--pool", "p"],
                     ["vol-info", "nosuch", "--pool", "p"], ["vol-info", "nosuch"],
                     ["vol-key", "a.img", "--pool", "p"],
                     ["vol-key", os.path.join(target, "b.qcow2")],
                     ["vol-name", os.path.join(target, "b.qcow2")], ["vol-name", "nosuch"],
                     ["vol-pool", os.path.join(target, "a.img")],
                     ["vol-pool", os.path.join(target, "a.img"), "--uuid"],
                     ["vol-pool", "nosuch"]):
            same(s, *args)
        r = s.mvsh("vol-resize", "a.img", "20M", "--pool", "p", check_rc=0)
        check_eq(r.stdout, "Size of volume 'a.img' successfully changed to 20M\n", "resize")
        check_eq(os.path.getsize(os.path.join(target, "a.img")), 20 << 20, "resized file")
        r = s.mvsh("vol-resize", "a.img", "1M", "--pool", "p", check_rc=1)
        check_in("error: Failed to change size of volume 'a.img' to 1M", r.stderr)
        r = s.mvsh("vol-clone", "a.img", "c.img", "--pool", "p", check_rc=0)
        check_eq(r.stdout, "Vol c.img cloned from a.img\n", "clone")
        r = s.mvsh("vol-create-from", "p", xml, "a.img", "--inputpool", "p", check_rc=1)
        check_in("error: Failed to create vol from %s" % xml, r.stderr)
        with open(xml, "w") as f:
            f.write("<volume><name>copy.img</name><capacity unit='M'>20</capacity></volume>\n")
        r = s.mvsh("vol-create-from", "p", xml, "a.img", "--inputpool", "p", check_rc=0)
        check_eq(r.stdout, "Vol copy.img created from input vol a.img\n", "create-from")
        check_eq(s.mvsh("vol-wipe", "c.img", "--pool", "p").stdout, "Vol c.img wiped\n", "wipe")
        check_eq(s.mvsh("vol-delete", "c.img", "--pool", "p").stdout, "Vol c.img deleted\n",
                 "delete")
        check(not os.path.exists(os.path.join(target, "c.img")), "vol-delete left the file")
        same(s, "vol-list", "p", "--details")


def test_vol_list_many():
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        dir_pool(s, "many")
        for i in range(40):
            s.mvsh("-q", "vol-create-as", "many", "v%02d.img" % i, "1M", check_rc=0)
        m = same(s, "vol-list", "many")
        check_eq(len(m.stdout.splitlines()), 42, "rows")
        same(s, "vol-list", "many", "--details")


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_upload_download():
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        target = dir_pool(s, "xfer")
        src = os.path.join(s.root, "src.bin")
        with open(src, "wb") as f:
            f.write(os.urandom((5 << 20) + 777))
        s.mvsh("vol-create-as", "xfer", "disk.img", "8M", check_rc=0)
        r = s.mvsh("vol-upload", "disk.img", src, "--pool", "xfer", "--progress", check_rc=0)
        check_eq(r.stdout, "", "upload output")
        check_in("100%", r.stderr)
        vol = os.path.join(target, "disk.img")
        with open(vol, "rb") as f, open(src, "rb") as g:
            check(f.read((5 << 20) + 777) == g.read(), "the volume holds the upload")
        dst = os.path.join(s.root, "dst.bin")
        s.mvsh("vol-download", "disk.img", dst, "--pool", "xfer", check_rc=0)
        check_eq(sha(dst), sha(vol), "downloaded volume")
        part = os.path.join(s.root, "part.bin")
        s.mvsh("vol-download", "disk.img", part, "--pool", "xfer", "--offset", "4096",
               "--length", "10000", check_rc=0)
        with open(part, "rb") as f, open(src, "rb") as g:
            g.seek(4096)
            check(f.read() == g.read(10000), "ranged download")
        r = s.mvsh("vol-upload", "nosuch", src, "--pool", "xfer", check_rc=1)
        check_in("error: failed to get vol 'nosuch'", r.stderr)


def test_sparse_upload_download():
    with mvtest.Stack(name="mv-mvshsto") as s:
        s.start("mvproxyd")
        target = dir_pool(s, "sp")
        src = os.path.join(s.root, "sparse.bin")
        with open(src, "wb") as f:
            f.truncate(32 << 20)
            f.seek(8 << 20)
            f.write(os.urandom(1 << 20))
        s.mvsh("vol-create-as", "sp", "thin.raw", "32M", "--allocation", "0", check_rc=0)
        s.mvsh("vol-upload", "thin.raw", src, "--pool", "sp", "--sparse", check_rc=0)
        vol = os.path.join(target, "thin.raw")
        check_eq(sha(vol), sha(src), "sparse upload content")
        check(os.stat(vol).st_blocks * 512 < (8 << 20), "the upload filled the holes")
        dst = os.path.join(s.root, "sparse-back.bin")
        s.mvsh("vol-download", "thin.raw", dst, "--pool", "sp", "--sparse", check_rc=0)
        check_eq(os.path.getsize(dst), 32 << 20, "downloaded size")
        check_eq(sha(dst), sha(src), "sparse download content")
        check(os.stat(dst).st_blocks * 512 < (8 << 20), "the download filled the holes")


FILE_FORMATS = ["none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd",
                "ploop", "cow", "qcow", "qcow2", "qed", "vmdk"]
FILE_VOLS = ("raw", FILE_FORMATS)
# What libvirtd 9.0 printed with `virsh pool-capabilities` on this machine
# (2026-11-23): per pool type, in its order, (default, values) of the
# source formats and of the volume formats, None where it has none.
LIBVIRT_POOL_CAPS = [
    ("dir", None, FILE_VOLS),
    ("fs", ("auto", ["auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2",
                     "vfat", "hfs+", "xfs", "ocfs2", "vmfs"]), FILE_VOLS),
    ("netfs", ("auto", ["auto", "nfs", "glusterfs", "cifs"]), FILE_VOLS),
    ("logical", ("lvm2", ["unknown", "lvm2"]), None),
    ("disk", ("unknown", ["unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2"]),
     ("none", ["none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid",
               "extended"])),
    ("iscsi", None, None),
    ("iscsi-direct", None, None),
    ("scsi", None, None),
    ("mpath", None, None),
    ("rbd", None, ("raw", [])),
    ("sheepdog", None, None),
    ("gluster", None, FILE_VOLS),
    ("zfs", None, None),
    ("vstorage", None, FILE_VOLS),
]
SUPPORTED = {"dir", "fs", "logical", "iscsi", "iscsi-direct"}


def options(pool, element, enum):
    node = pool.find(element)
    if node is None:
        return None
    return (node.find("defaultFormat").get("type"),
            [v.text for v in node.findall("enum[@name='%s']/value" % enum)])


def test_pool_capabilities():
    with mvtest.Stack(name="mv-mvshcaps") as s:
        s.start("mvproxyd")
        out = s.virsh("pool-capabilities").stdout
        doc = ET.fromstring(out)
        got = [(p.get("type"), options(p, "poolOptions", "sourceFormatType"),
                options(p, "volOptions", "targetFormatType")) for p in doc.findall("pool")]
        check_eq(got, LIBVIRT_POOL_CAPS, "pool types and formats, as libvirt 9.0's")
        check_eq({p.get("type") for p in doc.findall("pool") if p.get("supported") == "yes"},
                 SUPPORTED, "the pool types modvirt runs")
        check_eq({p.get("supported") for p in doc.findall("pool")}, {"yes", "no"}, "supported=")
        # The text too, byte for byte: libvirtd 9.0's, but for supported=.
        with open(os.path.join(mvtest.SOURCE, "tests", "data",
                               "storagepool-capabilities.xml")) as f:
            check_eq(out, f.read() + "\n\n", "virsh pool-capabilities")
        same(s, "pool-capabilities")
        r = s.python("import libvirt, sys\n"
                     "c = libvirt.openReadOnly(sys.argv[1])\n"
                     "sys.stdout.write(c.getStoragePoolCapabilities())\n",
                     s.uri(kind="sock-ro"))
        check_eq(r.stdout + "\n", out[:-1], "python3-libvirt on the read-only socket")


if __name__ == "__main__":
    mvtest.main(globals())
