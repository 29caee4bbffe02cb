/*
 * nested.c — declared fields for the objects inside a body's arrays (skills, certificates,
 * shifts, policies …): the same checks as body_check, with each error's field named by its
 * place, e.g. "skills[2].level", so a form can point at the row.
 */
#include "api/api.h"

#include <stdio.h>

bool item_check(req *r, json_t *item, const struct field *spec, const char *prefix, verr *v)
{
	if (!json_is_object(item)) {
		char m[120];
		snprintf(m, sizeof m, "%s must be an object", prefix);
		verr_add(v, prefix, "type", m);
		return false;
	}
	/* body_check reads r->json: point it at the item for the call. */
	verr sub;
	verr_init(&sub);
	json_t *body = r->json;
	r->json = item;
	body_check(r, spec, &sub);
	r->json = body;
	size_t i;
	json_t *e;
	bool ok = json_array_size(sub.errors) == 0;
	json_array_foreach(sub.errors, i, e) {
		char field[160];
		snprintf(field, sizeof field, "%s.%s", prefix, jstr(e, "field"));
		verr_add(v, field, jstr(e, "code"), jstr(e, "message"));
	}
	json_decref(sub.errors);
	return ok;
}

bool array_check(json_t *arr, const char *name, size_t max, verr *v)
{
	if (!json_is_array(arr))
		return false;
	if (json_array_size(arr) <= max)
		return true;
	char m[120];
	snprintf(m, sizeof m, "%s: at most %zu items", name, max);
	verr_add(v, name, "too_many", m);
	return false;
}
