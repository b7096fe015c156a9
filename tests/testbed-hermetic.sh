#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test bed is hermetic: its pcscd comes and goes with the run, the command's exit status is
# passed through, and a pcscd that was running before the run is still running, same pid, after it.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root"

# (pgrep hangs with the ASan runtime preloaded, as the sanitizer build does: run it without.)

# 1. exit status passes through
testbed -- sh -c 'exit 7'
st=$?
if [ "$st" = 7 ]; then tap_ok "COMMAND's exit status is the test bed's"; else tap_fail "exit status 7 came back as $st"; fi

# 2. a private pcscd with two virtual readers serves the command, and is gone afterwards
testbed --keep -- sh -c 'echo "$TESTBED_DIR" > "$0"; test -S /run/pcscd/pcscd.comm && opensc-tool -l' \
	"$TAP_TMP/dir" >"$TAP_TMP/list" 2>"$TAP_TMP/err"
st=$?
tbdir=$(cat "$TAP_TMP/dir" 2>/dev/null)
if [ "$st" = 0 ] && [ "$(grep -c 'Virtual PCD 00 0[01]' "$TAP_TMP/list")" = 2 ]; then
	tap_ok "the private pcscd lists the two virtual readers"
else
	tap_fail "no private pcscd with two readers (exit $st)"
	tap_diag <"$TAP_TMP/list"; tap_diag <"$TAP_TMP/err"
fi
if [ -n "$tbdir" ] && ! env -u LD_PRELOAD pgrep -f "$tbdir/reader.conf.d" >/dev/null; then
	tap_ok "the test bed's pcscd is gone after the run"
else
	tap_fail "a pcscd of the test bed ($tbdir) is still running"
fi
[ -n "$tbdir" ] && rm -rf "$tbdir"

# 3. pcscd processes that ran before (the system's, if any; not other test beds' running in
#    parallel) run on with the same pids
outside_pcscds() {
	for p in $(env -u LD_PRELOAD pgrep -x pcscd); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'tessera-testbed\.' || echo "$p"
	done | sort
}
before=$(outside_pcscds)
testbed -- true
missing=""
for p in $before; do kill -0 "$p" 2>/dev/null || missing="$missing $p"; done
if [ -z "$missing" ]; then
	tap_ok "pcscd processes outside the test bed untouched (${before:-none})"
else
	tap_fail "pcscd processes gone after the run:$missing"
fi

# 4. a pcscd serving /run/pcscd before the run (made here in a namespace of its own, standing in
#    for the system's) keeps its pid and its socket, and still answers, after a test bed run.
mkdir -p "$TAP_TMP/conf"
sed -e 's/^FRIENDLYNAME.*/FRIENDLYNAME "Outer Reader"/' -e 's/0x[0-9A-Fa-f]\{4\}/0x5EED/g' \
	/etc/reader.conf.d/vpcd >"$TAP_TMP/conf/vpcd"
cat >"$TAP_TMP/outer.sh" <<EOS
mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd || exit 10
pcscd -f -c "$TAP_TMP/conf" >"$TAP_TMP/outer.log" 2>&1 &
pid=\$!
i=0; while [ ! -S /run/pcscd/pcscd.comm ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
opensc-tool -l | grep -q "Outer Reader" || exit 11
"$TESTBED" --builddir "$TESSERA_BUILDDIR" -- sh -c 'opensc-tool -l | grep -q "Virtual PCD" && ! opensc-tool -l | grep -q "Outer Reader"' || exit 12
kill -0 \$pid || exit 13
test -S /run/pcscd/pcscd.comm || exit 14
opensc-tool -l | grep -q "Outer Reader" || exit 15
kill \$pid; wait \$pid
exit 0
EOS
unshare --mount --propagation private sh "$TAP_TMP/outer.sh"
st=$?
if [ "$st" = 0 ]; then
	tap_ok "a pcscd running before the run keeps its pid and socket and still answers"
else
	tap_fail "pre-existing pcscd disturbed (step $st)"
	tap_diag <"$TAP_TMP/outer.log"
fi

# 5. with simulated cards: both readers hold a card
if [ -x "$CARDSIM_BIN" ]; then
	testbed --cards 2 -- opensc-tool -l >"$TAP_TMP/cards" 2>&1
	if [ "$(grep -c 'Yes.*Virtual PCD 00 0[01]' "$TAP_TMP/cards")" = 2 ]; then
		tap_ok "two simulated cards, one in each virtual reader"
	else
		tap_fail "two simulated cards not seen"; tap_diag <"$TAP_TMP/cards"
	fi
else
	tap_fail "no card simulator at $CARDSIM_BIN"
fi
tap_done
