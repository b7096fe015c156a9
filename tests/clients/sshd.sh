#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenSSH end to end: a private sshd on 127.0.0.1 (its own configuration, host key and
# AuthorizedKeysFile holding the card's keys; never the system's service) and the client logging
# in with the card through tessera-pkcs11.so, the PIN from SSH_ASKPASS (SSH_ASKPASS_REQUIRE=force,
# no terminal; each PIN request counted):
#   ssh -I: RSA 9A, ECDSA 9E: one PIN each (the login);
#   ssh-add -s + ssh-agent: RSA 9A and ECDSA 9E sign with the PIN given once to ssh-add.
# The PIN-always 9C key, and what OpenSSH 9.2 does with it (ssh-pkcs11.c pkcs11_get_key):
#   ssh -I: OpenSSH does C_Login(CKU_CONTEXT_SPECIFIC) only when the user was logged in before
#     this signature; for the first signature of the process it logs the user in and skips it, so
#     tessera refuses that signature (CKR_USER_NOT_LOGGED_IN, as PKCS #11 wants: "C_Sign failed:
#     257"). A later signature in the same process asks its PIN and works: a server demanding two
#     keys (AuthenticationMethods publickey,publickey) gets 9A then 9C, with two PIN requests.
#   agent: ssh-pkcs11-helper runs non-interactively (pkcs11_init(0)) and cannot ask a PIN per
#     signature ("need pin entry"): 9C cannot sign through ssh-agent by default. With
#     pin_always_keys = login_pin (tessera.conf: giving up the per-signature PIN) it can, with
#     the PIN given to ssh-add only.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require ssh ssh-keygen ssh-agent ssh-add /usr/sbin/sshd
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
sshd_pid=""
agent=""
made_privsep=""
cleanup() {
	[ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null
	[ -z "$agent" ] || kill "$agent" 2>/dev/null
	# sshd needs its privilege separation folder; one made here is removed again
	[ -z "$made_privsep" ] || rmdir /run/sshd 2>/dev/null
	rm -rf "$TAP_TMP"
}
trap cleanup EXIT
provision "$D"

# --- the card's keys in OpenSSH's format, from the certificates
for s in 9a 9c 9d 9e; do
	openssl x509 -in "$D/$s.cert.pem" -noout -pubkey >"$TAP_TMP/$s.pub.pem"
	ssh-keygen -i -m PKCS8 -f "$TAP_TMP/$s.pub.pem" >"$TAP_TMP/$s.ssh" 2>/dev/null
done

# --- the server: own host key, own configuration, 127.0.0.1 only
S=$TAP_TMP/sshd
mkdir -p "$S" "$TAP_TMP/home"
chmod 700 "$TAP_TMP/home"
ssh-keygen -q -t ed25519 -N "" -f "$S/host_key" >/dev/null
if [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd && chmod 755 /run/sshd && made_privsep=yes
fi
port=$(free_port)
printf '127.0.0.1 %s\n' "$(cut -d ' ' -f 1,2 "$S/host_key.pub")" | sed "s/^127.0.0.1/[127.0.0.1]:$port/" \
	>"$TAP_TMP/known_hosts"

# start_sshd AUTHORIZED-SLOTS METHODS: (re)start the server accepting the keys of those slots
start_sshd() {
	[ -z "$sshd_pid" ] || { kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null; }
	: >"$S/authorized_keys"
	for s in $1; do cat "$TAP_TMP/$s.ssh" >>"$S/authorized_keys"; done
	cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
AuthenticationMethods $2
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PrintMotd no
LogLevel VERBOSE
EOF
	/usr/sbin/sshd -D -e -f "$S/sshd_config" >>"$S/sshd.log" 2>&1 &
	sshd_pid=$!
	wait_listen "$port"
}

# The PIN comes from SSH_ASKPASS; every request leaves a line in askpass.count.
ssh_askpass
asks() { [ -f "$TAP_TMP/askpass.count" ] && wc -l <"$TAP_TMP/askpass.count" || echo 0; }
ASKPASS_ENV="SSH_ASKPASS=$TAP_TMP/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 HOME=$TAP_TMP/home"
modpath=$(cd "$(dirname "$TESSERA_MODULE")" && pwd)/$(basename "$TESSERA_MODULE")
SSH_OPTS="-F /dev/null -p $port -o UserKnownHostsFile=$TAP_TMP/known_hosts -o StrictHostKeyChecking=yes
	-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o IdentityFile=none
	-o ConnectTimeout=20"

# ssh_login DESCRIPTION PIN-REQUESTS [SSH-ARGS]: one login running "echo" on the server; three tests
# (the login, the command's output, the number of PIN requests).
ssh_login() {
	_desc=$1 _want=$2
	shift 2
	_before=$(asks)
	_word=$(od -An -N6 -tx1 /dev/urandom | tr -d ' ')
	# shellcheck disable=SC2086
	with_module env $ASKPASS_ENV ssh $SSH_OPTS -v "$@" root@127.0.0.1 echo "card-login-$_word" \
		>"$TAP_TMP/ssh.out" 2>"$TAP_TMP/ssh.err"
	_st=$?
	if [ "$_st" = 0 ]; then tap_ok "$_desc: logged in"; else
		tap_fail "$_desc: logged in (exit $_st)"
		grep -i "pkcs11\|C_\|denied\|auth\|error" "$TAP_TMP/ssh.err" | tail -n 15 | tap_diag
	fi
	grep_check "$_desc: the server ran the command" "$TAP_TMP/ssh.out" "^card-login-$_word\$"
	_n=$(($(asks) - _before))
	if [ "$_n" = "$_want" ]; then tap_ok "$_desc: $_want PIN request(s)"; else
		tap_fail "$_desc: $_want PIN request(s) (counted: $_n)"
	fi
}

# --- ssh -I: the module in the client
start_sshd 9a publickey
ssh_login "ssh -I, RSA 9A" 1 -I "$modpath"
grep_check "ssh -I, RSA 9A: the server accepted the card's RSA key" "$S/sshd.log" "Accepted publickey for root .* RSA SHA256:"
start_sshd 9e publickey
ssh_login "ssh -I, ECDSA 9E" 1 -I "$modpath"
grep_check "ssh -I, ECDSA 9E: the server accepted the card's ECDSA key" "$S/sshd.log" "Accepted publickey for root .* ECDSA SHA256:"

start_sshd 9c publickey
expect_fail "ssh -I, PIN-always 9C alone: OpenSSH skips the per-signature login right after its user login" \
	with_module env $ASKPASS_ENV ssh $SSH_OPTS -v -I "$modpath" root@127.0.0.1 true
cp "$TAP_TMP/out" "$TAP_TMP/ssh9c.err"
grep_check "ssh -I, 9C alone: because tessera refused the signature without it (CKR_USER_NOT_LOGGED_IN)" \
	"$TAP_TMP/ssh9c.err" "C_Sign failed: 257"
start_sshd "9a 9c" publickey,publickey
ssh_login "ssh -I, 9A then the PIN-always 9C (the server wants both)" 2 -I "$modpath"
grep_check "ssh -I, 9A then 9C: the server accepted the 9C key second" "$S/sshd.log" \
	"Accepted publickey for root .* ECDSA SHA256:"

# --- ssh-agent with ssh-add -s
# ssh-agent starts ssh-pkcs11-helper without LD_PRELOAD: an ASan-built module cannot load there.
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	tap_skip "ssh-agent: the card's keys through ssh-add -s" \
		"sanitizer build: ssh-pkcs11-helper runs without the ASan runtime"
	tap_done
fi
# start_agent [CONF]: a new agent (ssh-pkcs11-helper inherits its environment: TESSERA_CONF), and
# ssh-add -s with the PIN from SSH_ASKPASS; one test.
start_agent() {
	: >"$TAP_TMP/agent-tessera.log"
	ssh_agent_start ${1:+TESSERA_CONF=$1} TESSERA_DEBUG=p11 TESSERA_LOG="$TAP_TMP/agent-tessera.log"
	_before=$(asks)
	tap_check "ssh-add -s adds the card's keys to ssh-agent${1:+ (pin_always_keys = login_pin)}" \
		env $ASKPASS_ENV timeout "$TOOL_TIMEOUT" setsid -w ssh-add -s "$modpath"
	[ "$(($(asks) - _before))" = 1 ] || tap_diag <<EOF
ssh-add asked $(($(asks) - _before)) PIN(s)
EOF
}
start_agent
start_sshd 9a publickey
ssh_login "agent, RSA 9A" 0 -o IdentityAgent="$SSH_AUTH_SOCK"
start_sshd 9e publickey
ssh_login "agent, ECDSA 9E" 0 -o IdentityAgent="$SSH_AUTH_SOCK"
start_sshd 9c publickey
_before=$(asks)
expect_fail "agent, PIN-always 9C: ssh-pkcs11-helper cannot ask a PIN per signature" \
	env $ASKPASS_ENV ssh $SSH_OPTS -o IdentityAgent="$SSH_AUTH_SOCK" root@127.0.0.1 true
grep_check "agent, 9C: the agent reports the failed signature" "$TAP_TMP/agent.log" "sshkey_sign: error"
# the helper logs to syslog only; tessera's log shows what reached the module
if [ "$(asks)" = "$_before" ] && ! grep -q "C_Login(2)" "$TAP_TMP/agent-tessera.log" &&
	! grep -q "private-key operation 1 with key 9C" "$TAP_TMP/agent-tessera.log"; then
	tap_ok "agent, 9C: no PIN was asked, no context-specific login and no 9C signature reached tessera"
else
	tap_fail "agent, 9C: no PIN was asked, no context-specific login and no 9C signature reached tessera"
	tail -n 20 "$TAP_TMP/agent-tessera.log" | tap_diag
fi

# pin_always_keys = login_pin: the PIN given to ssh-add serves every 9C signature.
printf 'pin_always_keys = login_pin\n' >"$TAP_TMP/tessera.conf"
start_agent "$TAP_TMP/tessera.conf"
ssh_login "agent with pin_always_keys = login_pin, PIN-always 9C" 0 -o IdentityAgent="$SSH_AUTH_SOCK"
ssh_login "agent with pin_always_keys = login_pin, 9C again" 0 -o IdentityAgent="$SSH_AUTH_SOCK"
if [ "$(grep -c "private-key operation 1 with key 9C: 0x0" "$TAP_TMP/agent-tessera.log")" = 2 ]; then
	tap_ok "agent with pin_always_keys = login_pin: two 9C signatures made on the card"
else
	tap_fail "agent with pin_always_keys = login_pin: two 9C signatures made on the card"
	tail -n 20 "$TAP_TMP/agent-tessera.log" | tap_diag
fi
tap_done
