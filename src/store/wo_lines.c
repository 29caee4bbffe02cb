/*
 * wo_lines.c — the money side of a work order before the bill (DOMAIN §3, issue 4 items 4-6):
 * estimate and actual lines, the customer's approval of the estimate and consent to additional
 * items (追加项目), the promised time and the "call me above X" limit, and the car reception
 * sheet (接车) with its signature.
 *
 * Rules kept here, because the state machine's guards (wo_flow.c) read them from the tables:
 * - DOMAIN §3: labour fee = standard hours × hourly rate × the model's complexity coefficient;
 *   parts and fees = quantity × unit price; one rounding, in domain/pricing.c.
 * - The pay type of a new line defaults from the 三包 decision of the order's asset (the same
 *   code path as GET /assets/{id}/warranty): in warranty → warranty, else self_pay; the
 *   decision's rule travels with the answer so the advisor can say why.
 * - An actual line added during work (in_service, waiting_parts, waiting_customer) that the
 *   customer pays and that carries out no estimate line is additional (additional=1): it cannot
 *   be done, nor the order completed, until the customer's consent is recorded (who, when, how).
 * - Approving the estimate records the customer-payable total (self-pay lines: actual ones once
 *   there are any, else the estimate) in approved_total_fen; `complete` is refused while that
 *   total is above approval_limit_fen and above what was approved.
 * - A settled, closed, followed-up or cancelled order keeps its lines: corrections go through a
 *   credit note (billing.c).
 *
 * Every write: the order row locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
 * writer), scope and If-Match checked on a fresh copy (wo_load_tx), then the change, the
 * order's version bumped (wo_touch_tx), an audit row and a timeline row.
 */
#include "store/store.h"
#include "domain/perm.h"
#include "domain/pricing.h"
#include "domain/warranty.h"

#include <stdlib.h>
#include <string.h>

#define LN_COLS "id, order_id, stage, kind, operation_id, code, name, hours_x100, rate_fen, coefficient_milli, " \
		"qty_milli, unit_price_fen, amount_fen, pay_type, additional, consent_at, consent_by, consent_channel, " \
		"done, estimate_line_id, created_by, created_at, updated_at, version"
#define LN_MAX_PER_STAGE 200

struct ln_ctx {
	const actor *a;
	const principal *who;
	int64_t order_id, line_id, if_match;
	json_t *in, *out;
	st_info *info;
};

static int invalid(st_info *info, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

static int conflict(st_info *info, const char *detail)
{
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_CONFLICT;
}

static int finish(int rc, struct ln_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

/* "1.50" from 150 at 2 digits; trailing zeros trimmed down to min_dec decimals. */
static void fmt_scaled(int64_t v, int digits, int min_dec, char out[32])
{
	int64_t div = 1;
	for (int i = 0; i < digits; i++)
		div *= 10;
	char frac[8];
	snprintf(frac, sizeof frac, "%0*lld", digits, (long long)(v % div));
	int n = digits;
	while (n > min_dec && frac[n - 1] == '0')
		n--;
	frac[n] = '\0';
	snprintf(out, 32, "%lld%s%s", (long long)(v / div), n ? "." : "", frac);
}

static json_t *line_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "additional", json_boolean(db_int(r, row, 14) != 0));
	json_object_set_new(o, "done", json_boolean(db_int(r, row, 18) != 0));
	const char *by = db_text(r, row, 16); /* a name, not a user id */
	json_object_set_new(o, "consent_by", by ? json_string(by) : json_null());
	char s[32];
	if (!db_isnull(r, row, 7)) {
		fmt_scaled(db_int(r, row, 7), 2, 2, s);
		json_object_set_new(o, "hours", json_string(s));
	} else {
		json_object_set_new(o, "hours", json_null());
	}
	if (!db_isnull(r, row, 9)) {
		fmt_scaled(db_int(r, row, 9), 3, 2, s);
		json_object_set_new(o, "coefficient", json_string(s));
	} else {
		json_object_set_new(o, "coefficient", json_null());
	}
	fmt_scaled(db_int(r, row, 10), 3, 0, s);
	json_object_set_new(o, "qty", json_string(s));
	/* stock comes with the parts catalogue (a later issue) */
	json_object_set_new(o, "stock", json_null());
	return o;
}

static int line_load(db_tx *tx, int64_t tenant, int64_t order_id, int64_t line_id, json_t **out)
{
	dbv p[] = {VI(line_id), VI(tenant), VI(order_id)};
	db_res *r;
	if (db_query(tx, "SELECT " LN_COLS " FROM wo_lines WHERE id = ? AND tenant_id = ? AND order_id = ?", p, 3, &r) !=
	    DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = line_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static bool is_one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static const char *const frozen_states[] = {"settled", "closed", "followed_up", "cancelled", NULL};
static const char *const work_states[] = {"in_service", "waiting_parts", "waiting_customer", NULL};

static int64_t jint(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Lock the order for a write and check it: in scope, at version if_match (0 = any), and not in
 * a state whose lines are frozen. *order is a fresh copy on ST_OK. */
static int order_open(db_tx *tx, struct ln_ctx *c, json_t **order)
{
	*order = NULL;
	/* PostgreSQL: the row lock makes a concurrent writer of this order wait, then see the new
	 * version (→ 412); SQLite has one writer already. */
	dbv pl[] = {VI(c->order_id), VI(c->who->tenant_id)};
	if (db_tx_kind(tx) == DB_PG &&
	    db_exec(tx, "SELECT id FROM work_orders WHERE id = ? AND tenant_id = ? FOR UPDATE", pl, 2) != DB_OK)
		return ST_DB;
	json_t *o = NULL;
	int rc = wo_load_tx(tx, c->who, c->order_id, &o);
	if (rc != ST_OK)
		return rc;
	int64_t version = jint(o, "version", 0);
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = o;
		return ST_STALE;
	}
	const char *status = json_string_value(json_object_get(o, "status"));
	if (is_one_of(status, frozen_states)) {
		snprintf(c->info->detail, sizeof c->info->detail, "%s",
			 !strcmp(status, "cancelled")
				 ? "the order is cancelled: its lines, approvals and reception can no longer change"
				 : "the order is settled: its lines can no longer change; corrections go through a credit note");
		c->info->current = json_pack("{s:s}", "order_status", status);
		json_decref(o);
		return ST_CONFLICT;
	}
	*order = o;
	return ST_OK;
}

/* Bump the order's version; *version is the new one. */
static int order_touch(db_tx *tx, int64_t order_id, int64_t *version)
{
	int rc = wo_touch_tx(tx, order_id);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(order_id)};
	return db_query_int(tx, "SELECT version FROM work_orders WHERE id = ?", p, 1, version);
}

/* Audit and timeline of a change to an order's lines, approvals or reception. */
static int record(db_tx *tx, struct ln_ctx *c, const char *event, json_t *before, json_t *after, json_t *data,
		  bool public_)
{
	int rc = audit_add(tx, c->a, event, "work_order", c->order_id, before, after);
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->order_id, event, data, public_);
	return rc;
}

/* --- the pay type from the warranty decision -------------------------------------------- */

static int32_t civil_day(int64_t ms, int offset_min)
{
	int64_t t = ms + (int64_t)offset_min * 60000;
	return (int32_t)(t >= 0 ? t / 86400000 : (t - 86399999) / 86400000);
}

static json_t *decision(const char *pay, json_t *in_warranty, const char *rule, const char *zh, const char *en)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "pay_type", pay, "in_warranty", in_warranty, "rule", rule,
			 "explanation", zh, "explanation_zh", zh, "explanation_en", en);
}

/* The default pay type of the order's lines and why (a new reference). The order's own payment
 * type wins when it is a claim or insurance job; otherwise the 三包 decision of its asset on the
 * day the order was opened (fault: a performance failure; the order's mileage or the last
 * reading). `kind` (labour | part | fee, or NULL) checks what the model's warranty covers. */
static int pay_default(db_tx *tx, const principal *who, json_t *order, const char *kind, json_t **out)
{
	*out = NULL;
	const char *ptype = json_string_value(json_object_get(order, "payment_type"));
	if (ptype && (!strcmp(ptype, "claim") || !strcmp(ptype, "insurance"))) {
		*out = decision(ptype, json_null(), "order.payment_type",
				!strcmp(ptype, "claim") ? "工单付费方式为厂家索赔" : "工单付费方式为保险",
				!strcmp(ptype, "claim") ? "The order is a manufacturer claim job" : "The order is an insurance job");
		return ST_OK;
	}
	int64_t asset = jint(order, "asset_id", 0);
	if (!asset) {
		*out = decision("self_pay", json_null(), "no_asset", "工单未关联设备或车辆，按自付处理",
				"The order has no asset: self-pay");
		return ST_OK;
	}
	json_t *facts = NULL;
	int rc = asset_warranty_facts_tx(tx, who, asset, json_string_value(json_object_get(order, "fault_code")), &facts);
	if (rc == ST_NOT_FOUND) {
		*out = decision("self_pay", json_null(), "no_asset", "工单未关联设备或车辆，按自付处理",
				"The order has no asset: self-pay");
		return ST_OK;
	}
	if (rc != ST_OK)
		return rc;
	int64_t opened = now_ms();
	const char *created = json_string_value(json_object_get(order, "created_at"));
	if (created)
		ms_from_iso(created, &opened);
	wty_decision d;
	int w = asset_warranty_decide(facts, civil_day(opened, who->tz_offset_min), WF_PERFORMANCE, jint(order, "mileage", -1),
				      true, &d);
	json_t *covers = json_object_get(json_object_get(facts, "policy"), "covers");
	const char *cover_key = !kind ? NULL : !strcmp(kind, "labour") ? "labour" : !strcmp(kind, "part") ? "parts" : "callout";
	if (w < 0) {
		*out = decision("self_pay", json_null(), "no_purchase_date", "设备没有购买日期，无法判断三包，按自付处理",
				"The asset has no purchase date, so no warranty decision: self-pay");
	} else if (w != WTY_OK) {
		*out = decision("self_pay", json_false(), d.rule, d.explanation_zh, d.explanation_en);
	} else if (d.in_warranty && cover_key && json_is_false(json_object_get(covers, cover_key))) {
		*out = decision("self_pay", json_true(), "policy.not_covered", "在三包期内，但该型号的保修不包括此类费用，按自付处理",
				"In warranty, but the model's warranty does not cover this kind of charge: self-pay");
	} else {
		*out = decision(d.in_warranty ? "warranty" : "self_pay", json_boolean(d.in_warranty), d.rule, d.explanation_zh,
				d.explanation_en);
	}
	json_decref(facts);
	return ST_OK;
}

/* --- totals ------------------------------------------------------------------------------ */

static json_t *zero_totals(void)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "labour_fen", 0, "parts_fen", 0, "fees_fen", 0,
			 "customer_fen", 0, "warranty_fen", 0, "claim_fen", 0, "insurance_fen", 0, "total_fen", 0);
}

static void add_to(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + v));
}

int wo_lines_totals_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, json_t **out, int64_t *payable)
{
	dbv p[] = {VI(tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT stage, kind, pay_type, coalesce(sum(amount_fen), 0), count(*) FROM wo_lines WHERE tenant_id = ? "
		     "AND order_id = ? GROUP BY stage, kind, pay_type",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	json_t *t = json_pack("{s:o, s:o}", "estimate", zero_totals(), "actual", zero_totals());
	int64_t actual_lines = 0;
	for (int i = 0; i < db_rows(r); i++) {
		const char *stage = db_text(r, i, 0), *kind = db_text(r, i, 1), *pay = db_text(r, i, 2);
		int64_t sum = db_int(r, i, 3);
		json_t *s = json_object_get(t, stage && !strcmp(stage, "actual") ? "actual" : "estimate");
		if (stage && !strcmp(stage, "actual"))
			actual_lines += db_int(r, i, 4);
		add_to(s, !strcmp(kind, "labour") ? "labour_fen" : !strcmp(kind, "part") ? "parts_fen" : "fees_fen", sum);
		add_to(s,
		       !strcmp(pay, "self_pay")	   ? "customer_fen"
		       : !strcmp(pay, "warranty") ? "warranty_fen"
		       : !strcmp(pay, "claim")	   ? "claim_fen"
						   : "insurance_fen",
		       sum);
		add_to(s, "total_fen", sum);
	}
	db_res_free(r);
	if (payable)
		*payable = json_integer_value(
			json_object_get(json_object_get(t, actual_lines ? "actual" : "estimate"), "customer_fen"));
	*out = t;
	return ST_OK;
}

static int count_pending(db_tx *tx, int64_t tenant, int64_t order, int64_t *n)
{
	dbv p[] = {VI(tenant), VI(order)};
	return db_query_int(tx,
			    "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual' AND "
			    "additional = 1 AND consent_at IS NULL",
			    p, 2, n);
}

/* The same rule as the `complete` guard in wo_flow.c. */
static bool approval_needed(json_t *order, int64_t payable)
{
	json_t *limit = json_object_get(order, "approval_limit_fen"), *ok = json_object_get(order, "approved_total_fen");
	return json_is_integer(limit) && payable > json_integer_value(limit) &&
	       (!json_is_integer(ok) || payable > json_integer_value(ok));
}

/* --- GET lines --------------------------------------------------------------------------- */

static int lines_of(db_tx *tx, int64_t tenant, int64_t order, json_t **est, json_t **act)
{
	dbv p[] = {VI(tenant), VI(order)};
	db_res *r;
	if (db_query(tx, "SELECT " LN_COLS " FROM wo_lines WHERE tenant_id = ? AND order_id = ? ORDER BY id", p, 2, &r) !=
	    DB_OK)
		return ST_DB;
	*est = json_array();
	*act = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(strcmp(db_text(r, i, 2), "actual") ? *est : *act, line_json(r, i));
	db_res_free(r);
	return ST_OK;
}

static int model_coefficient(db_tx *tx, int64_t tenant, json_t *order, int64_t *coef, int64_t *model_id)
{
	*coef = 1000;
	*model_id = 0;
	int64_t asset = jint(order, "asset_id", 0);
	if (!asset)
		return ST_OK;
	dbv p[] = {VI(asset), VI(tenant)};
	db_res *r;
	if (db_query(tx,
		     "SELECT m.complexity_milli, m.id FROM assets a JOIN product_models m ON m.id = a.model_id WHERE a.id = ? "
		     "AND a.tenant_id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		if (!db_isnull(r, 0, 0) && db_int(r, 0, 0) > 0)
			*coef = db_int(r, 0, 0);
		*model_id = db_int(r, 0, 1);
	}
	db_res_free(r);
	return ST_OK;
}

/* The lines view: both stages, totals, the approval facts the UI warns with. */
static int lines_view(db_tx *tx, const principal *who, json_t *order, json_t **out)
{
	int64_t tenant = who->tenant_id, id = jint(order, "id", 0), payable = 0, pending = 0, coef, model;
	json_t *est = NULL, *act = NULL, *totals = NULL, *wty = NULL;
	int rc = lines_of(tx, tenant, id, &est, &act);
	if (rc == ST_OK)
		rc = wo_lines_totals_tx(tx, tenant, id, &totals, &payable);
	if (rc == ST_OK)
		rc = count_pending(tx, tenant, id, &pending);
	if (rc == ST_OK)
		rc = model_coefficient(tx, tenant, order, &coef, &model);
	if (rc == ST_OK)
		rc = pay_default(tx, who, order, NULL, &wty);
	if (rc != ST_OK) {
		json_decref(est);
		json_decref(act);
		json_decref(totals);
		return rc;
	}
	char cs[32];
	fmt_scaled(coef, 3, 2, cs);
	*out = json_pack("{s:o, s:o, s:o, s:b, s:I, s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:I, s:s, s:I, s:O?}", "estimate", est,
			 "actual", act, "totals", totals, "approval_needed", approval_needed(order, payable), "consents_pending",
			 (json_int_t)pending, "payable_fen", (json_int_t)payable, "approval_limit_fen",
			 json_object_get(order, "approval_limit_fen"), "approved_total_fen",
			 json_object_get(order, "approved_total_fen"), "approved_at", json_object_get(order, "approved_at"),
			 "promised_at", json_object_get(order, "promised_at"), "status", json_object_get(order, "status"),
			 "warranty", wty, "labour_rate_fen", (json_int_t)settings_int_tx(tx, tenant, "labour_rate_fen", 12000),
			 "coefficient", cs, "coefficient_milli", (json_int_t)coef, "version", json_object_get(order, "version"));
	json_object_set_new(*out, "model_id", model ? json_integer(model) : json_null());
	return ST_OK;
}

static int lines_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->order_id, &order);
	if (rc == ST_OK)
		rc = lines_view(tx, c->who, order, &c->out);
	json_decref(order);
	return rc;
}

int store_wo_lines(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ln_ctx c = {.who = who, .order_id = order_id};
	return finish(db_read(d, lines_fn, &c), &c, out);
}

/* --- add, change, remove --------------------------------------------------------------- */

struct priced {
	int64_t op_id, hours_x100, rate, coef, qty_milli, unit, amount;
	const char *code, *name;
	bool labour;
};

/* Price a labour line: from the operation (code, name, standard hours) unless given, the
 * tenant's labour rate unless given, the model's coefficient. */
static int price_line(db_tx *tx, struct ln_ctx *c, json_t *order, json_t *in, const char *kind, struct priced *p,
		      db_res **keep)
{
	int64_t tenant = c->who->tenant_id;
	*keep = NULL;
	memset(p, 0, sizeof *p);
	p->code = json_string_value(json_object_get(in, "code"));
	p->name = json_string_value(json_object_get(in, "name"));
	p->qty_milli = jint(in, "_qty_milli", 1000);
	p->unit = jint(in, "unit_price_fen", 0);
	if (strcmp(kind, "labour")) {
		if (!price_qty(p->qty_milli, p->unit, &p->amount))
			return invalid(c->info, "qty", "the amount of this line is too large (at most ¥100,000,000.00)");
		return ST_OK;
	}
	p->labour = true;
	int64_t model;
	int rc = model_coefficient(tx, tenant, order, &p->coef, &model);
	if (rc != ST_OK)
		return rc;
	p->hours_x100 = jint(in, "_hours_x100", 0);
	p->op_id = jint(in, "operation_id", 0);
	if (p->op_id) {
		dbv q[] = {VI(p->op_id), VI(tenant)};
		if (db_query(tx, "SELECT code, name, std_hours_milli, model_id FROM labour_operations WHERE id = ? AND tenant_id = ?",
			     q, 2, keep) != DB_OK)
			return ST_DB;
		if (!db_rows(*keep))
			return invalid(c->info, "operation_id", "no such labour operation");
		if (!db_isnull(*keep, 0, 3) && model && db_int(*keep, 0, 3) != model)
			return invalid(c->info, "operation_id", "this labour operation is for another product model");
		if (!p->code)
			p->code = db_text(*keep, 0, 0);
		if (!p->name)
			p->name = db_text(*keep, 0, 1);
		if (!p->hours_x100)
			p->hours_x100 = (db_int(*keep, 0, 2) + 5) / 10;
	}
	if (!p->name || !*p->name)
		return invalid(c->info, "name", "a labour line needs operation_id or a name");
	if (p->hours_x100 <= 0)
		return invalid(c->info, "hours", "a labour line needs operation_id or hours above 0");
	p->rate = jint(in, "rate_fen", -1);
	if (p->rate < 0)
		p->rate = settings_int_tx(tx, tenant, "labour_rate_fen", 12000);
	if (!price_labour(p->hours_x100, p->rate, p->coef, &p->amount))
		return invalid(c->info, "hours", "the amount of this line is too large (at most ¥100,000,000.00)");
	return ST_OK;
}

/* An estimate line of this order that an actual line may carry out. */
static int estimate_ref_ok(db_tx *tx, struct ln_ctx *c, int64_t ref)
{
	int64_t one;
	dbv p[] = {VI(ref), VI(c->who->tenant_id), VI(c->order_id)};
	int rc = db_query_int(tx, "SELECT 1 FROM wo_lines WHERE id = ? AND tenant_id = ? AND order_id = ? AND stage = 'estimate'",
			      p, 3, &one);
	if (rc == ST_NOT_FOUND)
		return invalid(c->info, "estimate_line_id", "no such estimate line on this order");
	return rc;
}

static bool is_additional(const char *stage, const char *status, const char *pay, int64_t amount, int64_t est_ref)
{
	return !strcmp(stage, "actual") && is_one_of(status, work_states) && !strcmp(pay, "self_pay") && amount > 0 &&
	       !est_ref;
}

static json_t *line_brief(json_t *line)
{
	return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "line_id", json_object_get(line, "id"), "stage",
			 json_object_get(line, "stage"), "kind", json_object_get(line, "kind"), "name",
			 json_object_get(line, "name"), "amount_fen", json_object_get(line, "amount_fen"), "pay_type",
			 json_object_get(line, "pay_type"), "additional", json_object_get(line, "additional"));
}

static int add_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *in = c->in, *order = NULL, *wty = NULL, *line = NULL;
	db_res *op = NULL;
	const char *stage = json_string_value(json_object_get(in, "stage")), *kind = json_string_value(json_object_get(in, "kind"));
	int rc = order_open(tx, c, &order);
	if (rc != ST_OK)
		return rc;
	int64_t n = 0, version = 0, est_ref = jint(in, "estimate_line_id", 0);
	dbv pc[] = {VI(who->tenant_id), VI(c->order_id), VT(stage)};
	rc = db_query_int(tx, "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = ?", pc, 3, &n);
	if (rc == ST_OK && n >= LN_MAX_PER_STAGE)
		rc = invalid(c->info, "stage", "an order holds at most 200 lines per stage");
	if (rc == ST_OK && est_ref && strcmp(stage, "actual"))
		rc = invalid(c->info, "estimate_line_id", "only an actual line carries out an estimate line");
	if (rc == ST_OK && est_ref)
		rc = estimate_ref_ok(tx, c, est_ref);
	struct priced p;
	if (rc == ST_OK)
		rc = price_line(tx, c, order, in, kind, &p, &op);
	if (rc == ST_OK)
		rc = pay_default(tx, who, order, kind, &wty);
	if (rc != ST_OK)
		goto out;
	const char *pay = json_string_value(json_object_get(in, "pay_type"));
	if (!pay)
		pay = json_string_value(json_object_get(wty, "pay_type"));
	bool add = is_additional(stage, json_string_value(json_object_get(order, "status")), pay, p.amount, est_ref);
	int64_t now = now_ms(), lid = 0;
	dbv pi[] = {VI(who->tenant_id),
		    VI(c->order_id),
		    VT(stage),
		    VT(kind),
		    p.op_id ? VI(p.op_id) : VN,
		    VT(p.code),
		    VT(p.name),
		    p.labour ? VI(p.hours_x100) : VN,
		    p.labour ? VI(p.rate) : VN,
		    p.labour ? VI(p.coef) : VN,
		    VI(p.labour ? 1000 : p.qty_milli),
		    p.labour ? VN : VI(p.unit),
		    VI(p.amount),
		    VT(pay),
		    VI(add ? 1 : 0),
		    est_ref ? VI(est_ref) : VN,
		    who->user_id ? VI(who->user_id) : VN,
		    VI(now),
		    VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO wo_lines(tenant_id, order_id, stage, kind, operation_id, code, name, hours_x100, rate_fen, "
			 "coefficient_milli, qty_milli, unit_price_fen, amount_fen, pay_type, additional, estimate_line_id, "
			 "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			 "RETURNING id",
			 pi, 19, &lid) != ST_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = line_load(tx, who->tenant_id, c->order_id, lid, &line)) != ST_OK ||
	    (rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	json_t *data = line_brief(line);
	rc = record(tx, c, "line_add", NULL, line, data, !strcmp(stage, "estimate") || add);
	json_decref(data);
	if (rc != ST_OK)
		goto out;
	c->out = json_pack("{s:O?, s:I, s:O?}", "line", line, "version", (json_int_t)version, "warranty", wty);
	rc = idem_save(tx, c->a, 201, c->out, NULL);
out:
	db_res_free(op);
	json_decref(line);
	json_decref(wty);
	json_decref(order);
	return rc;
}

int store_wo_line_add(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, add_fn, &c), &c, out);
}

/* The fields whose change the timeline shows, before → after. */
static void diff(json_t *before, json_t *after, json_t **b, json_t **a)
{
	static const char *const keys[] = {"name", "code", "hours", "rate_fen", "qty", "unit_price_fen", "amount_fen",
					   "pay_type", "additional", "estimate_line_id", "done", "consent_at", NULL};
	*b = json_object();
	*a = json_object();
	for (int i = 0; keys[i]; i++) {
		json_t *x = json_object_get(before, keys[i]), *y = json_object_get(after, keys[i]);
		if (!json_equal(x, y) && (x || y)) {
			json_object_set(*b, keys[i], x ? x : json_null());
			json_object_set(*a, keys[i], y ? y : json_null());
		}
	}
}

static int change_record(db_tx *tx, struct ln_ctx *c, json_t *before, json_t *after, bool public_)
{
	json_t *b, *a;
	diff(before, after, &b, &a);
	json_t *data = json_pack("{s:O?, s:O?, s:O?, s:o, s:o}", "line_id", json_object_get(after, "id"), "stage",
				 json_object_get(after, "stage"), "name", json_object_get(after, "name"), "before", b, "after", a);
	int rc = record(tx, c, "line_change", before, after, data, public_);
	json_decref(data);
	return rc;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *in = c->in, *order = NULL, *before = NULL, *after = NULL, *merged = NULL;
	db_res *op = NULL;
	int64_t version = 0;
	int rc = order_open(tx, c, &order);
	if (rc == ST_OK)
		rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &before);
	if (rc != ST_OK)
		goto out;
	const char *stage = json_string_value(json_object_get(before, "stage")),
		   *kind = json_string_value(json_object_get(before, "kind"));
	if (!strcmp(kind, "labour") && (json_object_get(in, "_qty_milli") || json_object_get(in, "unit_price_fen"))) {
		rc = invalid(c->info, json_object_get(in, "_qty_milli") ? "qty" : "unit_price_fen",
			     "a labour line is priced by hours × rate, not by qty × unit price");
		goto out;
	}
	if (strcmp(kind, "labour") && (json_object_get(in, "_hours_x100") || json_object_get(in, "rate_fen"))) {
		rc = invalid(c->info, json_object_get(in, "_hours_x100") ? "hours" : "rate_fen",
			     "hours and rate belong to labour lines");
		goto out;
	}
	/* The line as it would be: stored values, overridden by the body. */
	merged = json_pack("{s:O?, s:O?, s:O?, s:O?}", "code", json_object_get(before, "code"), "name",
			   json_object_get(before, "name"), "unit_price_fen", json_object_get(before, "unit_price_fen"),
			   "pay_type", json_object_get(before, "pay_type"));
	json_object_set_new(merged, "_qty_milli", json_integer(jint(before, "qty_milli", 1000)));
	if (!strcmp(kind, "labour")) {
		json_object_set_new(merged, "_hours_x100", json_integer(jint(before, "hours_x100", 0)));
		json_object_set_new(merged, "rate_fen", json_integer(jint(before, "rate_fen", 0)));
	}
	json_object_set(merged, "estimate_line_id", json_object_get(before, "estimate_line_id"));
	json_object_update(merged, in);
	int64_t est_ref = jint(merged, "estimate_line_id", 0);
	if (est_ref && strcmp(stage, "actual"))
		rc = invalid(c->info, "estimate_line_id", "only an actual line carries out an estimate line");
	else if (est_ref && est_ref != jint(before, "estimate_line_id", 0))
		rc = estimate_ref_ok(tx, c, est_ref);
	struct priced p;
	if (rc == ST_OK)
		rc = price_line(tx, c, order, merged, kind, &p, &op);
	if (rc != ST_OK)
		goto out;
	if (p.labour) /* the coefficient priced at creation stays (the model may change later) */
	{
		p.coef = jint(before, "coefficient_milli", 1000);
		if (!price_labour(p.hours_x100, p.rate, p.coef, &p.amount)) {
			rc = invalid(c->info, "hours", "the amount of this line is too large (at most ¥100,000,000.00)");
			goto out;
		}
	}
	const char *pay = json_string_value(json_object_get(merged, "pay_type"));
	const char *status = json_string_value(json_object_get(order, "status"));
	int64_t old_amount = jint(before, "amount_fen", 0);
	bool was_add = json_is_true(json_object_get(before, "additional"));
	/* Still (or now) an additional item: an extra the customer pays, and either one already or a
	 * price raised during work. A raised additional item needs the customer's consent again. */
	bool extra = !strcmp(stage, "actual") && !strcmp(pay, "self_pay") && p.amount > 0 && !est_ref;
	bool add = extra && (was_add || (is_one_of(status, work_states) && p.amount > old_amount));
	bool reconsent = add && (!was_add || p.amount > old_amount);
	dbv pu[] = {VT(p.code),
		    VT(p.name),
		    p.labour ? VI(p.hours_x100) : VN,
		    p.labour ? VI(p.rate) : VN,
		    VI(p.labour ? 1000 : p.qty_milli),
		    p.labour ? VN : VI(p.unit),
		    VI(p.amount),
		    VT(pay),
		    VI(add ? 1 : 0),
		    est_ref ? VI(est_ref) : VN,
		    VI(now_ms()),
		    VI(c->line_id),
		    VI(who->tenant_id)};
	if (db_exec(tx,
		    "UPDATE wo_lines SET code = ?, name = ?, hours_x100 = ?, rate_fen = ?, qty_milli = ?, unit_price_fen = ?, "
		    "amount_fen = ?, pay_type = ?, additional = ?, estimate_line_id = ?, updated_at = ?, "
		    "version = version + 1 WHERE id = ? AND tenant_id = ?",
		    pu, 13) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if (reconsent) {
		dbv pr[] = {VI(c->line_id)};
		if (db_exec(tx,
			    "UPDATE wo_lines SET consent_at = NULL, consent_by = NULL, consent_channel = NULL, done = 0 WHERE id = ?",
			    pr, 1) !=
		    DB_OK) {
			rc = ST_DB;
			goto out;
		}
	}
	if ((rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &after)) != ST_OK ||
	    (rc = order_touch(tx, c->order_id, &version)) != ST_OK ||
	    (rc = change_record(tx, c, before, after, !strcmp(stage, "estimate") || add)) != ST_OK)
		goto out;
	c->out = json_pack("{s:O?, s:I}", "line", after, "version", (json_int_t)version);
out:
	db_res_free(op);
	json_decref(merged);
	json_decref(before);
	json_decref(after);
	json_decref(order);
	return rc;
}

int store_wo_line_update(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
			 json_t **out, st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .line_id = line_id, .if_match = if_match,
			   .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

static int delete_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *before = NULL;
	int64_t version = 0;
	int rc = order_open(tx, c, &order);
	if (rc == ST_OK)
		rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &before);
	if (rc != ST_OK)
		goto out;
	dbv p[] = {VI(who->tenant_id), VI(c->order_id), VI(c->line_id)};
	/* actual lines that carried out this estimate line stay, as lines of their own */
	if (db_exec(tx, "UPDATE wo_lines SET estimate_line_id = NULL WHERE tenant_id = ? AND order_id = ? AND estimate_line_id = ?",
		    p, 3) != DB_OK ||
	    db_exec(tx, "DELETE FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND id = ?", p, 3) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	json_t *data = line_brief(before);
	rc = record(tx, c, "line_remove", before, NULL, data,
		    !strcmp(json_string_value(json_object_get(before, "stage")), "estimate") ||
			    json_is_true(json_object_get(before, "additional")));
	json_decref(data);
	if (rc == ST_OK)
		c->out = json_pack("{s:I, s:I}", "id", (json_int_t)c->line_id, "version", (json_int_t)version);
out:
	json_decref(before);
	json_decref(order);
	return rc;
}

int store_wo_line_delete(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t **out,
			 st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .line_id = line_id, .if_match = if_match,
			   .info = info};
	return finish(db_write(d, delete_fn, &c), &c, out);
}

/* --- consent, done, copy -------------------------------------------------------------------- */

/* A wo_approvals row; *id set. */
static int approval_insert(db_tx *tx, struct ln_ctx *c, const char *kind, int64_t total, const char *by,
			   const char *channel, int64_t sig_id, json_t *line_ids, int64_t *id)
{
	char *ids = line_ids ? json_dumps(line_ids, JSON_COMPACT) : NULL;
	const principal *who = c->who;
	dbv p[] = {VI(who->tenant_id), VI(c->order_id), VT(kind), VI(total), VT(by), VT(channel),
		   sig_id ? VI(sig_id) : VN, VT(ids), who->user_id ? VI(who->user_id) : VN, VI(now_ms())};
	int rc = db_query_int(tx,
			      "INSERT INTO wo_approvals(tenant_id, order_id, kind, total_fen, by_name, channel, signature_id, "
			      "line_ids_json, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      p, 10, id);
	free(ids);
	return rc == ST_OK ? ST_OK : ST_DB;
}

/* Record the customer's consent on one additional line (the caller checked it is one). */
static int consent_line(db_tx *tx, struct ln_ctx *c, int64_t line_id, const char *by, const char *channel, int64_t at)
{
	dbv p[] = {VI(at), VT(by), VT(channel), VI(at), VI(line_id), VI(c->who->tenant_id)};
	return db_exec(tx,
		       "UPDATE wo_lines SET consent_at = ?, consent_by = ?, consent_channel = ?, updated_at = ?, "
		       "version = version + 1 WHERE id = ? AND tenant_id = ?",
		       p, 6) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

static int consent_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *before = NULL, *after = NULL;
	int64_t version = 0, sig = 0, appr = 0, now = now_ms();
	const char *by = json_string_value(json_object_get(c->in, "by_name")),
		   *channel = json_string_value(json_object_get(c->in, "channel")),
		   *signature = json_string_value(json_object_get(c->in, "signature"));
	int rc = order_open(tx, c, &order);
	if (rc == ST_OK)
		rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &before);
	if (rc != ST_OK)
		goto out;
	if (!json_is_true(json_object_get(before, "additional"))) {
		rc = conflict(c->info, "this line is not an additional item: it needs no separate consent");
		goto out;
	}
	if (signature && (rc = sig_store_tx(tx, c->a, c->order_id, signature, "consent", &sig, c->info)) != ST_OK)
		goto out;
	json_t *ids = json_pack("[I]", (json_int_t)c->line_id);
	rc = consent_line(tx, c, c->line_id, by, channel, now);
	if (rc == ST_OK)
		rc = approval_insert(tx, c, "additional", jint(before, "amount_fen", 0), by, channel, sig, ids, &appr);
	json_decref(ids);
	if (rc != ST_OK || (rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &after)) != ST_OK ||
	    (rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	json_t *data = json_pack("{s:I, s:O?, s:O?, s:s, s:s, s:b}", "line_id", (json_int_t)c->line_id, "name",
				 json_object_get(after, "name"), "amount_fen", json_object_get(after, "amount_fen"), "by_name",
				 by, "channel", channel, "signed", sig != 0);
	rc = record(tx, c, "consent", before, after, data, true);
	json_decref(data);
	if (rc != ST_OK)
		goto out;
	c->out = json_pack("{s:O?, s:I, s:I}", "line", after, "approval_id", (json_int_t)appr, "version", (json_int_t)version);
	rc = idem_save(tx, c->a, 200, c->out, NULL);
out:
	json_decref(before);
	json_decref(after);
	json_decref(order);
	return rc;
}

int store_wo_line_consent(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
			  json_t **out, st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .line_id = line_id, .if_match = if_match,
			   .in = in, .info = info};
	return finish(db_write(d, consent_fn, &c), &c, out);
}

static int done_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *before = NULL, *after = NULL;
	int64_t version = 0;
	json_t *flag = json_object_get(c->in, "done");
	bool done = !flag || json_is_true(flag);
	int rc = order_open(tx, c, &order);
	if (rc == ST_OK)
		rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &before);
	if (rc != ST_OK)
		goto out;
	if (strcmp(json_string_value(json_object_get(before, "stage")), "actual")) {
		rc = conflict(c->info, "only actual lines are marked done (an estimate line is carried out by an actual line)");
		goto out;
	}
	/* issue 4 item 5: an additional item cannot move to done until the customer agreed */
	if (done && json_is_true(json_object_get(before, "additional")) && json_is_null(json_object_get(before, "consent_at"))) {
		rc = conflict(c->info, "this additional item needs the customer's consent before it is done");
		c->info->current = json_pack("{s:s}", "guard", "consent_pending");
		goto out;
	}
	dbv p[] = {VI(done ? 1 : 0), VI(now_ms()), VI(c->line_id), VI(who->tenant_id)};
	if (db_exec(tx, "UPDATE wo_lines SET done = ?, updated_at = ?, version = version + 1 WHERE id = ? AND tenant_id = ?", p,
		    4) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = line_load(tx, who->tenant_id, c->order_id, c->line_id, &after)) != ST_OK ||
	    (rc = order_touch(tx, c->order_id, &version)) != ST_OK || (rc = change_record(tx, c, before, after, false)) != ST_OK)
		goto out;
	c->out = json_pack("{s:O?, s:I}", "line", after, "version", (json_int_t)version);
	rc = idem_save(tx, c->a, 200, c->out, NULL);
out:
	json_decref(before);
	json_decref(after);
	json_decref(order);
	return rc;
}

int store_wo_line_done(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
		       json_t **out, st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .line_id = line_id, .if_match = if_match,
			   .in = in, .info = info};
	return finish(db_write(d, done_fn, &c), &c, out);
}

/* Every estimate line no actual line carries out yet becomes an actual line pointing at it. */
static int copy_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *items = json_array();
	int64_t version = 0, n = 0;
	int rc = order_open(tx, c, &order);
	if (rc != ST_OK)
		goto out;
	dbv pc[] = {VI(who->tenant_id), VI(c->order_id)};
	if ((rc = db_query_int(tx, "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual'", pc,
			       2, &n)) != ST_OK)
		goto out;
	db_res *r;
	if (db_query(tx,
		     "SELECT e.id FROM wo_lines e WHERE e.tenant_id = ? AND e.order_id = ? AND e.stage = 'estimate' AND NOT "
		     "EXISTS (SELECT 1 FROM wo_lines x WHERE x.tenant_id = e.tenant_id AND x.order_id = e.order_id AND "
		     "x.estimate_line_id = e.id) ORDER BY e.id",
		     pc, 2, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if (n + db_rows(r) > LN_MAX_PER_STAGE) {
		db_res_free(r);
		rc = invalid(c->info, "stage", "an order holds at most 200 lines per stage");
		goto out;
	}
	int64_t now = now_ms();
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		int64_t lid;
		json_t *line = NULL;
		dbv pi[] = {VI(who->user_id ? who->user_id : 0), VI(now), VI(now), VI(db_int(r, i, 0)), VI(who->tenant_id)};
		if (db_query_int(tx,
				 "INSERT INTO wo_lines(tenant_id, order_id, stage, kind, operation_id, code, name, hours_x100, "
				 "rate_fen, coefficient_milli, qty_milli, unit_price_fen, amount_fen, pay_type, additional, "
				 "estimate_line_id, created_by, created_at, updated_at) SELECT tenant_id, order_id, 'actual', kind, "
				 "operation_id, code, name, hours_x100, rate_fen, coefficient_milli, qty_milli, unit_price_fen, "
				 "amount_fen, pay_type, 0, id, nullif(?, 0), ?, ? FROM wo_lines WHERE id = ? AND tenant_id = ? "
				 "RETURNING id",
				 pi, 5, &lid) != ST_OK)
			rc = ST_DB;
		else if ((rc = line_load(tx, who->tenant_id, c->order_id, lid, &line)) == ST_OK)
			json_array_append_new(items, line);
	}
	db_res_free(r);
	if (rc != ST_OK)
		goto out;
	version = jint(order, "version", 0);
	if (json_array_size(items)) {
		if ((rc = order_touch(tx, c->order_id, &version)) != ST_OK)
			goto out;
		json_t *data = json_pack("{s:s, s:I}", "copied", "estimate→actual", "count", (json_int_t)json_array_size(items));
		rc = record(tx, c, "line_add", NULL, items, data, false);
		json_decref(data);
		if (rc != ST_OK)
			goto out;
	}
	c->out = json_pack("{s:O?, s:I, s:I}", "items", items, "copied", (json_int_t)json_array_size(items), "version",
			   (json_int_t)version);
	rc = idem_save(tx, c->a, 200, c->out, NULL);
out:
	json_decref(items);
	json_decref(order);
	return rc;
}

int store_wo_lines_copy(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t **out, st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .info = info};
	return finish(db_write(d, copy_fn, &c), &c, out);
}

/* --- estimate terms and approvals ----------------------------------------------------------- */

static int estimate_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	json_t *in = c->in, *before = NULL;
	int rc = order_open(tx, c, &before);
	if (rc != ST_OK)
		return rc;
	json_t *pm = json_object_get(in, "_promised_ms"), *lim = json_object_get(in, "approval_limit_fen");
	dbv p[] = {VI(pm ? 1 : 0), json_integer_value(pm) > 0 ? VI(json_integer_value(pm)) : VN, VI(lim ? 1 : 0),
		   json_is_integer(lim) ? VI(json_integer_value(lim)) : VN, VI(c->order_id), VI(c->who->tenant_id)};
	int64_t version;
	if (db_exec(tx,
		    "UPDATE work_orders SET promised_at = CASE WHEN ? = 1 THEN ? ELSE promised_at END, "
		    "approval_limit_fen = CASE WHEN ? = 1 THEN ? ELSE approval_limit_fen END WHERE id = ? AND tenant_id = ?",
		    p, 6) != DB_OK) {
		json_decref(before);
		return ST_DB;
	}
	if ((rc = order_touch(tx, c->order_id, &version)) == ST_OK)
		rc = wo_load_tx(tx, c->who, c->order_id, &c->out);
	if (rc == ST_OK) {
		json_t *data = json_pack("{s:{s:O?, s:O?}, s:{s:O?, s:O?}}", "before", "promised_at",
					 json_object_get(before, "promised_at"), "approval_limit_fen",
					 json_object_get(before, "approval_limit_fen"), "after", "promised_at",
					 json_object_get(c->out, "promised_at"), "approval_limit_fen",
					 json_object_get(c->out, "approval_limit_fen"));
		rc = record(tx, c, "estimate", before, c->out, data, true);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(before);
	return rc;
}

int store_wo_estimate_set(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, estimate_fn, &c), &c, out);
}

#define AP_COLS "id, order_id, kind, total_fen, by_name, channel, signature_id, line_ids_json, actor_id, at"

static json_t *approval_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "actor_name", json_null());
	return o;
}

static int approval_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *in = c->in, *order = NULL, *totals = NULL, *ids = NULL;
	const char *kind = json_string_value(json_object_get(in, "kind")),
		   *by = json_string_value(json_object_get(in, "by_name")),
		   *channel = json_string_value(json_object_get(in, "channel")),
		   *signature = json_string_value(json_object_get(in, "signature"));
	int64_t payable = 0, total = 0, sig = 0, id = 0, version = 0, now = now_ms();
	int rc = order_open(tx, c, &order);
	if (rc == ST_OK)
		rc = wo_lines_totals_tx(tx, who->tenant_id, c->order_id, &totals, &payable);
	if (rc != ST_OK)
		goto out;
	if (!strcmp(kind, "estimate")) {
		int64_t n = 0;
		dbv pc[] = {VI(who->tenant_id), VI(c->order_id)};
		if ((rc = db_query_int(tx, "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ?", pc, 2, &n)) !=
		    ST_OK)
			goto out;
		if (!n) {
			rc = conflict(c->info, "nothing to approve: the estimate has no lines yet");
			goto out;
		}
		total = payable;
	} else {
		/* additional items: the ones named, else every one still waiting for consent */
		json_t *want = json_object_get(in, "line_ids");
		dbv pl[] = {VI(who->tenant_id), VI(c->order_id)};
		db_res *r;
		if (db_query(tx,
			     "SELECT id, amount_fen, consent_at FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND "
			     "stage = 'actual' AND additional = 1 ORDER BY id",
			     pl, 2, &r) != DB_OK) {
			rc = ST_DB;
			goto out;
		}
		ids = json_array();
		size_t i;
		json_t *w;
		json_array_foreach(want, i, w) {
			bool found = false;
			for (int k = 0; k < db_rows(r) && !found; k++)
				found = db_int(r, k, 0) == json_integer_value(w);
			if (!found) {
				db_res_free(r);
				rc = invalid(c->info, "line_ids", "a line named is not an additional item of this order");
				goto out;
			}
		}
		for (int k = 0; k < db_rows(r); k++) {
			bool named = false;
			json_array_foreach(want, i, w) named = named || json_integer_value(w) == db_int(r, k, 0);
			if (want ? named : db_isnull(r, k, 2)) {
				json_array_append_new(ids, json_integer(db_int(r, k, 0)));
				total += db_int(r, k, 1);
			}
		}
		db_res_free(r);
		if (!json_array_size(ids)) {
			rc = conflict(c->info, "no additional item is waiting for the customer's consent");
			goto out;
		}
	}
	if (signature && (rc = sig_store_tx(tx, c->a, c->order_id, signature, kind, &sig, c->info)) != ST_OK)
		goto out;
	if ((rc = approval_insert(tx, c, kind, total, by, channel, sig, ids, &id)) != ST_OK)
		goto out;
	if (!strcmp(kind, "estimate")) {
		dbv pu[] = {VI(total), VI(now), VI(c->order_id), VI(who->tenant_id)};
		if (db_exec(tx, "UPDATE work_orders SET approved_total_fen = ?, approved_at = ? WHERE id = ? AND tenant_id = ?", pu,
			    4) != DB_OK) {
			rc = ST_DB;
			goto out;
		}
	} else {
		size_t i;
		json_t *w;
		json_array_foreach(ids, i, w) if (rc == ST_OK) rc = consent_line(tx, c, json_integer_value(w), by, channel, now);
		if (rc != ST_OK)
			goto out;
	}
	if ((rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	dbv pa[] = {VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " AP_COLS " FROM wo_approvals WHERE id = ?", pa, 1, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	json_t *appr = approval_json(r, 0);
	db_res_free(r);
	json_t *data = json_pack("{s:s, s:s, s:s, s:I, s:b}", "kind", kind, "by_name", by, "channel", channel, "total_fen",
				 (json_int_t)total, "signed", sig != 0);
	if (ids)
		json_object_set(data, "line_ids", ids);
	rc = record(tx, c, !strcmp(kind, "estimate") ? "approval" : "consent", NULL, appr, data, true);
	json_decref(data);
	if (rc == ST_OK) {
		c->out = json_pack("{s:o, s:I, s:I, s:b}", "approval", appr, "approved_total_fen",
				   (json_int_t)(!strcmp(kind, "estimate") ? total : jint(order, "approved_total_fen", 0)),
				   "version", (json_int_t)version, "approval_needed", 0);
		/* still above the limit after an approval of additional items only? */
		json_t *fresh = NULL;
		if (!strcmp(kind, "additional") && wo_load_tx(tx, who, c->order_id, &fresh) == ST_OK) {
			json_object_set_new(c->out, "approval_needed", json_boolean(approval_needed(fresh, payable)));
			json_object_set(c->out, "approved_total_fen", json_object_get(fresh, "approved_total_fen"));
		}
		json_decref(fresh);
		rc = idem_save(tx, c->a, 201, c->out, NULL);
	} else {
		json_decref(appr);
	}
out:
	json_decref(ids);
	json_decref(totals);
	json_decref(order);
	return rc;
}

int store_wo_approval_add(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, approval_fn, &c), &c, out);
}

/* Approvals of an order, newest first, each with its signature image (small PNGs). */
static int approvals_of(db_tx *tx, const principal *who, int64_t order_id, json_t **items)
{
	dbv p[] = {VI(who->tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT a.id, a.order_id, a.kind, a.total_fen, a.by_name, a.channel, a.signature_id, a.line_ids_json, "
		     "a.actor_id, a.at, (SELECT name FROM users WHERE id = a.actor_id) AS _actor FROM wo_approvals a "
		     "WHERE a.tenant_id = ? AND a.order_id = ? ORDER BY a.id DESC",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	*items = json_array();
	for (int i = 0; i < db_rows(r); i++) {
		json_t *o = row_json(r, i);
		const char *actor_name = db_text(r, i, 10);
		json_object_set_new(o, "actor_name", actor_name ? json_string(actor_name) : json_null());
		char *url = sig_data_url_tx(tx, who->tenant_id, db_int(r, i, 6));
		json_object_set_new(o, "signature", url ? json_string(url) : json_null());
		free(url);
		json_array_append_new(*items, o);
	}
	db_res_free(r);
	return ST_OK;
}

static int approvals_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->order_id, &order);
	json_decref(order);
	return rc == ST_OK ? approvals_of(tx, c->who, c->order_id, &c->out) : rc;
}

int store_wo_approvals(db *d, const principal *who, int64_t order_id, json_t **items)
{
	struct ln_ctx c = {.who = who, .order_id = order_id};
	return finish(db_read(d, approvals_fn, &c), &c, items);
}

/* --- car reception (接车) ------------------------------------------------------------------ */

#define RC_COLS "id, order_id, sheet_json, mileage, signature_id, signed_at, created_by, created_at, updated_at, version"

/* The sheet as the API shows it: its fields at the top level, the signature image as a data URL. */
static int reception_load(db_tx *tx, int64_t tenant, int64_t order_id, json_t **out)
{
	*out = NULL;
	dbv p[] = {VI(tenant), VI(order_id)};
	db_res *r;
	if (db_query(tx, "SELECT " RC_COLS " FROM wo_receptions WHERE tenant_id = ? AND order_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	json_t *o = row_json(r, 0), *sheet = json_object_get(o, "sheet");
	if (json_is_object(sheet))
		json_object_update_missing(o, sheet);
	json_object_del(o, "sheet");
	char *url = sig_data_url_tx(tx, tenant, db_int(r, 0, 4));
	json_object_set_new(o, "signature", url ? json_string(url) : json_null());
	free(url);
	db_res_free(r);
	*out = o;
	return ST_OK;
}

static int last_km(db_tx *tx, int64_t tenant, int64_t asset, int64_t *km)
{
	*km = -1;
	if (!asset)
		return ST_OK;
	dbv p[] = {VI(tenant), VI(asset)};
	int rc = db_query_int(tx, "SELECT km FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id DESC LIMIT 1",
			      p, 2, km);
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

static int reception_view(db_tx *tx, const principal *who, int64_t order_id, json_t *order, json_t **out)
{
	json_t *rec = NULL;
	int64_t km;
	int rc = reception_load(tx, who->tenant_id, order_id, &rec);
	if (rc != ST_OK && rc != ST_NOT_FOUND)
		return rc;
	if ((rc = last_km(tx, who->tenant_id, jint(order, "asset_id", 0), &km)) != ST_OK) {
		json_decref(rec);
		return rc;
	}
	*out = json_pack("{s:o, s:O?, s:O?, s:o, s:O?}", "reception", rec ? rec : json_null(), "version",
			 json_object_get(order, "version"), "asset_id", json_object_get(order, "asset_id"), "last_km",
			 km >= 0 ? json_integer(km) : json_null(), "status", json_object_get(order, "status"));
	return ST_OK;
}

static int reception_get_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->order_id, &order);
	if (rc == ST_OK)
		rc = reception_view(tx, c->who, c->order_id, order, &c->out);
	json_decref(order);
	return rc;
}

int store_wo_reception_get(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ln_ctx c = {.who = who, .order_id = order_id};
	return finish(db_read(d, reception_get_fn, &c), &c, out);
}

static const char *const sheet_keys[] = {"damages", "fuel", "valuables_reminded", "valuables_note", "old_parts",
					 "wash", "payment_method", NULL};

static int reception_put_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *in = c->in, *order = NULL, *before = NULL, *sheet = json_object(), *reading = NULL;
	int64_t version = 0, now = now_ms();
	int rc = order_open(tx, c, &order);
	if (rc != ST_OK)
		goto out;
	rc = reception_load(tx, who->tenant_id, c->order_id, &before);
	if (rc != ST_OK && rc != ST_NOT_FOUND)
		goto out;
	for (int i = 0; sheet_keys[i]; i++)
		if (json_object_get(in, sheet_keys[i]))
			json_object_set(sheet, sheet_keys[i], json_object_get(in, sheet_keys[i]));
	json_t *km = json_object_get(in, "mileage");
	int64_t asset = jint(order, "asset_id", 0);
	/* the mileage feeds the asset's readings (once per value: saving the sheet again adds none) */
	if (json_is_integer(km) && asset && !json_equal(km, json_object_get(before, "mileage"))) {
		char day[11];
		wty_day_format(civil_day(now, who->tz_offset_min), day);
		json_t *rin = json_pack("{s:s, s:O?, s:b, s:O?}", "date", day, "km", km, "odometer_change",
					json_is_true(json_object_get(in, "odometer_change")), "reason",
					json_object_get(in, "odometer_reason") ? json_object_get(in, "odometer_reason") : json_null());
		rc = asset_reading_add_tx(tx, c->a, asset, rin, &reading, c->info);
		json_decref(rin);
		if (rc == ST_INVALID) {
			/* the reading's rules speak of km and date; on this form it is the mileage */
			if (!strcmp(c->info->field, "reason"))
				snprintf(c->info->field, sizeof c->info->field, "odometer_reason");
			else
				snprintf(c->info->field, sizeof c->info->field, "mileage");
		}
		if (rc != ST_OK)
			goto out;
	}
	if (json_is_integer(km)) {
		dbv pm[] = {VI(json_integer_value(km)), VI(c->order_id), VI(who->tenant_id)};
		if (db_exec(tx, "UPDATE work_orders SET mileage = ? WHERE id = ? AND tenant_id = ?", pm, 3) != DB_OK) {
			rc = ST_DB;
			goto out;
		}
	}
	char *s = json_dumps(sheet, JSON_COMPACT | JSON_SORT_KEYS);
	/* a sheet changed after the customer signed it must be signed again */
	bool same = false;
	if (before) {
		json_t *old = json_object();
		for (int i = 0; sheet_keys[i]; i++)
			if (json_object_get(before, sheet_keys[i]))
				json_object_set(old, sheet_keys[i], json_object_get(before, sheet_keys[i]));
		same = json_equal(old, sheet) && json_equal(json_object_get(before, "mileage"), km ? km : json_null());
		json_decref(old);
	}
	int e;
	if (before) {
		dbv pu[] = {VT(s), json_is_integer(km) ? VI(json_integer_value(km)) : VN, VI(same ? 1 : 0), VI(same ? 1 : 0),
			    VI(now), VI(who->tenant_id), VI(c->order_id)};
		e = db_exec(tx,
			    "UPDATE wo_receptions SET sheet_json = ?, mileage = ?, "
			    "signature_id = CASE WHEN ? = 1 THEN signature_id ELSE NULL END, "
			    "signed_at = CASE WHEN ? = 1 THEN signed_at ELSE NULL END, updated_at = ?, version = version + 1 "
			    "WHERE tenant_id = ? AND order_id = ?",
			    pu, 7);
	} else {
		dbv pi[] = {VI(who->tenant_id), VI(c->order_id), VT(s), json_is_integer(km) ? VI(json_integer_value(km)) : VN,
			    who->user_id ? VI(who->user_id) : VN, VI(now), VI(now)};
		e = db_exec(tx,
			    "INSERT INTO wo_receptions(tenant_id, order_id, sheet_json, mileage, created_by, created_at, "
			    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			    pi, 7);
	}
	free(s);
	if (e != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	json_t *fresh = NULL;
	if ((rc = wo_load_tx(tx, who, c->order_id, &fresh)) != ST_OK || (rc = reception_view(tx, who, c->order_id, fresh, &c->out)) != ST_OK) {
		json_decref(fresh);
		goto out;
	}
	json_decref(fresh);
	json_t *rec = json_object_get(c->out, "reception");
	json_t *data = json_pack("{s:I, s:O?, s:O?, s:b}", "damages", (json_int_t)json_array_size(json_object_get(sheet, "damages")),
				 "fuel", json_object_get(sheet, "fuel") ? json_object_get(sheet, "fuel") : json_null(), "mileage",
				 km ? km : json_null(), "signature_cleared",
				 before && !same && json_is_string(json_object_get(before, "signed_at")));
	/* the audit keeps the sheets without the signature images */
	json_t *b = before ? json_deep_copy(before) : NULL, *a = json_deep_copy(rec);
	if (b)
		json_object_del(b, "signature");
	json_object_del(a, "signature");
	rc = record(tx, c, "reception", b, a, data, true);
	json_decref(b);
	json_decref(a);
	json_decref(data);
out:
	json_decref(reading);
	json_decref(sheet);
	json_decref(before);
	json_decref(order);
	return rc;
}

int store_wo_reception_put(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			   st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, reception_put_fn, &c), &c, out);
}

static int reception_sign_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *before = NULL;
	int64_t version = 0, sig = 0, appr = 0, now = now_ms();
	const char *by = json_string_value(json_object_get(c->in, "by_name"));
	int rc = order_open(tx, c, &order);
	if (rc != ST_OK)
		goto out;
	rc = reception_load(tx, who->tenant_id, c->order_id, &before);
	if (rc == ST_NOT_FOUND) {
		rc = conflict(c->info, "fill in the reception sheet before the customer signs it");
		goto out;
	}
	if (rc != ST_OK ||
	    (rc = sig_store_tx(tx, c->a, c->order_id, json_string_value(json_object_get(c->in, "signature")), "reception", &sig,
			       c->info)) != ST_OK ||
	    (rc = approval_insert(tx, c, "reception", 0, by, "signature", sig, NULL, &appr)) != ST_OK)
		goto out;
	/* signed_by lives in the sheet: a changed sheet loses it with the signature */
	dbv ps[] = {VI(who->tenant_id), VI(c->order_id)};
	db_res *r;
	if (db_query(tx, "SELECT sheet_json FROM wo_receptions WHERE tenant_id = ? AND order_id = ?", ps, 2, &r) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	json_t *sheet = db_rows(r) && db_text(r, 0, 0) ? json_loads(db_text(r, 0, 0), 0, NULL) : NULL;
	db_res_free(r);
	if (!json_is_object(sheet)) {
		json_decref(sheet);
		sheet = json_object();
	}
	json_object_set_new(sheet, "signed_by", json_string(by));
	char *text = json_dumps(sheet, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(sheet);
	dbv p[] = {VI(sig), VI(now), VT(text), VI(now), VI(who->tenant_id), VI(c->order_id)};
	int e = db_exec(tx,
			"UPDATE wo_receptions SET signature_id = ?, signed_at = ?, sheet_json = ?, updated_at = ?, "
			"version = version + 1 WHERE tenant_id = ? AND order_id = ?",
			p, 6);
	free(text);
	if (e != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = order_touch(tx, c->order_id, &version)) != ST_OK)
		goto out;
	json_t *fresh = NULL;
	if ((rc = wo_load_tx(tx, who, c->order_id, &fresh)) == ST_OK)
		rc = reception_view(tx, who, c->order_id, fresh, &c->out);
	json_decref(fresh);
	if (rc != ST_OK)
		goto out;
	json_t *data = json_pack("{s:s, s:I}", "by_name", by, "approval_id", (json_int_t)appr);
	json_t *after = json_pack("{s:s, s:I}", "signed_by", by, "signature_id", (json_int_t)sig);
	rc = record(tx, c, "reception_sign", NULL, after, data, true);
	json_decref(after);
	json_decref(data);
	if (rc == ST_OK) {
		/* the idempotent replay need not carry the image again */
		json_t *copy = json_deep_copy(c->out);
		json_object_set_new(json_object_get(copy, "reception"), "signature", json_null());
		rc = idem_save(tx, c->a, 200, copy, NULL);
		json_decref(copy);
	}
out:
	json_decref(before);
	json_decref(order);
	return rc;
}

int store_wo_reception_sign(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			    st_info *info)
{
	struct ln_ctx c = {.a = a, .who = a->who, .order_id = order_id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, reception_sign_fn, &c), &c, out);
}

/* --- the printable 任务委托书 --------------------------------------------------------------- */

static int estimate_doc_fn(db_tx *tx, void *arg)
{
	struct ln_ctx *c = arg;
	const principal *who = c->who;
	json_t *order = NULL, *view = NULL, *approvals = NULL, *rec = NULL, *asset = json_null();
	int rc = wo_load_tx(tx, who, c->order_id, &order);
	if (rc == ST_OK)
		rc = lines_view(tx, who, order, &view);
	if (rc == ST_OK)
		rc = approvals_of(tx, who, c->order_id, &approvals);
	if (rc == ST_OK) {
		rc = reception_load(tx, who->tenant_id, c->order_id, &rec);
		rc = rc == ST_NOT_FOUND ? ST_OK : rc;
	}
	int64_t aid = jint(order, "asset_id", 0);
	if (rc == ST_OK && aid) {
		dbv p[] = {VI(aid), VI(who->tenant_id)};
		db_res *r;
		if (db_query(tx,
			     "SELECT a.id, a.serial, a.plate, a.engine_no, a.purchase_date, m.brand, m.model, m.category "
			     "FROM assets a JOIN product_models m ON m.id = a.model_id WHERE a.id = ? AND a.tenant_id = ?",
			     p, 2, &r) != DB_OK)
			rc = ST_DB;
		else if (db_rows(r))
			asset = row_json(r, 0);
		if (rc == ST_OK)
			db_res_free(r);
	}
	if (rc != ST_OK)
		goto out;
	/* the company's name and terms as the tenant set them (settings), else the tenant's name */
	json_t *company = settings_get_tx(tx, who->tenant_id, "company_name"),
	       *terms = settings_get_tx(tx, who->tenant_id, "estimate_terms");
	if (!json_is_string(company)) {
		json_decref(company);
		company = NULL;
		dbv pt[] = {VI(who->tenant_id)};
		db_res *r;
		if (db_query(tx, "SELECT name FROM tenants WHERE id = ?", pt, 1, &r) == DB_OK) {
			if (db_rows(r))
				company = json_string(db_text(r, 0, 0));
			db_res_free(r);
		}
	}
	if (!json_is_string(terms)) {
		json_decref(terms);
		terms = NULL;
	}
	/* the latest approval of the estimate, and the latest one signed on the pad (its image) */
	json_t *signed_by = json_null(), *sig = json_null(), *signed_at = json_null(), *latest = NULL;
	size_t i;
	json_t *ap;
	json_array_foreach(approvals, i, ap) {
		if (strcmp(json_string_value(json_object_get(ap, "kind")), "estimate"))
			continue;
		if (!latest) {
			latest = ap;
			signed_by = json_object_get(ap, "by_name");
			signed_at = json_object_get(ap, "at");
		}
		if (json_is_string(json_object_get(ap, "signature"))) {
			sig = json_object_get(ap, "signature");
			break;
		}
	}
	c->out = json_pack("{s:O?, s:o, s:O?, s:O?, s:O?, s:O?, s:o, s:o, s:O?, s:o, s:O?}", "order", order, "asset", asset,
			   "lines", view, "approval_signed_by", signed_by, "approval_signature", sig, "approval_at", signed_at,
			   "company_name", company ? company : json_null(), "terms", terms ? terms : json_null(),
			   "reception_mileage", rec ? json_object_get(rec, "mileage") : json_null(), "approvals", approvals,
			   "version", json_object_get(order, "version"));
	approvals = NULL;
	asset = NULL;
out:
	json_decref(asset);
	json_decref(approvals);
	json_decref(view);
	json_decref(rec);
	json_decref(order);
	return rc;
}

int store_wo_estimate_doc(db *d, const principal *who, int64_t order_id, json_t **out)
{
	struct ln_ctx c = {.who = who, .order_id = order_id};
	return finish(db_read(d, estimate_doc_fn, &c), &c, out);
}
