/*
 * billing.c — settlement and delivery of a work order (DOMAIN §3 结算 → 交付/确认, issue 4
 * item 9): the bill built from the actual lines, discounts within the caller's role limit,
 * payments and refunds, credit notes, voiding, the delivery record and the customer's
 * confirmation with a 1–5 rating.
 *
 * Money rules, written once here:
 *   - the customer pays the self-pay lines only; warranty (三包), claim and insurance lines are
 *     billed at zero to the customer and summed in warranty_fen / claim_fen / insurance_fen
 *     (recorded for the manufacturer claim, DOMAIN §8);
 *   - total = labour + parts + fees (self-pay) − discount; balance = total − paid + refunded;
 *     a bill is `paid` when its balance is 0 and `open` otherwise; a credit note has a negative
 *     total and is settled by refunding it;
 *   - a payment above the balance, or a refund above what was paid (net), is refused and
 *     nothing is written: the guard is the UPDATE itself (… WHERE balance >= amount), so two
 *     payments racing for the last yuan cannot both pass on either engine.
 *
 * Locking: every write locks the order's row first (order_lock_tx: FOR UPDATE on PostgreSQL,
 * then wo_lock_tx: scope, If-Match) and bumps its version, then reads and changes the bill; a
 * transition racing with it (settle reading the balance) fails its own `version = ?` update
 * and is refused as stale rather than acting on a balance that changed. Every write has its audit row and a timeline row
 * (payment, refund, bill, credit_note: public) in the same transaction.
 */
#include "store/store.h"
#include "domain/maint.h"
#include "domain/perm.h"
#include "domain/pricing.h"
#include "domain/warranty.h"

#include <stdlib.h>
#include <string.h>

#define BILL_COLS                                                                                                 \
	"b.id, b.order_id, b.number, b.kind, b.credit_of, b.state, b.labour_fen, b.parts_fen, b.fees_fen, "        \
	"b.warranty_fen, b.claim_fen, b.insurance_fen, b.discount_fen, b.discount_reason, b.total_fen, b.paid_fen, " \
	"b.refunded_fen, b.lines_json, b.reason, b.void_reason, b.voided_at, b.voided_by, b.created_by, "          \
	"(SELECT name FROM users WHERE id = b.created_by) AS created_by_name, b.created_at, b.updated_at, b.version"

#define PAY_COLS                                                                                                  \
	"p.id, p.bill_id, p.order_id, p.kind, p.method, p.amount_fen, p.reference, p.reason, p.actor_id, "          \
	"(SELECT name FROM users WHERE id = p.actor_id) AS actor_name, p.at"

struct bl_ctx {
	const actor *a;
	const principal *who;
	int64_t id, if_match;
	const char *kind;   /* payment | refund */
	const char *reason; /* void */
	json_t *in, *out;
	st_info *info;
};

/* The facts of one bill row a write looks at. */
struct bill_row {
	int64_t id, order_id, credit_of, labour, parts, fees, discount, total, paid, refunded, version;
	char kind[12], state[12], number[40];
};

static int fail(st_info *info, int rc, const char *field, const char *fmt, const char *a, const char *b)
{
	if (info) {
		snprintf(info->field, sizeof info->field, "%s", field ? field : "");
		snprintf(info->detail, sizeof info->detail, fmt, a ? a : "", b ? b : "");
	}
	return rc;
}

static void yuan(int64_t fen, char out[24])
{
	price_format(fen, out);
}

static json_t *bill_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	/* credit_of is an id although its name does not say so */
	json_object_set_new(o, "credit_of", db_isnull(r, row, 4) ? json_null() : json_integer(db_int(r, row, 4)));
	int64_t sub = db_int(r, row, 6) + db_int(r, row, 7) + db_int(r, row, 8);
	json_object_set_new(o, "subtotal_fen", json_integer(sub));
	int64_t bal = db_int(r, row, 14) - db_int(r, row, 15) + db_int(r, row, 16);
	json_object_set_new(o, "balance_fen", json_integer(bal));
	return o;
}

/* The payments of a bill, oldest first. */
static int payments_tx(db_tx *tx, int64_t tenant_id, int64_t bill_id, json_t **items)
{
	dbv p[] = {VI(tenant_id), VI(bill_id)};
	db_res *r;
	if (db_query(tx, "SELECT " PAY_COLS " FROM payments p WHERE p.tenant_id = ? AND p.bill_id = ? ORDER BY p.id", p, 2,
		     &r) != DB_OK)
		return ST_DB;
	*items = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(*items, row_json(r, i));
	db_res_free(r);
	return ST_OK;
}

/* One bill with its payments (no scope check: callers check the order). */
static int bill_load_tx(db_tx *tx, int64_t tenant_id, int64_t id, json_t **out)
{
	dbv p[] = {VI(tenant_id), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " BILL_COLS " FROM bills b WHERE b.tenant_id = ? AND b.id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	json_t *o = bill_json(r, 0);
	db_res_free(r);
	json_t *pays = NULL;
	int rc = payments_tx(tx, tenant_id, id, &pays);
	if (rc != ST_OK) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "payments", pays);
	*out = o;
	return ST_OK;
}

static int bill_row_tx(db_tx *tx, int64_t tenant_id, int64_t id, struct bill_row *b)
{
	dbv p[] = {VI(tenant_id), VI(id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, order_id, credit_of, labour_fen, parts_fen, fees_fen, discount_fen, total_fen, paid_fen, "
		     "refunded_fen, version, kind, state, number FROM bills WHERE tenant_id = ? AND id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	int64_t *f[] = {&b->id,	   &b->order_id, &b->credit_of, &b->labour, &b->parts,   &b->fees,
			&b->discount, &b->total,    &b->paid,	   &b->refunded, &b->version};
	for (int c = 0; c < 11; c++)
		*f[c] = db_int(r, 0, c);
	snprintf(b->kind, sizeof b->kind, "%s", db_text(r, 0, 11));
	snprintf(b->state, sizeof b->state, "%s", db_text(r, 0, 12));
	snprintf(b->number, sizeof b->number, "%s", db_text(r, 0, 13));
	db_res_free(r);
	return ST_OK;
}

/* Lock the order's row for this transaction before reading anything of it (PostgreSQL: FOR
 * UPDATE, so concurrent payments, rebuilds and transitions of one order take turns and each
 * reads what the one before committed; SQLite has one writer already), then check it
 * (wo_lock_tx: scope, If-Match) and fill its status. */
static int order_lock_tx(db_tx *tx, const principal *who, int64_t id, int64_t if_match, st_info *info, char *status,
			 size_t len)
{
	if (db_tx_kind(tx) == DB_PG) {
		dbv p[] = {VI(who->tenant_id), VI(id)};
		db_res *r;
		if (db_query(tx, "SELECT id FROM work_orders WHERE tenant_id = ? AND id = ? FOR UPDATE", p, 2, &r) != DB_OK)
			return ST_DB;
		db_res_free(r);
	}
	return wo_lock_tx(tx, who, id, if_match, info, status, len);
}

/* Find a bill, lock its order (scope: a bill outside the caller's scope is not found), then
 * read the bill again under the lock; the order's version is bumped (the bill is part of it). */
static int bill_lock_tx(db_tx *tx, const principal *who, int64_t id, struct bill_row *b, char *status, size_t len,
			st_info *info)
{
	int rc = bill_row_tx(tx, who->tenant_id, id, b);
	if (rc != ST_OK)
		return rc;
	rc = order_lock_tx(tx, who, b->order_id, 0, info, status, len);
	if (rc == ST_OK)
		rc = wo_touch_tx(tx, b->order_id);
	if (rc != ST_OK)
		return rc;
	return bill_row_tx(tx, who->tenant_id, id, b);
}

/* Next number of a kind of bill: PREFIX + the tenant's day + a 5-digit counter per day
 * (BL20261123-00001), from the counters table inside this transaction (no gaps). */
int bill_number_at(db_tx *tx, const principal *who, const char *prefix, int64_t at_ms, char out[40])
{
	char day[9], counter[24];
	ymd_compact(at_ms, who->tz_offset_min, day);
	snprintf(counter, sizeof counter, "%s:%s", prefix, day);
	int64_t seq;
	dbv p[] = {VI(who->tenant_id), VT(counter)};
	if (db_query_int(tx,
			 "INSERT INTO counters(tenant_id, name, value) VALUES (?, ?, 1) "
			 "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
			 p, 2, &seq) != ST_OK)
		return ST_DB;
	snprintf(out, 40, "%s%s-%05lld", prefix, day, (long long)seq);
	return ST_OK;
}

static void bill_event_data(json_t *d, const json_t *bill)
{
	json_object_set(d, "bill_id", json_object_get(bill, "id"));
	json_object_set(d, "number", json_object_get(bill, "number"));
}

/* What a bill was built from, to tell when the actual lines changed after it: "id:kind:pay:amount;"
 * per line, in id order. */
static void line_sig(buf *b, json_int_t id, const char *kind, const char *pay, json_int_t amount)
{
	buf_printf(b, "%lld:%s:%s:%lld;", (long long)id, kind ? kind : "", pay ? pay : "", (long long)amount);
}

static char *bill_lines_sig(json_t *lines)
{
	buf b;
	buf_init(&b, 0);
	buf_puts(&b, "");
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
		line_sig(&b, json_integer_value(json_object_get(l, "id")), jstr(l, "kind"), jstr(l, "pay_type"),
			 json_integer_value(json_object_get(l, "amount_fen")));
	return buf_steal(&b);
}

/* Have the order's actual lines changed since this bill (a JSON bill) was built? */
int bill_lines_changed_tx(db_tx *tx, int64_t tenant_id, json_t *bill, bool *changed)
{
	dbv p[] = {VI(tenant_id), VI(json_integer_value(json_object_get(bill, "order_id")))};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, kind, pay_type, amount_fen FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND "
		     "stage = 'actual' ORDER BY id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	buf now;
	buf_init(&now, 0);
	buf_puts(&now, "");
	for (int i = 0; i < db_rows(r); i++)
		line_sig(&now, db_int(r, i, 0), db_text(r, i, 1), db_text(r, i, 2), db_int(r, i, 3));
	db_res_free(r);
	char *then = bill_lines_sig(json_object_get(bill, "lines"));
	*changed = strcmp(then, now.data) != 0;
	free(then);
	buf_free(&now);
	return ST_OK;
}

/* --- build ---------------------------------------------------------------------------- */

static int void_unpaid_tx(db_tx *tx, struct bl_ctx *c, int64_t order_id)
{
	const principal *who = c->a->who;
	dbv p[] = {VI(who->tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, number, paid_fen, refunded_fen FROM bills WHERE tenant_id = ? AND order_id = ? AND "
		     "kind = 'bill' AND state <> 'void' ORDER BY id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++)
		if (db_int(r, i, 2) > 0)
			rc = fail(c->info, ST_CONFLICT, "bill",
				  "bill %s has payments: its lines are frozen; refund the payments and have a manager void it "
				  "with a reason before building a new bill%s",
				  db_text(r, i, 1), "");
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		int64_t id = db_int(r, i, 0);
		json_t *before = NULL, *after = NULL;
		if ((rc = bill_load_tx(tx, who->tenant_id, id, &before)) != ST_OK)
			break;
		int64_t now = now_ms();
		dbv pu[] = {VI(now), who->user_id ? VI(who->user_id) : VN, VI(now), VI(id)};
		if (db_exec(tx,
			    "UPDATE bills SET state = 'void', void_reason = 'rebuilt from the actual lines', voided_at = ?, "
			    "voided_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
			    pu, 4) != DB_OK)
			rc = ST_DB;
		if (rc == ST_OK)
			rc = bill_load_tx(tx, who->tenant_id, id, &after);
		if (rc == ST_OK)
			rc = audit_add(tx, c->a, "void", "bill", id, before, after);
		json_decref(before);
		json_decref(after);
	}
	db_res_free(r);
	return rc;
}

/* Sums of the actual lines; `lines` gets them as billed. */
struct sums {
	int64_t labour, parts, fees, warranty, claim, insurance;
};

static int lines_sum_tx(db_tx *tx, struct bl_ctx *c, int64_t order_id, struct sums *s, json_t **lines)
{
	dbv p[] = {VI(c->a->who->tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, kind, code, name, hours_x100, rate_fen, coefficient_milli, qty_milli, unit_price_fen, "
		     "amount_fen, pay_type, additional FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual' "
		     "ORDER BY id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	*lines = json_array();
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r); i++) {
		json_t *l = row_json(r, i);
		const char *kind = db_text(r, i, 1), *pay = db_text(r, i, 10);
		int64_t amt = db_int(r, i, 9);
		bool self = pay && !strcmp(pay, "self_pay");
		json_object_set_new(l, "customer_fen", json_integer(self ? amt : 0));
		json_array_append_new(*lines, l);
		int64_t *into = NULL;
		if (self)
			into = !strcmp(kind, "labour") ? &s->labour : !strcmp(kind, "part") ? &s->parts : &s->fees;
		else if (pay && !strcmp(pay, "warranty"))
			into = &s->warranty;
		else if (pay && !strcmp(pay, "claim"))
			into = &s->claim;
		else
			into = &s->insurance;
		*into += amt;
		if (amt < 0 || amt > PRICE_MAX_FEN || *into > PRICE_MAX_FEN)
			rc = fail(c->info, ST_INVALID, "lines", "the amounts of the lines are out of range%s%s", NULL, NULL);
	}
	db_res_free(r);
	if (rc == ST_OK && s->labour + s->parts + s->fees > PRICE_MAX_FEN)
		rc = fail(c->info, ST_INVALID, "lines", "the bill total is out of range%s%s", NULL, NULL);
	return rc;
}

static int build_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	char status[24] = "";
	int rc = order_lock_tx(tx, who, c->id, c->if_match, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	if (strcmp(status, "completed") && strcmp(status, "qc_passed"))
		return fail(c->info, ST_CONFLICT, "status",
			    "a bill is built when the order is completed or has passed QC (it is %s)%s", status, NULL);
	if ((rc = void_unpaid_tx(tx, c, c->id)) != ST_OK)
		return rc;
	struct sums s = {0};
	json_t *lines = NULL;
	if ((rc = lines_sum_tx(tx, c, c->id, &s, &lines)) != ST_OK) {
		json_decref(lines);
		return rc;
	}
	char number[40];
	if ((rc = bill_number_at(tx, who, "BL", now_ms(), number)) != ST_OK) {
		json_decref(lines);
		return rc;
	}
	int64_t total = s.labour + s.parts + s.fees;
	char *lj = json_dumps(lines, JSON_COMPACT);
	json_decref(lines);
	int64_t now = now_ms(), id;
	dbv p[] = {VI(who->tenant_id), VI(c->id), VT(number), VT(total ? "open" : "paid"), VI(s.labour), VI(s.parts),
		   VI(s.fees), VI(s.warranty), VI(s.claim), VI(s.insurance), VI(total), VT(lj),
		   who->user_id ? VI(who->user_id) : VN, VI(now), VI(now)};
	rc = db_query_int(tx,
			  "INSERT INTO bills(tenant_id, order_id, number, kind, state, labour_fen, parts_fen, fees_fen, "
			  "warranty_fen, claim_fen, insurance_fen, total_fen, lines_json, created_by, created_at, updated_at) "
			  "VALUES (?, ?, ?, 'bill', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  p, 15, &id);
	free(lj);
	if (rc != ST_OK)
		return ST_DB;
	if ((rc = bill_load_tx(tx, who->tenant_id, id, &c->out)) != ST_OK)
		return rc;
	json_t *d = json_pack("{s:I, s:I, s:I, s:I}", "total_fen", (json_int_t)total, "warranty_fen",
			      (json_int_t)s.warranty, "claim_fen", (json_int_t)s.claim, "insurance_fen",
			      (json_int_t)s.insurance);
	bill_event_data(d, c->out);
	rc = wo_event_add(tx, c->a, c->id, "bill", d, true);
	json_decref(d);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "bill", id, NULL, c->out);
	if (rc == ST_OK)
		rc = wo_touch_tx(tx, c->id);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

static int run_write(db *d, db_fn fn, struct bl_ctx *c, json_t **out)
{
	int rc = db_write(d, fn, c);
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

int store_bill_build(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t **out, st_info *info)
{
	struct bl_ctx c = {.a = a, .id = order_id, .if_match = if_match, .info = info};
	return run_write(d, build_fn, &c, out);
}

/* --- read ----------------------------------------------------------------------------- */

static int get_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->who;
	json_t *bill = NULL, *order = NULL;
	int rc = bill_load_tx(tx, who->tenant_id, c->id, &bill);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, json_integer_value(json_object_get(bill, "order_id")), &order);
	if (rc != ST_OK) {
		json_decref(bill);
		return rc;
	}
	/* What the printed bill shows of the order. */
	json_t *o = json_object();
	static const char *const keep[] = {"id", "number", "status", "type", "customer", "address", "mileage",
					   "asset_id", "payment_type", "completed_at", "closed_at", NULL};
	for (int i = 0; keep[i]; i++) {
		json_t *v = json_object_get(order, keep[i]);
		if (v)
			json_object_set(o, keep[i], v);
	}
	json_t *delivery = json_object_get(order, "delivery");
	if (delivery)
		json_object_set(o, "delivery", delivery);
	int64_t asset = json_integer_value(json_object_get(order, "asset_id"));
	json_decref(order);
	if (asset) {
		dbv p[] = {VI(who->tenant_id), VI(asset)};
		db_res *r;
		if (db_query(tx,
			     "SELECT a.id, a.serial, a.plate, m.brand, m.category, m.model FROM assets a JOIN product_models m "
			     "ON m.id = a.model_id WHERE a.tenant_id = ? AND a.id = ?",
			     p, 2, &r) != DB_OK) {
			json_decref(o);
			json_decref(bill);
			return ST_DB;
		}
		if (db_rows(r))
			json_object_set_new(o, "asset", row_json(r, 0));
		db_res_free(r);
	}
	json_object_set_new(bill, "order", o);
	/* The company printed on the bill: setting company_name, else the tenant's name. */
	json_t *cn = settings_get_tx(tx, who->tenant_id, "company_name");
	if (json_is_string(cn) && *json_string_value(cn)) {
		json_object_set(bill, "company_name", cn);
	} else {
		dbv p[] = {VI(who->tenant_id)};
		db_res *r;
		if (db_query(tx, "SELECT name FROM tenants WHERE id = ?", p, 1, &r) == DB_OK) {
			if (db_rows(r))
				json_object_set_new(bill, "company_name", json_string(db_text(r, 0, 0)));
			db_res_free(r);
		}
	}
	json_decref(cn);
	c->out = bill;
	return ST_OK;
}

int store_bill_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct bl_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = rc == ST_OK ? c.out : NULL;
	return rc;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->id, &order);
	json_decref(order);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx, "SELECT " BILL_COLS " FROM bills b WHERE b.tenant_id = ? AND b.order_id = ? ORDER BY b.id", p, 2,
		     &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		json_t *b = bill_json(r, i), *pays = NULL;
		rc = payments_tx(tx, c->who->tenant_id, db_int(r, i, 0), &pays);
		bool changed = false;
		if (rc == ST_OK && !strcmp(db_text(r, i, 3), "bill") && strcmp(db_text(r, i, 5), "void"))
			rc = bill_lines_changed_tx(tx, c->who->tenant_id, b, &changed);
		json_object_set_new(b, "lines_changed", json_boolean(changed));
		json_object_set_new(b, "payments", pays ? pays : json_array());
		json_array_append_new(c->out, b);
	}
	db_res_free(r);
	return rc;
}

int store_wo_bills(db *d, const principal *who, int64_t order_id, json_t **items)
{
	struct bl_ctx c = {.who = who, .id = order_id};
	int rc = db_read(d, list_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*items = c.out;
	return rc;
}

/* --- discount ------------------------------------------------------------------------- */

/* The caller's best discount limit in basis points: tenant setting discount_limits
 * {role: bp}, else the defaults (advisor 5 %, manager 20 %, admin 100 %, others 0). */
static int64_t discount_limit_tx(db_tx *tx, const principal *who, char *role_out, size_t len)
{
	json_t *set = settings_get_tx(tx, who->tenant_id, "discount_limits");
	int64_t best = -1;
	snprintf(role_out, len, "%s", "");
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(who->roles & (1u << i)))
			continue;
		int64_t lim = i == ROLE_ADVISOR ? 500 : i == ROLE_MANAGER ? 2000 : i == ROLE_ADMIN ? 10000 : 0;
		json_t *v = json_is_object(set) ? json_object_get(set, role_name(i)) : NULL;
		if (json_is_integer(v))
			lim = json_integer_value(v);
		lim = lim < 0 ? 0 : lim > 10000 ? 10000 : lim;
		if (lim > best) {
			best = lim;
			snprintf(role_out, len, "%s", role_name(i));
		}
	}
	if (best < 0)
		best = 0;
	json_decref(set);
	return best;
}

static int discount_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	struct bill_row b;
	char status[24];
	int rc = bill_lock_tx(tx, who, c->id, &b, status, sizeof status, c->info);
	if (rc != ST_OK)
		return rc;
	if (c->if_match && c->if_match != b.version) {
		c->info->current_version = b.version;
		bill_load_tx(tx, who->tenant_id, b.id, &c->info->current);
		return ST_STALE;
	}
	if (strcmp(b.kind, "bill") || !strcmp(b.state, "void"))
		return fail(c->info, ST_CONFLICT, "bill", "bill %s is %s: no discount on it", b.number,
			    strcmp(b.kind, "bill") ? "a credit note" : "void");
	int64_t sub = b.labour + b.parts + b.fees, disc;
	json_t *fen = json_object_get(c->in, "discount_fen"), *bp = json_object_get(c->in, "discount_pct");
	if (fen) {
		disc = json_integer_value(fen);
	} else if (!price_percent(sub, json_integer_value(bp), &disc)) {
		return fail(c->info, ST_INVALID, "discount_pct", "the discount is out of range%s%s", NULL, NULL);
	}
	if (disc > sub) {
		char a1[24], a2[24];
		yuan(disc, a1);
		yuan(sub, a2);
		return fail(c->info, ST_INVALID, fen ? "discount_fen" : "discount_pct",
			    "a discount of ¥%s is more than the customer's part of the bill (¥%s)", a1, a2);
	}
	char role[32];
	int64_t limit = discount_limit_tx(tx, who, role, sizeof role);
	/* given in basis points, the percentage itself is compared (5 % of ¥157.50 rounds to ¥7.88,
	 * still 5 %); given in fen, the amount's exact share of the customer's part */
	bool above = bp ? json_integer_value(bp) > limit : disc * 10000 > limit * sub;
	if (disc > 0 && above) {
		/* basis points printed as money read as a percentage with two decimals: 500 → "5.00" */
		char pct[24], lim[24];
		price_format(bp ? json_integer_value(bp) : sub ? (disc * 10000 + sub - 1) / sub : 0, pct);
		price_format(limit, lim);
		snprintf(c->info->field, sizeof c->info->field, "%s", fen ? "discount_fen" : "discount_pct");
		snprintf(c->info->detail, sizeof c->info->detail,
			 "a discount of %s%% is above your limit of %s%% (role %s; tenant setting discount_limits)", pct, lim,
			 role[0] ? role : "none");
		return ST_FORBIDDEN;
	}
	int64_t total = sub - disc, net = b.paid - b.refunded;
	if (total < net) {
		char a1[24], a2[24];
		yuan(total, a1);
		yuan(net, a2);
		return fail(c->info, ST_CONFLICT, fen ? "discount_fen" : "discount_pct",
			    "the new total ¥%s would be less than what was paid already (¥%s)", a1, a2);
	}
	json_t *before = NULL;
	if ((rc = bill_load_tx(tx, who->tenant_id, b.id, &before)) != ST_OK)
		return rc;
	dbv p[] = {VI(disc), VT(jstr(c->in, "discount_reason")), VI(total), VT(total - net == 0 ? "paid" : "open"),
		   VI(now_ms()), VI(b.id), VI(b.version)};
	int e = db_exec(tx,
			"UPDATE bills SET discount_fen = ?, discount_reason = ?, total_fen = ?, state = ?, updated_at = ?, "
			"version = version + 1 WHERE id = ? AND version = ?",
			p, 7);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK)
		rc = bill_load_tx(tx, who->tenant_id, b.id, &c->out);
	if (rc == ST_OK) {
		json_t *d = json_pack("{s:I, s:s?, s:I}", "discount_fen", (json_int_t)disc, "reason",
				      jstr(c->in, "discount_reason"), "total_fen", (json_int_t)total);
		bill_event_data(d, c->out);
		rc = wo_event_add(tx, c->a, b.order_id, "discount", d, false);
		json_decref(d);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "discount", "bill", b.id, before, c->out);
	json_decref(before);
	return rc;
}

int store_bill_discount(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out,
			st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return run_write(d, discount_fn, &c, out);
}

/* --- payments and refunds ------------------------------------------------------------- */

static int pay_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	bool refund = !strcmp(c->kind, "refund");
	struct bill_row b;
	char status[24];
	int rc = bill_lock_tx(tx, who, c->id, &b, status, sizeof status, c->info);
	if (rc != ST_OK)
		return rc;
	if (!strcmp(b.state, "void"))
		return fail(c->info, ST_CONFLICT, "bill", "bill %s is void%s", b.number, NULL);
	bool credit = !strcmp(b.kind, "credit");
	if (credit && !refund)
		return fail(c->info, ST_CONFLICT, "bill", "%s is a credit note: it is refunded, not paid%s", b.number, NULL);
	if (!refund && !credit) {
		/* the customer pays for the lines as they are: a bill older than the lines is rebuilt first */
		json_t *bj = NULL;
		bool changed = false;
		if ((rc = bill_load_tx(tx, who->tenant_id, b.id, &bj)) == ST_OK)
			rc = bill_lines_changed_tx(tx, who->tenant_id, bj, &changed);
		json_decref(bj);
		if (rc != ST_OK)
			return rc;
		if (changed && b.paid == 0)
			return fail(c->info, ST_CONFLICT, "bill",
				    "the actual lines changed after bill %s was built: build the bill again before taking payment%s",
				    b.number, NULL);
	}
	int64_t amount = json_integer_value(json_object_get(c->in, "amount_fen"));
	int64_t balance = b.total - b.paid + b.refunded;
	/* what may still be refunded: the net paid of a bill, what is still owed on a credit note */
	int64_t room = refund ? (credit ? -balance : b.paid - b.refunded) : balance;
	if (amount > room) {
		char a1[24], a2[24];
		yuan(amount, a1);
		yuan(room < 0 ? 0 : room, a2);
		snprintf(c->info->field, sizeof c->info->field, "amount_fen");
		snprintf(c->info->detail, sizeof c->info->detail,
			 refund ? (credit ? "a refund of ¥%s is more than is left to refund on this credit note (¥%s)"
					  : "a refund of ¥%s is more than was paid on this bill (net ¥%s)")
				: "a payment of ¥%s is more than the balance of the bill (¥%s)",
			 a1, a2);
		return ST_CONFLICT;
	}
	int64_t now = now_ms(), pid;
	dbv pi[] = {VI(who->tenant_id), VI(b.id), VI(b.order_id), VT(c->kind), VT(jstr(c->in, "method")), VI(amount),
		    VT(jstr(c->in, "reference")), VT(jstr(c->in, "reason")), who->user_id ? VI(who->user_id) : VN, VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO payments(tenant_id, bill_id, order_id, kind, method, amount_fen, reference, reason, "
			 "actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 pi, 10, &pid) != ST_OK)
		return ST_DB;
	int64_t new_bal = refund ? balance + amount : balance - amount;
	/* The guard is in the statement too: never more than the balance / what was paid. */
	const char *guard = !refund ? "total_fen - paid_fen + refunded_fen >= ?"
			    : credit ? "-(total_fen - paid_fen + refunded_fen) >= ?"
				     : "paid_fen - refunded_fen >= ?";
	char sql[400];
	snprintf(sql, sizeof sql,
		 "UPDATE bills SET paid_fen = paid_fen + ?, refunded_fen = refunded_fen + ?, state = CASE WHEN "
		 "total_fen - paid_fen + refunded_fen - ? + ? = 0 THEN 'paid' ELSE 'open' END, updated_at = ?, "
		 "version = version + 1 WHERE id = ? AND state <> 'void' AND %s",
		 guard);
	dbv pu[] = {VI(refund ? 0 : amount), VI(refund ? amount : 0), VI(refund ? 0 : amount), VI(refund ? amount : 0),
		    VI(now), VI(b.id), VI(amount)};
	if (db_exec(tx, sql, pu, 7) != DB_OK)
		return ST_DB;
	if (db_changes(tx) != 1)
		return fail(c->info, ST_CONFLICT, "amount_fen", "the balance of bill %s changed meanwhile; reload it%s",
			    b.number, NULL);
	if ((rc = bill_load_tx(tx, who->tenant_id, b.id, &c->out)) != ST_OK)
		return rc;
	json_t *pay = NULL;
	{
		dbv pp[] = {VI(who->tenant_id), VI(pid)};
		db_res *r;
		if (db_query(tx, "SELECT " PAY_COLS " FROM payments p WHERE p.tenant_id = ? AND p.id = ?", pp, 2, &r) != DB_OK)
			return ST_DB;
		pay = db_rows(r) ? row_json(r, 0) : json_object();
		db_res_free(r);
	}
	json_object_set(c->out, "payment", pay);
	json_t *d = json_pack("{s:I, s:s?, s:I, s:I}", "payment_id", (json_int_t)pid, "method", jstr(c->in, "method"),
			      "amount_fen", (json_int_t)amount, "balance_fen", (json_int_t)new_bal);
	bill_event_data(d, c->out);
	if (jstr(c->in, "reference"))
		json_object_set_new(d, "reference", json_string(jstr(c->in, "reference")));
	if (jstr(c->in, "reason"))
		json_object_set_new(d, "reason", json_string(jstr(c->in, "reason")));
	rc = wo_event_add(tx, c->a, b.order_id, c->kind, d, true);
	json_decref(d);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", c->kind, pid, NULL, pay);
	json_decref(pay);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)b.id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_bill_pay(db *d, const actor *a, int64_t id, const char *kind, json_t *in, json_t **out, st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .kind = kind, .in = in, .info = info};
	return run_write(d, pay_fn, &c, out);
}

/* --- credit notes --------------------------------------------------------------------- */

static int credit_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	struct bill_row b;
	char status[24];
	int rc = bill_lock_tx(tx, who, c->id, &b, status, sizeof status, c->info);
	if (rc != ST_OK)
		return rc;
	if (strcmp(b.kind, "bill") || !strcmp(b.state, "void"))
		return fail(c->info, ST_CONFLICT, "bill", "a credit note corrects a bill that is not void (%s is %s)", b.number,
			    strcmp(b.kind, "bill") ? "a credit note" : "void");
	/* The lines credited (negative), by kind, and their sum. */
	struct sums s = {0};
	json_t *lines = json_array();
	json_t *in_lines = json_object_get(c->in, "lines");
	int64_t amount = 0;
	if (json_is_array(in_lines) && json_array_size(in_lines)) {
		size_t i;
		json_t *l;
		json_array_foreach(in_lines, i, l) {
			int64_t amt = json_integer_value(json_object_get(l, "amount_fen"));
			const char *k = jstr(l, "kind") ? jstr(l, "kind") : "fee";
			amount += amt;
			*(!strcmp(k, "labour") ? &s.labour : !strcmp(k, "part") ? &s.parts : &s.fees) -= amt;
			json_t *o = json_pack("{s:s, s:s?, s:I, s:s, s:I}", "kind", k, "name", jstr(l, "name"), "amount_fen",
					      (json_int_t)-amt, "pay_type", "self_pay", "customer_fen", (json_int_t)-amt);
			if (json_integer_value(json_object_get(l, "line_id")))
				json_object_set(o, "line_id", json_object_get(l, "line_id"));
			json_array_append_new(lines, o);
		}
	} else {
		amount = json_integer_value(json_object_get(c->in, "amount_fen"));
		s.fees = -amount;
		json_array_append_new(lines, json_pack("{s:s, s:s?, s:I, s:s, s:I}", "kind", "fee", "name",
						       jstr(c->in, "reason"), "amount_fen", (json_int_t)-amount, "pay_type",
						       "self_pay", "customer_fen", (json_int_t)-amount));
	}
	int64_t credited = 0;
	dbv pc[] = {VI(who->tenant_id), VI(b.id)};
	if (db_query_int(tx,
			 "SELECT COALESCE(sum(-total_fen), 0) FROM bills WHERE tenant_id = ? AND credit_of = ? AND "
			 "kind = 'credit' AND state <> 'void'",
			 pc, 2, &credited) != ST_OK) {
		json_decref(lines);
		return ST_DB;
	}
	if (amount <= 0 || amount + credited > b.total) {
		char a1[24], a2[24];
		yuan(amount, a1);
		yuan(b.total - credited, a2);
		json_decref(lines);
		return fail(c->info, amount <= 0 ? ST_INVALID : ST_CONFLICT, "amount_fen",
			    "a credit of ¥%s is more than is left to credit on this bill (¥%s)", a1, a2);
	}
	char number[40];
	if ((rc = bill_number_at(tx, who, "CN", now_ms(), number)) != ST_OK) {
		json_decref(lines);
		return rc;
	}
	char *lj = json_dumps(lines, JSON_COMPACT);
	json_decref(lines);
	int64_t now = now_ms(), id;
	dbv p[] = {VI(who->tenant_id), VI(b.order_id), VT(number), VI(b.id), VI(s.labour), VI(s.parts), VI(s.fees),
		   VI(-amount), VT(lj), VT(jstr(c->in, "reason")), who->user_id ? VI(who->user_id) : VN, VI(now), VI(now)};
	rc = db_query_int(tx,
			  "INSERT INTO bills(tenant_id, order_id, number, kind, credit_of, state, labour_fen, parts_fen, "
			  "fees_fen, warranty_fen, total_fen, lines_json, reason, created_by, created_at, updated_at) "
			  "VALUES (?, ?, ?, 'credit', ?, 'open', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING id",
			  p, 13, &id);
	free(lj);
	if (rc != ST_OK)
		return ST_DB;
	if ((rc = bill_load_tx(tx, who->tenant_id, id, &c->out)) != ST_OK)
		return rc;
	json_t *d = json_pack("{s:I, s:s?, s:s, s:I}", "amount_fen", (json_int_t)amount, "reason", jstr(c->in, "reason"),
			      "credit_of", b.number, "credit_of_id", (json_int_t)b.id);
	bill_event_data(d, c->out);
	rc = wo_event_add(tx, c->a, b.order_id, "credit_note", d, true);
	json_decref(d);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "credit_note", id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_bill_credit(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .in = in, .info = info};
	return run_write(d, credit_fn, &c, out);
}

/* --- void ----------------------------------------------------------------------------- */

static int void_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	struct bill_row b;
	char status[24];
	int rc = bill_lock_tx(tx, who, c->id, &b, status, sizeof status, c->info);
	if (rc != ST_OK)
		return rc;
	if (c->if_match && c->if_match != b.version) {
		c->info->current_version = b.version;
		bill_load_tx(tx, who->tenant_id, b.id, &c->info->current);
		return ST_STALE;
	}
	if (!strcmp(b.state, "void"))
		return fail(c->info, ST_CONFLICT, "bill", "bill %s is void already%s", b.number, NULL);
	if (b.paid != b.refunded)
		return fail(c->info, ST_CONFLICT, "bill", "bill %s has payments that are not refunded: refund them first%s",
			    b.number, NULL);
	if (!strcmp(b.kind, "bill") && (!strcmp(status, "settled") || !strcmp(status, "closed") ||
					!strcmp(status, "followed_up")))
		return fail(c->info, ST_CONFLICT, "bill",
			    "the order is %s: its bill stays; correct it with a credit note%s", status, NULL);
	json_t *before = NULL;
	if ((rc = bill_load_tx(tx, who->tenant_id, b.id, &before)) != ST_OK)
		return rc;
	int64_t now = now_ms();
	dbv p[] = {VT(c->reason), VI(now), who->user_id ? VI(who->user_id) : VN, VI(now), VI(b.id)};
	if (db_exec(tx,
		    "UPDATE bills SET state = 'void', void_reason = ?, voided_at = ?, voided_by = ?, updated_at = ?, "
		    "version = version + 1 WHERE id = ?",
		    p, 5) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = bill_load_tx(tx, who->tenant_id, b.id, &c->out);
	if (rc == ST_OK) {
		json_t *d = json_pack("{s:s?}", "reason", c->reason);
		bill_event_data(d, c->out);
		rc = wo_event_add(tx, c->a, b.order_id, "bill_void", d, false);
		json_decref(d);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "void", "bill", b.id, before, c->out);
	json_decref(before);
	return rc;
}

int store_bill_void(db *d, const actor *a, int64_t id, int64_t if_match, const char *reason, json_t **out,
		    st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .if_match = if_match, .reason = reason, .info = info};
	return run_write(d, void_fn, &c, out);
}

/* --- delivery and confirmation -------------------------------------------------------- */

/* Close a settled order in the caller's transaction (DOMAIN §3: delivered / confirmed). */
static int close_if_settled(db_tx *tx, struct bl_ctx *c, const char *status)
{
	if (strcmp(status, "settled"))
		return ST_OK;
	json_t *o = NULL;
	int rc = wo_transition_tx(tx, c->a, c->id, 0, "close", NULL, &o, c->info);
	json_decref(o);
	return rc;
}

static int deliver_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	char status[24] = "";
	int rc = order_lock_tx(tx, who, c->id, c->if_match, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	static const char *const ok[] = {"completed", "qc_passed", "settled", "closed", NULL};
	bool fits = false;
	for (int i = 0; ok[i]; i++)
		fits |= !strcmp(status, ok[i]);
	if (!fits)
		return fail(c->info, ST_CONFLICT, "status", "delivery is recorded once the work is completed (the order is %s)%s",
			    status, NULL);
	json_t *before = NULL;
	if ((rc = wo_load_tx(tx, who, c->id, &before)) != ST_OK)
		return rc;
	json_t *d = json_deep_copy(c->in);
	int64_t offer = json_integer_value(json_object_get(c->in, "next_appointment_offer"));
	if (offer)
		json_set_time(d, "next_appointment_offer", offer);
	else
		json_object_set_new(d, "next_appointment_offer", json_null());
	json_set_time(d, "at", now_ms());
	json_object_set_new(d, "by", json_pack("{s:I, s:s}", "id", (json_int_t)who->user_id, "name", who->name));
	char *s = json_dumps(d, JSON_COMPACT);
	dbv p[] = {VT(s), VI(who->tenant_id), VI(c->id)};
	rc = db_exec(tx, "UPDATE work_orders SET delivery_json = ? WHERE tenant_id = ? AND id = ?", p, 3) == DB_OK ? ST_OK
														     : ST_DB;
	free(s);
	if (rc == ST_OK)
		rc = wo_touch_tx(tx, c->id);
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->id, "delivery", d, true);
	json_decref(d);
	if (rc == ST_OK)
		rc = close_if_settled(tx, c, status);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "deliver", "work_order", c->id, before, c->out);
	json_decref(before);
	return rc;
}

int store_wo_deliver(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return run_write(d, deliver_fn, &c, out);
}

static int confirm_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->a->who;
	char status[24] = "";
	int rc = order_lock_tx(tx, who, c->id, c->if_match, c->info, status, sizeof status);
	if (rc != ST_OK)
		return rc;
	if (strcmp(status, "settled") && strcmp(status, "closed") && strcmp(status, "followed_up"))
		return fail(c->info, ST_CONFLICT, "status", "the customer confirms a settled order (this one is %s)%s", status,
			    NULL);
	json_t *before = NULL;
	if ((rc = wo_load_tx(tx, who, c->id, &before)) != ST_OK)
		return rc;
	int64_t confirmed = 0;
	dbv pq[] = {VI(who->tenant_id), VI(c->id)};
	if (db_query_int(tx, "SELECT COALESCE(confirmed_at, 0) FROM work_orders WHERE tenant_id = ? AND id = ?", pq, 2,
			 &confirmed) != ST_OK) {
		json_decref(before);
		return ST_DB;
	}
	if (confirmed) {
		json_decref(before);
		return fail(c->info, ST_CONFLICT, "confirmed_at", "the customer has confirmed this order already%s%s", NULL,
			    NULL);
	}
	int64_t now = now_ms(), sig = 0;
	const char *by = jstr(c->in, "by_name");
	if (!by || !*by)
		by = jstr(json_object_get(before, "customer"), "name");
	if (!by || !*by)
		by = who->name;
	if (jstr(c->in, "signature") &&
	    (rc = sig_store_tx(tx, c->a, c->id, jstr(c->in, "signature"), "confirm", &sig, c->info)) != ST_OK) {
		json_decref(before);
		return rc;
	}
	const char *channel = jstr(c->in, "channel");
	int64_t rating = json_integer_value(json_object_get(c->in, "rating"));
	dbv pu[] = {VI(now), VT(channel), VI(rating), VT(jstr(c->in, "comment")), VI(who->tenant_id), VI(c->id)};
	if (db_exec(tx,
		    "UPDATE work_orders SET confirmed_at = ?, confirm_channel = ?, rating = ?, rating_comment = ? "
		    "WHERE tenant_id = ? AND id = ?",
		    pu, 6) != DB_OK)
		rc = ST_DB;
	/* The confirmation as an approval of kind delivery (who, how, the signature image). */
	const char *achan = !strcmp(channel, "portal") ? "online" : channel;
	dbv pa[] = {VI(who->tenant_id), VI(c->id), VT(by), VT(achan), sig ? VI(sig) : VN,
		    who->user_id ? VI(who->user_id) : VN, VI(now)};
	if (rc == ST_OK && db_exec(tx,
				   "INSERT INTO wo_approvals(tenant_id, order_id, kind, by_name, channel, signature_id, "
				   "actor_id, at) VALUES (?, ?, 'delivery', ?, ?, ?, ?, ?)",
				   pa, 7) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = wo_touch_tx(tx, c->id);
	if (rc == ST_OK) {
		json_t *d = json_pack("{s:I, s:s?, s:s?}", "rating", (json_int_t)rating, "channel", channel, "by_name", by);
		if (jstr(c->in, "comment"))
			json_object_set_new(d, "comment", json_string(jstr(c->in, "comment")));
		if (sig)
			json_object_set_new(d, "signature_id", json_integer(sig));
		rc = wo_event_add(tx, c->a, c->id, "confirm", d, true);
		json_decref(d);
	}
	if (rc == ST_OK)
		rc = close_if_settled(tx, c, status);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "confirm", "work_order", c->id, before, c->out);
	json_decref(before);
	return rc;
}

int store_wo_confirm(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct bl_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return run_write(d, confirm_fn, &c, out);
}

/* The next maintenance of the order's asset (DOMAIN §6: by mileage or by time, whichever
 * first), as the delivery suggests it: the model's schedule, the asset's purchase date and
 * readings, the maintenance orders done (domain/maint.c, as maintenance.c computes it). */
static int suggest_fn(db_tx *tx, void *arg)
{
	struct bl_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, who, c->id, &order);
	if (rc != ST_OK)
		return rc;
	int64_t asset = json_integer_value(json_object_get(order, "asset_id"));
	json_decref(order);
	c->out = json_pack("{s:b}", "available", 0);
	if (!asset) {
		json_object_set_new(c->out, "reason", json_string("no_asset"));
		return ST_OK;
	}
	dbv p[] = {VI(who->tenant_id), VI(asset)};
	db_res *r = NULL, *rr = NULL;
	maint_step *steps = NULL;
	maint_reading *rd = NULL;
	json_t *sched = NULL;
	if (db_query(tx,
		     "SELECT a.purchase_date, m.maintenance_json, m.brand, m.model FROM assets a JOIN product_models m ON "
		     "m.id = a.model_id WHERE a.tenant_id = ? AND a.id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int32_t buy;
	if (!db_rows(r) || !db_text(r, 0, 1) || !wty_day_parse(db_text(r, 0, 0), &buy)) {
		json_object_set_new(c->out, "reason", json_string(db_rows(r) && db_text(r, 0, 1) ? "no_purchase_date"
										       : "no_schedule"));
		goto out;
	}
	sched = json_loads(db_text(r, 0, 1), 0, NULL);
	size_t n = json_array_size(sched);
	if (!n) {
		json_object_set_new(c->out, "reason", json_string("no_schedule"));
		goto out;
	}
	steps = xcalloc(n, sizeof *steps);
	for (size_t i = 0; i < n; i++) {
		steps[i].km = json_integer_value(json_object_get(json_array_get(sched, i), "km"));
		steps[i].months = (int)json_integer_value(json_object_get(json_array_get(sched, i), "months"));
	}
	if (db_query(tx, "SELECT read_on, km, odometer_change FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id",
		     p, 2, &rr) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	int nr = db_rows(rr), k = 0;
	rd = xcalloc((size_t)nr + 1, sizeof *rd);
	for (int i = 0; i < nr; i++)
		if (wty_day_parse(db_text(rr, i, 0), &rd[k].day)) {
			rd[k].km = db_int(rr, i, 1);
			rd[k].odometer_change = db_int(rr, i, 2) != 0;
			k++;
		}
	int64_t done = 0;
	if (db_query_int(tx,
			 "SELECT count(*) FROM work_orders WHERE tenant_id = ? AND asset_id = ? AND type = 'maintenance' AND "
			 "status IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up')",
			 p, 2, &done) != ST_OK) {
		rc = ST_DB;
		goto out;
	}
	int32_t today = (int32_t)((now_ms() + (int64_t)who->tz_offset_min * 60000) / 86400000);
	maint_input in = {.purchase_day = buy, .today = today, .steps = steps, .nsteps = (int)n, .done = (int)done,
			  .readings = rd, .nreadings = k};
	maint_due due;
	maint_next(&in, &due);
	if (due.step < 0) {
		json_object_set_new(c->out, "reason", json_string("schedule_done"));
		goto out;
	}
	char day[11];
	wty_day_format(due.due_day, day);
	json_t *step = json_array_get(sched, (size_t)due.step);
	const char *name = jstr(step, "name") ? jstr(step, "name") : "";
	int64_t km = json_integer_value(json_object_get(step, "km"));
	char zh[400], en[400];
	if (km)
		snprintf(zh, sizeof zh, "建议下次保养：%s，%s 前或行驶至 %lld 公里（以先到者为准）", name, day, (long long)km);
	else
		snprintf(zh, sizeof zh, "建议下次保养：%s，%s 前", name, day);
	if (km)
		snprintf(en, sizeof en, "Next service: %s, by %s or at %lld km, whichever comes first", name, day,
			 (long long)km);
	else
		snprintf(en, sizeof en, "Next service: %s, by %s", name, day);
	json_object_set_new(c->out, "available", json_true());
	json_object_set_new(c->out, "service_index", json_integer(due.step));
	json_object_set(c->out, "service", step);
	json_object_set_new(c->out, "due_date", json_string(day));
	json_object_set_new(c->out, "due_by", json_string(due.by_km ? "km" : "time"));
	json_object_set_new(c->out, "km", km ? json_integer(km) : json_null());
	json_object_set_new(c->out, "estimated_km", due.est_km >= 0 ? json_integer(due.est_km) : json_null());
	json_object_set_new(c->out, "text", json_string(zh));
	json_object_set_new(c->out, "text_en", json_string(en));
out:
	db_res_free(r);
	db_res_free(rr);
	free(steps);
	free(rd);
	json_decref(sched);
	return rc;
}

int store_wo_delivery_suggest(db *d, const principal *who, int64_t id, json_t **out)
{
	struct bl_ctx c = {.who = who, .id = id};
	int rc = db_read(d, suggest_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
