/*
 * labour.c — /api/v1/labour-operations: standard labour codes with their standard hours
 * (标准工时, issue 3 item 3). Hours travel as a decimal string ("1.50"), stored in thousandths.
 */
#include "api/api.h"

#include <string.h>

static const struct field lo_fields[] = {
	{"code", F_STR, true, 32, NULL, false},
	{"name", F_STR, true, 100, NULL, false},
	{"standard_hours", F_STR, true, 8, NULL, false},
	{"model_id", F_INT, false, 0, NULL, true},
	{"category", F_STR, false, 50, NULL, true},
	{0},
};

static const struct field lo_patch_fields[] = {
	{"code", F_STR, false, 32, NULL, false},
	{"name", F_STR, false, 100, NULL, false},
	{"standard_hours", F_STR, false, 8, NULL, false},
	{"model_id", F_INT, false, 0, NULL, true},
	{"category", F_STR, false, 50, NULL, true},
	{0},
};

/* "1.5" / "0.25" → thousandths of an hour; 0.01 .. 999.99. */
static bool hours_parse(const char *s, int64_t *milli)
{
	int64_t whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && whole < 10000)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9' && digits < 2) {
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
	return *milli >= 10 && *milli <= 999990;
}

static void check(req *r, verr *v)
{
	const char *h = jstr(r->json, "standard_hours");
	int64_t milli;
	if (h) {
		if (!hours_parse(h, &milli)) {
			verr_add(v, "standard_hours", "invalid", "standard_hours is a decimal such as \"1.50\" (0.01 to 999.99)");
		} else {
			json_object_del(r->json, "standard_hours");
			json_object_set_new(r->json, "_hours_milli", json_integer(milli));
		}
	}
	static const char *const nonempty[] = {"code", "name"};
	for (size_t i = 0; i < ARRAY_LEN(nonempty); i++)
		if (json_is_string(json_object_get(r->json, nonempty[i])) && !*jstr(r->json, nonempty[i]))
			verr_add(v, nonempty[i], "required", "may not be empty");
}

void h_labour_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, lo_fields, &v);
	check(r, &v);
	if (verr_reply(&v, r))
		return;
	api_create(r, store_labour_create, "labour operation", "/api/v1/labour-operations");
}

void h_labour_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, lo_patch_fields, &v);
	check(r, &v);
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_labour_update, "labour operation");
}

void h_labour_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	verr v;
	verr_init(&v);
	const char *q = req_query(r, "q"), *m = req_query(r, "model_id");
	int64_t model_id = 0;
	if (m && !parse_i64(m, 1, INT64_MAX, &model_id))
		verr_add(&v, "model_id", "invalid", "model_id must be an id");
	if (q && !*q)
		q = NULL;
	if (q && utf8_chars(q) > 100)
		verr_add(&v, "q", "too_long", "q is too long");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_labour_list(r->db, &r->who, model_id, q, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "labour operations");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
