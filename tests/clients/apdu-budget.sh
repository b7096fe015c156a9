#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# APDU budgets (issue 11) and the card cache's rules (src/cache.h), on the card that
# tests/provision.sh makes, counted by the card simulator. APDU counts are deterministic:
# a flow that sends more than its budget is a regression.
. "$(dirname "$0")/common.sh"

if [ "${1:-}" != --inside ]; then
	clients_require certutil modutil pkcs11-tool yubico-piv-tool /usr/bin/python3
	/usr/bin/python3 -c 'import PyKCS11' 2>/dev/null || tap_skip_all "python3-pykcs11 not installed"
	clients_testbed --cards 1 -- sh "$0" --inside
	tap_done
fi

D=$TAP_TMP/card
db="sql:$TAP_TMP/nss"
C="$CARDSIM ctl $(echo "$CARDSIM_CONTROL" | cut -d' ' -f1)"
provision "$D"
nss_db "$TAP_TMP/nss" "$D/ca.pem" || { tap_fail "create an NSS database"; tap_done; }
TESSERA_CACHE_DIR=$TAP_TMP/warm
export TESSERA_CACHE_DIR
tap_check "modutil -add loads tessera-pkcs11.so into NSS" \
	with_module modutil -dbdir "$db" -add tessera -libfile "$TESSERA_MODULE" -force
certutil_list() { with_module certutil -L -h all -d "$db"; }

# Loading the module and listing slots reads no card.
apdu_budget "C_Initialize + C_GetSlotList + C_Finalize (PyKCS11)" 0 \
	with_module /usr/bin/python3 -c 'import sys, PyKCS11
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
assert len(lib.getSlotList(tokenPresent=True)) == 1' "$TESSERA_MODULE"
certutil_cold() (
	TESSERA_CACHE_DIR=$TAP_TMP/cold
	certutil_list
)
apdu_budget "NSS certutil -L -h all, empty cache folder" 30 certutil_cold
grep_check "certutil -L lists the card's PIV authentication certificate" "$TAP_TMP/out" "PIV Authentication"
certutil_list >/dev/null 2>&1
apdu_budget "NSS certutil -L -h all, with the cache of an earlier process" 10 certutil_list
grep_check "the warm listing has all four certificates" "$TAP_TMP/out" "Card Authentication"

# Each step of one process (tests/clients/apdu-ops.py). The first process that uses a key
# reads its metadata (PIN policy, origin) once; the cache has it for every later process.
with_module /usr/bin/python3 "$TESSERA_SRCDIR/tests/clients/apdu-ops.py" "$TESSERA_MODULE" "$PIN" \
	>"$TAP_TMP/ops" 2>&1 || { tap_fail "apdu-ops.py ran (first process)"; tap_diag <"$TAP_TMP/ops"; }
first=$(sed -n 's/^rsa-sign-first \([0-9]*\)$/\1/p' "$TAP_TMP/ops")
[ "${first:-9}" -le 2 ] && tap_ok "the first process's first RSA signature reads the key's metadata once (${first} APDUs)" ||
	tap_fail "the first process's first RSA signature: ${first:-?} APDUs (budget 2)"
with_module /usr/bin/python3 "$TESSERA_SRCDIR/tests/clients/apdu-ops.py" "$TESSERA_MODULE" "$PIN" \
	>"$TAP_TMP/ops" 2>&1 || { tap_fail "apdu-ops.py ran"; tap_diag <"$TAP_TMP/ops"; }
ops() { # ops STEP MAX DESCRIPTION
	n=$(sed -n "s/^$1 \([0-9]*\)$/\1/p" "$TAP_TMP/ops")
	if [ -n "$n" ] && [ "$n" -le "$2" ]; then tap_ok "$3: $n APDUs (budget $2)"
	else tap_fail "$3: ${n:-?} APDUs (budget $2)"; tap_diag <"$TAP_TMP/ops"; fi
}
ops initialize 0 "C_Initialize"
ops slot-list 0 "C_GetSlotList"
ops token-info 10 "the first C_GetTokenInfo reads the card (cache warm)"
ops token-info-again 0 "a second C_GetTokenInfo"
ops open-session 0 "C_OpenSession"
ops login 1 "C_Login: VERIFY only"
ops rsa-sign-first 1 "the process's first RSA-2048 signature (metadata from the cache)"
ops always-sign-first 2 "the process's first PIN-always signature"
ops rsa-sign 1 "each further RSA-2048 signature: one extended APDU"
ops ecdsa-sign 1 "each further ECDSA signature"
ops always-sign 2 "a PIN-always (9C) signature: VERIFY and the signature"
ops logout 1 "C_Logout"

# More certificates in retired slots: each at most one more APDU once cached.
piv() { yubico-piv-tool -r "$(opensc-tool -l 2>/dev/null | sed -n 's/^[0-9][0-9]* *Yes *//p' | head -n 1)" "$@"; }
warm=$(apdu_count certutil_list >/dev/null 2>&1; echo "$APDUS")
for s in 82 83; do
	piv -a generate -s "$s" -A ECCP256 --key="$MGM" -o "$TAP_TMP/$s.pub" >/dev/null 2>&1 &&
	openssl x509 -new -force_pubkey "$TAP_TMP/$s.pub" -subj "/CN=Retired $s" -CA "$D/ca.pem" \
		-CAkey "$D/ca.key" -days 30 -out "$TAP_TMP/$s.pem" 2>/dev/null &&
	piv -a import-certificate -s "$s" --key="$MGM" -i "$TAP_TMP/$s.pem" >/dev/null 2>&1 ||
		tap_fail "yubico-piv-tool writes retired slot $s"
done
# The bound of the cache's empty beliefs: another tool's write into a retired slot is seen
# after the card's next insertion.
$C remove >/dev/null && $C insert >/dev/null
i=0; while ! $C status | grep -qx "inserted powered" && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
certutil_list >"$TAP_TMP/after-insert" 2>&1
grep_check "after re-insertion certutil lists the certificate another tool wrote into 82" \
	"$TAP_TMP/after-insert" "Retired Certificate for Key Management 1"
apdu_budget "certutil -L with two more certificates, warm ($warm without them)" $((warm + 2)) certutil_list
grep_check "the warm listing has the retired certificates" "$TAP_TMP/out" "Retired Certificate for Key Management 2"

# TESSERA_REFRESH: the cache is not used (every slot probed).
certutil_refresh() (
	TESSERA_REFRESH=1
	export TESSERA_REFRESH
	certutil_list
)
apdu_count certutil_refresh >/dev/null 2>&1
[ "${APDUS:-0}" -gt $((warm + 2)) ] && tap_ok "TESSERA_REFRESH=1 probes every slot ($APDUS APDUs)" ||
	tap_fail "TESSERA_REFRESH=1 probes every slot (${APDUS:-?} APDUs)"

# A damaged cache is ignored whole and replaced; the listing is right all the same.
cache=$(ls "$TESSERA_CACHE_DIR"/card-* 2>/dev/null | head -n 1)
if [ -n "$cache" ]; then
	mode=$(stat -c %a "$cache")
	[ "$mode" = 600 ] && tap_ok "the card cache is mode 600" || tap_fail "the card cache is mode 600 ($mode)"
	printf 'tessera-card-cache 1\nserial 00\nempty 9a 9c 9d 9e 82 83\n' >"$cache"
	apdu_count certutil_list >"$TAP_TMP/corrupt" 2>&1
	grep_check "a foreign or damaged cache is not trusted: certutil lists every certificate" \
		"$TAP_TMP/corrupt" "Retired Certificate for Key Management 2"
	head -n 1 "$cache" | grep -qx "tessera-card-cache 1" && ! grep -q "^serial 00$" "$cache" &&
		tap_ok "the damaged cache was replaced" || tap_fail "the damaged cache was replaced"
else
	tap_fail "the card cache file exists in \$TESSERA_CACHE_DIR"
fi
tap_done
