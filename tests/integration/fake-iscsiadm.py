#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scripted stand-in for open-iscsi's iscsiadm.

The kernel of the test machines has no iSCSI initiator (no CONFIG_SCSI, no
modules), so the real iscsiadm cannot log in anywhere.  This script plays
its part for the iscsi pool tests: it records every invocation, keeps
sessions, node settings and interfaces in a state directory, checks CHAP,
and on login creates the LUNs as files named like udev's by-path links.

Environment:
  FAKE_ISCSIADM_DIR   the state directory, holding config.json written by the
                      test:
                        {"bypath": DIR,
                         "targets": {IQN: {"portal": "HOST:PORT",
                                           "luns": {"1": SIZE, ...},
                                           "chap": {"user": U, "password": P}}}}
                      and, kept here: calls.log (one JSON argv per line),
                      state.json (sessions, nodes, ifaces)

Exit statuses are iscsiadm's: 21 nothing found, 4 transport error (unknown
portal), 24 login authorization failure.
"""

import json
import os
import sys

ERR_NO_OBJS_FOUND = 21
ERR_TRANS = 4
ERR_LOGIN_AUTH_FAILED = 24
ERR_INVAL = 7

STATE_DIR = os.environ["FAKE_ISCSIADM_DIR"]


def load(name, default):
    try:
        with open(os.path.join(STATE_DIR, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save_state(state):
    path = os.path.join(STATE_DIR, "state.json")
    with open(path + ".tmp", "w") as f:
        json.dump(state, f)
    os.rename(path + ".tmp", path)


def fail(status, msg):
    sys.stderr.write("iscsiadm: %s\n" % msg)
    sys.exit(status)


def parse(argv):
    """Options as a dict (flags map to True), in iscsiadm's long spelling."""
    short = {"-m": "--mode", "-T": "--targetname", "-p": "--portal", "-I": "--interface",
             "-o": "--op", "-n": "--name", "-v": "--value", "-t": "--type", "-l": "--login",
             "-u": "--logout", "-r": "--sid", "-R": "--rescan"}
    flags = {"--login", "--logout", "--rescan"}
    opts = {}
    i = 0
    while i < len(argv):
        a = short.get(argv[i], argv[i])
        if a in flags:
            opts[a] = True
            i += 1
        elif a.startswith("--") and i + 1 < len(argv):
            opts[a] = argv[i + 1]
            i += 2
        else:
            fail(ERR_INVAL, "unexpected argument '%s'" % argv[i])
    return opts


def lun_path(cfg, portal, target, lun):
    return os.path.join(cfg["bypath"], "ip-%s-iscsi-%s-lun-%s" % (portal, target, lun))


def create_luns(cfg, portal, target):
    for lun, size in cfg["targets"][target]["luns"].items():
        path = lun_path(cfg, portal, target, lun)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.truncate(int(size))


def remove_luns(cfg, portal, target):
    prefix = os.path.basename(lun_path(cfg, portal, target, ""))
    for name in os.listdir(cfg["bypath"]):
        if name.startswith(prefix):
            os.unlink(os.path.join(cfg["bypath"], name))


def mode_session(cfg, state, opts):
    if "--rescan" in opts:
        for s in state["sessions"]:
            if str(s["sid"]) == opts.get("--sid"):
                create_luns(cfg, s["portal"], s["target"])
                print("Rescanning session [sid: %d, target: %s, portal: %s,1]"
                      % (s["sid"], s["target"], s["portal"]))
                return
        fail(ERR_NO_OBJS_FOUND, "No session found.")
    if not state["sessions"]:
        fail(ERR_NO_OBJS_FOUND, "No active sessions.")
    for s in state["sessions"]:
        print("tcp: [%d] %s,1 %s (non-flash)" % (s["sid"], s["portal"], s["target"]))


def mode_iface(cfg, state, opts):
    name = opts.get("--interface")
    op = opts.get("--op")
    if not name:
        print("default tcp,<empty>,<empty>,<empty>,<empty>")
        for n, iqn in sorted(state["ifaces"].items()):
            print("%s tcp,<empty>,<empty>,<empty>,%s" % (n, iqn or "<empty>"))
        return
    if op == "new":
        state["ifaces"].setdefault(name, "")
        print("New interface %s added" % name)
    elif op == "update" and opts.get("--name") == "iface.initiatorname":
        if name not in state["ifaces"]:
            fail(ERR_NO_OBJS_FOUND, "Could not find iface %s" % name)
        state["ifaces"][name] = opts["--value"]
        print("%s updated." % name)
    else:
        fail(ERR_INVAL, "unsupported iface operation")


def mode_discovery(cfg, state, opts):
    portal = opts.get("--portal")
    if opts.get("--type") != "sendtargets" or not portal:
        fail(ERR_INVAL, "discovery needs --type sendtargets and --portal")
    found = [t for t, c in sorted(cfg["targets"].items()) if c["portal"] == portal]
    if not found:
        fail(ERR_TRANS, "cannot make connection to %s: Connection refused" % portal)
    for t in found:
        # --op nonpersistent: listed, no node record kept
        if opts.get("--op") != "nonpersistent":
            state["nodes"].setdefault("%s,%s" % (t, portal), {})
        print("%s,1 %s" % (portal, t))


def node_login(cfg, state, target, portal, node, opts):
    iface = opts.get("--interface", "default")
    if iface != "default" and iface not in state["ifaces"]:
        fail(ERR_NO_OBJS_FOUND, "Could not find iface %s" % iface)
    chap = cfg["targets"][target].get("chap")
    if chap and (node.get("node.session.auth.authmethod") != "CHAP"
                 or node.get("node.session.auth.username") != chap["user"]
                 or node.get("node.session.auth.password") != chap["password"]):
        print("Logging in to [iface: %s, target: %s, portal: %s,1]" % (iface, target, portal))
        fail(ERR_LOGIN_AUTH_FAILED, "Could not login to [iface: %s, target: %s, portal: %s,1]."
             " iscsiadm: initiator reported error (24 - iSCSI login failed due to"
             " authorization failure)" % (iface, target, portal))
    if any(s["target"] == target and s["portal"] == portal for s in state["sessions"]):
        fail(15, "default: 1 session requested, but 1 already present.")
    sid = state["next_sid"]
    state["next_sid"] += 1
    state["sessions"].append({"sid": sid, "target": target, "portal": portal, "iface": iface,
                              "initiator": state["ifaces"].get(iface, "")})
    create_luns(cfg, portal, target)
    print("Logging in to [iface: %s, target: %s, portal: %s,1]" % (iface, target, portal))
    print("Login to [iface: %s, target: %s, portal: %s,1] successful." % (iface, target, portal))


def mode_node(cfg, state, opts):
    target, portal = opts.get("--targetname"), opts.get("--portal")
    if not target or not portal:
        fail(ERR_INVAL, "node operations need --targetname and --portal")
    node = state["nodes"].get("%s,%s" % (target, portal))
    if node is None:
        fail(ERR_NO_OBJS_FOUND, "No records found")
    if opts.get("--op") == "update":
        if opts["--name"] in cfg.get("fail_updates", []):
            fail(ERR_INVAL, "cannot update %s" % opts["--name"])
        node[opts["--name"]] = opts["--value"]
    elif "--login" in opts:
        node_login(cfg, state, target, portal, node, opts)
    elif "--logout" in opts:
        before = len(state["sessions"])
        state["sessions"] = [s for s in state["sessions"]
                             if not (s["target"] == target and s["portal"] == portal)]
        if len(state["sessions"]) == before:
            fail(ERR_NO_OBJS_FOUND, "No matching sessions found")
        remove_luns(cfg, portal, target)
        print("Logout of [sid: 1, target: %s, portal: %s,1] successful." % (target, portal))
    else:
        fail(ERR_INVAL, "unsupported node operation")


def main():
    argv = sys.argv[1:]
    with open(os.path.join(STATE_DIR, "calls.log"), "a") as f:
        f.write(json.dumps(argv) + "\n")
    cfg = load("config.json", None)
    state = load("state.json", {"sessions": [], "nodes": {}, "ifaces": {}, "next_sid": 1})
    opts = parse(argv)
    modes = {"session": mode_session, "iface": mode_iface, "discovery": mode_discovery,
             "node": mode_node}
    mode = modes.get(opts.get("--mode"))
    if not mode:
        fail(ERR_INVAL, "unsupported mode '%s'" % opts.get("--mode"))
    try:
        mode(cfg, state, opts)
    finally:
        save_state(state)


if __name__ == "__main__":
    main()
