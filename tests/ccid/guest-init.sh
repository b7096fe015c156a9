#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/ccid/guest-init.sh: /init of qemu.sh's guest. No pcscd, no udevd: the kernel's USB stack
# (Debian's modules), devtmpfs, and tessera's direct USB backend. Talks to the host on the
# console (see ccid-guest.c); ends by powering the VM off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in usb-common usbcore xhci-hcd xhci-pci; do
	insmod "/modules/$m.ko" || echo "@@FAIL insmod $m"
done
# The emulated reader enumerates on the xHCI bus: wait for its interface of class 0Bh (10 s at most).
i=0
while ! grep -qs '^0b$' /sys/bus/usb/devices/*/bInterfaceClass && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
grep -qs '^0b$' /sys/bus/usb/devices/*/bInterfaceClass && echo "@@OK a USB CCID interface in the guest" ||
	echo "@@FAIL a USB CCID interface in the guest"
M=/lib/tessera-pkcs11.so
export TESSERA_DEBUG=ccid,monitor,card,apdu TESSERA_LOG=/tmp/tessera.log
# reader_backend = auto: pcscd does not answer, so the direct backend serves.
export TESSERA_CONF=/etc/tessera-auto.conf
echo "@@BEGIN pkcs11-tool -L"
pkcs11-tool --module $M -L 2>&1
echo "@@END rc=$?"
echo "@@BEGIN pkcs11-tool -O"
pkcs11-tool --module $M -O 2>&1
echo "@@END rc=$?"
# reader_backend = ccid from here on.
export TESSERA_CONF=/etc/tessera-ccid.conf
ccid-guest $M sign /ct.bin
ccid-guest $M events threads
ccid-guest $M events nss
ccid-guest $M pull-mid-sign
# The module's log (first lines), shown by the host as the test's diagnostics.
grep -E '] (ccid|monitor|card|apdu): ' /tmp/tessera.log | head -n 80 | cut -c 1-200 | sed 's/^/@@LOG /'
echo "@@DONE"
poweroff -f
