#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/package/deb.sh: the Debian packages. A copy of the source tree is built with
# dpkg-buildpackage -us -uc -b as an ordinary user (nobody, fakeroot; nocheck: this suite runs the
# tests), lintian finds no error and no warning, the packages install, the module loads by its bare
# name (pkcs11-tool, NSS modutil), p11-kit lists it with the card of the test bed, OpenSSH reads the
# card's key through the module's link, the tool registers the installed module in a Firefox
# profile; then removal keeps only the configuration file and purge leaves no file behind.
# Root only. It never touches a tessera installed by other means (skips), and purges what it
# installed whatever happens.
. "$(dirname "$0")/../clients/common.sh"

MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
LINK=/usr/lib/$MA/pkcs11/tessera-pkcs11.so

if [ "${1:-}" = --inside ]; then
	# In the test bed, with the packages installed.
	D=$TAP_TMP/card
	provision "$D" "9a:RSA2048"
	pkcs11-tool --module tessera-pkcs11.so -L >"$TAP_TMP/L" 2>&1
	grep_check "pkcs11-tool --module tessera-pkcs11.so (bare name) lists the card's token" "$TAP_TMP/L" "token model *: YubiKey 5"
	mkdir "$TAP_TMP/nss"
	certutil -N -d "sql:$TAP_TMP/nss" --empty-password >/dev/null 2>&1
	tap_check "modutil -add tessera -libfile tessera-pkcs11.so (bare name)" \
		t modutil -dbdir "sql:$TAP_TMP/nss" -add tessera -libfile tessera-pkcs11.so -force
	t modutil -dbdir "sql:$TAP_TMP/nss" -list >"$TAP_TMP/list" 2>&1
	grep_check "modutil -list: NSS loaded it and sees the card's token" "$TAP_TMP/list" "token: .*#[0-9]"
	t p11-kit list-modules >"$TAP_TMP/p11kit" 2>&1
	grep_check "p11-kit list-modules lists tessera" "$TAP_TMP/p11kit" "^tessera: tessera-pkcs11.so"
	tap_check "with the card's token" sh -c "sed -n '/^tessera:/,/^[^ ]/p' '$TAP_TMP/p11kit' | grep -q 'model: YubiKey 5'"
	t p11tool --list-tokens >"$TAP_TMP/tokens" 2>&1
	grep_check "p11tool --list-tokens (GnuTLS through p11-kit) sees the card" "$TAP_TMP/tokens" "URL: pkcs11:model=YubiKey%205;manufacturer=Yubico"
	t p11tool --list-all-certs "pkcs11:model=YubiKey%205" >"$TAP_TMP/certs" 2>&1
	tap_check "p11tool --list-all-certs 'pkcs11:model=YubiKey%205': the 9A certificate, only" \
		test "$(grep -c '^Object [0-9]' "$TAP_TMP/certs")" = 1
	# With OpenSC's module registered too (Debian's opensc-pkcs11), p11-kit offers the card twice;
	# the README's advice ("enable-in:" in the user's p11-kit configuration) leaves tessera's.
	if grep -q "^opensc-pkcs11:" "$TAP_TMP/p11kit"; then
		grep_check "with OpenSC registered, p11tool also lists OpenSC's token for the card" "$TAP_TMP/tokens" "manufacturer=piv_II"
		U=$TAP_TMP/user
		mkdir -p "$U/.config/pkcs11/modules"
		printf 'enable-in:\n' >"$U/.config/pkcs11/modules/opensc-pkcs11.module"
		chmod 755 "$TAP_TMP"
		chown -R nobody "$U"
		t runuser -u nobody -- env HOME="$U" p11tool --list-tokens >"$TAP_TMP/tokens2" 2>&1
		tap_check "with enable-in: in the user's opensc-pkcs11.module, only tessera's token is left" \
			sh -c "grep -q 'model=YubiKey%205' '$TAP_TMP/tokens2' && ! grep -q 'piv_II' '$TAP_TMP/tokens2'"
		t runuser -u nobody -- env HOME="$U" tessera --json doctor >"$TAP_TMP/doctor2" 2>&1
		tap_check "and tessera doctor (that user) no longer reports another module" \
			sh -c "grep -q '\"check\": \"p11-kit\"' '$TAP_TMP/doctor2' && ! grep -q '\"other-module\"' '$TAP_TMP/doctor2'"
	fi
	t ssh-keygen -D "$LINK" >"$TAP_TMP/ssh" 2>&1
	ssh-keygen -i -m PKCS8 -f "$D/9a.pub.pem" 2>/dev/null | cut -d ' ' -f 1,2 >"$TAP_TMP/9a.ssh"
	tap_check "ssh-keygen -D $LINK prints the card's 9A key" grep -qF -f "$TAP_TMP/9a.ssh" "$TAP_TMP/ssh"
	t tessera --json doctor >"$TAP_TMP/doctor" 2>&1
	grep_check "the installed tool: doctor finds tessera registered with p11-kit" "$TAP_TMP/doctor" "tessera is registered with p11-kit"
	H=$TAP_TMP/home
	mkdir -p "$H/.mozilla/firefox/p.default"
	printf '[Profile0]\nName=default\nIsRelative=1\nPath=p.default\n' >"$H/.mozilla/firefox/profiles.ini"
	certutil -N -d "sql:$H/.mozilla/firefox/p.default" --empty-password >/dev/null 2>&1
	tap_check "tessera register --firefox (the installed module by default)" env HOME="$H" tessera register --firefox
	t modutil -dbdir "sql:$H/.mozilla/firefox/p.default" -list >"$TAP_TMP/list" 2>&1
	grep_check "the profile names $LINK" "$TAP_TMP/list" "library name: $LINK"
	grep_check "and NSS sees the card through it" "$TAP_TMP/list" "token: .*#[0-9]"
	tap_done
fi

[ "$(id -u)" = 0 ] || tap_skip_all "needs root (dpkg -i)"
[ -z "${TESSERA_PACKAGE_BUILD:-}" ] || tap_skip_all "inside a package build"
[ "${TESSERA_SANITIZERS:-no}" = no ] || tap_skip_all "sanitizer build: the packages are tested once, by the ordinary build's check"
clients_require flock dpkg-buildpackage dh fakeroot lintian runuser pkcs11-tool modutil certutil p11-kit p11tool ssh-keygen
[ -n "$MA" ] || tap_skip_all "dpkg-architecture failed"
# dpkg installs system-wide: two runs of this suite on one machine take turns here.
exec 9>/run/lock/tessera-deb-test.lock
flock -w 1800 9 || tap_skip_all "another run of this test held its lock for 30 minutes"

if dpkg-query -W -f '${Status}\n' tessera-pkcs11 tessera 2>/dev/null | grep -q "installed\|config-files"; then
	tap_skip_all "tessera packages are installed on this machine: not touching them"
fi
for f in "/usr/lib/$MA/tessera-pkcs11.so" "$LINK" /usr/share/p11-kit/modules/tessera.module /etc/tessera /usr/bin/tessera; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || tap_skip_all "$f exists (tessera installed by other means): not touching it"
done

W=$TAP_TMP/pkg
installed=no
# Whatever happens, leave the machine as it was.
cleanup() {
	[ "$installed" = no ] || dpkg -P tessera tessera-pkcs11 >/dev/null 2>&1
	rm -rf "$TAP_TMP"
}
trap cleanup EXIT
# dpkg_retry ARGS...: dpkg, waiting up to 120 s for its lock (another apt or dpkg may run).
dpkg_retry() {
	_i=0
	while :; do
		dpkg "$@" >"$TAP_TMP/dpkg.out" 2>&1 && return 0
		grep -q "lock" "$TAP_TMP/dpkg.out" && [ "$_i" -lt 120 ] || return 1
		_i=$((_i + 1))
		sleep 1
	done
}

# --- build, as an ordinary user, in a copy of the source tree
mkdir -p "$W/src"
if git -C "$TESSERA_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TESSERA_SRCDIR" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$W/src" -xf -
else
	tar -C "$TESSERA_SRCDIR" --exclude=./_build -cf - . | tar -C "$W/src" -xf -
fi
chown -R nobody "$W"
chmod 755 "$TAP_TMP"
tap_check "dpkg-buildpackage -us -uc -b as user nobody (fakeroot, nocheck)" \
	runuser -u nobody -- env HOME="$W" DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	sh -c 'cd "$1/src" && dpkg-buildpackage -us -uc -b -rfakeroot' sh "$W"
debs="$(ls "$W"/tessera-pkcs11_*.deb "$W"/tessera_*.deb 2>/dev/null | tr '\n' ' ')"
tap_check "it made tessera-pkcs11 and tessera" test "$(echo $debs | wc -w)" = 2
tap_check "lintian: no error, no warning" runuser -u nobody -- lintian --fail-on error,warning "$W"/tessera_*_"$(dpkg --print-architecture)".changes
if grep -q "^[EW]: " "$TAP_TMP/out"; then tap_diag <"$TAP_TMP/out"; fi

# --- install
# shellcheck disable=SC2086
if dpkg_retry -i $debs; then installed=yes; tap_ok "dpkg -i $debs"; else tap_fail "dpkg -i"; tap_diag <"$TAP_TMP/dpkg.out"; tap_done; fi
dpkg-query -W -f '${Conffiles}\n' tessera-pkcs11 >"$TAP_TMP/conffiles"
grep_check "/etc/tessera/tessera.conf is a conffile" "$TAP_TMP/conffiles" "^ /etc/tessera/tessera.conf "
tap_check "the module is in the multiarch libdir, the link in pkcs11/" \
	test -f "/usr/lib/$MA/tessera-pkcs11.so" -a "$(readlink "$LINK")" = ../tessera-pkcs11.so
tap_check "the manual pages are installed" man -w tessera tessera.conf tessera-pkcs11
clients_testbed --cards 1 -- sh "$0" --inside

# --- remove, then purge: no file of the packages is left
# shellcheck disable=SC2086
for d in $debs; do dpkg -c "$d"; done | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' >"$TAP_TMP/files"
tap_check "dpkg -r tessera tessera-pkcs11" dpkg_retry -r tessera tessera-pkcs11
tap_check "after removal only the conffile is left" sh -c '
	for f in $(cat "$1"); do
		[ "$f" = /etc/tessera/tessera.conf ] && { [ -f "$f" ] || { echo "conffile gone: $f"; exit 1; }; continue; }
		[ ! -e "$f" ] && [ ! -L "$f" ] || { echo "left: $f"; exit 1; }
	done' sh "$TAP_TMP/files"
tap_check "dpkg -P tessera tessera-pkcs11" dpkg_retry -P tessera tessera-pkcs11
installed=no
tap_check "after purge no file of the packages is left, nor /etc/tessera" sh -c '
	for f in $(cat "$1") /etc/tessera; do [ ! -e "$f" ] && [ ! -L "$f" ] || { echo "left: $f"; exit 1; }; done' \
	sh "$TAP_TMP/files"
p11-kit list-modules >"$TAP_TMP/p11kit" 2>&1
if grep -q "^tessera:" "$TAP_TMP/p11kit"; then tap_fail "p11-kit no longer lists tessera"; else tap_ok "p11-kit no longer lists tessera"; fi
tap_check "dpkg knows nothing of them" sh -c '! dpkg-query -W tessera tessera-pkcs11 >/dev/null 2>&1'
tap_done
