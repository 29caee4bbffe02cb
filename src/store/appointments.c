/*
 * appointments.c — appointments and capacity (DOMAIN §2 "appointment 预约: a time window, a
 * bay (工位) or a technician, a customer, an asset, expected work"; §4 "walk-in shops: dispatch
 * goes to bays and technicians with capacity per day (预约看板)"; issue 5 item 6).
 *
 *   bays        a workshop's bays with their kind, equipment, hours and daily capacity
 *   slots       the free 30-minute slots of a day for an organisation (and an order): from the
 *               technicians' shifts minus leave minus bookings (dispatch.c's pool), or — when
 *               the organisation has bays — from the bays' hours, bookings and daily capacity;
 *               the arithmetic is domain/slots.c
 *   booking     the order's appointment set after the capacity is checked again inside the
 *               write transaction; on PostgreSQL the bookings of a tenant's day queue on one
 *               advisory lock (SQLite has one writer), so of two requests for the last place
 *               exactly one gets it and the other a 409 slot_taken
 *   no-show     recorded on the order (no_show_at) and counted on the customer
 *   board       the appointment board (预约看板) of a day: bays and technicians with their cards
 *   reminders   the day before, one SMS per order and appointment time through the outbox
 *
 * Where nobody recorded a technician's shifts, their working time for appointments is the
 * tenant's working calendar (not dispatch's whole day: a customer is not offered 3 a.m.); a bay
 * without its own hours follows the calendar too. Times in the database are epoch ms; the
 * engine works in seconds.
 */
#include "domain/dispatch.h"
#include "domain/perm.h"
#include "domain/slots.h"
#include "domain/warranty.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPEN_STATES "('dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer')"
/* An appointment can be made, moved or missed until the visit starts. */
#define BOOKABLE_STATES  "('new', 'accepted', 'dispatched', 'taken', 'on_the_way')"
#define DEFAULT_VISIT_MS 3600000
#define MAX_SLOTS        48

static bool is_customer(const principal *who)
{
	return who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
}

static int64_t day_start_s(int tz_min, int32_t day)
{
	return (int64_t)day * 86400 - (int64_t)tz_min * 60;
}

static int32_t local_day_of(int tz_min, int64_t ms)
{
	int64_t s = ms / 1000 + (int64_t)tz_min * 60;
	return (int32_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

/* "2026-03-02 09:30" in the tenant's zone. */
static void local_text(int64_t ms, int tz_min, char out[20])
{
	time_t t = (time_t)(ms / 1000 + (int64_t)tz_min * 60);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M", &tm);
}

static int conflict(st_info *info, const char *code, const char *detail)
{
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	json_decref(info->current);
	info->current = json_pack("{s:s}", "code", code);
	return ST_CONFLICT;
}

static int invalid(st_info *info, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

/* ============================== bays ============================== */

#define BAY_COLS                                                                                                       \
	"b.id, b.org_id, o.name AS org_name, b.name, b.kind, b.equipment_json, b.daily_capacity, b.open_min, "         \
	"b.close_min, b.active, b.note, b.created_at, b.updated_at, b.version"

static json_t *bay_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "daily_capacity", json_integer(db_int(r, row, 6)));
	json_object_set_new(o, "active", json_boolean(db_int(r, row, 9)));
	if (!json_is_array(json_object_get(o, "equipment")))
		json_object_set_new(o, "equipment", json_array());
	return o;
}

static int bay_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id), VT(who->org_path)};
	db_res *r;
	if (db_query(tx,
	             "SELECT " BAY_COLS " FROM bays b JOIN organizations o ON o.id = b.org_id WHERE b.id = ? AND "
	             "b.tenant_id = ? AND b.deleted_at IS NULL AND o.path LIKE ? || '%'",
	             p, 3, &r) != DB_OK)
		return ST_DB;
	int rc = db_rows(r) ? ST_OK : ST_NOT_FOUND;
	if (rc == ST_OK)
		*out = bay_json(r, 0);
	db_res_free(r);
	return rc;
}

struct bay_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, org_id;
	bool active_only;
	json_t *in, *out;
	st_info *info;
};

static int bays_list_fn(db_tx *tx, void *arg)
{
	struct bay_ctx *c = arg;
	dbv p[] = {VI(c->who->tenant_id), VT(c->who->org_path), VI(c->org_id), VI(c->org_id), VI(c->active_only)};
	db_res *r;
	if (db_query(
	        tx,
	        "SELECT " BAY_COLS " FROM bays b JOIN organizations o ON o.id = b.org_id WHERE b.tenant_id = ? AND "
	        "b.deleted_at IS NULL AND o.path LIKE ? || '%' AND (? = 0 OR b.org_id = ?) AND (? = 0 OR b.active = 1) "
	        "ORDER BY b.org_id, b.id LIMIT 500",
	        p, 5, &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(c->out, bay_json(r, i));
	db_res_free(r);
	return ST_OK;
}

int store_bays_list(db *d, const principal *who, int64_t org_id, bool active_only, json_t **items)
{
	struct bay_ctx c = {.who = who, .org_id = org_id, .active_only = active_only};
	int rc = db_read(d, bays_list_fn, &c);
	*items = c.out;
	return rc;
}

static int bay_get_fn(db_tx *tx, void *arg)
{
	struct bay_ctx *c = arg;
	return bay_load(tx, c->who, c->id, &c->out);
}

int store_bay_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct bay_ctx c = {.who = who, .id = id};
	int rc = db_read(d, bay_get_fn, &c);
	*out = c.out;
	return rc;
}

/* Hours: both or neither, open before close. */
static int bay_hours_check(json_t *m, st_info *info)
{
	json_t *o = json_object_get(m, "open_min"), *c = json_object_get(m, "close_min");
	bool ho = json_is_integer(o), hc = json_is_integer(c);
	if (ho != hc)
		return invalid(info, ho ? "close_min" : "open_min", "give both open_min and close_min, or neither");
	if (ho && json_integer_value(o) >= json_integer_value(c))
		return invalid(info, "close_min", "the bay must close after it opens");
	return ST_OK;
}

/* A name taken by another bay of the organisation → ST_CONFLICT with its id (asked before the
 * write: on PostgreSQL a failed statement ends the transaction). `existing` 0: a race lost at
 * the unique index, no id to give. */
static int bay_name_conflict(st_info *info, int64_t existing)
{
	info->existing_id = existing;
	snprintf(info->field, sizeof info->field, "name");
	snprintf(info->detail, sizeof info->detail, "the organisation already has a bay of this name");
	return ST_CONFLICT;
}

static int bay_name_check(db_tx *tx, const principal *who, int64_t org, const char *name, int64_t self, st_info *info)
{
	dbv p[] = {VI(who->tenant_id), VI(org), VT(name), VI(self)};
	int64_t id = 0;
	int rc = db_query_int(
	    tx,
	    "SELECT id FROM bays WHERE tenant_id = ? AND org_id = ? AND name = ? AND deleted_at IS NULL AND id <> ?", p,
	    4, &id);
	if (rc == ST_NOT_FOUND)
		return ST_OK;
	return rc == ST_OK ? bay_name_conflict(info, id) : rc;
}

static dbv int_or_null(json_t *v)
{
	return json_is_integer(v) ? VI(json_integer_value(v)) : VN;
}

static int bay_create_fn(db_tx *tx, void *arg)
{
	struct bay_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t org = json_integer_value(json_object_get(in, "org_id"));
	if (!org)
		org = who->org_id;
	int rc = org_in_scope(tx, who, org, NULL, 0);
	if (rc == ST_NOT_FOUND)
		return invalid(c->info, "org_id", "no such organisation in your scope");
	if (rc != ST_OK)
		return rc;
	if ((rc = bay_hours_check(in, c->info)) != ST_OK ||
	    (rc = bay_name_check(tx, who, org, jstr(in, "name"), 0, c->info)) != ST_OK)
		return rc;
	json_t *eq = json_object_get(in, "equipment");
	char *eqs = json_dumps(json_is_array(eq) ? eq : json_array(), JSON_COMPACT);
	if (!json_is_array(eq)) {
		free(eqs);
		eqs = xstrdup("[]");
	}
	json_t *cap = json_object_get(in, "daily_capacity"), *act = json_object_get(in, "active");
	int64_t now = now_ms(), id = 0;
	dbv p[] = {VI(who->tenant_id),
	           VI(org),
	           VT(jstr(in, "name")),
	           VT(jstr(in, "kind") ? jstr(in, "kind") : "mechanical"),
	           VT(eqs),
	           VI(json_is_integer(cap) ? json_integer_value(cap) : 8),
	           int_or_null(json_object_get(in, "open_min")),
	           int_or_null(json_object_get(in, "close_min")),
	           VI(act && json_is_false(act) ? 0 : 1),
	           VT(jstr(in, "note")),
	           VI(now),
	           VI(now)};
	db_res *r;
	int e = db_query(
	    tx,
	    "INSERT INTO bays(tenant_id, org_id, name, kind, equipment_json, daily_capacity, open_min, close_min, "
	    "active, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    p, 12, &r);
	free(eqs);
	if (e == DB_UNIQUE)
		return bay_name_conflict(c->info, 0);
	if (e != DB_OK)
		return ST_DB;
	id = db_rows(r) ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	if ((rc = bay_load(tx, who, id, &c->out)) != ST_OK)
		return rc == ST_NOT_FOUND ? ST_DB : rc;
	if ((rc = audit_add(tx, c->a, "create", "bay", id, NULL, c->out)) != ST_OK)
		return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/bays/%lld", (long long)id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

int store_bay_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct bay_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, bay_create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int bay_update_fn(db_tx *tx, void *arg)
{
	struct bay_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = bay_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	json_t *m = json_deep_copy(before);
	json_object_update(m, c->in);
	rc = bay_hours_check(m, c->info);
	if (rc == ST_OK)
		rc = bay_name_check(tx, who, json_integer_value(json_object_get(before, "org_id")), jstr(m, "name"),
		                    c->id, c->info);
	char *eqs =
	    json_dumps(json_is_array(json_object_get(m, "equipment")) ? json_object_get(m, "equipment") : json_array(),
	               JSON_COMPACT);
	dbv p[] = {VT(jstr(m, "name")),
	           VT(jstr(m, "kind")),
	           VT(eqs),
	           VI(json_integer_value(json_object_get(m, "daily_capacity"))),
	           int_or_null(json_object_get(m, "open_min")),
	           int_or_null(json_object_get(m, "close_min")),
	           VI(json_is_true(json_object_get(m, "active")) ? 1 : 0),
	           VT(jstr(m, "note")),
	           VI(now_ms()),
	           VI(c->id),
	           VI(version)};
	if (rc == ST_OK) {
		int e = db_exec(
		    tx,
		    "UPDATE bays SET name = ?, kind = ?, equipment_json = ?, daily_capacity = ?, open_min = ?, "
		    "close_min = ?, active = ?, note = ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
		    "version = ?",
		    p, 11);
		if (e == DB_UNIQUE)
			rc = bay_name_conflict(c->info, 0);
		else
			rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	}
	free(eqs);
	json_decref(m);
	if (rc == ST_OK)
		rc = bay_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "bay", c->id, before, c->out);
	json_decref(before);
	return rc;
}

int store_bay_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct bay_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, bay_update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int bay_delete_fn(db_tx *tx, void *arg)
{
	struct bay_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = bay_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	int64_t booked = 0;
	dbv pb[] = {VI(who->tenant_id), VI(c->id), VI(now_ms())};
	rc = db_query_int(tx,
	                  "SELECT count(*) FROM work_orders WHERE tenant_id = ? AND bay_id = ? AND "
	                  "COALESCE(appointment_end, appointment_start + 3600000) > ? AND no_show_at IS NULL AND "
	                  "status IN " BOOKABLE_STATES,
	                  pb, 3, &booked);
	if (rc == ST_OK && booked > 0) {
		rc = conflict(c->info, "bay_booked", "the bay has appointments to come: move or cancel them first");
		json_object_set_new(c->info->current, "appointments", json_integer(booked));
	}
	dbv p[] = {VI(now_ms()), VI(now_ms()), VI(c->id), VI(version)};
	if (rc == ST_OK &&
	    db_exec(tx,
	            "UPDATE bays SET deleted_at = ?, active = 0, updated_at = ?, version = version + 1 WHERE id = ? "
	            "AND version = ?",
	            p, 4) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "bay", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_bay_delete(db *d, const actor *a, int64_t id, int64_t if_match, st_info *info)
{
	struct bay_ctx c = {.a = a, .id = id, .if_match = if_match, .info = info};
	return db_write(d, bay_delete_fn, &c);
}

/* ============================== one day of capacity ============================== */

/* The order as the slots see it. */
struct appt_order {
	int64_t id, org_id, assignee_id, bay_id, customer_id;
	int64_t start_ms, end_ms;
	char status[24];
	dsp_order o;
	db_res *r; /* keeps the strings */
};

static void appt_order_free(struct appt_order *o)
{
	db_res_free(o->r);
	o->r = NULL;
}

/* The order in the caller's scope (ST_NOT_FOUND otherwise). */
static int appt_order_load(db_tx *tx, const principal *who, int64_t id, struct appt_order *ao)
{
	memset(ao, 0, sizeof *ao);
	json_t *w = NULL;
	int rc = wo_load_tx(tx, who, id, &w);
	json_decref(w);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(id), VI(who->tenant_id)};
	if (db_query(
	        tx,
	        "SELECT w.org_id, w.assignee_id, w.bay_id, w.status, w.lat, w.lon, w.region, m.category, m.brand, "
	        "w.appointment_start, w.appointment_end, w.customer_id FROM work_orders w LEFT JOIN assets a ON "
	        "a.id = w.asset_id LEFT JOIN product_models m ON m.id = a.model_id WHERE w.id = ? AND w.tenant_id = ?",
	        p, 2, &ao->r) != DB_OK)
		return ST_DB;
	if (!db_rows(ao->r))
		return ST_NOT_FOUND;
	const db_res *r = ao->r;
	ao->id = id;
	ao->org_id = db_int(r, 0, 0);
	ao->assignee_id = db_int(r, 0, 1);
	ao->bay_id = db_int(r, 0, 2);
	snprintf(ao->status, sizeof ao->status, "%s", db_text(r, 0, 3));
	ao->start_ms = db_int(r, 0, 9);
	ao->end_ms = db_isnull(r, 0, 10) ? (ao->start_ms ? ao->start_ms + DEFAULT_VISIT_MS : 0) : db_int(r, 0, 10);
	ao->customer_id = db_int(r, 0, 11);
	dsp_order *o = &ao->o;
	o->id = id;
	o->lat = db_isnull(r, 0, 4) ? NAN : db_real(r, 0, 4);
	o->lon = db_isnull(r, 0, 5) ? NAN : db_real(r, 0, 5);
	o->region = db_text(r, 0, 6);
	o->category = db_text(r, 0, 7);
	o->brand = db_text(r, 0, 8);
	o->priority = 3;
	o->sla_slack_s = INT64_MAX;
	o->cls = DSP_C;
	return ST_OK;
}

static bool status_in(const char *s, const char *set_sql)
{
	char q[32];
	snprintf(q, sizeof q, "'%s'", s);
	return strstr(set_sql, q) != NULL;
}

struct appt_day {
	int32_t day;
	int64_t day_start; /* seconds */
	int64_t org_id;
	char org_path[256];
	bool bays_mode; /* the organisation has active bays */
	dsp_span cal;   /* the working hours of the day (cal_open) */
	bool cal_open;
	/* technicians */
	tech_pool *pool;
	dsp_tech *t; /* the pool's, shifts nobody recorded replaced by the calendar */
	size_t n;
	unsigned *ignore;
	dsp_span *holds;
	size_t n_holds;
	/* bays (those of bay_kind when asked) */
	db_res *bays_r;
	slot_bay *bays;
	int *bay_row; /* row of bays_r of each bay */
	size_t n_bays;
	dsp_span *spans;
};

static void appt_day_free(struct appt_day *d)
{
	tech_pool_free(d->pool);
	free(d->t);
	free(d->ignore);
	free(d->holds);
	db_res_free(d->bays_r);
	free(d->bays);
	free(d->bay_row);
	free(d->spans);
	memset(d, 0, sizeof *d);
}

static int org_path_of(db_tx *tx, int64_t tenant, int64_t org, char *out, size_t len)
{
	dbv p[] = {VI(org), VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT path FROM organizations WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = db_rows(r) ? ST_OK : ST_NOT_FOUND;
	if (rc == ST_OK)
		snprintf(out, len, "%s", db_text(r, 0, 0));
	db_res_free(r);
	return rc;
}

static int load_bays(db_tx *tx, const principal *who, const char *bay_kind, int64_t exclude, struct appt_day *d)
{
	int64_t ds = d->day_start;
	dbv p[] = {VI(who->tenant_id), VI(d->org_id)};
	if (db_query(tx,
	             "SELECT id, name, kind, daily_capacity, open_min, close_min FROM bays WHERE tenant_id = ? AND "
	             "org_id = ? AND active = 1 AND deleted_at IS NULL ORDER BY id",
	             p, 2, &d->bays_r) != DB_OK)
		return ST_DB;
	int rows = db_rows(d->bays_r);
	d->bays_mode = rows > 0;
	if (!rows)
		return ST_OK;
	db_res *b;
	dbv pb[] = {VI(who->tenant_id),      VI(who->tenant_id), VI(d->org_id),
	            VI((ds + 86400) * 1000), VI(ds * 1000),      VI(exclude)};
	if (db_query(tx,
	             "SELECT bay_id, appointment_start, COALESCE(appointment_end, appointment_start + 3600000) FROM "
	             "work_orders WHERE tenant_id = ? AND bay_id IN (SELECT id FROM bays WHERE tenant_id = ? AND "
	             "org_id = ?) "
	             "AND appointment_start < ? AND COALESCE(appointment_end, appointment_start + 3600000) > ? AND "
	             "status <> 'cancelled' AND no_show_at IS NULL AND id <> ? ORDER BY bay_id, appointment_start",
	             pb, 6, &b) != DB_OK)
		return ST_DB;
	int nb = db_rows(b);
	d->bays = xcalloc((size_t)rows + 1, sizeof *d->bays);
	d->bay_row = xcalloc((size_t)rows + 1, sizeof *d->bay_row);
	d->spans = xcalloc((size_t)(rows + nb) + 1, sizeof *d->spans);
	size_t k = 0;
	for (int i = 0; i < rows; i++) {
		if (bay_kind && strcmp(bay_kind, db_text(d->bays_r, i, 2)))
			continue;
		slot_bay *sb = &d->bays[d->n_bays];
		d->bay_row[d->n_bays++] = i;
		sb->capacity = (int)db_int(d->bays_r, i, 3);
		sb->open = &d->spans[k];
		if (!db_isnull(d->bays_r, i, 4) && !db_isnull(d->bays_r, i, 5)) {
			d->spans[k++] =
			    (dsp_span){ds + db_int(d->bays_r, i, 4) * 60, ds + db_int(d->bays_r, i, 5) * 60};
			sb->n_open = 1;
		} else if (d->cal_open) {
			d->spans[k++] = d->cal;
			sb->n_open = 1;
		}
		sb->booked = &d->spans[k];
		int64_t id = db_int(d->bays_r, i, 0);
		for (int j = 0; j < nb; j++)
			if (db_int(b, j, 0) == id) {
				d->spans[k++] = (dsp_span){db_int(b, j, 1) / 1000, db_int(b, j, 2) / 1000};
				sb->n_booked++;
			}
		sb->used = (int)sb->n_booked;
	}
	db_res_free(b);
	return ST_OK;
}

static int load_techs(db_tx *tx, const principal *who, const struct appt_order *ao, int64_t exclude, struct appt_day *d)
{
	principal sub = *who;
	snprintf(sub.org_path, sizeof sub.org_path, "%s", d->org_path);
	int rc = tech_pool_load(tx, &sub, d->day_start, &d->pool);
	if (rc != ST_OK)
		return rc;
	const dsp_tech *t = tech_pool_techs(d->pool, &d->n);
	d->t = xcalloc(d->n + 1, sizeof *d->t);
	d->ignore = xcalloc(d->n + 1, sizeof *d->ignore);
	bool placed = ao && ((!isnan(ao->o.lat) && !isnan(ao->o.lon)) || (ao->o.region && *ao->o.region));
	for (size_t i = 0; i < d->n; i++) {
		d->t[i] = t[i];
		if (!tech_pool_shifts_known(d->pool, i)) {
			d->t[i].shifts = &d->cal;
			d->t[i].n_shifts = d->cal_open ? 1 : 0;
		}
		/* on duty is about now, not the day booked; an area or a skill nobody recorded does not limit */
		unsigned ig = DSP_OFF_DUTY;
		if (!placed || (t[i].radius_km <= 0 && !t[i].n_regions))
			ig |= DSP_OUT_OF_AREA;
		if (!tech_pool_skills_known(d->pool, i))
			ig |= DSP_NO_SKILL | DSP_LEVEL_TOO_LOW | DSP_NO_CERT | DSP_CERT_EXPIRED;
		d->ignore[i] = ig;
	}
	/* appointments nobody works on yet hold a technician each */
	db_res *r;
	dbv p[] = {VI(who->tenant_id), VT(d->org_path), VI((d->day_start + 86400) * 1000), VI(d->day_start * 1000),
	           VI(exclude)};
	if (db_query(tx,
	             "SELECT w.appointment_start, COALESCE(w.appointment_end, w.appointment_start + 3600000) FROM "
	             "work_orders w "
	             "JOIN organizations o ON o.id = w.org_id WHERE w.tenant_id = ? AND o.path LIKE ? || '%' AND "
	             "w.appointment_start < ? AND COALESCE(w.appointment_end, w.appointment_start + 3600000) > ? AND "
	             "w.id <> ? AND w.no_show_at IS NULL AND w.bay_id IS NULL AND w.status IN " BOOKABLE_STATES
	             " AND (w.assignee_id IS NULL OR w.status IN ('new', 'accepted'))",
	             p, 5, &r) != DB_OK)
		return ST_DB;
	d->n_holds = (size_t)db_rows(r);
	d->holds = xcalloc(d->n_holds + 1, sizeof *d->holds);
	for (size_t i = 0; i < d->n_holds; i++)
		d->holds[i] = (dsp_span){db_int(r, (int)i, 0) / 1000, db_int(r, (int)i, 1) / 1000};
	db_res_free(r);
	return ST_OK;
}

/* Everything about capacity of the organisation's day; `exclude` is the order being moved
 * (its own booking does not stand in its way). */
static int appt_day_load(db_tx *tx, const principal *who, int64_t org_id, int32_t day, const struct appt_order *ao,
                         const char *bay_kind, struct appt_day *d)
{
	memset(d, 0, sizeof *d);
	d->day = day;
	d->day_start = day_start_s(who->tz_offset_min, day);
	d->org_id = org_id;
	int rc = org_path_of(tx, who->tenant_id, org_id, d->org_path, sizeof d->org_path);
	if (rc != ST_OK)
		return rc;
	sla_cal_data cal;
	if ((rc = sla_cal_load_tx(tx, who->tenant_id, d->day_start * 1000, &cal)) != ST_OK)
		return rc;
	d->cal_open = sla_is_working_day(&cal.cal, day);
	d->cal = (dsp_span){d->day_start + cal.cal.start_min * 60, d->day_start + cal.cal.end_min * 60};
	sla_cal_free(&cal);
	int64_t exclude = ao ? ao->id : 0;
	if ((rc = load_bays(tx, who, bay_kind, exclude, d)) != ST_OK)
		return rc;
	if (!d->bays_mode)
		rc = load_techs(tx, who, ao, exclude, d);
	return rc;
}

/* An assigned order's own technician, when in the pool: its slots are that technician's. */
static size_t own_tech(const struct appt_day *d, const struct appt_order *ao)
{
	if (!ao || !ao->assignee_id || !status_in(ao->status, OPEN_STATES))
		return SIZE_MAX;
	for (size_t i = 0; i < d->n; i++)
		if (d->t[i].id == ao->assignee_id)
			return i;
	return SIZE_MAX;
}

static void day_count(const struct appt_day *d, const struct appt_order *ao, const char *category, int64_t duration_s,
                      slot_count *slots, size_t n)
{
	if (d->bays_mode) {
		slots_bays(d->bays, d->n_bays, duration_s, slots, n);
		return;
	}
	dsp_order o =
	    ao ? ao->o : (dsp_order){.lat = NAN, .lon = NAN, .priority = 3, .sla_slack_s = INT64_MAX, .cls = DSP_C};
	if (category)
		o.category = category;
	o.duration_s = duration_s;
	dsp_params prm;
	dsp_params_default(&prm);
	size_t mine = own_tech(d, ao);
	if (mine != SIZE_MAX)
		slots_techs(&o, &d->t[mine], 1, &d->ignore[mine], &prm, NULL, 0, duration_s, slots, n);
	else
		slots_techs(&o, d->t, d->n, d->ignore, &prm, d->holds, d->n_holds, duration_s, slots, n);
}

/* ============================== slots ============================== */

struct slots_ctx {
	const principal *who;
	const appt_query *q;
	json_t *out;
	st_info *info;
};

static int slots_fn(db_tx *tx, void *arg)
{
	struct slots_ctx *c = arg;
	const principal *who = c->who;
	const appt_query *q = c->q;
	struct appt_order ao;
	memset(&ao, 0, sizeof ao);
	int rc = ST_OK;
	int64_t org = q->org_id;
	if (q->order_id) {
		if ((rc = appt_order_load(tx, who, q->order_id, &ao)) != ST_OK) {
			appt_order_free(&ao);
			return rc;
		}
		if (!org)
			org = ao.org_id;
	}
	if (!org)
		org = who->org_id;
	else if (q->org_id && (rc = org_in_scope(tx, who, org, NULL, 0)) != ST_OK) {
		appt_order_free(&ao);
		return rc == ST_NOT_FOUND ? invalid(c->info, "org_id", "no such organisation in your scope") : rc;
	}
	struct appt_day d;
	rc = appt_day_load(tx, who, org, q->day, q->order_id ? &ao : NULL, q->bay_kind, &d);
	if (rc == ST_OK) {
		slot_count slots[MAX_SLOTS];
		size_t n = slots_grid(d.day_start, now_ms() / 1000, q->duration_s, slots, MAX_SLOTS);
		const char *cat = q->category ? q->category : NULL;
		day_count(&d, q->order_id ? &ao : NULL, cat, q->duration_s, slots, n);
		json_t *items = json_array();
		bool staff = !is_customer(who);
		for (size_t i = 0; i < n; i++) {
			if (slots[i].capacity <= 0)
				continue;
			json_t *s = json_object();
			json_set_time(s, "start_at", slots[i].start * 1000);
			json_set_time(s, "end_at", (slots[i].start + q->duration_s) * 1000);
			json_object_set_new(s, "available", json_boolean(slots[i].free > 0));
			if (staff) {
				json_object_set_new(s, "free", json_integer(slots[i].free));
				json_object_set_new(s, "capacity", json_integer(slots[i].capacity));
			}
			json_array_append_new(items, s);
		}
		char day[11];
		wty_day_format(q->day, day);
		const char *category = cat ? cat : (q->order_id && !d.bays_mode ? ao.o.category : NULL);
		c->out = json_pack("{s:s, s:I, s:s, s:I, s:i, s:o}", "date", day, "org_id", (json_int_t)org, "mode",
		                   d.bays_mode ? "bays" : "technicians", "duration_min",
		                   (json_int_t)(q->duration_s / 60), "step_min", SLOT_STEP_S / 60, "items", items);
		json_object_set_new(c->out, "category", category ? json_string(category) : json_null());
		if (q->order_id)
			json_object_set_new(c->out, "order_id", json_integer(q->order_id));
		if (staff) {
			json_object_set_new(c->out, d.bays_mode ? "bays" : "technicians",
			                    json_integer(d.bays_mode ? (json_int_t)d.n_bays : (json_int_t)d.n));
			json_object_set_new(c->out, "working_day", json_boolean(d.cal_open));
		}
	}
	appt_day_free(&d);
	appt_order_free(&ao);
	return rc;
}

int store_appt_slots(db *d, const principal *who, const appt_query *q, json_t **out, st_info *info)
{
	struct slots_ctx c = {.who = who, .q = q, .info = info};
	int rc = db_read(d, slots_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* ============================== booking ============================== */

struct book_ctx {
	const actor *a;
	int64_t id, if_match, start_ms, end_ms, bay_id;
	const char *reason;
	json_t *out;
	st_info *info;
};

/* PostgreSQL: the bookings of one tenant's day wait for each other here, so the capacity read
 * below is the capacity at commit (SQLite: one writer already). */
static int day_lock(db_tx *tx, int64_t tenant, int32_t day)
{
	if (db_tx_kind(tx) != DB_PG)
		return ST_OK;
	char key[48];
	snprintf(key, sizeof key, "appointment:%ld", (long)day);
	dbv p[] = {VI(tenant % 2147483647), VT(key)};
	return db_exec(tx, "SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), hashtext(?))", p, 2) == DB_OK ? ST_OK
	                                                                                                   : ST_DB;
}

int appt_day_lock_tx(db_tx *tx, const principal *who, int64_t start_ms)
{
	return day_lock(tx, who->tenant_id, local_day_of(who->tz_offset_min, start_ms));
}

/* The customer hears of it (the outbox). */
static int appt_notify(db_tx *tx, const actor *a, json_t *order, const char *tmpl, int64_t start_ms, int64_t end_ms,
                       const char *bay_name)
{
	const char *phone = json_string_value(json_object_get(json_object_get(order, "customer"), "phone"));
	if (!phone)
		return ST_OK;
	char s[20] = "", e[20] = "";
	if (start_ms)
		local_text(start_ms, a->who->tz_offset_min, s);
	if (end_ms)
		local_text(end_ms, a->who->tz_offset_min, e);
	json_t *data = json_pack("{s:O, s:s, s:s, s:O}", "number", json_object_get(order, "number"), "start", s, "end",
	                         e[0] ? e + 11 : "", "org", json_object_get(order, "org_name"));
	if (bay_name)
		json_object_set_new(data, "bay", json_string(bay_name));
	int rc = outbox_add(tx, a->who->tenant_id, "sms", phone, tmpl, data,
	                    json_integer_value(json_object_get(order, "id")),
	                    json_integer_value(json_object_get(order, "customer_id")));
	json_decref(data);
	return rc;
}

/* Is there a place at [s, e)? ST_OK with *bay (0 with technicians), else the 409. */
static int place_check(const struct appt_day *d, const struct appt_order *ao, int64_t want_bay, int64_t s, int64_t e,
                       int64_t *bay, const char **bay_name, st_info *info)
{
	*bay = 0;
	*bay_name = NULL;
	if (d->bays_mode) {
		int best = -1;
		bool any_open = false;
		enum slot_bay_answer want_answer = SLOT_BAY_CLOSED;
		bool found = false;
		for (size_t i = 0; i < d->n_bays; i++) {
			int64_t id = db_int(d->bays_r, d->bay_row[i], 0);
			enum slot_bay_answer a = slots_bay_check(&d->bays[i], s, e);
			if (want_bay && id != want_bay)
				continue;
			found = found || id == want_bay;
			want_answer = a;
			any_open = any_open || a != SLOT_BAY_CLOSED;
			if (a == SLOT_BAY_FREE && (best < 0 || d->bays[i].used < d->bays[best].used))
				best = (int)i;
		}
		if (want_bay && !found)
			return invalid(info, "bay_id", "no such bay in the order's organisation");
		if (best >= 0) {
			*bay = db_int(d->bays_r, d->bay_row[best], 0);
			*bay_name = db_text(d->bays_r, d->bay_row[best], 1);
			return ST_OK;
		}
		if (want_bay ? want_answer == SLOT_BAY_CLOSED : !any_open)
			return conflict(info, "outside_hours", "the workshop is not open for the whole slot");
		return conflict(info, "slot_taken",
		                want_answer == SLOT_BAY_FULL && want_bay ? "the bay is fully booked that day"
		                                                         : "no bay is free for this slot any more");
	}
	if (want_bay)
		return invalid(info, "bay_id",
		               "the order's organisation has no bays: its appointments book technicians");
	slot_count one = {.start = s};
	size_t mine = own_tech(d, ao);
	day_count(d, ao, NULL, e - s, &one, 1);
	if (one.capacity <= 0)
		return conflict(info, "outside_hours",
		                mine != SIZE_MAX ? "the order's technician does not work then (shift or leave)"
		                                 : "nobody works then: the slot is outside the working hours");
	if (one.free <= 0)
		return conflict(info, "slot_taken",
		                mine != SIZE_MAX ? "the order's technician is booked then"
		                                 : "no technician is free for this slot any more");
	return ST_OK;
}

static int book_fn(db_tx *tx, void *arg)
{
	struct book_ctx *c = arg;
	const principal *who = c->a->who;
	int rc = day_lock(tx, who->tenant_id, local_day_of(who->tz_offset_min, c->start_ms));
	json_t *before = NULL;
	if (rc == ST_OK)
		rc = wo_lock_tx(tx, who, c->id, c->if_match, c->info, NULL, 0);
	if (rc != ST_OK)
		return rc;
	struct appt_order ao;
	struct appt_day d;
	memset(&d, 0, sizeof d);
	rc = appt_order_load(tx, who, c->id, &ao);
	if (rc == ST_OK && !status_in(ao.status, BOOKABLE_STATES))
		rc = conflict(c->info, "order_not_open",
		              "the visit has begun or the order is finished: no appointment to make");
	if (rc == ST_OK)
		rc = appt_day_load(tx, who, ao.org_id, local_day_of(who->tz_offset_min, c->start_ms), &ao, NULL, &d);
	int64_t bay = 0;
	const char *bay_name = NULL;
	if (rc == ST_OK)
		rc = place_check(&d, &ao, c->bay_id, c->start_ms / 1000, c->end_ms / 1000, &bay, &bay_name, c->info);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &before);
	if (rc == ST_OK) {
		dbv p[] = {VI(c->start_ms), VI(c->end_ms), bay ? VI(bay) : VN, VI(now_ms()), VI(c->id)};
		if (db_exec(tx,
		            "UPDATE work_orders SET appointment_start = ?, appointment_end = ?, bay_id = ?, no_show_at "
		            "= NULL, "
		            "updated_at = ?, version = version + 1 WHERE id = ?",
		            p, 5) != DB_OK)
			rc = ST_DB;
	}
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK) {
		json_t *data = json_object();
		json_set_time(data, "start_at", c->start_ms);
		json_set_time(data, "end_at", c->end_ms);
		if (bay) {
			json_object_set_new(data, "bay_id", json_integer(bay));
			json_object_set_new(data, "bay_name", json_string(bay_name));
		}
		if (ao.start_ms)
			json_set_time(data, "previous_start_at", ao.start_ms);
		json_object_set_new(data, "by", json_string(is_customer(who) ? "customer" : "staff"));
		rc = wo_event_add(tx, c->a, c->id, "appointment", data, true);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "appointment", "work_order", c->id, before, c->out);
	if (rc == ST_OK)
		rc = appt_notify(tx, c->a, c->out, ao.start_ms ? "appointment_moved" : "appointment_booked",
		                 c->start_ms, c->end_ms, bay_name);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(before);
	appt_day_free(&d);
	appt_order_free(&ao);
	return rc;
}

int store_appt_book(db *d, const actor *a, int64_t id, int64_t if_match, int64_t start_ms, int64_t end_ms,
                    int64_t bay_id, json_t **out, st_info *info)
{
	struct book_ctx c = {.a = a,
	                     .id = id,
	                     .if_match = if_match,
	                     .start_ms = start_ms,
	                     .end_ms = end_ms,
	                     .bay_id = bay_id,
	                     .info = info};
	int rc = db_write(d, book_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int cancel_fn(db_tx *tx, void *arg)
{
	struct book_ctx *c = arg;
	const principal *who = c->a->who;
	int rc = wo_lock_tx(tx, who, c->id, c->if_match, c->info, NULL, 0);
	if (rc != ST_OK)
		return rc;
	struct appt_order ao;
	json_t *before = NULL;
	rc = appt_order_load(tx, who, c->id, &ao);
	if (rc == ST_OK && !ao.start_ms)
		rc = conflict(c->info, "no_appointment", "the order has no appointment");
	else if (rc == ST_OK && !status_in(ao.status, BOOKABLE_STATES))
		rc = conflict(c->info, "order_not_open", "the visit has begun or the order is finished");
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &before);
	dbv p[] = {VI(now_ms()), VI(c->id)};
	if (rc == ST_OK &&
	    db_exec(tx,
	            "UPDATE work_orders SET appointment_start = NULL, appointment_end = NULL, bay_id = NULL, "
	            "no_show_at = NULL, updated_at = ?, version = version + 1 WHERE id = ?",
	            p, 2) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK) {
		json_t *data = json_object();
		json_set_time(data, "start_at", ao.start_ms);
		json_object_set_new(data, "by", json_string(is_customer(who) ? "customer" : "staff"));
		rc = wo_event_add(tx, c->a, c->id, "appointment_cancel", data, true);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "appointment_cancel", "work_order", c->id, before, c->out);
	if (rc == ST_OK)
		rc = appt_notify(tx, c->a, c->out, "appointment_cancelled", ao.start_ms, 0, NULL);
	json_decref(before);
	appt_order_free(&ao);
	return rc;
}

int store_appt_cancel(db *d, const actor *a, int64_t id, int64_t if_match, json_t **out, st_info *info)
{
	struct book_ctx c = {.a = a, .id = id, .if_match = if_match, .info = info};
	int rc = db_write(d, cancel_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int no_show_fn(db_tx *tx, void *arg)
{
	struct book_ctx *c = arg;
	const principal *who = c->a->who;
	int rc = wo_lock_tx(tx, who, c->id, c->if_match, c->info, NULL, 0);
	if (rc != ST_OK)
		return rc;
	struct appt_order ao;
	json_t *before = NULL;
	int64_t now = now_ms();
	rc = appt_order_load(tx, who, c->id, &ao);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &before);
	if (rc == ST_OK && !ao.start_ms)
		rc = conflict(c->info, "no_appointment", "the order has no appointment to miss");
	else if (rc == ST_OK && !json_is_null(json_object_get(before, "no_show_at")))
		rc = conflict(c->info, "already_no_show", "the no-show of this appointment is already recorded");
	else if (rc == ST_OK && !status_in(ao.status, BOOKABLE_STATES))
		rc = conflict(c->info, "order_not_open", "the customer came: the visit has begun");
	else if (rc == ST_OK && ao.start_ms > now)
		rc = conflict(c->info, "not_started", "the appointment has not begun yet");
	dbv p[] = {VI(now), VI(now), VI(c->id)};
	if (rc == ST_OK &&
	    db_exec(tx, "UPDATE work_orders SET no_show_at = ?, updated_at = ?, version = version + 1 WHERE id = ?", p,
	            3) != DB_OK)
		rc = ST_DB;
	dbv pc[] = {VI(now), VI(ao.customer_id), VI(who->tenant_id)};
	if (rc == ST_OK && ao.customer_id &&
	    db_exec(
	        tx,
	        "UPDATE customers SET no_show_count = no_show_count + 1, updated_at = ? WHERE id = ? AND tenant_id = ?",
	        pc, 3) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK) {
		json_t *data = json_object();
		json_set_time(data, "start_at", ao.start_ms);
		if (c->reason && *c->reason)
			json_object_set_new(data, "reason", json_string(c->reason));
		rc = wo_event_add(tx, c->a, c->id, "no_show", data, true);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "no_show", "work_order", c->id, before, c->out);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(before);
	appt_order_free(&ao);
	return rc;
}

int store_appt_no_show(db *d, const actor *a, int64_t id, int64_t if_match, const char *reason, json_t **out,
                       st_info *info)
{
	struct book_ctx c = {.a = a, .id = id, .if_match = if_match, .reason = reason, .info = info};
	int rc = db_write(d, no_show_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* ============================== the board ============================== */

static const char *appt_status(const db_res *r, int row)
{
	const char *st = db_text(r, row, 2);
	if (!db_isnull(r, row, 16))
		return "no_show";
	if (status_in(st, "('completed', 'qc_passed', 'settled', 'closed', 'followed_up')"))
		return "done";
	if (!db_isnull(r, row, 17) || status_in(st, "('in_service', 'waiting_parts', 'waiting_customer')"))
		return "arrived";
	return "booked";
}

struct board_ctx {
	const principal *who;
	int32_t day;
	int64_t org_id;
	json_t *out;
};

static int board_fn(db_tx *tx, void *arg)
{
	struct board_ctx *c = arg;
	const principal *who = c->who;
	char path[256];
	int64_t org = c->org_id ? c->org_id : who->org_id;
	int rc = c->org_id ? org_in_scope(tx, who, org, path, sizeof path)
	                   : org_path_of(tx, who->tenant_id, org, path, sizeof path);
	if (rc != ST_OK)
		return rc;
	int64_t ds = day_start_s(who->tz_offset_min, c->day);
	/* the cards */
	db_res *r;
	dbv p[] = {VI(who->tenant_id), VT(path), VI((ds + 86400) * 1000), VI(ds * 1000)};
	if (db_query(
	        tx,
	        "SELECT w.id, w.number, w.status, w.type, w.priority, w.customer_id, w.customer_name, "
	        "w.customer_phone, "
	        "w.fault_description, w.appointment_start AS start_at, COALESCE(w.appointment_end, w.appointment_start "
	        "+ "
	        "3600000) AS end_at, w.bay_id, w.assignee_id, (SELECT name FROM users WHERE id = w.assignee_id) AS "
	        "assignee_name, w.org_id, o.name AS org_name, w.no_show_at, w.onsite_at, "
	        "(SELECT no_show_count FROM customers WHERE id = w.customer_id) AS customer_no_show_count, w.address "
	        "FROM work_orders w JOIN organizations o ON o.id = w.org_id WHERE w.tenant_id = ? AND o.path LIKE ? || "
	        "'%' "
	        "AND w.appointment_start < ? AND COALESCE(w.appointment_end, w.appointment_start + 3600000) > ? AND "
	        "w.status <> 'cancelled' ORDER BY w.appointment_start, w.id",
	        p, 4, &r) != DB_OK)
		return ST_DB;
	int rows = db_rows(r);
	json_t **cards = xcalloc((size_t)rows + 1, sizeof *cards);
	bool *placed = xcalloc((size_t)rows + 1, sizeof *placed);
	json_t *summary =
	    json_pack("{s:i, s:i, s:i, s:i, s:i}", "total", rows, "booked", 0, "arrived", 0, "no_show", 0, "done", 0);
	for (int i = 0; i < rows; i++) {
		cards[i] = row_json(r, i);
		const char *as = appt_status(r, i);
		json_object_set_new(cards[i], "appointment_status", json_string(as));
		json_object_set_new(summary, as, json_integer(json_integer_value(json_object_get(summary, as)) + 1));
	}
	/* bays of the subtree */
	db_res *b;
	dbv pb[] = {VI(who->tenant_id), VT(path)};
	json_t *bays = json_array();
	if (db_query(tx,
	             "SELECT " BAY_COLS
	             " FROM bays b JOIN organizations o ON o.id = b.org_id WHERE b.tenant_id = ? AND "
	             "b.deleted_at IS NULL AND o.path LIKE ? || '%' ORDER BY b.org_id, b.id",
	             pb, 2, &b) != DB_OK)
		rc = ST_DB;
	for (int k = 0; rc == ST_OK && k < db_rows(b); k++) {
		json_t *bay = bay_json(b, k);
		json_t *list = json_array();
		int used = 0;
		for (int i = 0; i < rows; i++)
			if (db_int(r, i, 11) == db_int(b, k, 0)) {
				json_array_append(list, cards[i]);
				placed[i] = true;
				used += db_isnull(r, i, 16);
			}
		int cap = (int)db_int(b, k, 6);
		json_object_set_new(bay, "used", json_integer(used));
		json_object_set_new(bay, "free", json_integer(cap > used ? cap - used : 0));
		json_object_set_new(bay, "appointments", list);
		json_array_append_new(bays, bay);
	}
	db_res_free(b);
	/* technicians of the subtree with their shifts */
	json_t *techs = json_array();
	tech_pool *tp = NULL;
	principal sub = *who;
	snprintf(sub.org_path, sizeof sub.org_path, "%s", path);
	if (rc == ST_OK)
		rc = tech_pool_load(tx, &sub, ds, &tp);
	size_t n = 0;
	const dsp_tech *t = rc == ST_OK ? tech_pool_techs(tp, &n) : NULL;
	for (size_t k = 0; rc == ST_OK && k < n; k++) {
		json_t *list = json_array();
		int booked = 0;
		for (int i = 0; i < rows; i++)
			if (!placed[i] && db_int(r, i, 12) == t[k].id) {
				json_array_append(list, cards[i]);
				placed[i] = true;
				if (db_isnull(r, i, 16))
					booked += (int)((db_int(r, i, 10) - db_int(r, i, 9)) / 60000);
			}
		int shift_min = 0;
		for (size_t s = 0; tech_pool_shifts_known(tp, k) && s < t[k].n_shifts; s++)
			shift_min += (int)((t[k].shifts[s].end - t[k].shifts[s].start) / 60);
		json_t *tj = json_pack("{s:I, s:s?, s:I, s:b, s:i, s:i, s:o}", "id", (json_int_t)t[k].id, "name",
		                       tech_pool_name(tp, k), "org_id", (json_int_t)t[k].org_id, "shifts_known",
		                       tech_pool_shifts_known(tp, k), "shift_min", shift_min, "booked_min", booked,
		                       "appointments", list);
		json_array_append_new(techs, tj);
	}
	tech_pool_free(tp);
	json_t *waiting = json_array();
	for (int i = 0; i < rows; i++)
		if (!placed[i])
			json_array_append(waiting, cards[i]);
	for (int i = 0; i < rows; i++)
		json_decref(cards[i]);
	free(cards);
	free(placed);
	db_res_free(r);
	if (rc != ST_OK) {
		json_decref(bays);
		json_decref(techs);
		json_decref(waiting);
		json_decref(summary);
		return rc;
	}
	char day[11];
	wty_day_format(c->day, day);
	c->out = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "date", day, "org_id", (json_int_t)org, "bays", bays,
	                   "technicians", techs, "unassigned", waiting, "summary", summary);
	json_set_time(c->out, "day_start_at", ds * 1000);
	return ST_OK;
}

int store_appt_board(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out)
{
	struct board_ctx c = {.who = who, .day = day, .org_id = org_id};
	int rc = db_read(d, board_fn, &c);
	*out = c.out;
	return rc;
}

/* ============================== reminders ============================== */

struct remind_ctx {
	int64_t tenant_id;
	int tz;
	int32_t day;
	int64_t sent;
	bool more;
};

#define REMIND_BATCH 200

/* One batch: the appointments of the day not reminded yet. The reminder row is inserted first;
 * only the transaction that inserted it writes the message (a second run, or a second node at
 * the same moment, finds it there and sends nothing). */
static int remind_fn(db_tx *tx, void *arg)
{
	struct remind_ctx *c = arg;
	int64_t ds = day_start_s(c->tz, c->day);
	db_res *r;
	dbv p[] = {VI(c->tenant_id), VI(ds * 1000), VI((ds + 86400) * 1000)};
	if (db_query(tx,
	             "SELECT w.id, w.number, w.customer_id, w.customer_phone, w.appointment_start, w.appointment_end, "
	             "b.name, o.name, w.address FROM work_orders w JOIN organizations o ON o.id = w.org_id "
	             "LEFT JOIN bays b ON b.id = w.bay_id WHERE w.tenant_id = ? AND w.appointment_start >= ? AND "
	             "w.appointment_start < ? AND w.status IN " BOOKABLE_STATES " AND w.no_show_at IS NULL AND "
	             "w.customer_phone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM appointment_reminders m WHERE "
	             "m.tenant_id = w.tenant_id AND m.order_id = w.id AND m.appointment_start = w.appointment_start) "
	             "ORDER BY w.id LIMIT 200",
	             p, 3, &r) != DB_OK)
		return ST_DB;
	principal sys = {.tenant_id = c->tenant_id, .tz_offset_min = c->tz};
	actor a = {&sys, "scheduler", NULL, NULL};
	int rc = ST_OK;
	int rows = db_rows(r);
	c->more = rows == REMIND_BATCH;
	for (int i = 0; i < rows && rc == ST_OK; i++) {
		int64_t id = db_int(r, i, 0), start = db_int(r, i, 4);
		db_res *ins;
		dbv pi[] = {VI(c->tenant_id), VI(id), VI(start), VI(now_ms())};
		if (db_query(tx,
		             "INSERT INTO appointment_reminders(tenant_id, order_id, appointment_start, sent_at) "
		             "VALUES (?, ?, ?, ?) "
		             "ON CONFLICT (tenant_id, order_id, appointment_start) DO NOTHING RETURNING order_id",
		             pi, 4, &ins) != DB_OK) {
			rc = ST_DB;
			break;
		}
		bool mine = db_rows(ins) == 1;
		db_res_free(ins);
		if (!mine)
			continue;
		char s[20], e[20] = "";
		local_text(start, c->tz, s);
		if (!db_isnull(r, i, 5))
			local_text(db_int(r, i, 5), c->tz, e);
		json_t *data = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?}", "number", db_text(r, i, 1), "start", s,
		                         "end", e[0] ? e + 11 : "", "org", db_text(r, i, 7), "bay", db_text(r, i, 6),
		                         "address", db_text(r, i, 8));
		rc = outbox_add(tx, c->tenant_id, "sms", db_text(r, i, 3), "appointment_reminder", data, id,
		                db_int(r, i, 2));
		if (rc == ST_OK) {
			json_t *ev = json_object();
			json_set_time(ev, "start_at", start);
			json_object_set_new(ev, "channel", json_string("sms"));
			rc = wo_event_add(tx, &a, id, "appointment_reminder", ev, true);
			json_decref(ev);
		}
		json_decref(data);
		if (rc == ST_OK)
			c->sent++;
	}
	db_res_free(r);
	return rc;
}

struct tenants_ctx {
	int64_t only;
	int64_t id[256];
	int tz[256];
	int n;
};

static int tenants_fn(db_tx *tx, void *arg)
{
	struct tenants_ctx *t = arg;
	db_res *r;
	dbv p[] = {VI(t->only), VI(t->only)};
	if (db_query(tx, "SELECT id, tz_offset_min FROM tenants WHERE (? = 0 OR id = ?) ORDER BY id LIMIT 256", p, 2,
	             &r) != DB_OK)
		return ST_DB;
	for (t->n = 0; t->n < db_rows(r); t->n++) {
		t->id[t->n] = db_int(r, t->n, 0);
		t->tz[t->n] = (int)db_int(r, t->n, 1);
	}
	db_res_free(r);
	return ST_OK;
}

int store_appt_reminders(db *d, int64_t tenant_id, int32_t day, int64_t *sent)
{
	struct tenants_ctx t = {.only = tenant_id};
	int rc = db_read(d, tenants_fn, &t);
	*sent = 0;
	for (int i = 0; i < t.n && rc == ST_OK; i++) {
		struct remind_ctx c = {
		    .tenant_id = t.id[i], .tz = t.tz[i], .day = day ? day : local_day_of(t.tz[i], now_ms()) + 1};
		do
			rc = db_write(d, remind_fn, &c);
		while (rc == ST_OK && c.more);
		*sent += c.sent;
	}
	return rc;
}
