/*
 * dispatch_int.h — what the dispatch files share among themselves (not for callers): the score
 * terms, so that the spatial index bounds a score with the very functions that compute it.
 */
#ifndef FUWU_DISPATCH_INT_H
#define FUWU_DISPATCH_INT_H

#include "domain/dispatch.h"

#define DSP_KM_PER_DEG 111.19508 /* one degree of a great circle of radius 6371.0088 km */

/* The per-order part of the score: urgency u and the customer-class factor c. */
typedef struct dsp_weights {
	double u, c;
} dsp_weights;

void dsp_order_weights(const dsp_order *o, dsp_weights *w);
double dsp_term_near(int64_t travel_s);
double dsp_term_soon(int64_t reach_s);
double dsp_term_balance(const dsp_tech *t);
double dsp_term_status(const dsp_tech *t); /* before the class factor c */
double dsp_term_outcome(const dsp_tech *t);
/* The score from its terms; non-decreasing in each term (the index relies on it). */
double dsp_combine(const dsp_params *p, const dsp_weights *w, double near, double balance, double status,
		   double outcome, double soon);

bool dsp_has_pos(double lat, double lon);
/* Insert c into the sorted top[0..n) of capacity cap; returns the new count. */
size_t dsp_top_insert(dsp_candidate *top, size_t n, size_t cap, const dsp_candidate *c);
size_t dsp_top_cap(const dsp_params *p, size_t top_n);
/* Keep the most telling reason an order could not be placed: a technician who passed every
 * rule but had no free slot, else the one with the fewest reasons. */
void dsp_note_miss(unsigned *miss, unsigned why);

/* dsp_grid_rank that also reports the nearest miss (when nothing is found). */
size_t dsp_grid_search(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now, dsp_candidate *out,
		       size_t top_n, unsigned *miss);

#endif
