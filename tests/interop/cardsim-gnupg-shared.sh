#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GnuPG and another client take turns on one OpenPGP card. gpg generates NIST P-384 keys on the
# simulated card; then, with one scdaemon running all along, in two rounds:
#   - gpg signs and decrypts, tessera's OpenPGP library (apdu/opgp-client) signs with the
#     signature and authentication keys and derives an ECDH secret, each result checked
#     (gpg --verify, openssl): neither fails, scdaemon is the same process at the end;
#   - OpenSC (pkcs11-tool) signs and derives: it works after gpg, and gpg's signatures work after
#     it. OpenSC ends its session with VERIFY P1=FF (logout) of PW1 and PW3, which scdaemon does
#     not notice: its cached PW1 (82) verification is stale and gpg --decrypt fails ("Bad PIN")
#     until gpg-agent and scdaemon are restarted (gpgconf --kill gpg-agent; killing only
#     scdaemon leaves gpg-agent with a broken pipe), as they are here before gpg decrypts. A
#     client that leaves the card's security state alone (as the library here) needs nothing.
# What scdaemon needs to share the card (tests/interop/gnupg.sh):
#   disable-ccid  scdaemon talks to pcscd instead of taking the USB reader itself
#   pcsc-shared   scdaemon opens the card in shared mode, not exclusively
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/gnupg.sh"

if [ "${1:-}" != --inside ]; then
	interop_require gpg gpg-agent gpgconf gpg-connect-agent python3 "$SCDAEMON" "$OPGP_CLIENT" \
		pkcs11-tool "$OPENSC_MODULE"
	interop_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/gpg
mkdir -p "$D"
gnupg_setup "$D"
echo "one card, two clients" >"$D/msg"
cat >"$D/opensc.conf" <<'EOF'
app default {
	reader_driver pcsc {
		max_send_size = 65535;
		max_recv_size = 65536;
	}
}
EOF
OPENSC_CONF=$D/opensc.conf
export OPENSC_CONF
p11() { t pkcs11-tool --module "$OPENSC_MODULE" --slot-index 0 "$@"; }
scd_pid() { gpg-connect-agent 'scd getinfo pid' /bye 2>/dev/null | sed -n 's/^D //p'; }

gpg_turn() {
	tap_check "$1: gpg signs" g -u shared@example.org -o "$D/msg.sig" --sign "$D/msg"
	tap_check "$1: gpg verifies the signature" g --verify "$D/msg.sig"
	if [ "${2:-}" = decrypt ]; then
		rm -f "$D/msg.dec"
		tap_check "$1: gpg decrypts" g -o "$D/msg.dec" --decrypt "$D/msg.enc"
		tap_check "$1: gpg's decryption is the message" cmp "$D/msg" "$D/msg.dec"
	fi
}

tap_check "gpg --card-edit key-attr: NIST P-384 for all three keys" \
	drive cardedit.prompt=admin,key-attr,quit cardedit.genkeys.algo=2,2,2 keygen.curve=4,4,4 -- --card-edit
tap_check "gpg --card-edit generate: P-384 keys" \
	drive cardedit.prompt=admin,generate,quit cardedit.genkeys.backup_enc=n keygen.valid=0 \
	keygen.valid.okay=y keygen.name="Shared Card" keygen.email=shared@example.org keygen.comment= \
	keygen.userid.cmd=O -- --card-edit
pid=$(scd_pid)
tap_check "scdaemon is running (pid $pid)" test -n "$pid"
g --trust-model always -r shared@example.org -o "$D/msg.enc" --encrypt "$D/msg" >/dev/null 2>&1
for k in 1 2 3; do
	tap_check "the library reads public key $k" opgp pubkey $k "$D/pub$k.der"
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$D/peer.pem" 2>/dev/null
openssl pkey -in "$D/peer.pem" -pubout -outform DER -out "$D/peer.der"
openssl pkeyutl -derive -inkey "$D/peer.pem" -peerkey "$D/pub2.der" -peerform DER -out "$D/shared.ref"

# --- gpg and tessera's OpenPGP library
for round in 1 2; do
	gpg_turn "library round $round" decrypt
	tap_check "library round $round: the library signs (PSO:CDS)" opgp sign 123456 "$D/msg" "$D/lib.sig"
	tap_check "library round $round: openssl verifies the library's signature" \
		openssl dgst -sha256 -keyform DER -verify "$D/pub1.der" -signature "$D/lib.sig" "$D/msg"
	tap_check "library round $round: the library signs (INTERNAL AUTHENTICATE)" opgp auth 123456 "$D/msg" "$D/lib.aut"
	tap_check "library round $round: openssl verifies it" \
		openssl dgst -sha256 -keyform DER -verify "$D/pub3.der" -signature "$D/lib.aut" "$D/msg"
	rm -f "$D/shared.bin"
	tap_check "library round $round: the library derives ECDH" opgp ecdh 123456 "$D/peer.der" "$D/shared.bin"
	tap_check "library round $round: the secret is the one openssl derives" cmp "$D/shared.ref" "$D/shared.bin"
done
gpg_turn "after the library" decrypt
tap_check "scdaemon served gpg and the library as the same process" test "$(scd_pid)" = "$pid"

# --- gpg and OpenSC
for round in 1 2; do
	gpg_turn "OpenSC round $round"
	tap_check "OpenSC round $round: pkcs11-tool signs ECDSA-SHA384 with key 03" p11 --login --pin 123456 \
		--sign --id 03 -m ECDSA-SHA384 --signature-format openssl -i "$D/msg" -o "$D/p11.sig"
	tap_check "OpenSC round $round: openssl verifies OpenSC's signature" \
		openssl dgst -sha384 -keyform DER -verify "$D/pub3.der" -signature "$D/p11.sig" "$D/msg"
	rm -f "$D/shared.bin"
	tap_check "OpenSC round $round: pkcs11-tool derives ECDH with key 02" p11 --login --pin 123456 --derive \
		--id 02 -m ECDH1-DERIVE -i "$D/peer.der" -o "$D/shared.bin"
	tap_check "OpenSC round $round: the secret is the one openssl derives" cmp "$D/shared.ref" "$D/shared.bin"
done
gpg_turn "after OpenSC"
grep_check "OpenSC logged the card out (VERIFY P1=FF 82)" "$TESTBED_DIR/card0.log" "> 00 20 FF 82"
gpgconf --kill gpg-agent
gpg_turn "after OpenSC, gpg-agent and scdaemon restarted" decrypt
gnupg_stop
tap_done
