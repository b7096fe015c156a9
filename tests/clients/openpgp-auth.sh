#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The OpenPGP card's authentication key (03, INTERNAL AUTHENTICATE) for TLS client
# authentication and SSH, on a card provisioned through tessera (tests/provision-openpgp.sh):
#   - NSS's tstclnt answers openssl s_server -Verify 1 with the 03 certificate: TLS 1.2 with an
#     RSA-2048 key (PKCS#1 v1.5), TLS 1.2 and TLS 1.3 with a P-256 key (ECDSA). An OpenPGP card
#     pads RSA itself (PKCS#1 v1.5 only, no raw RSA), so it cannot make the RSA-PSS signatures
#     TLS 1.3 requires: with an RSA key in 03 the TLS 1.3 handshake fails, cleanly;
#   - OpenSSH: ssh-keygen -D lists the card's keys, the 03 key among them; ssh-agent (ssh-add -s)
#     signs with it (ssh-keygen -Y sign) and the signature verifies.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	nss_require
	clients_require certutil modutil tstclnt pkcs11-tool ssh-keygen ssh-agent ssh-add
	clients_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside rsa:2048
	clients_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside EC:prime256v1
	tap_done
fi

alg=$2
D=$TAP_TMP/card
db="sql:$TAP_TMP/nss"
server=""
agent=""
trap 'for pid in $server $agent; do kill "$pid" 2>/dev/null; done; rm -rf "$TAP_TMP"' EXIT

tap_check "provision the OpenPGP card through tessera: 01 RSA-2048, 02 RSA-2048, 03 $alg" \
	t sh "$TESSERA_SRCDIR/tests/provision-openpgp.sh" "$D" "01:rsa:2048 02:rsa:2048 03:$alg"
nss_use_libdir
nss_db_tessera "$D/ca.pem"
with_module certutil -L -h all -d "$db" >"$TAP_TMP/list" 2>&1
nick=$(nss_nickname "$TAP_TMP/list" "Certificate for Authentication")
tap_check "NSS finds the card's $alg authentication certificate ($nick)" test -n "$nick"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TAP_TMP/server.key" -out "$TAP_TMP/server.pem" \
	-days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
	-CA "$D/ca.pem" -CAkey "$D/ca.key" 2>/dev/null
printf 'GET / HTTP/1.0\r\n\r\n' >"$TAP_TMP/req"

# server_start VERSION CLIENT-SIGALGS: openssl s_server for one handshake that demands a client
# certificate; false when it does not listen.
server_start() {
	port=$(free_port)
	t openssl s_server -accept "127.0.0.1:$port" -cert "$TAP_TMP/server.pem" -key "$TAP_TMP/server.key" \
		-CAfile "$D/ca.pem" -Verify 1 -www -client_sigalgs "$2" -naccept 1 \
		>"$TAP_TMP/server.log" 2>&1 &
	server=$!
	wait_listen "$port" && return 0
	tap_fail "openssl s_server listens for the TLS $1 handshake"
	tap_diag <"$TAP_TMP/server.log"
	kill "$server" 2>/dev/null
	server=""
	return 1
}
server_stop() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	server=""
}

# tls_case VERSION CLIENT-SIGALGS SCHEME-NAME: one handshake; four tests.
tls_case() {
	server_start "$1" "$2" || return
	tap_check "tstclnt: TLS $1 client authentication with the OpenPGP authentication key ($alg, $3)" \
		with_module tstclnt -4 -h localhost -p "$port" -d "$db" -n "$nick" -w "$PIN" \
		-V "tls$1:tls$1" -A "$TAP_TMP/req"
	cp "$TAP_TMP/out" "$TAP_TMP/page"
	grep_check "the server's page says TLS $1" "$TAP_TMP/page" "Protocol *: TLSv$1"
	sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$TAP_TMP/page" |
		awk '/BEGIN CERTIFICATE/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' >"$TAP_TMP/peer.pem"
	tap_check "the client certificate the server got is the card's 03 certificate" sh -c \
		'[ "$(openssl x509 -in "$1" -noout -fingerprint 2>&1)" = "$(openssl x509 -in "$2" -noout -fingerprint)" ]' \
		sh "$TAP_TMP/peer.pem" "$D/03.cert.pem"
	grep_check "the server verified a $3 signature by the client" "$TAP_TMP/page" "Peer signature type: *$3"
	server_stop
}

case $alg in
rsa:*)
	tls_case 1.2 "RSA+SHA256:RSA+SHA384" RSA
	# TLS 1.3 allows only RSA-PSS for an RSA client certificate; the card cannot make it.
	if server_start 1.3 "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_pss_sha256"; then
		expect_fail "TLS 1.3 with the RSA authentication key fails (no RSA-PSS on an OpenPGP card), no hang" \
			with_module tstclnt -4 -h localhost -p "$port" -d "$db" -n "$nick" -w "$PIN" \
			-V tls1.3:tls1.3 -A "$TAP_TMP/req"
		server_stop
		grep_check "... because NSS offered no client certificate the key could sign for" \
			"$TAP_TMP/server.log" "peer did not return a certificate"
	fi
	tap_check "C_GetMechanismInfo: the card offers no CKM_RSA_PKCS_PSS nor CKM_RSA_X_509" sh -c \
		'! pkcs11-tool --module "$TESSERA_MODULE" -M 2>/dev/null | grep -q "RSA-PKCS-PSS\|RSA-X-509"'
	;;
*)
	tls_case 1.2 "ECDSA+SHA256" ECDSA
	tls_case 1.3 "ecdsa_secp256r1_sha256" ECDSA
	;;
esac

# --- OpenSSH
tap_check "ssh-keygen -D prints the card's public keys" with_module ssh-keygen -D "$TESSERA_MODULE"
cut -d ' ' -f 1,2 "$TAP_TMP/out" | grep '^[a-z]' >"$TAP_TMP/card.keys"
openssl x509 -in "$D/03.cert.pem" -noout -pubkey >"$TAP_TMP/03.pub"
ssh-keygen -i -m PKCS8 -f "$TAP_TMP/03.pub" 2>/dev/null | cut -d ' ' -f 1,2 >"$TAP_TMP/03.ssh"
if [ -s "$TAP_TMP/03.ssh" ] && grep -qxF -f "$TAP_TMP/03.ssh" "$TAP_TMP/card.keys"; then
	tap_ok "the 03 certificate's key ($(cut -d ' ' -f 1 "$TAP_TMP/03.ssh")) is among them"
else
	tap_fail "the 03 certificate's key is among them"
	tap_diag <"$TAP_TMP/card.keys"
fi
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	for what in "ssh-add -s adds the card's keys" "the agent holds the 03 key" \
		"ssh-keygen -Y sign through the agent" "ssh-keygen -Y verify"; do
		tap_skip "$what" "sanitizer build: ssh-pkcs11-helper runs without the ASan runtime"
	done
	tap_done
fi
ssh_agent_start
tap_check "ssh-add -s adds the card's keys to ssh-agent (PIN from SSH_ASKPASS)" \
	env SSH_ASKPASS="$TAP_TMP/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
	timeout "$TOOL_TIMEOUT" setsid -w ssh-add -s "$modpath"
timeout "$TOOL_TIMEOUT" ssh-add -L 2>/dev/null | cut -d ' ' -f 1,2 >"$TAP_TMP/agent.keys"
tap_check "the agent holds the 03 key" grep -qxF -f "$TAP_TMP/03.ssh" "$TAP_TMP/agent.keys"
echo "ssh signature made on an OpenPGP card $(od -An -N8 -tx1 /dev/urandom)" >"$TAP_TMP/msg"
cp "$TAP_TMP/03.ssh" "$TAP_TMP/id_03.pub"
tap_check "ssh-keygen -Y sign signs with the 03 key through the agent" \
	timeout "$TOOL_TIMEOUT" ssh-keygen -Y sign -f "$TAP_TMP/id_03.pub" -n file "$TAP_TMP/msg"
printf 'alice@example.org %s\n' "$(cat "$TAP_TMP/03.ssh")" >"$TAP_TMP/allowed"
tap_check "ssh-keygen -Y verify accepts the signature for the 03 certificate's key" \
	sh -c 'ssh-keygen -Y verify -f "$1" -I alice@example.org -n file -s "$2.sig" <"$2"' \
	sh "$TAP_TMP/allowed" "$TAP_TMP/msg"
tap_done
