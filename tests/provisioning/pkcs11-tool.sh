#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provisioning/pkcs11-tool.sh: OpenSC's pkcs11-tool provisions an empty simulated YubiKey
# through tessera, cross-checked with yubico-piv-tool (which talks to the card directly): key
# pairs generated into the slots their CKA_ID names, a certificate written, read back by
# yubico-piv-tool and deleted, a certificate written by yubico-piv-tool listed by tessera,
# private keys made by OpenSSL imported (--write-object --type privkey). Templates the card
# cannot take (RSA 1536, secp521r1, an extractable key) are refused with their CKR_ code and
# leave the card as it was: the simulator's state file (keys, objects) is unchanged.
TESSERA_SRCDIR=${TESSERA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TESSERA_SRCDIR/tests/clients/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require pkcs11-tool
	clients_testbed --cards 1 --state "$TAP_TMP/card.state" -- sh "$0" --inside "$TAP_TMP/card.state"
	tap_done
fi

state=$2
export TESSERA_CACHE_DIR="$TAP_TMP/cache"
reader=$(opensc-tool -l 2>/dev/null | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)
p11() { with_module pkcs11-tool --module "$TESSERA_MODULE" "$@"; }
p11_login() { p11 --login --pin "$PIN" "$@"; }
ypt() { t yubico-piv-tool -r "$reader" "$@"; }
card_sum() { sha256sum <"$state"; }

# refused DESCRIPTION CKR_PATTERN PKCS11-TOOL-ARGS...: pkcs11-tool fails saying CKR_PATTERN (a grep
# pattern) and the card state is what it was before.
refused() {
	_desc=$1 _ckr=$2
	shift 2
	_before=$(card_sum)
	p11_login "$@" >"$TAP_TMP/refused" 2>&1
	_st=$?
	if [ "$_st" != 0 ] && grep -q "$_ckr" "$TAP_TMP/refused" && [ "$(card_sum)" = "$_before" ]; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (exit $_st, card changed: $([ "$(card_sum)" = "$_before" ] && echo no || echo yes))"
		tap_diag <"$TAP_TMP/refused"
	fi
}

# pkcs11-tool 0.23 itself reads freed memory when it turns an EC public key into an EVP_PKEY
# (--read-object --type pubkey): with the ASan runtime preloaded (sanitizer build) it dies. There
# the checks that need it are skipped.
ec_read() {
	if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
		tap_ok "$1 # SKIP pkcs11-tool 0.23 reads freed memory on EC public keys (ASan)"
		return 1
	fi
	return 0
}

# A test CA for the certificates of the card's keys.
t openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TAP_TMP/ca.key" \
	-out "$TAP_TMP/ca.pem" -days 30 -subj "/CN=Tessera pkcs11-tool CA" 2>/dev/null
t openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TAP_TMP/tmp.key" \
	-out "$TAP_TMP/tmp.csr" -subj "/CN=placeholder" 2>/dev/null
# cert_for ID NAME: the CA's certificate for the public key of card object ID (NAME.pem, NAME.der)
cert_for() {
	p11 --read-object --type pubkey --id "$1" -o "$TAP_TMP/$2.pub.der" &&
	t openssl pkey -pubin -inform DER -in "$TAP_TMP/$2.pub.der" -out "$TAP_TMP/$2.pub.pem" &&
	t openssl x509 -req -in "$TAP_TMP/tmp.csr" -CA "$TAP_TMP/ca.pem" -CAkey "$TAP_TMP/ca.key" \
		-force_pubkey "$TAP_TMP/$2.pub.pem" -subj "/CN=$2" -days 30 -set_serial "0x$(openssl rand -hex 8)" \
		-out "$TAP_TMP/$2.pem" 2>/dev/null &&
	t openssl x509 -in "$TAP_TMP/$2.pem" -outform DER -out "$TAP_TMP/$2.der"
}

tap_check "pkcs11-tool --keypairgen rsa:2048 --id 01 generates into 9A" \
	p11_login --keypairgen --key-type rsa:2048 --id 01 --label "rsa gen"
tap_check "pkcs11-tool --keypairgen EC:prime256v1 --id 02 generates into 9C" \
	p11_login --keypairgen --key-type EC:prime256v1 --id 02 --usage-sign
p11 -O --type pubkey >"$TAP_TMP/pubs" 2>&1
grep_check "a new process lists the RSA 2048 public key (ID 01)" "$TAP_TMP/pubs" "RSA 2048"
grep_check "a new process lists the P-256 public key (ID 02)" "$TAP_TMP/pubs" "EC_POINT 256 bits"

tap_check "the test CA certifies the 9A key" cert_for 01 rsa
tap_check "pkcs11-tool --write-object --type cert --id 01 writes the certificate" \
	p11_login --write-object "$TAP_TMP/rsa.der" --type cert --id 01
tap_check "yubico-piv-tool -a read-certificate -s 9a reads what tessera wrote" sh -c \
	'yubico-piv-tool -r "$1" -a read-certificate -s 9a >"$2/9a.pem" && cmp "$2/9a.pem" "$2/rsa.pem"' \
	sh "$reader" "$TAP_TMP"
ypt -a status >"$TAP_TMP/status" 2>&1
grep_check "yubico-piv-tool -a status shows the certificate in 9a" "$TAP_TMP/status" "Subject DN:.*CN *= *rsa"

if ec_read "the test CA certifies the 9C key, yubico-piv-tool writes it, tessera lists it"; then
	tap_check "the test CA certifies the 9C key" cert_for 02 ec
	tap_check "yubico-piv-tool -a import-certificate writes a certificate into 9c" \
		ypt -a verify-pin -P "$PIN" -a import-certificate -s 9c -i "$TAP_TMP/ec.pem"
	p11 -O --type cert >"$TAP_TMP/certs" 2>&1
	grep_check "tessera lists the certificate yubico-piv-tool wrote (-O, ID 02)" "$TAP_TMP/certs" "label: *Certificate for Digital Signature"
	tap_check "tessera's certificate object in 9C is the one yubico-piv-tool wrote" sh -c \
		'pkcs11-tool --module "$TESSERA_MODULE" --read-object --type cert --id 02 -o "$1/9c.der" 2>/dev/null && cmp "$1/9c.der" "$1/ec.der"' \
		sh "$TAP_TMP"
fi

tap_check "pkcs11-tool --delete-object --type cert --id 01 deletes the certificate" \
	p11_login --delete-object --type cert --id 01
expect_fail "yubico-piv-tool finds no certificate in 9a any more" ypt -a read-certificate -s 9a
p11 -O --type cert >"$TAP_TMP/certs" 2>&1
expect_fail "tessera lists no certificate with ID 01" grep -q "Certificate for PIV Authentication" "$TAP_TMP/certs"

refused "RSA 1536 is refused with CKR_KEY_SIZE_RANGE, the card unchanged" CKR_KEY_SIZE_RANGE \
	--keypairgen --key-type rsa:1536 --id 03
# (pkcs11-tool 0.23 knows no name for CKR_CURVE_NOT_SUPPORTED: "unknown PKCS11 error (0x140)")
refused "secp521r1 is refused with CKR_CURVE_NOT_SUPPORTED, the card unchanged" 'CKR_CURVE_NOT_SUPPORTED\|(0x140)' \
	--keypairgen --key-type EC:secp521r1 --id 03
refused "an extractable key is refused with CKR_ATTRIBUTE_VALUE_INVALID, the card unchanged" \
	CKR_ATTRIBUTE_VALUE_INVALID --keypairgen --key-type EC:prime256v1 --id 03 --extractable

# Import: keys made by OpenSSL, written as private-key objects.
t openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -outform DER -out "$TAP_TMP/imp-rsa.der" 2>/dev/null
t openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER -out "$TAP_TMP/imp-ec.der" 2>/dev/null
tap_check "pkcs11-tool --write-object --type privkey --id 05 imports an RSA 2048 key into 82" \
	p11_login --write-object "$TAP_TMP/imp-rsa.der" --type privkey --id 05 --usage-decrypt
tap_check "pkcs11-tool --write-object --type privkey --id 06 imports a P-256 key into 83" \
	p11_login --write-object "$TAP_TMP/imp-ec.der" --type privkey --id 06 --usage-derive
# same_pub ID FILE: the card's public key of ID is the one of the OpenSSL key FILE
same_pub() {
	p11 --read-object --type pubkey --id "$1" -o "$TAP_TMP/card-$1.der" &&
	t openssl pkey -inform DER -in "$2" -pubout -outform DER -out "$TAP_TMP/ossl-$1.der" &&
	cmp "$TAP_TMP/card-$1.der" "$TAP_TMP/ossl-$1.der"
}
tap_check "a new process lists the imported RSA key's public key (ID 05)" same_pub 05 "$TAP_TMP/imp-rsa.der"
ec_read "a new process lists the imported P-256 key's public key (ID 06)" &&
	tap_check "a new process lists the imported P-256 key's public key (ID 06)" same_pub 06 "$TAP_TMP/imp-ec.der"
echo "a secret for the imported key" >"$TAP_TMP/secret"
tap_check "the card decrypts with the imported RSA key what OpenSSL encrypted" sh -c '
	openssl pkeyutl -encrypt -pubin -inkey "$1/ossl-05.der" -keyform DER -in "$1/secret" -out "$1/secret.enc" &&
	timeout 40 pkcs11-tool --module "$TESSERA_MODULE" --login --pin "$2" --decrypt -m RSA-PKCS --id 05 \
		-i "$1/secret.enc" -o "$1/secret.dec" 2>/dev/null && cmp "$1/secret" "$1/secret.dec"' sh "$TAP_TMP" "$PIN"
ypt -a status >"$TAP_TMP/status" 2>&1
ec_read "yubico-piv-tool still sees the 9c certificate after all this" &&
	grep_check "yubico-piv-tool still sees the 9c certificate after all this" "$TAP_TMP/status" "Subject DN:.*CN *= *ec"
tap_done
