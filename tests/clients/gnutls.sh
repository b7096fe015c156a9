#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GnuTLS's p11tool with tessera-pkcs11.so as its provider: without a PIN it lists the card's
# certificates (by label and CKA_ID) and public keys and no private key; a certificate it exports is
# the one provisioned; after login (GNUTLS_PIN) it lists the four private keys, non-extractable,
# 9C with CKA_ALWAYS_AUTHENTICATE; --test-sign signs on the card and verifies with the public key.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require p11tool
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
p11() { with_module p11tool --provider "$TESSERA_MODULE" "$@"; }
# count FILE PATTERN: how many lines of FILE match PATTERN.
count() { grep -c -- "$2" "$1"; }
provision "$D"

tap_check "p11tool --list-all lists the token's public objects" p11 --list-all
cp "$TAP_TMP/out" "$TAP_TMP/all"
set -- 01 "PIV%20Authentication" 02 "Digital%20Signature" 03 "Key%20Management" 04 "Card%20Authentication"
while [ $# -gt 0 ]; do
	grep_check "certificate $(echo "$2" | sed 's/%20/ /g') (ID $1) by URL: id and label" "$TAP_TMP/all" \
		"URL: pkcs11:.*;id=%$1;object=Certificate%20for%20$2;type=cert"
	grep_check "public key with ID $1" "$TAP_TMP/all" "URL: pkcs11:.*;id=%$1;object=.*;type=public"
	shift 2
done
tap_check "no private key is listed without login" test "$(count "$TAP_TMP/all" "type=private")" = 0
grep_check "the 9A certificate is RSA-2048" "$TAP_TMP/all" "Type: X.509 Certificate (RSA-2048)"
grep_check "the 9C certificate is P-256" "$TAP_TMP/all" "Type: X.509 Certificate (EC/ECDSA-SECP256R1)"

tap_check "p11tool --list-all-certs" p11 --list-all-certs
cp "$TAP_TMP/out" "$TAP_TMP/certs"
tap_check "it lists exactly the 4 certificates" test "$(count "$TAP_TMP/certs" "^Object [0-9]")" = 4
grep_check "each by its label" "$TAP_TMP/certs" "Label: Certificate for Key Management"

url=$(sed -n 's/^[[:space:]]*URL: \(pkcs11:.*object=Certificate%20for%20PIV%20Authentication;type=cert\)$/\1/p' \
	"$TAP_TMP/all" | head -n 1)
tap_check "p11tool --export the 9A certificate by its URL" p11 --export "$url" --outfile "$TAP_TMP/9a.pem"
tap_check "it is the certificate provisioned in 9A" \
	sh -c '[ "$(openssl x509 -in "$1" -outform DER | od -An -tx1)" = "$(od -An -tx1 "$2")" ]' \
	sh "$TAP_TMP/9a.pem" "$D/9a.cert.der"

# --- after login
GNUTLS_PIN=$PIN
export GNUTLS_PIN
tap_check "p11tool --login --list-privkeys (GNUTLS_PIN)" p11 --login --list-privkeys
cp "$TAP_TMP/out" "$TAP_TMP/priv"
tap_check "4 private keys" test "$(count "$TAP_TMP/priv" "^Object [0-9]")" = 4
for id in 01 02 03 04; do
	grep_check "a private key with ID $id" "$TAP_TMP/priv" "URL: pkcs11:.*;id=%$id;.*type=private"
done
tap_check "every private key is sensitive and never extractable" \
	test "$(count "$TAP_TMP/priv" "Flags:.*CKA_NEVER_EXTRACTABLE; CKA_SENSITIVE")" = 4
tap_check "only the 9C key needs the PIN for every use (CKA_ALWAYS_AUTHENTICATE)" \
	test "$(count "$TAP_TMP/priv" "CKA_ALWAYS_AUTH")" = 1
grep_check "the 9A key is RSA-2048" "$TAP_TMP/priv" "Type: Private key (RSA-2048)"

tap_check "p11tool --test-sign: the 9A key signs and GnuTLS verifies with its public key" \
	p11 --login --test-sign "pkcs11:id=%01;type=private"
grep_check "the test signature verified" "$TAP_TMP/out" "Verifying against public key.*ok"
tap_check "p11tool --test-sign with the 9E key (ECDSA)" \
	p11 --login --test-sign "pkcs11:id=%04;type=private"
grep_check "the ECDSA test signature verified" "$TAP_TMP/out" "Verifying against public key.*ok"
GNUTLS_PIN=654321
expect_fail "p11tool --login with a wrong PIN lists nothing" p11 --login --list-privkeys
grep_check "because the card refused the PIN (CKR_PIN_INCORRECT)" "$TAP_TMP/out" "Wrong PIN has been provided"
tap_done
