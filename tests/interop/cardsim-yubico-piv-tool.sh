#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# yubico-piv-tool (Yubico's own tool, libykpiv) drives the card simulator through a full PIV
# lifecycle: status, on-card key generation (RSA-2048 in 9a, ECC P-256 in 9c), certificates imported
# and read back byte for byte, signatures with the generated keys, PIN/PUK management, a PIN
# counting down to blocked, unblock, management key changes (3DES with the tool; AES-128/192/256 with
# raw APDUs, since Debian's yubico-piv-tool 2.2.0 speaks 3DES only), attestation, and a reset after
# PIN and PUK are blocked that brings back the factory defaults.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	interop_require yubico-piv-tool
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP
ypt() { t yubico-piv-tool -r Yubico "$@"; }
# ypt_check DESCRIPTION ARGS...: one test, yubico-piv-tool with ARGS succeeds (output in $D/out).
ypt_check() { _d=$1; shift; tap_check "$_d" ypt "$@"; }
tries_left() { ypt -a status 2>/dev/null | sed -n 's/^PIN tries left:[[:space:]]*//p'; }
# eq_check DESCRIPTION GOT WANT
eq_check() { if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1 (got '$2', want '$3')"; fi; }

# --- status and version
ypt_check "yubico-piv-tool -a version" -a version
grep_check "the card reports a YubiKey 5 firmware version" "$D/out" "Application version 5\.[0-9]*\.[0-9]* found"
ypt_check "yubico-piv-tool -a status" -a status
cp "$D/out" "$D/status0"
grep_check "status shows a serial number" "$D/status0" "^Serial Number:[[:space:]]*[0-9][0-9]*$"
eq_check "a new card has 3 PIN tries" "$(sed -n 's/^PIN tries left:[[:space:]]*//p' "$D/status0")" 3

# --- key generation
make_ca "$D"
ypt_check "generate RSA-2048 in 9a" -a generate -s 9a -A RSA2048 --key="$MGM" -o "$D/9a.pub.pem"
tap_check "9a's public key is a 2048-bit RSA key" \
	sh -c 'openssl pkey -pubin -in "$1" -noout -text | grep -q "Public-Key: (2048 bit)" &&
		openssl pkey -pubin -in "$1" -noout -text | grep -q "^Modulus"' sh "$D/9a.pub.pem"
ypt_check "generate ECC P-256 in 9c" -a generate -s 9c -A ECCP256 --key="$MGM" -o "$D/9c.pub.pem"
tap_check "9c's public key is a P-256 key" \
	sh -c 'openssl pkey -pubin -in "$1" -noout -text | grep -q "NIST CURVE: P-256"' sh "$D/9c.pub.pem"
expect_fail "generate with a wrong management key is refused" \
	yubico-piv-tool -r Yubico -a generate -s 9e -A ECCP256 --key=0102030405060708010203040506070801020304050607FF

# --- certificates: import, read back, status
for s in 9a 9c; do
	make_cert "$D" "$D/$s.pub.pem" "Interop $s" "$D/$s.cert.pem"
	openssl x509 -in "$D/$s.cert.pem" -outform DER -out "$D/$s.cert.der"
	ypt_check "import a certificate into $s" -a import-certificate -s $s --key="$MGM" -i "$D/$s.cert.pem"
	ypt_check "read the certificate of $s back (PEM)" -a read-certificate -s $s -o "$D/$s.read.pem"
	tap_check "the PEM read back from $s is the imported certificate" cmp "$D/$s.cert.pem" "$D/$s.read.pem"
	ypt_check "read the certificate of $s back (DER)" -a read-certificate -s $s -K DER -o "$D/$s.read.der"
	tap_check "the DER read back from $s is the imported certificate, byte for byte" \
		cmp "$D/$s.cert.der" "$D/$s.read.der"
done
ypt -a status >"$D/status1" 2>&1
tap_check "status lists 9a with its RSA2048 key and certificate subject" \
	sh -c 'grep -A3 "^Slot 9a:" "$1" | grep -q "RSA2048" && grep -A3 "^Slot 9a:" "$1" | grep -q "CN=Interop 9a"' sh "$D/status1"
tap_check "status lists 9c with its ECCP256 key and certificate subject" \
	sh -c 'grep -A3 "^Slot 9c:" "$1" | grep -q "ECCP256" && grep -A3 "^Slot 9c:" "$1" | grep -q "CN=Interop 9c"' sh "$D/status1"

# --- the generated keys sign (the tool verifies against the certificate's public key)
ypt_check "9a signs and the signature verifies against its certificate" \
	-a verify-pin -P 123456 -a test-signature -s 9a -i "$D/9a.cert.pem"
ypt_check "9c signs and the signature verifies against its certificate" \
	-a verify-pin -P 123456 -a test-signature -s 9c -i "$D/9c.cert.pem"
expect_fail "9c refuses to sign without the PIN" yubico-piv-tool -r Yubico -a test-signature -s 9c -i "$D/9c.cert.pem"

# --- attestation
ypt_check "attest the generated key in 9a" -a attest -s 9a -o "$D/9a.attest.pem"
tap_check "the attestation certificate holds 9a's public key" same_pubkey "$D/9a.attest.pem" "$D/9a.pub.pem"
ypt_check "read the attestation key's certificate (f9)" -a read-certificate -s f9 -o "$D/f9.pem"
if /usr/bin/python3 -c 'import cryptography' 2>/dev/null; then
	tap_check "the attestation certificate's signature verifies with the f9 certificate's key" \
		/usr/bin/python3 "$INTEROP_DIR/issued-by.py" "$D/9a.attest.pem" "$D/f9.pem"
else
	tap_ok "# SKIP attestation signature check: python3-cryptography not installed"
fi
tap_check "openssl verify accepts the chain 9a attestation <- f9 certificate (as on a YubiKey)" \
	openssl verify -partial_chain -CAfile "$D/f9.pem" "$D/9a.attest.pem"
ypt_check "attest the generated key in 9c" -a attest -s 9c -o "$D/9c.attest.pem"
tap_check "the 9c attestation certificate holds 9c's public key" same_pubkey "$D/9c.attest.pem" "$D/9c.pub.pem"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/imported.key" 2>/dev/null
ypt_check "import a key made off the card into 9e" -a import-key -s 9e --key="$MGM" -i "$D/imported.key"
expect_fail "an imported key is not attested" yubico-piv-tool -r Yubico -a attest -s 9e

# --- PIN and PUK
ypt_check "verify-pin with the default PIN" -a verify-pin -P 123456
expect_fail "verify-pin with a wrong PIN fails" yubico-piv-tool -r Yubico -a verify-pin -P 000000
grep_check "a wrong PIN reports 2 tries left" "$D/out" "2 tries left"
eq_check "status shows 2 PIN tries left" "$(tries_left)" 2
ypt_check "the right PIN verifies" -a verify-pin -P 123456
expect_fail "a wrong PIN after the right one" yubico-piv-tool -r Yubico -a verify-pin -P 000000
grep_check "the right PIN had restored the tries (2 left again, not 1)" "$D/out" "2 tries left"
ypt_check "change-pin 123456 -> 24681357" -a change-pin -P 123456 -N 24681357
expect_fail "the old PIN no longer verifies" yubico-piv-tool -r Yubico -a verify-pin -P 123456
ypt_check "the new PIN verifies" -a verify-pin -P 24681357
expect_fail "change-pin with a wrong current PIN fails" yubico-piv-tool -r Yubico -a change-pin -P 111111 -N 222222
ypt_check "the PIN is unchanged by the failed change" -a verify-pin -P 24681357
ypt_check "change-puk 12345678 -> 87654321" -a change-puk -P 12345678 -N 87654321
expect_fail "the old PUK is refused" yubico-piv-tool -r Yubico -a change-puk -P 12345678 -N 12345678
ypt_check "the new PUK works (change-puk 87654321 -> 13572468)" -a change-puk -P 87654321 -N 13572468

# a wrong PIN counts down to blocked
for n in 2 1; do
	expect_fail "wrong PIN, $n tries left" yubico-piv-tool -r Yubico -a verify-pin -P 999999
	grep_check "verify reports $n tries left" "$D/out" "$n tries left"
done
expect_fail "wrong PIN a third time" yubico-piv-tool -r Yubico -a verify-pin -P 999999
grep_check "the PIN is reported blocked" "$D/out" "[Bb]locked"
eq_check "status shows 0 PIN tries left" "$(tries_left)" 0
expect_fail "the right PIN is refused once blocked" yubico-piv-tool -r Yubico -a verify-pin -P 24681357
ypt_check "unblock-pin with the PUK sets a new PIN" -a unblock-pin -P 13572468 -N 314159
ypt_check "the PIN set by unblock-pin verifies" -a verify-pin -P 314159
expect_fail "a wrong PIN after unblocking" yubico-piv-tool -r Yubico -a verify-pin -P 999999
grep_check "unblocking restored all tries (2 left after one wrong PIN)" "$D/out" "2 tries left"

# --- management key: 3DES with yubico-piv-tool
NEW3DES=$(openssl rand -hex 24)
ypt_check "set-mgm-key to a new 3DES key" -a set-mgm-key --key="$MGM" -n "$NEW3DES"
expect_fail "the old management key is refused" yubico-piv-tool -r Yubico -a set-chuid --key="$MGM"
ypt_check "the new 3DES management key authenticates (set-chuid)" -a set-chuid --key="$NEW3DES"
ypt_check "set-mgm-key back to the default" -a set-mgm-key --key="$NEW3DES" -n "$MGM"

# --- management key: AES (YubiKey 5.4+), raw APDUs with tests/interop/mgmkey.py
PY=/usr/bin/python3
if $PY -c 'import cryptography' 2>/dev/null; then
	cur_alg=3DES cur_key=$MGM
	for alg in AES128 AES192 AES256; do
		case $alg in AES128) len=16 ;; AES192) len=24 ;; AES256) len=32 ;; esac
		key=$(openssl rand -hex $len)
		tap_check "set the management key to $alg" t $PY "$INTEROP_DIR/mgmkey.py" Yubico $cur_alg "$cur_key" --set $alg "$key"
		expect_fail "the previous $cur_alg key no longer authenticates" $PY "$INTEROP_DIR/mgmkey.py" Yubico $cur_alg "$cur_key"
		tap_check "the $alg key authenticates and allows an admin-only PUT DATA" \
			t $PY "$INTEROP_DIR/mgmkey.py" Yubico $alg "$key" --check-admin
		expect_fail "a wrong $alg key does not authenticate" $PY "$INTEROP_DIR/mgmkey.py" Yubico $alg "$(openssl rand -hex $len)"
		cur_alg=$alg cur_key=$key
	done
	tap_check "set the management key back to the default 3DES key" \
		t $PY "$INTEROP_DIR/mgmkey.py" Yubico $cur_alg "$cur_key" --set 3DES "$MGM"
	ypt_check "yubico-piv-tool authenticates with the default key again" -a set-chuid --key="$MGM"
else
	tap_ok "# SKIP AES management keys: python3-cryptography not installed"
fi

# --- reset: refused while the PIN works, accepted when PIN and PUK are blocked
expect_fail "reset is refused while PIN and PUK are not blocked" yubico-piv-tool -r Yubico -a reset
ypt_check "the card is untouched by the refused reset (9a certificate still there)" -a read-certificate -s 9a -o "$D/9a.again.pem"
for i in 1 2 3; do ypt -a verify-pin -P 000000 >"$D/out" 2>&1; done
grep_check "PIN blocked by three wrong PINs" "$D/out" "[Bb]locked"
for i in 1 2 3; do ypt -a unblock-pin -P 00000000 -N 000000 >/dev/null 2>&1; done
expect_fail "PUK blocked: even the right PUK is refused" yubico-piv-tool -r Yubico -a unblock-pin -P 13572468 -N 123456
ypt_check "reset with PIN and PUK blocked" -a reset
eq_check "after reset: 3 PIN tries" "$(tries_left)" 3
ypt_check "after reset: the default PIN verifies" -a verify-pin -P 123456
ypt_check "after reset: the default PUK works" -a change-puk -P 12345678 -N 12345678
ypt_check "after reset: the default management key works" -a set-chuid --key="$MGM"
expect_fail "after reset: the 9a certificate is gone" yubico-piv-tool -r Yubico -a read-certificate -s 9a
expect_fail "after reset: the 9c key is gone" yubico-piv-tool -r Yubico -a verify-pin -P 123456 -a test-signature -s 9c -i "$D/9c.cert.pem"
tap_done
