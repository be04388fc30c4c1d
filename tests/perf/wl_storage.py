#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wl_storage: storage workloads.

* dir pool: qcow2 (1 GiB) volume create rate; listAllVolumes (with the
  daemons' CPU per call) and refresh of a pool with 1,000 volumes; upload
  and download of a 256 MiB raw volume through streams (content checked by
  sha256);
* iscsi-direct (a private tgtd on loopback): create -> running of a guest
  whose disk is a volume of the pool, against the same guest without a disk
  (what the disk adds), and restart -> first reply with it running.

Alone: wl_storage.py [run.py options] (= run.py --only storage).
"""

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

import perflib
import wl_domains
from perflib import Goal, libvirt

NAME = "storage"
STREAM_BYTES = 256 * 1024 * 1024
IQN = "iqn.2026-11.org.modvirt.bench"


def _na(ctx, metric, t, unit, why, goals=()):
    text = perflib.err_text(why) if isinstance(why, BaseException) else str(why)
    ctx.res.add(NAME, metric, t.name, None, unit, na=text, goals=goals)


def _vol_xml(name, fmt, capacity, unit):
    return ("<volume><name>%s</name><capacity unit='%s'>%d</capacity>"
            "<allocation>0</allocation><target><format type='%s'/></target></volume>"
            % (name, unit, capacity, fmt))


class DirPool:
    """One dir pool per target (proxy and direct share mvstoraged, but not
    their pools)."""

    def __init__(self, ctx, t):
        self.t = t
        self.name = "%s-dir-%s" % (wl_domains._tag(ctx), t.name)
        self.path = os.path.join(t.owner.pool_base(), self.name)
        self.conn = t.open_storage()
        self.pool = None

    def setup(self):
        xml = ("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>"
               % (self.name, self.path))
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        self.pool.build(0)
        self.pool.create(0)

    def teardown(self):
        if self.pool is not None:
            try:
                if self.pool.isActive():
                    self.pool.destroy()
            except libvirt.libvirtError:
                pass
            try:
                self.pool.undefine()
            except libvirt.libvirtError:
                pass
        shutil.rmtree(self.path, ignore_errors=True)
        self.conn.close()


def dir_pool(ctx):
    n_rate = int(ctx.scale(200, 50))
    n_list = int(ctx.scale(1000, 200))
    pools, failed = {}, {}
    for t in ctx.targets:
        try:
            p = DirPool(ctx, t)
            pools[t.name] = p
            p.setup()
        except Exception as e:
            failed[t.name] = e
    try:
        create_rate(ctx, pools, failed, n_rate)
        list_refresh(ctx, pools, failed, n_rate, n_list)
        streams(ctx, pools, failed)
    finally:
        for p in pools.values():
            p.teardown()


def create_rate(ctx, pools, failed, n):
    secs = {name: 0.0 for name in pools}
    lat = {name: [] for name in pools}
    for chunk in range(0, n, 25):
        for t in ctx.targets:
            if t.name in failed:
                continue
            p = pools[t.name]
            try:
                for i in range(chunk, min(n, chunk + 25)):
                    t0 = time.perf_counter()
                    p.pool.createXML(_vol_xml("v%04d.qcow2" % i, "qcow2", 1, "G"), 0)
                    dt = time.perf_counter() - t0
                    secs[t.name] += dt
                    lat[t.name].append(dt * 1e3)
            except Exception as e:
                failed[t.name] = e
    for t in ctx.targets:
        metric = "qcow2 volume create rate (%d)" % n
        if t.name in failed:
            _na(ctx, metric, t, "/s", failed[t.name])
            continue
        ctx.res.add(NAME, metric, t.name, n / secs[t.name], "/s",
                    goals=[Goal("ratio", ">=", 2.0, ["proxy"])],
                    detail={"latency_ms": perflib.summary(lat[t.name])})


def list_refresh(ctx, pools, failed, have, n):
    for t in ctx.targets:
        lm, rm = "listAllVolumes (%d)" % n, "pool refresh (%d)" % n
        if t.name in failed:
            _na(ctx, lm, t, "ms", failed[t.name])
            _na(ctx, rm, t, "ms", failed[t.name])
            continue
        p = pools[t.name]
        try:
            # The rest of the volumes are copies of the first one's file
            # (a 1 GiB qcow2 with metadata only), found by a refresh.
            src = os.path.join(p.path, "v0000.qcow2")
            for i in range(have, n):
                shutil.copyfile(src, os.path.join(p.path, "v%04d.qcow2" % i))
            p.pool.refresh(0)
            lt, rt = [], []
            # The daemons' CPU apart: most of the wall time is the client's
            # (python-libvirt makes an object per volume), the same for all.
            meter = perflib.CpuMeter(t.daemon_pids()).start()
            vols = None
            for _ in range(30):
                # The previous answer goes before the clock starts (freeing
                # 1,000 virStorageVol objects is no part of the call).
                vols = None
                t0 = time.perf_counter()
                vols = p.pool.listAllVolumes(0)
                lt.append((time.perf_counter() - t0) * 1e3)
                if len(vols) != n:
                    raise RuntimeError("listAllVolumes returned %d volumes, want %d"
                                       % (len(vols), n))
            list_cpu = meter.stop().us_per(len(lt))[0]
            for _ in range(5):
                t0 = time.perf_counter()
                p.pool.refresh(0)
                rt.append((time.perf_counter() - t0) * 1e3)
            if p.pool.numOfVolumes() != n:
                raise RuntimeError("%d volumes after refresh, want %d" % (p.pool.numOfVolumes(), n))
        except Exception as e:
            failed[t.name] = e
            _na(ctx, lm, t, "ms", e)
            _na(ctx, rm, t, "ms", e)
            continue
        g = [Goal("ratio", "<=", 0.5, ["proxy"])]
        ctx.res.add(NAME, lm, t.name, perflib.median(lt), "ms", goals=g,
                    detail=perflib.summary(lt))
        ctx.res.add(NAME, lm + " daemons' CPU", t.name, list_cpu, "us",
                    detail={"per_pid_ns": meter.per_pid_ns, "calls": len(lt)})
        ctx.res.add(NAME, rm, t.name, perflib.median(rt), "ms", goals=g,
                    detail=perflib.summary(rt))


def _upload(conn, vol, data):
    st = conn.newStream(0)
    vol.upload(st, 0, len(data), 0)
    pos = [0]

    def source(_st, nbytes, _opaque):
        b = data[pos[0]:pos[0] + nbytes]
        pos[0] += len(b)
        return b

    st.sendAll(source, None)
    st.finish()


def _download(conn, vol, size):
    st = conn.newStream(0)
    vol.download(st, 0, size, 0)
    chunks = []
    st.recvAll(lambda _st, buf, _o: chunks.append(buf), None)
    st.finish()
    return chunks


def streams(ctx, pools, failed):
    # Five repetitions: one 256 MiB transfer swings by +-30% here, and the
    # first one into a new volume also pays for its blocks (both sides).
    reps = int(ctx.scale(5, 1))
    data = os.urandom(STREAM_BYTES)
    want = hashlib.sha256(data).hexdigest()
    up = {t.name: [] for t in ctx.targets}
    down = {t.name: [] for t in ctx.targets}
    sfail = {}
    vols = {}
    for t in ctx.targets:
        if t.name in failed:
            sfail[t.name] = failed[t.name]
            continue
        try:
            vols[t.name] = pools[t.name].pool.createXML(
                _vol_xml("stream.raw", "raw", 256, "MiB"), 0)
        except Exception as e:
            sfail[t.name] = e
    for rep in range(reps):
        for t in ctx.targets:
            if t.name in sfail:
                continue
            conn, vol = pools[t.name].conn, vols[t.name]
            try:
                t0 = time.perf_counter()
                _upload(conn, vol, data)
                up[t.name].append(STREAM_BYTES / (time.perf_counter() - t0) / 1e6)
                if rep == 0:
                    with open(vol.path(), "rb") as f:
                        got = hashlib.sha256(f.read()).hexdigest()
                    if got != want:
                        raise RuntimeError("uploaded volume differs from the data sent")
                t0 = time.perf_counter()
                chunks = _download(conn, vol, STREAM_BYTES)
                down[t.name].append(STREAM_BYTES / (time.perf_counter() - t0) / 1e6)
                if rep == 0 and hashlib.sha256(b"".join(chunks)).hexdigest() != want:
                    raise RuntimeError("downloaded data differs from the volume")
            except Exception as e:
                sfail[t.name] = e
    for t in ctx.targets:
        for metric, s in (("upload 256 MiB", up), ("download 256 MiB", down)):
            if t.name in sfail:
                _na(ctx, metric, t, "MB/s", sfail[t.name])
                continue
            ctx.res.add(NAME, metric, t.name, perflib.median(s[t.name]), "MB/s",
                        goals=[Goal("ratio", ">=", 1.0, ["proxy"])],
                        detail={"MBps": s[t.name]})


# ---- iscsi-direct ------------------------------------------------------------

def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Tgtd:
    """A private tgtd on 127.0.0.1 with one target and two 64 MiB LUNs."""

    def __init__(self, tag):
        for tool in ("tgtd", "tgtadm"):
            if shutil.which(tool) is None:
                raise RuntimeError("%s is not installed (package tgt)" % tool)
        self.dir = tempfile.mkdtemp(prefix="mvbench-tgt-")
        self.port = _free_port()
        self.ctl = next(c for c in range(400 + os.getpid() % 400, 1000)
                        if not os.path.exists("/run/tgtd/socket.%d" % c))
        self.target = "%s:%s-target" % (IQN, tag)
        self.log = open(os.path.join(self.dir, "tgtd.log"), "wb")
        self.proc = subprocess.Popen(["tgtd", "-f", "-C", str(self.ctl), "--iscsi",
                                      "portal=127.0.0.1:%d" % self.port],
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        end = time.monotonic() + 10
        while not os.path.exists("/run/tgtd/socket.%d" % self.ctl):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("tgtd did not start (see %s/tgtd.log)" % self.dir)
            time.sleep(0.01)
        self.adm("--op", "new", "--mode", "target", "--tid", "1", "-T", self.target)
        for lun in (1, 2):
            img = os.path.join(self.dir, "lun%d.img" % lun)
            with open(img, "wb") as f:
                f.truncate(64 * 1024 * 1024)
            self.adm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", str(lun),
                     "-b", img)
        self.adm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL")

    def adm(self, *args):
        r = subprocess.run(["tgtadm", "-C", str(self.ctl), "--lld", "iscsi"] + list(args),
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("tgtadm %s: %s" % (" ".join(args), r.stderr.strip()))

    def stop(self):
        for args in (("--op", "update", "--mode", "sys", "--name", "State", "-v", "offline"),
                     ("--mode", "target", "--op", "delete", "--force", "--tid", "1"),
                     ("--op", "delete", "--mode", "system")):
            try:
                self.adm(*args)
            except (RuntimeError, subprocess.SubprocessError):
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for suffix in ("", ".lock"):
            try:
                os.unlink("/run/tgtd/socket.%d%s" % (self.ctl, suffix))
            except FileNotFoundError:
                pass
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _iscsi_pool_xml(name, tgt, tag):
    return ("<pool type='iscsi-direct'><name>%s</name><source>"
            "<host name='127.0.0.1' port='%d'/><device path='%s'/>"
            "<initiator><iqn name='%s:%s-init'/></initiator></source></pool>"
            % (name, tgt.port, tgt.target, IQN, tag))


def _disk_xml(pool, unit):
    return ("<disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
            "<source pool='%s' volume='%s'/><target dev='vda' bus='virtio'/></disk>"
            % (pool, unit))


def iscsi(ctx):
    tag = wl_domains._tag(ctx)
    tgt = Tgtd(tag)
    owners = {}          # owner key -> (target used for setup, pool, names)
    failed = {}
    try:
        lun = {"libvirt": 1, "modvirt": 2}
        for t in ctx.targets:
            key = wl_domains._owner_key(t)
            if key in owners:
                continue
            pname = "%s-isc" % tag
            names = ("%s-iscdisk" % tag, "%s-iscctl" % tag)
            try:
                sconn = t.open_storage()
                try:
                    pool = sconn.storagePoolDefineXML(_iscsi_pool_xml(pname, tgt, tag), 0)
                    owners[key] = (t, pname, names)
                    pool.create(0)
                finally:
                    sconn.close()
                conn = t.open()
                try:
                    unit = "unit:0:0:%d" % lun[key]
                    conn.defineXML(perflib.domain_xml(names[0], _disk_xml(pname, unit)))
                    conn.defineXML(perflib.domain_xml(names[1]))
                finally:
                    conn.close()
            except Exception as e:
                failed[key] = e
        iscsi_lifecycle(ctx, owners, failed)
        iscsi_restart(ctx, owners, failed)
    finally:
        for key, (t, pname, names) in owners.items():
            wl_domains._recover(t)
            try:
                conn = t.open()
                for n in names:
                    try:
                        d = conn.lookupByName(n)
                        if d.isActive():
                            d.destroy()
                        d.undefine()
                    except libvirt.libvirtError:
                        pass
                conn.close()
                conn = t.open_storage()
                try:
                    p = conn.storagePoolLookupByName(pname)
                    if p.isActive():
                        p.destroy()
                    p.undefine()
                except libvirt.libvirtError:
                    pass
                conn.close()
            except libvirt.libvirtError:
                pass
        tgt.stop()


def iscsi_lifecycle(ctx, owners, failed):
    # 149 pairs: a start swings by +-10 ms here, and the paired differences
    # have a standard deviation of 6-7 ms, so their median is good to about
    # 1.25 * 6.5 / sqrt(n) ms: 1.2 ms with 49 pairs (it moved between 4.1
    # and 5.9 ms from run to run against a 5 ms target), 0.8 ms with 99
    # (2.4 to 4.8 ms over four runs), 0.7 ms with 149.  With 15 and 25
    # pairs it moved between 0.4 and 6.6 ms, on libvirtd's side too.
    iters = int(ctx.scale(149, 3))
    s = {t.name: {"disk": [], "ctl": []} for t in ctx.targets}
    tfail = {}
    for i in range(iters):
        for t in ctx.targets:
            key = wl_domains._owner_key(t)
            if key in failed or t.name in tfail or key not in owners:
                continue
            try:
                conn = t.open()
                try:
                    # Which guest goes first alternates: the first start of
                    # a pair also bears what the previous target left
                    # running (libvirtd's teardown after its destroy).
                    pair = list(zip(("disk", "ctl"), owners[key][2]))
                    for kind, n in (pair if i % 2 == 0 else pair[::-1]):
                        d = conn.lookupByName(n)
                        t0 = time.perf_counter()
                        d.create()
                        if not wl_domains._wait_running(d):
                            raise RuntimeError("%s not running 30 s after create()" % n)
                        s[t.name][kind].append((time.perf_counter() - t0) * 1e3)
                        time.sleep(0.1)
                        d.destroy()
                finally:
                    conn.close()
            except Exception as e:
                tfail[t.name] = e
    for t in ctx.targets:
        key = wl_domains._owner_key(t)
        why = failed.get(key) or tfail.get(t.name)
        if why is not None or not s[t.name]["disk"]:
            why = why or "no sample"
            _na(ctx, "create->running, iscsi-direct disk", t, "ms", why)
            _na(ctx, "what the iscsi-direct disk adds", t, "ms", why)
            continue
        disk = perflib.median(s[t.name]["disk"])
        # Each round starts the disk guest and the diskless one, one right
        # after the other (in turn first): the median of the paired
        # differences is what the disk adds.
        diffs = [a - b for a, b in zip(s[t.name]["disk"], s[t.name]["ctl"])]
        ctx.res.add(NAME, "create->running, iscsi-direct disk", t.name, disk, "ms",
                    detail={"disk": perflib.summary(s[t.name]["disk"]),
                            "control": perflib.summary(s[t.name]["ctl"])})
        ctx.res.add(NAME, "what the iscsi-direct disk adds", t.name, perflib.median(diffs),
                    "ms", goals=[Goal("abs", "<=", 5, ["proxy"])],
                    detail={"paired_differences": perflib.summary(diffs),
                            "difference_of_medians": disk - perflib.median(s[t.name]["ctl"]),
                            # The first start of a round follows the
                            # previous target's last destroy.
                            "disk_first": perflib.summary(diffs[0::2]),
                            "control_first": perflib.summary(diffs[1::2])})


def iscsi_restart(ctx, owners, failed):
    rounds = int(ctx.scale(3, 1))
    first = {t.name: [] for t in ctx.targets}
    lost = {t.name: 0 for t in ctx.targets}
    tfail = {}
    for _ in range(rounds):
        for t in ctx.targets:
            key = wl_domains._owner_key(t)
            if key in failed or t.name in tfail or key not in owners:
                continue
            try:
                ms, _kept, nlost, _f = wl_domains.restart_round(ctx, t, [owners[key][2][0]],
                                                                False)
                first[t.name].append(ms)
                lost[t.name] += nlost
            except Exception as e:
                tfail[t.name] = e
                wl_domains._recover(t)
    for t in ctx.targets:
        key = wl_domains._owner_key(t)
        why = failed.get(key) or tfail.get(t.name)
        metric = "restart->first reply, iscsi guest running"
        if not first[t.name]:
            _na(ctx, metric, t, "ms", why or "no round ran")
            _na(ctx, "iscsi guest lost over restarts", t, "count", why or "no round ran")
            continue
        ctx.res.add(NAME, metric, t.name, perflib.median(first[t.name]), "ms",
                    goals=[Goal("ratio", "<=", 0.25, ["proxy"])],
                    detail=perflib.summary(first[t.name]))
        ctx.res.add(NAME, "iscsi guest lost over restarts", t.name, lost[t.name], "count",
                    goals=[Goal("abs", "<=", 0, ["proxy", "direct"])])
        if why is not None:
            ctx.res.note(NAME, "%s: iscsi restart rounds stopped: %s"
                         % (t.name, perflib.err_text(why)))


def run(ctx):
    if any(t.owner is None for t in ctx.targets):
        raise RuntimeError("the storage workload needs the targets it starts itself (no --uri)")
    if ctx.modvirt is not None and ctx.modvirt.pid("mvstoraged") is None:
        ctx.res.note(NAME, "mvstoraged: %s" % ctx.modvirt.missing.get(
            "mvstoraged", "not running"))
    dir_pool(ctx)
    iscsi(ctx)


if __name__ == "__main__":
    import run as runner
    runner.main(only=NAME)
