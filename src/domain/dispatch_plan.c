/*
 * dispatch_plan.c — the day's plan of a team over the route optimiser (dispatch_plan.h).
 *
 * Steps: each technician's working window and breaks (vehicle_set); which technician may take
 * which order (allowed, the dispatch rules of a manual dispatch without the time ones); groups
 * of technicians that share orders (a union-find), each solved as its own problem with one
 * optimiser skill per distinct set of allowed technicians (at most 64 in a group; a group with
 * more falls back to keeping its orders with their technicians); the given routes kept where
 * the plan is no better; then every route timed again with rt_schedule to report arrivals,
 * services, breaks and the legs. Locations: technician i is location i, job j is n_techs + j.
 */
#include "domain/dispatch_plan.h"
#include "route/rt.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dpl_reason_code(int reason)
{
	static const char *const code[] = {"none", "not_working", "no_technician", "window", "too_far", "no_room",
					   "too_complex"};
	return reason >= 0 && reason <= DPL_UA_COMPLEX ? code[reason] : "unknown";
}

const char *dpl_reason_text(int reason)
{
	switch (reason) {
	case DPL_UA_NOT_WORKING:
		return "its technician does not work that day (no shift, on leave, off duty or the day is over)";
	case DPL_UA_NO_TECH:
		return "no working technician of the team may take it (skill, level, certificate, brand or area)";
	case DPL_UA_WINDOW:
		return "its appointment is outside the working hours of the technicians who may take it, or already past";
	case DPL_UA_FAR:
		return "too far: nobody can reach it within its appointment and the working hours";
	case DPL_UA_ROOM:
		return "no room: it clashes with the other visits of the day (travel included), or the day is full";
	case DPL_UA_COMPLEX:
		return "too many different skill combinations to plan together: left with its technician";
	default:
		return "left as it is";
	}
}

/* A break as the optimiser sees it: it starts in [lo, hi] and lasts len. */
typedef struct brk {
	int64_t lo, hi, len;
	int kind;
} brk;

typedef struct veh {
	bool working;
	int64_t start, end;
	int nb;
	brk b[DPL_MAX_BREAKS];
} veh;

typedef struct ctx {
	const dpl_in *in;
	veh *v;         /* per technician */
	uint8_t *allow; /* n_jobs × n_techs */
} ctx;

/* A plan under construction: each technician's stops (job ≥ 0, break k of theirs as -1 - k). */
typedef struct assign {
	int *seq;  /* n_techs × cap */
	int *n;    /* per technician */
	int cap;   /* n_jobs + DPL_MAX_BREAKS */
	int *ua;   /* reason per job, DPL_UA_NONE when planned */
	int64_t iterations;
} assign;

#define SEQ(a, t) ((a)->seq + (size_t)(t) * (size_t)(a)->cap)

static int priority_weight(const dpl_job *j)
{
	int p = j->o.priority;
	return p >= 1 && p <= 4 ? (5 - p) * 10 : 20;
}

/* --- travel -------------------------------------------------------------------------------- */

static void loc_pos(const ctx *c, int loc, double *lat, double *lon, const char **region)
{
	const dpl_in *in = c->in;
	if (loc < in->n_techs) {
		*lat = in->techs[loc].lat;
		*lon = in->techs[loc].lon;
		*region = in->techs[loc].region;
	} else {
		const dsp_order *o = &in->jobs[loc - in->n_techs].o;
		*lat = o->lat;
		*lon = o->lon;
		*region = o->region;
	}
}

static double leg_km(const ctx *c, int a, int b)
{
	double la, oa, lb, ob;
	const char *ra, *rb;
	loc_pos(c, a, &la, &oa, &ra);
	loc_pos(c, b, &lb, &ob, &rb);
	double km = a == b ? 0 : dsp_km(la, oa, lb, ob);
	return isnan(km) ? 0 : km;
}

static int64_t leg_s(const ctx *c, int a, int b)
{
	if (a == b)
		return 0;
	double la, oa, lb, ob;
	const char *ra, *rb;
	loc_pos(c, a, &la, &oa, &ra);
	loc_pos(c, b, &lb, &ob, &rb);
	double km = dsp_km(la, oa, lb, ob);
	if (isnan(km))
		return c->in->prm.unknown_travel_s;
	int64_t x = dsp_travel_s(&c->in->prm, km, ra), y = dsp_travel_s(&c->in->prm, km, rb);
	return x > y ? x : y;
}

/* --- vehicles ------------------------------------------------------------------------------ */

static int span_cmp(const void *a, const void *b)
{
	const dsp_span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int brk_cmp(const void *a, const void *b)
{
	const brk *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void brk_add(veh *v, int64_t lo, int64_t hi, int64_t len, int kind)
{
	if (v->nb < DPL_MAX_BREAKS && len > 0)
		v->b[v->nb++] = (brk){lo, hi, len, kind};
}

/* Leave cuts the working window at either end, or becomes a break fixed in time. */
static void leave_apply(veh *v, const dsp_tech *t)
{
	dsp_span lv[64];
	size_t n = t->n_leave < 64 ? t->n_leave : 64;
	if (!n)
		return;
	memcpy(lv, t->leave, n * sizeof *lv);
	qsort(lv, n, sizeof *lv, span_cmp);
	for (size_t i = 0; i < n && v->start < v->end; i++) {
		if (lv[i].end <= v->start || lv[i].start >= v->end)
			continue;
		if (lv[i].start <= v->start)
			v->start = lv[i].end;
		else if (lv[i].end >= v->end)
			v->end = lv[i].start;
		else
			brk_add(v, lv[i].start, lv[i].start, lv[i].end - lv[i].start, DPL_LEAVE);
	}
}

static void vehicle_set(const dpl_in *in, const dsp_tech *t, veh *v)
{
	memset(v, 0, sizeof *v);
	dsp_span sp[32];
	size_t n = 0;
	for (size_t i = 0; i < t->n_shifts && n < 32; i++) {
		int64_t a = t->shifts[i].start > in->day_start ? t->shifts[i].start : in->day_start;
		int64_t b = t->shifts[i].end < in->day_end ? t->shifts[i].end : in->day_end;
		if (a < b)
			sp[n++] = (dsp_span){a, b};
	}
	if (!t->on_duty || !n)
		return;
	qsort(sp, n, sizeof *sp, span_cmp);
	v->start = sp[0].start;
	v->end = sp[0].end;
	for (size_t i = 1; i < n; i++) {
		int64_t gap = sp[i].start - v->end;
		int64_t flex = gap <= DPL_LUNCH_MAX_S ? DPL_LUNCH_FLEX_S : 0;
		if (gap > 0)
			brk_add(v, v->end - flex, v->end + flex, gap, DPL_LUNCH);
		if (sp[i].end > v->end)
			v->end = sp[i].end;
	}
	if (in->not_before > v->start)
		v->start = in->not_before;
	leave_apply(v, t);
	/* a break must start and end within the working window; one that cannot is dropped */
	int k = 0;
	for (int i = 0; i < v->nb; i++) {
		brk b = v->b[i];
		if (b.lo < v->start)
			b.lo = v->start;
		if (b.hi > v->end - b.len)
			b.hi = v->end - b.len;
		if (b.lo <= b.hi)
			v->b[k++] = b;
	}
	v->nb = k;
	qsort(v->b, (size_t)v->nb, sizeof *v->b, brk_cmp);
	v->working = v->start < v->end;
}

/* --- who may take what --------------------------------------------------------------------- */

#define TIME_RULES (DSP_OUTSIDE_SHIFT | DSP_DOUBLE_BOOKED | DSP_NO_SLOT | DSP_ON_LEAVE | DSP_OFF_DUTY)

/* As a manual dispatch checks them (store/dispatch.c dispatch_conflicts_tx), without the time
 * rules that the plan decides itself. */
static bool rules_ok(const ctx *c, int j, int t)
{
	const dpl_in *in = c->in;
	const dsp_tech *tech = &in->techs[t];
	dsp_order o = in->jobs[j].o;
	if (in->skills_known && !in->skills_known[t])
		o.category = NULL;
	int64_t s = o.win_start ? o.win_start : c->v[t].start;
	unsigned mask = dsp_check(&o, tech, s, s + in->jobs[j].service_s, &in->prm) & ~(unsigned)TIME_RULES;
	bool placeless = (isnan(o.lat) || isnan(o.lon)) && !(o.region && *o.region);
	if ((tech->radius_km <= 0 && !tech->n_regions) || placeless)
		mask &= ~(unsigned)DSP_OUT_OF_AREA;
	return mask == 0;
}

static void allow_set(ctx *c, int mode)
{
	const dpl_in *in = c->in;
	for (int j = 0; j < in->n_jobs; j++)
		for (int t = 0; t < in->n_techs; t++) {
			int own = in->jobs[j].tech;
			bool ok = c->v[t].working &&
				  (own == t || ((mode == DPL_TEAM || own < 0) && rules_ok(c, j, t)));
			c->allow[(size_t)j * (size_t)in->n_techs + (size_t)t] = ok;
		}
}

static const uint8_t *allow_row(const ctx *c, int j)
{
	return c->allow + (size_t)j * (size_t)c->in->n_techs;
}

/* --- one route timed ------------------------------------------------------------------------- */

/* The optimiser's problem for technicians ts[0..nt) and jobs js[0..nj); skill[k] the skill bits
 * of job js[k] (NULL: none), vskill[i] those of technician ts[i]. */
static void problem_build(const ctx *c, const int *ts, int nt, const int *js, int nj, const uint64_t *skill,
			  const uint64_t *vskill, rt_problem *p)
{
	const dpl_in *in = c->in;
	memset(p, 0, sizeof *p);
	int nbrk = 0;
	for (int i = 0; i < nt; i++)
		nbrk += c->v[ts[i]].nb;
	p->n_jobs = nj;
	p->n_vehicles = nt;
	p->n_locs = nt + nj;
	p->jobs = xcalloc((size_t)nj + 1, sizeof *p->jobs);
	p->vehicles = xcalloc((size_t)nt + 1, sizeof *p->vehicles);
	p->breaks = xcalloc((size_t)nbrk + 1, sizeof *p->breaks);
	p->tws = xcalloc((size_t)(nj + nbrk) + 1, sizeof *p->tws);
	p->dur = xcalloc((size_t)p->n_locs * (size_t)p->n_locs, sizeof *p->dur);
	int *glob = xcalloc((size_t)p->n_locs, sizeof *glob);
	for (int i = 0; i < nt; i++)
		glob[i] = ts[i];
	for (int k = 0; k < nj; k++)
		glob[nt + k] = in->n_techs + js[k];
	for (int a = 0; a < p->n_locs; a++)
		for (int b = 0; b < p->n_locs; b++)
			p->dur[(size_t)a * (size_t)p->n_locs + (size_t)b] = (double)leg_s(c, glob[a], glob[b]);
	free(glob);
	for (int k = 0; k < nj; k++) {
		const dpl_job *jb = &in->jobs[js[k]];
		int64_t lo = in->day_start, hi = in->day_end;
		if (jb->o.win_start) { /* service starts within [start, end) of the appointment */
			lo = jb->o.win_start;
			hi = jb->o.win_end > lo ? jb->o.win_end - 1 : lo;
		}
		p->tws[p->n_tws] = (rt_tw){(double)lo, (double)hi};
		p->jobs[k] = (rt_job){.id = js[k], .loc = nt + k, .service = (double)jb->service_s,
				      .skills = skill ? skill[k] : 0, .priority = priority_weight(jb),
				      .tw_first = p->n_tws++, .tw_count = 1};
	}
	for (int i = 0; i < nt; i++) {
		const veh *v = &c->v[ts[i]];
		rt_vehicle *vh = &p->vehicles[i];
		*vh = (rt_vehicle){.id = ts[i], .start_loc = i, .end_loc = -1, .skills = vskill ? vskill[i] : 0,
				   .tw_start = (double)v->start, .tw_end = (double)v->end, .break_first = p->n_breaks,
				   .break_count = v->nb, .max_tasks = INT32_MAX};
		for (int d = 0; d < RT_MAX_DIMS; d++)
			vh->capacity[d] = INT64_MAX;
		for (int b = 0; b < v->nb; b++) {
			p->tws[p->n_tws] = (rt_tw){(double)v->b[b].lo, (double)v->b[b].hi};
			p->breaks[p->n_breaks++] = (rt_break){.id = b, .service = (double)v->b[b].len,
							      .tw_first = p->n_tws++, .tw_count = 1};
		}
	}
}

/* The schedule of technician t's stops (jobs ≥ 0, breaks -1 - k) in their own problem. */
static void route_time(const ctx *c, int t, const int *stops, int n, rt_sched *out, rt_problem *p)
{
	int js[n + 1];
	int nj = 0;
	js[0] = 0;
	for (int k = 0; k < n; k++)
		if (stops[k] >= 0)
			js[nj++] = stops[k];
	problem_build(c, &t, 1, js, nj, NULL, NULL, p);
	int st[n + 1];
	for (int k = 0, q = 0; k < n; k++)
		st[k] = stops[k] >= 0 ? q++ : stops[k];
	rt_route r = {.vehicle = 0, .n = n, .stops = st};
	rt_schedule(p, &r, out);
}

static double sched_badness(const ctx *c, int t, const int *stops, int n)
{
	rt_problem p;
	rt_sched s;
	route_time(c, t, stops, n, &s, &p);
	double bad = s.lateness * 1e6 + s.steps[s.n - 1].arrival; /* on time, then done early */
	rt_sched_free(&s);
	rt_problem_free(&p);
	return bad;
}

/* Jobs in the given order with the technician's breaks put where they fit best (least
 * lateness, then the earliest end of the day); out has room for n + DPL_MAX_BREAKS. Returns
 * the count. The same rule times a plan and the plan applied, so both give the same times. */
static int breaks_place(const ctx *c, int t, const int *jobs, int n, int *out)
{
	memcpy(out, jobs, (size_t)n * sizeof *out);
	int m = n;
	int *trial = xcalloc((size_t)(n + DPL_MAX_BREAKS) + 1, sizeof *trial);
	for (int b = 0; b < c->v[t].nb; b++) {
		int best = 0;
		double best_bad = INFINITY;
		for (int pos = 0; pos <= m; pos++) {
			memcpy(trial, out, (size_t)pos * sizeof *trial);
			trial[pos] = -1 - b;
			memcpy(trial + pos + 1, out + pos, (size_t)(m - pos) * sizeof *trial);
			double bad = sched_badness(c, t, trial, m + 1);
			if (bad < best_bad) {
				best_bad = bad;
				best = pos;
			}
		}
		memmove(out + best + 1, out + best, (size_t)(m - best) * sizeof *out);
		out[best] = -1 - b;
		m++;
	}
	free(trial);
	return m;
}

/* Travel, km and lateness of technician t's stops. */
static void route_cost(const ctx *c, int t, const int *stops, int n, int64_t *travel, double *km, double *late)
{
	int at = t;
	*travel = 0;
	*km = 0;
	for (int k = 0; k < n; k++)
		if (stops[k] >= 0) {
			int loc = c->in->n_techs + stops[k];
			*travel += leg_s(c, at, loc);
			*km += leg_km(c, at, loc);
			at = loc;
		}
	if (late) {
		rt_problem p;
		rt_sched s;
		route_time(c, t, stops, n, &s, &p);
		*late = s.lateness;
		rt_sched_free(&s);
		rt_problem_free(&p);
	}
}

/* --- assignments ----------------------------------------------------------------------------- */

static void assign_init(assign *a, const dpl_in *in)
{
	memset(a, 0, sizeof *a);
	a->cap = in->n_jobs + DPL_MAX_BREAKS;
	a->seq = xcalloc((size_t)in->n_techs * (size_t)a->cap + 1, sizeof *a->seq);
	a->n = xcalloc((size_t)in->n_techs + 1, sizeof *a->n);
	a->ua = xcalloc((size_t)in->n_jobs + 1, sizeof *a->ua);
}

static void assign_free(assign *a)
{
	free(a->seq);
	free(a->n);
	free(a->ua);
	memset(a, 0, sizeof *a);
}

/* Comparison key: priority served, orders served, travel. */
typedef struct key {
	int64_t prio, served;
	double travel;
} key;

static int key_cmp(const key *a, const key *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio ? 1 : -1;
	if (a->served != b->served)
		return a->served > b->served ? 1 : -1;
	return a->travel < b->travel - 1e-9 ? 1 : a->travel > b->travel + 1e-9 ? -1 : 0;
}

static void key_add_route(const ctx *c, key *k, int t, const int *stops, int n)
{
	int64_t travel;
	double km;
	route_cost(c, t, stops, n, &travel, &km, NULL);
	k->travel += (double)travel;
	for (int i = 0; i < n; i++)
		if (stops[i] >= 0) {
			k->prio += priority_weight(&c->in->jobs[stops[i]]);
			k->served++;
		}
}

static key assign_key(const ctx *c, const assign *a)
{
	key k = {0};
	for (int t = 0; t < c->in->n_techs; t++)
		key_add_route(c, &k, t, SEQ(a, t), a->n[t]);
	return k;
}

/* --- groups ------------------------------------------------------------------------------------ */

static int uf_find(int *up, int x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

typedef struct group {
	int *ts, nt, *js, nj;
} group;

/* Groups of technicians linked by the orders they may take; jobs nobody may take are marked
 * in a->ua. Returns the number of groups (with at least one job); caller frees g[i] arrays. */
static int groups_make(const ctx *c, assign *a, group **out)
{
	const dpl_in *in = c->in;
	int n = in->n_techs + in->n_jobs;
	int *up = xcalloc((size_t)n + 1, sizeof *up);
	for (int x = 0; x < n; x++)
		up[x] = x;
	for (int j = 0; j < in->n_jobs; j++) {
		const uint8_t *row = allow_row(c, j);
		bool any = false;
		for (int t = 0; t < in->n_techs; t++)
			if (row[t]) {
				up[uf_find(up, in->n_techs + j)] = uf_find(up, t);
				any = true;
			}
		if (!any && !a->ua[j]) {
			int own = in->jobs[j].tech;
			a->ua[j] = own >= 0 && !c->v[own].working ? DPL_UA_NOT_WORKING : DPL_UA_NO_TECH;
		}
	}
	int *gid = xcalloc((size_t)n + 1, sizeof *gid);
	group *g = xcalloc((size_t)in->n_jobs + 1, sizeof *g);
	int ng = 0;
	for (int x = 0; x < n; x++)
		gid[x] = -1;
	for (int j = 0; j < in->n_jobs; j++) {
		if (a->ua[j])
			continue;
		int r = uf_find(up, in->n_techs + j);
		if (gid[r] < 0) {
			gid[r] = ng;
			g[ng].ts = xcalloc((size_t)in->n_techs + 1, sizeof(int));
			g[ng].js = xcalloc((size_t)in->n_jobs + 1, sizeof(int));
			ng++;
		}
		group *q = &g[gid[r]];
		q->js[q->nj++] = j;
	}
	for (int t = 0; t < in->n_techs; t++) {
		int r = uf_find(up, t);
		if (gid[r] >= 0)
			g[gid[r]].ts[g[gid[r]].nt++] = t;
	}
	free(up);
	free(gid);
	*out = g;
	return ng;
}

static void groups_free(group *g, int ng)
{
	for (int i = 0; i < ng; i++) {
		free(g[i].ts);
		free(g[i].js);
	}
	free(g);
}

/* One optimiser skill per distinct set of allowed technicians; -1 if more than RT_MAX_SKILLS. */
static int skills_make(const ctx *c, const group *g, uint64_t *skill, uint64_t *vskill)
{
	int rep[RT_MAX_SKILLS], nc = 0;
	size_t w = (size_t)c->in->n_techs;
	for (int k = 0; k < g->nj; k++) {
		int cls = -1;
		for (int q = 0; q < nc && cls < 0; q++)
			if (!memcmp(allow_row(c, g->js[k]), allow_row(c, rep[q]), w))
				cls = q;
		if (cls < 0) {
			if (nc == RT_MAX_SKILLS)
				return -1;
			rep[nc] = g->js[k];
			cls = nc++;
		}
		skill[k] = 1ull << cls;
	}
	for (int i = 0; i < g->nt; i++) {
		vskill[i] = 0;
		for (int q = 0; q < nc; q++)
			if (allow_row(c, rep[q])[g->ts[i]])
				vskill[i] |= 1ull << q;
	}
	return nc;
}

static int reason_of(int rt_reason)
{
	switch (rt_reason) {
	case RT_UA_SKILLS:
		return DPL_UA_NO_TECH;
	case RT_UA_WINDOW:
		return DPL_UA_WINDOW;
	case RT_UA_FAR:
		return DPL_UA_FAR;
	default:
		return DPL_UA_ROOM;
	}
}

/* The given routes of the group, when every one keeps its windows: candidate "as it is". */
static bool group_given(const ctx *c, const group *g, assign *a)
{
	const dpl_in *in = c->in;
	int *jobs = xcalloc((size_t)in->n_jobs + 1, sizeof *jobs);
	bool ok = true;
	for (int i = 0; i < g->nt && ok; i++) {
		int t = g->ts[i], n = 0;
		for (int j = 0; j < in->n_jobs; j++)
			if (in->jobs[j].tech == t)
				jobs[n++] = j;
		a->n[t] = breaks_place(c, t, jobs, n, SEQ(a, t));
		int64_t travel;
		double km, late;
		route_cost(c, t, SEQ(a, t), a->n[t], &travel, &km, &late);
		ok = late <= 0;
	}
	for (int k = 0; k < g->nj; k++) {
		int own = in->jobs[g->js[k]].tech;
		if (own < 0 || !c->v[own].working)
			a->ua[g->js[k]] = DPL_UA_ROOM;
	}
	free(jobs);
	return ok;
}

static key group_key(const ctx *c, const group *g, const assign *a)
{
	key k = {0};
	for (int i = 0; i < g->nt; i++)
		key_add_route(c, &k, g->ts[i], SEQ(a, g->ts[i]), a->n[g->ts[i]]);
	return k;
}

static void group_copy(const group *g, const assign *from, assign *to)
{
	for (int i = 0; i < g->nt; i++) {
		int t = g->ts[i];
		to->n[t] = from->n[t];
		memcpy(SEQ(to, t), SEQ(from, t), (size_t)from->n[t] * sizeof(int));
	}
	for (int k = 0; k < g->nj; k++)
		to->ua[g->js[k]] = from->ua[g->js[k]];
}

/* Solve one group into a (its technicians' sequences and its jobs' reasons). */
static bool group_solve(const ctx *c, const group *g, const uint64_t *skill, const uint64_t *vskill, double limit,
			assign *a, char *err, size_t errlen)
{
	rt_problem p;
	problem_build(c, g->ts, g->nt, g->js, g->nj, skill, vskill, &p);
	if (rt_problem_check(&p, err, errlen)) {
		rt_problem_free(&p);
		return false;
	}
	rt_params par;
	rt_params_default(&par);
	par.time_limit = limit;
	par.seed = c->in->seed;
	par.max_iterations = c->in->iterations;
	rt_solution s;
	rt_solve(&p, &par, &s);
	a->iterations += s.iterations;
	for (int i = 0; i < g->nt; i++)
		a->n[g->ts[i]] = 0;
	for (int r = 0; r < s.n_routes; r++) {
		const rt_route *rr = &s.routes[r];
		const rt_vehicle *vh = &p.vehicles[rr->vehicle];
		int t = (int)vh->id, *q = SEQ(a, t);
		for (int k = 0; k < rr->n; k++)
			q[k] = rr->stops[k] >= 0 ? (int)p.jobs[rr->stops[k]].id : -1 - (-1 - rr->stops[k] - vh->break_first);
		a->n[t] = rr->n;
	}
	for (int k = 0; k < g->nj; k++)
		a->ua[g->js[k]] = DPL_UA_NONE;
	for (int u = 0; u < s.n_unassigned; u++)
		a->ua[p.jobs[s.unassigned[u]].id] = reason_of(s.reason[u]);
	rt_solution_free(&s);
	rt_problem_free(&p);
	return true;
}

/* Keep only each job's own technician (a group too varied to plan together). */
static void group_narrow(ctx *c, const group *g, assign *a)
{
	for (int k = 0; k < g->nj; k++) {
		int j = g->js[k], own = c->in->jobs[j].tech;
		uint8_t *row = c->allow + (size_t)j * (size_t)c->in->n_techs;
		memset(row, 0, (size_t)c->in->n_techs);
		if (own >= 0 && c->v[own].working)
			row[own] = 1;
		else
			a->ua[j] = DPL_UA_COMPLEX;
	}
}

/* The whole plan for one mode into a. */
static bool plan_mode(ctx *c, int mode, double limit, assign *a, char *err, size_t errlen)
{
	const dpl_in *in = c->in;
	allow_set(c, mode);
	group *g = NULL;
	int ng;
	for (;;) { /* regroup after narrowing a group that has too many skill sets */
		memset(a->ua, 0, (size_t)in->n_jobs * sizeof *a->ua);
		ng = groups_make(c, a, &g);
		bool narrowed = false;
		for (int i = 0; i < ng; i++) {
			uint64_t sk[g[i].nj + 1], vs[g[i].nt + 1];
			if (skills_make(c, &g[i], sk, vs) < 0) {
				group_narrow(c, &g[i], a);
				narrowed = true;
			}
		}
		if (!narrowed)
			break;
		groups_free(g, ng);
	}
	int total = 0;
	for (int i = 0; i < ng; i++)
		total += g[i].nj;
	bool ok = true;
	assign given;
	assign_init(&given, in);
	for (int i = 0; i < ng && ok; i++) {
		uint64_t sk[g[i].nj + 1], vs[g[i].nt + 1];
		skills_make(c, &g[i], sk, vs);
		double share = limit * g[i].nj / (total ? total : 1);
		ok = group_solve(c, &g[i], sk, vs, share > 0.02 ? share : 0.02, a, err, errlen);
		if (ok && group_given(c, &g[i], &given)) {
			key kg = group_key(c, &g[i], &given), ka = group_key(c, &g[i], a);
			if (key_cmp(&kg, &ka) >= 0)
				group_copy(&g[i], &given, a);
		}
	}
	assign_free(&given);
	groups_free(g, ng);
	return ok;
}

/* The breaks of each route put by breaks_place (as dpl_plan_fixed will), unless that makes
 * it late where the optimiser's placement was not. */
static void breaks_normalise(const ctx *c, assign *a)
{
	int *jobs = xcalloc((size_t)a->cap + 1, sizeof *jobs), *st = xcalloc((size_t)a->cap + 1, sizeof *st);
	for (int t = 0; t < c->in->n_techs; t++) {
		int n = 0;
		for (int k = 0; k < a->n[t]; k++)
			if (SEQ(a, t)[k] >= 0)
				jobs[n++] = SEQ(a, t)[k];
		if (!n)
			continue;
		int m = breaks_place(c, t, jobs, n, st);
		int64_t travel;
		double km, late;
		route_cost(c, t, st, m, &travel, &km, &late);
		if (late <= 0) {
			memcpy(SEQ(a, t), st, (size_t)m * sizeof *st);
			a->n[t] = m;
		}
	}
	free(jobs);
	free(st);
}

static int moves_of(const dpl_in *in, const assign *a)
{
	int moved = 0;
	for (int t = 0; t < in->n_techs; t++)
		for (int k = 0; k < a->n[t]; k++) {
			int j = SEQ(a, t)[k];
			moved += j >= 0 && in->jobs[j].tech >= 0 && in->jobs[j].tech != t;
		}
	return moved;
}

/* --- the plan as reported ------------------------------------------------------------------ */

static void route_report(const ctx *c, int t, const int *stops, int n, dpl_route *r)
{
	rt_problem p;
	rt_sched s;
	route_time(c, t, stops, n, &s, &p);
	r->stops = xcalloc((size_t)n + 1, sizeof *r->stops);
	int at = t;
	for (int k = 0; k < n; k++) {
		const rt_step *st = &s.steps[k + 1];
		int64_t arr = llround(st->arrival), beg = llround(st->arrival + st->waiting), end = llround(st->arrival + st->waiting + st->service);
		if (stops[k] < 0) {
			if (r->n_breaks < DPL_MAX_BREAKS)
				r->breaks[r->n_breaks++] = (dpl_break){beg, end, c->v[t].b[-1 - stops[k]].kind};
			continue;
		}
		int loc = c->in->n_techs + stops[k];
		dpl_stop *d = &r->stops[r->n_stops++];
		*d = (dpl_stop){.job = stops[k], .arrival = arr, .start = beg, .end = end, .travel_s = leg_s(c, at, loc),
				.km = leg_km(c, at, loc)};
		r->travel_after_s += d->travel_s;
		r->km_after += d->km;
		at = loc;
	}
	rt_sched_free(&s);
	rt_problem_free(&p);
}

static void before_report(const ctx *c, int t, dpl_route *r)
{
	const dpl_in *in = c->in;
	r->before = xcalloc((size_t)in->n_jobs + 1, sizeof *r->before);
	for (int j = 0; j < in->n_jobs; j++)
		if (in->jobs[j].tech == t)
			r->before[r->n_before++] = j;
	int *st = xcalloc((size_t)(r->n_before + DPL_MAX_BREAKS) + 1, sizeof *st);
	int n = breaks_place(c, t, r->before, r->n_before, st);
	double late = 0;
	route_cost(c, t, st, n, &r->travel_before_s, &r->km_before, c->v[t].working ? &late : NULL);
	r->before_feasible = c->v[t].working ? late <= 0 : r->n_before == 0;
	free(st);
}

static void report(const ctx *c, const assign *a, dpl_plan *out)
{
	const dpl_in *in = c->in;
	out->n_routes = in->n_techs;
	out->routes = xcalloc((size_t)in->n_techs + 1, sizeof *out->routes);
	out->ua = xcalloc((size_t)in->n_jobs + 1, sizeof *out->ua);
	for (int t = 0; t < in->n_techs; t++) {
		dpl_route *r = &out->routes[t];
		r->working = c->v[t].working;
		r->work_start = c->v[t].start;
		r->work_end = c->v[t].end;
		before_report(c, t, r);
		route_report(c, t, SEQ(a, t), a->n[t], r);
		out->travel_before_s += r->travel_before_s;
		out->km_before += r->km_before;
		out->travel_after_s += r->travel_after_s;
		out->km_after += r->km_after;
		for (int k = 0; k < r->n_stops; k++) {
			int own = in->jobs[r->stops[k].job].tech;
			out->moved += own >= 0 && own != t;
			out->assigned += own < 0;
		}
	}
	for (int j = 0; j < in->n_jobs; j++)
		if (a->ua[j])
			out->ua[out->n_ua++] = (dpl_unassigned){j, a->ua[j]};
}

static void ctx_init(ctx *c, const dpl_in *in)
{
	c->in = in;
	c->v = xcalloc((size_t)in->n_techs + 1, sizeof *c->v);
	c->allow = xcalloc((size_t)in->n_jobs * (size_t)in->n_techs + 1, 1);
	for (int t = 0; t < in->n_techs; t++)
		vehicle_set(in, &in->techs[t], &c->v[t]);
}

static void ctx_free(ctx *c)
{
	free(c->v);
	free(c->allow);
}

bool dpl_plan_make(const dpl_in *in, dpl_plan *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int64_t t0 = now_ms();
	ctx c;
	ctx_init(&c, in);
	assign keep;
	assign_init(&keep, in);
	double limit = in->time_limit > 0 ? in->time_limit : 0.01;
	bool ok = plan_mode(&c, DPL_KEEP, in->mode == DPL_TEAM ? limit / 3 : limit, &keep, err, errlen);
	assign *best = &keep, team;
	assign_init(&team, in);
	if (ok && in->mode == DPL_TEAM) {
		ok = plan_mode(&c, DPL_TEAM, limit * 2 / 3, &team, err, errlen);
		key kk = assign_key(&c, &keep), kt = assign_key(&c, &team);
		int moved = moves_of(in, &team);
		bool more = kt.prio > kk.prio || (kt.prio == kk.prio && kt.served > kk.served);
		bool same = kt.prio == kk.prio && kt.served == kk.served;
		if (ok && (more || (same && kk.travel - kt.travel >= (double)DPL_MOVE_MIN_S * (moved ? moved : 1)))) {
			best = &team;
			out->moves_kept = moved > 0;
		}
	}
	if (ok) {
		breaks_normalise(&c, best);
		report(&c, best, out);
	}
	out->iterations = keep.iterations + team.iterations;
	out->seconds = (double)(now_ms() - t0) / 1000.0;
	assign_free(&keep);
	assign_free(&team);
	ctx_free(&c);
	return ok;
}

int dpl_plan_fixed(const dpl_in *in, int *const *seq, const int *n, dpl_plan *out, int *bad_tech, int *bad_job)
{
	memset(out, 0, sizeof *out);
	*bad_tech = *bad_job = -1;
	ctx c;
	ctx_init(&c, in);
	allow_set(&c, DPL_TEAM);
	assign a;
	assign_init(&a, in);
	uint8_t *seen = xcalloc((size_t)in->n_jobs + 1, 1);
	int rc = DPL_OK;
	for (int t = 0; t < in->n_techs && rc == DPL_OK; t++) {
		for (int k = 0; k < n[t] && rc == DPL_OK; k++) {
			int j = seq[t][k];
			*bad_tech = t;
			*bad_job = j;
			if (j < 0 || j >= in->n_jobs || seen[j])
				rc = DPL_BAD_JOB;
			else if (!c.v[t].working)
				rc = DPL_NOT_WORKING;
			else if (!allow_row(&c, j)[t])
				rc = DPL_NOT_ALLOWED;
			else
				seen[j] = 1;
		}
		if (rc != DPL_OK || !n[t])
			continue;
		a.n[t] = breaks_place(&c, t, seq[t], n[t], SEQ(&a, t));
		int64_t travel;
		double km, late;
		route_cost(&c, t, SEQ(&a, t), a.n[t], &travel, &km, &late);
		*bad_job = -1;
		if (late > 0)
			rc = DPL_LATE;
	}
	if (rc == DPL_OK) {
		*bad_tech = *bad_job = -1;
		report(&c, &a, out);
		for (int j = 0; j < in->n_jobs; j++)
			if (!seen[j])
				out->ua[out->n_ua++] = (dpl_unassigned){j, DPL_UA_NONE};
	}
	free(seen);
	assign_free(&a);
	ctx_free(&c);
	return rc;
}

void dpl_plan_free(dpl_plan *p)
{
	for (int t = 0; t < p->n_routes; t++) {
		free(p->routes[t].before);
		free(p->routes[t].stops);
	}
	free(p->routes);
	free(p->ua);
	memset(p, 0, sizeof *p);
}
