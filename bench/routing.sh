#!/usr/bin/env bash
# routing.sh — the route optimiser's benchmark (`make bench-routing`).
#
# Solves the 56 Solomon VRPTW instances and the 60 Gehring & Homberger 200-customer ones
# (../shared/bench/solomon), one at a time on one core with a CPU-time limit, re-checks every
# solution with the independent checker of bench/routing/solomon.c, and prints per class the
# average gap to the best known distance, the vehicles used and the CPU seconds per instance,
# then the overall average gap and the median CPU time.
#   Solomon: distance-only objective, compared with bks_dist_* (solomon_bks.csv).
#   Homberger 200: compared with bks_hier_* (fewest vehicles first, then distance); the
#   optimiser minimises distance only, so it uses more vehicles and its gap can be negative.
#
# Environment:
#   ROUTING_TIME     CPU seconds per Solomon instance (default 2)
#   ROUTING_TIME_H   CPU seconds per Homberger instance (default 4)
#   ROUTING_SETS     which sets: "solomon homberger" (default both)
#   ROUTING_ONLY     extended regex on instance names, e.g. '^(C1|R2)' or 'R10[1-3]' (default all)
#   ROUTING_SEED     random seed (default 1)
#   ROUTING_DATA     data folder (default ../shared/bench/solomon)
#   ROUTING_OUT      folder for the driver and the per-instance lines (default build/bench-routing)
#   ROUTING_FIXED    cost of each vehicle used (default 0: distance only); e.g. 10000 makes the
#                    objective "fewest vehicles, then distance", as the hierarchical BKS
# Quick run:  ROUTING_TIME=0.5 ROUTING_SETS=solomon ROUTING_ONLY='^(C101|R101|RC101)$' bash bench/routing.sh
set -euo pipefail
cd "$(dirname "$0")/.."

t_sol=${ROUTING_TIME:-2}
t_hom=${ROUTING_TIME_H:-4}
sets=${ROUTING_SETS:-solomon homberger}
only=${ROUTING_ONLY:-.}
seed=${ROUTING_SEED:-1}
fixed=${ROUTING_FIXED:-0}
data=${ROUTING_DATA:-../shared/bench/solomon}
out=${ROUTING_OUT:-build/bench-routing}
mkdir -p "$out"

# The driver is built here from the optimiser's sources, so it does not depend on the rest
# of the tree building.
bin=$out/routing_bench
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Isrc -Ibench/routing \
	bench/routing/*.c src/route/rt_problem.c src/route/rt_model.c src/route/rt_ls.c src/route/rt_hgs.c \
	src/util/util.c -o "$bin" $(pkg-config --cflags --libs libsodium) -lm -lpthread

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), one core per run"

status=0
for set in $sets; do
	case $set in
	solomon) dir=$data/instances bks=$data/solomon_bks.csv limit=$t_sol vcol=8 dcol=9 ;;
	homberger) dir=$data/homberger_200 bks=$data/homberger_bks.csv limit=$t_hom vcol=6 dcol=7 ;;
	*) echo "unknown set $set" >&2; exit 2 ;;
	esac
	files=()
	for f in "$dir"/*.txt; do
		name=$(basename "$f" .txt)
		[[ $name =~ $only ]] && files+=("$f")
	done
	[ ${#files[@]} -eq 0 ] && continue
	res=$out/$set.txt
	echo
	echo "== $set: ${#files[@]} instances, ${limit} s CPU each, seed $seed, fixed cost per vehicle $fixed"
	"$bin" -t "$limit" -s "$seed" -f "$fixed" "${files[@]}" >"$res" || status=1
	awk -v bks="$bks" -v vcol="$vcol" -v dcol="$dcol" -v set="$set" '
	BEGIN {
		FS = ","
		while ((getline line < bks) > 0) {
			split(line, a, ",")
			bd[a[1]] = a[dcol]; bv[a[1]] = a[vcol]
		}
		FS = " "
	}
	{
		name = $1; cls = toupper(name); sub(/_.*/, "", cls)
		if (set == "solomon") { cls = substr(cls, 1, length(cls) - 2) }
		if (!(name in bd) || bd[name] == "") { printf "no BKS for %s\n", name; next }
		gap = ($3 - bd[name]) / bd[name] * 100
		if ($5 != 1) { bad++; printf "INFEASIBLE %s\n", name }
		n[cls]++; g[cls] += gap; v[cls] += $2; vb[cls] += bv[name]; c[cls] += $4
		all++; gall += gap; cpu[all] = $4
		if (!(cls in seen)) { seen[cls] = 1; order[++nc] = cls }
	}
	END {
		if (all == 0) exit
		printf "%-6s %4s %9s %9s %9s %9s\n", "class", "n", "gap %", "vehicles", "BKS veh", "CPU s"
		for (k = 1; k <= nc; k++) {
			x = order[k]
			printf "%-6s %4d %9.2f %9.2f %9.2f %9.2f\n", x, n[x], g[x] / n[x], v[x] / n[x], vb[x] / n[x], c[x] / n[x]
		}
		# median CPU
		for (i = 1; i <= all; i++) for (j = i + 1; j <= all; j++) if (cpu[j] < cpu[i]) { t = cpu[i]; cpu[i] = cpu[j]; cpu[j] = t }
		med = all % 2 ? cpu[(all + 1) / 2] : (cpu[all / 2] + cpu[all / 2 + 1]) / 2
		printf "overall: %d instances, average gap %.3f %%, median CPU %.2f s, infeasible %d\n", all, gall / all, med, bad + 0
	}' "$res"
	grep -q ' 0 [0-9]*$' "$res" && status=1
done
exit $status
