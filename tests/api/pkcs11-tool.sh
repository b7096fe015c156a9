#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/api/pkcs11-tool.sh: OpenSC's pkcs11-tool drives the module against a provisioned
# simulated card: listing, its self test with login (signatures, verification, decryption
# for every key), and a signature checked by OpenSSL.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 --reader-name "Yubico YubiKey" -- sh -c '
	. "$TESSERA_SRCDIR/tests/lib.sh"
	out="$1"
	card="$out/card"
	tap_check "provision the card (yubico-piv-tool)" sh "$TESSERA_SRCDIR/tests/provision.sh" "$card" "9a:RSA2048 9c:ECCP256 9d:RSA2048"
	p11() { pkcs11-tool --module "$TESSERA_MODULE" "$@"; }
	tap_check "pkcs11-tool -L shows the token" sh -c "pkcs11-tool --module \"\$TESSERA_MODULE\" -L | grep -q \"token label *: Alice Example #\""
	tap_check "pkcs11-tool -O lists 3 certificates without login" sh -c "test \$(pkcs11-tool --module \"\$TESSERA_MODULE\" -O --type cert | grep -c \"^Certificate Object\") = 3"
	if p11 --test --login --pin 123456 >"$out/test.log" 2>&1 && grep -q "^No errors" "$out/test.log"; then
		tap_ok "pkcs11-tool --test --login --pin 123456"
	else
		tap_fail "pkcs11-tool --test --login --pin 123456"; tap_diag <"$out/test.log"
	fi
	echo "a message to sign" >"$out/msg"
	tap_check "pkcs11-tool signs with 9a (SHA256-RSA-PKCS-PSS)" p11 --login --pin 123456 --sign --id 01 \
		-m SHA256-RSA-PKCS-PSS --input-file "$out/msg" --output-file "$out/sig"
	openssl x509 -in "$card/9a.cert.pem" -pubkey -noout >"$out/9a.pub"
	tap_check "openssl verifies the PSS signature" openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:-1 -verify "$out/9a.pub" -signature "$out/sig" "$out/msg"
	tap_check "pkcs11-tool reads a certificate by id" p11 --read-object --type cert --id 03 --output-file "$out/9d.der"
	tap_check "the certificate is the one written" cmp "$out/9d.der" "$card/9d.cert.der"
	tap_done
' sh "$TAP_TMP"
