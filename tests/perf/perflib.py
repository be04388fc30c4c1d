# SPDX-License-Identifier: LGPL-2.1-or-later
"""perflib: what the benchmark workloads share.

* statistics (median, percentiles);
* per-process figures read from /proc: CPU time (the kernel's precise
  per-process clock, cross-checked with utime+stime of /proc/PID/stat) and
  memory (VmRSS, RssAnon, Threads of /proc/PID/status);
* pinning (every thread of a daemon, and the client) to one CPU;
* the machine's load;
* records (one JSON object per figure), goals and the verdict table.

The targets themselves (the peer libvirtd, the modvirt stack) are in
targets.py.
"""

import json
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))

# The client processes of a workload never print libvirt's errors on stderr:
# every error is caught and reported as a figure's reason.
try:
    import libvirt
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
except ImportError:  # pragma: no cover - run with /usr/bin/python3
    libvirt = None

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---- statistics -----------------------------------------------------------

def percentile(values, p):
    """Linear interpolation between closest ranks (p in 0..100)."""
    if not values:
        return None
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values):
    return percentile(values, 50)


def summary(values):
    """median/p99/min/max/n of a list of samples."""
    return {"median": median(values), "p99": percentile(values, 99),
            "min": min(values) if values else None,
            "max": max(values) if values else None, "n": len(values)}


# ---- processes ------------------------------------------------------------

def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError, TypeError):
        return False


def wait_gone(pid, timeout=10.0):
    end = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > end:
            return False
        time.sleep(0.002)
    return True


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def proc_comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def cpu_ns(pid):
    """CPU time (user+system, all threads, live and exited) of a process in
    ns: the clock of CLOCK_PROCESS_CPUTIME_ID for another process
    (MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)), i.e. the scheduler's
    sum_exec_runtime, which /proc/PID/stat only shows in 10 ms ticks."""
    try:
        return time.clock_gettime_ns(((~pid) << 3) | 2)
    except OSError:
        return None


def stat_ticks(pid):
    """utime+stime of /proc/PID/stat (fields 14 and 15), in clock ticks."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def mem_status(pid):
    """VmRSS and RssAnon in KiB, and Threads, from /proc/PID/status."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                    out[key] = int(val.split()[0])
    except OSError:
        return None
    return out


class CpuMeter:
    """CPU spent by a set of processes between start() and stop()."""

    def __init__(self, pids):
        """pids: a list of PIDs, or a dict name -> PID (then per-process
        figures are keyed by name)."""
        if isinstance(pids, dict):
            self.names = {p: n for n, p in pids.items() if p}
        else:
            self.names = {p: str(p) for p in pids if p}
        self.pids = list(self.names)

    def _read(self):
        return ({p: cpu_ns(p) for p in self.pids}, {p: stat_ticks(p) for p in self.pids})

    def start(self):
        self.t0 = time.monotonic()
        self.ns0, self.tk0 = self._read()
        return self

    def stop(self):
        self.t1 = time.monotonic()
        ns1, tk1 = self._read()
        self.ns = sum(ns1[p] - self.ns0[p] for p in self.pids
                      if ns1.get(p) is not None and self.ns0.get(p) is not None)
        self.ticks = sum(tk1[p] - self.tk0[p] for p in self.pids
                         if tk1.get(p) is not None and self.tk0.get(p) is not None)
        self.per_pid_ns = {self.names[p]: (ns1[p] - self.ns0[p]) for p in self.pids
                           if ns1.get(p) is not None and self.ns0.get(p) is not None}
        return self

    def us_per(self, n):
        """(precise clock, /proc/PID/stat ticks) CPU microseconds per op."""
        if not n:
            return None, None
        return self.ns / 1000.0 / n, self.ticks * 1e6 / CLK_TCK / n


def threads_of(pid):
    try:
        return [int(t) for t in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        return []


def pin_process(pid, cpu):
    """Pin every thread of a process to one CPU (threads it creates later
    inherit the mask from their creator)."""
    for tid in threads_of(pid):
        try:
            os.sched_setaffinity(tid, {cpu})
        except OSError:
            pass


def unpin_process(pid):
    allcpus = set(range(os.cpu_count()))
    for tid in threads_of(pid):
        try:
            os.sched_setaffinity(tid, allcpus)
        except OSError:
            pass


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_busy_sample():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def tree_ticks(pids):
    """CPU ticks of this process and its waited-for children, plus, for each
    given PID, utime+stime+cutime+cstime (so daemons and the children their
    holders reaped count too).  Returns {key: ticks}."""
    t = os.times()
    out = {"self": round((t.user + t.system + t.children_user + t.children_system) * CLK_TCK)}
    for pid in pids:
        if not pid:
            continue
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = sum(int(x) for x in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return out


def foreign_share(busy0, busy1, own0, own1):
    """Share of the machine's CPU used by processes outside the benchmark
    between two samples (busy jiffies minus what the benchmark used)."""
    own = sum(own1.get(k, 0) - own0.get(k, 0) for k in set(own0) | set(own1))
    total = busy1[1] - busy0[1]
    if total <= 0:
        return None
    return max(0.0, 100.0 * (busy1[0] - busy0[0] - own) / total)


def git_describe(source=SOURCE):
    """The commit a source tree is at (+dirty), or the content of its COMMIT
    file (a `git archive` snapshot), or "unknown"."""
    try:
        with open(os.path.join(source, "COMMIT")) as f:
            return f.read().strip()[:12] + " (snapshot)"
    except OSError:
        pass
    try:
        head = subprocess.run(["git", "-C", source, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", source, "status", "--porcelain", "-uno"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (head + ("+dirty" if dirty else "")) if head else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_source(build):
    """The source directory a meson build tree was configured from."""
    try:
        with open(os.path.join(build, "meson-info", "meson-info.json")) as f:
            return json.load(f)["directories"]["source"]
    except (OSError, KeyError, ValueError):
        return SOURCE


# ---- libvirt helpers ------------------------------------------------------

def err_text(exc):
    """One line describing an exception, with libvirt's error code."""
    if libvirt is not None and isinstance(exc, libvirt.libvirtError):
        return "libvirt error %s: %s" % (exc.get_error_code(), str(exc).splitlines()[0])
    return "%s: %s" % (type(exc).__name__, exc)


def unsupported(exc):
    """True when a libvirt error says the call is not implemented."""
    if libvirt is None or not isinstance(exc, libvirt.libvirtError):
        return False
    return exc.get_error_code() in (libvirt.VIR_ERR_NO_SUPPORT,
                                    libvirt.VIR_ERR_RPC,
                                    libvirt.VIR_ERR_OPERATION_UNSUPPORTED)


def domain_xml(name, extra_devices=""):
    """The minimal KVM domain of peer-baseline.md (no disk, no NIC)."""
    return ("<domain type='kvm'><name>%s</name><memory unit='MiB'>64</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
            "<devices>%s</devices></domain>" % (name, extra_devices))


# ---- records, goals, the table --------------------------------------------

class Goal:
    """A target of the issues.

    kind "ratio": value(target) / value(libvirtd) OP limit, for the listed
    targets.  kind "abs": value(target) OP limit (in the figure's unit).
    """

    def __init__(self, kind, op, limit, targets, label=None):
        self.kind, self.op, self.limit, self.targets = kind, op, limit, tuple(targets)
        self.label = label

    def describe(self):
        if self.label:
            return self.label
        if self.kind == "ratio":
            return "%s %s%gx" % ("/".join(self.targets), self.op, self.limit)
        return "%s %s%g" % ("/".join(self.targets), self.op, self.limit)

    def check(self, x):
        return x <= self.limit if self.op == "<=" else x >= self.limit


class Results:
    """Figures of one run: printed as a table, written as JSON lines."""

    TARGETS = ("libvirtd", "proxy", "direct")

    def __init__(self, meta, out=None):
        self.meta = meta
        self.rows = []          # (workload, metric) in order of first appearance
        self.values = {}        # (workload, metric) -> {target: record}
        self.goals = {}         # (workload, metric) -> [Goal]
        self.units = {}
        self.notes = []
        self.out = open(out, "a") if out else None
        self._write(dict(kind="run", **meta))

    def _write(self, obj):
        if self.out:
            self.out.write(json.dumps(obj, sort_keys=True) + "\n")
            self.out.flush()

    def add(self, workload, metric, target, value, unit, na=None, goals=(), detail=None):
        """One figure; value None requires na (the reason)."""
        key = (workload, metric)
        if key not in self.values:
            self.rows.append(key)
            self.values[key] = {}
            self.goals[key] = list(goals)
            self.units[key] = unit
        elif goals and not self.goals[key]:
            self.goals[key] = list(goals)
        if value is None and not na:
            na = "no figure"
        rec = dict(kind="figure", run=self.meta["run_id"], workload=workload, metric=metric,
                   target=target, unit=unit, value=value, na=na, detail=detail or {},
                   pinned=self.meta["pinned"], load=loadavg())
        self.values[key][target] = rec
        self._write(rec)
        v = "n/a (%s)" % na if value is None else fmt(value)
        print("  %-8s %-44s %-9s %s" % (target, metric, unit, v), flush=True)

    def note(self, workload, text):
        self.notes.append((workload, text))
        self._write(dict(kind="note", run=self.meta["run_id"], workload=workload, text=text))
        print("  note: %s" % text, flush=True)

    def verdicts(self, key):
        out = []
        vals = self.values[key]
        base = vals.get("libvirtd", {}).get("value")
        for g in self.goals[key]:
            for t in g.targets:
                rec = vals.get(t)
                if rec is None or rec["value"] is None:
                    out.append((g, t, None, "n/a"))
                    continue
                if g.kind == "ratio":
                    if not base:
                        out.append((g, t, None, "n/a"))
                        continue
                    x = rec["value"] / base
                else:
                    x = rec["value"]
                out.append((g, t, x, "PASS" if g.check(x) else "MISS"))
        return out

    def table(self):
        lines = []
        hdr = "%-8s %-40s %-6s %14s %20s %20s  %s" % (
            "workload", "figure", "unit", "libvirtd", "proxy (ratio)", "direct (ratio)",
            "target: verdict")
        lines.append(hdr)
        lines.append("-" * len(hdr))
        summary_counts = {"PASS": 0, "MISS": 0, "n/a": 0}
        for key in self.rows:
            vals = self.values[key]
            base = vals.get("libvirtd", {}).get("value")
            cells = []
            for t in self.TARGETS:
                rec = vals.get(t)
                if rec is None:
                    cells.append("-")
                elif rec["value"] is None:
                    cells.append("n/a")
                elif t != "libvirtd" and base:
                    cells.append("%s (%.2fx)" % (fmt(rec["value"]), rec["value"] / base))
                else:
                    cells.append(fmt(rec["value"]))
            verdicts = []
            for g, t, x, v in self.verdicts(key):
                summary_counts[v] += 1
                shown = "" if x is None else (" %.2fx" % x if g.kind == "ratio" else " %s" % fmt(x))
                what = g.describe() if g.label else (
                    "%s%s%g%s" % (t, g.op, g.limit, "x" if g.kind == "ratio" else ""))
                verdicts.append("%s%s %s" % (what, shown, v))
            lines.append("%-8s %-40s %-6s %14s %20s %20s  %s" % (
                key[0], key[1][:40], self.units[key], cells[0], cells[1], cells[2],
                "; ".join(verdicts)))
        for key in self.rows:
            for t in self.TARGETS:
                rec = self.values[key].get(t)
                if rec is not None and rec["value"] is None:
                    lines.append("  n/a %s / %s / %s: %s" % (key[0], key[1], t, rec["na"]))
        lines.append("targets: %(PASS)d PASS, %(MISS)d MISS, %(n/a)d n/a" % summary_counts)
        for key in self.rows:
            for g, t, x, v in self.verdicts(key):
                self._write(dict(kind="verdict", run=self.meta["run_id"], workload=key[0],
                                 metric=key[1], target=t, goal=g.describe(), ratio_or_value=x,
                                 verdict=v, pinned=self.meta["pinned"]))
        return "\n".join(lines), summary_counts

    def close(self):
        if self.out:
            self.out.close()
            self.out = None


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, int):
        return str(v)
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.2f" % v
    return "%.3f" % v
