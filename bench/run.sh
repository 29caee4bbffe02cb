#!/usr/bin/env bash
# run.sh — `make bench`: the server benchmark of issue 2 (item 10). Builds fuwu, loads the
# demo data plus BENCH_ORDERS generated work orders (default 1,000,000) into a fresh SQLite
# database on the repository's disk (bench/out/, so durable commits really reach the disk),
# starts `fuwu serve`, logs in, and drives it with wrk over loopback:
#   get   GET one work order, random ids over the whole table      (bench/get.lua)
#   list  the list with a filter: status, status + priority         (bench/list.lua)
#   post  POST the smallest create of docs/api.md, durable          (bench/post.lua)
# Each scenario has an unmeasured warm-up, then BENCH_SECONDS measured. Prints requests/s,
# p50/p99 latency, errors, the server's CPU per request, its RSS and peak RSS (VmHWM), and the
# cores other processes took meanwhile (the machine may be shared), then a table, also kept in
# bench/out/last.txt. Figures never fail the run: benchmarks are not tests. docs/benchmarks.md
# ("## Server") records them.
#
# Knobs (environment): BENCH_ORDERS=1000000 BENCH_SECONDS=12 BENCH_WARMUP=3
#   BENCH_CONNS=16 BENCH_WRK_THREADS=2 BENCH_SERVER_THREADS=16 BENCH_SCENARIOS="get list post"
#   BENCH_KEEP=1 (keep the database in bench/out/) BENCH_DB=path (reuse a loaded database)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

orders=${BENCH_ORDERS:-1000000}
secs=${BENCH_SECONDS:-12}
warmup=${BENCH_WARMUP:-3}
conns=${BENCH_CONNS:-16}
wrk_threads=${BENCH_WRK_THREADS:-2}
server_threads=${BENCH_SERVER_THREADS:-16}
scenarios=${BENCH_SCENARIOS:-get list post}
admin_pw=bench-admin-12345

for tool in wrk curl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "bench: '$tool' is missing (as root: apt-get install -y $tool; or run 'make bench', which installs it)" >&2
		exit 1
	fi
done

load0=$(cut -d' ' -f1 /proc/loadavg) # before we add our own
echo "### build"
make -s all

mkdir -p bench/out
work=$(mktemp -d "$root/bench/out/run.XXXXXX")
server_pid=""
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# --- data ------------------------------------------------------------------------------
if [ -n "${BENCH_DB:-}" ]; then
	db="$BENCH_DB"
	echo "### data: reusing $db"
else
	db="$work/bench.db"
	echo "### data: demo set + $orders generated work orders (SQLite, $db)"
	t0=$(date +%s%N)
	FUWU_ADMIN_PASSWORD=$admin_pw build/fuwu demo --db "sqlite:$db" --orders "$orders" 2>&1 |
		tr '\r' '\n' | grep -E "^fuwu demo: (loaded|generated)|error" || true
	t1=$(date +%s%N)
	echo "loaded in $(((t1 - t0) / 1000000)) ms; database $(($(stat -c %s "$db") / 1048576)) MB"
fi

# --- server ----------------------------------------------------------------------------
port=""
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "bench: no free port" >&2; exit 1; }
base="http://127.0.0.1:$port"
FUWU_ADMIN_PASSWORD=$admin_pw build/fuwu serve --quiet --listen "127.0.0.1:$port" --db "sqlite:$db" \
	--threads "$server_threads" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
	curl -sf "$base/healthz" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.1
done
login=$(curl -sf -X POST "$base/api/v1/session" -H 'Content-Type: application/json' \
	-d "{\"login\":\"admin\",\"password\":\"$admin_pw\"}") || {
	echo "bench: cannot log in as admin (a reused BENCH_DB needs admin password $admin_pw)" >&2
	exit 1
}
token=$(printf '%s' "$login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
newest=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/work-orders?limit=1")
max_id=$(printf '%s' "$newest" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2) # newest first
[ -n "$max_id" ] || { echo "bench: cannot read the newest work order" >&2; exit 1; }
export FUWU_BENCH_TOKEN=$token FUWU_BENCH_MAX_ID=$max_id FUWU_BENCH_DIR="$root/bench"

hz=$(getconf CLK_TCK)
cpu_ticks() { # the server's user + system CPU so far, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}
busy_ticks() { # CPU ticks the whole machine spent busy so far
	awk '$1 == "cpu" { print $2 + $3 + $4 + $9 }' /proc/stat # user nice system steal: not irq time, which no process is charged with
}
rss_mb() { # field of /proc/PID/status in MB
	awk -v f="$1:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"
}

echo "### server: pid $server_pid, --threads $server_threads, $max_id work orders; wrk -t$wrk_threads -c$conns," \
	"${warmup}s warm-up + ${secs}s per scenario; RSS after start $(rss_mb VmRSS) MB"

declare -A title=([get]="GET /work-orders/{id}" [list]="GET /work-orders?status=..." [post]="POST /work-orders (durable)")
declare -A target=([get]=10000 [list]=2000 [post]=2000)
table=()
for s in $scenarios; do
	script="bench/$s.lua"
	[ -f "$script" ] || { echo "bench: no scenario $s" >&2; continue; }
	[ "$warmup" -gt 0 ] && wrk -t"$wrk_threads" -c"$conns" -d"${warmup}s" --timeout 10s -s "$script" "$base" >/dev/null 2>&1 || true
	# Besides the figures: the server's CPU per request, and how much CPU other processes took
	# meanwhile (busy time of the machine minus the server's and wrk's), since the machine may
	# be shared.
	c0=$(cpu_ticks)
	b0=$(busy_ticks)
	TIMEFORMAT='%U %S'
	{ time wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$script" "$base" >"$work/wrk.out" 2>&1; } \
		2>"$work/wrk.time" || true
	c1=$(cpu_ticks)
	b1=$(busy_ticks)
	out=$(cat "$work/wrk.out")
	others=$(awk -v b="$((b1 - b0))" -v c="$((c1 - c0))" -v hz="$hz" -v t="$secs" \
		'{ o = (b - c) / hz - $1 - $2; if (o < 0) o = 0; printf "%.2f", o / t }' "$work/wrk.time")
	val() { printf '%s\n' "$out" | awk -v k="$1" '$1 == "BENCH" && $2 == k { print $3 }'; }
	rps=$(val rps)
	p50=$(val p50_ms)
	p99=$(val p99_ms)
	errs=$(val errors)
	hwm=$(rss_mb VmHWM)
	rss=$(rss_mb VmRSS)
	if [ -z "$rps" ]; then
		echo "$s: wrk gave no figures:"
		printf '%s\n' "$out" | tail -5
		continue
	fi
	n=$(val requests)
	cpu=$(((c1 - c0) * 1000000 / hz / (n > 0 ? n : 1)))
	printf '%-5s %-28s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s  server CPU %s us/req  RSS %s MB (peak %s)  others %s cores\n' \
		"$s" "${title[$s]}" "$rps" "$p50" "$p99" "$errs" "$cpu" "$rss" "$hwm" "$others"
	table+=("$(printf '| %-28s | %7.0f | %6.2f | %6.2f | %6s | %7s | %6s | %8s | %6s | %-6s |' "${title[$s]}" "$rps" \
		"$p50" "$p99" "$errs" "$cpu" "$rss" "$hwm" "$others" "${target[$s]:-}")")
done

{
	echo
	echo "fuwu server benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load before the run $load0," \
		"$max_id work orders (SQLite), server --threads $server_threads, wrk -t$wrk_threads -c$conns -d${secs}s"
	echo "| scenario                     |   req/s | p50 ms | p99 ms | errors | CPU us  | RSS MB | peak RSS | others | target |"
	echo "|------------------------------|---------|--------|--------|--------|---------|--------|----------|--------|--------|"
	printf '%s\n' "${table[@]}"
	echo "targets: req/s as above, p99 ≤ 20 ms, RSS ≤ 100 MB. RSS: VmRSS after the scenario; peak: VmHWM since"
	echo "the start (includes the 64 MiB Argon2id of the benchmark's one log-in). CPU us: the server's user+system"
	echo "CPU per request. others: cores used by other processes meanwhile (a shared machine). Load: 1-min average."
} | tee bench/out/last.txt
FUWU_BENCH_URL=$base FUWU_BENCH_PID=$server_pid bash bench/lifecycle.sh || true # issue 4: the work-order lifecycle
bash bench/archive.sh || true # issue 3: the archive at 1,000,000 customers and 2,000,000 assets
bash bench/dispatch.sh || true # issue 5: the dispatch engine at 10,000 technicians
bash bench/dispatch_server.sh || true # issue 5: the server's suggestions at 10,000 technicians, SQLite and PostgreSQL
