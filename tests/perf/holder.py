#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""holder.py: the parent of the modvirt daemons a benchmark run starts.

The peer libvirtd runs under a child subreaper that reaps at once
(/work/shared/peer/peer-holder.py): this machine's PID 1 reaps orphans only
every 1-2 s.  modvirt's daemons get the same treatment from this process, so
that neither implementation pays (or dodges) that artefact: QEMU processes
orphaned by a kill -9 of mvqemud, and daemons double-forked by the proxy's
autostart, are reparented here and reaped at once.

Protocol (one JSON object per line):
  stdin  {"argv": [...], "env": {...}, "log": "/path"}  -> stdout {"pid": N}
  stdin  {"kill_all": true}  -> SIGTERM then SIGKILL every child (spawned or
                                reparented), then stdout {"killed": [pids]}
  EOF on stdin: the same as kill_all, then exit.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def _children():
    """PIDs whose parent is this process (spawned or reparented)."""
    me = os.getpid()
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me and fields[0] not in ("Z", "X"):
            kids.append(int(name))
    return kids


def _reap(*_):
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _kill_all():
    victims = _children()
    for pid in victims:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 5
    while time.monotonic() < end and _children():
        time.sleep(0.02)
    for pid in _children():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 5
    while time.monotonic() < end and _children():
        time.sleep(0.02)
    return victims


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("holder: prctl(PR_SET_CHILD_SUBREAPER) failed")
    signal.signal(signal.SIGTERM, lambda *_: (_kill_all(), os._exit(0)))
    signal.signal(signal.SIGCHLD, _reap)
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("kill_all"):
            out.write(json.dumps({"killed": _kill_all()}) + "\n")
            out.flush()
            continue
        log = open(req.get("log", os.devnull), "ab")
        p = subprocess.Popen(req["argv"], env=req.get("env"), stdin=subprocess.DEVNULL,
                             stdout=log, stderr=log, start_new_session=True, close_fds=True)
        log.close()
        # _reap() owns every exit status; Popen must not wait.
        p.returncode = 0
        out.write(json.dumps({"pid": p.pid}) + "\n")
        out.flush()
        _reap()
    _kill_all()


if __name__ == "__main__":
    main()
