/*
 * dispatch_grid.c — the spatial index of dispatch suggestions (see dispatch.h "spatial index").
 *
 * Technicians with a position go into a uniform grid of roughly square cells (a cell is
 * cell_km high and cell_km wide at the middle latitude), stored as one array sorted by cell
 * with an offset per cell. A query walks rings of cells around the order's cell, nearest ring
 * first. Because every score term but "near" and "soon" belongs to the technician alone, each
 * cell keeps the maxima of those terms; with a lower bound on the distance to a cell that gives
 * an upper bound on any score inside it. A cell whose bound is below the N-th best found is
 * skipped, and the walk stops at the first ring whose bound (with the maxima over the whole
 * grid) is below it — so the answer is exactly dsp_rank's.
 *
 * Technicians without a position, and every query for an order without one, go through the
 * per-city list: (city code, technician) pairs for home and service regions, sorted by code.
 * With an unknown distance the area rule is the city match, so the list holds exactly the
 * technicians that can pass.
 *
 * Distance bounds use the equirectangular distance with the smallest cos(latitude) in play,
 * less 1% (it exceeds the great-circle distance by far less than that within 1000 km), and
 * are capped at 1000 km; fuwu serves one country, not the antimeridian.
 */
#include "domain/dispatch_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOUND_CAP_KM 1000.0
#define BOUND_SLACK 0.99

typedef struct term_max {
	double balance, status, outcome;
} term_max;

typedef struct reg_entry {
	const char *region;
	size_t tech;
} reg_entry;

struct dsp_grid {
	const dsp_tech *techs;
	double lat0, lon0;  /* south-west corner */
	double dlat, dlon;  /* cell size in degrees */
	long nx, ny;        /* 0 when no technician has a position */
	double cos_box;     /* cos of the largest |latitude| the cells reach */
	size_t *cell_start; /* nx·ny + 1 offsets into cell_tech */
	size_t *cell_tech;  /* technician indices, by cell */
	term_max *cell_max; /* per cell */
	term_max all;       /* over every technician in the grid */
	reg_entry *reg;     /* sorted by region, then tech; no duplicates */
	size_t n_reg;
};

static void raise_max(term_max *m, const dsp_tech *t)
{
	double b = dsp_term_balance(t), s = dsp_term_status(t), o = dsp_term_outcome(t);
	m->balance = b > m->balance ? b : m->balance;
	m->status = s > m->status ? s : m->status;
	m->outcome = o > m->outcome ? o : m->outcome;
}

static long cell_of(double v, double origin, double size)
{
	double c = floor((v - origin) / size);
	return c < -1e6 ? -1000000 : c > 1e6 ? 1000000 : (long)c;
}

/* Bounding box and cell size; the cell grows until there are at most ~4 cells a technician,
 * so sparse or spread-out technicians cannot make the grid huge. */
static void size_grid(dsp_grid *g, const dsp_tech *t, size_t n, size_t n_pos, double cell_km)
{
	double la0 = 90, la1 = -90, lo0 = 180, lo1 = -180;
	for (size_t i = 0; i < n; i++) {
		if (!dsp_has_pos(t[i].lat, t[i].lon))
			continue;
		la0 = fmin(la0, t[i].lat), la1 = fmax(la1, t[i].lat);
		lo0 = fmin(lo0, t[i].lon), lo1 = fmax(lo1, t[i].lon);
	}
	double c = fmax(cos((la0 + la1) / 2 * M_PI / 180), 0.1);
	g->lat0 = la0, g->lon0 = lo0;
	g->dlat = (cell_km > 0 ? cell_km : 2) / DSP_KM_PER_DEG;
	for (;;) {
		g->dlon = g->dlat / c;
		g->nx = cell_of(lo1, lo0, g->dlon) + 1;
		g->ny = cell_of(la1, la0, g->dlat) + 1;
		if ((double)g->nx * (double)g->ny <= 4.0 * (double)n_pos + 1024)
			break;
		g->dlat *= 1.5;
	}
	double top = fmax(fabs(la0), fabs(la0 + (double)g->ny * g->dlat));
	g->cos_box = fmax(cos(fmin(top, 89.0) * M_PI / 180), 0.0);
}

static bool fill_cells(dsp_grid *g, const dsp_tech *t, size_t n, size_t n_pos)
{
	size_t cells = (size_t)(g->nx * g->ny);
	g->cell_start = calloc(cells + 1, sizeof *g->cell_start);
	g->cell_tech = malloc((n_pos ? n_pos : 1) * sizeof *g->cell_tech);
	g->cell_max = calloc(cells, sizeof *g->cell_max);
	if (!g->cell_start || !g->cell_tech || !g->cell_max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (dsp_has_pos(t[i].lat, t[i].lon))
			g->cell_start[cell_of(t[i].lat, g->lat0, g->dlat) * g->nx + cell_of(t[i].lon, g->lon0, g->dlon) + 1]++;
	for (size_t c = 0; c < cells; c++)
		g->cell_start[c + 1] += g->cell_start[c];
	/* Counting sort; cell_start[c] walks from the cell's start to its end, then is restored. */
	for (size_t i = 0; i < n; i++) {
		if (!dsp_has_pos(t[i].lat, t[i].lon))
			continue;
		size_t c = (size_t)(cell_of(t[i].lat, g->lat0, g->dlat) * g->nx + cell_of(t[i].lon, g->lon0, g->dlon));
		g->cell_tech[g->cell_start[c]++] = i;
		raise_max(&g->cell_max[c], &t[i]);
		raise_max(&g->all, &t[i]);
	}
	for (size_t c = cells; c > 0; c--)
		g->cell_start[c] = g->cell_start[c - 1];
	g->cell_start[0] = 0;
	return true;
}

static int reg_cmp(const void *a, const void *b)
{
	const reg_entry *x = a, *y = b;
	int c = strcmp(x->region, y->region);
	return c ? c : (x->tech > y->tech) - (x->tech < y->tech);
}

static bool fill_regions(dsp_grid *g, const dsp_tech *t, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += 1 + t[i].n_regions;
	g->reg = malloc((total ? total : 1) * sizeof *g->reg);
	if (!g->reg)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i].region && *t[i].region)
			g->reg[g->n_reg++] = (reg_entry){t[i].region, i};
		for (size_t k = 0; k < t[i].n_regions; k++)
			if (t[i].regions[k] && *t[i].regions[k])
				g->reg[g->n_reg++] = (reg_entry){t[i].regions[k], i};
	}
	qsort(g->reg, g->n_reg, sizeof *g->reg, reg_cmp);
	size_t w = 0;
	for (size_t r = 0; r < g->n_reg; r++)
		if (w == 0 || reg_cmp(&g->reg[w - 1], &g->reg[r]))
			g->reg[w++] = g->reg[r];
	g->n_reg = w;
	return true;
}

dsp_grid *dsp_grid_build(const dsp_tech *techs, size_t n, double cell_km)
{
	dsp_grid *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->techs = techs;
	size_t n_pos = 0;
	for (size_t i = 0; i < n; i++)
		n_pos += dsp_has_pos(techs[i].lat, techs[i].lon);
	if (n_pos)
		size_grid(g, techs, n, n_pos, cell_km);
	if ((n_pos && !fill_cells(g, techs, n, n_pos)) || !fill_regions(g, techs, n)) {
		dsp_grid_free(g);
		return NULL;
	}
	return g;
}

void dsp_grid_free(dsp_grid *g)
{
	if (!g)
		return;
	free(g->cell_start);
	free(g->cell_tech);
	free(g->cell_max);
	free(g->reg);
	free(g);
}

typedef struct search {
	const dsp_grid *g;
	const dsp_order *o;
	const dsp_params *p;
	int64_t now;
	int64_t ready;  /* max(now, window start) */
	dsp_weights w;
	double cos_q;   /* smallest cos(latitude) between the order and the cells */
	dsp_candidate *out;
	size_t cap, got;
	unsigned miss;
	const unsigned char *skip; /* skip[i]: technician i is not searched (NULL: none) */
} search;

static void visit(search *s, size_t i)
{
	if (s->skip && s->skip[i])
		return;
	dsp_candidate c;
	unsigned why = dsp_eval(s->o, &s->g->techs[i], s->p, s->now, &c);
	if (why) {
		dsp_note_miss(&s->miss, why);
		return;
	}
	c.tech = i;
	s->got = dsp_top_insert(s->out, s->got, s->cap, &c);
}

/* Can a technician at least km away, with terms at most m, still enter the top? */
static bool may_enter(const search *s, double km, const term_max *m)
{
	if (s->got < s->cap)
		return true;
	int64_t travel = dsp_travel_s(s->p, fmin(km, BOUND_CAP_KM), s->o->region);
	/* The start is at least now + travel: reach ≥ now + travel − ready. */
	double soon = dsp_term_soon(s->now + travel - s->ready);
	return dsp_combine(s->p, &s->w, dsp_term_near(travel), m->balance, m->status, m->outcome, soon) >=
	       s->out[s->got - 1].score;
}

static double bound_km(const search *s, double dlat_deg, double dlon_deg)
{
	double y = dlat_deg, x = dlon_deg * s->cos_q;
	return BOUND_SLACK * DSP_KM_PER_DEG * sqrt(x * x + y * y);
}

/* Degrees from v to the interval [lo, lo + size]; 0 inside. */
static double gap(double v, double lo, double size)
{
	return v < lo ? lo - v : v > lo + size ? v - lo - size : 0;
}

static void visit_cell(search *s, long x, long y)
{
	const dsp_grid *g = s->g;
	size_t c = (size_t)(y * g->nx + x);
	if (g->cell_start[c] == g->cell_start[c + 1])
		return;
	double km = bound_km(s, gap(s->o->lat, g->lat0 + (double)y * g->dlat, g->dlat),
			     gap(s->o->lon, g->lon0 + (double)x * g->dlon, g->dlon));
	if (!may_enter(s, km, &g->cell_max[c]))
		return;
	for (size_t k = g->cell_start[c]; k < g->cell_start[c + 1]; k++)
		visit(s, g->cell_tech[k]);
}

static long lmax(long a, long b)
{
	return a > b ? a : b;
}

static void walk_rings(search *s)
{
	const dsp_grid *g = s->g;
	long qx = cell_of(s->o->lon, g->lon0, g->dlon), qy = cell_of(s->o->lat, g->lat0, g->dlat);
	/* Rings nearer than r0 hold no cell of the grid; beyond rmax there is none either. */
	long r0 = lmax(lmax(qx - (g->nx - 1), -qx), lmax(qy - (g->ny - 1), -qy));
	long rmax = lmax(lmax(qx, g->nx - 1 - qx), lmax(qy, g->ny - 1 - qy));
	double cell_km = BOUND_SLACK * DSP_KM_PER_DEG * fmin(g->dlat, g->dlon * s->cos_q);
	for (long r = lmax(r0, 0); r <= rmax; r++) {
		/* Every cell of ring r is at least r − 1 whole cells away from the order's own cell. */
		if (r > 1 && !may_enter(s, (double)(r - 1) * cell_km, &g->all))
			break;
		for (long y = lmax(qy - r, 0); y <= qy + r && y < g->ny; y++) {
			if (y == qy - r || y == qy + r) {
				for (long x = lmax(qx - r, 0); x <= qx + r && x < g->nx; x++)
					visit_cell(s, x, y);
				continue;
			}
			if (qx - r >= 0 && qx - r < g->nx)
				visit_cell(s, qx - r, y);
			if (r > 0 && qx + r >= 0 && qx + r < g->nx)
				visit_cell(s, qx + r, y);
		}
	}
}

static size_t search_run(search *s, const size_t *also, size_t n_also, unsigned *miss);

size_t dsp_grid_search(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now, dsp_candidate *out,
		       size_t top_n, unsigned *miss)
{
	search s = {.g = g, .o = o, .p = p, .now = now, .out = out, .cap = dsp_top_cap(p, top_n)};
	return search_run(&s, NULL, 0, miss);
}

size_t dsp_grid_rank_ex(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now,
			const unsigned char *skip, const size_t *also, size_t n_also, dsp_candidate *out, size_t top_n)
{
	search s = {.g = g, .o = o, .p = p, .now = now, .out = out, .cap = dsp_top_cap(p, top_n), .skip = skip};
	return search_run(&s, also, n_also, NULL);
}

/* The technicians of `also` first, one by one (a fuller top makes the walk prune more), then
 * the city list and the rings, which leave out s->skip. */
static size_t search_run(search *s, const size_t *also, size_t n_also, unsigned *miss)
{
	const dsp_grid *g = s->g;
	const dsp_order *o = s->o;
	if (miss)
		*miss = 0;
	if (s->cap == 0)
		return 0;
	dsp_order_weights(o, &s->w);
	s->ready = s->now > o->win_start ? s->now : o->win_start;
	for (size_t k = 0; k < n_also; k++) {
		dsp_candidate c;
		unsigned why = dsp_eval(o, &g->techs[also[k]], s->p, s->now, &c);
		if (why) {
			dsp_note_miss(&s->miss, why);
			continue;
		}
		c.tech = also[k];
		s->got = dsp_top_insert(s->out, s->got, s->cap, &c);
	}
	bool located = dsp_has_pos(o->lat, o->lon);
	if (o->region && *o->region && g->n_reg) {
		size_t lo = 0, hi = g->n_reg;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(g->reg[mid].region, o->region) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < g->n_reg && !strcmp(g->reg[lo].region, o->region); lo++) {
			size_t i = g->reg[lo].tech;
			if (s->skip && s->skip[i])
				continue;
			if (!located || !dsp_has_pos(g->techs[i].lat, g->techs[i].lon))
				visit(s, i);
		}
	}
	if (located && g->nx > 0) {
		s->cos_q = fmax(fmin(g->cos_box, cos(fmin(fabs(o->lat), 89.0) * M_PI / 180)), 0.01);
		walk_rings(s);
	}
	if (miss)
		*miss = s->miss;
	return s->got;
}

size_t dsp_grid_rank(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now, dsp_candidate *out,
		     size_t top_n)
{
	return dsp_grid_search(g, o, p, now, out, top_n, NULL);
}
