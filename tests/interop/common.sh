# tests/interop/common.sh: sourced by the interoperability tests (POSIX sh).
#
# Each test runs independent tools (yubico-piv-tool, OpenSC, ykcs11, openssl) against the card
# simulator in tests/testbed. The script runs itself again inside the test bed with "--inside";
# the TAP lines printed in there (tests/lib.sh helpers) are renumbered into this script's TAP, so a
# script may use several test bed runs (tests/interop/state-restart.sh does).
: "${TESSERA_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TESSERA_SRCDIR/tests/lib.sh"

MGM=010203040506070801020304050607080102030405060708
OPENSC_MODULE=/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so
YKCS11_MODULE=/usr/lib/x86_64-linux-gnu/libykcs11.so
INTEROP_DIR="$TESSERA_SRCDIR/tests/interop"
# A hung tool must not hang make check.
TOOL_TIMEOUT=${TOOL_TIMEOUT:-60}

# interop_require TOOL-OR-FILE...: skip the whole test when the environment lacks something.
interop_require() {
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root (tests/testbed)"
	[ -x "$CARDSIM_BIN" ] || tap_skip_all "no card simulator at $CARDSIM_BIN (make first)"
	for _r in pcscd openssl "$@"; do
		case $_r in
		/*) [ -e "$_r" ] || tap_skip_all "$_r not installed" ;;
		*) command -v "$_r" >/dev/null || tap_skip_all "$_r not installed" ;;
		esac
	done
}

# interop_testbed TESTBED-ARGS... -- COMMAND: run COMMAND in the test bed; the TAP lines it prints
# become this script's tests. A run that dies before its plan is one more failure.
interop_testbed() {
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

# t COMMAND...: COMMAND with the tool time limit, its output in $TAP_TMP/out (for checks on it).
t() { timeout "$TOOL_TIMEOUT" "$@"; }

# expect_fail DESCRIPTION COMMAND...: one test that passes when COMMAND fails (not on a time-out).
expect_fail() {
	_desc=$1
	shift
	t "$@" >"$TAP_TMP/out" 2>&1
	_st=$?
	if [ "$_st" != 0 ] && [ "$_st" != 124 ]; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (exit $_st)"
		tap_diag <"$TAP_TMP/out"
	fi
}

# grep_check DESCRIPTION FILE PATTERN: one test that passes when FILE has a line matching PATTERN.
grep_check() {
	if grep -q -- "$3" "$2"; then
		tap_ok "$1"
	else
		tap_fail "$1 (no line matching '$3')"
		tap_diag <"$2"
	fi
}

# same_pubkey A B: A and B (PEM public keys or certificates) hold the same public key.
same_pubkey() {
	_pa=$(pubkey_der "$1") && _pb=$(pubkey_der "$2") && [ -n "$_pa" ] && [ "$_pa" = "$_pb" ]
}
pubkey_der() {
	if grep -q "BEGIN CERTIFICATE" "$1"; then
		openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n'
	else
		openssl pkey -pubin -in "$1" -outform DER | od -An -tx1 | tr -d ' \n'
	fi
}

# make_ca DIR: a throw-away test CA (DIR/ca.pem, DIR/ca.key).
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.pem" -days 2 \
		-subj "/O=Tessera Interop/CN=Interop Test CA" 2>/dev/null
}

# make_cert DIR PUBKEY CN OUT: a certificate from the test CA for the public key PUBKEY.
make_cert() {
	openssl x509 -new -force_pubkey "$2" -subj "/O=Tessera Interop/CN=$3" \
		-CA "$1/ca.pem" -CAkey "$1/ca.key" -days 2 -set_serial "0x$(openssl rand -hex 8)" \
		-out "$4" 2>/dev/null
}
