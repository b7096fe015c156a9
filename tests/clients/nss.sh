#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# NSS, the way Firefox and Thunderbird use a smartcard: modutil adds tessera-pkcs11.so; certutil
# lists the card's certificates without a PIN and its keys after login; cmsutil signs S/MIME with
# the 9A key and the PIN-always 9C key (openssl cms verifies) and decrypts EnvelopedData that
# openssl cms made for the 9D certificate (RSA key transport; ECDH key agreement with a P-256 9D).
# With TESSERA_NSS_LIBDIR the NSS tools run another NSS (nss-firefox.sh: Firefox's own).
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	nss_require
	clients_require certutil modutil cmsutil
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
db="sql:$TAP_TMP/nss"
echo "$PIN" >"$TAP_TMP/pin"
printf 'S/MIME on a smartcard: %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/msg"

provision "$D"
nss_use_libdir
nss_db_tessera "$D/ca.pem"

# --- certificates without a PIN: no -f, stdin closed; a PIN prompt would fail or show up.
tap_check "certutil -L -h all lists the card without a PIN" with_module certutil -L -h all -d "$db"
cp "$TAP_TMP/out" "$TAP_TMP/list"
if grep -qi "password" "$TAP_TMP/list"; then
	tap_fail "certutil -L asked for no password"; tap_diag <"$TAP_TMP/list"
else
	tap_ok "certutil -L asked for no password"
fi
for label in "PIV Authentication" "Digital Signature" "Key Management" "Card Authentication"; do
	grep_check "the certificate for $label is a user certificate (its key is on the card: u,u,u)" \
		"$TAP_TMP/list" ":Certificate for $label  *u,u,u"
done
nick9a=$(nss_nickname "$TAP_TMP/list" "PIV Authentication")
nick9c=$(nss_nickname "$TAP_TMP/list" "Digital Signature")
nick9d=$(nss_nickname "$TAP_TMP/list" "Key Management")
token=${nick9a%%:*}
with_module certutil -L -d "$db" -n "$nick9a" -r >"$TAP_TMP/9a.der" 2>"$TAP_TMP/err"
tap_check "the certificate NSS reads from the card is the one provisioned in 9A, byte for byte" \
	cmp "$D/9a.cert.der" "$TAP_TMP/9a.der"

# --- S/MIME signatures: 9A (RSA, PIN once) and 9C (ECDSA, PIN for every signature)
# As Thunderbird does, the signature names the encryption certificate (9D) for replies (-Y).
cms_sign() { # cms_sign SLOT NICKNAME
	tap_check "cmsutil -S signs with the $1 key ($2)" \
		with_module cmsutil -S -d "$db" -N "$2" -Y "$nick9d" -p "$PIN" -i "$TAP_TMP/msg" -o "$TAP_TMP/$1.p7m"
	tap_check "openssl cms -verify accepts the $1 signature against the test CA" \
		t openssl cms -verify -inform DER -in "$TAP_TMP/$1.p7m" -CAfile "$D/ca.pem" -purpose any \
		-out "$TAP_TMP/$1.out" -signer "$TAP_TMP/$1.signer.pem"
	tap_check "the content openssl verified is the message signed with $1" \
		cmp "$TAP_TMP/msg" "$TAP_TMP/$1.out"
	tap_check "the signer is the $1 certificate" \
		sh -c '[ "$(openssl x509 -in "$1" -noout -fingerprint)" = "$(openssl x509 -in "$2" -noout -fingerprint)" ]' \
		sh "$TAP_TMP/$1.signer.pem" "$D/$1.cert.pem"
}
cms_sign 9a "$nick9a"
cms_sign 9c "$nick9c"
expect_fail "cmsutil -S with a wrong PIN does not sign with 9A" \
	with_module cmsutil -S -d "$db" -N "$nick9a" -Y "$nick9d" -p 999999 -i "$TAP_TMP/msg" -o "$TAP_TMP/bad.p7m"

# --- decryption with the key management key: RSA key transport
tap_check "openssl cms -encrypt makes EnvelopedData for the RSA 9D certificate" \
	t openssl cms -encrypt -binary -aes256 -in "$TAP_TMP/msg" -outform DER -out "$TAP_TMP/rsa.p7m" "$D/9d.cert.pem"
tap_check "cmsutil -D decrypts it with the 9D key on the card" \
	with_module cmsutil -D -d "$db" -p "$PIN" -i "$TAP_TMP/rsa.p7m" -o "$TAP_TMP/rsa.out"
tap_check "the decrypted content is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/rsa.out"

# --- keys, after login
tap_check "certutil -K -h TOKEN -f PINFILE lists the card's private keys" \
	with_module certutil -K -h "$token" -d "$db" -f "$TAP_TMP/pin"
cp "$TAP_TMP/out" "$TAP_TMP/keys"
grep_check "the 9A key: RSA, CKA_ID 01" "$TAP_TMP/keys" "> rsa  *01  "
grep_check "the 9C key: EC, CKA_ID 02" "$TAP_TMP/keys" "> ec  *02  "
grep_check "the 9D key: RSA, CKA_ID 03" "$TAP_TMP/keys" "> rsa  *03  "
grep_check "the 9E key: EC, CKA_ID 04" "$TAP_TMP/keys" "> ec  *04  "

# --- ECDH key agreement: a P-256 key in 9D
provision "$D" 9d:ECCP256
tap_check "openssl cms -encrypt makes ECDH EnvelopedData for the P-256 9D certificate" \
	t openssl cms -encrypt -binary -aes256 -in "$TAP_TMP/msg" -outform DER -out "$TAP_TMP/ec.p7m" "$D/9d.cert.pem"
if with_module cmsutil -D -d "$db" -p "$PIN" -i "$TAP_TMP/ec.p7m" -o "$TAP_TMP/ec.out" \
	>"$TAP_TMP/ec.log" 2>&1; then
	tap_ok "cmsutil -D decrypts ECDH EnvelopedData with the P-256 9D key (C_DeriveKey on the card)"
	tap_check "the content decrypted by ECDH is the message" cmp "$TAP_TMP/msg" "$TAP_TMP/ec.out"
else
	# Is it NSS or the card? The same message for a P-256 key in NSS's own software token.
	soft="$TAP_TMP/soft"
	mkdir -p "$soft"
	head -c 64 /dev/urandom >"$soft/noise"
	certutil -N -d "sql:$soft" --empty-password >/dev/null 2>&1
	certutil -S -d "sql:$soft" -n soft-ec -s "CN=software ECDH control" -x -t ",," -k ec -q nistp256 \
		-z "$soft/noise" --keyUsage keyAgreement >/dev/null 2>&1 </dev/null
	certutil -L -d "sql:$soft" -n soft-ec -a >"$soft/cert.pem" 2>/dev/null
	openssl cms -encrypt -binary -aes256 -in "$TAP_TMP/msg" -outform DER -out "$soft/ec.p7m" "$soft/cert.pem" 2>/dev/null
	if [ -s "$soft/cert.pem" ] && [ -s "$soft/ec.p7m" ] &&
		! cmsutil -D -d "sql:$soft" -i "$soft/ec.p7m" -o "$soft/ec.out" >"$soft/log" 2>&1 </dev/null; then
		nssver=$(modutil -dbdir "sql:$soft" -list </dev/null 2>/dev/null |
			sed -n 's/.*NSS%20Internal.*library-version=\([0-9.]*\).*/\1/p' | head -n 1)
		tap_skip "cmsutil -D decrypts ECDH EnvelopedData with the P-256 9D key" \
			"NSS ${nssver:-here} cannot decrypt ECDH (KeyAgreeRecipientInfo) EnvelopedData at all: with a software P-256 key it fails the same way ($(grep -o 'SEC_ERROR_[A-Z_]*' "$soft/log" | head -n 1))"
		tap_skip "the content decrypted by ECDH is the message" "no ECDH decryption in this NSS"
	else
		tap_fail "cmsutil -D decrypts ECDH EnvelopedData with the P-256 9D key (NSS's own token can)"
		tap_diag <"$TAP_TMP/ec.log"
		tap_fail "the content decrypted by ECDH is the message"
	fi
fi
tap_done
