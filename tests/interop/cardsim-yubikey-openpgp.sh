#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One simulated YubiKey with PIV and OpenPGP side by side (--profile yubikey+openpgp), each
# application used by its own tools: yubico-piv-tool generates and signs in PIV, gpg generates,
# signs and decrypts in OpenPGP, tessera's OpenPGP library signs too; both applications show the
# same serial (OpenPGP's in BCD with Yubico's manufacturer 0006), and each keeps its keys while
# the other is used. yubico-piv-tool resets the card when it disconnects; scdaemon 2.2 reports
# its first command after a reset as a card error, so gpg-agent is restarted after the PIV tool
# (gpgconf --kill gpg-agent) before gpg goes on.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/gnupg.sh"

if [ "${1:-}" != --inside ]; then
	interop_require yubico-piv-tool gpg gpg-agent gpgconf python3 "$SCDAEMON" "$OPGP_CLIENT"
	interop_testbed --cards 1 --card-args "--profile yubikey+openpgp" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/gpg
mkdir -p "$D"
gnupg_setup "$D"
echo "two applications, one card" >"$D/msg"
Y="yubico-piv-tool -r Virtual"
piv_sign() {
	tap_check "$1: yubico-piv-tool signs with 9a" t $Y -P 123456 -a verify-pin -a test-signature -s 9a \
		-i "$D/9a.crt"
}

tap_check "PIV: yubico-piv-tool generates a P-256 key in 9a" \
	t $Y --key="$MGM" -a generate -s 9a -A ECCP256 -o "$D/9a.pub"
openssl req -new -x509 -nodes -newkey rsa:2048 -keyout "$D/ca.key" -out "$D/ca.crt" -subj /CN=ca -days 2 2>/dev/null
openssl x509 -new -force_pubkey "$D/9a.pub" -subj /CN=both -CA "$D/ca.crt" -CAkey "$D/ca.key" \
	-out "$D/9a.crt" -days 2 2>/dev/null
tap_check "PIV: yubico-piv-tool imports its certificate" t $Y --key="$MGM" -a import-certificate -s 9a -i "$D/9a.crt"
piv_sign "PIV"
t $Y -a status >"$D/piv-status" 2>&1
serial=$(sed -n 's/^Serial Number:[[:space:]]*//p' "$D/piv-status")
tap_check "PIV: the YubiKey serial is $serial" test -n "$serial"

status_check "OpenPGP: gpg finds the OpenPGP application of the same card" "^version:0304:"
grep_check "OpenPGP: manufacturer Yubico (0006)" "$TAP_TMP/status" "^vendor:0006:"
grep_check "OpenPGP: the same serial, in BCD" "$TAP_TMP/status" "^serial:$(printf '%08d' "$serial"):"
tap_check "OpenPGP: gpg --card-edit generate" \
	drive cardedit.prompt=admin,generate,quit cardedit.genkeys.backup_enc=n keygen.valid=0 \
	keygen.valid.okay=y keygen.name="Both Applications" keygen.email=both@example.org keygen.comment= \
	keygen.userid.cmd=O -- --card-edit
tap_check "OpenPGP: gpg signs" g -u both@example.org -o "$D/msg.sig" --sign "$D/msg"
tap_check "OpenPGP: gpg verifies" g --verify "$D/msg.sig"
g --trust-model always -r both@example.org -o "$D/msg.enc" --encrypt "$D/msg" >/dev/null 2>&1
tap_check "OpenPGP: gpg decrypts" g -o "$D/msg.dec" --decrypt "$D/msg.enc"
tap_check "OpenPGP: the library signs with the key gpg generated" opgp sign 123456 "$D/msg" "$D/lib.sig"
tap_check "OpenPGP: the library's fingerprints are gpg's" opgp fingerprints

piv_sign "PIV after OpenPGP"
t $Y -a status >"$D/piv-status" 2>&1
grep_check "PIV: the 9a certificate is still there" "$D/piv-status" "Subject DN:.*CN=both"
gpgconf --kill gpg-agent
tap_check "OpenPGP after PIV: gpg signs" g -u both@example.org -o "$D/msg.sig" --sign "$D/msg"
tap_check "OpenPGP after PIV: gpg verifies" g --verify "$D/msg.sig"
status_check "OpenPGP after PIV: the keys are still there" "^fpr:[0-9A-F]\{40\}:"
gnupg_stop
tap_done
