/*
 * settings.c — what an administrator sets up once (issue 4 item 3): /api/v1/fault-categories
 * (a tree), /api/v1/sla-policies (deadlines per priority / contract / region, with a preview),
 * /api/v1/calendar (working week, hours, holidays and 调休 days), /api/v1/settings (the known
 * tenant settings of store/settings.c), and the intake suggestion /api/v1/intake/suggest.
 * Reading is open to staff (fault categories to every logged-in user: the portal form offers
 * them); changing needs settings.write (admin, manager).
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/sla.h"

#include <string.h>

static const char *const priorities[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const wo_types[] = {"repair", "install", "maintenance", "inspection", "return", "consultation", NULL};
static const char *const clocks[] = {"working", "24x7", NULL};
static const char *const day_kinds[] = {"holiday", "workday", NULL};

/* Staff only: a customer account gets 403. */
static bool staff_only(req *r)
{
	if (r->who.roles & ~(1u << ROLE_CUSTOMER))
		return true;
	reply_problem(r, 403, "forbidden", "only staff may read this");
	return false;
}

/* body_check with every field optional (PATCH). */
static void check_partial(req *r, const struct field *fields, size_t n, verr *v)
{
	struct field spec[24];
	if (n > ARRAY_LEN(spec))
		n = ARRAY_LEN(spec);
	memcpy(spec, fields, n * sizeof *spec);
	spec[n - 1] = (struct field){0};
	for (size_t i = 0; spec[i].name; i++)
		spec[i].required = false;
	body_check(r, spec, v);
}

/* A present string field that may not be empty (PATCH of a required field). */
static void not_empty(verr *v, json_t *in, const char *k)
{
	json_t *x = json_object_get(in, k);
	if (json_is_string(x) && !*json_string_value(x)) {
		char m[80];
		snprintf(m, sizeof m, "%s may not be empty", k);
		verr_add(v, k, "required", m);
	}
}

static bool query_id(req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	*out = 0;
	if (!s || !*s)
		return true;
	if (parse_i64(s, 1, INT64_MAX, out))
		return true;
	char d[80];
	snprintf(d, sizeof d, "%s must be an id", name);
	verr v;
	verr_init(&v);
	verr_add(&v, name, "invalid", d);
	verr_reply(&v, r);
	return false;
}

static void delete_with(req *r, int (*fn)(db *, const actor *, int64_t, st_info *), const char *what)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = fn(r->db, &a, id, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, what);
		return;
	}
	reply_empty(r, 204);
}

/* --- fault categories ------------------------------------------------------------------- */

static const struct field fc_fields[] = {
	{"parent_id", F_INT, false, 0, NULL, true},
	{"code", F_STR, true, 32, NULL, false},
	{"name", F_STR, true, 100, NULL, false},
	{"name_en", F_STR, false, 100, NULL, true},
	{"default_priority", F_STR, false, 2, priorities, true},
	{"default_type", F_STR, false, 20, wo_types, true},
	{0},
};

static bool check_fc(req *r, bool partial)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	if (partial)
		check_partial(r, fc_fields, ARRAY_LEN(fc_fields), &v);
	else
		body_check(r, fc_fields, &v);
	const char *code = jstr(r->json, "code");
	if (code && *code) {
		for (const char *p = code; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			      *p == '_' || *p == '.')) {
				verr_add(&v, "code", "invalid", "code may hold letters, digits, '-', '_' and '.' only");
				break;
			}
	}
	if (partial) {
		not_empty(&v, r->json, "code");
		not_empty(&v, r->json, "name");
	}
	json_t *parent = json_object_get(r->json, "parent_id");
	if (json_is_integer(parent) && json_integer_value(parent) <= 0)
		verr_add(&v, "parent_id", "invalid", "parent_id must be an id or null");
	return !verr_reply(&v, r);
}

void h_fc_list(req *r)
{
	int limit;
	int64_t cursor, next, parent;
	if (!req_paging_default(r, 500, &limit, &cursor) || !query_id(r, "parent_id", &parent))
		return;
	json_t *items;
	int rc = store_fc_list(r->db, &r->who, req_query(r, "q"), parent, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "fault categories");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_fc_get(req *r)
{
	api_get(r, store_fc_get, "fault category");
}

void h_fc_create(req *r)
{
	if (check_fc(r, false))
		api_create(r, store_fc_create, "fault category", "/api/v1/fault-categories");
}

void h_fc_update(req *r)
{
	int64_t id;
	if (req_id_param(r, 0, &id) && check_fc(r, true))
		api_update(r, id, store_fc_update, "fault category");
}

void h_fc_delete(req *r)
{
	delete_with(r, store_fc_delete, "fault category");
}

/* --- SLA policies ----------------------------------------------------------------------- */

static const struct field slap_fields[] = {
	{"priority", F_STR, true, 2, priorities, false},
	{"contract", F_STR, false, 64, NULL, true},
	{"region", F_STR, false, 64, NULL, true},
	{"response_min", F_INT, true, 0, NULL, false},
	{"answer_min", F_INT, true, 0, NULL, false},
	{"onsite_min", F_INT, true, 0, NULL, false},
	{"resolve_min", F_INT, true, 0, NULL, false},
	{"calendar", F_STR, false, 10, clocks, false},
	{0},
};

static bool check_slap(req *r, bool partial)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	if (partial)
		check_partial(r, slap_fields, ARRAY_LEN(slap_fields), &v);
	else
		body_check(r, slap_fields, &v);
	static const char *const mins[] = {"response_min", "answer_min", "onsite_min", "resolve_min"};
	for (size_t i = 0; i < ARRAY_LEN(mins); i++) {
		json_t *x = json_object_get(r->json, mins[i]);
		if (json_is_integer(x) && (json_integer_value(x) < 1 || json_integer_value(x) > SLA_MAX_MINUTES)) {
			char m[100];
			snprintf(m, sizeof m, "%s must be from 1 to %d minutes", mins[i], SLA_MAX_MINUTES);
			verr_add(&v, mins[i], "range", m);
		}
	}
	return !verr_reply(&v, r);
}

static json_t *sla_defaults_json(void)
{
	json_t *a = json_array();
	for (const char *const *p = priorities; *p; p++) {
		sla_policy d;
		sla_default_policy(*p, &d);
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "priority", *p, "response_min",
						   (json_int_t)d.minutes[SLA_RESPONSE], "answer_min",
						   (json_int_t)d.minutes[SLA_ANSWER], "onsite_min", (json_int_t)d.minutes[SLA_ONSITE],
						   "resolve_min", (json_int_t)d.minutes[SLA_RESOLVE], "calendar",
						   d.working ? "working" : "24x7"));
	}
	return a;
}

void h_slap_list(req *r)
{
	int limit;
	int64_t cursor, next;
	if (!staff_only(r) || !req_paging_default(r, 500, &limit, &cursor))
		return;
	const char *pr = req_query(r, "priority");
	if (pr && *pr) {
		const char *const *p = priorities;
		while (*p && strcmp(*p, pr))
			p++;
		if (!*p) {
			reply_problem(r, 400, "validation_failed", "priority must be one of P1, P2, P3, P4");
			return;
		}
	} else {
		pr = NULL;
	}
	json_t *items;
	int rc = store_slap_list(r->db, &r->who, pr, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "SLA policies");
		return;
	}
	json_t *page = page_json(items, next);
	json_object_set_new(page, "defaults", sla_defaults_json());
	reply_json(r, 200, page);
}

void h_slap_get(req *r)
{
	if (staff_only(r))
		api_get(r, store_slap_get, "SLA policy");
}

void h_slap_create(req *r)
{
	if (check_slap(r, false))
		api_create(r, store_slap_create, "SLA policy", "/api/v1/sla-policies");
}

void h_slap_update(req *r)
{
	int64_t id;
	if (req_id_param(r, 0, &id) && check_slap(r, true))
		api_update(r, id, store_slap_update, "SLA policy");
}

void h_slap_delete(req *r)
{
	delete_with(r, store_slap_delete, "SLA policy");
}

/* GET /api/v1/sla-policies/preview?priority=&contract=&region=&created_at= */
void h_sla_preview(req *r)
{
	if (!staff_only(r))
		return;
	verr v;
	verr_init(&v);
	const char *pr = req_query(r, "priority"), *contract = req_query(r, "contract"), *region = req_query(r, "region");
	const char *at = req_query(r, "created_at");
	const char *const *p = priorities;
	while (pr && *p && strcmp(*p, pr))
		p++;
	if (!pr || !*p)
		verr_add(&v, "priority", "invalid", "priority must be one of P1, P2, P3, P4");
	if (contract && utf8_chars(contract) > 64)
		verr_add(&v, "contract", "too_long", "contract is too long (at most 64 characters)");
	if (region && utf8_chars(region) > 64)
		verr_add(&v, "region", "too_long", "region is too long (at most 64 characters)");
	int64_t created = now_ms();
	if (at && *at && !ms_from_iso(at, &created))
		verr_add(&v, "created_at", "invalid", "created_at must be an ISO 8601 time");
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = store_sla_preview(r->db, &r->who, pr, contract, region, created, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "SLA preview");
		return;
	}
	reply_json(r, 200, out);
}

/* --- the working calendar --------------------------------------------------------------- */

static const struct field cal_fields[] = {
	{"weekdays", F_ARR, true, 0, NULL, false},
	{"start_min", F_INT, true, 0, NULL, false},
	{"end_min", F_INT, true, 0, NULL, false},
	{"days", F_ARR, false, 0, NULL, false},
	{0},
};

static const struct field day_fields[] = {
	{"day", F_STR, true, 10, NULL, false},
	{"kind", F_STR, true, 10, day_kinds, false},
	{"name", F_STR, false, 50, NULL, true},
	{0},
};

#define MAX_CAL_DAYS 2000

static bool check_calendar(req *r)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	body_check(r, cal_fields, &v);
	json_t *week = json_object_get(r->json, "weekdays");
	if (json_is_array(week)) {
		unsigned seen = 0;
		size_t i;
		json_t *d;
		json_array_foreach(week, i, d) {
			int64_t n = json_is_integer(d) ? json_integer_value(d) : 0;
			if (n < 1 || n > 7) {
				verr_add(&v, "weekdays", "invalid", "weekdays are numbers 1 (Monday) to 7 (Sunday)");
				break;
			}
			if (seen & (1u << (n - 1))) {
				verr_add(&v, "weekdays", "duplicate", "a weekday is listed twice");
				break;
			}
			seen |= 1u << (n - 1);
		}
		if (!json_array_size(week))
			verr_add(&v, "weekdays", "required", "at least one working weekday is needed");
	}
	json_t *s = json_object_get(r->json, "start_min"), *e = json_object_get(r->json, "end_min");
	if (json_is_integer(s) && (json_integer_value(s) < 0 || json_integer_value(s) > 1439))
		verr_add(&v, "start_min", "range", "start_min must be from 0 to 1439 (minutes after midnight)");
	if (json_is_integer(e) && (json_integer_value(e) < 1 || json_integer_value(e) > 1440))
		verr_add(&v, "end_min", "range", "end_min must be from 1 to 1440 (minutes after midnight)");
	else if (json_is_integer(s) && json_is_integer(e) && json_integer_value(e) <= json_integer_value(s))
		verr_add(&v, "end_min", "range", "the working day must end after it starts");
	json_t *days = json_object_get(r->json, "days");
	if (json_is_array(days)) {
		if (json_array_size(days) > MAX_CAL_DAYS)
			verr_add(&v, "days", "too_long", "at most 2000 days");
		json_t *seen = json_object();
		size_t i;
		json_t *d;
		json_array_foreach(days, i, d) {
			if (i >= MAX_CAL_DAYS || json_array_size(v.errors) > 50)
				break;
			char f[48];
			if (!json_is_object(d)) {
				snprintf(f, sizeof f, "days[%zu]", i);
				verr_add(&v, f, "type", "each day must be an object {day, kind, name}");
				continue;
			}
			json_t *saved = r->json;
			r->json = d;
			verr sub;
			verr_init(&sub);
			body_check(r, day_fields, &sub);
			r->json = saved;
			size_t k;
			json_t *er;
			json_array_foreach(sub.errors, k, er) {
				snprintf(f, sizeof f, "days[%zu].%s", i, json_string_value(json_object_get(er, "field")));
				verr_add(&v, f, json_string_value(json_object_get(er, "code")),
					 json_string_value(json_object_get(er, "message")));
			}
			json_decref(sub.errors);
			const char *day = jstr(d, "day");
			int32_t civil;
			snprintf(f, sizeof f, "days[%zu].day", i);
			if (day && !sla_day_parse(day, &civil))
				verr_add(&v, f, "invalid", "day must be a real date YYYY-MM-DD");
			else if (day && json_object_get(seen, day))
				verr_add(&v, f, "duplicate", "this day is listed twice");
			else if (day)
				json_object_set_new(seen, day, json_true());
		}
		json_decref(seen);
	}
	return !verr_reply(&v, r);
}

void h_calendar_get(req *r)
{
	if (!staff_only(r))
		return;
	json_t *out = NULL;
	int rc = store_calendar_get(r->db, &r->who, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "calendar");
		return;
	}
	reply_json(r, 200, out);
}

void h_calendar_put(req *r)
{
	if (!check_calendar(r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_calendar_put(r->db, &a, r->json, &out, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "calendar");
		return;
	}
	reply_json(r, 200, out);
}

/* --- tenant settings -------------------------------------------------------------------- */

static void check_setting(verr *v, const struct setting_def *d, const char *key, json_t *x)
{
	char m[160];
	if (json_is_null(x))
		return; /* back to the default */
	switch (d->type) {
	case SET_INT:
		if (!json_is_integer(x) || json_integer_value(x) < d->min || json_integer_value(x) > d->max) {
			snprintf(m, sizeof m, "%s must be a whole number from %lld to %lld", key, (long long)d->min,
				 (long long)d->max);
			verr_add(v, key, json_is_integer(x) ? "range" : "type", m);
		}
		break;
	case SET_BOOL:
		if (!json_is_boolean(x)) {
			snprintf(m, sizeof m, "%s must be true or false", key);
			verr_add(v, key, "type", m);
		}
		break;
	case SET_TEXT:
		if (!json_is_string(x)) {
			snprintf(m, sizeof m, "%s must be a string", key);
			verr_add(v, key, "type", m);
		} else if (strlen(json_string_value(x)) != json_string_length(x)) {
			snprintf(m, sizeof m, "%s may not contain NUL characters", key);
			verr_add(v, key, "invalid", m);
		} else if ((int64_t)utf8_chars(json_string_value(x)) > d->max) {
			snprintf(m, sizeof m, "%s is too long (at most %lld characters)", key, (long long)d->max);
			verr_add(v, key, "too_long", m);
		}
		break;
	case SET_ROLE_BP: {
		if (!json_is_object(x)) {
			snprintf(m, sizeof m, "%s must be an object {role: basis points}", key);
			verr_add(v, key, "type", m);
			break;
		}
		const char *role;
		json_t *bp;
		json_object_foreach(x, role, bp) {
			char f[80];
			snprintf(f, sizeof f, "%s.%.40s", key, role);
			int id = role_parse(role);
			if (id < 0 || id == ROLE_CUSTOMER)
				verr_add(v, f, "unknown", "not a staff role");
			else if (!json_is_integer(bp) || json_integer_value(bp) < d->min || json_integer_value(bp) > d->max)
				verr_add(v, f, "range", "a discount limit is 0 to 10000 basis points (10000 = 100 %)");
		}
		break;
	}
	}
}

void h_settings_get(req *r)
{
	if (!staff_only(r))
		return;
	json_t *out = NULL;
	int rc = store_settings_get(r->db, &r->who, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "settings");
		return;
	}
	reply_json(r, 200, out);
}

void h_settings_patch(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	const char *key;
	json_t *x;
	json_object_foreach(r->json, key, x) {
		const struct setting_def *d = setting_find(key);
		if (!d) {
			char m[120];
			snprintf(m, sizeof m, "unknown setting '%.60s'", key);
			verr_add(&v, key, "unknown", m);
			continue;
		}
		check_setting(&v, d, key, x);
	}
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_settings_patch(r->db, &a, r->json, &out, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "settings");
		return;
	}
	reply_json(r, 200, out);
}

/* --- the intake suggestion -------------------------------------------------------------- */

/* GET /api/v1/intake/suggest?fault_category_id=&customer_id=&contract= */
void h_intake_suggest(req *r)
{
	int64_t cat, cust;
	if (!query_id(r, "fault_category_id", &cat) || !query_id(r, "customer_id", &cust))
		return;
	const char *contract = req_query(r, "contract");
	if (contract && utf8_chars(contract) > 64) {
		reply_problem(r, 400, "validation_failed", "contract is too long (at most 64 characters)");
		return;
	}
	char cls[4] = "";
	if (cust) {
		json_t *c = NULL;
		int rc = store_cust_get(r->db, &r->who, cust, &c);
		if (rc == ST_NOT_FOUND) {
			st_info info = {0};
			snprintf(info.field, sizeof info.field, "customer_id");
			snprintf(info.detail, sizeof info.detail, "customer not found");
			reply_store(r, ST_INVALID, &info, "customer");
			return;
		}
		if (rc != ST_OK) {
			reply_status(r, rc, "customer");
			return;
		}
		snprintf(cls, sizeof cls, "%s", jstr(c, "class") ? jstr(c, "class") : "");
		json_decref(c);
	}
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_intake_suggest(r->db, &r->who, cat, cls[0] ? cls : NULL, contract, &out, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "suggestion");
		return;
	}
	reply_json(r, 200, out);
}
