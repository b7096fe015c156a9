#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/apdu-count.sh [--card N] [--all] -- COMMAND [ARGS]: run COMMAND inside the test bed and
# print how many APDUs the card simulator N (default 0) received meanwhile; with --all, the
# line "apdus N get_response N extended N" (GET RESPONSE and extended-length commands among
# them). COMMAND's standard output goes to standard error, so that the count is alone on
# standard output. The exit status is COMMAND's. For example:
#   tests/testbed --builddir _build/gcc --cards 1 -- sh -c \
#     'tests/provision.sh /tmp/card >/dev/null && tests/apdu-count.sh -- pkcs11-tool --module "$TESSERA_MODULE" -L'
# Shell tests use the functions behind it in tests/lib.sh: apdu_count, apdu_budget, card_stat.
. "$(dirname "$0")/lib.sh"

card=0
all=no
while [ $# -gt 0 ]; do
	case $1 in
	--card) card=${2:?}; shift 2 ;;
	--all) all=yes; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: tests/apdu-count.sh [--card N] [--all] -- COMMAND [ARGS]" >&2; exit 2; }
[ -n "${CARDSIM_CONTROL:-}" ] || { echo "tests/apdu-count.sh: run it inside tests/testbed" >&2; exit 2; }

for f in apdus get_response extended; do
	eval "before_$f=\$(card_stat $f $card)" || exit 2
done
"$@" >&2
status=$?
for f in apdus get_response extended; do
	eval "after_$f=\$(card_stat $f $card)" || exit 2
done
# shellcheck disable=SC2154
if [ "$all" = yes ]; then
	echo "apdus $((after_apdus - before_apdus)) get_response $((after_get_response - before_get_response))" \
		"extended $((after_extended - before_extended))"
else
	echo $((after_apdus - before_apdus))
fi
exit "$status"
