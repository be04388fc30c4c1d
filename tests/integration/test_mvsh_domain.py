# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvsh's domain commands against the real daemons (through mvproxyd), with
stock virsh on the same stack as the oracle of the output formats: list,
dominfo, domstate, domid/domname/domuuid, dumpxml, domstats, lifecycle
commands, edit (with and without a terminal), events and the console
(without a terminal)."""

import os
import pty
import select
import signal
import subprocess
import time

import mvguest
import mvtest
from mvtest import check, check_eq, check_in


def same(s, *args, drop=()):
    """Run a read-only command with mvsh and virsh: same output (but for
    virsh's final blank line and the lines starting with @drop)."""
    m = s.mvsh(*args, check_rc=None)
    v = s.virsh(*args, check_rc=None)
    vout = v.stdout[:-1] if v.stdout.endswith("\n") else v.stdout

    def keep(text):
        return "".join(l for l in text.splitlines(True) if not l.startswith(drop or ("\0",)))
    check_eq(keep(m.stdout), keep(vout), "stdout of mvsh %s" % " ".join(args))
    check_eq(m.stderr, v.stderr, "stderr of mvsh %s" % " ".join(args))
    check_eq(m.returncode, v.returncode, "exit status of mvsh %s" % " ".join(args))
    return m


def define(s, name):
    path = os.path.join(s.root, name + ".xml")
    with open(path, "w") as f:
        f.write(mvguest.idle(name))
    r = s.mvsh("define", path, check_rc=0)
    check_eq(r.stdout, "Domain '%s' defined from %s\n" % (name, path), "define output")
    return path


def test_inactive_domains_match_virsh():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        for name in ("zulu", "Alpha", "mike"):
            define(s, name)
        for args in (["list"], ["list", "--all"], ["list", "--inactive"],
                     ["list", "--all", "--name"], ["list", "--all", "--uuid"],
                     ["list", "--all", "--title"], ["list", "--all", "--persistent"],
                     ["list", "--all", "--state-shutoff"], ["dominfo", "mike"],
                     ["domstate", "mike", "--reason"], ["domid", "mike"],
                     ["domuuid", "mike"], ["domname", mvguest.domain_uuid("mike")],
                     ["dumpxml", "mike"], ["dumpxml", "mike", "--inactive"],
                     ["domstats", "--state", "mike"], ["dominfo", "nosuch"],
                     ["domstate", "nosuch"]):
            same(s, *args)
        out = s.mvsh("list", "--all", "--name", check_rc=0).stdout
        check_eq(out, "Alpha\nmike\nzulu\n", "inactive domains sorted by name")
        s.mvsh("undefine", "zulu", check_rc=0)
        r = s.mvsh("undefine", "zulu", check_rc=1)
        check_eq(r.stderr, "error: failed to get domain 'zulu'\n", "undefine twice")


def test_lifecycle_matches_virsh():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        define(s, "life")
        r = s.mvsh("start", "life", check_rc=0)
        check_eq(r.stdout, "Domain 'life' started\n", "start")
        r = s.mvsh("start", "life", check_rc=1)
        check_eq(r.stderr, "error: Domain is already active\n", "start twice")
        same(s, "list")
        same(s, "domstate", "life", "--reason")
        same(s, "domid", "life")
        same(s, "dominfo", "life", drop=("CPU time:",))
        same(s, "domstats", "--state", "--balloon", "life")
        check_eq(s.mvsh("domstate", "life", "--reason").stdout, "running (booted)\n", "state")
        check_eq(s.mvsh("suspend", "life").stdout, "Domain 'life' suspended\n", "suspend")
        check_eq(s.mvsh("domstate", "life", "--reason").stdout, "paused (user)\n", "paused")
        same(s, "list", "--state-paused")
        check_eq(s.mvsh("resume", "life").stdout, "Domain 'life' resumed\n", "resume")
        check_eq(s.mvsh("domstate", "life").stdout, "running\n", "resumed")
        check_eq(s.mvsh("reset", "life").stdout, "Domain 'life' was reset\n", "reset")
        check_eq(s.mvsh("autostart", "life").stdout,
                 "Domain 'life' marked as autostarted\n", "autostart")
        same(s, "list", "--all", "--autostart")
        check_eq(s.mvsh("autostart", "--disable", "life").stdout,
                 "Domain 'life' unmarked as autostarted\n", "autostart --disable")
        check_eq(s.mvsh("destroy", "life").stdout, "Domain 'life' destroyed\n", "destroy")
        same(s, "domstate", "life", "--reason")
        check_eq(s.mvsh("domstate", "life", "--reason").stdout, "shut off (destroyed)\n",
                 "destroyed")
        s.mvsh("start", "life", "--paused", check_rc=0)
        check_eq(s.mvsh("domstate", "life").stdout, "paused\n", "started paused")
        s.mvsh("destroy", "life", "--graceful", check_rc=0)
        check_eq(s.mvsh("undefine", "life").stdout, "Domain 'life' has been undefined\n",
                 "undefine")
        same(s, "list", "--all")


def editor(s, name, body):
    """A shell script editor in the stack's root: @body edits "$1"."""
    path = os.path.join(s.root, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\nset -e\n" + body + "\n")
    os.chmod(path, 0o755)
    return path


def edit_env(s, ed):
    """The stack's environment with EDITOR=@ed, VISUAL unset, and a
    TMPDIR of its own (emptied): where the edited files go."""
    tmp = os.path.join(s.root, "edit-tmp")
    os.makedirs(tmp, exist_ok=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    env = dict(s.env, EDITOR=ed, TMPDIR=tmp)
    env.pop("VISUAL", None)
    return env, tmp


def run_with(s, env, *args, check_rc=None):
    r = subprocess.run([mvtest.MVSH, "-c", s.uri()] + list(args), env=env,
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if check_rc is not None and r.returncode != check_rc:
        raise mvtest.TestFailure("%s: rc %d\n%s%s" % (args, r.returncode, r.stdout, r.stderr))
    return r


def test_edit_matches_virsh():
    """edit as virsh does it where virsh gets it right; where virsh 9.0
    does not (a failed define without a terminal: "Failed.", then
    "edited", exit 0), mvsh fails, says why, and keeps the edited file."""
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        for name in ("ed", "ved"):
            define(s, name)
        inactive = s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout
        modefile = os.path.join(s.root, "edit-mode")
        title = editor(s, "title.sh", "stat -c %%a \"$1\" > %s\n"
                       "sed -i 's|</name>|</name><title>Edited</title>|' \"$1\"" % modefile)
        for ed, want in (("true", "Domain '%s' XML configuration not changed.\n"),
                         (title, "Domain '%s' XML configuration edited.\n")):
            env, tmp = edit_env(s, ed)
            m = run_with(s, env, "edit", "ed", check_rc=0)
            if ed == title:
                with open(modefile) as f:
                    check_eq(f.read(), "600\n", "mode of the file the editor gets (secure XML)")
            v = subprocess.run(["virsh", "-c", s.uri(), "edit", "ved"], env=env,
                               capture_output=True, text=True, timeout=60)
            check_eq(m.stdout, want % "ed", "mvsh edit with %s" % ed)
            check_eq(v.stdout, want % "ved" + "\n", "virsh edit with %s" % ed)
            check_eq((m.stderr, m.returncode), (v.stderr, v.returncode), "stderr and status")
            check_eq(os.listdir(tmp), [], "temporary files left by edit")
        edited = s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout
        check_eq(edited, inactive.replace("</uuid>\n", "</uuid>\n  <title>Edited</title>\n", 1),
                 "the edited definition")

        # Bad XML: nothing changes, the reason is given, the edit is kept.
        env, tmp = edit_env(s, editor(s, "junk.sh", "sed -i 's|65536|junk|' \"$1\""))
        r = run_with(s, env, "edit", "ed", check_rc=1)
        kept = os.listdir(tmp)
        check_eq(len(kept), 1, "the edited file is kept")
        path = os.path.join(tmp, kept[0])
        lines = r.stderr.splitlines()
        check_eq(lines[0], "error: Failed to define domain from the edited XML, kept in %s"
                 % path, "first error line")
        check(len(lines) == 2 and "memory" in lines[1] and "junk" in lines[1],
              "the reason names the element and the value: %r" % r.stderr)
        with open(path) as f:
            check_in("<memory unit='KiB'>junk</memory>", f.read())
        check_eq(s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout, edited,
                 "definition after a failed edit")

        # An element modvirt does not know: refused with validation, kept
        # (as written) with --skip-validate.
        env, tmp = edit_env(s, editor(s, "extra.sh",
                                      "sed -i 's|</domain>|  <mv-extra a=\"1\"/>\\n</domain>|' \"$1\""))
        r = run_with(s, env, "edit", "ed", check_rc=1)
        check_in("mv-extra", r.stderr)
        env, tmp = edit_env(s, editor(s, "extra.sh",
                                      "sed -i 's|</domain>|  <mv-extra a=\"1\"/>\\n</domain>|' \"$1\""))
        r = run_with(s, env, "edit", "ed", "--skip-validate", check_rc=0)
        check_eq(r.stdout, "Domain 'ed' XML configuration edited.\n", "edit --skip-validate")
        check_in("<mv-extra a='1'/>", s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout)
        check_eq(os.listdir(tmp), [], "temporary files left by a successful edit")

        # The editor fails: nothing is defined, nothing left behind.
        before = s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout
        env, tmp = edit_env(s, "false")
        r = run_with(s, env, "edit", "ed", check_rc=1)
        check_eq(r.stderr, "error: editor 'false' failed: Child process exited with code 1\n",
                 "a failing editor")
        check_eq(os.listdir(tmp), [], "temporary files left by a failed editor")
        check_eq(s.mvsh("dumpxml", "--inactive", "ed", check_rc=0).stdout, before,
                 "definition after a failed editor")
        r = run_with(s, env, "edit", "nosuch", check_rc=1)
        check_eq(r.stderr, "error: failed to get domain 'nosuch'\n", "edit of no domain")


def pty_session(s, env, args, answers, timeout=30):
    """Run mvsh on a terminal; each time its output ends with a prompt
    ("...]:"), answer the next of @answers.  Returns (output, status)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([mvtest.MVSH, "-c", s.uri()] + list(args), env=env, stdin=slave,
                         stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    answers = list(answers)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
                if out.rstrip().endswith(b"]:") and answers:
                    os.write(master, answers.pop(0).encode() + b"\n")
            elif p.poll() is not None:
                break
        rc = p.wait(timeout=5)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return out.decode().replace("\r\n", "\n"), rc


def test_edit_on_a_terminal():
    """On a terminal a failed define asks, as virsh does: y edits again,
    i defines again without validation, n gives up (and drops the file)."""
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        define(s, "tty")
        before = s.mvsh("dumpxml", "--inactive", "tty", check_rc=0).stdout
        # First run: bad memory; second run (after "y"): fixed.
        count = os.path.join(s.root, "edits")
        ed = editor(s, "twice.sh",
                    "n=$(cat %s 2>/dev/null || echo 0); echo $((n + 1)) > %s\n"
                    "if [ $n = 0 ]; then sed -i 's|65536|junk|' \"$1\"; "
                    "else sed -i 's|junk|131072|' \"$1\"; fi" % (count, count))
        env, tmp = edit_env(s, ed)
        out, rc = pty_session(s, env, ["edit", "tty"], ["?", "y"])
        check_eq(rc, 0, "edit again after a failure: status\n" + out)
        check_in("Failed. Try again? [y,n,i,f,?]:", out)
        check_in("i - turn off validation and try to redefine again", out)
        check(out.rstrip().endswith("Domain 'tty' XML configuration edited."), out)
        check_in("<memory unit='KiB'>131072</memory>",
                 s.mvsh("dumpxml", "--inactive", "tty", check_rc=0).stdout)
        check_eq(os.listdir(tmp), [], "temporary files after a retried edit")

        # After a failed define, an editor that fails (vim's :cq): the first
        # edit is kept, and named.
        os.unlink(count)
        quit = editor(s, "quit.sh",
                      "n=$(cat %s 2>/dev/null || echo 0); echo $((n + 1)) > %s\n"
                      "if [ $n = 0 ]; then sed -i 's|131072|junk|' \"$1\"; else exit 1; fi"
                      % (count, count))
        env, tmp = edit_env(s, quit)
        out, rc = pty_session(s, env, ["edit", "tty"], ["y"])
        check_eq(rc, 1, "editor failing on the second run: status\n" + out)
        kept = os.listdir(tmp)
        check_eq(len(kept), 1, "the first edit is kept")
        check_in("the edited XML is kept in %s" % os.path.join(tmp, kept[0]), out)
        with open(os.path.join(tmp, kept[0])) as f:
            check_in("junk", f.read())

        # "i" is offered until used, and again after each edit (as virsh):
        # XML that fails without validation too gets "[y,n,f,?]" after "i".
        junk = editor(s, "junk.sh", "sed -i 's|131072|junk|' \"$1\"")
        env, tmp = edit_env(s, junk)
        out, rc = pty_session(s, env, ["edit", "tty"], ["i", "n"])
        check_eq(rc, 1, "i, then n: status\n" + out)
        check_eq(out.count("Failed. Try again? [y,n,i,f,?]:"), 1, "i offered once\n" + out)
        check_eq(out.count("Failed. Try again? [y,n,f,?]:"), 1, "then not\n" + out)
        check_eq(os.listdir(tmp), [], "n throws the changes away")

        extra = editor(s, "extra.sh", "sed -i 's|</domain>|<mv-extra/></domain>|' \"$1\"")
        env, tmp = edit_env(s, extra)
        out, rc = pty_session(s, env, ["edit", "tty"], ["n"])
        check_eq(rc, 1, "give up: status\n" + out)
        check_in("mv-extra", out)
        check_eq(os.listdir(tmp), [], "n throws the changes away")
        out, rc = pty_session(s, env, ["edit", "tty"], ["i"])
        check_eq(rc, 0, "define without validation: status\n" + out)
        check_in("<mv-extra/>", s.mvsh("dumpxml", "--inactive", "tty", check_rc=0).stdout)
        check(before != s.mvsh("dumpxml", "--inactive", "tty", check_rc=0).stdout, "edited")


def test_create_transient_and_quiet():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        path = os.path.join(s.root, "tr.xml")
        with open(path, "w") as f:
            f.write(mvguest.idle("transient"))
        r = s.mvsh("create", path, check_rc=0)
        check_eq(r.stdout, "Domain 'transient' created from %s\n" % path, "create")
        same(s, "list", "--transient")
        same(s, "list", "--all", "--persistent")
        r = s.mvsh("-q", "list", check_rc=0)
        v = s.virsh("-q", "list")
        check_eq(r.stdout, v.stdout[:-1] if v.stdout.endswith("\n\n") else v.stdout, "list -q")
        check_eq(s.mvsh("-q", "destroy", "transient", check_rc=0).stdout, "", "destroy -q")
        r = s.mvsh("dominfo", "transient", check_rc=1)
        check_eq(r.stderr, "error: failed to get domain 'transient'\n", "transient gone")


def test_list_many_domains():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        for i in range(25):
            define(s, "many%02d" % i)
        s.mvsh("start", "many07", check_rc=0)
        s.mvsh("start", "many03", check_rc=0)
        m = same(s, "list", "--all")
        lines = m.stdout.splitlines()
        check_eq(len(lines), 2 + 25, "rows")
        check(lines[2].split()[1:] == ["many07", "running"], lines[2])
        check(lines[3].split()[1:] == ["many03", "running"], lines[3])
        same(s, "list", "--all", "--uuid")
        same(s, "domstats", "--state")
        for name in ("many07", "many03"):
            s.mvsh("destroy", name, check_rc=0)


def wait_output(proc, text, timeout=20):
    """Read @proc's (binary) stdout until @text shows up."""
    end = time.monotonic() + timeout
    out = b""
    os.set_blocking(proc.stdout.fileno(), False)
    while text not in out and time.monotonic() < end:
        try:
            chunk = os.read(proc.stdout.fileno(), 65536)
        except BlockingIOError:
            chunk = None
        if chunk:
            out += chunk
        else:
            time.sleep(0.05)
    check(text in out, "%r not in %r" % (text, out))
    return out


def test_events_match_virsh():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        define(s, "ev")
        cmd = ["event", "--all", "--loop", "--timeout", "15"]
        mev = subprocess.Popen([mvtest.MVSH, "-c", s.uri()] + cmd, env=s.env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        vev = subprocess.Popen(["virsh", "-c", s.uri()] + cmd, env=s.env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Both must have registered their 27 callbacks before anything happens.
        time.sleep(3)
        for args in (["start", "ev"], ["suspend", "ev"], ["resume", "ev"],
                     ["destroy", "ev"]):
            s.mvsh(*args, check_rc=0)
            time.sleep(0.3)
        s.mvsh("undefine", "ev", check_rc=0)
        time.sleep(1)
        mev.send_signal(signal.SIGINT)
        vev.send_signal(signal.SIGINT)
        mout, merr = mev.communicate(timeout=30)
        vout, verr = vev.communicate(timeout=30)
        for line in ("event 'lifecycle' for domain 'ev': Started Booted",
                     "event 'lifecycle' for domain 'ev': Suspended Paused",
                     "event 'lifecycle' for domain 'ev': Resumed Unpaused",
                     "event 'lifecycle' for domain 'ev': Stopped Destroyed",
                     "event 'lifecycle' for domain 'ev': Undefined Removed",
                     "event loop interrupted"):
            check_in(line, mout)
        check_eq(mout, vout[:-1] if vout.endswith("\n\n") else vout, "event output")
        check_eq(mev.returncode, vev.returncode, "event status")


def test_event_one_shot():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        define(s, "once")
        ev = subprocess.Popen([mvtest.MVSH, "-c", s.uri(), "event", "--domain", "once",
                               "--event", "lifecycle", "--timestamp", "--timeout", "20"],
                              env=s.env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        time.sleep(1.5)
        s.mvsh("start", "once", check_rc=0)
        out, err = ev.communicate(timeout=30)
        check_eq(ev.returncode, 0, "one-shot status (%s)" % err)
        lines = out.splitlines()
        check_eq(len(lines), 2, "one event: %r" % out)
        check(lines[0].endswith("+0000: event 'lifecycle' for domain 'once': Started Booted"),
              lines[0])
        check_eq(lines[1], "events received: 1", "count")
        s.mvsh("destroy", "once", check_rc=0)


def test_console_without_terminal():
    with mvtest.Stack(name="mv-mvshdom") as s:
        s.start("mvproxyd")
        define(s, "con")
        r = s.mvsh("console", "con", check_rc=1, input="")
        check_eq(r.stderr, "error: The domain is not running\n", "console of a shut off domain")
        s.mvsh("start", "con", check_rc=0)
        holder = subprocess.Popen([mvtest.MVSH, "-c", s.uri(), "console", "con"], env=s.env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        wait_output(holder, b"Escape character is ^] (Ctrl + ])\n")
        time.sleep(0.5)
        r = s.mvsh("console", "con", check_rc=1, input="")
        check_in("Active console session exists for this domain", r.stderr)
        r = s.mvsh("console", "con", "--force", check_rc=0, input="\x1d")
        check_in("Connected to domain 'con'", r.stdout)
        # The first session was taken over: it ends.
        holder.stdin.close()
        check(holder.wait(timeout=20) is not None, "holder still running")
        s.mvsh("destroy", "con", check_rc=0)


if __name__ == "__main__":
    mvtest.main(globals())
