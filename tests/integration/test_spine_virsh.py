# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stock virsh against modvirt: the connection-level commands, through the
proxy and on a daemon's own socket; unimplemented procedures."""

import os
import socket

import mvtest
from mvtest import check, check_eq, check_in


def _host_facts():
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1])
    return socket.gethostname(), os.cpu_count(), mem


def _check_connection_commands(stack, uri):
    hostname, ncpus, mem = _host_facts()
    r = stack.virsh("version", uri=uri)
    check_in("Using API: QEMU", r.stdout)
    check_in("Running hypervisor: QEMU ", r.stdout)
    check_eq(stack.virsh("hostname", uri=uri).stdout.strip(), hostname, "hostname")
    check_eq(stack.virsh("uri", uri=uri).stdout.strip(), uri, "uri")
    out = stack.virsh("nodeinfo", uri=uri).stdout
    fields = dict(l.split(":", 1) for l in out.splitlines() if ":" in l)
    check_eq(int(fields["CPU(s)"]), ncpus, "CPU(s)")
    check_eq(fields["Memory size"].strip(), "%d KiB" % mem, "memory")
    caps = stack.virsh("capabilities", uri=uri).stdout
    check_in("<capabilities>", caps)
    check_in("<arch>%s</arch>" % os.uname().machine, caps)
    check_in("<memory unit='KiB'>", caps)
    check_in("<emulator>/usr/bin/qemu-system-x86_64</emulator>", caps)
    sysinfo = stack.virsh("sysinfo", uri=uri).stdout
    check_in("<sysinfo type='smbios'>", sysinfo)
    check_in("<processor>", sysinfo)


def test_through_proxy():
    with mvtest.Stack(name="mv-spine") as s:
        s.start("mvproxyd")
        # The proxy starts mvqemud on demand.
        _check_connection_commands(s, s.uri())
        check(s.pid_of("mvqemud") is not None, "mvqemud was not started by the proxy")


def test_daemon_own_socket():
    with mvtest.Stack(name="mv-spine") as s:
        s.start("mvqemud")
        _check_connection_commands(s, s.uri("mvqemud"))


def test_unimplemented_procedure():
    with mvtest.Stack(name="mv-spine") as s:
        s.start("mvproxyd")
        code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
try:
    c.listAllNWFilters()
    print("unexpected success"); sys.exit(1)
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_message())
    assert e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT, e.get_error_code()
print("host", c.getHostname())
c.close()
'''
        r = s.python(code, s.uri())
        check_in("host ", r.stdout)


if __name__ == "__main__":
    mvtest.main(globals())
