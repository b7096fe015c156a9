#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/demo.sh: the README demo, step by step in plain words. Runs inside tests/testbed with one
# simulated PIV card (dev/demo starts it): provision the card, let NSS list its certificates, sign an
# S/MIME message on the card, and authenticate a TLS client with the card's key.
set -eu
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-demo.XXXXXX")
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
server=""
here=$(cd "$(dirname "$0")" && pwd)
PIN=123456
n=0

say() {
	n=$((n + 1))
	printf '\n== %d. %s\n' "$n" "$*"
}
show() { sed 's/^/     /'; }
fail() {
	printf '\n!! the demo failed: %s\n' "$*"
	exit 1
}

say "A new PIV card, a simulated YubiKey 5, sits in a virtual reader of a private pcscd." \
	"We provision it as a user's card would be: keys generated on the card, certificates from a CA."
"$here/provision.sh" "$work/card" "9a:RSA2048 9c:ECCP256" >"$work/provision.log" 2>&1 ||
	{ cat "$work/provision.log"; fail "provisioning with yubico-piv-tool"; }
for s in 9a 9c; do
	printf '     slot %s: %s\n' "$s" "$(openssl x509 -in "$work/card/$s.cert.pem" -noout -subject)"
done

say "NSS (as in Firefox and Thunderbird) loads tessera-pkcs11.so and lists the card's certificates," \
	"without asking for the PIN."
db="sql:$work/nss"
mkdir -p "$work/nss"
certutil -N -d "$db" --empty-password
certutil -A -d "$db" -n "Tessera Test CA" -t "CT,C,C" -i "$work/card/ca.pem"
modutil -dbdir "$db" -add tessera -libfile "$TESSERA_MODULE" -force >/dev/null
certutil -L -h all -d "$db" </dev/null >"$work/list" 2>&1 || { cat "$work/list"; fail "certutil -L -h all"; }
show <"$work/list"
# A token certificate's nickname is "token label:certificate label"; the user's certificates (u,u,u)
# are those whose private key is on the card.
nickname() { grep ":.*$1.* u,u,u" "$work/list" | sed 's/  *u,u,u *$//' | head -n 1; }
nick=$(nickname "PIV Authentication")
[ -n "$nick" ] || fail "the card's PIV authentication certificate (9A) is not listed"
signnick=$(nickname "Digital Signature")
[ -n "$signnick" ] || fail "the card's digital signature certificate (9C) is not listed"
echo "     -> the card's certificates: \"$nick\", \"$signnick\""

say "Thunderbird-style S/MIME: NSS's cmsutil signs a message with the card's signing key (slot 9C," \
	"PIN asked for each signature), and OpenSSL verifies the signature against the CA."
printf 'Hello from tessera: this message was signed on a smartcard.\n' >"$work/msg.txt"
cmsutil -S -d "$db" -N "$signnick" -p "$PIN" -i "$work/msg.txt" -o "$work/msg.p7m" >"$work/cms.log" 2>&1 ||
	{ cat "$work/cms.log"; fail "cmsutil -S"; }
openssl cms -verify -inform DER -in "$work/msg.p7m" -CAfile "$work/card/ca.pem" -purpose any \
	-out "$work/verified.txt" >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "openssl cms -verify"; }
cmp -s "$work/msg.txt" "$work/verified.txt" || fail "the verified content differs from the message"
echo "     openssl: $(cat "$work/verify.log")"
echo "     content: $(cat "$work/verified.txt")"

say "TLS client authentication: an OpenSSL server demands a client certificate; NSS's tstclnt" \
	"answers with the card's certificate and signs the handshake on the card (TLS 1.3, RSA-PSS)."
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.pem" -days 2 \
	-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
	-CA "$work/card/ca.pem" -CAkey "$work/card/ca.key" 2>/dev/null
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
openssl s_server -accept "127.0.0.1:$port" -cert "$work/server.pem" -key "$work/server.key" \
	-CAfile "$work/card/ca.pem" -Verify 1 -www >"$work/server.log" 2>&1 &
server=$!
i=0
until grep -qs "$(printf ':%04X 00000000:0000 0A' "$port")" /proc/net/tcp; do
	i=$((i + 1)); [ "$i" -lt 50 ] || { cat "$work/server.log"; fail "openssl s_server did not start"; }
	sleep 0.1
done
printf 'GET / HTTP/1.0\r\n\r\n' >"$work/req"
tstclnt -4 -h localhost -p "$port" -d "$db" -n "$nick" -w "$PIN" -V tls1.3:tls1.3 -A "$work/req" \
	>"$work/tls.out" 2>"$work/tls.err" </dev/null || { cat "$work/tls.err"; fail "tstclnt"; }
grep -q 'Alice Example' "$work/tls.out" || { cat "$work/tls.out" "$work/tls.err"; fail "the server saw no client certificate"; }
echo "     the server's report of the connection:"
grep -E 'Protocol  :|Cipher    :|Subject:.*Alice' "$work/tls.out" | sed 's/^ *//' | show

printf '\n== Done: the card listed in NSS, signed an S/MIME message, and authenticated a TLS client.\n'
