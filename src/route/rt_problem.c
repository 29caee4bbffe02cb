/*
 * rt_problem.c — the problem's invariants (rt_problem_check), the timed schedule of a route
 * as reported in the output (rt_schedule), travel times from coordinates, and freeing.
 *
 * Timing rules, shared with the solver's segment arithmetic (rt_seg.h): a vehicle leaves its
 * start, travels, may wait for a window to open, serves; a break is taken where the vehicle
 * is (after the previous stop, before travelling on), waiting for its window if needed.
 * Service (or a break) must start inside one of the stop's windows; it may end after it.
 */
#include "route/rt.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rt_reason_text(int reason)
{
	switch (reason) {
	case RT_UA_SKILLS:
		return "no vehicle has all the skills this job requires";
	case RT_UA_CAPACITY:
		return "the job's amounts exceed the capacity of every vehicle with its skills";
	case RT_UA_WINDOW:
		return "none of the job's time windows falls within the working hours of a vehicle with its skills";
	case RT_UA_FAR:
		return "too far: no vehicle can reach the job within a time window and return within its working hours";
	case RT_UA_ROOM:
		return "no room: the vehicles that could serve the job are fully booked (time, capacity or max_tasks) "
		       "with the jobs served";
	default:
		return "assigned";
	}
}

void rt_params_default(rt_params *par)
{
	memset(par, 0, sizeof(*par));
	par->time_limit = 1.0;
	par->seed = 1;
}

static bool ok_time(double t)
{
	return isfinite(t) && t >= 0 && t <= RT_HORIZON;
}

static int check_tws(const rt_problem *p, int first, int count, const char *what, int64_t id, char *err, size_t errlen)
{
	if (count < 1 || first < 0 || first > p->n_tws - count) {
		snprintf(err, errlen, "%s %lld: time windows out of range", what, (long long)id);
		return -1;
	}
	for (int k = first; k < first + count; k++) {
		const rt_tw *w = &p->tws[k];
		if (!ok_time(w->start) || !ok_time(w->end)) {
			snprintf(err, errlen, "%s %lld: a time window bound is negative, not finite or above %.0f",
			         what, (long long)id, RT_HORIZON);
			return -1;
		}
		if (w->end < w->start) {
			snprintf(err, errlen, "%s %lld: time window [%.17g, %.17g] ends before it starts", what,
			         (long long)id, w->start, w->end);
			return -1;
		}
		if (k > first && w->start <= p->tws[k - 1].end) {
			snprintf(err, errlen, "%s %lld: time windows must be sorted and disjoint", what, (long long)id);
			return -1;
		}
	}
	return 0;
}

int rt_problem_check(const rt_problem *p, char *err, size_t errlen)
{
	if (p->n_vehicles < 1) {
		snprintf(err, errlen, "no vehicles");
		return -1;
	}
	if (p->n_jobs < 0 || p->n_breaks < 0 || p->n_tws < 0 || p->n_locs < 1 || p->n_dims < 0 ||
	    p->n_dims > RT_MAX_DIMS) {
		snprintf(err, errlen, "inconsistent problem sizes");
		return -1;
	}
	size_t nl = (size_t)p->n_locs;
	for (size_t k = 0; k < nl * nl; k++) {
		if (!isfinite(p->dur[k]) || p->dur[k] < 0 || p->dur[k] > RT_HORIZON) {
			snprintf(err, errlen, "travel time from location %zu to %zu is negative or not finite", k / nl,
			         k % nl);
			return -1;
		}
	}
	for (int i = 0; i < p->n_jobs; i++) {
		const rt_job *j = &p->jobs[i];
		if (j->loc < 0 || j->loc >= p->n_locs) {
			snprintf(err, errlen, "job %lld: location index %d is outside the matrix (size %d)",
			         (long long)j->id, j->loc, p->n_locs);
			return -1;
		}
		if (!ok_time(j->service)) {
			snprintf(err, errlen, "job %lld: service must be a non-negative number", (long long)j->id);
			return -1;
		}
		if (j->priority < 0 || j->priority > 100) {
			snprintf(err, errlen, "job %lld: priority must be in [0, 100]", (long long)j->id);
			return -1;
		}
		for (int d = 0; d < p->n_dims; d++) {
			if (j->delivery[d] < 0 || j->pickup[d] < 0 ||
			    j->delivery[d] > INT64_MAX / 4 / (p->n_jobs + 1) ||
			    j->pickup[d] > INT64_MAX / 4 / (p->n_jobs + 1)) {
				snprintf(err, errlen, "job %lld: amounts must be non-negative and not huge",
				         (long long)j->id);
				return -1;
			}
		}
		if (check_tws(p, j->tw_first, j->tw_count, "job", j->id, err, errlen))
			return -1;
	}
	int breaks_seen = 0;
	for (int v = 0; v < p->n_vehicles; v++) {
		const rt_vehicle *vh = &p->vehicles[v];
		if (vh->start_loc < -1 || vh->start_loc >= p->n_locs || vh->end_loc < -1 || vh->end_loc >= p->n_locs) {
			snprintf(err, errlen, "vehicle %lld: start or end index is outside the matrix (size %d)",
			         (long long)vh->id, p->n_locs);
			return -1;
		}
		if (vh->start_loc < 0 && vh->end_loc < 0) {
			snprintf(err, errlen, "vehicle %lld: needs a start or an end", (long long)vh->id);
			return -1;
		}
		if (!ok_time(vh->tw_start) || !ok_time(vh->tw_end) || vh->tw_end < vh->tw_start) {
			snprintf(err, errlen, "vehicle %lld: time_window must be [start, end] with 0 <= start <= end",
			         (long long)vh->id);
			return -1;
		}
		if (!(vh->fixed >= 0 && vh->fixed <= RT_HORIZON)) {
			snprintf(err, errlen, "vehicle %lld: the fixed cost must be a non-negative number",
			         (long long)vh->id);
			return -1;
		}
		if (vh->max_tasks < 0) {
			snprintf(err, errlen, "vehicle %lld: max_tasks must not be negative", (long long)vh->id);
			return -1;
		}
		for (int d = 0; d < p->n_dims; d++) {
			if (vh->capacity[d] < 0) {
				snprintf(err, errlen, "vehicle %lld: capacity must not be negative", (long long)vh->id);
				return -1;
			}
		}
		if (vh->break_count < 0 || vh->break_first != breaks_seen ||
		    vh->break_first > p->n_breaks - vh->break_count) {
			snprintf(err, errlen, "vehicle %lld: breaks out of range", (long long)vh->id);
			return -1;
		}
		breaks_seen += vh->break_count;
		for (int b = vh->break_first; b < vh->break_first + vh->break_count; b++) {
			const rt_break *br = &p->breaks[b];
			if (!ok_time(br->service)) {
				snprintf(err, errlen, "vehicle %lld, break %lld: service must be a non-negative number",
				         (long long)vh->id, (long long)br->id);
				return -1;
			}
			if (check_tws(p, br->tw_first, br->tw_count, "break", br->id, err, errlen))
				return -1;
		}
	}
	if (breaks_seen != p->n_breaks) {
		snprintf(err, errlen, "breaks not owned by a vehicle");
		return -1;
	}
	return 0;
}

void rt_problem_free(rt_problem *p)
{
	free(p->jobs);
	free(p->vehicles);
	free(p->breaks);
	free(p->tws);
	free(p->dur);
	free(p->x);
	free(p->y);
	memset(p, 0, sizeof(*p));
}

void rt_solution_free(rt_solution *s)
{
	for (int r = 0; r < s->n_routes; r++)
		free(s->routes[r].stops);
	free(s->routes);
	free(s->unassigned);
	free(s->reason);
	memset(s, 0, sizeof(*s));
}

void rt_sched_free(rt_sched *s)
{
	free(s->steps);
	memset(s, 0, sizeof(*s));
}

/* The window a service starting no earlier than t uses: the first one still open at t; if all
 * have closed, the last one (the stop is late). */
static const rt_tw *pick_tw(const rt_problem *p, int first, int count, double t)
{
	for (int k = first; k < first + count; k++)
		if (p->tws[k].end >= t)
			return &p->tws[k];
	return &p->tws[first + count - 1];
}

void rt_schedule(const rt_problem *p, const rt_route *r, rt_sched *out)
{
	const rt_vehicle *vh = &p->vehicles[r->vehicle];
	memset(out, 0, sizeof(*out));
	out->n = r->n + 2;
	out->steps = xcalloc((size_t)out->n, sizeof(rt_step));
	int64_t load[RT_MAX_DIMS] = {0};
	for (int k = 0; k < r->n; k++)
		if (r->stops[k] >= 0)
			for (int d = 0; d < p->n_dims; d++)
				load[d] += p->jobs[r->stops[k]].delivery[d];
	for (int d = 0; d < p->n_dims; d++)
		if (load[d] > vh->capacity[d] && load[d] - vh->capacity[d] > out->max_load_excess)
			out->max_load_excess = load[d] - vh->capacity[d];

	/* Two passes: the first from the start of the working hours finds how long the vehicle
	 * waits before its first stop; the second leaves that much later (nothing else moves). */
	double depart = vh->tw_start;
	for (int pass = 0; pass < 2; pass++) {
		double t = depart, travel = 0, first_wait = -1;
		int at = vh->start_loc; /* last real location */
		rt_step *st = &out->steps[0];
		st->type = RT_STEP_START;
		st->arrival = t;
		memcpy(st->load, load, sizeof(load));
		int64_t cur[RT_MAX_DIMS];
		memcpy(cur, load, sizeof(cur));
		out->lateness = 0;
		out->waiting = out->service = 0;
		for (int k = 0; k < r->n; k++) {
			int s = r->stops[k];
			st = &out->steps[k + 1];
			st->type = s >= 0 ? RT_STEP_JOB : RT_STEP_BREAK;
			st->index = s >= 0 ? s : -1 - s;
			const rt_tw *w;
			double service;
			if (s >= 0) {
				const rt_job *j = &p->jobs[s];
				double tt = at >= 0 ? p->dur[(size_t)at * (size_t)p->n_locs + (size_t)j->loc] : 0;
				t += tt;
				travel += tt;
				at = j->loc;
				w = pick_tw(p, j->tw_first, j->tw_count, t);
				service = j->service;
				for (int d = 0; d < p->n_dims; d++) {
					cur[d] += j->pickup[d] - j->delivery[d];
					if (cur[d] > vh->capacity[d] && cur[d] - vh->capacity[d] > out->max_load_excess)
						out->max_load_excess = cur[d] - vh->capacity[d];
				}
			} else {
				const rt_break *b = &p->breaks[-1 - s];
				w = pick_tw(p, b->tw_first, b->tw_count, t);
				service = b->service;
			}
			st->arrival = t;
			st->travel = travel;
			st->waiting = w->start > t ? w->start - t : 0;
			if (first_wait < 0)
				first_wait = st->waiting;
			if (t > w->end)
				out->lateness += t - w->end;
			t += st->waiting + service;
			st->service = service;
			memcpy(st->load, cur, sizeof(cur));
			out->waiting += st->waiting;
			out->service += service;
		}
		st = &out->steps[r->n + 1];
		st->type = RT_STEP_END;
		if (at >= 0 && vh->end_loc >= 0) {
			double tt = p->dur[(size_t)at * (size_t)p->n_locs + (size_t)vh->end_loc];
			t += tt;
			travel += tt;
		}
		st->arrival = t;
		st->travel = travel;
		memcpy(st->load, cur, sizeof(cur));
		if (t > vh->tw_end)
			out->lateness += t - vh->tw_end;
		out->travel = travel;
		out->duration = t - depart;
		if (pass == 0 && first_wait > 0)
			depart += first_wait;
		else
			break;
	}
	/* Departure step: no waiting or service. */
	out->steps[0].arrival = depart;
}

void rt_matrix_from_coords(rt_problem *p, const double *lon, const double *lat, double speed_kmh)
{
	const double rad = M_PI / 180.0, earth = 6371008.8, mps = speed_kmh / 3.6;
	size_t n = (size_t)p->n_locs;
	for (size_t a = 0; a < n; a++) {
		p->dur[a * n + a] = 0;
		for (size_t b = a + 1; b < n; b++) {
			double dlat = (lat[b] - lat[a]) * rad, dlon = (lon[b] - lon[a]) * rad;
			double h = sin(dlat / 2) * sin(dlat / 2) +
			           cos(lat[a] * rad) * cos(lat[b] * rad) * sin(dlon / 2) * sin(dlon / 2);
			if (h > 1)
				h = 1;
			double metres = 2 * earth * asin(sqrt(h));
			double s = round(metres / mps);
			p->dur[a * n + b] = p->dur[b * n + a] = s;
		}
	}
}
