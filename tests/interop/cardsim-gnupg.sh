#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GnuPG (gpg, gpg-agent, scdaemon over the test bed's pcscd) uses the simulated OpenPGP card 3.4:
# card status, cardholder data, key generation for RSA 2048/4096, Curve 25519 and NIST P-256
# (algorithm attributes changed by key-attr), signatures verified and messages decrypted by gpg,
# PIN and admin PIN change, resetting code and unblock, keys moved to the card (keytocard, RSA
# and cv25519), factory reset (TERMINATE DF / ACTIVATE FILE), and a KDF-DO setup after which
# scdaemon's derived PINs work. tessera's OpenPGP library (apdu/opgp-client) checks its
# fingerprints against those gpg wrote, and its KDF derivation against gpg's.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/gnupg.sh"

if [ "${1:-}" != --inside ]; then
	interop_require gpg gpg-agent gpgconf python3 "$SCDAEMON" "$OPGP_CLIENT"
	interop_testbed --cards 1 --card-args "--profile openpgp" -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/gpg
mkdir -p "$D"
gnupg_setup "$D"
echo "a message for the card" >"$D/msg"

# gen_keys EMAIL [REPLACE]: gpg --card-edit generate; a key with user ID "Card User <EMAIL>".
gen_keys() {
	drive cardedit.prompt=admin,generate,quit cardedit.genkeys.backup_enc=n \
		cardedit.genkeys.replace_keys=y keygen.valid=0 keygen.valid.okay=y \
		keygen.name="Card User" keygen.email="$1" keygen.comment= keygen.userid.cmd=O \
		-- --card-edit
}

# key_attr CHOICES: gpg --card-edit key-attr with the three keys' answers (algorithm and
# size or curve), e.g. "2 1 2 1 2 1" for Curve 25519 everywhere.
key_attr() {
	set -- $1
	drive cardedit.prompt=admin,key-attr,quit cardedit.genkeys.algo="$1,$3,$5" \
		keygen.curve="$2,$4,$6" cardedit.genkeys.size="$2,$4,$6" -- --expert --card-edit
}

# fpr_check WHAT: the library's fingerprints of the card's keys are those gpg wrote.
fpr_check() {
	tap_check "$1: tessera's library computes the fingerprints gpg stored" opgp fingerprints
}

# sign_verify EMAIL WHAT: sign the message with the card and verify with gpg.
sign_verify() {
	tap_check "$2: gpg --sign with the card's signature key" \
		g -u "$1" -o "$D/msg.sig" --sign "$D/msg"
	g --status-fd 1 --verify "$D/msg.sig" >"$TAP_TMP/verify" 2>&1
	grep_check "$2: gpg --verify: good signature" "$TAP_TMP/verify" "GOODSIG"
}

# enc_dec EMAIL WHAT: encrypt to the key and decrypt with the card.
enc_dec() {
	rm -f "$D/msg.dec"
	g --trust-model always -r "$1" -o "$D/msg.enc" --encrypt "$D/msg" >/dev/null 2>&1
	tap_check "$2: gpg --decrypt with the card's decryption key" \
		g -o "$D/msg.dec" --decrypt "$D/msg.enc"
	tap_check "$2: the decrypted message is the original" cmp "$D/msg" "$D/msg.dec"
}

# --- status of a new card
status_check "gpg --card-status reads the card (version 3.4)" "^version:0304:"
grep_check "the AID's manufacturer is the unmanaged range" "$TAP_TMP/status" "^vendor:ff00:"
grep_check "RSA-2048 attributes in all three slots" "$TAP_TMP/status" "^keyattr:1:1:2048:"
grep_check "PIN retry counters 3, no resetting code, 3" "$TAP_TMP/status" "^pinretry:3:0:3:"
grep_check "the signature PIN is forced (PW1 valid for one PSO:CDS)" "$TAP_TMP/status" "^forcepin:1:"
grep_check "KDF is off" "$TAP_TMP/status" "^kdf:off:"

# --- cardholder data (PUT DATA 5B, 5F2D, 5F50, 5E with the admin PIN)
tap_check "gpg --card-edit name, lang, url, login" \
	drive cardedit.prompt=admin,name,lang,url,login,quit keygen.smartcard.surname=Doe \
	keygen.smartcard.givenname=Jane cardedit.change_lang=en \
	cardedit.change_url=https://example.org/jane.asc cardedit.change_login=jane -- --card-edit
status_check "the cardholder's name is on the card" "^name:Jane:Doe:"
grep_check "the URL is on the card" "$TAP_TMP/status" "^url:https.x3a//example.org/jane.asc:"
grep_check "the login data is on the card" "$TAP_TMP/status" "^login:jane:"
grep_check "the language preference is on the card" "$TAP_TMP/status" "^lang:en:"

# --- RSA-2048 keys generated on the card
tap_check "gpg --card-edit generate: three RSA-2048 keys on the card" gen_keys rsa@example.org
status_check "three fingerprints written by gpg are on the card" "^fpr:[0-9A-F]\{40\}:[0-9A-F]\{40\}:[0-9A-F]\{40\}:"
g --with-colons --with-subkey-fingerprint -K rsa@example.org >"$TAP_TMP/keys" 2>&1
for f in $(sed -n 's/^fpr:\([^:]*\):\([^:]*\):\([^:]*\):.*/\1 \2 \3/p' "$TAP_TMP/status"); do
	tap_check "card fingerprint $f is a key of gpg's keyring" grep -q "^fpr:::::::::$f:" "$TAP_TMP/keys"
done
grep_check "gpg's secret keys point to the card" "$TAP_TMP/keys" "^ssb:.*:D2760001240103..FF00"
fpr_check RSA-2048
sigs=$(sed -n 's/^sigcount:\([0-9]*\):.*/\1/p' "$TAP_TMP/status")
before=$(pin_prompts)
sign_verify rsa@example.org RSA-2048
sign_verify rsa@example.org "RSA-2048, again"
status_check "the signature counter counted both signatures" "^sigcount:$((sigs + 2)):"
tap_check "the PIN was asked for each signature (forced signature PIN)" \
	test "$(pin_prompts)" -ge $((before + 2))
enc_dec rsa@example.org RSA-2048

# --- PIN change, wrong PIN, admin PIN change, resetting code, unblock
pin_set new-user 654321
tap_check "gpg --card-edit passwd changes the PIN" drive cardedit.prompt=passwd,quit -- --card-edit
pin_set user 654321
sign_verify rsa@example.org "new PIN"
pin_set user 111111
expect_fail "a wrong PIN does not sign" gpg --batch --yes -u rsa@example.org -o "$D/bad.sig" --sign "$D/msg"
status_check "the wrong PIN counted down the retry counter" "^pinretry:2:0:3:"
pin_set user 654321
sign_verify rsa@example.org "the right PIN again"
status_check "the right PIN restored the retry counter" "^pinretry:3:0:3:"
pin_set new-admin 87654321
tap_check "gpg --card-edit passwd (admin) changes the admin PIN" \
	drive cardedit.prompt=admin,passwd,quit cardutil.change_pin.menu=3,q -- --card-edit
pin_set admin 87654321
pin_set new-rc 11223344
tap_check "gpg --card-edit passwd (admin) sets a resetting code" \
	drive cardedit.prompt=admin,passwd,quit cardutil.change_pin.menu=4,q -- --card-edit
status_check "the resetting code has its retry counter" "^pinretry:3:3:3:"
pin_set user 000000
for i in 1 2 3; do
	gpg --batch --yes -u rsa@example.org -o "$D/bad.sig" --sign "$D/msg" >/dev/null 2>&1
done
status_check "three wrong PINs block PW1" "^pinretry:0:3:3:"
pin_set rc 11223344
pin_set new-user 222222
tap_check "gpg --card-edit unblock: the resetting code sets a new PIN" \
	drive cardedit.prompt=unblock,quit -- --card-edit
pin_set user 222222
status_check "the unblocked PIN has its tries back" "^pinretry:3:3:3:"
sign_verify rsa@example.org "after unblock"
pin_set new-user 123456
tap_check "gpg --card-edit passwd (admin) unblocks with the admin PIN" \
	drive cardedit.prompt=admin,passwd,quit cardutil.change_pin.menu=2,q -- --card-edit
pin_set user 123456
enc_dec rsa@example.org "after the admin's PIN reset"

# --- Curve 25519: Ed25519 signature and authentication keys, X25519 decryption key
tap_check "gpg --card-edit key-attr: Curve 25519 for all three keys" key_attr "2 1 2 1 2 1"
status_check "the attributes are Ed25519, cv25519, Ed25519" "^keyattr:1:22:Ed25519:"
grep_check "the decryption key is cv25519 (ECDH)" "$TAP_TMP/status" "^keyattr:2:18:Curve25519:"
tap_check "gpg --card-edit generate: Curve 25519 keys" gen_keys ed@example.org
fpr_check "Curve 25519 (EdDSA, ECDH)"
sign_verify ed@example.org Ed25519
enc_dec ed@example.org X25519

# --- NIST P-256: ECDSA and ECDH
tap_check "gpg --card-edit key-attr: NIST P-256 for all three keys" key_attr "2 3 2 3 2 3"
status_check "the attributes are NIST P-256" "^keyattr:1:19:NIST P-256:"
tap_check "gpg --card-edit generate: P-256 keys" gen_keys p256@example.org
fpr_check "P-256 (ECDSA, ECDH)"
sign_verify p256@example.org "ECDSA P-256"
enc_dec p256@example.org "ECDH P-256"

# --- RSA-4096: extended APDUs (scdaemon uses them for keys over 2048 bits)
tap_check "gpg --card-edit key-attr: RSA 4096 for all three keys" key_attr "1 4096 1 4096 1 4096"
status_check "the attributes are RSA-4096" "^keyattr:1:1:4096:"
tap_check "gpg --card-edit generate: RSA-4096 keys" gen_keys rsa4096@example.org
fpr_check RSA-4096
sign_verify rsa4096@example.org RSA-4096
enc_dec rsa4096@example.org RSA-4096

# --- keytocard: a software RSA signing key and a cv25519 encryption subkey move to the card
g --passphrase '' --quick-gen-key "Soft Key <soft@example.org>" rsa2048 sign never >/dev/null 2>&1
soft=$(gpg --batch --with-colons -K soft@example.org | sed -n 's/^fpr:::::::::\([0-9A-F]*\):.*/\1/p' | head -1)
g --passphrase '' --quick-add-key "$soft" cv25519 encr never >/dev/null 2>&1
tap_check "gpg --edit-key keytocard: the RSA primary key into the signature slot" \
	drive keyedit.prompt=keytocard,save keyedit.keytocard.use_primary=y \
	cardedit.genkeys.storekeytype=1 cardedit.genkeys.replace_key=y -- --edit-key "$soft"
tap_check "gpg --edit-key keytocard: the cv25519 subkey into the decryption slot" \
	drive keyedit.prompt="key 1",keytocard,save cardedit.genkeys.storekeytype=2 \
	cardedit.genkeys.replace_key=y -- --edit-key "$soft"
g --with-colons -K soft@example.org >"$TAP_TMP/keys" 2>&1
tap_check "gpg's keyring now finds both keys on the card" \
	test "$(grep -Ec '^(sec|ssb):.*:D2760001240103..FF00' "$TAP_TMP/keys")" = 2
fpr_check "keytocard (RSA, cv25519)"
sign_verify soft@example.org "imported RSA key"
enc_dec soft@example.org "imported X25519 key"

# --- factory reset: PW1 and PW3 blocked, TERMINATE DF, ACTIVATE FILE
tap_check "gpg --card-edit factory-reset" drive cardedit.prompt=admin,factory-reset,quit \
	cardedit.factory-reset.proceed=y cardedit.factory-reset.really=yes -- --card-edit
status_check "after the reset: no fingerprints" "^fpr::::$"
grep_check "after the reset: RSA-2048 attributes again" "$TAP_TMP/status" "^keyattr:1:1:2048:"
grep_check "after the reset: no cardholder name" "$TAP_TMP/status" "^name:::"
grep_check "after the reset: retry counters 3 0 3" "$TAP_TMP/status" "^pinretry:3:0:3:"

# --- KDF-DO: scdaemon derives the PINs (iterated and salted S2K) before VERIFY
pin_set admin 12345678
tap_check "gpg --card-edit kdf-setup" drive cardedit.prompt=admin,kdf-setup,quit -- --card-edit
status_check "KDF is on" "^kdf:on:"
tap_check "tessera's library derives the PINs as gpg did (KDF-DO 87, 88) and verifies PW1" \
	opgp kdf 123456 12345678
tap_check "gpg --card-edit generate with derived admin PIN" gen_keys kdf@example.org
sign_verify kdf@example.org "derived user PIN"
pin_set new-user 765432
tap_check "gpg --card-edit passwd with derived PINs" drive cardedit.prompt=passwd,quit -- --card-edit
pin_set user 765432
enc_dec kdf@example.org "derived new PIN"
status_check "the retry counters are untouched" "^pinretry:3:0:3:"
gnupg_stop
tap_done
