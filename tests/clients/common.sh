# tests/clients/common.sh: sourced by the client tests (POSIX sh).
#
# Each test drives real, unmodified PKCS #11 clients (NSS, OpenSSL's libp11 engine, GnuTLS, OpenSSH)
# against tessera-pkcs11.so and a simulated PIV card in tests/testbed. A script runs itself again
# inside the test bed with "--inside"; the TAP lines printed in there are renumbered into the
# script's own TAP, so one script may use several test bed runs (several card states).
: "${TESSERA_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TESSERA_SRCDIR/tests/lib.sh"

PIN=123456
MGM=010203040506070801020304050607080102030405060708
PUK=12345678
# A hung client (waiting for a PIN on a terminal, a lost card) must not hang make check.
TOOL_TIMEOUT=${TOOL_TIMEOUT:-40}

# clients_require TOOL-OR-FILE...: skip the whole test when the environment lacks something.
clients_require() {
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root (tests/testbed)"
	[ -x "$CARDSIM_BIN" ] || tap_skip_all "no card simulator at $CARDSIM_BIN (make first)"
	for _r in pcscd openssl yubico-piv-tool opensc-tool "$@"; do
		case $_r in
		/*) [ -e "$_r" ] || tap_skip_all "$_r not installed" ;;
		*) command -v "$_r" >/dev/null || tap_skip_all "$_r not installed" ;;
		esac
	done
}

# clients_testbed TESTBED-ARGS... -- COMMAND: run COMMAND in the test bed; the TAP lines it prints
# become this script's tests (a "# SKIP" directive is kept). A run that dies before its plan is one
# more failure.
clients_testbed() {
	testbed "$@" >"$TAP_TMP/tb.tap" 2>"$TAP_TMP/tb.err"
	_st=$?
	_plan=no
	while IFS= read -r _line; do
		case $_line in
		"ok "*) _d=${_line#ok }; tap_ok "${_d#* - }" ;;
		"not ok "*) _d=${_line#not ok }; tap_fail "${_d#* - }" ;;
		1..*) _plan=yes ;;
		*) echo "$_line" ;;
		esac
	done <"$TAP_TMP/tb.tap"
	if [ "$_plan" != yes ] || [ "$_st" != 0 ]; then
		tap_fail "test bed run ended early (exit $_st, plan printed: $_plan)"
		tap_diag <"$TAP_TMP/tb.err"
	fi
}

# with_module COMMAND...: run an external program that loads tessera-pkcs11.so, with the tool time
# limit and stdin closed (a client that wanted to prompt for a PIN fails instead of hanging).
# In a sanitizer build (TESSERA_SANITIZERS=yes) the module needs the ASan runtime loaded
# first in a program that was not built with it; leak reports would be the program's, not ours.
# libstdc++ is preloaded after it: a C++ library the program loads later (PyKCS11) throws
# exceptions, and ASan's __cxa_throw interceptor must find the real one at start-up.
with_module() { with_module_input /dev/null "$@"; }

# with_module_input FILE COMMAND...: the same with stdin from FILE (a PIN for a client's prompt),
# in a new session: without a controlling terminal, a prompt reads stdin, never the user's tty.
with_module_input() {
	_in=$1
	shift
	if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
		env LD_PRELOAD="$TESSERA_ASAN_RUNTIME libstdc++.so.6" ASAN_OPTIONS=detect_leaks=0 \
			timeout "$TOOL_TIMEOUT" setsid -w "$@" <"$_in"
	else
		timeout "$TOOL_TIMEOUT" setsid -w "$@" <"$_in"
	fi
}

# t COMMAND...: a program that does not load the module (openssl, ...), with the time limit.
t() { timeout "$TOOL_TIMEOUT" "$@"; }

# expect_fail DESCRIPTION COMMAND...: one test that passes when COMMAND fails (not on a time-out).
expect_fail() {
	_desc=$1
	shift
	"$@" >"$TAP_TMP/out" 2>&1
	_st=$?
	if [ "$_st" != 0 ] && [ "$_st" != 124 ]; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (exit $_st)"
		tap_diag <"$TAP_TMP/out"
	fi
}

# tap_skip DESCRIPTION REASON: a test that was not run, with the reason (TAP "# SKIP").
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# grep_check DESCRIPTION FILE PATTERN: one test that passes when FILE has a line matching PATTERN
# (a basic regular expression).
grep_check() {
	if grep -q -- "$3" "$2"; then
		tap_ok "$1"
	else
		tap_fail "$1 (no line matching '$3')"
		tap_diag <"$2"
	fi
}

# provision DIR [SLOTS]: tests/provision.sh (keys generated on the card, certificates from a test
# CA); one test.
provision() {
	tap_check "provision the card: ${2:-9a:RSA2048 9c:ECCP256 9d:RSA2048 9e:ECCP256}" \
		t sh "$TESSERA_SRCDIR/tests/provision.sh" "$@"
}

# Which NSS the NSS clients (certutil, modutil, cmsutil, tstclnt) run with: Debian's, or with
# TESSERA_NSS_LIBDIR=DIR another build through LD_LIBRARY_PATH, e.g. Firefox's own
# (/usr/lib/firefox-esr: libnss3, libsmime3, libssl3, libsoftokn3), so that a change in NSS shows.
# nss_require (outside the test bed): skip when DIR has no NSS. nss_use_libdir (inside): export
# LD_LIBRARY_PATH for the rest of the script, and one test that the clients load that NSS.
nss_require() {
	[ -z "${TESSERA_NSS_LIBDIR:-}" ] || [ -f "$TESSERA_NSS_LIBDIR/libnss3.so" ] ||
		tap_skip_all "no NSS in $TESSERA_NSS_LIBDIR (TESSERA_NSS_LIBDIR)"
}
nss_use_libdir() {
	_dir=${TESSERA_NSS_LIBDIR:-$(dirname "$(ldconfig -p | sed -n 's/.*libsoftokn3.so (libc6,x86-64) => //p' | head -n 1)")}
	if [ -n "${TESSERA_NSS_LIBDIR:-}" ]; then
		LD_LIBRARY_PATH=$TESSERA_NSS_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
	fi
	_want=$(grep -ao 'Version: NSS [0-9.]*' "$_dir/libsoftokn3.so" 2>/dev/null | head -n 1 | sed 's/.* //')
	mkdir -p "$TAP_TMP/nssver"
	certutil -N -d "sql:$TAP_TMP/nssver" --empty-password >/dev/null 2>&1
	_got=$(modutil -dbdir "sql:$TAP_TMP/nssver" -list </dev/null 2>/dev/null |
		sed -n 's/.*NSS%20Internal.*library-version=\([0-9.]*\).*/\1/p' | head -n 1)
	case $_want in
	"$_got" | "$_got".*)
		[ -n "$_got" ] && tap_ok "the NSS clients run NSS $_got, from $_dir" ||
			tap_fail "the NSS clients run the NSS of $_dir (no version found)" ;;
	*) tap_fail "the NSS clients run NSS $_got, not $_want from $_dir" ;;
	esac
}

# reissue_cert DIR SLOT KEY-USAGE EXT-KEY-USAGE: the certificate of SLOT again (same subject, same
# key on the card, from the test CA of DIR, provisioned by provision) with other usages, written
# to the card and to DIR/SLOT.cert.pem and .der; one test.
reissue_cert() {
	_reader=$(opensc-tool -l 2>/dev/null | sed -n 's/^[0-9][0-9]* *Yes *//p' | head -n 1)
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,$3" "extendedKeyUsage=$4" \
		"subjectAltName=email:alice@example.org" >"$1/$2.reissue.ext"
	tap_check "the $2 certificate again, for $3 and $4" sh -c '
		subj=$(openssl x509 -in "$1/$2.cert.pem" -noout -subject -nameopt compat | sed "s/^subject=//")
		openssl x509 -new -force_pubkey "$1/$2.pub.pem" -CA "$1/ca.pem" -CAkey "$1/ca.key" -days 30 \
			-subj "$subj" -set_serial "0x$(openssl rand -hex 8)" -extfile "$1/$2.reissue.ext" \
			-out "$1/$2.cert.pem" &&
		openssl x509 -in "$1/$2.cert.pem" -outform DER -out "$1/$2.cert.der" &&
		yubico-piv-tool -r "$3" -a import-certificate -s "$2" -i "$1/$2.cert.pem" \
			--key=010203040506070801020304050607080102030405060708' sh "$1" "$2" "$_reader"
}

# nss_db DIR CA: a new NSS database in DIR (empty password) that trusts the test CA's certificate.
nss_db() {
	mkdir -p "$1"
	certutil -N -d "sql:$1" --empty-password >/dev/null 2>&1 &&
		certutil -A -d "sql:$1" -n "Tessera Test CA" -t "CT,C,C" -i "$2" >/dev/null 2>&1
}

# nss_db_tessera CA-PEM: the NSS database $db (sql:$TAP_TMP/nss) trusting CA-PEM, with tessera
# added by modutil (one test); ends the test when the database cannot be made.
nss_db_tessera() {
	db="sql:$TAP_TMP/nss"
	nss_db "$TAP_TMP/nss" "$1" || { tap_fail "create an NSS database"; tap_done; }
	tap_check "modutil -add loads tessera-pkcs11.so into NSS" \
		with_module modutil -dbdir "$db" -add tessera -libfile "$TESSERA_MODULE" -force
}

# nss_nickname LISTING LABEL: the NSS nickname ("token label:certificate label") of the card's
# user certificate (trust u,u,u) whose label contains LABEL, from a "certutil -L" listing.
nss_nickname() {
	grep ":.*$2.* u,u,u" "$1" | sed 's/  *u,u,u *$//' | head -n 1
}

# pubkey_der FILE: the DER SubjectPublicKeyInfo (hex) of a PEM certificate or public key.
pubkey_der() {
	if grep -q "BEGIN CERTIFICATE" "$1"; then
		openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n'
	else
		openssl pkey -pubin -in "$1" -outform DER | od -An -tx1 | tr -d ' \n'
	fi
}

# token: the label of the first token pkcs11-tool lists through the built module.
token() { pkcs11-tool --module "$TESSERA_MODULE" -L 2>/dev/null | sed -n 's/^ *token label *: *//p' | head -n 1; }

# nss_provisioning MESSAGE: what provisioning through NSS needs: a test CA ($TAP_TMP/ca/ca.pem
# and ca.key), an NSS database $db that trusts it, with tessera added (one test), the PIN and
# noise files certutil reads ($TAP_TMP/pin, noise), MESSAGE in $TAP_TMP/msg, and the card's
# token label in $tok. Ends the test when the database cannot be made.
nss_provisioning() {
	echo "$PIN" >"$TAP_TMP/pin"
	head -c 64 /dev/urandom >"$TAP_TMP/noise"
	echo "$1" >"$TAP_TMP/msg"
	mkdir -p "$TAP_TMP/ca"
	t openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TAP_TMP/ca/ca.key" -out "$TAP_TMP/ca/ca.pem" \
		-days 30 -subj "/O=Tessera Test/CN=Tessera Provisioning CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	nss_db_tessera "$TAP_TMP/ca/ca.pem"
	tok=$(token)
}

# ssh_askpass: $TAP_TMP/askpass answers the PIN for SSH_ASKPASS, each request a line in
# $TAP_TMP/askpass.count.
ssh_askpass() {
	printf '#!/bin/sh\necho "$*" >>"%s"\necho %s\n' "$TAP_TMP/askpass.count" "$PIN" >"$TAP_TMP/askpass"
	chmod 700 "$TAP_TMP/askpass"
}

# ssh_agent_start [VAR=VALUE...]: a new ssh-agent (VAR=VALUE in its environment, which
# ssh-pkcs11-helper inherits) that may load the built module, by its absolute path in $modpath
# (the agent loads modules only from allowed folders); its socket in SSH_AUTH_SOCK (exported),
# its pid in $agent, waited for up to 10 s; an agent this script started before is stopped.
# It writes the askpass script too (ssh_askpass).
ssh_agent_start() {
	[ -z "${agent:-}" ] || { kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null; }
	ssh_askpass
	modpath=$(cd "$(dirname "$TESSERA_MODULE")" && pwd)/$(basename "$TESSERA_MODULE")
	SSH_AUTH_SOCK=$TAP_TMP/agent.sock
	export SSH_AUTH_SOCK
	rm -f "$SSH_AUTH_SOCK"
	env "$@" ssh-agent -D -a "$SSH_AUTH_SOCK" -P "$modpath" </dev/null >"$TAP_TMP/agent.log" 2>&1 &
	agent=$!
	_i=0
	while [ ! -S "$SSH_AUTH_SOCK" ] && [ "$_i" -lt 100 ]; do _i=$((_i + 1)); sleep 0.1; done
}

# free_port: a random TCP port nobody listens on; wait_listen PORT: until somebody does (5 s).
free_port() {
	while :; do
		_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
		grep -qs "$(printf ':%04X ' "$_p")" /proc/net/tcp /proc/net/tcp6 || { echo "$_p"; return; }
	done
}
wait_listen() {
	_i=0
	until grep -qs "$(printf ':%04X 00000000:0000 0A' "$1")" /proc/net/tcp; do
		_i=$((_i + 1))
		[ "$_i" -lt 50 ] || return 1
		sleep 0.1
	done
}
