/*
 * assets.c — /api/v1/assets and /api/v1/warranty-registrations (issue 3 items 2, 4, 5):
 * assets with their dates checked (no purchase in the future, no install before purchase,
 * a warranty end override only with its reason), transfer to another customer, mileage
 * readings, the 三包 decision (domain/warranty.c) and electronic warranty registration.
 */
#include "api/api.h"
#include "domain/phone.h"
#include "domain/warranty.h"

#include <string.h>

static const char *const asset_statuses[] = {"active", "scrapped", "sold", "lost", NULL};
static const char *const reg_channels[] = {"web", "api", "store", "phone", "wechat", NULL};

#define ASSET_COMMON \
	{"engine_no", F_STR, false, 64, NULL, true}, {"plate", F_STR, false, 20, NULL, true}, \
	{"purchase_place", F_STR, false, 100, NULL, true}, {"invoice_no", F_STR, false, 64, NULL, true}, \
	{"install_date", F_STR, false, 10, NULL, true}, {"warranty_end", F_STR, false, 10, NULL, true}, \
	{"warranty_end_reason", F_STR, false, 200, NULL, true}, {"status", F_STR, false, 10, asset_statuses, false}, \
	{"confirm_duplicate", F_BOOL, false, 0, NULL, false} /* a plate another active asset has: yes, save it */

static const struct field asset_fields[] = {
	{"customer_id", F_INT, true, 0, NULL, false},
	{"model_id", F_INT, true, 0, NULL, false},
	{"serial", F_STR, true, 64, NULL, false},
	{"purchase_date", F_STR, false, 10, NULL, true},
	ASSET_COMMON,
	{0},
};

static const struct field asset_patch_fields[] = {
	{"serial", F_STR, false, 64, NULL, false},
	{"purchase_date", F_STR, false, 10, NULL, true},
	ASSET_COMMON,
	{0},
};

/* Today in the tenant's zone, as a civil day. */
static int32_t today(req *r)
{
	int64_t ms = now_ms() + (int64_t)r->who.tz_offset_min * 60000;
	return (int32_t)(ms / 86400000);
}

/* Dates of an asset body: real dates, purchase not in the future, install not before
 * purchase, an override of the warranty end with its reason and not before purchase. */
static void check_dates(req *r, verr *v)
{
	json_t *in = r->json;
	int32_t buy = 0, inst = 0, end = 0;
	bool has_buy = false;
	const char *s;
	if ((s = jstr(in, "purchase_date"))) {
		if (!wty_day_parse(s, &buy))
			verr_add(v, "purchase_date", "invalid", "purchase_date must be a date YYYY-MM-DD");
		else if (buy > today(r))
			verr_add(v, "purchase_date", "invalid", "purchase_date may not be in the future");
		else
			has_buy = true;
	}
	if ((s = jstr(in, "install_date"))) {
		if (!wty_day_parse(s, &inst))
			verr_add(v, "install_date", "invalid", "install_date must be a date YYYY-MM-DD");
		else if (has_buy && inst < buy)
			verr_add(v, "install_date", "invalid", "install_date may not be before purchase_date");
	}
	if ((s = jstr(in, "warranty_end"))) {
		if (!wty_day_parse(s, &end))
			verr_add(v, "warranty_end", "invalid", "warranty_end must be a date YYYY-MM-DD");
		else if (has_buy && end < buy)
			verr_add(v, "warranty_end", "invalid", "warranty_end may not be before purchase_date");
		const char *why = jstr(in, "warranty_end_reason");
		if (!why || !*why)
			verr_add(v, "warranty_end_reason", "required", "overriding the warranty end needs a reason");
	}
	if (json_is_string(json_object_get(in, "serial")) && !*jstr(in, "serial"))
		verr_add(v, "serial", "required", "serial may not be empty");
}

void h_asset_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, asset_fields, &v);
	check_dates(r, &v);
	if (verr_reply(&v, r))
		return;
	api_create(r, store_asset_create, "asset", "/api/v1/assets");
}

void h_asset_get(req *r)
{
	api_get(r, store_asset_get, "asset");
}

void h_asset_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, asset_patch_fields, &v);
	check_dates(r, &v);
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_asset_update, "asset");
}

void h_asset_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	asset_filter f = {0};
	verr v;
	verr_init(&v);
	const char *s;
	if ((s = req_query(r, "customer_id")) && !parse_i64(s, 1, INT64_MAX, &f.customer_id))
		verr_add(&v, "customer_id", "invalid", "customer_id must be an id");
	if ((s = req_query(r, "model_id")) && !parse_i64(s, 1, INT64_MAX, &f.model_id))
		verr_add(&v, "model_id", "invalid", "model_id must be an id");
	f.serial = req_query(r, "serial");
	f.plate = req_query(r, "plate");
	if ((f.serial && strlen(f.serial) > 64) || (f.plate && strlen(f.plate) > 20))
		verr_add(&v, f.serial ? "serial" : "plate", "too_long", "search value is too long");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_asset_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "assets");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

static const struct field transfer_fields[] = {
	{"to_customer_id", F_INT, true, 0, NULL, false},
	{"reason", F_STR, false, 200, NULL, true},
	{0},
};

void h_asset_transfer(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, transfer_fields, &v);
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
	json_t *o;
	int rc = store_asset_transfer(r->db, &a, id, ver, json_integer_value(json_object_get(r->json, "to_customer_id")),
				      jstr(r->json, "reason"), &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "asset");
		return;
	}
	reply_record(r, 200, o, NULL);
}

void h_asset_transfers(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items;
	int rc = store_asset_transfers(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "asset");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field reading_fields[] = {
	{"date", F_STR, true, 10, NULL, false},
	{"km", F_INT, true, 0, NULL, false},
	{"odometer_change", F_BOOL, false, 0, NULL, false},
	{"reason", F_STR, false, 200, NULL, true},
	{0},
};

void h_asset_reading_add(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, reading_fields, &v);
	int32_t day;
	const char *date = jstr(r->json, "date");
	if (date && (!wty_day_parse(date, &day) || day > today(r)))
		verr_add(&v, "date", "invalid", "date must be a date YYYY-MM-DD, not in the future");
	json_t *km = json_object_get(r->json, "km");
	if (json_is_integer(km) && (json_integer_value(km) < 0 || json_integer_value(km) > 10000000))
		verr_add(&v, "km", "invalid", "km must be within 0..10000000");
	if (json_is_true(json_object_get(r->json, "odometer_change")) &&
	    (!jstr(r->json, "reason") || !*jstr(r->json, "reason")))
		verr_add(&v, "reason", "required", "an odometer change needs a reason");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o;
	int rc = store_asset_reading_add(r->db, &a, id, r->json, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "asset");
		return;
	}
	reply_json(r, 201, o);
}

void h_asset_readings(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items;
	int rc = store_asset_readings(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "asset");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int64_t jint(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* GET /assets/{id}/warranty?date=&fault=&fault_code=&mileage=&exchange_possible= */
void h_asset_warranty(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	verr v;
	verr_init(&v);
	const char *date = req_query(r, "date"), *fault = req_query(r, "fault"), *code = req_query(r, "fault_code");
	const char *mi = req_query(r, "mileage"), *xp = req_query(r, "exchange_possible");
	int32_t fail_day = today(r);
	if (date && !wty_day_parse(date, &fail_day))
		verr_add(&v, "date", "invalid", "date must be a date YYYY-MM-DD");
	int fk = wty_fault_parse(fault ? fault : "performance");
	if (fk < 0)
		verr_add(&v, "fault", "invalid",
			 "fault is one of performance, other, misuse, storage, unauthorised_repair, liquid, wear");
	int64_t mileage = -1;
	if (mi && !parse_i64(mi, 0, 10000000, &mileage))
		verr_add(&v, "mileage", "invalid", "mileage must be km within 0..10000000");
	if (code && (!*code || strlen(code) > 64))
		verr_add(&v, "fault_code", "invalid", "fault_code is 1 to 64 characters");
	if (xp && strcmp(xp, "true") && strcmp(xp, "false"))
		verr_add(&v, "exchange_possible", "invalid", "exchange_possible is true or false");
	if (verr_reply(&v, r))
		return;
	json_t *facts;
	int rc = store_asset_warranty_facts(r->db, &r->who, id, code, &facts);
	if (rc != ST_OK) {
		reply_status(r, rc, "asset");
		return;
	}
	wty_decision d;
	rc = asset_warranty_decide(facts, fail_day, fk, mileage, !xp || !strcmp(xp, "true"), &d);
	int prior = (int)jint(facts, "prior_repairs", 0);
	json_decref(facts);
	if (rc < 0) {
		verr_init(&v);
		verr_add(&v, "purchase_date", "required", "the asset has no purchase date: set it first");
		verr_reply(&v, r);
		return;
	}
	const char *lang = req_header(r, "Accept-Language");
	bool en = lang && !strncmp(lang, "en", 2);
	if (rc != WTY_OK) {
		verr_init(&v);
		verr_add(&v, !strcmp(d.rule, "invalid.failure_before_purchase") ? "date" : "policy", "invalid",
			 d.explanation_en);
		verr_reply(&v, r);
		return;
	}
	const char *names[3];
	size_t n = wty_entitlement_names(d.entitlements, names);
	json_t *ents = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ents, json_string(names[i]));
	char day[11], last[11];
	wty_day_format(fail_day, day);
	wty_day_format(d.last_day, last);
	reply_json(r, 200,
		   json_pack("{s:b, s:o, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I}", "in_warranty", d.in_warranty,
			     "entitlements", ents, "rule", d.rule, "explanation", en ? d.explanation_en : d.explanation_zh,
			     "explanation_zh", d.explanation_zh, "explanation_en", d.explanation_en, "asset_id",
			     (json_int_t)id, "date", day, "warranty_end", last, "fault", wty_fault_name(fk), "day",
			     (json_int_t)d.day, "prior_repairs", (json_int_t)prior));
}

static const struct field reg_fields[] = {
	{"serial", F_STR, true, 64, NULL, false},
	{"model_id", F_INT, true, 0, NULL, false},
	{"customer_id", F_INT, false, 0, NULL, false},
	{"purchase_date", F_STR, true, 10, NULL, false},
	{"invoice_no", F_STR, false, 64, NULL, true},
	{"purchase_place", F_STR, false, 100, NULL, true},
	{"channel", F_STR, false, 10, reg_channels, false},
	{0},
};

void h_reg_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, reg_fields, &v);
	check_dates(r, &v);
	if (!json_object_get(r->json, "customer_id") && !r->who.customer_id)
		verr_add(&v, "customer_id", "required", "customer_id is required");
	if (verr_reply(&v, r))
		return;
	api_create(r, store_registration_create, "warranty registration", "/api/v1/warranty-registrations");
}

void h_reg_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	json_t *items;
	int64_t next;
	int rc = store_registration_list(r->db, &r->who, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "warranty registrations");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
