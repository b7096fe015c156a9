#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A PIV application and an OpenPGP application used by one process:
#   - one card, two applications (the simulator's yubikey+openpgp profile, as a YubiKey 5): two
#     tokens in the card's reader, the OpenPGP one in a slot "READER (openpgp)" whose ID is the
#     same in every process (0x101: the reader's slot + 0x100); an application without keys or
#     certificates is shown as an empty token (so that it can be provisioned), and both are
#     here empty on a new card. The PIV application is provisioned by yubico-piv-tool
#     (tests/provision.sh), the OpenPGP one through tessera (tests/provision-openpgp.sh), and
#     neither token shows the other's objects;
#   - two cards in two readers, a PIV card and an OpenPGP card (tests/testbed --card-args-1);
# and in both cases one process (tests/clients/p11-both) logs in to both tokens, each with its
# own PIN (the OpenPGP PW1 changed to another one), and signs A, B, A, B, ... with keys of both,
# PIN-always keys included, each signature verified by OpenSSL; a login on one token is no login
# on the other, a PIN of one is refused by the other; NSS lists the certificates of both
# tokens under two token names and signs S/MIME with each.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	nss_require
	clients_require certutil modutil cmsutil pkcs11-tool "$TESSERA_BUILDDIR/tests/clients/p11-both"
	clients_testbed --cards 1 --card-args "--profile yubikey+openpgp" -- sh "$0" --inside one-card
	clients_testbed --cards 2 --card-args-1 "--profile openpgp" -- sh "$0" --inside two-cards
	tap_done
fi

mode=$2
P11BOTH=$TESSERA_BUILDDIR/tests/clients/p11-both
PGP_PIN=654321
db="sql:$TAP_TMP/nss"
echo "two applications, one process: $(od -An -N8 -tx1 /dev/urandom | tr -d ' ')" >"$TAP_TMP/msg"

# slot_of MODEL: the slot ID (hex, as pkcs11-tool -L prints it) of the first token of MODEL
slot_of() {
	pkcs11-tool --module "$TESSERA_MODULE" -L 2>/dev/null | awk -v m="$1" '
		/^Slot [0-9]+ \(0x[0-9a-f]+\)/ { id = $3; gsub(/[():]/, "", id); r = $0; sub(/^Slot [^:]*: /, "", r) }
		$1 == "token" && $2 == "model" && index($0, m) { print id; exit }'
}
# reader_of MODEL: the slot description (reader name) of the first token of MODEL
reader_of() {
	pkcs11-tool --module "$TESSERA_MODULE" -L 2>/dev/null | awk -v m="$1" '
		/^Slot [0-9]+ \(0x[0-9a-f]+\)/ { r = $0; sub(/^Slot [^:]*: /, "", r) }
		$1 == "token" && $2 == "model" && index($0, m) { print r; exit }'
}
p11() { _s=$1; shift; with_module pkcs11-tool --module "$TESSERA_MODULE" --slot "$_s" "$@"; }

tap_check "pkcs11-tool -L lists the tokens" with_module pkcs11-tool --module "$TESSERA_MODULE" -L
cp "$TAP_TMP/out" "$TAP_TMP/slots"
piv_slot=$(slot_of "YubiKey")
pgp_slot=$(slot_of "OpenPGP card")
piv_reader=$(reader_of "YubiKey")
pgp_reader=$(reader_of "OpenPGP card")
tap_check "a PIV token (YubiKey 5, slot $piv_slot) and an OpenPGP token (slot $pgp_slot)" \
	test -n "$piv_slot" -a -n "$pgp_slot" -a "$piv_slot" != "$pgp_slot"
case $mode in
one-card)
	tap_check "the OpenPGP application of the card in \"$piv_reader\" is in the slot \"$piv_reader (openpgp)\"" \
		test "$pgp_reader" = "$piv_reader (openpgp)"
	tap_check "its slot ID is the reader's slot's + 0x100 ($piv_slot, $pgp_slot)" \
		test "$(printf '%d' "$pgp_slot")" = "$(($(printf '%d' "$piv_slot") + 256))"
	tap_check "the same slot ID in a process with an empty cache folder" sh -c '
		TESSERA_CACHE_DIR=$1/fresh-cache pkcs11-tool --module "$TESSERA_MODULE" -L 2>/dev/null |
			grep -q "^Slot [0-9]* ($2): .*(openpgp)\$"' sh "$TAP_TMP" "$pgp_slot"
	# Empty applications are shown as empty tokens: both are empty on a new card.
	for s in "$piv_slot" "$pgp_slot"; do
		p11 "$s" -O >"$TAP_TMP/empty" 2>&1
		if grep -q "^Public Key Object\|^Certificate Object\|^Private Key Object" "$TAP_TMP/empty" ||
			! grep -q "CKP_PUBLIC_CERTIFICATES_TOKEN" "$TAP_TMP/empty"; then
			tap_fail "a new card: the token in slot $s is shown, empty"; tap_diag <"$TAP_TMP/empty"
		else
			tap_ok "a new card: the token in slot $s is shown, empty"
		fi
	done
	;;
two-cards)
	tap_check "the PIV card is in \"$piv_reader\", the OpenPGP card in \"$pgp_reader\"" \
		test "$piv_reader" = "Virtual PCD 00 00" -a "$pgp_reader" = "Virtual PCD 00 01"
	;;
esac

P=$TAP_TMP/piv
G=$TAP_TMP/pgp
provision "$P" "9a:RSA2048 9c:ECCP256 9d:RSA2048"
mkdir -p "$G"
cp "$P/ca.pem" "$P/ca.key" "$G/"   # one test CA for both
tap_check "provision the OpenPGP application through tessera: 01 RSA-2048, 02 RSA-2048, 03 P-256" \
	env PROVISION_SLOT="$pgp_slot" timeout "$TOOL_TIMEOUT" sh "$TESSERA_SRCDIR/tests/provision-openpgp.sh" "$G"
p11 "$piv_slot" -O >"$TAP_TMP/piv.objects" 2>&1
p11 "$pgp_slot" -O >"$TAP_TMP/pgp.objects" 2>&1
tap_check "the PIV token shows its 3 certificates and none of the OpenPGP application's" sh -c '
	[ "$(grep -c "^Certificate Object" "$1")" = 3 ] && grep -q "label: *Certificate for PIV Authentication" "$1" &&
	! grep -q "label: *Certificate for Signature\|label: *Certificate for Authentication" "$1"' sh "$TAP_TMP/piv.objects"
tap_check "the OpenPGP token shows its 3 certificates and none of the PIV application's" sh -c '
	[ "$(grep -c "^Certificate Object" "$1")" = 3 ] && grep -q "label: *Certificate for Signature" "$1" &&
	! grep -q "label: *Certificate for PIV\|label: *Certificate for Digital" "$1"' sh "$TAP_TMP/pgp.objects"
tap_check "pkcs11-tool --change-pin: the OpenPGP PW1 becomes $PGP_PIN (the PIV PIN stays $PIN)" \
	p11 "$pgp_slot" --login --pin "$PIN" --change-pin --new-pin "$PGP_PIN"

# --- one process, both tokens
both() { with_module "$P11BOTH" "$@"; }
tap_check "one process: a login on each token with its own PIN, signatures A B A B A B A" \
	both login:YubiKey:"$PIN" login:OpenPGP:"$PGP_PIN" \
	sign:YubiKey:01:"$P/9a.cert.pem" sign:OpenPGP:03:"$G/03.cert.pem" \
	sign:YubiKey:01:"$P/9a.cert.pem" sign:OpenPGP:01:"$G/01.cert.pem" \
	sign:YubiKey:02:"$P/9c.cert.pem" sign:OpenPGP:01:"$G/01.cert.pem" \
	sign:YubiKey:01:"$P/9a.cert.pem"
grep_check "... PIV RSA and ECDSA (PIN-always 9C), OpenPGP ECDSA and RSA (PIN-always signature key)" \
	"$TAP_TMP/out" "^passed sign:YubiKey:02"
tap_check "the OpenPGP token first, then the PIV one: B A B A" \
	both login:OpenPGP:"$PGP_PIN" sign:OpenPGP:03:"$G/03.cert.pem" login:YubiKey:"$PIN" \
	sign:YubiKey:01:"$P/9a.cert.pem" sign:OpenPGP:03:"$G/03.cert.pem" sign:YubiKey:01:"$P/9a.cert.pem"
both login:YubiKey:"$PIN" sign:YubiKey:01:"$P/9a.cert.pem" sign:OpenPGP:03:"$G/03.cert.pem" \
	>"$TAP_TMP/nologin" 2>&1
grep_check "a login on the PIV token is none on the OpenPGP token: its private keys stay hidden" \
	"$TAP_TMP/nologin" "^FAIL sign:OpenPGP:03:.*no private key with CKA_ID 03"
both login:YubiKey:"$PIN" login:OpenPGP:"$PIN" >"$TAP_TMP/wrongpin" 2>&1
grep_check "the PIV PIN is not the OpenPGP token's (CKR_PIN_INCORRECT), in the same process" \
	"$TAP_TMP/wrongpin" "^FAIL login:OpenPGP:.*CKR_PIN_INCORRECT"
tap_check "... and the OpenPGP token's PIN still works after the refusal" \
	both login:OpenPGP:"$PGP_PIN" sign:OpenPGP:03:"$G/03.cert.pem"

# --- NSS: both tokens' certificates, S/MIME with each
nss_use_libdir
nss_db_tessera "$G/ca.pem"
tap_check "certutil -L -h all lists both tokens without a PIN" with_module certutil -L -h all -d "$db"
cp "$TAP_TMP/out" "$TAP_TMP/list"
nick_piv=$(nss_nickname "$TAP_TMP/list" "Certificate for PIV Authentication")
nick_pgp=$(nss_nickname "$TAP_TMP/list" "Certificate for Signature")
nick_pgp2=$(nss_nickname "$TAP_TMP/list" "Certificate for Decryption")
nick_piv2=$(nss_nickname "$TAP_TMP/list" "Certificate for Key Management")
tap_check "NSS lists the certificates of both tokens" test -n "$nick_piv" -a -n "$nick_pgp"
cms() { # cms NAME SIGNER-NICK ENC-NICK CERT
	tap_check "cmsutil -S signs with the $1 ($2)" \
		with_module cmsutil -S -d "$db" -N "$2" -Y "$3" -p "$5" -i "$TAP_TMP/msg" -o "$TAP_TMP/$1.p7m"
	tap_check "openssl cms -verify: the $1 signed the message" sh -c '
		openssl cms -verify -inform DER -in "$1" -CAfile "$2" -purpose any -out "$1.out" -signer "$1.signer" &&
		cmp "$1.out" "$3" &&
		[ "$(openssl x509 -in "$1.signer" -noout -fingerprint)" = "$(openssl x509 -in "$4" -noout -fingerprint)" ]' \
		sh "$TAP_TMP/$1.p7m" "$(dirname "$4")/ca.pem" "$TAP_TMP/msg" "$4"
}
cms "PIV authentication key" "$nick_piv" "$nick_piv2" "$P/9a.cert.pem" "$PIN"
# NSS finds a token by its name: the second application's token label names the application
# (src/token.c), else two tokens of one holder and serial hide the second one's certificates.
if [ -n "$nick_pgp" ] && [ "${nick_piv%%:*}" != "${nick_pgp%%:*}" ]; then
	tap_ok "NSS names the two tokens apart (\"${nick_piv%%:*}\", \"${nick_pgp%%:*}\")"
	cms "OpenPGP signature key" "$nick_pgp" "$nick_pgp2" "$G/01.cert.pem" "$PGP_PIN"
else
	tap_fail "NSS names the two tokens apart (both \"${nick_pgp%%:*}\")"
	tap_diag <"$TAP_TMP/list"
fi
tap_done
