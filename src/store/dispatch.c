/*
 * dispatch.c — dispatch (DOMAIN §4) over the store: the technicians a dispatcher may choose
 * from, loaded into the pure engine's structs (domain/dispatch.h) for one day, and what is
 * built on them: ranked suggestions for an order, the conflict check of a manual dispatch,
 * and the dispatcher's board of the day.
 *
 * A technician nobody has configured yet (no profile, no skills, no shifts) is not refused
 * for what is not known: no profile → on duty; no skill recorded → the skill is not checked
 * in a manual dispatch (suggestions still rank those with the skill); no shift pattern → the
 * whole day. Times in the database are epoch ms; the engine works in seconds.
 */
#include "domain/dispatch.h"
#include "store/dispatch_cache.h"
#include "domain/perm.h"
#include "domain/warranty.h"
#include "store/store.h"
#include "util/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_STATES DSP_OPEN_STATES
#define DEFAULT_VISIT_S DSP_DEFAULT_VISIT_S

/* One day of the technicians in the caller's scope (or one of them), as the engine wants them.
 * The strings point into the query results, which live as long as the pool. */
typedef struct pool {
	dsp_tech *t;
	size_t n;
	db_res *users, *skills, *certs, *brands, *shifts, *leave, *booked;
	dsp_skill *sk;
	dsp_cert *ce;
	dsp_auth *au;
	dsp_span *sh, *lv;
	dsp_booking *bk;
	const char **regions;
	json_t *regions_json;
	bool *configured_skills, *configured_shifts;
	dsp_span whole_day; /* the shift of a technician without a pattern */
	int64_t day_start, day_end; /* seconds */
	int weekday;                /* of the day, 1 = Monday */
} pool;

static void pool_free(pool *p)
{
	db_res_free(p->users);
	db_res_free(p->skills);
	db_res_free(p->certs);
	db_res_free(p->brands);
	db_res_free(p->shifts);
	db_res_free(p->leave);
	db_res_free(p->booked);
	free(p->t);
	free(p->sk);
	free(p->ce);
	free(p->au);
	free(p->sh);
	free(p->lv);
	free(p->bk);
	free(p->regions);
	free(p->configured_skills);
	free(p->configured_shifts);
	json_decref(p->regions_json);
	memset(p, 0, sizeof *p);
}

static size_t tech_index(const pool *p, int64_t user_id)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->t[mid].id < user_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->t[lo].id == user_id ? lo : SIZE_MAX;
}

/* Runs a query of rows ordered by user id (column 0) and calls fill for the rows of the
 * technicians in the pool, giving each technician's first slot index. */
typedef void (*row_fill)(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k);

static int per_tech(db_tx *tx, pool *p, const char *sql, const dbv *args, int nargs, db_res **keep, size_t item,
		    void **arr, row_fill fill)
{
	if (db_query(tx, sql, args, nargs, keep) != DB_OK)
		return ST_DB;
	int rows = db_rows(*keep);
	*arr = xcalloc((size_t)rows + 1, item * 2); /* shifts with a break take two spans */
	size_t k = 0;
	for (int i = 0; i < rows; i++) {
		size_t ti = tech_index(p, db_int(*keep, i, 0));
		if (ti != SIZE_MAX)
			fill(p, &p->t[ti], *keep, i, &k);
	}
	return ST_OK;
}

static void fill_skill(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	if (!t->skills)
		t->skills = &p->sk[*k];
	p->sk[*k] = (dsp_skill){db_text(r, row, 1), (int)db_int(r, row, 2)};
	(*k)++;
	t->n_skills++;
	p->configured_skills[t - p->t] = true;
}

static void fill_cert(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	int32_t day = 0;
	if (!db_isnull(r, row, 2) && !wty_day_parse(db_text(r, row, 2), &day))
		day = 0;
	if (!t->certs)
		t->certs = &p->ce[*k];
	p->ce[*k] = (dsp_cert){db_text(r, row, 1), day};
	(*k)++;
	t->n_certs++;
}

static void fill_brand(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	if (!t->auths)
		t->auths = &p->au[*k];
	p->au[*k] = (dsp_auth){db_text(r, row, 1), db_isnull(r, row, 2) ? NULL : db_text(r, row, 2)};
	(*k)++;
	t->n_auths++;
}

/* Weekday of the pool's day, 1 = Monday (1970-01-01 was a Thursday). */
static int pool_weekday(const pool *p, int tz_min)
{
	int64_t day = (p->day_start + (int64_t)tz_min * 60) / 86400;
	return (int)(((day + 3) % 7 + 7) % 7) + 1;
}

static void fill_shift(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	size_t ti = (size_t)(t - p->t);
	p->configured_shifts[ti] = true;
	if (db_int(r, row, 1) != p->weekday)
		return;
	if (!t->shifts)
		t->shifts = &p->sh[*k];
	int64_t base = p->day_start, a = base + db_int(r, row, 2) * 60, b = base + db_int(r, row, 3) * 60;
	bool brk = !db_isnull(r, row, 4) && !db_isnull(r, row, 5);
	int64_t bs = brk ? base + db_int(r, row, 4) * 60 : 0, be = brk ? base + db_int(r, row, 5) * 60 : 0;
	if (brk && bs > a && be < b && bs < be) {
		p->sh[(*k)++] = (dsp_span){a, bs};
		p->sh[(*k)++] = (dsp_span){be, b};
		t->n_shifts += 2;
	} else {
		p->sh[(*k)++] = (dsp_span){a, b};
		t->n_shifts++;
	}
}

static void fill_leave(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	if (!t->leave)
		t->leave = &p->lv[*k];
	p->lv[(*k)++] = (dsp_span){db_int(r, row, 1) / 1000, db_int(r, row, 2) / 1000};
	t->n_leave++;
}

static void fill_booking(pool *p, dsp_tech *t, const db_res *r, int row, size_t *k)
{
	if (!t->booked)
		t->booked = &p->bk[*k];
	int64_t s = db_int(r, row, 2) / 1000, e = db_isnull(r, row, 3) ? s + DEFAULT_VISIT_S : db_int(r, row, 3) / 1000;
	p->bk[(*k)++] = (dsp_booking){.start = s, .end = e > s ? e : s + DEFAULT_VISIT_S, .order_id = db_int(r, row, 1),
				      .lat = db_isnull(r, row, 4) ? NAN : db_real(r, row, 4),
				      .lon = db_isnull(r, row, 5) ? NAN : db_real(r, row, 5), .region = db_text(r, row, 6)};
	t->n_booked++;
	if (e > p->day_start && s < p->day_end)
		t->booked_min += (int)((e < p->day_end ? e : p->day_end) - (s > p->day_start ? s : p->day_start)) / 60;
}

/* The regions of a technician's service area: a JSON array of codes or city names. */
static void regions_set(pool *p, dsp_tech *t, const char *json, size_t *k)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL;
	if (json_is_array(a) && json_array_size(a)) {
		t->regions = &p->regions[*k];
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) if (json_is_string(v) && *k < p->n * 8)
		{
			p->regions[(*k)++] = json_string_value(v);
			t->n_regions++;
		}
		json_array_append_new(p->regions_json, a); /* keeps the strings */
		return;
	}
	json_decref(a);
}

/* The technicians of the caller's subtree (or only `only`), with everything of day
 * [day_start, day_start + 1 day). */
static int pool_load(db_tx *tx, const principal *who, int64_t day_start, int64_t only, pool *p)
{
	memset(p, 0, sizeof *p);
	p->day_start = day_start;
	p->day_end = day_start + 86400;
	p->regions_json = json_array();
	dbv pu[] = {VI(who->tenant_id), VT(who->org_path), VI(only), VI(only)};
	if (db_query(tx,
		     "SELECT u.id, u.org_id, o.city, COALESCE(p.pos_lat, p.base_lat, o.lat), COALESCE(p.pos_lon, p.base_lon, o.lon), "
		     "p.area_radius_km, p.area_regions_json, COALESCE(p.on_duty, 1), COALESCE(p.level, 1), "
		     "COALESCE(p.score_x100, 7000), u.name, o.name FROM users u JOIN organizations o ON o.id = u.org_id "
		     "LEFT JOIN tech_profiles p ON p.tenant_id = u.tenant_id AND p.user_id = u.id "
		     "WHERE u.tenant_id = ? AND o.path LIKE ? || '%' AND (',' || u.roles || ',') LIKE '%,technician,%' "
		     "AND u.status = 'active' AND (? = 0 OR u.id = ?) ORDER BY u.id",
		     pu, 4, &p->users) != DB_OK)
		return ST_DB;
	p->n = (size_t)db_rows(p->users);
	p->t = xcalloc(p->n + 1, sizeof *p->t);
	p->regions = xcalloc(p->n * 8 + 1, sizeof *p->regions);
	p->configured_skills = xcalloc(p->n + 1, sizeof(bool));
	p->configured_shifts = xcalloc(p->n + 1, sizeof(bool));
	size_t kr = 0;
	for (size_t i = 0; i < p->n; i++) {
		const db_res *r = p->users;
		int row = (int)i;
		dsp_tech *t = &p->t[i];
		t->id = db_int(r, row, 0);
		t->org_id = db_int(r, row, 1);
		t->region = db_text(r, row, 2);
		t->lat = db_isnull(r, row, 3) ? NAN : db_real(r, row, 3);
		t->lon = db_isnull(r, row, 4) ? NAN : db_real(r, row, 4);
		t->radius_km = db_isnull(r, row, 5) ? 0 : (double)db_int(r, row, 5);
		regions_set(p, t, db_text(r, row, 6), &kr);
		t->on_duty = db_int(r, row, 7) != 0;
		t->level = (int)db_int(r, row, 8);
		t->score = (int)(db_int(r, row, 9) / 100);
	}
	dbv pt[] = {VI(who->tenant_id)};
	int rc = per_tech(tx, p, "SELECT user_id, skill, level FROM tech_skills WHERE tenant_id = ? ORDER BY user_id, skill",
			  pt, 1, &p->skills, sizeof *p->sk, (void **)&p->sk, fill_skill);
	if (rc == ST_OK)
		rc = per_tech(tx, p, "SELECT user_id, skill, expires_on FROM tech_certs WHERE tenant_id = ? ORDER BY user_id, id",
			      pt, 1, &p->certs, sizeof *p->ce, (void **)&p->ce, fill_cert);
	if (rc == ST_OK)
		rc = per_tech(tx, p, "SELECT user_id, brand, category FROM tech_brands WHERE tenant_id = ? ORDER BY user_id",
			      pt, 1, &p->brands, sizeof *p->au, (void **)&p->au, fill_brand);
	p->weekday = pool_weekday(p, who->tz_offset_min);
	if (rc == ST_OK)
		rc = per_tech(tx, p,
			      "SELECT user_id, weekday, start_min, end_min, break_start_min, break_end_min FROM tech_shifts "
			      "WHERE tenant_id = ? ORDER BY user_id, weekday",
			      pt, 1, &p->shifts, sizeof *p->sh, (void **)&p->sh, fill_shift);
	dbv pw[] = {VI(who->tenant_id), VI(p->day_start * 1000), VI(p->day_end * 1000)};
	if (rc == ST_OK)
		rc = per_tech(tx, p,
			      "SELECT user_id, from_at, to_at FROM tech_leave WHERE tenant_id = ? AND to_at > ? AND from_at < ? "
			      "ORDER BY user_id, from_at",
			      pw, 3, &p->leave, sizeof *p->lv, (void **)&p->lv, fill_leave);
	if (rc == ST_OK)
		rc = per_tech(tx, p,
			      "SELECT assignee_id, id, appointment_start, appointment_end, lat, lon, region FROM work_orders "
			      "WHERE tenant_id = ? AND assignee_id IS NOT NULL AND status IN " OPEN_STATES
			      " AND appointment_start < ? AND COALESCE(appointment_end, appointment_start + 3600000) > ? "
			      "ORDER BY assignee_id, appointment_start",
			      (dbv[]){VI(who->tenant_id), VI(p->day_end * 1000), VI(p->day_start * 1000)}, 3, &p->booked,
			      sizeof *p->bk, (void **)&p->bk, fill_booking);
	p->whole_day = (dsp_span){p->day_start, p->day_end};
	for (size_t i = 0; i < p->n; i++)
		if (!p->configured_shifts[i]) { /* no pattern recorded: the whole day */
			p->t[i].shifts = &p->whole_day;
			p->t[i].n_shifts = 1;
		}
	if (rc != ST_OK)
		return rc;
	/* open orders per technician: one grouped query over the assignee index */
	db_res *r;
	if (db_query(tx,
		     "SELECT assignee_id, count(*) FROM work_orders WHERE tenant_id = ? AND assignee_id IS NOT NULL AND "
		     "status IN " OPEN_STATES " GROUP BY assignee_id",
		     pt, 1, &r) != DB_OK)
		return ST_DB;
	for (int i = 0; i < db_rows(r); i++) {
		size_t ti = tech_index(p, db_int(r, i, 0));
		if (ti != SIZE_MAX)
			p->t[ti].open_orders = (int)db_int(r, i, 1);
	}
	db_res_free(r);
	return ST_OK;
}

/* --- the order as the engine sees it ------------------------------------------------------ */

struct order_facts {
	dsp_order o;
	db_res *r; /* keeps the strings */
	int64_t org_id;
	bool has_appointment;
};

static int priority_num(const char *p)
{
	return p && p[0] == 'P' && p[1] >= '1' && p[1] <= '4' && !p[2] ? p[1] - '0' : 3;
}

/* The order in the caller's scope (404 otherwise): position, city, the category and brand of
 * its asset's model, priority, the SLA slack, the customer's class, the appointment. */
static int order_facts_load(db_tx *tx, const principal *who, int64_t id, int64_t now_s, struct order_facts *f)
{
	memset(f, 0, sizeof *f);
	json_t *w = NULL;
	int rc = wo_load_tx(tx, who, id, &w);
	json_decref(w);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(id), VI(who->tenant_id)};
	if (db_query(tx,
		     "SELECT w.id, w.lat, w.lon, w.region, m.category, m.brand, w.priority, "
		     "COALESCE(w.sla_onsite_due, w.sla_resolve_due), c.class, c.tags_json, w.appointment_start, "
		     "w.appointment_end, w.org_id FROM work_orders w LEFT JOIN assets a ON a.id = w.asset_id "
		     "LEFT JOIN product_models m ON m.id = a.model_id LEFT JOIN customers c ON c.id = w.customer_id "
		     "WHERE w.id = ? AND w.tenant_id = ?",
		     p, 2, &f->r) != DB_OK)
		return ST_DB;
	if (!db_rows(f->r))
		return ST_NOT_FOUND;
	const db_res *r = f->r;
	dsp_order *o = &f->o;
	o->id = id;
	o->lat = db_isnull(r, 0, 1) ? NAN : db_real(r, 0, 1);
	o->lon = db_isnull(r, 0, 2) ? NAN : db_real(r, 0, 2);
	o->region = db_text(r, 0, 3);
	o->category = db_text(r, 0, 4);
	o->brand = db_text(r, 0, 5);
	o->priority = priority_num(db_text(r, 0, 6));
	o->sla_slack_s = db_isnull(r, 0, 7) ? INT64_MAX : db_int(r, 0, 7) / 1000 - now_s;
	const char *cls = db_text(r, 0, 8), *tags = db_text(r, 0, 9);
	o->cls = tags && strstr(tags, "VIP") ? DSP_VIP : cls && *cls == 'A' ? DSP_A : cls && *cls == 'B' ? DSP_B : DSP_C;
	f->has_appointment = !db_isnull(r, 0, 10);
	o->win_start = f->has_appointment ? db_int(r, 0, 10) / 1000 : 0;
	o->win_end = f->has_appointment && !db_isnull(r, 0, 11) ? db_int(r, 0, 11) / 1000 : 0;
	o->duration_s = DEFAULT_VISIT_S;
	f->org_id = db_int(r, 0, 12);
	return ST_OK;
}

static int64_t local_day_start(const principal *who, int64_t s)
{
	int64_t tz = (int64_t)who->tz_offset_min * 60;
	int64_t day = (s + tz) / 86400;
	return day * 86400 - tz;
}

static json_t *reasons_json(unsigned mask)
{
	json_t *a = json_array();
	for (int b = 0; b < DSP_REASONS; b++)
		if (mask & (1u << b))
			json_array_append_new(a, json_string(dsp_reason_code(1u << b)));
	return a;
}

/* "3.2 km, 2 open orders, skill 空调 level 3" — the English reason; the console words its own
 * from the same fields. */
static json_t *candidate_json(const dcache_pick *who, const dsp_order *o, const dsp_candidate *c)
{
	char reason[200], dist[32];
	if (isnan(c->km))
		snprintf(dist, sizeof dist, "distance unknown");
	else
		snprintf(dist, sizeof dist, "%.1f km", c->km);
	int len = snprintf(reason, sizeof reason, "%s, %d open order%s", dist, c->open_orders, c->open_orders == 1 ? "" : "s");
	if (o->category && *o->category && c->skill_level && len > 0 && (size_t)len < sizeof reason)
		snprintf(reason + len, sizeof reason - (size_t)len, ", skill %s level %d", o->category, c->skill_level);
	json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:f, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:s}", "technician_id",
			      (json_int_t)c->tech_id, "name", who->name, "org_id", (json_int_t)who->org_id,
			      "org_name", who->org_name, "score", round(c->score * 10) / 10, "km",
			      isnan(c->km) ? json_null() : json_real(round(c->km * 10) / 10), "travel_min",
			      c->travel_s < 0 ? json_null() : json_integer((c->travel_s + 59) / 60), "open_orders",
			      c->open_orders, "booked_min", c->booked_min, "skill_level", c->skill_level, "tech_score",
			      c->tech_score, "level", c->tech_level, "reason", reason);
	json_set_time(j, "start_at", c->start * 1000);
	return j;
}

struct sug_ctx {
	const principal *who;
	int64_t order_id;
	int limit;
	json_t *out;
};

/* The ranked candidates of one day's pool; 0 if nobody can take the order that day. */
static size_t rank_day(const pool *p, const dsp_order *o, const dsp_params *prm, int64_t now, dsp_candidate *cand,
		       size_t limit)
{
	dsp_grid *g = dsp_grid_build(p->t, p->n, 0);
	size_t n = g ? dsp_grid_rank(g, o, prm, now, cand, limit) : dsp_rank(o, p->t, p->n, prm, now, cand, limit);
	dsp_grid_free(g);
	return n;
}

/* One day ranked from technicians loaded for this request (a write transaction, or the cache
 * turned off): what the cache must answer too. */
static int rank_loaded(db_tx *tx, const principal *who, int64_t day, const dsp_order *o, const dsp_params *prm,
		       int64_t now, dsp_candidate *cand, size_t want, size_t *got, dcache_pick *picks, size_t *n_techs)
{
	pool p;
	int rc = pool_load(tx, who, day, 0, &p);
	*got = rc == ST_OK ? rank_day(&p, o, prm, now, cand, want) : 0;
	for (size_t i = 0; i < *got; i++) {
		int row = (int)cand[i].tech;
		picks[i] = (dcache_pick){db_int(p.users, row, 1), xstrdup(db_text(p.users, row, 10)),
					 xstrdup(db_text(p.users, row, 11))};
	}
	*n_techs = p.n;
	pool_free(&p);
	return rc;
}

static bool tried(json_t *skip, int64_t tech)
{
	size_t i;
	json_t *x;
	json_array_foreach(skip, i, x) if (json_integer_value(json_object_get(x, "technician_id")) == tech) return true;
	return false;
}

/* Today first (or the appointment's day); when nobody has a free slot, the next days. */
#define SUGGEST_DAYS 3

struct ranked {
	dsp_candidate *cand;
	dcache_pick *picks;
	size_t n;       /* candidates kept */
	size_t n_techs; /* the technicians of the caller's subtree */
	json_t *skip;   /* dispatch_tried_tx's list */
};

static void ranked_free(struct ranked *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->picks[i].name);
		free(r->picks[i].org_name);
	}
	free(r->picks);
	free(r->cand);
	json_decref(r->skip);
}

/* The best `limit` candidates for an order, leaving out the technicians who declined it or let
 * it time out. From the node's cache (dispatch_cache.c) when `cached`, else loaded here.
 * f->r and *out are the caller's to free. */
static int rank_order(db_tx *tx, const principal *who, int64_t order_id, size_t limit, bool cached,
		      struct order_facts *f, struct ranked *out)
{
	int64_t now = now_ms() / 1000;
	memset(out, 0, sizeof *out);
	int rc = order_facts_load(tx, who, order_id, now, f);
	if (rc == ST_OK)
		rc = dispatch_tried_tx(tx, who->tenant_id, order_id, &out->skip);
	if (rc != ST_OK)
		return rc;
	size_t want = limit + json_array_size(out->skip);
	out->cand = xcalloc(want, sizeof *out->cand);
	out->picks = xcalloc(want, sizeof *out->picks);
	dsp_params prm;
	dsp_params_default(&prm);
	prm.tz_offset_min = who->tz_offset_min;
	int64_t day0 = local_day_start(who, f->has_appointment && f->o.win_start > now ? f->o.win_start : now);
	for (int d = 0; rc == ST_OK && d < (f->has_appointment ? 1 : SUGGEST_DAYS); d++) {
		size_t got = 0;
		int64_t day = day0 + d * 86400;
		rc = cached ? dcache_rank(tx, who, day, &f->o, &prm, now, out->cand, want, &got, out->picks, &out->n_techs)
			    : ST_INVALID;
		if (rc == ST_INVALID) /* no cache here */
			rc = rank_loaded(tx, who, day, &f->o, &prm, now, out->cand, want, &got, out->picks, &out->n_techs);
		size_t k = 0;
		for (size_t i = 0; i < got; i++) {
			if (!tried(out->skip, out->cand[i].tech_id) && k < limit) {
				out->cand[k] = out->cand[i];
				out->picks[k++] = out->picks[i];
			} else {
				free(out->picks[i].name);
				free(out->picks[i].org_name);
			}
		}
		if ((out->n = k) > 0)
			break;
	}
	return rc;
}

static int suggest_fn(db_tx *tx, void *arg)
{
	struct sug_ctx *c = arg;
	struct order_facts f;
	struct ranked r;
	int rc = rank_order(tx, c->who, c->order_id, (size_t)c->limit, true, &f, &r);
	if (rc == ST_OK) {
		json_t *items = json_array();
		for (size_t i = 0; i < r.n; i++)
			json_array_append_new(items, candidate_json(&r.picks[i], &f.o, &r.cand[i]));
		bool known = !isnan(f.o.lat) && !isnan(f.o.lon);
		c->out = json_pack("{s:I, s:o, s:b, s:s?, s:s?, s:i, s:O}", "order_id", (json_int_t)c->order_id, "items",
				   items, "distance_known", known, "category", f.o.category, "region", f.o.region,
				   "technicians", (int)r.n_techs, "excluded", r.skip);
		if (!known)
			json_object_set_new(c->out, "note",
					    json_string("the order has no position: technicians are matched by city and the "
							"distance is unknown"));
	}
	ranked_free(&r);
	db_res_free(f.r);
	return rc;
}

int store_dispatch_suggest(db *d, const principal *who, int64_t order_id, int limit, json_t **out)
{
	struct sug_ctx c = {.who = who, .order_id = order_id, .limit = limit};
	int rc = db_read(d, suggest_fn, &c);
	*out = c.out;
	return rc;
}

/* Inside a write transaction (the answers' sweep, an auto policy): loaded, not cached — the
 * transaction may have changed what the cache has not seen. */
int dispatch_next_tx(db_tx *tx, const principal *who, int64_t order_id, int64_t *tech, int64_t *start_s)
{
	struct order_facts f;
	struct ranked r;
	int rc = rank_order(tx, who, order_id, 1, false, &f, &r);
	*tech = rc == ST_OK && r.n ? r.cand[0].tech_id : 0;
	*start_s = rc == ST_OK && r.n ? r.cand[0].start : 0;
	ranked_free(&r);
	db_res_free(f.r);
	return rc;
}

/* The conflicts of dispatching order `id` to `tech` for [start_ms, end_ms) (0: no appointment:
 * then only the rules that do not depend on a time slot, and leave now). NULL: none. */
int dispatch_conflicts_tx(db_tx *tx, const principal *who, int64_t id, int64_t tech, int64_t start_ms, int64_t end_ms,
			  json_t **conflicts)
{
	*conflicts = NULL;
	int64_t now = now_ms() / 1000;
	struct order_facts f;
	int rc = order_facts_load(tx, who, id, now, &f);
	pool p;
	memset(&p, 0, sizeof p);
	int64_t s = start_ms ? start_ms / 1000 : f.has_appointment ? f.o.win_start : now;
	int64_t e = start_ms ? (end_ms > start_ms ? end_ms / 1000 : s + DEFAULT_VISIT_S)
			     : f.has_appointment ? (f.o.win_end > s ? f.o.win_end : s + DEFAULT_VISIT_S) : now + 1;
	bool timed = start_ms || f.has_appointment;
	if (rc == ST_OK)
		rc = pool_load(tx, who, local_day_start(who, s), tech, &p);
	if (rc == ST_OK && p.n == 1) {
		dsp_params prm;
		dsp_params_default(&prm);
		prm.tz_offset_min = who->tz_offset_min;
		if (!p.configured_skills[0]) /* nothing recorded: not checked */
			f.o.category = NULL;
		unsigned mask = dsp_check(&f.o, &p.t[0], s, e, &prm);
		/* no service area recorded, or an order with neither position nor city: nothing to
		 * hold the area against */
		bool placeless = (isnan(f.o.lat) || isnan(f.o.lon)) && !(f.o.region && *f.o.region);
		if ((p.t[0].radius_km <= 0 && !p.t[0].n_regions) || placeless)
			mask &= ~(unsigned)DSP_OUT_OF_AREA;
		if (!timed)
			mask &= ~(unsigned)(DSP_OUTSIDE_SHIFT | DSP_DOUBLE_BOOKED | DSP_NO_SLOT);
		if (mask)
			*conflicts = reasons_json(mask);
	} else if (rc == ST_OK) {
		rc = ST_FORBIDDEN; /* a technician outside the caller's organisation */
	}
	pool_free(&p);
	db_res_free(f.r);
	return rc;
}

/* --- the dispatcher's board of a day -------------------------------------------------------- */

static json_t *spans_json(const dsp_span *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_set_time(o, "start_at", s[i].start * 1000);
		json_set_time(o, "end_at", s[i].end * 1000);
		json_array_append_new(a, o);
	}
	return a;
}

struct board_ctx {
	const principal *who;
	int64_t day_start; /* seconds */
	int64_t org_id;
	json_t *out;
};

static json_t *board_techs(const pool *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n; i++) {
		const dsp_tech *t = &p->t[i];
		json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:b, s:o, s:o, s:i, s:i, s:i, s:i, s:o, s:o, s:o}", "id",
				      (json_int_t)t->id, "name", db_text(p->users, (int)i, 10), "org_id", (json_int_t)t->org_id,
				      "org_name", db_text(p->users, (int)i, 11), "on_duty", t->on_duty, "lat",
				      isnan(t->lat) ? json_null() : json_real(t->lat), "lon",
				      isnan(t->lon) ? json_null() : json_real(t->lon), "level", t->level, "score", t->score,
				      "open_orders", t->open_orders, "booked_min", t->booked_min, "shifts",
				      spans_json(t->shifts, t->n_shifts), "leave", spans_json(t->leave, t->n_leave), "skills",
				      json_array());
		json_t *sk = json_object_get(o, "skills");
		for (size_t k = 0; k < t->n_skills; k++)
			json_array_append_new(sk, json_pack("{s:s, s:i}", "skill", t->skills[k].skill, "level", t->skills[k].level));
		json_object_set_new(o, "bookings", json_array());
		json_array_append_new(a, o);
	}
	return a;
}

#define BOARD_ORDER_COLS                                                                                     \
	"w.id, w.number, w.status, w.priority, w.type, w.customer_name, w.address, w.lat, w.lon, w.region, "  \
	"w.appointment_start AS appointment_start_at, w.appointment_end AS appointment_end_at, "             \
	"w.sla_resolve_due, w.fault_description, w.assignee_id, w.org_id, w.version"

/* The board of one organisation of the caller's subtree is the caller's board narrowed to
 * that organisation's subtree (a station: its outlets' technicians and orders). */
static int narrow_to_org(db_tx *tx, struct board_ctx *c, principal *scoped)
{
	*scoped = *c->who;
	if (!c->org_id)
		return ST_OK;
	dbv p[] = {VI(c->org_id), VI(c->who->tenant_id), VT(c->who->org_path)};
	db_res *r;
	if (db_query(tx, "SELECT path FROM organizations WHERE id = ? AND tenant_id = ? AND path LIKE ? || '%'", p, 3, &r) !=
	    DB_OK)
		return ST_DB;
	int rc = db_rows(r) ? ST_OK : ST_NOT_FOUND;
	if (rc == ST_OK)
		snprintf(scoped->org_path, sizeof scoped->org_path, "%s", db_text(r, 0, 0));
	db_res_free(r);
	return rc;
}

#define BOARD_WAITING_MAX 200

static int board_fn(db_tx *tx, void *arg)
{
	struct board_ctx *c = arg;
	principal scoped;
	int rc = narrow_to_org(tx, c, &scoped);
	if (rc != ST_OK)
		return rc;
	const principal *who = &scoped;
	pool p;
	rc = pool_load(tx, who, c->day_start, 0, &p);
	if (rc != ST_OK) {
		pool_free(&p);
		return rc;
	}
	json_t *techs = board_techs(&p);
	pool_free(&p);
	/* the day's bookings with what the board shows of them */
	dbv pb[] = {VI(who->tenant_id), VT(who->org_path), VI(c->day_start * 1000 + 86400000), VI(c->day_start * 1000)};
	db_res *r;
	if (db_query(tx,
		     "SELECT " BOARD_ORDER_COLS " FROM work_orders w JOIN organizations o ON o.id = w.org_id WHERE "
		     "w.tenant_id = ? AND o.path LIKE ? || '%' AND w.assignee_id IS NOT NULL AND w.status IN " OPEN_STATES
		     " AND w.appointment_start < ? AND COALESCE(w.appointment_end, w.appointment_start + 3600000) > ? "
		     "ORDER BY w.appointment_start",
		     pb, 4, &r) != DB_OK) {
		json_decref(techs);
		return ST_DB;
	}
	for (int i = 0; i < db_rows(r); i++) {
		size_t k;
		json_t *t;
		json_array_foreach(techs, k, t) if (json_integer_value(json_object_get(t, "id")) == db_int(r, i, 14))
		{
			json_array_append_new(json_object_get(t, "bookings"), row_json(r, i));
			break;
		}
	}
	db_res_free(r);
	/* what waits for a technician: new and accepted orders, most urgent first */
	dbv pu[] = {VI(who->tenant_id), VT(who->org_path)};
	if (db_query(tx,
		     "SELECT " BOARD_ORDER_COLS " FROM work_orders w JOIN organizations o ON o.id = w.org_id WHERE "
		     "w.tenant_id = ? AND o.path LIKE ? || '%' AND w.status IN ('new', 'accepted') "
		     "ORDER BY w.priority, w.sla_resolve_due, w.id LIMIT 201",
		     pu, 2, &r) != DB_OK) {
		json_decref(techs);
		return ST_DB;
	}
	json_t *waiting = json_array();
	bool more = db_rows(r) > BOARD_WAITING_MAX;
	for (int i = 0; i < db_rows(r) && i < BOARD_WAITING_MAX; i++)
		json_array_append_new(waiting, row_json(r, i));
	db_res_free(r);
	char day[11];
	wty_day_format((int32_t)((c->day_start + (int64_t)who->tz_offset_min * 60) / 86400), day);
	c->out = json_pack("{s:s, s:o, s:o, s:b}", "date", day, "technicians", techs, "unassigned", waiting,
			   "unassigned_more", more);
	json_set_time(c->out, "day_start_at", c->day_start * 1000);
	return ST_OK;
}

int store_dispatch_board(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out)
{
	struct board_ctx c = {.who = who, .day_start = (int64_t)day * 86400 - (int64_t)who->tz_offset_min * 60,
			      .org_id = org_id};
	int rc = db_read(d, board_fn, &c);
	*out = c.out;
	return rc;
}

/* --- the same technicians for appointments.c (store.h: tech_pool) ---------------------------- */

struct tech_pool {
	pool p;
};

int tech_pool_load(db_tx *tx, const principal *who, int64_t day_start, tech_pool **out)
{
	tech_pool *tp = xcalloc(1, sizeof *tp);
	int rc = pool_load(tx, who, day_start, 0, &tp->p);
	if (rc != ST_OK) {
		tech_pool_free(tp);
		tp = NULL;
	}
	*out = tp;
	return rc;
}

const dsp_tech *tech_pool_techs(const tech_pool *tp, size_t *n)
{
	*n = tp->p.n;
	return tp->p.t;
}

bool tech_pool_skills_known(const tech_pool *tp, size_t i)
{
	return tp->p.configured_skills[i];
}

bool tech_pool_shifts_known(const tech_pool *tp, size_t i)
{
	return tp->p.configured_shifts[i];
}

const char *tech_pool_name(const tech_pool *tp, size_t i)
{
	return db_text(tp->p.users, (int)i, 10);
}

void tech_pool_free(tech_pool *tp)
{
	if (!tp)
		return;
	pool_free(&tp->p);
	free(tp);
}

/* --- the day's routes ------------------------------------------------------------------- */

/* One technician's visits of the day: the booked appointments (their window is the
 * appointment) and the orders assigned to them without one that are not started yet (any
 * time of the day), each an hour on site. */
struct route_tech {
	dsp_visit v[DSP_ROUTE_MAX];
	const char *number[DSP_ROUTE_MAX];
	size_t n;
};

static json_t *route_json(const pool *p, size_t ti, const struct route_tech *rt, const dsp_route_plan *pl)
{
	json_t *visits = json_array(), *unplanned = json_array();
	for (size_t i = 0; i < pl->n_planned; i++) {
		const dsp_visit *v = &rt->v[pl->seq[i]];
		json_t *o = json_pack("{s:I, s:s?, s:o, s:o}", "order_id", (json_int_t)v->id, "number", rt->number[pl->seq[i]],
				      "lat", isnan(v->lat) ? json_null() : json_real(v->lat), "lon",
				      isnan(v->lon) ? json_null() : json_real(v->lon));
		json_set_time(o, "start_at", pl->start[i] * 1000);
		json_array_append_new(visits, o);
	}
	for (size_t i = 0; i < pl->n_unplanned; i++)
		json_array_append_new(unplanned, json_integer(rt->v[pl->unplanned[i]].id));
	const dsp_tech *t = &p->t[ti];
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:f, s:f, s:I, s:I, s:b}", "technician_id", (json_int_t)t->id,
			 "name", db_text(p->users, (int)ti, 10), "lat", isnan(t->lat) ? json_null() : json_real(t->lat), "lon",
			 isnan(t->lon) ? json_null() : json_real(t->lon), "visits", visits, "unplanned", unplanned, "km_before",
			 round(pl->km_before * 10) / 10, "km_after", round(pl->km_after * 10) / 10, "travel_min_before",
			 (json_int_t)(pl->travel_s_before / 60), "travel_min_after", (json_int_t)(pl->travel_s_after / 60),
			 "before_feasible", pl->before_feasible);
}

static int routes_fn(db_tx *tx, void *arg)
{
	struct board_ctx *c = arg;
	principal scoped;
	int rc = narrow_to_org(tx, c, &scoped);
	pool p;
	memset(&p, 0, sizeof p);
	if (rc == ST_OK)
		rc = pool_load(tx, &scoped, c->day_start, 0, &p);
	db_res *r = NULL;
	dbv pq[] = {VI(scoped.tenant_id), VT(scoped.org_path)};
	if (rc == ST_OK &&
	    db_query(tx,
		     "SELECT w.assignee_id, w.id, w.number, w.lat, w.lon, w.appointment_start, w.appointment_end FROM "
		     "work_orders w JOIN organizations o ON o.id = w.org_id WHERE w.tenant_id = ? AND o.path LIKE ? || '%' "
		     "AND w.assignee_id IS NOT NULL AND w.status IN ('dispatched', 'taken') ORDER BY w.assignee_id, "
		     "w.appointment_start, w.id",
		     pq, 2, &r) != DB_OK)
		rc = ST_DB;
	if (rc != ST_OK) {
		pool_free(&p);
		return rc;
	}
	struct route_tech *rt = xcalloc(p.n + 1, sizeof *rt);
	for (int i = 0; i < db_rows(r); i++) {
		size_t ti = tech_index(&p, db_int(r, i, 0));
		bool timed = !db_isnull(r, i, 5);
		int64_t s = timed ? db_int(r, i, 5) / 1000 : 0, e = timed && !db_isnull(r, i, 6) ? db_int(r, i, 6) / 1000 : s;
		if (ti == SIZE_MAX || rt[ti].n == DSP_ROUTE_MAX || (timed && (s >= p.day_end || s < p.day_start)))
			continue; /* another day's appointment */
		dsp_visit *v = &rt[ti].v[rt[ti].n];
		*v = (dsp_visit){.id = db_int(r, i, 1), .lat = db_isnull(r, i, 3) ? NAN : db_real(r, i, 3),
				 .lon = db_isnull(r, i, 4) ? NAN : db_real(r, i, 4), .win_start = s,
				 .win_end = timed ? (e > s ? e : s + 1) : 0, .duration_s = DEFAULT_VISIT_S};
		rt[ti].number[rt[ti].n++] = db_text(r, i, 2);
	}
	dsp_params prm;
	dsp_params_default(&prm);
	prm.tz_offset_min = scoped.tz_offset_min;
	json_t *items = json_array();
	double kb = 0, ka = 0;
	for (size_t ti = 0; ti < p.n; ti++) {
		const dsp_tech *t = &p.t[ti];
		if (!rt[ti].n || !t->n_shifts)
			continue;
		dsp_route_in in = {.lat = t->lat, .lon = t->lon, .shift_start = t->shifts[0].start,
				   .shift_end = t->shifts[t->n_shifts - 1].end, .region = t->region, .visits = rt[ti].v,
				   .n = rt[ti].n};
		dsp_route_plan pl;
		if (!dsp_route(&in, &prm, &pl))
			continue;
		kb += pl.km_before;
		ka += pl.km_after;
		json_array_append_new(items, route_json(&p, ti, &rt[ti], &pl));
	}
	char day[11];
	wty_day_format((int32_t)((c->day_start + (int64_t)scoped.tz_offset_min * 60) / 86400), day);
	c->out = json_pack("{s:s, s:o, s:f, s:f}", "date", day, "routes", items, "km_before", round(kb * 10) / 10, "km_after",
			   round(ka * 10) / 10);
	free(rt);
	db_res_free(r);
	pool_free(&p);
	return ST_OK;
}

int store_dispatch_routes(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out)
{
	struct board_ctx c = {.who = who, .day_start = (int64_t)day * 86400 - (int64_t)who->tz_offset_min * 60,
			      .org_id = org_id};
	int rc = db_read(d, routes_fn, &c);
	*out = c.out;
	return rc;
}
