/*
 * demo_flow.c — what the lifecycle leaves on the demo's base orders (issue 4): SLA deadlines
 * from the tenant's policies, the times each was met (first response, dispatch, on site,
 * completion, closing), the actual lines of orders that reached service, bills and payments
 * of settled orders, and the customers' ratings. The base orders are written directly by
 * demo_load.c; this pass runs in the same transaction, after them.
 */
#include "demo/demo_int.h"
#include "domain/pricing.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL

/* The flow's states in order (demo_status_names); cancelled stands apart. */
enum { R_ACCEPTED = 1, R_DISPATCHED = 2, R_IN_SERVICE = 5, R_COMPLETED = 8, R_SETTLED = 10, R_CLOSED = 11 };

static int status_rank(const char *s)
{
	for (int i = 0; i < DEMO_STATUSES; i++)
		if (!strcmp(demo_status_names[i], s))
			return strcmp(s, "cancelled") ? i : -1;
	return -1;
}

struct part {
	const char *code, *name;
	int64_t unit_fen;
};

static const struct part parts[] = {
	{"P-CAP-35", "压缩机启动电容 35μF", 4500},  {"P-FLT-AIR", "空调滤网", 3800},
	{"P-VALVE-IN", "洗衣机进水阀", 6800},       {"P-THERMO", "冰箱温控器", 8900},
	{"P-OIL-4L", "全合成机油 5W-30 4L", 42000},  {"P-FLT-OIL", "机油滤清器", 6500},
	{"P-PAD-F", "前刹车片（一套）", 38000},     {"P-BATT-12", "12V 蓄电池 60Ah", 56000},
};

struct fill {
	db_tx *tx;
	principal who;
	rng r;
	char *err;
	size_t errlen;
};

static int fail(struct fill *f, int rc, const char *what)
{
	snprintf(f->err, f->errlen, "%s: %s", what, db_errmsg(f->tx));
	return rc == ST_OK ? ST_DB : rc;
}

/* The moments the order met each step, between its creation and its last change. */
static int times_set(struct fill *f, int64_t id, int rank, int64_t created, int64_t updated)
{
	int64_t span = updated > created ? updated - created : HOUR_MS;
	int64_t responded = rank >= R_ACCEPTED ? created + rng_range(&f->r, 5, 60) * MIN_MS : 0;
	int64_t answered = rank >= R_DISPATCHED ? responded + rng_range(&f->r, 10, 180) * MIN_MS : 0;
	int64_t onsite = rank >= R_IN_SERVICE ? created + span / 3 : 0;
	int64_t done = rank >= R_COMPLETED ? created + span * 2 / 3 : 0;
	int64_t closed = rank >= R_CLOSED ? updated : 0;
	int rating = rank >= R_CLOSED && rng_pct(&f->r, 70) ? demo_rng_weighted(&f->r, (const int[]){1, 2, 6, 25, 66}, 5) + 1 : 0;
	int rework = rank >= R_COMPLETED && rng_pct(&f->r, 5);
	dbv p[] = {responded ? VI(responded) : VN,
		   answered ? VI(answered) : VN,
		   onsite ? VI(onsite) : VN,
		   done ? VI(done) : VN,
		   done ? VI(done) : VN,
		   closed ? VI(closed) : VN,
		   rating ? VI(rating) : VN,
		   VI(rework),
		   VI(updated),
		   VI(id)};
	if (db_exec(f->tx,
		    "UPDATE work_orders SET responded_at = ?, answered_at = ?, onsite_at = ?, completed_at = ?, "
		    "resolved_at = ?, closed_at = ?, rating = ?, rework_count = ?, state_since = ? WHERE id = ?",
		    p, 10) != DB_OK)
		return fail(f, ST_DB, "order times");
	return ST_OK;
}

struct line {
	const char *kind, *code, *name, *pay;
	int64_t hours_x100, rate, coef, qty, unit, amount;
};

static int line_add(struct fill *f, int64_t order, const struct line *l, bool done, int64_t at)
{
	dbv p[] = {VI(f->who.tenant_id), VI(order), VT(l->kind), VT(l->code), VT(l->name),
		   l->hours_x100 ? VI(l->hours_x100) : VN, l->rate ? VI(l->rate) : VN, l->coef ? VI(l->coef) : VN,
		   VI(l->qty), l->unit ? VI(l->unit) : VN, VI(l->amount), VT(l->pay), VI(done), VI(at), VI(at)};
	if (db_exec(f->tx,
		    "INSERT INTO wo_lines(tenant_id, order_id, stage, kind, code, name, hours_x100, rate_fen, "
		    "coefficient_milli, qty_milli, unit_price_fen, amount_fen, pay_type, done, created_at, updated_at) "
		    "VALUES (?, ?, 'actual', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    p, 15) != DB_OK)
		return fail(f, ST_DB, "order line");
	return ST_OK;
}

/* A settled order's bill, paid in full the day it was settled: the customer pays the
 * self-paid lines; 三包 lines are recorded at zero to the customer (for the claim). */
static int bill_add(struct fill *f, int64_t order, const struct line *ls, int n, int64_t at)
{
	int64_t labour = 0, partsum = 0, warranty = 0;
	json_t *lj = json_array();
	for (int i = 0; i < n; i++) {
		bool self = !strcmp(ls[i].pay, "self_pay");
		if (!self)
			warranty += ls[i].amount;
		else if (!strcmp(ls[i].kind, "labour"))
			labour += ls[i].amount;
		else
			partsum += ls[i].amount;
		json_array_append_new(lj, json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "kind", ls[i].kind, "code", ls[i].code,
						    "name", ls[i].name, "amount_fen", (json_int_t)ls[i].amount, "pay_type",
						    ls[i].pay, "customer_fen", (json_int_t)(self ? ls[i].amount : 0)));
	}
	char number[40], *js = json_dumps(lj, JSON_COMPACT);
	json_decref(lj);
	int64_t total = labour + partsum, bill;
	int rc = bill_number_at(f->tx, &f->who, "BL", at, number);
	dbv p[] = {VI(f->who.tenant_id), VI(order), VT(number), VI(labour), VI(partsum), VI(warranty), VI(total), VI(total),
		   VT(js), VI(at), VI(at)};
	if (rc == ST_OK)
		rc = db_query_int(f->tx,
				  "INSERT INTO bills(tenant_id, order_id, number, kind, state, labour_fen, parts_fen, fees_fen, "
				  "warranty_fen, total_fen, paid_fen, lines_json, created_at, updated_at) "
				  "VALUES (?, ?, ?, 'bill', 'paid', ?, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING id",
				  p, 11, &bill);
	free(js);
	if (rc != ST_OK)
		return fail(f, rc, "bill");
	if (!total)
		return ST_OK;
	static const char *const methods[] = {"wechat", "alipay", "card", "cash"};
	dbv pp[] = {VI(f->who.tenant_id), VI(bill), VI(order), VT(RNG_PICK(&f->r, methods)), VI(total), VI(at + 5 * MIN_MS)};
	if (db_exec(f->tx,
		    "INSERT INTO payments(tenant_id, bill_id, order_id, kind, method, amount_fen, at) "
		    "VALUES (?, ?, ?, 'payment', ?, ?, ?)",
		    pp, 6) != DB_OK)
		return fail(f, ST_DB, "payment");
	return ST_OK;
}

/* One labour line (an hour or three at ¥120, the model's coefficient), a part on most;
 * repairs are under 三包 two times in five. */
static int lines_add(struct fill *f, int64_t order, const char *type, int rank, int64_t at)
{
	bool warranty = !strcmp(type, "repair") && rng_pct(&f->r, 40);
	const char *pay = warranty ? "warranty" : "self_pay";
	struct line ls[2] = {{"labour", "L-STD", !strcmp(type, "maintenance") ? "定期保养工时" : "检测维修工时", pay,
			      rng_range(&f->r, 5, 30) * 10, 12000, 1000 + rng_range(&f->r, 0, 6) * 50, 1000, 0, 0}};
	price_labour(ls[0].hours_x100, ls[0].rate, ls[0].coef, &ls[0].amount);
	int n = 1;
	if (rng_pct(&f->r, 65)) {
		const struct part *pt = &RNG_PICK(&f->r, parts);
		ls[n] = (struct line){"part", pt->code, pt->name, pay, 0, 0, 0, 1000, pt->unit_fen, 0};
		price_qty(ls[n].qty, ls[n].unit, &ls[n].amount);
		n++;
	}
	int rc = ST_OK;
	for (int i = 0; i < n && rc == ST_OK; i++)
		rc = line_add(f, order, &ls[i], rank >= R_COMPLETED, at);
	if (rc == ST_OK && rank >= R_SETTLED)
		rc = bill_add(f, order, ls, n, at + 2 * HOUR_MS);
	return rc;
}

/* Where the orders are: the position and city of the customer's address the order names
 * (walk-in orders are at the outlet and keep none). */
static int positions_set(struct fill *f)
{
	dbv p[] = {VI(f->who.tenant_id)};
	if (db_exec(f->tx,
		    "UPDATE work_orders SET lat = (SELECT a.lat FROM customer_addresses a WHERE a.customer_id = "
		    "work_orders.customer_id AND a.text = work_orders.address ORDER BY a.id LIMIT 1), lon = (SELECT a.lon FROM "
		    "customer_addresses a WHERE a.customer_id = work_orders.customer_id AND a.text = work_orders.address "
		    "ORDER BY a.id LIMIT 1), region = (SELECT a.city FROM customer_addresses a WHERE a.customer_id = "
		    "work_orders.customer_id AND a.text = work_orders.address ORDER BY a.id LIMIT 1) WHERE tenant_id = ?",
		    p, 1) != DB_OK)
		return fail(f, ST_DB, "order positions");
	return ST_OK;
}

/* Technicians as dispatch resources: a profile (on duty, level = their best skill, based at
 * home, seen this morning near it, 15 km around), their skills, Monday–Saturday 08:30–17:30
 * with lunch 12:00–13:00, and a certificate for the car technicians. */
static int techs_fill(struct fill *f, int64_t today_ms)
{
	dbv p[] = {VI(f->who.tenant_id)};
	db_res *r;
	if (db_query(f->tx, "SELECT id, skills, lat, lon FROM users WHERE tenant_id = ? AND roles = 'technician' ORDER BY id",
		     p, 1, &r) != DB_OK)
		return fail(f, ST_DB, "technicians");
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		int64_t id = db_int(r, i, 0);
		json_t *sk = json_loads(db_text(r, i, 1) ? db_text(r, i, 1) : "[]", 0, NULL);
		int best = 1;
		bool car = false;
		size_t k;
		json_t *v;
		json_array_foreach(sk, k, v) {
			const char *cat = json_string_value(json_object_get(v, "category"));
			int lvl = (int)json_integer_value(json_object_get(v, "level"));
			best = lvl > best ? lvl : best;
			car = car || (cat && strstr(cat, "汽车"));
			dbv ps[] = {VI(f->who.tenant_id), VI(id), VT(cat), VI(lvl)};
			if (rc == ST_OK &&
			    db_exec(f->tx, "INSERT INTO tech_skills(tenant_id, user_id, skill, level) VALUES (?, ?, ?, ?)", ps, 4) !=
				    DB_OK)
				rc = fail(f, ST_DB, "technician skill");
		}
		json_decref(sk);
		double lat = db_real(r, i, 2), lon = db_real(r, i, 3);
		int64_t seen = today_ms + (8 * 60 + rng_range(&f->r, 0, 50)) * MIN_MS - (int64_t)f->who.tz_offset_min * MIN_MS;
		dbv pp[] = {VI(f->who.tenant_id), VI(id), VT(car ? "机电组" : "家电组"), db_isnull(r, i, 2) ? VN : VR(lat),
			    db_isnull(r, i, 3) ? VN : VR(lon), db_isnull(r, i, 2) ? VN : VR(lat + (rng_unit(&f->r) - 0.5) * 0.02),
			    db_isnull(r, i, 3) ? VN : VR(lon + (rng_unit(&f->r) - 0.5) * 0.02), VI(seen), VI(best), VI(seen),
			    VI(seen)};
		if (rc == ST_OK &&
		    db_exec(f->tx,
			    "INSERT INTO tech_profiles(tenant_id, user_id, team, base_lat, base_lon, area_radius_km, on_duty, "
			    "pos_lat, pos_lon, pos_at, level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 15, 1, ?, ?, ?, ?, ?, ?)",
			    pp, 11) != DB_OK)
			rc = fail(f, ST_DB, "technician profile");
		for (int wd = 1; wd <= 6 && rc == ST_OK; wd++) {
			dbv pw[] = {VI(f->who.tenant_id), VI(id), VI(wd)};
			if (db_exec(f->tx,
				    "INSERT INTO tech_shifts(tenant_id, user_id, weekday, start_min, end_min, break_start_min, "
				    "break_end_min) VALUES (?, ?, ?, 510, 1050, 720, 780)",
				    pw, 3) != DB_OK)
				rc = fail(f, ST_DB, "technician shift");
		}
		dbv pc[] = {VI(f->who.tenant_id), VI(id), VI(seen)};
		if (rc == ST_OK && car &&
		    db_exec(f->tx,
			    "INSERT INTO tech_certs(tenant_id, user_id, name, number, skill, valid_from, expires_on, created_at) "
			    "VALUES (?, ?, '机动车维修技术人员从业资格证', NULL, '汽车', '2024-03-01', '2029-02-28', ?)",
			    pc, 3) != DB_OK)
			rc = fail(f, ST_DB, "technician certificate");
	}
	db_res_free(r);
	return rc;
}

/* Dispatched orders not yet started have an appointment today, one after the other per
 * technician from 09:00, an hour and a half apart, five a day (the rest on the next days), so the dispatch board has a day. */
static int appointments_set(struct fill *f, int64_t today_ms)
{
	dbv p[] = {VI(f->who.tenant_id)};
	db_res *r;
	if (db_query(f->tx,
		     "SELECT id, assignee_id FROM work_orders WHERE tenant_id = ? AND assignee_id IS NOT NULL AND status IN "
		     "('dispatched', 'taken', 'on_the_way') ORDER BY assignee_id, id",
		     p, 1, &r) != DB_OK)
		return fail(f, ST_DB, "appointments");
	int rc = ST_OK, slot = 0;
	int64_t day0 = today_ms - (int64_t)f->who.tz_offset_min * MIN_MS; /* today's local midnight, UTC */
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		slot = i && db_int(r, i, 1) == db_int(r, i - 1, 1) ? slot + 1 : 0;
		int64_t start = day0 + (slot / 5) * 1440 * MIN_MS + (9 * 60 + slot % 5 * 90) * MIN_MS;
		dbv pa[] = {VI(start), VI(start + 60 * MIN_MS), VI(db_int(r, i, 0))};
		if (db_exec(f->tx, "UPDATE work_orders SET appointment_start = ?, appointment_end = ? WHERE id = ?", pa, 3) != DB_OK)
			rc = fail(f, ST_DB, "appointment");
	}
	db_res_free(r);
	return rc;
}

int demo_lifecycle_fill(db_tx *tx, int64_t tenant_id, int tz_min, uint64_t seed, char *err, size_t errlen)
{
	struct fill f = {.tx = tx, .who = {.tenant_id = tenant_id, .tz_offset_min = tz_min}, .err = err, .errlen = errlen};
	rng_seed(&f.r, seed, 0x10);
	dbv p[] = {VI(tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT id, status, created_at, updated_at, type FROM work_orders WHERE tenant_id = ? ORDER BY id",
		     p, 1, &r) != DB_OK)
		return fail(&f, ST_DB, "orders");
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		int64_t id = db_int(r, i, 0), created = db_int(r, i, 2), updated = db_int(r, i, 3);
		int rank = status_rank(db_text(r, i, 1));
		if ((rc = sla_stamp_order(tx, &f.who, id)) != ST_OK)
			rc = fail(&f, rc, "SLA deadlines");
		if (rc == ST_OK && rank >= 0)
			rc = times_set(&f, id, rank, created, updated);
		if (rc == ST_OK && rank >= R_IN_SERVICE)
			rc = lines_add(&f, id, db_text(r, i, 4), rank, created + (updated - created) / 3);
	}
	db_res_free(r);
	/* today's local midnight as the tenant's day number × 1 day (UTC ms of 00:00 local + offset) */
	int64_t today = (now_ms() + (int64_t)tz_min * MIN_MS) / 86400000 * 86400000;
	if (rc == ST_OK)
		rc = positions_set(&f);
	if (rc == ST_OK)
		rc = techs_fill(&f, today);
	if (rc == ST_OK)
		rc = appointments_set(&f, today);
	return rc;
}
