/*
 * validate.c — declared body fields (kore style): every field a route accepts is listed
 * with its type, whether it is required, its maximum length and allowed values; anything
 * else is refused. All problems of a body are reported together, per field.
 */
#include "http/http.h"
#include "domain/perm.h"

#include <stdio.h>
#include <string.h>

void verr_init(verr *v)
{
	v->errors = json_array();
}

void verr_add(verr *v, const char *field, const char *code, const char *message)
{
	json_array_append_new(v->errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

bool verr_reply(verr *v, req *r)
{
	size_t n = json_array_size(v->errors);
	if (n == 0) {
		json_decref(v->errors);
		v->errors = NULL;
		return false;
	}
	char d[200];
	if (n == 1)
		snprintf(d, sizeof d, "%s", json_string_value(json_object_get(json_array_get(v->errors, 0), "message")));
	else
		snprintf(d, sizeof d, "%zu fields are invalid", n);
	reply_problem_x(r, 400, "validation_failed", d, json_pack("{s:o}", "errors", v->errors));
	v->errors = NULL;
	return true;
}

bool body_required(req *r)
{
	if (!r->json) {
		reply_problem(r, 400, "validation_failed", "a JSON object body is required");
		return false;
	}
	if (!json_is_object(r->json)) {
		reply_problem(r, 400, "validation_failed", "the body must be a JSON object");
		return false;
	}
	return true;
}

static const char *type_name(enum ftype t)
{
	static const char *n[] = {"a string", "a whole number", "a number", "true or false", "an object", "an array", "a value"};
	return n[t];
}

void body_check(req *r, const struct field *specs, verr *v)
{
	char msg[300];
	const char *key;
	json_t *val;
	json_object_foreach(r->json, key, val) {
		const struct field *f = specs;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name) {
			snprintf(msg, sizeof msg, "unknown field '%.60s'", key);
			verr_add(v, key, "unknown", msg);
		}
	}
	for (const struct field *f = specs; f->name; f++) {
		json_t *x = json_object_get(r->json, f->name);
		if (!x || json_is_null(x)) {
			if (f->required) {
				snprintf(msg, sizeof msg, "%s is required", f->name);
				verr_add(v, f->name, "required", msg);
			} else if (x && !f->nullable) {
				snprintf(msg, sizeof msg, "%s may not be null", f->name);
				verr_add(v, f->name, "type", msg);
			}
			continue;
		}
		bool ok;
		switch (f->type) {
		case F_STR: ok = json_is_string(x); break;
		case F_INT: ok = json_is_integer(x); break;
		case F_NUM: ok = json_is_number(x); break;
		case F_BOOL: ok = json_is_boolean(x); break;
		case F_OBJ: ok = json_is_object(x); break;
		case F_ARR: ok = json_is_array(x); break;
		default: ok = true;
		}
		if (!ok) {
			snprintf(msg, sizeof msg, "%s must be %s", f->name, type_name(f->type));
			verr_add(v, f->name, "type", msg);
			continue;
		}
		if (f->type != F_STR)
			continue;
		const char *s = json_string_value(x);
		int max = f->max_chars ? f->max_chars : 200;
		size_t chars = utf8_chars(s);
		if (strlen(s) != json_string_length(x)) {
			snprintf(msg, sizeof msg, "%s may not contain NUL characters", f->name);
			verr_add(v, f->name, "invalid", msg);
		} else if ((int)chars > max) {
			snprintf(msg, sizeof msg, "%s is too long (%zu characters, at most %d)", f->name, chars, max);
			verr_add(v, f->name, "too_long", msg);
		} else if (f->required && chars == 0) {
			snprintf(msg, sizeof msg, "%s may not be empty", f->name);
			verr_add(v, f->name, "required", msg);
		} else if (f->oneof) {
			const char *const *o = f->oneof;
			while (*o && strcmp(*o, s))
				o++;
			if (!*o) {
				buf b;
				buf_init(&b, 200);
				for (o = f->oneof; *o; o++)
					buf_printf(&b, "%s%s", o == f->oneof ? "" : ", ", *o);
				snprintf(msg, sizeof msg, "%s must be one of: %s", f->name, b.data ? b.data : "");
				buf_free(&b);
				verr_add(v, f->name, "invalid", msg);
			}
		}
	}
}

const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

bool jhas(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	return x && !json_is_null(x);
}

bool req_can(req *r, int perm)
{
	if (perm_has(r->who.perms, perm))
		return true;
	char d[160];
	snprintf(d, sizeof d, "your role may not %s", perm_describe(perm));
	reply_problem_x(r, 403, "forbidden", d, json_pack("{s:s}", "permission", perm_name(perm)));
	return false;
}
