#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvshfaketest.py: mvsh's domain and storage commands against the fake
remote server (tests/fakeremoted), with stock virsh as the oracle.

Two fake servers are populated alike; every command runs with virsh on one
and mvsh on the other, and stdout, stderr and the exit status must match
(virsh ends every command with one blank line, which mvsh does not print).
Beyond virsh: mvsh's list costs one call, vol-list one bulk call, pool-list
a fixed number, and console, event and the volume transfers work without a
terminal.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

import mvtest
from mvtest import check, check_eq, check_in

FAKE = os.path.join(mvtest.BUILD, "tests", "fakeremoted")
MVSH = mvtest.MVSH

HANDSHAKE = {66, 1, 2, 60, 110, 360, 361}


class Fake:
    """One fakeremoted with its call log."""

    def __init__(self, tmp, name, without=()):
        self.sock = os.path.join(tmp, name + ".sock")
        self.log = os.path.join(tmp, name + ".calls")
        extra = []
        for proc in without:
            extra += ["--without", str(proc)]
        self.proc = subprocess.Popen([FAKE, self.sock, "--populate", "--call-log", self.log]
                                     + extra, stdin=subprocess.DEVNULL)
        mvtest.wait_for(lambda: mvtest.sock_connectable(self.sock), what="fakeremoted socket")
        self.uri = "qemu+unix:///system?socket=" + self.sock

    def calls(self):
        """The procedures called since the last reset, handshake excluded."""
        with open(self.log) as f:
            procs = [int(l.split()[1]) for l in f if l.startswith("call ")]
        return [p for p in procs if p not in HANDSHAKE]

    def reset(self):
        open(self.log, "w").close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


class Pair:
    """virsh on one fake, mvsh on the other."""

    def __init__(self, without=()):
        self.without = without

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mvshfake-")
        self.v = Fake(self.tmp.name, "virsh", self.without)
        self.m = Fake(self.tmp.name, "mvsh", self.without)
        return self

    def __exit__(self, *exc):
        self.v.stop()
        self.m.stop()
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def mvsh(self, *args, check_rc=None, input=None, quiet=False):
        cmd = [MVSH] + (["-q"] if quiet else []) + ["-c", self.m.uri] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, input=input)
        if check_rc is not None and r.returncode != check_rc:
            raise mvtest.TestFailure("%s: rc %d\n%s%s" % (args, r.returncode, r.stdout, r.stderr))
        return r

    def virsh(self, *args, quiet=False):
        cmd = ["virsh"] + (["-q"] if quiet else []) + ["-c", self.v.uri] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def same(self, *args, quiet=False):
        """Run a command both ways and demand identical results."""
        v = self.virsh(*args, quiet=quiet)
        m = self.mvsh(*args, quiet=quiet)
        vout = v.stdout
        if not quiet:
            check(vout.endswith("\n"), "virsh output without its final blank line: %r" % vout)
            vout = vout[:-1]
        check_eq(m.stdout, vout, "stdout of %s" % " ".join(args))
        check_eq(m.stderr, v.stderr, "stderr of %s" % " ".join(args))
        check_eq(m.returncode, v.returncode, "exit status of %s" % " ".join(args))
        return m


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


DOMAIN_CMDS = [
    ["list"], ["list", "--all"], ["list", "--inactive"], ["list", "--all", "--title"],
    ["list", "--all", "--name"], ["list", "--all", "--uuid"], ["list", "--all", "--id"],
    ["list", "--all", "--uuid", "--name"], ["list", "--uuid", "--table", "--all"],
    ["list", "--table", "--id", "--uuid"], ["list", "--table", "--all"],
    ["list", "--table", "--name"], ["list", "--state-paused"], ["list", "--all", "--autostart"],
    ["list", "--all", "--persistent"], ["list", "--with-managed-save"],
    ["dominfo", "alpha"], ["dominfo", "Bravo"], ["dominfo", "2"], ["dominfo", "nosuch"],
    ["domstate", "charlie"], ["domstate", "charlie", "--reason"], ["domid", "alpha"],
    ["domid", "Bravo"], ["domid", "1"], ["domname", "2"], ["domuuid", "delta"],
    ["dumpxml", "alpha"], ["dumpxml", "alpha", "--inactive"], ["dumpxml", "nosuch"],
    ["domstats"], ["domstats", "--state", "--vcpu", "alpha", "charlie"],
    ["domstats", "--list-inactive", "--balloon"], ["domstats", "nosuch"],
    ["suspend", "alpha"], ["list", "--state-paused"], ["domstate", "alpha", "--reason"],
    ["resume", "alpha"], ["resume", "alpha"], ["domstate", "alpha", "--reason"],
    ["autostart", "delta"], ["list", "--all", "--autostart"], ["autostart", "--disable", "delta"],
    ["start", "delta"], ["start", "delta"], ["list", "--all"], ["dominfo", "delta"],
    ["destroy", "delta"], ["domstate", "delta", "--reason"], ["destroy", "delta"],
    ["start", "delta", "--paused"], ["domstate", "delta", "--reason"],
    ["destroy", "delta", "--graceful"], ["start", "--autodestroy", "delta"],
    ["shutdown", "charlie"], ["domstate", "charlie", "--reason"], ["start", "charlie"],
    ["reboot", "charlie"], ["reset", "charlie"], ["shutdown", "charlie", "--mode", "acpi"],
    ["shutdown", "alpha", "--mode", "agent"], ["shutdown", "alpha", "--mode", "bogus"],
    ["undefine", "nosuch"], ["event", "--list"], ["event"],
]


def test_domain_commands_match_virsh():
    with Pair() as p:
        for quiet in (False, True):
            for cmd in DOMAIN_CMDS:
                p.same(*cmd, quiet=quiet)


def test_define_create_undefine_match_virsh():
    with Pair() as p:
        xml = write(p.path("foo.xml"), "<domain type='kvm'><name>foo</name>"
                    "<memory unit='MiB'>64</memory><title>Foo</title></domain>\n")
        bad = write(p.path("bad.xml"), "<domain><memory>1</memory></domain>\n")
        for cmd in (["define", xml], ["define", xml, "--validate"], ["define", bad],
                    ["define", p.path("missing.xml")], ["list", "--all", "--title"],
                    ["undefine", "foo"], ["undefine", "foo"], ["create", xml],
                    ["list", "--transient"], ["create", xml], ["destroy", "foo"],
                    ["create", xml, "--paused"], ["domstate", "foo", "--reason"],
                    ["undefine", "foo"]):
            p.same(*cmd)


STORAGE_CMDS = [
    ["pool-list"], ["pool-list", "--all"], ["pool-list", "--inactive"],
    ["pool-list", "--all", "--details"], ["pool-list", "--type", "logical"],
    ["pool-list", "--all", "--type", "dir,logical", "--details"],
    ["pool-list", "--type", "bogus"], ["pool-list", "--autostart", "--all"],
    ["pool-list", "--name", "--all"], ["pool-list", "--uuid"],
    ["pool-list", "--uuid", "--name", "--all"], ["pool-info", "default"], ["pool-info", "spare"],
    ["pool-info", "vg0", "--bytes"], ["pool-info", "nosuch"], ["pool-start", "spare"],
    ["pool-start", "spare"], ["pool-list", "--all", "--details"], ["pool-refresh", "spare"],
    ["pool-autostart", "spare"], ["pool-autostart", "spare", "--disable"],
    ["pool-destroy", "spare"], ["pool-build", "spare"],
    ["pool-build", "spare", "--overwrite", "--no-overwrite"], ["pool-delete", "spare"],
    ["pool-undefine", "spare"], ["pool-undefine", "spare"], ["pool-dumpxml", "default"],
    ["pool-define-as", "p3", "dir", "--target", "/srv/p3"],
    ["pool-define-as", "p4", "netfs", "--source-host", "nfs.example", "--source-path", "/export",
     "--source-format", "nfs", "--target", "/mnt/p4", "--print-xml"],
    ["pool-define-as", "p5", "iscsi", "--source-host", "h.example:3260", "--source-dev",
     "iqn.x:t", "--source-initiator", "iqn.y", "--auth-type", "chap", "--auth-username", "u",
     "--secret-usage", "su", "--print-xml"],
    ["pool-info", "p3"],
    ["vol-list", "default"], ["vol-list", "default", "--details"], ["vol-list", "vg0"],
    ["vol-list", "vg0", "--details"], ["vol-list", "spare"], ["vol-list", "nosuch"],
    ["vol-info", "disk1.img", "--pool", "default"],
    ["vol-info", "disk1.img", "--pool", "default", "--bytes"],
    ["vol-info", "disk1.img", "--pool", "default", "--physical"],
    ["vol-info", "/var/lib/fake/images/Empty.raw"], ["vol-info", "lvkey-vg0-lv1"],
    ["vol-info", "nosuch", "--pool", "default"], ["vol-info", "nosuch"],
    ["vol-info", "disk1.img", "--pool", "vg0"], ["vol-path", "disk1.img", "--pool", "default"],
    ["vol-path", "lv1", "--pool", "vg0"], ["vol-dumpxml", "lv1", "--pool", "vg0"],
    ["vol-create-as", "default", "new1", "10M"],
    ["vol-create-as", "default", "new2", "1G", "--allocation", "0", "--format", "qcow2"],
    ["vol-create-as", "default", "new3", "5MB", "--print-xml"],
    ["vol-create-as", "default", "new4", "1.5M"], ["vol-create-as", "default", "new5", "12Q"],
    ["vol-create-as", "default", "new6", "1M", "--backing-vol", "disk1.img",
     "--backing-vol-format", "raw", "--print-xml"],
    ["vol-list", "default", "--details"], ["vol-clone", "disk1.img", "disk2.img", "--pool", "default"],
    ["vol-clone", "disk1.img", "disk3.img", "--pool", "default", "--print-xml"],
    ["vol-resize", "new1", "20M", "--pool", "default"], ["vol-resize", "new1", "5M", "--pool", "default"],
    ["vol-resize", "new1", "-5M", "--pool", "default"],
    ["vol-resize", "new1", "-5M", "--pool", "default", "--shrink"],
    ["vol-resize", "new1", "1M", "--pool", "default", "--delta"],
    ["vol-resize", "new1", "junk", "--pool", "default"],
    ["vol-info", "new1", "--pool", "default", "--bytes"], ["vol-wipe", "new1", "--pool", "default"],
    ["vol-wipe", "new1", "--pool", "default", "--algorithm", "dod"],
    ["vol-wipe", "new1", "--pool", "default", "--algorithm", "bogus"],
    ["vol-delete", "new1", "--pool", "default"], ["vol-delete", "new1", "--pool", "default"],
    ["vol-delete", "/var/lib/fake/images/new2", "--delete-snapshots"], ["vol-list", "default"],
]


def test_storage_commands_match_virsh():
    with Pair() as p:
        for cmd in STORAGE_CMDS:
            p.same(*cmd)


def test_storage_commands_quiet_match_virsh():
    with Pair() as p:
        volxml = write(p.path("vol.xml"), "<volume><name>fromfile.img</name>"
                       "<capacity unit='M'>1</capacity></volume>\n")
        poolxml = write(p.path("pool.xml"), "<pool type='dir'><name>p2</name>"
                        "<target><path>/srv/p2</path></target></pool>\n")
        for cmd in STORAGE_CMDS + [["vol-create", "default", volxml],
                                   ["vol-create", "default", volxml],
                                   ["vol-create-from", "vg0", volxml, "disk1.img", "--inputpool",
                                    "default"],
                                   ["vol-list", "vg0", "--details"], ["pool-define", poolxml],
                                   ["pool-create", poolxml], ["pool-dumpxml", "p2"]]:
            p.same(*cmd, quiet=True)


def test_list_is_one_call():
    with Pair() as p:
        for args in (["list"], ["list", "--all"], ["list", "--all", "--name"],
                     ["list", "--state-running", "--uuid"]):
            p.m.reset()
            p.mvsh(*args, check_rc=0)
            check_eq(p.m.calls(), [344], "calls of mvsh %s" % " ".join(args))
        # Filters the statistics call lacks cost one more call, not one per domain.
        p.m.reset()
        p.mvsh("list", "--all", "--autostart", check_rc=0)
        check_eq(p.m.calls(), [273, 344], "calls of mvsh list --autostart")
        p.v.reset()
        p.virsh("list", "--all")
        check_eq(p.v.calls(), [273] + [212] * 4, "calls of virsh list --all")


def test_list_on_a_server_without_bulk_stats():
    """An older server without CONNECT_GET_ALL_DOMAIN_STATS: mvsh does what
    virsh does, a state call per domain, with the same output."""
    with Pair(without=(344,)) as p:
        for quiet in (False, True):
            for cmd in (["list", "--all"], ["list"], ["list", "--all", "--name"],
                        ["list", "--all", "--autostart"]):
                p.same(*cmd, quiet=quiet)
        p.m.reset()
        p.mvsh("list", "--all", check_rc=0)
        # The refused call never reaches a handler, so it is not in the log.
        check_eq(p.m.calls(), [273] + [212] * 4, "calls of mvsh list --all")


def test_vol_list_is_one_bulk_call():
    with Pair() as p:
        p.m.reset()
        out = p.mvsh("vol-list", "default", check_rc=0).stdout
        check_in("/var/lib/fake/images/disk1.img", out)
        # The pool lookup, then all volumes with their keys (their paths).
        check_eq(p.m.calls(), [84, 282], "calls of mvsh vol-list")
        # LVM-like keys are not paths: those volumes cost a GET_PATH each.
        p.m.reset()
        check_in("/dev/vg0/lv1", p.mvsh("vol-list", "vg0", check_rc=0).stdout)
        check_eq(p.m.calls(), [84, 282, 100], "calls of mvsh vol-list vg0")


def test_pool_list_calls_do_not_grow_with_pools():
    with Pair() as p:
        p.m.reset()
        p.mvsh("pool-list", "--all", check_rc=0)
        first = len(p.m.calls())
        for i in range(6):
            p.mvsh("pool-define-as", "extra%d" % i, "dir", "--target", "/srv/x%d" % i, check_rc=0)
        p.m.reset()
        out = p.mvsh("pool-list", "--all", check_rc=0).stdout
        check_in("extra5", out)
        check_eq(len(p.m.calls()), first, "calls of pool-list with 6 more pools")


def events_of(proc):
    out, err = proc.communicate(timeout=30)
    return out, err, proc.returncode


def test_event_matches_virsh():
    with Pair() as p:
        vev = subprocess.Popen(["virsh", "-c", p.v.uri, "event", "--all", "--loop",
                                "--timeout", "4"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        mev = subprocess.Popen([MVSH, "-c", p.m.uri, "event", "--all", "--loop", "--timeout",
                                "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # virsh drops events sent while it still registers: wait for all 27.
        mvtest.wait_for(lambda: p.v.calls().count(316) == 27 and p.m.calls().count(316) == 27,
                        what="event registrations")
        time.sleep(0.2)
        for cmd in (["suspend", "alpha"], ["resume", "alpha"], ["reboot", "charlie"],
                    ["destroy", "charlie"], ["start", "delta", "--paused"],
                    ["undefine", "Bravo"]):
            p.virsh(*cmd)
            p.mvsh(*cmd, check_rc=0)
        vout, verr, vrc = events_of(vev)
        mout, merr, mrc = events_of(mev)
        check_in("event 'lifecycle' for domain 'alpha': Suspended Paused", mout)
        check_in("event 'reboot' for domain 'charlie'", mout)
        check_in("event 'lifecycle' for domain 'delta': Started Booted", mout)
        check_in("events received: 7", mout)
        check_eq(mout, vout[:-1], "event output")
        check_eq((merr, mrc), (verr, vrc), "event stderr and status")
        # Deregistered on exit.
        check_eq(p.m.calls().count(317), 27, "deregistrations")


def test_event_one_shot_filters_and_timestamp():
    with Pair() as p:
        ev = subprocess.Popen([MVSH, "-c", p.m.uri, "event", "--event", "lifecycle", "--domain",
                               "charlie", "--timestamp"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        mvtest.wait_for(lambda: 316 in p.m.calls(), what="registration")
        p.mvsh("suspend", "alpha", check_rc=0)
        p.mvsh("resume", "charlie", check_rc=0)
        out, err, rc = events_of(ev)
        lines = out.splitlines()
        check_eq(rc, 0, "one-shot event status")
        check_eq(len(lines), 2, "one event then the count: %r" % out)
        check(lines[0].endswith("+0000: event 'lifecycle' for domain 'charlie': Resumed Unpaused"),
              lines[0])
        time.strptime(lines[0][:19], "%Y-%m-%d %H:%M:%S")
        check_eq(lines[1], "events received: 1", "count")
        r = p.mvsh("event", "--event", "bogus", check_rc=1)
        check_eq(r.stderr, "error: unknown event type bogus\n", "bad event")
        r = p.mvsh("event", "--all", "--timeout", "1", check_rc=1)
        check_eq(r.stdout, "event loop timed out\nevents received: 0\n", "timeout")


def test_event_interrupted():
    with Pair() as p:
        ev = subprocess.Popen([MVSH, "-c", p.m.uri, "event", "--all", "--loop"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mvtest.wait_for(lambda: p.m.calls().count(316) == 27, what="registrations")
        p.mvsh("reboot", "alpha", check_rc=0)
        time.sleep(0.3)
        ev.send_signal(signal.SIGINT)
        out, err, rc = events_of(ev)
        check_eq(out, "event 'reboot' for domain 'alpha'\nevent loop interrupted\n"
                 "events received: 1\n", "interrupted loop")
        check_eq(rc, 0, "status")
        check_eq(p.m.calls().count(317), 27, "deregistrations after SIGINT")


def test_event_ends_when_the_server_goes():
    """The server dies under `event` (looping or one-shot): as virsh, the
    wait ends at once with "Disconnected from URI due to end of file" (it
    used to wait forever)."""
    for loop in (["--loop"], []):
        with Pair() as p:
            vev = subprocess.Popen(["virsh", "-c", p.v.uri, "event", "--all"] + loop,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            mev = subprocess.Popen([MVSH, "-c", p.m.uri, "event", "--all"] + loop,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            mvtest.wait_for(lambda: p.v.calls().count(316) == 27 and
                            p.m.calls().count(316) == 27, what="event registrations")
            p.v.proc.kill()
            p.m.proc.kill()
            vout, verr, vrc = events_of(vev)
            try:
                mout, merr = mev.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                mev.kill()
                mev.communicate()
                raise mvtest.TestFailure("mvsh event %s still waits" % " ".join(loop))
            mrc = mev.returncode
            check_eq(mout, "events received: 0\n", "stdout")
            check_eq(merr, "error: Disconnected from %s due to end of file\n"
                     "error: internal error: client socket is closed\n" % p.m.uri, "stderr")
            check_eq(mrc, 1, "exit status")
            check_eq((mout, merr.replace(p.m.uri, p.v.uri), mrc), (vout[:-1], verr, vrc),
                     "mvsh and virsh")


def test_keepalive_ends_a_wait_on_a_server_that_stops_answering():
    """As virsh (-k/-K, default 5 s and 6 pings): a server that stops
    answering ends the connection, reported as a keepalive timeout (mvsh
    used no keepalive and waited forever; the library said 'end of file')."""
    with Pair() as p:
        procs = {}
        for name, exe, fake in (("virsh", "virsh", p.v), ("mvsh", MVSH, p.m)):
            procs[name] = subprocess.Popen([exe, "-k", "1", "-K", "2", "-c", fake.uri, "event",
                                            "--all", "--loop"], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)
        mvtest.wait_for(lambda: p.v.calls().count(316) == 27 and p.m.calls().count(316) == 27,
                        what="event registrations")
        # Answered pings keep an idle connection alive.
        time.sleep(2.5)
        check(procs["mvsh"].poll() is None, "mvsh gave up on a live server")
        p.v.proc.send_signal(signal.SIGSTOP)
        p.m.proc.send_signal(signal.SIGSTOP)
        try:
            vout, verr, vrc = events_of(procs["virsh"])
            try:
                mout, merr = procs["mvsh"].communicate(timeout=15)
            except subprocess.TimeoutExpired:
                procs["mvsh"].kill()
                procs["mvsh"].communicate()
                raise mvtest.TestFailure("mvsh still waits on a server that does not answer")
        finally:
            p.v.proc.send_signal(signal.SIGCONT)
            p.m.proc.send_signal(signal.SIGCONT)
        check_eq(merr.splitlines()[0], "error: Disconnected from %s due to keepalive timeout"
                 % p.m.uri, "mvsh's error")
        check_eq((mout, merr.replace(p.m.uri, p.v.uri), procs["mvsh"].returncode),
                 (vout[:-1], verr, vrc), "mvsh and virsh")
        for bad in (["-k", "x"], ["--keepalive-count=-1"], ["-K"]):
            r = subprocess.run([MVSH] + bad + ["-c", p.m.uri, "list"], capture_output=True,
                               text=True)
            check_eq(r.returncode, 1, "mvsh %s" % bad)
            check_in("error: Invalid value for option -", r.stderr)
        r = subprocess.run([MVSH, "-k", "0", "--keepalive-count=3", "-c", p.m.uri, "domid",
                            "alpha"], capture_output=True, text=True)
        check_eq((r.stdout, r.returncode), ("1\n", 0), "-k 0")


def read_until(stream, want, timeout=10):
    buf = b""
    end = time.monotonic() + timeout
    os.set_blocking(stream.fileno(), False)
    while want not in buf and time.monotonic() < end:
        try:
            chunk = stream.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            buf += chunk
        else:
            time.sleep(0.02)
    check(want in buf, "%r not in console output %r" % (want, buf))
    return buf


def test_console_without_tty():
    with Pair() as p:
        con = subprocess.Popen([MVSH, "-c", p.m.uri, "console", "alpha"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = read_until(con.stdout, b"Fake console of alpha\r\n")
        check(out.startswith(b"Connected to domain 'alpha'\nEscape character is ^] (Ctrl + ])\n"),
              out)
        con.stdin.write(b"uname -a\r")
        con.stdin.flush()
        read_until(con.stdout, b"uname -a\r")
        # A second session is refused, unless forced.
        r = p.mvsh("console", "alpha", input="")
        check_eq(r.returncode, 1, "second console")
        check_in("Active console session exists for this domain", r.stderr)
        con.stdin.write(b"\x1d")
        con.stdin.flush()
        check_eq(con.wait(timeout=10), 0, "console exit after Ctrl+]")
        # Input that ends: the session ends once the guest is quiet.
        r = p.mvsh("console", "alpha", input="echo hi\r", check_rc=0)
        check_in("Fake console of alpha\necho hi\n", r.stdout)
        r = p.mvsh("console", "Bravo", input="")
        check_eq((r.returncode, r.stderr), (1, "error: The domain is not running\n"), "shut off")
        r = p.mvsh("console", "alpha", "--devname", "nosuch", input="")
        check_in("cannot find character device nosuch", r.stderr)
        # Ctrl+] in the input ends the session at once, the rest unsent.
        r = p.mvsh("console", "alpha", "--devname", "serial0", "--force",
                   input="x\x1dnot sent\r", check_rc=0)
        check_in("Connected to domain 'alpha'\n", r.stdout)
        check("not sent" not in r.stdout, "input after Ctrl+] was sent: %r" % r.stdout)


def test_upload_download():
    with Pair() as p:
        data = os.urandom(3 * 1024 * 1024 + 12345)
        src = p.path("src.bin")
        with open(src, "wb") as f:
            f.write(data)
        p.mvsh("vol-create-as", "default", "up.img", "4M", check_rc=0)
        r = p.mvsh("vol-upload", "up.img", src, "--pool", "default", "--progress", check_rc=0)
        check_eq(r.stdout, "", "upload output")
        check_in("100%", r.stderr)
        check_in("Uploading", r.stderr)
        dst = p.path("dst.bin")
        r = p.mvsh("vol-download", "up.img", dst, "--pool", "default", check_rc=0)
        check_eq(r.stderr, "", "no progress bar without a terminal")
        with open(dst, "rb") as f:
            back = f.read()
        check_eq(len(back), 4 * 1024 * 1024, "downloaded size")
        check(back[:len(data)] == data, "downloaded data differs")
        check(back[len(data):] == bytes(len(back) - len(data)), "tail not zero")
        part = p.path("part.bin")
        p.mvsh("vol-download", "up.img", part, "--pool", "default", "--offset", "1000",
               "--length", "5000", check_rc=0)
        with open(part, "rb") as f:
            check(f.read() == data[1000:6000], "ranged download")
        r = p.mvsh("vol-upload", "up.img", src, "--pool", "default", "--offset", str(2 << 20))
        check_eq(r.returncode, 1, "upload past the end")
        check_in("error: cannot upload to volume up.img", r.stderr)
        check_in("beyond the end of volume 'up.img'", r.stderr)
        r = p.mvsh("vol-download", "up.img", p.path("x/y"), "--pool", "default")
        check_eq(r.stderr, "error: cannot create %s\n" % p.path("x/y"), "bad target")


def test_sparse_upload_download():
    with Pair() as p:
        src = p.path("sparse.bin")
        with open(src, "wb") as f:
            f.truncate(8 << 20)
            f.seek(3 << 20)
            f.write(b"z" * (1 << 20))
        p.mvsh("vol-create-as", "default", "sp.img", "8M", check_rc=0)
        p.mvsh("vol-upload", "sp.img", src, "--pool", "default", "--sparse", check_rc=0)
        info = p.mvsh("vol-info", "sp.img", "--pool", "default", "--bytes", check_rc=0).stdout
        check_in("Allocation:     1048576 bytes", info)
        dst = p.path("sparse-back.bin")
        p.mvsh("vol-download", "sp.img", dst, "--pool", "default", "--sparse", check_rc=0)
        st = os.stat(dst)
        check_eq(st.st_size, 8 << 20, "size of the sparse download")
        check(st.st_blocks * 512 < (4 << 20), "holes were written: %d blocks" % st.st_blocks)
        with open(dst, "rb") as f, open(src, "rb") as g:
            check(f.read() == g.read(), "sparse round trip differs")
        # A download of a hole-only tail still has the volume's length.
        p.mvsh("vol-create-as", "default", "empty.img", "2M", check_rc=0)
        empty = p.path("empty.bin")
        p.mvsh("vol-download", "empty.img", empty, "--pool", "default", "--sparse", check_rc=0)
        check_eq(os.stat(empty).st_size, 2 << 20, "size of an all-hole download")


def test_arguments_and_help():
    with Pair() as p:
        r = subprocess.run([MVSH, "help"], capture_output=True, text=True)
        for name in ("list", "dominfo", "console", "event", "pool-list", "vol-upload",
                     "vol-create-as", "domstats"):
            check_in("    %s " % name, r.stdout)
        r = subprocess.run([MVSH, "help", "vol-download"], capture_output=True, text=True)
        check_in("vol-download <vol> <file> [--pool <value>] [--offset <value>] "
                 "[--length <value>] [--sparse] [--progress]", r.stdout)
        r = subprocess.run([MVSH, "help", "domstats"], capture_output=True, text=True)
        check_in("[--nowait] [<domain>]...", r.stdout)
        r = p.mvsh("dominfo", check_rc=1)
        check_eq(r.stderr, "error: command 'dominfo' requires <domain> option\n", "missing arg")
        r = p.mvsh("list", "--bogus", check_rc=1)
        check_eq(r.stderr, "error: command 'list' doesn't support option --bogus\n", "bad option")
        r = p.mvsh("vol-upload", "a", "b", "--offset", "-1", check_rc=1)
        check_in("invalid value '-1' for --offset", r.stderr)
        r = p.mvsh("domstate", "alpha", "extra", check_rc=1)
        check_eq(r.stderr, "error: unexpected data 'extra' for command 'domstate'\n", "extra")
        r = p.mvsh("event", "--all", "--timeout", "0", check_rc=1)
        check_in("invalid timeout value '0'", r.stderr)
        r = p.mvsh("list", "--table", "--name", check_rc=1)
        check_eq(r.stderr, "error: Options --table and --name are mutually exclusive\n", "excl")


READONLY_CMDS = [
    ["autostart", "delta"], ["start", "delta"], ["destroy", "alpha"], ["suspend", "alpha"],
    ["shutdown", "alpha"], ["reboot", "alpha"], ["reset", "alpha"], ["undefine", "delta"],
    ["dumpxml", "alpha", "--security-info"], ["pool-start", "spare"],
    ["pool-autostart", "default"], ["vol-delete", "disk1.img", "--pool", "default"],
    ["vol-create-as", "default", "new1", "10M"],
]


def test_readonly_connection_refuses_writes():
    """`-r` (MV_CONNECT_RO) on a read-write socket: as with virsh, every
    write is refused by the library with libvirt's error, before any call
    (the server is not asked to enforce it); reads still work."""
    with Pair() as p:
        xml = write(p.path("foo.xml"), "<domain type='kvm'><name>foo</name>"
                    "<memory unit='MiB'>64</memory></domain>\n")
        data = write(p.path("data"), "x" * 4096)
        for cmd in READONLY_CMDS + [["define", xml], ["create", xml],
                                    ["vol-upload", "disk1.img", data, "--pool", "default"]]:
            v = subprocess.run(["virsh", "-r", "-c", p.v.uri] + cmd, capture_output=True,
                               text=True, timeout=60)
            m = subprocess.run([MVSH, "-r", "-c", p.m.uri] + cmd, capture_output=True,
                               text=True, timeout=60)
            what = "mvsh -r %s" % " ".join(cmd)
            check_eq((m.stderr, m.returncode), (v.stderr, v.returncode), what)
            check_eq(m.returncode, 1, what)
            check(m.stderr.startswith("error: ") and "operation forbidden: " in m.stderr,
                  "%s: %r" % (what, m.stderr))
        r = subprocess.run([MVSH, "-r", "-c", p.m.uri, "list", "--all"], capture_output=True,
                           text=True, timeout=60)
        check_eq(r.returncode, 0, "mvsh -r list")
        check_in(" delta ", r.stdout)
        r = subprocess.run([MVSH, "-c", p.m.uri, "dominfo", "delta"], capture_output=True,
                           text=True, timeout=60)
        check_in("Autostart:      disable", r.stdout)
        check_in("State:          shut off", r.stdout)
        r = subprocess.run([MVSH, "-c", p.m.uri, "list", "--all", "--name"],
                           capture_output=True, text=True, timeout=60)
        check("foo" not in r.stdout.split(), "foo defined through a read-only connection")
        r = subprocess.run([MVSH, "-c", p.m.uri, "vol-list", "default"], capture_output=True,
                           text=True, timeout=60)
        check_in(" disk1.img ", r.stdout)
        check("new1" not in r.stdout, "new1 created through a read-only connection")


def test_options_with_values_are_positional():
    """As virsh: any option taking a value may be given without its name, in
    the order of the command's options (the documented
    `pool-define-as NAME dir - - - - TARGET`, `vol-info VOL POOL`...)."""
    with Pair() as p:
        for cmd in (["pool-define-as", "p", "dir", "-", "-", "-", "-", "/srv/p", "--print-xml"],
                    ["pool-define-as", "p", "netfs", "nfs.example", "/export", "--print-xml"],
                    ["vol-info", "disk1.img", "default"], ["vol-path", "disk1.img", "default"],
                    ["vol-dumpxml", "disk1.img", "default"],
                    ["vol-create-as", "default", "n1", "10M", "5M", "qcow2", "--print-xml"],
                    ["shutdown", "alpha", "bogus"]):
            p.same(*cmd)
        r = p.mvsh("vol-info", "disk1.img", "default", "x", check_rc=1)
        check_eq(r.stderr, "error: unexpected data 'x' for command 'vol-info'\n", "one too many")
        r = p.mvsh("pool-define-as", "p", "dir", "-", "-", "-", "-", "/srv/p", "--print-xml",
                   check_rc=0)
        check_in("<path>/srv/p</path>", r.stdout)


def test_dumpxml_xpath_matches_virsh():
    """dumpxml, pool-dumpxml and vol-dumpxml take virsh's --xpath and --wrap
    (--xpath only by name: never positional)."""
    with Pair() as p:
        for cmd in (["dumpxml", "alpha", "--xpath", "/domain/os"],
                    ["dumpxml", "alpha", "--xpath", "//@type"],
                    ["dumpxml", "alpha", "--xpath", "//uuid|//name/text()"],
                    ["dumpxml", "alpha", "--xpath", "/domain/os", "--wrap"],
                    ["dumpxml", "alpha", "--inactive", "--xpath", "//nosuch"],
                    ["dumpxml", "alpha", "--xpath", "//nosuch", "--wrap"],
                    ["dumpxml", "alpha", "--xpath", "count(//name)"],
                    ["pool-dumpxml", "default", "--xpath", "//target/path/text()"],
                    ["vol-dumpxml", "disk1.img", "default", "--xpath", "//capacity",
                     "--wrap"]):
            p.same(*cmd)
        r = p.mvsh("dumpxml", "alpha", "--xpath", "/domain/name", check_rc=0)
        check_eq(r.stdout, "<name>alpha</name>\n", "one node")
        r = p.mvsh("dumpxml", "alpha", "--inactive", "//name", check_rc=1)
        check_in("unexpected data '//name'", r.stderr)


def test_an_option_given_twice_is_an_error():
    """As virsh: an option given twice (by name, or by name after its
    positional form) is an error, not a silent replacement."""
    with Pair() as p:
        for cmd in (["vol-list", "default", "--details", "--pool", "spare"],
                    ["dominfo", "alpha", "--domain", "Bravo"], ["list", "--all", "--all"]):
            r = p.mvsh(*cmd, check_rc=1)
            v = p.virsh(*cmd)
            check_eq((r.stdout, r.stderr, r.returncode), ("", v.stderr, v.returncode),
                     "mvsh %s" % " ".join(cmd))
            check_in("already seen", r.stderr)
        r = p.mvsh("domstats", "--state", "alpha", "--domain", "charlie", check_rc=0)
        check_in("Domain: 'charlie'", r.stdout)


def test_an_empty_option_value_is_an_error():
    """As virsh: an empty value (a script's unset variable) is refused with
    "Option argument is empty" rather than used (pool-list --type '' listed
    every pool and succeeded); undefine's --storage '' is no --storage."""
    with Pair() as p:
        for cmd in (["pool-list", "--type", ""], ["dominfo", ""],
                    ["vol-clone", "disk1.img", "", "--pool", "default"],
                    ["shutdown", "alpha", "--mode", ""], ["event", "--event", ""],
                    ["vol-create-as", "default", "x", "1M", "--format", "", "--print-xml"],
                    ["undefine", "delta", "--storage", ""], ["domstats", ""]):
            p.same(*cmd)
        r = p.mvsh("pool-list", "--type", "", check_rc=1)
        check_eq(r.stderr, "error: Failed to get option 'type': Option argument is empty\n",
                 "empty --type")


def test_command_lines_with_several_commands():
    """As virsh: a single argument, and each interactive line, is a command
    line: ';' separates commands (not when quoted); none runs if one does not
    parse; the status is the last command's."""
    with Pair() as p:
        for line, out, rc in (("domstate alpha; domid alpha", "running\n1\n", 0),
                              ("domstate nosuch; domid alpha", "1\n", 0),
                              ("domid alpha; domstate nosuch", "1\n", 1),
                              ("domstate alpha; domid --bogus alpha", "", 1),
                              ("domstate 'alpha'", "running\n", 0),
                              ("domstate alpha; quit; domid alpha", "running\n", 0),
                              ("dominfo 'alpha;x'", "", 1)):
            v = p.virsh(line)
            m = p.mvsh(line)
            check_eq((m.stdout, m.returncode), (out, rc), "mvsh %r" % line)
            vout = "".join(l for l in v.stdout.splitlines(True) if l != "\n")
            check_eq(m.stdout, vout, "stdout of %r (virsh's blank lines aside)" % line)
            check_eq((m.stderr, m.returncode), (v.stderr, v.returncode), "mvsh %r" % line)
        r = p.mvsh(input="domstate alpha; domid alpha\nlist --name; quit\nlist\n")
        check_eq((r.stdout, r.returncode), ("running\n1\nalpha\ncharlie\n", 0), "interactive")


def test_help_of_an_unknown_command_fails():
    """As virsh: `help NOSUCH` is an error (exit status 1)."""
    r = subprocess.run(["virsh", "help", "nosuch"], capture_output=True, text=True)
    check_eq(r.returncode, 1, "virsh help nosuch")
    r = subprocess.run([MVSH, "help", "nosuch"], capture_output=True, text=True)
    check_eq((r.returncode, r.stdout), (1, ""), "mvsh help nosuch")
    check_eq(r.stderr, "error: command 'nosuch' doesn't exist\n", "mvsh help nosuch")
    r = subprocess.run([MVSH], input="help nosuch\n", capture_output=True, text=True)
    check_eq(r.returncode, 1, "interactive help nosuch")
    r = subprocess.run([MVSH, "help", "list"], capture_output=True, text=True)
    check_eq(r.returncode, 0, "mvsh help list")


def test_every_command_takes_help():
    """As virsh: `CMD --help` prints the command's help and exits 0,
    without connecting (the URI here leads nowhere) and whatever else the
    line holds."""
    r = subprocess.run(["virsh", "start", "--help"], capture_output=True, text=True)
    check_eq(r.returncode, 0, "virsh start --help")
    want = subprocess.run([MVSH, "help", "start"], capture_output=True, text=True).stdout
    check_in("start <domain>", want)
    for args in (["start", "--help"], ["start", "alpha", "--help"], ["dominfo", "--help"],
                 ["vol-list", "--help", "--details"]):
        r = subprocess.run([MVSH, "-c", "qemu+unix:///system?socket=/nonexistent"] + args,
                           capture_output=True, text=True)
        check_eq((r.returncode, r.stderr), (0, ""), "mvsh %s" % " ".join(args))
        check_in("  NAME\n    %s - " % args[0], r.stdout)
    r = subprocess.run([MVSH, "start", "--help"], capture_output=True, text=True)
    check_eq(r.stdout, want, "start --help and help start")
    r = subprocess.run([MVSH], input="list --help\n", capture_output=True, text=True)
    check_eq(r.returncode, 0, "interactive list --help")
    check_in("list [--inactive]", r.stdout)


if __name__ == "__main__":
    mvtest.main(globals())
