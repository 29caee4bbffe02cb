/*
 * wo_lines.c — /api/v1/work-orders/{id}/lines, /estimate, /approvals, /reception (issue 4 items
 * 4-6): estimate and actual lines, the promised time and the customer's limit, approvals and
 * consents (signed on screen, online from the portal, by phone or in person), the printable
 * 任务委托书 and the car reception sheet. Bodies are checked here (declared fields, decimal
 * quantities scaled to integers); the rules live in src/store/wo_lines.c.
 *
 * Every write honours If-Match on the ORDER's version (lines have no ETag of their own: the
 * order is the unit two people edit at once) and answers with the order's new version.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/pricing.h"

#include <math.h>
#include <string.h>

static const char *const stages[] = {"estimate", "actual", NULL};
static const char *const kinds[] = {"labour", "part", "fee", NULL};
static const char *const pay_types[] = {"warranty", "self_pay", "claim", "insurance", NULL};
static const char *const consent_channels[] = {"phone", "in_person", "online", "signature", NULL};
static const char *const approval_kinds[] = {"estimate", "additional", NULL};

/* Limits of a sane line ("absurd sizes" are refused, not stored). */
#define HOURS_MAX_X100 99999LL         /* 999.99 h */
#define QTY_MAX_MILLI 99999999LL       /* 99,999.999 */
#define UNIT_MAX_FEN 1000000000LL      /* ¥10,000,000.00 a unit */
#define RATE_MAX_FEN 10000000LL        /* ¥100,000.00 an hour */
#define SIG_MAX_CHARS 1400000          /* a data URL; bodies are 1 MiB anyway */

#define LINE_FIELDS                                                                                                   \
	{"code", F_STR, false, 40, NULL, true}, {"name", F_STR, false, 100, NULL, true},                              \
		{"hours", F_ANY, false, 0, NULL, true}, {"rate_fen", F_INT, false, 0, NULL, true},                     \
		{"qty", F_ANY, false, 0, NULL, true}, {"unit_price_fen", F_INT, false, 0, NULL, true},                 \
		{"pay_type", F_STR, false, 12, pay_types, true}, {"estimate_line_id", F_INT, false, 0, NULL, true}

static const struct field line_fields[] = {
	{"stage", F_STR, true, 10, stages, false},
	{"kind", F_STR, true, 10, kinds, false},
	{"operation_id", F_INT, false, 0, NULL, true},
	LINE_FIELDS,
	{0},
};

static const struct field line_patch_fields[] = {
	LINE_FIELDS,
	{0},
};

/* A positive decimal (string "1.5" or JSON number) scaled by 10^scale into *out; errors name
 * the field. Returns false when absent or refused. */
static bool scaled(json_t *body, const char *field, int scale, int64_t max, verr *v, int64_t *out)
{
	json_t *x = json_object_get(body, field);
	char msg[160];
	if (!x || json_is_null(x))
		return false;
	int64_t div = scale == 2 ? 100 : 1000;
	if (json_is_string(x)) {
		const char *s = json_string_value(x);
		if (*s == '-') {
			snprintf(msg, sizeof msg, "%s must be above zero", field);
			verr_add(v, field, "invalid", msg);
			return false;
		}
		if (!price_parse_scaled(s, scale, INT64_MAX / 2, out)) {
			snprintf(msg, sizeof msg, "%s must be a decimal number with at most %d decimals, such as \"1.5\"", field,
				 scale);
			verr_add(v, field, "invalid", msg);
			return false;
		}
	} else if (json_is_integer(x)) {
		json_int_t n = json_integer_value(x);
		if (n < 0 || n > INT64_MAX / div) {
			snprintf(msg, sizeof msg, n < 0 ? "%s must be above zero" : "%s is too large", field);
			verr_add(v, field, "invalid", msg);
			return false;
		}
		*out = (int64_t)n * div;
	} else if (json_is_real(x)) {
		double d = json_real_value(x) * (double)div;
		if (!isfinite(d) || d < 0 || d > 9e15) {
			snprintf(msg, sizeof msg, d < 0 ? "%s must be above zero" : "%s is too large", field);
			verr_add(v, field, "invalid", msg);
			return false;
		}
		double r = round(d);
		if (fabs(d - r) > 1e-6) {
			snprintf(msg, sizeof msg, "%s has more than %d decimals", field, scale);
			verr_add(v, field, "invalid", msg);
			return false;
		}
		*out = (int64_t)r;
	} else {
		snprintf(msg, sizeof msg, "%s must be a decimal number (\"1.5\" or 1.5)", field);
		verr_add(v, field, "type", msg);
		return false;
	}
	if (*out <= 0) {
		snprintf(msg, sizeof msg, "%s must be above zero", field);
		verr_add(v, field, "invalid", msg);
		return false;
	}
	if (*out > max) {
		snprintf(msg, sizeof msg, "%s is too large (at most %lld)", field, (long long)(max / div));
		verr_add(v, field, "too_large", msg);
		return false;
	}
	return true;
}

static void money_range(json_t *body, const char *field, int64_t max, verr *v)
{
	json_t *x = json_object_get(body, field);
	char msg[160];
	if (!json_is_integer(x))
		return;
	if (json_integer_value(x) < 0) {
		snprintf(msg, sizeof msg, "%s may not be negative", field);
		verr_add(v, field, "invalid", msg);
	} else if (json_integer_value(x) > max) {
		snprintf(msg, sizeof msg, "%s is too large (at most %lld fen)", field, (long long)max);
		verr_add(v, field, "too_large", msg);
	}
}

/* The checks add and change share: decimals scaled into _hours_x100 / _qty_milli, money in range,
 * a name that is not blank. */
static void check_line(req *r, verr *v)
{
	int64_t n;
	if (scaled(r->json, "hours", 2, HOURS_MAX_X100, v, &n))
		json_object_set_new(r->json, "_hours_x100", json_integer(n));
	if (scaled(r->json, "qty", 3, QTY_MAX_MILLI, v, &n))
		json_object_set_new(r->json, "_qty_milli", json_integer(n));
	money_range(r->json, "unit_price_fen", UNIT_MAX_FEN, v);
	money_range(r->json, "rate_fen", RATE_MAX_FEN, v);
	const char *name = jstr(r->json, "name");
	if (name && !*name)
		verr_add(v, "name", "required", "name may not be empty");
}

/* The order and line ids of the path, If-Match and the actor; false when answered. */
static bool begin(req *r, int64_t *id, int64_t *line_id, int64_t *ver, actor *a, char hash[65])
{
	if (!req_id_param(r, 0, id) || (line_id && !req_id_param(r, 1, line_id)))
		return false;
	if ((*ver = req_if_match(r)) < 0)
		return false;
	return actor_begin(r, a, hash);
}

static void answer(req *r, actor *a, int rc, st_info *info, json_t *out, int status)
{
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, a, rc, info))
			reply_store(r, rc, info, "work order");
		return;
	}
	reply_record(r, status, out, NULL);
}

static bool empty_body_ok(req *r)
{
	if (!r->json && r->body.len == 0)
		r->json = json_object();
	return body_required(r);
}

void h_wo_lines_get(req *r)
{
	api_get(r, store_wo_lines, "work order");
}

void h_wo_line_add(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, line_fields, &v);
	check_line(r, &v);
	const char *kind = jstr(r->json, "kind");
	json_t *b = r->json;
	if (kind && !strcmp(kind, "labour")) {
		if (!jhas(b, "operation_id") && !jhas(b, "name"))
			verr_add(&v, "name", "required", "a labour line needs operation_id, or code, name and hours");
		if (!jhas(b, "operation_id") && !jhas(b, "hours"))
			verr_add(&v, "hours", "required", "a labour line needs operation_id or hours");
		if (jhas(b, "qty") || jhas(b, "unit_price_fen"))
			verr_add(&v, jhas(b, "qty") ? "qty" : "unit_price_fen", "invalid",
				 "a labour line is priced by hours × rate, not by qty × unit price");
	} else if (kind && (!strcmp(kind, "part") || !strcmp(kind, "fee"))) {
		if (!jhas(b, "name"))
			verr_add(&v, "name", "required", "name is required");
		if (!jhas(b, "unit_price_fen"))
			verr_add(&v, "unit_price_fen", "required", "unit_price_fen is required");
		if (jhas(b, "hours") || jhas(b, "rate_fen") || jhas(b, "operation_id"))
			verr_add(&v, jhas(b, "hours") ? "hours" : jhas(b, "rate_fen") ? "rate_fen" : "operation_id", "invalid",
				 "hours, rate and operation belong to labour lines");
	}
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_line_add(r->db, &a, id, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 201);
}

void h_wo_line_update(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, line_patch_fields, &v);
	check_line(r, &v);
	static const char *const not_null[] = {"name", "hours", "rate_fen", "qty", "unit_price_fen", "pay_type", NULL};
	for (int i = 0; not_null[i]; i++)
		if (json_is_null(json_object_get(r->json, not_null[i]))) {
			char msg[80];
			snprintf(msg, sizeof msg, "%s may not be null", not_null[i]);
			verr_add(&v, not_null[i], "required", msg);
		}
	if (jhas(r->json, "_hours_x100") && jhas(r->json, "_qty_milli"))
		verr_add(&v, "qty", "invalid", "a line has hours (labour) or a quantity (parts, fees), not both");
	if (verr_reply(&v, r))
		return;
	int64_t id, lid, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, &lid, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_line_update(r->db, &a, id, lid, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

void h_wo_line_delete(req *r)
{
	int64_t id, lid, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, &lid, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_line_delete(r->db, &a, id, lid, ver, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	char etag[40];
	snprintf(etag, sizeof etag, "\"%lld\"", (long long)json_integer_value(json_object_get(o, "version")));
	json_decref(o);
	reply_empty(r, 204);
	reply_header(r, "ETag", etag);
}

static const struct field consent_fields[] = {
	{"by_name", F_STR, true, 64, NULL, false},
	{"channel", F_STR, true, 12, consent_channels, false},
	{"signature", F_STR, false, SIG_MAX_CHARS, NULL, true},
	{0},
};

static void check_signature_channel(req *r, verr *v)
{
	const char *ch = jstr(r->json, "channel");
	if (ch && !strcmp(ch, "signature") && !jhas(r->json, "signature"))
		verr_add(v, "signature", "required", "channel signature needs the signature image");
}

void h_wo_line_consent(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, consent_fields, &v);
	check_signature_channel(r, &v);
	if (verr_reply(&v, r))
		return;
	int64_t id, lid, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, &lid, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_line_consent(r->db, &a, id, lid, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

static const struct field done_fields[] = {
	{"done", F_BOOL, false, 0, NULL, false},
	{0},
};

void h_wo_line_done(req *r)
{
	if (!empty_body_ok(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, done_fields, &v);
	if (verr_reply(&v, r))
		return;
	int64_t id, lid, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, &lid, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_line_done(r->db, &a, id, lid, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

static const struct field none_fields[] = {{0}};

void h_wo_lines_copy(req *r)
{
	if (!empty_body_ok(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, none_fields, &v);
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_lines_copy(r->db, &a, id, ver, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

static const struct field estimate_fields[] = {
	{"promised_at", F_STR, false, 40, NULL, true},
	{"approval_limit_fen", F_INT, false, 0, NULL, true},
	{0},
};

void h_wo_estimate_set(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, estimate_fields, &v);
	json_t *pa = json_object_get(r->json, "promised_at");
	if (!pa && !json_object_get(r->json, "approval_limit_fen"))
		verr_add(&v, "promised_at", "required", "give promised_at and/or approval_limit_fen");
	int64_t ms = 0;
	if (json_is_string(pa)) {
		if (!ms_from_iso(json_string_value(pa), &ms))
			verr_add(&v, "promised_at", "invalid", "promised_at must be an ISO 8601 time such as 2026-11-24T17:00:00+08:00");
		else if (ms < now_ms() - 366LL * 86400000 || ms > now_ms() + 366LL * 86400000)
			verr_add(&v, "promised_at", "invalid", "promised_at must be within a year from now");
	}
	if (pa)
		json_object_set_new(r->json, "_promised_ms", json_integer(ms));
	money_range(r->json, "approval_limit_fen", PRICE_MAX_FEN, &v);
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_estimate_set(r->db, &a, id, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

void h_wo_estimate_doc(req *r)
{
	api_get(r, store_wo_estimate_doc, "work order");
}

static const struct field approval_fields[] = {
	{"kind", F_STR, true, 12, approval_kinds, false},
	{"by_name", F_STR, false, 64, NULL, false},
	{"channel", F_STR, false, 12, consent_channels, false},
	{"signature", F_STR, false, SIG_MAX_CHARS, NULL, true},
	{"line_ids", F_ARR, false, 0, NULL, true},
	{0},
};

/* A customer (the portal) approves their own order's estimate online, under their own name;
 * staff record approvals given in any way, with the name of who approved. */
void h_wo_approval_add(req *r)
{
	if (!body_required(r))
		return;
	bool customer = (r->who.roles & (1u << ROLE_CUSTOMER)) != 0;
	if (!customer && !req_can(r, P_WO_UPDATE))
		return;
	verr v;
	verr_init(&v);
	body_check(r, approval_fields, &v);
	if (customer) {
		const char *k = jstr(r->json, "kind"), *ch = jstr(r->json, "channel");
		if (k && strcmp(k, "estimate"))
			verr_add(&v, "kind", "invalid", "customers approve the estimate; additional items are agreed with the advisor");
		if (ch && strcmp(ch, "online"))
			verr_add(&v, "channel", "invalid", "from the portal the channel is online");
		json_object_set_new(r->json, "channel", json_string("online"));
		json_object_set_new(r->json, "by_name", json_string(r->who.name[0] ? r->who.name : r->who.login));
	} else {
		if (!jhas(r->json, "by_name") || !*jstr(r->json, "by_name"))
			verr_add(&v, "by_name", "required", "by_name (who approved) is required");
		if (!jhas(r->json, "channel"))
			verr_add(&v, "channel", "required", "channel is required");
		check_signature_channel(r, &v);
	}
	json_t *ids = json_object_get(r->json, "line_ids");
	size_t i;
	json_t *x;
	if (json_array_size(ids) > 200)
		verr_add(&v, "line_ids", "too_long", "at most 200 line ids");
	json_array_foreach(ids, i, x) if (!json_is_integer(x) || json_integer_value(x) <= 0)
	{
		verr_add(&v, "line_ids", "invalid", "line_ids are line ids");
		break;
	}
	if (ids && json_is_array(ids) && jstr(r->json, "kind") && strcmp(jstr(r->json, "kind"), "additional"))
		verr_add(&v, "line_ids", "invalid", "line_ids belong to an approval of additional items");
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_approval_add(r->db, &a, id, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 201);
}

void h_wo_approvals(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items = NULL;
	int rc = store_wo_approvals(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_wo_reception_get(req *r)
{
	api_get(r, store_wo_reception_get, "work order");
}

static const char *const areas[] = {"front", "front_left", "front_right", "left", "right", "rear", "rear_left",
				    "rear_right", "roof", "hood", "trunk", "windshield", "wheel", "interior", "other", NULL};
static const char *const damage_kinds[] = {"scratch", "dent", "crack", "other", NULL};
static const char *const old_parts[] = {"keep", "leave", NULL};
static const char *const pay_methods[] = {"cash", "card", "wechat", "alipay", "transfer", "insurance", NULL};

static const struct field reception_fields[] = {
	{"damages", F_ARR, false, 0, NULL, true},
	{"fuel", F_INT, false, 0, NULL, true},
	{"mileage", F_INT, false, 0, NULL, true},
	{"odometer_change", F_BOOL, false, 0, NULL, false},
	{"odometer_reason", F_STR, false, 200, NULL, true},
	{"valuables_reminded", F_BOOL, false, 0, NULL, false},
	{"valuables_note", F_STR, false, 500, NULL, true},
	{"old_parts", F_STR, false, 10, old_parts, true},
	{"wash", F_BOOL, false, 0, NULL, false},
	{"payment_method", F_STR, false, 12, pay_methods, true},
	{0},
};

static const struct field damage_fields[] = {
	{"area", F_STR, true, 20, areas, false},
	{"kind", F_STR, true, 10, damage_kinds, false},
	{"note", F_STR, false, 200, NULL, true},
	{"x", F_NUM, false, 0, NULL, true},
	{"y", F_NUM, false, 0, NULL, true},
	{0},
};

/* Each damage mark: a known area and kind, a position on the drawing in percent (0..100). */
static void check_damages(req *r, verr *v)
{
	json_t *list = json_object_get(r->json, "damages");
	if (json_array_size(list) > 60) {
		verr_add(v, "damages", "too_long", "at most 60 damage marks");
		return;
	}
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d) {
		char f[64];
		if (!json_is_object(d)) {
			snprintf(f, sizeof f, "damages[%zu]", i);
			verr_add(v, f, "type", "a damage mark is {area, kind, note, x, y}");
			continue;
		}
		json_t *saved = r->json;
		r->json = d;
		verr sub;
		verr_init(&sub);
		body_check(r, damage_fields, &sub);
		const char *xy[] = {"x", "y"};
		for (int k = 0; k < 2; k++) {
			json_t *n = json_object_get(d, xy[k]);
			if (json_is_number(n) && (json_number_value(n) < 0 || json_number_value(n) > 100))
				verr_add(&sub, xy[k], "invalid", "positions are percent of the drawing, 0 to 100");
		}
		r->json = saved;
		size_t k;
		json_t *e;
		json_array_foreach(sub.errors, k, e) {
			snprintf(f, sizeof f, "damages[%zu].%s", i, json_string_value(json_object_get(e, "field")));
			verr_add(v, f, json_string_value(json_object_get(e, "code")), json_string_value(json_object_get(e, "message")));
		}
		json_decref(sub.errors);
	}
}

void h_wo_reception_put(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, reception_fields, &v);
	check_damages(r, &v);
	json_t *fuel = json_object_get(r->json, "fuel"), *km = json_object_get(r->json, "mileage");
	if (json_is_integer(fuel) && (json_integer_value(fuel) < 0 || json_integer_value(fuel) > 100))
		verr_add(&v, "fuel", "invalid", "fuel is a percentage, 0 to 100");
	if (json_is_integer(km) && (json_integer_value(km) < 0 || json_integer_value(km) > 10000000))
		verr_add(&v, "mileage", "invalid", "mileage must be within 0..10000000 km");
	const char *why = jstr(r->json, "odometer_reason");
	if (json_is_true(json_object_get(r->json, "odometer_change")) && (!why || !*why))
		verr_add(&v, "odometer_reason", "required", "an odometer change needs a reason");
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_reception_put(r->db, &a, id, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}

static const struct field sign_fields[] = {
	{"by_name", F_STR, true, 64, NULL, false},
	{"signature", F_STR, true, SIG_MAX_CHARS, NULL, false},
	{0},
};

void h_wo_reception_sign(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, sign_fields, &v);
	if (verr_reply(&v, r))
		return;
	int64_t id, ver;
	actor a;
	char hash[65];
	if (!begin(r, &id, NULL, &ver, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_reception_sign(r->db, &a, id, ver, r->json, &o, &info);
	answer(r, &a, rc, &info, o, 200);
}
