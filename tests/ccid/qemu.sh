#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/ccid/qemu.sh: tessera's direct USB CCID backend on a real Linux USB stack. A QEMU guest
# (Debian's kernel, xHCI, QEMU's usb-ccid reader) whose card is the card simulator behind
# ccid-card-passthru's VSCard socket; no pcscd in the guest. The card is provisioned first through
# the test bed (pcscd + vpcd) with yubico-piv-tool and openssl; in the guest pkcs11-tool lists it
# (reader_backend = auto, pcscd absent), and ccid-guest (reader_backend = ccid) signs with 9A and
# 9C, decrypts with 9D, sees removal and insertion in both thread modes, and a card pulled during
# a signature. One VM run, bounded by timeout; skipped where QEMU or Debian's kernel is missing.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (the test bed provisions the card)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v busybox >/dev/null || tap_skip_all "busybox not installed (apt-get install busybox-static)"
guest=$(sh "$TESSERA_SRCDIR/tests/ccid/guest-kernel.sh" "$TESSERA_BUILDDIR/tests/ccid/cache" 2>"$TAP_TMP/kernel.err") ||
	tap_skip_all "no Debian kernel for the guest: $(cat "$TAP_TMP/kernel.err")"
module="$TESSERA_BUILDDIR/.libs/tessera-pkcs11.so"
[ -f "$module" ] || module=$(find "$TESSERA_BUILDDIR" -name tessera-pkcs11.so -path '*.libs*' | head -n 1)
guest_bin="$TESSERA_BUILDDIR/tests/ccid/ccid-guest"
[ -x "$guest_bin" ] || { echo "Bail out! $guest_bin not built"; exit 1; }
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	tap_skip_all "sanitizer build: the guest has no ASan runtime (the plain build runs this test)"
fi

# A card with keys in 9A (RSA), 9C (EC P-256), 9D (RSA) and their certificates.
state="$TAP_TMP/card.state"
testbed --cards 1 --state "$state" -- sh -c '
	sh "$TESSERA_SRCDIR/tests/provision.sh" "$1/certs" "9a:RSA2048 9c:ECCP256 9d:RSA2048" >"$1/provision.log" 2>&1
' sh "$TAP_TMP" || { echo "Bail out! provisioning failed"; tap_diag <"$TAP_TMP/provision.log"; exit 1; }
printf 'a secret for the card in the guest' >"$TAP_TMP/secret"
openssl pkeyutl -encrypt -pubin -inkey "$TAP_TMP/certs/9d.pub.pem" -in "$TAP_TMP/secret" -out "$TAP_TMP/ct.bin"

printf 'reader_backend = auto\n' >"$TAP_TMP/auto.conf"
printf 'reader_backend = ccid\n' >"$TAP_TMP/ccid.conf"
python3 "$TESSERA_SRCDIR/tests/ccid/mkinitramfs.py" "$TAP_TMP/initrd" \
	"$TESSERA_SRCDIR/tests/ccid/guest-init.sh" \
	"$(command -v busybox):bin/busybox" \
	"$module:lib/tessera-pkcs11.so" \
	"$guest_bin:bin/ccid-guest" \
	"$(command -v pkcs11-tool):bin/pkcs11-tool" \
	"$TAP_TMP/ct.bin:ct.bin" \
	"$TAP_TMP/auto.conf:etc/tessera-auto.conf" \
	"$TAP_TMP/ccid.conf:etc/tessera-ccid.conf" \
	"$guest/modules/usb-common.ko:modules/usb-common.ko" \
	"$guest/modules/usbcore.ko:modules/usbcore.ko" \
	"$guest/modules/xhci-hcd.ko:modules/xhci-hcd.ko" \
	"$guest/modules/xhci-pci.ko:modules/xhci-pci.ko" ||
	{ echo "Bail out! initramfs not built"; exit 1; }

# The card offers T=1 then T=0; QEMU's reader is T=0 only: the backend picks T=0 and sets it
# (GetParameters says T=1, so SetParameters T=0). The historical bytes are a YubiKey's, which
# announce extended APDUs: T=0 cannot carry them, so the card layer falls back to short ones.
atr=3B8D81008073C021C057597562694B6579F9
exec python3 "$TESSERA_SRCDIR/tests/ccid/qemu-host.py" "$TAP_TMP" "$guest/vmlinux" "$TAP_TMP/initrd" \
	"$CARDSIM_BIN" "$state" "$atr" "$TAP_TMP/certs" "$TAP_TMP/secret"
