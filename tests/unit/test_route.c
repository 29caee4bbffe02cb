/*
 * test_route.c — the route optimiser's internals: segment concatenation against a plain
 * forward walk, every local-search move's predicted cost against the recomputed route (and
 * that against an independent evaluation), and small instances whose optimum is found by
 * brute force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/rt.h"
#include "route/rt_int.h"

/* ---- random problems ---- */

typedef struct gen {
	int nj, nv;
	int breaks;     /* breaks per vehicle */
	int multi_tw;   /* jobs with two windows */
	int open;       /* some vehicles without start or end */
	int mixed_ends; /* vehicles end at different places */
	int pickups;
	int skills;
	int max_tasks;
	int fixed;    /* every other vehicle has a fixed cost */
	double tight; /* window width */
} gen;

static void make_problem(rt_problem *p, const gen *g, uint64_t seed)
{
	rt_rng r;
	rt_rng_seed(&r, seed);
	memset(p, 0, sizeof(*p));
	int nl = g->nj + 3;
	p->n_jobs = g->nj;
	p->n_vehicles = g->nv;
	p->n_locs = nl;
	p->n_dims = 2;
	p->jobs = calloc((size_t)g->nj + 1, sizeof(rt_job));
	p->vehicles = calloc((size_t)g->nv, sizeof(rt_vehicle));
	p->tws = calloc((size_t)(2 * g->nj + 2 * g->nv * (g->breaks + 1) + 8), sizeof(rt_tw));
	p->breaks = calloc((size_t)(g->nv * g->breaks + 1), sizeof(rt_break));
	p->dur = malloc(sizeof(double) * (size_t)nl * (size_t)nl);
	p->x = malloc(sizeof(double) * (size_t)nl);
	p->y = malloc(sizeof(double) * (size_t)nl);
	for (int a = 0; a < nl; a++) {
		p->x[a] = rt_rng_unit(&r) * 100;
		p->y[a] = rt_rng_unit(&r) * 100;
	}
	for (int a = 0; a < nl; a++)
		for (int b = 0; b < nl; b++)
			p->dur[a * nl + b] = round(hypot(p->x[a] - p->x[b], p->y[a] - p->y[b]) * 10) / 10;
	double horizon = 1000;
	for (int j = 0; j < g->nj; j++) {
		rt_job *jb = &p->jobs[j];
		jb->id = 100 + j;
		jb->loc = j + 3;
		jb->service = 5 + rt_rng_below(&r, 10);
		jb->delivery[0] = rt_rng_below(&r, 10);
		jb->delivery[1] = rt_rng_below(&r, 3);
		if (g->pickups)
			jb->pickup[0] = rt_rng_below(&r, 8);
		if (g->skills && rt_rng_below(&r, 3) == 0)
			jb->skills = 1u << rt_rng_below(&r, 2);
		jb->priority = (int)rt_rng_below(&r, 3);
		double s = rt_rng_unit(&r) * (horizon - g->tight - 100);
		jb->tw_first = p->n_tws;
		p->tws[p->n_tws++] = (rt_tw){s, s + g->tight};
		jb->tw_count = 1;
		if (g->multi_tw && rt_rng_below(&r, 2)) {
			double s2 = s + g->tight + 50 + rt_rng_unit(&r) * 100;
			p->tws[p->n_tws++] = (rt_tw){s2, s2 + g->tight};
			jb->tw_count = 2;
		}
	}
	for (int v = 0; v < g->nv; v++) {
		rt_vehicle *vh = &p->vehicles[v];
		vh->id = v;
		vh->start_loc = 0;
		vh->end_loc = g->mixed_ends ? (int)(v % 3) : 0;
		if (g->open && v % 3 == 1)
			vh->start_loc = -1;
		if (g->open && v % 3 == 2)
			vh->end_loc = -1;
		vh->capacity[0] = 30 + rt_rng_below(&r, 20);
		vh->capacity[1] = 10;
		vh->skills = g->skills ? (v % 2 ? 1u : 2u) | (v % 3 == 0 ? 3u : 0u) : 0;
		vh->tw_start = 0;
		vh->tw_end = horizon - (g->mixed_ends ? 30 * (v % 2) : 0);
		vh->max_tasks = g->max_tasks ? g->max_tasks : INT32_MAX;
		vh->fixed = g->fixed && v % 2 ? 80 : 0;
		vh->break_first = p->n_breaks;
		for (int b = 0; b < g->breaks; b++) {
			rt_break *br = &p->breaks[p->n_breaks++];
			br->id = v * 10 + b;
			br->service = 20;
			br->tw_first = p->n_tws;
			double s = 200 + 300 * b + rt_rng_unit(&r) * 100;
			p->tws[p->n_tws++] = (rt_tw){s, s + 150};
			br->tw_count = 1;
		}
		vh->break_count = g->breaks;
	}
}

/* ---- the independent evaluation: walk the route in time ---- */

static double walk(const rt_model *m, int veh, const int *nodes, int n, double wtw, double wld, double *tw_out,
                   int64_t *ex_out)
{
	const rt_problem *p = m->p;
	const rt_vehicle *vh = &p->vehicles[veh];
	double t = vh->tw_start, dist = 0, tw = 0;
	int at = vh->start_loc, jobs = 0;
	int64_t load[RT_MAX_DIMS] = {0}, mx[RT_MAX_DIMS] = {0};
	for (int k = 0; k < n; k++)
		if (nodes[k] < m->nj)
			for (int d = 0; d < m->dims; d++)
				load[d] += p->jobs[nodes[k]].delivery[d];
	memcpy(mx, load, sizeof(load));
	for (int k = 0; k < n; k++) {
		int u = nodes[k];
		double e, l, s;
		if (u < m->nj) {
			const rt_job *j = &p->jobs[u];
			if (at >= 0) {
				dist += p->dur[at * p->n_locs + j->loc];
				t += p->dur[at * p->n_locs + j->loc];
			}
			at = j->loc;
			e = p->tws[j->tw_first].start;
			l = p->tws[j->tw_first].end;
			s = j->service;
			jobs++;
			for (int d = 0; d < m->dims; d++) {
				load[d] += j->pickup[d] - j->delivery[d];
				if (load[d] > mx[d])
					mx[d] = load[d];
			}
		} else {
			const rt_break *b = &p->breaks[u - m->nj];
			e = p->tws[b->tw_first].start;
			l = p->tws[b->tw_first].end;
			s = b->service;
		}
		if (t < e)
			t = e;
		if (t > l) {
			tw += t - l;
			t = l;
		}
		t += s;
	}
	if (at >= 0 && vh->end_loc >= 0) {
		dist += p->dur[at * p->n_locs + vh->end_loc];
		t += p->dur[at * p->n_locs + vh->end_loc];
	}
	if (t > vh->tw_end)
		tw += t - vh->tw_end;
	int64_t ex = 0;
	for (int d = 0; d < m->dims; d++)
		if (mx[d] > vh->capacity[d])
			ex += mx[d] - vh->capacity[d];
	*tw_out = tw;
	*ex_out = ex;
	if (!jobs)
		return 0;
	return dist + vh->fixed + wtw * tw + wld * (double)ex;
}

/* ---- segments ---- */

static void node_seg(const rt_model *m, int node, rt_seg *s, int64_t *ld)
{
	const rt_tw *w = &m->tws[m->tw_first[node]];
	rt_td td = {m->service[node], 0, w->start, w->end};
	s->dist = 0;
	s->first = s->last = m->loc[node];
	s->has_lead = m->loc[node] < 0;
	s->core = td;
	s->lead = td;
	memcpy(ld, &m->ld[(size_t)node * 3 * (size_t)m->dims], sizeof(int64_t) * 3 * (size_t)m->dims);
}

static void segments_match_walk(void **state)
{
	(void)state;
	gen g = {.nj = 12, .nv = 3, .breaks = 2, .open = 1, .mixed_ends = 1, .pickups = 1, .tight = 60};
	for (uint64_t seed = 1; seed <= 40; seed++) {
		rt_problem p;
		make_problem(&p, &g, seed);
		char err[200];
		assert_int_equal(rt_problem_check(&p, err, sizeof(err)), 0);
		rt_model m;
		rt_model_build(&m, &p, 5);
		rt_rng r;
		rt_rng_seed(&r, seed * 7);
		for (int trial = 0; trial < 20; trial++) {
			int v = (int)rt_rng_below(&r, (uint32_t)m.nv);
			int nodes[40], n = 0;
			int perm[20];
			for (int k = 0; k < m.nj; k++)
				perm[k] = k;
			rt_shuffle(&r, perm, m.nj);
			int take = 1 + (int)rt_rng_below(&r, 8);
			for (int k = 0; k < take; k++)
				nodes[n++] = perm[k];
			/* the vehicle's breaks anywhere */
			for (int b = 0; b < p.vehicles[v].break_count; b++) {
				int at = (int)rt_rng_below(&r, (uint32_t)n + 1);
				memmove(nodes + at + 1, nodes + at, sizeof(int) * (size_t)(n - at));
				nodes[at] = m.nj + p.vehicles[v].break_first + b;
				n++;
			}
			int full[48], nf = 0;
			full[nf++] = rt_start_node(&m, v);
			for (int k = 0; k < n; k++)
				full[nf++] = nodes[k];
			full[nf++] = rt_end_node(&m, v);
			/* left fold, right fold and a random split must agree with the walk */
			rt_seg left, right, a, b, s;
			int64_t l0[12], l1[12];
			node_seg(&m, full[0], &left, l0);
			for (int k = 1; k < nf; k++) {
				node_seg(&m, full[k], &s, l1);
				rt_seg_cat(&left, &left, &s, m.dur, m.nl);
			}
			node_seg(&m, full[nf - 1], &right, l0);
			for (int k = nf - 2; k >= 0; k--) {
				node_seg(&m, full[k], &s, l1);
				rt_seg_cat(&right, &s, &right, m.dur, m.nl);
			}
			int cut = 1 + (int)rt_rng_below(&r, (uint32_t)nf - 1);
			node_seg(&m, full[0], &a, l0);
			for (int k = 1; k < cut; k++) {
				node_seg(&m, full[k], &s, l1);
				rt_seg_cat(&a, &a, &s, m.dur, m.nl);
			}
			node_seg(&m, full[cut], &b, l0);
			for (int k = cut + 1; k < nf; k++) {
				node_seg(&m, full[k], &s, l1);
				rt_seg_cat(&b, &b, &s, m.dur, m.nl);
			}
			rt_seg_cat(&a, &a, &b, m.dur, m.nl);
			double tw;
			int64_t ex;
			double c = walk(&m, v, nodes, n, 0, 0, &tw, &ex);
			assert_true(fabs(left.dist - c) < 1e-9);
			assert_true(fabs(right.dist - c) < 1e-9);
			assert_true(fabs(a.dist - c) < 1e-9);
			assert_true(fabs(rt_seg_tw(&left) - tw) < 1e-6);
			assert_true(fabs(rt_seg_tw(&right) - tw) < 1e-6);
			assert_true(fabs(rt_seg_tw(&a) - tw) < 1e-6);
		}
		rt_model_free(&m);
		rt_problem_free(&p);
	}
}

/* ---- local search moves ---- */

static void check_moves(const gen *g, uint64_t seeds)
{
	int64_t verified = 0;
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		rt_problem p;
		make_problem(&p, g, seed);
		char err[200];
		assert_int_equal(rt_problem_check(&p, err, sizeof(err)), 0);
		rt_model m;
		rt_model_build(&m, &p, 8);
		rt_rng r;
		rt_rng_seed(&r, seed);
		rt_ls ls;
		rt_ls_init(&ls, &m, &r, NULL);
		ls.verify = true;
		ls.wtw = 1 + rt_rng_below(&r, 50);
		ls.wld = 1 + rt_rng_below(&r, 50);
		/* a random solution: jobs dealt to random compatible routes */
		int lists[8][64], cnt[8] = {0};
		for (int u = 0; u < m.nj; u++) {
			if (m.reason[u] != RT_UA_NONE)
				continue;
			int v = (int)rt_rng_below(&r, (uint32_t)m.nv);
			for (int t = 0; t < m.nv && (!rt_compat(&m, u, v) || cnt[v] >= p.vehicles[v].max_tasks); t++)
				v = (v + 1) % m.nv;
			if (rt_compat(&m, u, v) && cnt[v] < p.vehicles[v].max_tasks)
				lists[v][cnt[v]++] = u;
		}
		for (int v = 0; v < m.nv; v++)
			rt_ls_set_route(&ls, v, lists[v], cnt[v]);
		rt_ls_place_breaks(&ls);
		rt_ls_run(&ls);
		assert_int_equal(ls.verify_fail, 0);
		verified += ls.verified;
		/* every route as recomputed equals the independent walk */
		for (int v = 0; v < m.nv; v++) {
			const rt_lroute *R = &ls.r[v];
			double tw;
			int64_t ex;
			double c = walk(&m, v, R->nd + 1, R->n - 2, ls.wtw, ls.wld, &tw, &ex);
			assert_true(fabs(c - R->cost) < 1e-6 * (1 + c));
			/* rules never broken by a move */
			assert_true(R->njobs <= p.vehicles[v].max_tasks);
			for (int k = 1; k < R->n - 1; k++) {
				int u = R->nd[k];
				if (u < m.nj)
					assert_true(rt_compat(&m, u, v));
				else
					assert_int_equal(m.owner[u], v);
			}
		}
		/* repair: after dropping, every route is feasible */
		rt_ls_drop_infeasible(&ls);
		assert_true(rt_ls_feasible(&ls));
		rt_ls_free(&ls);
		rt_model_free(&m);
		rt_problem_free(&p);
	}
	assert_true(verified > 0);
}

static void moves_plain(void **state)
{
	(void)state;
	gen g = {.nj = 40, .nv = 5, .tight = 150};
	check_moves(&g, 30);
	g.fixed = 1;
	check_moves(&g, 30);
}

static void moves_breaks_open_ends(void **state)
{
	(void)state;
	gen g = {.nj = 40, .nv = 6, .breaks = 2, .open = 1, .mixed_ends = 1, .tight = 200};
	check_moves(&g, 30);
}

static void moves_pickups_skills_max_tasks_fixed(void **state)
{
	(void)state;
	gen g = {.nj = 40, .nv = 6, .pickups = 1, .skills = 1, .max_tasks = 9, .fixed = 1, .tight = 120};
	check_moves(&g, 30);
}

static void moves_multi_windows(void **state)
{
	(void)state;
	/* windows are re-chosen after a move, so only the rules and the final walk are checked */
	gen g = {.nj = 30, .nv = 4, .multi_tw = 1, .tight = 60};
	for (uint64_t seed = 1; seed <= 20; seed++) {
		rt_problem p;
		make_problem(&p, &g, seed);
		rt_params par;
		rt_params_default(&par);
		par.time_limit = 10;
		par.max_iterations = 30;
		par.seed = seed;
		rt_solution s;
		rt_solve(&p, &par, &s);
		for (int r = 0; r < s.n_routes; r++) {
			rt_sched sc;
			rt_schedule(&p, &s.routes[r], &sc);
			assert_true(sc.lateness < 1e-6);
			assert_int_equal(sc.max_load_excess, 0);
			rt_sched_free(&sc);
		}
		rt_solution_free(&s);
		rt_problem_free(&p);
	}
}

/* ---- known optima by brute force ---- */

static double brute(const rt_model *m, int n)
{
	int perm[8];
	for (int k = 0; k < n; k++)
		perm[k] = k;
	double best = INFINITY;
	for (;;) {
		for (int cut = 0; cut <= n; cut++) {
			double tw1, tw2;
			int64_t e1, e2;
			double c1 = walk(m, 0, perm, cut, 0, 0, &tw1, &e1);
			double c2 = walk(m, 1, perm + cut, n - cut, 0, 0, &tw2, &e2);
			if (tw1 < 1e-9 && tw2 < 1e-9 && e1 == 0 && e2 == 0 && c1 + c2 < best)
				best = c1 + c2;
		}
		/* next permutation */
		int i = n - 2;
		while (i >= 0 && perm[i] > perm[i + 1])
			i--;
		if (i < 0)
			break;
		int j = n - 1;
		while (perm[j] < perm[i])
			j--;
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
		for (int a = i + 1, b = n - 1; a < b; a++, b--) {
			t = perm[a];
			perm[a] = perm[b];
			perm[b] = t;
		}
	}
	return best;
}

static void brute_force_optima(void **state)
{
	(void)state;
	gen g = {.nj = 7, .nv = 2, .tight = 250};
	int checked = 0;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		rt_problem p;
		make_problem(&p, &g, seed);
		rt_model m;
		rt_model_build(&m, &p, 6);
		double opt = brute(&m, 7);
		rt_model_free(&m);
		if (!isfinite(opt)) { /* not all jobs fit: not a test of the optimum */
			rt_problem_free(&p);
			continue;
		}
		rt_params par;
		rt_params_default(&par);
		par.time_limit = 10;
		par.max_iterations = 200;
		par.seed = seed;
		rt_solution s;
		rt_solve(&p, &par, &s);
		assert_int_equal(s.n_unassigned, 0);
		assert_true(fabs(s.cost - opt) < 1e-6);
		checked++;
		rt_solution_free(&s);
		rt_problem_free(&p);
	}
	assert_true(checked >= 5);
}

/* A time limit of 0 still gives a feasible construction. */
static void zero_time_limit(void **state)
{
	(void)state;
	gen g = {.nj = 60, .nv = 8, .breaks = 1, .tight = 200};
	rt_problem p;
	make_problem(&p, &g, 3);
	rt_params par;
	rt_params_default(&par);
	par.time_limit = 0;
	rt_solution s;
	rt_solve(&p, &par, &s);
	assert_int_equal(s.iterations, 0);
	int served = 0;
	for (int r = 0; r < s.n_routes; r++) {
		rt_sched sc;
		rt_schedule(&p, &s.routes[r], &sc);
		assert_true(sc.lateness < 1e-6);
		assert_int_equal(sc.max_load_excess, 0);
		for (int k = 0; k < s.routes[r].n; k++)
			served += s.routes[r].stops[k] >= 0;
		rt_sched_free(&sc);
	}
	assert_int_equal(served + s.n_unassigned, 60);
	assert_true(served > 30);
	rt_solution_free(&s);
	rt_problem_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(segments_match_walk),    cmocka_unit_test(moves_plain),
	    cmocka_unit_test(moves_breaks_open_ends), cmocka_unit_test(moves_pickups_skills_max_tasks_fixed),
	    cmocka_unit_test(moves_multi_windows),    cmocka_unit_test(brute_force_optima),
	    cmocka_unit_test(zero_time_limit),
	};
	if (getenv("ROUTE_TEST"))
		cmocka_set_test_filter(getenv("ROUTE_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
