#!/usr/bin/env bash
# lifecycle.sh — the work-order lifecycle benchmark of issue 4 (bench/lifecycle.mjs): one order
# through every state via the API (server time, target ≤ 50 ms), the state-count summary
# (≤ 20 ms), SSE latency write → client (≤ 100 ms) and 1,000 open SSE clients (≤ 50 MB RSS).
#
# bench/run.sh calls it at the end with its server (a million orders) still running:
#   FUWU_BENCH_URL, FUWU_BENCH_TOKEN and FUWU_BENCH_PID are set.
# Alone: BENCH_DB=path/to/loaded.db [FUWU_BIN=build/fuwu] bash bench/lifecycle.sh (admin password as in run.sh), or
# with nothing set it runs bench/run.sh with no wrk scenario (which loads the data and calls it).
# Knobs: LIFECYCLE_ORDERS (20), LIFECYCLE_EVENTS (200), LIFECYCLE_CLIENTS (1000), LIFECYCLE_PASSES.
# Prints the figures and a table (kept in bench/out/lifecycle.txt); figures never fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${FUWU_BENCH_URL:-}" ]; then
	if [ -z "${BENCH_DB:-}" ]; then
		exec env BENCH_SCENARIOS=none bash bench/run.sh
	fi
	admin_pw=bench-admin-12345
	port=$((20000 + RANDOM % 20000))
	FUWU_ADMIN_PASSWORD=$admin_pw "${FUWU_BIN:-build/fuwu}" serve --quiet --listen "127.0.0.1:$port" --db "sqlite:$BENCH_DB" \
		--threads "${BENCH_SERVER_THREADS:-16}" >/dev/null 2>&1 &
	pid=$!
	trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
	for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
	login=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
		-d "{\"login\":\"admin\",\"password\":\"$admin_pw\"}")
	export FUWU_BENCH_URL="http://127.0.0.1:$port" FUWU_BENCH_PID=$pid
	FUWU_BENCH_TOKEN=$(printf '%s' "$login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	export FUWU_BENCH_TOKEN
fi

echo "### work-order lifecycle (issue 4): flow, summary, SSE latency, 1,000 SSE clients"
load0=$(cut -d' ' -f1 /proc/loadavg)
mkdir -p bench/out
out=$(node bench/lifecycle.mjs 2>&1) || { printf '%s\n' "$out" | tail -20; echo "lifecycle: failed" >&2; exit 0; }
printf '%s\n' "$out" | grep -v '^LC ' || true
v() { printf '%s\n' "$out" | awk -v k="$1" '$1 == "LC" && $2 == k { print $3 }'; }
{
	echo
	echo "fuwu lifecycle benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load before $load0"
	echo "| measure                                              | figure           | target   |"
	echo "|------------------------------------------------------|------------------|----------|"
	printf '| full flow, server time per order (%s orders) p50 / p90 | %s / %s ms | ≤ 50 ms  |\n' \
		"$(v flow_orders)" "$(v flow_total_p50_ms)" "$(v flow_total_p90_ms)"
	printf '|   steps p50 ms: accept %s dispatch %s take %s depart %s arrive %s complete %s qc-pass %s bill %s payment %s settle %s close %s |||\n' \
		"$(v flow_step_accept_p50_ms)" "$(v flow_step_dispatch_p50_ms)" "$(v flow_step_take_p50_ms)" \
		"$(v flow_step_depart_p50_ms)" "$(v flow_step_arrive_p50_ms)" "$(v flow_step_complete_p50_ms)" \
		"$(v flow_step_qc-pass_p50_ms)" "$(v flow_step_bill_p50_ms)" "$(v flow_step_payment_p50_ms)" \
		"$(v flow_step_settle_p50_ms)" "$(v flow_step_close_p50_ms)"
	printf '|   (create %s ms, the line: add + consent + done %s ms, not counted) |||\n' \
		"$(v flow_create_p50_ms)" "$(v flow_lines_p50_ms)"
	printf '| summary, admin (all %s orders): server mean / client p99 | %s / %s ms | ≤ 20 ms  |\n' \
		"$(v summary_admin_total)" "$(v summary_admin_server_mean_ms)" "$(v summary_admin_client_p99_ms)"
	printf '| summary, an outlet (%s orders): server mean / client p99 | %s / %s ms | ≤ 20 ms  |\n' \
		"$(v summary_outlet_total)" "$(v summary_outlet_server_mean_ms)" "$(v summary_outlet_client_p99_ms)"
	printf '| wall board (GET /work-orders/board, 60 per column), admin / outlet: server mean | %s / %s ms |          |\n' \
		"$(v board_admin_server_mean_ms)" "$(v board_outlet_server_mean_ms)"
	printf '| SSE write → client (%s events) p50 / p99 / max      | %s / %s / %s ms | ≤ 100 ms |\n' \
		"$(v sse_events)" "$(v sse_latency_p50_ms)" "$(v sse_latency_p99_ms)" "$(v sse_latency_max_ms)"
	printf '| %s SSE clients: RSS before → with them (cost)      | %s → %s MB (+%s) | ≤ 50 MB  |\n' \
		"$(v clients_open)" "$(v clients_rss_before_mb)" "$(v clients_rss_with_mb)" "$(v clients_rss_cost_mb)"
	printf '| one event to all %s clients                          | %s ms            |          |\n' \
		"$(v clients_open)" "$(v clients_fanout_all_ms)"
} | tee bench/out/lifecycle.txt
