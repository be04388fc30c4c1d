# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvsh undefine's storage options (--storage, --remove-all-storage,
--wipe-storage, --delete-storage-volume-snapshots) against the real
daemons, stock virsh on the same stack as the oracle: the same output, the
same status, the same volumes left."""

import os

import mvguest
import mvtest
from mvtest import check, check_eq, check_in

# A domain with a volume by path, a file outside any pool, a volume by pool
# and name, an empty cdrom and a volume of a pool that does not exist.
XML = """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%(dir)s/a.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/srv/unmanaged-%(name)s.raw'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='volume' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source pool='%(pool)s' volume='b.raw'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <disk type='file' device='cdrom'>
      <target dev='sdb' bus='sata'/>
      <readonly/>
    </disk>
    <disk type='volume' device='disk'>
      <source pool='nopool' volume='x'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
  </devices>
</domain>
"""

CASES = [
    ["undefine", "DOM", "--remove-all-storage"],
    ["undefine", "DOM", "--remove-all-storage", "--wipe-storage"],
    ["-q", "undefine", "DOM", "--remove-all-storage"],
    ["undefine", "DOM", "--storage", "vda"],
    ["undefine", "DOM", "vda"],
    ["undefine", "DOM", "--storage", "DIR/a.raw,sda"],
    ["undefine", "DOM", "--storage", "vda,nosuch"],
    ["undefine", "DOM", "--storage", "vdb"],
    ["undefine", "DOM", "--storage", "vda", "--remove-all-storage"],
    ["undefine", "DOM", "--delete-storage-volume-snapshots"],
]


def setup(s, run, name, pool):
    """A pool with volumes a.raw and b.raw, and the domain using them."""
    path = os.path.join(s.root, pool)
    os.makedirs(path)
    run("pool-define-as", pool, "dir", "--target", path)
    run("pool-start", pool)
    run("vol-create-as", pool, "a.raw", "1M")
    run("vol-create-as", pool, "b.raw", "1M")
    xml = os.path.join(s.root, name + ".xml")
    with open(xml, "w") as f:
        f.write(XML % {"name": name, "pool": pool, "dir": path})
    run("define", xml)
    return path


def test_storage_options_match_virsh():
    with mvtest.Stack(name="mv-mvshund") as s:
        s.start("mvproxyd")
        for i, args in enumerate(CASES):
            results = []
            for tool, run in (("virsh", s.virsh), ("mvsh", s.mvsh)):
                name, pool = "%s%d" % (tool, i), "%spool%d" % (tool, i)
                path = setup(s, run, name, pool)
                r = run(*[a.replace("DOM", name).replace("DIR", path) for a in args],
                        check_rc=None)
                out = r.stdout[:-1] if tool == "virsh" and r.stdout.endswith("\n") else r.stdout

                def norm(text):
                    return text.replace(path, "DIR").replace(name, "DOM")
                results.append((norm(out), norm(r.stderr), r.returncode,
                                sorted(os.listdir(path))))
            check_eq(results[1], results[0], "mvsh %s (stdout, stderr, status, volumes left)"
                     % " ".join(args))
        # What the first case shows, spelled out.
        r = s.mvsh("undefine", "mvsh0", check_rc=1)
        check_in("failed to get domain 'mvsh0'", r.stderr)
        # On disk: the definitions of the domains still defined, no more;
        # an undefined one's file is kept as a spare inode for the next
        # define (.spare), emptied: no old definition lingers there.
        confdir = os.path.join(s.root, "session", "config", "modvirt", "qemu")
        listed = s.virsh("list", "--all", "--name").stdout.split()
        check_eq(sorted(f[:-4] for f in os.listdir(confdir) if f.endswith(".xml")),
                 sorted(listed), "definitions on disk")
        path = os.path.join(s.root, "recy.xml")
        with open(path, "w") as f:
            f.write(mvguest.idle("recy"))
        s.mvsh("define", path, check_rc=0)
        ino = os.stat(os.path.join(confdir, "recy.xml")).st_ino
        s.mvsh("undefine", "recy", check_rc=0)
        check(not os.path.exists(os.path.join(confdir, "recy.xml")), "recy.xml removed")
        spares = {os.stat(os.path.join(confdir, ".spare", f)).st_ino: f
                  for f in os.listdir(os.path.join(confdir, ".spare"))}
        check(ino in spares, "the undefined definition's inode kept as a spare")
        for f in spares.values():
            check_eq(os.path.getsize(os.path.join(confdir, ".spare", f)), 0, "size of spare " + f)
        # A new definition is written through one of the spares.
        with open(path, "w") as f:
            f.write(mvguest.idle("recy2"))
        s.mvsh("define", path, check_rc=0)
        check(os.stat(os.path.join(confdir, "recy2.xml")).st_ino in spares,
              "the new definition's inode came from .spare")


def test_running_domain_keeps_its_storage():
    with mvtest.Stack(name="mv-mvshund") as s:
        s.start("mvproxyd")
        path = os.path.join(s.root, "run.xml")
        with open(path, "w") as f:
            f.write(mvguest.idle("run"))
        s.mvsh("define", path, check_rc=0)
        s.mvsh("start", "run", check_rc=0)
        for tool in (s.virsh, s.mvsh):
            r = tool("undefine", "run", "--remove-all-storage", check_rc=1)
            check_eq(r.stderr, "error: Storage volume deletion is supported only on stopped "
                     "domains\n", "running domain")
        check_eq(s.mvsh("domstate", "run", check_rc=0).stdout, "running\n", "still defined")
        s.mvsh("destroy", "run", check_rc=0)


if __name__ == "__main__":
    mvtest.main(globals())
