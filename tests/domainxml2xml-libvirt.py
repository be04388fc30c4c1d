#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# domainxml2xml-libvirt.py: libvirt 9.0 itself as the oracle of the domain
# XML goldens.
#
# Every tests/domainxml2xmldata/NAME.xml that is expected to parse (no
# NAME.err) is defined in libvirt's test driver (test:///default, through
# Debian's python3-libvirt) and read back with VIR_DOMAIN_XML_INACTIVE.  The
# result must equal our expected output (NAME.out.xml, or NAME.xml when there
# is none), byte for byte, after masking what only the test driver does
# (<target dev='testnetN'/> names it gives interfaces) and values either side
# generates (uuid, mac).
#
# Cases where modvirt differs on purpose are listed in
# domainxml2xmldata/libvirt-differences.txt with the reason; they are
# reported as TAP "skip" lines with that reason, and the list itself is
# checked: a listed case that matches libvirt fails (the entry is stale).
import os
import re
import sys

import libvirt

DATADIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'domainxml2xmldata')


def read(path):
    with open(path) as f:
        return f.read()


def differences():
    result = {}
    for line in read(os.path.join(DATADIR, 'libvirt-differences.txt')).splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        name, _, reason = line.partition(' ')
        result[name] = reason.strip()
    return result


def mask(text, source):
    text = re.sub(r"\n *<target dev='testnet\d+'/>", '', text)
    if '<uuid>' not in source:
        text = re.sub(r'<uuid>[0-9a-f-]{36}</uuid>', '<uuid>00000000-0000-0000-0000-000000000000</uuid>',
                      text)

    def mac(m):
        if m.group(1) in source:
            return m.group(0)
        return "<mac address='%sxx:xx:xx'/>" % m.group(1)[:9]
    return re.sub(r"<mac address='([0-9a-f:]{17})'/>", mac, text)


def cases():
    for entry in sorted(os.listdir(DATADIR)):
        if not entry.endswith('.xml') or entry.endswith(('.out.xml', '.status.xml')):
            continue
        name = entry[:-4]
        if os.path.exists(os.path.join(DATADIR, name + '.err')):
            continue
        yield name


def libvirt_format(conn, xml):
    dom = conn.defineXML(xml)
    try:
        return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    finally:
        dom.undefine()


def main():
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    diffs = differences()
    names = list(cases())
    conn = libvirt.open('test:///default')
    print('1..%d' % len(names))
    failed = 0
    for i, name in enumerate(names, 1):
        source = read(os.path.join(DATADIR, name + '.xml'))
        out = os.path.join(DATADIR, name + '.out.xml')
        expected = read(out) if os.path.exists(out) else source
        try:
            actual = mask(libvirt_format(conn, source), source)
        except libvirt.libvirtError as e:
            actual = 'libvirt error: %s\n' % e
        expected = re.sub(r"\n *<target dev='testnet\d+'/>", '', expected)
        same = actual == expected
        if name in diffs:
            if same:
                failed += 1
                print('not ok %d - %s is listed as differing but matches libvirt' % (i, name))
            else:
                print('ok %d - %s # SKIP differs on purpose: %s' % (i, name, diffs[name]))
            continue
        if same:
            print('ok %d - %s' % (i, name))
            continue
        failed += 1
        print('not ok %d - %s' % (i, name))
        import difflib
        for line in difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                         'modvirt', 'libvirt', lineterm=''):
            print('# ' + line)
    for name in diffs:
        if name not in names:
            failed += 1
            print('# libvirt-differences.txt names unknown case %s' % name)
            print('not ok %d - stale entry %s' % (len(names) + 1, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
