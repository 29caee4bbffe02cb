#!/usr/bin/env bash
# run.sh — every suite `make test` runs, with one summary line at the end:
#   unit (cmocka) · API on SQLite · API on PostgreSQL 15 (started here on loopback) ·
#   schema equality of both engines · unit + API again under ASan/UBSan · browser e2e.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pass=0
fail=0
failed_suites=()
tmp=$(mktemp -d /tmp/fuwu-test.XXXXXX)
chmod 755 "$tmp"
pg_dir=""

cleanup() {
	if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
		runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
	fi
	pkill -f "fuwu-test-server" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

count() { # name pass fail
	pass=$((pass + $2))
	fail=$((fail + $3))
	[ "$3" -gt 0 ] && failed_suites+=("$1")
	printf '== %-28s %4d passed, %d failed\n' "$1" "$2" "$3"
}

step() { printf '\n### %s\n' "$*"; }

# --- build ---------------------------------------------------------------------------
step "build"
if ! (cd web && npm run build >"$tmp/web-build.log" 2>&1); then
	tail -30 "$tmp/web-build.log"
	count "web build" 0 1
fi
if ! make -s all test-bins >/dev/null; then
	echo "build failed"
	count "build" 0 1
	echo "$pass passed, $fail failed"
	exit 1
fi

step "PostgreSQL 15"
pg_dir="$tmp/pg"
mkdir -p "$pg_dir"
chown postgres "$pg_dir"
pg_port=$((55000 + RANDOM % 5000))
if runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pg_dir/data" -A trust -U fuwu >"$tmp/initdb.log" 2>&1 &&
	runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_dir/data" -w \
		-o "-k $pg_dir -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=on" -l "$pg_dir/log" start >/dev/null; then
	export FUWU_TEST_PG="postgres://fuwu@127.0.0.1:$pg_port"
else
	cat "$tmp/initdb.log" "$pg_dir/log" 2>/dev/null | tail -20
	count "postgres start" 0 1
fi

# --- unit tests (cmocka) --------------------------------------------------------------
run_unit() { # label dir
	local p=0 f=0
	for t in "$2"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		tp=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		tf=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		tp=${tp:-0}
		tf=${tf:-0}
		if [ $rc -ne 0 ] && [ "$tf" -eq 0 ]; then tf=1; fi
		[ "$tf" -gt 0 ] && printf '%s\n' "$out" | grep -E "FAILED|ERROR|error|Sanitizer" | head -20
		p=$((p + tp))
		f=$((f + tf))
	done
	count "$1" $p $f
}
step "unit tests"
run_unit "unit" build
if make -s lint; then count "lint (banned calls)" 1 0; else count "lint (banned calls)" 0 1; fi

# --- API suite ------------------------------------------------------------------------
run_api() { # label bin engine [dir]
	local out
	out=$(FUWU_BIN="$2" FUWU_TEST_ENGINE="$3" FUWU_TEST_PG="${FUWU_TEST_PG:-}" \
		node --test --test-concurrency=2 --test-reporter=tap "${4:-tests/api/}" 2>&1)
	local p f
	p=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p' | tail -1)
	p=${p:-0}
	f=${f:-1}
	if [ "$f" -gt 0 ]; then
		printf '%s\n' "$out" | grep -E -B2 -A25 "^not ok|^ *not ok" | head -150
	fi
	count "$1" "$p" "$f"
}
step "API on SQLite"
run_api "api (sqlite)" "$root/build/fuwu" sqlite
step "CLI"
run_api "cli" "$root/build/fuwu" sqlite tests/cli/

if [ -n "${FUWU_TEST_PG:-}" ]; then
	step "API on PostgreSQL"
	run_api "api (postgres)" "$root/build/fuwu" postgres
	step "two nodes on one PostgreSQL"
	run_api "multi-node (postgres)" "$root/build/fuwu" postgres tests/multinode/

	step "schema: SQLite and PostgreSQL"
	psql -q "$FUWU_TEST_PG/postgres" -c "CREATE DATABASE schema_check" >/dev/null
	build/fuwu schema --db "sqlite:$tmp/schema.db" >"$tmp/schema-sqlite.txt" 2>/dev/null
	build/fuwu schema --db "$FUWU_TEST_PG/schema_check" >"$tmp/schema-pg.txt" 2>/dev/null
	if [ -s "$tmp/schema-sqlite.txt" ] && diff -u "$tmp/schema-sqlite.txt" "$tmp/schema-pg.txt"; then
		count "schema equality" 1 0
	else
		count "schema equality" 0 1
	fi
fi

# --- sanitizers ----------------------------------------------------------------------
step "ASan + UBSan build"
if make -s SANITIZE=1 all test-bins >/dev/null 2>"$tmp/san-build.log"; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_unit "unit (asan+ubsan)" build-san
	run_api "api (sqlite, asan+ubsan)" "$root/build-san/fuwu" sqlite
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	tail -20 "$tmp/san-build.log"
	count "sanitizer build" 0 1
fi

# --- browser e2e ---------------------------------------------------------------------
step "browser e2e (Chromium)"
if [ -f tests/e2e/run.mjs ]; then
	e2e_port=$((50000 + RANDOM % 4000))
	mkdir -p "$tmp/e2e"
	FUWU_ADMIN_PASSWORD=admin12345 build/fuwu demo --db "sqlite:$tmp/e2e/fuwu.db" >"$tmp/e2e/demo.log" 2>&1 || true
	FUWU_ADMIN_PASSWORD=admin12345 build/fuwu serve --quiet --listen "127.0.0.1:$e2e_port" \
		--db "sqlite:$tmp/e2e/fuwu.db" >"$tmp/e2e/server.log" 2>&1 &
	srv=$!
	for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$e2e_port/readyz" >/dev/null && break; sleep 0.1; done
	out=$(FUWU_URL="http://127.0.0.1:$e2e_port" FUWU_ADMIN_PASSWORD=admin12345 node tests/e2e/run.mjs 2>&1)
	printf '%s\n' "$out" | grep -E "^(ok|not ok)" | head -40
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok')
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		printf '%s\n' "$out" | tail -20
		f=1
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	count "e2e" "$p" "$f"
fi

echo
[ ${#failed_suites[@]} -gt 0 ] && echo "failed suites: ${failed_suites[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
