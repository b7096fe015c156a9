#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenSSH: ssh-keygen -D reads the card's public keys through tessera-pkcs11.so, each equal to the
# key of the certificate in the same PIV slot (ssh-keygen -i -m PKCS8); ssh-agent, given the module
# with ssh-add -s and the PIN, signs with the card's 9A key (ssh-keygen -Y sign) and the signature
# verifies against the key ssh-keygen -D printed.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require ssh-keygen ssh-agent ssh-add
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
agent=""
trap 'if [ -n "$agent" ]; then kill "$agent" 2>/dev/null; fi; rm -rf "$TAP_TMP"' EXIT
provision "$D"

tap_check "ssh-keygen -D prints the card's public keys" with_module ssh-keygen -D "$TESSERA_MODULE"
cut -d ' ' -f 1,2 "$TAP_TMP/out" | grep '^[a-z]' >"$TAP_TMP/card.keys"
tap_check "4 keys (9A, 9C, 9D, 9E)" test "$(wc -l <"$TAP_TMP/card.keys")" = 4
for s in 9a 9c 9d 9e; do
	openssl x509 -in "$D/$s.cert.pem" -noout -pubkey >"$TAP_TMP/$s.pub"
	ssh-keygen -i -m PKCS8 -f "$TAP_TMP/$s.pub" 2>/dev/null | cut -d ' ' -f 1,2 >"$TAP_TMP/$s.ssh"
	if [ -s "$TAP_TMP/$s.ssh" ] && grep -qxF -f "$TAP_TMP/$s.ssh" "$TAP_TMP/card.keys"; then
		tap_ok "the $s certificate's key ($(cut -d ' ' -f 1 "$TAP_TMP/$s.ssh")) is among them"
	else
		tap_fail "the $s certificate's key is among them"
		tap_diag <"$TAP_TMP/card.keys"
	fi
done
grep_check "the 9A key is ssh-rsa" "$TAP_TMP/card.keys" "^ssh-rsa "
grep_check "the 9C key is ecdsa-sha2-nistp256" "$TAP_TMP/card.keys" "^ecdsa-sha2-nistp256 "

# --- signing through ssh-agent (ssh-pkcs11-helper loads the module; the PIN comes from SSH_ASKPASS)
# ssh-agent starts ssh-pkcs11-helper without LD_PRELOAD, so an ASan-built module cannot load there:
# the agent path is tested in the ordinary build only.
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	for what in "ssh-add -s adds the card's keys" "ssh-add -L lists them" "the agent holds the 9A key" \
		"ssh-keygen -Y sign through the agent" "ssh-keygen -Y verify"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $what # SKIP sanitizer build: ssh-pkcs11-helper runs without the ASan runtime"
	done
	tap_done
fi
ssh_agent_start
tap_check "ssh-add -s adds the card's keys to ssh-agent (PIN from SSH_ASKPASS)" \
	env SSH_ASKPASS="$TAP_TMP/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
	timeout "$TOOL_TIMEOUT" setsid -w ssh-add -s "$modpath"
tap_check "ssh-add -L lists the card's keys" timeout "$TOOL_TIMEOUT" ssh-add -L
cut -d ' ' -f 1,2 "$TAP_TMP/out" >"$TAP_TMP/agent.keys"
tap_check "the agent holds the 9A key" grep -qxF -f "$TAP_TMP/9a.ssh" "$TAP_TMP/agent.keys"
echo "ssh signature made on a smartcard $(od -An -N8 -tx1 /dev/urandom)" >"$TAP_TMP/msg"
cp "$TAP_TMP/9a.ssh" "$TAP_TMP/id_9a.pub"
tap_check "ssh-keygen -Y sign signs with the 9A key through the agent" \
	timeout "$TOOL_TIMEOUT" ssh-keygen -Y sign -f "$TAP_TMP/id_9a.pub" -n file "$TAP_TMP/msg"
printf 'alice@example.org %s\n' "$(cat "$TAP_TMP/9a.ssh")" >"$TAP_TMP/allowed"
tap_check "ssh-keygen -Y verify accepts the signature for the 9A certificate's key" \
	sh -c 'ssh-keygen -Y verify -f "$1" -I alice@example.org -n file -s "$2.sig" <"$2"' \
	sh "$TAP_TMP/allowed" "$TAP_TMP/msg"
tap_done
