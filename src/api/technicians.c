/*
 * technicians.c — /api/v1/technicians: technicians as dispatch resources (issue 5 item 1).
 * Reading is for whoever may dispatch (wo.update, as the list always was); changing a
 * technician's profile, skills, certificates, brands, shifts and leave needs tech.write
 * (admin, manager, dispatcher). A technician reports their own position and duty through
 * /technicians/me/… only. Bodies are declared and checked here; the store applies the scope.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/warranty.h"

#include <string.h>

#define LIST_MAX 50 /* skills, certificates, brands, regions per technician */

static const char *const leave_kinds[] = {"annual", "sick", "training", "other", NULL};

static const struct field patch_fields[] = {
	{"team", F_STR, false, 40, NULL, true},
	{"level", F_INT, false, 0, NULL, false},
	{"on_duty", F_BOOL, false, 0, NULL, false},
	{"base_lat", F_NUM, false, 0, NULL, true},
	{"base_lon", F_NUM, false, 0, NULL, true},
	{"area_radius_km", F_INT, false, 0, NULL, true},
	{"area_regions", F_ARR, false, 0, NULL, true},
	{"skills", F_ARR, false, 0, NULL, false},
	{"certs", F_ARR, false, 0, NULL, false},
	{"brands", F_ARR, false, 0, NULL, false},
	{0},
};
static const struct field skill_fields[] = {
	{"skill", F_STR, true, 40, NULL, false},
	{"level", F_INT, true, 0, NULL, false},
	{0},
};
static const struct field cert_fields[] = {
	{"name", F_STR, true, 100, NULL, false},
	{"number", F_STR, false, 64, NULL, true},
	{"skill", F_STR, false, 40, NULL, true},
	{"valid_from", F_STR, false, 10, NULL, true},
	{"expires_on", F_STR, false, 10, NULL, true},
	{0},
};
static const struct field brand_fields[] = {
	{"brand", F_STR, true, 64, NULL, false},
	{"category", F_STR, false, 40, NULL, true},
	{0},
};
static const struct field shift_fields[] = {
	{"weekday", F_INT, true, 0, NULL, false},
	{"start_min", F_INT, true, 0, NULL, false},
	{"end_min", F_INT, true, 0, NULL, false},
	{"break_start_min", F_INT, false, 0, NULL, true},
	{"break_end_min", F_INT, false, 0, NULL, true},
	{0},
};
static const struct field leave_fields[] = {
	{"from_at", F_STR, true, 40, NULL, false},
	{"to_at", F_STR, true, 40, NULL, false},
	{"kind", F_STR, true, 16, leave_kinds, false},
	{"reason", F_STR, false, 200, NULL, true},
	{0},
};
static const struct field position_fields[] = {
	{"lat", F_NUM, true, 0, NULL, false},
	{"lon", F_NUM, true, 0, NULL, false},
	{0},
};
static const struct field duty_fields[] = {
	{"on_duty", F_BOOL, true, 0, NULL, false},
	{0},
};

/* A present number of o outside [lo, hi] is an error on `field`. */
static void check_range(verr *v, json_t *o, const char *k, const char *field, double lo, double hi)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_number(x))
		return;
	double d = json_number_value(x);
	if (d >= lo && d <= hi)
		return;
	char m[120];
	snprintf(m, sizeof m, "%s must be between %g and %g", field, lo, hi);
	verr_add(v, field, "range", m);
}

/* A present date of o must be a real 'YYYY-MM-DD'; *day gets it (else left alone). */
static void check_date(verr *v, json_t *o, const char *k, const char *field, int32_t *day)
{
	const char *s = jstr(o, k);
	if (s && *s && !wty_day_parse(s, day)) {
		char m[120];
		snprintf(m, sizeof m, "%s must be a date YYYY-MM-DD", field);
		verr_add(v, field, "invalid", m);
	}
}

static void field_name(char *out, size_t len, const char *list, size_t i, const char *k)
{
	snprintf(out, len, "%s[%zu].%s", list, i, k);
}

static void check_skills(req *r, json_t *arr, verr *v)
{
	if (!array_check(arr, "skills", LIST_MAX, v))
		return;
	size_t i, j;
	json_t *s, *t;
	json_array_foreach(arr, i, s) {
		char pfx[32], f[64];
		snprintf(pfx, sizeof pfx, "skills[%zu]", i);
		if (!item_check(r, s, skill_fields, pfx, v))
			continue;
		field_name(f, sizeof f, "skills", i, "level");
		check_range(v, s, "level", f, 1, 5);
		for (j = 0; j < i; j++) {
			t = json_array_get(arr, j);
			if (json_is_object(t) && jstr(t, "skill") && !strcmp(jstr(t, "skill"), jstr(s, "skill"))) {
				field_name(f, sizeof f, "skills", i, "skill");
				verr_add(v, f, "duplicate", "each skill once");
			}
		}
	}
}

static void check_certs(req *r, json_t *arr, verr *v)
{
	if (!array_check(arr, "certs", LIST_MAX, v))
		return;
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c) {
		char pfx[32], f[64];
		snprintf(pfx, sizeof pfx, "certs[%zu]", i);
		if (!item_check(r, c, cert_fields, pfx, v))
			continue;
		int32_t from = 0, to = 0;
		field_name(f, sizeof f, "certs", i, "valid_from");
		check_date(v, c, "valid_from", f, &from);
		field_name(f, sizeof f, "certs", i, "expires_on");
		check_date(v, c, "expires_on", f, &to);
		if (from && to && to < from)
			verr_add(v, f, "invalid", "expires_on may not be before valid_from");
	}
}

static void check_brands(req *r, json_t *arr, verr *v)
{
	if (!array_check(arr, "brands", LIST_MAX, v))
		return;
	size_t i;
	json_t *b;
	json_array_foreach(arr, i, b) {
		char pfx[32];
		snprintf(pfx, sizeof pfx, "brands[%zu]", i);
		item_check(r, b, brand_fields, pfx, v);
	}
}

static void check_regions(json_t *arr, verr *v)
{
	if (!array_check(arr, "area_regions", LIST_MAX, v))
		return;
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) if (!json_is_string(x) || !*json_string_value(x) ||
					  utf8_chars(json_string_value(x)) > 40) {
		verr_add(v, "area_regions", "invalid", "area_regions is a list of region codes or names (1-40 characters)");
		return;
	}
}

static bool check_patch(req *r)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	json_t *in = r->json;
	body_check(r, patch_fields, &v);
	check_range(&v, in, "level", "level", 1, 5);
	check_range(&v, in, "base_lat", "base_lat", -90, 90);
	check_range(&v, in, "base_lon", "base_lon", -180, 180);
	check_range(&v, in, "area_radius_km", "area_radius_km", 0, 2000);
	if (!json_object_get(in, "base_lat") != !json_object_get(in, "base_lon"))
		verr_add(&v, "base_lon", "required", "base_lat and base_lon go together");
	check_regions(json_object_get(in, "area_regions"), &v);
	check_skills(r, json_object_get(in, "skills"), &v);
	check_certs(r, json_object_get(in, "certs"), &v);
	check_brands(r, json_object_get(in, "brands"), &v);
	return !verr_reply(&v, r);
}

/* GET /api/v1/technicians: the active technicians in the caller's scope with their profile
 * and skills, for whoever may dispatch (an advisor or dispatcher without user.read). */
void h_technicians_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	tech_filter f = {.q = req_query(r, "q"), .skill = req_query(r, "skill"), .team = req_query(r, "team"),
			 .on_duty = -1};
	const char *o = req_query(r, "org_id"), *duty = req_query(r, "on_duty");
	verr v;
	verr_init(&v);
	if (o && !parse_i64(o, 1, INT64_MAX, &f.org_id))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (duty && (!strcmp(duty, "true") || !strcmp(duty, "1")))
		f.on_duty = 1;
	else if (duty && (!strcmp(duty, "false") || !strcmp(duty, "0")))
		f.on_duty = 0;
	else if (duty)
		verr_add(&v, "on_duty", "invalid", "on_duty must be true or false");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_tech_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "technicians");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_tech_get(req *r)
{
	api_get(r, store_tech_get, "technician");
}

void h_tech_update(req *r)
{
	int64_t id;
	if (req_id_param(r, 0, &id) && check_patch(r))
		api_update(r, id, store_tech_update, "technician");
}

static void check_shift(req *r, json_t *s, size_t i, unsigned *seen, verr *v)
{
	char pfx[32], f[64];
	snprintf(pfx, sizeof pfx, "shifts[%zu]", i);
	if (!item_check(r, s, shift_fields, pfx, v))
		return;
	json_int_t day = json_integer_value(json_object_get(s, "weekday"));
	json_int_t start = json_integer_value(json_object_get(s, "start_min"));
	json_int_t end = json_integer_value(json_object_get(s, "end_min"));
	json_t *bs = json_object_get(s, "break_start_min"), *be = json_object_get(s, "break_end_min");
	field_name(f, sizeof f, "shifts", i, "weekday");
	if (day < 1 || day > 7)
		verr_add(v, f, "range", "weekday is 1 (Monday) to 7 (Sunday)");
	else if (*seen & (1u << day))
		verr_add(v, f, "duplicate", "one shift per weekday");
	else
		*seen |= 1u << day;
	field_name(f, sizeof f, "shifts", i, "end_min");
	if (start < 0 || end > 1440 || start >= end)
		verr_add(v, f, "range", "0 <= start_min < end_min <= 1440 (minutes of the local day)");
	field_name(f, sizeof f, "shifts", i, "break_end_min");
	if (json_is_integer(bs) != json_is_integer(be))
		verr_add(v, f, "required", "break_start_min and break_end_min go together");
	else if (json_is_integer(bs) && (json_integer_value(bs) < start || json_integer_value(bs) >= json_integer_value(be) ||
					 json_integer_value(be) > end))
		verr_add(v, f, "range", "the break lies inside the shift: start_min <= break_start_min < break_end_min <= end_min");
}

void h_tech_shifts_put(req *r)
{
	static const struct field fields[] = {{"shifts", F_ARR, true, 0, NULL, false}, {0}};
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, fields, &v);
	json_t *arr = json_object_get(r->json, "shifts");
	unsigned seen = 0;
	size_t i;
	json_t *s;
	if (array_check(arr, "shifts", 7, &v))
		json_array_foreach(arr, i, s) check_shift(r, s, i, &seen, &v);
	if (!verr_reply(&v, r))
		api_update(r, id, store_tech_shifts_put, "technician");
}

/* The leave's times as ISO 8601 on the wire, epoch ms (_from_ms, _to_ms) for the store. */
static bool check_leave(req *r)
{
	verr v;
	verr_init(&v);
	body_check(r, leave_fields, &v);
	int64_t from = 0, to = 0;
	const char *fs = jstr(r->json, "from_at"), *ts = jstr(r->json, "to_at");
	if (fs && !ms_from_iso(fs, &from))
		verr_add(&v, "from_at", "invalid", "from_at must be a time (ISO 8601)");
	if (ts && !ms_from_iso(ts, &to))
		verr_add(&v, "to_at", "invalid", "to_at must be a time (ISO 8601)");
	if (from && to && from >= to)
		verr_add(&v, "to_at", "invalid", "to_at must be after from_at");
	json_object_set_new(r->json, "_from_ms", json_integer(from));
	json_object_set_new(r->json, "_to_ms", json_integer(to));
	return !verr_reply(&v, r);
}

void h_tech_leave_add(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r) || !check_leave(r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_tech_leave_add(r->db, &a, id, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "technician");
		return;
	}
	char loc[96];
	snprintf(loc, sizeof loc, "/api/v1/technicians/%lld/leave/%lld", (long long)id,
		 (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
}

void h_tech_leave_delete(req *r)
{
	int64_t id, leave_id;
	if (!req_id_param(r, 0, &id) || !req_id_param(r, 1, &leave_id))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = store_tech_leave_delete(r->db, &a, id, leave_id, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "leave");
		return;
	}
	reply_empty(r, 204);
}

/* /me/…: the caller's own record, so only a technician has one. */
static bool me_body(req *r, const struct field *fields, verr *v)
{
	if (!(r->who.roles & (1u << ROLE_TECHNICIAN))) {
		reply_problem(r, 403, "forbidden", "only a technician reports their own position and duty");
		return false;
	}
	if (!body_required(r))
		return false;
	verr_init(v);
	body_check(r, fields, v);
	return true;
}

void h_tech_position(req *r)
{
	verr v;
	if (!me_body(r, position_fields, &v))
		return;
	check_range(&v, r->json, "lat", "lat", -90, 90);
	check_range(&v, r->json, "lon", "lon", -180, 180);
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	json_t *o = NULL;
	int rc = store_tech_position(r->db, &a, json_number_value(json_object_get(r->json, "lat")),
				     json_number_value(json_object_get(r->json, "lon")), &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "technician");
		return;
	}
	reply_record(r, 200, o, NULL);
}

void h_tech_duty(req *r)
{
	verr v;
	if (!me_body(r, duty_fields, &v) || verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	json_t *o = NULL;
	int rc = store_tech_duty(r->db, &a, json_is_true(json_object_get(r->json, "on_duty")), &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "technician");
		return;
	}
	reply_record(r, 200, o, NULL);
}

void h_tech_score(req *r)
{
	api_get(r, store_tech_score, "technician");
}
