# tests/lib.sh: TAP helpers for the shell tests (sourced, POSIX sh).
# Each test prints "ok N - what" or "not ok N - what" and the plan at the end.
tap_n=0
tap_failed=0
TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
trap 'rm -rf "$TAP_TMP"' EXIT
# Hermetic: the module's per-card files (pairing store, card cache) go to this test's folder,
# never to the user's cache folder.
: "${TESSERA_CACHE_DIR:=$TAP_TMP/cache}"
export TESSERA_CACHE_DIR

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

# APDU counts, for APDU budgets (inside the test bed: CARDSIM_CONTROL names the simulators).
# card_stat FIELD [INDEX]: a counter of card simulator INDEX (default 0) from its "stats"
# control command: apdus, get_response, extended, bytes_in, bytes_out (since it started).
card_stat() {
	_cs_field=$1
	_cs_ctl=$(echo "$CARDSIM_CONTROL" | tr ' ' '\n' | sed -n "$((${2:-0} + 1))p")
	[ -n "$_cs_ctl" ] || { echo "card_stat: no card simulator ${2:-0}" >&2; return 1; }
	"${CARDSIM:-$CARDSIM_BIN}" ctl "$_cs_ctl" stats |
		awk -v f="$_cs_field" '{ for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); found = 1 } }
			END { exit !found }'
}

# apdu_count COMMAND...: run COMMAND (a program or a shell function such as with_module);
# afterwards APDUS is the number of APDUs the first card simulator received meanwhile (GET
# RESPONSE included), or empty when the counter could not be read. COMMAND's exit status.
apdu_count() {
	APDUS=""
	_ac_0=$(card_stat apdus) || return 125
	"$@"
	_ac_st=$?
	_ac_1=$(card_stat apdus) && APDUS=$((_ac_1 - _ac_0))
	return $_ac_st
}

# apdu_budget DESCRIPTION MAX COMMAND...: one test: COMMAND succeeds and the card receives at
# most MAX APDUs meanwhile (the count is shown either way). COMMAND's output goes to $TAP_TMP/out.
apdu_budget() {
	_ab_desc=$1
	_ab_max=$2
	shift 2
	apdu_count "$@" >"$TAP_TMP/out" 2>&1
	_ab_st=$?
	if [ "$_ab_st" = 0 ] && [ -n "$APDUS" ] && [ "$APDUS" -le "$_ab_max" ]; then
		tap_ok "$_ab_desc: $APDUS APDUs (budget $_ab_max)"
	else
		tap_fail "$_ab_desc: ${APDUS:-?} APDUs (budget $_ab_max), exit $_ab_st"
		tap_diag <"$TAP_TMP/out"
	fi
}
