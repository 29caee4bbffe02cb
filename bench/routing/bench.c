/*
 * bench.c — the routing benchmark driver: for each Solomon-format instance given, build the
 * problem (travel time = Euclidean distance in doubles, fleet and capacity from the file),
 * solve it on this thread's CPU clock with the time limit (with -f, each vehicle used also
 * costs that much: a large value makes the objective "fewest vehicles, then distance"), re-check the solution with the
 * independent checker (solomon.c) and print one line:
 *   name vehicles distance cpu_seconds feasible iterations
 * bench/routing.sh runs it and compares with the best known solutions.
 */
#include "route/rt.h"
#include "solomon.h"
#include "util/util.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void build(const sol_inst *in, rt_problem *p, double fixed)
{
	memset(p, 0, sizeof(*p));
	int n = in->n;
	p->n_jobs = n - 1;
	p->n_vehicles = in->fleet;
	p->n_locs = n;
	p->n_dims = 1;
	p->n_tws = n - 1;
	p->jobs = calloc((size_t)n, sizeof(rt_job));
	p->vehicles = calloc((size_t)in->fleet, sizeof(rt_vehicle));
	p->tws = calloc((size_t)n, sizeof(rt_tw));
	p->dur = malloc(sizeof(double) * (size_t)n * (size_t)n);
	p->x = malloc(sizeof(double) * (size_t)n);
	p->y = malloc(sizeof(double) * (size_t)n);
	for (int a = 0; a < n; a++) {
		p->x[a] = in->x[a];
		p->y[a] = in->y[a];
		for (int b = 0; b < n; b++) {
			double dx = in->x[a] - in->x[b], dy = in->y[a] - in->y[b];
			p->dur[(size_t)a * (size_t)n + (size_t)b] = sqrt(dx * dx + dy * dy);
		}
	}
	for (int c = 1; c < n; c++) {
		rt_job *j = &p->jobs[c - 1];
		j->id = c;
		j->loc = c;
		j->service = in->service[c];
		j->delivery[0] = in->demand[c];
		j->tw_first = c - 1;
		j->tw_count = 1;
		p->tws[c - 1] = (rt_tw){in->ready[c], in->due[c]};
	}
	for (int v = 0; v < in->fleet; v++) {
		rt_vehicle *vh = &p->vehicles[v];
		vh->id = v;
		vh->start_loc = vh->end_loc = 0;
		vh->capacity[0] = in->capacity;
		vh->tw_start = in->ready[0];
		vh->tw_end = in->due[0];
		vh->max_tasks = 2147483647;
		vh->fixed = fixed;
	}
}

int main(int argc, char **argv)
{
	rt_params par;
	rt_params_default(&par);
	par.time_limit = 2;
	par.cpu_clock = 1;
	int first = 1;
	double fixed = 0;
	for (; first < argc && argv[first][0] == '-'; first++) {
		const char *a = argv[first], *val = first + 1 < argc ? argv[first + 1] : "";
		int64_t n;
		bool ok = true;
		if (!strcmp(a, "-v")) {
			par.verbose = 1;
			continue;
		}
		if (!strcmp(a, "-t"))
			ok = parse_double(val, &par.time_limit) && par.time_limit >= 0;
		else if (!strcmp(a, "-f"))
			ok = parse_double(val, &fixed) && fixed >= 0;
		else if (!strcmp(a, "-s") && (ok = parse_i64(val, 0, INT64_MAX, &n)))
			par.seed = (uint64_t)n;
		else if (!strcmp(a, "-i") && (ok = parse_i64(val, 0, INT64_MAX, &n)))
			par.max_iterations = n;
		else
			ok = false;
		if (!ok) {
			fprintf(
			    stderr,
			    "usage: routing_bench [-t seconds] [-s seed] [-i iterations] [-f fixed cost per vehicle] "
			    "[-v] instance.txt...\n");
			return 2;
		}
		first++;
	}
	int bad = 0;
	for (int a = first; a < argc; a++) {
		sol_inst in;
		if (sol_read(argv[a], &in)) {
			bad++;
			continue;
		}
		rt_problem p;
		build(&in, &p, fixed);
		char err[256];
		if (rt_problem_check(&p, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", in.name, err);
			bad++;
			rt_problem_free(&p);
			sol_free(&in);
			continue;
		}
		double t0 = cpu_now();
		rt_solution s;
		rt_solve(&p, &par, &s);
		double cpu = cpu_now() - t0;
		/* customer numbers per route for the checker; breaks cannot occur here */
		int **routes = calloc((size_t)s.n_routes + 1, sizeof(int *));
		int *len = calloc((size_t)s.n_routes + 1, sizeof(int));
		for (int r = 0; r < s.n_routes; r++) {
			routes[r] = malloc(sizeof(int) * ((size_t)s.routes[r].n + 1));
			for (int k = 0; k < s.routes[r].n; k++)
				routes[r][k] = (int)p.jobs[s.routes[r].stops[k]].id;
			len[r] = s.routes[r].n;
		}
		double dist = 0;
		char msg[256] = "";
		int ok = sol_check(&in, s.n_routes, (const int *const *)routes, len, &dist, msg, sizeof(msg)) == 0;
		if (!ok) {
			fprintf(stderr, "%s: INFEASIBLE: %s\n", in.name, msg);
			bad++;
		}
		printf("%s %d %.2f %.3f %d %lld\n", in.name, s.n_routes, ok ? dist : s.cost, cpu, ok,
		       (long long)s.iterations);
		fflush(stdout);
		for (int r = 0; r < s.n_routes; r++)
			free(routes[r]);
		free(routes);
		free(len);
		rt_solution_free(&s);
		rt_problem_free(&p);
		sol_free(&in);
	}
	return bad ? 1 : 0;
}
