#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libsymstest.py: the public API agrees with itself: every MV_PUBLIC
function of include/modvirt/*.h is listed in src/lib/libmodvirt.syms and
exported by libmodvirt.so, and the library exports nothing else."""

import glob
import os
import re
import subprocess
import sys

SOURCE = os.environ.get("MODVIRT_SOURCE_ROOT",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BUILD = os.environ.get("MODVIRT_BUILD_ROOT", os.path.join(SOURCE, "build"))


def header_symbols():
    syms = set()
    for path in glob.glob(os.path.join(SOURCE, "include", "modvirt", "*.h")):
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        for m in re.finditer(r"\bMV_PUBLIC\b[^;{]*?\b(mv_\w+)\s*\(", text):
            syms.add(m.group(1))
    return syms


def syms_file_symbols():
    with open(os.path.join(SOURCE, "src", "lib", "libmodvirt.syms")) as f:
        text = f.read()
    return set(re.findall(r"^\s+(mv_\w+);", text, flags=re.M))


def exported_symbols():
    libs = sorted(glob.glob(os.path.join(BUILD, "src", "lib", "libmodvirt.so.*")))
    if not libs:
        raise RuntimeError("libmodvirt.so not built under %s" % BUILD)
    out = subprocess.run(["nm", "-D", "--defined-only", libs[0]], capture_output=True,
                         text=True, check=True).stdout
    return {l.split()[-1].split("@")[0] for l in out.splitlines()
            if len(l.split()) >= 3 and l.split()[1] in ("T", "W")}


def main():
    tests = []
    headers = header_symbols()
    listed = syms_file_symbols()
    exported = exported_symbols()
    tests.append(("headers list symbols", len(headers) > 100, "%d" % len(headers)))
    tests.append(("every public function is in libmodvirt.syms", headers <= listed,
                  sorted(headers - listed)))
    tests.append(("libmodvirt.syms lists only public functions", listed <= headers,
                  sorted(listed - headers)))
    tests.append(("libmodvirt.so exports every listed symbol", listed <= exported,
                  sorted(listed - exported)))
    extra = {s for s in exported if not s.startswith("_")} - listed
    tests.append(("libmodvirt.so exports nothing else", not extra, sorted(extra)))
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, ok, detail) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("# %s" % (detail,))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
