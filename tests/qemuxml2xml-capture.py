#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# qemuxml2xml-capture.py: libvirt 9.0's QEMU driver as the oracle of the
# define-time defaults (tests/qemuxml2xmltest.c).  Run by hand, never by the
# test suite: it needs a running libvirtd with the QEMU driver, such as the
# project's isolated peer:
#
#   U=$(PEER_DIR=/tmp/peer-mine ../shared/peer/peer-start.sh)
#   /usr/bin/python3 tests/qemuxml2xml-capture.py "$U" [NAME...]
#   PEER_DIR=/tmp/peer-mine ../shared/peer/peer-stop.sh --purge
#
# Each tests/qemuxml2xmldata/NAME.xml (all of them without NAME arguments) is
# defined there, read back with VIR_DOMAIN_XML_INACTIVE and undefined; the
# answer goes to NAME.libvirt.xml, or, when libvirt refuses the definition,
# its message to NAME.libvirt.err.  A domain of the same name that already
# exists there is an error: it is never touched.
import os
import sys

import libvirt

DATADIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'qemuxml2xmldata')


def inputs(names):
    if names:
        return names
    return sorted(f[:-4] for f in os.listdir(DATADIR)
                  if f.endswith('.xml') and not f.endswith(('.libvirt.xml', '.out.xml')))


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def remove(path):
    if os.path.exists(path):
        os.unlink(path)


def capture(conn, name):
    with open(os.path.join(DATADIR, name + '.xml')) as f:
        xml = f.read()
    base = os.path.join(DATADIR, name)
    try:
        dom = conn.defineXML(xml)
    except libvirt.libvirtError as e:
        if e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED and 'already' in str(e):
            raise
        remove(base + '.libvirt.xml')
        write(base + '.libvirt.err', e.get_error_message() + '\n')
        return 'refused: %s' % e.get_error_message()
    try:
        out = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    finally:
        dom.undefine()
    remove(base + '.libvirt.err')
    write(base + '.libvirt.xml', out if out.endswith('\n') else out + '\n')
    return 'ok'


def main():
    if len(sys.argv) < 2:
        sys.stderr.write('usage: %s URI [NAME...]\n' % sys.argv[0])
        return 2
    conn = libvirt.open(sys.argv[1])
    if not conn.getType() == 'QEMU' or conn.getLibVersion() // 1000 != 9000:
        sys.stderr.write('%s is %s %d, not libvirt 9.0.x with the QEMU driver\n' %
                         (sys.argv[1], conn.getType(), conn.getLibVersion()))
        return 1
    for name in inputs(sys.argv[2:]):
        print('%s: %s' % (name, capture(conn, name)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
