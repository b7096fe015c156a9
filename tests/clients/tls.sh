#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# TLS client authentication as Firefox does it: NSS's tstclnt answers an OpenSSL server that demands
# a client certificate (s_server -Verify 1 -www) with the card's 9A certificate and signs the
# handshake on the card. TLS 1.2 and TLS 1.3, with an RSA-2048 key (PKCS#1 v1.5 in TLS 1.2, RSA-PSS
# in TLS 1.3) and, on a second card, a P-256 key (ECDSA). The server's page must name the card's
# certificate subject and the signature scheme the server asked for. With TESSERA_NSS_LIBDIR the NSS
# tools run another NSS (tls-firefox.sh: Firefox's own).
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	nss_require
	clients_require certutil modutil tstclnt
	clients_testbed --cards 1 -- sh "$0" --inside RSA2048
	clients_testbed --cards 1 -- sh "$0" --inside ECCP256
	tap_done
fi

alg=$2
D=$TAP_TMP/card
db="sql:$TAP_TMP/nss"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; fi; rm -rf "$TAP_TMP"' EXIT

provision "$D" "9a:$alg"
nss_use_libdir
nss_db_tessera "$D/ca.pem"
with_module certutil -L -h all -d "$db" >"$TAP_TMP/list" 2>&1
nick=$(nss_nickname "$TAP_TMP/list" "PIV Authentication")
tap_check "NSS finds the card's $alg PIV authentication certificate" test -n "$nick"
subject=$(openssl x509 -in "$D/9a.cert.pem" -noout -subject -nameopt oneline | sed 's/^subject=//')

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TAP_TMP/server.key" -out "$TAP_TMP/server.pem" \
	-days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
	-CA "$D/ca.pem" -CAkey "$D/ca.key" 2>/dev/null
printf 'GET / HTTP/1.0\r\n\r\n' >"$TAP_TMP/req"

# tls_case VERSION CLIENT-SIGALGS SCHEME-NAME: one handshake, the server restricted to the
# signature schemes a client certificate may use; three tests.
tls_case() {
	port=$(free_port)
	t openssl s_server -accept "127.0.0.1:$port" -cert "$TAP_TMP/server.pem" -key "$TAP_TMP/server.key" \
		-CAfile "$D/ca.pem" -Verify 1 -www -client_sigalgs "$2" -naccept 1 \
		>"$TAP_TMP/server.log" 2>&1 &
	server=$!
	if ! wait_listen "$port"; then
		tap_fail "openssl s_server listens for the $1 handshake"
		tap_diag <"$TAP_TMP/server.log"
		kill "$server" 2>/dev/null
		return
	fi
	tap_check "tstclnt: TLS $1 client authentication with the card's $alg key ($3)" \
		with_module tstclnt -4 -h localhost -p "$port" -d "$db" -n "$nick" -w "$PIN" \
		-V "tls$1:tls$1" -A "$TAP_TMP/req"
	cp "$TAP_TMP/out" "$TAP_TMP/page"
	grep_check "the server's page says TLS $1" "$TAP_TMP/page" "Protocol *: TLSv$1"
	# The client certificate the server received, as its page shows it (the last PEM block).
	sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$TAP_TMP/page" |
		awk '/BEGIN CERTIFICATE/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' >"$TAP_TMP/peer.pem"
	if grep -q "Subject: .*CN=Alice Example/emailAddress=alice@example.org" "$TAP_TMP/page" &&
		[ "$(openssl x509 -in "$TAP_TMP/peer.pem" -noout -fingerprint 2>&1)" = \
			"$(openssl x509 -in "$D/9a.cert.pem" -noout -fingerprint)" ]; then
		tap_ok "the server's page names the card's certificate ($subject)"
	else
		tap_fail "the server's page names the card's certificate ($subject)"
		tap_diag <"$TAP_TMP/page"
	fi
	grep_check "the server verified a $3 signature by the client" "$TAP_TMP/page" \
		"Peer signature type: *$3"
	wait "$server" 2>/dev/null
	server=""
}

case $alg in
RSA*)
	tls_case 1.2 "RSA+SHA256:RSA+SHA384" RSA
	tls_case 1.3 "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384" RSA-PSS
	;;
*)
	tls_case 1.2 "ECDSA+SHA256" ECDSA
	tls_case 1.3 "ecdsa_secp256r1_sha256" ECDSA
	;;
esac
tap_done
