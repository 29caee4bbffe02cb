/*
 * rt_cli.c — `fuwu route solve [--time-limit S] [--seed N] [--iterations N] [--max-jobs N]
 * [--verbose] < problem.json > solution.json`: exit 0 with a solution on stdout, 2 with a
 * message on stderr for bad input or flags.
 */
#include "route/route.h"
#include "route/rt.h"
#include "route/rt_json.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define MAX_INPUT ((size_t)1 << 30) /* 1 GiB of JSON */

static void usage(FILE *f)
{
	fprintf(f, "usage: fuwu route solve [options] < problem.json > solution.json\n"
	           "  Solve a vehicle-routing problem in the VROOM JSON format (docs/routing.md).\n"
	           "  --time-limit S    seconds of wall-clock time (default 5; 0: a quick construction)\n"
	           "  --seed N          random seed (default 1)\n"
	           "  --iterations N    also stop after N genetic iterations (same seed and N: same answer)\n"
	           "  --max-jobs N      refuse problems with more jobs (default 5000)\n"
	           "  --verbose         progress on stderr\n"
	           "  --help            show this help\n");
}

int route_main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "solve")) {
		fprintf(stderr, "fuwu route: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	rt_params par;
	rt_params_default(&par);
	par.time_limit = 5;
	int64_t max_jobs = 5000;
	for (int k = 2; k < argc; k++) {
		const char *a = argv[k], *val = k + 1 < argc ? argv[k + 1] : NULL;
		int64_t n;
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--verbose")) {
			par.verbose = 1;
		} else if (!strcmp(a, "--time-limit") && val) {
			if (!parse_double(val, &par.time_limit) || par.time_limit < 0 || par.time_limit > 86400) {
				fprintf(stderr, "fuwu route: --time-limit must be seconds in [0, 86400]\n");
				return 2;
			}
			k++;
		} else if (!strcmp(a, "--seed") && val) {
			if (!parse_i64(val, 0, INT64_MAX, &n)) {
				fprintf(stderr, "fuwu route: --seed must be a non-negative integer\n");
				return 2;
			}
			par.seed = (uint64_t)n;
			k++;
		} else if (!strcmp(a, "--iterations") && val) {
			if (!parse_i64(val, 0, INT64_MAX, &n)) {
				fprintf(stderr, "fuwu route: --iterations must be a non-negative integer\n");
				return 2;
			}
			par.max_iterations = n;
			k++;
		} else if (!strcmp(a, "--max-jobs") && val) {
			if (!parse_i64(val, 0, 100000, &max_jobs)) {
				fprintf(stderr, "fuwu route: --max-jobs must be an integer in [0, 100000]\n");
				return 2;
			}
			k++;
		} else {
			fprintf(stderr, "fuwu route: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	/* the time limit covers reading and parsing the input too */
	int64_t t0 = mono_ns();
	buf in;
	buf_init(&in, MAX_INPUT);
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (!buf_append(&in, chunk, got)) {
			fprintf(stderr, "fuwu route: the problem is larger than 1 GiB\n");
			buf_free(&in);
			return 2;
		}
	json_error_t jerr;
	json_t *problem = json_loadb(in.data ? in.data : "", in.len, JSON_REJECT_DUPLICATES, &jerr);
	buf_free(&in);
	if (!problem) {
		fprintf(stderr, "fuwu route: bad input: malformed JSON at line %d, column %d: %s\n", jerr.line,
		        jerr.column, jerr.text);
		return 2;
	}
	par.time_limit -= (double)(mono_ns() - t0) * 1e-9;
	if (par.time_limit < 0)
		par.time_limit = 0;
	char err[512];
	json_t *sol = rt_json_solve(problem, &par, (size_t)max_jobs, err, sizeof(err));
	json_decref(problem);
	if (!sol) {
		fprintf(stderr, "fuwu route: bad input: %s\n", err);
		return 2;
	}
	int rc = json_dumpf(sol, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15)) == 0 && fputc('\n', stdout) != EOF &&
	                 fflush(stdout) == 0
	             ? 0
	             : 1;
	json_decref(sol);
	if (rc)
		fprintf(stderr, "fuwu route: cannot write the solution\n");
	return rc;
}
