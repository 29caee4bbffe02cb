/*
 * wo_exec.c — execution on the order (DOMAIN §3 执行 and 完工总检; issue 4 items 7 and 8):
 *
 *   - photos: attachments of kind photo (base64 text in the database, so every node serves
 *     them) with a JPEG thumbnail; read back through their order's scope, so a customer sees
 *     only their own order's photos and signatures;
 *   - the work log: start and stop per user; a user has at most one running entry across
 *     all orders (checked here with a clear answer, guaranteed by a partial unique index);
 *   - the execution checklist: the order type's template (maintenance: the operations of the
 *     next service due in the asset model's schedule) merged with what was saved;
 *   - the QC template: every actual line, the safety items, no new damage compared with
 *     the reception sheet. The QC decision itself is a state event (wo_flow.c).
 */
#include "store/store.h"
#include "domain/checklist.h"
#include "domain/maint.h"
#include "domain/perm.h"
#include "domain/warranty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ex_ctx {
	const principal *who;
	const actor *a;
	int64_t order_id, id, if_match;
	bool thumb;
	const char *note;
	json_t *in, *out;
	char *mime, *b64;
	st_info *info;
};

static int conflict(st_info *info, const char *detail)
{
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_CONFLICT;
}

static bool is_customer(const principal *who)
{
	return who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* --- photos ----------------------------------------------------------------------------- */

#define PHOTO_COLS "a.id, a.order_id, a.kind, a.name, a.mime, a.size, a.width, a.height, a.caption, a.created_by, " \
		   "u.name AS created_by_name, a.created_at"

static json_t *photo_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	char url[96];
	int64_t id = db_int(r, row, 0);
	snprintf(url, sizeof url, "/api/v1/attachments/%lld", (long long)id);
	json_object_set_new(o, "url", json_string(url));
	snprintf(url, sizeof url, "/api/v1/attachments/%lld/thumb", (long long)id);
	json_object_set_new(o, "thumb_url", json_string(url));
	return o;
}

static int photo_load(db_tx *tx, int64_t tenant, int64_t id, json_t **out)
{
	dbv p[] = {VI(tenant), VI(id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT " PHOTO_COLS " FROM attachments a LEFT JOIN users u ON u.id = a.created_by "
		     "WHERE a.tenant_id = ? AND a.id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = photo_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int photo_add_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->a->who;
	char status[32] = "";
	int rc = wo_lock_tx(tx, who, c->order_id, 0, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	if (!strcmp(status, "cancelled"))
		return conflict(c->info, "the order is cancelled: no more photos can be added");
	json_t *in = c->in;
	dbv p[] = {VI(who->tenant_id), VI(c->order_id), VT(jstr(in, "name")), VT(jstr(in, "mime")), VI(jint(in, "size")),
		   VI(jint(in, "width")), VI(jint(in, "height")), VT(jstr(in, "_data_b64")), VT(jstr(in, "_thumb_b64")),
		   VT(jstr(in, "caption")), who->user_id ? VI(who->user_id) : VN, VI(now_ms())};
	int64_t id;
	rc = db_query_int(tx,
			  "INSERT INTO attachments(tenant_id, order_id, kind, name, mime, size, width, height, data_b64, "
			  "thumb_b64, caption, created_by, created_at) VALUES (?, ?, 'photo', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			  "RETURNING id",
			  p, 12, &id);
	if (rc != ST_OK)
		return ST_DB;
	if ((rc = photo_load(tx, who->tenant_id, id, &c->out)) != ST_OK)
		return rc;
	json_t *data = json_pack("{s:I, s:O, s:O}", "attachment_id", (json_int_t)id, "caption",
				 json_object_get(c->out, "caption"), "name", json_object_get(c->out, "name"));
	rc = wo_event_add(tx, c->a, c->order_id, "photo", data, true);
	json_decref(data);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "attachment", id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/attachments/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_photo_add(db *d, const actor *a, int64_t order_id, json_t *in, json_t **out, st_info *info)
{
	struct ex_ctx c = {.a = a, .order_id = order_id, .in = in, .info = info};
	int rc = db_write(d, photo_add_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int photo_list_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->order_id, &order);
	json_decref(order);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->who->tenant_id), VI(c->order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT " PHOTO_COLS " FROM attachments a LEFT JOIN users u ON u.id = a.created_by "
		     "WHERE a.tenant_id = ? AND a.order_id = ? AND a.kind = 'photo' ORDER BY a.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(c->out, photo_json(r, i));
	db_res_free(r);
	return ST_OK;
}

int store_photo_list(db *d, const principal *who, int64_t order_id, json_t **items)
{
	struct ex_ctx c = {.who = who, .order_id = order_id};
	int rc = db_read(d, photo_list_fn, &c);
	*items = c.out;
	return rc;
}

/* Photos of an order past settlement are evidence (claims, disputes): they stay. */
static bool photos_frozen(const char *status)
{
	return !strcmp(status, "settled") || !strcmp(status, "closed") || !strcmp(status, "followed_up");
}

static int photo_delete_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->a->who;
	char status[32] = "";
	int rc = wo_lock_tx(tx, who, c->order_id, 0, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	json_t *before = NULL;
	rc = photo_load(tx, who->tenant_id, c->id, &before);
	if (rc != ST_OK)
		return rc;
	if (jint(before, "order_id") != c->order_id || strcmp(jstr(before, "kind"), "photo")) {
		json_decref(before);
		return ST_NOT_FOUND;
	}
	if (photos_frozen(status)) {
		json_decref(before);
		return conflict(c->info, "the order is settled: its photos are kept as evidence");
	}
	dbv p[] = {VI(who->tenant_id), VI(c->id)};
	rc = db_exec(tx, "DELETE FROM attachments WHERE tenant_id = ? AND id = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
	if (rc == ST_OK) {
		json_t *data = json_pack("{s:I, s:O}", "attachment_id", (json_int_t)c->id, "caption", json_object_get(before, "caption"));
		rc = wo_event_add(tx, c->a, c->order_id, "photo_deleted", data, false);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "attachment", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_photo_delete(db *d, const actor *a, int64_t order_id, int64_t id, st_info *info)
{
	struct ex_ctx c = {.a = a, .order_id = order_id, .id = id, .info = info};
	return db_write(d, photo_delete_fn, &c);
}

/* An attachment is read through its order: in the caller's scope, or not at all (404). One
 * without an order (none today) is staff-only. */
static int attachment_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	dbv p[] = {VI(c->who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx,
		     c->thumb ? "SELECT order_id, mime, CASE WHEN thumb_b64 IS NULL THEN 0 ELSE 1 END, coalesce(thumb_b64, data_b64) "
				"FROM attachments "
				"WHERE tenant_id = ? AND id = ?"
			      : "SELECT order_id, mime, 0, data_b64 FROM attachments WHERE tenant_id = ? AND id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		rc = ST_OK;
		if (db_isnull(r, 0, 0)) {
			if (is_customer(c->who))
				rc = ST_NOT_FOUND;
		} else {
			json_t *order = NULL;
			rc = wo_load_tx(tx, c->who, db_int(r, 0, 0), &order);
			json_decref(order);
		}
		if (rc == ST_OK) {
			c->mime = xstrdup(db_int(r, 0, 2) ? "image/jpeg" : db_text(r, 0, 1));
			c->b64 = xstrdup(db_text(r, 0, 3));
		}
	}
	db_res_free(r);
	return rc;
}

int store_attachment_data(db *d, const principal *who, int64_t id, bool thumb, char **mime, char **b64)
{
	struct ex_ctx c = {.who = who, .id = id, .thumb = thumb};
	int rc = db_read(d, attachment_fn, &c);
	if (rc != ST_OK) {
		free(c.mime);
		free(c.b64);
		c.mime = c.b64 = NULL;
	}
	*mime = c.mime;
	*b64 = c.b64;
	return rc;
}

/* --- the work log ----------------------------------------------------------------------- */

static int64_t minutes_between(int64_t from, int64_t to)
{
	return to > from ? (to - from + 30000) / 60000 : 0;
}

static json_t *entry_json(const db_res *r, int row, int64_t now)
{
	json_t *o = row_json(r, row);
	int64_t started = db_int(r, row, 3);
	bool running = db_isnull(r, row, 4);
	json_object_set_new(o, "running", json_boolean(running));
	json_object_set_new(o, "minutes", json_integer(minutes_between(started, running ? now : db_int(r, row, 4))));
	return o;
}

#define ENTRY_COLS "l.id, l.order_id, l.user_id, l.started_at, l.stopped_at, l.note, u.name AS user_name, " \
		   "w.number AS order_number"
#define ENTRY_FROM " FROM wo_worklog l LEFT JOIN users u ON u.id = l.user_id JOIN work_orders w ON w.id = l.order_id "

static int entry_load(db_tx *tx, int64_t tenant, int64_t id, json_t **out)
{
	dbv p[] = {VI(tenant), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " ENTRY_COLS ENTRY_FROM "WHERE l.tenant_id = ? AND l.id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = entry_json(r, 0, now_ms());
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

/* A technician (without an office role) logs work only on an order assigned to them. */
static bool may_log(const principal *who, json_t *order)
{
	uint32_t office = (1u << ROLE_ADMIN) | (1u << ROLE_MANAGER) | (1u << ROLE_DISPATCHER) | (1u << ROLE_ADVISOR) |
			  (1u << ROLE_QC);
	if (is_customer(who))
		return false;
	if (who->roles & office)
		return true;
	return jint(order, "assignee_id") == who->user_id;
}

static int worklog_start_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, c->order_id, &order);
	if (rc != ST_OK)
		return rc;
	char status[32];
	snprintf(status, sizeof status, "%s", jstr(order, "status"));
	bool ok_state = !strcmp(status, "taken") || !strcmp(status, "on_the_way") || !strcmp(status, "in_service");
	bool allowed = may_log(who, order);
	json_decref(order);
	if (!allowed) {
		snprintf(c->info->detail, sizeof c->info->detail, "only the technician assigned to this order may log work on it");
		return ST_FORBIDDEN;
	}
	if (!ok_state) {
		snprintf(c->info->detail, sizeof c->info->detail,
			 "work can be logged while the order is taken, on the way or in service; it is %s", status);
		c->info->current = json_pack("{s:s}", "order_status", status);
		return ST_CONFLICT;
	}
	/* One running entry per user across every order. */
	dbv pr[] = {VI(who->tenant_id), VI(who->user_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT l.id, l.order_id, w.number, l.started_at FROM wo_worklog l JOIN work_orders w ON w.id = l.order_id "
		     "WHERE l.tenant_id = ? AND l.user_id = ? AND l.stopped_at IS NULL",
		     pr, 2, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		int64_t other = db_int(r, 0, 1);
		if (other == c->order_id)
			snprintf(c->info->detail, sizeof c->info->detail,
				 "your work on this order is already running: stop it before starting again");
		else
			snprintf(c->info->detail, sizeof c->info->detail,
				 "you are still working on order %s: stop that work log first", db_text(r, 0, 2));
		c->info->current = json_pack("{s:s, s:I, s:I, s:s}", "code", "worklog_running", "running_entry_id",
					     (json_int_t)db_int(r, 0, 0), "running_order_id", (json_int_t)other,
					     "running_order_number", db_text(r, 0, 2));
		db_res_free(r);
		return ST_CONFLICT;
	}
	db_res_free(r);
	int64_t now = now_ms(), id;
	dbv p[] = {VI(who->tenant_id), VI(c->order_id), VI(who->user_id), VI(now), VT(c->note)};
	int e = db_exec(tx, "INSERT INTO wo_worklog(tenant_id, order_id, user_id, started_at, note) VALUES (?, ?, ?, ?, ?)",
			p, 5);
	if (e == DB_UNIQUE) /* the unique index of running entries (0009_exec.sql): another start won a race */
		return conflict(c->info, "your work log is already running on another order: stop that first");
	if (e != DB_OK ||
	    db_query_int(tx, "SELECT id FROM wo_worklog WHERE tenant_id = ? AND user_id = ? AND stopped_at IS NULL", pr, 2, &id) !=
		    ST_OK)
		return ST_DB;
	if ((rc = entry_load(tx, who->tenant_id, id, &c->out)) != ST_OK)
		return rc;
	json_t *data = json_pack("{s:I, s:s?}", "entry_id", (json_int_t)id, "note", c->note);
	rc = wo_event_add(tx, c->a, c->order_id, "work_start", data, false);
	json_decref(data);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "worklog", id, NULL, c->out);
	if (rc == ST_OK) /* the phone's offline queue replays with the same key: applied once */
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	return rc;
}

int store_worklog_start(db *d, const actor *a, int64_t order_id, const char *note, json_t **out, st_info *info)
{
	struct ex_ctx c = {.a = a, .order_id = order_id, .note = note, .info = info};
	int rc = db_write(d, worklog_start_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int worklog_stop_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, c->order_id, &order);
	json_decref(order);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(who->tenant_id), VI(c->order_id), VI(who->user_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, note FROM wo_worklog WHERE tenant_id = ? AND order_id = ? AND user_id = ? AND stopped_at IS NULL",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		c->info->current = json_pack("{s:s}", "code", "worklog_not_running");
		return conflict(c->info, "you have no running work log on this order: start it first");
	}
	int64_t id = db_int(r, 0, 0);
	char *note = NULL;
	const char *old = db_text(r, 0, 1);
	if (old && *old && c->note && *c->note)
		note = xasprintf("%s / %s", old, c->note);
	else
		note = xstrdup(c->note && *c->note ? c->note : old ? old : "");
	db_res_free(r);
	json_t *before = NULL;
	rc = entry_load(tx, who->tenant_id, id, &before);
	if (rc == ST_OK) {
		dbv pu[] = {VI(now_ms()), VT(*note ? note : NULL), VI(who->tenant_id), VI(id)};
		rc = db_exec(tx, "UPDATE wo_worklog SET stopped_at = ?, note = ? WHERE tenant_id = ? AND id = ?", pu, 4) == DB_OK
			     ? ST_OK
			     : ST_DB;
	}
	free(note);
	if (rc == ST_OK)
		rc = entry_load(tx, who->tenant_id, id, &c->out);
	if (rc == ST_OK) {
		json_t *data = json_pack("{s:I, s:O, s:s?}", "entry_id", (json_int_t)id, "minutes",
					 json_object_get(c->out, "minutes"), "note", c->note);
		rc = wo_event_add(tx, c->a, c->order_id, "work_stop", data, false);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "worklog", id, before, c->out);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(before);
	return rc;
}

int store_worklog_stop(db *d, const actor *a, int64_t order_id, const char *note, json_t **out, st_info *info)
{
	struct ex_ctx c = {.a = a, .order_id = order_id, .note = note, .info = info};
	int rc = db_write(d, worklog_stop_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int worklog_list_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, c->order_id, &order);
	json_decref(order);
	if (rc != ST_OK)
		return rc;
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id), VI(c->order_id)};
	db_res *r;
	if (db_query(tx, "SELECT " ENTRY_COLS ENTRY_FROM "WHERE l.tenant_id = ? AND l.order_id = ? ORDER BY l.id", p, 2, &r) !=
	    DB_OK)
		return ST_DB;
	json_t *items = json_array(), *by_user = json_object();
	int64_t total = 0;
	for (int i = 0; i < db_rows(r); i++) {
		json_t *e = entry_json(r, i, now);
		int64_t m = jint(e, "minutes");
		total += m;
		char uid[24];
		snprintf(uid, sizeof uid, "%lld", (long long)db_int(r, i, 2));
		json_t *u = json_object_get(by_user, uid);
		if (!u) {
			u = json_pack("{s:I, s:s?, s:I}", "user_id", (json_int_t)db_int(r, i, 2), "user_name", db_text(r, i, 6),
				      "minutes", (json_int_t)0);
			json_object_set_new(by_user, uid, u);
		}
		json_object_set_new(u, "minutes", json_integer(jint(u, "minutes") + m));
		json_array_append_new(items, e);
	}
	db_res_free(r);
	json_t *users = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(by_user, k, v) json_array_append(users, v);
	json_decref(by_user);
	/* The caller's own running entry, on whichever order it is. */
	json_t *mine = json_null();
	if (who->user_id) {
		dbv pm[] = {VI(who->tenant_id), VI(who->user_id)};
		if (db_query(tx, "SELECT " ENTRY_COLS ENTRY_FROM "WHERE l.tenant_id = ? AND l.user_id = ? AND l.stopped_at IS NULL",
			     pm, 2, &r) != DB_OK) {
			json_decref(items);
			json_decref(users);
			return ST_DB;
		}
		if (db_rows(r))
			mine = entry_json(r, 0, now);
		db_res_free(r);
	}
	c->out = json_pack("{s:o, s:I, s:o, s:o}", "items", items, "total_minutes", (json_int_t)total, "by_user", users,
			   "my_running", mine);
	json_set_time(c->out, "now", now);
	return ST_OK;
}

int store_worklog_list(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ex_ctx c = {.who = who, .order_id = order_id};
	int rc = db_read(d, worklog_list_fn, &c);
	*out = c.out;
	return rc;
}

/* --- checklists ------------------------------------------------------------------------- */

/* What the templates need to know of the order's asset. */
struct asset_facts {
	bool vehicle, has_asset;
	json_t *service; /* maintenance: the next service due {index, name, km, months, operations, due_date, due_by} */
};

static int32_t today_local(const principal *who)
{
	int64_t ms = now_ms() + (int64_t)who->tz_offset_min * 60000;
	return (int32_t)(ms / 86400000);
}

/* The next service of the asset's schedule this order performs (DOMAIN §6, domain/maint.c):
 * the services done are the asset's other maintenance orders that were completed. */
static int next_service(db_tx *tx, const principal *who, int64_t order_id, int64_t asset_id, const char *purchase,
			const char *schedule, json_t **out)
{
	*out = NULL;
	int32_t buy;
	json_t *sched = schedule ? json_loads(schedule, 0, NULL) : NULL;
	if (!purchase || !wty_day_parse(purchase, &buy) || !json_is_array(sched) || !json_array_size(sched)) {
		json_decref(sched);
		return ST_OK;
	}
	size_t n = json_array_size(sched);
	maint_step *steps = xcalloc(n, sizeof *steps);
	for (size_t i = 0; i < n; i++) {
		steps[i].km = jint(json_array_get(sched, i), "km");
		steps[i].months = (int)jint(json_array_get(sched, i), "months");
	}
	dbv p[] = {VI(who->tenant_id), VI(asset_id)};
	db_res *rr = NULL;
	maint_reading *rd = NULL;
	int rc = ST_DB;
	if (db_query(tx, "SELECT read_on, km, odometer_change FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id",
		     p, 2, &rr) != DB_OK)
		goto out;
	int nr = db_rows(rr), k = 0;
	rd = xcalloc((size_t)nr + 1, sizeof *rd);
	for (int i = 0; i < nr; i++)
		if (wty_day_parse(db_text(rr, i, 0), &rd[k].day)) {
			rd[k].km = db_int(rr, i, 1);
			rd[k].odometer_change = db_int(rr, i, 2) != 0;
			k++;
		}
	int64_t done = 0;
	dbv pd[] = {VI(who->tenant_id), VI(asset_id), VI(order_id)};
	if (db_query_int(tx,
			 "SELECT count(*) FROM work_orders WHERE tenant_id = ? AND asset_id = ? AND id <> ? AND "
			 "type = 'maintenance' AND status IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up')",
			 pd, 3, &done) != ST_OK)
		goto out;
	maint_input in = {.purchase_day = buy, .today = today_local(who), .steps = steps, .nsteps = (int)n,
			  .done = (int)done, .readings = rd, .nreadings = k};
	maint_due due;
	maint_next(&in, &due);
	rc = ST_OK;
	if (due.step < 0)
		goto out; /* the schedule is finished: the generic list */
	char day[11];
	wty_day_format(due.due_day, day);
	json_t *step = json_array_get(sched, (size_t)due.step);
	*out = json_pack("{s:I, s:O?, s:O?, s:O?, s:O?, s:s, s:s, s:I}", "index", (json_int_t)due.step, "name",
			 json_object_get(step, "name"), "km", json_object_get(step, "km"), "months",
			 json_object_get(step, "months"), "operations", json_object_get(step, "operations"), "due_date", day,
			 "due_by", due.by_km ? "km" : "time", "services_done", (json_int_t)done);
out:
	db_res_free(rr);
	free(rd);
	free(steps);
	json_decref(sched);
	return rc;
}

static int asset_facts_load(db_tx *tx, const principal *who, json_t *order, struct asset_facts *f)
{
	memset(f, 0, sizeof *f);
	bool mileage = json_is_integer(json_object_get(order, "mileage")) || json_is_string(json_object_get(order, "work_class"));
	int64_t asset = jint(order, "asset_id");
	if (!asset) {
		f->vehicle = ck_is_vehicle(NULL, false, mileage);
		return ST_OK;
	}
	dbv p[] = {VI(who->tenant_id), VI(asset)};
	db_res *r;
	if (db_query(tx,
		     "SELECT a.plate, a.purchase_date, m.category, m.maintenance_json FROM assets a "
		     "JOIN product_models m ON m.id = a.model_id WHERE a.tenant_id = ? AND a.id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	if (db_rows(r)) {
		const char *plate = db_text(r, 0, 0);
		f->has_asset = true;
		f->vehicle = ck_is_vehicle(db_text(r, 0, 2), plate && *plate, mileage);
		if (!strcmp(jstr(order, "type"), "maintenance"))
			rc = next_service(tx, who, jint(order, "id"), asset, db_text(r, 0, 1), db_text(r, 0, 3), &f->service);
	} else {
		f->vehicle = ck_is_vehicle(NULL, false, mileage);
	}
	db_res_free(r);
	return rc;
}

static json_t *item_new(const char *key, const char *zh, const char *en)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "key", key, "label", zh, "label_zh", zh, "label_en", en,
			 "checked", 0, "note", "");
}

/* The execution template of the order: items [{key, label, label_zh, label_en, checked, note}]
 * and where they come from. */
static json_t *exec_template(json_t *order, const struct asset_facts *f, json_t **source)
{
	json_t *items = json_array();
	const char *type = jstr(order, "type");
	int n = 0;
	if (f->service) {
		json_t *ops = json_object_get(f->service, "operations");
		size_t i;
		json_t *op;
		json_array_foreach(ops, i, op) {
			char key[24];
			snprintf(key, sizeof key, "op_%zu", i + 1);
			json_array_append_new(items, item_new(key, json_string_value(op), json_string_value(op)));
		}
		const ck_item *tail = ck_maint_tail(f->vehicle, &n);
		for (int k = 0; k < n; k++)
			json_array_append_new(items, item_new(tail[k].key, tail[k].zh, tail[k].en));
		*source = json_pack("{s:s, s:O}", "kind", "schedule", "service", f->service);
		return items;
	}
	const ck_item *t = ck_template(type, f->vehicle, &n);
	for (int k = 0; k < n; k++)
		json_array_append_new(items, item_new(t[k].key, t[k].zh, t[k].en));
	if (type && !strcmp(type, "maintenance")) {
		const ck_item *tail = ck_maint_tail(f->vehicle, &n);
		for (int k = 0; k < n; k++)
			json_array_append_new(items, item_new(tail[k].key, tail[k].zh, tail[k].en));
	}
	*source = json_pack("{s:s, s:s?}", "kind", "template", "type", type);
	return items;
}

/* Template items with what was saved: checked and note by key; saved items the template does
 * not have (added on site) follow, marked custom. */
static void merge_saved(json_t *items, json_t *saved)
{
	size_t i, j;
	json_t *t, *s;
	json_array_foreach(items, i, t) {
		json_array_foreach(saved, j, s) {
			if (!json_is_object(s) || !json_equal(json_object_get(s, "key"), json_object_get(t, "key")))
				continue;
			json_object_set_new(t, "checked", json_boolean(json_is_true(json_object_get(s, "checked"))));
			const char *note = jstr(s, "note");
			json_object_set_new(t, "note", json_string(note ? note : ""));
			break;
		}
	}
	json_array_foreach(saved, j, s) {
		const char *key = jstr(s, "key");
		if (!key)
			continue;
		bool known = false;
		json_array_foreach(items, i, t) if (!strcmp(jstr(t, "key"), key)) known = true;
		if (known)
			continue;
		const char *label = jstr(s, "label") ? jstr(s, "label") : key;
		json_t *x = item_new(key, label, label);
		json_object_set_new(x, "checked", json_boolean(json_is_true(json_object_get(s, "checked"))));
		json_object_set_new(x, "note", json_string(jstr(s, "note") ? jstr(s, "note") : ""));
		json_object_set_new(x, "custom", json_true());
		json_array_append_new(items, x);
	}
}

static int exec_view(db_tx *tx, const principal *who, int64_t order_id, json_t **out)
{
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, order_id, &order);
	if (rc != ST_OK)
		return rc;
	struct asset_facts f;
	if ((rc = asset_facts_load(tx, who, order, &f)) != ST_OK) {
		json_decref(order);
		return rc;
	}
	json_t *source = NULL;
	json_t *items = exec_template(order, &f, &source);
	dbv p[] = {VI(who->tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT c.items_json, c.by_id, u.name, c.updated_at FROM wo_checklists c LEFT JOIN users u ON u.id = c.by_id "
		     "WHERE c.tenant_id = ? AND c.order_id = ? AND c.kind = 'execution' ORDER BY c.id DESC LIMIT 1",
		     p, 2, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	json_t *saved_by = json_null();
	int64_t saved_at = 0;
	if (db_rows(r)) {
		json_t *saved = json_loads(db_text(r, 0, 0), 0, NULL);
		merge_saved(items, saved);
		json_decref(saved);
		saved_by = json_pack("{s:I, s:s?}", "id", (json_int_t)db_int(r, 0, 1), "name", db_text(r, 0, 2));
		saved_at = db_int(r, 0, 3);
	}
	db_res_free(r);
	size_t i, checked = 0;
	json_t *it;
	json_array_foreach(items, i, it) if (json_is_true(json_object_get(it, "checked"))) checked++;
	*out = json_pack("{s:I, s:s, s:O, s:b, s:o, s:O, s:I, s:I, s:o, s:O}", "order_id", (json_int_t)order_id, "kind",
			 "execution", "order_type", json_object_get(order, "type"), "vehicle", f.vehicle, "source", source,
			 "items", items, "checked", (json_int_t)checked, "total", (json_int_t)json_array_size(items),
			 "saved_by", saved_by, "order_version", json_object_get(order, "version"));
	json_set_time(*out, "saved_at", saved_at);
	source = NULL;
out:
	json_decref(items);
	json_decref(source);
	json_decref(f.service);
	json_decref(order);
	return rc;
}

static int exec_get_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	return exec_view(tx, c->who, c->order_id, &c->out);
}

int store_checklist_get(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ex_ctx c = {.who = who, .order_id = order_id};
	int rc = db_read(d, exec_get_fn, &c);
	*out = c.out;
	return rc;
}

/* Before dispatch there is no work to check, and after settlement the record is final. */
static bool checklist_open(const char *status)
{
	static const char *const closed[] = {"new", "accepted", "settled", "closed", "followed_up", "cancelled", NULL};
	for (int i = 0; closed[i]; i++)
		if (!strcmp(status, closed[i]))
			return false;
	return true;
}

static int exec_save_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->a->who;
	char status[32] = "";
	int rc = wo_lock_tx(tx, who, c->order_id, c->if_match, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	if (!checklist_open(status)) {
		c->info->current = json_pack("{s:s}", "order_status", status);
		snprintf(c->info->detail, sizeof c->info->detail,
			 "the execution checklist can be saved once the order is dispatched and until it is settled; it is %s",
			 status);
		return ST_CONFLICT;
	}
	json_t *before = NULL;
	if ((rc = exec_view(tx, who, c->order_id, &before)) != ST_OK)
		return rc;
	/* Labels of template items are filled in when the client left them out. */
	json_t *items = json_deep_copy(c->in);
	size_t i, j, checked = 0;
	json_t *it, *t;
	json_array_foreach(items, i, it) {
		if (json_is_true(json_object_get(it, "checked")))
			checked++;
		if (jstr(it, "label"))
			continue;
		json_array_foreach(json_object_get(before, "items"), j, t) if (!strcmp(jstr(t, "key"), jstr(it, "key")))
			json_object_set(it, "label", json_object_get(t, "label"));
	}
	char *text = json_dumps(items, JSON_COMPACT);
	int64_t now = now_ms(), existing = 0;
	dbv pf[] = {VI(who->tenant_id), VI(c->order_id)};
	rc = db_query_int(tx,
			  "SELECT id FROM wo_checklists WHERE tenant_id = ? AND order_id = ? AND kind = 'execution' "
			  "ORDER BY id DESC LIMIT 1",
			  pf, 2, &existing);
	if (rc == ST_OK) {
		dbv pu[] = {VT(text), VI(who->user_id), VI(now), VI(existing)};
		rc = db_exec(tx, "UPDATE wo_checklists SET items_json = ?, by_id = ?, updated_at = ?, version = version + 1 "
				 "WHERE id = ?",
			     pu, 4) == DB_OK
			     ? ST_OK
			     : ST_DB;
	} else if (rc == ST_NOT_FOUND) {
		dbv pi[] = {VI(who->tenant_id), VI(c->order_id), VT(text), who->user_id ? VI(who->user_id) : VN, VI(now), VI(now)};
		rc = db_exec(tx,
			     "INSERT INTO wo_checklists(tenant_id, order_id, kind, items_json, by_id, created_at, updated_at) "
			     "VALUES (?, ?, 'execution', ?, ?, ?, ?)",
			     pi, 6) == DB_OK
			     ? ST_OK
			     : ST_DB;
	}
	free(text);
	if (rc == ST_OK)
		rc = wo_touch_tx(tx, c->order_id);
	if (rc == ST_OK) {
		json_t *data = json_pack("{s:s, s:I, s:I}", "kind", "execution", "checked", (json_int_t)checked, "items",
					 (json_int_t)json_array_size(items));
		rc = wo_event_add(tx, c->a, c->order_id, "checklist", data, false);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = exec_view(tx, who, c->order_id, &c->out);
	if (rc == ST_OK) {
		json_t *b = json_pack("{s:O}", "items", json_object_get(before, "items"));
		json_t *a = json_pack("{s:O}", "items", items);
		rc = audit_add(tx, c->a, "update", "checklist", c->order_id, b, a);
		json_decref(b);
		json_decref(a);
	}
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(items);
	json_decref(before);
	return rc;
}

int store_checklist_save(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *items, json_t **out,
			 st_info *info)
{
	struct ex_ctx c = {.a = a, .order_id = order_id, .if_match = if_match, .in = items, .info = info};
	int rc = db_write(d, exec_save_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* A damage mark of the reception sheet in words: a string as it is, an object by its usual
 * fields ({"area":"左前门","kind":"划痕","note":"…"}). */
static json_t *damage_text(json_t *m)
{
	if (json_is_string(m))
		return json_incref(m);
	if (!json_is_object(m))
		return NULL;
	static const char *const keys[] = {"area", "part", "position", "location", "zone", "kind", "type", "damage",
					   "label", "text", "description", "desc", "note", NULL};
	buf b;
	buf_init(&b, 400);
	for (int i = 0; keys[i]; i++) {
		const char *s = jstr(m, keys[i]);
		if (s && *s && !(b.len && strstr(b.data, s)))
			buf_printf(&b, "%s%s", b.len ? " " : "", s);
	}
	json_t *out = b.len ? json_string(b.data) : NULL;
	buf_free(&b);
	return out;
}

/* The damage marks of the order's reception sheet (wo_receptions.sheet_json) and whether
 * there is a sheet at all. */
static int reception_damage(db_tx *tx, const principal *who, int64_t order_id, bool *has, json_t **marks,
			    json_t **raw)
{
	*has = false;
	*marks = json_array();
	*raw = json_array();
	dbv p[] = {VI(who->tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx, "SELECT sheet_json FROM wo_receptions WHERE tenant_id = ? AND order_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		*has = true;
		json_t *sheet = json_loads(db_text(r, 0, 0) ? db_text(r, 0, 0) : "{}", 0, NULL);
		static const char *const keys[] = {"damage", "damages", "damage_marks", "marks", NULL};
		for (int k = 0; keys[k]; k++) {
			json_t *arr = json_object_get(sheet, keys[k]);
			size_t i;
			json_t *m;
			json_array_foreach(arr, i, m) {
				json_t *t = damage_text(m);
				if (t) {
					json_array_append_new(*marks, t);
					json_array_append(*raw, m);
				}
			}
		}
		json_decref(sheet);
	}
	db_res_free(r);
	return ST_OK;
}

static int qc_fn(db_tx *tx, void *arg)
{
	struct ex_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, c->order_id, &order);
	if (rc != ST_OK)
		return rc;
	struct asset_facts f;
	json_t *items = json_array(), *marks = NULL, *raw = NULL, *last = json_null();
	db_res *r = NULL;
	bool has_reception = false;
	int64_t not_done = 0;
	if ((rc = asset_facts_load(tx, who, order, &f)) != ST_OK)
		goto out;
	/* one item per actual line: DOMAIN §3 "every line on the order done" */
	dbv p[] = {VI(who->tenant_id), VI(c->order_id)};
	if (db_query(tx,
		     "SELECT id, kind, name, done, additional, consent_at FROM wo_lines WHERE tenant_id = ? AND order_id = ? "
		     "AND stage = 'actual' ORDER BY id",
		     p, 2, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	for (int i = 0; i < db_rows(r); i++) {
		char key[40], zh[260], en[260];
		snprintf(key, sizeof key, "line_%lld", (long long)db_int(r, i, 0));
		snprintf(zh, sizeof zh, "完工：%s", db_text(r, i, 2));
		snprintf(en, sizeof en, "Done: %s", db_text(r, i, 2));
		json_t *it = item_new(key, zh, en);
		bool done = db_int(r, i, 3) != 0;
		json_object_set_new(it, "group", json_string("lines"));
		json_object_set_new(it, "line_id", json_integer(db_int(r, i, 0)));
		json_object_set_new(it, "line_kind", json_string(db_text(r, i, 1)));
		json_object_set_new(it, "line_done", json_boolean(done));
		json_object_set_new(it, "additional", json_boolean(db_int(r, i, 4) != 0));
		if (!done)
			not_done++;
		json_array_append_new(items, it);
	}
	db_res_free(r);
	r = NULL;
	/* safety-relevant items */
	int n;
	const ck_item *s = ck_qc_safety(f.vehicle, &n);
	for (int k = 0; k < n; k++) {
		json_t *it = item_new(s[k].key, s[k].zh, s[k].en);
		json_object_set_new(it, "group", json_string("safety"));
		json_array_append_new(items, it);
	}
	/* no new damage compared with the reception sheet */
	if ((rc = reception_damage(tx, who, c->order_id, &has_reception, &marks, &raw)) != ST_OK)
		goto out;
	const ck_item *d = ck_qc_no_new_damage(has_reception);
	json_t *dmg = item_new(d->key, d->zh, d->en);
	json_object_set_new(dmg, "group", json_string("damage"));
	json_object_set(dmg, "reception_damage", marks);
	json_array_append_new(items, dmg);
	/* the last QC decision, if any (a re-inspection after rework shows why it failed) */
	if (db_query(tx,
		     "SELECT c.items_json, c.result, c.note, c.by_id, u.name, c.created_at FROM wo_checklists c "
		     "LEFT JOIN users u ON u.id = c.by_id WHERE c.tenant_id = ? AND c.order_id = ? AND c.kind = 'qc' "
		     "ORDER BY c.id DESC LIMIT 1",
		     p, 2, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if (db_rows(r)) {
		json_t *li = json_loads(db_text(r, 0, 0) ? db_text(r, 0, 0) : "[]", 0, NULL);
		last = json_pack("{s:o, s:s?, s:s?, s:{s:I, s:s?}}", "items", li ? li : json_array(), "result", db_text(r, 0, 1),
				 "note", db_text(r, 0, 2), "by", "id", (json_int_t)db_int(r, 0, 3), "name", db_text(r, 0, 4));
		json_set_time(last, "at", db_int(r, 0, 5));
	}
	c->out = json_pack("{s:I, s:s, s:O, s:b, s:o, s:I, s:{s:b, s:O, s:O}, s:O, s:O, s:O}", "order_id",
			   (json_int_t)c->order_id, "kind", "qc", "status", json_object_get(order, "status"), "vehicle",
			   f.vehicle, "items", items, "lines_not_done", (json_int_t)not_done, "reception", "exists",
			   has_reception, "damage", marks, "damages", raw, "last", last, "rework_count", json_object_get(order, "rework_count"),
			   "order_version", json_object_get(order, "version"));
	items = NULL;
out:
	db_res_free(r);
	json_decref(items);
	json_decref(marks);
	json_decref(raw);
	json_decref(last);
	json_decref(f.service);
	json_decref(order);
	return rc;
}

int store_qc_template(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ex_ctx c = {.who = who, .order_id = order_id};
	int rc = db_read(d, qc_fn, &c);
	*out = c.out;
	return rc;
}
