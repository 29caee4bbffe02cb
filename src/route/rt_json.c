/*
 * rt_json.c — the routing problem and solution in the JSON format of the open-source VROOM
 * optimiser (implemented from its public API description; docs/routing.md lists what is
 * supported), and route_solve_json for the HTTP layer and the CLI.
 *
 * Input is outside data: every value is checked for type and range, unknown or unsupported
 * keys are refused by name, and any problem comes back as one human sentence in err. The
 * reader never asserts on input; it is fuzzed by tests/fuzz/route_fuzz.c.
 */
#include "route/route.h"
#include "route/rt.h"
#include "route/rt_int.h"
#include "route/rt_json.h"
#include "util/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VEHICLES 1000
#define MAX_LOCS     7000 /* the travel-time matrix stays under 400 MB */
#define MAX_TWS      64   /* windows per job or break */
#define MAX_BREAKS   16   /* breaks per vehicle */

typedef struct jctx {
	rt_problem *p;
	const json_t **job, **veh, **brk; /* input objects, for echoing location and description */
	uint64_t skill_val[RT_MAX_SKILLS];
	int n_skill;
	int tw_cap;
	int dims; /* -1: not seen yet */
	bool has_matrix;
	char *err;
	size_t errlen;
} jctx;

static int fail(jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(jctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Members of an object, one per call: it = NULL first, then the previous result; NULL at the end.
 *   for (void *it = obj_next(o, NULL, &key, &val); it; it = obj_next(o, it, &key, &val)) … */
static void *obj_next(const json_t *o, void *it, const char **key, const json_t **val)
{
	it = it ? json_object_iter_next((json_t *)o, it) : json_object_iter((json_t *)o);
	if (it) {
		*key = json_object_iter_key(it);
		*val = json_object_iter_value(it);
	}
	return it;
}

static bool get_int(const json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v))
		return false;
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi)
		return false;
	*out = (int64_t)x;
	return true;
}

static bool get_time(const json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	double x = json_number_value(v);
	if (!isfinite(x) || x < 0 || x > RT_HORIZON)
		return false;
	*out = x;
	return true;
}

/* Keys of obj must all be in allowed (NULL-terminated); unsupported VROOM keys get their own
 * message. */
static int check_keys(jctx *c, const json_t *obj, const char *what, int64_t id, const char *const *allowed,
                      const char *const *unsupported)
{
	const char *key;
	const json_t *val;
	for (void *it = obj_next(obj, NULL, &key, &val); it; it = obj_next(obj, it, &key, &val)) {
		(void)val;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(key, *a);
		if (ok)
			continue;
		for (const char *const *u = unsupported; u && *u; u++)
			if (!strcmp(key, *u))
				return fail(c, "%s %lld: '%s' is not supported", what, (long long)id, key);
		return fail(c, "%s %lld: unknown key '%.40s'", what, (long long)id, key);
	}
	return 0;
}

static int skill_bits(jctx *c, const json_t *arr, const char *what, int64_t id, uint64_t *out)
{
	*out = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return fail(c, "%s %lld: skills must be an array of integers", what, (long long)id);
	size_t k;
	const json_t *v;
	for (k = 0; k < json_array_size(arr) && (v = json_array_get(arr, k)); k++) {
		int64_t s;
		if (!get_int(v, 0, UINT32_MAX, &s))
			return fail(c, "%s %lld: skills must be non-negative integers", what, (long long)id);
		int b = 0;
		while (b < c->n_skill && c->skill_val[b] != (uint64_t)s)
			b++;
		if (b == c->n_skill) {
			if (c->n_skill == RT_MAX_SKILLS)
				return fail(c, "more than %d distinct skills", RT_MAX_SKILLS);
			c->skill_val[c->n_skill++] = (uint64_t)s;
		}
		*out |= 1ULL << b;
	}
	return 0;
}

static int amounts(jctx *c, const json_t *arr, const char *what, int64_t id, const char *key, int64_t *out)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return fail(c, "%s %lld: %s must be an array of integers", what, (long long)id, key);
	int n = (int)json_array_size(arr);
	if (n > RT_MAX_DIMS)
		return fail(c, "%s %lld: %s has more than %d dimensions", what, (long long)id, key, RT_MAX_DIMS);
	if (c->dims >= 0 && n != c->dims)
		return fail(c, "%s %lld: %s has %d dimensions, others have %d", what, (long long)id, key, n, c->dims);
	c->dims = n;
	for (int d = 0; d < n; d++)
		if (!get_int(json_array_get(arr, (size_t)d), 0, (int64_t)1 << 40, &out[d]))
			return fail(c, "%s %lld: %s must hold integers in [0, 2^40]", what, (long long)id, key);
	return 0;
}

static int cmp_tw(const void *a, const void *b)
{
	const rt_tw *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* One [start, end] pair. */
static bool get_tw(const json_t *v, rt_tw *out)
{
	if (!json_is_array(v) || json_array_size(v) != 2)
		return false;
	return get_time(json_array_get(v, 0), &out->start) && get_time(json_array_get(v, 1), &out->end);
}

/* time_windows: sorted, overlapping ones merged, appended to p->tws. */
static int windows(jctx *c, const json_t *arr, const char *what, int64_t id, int *first, int *count)
{
	rt_problem *p = c->p;
	rt_tw w[MAX_TWS];
	int n = 0;
	if (!arr) {
		w[n++] = (rt_tw){0, RT_HORIZON};
	} else {
		if (!json_is_array(arr) || json_array_size(arr) == 0)
			return fail(c, "%s %lld: time_windows must be a non-empty array of [start, end]", what,
			            (long long)id);
		if (json_array_size(arr) > MAX_TWS)
			return fail(c, "%s %lld: more than %d time windows", what, (long long)id, MAX_TWS);
		size_t k;
		const json_t *v;
		for (k = 0; k < json_array_size(arr) && (v = json_array_get(arr, k)); k++) {
			if (!get_tw(v, &w[n]))
				return fail(c, "%s %lld: a time window must be [start, end] with numbers in [0, %.0f]",
				            what, (long long)id, RT_HORIZON);
			if (w[n].end < w[n].start)
				return fail(c, "%s %lld: time window [%.17g, %.17g] ends before it starts", what,
				            (long long)id, w[n].start, w[n].end);
			n++;
		}
		qsort(w, (size_t)n, sizeof(rt_tw), cmp_tw);
		int m = 0;
		for (int k2 = 0; k2 < n; k2++) {
			if (m > 0 && w[k2].start <= w[m - 1].end) {
				if (w[k2].end > w[m - 1].end)
					w[m - 1].end = w[k2].end;
			} else {
				w[m++] = w[k2];
			}
		}
		n = m;
	}
	if (p->n_tws + n > c->tw_cap) {
		while (p->n_tws + n > c->tw_cap)
			c->tw_cap = c->tw_cap ? 2 * c->tw_cap : 64;
		p->tws = xrealloc(p->tws, sizeof(rt_tw) * (size_t)c->tw_cap);
	}
	*first = p->n_tws;
	*count = n;
	memcpy(p->tws + p->n_tws, w, sizeof(rt_tw) * (size_t)n);
	p->n_tws += n;
	return 0;
}

/* Coordinates [lon, lat]. */
static bool get_coord(const json_t *v, double *lon, double *lat)
{
	if (!json_is_array(v) || json_array_size(v) != 2)
		return false;
	const json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
	if (!json_is_number(a) || !json_is_number(b))
		return false;
	*lon = json_number_value(a);
	*lat = json_number_value(b);
	return isfinite(*lon) && isfinite(*lat) && *lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90;
}

/* Locations by coordinates (no matrix): identical coordinates share one location. */
typedef struct coords {
	double *lon, *lat;
	int n, cap;
} coords;

static int coord_loc(jctx *c, coords *cs, double lon, double lat)
{
	for (int k = cs->n - 1; k >= 0 && k >= cs->n - 64; k--) /* recent ones: depots repeat */
		if (cs->lon[k] == lon && cs->lat[k] == lat)
			return k;
	if (cs->n == MAX_LOCS)
		return fail(c, "more than %d distinct locations", MAX_LOCS), -2;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 64;
		cs->lon = xrealloc(cs->lon, sizeof(double) * (size_t)cs->cap);
		cs->lat = xrealloc(cs->lat, sizeof(double) * (size_t)cs->cap);
	}
	cs->lon[cs->n] = lon;
	cs->lat[cs->n] = lat;
	return cs->n++;
}

/* A location from "<key>" (coordinates) and "<key>_index"; -1 if neither and optional. */
static int location(jctx *c, coords *cs, const json_t *obj, const char *key, const char *what, int64_t id,
                    bool required, int *out)
{
	char ikey[32];
	snprintf(ikey, sizeof(ikey), "%s_index", key);
	const json_t *co = json_object_get(obj, key), *ix = json_object_get(obj, ikey);
	double lon, lat;
	if (co && !get_coord(co, &lon, &lat))
		return fail(c, "%s %lld: %s must be [lon, lat] within [-180, 180] × [-90, 90]", what, (long long)id,
		            key);
	if (c->has_matrix) {
		int64_t v;
		if (!ix) {
			if (!required && !co) {
				*out = -1;
				return 0;
			}
			return fail(c, "%s %lld: %s is required when a matrix is given", what, (long long)id, ikey);
		}
		if (!get_int(ix, 0, INT32_MAX, &v))
			return fail(c, "%s %lld: %s must be a non-negative integer", what, (long long)id, ikey);
		if (v >= c->p->n_locs)
			return fail(c, "%s %lld: %s %lld is outside the matrix (size %d)", what, (long long)id, ikey,
			            (long long)v, c->p->n_locs);
		*out = (int)v;
		return 0;
	}
	if (ix && !co)
		return fail(c, "%s %lld: %s needs a matrix (\"matrices\")", what, (long long)id, ikey);
	if (!co) {
		if (!required) {
			*out = -1;
			return 0;
		}
		return fail(c, "%s %lld: %s is required", what, (long long)id, key);
	}
	int l = coord_loc(c, cs, lon, lat);
	if (l < 0)
		return -1;
	*out = l;
	return 0;
}

static int read_matrix(jctx *c, const json_t *root, const char *profile)
{
	const json_t *ms = json_object_get(root, "matrices");
	if (!ms)
		return 0;
	if (!json_is_object(ms))
		return fail(c, "matrices must be an object {\"car\": {\"durations\": [[...]]}}");
	const json_t *prof = json_object_get(ms, profile);
	if (!prof || !json_is_object(prof))
		return fail(c, "matrices has no profile '%.40s'", profile);
	const char *key;
	const json_t *val;
	for (void *it = obj_next(prof, NULL, &key, &val); it; it = obj_next(prof, it, &key, &val)) {
		(void)val;
		if (strcmp(key, "durations") && strcmp(key, "distances"))
			return fail(c, "matrices.%.40s: '%.40s' is not supported (durations, distances)", profile, key);
	}
	const json_t *d = json_object_get(prof, "durations");
	if (!d || !json_is_array(d) || json_array_size(d) == 0)
		return fail(c, "matrices.%.40s.durations must be a non-empty square array of arrays", profile);
	size_t n = json_array_size(d);
	if (n > MAX_LOCS)
		return fail(c, "the matrix has %zu rows, more than %d", n, MAX_LOCS);
	c->p->n_locs = (int)n;
	c->p->dur = xmalloc(sizeof(double) * n * n);
	c->has_matrix = true;
	for (size_t a = 0; a < n; a++) {
		const json_t *row = json_array_get(d, a);
		if (!json_is_array(row) || json_array_size(row) != n)
			return fail(c, "the duration matrix is not square: row %zu has %zu entries, expected %zu", a,
			            json_is_array(row) ? json_array_size(row) : 0, n);
		for (size_t b = 0; b < n; b++) {
			double t;
			if (!get_time(json_array_get(row, b), &t))
				return fail(c, "duration [%zu][%zu] must be a non-negative number", a, b);
			c->p->dur[a * n + b] = t;
		}
	}
	return 0;
}

static const char *const job_keys[] = {"id",     "description", "location", "location_index", "service", "delivery",
                                       "pickup", "skills",      "priority", "time_windows",   NULL};
static const char *const job_unsup[] = {"setup", "amount", "type", NULL};
static const char *const veh_keys[] = {"id",     "description", "profile",      "start",  "start_index",
                                       "end",    "end_index",   "capacity",     "skills", "time_window",
                                       "breaks", "max_tasks",   "speed_factor", "costs",  NULL};
static const char *const veh_unsup[] = {"steps", "max_travel_time", "max_distance", NULL};
static const char *const brk_keys[] = {"id", "description", "time_windows", "service", NULL};
static const char *const brk_unsup[] = {"max_load", NULL};
static const char *const top_keys[] = {"jobs", "vehicles", "matrices", "shipments", "options", NULL};

static int parse(jctx *c, const json_t *root, size_t max_jobs, double *speed_kmh)
{
	rt_problem *p = c->p;
	if (!json_is_object(root))
		return fail(c, "the problem must be a JSON object with jobs and vehicles");
	{
		const char *key;
		const json_t *val;
		for (void *it = obj_next(root, NULL, &key, &val); it; it = obj_next(root, it, &key, &val)) {
			(void)val;
			bool ok = false;
			for (const char *const *a = top_keys; *a && !ok; a++)
				ok = !strcmp(key, *a);
			if (!ok)
				return fail(c, "unknown key '%.40s' (expected jobs, vehicles, matrices)", key);
		}
	}
	const json_t *sh = json_object_get(root, "shipments");
	if (sh && !(json_is_array(sh) && json_array_size(sh) == 0))
		return fail(c, "shipments are not supported; use jobs");
	const json_t *opt = json_object_get(root, "options");
	*speed_kmh = 40;
	if (opt) {
		const char *key;
		const json_t *val;
		if (!json_is_object(opt))
			return fail(c, "options must be an object");
		for (void *it = obj_next(opt, NULL, &key, &val); it; it = obj_next(opt, it, &key, &val)) {
			if (strcmp(key, "speed_kmh"))
				return fail(c, "options: unknown key '%.40s' (speed_kmh)", key);
			if (!json_is_number(val) || !(json_number_value(val) >= 1 && json_number_value(val) <= 1000))
				return fail(c, "options.speed_kmh must be a number in [1, 1000]");
			*speed_kmh = json_number_value(val);
		}
	}
	const json_t *jobs = json_object_get(root, "jobs"), *vehs = json_object_get(root, "vehicles");
	if (jobs && !json_is_array(jobs))
		return fail(c, "jobs must be an array");
	if (!vehs || !json_is_array(vehs) || json_array_size(vehs) == 0)
		return fail(c, "vehicles must be a non-empty array");
	size_t nj = jobs ? json_array_size(jobs) : 0, nv = json_array_size(vehs);
	if (nj > max_jobs)
		return fail(c, "too many jobs: %zu, at most %zu", nj, max_jobs);
	if (nv > MAX_VEHICLES)
		return fail(c, "too many vehicles: %zu, at most %d", nv, MAX_VEHICLES);
	/* profile: one for all vehicles */
	const char *profile = "car";
	for (size_t v = 0; v < nv; v++) {
		const json_t *o = json_array_get(vehs, v),
		             *pr = json_is_object(o) ? json_object_get(o, "profile") : NULL;
		if (pr) {
			if (!json_is_string(pr))
				return fail(c, "vehicle profile must be a string");
			if (v > 0 && strcmp(profile, json_string_value(pr)))
				return fail(c, "all vehicles must use the same profile");
			profile = json_string_value(pr);
		} else if (v > 0 && strcmp(profile, "car")) {
			return fail(c, "all vehicles must use the same profile");
		}
	}
	if (read_matrix(c, root, profile))
		return -1;
	coords cs = {0};
	int rc = -1;
	p->n_jobs = (int)nj;
	p->n_vehicles = (int)nv;
	p->jobs = xcalloc(nj + 1, sizeof(rt_job));
	p->vehicles = xcalloc(nv, sizeof(rt_vehicle));
	c->job = xcalloc(nj + 1, sizeof(json_t *));
	c->veh = xcalloc(nv, sizeof(json_t *));
	int brk_cap = 16;
	p->breaks = xmalloc(sizeof(rt_break) * (size_t)brk_cap);
	c->brk = xmalloc(sizeof(json_t *) * (size_t)brk_cap);
	for (size_t i = 0; i < nj; i++) {
		const json_t *o = json_array_get(jobs, i);
		rt_job *j = &p->jobs[i];
		c->job[i] = o;
		if (!json_is_object(o)) {
			fail(c, "jobs[%zu] must be an object", i);
			goto out;
		}
		if (!get_int(json_object_get(o, "id"), 0, INT64_MAX, &j->id)) {
			fail(c, "jobs[%zu]: id must be a non-negative integer", i);
			goto out;
		}
		if (check_keys(c, o, "job", j->id, job_keys, job_unsup))
			goto out;
		const json_t *d = json_object_get(o, "description");
		if (d && !json_is_string(d)) {
			fail(c, "job %lld: description must be a string", (long long)j->id);
			goto out;
		}
		if (location(c, &cs, o, "location", "job", j->id, true, &j->loc))
			goto out;
		const json_t *sv = json_object_get(o, "service");
		if (sv && !get_time(sv, &j->service)) {
			fail(c, "job %lld: service must be a non-negative number of seconds", (long long)j->id);
			goto out;
		}
		if (amounts(c, json_object_get(o, "delivery"), "job", j->id, "delivery", j->delivery) ||
		    amounts(c, json_object_get(o, "pickup"), "job", j->id, "pickup", j->pickup) ||
		    skill_bits(c, json_object_get(o, "skills"), "job", j->id, &j->skills))
			goto out;
		const json_t *pr = json_object_get(o, "priority");
		int64_t prio = 0;
		if (pr && !get_int(pr, 0, 100, &prio)) {
			fail(c, "job %lld: priority must be an integer in [0, 100]", (long long)j->id);
			goto out;
		}
		j->priority = (int)prio;
		if (windows(c, json_object_get(o, "time_windows"), "job", j->id, &j->tw_first, &j->tw_count))
			goto out;
		for (size_t q = 0; q < i; q++)
			if (p->jobs[q].id == j->id) {
				fail(c, "job id %lld is used twice", (long long)j->id);
				goto out;
			}
	}
	for (size_t v = 0; v < nv; v++) {
		const json_t *o = json_array_get(vehs, v);
		rt_vehicle *vh = &p->vehicles[v];
		c->veh[v] = o;
		if (!json_is_object(o)) {
			fail(c, "vehicles[%zu] must be an object", v);
			goto out;
		}
		if (!get_int(json_object_get(o, "id"), 0, INT64_MAX, &vh->id)) {
			fail(c, "vehicles[%zu]: id must be a non-negative integer", v);
			goto out;
		}
		if (check_keys(c, o, "vehicle", vh->id, veh_keys, veh_unsup))
			goto out;
		for (size_t q = 0; q < v; q++)
			if (p->vehicles[q].id == vh->id) {
				fail(c, "vehicle id %lld is used twice", (long long)vh->id);
				goto out;
			}
		const json_t *d = json_object_get(o, "description"), *sf = json_object_get(o, "speed_factor");
		if (d && !json_is_string(d)) {
			fail(c, "vehicle %lld: description must be a string", (long long)vh->id);
			goto out;
		}
		if (sf && !(json_is_number(sf) && json_number_value(sf) == 1.0)) {
			fail(c, "vehicle %lld: speed_factor other than 1 is not supported", (long long)vh->id);
			goto out;
		}
		if (location(c, &cs, o, "start", "vehicle", vh->id, false, &vh->start_loc) ||
		    location(c, &cs, o, "end", "vehicle", vh->id, false, &vh->end_loc))
			goto out;
		if (vh->start_loc < 0 && vh->end_loc < 0) {
			fail(c, "vehicle %lld: needs a start or an end", (long long)vh->id);
			goto out;
		}
		for (int k = 0; k < RT_MAX_DIMS; k++)
			vh->capacity[k] = INT64_MAX;
		if (amounts(c, json_object_get(o, "capacity"), "vehicle", vh->id, "capacity", vh->capacity) ||
		    skill_bits(c, json_object_get(o, "skills"), "vehicle", vh->id, &vh->skills))
			goto out;
		vh->tw_start = 0;
		vh->tw_end = RT_HORIZON;
		const json_t *tw = json_object_get(o, "time_window");
		if (tw) {
			rt_tw w;
			if (!get_tw(tw, &w) || w.end < w.start) {
				fail(c, "vehicle %lld: time_window must be [start, end] with 0 <= start <= end",
				     (long long)vh->id);
				goto out;
			}
			vh->tw_start = w.start;
			vh->tw_end = w.end;
		}
		const json_t *co = json_object_get(o, "costs");
		if (co) {
			const char *key;
			const json_t *val;
			if (!json_is_object(co)) {
				fail(c, "vehicle %lld: costs must be an object", (long long)vh->id);
				goto out;
			}
			for (void *it = obj_next(co, NULL, &key, &val); it; it = obj_next(co, it, &key, &val)) {
				bool ok = json_is_number(val);
				if (ok && !strcmp(key, "fixed"))
					ok = get_time(val, &vh->fixed);
				else if (ok && !strcmp(key, "per_hour"))
					ok = json_number_value(val) == 3600; /* cost = travel seconds */
				else if (ok && !strcmp(key, "per_km"))
					ok = json_number_value(val) == 0;
				else
					ok = false;
				if (!ok) {
					fail(
					    c,
					    "vehicle %lld: costs supports fixed (a non-negative number) only; per_hour "
					    "must be 3600 and per_km 0",
					    (long long)vh->id);
					goto out;
				}
			}
		}
		vh->max_tasks = INT32_MAX;
		const json_t *mt = json_object_get(o, "max_tasks");
		if (mt) {
			int64_t x;
			if (!get_int(mt, 0, INT32_MAX, &x)) {
				fail(c, "vehicle %lld: max_tasks must be a non-negative integer", (long long)vh->id);
				goto out;
			}
			vh->max_tasks = (int)x;
		}
		const json_t *bs = json_object_get(o, "breaks");
		vh->break_first = p->n_breaks;
		if (bs) {
			if (!json_is_array(bs) || json_array_size(bs) > MAX_BREAKS) {
				fail(c, "vehicle %lld: breaks must be an array of at most %d breaks", (long long)vh->id,
				     MAX_BREAKS);
				goto out;
			}
			size_t k;
			const json_t *bo;
			for (k = 0; k < json_array_size(bs) && (bo = json_array_get(bs, k)); k++) {
				if (p->n_breaks == brk_cap) {
					brk_cap *= 2;
					p->breaks = xrealloc(p->breaks, sizeof(rt_break) * (size_t)brk_cap);
					c->brk = xrealloc(c->brk, sizeof(json_t *) * (size_t)brk_cap);
				}
				rt_break *b = &p->breaks[p->n_breaks];
				memset(b, 0, sizeof(*b));
				c->brk[p->n_breaks] = bo;
				if (!json_is_object(bo) || !get_int(json_object_get(bo, "id"), 0, INT64_MAX, &b->id)) {
					fail(c, "vehicle %lld: each break needs a non-negative integer id",
					     (long long)vh->id);
					goto out;
				}
				if (check_keys(c, bo, "break", b->id, brk_keys, brk_unsup))
					goto out;
				for (int q = vh->break_first; q < p->n_breaks; q++)
					if (p->breaks[q].id == b->id) {
						fail(c, "vehicle %lld: break id %lld is used twice", (long long)vh->id,
						     (long long)b->id);
						goto out;
					}
				const json_t *sv = json_object_get(bo, "service"),
				             *bd = json_object_get(bo, "description");
				if (sv && !get_time(sv, &b->service)) {
					fail(c, "break %lld: service must be a non-negative number", (long long)b->id);
					goto out;
				}
				if (bd && !json_is_string(bd)) {
					fail(c, "break %lld: description must be a string", (long long)b->id);
					goto out;
				}
				if (windows(c, json_object_get(bo, "time_windows"), "break", b->id, &b->tw_first,
				            &b->tw_count))
					goto out;
				bool fits = false;
				for (int q = b->tw_first; q < b->tw_first + b->tw_count; q++)
					fits = fits || (p->tws[q].start <= vh->tw_end && p->tws[q].end >= vh->tw_start);
				if (!fits) {
					fail(c,
					     "vehicle %lld: break %lld cannot start within the vehicle's time_window",
					     (long long)vh->id, (long long)b->id);
					goto out;
				}
				p->n_breaks++;
			}
		}
		vh->break_count = p->n_breaks - vh->break_first;
	}
	p->n_dims = c->dims > 0 ? c->dims : 0;
	if (!c->has_matrix) {
		p->n_locs = cs.n;
		p->dur = xmalloc(sizeof(double) * (size_t)cs.n * (size_t)cs.n);
		rt_matrix_from_coords(p, cs.lon, cs.lat, *speed_kmh);
		/* coordinates to order routes by angle (an equirectangular projection is enough) */
		p->x = xmalloc(sizeof(double) * (size_t)cs.n);
		p->y = xmalloc(sizeof(double) * (size_t)cs.n);
		for (int k = 0; k < cs.n; k++) {
			p->x[k] = cs.lon[k] * cos(cs.lat[k] * M_PI / 180);
			p->y[k] = cs.lat[k];
		}
	}
	rc = 0;
out:
	free(cs.lon);
	free(cs.lat);
	return rc;
}

/* ---- output ---- */

static json_t *num(double v)
{
	double r = round(v);
	if (fabs(v - r) < 1e-9 && fabs(r) < 9e15)
		return json_integer((json_int_t)r);
	return json_real(round(v * 1e6) / 1e6);
}

static json_t *amount_json(const int64_t *a, int dims)
{
	json_t *arr = json_array();
	for (int d = 0; d < dims; d++)
		json_array_append_new(arr, json_integer((json_int_t)a[d]));
	return arr;
}

static void echo(json_t *dst, const json_t *src, const char *key)
{
	const json_t *v = src ? json_object_get(src, key) : NULL;
	if (v)
		json_object_set_new(dst, key, json_deep_copy(v));
}

static json_t *output(const jctx *c, const rt_solution *s, double load_ms, double solve_ms)
{
	const rt_problem *p = c->p;
	int D = p->n_dims;
	json_t *routes = json_array(), *una = json_array();
	double cost = 0, travel = 0, service = 0, waiting = 0;
	int64_t sdel[RT_MAX_DIMS] = {0}, spick[RT_MAX_DIMS] = {0}, prio = 0;
	for (int r = 0; r < s->n_routes; r++) {
		const rt_route *rt = &s->routes[r];
		const rt_vehicle *vh = &p->vehicles[rt->vehicle];
		const json_t *vo = c->veh[rt->vehicle];
		rt_sched sc;
		rt_schedule(p, rt, &sc);
		json_t *steps = json_array();
		int64_t del[RT_MAX_DIMS] = {0}, pick[RT_MAX_DIMS] = {0}, rprio = 0;
		for (int k = 0; k < sc.n; k++) {
			const rt_step *st = &sc.steps[k];
			json_t *o = json_object();
			if (st->type == RT_STEP_START || st->type == RT_STEP_END) {
				const char *key = st->type == RT_STEP_START ? "start" : "end";
				json_object_set_new(o, "type", json_string(key));
				char ikey[16];
				snprintf(ikey, sizeof(ikey), "%s_index", key);
				const json_t *loc = json_object_get(vo, key), *ix = json_object_get(vo, ikey);
				if (loc)
					json_object_set_new(o, "location", json_deep_copy(loc));
				if (ix)
					json_object_set_new(o, "location_index", json_deep_copy(ix));
			} else if (st->type == RT_STEP_JOB) {
				const rt_job *j = &p->jobs[st->index];
				json_object_set_new(o, "type", json_string("job"));
				json_object_set_new(o, "id", json_integer((json_int_t)j->id));
				echo(o, c->job[st->index], "description");
				echo(o, c->job[st->index], "location");
				echo(o, c->job[st->index], "location_index");
				for (int d = 0; d < D; d++) {
					del[d] += j->delivery[d];
					pick[d] += j->pickup[d];
				}
				rprio += j->priority;
			} else {
				int b = st->index;
				json_object_set_new(o, "type", json_string("break"));
				json_object_set_new(o, "id", json_integer((json_int_t)p->breaks[b].id));
				echo(o, c->brk[b], "description");
			}
			if (st->type == RT_STEP_JOB || st->type == RT_STEP_BREAK) {
				json_object_set_new(o, "service", num(st->service));
				json_object_set_new(o, "waiting_time", num(st->waiting));
			}
			if (D > 0)
				json_object_set_new(o, "load", amount_json(st->load, D));
			json_object_set_new(o, "arrival", num(st->arrival));
			json_object_set_new(o, "duration", num(st->travel));
			json_array_append_new(steps, o);
		}
		json_t *ro = json_object();
		json_object_set_new(ro, "vehicle", json_integer((json_int_t)vh->id));
		echo(ro, vo, "description");
		json_object_set_new(ro, "cost", num(sc.travel + vh->fixed));
		if (D > 0) {
			json_object_set_new(ro, "delivery", amount_json(del, D));
			json_object_set_new(ro, "pickup", amount_json(pick, D));
		}
		json_object_set_new(ro, "service", num(sc.service));
		json_object_set_new(ro, "duration", num(sc.travel));
		json_object_set_new(ro, "waiting_time", num(sc.waiting));
		json_object_set_new(ro, "priority", json_integer((json_int_t)rprio));
		json_object_set_new(ro, "steps", steps);
		json_array_append_new(routes, ro);
		cost += sc.travel + vh->fixed;
		travel += sc.travel;
		service += sc.service;
		waiting += sc.waiting;
		prio += rprio;
		for (int d = 0; d < D; d++) {
			sdel[d] += del[d];
			spick[d] += pick[d];
		}
		rt_sched_free(&sc);
	}
	for (int k = 0; k < s->n_unassigned; k++) {
		int j = s->unassigned[k];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer((json_int_t)p->jobs[j].id));
		json_object_set_new(o, "type", json_string("job"));
		echo(o, c->job[j], "description");
		echo(o, c->job[j], "location");
		echo(o, c->job[j], "location_index");
		json_object_set_new(o, "reason", json_string(rt_reason_text(s->reason[k])));
		json_array_append_new(una, o);
	}
	json_t *sum = json_object();
	json_object_set_new(sum, "cost", num(cost));
	json_object_set_new(sum, "routes", json_integer(s->n_routes));
	json_object_set_new(sum, "unassigned", json_integer(s->n_unassigned));
	if (D > 0) {
		json_object_set_new(sum, "delivery", amount_json(sdel, D));
		json_object_set_new(sum, "pickup", amount_json(spick, D));
	}
	json_object_set_new(sum, "service", num(service));
	json_object_set_new(sum, "duration", num(travel));
	json_object_set_new(sum, "waiting_time", num(waiting));
	json_object_set_new(sum, "priority", json_integer((json_int_t)prio));
	json_t *ct = json_object();
	json_object_set_new(ct, "loading", json_integer((json_int_t)load_ms));
	json_object_set_new(ct, "solving", json_integer((json_int_t)solve_ms));
	json_object_set_new(sum, "computing_times", ct);
	json_t *root = json_object();
	json_object_set_new(root, "code", json_integer(0));
	json_object_set_new(root, "summary", sum);
	json_object_set_new(root, "unassigned", una);
	json_object_set_new(root, "routes", routes);
	return root;
}

int rt_json_parse(const json_t *problem, size_t max_jobs, rt_problem *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	jctx c = {.p = p, .dims = -1, .err = err, .errlen = errlen};
	double speed;
	int rc = parse(&c, problem, max_jobs, &speed);
	if (rc == 0)
		rc = rt_problem_check(p, err, errlen);
	free(c.job);
	free(c.veh);
	free(c.brk);
	if (rc)
		rt_problem_free(p);
	return rc;
}

json_t *rt_json_solve(json_t *problem, const rt_params *par, size_t max_jobs, char *err, size_t errlen)
{
	double t0 = rt_clock_read(0);
	rt_problem p;
	memset(&p, 0, sizeof(p));
	jctx c = {.p = &p, .dims = -1, .err = err, .errlen = errlen};
	double speed;
	json_t *out = NULL;
	if (!problem) {
		snprintf(err, errlen, "no problem");
		return NULL;
	}
	if (parse(&c, problem, max_jobs, &speed) || rt_problem_check(&p, err, errlen))
		goto done;
	double t1 = rt_clock_read(0);
	rt_params q = *par;
	/* the limit covers reading the problem and writing the solution too */
	q.time_limit -= (t1 - t0) + 0.02 * q.time_limit + 1e-6 * (double)p.n_jobs * 20;
	if (q.time_limit < 0)
		q.time_limit = 0;
	rt_solution s;
	rt_solve(&p, &q, &s);
	double t2 = rt_clock_read(0);
	out = output(&c, &s, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	rt_solution_free(&s);
done:
	free(c.job);
	free(c.veh);
	free(c.brk);
	rt_problem_free(&p);
	return out;
}

json_t *route_solve_json(json_t *problem, double time_limit_s, unsigned seed, size_t max_jobs, char *err, size_t errlen)
{
	rt_params par;
	rt_params_default(&par);
	par.time_limit = isfinite(time_limit_s) && time_limit_s > 0 ? time_limit_s : 0;
	par.seed = seed;
	return rt_json_solve(problem, &par, max_jobs, err, errlen);
}
