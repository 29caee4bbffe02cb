#!/usr/bin/env bash
# dispatch.sh — the dispatch engine's benchmark: suggestions among 10,000 technicians (p50/p99),
# auto-dispatch of 5,000 orders to 1,000 technicians (with a re-check of every booking), and
# route planning for 50 technicians × 8 visits. See bench/dispatch_bench.c.
#
# The driver is compiled here from the engine's sources alone (gcc -O2), so it does not depend
# on the rest of the tree building.
#   DISPATCH_SEED   random seed (default: the built-in one)
#   DISPATCH_OUT    folder for the binary (default build/bench-dispatch)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${DISPATCH_OUT:-build/bench-dispatch}
mkdir -p "$out"
bin=$out/dispatch_bench
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Isrc \
	bench/dispatch_bench.c src/domain/dispatch*.c -o "$bin" -lm

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), one thread"
"$bin" ${DISPATCH_SEED:-}
