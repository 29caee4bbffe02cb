/*
 * users.c — /api/v1/users: accounts, their organisation and roles; /api/v1/audit-log.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/phone.h"

#include <string.h>

static const char *const statuses[] = {"active", "disabled", NULL};

static const struct field user_fields[] = {
	{"login", F_STR, true, 64, NULL, false},
	{"name", F_STR, true, 64, NULL, false},
	{"password", F_STR, true, 128, NULL, false},
	{"org_id", F_INT, true, 0, NULL, false},
	{"roles", F_ARR, true, 0, NULL, false},
	{"phone", F_STR, false, 32, NULL, true},
	{"email", F_STR, false, 120, NULL, true},
	{"status", F_STR, false, 16, statuses, false},
	{"customer_id", F_INT, false, 0, NULL, true},
	{0},
};

static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* Validates and normalises (phone) a user body. */
static bool check_user_body(req *r, bool create)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	struct field spec[ARRAY_LEN(user_fields)];
	memcpy(spec, user_fields, sizeof spec);
	for (size_t i = 0; spec[i].name; i++) {
		if (!create)
			spec[i].required = false;
		if (!create && (!strcmp(spec[i].name, "password") || !strcmp(spec[i].name, "login")))
			spec[i].name = "-"; /* not changed through PATCH */
	}
	body_check(r, spec, &v);
	json_t *j = r->json;
	if (json_is_string(json_object_get(j, "login")) && create && !login_ok(jstr(j, "login")))
		verr_add(&v, "login", "invalid", "login: 3 to 64 of a-z 0-9 _ . -");
	if (create && json_is_string(json_object_get(j, "password")) && utf8_chars(jstr(j, "password")) < 8)
		verr_add(&v, "password", "too_short", "password must have at least 8 characters");
	if (!create && json_is_string(json_object_get(j, "name")) && !*jstr(j, "name"))
		verr_add(&v, "name", "required", "name may not be empty");
	json_t *roles = json_object_get(j, "roles");
	if (json_is_array(roles)) {
		size_t i;
		json_t *x;
		if (json_array_size(roles) == 0)
			verr_add(&v, "roles", "required", "give at least one role");
		json_array_foreach(roles, i, x) {
			if (!json_is_string(x) || role_parse(json_string_value(x)) < 0) {
				verr_add(&v, "roles", "invalid", "unknown role (see GET /api/v1/roles)");
				break;
			}
		}
	}
	/* A customer account is tied to its customer record: that is its whole data scope. */
	bool is_customer = false;
	if (json_is_array(roles)) {
		size_t i;
		json_t *x;
		json_array_foreach(roles, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), "customer"))
			is_customer = true;
		if (is_customer && json_array_size(roles) > 1)
			verr_add(&v, "roles", "invalid", "a customer account has the role customer only");
	}
	if (create && is_customer && !json_is_integer(json_object_get(j, "customer_id")))
		verr_add(&v, "customer_id", "required", "customer_id is required for a customer account");
	if (create && !is_customer && json_is_integer(json_object_get(j, "customer_id")))
		verr_add(&v, "customer_id", "invalid", "customer_id is only for customer accounts");
	const char *phone = jstr(j, "phone");
	if (phone && *phone) {
		char norm[20];
		if (!phone_normalize(phone, norm))
			verr_add(&v, "phone", "invalid", "phone is not a valid Chinese phone number");
		else
			json_object_set_new(j, "phone", json_string(norm));
	}
	const char *email = jstr(j, "email");
	if (email && *email && (!strchr(email, '@') || strchr(email, ' ')))
		verr_add(&v, "email", "invalid", "email is not a valid address");
	return !verr_reply(&v, r);
}

void h_users_list(req *r)
{
	int limit;
	int64_t cursor, org = 0;
	if (!req_paging(r, &limit, &cursor))
		return;
	const char *o = req_query(r, "org_id"), *role = req_query(r, "role"), *status = req_query(r, "status");
	if (o && !parse_i64(o, 1, INT64_MAX, &org)) {
		reply_problem(r, 400, "validation_failed", "org_id must be an id");
		return;
	}
	if (role && role_parse(role) < 0) {
		reply_problem(r, 400, "validation_failed", "unknown role");
		return;
	}
	json_t *items;
	int64_t next;
	int rc = store_users_list(r->db, &r->who, req_query(r, "q"), org, role, status, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "users");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_users_get(req *r)
{
	api_get(r, store_user_get, "user");
}

void h_users_create(req *r)
{
	if (check_user_body(r, true))
		api_create(r, store_user_create, "user", "/api/v1/users");
}

void h_users_update(req *r)
{
	int64_t id;
	if (req_id_param(r, 0, &id) && check_user_body(r, false))
		api_update(r, id, store_user_update, "user");
}

void h_users_delete(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	if (id == r->who.user_id) {
		reply_problem(r, 409, "conflict", "you cannot disable your own account");
		return;
	}
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	int rc = store_user_disable(r->db, &a, id);
	if (rc != ST_OK) {
		reply_status(r, rc, "user");
		return;
	}
	reply_empty(r, 204);
}

static const struct field pw_fields[] = {
	{"password", F_STR, true, 128, NULL, false},
	{"old_password", F_STR, false, 128, NULL, false},
	{0},
};

void h_users_password(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, pw_fields, &v);
	if (jstr(r->json, "password") && utf8_chars(jstr(r->json, "password")) < 8)
		verr_add(&v, "password", "too_short", "password must have at least 8 characters");
	bool admin = perm_has(r->who.perms, P_USER_WRITE);
	if (!admin && id != r->who.user_id) {
		json_decref(v.errors);
		reply_problem(r, 403, "forbidden", "you may change only your own password");
		return;
	}
	if (!admin && !jstr(r->json, "old_password"))
		verr_add(&v, "old_password", "required", "old_password is required to change your own password");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = store_user_set_password(r->db, &a, id, admin ? NULL : jstr(r->json, "old_password"),
					 jstr(r->json, "password"), &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "user");
		return;
	}
	reply_empty(r, 204);
}

void h_audit_list(req *r)
{
	int limit;
	int64_t cursor, eid = 0, uid = 0;
	if (!req_paging(r, &limit, &cursor))
		return;
	const char *e = req_query(r, "entity_id"), *u = req_query(r, "user_id");
	if ((e && !parse_i64(e, 1, INT64_MAX, &eid)) || (u && !parse_i64(u, 1, INT64_MAX, &uid))) {
		reply_problem(r, 400, "validation_failed", "entity_id and user_id must be ids");
		return;
	}
	json_t *items;
	int64_t next;
	int rc = store_audit_list(r->db, &r->who, req_query(r, "entity"), eid, uid, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "audit log");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
