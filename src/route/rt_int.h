/*
 * rt_int.h — inside the solver: the model derived from a problem (nodes, windows, granular
 * neighbours), the concatenation arithmetic on route segments, the local search state and
 * the individuals of the genetic search. Only the solver's files and the route unit tests use it.
 *
 * Segments (Vidal et al., "A hybrid genetic algorithm with adaptive diversity management for
 * a large class of vehicle routing problems with time-windows", 2013): a sequence of stops
 * is summed up by its duration D, time warp TW (total lateness, "travelling back in time"),
 * earliest and latest start E and L, and its travel distance. Two sequences join in O(1).
 * Loads: total delivery, total pickup and the largest load on board inside the sequence.
 *
 * Breaks and starts without a location have no location of their own ("transparent"): a
 * break is taken where the vehicle is, after the previous stop and before travelling on. A
 * segment therefore keeps the transparent stops before its first real one apart (lead):
 * travel from whatever comes before is added between the lead and the rest (core), which
 * keeps the join associative.
 */
#ifndef FUWU_ROUTE_RT_INT_H
#define FUWU_ROUTE_RT_INT_H

#include "route/rt.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- random numbers (xoshiro256**, seeded by splitmix64): deterministic per seed ---- */
typedef struct rt_rng {
	uint64_t s[4];
} rt_rng;

void rt_rng_seed(rt_rng *r, uint64_t seed);
uint64_t rt_rng_next(rt_rng *r);
/* Uniform in [0, n); n ≥ 1. */
static inline uint32_t rt_rng_below(rt_rng *r, uint32_t n)
{
	return (uint32_t)(((rt_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}
static inline double rt_rng_unit(rt_rng *r)
{
	return (double)(rt_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
void rt_shuffle(rt_rng *r, int *a, int n);

/* ---- the clock that bounds a solve ---- */
typedef struct rt_clock {
	int cpu;      /* thread CPU time (benchmarks) or wall time (API) */
	double t0;    /* reading at the start */
	double limit; /* seconds */
} rt_clock;

double rt_clock_read(int cpu);
void rt_clock_start(rt_clock *c, int cpu, double limit);
double rt_clock_elapsed(const rt_clock *c);
static inline bool rt_clock_up(const rt_clock *c)
{
	return rt_clock_elapsed(c) >= c->limit;
}

/* ---- segments ---- */
typedef struct rt_td {
	double dur, tw, e, l;
} rt_td;

typedef struct rt_seg {
	rt_td core;      /* from the first real stop on (unused when first < 0) */
	rt_td lead;      /* transparent stops before the first real one (when has_lead) */
	double dist;     /* travel inside the segment */
	int first, last; /* first and last real location; -1: none */
	int has_lead;
} rt_seg;

static inline rt_td rt_td_cat(rt_td a, rt_td b, double t)
{
	rt_td r;
	double delta = a.dur - a.tw + t;
	double dwait = b.e - delta - a.l;
	double dtw = a.e + delta - b.l;
	dwait = dwait > 0 ? dwait : 0;
	dtw = dtw > 0 ? dtw : 0;
	r.dur = a.dur + b.dur + t + dwait;
	r.tw = a.tw + b.tw + dtw;
	double e = b.e - delta;
	r.e = (e > a.e ? e : a.e) - dwait;
	double l = b.l - delta;
	r.l = (l < a.l ? l : a.l) + dtw;
	return r;
}

/* r = a followed by b (r may alias a or b). */
static inline void rt_seg_cat(rt_seg *r, const rt_seg *a, const rt_seg *b, const double *dur, size_t nl)
{
	if (a->first < 0) {
		rt_td lead = b->has_lead ? rt_td_cat(a->lead, b->lead, 0) : a->lead;
		r->core = b->core;
		r->lead = lead;
		r->has_lead = 1;
		r->dist = a->dist + b->dist;
		r->first = b->first;
		r->last = b->last;
		return;
	}
	rt_td x = a->core;
	double t = 0;
	if (b->has_lead)
		x = rt_td_cat(x, b->lead, 0);
	int last = a->last;
	if (b->first >= 0) {
		t = dur[(size_t)a->last * nl + (size_t)b->first];
		x = rt_td_cat(x, b->core, t);
		last = b->last;
	}
	r->dist = a->dist + b->dist + t;
	r->core = x;
	r->last = last;
	if (r != a) {
		r->lead = a->lead;
		r->has_lead = a->has_lead;
		r->first = a->first;
	}
}

/* Total time warp of a whole route segment. */
static inline double rt_seg_tw(const rt_seg *s)
{
	if (s->first < 0)
		return s->lead.tw;
	if (s->has_lead)
		return rt_td_cat(s->lead, s->core, 0).tw;
	return s->core.tw;
}

/* ---- the model ---- */
enum { RT_N_JOB, RT_N_BREAK, RT_N_START, RT_N_END };

typedef struct rt_model {
	const rt_problem *p;
	int nj, nb, nv, nn; /* jobs, breaks, vehicles, nodes (nj + nb + 2 nv) */
	int dims;
	size_t nl;
	const double *dur;
	/* per node */
	int *loc; /* -1: transparent */
	int *kind;
	int *owner; /* vehicle of a break or depot; -1 for jobs */
	double *service;
	int *tw_first, *tw_count; /* into tws */
	int64_t *ld;              /* 3 × dims per node: delivery, pickup, max on board */
	uint64_t *skills;         /* required (jobs) */
	rt_tw *tws;               /* problem windows, then one shift window per vehicle */
	int *prio;                /* per job */
	int *reason;              /* per job: RT_UA_NONE if some vehicle can serve it alone */
	int *neigh;               /* nj × gamma granular neighbours (jobs), -1 padded */
	int gamma;
	double *ang;      /* per job: polar angle around the depot (when coordinates are known) */
	bool multi_tw;    /* a job or break has more than one window */
	bool uniform_end; /* every vehicle ends at the same place with the same closing time */
	bool any_breaks;
	bool any_max_tasks;
	double max_dist;    /* largest travel time between used locations */
	int64_t max_amount; /* largest job amount */
} rt_model;

static inline int rt_start_node(const rt_model *m, int v)
{
	return m->nj + m->nb + 2 * v;
}
static inline int rt_end_node(const rt_model *m, int v)
{
	return m->nj + m->nb + 2 * v + 1;
}
static inline double rt_d(const rt_model *m, int a, int b)
{
	return (a < 0 || b < 0) ? 0 : m->dur[(size_t)a * m->nl + (size_t)b];
}
/* Can vehicle v serve job j at all (skills)? */
static inline bool rt_compat(const rt_model *m, int j, int v)
{
	return (m->skills[j] & ~m->p->vehicles[v].skills) == 0;
}

void rt_model_build(rt_model *m, const rt_problem *p, int gamma);
void rt_model_free(rt_model *m);

/* ---- individuals (solutions kept by the genetic search) ---- */
typedef struct rt_indiv {
	int *seq;         /* every route's stops back to back: nodes (jobs and breaks) */
	int *rstart;      /* nv + 1 offsets into seq */
	int *succ, *pred; /* per job: next/previous job, -1 depot, -2 unassigned */
	int64_t uprio;    /* total priority of the unassigned jobs */
	int nun;          /* number of unassigned jobs (including those nobody can serve) */
	double dist, tw;  /* travel and time warp */
	int64_t excess;   /* load above capacity */
	double pcost;     /* dist + penalties at the current weights */
	bool feasible;
	double biased; /* biased fitness in its subpopulation */
} rt_indiv;

rt_indiv *rt_indiv_new(const rt_model *m);
void rt_indiv_free(rt_indiv *x);
void rt_indiv_copy(const rt_model *m, rt_indiv *dst, const rt_indiv *src);
/* Lexicographic comparison: unserved priority, unserved count, penalised cost. */
int rt_indiv_cmp(const rt_indiv *a, const rt_indiv *b);

/* ---- local search ---- */
typedef struct rt_lroute {
	int veh;
	int n, cap; /* stops including both depots; allocated */
	int *nd;
	rt_seg *pre, *suf, *sufx; /* prefix, suffix, suffix without the end depot (!uniform_end) */
	int64_t *pld, *sld;       /* loads of prefix/suffix: 3 × dims per position */
	uint64_t *sskl;           /* skills needed by jobs at positions ≥ k */
	int *sbrk;                /* breaks at positions ≥ k */
	int *pjobs;               /* jobs at positions ≤ k */
	int njobs;
	double cost, dist, tw;
	int64_t excess;
	int64_t mod;       /* move counter when last changed */
	double amin, amax; /* polar sector of its jobs (for SWAP*): start angle and extent */
} rt_lroute;

typedef struct rt_ls {
	const rt_model *m;
	rt_lroute *r;    /* one per vehicle */
	int *rof, *pos;  /* per node: route and position, -1 if not in a route */
	int *atw;        /* per node: the window in use */
	rt_seg *nseg;    /* per node: its one-stop segment with that window */
	double wtw, wld; /* penalty weights: time warp, load excess */
	rt_rng *rng;
	const rt_clock *clk;
	bool timeout;
	int64_t nmoves;
	int64_t *tested; /* per job: move counter at its last full test */
	int *order, *tmp, *tmp2, *tmp3, *tmp4;
	int ntmp;
	bool swapstar;
	int64_t evals;      /* move evaluations (statistics) */
	int64_t *evals_inc; /* = &evals, counted through const pointers */
	bool verify;        /* tests: compare each move's predicted cost with the recomputation */
	int64_t verified, verify_fail;
} rt_ls;

void rt_ls_init(rt_ls *ls, const rt_model *m, rt_rng *rng, const rt_clock *clk);
void rt_ls_free(rt_ls *ls);
/* Empty routes (with their breaks); every job unassigned. */
void rt_ls_clear(rt_ls *ls);
void rt_ls_load(rt_ls *ls, const rt_indiv *x);
void rt_ls_export(const rt_ls *ls, rt_indiv *x);
/* Set route v to these jobs in this order (breaks are placed afterwards by rt_ls_place_breaks). */
void rt_ls_set_route(rt_ls *ls, int v, const int *jobs, int n);
void rt_ls_place_breaks(rt_ls *ls);
/* Insert each listed job at its cheapest position (penalised); feasible_only: only where the
 * route stays feasible, else the job stays unassigned. Stops at the time limit (ls->clk). */
void rt_ls_insert(rt_ls *ls, const int *jobs, int n, bool feasible_only);
void rt_ls_run(rt_ls *ls);
/* Remove jobs from infeasible routes until every route is feasible. */
void rt_ls_drop_infeasible(rt_ls *ls);
/* Penalised cost of the whole current state at the current weights. */
double rt_ls_cost(const rt_ls *ls);
bool rt_ls_feasible(const rt_ls *ls);
/* Recompute every route (after changing weights). */
void rt_ls_refresh(rt_ls *ls);

/* Cost of the route that would result from concatenating these parts (for tests). */
typedef struct rt_part {
	const rt_seg *s;
	const int64_t *ld;
} rt_part;
double rt_ls_eval_parts(const rt_ls *ls, int veh, int njobs, const rt_part *pt, int n, double *tw, int64_t *excess);

#endif
