#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/api/test-api.sh: tests/api/test-api against one simulated card, provisioned the
# way a user's card is (yubico-piv-tool + openssl, tests/provision.sh): RSA 2048 in 9a,
# EC P-256 in 9c, RSA 2048 in 9d, and EC P-256 with keyAgreement in the retired slot 82.
# The TAP output is the Check program's.
. "$(dirname "$0")/../lib.sh"
# yubico-piv-tool looks for a reader named like a YubiKey
testbed --cards 1 --reader-name "Yubico YubiKey" -- sh -c '
	set -e
	card="$1/card"
	sh "$TESSERA_SRCDIR/tests/provision.sh" "$card" "9a:RSA2048 9c:ECCP256 9d:RSA2048" >"$1/provision.log" 2>&1 ||
		{ echo "Bail out! provisioning failed"; sed "s/^/# /" "$1/provision.log"; exit 1; }
	sh "$TESSERA_SRCDIR/tests/api/provision-ecdh.sh" "$card" 82 >>"$1/provision.log" 2>&1 ||
		{ echo "Bail out! provisioning 82 failed"; sed "s/^/# /" "$1/provision.log"; exit 1; }
	CARD_DIR="$card" exec "$TESSERA_BUILDDIR/tests/api/test-api"
' sh "$TAP_TMP"
