#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""protocolabitest.py: the wire ABI of the protocols only grows (TAP).

tests/data/<protocol>.structs holds, one per line, every constant, typedef,
enum value, union arm, struct field and procedure number of the protocol, as
`gen-dispatch.py --mode=repr` writes them.  Against the current .x file:

  - a committed line that changed or disappeared fails: the wire layout of
    a released message never changes (add a new procedure instead);
  - a new field or union arm in a type the snapshot already has fails too:
    old peers would decode it wrongly;
  - any other new line (a new procedure, struct, constant, enum value) fails
    until it is appended to the snapshot, in the same commit as the .x
    change:  MODVIRT_TEST_REGENERATE=1 meson test -C BUILDDIR protocolabitest
    (or: python3 tests/protocolabitest.py --append).  Appending never
    rewrites or removes a committed line.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MODVIRT_SOURCE_ROOT") or os.path.dirname(HERE)
GEN = os.path.join(SRC, "src", "rpc", "gen-dispatch.py")

PROTOCOLS = [
    ("src/remote/remote-protocol.x", "remote", "tests/data/remote-protocol.structs"),
    ("src/remote/admin-protocol.x", "admin", "tests/data/admin-protocol.structs"),
]

HOW = ("append them in the commit that changes the .x file:\n"
       "  MODVIRT_TEST_REGENERATE=1 meson test -C BUILDDIR protocolabitest\n"
       "  (or: python3 tests/protocolabitest.py --append)")


def current_lines(xfile, prefix):
    with tempfile.TemporaryDirectory(prefix="mv-abi-") as tmp:
        out = os.path.join(tmp, "repr")
        subprocess.run([sys.executable, GEN, "--mode=repr", "--prefix=" + prefix,
                        os.path.join(SRC, xfile), out], check=True)
        with open(out) as f:
            return [line.rstrip("\n") for line in f]


def entries(lines):
    return [line for line in lines if line and not line.startswith("#")]


def owner(line):
    """The type a struct field or union arm belongs to, else None."""
    words = line.split()
    if words[0] in ("struct", "union"):
        return (words[0], words[1])
    return None


def check(xfile, prefix, snapshot, append):
    """Returns (ok, diagnostics)."""
    path = os.path.join(SRC, snapshot)
    now = current_lines(xfile, prefix)
    if not os.path.exists(path):
        if not append:
            return False, "%s is missing; create it with --append" % snapshot
        with open(path, "w") as f:
            f.write("\n".join(now) + "\n")
        return True, "created %s" % snapshot
    with open(path) as f:
        committed = entries(line.rstrip("\n") for line in f)
    now_set = set(entries(now))
    committed_set = set(committed)
    known_types = {owner(line) for line in committed if owner(line)}

    gone = [line for line in committed if line not in now_set]
    new = [line for line in entries(now) if line not in committed_set]
    grown = [line for line in new if owner(line) in known_types]
    addable = [line for line in new if owner(line) not in known_types]

    diag = []
    if gone:
        diag.append("changed or removed (the wire ABI is append-only):")
        diag += ["  - " + line for line in gone]
    if grown:
        diag.append("new members of existing types (old peers would misread them):")
        diag += ["  + " + line for line in grown]
    if addable and append and not gone and not grown:
        with open(path, "a") as f:
            f.write("".join(line + "\n" for line in addable))
        diag.append("appended %d lines to %s" % (len(addable), snapshot))
        addable = []
    if addable:
        diag.append("%d new lines are not in %s yet; %s" % (len(addable), snapshot, HOW))
        diag += ["  + " + line for line in addable]
    return not (gone or grown or addable), "\n".join(diag)


def main():
    append = "--append" in sys.argv[1:] or os.environ.get("MODVIRT_TEST_REGENERATE") == "1"
    failed = 0
    print("TAP version 13")
    for i, (xfile, prefix, snapshot) in enumerate(PROTOCOLS, 1):
        ok, diag = check(xfile, prefix, snapshot, append)
        failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", i, snapshot))
        for line in diag.splitlines():
            print("# " + line)
    print("1..%d" % len(PROTOCOLS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
