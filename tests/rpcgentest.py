#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""rpcgentest.py: golden tests of src/rpc/gen-dispatch.py (TAP).

  - tests/rpcgen/demo.x through every mode: the output must equal
    tests/rpcgen/<name>.expected;
  - each tests/rpcgen/bad-*.x must be refused (exit status 1, nothing on
    stdout) with exactly the message of bad-*.err, line number included;
  - the demo's generated C compiles, with rpcgen's XDR code, against the
    project's headers (so a golden cannot hold code that does not build).

MODVIRT_TEST_REGENERATE=1 rewrites the .expected and .err files instead of
comparing; review the diff before committing it.
"""

import difflib
import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MODVIRT_SOURCE_ROOT") or os.path.dirname(HERE)
BUILD = os.environ.get("MODVIRT_BUILD_ROOT")
DATA = os.path.join(SRC, "tests", "rpcgen")
GEN = os.path.join(SRC, "src", "rpc", "gen-dispatch.py")
GEN_XDR = os.path.join(SRC, "src", "rpc", "gen-xdr.sh")
REGEN = os.environ.get("MODVIRT_TEST_REGENERATE") == "1"

# (golden file stem, gen-dispatch.py arguments): the file names passed to
# --header/--protos are the ones the compile test writes.
MODES = [
    ("demo-protos.h", ["--mode=protos", "--header=demo.h"]),
    ("demo-server-qemu.c", ["--mode=server", "--driver=qemu", "--gate=demo_gate",
                            "--protos=demo-dispatch-protos.h"]),
    ("demo-server-all.c", ["--mode=server", "--driver=all",
                           "--protos=demo-dispatch-protos.h"]),
    ("demo-client.h", ["--mode=client-header", "--header=demo.h"]),
    ("demo-client.c", ["--mode=client", "--header=demo-client-stubs.h"]),
    ("demo-names.h", ["--mode=names-header"]),
    ("demo-names.c", ["--mode=names", "--header=demo-names.h"]),
    ("demo-proxy.h", ["--mode=proxy"]),
    ("demo.structs", ["--mode=repr"]),
]

# Where the compile test puts each output: the names the others include.
COMPILE_NAMES = {
    "demo-protos.h": "demo-dispatch-protos.h",
    "demo-client.h": "demo-client-stubs.h",
}

WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Wmissing-prototypes", "-Wstrict-prototypes",
            "-Wno-unused-parameter", "-Wno-missing-field-initializers"]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, name, diag=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        for line in diag.splitlines():
            print("# " + line)
        sys.stdout.flush()


def run_gen(args, workdir, input_name, output):
    cmd = [sys.executable, GEN] + args + ["--prefix=demo", input_name, output]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def compare(tap, name, actual, path):
    if REGEN:
        with open(path, "w") as f:
            f.write(actual)
        tap.result(True, name + " (regenerated)")
        return
    expected = read(path)
    if expected is None:
        tap.result(False, name, "missing %s (run with MODVIRT_TEST_REGENERATE=1)" % path)
        return
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        os.path.basename(path), "actual"))
    tap.result(expected == actual, name, diff)


def test_modes(tap, tmp):
    for stem, args in MODES:
        out = os.path.join(tmp, stem)
        res = run_gen(args, DATA, "demo.x", out)
        if res.returncode != 0:
            tap.result(False, "mode %s" % stem, res.stderr)
            continue
        compare(tap, "mode %s" % stem, read(out), os.path.join(DATA, stem + ".expected"))


def test_bad_inputs(tap):
    for path in sorted(glob.glob(os.path.join(DATA, "bad-*.x"))):
        name = os.path.basename(path)
        res = run_gen(["--mode=check"], DATA, name, os.devnull)
        if res.returncode != 1 or res.stdout:
            tap.result(False, name, "exit status %d, stdout %r, stderr %r"
                       % (res.returncode, res.stdout, res.stderr))
            continue
        compare(tap, name, res.stderr, path[:-2] + ".err")


def test_no_orphans(tap):
    """Every golden belongs to a mode or a bad input."""
    known = {stem + ".expected" for stem, _ in MODES}
    bad = {os.path.basename(p)[:-2] for p in glob.glob(os.path.join(DATA, "bad-*.x"))}
    stray = []
    for path in sorted(glob.glob(os.path.join(DATA, "*"))):
        name = os.path.basename(path)
        if name.endswith(".expected") and name not in known:
            stray.append(name)
        if name.endswith(".err") and name[:-4] not in bad:
            stray.append(name)
    tap.result(not stray, "no stray golden files", "\n".join(stray))


def pkg_cflags():
    res = subprocess.run(["pkg-config", "--cflags", "glib-2.0", "libtirpc"],
                         capture_output=True, text=True, check=True)
    return shlex.split(res.stdout)


def test_compiles(tap, tmp):
    """The generated demo code builds against the project's headers."""
    if not BUILD:
        tap.result(False, "demo code compiles", "MODVIRT_BUILD_ROOT is not set (run via meson)")
        return
    rpcgen = shutil.which("rpcgen")
    cc = os.environ.get("CC") or shutil.which("cc")
    if not rpcgen or not cc:
        tap.result(False, "demo code compiles", "rpcgen or cc not found")
        return
    work = os.path.join(tmp, "compile")
    os.mkdir(work)
    shutil.copy(os.path.join(DATA, "demo.x"), work)
    for mode, out in (("-h", "demo.h"), ("-c", "demo-protocol.c")):
        subprocess.run([GEN_XDR, rpcgen, mode, "demo.x", out], cwd=work, check=True)
    sources = ["demo-protocol.c"]
    for stem, args in MODES:
        target = COMPILE_NAMES.get(stem, stem)
        res = run_gen(args, work, "demo.x", os.path.join(work, target))
        if res.returncode != 0:
            tap.result(False, "demo code compiles", res.stderr)
            return
        if target.endswith(".c"):
            sources.append(target)
    incs = ["-I" + work, "-I" + os.path.join(SRC, "src"), "-I" + os.path.join(SRC, "include"),
            "-I" + BUILD, "-I" + os.path.join(BUILD, "src", "rpc"),
            "-I" + os.path.join(SRC, "src", "rpc")]
    errors = []
    for source in sources:
        cmd = [cc, "-std=gnu11", "-D_GNU_SOURCE", "-c", "-o", os.devnull] + WARNINGS
        if source == "demo-protocol.c":
            cmd = [c for c in cmd if c != "-Wextra"]
        res = subprocess.run(cmd + incs + pkg_cflags() + [source], cwd=work,
                             capture_output=True, text=True)
        if res.returncode != 0:
            errors.append("%s:\n%s" % (source, res.stderr))
    # The proxy table is a header of static data: include it once.
    probe = os.path.join(work, "proxy-probe.c")
    with open(probe, "w") as f:
        f.write('#include "demo-proxy.h"\nint demo_route(int p);\n'
                'int demo_route(int p) { return demo_proc_routes[p]; }\n')
    res = subprocess.run([cc, "-std=gnu11", "-c", "-o", os.devnull] + WARNINGS + incs +
                         pkg_cflags() + [probe], cwd=work, capture_output=True, text=True)
    if res.returncode != 0:
        errors.append("demo-proxy.h:\n" + res.stderr)
    tap.result(not errors, "demo code compiles", "\n".join(errors))


def main():
    tap = Tap()
    print("TAP version 13")
    with tempfile.TemporaryDirectory(prefix="mv-rpcgentest-") as tmp:
        test_modes(tap, tmp)
        test_bad_inputs(tap)
        test_no_orphans(tap)
        test_compiles(tap, tmp)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
