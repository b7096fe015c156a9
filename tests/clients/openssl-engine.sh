#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenSSL 3 with the libp11 engine (libengine-pkcs11-openssl): the openssl command line uses card
# keys named by pkcs11: URIs (RFC 7512) through tessera-pkcs11.so. 9A signs (dgst RSA PKCS#1 v1.5,
# pkeyutl RSA-PSS, a certificate request), 9C signs ECDSA, 9D decrypts RSA PKCS#1 v1.5; openssl
# checks every result with the certificates issued at provisioning. A wrong PIN signs nothing.
. "$(dirname "$0")/common.sh"

ENGINE_SO=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
if [ "${1:-}" != --inside ]; then
	clients_require "$ENGINE_SO"
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
provision "$D"
# The engine comes from the configuration file, as a user would set it up; -engine pkcs11 then
# selects it on each command line.
cat >"$TAP_TMP/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE_SO
MODULE_PATH = $TESSERA_MODULE
init = 0
EOF
OPENSSL_CONF=$TAP_TMP/openssl.cnf
export OPENSSL_CONF
ossl_engine() { with_module openssl "$@"; }
uri() { echo "pkcs11:id=%$1;type=private?pin-value=$PIN"; }
for s in 9a 9c 9d; do
	openssl x509 -in "$D/$s.cert.pem" -noout -pubkey >"$TAP_TMP/$s.pub"
done
head -c 3000 /dev/urandom >"$TAP_TMP/data"
openssl dgst -sha256 -binary "$TAP_TMP/data" >"$TAP_TMP/data.sha256"

tap_check "openssl engine -t pkcs11 loads libp11 with tessera as its module" ossl_engine engine -t pkcs11
grep_check "the engine is available" "$TAP_TMP/out" "available"

# --- 9A: RSA PKCS#1 v1.5 with openssl dgst, the key named by its label
tap_check "openssl dgst -sign with the 9A key (pkcs11:object=PIV AUTH key)" \
	ossl_engine dgst -sha256 -engine pkcs11 -keyform engine \
	-sign "pkcs11:object=PIV%20AUTH%20key;type=private?pin-value=$PIN" -out "$TAP_TMP/sig.9a" "$TAP_TMP/data"
tap_check "openssl verifies the PKCS#1 v1.5 signature with the 9A certificate's key" \
	t openssl dgst -sha256 -verify "$TAP_TMP/9a.pub" -signature "$TAP_TMP/sig.9a" "$TAP_TMP/data"

# --- 9A: RSA-PSS with pkeyutl over a digest, the key named by its CKA_ID
tap_check "openssl pkeyutl -sign RSA-PSS (SHA-256, salt 32) with the 9A key (pkcs11:id=%01)" \
	ossl_engine pkeyutl -engine pkcs11 -keyform engine -sign -inkey "$(uri 01)" \
	-pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 \
	-in "$TAP_TMP/data.sha256" -out "$TAP_TMP/sig.pss"
tap_check "openssl verifies the PSS signature with the 9A certificate's key" \
	t openssl pkeyutl -verify -pubin -inkey "$TAP_TMP/9a.pub" -pkeyopt digest:sha256 \
	-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 \
	-in "$TAP_TMP/data.sha256" -sigfile "$TAP_TMP/sig.pss"

# --- 9A: a certificate request signed on the card
tap_check "openssl req -new signs a certificate request with the 9A key" \
	ossl_engine req -new -engine pkcs11 -keyform engine -key "$(uri 01)" \
	-subj "/CN=Alice Example request" -out "$TAP_TMP/req.pem"
tap_check "the request's signature verifies" t openssl req -in "$TAP_TMP/req.pem" -noout -verify
tap_check "the request carries the 9A public key" \
	sh -c '[ "$(openssl req -in "$1" -noout -pubkey)" = "$(cat "$2")" ]' sh "$TAP_TMP/req.pem" "$TAP_TMP/9a.pub"

# --- 9C: ECDSA (the PIN-always key). libp11 asks for the context-specific login (C_Login
# CKU_CONTEXT_SPECIFIC) through OpenSSL's UI, whatever the URI says: the PIN comes on stdin.
echo "$PIN" >"$TAP_TMP/pin"
tap_check "openssl dgst -sign ECDSA with the 9C key (pkcs11:id=%02, PIN always)" \
	with_module_input "$TAP_TMP/pin" openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$(uri 02)" \
	-out "$TAP_TMP/sig.9c" "$TAP_TMP/data"
tap_check "openssl verifies the ECDSA signature with the 9C certificate's key" \
	t openssl dgst -sha256 -verify "$TAP_TMP/9c.pub" -signature "$TAP_TMP/sig.9c" "$TAP_TMP/data"

# --- 9D: RSA decryption
printf 'a session key, say %s' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$TAP_TMP/secret"
openssl pkeyutl -encrypt -pubin -inkey "$TAP_TMP/9d.pub" -in "$TAP_TMP/secret" -out "$TAP_TMP/secret.enc"
tap_check "openssl pkeyutl -decrypt with the 9D key (pkcs11:id=%03)" \
	ossl_engine pkeyutl -engine pkcs11 -keyform engine -decrypt -inkey "$(uri 03)" \
	-in "$TAP_TMP/secret.enc" -out "$TAP_TMP/secret.dec"
tap_check "the decrypted data is what was encrypted to the 9D certificate" \
	cmp "$TAP_TMP/secret" "$TAP_TMP/secret.dec"

# --- a wrong PIN
rm -f "$TAP_TMP/sig.bad"
expect_fail "openssl dgst -sign with a wrong PIN fails" \
	ossl_engine dgst -sha256 -engine pkcs11 -keyform engine \
	-sign "pkcs11:id=%01;type=private?pin-value=654321" -out "$TAP_TMP/sig.bad" "$TAP_TMP/data"
grep_check "because the card refused the PIN (CKR_PIN_INCORRECT)" "$TAP_TMP/out" "PIN incorrect"
tap_check "and leaves no signature" test ! -s "$TAP_TMP/sig.bad"
tap_done
