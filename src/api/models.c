/*
 * models.c — /api/v1/product-models: the catalogue with each model's warranty policy
 * (issue 3 item 3). The complexity coefficient travels as a decimal string ("1.20") so no
 * binary fraction creeps in; it is stored in thousandths.
 */
#include "api/api.h"

#include <string.h>

static const struct field model_fields[] = {
	{"brand", F_STR, true, 50, NULL, false},
	{"category", F_STR, true, 50, NULL, false},
	{"model", F_STR, true, 64, NULL, false},
	{"warranty_months", F_INT, false, 0, NULL, false},
	{"main_part_months", F_INT, false, 0, NULL, true},
	{"refund_days", F_INT, false, 0, NULL, false},
	{"exchange_days", F_INT, false, 0, NULL, false},
	{"repairs_before_exchange", F_INT, false, 0, NULL, false},
	{"warranty_km", F_INT, false, 0, NULL, true},
	{"covers", F_OBJ, false, 0, NULL, false},
	{"complexity", F_STR, false, 8, NULL, false},
	{"maintenance", F_ARR, false, 0, NULL, false},
	{0},
};

static const struct field model_patch_fields[] = {
	{"brand", F_STR, false, 50, NULL, false},
	{"category", F_STR, false, 50, NULL, false},
	{"model", F_STR, false, 64, NULL, false},
	{"warranty_months", F_INT, false, 0, NULL, false},
	{"main_part_months", F_INT, false, 0, NULL, true},
	{"refund_days", F_INT, false, 0, NULL, false},
	{"exchange_days", F_INT, false, 0, NULL, false},
	{"repairs_before_exchange", F_INT, false, 0, NULL, false},
	{"warranty_km", F_INT, false, 0, NULL, true},
	{"covers", F_OBJ, false, 0, NULL, false},
	{"complexity", F_STR, false, 8, NULL, false},
	{"maintenance", F_ARR, false, 0, NULL, false},
	{0},
};

/* "1.2" / "1.20" / "1.205" → 1200 / 1200 / 1205 thousandths; 0.1 .. 9.999. */
static bool complexity_parse(const char *s, int64_t *milli)
{
	int64_t whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && whole < 100)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9' && digits < 3) {
			frac = frac * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits)
			return false;
	}
	if (*p)
		return false;
	while (digits++ < 3)
		frac *= 10;
	*milli = whole * 1000 + frac;
	return *milli >= 100 && *milli <= 9999;
}

static void range(verr *v, json_t *in, const char *k, int64_t lo, int64_t hi)
{
	json_t *x = json_object_get(in, k);
	if (json_is_integer(x) && (json_integer_value(x) < lo || json_integer_value(x) > hi)) {
		char m[120];
		snprintf(m, sizeof m, "%s must be within %lld..%lld", k, (long long)lo, (long long)hi);
		verr_add(v, k, "invalid", m);
	}
}

static void check_policy(req *r, verr *v)
{
	json_t *in = r->json;
	range(v, in, "warranty_months", 0, 240);
	range(v, in, "main_part_months", 0, 240);
	range(v, in, "refund_days", 0, 365);
	range(v, in, "exchange_days", 0, 365);
	range(v, in, "repairs_before_exchange", 1, 20);
	range(v, in, "warranty_km", 1, 10000000);
	json_t *rd = json_object_get(in, "refund_days"), *xd = json_object_get(in, "exchange_days");
	if (json_is_integer(rd) && json_is_integer(xd) && json_integer_value(xd) < json_integer_value(rd))
		verr_add(v, "exchange_days", "invalid", "exchange_days may not be shorter than refund_days");
	json_t *covers = json_object_get(in, "covers");
	if (json_is_object(covers)) {
		const char *k;
		json_t *x;
		json_object_foreach(covers, k, x) if ((strcmp(k, "labour") && strcmp(k, "parts") && strcmp(k, "callout")) ||
						      !json_is_boolean(x)) {
			verr_add(v, "covers", "invalid", "covers is {labour, parts, callout} with true or false");
			break;
		}
	}
	/* maintenance: [{"name":"首保","km":5000,"months":3,"operations":["机油","机油滤清器"]}, …] */
	json_t *maint = json_object_get(in, "maintenance");
	if (json_is_array(maint)) {
		size_t i;
		json_t *s;
		if (json_array_size(maint) > 50)
			verr_add(v, "maintenance", "too_long", "at most 50 services");
		json_array_foreach(maint, i, s) {
			char f[40];
			snprintf(f, sizeof f, "maintenance[%zu]", i);
			json_t *km = json_object_get(s, "km"), *mo = json_object_get(s, "months"), *nm = json_object_get(s, "name"),
			       *ops = json_object_get(s, "operations");
			bool ok = json_is_object(s) && json_object_size(s) <= 4 && (!km || json_is_integer(km)) &&
				  (!mo || json_is_integer(mo)) && (!nm || (json_is_string(nm) && utf8_chars(json_string_value(nm)) <= 50)) &&
				  (!ops || (json_is_array(ops) && json_array_size(ops) <= 30));
			if (ok) {
				int64_t k = km ? json_integer_value(km) : 0, m = mo ? json_integer_value(mo) : 0;
				ok = k >= 0 && k <= 10000000 && m >= 0 && m <= 600 && (k > 0 || m > 0);
				size_t j;
				json_t *op;
				if (ops)
					json_array_foreach(ops, j, op) if (!json_is_string(op) || utf8_chars(json_string_value(op)) > 50)
						ok = false;
				const char *key;
				json_t *x;
				json_object_foreach(s, key, x) if (strcmp(key, "km") && strcmp(key, "months") && strcmp(key, "name") &&
								  strcmp(key, "operations"))
					ok = false;
			}
			if (!ok) {
				verr_add(v, f, "invalid",
					 "a service is {name, km, months, operations[]} with km and/or months above 0");
				break;
			}
		}
	}
	const char *cx = jstr(in, "complexity");
	if (cx) {
		int64_t milli;
		if (!complexity_parse(cx, &milli)) {
			verr_add(v, "complexity", "invalid", "complexity is a decimal such as \"1.20\" (0.1 to 9.999)");
		} else {
			json_object_del(in, "complexity");
			json_object_set_new(in, "_complexity_milli", json_integer(milli));
		}
	}
}

void h_model_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, model_fields, &v);
	check_policy(r, &v);
	if (verr_reply(&v, r))
		return;
	api_create(r, store_model_create, "product model", "/api/v1/product-models");
}

void h_model_get(req *r)
{
	api_get(r, store_model_get, "product model");
}

void h_model_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, model_patch_fields, &v);
	static const char *const req_str[] = {"brand", "category", "model"};
	for (size_t i = 0; i < ARRAY_LEN(req_str); i++)
		if (json_is_string(json_object_get(r->json, req_str[i])) && !*jstr(r->json, req_str[i]))
			verr_add(&v, req_str[i], "required", "may not be empty");
	check_policy(r, &v);
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_model_update, "product model");
}

void h_model_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	const char *q = req_query(r, "q"), *brand = req_query(r, "brand"), *category = req_query(r, "category");
	verr v;
	verr_init(&v);
	if (q && !*q)
		q = NULL;
	if ((q && utf8_chars(q) > 100) || (brand && utf8_chars(brand) > 50) || (category && utf8_chars(category) > 50))
		verr_add(&v, "q", "too_long", "search text is too long");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_model_list(r->db, &r->who, q, brand, category, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "product models");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
