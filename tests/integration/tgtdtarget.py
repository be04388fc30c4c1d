# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private tgtd (the tgt package's iSCSI target) for storage tests.

It listens on 127.0.0.1 only, on a free non-default iSCSI port, with its own
control port (management socket /run/tgtd/socket.N), and serves file-backed
LUNs from a test directory.  LUN 0 of every target is tgtd's controller.
stop() takes it down and removes its control socket files, whatever state it
was left in (stopped with SIGSTOP included); use it as a context manager.
"""

import glob
import os
import random
import signal
import socket
import subprocess

from mvtest import TestFailure, pid_alive, require_tool, wait_for

TGTD_RUN_DIRS = ("/run/tgtd", "/var/run/tgtd")


def free_tcp_port(lo=13300, hi=13999):
    for _ in range(200):
        port = random.randint(lo, hi)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise TestFailure("no free TCP port in %d-%d" % (lo, hi))


def free_control_port():
    for _ in range(200):
        ctl = random.randint(1000, 9999)
        if not any(os.path.exists(os.path.join(d, "socket.%d" % ctl)) for d in TGTD_RUN_DIRS):
            return ctl
    raise TestFailure("no free tgtd control port")


class Tgtd:
    def __init__(self, workdir):
        require_tool("tgtd")
        require_tool("tgtadm")
        self.workdir = workdir
        self.port = free_tcp_port()
        self.ctl = free_control_port()
        self.portal = "127.0.0.1:%d" % self.port
        self.proc = None
        self.stopped = False
        self.tids = []
        self.log_path = os.path.join(workdir, "tgtd-%d.log" % self.ctl)

    # ---- life ------------------------------------------------------------
    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["tgtd", "-f", "-C", str(self.ctl), "--iscsi", "portal=%s" % self.portal],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        wait_for(lambda: self._ready() or self.proc.poll() is not None, timeout=15,
                 what="tgtd control socket")
        if self.proc.poll() is not None:
            raise TestFailure("tgtd exited with %s: %s" % (self.proc.returncode, self.log()))
        return self

    def _ready(self):
        r = subprocess.run(["tgtadm", "-C", str(self.ctl), "--op", "show", "--mode", "sys"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return False
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect(("127.0.0.1", self.port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def pause(self):
        """SIGSTOP: the port still accepts connections, nothing answers."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.stopped = True

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.stopped = False

    def stop(self):
        if not self.proc:
            return
        if self.stopped:
            self.resume()
        if self.proc.poll() is None:
            self.tgtadm("--op", "update", "--mode", "sys", "--name", "State", "-v", "offline",
                        check=False)
            for tid in self.tids:
                self.tgtadm("--lld", "iscsi", "--op", "delete", "--mode", "target", "--force",
                            "--tid", str(tid), check=False)
            self.tgtadm("--op", "delete", "--mode", "system", check=False)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        wait_for(lambda: not pid_alive(self.proc.pid), timeout=10, what="tgtd to exit")
        for d in TGTD_RUN_DIRS:
            for path in glob.glob(os.path.join(d, "socket.%d" % self.ctl)) + \
                    glob.glob(os.path.join(d, "socket.%d.lock" % self.ctl)):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- configuration -----------------------------------------------------
    def tgtadm(self, *args, check=True):
        r = subprocess.run(["tgtadm", "-C", str(self.ctl)] + list(args), capture_output=True,
                           text=True, timeout=30)
        if check and r.returncode != 0:
            raise TestFailure("tgtadm %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def add_target(self, tid, iqn, lun_sizes, chap=None):
        """A target with LUNs 1..n backed by sparse files of @lun_sizes bytes;
        with @chap=(user, password) only that CHAP account may log in."""
        self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", str(tid),
                    "-T", iqn)
        self.tids.append(tid)
        files = []
        for lun, size in enumerate(lun_sizes, 1):
            path = os.path.join(self.workdir, "tid%d-lun%d.img" % (tid, lun))
            with open(path, "wb") as f:
                f.truncate(size)
            files.append(path)
            self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid",
                        str(tid), "--lun", str(lun), "-b", path)
        self.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", str(tid),
                    "-I", "ALL")
        if chap:
            self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user", chap[0],
                        "--password", chap[1])
            self.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid",
                        str(tid), "--user", chap[0])
        return files

    def add_lun(self, tid, lun, size):
        path = os.path.join(self.workdir, "tid%d-lun%d.img" % (tid, lun))
        with open(path, "wb") as f:
            f.truncate(size)
        self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", str(tid),
                    "--lun", str(lun), "-b", path)
        return path

