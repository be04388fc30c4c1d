# SPDX-License-Identifier: LGPL-2.1-or-later
"""A daemon's life outside systemd: idle exit, the pid file lock, signals,
the sockets it binds itself and its configuration file."""

import os
import random
import signal
import socket
import stat
import subprocess
import time

import mvsd
import mvtest
from mvtest import check, check_eq, check_in

EXIT_CONFIG = 2
EXIT_RUNNING = 4
EXIT_SOCKETS = 5
KINDS = ("sock", "sock-ro", "admin-sock")


def _wait_exit(p, timeout, what):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise mvtest.TestFailure("%s still running after %.0fs" % (what, timeout))


def _check_gone(stack, d):
    for kind in KINDS:
        path = stack.sock(d, kind)
        check(not os.path.exists(path), "%s left %s behind" % (d, path))
    pidfile = os.path.join(stack.sockdir, d + ".pid")
    check(not os.path.exists(pidfile), "%s left its pid file behind" % d)


# A python3-libvirt client that holds its connection until its stdin closes.
HOLD_CLIENT = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
print("open", c.getHostname(), flush=True)
sys.stdin.read()
c.close()
print("closed", flush=True)
'''


def _hold_connection(stack, uri):
    p = subprocess.Popen(["/usr/bin/python3", "-c", HOLD_CLIENT, uri], env=stack.env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    if not line.startswith("open "):
        p.kill()
        raise mvtest.TestFailure("client did not connect: %r %r" % (line, p.stderr.read()))
    return p


def _release_connection(p):
    p.stdin.close()
    check_eq(p.stdout.readline().strip(), "closed", "client close")
    check_eq(p.wait(timeout=10), 0, "client exit status")


# ---- idle exit -----------------------------------------------------------------

def test_idle_exit():
    """--timeout 2 with no client: gone after about 2 seconds (the timer
    has a one-second granularity), cleanly, saying why."""
    with mvtest.Stack(name="mv-life-idle") as stack, mvsd.NotifyListener(stack.root) as n:
        p = stack.start("mvqemud", "--timeout", "2", env=n.env(stack.env))
        t0 = time.monotonic()
        rc = _wait_exit(p, 10, "mvqemud --timeout 2")
        elapsed = time.monotonic() - t0
        check_eq(rc, 0, "exit status")
        check(1.5 <= elapsed <= 8.0, "idle exit after %.2fs, want 2-8s" % elapsed)
        check_eq(n.wait("STOPPING").get("STATUS"), "idle timeout", "STOPPING status")
        _check_gone(stack, "mvqemud")


def test_idle_exit_waits_for_clients():
    """A connected client keeps the daemon alive past its timeout; once it
    disconnects, the daemon exits after the timeout."""
    with mvtest.Stack(name="mv-life-idle") as stack:
        p = stack.start("mvqemud", "--timeout", "2")
        client = _hold_connection(stack, stack.uri("mvqemud"))
        try:
            time.sleep(5)
            check(p.poll() is None, "mvqemud exited with a client connected (rc %s)" % p.poll())
            # Still serving, to the held client's peers as well.
            stack.virsh("hostname", uri=stack.uri("mvqemud"))
        finally:
            _release_connection(client)
        t0 = time.monotonic()
        check_eq(_wait_exit(p, 10, "mvqemud after its client left"), 0, "exit status")
        elapsed = time.monotonic() - t0
        check(1.0 <= elapsed <= 8.0, "exit %.2fs after the client left, want 1-8s" % elapsed)
        _check_gone(stack, "mvqemud")


def test_no_timeout_no_idle_exit():
    with mvtest.Stack(name="mv-life-idle") as stack:
        p = stack.start("mvstoraged")
        time.sleep(3)
        check(p.poll() is None, "mvstoraged exited without --timeout (rc %s)" % p.poll())


def test_idle_exit_proxy():
    """The proxy idles out too once virsh is gone (its own connection to the
    mvqemud it started does not count as a client)."""
    with mvtest.Stack(name="mv-life-idle") as stack:
        p = stack.start("mvproxyd", "--timeout", "2")
        stack.virsh("hostname")
        check_eq(_wait_exit(p, 10, "mvproxyd --timeout 2"), 0, "exit status")
        _check_gone(stack, "mvproxyd")


# ---- pid file ------------------------------------------------------------------

def test_second_instance_refused():
    with mvtest.Stack(name="mv-life-pid") as stack:
        first = stack.start("mvqemud")
        pidfile = os.path.join(stack.sockdir, "mvqemud.pid")
        inode = os.stat(stack.sock("mvqemud")).st_ino
        r = stack.run(stack.daemon_cmd("mvqemud"), timeout=30)
        check_eq(r.returncode, EXIT_RUNNING, "second instance exit status\n" + r.stderr)
        check_in("already running (pid %d" % first.pid, r.stderr, "second instance stderr")
        # The first one is untouched and keeps working.
        check(first.poll() is None, "the first instance died")
        with open(pidfile) as f:
            check_eq(int(f.read()), first.pid, "pid file")
        check_eq(os.stat(stack.sock("mvqemud")).st_ino, inode, "socket inode")
        r = stack.virsh("hostname", uri=stack.uri("mvqemud"))
        check_eq(r.stdout.strip(), socket.gethostname(), "virsh hostname")


def test_second_instance_other_pidfile_refused():
    """With a pid file of its own, a second instance still cannot take the
    sockets of the first."""
    with mvtest.Stack(name="mv-life-pid") as stack:
        first = stack.start("mvstoraged")
        other = os.path.join(stack.root, "other.pid")
        r = stack.run(stack.daemon_cmd("mvstoraged", "--pid-file", other), timeout=30)
        check_eq(r.returncode, EXIT_SOCKETS, "second instance exit status\n" + r.stderr)
        check_in("is in use by another process", r.stderr, "second instance stderr")
        check(not os.path.exists(other), "the refused instance left its pid file")
        check(first.poll() is None, "the first instance died")
        stack.virsh("hostname", uri=stack.uri("mvstoraged", scheme="storage"))


def test_restart_race():
    """kill -9 of a daemon, and at once two new ones (a service manager's
    restart and the proxy's start on demand, say): exactly one of them
    runs and answers, the other says another is running.  The killed one
    takes a moment to die (its threads, its files): its pid file lock and
    its sockets go at slightly different times, which a new instance must
    wait out, not take for a live daemon."""
    with mvtest.Stack(name="mv-life-race") as stack:
        stack.start("mvqemud")
        for rnd in range(15):
            old = stack.pid_of("mvqemud")
            os.kill(old, signal.SIGKILL)
            new = [stack.start("mvqemud", wait=False)]
            # The second a little later, anywhere in the old one's dying.
            time.sleep(random.uniform(0, 0.03))
            new.append(stack.start("mvqemud", wait=False))
            mvtest.wait_for(lambda: sum(p.poll() is None for p in new) <= 1, timeout=20,
                            what="round %d: one of the two new instances to give up" % rnd)
            live = [p for p in new if p.poll() is None]
            check_eq(len(live), 1, "round %d: instances running (exit statuses %s)\n%s"
                     % (rnd, [p.returncode for p in new], stack.log("mvqemud")))
            check_eq([p.returncode for p in new if p.poll() is not None], [EXIT_RUNNING],
                     "round %d: the other one's exit status" % rnd)
            path = stack.sock("mvqemud")
            mvtest.wait_for(lambda: mvtest.sock_connectable(path), timeout=10,
                            what="round %d: the survivor's socket" % rnd)
            check_eq(stack.pid_of("mvqemud"), live[0].pid, "round %d: pid file" % rnd)
            r = stack.virsh("hostname", uri=stack.uri("mvqemud"))
            check_eq(r.stdout.strip(), socket.gethostname(), "round %d: virsh hostname" % rnd)


# A process that holds what a dying daemon still holds for a moment (its
# pid file lock, or a listening socket), signals it has it, then lets go.
HOLD_BRIEFLY = r'''
import fcntl, os, socket, sys, time
what, path, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
if what == "lock":
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.ftruncate(fd, 0)
    os.write(fd, b"%d\n" % os.getpid())
else:
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(8)
print("held", flush=True)
time.sleep(secs)
'''


def _hold_briefly(stack, what, path, secs):
    p = subprocess.Popen(["/usr/bin/python3", "-c", HOLD_BRIEFLY, what, path, str(secs)],
                         stdout=subprocess.PIPE, text=True)
    check_eq(p.stdout.readline().strip(), "held", "the helper holds the %s" % what)
    return p


def test_predecessor_letting_go():
    """A new instance started while a predecessor (killed a moment ago)
    still holds the pid file lock, or still listens on a socket, waits for
    it to let go instead of giving up; one that keeps them is refused
    (test_second_instance_refused, test_second_instance_other_pidfile_refused)."""
    with mvtest.Stack(name="mv-life-pred") as stack:
        os.makedirs(stack.sockdir, exist_ok=True)
        pidfile = os.path.join(stack.sockdir, "mvqemud.pid")
        helper = _hold_briefly(stack, "lock", pidfile, 0.15)
        p = stack.start("mvqemud")
        helper.wait()
        check(p.poll() is None, "started while the pid file was still held:\n" + stack.log("mvqemud"))
        check_eq(stack.pid_of("mvqemud"), p.pid, "pid file")
        p.terminate()
        p.wait(timeout=10)

        # The first socket a daemon binds is its admin socket.
        helper = _hold_briefly(stack, "listen", stack.sock("mvqemud", "admin-sock"), 0.3)
        p = stack.start("mvqemud")
        helper.wait()
        check(p.poll() is None, "started while its socket was still listened on:\n"
              + stack.log("mvqemud"))
        r = stack.virsh("hostname", uri=stack.uri("mvqemud"))
        check_eq(r.stdout.strip(), socket.gethostname(), "virsh hostname")


def test_stale_pidfile():
    """A pid file nobody holds (a crashed daemon's) does not stop a start."""
    with mvtest.Stack(name="mv-life-pid") as stack:
        os.makedirs(stack.sockdir, exist_ok=True)
        pidfile = os.path.join(stack.sockdir, "mvnetworkd.pid")
        with open(pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
        p = stack.start("mvnetworkd")
        with open(pidfile) as f:
            check_eq(int(f.read()), p.pid, "pid file")


# ---- signals -------------------------------------------------------------------

def test_sigterm_clean_shutdown():
    for d in mvsd.DAEMONS:
        with mvtest.Stack(name="mv-life-term") as stack:
            p = stack.start(d)
            for kind in KINDS:
                check(os.path.exists(stack.sock(d, kind)), "%s: no %s" % (d, kind))
            p.send_signal(signal.SIGTERM)
            check_eq(_wait_exit(p, 10, d), 0, "%s exit status" % d)
            _check_gone(stack, d)


def test_sigterm_with_client_connected():
    with mvtest.Stack(name="mv-life-term") as stack:
        p = stack.start("mvqemud")
        client = _hold_connection(stack, stack.uri("mvqemud"))
        try:
            p.send_signal(signal.SIGTERM)
            check_eq(_wait_exit(p, 10, "mvqemud"), 0, "exit status")
        finally:
            client.kill()
            client.wait()
        _check_gone(stack, "mvqemud")


def test_sighup_reloads_without_exiting():
    """SIGHUP is ExecReload=: the daemon reloads and carries on."""
    for d in ("mvqemud", "mvproxyd"):
        with mvtest.Stack(name="mv-life-hup") as stack:
            p = stack.start(d, "--verbose")
            p.send_signal(signal.SIGHUP)
            mvtest.wait_for(lambda: "SIGHUP received" in stack.log(d), what="%s SIGHUP log" % d)
            time.sleep(0.3)
            check(p.poll() is None, "%s died of SIGHUP (rc %s)" % (d, p.poll()))
            r = stack.virsh("hostname", uri=stack.uri(d))
            check_eq(r.stdout.strip(), socket.gethostname(), "%s after SIGHUP" % d)
            p.send_signal(signal.SIGTERM)
            check_eq(_wait_exit(p, 10, d), 0, "%s exit status" % d)


# ---- sockets it binds itself -------------------------------------------------------

def _modes(stack, d):
    out = {}
    for kind in KINDS:
        st = os.stat(stack.sock(d, kind))
        check(stat.S_ISSOCK(st.st_mode), "%s %s is not a socket" % (d, kind))
        out[kind] = "%04o" % stat.S_IMODE(st.st_mode)
    return out


def test_socket_permissions_default():
    """-sock 0600, -sock-ro 0666, -admin-sock 0700 (src/conf/daemon-config.c),
    for every daemon, in session and system mode."""
    want = {"sock": "0600", "sock-ro": "0666", "admin-sock": "0700"}
    for mode in ("session", "system"):
        with mvtest.Stack(mode=mode, name="mv-life-perms") as stack:
            for d in mvsd.DAEMONS:
                stack.start(d)
                check_eq(_modes(stack, d), want, "%s %s socket modes" % (mode, d))


def _write_config(stack, d, text):
    confdir = os.path.join(stack.root, "session", "config", "modvirt")
    os.makedirs(confdir, exist_ok=True)
    path = os.path.join(confdir, d + ".conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_socket_permissions_configured():
    """The [sockets] keys of the daemon's own config file (found in its
    default place) set the modes."""
    for d in ("mvqemud", "mvproxyd"):
        with mvtest.Stack(name="mv-life-perms") as stack:
            _write_config(stack, d, "[sockets]\nunix_sock_rw_perms = 0660\n"
                                    "unix_sock_ro_perms = 0644\nunix_sock_admin_perms = 0600\n")
            stack.start(d)
            check_eq(_modes(stack, d), {"sock": "0660", "sock-ro": "0644", "admin-sock": "0600"},
                     "%s configured socket modes" % d)


# ---- configuration file --------------------------------------------------------------

def _refused(stack, d, *args):
    r = stack.run(stack.daemon_cmd(d, *args), timeout=30)
    check_eq(r.returncode, EXIT_CONFIG, "%s exit status\nstderr: %s" % (d, r.stderr))
    for kind in KINDS:
        check(not os.path.exists(stack.sock(d, kind)), "%s bound %s anyway" % (d, kind))
    check(not os.path.exists(os.path.join(stack.sockdir, d + ".pid")), "%s pid file left" % d)
    return r.stderr


def test_config_bad_value_refused():
    with mvtest.Stack(name="mv-life-conf") as stack:
        conf = os.path.join(stack.root, "bad.conf")
        with open(conf, "w") as f:
            f.write("[server]\nmax_workers=abc\n")
        err = _refused(stack, "mvqemud", "--config", conf)
        for needle in (conf, "[server]", "max_workers", "'abc'"):
            check_in(needle, err, "error message")
        # The same from the default place, and for another kind of value.
        path = _write_config(stack, "mvnetworkd", "[sockets]\nunix_sock_rw_perms = 0999\n")
        err = _refused(stack, "mvnetworkd")
        for needle in (path, "[sockets]", "unix_sock_rw_perms", "'0999'"):
            check_in(needle, err, "error message")


def test_config_missing_file_refused():
    """A config file named on the command line must exist (the default one
    need not)."""
    with mvtest.Stack(name="mv-life-conf") as stack:
        missing = os.path.join(stack.root, "no-such.conf")
        check_in(missing, _refused(stack, "mvstoraged", "--config", missing), "error message")


def test_config_unknown_key_warns():
    with mvtest.Stack(name="mv-life-conf") as stack:
        _write_config(stack, "mvqemud", "[server]\nmax_workers = 10\nno_such_key = 1\n"
                                        "[no_such_group]\nfoo = bar\n")
        stack.start("mvqemud")
        log = stack.log("mvqemud")
        check_in("unknown key 'no_such_key' in group [server]", log, "log")
        check_in("unknown key 'foo' in group [no_such_group]", log, "log")
        r = stack.virsh("hostname", uri=stack.uri("mvqemud"))
        check_eq(r.stdout.strip(), socket.gethostname(), "virsh hostname")
        # The known key next to it was applied.
        r = stack.virt_admin("mvqemud", "srv-threadpool-info", "mvqemud")
        check_in("maxWorkers     : 10", r.stdout, "srv-threadpool-info")


if __name__ == "__main__":
    mvtest.main(globals())
