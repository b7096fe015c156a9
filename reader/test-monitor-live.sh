#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# reader/test-monitor-live.sh: the reader monitor and the PC/SC backend against
# the test bed's private pcscd (two empty vpcd readers; the test program plays
# the cards itself with reader/test-vpcd-card.py). Prints TAP (Check's).
srcdir=${TESSERA_SRCDIR:?run through make check}
builddir=${TESSERA_BUILDDIR:?run through make check}
prog="$builddir/reader/test-monitor-live"
if [ "$(id -u)" != 0 ] || ! command -v pcscd >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs root, pcscd and python3"
	exit 0
fi
[ -x "$prog" ] || { echo "1..1"; echo "not ok 1 - $prog not built"; exit 0; }
CK_RUN_CASE=pcscd CK_TAP_LOG_FILE_NAME=- CK_VERBOSITY=silent CK_DEFAULT_TIMEOUT=60 \
	exec "$srcdir/tests/testbed" --builddir "$builddir" --cards 0 -- "$prog"
