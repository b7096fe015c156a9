#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provision.sh DIR [SLOTS]: provision the simulated PIV card of the test bed the way a user's
# card would be, with independent tools only (yubico-piv-tool + openssl): a key generated on the card
# and a certificate issued by a test CA, for each slot. Runs inside tests/testbed.
#   SLOTS: space-separated SLOT:ALG pairs (default "9a:RSA2048 9c:ECCP256 9d:RSA2048 9e:ECCP256")
# Writes into DIR: ca.pem ca.key, SLOT.pub.pem, SLOT.cert.pem (and .der) per slot.
# Subjects: CN=Alice Example (9a: PIV authentication), CN=Alice Example signing (9c), ... with an
# e-mail address alice@example.org, so S/MIME and TLS client authentication both work.
set -eu
dir=$1
slots=${2:-"9a:RSA2048 9c:ECCP256 9d:RSA2048 9e:ECCP256"}
MGM=010203040506070801020304050607080102030405060708
# yubico-piv-tool only uses readers matching its -r filter ("Yubikey" by default): name ours,
# the first reader holding a card unless PROVISION_READER says otherwise.
reader=${PROVISION_READER:-$(opensc-tool -l 2>/dev/null | sed -n 's/^[0-9][0-9]* *Yes *//p' | head -n 1)}
[ -n "$reader" ] || { echo "provision.sh: no reader with a card" >&2; exit 1; }
piv() { yubico-piv-tool -r "$reader" "$@"; }
mkdir -p "$dir"
cd "$dir"

if [ ! -f ca.pem ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
		-subj "/O=Tessera Test/CN=Tessera Test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

for pair in $slots; do
	slot=${pair%%:*}
	alg=${pair#*:}
	case $slot in
	9a) cn="Alice Example"; ku="digitalSignature"; eku="clientAuth,emailProtection" ;;
	9c) cn="Alice Example signing"; ku="digitalSignature,nonRepudiation"; eku="emailProtection" ;;
	9d) cn="Alice Example encryption"; ku="keyEncipherment,keyAgreement"; eku="emailProtection" ;;
	9e) cn="Card Authentication"; ku="digitalSignature"; eku="clientAuth" ;;
	*) cn="Retired key $slot"; ku="digitalSignature,keyEncipherment"; eku="emailProtection" ;;
	esac
	case $alg in ECC*) [ "$slot" = 9d ] && ku="keyAgreement,digitalSignature" ;; esac
	piv -a generate -s "$slot" -A "$alg" --key="$MGM" -o "$slot.pub.pem"
	cat >"$slot.ext" <<EOT
basicConstraints=CA:FALSE
keyUsage=critical,$ku
extendedKeyUsage=$eku
subjectAltName=email:alice@example.org
subjectKeyIdentifier=hash
EOT
	openssl x509 -new -force_pubkey "$slot.pub.pem" -subj "/O=Tessera Test/CN=$cn/emailAddress=alice@example.org" \
		-CA ca.pem -CAkey ca.key -days 30 -set_serial "0x$(openssl rand -hex 8)" \
		-extfile "$slot.ext" -out "$slot.cert.pem" 2>/dev/null
	openssl x509 -in "$slot.cert.pem" -outform DER -out "$slot.cert.der"
	piv -a import-certificate -s "$slot" --key="$MGM" -i "$slot.cert.pem"
done
