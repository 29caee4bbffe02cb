/*
 * billing.c — settlement and delivery over HTTP (issue 4 item 9): build the bill of an order
 * from its actual lines, discounts with a reason within the role's limit, payments and
 * refunds, credit notes, voiding, the delivery record (closes a settled order) and the
 * customer's confirmation with a 1–5 rating (portal, signature or phone).
 *
 * Parse and check the input here; the money rules live in store/billing.c. Who may:
 * bills and payments — cashier, advisor, manager, admin (the roles that may settle, see
 * domain/wo_fsm.c CASH); voiding a bill — manager, admin; delivery — the office roles
 * (those that may close); confirmation — the customer on their own order (portal) or the
 * office and follow-up staff on the customer's behalf.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/pricing.h"

#include <stdlib.h>
#include <string.h>

#define RB(x) (1u << ROLE_##x)
#define BILLERS (RB(ADMIN) | RB(MANAGER) | RB(CASHIER) | RB(ADVISOR))
#define VOIDERS (RB(ADMIN) | RB(MANAGER))
#define DELIVERERS (RB(ADMIN) | RB(MANAGER) | RB(DISPATCHER) | RB(AGENT) | RB(ADVISOR))
#define CONFIRMERS (DELIVERERS | RB(FOLLOWUP) | RB(CUSTOMER))

static const char *const pay_methods[] = {"cash", "card", "wechat", "alipay", "transfer", NULL};
static const char *const line_kinds[] = {"labour", "part", "fee", NULL};
static const char *const confirm_channels[] = {"portal", "signature", "phone", NULL};

static bool role_may(req *r, uint32_t mask, const char *what)
{
	if (r->who.roles & mask)
		return true;
	char d[200];
	snprintf(d, sizeof d, "your roles may not %s", what);
	reply_problem(r, 403, "forbidden", d);
	return false;
}

/* A store refusal as problem+json: reply_store (409 with field and detail, 412 with the
 * current record in info->current), and 403 with the store's detail (a discount above the
 * role's limit, a transition the roles may not do). */
static void bill_refusal(req *r, int rc, st_info *info, const char *what)
{
	if (rc != ST_FORBIDDEN) {
		reply_store(r, rc, info, what);
		return;
	}
	json_decref(info->current);
	info->current = NULL;
	json_t *x = json_object();
	if (info->field[0])
		json_object_set_new(x, "field", json_string(info->field));
	reply_problem_x(r, 403, "forbidden", info->detail[0] ? info->detail : "not allowed", x);
}

/* A body is optional on some actions; when given it must be an object of these fields. */
static bool optional_body(req *r, const struct field *specs)
{
	if (!r->body.len)
		return true;
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	body_check(r, specs, &v);
	return !verr_reply(&v, r);
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* --- bills ---------------------------------------------------------------------------- */

static const struct field no_fields[] = {{0}};

void h_bill_build(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, BILLERS, "build bills") || !optional_body(r, no_fields))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_bill_build(r->db, &a, id, ver, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			bill_refusal(r, rc, &info, "work order");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
}

void h_bill_get(req *r)
{
	api_get(r, store_bill_get, "bill");
}

void h_wo_bills(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items;
	int rc = store_wo_bills(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field discount_fields[] = {
	{"discount_fen", F_INT, false, 0, NULL, false},
	{"discount_pct", F_INT, false, 0, NULL, false},
	{"discount_reason", F_STR, true, 200, NULL, false},
	{0},
};

void h_bill_discount(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, BILLERS, "give discounts") || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, discount_fields, &v);
	json_t *fen = json_object_get(r->json, "discount_fen"), *pct = json_object_get(r->json, "discount_pct");
	if (!fen && !pct)
		verr_add(&v, "discount_fen", "required", "give discount_fen (fen) or discount_pct (basis points)");
	else if (fen && pct)
		verr_add(&v, "discount_pct", "invalid", "give discount_fen or discount_pct, not both");
	if (json_is_integer(fen) && (json_integer_value(fen) < 0 || json_integer_value(fen) > PRICE_MAX_FEN))
		verr_add(&v, "discount_fen", "out_of_range", "discount_fen must be 0 or more (fen)");
	if (json_is_integer(pct) && (json_integer_value(pct) < 0 || json_integer_value(pct) > 10000))
		verr_add(&v, "discount_pct", "out_of_range", "discount_pct is in basis points: 0 to 10000 (100 %)");
	if (json_is_string(json_object_get(r->json, "discount_reason")) && blank(jstr(r->json, "discount_reason")))
		verr_add(&v, "discount_reason", "required", "a discount needs a reason");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_bill_discount(r->db, &a, id, ver, r->json, &o, &info);
	if (rc != ST_OK) {
		bill_refusal(r, rc, &info, "bill");
		return;
	}
	reply_record(r, 200, o, NULL);
}

static const struct field pay_fields[] = {
	{"method", F_STR, true, 10, pay_methods, false},
	{"amount_fen", F_INT, true, 0, NULL, false},
	{"reference", F_STR, false, 100, NULL, true},
	{0},
};

static const struct field refund_fields[] = {
	{"method", F_STR, true, 10, pay_methods, false},
	{"amount_fen", F_INT, true, 0, NULL, false},
	{"reason", F_STR, true, 200, NULL, false},
	{"reference", F_STR, false, 100, NULL, true},
	{0},
};

static void pay_or_refund(req *r, const char *kind)
{
	int64_t id;
	bool refund = !strcmp(kind, "refund");
	if (!req_id_param(r, 0, &id) || !role_may(r, BILLERS, refund ? "refund payments" : "take payments") ||
	    !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, refund ? refund_fields : pay_fields, &v);
	json_t *amt = json_object_get(r->json, "amount_fen");
	if (json_is_integer(amt) && (json_integer_value(amt) <= 0 || json_integer_value(amt) > PRICE_MAX_FEN))
		verr_add(&v, "amount_fen", "out_of_range", "amount_fen must be more than 0 (fen)");
	if (refund && json_is_string(json_object_get(r->json, "reason")) && blank(jstr(r->json, "reason")))
		verr_add(&v, "reason", "required", "a refund needs a reason");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_bill_pay(r->db, &a, id, kind, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			bill_refusal(r, rc, &info, "bill");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)id);
	reply_record(r, 201, o, loc);
}

void h_bill_pay(req *r)
{
	pay_or_refund(r, "payment");
}

void h_bill_refund(req *r)
{
	pay_or_refund(r, "refund");
}

static const struct field credit_fields[] = {
	{"amount_fen", F_INT, false, 0, NULL, false},
	{"lines", F_ARR, false, 0, NULL, false},
	{"reason", F_STR, true, 200, NULL, false},
	{0},
};

static const struct field credit_line_fields[] = {
	{"name", F_STR, true, 100, NULL, false},
	{"amount_fen", F_INT, true, 0, NULL, false},
	{"kind", F_STR, false, 10, line_kinds, false},
	{"line_id", F_INT, false, 0, NULL, true},
	{0},
};

void h_bill_credit(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, BILLERS, "issue credit notes") || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, credit_fields, &v);
	json_t *amt = json_object_get(r->json, "amount_fen"), *lines = json_object_get(r->json, "lines");
	if (!amt && !lines)
		verr_add(&v, "amount_fen", "required", "give amount_fen or lines");
	else if (amt && lines)
		verr_add(&v, "lines", "invalid", "give amount_fen or lines, not both");
	if (json_is_integer(amt) && (json_integer_value(amt) <= 0 || json_integer_value(amt) > PRICE_MAX_FEN))
		verr_add(&v, "amount_fen", "out_of_range", "amount_fen must be more than 0 (fen)");
	if (json_is_array(lines) && (json_array_size(lines) == 0 || json_array_size(lines) > 100))
		verr_add(&v, "lines", "invalid", "lines: 1 to 100 lines");
	if (json_is_string(json_object_get(r->json, "reason")) && blank(jstr(r->json, "reason")))
		verr_add(&v, "reason", "required", "a credit note needs a reason");
	size_t i;
	json_t *l;
	if (json_is_array(lines) && json_array_size(lines) <= 100) {
		json_array_foreach(lines, i, l) {
			char f[48];
			if (!json_is_object(l)) {
				snprintf(f, sizeof f, "lines[%zu]", i);
				verr_add(&v, f, "type", "each line is an object {name, amount_fen, kind}");
				continue;
			}
			json_t *saved = r->json;
			r->json = l;
			verr sub;
			verr_init(&sub);
			body_check(r, credit_line_fields, &sub);
			r->json = saved;
			size_t k;
			json_t *e;
			json_array_foreach(sub.errors, k, e) {
				snprintf(f, sizeof f, "lines[%zu].%s", i, json_string_value(json_object_get(e, "field")));
				verr_add(&v, f, json_string_value(json_object_get(e, "code")),
					 json_string_value(json_object_get(e, "message")));
			}
			json_decref(sub.errors);
			json_t *la = json_object_get(l, "amount_fen");
			if (json_is_integer(la) && (json_integer_value(la) <= 0 || json_integer_value(la) > PRICE_MAX_FEN)) {
				snprintf(f, sizeof f, "lines[%zu].amount_fen", i);
				verr_add(&v, f, "out_of_range", "amount_fen must be more than 0 (fen)");
			}
		}
	}
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_bill_credit(r->db, &a, id, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			bill_refusal(r, rc, &info, "bill");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/bills/%lld", (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
}

static const struct field void_fields[] = {
	{"reason", F_STR, true, 200, NULL, false},
	{0},
};

void h_bill_void(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, VOIDERS, "void bills (a manager does)") || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, void_fields, &v);
	if (json_is_string(json_object_get(r->json, "reason")) && blank(jstr(r->json, "reason")))
		verr_add(&v, "reason", "required", "voiding a bill needs a reason");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_bill_void(r->db, &a, id, ver, jstr(r->json, "reason"), &o, &info);
	if (rc != ST_OK) {
		bill_refusal(r, rc, &info, "bill");
		return;
	}
	reply_record(r, 200, o, NULL);
}

/* --- delivery and confirmation -------------------------------------------------------- */

static const struct field delivery_fields[] = {
	{"explanation", F_STR, true, 2000, NULL, false},
	{"next_maintenance", F_STR, false, 500, NULL, true},
	{"next_appointment_offer", F_STR, false, 40, NULL, true},
	{"old_parts_returned", F_BOOL, false, 0, NULL, false},
	{0},
};

void h_wo_delivery(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, DELIVERERS, "record the delivery") || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, delivery_fields, &v);
	if (json_is_string(json_object_get(r->json, "explanation")) && blank(jstr(r->json, "explanation")))
		verr_add(&v, "explanation", "required", "say what was explained to the customer");
	int64_t offer = 0;
	const char *os = jstr(r->json, "next_appointment_offer");
	if (os && *os && !ms_from_iso(os, &offer))
		verr_add(&v, "next_appointment_offer", "invalid", "next_appointment_offer must be an ISO 8601 time or null");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	json_t *in = json_pack("{s:s, s:s?, s:b}", "explanation", jstr(r->json, "explanation"), "next_maintenance",
			       jstr(r->json, "next_maintenance"), "old_parts_returned",
			       json_is_true(json_object_get(r->json, "old_parts_returned")));
	json_object_set_new(in, "next_appointment_offer", offer ? json_integer(offer) : json_null());
	if (!json_object_get(in, "next_maintenance"))
		json_object_set_new(in, "next_maintenance", json_null());
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_deliver(r->db, &a, id, ver, in, &o, &info);
	json_decref(in);
	if (rc != ST_OK) {
		bill_refusal(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}

void h_wo_delivery_suggest(req *r)
{
	api_get(r, store_wo_delivery_suggest, "work order");
}

static const struct field confirm_fields[] = {
	{"rating", F_INT, true, 0, NULL, false},
	{"comment", F_STR, false, 1000, NULL, true},
	{"channel", F_STR, false, 10, confirm_channels, false},
	{"by_name", F_STR, false, 64, NULL, true},
	{"signature", F_STR, false, 900000, NULL, true},
	{0},
};

void h_wo_confirm(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !role_may(r, CONFIRMERS, "record the customer's confirmation") ||
	    !body_required(r))
		return;
	bool customer = (r->who.roles & RB(CUSTOMER)) || r->who.customer_id;
	verr v;
	verr_init(&v);
	body_check(r, confirm_fields, &v);
	json_t *rating = json_object_get(r->json, "rating");
	if (json_is_integer(rating) && (json_integer_value(rating) < 1 || json_integer_value(rating) > 5))
		verr_add(&v, "rating", "out_of_range", "rating is 1 to 5 (stars)");
	const char *channel = jstr(r->json, "channel");
	if (!channel)
		channel = customer ? "portal" : NULL;
	if (!channel && !json_object_get(r->json, "channel"))
		verr_add(&v, "channel", "required", "channel is required: portal, signature or phone");
	else if (channel && customer && !strcmp(channel, "phone"))
		verr_add(&v, "channel", "invalid", "a customer confirms in the portal or by signature");
	else if (channel && !customer && !strcmp(channel, "portal"))
		verr_add(&v, "channel", "invalid", "staff record a confirmation by signature or phone");
	json_t *in = json_object();
	const char *sig = jstr(r->json, "signature");
	if (sig) {
		/* checked here for a 400 naming the field; stored by the store (attachments_sig.c) */
		sig_image img;
		st_info si = {0};
		if (sig_parse(sig, &img, &si) != ST_OK)
			verr_add(&v, "signature", strstr(si.detail, "empty") ? "empty" : "invalid",
				 si.detail[0] ? si.detail : "the signature is not a valid image");
		else
			json_object_set_new(in, "signature", json_string(sig));
	} else if (channel && !strcmp(channel, "signature"))
		verr_add(&v, "signature", "required", "a confirmation by signature needs the signature image");
	if (verr_reply(&v, r)) {
		json_decref(in);
		return;
	}
	int64_t ver = req_if_match(r);
	actor a;
	char hash[65];
	if (ver < 0 || !actor_begin(r, &a, hash)) {
		json_decref(in);
		return;
	}
	json_object_set(in, "rating", rating);
	json_object_set_new(in, "channel", json_string(channel));
	if (jstr(r->json, "comment") && !blank(jstr(r->json, "comment")))
		json_object_set_new(in, "comment", json_string(jstr(r->json, "comment")));
	if (jstr(r->json, "by_name") && !blank(jstr(r->json, "by_name")))
		json_object_set_new(in, "by_name", json_string(jstr(r->json, "by_name")));
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_confirm(r->db, &a, id, ver, in, &o, &info);
	json_decref(in);
	if (rc != ST_OK) {
		bill_refusal(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}
