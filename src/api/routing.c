/*
 * routing.c — POST /api/v1/routing/solve: the route optimiser (src/route) over HTTP, in the
 * VROOM-style JSON of docs/routing.md. The time limit is bounded (?time_limit seconds,
 * default 2, at most 10) and so is the problem size, so one request cannot hold a request
 * thread for long.
 */
#include "api/api.h"
#include "route/route.h"

#define ROUTING_MAX_JOBS 2000
#define ROUTING_MAX_CONCURRENT 2 /* about one solve per core; the rest are told to retry */

static int solving;

void h_routing_solve(req *r)
{
	if (!r->json || !json_is_object(r->json)) {
		reply_problem(r, 400, "validation_failed", "send a routing problem (JSON object with jobs and vehicles)");
		return;
	}
	double limit = 2;
	unsigned seed = 1;
	const char *tl = req_query(r, "time_limit"), *sd = req_query(r, "seed");
	if (tl && (!parse_double(tl, &limit) || limit <= 0 || limit > 10)) {
		reply_problem(r, 400, "validation_failed", "time_limit must be a number of seconds from 0 to 10");
		return;
	}
	int64_t s;
	if (sd) {
		if (!parse_i64(sd, 0, 0xffffffffLL, &s)) {
			reply_problem(r, 400, "validation_failed", "seed must be a whole number");
			return;
		}
		seed = (unsigned)s;
	}
	if (__atomic_add_fetch(&solving, 1, __ATOMIC_SEQ_CST) > ROUTING_MAX_CONCURRENT) {
		__atomic_sub_fetch(&solving, 1, __ATOMIC_SEQ_CST);
		reply_problem_x(r, 429, "rate_limited", "the route optimiser is busy with other plans; retry shortly",
				json_pack("{s:i}", "retry_after", 2));
		reply_header(r, "Retry-After", "2");
		return;
	}
	char err[300];
	json_t *sol = route_solve_json(r->json, limit, seed, ROUTING_MAX_JOBS, err, sizeof err);
	__atomic_sub_fetch(&solving, 1, __ATOMIC_SEQ_CST);
	if (!sol) {
		reply_problem_x(r, 400, "validation_failed", err, json_pack("{s:[{s:s, s:s, s:s}]}", "errors", "field", "body", "code", "invalid", "message", err));
		return;
	}
	reply_json(r, 200, sol);
}
