#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provision-openpgp.sh DIR [KEYS]: provision the simulated OpenPGP card of the test bed
# through tessera itself, with OpenSC's pkcs11-tool loading tessera-pkcs11.so ($TESSERA_MODULE):
# for each key, a key pair generated on the card (C_GenerateKeyPair; the user PIN, tessera
# presents the default admin PIN PW3 itself), the public key as tessera returns it, a certificate
# from a test CA for that key (openssl x509 -new -force_pubkey), written to the card
# (C_CreateObject CKO_CERTIFICATE with the key's CKA_ID). Runs inside tests/testbed.
#   KEYS: space-separated ID:TYPE pairs, ID 01 (signature), 02 (decryption) or 03
#         (authentication), TYPE as pkcs11-tool's --key-type: rsa:2048, EC:prime256v1,
#         EC:secp384r1, EC:edwards25519 (Ed25519), EC:curve25519 (X25519)
#         (default "01:rsa:2048 02:rsa:2048 03:EC:prime256v1")
#   The token: the first one whose model is "OpenPGP card", unless PROVISION_SLOT names a slot
#   ID (pkcs11-tool --slot).
# Writes into DIR: ca.pem ca.key (kept when there), ID.pub.pem, ID.pub.der, ID.cert.pem and
# ID.cert.der per key. Subjects: CN=Alice Example signing (01), CN=Alice Example encryption (02),
# CN=Alice Example (03), each with the e-mail address alice@example.org.
set -eu
dir=$1
keys=${2:-"01:rsa:2048 02:rsa:2048 03:EC:prime256v1"}
PIN=${PROVISION_PIN:-123456}
: "${TESSERA_MODULE:?run inside tests/testbed}"
mkdir -p "$dir"
cd "$dir"

slot=${PROVISION_SLOT:-}
if [ -z "$slot" ]; then
	# pkcs11-tool -L: "Slot N (0xID): READER" and, a few lines later, "token model : ...".
	slot=$(pkcs11-tool --module "$TESSERA_MODULE" -L 2>/dev/null | awk '
		/^Slot [0-9]+ \(0x[0-9a-f]+\)/ { id = $3; gsub(/[():]/, "", id) }
		/token model *: *OpenPGP card/ && id != "" { print id; exit }')
fi
[ -n "$slot" ] || { echo "provision-openpgp.sh: no OpenPGP card token" >&2; exit 1; }
p11() { pkcs11-tool --module "$TESSERA_MODULE" --slot "$slot" "$@"; }

if [ ! -f ca.pem ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
		-subj "/O=Tessera Test/CN=Tessera Test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# spki_from_point PREFIX-HEX ID: the DER SubjectPublicKeyInfo of an EC, Ed25519 or X25519 key:
# PREFIX (the SPKI's header for the curve) and the point from its CKA_EC_POINT as pkcs11-tool -O
# prints it (an OCTET STRING: 04, length, point). pkcs11-tool 0.23 does not read Ed25519 and
# X25519 keys itself, and reading an EC public key is a use after free in it (ASan build).
spki_from_point() {
	# (pkcs11-tool -O lists every public key, whatever --id says: the block with ID $2)
	point=$(p11 -O --type pubkey 2>/dev/null | awk -v id="$2" '
		/^Public Key Object/ { p = "" }
		$1 == "EC_POINT:" && substr($2, 1, 2) == "04" { p = substr($2, 5) }
		$1 == "ID:" && $2 == id && p != "" { print p; exit }')
	[ -n "$point" ] || { echo "provision-openpgp.sh: no EC_POINT for $2" >&2; return 1; }
	perl -e 'print pack("H*", $ARGV[0])' "$1$point" >"$2.pub.der"
}

for pair in $keys; do
	id=${pair%%:*}
	type=${pair#*:}
	case $id in
	01) cn="Alice Example signing"; ku="digitalSignature,nonRepudiation"; eku="emailProtection" ;;
	02) cn="Alice Example encryption"; ku="keyEncipherment"; eku="emailProtection" ;;
	03) cn="Alice Example"; ku="digitalSignature"; eku="clientAuth,emailProtection" ;;
	*) echo "provision-openpgp.sh: no OpenPGP key $id (01, 02, 03)" >&2; exit 1 ;;
	esac
	case $id:$type in 02:EC*) ku="keyAgreement" ;; esac
	p11 --login --pin "$PIN" --keypairgen --id "$id" --key-type "$type" >"$id.keygen.log" 2>&1 ||
		{ cat "$id.keygen.log" >&2; exit 1; }
	case $type in
	EC:edwards25519 | EC:ed25519) spki_from_point 302a300506032b6570032100 "$id" ;;
	EC:curve25519 | EC:x25519) spki_from_point 302a300506032b656e032100 "$id" ;;
	EC:prime256v1 | EC:secp256r1)
		spki_from_point 3059301306072a8648ce3d020106082a8648ce3d030107034200 "$id" ;;
	EC:secp384r1) spki_from_point 3076301006072a8648ce3d020106052b81040022036200 "$id" ;;
	EC:*) echo "provision-openpgp.sh: curve of $type unknown here" >&2; exit 1 ;;
	*) p11 --read-object --type pubkey --id "$id" -o "$id.pub.der" >/dev/null 2>&1 ||
		{ echo "provision-openpgp.sh: pkcs11-tool cannot read public key $id" >&2; exit 1; } ;;
	esac
	openssl pkey -pubin -inform DER -in "$id.pub.der" -out "$id.pub.pem"
	cat >"$id.ext" <<EOT
basicConstraints=CA:FALSE
keyUsage=critical,$ku
extendedKeyUsage=$eku
subjectAltName=email:alice@example.org
subjectKeyIdentifier=hash
EOT
	openssl x509 -new -force_pubkey "$id.pub.pem" -subj "/O=Tessera Test/CN=$cn/emailAddress=alice@example.org" \
		-CA ca.pem -CAkey ca.key -days 30 -set_serial "0x$(openssl rand -hex 8)" \
		-extfile "$id.ext" -out "$id.cert.pem" 2>/dev/null
	openssl x509 -in "$id.cert.pem" -outform DER -out "$id.cert.der"
	p11 --login --pin "$PIN" --write-object "$id.cert.der" --type cert --id "$id" >"$id.write.log" 2>&1 ||
		{ cat "$id.write.log" >&2; exit 1; }
done
