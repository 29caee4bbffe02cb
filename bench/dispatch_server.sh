#!/usr/bin/env bash
# dispatch_server.sh — the server's dispatch suggestions at 10,000 technicians (issue 5: ≤ 5 ms
# p99 server time), on SQLite and on PostgreSQL. For each engine: `fuwu demo`, then
# bench/dispatch_load.c adds 60 outlets in the three demo cities, DSP_TECHS technicians (10,000)
# with profiles, positions, skills, shifts and leave, DSP_BOOKED orders booked to them (4,000)
# and DSP_WAITING new orders (2,000, a tenth without a position); then two `fuwu serve` on that
# database (access log on): one as it is, one with FUWU_DISPATCH_CACHE=off, which loads the
# technicians on every request, as before the cache. bench/dispatch_server.mjs asks the first for
# GET /dispatch/suggestions?order=…&limit=5 for DSP_REQUESTS random waiting orders (500, after
# 50 unmeasured), one at a time, and the second for the first DSP_COMPARE (100) of them right
# after, comparing the answers. The figures are the servers' own time per request (access
# log), p50 / p99, for orders with a position and without. PostgreSQL runs on a cluster started
# here on loopback (as root, Debian's PostgreSQL 15), skipped otherwise. Figures never fail
# the run; a differing answer is reported.
#
# Knobs: DSP_ENGINES ("sqlite postgres") DSP_TECHS DSP_BOOKED DSP_WAITING DSP_REQUESTS
#   DSP_COMPARE (0: no whole-subtree server) DSP_CHURN (changes a second in the last phase; 0: none)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build} # make's BUILD (and WEB_DIST) from the environment, as make itself reads them
techs=${DSP_TECHS:-10000}
booked=${DSP_BOOKED:-4000}
waiting=${DSP_WAITING:-2000}
engines=${DSP_ENGINES:-sqlite postgres}
admin_pw=bench-admin-12345
pg_bin=/usr/lib/postgresql/15/bin

for tool in curl node gcc; do
	command -v $tool >/dev/null 2>&1 || { echo "dispatch server bench: '$tool' is missing" >&2; exit 1; }
done
make -s all
mkdir -p bench/out
work=$(mktemp -d /tmp/fuwu-dsp-bench.XXXXXX)
chmod 755 "$work"
server_pid=""
pg_dir=""
cleanup() {
	for pid in $server_pid; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
		runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2046
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Isrc $(pkg-config --cflags jansson sqlite3 libpq) \
	-o "$work/dispatch_load" bench/dispatch_load.c "$build/libfuwu.a" \
	$(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter minizip expat gdlib) -lpthread -lm

free_port() {
	for _ in $(seq 1 50); do
		local p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	return 1
}

start_pg() {
	if [ "$(id -u)" != 0 ] || [ ! -x "$pg_bin/initdb" ]; then
		echo "postgres: skipped (needs root and $pg_bin)"
		return 1
	fi
	pg_dir="$work/pg"
	mkdir -p "$pg_dir"
	chown postgres "$pg_dir"
	local port
	port=$(free_port)
	runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U fuwu >"$work/initdb.log" 2>&1 &&
		runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -w \
			-o "-k $pg_dir -p $port -c listen_addresses=127.0.0.1" -l "$pg_dir/log" start >/dev/null || {
		tail -5 "$work/initdb.log" "$pg_dir/log" 2>/dev/null
		return 1
	}
	pg_url="postgres://fuwu@127.0.0.1:$port/postgres"
}

table=()
churn_rows=()
start_server() { # url log [env…] — starts fuwu serve, sets server_pid and base
	local url=$1 log=$2
	shift 2
	local port
	port=$(free_port)
	base="http://127.0.0.1:$port"
	env FUWU_SCHEDULER=off FUWU_ADMIN_PASSWORD=$admin_pw "$@" "$build/fuwu" serve --listen "127.0.0.1:$port" --db "$url" \
		--threads 4 >"$log" 2>&1 &
	server_pid="$server_pid $!"
	for _ in $(seq 1 300); do
		curl -sf "$base/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	tail -5 "$log" >&2
	return 1
}
for engine in $engines; do
	case $engine in
	sqlite) url="sqlite:$work/dispatch.db" ;;
	postgres) start_pg || continue; url=$pg_url ;;
	*) echo "dispatch server bench: no engine $engine" >&2; continue ;;
	esac
	echo "### $engine: demo + $techs technicians, $booked booked and $waiting waiting orders"
	t0=$(date +%s%N)
	FUWU_ADMIN_PASSWORD=$admin_pw "$build/fuwu" demo --db "$url" >/dev/null 2>&1
	"$work/dispatch_load" "$url" "$techs" "$booked" "$waiting" "$work/ids.txt"
	echo "loaded in $((($(date +%s%N) - t0) / 1000000)) ms"
	start_server "$url" "$work/server-$engine.log" || exit 1
	pre=$base
	whole=""
	if [ "${DSP_COMPARE:-100}" != 0 ]; then
		start_server "$url" "$work/whole-$engine.log" FUWU_DISPATCH_CACHE=off || exit 1
		whole=$base
	fi
	token=$(curl -sf -X POST "$pre/api/v1/session" -H 'Content-Type: application/json' \
		-d "{\"login\":\"admin\",\"password\":\"$admin_pw\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || { echo "dispatch server bench: cannot log in" >&2; exit 1; }
	out=$(FUWU_BENCH_TOKEN=$token DSP_URL=$pre DSP_LOG="$work/server-$engine.log" DSP_WHOLE_URL=$whole \
		DSP_WHOLE_LOG=${whole:+$work/whole-$engine.log} DSP_IDS="$work/ids.txt" node bench/dispatch_server.mjs 2>&1) ||
		printf '%s\n' "$out" | tail -5
	for pid in $server_pid; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
	server_pid=""
	v() { printf '%s\n' "$out" | awk -v k="$1" '$1 == "DSP" && $2 == k { print $3 }'; }
	printf '%-8s cached: with position %4s req p50 %6s p99 %6s ms, without %3s req p50 %6s p99 %6s ms, all p99 %6s max %6s ms; errors %s, no candidate %s\n' \
		"$engine" "$(v located_n)" "$(v located_p50)" "$(v located_p99)" "$(v unlocated_n)" "$(v unlocated_p50)" \
		"$(v unlocated_p99)" "$(v all_p99)" "$(v all_max)" "$(v errors)" "$(v empty)"
	printf '%-8s cached while %s technicians changed (%s/s asked): %3s req p50 %6s p99 %6s max %6s ms\n' \
		"$engine" "$(v churn_changes)" "${DSP_CHURN:-20}" "$(v churn_n)" "$(v churn_p50)" "$(v churn_p99)" "$(v churn_max)"
	churn_rows+=("$(printf '| %-8s | %s a second | %4s | %6s | %6s | %6s |' "$engine" "${DSP_CHURN:-20}" "$(v churn_n)" \
		"$(v churn_p50)" "$(v churn_p99)" "$(v churn_max)")")
	if [ -n "$whole" ]; then
		printf '%-8s loaded per request (as before): %3s req p50 %6s p99 %6s ms; the same answer for %s of %s orders%s\n' \
			"$engine" "$(v whole_all_n)" "$(v whole_all_p50)" "$(v whole_all_p99)" "$(v same)" "$(v compared)" \
			"$(v differ | sed 's/^./ (differ: &/; s/.$/&)/')"
	fi
	table+=("$(printf '| %-8s | cached        | %4s | %6s | %6s | %6s | %6s | %6s |' "$engine" "$(v all_n)" "$(v located_p50)" \
		"$(v located_p99)" "$(v unlocated_p50)" "$(v unlocated_p99)" "$(v all_p99)")")
	[ -n "$whole" ] && table+=("$(printf '| %-8s | loaded        | %4s | %6s | %6s | %6s | %6s | %6s |' "$engine" "$(v whole_all_n)" \
		"$(v whole_located_p50)" "$(v whole_located_p99)" "$(v whole_unlocated_p50)" "$(v whole_unlocated_p99)" \
		"$(v whole_all_p99)")")
done

{
	echo
	echo "fuwu dispatch suggestions — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $techs technicians, $booked booked," \
		"$waiting waiting orders; server time per request (access log), one request at a time, ms"
	echo "| engine   | ranks         |  req | pos p50| pos p99| none p50| none p99| all p99|"
	echo "|----------|---------------|------|--------|--------|---------|---------|--------|"
	printf '%s\n' "${table[@]}"
	echo "pos: orders with a position (nine in ten); none: without (matched by city). loaded: the same"
	echo "binary with FUWU_DISPATCH_CACHE=off, as before the cache. Target: p99 ≤ 5 ms."
	echo
	echo "The cached server again while technicians move (a profile PATCH each through the same server):"
	echo "| engine   | changes    |  req | p50    | p99    | max    |"
	echo "|----------|------------|------|--------|--------|--------|"
	printf '%s\n' "${churn_rows[@]}"
} | tee bench/out/dispatch-server.txt
