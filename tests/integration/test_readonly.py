# SPDX-License-Identifier: LGPL-2.1-or-later
"""Read-only sockets: every procedure is annotated read or write, and a
write procedure on a -sock-ro socket is refused with libvirt's read-only
error before its arguments are decoded, on a daemon's socket and on the
proxy's."""

import os

import mvtest
import mvwire
from mvtest import check, check_eq, check_in

PROTOCOL = os.path.join(mvtest.SOURCE, "src", "remote", "remote-protocol.x")
DENIED_DEFINE = "operation forbidden: read only access prevents virDomainDefineXML"
# Not XDR of anything: 7 bytes of 0xff (a string length of 4 GiB, unaligned).
GARBAGE = b"\xff" * 7
DOMAIN_XML = "<domain type='kvm'><name>mv-ro-test</name><memory>65536</memory></domain>"


def test_every_procedure_annotated():
    procs, total = mvwire.protocol_procs(PROTOCOL)
    check_eq(len(procs), total, "annotated procedures")
    check_eq(sorted(procs), list(range(1, total + 1)), "procedure numbers")
    for num, (name, ann) in procs.items():
        check(ann.get("access") in ("read", "write"),
              "REMOTE_PROC_%s (%d) has no @access: read|write" % (name, num))
    check_eq(procs[mvwire.PROC_DOMAIN_DEFINE_XML][1]["access"], "write", "DOMAIN_DEFINE_XML")
    check_eq(procs[mvwire.PROC_CONNECT_GET_HOSTNAME][1]["access"], "read",
             "CONNECT_GET_HOSTNAME")


def _check_ro_socket(path, rw_path):
    """The raw checks on one -sock-ro (and its read-write twin)."""
    procs, _ = mvwire.protocol_procs(PROTOCOL)
    with mvwire.Wire(path) as w:
        w.handshake()
        # Undecodable arguments: the refusal must come first.
        e = w.call_error(mvwire.PROC_DOMAIN_DEFINE_XML, GARBAGE)
        check_eq(e.code, mvwire.ERR_OPERATION_DENIED, "error code")
        check_eq(e.domain, mvwire.FROM_DOMAIN, "error domain")
        check_eq(e.message, DENIED_DEFINE, "error message")
        # Every write procedure, implemented or not.
        nwrite = 0
        for num, (name, ann) in sorted(procs.items()):
            if ann["access"] != "write":
                continue
            nwrite += 1
            e = w.call_error(num, GARBAGE)
            check_eq(e.code, mvwire.ERR_OPERATION_DENIED, "error code of %s" % name)
            check(e.message.startswith("operation forbidden: read only access prevents vir"),
                  "%s: %r" % (name, e.message))
        check(nwrite > 100, "only %d write procedures" % nwrite)
        # Read procedures are not refused for being writes.  CONNECT_CLOSE
        # would end the connection; the payload is garbage, so anything
        # with arguments fails to decode and nothing runs.
        for num, (name, ann) in sorted(procs.items()):
            if ann["access"] != "read" or num == mvwire.PROC_CONNECT_CLOSE:
                continue
            pkt = w.call_raw(num, GARBAGE)
            if pkt.status != mvwire.OK:
                check(pkt.error().code != mvwire.ERR_OPERATION_DENIED,
                      "read procedure %s refused on a read-only socket" % name)
        # Still usable after ~440 calls, most of them errors.
        check(w.hostname(), "hostname")
    with mvwire.Wire(rw_path) as w:
        w.handshake()
        e = w.call_error(mvwire.PROC_DOMAIN_DEFINE_XML, GARBAGE)
        check(e.code != mvwire.ERR_OPERATION_DENIED,
              "DOMAIN_DEFINE_XML refused on the read-write socket: %s" % e)


def _check_clients(stack, uri_ro):
    """Stock clients opening the read-only socket read-write."""
    xml = os.path.join(stack.root, "ro-domain.xml")
    with open(xml, "w") as f:
        f.write(DOMAIN_XML)
    r = stack.virsh("define", xml, uri=uri_ro, check_rc=1)
    check_in("error: " + DENIED_DEFINE, r.stderr)
    check_eq(stack.virsh("hostname", uri=uri_ro).stdout.strip(), os.uname().nodename,
             "hostname")
    code = r'''
import libvirt, sys
c = libvirt.open(sys.argv[1])
try:
    c.defineXML(sys.argv[2])
    print("defined"); sys.exit(1)
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_domain(), e.get_error_message())
print("host", c.getHostname())
c.close()
'''
    out = stack.python(code, uri_ro, DOMAIN_XML).stdout
    check_in("29 20 " + DENIED_DEFINE, out)
    check_in("host ", out)


def test_daemon_ro_socket():
    with mvtest.Stack(name="mv-ro") as s:
        s.start("mvqemud")
        _check_ro_socket(s.sock("mvqemud", "sock-ro"), s.sock("mvqemud"))
        _check_clients(s, s.uri("mvqemud", "sock-ro"))


def test_proxy_ro_socket():
    with mvtest.Stack(name="mv-ro") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        _check_ro_socket(s.sock("mvproxyd", "sock-ro"), s.sock("mvproxyd"))
        _check_clients(s, s.uri("mvproxyd", "sock-ro"))


def test_read_only_open():
    """CONNECT_OPEN with VIR_CONNECT_RO on a read-write socket makes the
    connection read-only on the daemon's side, directly and through the
    proxy (stock clients refuse writes themselves too; a raw client shows
    the daemon does)."""
    with mvtest.Stack(name="mv-roopen") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        for path in (s.sock("mvqemud"), s.sock("mvproxyd")):
            with mvwire.Wire(path) as w:
                w.handshake(flags=1)
                e = w.call_error(mvwire.PROC_DOMAIN_DEFINE_XML, GARBAGE)
                check_eq(e.code, mvwire.ERR_OPERATION_DENIED, "error code via " + path)
                check_eq(e.message, DENIED_DEFINE, "error message via " + path)
                check(w.hostname(), "hostname")
            with mvwire.Wire(path) as w:
                w.handshake()
                e = w.call_error(mvwire.PROC_DOMAIN_DEFINE_XML, GARBAGE)
                check(e.code != mvwire.ERR_OPERATION_DENIED,
                      "a read-write open refused a write via %s: %s" % (path, e))


def test_proxy_uses_daemon_ro_socket():
    """A client of the proxy's -sock-ro reaches the daemon as read-only
    too, so the daemon enforces it as well."""
    with mvtest.Stack(name="mv-ro") as s:
        s.start("mvqemud")
        s.start("mvproxyd")
        with mvwire.Wire(s.sock("mvproxyd", "sock-ro")) as w:
            w.handshake()
            check(w.hostname(), "hostname")
            out = s.virt_admin("mvqemud", "srv-clients-list", "mvqemud").stdout
            ids = [l.split()[0] for l in out.splitlines() if l.strip()[:1].isdigit()]
            check_eq(len(ids), 1, "clients of mvqemud")
            info = s.virt_admin("mvqemud", "client-info", "mvqemud", ids[0]).stdout
            check_in("readonly", info)
            ro = [l for l in info.splitlines() if l.strip().startswith("readonly")]
            check(ro and ro[0].split(":", 1)[1].strip() == "yes",
                  "upstream client is not read-only:\n%s" % info)


if __name__ == "__main__":
    mvtest.main(globals())
