/*
 * test_store.c — the store layer against real databases: a SQLite file always, and the
 * PostgreSQL server of the test run when FUWU_TEST_PG is set. Concurrent creates through
 * the group-commit writer get gap-free numbers; a failing transaction in a batch rolls back
 * alone; data scope hides other organisations' and tenants' records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

struct env {
	db *d;
	principal admin, outlet_a, outlet_b, other_tenant;
	int64_t org_a, org_b;
};

static void login_as(db *d, const char *tenant, const char *login, const char *pw, principal *out)
{
	login_result res;
	int rc = store_login(d, tenant, login, pw, "127.0.0.1", "test", &res);
	if (rc != LOGIN_OK)
		fail_msg("login %s/%s failed: %d", tenant, login, rc);
	*out = res.who;
	free(res.token);
}

static int64_t make_org(struct env *e, const char *name, const char *code)
{
	actor a = {&e->admin, "test", NULL, NULL};
	json_t *in = json_pack("{s:I, s:s, s:s, s:s}", "parent_id", (json_int_t)e->admin.org_id, "type", "outlet", "name",
			       name, "code", code);
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_org_create(e->d, &a, in, &out, &info), ST_OK);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static struct env *setup_env(const char *url)
{
	struct env *e = calloc(1, sizeof *e);
	char err[256];
	e->d = db_open(url, true, 8, err, sizeof err);
	if (!e->d)
		fail_msg("open %s: %s", url, err);
	assert_int_equal(db_migrate(e->d, err, sizeof err), 0);
	bool created;
	assert_int_equal(store_bootstrap(e->d, "default", "测试", "admin12345", NULL, 0, &created), ST_OK);
	assert_true(created);
	assert_int_equal(store_bootstrap(e->d, "acme", "Acme", "acme12345", NULL, 0, &created), ST_OK);
	login_as(e->d, "default", "admin", "admin12345", &e->admin);
	login_as(e->d, "acme", "admin", "acme12345", &e->other_tenant);
	e->org_a = make_org(e, "天河网点", "A");
	e->org_b = make_org(e, "越秀网点", "B");
	int64_t tid = store_tenant_id(e->d, "default");
	assert_int_equal(store_user_add_cli(e->d, tid, "agent_a", "甲", "password1", "agent", e->org_a, err, sizeof err), ST_OK);
	assert_int_equal(store_user_add_cli(e->d, tid, "agent_b", "乙", "password1", "agent", e->org_b, err, sizeof err), ST_OK);
	login_as(e->d, "default", "agent_a", "password1", &e->outlet_a);
	login_as(e->d, "default", "agent_b", "password1", &e->outlet_b);
	return e;
}

static json_t *order_body(int i)
{
	char phone[20];
	snprintf(phone, sizeof phone, "+86139%08d", i);
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s}", "type", "repair", "priority", "P2", "customer", "name", "张伟",
			 "phone", phone, "fault_description", "空调不制冷");
}

struct worker {
	struct env *e;
	principal *who;
	int base, n, ok;
	char numbers[64][32];
};

static void *create_many(void *arg)
{
	struct worker *w = arg;
	actor a = {w->who, "test", NULL, NULL};
	for (int i = 0; i < w->n; i++) {
		json_t *in = order_body(w->base + i), *out = NULL;
		st_info info = {0};
		if (store_wo_create(w->e->d, &a, in, &out, &info) == ST_OK) {
			snprintf(w->numbers[w->ok++], 32, "%s", json_string_value(json_object_get(out, "number")));
		}
		json_decref(in);
		json_decref(out);
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void run_suite(const char *url)
{
	struct env *e = setup_env(url);
	/* 8 threads × 40 creates at once: all succeed, numbers 1..320 without gaps. */
	enum { T = 8, N = 40 };
	struct worker w[T];
	pthread_t th[T];
	for (int t = 0; t < T; t++) {
		w[t] = (struct worker){.e = e, .who = t % 2 ? &e->outlet_a : &e->outlet_b, .base = t * 1000, .n = N};
		pthread_create(&th[t], NULL, create_many, &w[t]);
	}
	static char all[T * N][32];
	int total = 0;
	for (int t = 0; t < T; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(w[t].ok, N);
		for (int i = 0; i < w[t].ok; i++)
			memcpy(all[total++], w[t].numbers[i], 32);
	}
	qsort(all, (size_t)total, 32, cmp_str);
	for (int i = 0; i < total; i++) {
		const char *dash = strrchr(all[i], '-');
		int64_t seq = 0;
		assert_true(parse_i64(dash + 1, 0, 99999, &seq));
		assert_int_equal(seq, i + 1);
	}

	/* A create that fails (unknown customer) in the middle of others leaves no trace
	 * and takes no number. */
	actor a = {&e->admin, "test", NULL, NULL};
	json_t *bad = json_pack("{s:s, s:I, s:s}", "type", "repair", "customer_id", (json_int_t)999999, "fault_description", "x");
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_wo_create(e->d, &a, bad, &out, &info), ST_INVALID);
	assert_string_equal(info.field, "customer_id");
	json_decref(bad);
	json_t *good = order_body(424242);
	assert_int_equal(store_wo_create(e->d, &a, good, &out, &info), ST_OK);
	const char *num = json_string_value(json_object_get(out, "number"));
	char want[16];
	snprintf(want, sizeof want, "%05d", total + 1);
	assert_string_equal(strrchr(num, '-') + 1, want);
	int64_t admin_order = json_integer_value(json_object_get(out, "id"));
	json_decref(good);
	json_decref(out);

	/* Scope: outlet B cannot read an order of outlet A; admin can; other tenant cannot. */
	json_t *items = NULL;
	int64_t next = 0;
	wo_filter f = {0};
	assert_int_equal(store_wo_list(e->d, &e->outlet_a, &f, 500, 0, &items, &next), ST_OK);
	assert_int_equal(json_array_size(items), N * T / 2);
	int64_t a_order = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
	json_decref(items);
	assert_int_equal(store_wo_get(e->d, &e->outlet_b, a_order, &out), ST_NOT_FOUND);
	assert_int_equal(store_wo_get(e->d, &e->outlet_b, admin_order, &out), ST_NOT_FOUND);
	assert_int_equal(store_wo_get(e->d, &e->other_tenant, a_order, &out), ST_NOT_FOUND);
	assert_int_equal(store_wo_get(e->d, &e->admin, a_order, &out), ST_OK);
	json_decref(out);

	/* Stale version: nothing written. */
	json_t *patch = json_pack("{s:s}", "priority", "P1");
	assert_int_equal(store_wo_update(e->d, &a, a_order, 7, patch, &out, &info), ST_STALE);
	assert_int_equal(info.current_version, 1);
	/* the 412 carries a fresh copy of the order */
	assert_int_equal(json_integer_value(json_object_get(info.current, "version")), 1);
	json_decref(info.current);
	info.current = NULL;
	assert_int_equal(store_wo_update(e->d, &a, a_order, 1, patch, &out, &info), ST_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
	json_decref(out);
	json_decref(patch);

	/* Organisations: B cannot see A's outlet; the other tenant sees only its own root. */
	assert_int_equal(store_org_get(e->d, &e->outlet_b, e->org_a, &out), ST_NOT_FOUND);
	assert_int_equal(store_orgs_list(e->d, &e->other_tenant, NULL, 0, NULL, 500, 0, &items, &next), ST_OK);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	db_close(e->d);
	free(e);
}

static void sqlite_suite(void **state)
{
	(void)state;
	char dir[] = "/tmp/fuwu-store-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
	run_suite(url);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void postgres_suite(void **state)
{
	(void)state;
	const char *base = getenv("FUWU_TEST_PG");
	if (!base || !*base)
		skip();
	char name[64], cmd[512], url[256];
	snprintf(name, sizeof name, "store_%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "psql -q '%s/postgres' -c 'CREATE DATABASE %s' >/dev/null", base, name);
	assert_int_equal(system(cmd), 0);
	snprintf(url, sizeof url, "%s/%s", base, name);
	run_suite(url);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	log_quiet = 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqlite_suite),
		cmocka_unit_test(postgres_suite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
