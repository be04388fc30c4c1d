# SPDX-License-Identifier: LGPL-2.1-or-later
"""targets: the implementations a benchmark run compares.

* Peer: Debian's stock libvirtd 9.0 started by /work/shared/peer/peer-start.sh
  in its private mount namespace (PEER_DIR), stopped by peer-stop.sh.
* ModvirtStack: the daemons of a build tree in system mode, every path under a
  temporary MODVIRT_ROOT, started under holder.py (a subreaper, as the peer's
  holder is).

Each gives the "Target"s the workloads see: libvirtd (the peer's socket),
proxy (modvirt-sock) and direct (mvqemud-sock).
"""

import fcntl
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import perflib
from perflib import libvirt

PEER_SCRIPTS = os.environ.get("MODVIRT_PEER_SCRIPTS", "/work/shared/peer")


class Target:
    """What a workload needs to know about one endpoint."""

    def __init__(self, name, impl, uri, pids_fn, owner, storage_uri=None):
        self.name = name          # libvirtd | proxy | direct
        self.impl = impl          # libvirt | modvirt
        self.uri = uri
        # direct: storage calls go to mvstoraged's own socket
        self.storage_uri = storage_uri or uri
        self._pids_fn = pids_fn   # -> {daemon name: pid}
        self.owner = owner        # Peer or ModvirtStack

    def daemon_pids(self):
        return {k: v for k, v in self._pids_fn().items() if v}

    def open(self):
        return libvirt.open(self.uri)

    def open_storage(self):
        return libvirt.open(self.storage_uri)

    def __repr__(self):
        return "Target(%s, %s)" % (self.name, self.uri)


def _wait(pred, timeout, interval=0.005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return pred()


def _answers(uri, call=False):
    """open (+ getVersion when call) + close succeeds.  Readiness checks use
    open+close only, so that the idle RSS is that of a daemon no client has
    made work yet (the driver caches a call like getVersion fills stay
    empty)."""
    try:
        c = libvirt.open(uri)
        try:
            if call:
                c.getVersion()
        finally:
            c.close()
        return True
    except libvirt.libvirtError:
        return False


class Peer:
    """The peer libvirtd (and its virtlogd) in PEER_DIR."""

    def __init__(self, peer_dir):
        self.dir = peer_dir
        self.env = dict(os.environ, PEER_DIR=peer_dir)
        self.sock = os.path.join(peer_dir, "sock", "libvirt-sock")
        self.uri = "qemu+unix:///system?socket=" + self.sock
        self.started = False
        self.lockf = None

    def _lock(self):
        """Two benchmark runs must not share one peer."""
        os.makedirs(os.path.dirname(self.dir) or "/", exist_ok=True)
        self.lockf = open(self.dir + ".lock", "w")
        try:
            fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RuntimeError("another benchmark run holds %s.lock" % self.dir)

    def libvirtd_pid(self):
        pid = perflib.read_pidfile(os.path.join(self.dir, "run", "libvirtd.pid"))
        return pid if pid and perflib.proc_comm(pid) == "libvirtd" else None

    def virtlogd_pid(self):
        pid = perflib.read_pidfile(os.path.join(self.dir, "run", "virtlogd.pid"))
        return pid if pid and perflib.proc_comm(pid) == "virtlogd" else None

    def holder_pid(self):
        return perflib.read_pidfile(os.path.join(self.dir, "holder.pid"))

    def purge_bench_objects(self):
        """Remove what an interrupted run may have left in the (kept)
        PEER_DIR while libvirtd is down: the benchmark's domain and pool
        definitions (all named lvb-*) and its pool directories."""
        for pattern in ("etc/qemu/lvb-*.xml", "etc/qemu/autostart/lvb-*.xml",
                        "etc/storage/lvb-*.xml", "etc/storage/autostart/lvb-*.xml",
                        "var/lib/libvirt/qemu/save/lvb-*", "run/libvirt/qemu/lvb-*",
                        "run/libvirt/storage/lvb-*"):
            for p in glob.glob(os.path.join(self.dir, pattern)):
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
        for p in glob.glob(os.path.join(self.dir, "pools", "lvb-*")):
            shutil.rmtree(p, ignore_errors=True)

    def start(self):
        if self.lockf is None:
            self._lock()
        if not os.path.exists(os.path.join(PEER_SCRIPTS, "peer-start.sh")):
            raise RuntimeError("no %s/peer-start.sh" % PEER_SCRIPTS)
        if not os.path.exists("/usr/sbin/libvirtd"):
            raise RuntimeError("/usr/sbin/libvirtd is missing: run tests/perf/deps")
        # A fresh daemon for every run (this PEER_DIR is ours: locked), and
        # nothing left from an interrupted run (peer-stop.sh also kills any
        # QEMU left running, by its pid file).
        self.started = True
        self.stop()
        cold = not glob.glob(os.path.join(self.dir, "var/cache/libvirt/qemu/capabilities/*.xml"))
        self._start_once()
        if cold:
            # The first start of a new PEER_DIR probes QEMU (1.7 s, +7 MiB
            # RSS); the baseline's figures are those of a warm cache.
            _wait(lambda: glob.glob(os.path.join(
                self.dir, "var/cache/libvirt/qemu/capabilities/*.xml")), 30)
            _wait(lambda: _answers(self.uri, call=True), 30)
            time.sleep(1)
            self.stop()
            self._start_once()

    def _start_once(self):
        r = subprocess.run([os.path.join(PEER_SCRIPTS, "peer-start.sh")], env=self.env,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("peer-start.sh failed: %s" % r.stderr.strip())
        self.started = True
        self.started_at = time.monotonic()
        if not _wait(lambda: _answers(self.uri), 60, 0.02):
            raise RuntimeError("the peer libvirtd does not answer on %s" % self.uri)

    def stop(self):
        if not self.started:
            return
        subprocess.run([os.path.join(PEER_SCRIPTS, "peer-stop.sh")], env=self.env,
                       capture_output=True, text=True, timeout=120)
        self.started = False
        if not self.libvirtd_pid():
            self.purge_bench_objects()

    def release(self):
        if self.lockf:
            self.lockf.close()
            self.lockf = None

    def kill9(self):
        pid = self.libvirtd_pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            perflib.wait_gone(pid)
        return pid

    def respawn(self):
        """What peer-start.sh does after a kill -9, minus its shell and its
        5-ms pid-file polling: remove the stale sockets and ask the holder
        for a new libvirtd.  Returns at once (the caller polls)."""
        for s in (self.sock, self.sock + "-ro", os.path.join(self.dir, "sock", "libvirt-admin-sock")):
            try:
                os.unlink(s)
            except FileNotFoundError:
                pass
        try:
            os.unlink(os.path.join(self.dir, "run", "libvirtd.pid"))
        except FileNotFoundError:
            pass
        argv = ["/usr/sbin/libvirtd", "--pid-file", "/run/libvirtd.pid",
                "--config", "/etc/libvirt/libvirtd.conf"]
        with open(os.path.join(self.dir, "holder.ctl"), "w") as f:
            f.write(json.dumps(argv) + "\n")

    def targets(self):
        return [Target("libvirtd", "libvirt", self.uri,
                       lambda: {"libvirtd": self.libvirtd_pid()}, self)]

    def pool_base(self):
        d = os.path.join(self.dir, "pools")
        os.makedirs(d, exist_ok=True)
        return d

    def qemu_pids(self):
        out = {}
        for pf in glob.glob(os.path.join(self.dir, "run/libvirt/qemu/*.pid")):
            pid = perflib.read_pidfile(pf)
            if pid and perflib.pid_alive(pid) and (perflib.proc_comm(pid) or "").startswith("qemu"):
                out[os.path.basename(pf)[:-4]] = pid
        return out


def _empty_files(root):
    """Remove every file under @root, keep the directories."""
    for dirpath, dirnames, filenames in os.walk(root):
        for f in filenames:
            try:
                os.unlink(os.path.join(dirpath, f))
            except OSError:
                pass


class ModvirtStack:
    """A private modvirt installation: daemons from BUILD/daemons, system mode,
    MODVIRT_ROOT in a directory kept between runs like the peer's.

    NB: the root is reused (its files removed, its directories kept) for the
    same reason as the peer directory: on this machine's ext4 (no journal),
    creating files in a freshly made directory under a busy /tmp costs up to
    ~1.5 ms each (the allocator scans recently freed inodes of that block
    group) against ~20 us in a long-lived one, which biased define/create
    figures against modvirt when its root was a new mkdtemp directory."""

    DAEMONS = ("mvqemud", "mvstoraged", "mvnetworkd", "mvproxyd")
    PREFIX = {"mvqemud": "mvqemud", "mvstoraged": "mvstoraged",
              "mvnetworkd": "mvnetworkd", "mvproxyd": "modvirt"}

    def __init__(self, build, keep=False, root="/tmp/mvbench-modvirt"):
        self.build = os.path.abspath(build)
        self.daemon_dir = os.path.join(self.build, "daemons")
        self.root = root
        os.makedirs(self.root, exist_ok=True)
        _empty_files(self.root)
        os.chmod(self.root, 0o755)
        self.keep = keep
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET")}
        self.env["MODVIRT_ROOT"] = self.root
        self.env["MODVIRT_DAEMON_PATH"] = self.daemon_dir
        self.logdir = os.path.join(self.root, "bench-logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.sockdir = os.path.join(self.root, "run", "modvirt")
        self.holder = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(perflib.HERE, "holder.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.missing = {}          # daemon -> reason it is not running

    # ---- paths --------------------------------------------------------------
    def sock(self, daemon, kind="sock"):
        return os.path.join(self.sockdir, "%s-%s" % (self.PREFIX[daemon], kind))

    def uri(self, daemon="mvproxyd"):
        return "qemu+unix:///system?socket=" + self.sock(daemon)

    def pid(self, daemon):
        pid = perflib.read_pidfile(os.path.join(self.sockdir, daemon + ".pid"))
        return pid if pid and perflib.pid_alive(pid) and perflib.proc_comm(pid) == daemon else None

    def pids(self):
        return {d: self.pid(d) for d in self.DAEMONS}

    def binary(self, daemon):
        return os.path.join(self.daemon_dir, daemon)

    # ---- daemons ------------------------------------------------------------
    def spawn(self, daemon):
        """Ask the holder to start a daemon; returns its pid (no waiting)."""
        req = {"argv": [self.binary(daemon), "--system"], "env": self.env,
               "log": os.path.join(self.logdir, daemon + ".log")}
        self.holder.stdin.write(json.dumps(req) + "\n")
        self.holder.stdin.flush()
        return json.loads(self.holder.stdout.readline())["pid"]

    def start(self, daemon, timeout=30):
        if not os.access(self.binary(daemon), os.X_OK):
            self.missing[daemon] = "%s is not built in %s" % (daemon, self.build)
            return None
        pid = self.spawn(daemon)
        ok = _wait(lambda: (self.pid(daemon) and os.path.exists(self.sock(daemon)))
                   or not perflib.pid_alive(pid), timeout, 0.005)
        if not self.pid(daemon):
            self.missing[daemon] = "%s did not start: %s" % (daemon, self.log_tail(daemon))
            return None
        return ok and self.pid(daemon)

    def start_all(self):
        for d in self.DAEMONS:
            self.start(d)
        if self.pid("mvqemud") is None or self.pid("mvproxyd") is None:
            raise RuntimeError("modvirt stack did not start: %s" % self.missing)
        self.started_at = time.monotonic()
        for d in ("mvproxyd", "mvqemud"):
            if not _wait(lambda: _answers(self.uri(d)), 60, 0.02):
                raise RuntimeError("%s does not answer: %s" % (d, self.log_tail(d)))

    def log_tail(self, daemon, n=1500):
        texts = []
        for p in (os.path.join(self.logdir, daemon + ".log"),
                  os.path.join(self.root, "var", "log", "modvirt", daemon + ".log")):
            try:
                with open(p, errors="replace") as f:
                    texts.append(f.read())
            except OSError:
                pass
        return "\n".join(texts)[-n:].strip()

    def kill9(self, daemon):
        pid = self.pid(daemon)
        if pid:
            os.kill(pid, signal.SIGKILL)
            perflib.wait_gone(pid)
        return pid

    def stop(self):
        """Destroy running domains through the API, stop the daemons, and
        have the holder kill whatever is left (QEMU included) by PID."""
        if self.holder is None:
            return
        if self.pid("mvqemud"):
            try:
                c = libvirt.open(self.uri("mvqemud"))
                for d in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
                    try:
                        d.destroy()
                    except libvirt.libvirtError:
                        pass
                c.close()
            except libvirt.libvirtError:
                pass
        for d in reversed(self.DAEMONS):
            pid = self.pid(d)
            if pid:
                os.kill(pid, signal.SIGTERM)
        for d in self.DAEMONS:
            pid = self.pid(d)
            if pid and not perflib.wait_gone(pid, 10):
                os.kill(pid, signal.SIGKILL)
        try:
            self.holder.stdin.write(json.dumps({"kill_all": True}) + "\n")
            self.holder.stdin.flush()
            self.holder.stdout.readline()
            self.holder.stdin.close()
            self.holder.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self.holder.kill()
            self.holder.wait()
        self.holder = None

    def cleanup(self):
        self.stop()
        if not self.keep:
            _empty_files(self.root)

    def targets(self):
        return [Target("proxy", "modvirt", self.uri("mvproxyd"), self.pids, self),
                Target("direct", "modvirt", self.uri("mvqemud"), self.pids, self,
                       storage_uri=self.uri("mvstoraged"))]

    def pool_base(self):
        d = os.path.join(self.root, "pools")
        os.makedirs(d, exist_ok=True)
        return d

    def qemu_pids(self):
        """Running QEMU processes of this stack: descendants of the holder
        whose command line is qemu-system."""
        out = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if not argv or b"qemu-system" not in argv[0]:
                continue
            env_root = _environ_has(int(name), self.root)
            if not env_root:
                continue
            for i, a in enumerate(argv):
                if a == b"-name" and i + 1 < len(argv):
                    guest = argv[i + 1].decode(errors="replace")
                    guest = guest.split("guest=", 1)[-1].split(",", 1)[0]
                    out[guest] = int(name)
        return out


def _environ_has(pid, text):
    """True when a process's environment or command line mentions text."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            if text.encode() in f.read():
                return True
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return text.encode() in f.read()
    except OSError:
        return False


def describe_machine():
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    return "%d CPU %s, %s" % (os.cpu_count(), model, os.uname().release)


if __name__ == "__main__":
    sys.exit("targets.py is a module; run run.py")
