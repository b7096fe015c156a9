#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ykcs11 (Yubico's PKCS #11 module, libykcs11) uses a simulated YubiKey: it lists the slot with the
# card's serial, the objects provisioned by yubico-piv-tool (and its attestation certificates), logs
# in, signs (RSA PKCS#1 v1.5, ECDSA) and decrypts; openssl verifies against the provisioning
# certificates. It also generates a key with an SO (management key) login and signs with it.
# ykcs11 only looks at readers whose name starts with "Yubico". Every ykcs11 session reads all the
# card's objects (about 100 APDUs), so the pkcs11-tool runs here are few.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	interop_require yubico-piv-tool pkcs11-tool "$YKCS11_MODULE"
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
p11() { t pkcs11-tool --module "$YKCS11_MODULE" "$@"; }
p11_check() { _d=$1; shift; tap_check "$_d" p11 "$@"; }
pub() { openssl x509 -in "$D/$1.cert.pem" -noout -pubkey >"$D/$1.cert.pub"; echo "$D/$1.cert.pub"; }

tap_check "provision 9a RSA-2048 and 9c P-256 with yubico-piv-tool" \
	t sh "$TESSERA_SRCDIR/tests/provision.sh" "$D" "9a:RSA2048 9c:ECCP256"
serial=$(t yubico-piv-tool -r Yubico -a status | sed -n 's/^Serial Number:[[:space:]]*//p')

# --- slots, token, mechanisms, objects
p11_check "pkcs11-tool -L lists the slots" -L
cp "$TAP_TMP/out" "$D/slots"
grep_check "ykcs11 sees a YubiKey token" "$D/slots" "token model.*YubiKey"
grep_check "the token's serial is the card's serial ($serial)" "$D/slots" "serial num[[:space:]]*: *$serial\$"
grep_check "the token's firmware is a YubiKey 5's" "$D/slots" "firmware version[[:space:]]*: *5\."
p11_check "pkcs11-tool -M lists the mechanisms" -M
grep_check "ykcs11 offers ECDSA for this card" "$TAP_TMP/out" "^  ECDSA,"
p11_check "--login -O lists the objects" --login --pin 123456 -O
cp "$TAP_TMP/out" "$D/objects"
tap_check "certificates with ID 01 and 02, none with ID 03 (9d is empty)" \
	sh -c 'obj_has() { awk -v k="$2" -v id="$3" "index(\$0, k) == 1 { o = 1; next } /^[A-Z]/ { o = 0 }
		o && \$1 == \"ID:\" && \$2 == id { f = 1 } END { exit !f }" "$1"; }
		obj_has "$1" "Certificate Object" 01 && obj_has "$1" "Certificate Object" 02 &&
		! obj_has "$1" "Certificate Object" 03' sh "$D/objects"
tap_check "private keys 01 (RSA) and 02 (EC)" \
	sh -c 'grep -A3 "^Private Key Object; RSA" "$1" | grep -q "ID:[[:space:]]*01" &&
		grep -A3 "^Private Key Object; EC" "$1" | grep -q "ID:[[:space:]]*02"' sh "$D/objects"
grep_check "the 9a certificate's subject" "$D/objects" "subject:.*CN=Alice Example/"
grep_check "an attestation certificate for 9a (ykcs11 asks the card to attest)" "$D/objects" \
	"label:.*Attestation 9a"
expect_fail "login with a wrong PIN fails" pkcs11-tool --module "$YKCS11_MODULE" --login --pin 000000 -O

# --- signatures and decryption
head -c 777 /dev/urandom >"$D/data"
p11_check "9a (ID 01) signs SHA256-RSA-PKCS" --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS \
	-i "$D/data" -o "$D/sig.pkcs1"
tap_check "openssl verifies it with the 9a certificate" \
	openssl dgst -sha256 -verify "$(pub 9a)" -signature "$D/sig.pkcs1" "$D/data"
p11_check "9c (ID 02) signs ECDSA-SHA256" --login --pin 123456 --sign --id 02 -m ECDSA-SHA256 \
	--signature-format openssl -i "$D/data" -o "$D/sig.ecdsa"
tap_check "openssl verifies the ECDSA signature with the 9c certificate" \
	openssl dgst -sha256 -verify "$(pub 9c)" -signature "$D/sig.ecdsa" "$D/data"
head -c 48 /dev/urandom >"$D/secret"
openssl pkeyutl -encrypt -certin -inkey "$D/9a.cert.pem" -in "$D/secret" -out "$D/secret.enc"
p11_check "9a decrypts RSA-PKCS" --login --pin 123456 --decrypt --id 01 -m RSA-PKCS \
	-i "$D/secret.enc" -o "$D/secret.dec"
tap_check "the decryption is what openssl encrypted to the 9a certificate" cmp "$D/secret" "$D/secret.dec"

# --- key generation with the SO (management key) login
p11_check "generate a P-256 key in 9e (ID 04) with the management key as SO PIN" \
	--login --login-type so --so-pin "$MGM" --keypairgen --key-type EC:prime256v1 --id 04
p11_check "the new 9e key signs ECDSA-SHA256" --login --pin 123456 --sign --id 04 -m ECDSA-SHA256 \
	--signature-format openssl -i "$D/data" -o "$D/sig.9e"
tap_check "yubico-piv-tool attests the key ykcs11 generated" \
	t yubico-piv-tool -r Yubico -a attest -s 9e -o "$D/9e.attest.pem"
tap_check "openssl verifies the 9e signature with the attested public key" \
	sh -c 'openssl x509 -in "$1" -noout -pubkey >"$1.pub" && openssl dgst -sha256 -verify "$1.pub" -signature "$2" "$3"' \
	sh "$D/9e.attest.pem" "$D/sig.9e" "$D/data"
tap_done
