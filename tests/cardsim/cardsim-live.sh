#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# cardsim against the real tools, in the test bed: yubico-piv-tool key generation, signatures,
# decryption, ECDH, attestation; the control socket (status, stats, fail, remove/insert); the
# state file across runs; the APDU log's PIN redaction; --profile nist; two cards at once.
# lib.sh finds the source tree from $0; this script lives one folder deeper.
: "${TESSERA_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
export TESSERA_SRCDIR
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root"
command -v yubico-piv-tool >/dev/null || tap_skip_all "yubico-piv-tool not installed"
command -v opensc-tool >/dev/null || tap_skip_all "opensc-tool not installed"

W="$TAP_TMP"
MGM=010203040506070801020304050607080102030405060708
openssl req -new -x509 -nodes -newkey rsa:2048 -keyout "$W/ca.key" -out "$W/ca.crt" -subj /CN=ca -days 2 2>/dev/null

# Runs inside the test bed: key slot 9a (RSA) and 9c (ECC P-256) with certificates, a signature
# with each, a decryption, an ECDH with 9d, an attestation.
cat >"$W/keys.sh" <<'INNER'
set -e
W=$1; MGM=$2
Y="yubico-piv-tool -r Virtual"
mk() {
	$Y --key=$MGM -a generate -s $1 -A $2 -o "$W/pub$1.pem"
	openssl x509 -new -force_pubkey "$W/pub$1.pem" -subj /CN=u$1 -CA "$W/ca.crt" -CAkey "$W/ca.key" \
		-out "$W/c$1.pem" -days 2 2>/dev/null
	$Y --key=$MGM -a import-certificate -s $1 -i "$W/c$1.pem"
}
mk 9a RSA2048; mk 9c ECCP256; mk 9d ECCP384
$Y -P 123456 -a verify-pin -a test-signature -s 9a -i "$W/c9a.pem"
$Y -P 123456 -a verify-pin -a test-signature -s 9c -i "$W/c9c.pem"
$Y -P 123456 -a verify-pin -a test-decipher -s 9a -i "$W/c9a.pem"
$Y -P 123456 -a verify-pin -a test-decipher -s 9d -i "$W/c9d.pem"
$Y -a attest -s 9c -o "$W/att.pem"
openssl x509 -in "$W/att.pem" -noout -subject | grep -q "Attestation 9c"
INNER
tap_check "yubico-piv-tool: generate, certificates, RSA/ECDSA signatures, RSA decryption, ECDH, attestation" \
	testbed --state "$W/card.state" --cards 1 -- sh "$W/keys.sh" "$W" "$MGM"

st=$(stat -c %a "$W/card.state" 2>/dev/null)
if [ "$st" = 600 ] && grep -q '^key 9a 07' "$W/card.state"; then tap_ok "state file written, mode 0600, with the keys"
else tap_fail "state file mode '$st' or no key record"; fi

# The same state file is the same card: the 9a certificate is still there, and a changed PIN sticks.
cat >"$W/again.sh" <<'INNER'
set -e
yubico-piv-tool -r Virtual -a status | grep -q 'CN=u9a'
yubico-piv-tool -r Virtual -a change-pin -P 123456 -N 24682468
INNER
tap_check "the state file carries keys and certificates to the next run" \
	testbed --state "$W/card.state" --cards 1 -- sh "$W/again.sh"
tap_check "the changed PIN is the PIN of the next run" \
	testbed --state "$W/card.state" --cards 1 -- yubico-piv-tool -r Virtual -a verify-pin -P 24682468

# Control socket and fault injection.
cat >"$W/ctl.sh" <<'INNER'
C="$CARDSIM ctl $CARDSIM_CONTROL"
SEL="-s 00:A4:04:00:05:A0:00:00:03:08"
$C status | grep -qx 'inserted powered' || { echo "status: $($C status)"; exit 1; }
opensc-tool $SEL -s 00:20:00:80:08:31:32:33:34:35:36:FF:FF >/dev/null 2>&1
$C stats | grep -Eq '^apdus [1-9][0-9]* bytes_in [0-9]+ bytes_out [0-9]+ get_response [0-9]+ extended [0-9]+$' || exit 2
gr() { $C stats | sed -n 's/.* get_response \([0-9]*\) .*/\1/p'; }
g0=$(gr)
opensc-tool $SEL -s 00:C0:00:00:00 >/dev/null 2>&1
[ "$(gr)" = $((g0 + 1)) ] || exit 14
$C fail 1 sw:6A84 | grep -qx ok || exit 3
opensc-tool -c default $SEL 2>&1 | grep -q 'SW1=0x6A, SW2=0x84' || exit 4
$C fail 1 bogus | grep -q '^error' || exit 5
$C nonsense | grep -q '^error' || exit 6
$C remove | grep -qx ok || exit 7
$C status | grep -qx removed || exit 8
$C insert | grep -qx ok || exit 9
i=0; while ! opensc-tool -c default $SEL >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 50 ] || exit 10; sleep 0.1; done
$C status | grep -Eqx 'inserted (connected|powered|unpowered)' || exit 11
grep -q '00 20 00 80 08 XX XX XX XX XX XX XX XX' "$TESTBED_DIR/card0.log" || exit 12
! grep -q '31 32 33 34 35 36 FF FF' "$TESTBED_DIR/card0.log" || exit 13
INNER
tap_check "control socket: status, stats (GET RESPONSE counted), fail sw:XXXX, errors, remove/insert; PIN redacted in the log" \
	testbed --cards 1 -- sh "$W/ctl.sh"

# NIST profile: the YubiKey instructions are not there, the SELECT answer has the algorithm
# template AC. (opensc-tool cannot send extended APDUs: --no-extended is in the unit tests.)
cat >"$W/nist.sh" <<'INNER'
SEL="-s 00:A4:04:00:05:A0:00:00:03:08"
opensc-tool -c default $SEL -s 00:FD:00:00:00 2>&1 | grep -q 'SW1=0x6D, SW2=0x00' || exit 1
opensc-tool -c default $SEL 2>&1 | grep -q 'AC 1B 80 01 03' || exit 2
opensc-tool -a | grep -q '^3b:8a:80:01' || exit 3
INNER
tap_check "--profile nist: GET VERSION is 6D00, SELECT has the AC template, a generic ATR" \
	testbed --card-args "--profile nist --no-extended" --cards 1 -- sh "$W/nist.sh"

# pcscd restarts (vpcd closes the connection): the simulator reconnects by itself. The pcscd
# killed and started here lives in the test bed's pid namespace and ends with it.
cat >"$W/restart.sh" <<'INNER'
C="$CARDSIM ctl $CARDSIM_CONTROL"
kill "$(pidof pcscd)" || exit 1
i=0; while ! $C status | grep -qx 'inserted disconnected'; do i=$((i + 1)); [ $i -lt 50 ] || exit 2; sleep 0.1; done
pcscd -f -c "$TESTBED_DIR/reader.conf.d" >/dev/null 2>&1 &
i=0; while ! opensc-tool -c default -s 00:A4:04:00:05:A0:00:00:03:08 2>/dev/null | grep -q 'SW1=0x90'; do
	i=$((i + 1)); [ $i -lt 100 ] || exit 3; sleep 0.1
done
INNER
tap_check "after a pcscd restart the simulator reconnects and answers" \
	testbed --cards 1 -- sh "$W/restart.sh"

tap_check "two simulators on the two readers of one vpcd" \
	testbed --cards 2 -- sh -c 'test "$(opensc-tool -l | grep -c "Yes")" = 2'

tap_done
