#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/api/provision-ecdh.sh DIR SLOT: an EC P-256 key for key agreement (ECDH) in SLOT,
# generated on the card, with a certificate from the test CA of tests/provision.sh in DIR.
set -eu
dir=$1
slot=$2
MGM=010203040506070801020304050607080102030405060708
cd "$dir"
yubico-piv-tool -a generate -s "$slot" -A ECCP256 --key="$MGM" -o "$slot.pub.pem"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyAgreement\n' >"$slot.ext"
openssl x509 -new -force_pubkey "$slot.pub.pem" -subj "/O=Tessera Test/CN=Alice Example key agreement" \
	-CA ca.pem -CAkey ca.key -days 30 -set_serial "0x$(openssl rand -hex 8)" -extfile "$slot.ext" \
	-out "$slot.cert.pem" 2>/dev/null
yubico-piv-tool -a import-certificate -s "$slot" --key="$MGM" -i "$slot.cert.pem"
