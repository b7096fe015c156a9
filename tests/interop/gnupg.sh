# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/interop/gnupg.sh: GnuPG in the test bed, sourced by the OpenPGP card tests after common.sh.
#
# gnupg_setup DIR makes a private GNUPGHOME in DIR whose scdaemon reaches the card through the
# test bed's pcscd and shares it with other clients:
#   scdaemon.conf: disable-ccid (no direct USB access: go through pcscd)
#                  pcsc-shared  (open the card in shared mode, not exclusively)
# and whose pinentry (tests/interop/pinentry.sh) answers from files set by pin_set.
SCDAEMON=/usr/lib/gnupg/scdaemon
# GnuPG and OpenSC do not load tessera's module: they run without the sanitizer runtime that a
# sanitizer build preloads for the programs that do (gpg-agent and scdaemon hang under it, and
# OpenSC 0.23 overflows a heap buffer when it stores a generated key's fingerprint). tessera's
# own programs here (apdu/opgp-client) are instrumented themselves.
unset LD_PRELOAD
# tessera's OpenPGP library as a command-line client (apdu/opgp-client.c) on the first reader.
OPGP_CLIENT=$TESSERA_BUILDDIR/apdu/opgp-client
READER="Virtual PCD 00 00"
opgp() { t "$OPGP_CLIENT" "$READER" "$@"; }

gnupg_setup() {
	GNUPGHOME=$1/home
	export GNUPGHOME
	mkdir -p "$GNUPGHOME/pinentry.sh.d"
	chmod 700 "$GNUPGHOME"
	printf 'disable-ccid\npcsc-shared\n' >"$GNUPGHOME/scdaemon.conf"
	cp "$INTEROP_DIR/pinentry.sh" "$GNUPGHOME/pinentry.sh"
	chmod 755 "$GNUPGHOME/pinentry.sh"
	printf 'pinentry-program %s\n' "$GNUPGHOME/pinentry.sh" >"$GNUPGHOME/gpg-agent.conf"
	PINDIR=$GNUPGHOME/pinentry.sh.d
	: >"$PINDIR/log"
	pin_set user 123456
	pin_set admin 12345678
	pin_set rc 00000000
}

# pin_set KIND VALUE: what the pinentry answers for KIND (user, admin, rc, new-user, new-admin,
# new-rc).
pin_set() { echo "$2" >"$PINDIR/$1"; }

# pin_prompts: how many PINs the pinentry was asked for so far.
pin_prompts() { grep -c '^GETPIN' "$PINDIR/log"; }

# g ARGS: gpg in batch mode with the tool time limit, output in $TAP_TMP/out.
g() { t gpg --batch --no-tty --yes "$@"; }

# drive KEYWORD=ANSWERS... -- GPG-ARGS: gpg answering its questions (tests/interop/gpg-drive.py).
drive() { t python3 "$INTEROP_DIR/gpg-drive.py" "$@"; }

# card_status: gpg --card-status --with-colons into $TAP_TMP/status.
card_status() { t gpg --batch --with-colons --card-status >"$TAP_TMP/status" 2>&1; }

# status_check DESCRIPTION PATTERN: one test that passes when the card status has a line
# matching PATTERN (read afresh).
status_check() {
	card_status
	grep_check "$1" "$TAP_TMP/status" "$2"
}

gnupg_stop() { gpgconf --kill all >/dev/null 2>&1; }
