/*
 * assets.c — assets (设备/车辆, DOMAIN §2, issue 3 items 2 and 5): an asset belongs to one
 * customer and may move to another (asset_transfers keeps the history); mileage readings
 * that never go down unless the odometer was changed (with the reason); the facts the
 * warranty decision needs; electronic warranty registration (三包电子注册), one per serial.
 *
 * The warranty end shown is the override set on the asset (with its reason) or the
 * purchase date plus the model's months (domain/warranty.c counts the same way).
 * Scope: the tenant; a customer account sees only its own assets.
 */
#include "store/store.h"
#include "domain/perm.h"
#include "domain/warranty.h"

#include <stdlib.h>
#include <string.h>

#define AS_COLS "a.id, a.customer_id, a.model_id, a.serial, a.engine_no, a.plate, a.purchase_date, a.purchase_place, " \
		"a.invoice_no, a.install_date, a.warranty_end AS _wend, a.warranty_end_reason, a.status, a.registered_at, " \
		"a.created_at, a.updated_at, a.version, m.brand AS _brand, m.category AS _category, m.model AS _model, " \
		"m.warranty_months AS _months, c.name AS _cname"
#define AS_FROM " FROM assets a JOIN product_models m ON m.id = a.model_id JOIN customers c ON c.id = a.customer_id"

struct as_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, cursor, next, to_customer;
	int limit;
	const asset_filter *f;
	const char *reason, *fault_code;
	json_t *in, *out;
	st_info *info;
};

static int invalid(st_info *info, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

static bool is_customer(const principal *who)
{
	return who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
}

static json_t *as_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "model", json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_int(r, row, 2), "brand",
						  db_text(r, row, 17), "category", db_text(r, row, 18), "model",
						  db_text(r, row, 19)));
	json_object_set_new(o, "customer", json_pack("{s:I, s:s}", "id", (json_int_t)db_int(r, row, 1), "name",
						     db_text(r, row, 21)));
	const char *over = db_text(r, row, 10), *buy = db_text(r, row, 6);
	json_object_set_new(o, "warranty_start", buy ? json_string(buy) : json_null());
	int32_t day;
	if (over) {
		json_object_set_new(o, "warranty_end", json_string(over));
	} else if (buy && wty_day_parse(buy, &day)) {
		char s[11];
		wty_day_format(wty_add_months(day, (int)db_int(r, row, 20)), s);
		json_object_set_new(o, "warranty_end", json_string(s));
	} else {
		json_object_set_new(o, "warranty_end", json_null());
	}
	json_object_set_new(o, "warranty_end_overridden", json_boolean(over != NULL));
	json_object_set_new(o, "registered", json_boolean(!db_isnull(r, row, 13)));
	return o;
}

static void scope_sql(buf *sql, dbv *p, int *n, const principal *who)
{
	buf_puts(sql, " a.tenant_id = ?");
	p[(*n)++] = VI(who->tenant_id);
	if (is_customer(who)) {
		buf_puts(sql, " AND a.customer_id = ?");
		p[(*n)++] = VI(who->customer_id);
	}
}

static int as_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	buf sql;
	buf_init(&sql, 0);
	dbv p[4];
	int n = 0;
	buf_puts(&sql, "SELECT " AS_COLS AS_FROM " WHERE a.id = ? AND");
	p[n++] = VI(id);
	scope_sql(&sql, p, &n, who);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = as_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int finish(int rc, struct as_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

/* A live (not merged-away) customer of the tenant. */
static int customer_ok(db_tx *tx, const principal *who, int64_t id)
{
	if (is_customer(who) && id != who->customer_id)
		return ST_NOT_FOUND;
	int64_t one;
	dbv p[] = {VI(id), VI(who->tenant_id)};
	return db_query_int(tx, "SELECT 1 FROM customers WHERE id = ? AND tenant_id = ? AND merged_into IS NULL", p, 2, &one);
}

/* A serial (or VIN) names one product of its model: another asset of the tenant with this
 * model and serial → ST_CONFLICT with its id. `self`: the asset being changed, else 0. */
static int serial_free(db_tx *tx, struct as_ctx *c, int64_t model_id, const char *serial, int64_t self)
{
	int64_t other;
	dbv p[] = {VI(c->a->who->tenant_id), VI(model_id), VT(serial), VI(self)};
	int rc = db_query_int(tx, "SELECT id FROM assets WHERE tenant_id = ? AND model_id = ? AND serial = ? AND id <> ?", p,
			      4, &other);
	if (rc != ST_OK)
		return rc == ST_NOT_FOUND ? ST_OK : rc;
	c->info->existing_id = other;
	snprintf(c->info->field, sizeof c->info->field, "serial");
	snprintf(c->info->detail, sizeof c->info->detail, "an asset of this model with serial %s exists already (asset %lld)",
		 serial, (long long)other);
	return ST_CONFLICT;
}

/* A plate is not unique for ever: it passes to another vehicle once the old one is sold or
 * scrapped (or kept by its owner for the next car). So only another *active* asset of the
 * tenant with the same plate stops a create or change — most often the same vehicle typed in
 * twice — with 409 "duplicate_plate", that asset and its owner, unless the caller confirmed
 * ("confirm_duplicate": true) after seeing them. */
static int plate_free(db_tx *tx, struct as_ctx *c, const json_t *in, const char *plate, int64_t self)
{
	if (!plate || !*plate || json_is_true(json_object_get(in, "confirm_duplicate")))
		return ST_OK;
	dbv p[] = {VI(c->a->who->tenant_id), VT(plate), VI(self)};
	db_res *r;
	if (db_query(tx,
		     "SELECT a.id, a.customer_id, c.name FROM assets a JOIN customers c ON c.id = a.customer_id "
		     "WHERE a.tenant_id = ? AND a.plate = ? AND a.id <> ? AND a.status = 'active' ORDER BY a.id LIMIT 1",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	if (db_rows(r)) {
		c->info->existing_id = db_int(r, 0, 0);
		snprintf(c->info->field, sizeof c->info->field, "plate");
		snprintf(c->info->detail, sizeof c->info->detail,
			 "the plate %s is on asset %lld of customer %s: retire or change that one, or confirm the duplicate",
			 plate, (long long)db_int(r, 0, 0), db_text(r, 0, 2));
		c->info->current = json_pack("{s:s, s:I, s:s}", "code", "duplicate_plate", "existing_customer_id",
					     (json_int_t)db_int(r, 0, 1), "existing_customer_name", db_text(r, 0, 2));
		rc = ST_CONFLICT;
	}
	db_res_free(r);
	return rc;
}

/* Insert an asset from a checked body; sets *id. Unknown customer/model → ST_INVALID, a
 * serial of the same model → ST_CONFLICT with the existing asset. */
static int asset_insert(db_tx *tx, struct as_ctx *c, json_t *in, int64_t customer_id, int64_t *id)
{
	const principal *who = c->a->who;
	int rc = customer_ok(tx, who, customer_id);
	if (rc != ST_OK)
		return rc == ST_NOT_FOUND ? invalid(c->info, "customer_id", "customer not found") : rc;
	int64_t model_id = json_integer_value(json_object_get(in, "model_id")), one;
	dbv pm[] = {VI(model_id), VI(who->tenant_id)};
	rc = db_query_int(tx, "SELECT 1 FROM product_models WHERE id = ? AND tenant_id = ?", pm, 2, &one);
	if (rc != ST_OK)
		return rc == ST_NOT_FOUND ? invalid(c->info, "model_id", "unknown product model") : rc;
	if ((rc = serial_free(tx, c, model_id, jstr(in, "serial"), 0)) != ST_OK)
		return rc;
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id),
		   VI(customer_id),
		   VI(model_id),
		   VT(jstr(in, "serial")),
		   VT(jstr(in, "engine_no")),
		   VT(jstr(in, "plate")),
		   VT(jstr(in, "purchase_date")),
		   VT(jstr(in, "purchase_place")),
		   VT(jstr(in, "invoice_no")),
		   VT(jstr(in, "install_date")),
		   VT(jstr(in, "warranty_end")),
		   VT(jstr(in, "warranty_end_reason")),
		   VT(jstr(in, "status") ? jstr(in, "status") : "active"),
		   VI(now),
		   VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO assets(tenant_id, customer_id, model_id, serial, engine_no, plate, purchase_date, "
			 "purchase_place, invoice_no, install_date, warranty_end, warranty_end_reason, status, created_at, "
			 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 15, id) != ST_OK)
		return ST_DB;
	return maint_due_update_tx(tx, who->tenant_id, *id);
}

static int create_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	const char *status = jstr(c->in, "status");
	int rc = asset_insert(tx, c, c->in, json_integer_value(json_object_get(c->in, "customer_id")), &c->id);
	if (rc == ST_OK && (!status || !strcmp(status, "active")))
		rc = plate_free(tx, c, c->in, jstr(c->in, "plate"), c->id); /* after the 400s and the serial's 409 */
	if (rc == ST_OK)
		rc = as_load(tx, c->a->who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "asset", c->id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/assets/%lld", (long long)c->id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_asset_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct as_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, create_fn, &c), &c, out);
}

static int get_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	return as_load(tx, c->who, c->id, &c->out);
}

int store_asset_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct as_ctx c = {.who = who, .id = id};
	return finish(db_read(d, get_fn, &c), &c, out);
}

static int load_for_write(db_tx *tx, struct as_ctx *c, json_t **before)
{
	int rc = as_load(tx, c->a->who, c->id, before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(*before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		return ST_STALE;
	}
	return ST_OK;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *m = NULL;
	int rc = load_for_write(tx, c, &before);
	if (rc != ST_OK)
		goto out;
	m = json_deep_copy(before);
	/* warranty_end as stored is the override only, not the derived end shown */
	if (!json_is_true(json_object_get(before, "warranty_end_overridden")))
		json_object_set_new(m, "warranty_end", json_null());
	json_object_update(m, c->in);
	const char *buy = jstr(m, "purchase_date"), *inst = jstr(m, "install_date");
	if (buy && inst && strcmp(inst, buy) < 0) {
		rc = invalid(c->info, "install_date", "install_date may not be before purchase_date");
		goto out;
	}
	/* a new serial, or a plate the asset did not have while active (new, or back in use) */
	const char *serial = jstr(m, "serial"), *plate = jstr(m, "plate");
	if (strcmp(serial, jstr(before, "serial")) &&
	    (rc = serial_free(tx, c, json_integer_value(json_object_get(before, "model_id")), serial, c->id)) != ST_OK)
		goto out;
	bool kept = jstr(before, "plate") && !strcmp(jstr(before, "plate"), plate ? plate : "") &&
		    !strcmp(jstr(before, "status"), "active");
	if (!strcmp(jstr(m, "status"), "active") && !kept && (rc = plate_free(tx, c, c->in, plate, c->id)) != ST_OK)
		goto out;
	dbv p[] = {VT(jstr(m, "serial")), VT(jstr(m, "engine_no")), VT(jstr(m, "plate")), VT(buy),
		   VT(jstr(m, "purchase_place")), VT(jstr(m, "invoice_no")), VT(inst), VT(jstr(m, "warranty_end")),
		   VT(jstr(m, "warranty_end_reason")), VT(jstr(m, "status")), VI(now_ms()), VI(c->id),
		   VI(json_integer_value(json_object_get(before, "version")))};
	int e = db_exec(tx,
			"UPDATE assets SET serial = ?, engine_no = ?, plate = ?, purchase_date = ?, purchase_place = ?, "
			"invoice_no = ?, install_date = ?, warranty_end = ?, warranty_end_reason = ?, status = ?, updated_at = ?, "
			"version = version + 1 WHERE id = ? AND version = ?",
			p, 13);
	if (e == DB_UNIQUE) {
		snprintf(c->info->field, sizeof c->info->field, "serial");
		snprintf(c->info->detail, sizeof c->info->detail, "an asset of this model with that serial exists already");
		rc = ST_CONFLICT;
		goto out;
	}
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK)
		rc = maint_due_update_tx(tx, who->tenant_id, c->id);
	if (rc == ST_OK)
		rc = as_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "asset", c->id, before, c->out);
out:
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_asset_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct as_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

static int list_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	const asset_filter *f = c->f;
	buf sql;
	buf_init(&sql, 0);
	dbv p[12];
	int n = 0;
	buf_puts(&sql, "SELECT " AS_COLS AS_FROM " WHERE");
	scope_sql(&sql, p, &n, c->who);
	if (f->customer_id) {
		buf_puts(&sql, " AND a.customer_id = ?");
		p[n++] = VI(f->customer_id);
	}
	if (f->model_id) {
		buf_puts(&sql, " AND a.model_id = ?");
		p[n++] = VI(f->model_id);
	}
	if (f->serial) {
		buf_puts(&sql, " AND a.serial = ?");
		p[n++] = VT(f->serial);
	}
	if (f->plate) {
		buf_puts(&sql, " AND a.plate = ?");
		p[n++] = VT(f->plate);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND a.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY a.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, as_json, &c->out, &c->next);
	buf_free(&sql);
	return listed;
}

int store_asset_list(db *d, const principal *who, const asset_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next)
{
	struct as_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}

static int transfer_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = load_for_write(tx, c, &before);
	if (rc != ST_OK)
		goto out;
	int64_t from = json_integer_value(json_object_get(before, "customer_id"));
	if (from == c->to_customer) {
		rc = invalid(c->info, "to_customer_id", "the asset already belongs to this customer");
		goto out;
	}
	if ((rc = customer_ok(tx, who, c->to_customer)) != ST_OK) {
		if (rc == ST_NOT_FOUND)
			rc = invalid(c->info, "to_customer_id", "customer not found");
		goto out;
	}
	int64_t now = now_ms();
	dbv pt[] = {VI(who->tenant_id), VI(c->id), VI(from), VI(c->to_customer), VT(c->reason),
		    who->user_id ? VI(who->user_id) : VN, VI(now)};
	dbv pu[] = {VI(c->to_customer), VI(now), VI(c->id), VI(json_integer_value(json_object_get(before, "version")))};
	if (db_exec(tx, "UPDATE assets SET customer_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
		    pu, 4) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if (db_changes(tx) == 0) {
		rc = ST_STALE; /* changed since it was read */
		goto out;
	}
	if (db_exec(tx,
		    "INSERT INTO asset_transfers(tenant_id, asset_id, from_customer_id, to_customer_id, reason, actor_id, at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)",
		    pt, 7) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	/* the new owner's organisation for the due list */
	if ((rc = maint_due_update_tx(tx, who->tenant_id, c->id)) != ST_OK)
		goto out;
	if ((rc = as_load(tx, who, c->id, &c->out)) == ST_OK)
		rc = audit_add(tx, c->a, "transfer", "asset", c->id, before, c->out);
out:
	json_decref(before);
	return rc;
}

int store_asset_transfer(db *d, const actor *a, int64_t id, int64_t if_match, int64_t to_customer, const char *reason,
			 json_t **out, st_info *info)
{
	struct as_ctx c = {.a = a, .id = id, .if_match = if_match, .to_customer = to_customer, .reason = reason,
			   .info = info};
	return finish(db_write(d, transfer_fn, &c), &c, out);
}

static int transfers_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	json_t *asset = NULL;
	int rc = as_load(tx, c->who, c->id, &asset);
	json_decref(asset);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT t.id, t.from_customer_id, f.name AS from_name, t.to_customer_id, n.name AS to_name, t.reason, "
		     "t.actor_id, t.at FROM asset_transfers t JOIN customers f ON f.id = t.from_customer_id JOIN customers n "
		     "ON n.id = t.to_customer_id WHERE t.tenant_id = ? AND t.asset_id = ? ORDER BY t.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(c->out, row_json(r, i));
	db_res_free(r);
	return ST_OK;
}

int store_asset_transfers(db *d, const principal *who, int64_t id, json_t **items)
{
	struct as_ctx c = {.who = who, .id = id};
	return finish(db_read(d, transfers_fn, &c), &c, items);
}

static json_t *reading_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "km", json_integer(db_int(r, row, 2)));
	json_object_set_new(o, "odometer_change", json_boolean(db_int(r, row, 3) != 0));
	return o;
}

#define RD_COLS "id, read_on AS date, km, odometer_change, reason, actor_id, created_at"

/* Add a reading inside the caller's transaction (also used by the car reception, wo_lines.c):
 * never lower than the last one unless it is an odometer change (with its reason), never before
 * the purchase. *out is the reading on ST_OK, NULL otherwise. */
int asset_reading_add_tx(db_tx *tx, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info)
{
	const principal *who = a->who;
	json_t *asset = NULL;
	*out = NULL;
	int rc = as_load(tx, who, id, &asset);
	if (rc != ST_OK)
		return rc;
	int64_t km = json_integer_value(json_object_get(in, "km")), last = -1;
	bool change = json_is_true(json_object_get(in, "odometer_change"));
	const char *date = jstr(in, "date"), *buy = jstr(asset, "purchase_date");
	if (buy && strcmp(date, buy) < 0) {
		json_decref(asset);
		return invalid(info, "date", "a reading cannot be before the purchase date");
	}
	json_decref(asset);
	dbv pl[] = {VI(who->tenant_id), VI(id)};
	rc = db_query_int(tx, "SELECT km FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id DESC LIMIT 1",
			  pl, 2, &last);
	if (rc == ST_DB)
		return rc;
	if (rc == ST_OK && km < last && !change) {
		char d[160];
		snprintf(d, sizeof d, "the mileage %lld km is lower than the last reading (%lld km); mark it as an odometer "
			 "change with a reason", (long long)km, (long long)last);
		return invalid(info, "km", d);
	}
	dbv p[] = {VI(who->tenant_id), VI(id), VT(date), VI(km), VI(change ? 1 : 0), VT(jstr(in, "reason")),
		   who->user_id ? VI(who->user_id) : VN, VI(now_ms())};
	int64_t rid;
	if (db_query_int(tx,
			 "INSERT INTO asset_readings(tenant_id, asset_id, read_on, km, odometer_change, reason, actor_id, "
			 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 8, &rid) != ST_OK)
		return ST_DB;
	/* a new reading changes the km/day estimate, so the next service's day */
	if ((rc = maint_due_update_tx(tx, who->tenant_id, id)) != ST_OK)
		return rc;
	dbv pr[] = {VI(rid)};
	db_res *r;
	if (db_query(tx, "SELECT " RD_COLS " FROM asset_readings WHERE id = ?", pr, 1, &r) != DB_OK)
		return ST_DB;
	json_t *o = reading_json(r, 0);
	db_res_free(r);
	json_t *after = json_pack("{s:O, s:I}", "reading", o, "asset_id", (json_int_t)id);
	rc = audit_add(tx, a, "reading", "asset", id, NULL, after);
	json_decref(after);
	if (rc != ST_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return ST_OK;
}

static int reading_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	int rc = asset_reading_add_tx(tx, c->a, c->id, c->in, &c->out, c->info);
	if (rc == ST_OK) {
		char loc[80];
		snprintf(loc, sizeof loc, "/api/v1/assets/%lld/readings", (long long)c->id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_asset_reading_add(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info)
{
	struct as_ctx c = {.a = a, .id = id, .in = in, .info = info};
	return finish(db_write(d, reading_fn, &c), &c, out);
}

static int readings_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	json_t *asset = NULL;
	int rc = as_load(tx, c->who, c->id, &asset);
	json_decref(asset);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx, "SELECT " RD_COLS " FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id", p, 2,
		     &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(c->out, reading_json(r, i));
	db_res_free(r);
	return ST_OK;
}

int store_asset_readings(db *d, const principal *who, int64_t id, json_t **items)
{
	struct as_ctx c = {.who = who, .id = id};
	return finish(db_read(d, readings_fn, &c), &c, items);
}

/* The facts of the warranty decision inside the caller's transaction (also used to default the pay
 * type of work-order lines, wo_lines.c). */
int asset_warranty_facts_tx(db_tx *tx, const principal *who, int64_t id, const char *fault_code, json_t **out)
{
	struct as_ctx cc = {.who = who, .id = id, .fault_code = fault_code}, *c = &cc;
	*out = NULL;
	json_t *asset = NULL;
	int rc = as_load(tx, c->who, c->id, &asset);
	if (rc != ST_OK)
		return rc;
	json_t *model = NULL;
	rc = store_model_get_tx(tx, c->who, json_integer_value(json_object_get(asset, "model_id")), &model);
	if (rc != ST_OK) {
		json_decref(asset);
		return rc;
	}
	int64_t prior = 0, last_km = -1;
	if (c->fault_code) {
		/* Repairs of the same fault finished on this asset (三包: the third failure → exchange). */
		dbv p[] = {VI(c->who->tenant_id), VI(c->id), VT(c->fault_code)};
		if (db_query_int(tx,
				 "SELECT count(*) FROM work_orders WHERE tenant_id = ? AND asset_id = ? AND fault_code = ? AND "
				 "type = 'repair' AND status IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up')",
				 p, 3, &prior) != ST_OK) {
			json_decref(asset);
			json_decref(model);
			return ST_DB;
		}
	}
	dbv pl[] = {VI(c->who->tenant_id), VI(c->id)};
	rc = db_query_int(tx, "SELECT km FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id DESC LIMIT 1",
			  pl, 2, &last_km);
	if (rc == ST_DB) {
		json_decref(asset);
		json_decref(model);
		return rc;
	}
	*out = json_pack("{s:o, s:o, s:I, s:I}", "asset", asset, "policy", model, "prior_repairs", (json_int_t)prior,
			 "last_km", (json_int_t)last_km);
	return ST_OK;
}

static int facts_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	return asset_warranty_facts_tx(tx, c->who, c->id, c->fault_code, &c->out);
}

int store_asset_warranty_facts(db *d, const principal *who, int64_t id, const char *fault_code, json_t **out)
{
	struct as_ctx c = {.who = who, .id = id, .fault_code = fault_code};
	return finish(db_read(d, facts_fn, &c), &c, out);
}

static int64_t jint(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int asset_warranty_decide(json_t *facts, int32_t fail_day, int fault, int64_t mileage, bool exchange_possible,
			  struct wty_decision *d)
{
	json_t *asset = json_object_get(facts, "asset"), *pol = json_object_get(facts, "policy");
	int32_t buy;
	if (!jstr(asset, "purchase_date") || !wty_day_parse(jstr(asset, "purchase_date"), &buy))
		return -1;
	wty_policy p = {.refund_days = (int)jint(pol, "refund_days", 7),
			.exchange_days = (int)jint(pol, "exchange_days", 15),
			.warranty_months = (int)jint(pol, "warranty_months", 12),
			.warranty_km = jint(pol, "warranty_km", 0),
			.repairs_before_exchange = (int)jint(pol, "repairs_before_exchange", 2)};
	wty_input in = {.purchase_day = buy, .failure_day = fail_day, .fault = fault,
			.mileage = mileage >= 0 ? mileage : jint(facts, "last_km", -1),
			.prior_repairs_same_fault = (int)jint(facts, "prior_repairs", 0),
			.exchange_possible = exchange_possible};
	int32_t end;
	if (json_is_true(json_object_get(asset, "warranty_end_overridden")) && wty_day_parse(jstr(asset, "warranty_end"), &end))
		in.end_override = end;
	return wty_decide(&p, &in, d);
}

/* --- electronic warranty registration --- */

#define WR_COLS "r.id, r.serial, r.asset_id, r.customer_id, r.model_id, r.purchase_date, r.channel, r.created_by, " \
		"r.created_at"

static int reg_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	const char *serial = jstr(in, "serial");
	int64_t existing, cid = json_integer_value(json_object_get(in, "customer_id"));
	dbv ps[] = {VI(who->tenant_id), VT(serial)};
	int rc = db_query_int(tx, "SELECT id FROM warranty_registrations WHERE tenant_id = ? AND serial = ?", ps, 2, &existing);
	if (rc == ST_OK) {
		c->info->existing_id = existing;
		snprintf(c->info->field, sizeof c->info->field, "serial");
		snprintf(c->info->detail, sizeof c->info->detail,
			 "the serial %s is already registered (registration %lld); a product is registered once", serial,
			 (long long)existing);
		return ST_CONFLICT;
	}
	if (rc != ST_NOT_FOUND)
		return rc;
	if (is_customer(who))
		cid = who->customer_id;
	/* The asset: the one of this model and serial if it exists, else a new one. */
	int64_t asset_id = 0;
	dbv pa[] = {VI(who->tenant_id), VI(json_integer_value(json_object_get(in, "model_id"))), VT(serial)};
	rc = db_query_int(tx, "SELECT id FROM assets WHERE tenant_id = ? AND model_id = ? AND serial = ?", pa, 3, &asset_id);
	if (rc == ST_DB)
		return rc;
	if (rc == ST_OK) {
		dbv pu[] = {VT(jstr(in, "purchase_date")), VT(jstr(in, "invoice_no")), VT(jstr(in, "purchase_place")),
			    VI(now_ms()), VI(asset_id)};
		if (db_exec(tx,
			    "UPDATE assets SET purchase_date = ?, invoice_no = COALESCE(?, invoice_no), "
			    "purchase_place = COALESCE(?, purchase_place), registered_at = ?, version = version + 1 WHERE id = ?",
			    pu, 5) != DB_OK)
			return ST_DB;
		dbv pc[] = {VI(asset_id)};
		if (db_query_int(tx, "SELECT customer_id FROM assets WHERE id = ?", pc, 1, &cid) != ST_OK)
			return ST_DB;
		if ((rc = maint_due_update_tx(tx, who->tenant_id, asset_id)) != ST_OK)
			return rc;
	} else {
		if ((rc = asset_insert(tx, c, in, cid, &asset_id)) != ST_OK)
			return rc;
		dbv pu[] = {VI(now_ms()), VI(asset_id)};
		if (db_exec(tx, "UPDATE assets SET registered_at = ? WHERE id = ?", pu, 2) != DB_OK)
			return ST_DB;
	}
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id), VT(serial), VI(asset_id), VI(cid),
		   VI(json_integer_value(json_object_get(in, "model_id"))), VT(jstr(in, "purchase_date")),
		   VT(jstr(in, "channel") ? jstr(in, "channel") : "api"), who->user_id ? VI(who->user_id) : VN, VI(now)};
	int e = db_query_int(tx,
			     "INSERT INTO warranty_registrations(tenant_id, serial, asset_id, customer_id, model_id, purchase_date, "
			     "channel, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			     p, 9, &c->id);
	if (e != ST_OK)
		return ST_DB;
	dbv pr[] = {VI(c->id)};
	db_res *r;
	if (db_query(tx, "SELECT " WR_COLS " FROM warranty_registrations r WHERE r.id = ?", pr, 1, &r) != DB_OK)
		return ST_DB;
	c->out = row_json(r, 0);
	db_res_free(r);
	json_t *asset = NULL;
	if ((rc = as_load(tx, who, asset_id, &asset)) != ST_OK)
		return rc;
	json_object_set_new(c->out, "asset", asset);
	if ((rc = audit_add(tx, c->a, "create", "warranty_registration", c->id, NULL, c->out)) != ST_OK)
		return rc;
	char loc[80];
	snprintf(loc, sizeof loc, "/api/v1/warranty-registrations/%lld", (long long)c->id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

int store_registration_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct as_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, reg_fn, &c), &c, out);
}

static int reg_list_fn(db_tx *tx, void *arg)
{
	struct as_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[4];
	int n = 0;
	buf_puts(&sql, "SELECT " WR_COLS " FROM warranty_registrations r WHERE r.tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (is_customer(c->who)) {
		buf_puts(&sql, " AND r.customer_id = ?");
		p[n++] = VI(c->who->customer_id);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND r.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY r.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return listed;
}

int store_registration_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next)
{
	struct as_ctx c = {.who = who, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, reg_list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}

/* --- import (issue 3 item 9) ----------------------------------------------------------- */

/* Rows (checked bodies with "customer_phone" normalised and "model" {"brand","model"}) in one
 * transaction: an unknown customer phone or model, a serial of that model already present,
 * registered (三包) or twice in the file → a row error, and nothing is kept. A dry run does
 * the same work and always rolls back. */
struct as_import {
	struct as_ctx c;
	json_t *rows, *lines, *errors, *ids;
	bool dry_run;
};

static void import_error(struct as_import *m, size_t i, const char *column, const char *code, const char *reason,
			 int64_t existing)
{
	json_t *e = json_pack("{s:O, s:s, s:s, s:s}", "row", json_array_get(m->lines, i), "column", column, "code", code,
			      "reason", reason);
	if (existing)
		json_object_set_new(e, "existing_id", json_integer(existing));
	json_array_append_new(m->errors, e);
}

static int asset_import_fn(db_tx *tx, void *arg)
{
	struct as_import *m = arg;
	const principal *who = m->c.a->who;
	size_t i;
	json_t *row;
	json_array_foreach(m->rows, i, row) {
		char why[200];
		int64_t cid = 0, mid = 0, reg = 0;
		json_t *model = json_object_get(row, "model");
		dbv pc[] = {VI(who->tenant_id), VT(jstr(row, "customer_phone"))};
		int rc = db_query_int(tx, "SELECT customer_id FROM customer_phones WHERE tenant_id = ? AND phone = ?", pc, 2, &cid);
		if (rc == ST_DB)
			return rc;
		if (rc == ST_NOT_FOUND) {
			snprintf(why, sizeof why, "no customer has the phone %s", jstr(row, "customer_phone"));
			import_error(m, i, "customer_phone", "customer_unknown", why, 0);
		}
		dbv pm[] = {VI(who->tenant_id), VT(jstr(model, "brand")), VT(jstr(model, "model"))};
		int mrc = db_query_int(tx, "SELECT id FROM product_models WHERE tenant_id = ? AND brand = ? AND model = ?", pm, 3,
				       &mid);
		if (mrc == ST_DB)
			return mrc;
		if (mrc == ST_NOT_FOUND) {
			snprintf(why, sizeof why, "unknown product model %s %s", jstr(model, "brand"), jstr(model, "model"));
			import_error(m, i, "model", "model_unknown", why, 0);
		}
		dbv pr[] = {VI(who->tenant_id), VT(jstr(row, "serial"))};
		int rrc = db_query_int(tx, "SELECT id FROM warranty_registrations WHERE tenant_id = ? AND serial = ?", pr, 2, &reg);
		if (rrc == ST_DB)
			return rrc;
		if (rrc == ST_OK) {
			snprintf(why, sizeof why, "the serial %s is already registered (registration %lld)", jstr(row, "serial"),
				 (long long)reg);
			import_error(m, i, "serial", "serial_registered", why, reg);
		}
		if (rc != ST_OK || mrc != ST_OK || rrc == ST_OK)
			continue;
		json_object_set_new(row, "model_id", json_integer(mid));
		st_info info = {0};
		m->c.info = &info;
		int64_t id = 0;
		rc = asset_insert(tx, &m->c, row, cid, &id);
		json_object_del(row, "model_id");
		if (rc == ST_CONFLICT || rc == ST_INVALID) {
			import_error(m, i, rc == ST_CONFLICT ? "serial" : info.field, rc == ST_CONFLICT ? "serial_taken" : "invalid",
				     info.detail, info.existing_id);
			continue;
		}
		if (rc != ST_OK)
			return rc;
		json_t *after = json_deep_copy(row);
		json_object_set_new(after, "id", json_integer(id));
		json_object_set_new(after, "customer_id", json_integer(cid));
		rc = audit_add(tx, m->c.a, "import", "asset", id, NULL, after);
		json_decref(after);
		if (rc != ST_OK)
			return rc;
		json_array_append_new(m->ids, json_integer(id));
	}
	return json_array_size(m->errors) || m->dry_run ? ST_CONFLICT : ST_OK; /* conflict: roll back */
}

int store_asset_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		       json_t **ids)
{
	struct as_import m = {.c = {.a = a}, .rows = rows, .lines = lines, .errors = json_array(), .ids = json_array(),
			      .dry_run = dry_run};
	int rc = db_write(d, asset_import_fn, &m);
	if (rc == ST_CONFLICT && (dry_run || json_array_size(m.errors)))
		rc = ST_OK;
	if (rc != ST_OK || dry_run || json_array_size(m.errors))
		json_array_clear(m.ids);
	*errors = m.errors;
	*ids = m.ids;
	return rc;
}
