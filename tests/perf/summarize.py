#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""summarize.py: several runs of run.py side by side.

    summarize.py A.jsonl B.jsonl ... [--metric SUBSTRING]

For each figure: every run's value for libvirtd, and the ratio of modvirt's
(proxy, direct) to libvirtd's of the same run, then the range of the ratios.
Runs are labelled by their JSON file name and whether they were pinned.
"""

import argparse
import json
import os
import sys


def load(path):
    meta, figs = None, {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "run" and meta is None:
                meta = r
            elif r.get("kind") == "figure":
                figs.setdefault((r["workload"], r["metric"]), {})[r["target"]] = r
    return meta or {}, figs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--metric", help="only figures whose name contains this")
    args = p.parse_args()
    runs = [(os.path.basename(f).rsplit(".", 1)[0], *load(f)) for f in args.files]
    keys = []
    for _, _, figs in runs:
        for k in figs:
            if k not in keys and (not args.metric or args.metric in k[1]):
                keys.append(k)
    for name, meta, _ in runs:
        print("%s: run %s, %s, pinned=%s, load at start %s" % (
            name, meta.get("run_id"), meta.get("git"), meta.get("pinned"),
            meta.get("load_start")))
    for k in keys:
        print("\n%s / %s" % k)
        ratios = {"proxy": [], "direct": []}
        for name, meta, figs in runs:
            vals = figs.get(k, {})
            base = vals.get("libvirtd", {}).get("value")
            cells = []
            for t in ("libvirtd", "proxy", "direct"):
                rec = vals.get(t)
                if rec is None:
                    continue
                v = rec["value"]
                if v is None:
                    cells.append("%s n/a" % t)
                elif t != "libvirtd" and base:
                    ratios[t].append(v / base)
                    cells.append("%s %.4g (%.2fx)" % (t, v, v / base))
                else:
                    cells.append("%s %.4g" % (t, v))
            print("  %-28s %s%s" % (name[:28], "; ".join(cells),
                                    "  [pinned]" if meta.get("pinned") else ""))
        for t, rs in ratios.items():
            if rs:
                print("  %s ratio range %.2f-%.2fx over %d runs" % (t, min(rs), max(rs), len(rs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
