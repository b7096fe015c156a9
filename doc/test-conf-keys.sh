#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# doc/test-conf-keys.sh: tessera.conf(5) documents exactly the keys the parser knows (src/conf.c's
# table, printed by doc/conf-keys), the example configuration shows each of them commented out,
# and the manual pages render without a warning.
. "$(dirname "$0")/../tests/lib.sh"

"$TESSERA_BUILDDIR/doc/conf-keys" | sort >"$TAP_TMP/parser" || { echo "Bail out! doc/conf-keys failed"; exit 1; }
# The page's KEYS section: the first word of the line after each .TP (a prefix key such as
# management_key.SERIAL is written .BI management_key. SERIAL).
page="$TESSERA_BUILDDIR/doc/tessera.conf.5"
sed -n '/^\.SH KEYS/,/^\.SH /p' "$page" | awk '
	prev == ".TP" { w = $2; gsub(/"/, "", w); print w }
	{ prev = $1 }' | sort >"$TAP_TMP/page"
# The example: "#key = value" lines (management_key.SERIAL stands for the prefix).
sed -n 's/^#\([a-z_.]*[a-z_.]\)\(SERIAL\)\{0,1\} = .*/\1/p' "$TESSERA_SRCDIR/doc/tessera.conf" | sort >"$TAP_TMP/example"

if [ -s "$TAP_TMP/parser" ] && cmp -s "$TAP_TMP/parser" "$TAP_TMP/page"; then
	tap_ok "tessera.conf(5) documents exactly the parser's keys: $(tr '\n' ' ' <"$TAP_TMP/parser")"
else
	tap_fail "tessera.conf(5) and the parser differ (< parser, > page)"
	diff "$TAP_TMP/parser" "$TAP_TMP/page" | tap_diag
fi
if cmp -s "$TAP_TMP/parser" "$TAP_TMP/example"; then
	tap_ok "doc/tessera.conf shows every key, commented out"
else
	tap_fail "doc/tessera.conf and the parser differ (< parser, > example)"
	diff "$TAP_TMP/parser" "$TAP_TMP/example" | tap_diag
fi
# Nothing in the example is active: every line is a comment or blank.
if grep -qv '^\(#.*\)\{0,1\}$' "$TESSERA_SRCDIR/doc/tessera.conf"; then
	tap_fail "doc/tessera.conf has an active line"; grep -v '^\(#.*\)\{0,1\}$' "$TESSERA_SRCDIR/doc/tessera.conf" | tap_diag
else
	tap_ok "doc/tessera.conf sets nothing (defaults)"
fi
# Each manual page, with the paths of the Debian package (configure's may be too long for a line, as
# in make distcheck), renders without a warning (what lintian checks). man and groff load no module:
# a sanitizer build's preloaded runtime is not theirs.
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for page in "$TESSERA_SRCDIR"/doc/*.[1-8].in; do
	m=$TAP_TMP/$(basename "$page" .in)
	sed -e 's|@sysconfdir@|/etc|g' -e "s|@libdir@|/usr/lib/$ma|g" -e "s|@pkcs11dir@|/usr/lib/$ma/pkcs11|g" \
		-e 's|@p11kitmoduledir@|/usr/share/p11-kit/modules|g' -e 's|@bindir@|/usr/bin|g' -e 's|@VERSION@|0.1.0|g' \
		"$page" >"$m"
	if grep -q '@[a-zA-Z_]*@' "$m"; then
		tap_fail "${m##*/}: a substitution left over: $(grep -o '@[a-zA-Z_]*@' "$m" | head -n 1)"
	elif env -u LD_PRELOAD LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$m" \
		2>"$TAP_TMP/warn" >/dev/null && [ ! -s "$TAP_TMP/warn" ]; then
		tap_ok "${m##*/} renders without warnings"
	else
		tap_fail "${m##*/}: warnings"; tap_diag <"$TAP_TMP/warn"
	fi
done
tap_done
