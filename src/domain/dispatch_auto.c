/*
 * dispatch_auto.c — automatic dispatch of a backlog (DOMAIN §4: "automatic dispatch by nearest,
 * balanced, skills …"; "a technician is not booked twice for the same time").
 *
 * Greedy: the most urgent order first (priority, then SLA slack, then id), each to the best
 * candidate of the spatial index at that candidate's earliest feasible start. The slot is
 * booked at once on a private copy of the technician, with one more open order and the booked
 * minutes, so every later order sees it: its slot search steps past the booking plus the
 * travel to and from it, which is why no double booking can come out. Balance only falls as
 * work is added, so the index's per-cell maxima stay valid bounds throughout.
 */
#include "domain/dispatch_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct work {
	dsp_tech *techs;      /* copies; booked points into books */
	dsp_booking **books;  /* per technician, owned */
	size_t *cap;          /* capacity of books[i] */
	size_t n;
} work;

static void work_free(work *w)
{
	for (size_t i = 0; w->books && i < w->n; i++)
		free(w->books[i]);
	free(w->books);
	free(w->cap);
	free(w->techs);
}

static bool work_init(work *w, const dsp_tech *techs, size_t n)
{
	*w = (work){.n = n};
	w->techs = malloc((n ? n : 1) * sizeof *w->techs);
	w->books = calloc(n ? n : 1, sizeof *w->books);
	w->cap = malloc((n ? n : 1) * sizeof *w->cap);
	if (!w->techs || !w->books || !w->cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		w->techs[i] = techs[i];
		w->cap[i] = techs[i].n_booked + 4;
		if (!(w->books[i] = malloc(w->cap[i] * sizeof **w->books)))
			return false;
		if (techs[i].n_booked)
			memcpy(w->books[i], techs[i].booked, techs[i].n_booked * sizeof **w->books);
		w->techs[i].booked = w->books[i];
	}
	return true;
}

static bool book(work *w, size_t i, const dsp_order *o, int64_t start)
{
	dsp_tech *t = &w->techs[i];
	if (t->n_booked == w->cap[i]) {
		dsp_booking *b = realloc(w->books[i], 2 * w->cap[i] * sizeof *b);
		if (!b)
			return false;
		w->books[i] = b;
		w->cap[i] *= 2;
		t->booked = b;
	}
	w->books[i][t->n_booked++] = (dsp_booking){start, start + o->duration_s, o->id, o->lat, o->lon, o->region};
	t->open_orders++;
	t->booked_min += (int)(o->duration_s / 60);
	return true;
}

static int by_urgency(const void *a, const void *b)
{
	const dsp_order *x = *(const dsp_order *const *)a, *y = *(const dsp_order *const *)b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->sla_slack_s != y->sla_slack_s)
		return x->sla_slack_s < y->sla_slack_s ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

bool dsp_auto(const dsp_order *orders, size_t n_orders, const dsp_tech *techs, size_t n_techs, const dsp_params *p,
	      int64_t now, dsp_assignment *out, size_t *n_assigned)
{
	bool ok = false;
	work w;
	dsp_grid *g = NULL;
	const dsp_order **queue = malloc((n_orders ? n_orders : 1) * sizeof *queue);
	*n_assigned = 0;
	if (!work_init(&w, techs, n_techs) || !queue || !(g = dsp_grid_build(w.techs, n_techs, 0)))
		goto out;
	for (size_t i = 0; i < n_orders; i++)
		queue[i] = &orders[i];
	qsort(queue, n_orders, sizeof *queue, by_urgency);
	for (size_t k = 0; k < n_orders; k++) {
		const dsp_order *o = queue[k];
		dsp_assignment *a = &out[o - orders];
		dsp_candidate c;
		unsigned miss;
		*a = (dsp_assignment){.order_id = o->id};
		if (!dsp_grid_search(g, o, p, now, &c, 1, &miss)) {
			a->reasons = miss ? miss : DSP_OUT_OF_AREA; /* nobody serves the place */
			continue;
		}
		if (!book(&w, c.tech, o, c.start))
			goto out;
		*a = (dsp_assignment){o->id, c.tech_id, c.tech, c.start, c.start + o->duration_s, c.score, 0};
		(*n_assigned)++;
	}
	ok = true;
out:
	dsp_grid_free(g);
	work_free(&w);
	free(queue);
	return ok;
}
