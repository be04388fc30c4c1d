#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-guest.sh OUTDIR: build the tiny test guest into OUTDIR (a cache: an
# up-to-date guest is reused).  Produces:
#   OUTDIR/vmlinuz     Debian's cloud kernel (linux-image-cloud-amd64's image)
#   OUTDIR/initrd.gz   a busybox initramfs whose /init
#                        - prints "MVGUEST BOOTED" on the serial console (ttyS0),
#                        - answers every line typed there with "mvguest echo: LINE"
#                          after a "mvguest> " prompt ("poweroff" and "reboot"
#                          do what they say, "seq N" prints 1 to N, one a line,
#                          then "mvguest: seq done"),
#                        - powers the machine off when the ACPI power button is
#                          pressed (evdev.ko and button.ko from the same kernel
#                          package; the event device named "Power Button").
# It boots in a few seconds under TCG; tests/guest/domain.xml is the domain
# that runs it (kernel, initrd, console=ttyS0, a pty serial and console).
#
# Needs: apt-get (with package lists, fetched here when missing and run as
# root), dpkg-deb, gzip.  Falls back to .debs
# already in /var/cache/apt/archives when downloading fails.
set -eu

OUT=${1:?usage: build-guest.sh OUTDIR}
SELF=$(readlink -f "$0")
STAMP_WANT=$(sha256sum "$SELF" | cut -c1-16)

mkdir -p "$OUT"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP_WANT" ] &&
   [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ]; then
    exit 0
fi

WORK=$(mktemp -d "$OUT/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# apt's download user must be able to write here.
chmod 0755 "$OUT"
chmod 0777 "$WORK"
cd "$WORK"

die() {
    echo "build-guest.sh: $*" >&2
    exit 1
}

# The versioned image package the metapackage points at.
kernel_package() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
KPKG=$(kernel_package)
if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then
    # A machine whose package lists were never fetched.
    apt-get update -q >/dev/null 2>&1 || true
    KPKG=$(kernel_package)
fi
[ -n "$KPKG" ] || die "cannot resolve linux-image-cloud-amd64 (run 'apt-get update' first)"

fetch() {
    pkg=$1
    if apt-get download -q "$pkg" >/dev/null 2>apt.err; then
        return 0
    fi
    # Offline: a copy in apt's cache will do.
    deb=$(ls /var/cache/apt/archives/"${pkg}"_*.deb 2>/dev/null | tail -n 1)
    [ -n "$deb" ] || die "cannot download $pkg: $(cat apt.err)"
    cp "$deb" .
}

fetch "$KPKG"
fetch busybox-static
dpkg-deb -x "$(ls "${KPKG}"_*.deb | head -n 1)" kroot
dpkg-deb -x "$(ls busybox-static_*.deb | head -n 1)" bbroot

VMLINUZ=$(ls kroot/boot/vmlinuz-* | head -n 1)
[ -s "$VMLINUZ" ] || die "no kernel image in $KPKG"
BUSYBOX=bbroot/bin/busybox
[ -x "$BUSYBOX" ] || die "no busybox in busybox-static"
KMODS=$(ls -d kroot/lib/modules/* | head -n 1)

mkdir -p root/bin root/sbin root/proc root/sys root/dev root/tmp root/lib/modules root/etc
cp "$BUSYBOX" root/bin/busybox
for mod in drivers/input/evdev.ko drivers/acpi/button.ko; do
    # Built in when absent: nothing to load.
    if [ -f "$KMODS/kernel/$mod" ]; then
        cp "$KMODS/kernel/$mod" root/lib/modules/
    fi
done

cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /lib/modules/*.ko; do
    [ -f "$m" ] && insmod "$m"
done

# The ACPI power button: any event from it powers off.  devtmpfs names
# its device /dev/input/eventN; a button that cannot be read is reported,
# and never taken for a press.
power_button() {
    dev=
    for i in 1 2 3 4 5 6 7 8 9 10; do
        for ev in /sys/class/input/event*; do
            if [ "$(cat "$ev/device/name" 2>/dev/null)" = "Power Button" ]; then
                dev=/dev/input/${ev##*/}
            fi
        done
        [ -n "$dev" ] && [ -e "$dev" ] && break
        dev=
        sleep 1
    done
    if [ -z "$dev" ]; then
        echo "mvguest: no power button device"
        return
    fi
    if ! dd if="$dev" of=/dev/null bs=24 count=1 2>/dev/null; then
        echo "mvguest: cannot read the power button ($dev)"
        return
    fi
    echo "mvguest: power button pressed, powering off"
    sync
    poweroff -f
}

exec </dev/ttyS0 >/dev/ttyS0 2>&1
power_button &
echo "MVGUEST BOOTED"
while true; do
    printf 'mvguest> '
    if ! read -r line; then
        sleep 1
        continue
    fi
    case "$line" in
    seq\ *) seq 1 "${line#seq }"; echo "mvguest: seq done" ;;
    poweroff) echo "mvguest: powering off"; poweroff -f ;;
    reboot) echo "mvguest: rebooting"; reboot -f ;;
    *) echo "mvguest echo: $line" ;;
    esac
done
INIT
chmod 0755 root/init

(cd root && find . | ../"$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -9 > initrd.gz
cp "$VMLINUZ" "$OUT/vmlinuz.tmp"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
mv initrd.gz "$OUT/initrd.gz"
echo "$STAMP_WANT" > "$OUT/stamp"
