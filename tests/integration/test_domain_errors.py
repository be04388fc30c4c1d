# SPDX-License-Identifier: LGPL-2.1-or-later
"""Mistakes are refused clearly and change nothing: bad domain XML of each
kind, and two operations on one domain at once (the job lock)."""

import os
import signal
import threading
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in

GOOD = "<domain type='kvm'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>" \
       "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>"

BAD = [
    ("malformed", "<domain type='kvm'><name>x</name>", "XML error"),
    ("no name", "<domain type='kvm'><memory>65536</memory><vcpu>1</vcpu>"
     "<os><type>hvm</type></os></domain>", "name"),
    ("bad memory unit", GOOD.replace("unit='MiB'", "unit='lightyears'")
     % ("mvt-bad", ""), "lightyears"),
    ("bad vcpu", GOOD.replace("<vcpu>1</vcpu>", "<vcpu>two</vcpu>") % ("mvt-bad", ""), "two"),
    ("unknown disk bus", GOOD % ("mvt-bad", "<disk type='file' device='disk'><source file='/x'/>"
                                 "<target dev='vda' bus='floppybus'/></disk>"), "floppybus"),
    ("duplicate target", GOOD % ("mvt-bad",
                                 "<disk type='file'><source file='/a'/><target dev='vda'/></disk>"
                                 "<disk type='file'><source file='/b'/><target dev='vda'/></disk>"),
     "vda"),
    ("bind with reconnect", GOOD % ("mvt-bad",
                                    "<channel type='unix'><source mode='bind' path='/tmp/mv-x.sock'>"
                                    "<reconnect enabled='yes' timeout='5'/></source>"
                                    "<target type='virtio' name='org.x'/></channel>"),
     "chardev reconnect is possible only for connect mode"),
    ("bad domain type", GOOD.replace("type='kvm'", "type='xen'") % ("mvt-bad", ""), "xen"),
    ("bad uuid", GOOD.replace("<name>", "<uuid>not-a-uuid</uuid><name>") % ("mvt-bad", ""),
     "not-a-uuid"),
]


def _start_idle(s, uri, name):
    """Define and start an idle KVM guest with virsh; returns its QEMU's pid."""
    path = os.path.join(s.root, "d.xml")
    with open(path, "w") as f:
        f.write(mvguest.idle(name, virt_type="kvm"))
    s.virsh("define", path, uri=uri)
    s.virsh("start", name, uri=uri)
    return list(s.qemu_pids(name))[0]


def test_bad_xml_changes_nothing():
    with mvtest.Stack(name="mv-err") as s:
        s.start("mvproxyd")
        good = os.path.join(s.root, "good.xml")
        with open(good, "w") as f:
            f.write(GOOD % ("mvt-good", ""))
        s.virsh("define", good)
        before = s.virsh("dumpxml", "mvt-good").stdout
        confdir = os.path.join(s.root, "session", "config", "modvirt", "qemu")
        files_before = sorted(os.listdir(confdir))
        for what, xml, needle in BAD:
            path = os.path.join(s.root, "bad.xml")
            with open(path, "w") as f:
                f.write(xml)
            r = s.virsh("define", path, check_rc=1)
            check_in(needle, r.stderr, what)
            r = s.virsh("create", path, check_rc=1)
            check_in(needle, r.stderr, what + " (create)")
        # A bad redefinition of an existing domain leaves it as it was.
        with open(path, "w") as f:
            f.write((GOOD % ("mvt-good", "")).replace("<vcpu>1</vcpu>", "<vcpu>-4</vcpu>"))
        s.virsh("define", path, check_rc=1)
        check_eq(s.virsh("dumpxml", "mvt-good").stdout, before, "redefinition after an error")
        check_eq(sorted(os.listdir(confdir)), files_before, "files in " + confdir)
        check_eq(s.virsh("list", "--all", "--name").stdout.split(), ["mvt-good"], "domains")
        # Unknown elements: kept (and said so), or refused with --validate.
        with open(path, "w") as f:
            f.write((GOOD % ("mvt-keep", "")).replace("<devices>", "<futurething a='1'/><devices>"))
        r = s.virsh("define", "--validate", path, check_rc=1)
        check_in("futurething", r.stderr)
        s.virsh("define", path)
        check_in("<futurething a='1'/>", s.virsh("dumpxml", "mvt-keep").stdout)


def test_job_lock():
    """A second operation waits a bounded time for the first, then fails
    naming the operation that holds the domain."""
    name = "mvt-job"
    with mvtest.Stack(name="mv-job") as s:
        s.env["MODVIRT_QEMU_JOB_TIMEOUT_MS"] = "1500"
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        qemu = _start_idle(s, uri, name)
        # A frozen QEMU: "suspend" waits for its monitor, holding the job.
        os.kill(qemu, signal.SIGSTOP)
        try:
            holder = threading.Thread(target=lambda: s.virsh("suspend", name, uri=uri, check_rc=None,
                                                              timeout=120))
            holder.start()
            time.sleep(0.5)
            t0 = time.monotonic()
            r = s.virsh("resume", name, uri=uri, check_rc=1)
            waited = time.monotonic() - t0
            check_in("held by suspend", r.stderr)
            check(1.0 < waited < 10, "waited %.1fs for the job" % waited)
        finally:
            os.kill(qemu, signal.SIGCONT)
        holder.join()
        s.virsh("destroy", name, uri=uri)


def test_destroy_hung_qemu():
    """destroy is not held up by a job stuck on a hung QEMU: it signals QEMU
    before it waits for the job (as libvirt does), so the stuck monitor call
    fails and the destroy goes through - here after the SIGTERM grace time,
    since a stopped QEMU ignores SIGTERM, well before the job timeout."""
    name = "mvt-hung"
    with mvtest.Stack(name="mv-hung") as s:
        s.env["MODVIRT_QEMU_JOB_TIMEOUT_MS"] = "60000"
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        qemu = _start_idle(s, uri, name)
        os.kill(qemu, signal.SIGSTOP)
        results = {}
        holder = threading.Thread(target=lambda: results.setdefault(
            "suspend", s.virsh("suspend", name, uri=uri, check_rc=None, timeout=120)))
        holder.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        s.virsh("destroy", name, uri=uri, timeout=120)
        took = time.monotonic() - t0
        holder.join()
        check(took < 25, "destroy of a hung QEMU took %.1fs (job timeout 60 s)" % took)
        check(results["suspend"].returncode != 0, "the stuck suspend succeeded")
        check_eq(s.virsh("domstate", "--reason", name, uri=uri).stdout.strip(),
                 "shut off (destroyed)", "state")
        mvtest.wait_for(lambda: not mvtest.pid_alive(qemu), what="QEMU gone")


def test_names_are_not_paths():
    """A domain name is a file name: '/' and line breaks are refused (with
    libvirt's errors) before anything is written."""
    with mvtest.Stack(name="mv-names") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        for name, err in (("../../../../mvt-escape", "name ../../../../mvt-escape cannot "
                           "contain '/'"), ("a/b", "name a/b cannot contain '/'"),
                          ("two\nlines", "invalid char in name: 0x0a")):
            path = os.path.join(s.root, "bad.xml")
            with open(path, "w") as f:
                f.write(mvguest.idle("placeholder").replace("placeholder", name, 1))
            for cmd in ("define", "create"):
                r = s.virsh(cmd, path, uri=uri, check_rc=1)
                check_in(err, r.stderr, "%s of %r" % (cmd, name))
        found = [os.path.join(dp, f) for dp, dn, fn in os.walk(s.root) for f in fn
                 if "mvt-escape" in f or f.startswith("b.xml")]
        check_eq(found, [], "files written for refused names")
        check_eq(s.virsh("list", "--all", "--name", uri=uri).stdout.strip(), "", "domains")


def test_create_xml_of_defined_domain():
    """virsh create with the XML of a defined, inactive domain starts it with
    that XML as its live definition; the persistent one stays (as libvirt)."""
    name = "mvt-cxml"
    with mvtest.Stack(name="mv-cxml") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        xml = mvguest.idle(name, virt_type="kvm")
        path = os.path.join(s.root, "d.xml")
        with open(path, "w") as f:
            f.write(xml)
        s.virsh("define", path, uri=uri)
        bigger = os.path.join(s.root, "big.xml")
        with open(bigger, "w") as f:
            f.write(xml.replace("<memory unit='MiB'>64</memory>", "<memory unit='MiB'>96</memory>"))
        s.virsh("create", bigger, uri=uri)
        check_in("<memory unit='KiB'>98304</memory>", s.virsh("dumpxml", name, uri=uri).stdout,
                 "live XML")
        check_in("<memory unit='KiB'>65536</memory>",
                 s.virsh("dumpxml", "--inactive", name, uri=uri).stdout, "inactive XML")
        r = s.virsh("create", bigger, uri=uri, check_rc=1)
        check_in("domain '%s' is already active" % name, r.stderr, "create while running")
        other = os.path.join(s.root, "other.xml")
        with open(other, "w") as f:
            f.write(xml.replace("<name>%s</name>" % name, "<name>mvt-cxml-other</name>"))
        r = s.virsh("create", other, uri=uri, check_rc=1)
        check_in("domain '%s' is already defined with uuid" % name, r.stderr, "same uuid")
        s.virsh("destroy", name, uri=uri)
        check_in("Persistent:     yes", s.virsh("dominfo", name, uri=uri).stdout, "dominfo")
        check_in("<memory unit='KiB'>65536</memory>", s.virsh("dumpxml", name, uri=uri).stdout,
                 "definition after destroy")


def test_qemu_start_failure_says_why():
    """A QEMU that exits at start (a missing disk image): the error carries
    what this QEMU said, once (not an older start's output), and nothing
    is left running or on disk."""
    name = "mvt-nodisk"
    with mvtest.Stack(name="mv-nodisk") as s:
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        image = os.path.join(s.root, "missing.img")
        disk = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                "<source file='%s'/><target dev='vda' bus='virtio'/></disk>" % image)
        path = os.path.join(s.root, "d.xml")
        with open(path, "w") as f:
            f.write(mvguest.idle(name, virt_type="kvm").replace("<devices>", "<devices>" + disk))
        s.virsh("define", path, uri=uri)
        for attempt in range(2):
            r = s.virsh("start", name, uri=uri, check_rc=1)
            check_in("QEMU did not start", r.stderr, "start %d" % attempt)
            check_eq(r.stderr.count("Could not open '%s'" % image), 1,
                     "QEMU's reason in start %d: %s" % (attempt, r.stderr))
            check("starting up" not in r.stderr, "the log header in the error: " + r.stderr)
        check(s.virsh("domstate", name, uri=uri).stdout.startswith("shut off"), "state")
        check_eq(s.qemu_pids(name), {}, "QEMUs")
        rundir = os.path.join(s.root, "session", "run", "modvirt", "qemu")
        check_eq(sorted(f for f in os.listdir(rundir) if f.endswith(".xml")), [],
                 "status files left")


def _priority_run(prio_workers):
    """Both ordinary workers stuck on a hung QEMU's domain; how long does a
    define (a high-priority procedure, as in libvirt) take meanwhile?"""
    name = "mvt-prio"
    with mvtest.Stack(name="mv-prio") as s:
        conf = os.path.join(s.root, "session", "config", "modvirt")
        os.makedirs(conf, exist_ok=True)
        with open(os.path.join(conf, "mvqemud.conf"), "w") as f:
            f.write("[server]\nmin_workers = 2\nmax_workers = 2\nprio_workers = %d\n"
                    % prio_workers)
        s.env["MODVIRT_QEMU_JOB_TIMEOUT_MS"] = "6000"
        s.start("mvqemud")
        uri = s.uri("mvqemud")
        qemu = _start_idle(s, uri, name)
        os.kill(qemu, signal.SIGSTOP)
        stuck = [threading.Thread(target=lambda: s.virsh("suspend", name, uri=uri,
                                                         check_rc=None, timeout=120))
                 for _ in range(2)]
        try:
            for t in stuck:
                t.start()
            time.sleep(1.0)
            other = os.path.join(s.root, "o.xml")
            with open(other, "w") as f:
                f.write(mvguest.idle(name + "-other", virt_type="kvm"))
            t0 = time.monotonic()
            s.virsh("define", other, uri=uri, timeout=120)
            return time.monotonic() - t0
        finally:
            os.kill(qemu, signal.SIGKILL)
            for t in stuck:
                t.join()


def test_priority_workers():
    """With every ordinary worker stuck, a high-priority call still runs at
    once on a priority worker; without priority workers it waits."""
    quick = _priority_run(2)
    check(quick < 3, "define took %.1fs with both ordinary workers stuck" % quick)
    slow = _priority_run(0)
    check(slow > quick + 2, "without priority workers the define took %.1fs (%.1fs with)"
          % (slow, quick))


if __name__ == "__main__":
    mvtest.main(globals())
