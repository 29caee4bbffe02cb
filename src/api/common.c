/*
 * common.c — store results to HTTP answers in one place, and the Idempotency-Key
 * protocol: a POST carrying a key that was used before gets the first answer again.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_store(req *r, int rc, const st_info *info, const char *what)
{
	char d[256];
	const char *detail = info && info->detail[0] ? info->detail : NULL;
	switch (rc) {
	case ST_INVALID: {
		const char *field = info && info->field[0] ? info->field : "body";
		snprintf(d, sizeof d, "%s", detail ? detail : "invalid reference");
		json_t *errs = json_pack("[{s:s, s:s, s:s}]", "field", field, "code", "invalid", "message", d);
		reply_problem_x(r, 400, "validation_failed", d, json_pack("{s:o}", "errors", errs));
		return;
	}
	case ST_CONFLICT: {
		json_t *x = json_object();
		if (info && info->current) {
			json_object_update(x, info->current);
			json_decref(info->current);
			((st_info *)info)->current = NULL;
		}
		if (info && info->existing_id)
			json_object_set_new(x, "existing_id", json_integer(info->existing_id));
		if (info && info->field[0])
			json_object_set_new(x, "field", json_string(info->field));
		snprintf(d, sizeof d, "%s", detail ? detail : "conflicts with an existing record");
		char code[48] = "conflict"; /* or a store-chosen code such as invalid_transition */
		if (json_is_string(json_object_get(x, "code"))) {
			snprintf(code, sizeof code, "%s", json_string_value(json_object_get(x, "code")));
			json_object_del(x, "code");
		}
		reply_problem_x(r, 409, code, d, x);
		return;
	}
	case ST_STALE: {
		json_t *x = json_object();
		if (info && info->current_version)
			json_object_set_new(x, "current_version", json_integer(info->current_version));
		if (info && info->current) {
			json_object_set_new(x, "current", info->current);
			((st_info *)info)->current = NULL;
		}
		snprintf(d, sizeof d, "%s was changed by someone else (If-Match is not the current version); reload it", what);
		reply_problem_x(r, 412, "precondition_failed", d, x);
		return;
	}
	default:
		if (info && info->current) {
			json_decref(info->current);
			((st_info *)info)->current = NULL;
		}
		reply_status(r, rc, what);
	}
}

void reply_record(req *r, int status, json_t *obj, const char *location)
{
	char etag[40];
	json_int_t v = json_integer_value(json_object_get(obj, "version"));
	reply_json(r, status, obj);
	if (v) {
		snprintf(etag, sizeof etag, "\"%lld\"", (long long)v);
		reply_header(r, "ETag", etag);
	}
	if (location)
		reply_header(r, "Location", location);
}

static void request_hash(req *r, char out[65])
{
	buf b;
	buf_init(&b, 0);
	buf_printf(&b, "%s %s\n", r->method_str, r->path);
	if (r->body.len)
		buf_append(&b, r->body.data, r->body.len);
	hash_hex(b.data, b.len, out);
	buf_free(&b);
}

static bool replay(req *r, const actor *a)
{
	char stored[65];
	int status;
	char *body = NULL, *loc = NULL;
	int rc = idem_lookup(r->db, a->who, a->idem_key, stored, &status, &body, &loc);
	if (rc == ST_NOT_FOUND)
		return false;
	if (rc != ST_OK) {
		reply_status(r, rc, "idempotency key");
		return true;
	}
	if (strcmp(stored, a->idem_hash)) {
		reply_problem(r, 409, "conflict", "this Idempotency-Key was used with a different request");
	} else {
		json_t *j = json_loads(body, 0, NULL);
		reply_record(r, status, j ? j : json_object(), loc);
		reply_header(r, "Idempotent-Replayed", "true");
	}
	free(body);
	free(loc);
	return true;
}

bool actor_begin(req *r, actor *a, char hash[65])
{
	a->who = &r->who;
	a->req_id = r->req_id;
	a->idem_key = NULL;
	a->idem_hash = NULL;
	const char *key = req_header(r, "Idempotency-Key");
	if (!key || (r->method != M_POST && r->method != M_PUT))
		return true;
	size_t n = strlen(key);
	if (n == 0 || n > 200 || !utf8_valid(key, n)) {
		reply_problem(r, 400, "validation_failed", "Idempotency-Key must be 1 to 200 characters");
		return false;
	}
	request_hash(r, hash);
	a->idem_key = key;
	a->idem_hash = hash;
	return !replay(r, a);
}

void api_get(req *r, get_fn fn, const char *what)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *o = NULL;
	int rc = fn(r->db, &r->who, id, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, what);
		return;
	}
	reply_record(r, 200, o, NULL);
}

void api_create(req *r, create_fn fn, const char *what, const char *collection)
{
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = fn(r->db, &a, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, what);
		return;
	}
	char loc[160];
	snprintf(loc, sizeof loc, "%s/%lld", collection, (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
}

void api_update(req *r, int64_t id, update_fn fn, const char *what)
{
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = fn(r->db, &a, id, ver, r->json, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, what);
		return;
	}
	reply_record(r, 200, o, NULL);
}

bool idem_replay_after_race(req *r, actor *a, int rc, const st_info *info)
{
	if (rc != ST_CONFLICT || !a->idem_key || (info && info->field[0]))
		return false;
	return replay(r, a);
}
