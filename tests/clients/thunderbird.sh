#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Thunderbird itself, headless, driven through Marionette by tests/clients/thunderbird.py, with
# tessera-pkcs11.so added by modutil and no network (Local Folders, Send Later into the Unsent
# Messages mbox): the card's certificates listed without a PIN; a message that openssl cms
# -encrypt made for the 9D certificate decrypted and shown (1 PIN dialog: the login), and one for a
# P-256 key (ECDH, key 82: the X9.63 KDF and AES key wrap that Thunderbird's NSS asks); messages
# written in the compose window and signed with 9A (no PIN: logged in) and twice with the
# PIN-always 9C (one PIN dialog each), each accepted by openssl cms -verify with the card's
# certificate as signer. Logs and the messages in thunderbird.logs/ beside this test's log.
. "$(dirname "$0")/common.sh"

THUNDERBIRD=${THUNDERBIRD:-/usr/lib/thunderbird/thunderbird-bin}
LOGDIR=$TESSERA_BUILDDIR/tests/clients/thunderbird.logs

if [ "${1:-}" != --inside ]; then
	clients_require certutil modutil python3 "$THUNDERBIRD"
	if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
		tap_skip_all "sanitizer build: Thunderbird dies at start (SIGSEGV) with the ASan runtime preloaded, module or not; the ordinary build runs this test"
	fi
	rm -rf "$LOGDIR"
	mkdir -p "$LOGDIR"
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
provision "$D"
# A P-256 key for ECDH (RFC 5753) S/MIME: a retired key slot (82), beside the RSA 9D; NSS takes
# an EC certificate as a recipient's only with key agreement among its key usages.
provision "$D" 82:ECCP256
reissue_cert "$D" 82 keyAgreement emailProtection
prof=$TAP_TMP/profile
nss_db "$prof" "$D/ca.pem" || { tap_fail "create a Thunderbird profile's NSS database"; tap_done; }
tap_check "modutil -add puts tessera-pkcs11.so in the profile" \
	with_module modutil -dbdir "sql:$prof" -add tessera -libfile "$TESSERA_MODULE" -force
mkdir -p "$prof/home"
printf 'The plan, for Alice only: %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/secret.txt"
tap_check "openssl cms -encrypt: an S/MIME message for the 9D certificate" \
	t openssl cms -encrypt -text -aes256 -in "$TAP_TMP/secret.txt" -from alice@example.org \
	-to alice@example.org -subject "For the key management key" -out "$LOGDIR/encrypted-9d.eml" \
	"$D/9d.cert.pem"
printf 'The ECDH plan, for Alice only: %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/secret-ec.txt"
tap_check "openssl cms -encrypt: an S/MIME message for the P-256 certificate of key 82 (ECDH)" \
	t openssl cms -encrypt -text -aes256 -in "$TAP_TMP/secret-ec.txt" -from alice@example.org \
	-to alice@example.org -subject "For the P-256 key" -out "$LOGDIR/encrypted-82.eml" \
	"$D/82.cert.pem"
python3 -B "$TESSERA_SRCDIR/tests/clients/thunderbird.py" --thunderbird "$THUNDERBIRD" \
	--profile "$prof" --logdir "$LOGDIR" --ca "$D/ca.pem" --card-dir "$D" \
	--encrypted "$LOGDIR/encrypted-9d.eml" --secret "$TAP_TMP/secret.txt" \
	--encrypted-ec "$LOGDIR/encrypted-82.eml" --secret-ec "$TAP_TMP/secret-ec.txt" 2>"$LOGDIR/driver.err"
[ $? = 0 ] || tap_diag <"$LOGDIR/driver.err"
tap_done
