#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wl_spine: the cheap-call spine of the benchmark.

* latency p50/p99 of getLibVersion and getHostname (one client), with the
  CPU all daemon processes spend per call;
* throughput with 1, 8 and 32 clients, each on its own connection, as
  processes and as threads, with CPU per call;
* connection open+close;
* idle RSS of each daemon;
* the machine's floor: a message and its answer between two processes over
  a unix socketpair (tests/perf/pingpong.c, pinned like the run), which a
  direct call makes once and a call through the proxy twice, before any
  client or daemon code runs; and the same through a relay that only
  copies, in user space and in the kernel (BPF sockmap): the least any
  proxy adds;
* the floor for this client (pinned runs): the same latency and open+close
  workloads against perf-floor (tests/perf/floor.c), a server that only
  sends fixed replies ("direct" column of the "(floor)" rows) and the same
  behind a relay that only copies ("proxy" column): the least a daemon, and
  a proxy in front of it, can cost python3-libvirt on this machine.

Alone: wl_spine.py [run.py options] (= run.py --only spine), or
wl_spine.py --uri URI [--pid PID ...] against any endpoint (figures only).
"""

import json
import multiprocessing
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import perflib
from perflib import Goal, libvirt
from targets import Target

NAME = "spine"
CALLS = ("getLibVersion", "getHostname")
CLIENTS = (1, 8, 32)
MODES = ("processes", "threads")


def measure_latency(target, call, n, warm):
    conn = target.open()
    try:
        fn = getattr(conn, call)
        for _ in range(warm):
            fn()
        meter = perflib.CpuMeter(target.daemon_pids()).start()
        clock = time.perf_counter_ns
        times = []
        for _ in range(n):
            t = clock()
            fn()
            times.append(clock() - t)
        meter.stop()
    finally:
        conn.close()
    return [t / 1000.0 for t in times], meter


def _client(uri, call, ready, go, window, results, idx):
    """One throughput client: connect, wait for the start, count the calls
    that complete inside [start, end)."""
    conn = None
    err = None
    try:
        conn = libvirt.open(uri)
        getattr(conn, call)()
    except Exception as e:  # reported, never raised past the barrier
        err = perflib.err_text(e)
    try:
        ready.wait(120)
        go.wait(120)
    except threading.BrokenBarrierError:
        err = err or "barrier broken"
    n = 0
    if err is None:
        fn = getattr(conn, call)
        start, end = window[0], window[1]
        while time.monotonic() < start:
            time.sleep(0.0005)
        try:
            while True:
                fn()
                now = time.monotonic()
                if now >= end:
                    break
                n += 1
        except Exception as e:
            err = perflib.err_text(e)
    if conn is not None:
        try:
            conn.close()
        except libvirt.libvirtError:
            pass
    results.put((idx, n, err))


def measure_throughput(target, call, nclients, mode, dur):
    """Calls/s of nclients clients for dur seconds; CPU us per call."""
    if mode == "processes":
        mp = multiprocessing.get_context("fork")
        ready, go = mp.Barrier(nclients + 1), mp.Barrier(nclients + 1)
        window = mp.Array("d", 2, lock=False)
        results = mp.Queue()
        workers = [mp.Process(target=_client, args=(target.uri, call, ready, go, window,
                                                     results, i)) for i in range(nclients)]
    else:
        import queue
        ready, go = threading.Barrier(nclients + 1), threading.Barrier(nclients + 1)
        window = [0.0, 0.0]
        results = queue.Queue()
        workers = [threading.Thread(target=_client, args=(target.uri, call, ready, go, window,
                                                           results, i)) for i in range(nclients)]
    for w in workers:
        w.start()
    meter = perflib.CpuMeter(target.daemon_pids())
    try:
        ready.wait(120)
        start = time.monotonic() + 0.1
        window[0], window[1] = start, start + dur
        go.wait(120)
        time.sleep(max(0.0, start - time.monotonic()))
        meter.start()
        time.sleep(max(0.0, start + dur - time.monotonic()))
        meter.stop()
    except threading.BrokenBarrierError:
        pass
    counts, errors = [], []
    for _ in workers:
        idx, n, err = results.get(timeout=180)
        counts.append(n)
        if err:
            errors.append(err)
    for w in workers:
        w.join(60)
    if errors:
        raise RuntimeError("%d of %d clients failed: %s" % (len(errors), nclients, errors[0]))
    total = sum(counts)
    return {"rate": total / dur, "calls": total, "fairness": min(counts) / max(counts)
            if max(counts) else 0.0, "cpu_us": meter.us_per(total)[0],
            "cpu_us_stat": meter.us_per(total)[1]}


def measure_connect(target, n, warm):
    for _ in range(warm):
        target.open().close()
    meter = perflib.CpuMeter(target.daemon_pids()).start()
    clock = time.perf_counter_ns
    times = []
    for _ in range(n):
        t = clock()
        c = libvirt.open(target.uri)
        c.close()
        times.append(clock() - t)
    meter.stop()
    return [t / 1000.0 for t in times], meter


def read_rss(ctx):
    out = {}
    for t in ctx.targets:
        for name, pid in t.daemon_pids().items():
            out[name] = perflib.mem_status(pid)
    return out


def idle_rss(ctx):
    """Each daemon's VmRSS, idle: (1) at least 3 s after its start, when the
    only client so far was the readiness check (open+close); (2) after one
    client made the first calls on every target (open, getVersion,
    getHostname, getLibVersion, close: caches such a call fills are loaded),
    then 3 s idle."""
    settle = ctx.scale(3.0, 1.0)
    owners = [o for o in (ctx.peer, ctx.modvirt) if o is not None]
    latest = max([getattr(o, "started_at", 0.0) for o in owners] or [0.0])
    time.sleep(max(0.0, latest + settle - time.monotonic()))
    fresh = read_rss(ctx)
    for t in ctx.targets:
        c = t.open()
        c.getVersion()
        c.getHostname()
        c.getLibVersion()
        c.close()
    time.sleep(settle)
    return fresh, read_rss(ctx)


def record_rss(ctx, rss, label, goals):
    base = rss.get("libvirtd")
    if base and ctx.has("libvirtd"):
        for name in ("mvproxyd", "mvqemud", "mvstoraged", "mvnetworkd", "all modvirt"):
            ctx.res.add(NAME, "RSS %s (%s)" % (name, label), "libvirtd", base["VmRSS"] / 1024.0,
                        "MiB", detail=base)
    total = 0
    for name in ("mvproxyd", "mvqemud", "mvstoraged", "mvnetworkd"):
        m = rss.get(name)
        if not ctx.modvirt:
            break
        if m is None:
            reason = ctx.modvirt.missing.get(name, "%s is not running" % name)
            ctx.res.add(NAME, "RSS %s (%s)" % (name, label), "proxy", None, "MiB", na=reason,
                        goals=goals)
            continue
        total += m["VmRSS"]
        ctx.res.add(NAME, "RSS %s (%s)" % (name, label), "proxy", m["VmRSS"] / 1024.0, "MiB",
                    goals=goals, detail=m)
    if ctx.modvirt:
        ctx.res.add(NAME, "RSS all modvirt (%s)" % label, "proxy", total / 1024.0, "MiB")


def _pingpong(ctx, *args):
    """perf-pingpong in the build tree, pinned like the run: its JSON, the
    best (least wall time) of three runs, as anything else that runs on the
    CPU meanwhile only adds to a floor."""
    exe = os.path.join(ctx.args.build, "tests", "perf-pingpong")
    cmd = [exe] + list(args) + [str(int(ctx.scale(100000, 30000)))]
    if ctx.pinned:
        cmd = ["taskset", "-c", str(ctx.cpu)] + cmd
    runs = []
    for _ in range(3):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
        runs.append(json.loads(r.stdout))
    return min(runs, key=lambda x: x["round_trip_us"])


def hop_floor(ctx):
    """The machine's floor of a call: a bare round trip, and one through a
    relay that does nothing but copy (in user space, and in the kernel with
    a BPF sockmap), the least any proxy adds: notes only."""
    where = "pinned to CPU %d" % ctx.cpu if ctx.pinned else "unpinned"
    try:
        f = _pingpong(ctx)
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        ctx.res.note(NAME, "machine floor not measured: %s" % perflib.err_text(e))
        return
    ctx.res.note(NAME, "machine floor (%s): a 28-byte message and its answer between two "
                 "processes on a socketpair: %.1f us wall, %.1f us CPU of both; a direct call "
                 "makes one such round trip, a call through the proxy two"
                 % (where, f["round_trip_us"], f["cpu_us"]))
    relays = []
    for kind, label in (("user", "a process that polls and copies"),
                        ("sockmap", "the kernel, a BPF sockmap redirect")):
        try:
            r = _pingpong(ctx, "--relay", kind)
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            relays.append("%s: not measured (%s)" % (label, perflib.err_text(e)))
            continue
        text = "%s: %.1f us wall" % (label, r["round_trip_us"])
        if kind == "user":
            text += ", %.1f us CPU of the relay itself" % (r["cpu_us"] - f["cpu_us"])
        relays.append(text)
    ctx.res.note(NAME, "relay floor (%s): the same round trip with a relay in the middle that "
                 "only copies, the least any proxy costs: %s" % (where, "; ".join(relays)))


class Floor:
    """perf-floor's server and relay (floor.c), pinned like the run, as
    targets named like the modvirt endpoints they bound: "direct" (the
    server) and "proxy" (the relay in front of it).  Each serves one client
    at a time: only the single-client workloads use them."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.dir = tempfile.mkdtemp(prefix="mvbench-floor-")
        self.procs = {}

    def _spawn(self, name, *args):
        cmd = [os.path.join(self.ctx.args.build, "tests", "perf-floor")] + list(args)
        if self.ctx.pinned:
            cmd = ["taskset", "-c", str(self.ctx.cpu)] + cmd
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.procs[name] = proc
        # stop() kills it if it does not say "ready" within 10 s.
        if not select.select([proc.stdout], [], [], 10)[0]:
            raise RuntimeError("%s did not start within 10 s" % name)
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError("%s did not start (it said %r, exit status %s)"
                               % (name, line, proc.poll()))

    def start(self):
        serve = os.path.join(self.dir, "serve.sock")
        relay = os.path.join(self.dir, "relay.sock")
        self._spawn("perf-floor serve", "serve", serve)
        self._spawn("perf-floor relay", "relay", relay, serve)
        uri = "qemu+unix:///system?socket=%s"
        both = {n: p.pid for n, p in self.procs.items()}
        serve_only = {"perf-floor serve": both["perf-floor serve"]}
        return (Target("direct", "floor", uri % serve, lambda: serve_only, self),
                Target("proxy", "floor", uri % relay, lambda: both, self))

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def floor_row(ctx, metric, floor_targets, value_fn, unit):
    """The row "METRIC (floor)": libvirtd's figure for METRIC again, and
    value_fn(target) of the floor's server ("direct") and relay ("proxy")."""
    if not floor_targets:
        return
    base = ctx.res.values.get((NAME, metric), {}).get("libvirtd")
    row = metric + " (floor)"
    if base and base["value"] is not None:
        ctx.res.add(NAME, row, "libvirtd", base["value"], unit, detail={"same as": metric})
    for t in floor_targets:
        try:
            value, detail = value_fn(t)
        except Exception as e:
            ctx.res.add(NAME, row, t.name, None, unit, na=perflib.err_text(e))
            continue
        ctx.res.add(NAME, row, t.name, value, unit, detail=detail)


def floor_vs_targets(ctx):
    """A note per target that modvirt misses and whose limit the floor
    itself does not reach either (the table shows both).  The floor's
    server is not always ahead of mvqemud: it blocks in read(), and the
    scheduler treats the two differently."""
    for key in ctx.res.rows:
        floor = ctx.res.values.get((key[0], key[1] + " (floor)"))
        if key[0] != NAME or not floor or "libvirtd" not in floor:
            continue
        base = floor["libvirtd"]["value"]
        for g, t, x, verdict in ctx.res.verdicts(key):
            rec = floor.get(t)
            if g.kind != "ratio" or not base or not rec or rec["value"] is None:
                continue
            fx = rec["value"] / base
            if x is not None and not g.check(x) and not g.check(fx):
                ctx.res.note(NAME, "%s, %s: the target %s%gx is out of reach here: a %s that "
                             "does nothing reaches only %.2fx of libvirtd's %s (modvirt: %.2fx)"
                             % (key[1], t, g.op, g.limit,
                                "relay in front of a server" if t == "proxy" else "server",
                                fx, perflib.fmt(base), x))


def run(ctx):
    fresh, used = idle_rss(ctx)
    rss_goal = [Goal("ratio", "<=", 0.5, ["proxy"])]
    record_rss(ctx, fresh, "idle", rss_goal)
    record_rss(ctx, used, "idle, after 1st calls", rss_goal)
    # Once the daemons are idle (mvqemud's first capabilities probe, which
    # starts QEMU, is over), right before the calls it is compared with.
    hop_floor(ctx)
    # Pinned only: unpinned, a wake-up costs what the other vCPU's sleep
    # state makes it, and blocking processes that do nothing fare worse
    # than modvirt's daemons, so they would bound nothing.
    floor = Floor(ctx) if ctx.pinned else None
    floor_targets = []
    try:
        try:
            floor_targets = floor.start() if floor else []
        except Exception as e:  # the spine goes on without the floor
            ctx.res.note(NAME, "floor for this client not measured: %s" % perflib.err_text(e))
        run_calls(ctx, floor_targets)
    finally:
        if floor:
            floor.stop()
    floor_vs_targets(ctx)

    rss = {}
    for t in ctx.targets:
        for name, pid in t.daemon_pids().items():
            rss[name] = perflib.mem_status(pid)
    record_rss(ctx, rss, "after spine", [])


def run_calls(ctx, floor_targets):
    pinned = ctx.pinned
    n_lat = int(ctx.scale(3000, 800))
    warm = int(ctx.scale(300, 100))

    for call in CALLS:
        p50_goals = [Goal("ratio", "<=", 0.33, ["direct"])]
        if pinned:
            p50_goals.insert(0, Goal("ratio", "<=", 0.5, ["proxy"]))
        for t in ctx.targets:
            try:
                times, meter = measure_latency(t, call, n_lat, warm)
            except Exception as e:
                for m in ("p50", "p99", "CPU/call"):
                    ctx.res.add(NAME, "%s %s" % (call, m), t.name, None, "us",
                                na=perflib.err_text(e))
                continue
            cpu, cpu_stat = meter.us_per(n_lat)
            ctx.res.add(NAME, "%s p50" % call, t.name, perflib.percentile(times, 50), "us",
                        goals=p50_goals, detail=perflib.summary(times))
            ctx.res.add(NAME, "%s p99" % call, t.name, perflib.percentile(times, 99), "us")
            ctx.res.add(NAME, "%s CPU/call" % call, t.name, cpu, "us",
                        goals=[Goal("ratio", "<=", 0.5, ["proxy"])],
                        detail={"stat_ticks_us": cpu_stat, "per_pid_ns": meter.per_pid_ns,
                                "calls": n_lat})
        cpu_of = {}

        def latency(t):
            try:
                times, meter = measure_latency(t, call, n_lat, warm)
            except Exception as e:
                cpu_of[t.name] = e
                raise
            cpu_of[t.name] = meter.us_per(n_lat)[0]
            return perflib.percentile(times, 50), {"summary": perflib.summary(times),
                                                   "per_pid_ns": meter.per_pid_ns}
        floor_row(ctx, "%s p50" % call, floor_targets, latency, "us")

        def cpu(t):
            if isinstance(cpu_of[t.name], Exception):
                raise cpu_of[t.name]
            return cpu_of[t.name], {}
        floor_row(ctx, "%s CPU/call" % call, floor_targets, cpu, "us")

    dur = ctx.scale(2.0, 1.0)
    reps = int(ctx.scale(3, 2))
    call = "getLibVersion"
    for nclients in CLIENTS:
        for mode in MODES:
            samples = {t.name: [] for t in ctx.targets}
            failed = {}
            for _ in range(reps):
                for t in ctx.targets:
                    if t.name in failed:
                        continue
                    try:
                        samples[t.name].append(measure_throughput(t, call, nclients, mode, dur))
                    except Exception as e:
                        failed[t.name] = perflib.err_text(e)
            metric = "%s %d client%s (%s)" % (call, nclients, "s" if nclients > 1 else "", mode)
            goals = [Goal("ratio", ">=", 1.5, ["proxy"])] if nclients == 32 else []
            for t in ctx.targets:
                s = samples[t.name]
                if t.name in failed or not s:
                    ctx.res.add(NAME, metric, t.name, None, "call/s",
                                na=failed.get(t.name, "no sample"))
                    ctx.res.add(NAME, metric + " CPU/call", t.name, None, "us",
                                na=failed.get(t.name, "no sample"))
                    continue
                rates = [x["rate"] for x in s]
                ctx.res.add(NAME, metric, t.name, perflib.median(rates), "call/s", goals=goals,
                            detail={"reps": s, "min": min(rates), "max": max(rates),
                                    "seconds": dur})
                ctx.res.add(NAME, metric + " CPU/call", t.name,
                            perflib.median([x["cpu_us"] for x in s]), "us",
                            goals=[Goal("ratio", "<=", 0.5, ["proxy"])])

    n_conn = int(ctx.scale(500, 150))
    for t in ctx.targets:
        try:
            times, meter = measure_connect(t, n_conn, 20)
        except Exception as e:
            ctx.res.add(NAME, "open+close p50", t.name, None, "us", na=perflib.err_text(e))
            continue
        ctx.res.add(NAME, "open+close p50", t.name, perflib.percentile(times, 50), "us",
                    goals=[Goal("ratio", "<=", 0.5, ["proxy"])], detail=perflib.summary(times))
        ctx.res.add(NAME, "open+close p99", t.name, perflib.percentile(times, 99), "us")
        ctx.res.add(NAME, "open+close CPU", t.name, meter.us_per(n_conn)[0], "us",
                    detail={"stat_ticks_us": meter.us_per(n_conn)[1],
                            "per_pid_ns": meter.per_pid_ns})

    def connect(t):
        times, meter = measure_connect(t, n_conn, 20)
        return perflib.percentile(times, 50), {"summary": perflib.summary(times),
                                               "cpu_us": meter.us_per(n_conn)[0]}
    floor_row(ctx, "open+close p50", floor_targets, connect, "us")


if __name__ == "__main__":
    import run as runner
    runner.main(only=NAME)
