/*
 * rt_json.h — the VROOM-format JSON layer of the route optimiser (rt_json.c).
 */
#ifndef FUWU_ROUTE_RT_JSON_H
#define FUWU_ROUTE_RT_JSON_H

#include "route/rt.h"

#include <jansson.h>
#include <stddef.h>

/* Read and check a problem; 0, or -1 with a message in err (p is then empty). The caller
 * frees p with rt_problem_free. */
int rt_json_parse(const json_t *problem, size_t max_jobs, rt_problem *p, char *err, size_t errlen);

/* Read, solve and write the solution (a new reference), or NULL with a message in err. The
 * time limit covers reading the problem. */
json_t *rt_json_solve(json_t *problem, const rt_params *par, size_t max_jobs, char *err, size_t errlen);

#endif
