# SPDX-License-Identifier: LGPL-2.1-or-later
"""The systemd units and the daemons' systemd integration.

- every generated unit passes "systemd-analyze verify" without a word on
  stderr (verify treats unknown keys as mere warnings);
- the units say what the design says (sockets, names, modes, kill modes);
- each daemon, started from its unit's ExecStart= under
  systemd-socket-activate with the unit's FileDescriptorName=s, serves stock
  virsh, virt-admin and python3-libvirt on the sockets it was handed, and
  binds none itself;
- sd_notify: READY=1 once the sockets accept connections, STOPPING=1 on
  SIGTERM.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile

import mvsd
import mvtest
from mvtest import check, check_eq, check_in

PREFIX = mvtest.DAEMON_PREFIX


def _verify(paths):
    mvtest.require_tool("systemd-analyze")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no"] + paths,
                       capture_output=True, text=True, timeout=60)
    return r


def test_verify_units():
    """Each daemon's service and sockets verify cleanly, alone and all
    together (the units reference each other: mvqemud wants the storage and
    network sockets, the proxy all three driver sockets)."""
    every = []
    for d in mvsd.DAEMONS:
        paths = [os.path.join(mvsd.BUILDTREE_UNIT_DIR, d + ".service")]
        paths += [os.path.join(mvsd.BUILDTREE_UNIT_DIR, d + s) for s, _ in mvsd.SOCKET_KINDS]
        every += paths
        r = _verify(paths)
        check_eq((r.returncode, r.stderr, r.stdout), (0, "", ""), "verify %s" % d)
    r = _verify(every)
    check_eq((r.returncode, r.stderr, r.stdout), (0, "", ""), "verify all units")


def test_verify_catches_problems():
    """The check above can fail: verify complains (on stderr) about an
    unknown key and about an ExecStart= that does not exist."""
    tmp = tempfile.mkdtemp(prefix="mv-sysd-verify-")
    try:
        for s, _ in mvsd.SOCKET_KINDS:
            shutil.copy(os.path.join(mvsd.BUILDTREE_UNIT_DIR, "mvqemud" + s), tmp)
        with open(os.path.join(mvsd.BUILDTREE_UNIT_DIR, "mvqemud.service")) as f:
            good = f.read()
        svc = os.path.join(tmp, "mvqemud.service")
        with open(svc, "w") as f:
            f.write(good.replace("Type=notify\n", "Type=notify\nTypo=yes\n"))
        r = _verify([svc])
        check_in("Unknown key 'Typo'", r.stderr, "verify stderr")
        # The installed unit's daemon is not installed here.
        r = _verify([os.path.join(mvsd.UNIT_DIR, "mvqemud.service")])
        check(r.returncode != 0 and "is not executable" in r.stderr,
              "verify accepted a missing ExecStart binary: %r" % r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_buildtree_units_are_the_installed_ones():
    """What verify checked is what gets installed, but for ExecStart's path."""
    opts = mvsd.build_options()
    sbindir = os.path.join(opts["prefix"], opts["sbindir"])
    for d in mvsd.DAEMONS:
        for suffix in [".service"] + [s for s, _ in mvsd.SOCKET_KINDS]:
            with open(os.path.join(mvsd.UNIT_DIR, d + suffix)) as f:
                installed = f.read()
            with open(os.path.join(mvsd.BUILDTREE_UNIT_DIR, d + suffix)) as f:
                buildtree = f.read()
            check_eq(buildtree.replace(mvtest.DAEMON_DIR + "/" + d + " ", sbindir + "/" + d + " "),
                     installed, "%s%s" % (d, suffix))
        svc = mvsd.parse_unit(os.path.join(mvsd.UNIT_DIR, d + ".service"))
        check_eq(mvsd.unit_value(svc, "Service", "ExecStart").split()[0],
                 os.path.join(sbindir, d), "%s installed ExecStart" % d)


def _check_socket_unit(d, suffix, kind, unit, sockdir):
    where = "%s%s" % (d, suffix)
    check_eq(mvsd.unit_value(unit, "Socket", "ListenStream"),
             "%s/%s-%s" % (sockdir, PREFIX[d], kind), where + " ListenStream")
    # What daemon-main.c looks its sockets up by.
    check_eq(mvsd.unit_value(unit, "Socket", "FileDescriptorName"), d + suffix,
             where + " FileDescriptorName")
    check_eq(mvsd.unit_value(unit, "Socket", "Service"), d + ".service", where + " Service")
    check_eq(mvsd.unit_value(unit, "Socket", "SocketMode"),
             {"sock": "0600", "sock-ro": "0666", "admin-sock": "0600"}[kind], where + " mode")
    check_eq(mvsd.unit_value(unit, "Socket", "RemoveOnStop"), "yes", where + " RemoveOnStop")
    check_in(d + ".service", mvsd.unit_list(unit, "Unit", "Before"), where + " Before")
    check_eq(mvsd.unit_list(unit, "Install", "WantedBy"), ["sockets.target"], where + " WantedBy")
    if suffix != ".socket":
        check_eq(mvsd.unit_list(unit, "Unit", "BindsTo"), [d + ".socket"], where + " BindsTo")
        check_in(d + ".socket", mvsd.unit_list(unit, "Unit", "After"), where + " After")


def _check_service_unit(d, svc):
    var = d.upper() + "_ARGS"
    check_eq(mvsd.unit_value(svc, "Service", "Type"), "notify", d + " Type")
    check_eq(mvsd.unit_values(svc, "Service", "Environment"), ['%s="--timeout 120"' % var],
             d + " Environment")
    check_eq(mvsd.unit_value(svc, "Service", "ExecStart").split()[1:], ["$" + var],
             d + " ExecStart")
    check_eq(mvsd.unit_value(svc, "Service", "ExecReload"), "/bin/kill -HUP $MAINPID",
             d + " ExecReload")
    check_eq(mvsd.unit_value(svc, "Service", "Restart"), "on-failure", d + " Restart")
    check_eq(sorted(mvsd.unit_list(svc, "Unit", "Requires")),
             sorted([d + s for s, _ in mvsd.SOCKET_KINDS]), d + " Requires")
    # Guests and dnsmasq outlive a restart of their daemon.
    want_kill = ["process"] if d in ("mvqemud", "mvnetworkd") else []
    check_eq(mvsd.unit_values(svc, "Service", "KillMode"), want_kill, d + " KillMode")
    check_eq(mvsd.unit_list(svc, "Install", "WantedBy"), ["multi-user.target"], d + " WantedBy")
    check_eq(sorted(mvsd.unit_list(svc, "Install", "Also")),
             sorted([d + s for s, _ in mvsd.SOCKET_KINDS]), d + " Also")


def test_unit_contents():
    opts = mvsd.build_options()
    sockdir = os.path.join(opts["runstatedir"] or "/run", "modvirt")
    for d in mvsd.DAEMONS:
        units = mvsd.load_units(d, mvsd.UNIT_DIR)
        _check_service_unit(d, units["service"])
        for suffix, kind in mvsd.SOCKET_KINDS:
            _check_socket_unit(d, suffix, kind, units[suffix], sockdir)
    qemu = mvsd.load_units("mvqemud", mvsd.UNIT_DIR)["service"]
    for dep in ("mvstoraged.socket", "mvnetworkd.socket"):
        check_in(dep, mvsd.unit_list(qemu, "Unit", "Wants"), "mvqemud Wants")
        check_in(dep, mvsd.unit_list(qemu, "Unit", "After"), "mvqemud After")
    check_eq(PREFIX["mvproxyd"], "modvirt", "the proxy's socket prefix")


# ---- socket activation ---------------------------------------------------------

def _activate_from_units(stack, d, extra_args=()):
    """Start daemon D as systemd would from its units: the service's
    ExecStart= (Environment= expanded) under systemd-socket-activate with one
    listening socket per socket unit, named by its FileDescriptorName=.  The
    sockets live in a directory of the test, not where the daemon would bind
    its own.  Returns (Popen, {kind: path})."""
    units = mvsd.load_units(d)
    actdir = os.path.join(stack.root, "activated")
    os.makedirs(actdir, exist_ok=True)
    socks = []
    paths = {}
    for suffix, kind in mvsd.SOCKET_KINDS:
        unit = units[suffix]
        path = os.path.join(actdir, os.path.basename(mvsd.unit_value(unit, "Socket",
                                                                     "ListenStream")))
        socks.append((path, mvsd.unit_value(unit, "Socket", "FileDescriptorName")))
        paths[kind] = path
    argv = mvsd.service_argv(units["service"]) + list(extra_args)
    check_eq(argv[0], os.path.join(mvtest.DAEMON_DIR, d), "%s ExecStart binary" % d)
    check_in("--timeout", argv, "%s arguments" % d)
    p = mvsd.socket_activate(stack, socks, argv, d)
    return p, paths


def _uri(scheme, path):
    return "%s+unix:///system?socket=%s" % (scheme, path)


def _check_activated(stack, d, p, paths):
    scheme = {"mvstoraged": "storage", "mvnetworkd": "network"}.get(d, "qemu")
    inodes = {k: os.stat(v).st_ino for k, v in paths.items()}
    hostname = socket.gethostname()
    # The first connection makes systemd-socket-activate exec the daemon.
    r = stack.virsh("hostname", uri=_uri(scheme, paths["sock"]))
    check_eq(r.stdout.strip(), hostname, "%s: virsh hostname" % d)
    check_eq(mvsd.process_exe(p.pid), os.path.join(os.path.realpath(mvtest.DAEMON_DIR), d),
             "%s: the activated process" % d)
    r = stack.virsh("-r", "hostname", uri=_uri(scheme, paths["sock-ro"]))
    check_eq(r.stdout.strip(), hostname, "%s: virsh -r hostname" % d)
    r = stack.run(["virt-admin", "-c", "%s:///system?socket=%s" % (d, paths["admin-sock"]),
                   "srv-list"], check_rc=0)
    names = [l.split()[1] for l in r.stdout.splitlines()[2:] if l.strip()]
    check_eq(names, [d, "admin"], "%s: virt-admin srv-list" % d)
    code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
print(c.getHostname())
c.close()
'''
    r = stack.python(code, _uri(scheme, paths["sock"]))
    check_eq(r.stdout.strip(), hostname, "%s: python3-libvirt" % d)

    # It serves on the sockets it was handed and bound none of its own.
    held = mvsd.process_listening_paths(p.pid)
    check_eq(held, {3: paths["sock"], 4: paths["sock-ro"], 5: paths["admin-sock"]},
             "%s: listening sockets held" % d)
    check_eq({k: os.stat(v).st_ino for k, v in paths.items()}, inodes, "%s: socket inodes" % d)
    for kind in ("sock", "sock-ro", "admin-sock"):
        own = stack.sock(d, kind)
        check(not os.path.exists(own), "%s bound its own socket %s" % (d, own))
    log = stack.log(d)
    for suffix, _ in mvsd.SOCKET_KINDS:
        check_in("using socket '%s%s' from systemd" % (d, suffix), log, "%s log" % d)
    check("ignoring unexpected socket" not in log, "%s ignored a socket:\n%s" % (d, log))

    # SIGTERM: a clean exit that leaves systemd's sockets alone.
    p.send_signal(signal.SIGTERM)
    check_eq(p.wait(timeout=15), 0, "%s exit status" % d)
    for kind, path in paths.items():
        check(os.path.exists(path), "%s removed systemd's socket %s" % (d, path))


def _test_activation(d):
    with mvtest.Stack(mode="system", name="mv-sysd-act") as stack:
        p, paths = _activate_from_units(stack, d, ["--verbose"])
        try:
            _check_activated(stack, d, p, paths)
        except Exception:
            print("# %s log:\n# %s" % (d, stack.log(d).replace("\n", "\n# ")))
            raise


def test_activation_mvqemud():
    _test_activation("mvqemud")


def test_activation_mvstoraged():
    _test_activation("mvstoraged")


def test_activation_mvnetworkd():
    _test_activation("mvnetworkd")


def test_activation_mvproxyd():
    """The proxy forwards virsh's calls to an mvqemud it starts itself (no
    systemd to activate it here), through that daemon's own socket."""
    _test_activation("mvproxyd")


def test_activation_partial():
    """Handed only its main socket plus one under a name it does not know,
    a daemon serves the main one, closes the stranger, and binds its
    read-only and admin sockets itself."""
    with mvtest.Stack(mode="system", name="mv-sysd-act") as stack:
        actdir = os.path.join(stack.root, "activated")
        os.makedirs(actdir)
        main_sock = os.path.join(actdir, "mvstoraged-sock")
        stray = os.path.join(actdir, "stray-sock")
        argv = [os.path.join(mvtest.DAEMON_DIR, "mvstoraged"), "--verbose"]
        p = mvsd.socket_activate(stack, [(main_sock, "mvstoraged.socket"),
                                         (stray, "something-else.socket")], argv, "mvstoraged")
        r = stack.virsh("hostname", uri=_uri("storage", main_sock))
        check_eq(r.stdout.strip(), socket.gethostname(), "virsh hostname")
        log = stack.log("mvstoraged")
        check_in("using socket 'mvstoraged.socket' from systemd", log)
        check_in("ignoring unexpected socket 'something-else.socket'", log)
        check_eq(sorted(mvsd.process_listening_paths(p.pid).values()),
                 sorted([main_sock, stack.sock("mvstoraged", "sock-ro"),
                         stack.sock("mvstoraged", "admin-sock")]), "sockets held")
        check(not os.path.exists(stack.sock("mvstoraged")), "mvstoraged bound its main socket")
        check(not mvtest.sock_connectable(stray), "the stray socket is still served")
        stack.virsh("-r", "hostname", uri=_uri("storage", stack.sock("mvstoraged", "sock-ro")))
        stack.virt_admin("mvstoraged", "srv-list")
        p.send_signal(signal.SIGTERM)
        check_eq(p.wait(timeout=15), 0, "exit status")
        # It removes the sockets it bound, not the one it was handed.
        check(os.path.exists(main_sock), "the activated socket was removed")
        for kind in ("sock-ro", "admin-sock"):
            check(not os.path.exists(stack.sock("mvstoraged", kind)), "%s left behind" % kind)


# ---- sd_notify -----------------------------------------------------------------

def _test_notify(d):
    with mvtest.Stack(name="mv-sysd-notify") as stack, mvsd.NotifyListener(stack.root) as n:
        p = stack.start(d, wait=False, env=n.env(stack.env))
        msg = n.wait("READY")
        check_eq(msg["READY"], "1", "%s READY" % d)
        check_eq(msg.get("_pid"), p.pid, "%s: READY sender" % d)
        # READY=1 means every socket already accepts connections.
        for kind in ("sock", "sock-ro", "admin-sock"):
            check(mvtest.sock_connectable(stack.sock(d, kind)),
                  "%s: %s not accepting at READY=1" % (d, kind))
        check_eq(msg.get("STATUS"), "running", "%s STATUS" % d)
        check(p.poll() is None, "%s exited" % d)
        check("STOPPING" not in msg, "%s: STOPPING with READY" % d)
        p.send_signal(signal.SIGTERM)
        msg = n.wait("STOPPING")
        check_eq(msg["STOPPING"], "1", "%s STOPPING" % d)
        check_eq(msg.get("STATUS"), "shutting down", "%s STOPPING status" % d)
        check_eq(msg.get("_pid"), p.pid, "%s: STOPPING sender" % d)
        check_eq(p.wait(timeout=15), 0, "%s exit status" % d)
        check_eq(sum(1 for m in n.messages if "READY" in m), 1, "%s READY count" % d)


def test_notify_mvqemud():
    _test_notify("mvqemud")


def test_notify_mvstoraged():
    _test_notify("mvstoraged")


def test_notify_mvnetworkd():
    _test_notify("mvnetworkd")


def test_notify_mvproxyd():
    _test_notify("mvproxyd")


def test_notify_not_inherited():
    """A daemon the proxy starts does not inherit NOTIFY_SOCKET: only the
    proxy (the service's main process) reports to the service manager."""
    with mvtest.Stack(name="mv-sysd-notify") as stack, mvsd.NotifyListener(stack.root) as n:
        p = stack.start("mvproxyd", wait=False, env=n.env(stack.env))
        n.wait("READY")
        stack.virsh("hostname", uri=stack.uri())
        qemud = stack.pid_of("mvqemud")
        check(qemud is not None and mvtest.pid_alive(qemud), "the proxy started no mvqemud")
        with open("/proc/%d/environ" % qemud, "rb") as f:
            env = f.read().split(b"\0")
        check(not any(e.startswith(b"NOTIFY_SOCKET=") for e in env),
              "mvqemud inherited NOTIFY_SOCKET")
        p.send_signal(signal.SIGTERM)
        n.wait("STOPPING")
        check_eq(p.wait(timeout=15), 0, "exit status")
        check_eq(sorted(set(m.get("_pid") for m in n.messages)), [p.pid], "notification senders")


def test_notify_without_socket():
    """No NOTIFY_SOCKET: nothing to notify, and the daemon still runs."""
    with mvtest.Stack(name="mv-sysd-notify") as stack:
        check("NOTIFY_SOCKET" not in stack.env, "the stack leaks NOTIFY_SOCKET")
        p = stack.start("mvqemud")
        stack.virsh("hostname", uri=stack.uri("mvqemud"))
        p.send_signal(signal.SIGTERM)
        check_eq(p.wait(timeout=15), 0, "exit status")


if __name__ == "__main__":
    mvtest.main(globals())
