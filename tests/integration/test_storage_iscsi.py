# SPDX-License-Identifier: LGPL-2.1-or-later
"""iscsi pools (the kernel initiator through iscsiadm), against a stand-in.

This machine's kernel has no iSCSI initiator at all (no CONFIG_SCSI, no
modules: open-iscsi's iscsid cannot even open its netlink socket), so the
real iscsiadm cannot log in anywhere.  mvstoraged is pointed at
fake-iscsiadm.py instead (MODVIRT_ISCSIADM), a scripted stand-in that
records its arguments, keeps sessions, node settings and interfaces, checks
CHAP, and on login creates the target's LUNs as files named like udev's
/dev/disk/by-path links in the pool's target directory.  What is tested is
therefore modvirt's side: the iscsiadm commands it runs, in which order,
with which arguments, and how it turns the by-path entries into volumes.
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
import mvtest  # noqa: E402
from mvtest import check, check_eq, check_in  # noqa: E402

import libvirt  # noqa: E402

MIB = 1024 * 1024
PORTAL = "127.0.0.1:3260"
IQN1 = "iqn.2026-11.org.example.mvis:target1"
IQN2 = "iqn.2026-11.org.example.mvis:target2"
INITIATOR = "iqn.2026-11.org.example.mvis:host1"
CHAP_USER, CHAP_PASSWORD = "mvisuser", "mvissecret99"
SECRET_UUID = "6e0f8a2c-35b1-4d9e-a7c4-1f2e3d4c5b6a"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-iscsiadm.py")

stack = None
state_dir = None
bypath = None


def setup():
    global stack, state_dir, bypath
    stack = mvtest.Stack(name="mvis")
    state_dir = os.path.join(stack.root, "fake-iscsiadm")
    bypath = os.path.join(stack.root, "by-path")
    os.makedirs(state_dir)
    os.makedirs(bypath)
    write_config({IQN1: {"portal": PORTAL, "luns": {"1": 64 * MIB, "2": 16 * MIB}},
                  IQN2: {"portal": PORTAL, "luns": {"1": 8 * MIB},
                         "chap": {"user": CHAP_USER, "password": CHAP_PASSWORD}}})
    secrets = os.path.join(stack.root, "session", "config", "modvirt", "secrets")
    os.makedirs(secrets)
    with open(os.path.join(secrets, SECRET_UUID + ".base64"), "w") as f:
        f.write(base64.b64encode(CHAP_PASSWORD.encode()).decode())
    stack.env["MODVIRT_ISCSIADM"] = FAKE
    stack.env["FAKE_ISCSIADM_DIR"] = state_dir
    stack.start_stack()


def write_config(targets, fail_updates=()):
    with open(os.path.join(state_dir, "config.json"), "w") as f:
        json.dump({"bypath": bypath, "targets": targets, "fail_updates": list(fail_updates)},
                  f)


def calls():
    """The iscsiadm invocations so far, and forget them."""
    return mvtest.fake_iscsiadm_calls(state_dir)


def fake_state():
    with open(os.path.join(state_dir, "state.json")) as f:
        return json.load(f)


def pool_xml(name, iqn, auth=False, initiator=False):
    extra = ""
    if auth:
        extra += ("    <auth type='chap' username='%s'>\n      <secret uuid='%s'/>\n"
                  "    </auth>\n" % (CHAP_USER, SECRET_UUID))
    if initiator:
        extra += "    <initiator>\n      <iqn name='%s'/>\n    </initiator>\n" % INITIATOR
    return ("<pool type='iscsi'>\n  <name>%s</name>\n  <source>\n"
            "    <host name='127.0.0.1'/>\n    <device path='%s'/>\n%s  </source>\n"
            "  <target>\n    <path>%s</path>\n  </target>\n</pool>\n"
            % (name, iqn, extra, bypath))


def define(name, xml):
    path = os.path.join(stack.root, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    stack.virsh("pool-define", path)


def lun_file(iqn, lun):
    return os.path.join(bypath, "ip-%s-iscsi-%s-lun-%d" % (PORTAL, iqn, lun))


def has_call(log, *args):
    return any(all(a in c for a in args) for c in log)


def test_start_logs_in():
    define("is1", pool_xml("is1", IQN1))
    calls()
    stack.virsh("pool-start", "is1")
    log = calls()
    check(has_call(log, "--mode", "discovery", "sendtargets", PORTAL),
          "no SendTargets discovery: %r" % log)
    check(has_call(log, "--mode", "node", IQN1, PORTAL, "--login"), "no login: %r" % log)
    check(not has_call(log, "node.session.auth.authmethod"), "CHAP set without <auth>: %r" % log)
    login = [i for i, c in enumerate(log) if "--login" in c][0]
    disc = [i for i, c in enumerate(log) if "discovery" in c][0]
    check(disc < login, "login before discovery: %r" % log)
    check_eq([(s["target"], s["portal"]) for s in fake_state()["sessions"]], [(IQN1, PORTAL)],
             "sessions")


def test_volumes():
    out = stack.virsh("vol-list", "is1").stdout
    for lun in (1, 2):
        check_in("unit:0:0:%d" % lun, out, "vol-list")
        check_in(lun_file(IQN1, lun), out, "vol-list path")
    vi = stack.virsh("vol-info", "--pool", "is1", "unit:0:0:1", "--bytes").stdout
    check_in("Type:           block", vi, "vol-info type")
    check_in("Capacity:       %d bytes" % (64 * MIB), vi, "vol-info capacity")
    info = stack.virsh("pool-info", "is1", "--bytes").stdout
    check_in("Capacity:       %d" % (80 * MIB), info, "pool capacity = sum of LUNs")
    c = libvirt.open(stack.uri())
    try:
        v = c.storageVolLookupByPath(lun_file(IQN1, 2))
        check_eq(v.name(), "unit:0:0:2", "lookup by path")
        check_eq(v.info(), [libvirt.VIR_STORAGE_VOL_BLOCK, 16 * MIB, 16 * MIB], "vol info")
    finally:
        c.close()


def test_refresh_rescans():
    cfg = {IQN1: {"portal": PORTAL, "luns": {"1": 64 * MIB, "2": 16 * MIB, "5": 4 * MIB}}}
    write_config(cfg)
    calls()
    stack.virsh("pool-refresh", "is1")
    log = calls()
    sid = str(fake_state()["sessions"][0]["sid"])
    check(has_call(log, "--mode", "session", "-r", sid, "-R"), "no rescan: %r" % log)
    check_in("unit:0:0:5", stack.virsh("vol-list", "is1").stdout, "vol-list after rescan")


def test_stop_logs_out():
    calls()
    stack.virsh("pool-destroy", "is1")
    log = calls()
    check(has_call(log, "--mode", "node", IQN1, PORTAL, "--logout"), "no logout: %r" % log)
    check_eq(fake_state()["sessions"], [], "sessions after destroy")
    check(not os.path.exists(lun_file(IQN1, 1)), "LUN device left after logout")
    stack.virsh("pool-undefine", "is1")


def test_chap_and_initiator():
    write_config({IQN2: {"portal": PORTAL, "luns": {"1": 8 * MIB},
                         "chap": {"user": CHAP_USER, "password": CHAP_PASSWORD}}})
    define("is2", pool_xml("is2", IQN2, auth=True, initiator=True))
    calls()
    stack.virsh("pool-start", "is2")
    log = calls()
    for name, value in (("node.session.auth.authmethod", "CHAP"),
                        ("node.session.auth.username", CHAP_USER),
                        ("node.session.auth.password", CHAP_PASSWORD)):
        check(has_call(log, "--op", "update", "--name", name, "--value", value),
              "%s not set: %r" % (name, log))
    ifaces = fake_state()["ifaces"]
    check_eq(list(ifaces.values()), [INITIATOR], "the interface's initiator name")
    iface = list(ifaces)[0]
    check(has_call(log, "--interface", iface, "--login"), "login not through %s: %r"
          % (iface, log))
    check_eq(fake_state()["sessions"][0]["initiator"], INITIATOR, "session initiator")
    check_in("unit:0:0:1", stack.virsh("vol-list", "is2").stdout, "vol-list")
    stack.virsh("pool-destroy", "is2")

    # the interface is made once
    calls()
    stack.virsh("pool-start", "is2")
    check(not has_call(calls(), "--op", "new"), "the interface was created twice")
    stack.virsh("pool-destroy", "is2")
    stack.virsh("pool-undefine", "is2")


def test_chap_refused():
    write_config({IQN2: {"portal": PORTAL, "luns": {"1": 8 * MIB},
                         "chap": {"user": CHAP_USER, "password": "another-password"}}})
    define("is3", pool_xml("is3", IQN2, auth=True))
    r = stack.virsh("pool-start", "is3", check_rc=1)
    check_in("authorization failure", r.stderr, "pool-start with a refused CHAP login")
    check_eq(fake_state()["sessions"], [], "sessions after a refused login")
    out = stack.virsh("pool-list", "--all").stdout
    check("is3" in out and "inactive" in out.split("is3")[1].splitlines()[0],
          "pool not inactive after a failed start:\n" + out)
    stack.virsh("pool-undefine", "is3")


def test_chap_password_never_in_errors():
    """iscsiadm failing to store the CHAP password: the error names the
    command, never the password (nor does the daemon's log)."""
    write_config({IQN2: {"portal": PORTAL, "luns": {"1": 8 * MIB},
                         "chap": {"user": CHAP_USER, "password": CHAP_PASSWORD}}},
                 fail_updates=["node.session.auth.password"])
    define("is6", pool_xml("is6", IQN2, auth=True))
    mark = stack.log_mark("mvstoraged")
    r = stack.virsh("pool-start", "is6", check_rc=1)
    check_in("node.session.auth.password --value ***", r.stderr, "the failing command")
    check(CHAP_PASSWORD not in r.stderr, "password in the error: %s" % r.stderr)
    check(CHAP_PASSWORD not in stack.log_since("mvstoraged", mark), "password in the log")
    stack.virsh("pool-undefine", "is6")


def test_unknown_portal():
    write_config({})
    define("is4", pool_xml("is4", IQN1))
    r = stack.virsh("pool-start", "is4", check_rc=1)
    check_in("Connection refused", r.stderr, "pool-start against a dead portal")
    stack.virsh("pool-undefine", "is4")


def test_restart_keeps_session():
    """After a daemon restart, check() finds the session: the pool stays
    active and nobody logs in again."""
    write_config({IQN1: {"portal": PORTAL, "luns": {"1": 64 * MIB}}})
    define("is5", pool_xml("is5", IQN1))
    stack.virsh("pool-start", "is5")
    stack.kill("mvstoraged")
    calls()
    stack.start("mvstoraged")
    # pools are restored in the background: wait for is5 to be active again
    # and refreshed
    mvtest.wait_for(lambda: "is5" in stack.virsh("pool-list").stdout, timeout=10,
                    what="is5 active after the restart")
    mvtest.wait_for(lambda: "unit:0:0:1" in stack.virsh("vol-list", "is5").stdout,
                    timeout=10, what="the volumes of is5 after the restart")
    log = calls()
    check(has_call(log, "--mode", "session"), "no session check at restart: %r" % log)
    check(not has_call(log, "--login"), "logged in again at restart: %r" % log)
    stack.virsh("pool-destroy", "is5")
    stack.virsh("pool-undefine", "is5")


if __name__ == "__main__":
    try:
        setup()
    except Exception:
        if stack:
            stack.cleanup()
        raise
    try:
        mvtest.main(globals())
    finally:
        stack.cleanup()
