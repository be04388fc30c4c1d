# SPDX-License-Identifier: LGPL-2.1-or-later
"""virt-admin client-info: the parameters libvirt 9.0 reports for a client
of a UNIX socket, in its order: readonly, then the peer's user and group
(ids and names) and process id.  No "sock_addr": libvirt reports it for
remote (TCP/TLS) clients only.
"""

import grp
import os
import pwd
import re

import mvtest
import mvwire
from mvtest import check, check_eq

VIRT_ADMIN_KEYS = ["id", "connection_time", "transport"]
LIBVIRT_UNIX_KEYS = ["readonly", "unix_user_id", "unix_user_name", "unix_group_id",
                     "unix_group_name", "unix_process_id"]


def _client_info(stack, daemon, server):
    r = stack.virt_admin(daemon, "srv-clients-list", server)
    ids = [line.split()[0] for line in r.stdout.splitlines()
           if line.strip() and line.split()[0].isdigit()]
    check(ids, "no client listed:\n%s" % r.stdout)
    infos = []
    for cid in ids:
        out = stack.virt_admin(daemon, "client-info", server, cid).stdout
        info = []
        for line in out.splitlines():
            m = re.match(r"^(\w+)\s*: (.*)$", line)
            if m:
                info.append((m.group(1), m.group(2).strip()))
        infos.append(info)
    return infos


def _check_info(info, readonly, what):
    keys = [k for k, _ in info]
    check_eq(keys, VIRT_ADMIN_KEYS + LIBVIRT_UNIX_KEYS, "%s: client-info keys" % what)
    values = dict(info)
    check_eq(values["transport"], "unix", "%s: transport" % what)
    check_eq(values["readonly"], "yes" if readonly else "no", "%s: readonly" % what)
    check_eq(values["unix_user_id"], str(os.getuid()), "%s: uid" % what)
    check_eq(values["unix_user_name"], pwd.getpwuid(os.getuid()).pw_name, "%s: user" % what)
    check_eq(values["unix_group_id"], str(os.getgid()), "%s: gid" % what)
    check_eq(values["unix_group_name"], grp.getgrgid(os.getgid()).gr_name, "%s: group" % what)
    check_eq(values["unix_process_id"], str(os.getpid()), "%s: pid" % what)


def test_client_info_unix():
    with mvtest.Stack(name="mv-adminfo") as s:
        s.start("mvqemud")
        for kind, readonly in (("sock", False), ("sock-ro", True)):
            with mvwire.Wire(s.sock("mvqemud", kind)) as w:
                w.handshake()
                infos = _client_info(s, "mvqemud", "mvqemud")
                check_eq(len(infos), 1, "clients of mvqemud")
                _check_info(infos[0], readonly, "mvqemud %s" % kind)
        # Through the proxy: its client, and its connection to mvqemud,
        # which acts as that client (CONNECT_SET_IDENTITY).
        s.start("mvproxyd")
        with mvwire.Wire(s.sock("mvproxyd")) as w:
            w.handshake()
            infos = _client_info(s, "mvproxyd", "mvproxyd")
            check_eq(len(infos), 1, "clients of mvproxyd")
            _check_info(infos[0], False, "mvproxyd sock")
            infos = _client_info(s, "mvqemud", "mvqemud")
            check_eq(len(infos), 1, "clients of mvqemud behind the proxy")
            _check_info(infos[0], False, "mvqemud behind the proxy")

if __name__ == "__main__":
    mvtest.main(globals())
