/*
 * test_demo.c — the demo data set (src/demo): the counts of issue 2 item 9, every state of
 * DOMAIN §3 present, orders spread over the last 90 days, numbers and day counters without
 * a clash or a gap, a second load adding nothing, the same seed giving the same rows (also
 * across SQLite and PostgreSQL when FUWU_TEST_PG is set), and the bulk orders of the
 * benchmark continuing the day counters; the archive data of issue 3 (plates, readings,
 * schedules, classes and churn states, contacts and contact tasks).
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

#include "demo/demo.h"
#include "store/store.h"

#define DAY_MS 86400000LL

struct q {
	const char *sql;
	int64_t v;
	char hash[65];
};

static int q_int_fn(db_tx *tx, void *arg)
{
	struct q *q = arg;
	q->v = -1;
	return db_query_int(tx, q->sql, NULL, 0, &q->v);
}

static int64_t q_int(db *d, const char *sql)
{
	struct q q = {sql, 0, ""};
	int rc = db_read(d, q_int_fn, &q);
	if (rc != ST_OK)
		fail_msg("query failed (%d): %s", rc, sql);
	return q.v;
}

/* Hash of every row of a query, each column's text joined. */
static int q_hash_fn(db_tx *tx, void *arg)
{
	struct q *q = arg;
	db_res *r;
	if (db_query(tx, q->sql, NULL, 0, &r) != DB_OK)
		return ST_DB;
	buf b;
	buf_init(&b, 0);
	for (int i = 0; i < db_rows(r); i++) {
		for (int c = 0; c < db_cols(r); c++)
			buf_printf(&b, "%s|", db_text(r, i, c) ? db_text(r, i, c) : "~");
		buf_puts(&b, "\n");
	}
	hash_hex(b.data ? b.data : "", b.len, q->hash);
	buf_free(&b);
	db_res_free(r);
	return ST_OK;
}

static void q_hash(db *d, const char *sql, char out[65])
{
	struct q q = {sql, 0, ""};
	assert_int_equal(db_read(d, q_hash_fn, &q), ST_OK);
	memcpy(out, q.hash, 65);
}

static const char *const ORDER_ROWS =
	"SELECT number, status, customer_name, type, priority, channel, fault_description, org_id, assignee_id "
	"FROM work_orders ORDER BY id";

static db *open_fresh(const char *url)
{
	char err[256];
	db *d = db_open(url, false, 1, err, sizeof err);
	if (!d)
		fail_msg("open %s: %s", url, err);
	assert_int_equal(db_migrate(d, err, sizeof err), 0);
	bool created;
	assert_int_equal(store_bootstrap(d, "default", "测试", "admin12345", NULL, 0, &created), ST_OK);
	return d;
}

static void load(db *d, uint64_t seed, int64_t orders, demo_result *res)
{
	char err[256];
	demo_opts o = {.seed = seed, .orders = orders, .batch = 700};
	int rc = demo_load(d, "default", &o, res, err, sizeof err);
	if (rc != ST_OK)
		fail_msg("demo_load: %d %s", rc, err);
}

/* Every day's counter equals the number of orders of that day, and the highest number. */
static void assert_counters_consistent(db *d)
{
	assert_int_equal(q_int(d, "SELECT count(*) FROM (SELECT substr(number, 3, 8) AS d, count(*) AS c FROM work_orders "
				  "GROUP BY substr(number, 3, 8)) x LEFT JOIN counters k ON k.name = 'wo:' || x.d "
				  "WHERE k.value IS NULL OR k.value <> x.c"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM (SELECT substr(number, 3, 8) AS d, count(*) AS c, "
				  "max(CAST(substr(number, 12) AS BIGINT)) AS m FROM work_orders GROUP BY substr(number, 3, 8)) x "
				  "WHERE x.m <> x.c"),
			 0);
}

/* Issue 3 item 10: the archive data grown to match — plates and mileage readings on the
 * cars, schedules on their models, customers in every class and churn state, contacts made
 * and contact tasks open, the due cache and the pinyin initials filled in. */
static void check_archive(db *d)
{
	const char *cars = "(SELECT a.id FROM assets a JOIN product_models m ON m.id = a.model_id WHERE m.category IN "
			   "('汽车', '新能源汽车'))";
	char q[600];
	snprintf(q, sizeof q, "SELECT count(*) FROM assets WHERE id IN %s", cars);
	int64_t ncars = q_int(d, q);
	assert_true(ncars > 10);
	snprintf(q, sizeof q, "SELECT count(*) FROM assets WHERE id IN %s AND plate LIKE '粤%%' AND length(plate) >= 7", cars);
	assert_int_equal(q_int(d, q), ncars);
	assert_int_equal(q_int(d, "SELECT count(*) FROM assets WHERE plate IS NOT NULL AND model_id NOT IN (SELECT id FROM "
				  "product_models WHERE category IN ('汽车', '新能源汽车'))"),
			 0);
	assert_true(q_int(d, "SELECT count(*) FROM asset_readings") > ncars);
	/* readings only go up, and never before the purchase */
	assert_int_equal(q_int(d, "SELECT count(*) FROM asset_readings r JOIN asset_readings s ON s.asset_id = r.asset_id AND "
				  "s.read_on > r.read_on AND s.km < r.km"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM asset_readings r JOIN assets a ON a.id = r.asset_id WHERE "
				  "r.read_on < a.purchase_date"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM product_models WHERE category IN ('汽车', '新能源汽车', '空调') AND "
				  "(maintenance_json IS NULL OR maintenance_json NOT LIKE '[{\"name\":%')"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM assets WHERE next_due_on IS NULL OR next_due_on = ''"), 0);
	snprintf(q, sizeof q, "SELECT count(*) FROM assets WHERE id IN %s AND next_due_on < '9999'", cars);
	assert_int_equal(q_int(d, q), ncars);
	for (const char *c = "ABC"; *c; c++) {
		snprintf(q, sizeof q, "SELECT count(*) FROM customers WHERE class = '%c'", *c);
		assert_true(q_int(d, q) >= 10);
	}
	assert_int_equal(q_int(d, "SELECT count(*) FROM customers WHERE name_initials IS NULL OR name_initials = ''"), 0);
	/* churn (3-6-9) from the last order, else the day recorded: every class present */
	int64_t now = now_ms();
	static const int lo[4] = {0, 91, 182, 273}, hi[4] = {89, 181, 272, 100000};
	for (int k = 0; k < 4; k++) {
		snprintf(q, sizeof q,
			 "SELECT count(*) FROM customers c WHERE COALESCE((SELECT max(w.created_at) FROM work_orders w WHERE "
			 "w.customer_id = c.id), c.created_at) BETWEEN %lld AND %lld",
			 (long long)(now - (int64_t)hi[k] * DAY_MS), (long long)(now - (int64_t)lo[k] * DAY_MS));
		assert_true(q_int(d, q) >= 5);
	}
	/* contacts made, tasks open (some overdue), never two open for one customer */
	assert_true(q_int(d, "SELECT count(*) FROM contact_tasks WHERE status = 'done' AND outcome IS NOT NULL") >= 20);
	assert_true(q_int(d, "SELECT count(*) FROM contact_tasks WHERE status = 'open'") >= 20);
	assert_int_equal(q_int(d, "SELECT count(*) FROM (SELECT customer_id FROM contact_tasks WHERE status = 'open' GROUP BY "
				  "customer_id HAVING count(*) > 1) x"),
			 0);
}

/* What the lifecycle left on the base orders (demo_flow.c). */
static void check_lifecycle(db *d)
{
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders WHERE sla_resolve_due IS NULL OR sla_response_due IS NULL"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders WHERE status NOT IN ('new', 'cancelled') AND "
				  "(responded_at IS NULL OR responded_at < created_at)"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders WHERE status IN ('completed', 'qc_passed', 'settled', "
				  "'closed', 'followed_up') AND (completed_at IS NULL OR completed_at < onsite_at)"),
			 0);
	/* every settled order has one paid bill; what was paid is its total, the self-paid lines' sum */
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders w WHERE status IN ('settled', 'closed', 'followed_up') AND "
				  "(SELECT count(*) FROM bills b WHERE b.order_id = w.id AND b.state = 'paid') <> 1"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM bills b WHERE total_fen <> (SELECT coalesce(sum(amount_fen), 0) FROM "
				  "wo_lines l WHERE l.order_id = b.order_id AND l.pay_type = 'self_pay') OR paid_fen <> "
				  "(SELECT coalesce(sum(amount_fen), 0) FROM payments p WHERE p.bill_id = b.id)"),
			 0);
	assert_true(q_int(d, "SELECT count(*) FROM bills WHERE warranty_fen > 0") >= 10);
	assert_int_equal(q_int(d, "SELECT count(*) FROM wo_lines l JOIN work_orders w ON w.id = l.order_id WHERE "
				  "w.status IN ('new', 'accepted', 'dispatched', 'cancelled')"),
			 0);
	assert_true(q_int(d, "SELECT count(*) FROM work_orders WHERE rating BETWEEN 1 AND 5") >= 50);
	/* dispatch: every technician a resource with skills and a week of shifts; orders placed */
	assert_int_equal(q_int(d, "SELECT count(*) FROM users u WHERE roles = 'technician' AND (NOT EXISTS (SELECT 1 FROM "
				  "tech_profiles p WHERE p.user_id = u.id AND p.on_duty = 1 AND p.pos_lat IS NOT NULL) OR (SELECT "
				  "count(*) FROM tech_shifts s WHERE s.user_id = u.id) <> 6 OR NOT EXISTS (SELECT 1 FROM tech_skills k "
				  "WHERE k.user_id = u.id))"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders WHERE status = 'dispatched' AND appointment_start IS NULL"),
			 0);
	assert_true(q_int(d, "SELECT count(*) FROM work_orders WHERE lat IS NOT NULL AND region IS NOT NULL") >= 200);
}

static void check_base(db *d)
{
	assert_int_equal(q_int(d, "SELECT count(*) FROM organizations WHERE type = 'manufacturer'"), 2);
	assert_int_equal(q_int(d, "SELECT count(*) FROM organizations WHERE type = 'station'"), 3);
	assert_int_equal(q_int(d, "SELECT count(*) FROM organizations WHERE type = 'outlet'"), 6);
	assert_int_equal(q_int(d, "SELECT count(*) FROM organizations WHERE type = 'outlet' AND (province IS NULL OR "
				  "city IS NULL OR district IS NULL OR address IS NULL OR lat IS NULL OR lon IS NULL)"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM users WHERE roles = 'technician'"), 30);
	assert_int_equal(q_int(d, "SELECT count(*) FROM users WHERE roles = 'technician' AND skills LIKE '[{\"category\":%' "
				  "AND lat IS NOT NULL AND lon IS NOT NULL"),
			 30);
	/* Technicians sit at outlets, five each. */
	assert_int_equal(q_int(d, "SELECT count(*) FROM (SELECT o.id FROM organizations o JOIN users u ON u.org_id = o.id "
				  "AND u.roles = 'technician' WHERE o.type = 'outlet' GROUP BY o.id HAVING count(*) = 5) x"),
			 6);
	assert_true(q_int(d, "SELECT count(DISTINCT roles) FROM users WHERE roles <> 'technician'") >= 10);
	assert_int_equal(q_int(d, "SELECT count(*) FROM customers"), 200);
	assert_int_equal(q_int(d, "SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_phones p "
				  "WHERE p.customer_id = c.id) OR NOT EXISTS (SELECT 1 FROM customer_addresses a WHERE "
				  "a.customer_id = c.id AND a.lat IS NOT NULL)"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM customer_phones WHERE phone NOT LIKE '+86138%' AND phone NOT LIKE "
				  "'+86136%'"),
			 0);
	assert_int_equal(q_int(d, "SELECT count(*) FROM assets"), 300);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders"), 500);
	assert_int_equal(q_int(d, "SELECT count(DISTINCT status) FROM work_orders"), 14);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders WHERE status NOT IN ('new', 'accepted', 'dispatched', "
				  "'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer', 'completed', "
				  "'qc_passed', 'settled', 'closed', 'followed_up', 'cancelled')"),
			 0);
	assert_true(q_int(d, "SELECT count(DISTINCT substr(number, 3, 8)) FROM work_orders") >= 80);
	int64_t now = now_ms();
	assert_true(q_int(d, "SELECT min(created_at) FROM work_orders") >= now - 91 * DAY_MS);
	assert_true(q_int(d, "SELECT max(created_at) FROM work_orders") <= now);
	assert_int_equal(q_int(d, "SELECT count(*) FROM wo_events WHERE event = 'create'"), 500);
	check_archive(d);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders w WHERE NOT EXISTS (SELECT 1 FROM wo_events e WHERE "
				  "e.order_id = w.id AND e.event = 'create')"),
			 0);
	assert_counters_consistent(d);
}

static int64_t row_total(db *d)
{
	return q_int(d, "SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM users) + "
			"(SELECT count(*) FROM customers) + (SELECT count(*) FROM customer_phones) + "
			"(SELECT count(*) FROM customer_addresses) + (SELECT count(*) FROM product_models) + "
			"(SELECT count(*) FROM assets) + (SELECT count(*) FROM work_orders) + (SELECT count(*) FROM wo_events) + "
			"(SELECT count(*) FROM audit_log) + (SELECT count(*) FROM counters)");
}

/* Loads twice into `url`, checks, and leaves the order hash in `hash`. */
static void load_twice(const char *url, char hash[65])
{
	db *d = open_fresh(url);
	demo_result res;
	load(d, 7, 0, &res);
	assert_false(res.already);
	assert_int_equal(res.orders, 500);
	for (int s = 0; s < 14; s++)
		assert_true(res.status_count[s] > 0);
	check_base(d);
	check_lifecycle(d);
	int64_t before = row_total(d);
	load(d, 7, 0, &res);
	assert_true(res.already);
	assert_int_equal(res.loaded_seed, 7);
	assert_int_equal(res.orders, 0);
	assert_int_equal(row_total(d), before);
	check_base(d);
	q_hash(d, ORDER_ROWS, hash);
	db_close(d);
}

static char sqlite_hash[65];

static void sqlite_load_twice(void **state)
{
	(void)state;
	char path[] = "/tmp/fuwu-test-demo-XXXXXX";
	assert_non_null(mkdtemp(path));
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/a.db", path);
	load_twice(url, sqlite_hash);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void sqlite_same_seed_same_rows(void **state)
{
	(void)state;
	char path[] = "/tmp/fuwu-test-demo-XXXXXX";
	assert_non_null(mkdtemp(path));
	char url[128], h1[65], h2[65], h3[65];
	demo_result res;
	for (int i = 0; i < 3; i++) {
		snprintf(url, sizeof url, "sqlite:%s/%d.db", path, i);
		db *d = open_fresh(url);
		load(d, i < 2 ? 42 : 43, 0, &res);
		q_hash(d, ORDER_ROWS, i == 0 ? h1 : i == 1 ? h2 : h3);
		db_close(d);
	}
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* The benchmark's bulk orders: in several transactions, twice, the day counters carry on. */
static void sqlite_bulk_orders(void **state)
{
	(void)state;
	char path[] = "/tmp/fuwu-test-demo-XXXXXX";
	assert_non_null(mkdtemp(path));
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/bulk.db", path);
	db *d = open_fresh(url);
	demo_result res;
	load(d, 1, 3000, &res);
	assert_int_equal(res.bulk_orders, 3000);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders"), 3500);
	load(d, 1, 2000, &res);
	assert_true(res.already);
	assert_int_equal(res.bulk_orders, 2000);
	assert_int_equal(q_int(d, "SELECT count(*) FROM work_orders"), 5500);
	assert_int_equal(q_int(d, "SELECT count(*) FROM wo_events WHERE event = 'create'"), 5500);
	assert_int_equal(q_int(d, "SELECT count(DISTINCT number) FROM work_orders"), 5500);
	assert_int_equal(q_int(d, "SELECT count(DISTINCT status) FROM work_orders"), 14);
	assert_counters_consistent(d);
	/* A create through the store after the load still gets the next number. */
	login_result lr;
	assert_int_equal(store_login(d, "default", "dispatcher1", DEMO_PASSWORD, "127.0.0.1", "test", &lr), LOGIN_OK);
	free(lr.token);
	actor a = {&lr.who, "test", NULL, NULL};
	json_t *in = json_pack("{s:s, s:s, s:s}", "type", "repair", "fault_description", "空调不制冷", "address", "x");
	json_object_set_new(in, "customer_id", json_integer(1));
	json_t *out = NULL;
	st_info info = {0};
	assert_int_equal(store_wo_create(d, &a, in, &out, &info), ST_OK);
	json_decref(in);
	json_decref(out);
	assert_counters_consistent(d);
	db_close(d);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* The same data on PostgreSQL: loads twice, and the rows equal SQLite's for the same seed. */
static void postgres_same_as_sqlite(void **state)
{
	(void)state;
	const char *base = getenv("FUWU_TEST_PG");
	if (!base || !*base)
		skip();
	char name[64], cmd[512], url[256], hash[65];
	snprintf(name, sizeof name, "demo_%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "psql -q '%s/postgres' -c 'CREATE DATABASE %s' >/dev/null", base, name);
	assert_int_equal(system(cmd), 0);
	snprintf(url, sizeof url, "%s/%s", base, name);
	load_twice(url, hash);
	if (sqlite_hash[0])
		assert_string_equal(hash, sqlite_hash);
	db *d = open_fresh(url);
	demo_result res;
	load(d, 7, 1500, &res);
	assert_int_equal(res.bulk_orders, 1500);
	assert_counters_consistent(d);
	db_close(d);
	snprintf(cmd, sizeof cmd, "psql -q '%s/postgres' -c 'DROP DATABASE %s' >/dev/null", base, name);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	log_quiet = 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqlite_load_twice),
		cmocka_unit_test(sqlite_same_seed_same_rows),
		cmocka_unit_test(sqlite_bulk_orders),
		cmocka_unit_test(postgres_same_as_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
