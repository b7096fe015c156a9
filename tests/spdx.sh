#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/spdx.sh: every source file of the tree has its SPDX licence line (dev/spdx --check), and
# dev/spdx puts the line where each kind of file wants it, once, however often it runs.
. "$(dirname "$0")/lib.sh"

if "$TESSERA_SRCDIR/dev/spdx" --check "$TESSERA_SRCDIR" >"$TAP_TMP/missing" 2>&1; then
	tap_ok "every source file has an SPDX-License-Identifier line"
else
	tap_fail "source files without an SPDX-License-Identifier line (run dev/spdx): $(wc -l <"$TAP_TMP/missing")"
	tap_diag <"$TAP_TMP/missing"
fi

# dev/spdx itself, on a small tree of each kind of file (not a git checkout: every file counts)
T=$TAP_TMP/tree
mkdir -p "$T/src" "$T/doc" "$T/udev" "$T/debian"
printf '/*\n * src/a.c: a\n */\nint a;\n' >"$T/src/a.c"
printf '#!/bin/sh\necho hi\n' >"$T/run.sh"
chmod 755 "$T/run.sh"
printf '#!/usr/bin/python3\nprint(1)\n' >"$T/tool"
printf 'NULL =\n' >"$T/Makefile.am"
printf '.TH X 1\n' >"$T/doc/x.1.in"
printf 'SUBSYSTEM=="usb"\n' >"$T/udev/70-x.rules"
printf 'Source: x\n' >"$T/debian/control"
printf 'text\n' >"$T/README.md"
printf '#! /bin/sh\n' >"$T/libtool"
printf '#! /bin/sh\n' >"$T/configure~"
"$TESSERA_SRCDIR/dev/spdx" "$T" >"$TAP_TMP/added" 2>&1
L="SPDX-License-Identifier: LGPL-2.1-or-later"
tap_check "C: the first line" test "$(head -n 1 "$T/src/a.c")" = "/* $L */"
tap_check "C: the rest unchanged" test "$(sed -n 2p "$T/src/a.c")" = "/*"
tap_check "shell script: after the #! line" test "$(sed -n 1p "$T/run.sh")|$(sed -n 2p "$T/run.sh")" = "#!/bin/sh|# $L"
tap_check "shell script: still executable" test -x "$T/run.sh"
tap_check "python script without extension: after the #! line" test "$(sed -n 2p "$T/tool")" = "# $L"
tap_check "Makefile.am: the first line" test "$(head -n 1 "$T/Makefile.am")" = "# $L"
tap_check "manual page: a roff comment" test "$(head -n 1 "$T/doc/x.1.in")" = ".\\\" $L"
tap_check "udev rules: the first line" test "$(head -n 1 "$T/udev/70-x.rules")" = "# $L"
tap_check "debian/control and Markdown untouched" test "$(cat "$T/debian/control")|$(cat "$T/README.md")" = "Source: x|text"
tap_check "generated files (libtool, configure~) untouched" test "$(cat "$T/libtool" "$T/configure~")" = "#! /bin/sh
#! /bin/sh"
X
cp -r "$T" "$TAP_TMP/before"
"$TESSERA_SRCDIR/dev/spdx" "$T" >/dev/null 2>&1
tap_check "a second run changes nothing" diff -r "$TAP_TMP/before" "$T"
tap_check "--check then finds nothing missing" "$TESSERA_SRCDIR/dev/spdx" --check "$T"
printf 'int b;\n' >"$T/src/b.c"
if "$TESSERA_SRCDIR/dev/spdx" --check "$T" >"$TAP_TMP/out2" 2>&1; then
	tap_fail "--check fails on a new file without the line"
else
	tap_ok "--check fails on a new file without the line, and names it: $(cat "$TAP_TMP/out2")"
fi
tap_done
