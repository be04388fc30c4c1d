# SPDX-License-Identifier: LGPL-2.1-or-later
"""mvqemud's first capabilities probe never stalls its other clients.

On a fresh root mvqemud probes every qemu-system binary over QMP in the
background (a second or more).  CONNECT_GET_VERSION needs that answer; it
is otherwise an inline call, run on the I/O thread.  While the probe runs
it is handed to a worker instead, so one client waiting for the version
does not stop the daemon from answering another one's cheap calls.
"""

import mvtest
from mvtest import check, check_eq

CLIENT = r'''
import libvirt, sys, threading, time
uri = sys.argv[1]
a = libvirt.open(uri)
b = libvirt.open(uri)
res = {}

def version():
    t0 = time.monotonic()
    v = a.getVersion()
    res["a"] = (time.monotonic() - t0, v)

th = threading.Thread(target=version)
th.start()
lat = []
while th.is_alive():
    t0 = time.monotonic()
    b.getHostname()
    lat.append(time.monotonic() - t0)
    time.sleep(0.01)
th.join()
took, v = res["a"]
print(v, took, len(lat), max(lat) if lat else -1.0)
'''


def test_version_during_first_probe():
    with mvtest.Stack(name="mv-probe") as s:
        s.start("mvqemud")
        out = s.python(CLIENT, s.uri("mvqemud")).stdout.split()
        version, took, calls, worst = int(out[0]), float(out[1]), int(out[2]), float(out[3])
        check(version >= 7000000, "hypervisor version %d" % version)
        check(took >= 0.3, "getVersion took %.3fs: the probe was not running, nothing shown"
              % took)
        check(calls >= 5, "only %d getHostname calls answered during the %.2fs getVersion"
              % (calls, took))
        check(worst < min(1.0, took / 2),
              "a getHostname call took %.3fs while getVersion waited %.3fs" % (worst, took))
        # Once probed, the version is answered inline, the same.
        again = s.python("import libvirt, sys; print(libvirt.open(sys.argv[1]).getVersion())",
                         s.uri("mvqemud")).stdout.strip()
        check_eq(int(again), version, "version after the probe")


if __name__ == "__main__":
    mvtest.main(globals())
