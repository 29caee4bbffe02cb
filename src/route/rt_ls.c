/*
 * rt_ls.c — the local search that educates every solution of the genetic search: for each
 * job u and each of its granular neighbours v, the moves that bring u next to v —
 * relocate u (or the chain u x, x u, or u x z) after or before v, swap u (or u x) with v
 * (or v y), 2-opt* between their routes — first improvement, until no move improves.
 * Then breaks are moved within their route, jobs are tried in empty routes, and jobs left
 * out are inserted where they fit. Every move is priced in O(1) (intra-route moves in the
 * distance between the two places) by joining the prefix and suffix segments kept per route
 * (rt_int.h), with time warp and load excess penalised at the current weights.
 *
 * Hard rules are never broken by a move: skills, a vehicle's max_tasks, breaks stay on
 * their vehicle. Time windows and capacity are soft here and made hard by the genetic
 * search's repair and by rt_ls_drop_infeasible.
 */
#include "route/rt_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define TW_EPS   1e-7 /* time warp below this is none (rounding) */
#define GAIN_EPS 1e-7 /* a move must gain more than this */

typedef struct piece {
	int r, a, b; /* r ≥ 0: nodes r.nd[a..b]; r = -1: the single node a */
} piece;

static inline bool is_job(const rt_ls *ls, int node)
{
	return node >= 0 && node < ls->m->nj;
}

static inline int L3(const rt_ls *ls)
{
	return 3 * ls->m->dims;
}

static inline rt_part node_part(const rt_ls *ls, int node)
{
	return (rt_part){&ls->nseg[node], &ls->m->ld[(size_t)node * (size_t)L3(ls)]};
}

static inline rt_part pre_part(const rt_ls *ls, const rt_lroute *R, int k)
{
	return (rt_part){&R->pre[k], R->pld + (size_t)k * (size_t)L3(ls)};
}

static inline rt_part suf_part(const rt_ls *ls, const rt_lroute *R, int k)
{
	return (rt_part){&R->suf[k], R->sld + (size_t)k * (size_t)L3(ls)};
}

static void ld_cat(int64_t *out, const int64_t *a, const int64_t *b, int D)
{
	for (int d = 0; d < D; d++) {
		int64_t x = a[2 * D + d] + b[d], y = a[D + d] + b[2 * D + d];
		int64_t del = a[d] + b[d], pick = a[D + d] + b[D + d];
		out[2 * D + d] = x > y ? x : y;
		out[d] = del;
		out[D + d] = pick;
	}
}

static void set_nseg(rt_ls *ls, int node)
{
	const rt_model *m = ls->m;
	const rt_tw *w = &m->tws[ls->atw[node]];
	rt_seg *s = &ls->nseg[node];
	rt_td td = {m->service[node], 0, w->start, w->end};
	s->dist = 0;
	s->first = s->last = m->loc[node];
	s->has_lead = m->loc[node] < 0;
	s->core = td;
	s->lead = td;
}

/* ---- costing ---- */

static double full_cost(const rt_ls *ls, int veh, int njobs, const rt_seg *s, const int64_t *ld, double *tw,
                        int64_t *ex)
{
	*tw = 0;
	*ex = 0;
	if (njobs == 0)
		return 0;
	const rt_model *m = ls->m;
	int D = m->dims;
	const int64_t *cap = m->p->vehicles[veh].capacity;
	int64_t e = 0;
	for (int d = 0; d < D; d++)
		if (ld[2 * D + d] > cap[d])
			e += ld[2 * D + d] - cap[d];
	*tw = rt_seg_tw(s);
	*ex = e;
	return s->dist + m->p->vehicles[veh].fixed + ls->wtw * *tw + ls->wld * (double)e;
}

double rt_ls_eval_parts(const rt_ls *ls, int veh, int njobs, const rt_part *pt, int n, double *tw, int64_t *excess)
{
	const rt_model *m = ls->m;
	*tw = 0;
	*excess = 0;
	if (njobs == 0)
		return 0;
	rt_seg acc = *pt[0].s;
	for (int i = 1; i < n; i++)
		rt_seg_cat(&acc, &acc, pt[i].s, m->dur, m->nl);
	double w = rt_seg_tw(&acc);
	int D = m->dims;
	int64_t e = 0;
	const int64_t *cap = m->p->vehicles[veh].capacity;
	for (int d = 0; d < D; d++) {
		int64_t del = pt[0].ld[d], pick = pt[0].ld[D + d], mx = pt[0].ld[2 * D + d];
		for (int i = 1; i < n; i++) {
			const int64_t *l = pt[i].ld;
			int64_t x = mx + l[d], y = pick + l[2 * D + d];
			mx = x > y ? x : y;
			del += l[d];
			pick += l[D + d];
		}
		if (mx > cap[d])
			e += mx - cap[d];
	}
	ls->evals_inc[0]++;
	*tw = w;
	*excess = e;
	return acc.dist + m->p->vehicles[veh].fixed + ls->wtw * w + ls->wld * (double)e;
}

/* Travel of the joined parts plus the vehicle's fixed cost: a lower bound of the cost of the
 * (non-empty) route they make. */
static double parts_dist(const rt_ls *ls, int veh, const rt_part *pt, int n)
{
	double d = pt[0].s->dist + ls->m->p->vehicles[veh].fixed;
	int last = pt[0].s->last;
	for (int i = 1; i < n; i++) {
		const rt_seg *s = pt[i].s;
		d += s->dist;
		if (s->first >= 0) {
			d += rt_d(ls->m, last, s->first);
			last = s->last;
		}
	}
	return d;
}

/* Segment and loads of nd[a..b] of a route (a ≤ b), computed by walking. */
static void between(const rt_ls *ls, const rt_lroute *R, int a, int b, rt_seg *s, int64_t *ld)
{
	const rt_model *m = ls->m;
	int D = m->dims;
	*s = ls->nseg[R->nd[a]];
	memcpy(ld, &m->ld[(size_t)R->nd[a] * (size_t)L3(ls)], sizeof(int64_t) * (size_t)L3(ls));
	for (int k = a + 1; k <= b; k++) {
		rt_seg_cat(s, s, &ls->nseg[R->nd[k]], m->dur, m->nl);
		ld_cat(ld, ld, &m->ld[(size_t)R->nd[k] * (size_t)L3(ls)], D);
	}
}

/* ---- route bookkeeping ---- */

static void route_reserve(rt_lroute *R, int n, int l3)
{
	if (n <= R->cap)
		return;
	int cap = R->cap ? R->cap : 8;
	while (cap < n)
		cap *= 2;
	size_t c = (size_t)cap, l = (size_t)(l3 > 0 ? l3 : 1);
	R->nd = xrealloc(R->nd, sizeof(int) * c);
	R->pre = xrealloc(R->pre, sizeof(rt_seg) * c);
	R->suf = xrealloc(R->suf, sizeof(rt_seg) * c);
	R->sufx = xrealloc(R->sufx, sizeof(rt_seg) * c);
	R->pld = xrealloc(R->pld, sizeof(int64_t) * c * l);
	R->sld = xrealloc(R->sld, sizeof(int64_t) * c * l);
	R->sskl = xrealloc(R->sskl, sizeof(uint64_t) * c);
	R->sbrk = xrealloc(R->sbrk, sizeof(int) * c);
	R->pjobs = xrealloc(R->pjobs, sizeof(int) * c);
	R->cap = cap;
}

/* Multiple windows: each stop takes the first window still open when the vehicle can be
 * there at the earliest (optimal for feasibility, as arrival times only grow). */
static void choose_windows(rt_ls *ls, rt_lroute *R)
{
	const rt_model *m = ls->m;
	double t = m->p->vehicles[R->veh].tw_start;
	int last = -1;
	for (int k = 0; k < R->n; k++) {
		int node = R->nd[k], loc = m->loc[node];
		if (loc >= 0) {
			t += rt_d(m, last, loc);
			last = loc;
		}
		int f = m->tw_first[node], c = m->tw_count[node];
		if (c > 1) {
			int w = f + c - 1;
			for (int q = f; q < f + c; q++)
				if (m->tws[q].end >= t) {
					w = q;
					break;
				}
			if (ls->atw[node] != w) {
				ls->atw[node] = w;
				set_nseg(ls, node);
			}
		}
		const rt_tw *w = &m->tws[ls->atw[node]];
		if (t < w->start)
			t = w->start;
		if (t > w->end)
			t = w->end;
		t += m->service[node];
	}
}

static void route_update(rt_ls *ls, int ri)
{
	const rt_model *m = ls->m;
	rt_lroute *R = &ls->r[ri];
	int n = R->n, D = m->dims;
	size_t l3 = (size_t)L3(ls);
	if (m->multi_tw)
		choose_windows(ls, R);
	int nj = 0;
	for (int k = 0; k < n; k++) {
		int node = R->nd[k];
		ls->rof[node] = ri;
		ls->pos[node] = k;
		if (node < m->nj)
			nj++;
		R->pjobs[k] = nj;
	}
	R->njobs = nj;
	R->pre[0] = ls->nseg[R->nd[0]];
	memcpy(R->pld, &m->ld[(size_t)R->nd[0] * l3], sizeof(int64_t) * l3);
	for (int k = 1; k < n; k++) {
		rt_seg_cat(&R->pre[k], &R->pre[k - 1], &ls->nseg[R->nd[k]], m->dur, m->nl);
		ld_cat(R->pld + (size_t)k * l3, R->pld + (size_t)(k - 1) * l3, &m->ld[(size_t)R->nd[k] * l3], D);
	}
	R->suf[n - 1] = ls->nseg[R->nd[n - 1]];
	memcpy(R->sld + (size_t)(n - 1) * l3, &m->ld[(size_t)R->nd[n - 1] * l3], sizeof(int64_t) * l3);
	R->sskl[n - 1] = 0;
	R->sbrk[n - 1] = 0;
	for (int k = n - 2; k >= 0; k--) {
		int node = R->nd[k];
		rt_seg_cat(&R->suf[k], &ls->nseg[node], &R->suf[k + 1], m->dur, m->nl);
		ld_cat(R->sld + (size_t)k * l3, &m->ld[(size_t)node * l3], R->sld + (size_t)(k + 1) * l3, D);
		R->sskl[k] = R->sskl[k + 1] | (node < m->nj ? m->skills[node] : 0);
		R->sbrk[k] = R->sbrk[k + 1] + (m->kind[node] == RT_N_BREAK);
	}
	if (!m->uniform_end && n >= 3) {
		R->sufx[n - 2] = ls->nseg[R->nd[n - 2]];
		for (int k = n - 3; k >= 0; k--)
			rt_seg_cat(&R->sufx[k], &ls->nseg[R->nd[k]], &R->sufx[k + 1], m->dur, m->nl);
	}
	R->cost = full_cost(ls, R->veh, nj, &R->pre[n - 1], R->pld + (size_t)(n - 1) * l3, &R->tw, &R->excess);
	R->dist = nj ? R->pre[n - 1].dist + m->p->vehicles[R->veh].fixed : 0;
	if (ls->swapstar && nj > 0) {
		/* the circular sector of its jobs' polar angles, grown one job at a time */
		bool first = true;
		for (int k = 1; k < n - 1; k++) {
			int node = R->nd[k];
			if (node >= m->nj)
				continue;
			double a = fmod(m->ang[node] + 2 * M_PI, 2 * M_PI);
			if (first) {
				R->amin = a;
				R->amax = 0;
				first = false;
				continue;
			}
			double from = fmod(a - R->amin + 2 * M_PI, 2 * M_PI);
			if (from <= R->amax)
				continue;
			double back = 2 * M_PI - from; /* grow the start backwards to a */
			double fwd = from - R->amax;   /* or the end forwards */
			if (back < fwd) {
				R->amin = a;
				R->amax += back;
			} else {
				R->amax += fwd;
			}
		}
	}
}

static bool sector_has(const rt_lroute *R, double a)
{
	return fmod(a - R->amin + 4 * M_PI, 2 * M_PI) <= R->amax + 1e-9;
}

static bool sectors_overlap(const rt_lroute *A, const rt_lroute *B)
{
	return sector_has(A, B->amin) || sector_has(B, A->amin);
}

/* Replace route ri's stops by nodes[0..n-1] (which start and end with its depots). */
static void commit(rt_ls *ls, int ri, const int *nodes, int n)
{
	rt_lroute *R = &ls->r[ri];
	route_reserve(R, n, L3(ls));
	memcpy(R->nd, nodes, sizeof(int) * (size_t)n);
	R->n = n;
	route_update(ls, ri);
}

static int build(const rt_ls *ls, int *out, const piece *pc, int np)
{
	int n = 0;
	for (int k = 0; k < np; k++) {
		if (pc[k].r < 0) {
			out[n++] = pc[k].a;
			continue;
		}
		const rt_lroute *R = &ls->r[pc[k].r];
		if (pc[k].b >= pc[k].a) {
			memcpy(out + n, R->nd + pc[k].a, sizeof(int) * (size_t)(pc[k].b - pc[k].a + 1));
			n += pc[k].b - pc[k].a + 1;
		} else { /* reversed range a..b with a > b */
			for (int q = pc[k].a; q >= pc[k].b; q--)
				out[n++] = R->nd[q];
		}
	}
	return n;
}

/* Apply a move; e1 and e2 are the costs the move evaluation predicted for the new routes
 * (checked against the recomputation when ls->verify is set, by the unit tests). With
 * multiple time windows per stop, the windows are chosen again after the move, so the gain
 * can differ from the prediction: a move that must gain and does not is undone (else the
 * search could cycle). Returns whether the move stays. */
static bool apply(rt_ls *ls, int r1, const piece *p1, int n1, double e1, int r2, const piece *p2, int n2, double e2,
                  bool must_gain)
{
	bool undo = must_gain && ls->m->multi_tw;
	double before = ls->r[r1].cost + (r2 >= 0 ? ls->r[r2].cost : 0);
	int old1 = 0, old2 = 0;
	if (undo) {
		old1 = ls->r[r1].n;
		memcpy(ls->tmp3, ls->r[r1].nd, sizeof(int) * (size_t)old1);
		if (r2 >= 0) {
			old2 = ls->r[r2].n;
			memcpy(ls->tmp4, ls->r[r2].nd, sizeof(int) * (size_t)old2);
		}
	}
	int a = build(ls, ls->tmp, p1, n1);
	int b = r2 >= 0 ? build(ls, ls->tmp2, p2, n2) : 0;
	commit(ls, r1, ls->tmp, a);
	if (r2 >= 0)
		commit(ls, r2, ls->tmp2, b);
	if (undo && ls->r[r1].cost + (r2 >= 0 ? ls->r[r2].cost : 0) >= before - GAIN_EPS) {
		commit(ls, r1, ls->tmp3, old1);
		if (r2 >= 0)
			commit(ls, r2, ls->tmp4, old2);
		return false;
	}
	ls->nmoves++;
	ls->r[r1].mod = ls->nmoves;
	if (r2 >= 0)
		ls->r[r2].mod = ls->nmoves;
	if (ls->verify && !isnan(e1) && !ls->m->multi_tw) {
		ls->verified++;
		if (fabs(ls->r[r1].cost - e1) > 1e-6 * (1 + fabs(e1)) ||
		    (r2 >= 0 && fabs(ls->r[r2].cost - e2) > 1e-6 * (1 + fabs(e2))))
			ls->verify_fail++;
	}
	return true;
}

/* ---- moves ---- */

static bool chain_ok(const rt_ls *ls, const rt_lroute *R, int i, int L, int veh)
{
	if (i < 1 || i + L > R->n - 1)
		return false;
	for (int k = i; k < i + L; k++) {
		int node = R->nd[k];
		if (!is_job(ls, node) || !rt_compat(ls->m, node, veh))
			return false;
	}
	return true;
}

static inline int max_tasks(const rt_ls *ls, int veh)
{
	return ls->m->p->vehicles[veh].max_tasks;
}

/* Chain nd1[i..i+L-1] (reversed if rev) moved between nd2[j] and nd2[j+1]. */
static bool relocate(rt_ls *ls, int r1, int i, int L, int rev, int r2, int j)
{
	rt_lroute *R1 = &ls->r[r1], *R2 = &ls->r[r2];
	if (j < 0 || j > R2->n - 2 || !chain_ok(ls, R1, i, L, R2->veh))
		return false;
	rt_part ch[3];
	for (int k = 0; k < L; k++)
		ch[k] = node_part(ls, R1->nd[rev ? i + L - 1 - k : i + k]);
	rt_part a[8], b[8];
	int na = 0, nb = 0;
	double tw;
	int64_t ex;
	rt_seg bs;
	int64_t bl[3 * RT_MAX_DIMS];
	if (r1 != r2) {
		if (R2->njobs + L > max_tasks(ls, R2->veh))
			return false;
		a[na++] = pre_part(ls, R1, i - 1);
		a[na++] = suf_part(ls, R1, i + L);
		b[nb++] = pre_part(ls, R2, j);
		for (int k = 0; k < L; k++)
			b[nb++] = ch[k];
		b[nb++] = suf_part(ls, R2, j + 1);
		double old = R1->cost + R2->cost;
		int nj1 = R1->njobs - L;
		double d1 = nj1 ? parts_dist(ls, R1->veh, a, na) : 0;
		if (d1 + parts_dist(ls, R2->veh, b, nb) >= old - GAIN_EPS)
			return false;
		double c1 = rt_ls_eval_parts(ls, R1->veh, nj1, a, na, &tw, &ex);
		if (c1 + parts_dist(ls, R2->veh, b, nb) >= old - GAIN_EPS)
			return false;
		double c2 = rt_ls_eval_parts(ls, R2->veh, R2->njobs + L, b, nb, &tw, &ex);
		if (c1 + c2 >= old - GAIN_EPS)
			return false;
		piece p1[2] = {{r1, 0, i - 1}, {r1, i + L, R1->n - 1}};
		piece p2[3] = {{r2, 0, j}, {r1, rev ? i + L - 1 : i, rev ? i : i + L - 1}, {r2, j + 1, R2->n - 1}};
		return apply(ls, r1, p1, 2, c1, r2, p2, 3, c2, true);
	}
	/* same route */
	if (j >= i && j <= i + L - 1)
		return false;
	if (j == i - 1 && !rev)
		return false;
	piece p[4];
	int np = 0;
	if (j < i - 1) {
		a[na++] = pre_part(ls, R1, j);
		for (int k = 0; k < L; k++)
			a[na++] = ch[k];
		between(ls, R1, j + 1, i - 1, &bs, bl);
		a[na++] = (rt_part){&bs, bl};
		a[na++] = suf_part(ls, R1, i + L);
		p[np++] = (piece){r1, 0, j};
		p[np++] = (piece){r1, rev ? i + L - 1 : i, rev ? i : i + L - 1};
		p[np++] = (piece){r1, j + 1, i - 1};
		p[np++] = (piece){r1, i + L, R1->n - 1};
	} else if (j == i - 1) {
		a[na++] = pre_part(ls, R1, i - 1);
		for (int k = 0; k < L; k++)
			a[na++] = ch[k];
		a[na++] = suf_part(ls, R1, i + L);
		p[np++] = (piece){r1, 0, i - 1};
		p[np++] = (piece){r1, i + L - 1, i};
		p[np++] = (piece){r1, i + L, R1->n - 1};
	} else {
		a[na++] = pre_part(ls, R1, i - 1);
		between(ls, R1, i + L, j, &bs, bl);
		a[na++] = (rt_part){&bs, bl};
		for (int k = 0; k < L; k++)
			a[na++] = ch[k];
		a[na++] = suf_part(ls, R1, j + 1);
		p[np++] = (piece){r1, 0, i - 1};
		p[np++] = (piece){r1, i + L, j};
		p[np++] = (piece){r1, rev ? i + L - 1 : i, rev ? i : i + L - 1};
		p[np++] = (piece){r1, j + 1, R1->n - 1};
	}
	if (parts_dist(ls, R1->veh, a, na) >= R1->cost - GAIN_EPS)
		return false;
	double c = rt_ls_eval_parts(ls, R1->veh, R1->njobs, a, na, &tw, &ex);
	if (c >= R1->cost - GAIN_EPS)
		return false;
	return apply(ls, r1, p, np, c, -1, NULL, 0, 0, true);
}

/* Exchange chain nd1[i..i+L1-1] with chain nd2[j..j+L2-1]. */
static bool swap(rt_ls *ls, int r1, int i, int L1, int r2, int j, int L2)
{
	rt_lroute *R1 = &ls->r[r1], *R2 = &ls->r[r2];
	if (!chain_ok(ls, R1, i, L1, R2->veh) || !chain_ok(ls, R2, j, L2, R1->veh))
		return false;
	rt_part a[8], b[8];
	int na = 0, nb = 0;
	double tw;
	int64_t ex;
	if (r1 != r2) {
		if (L1 != L2 &&
		    (R1->njobs - L1 + L2 > max_tasks(ls, R1->veh) || R2->njobs - L2 + L1 > max_tasks(ls, R2->veh)))
			return false;
		a[na++] = pre_part(ls, R1, i - 1);
		for (int k = 0; k < L2; k++)
			a[na++] = node_part(ls, R2->nd[j + k]);
		a[na++] = suf_part(ls, R1, i + L1);
		b[nb++] = pre_part(ls, R2, j - 1);
		for (int k = 0; k < L1; k++)
			b[nb++] = node_part(ls, R1->nd[i + k]);
		b[nb++] = suf_part(ls, R2, j + L2);
		double old = R1->cost + R2->cost;
		double da = parts_dist(ls, R1->veh, a, na), db = parts_dist(ls, R2->veh, b, nb);
		if (da + db >= old - GAIN_EPS)
			return false;
		double c1 = rt_ls_eval_parts(ls, R1->veh, R1->njobs - L1 + L2, a, na, &tw, &ex);
		if (c1 + db >= old - GAIN_EPS)
			return false;
		double c2 = rt_ls_eval_parts(ls, R2->veh, R2->njobs - L2 + L1, b, nb, &tw, &ex);
		if (c1 + c2 >= old - GAIN_EPS)
			return false;
		piece p1[3] = {{r1, 0, i - 1}, {r2, j, j + L2 - 1}, {r1, i + L1, R1->n - 1}};
		piece p2[3] = {{r2, 0, j - 1}, {r1, i, i + L1 - 1}, {r2, j + L2, R2->n - 1}};
		return apply(ls, r1, p1, 3, c1, r2, p2, 3, c2, true);
	}
	/* same route: x = the earlier chain, y = the later */
	int xi = i, xl = L1, yi = j, yl = L2;
	if (yi < xi) {
		xi = j;
		xl = L2;
		yi = i;
		yl = L1;
	}
	if (xi + xl > yi)
		return false;
	piece p[5];
	int np = 0;
	rt_seg bs;
	int64_t bl[3 * RT_MAX_DIMS];
	a[na++] = pre_part(ls, R1, xi - 1);
	p[np++] = (piece){r1, 0, xi - 1};
	for (int k = 0; k < yl; k++)
		a[na++] = node_part(ls, R1->nd[yi + k]);
	p[np++] = (piece){r1, yi, yi + yl - 1};
	if (xi + xl < yi) {
		between(ls, R1, xi + xl, yi - 1, &bs, bl);
		a[na++] = (rt_part){&bs, bl};
		p[np++] = (piece){r1, xi + xl, yi - 1};
	}
	for (int k = 0; k < xl; k++)
		a[na++] = node_part(ls, R1->nd[xi + k]);
	p[np++] = (piece){r1, xi, xi + xl - 1};
	a[na++] = suf_part(ls, R1, yi + yl);
	p[np++] = (piece){r1, yi + yl, R1->n - 1};
	if (parts_dist(ls, R1->veh, a, na) >= R1->cost - GAIN_EPS)
		return false;
	double c = rt_ls_eval_parts(ls, R1->veh, R1->njobs, a, na, &tw, &ex);
	if (c >= R1->cost - GAIN_EPS)
		return false;
	return apply(ls, r1, p, np, c, -1, NULL, 0, 0, true);
}

/* The tail of route R from position k on (jobs, then the receiving vehicle's end), as parts. */
static int tail_parts(const rt_ls *ls, const rt_lroute *R, int k, int veh, rt_part *out)
{
	if (ls->m->uniform_end) {
		out[0] = suf_part(ls, R, k);
		return 1;
	}
	int n = 0;
	static const int64_t zero[3 * RT_MAX_DIMS];
	if (k <= R->n - 2)
		out[n++] = (rt_part){&R->sufx[k], zero}; /* loads: see below */
	out[n++] = node_part(ls, rt_end_node(ls->m, veh));
	return n;
}

/* 2-opt*: route r1 keeps nd1[0..i] and takes r2's tail from j+1; r2 keeps nd2[0..j] and takes
 * r1's tail from i+1. */
static bool two_opt_star(rt_ls *ls, int r1, int i, int r2, int j)
{
	rt_lroute *R1 = &ls->r[r1], *R2 = &ls->r[r2];
	if (r1 == r2 || i < 0 || j < 0 || i > R1->n - 2 || j > R2->n - 2)
		return false;
	if (R1->sbrk[i + 1] || R2->sbrk[j + 1])
		return false;
	const rt_vehicle *v1 = &ls->m->p->vehicles[R1->veh], *v2 = &ls->m->p->vehicles[R2->veh];
	if ((R2->sskl[j + 1] & ~v1->skills) || (R1->sskl[i + 1] & ~v2->skills))
		return false;
	int nj1 = R1->pjobs[i] + R2->njobs - R2->pjobs[j];
	int nj2 = R2->pjobs[j] + R1->njobs - R1->pjobs[i];
	if (nj1 > v1->max_tasks || nj2 > v2->max_tasks)
		return false;
	rt_part a[4], b[4];
	int na = 0, nb = 0;
	a[na++] = pre_part(ls, R1, i);
	b[nb++] = pre_part(ls, R2, j);
	int64_t l1[3 * RT_MAX_DIMS], l2[3 * RT_MAX_DIMS];
	if (ls->m->uniform_end) {
		na += tail_parts(ls, R2, j + 1, R1->veh, a + na);
		nb += tail_parts(ls, R1, i + 1, R2->veh, b + nb);
	} else {
		/* loads of a tail without its end depot equal those with it (depots carry nothing) */
		int D = ls->m->dims;
		memcpy(l1, R2->sld + (size_t)(j + 1) * (size_t)(3 * D), sizeof(int64_t) * (size_t)(3 * D));
		memcpy(l2, R1->sld + (size_t)(i + 1) * (size_t)(3 * D), sizeof(int64_t) * (size_t)(3 * D));
		int ka = tail_parts(ls, R2, j + 1, R1->veh, a + na);
		if (ka == 2)
			a[na].ld = l1;
		na += ka;
		int kb = tail_parts(ls, R1, i + 1, R2->veh, b + nb);
		if (kb == 2)
			b[nb].ld = l2;
		nb += kb;
	}
	double old = R1->cost + R2->cost;
	double da = nj1 ? parts_dist(ls, R1->veh, a, na) : 0, db = nj2 ? parts_dist(ls, R2->veh, b, nb) : 0;
	if (da + db >= old - GAIN_EPS)
		return false;
	double tw;
	int64_t ex;
	double c1 = rt_ls_eval_parts(ls, R1->veh, nj1, a, na, &tw, &ex);
	if (c1 + db >= old - GAIN_EPS)
		return false;
	double c2 = rt_ls_eval_parts(ls, R2->veh, nj2, b, nb, &tw, &ex);
	if (c1 + c2 >= old - GAIN_EPS)
		return false;
	piece p1[3] = {{r1, 0, i}, {r2, j + 1, R2->n - 2}, {-1, R1->nd[R1->n - 1], 0}};
	piece p2[3] = {{r2, 0, j}, {r1, i + 1, R1->n - 2}, {-1, R2->nd[R2->n - 1], 0}};
	int n1 = j + 1 <= R2->n - 2 ? 3 : 2, n2 = i + 1 <= R1->n - 2 ? 3 : 2;
	if (n1 == 2)
		p1[1] = p1[2];
	if (n2 == 2)
		p2[1] = p2[2];
	return apply(ls, r1, p1, n1, c1, r2, p2, n2, c2, true);
}

/* ---- SWAP* (Vidal 2022): exchange u of one route with v of another, each going to its
 * best place in the other route rather than into the other's place. Candidate places are
 * preselected on travel alone (the three cheapest per job); the exchange estimated best is
 * then priced exactly with windows and loads. ---- */

typedef struct top3 {
	double c[3];
	int j[3];
} top3;

static void top3_add(top3 *t, double c, int j)
{
	if (c >= t->c[2])
		return;
	int q = 2;
	while (q > 0 && t->c[q - 1] > c) {
		t->c[q] = t->c[q - 1];
		t->j[q] = t->j[q - 1];
		q--;
	}
	t->c[q] = c;
	t->j[q] = j;
}

/* Travel added by node x between positions j and j + 1 of R. */
static double ins_dist(const rt_ls *ls, const rt_lroute *R, int j, int x)
{
	const rt_model *m = ls->m;
	int a = R->pre[j].last, b = R->suf[j + 1].first, l = m->loc[x];
	return rt_d(m, a, l) + rt_d(m, l, b) - rt_d(m, a, b);
}

/* Travel added by node x in place of the stop at position i of R. */
static double swap_dist(const rt_ls *ls, const rt_lroute *R, int i, int x)
{
	const rt_model *m = ls->m;
	int a = R->pre[i - 1].last, b = R->suf[i + 1].first, l = m->loc[x], o = m->loc[R->nd[i]];
	return rt_d(m, a, l) + rt_d(m, l, b) - rt_d(m, a, o) - rt_d(m, o, b);
}

/* Route ri without its stop at i and with node x after position p (of the current route;
 * p = i - 1 or i: in its place), as parts and pieces. */
static int remove_insert(const rt_ls *ls, int ri, int i, int x, int p, rt_part *pt, piece *pc, rt_seg *bs, int64_t *bl)
{
	const rt_lroute *R = &ls->r[ri];
	if (p == i - 1 || p == i) {
		pt[0] = pre_part(ls, R, i - 1);
		pt[1] = node_part(ls, x);
		pt[2] = suf_part(ls, R, i + 1);
		pc[0] = (piece){ri, 0, i - 1};
		pc[1] = (piece){-1, x, 0};
		pc[2] = (piece){ri, i + 1, R->n - 1};
		return 3;
	}
	if (p < i - 1) {
		between(ls, R, p + 1, i - 1, bs, bl);
		pt[0] = pre_part(ls, R, p);
		pt[1] = node_part(ls, x);
		pt[2] = (rt_part){bs, bl};
		pt[3] = suf_part(ls, R, i + 1);
		pc[0] = (piece){ri, 0, p};
		pc[1] = (piece){-1, x, 0};
		pc[2] = (piece){ri, p + 1, i - 1};
		pc[3] = (piece){ri, i + 1, R->n - 1};
		return 4;
	}
	between(ls, R, i + 1, p, bs, bl);
	pt[0] = pre_part(ls, R, i - 1);
	pt[1] = (rt_part){bs, bl};
	pt[2] = node_part(ls, x);
	pt[3] = suf_part(ls, R, p + 1);
	pc[0] = (piece){ri, 0, i - 1};
	pc[1] = (piece){ri, i + 1, p};
	pc[2] = (piece){-1, x, 0};
	pc[3] = (piece){ri, p + 1, R->n - 1};
	return 4;
}

/* The best place for the job at position i of route ra in route rb once the stop at k is
 * gone: among its three preselected places not next to k, or k's place. */
static int best_place(const rt_ls *ls, const top3 *t, const rt_lroute *Rb, int k, int x, double *cost)
{
	*cost = swap_dist(ls, Rb, k, x);
	int pos = k;
	for (int q = 0; q < 3; q++) {
		if (t->j[q] < 0)
			break;
		if (t->j[q] == k - 1 || t->j[q] == k)
			continue;
		if (t->c[q] < *cost) {
			*cost = t->c[q];
			pos = t->j[q];
		}
		break;
	}
	return pos;
}

static bool swap_star(rt_ls *ls, int r1, int r2)
{
	const rt_model *m = ls->m;
	rt_lroute *R1 = &ls->r[r1], *R2 = &ls->r[r2];
	int n1 = R1->n, n2 = R2->n;
	top3 *t1 = xmalloc(sizeof(top3) * (size_t)n1), *t2 = xmalloc(sizeof(top3) * (size_t)n2);
	double *rem1 = xmalloc(sizeof(double) * (size_t)n1), *rem2 = xmalloc(sizeof(double) * (size_t)n2);
	for (int side = 0; side < 2; side++) {
		rt_lroute *A = side ? R2 : R1, *B = side ? R1 : R2;
		top3 *t = side ? t2 : t1;
		double *rem = side ? rem2 : rem1;
		for (int i = 1; i < A->n - 1; i++) {
			t[i] = (top3){{INFINITY, INFINITY, INFINITY}, {-1, -1, -1}};
			int u = A->nd[i];
			if (!is_job(ls, u) || !rt_compat(m, u, B->veh))
				continue;
			int a = A->pre[i - 1].last, b = A->suf[i + 1].first, l = m->loc[u];
			rem[i] = rt_d(m, a, l) + rt_d(m, l, b) - rt_d(m, a, b);
			for (int j = 0; j <= B->n - 2; j++)
				top3_add(&t[i], ins_dist(ls, B, j, u), j);
		}
	}
	double best = -GAIN_EPS;
	int bi = -1, bk = -1, bpu = -1, bpv = -1;
	double bc1 = 0, bc2 = 0;
	rt_part a[5], b[5];
	piece pa[4], pb[4];
	rt_seg s1, s2;
	int64_t l1[3 * RT_MAX_DIMS], l2[3 * RT_MAX_DIMS];
	double old = R1->cost + R2->cost;
	for (int i = 1; i < n1 - 1; i++) {
		int u = R1->nd[i];
		if (t1[i].j[0] < 0)
			continue;
		for (int k = 1; k < n2 - 1; k++) {
			int v = R2->nd[k];
			if (t2[k].j[0] < 0)
				continue;
			double cu, cv;
			int pu = best_place(ls, &t1[i], R2, k, u, &cu);
			int pv = best_place(ls, &t2[k], R1, i, v, &cv);
			double est = cu + cv - rem1[i] - rem2[k];
			if (R1->dist + R2->dist + est >= old + best)
				continue;
			int na = remove_insert(ls, r1, i, v, pv, a, pa, &s1, l1);
			int nb = remove_insert(ls, r2, k, u, pu, b, pb, &s2, l2);
			double tw;
			int64_t ex;
			double c1 = rt_ls_eval_parts(ls, R1->veh, R1->njobs, a, na, &tw, &ex);
			double c2 = rt_ls_eval_parts(ls, R2->veh, R2->njobs, b, nb, &tw, &ex);
			if (c1 + c2 - old < best) {
				best = c1 + c2 - old;
				bi = i;
				bk = k;
				bpu = pu;
				bpv = pv;
				bc1 = c1;
				bc2 = c2;
			}
		}
	}
	bool done = false;
	if (bi >= 0) {
		int u = R1->nd[bi], v = R2->nd[bk];
		int na = remove_insert(ls, r1, bi, v, bpv, a, pa, &s1, l1);
		int nb = remove_insert(ls, r2, bk, u, bpu, b, pb, &s2, l2);
		done = apply(ls, r1, pa, na, bc1, r2, pb, nb, bc2, true);
	}
	free(t1);
	free(t2);
	free(rem1);
	free(rem2);
	return done;
}

/* Every move that puts u next to its neighbour v; applies the first that gains. */
static bool try_pair(rt_ls *ls, int u, int v)
{
	int r1 = ls->rof[u], r2 = ls->rof[v];
	int i = ls->pos[u], j = ls->pos[v];
	const rt_lroute *R1 = &ls->r[r1], *R2 = &ls->r[r2];
	int x = R1->nd[i + 1], y = R2->nd[j + 1];
	bool xj = is_job(ls, x) && x != v, yj = is_job(ls, y) && y != u;
	if (relocate(ls, r1, i, 1, 0, r2, j) || relocate(ls, r1, i, 1, 0, r2, j - 1))
		return true;
	if (xj && (relocate(ls, r1, i, 2, 0, r2, j) || relocate(ls, r1, i, 2, 1, r2, j)))
		return true;
	if (swap(ls, r1, i, 1, r2, j, 1))
		return true;
	if (xj && swap(ls, r1, i, 2, r2, j, 1))
		return true;
	if (yj && swap(ls, r1, i, 1, r2, j, 2))
		return true;
	if (xj && yj && swap(ls, r1, i, 2, r2, j, 2))
		return true;
	if (r1 != r2 && (two_opt_star(ls, r1, i, r2, j) || two_opt_star(ls, r1, i, r2, j - 1)))
		return true;
	if (xj && i + 2 < R1->n - 1 && is_job(ls, R1->nd[i + 2]) && R1->nd[i + 2] != v &&
	    relocate(ls, r1, i, 3, 0, r2, j))
		return true;
	return false;
}

/* u alone in an empty route, if that gains (the first compatible empty route). */
static bool try_empty(rt_ls *ls, int u)
{
	const rt_model *m = ls->m;
	int r1 = ls->rof[u];
	for (int r = 0; r < m->nv; r++) {
		rt_lroute *R = &ls->r[r];
		if (R->njobs || r == r1 || !rt_compat(m, u, R->veh) || max_tasks(ls, R->veh) < 1)
			continue;
		for (int j = 0; j <= R->n - 2; j++)
			if (relocate(ls, r1, ls->pos[u], 1, 0, r, j))
				return true;
		return false;
	}
	return false;
}

/* Move each break of a route to its best place in the route. */
static bool move_breaks(rt_ls *ls, int ri)
{
	rt_lroute *R = &ls->r[ri];
	bool gained = false;
	for (int k = 1; k < R->n - 1; k++) {
		int b = R->nd[k];
		if (ls->m->kind[b] != RT_N_BREAK)
			continue;
		for (int j = 0; j <= R->n - 2; j++)
			if (j != k && j != k - 1 && R->njobs > 0) {
				/* a break is no job: price it like a one-stop chain */
				rt_part a[5];
				int na = 0;
				rt_seg bs;
				int64_t bl[3 * RT_MAX_DIMS];
				piece p[4];
				int np = 0;
				if (j < k - 1) {
					a[na++] = pre_part(ls, R, j);
					a[na++] = node_part(ls, b);
					between(ls, R, j + 1, k - 1, &bs, bl);
					a[na++] = (rt_part){&bs, bl};
					a[na++] = suf_part(ls, R, k + 1);
					p[np++] = (piece){ri, 0, j};
					p[np++] = (piece){-1, b, 0};
					p[np++] = (piece){ri, j + 1, k - 1};
					p[np++] = (piece){ri, k + 1, R->n - 1};
				} else {
					a[na++] = pre_part(ls, R, k - 1);
					between(ls, R, k + 1, j, &bs, bl);
					a[na++] = (rt_part){&bs, bl};
					a[na++] = node_part(ls, b);
					a[na++] = suf_part(ls, R, j + 1);
					p[np++] = (piece){ri, 0, k - 1};
					p[np++] = (piece){ri, k + 1, j};
					p[np++] = (piece){-1, b, 0};
					p[np++] = (piece){ri, j + 1, R->n - 1};
				}
				double tw;
				int64_t ex;
				double c = rt_ls_eval_parts(ls, R->veh, R->njobs, a, na, &tw, &ex);
				if (c < R->cost - GAIN_EPS) {
					if (apply(ls, ri, p, np, c, -1, NULL, 0, 0, true)) {
						gained = true;
						break;
					}
				}
			}
	}
	return gained;
}

/* ---- insertion of jobs left out ---- */

typedef struct ins {
	int r, j, w; /* route, after position, window */
	double delta;
	bool feasible;
} ins;

static void best_insertion_in(rt_ls *ls, int u, int r, int j, ins *best, bool feasible_only)
{
	rt_lroute *R = &ls->r[r];
	if (j < 0 || j > R->n - 2)
		return;
	rt_part a[3] = {pre_part(ls, R, j), node_part(ls, u), suf_part(ls, R, j + 1)};
	double d = parts_dist(ls, R->veh, a, 3) - R->cost;
	if (d >= best->delta)
		return;
	double tw;
	int64_t ex;
	double c = rt_ls_eval_parts(ls, R->veh, R->njobs + 1, a, 3, &tw, &ex);
	bool feas = tw <= TW_EPS && ex == 0;
	if (feasible_only && !feas)
		return;
	if (c - R->cost < best->delta) {
		best->delta = c - R->cost;
		best->r = r;
		best->j = j;
		best->w = ls->atw[u];
		best->feasible = feas;
	}
}

static bool same_vehicle(const rt_problem *p, int a, int b)
{
	const rt_vehicle *x = &p->vehicles[a], *y = &p->vehicles[b];
	if (x->start_loc != y->start_loc || x->end_loc != y->end_loc || x->tw_start != y->tw_start ||
	    x->tw_end != y->tw_end || x->skills != y->skills || x->break_count || y->break_count ||
	    x->max_tasks != y->max_tasks || x->fixed != y->fixed)
		return false;
	for (int d = 0; d < p->n_dims; d++)
		if (x->capacity[d] != y->capacity[d])
			return false;
	return true;
}

/* The cheapest place for job u (over its windows): every position of every route when the
 * problem is small; else the positions next to its granular neighbours and one empty route
 * per kind of vehicle, and every position only if that finds nothing. */
static ins best_insertion(rt_ls *ls, int u, bool feasible_only)
{
	const rt_model *m = ls->m;
	ins best = {-1, -1, -1, INFINITY, false};
	int f = m->tw_first[u], c = m->tw_count[u];
	int total = 0;
	for (int r = 0; r < m->nv; r++)
		total += ls->r[r].n;
	bool scan_all = total <= 3000;
	for (int pass = 0; pass < 2 && best.r < 0; pass++) {
		for (int w = f; w < f + c; w++) {
			if (ls->atw[u] != w) {
				ls->atw[u] = w;
				set_nseg(ls, u);
			}
			int empty_done = -1;
			for (int r = 0; r < m->nv; r++) {
				rt_lroute *R = &ls->r[r];
				if (!rt_compat(m, u, R->veh) || R->njobs + 1 > max_tasks(ls, R->veh))
					continue;
				if (R->njobs == 0) {
					/* one empty route is as good as another of an identical vehicle */
					if (empty_done >= 0 && same_vehicle(m->p, empty_done, R->veh))
						continue;
					empty_done = R->veh;
				} else if (!scan_all) {
					continue;
				}
				for (int j = 0; j <= R->n - 2; j++)
					best_insertion_in(ls, u, r, j, &best, feasible_only);
			}
			if (scan_all)
				continue;
			for (int g = 0; g < m->gamma; g++) {
				int v = m->neigh[(size_t)u * (size_t)m->gamma + (size_t)g];
				if (v < 0)
					break;
				int r = ls->rof[v];
				if (r < 0 || !rt_compat(m, u, ls->r[r].veh) ||
				    ls->r[r].njobs + 1 > max_tasks(ls, ls->r[r].veh))
					continue;
				best_insertion_in(ls, u, r, ls->pos[v], &best, feasible_only);
				best_insertion_in(ls, u, r, ls->pos[v] - 1, &best, feasible_only);
			}
		}
		if (scan_all)
			break;
		scan_all = true; /* nothing near the neighbours: look everywhere */
	}
	if (best.w >= 0 && ls->atw[u] != best.w) {
		ls->atw[u] = best.w;
		set_nseg(ls, u);
	}
	return best;
}

static void insert_at(rt_ls *ls, int u, int r, int j, double expect)
{
	rt_lroute *R = &ls->r[r];
	piece p[3] = {{r, 0, j}, {-1, u, 0}, {r, j + 1, R->n - 1}};
	apply(ls, r, p, 3, expect, -1, NULL, 0, 0, false);
}

static bool out_of_time(rt_ls *ls)
{
	if (ls->clk && rt_clock_up(ls->clk))
		ls->timeout = true;
	return ls->timeout;
}

void rt_ls_insert(rt_ls *ls, const int *jobs, int n, bool feasible_only)
{
	for (int k = 0; k < n; k++) {
		int u = jobs[k];
		if (ls->rof[u] >= 0 || ls->m->reason[u] != RT_UA_NONE)
			continue;
		if ((k & 15) == 0 && out_of_time(ls))
			break;
		ins b = best_insertion(ls, u, feasible_only);
		if (b.r >= 0)
			insert_at(ls, u, b.r, b.j, ls->r[b.r].cost + b.delta);
	}
}

/* Job u in place of job v (at v's position), if the route stays feasible; the cost change. */
static double replace_delta(rt_ls *ls, int u, int v, bool *feasible)
{
	int r = ls->rof[v], k = ls->pos[v];
	rt_lroute *R = &ls->r[r];
	*feasible = false;
	if (!rt_compat(ls->m, u, R->veh))
		return INFINITY;
	rt_part a[3] = {pre_part(ls, R, k - 1), node_part(ls, u), suf_part(ls, R, k + 1)};
	double tw;
	int64_t ex;
	double c = rt_ls_eval_parts(ls, R->veh, R->njobs, a, 3, &tw, &ex);
	*feasible = tw <= TW_EPS && ex == 0;
	return c - R->cost;
}

/* Jobs left out, highest priority first, where they fit without breaking a rule; a job that
 * fits nowhere may take the place of a neighbour of lower priority (or of the same priority
 * if that shortens the route), which then is left out. Each change improves the objective
 * (priority served, jobs served, travel), so this ends. */
static bool insert_unassigned(rt_ls *ls)
{
	const rt_model *m = ls->m;
	int n = 0;
	for (int u = 0; u < m->nj; u++)
		if (ls->rof[u] < 0 && m->reason[u] == RT_UA_NONE)
			ls->tmp[n++] = u;
	if (n == 0)
		return false;
	int *list = xmalloc(sizeof(int) * (size_t)n);
	memcpy(list, ls->tmp, sizeof(int) * (size_t)n);
	rt_shuffle(ls->rng, list, n);
	/* stable by priority, descending */
	for (int a = 1; a < n; a++) {
		int x = list[a], b = a - 1;
		while (b >= 0 && m->prio[list[b]] < m->prio[x]) {
			list[b + 1] = list[b];
			b--;
		}
		list[b + 1] = x;
	}
	bool any = false;
	for (int k = 0; k < n; k++) {
		int u = list[k];
		if ((k & 15) == 0 && out_of_time(ls))
			break;
		if (ls->rof[u] >= 0)
			continue;
		ins b = best_insertion(ls, u, true);
		if (b.r >= 0) {
			insert_at(ls, u, b.r, b.j, ls->r[b.r].cost + b.delta);
			any = true;
			continue;
		}
		/* replace a neighbour */
		int bv = -1;
		double bd = INFINITY;
		for (int g = 0; g < m->gamma; g++) {
			int v = m->neigh[(size_t)u * (size_t)m->gamma + (size_t)g];
			if (v < 0)
				break;
			if (ls->rof[v] < 0 || m->prio[v] > m->prio[u])
				continue;
			for (int w = m->tw_first[u]; w < m->tw_first[u] + m->tw_count[u]; w++) {
				if (ls->atw[u] != w) {
					ls->atw[u] = w;
					set_nseg(ls, u);
				}
				bool feas;
				double d = replace_delta(ls, u, v, &feas);
				/* lower priority out: any feasible place; same priority: only if shorter */
				double key = m->prio[v] < m->prio[u] ? d - 1e12 * (m->prio[u] - m->prio[v]) : d;
				if (feas && (m->prio[v] < m->prio[u] || d < -GAIN_EPS) && key < bd) {
					bd = key;
					bv = v;
					b.w = w;
				}
			}
		}
		if (bv >= 0) {
			if (ls->atw[u] != b.w) {
				ls->atw[u] = b.w;
				set_nseg(ls, u);
			}
			int r = ls->rof[bv], pos = ls->pos[bv];
			rt_lroute *R = &ls->r[r];
			piece p[3] = {{r, 0, pos - 1}, {-1, u, 0}, {r, pos + 1, R->n - 1}};
			apply(ls, r, p, 3, NAN, -1, NULL, 0, 0, false);
			ls->rof[bv] = -1;
			ls->pos[bv] = -1;
			any = true;
		}
	}
	free(list);
	return any;
}

/* ---- public ---- */

void rt_ls_init(rt_ls *ls, const rt_model *m, rt_rng *rng, const rt_clock *clk)
{
	memset(ls, 0, sizeof(*ls));
	ls->m = m;
	ls->rng = rng;
	ls->clk = clk;
	ls->wtw = 1;
	ls->wld = 1;
	size_t nn = (size_t)m->nn;
	ls->r = xcalloc((size_t)m->nv, sizeof(rt_lroute));
	ls->rof = xmalloc(sizeof(int) * nn);
	ls->pos = xmalloc(sizeof(int) * nn);
	ls->atw = xmalloc(sizeof(int) * nn);
	ls->nseg = xmalloc(sizeof(rt_seg) * nn);
	ls->tested = xcalloc((size_t)m->nj + 1, sizeof(int64_t));
	ls->order = xmalloc(sizeof(int) * (size_t)(m->nj + 1));
	ls->ntmp = m->nn + 4;
	ls->tmp = xmalloc(sizeof(int) * (size_t)ls->ntmp);
	ls->tmp2 = xmalloc(sizeof(int) * (size_t)ls->ntmp);
	ls->tmp3 = xmalloc(sizeof(int) * (size_t)ls->ntmp);
	ls->tmp4 = xmalloc(sizeof(int) * (size_t)ls->ntmp);
	ls->evals_inc = &ls->evals;
	ls->swapstar = m->p->x != NULL || m->nv <= 20; /* needs route sectors, or few routes */
	for (int k = 0; k < m->nn; k++) {
		ls->atw[k] = m->tw_first[k];
		set_nseg(ls, k);
		ls->rof[k] = -1;
		ls->pos[k] = -1;
	}
	for (int v = 0; v < m->nv; v++)
		ls->r[v].veh = v;
	rt_ls_clear(ls);
}

void rt_ls_free(rt_ls *ls)
{
	for (int v = 0; v < ls->m->nv; v++) {
		rt_lroute *R = &ls->r[v];
		free(R->nd);
		free(R->pre);
		free(R->suf);
		free(R->sufx);
		free(R->pld);
		free(R->sld);
		free(R->sskl);
		free(R->sbrk);
		free(R->pjobs);
	}
	free(ls->r);
	free(ls->rof);
	free(ls->pos);
	free(ls->atw);
	free(ls->nseg);
	free(ls->tested);
	free(ls->order);
	free(ls->tmp);
	free(ls->tmp2);
	free(ls->tmp3);
	free(ls->tmp4);
	memset(ls, 0, sizeof(*ls));
}

/* A vehicle's breaks in the order of their first window. */
static int breaks_in_order(const rt_ls *ls, int v, int *out)
{
	const rt_model *m = ls->m;
	const rt_vehicle *vh = &m->p->vehicles[v];
	int n = 0;
	for (int b = 0; b < vh->break_count; b++) {
		int node = m->nj + vh->break_first + b, k = n++;
		while (k > 0 && m->tws[m->tw_first[out[k - 1]]].start > m->tws[m->tw_first[node]].start) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = node;
	}
	return n;
}

void rt_ls_clear(rt_ls *ls)
{
	const rt_model *m = ls->m;
	for (int u = 0; u < m->nj; u++) {
		ls->rof[u] = -1;
		ls->pos[u] = -1;
	}
	for (int v = 0; v < m->nv; v++) {
		int n = 0;
		ls->tmp[n++] = rt_start_node(m, v);
		n += breaks_in_order(ls, v, ls->tmp + n);
		ls->tmp[n++] = rt_end_node(m, v);
		commit(ls, v, ls->tmp, n);
		ls->r[v].mod = ls->nmoves;
	}
}

void rt_ls_set_route(rt_ls *ls, int v, const int *jobs, int n)
{
	const rt_model *m = ls->m;
	rt_lroute *R = &ls->r[v];
	for (int k = 1; k < R->n - 1; k++) {
		ls->rof[R->nd[k]] = -1;
		ls->pos[R->nd[k]] = -1;
	}
	int *t = ls->tmp;
	int c = 0;
	t[c++] = rt_start_node(m, v);
	for (int k = 0; k < n; k++)
		t[c++] = jobs[k];
	t[c++] = rt_end_node(m, v);
	commit(ls, v, t, c);
	R->mod = ++ls->nmoves;
}

void rt_ls_place_breaks(rt_ls *ls)
{
	const rt_model *m = ls->m;
	if (!m->any_breaks)
		return;
	int order[64];
	for (int v = 0; v < m->nv; v++) {
		int nb = m->p->vehicles[v].break_count;
		int *bo = nb <= 64 ? order : xmalloc(sizeof(int) * (size_t)nb);
		breaks_in_order(ls, v, bo);
		for (int k = 0; k < nb; k++) {
			int b = bo[k];
			if (ls->rof[b] >= 0)
				continue;
			rt_lroute *R = &ls->r[v];
			double best = INFINITY;
			int bj = R->n - 2;
			for (int j = 0; j <= R->n - 2; j++) {
				rt_part a[3] = {pre_part(ls, R, j), node_part(ls, b), suf_part(ls, R, j + 1)};
				double tw;
				int64_t ex;
				/* priced as if the route were used, so that empty routes get sensible places */
				double c = rt_ls_eval_parts(ls, v, 1, a, 3, &tw, &ex);
				if (c < best - GAIN_EPS) {
					best = c;
					bj = j;
				}
			}
			insert_at(ls, b, v, bj, NAN);
		}
		if (bo != order)
			free(bo);
	}
}

void rt_ls_load(rt_ls *ls, const rt_indiv *x)
{
	const rt_model *m = ls->m;
	for (int u = 0; u < m->nj; u++) {
		ls->rof[u] = -1;
		ls->pos[u] = -1;
	}
	for (int v = 0; v < m->nv; v++) {
		int c = 0;
		ls->tmp[c++] = rt_start_node(m, v);
		for (int k = x->rstart[v]; k < x->rstart[v + 1]; k++)
			ls->tmp[c++] = x->seq[k];
		ls->tmp[c++] = rt_end_node(m, v);
		commit(ls, v, ls->tmp, c);
		ls->r[v].mod = ++ls->nmoves;
	}
}

void rt_ls_export(const rt_ls *ls, rt_indiv *x)
{
	const rt_model *m = ls->m;
	int c = 0;
	x->dist = 0;
	x->tw = 0;
	x->excess = 0;
	x->pcost = 0;
	for (int u = 0; u < m->nj; u++)
		x->succ[u] = x->pred[u] = -2;
	for (int v = 0; v < m->nv; v++) {
		const rt_lroute *R = &ls->r[v];
		x->rstart[v] = c;
		int prev = -1;
		for (int k = 1; k < R->n - 1; k++) {
			int node = R->nd[k];
			x->seq[c++] = node;
			if (node < m->nj) {
				x->pred[node] = prev;
				if (prev >= 0)
					x->succ[prev] = node;
				prev = node;
			}
		}
		if (prev >= 0)
			x->succ[prev] = -1;
		x->dist += R->dist;
		x->tw += R->tw;
		x->excess += R->excess;
		x->pcost += R->cost;
	}
	x->rstart[m->nv] = c;
	x->uprio = 0;
	x->nun = 0;
	for (int u = 0; u < m->nj; u++)
		if (ls->rof[u] < 0) {
			x->nun++;
			x->uprio += m->prio[u];
		}
	x->feasible = x->tw <= TW_EPS * m->nv && x->excess == 0;
}

double rt_ls_cost(const rt_ls *ls)
{
	double c = 0;
	for (int v = 0; v < ls->m->nv; v++)
		c += ls->r[v].cost;
	return c;
}

bool rt_ls_feasible(const rt_ls *ls)
{
	for (int v = 0; v < ls->m->nv; v++)
		if (ls->r[v].tw > TW_EPS || ls->r[v].excess > 0)
			return false;
	return true;
}

void rt_ls_refresh(rt_ls *ls)
{
	for (int v = 0; v < ls->m->nv; v++)
		route_update(ls, v);
}

void rt_ls_drop_infeasible(rt_ls *ls)
{
	const rt_model *m = ls->m;
	for (int r = 0; r < m->nv; r++) {
		rt_lroute *R = &ls->r[r];
		while (R->njobs > 0 && (R->tw > TW_EPS || R->excess > 0)) {
			/* remove the job whose absence leaves the least violation; lower priority first on ties */
			int best = -1;
			double bv = INFINITY;
			for (int k = 1; k < R->n - 1; k++) {
				int u = R->nd[k];
				if (!is_job(ls, u))
					continue;
				rt_part a[2] = {pre_part(ls, R, k - 1), suf_part(ls, R, k + 1)};
				double tw;
				int64_t ex;
				rt_ls_eval_parts(ls, R->veh, R->njobs - 1, a, 2, &tw, &ex);
				double viol = tw * 1e3 + (double)ex * 1e3 + m->prio[u] * 1e-3;
				if (viol < bv) {
					bv = viol;
					best = k;
				}
			}
			int u = R->nd[best];
			piece p[2] = {{r, 0, best - 1}, {r, best + 1, R->n - 1}};
			apply(ls, r, p, 2, NAN, -1, NULL, 0, 0, false);
			ls->rof[u] = -1;
			ls->pos[u] = -1;
		}
	}
}

void rt_ls_run(rt_ls *ls)
{
	const rt_model *m = ls->m;
	int n = 0;
	for (int u = 0; u < m->nj; u++)
		if (m->reason[u] == RT_UA_NONE)
			ls->order[n++] = u;
	rt_shuffle(ls->rng, ls->order, n);
	int64_t *brk_done = NULL;
	if (m->any_breaks)
		brk_done = xcalloc((size_t)m->nv, sizeof(int64_t));
	for (int u = 0; u < m->nj; u++)
		ls->tested[u] = -1;
	bool improved = true;
	int64_t swap_done = -1;
	for (int loop = 0; improved && !ls->timeout; loop++) {
		improved = false;
		for (int k = 0; k < n; k++) {
			if ((k & 63) == 0 && ls->clk && rt_clock_up(ls->clk)) {
				ls->timeout = true;
				break;
			}
			int u = ls->order[k];
			if (ls->rof[u] < 0)
				continue;
			int64_t last = ls->tested[u];
			ls->tested[u] = ls->nmoves;
			const int *nb = &m->neigh[(size_t)u * (size_t)m->gamma];
			for (int g = 0; g < m->gamma; g++) {
				int v = nb[g];
				if (v < 0)
					break;
				if (ls->rof[v] < 0)
					continue;
				int64_t mu = ls->r[ls->rof[u]].mod, mv = ls->r[ls->rof[v]].mod;
				if (loop > 0 && (mu > mv ? mu : mv) <= last)
					continue;
				if (try_pair(ls, u, v))
					improved = true;
			}
			if (loop > 0 && try_empty(ls, u))
				improved = true;
		}
		if (ls->swapstar && !ls->timeout) {
			int64_t since = loop == 0 ? -1 : swap_done;
			swap_done = ls->nmoves;
			for (int r1 = 0; r1 < m->nv && !ls->timeout; r1++) {
				if (!ls->r[r1].njobs)
					continue;
				if ((r1 & 7) == 0 && ls->clk && rt_clock_up(ls->clk))
					ls->timeout = true;
				for (int r2 = r1 + 1; r2 < m->nv; r2++) {
					const rt_lroute *A = &ls->r[r1], *B = &ls->r[r2];
					if (!B->njobs || (A->mod <= since && B->mod <= since) || !sectors_overlap(A, B))
						continue;
					if (swap_star(ls, r1, r2))
						improved = true;
				}
			}
		}
		if (brk_done) {
			for (int r = 0; r < m->nv; r++)
				if (ls->r[r].mod > brk_done[r]) {
					brk_done[r] = ls->nmoves;
					if (move_breaks(ls, r))
						improved = true;
				}
		}
		if (!ls->timeout && insert_unassigned(ls))
			improved = true;
	}
	free(brk_done);
}
