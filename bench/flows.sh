#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/flows.sh OUT: the benchmark's flows, run by bench/run inside tests/testbed (one simulated
# card, 5 ms per APDU). Provisions the card, then runs every flow for every module, modules
# interleaved (their order rotates from run to run), and appends one row per figure to
# OUT/raw.csv: flow,module,run,metric,value. Each run's output is in OUT/logs/.
# Settings come from bench/run's environment: BENCH_RUNS, BENCH_FLOWS, BENCH_MODULES (name=path
# pairs), BENCH_BUILDDIR, BENCH_SRCDIR.
set -u
OUT=$1
B=$BENCH_BUILDDIR/bench
SHIM=$B/pcsc-shim
P11BENCH=$B/p11bench
W=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
PIN=123456
TIMEOUT=${BENCH_TIMEOUT:-180}
CTL=${CARDSIM_CONTROL%% *}
mkdir -p "$OUT/logs"
RAW=$OUT/raw.csv
[ -f "$RAW" ] || echo "flow,module,run,metric,value" >"$RAW"

declare -A MODPATH
MODULES=()
for pair in $BENCH_MODULES; do
	MODULES+=("${pair%%=*}")
	MODPATH[${pair%%=*}]=${pair#*=}
done

say() { echo "bench: $*" >&2; }
row() { printf '%s,%s,%s,%s,"%s"\n' "$1" "$2" "$3" "$4" "$5" >>"$RAW"; }
wants() { case " $BENCH_FLOWS " in *" $1 "*) return 0 ;; esac; return 1; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
stat_of() { # stat_of FIELD STATS-LINE
	# shellcheck disable=SC2086 # the words of the line
	set -- "$1" $2
	local f=$1
	shift
	while [ $# -ge 2 ]; do
		[ "$1" = "$f" ] && { echo "$2"; return; }
		shift 2
	done
	echo 0
}

# env_for MODULE CACHE-DIR: the environment of a module's process: its own cache folders
# (tessera's, OpenSC's and ykcs11's under HOME), the counting libpcsclite.
env_for() {
	mkdir -p "$2/.cache"
	echo "HOME=$2 XDG_CACHE_HOME=$2/.cache TESSERA_CACHE_DIR=$2/tessera LD_LIBRARY_PATH=$SHIM BENCH_PCSC_LOG=$W/pcsc.log"
}
warm_dir() { echo "$W/cache/warm-$1"; }
cold_dir() { mktemp -d "$W/cache/cold-$1.XXXXXX"; }

# measure FLOW MODULE RUN CACHE-DIR COMMAND...: one process, figures from outside it: the card's
# APDUs before and after, the module's PC/SC calls (the shim's log), the wall time.
measure() {
	local flow=$1 mod=$2 run=$3 dir=$4 s0 s1 t0 t1 st pcsc log
	shift 4
	log=$OUT/logs/$flow-$mod-$run.log
	rm -f "$W/pcsc.log"
	s0=$("$CARDSIM" ctl "$CTL" stats)
	t0=$(now_us)
	# shellcheck disable=SC2046
	env $(env_for "$mod" "$dir") timeout "$TIMEOUT" setsid -w "$@" </dev/null >"$log" 2>&1
	st=$?
	t1=$(now_us)
	s1=$("$CARDSIM" ctl "$CTL" stats)
	pcsc=$(sed -n 's/^pid=[0-9]* total=\([0-9]*\).*/\1/p' "$W/pcsc.log" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	row "$flow" "$mod" "$run" status "$st"
	row "$flow" "$mod" "$run" wall_ms "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')"
	for f in apdus get_response extended; do
		row "$flow" "$mod" "$run" "$f" $(($(stat_of "$f" "$s1") - $(stat_of "$f" "$s0")))
	done
	row "$flow" "$mod" "$run" pcsc "$pcsc"
	# NSS lists the card's certificates as "TOKEN:LABEL  u,u,u"
	case $flow in certutil* | growth*) row "$flow" "$mod" "$run" certs "$(grep -c 'u,u,u *$' "$log")" ;; esac
	[ "$st" = 0 ] || say "$flow $mod run $run: exit $st (see $log)"
	return "$st"
}

# measure_p11 FLOW MODULE RUN p11bench-ARGS...: a p11bench flow; it measures itself.
measure_p11() {
	local flow=$1 mod=$2 run=$3 log st line
	shift 3
	log=$OUT/logs/$flow-$mod-$run.log
	rm -f "$W/pcsc.log"
	# shellcheck disable=SC2046
	env $(env_for "$mod" "$(warm_dir "$mod")") timeout "$TIMEOUT" \
		"$P11BENCH" "${MODPATH[$mod]}" "$@" </dev/null >"$log" 2>&1
	st=$?
	row "$flow" "$mod" "$run" status "$st"
	while IFS= read -r line; do
		case $line in
		[a-z_]*=*) row "$flow" "$mod" "$run" "${line%%=*}" "${line#*=}" ;;
		esac
	done <"$log"
	# A module that unloads libpcsclite in C_Finalize (OpenSC) takes its counter along: for
	# the init flow, which is the whole process, the process's count is the flow's.
	if [ "$flow" = init ] && ! grep -q '^pcsc=' "$log"; then
		row "$flow" "$mod" "$run" pcsc "$(sed -n 's/^pid=[0-9]* total=\([0-9]*\).*/\1/p' "$W/pcsc.log" 2>/dev/null |
			awk '{ s += $1 } END { print s + 0 }')"
	fi
	[ "$st" = 0 ] || say "$flow $mod run $run: exit $st (see $log)"
}

# each_run FUNCTION: FUNCTION MODULE RUN for every run, the modules in a rotating order.
each_run() {
	local run i k n=${#MODULES[@]}
	for run in $(seq 1 "$BENCH_RUNS"); do
		for i in $(seq 0 $((n - 1))); do
			k=$(((i + run - 1) % n))
			"$1" "${MODULES[$k]}" "$run"
		done
	done
}

certutil_list() { # certutil_list MODULE: the command
	echo certutil -L -h all -d "sql:$W/nss-$1"
}
# prime: one earlier process per module, so the warm caches are filled.
prime() {
	local mod
	for mod in "${MODULES[@]}"; do
		# shellcheck disable=SC2046
		env $(env_for "$mod" "$(warm_dir "$mod")") timeout "$TIMEOUT" $(certutil_list "$mod") \
			</dev/null >/dev/null 2>&1 || say "priming $mod's cache failed"
	done
}

flow_certutil_cold() {
	# shellcheck disable=SC2046
	measure "${CERTUTIL_FLOW:-certutil-cold}" "$1" "$2" "$(cold_dir "$1")" $(certutil_list "$1")
}
flow_certutil_warm() {
	# shellcheck disable=SC2046
	measure "${CERTUTIL_FLOW_WARM:-certutil-warm}" "$1" "$2" "$(warm_dir "$1")" $(certutil_list "$1")
}
flow_list() {
	measure pkcs11-tool-list "$1" "$2" "$(warm_dir "$1")" pkcs11-tool --module "${MODPATH[$1]}" -L -O
}
flow_login_sign() {
	measure login-sign "$1" "$2" "$(warm_dir "$1")" pkcs11-tool --module "${MODPATH[$1]}" \
		--login --pin "$PIN" --sign --id 01 -m RSA-PKCS -i "$W/tbs" -o "$W/sig-$1"
}
flow_sign_rsa() { measure_p11 sign100-rsa "$1" "$2" sign 01 100; }
flow_sign_ecdsa() { measure_p11 sign100-ecdsa "$1" "$2" sign 04 100; }
flow_sign_9c() { measure_p11 sign100-9c "$1" "$2" sign 02 100; }
flow_idle() { measure_p11 idle "$1" "$2" idle "${BENCH_IDLE_S:-10}"; }
flow_init() { measure_p11 init "$1" "$2" init; }
flow_contention() { measure_p11 contention "$1" "$2" contend "${BENCH_CONTEND_S:-3}"; }
flow_insertion() { measure_p11 insertion "$1" "$2" insert; }

flow_tls() {
	local port server nick st
	nick=$(certutil -L -h all -d "sql:$W/nss-$1" 2>/dev/null | grep ":.*PIV Authentication.* u,u,u" |
		sed 's/  *u,u,u *$//' | head -n 1)
	if [ -z "$nick" ]; then
		say "tls13 $1: NSS lists no PIV authentication certificate"
		row tls13 "$1" "$2" status 99
		return
	fi
	port=$(free_port)
	timeout "$TIMEOUT" openssl s_server -accept "127.0.0.1:$port" -cert "$W/server.pem" \
		-key "$W/server.key" -CAfile "$W/card/ca.pem" -Verify 1 -www -naccept 1 \
		-client_sigalgs "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384" >"$OUT/logs/tls13-$1-$2.server" 2>&1 &
	server=$!
	wait_listen "$port" || say "tls13 $1: s_server does not listen"
	measure tls13 "$1" "$2" "$(warm_dir "$1")" tstclnt -4 -h localhost -p "$port" -d "sql:$W/nss-$1" \
		-n "$nick" -w "$PIN" -V tls1.3:tls1.3 -A "$W/req"
	st=$?
	[ "$st" = 0 ] || kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
}

free_port() {
	local p
	while :; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
		grep -qs "$(printf ':%04X ' "$p")" /proc/net/tcp /proc/net/tcp6 || { echo "$p"; return; }
	done
}
wait_listen() {
	local i=0
	until grep -qs "$(printf ':%04X 00000000:0000 0A' "$1")" /proc/net/tcp; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
	done
}

setup() {
	local mod
	say "provisioning the card (9A RSA-2048, 9C P-256, 9D RSA-2048, 9E P-256)"
	timeout "$TIMEOUT" sh "$BENCH_SRCDIR/tests/provision.sh" "$W/card" >"$OUT/logs/provision.log" 2>&1 ||
		{ say "provisioning failed (see $OUT/logs/provision.log)"; exit 1; }
	for mod in "${MODULES[@]}"; do
		mkdir -p "$W/nss-$mod"
		# shellcheck disable=SC2046
		certutil -N -d "sql:$W/nss-$mod" --empty-password >/dev/null 2>&1 &&
			certutil -A -d "sql:$W/nss-$mod" -n "Tessera Test CA" -t "CT,C,C" -i "$W/card/ca.pem" &&
			env $(env_for "$mod" "$(warm_dir "$mod")") modutil -dbdir "sql:$W/nss-$mod" -add "$mod" \
				-libfile "${MODPATH[$mod]}" -force >/dev/null 2>&1 ||
			{ say "cannot make the NSS database of $mod"; exit 1; }
	done
	head -c 32 /dev/urandom >"$W/tbs"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/server.key" -out "$W/server.pem" \
		-days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
		-CA "$W/card/ca.pem" -CAkey "$W/card/ca.key" 2>/dev/null
	printf 'GET / HTTP/1.0\r\n\r\n' >"$W/req"
	prime
}

# grow N FIRST-SLOT: N more certificates (keys P-256) in the retired slots from FIRST-SLOT on.
grow() {
	local i slots="" s=$(($2))
	for i in $(seq 1 "$1"); do
		slots="$slots $(printf '%02x' "$s"):ECCP256"
		s=$((s + 1))
	done
	say "writing $1 more certificates to retired slots ($slots )"
	timeout "$TIMEOUT" sh "$BENCH_SRCDIR/tests/provision.sh" "$W/card" "$slots" >>"$OUT/logs/provision.log" 2>&1 ||
		{ say "provisioning the retired slots failed"; exit 1; }
}

growth() {
	local certs
	# 4 certificates: the certutil flows above.
	for certs in 14 24; do
		grow 10 $((0x82 + certs - 14))
		# Another tool wrote them in this insertion: tessera's cache believes those retired
		# slots empty until the next insertion or 10 minutes (src/cache.h); the warm runs
		# measure a cache that knows them, as the explicit refresh makes it.
		TESSERA_REFRESH=1 prime
		CERTUTIL_FLOW=growth-cold-$certs each_run flow_certutil_cold
		CERTUTIL_FLOW_WARM=growth-warm-$certs each_run flow_certutil_warm
	done
}

setup
t_start=$(now_us)
for flow in certutil-cold certutil-warm pkcs11-tool-list login-sign sign100-rsa sign100-ecdsa \
	sign100-9c tls13 idle init contention insertion growth; do
	wants "$flow" || continue
	say "flow $flow"
	case $flow in
	certutil-cold) each_run flow_certutil_cold ;;
	certutil-warm) each_run flow_certutil_warm ;;
	pkcs11-tool-list) each_run flow_list ;;
	login-sign) each_run flow_login_sign ;;
	sign100-rsa) each_run flow_sign_rsa ;;
	sign100-ecdsa) each_run flow_sign_ecdsa ;;
	sign100-9c) each_run flow_sign_9c ;;
	tls13) each_run flow_tls ;;
	idle) each_run flow_idle ;;
	init) each_run flow_init ;;
	contention) each_run flow_contention ;;
	insertion) each_run flow_insertion ;;
	growth) growth ;;
	esac
done
say "flows took $(( ($(now_us) - t_start) / 1000000 )) s"
