/*
 * session.c — log in and out (POST/GET/DELETE /api/v1/session) and API tokens.
 * The session token comes back in the body (for bearer use) and as an HttpOnly,
 * SameSite=Strict cookie (for the browser), with the CSRF token cookie writes need.
 */
#include "api/api.h"
#include "domain/perm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caller's full user record (as GET /users/{id} shows it) with the tenant. */
static json_t *session_user(req *r, const principal *who)
{
	json_t *u = NULL;
	if (store_user_get(r->db, who, who->user_id, &u) != ST_OK || !u)
		return principal_json(who);
	json_object_set_new(u, "tenant_id", json_integer(who->tenant_id));
	return u;
}

static const struct field login_fields[] = {
	{"login", F_STR, true, 64, NULL, false},
	{"password", F_STR, true, 128, NULL, false},
	{"tenant", F_STR, false, 64, NULL, false},
	{0},
};

void h_session_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, login_fields, &v);
	if (verr_reply(&v, r))
		return;
	const char *tenant = jstr(r->json, "tenant") ? jstr(r->json, "tenant") : "default";
	login_result res;
	int rc = store_login(r->db, tenant, jstr(r->json, "login"), jstr(r->json, "password"), r->ip, r->req_id, &res);
	if (rc == LOGIN_LIMITED) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", res.retry_after);
		reply_problem_x(r, 429, "rate_limited", "too many failed log-ins; wait before trying again",
				json_pack("{s:i}", "retry_after", res.retry_after));
		reply_header(r, "Retry-After", ra);
		return;
	}
	if (rc == LOGIN_BAD) {
		reply_problem(r, 401, "unauthorized", "wrong login or password");
		return;
	}
	if (rc != LOGIN_OK) {
		reply_problem(r, 503, "unavailable", "the database is not reachable");
		return;
	}
	char exp[32];
	iso_from_ms(res.expires_at, exp);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "token", res.token, "csrf_token", res.who.csrf, "csrf_header",
			      "X-CSRF-Token", "expires_at", exp, "user", session_user(r, &res.who));
	reply_json(r, 200, o);
	char *cookie = xasprintf("fuwu_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", res.token, 12 * 3600);
	reply_header(r, "Set-Cookie", cookie);
	reply_header(r, "Cache-Control", "no-store");
	free(cookie);
	free(res.token);
}

void h_session_get(req *r)
{
	json_t *o = json_pack("{s:o, s:s, s:s}", "user", session_user(r, &r->who), "csrf_token", r->who.csrf,
			      "csrf_header", "X-CSRF-Token");
	reply_json(r, 200, o);
	reply_header(r, "Cache-Control", "no-store");
}

void h_session_delete(req *r)
{
	int rc = store_logout(r->db, &r->who, r->req_id);
	if (rc != ST_OK) {
		reply_status(r, rc, "session");
		return;
	}
	reply_empty(r, 204);
	reply_header(r, "Set-Cookie", "fuwu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

void h_roles(req *r)
{
	json_t *roles = json_array();
	for (int i = 0; i < ROLE_COUNT; i++) {
		json_t *perms = json_array();
		for (int p = 0; p < P_COUNT; p++)
			if (role_grants(i, p))
				json_array_append_new(perms, json_string(perm_name(p)));
		json_array_append_new(roles, json_pack("{s:s, s:o}", "role", role_name(i), "permissions", perms));
	}
	json_t *perms = json_array();
	for (int p = 0; p < P_COUNT; p++)
		json_array_append_new(perms, json_pack("{s:s, s:s}", "permission", perm_name(p), "description", perm_describe(p)));
	reply_json(r, 200, json_pack("{s:o, s:o}", "items", roles, "permissions", perms));
}

/* --- API tokens --------------------------------------------------------------------- */

static const struct field token_fields[] = {
	{"name", F_STR, true, 100, NULL, false},
	{"user_id", F_INT, false, 0, NULL, true},
	{0},
};

void h_tokens_list(req *r)
{
	int limit;
	int64_t cursor, next;
	if (!req_paging(r, &limit, &cursor))
		return;
	json_t *items;
	int rc = store_tokens_list(r->db, &r->who, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "tokens");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_tokens_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, token_fields, &v);
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out;
	int rc = store_token_create(r->db, &a, json_integer_value(json_object_get(r->json, "user_id")),
				    jstr(r->json, "name"), &out, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "API token");
		return;
	}
	reply_json(r, 201, out);
	reply_header(r, "Cache-Control", "no-store");
}

void h_tokens_delete(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	int rc = store_token_revoke(r->db, &a, id);
	if (rc != ST_OK) {
		reply_status(r, rc, "API token");
		return;
	}
	reply_empty(r, 204);
}
