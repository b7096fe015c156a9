#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/test-tool.sh: the `tessera` tool against a simulated YubiKey in the test bed, its facts
# cross-checked with independent tools (pkcs11-tool, yubico-piv-tool, openssl, p11tool, p11-kit,
# modutil): status (card, PIN and PUK counters, keys, certificates, the URI and CKA_ID applications
# use), doctor (expiring certificates, another module for the same card, a reader held by another
# program, no card, a blocked PIN and a blocked PUK, each fix carried out as printed), trace (PINs
# and an imported key never in the log), and a pcscd without any reader.
. "$(dirname "$0")/../tests/clients/common.sh"
TESSERA="$TESSERA_BUILDDIR/tools/tessera"

if [ "${1:-}" != --inside ]; then
	clients_require p11tool pkcs11-tool certutil modutil p11-kit python3
	[ -x "$TESSERA" ] || tap_skip_all "no tool at $TESSERA (make first)"
	clients_testbed --cards 1 -- sh "$0" --inside card
	clients_testbed --no-readers -- sh "$0" --inside no-reader
	tap_done
fi

# tsr OUT ARGS...: run the tool, its output into OUT; sets st to its exit status. TOOL_HOME, when
# set, is its HOME (the Firefox profiles it sees).
tsr() { _o=$1; shift; with_module env ${TOOL_HOME:+HOME="$TOOL_HOME"} "$TESSERA" "$@" >"$_o" 2>&1; st=$?; }
# jget FILE EXPR: a value of the JSON document in FILE (EXPR in Python over d).
jget() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# is WHAT GOT WANT: one test comparing two values.
is() { if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1: got [$2], want [$3]"; fi; }
p11() { with_module pkcs11-tool --module "$TESSERA_MODULE" "$@"; }
O=$TAP_TMP

if [ "$2" = no-reader ]; then
	tsr "$O/st" status
	is "status with a pcscd and no reader: exit 4" "$st" 4
	grep_check "it says 0 readers" "$O/st" "PC/SC service reachable, 0 readers"
	tsr "$O/dr.json" --json doctor
	is "doctor: exit 1" "$st" 1
	is "doctor: the readers check is a problem, with a fix" \
		"$(jget "$O/dr.json" '[c["result"] + ":" + str(bool(c["fix"])) for c in d["checks"] if c["check"] == "readers"]')" \
		"['problem:True']"
	tap_done
fi

# --- a provisioned card: 9A RSA 2048 (certificate for 30 days), 9C P-256 (certificate re-issued for 400)
D=$O/card
provision "$D" "9a:RSA2048 9c:ECCP256"
R=$(opensc-tool -l 2>/dev/null | sed -n 's/^[0-9][0-9]* *Yes *//p' | head -n 1)
MGM=010203040506070801020304050607080102030405060708
t openssl x509 -new -force_pubkey "$D/9c.pub.pem" -subj "/O=Tessera Test/CN=Alice long-lived" \
	-CA "$D/ca.pem" -CAkey "$D/ca.key" -days 400 -set_serial 0x0102 -out "$D/9c-long.pem" 2>/dev/null
tap_check "re-issue the 9C certificate for 400 days" \
	t yubico-piv-tool -r "$R" -a import-certificate -s 9c --key="$MGM" -i "$D/9c-long.pem"

tsr "$O/st" status
is "status: exit 0 with a working card" "$st" 0
tsr "$O/st.json" --json status
is "status --json: exit 0" "$st" 0
t yubico-piv-tool -r "$R" -a status >"$O/piv" 2>&1
serial=$(sed -n 's/^Serial Number:[[:space:]]*//p' "$O/piv")
version=$(sed -n 's/^Version:[[:space:]]*//p' "$O/piv")
is "the card's serial is yubico-piv-tool's" "$(jget "$O/st.json" 'd["readers"][0]["card"]["serial"]')" "$serial"
is "its version is yubico-piv-tool's" "$(jget "$O/st.json" 'd["readers"][0]["card"]["version"]')" "$version"
is "the reader is the test bed's" "$(jget "$O/st.json" 'd["readers"][0]["name"]')" "$R"
is "PIN: 3 tries left, not blocked" "$(jget "$O/st.json" 'd["readers"][0]["card"]["pin"]')" \
	"{'tries_left': 3, 'verified': False, 'blocked': False}"
is "PUK: 3 tries left (the PIV metadata of a YubiKey)" "$(jget "$O/st.json" 'd["readers"][0]["card"]["puk"]["tries_left"]')" 3
is "two key slots, 9A and 9C" "$(jget "$O/st.json" '[k["ref"] for k in d["readers"][0]["card"]["keys"]]')" "['9A', '9C']"
is "9A: RSA 2048, PIN once, generated on the card" \
	"$(jget "$O/st.json" '[(k["algorithm"], k["pin_policy"], k["origin"]) for k in d["readers"][0]["card"]["keys"]][0]')" \
	"('RSA 2048', 'once', 'generated')"
is "9C: EC P-256, PIN always" \
	"$(jget "$O/st.json" '[(k["algorithm"], k["pin_policy"]) for k in d["readers"][0]["card"]["keys"]][1]')" \
	"('EC P-256', 'always')"
subj=$(openssl x509 -in "$D/9a.cert.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
is "9A's certificate subject is the provisioned one" \
	"$(jget "$O/st.json" 'd["readers"][0]["card"]["keys"][0]["certificate"]["subject"]')" "$subj"
exp=$(date -u -d "$(openssl x509 -in "$D/9c-long.pem" -noout -enddate | sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)
is "9C's certificate expiry is the re-issued one's" \
	"$(jget "$O/st.json" 'd["readers"][0]["card"]["keys"][1]["certificate"]["not_after"]')" "$exp"
is "the CKA_IDs are the module's: 01 and 02" "$(jget "$O/st.json" '[k["cka_id"] for k in d["readers"][0]["card"]["keys"]]')" \
	"['01', '02']"
p11 -L >"$O/L" 2>&1
grep_check "pkcs11-tool sees the same serial" "$O/L" "serial num *: $serial\$"

# The URIs status prints are the ones applications use: GnuTLS finds exactly that key and certificate.
uri=$(jget "$O/st.json" 'd["readers"][0]["card"]["keys"][0]["uri"]')
GNUTLS_PIN=$PIN with_module p11tool --provider "$TESSERA_MODULE" --login --list-privkeys "$uri" >"$O/p11tool" 2>&1
is "p11tool --list-privkeys $uri: exactly one key" "$(grep -c '^Object [0-9]' "$O/p11tool")" 1
grep_check "the 9A key (ID 01)" "$O/p11tool" "URL: pkcs11:.*;id=%01;.*type=private"
with_module p11tool --provider "$TESSERA_MODULE" --list-all-certs "${uri%;type=private};type=cert" >"$O/p11tool" 2>&1
is "the same URI with type=cert names exactly one certificate" "$(grep -c '^Object [0-9]' "$O/p11tool")" 1

# --- doctor: the 9A certificate expires within 30 days, the 9C one does not
tsr "$O/dr.json" --json doctor
is "doctor with a working card: exit 0 (warnings only)" "$st" 0
is "one certificate warning, for 9A" \
	"$(jget "$O/dr.json" '[c["message"].split(":")[0] for c in d["checks"] if c["check"] == "certificate" and c["result"] == "warning"]')" \
	"['card #$serial key 9A']"
grep_check "the 9C certificate counts as valid beyond 30 days" "$O/dr.json" "1 certificate(s) valid for more than 30 days"
# Another module for the same card: whatever p11-kit's configuration on this machine says (Debian's
# opensc-pkcs11 registers itself), doctor must say the same as p11-kit list-modules.
# (p11-kit loads every registered module but tessera: no sanitizer runtime for it)
env -u LD_PRELOAD p11-kit list-modules >"$O/p11kit" 2>&1
if awk '/^[^ ]/ { m = $1 } /^    token:/ && m == "opensc-pkcs11:" { found = 1 } END { exit !found }' "$O/p11kit"; then
	want="['opensc-pkcs11']"
else
	want="[]"
fi
is "doctor's other modules registered in p11-kit are p11-kit list-modules' ($want)" \
	"$(jget "$O/dr.json" '[c["message"].split("\"")[1] for c in d["checks"] if c["check"] == "other-module" and "registered in p11-kit" in c["message"]]')" \
	"$want"
# A Firefox profile with OpenSC's module, then with tessera's.
H=$O/home
mkdir -p "$H/.mozilla/firefox/p1.default"
printf '[Profile0]\nName=default\nIsRelative=1\nPath=p1.default\n' >"$H/.mozilla/firefox/profiles.ini"
certutil -N -d "sql:$H/.mozilla/firefox/p1.default" --empty-password >/dev/null 2>&1
t modutil -dbdir "sql:$H/.mozilla/firefox/p1.default" -add opensc -libfile opensc-pkcs11.so -force >/dev/null 2>&1
TOOL_HOME=$H
tsr "$O/dr.json" --json doctor
is "doctor: OpenSC in the Firefox profile offers the same card" \
	"$(jget "$O/dr.json" '[c["result"] for c in d["checks"] if c["check"] == "other-module" and "Firefox profile default" in c["message"] and "'"$R"'" in c["message"]]')" \
	"['warning']"
is "doctor: tessera not registered in that profile, fix: tessera register --firefox" \
	"$(jget "$O/dr.json" '[c["result"] + " " + c["fix"].split(": ")[-1] for c in d["checks"] if c["check"] == "firefox"]')" \
	"['warning tessera register --firefox']"
tsr "$O/reg" --module "$TESSERA_MODULE" register --firefox
is "tessera register --firefox: exit 0" "$st" 0
t modutil -dbdir "sql:$H/.mozilla/firefox/p1.default" -list >"$O/modlist" 2>&1
grep_check "modutil lists the module tessera with the card's token" "$O/modlist" "token: .*#$serial\$"
tsr "$O/dr.json" --json doctor
is "doctor: tessera registered in the Firefox profile" \
	"$(jget "$O/dr.json" '[c["result"] for c in d["checks"] if c["check"] == "firefox"]')" "['ok']"

# --- the CKA_ID an application set (pairing store) is the one status shows
export TESSERA_CACHE_DIR="$O/cache"
tap_check "pkcs11-tool --set-id c0ffee on the 9C private key" \
	p11 --login --pin "$PIN" --type privkey --id 02 --set-id c0ffee
p11 -O >"$O/O" 2>&1
grep_check "pkcs11-tool (a new process) sees CKA_ID c0ffee" "$O/O" "ID: *c0ffee"
tsr "$O/st.json" --json status
is "status: 9C's CKA_ID is C0FFEE, set by an application" \
	"$(jget "$O/st.json" '[(k["cka_id"], k["cka_id_from_application"]) for k in d["readers"][0]["card"]["keys"]][1]')" \
	"('C0FFEE', True)"
grep_check "and its URI says id=%C0%FF%EE" "$O/st.json" "id=%C0%FF%EE;type=private"

# --- trace: a login, a PIN change and a key import; no PIN and no key byte in the log
tsr "$O/tr" trace -o "$O/trace.log" -- pkcs11-tool --module "$TESSERA_MODULE" --login --pin "$PIN" -O
is "trace -- pkcs11-tool --login -O: pkcs11-tool's exit status (0)" "$st" 0
tap_check "the trace file is private (0600)" test "$(stat -c %a "$O/trace.log")" = 600
grep_check "it has the VERIFY command, its data redacted" "$O/trace.log" "apdu: > 00 20 00 80 08 \[8 bytes redacted\]"
grep_check "it says how many APDUs it traced" "$O/tr" "tessera trace: [1-9][0-9]* APDUs"
tsr "$O/tr" trace -o "$O/trace2.log" -- pkcs11-tool --module "$TESSERA_MODULE" --change-pin --pin "$PIN" --new-pin 654321
is "trace -- pkcs11-tool --change-pin: exit 0" "$st" 0
t openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER -out "$O/k.der" 2>/dev/null
chunk=$(openssl pkey -inform DER -in "$O/k.der" -noout -text | sed -n '/^priv:/,/^pub:/p' | sed '1d;$d' |
	tr -d ' :\n' | sed 's/^00\(.\{64\}\)$/\1/' | cut -c9-24 | sed 's/../& /g; s/ $//' | tr a-f A-F)
tsr "$O/tr" trace -o "$O/trace3.log" -- pkcs11-tool --module "$TESSERA_MODULE" --login --pin 654321 \
	--write-object "$O/k.der" --type privkey --id 06
is "trace -- pkcs11-tool --write-object (a P-256 key imported): exit 0" "$st" 0
cat "$O/trace.log" "$O/trace2.log" "$O/trace3.log" >"$O/all.log"
grep_check "the traces have the IMPORT command, its data redacted" "$O/all.log" "apdu: > [01]0 FE 11 83 .*redacted"
if grep -q "31 32 33 34 35 36\|36 35 34 33 32 31\|313233343536\|654321\|123456" "$O/all.log"; then
	tap_fail "no PIN in the traces"; grep "31 32 33\|36 35 34\|123456\|654321" "$O/all.log" | tap_diag
else
	tap_ok "no PIN in the traces (old or new)"
fi
if [ -n "$chunk" ] && ! grep -q "$chunk" "$O/all.log"; then
	tap_ok "no byte of the imported private key in the traces ($chunk...)"
else
	tap_fail "the private key's bytes [$chunk] appear in the traces"
fi
tsr "$O/tr" trace -o "$O/trace4.log" -- sh -c 'exit 3'
is "trace returns the command's exit status (3)" "$st" 3
p11 --change-pin --pin 654321 --new-pin "$PIN" >/dev/null 2>&1

# --- another program holds the reader exclusively
mkfifo "$O/hold.in"
python3 "$TESSERA_SRCDIR/tools/test-hold-reader.py" "$R" <"$O/hold.in" >"$O/hold.out" 2>&1 &
exec 7>"$O/hold.in"
i=0
until grep -q "^held" "$O/hold.out" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
grep_check "a program holds the card exclusively (SCARD_SHARE_EXCLUSIVE)" "$O/hold.out" "^held"
tsr "$O/st.json" --json status
is "status: exit 6 (a card that cannot be used)" "$st" 6
is "status: held by another program" "$(jget "$O/st.json" 'd["readers"][0]["state"]')" "held by another program"
tsr "$O/dr.json" --json doctor
is "doctor: exit 1, the reader-access problem with a fix" \
	"$st $(jget "$O/dr.json" '[c["result"] + ":" + str(bool(c["fix"])) for c in d["checks"] if c["check"] == "reader-access"]')" \
	"1 ['problem:True']"
exec 7>&-
wait

# --- no card
t "$CARDSIM" ctl "${CARDSIM_CONTROL%% *}" remove >/dev/null
i=0
until opensc-tool -l 2>/dev/null | grep -q "No .*$R" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
tsr "$O/st" status
is "status with the card removed: exit 5" "$st" 5
grep_check "it says no card" "$O/st" "\"$R\" (pcsc): no card"
tsr "$O/dr.json" --json doctor
is "doctor: exit 1, 'no card in any reader' with a fix" \
	"$st $(jget "$O/dr.json" '[c["message"] for c in d["checks"] if c["check"] == "cards" and c["fix"]]')" \
	"1 ['no card in any reader']"
t "$CARDSIM" ctl "${CARDSIM_CONTROL%% *}" insert >/dev/null
i=0
until with_module "$TESSERA" status >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done

# --- a blocked PIN: doctor's fix, carried out as printed, unblocks it
for i in 1 2 3; do p11 --login --pin 000000 -O >/dev/null 2>&1; done
tsr "$O/st.json" --json status
is "status after 3 wrong PINs: exit 7 (PIN blocked)" "$st" 7
is "PIN blocked, 0 tries; PUK 3 tries" \
	"$(jget "$O/st.json" '(d["readers"][0]["card"]["pin"]["blocked"], d["readers"][0]["card"]["pin"]["tries_left"], d["readers"][0]["card"]["puk"]["tries_left"])')" \
	"(True, 0, 3)"
tsr "$O/dr.json" --json doctor
is "doctor: exit 1 with the PIN problem" "$st $(jget "$O/dr.json" '[c["result"] for c in d["checks"] if c["check"] == "pin"]')" \
	"1 ['problem']"
fix=$(jget "$O/dr.json" '[c["fix"] for c in d["checks"] if c["check"] == "pin"][0]')
cmd=$(echo "$fix" | sed -n 's/.*: \(pkcs11-tool .*NEW-PIN\).*/\1/p' | sed "s/tessera-pkcs11.so/$(echo "$TESSERA_MODULE" | sed 's/[\/&]/\\&/g')/; s/ PUK / $PUK /; s/NEW-PIN/$PIN/")
# shellcheck disable=SC2086
tap_check "doctor's fix as printed ($cmd) unblocks the PIN" with_module $cmd
tsr "$O/st" status
is "status: exit 0 again" "$st" 0

# --- PIN and PUK blocked: doctor's reset fix, as printed, resets the card
for i in 1 2 3; do p11 --login --pin 000000 -O >/dev/null 2>&1; done
for i in 1 2 3; do t yubico-piv-tool -r "$R" -a unblock-pin -P 00000000 -N 111111 >/dev/null 2>&1; done
tsr "$O/dr.json" --json doctor
is "doctor: PIN and PUK blocked" "$(jget "$O/dr.json" '[c["message"].split(": ")[-1] for c in d["checks"] if c["check"] == "pin"]')" \
	"['PIN blocked, PUK blocked']"
fix=$(jget "$O/dr.json" '[c["fix"] for c in d["checks"] if c["check"] == "pin"][0]')
cmd=$(echo "$fix" | sed -n 's/.*: \(pkcs11-tool .*NEW-PUK\).*/\1/p' | sed "s/tessera-pkcs11.so/$(echo "$TESSERA_MODULE" | sed 's/[\/&]/\\&/g')/; s/NAME/reset/; s/NEW-PUK/$PUK/")
# shellcheck disable=SC2086
tap_check "doctor's reset as printed ($cmd) resets the card" with_module $cmd
tsr "$O/st.json" --json status
is "status after the reset: exit 0, PIN 3 tries, no keys" \
	"$st $(jget "$O/st.json" '(d["readers"][0]["card"]["pin"]["tries_left"], len(d["readers"][0]["card"]["keys"]))')" \
	"0 (3, 0)"
tap_done
