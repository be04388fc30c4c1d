# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvtest: the harness of modvirt's integration tests.

A Stack is a private modvirt installation in a temporary directory
(MODVIRT_ROOT): daemons started from the build tree, in session mode unless
asked otherwise, their sockets and logs under the root.  Tests are functions
named test_*; main() runs them in order and prints TAP.

Tests use /usr/bin/python3 (Debian's, which has python3-libvirt).
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

BUILD = os.environ.get("MODVIRT_BUILD_ROOT", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE = os.environ.get("MODVIRT_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON_DIR = os.environ.get("MODVIRT_DAEMON_PATH", os.path.join(BUILD, "daemons"))
MVSH = os.path.join(BUILD, "src", "cli", "mvsh")

DAEMON_PREFIX = {"mvqemud": "mvqemud", "mvstoraged": "mvstoraged",
                 "mvnetworkd": "mvnetworkd", "mvproxyd": "modvirt"}


class TestFailure(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


def check_eq(got, want, what="value"):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))


def check_in(needle, hay, what="text"):
    if needle not in hay:
        raise TestFailure("%s: %r not found in %r" % (what, needle, hay[-2000:]))


def require_tool(name):
    """A test that needs a missing tool fails loudly."""
    if shutil.which(name) is None:
        raise TestFailure("required tool '%s' is not installed" % name)


def wait_for(pred, timeout=10.0, interval=0.02, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise TestFailure("timed out after %.1fs waiting for %s" % (timeout, what))


def sock_connectable(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def loop_attach(image, size):
    """A sparse @image file of @size bytes on a new loop device; returns the
    device (/dev/loopN).  Detach it with loop_detach()."""
    with open(image, "wb") as f:
        f.truncate(size)
    r = subprocess.run(["losetup", "--find", "--show", image], capture_output=True, text=True)
    if r.returncode != 0:
        raise TestFailure("losetup failed: %s" % r.stderr)
    dev = r.stdout.strip()
    check(dev.startswith("/dev/loop"), "loop device %r" % dev)
    return dev


def loop_detach(dev):
    if dev:
        subprocess.run(["losetup", "-d", dev], capture_output=True)


def mount_source(path):
    """The source of what is mounted on @path, or None."""
    real = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if parts[4] == real:
                return parts[parts.index("-") + 2]
    return None


def rss_kib(pid):
    """VmRSS of @pid in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise TestFailure("no VmRSS for %d" % pid)


def proc_stat(pid):
    """The fields of /proc/PID/stat after the command: [0] is the state,
    [7] minflt, [11] utime, [12] stime (proc(5) numbers minus 3)."""
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid):
    """utime + stime of @pid, in seconds."""
    fields = proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pid_alive(pid):
    try:
        state = proc_stat(pid)[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def qemu_pids(prefix, root=None):
    """pid -> guest name of every live QEMU whose -name starts with @prefix
    (and, with @root, whose files are under that stack root: tests running
    at the same time on this machine use the same guest names)."""
    found = {}
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if not argv or not argv[0].endswith(b"qemu-system-x86_64"):
            continue
        if root and not any(a.startswith(root.encode() + b"/") for a in argv):
            continue
        for i, a in enumerate(argv):
            if a == b"-name" and i + 1 < len(argv):
                name = argv[i + 1].decode().split(",")[0].replace("guest=", "")
                if name.startswith(prefix) and pid_alive(int(d[6:])):
                    found[int(d[6:])] = name
    return found


def qemu_argv(pid):
    """The command line of process @pid, as a list of str."""
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


class Stack:
    """A private modvirt tree with its daemons."""

    def __init__(self, mode="session", name="mvtest"):
        self.mode = mode
        self.root = tempfile.mkdtemp(prefix=name + "-")
        self.procs = {}
        self.env = dict(os.environ)
        self.env["MODVIRT_ROOT"] = self.root
        self.env["MODVIRT_DAEMON_PATH"] = DAEMON_DIR
        self.env.pop("LISTEN_FDS", None)
        self.env.pop("LISTEN_PID", None)
        self.env.pop("NOTIFY_SOCKET", None)
        os.makedirs(self.logdir, exist_ok=True)

    # ---- paths ------------------------------------------------------------
    @property
    def sockdir(self):
        if self.mode == "session":
            return os.path.join(self.root, "session", "run", "modvirt")
        return os.path.join(self.root, "run", "modvirt")

    @property
    def logdir(self):
        return os.path.join(self.root, "test-logs")

    def sock(self, daemon="mvproxyd", kind="sock"):
        return os.path.join(self.sockdir, "%s-%s" % (DAEMON_PREFIX[daemon], kind))

    def uri(self, daemon="mvproxyd", kind="sock", scheme="qemu"):
        return "%s+unix:///system?socket=%s" % (scheme, self.sock(daemon, kind))

    def admin_uri(self, daemon):
        return "%s:///system?socket=%s" % (daemon, self.sock(daemon, "admin-sock"))

    # ---- daemons ------------------------------------------------------------
    def daemon_cmd(self, daemon, *args):
        cmd = [os.path.join(DAEMON_DIR, daemon), "--%s" % self.mode]
        cmd += list(args)
        return cmd

    def start(self, daemon, *args, wait=True, wrapper=None, env=None):
        cmd = self.daemon_cmd(daemon, *args)
        if wrapper:
            cmd = list(wrapper) + cmd
        log = open(os.path.join(self.logdir, daemon + ".log"), "ab")
        p = subprocess.Popen(cmd, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        log.close()
        self.procs.setdefault(daemon, []).append(p)
        if wait:
            path = self.sock(daemon)
            wait_for(lambda: sock_connectable(path) or p.poll() is not None,
                     timeout=60 if wrapper else 10, what="%s socket" % daemon)
            if p.poll() is not None:
                raise TestFailure("%s exited with %s:\n%s" % (daemon, p.returncode, self.log(daemon)))
        return p

    def start_stack(self, *daemons):
        for d in daemons or ("mvqemud", "mvstoraged", "mvnetworkd", "mvproxyd"):
            self.start(d)

    def log(self, daemon):
        texts = []
        for path in (os.path.join(self.logdir, daemon + ".log"),
                     os.path.join(self.root, "session", "log", "modvirt", daemon + ".log"),
                     os.path.join(self.root, "var", "log", "modvirt", daemon + ".log")):
            try:
                with open(path, errors="replace") as f:
                    texts.append(f.read())
            except OSError:
                pass
        return "\n".join(texts)[-4000:]

    def _log_paths(self, daemon):
        """Where a daemon's log lines go: its stderr when the harness
        started it, its own log file when a client or daemon did."""
        sub = ("session", "log") if self.mode == "session" else ("var", "log")
        return (os.path.join(self.logdir, daemon + ".log"),
                os.path.join(self.root, *sub, "modvirt", daemon + ".log"))

    def qemu_pids(self, prefix=""):
        """pid -> name of this stack's live QEMUs whose name starts with @prefix."""
        return qemu_pids(prefix, self.root)

    def log_mark(self, daemon):
        """A position in the daemon's logs, for log_since()."""
        return {p: os.path.getsize(p) if os.path.exists(p) else 0
                for p in self._log_paths(daemon)}

    def log_since(self, daemon, mark=None):
        """What the daemon logged after @mark (everything without one)."""
        out = []
        for p in self._log_paths(daemon):
            try:
                with open(p, "rb") as f:
                    f.seek((mark or {}).get(p, 0))
                    out.append(f.read().decode(errors="replace"))
            except OSError:
                pass
        return "".join(out)

    def pid_of(self, daemon):
        try:
            with open(os.path.join(self.sockdir, daemon + ".pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def kill(self, daemon, sig=signal.SIGKILL):
        pid = self.pid_of(daemon)
        if pid:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            for p in self.procs.get(daemon, []):
                if p.pid == pid:
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
            wait_for(lambda: not pid_alive(pid), timeout=10, what="%s to exit" % daemon)
        return pid

    def stop(self):
        pids = set()
        for lst in self.procs.values():
            for p in lst:
                if p.poll() is None:
                    pids.add(p.pid)
        for pidfile in glob.glob(os.path.join(self.sockdir, "*.pid")):
            try:
                with open(pidfile) as f:
                    pids.add(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 5
        for pid in pids:
            while pid_alive(pid) and time.monotonic() < end:
                time.sleep(0.02)
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for lst in self.procs.values():
            for p in lst:
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass

    def cleanup(self):
        self.stop()
        # Guests outlive their daemon by design: a test that failed half-way
        # must not leave its QEMUs running.
        for pid in self.qemu_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not os.environ.get("MODVIRT_TEST_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    # ---- clients ------------------------------------------------------------
    def run(self, cmd, timeout=60, check_rc=None, input=None):
        r = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout,
                           input=input)
        if check_rc is not None and r.returncode != check_rc:
            raise TestFailure("%s exited %d (want %d)\nstdout: %s\nstderr: %s"
                              % (" ".join(cmd), r.returncode, check_rc, r.stdout, r.stderr))
        return r

    def virsh(self, *args, uri=None, check_rc=0, timeout=60, input=None):
        return self.run(["virsh", "-c", uri or self.uri()] + list(args), timeout=timeout,
                        check_rc=check_rc, input=input)

    def virt_admin(self, daemon, *args, check_rc=0, timeout=60):
        return self.run(["virt-admin", "-c", self.admin_uri(daemon)] + list(args),
                        timeout=timeout, check_rc=check_rc)

    def mvsh(self, *args, uri=None, check_rc=0, timeout=60, input=None):
        cmd = [MVSH]
        if uri is not False:
            cmd += ["-c", uri or self.uri()]
        return self.run(cmd + list(args), timeout=timeout, check_rc=check_rc, input=input)

    def python(self, code, *args, check_rc=0, timeout=120):
        return self.run(["/usr/bin/python3", "-c", code] + list(args), timeout=timeout,
                        check_rc=check_rc)


def same_as_virsh(stack, *args, retries=3):
    """Run a read-only command with mvsh and with stock virsh on @stack: the
    same output, errors and exit status, but for virsh's final blank line.
    What the command shows may move between the two runs (free space on a
    shared file system, another test's volume group): retried a few
    times."""
    for _ in range(retries):
        m = stack.mvsh(*args, check_rc=None)
        v = stack.virsh(*args, check_rc=None)
        vout = v.stdout[:-1] if v.stdout.endswith("\n") else v.stdout
        if (m.stdout, m.stderr, m.returncode) == (vout, v.stderr, v.returncode):
            return m
    check_eq(m.stdout, vout, "stdout of mvsh %s" % " ".join(args))
    check_eq(m.stderr, v.stderr, "stderr of mvsh %s" % " ".join(args))
    check_eq(m.returncode, v.returncode, "exit status of mvsh %s" % " ".join(args))
    return m


def fake_iscsiadm_calls(state_dir):
    """The invocations of integration/fake-iscsiadm.py with @state_dir so
    far (each its argv), and forget them."""
    path = os.path.join(state_dir, "calls.log")
    try:
        with open(path) as f:
            out = [json.loads(line) for line in f]
    except FileNotFoundError:
        out = []
    with open(path, "w"):
        pass
    return out


def main(namespace, setup=None, teardown=None):
    """Run the test_* functions of a module, in order, printing TAP;
    @setup first, @teardown at the end whatever happened (also when
    @setup failed)."""
    try:
        if setup:
            setup()
        _run_tests(namespace)
    finally:
        if teardown:
            teardown()


def _run_tests(namespace):
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
    only = os.environ.get("MVTEST_ONLY")
    if only:
        tests = [(n, f) for n, f in tests if only in n]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            fn()
            print("ok %d - %s (%.2fs)" % (i, name, time.monotonic() - t0), flush=True)
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, name), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    sys.exit(1 if failed else 0)
