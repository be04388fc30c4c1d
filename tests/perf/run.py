#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""run.py: modvirt's benchmark against Debian's libvirtd 9.0, in one run.

    /usr/bin/python3 tests/perf/run.py [--only spine|domains|storage] [--pinned]
                                       [--out results.jsonl] [--build DIR]

Starts the peer libvirtd (shared/peer/peer-start.sh) and a private modvirt
stack (the build tree's daemons, MODVIRT_ROOT in a temporary directory),
runs each workload against libvirtd, modvirt through the proxy and modvirt
direct to mvqemud, prints a table of the figures with their ratio to
libvirtd's and the issues' targets (PASS/MISS), and writes JSON lines.
Everything it started is stopped on the way out, on failure too.

Not a pass/fail test: the exit status is 0 when every workload ran (whatever
the verdicts), 1 when one could not run at all, 2 on bad usage.
"""

import argparse
import importlib
import os
import signal
import sys
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import perflib  # noqa: E402
import targets as targets_mod  # noqa: E402

WORKLOADS = ("spine", "domains", "storage")


class Context:
    """What a workload gets: the targets, the run's options, the results."""

    def __init__(self, args, res, peer, modvirt, tlist):
        self.args = args
        self.res = res
        self.peer = peer
        self.modvirt = modvirt
        self.targets = tlist
        self.pinned = args.pinned
        self.cpu = args.cpu

    def scale(self, full, quick):
        return quick if self.args.quick else full

    def has(self, name):
        return any(t.name == name for t in self.targets)

    def target(self, name):
        return next((t for t in self.targets if t.name == name), None)

    def own_pids(self):
        """Every long-lived process of the benchmark (for the foreign-load
        estimate): daemons, the holders, virtlogd."""
        pids = []
        for t in self.targets:
            pids += list(t.daemon_pids().values())
        if self.peer is not None:
            pids += [self.peer.holder_pid(), self.peer.virtlogd_pid()]
        if self.modvirt is not None and self.modvirt.holder is not None:
            pids.append(self.modvirt.holder.pid)
        return sorted(set(p for p in pids if p))

    def pin_daemons(self):
        """In a pinned run, (re)pin every daemon thread to the chosen CPU
        (after a restart, the new daemon needs it again)."""
        if not self.pinned:
            return
        for t in self.targets:
            for pid in t.daemon_pids().values():
                perflib.pin_process(pid, self.cpu)


def parse_args(argv, only=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=WORKLOADS, action="append",
                   help="run only this workload (repeatable)")
    p.add_argument("--pinned", action="store_true",
                   help="pin the daemons (all threads) and the client to one CPU")
    p.add_argument("--cpu", type=int, default=0, help="the CPU of --pinned (default 0)")
    p.add_argument("--out", help="append JSON lines to this file")
    p.add_argument("--build", default=os.environ.get(
        "MODVIRT_BUILD_ROOT", os.path.join(perflib.SOURCE, "build")),
        help="the modvirt build tree (default: $MODVIRT_BUILD_ROOT or build/)")
    p.add_argument("--peer-dir", default=os.environ.get("PEER_DIR", "/tmp/mvbench-peer"),
                   help="PEER_DIR of the peer libvirtd (kept between runs: warm caches)")
    p.add_argument("--targets", default="libvirtd,proxy,direct",
                   help="comma-separated subset of libvirtd,proxy,direct")
    p.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    p.add_argument("--keep", action="store_true", help="keep the MODVIRT_ROOT directory's files")
    p.add_argument("--modvirt-dir", default="/tmp/mvbench-modvirt",
                   help="modvirt's MODVIRT_ROOT, kept between runs like the peer directory")
    p.add_argument("--uri", help="benchmark this endpoint alone (no peer, no stack)")
    p.add_argument("--pid", type=int, action="append", default=[],
                   help="with --uri: daemon PIDs whose CPU and RSS to read")
    p.add_argument("--domains", type=int, default=10000,
                   help="domains workload: how many domains to define (default 10000)")
    args = p.parse_args(argv)
    if only:
        args.only = [only]
    if not args.only:
        args.only = list(WORKLOADS)
    return args


def _on_signal(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None, only=None):
    args = parse_args(sys.argv[1:] if argv is None else argv, only)
    if perflib.libvirt is None:
        sys.exit("python3-libvirt is missing: run with /usr/bin/python3")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if args.pinned:
        os.sched_setaffinity(0, {args.cpu})
    else:
        os.sched_setaffinity(0, set(range(os.cpu_count())))

    meta = {"run_id": uuid.uuid4().hex[:8], "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "pinned": args.pinned, "cpu": args.cpu if args.pinned else None,
            "workloads": args.only, "build": os.path.abspath(args.build),
            "git": perflib.git_describe(perflib.build_source(args.build)), "machine": targets_mod.describe_machine(),
            "load_start": perflib.loadavg(), "quick": args.quick}
    print("modvirt benchmark run %(run_id)s, %(started)s, git %(git)s, %(machine)s" % meta)
    print("pinned: %s; load average at start: %s" % (
        ("CPU %d" % args.cpu) if args.pinned else "no", meta["load_start"]), flush=True)
    res = perflib.Results(meta, args.out)

    peer = modvirt = None
    wanted = args.targets.split(",")
    failed = []
    try:
        tlist = []
        if args.uri:
            pids = list(args.pid)
            tlist.append(targets_mod.Target("libvirtd", "any", args.uri,
                                            lambda: {"pid%d" % p: p for p in pids}, None))
        else:
            if "libvirtd" in wanted:
                peer = targets_mod.Peer(args.peer_dir)
                print("starting the peer libvirtd in %s" % args.peer_dir, flush=True)
                peer.start()
                tlist += peer.targets()
            if "proxy" in wanted or "direct" in wanted:
                print("starting modvirt from %s" % args.build, flush=True)
                modvirt = targets_mod.ModvirtStack(args.build, keep=args.keep,
                                                   root=args.modvirt_dir)
                modvirt.start_all()
                tlist += [t for t in modvirt.targets() if t.name in wanted]
                for d, why in modvirt.missing.items():
                    res.note("setup", "%s not running: %s" % (d, why))
        ctx = Context(args, res, peer, modvirt, tlist)
        ctx.pin_daemons()
        for name in args.only:
            mod = importlib.import_module("wl_" + name)
            busy0 = perflib.cpu_busy_sample()
            pids0 = ctx.own_pids()
            own0 = perflib.tree_ticks(pids0)
            t0 = time.monotonic()
            print("\n== %s (load %s) ==" % (name, perflib.loadavg()), flush=True)
            try:
                mod.run(ctx)
            except KeyboardInterrupt:
                raise
            except Exception as e:
                failed.append(name)
                res.note(name, "workload aborted: %s" % perflib.err_text(e))
                traceback.print_exc()
            busy1 = perflib.cpu_busy_sample()
            own1 = perflib.tree_ticks(sorted(set(pids0) | set(ctx.own_pids())))
            share = 100.0 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
            foreign = perflib.foreign_share(busy0, busy1, own0, own1)
            res.note(name, "%.0f s; load average %s (includes the benchmark's own clients); "
                     "machine CPU busy %.0f%%, of which other processes ~%s%%"
                     % (time.monotonic() - t0, perflib.loadavg(), share,
                        "?" if foreign is None else "%.0f" % foreign))
    except KeyboardInterrupt as e:
        print("interrupted (%s); stopping everything" % e, flush=True)
        failed.append("interrupted")
    except Exception as e:
        print("setup failed: %s" % perflib.err_text(e), flush=True)
        traceback.print_exc()
        failed.append("setup")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if modvirt is not None:
            modvirt.cleanup()
        if peer is not None:
            peer.stop()
            peer.release()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    text, counts = res.table()
    print("\n" + text)
    for w, n in res.notes:
        print("note [%s]: %s" % (w, n))
    print("load average at end: %s" % perflib.loadavg())
    res.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
