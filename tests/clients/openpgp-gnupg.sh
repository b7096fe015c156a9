#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GnuPG and tessera take turns on one OpenPGP card, keys and certificates made through tessera
# (tests/provision-openpgp.sh). scdaemon runs all along (GNUPGHOME private to the test, as
# tests/interop/gnupg.sh sets it up: disable-ccid, pcsc-shared), and in two rounds:
#   - scdaemon: gpg --card-status reads the keys' fingerprints tessera wrote; SCD PKSIGN with
#     the signature key (openssl verifies), SCD PKDECRYPT with the decryption key (the secret
#     openssl encrypted);
#   - tessera: one process logs in, signs with the signature key (PIN-always: PW1 81 again) and
#     the authentication key, pkcs11-tool decrypts with the decryption key, each checked;
# none fails; scdaemon is the same process at the end; tessera's logout leaves the card's PW1
# (82) verification alone, so scdaemon's next PKDECRYPT needs no new PIN; no PIN try is lost.
# Without pcsc-shared scdaemon holds the card exclusively: tessera's calls then fail at once
# (CKR_DEVICE_ERROR, "Sharing violation" in its pcsc log), not hang, and work again when
# scdaemon lets the card go.
. "$(dirname "$0")/common.sh"
INTEROP_DIR=$TESSERA_SRCDIR/tests/interop
. "$INTEROP_DIR/gnupg.sh"

if [ "${1:-}" != --inside ]; then
	clients_require pkcs11-tool gpg gpg-agent gpgconf gpg-connect-agent perl "$SCDAEMON" \
		"$TESSERA_BUILDDIR/tests/clients/p11-both"
	clients_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside
	tap_done
fi

G=$TAP_TMP/pgp
P11BOTH=$TESSERA_BUILDDIR/tests/clients/p11-both
trap 'gnupg_stop; rm -rf "$TAP_TMP"' EXIT
# (gnupg.sh unset LD_PRELOAD for GnuPG's sake: with_module gives a sanitizer build's runtime back
# to the programs that load the module)
tap_check "provision the OpenPGP card through tessera: 01 RSA-2048, 02 RSA-2048, 03 P-256" \
	with_module sh "$TESSERA_SRCDIR/tests/provision-openpgp.sh" "$G" "01:rsa:2048 02:rsa:2048 03:EC:prime256v1"
gnupg_setup "$TAP_TMP"
hex() { od -An -tx1 "$1" | tr -d ' \n'; }
# scd COMMAND...: gpg-connect-agent "SCD COMMAND"...; the data lines (Assuan D, percent-escaped)
# decoded into $TAP_TMP/scd.data; fails when an answer is ERR.
scd() {
	_n=$#
	for _c in "$@"; do set -- "$@" "SCD $_c"; done
	shift "$_n"
	t gpg-connect-agent "$@" /bye >"$TAP_TMP/scd.out" 2>&1
	perl -ne 'if (s/^D //) { chomp; s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge; print }' \
		<"$TAP_TMP/scd.out" >"$TAP_TMP/scd.data"
	cat "$TAP_TMP/scd.out"
	grep -q '^OK' "$TAP_TMP/scd.out" && ! grep -q '^ERR' "$TAP_TMP/scd.out"
}
scd_pid() { gpg-connect-agent 'scd getinfo pid' /bye 2>/dev/null | sed -n 's/^D //p'; }

echo "one card, two clients: $(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/msg"
openssl dgst -sha256 -binary "$TAP_TMP/msg" >"$TAP_TMP/msg.h"
head -c 24 /dev/urandom >"$TAP_TMP/secret"
t openssl pkeyutl -encrypt -pubin -inkey "$G/02.pub.pem" -in "$TAP_TMP/secret" -out "$TAP_TMP/secret.enc"

tap_check "gpg --card-status reads the card" t gpg --batch --card-status
cp "$TAP_TMP/out" "$TAP_TMP/status"
for k in "Signature key" "Encryption key" "Authentication key"; do
	grep_check "gpg --card-status: the $k has the fingerprint tessera wrote at generation" \
		"$TAP_TMP/status" "^${k}[ .]*: [0-9A-F]\{4\} [0-9A-F]\{4\}"
done
pid=$(scd_pid)
tap_check "scdaemon is running (pid $pid)" test -n "$pid"

# gpg_turn NAME: scdaemon signs and decrypts; five tests. PROMPTS: the PINs it asked for.
gpg_turn() {
	tap_check "$1: SCD SERIALNO" scd SERIALNO
	tap_check "$1: SCD PKSIGN with the signature key (OPENPGP.1)" \
		scd "SETDATA $(hex "$TAP_TMP/msg.h")" "PKSIGN --hash=sha256 OPENPGP.1"
	tap_check "$1: openssl verifies scdaemon's signature" t openssl pkeyutl -verify -pubin -inkey "$G/01.pub.pem" \
		-in "$TAP_TMP/msg.h" -sigfile "$TAP_TMP/scd.data" -pkeyopt digest:sha256
	_before=$(pin_prompts)
	tap_check "$1: SCD PKDECRYPT with the decryption key (OPENPGP.2)" \
		scd "SETDATA $(hex "$TAP_TMP/secret.enc")" "PKDECRYPT OPENPGP.2"
	tap_check "$1: scdaemon's decryption is the secret" cmp "$TAP_TMP/scd.data" "$TAP_TMP/secret"
	PROMPTS=$(($(pin_prompts) - _before))
}
# tessera_turn NAME: tessera signs and decrypts; three tests.
tessera_turn() {
	tap_check "$1: tessera signs with the signature key (PW1 81 again) and the authentication key" \
		with_module "$P11BOTH" login:OpenPGP:"$PIN" sign:OpenPGP:01:"$G/01.pub.pem" \
		sign:OpenPGP:03:"$G/03.pub.pem" sign:OpenPGP:01:"$G/01.pub.pem"
	rm -f "$TAP_TMP/p11.dec"
	tap_check "$1: tessera decrypts with the decryption key (pkcs11-tool)" \
		with_module pkcs11-tool --module "$TESSERA_MODULE" --login --pin "$PIN" --decrypt --id 02 -m RSA-PKCS \
		-i "$TAP_TMP/secret.enc" -o "$TAP_TMP/p11.dec"
	tap_check "$1: tessera's decryption is the secret" cmp "$TAP_TMP/p11.dec" "$TAP_TMP/secret"
}

for round in 1 2; do
	gpg_turn "round $round, gpg"
	if [ "$round" = 2 ]; then
		tap_check "round 2: scdaemon's PKDECRYPT needed no new PIN after tessera (PW1 82 still verified)" \
			test "$PROMPTS" = 0
	fi
	tessera_turn "round $round, tessera"
done
gpg_turn "after tessera, gpg"
tap_check "scdaemon served every turn as the same process" test "$(scd_pid)" = "$pid"
t gpg --batch --card-status >"$TAP_TMP/status" 2>&1
grep_check "no PIN try lost: PW1 3, PW3 3" "$TAP_TMP/status" "^PIN retry counter : 3 [0-9] 3"

# --- scdaemon without pcsc-shared holds the card exclusively
gnupg_stop   # (killing scdaemon alone leaves gpg-agent with a broken pipe)
printf 'disable-ccid\n' >"$GNUPGHOME/scdaemon.conf"
tap_check "scdaemon without pcsc-shared: SCD SERIALNO" scd SERIALNO
TESSERA_DEBUG=pcsc with_module pkcs11-tool --module "$TESSERA_MODULE" --login --pin "$PIN" -O \
	>"$TAP_TMP/excl" 2>&1
st=$?
if [ "$st" != 0 ] && [ "$st" != 124 ] && grep -q "C_OpenSession failed: rv = CKR_DEVICE_ERROR" "$TAP_TMP/excl" &&
	grep -q "Sharing violation" "$TAP_TMP/excl"; then
	tap_ok "... then tessera fails at once with CKR_DEVICE_ERROR, its log says 'Sharing violation'"
else
	tap_fail "... then tessera fails at once with CKR_DEVICE_ERROR, its log says 'Sharing violation' (exit $st)"
	tap_diag <"$TAP_TMP/excl"
fi
gnupg_stop   # (killing scdaemon alone leaves gpg-agent with a broken pipe)
i=0   # the test bed's own pid namespace: only this test's scdaemon
while pgrep -x scdaemon >/dev/null && [ "$i" -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
tap_check "scdaemon gone, tessera signs again" \
	with_module "$P11BOTH" login:OpenPGP:"$PIN" sign:OpenPGP:03:"$G/03.pub.pem"
tap_done
