# SPDX-License-Identifier: LGPL-2.1-or-later
"""The proxy: killed and restarted while the daemons run (the daemons and
their own clients do not notice; new proxy clients work), the end client's
identity as the daemons see it, a daemon it cannot reach, and serials the
proxy must not mistake for its own.  test_proxy_upstreams.py has daemons
that die or start slowly behind it."""

import os
import signal
import socket
import subprocess

import mvtest
import mvwire
from mvtest import check, check_eq, check_in

PROC_CONNECT_NUM_OF_STORAGE_POOLS = 71
ERR_SYSTEM_ERROR = 38


def _clients(stack, daemon, server=None):
    """Client ids of @daemon's main server, from virt-admin."""
    out = stack.virt_admin(daemon, "srv-clients-list", server or daemon).stdout
    return [l.split()[0] for l in out.splitlines() if l.strip()[:1].isdigit()]


def _client_info(stack, daemon, cid):
    out = stack.virt_admin(daemon, "client-info", daemon, cid).stdout
    info = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    return info


def _wait_clients(stack, daemon, n):
    mvtest.wait_for(lambda: len(_clients(stack, daemon)) == n, timeout=10,
                    what="%d clients on %s (now %s)" % (n, daemon, _clients(stack, daemon)))


def _proxy_works(stack):
    check_eq(stack.virsh("hostname").stdout.strip(), socket.gethostname(), "virsh hostname")
    check_in("Using API: QEMU", stack.virsh("version").stdout)


def _check_restart(stack, sig):
    daemons = ("mvqemud", "mvstoraged")
    pids = {d: stack.pid_of(d) for d in daemons}
    with mvwire.Wire(stack.sock("mvqemud")) as direct, \
            mvwire.Wire(stack.sock("mvproxyd")) as viaproxy:
        direct.handshake()
        viaproxy.handshake()
        check_eq(viaproxy.hostname(), socket.gethostname(), "hostname through the proxy")
        # A storage call opens the proxy's second upstream.
        viaproxy.call_raw(PROC_CONNECT_NUM_OF_STORAGE_POOLS)
        _wait_clients(stack, "mvqemud", 2)
        _wait_clients(stack, "mvstoraged", 1)

        stack.kill("mvproxyd", sig)
        viaproxy.wait_closed(timeout=10)
        # The daemons lost the proxy's connections and nothing else.
        _wait_clients(stack, "mvqemud", 1)
        _wait_clients(stack, "mvstoraged", 0)
        check_eq(direct.hostname(), socket.gethostname(), "direct client after the kill")

        stack.start("mvproxyd")
        _proxy_works(stack)
        for d in daemons:
            check_eq(stack.pid_of(d), pids[d], "%s pid" % d)
            check(mvtest.pid_alive(pids[d]), "%s died" % d)
        check_eq(direct.hostname(), socket.gethostname(), "direct client after the restart")
    _wait_clients(stack, "mvqemud", 0)


def test_proxy_killed_and_restarted():
    with mvtest.Stack(name="mv-proxy") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        s.start("mvproxyd")
        _proxy_works(s)
        _check_restart(s, signal.SIGKILL)
        _check_restart(s, signal.SIGTERM)
        _check_restart(s, signal.SIGKILL)


def test_proxy_restart_keeps_autostarted_daemons():
    """Daemons the proxy started on demand outlive it, and the next proxy
    uses them instead of starting others."""
    with mvtest.Stack(name="mv-proxy") as s:
        s.start("mvproxyd")
        _proxy_works(s)
        qpid = s.pid_of("mvqemud")
        check(qpid is not None, "mvqemud was not started by the proxy")
        s.kill("mvproxyd", signal.SIGKILL)
        check(mvtest.pid_alive(qpid), "mvqemud died with the proxy")
        with mvwire.Wire(s.sock("mvqemud")) as w:
            w.handshake()
            check_eq(w.hostname(), socket.gethostname(), "mvqemud alone")
        s.start("mvproxyd")
        _proxy_works(s)
        check_eq(s.pid_of("mvqemud"), qpid, "mvqemud pid after the restart")


CLIENT = r'''
import libvirt, os, sys
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
c.getHostname()
try:
    c.numOfStoragePools()
except libvirt.libvirtError:
    pass
print("ready", os.getpid(), flush=True)
sys.stdin.readline()
c.close()
'''


def test_identity_through_proxy():
    """The daemons see the end client (uid, gid, pid), not the proxy."""
    with mvtest.Stack(name="mv-proxy") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        s.start("mvproxyd")
        proxy_pid = s.pid_of("mvproxyd")
        p = subprocess.Popen(["/usr/bin/python3", "-c", CLIENT, s.uri()], env=s.env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = p.stdout.readline().split()
            check(line[:1] == ["ready"], "client did not start: %r" % line)
            check_eq(int(line[1]), p.pid, "client pid")
            for daemon in ("mvqemud", "mvstoraged"):
                ids = _clients(s, daemon)
                check_eq(len(ids), 1, "clients of %s" % daemon)
                info = _client_info(s, daemon, ids[0])
                check_eq(info.get("unix_process_id"), str(p.pid),
                         "%s: unix_process_id (proxy is %d)" % (daemon, proxy_pid))
                check_eq(info.get("unix_user_id"), str(os.getuid()), "unix_user_id")
                check_eq(info.get("unix_group_id"), str(os.getgid()), "unix_group_id")
                check_eq(info.get("readonly"), "no", "readonly")
            # The proxy itself sees the same process as a direct peer.
            ids = _clients(s, "mvproxyd", "mvproxyd")
            check_eq(len(ids), 1, "clients of the proxy")
            out = s.virt_admin("mvproxyd", "client-info", "mvproxyd", ids[0]).stdout
            check_in(str(p.pid), out)
        finally:
            p.stdin.write("\n")
            p.stdin.close()
            p.wait(timeout=30)
        check_eq(p.returncode, 0, "client exit")


def test_proxy_daemon_unreachable():
    """A daemon the proxy cannot reach or start: each call for it gets
    libvirt's error for an unreachable socket (each tries again), while
    the client stays connected and its other calls work."""
    with mvtest.Stack(name="mv-proxy") as s:
        s.start("mvqemud")
        env = dict(s.env)
        env["MODVIRT_DAEMON_PATH"] = os.path.join(s.root, "no-daemons")
        os.makedirs(env["MODVIRT_DAEMON_PATH"])
        s.start("mvproxyd", env=env)
        want = "Failed to connect socket to '%s': No such file or directory" % s.sock("mvstoraged")
        for _ in range(2):
            with mvwire.Wire(s.sock("mvproxyd"), timeout=20) as w:
                w.handshake()
                for _ in range(3):
                    check_eq(w.hostname(), socket.gethostname(), "hostname")
                    e = w.call_error(PROC_CONNECT_NUM_OF_STORAGE_POOLS)
                    check_eq((e.code, e.domain), (ERR_SYSTEM_ERROR, mvwire.FROM_RPC), "error")
                    check(e.message.startswith(want), "message %r" % e.message)
                    check_in("no 'mvstoraged' to start", e.message)
                check(not w.is_closed(0.2), "the client was closed")
                check_eq(w.hostname(), socket.gethostname(), "hostname after the errors")
        _proxy_works(s)
        check(s.pid_of("mvstoraged") is None, "mvstoraged appeared")


def test_proxy_client_serials():
    """A client may use any serial, including the range the proxy uses for
    its own calls upstream."""
    with mvtest.Stack(name="mv-proxy") as s:
        s.start("mvqemud")
        s.start("mvstoraged")
        s.start("mvproxyd")
        for base in (0xFFFFF000, 0xFFFFF800, 0xFFFFFFF0):
            with mvwire.Wire(s.sock("mvproxyd"), timeout=10) as w:
                w.serial = base
                w.handshake()
                check_eq(w.hostname(), socket.gethostname(), "hostname")
                pkt = w.call_raw(PROC_CONNECT_NUM_OF_STORAGE_POOLS)
                check(pkt.status in (mvwire.OK, mvwire.ERROR), "storage reply")
                check_eq(w.hostname(), socket.gethostname(), "hostname after storage")


if __name__ == "__main__":
    mvtest.main(globals())
