#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/interop/pinentry.sh: a pinentry for the GnuPG interoperability tests (Assuan on
# stdin/stdout). It answers from files in the folder $0.d (next to a copy of this script: the
# agent starts pinentry with an environment of its own): "user", "admin", "rc" (the current
# values) and "new-user", "new-admin", "new-rc" (the values to set), chosen by the prompt and
# description gpg-agent sends ("Admin PIN", "Reset Code", "New ...", "Repeat this ...").
# Every request is logged to $0.d/log (without the value given).
dir="$0.d"
prompt=
desc=
pick() {
	case $desc in
	*Repeat*|*[Nn]ew*) kind=new- ;;
	*) kind= ;;
	esac
	case "$prompt $desc" in
	*Admin*) kind="${kind}admin" ;;
	*Reset*) kind="${kind}rc" ;;
	*) kind="${kind}user" ;;
	esac
	echo "GETPIN $kind prompt=$prompt desc=$desc" >>"$dir/log"
	cat "$dir/$kind"
}
echo "OK Pleased to meet you"
while IFS= read -r line; do
	case $line in
	SETPROMPT\ *) prompt=${line#SETPROMPT }; echo OK ;;
	SETDESC\ *) desc=${line#SETDESC }; echo OK ;;
	GETPIN*) v=$(pick); printf 'D %s\nOK\n' "$v" ;;
	CONFIRM*|MESSAGE*) echo "CONFIRM" >>"$dir/log"; echo OK ;;
	BYE*) echo OK; exit 0 ;;
	*) echo OK ;;
	esac
done
