/*
 * test_route_json.c — the route optimiser through its JSON interface (route_solve_json, as
 * the HTTP layer calls it) and its command line: the objective order (priority, then
 * number of jobs, then travel), skills, time windows, breaks, capacity, the reasons of
 * unassigned jobs, bad input, determinism for a seed, a time limit of 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route/route.h"
#include "route/rt_json.h"

static json_t *solve_str(const char *text, double limit, char *err, size_t errlen)
{
	json_error_t je;
	json_t *in = json_loads(text, 0, &je);
	if (!in) {
		fprintf(stderr, "test JSON does not parse: %s (line %d)\n", je.text, je.line);
		return NULL;
	}
	rt_params par;
	rt_params_default(&par);
	par.time_limit = limit;
	par.max_iterations = 100; /* small problems: converged long before */
	json_t *out = rt_json_solve(in, &par, 5000, err, errlen);
	json_decref(in);
	return out;
}

static json_t *solve_ok(const char *text)
{
	char err[512] = "";
	json_t *out = solve_str(text, 5, err, sizeof(err));
	if (!out)
		fprintf(stderr, "unexpected error: %s\n", err);
	assert_non_null(out);
	assert_int_equal(json_integer_value(json_object_get(out, "code")), 0);
	return out;
}

/* ids of the jobs served, in route order, "v:id,id;v:id" */
static void served(const json_t *sol, char *out, size_t len)
{
	size_t n = 0;
	out[0] = 0;
	size_t r;
	const json_t *route;
	const json_t *routes = json_object_get(sol, "routes");
	for (r = 0; r < json_array_size(routes) && (route = json_array_get(routes, r)); r++) {
		n += (size_t)snprintf(out + n, len - n, "%s%lld:", r ? ";" : "",
		                      (long long)json_integer_value(json_object_get(route, "vehicle")));
		size_t k;
		const json_t *st;
		int first = 1;
		const json_t *steps = json_object_get(route, "steps");
		for (k = 0; k < json_array_size(steps) && (st = json_array_get(steps, k)); k++) {
			if (strcmp(json_string_value(json_object_get(st, "type")), "job"))
				continue;
			n += (size_t)snprintf(out + n, len - n, "%s%lld", first ? "" : ",",
			                      (long long)json_integer_value(json_object_get(st, "id")));
			first = 0;
		}
	}
}

static const char *reason_of(const json_t *sol, long long id)
{
	size_t k;
	const json_t *u;
	const json_t *una = json_object_get(sol, "unassigned");
	for (k = 0; k < json_array_size(una) && (u = json_array_get(una, k)); k++)
		if (json_integer_value(json_object_get(u, "id")) == id)
			return json_string_value(json_object_get(u, "reason"));
	return NULL;
}

/* Depot 0; A at 1; B and C at 2 and 3, close to each other; A is far from B and C. One
 * vehicle, 100 s: either A (5 + 90 + 5) or B and C (5 + 40 + 1 + 40 + 5). */
#define MATRIX4 "\"matrices\":{\"car\":{\"durations\":[[0,5,5,5],[5,0,50,50],[5,50,0,1],[5,50,1,0]]}}"

static void priority_first_then_count(void **state)
{
	(void)state;
	const char *with_prio = "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"time_window\":[0,100]}],"
	                        "\"jobs\":[{\"id\":10,\"location_index\":1,\"service\":90,\"priority\":10},"
	                        "{\"id\":20,\"location_index\":2,\"service\":40},"
	                        "{\"id\":30,\"location_index\":3,\"service\":40}]," MATRIX4 "}";
	json_t *s = solve_ok(with_prio);
	char got[256];
	served(s, got, sizeof(got));
	assert_string_equal(got, "1:10");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "summary"), "unassigned")), 2);
	assert_non_null(strstr(reason_of(s, 20), "no room"));
	json_decref(s);
	/* without priorities, two jobs beat one */
	const char *no_prio = "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"time_window\":[0,100]}],"
	                      "\"jobs\":[{\"id\":10,\"location_index\":1,\"service\":90},"
	                      "{\"id\":20,\"location_index\":2,\"service\":40},"
	                      "{\"id\":30,\"location_index\":3,\"service\":40}]," MATRIX4 "}";
	s = solve_ok(no_prio);
	served(s, got, sizeof(got));
	assert_true(!strcmp(got, "1:20,30") || !strcmp(got, "1:30,20"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "summary"), "cost")), 11);
	json_decref(s);
}

/* Travel decides once priority and count are equal: two vehicles, each job near one depot. */
static void least_travel_last(void **state)
{
	(void)state;
	const char *p =
	    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},{\"id\":2,\"start_index\":1,"
	    "\"end_index\":1}],"
	    "\"jobs\":[{\"id\":7,\"location_index\":2},{\"id\":8,\"location_index\":3}],"
	    "\"matrices\":{\"car\":{\"durations\":[[0,100,2,100],[100,0,100,3],[2,100,0,100],[100,3,100,0]]}}}";
	json_t *s = solve_ok(p);
	char got[256];
	served(s, got, sizeof(got));
	assert_string_equal(got, "1:7;2:8");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "summary"), "cost")), 10);
	json_decref(s);
	/* with a fixed cost per vehicle used, one vehicle does both */
	const char *fixed = "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"costs\":{\"fixed\":1000}},"
	                    "{\"id\":2,\"start_index\":1,\"end_index\":1,\"costs\":{\"fixed\":1000}}],"
	                    "\"jobs\":[{\"id\":7,\"location_index\":2},{\"id\":8,\"location_index\":3}],"
	                    "\"matrices\":{\"car\":{\"durations\":[[0,100,2,100],[100,0,100,3],[2,100,0,100],[100,3,"
	                    "100,0]]}}}";
	s = solve_ok(fixed);
	const json_t *sum = json_object_get(s, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "routes")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "cost")), 1202);
	assert_int_equal(json_integer_value(json_object_get(sum, "duration")), 202);
	json_decref(s);
}

static void skills_and_reasons(void **state)
{
	(void)state;
	const char *p =
	    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"skills\":[1],\"capacity\":[10],"
	    "\"time_window\":[0,1000]},"
	    "{\"id\":2,\"start_index\":0,\"end_index\":0,\"skills\":[1,2],\"capacity\":[10],\"time_window\":[0,1000]}],"
	    "\"jobs\":[{\"id\":1,\"location_index\":1,\"skills\":[2],\"delivery\":[1]},"
	    "{\"id\":2,\"location_index\":2,\"skills\":[3],\"delivery\":[1]},"
	    "{\"id\":3,\"location_index\":1,\"delivery\":[11]},"
	    "{\"id\":4,\"location_index\":2,\"delivery\":[1],\"time_windows\":[[2000,3000]]},"
	    "{\"id\":5,\"location_index\":3,\"delivery\":[1]},"
	    "{\"id\":6,\"location_index\":2,\"delivery\":[1],\"skills\":[1],\"time_windows\":[[0,10],[40,50]]}],"
	    "\"matrices\":{\"car\":{\"durations\":[[0,10,20,600],[10,0,15,600],[20,15,0,600],[600,600,600,0]]}}}";
	json_t *s = solve_ok(p);
	assert_non_null(strstr(reason_of(s, 2), "skills"));
	assert_non_null(strstr(reason_of(s, 3), "capacity"));
	assert_non_null(strstr(reason_of(s, 4), "time windows"));
	assert_non_null(strstr(reason_of(s, 5), "too far"));
	assert_null(reason_of(s, 1));
	assert_null(reason_of(s, 6));
	/* job 1 needs skill 2: only vehicle 2 */
	size_t r;
	const json_t *route;
	const json_t *routes = json_object_get(s, "routes");
	for (r = 0; r < json_array_size(routes) && (route = json_array_get(routes, r)); r++) {
		size_t k;
		const json_t *st;
		const json_t *steps = json_object_get(route, "steps");
		for (k = 0; k < json_array_size(steps) && (st = json_array_get(steps, k)); k++) {
			const json_t *id = json_object_get(st, "id");
			if (!strcmp(json_string_value(json_object_get(st, "type")), "job") &&
			    json_integer_value(id) == 1)
				assert_int_equal(json_integer_value(json_object_get(route, "vehicle")), 2);
			/* job 6 starts within one of its windows (arrival + waiting) */
			if (!strcmp(json_string_value(json_object_get(st, "type")), "job") &&
			    json_integer_value(id) == 6) {
				json_int_t t = json_integer_value(json_object_get(st, "arrival")) +
				               json_integer_value(json_object_get(st, "waiting_time"));
				assert_true((t >= 0 && t <= 10) || (t >= 40 && t <= 50));
			}
		}
	}
	json_decref(s);
}

/* Windows, breaks and capacity hold at every step of a busier problem. */
static void windows_breaks_capacity_hold(void **state)
{
	(void)state;
	char p[16384];
	size_t n = 0;
	n += (size_t)snprintf(p + n, sizeof(p) - n, "{\"vehicles\":[");
	for (int v = 0; v < 3; v++)
		n += (size_t)snprintf(p + n, sizeof(p) - n,
		                      "%s{\"id\":%d,\"start\":[116.40,39.90],\"end\":[116.40,39.90],\"capacity\":[5],"
		                      "\"time_window\":[28800,64800],\"breaks\":[{\"id\":%d,\"service\":3600,"
		                      "\"time_windows\":[[41400,46800]]}]}",
		                      v ? "," : "", v + 1, 100 + v);
	n += (size_t)snprintf(p + n, sizeof(p) - n, "],\"jobs\":[");
	for (int j = 0; j < 18; j++) {
		double lon = 116.30 + 0.013 * (j % 7), lat = 39.85 + 0.011 * (j % 5);
		int s = 28800 + 1800 * (j % 10);
		n += (size_t)snprintf(p + n, sizeof(p) - n,
		                      "%s{\"id\":%d,\"location\":[%.4f,%.4f],\"service\":1200,\"delivery\":[1],"
		                      "\"time_windows\":[[%d,%d]]}",
		                      j ? "," : "", j + 1, lon, lat, s, s + 7200);
	}
	snprintf(p + n, sizeof(p) - n, "]}");
	json_t *s = solve_ok(p);
	int jobs = 0, breaks = 0;
	size_t r;
	const json_t *route;
	const json_t *routes = json_object_get(s, "routes");
	for (r = 0; r < json_array_size(routes) && (route = json_array_get(routes, r)); r++) {
		size_t k;
		const json_t *st;
		const json_t *steps = json_object_get(route, "steps");
		size_t last = json_array_size(steps) - 1;
		int own_breaks = 0;
		json_int_t veh = json_integer_value(json_object_get(route, "vehicle"));
		for (k = 0; k < json_array_size(steps) && (st = json_array_get(steps, k)); k++) {
			const char *type = json_string_value(json_object_get(st, "type"));
			/* start first, end last, nowhere else; each vehicle takes its own break once */
			assert_int_equal(!strcmp(type, "start"), k == 0);
			assert_int_equal(!strcmp(type, "end"), k == last);
			if (!strcmp(type, "break")) {
				assert_int_equal(json_integer_value(json_object_get(st, "id")), 100 + veh - 1);
				own_breaks++;
			}
			json_int_t start = json_integer_value(json_object_get(st, "arrival")) +
			                   json_integer_value(json_object_get(st, "waiting_time"));
			const json_t *load = json_object_get(st, "load");
			assert_true(json_integer_value(json_array_get(load, 0)) <= 5);
			assert_true(json_integer_value(json_object_get(st, "arrival")) >= 28800);
			assert_true(json_integer_value(json_object_get(st, "arrival")) <= 64800);
			if (!strcmp(type, "break")) {
				breaks++;
				assert_true(start >= 41400 && start <= 46800);
			} else if (!strcmp(type, "job")) {
				jobs++;
				int id = (int)json_integer_value(json_object_get(st, "id"));
				int w = 28800 + 1800 * ((id - 1) % 10);
				assert_true(start >= w && start <= w + 7200);
			}
		}
		assert_int_equal(own_breaks, 1);
	}
	assert_true(breaks >= 2);
	assert_int_equal(jobs + json_integer_value(json_object_get(json_object_get(s, "summary"), "unassigned")), 18);
	assert_true(jobs >= 15); /* capacity 5 × 3 vehicles */
	json_decref(s);
}

static void bad_input(void **state)
{
	(void)state;
	static const struct {
		const char *json, *expect;
	} cases[] = {
	    {"[]", "JSON object"},
	    {"{}", "vehicles"},
	    {"{\"vehicles\":[]}", "vehicles"},
	    {"{\"vehicles\":[{\"id\":1,\"start_index\":0}],\"jobs\":[{\"id\":1,\"location_index\":1}],"
	     "\"matrices\":{\"car\":{\"durations\":[[0,1],[1]]}}}",
	     "not square"},
	    {"{\"vehicles\":[{\"id\":1,\"start_index\":0}],\"jobs\":[{\"id\":1,\"location_index\":5}],"
	     "\"matrices\":{\"car\":{\"durations\":[[0,1],[1,0]]}}}",
	     "outside the matrix"},
	    {"{\"vehicles\":[{\"id\":1,\"start_index\":0}],\"jobs\":[{\"id\":1,\"location_index\":1}],"
	     "\"matrices\":{\"car\":{\"durations\":[[0,-1],[1,0]]}}}",
	     "non-negative"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],"
	     "\"time_windows\":[[10,5]]}]}",
	     "ends before it starts"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1}]}", "location is required"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],\"colour\":1}]}",
	     "unknown key"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],\"setup\":1}]}",
	     "not supported"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"shipments\":[{}]}", "not supported"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2]},"
	     "{\"id\":1,\"location\":[1,3]}]}",
	     "used twice"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],\"priority\":101}]}",
	     "priority"},
	    {"{\"vehicles\":[{\"id\":1}],\"jobs\":[]}", "start or an end"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],\"skills\":\"a\"}]}",
	     "skills"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2],\"capacity\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2],"
	     "\"delivery\":[1]}]}",
	     "dimensions"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,200]}]}", "lon, lat"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2],\"time_window\":[10,0]}]}", "time_window"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2],\"time_window\":[0,10],\"breaks\":[{\"id\":1,"
	     "\"time_windows\":[[20,30]]}]}]}",
	     "cannot start within"},
	    {"{\"vehicles\":[{\"id\":1,\"start\":[1,2]}],\"jobs\":[{\"id\":1,\"location\":[1,2]},{\"id\":2,"
	     "\"location\":[1,2]},{\"id\":3,\"location\":[1,2]}]}",
	     "too many jobs"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_error_t je;
		json_t *in = json_loads(cases[k].json, 0, &je);
		assert_non_null(in);
		char err[512] = "";
		json_t *out = route_solve_json(in, 1, 1, 2, err, sizeof(err));
		if (out || !strstr(err, cases[k].expect))
			fprintf(stderr, "case %zu: got '%s', expected '%s'\n", k, err, cases[k].expect);
		assert_null(out);
		assert_non_null(strstr(err, cases[k].expect));
		json_decref(in);
	}
	char err[64];
	assert_null(route_solve_json(NULL, 1, 1, 10, err, sizeof(err)));
}

static unsigned rnd(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*x >> 33);
}

static char *random_problem(unsigned seed, int nj)
{
	size_t cap = 256 + (size_t)nj * 160, n = 0;
	char *p = malloc(cap);
	uint64_t x = seed * 2654435761u + 1;
	n += (size_t)snprintf(
	    p + n, cap - n,
	    "{\"vehicles\":[{\"id\":1,\"start\":[121.47,31.23],\"end\":[121.47,31.23],\"capacity\":[20],"
	    "\"time_window\":[0,36000]},{\"id\":2,\"start\":[121.50,31.20],\"end\":[121.50,31.20],"
	    "\"capacity\":[20],\"time_window\":[0,36000]},{\"id\":3,\"start\":[121.47,31.23],"
	    "\"capacity\":[20],\"time_window\":[0,36000]}],\"jobs\":[");
	for (int j = 0; j < nj; j++) {
		int s = (int)(rnd(&x) % 30000), w = 3600 + (int)(rnd(&x) % 7200);
		double lon = 121.3 + (double)(rnd(&x) % 4000) / 10000, lat = 31.1 + (double)(rnd(&x) % 3000) / 10000;
		int service = 300 + (int)(rnd(&x) % 600), amount = 1 + (int)(rnd(&x) % 3);
		n += (size_t)snprintf(p + n, cap - n,
		                      "%s{\"id\":%d,\"location\":[%.4f,%.4f],\"service\":%d,\"delivery\":[%d],"
		                      "\"time_windows\":[[%d,%d]]}",
		                      j ? "," : "", j, lon, lat, service, amount, s, s + w);
	}
	snprintf(p + n, cap - n, "]}");
	return p;
}

static char *dump_without_times(json_t *s)
{
	json_object_del(json_object_get(s, "summary"), "computing_times");
	return json_dumps(s, JSON_SORT_KEYS | JSON_COMPACT);
}

static void deterministic_per_seed(void **state)
{
	(void)state;
	char *p = random_problem(5, 50);
	json_t *in = json_loads(p, 0, NULL);
	assert_non_null(in);
	rt_params par;
	rt_params_default(&par);
	par.time_limit = 60;
	par.max_iterations = 40;
	par.seed = 7;
	char err[256];
	json_t *a = rt_json_solve(in, &par, 1000, err, sizeof(err));
	json_t *b = rt_json_solve(in, &par, 1000, err, sizeof(err));
	assert_non_null(a);
	assert_non_null(b);
	char *da = dump_without_times(a), *db = dump_without_times(b);
	assert_string_equal(da, db);
	free(da);
	free(db);
	json_decref(a);
	json_decref(b);
	json_decref(in);
	free(p);
}

static void zero_time_limit_answers(void **state)
{
	(void)state;
	char *p = random_problem(9, 120);
	json_t *in = json_loads(p, 0, NULL);
	char err[256];
	json_t *s = route_solve_json(in, 0, 1, 1000, err, sizeof(err));
	assert_non_null(s);
	const json_t *sum = json_object_get(s, "summary");
	assert_true(json_integer_value(json_object_get(sum, "routes")) >= 1);
	/* the format: the keys a VROOM client reads */
	static const char *const keys[] = {"cost",     "routes",       "unassigned",     "service",
	                                   "duration", "waiting_time", "computing_times"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		assert_non_null(json_object_get(sum, keys[k]));
	const json_t *r0 = json_array_get(json_object_get(s, "routes"), 0);
	assert_non_null(json_object_get(r0, "vehicle"));
	assert_non_null(json_object_get(r0, "cost"));
	const json_t *steps = json_object_get(r0, "steps");
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 0), "type")), "start");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(steps, json_array_size(steps) - 1), "type")), "end");
	json_decref(s);
	json_decref(in);
	free(p);
}

/* The CLI: exit codes, stdin to stdout. */
static int run_cli(const char *input, int argc, char **argv)
{
	char inpath[] = "/tmp/fuwu-route-in.XXXXXX";
	int fd = mkstemp(inpath);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, input, strlen(input)), (ssize_t)strlen(input));
	close(fd);
	fflush(stdout);
	int saved_in = dup(0), saved_out = dup(1), saved_err = dup(2);
	assert_non_null(freopen(inpath, "r", stdin));
	assert_non_null(freopen("/dev/null", "w", stdout));
	assert_non_null(freopen("/dev/null", "w", stderr));
	int rc = route_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_in);
	close(saved_out);
	close(saved_err);
	clearerr(stdin);
	unlink(inpath);
	return rc;
}

static void cli(void **state)
{
	(void)state;
	const char *ok =
	    "{\"vehicles\":[{\"id\":1,\"start\":[2.35,48.86]}],\"jobs\":[{\"id\":1,\"location\":[2.36,48.85]}]}";
	char *solve[] = {"route", "solve", "--time-limit", "0.2", "--seed", "3"};
	assert_int_equal(run_cli(ok, 6, solve), 0);
	assert_int_equal(run_cli("{not json", 2, solve), 2);
	assert_int_equal(run_cli("{\"vehicles\":[]}", 2, solve), 2);
	char *bad_flag[] = {"route", "solve", "--fast"};
	assert_int_equal(run_cli(ok, 3, bad_flag), 2);
	char *bad_value[] = {"route", "solve", "--time-limit", "soon"};
	assert_int_equal(run_cli(ok, 4, bad_value), 2);
	char *help[] = {"route", "solve", "--help"};
	assert_int_equal(run_cli(ok, 3, help), 0);
	char *none[] = {"route"};
	assert_int_equal(run_cli(ok, 1, none), 2);
	char *other[] = {"route", "plan"};
	assert_int_equal(run_cli(ok, 2, other), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(priority_first_then_count),
	    cmocka_unit_test(least_travel_last),
	    cmocka_unit_test(skills_and_reasons),
	    cmocka_unit_test(windows_breaks_capacity_hold),
	    cmocka_unit_test(bad_input),
	    cmocka_unit_test(deterministic_per_seed),
	    cmocka_unit_test(zero_time_limit_answers),
	    cmocka_unit_test(cli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
