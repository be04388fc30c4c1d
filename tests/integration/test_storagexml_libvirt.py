# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storage XML goldens against libvirt 9.0 itself.

storagepoolxml2xmltest and storagevolxml2xmltest pin modvirt's output to the
goldens in tests/storage{pool,vol}xml2xmldata; this test pins the goldens to
libvirt: every input is given to the libvirt test driver (test:///default,
in-process, Debian's python3-libvirt), and what libvirt prints must equal
the golden, except for the runtime numbers the test driver makes up.

Inputs modvirt refuses must either be refused by libvirt too (with the same
error code) or be listed in STRICTER with the reason modvirt is stricter.
"""

import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import TestFailure, check, check_eq  # noqa: E402

import libvirt  # noqa: E402

TESTS = os.path.join(mvtest.SOURCE, "tests")
POOLDIR = os.path.join(TESTS, "storagepoolxml2xmldata")
VOLDIR = os.path.join(TESTS, "storagevolxml2xmldata")

# modvirt refuses these, libvirt 9.0 accepts them (dropping or ignoring
# something, or taking a nonsensical value).
STRICTER = {
    # pools
    "err-dir-source-device": "a source element the pool type does not use is dropped by libvirt",
    "err-iscsi-source-dir": "a source element the pool type does not use is dropped by libvirt",
    "err-iscsi-source-format": "a source element the pool type does not use is dropped by libvirt",
    "err-iscsi-protocol": "libvirt checks <protocol> against the netfs format only",
    "err-iscsi-direct-target": "libvirt drops the <target> of iscsi-direct pools",
    "err-iscsi-initiator-no-iqn": "libvirt drops an <initiator> without <iqn name=>",
    "err-iscsi-host-port-range": "libvirt takes any int as a port",
    "err-logical-target-mismatch": "libvirt replaces the target path of logical pools",
    "err-duplicate-name": "libvirt takes the first of repeated elements",
    "err-stray-text": "libvirt ignores text between elements",
    "err-unknown-attribute": "libvirt ignores unknown attributes (without --validate)",
    "err-unknown-element": "libvirt ignores unknown elements (without --validate)",
    "err-unknown-namespace-element": "modvirt has no fs:mount_opts (libvirt has, for fs pools)",
    "err-unknown-source-element": "libvirt ignores unknown elements (without --validate)",
    "err-unknown-target-attribute": "libvirt ignores unknown attributes (without --validate)",
    # volumes
    "err-vol-name-slash": "libvirt refuses it later, in the fs backend, not the test driver",
    "err-vol-format-vmdk": "modvirt creates raw and qcow2 volumes only",
    "err-vol-backing-format-vmdk": "modvirt creates raw and qcow2 volumes only",
    "err-vol-backing-no-path": "libvirt drops a <backingStore> without <path>",
    "err-vol-backing-raw-target": "libvirt refuses it later, in the fs backend",
    "err-vol-compat-010-features": "qemu-img refuses it later in libvirt",
    "err-vol-features-raw": "qemu-img options of qcow2 only",
    "err-vol-cluster-size-raw": "qemu-img options of qcow2 only",
    "err-vol-encryption": "modvirt does not create encrypted volumes",
    "err-vol-logical-qcow2": "libvirt ignores the format of logical volumes",
    "err-vol-logical-compat": "libvirt ignores qcow2 options of logical volumes",
    "err-vol-unknown-element": "libvirt ignores unknown elements",
    "err-vol-unknown-target-element": "libvirt ignores unknown elements",
    "err-vol-unknown-attribute": "libvirt ignores unknown attributes",
    "err-vol-duplicate-capacity": "libvirt takes the first of repeated elements",
}

# Error codes that differ on purpose: {case: (libvirt, modvirt)}.
CODE_DIFFERS = {
    # the XML reader is shared by all of modvirt (MV_ERR_XML_ERROR)
    "err-empty": (libvirt.VIR_ERR_XML_DETAIL, libvirt.VIR_ERR_XML_ERROR),
    "err-malformed": (libvirt.VIR_ERR_XML_DETAIL, libvirt.VIR_ERR_XML_ERROR),
    "err-vol-malformed": (libvirt.VIR_ERR_XML_DETAIL, libvirt.VIR_ERR_XML_ERROR),
    # units: libvirt says INVALID_ARG for an unknown unit
    "err-vol-capacity-unit": (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_XML_ERROR),
}

# What modvirt prints and libvirt 9.0 does not: {case: [lines]}.
MODVIRT_ONLY_LINES = {
    "vol-qcow2-full": ["    <nocow/>"],
}

# Volume cases libvirt cannot take through createXML (modvirt parse flags).
VOL_FLAGGED = {"vol-opt-capacity", "vol-no-capacity", "err-vol-opt-capacity-no-backing"}

ERRCODE_NAMES = {
    "XML_ERROR": libvirt.VIR_ERR_XML_ERROR,
    "CONFIG_UNSUPPORTED": libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
    "NO_SUPPORT": libvirt.VIR_ERR_NO_SUPPORT,
    "OPERATION_INVALID": libvirt.VIR_ERR_OPERATION_INVALID,
    "OVERFLOW": libvirt.VIR_ERR_OVERFLOW,
    "INVALID_ARG": libvirt.VIR_ERR_INVALID_ARG,
}

FIXED_UUID = "00000000-0000-4000-8000-000000000000"

libvirt.registerErrorHandler(lambda *a: None, None)


def read(path):
    with open(path) as f:
        return f.read()


def cases(directory):
    names = []
    for path in sorted(glob.glob(os.path.join(directory, "*.xml"))):
        name = os.path.basename(path)[:-4]
        if not name.endswith((".out", ".live", ".parsed")):
            names.append(name)
    return names


def expected(directory, name):
    """(xml, None) or (None, error code) from the goldens."""
    for suffix in (".out.xml", ".parsed.xml"):
        path = os.path.join(directory, name + suffix)
        if os.path.exists(path):
            return read(path), None
    err = read(os.path.join(directory, name + ".err"))
    return None, ERRCODE_NAMES[err.split(":", 1)[0]]


def zero_runtime(xml):
    return re.sub(r"<(capacity|allocation|available) unit='bytes'>\d+<",
                  r"<\1 unit='bytes'>0<", xml)


def compare_error(name, exp_code, lv_error, failures):
    if lv_error is None:
        if name not in STRICTER:
            failures.append("%s: libvirt accepts it, modvirt refuses it (not in STRICTER)" % name)
        return
    if name in STRICTER:
        failures.append("%s: listed in STRICTER but libvirt refuses it too" % name)
    want = CODE_DIFFERS.get(name, (exp_code, exp_code))
    got = (lv_error.get_error_code(), exp_code)
    if got != want:
        failures.append("%s: error codes libvirt %d / modvirt %d, expected %s (%s)"
                        % (name, got[0], got[1], want, lv_error))


def fresh_conn():
    conn = libvirt.open("test:///default")
    # the dumpxml case reuses the test driver's own default pool
    pool = conn.storagePoolLookupByName("default-pool")
    pool.destroy()
    pool.undefine()
    return conn


def define_pool(conn, xml):
    """libvirt's formatted XML of @xml, or the libvirtError."""
    try:
        pool = conn.storagePoolDefineXML(xml)
    except libvirt.libvirtError as e:
        return None, e
    try:
        return zero_runtime(pool.XMLDesc(0)), None
    finally:
        pool.undefine()


def test_pool_goldens_match_libvirt():
    conn = fresh_conn()
    failures = []
    names = cases(POOLDIR)
    check(len(names) > 50, "too few pool cases: %d" % len(names))
    for name in names:
        exp_xml, exp_code = expected(POOLDIR, name)
        xml = read(os.path.join(POOLDIR, name + ".xml"))
        got, err = define_pool(conn, xml)
        if got and "<uuid>" not in xml:
            # generated: storagepoolxml2xmltest pins it to a fixed value
            got = re.sub(r"<uuid>[^<]*</uuid>", "<uuid>%s</uuid>" % FIXED_UUID, got)
        if exp_xml is None:
            compare_error(name, exp_code, err, failures)
        elif err is not None:
            failures.append("%s: libvirt refuses it: %s" % (name, err))
        elif got != exp_xml:
            failures.append("%s: libvirt prints\n%s\nthe golden is\n%s" % (name, got, exp_xml))
    check(not failures, "\n".join(failures))


def vol_cases_from_c():
    """(vol, pool) pairs from the table of storagevolxml2xmltest.c."""
    src = read(os.path.join(TESTS, "storagevolxml2xmltest.c"))
    pairs = re.findall(r'\{ "([^"]+)", "([^"]+)", [^}]+\}', src)
    check(len(pairs) > 40, "cannot read the case table: %d" % len(pairs))
    return pairs


def strip_volume_identity(xml):
    """The test driver makes up <key> and the target <path>: drop both."""
    out = []
    for line in xml.splitlines(keepends=True):
        if line.startswith("  <key>"):
            continue
        if line.startswith("    <path>") and out and out[-1] == "  <target>\n":
            continue
        out.append(line)
    return "".join(out)


def create_vol(conn, pool_name, xml):
    pool_xml = read(os.path.join(POOLDIR, pool_name + ".xml"))
    pool = conn.storagePoolDefineXML(pool_xml)
    try:
        pool.create()
        try:
            vol = pool.createXML(xml, 0)
        except libvirt.libvirtError as e:
            return None, e
        text = vol.XMLDesc(0)
        vol.delete(0)
        return text, None
    finally:
        pool.destroy()
        pool.undefine()


def test_vol_goldens_match_libvirt():
    conn = fresh_conn()
    failures = []
    for vol, pool in vol_cases_from_c():
        if vol in VOL_FLAGGED:
            continue
        exp_xml, exp_code = expected(VOLDIR, vol)
        got, err = create_vol(conn, pool, read(os.path.join(VOLDIR, vol + ".xml")))
        if exp_xml is None:
            compare_error(vol, exp_code, err, failures)
            continue
        if err is not None:
            failures.append("%s: libvirt refuses it: %s" % (vol, err))
            continue
        for line in MODVIRT_ONLY_LINES.get(vol, []):
            exp_xml = exp_xml.replace(line + "\n", "", 1)
        got = strip_volume_identity(got)
        want = strip_volume_identity(exp_xml)
        if got != want:
            failures.append("%s: libvirt prints\n%s\nthe golden is\n%s" % (vol, got, want))
    check(not failures, "\n".join(failures))


def test_stricter_list_is_current():
    """Every STRICTER entry names an existing error case."""
    known = set(cases(POOLDIR)) | {v for v, _ in vol_cases_from_c()}
    for name in list(STRICTER) + list(CODE_DIFFERS) + list(MODVIRT_ONLY_LINES):
        if name not in known:
            raise TestFailure("%s is listed but is no test case" % name)


if __name__ == "__main__":
    mvtest.main(globals())
