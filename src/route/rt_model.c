/*
 * rt_model.c — what the solver derives once from a problem: one node per job, break and
 * vehicle depot with its location, windows and loads; the granular neighbourhood (the
 * gamma jobs closest to each job in travel and time); and, per job, whether any vehicle can
 * serve it on its own (else the reason it stays unassigned). Also the random numbers, the
 * clock and the individuals' bookkeeping shared by the search.
 */
#include "route/rt_int.h"
#include "util/util.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- random numbers ---- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rt_rng_seed(rt_rng *r, uint64_t seed)
{
	for (int k = 0; k < 4; k++)
		r->s[k] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rt_rng_next(rt_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

void rt_shuffle(rt_rng *r, int *a, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int k = (int)rt_rng_below(r, (uint32_t)i + 1);
		int t = a[i];
		a[i] = a[k];
		a[k] = t;
	}
}

/* ---- clock ---- */

double rt_clock_read(int cpu)
{
	struct timespec ts;
	clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void rt_clock_start(rt_clock *c, int cpu, double limit)
{
	c->cpu = cpu;
	c->limit = limit;
	c->t0 = rt_clock_read(cpu);
}

double rt_clock_elapsed(const rt_clock *c)
{
	return rt_clock_read(c->cpu) - c->t0;
}

/* ---- individuals ---- */

rt_indiv *rt_indiv_new(const rt_model *m)
{
	rt_indiv *x = xcalloc(1, sizeof(*x));
	x->seq = xmalloc(sizeof(int) * (size_t)(m->nj + m->nb + 1));
	x->rstart = xcalloc((size_t)m->nv + 1, sizeof(int));
	x->succ = xmalloc(sizeof(int) * (size_t)(m->nj + 1));
	x->pred = xmalloc(sizeof(int) * (size_t)(m->nj + 1));
	return x;
}

void rt_indiv_free(rt_indiv *x)
{
	if (!x)
		return;
	free(x->seq);
	free(x->rstart);
	free(x->succ);
	free(x->pred);
	free(x);
}

void rt_indiv_copy(const rt_model *m, rt_indiv *dst, const rt_indiv *src)
{
	int *seq = dst->seq, *rstart = dst->rstart, *succ = dst->succ, *pred = dst->pred;
	*dst = *src;
	dst->seq = seq;
	dst->rstart = rstart;
	dst->succ = succ;
	dst->pred = pred;
	memcpy(seq, src->seq, sizeof(int) * (size_t)src->rstart[m->nv]);
	memcpy(rstart, src->rstart, sizeof(int) * (size_t)(m->nv + 1));
	memcpy(succ, src->succ, sizeof(int) * (size_t)m->nj);
	memcpy(pred, src->pred, sizeof(int) * (size_t)m->nj);
}

int rt_indiv_cmp(const rt_indiv *a, const rt_indiv *b)
{
	if (a->uprio != b->uprio)
		return a->uprio < b->uprio ? -1 : 1;
	if (a->nun != b->nun)
		return a->nun < b->nun ? -1 : 1;
	if (a->pcost != b->pcost)
		return a->pcost < b->pcost ? -1 : 1;
	return 0;
}

/* ---- model ---- */

/* How far job j gets with vehicle v on its own: -1 the vehicle takes no jobs (max_tasks 0),
 * 0 skills fail, 1 capacity fails, 2 no window meets the working hours, 3 cannot be reached
 * and left in time, 4 servable. */
static int job_stage(const rt_model *m, int j, int v)
{
	const rt_problem *p = m->p;
	const rt_vehicle *vh = &p->vehicles[v];
	const rt_job *jb = &p->jobs[j];
	if (vh->max_tasks < 1)
		return -1; /* takes no jobs at all */
	if (!rt_compat(m, j, v))
		return 0;
	for (int d = 0; d < p->n_dims; d++)
		if (jb->delivery[d] > vh->capacity[d] || jb->pickup[d] > vh->capacity[d])
			return 1;
	bool overlap = false;
	for (int k = jb->tw_first; k < jb->tw_first + jb->tw_count; k++)
		if (p->tws[k].end >= vh->tw_start && p->tws[k].start <= vh->tw_end)
			overlap = true;
	if (!overlap)
		return 2;
	/* The route start, breaks (in their order), end, with the job at each place and in each
	 * of its windows. */
	int nbk = vh->break_count;
	for (int at = 0; at <= nbk; at++) {
		for (int w = m->tw_first[j]; w < m->tw_first[j] + m->tw_count[j]; w++) {
			rt_seg acc, s;
			memset(&acc, 0, sizeof(acc));
			for (int k = -1; k <= nbk + 1; k++) {
				int node;
				int win;
				if (k == -1) {
					node = rt_start_node(m, v);
					win = m->tw_first[node];
				} else if (k == nbk + 1) {
					node = rt_end_node(m, v);
					win = m->tw_first[node];
				} else if (k == at) {
					node = j;
					win = w;
				} else {
					node = m->nj + vh->break_first + (k < at ? k : k - 1);
					win = -1;
				}
				/* breaks: the window that suits best is unknown here; take the first
				 * still open at the time reached (all windows tried below if needed) */
				double e, l;
				if (win >= 0) {
					e = m->tws[win].start;
					l = m->tws[win].end;
				} else {
					e = m->tws[m->tw_first[node]].start;
					l = m->tws[m->tw_first[node] + m->tw_count[node] - 1].end;
					if (k > -1 && acc.first >= 0 && m->tw_count[node] > 1) {
						double t = acc.core.e + acc.core.dur;
						for (int q = m->tw_first[node];
						     q < m->tw_first[node] + m->tw_count[node]; q++)
							if (m->tws[q].end >= t) {
								e = m->tws[q].start;
								l = m->tws[q].end;
								break;
							}
					}
				}
				rt_td td = {m->service[node], 0, e, l};
				s.dist = 0;
				s.first = s.last = m->loc[node];
				s.has_lead = m->loc[node] < 0;
				s.lead = td;
				s.core = td;
				if (k == -1)
					acc = s;
				else
					rt_seg_cat(&acc, &acc, &s, m->dur, m->nl);
			}
			if (rt_seg_tw(&acc) <= 1e-7)
				return 4;
		}
	}
	return 3;
}

static double hull_start(const rt_model *m, int j)
{
	return m->tws[m->tw_first[j]].start;
}

static double hull_end(const rt_model *m, int j)
{
	return m->tws[m->tw_first[j] + m->tw_count[j] - 1].end;
}

/* Proximity of u then v (Vidal 2013; weights as in PyVRP): travel, plus a little of the
 * least waiting and all the least time warp the pair forces. */
static double prox(const rt_model *m, int u, int v)
{
	double d = rt_d(m, m->loc[u], m->loc[v]);
	double wait = hull_start(m, v) - d - m->service[u] - hull_end(m, u);
	double warp = hull_start(m, u) + m->service[u] + d - hull_end(m, v);
	return d + 0.2 * (wait > 0 ? wait : 0) + (warp > 0 ? warp : 0);
}

static int cmp_key(const void *a, const void *b)
{
	const double *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : (x[1] > y[1]);
}

/* For each job, the gamma jobs of smallest symmetric proximity that some vehicle could serve
 * together with it, ascending. */
static void build_neighbours(rt_model *m)
{
	int nj = m->nj, g = m->gamma;
	m->neigh = xmalloc(sizeof(int) * (size_t)nj * (size_t)(g > 0 ? g : 1));
	if (g == 0)
		return;
	/* distinct vehicle skill sets, to test "one vehicle has both jobs' skills" quickly */
	uint64_t *vs = xmalloc(sizeof(uint64_t) * (size_t)m->nv);
	int nvs = 0;
	bool skills = false;
	for (int j = 0; j < nj; j++)
		if (m->skills[j])
			skills = true;
	for (int v = 0; v < m->nv; v++) {
		int k = 0;
		while (k < nvs && vs[k] != m->p->vehicles[v].skills)
			k++;
		if (k == nvs)
			vs[nvs++] = m->p->vehicles[v].skills;
	}
	double(*cand)[2] = xmalloc(sizeof(double[2]) * (size_t)nj);
	for (int u = 0; u < nj; u++) {
		int nc = 0;
		double worst = INFINITY; /* g-th smallest key so far, once the buffer is trimmed */
		for (int v = 0; v < nj; v++) {
			if (v == u)
				continue;
			if (skills) {
				uint64_t need = m->skills[u] | m->skills[v];
				bool share = false;
				for (int k = 0; k < nvs && !share; k++)
					share = (need & ~vs[k]) == 0;
				if (!share)
					continue;
			}
			double a = prox(m, u, v), b = prox(m, v, u), key = a < b ? a : b;
			if (key > worst)
				continue;
			cand[nc][0] = key;
			cand[nc][1] = (double)v;
			nc++;
			if (nc >= 4 * g + 64) { /* keep the buffer small: trim to the best g */
				qsort(cand, (size_t)nc, sizeof(cand[0]), cmp_key);
				nc = g;
				worst = cand[g - 1][0];
			}
		}
		qsort(cand, (size_t)nc, sizeof(cand[0]), cmp_key);
		int *out = &m->neigh[(size_t)u * (size_t)g];
		for (int k = 0; k < g; k++)
			out[k] = k < nc ? (int)cand[k][1] : -1;
	}
	free(cand);
	free(vs);
}

void rt_model_build(rt_model *m, const rt_problem *p, int gamma)
{
	memset(m, 0, sizeof(*m));
	m->p = p;
	m->nj = p->n_jobs;
	m->nb = p->n_breaks;
	m->nv = p->n_vehicles;
	m->nn = m->nj + m->nb + 2 * m->nv;
	m->dims = p->n_dims;
	m->nl = (size_t)p->n_locs;
	m->dur = p->dur;
	size_t nn = (size_t)m->nn;
	m->loc = xmalloc(sizeof(int) * nn);
	m->kind = xmalloc(sizeof(int) * nn);
	m->owner = xmalloc(sizeof(int) * nn);
	m->service = xmalloc(sizeof(double) * nn);
	m->tw_first = xmalloc(sizeof(int) * nn);
	m->tw_count = xmalloc(sizeof(int) * nn);
	m->ld = xcalloc(nn * (size_t)(3 * (m->dims > 0 ? m->dims : 1)), sizeof(int64_t));
	m->skills = xcalloc((size_t)m->nj + 1, sizeof(uint64_t));
	m->prio = xcalloc((size_t)m->nj + 1, sizeof(int));
	m->reason = xcalloc((size_t)m->nj + 1, sizeof(int));
	m->tws = xmalloc(sizeof(rt_tw) * (size_t)(p->n_tws + m->nv));
	if (p->n_tws > 0)
		memcpy(m->tws, p->tws, sizeof(rt_tw) * (size_t)p->n_tws);
	int D = m->dims;
	for (int j = 0; j < m->nj; j++) {
		const rt_job *jb = &p->jobs[j];
		m->loc[j] = jb->loc;
		m->kind[j] = RT_N_JOB;
		m->owner[j] = -1;
		m->service[j] = jb->service;
		m->tw_first[j] = jb->tw_first;
		m->tw_count[j] = jb->tw_count;
		m->skills[j] = jb->skills;
		m->prio[j] = jb->priority;
		for (int d = 0; d < D; d++) {
			int64_t *l = &m->ld[(size_t)j * 3 * (size_t)D];
			l[d] = jb->delivery[d];
			l[D + d] = jb->pickup[d];
			l[2 * D + d] = jb->delivery[d] > jb->pickup[d] ? jb->delivery[d] : jb->pickup[d];
			if (l[2 * D + d] > m->max_amount)
				m->max_amount = l[2 * D + d];
		}
		if (jb->tw_count > 1)
			m->multi_tw = true;
	}
	for (int v = 0; v < m->nv; v++) {
		const rt_vehicle *vh = &p->vehicles[v];
		int s = rt_start_node(m, v), e = rt_end_node(m, v);
		m->tws[p->n_tws + v] = (rt_tw){vh->tw_start, vh->tw_end};
		for (int k = 0; k < 2; k++) {
			int n = k ? e : s;
			m->loc[n] = k ? vh->end_loc : vh->start_loc;
			m->kind[n] = k ? RT_N_END : RT_N_START;
			m->owner[n] = v;
			m->service[n] = 0;
			m->tw_first[n] = p->n_tws + v;
			m->tw_count[n] = 1;
		}
		for (int b = vh->break_first; b < vh->break_first + vh->break_count; b++) {
			int n = m->nj + b;
			m->loc[n] = -1;
			m->kind[n] = RT_N_BREAK;
			m->owner[n] = v;
			m->service[n] = p->breaks[b].service;
			m->tw_first[n] = p->breaks[b].tw_first;
			m->tw_count[n] = p->breaks[b].tw_count;
			if (p->breaks[b].tw_count > 1)
				m->multi_tw = true;
			m->any_breaks = true;
		}
		if (vh->max_tasks < INT32_MAX)
			m->any_max_tasks = true;
	}
	const rt_vehicle *v0 = &p->vehicles[0];
	m->uniform_end = true;
	for (int v = 1; v < m->nv; v++)
		if (p->vehicles[v].end_loc != v0->end_loc || p->vehicles[v].tw_end != v0->tw_end)
			m->uniform_end = false;
	/* largest travel time among job locations and depots, for the initial load penalty */
	for (int j = 0; j < m->nj; j++) {
		int a = m->loc[j];
		for (int v = 0; v < m->nv; v++) {
			double d = rt_d(m, p->vehicles[v].start_loc, a);
			if (d > m->max_dist)
				m->max_dist = d;
		}
	}
	for (int j = 0; j < m->nj; j++) {
		int best = -1;
		for (int v = 0; v < m->nv && best < 4; v++) {
			int st = job_stage(m, j, v);
			if (st > best)
				best = st;
		}
		static const int reason_of[6] = {RT_UA_ROOM,   RT_UA_SKILLS, RT_UA_CAPACITY,
		                                 RT_UA_WINDOW, RT_UA_FAR,    RT_UA_NONE};
		m->reason[j] = reason_of[best + 1];
	}
	m->gamma = gamma < m->nj - 1 ? gamma : (m->nj > 1 ? m->nj - 1 : 0);
	build_neighbours(m);
	m->ang = xcalloc((size_t)m->nj + 1, sizeof(double));
	if (p->x && p->y) {
		int c = v0->start_loc >= 0 ? v0->start_loc : v0->end_loc;
		for (int j = 0; j < m->nj; j++)
			m->ang[j] = atan2(p->y[m->loc[j]] - p->y[c], p->x[m->loc[j]] - p->x[c]);
	} else {
		for (int j = 0; j < m->nj; j++)
			m->ang[j] = (double)j; /* no geometry: an arbitrary but fixed order */
	}
}

void rt_model_free(rt_model *m)
{
	free(m->loc);
	free(m->kind);
	free(m->owner);
	free(m->service);
	free(m->tw_first);
	free(m->tw_count);
	free(m->ld);
	free(m->skills);
	free(m->prio);
	free(m->reason);
	free(m->tws);
	free(m->neigh);
	free(m->ang);
	memset(m, 0, sizeof(*m));
}
