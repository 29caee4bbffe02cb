/*
 * test_openapi.c — /api/v1/openapi.json documents every route of the route table: each has
 * a summary and tag, every schema it names exists, path parameters are declared, and the
 * document has no path that the table lacks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"

static const char *lower(enum http_method m)
{
	static const char *n[] = {"get", "post", "patch", "put", "delete", "head", "options", "x"};
	return n[m];
}

static void every_route_documented(void **state)
{
	(void)state;
	json_t *doc = openapi_document();
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	json_t *paths = json_object_get(doc, "paths");
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	assert_true(json_object_size(schemas) > 5);
	for (int i = 0; i < routes_count; i++) {
		const struct route *rt = &routes[i];
		json_t *op = json_object_get(json_object_get(paths, rt->pattern), lower(rt->method));
		if (!op)
			fail_msg("undocumented route %s %s", lower(rt->method), rt->pattern);
		assert_non_null(rt->summary);
		assert_true(strlen(rt->summary) > 3);
		assert_non_null(json_object_get(op, "responses"));
		if (rt->body && !json_object_get(schemas, rt->body))
			fail_msg("%s names missing schema %s", rt->pattern, rt->body);
		if (rt->resp && !json_object_get(schemas, rt->resp))
			fail_msg("%s names missing schema %s", rt->pattern, rt->resp);
		if (strchr(rt->pattern, '{'))
			assert_true(json_array_size(json_object_get(op, "parameters")) >= 1);
	}
	/* And the other way round: nothing documented that does not exist. */
	const char *path;
	json_t *item;
	json_object_foreach(paths, path, item) {
		const char *m;
		json_t *op;
		json_object_foreach(item, m, op) {
			bool found = false;
			for (int i = 0; i < routes_count && !found; i++)
				found = !strcmp(routes[i].pattern, path) && !strcmp(lower(routes[i].method), m);
			if (!found)
				fail_msg("documented but not routed: %s %s", m, path);
		}
	}
	json_decref(doc);
}

static void route_patterns_unique(void **state)
{
	(void)state;
	for (int i = 0; i < routes_count; i++)
		for (int j = i + 1; j < routes_count; j++)
			if (routes[i].method == routes[j].method && !strcmp(routes[i].pattern, routes[j].pattern))
				fail_msg("duplicate route %s", routes[i].pattern);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_documented),
		cmocka_unit_test(route_patterns_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
