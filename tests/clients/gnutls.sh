#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GnuTLS's p11tool with tessera-pkcs11.so as its provider: without a PIN it lists the card's
# certificates (by label and CKA_ID) and public keys and no private key; a certificate it exports is
# the one provisioned; after login (GNUTLS_PIN) it lists the four private keys, non-extractable,
# 9C with CKA_ALWAYS_AUTHENTICATE; --test-sign signs on the card and verifies with the public key.
# gnutls-cli authenticates TLS 1.3 and 1.2 clients with pkcs11: URIs for the certificate and key
# (9A RSA, 9E ECDSA, and the PIN-always 9C) against openssl s_server -Verify 1 -www.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require p11tool
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
p11() { with_module p11tool --provider "$TESSERA_MODULE" "$@"; }
# count FILE PATTERN: how many lines of FILE match PATTERN.
count() { grep -c -- "$2" "$1"; }
provision "$D"

tap_check "p11tool --list-all lists the token's public objects" p11 --list-all
cp "$TAP_TMP/out" "$TAP_TMP/all"
set -- 01 "PIV%20Authentication" 02 "Digital%20Signature" 03 "Key%20Management" 04 "Card%20Authentication"
while [ $# -gt 0 ]; do
	grep_check "certificate $(echo "$2" | sed 's/%20/ /g') (ID $1) by URL: id and label" "$TAP_TMP/all" \
		"URL: pkcs11:.*;id=%$1;object=Certificate%20for%20$2;type=cert"
	grep_check "public key with ID $1" "$TAP_TMP/all" "URL: pkcs11:.*;id=%$1;object=.*;type=public"
	shift 2
done
tap_check "no private key is listed without login" test "$(count "$TAP_TMP/all" "type=private")" = 0
grep_check "the 9A certificate is RSA-2048" "$TAP_TMP/all" "Type: X.509 Certificate (RSA-2048)"
grep_check "the 9C certificate is P-256" "$TAP_TMP/all" "Type: X.509 Certificate (EC/ECDSA-SECP256R1)"

tap_check "p11tool --list-all-certs" p11 --list-all-certs
cp "$TAP_TMP/out" "$TAP_TMP/certs"
tap_check "it lists exactly the 4 certificates" test "$(count "$TAP_TMP/certs" "^Object [0-9]")" = 4
grep_check "each by its label" "$TAP_TMP/certs" "Label: Certificate for Key Management"

url=$(sed -n 's/^[[:space:]]*URL: \(pkcs11:.*object=Certificate%20for%20PIV%20Authentication;type=cert\)$/\1/p' \
	"$TAP_TMP/all" | head -n 1)
tap_check "p11tool --export the 9A certificate by its URL" p11 --export "$url" --outfile "$TAP_TMP/9a.pem"
tap_check "it is the certificate provisioned in 9A" \
	sh -c '[ "$(openssl x509 -in "$1" -outform DER | od -An -tx1)" = "$(od -An -tx1 "$2")" ]' \
	sh "$TAP_TMP/9a.pem" "$D/9a.cert.der"

# --- after login
GNUTLS_PIN=$PIN
export GNUTLS_PIN
tap_check "p11tool --login --list-privkeys (GNUTLS_PIN)" p11 --login --list-privkeys
cp "$TAP_TMP/out" "$TAP_TMP/priv"
tap_check "4 private keys" test "$(count "$TAP_TMP/priv" "^Object [0-9]")" = 4
for id in 01 02 03 04; do
	grep_check "a private key with ID $id" "$TAP_TMP/priv" "URL: pkcs11:.*;id=%$id;.*type=private"
done
tap_check "every private key is sensitive and never extractable" \
	test "$(count "$TAP_TMP/priv" "Flags:.*CKA_NEVER_EXTRACTABLE; CKA_SENSITIVE")" = 4
tap_check "only the 9C key needs the PIN for every use (CKA_ALWAYS_AUTHENTICATE)" \
	test "$(count "$TAP_TMP/priv" "CKA_ALWAYS_AUTH")" = 1
grep_check "the 9A key is RSA-2048" "$TAP_TMP/priv" "Type: Private key (RSA-2048)"

tap_check "p11tool --test-sign: the 9A key signs and GnuTLS verifies with its public key" \
	p11 --login --test-sign "pkcs11:id=%01;type=private"
grep_check "the test signature verified" "$TAP_TMP/out" "Verifying against public key.*ok"
tap_check "p11tool --test-sign with the 9E key (ECDSA)" \
	p11 --login --test-sign "pkcs11:id=%04;type=private"
grep_check "the ECDSA test signature verified" "$TAP_TMP/out" "Verifying against public key.*ok"
# --- TLS client authentication: gnutls-cli with pkcs11: URIs for the certificate and the key
# (GNUTLS_PIN), against openssl s_server -Verify 1 -www restricted to the scheme under test.
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; fi; rm -rf "$TAP_TMP"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TAP_TMP/server.key" -out "$TAP_TMP/server.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
	-addext "basicConstraints=critical,CA:FALSE" -CA "$D/ca.pem" -CAkey "$D/ca.key" 2>/dev/null
token_uri=${url%%;id=*}
printf 'GET / HTTP/1.0\r\n\r\n' >"$TAP_TMP/req"
# gnutls_tls VERSION SLOT ID CLIENT-SIGALGS SCHEME: one handshake; four tests.
gnutls_tls() {
	port=$(free_port)
	t openssl s_server -accept "127.0.0.1:$port" -cert "$TAP_TMP/server.pem" -key "$TAP_TMP/server.key" \
		-CAfile "$D/ca.pem" -Verify 1 -www -naccept 1 "-tls$(echo "$1" | tr . _)" -client_sigalgs "$4" \
		>"$TAP_TMP/server.log" 2>&1 &
	server=$!
	wait_listen "$port" || { tap_fail "openssl s_server listens"; tap_diag <"$TAP_TMP/server.log"; return; }
	_what="gnutls-cli, TLS $1, the card's $2 key ($5)"
	tap_check "$_what: the server's page" with_module_input "$TAP_TMP/req" gnutls-cli \
		--provider "$TESSERA_MODULE" --x509cafile "$D/ca.pem" \
		--x509certfile "$token_uri;id=%$3;type=cert" --x509keyfile "$token_uri;id=%$3;type=private" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS$1" -p "$port" 127.0.0.1
	cp "$TAP_TMP/out" "$TAP_TMP/page"
	grep_check "$_what: the page says TLS $1" "$TAP_TMP/page" "Protocol *: TLSv$1"
	sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$TAP_TMP/page" |
		awk '/BEGIN CERTIFICATE/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' >"$TAP_TMP/peer.pem"
	tap_check "$_what: the server received the card's $2 certificate" \
		sh -c '[ "$(openssl x509 -in "$1" -outform DER | od -An -tx1)" = "$(od -An -tx1 "$2")" ]' \
		sh "$TAP_TMP/peer.pem" "$D/$(echo "$2" | tr A-Z a-z).cert.der"
	grep_check "$_what: the server verified the signature" "$TAP_TMP/page" "Peer signature type: *$5\$"
	wait "$server" 2>/dev/null
	server=""
}
GNUTLS_PIN=$PIN
# With the ASan runtime preloaded, gnutls-cli never exits, even with keys in files and no PKCS #11
# module: its exit deadlocks in p11-kit's destructor (freelocale, glibc's locale lock).
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	tap_skip "gnutls-cli: TLS client authentication with the card" \
		"sanitizer build: gnutls-cli hangs at exit with the ASan runtime preloaded, module or not"
else
	gnutls_tls 1.3 9A 01 rsa_pss_rsae_sha256 RSA-PSS
	gnutls_tls 1.2 9A 01 RSA+SHA256 RSA
	gnutls_tls 1.3 9E 04 ecdsa_secp256r1_sha256 ECDSA
	gnutls_tls 1.2 9E 04 ECDSA+SHA256 ECDSA
	# The PIN-always 9C key: GnuTLS logs in for the operation (CKU_CONTEXT_SPECIFIC), GNUTLS_PIN.
	gnutls_tls 1.3 9C 02 ecdsa_secp256r1_sha256 ECDSA
fi

GNUTLS_PIN=654321
expect_fail "p11tool --login with a wrong PIN lists nothing" p11 --login --list-privkeys
grep_check "because the card refused the PIN (CKR_PIN_INCORRECT)" "$TAP_TMP/out" "Wrong PIN has been provided"
tap_done
