#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/test-tool-local.sh: the `tessera` tool without a card service, as any user: usage errors,
# status and doctor when pcscd cannot be reached (PCSCLITE_CSOCK_NAME names no socket), register
# in Firefox and Thunderbird profiles made with NSS's certutil in a private HOME (with modutil and
# by pkcs11.txt; checked with modutil -list, which loads what the profile names), a running
# application's profile left alone, and trace's exit status and log file.
. "$(dirname "$0")/../tests/lib.sh"
TESSERA="$TESSERA_BUILDDIR/tools/tessera"
MODULE="$TESSERA_BUILDDIR/.libs/tessera-pkcs11.so"
[ -x "$TESSERA" ] || tap_skip_all "no tool at $TESSERA (make first)"
for p in certutil modutil python3; do
	command -v "$p" >/dev/null || tap_skip_all "$p not installed (libnss3-tools, python3)"
done

O=$TAP_TMP
H=$O/home
# No pcscd for the tool (hermetic whatever runs on this machine), a private HOME.
export PCSCLITE_CSOCK_NAME="$O/no-pcscd.comm" HOME="$H"
# A sanitizer build's tool needs no preload (it is built with ASan); the module modutil loads does.
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	nss() { env LD_PRELOAD="$TESSERA_ASAN_RUNTIME" ASAN_OPTIONS=detect_leaks=0 "$@"; }
else
	nss() { "$@"; }
fi
tsr() { _o=$1; shift; timeout 60 "$TESSERA" "$@" >"$_o" 2>&1 </dev/null; st=$?; }
jget() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
is() { if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1: got [$2], want [$3]"; [ -f "$O/res" ] && tap_diag <"$O/res"; fi; }

# --- usage
tsr "$O/res" --help
is "tessera --help: exit 0" "$st" 0
tsr "$O/res" frobnicate
is "an unknown command: exit 2" "$st" 2
tsr "$O/res" status extra
is "status with an extra argument: exit 2" "$st" 2
tsr "$O/res" trace ls
is "trace without --: exit 2" "$st" 2
tsr "$O/res" register --bogus
is "register with an unknown option: exit 2" "$st" 2

# --- no pcscd
tsr "$O/res" status
is "status without pcscd: exit 3" "$st" 3
tap_check "it says pcscd cannot be reached" grep -q "the PC/SC service (pcscd) cannot be reached" "$O/res"
tsr "$O/st.json" --json status
is "status --json without pcscd: service false, exit 3" "$st $(jget "$O/st.json" '(d["service"], d["exit"])')" "3 (False, 3)"
tsr "$O/dr.json" --json doctor
is "doctor without pcscd: exit 1" "$st" 1
is "its pcscd check is a problem whose fix starts pcscd" \
	"$(jget "$O/dr.json" '[(c["result"], "systemctl start pcscd" in c["fix"]) for c in d["checks"] if c["check"] == "pcscd"]')" \
	"[('problem', True)]"
is "no Firefox or Thunderbird profile: both checks ok" \
	"$(jget "$O/dr.json" '[c["result"] for c in d["checks"] if c["check"] in ("firefox", "thunderbird")]')" "['ok', 'ok']"

# --- register
tsr "$O/res" --module "$MODULE" register
is "register without any profile: exit 1" "$st" 1
# profiles as Firefox and Thunderbird make them: profiles.ini, an NSS sql database
mkdir -p "$H/.mozilla/firefox/ff.default-esr" "$H/.thunderbird/tb.default" "$H/.mozilla/firefox/new"
printf '[Install4F96D1932A9F858E]\nDefault=ff.default-esr\n\n[Profile0]\nName=default-esr\nIsRelative=1\nPath=ff.default-esr\nDefault=1\n\n[Profile1]\nName=fresh\nIsRelative=1\nPath=new\n' \
	>"$H/.mozilla/firefox/profiles.ini"
printf '[Profile0]\nName=default\nIsRelative=0\nPath=%s\n' "$H/.thunderbird/tb.default" >"$H/.thunderbird/profiles.ini"
FF=$H/.mozilla/firefox/ff.default-esr
TB=$H/.thunderbird/tb.default
certutil -N -d "sql:$FF" --empty-password >/dev/null 2>&1
certutil -N -d "sql:$TB" --empty-password >/dev/null 2>&1
listed() { nss modutil -dbdir "sql:$1" -list 2>&1 | grep -q "library name: $MODULE\$"; }

tsr "$O/reg.json" --json --module "$MODULE" register --firefox
is "register --firefox: exit 1 (the fresh profile has no database yet)" "$st" 1
is "the default-esr profile: added with modutil; the fresh one skipped" \
	"$(jget "$O/reg.json" '[(p["name"], p["action"], p["method"]) for p in d["profiles"]]')" \
	"[('default-esr', 'added', 'modutil'), ('fresh', 'skipped', None)]"
tap_check "modutil -list of the Firefox profile: the module, loaded from $MODULE" listed "$FF"
if listed "$TB"; then tap_fail "the Thunderbird profile is left alone"; else tap_ok "the Thunderbird profile is left alone"; fi
rm -r "$H/.mozilla/firefox/new"
sed -i '/^\[Profile1\]/,$d' "$H/.mozilla/firefox/profiles.ini"
tsr "$O/res" --module "$MODULE" register --firefox
is "register --firefox again: exit 0" "$st" 0
tap_check "it says already registered" grep -q 'Firefox profile "default-esr": already registered' "$O/res"
tsr "$O/res" --module "$MODULE" register --thunderbird --no-modutil
is "register --thunderbird --no-modutil (pkcs11.txt): exit 0" "$st" 0
tap_check "NSS's modutil -list sees the module in the rewritten pkcs11.txt" listed "$TB"
tap_check "pkcs11.txt keeps its mode (0600)" test "$(stat -c %a "$TB/pkcs11.txt")" = 600
tsr "$O/dr.json" --json doctor
is "doctor: both profiles have tessera registered" \
	"$(jget "$O/dr.json" '[c["result"] for c in d["checks"] if c["check"] in ("firefox", "thunderbird")]')" "['ok', 'ok']"

# a running Firefox (its lock names a live process) is left alone
ln -s "127.0.0.1:+$$" "$FF/lock"
cp "$FF/pkcs11.txt" "$O/before"
tsr "$O/res" register --firefox --remove
is "register --remove with Firefox running: exit 1" "$st" 1
tap_check "it says to close Firefox first" grep -q "Firefox is running with this profile: close it first" "$O/res"
tap_check "pkcs11.txt unchanged" cmp -s "$O/before" "$FF/pkcs11.txt"
rm "$FF/lock"

tsr "$O/res" register --remove --no-modutil
is "register --remove --no-modutil (both profiles, pkcs11.txt): exit 0" "$st" 0
if listed "$FF" || listed "$TB"; then tap_fail "modutil -list no longer shows tessera"; else tap_ok "modutil -list no longer shows tessera"; fi
tap_check "NSS's internal module is still there" sh -c "modutil -dbdir 'sql:$FF' -list 2>&1 | grep -q 'NSS Internal PKCS #11 Module'"
tsr "$O/res" --module "$MODULE" register --all
tsr "$O/res" register --all --remove
is "register --all --remove (modutil): exit 0" "$st" 0
if listed "$FF" || listed "$TB"; then tap_fail "both removed by modutil"; else tap_ok "both removed by modutil"; fi
tsr "$O/res" --module "$O/nowhere/tessera-pkcs11.so" register
is "register a module that does not exist: exit 1" "$st" 1

# a registered module that was removed from the disk
cp "$MODULE" "$O/tessera-pkcs11.so"
tsr "$O/res" --module "$O/tessera-pkcs11.so" register --firefox --no-modutil
rm "$O/tessera-pkcs11.so"
tsr "$O/dr.json" --json doctor
is "doctor: the registered module does not exist: a problem, with a fix" \
	"$(jget "$O/dr.json" '[(c["result"], "does not exist" in c["message"], "tessera register --firefox --remove" in c["fix"]) for c in d["checks"] if c["check"] == "firefox"]')" \
	"[('problem', True, True)]"

# --- trace
tsr "$O/res" trace -o "$O/t.log" -- sh -c 'exit 5'
is "trace returns the command's status (5)" "$st" 5
tap_check "its log file is 0600" test "$(stat -c %a "$O/t.log")" = 600
tsr "$O/res" trace -o "$O/t.log" -- "$O/no-such-command"
is "trace of a command that does not exist: exit 127" "$st" 127
tsr "$O/res" trace -o "$O/t.log" --log p11 -- sh -c 'echo "$TESSERA_DEBUG $TESSERA_LOG"'
tap_check "the command runs with TESSERA_DEBUG and TESSERA_LOG set" grep -q "^p11 $O/t.log\$" "$O/res"
tsr "$O/res" --module "$MODULE" register --firefox
tap_check "register --firefox with another module path replaces the entry" grep -q '"default-esr": replaced' "$O/res"
if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
	set -- env LD_PRELOAD="$TESSERA_ASAN_RUNTIME" ASAN_OPTIONS=detect_leaks=0
else
	set --
fi
tsr "$O/res" trace -o "$O/t.log" -- "$@" modutil -dbdir "sql:$FF" -list
is "trace -- modutil -list (which loads the module): exit 0" "$st" 0
tap_check "the module wrote its log into the trace file" grep -q "^tessera .* p11: " "$O/t.log"
tap_done
