# tests/lib.sh: TAP helpers for the shell tests (sourced, POSIX sh).
# Each test prints "ok N - what" or "not ok N - what" and the plan at the end.
tap_n=0
tap_failed=0
TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
trap 'rm -rf "$TAP_TMP"' EXIT

tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
tap_fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
tap_diag() { sed 's/^/# /'; }

# tap_check DESCRIPTION COMMAND [ARGS]: one test that passes when COMMAND succeeds;
# COMMAND's output is shown as a diagnostic when it fails.
tap_check() {
	_desc=$1
	shift
	if "$@" >"$TAP_TMP/out" 2>&1; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (exit $?)"
		tap_diag <"$TAP_TMP/out"
	fi
}

tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
tap_done() { echo "1..$tap_n"; exit 0; }

# Locations, exported by the Makefile's test environment (fallback: this source tree).
: "${TESSERA_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TESSERA_BUILDDIR:=$TESSERA_SRCDIR}"
TESTBED="$TESSERA_SRCDIR/tests/testbed"
CARDSIM_BIN="$TESSERA_BUILDDIR/tests/cardsim/cardsim"
export TESSERA_SRCDIR TESSERA_BUILDDIR

# testbed ARGS...: tests/testbed from this build. It needs root (its pcscd lives in a private
# mount namespace): a test that calls it as an ordinary user is skipped as a whole, with the reason.
testbed() {
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root (tests/testbed: a private pcscd in its own mount namespace)"
	"$TESTBED" --builddir "$TESSERA_BUILDDIR" "$@"
}
