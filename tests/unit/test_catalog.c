/*
 * test_catalog.c — the store side of issue 4 item 3 against a real SQLite file: the default
 * fault-category tree a tenant starts with (seeded once, every path under its parent's), the
 * settings' defaults (company name = the tenant's name, discount limits per role), and the SLA
 * calendar as loaded from the tables (holidays and 调休 days sorted, the week and hours).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static db *d;
static int64_t tenant;
static char dir[64];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof dir, "/tmp/fuwu-test-catalog-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char url[128], err[256];
	snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
	d = db_open(url, true, 2, err, sizeof err);
	if (!d || db_migrate(d, err, sizeof err) != 0)
		return -1;
	bool created;
	if (store_bootstrap(d, "default", "广州美的服务站", "admin12345", NULL, 0, &created) != ST_OK)
		return -1;
	tenant = store_tenant_id(d, "default");
	return tenant > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_close(d);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	int rc = system(cmd);
	(void)rc;
	return 0;
}

static int seed_fn(db_tx *tx, void *arg)
{
	(void)arg;
	return lifecycle_defaults_tx(tx, tenant);
}

struct q {
	const char *sql;
	int64_t n;
};

static int count_fn(db_tx *tx, void *arg)
{
	struct q *q = arg;
	dbv p[] = {VI(tenant)};
	return db_query_int(tx, q->sql, p, 1, &q->n);
}

static int64_t count(const char *sql)
{
	struct q q = {sql, -1};
	assert_int_equal(db_read(d, count_fn, &q), ST_OK);
	return q.n;
}

static void default_tree(void **state)
{
	(void)state;
	/* the bootstrap of a new tenant seeded them already */
	assert_true(count("SELECT count(*) FROM fault_categories WHERE tenant_id = ?") >= 40);
	assert_int_equal(db_write(d, seed_fn, NULL), ST_OK);
	int64_t n = count("SELECT count(*) FROM fault_categories WHERE tenant_id = ?");
	assert_true(n >= 40);
	/* once only */
	assert_int_equal(db_write(d, seed_fn, NULL), ST_OK);
	assert_int_equal(count("SELECT count(*) FROM fault_categories WHERE tenant_id = ?"), n);
	/* two roots; every other node's path is its parent's path plus its own id */
	assert_int_equal(count("SELECT count(*) FROM fault_categories WHERE tenant_id = ? AND parent_id IS NULL"), 2);
	assert_int_equal(count("SELECT count(*) FROM fault_categories c JOIN fault_categories p ON p.id = c.parent_id "
			       "WHERE c.tenant_id = ? AND c.path <> p.path || c.id || '/'"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM fault_categories WHERE tenant_id = ? AND parent_id IS NULL AND "
			       "path <> '/' || id || '/'"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM fault_categories WHERE tenant_id = ? AND code = 'AC-NOCOOL' AND "
			       "name = '空调不制冷' AND path LIKE '/%/%/%/'"),
			 1);
	/* the intake suggestion over the seeded tree: AC-NOCOOL is P2, its type comes from the root */
	principal who = {.tenant_id = tenant, .roles = 1};
	struct q q = {"SELECT id FROM fault_categories WHERE tenant_id = ? AND code = 'AC-NOCOOL'", 0};
	assert_int_equal(db_read(d, count_fn, &q), ST_OK);
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_intake_suggest(d, &who, q.n, NULL, NULL, &out, &info), ST_OK);
	assert_string_equal(json_string_value(json_object_get(out, "priority")), "P2");
	assert_string_equal(json_string_value(json_object_get(out, "type")), "repair");
	json_decref(out);
	assert_int_equal(store_intake_suggest(d, &who, q.n, "A", NULL, &out, &info), ST_OK);
	assert_string_equal(json_string_value(json_object_get(out, "priority")), "P2"); /* never P1 by a raise */
	json_decref(out);
}

struct set_ctx {
	json_t *name, *limits;
	int64_t qc, reopen;
	sla_cal_data cal;
};

static int settings_fn(db_tx *tx, void *arg)
{
	struct set_ctx *c = arg;
	c->name = settings_get_tx(tx, tenant, "company_name");
	c->limits = settings_get_tx(tx, tenant, "discount_limits");
	c->qc = settings_int_tx(tx, tenant, "qc_required", 1);
	c->reopen = settings_int_tx(tx, tenant, "reopen_days", 30);
	return ST_OK;
}

static void settings_defaults(void **state)
{
	(void)state;
	struct set_ctx c = {0};
	assert_int_equal(db_read(d, settings_fn, &c), ST_OK);
	assert_string_equal(json_string_value(c.name), "广州美的服务站");
	assert_int_equal(json_integer_value(json_object_get(c.limits, "advisor")), 500);
	assert_int_equal(json_integer_value(json_object_get(c.limits, "manager")), 2000);
	assert_int_equal(json_integer_value(json_object_get(c.limits, "admin")), 10000);
	assert_int_equal(json_integer_value(json_object_get(c.limits, "cashier")), 0);
	assert_null(json_object_get(c.limits, "customer"));
	assert_int_equal(c.qc, 1);
	assert_int_equal(c.reopen, 30);
	json_decref(c.name);
	json_decref(c.limits);
	/* a change: a partial map keeps the other roles, a bool reads as 0/1 */
	principal who = {.tenant_id = tenant, .roles = 1};
	actor a = {&who, "test", NULL, NULL};
	json_t *in = json_pack("{s:{s:i}, s:b, s:i}", "discount_limits", "advisor", 800, "qc_required", 0, "reopen_days", 7);
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_settings_patch(d, &a, in, &out, &info), ST_OK);
	json_decref(in);
	json_decref(out);
	memset(&c, 0, sizeof c);
	assert_int_equal(db_read(d, settings_fn, &c), ST_OK);
	assert_int_equal(json_integer_value(json_object_get(c.limits, "advisor")), 800);
	assert_int_equal(json_integer_value(json_object_get(c.limits, "manager")), 2000);
	assert_int_equal(c.qc, 0);
	assert_int_equal(c.reopen, 7);
	json_decref(c.name);
	json_decref(c.limits);
}

static int cal_fn(db_tx *tx, void *arg)
{
	struct set_ctx *c = arg;
	return sla_cal_load_tx(tx, tenant, (int64_t)sla_civil(2026, 9, 1) * 86400000LL, &c->cal);
}

static void calendar_loaded(void **state)
{
	(void)state;
	principal who = {.tenant_id = tenant, .roles = 1};
	actor a = {&who, "test", NULL, NULL};
	json_t *in = json_loads("{\"weekdays\":[1,2,3,4,5,6],\"start_min\":510,\"end_min\":1050,\"days\":["
				"{\"day\":\"2026-10-03\",\"kind\":\"holiday\"},{\"day\":\"2026-10-01\",\"kind\":\"holiday\"},"
				"{\"day\":\"2026-10-10\",\"kind\":\"workday\"},{\"day\":\"2025-01-01\",\"kind\":\"holiday\"}]}",
				0, NULL);
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_calendar_put(d, &a, in, &out, &info), ST_OK);
	json_decref(in);
	json_decref(out);
	struct set_ctx c = {0};
	assert_int_equal(db_read(d, cal_fn, &c), ST_OK);
	assert_int_equal(c.cal.cal.weekdays, 0x3f);
	assert_int_equal(c.cal.cal.start_min, 510);
	assert_int_equal(c.cal.cal.end_min, 1050);
	assert_int_equal(c.cal.cal.tz_offset_min, 480);
	/* days before the start's day are left out; the rest sorted */
	assert_int_equal(c.cal.cal.n_holidays, 2);
	assert_int_equal(c.cal.cal.holidays[0], sla_civil(2026, 10, 1));
	assert_int_equal(c.cal.cal.holidays[1], sla_civil(2026, 10, 3));
	assert_int_equal(c.cal.cal.n_workdays, 1);
	assert_false(sla_is_working_day(&c.cal.cal, sla_civil(2026, 10, 1)));
	assert_true(sla_is_working_day(&c.cal.cal, sla_civil(2026, 10, 10)));
	assert_true(sla_is_working_day(&c.cal.cal, sla_civil(2026, 10, 17))); /* a Saturday in a six-day week */
	sla_cal_free(&c.cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_tree),
		cmocka_unit_test(settings_defaults),
		cmocka_unit_test(calendar_loaded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
