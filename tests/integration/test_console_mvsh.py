# SPDX-License-Identifier: LGPL-2.1-or-later
"""`mvsh console` on the tiny test guest under TCG, driven through a pty
like `virsh console` in mvguest.py: talk to the guest, leave with
Ctrl+], the busy console's error and --force."""

import mvguest
import mvtest
from mvtest import check, check_eq, check_in


def test_mvsh_console():
    with mvtest.Stack(name="mv-console") as s:
        s.start("mvproxyd")
        uri = s.uri()
        mvguest.start_guest(s, uri, "conmvsh")
        try:
            c = mvguest.PtyClient([mvtest.MVSH, "-c", uri, "console", "conmvsh"], s.env)
            c.expect("Connected to domain 'conmvsh'", timeout=20)
            mvguest.talk(c, "hello from mvsh")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "mvsh console exit status (%r)" % c.text[-500:])
            # Busy, then forced.
            holder = mvguest.virsh_console(s, uri, "conmvsh")
            mvguest.talk(holder, "holder")
            c = mvguest.PtyClient([mvtest.MVSH, "-c", uri, "console", "conmvsh"], s.env)
            check(c.wait() != 0, "mvsh console on a busy console succeeded")
            check_in("Active console session exists for this domain", c.text)
            c = mvguest.PtyClient([mvtest.MVSH, "-c", uri, "console", "--force", "conmvsh"],
                                  s.env)
            mvguest.talk(c, "forced mvsh")
            c.send(mvguest.CTRL_RBRACKET)
            check_eq(c.wait(), 0, "mvsh console --force exit status")
            holder.wait()
        finally:
            s.virsh("destroy", "conmvsh", uri=uri, check_rc=None)


if __name__ == "__main__":
    mvtest.main(globals())
