#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tessera on an OpenPGP card (the simulator's --profile openpgp), provisioned through tessera
# itself (tests/provision-openpgp.sh: keys generated on the card, certificates from a test CA):
#   - pkcs11-tool -L, -O (public keys and certificates without login) and --test;
#   - NSS: certutil -L lists the three certificates without a PIN, byte for byte as written;
#   - S/MIME: cmsutil -S with the signature key (01), twice, openssl cms verifies; cmsutil -D
#     decrypts openssl's RSA EnvelopedData with the decryption key (02);
#   - the signature key's PIN policy follows the card's PW status byte C4: "PW1 valid for one
#     signature" (00, the simulator's default) makes it CKA_ALWAYS_AUTHENTICATE and the card gets
#     a VERIFY 81 before every PSO:CDS; after PUT DATA C4 = 01 (opensc-tool, PW3) one login
#     serves several signatures;
#   - Ed25519 (CKM_EDDSA, pkcs11-tool, openssl pkeyutl verifies) in 01 and X25519 in 02
#     (C_DeriveKey by tests/clients/p11-both: pkcs11-tool 0.23 cannot read an X25519 peer key)
#     equal to openssl's own derivation.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	nss_require
	clients_require certutil modutil cmsutil pkcs11-tool "$TESSERA_BUILDDIR/tests/clients/p11-both"
	clients_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
db="sql:$TAP_TMP/nss"
P11BOTH=$TESSERA_BUILDDIR/tests/clients/p11-both
CARDLOG=$TESTBED_DIR/card0.log
echo "$PIN" >"$TAP_TMP/pin"
printf 'S/MIME on an OpenPGP card: %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/msg"
p11() { with_module pkcs11-tool --module "$TESSERA_MODULE" "$@"; }

tap_check "provision the OpenPGP card through tessera: 01 RSA-2048, 02 RSA-2048, 03 P-256" \
	t sh "$TESSERA_SRCDIR/tests/provision-openpgp.sh" "$D" "01:rsa:2048 02:rsa:2048 03:EC:prime256v1"

# --- pkcs11-tool
tap_check "pkcs11-tool -L lists the token" p11 -L
grep_check "the token is the OpenPGP card 3.4" "$TAP_TMP/out" "token model *: OpenPGP card 3.4"
serial=$(sed -n 's/^ *serial num *: *//p' "$TAP_TMP/out" | head -n 1)
toklabel=$(sed -n 's/^ *token label *: *//p' "$TAP_TMP/out" | head -n 1)
tap_check "pkcs11-tool -O lists objects without login" p11 -O
cp "$TAP_TMP/out" "$TAP_TMP/objects"
for id in 01 02 03; do
	tap_check "without login: the public key and the certificate of $id" sh -c '
		awk -v id="$2" "/^[A-Z][a-z]+ Key Object|^Certificate Object/ { c = \$1 } \$1 == \"ID:\" && \$2 == id { print c }" "$1" |
			sort | tr "\n" " " | grep -qx "Certificate Public "' sh "$TAP_TMP/objects" "$id"
done
grep_check "the public key 01 is RSA 2048" "$TAP_TMP/objects" "^Public Key Object; RSA 2048 bits"
grep_check "the public key 03 is EC P-256" "$TAP_TMP/objects" "EC_PARAMS: *06082a8648ce3d030107"
if grep -q "^Private Key Object" "$TAP_TMP/objects"; then
	tap_fail "no private key object is listed without login"; tap_diag <"$TAP_TMP/objects"
else
	tap_ok "no private key object is listed without login"
fi
tap_check "pkcs11-tool --test --login passes" p11 --test --login --pin "$PIN"
cp "$TAP_TMP/out" "$TAP_TMP/ptest"
grep_check "pkcs11-tool --test signed with the RSA signature key (SHA256-RSA-PKCS)" "$TAP_TMP/ptest" \
	"SHA256-RSA-PKCS: OK"
grep_check "pkcs11-tool --test decrypted with the RSA decryption key" "$TAP_TMP/ptest" "^    RSA-PKCS: OK"
grep_check "pkcs11-tool --test found no errors" "$TAP_TMP/ptest" "^No errors"

# --- NSS: the certificates, without a PIN
nss_use_libdir
nss_db_tessera "$D/ca.pem"
tap_check "certutil -L -h all lists the OpenPGP card without a PIN" with_module certutil -L -h all -d "$db"
cp "$TAP_TMP/out" "$TAP_TMP/list"
if grep -qi "password" "$TAP_TMP/list"; then
	tap_fail "certutil -L asked for no password"; tap_diag <"$TAP_TMP/list"
else
	tap_ok "certutil -L asked for no password"
fi
for pair in 01:Signature 02:Decryption 03:Authentication; do
	id=${pair%%:*}
	label=${pair#*:}
	grep_check "the $label certificate ($id) is a user certificate (u,u,u)" "$TAP_TMP/list" \
		":Certificate for $label  *u,u,u"
	nick=$(nss_nickname "$TAP_TMP/list" "Certificate for $label")
	with_module certutil -L -d "$db" -n "$nick" -r >"$TAP_TMP/$id.der" 2>"$TAP_TMP/err"
	tap_check "the $label certificate NSS reads is the one written to $id, byte for byte" \
		cmp "$D/$id.cert.der" "$TAP_TMP/$id.der"
done
nick01=$(nss_nickname "$TAP_TMP/list" "Certificate for Signature")
nick02=$(nss_nickname "$TAP_TMP/list" "Certificate for Decryption")
token=${nick01%%:*}
tap_check "NSS names the token by its label with the card's serial ($token)" sh -c \
	'[ "$1" = "$2" ] && [ -n "$3" ] && [ "${1%#$3}" != "$1" ]' sh "$token" "$toklabel" "$serial"

# --- S/MIME signatures with the signature key. The card's C4 byte is 00 (PW1 valid for one
# PSO:CDS): NSS must present the PIN for each signature (CKA_ALWAYS_AUTHENTICATE).
p11 -O --login --pin "$PIN" --type privkey --id 01 >"$TAP_TMP/priv01" 2>&1
grep_check "C4 = 00: the signature key is CKA_ALWAYS_AUTHENTICATE" "$TAP_TMP/priv01" \
	"Access: *always authenticate"
cms_sign() { # cms_sign NAME
	tap_check "cmsutil -S signs with the signature key 01 ($1)" \
		with_module cmsutil -S -d "$db" -N "$nick01" -Y "$nick02" -p "$PIN" -i "$TAP_TMP/msg" -o "$TAP_TMP/$1.p7m"
	tap_check "openssl cms -verify accepts the signature ($1) against the test CA" \
		t openssl cms -verify -inform DER -in "$TAP_TMP/$1.p7m" -CAfile "$D/ca.pem" -purpose any \
		-out "$TAP_TMP/$1.out" -signer "$TAP_TMP/$1.signer.pem"
	tap_check "the content verified is the message, the signer the 01 certificate ($1)" sh -c '
		cmp "$1" "$2" && [ "$(openssl x509 -in "$3" -noout -fingerprint)" = "$(openssl x509 -in "$4" -noout -fingerprint)" ]' \
		sh "$TAP_TMP/msg" "$TAP_TMP/$1.out" "$TAP_TMP/$1.signer.pem" "$D/01.cert.pem"
}
cms_sign first
cms_sign second
expect_fail "cmsutil -S with a wrong PIN does not sign" \
	with_module cmsutil -S -d "$db" -N "$nick01" -Y "$nick02" -p 999999 -i "$TAP_TMP/msg" -o "$TAP_TMP/bad.p7m"

# card_ops FROM: how many PSO:CDS and VERIFY 81 the card received since line FROM of its log
card_ops() {
	tail -n "+$1" "$CARDLOG" | awk '/> 00 2A 9E 9A/ { cds++ } /> 00 20 00 81/ { v81++ } END { printf "%d %d\n", cds, v81 }'
}
# One process signs twice; the PIN for each signature (C_Login CKU_CONTEXT_SPECIFIC), and the card
# gets its VERIFY 81 before each PSO:CDS. Without it, the second signature is refused before the
# card is asked.
from=$(($(wc -l <"$CARDLOG") + 1))
tap_check "C4 = 00: one process signs twice with 01, a context-specific login each time" \
	with_module "$P11BOTH" login:OpenPGP:"$PIN" sign:OpenPGP:01:"$D/01.pub.pem" sign:OpenPGP:01:"$D/01.pub.pem"
tap_check "C4 = 00: the card verified PW1 81 for each of the two signatures" \
	test "$(card_ops "$from")" = "2 2"
from=$(($(wc -l <"$CARDLOG") + 1))
with_module "$P11BOTH" login:OpenPGP:"$PIN" sign:OpenPGP:01:"$D/01.pub.pem" \
	sign-noctx:OpenPGP:01:"$D/01.pub.pem" >"$TAP_TMP/noctx" 2>&1
grep_check "C4 = 00: a second signature without the PIN is refused (CKR_USER_NOT_LOGGED_IN)" \
	"$TAP_TMP/noctx" "^FAIL sign-noctx.*CKR_USER_NOT_LOGGED_IN"
tap_check "C4 = 00: ... and the card was not asked for it" test "$(card_ops "$from")" = "1 1"

# PUT DATA C4 = 01 (PW1 valid for several PSO:CDS) with PW3, by opensc-tool: a new process sees a
# signature key without CKA_ALWAYS_AUTHENTICATE, one login serves two signatures.
tap_check "opensc-tool: PUT DATA C4 = 01 (PW1 valid for several signatures)" \
	t opensc-tool -r 0 -s "00 A4 04 00 06 D2 76 00 01 24 01 00" \
	-s "00 20 00 83 08 31 32 33 34 35 36 37 38" -s "00 DA 00 C4 01 01"
tap_check "the card answered 90 00 to SELECT, VERIFY 83 and PUT DATA" \
	test "$(grep -c "SW1=0x90, SW2=0x00" "$TAP_TMP/out")" = 3
p11 -O --login --pin "$PIN" --type privkey --id 01 >"$TAP_TMP/priv01" 2>&1
if grep -q "Access: *always authenticate" "$TAP_TMP/priv01" || ! grep -q "Access:" "$TAP_TMP/priv01"; then
	tap_fail "C4 = 01: the signature key is not CKA_ALWAYS_AUTHENTICATE"; tap_diag <"$TAP_TMP/priv01"
else
	tap_ok "C4 = 01: the signature key is not CKA_ALWAYS_AUTHENTICATE"
fi
from=$(($(wc -l <"$CARDLOG") + 1))
tap_check "C4 = 01: one login, two signatures with 01 without a context-specific login" \
	with_module "$P11BOTH" login:OpenPGP:"$PIN" sign-noctx:OpenPGP:01:"$D/01.pub.pem" \
	sign-noctx:OpenPGP:01:"$D/01.pub.pem"
tap_check "C4 = 01: the card signed twice after one VERIFY 81" test "$(card_ops "$from")" = "2 1"
cms_sign "C4 = 01"

# --- decryption with the decryption key: RSA key transport
tap_check "openssl cms -encrypt makes EnvelopedData for the RSA 02 certificate" \
	t openssl cms -encrypt -binary -aes256 -in "$TAP_TMP/msg" -outform DER -out "$TAP_TMP/rsa.p7m" "$D/02.cert.pem"
tap_check "cmsutil -D decrypts it with the decryption key 02 (PSO:DECIPHER)" \
	with_module cmsutil -D -d "$db" -p "$PIN" -i "$TAP_TMP/rsa.p7m" -o "$TAP_TMP/rsa.out"
tap_check "the decrypted content is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/rsa.out"
tap_check "certutil -K -h TOKEN lists the three private keys after login" \
	with_module certutil -K -h "$token" -d "$db" -f "$TAP_TMP/pin"
cp "$TAP_TMP/out" "$TAP_TMP/keys"
grep_check "the signature key: RSA, CKA_ID 01" "$TAP_TMP/keys" "> rsa  *01  *Signature key$"
grep_check "the decryption key: RSA, CKA_ID 02" "$TAP_TMP/keys" "> rsa  *02  *Decryption key$"
grep_check "the authentication key: EC, CKA_ID 03" "$TAP_TMP/keys" "> ec  *03  *Authentication key$"

# --- Ed25519 and X25519
# A management key configured for the card's serial (a PIV setting) is no PW3: never presented.
serial=$(p11 -T 2>/dev/null | sed -n 's/^ *serial num *: *//p' | head -n 1)
printf 'management_key.%s = 0102030405060708010203040506070801020304050607ff\n' "$serial" >"$TAP_TMP/mgm.conf"
tap_check "provision again: 01 Ed25519, 02 X25519 (the default PW3; a management key configured)" \
	t env TESSERA_CONF="$TAP_TMP/mgm.conf" \
	sh "$TESSERA_SRCDIR/tests/provision-openpgp.sh" "$D" "01:EC:edwards25519 02:EC:curve25519"
p11 -T >"$TAP_TMP/token" 2>&1
if [ -z "$serial" ] || grep -q "count low" "$TAP_TMP/token"; then
	tap_fail "PW3 lost no try to the configured management key (serial '$serial')"; tap_diag <"$TAP_TMP/token"
else
	tap_ok "PW3 lost no try to the configured management key (serial '$serial')"
fi
p11 -O >"$TAP_TMP/objects" 2>&1
grep_check "the public key 01 is Ed25519 (CKK_EC_EDWARDS)" "$TAP_TMP/objects" "^Public Key Object; EC_EDWARDS"
grep_check "the public key 02 is X25519 (CKK_EC_MONTGOMERY)" "$TAP_TMP/objects" "^Public Key Object; EC_MONTGOMERY"
tap_check "pkcs11-tool -m EDDSA signs with the Ed25519 key 01" \
	p11 --login --pin "$PIN" --sign --id 01 -m EDDSA -i "$TAP_TMP/msg" -o "$TAP_TMP/ed.sig"
tap_check "openssl pkeyutl verifies the Ed25519 signature with the key written to the certificate" sh -c '
	openssl x509 -in "$1" -noout -pubkey >"$1.pub" &&
	openssl pkeyutl -verify -pubin -inkey "$1.pub" -rawin -in "$2" -sigfile "$3"' \
	sh "$D/01.cert.pem" "$TAP_TMP/msg" "$TAP_TMP/ed.sig"
printf 'x' >>"$TAP_TMP/msg"
expect_fail "openssl pkeyutl rejects that signature for another message" \
	t openssl pkeyutl -verify -pubin -inkey "$D/01.cert.pem.pub" -rawin -in "$TAP_TMP/msg" -sigfile "$TAP_TMP/ed.sig"
tap_check "p11-both signs twice with the Ed25519 key (C4 = 01: one login)" \
	with_module "$P11BOTH" login:OpenPGP:"$PIN" sign-noctx:OpenPGP:01:"$D/01.cert.pem" \
	sign-noctx:OpenPGP:01:"$D/01.cert.pem"
t openssl genpkey -algorithm X25519 -out "$TAP_TMP/peer.pem" 2>/dev/null
t openssl pkey -in "$TAP_TMP/peer.pem" -pubout -out "$TAP_TMP/peer.pub"
t openssl pkeyutl -derive -inkey "$TAP_TMP/peer.pem" -peerkey "$D/02.pub.pem" -out "$TAP_TMP/x25519.ref"
tap_check "C_DeriveKey (CKM_ECDH1_DERIVE) with the X25519 key 02 and openssl's peer key" \
	with_module "$P11BOTH" login:OpenPGP:"$PIN" derive:OpenPGP:02:"$TAP_TMP/peer.pub":"$TAP_TMP/x25519.bin"
tap_check "the X25519 secret is the one openssl derives (32 bytes)" sh -c \
	'cmp "$1" "$2" && [ "$(wc -c <"$1")" = 32 ]' sh "$TAP_TMP/x25519.ref" "$TAP_TMP/x25519.bin"
# --- PINs: C_SetPIN of PW1 and PW3, C_InitPIN (RESET RETRY COUNTER) by PW3; counters in the flags
tap_check "C_SetPIN changes PW1 (user)" p11 --login --pin "$PIN" --change-pin --new-pin 111222
tap_check "the new PW1 logs in" p11 --login --pin 111222 --list-objects --type privkey
expect_fail "the old PW1 no longer does" p11 --login --pin "$PIN" --list-objects --type privkey
tap_check "C_SetPIN in an SO session changes PW3" \
	p11 --login --login-type so --so-pin 12345678 --change-pin --new-pin 87654321
expect_fail "C_InitPIN with the old PW3 is refused" \
	p11 --init-pin --login --login-type so --so-pin 12345678 --new-pin "$PIN"
p11 -T >"$TAP_TMP/token" 2>&1
grep_check "the token flags show PW3's lost try, without a PIN" "$TAP_TMP/token" "SO PIN count low"
tap_check "C_InitPIN with the new PW3 sets PW1 again (RESET RETRY COUNTER)" \
	p11 --init-pin --login --login-type so --so-pin 87654321 --new-pin "$PIN"
tap_check "PW1 as it was logs in again" p11 --login --pin "$PIN" --list-objects --type privkey
p11 -T >"$TAP_TMP/token" 2>&1
if grep -q "count low" "$TAP_TMP/token"; then
	tap_fail "PW3's counter is full again after its successful use"; tap_diag <"$TAP_TMP/token"
else
	tap_ok "PW3's counter is full again after its successful use"
fi
tap_done
