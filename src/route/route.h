#ifndef FUWU_ROUTE_H
#define FUWU_ROUTE_H
#include <jansson.h>
#include <stddef.h>
int route_main(int argc, char **argv);
json_t *route_solve_json(json_t *problem, double time_limit_s, unsigned seed, size_t max_jobs, char *err, size_t errlen);
#endif
