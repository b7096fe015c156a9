#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provisioning/nss.sh: NSS provisions an empty card the way Firefox's and certutil's users
# do: certutil -R generates an RSA 2048 key on the card and a CSR (openssl req -verify accepts
# it), a test CA signs it, certutil -A imports the certificate to the card; a new process lists
# the key with its certificate (certutil -K) and cmsutil signs with it (openssl cms verifies).
# Then the same with a P-256 key, which goes to the first retired slot (82).
# Every step is its own process: the pairing of key and certificate survives restarts.
TESSERA_SRCDIR=${TESSERA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TESSERA_SRCDIR/tests/clients/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require certutil modutil cmsutil
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

export TESSERA_CACHE_DIR="$TAP_TMP/cache"
nss_provisioning "signed by a key NSS made on the card"

# issue FILE.csr NAME: the test CA's certificate for a CSR (S/MIME signing)
issue() {
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:nss@example.org\n' >"$TAP_TMP/$2.ext"
	t openssl x509 -req -in "$1" -CA "$TAP_TMP/ca/ca.pem" -CAkey "$TAP_TMP/ca/ca.key" -days 30 \
		-set_serial "0x$(openssl rand -hex 8)" -extfile "$TAP_TMP/$2.ext" -out "$TAP_TMP/$2.pem" 2>/dev/null
}

tap_check "certutil -R generates an RSA 2048 key on the card and a CSR" \
	with_module certutil -R -d "$db" -h "$tok" -s "CN=NSS RSA,O=Tessera Test" -k rsa -g 2048 \
	-f "$TAP_TMP/pin" -z "$TAP_TMP/noise" -a -o "$TAP_TMP/rsa.csr"
tap_check "openssl req -verify accepts the RSA CSR" t openssl req -verify -noout -in "$TAP_TMP/rsa.csr"
tap_check "the card's 9A slot holds the new key (pkcs11-tool)" sh -c \
	'pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey --id 01 2>/dev/null | grep -q "RSA 2048"'
tap_check "the pairing store is a file of mode 0600 per card serial" sh -c \
	'test "$(stat -c %a "$TESSERA_CACHE_DIR"/pairing-*)" = 600'
tap_check "the test CA signs the RSA CSR" issue "$TAP_TMP/rsa.csr" rsa
tap_check "certutil -A imports the RSA certificate to the card (a new process)" \
	with_module certutil -A -d "$db" -h "$tok" -n "nss rsa" -t ",," -i "$TAP_TMP/rsa.pem" -f "$TAP_TMP/pin"
tok=$(token)   # the token label follows the new 9A certificate's name
with_module certutil -K -d "$db" -h "$tok" -f "$TAP_TMP/pin" >"$TAP_TMP/keys" 2>&1
grep_check "certutil -K (a new process) lists the card's key with its certificate" "$TAP_TMP/keys" \
	"^<.*> rsa .*nss rsa$"
with_module certutil -L -d "$db" -h "$tok" >"$TAP_TMP/certs" 2>&1
grep_check "certutil -L shows the certificate as a user certificate (key paired)" "$TAP_TMP/certs" \
	"^$tok:nss rsa  *u,u,u"
tap_check "yubico-piv-tool reads the certificate NSS wrote in 9A" sh -c \
	'yubico-piv-tool -r "$(opensc-tool -l 2>/dev/null | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)" -a read-certificate -s 9a >"$1/9a.pem" && cmp "$1/9a.pem" "$1/rsa.pem"' sh "$TAP_TMP"
tap_check "cmsutil -S signs with the key NSS generated" \
	with_module cmsutil -S -d "$db" -N "$tok:nss rsa" -p "$PIN" -i "$TAP_TMP/msg" -o "$TAP_TMP/rsa.p7m"
tap_check "openssl cms -verify accepts that signature" t openssl cms -verify -inform DER -in "$TAP_TMP/rsa.p7m" \
	-CAfile "$TAP_TMP/ca/ca.pem" -purpose any -out "$TAP_TMP/rsa.out"
tap_check "the content signed is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/rsa.out"

# EC P-256: 9A is taken, so the key goes to the first retired slot (82). The certificate is
# imported by a new process, which finds the key without a certificate by its metadata.
tap_check "certutil -R -k ec -q secp256r1 generates a P-256 key on the card and a CSR" \
	with_module certutil -R -d "$db" -h "$tok" -s "CN=NSS EC,O=Tessera Test" -k ec -q secp256r1 \
	-f "$TAP_TMP/pin" -z "$TAP_TMP/noise" -a -o "$TAP_TMP/ec.csr"
tap_check "openssl req -verify accepts the EC CSR" t openssl req -verify -noout -in "$TAP_TMP/ec.csr"
tap_check "a new process lists the P-256 key NSS generated, still without its certificate" sh -c \
	'pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey 2>/dev/null | grep -q "EC_POINT 256 bits"'
tap_check "the test CA signs the EC CSR" issue "$TAP_TMP/ec.csr" ec
tap_check "certutil -A imports the EC certificate to the card (a new process)" \
	with_module certutil -A -d "$db" -h "$tok" -n "nss ec" -t ",," -i "$TAP_TMP/ec.pem" -f "$TAP_TMP/pin"
# The pairing survives the restart for every EC key: one key in two (Y even) used to lose its
# stored CKA_ID here, when the key's fingerprint was taken from a re-encoded SPKI (src/keyfpr.c).
tap_check "the pairing store holds for 82 the SHA-1 of the certificate's public key (DER SPKI)" sh -c \
	'fpr=$(openssl x509 -in "$1/ec.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha1sum | cut -c1-40) &&
	grep -q "^slot 82 fpr $fpr id [0-9a-f]" "$TESSERA_CACHE_DIR"/pairing-*' sh "$TAP_TMP"
with_module certutil -K -d "$db" -h "$tok" -f "$TAP_TMP/pin" >"$TAP_TMP/keys" 2>&1
grep_check "certutil -K (a new process) lists the EC key with its certificate" "$TAP_TMP/keys" \
	"^<.*> ec .*nss ec$"
grep_check "certutil -K still lists the RSA key with its certificate" "$TAP_TMP/keys" \
	"^<.*> rsa .*nss rsa$"
tap_check "yubico-piv-tool reads the EC certificate NSS wrote in 82" sh -c \
	'yubico-piv-tool -r "$(opensc-tool -l 2>/dev/null | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)" -a read-certificate -s 82 >"$1/82.pem" && cmp "$1/82.pem" "$1/ec.pem"' sh "$TAP_TMP"
tap_check "cmsutil -S signs with the EC key NSS generated" \
	with_module cmsutil -S -d "$db" -N "$tok:nss ec" -p "$PIN" -i "$TAP_TMP/msg" -o "$TAP_TMP/ec.p7m"
tap_check "openssl cms -verify accepts the ECDSA signature" t openssl cms -verify -inform DER \
	-in "$TAP_TMP/ec.p7m" -CAfile "$TAP_TMP/ca/ca.pem" -purpose any -out "$TAP_TMP/ec.out"
tap_check "the content signed with the EC key is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/ec.out"
tap_done
