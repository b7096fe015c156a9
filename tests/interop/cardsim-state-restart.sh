#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The simulator's state file (cardsim --state) is the card: a second test bed run with the same
# file, i.e. a new simulator process, has the same keys (they sign, and the signatures verify with
# the first run's certificates), the same certificates byte for byte, the same serial, and the
# PIN changed and PIN tries used in the first run.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	interop_require yubico-piv-tool pkcs11-tool "$OPENSC_MODULE"
	STATE="$TAP_TMP/card.state"
	export INTEROP_WORK="$TAP_TMP/work"
	mkdir -p "$INTEROP_WORK"
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" --state "$STATE" -- sh "$0" --inside first
	if [ -s "$STATE" ]; then tap_ok "the state file exists after the first run"; else tap_fail "no state file $STATE"; fi
	cp "$STATE" "$TAP_TMP/state.after-first"
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" --state "$STATE" -- sh "$0" --inside second
	# A third run with a new state file is a new card: nothing of the first card.
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" -- sh "$0" --inside fresh
	tap_done
fi

W=$INTEROP_WORK
p11() { t pkcs11-tool --module "$OPENSC_MODULE" "$@"; }
serial() { t yubico-piv-tool -r Yubico -a status 2>/dev/null | sed -n 's/^Serial Number:[[:space:]]*//p'; }
head -c 500 /dev/urandom >"$TAP_TMP/data"

case $2 in
first)
	tap_check "provision 9a RSA-2048 and 9c P-256" \
		t sh "$TESSERA_SRCDIR/tests/provision.sh" "$W" "9a:RSA2048 9c:ECCP256"
	serial >"$W/serial"
	tap_check "the card has a serial" grep -q '^[0-9][0-9]*$' "$W/serial"
	tap_check "change the PIN to 97531864" t yubico-piv-tool -r Yubico -a change-pin -P 123456 -N 97531864
	tap_check "9a signs in the first run" p11 --login --pin 97531864 --sign --id 01 -m SHA256-RSA-PKCS \
		-i "$TAP_TMP/data" -o "$TAP_TMP/sig"
	tap_check "... and the signature verifies" sh -c 'openssl x509 -in "$1" -noout -pubkey >"$1.pub" &&
		openssl dgst -sha256 -verify "$1.pub" -signature "$2" "$3"' sh "$W/9a.cert.pem" "$TAP_TMP/sig" "$TAP_TMP/data"
	expect_fail "one wrong PIN as the last thing (2 tries left)" yubico-piv-tool -r Yubico -a verify-pin -P 000000
	;;
second)
	tap_check "same serial after the restart" test "$(serial)" = "$(cat "$W/serial")"
	for s in 9a 9c; do
		tap_check "read the $s certificate after the restart" \
			t yubico-piv-tool -r Yubico -a read-certificate -s $s -K DER -o "$TAP_TMP/$s.der"
		tap_check "the $s certificate is the first run's, byte for byte" cmp "$W/$s.cert.der" "$TAP_TMP/$s.der"
	done
	t yubico-piv-tool -r Yubico -a status >"$TAP_TMP/status" 2>&1
	grep_check "the used PIN try is remembered (2 left)" "$TAP_TMP/status" "^PIN tries left:[[:space:]]*2$"
	expect_fail "the factory PIN no longer verifies" yubico-piv-tool -r Yubico -a verify-pin -P 123456
	tap_check "the PIN set in the first run verifies" t yubico-piv-tool -r Yubico -a verify-pin -P 97531864
	tap_check "9a signs SHA256-RSA-PKCS after the restart" p11 --login --pin 97531864 --sign --id 01 \
		-m SHA256-RSA-PKCS -i "$TAP_TMP/data" -o "$TAP_TMP/sig.9a"
	tap_check "the 9a signature verifies with the first run's certificate" \
		sh -c 'openssl x509 -in "$1" -noout -pubkey >"$1.pub" && openssl dgst -sha256 -verify "$1.pub" -signature "$2" "$3"' \
		sh "$W/9a.cert.pem" "$TAP_TMP/sig.9a" "$TAP_TMP/data"
	tap_check "9c signs ECDSA-SHA256 after the restart" p11 --login --pin 97531864 --sign --id 02 \
		-m ECDSA-SHA256 --signature-format openssl -i "$TAP_TMP/data" -o "$TAP_TMP/sig.9c"
	tap_check "the 9c signature verifies with the first run's certificate" \
		sh -c 'openssl x509 -in "$1" -noout -pubkey >"$1.pub" && openssl dgst -sha256 -verify "$1.pub" -signature "$2" "$3"' \
		sh "$W/9c.cert.pem" "$TAP_TMP/sig.9c" "$TAP_TMP/data"
	;;
fresh)
	tap_check "a new state file is another card (another serial)" test "$(serial)" != "$(cat "$W/serial")"
	expect_fail "... without the first card's 9a certificate" yubico-piv-tool -r Yubico -a read-certificate -s 9a
	tap_check "... and with the factory PIN" t yubico-piv-tool -r Yubico -a verify-pin -P 123456
	;;
esac
tap_done
