#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wl_domains: domain workloads.

* the file system's floor for a define in each daemon's config directory
  (temporary file, 1 KiB, fsync, rename), which this machine's churn moves
  a lot from run to run;
* define and undefine rates (1000 per target), then N (10,000) defined
  domains: define rate, listAllDomains and getAllDomainStats times, the
  daemon's RSS, undefine rate;
* create -> running and destroy latency of the minimal KVM domain of
  peer-baseline.md, with the floor of launching the same QEMU by hand
  (spawn -> QMP cont done; SIGTERM -> reaped);
* restart -> first reply with 3 running domains (kill -9 the daemon, restart
  it, poll open+getVersion every 5 ms), domains kept; destroy sent right
  after a restart (failures counted).

Alone: wl_domains.py [run.py options] (= run.py --only domains).
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import perflib
from perflib import Goal, libvirt

NAME = "domains"
POLL = 0.005


class NotAvailable(Exception):
    pass


def _tag(ctx):
    return "lvb-%s" % ctx.res.meta["run_id"][:6]


def _na(ctx, metric, t, unit, exc, goals=()):
    ctx.res.add(NAME, metric, t.name, None, unit, na=perflib.err_text(exc), goals=goals)


def _owner_key(t):
    """proxy and direct share one mvqemud: objects are per owner."""
    return "libvirt" if t.impl != "modvirt" else "modvirt"


# ---- define / list / stats / undefine ----------------------------------------

def _define_many(conn, names):
    t0 = time.monotonic()
    lat = []
    for n in names:
        t = time.perf_counter()
        conn.defineXML(perflib.domain_xml(n))
        lat.append(time.perf_counter() - t)
    return time.monotonic() - t0, lat


def _undefine_many(conn, names):
    t0 = time.monotonic()
    for n in names:
        conn.lookupByName(n).undefine()
    return time.monotonic() - t0


def define_batch(ctx, n=1000):
    """define n domains on every target in turn, then undefine them all.

    NB: every define comes before any undefine.  A target defining right
    after another one's undefines would pay ext4's freed-inode window (see
    inode_reuse_window()) if their directories share a block group, which
    proxy and direct always do (one mvqemud): the old order (define then
    undefine, target by target) charged that to every target but the
    first."""
    tag = _tag(ctx)
    defined = []
    for t in ctx.targets:
        names = ["%s-b%s-%d" % (tag, t.name[0], i) for i in range(n)]
        try:
            conn = t.open()
            try:
                secs, lat = _define_many(conn, names)
            finally:
                conn.close()
        except Exception as e:
            _na(ctx, "define rate (%d)" % n, t, "/s", e)
            _na(ctx, "undefine rate (%d)" % n, t, "/s", e)
            _cleanup_names(t, names)
            continue
        ctx.res.add(NAME, "define rate (%d)" % n, t.name, n / secs, "/s",
                    goals=[Goal("ratio", ">=", 2.0, ["proxy"])],
                    detail={"latency_ms": perflib.summary([x * 1e3 for x in lat])})
        defined.append((t, names))
    for t, names in defined:
        try:
            conn = t.open()
            try:
                usecs = _undefine_many(conn, names)
            finally:
                conn.close()
        except Exception as e:
            _na(ctx, "undefine rate (%d)" % n, t, "/s", e)
            _cleanup_names(t, names)
            continue
        ctx.res.add(NAME, "undefine rate (%d)" % n, t.name, n / usecs, "/s")


def _cleanup_names(t, names):
    try:
        conn = t.open()
    except libvirt.libvirtError:
        return
    for n in names:
        try:
            conn.lookupByName(n).undefine()
        except libvirt.libvirtError:
            pass
    conn.close()


def many_domains(ctx, total):
    """total defined domains: define rate, list/stats, RSS, undefine rate.
    Defined through libvirtd's socket and modvirt's proxy, in alternating
    chunks of 500 so that the machine's load hits both alike."""
    tag = _tag(ctx)
    definers = [t for t in ctx.targets if t.name in ("libvirtd", "proxy")]
    if not any(t.name == "proxy" for t in ctx.targets):
        definers += [t for t in ctx.targets if t.name == "direct"]
    names = ["%s-m%05d" % (tag, i) for i in range(total)]
    secs = {t.name: 0.0 for t in definers}
    chunk_rates = {t.name: [] for t in definers}
    failed = {}
    conns = {}
    for t in definers:
        conns[t.name] = t.open()
    try:
        for chunk in range(0, total, 500):
            for t in definers:
                if t.name in failed:
                    continue
                try:
                    s, _ = _define_many(conns[t.name], names[chunk:chunk + 500])
                    secs[t.name] += s
                    chunk_rates[t.name].append(round(500 / s))
                except Exception as e:
                    failed[t.name] = e
        metric = "define rate (to %d)" % total
        for t in definers:
            if t.name in failed:
                _na(ctx, metric, t, "/s", failed[t.name])
            else:
                ctx.res.add(NAME, metric, t.name, total / secs[t.name], "/s",
                            goals=[Goal("ratio", ">=", 2.0, ["proxy"])],
                            detail={"chunk_rates": chunk_rates[t.name]})
        for t in ctx.targets:
            why = next((failed[d.name] for d in definers
                        if d.name in failed and _owner_key(d) == _owner_key(t)), None)
            if why is not None:
                _na(ctx, "listAllDomains (%d)" % total, t, "ms", why)
                _na(ctx, "getAllDomainStats (%d)" % total, t, "ms", why)
                continue
            list_and_stats(ctx, t, total)
        rss = {}
        for t in ctx.targets:
            for name, pid in t.daemon_pids().items():
                if name in ("libvirtd", "mvqemud"):
                    rss[name] = perflib.mem_status(pid)
        metric = "RSS with %d domains" % total
        if rss.get("libvirtd"):
            ctx.res.add(NAME, metric, "libvirtd", rss["libvirtd"]["VmRSS"] / 1024.0, "MiB",
                        detail=rss["libvirtd"])
        if ctx.modvirt:
            why = next((failed[d.name] for d in definers
                        if d.name in failed and d.impl == "modvirt"), None)
            if why is not None or not rss.get("mvqemud"):
                ctx.res.add(NAME, metric, "proxy", None, "MiB",
                            na="domains not defined: %s" % perflib.err_text(why)
                            if why else "mvqemud is not running")
            else:
                ctx.res.add(NAME, metric, "proxy", rss["mvqemud"]["VmRSS"] / 1024.0, "MiB",
                            goals=[Goal("ratio", "<=", 0.5, ["proxy"])],
                            detail=dict(rss["mvqemud"], daemon="mvqemud"))
        usecs = {t.name: 0.0 for t in definers}
        for chunk in range(0, total, 500):
            for t in definers:
                if t.name in failed:
                    continue
                try:
                    usecs[t.name] += _undefine_many(conns[t.name], names[chunk:chunk + 500])
                except Exception as e:
                    failed[t.name] = e
        for t in definers:
            if t.name in failed:
                _na(ctx, "undefine rate (from %d)" % total, t, "/s", failed[t.name])
            else:
                ctx.res.add(NAME, "undefine rate (from %d)" % total, t.name,
                            total / usecs[t.name], "/s")
    finally:
        for c in conns.values():
            c.close()
        for t in definers:
            if t.name in failed:
                _cleanup_names(t, names)


def list_and_stats(ctx, t, total):
    conn = t.open()
    try:
        for metric, fn, reps in (("listAllDomains", conn.listAllDomains, 10),
                                 ("getAllDomainStats", conn.getAllDomainStats, 5)):
            times = []
            got = None
            # The daemons' CPU apart, as for listAllVolumes: most of the
            # wall time is the client's (an object per domain).
            meter = perflib.CpuMeter(t.daemon_pids()).start()
            try:
                for _ in range(reps):
                    # The previous answer goes before the clock starts:
                    # freeing 10,000 virDomain objects (a __del__ each)
                    # takes the client ~12 ms, which is no part of the call
                    # and was most of modvirt's figure.
                    got = None
                    t0 = time.perf_counter()
                    got = fn()
                    times.append((time.perf_counter() - t0) * 1e3)
                    if len(got) < total:
                        raise RuntimeError("%s returned %d domains, want >= %d"
                                           % (metric, len(got), total))
            except Exception as e:
                _na(ctx, "%s (%d)" % (metric, total), t, "ms", e)
                continue
            cpu = meter.stop().us_per(len(times))[0]
            got = None
            ctx.res.add(NAME, "%s (%d)" % (metric, total), t.name, perflib.median(times), "ms",
                        goals=[Goal("ratio", "<=", 0.5, ["proxy"])],
                        detail=perflib.summary(times))
            ctx.res.add(NAME, "%s (%d) daemons' CPU" % (metric, total), t.name, cpu / 1e3,
                        "ms", detail={"per_pid_ns": meter.per_pid_ns, "calls": len(times)})
    finally:
        conn.close()


# ---- create -> running, destroy, and the bare-QEMU floor --------------------

def _wait_running(dom, timeout=30.0):
    end = time.monotonic() + timeout
    while True:
        if dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.001)


def lifecycle(ctx, iters, hold, workdir):
    """iters rounds; each: create -> running -> hold -> destroy on every
    target, then one bare-QEMU cycle per command line known so far (the
    floor), so that each create has a floor measured next to it."""
    tag = _tag(ctx)
    doms, conns, failed = {}, {}, {}
    samples = {t.name: {"create": [], "destroy": [], "round": []} for t in ctx.targets}
    floors = {}          # label -> {"create": [], "destroy": [], "round": []}
    argvs = {}
    for t in ctx.targets:
        try:
            conns[t.name] = t.open()
            doms[t.name] = conns[t.name].defineXML(perflib.domain_xml("%s-life-%s" % (tag, t.name)))
        except Exception as e:
            failed[t.name] = e
    try:
        for rnd in range(iters):
            for t in ctx.targets:
                if t.name in failed:
                    continue
                d = doms[t.name]
                try:
                    t0 = time.perf_counter()
                    d.create()
                    if not _wait_running(d):
                        raise RuntimeError("not running 30 s after create()")
                    t1 = time.perf_counter()
                    if t.name not in argvs:
                        argvs[t.name] = _qemu_argv(t, d.name())
                    time.sleep(hold)
                    t2 = time.perf_counter()
                    d.destroy()
                    t3 = time.perf_counter()
                    samples[t.name]["create"].append((t1 - t0) * 1e3)
                    samples[t.name]["destroy"].append((t3 - t2) * 1e3)
                    samples[t.name]["round"].append(rnd)
                except Exception as e:
                    failed[t.name] = e
                    try:
                        d.destroy()
                    except libvirt.libvirtError:
                        pass
            for label, argv in _floor_variants(argvs):
                f = floors.setdefault(label, {"create": [], "destroy": [], "round": []})
                if "error" in f:
                    continue
                try:
                    a, b = floor_cycle(argv, workdir, hold)
                except Exception as e:
                    f["error"] = perflib.err_text(e)
                    continue
                f["create"].append(a)
                f["destroy"].append(b)
                f["round"].append(rnd)
    finally:
        for t in ctx.targets:
            if t.name in doms:
                try:
                    doms[t.name].undefine()
                except libvirt.libvirtError:
                    pass
            if t.name in conns:
                conns[t.name].close()
    return samples, failed, argvs, floors


def _floor_variants(argvs):
    mv = argvs.get("proxy") or argvs.get("direct")
    out = [("libvirt's argv", LIBVIRT_ARGV)]
    if mv:
        out.insert(0, ("modvirt's argv", mv))
    return out


def paired_overhead(s, f):
    """Median of create - floor over the rounds that have both."""
    fl = dict(zip(f["round"], f["create"]))
    diffs = [c - fl[r] for c, r in zip(s["create"], s["round"]) if r in fl]
    return perflib.median(diffs), len(diffs)


def _qemu_argv(t, name):
    pids = t.owner.qemu_pids() if t.owner is not None else {}
    pid = pids.get(name)
    if not pid:
        return None
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode() for a in f.read().split(b"\0") if a]
    except OSError:
        return None


# libvirt 9.0's command line for the minimal domain (peer-baseline.md),
# minus its master-key secret (a file in the peer's namespace).
LIBVIRT_ARGV = [
    "/usr/bin/qemu-system-x86_64", "-name", "guest=lvb-floor,debug-threads=on", "-S",
    "-machine", "pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram",
    "-accel", "kvm", "-cpu", "qemu64", "-m", "64",
    "-object", '{"qom-type":"memory-backend-ram","id":"pc.ram","size":67108864}',
    "-overcommit", "mem-lock=off", "-smp", "1,sockets=1,cores=1,threads=1",
    "-display", "none", "-no-user-config", "-nodefaults",
    "-chardev", "socket,id=charmonitor,fd=3,server=on,wait=off",
    "-mon", "chardev=charmonitor,id=monitor,mode=control", "-rtc", "base=utc",
    "-no-shutdown", "-no-acpi", "-boot", "strict=on",
    "-device", '{"driver":"piix3-usb-uhci","id":"usb","bus":"pci.0","addr":"0x1.0x2"}',
    "-audiodev", '{"id":"audio1","driver":"none"}',
    "-device", '{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x2"}',
    "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    "-msg", "timestamp=on"]


def floor_argv(argv, qmp_path):
    """A captured QEMU command line made standalone: the monitor on a
    socket path, no pid file, no daemonize, no secrets stored by the daemon."""
    out = []
    skip = 0
    for i, a in enumerate(argv):
        if skip:
            skip -= 1
            continue
        if a in ("-pidfile", "-daemonize"):
            skip = 1 if a == "-pidfile" else 0
            continue
        if a == "-object" and i + 1 < len(argv) and '"secret"' in argv[i + 1]:
            skip = 1
            continue
        if a == "-chardev" and i + 1 < len(argv) and "id=charmonitor" in argv[i + 1]:
            out += ["-chardev", "socket,id=charmonitor,path=%s,server=on,wait=off" % qmp_path]
            skip = 1
            continue
        out.append(a)
    return out


def _qmp(sock, buf, cmd):
    sock.sendall((json.dumps({"execute": cmd}) + "\n").encode())
    while True:
        while b"\n" not in buf[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("QMP closed")
            buf[0] += chunk
        line, buf[0] = buf[0].split(b"\n", 1)
        msg = json.loads(line)
        if "return" in msg:
            return msg
        if "error" in msg:
            raise RuntimeError("QMP %s: %s" % (cmd, msg["error"]))


def floor_cycle(argv, workdir, hold):
    """(spawn -> QMP cont answered, SIGTERM -> reaped) in ms for one QEMU."""
    qmp_path = os.path.join(workdir, "floor.qmp")
    if os.path.exists(qmp_path):
        os.unlink(qmp_path)
    args = floor_argv(argv, qmp_path)
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, start_new_session=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        while True:
            try:
                s.connect(qmp_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if p.poll() is not None:
                    raise RuntimeError("bare QEMU exited: %s" % p.stderr.read().decode()[-300:])
                time.sleep(0.0005)
        buf = [b""]
        while b"\n" not in buf[0]:
            buf[0] += s.recv(65536)
        buf[0] = buf[0].split(b"\n", 1)[1]
        _qmp(s, buf, "qmp_capabilities")
        _qmp(s, buf, "cont")
        t1 = time.perf_counter()
    finally:
        s.close()
    time.sleep(hold)
    t2 = time.perf_counter()
    p.send_signal(signal.SIGTERM)
    p.wait(30)
    t3 = time.perf_counter()
    p.stderr.close()
    return (t1 - t0) * 1e3, (t3 - t2) * 1e3


def run_lifecycle(ctx):
    iters = int(ctx.scale(10, 4))
    hold = 0.2
    workdir = tempfile.mkdtemp(prefix="mvbench-floor-")
    try:
        samples, failed, argvs, floors = lifecycle(ctx, iters, hold, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for label, f in floors.items():
        if f["create"]:
            ctx.res.note(NAME, "bare QEMU floor (%s): spawn->cont %.1f ms (%.1f-%.1f), "
                         "SIGTERM->reaped %.1f ms, %d rounds"
                         % (label, perflib.median(f["create"]), min(f["create"]),
                            max(f["create"]), perflib.median(f["destroy"]), len(f["create"])))
        if "error" in f:
            ctx.res.note(NAME, "bare QEMU (%s) failed: %s" % (label, f["error"]))
    for t in ctx.targets:
        s = samples[t.name]
        if t.name in failed or not s["create"]:
            why = failed.get(t.name, "no sample")
            for m in ("create->running", "destroy", "create overhead over bare QEMU"):
                ctx.res.add(NAME, m, t.name, None, "ms",
                            na=perflib.err_text(why) if isinstance(why, Exception) else why)
            continue
        ctx.res.add(NAME, "create->running", t.name, perflib.median(s["create"]), "ms",
                    goals=[Goal("ratio", "<=", 0.25, ["proxy"])],
                    detail=dict(perflib.summary(s["create"]), argv=argvs.get(t.name)))
        ctx.res.add(NAME, "destroy", t.name, perflib.median(s["destroy"]), "ms",
                    goals=[Goal("abs", "<=", 40, ["proxy"])],
                    detail=perflib.summary(s["destroy"]))
        # The floor of the implementation's own command line.
        label = "modvirt's argv" if t.impl == "modvirt" else "libvirt's argv"
        f = floors.get(label)
        if not f or not f["create"]:
            ctx.res.add(NAME, "create overhead over bare QEMU", t.name, None, "ms",
                        na=(f or {}).get("error", "the bare QEMU floor could not run"))
            continue
        over, n = paired_overhead(s, f)
        ctx.res.add(NAME, "create overhead over bare QEMU", t.name, over, "ms",
                    goals=[Goal("abs", "<=", 30, ["proxy"])],
                    detail={"floor_ms": perflib.summary(f["create"]), "floor_argv": label,
                            "pairs": n})


# ---- restart ---------------------------------------------------------------

def _first_reply(uri, timeout=60.0):
    end = time.monotonic() + timeout
    while True:
        try:
            c = libvirt.open(uri)
            try:
                c.getVersion()
                return c
            except libvirt.libvirtError:
                c.close()
                raise
        except libvirt.libvirtError:
            if time.monotonic() > end:
                raise
            time.sleep(POLL)


def _kill_and_respawn(t):
    """kill -9 the daemon that owns domains; ask for a new one.  Returns the
    monotonic time of the restart command."""
    if t.impl == "modvirt":
        t.owner.kill9("mvqemud")
        t0 = time.monotonic()
        t.owner.spawn("mvqemud")
    else:
        t.owner.kill9()
        t0 = time.monotonic()
        t.owner.respawn()
    return t0


def _running_set(t, names, timeout=60):
    conn = t.open()
    try:
        for n in names:
            d = conn.lookupByName(n)
            if d.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
                d.create()
                if not _wait_running(d, timeout):
                    raise RuntimeError("%s is not running" % n)
        return {n: conn.lookupByName(n).ID() for n in names}
    finally:
        conn.close()


def restart_round(ctx, t, names, destroy_after):
    """One round; returns (first reply ms, kept, lost, destroy failures)."""
    before = _running_set(t, names)
    qemu_before = {n: t.owner.qemu_pids().get(n) for n in names}
    t0 = _kill_and_respawn(t)
    conn = _first_reply(t.uri)
    t1 = time.monotonic()
    fails = []
    kept = lost = 0
    try:
        if destroy_after:
            for n in names:
                try:
                    conn.lookupByName(n).destroy()
                except libvirt.libvirtError as e:
                    fails.append(perflib.err_text(e))
        else:
            qemu_after = t.owner.qemu_pids()
            for n in names:
                try:
                    d = conn.lookupByName(n)
                    ok = (d.state()[0] == libvirt.VIR_DOMAIN_RUNNING and d.ID() == before[n]
                          and qemu_after.get(n) == qemu_before[n])
                except libvirt.libvirtError:
                    ok = False
                kept += ok
                lost += not ok
    finally:
        conn.close()
    ctx.pin_daemons()
    return (t1 - t0) * 1e3, kept, lost, fails


def run_restart(ctx):
    tag = _tag(ctx)
    rounds = int(ctx.scale(5, 2))
    drounds = int(ctx.scale(3, 1))
    names = {"libvirt": ["%s-rs%d" % (tag, i) for i in range(3)],
             "modvirt": ["%s-rs%d" % (tag, i) for i in range(3)]}
    defined = {}
    failed = {}
    res = {t.name: {"first": [], "kept": 0, "lost": 0, "dfail": [], "dn": 0} for t in ctx.targets}
    for t in ctx.targets:
        key = _owner_key(t)
        if key in defined:
            continue
        try:
            c = t.open()
            for n in names[key]:
                c.defineXML(perflib.domain_xml(n))
            c.close()
            defined[key] = t
        except Exception as e:
            failed[t.name] = e
    try:
        for phase, count in (("plain", rounds), ("destroy", drounds)):
            for _ in range(count):
                for t in ctx.targets:
                    if t.name in failed or _owner_key(t) not in defined:
                        continue
                    try:
                        ms, kept, lost, fails = restart_round(ctx, t, names[_owner_key(t)],
                                                              phase == "destroy")
                    except Exception as e:
                        failed[t.name] = e
                        _recover(t)
                        continue
                    r = res[t.name]
                    if phase == "plain":
                        r["first"].append(ms)
                        r["kept"] += kept
                        r["lost"] += lost
                    else:
                        r["dn"] += len(names[_owner_key(t)])
                        r["dfail"] += fails
    finally:
        for key, t in defined.items():
            _recover(t)
            try:
                c = t.open()
                for n in names[key]:
                    try:
                        d = c.lookupByName(n)
                        if d.isActive():
                            d.destroy()
                        d.undefine()
                    except libvirt.libvirtError:
                        pass
                c.close()
            except libvirt.libvirtError:
                pass
    for t in ctx.targets:
        r = res[t.name]
        if t.name in failed and not r["first"]:
            why = failed.get(t.name)
            for m, u in (("restart->first reply (3 running)", "ms"),
                         ("domains lost over restarts", "count"),
                         ("destroy failures right after restart", "count")):
                _na(ctx, m, t, u, why)
            continue
        ctx.res.add(NAME, "restart->first reply (3 running)", t.name, perflib.median(r["first"]),
                    "ms", goals=[Goal("ratio", "<=", 0.25, ["proxy"])],
                    detail=perflib.summary(r["first"]))
        ctx.res.add(NAME, "domains lost over restarts", t.name, r["lost"], "count",
                    goals=[Goal("abs", "<=", 0, ["proxy", "direct"])],
                    detail={"kept": r["kept"], "rounds": len(r["first"])})
        if t.name in failed:
            ctx.res.note(NAME, "%s: restart rounds stopped: %s" % (t.name,
                                                                   perflib.err_text(failed[t.name])))
        if r["dn"]:
            ctx.res.add(NAME, "destroy failures right after restart", t.name, len(r["dfail"]),
                        "count", goals=[Goal("abs", "<=", 0, ["proxy", "direct"])],
                        detail={"destroys": r["dn"], "errors": r["dfail"][:5]})
        else:
            _na(ctx, "destroy failures right after restart", t, "count",
                failed.get(t.name, "no round ran"))


def _recover(t):
    """After a failed round the daemon may be dead: bring it back."""
    if t.impl == "modvirt":
        if not t.owner.pid("mvqemud"):
            t.owner.spawn("mvqemud")
    elif t.owner is not None and not t.owner.libvirtd_pid():
        t.owner.respawn()
    try:
        _first_reply(t.uri, 30).close()
    except libvirt.libvirtError:
        pass


def inode_reuse_window():
    """Seconds during which ext4 without a journal (this machine's root file
    system) will not reuse a freed inode: it skips each one, reading its
    inode table block, on every file creation in that block group
    (recently_deleted() in fs/ext4/ialloc.c, seen in perf).  Taken as
    dirty_expire_centisecs / 100 + 5 s: measured here, 2000 deletes cost
    +520 us per create at once and nothing 37 s later."""
    try:
        with open("/proc/sys/vm/dirty_expire_centisecs") as f:
            return int(f.read()) / 100.0 + 5
    except (OSError, ValueError):
        return 35.0


def _config_dir(t):
    if t.impl == "modvirt":
        found = glob.glob(os.path.join(t.owner.root, "*", "*", "etc", "modvirt", "qemu"))
        found += glob.glob(os.path.join(t.owner.root, "etc", "modvirt", "qemu"))
        return found[0] if found else None
    path = os.path.join(t.owner.dir, "etc", "qemu")
    return path if os.path.isdir(path) else None


def fs_floor(ctx, n=200):
    """What the file system alone costs a define in each daemon's config
    directory: n x (new named temporary file, 1 KiB, fsync, rename), the
    steps libvirtd takes (modvirt writes a new file unnamed, O_TMPFILE, and
    links it: one directory change instead of three).  Which block group a
    directory's files land in decides much of it here (see
    inode_reuse_window())."""
    data = b"<domain/>".ljust(1024)
    seen = set()
    for t in ctx.targets:
        key = _owner_key(t)
        d = _config_dir(t)
        if key in seen or d is None:
            continue
        seen.add(key)
        names = [os.path.join(d, "zz-floor-%d.probe" % i) for i in range(n)]
        t0 = time.perf_counter()
        for p in names:
            fd = os.open(p + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(p + ".tmp", p)
        us = (time.perf_counter() - t0) / n * 1e6
        for p in names:
            os.unlink(p)
        ctx.res.note(NAME, "file system floor of a define in %s's config directory: %.0f us "
                     "(named temporary file, write 1 KiB, fsync, rename; %d rounds)"
                     % (t.name, us, n))


def run(ctx):
    if any(t.owner is None for t in ctx.targets):
        raise NotAvailable("the domain workload needs the targets it starts itself (no --uri)")
    fs_floor(ctx)
    # The floor's own files were just deleted: see below.
    time.sleep(inode_reuse_window())
    define_batch(ctx, int(ctx.scale(1000, 200)))
    # define_batch just freed 1000 inodes in libvirtd's config directory and
    # 2000 in mvqemud's (proxy, then direct).  Until the kernel may reuse
    # them, every file created there pays ~0.25 us per freed inode (measured
    # here: +520 us per create after 2000 deletes, none 37 s later), twice
    # as much for modvirt: the next define rate would measure that window,
    # not the daemons.
    window = inode_reuse_window()
    ctx.res.note(NAME, "waited %.0f s after define_batch: ext4 (no journal) does not reuse "
                 "freed inodes for that long and skips each one on every create" % window)
    time.sleep(window)
    many_domains(ctx, ctx.args.domains if not ctx.args.quick else min(ctx.args.domains, 1000))
    run_lifecycle(ctx)
    run_restart(ctx)


if __name__ == "__main__":
    import run as runner
    runner.main(only=NAME)
