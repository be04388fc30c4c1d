# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvsd: systemd's side of a daemon's life, for the integration tests.

- read the unit files meson generated (systemd/build-tree/ in the build
  tree: the installed units with ExecStart= pointing at the build tree);
- turn a service's ExecStart=/Environment= into an argv, as systemd would;
- start a daemon the way socket activation does, with systemd-socket-activate
  and named file descriptors;
- listen on a NOTIFY_SOCKET like systemd does for Type=notify;
- tell which listening UNIX sockets a process holds.

No systemd is running on the test machines; these helpers are all a test
needs to exercise the daemon's systemd integration without one.
"""

import json
import os
import shlex
import socket
import stat
import struct
import subprocess
import time

import mvtest

UNIT_DIR = os.path.join(mvtest.BUILD, "systemd")
BUILDTREE_UNIT_DIR = os.path.join(UNIT_DIR, "build-tree")
DAEMONS = ("mvqemud", "mvstoraged", "mvnetworkd", "mvproxyd")
# The three sockets of a daemon: unit suffix, file suffix, the daemon's
# name for the kind of socket (PREFIX-KIND in its socket directory).
SOCKET_KINDS = ((".socket", "sock"), ("-ro.socket", "sock-ro"),
                ("-admin.socket", "admin-sock"))


# ---- unit files --------------------------------------------------------------

def parse_unit(path):
    """{section: [(key, value), ...]} in file order (keys may repeat)."""
    sections = {}
    cur = None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = sections.setdefault(line[1:-1], [])
                continue
            if cur is None or "=" not in line:
                raise mvtest.TestFailure("%s:%d: not a unit file line: %r" % (path, lineno, line))
            key, value = line.split("=", 1)
            cur.append((key.strip(), value.strip()))
    return sections


def unit_values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def unit_value(unit, section, key):
    """The single value of KEY; a missing or repeated key is a failure."""
    vals = unit_values(unit, section, key)
    if len(vals) != 1:
        raise mvtest.TestFailure("[%s] %s: want exactly one value, got %r" % (section, key, vals))
    return vals[0]


def unit_list(unit, section, key):
    """A list-valued key (Requires=, After=...) over all its lines."""
    out = []
    for v in unit_values(unit, section, key):
        out += v.split()
    return out


def load_units(daemon, unit_dir=BUILDTREE_UNIT_DIR):
    """{'service': ..., '.socket': ..., '-ro.socket': ..., '-admin.socket': ...}"""
    units = {"service": parse_unit(os.path.join(unit_dir, daemon + ".service"))}
    for suffix, _ in SOCKET_KINDS:
        units[suffix] = parse_unit(os.path.join(unit_dir, daemon + suffix))
    return units


def service_argv(service):
    """ExecStart= of a parsed service, with its Environment= expanded as
    systemd does: $VAR splits the value on whitespace, ${VAR} is one word."""
    env = {}
    for line in unit_values(service, "Service", "Environment"):
        for assignment in shlex.split(line):
            k, v = assignment.split("=", 1)
            env[k] = v
    argv = []
    for word in shlex.split(unit_value(service, "Service", "ExecStart")):
        if word.startswith("${") and word.endswith("}"):
            argv.append(env[word[2:-1]])
        elif word.startswith("$"):
            argv += env[word[1:]].split()
        else:
            argv.append(word)
    return argv


def build_options():
    """The meson options of the build tree under test."""
    with open(os.path.join(mvtest.BUILD, "meson-info", "intro-buildoptions.json")) as f:
        return {o["name"]: o["value"] for o in json.load(f)}


# ---- socket activation -------------------------------------------------------

def socket_activate(stack, sockets, argv, log_name, extra_env=()):
    """Start ARGV under systemd-socket-activate listening on SOCKETS, a list
    of (path, fdname).  systemd-socket-activate execs the daemon (same pid)
    at the first connection; it passes only the variables given with -E, so
    the stack's MODVIRT_ROOT and MODVIRT_DAEMON_PATH are handed on."""
    mvtest.require_tool("systemd-socket-activate")
    cmd = ["systemd-socket-activate"]
    for path, name in sockets:
        cmd += ["-l", path, "--fdname=" + name]
    for key in ("MODVIRT_ROOT", "MODVIRT_DAEMON_PATH"):
        cmd += ["-E", "%s=%s" % (key, stack.env[key])]
    for kv in extra_env:
        cmd += ["-E", kv]
    log = open(os.path.join(stack.logdir, log_name + ".log"), "ab")
    p = subprocess.Popen(cmd + list(argv), env=stack.env, stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    log.close()
    stack.procs.setdefault(log_name, []).append(p)
    for path, _ in sockets:
        mvtest.wait_for(lambda: os.path.exists(path) or p.poll() is not None,
                        what="systemd-socket-activate to create %s" % path)
        if p.poll() is not None:
            raise mvtest.TestFailure("systemd-socket-activate exited %d:\n%s"
                                     % (p.returncode, stack.log(log_name)))
        mvtest.check(stat.S_ISSOCK(os.stat(path).st_mode), "%s is not a socket" % path)
    return p


# ---- which sockets a process listens on --------------------------------------

def listening_unix_sockets():
    """{socket inode: path} of the listening AF_UNIX sockets bound to a path."""
    out = {}
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Num RefCount Protocol Flags Type St Inode [Path]
            if len(fields) < 8 or not int(fields[3], 16) & 0x10000:
                continue
            out[int(fields[6])] = fields[7]
    return out


def process_listening_paths(pid):
    """{fd: path} of the listening UNIX sockets process PID holds."""
    listening = listening_unix_sockets()
    out = {}
    fddir = "/proc/%d/fd" % pid
    for fd in os.listdir(fddir):
        try:
            target = os.readlink(os.path.join(fddir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            ino = int(target[len("socket:["):-1])
            if ino in listening:
                out[int(fd)] = listening[ino]
    return out


def process_exe(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


# ---- sd_notify -----------------------------------------------------------------

class NotifyListener:
    """An AF_UNIX datagram socket standing in for systemd's notify socket.
    Each message is a dict of its KEY=VALUE lines, plus "_pid": the sender,
    from the kernel's SCM_CREDENTIALS (systemd checks it is the main pid)."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify-%d" % os.getpid())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(self.path)
        self.messages = []

    def env(self, base):
        env = dict(base)
        env["NOTIFY_SOCKET"] = self.path
        return env

    def wait(self, key, timeout=10.0):
        """Wait for a datagram holding KEY=...; returns it as a dict."""
        end = time.monotonic() + timeout
        for msg in self.messages:
            if key in msg:
                return msg
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise mvtest.TestFailure("no %s notification within %.0fs (got %r)"
                                         % (key, timeout, self.messages))
            self.sock.settimeout(left)
            try:
                data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            msg = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    msg["_pid"] = struct.unpack("iII", cdata[:12])[0]
            self.messages.append(msg)
            if key in msg:
                return msg

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
