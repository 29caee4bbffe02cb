/*
 * rt.h — the route optimiser's C interface, below the JSON layer: a problem (jobs, vehicles,
 * breaks, a travel-time matrix) in, a solution (one ordered route per used vehicle, the
 * unassigned jobs with a reason) out. Used by the JSON layer (rt_json.c), the CLI
 * (rt_cli.c), the benchmark driver (bench/routing/) and the unit tests.
 *
 * The problem is plain data that the caller fills (or rt_json_parse fills) and
 * rt_problem_check validates; the solver never changes it. Times and durations are
 * doubles (seconds for the JSON format, Euclidean distances for Solomon); amounts are
 * integers. Objective, in this order: most total priority served, most jobs served, least
 * total travel time (docs/routing.md).
 */
#ifndef FUWU_ROUTE_RT_H
#define FUWU_ROUTE_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_MAX_DIMS   4    /* capacity dimensions */
#define RT_MAX_SKILLS 64   /* distinct skill numbers in one problem (one bit each) */
#define RT_HORIZON    1e15 /* "no time window": [0, RT_HORIZON] */

typedef struct rt_tw {
	double start, end; /* service (or break) may start at any time in [start, end] */
} rt_tw;

typedef struct rt_job {
	int64_t id;                    /* the caller's id, echoed in the solution */
	int loc;                       /* row/column in the duration matrix */
	double service;                /* seconds spent at the job */
	int64_t delivery[RT_MAX_DIMS]; /* loaded at the vehicle's start, dropped here */
	int64_t pickup[RT_MAX_DIMS];   /* collected here, brought to the vehicle's end */
	uint64_t skills;               /* required skill bits (all of them) */
	int priority;                  /* 0..100 */
	int tw_first, tw_count;        /* windows in problem.tws, sorted, disjoint; count ≥ 1 */
} rt_job;

typedef struct rt_break {
	int64_t id;
	double service;         /* length of the break */
	int tw_first, tw_count; /* windows for the break's start */
} rt_break;

typedef struct rt_vehicle {
	int64_t id;
	int start_loc, end_loc;        /* matrix index, or -1: the route starts (ends) at its first (last) job */
	int64_t capacity[RT_MAX_DIMS]; /* INT64_MAX when unbounded */
	uint64_t skills;
	double tw_start, tw_end;      /* working hours: leave start ≥ tw_start, reach end ≤ tw_end */
	int break_first, break_count; /* breaks in problem.breaks, all taken when the vehicle is used */
	int max_tasks;                /* most jobs in the route; INT32_MAX when unbounded */
	double fixed;                 /* cost of using the vehicle at all, added to its travel */
} rt_vehicle;

typedef struct rt_problem {
	int n_jobs, n_vehicles, n_breaks, n_tws, n_locs, n_dims;
	rt_job *jobs;
	rt_vehicle *vehicles;
	rt_break *breaks;
	rt_tw *tws;
	double *dur;   /* n_locs × n_locs travel times, row-major: dur[a * n_locs + b] */
	double *x, *y; /* optional coordinates per location (NULL if unknown): only used to order routes */
} rt_problem;

/* Why a job is not in the solution. */
enum rt_reason {
	RT_UA_NONE,
	RT_UA_SKILLS,   /* no vehicle has all its skills */
	RT_UA_CAPACITY, /* its amounts exceed every capable vehicle's capacity */
	RT_UA_WINDOW,   /* none of its time windows meets a capable vehicle's working hours */
	RT_UA_FAR,      /* no capable vehicle can reach it in a window and get back within its hours */
	RT_UA_ROOM,     /* it fits on its own, but not with the other jobs (days are full) */
};

const char *rt_reason_text(int reason);

typedef struct rt_route {
	int vehicle; /* index in problem.vehicles */
	int n;       /* number of stops */
	int *stops;  /* job index ≥ 0, or break b encoded as -1 - b; owned */
} rt_route;

typedef struct rt_solution {
	int n_routes;     /* non-empty routes only */
	rt_route *routes; /* owned */
	int n_unassigned;
	int *unassigned;    /* job indexes; owned */
	int *reason;        /* enum rt_reason per unassigned job; owned */
	double cost;        /* total travel time plus the fixed costs of the vehicles used */
	int64_t iterations; /* genetic iterations done */
	double seconds;     /* solving time on the clock used for the limit */
} rt_solution;

typedef struct rt_params {
	double time_limit; /* seconds; 0: a feasible construction only */
	int cpu_clock;     /* 1: the limit is this thread's CPU time, 0: wall-clock time */
	uint64_t seed;
	int64_t max_iterations; /* stop after this many genetic iterations too (0: no limit); runs with
	                           the same seed and iteration limit give the same solution */
	int verbose;            /* progress lines on stderr */
} rt_params;

void rt_params_default(rt_params *par);

/* 0 if the problem is consistent; otherwise -1 with a message in err (indexes out of range,
 * windows not sorted or with end < start, negative or non-finite durations, …). */
int rt_problem_check(const rt_problem *p, char *err, size_t errlen);
void rt_problem_free(rt_problem *p);

/* Solve a checked problem. Always returns a feasible solution (possibly with unassigned
 * jobs); the caller frees it with rt_solution_free. */
void rt_solve(const rt_problem *p, const rt_params *par, rt_solution *out);
void rt_solution_free(rt_solution *s);

/* The timed schedule of one route, as reported in the output. */
enum rt_step_type { RT_STEP_START, RT_STEP_JOB, RT_STEP_BREAK, RT_STEP_END };

typedef struct rt_step {
	int type;       /* enum rt_step_type */
	int index;      /* job or break index (RT_STEP_JOB, RT_STEP_BREAK) */
	double arrival; /* arrival at the stop (start: departure) */
	double travel;  /* cumulated travel time on arrival */
	double waiting; /* waiting before service starts */
	double service;
	int64_t load[RT_MAX_DIMS]; /* load after the stop */
} rt_step;

typedef struct rt_sched {
	int n;                                     /* steps: start + stops + end */
	rt_step *steps;                            /* owned */
	double travel, service, waiting, duration; /* totals; duration = end arrival - departure */
	double lateness; /* total time-window violation (0 for every route the solver returns) */
	int64_t max_load_excess;
} rt_sched;

void rt_schedule(const rt_problem *p, const rt_route *r, rt_sched *out);
void rt_sched_free(rt_sched *s);

/* Travel times from [lon, lat] coordinates: great-circle distance at speed_kmh, rounded
 * to whole seconds. Fills p->dur for p->n_locs locations from lon/lat arrays. */
void rt_matrix_from_coords(rt_problem *p, const double *lon, const double *lat, double speed_kmh);

#endif
