#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenSC (its PIV driver, opensc-pkcs11.so, pkcs11-tool, opensc-tool, piv-tool) uses a simulated
# card provisioned by yubico-piv-tool (tests/provision.sh): the token and its objects are listed,
# 9a signs RSA PKCS#1 v1.5 and PSS, 9c signs ECDSA, 9d decrypts RSA PKCS#1 v1.5, and openssl
# checks every result against the certificates issued at provisioning.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	interop_require yubico-piv-tool pkcs11-tool opensc-tool piv-tool "$OPENSC_MODULE"
	interop_testbed --cards 1 --reader-name "Yubico YubiKey" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
p11() { t pkcs11-tool --module "$OPENSC_MODULE" "$@"; }
p11_check() { _d=$1; shift; tap_check "$_d" p11 "$@"; }
pub() { openssl x509 -in "$D/$1.cert.pem" -noout -pubkey >"$D/$1.cert.pub"; echo "$D/$1.cert.pub"; }

tap_check "provision 9a RSA-2048, 9c P-256, 9d RSA-2048, 9e P-256 with yubico-piv-tool" \
	t sh "$TESSERA_SRCDIR/tests/provision.sh" "$D"

# --- opensc-tool, piv-tool
tap_check "opensc-tool -a prints the card's ATR" opensc-tool -a
grep_check "the ATR is a YubiKey 5's (historical bytes 'YubiKey')" "$TAP_TMP/out" "59:75:62:69:4b:65:79"
tap_check "opensc-tool -n names the card" opensc-tool -n
grep_check "OpenSC's PIV driver takes the card" "$TAP_TMP/out" "Personal Identity Verification Card"
t yubico-piv-tool -r Yubico -a set-chuid --key="$MGM" >/dev/null 2>&1
guid=$(t yubico-piv-tool -r Yubico -a status | sed -n 's/^CHUID:[[:space:]]*//p' | sed -n 's/.*3410\([0-9a-f]\{32\}\).*/\1/p')
tap_check "piv-tool --serial reads the card's serial (CHUID GUID)" piv-tool --serial
if [ -n "$guid" ] && tr -d ' \n' <"$TAP_TMP/out" | tr 'A-F' 'a-f' | grep -q "$guid"; then
	tap_ok "piv-tool's serial is the GUID of the CHUID yubico-piv-tool wrote ($guid)"
else
	tap_fail "piv-tool's serial is not the CHUID's GUID '$guid'"; tap_diag <"$TAP_TMP/out"
fi

# --- slots and objects
p11_check "pkcs11-tool -L lists the slots" -L
cp "$TAP_TMP/out" "$D/slots"
grep_check "the card's reader has a token" "$D/slots" "token label"
grep_check "the token needs a login (PIN)" "$D/slots" "token flags.*login required"
p11_check "pkcs11-tool -O lists the objects" -O
cp "$TAP_TMP/out" "$D/objects"
for id in 01 02 03 04; do
	tap_check "a certificate with ID $id" \
		sh -c 'grep -A6 "^Certificate Object" "$1" | grep -q "ID:[[:space:]]*$2"' sh "$D/objects" $id
done
tap_check "the 9a certificate's subject" grep -q "subject:.*CN=Alice Example/" "$D/objects"
p11_check "pkcs11-tool --login -O lists the private keys" --login --pin 123456 -O
cp "$TAP_TMP/out" "$D/objects-login"
tap_check "4 private keys after login (9a, 9c, 9d, 9e)" \
	test "$(grep -c '^Private Key Object' "$D/objects-login")" = 4
tap_check "private key 01 is RSA, 02 is EC" \
	sh -c 'grep -A6 "^Private Key Object; RSA" "$1" | grep -q "ID:[[:space:]]*01" &&
		grep -A6 "^Private Key Object; EC" "$1" | grep -q "ID:[[:space:]]*02"' sh "$D/objects-login"
p11_check "read the 9a certificate with pkcs11-tool" --read-object --type cert --id 01 -o "$D/p11-9a.der"
tap_check "the certificate read by OpenSC is the one imported, byte for byte" cmp "$D/9a.cert.der" "$D/p11-9a.der"

# --- signatures
head -c 1000 /dev/urandom >"$D/data"
p11_check "9a (ID 01) signs SHA256-RSA-PKCS" --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS \
	-i "$D/data" -o "$D/sig.pkcs1"
tap_check "openssl verifies the PKCS#1 v1.5 signature with the 9a certificate" \
	openssl dgst -sha256 -verify "$(pub 9a)" -signature "$D/sig.pkcs1" "$D/data"
p11_check "9a signs SHA256-RSA-PKCS-PSS (MGF1-SHA256, salt 32)" --login --pin 123456 --sign --id 01 \
	-m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 --salt-len 32 -i "$D/data" -o "$D/sig.pss"
tap_check "openssl verifies the PSS signature with the 9a certificate" \
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
	-verify "$(pub 9a)" -signature "$D/sig.pss" "$D/data"
p11_check "9c (ID 02) signs ECDSA-SHA256" --login --pin 123456 --sign --id 02 -m ECDSA-SHA256 \
	--signature-format openssl -i "$D/data" -o "$D/sig.ecdsa"
tap_check "openssl verifies the ECDSA signature with the 9c certificate" \
	openssl dgst -sha256 -verify "$(pub 9c)" -signature "$D/sig.ecdsa" "$D/data"
openssl dgst -sha256 -binary "$D/data" >"$D/data.sha256"
p11_check "9e (ID 04) signs raw ECDSA over a SHA-256 digest" --login --pin 123456 --sign --id 04 -m ECDSA \
	--signature-format openssl -i "$D/data.sha256" -o "$D/sig.9e"
tap_check "openssl pkeyutl verifies the 9e signature with the 9e certificate" \
	openssl pkeyutl -verify -pubin -inkey "$(pub 9e)" -in "$D/data.sha256" -sigfile "$D/sig.9e"
tap_check "a signature by 9a does not verify with the 9d certificate (keys are distinct)" \
	sh -c '! openssl dgst -sha256 -verify "$1" -signature "$2" "$3"' sh "$(pub 9d)" "$D/sig.pkcs1" "$D/data"
expect_fail "signing with a wrong PIN fails" pkcs11-tool --module "$OPENSC_MODULE" --login --pin 654321 \
	--sign --id 01 -m SHA256-RSA-PKCS -i "$D/data" -o "$D/sig.bad"
p11_check "the right PIN still signs after one wrong PIN" --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS \
	-i "$D/data" -o "$D/sig.again"

# --- decryption
head -c 32 /dev/urandom >"$D/secret"
openssl pkeyutl -encrypt -certin -inkey "$D/9d.cert.pem" -pkeyopt rsa_padding_mode:pkcs1 \
	-in "$D/secret" -out "$D/secret.enc"
p11_check "9d (ID 03) decrypts RSA-PKCS" --login --pin 123456 --decrypt --id 03 -m RSA-PKCS \
	-i "$D/secret.enc" -o "$D/secret.dec"
tap_check "the decryption is what openssl encrypted to the 9d certificate" cmp "$D/secret" "$D/secret.dec"
tap_done
