/*
 * rt_hgs.c — the search: a hybrid genetic search (Vidal et al. 2012, 2022) with the local
 * search of rt_ls.c as education. Two subpopulations (feasible and infeasible solutions),
 * parents by binary tournament on biased fitness (cost rank plus diversity rank, diversity
 * being the broken-pairs distance to the closest others), offspring by selective route
 * exchange (SREX, Nagata & Kobayashi 2010: a block of routes of one parent replaces the
 * most overlapping block of the other, the jobs left out are reinserted), penalties on time
 * warp and load excess adapted to keep a target share of feasible offspring, half of the
 * infeasible offspring repaired with ten and a hundred times the penalties.
 *
 * rt_solve starts from a greedy feasible construction (returned as is for a time limit of
 * 0), keeps the best feasible solution in lexicographic order (priority served, jobs served,
 * travel) and stops at the time limit or the iteration limit. Everything random comes from
 * one generator seeded by the caller's seed: same seed and iteration limit, same solution.
 */
#include "route/rt_int.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pop {
	rt_indiv **x;
	int n, cap;
	double *dist; /* cap × cap broken-pairs distances */
} pop;

typedef struct hgs {
	const rt_model *m;
	const rt_params *par;
	rt_ls ls;
	rt_rng rng;
	rt_clock clk;
	pop feas, infeas;
	rt_indiv *best, *off, *tmp;
	int mu, lambda, nelite, nclose, ninit;
	double target;
	double wtw, wld;
	int ok_tw, ok_ld, nsample;
	int64_t it, it_best;
	int nserv;    /* jobs some vehicle can serve */
	bool overcon; /* the construction left servable jobs out: not all fit */
	int *buf, *buf2, *mark;
} hgs;

static bool stop_now(const hgs *h)
{
	if (h->par->max_iterations > 0 && h->it >= h->par->max_iterations)
		return true;
	return h->ls.timeout || rt_clock_up(&h->clk);
}

/* ---- population ---- */

static void pop_init(pop *P, int cap)
{
	P->x = xcalloc((size_t)cap, sizeof(rt_indiv *));
	P->dist = xcalloc((size_t)cap * (size_t)cap, sizeof(double));
	P->n = 0;
	P->cap = cap;
}

static void pop_free(pop *P)
{
	for (int k = 0; k < P->n; k++)
		rt_indiv_free(P->x[k]);
	free(P->x);
	free(P->dist);
}

static double bpd(const rt_model *m, const rt_indiv *a, const rt_indiv *b)
{
	int diff = 0;
	for (int j = 0; j < m->nj; j++) {
		bool ua = a->succ[j] == -2, ub = b->succ[j] == -2;
		if (ua || ub) {
			diff += ua != ub;
			continue;
		}
		if (a->succ[j] != b->succ[j] && a->succ[j] != b->pred[j])
			diff++;
		if (a->pred[j] == -1 && b->pred[j] != -1 && b->succ[j] != -1)
			diff++;
	}
	return m->nj ? (double)diff / (double)m->nj : 0;
}

/* Average distance to the nclose closest others. */
static double closest_avg(const pop *P, int k, int nclose)
{
	double best[16];
	int nb = 0;
	if (nclose > 16)
		nclose = 16;
	for (int o = 0; o < P->n; o++) {
		if (o == k)
			continue;
		double d = P->dist[(size_t)k * (size_t)P->cap + (size_t)o];
		if (nb < nclose) {
			int q = nb++;
			while (q > 0 && best[q - 1] > d) {
				best[q] = best[q - 1];
				q--;
			}
			best[q] = d;
		} else if (d < best[nb - 1]) {
			int q = nb - 1;
			while (q > 0 && best[q - 1] > d) {
				best[q] = best[q - 1];
				q--;
			}
			best[q] = d;
		}
	}
	double s = 0;
	for (int q = 0; q < nb; q++)
		s += best[q];
	return nb ? s / nb : 0;
}

static int cmp_cost(const void *a, const void *b, void *ctx)
{
	const pop *P = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	int c = rt_indiv_cmp(P->x[x], P->x[y]);
	return c ? c : (x < y ? -1 : x > y);
}

static void update_biased(hgs *h, pop *P)
{
	int n = P->n;
	if (n == 0)
		return;
	if (n == 1) {
		P->x[0]->biased = 0;
		return;
	}
	int *ord = h->buf;
	double *div = xmalloc(sizeof(double) * (size_t)n);
	for (int k = 0; k < n; k++)
		ord[k] = k;
	qsort_r(ord, (size_t)n, sizeof(int), cmp_cost, P);
	for (int k = 0; k < n; k++)
		div[k] = -closest_avg(P, k, h->nclose);
	/* rank of diversity: count how many are more diverse (smaller -avg) */
	for (int r = 0; r < n; r++) {
		int k = ord[r];
		int drank = 0;
		for (int o = 0; o < n; o++)
			if (div[o] < div[k] || (div[o] == div[k] && o < k))
				drank++;
		double fit = (double)r / (double)(n - 1), dv = (double)drank / (double)(n - 1);
		P->x[k]->biased = fit + (1.0 - (double)h->nelite / (double)n) * dv;
	}
	free(div);
}

static void pop_remove(pop *P, int k)
{
	rt_indiv_free(P->x[k]);
	int last = P->n - 1;
	if (k != last) {
		P->x[k] = P->x[last];
		for (int o = 0; o < P->n; o++) {
			P->dist[(size_t)k * (size_t)P->cap + (size_t)o] =
			    P->dist[(size_t)last * (size_t)P->cap + (size_t)o];
			P->dist[(size_t)o * (size_t)P->cap + (size_t)k] =
			    P->dist[(size_t)o * (size_t)P->cap + (size_t)last];
		}
		P->dist[(size_t)k * (size_t)P->cap + (size_t)k] = 0;
	}
	P->n--;
}

/* Down to mu: remove the worst biased fitness, clones first. */
static void survivors(hgs *h, pop *P)
{
	while (P->n > h->mu) {
		update_biased(h, P);
		int worst = -1;
		bool wclone = false;
		for (int k = 0; k < P->n; k++) {
			bool clone = false;
			for (int o = 0; o < P->n && !clone; o++)
				clone = o != k && P->dist[(size_t)k * (size_t)P->cap + (size_t)o] < 1e-9;
			if (worst < 0 || (clone && !wclone) ||
			    (clone == wclone && P->x[k]->biased > P->x[worst]->biased)) {
				worst = k;
				wclone = clone;
			}
		}
		pop_remove(P, worst);
	}
}

static void pop_add(hgs *h, pop *P, const rt_indiv *x)
{
	const rt_model *m = h->m;
	rt_indiv *c = rt_indiv_new(m);
	rt_indiv_copy(m, c, x);
	int k = P->n++;
	P->x[k] = c;
	for (int o = 0; o < k; o++) {
		double d = bpd(m, c, P->x[o]);
		P->dist[(size_t)k * (size_t)P->cap + (size_t)o] = d;
		P->dist[(size_t)o * (size_t)P->cap + (size_t)k] = d;
	}
	P->dist[(size_t)k * (size_t)P->cap + (size_t)k] = 0;
	if (P->n > h->mu + h->lambda)
		survivors(h, P);
}

static const rt_indiv *tournament(hgs *h)
{
	int n = h->feas.n + h->infeas.n;
	int a = (int)rt_rng_below(&h->rng, (uint32_t)n), b = (int)rt_rng_below(&h->rng, (uint32_t)n);
	const rt_indiv *x = a < h->feas.n ? h->feas.x[a] : h->infeas.x[a - h->feas.n];
	const rt_indiv *y = b < h->feas.n ? h->feas.x[b] : h->infeas.x[b - h->feas.n];
	return x->biased <= y->biased ? x : y;
}

/* ---- bookkeeping of the best ---- */

static bool better_feasible(const rt_indiv *a, const rt_indiv *b)
{
	if (a->uprio != b->uprio)
		return a->uprio < b->uprio;
	if (a->nun != b->nun)
		return a->nun < b->nun;
	return a->dist < b->dist - 1e-9;
}

static void consider(hgs *h, rt_indiv *x)
{
	if (!x->feasible)
		return;
	if (!better_feasible(x, h->best))
		return;
	rt_indiv_copy(h->m, h->best, x);
	h->it_best = h->it;
	if (h->par->verbose)
		fprintf(stderr, "route: it %lld  t %.2fs  unassigned %d  cost %.2f\n", (long long)h->it,
		        rt_clock_elapsed(&h->clk), x->nun, x->dist);
}

/* Education and placement of the state in h->ls: local search, then into a subpopulation;
 * half of the infeasible ones are repaired with stronger penalties. */
static void educate_and_add(hgs *h)
{
	rt_ls *ls = &h->ls;
	ls->wtw = h->wtw;
	ls->wld = h->wld;
	rt_ls_refresh(ls);
	rt_ls_run(ls);
	rt_ls_export(ls, h->off);
	h->nsample++;
	h->ok_tw += h->off->tw <= 1e-7 * h->m->nv;
	h->ok_ld += h->off->excess == 0;
	if (h->off->feasible) {
		h->off->pcost = h->off->dist;
		pop_add(h, &h->feas, h->off);
		consider(h, h->off);
		return;
	}
	pop_add(h, &h->infeas, h->off);
	if (rt_rng_below(&h->rng, 2) == 0 && !stop_now(h)) {
		for (int k = 0; k < 2 && !rt_ls_feasible(ls) && !stop_now(h); k++) {
			ls->wtw *= 10;
			ls->wld *= 10;
			rt_ls_refresh(ls);
			rt_ls_run(ls);
		}
		if (!rt_ls_feasible(ls)) {
			rt_ls_drop_infeasible(ls);
			ls->wtw = h->wtw;
			ls->wld = h->wld;
			rt_ls_refresh(ls);
			rt_ls_run(ls); /* also tries the dropped jobs again where they fit */
			if (!rt_ls_feasible(ls))
				rt_ls_drop_infeasible(ls);
		}
		ls->wtw = h->wtw;
		ls->wld = h->wld;
		rt_ls_refresh(ls);
		rt_ls_export(ls, h->off);
		if (h->off->feasible) {
			h->off->pcost = h->off->dist;
			pop_add(h, &h->feas, h->off);
			consider(h, h->off);
		}
	}
}

static void adapt_penalties(hgs *h)
{
	if (h->nsample < 100)
		return;
	double ftw = (double)h->ok_tw / h->nsample, fld = (double)h->ok_ld / h->nsample;
	if (ftw < h->target - 0.05 && h->wtw < 1e6)
		h->wtw *= 1.2;
	else if (ftw > h->target + 0.05 && h->wtw > 1e-3)
		h->wtw *= 0.85;
	if (fld < h->target - 0.05 && h->wld < 1e6)
		h->wld *= 1.2;
	else if (fld > h->target + 0.05 && h->wld > 1e-3)
		h->wld *= 0.85;
	h->nsample = h->ok_tw = h->ok_ld = 0;
	for (int k = 0; k < h->infeas.n; k++) {
		rt_indiv *x = h->infeas.x[k];
		x->pcost = x->dist + h->wtw * x->tw + h->wld * (double)x->excess;
	}
}

/* ---- initial solutions ---- */

/* Servable jobs in random order, dealt to randomly chosen compatible routes in runs, so
 * that routes start out with a few jobs each. */
static void random_solution(hgs *h)
{
	const rt_model *m = h->m;
	rt_ls *ls = &h->ls;
	rt_ls_clear(ls);
	int n = 0;
	for (int u = 0; u < m->nj; u++)
		if (m->reason[u] == RT_UA_NONE)
			h->buf[n++] = u;
	rt_shuffle(&h->rng, h->buf, n);
	if (h->overcon) {
		/* not everything fits: random order within each priority, only where it fits */
		for (int a = 1; a < n; a++) {
			int x = h->buf[a], b = a - 1;
			while (b >= 0 && m->prio[h->buf[b]] < m->prio[x]) {
				h->buf[b + 1] = h->buf[b];
				b--;
			}
			h->buf[b + 1] = x;
		}
		rt_ls_insert(ls, h->buf, n, true);
		return;
	}
	int nv = m->nv;
	int *cnt = xcalloc((size_t)nv, sizeof(int));
	int **lists = xcalloc((size_t)nv, sizeof(int *));
	int per = n / (nv > 0 ? nv : 1) + 1;
	if (per < 3)
		per = 3;
	int v = (int)rt_rng_below(&h->rng, (uint32_t)nv);
	for (int k = 0; k < n; k++) {
		int u = h->buf[k];
		int tries = 0;
		while (tries < nv && (!rt_compat(m, u, v) || cnt[v] >= m->p->vehicles[v].max_tasks ||
		                      (cnt[v] >= per && tries < nv / 2))) {
			v = (v + 1) % nv;
			tries++;
		}
		if (tries >= nv)
			continue;
		if (!lists[v])
			lists[v] = xmalloc(sizeof(int) * (size_t)n);
		lists[v][cnt[v]++] = u;
		if (cnt[v] >= per)
			v = (int)rt_rng_below(&h->rng, (uint32_t)nv);
	}
	for (v = 0; v < nv; v++) {
		if (cnt[v])
			rt_ls_set_route(ls, v, lists[v], cnt[v]);
		free(lists[v]);
	}
	free(lists);
	free(cnt);
	rt_ls_place_breaks(ls);
}

/* Greedy: jobs by priority (highest first), then by the opening of their first window,
 * each where it adds the least travel without breaking a rule. */
static int cmp_construct(const void *a, const void *b, void *ctx)
{
	const rt_model *m = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	if (m->prio[x] != m->prio[y])
		return m->prio[x] > m->prio[y] ? -1 : 1;
	double ex = m->tws[m->tw_first[x]].end, ey = m->tws[m->tw_first[y]].end;
	if (ex != ey)
		return ex < ey ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void construct(hgs *h)
{
	const rt_model *m = h->m;
	rt_ls *ls = &h->ls;
	rt_ls_clear(ls);
	int n = 0;
	for (int u = 0; u < m->nj; u++)
		if (m->reason[u] == RT_UA_NONE)
			h->buf2[n++] = u;
	qsort_r(h->buf2, (size_t)n, sizeof(int), cmp_construct, (void *)m);
	const rt_clock *clk = ls->clk;
	ls->clk = NULL; /* the construction is the answer of last resort: always complete */
	rt_ls_insert(ls, h->buf2, n, true);
	ls->clk = clk;
}

/* ---- crossover ---- */

static double route_angle(const rt_model *m, const rt_indiv *x, int v)
{
	double sx = 0, sy = 0;
	for (int k = x->rstart[v]; k < x->rstart[v + 1]; k++) {
		int u = x->seq[k];
		if (u < m->nj) {
			sx += cos(m->ang[u]);
			sy += sin(m->ang[u]);
		}
	}
	return atan2(sy, sx);
}

typedef struct rkey {
	double a;
	int v;
} rkey;

static int cmp_rkey(const void *a, const void *b)
{
	const rkey *x = a, *y = b;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->v - y->v;
}

/* Non-empty routes of x, ordered by the polar angle of their jobs. */
static int routes_by_angle(const rt_model *m, const rt_indiv *x, int *out)
{
	rkey *k = xmalloc(sizeof(rkey) * (size_t)m->nv);
	int n = 0;
	for (int v = 0; v < m->nv; v++) {
		bool any = false;
		for (int q = x->rstart[v]; q < x->rstart[v + 1] && !any; q++)
			any = x->seq[q] < m->nj;
		if (any) {
			k[n].a = route_angle(m, x, v);
			k[n].v = v;
			n++;
		}
	}
	qsort(k, (size_t)n, sizeof(rkey), cmp_rkey);
	for (int q = 0; q < n; q++)
		out[q] = k[q].v;
	free(k);
	return n;
}

/* Build one SREX offspring into h->ls. variant 0: the A block loses the jobs that B's kept
 * routes have; variant 1: B's kept routes lose the jobs of the A block. */
static void srex_build(hgs *h, const rt_indiv *A, const rt_indiv *B, const int *blockA, const int *blockB, int nmove,
                       int variant)
{
	const rt_model *m = h->m;
	rt_ls *ls = &h->ls;
	int nv = m->nv;
	int *mark = h->mark; /* per job: 1 in A block, 2 in kept B routes */
	memset(mark, 0, sizeof(int) * (size_t)m->nj);
	bool *inB = xcalloc((size_t)nv, sizeof(bool)), *used = xcalloc((size_t)nv, sizeof(bool));
	for (int q = 0; q < nmove; q++)
		inB[blockB[q]] = true;
	for (int q = 0; q < nmove; q++)
		for (int k = A->rstart[blockA[q]]; k < A->rstart[blockA[q] + 1]; k++)
			if (A->seq[k] < m->nj)
				mark[A->seq[k]] = 1;
	for (int v = 0; v < nv; v++) {
		if (inB[v])
			continue;
		for (int k = B->rstart[v]; k < B->rstart[v + 1]; k++) {
			int u = B->seq[k];
			if (u < m->nj)
				mark[u] = mark[u] == 1 ? 3 : 2; /* 3: in both */
		}
	}
	rt_ls_clear(ls);
	int *list = h->buf;
	/* kept routes of B */
	for (int v = 0; v < nv; v++) {
		if (inB[v])
			continue;
		int c = 0;
		for (int k = B->rstart[v]; k < B->rstart[v + 1]; k++) {
			int u = B->seq[k];
			if (u >= m->nj)
				continue;
			if (variant == 1 && mark[u] == 3)
				continue;
			list[c++] = u;
		}
		if (c) {
			rt_ls_set_route(ls, v, list, c);
			used[v] = true;
		}
	}
	/* the A block, each on its own vehicle if free, else on a free one */
	for (int q = 0; q < nmove; q++) {
		int va = blockA[q], c = 0;
		for (int k = A->rstart[va]; k < A->rstart[va + 1]; k++) {
			int u = A->seq[k];
			if (u >= m->nj)
				continue;
			if (variant == 0 && mark[u] == 3)
				continue;
			list[c++] = u;
		}
		if (!c)
			continue;
		int v = va;
		if (used[v]) {
			v = -1;
			for (int w = 0; w < nv && v < 0; w++)
				if (!used[w] && ls->r[w].njobs == 0)
					v = w;
		}
		if (v < 0)
			continue; /* no vehicle left: these jobs get reinserted */
		int c2 = 0;
		for (int k = 0; k < c; k++)
			if (rt_compat(m, list[k], v) && c2 < m->p->vehicles[v].max_tasks)
				list[c2++] = list[k];
		if (c2) {
			rt_ls_set_route(ls, v, list, c2);
			used[v] = true;
		}
	}
	rt_ls_place_breaks(ls);
	/* everything servable not placed: reinsert, in random order */
	int nmiss = 0;
	for (int u = 0; u < m->nj; u++)
		if (ls->rof[u] < 0 && m->reason[u] == RT_UA_NONE && (A->succ[u] != -2 || B->succ[u] != -2))
			h->buf2[nmiss++] = u;
	rt_shuffle(&h->rng, h->buf2, nmiss);
	rt_ls_insert(ls, h->buf2, nmiss, h->overcon);
	free(inB);
	free(used);
}

static void crossover(hgs *h, const rt_indiv *A, const rt_indiv *B)
{
	const rt_model *m = h->m;
	int *ra = xmalloc(sizeof(int) * (size_t)m->nv), *rb = xmalloc(sizeof(int) * (size_t)m->nv);
	int na = routes_by_angle(m, A, ra), nb = routes_by_angle(m, B, rb);
	rt_ls *ls = &h->ls;
	ls->wtw = h->wtw;
	ls->wld = h->wld;
	if (na == 0 || nb == 0) {
		rt_ls_load(ls, na ? A : B);
		free(ra);
		free(rb);
		return;
	}
	int lim = na < nb ? na : nb;
	int nmove = 1 + (int)rt_rng_below(&h->rng, (uint32_t)lim);
	int sa = (int)rt_rng_below(&h->rng, (uint32_t)na);
	int *blockA = xmalloc(sizeof(int) * (size_t)nmove), *blockB = xmalloc(sizeof(int) * (size_t)nmove);
	for (int q = 0; q < nmove; q++)
		blockA[q] = ra[(sa + q) % na];
	/* the block of B overlapping most with the A block */
	int *mark = h->mark;
	memset(mark, 0, sizeof(int) * (size_t)m->nj);
	for (int q = 0; q < nmove; q++)
		for (int k = A->rstart[blockA[q]]; k < A->rstart[blockA[q] + 1]; k++)
			if (A->seq[k] < m->nj)
				mark[A->seq[k]] = 1;
	int *ov = xmalloc(sizeof(int) * (size_t)nb);
	for (int q = 0; q < nb; q++) {
		ov[q] = 0;
		int v = rb[q];
		for (int k = B->rstart[v]; k < B->rstart[v + 1]; k++)
			if (B->seq[k] < m->nj)
				ov[q] += mark[B->seq[k]];
	}
	int bestsb = 0, bestov = -1;
	int off = (int)rt_rng_below(&h->rng, (uint32_t)nb);
	for (int s0 = 0; s0 < nb; s0++) {
		int sb = (s0 + off) % nb, o = 0;
		for (int q = 0; q < nmove; q++)
			o += ov[(sb + q) % nb];
		if (o > bestov) {
			bestov = o;
			bestsb = sb;
		}
	}
	for (int q = 0; q < nmove; q++)
		blockB[q] = rb[(bestsb + q) % nb];
	srex_build(h, A, B, blockA, blockB, nmove, 0);
	double c0 = rt_ls_cost(ls);
	int nun0 = 0;
	for (int u = 0; u < m->nj; u++)
		nun0 += ls->rof[u] < 0;
	rt_ls_export(ls, h->tmp);
	srex_build(h, A, B, blockA, blockB, nmove, 1);
	int nun1 = 0;
	for (int u = 0; u < m->nj; u++)
		nun1 += ls->rof[u] < 0;
	if (nun0 < nun1 || (nun0 == nun1 && c0 < rt_ls_cost(ls)))
		rt_ls_load(ls, h->tmp);
	free(ov);
	free(blockA);
	free(blockB);
	free(ra);
	free(rb);
}

/* ---- the solve ---- */

static void to_solution(const rt_model *m, const rt_indiv *x, rt_solution *out)
{
	memset(out, 0, sizeof(*out));
	out->routes = xcalloc((size_t)m->nv + 1, sizeof(rt_route));
	for (int v = 0; v < m->nv; v++) {
		int a = x->rstart[v], b = x->rstart[v + 1];
		bool any = false;
		for (int k = a; k < b; k++)
			any = any || x->seq[k] < m->nj;
		if (!any)
			continue;
		rt_route *r = &out->routes[out->n_routes++];
		r->vehicle = v;
		r->n = b - a;
		r->stops = xmalloc(sizeof(int) * (size_t)(b - a));
		for (int k = a; k < b; k++) {
			int node = x->seq[k];
			r->stops[k - a] = node < m->nj ? node : -1 - (node - m->nj);
		}
	}
	out->unassigned = xmalloc(sizeof(int) * (size_t)(m->nj + 1));
	out->reason = xmalloc(sizeof(int) * (size_t)(m->nj + 1));
	for (int u = 0; u < m->nj; u++)
		if (x->succ[u] == -2) {
			out->unassigned[out->n_unassigned] = u;
			out->reason[out->n_unassigned++] = m->reason[u] != RT_UA_NONE ? m->reason[u] : RT_UA_ROOM;
		}
	out->cost = x->dist;
}

void rt_solve(const rt_problem *p, const rt_params *par, rt_solution *out)
{
	hgs H, *h = &H;
	memset(h, 0, sizeof(H));
	rt_clock_start(&h->clk, par->cpu_clock, par->time_limit);
	rt_model m;
	rt_model_build(&m, p, 12); /* 12 granular neighbours: tuned on Solomon and Homberger 200 */
	h->m = &m;
	h->par = par;
	rt_rng_seed(&h->rng, par->seed);
	rt_ls_init(&h->ls, &m, &h->rng, &h->clk);
	h->mu = 25;
	h->lambda = 40;
	h->nelite = 4;
	h->nclose = 5;
	h->target = 0.2;
	h->ninit = 2 * h->mu;
	int big = m.nj + m.nn + 8 + 2 * (h->mu + h->lambda + 1);
	h->buf = xmalloc(sizeof(int) * (size_t)big);
	h->buf2 = xmalloc(sizeof(int) * (size_t)big);
	h->mark = xmalloc(sizeof(int) * (size_t)(m.nj + 1));
	h->best = rt_indiv_new(&m);
	h->off = rt_indiv_new(&m);
	h->tmp = rt_indiv_new(&m);
	h->wtw = 1.0;
	h->wld = m.max_amount > 0 ? m.max_dist / (double)m.max_amount : 1.0;
	if (h->wld < 0.1)
		h->wld = 0.1;
	if (h->wld > 1000)
		h->wld = 1000;
	for (int u = 0; u < m.nj; u++)
		h->nserv += m.reason[u] == RT_UA_NONE;

	/* 1. a feasible construction: the answer for a time limit of 0 */
	h->ls.wtw = h->wtw;
	h->ls.wld = h->wld;
	construct(h);
	rt_ls_export(&h->ls, h->best);
	h->best->pcost = h->best->dist;
	if (par->verbose)
		fprintf(stderr, "route: %d jobs, %d vehicles; construction at %.2fs: unassigned %d, cost %.2f\n", m.nj,
		        m.nv, rt_clock_elapsed(&h->clk), h->best->nun, h->best->dist);
	if (par->time_limit > 0 && h->nserv > 0) {
		pop_init(&h->feas, h->mu + h->lambda + 1);
		pop_init(&h->infeas, h->mu + h->lambda + 1);
		/* the construction, educated with quasi-hard penalties (so that it stays feasible
		 * if the time runs out in the middle), is one of the first individuals */
		h->overcon = h->best->nun > m.nj - h->nserv;
		if (!stop_now(h)) {
			double wtw = h->wtw, wld = h->wld;
			h->wtw *= 1000;
			h->wld *= 1000;
			educate_and_add(h);
			h->wtw = wtw;
			h->wld = wld;
			h->nsample = h->ok_tw = h->ok_ld = 0;
		}
		for (int k = 0; k < h->ninit && !stop_now(h); k++) {
			random_solution(h);
			educate_and_add(h);
			h->it++;
			if (h->it % 100 == 0)
				adapt_penalties(h);
		}
		while (!stop_now(h) && h->feas.n + h->infeas.n > 0) {
			update_biased(h, &h->feas);
			update_biased(h, &h->infeas);
			const rt_indiv *A = tournament(h), *B = tournament(h);
			crossover(h, A, B);
			educate_and_add(h);
			h->it++;
			if (h->it % 100 == 0)
				adapt_penalties(h);
			if (h->it - h->it_best > 20000) { /* restart, keeping the best */
				pop_free(&h->feas);
				pop_free(&h->infeas);
				pop_init(&h->feas, h->mu + h->lambda + 1);
				pop_init(&h->infeas, h->mu + h->lambda + 1);
				h->it_best = h->it;
				for (int k = 0; k < h->ninit && !stop_now(h); k++) {
					random_solution(h);
					educate_and_add(h);
				}
			}
		}
		pop_free(&h->feas);
		pop_free(&h->infeas);
	}
	to_solution(&m, h->best, out);
	out->iterations = h->it;
	out->seconds = rt_clock_elapsed(&h->clk);
	if (par->verbose)
		fprintf(stderr, "route: done  it %lld  t %.2fs  evals %lld  cost %.2f  unassigned %d\n",
		        (long long)h->it, out->seconds, (long long)h->ls.evals, out->cost, out->n_unassigned);
	rt_indiv_free(h->best);
	rt_indiv_free(h->off);
	rt_indiv_free(h->tmp);
	free(h->buf);
	free(h->buf2);
	free(h->mark);
	rt_ls_free(&h->ls);
	rt_model_free(&m);
}
