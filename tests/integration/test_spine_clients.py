# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvsh and python3-libvirt against modvirt: session autostart from a bare
shell, URIs, the host commands, close callbacks, errors."""

import os
import shutil
import socket
import subprocess
import tempfile

import mvtest
from mvtest import check, check_eq, check_in


def test_mvsh_session_autostart_bare_shell():
    """`mvsh -c qemu:///session version` from a shell with nothing running:
    mvsh starts mvproxyd, which starts mvqemud."""
    runtime = tempfile.mkdtemp(prefix="mv-xdg-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODVIRT_ROOT", "XDG_"))}
    env["XDG_RUNTIME_DIR"] = runtime
    env["XDG_CONFIG_HOME"] = os.path.join(runtime, "config")
    env["XDG_DATA_HOME"] = os.path.join(runtime, "data")
    env["XDG_STATE_HOME"] = os.path.join(runtime, "state")
    env["XDG_CACHE_HOME"] = os.path.join(runtime, "cache")
    env["MODVIRT_DAEMON_PATH"] = mvtest.DAEMON_DIR
    sockdir = os.path.join(runtime, "modvirt")
    try:
        r = subprocess.run([mvtest.MVSH, "-c", "qemu:///session", "version"], env=env,
                           capture_output=True, text=True, timeout=60)
        check_eq(r.returncode, 0, "mvsh rc (stderr: %s)" % r.stderr)
        check_in("Running hypervisor: QEMU ", r.stdout)
        check(os.path.exists(os.path.join(sockdir, "modvirt-sock")), "proxy socket missing")
        check(os.path.exists(os.path.join(sockdir, "mvqemud-sock")), "mvqemud socket missing")
        # Stock virsh works once the proxy is up.
        uri = "qemu+unix:///session?socket=%s" % os.path.join(sockdir, "modvirt-sock")
        r = subprocess.run(["virsh", "-c", uri, "hostname"], env=env, capture_output=True,
                           text=True, timeout=60)
        check_eq(r.returncode, 0, "virsh rc (%s)" % r.stderr)
        check_eq(r.stdout.strip(), socket.gethostname(), "hostname")
        # Direct mode talks to mvqemud's own socket.
        r = subprocess.run([mvtest.MVSH, "-c", "qemu:///session?mode=direct", "uri"], env=env,
                           capture_output=True, text=True, timeout=60)
        check_eq(r.returncode, 0, "mvsh direct rc (%s)" % r.stderr)
    finally:
        for name in ("mvproxyd", "mvqemud", "mvstoraged"):
            try:
                with open(os.path.join(sockdir, name + ".pid")) as f:
                    os.kill(int(f.read()), 15)
            except (OSError, ValueError):
                pass
        shutil.rmtree(runtime, ignore_errors=True)


def test_mvsh_host_commands():
    with mvtest.Stack(name="mv-clients") as s:
        s.start("mvproxyd")
        check_eq(s.mvsh("hostname").stdout.strip(), socket.gethostname(), "hostname")
        check_eq(s.mvsh("uri").stdout.strip(), s.uri(), "uri")
        out = s.mvsh("nodeinfo").stdout
        check_in("CPU(s):              %d" % os.cpu_count(), out)
        check_in("<capabilities>", s.mvsh("capabilities").stdout)
        check_in("<sysinfo type='smbios'>", s.mvsh("sysinfo").stdout)
        out = s.mvsh("version", "--daemon").stdout
        check_in("Running against daemon: ", out)
        # Interactive use, with an error in the middle.
        r = s.mvsh(input="hostname\nno-such-command\nuri\nquit\n", check_rc=1)
        check_in(socket.gethostname(), r.stdout)
        check_in(s.uri(), r.stdout)
        check_in("unknown command: 'no-such-command'", r.stderr)


def test_mvsh_errors():
    with mvtest.Stack(name="mv-clients") as s:
        r = s.mvsh("hostname", uri="xen:///system", check_rc=1)
        check_in("modvirt has no 'xen' driver", r.stderr)
        r = s.mvsh("hostname", uri="qemu:///nowhere", check_rc=1)
        check_in("unexpected URI path '/nowhere'", r.stderr)
        r = s.mvsh("hostname", uri="qemu+unix:///system?socket=%s/none" % s.root, check_rc=1)
        check_in("Failed to connect socket", r.stderr)
        r = s.mvsh("version", "--bogus", check_rc=1)
        check_in("doesn't support option --bogus", r.stderr)


def test_python_close_callback():
    with mvtest.Stack(name="mv-clients") as s:
        s.start("mvproxyd")
        code = r'''
import libvirt, sys
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
print("host", c.getHostname())
print("version", c.getVersion(), c.getLibVersion())
print("info", c.getInfo())
print("uri", c.getURI())
def cb(conn, reason, opaque):
    pass
c.registerCloseCallback(cb, None)
c.unregisterCloseCallback()
c.registerCloseCallback(cb, None)
caps = c.getCapabilities()
assert "<capabilities>" in caps
assert "<sysinfo" in c.getSysinfo()
print("secure", c.isSecure())
c.close()
print("done")
'''
        r = s.python(code, s.uri())
        check_in("host " + socket.gethostname(), r.stdout)
        check_in("info ['x86_64'", r.stdout)
        check_in("secure 1", r.stdout)
        check_in("done", r.stdout)
        # The same straight on mvqemud's socket.
        r = s.python(code, s.uri("mvqemud"))
        check_in("done", r.stdout)


if __name__ == "__main__":
    mvtest.main(globals())
