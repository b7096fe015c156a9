#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/roles/pins.sh: the roles with unmodified tools against a simulated YubiKey:
# pkcs11-tool changes the PIN, unblocks it as SO with the PUK, changes the PUK and the
# management key as SO, resets a blocked card (C_InitToken); yubico-piv-tool checks
# every change on the card itself.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 --reader-name "Yubico YubiKey" -- sh -c '
	. "$TESSERA_SRCDIR/tests/lib.sh"
	R=$(opensc-tool -l 2>/dev/null | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)
	p11() { pkcs11-tool --module "$TESSERA_MODULE" "$@"; }
	piv() { yubico-piv-tool -r "$R" "$@"; }
	K0=010203040506070801020304050607080102030405060708
	K1=0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080
	tap_check "pkcs11-tool --change-pin (user)" p11 --change-pin --pin 123456 --new-pin 654321
	tap_check "yubico-piv-tool verifies the new PIN" piv -a verify-pin -P 654321
	if piv -a verify-pin -P 123456 >/dev/null 2>&1; then tap_fail "the old PIN no longer works"; else tap_ok "the old PIN no longer works"; fi
	for i in 1 2 3; do p11 --login --pin 000000 -O >/dev/null 2>&1; done
	tap_check "three wrong PINs: the token says user PIN locked" sh -c "pkcs11-tool --module \"\$TESSERA_MODULE\" -T | grep -q \"user PIN locked\""
	tap_check "pkcs11-tool --init-pin --login --login-type so --so-pin 12345678 (unblock)" \
		p11 --init-pin --login --login-type so --so-pin 12345678 --new-pin 111111
	tap_check "yubico-piv-tool verifies the PIN set by the SO" piv -a verify-pin -P 111111
	tap_check "the token no longer says locked" sh -c "! pkcs11-tool --module \"\$TESSERA_MODULE\" -T | grep -q \"PIN locked\""
	tap_check "SO (PUK) changes the PUK (C_SetPIN)" p11 --login --login-type so --so-pin 12345678 --change-pin --new-pin 87654321
	tap_check "yubico-piv-tool change-puk accepts the new PUK" piv -a change-puk -P 87654321 -N 12345678
	tap_check "SO with the management key changes it (C_SetPIN)" p11 --login --login-type so --so-pin $K0 --change-pin --new-pin $K1
	tap_check "yubico-piv-tool --key=NEWKEY writes the CHUID" piv --key=$K1 -a set-chuid
	if piv --key=$K0 -a set-chuid >/dev/null 2>&1; then tap_fail "the old management key is refused"; else tap_ok "the old management key is refused"; fi
	if p11 --init-token --label x --so-pin 12345678 >/dev/null 2>&1; then tap_fail "C_InitToken refused while PIN and PUK work"; else tap_ok "C_InitToken refused while PIN and PUK work"; fi
	for i in 1 2 3; do piv -a verify-pin -P 000000 >/dev/null 2>&1; piv -a unblock-pin -P 00000000 -N 222222 >/dev/null 2>&1; done
	tap_check "blocked PIN and PUK shown (user PIN locked, SO PIN locked)" sh -c "pkcs11-tool --module \"\$TESSERA_MODULE\" -T | grep \"SO PIN locked\" | grep -q \"user PIN locked\""
	tap_check "C_InitToken resets the blocked YubiKey" p11 --init-token --label x --so-pin 12345678
	tap_check "after the reset: the default PIN verifies" piv -a verify-pin -P 123456
	tap_check "after the reset: the default management key works" piv --key=$K0 -a set-chuid
	tap_check "after the reset: the token is no longer locked" sh -c "! pkcs11-tool --module \"\$TESSERA_MODULE\" -T | grep -q \"locked\""
	tap_done
' sh "$TAP_TMP"
