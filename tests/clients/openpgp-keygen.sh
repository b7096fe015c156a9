#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# NSS provisions an empty OpenPGP card the way Firefox's and certutil's users do; the key lands in
# the OpenPGP slot its usage names:
#   - certutil -R -k rsa (NSS's default usages, sign and decrypt): authentication key 03;
#   - certutil -R -k ec --keyOpFlagsOff derive (sign only): signature key 01;
#   - certutil -G -k rsa --keyOpFlagsOff sign (decrypt only): decryption key 02.
# A test CA issues the certificates (from the CSR, or for 02 from the public key), certutil -A
# imports each to the card (a new process), and then, each in a new process: certutil -K lists the
# key with its certificate, pkcs11-tool with an empty cache folder reads the certificate from the
# card in the right slot (CKA_ID 01/02/03), and the key works: cmsutil -S signs with 03 and 01
# (openssl cms verifies), cmsutil -D decrypts with 02.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require certutil modutil cmsutil pkcs11-tool
	clients_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside
	tap_done
fi

nss_provisioning "signed by a key NSS made on an OpenPGP card"
tap_check "the OpenPGP card is empty: no public key" sh -c \
	'! pkcs11-tool --module "$TESSERA_MODULE" -O 2>/dev/null | grep -q "^Public Key Object"'

# issue NAME KU [CSR]: the test CA's certificate $TAP_TMP/NAME.pem for a CSR, or without CSR for
# the public key $TAP_TMP/NAME.pub.pem
issue() {
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection,clientAuth\nsubjectAltName=email:nss@example.org\n' \
		"$2" >"$TAP_TMP/$1.ext"
	if [ -n "${3:-}" ]; then
		t openssl x509 -req -in "$3" -CA "$TAP_TMP/ca/ca.pem" -CAkey "$TAP_TMP/ca/ca.key" -days 30 \
			-set_serial "0x$(openssl rand -hex 8)" -extfile "$TAP_TMP/$1.ext" -out "$TAP_TMP/$1.pem" 2>/dev/null
	else
		t openssl x509 -new -force_pubkey "$TAP_TMP/$1.pub.pem" -subj "/O=Tessera Test/CN=NSS $1" \
			-CA "$TAP_TMP/ca/ca.pem" -CAkey "$TAP_TMP/ca/ca.key" -days 30 \
			-set_serial "0x$(openssl rand -hex 8)" -extfile "$TAP_TMP/$1.ext" -out "$TAP_TMP/$1.pem" 2>/dev/null
	fi && openssl x509 -in "$TAP_TMP/$1.pem" -outform DER -out "$TAP_TMP/$1.der"
}

# imported NAME ID LABEL KEYTYPE: after certutil -A, each in a new process: the key is listed
# with its certificate, the card holds the certificate in slot ID; four tests.
imported() {
	tap_check "certutil -A imports the $1 certificate to the card (a new process)" \
		with_module certutil -A -d "$db" -h "$tok" -n "nss $1" -t ",," -i "$TAP_TMP/$1.pem" -f "$TAP_TMP/pin"
	tok=$(token)   # the token label may follow the authentication certificate's name
	with_module certutil -K -d "$db" -h "$tok" -f "$TAP_TMP/pin" >"$TAP_TMP/keys" 2>&1
	grep_check "certutil -K (a new process) lists the $4 key with its certificate" "$TAP_TMP/keys" \
		"^<.*> $4 .*nss $1$"
	with_module certutil -L -d "$db" -h "$tok" >"$TAP_TMP/certs" 2>&1
	grep_check "certutil -L shows the $1 certificate as a user certificate (key paired)" "$TAP_TMP/certs" \
		"^$tok:nss $1  *u,u,u"
	tap_check "read from the card (empty cache folder): the $3 certificate, CKA_ID $2, is the one imported" sh -c '
		TESSERA_CACHE_DIR=$1/fresh-$2 pkcs11-tool --module "$TESSERA_MODULE" --read-object --type cert --id "$2" \
			-o "$1/$2.card.der" && cmp "$1/$2.card.der" "$1/$3.der" &&
		TESSERA_CACHE_DIR=$1/fresh-$2 pkcs11-tool --module "$TESSERA_MODULE" -O --type cert |
			grep -q "label: *Certificate for $4"' sh "$TAP_TMP" "$2" "$1" "$3"
}

# cms_sign NAME: cmsutil -S with the key of "nss NAME", openssl cms -verify; two tests
cms_sign() {
	tap_check "cmsutil -S signs with the $1 key NSS generated" \
		with_module cmsutil -S -d "$db" -N "$tok:nss $1" -p "$PIN" -i "$TAP_TMP/msg" -o "$TAP_TMP/$1.p7m"
	tap_check "openssl cms -verify accepts that signature, of the message" sh -c '
		openssl cms -verify -inform DER -in "$1/$2.p7m" -CAfile "$1/ca/ca.pem" -purpose any -out "$1/$2.out" &&
		cmp "$1/msg" "$1/$2.out"' sh "$TAP_TMP" "$1"
}

# --- NSS's default: an RSA key for signing and decryption -> the authentication key 03
tap_check "certutil -R generates an RSA 2048 key on the card and a CSR (sign and decrypt)" \
	with_module certutil -R -d "$db" -h "$tok" -s "CN=NSS rsa,O=Tessera Test" -k rsa -g 2048 \
	-f "$TAP_TMP/pin" -z "$TAP_TMP/noise" -a -o "$TAP_TMP/rsa.csr"
tap_check "openssl req -verify accepts the RSA CSR" t openssl req -verify -noout -in "$TAP_TMP/rsa.csr"
p11_pub() { pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey 2>/dev/null; }
tap_check "the new key is the authentication key (label, RSA 2048)" sh -c \
	'pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey 2>/dev/null |
		grep -B1 "label: *Authentication pubkey" | grep -q "RSA 2048"'
tap_check "the test CA signs the RSA CSR" issue rsa "digitalSignature,keyEncipherment" "$TAP_TMP/rsa.csr"
imported rsa 03 Authentication rsa
cms_sign rsa

# --- an EC key for signing only -> the signature key 01
tap_check "certutil -R -k ec --keyOpFlagsOff derive generates a P-256 signing key and a CSR" \
	with_module certutil -R -d "$db" -h "$tok" -s "CN=NSS ec,O=Tessera Test" -k ec -q secp256r1 \
	--keyOpFlagsOff derive -f "$TAP_TMP/pin" -z "$TAP_TMP/noise" -a -o "$TAP_TMP/ec.csr"
tap_check "openssl req -verify accepts the EC CSR" t openssl req -verify -noout -in "$TAP_TMP/ec.csr"
tap_check "the new key is the signature key (label, P-256)" sh -c \
	'pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey 2>/dev/null |
		grep -A2 "^Public Key Object; EC" | grep -q "EC_PARAMS: *06082a8648ce3d030107" &&
	pkcs11-tool --module "$TESSERA_MODULE" -O --type pubkey 2>/dev/null |
		grep -A3 "^Public Key Object; EC" | grep -q "label: *Signature pubkey"'
tap_check "the test CA signs the EC CSR" issue ec "digitalSignature,nonRepudiation" "$TAP_TMP/ec.csr"
imported ec 01 Signature ec
cms_sign ec
tap_check "the authentication key's certificate on the card is still the RSA one" sh -c '
	TESSERA_CACHE_DIR=$1/fresh-again pkcs11-tool --module "$TESSERA_MODULE" --read-object --type cert --id 03 -o "$1/03.again.der" &&
	cmp "$1/03.again.der" "$1/rsa.der"' sh "$TAP_TMP"

# --- an RSA key for decryption only (certutil -G: no CSR, which needs a signature) -> 02
tap_check "certutil -G -k rsa --keyOpFlagsOff sign generates an RSA decryption key" \
	with_module certutil -G -d "$db" -h "$tok" -k rsa -g 2048 --keyOpFlagsOff sign \
	-f "$TAP_TMP/pin" -z "$TAP_TMP/noise"
p11_pub | awk '/^Public Key Object/ { rsa = /RSA/ } rsa && /label: *Decryption pubkey/ { found = 1 } END { exit !found }'
if [ $? = 0 ]; then tap_ok "the new key is the decryption key (label, RSA)"; else
	tap_fail "the new key is the decryption key (label, RSA)"; p11_pub | tap_diag; fi
id02=$(p11_pub | awk '$1 == "label:" { l = $2 } $1 == "ID:" && l == "Decryption" { print $2; exit }')
tap_check "pkcs11-tool reads its public key (CKA_ID $id02, set by NSS)" sh -c '
	pkcs11-tool --module "$TESSERA_MODULE" --read-object --type pubkey --id "$2" -o "$1/dec.pub.der" &&
	openssl pkey -pubin -inform DER -in "$1/dec.pub.der" -out "$1/dec.pub.pem"' sh "$TAP_TMP" "$id02"
tap_check "the test CA issues a certificate for it" issue dec "keyEncipherment"
imported dec 02 Decryption rsa
tap_check "openssl cms -encrypt makes EnvelopedData for that certificate" \
	t openssl cms -encrypt -binary -aes256 -in "$TAP_TMP/msg" -outform DER -out "$TAP_TMP/dec.p7m" "$TAP_TMP/dec.pem"
tap_check "cmsutil -D decrypts it with the key NSS generated (a new process)" \
	with_module cmsutil -D -d "$db" -p "$PIN" -i "$TAP_TMP/dec.p7m" -o "$TAP_TMP/dec.out"
tap_check "the decrypted content is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/dec.out"
tap_done
