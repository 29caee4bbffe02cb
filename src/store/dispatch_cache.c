/*
 * dispatch_cache.c — the technicians dispatch ranks, kept in memory per tenant with the spatial
 * index built over them, so that a suggestion among 10,000 technicians reads the database twice
 * (what changed, the order) instead of loading all of them (issue 5: ≤ 5 ms p99).
 *
 * Truth stays in the database. Triggers (migration 0017) note in dispatch_changes every
 * technician a write touches; before ranking, a node reads the notes since its last look and
 * reloads those technicians only (0: everyone). On SQLite the one writer commits notes in id
 * order, so "id > last seen" is exact. On PostgreSQL ids are not committed in order; a node
 * remembers the oldest transaction still running at its last look (the snapshot's xmin) and
 * reads every note of a transaction from there on, skipping the notes it has applied: whatever
 * committed after its last look was running then, or began later. So a node answers what a
 * fresh load would, whichever node wrote: no per-process state that two nodes could disagree on.
 *
 * What is kept:
 *   rec    one technician, all days: profile, position, area, skills, certificates, brands,
 *          the weekly shift pattern, leave and open bookings (raw epoch ms), open orders;
 *   view   one day of every rec as the engine wants it (dsp_tech: the day's shifts, leave,
 *          bookings, booked minutes) with its dsp_grid, the last MAX_VIEWS days asked for.
 * A rec that changes is replaced; each view re-derives that technician's entry and marks it
 * dirty: the grid walk leaves dirty entries out and evaluates them one by one
 * (dsp_grid_rank_ex), so the answer stays dsp_rank's. A view with too many dirty entries, or
 * after a technician is added, is built again. The replaced rec's strings stay alive (the grid's
 * city list points to them) until no view built before the change remains.
 *
 * One mutex per tenant: a request syncs, ranks and copies its answer out under it.
 */
#include "store/dispatch_cache.h"
#include "domain/warranty.h"
#include "util/util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENANTS 32
#define MAX_VIEWS 4
#define REBUILD_DIRTY 256     /* dirty entries before a view is built again */
#define FULL_RELOAD_IDS 2000  /* more changed technicians than this: reload everyone */
#define STALE_MS (30 * 60000) /* not looked for this long: reload (notes live an hour) */
#define PRUNE_MS (60 * 60000)
#define LEAVE_PAST_MS (2 * 86400000LL) /* leave and bookings kept from two days back */

typedef struct shift_row {
	int weekday, start_min, end_min, bs, be;
	bool brk;
} shift_row;

typedef struct ms_span {
	int64_t from, to;
} ms_span;

typedef struct ms_booking {
	int64_t order_id, start, end; /* ms; end 0: none recorded */
	bool has_end;
	double lat, lon;
	const char *region;
} ms_booking;

typedef struct rec {
	int64_t id, org_id;
	const char *org_path, *region, *name, *org_name;
	double lat, lon, radius_km;
	const char **regions;
	size_t n_regions;
	bool on_duty, gone;
	int level, score, open_orders;
	dsp_skill *skills;
	size_t n_skills;
	dsp_cert *certs;
	size_t n_certs;
	dsp_auth *auths;
	size_t n_auths;
	shift_row *shifts;
	size_t n_shifts;
	ms_span *leave;
	size_t n_leave;
	ms_booking *booked;
	size_t n_booked;
	char **strs; /* every string above, owned */
	size_t n_strs, cap_strs;
	uint64_t retired; /* epoch it was replaced at (on the retired list) */
} rec;

typedef struct view {
	int64_t day_start;
	int tz;
	int weekday;
	dsp_tech *t; /* parallel to the tenant's recs when built */
	void **blk;  /* per technician: its day's shifts, leave and bookings (one block) */
	size_t n;
	dsp_grid *g;
	unsigned char *dirty;
	size_t *also, n_also;
	dsp_span whole_day;
	uint64_t built_epoch, used;
} view;

typedef struct tcache {
	int64_t tenant_id;
	pthread_mutex_t mu;
	bool loaded;
	rec *recs; /* sorted by id */
	size_t n_recs;
	view views[MAX_VIEWS]; /* t == NULL: free */
	rec *retired;
	size_t n_retired;
	uint64_t epoch, clock;
	int64_t last_sync_ms;
	int64_t seen_id;  /* SQLite: the last note applied */
	int64_t xmin;     /* PostgreSQL: the oldest transaction running at the last look */
	int64_t *applied; /* PostgreSQL: notes applied whose transaction is ≥ xmin */
	size_t n_applied;
} tcache;

static struct {
	pthread_mutex_t mu;
	tcache *t[MAX_TENANTS];
	int enabled; /* -1 not read yet */
} C = {PTHREAD_MUTEX_INITIALIZER, {0}, -1};

bool dcache_enabled(void)
{
	if (C.enabled < 0) {
		const char *e = getenv("FUWU_DISPATCH_CACHE");
		C.enabled = !(e && (!strcmp(e, "off") || !strcmp(e, "0")));
	}
	return C.enabled;
}

/* --- one technician ----------------------------------------------------------------------- */

static const char *keep(rec *r, const char *s)
{
	if (!s)
		return NULL;
	if (r->n_strs == r->cap_strs) {
		r->cap_strs = r->cap_strs ? r->cap_strs * 2 : 8;
		r->strs = xrealloc(r->strs, r->cap_strs * sizeof *r->strs);
	}
	return r->strs[r->n_strs++] = xstrdup(s);
}

static void rec_free(rec *r)
{
	for (size_t i = 0; i < r->n_strs; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->regions);
	free(r->skills);
	free(r->certs);
	free(r->auths);
	free(r->shifts);
	free(r->leave);
	free(r->booked);
	memset(r, 0, sizeof *r);
}

static size_t rec_find(const rec *recs, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (recs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && recs[lo].id == id ? lo : SIZE_MAX;
}

/* Appends one item of `size` to (*arr, *n), growing it by doubling (capacity: a power of two). */
static void *push(void *arr_p, size_t *n, size_t size)
{
	void **arr = arr_p;
	if ((*n & (*n - 1)) == 0) /* 0, 1, 2, 4 …: full */
		*arr = xrealloc(*arr, (*n ? *n * 2 : 1) * size);
	return (char *)*arr + (*n)++ * size;
}

/* --- loading ------------------------------------------------------------------------------ */

struct load {
	rec *recs;
	size_t n;
	bool lite;
	const char *ids; /* JSON array / PostgreSQL array of the technicians to load; NULL: all */
};

/* sql has one %s where the id condition goes (on column col). */
static int load_query(db_tx *tx, const struct load *l, const char *sql, const char *col, dbv *p, int np, db_res **r)
{
	char cond[128] = "", text[1200];
	if (l->ids) {
		snprintf(cond, sizeof cond, " AND %s %s", col,
			 l->lite ? "IN (SELECT value FROM json_each(?))" : "= ANY(CAST(? AS BIGINT[]))");
		p[np++] = VT(l->ids);
	}
	snprintf(text, sizeof text, sql, cond);
	return db_query(tx, text, p, np, r) == DB_OK ? ST_OK : ST_DB;
}

static void load_regions(rec *r, const char *json)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL;
	size_t i;
	json_t *v;
	if (json_is_array(a))
		json_array_foreach(a, i, v) if (json_is_string(v)) *(const char **)push(&r->regions, &r->n_regions,
										       sizeof *r->regions) =
			keep(r, json_string_value(v));
	json_decref(a);
}

static int load_users(db_tx *tx, struct load *l, int64_t tenant)
{
	dbv p[2] = {VI(tenant)};
	db_res *r;
	int rc = load_query(tx, l,
			    "SELECT u.id, u.org_id, o.city, COALESCE(p.pos_lat, p.base_lat, o.lat), "
			    "COALESCE(p.pos_lon, p.base_lon, o.lon), p.area_radius_km, p.area_regions_json, "
			    "COALESCE(p.on_duty, 1), COALESCE(p.level, 1), COALESCE(p.score_x100, 7000), u.name, o.name, o.path "
			    "FROM users u JOIN organizations o ON o.id = u.org_id LEFT JOIN tech_profiles p ON "
			    "p.tenant_id = u.tenant_id AND p.user_id = u.id WHERE u.tenant_id = ? AND "
			    "(',' || u.roles || ',') LIKE '%%,technician,%%' AND u.status = 'active'%s ORDER BY u.id",
			    "u.id", p, 1, &r);
	if (rc != ST_OK)
		return rc;
	l->n = (size_t)db_rows(r);
	l->recs = xcalloc(l->n + 1, sizeof *l->recs);
	for (size_t i = 0; i < l->n; i++) {
		rec *t = &l->recs[i];
		int row = (int)i;
		t->id = db_int(r, row, 0);
		t->org_id = db_int(r, row, 1);
		t->region = keep(t, db_text(r, row, 2));
		t->lat = db_isnull(r, row, 3) ? NAN : db_real(r, row, 3);
		t->lon = db_isnull(r, row, 4) ? NAN : db_real(r, row, 4);
		t->radius_km = db_isnull(r, row, 5) ? 0 : (double)db_int(r, row, 5);
		load_regions(t, db_text(r, row, 6));
		t->on_duty = db_int(r, row, 7) != 0;
		t->level = (int)db_int(r, row, 8);
		t->score = (int)(db_int(r, row, 9) / 100);
		t->name = keep(t, db_text(r, row, 10));
		t->org_name = keep(t, db_text(r, row, 11));
		t->org_path = keep(t, db_text(r, row, 12) ? db_text(r, row, 12) : "");
	}
	db_res_free(r);
	return ST_OK;
}

typedef void (*row_fn)(rec *t, const db_res *r, int row);

/* Rows ordered by technician (column 0) handed to fn for the technicians being loaded. */
static int load_rows(db_tx *tx, struct load *l, const char *sql, const char *col, dbv *p, int np, row_fn fn)
{
	db_res *r;
	int rc = load_query(tx, l, sql, col, p, np, &r);
	if (rc != ST_OK)
		return rc;
	for (int i = 0; i < db_rows(r); i++) {
		size_t k = rec_find(l->recs, l->n, db_int(r, i, 0));
		if (k != SIZE_MAX)
			fn(&l->recs[k], r, i);
	}
	db_res_free(r);
	return ST_OK;
}

static void row_skill(rec *t, const db_res *r, int row)
{
	dsp_skill *s = push(&t->skills, &t->n_skills, sizeof *s);
	*s = (dsp_skill){keep(t, db_text(r, row, 1)), (int)db_int(r, row, 2)};
}

static void row_cert(rec *t, const db_res *r, int row)
{
	int32_t day = 0;
	if (!db_isnull(r, row, 2) && !wty_day_parse(db_text(r, row, 2), &day))
		day = 0;
	dsp_cert *c = push(&t->certs, &t->n_certs, sizeof *c);
	*c = (dsp_cert){keep(t, db_text(r, row, 1)), day};
}

static void row_brand(rec *t, const db_res *r, int row)
{
	dsp_auth *a = push(&t->auths, &t->n_auths, sizeof *a);
	*a = (dsp_auth){keep(t, db_text(r, row, 1)), db_isnull(r, row, 2) ? NULL : keep(t, db_text(r, row, 2))};
}

static void row_shift(rec *t, const db_res *r, int row)
{
	shift_row *s = push(&t->shifts, &t->n_shifts, sizeof *s);
	bool brk = !db_isnull(r, row, 4) && !db_isnull(r, row, 5);
	*s = (shift_row){(int)db_int(r, row, 1), (int)db_int(r, row, 2), (int)db_int(r, row, 3),
			 brk ? (int)db_int(r, row, 4) : 0, brk ? (int)db_int(r, row, 5) : 0, brk};
}

static void row_leave(rec *t, const db_res *r, int row)
{
	ms_span *s = push(&t->leave, &t->n_leave, sizeof *s);
	*s = (ms_span){db_int(r, row, 1), db_int(r, row, 2)};
}

static void row_booking(rec *t, const db_res *r, int row)
{
	ms_booking *b = push(&t->booked, &t->n_booked, sizeof *b);
	*b = (ms_booking){.order_id = db_int(r, row, 1), .start = db_int(r, row, 2), .end = db_int(r, row, 3),
			  .has_end = !db_isnull(r, row, 3), .lat = db_isnull(r, row, 4) ? NAN : db_real(r, row, 4),
			  .lon = db_isnull(r, row, 5) ? NAN : db_real(r, row, 5), .region = keep(t, db_text(r, row, 6))};
}

static void row_open(rec *t, const db_res *r, int row)
{
	t->open_orders = (int)db_int(r, row, 1);
}

/* The active technicians of the tenant (or those of l->ids that still are), all they bring. */
static int load_recs(db_tx *tx, struct load *l, int64_t tenant, int64_t now)
{
	int rc = load_users(tx, l, tenant);
	dbv p[3] = {VI(tenant)};
	if (rc == ST_OK)
		rc = load_rows(tx, l, "SELECT user_id, skill, level FROM tech_skills WHERE tenant_id = ?%s ORDER BY user_id, skill",
			       "user_id", p, 1, row_skill);
	if (rc == ST_OK)
		rc = load_rows(tx, l, "SELECT user_id, skill, expires_on FROM tech_certs WHERE tenant_id = ?%s ORDER BY user_id, id",
			       "user_id", p, 1, row_cert);
	if (rc == ST_OK)
		rc = load_rows(tx, l,
			       "SELECT user_id, brand, category FROM tech_brands WHERE tenant_id = ?%s "
			       "ORDER BY user_id, brand, category",
			       "user_id", p, 1, row_brand);
	if (rc == ST_OK)
		rc = load_rows(tx, l,
			       "SELECT user_id, weekday, start_min, end_min, break_start_min, break_end_min FROM tech_shifts "
			       "WHERE tenant_id = ?%s ORDER BY user_id, weekday",
			       "user_id", p, 1, row_shift);
	p[1] = VI(now - LEAVE_PAST_MS);
	if (rc == ST_OK)
		rc = load_rows(tx, l,
			       "SELECT user_id, from_at, to_at FROM tech_leave WHERE tenant_id = ? AND to_at > ?%s "
			       "ORDER BY user_id, from_at",
			       "user_id", p, 2, row_leave);
	if (rc == ST_OK)
		rc = load_rows(tx, l,
			       "SELECT assignee_id, id, appointment_start, appointment_end, lat, lon, region FROM work_orders "
			       "WHERE tenant_id = ? AND assignee_id IS NOT NULL AND status IN " DSP_OPEN_STATES
			       " AND appointment_start IS NOT NULL AND COALESCE(appointment_end, appointment_start + 3600000) > ?%s "
			       "ORDER BY assignee_id, appointment_start",
			       "assignee_id", p, 2, row_booking);
	if (rc == ST_OK)
		rc = load_rows(tx, l,
			       "SELECT assignee_id, count(*) FROM work_orders WHERE tenant_id = ? AND assignee_id IS NOT NULL "
			       "AND status IN " DSP_OPEN_STATES "%s GROUP BY assignee_id",
			       "assignee_id", p, 1, row_open);
	return rc;
}

/* --- one day ------------------------------------------------------------------------------ */

/* Technician i of the view as of rec r, for the view's day: what pool_load in dispatch.c gives. */
static void derive(view *v, size_t i, const rec *r)
{
	int64_t d0 = v->day_start, d1 = d0 + 86400, d0ms = d0 * 1000, d1ms = d1 * 1000;
	size_t ns = 0, nl = 0, nb = 0;
	for (size_t k = 0; k < r->n_shifts; k++)
		ns += r->shifts[k].weekday == v->weekday ? 2 : 0;
	for (size_t k = 0; k < r->n_leave; k++)
		nl += r->leave[k].to > d0ms && r->leave[k].from < d1ms;
	for (size_t k = 0; k < r->n_booked; k++) {
		const ms_booking *b = &r->booked[k];
		nb += b->start < d1ms && (b->has_end ? b->end : b->start + 3600000) > d0ms;
	}
	free(v->blk[i]);
	size_t spans = ns + nl;
	char *blk = v->blk[i] = (spans || nb) ? xmalloc(spans * sizeof(dsp_span) + nb * sizeof(dsp_booking)) : NULL;
	dsp_booking *bk = blk ? (dsp_booking *)(void *)blk : NULL;
	dsp_span *sp = blk ? (dsp_span *)(void *)(blk + nb * sizeof(dsp_booking)) : NULL;
	dsp_tech *t = &v->t[i];
	*t = (dsp_tech){.id = r->id, .org_id = r->org_id, .lat = r->lat, .lon = r->lon, .region = r->region,
			.radius_km = r->radius_km, .regions = r->n_regions ? r->regions : NULL, .n_regions = r->n_regions,
			.on_duty = r->on_duty, .skills = r->skills, .n_skills = r->n_skills, .certs = r->certs,
			.n_certs = r->n_certs, .auths = r->auths, .n_auths = r->n_auths, .open_orders = r->open_orders,
			.score = r->score, .level = r->level};
	if (!r->n_shifts) { /* no pattern recorded: the whole day */
		t->shifts = &v->whole_day;
		t->n_shifts = 1;
	} else {
		t->shifts = sp;
		for (size_t k = 0; k < r->n_shifts; k++) {
			const shift_row *s = &r->shifts[k];
			if (s->weekday != v->weekday)
				continue;
			int64_t a = d0 + (int64_t)s->start_min * 60, b = d0 + (int64_t)s->end_min * 60;
			int64_t bs = s->brk ? d0 + (int64_t)s->bs * 60 : 0, be = s->brk ? d0 + (int64_t)s->be * 60 : 0;
			if (s->brk && bs > a && be < b && bs < be) {
				sp[t->n_shifts++] = (dsp_span){a, bs};
				sp[t->n_shifts++] = (dsp_span){be, b};
			} else {
				sp[t->n_shifts++] = (dsp_span){a, b};
			}
		}
	}
	dsp_span *lv = sp ? sp + ns : NULL;
	t->leave = lv;
	for (size_t k = 0; k < r->n_leave; k++)
		if (r->leave[k].to > d0ms && r->leave[k].from < d1ms)
			lv[t->n_leave++] = (dsp_span){r->leave[k].from / 1000, r->leave[k].to / 1000};
	t->booked = bk;
	for (size_t k = 0; k < r->n_booked; k++) {
		const ms_booking *b = &r->booked[k];
		if (!(b->start < d1ms && (b->has_end ? b->end : b->start + 3600000) > d0ms))
			continue;
		int64_t s = b->start / 1000, e = b->has_end ? b->end / 1000 : s + DSP_DEFAULT_VISIT_S;
		bk[t->n_booked++] = (dsp_booking){.start = s, .end = e > s ? e : s + DSP_DEFAULT_VISIT_S,
						  .order_id = b->order_id, .lat = b->lat, .lon = b->lon, .region = b->region};
		if (e > d0 && s < d1)
			t->booked_min += (int)((e < d1 ? e : d1) - (s > d0 ? s : d0)) / 60;
	}
}

static void view_free(view *v)
{
	if (!v->t)
		return;
	dsp_grid_free(v->g);
	for (size_t i = 0; i < v->n; i++)
		free(v->blk[i]);
	free(v->blk);
	free(v->t);
	free(v->dirty);
	free(v->also);
	memset(v, 0, sizeof *v);
}

static int weekday_of(int64_t day_start, int tz_min)
{
	int64_t day = (day_start + (int64_t)tz_min * 60) / 86400;
	return (int)(((day + 3) % 7 + 7) % 7) + 1; /* 1970-01-01 was a Thursday; 1 = Monday */
}

static bool view_build(tcache *c, view *v, int64_t day_start, int tz)
{
	*v = (view){.day_start = day_start, .tz = tz, .weekday = weekday_of(day_start, tz), .n = c->n_recs,
		    .whole_day = {day_start, day_start + 86400}, .built_epoch = c->epoch};
	v->t = xcalloc(v->n + 1, sizeof *v->t);
	v->blk = xcalloc(v->n + 1, sizeof *v->blk);
	v->dirty = xcalloc(v->n + 1, 1);
	v->also = xcalloc(v->n + 1, sizeof *v->also);
	for (size_t i = 0; i < v->n; i++)
		derive(v, i, &c->recs[i]);
	v->g = dsp_grid_build(v->t, v->n, 0);
	if (!v->g) {
		view_free(v);
		return false;
	}
	return true;
}

static view *view_get(tcache *c, int64_t day_start, int tz)
{
	view *lru = &c->views[0];
	for (int i = 0; i < MAX_VIEWS; i++) {
		view *v = &c->views[i];
		if (v->t && v->day_start == day_start && v->tz == tz) {
			v->used = ++c->clock;
			return v;
		}
		if (!v->t || (lru->t && v->used < lru->used))
			lru = v;
	}
	view_free(lru);
	if (!view_build(c, lru, day_start, tz))
		return NULL;
	lru->used = ++c->clock;
	return lru;
}

/* --- keeping up with the database --------------------------------------------------------- */

static void drop_all(tcache *c)
{
	for (int i = 0; i < MAX_VIEWS; i++)
		view_free(&c->views[i]);
	for (size_t i = 0; i < c->n_recs; i++)
		rec_free(&c->recs[i]);
	free(c->recs);
	c->recs = NULL;
	c->n_recs = 0;
	for (size_t i = 0; i < c->n_retired; i++)
		rec_free(&c->retired[i]);
	free(c->retired);
	c->retired = NULL;
	c->n_retired = 0;
	free(c->applied);
	c->applied = NULL;
	c->n_applied = 0;
	c->loaded = false;
}

/* Where the notes stand now: the last id (SQLite) or the oldest running transaction. */
static int mark_now(db_tx *tx, tcache *c, bool lite)
{
	int64_t v = 0;
	int rc = db_query_int(tx,
			      lite ? "SELECT COALESCE(max(id), 0) FROM dispatch_changes"
				   : "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)",
			      NULL, 0, &v);
	if (rc != ST_OK)
		return ST_DB;
	if (lite)
		c->seen_id = v;
	else
		c->xmin = v;
	return ST_OK;
}

static int full_load(db_tx *tx, tcache *c, int64_t now)
{
	drop_all(c);
	bool lite = db_tx_kind(tx) == DB_SQLITE;
	int rc = mark_now(tx, c, lite); /* first: what changes during the load is read next time */
	struct load l = {.lite = lite};
	if (rc == ST_OK)
		rc = load_recs(tx, &l, c->tenant_id, now);
	if (rc != ST_OK) {
		for (size_t i = 0; i < l.n; i++)
			rec_free(&l.recs[i]);
		free(l.recs);
		return rc;
	}
	c->recs = l.recs;
	c->n_recs = l.n;
	c->loaded = true;
	c->last_sync_ms = now;
	return ST_OK;
}

static int cmp_rec(const void *a, const void *b)
{
	int64_t x = ((const rec *)a)->id, y = ((const rec *)b)->id;
	return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void retire(tcache *c, rec *r)
{
	r->retired = ++c->epoch;
	*(rec *)push(&c->retired, &c->n_retired, sizeof *c->retired) = *r;
	memset(r, 0, sizeof *r);
}

/* Technician k changed (new value in place, or gone): every view re-derives it and walks
 * around it. */
static void views_touch(tcache *c, size_t k)
{
	for (int i = 0; i < MAX_VIEWS; i++) {
		view *v = &c->views[i];
		if (!v->t)
			continue;
		if (k >= v->n) { /* a technician the view never had */
			view_free(v);
			continue;
		}
		if (!c->recs[k].gone)
			derive(v, k, &c->recs[k]);
		if (!v->dirty[k]) {
			v->dirty[k] = 1;
			v->also[v->n_also++] = k;
		}
		if (v->n_also > REBUILD_DIRTY)
			view_free(v);
	}
}

/* Frees the replaced recs no remaining view can point to. */
static void retired_sweep(tcache *c)
{
	uint64_t oldest = UINT64_MAX;
	for (int i = 0; i < MAX_VIEWS; i++)
		if (c->views[i].t && c->views[i].built_epoch < oldest)
			oldest = c->views[i].built_epoch;
	size_t w = 0;
	for (size_t i = 0; i < c->n_retired; i++) {
		if (c->retired[i].retired <= oldest)
			rec_free(&c->retired[i]);
		else
			c->retired[w++] = c->retired[i];
	}
	c->n_retired = w;
	if (!w) {
		free(c->retired);
		c->retired = NULL;
	}
}

/* Reloads the technicians of ids[0..n) (sorted, distinct). */
static int reload(db_tx *tx, tcache *c, const int64_t *ids, size_t n, int64_t now)
{
	bool lite = db_tx_kind(tx) == DB_SQLITE;
	buf b;
	buf_init(&b, 0);
	buf_puts(&b, lite ? "[" : "{");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_puts(&b, lite ? "]" : "}");
	struct load l = {.lite = lite, .ids = b.data};
	int rc = load_recs(tx, &l, c->tenant_id, now);
	buf_free(&b);
	if (rc != ST_OK) {
		for (size_t i = 0; i < l.n; i++)
			rec_free(&l.recs[i]);
		free(l.recs);
		return rc;
	}
	bool added = false;
	for (size_t i = 0; i < n; i++) {
		size_t old = rec_find(c->recs, c->n_recs, ids[i]), fresh = rec_find(l.recs, l.n, ids[i]);
		if (old != SIZE_MAX && fresh != SIZE_MAX) {
			retire(c, &c->recs[old]);
			c->recs[old] = l.recs[fresh];
			views_touch(c, old);
		} else if (old != SIZE_MAX && !c->recs[old].gone) { /* no longer an active technician */
			c->recs[old].gone = true;
			views_touch(c, old);
		} else {
			continue; /* a new one (appended below), or nobody dispatch knows */
		}
		if (fresh != SIZE_MAX)
			l.recs[fresh].id = 0; /* taken (still below every id searched after it) */
	}
	for (size_t i = 0; i < l.n; i++) /* what is left is new: the views are built again */
		if (l.recs[i].id) {
			c->recs = xrealloc(c->recs, (c->n_recs + 1) * sizeof *c->recs);
			c->recs[c->n_recs++] = l.recs[i];
			added = true;
		}
	free(l.recs);
	if (added) {
		qsort(c->recs, c->n_recs, sizeof *c->recs, cmp_rec);
		for (int i = 0; i < MAX_VIEWS; i++)
			view_free(&c->views[i]);
	}
	retired_sweep(c);
	return ST_OK;
}

static bool applied_has(const tcache *c, int64_t id)
{
	return bsearch(&id, c->applied, c->n_applied, sizeof *c->applied, cmp_i64) != NULL;
}

/* Reads the notes since the last look and applies them. */
static int sync_changes(db_tx *tx, tcache *c, int64_t now)
{
	if (!c->loaded || now - c->last_sync_ms > STALE_MS)
		return full_load(tx, c, now);
	bool lite = db_tx_kind(tx) == DB_SQLITE;
	db_res *r;
	dbv p[] = {VI(c->tenant_id), VI(lite ? c->seen_id : c->xmin)};
	if (db_query(tx,
		     lite ? "SELECT id, user_id, 0, 0 FROM dispatch_changes WHERE tenant_id = ? AND id > ? ORDER BY id"
			  : "SELECT c.id, c.user_id, c.xid, s.xmin FROM (SELECT CAST(CAST(pg_snapshot_xmin("
			    "pg_current_snapshot()) AS TEXT) AS BIGINT) AS xmin) s LEFT JOIN dispatch_changes c ON "
			    "c.tenant_id = ? AND c.xid >= ? ORDER BY c.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rows = db_rows(r);
	int64_t *ids = xcalloc((size_t)rows + 1, sizeof *ids), *keep_ids = xcalloc((size_t)rows + 1, sizeof *keep_ids);
	size_t n = 0, nk = 0;
	bool everyone = false;
	int64_t xmin = lite ? 0 : rows ? db_int(r, 0, 3) : c->xmin;
	for (int i = 0; i < rows; i++) {
		if (db_isnull(r, i, 0)) /* PostgreSQL: no note, only the snapshot */
			continue;
		int64_t id = db_int(r, i, 0);
		if (lite)
			c->seen_id = id;
		else if (db_int(r, i, 2) >= xmin)
			keep_ids[nk++] = id; /* its transaction may still have notes to come */
		if (!lite && applied_has(c, id))
			continue;
		int64_t u = db_int(r, i, 1);
		everyone |= u == 0;
		ids[n++] = u;
	}
	db_res_free(r);
	int rc = ST_OK;
	if (n) {
		qsort(ids, n, sizeof *ids, cmp_i64);
		size_t w = 0;
		for (size_t i = 0; i < n; i++)
			if (!w || ids[w - 1] != ids[i])
				ids[w++] = ids[i];
		n = w;
		rc = everyone || n > FULL_RELOAD_IDS ? full_load(tx, c, now) : reload(tx, c, ids, n, now);
	}
	if (rc == ST_OK && !lite && c->loaded) {
		if (!(everyone || n > FULL_RELOAD_IDS)) /* a full load took its own mark */
			c->xmin = xmin;
		qsort(keep_ids, nk, sizeof *keep_ids, cmp_i64);
		free(c->applied);
		c->applied = keep_ids;
		c->n_applied = nk;
		keep_ids = NULL;
	}
	free(ids);
	free(keep_ids);
	if (rc == ST_OK)
		c->last_sync_ms = now;
	else
		drop_all(c); /* half applied: start again next time */
	return rc;
}

/* --- the request -------------------------------------------------------------------------- */

static tcache *tenant_cache(int64_t tenant)
{
	pthread_mutex_lock(&C.mu);
	tcache *found = NULL;
	for (int i = 0; i < MAX_TENANTS && !found; i++) {
		if (C.t[i] && C.t[i]->tenant_id == tenant) {
			found = C.t[i];
		} else if (!C.t[i]) {
			found = C.t[i] = xcalloc(1, sizeof *found);
			found->tenant_id = tenant;
			pthread_mutex_init(&found->mu, NULL);
		}
	}
	pthread_mutex_unlock(&C.mu);
	return found;
}

static bool in_subtree(const rec *r, const char *path)
{
	return !r->gone && r->org_path && !strncmp(r->org_path, path, strlen(path));
}

int dcache_rank(db_tx *tx, const principal *who, int64_t day_start, const dsp_order *o, const dsp_params *prm,
		int64_t now, dsp_candidate *cand, size_t want, size_t *n, dcache_pick *picks, size_t *n_techs)
{
	*n = 0;
	*n_techs = 0;
	tcache *c = dcache_enabled() ? tenant_cache(who->tenant_id) : NULL;
	if (!c)
		return ST_INVALID;
	pthread_mutex_lock(&c->mu);
	int rc = sync_changes(tx, c, now_ms());
	view *v = rc == ST_OK ? view_get(c, day_start, who->tz_offset_min) : NULL;
	if (rc == ST_OK && !v)
		rc = ST_DB; /* out of memory */
	if (rc == ST_OK) {
		unsigned char *skip = xmalloc(v->n + 1);
		size_t *also = xmalloc((v->n_also + 1) * sizeof *also), n_also = 0;
		for (size_t i = 0; i < v->n; i++) {
			bool mine = in_subtree(&c->recs[i], who->org_path);
			skip[i] = !mine || v->dirty[i];
			*n_techs += mine;
		}
		for (size_t k = 0; k < v->n_also; k++)
			if (in_subtree(&c->recs[v->also[k]], who->org_path))
				also[n_also++] = v->also[k];
		*n = dsp_grid_rank_ex(v->g, o, prm, now, skip, also, n_also, cand, want);
		for (size_t i = 0; i < *n; i++) {
			const rec *r = &c->recs[cand[i].tech];
			picks[i] = (dcache_pick){r->org_id, xstrdup(r->name ? r->name : ""),
						 xstrdup(r->org_name ? r->org_name : "")};
		}
		free(skip);
		free(also);
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

static int prune_fn(db_tx *tx, void *arg)
{
	int64_t *a = arg;
	/* SQLite: the newest note stays, so that ids are never handed out again */
	dbv p[] = {VI(a[0] - PRUNE_MS)};
	if (db_exec(tx,
		    "DELETE FROM dispatch_changes WHERE at < ? AND id < (SELECT max(id) FROM dispatch_changes)", p,
		    1) != DB_OK)
		return ST_DB;
	a[1] = db_changes(tx);
	return ST_OK;
}

int store_dispatch_changes_prune(db *d, int64_t now, int64_t *deleted)
{
	int64_t a[2] = {now, 0};
	int rc = db_write(d, prune_fn, a);
	*deleted = a[1];
	return rc;
}
