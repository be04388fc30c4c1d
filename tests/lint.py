#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lint.py: the project's syntax-check (house-style.md 8.12), as a TAP test.

One test per rule; each failure names file:line and the rule.  C code is
scanned with comments and string literals blanked out, so text inside them
never trips a rule.  Run `python3 tests/lint.py` from anywhere; it checks
the source tree it lives in (build directories are not scanned).

Rules:
  comments      no // comments in C
  spdx          every C, header, Python, .x, shell and meson.build file starts
                with the SPDX line (after a #! line for scripts)
  fork          fork()/vfork() only in src/util/command.c
  exit          exit() only in files that define main()
  stdout        no printf-family output to stdout in the library layers
                (src/util, conf, rpc, remote, lib, drivers), unless a comment
                on that line or just above it explains why, starting
                "stdout:" (e.g. /* stdout: the report the caller asked for */)
  banned        no malloc/calloc/realloc/free/strdup/strndup/strncpy/sprintf/
                atoi/atol/strtol... outside src/util (GLib instead), except
                the allowances listed in BANNED_ALLOWED with their reason
  cloexec       every fd is close-on-exec: open()/openat() pass O_CLOEXEC,
                socket()/socketpair() SOCK_CLOEXEC, fopen() modes hold 'e';
                accept(), pipe() and dup() are banned (accept4, pipe2,
                F_DUPFD_CLOEXEC)
  layers        quoted includes follow the layering: util -> nothing of ours;
                conf -> util; rpc -> util; remote -> rpc, conf, util;
                lib -> remote, rpc, conf, util; a driver -> remote, rpc,
                conf, util and never another driver; cli -> lib and below;
                public headers -> nothing quoted
  conf-pure     src/conf never forks, opens sockets or names /run
  syms          src/lib/libmodvirt.syms: each section's symbols sorted, none
                listed twice
  annotations   every .x procedure enum parses with its annotations
                (gen-dispatch.py --mode=check)
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
SCAN_DIRS = ("src", "daemons", "proxy", "tests", "include", "systemd", "docs")
SPDX = "SPDX-License-Identifier: LGPL-2.1-or-later"
LIBRARY_LAYERS = ("src/util/", "src/conf/", "src/rpc/", "src/remote/", "src/lib/",
                  "src/drivers/")

# (path, function names, reason): reviewed exceptions to the "banned" rule.
BANNED_ALLOWED = [
    ("src/remote/remote-typed-params.c", {"malloc", "strdup"},
     "XDR-owned memory: xdr_free() releases it with free()"),
]

LAYER_DEPS = {
    "util": {"util"},
    "conf": {"conf", "util"},
    "rpc": {"rpc", "util"},
    "remote": {"remote", "rpc", "conf", "util"},
    "lib": {"lib", "remote", "rpc", "conf", "util"},
    "cli": {"cli", "lib", "remote", "rpc", "conf", "util"},
    "public": set(),
}
DRIVER_DEPS = {"remote", "rpc", "conf", "util"}
ANY = None   # daemons, proxy, tests

# Headers generated in the build tree, by layer.
GENERATED = [(re.compile(r"^protocol\.h$"), "rpc"),
             (re.compile(r"^(remote|admin|translate)-[a-z-]+\.h$"), "remote")]


def source_files(top_dir):
    for top in SCAN_DIRS:
        for root, dirs, files in os.walk(os.path.join(top_dir, top)):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "build")))
            for name in sorted(files):
                yield os.path.relpath(os.path.join(root, name), top_dir)
    for name in sorted(os.listdir(top_dir)):
        if os.path.isfile(os.path.join(top_dir, name)):
            yield name


def strip_c(text):
    """(code, comments, slashes): @text with comments and literals blanked
    (newlines kept), the comments as (first line, text), and the lines of
    // comments."""
    out = []
    comments = []
    slashes = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if two == "/*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            body = text[i:end]
            comments.append((line, body))
            out.append(re.sub(r"[^\n]", " ", body))
            line += body.count("\n")
            i = end
        elif two == "//":
            slashes.append(line)
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else text[i:j])
            i = j
        else:
            if c == "\n":
                line += 1
            out.append(c)
            i += 1
    return "".join(out), comments, slashes


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def call_args(code, start):
    """The text between the parenthesis opening at @start and its match."""
    depth = 0
    for j in range(start, len(code)):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return code[start + 1:j]
    return code[start + 1:]


class Lint:
    def __init__(self, root=SRC):
        self.root = root
        self.files = list(source_files(root))
        self.c_files = [f for f in self.files if f.endswith((".c", ".h"))]
        self._stripped = {}
        self._text = {}

    def read(self, rel):
        if rel not in self._text:
            with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as f:
                self._text[rel] = f.read()
        return self._text[rel]

    def stripped(self, rel):
        if rel not in self._stripped:
            self._stripped[rel] = strip_c(self.read(rel))
        return self._stripped[rel]

    def calls(self, rel, names):
        """(line, name, args) of each call to one of @names in @rel's code."""
        code = self.stripped(rel)[0]
        pattern = r"(?<![\w.>])(%s)\s*\(" % "|".join(names)
        for m in re.finditer(pattern, code):
            yield line_of(code, m.start()), m.group(1), call_args(code, m.end() - 1)

    def defines_main(self, rel):
        return re.search(r"^\s*(int\s+)?main\s*\(", self.stripped(rel)[0], re.M) is not None

    def justified(self, rel, lineno, word):
        """A comment on @lineno or ending on the line above mentions @word."""
        for first, body in self.stripped(rel)[1]:
            last = first + body.count("\n")
            if word in body and (first <= lineno <= last or last == lineno - 1):
                return True
        return False

    # ---- rules -----------------------------------------------------------

    def rule_comments(self):
        for rel in self.c_files:
            for lineno in self.stripped(rel)[2]:
                yield rel, lineno, "// comment: use /* */"

    def rule_spdx(self):
        for rel in self.files:
            name = os.path.basename(rel)
            if not (rel.endswith((".c", ".h", ".py", ".x", ".sh")) or name == "meson.build"):
                continue
            head = self.read(rel).split("\n")[:2]
            if rel.endswith((".c", ".h", ".x")):
                ok = head[0] == "/* %s */" % SPDX
            else:
                lines = head[1:] if head[0].startswith("#!") else head[:1]
                ok = bool(lines) and lines[0] == "# %s" % SPDX
            if not ok:
                yield rel, 1, "missing the SPDX line first"

    def rule_fork(self):
        for rel in self.c_files:
            if rel == "src/util/command.c":
                continue
            for lineno, name, _ in self.calls(rel, ["fork", "vfork"]):
                yield rel, lineno, "%s() outside src/util/command.c" % name

    def rule_exit(self):
        for rel in self.c_files:
            if self.defines_main(rel):
                continue
            for lineno, name, _ in self.calls(rel, ["exit"]):
                yield rel, lineno, "exit() outside a file defining main()"

    def rule_stdout(self):
        direct = ["printf", "vprintf", "puts", "putchar", "g_print", "g_printf", "g_vprintf"]
        streams = ["fprintf", "vfprintf", "fputs", "fputc", "putc", "fwrite"]
        fds = ["dprintf", "write"]
        for rel in self.c_files:
            if not rel.startswith(LIBRARY_LAYERS):
                continue
            for lineno, name, args in self.calls(rel, direct + streams + fds):
                if name in streams and not re.search(r"\bstdout\b", args):
                    continue
                if name in fds and not re.match(r"\s*(1|STDOUT_FILENO)\s*,", args):
                    continue
                if not self.justified(rel, lineno, "stdout:"):
                    yield rel, lineno, "%s() to stdout in a library layer" % name

    def rule_banned(self):
        banned = ["malloc", "calloc", "realloc", "free", "strdup", "strndup", "strncpy",
                  "sprintf", "vsprintf", "atoi", "atol", "atoll", "strtol", "strtoul",
                  "strtoll", "strtoull"]
        for rel in self.c_files:
            if rel.startswith("src/util/"):
                continue
            allowed = set()
            for path, names, _ in BANNED_ALLOWED:
                if path == rel:
                    allowed |= names
            for lineno, name, _ in self.calls(rel, banned):
                if name not in allowed:
                    yield rel, lineno, "%s(): use the GLib equivalent" % name

    def rule_cloexec(self):
        checks = {"open": "O_CLOEXEC", "openat": "O_CLOEXEC", "open64": "O_CLOEXEC",
                  "g_open": "O_CLOEXEC", "socket": "SOCK_CLOEXEC",
                  "socketpair": "SOCK_CLOEXEC"}
        for rel in self.c_files:
            for lineno, name, args in self.calls(rel, list(checks)):
                if checks[name] not in args:
                    yield rel, lineno, "%s() without %s" % (name, checks[name])
            for lineno, name, _ in self.calls(rel, ["accept", "pipe", "dup"]):
                better = {"accept": "accept4(SOCK_CLOEXEC)", "pipe": "pipe2(O_CLOEXEC)",
                          "dup": "fcntl(F_DUPFD_CLOEXEC)"}[name]
                yield rel, lineno, "%s(): use %s" % (name, better)
        # fopen's mode is a string literal: look at the raw text.
        for rel in self.c_files:
            for m in re.finditer(r"(?<![\w.>])fopen\s*\([^;]*?,\s*\"([a-z+]*)\"", self.read(rel)):
                if "e" not in m.group(1):
                    yield rel, line_of(self.read(rel), m.start()), "fopen() mode without 'e'"

    def layer_of(self, rel):
        if rel.startswith("include/"):
            return "public"
        m = re.match(r"src/drivers/([a-z0-9_-]+)/", rel)
        if m:
            return "driver:" + m.group(1)
        m = re.match(r"src/(util|conf|rpc|remote|lib|cli)/", rel)
        return m.group(1) if m else ANY

    def include_layer(self, rel, inc):
        if inc in ("config.h", "configmake.h"):
            return "top"
        m = re.match(r"drivers/([a-z0-9_-]+)/", inc)
        if m:
            return "driver:" + m.group(1)
        m = re.match(r"(util|conf|rpc|remote|lib|cli)/", inc)
        if m:
            return m.group(1)
        if os.path.exists(os.path.join(self.root, os.path.dirname(rel), inc)):
            return self.layer_of(rel)
        for pattern, layer in GENERATED:
            if pattern.match(inc):
                return layer
        return None

    def rule_layers(self):
        inc_re = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
        for rel in self.c_files:
            layer = self.layer_of(rel)
            if layer is ANY:
                continue
            allowed = DRIVER_DEPS | {layer} if layer.startswith("driver:") else LAYER_DEPS[layer]
            text = self.read(rel)
            for m in inc_re.finditer(text):
                target = self.include_layer(rel, m.group(1))
                lineno = line_of(text, m.start())
                if target is None:
                    yield rel, lineno, "include \"%s\" belongs to no known layer" % m.group(1)
                elif target == "top" and layer != "public":
                    continue
                elif target not in allowed:
                    yield rel, lineno, "%s must not include %s (\"%s\")" % (
                        layer, target, m.group(1))

    def rule_conf_pure(self):
        for rel in self.c_files:
            if not rel.startswith("src/conf/"):
                continue
            names = ["fork", "vfork", "socket", "socketpair", "connect", "bind", "listen",
                     "accept", "accept4", "execv", "execvp", "execve", "system", "popen"]
            for lineno, name, _ in self.calls(rel, names):
                yield rel, lineno, "%s(): conf/ has no side effects" % name
            text = self.read(rel)
            for m in re.finditer(r'"(/var)?/run\b', text):
                yield rel, line_of(text, m.start()), "conf/ names /run"
            for m in re.finditer(r'^\s*#\s*include\s*"util/command\.h"', text, re.M):
                yield rel, line_of(text, m.start()), "conf/ includes util/command.h"

    def rule_syms(self):
        rel = "src/lib/libmodvirt.syms"
        if not os.path.exists(os.path.join(self.root, rel)):
            return
        seen = {}
        run = []
        for lineno, raw in enumerate(self.read(rel).split("\n"), 1):
            m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*;\s*(#.*)?$", raw)
            if m:
                name = m.group(1)
                if name in seen:
                    yield rel, lineno, "%s listed twice (first on line %d)" % (name, seen[name])
                seen[name] = lineno
                if run and run[-1] > name:
                    yield rel, lineno, "%s is not sorted (after %s)" % (name, run[-1])
                run.append(name)
            else:
                run = []

    def rule_annotations(self):
        gen = os.path.join(SRC, "src", "rpc", "gen-dispatch.py")
        for rel in self.files:
            if not rel.endswith(".x") or not rel.startswith("src/"):
                continue
            text = self.read(rel)
            m = re.search(r"^\s*enum\s+([a-z]+)_procedure\s*\{", text, re.M)
            if not m:
                continue
            res = subprocess.run([sys.executable, gen, "--mode=check", "--prefix=" + m.group(1),
                                  os.path.join(self.root, rel), os.devnull],
                                 capture_output=True, text=True)
            if res.returncode != 0:
                yield rel, line_of(text, m.start()), res.stderr.strip()


# The self-test: a tree with one planted violation per rule (at the line
# marked "<- rule"), next to look-alikes that must pass.
C_HEAD = "/* %s */\n" % SPDX
FIXTURE = {
    "src/util/command.c": C_HEAD + "void f(void) { fork(); }\n",
    "src/util/spawn.c": C_HEAD + "void g(void) { vfork(); }  /* <- fork */\n",
    "src/conf/bad.c": C_HEAD +
        "#include \"rpc/message.h\"  /* <- layers */\n"
        "#include \"util/command.h\"  /* <- conf_pure */\n"
        "static const char *s = \"http://x // fork() exit(1) printf(\";\n"
        "int x; // <- comments\n"
        "void h(void) { exit(1); }  /* <- exit */\n"
        "void i(void) { printf(\"x\"); }  /* <- stdout */\n"
        "/* stdout: the caller asked for it */\n"
        "void j(void) { printf(\"y\"); }\n"
        "void k(void) { fprintf(stderr, \"z\"); g_free(p); st->ops->free(p); }\n"
        "void l(void) { char *d = strdup(s); }  /* <- banned */\n"
        "void m(void) { open(\"/x\", O_RDONLY); }  /* <- cloexec */\n"
        "void n(void) { open(\"/x\", O_RDONLY | O_CLOEXEC); }\n"
        "void o(void) { socket(AF_UNIX, SOCK_STREAM, 0); }  /* <- cloexec conf_pure */\n"
        "void q(void) { fopen(p, \"r\"); }  /* <- cloexec */\n"
        "void r(void) { fopen(p, \"re\"); pipe(fds); }  /* <- cloexec */\n"
        "static const char *run = \"/run/x\";  /* <- conf_pure */\n",
    "src/drivers/a/a.c": C_HEAD + "#include \"drivers/b/b.h\"  /* <- layers */\n"
        "#include \"a.h\"\n#include \"remote-protocol.h\"\n#include \"mystery.h\"  /* <- layers */\n",
    "src/drivers/a/a.h": C_HEAD,
    "daemons/main.c": C_HEAD + "int main(void) { exit(0); printf(\"ok\"); fork(); }  /* <- fork */\n",
    "tests/nospdx.py": "#!/usr/bin/env python3  # <- spdx\nprint('x')\n",
    "tests/ok.py": "#!/usr/bin/env python3\n# %s\n" % SPDX,
    "src/lib/libmodvirt.syms": "# %s\nX {\n  global:\n    mv_a;\n    mv_c;\n"
        "    mv_b;  # <- syms\n    mv_a;  # <- syms\n  local: *;\n};\n" % SPDX,
    "src/remote/bad.x": "/* %s */\nconst BAD_PROGRAM = 1;\nconst BAD_PROTOCOL_VERSION = 1;\n"
        "enum bad_procedure {  /* <- annotations */\n    BAD_PROC_X = 1\n};\n" % SPDX,
}


def self_test():
    """The planted problems, exactly: returns what differs."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="mv-lint-") as tmp:
        expected = set()
        for rel, text in FIXTURE.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            for lineno, line in enumerate(text.split("\n"), 1):
                m = re.search(r"<- ([a-z_ ]+)", line)
                for rule in (m.group(1).split() if m else []):
                    expected.add((rule, rel, lineno))
        lint = Lint(tmp)
        found = set()
        for name in dir(lint):
            if name.startswith("rule_"):
                found |= {(name[5:], rel, lineno)
                          for rel, lineno, _ in getattr(lint, name)()}
    return ["missed: %s %s:%d" % p for p in sorted(expected - found)] + \
           ["spurious: %s %s:%d" % p for p in sorted(found - expected)]


def main():
    lint = Lint()
    rules = sorted(name[5:] for name in dir(lint) if name.startswith("rule_"))
    failed = 0
    print("TAP version 13")
    for i, rule in enumerate(rules, 1):
        problems = list(getattr(lint, "rule_" + rule)())
        failed += bool(problems)
        print("%s %d - %s" % ("not ok" if problems else "ok", i, rule))
        for rel, lineno, msg in problems:
            print("# %s:%d: %s" % (rel, lineno, msg))
    problems = self_test()
    failed += bool(problems)
    print("%s %d - self-test: every rule finds its planted problem" %
          ("not ok" if problems else "ok", len(rules) + 1))
    for line in problems:
        print("# " + line)
    print("1..%d" % (len(rules) + 1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
