# SPDX-License-Identifier: LGPL-2.1-or-later
"""The proxy when a daemon behind it cannot be started, dies, or is slow to
start, and connections whose peer hangs up while they are paused.

- mvstoraged unstartable: pool calls fail with libvirt's "Failed to connect
  socket" error, the same virsh / python3-libvirt connection goes on listing
  domains, and every pool call tries again (and works once the daemon can
  start); a daemon that refuses the connection: its own error, likewise;
- mvstoraged killed: a call in flight fails with "client socket is closed",
  domain calls never notice, the next pool call reconnects (the proxy starts
  the daemon again); a client with storage events registered is closed
  instead, and its close callback runs;
- mvqemud killed: a client without a close callback reconnects (CONNECT_OPEN
  replayed), one with a close callback (virsh) is closed;
- a CONNECT_OPEN that failed is not what the other daemons get: only one
  that succeeded is replayed;
- a daemon slow to start: one start for all the clients waiting, while
  other clients are answered at once;
- a client whose reading is paused (max_client_requests reached) that hangs
  up leaves the proxy and the daemon idle (CPU time from /proc/PID/stat)
  and both go on answering others;
- a download the client does not read, an upload to a daemon that does not
  read: the proxy stops reading the faster side instead of holding the data
  (its RSS stays put), and everything arrives once the slow side goes on.
"""

import ctypes
import os
import signal
import socket
import struct
import subprocess
import threading
import time

import mvtest
import mvwire
from mvtest import check, check_eq, check_in
from mvwire import CALL, CONTINUE, ERROR, OK, REMOTE_PROGRAM, STREAM, packet

PROC_CONNECT_NUM_OF_STORAGE_POOLS = 71
PROC_STORAGE_POOL_REFRESH = 83
PROC_STORAGE_POOL_LOOKUP_BY_NAME = 84
PROC_STORAGE_VOL_LOOKUP_BY_NAME = 95
PROC_STORAGE_VOL_UPLOAD = 208
PROC_STORAGE_VOL_DOWNLOAD = 209
MiB = 1 << 20
ERR_INTERNAL_ERROR = 1
ERR_SYSTEM_ERROR = 38
CLOSE_REASON_EOF = 1

REAL_DAEMONS = mvtest.DAEMON_DIR


# ---- helpers --------------------------------------------------------------------


def _daemon_dir(stack, storaged_script=None):
    """A MODVIRT_DAEMON_PATH for the proxy: the real daemons, but for
    mvstoraged when @storaged_script (shell text) is given."""
    d = os.path.join(stack.root, "daemons-%d" % time.monotonic_ns())
    os.makedirs(d)
    for name in ("mvqemud", "mvstoraged", "mvnetworkd"):
        path = os.path.join(d, name)
        if name == "mvstoraged" and storaged_script is not None:
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + storaged_script)
            os.chmod(path, 0o755)
        else:
            os.symlink(os.path.join(REAL_DAEMONS, name), path)
    return d


def _start_proxy(stack, daemon_dir=None, config=None):
    env = dict(stack.env)
    if daemon_dir:
        env["MODVIRT_DAEMON_PATH"] = daemon_dir
    args = ("--config", config) if config else ()
    return stack.start("mvproxyd", *args, env=env)


def _count_lines(path):
    try:
        with open(path) as f:
            return len(f.read().splitlines())
    except FileNotFoundError:
        return 0


def _runnable_seconds(pid):
    """Seconds the main thread (the one running the I/O loop) of @pid spent
    on a CPU or waiting for one (/proc/PID/task/PID/schedstat).  A busy
    loop is runnable all the time however loaded the machine is, when its
    CPU time shrinks with its share of the CPUs."""
    with open("/proc/%d/task/%d/schedstat" % (pid, pid)) as f:
        run, wait = f.read().split()[:2]
    return (int(run) + int(wait)) / 1e9


def _cpu_over(pid, seconds=1.0):
    """(CPU time, runnable time of the main thread) of @pid over the next
    @seconds."""
    cpu = mvtest.cpu_seconds(pid)
    runnable = _runnable_seconds(pid)
    time.sleep(seconds)
    return mvtest.cpu_seconds(pid) - cpu, _runnable_seconds(pid) - runnable


def _clients(stack, daemon):
    out = stack.virt_admin(daemon, "srv-clients-list", daemon).stdout
    return [l.split()[0] for l in out.splitlines() if l.strip()[:1].isdigit()]


def _timed_hostname(path):
    """A new connection, the handshake and one call; returns the seconds."""
    t = time.monotonic()
    with mvwire.Wire(path, timeout=20) as w:
        w.handshake()
        check_eq(w.hostname(), socket.gethostname(), "hostname")
    return time.monotonic() - t


def _write_config(stack, name, text):
    path = os.path.join(stack.root, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class Python:
    """A python3-libvirt script driven line by line through its stdin."""

    def __init__(self, stack, code, *args):
        self.p = subprocess.Popen(["/usr/bin/python3", "-c", code] + list(args), env=stack.env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def line(self, want=None):
        line = self.p.stdout.readline().strip()
        if not line:
            self.p.kill()
            raise mvtest.TestFailure("script ended: %s" % self.p.stderr.read())
        if want is not None:
            check(line.startswith(want), "script said %r, want %r" % (line, want))
        return line

    def go(self):
        self.p.stdin.write("\n")
        self.p.stdin.flush()

    def finish(self):
        out, err = self.p.communicate(timeout=60)
        check_eq(self.p.returncode, 0, "script exit (stderr: %s)" % err)
        return out

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


# ---- mvstoraged cannot be started -------------------------------------------------

UNSTARTABLE = r'''
import libvirt, sys
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
for round in range(2):
    print("domains", len(c.listAllDomains(0)), flush=True)
    try:
        c.listAllStoragePools(0)
        print("pools ok", flush=True)
    except libvirt.libvirtError as e:
        print("pools error %d %d %s" % (e.get_error_code(), e.get_error_domain(),
                                        e.get_error_message()), flush=True)
print("domains", len(c.listAllDomains(0)), "alive", c.isAlive(), flush=True)
sys.stdin.readline()
print("pools", len(c.listAllStoragePools(0)), flush=True)
print("domains", len(c.listAllDomains(0)), flush=True)
c.close()
'''


def test_storage_unstartable():
    with mvtest.Stack(name="mv-pxup") as s:
        starts = os.path.join(s.root, "storaged-starts")
        ddir = _daemon_dir(s, "echo start >> %s\nexit 1\n" % starts)
        s.start("mvqemud")
        _start_proxy(s, ddir)
        sock = s.sock("mvstoraged")
        want = "Failed to connect socket to '%s'" % sock

        # virsh: one connection, commands from stdin.
        r = s.virsh(input="list --all\npool-list --all\nlist --all\npool-list --all\nhostname\n",
                    check_rc=None, timeout=120)
        check_in(want, r.stderr, "virsh pool-list error")
        check_in("see %s" % os.path.join(s.root, "session", "log", "modvirt", "mvstoraged.log"),
                 r.stderr, "the error says where to look")
        check("Disconnected" not in r.stderr, "virsh was disconnected: %s" % r.stderr)
        check_eq(r.stdout.count(" Id   Name"), 2, "domain lists in %r" % r.stdout)
        check_in(socket.gethostname(), r.stdout, "hostname after the failures")
        check_eq(r.stderr.count(want), 2, "one error per pool-list")
        check_eq(_count_lines(starts), 2, "mvstoraged start attempts")

        # python3-libvirt: the same, then mvstoraged becomes startable.
        py = Python(s, UNSTARTABLE, s.uri())
        try:
            for _ in range(2):
                py.line("domains 0")
                err = py.line("pools error").split(" ", 4)
                check_eq((int(err[2]), int(err[3])), (ERR_SYSTEM_ERROR, mvwire.FROM_RPC),
                         "error code and domain")
                check(err[4].startswith(want), "error message %r" % err[4])
            py.line("domains 0 alive 1")
            check_eq(_count_lines(starts), 4, "mvstoraged start attempts")
            os.unlink(os.path.join(ddir, "mvstoraged"))
            os.symlink(os.path.join(REAL_DAEMONS, "mvstoraged"), os.path.join(ddir, "mvstoraged"))
            py.go()
            py.line("pools 0")
            py.line("domains 0")
            py.finish()
        finally:
            py.kill()
        check(s.pid_of("mvstoraged") is not None, "mvstoraged started by the proxy")


class RefusingDaemon:
    """Listens on a daemon's socket and answers every call with an error,
    as a daemon refusing the proxy's identity or CONNECT_OPEN would."""

    MESSAGE = "the test daemon refuses this connection"

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.connections = 0
        self.procs = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _error(self, header):
        prog, vers, proc, _, serial, _ = struct.unpack(">IIiIII", header)
        payload = (mvwire.i32(mvwire.ERR_OPERATION_DENIED) + mvwire.i32(mvwire.FROM_RPC) +
                   mvwire.xdr_opt_string(self.MESSAGE) + mvwire.i32(2) + mvwire.u32(0) +
                   mvwire.u32(0) * 3 + mvwire.i32(0) * 2 + mvwire.u32(0))
        return packet(prog, proc, mvwire.REPLY, serial, ERROR, payload, vers=vers)

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    # The proxy hangs up after the first refusal, maybe
                    # before the others are written.
                    pass

    def _answer(self, conn):
        buf = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            while len(buf) >= 4 and len(buf) >= struct.unpack(">I", buf[:4])[0]:
                n = struct.unpack(">I", buf[:4])[0]
                self.procs.append(struct.unpack(">i", buf[12:16])[0])
                conn.sendall(self._error(buf[4:28]))
                buf = buf[n:]

    def close(self):
        self.sock.close()


def test_storage_refuses_open():
    """A daemon that refuses the connection: the calls for it get its own
    error, the client goes on, and the next call asks again."""
    with mvtest.Stack(name="mv-pxup") as s:
        s.start("mvqemud")
        os.makedirs(s.sockdir, exist_ok=True)
        fake = RefusingDaemon(s.sock("mvstoraged"))
        try:
            _start_proxy(s)
            with mvwire.Wire(s.sock("mvproxyd"), timeout=20) as w:
                w.handshake()
                for i in range(2):
                    e = w.call_error(PROC_CONNECT_NUM_OF_STORAGE_POOLS)
                    check_eq((e.code, e.domain, e.message),
                             (mvwire.ERR_OPERATION_DENIED, mvwire.FROM_RPC, fake.MESSAGE),
                             "the daemon's error")
                    check_eq(fake.connections, i + 1, "connections to the daemon")
                    check_eq(w.hostname(), socket.gethostname(), "hostname after the refusal")
                # The identity and the open replay reached it, the call never did.
                check_eq(sorted(set(fake.procs)), [mvwire.PROC_CONNECT_OPEN, 419],
                         "procedures the daemon saw")
        finally:
            fake.close()


# ---- a CONNECT_OPEN that fails -----------------------------------------------------


def test_failed_open_not_replayed():
    """Raw wire: the client's first CONNECT_OPEN is refused by mvqemud, its
    second one works; the open the proxy replays to mvstoraged is the one
    that worked, so pool calls work too.  (libvirt's own clients hang up
    after a failed open; a client of the wire may try again.)  A pool call
    sent before the open is answered gets the open replayed too."""
    with mvtest.Stack(name="mv-pxup") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        _start_proxy(s)
        with mvwire.Wire(s.sock("mvproxyd"), timeout=30) as w:
            w.call(mvwire.PROC_AUTH_LIST)
            e = w.call_error(mvwire.PROC_CONNECT_OPEN,
                             mvwire.xdr_opt_string("qemu:///nowhere") + mvwire.u32(0))
            check_in("unexpected URI path", e.message)
            w.call(mvwire.PROC_CONNECT_OPEN, mvwire.xdr_opt_string(None) + mvwire.u32(0))
            check_eq(mvwire.Reader(w.call(PROC_CONNECT_NUM_OF_STORAGE_POOLS)).i32(), 0,
                     "pools after a failed then a good open")
            check_eq(w.hostname(), socket.gethostname(), "hostname")
        # A pool call sent right behind the open, before its answer: the
        # storage daemon gets the open all the same.
        with mvwire.Wire(s.sock("mvproxyd"), timeout=30) as w:
            w.call(mvwire.PROC_AUTH_LIST)
            w.send(packet(REMOTE_PROGRAM, mvwire.PROC_CONNECT_OPEN, CALL, 600,
                          payload=mvwire.xdr_opt_string(None) + mvwire.u32(0)) +
                   packet(REMOTE_PROGRAM, PROC_CONNECT_NUM_OF_STORAGE_POOLS, CALL, 601))
            got = {}
            for _ in range(2):
                pkt = w.recv(timeout=20)
                got[pkt.serial] = pkt.status
            check_eq(got, {600: OK, 601: OK}, "open and pool call, pipelined")


# ---- mvstoraged dies ---------------------------------------------------------------


def test_storage_killed_call_in_flight():
    """Raw wire: a call in flight on mvstoraged when it dies gets an error;
    the connection goes on, and the next pool call reconnects."""
    with mvtest.Stack(name="mv-pxup") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        _start_proxy(s)
        with mvwire.Wire(s.sock("mvproxyd"), timeout=30) as w:
            w.handshake()
            check_eq(mvwire.Reader(w.call(PROC_CONNECT_NUM_OF_STORAGE_POOLS)).i32(), 0, "pools")
            pid = s.pid_of("mvstoraged")
            os.kill(pid, signal.SIGSTOP)
            w.send(packet(REMOTE_PROGRAM, PROC_CONNECT_NUM_OF_STORAGE_POOLS, CALL, 500))
            check_eq(w.hostname(), socket.gethostname(), "hostname while mvstoraged hangs")
            s.kill("mvstoraged")
            pkt = w.recv(timeout=10)
            check_eq((pkt.serial, pkt.status), (500, ERROR), "answer to the call in flight")
            e = pkt.error()
            check_eq((e.code, e.domain), (ERR_INTERNAL_ERROR, mvwire.FROM_RPC), "error")
            check(e.message.startswith("internal error: client socket is closed"),
                  "message %r" % e.message)
            check(not w.is_closed(0.3), "the client was closed")
            check_eq(w.hostname(), socket.gethostname(), "hostname after the loss")
            check_eq(mvwire.Reader(w.call(PROC_CONNECT_NUM_OF_STORAGE_POOLS)).i32(), 0,
                     "pools after the loss")
            check(s.pid_of("mvstoraged") not in (None, pid), "mvstoraged started again")


STATEFUL = r'''
import libvirt, sys, threading
libvirt.virEventRegisterDefaultImpl()
libvirt.registerErrorHandler(lambda *a: None, None)
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
c = libvirt.open(sys.argv[1])
closed = threading.Event()
reasons = []
def on_close(conn, reason, opaque):
    reasons.append(reason)
    closed.set()
if sys.argv[2] in ("callback", "events"):
    c.registerCloseCallback(on_close, None)
if sys.argv[2] == "events":
    c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                  lambda *a: None, None)
print("domains", len(c.listAllDomains(0)), "pools", len(c.listAllStoragePools(0)), flush=True)
sys.stdin.readline()
closed.wait(float(sys.argv[3]))
print("closed", closed.is_set(), reasons, flush=True)
for what, fn in (("domains", lambda: c.listAllDomains(0)), ("host", c.getHostname),
                 ("pools", lambda: c.listAllStoragePools(0))):
    try:
        r = fn()
        print(what, r if isinstance(r, str) else len(r), flush=True)
    except libvirt.libvirtError as e:
        print(what, "error", e.get_error_message(), flush=True)
'''


def _kill_and_watch(stack, daemon, mode, wait):
    """Run STATEFUL in @mode, kill @daemon, return what the script saw."""
    py = Python(stack, STATEFUL, stack.uri(), mode, str(wait))
    try:
        py.line("domains 0 pools 0")
        old = stack.kill(daemon)
        py.go()
        out = [py.line() for _ in range(4)]
        py.finish()
    finally:
        py.kill()
    return old, out


def test_storage_killed_python():
    with mvtest.Stack(name="mv-pxup") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        _start_proxy(s)
        # Close callback (at mvqemud), nothing at mvstoraged: reconnects.
        old, out = _kill_and_watch(s, "mvstoraged", "callback", 1.5)
        check_eq(out, ["closed False []", "domains 0", "host " + socket.gethostname(),
                       "pools 0"], "a client with nothing at mvstoraged")
        check(s.pid_of("mvstoraged") not in (None, old), "mvstoraged started again")
        # Storage events registered: the client is closed and told so.
        old, out = _kill_and_watch(s, "mvstoraged", "events", 10)
        check_eq(out[0], "closed True [%d]" % CLOSE_REASON_EOF, "close callback")
        for line, what in zip(out[1:], ("domains", "host", "pools")):
            check(line.startswith(what + " error"), "%s after the close: %r" % (what, line))
        mon = s.log_since("mvproxyd")
        check_in("it had events or streams through mvstoraged", mon, "proxy log")
        check(_timed_hostname(s.sock("mvproxyd")) < 5, "a new client")


def test_qemud_killed_python():
    """mvqemud answered CONNECT_OPEN: without a close callback the client
    reconnects (the proxy replays its CONNECT_OPEN to a new mvqemud); with
    one (as virsh has) it is closed and the callback runs."""
    with mvtest.Stack(name="mv-pxup") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        _start_proxy(s)
        old, out = _kill_and_watch(s, "mvqemud", "plain", 0.5)
        check_eq(out, ["closed False []", "domains 0", "host " + socket.gethostname(),
                       "pools 0"], "a client without a close callback")
        check(s.pid_of("mvqemud") not in (None, old), "mvqemud started again")
        old, out = _kill_and_watch(s, "mvqemud", "callback", 10)
        check_eq(out[0], "closed True [%d]" % CLOSE_REASON_EOF, "close callback")
        check(out[1].startswith("domains error"), "domains after the close: %r" % out[1])
        # virsh, which always has a close callback, reconnects by itself.
        r = s.virsh(input="list --all\nhostname\n")
        check_in(socket.gethostname(), r.stdout)


# ---- a daemon slow to start -----------------------------------------------------------


def test_slow_start_others_answered():
    """Twelve clients wait for a mvstoraged that takes 3 s to start: it is
    started once, they all get their answer, and meanwhile new clients of
    the proxy are served at once."""
    with mvtest.Stack(name="mv-pxup") as s:
        starts = os.path.join(s.root, "storaged-starts")
        ddir = _daemon_dir(s, "echo start >> %s\nsleep 3\nexec %s \"$@\"\n"
                           % (starts, os.path.join(REAL_DAEMONS, "mvstoraged")))
        s.start("mvqemud")
        _start_proxy(s, ddir)
        waiting = []
        try:
            for i in range(12):
                w = mvwire.Wire(s.sock("mvproxyd"), timeout=30)
                waiting.append(w)
                w.handshake()
                w.send(packet(REMOTE_PROGRAM, PROC_CONNECT_NUM_OF_STORAGE_POOLS, CALL, 900 + i))
            worst = 0.0
            end = time.monotonic() + 2.0
            while time.monotonic() < end:
                worst = max(worst, _timed_hostname(s.sock("mvproxyd")))
            check(worst < 1.0, "a new client took %.2fs while mvstoraged started" % worst)
            for i, w in enumerate(waiting):
                pkt = w.recv(timeout=20)
                check_eq((pkt.serial, pkt.status), (900 + i, OK), "storage call %d" % i)
        finally:
            for w in waiting:
                w.close()
        check_eq(_count_lines(starts), 1, "mvstoraged starts")


# ---- paused clients that hang up -------------------------------------------------------


def _hang_up_paused(path, first, first_payload=b""):
    """Open, send @first (which keeps the server from answering for a
    while, so that it stops reading us), 500 more calls, and go."""
    w = mvwire.Wire(path, timeout=20)
    w.handshake()
    data = packet(REMOTE_PROGRAM, first, CALL, 1000, OK, first_payload)
    data += b"".join(packet(REMOTE_PROGRAM, mvwire.PROC_CONNECT_GET_HOSTNAME, CALL, 2000 + i)
                     for i in range(500))
    w.send(data)
    time.sleep(0.3)
    w.close()


def _check_idle_and_serving(stack, pid, what, path):
    spent, runnable = _cpu_over(pid, 1.0)
    print("# %s, the second after the hang-up: %.2fs of CPU, runnable %.2fs"
          % (what, spent, runnable), flush=True)
    check(spent < 0.1 and runnable < 0.2,
          "%s used %.2fs of CPU (runnable %.2fs) in 1s after a paused client hung up"
          % (what, spent, runnable))
    check(_timed_hostname(path) < 1.0, "another client of %s" % what)


def test_proxy_paused_client_hangs_up():
    """The proxy holds a client's storage call while mvstoraged starts
    (slowly); with max_client_requests=1 it stops reading that client,
    which then hangs up."""
    with mvtest.Stack(name="mv-pxup") as s:
        ddir = _daemon_dir(s, "sleep 4\nexec %s \"$@\"\n"
                           % os.path.join(REAL_DAEMONS, "mvstoraged"))
        conf = _write_config(s, "proxy.conf", "[server]\nmax_client_requests=1\n")
        s.start("mvqemud")
        _start_proxy(s, ddir, conf)
        ppid = s.pid_of("mvproxyd")
        _timed_hostname(s.sock("mvproxyd"))
        base = mvwire.fd_count(ppid)
        _hang_up_paused(s.sock("mvproxyd"), PROC_CONNECT_NUM_OF_STORAGE_POOLS)
        _check_idle_and_serving(s, ppid, "mvproxyd", s.sock("mvproxyd"))
        # Once mvstoraged is up the abandoned connection is not made.
        mvtest.wait_for(lambda: s.pid_of("mvstoraged"), timeout=20, what="mvstoraged")
        time.sleep(0.5)
        check_eq(_clients(s, "mvstoraged"), [], "mvstoraged clients")
        mvtest.wait_for(lambda: mvwire.fd_count(ppid) <= base, timeout=10,
                        what="proxy fds back to %d (now %d)" % (base, mvwire.fd_count(ppid)))


def _fuse_hang(path):
    """A FUSE file system on @path that never answers; returns its fd."""
    check(os.path.exists("/dev/fuse"), "/dev/fuse is missing: this test needs FUSE")
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/dev/fuse", os.O_RDWR | os.O_CLOEXEC)
    opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
    if libc.mount(b"mvtest-pxup", path.encode(), b"fuse", 0, opts.encode()) != 0:
        err = ctypes.get_errno()
        os.close(fd)
        raise mvtest.TestFailure("cannot mount FUSE on %s: %s" % (path, os.strerror(err)))
    return fd


def test_daemon_paused_client_hangs_up():
    """mvstoraged, max_client_requests=1: a pool refresh stuck on storage
    that does not answer keeps the client paused; the client hangs up."""
    with mvtest.Stack(name="mv-pxup") as s:
        confdir = os.path.join(s.root, "session", "config", "modvirt")
        os.makedirs(confdir, exist_ok=True)
        with open(os.path.join(confdir, "storage.conf"), "w") as f:
            f.write("[storage]\nrefresh_timeout = 20000\n")
        conf = _write_config(s, "storaged.conf", "[server]\nmax_client_requests=1\n")
        s.start("mvstoraged", "--config", conf)
        pid = s.pid_of("mvstoraged")
        target = os.path.join(s.root, "hung-pool")
        uri = s.uri("mvstoraged")
        for cmd in (("pool-define-as", "pxhang", "dir", "--target", target),
                    ("pool-build", "pxhang"), ("pool-start", "pxhang")):
            s.virsh(*cmd, uri=uri)
        fd = _fuse_hang(target)
        try:
            with mvwire.Wire(s.sock("mvstoraged")) as w:
                w.handshake()
                pool = w.call(PROC_STORAGE_POOL_LOOKUP_BY_NAME, mvwire.xdr_string("pxhang"))
            _hang_up_paused(s.sock("mvstoraged"), PROC_STORAGE_POOL_REFRESH, pool + mvwire.u32(0))
            _check_idle_and_serving(s, pid, "mvstoraged", s.sock("mvstoraged"))
            check_in("pxhang", s.virsh("pool-list", "--all", uri=uri).stdout)
        finally:
            os.close(fd)
            subprocess.run(["umount", "-l", target], capture_output=True)
        mvtest.wait_for(lambda: len(_clients(s, "mvstoraged")) == 0, timeout=30,
                        what="the paused client to be gone")


# ---- streams through the proxy, one side slow -------------------------------------------


def _stream_stack(s, size):
    """mvstoraged, mvqemud and the proxy; a dir pool with a volume of
    @size bytes; returns (volume path, a wire to the proxy, the volume)."""
    s.start("mvqemud")
    s.start("mvstoraged")
    _start_proxy(s)
    target = os.path.join(s.root, "pool")
    for cmd in (("pool-define-as", "pxst", "dir", "--target", target), ("pool-build", "pxst"),
                ("pool-start", "pxst"), ("vol-create-as", "pxst", "v.raw", str(size))):
        s.virsh(*cmd)
    w = mvwire.Wire(s.sock("mvproxyd"), timeout=60)
    w.handshake()
    pool = w.call(PROC_STORAGE_POOL_LOOKUP_BY_NAME, mvwire.xdr_string("pxst"))
    vol = w.call(PROC_STORAGE_VOL_LOOKUP_BY_NAME, pool + mvwire.xdr_string("v.raw"))
    return os.path.join(target, "v.raw"), w, vol


def _pattern(i):
    """1 MiB number @i of the test data."""
    return (b"%08d" % i) * (MiB // 8)


def test_download_not_read():
    """A 192 MiB download the client reads nothing of for 2 s: the proxy's
    RSS does not grow by the data, then every byte arrives."""
    size = 192 * MiB
    with mvtest.Stack(name="mv-pxup") as s:
        path, w, vol = _stream_stack(s, size)
        with w:
            with open(path, "r+b") as f:
                for i in range(size // MiB):
                    f.write(_pattern(i))
            ppid = s.pid_of("mvproxyd")
            base = mvtest.rss_kib(ppid)
            w.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            pkt = w.call_raw(PROC_STORAGE_VOL_DOWNLOAD, vol + mvwire.u32(0) * 4 + mvwire.u32(0),
                             serial=77)
            check_eq(pkt.status, OK, "download reply")
            peak = base
            for _ in range(20):
                time.sleep(0.1)
                peak = max(peak, mvtest.rss_kib(ppid))
            print("# proxy RSS %d KiB before, %d KiB at most while not read" % (base, peak),
                  flush=True)
            check(peak - base < 32 * 1024, "the proxy holds the download: RSS %d -> %d KiB"
                  % (base, peak))
            got = 0
            want = b""
            while True:
                pkt = w.recv(timeout=60)
                check_eq((pkt.type, pkt.serial), (STREAM, 77), "stream packet")
                check_eq(pkt.status, CONTINUE, "stream status")
                if not pkt.payload:
                    break
                while len(want) < len(pkt.payload):
                    want += _pattern((got + len(want)) // MiB)
                check(pkt.payload == want[:len(pkt.payload)], "data at offset %d" % got)
                want = want[len(pkt.payload):]
                got += len(pkt.payload)
            check_eq(got, size, "bytes downloaded")
            w.send(packet(REMOTE_PROGRAM, PROC_STORAGE_VOL_DOWNLOAD, STREAM, 77, OK))
            pkt = w.recv(timeout=30)
            check_eq((pkt.type, pkt.serial, pkt.status), (STREAM, 77, OK), "finish confirmed")
            check_eq(w.hostname(), socket.gethostname(), "hostname after the download")


def test_upload_daemon_stopped():
    """An upload while mvstoraged is stopped (SIGSTOP): the proxy stops
    reading the client instead of queueing what it sends; after SIGCONT the
    upload completes with the right bytes."""
    size = 96 * MiB
    with mvtest.Stack(name="mv-pxup") as s:
        path, w, vol = _stream_stack(s, size)
        spid = s.pid_of("mvstoraged")
        try:
            with w:
                ppid = s.pid_of("mvproxyd")
                pkt = w.call_raw(PROC_STORAGE_VOL_UPLOAD, vol + mvwire.u32(0) * 4 + mvwire.u32(0),
                                 serial=78)
                check_eq(pkt.status, OK, "upload reply")
                base = mvtest.rss_kib(ppid)
                os.kill(spid, signal.SIGSTOP)
                data = b"".join(packet(REMOTE_PROGRAM, PROC_STORAGE_VOL_UPLOAD, STREAM, 78,
                                       CONTINUE, _pattern(i)[j:j + 256 * 1024])
                                for i in range(size // MiB) for j in range(0, MiB, 256 * 1024))
                w.sock.setblocking(False)
                sent = 0
                end = time.monotonic() + 2.0
                while time.monotonic() < end and sent < len(data):
                    try:
                        sent += w.sock.send(data[sent:sent + MiB])
                    except BlockingIOError:
                        time.sleep(0.01)
                rss = mvtest.rss_kib(ppid)
                print("# %d MiB sent while mvstoraged was stopped; proxy RSS %d -> %d KiB"
                      % (sent // MiB, base, rss), flush=True)
                check(rss - base < 32 * 1024, "the proxy holds the upload: RSS %d -> %d KiB"
                      % (base, rss))
                check(sent < 48 * MiB, "the proxy took %d MiB for a stopped daemon" % (sent // MiB))
                os.kill(spid, signal.SIGCONT)
                w.sock.setblocking(True)
                w.sock.settimeout(60)
                w.send(data[sent:] + packet(REMOTE_PROGRAM, PROC_STORAGE_VOL_UPLOAD, STREAM, 78,
                                            OK))
                pkt = w.recv(timeout=60)
                check_eq((pkt.type, pkt.serial, pkt.status), (STREAM, 78, OK),
                         "upload finish confirmed")
        finally:
            os.kill(spid, signal.SIGCONT)
        with open(path, "rb") as f:
            for i in range(size // MiB):
                if f.read(MiB) != _pattern(i):
                    raise mvtest.TestFailure("uploaded data differs in MiB %d" % i)


if __name__ == "__main__":
    mvtest.main(globals())
