#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/stress/threads.sh: tests/stress/test-threads against one provisioned simulated card.
# In the ThreadSanitizer build (configure --enable-tsan; dev/test-all runs this test there)
# a race report fails the test; tsan.supp silences races inside libpcsclite only.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (test bed)"
if [ "${TESSERA_TSAN:-no}" = yes ]; then
	TSAN_OPTIONS="suppressions=$TESSERA_SRCDIR/tests/stress/tsan.supp halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4"
	export TSAN_OPTIONS
fi
testbed --cards 1 -- sh -c '
	"$TESSERA_SRCDIR/tests/provision.sh" "$1/prov" >"$1/provision.log" 2>&1 || { sed "s/^/# /" "$1/provision.log"; exit 1; }
	TESSERA_CACHE_DIR="$1/cache" exec "$TESSERA_BUILDDIR/tests/stress/test-threads"
' sh "$TAP_TMP"
