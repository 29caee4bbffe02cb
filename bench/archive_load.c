/*
 * archive_load.c — the archive benchmark's bulk loader (bench/archive.sh): N customers and
 * M assets straight into a SQLite database that `fuwu demo` has prepared (schema, tenant 1,
 * the demo network). Rows look like the store writes them: phones normalised (+86…, unique,
 * last four digits spread evenly), one address, pinyin initials (util/pinyin.c), assets of
 * the demo models — a third cars with a plate (粤A/B/E…) — and the maintenance-due cache
 * (domain/maint.c) filled in. Customers are spread over the six outlets, so "one outlet" is a
 * sixth of the data. Prepared statements in transactions of 100,000 rows; synchronous=OFF
 * while loading (benchmark data, not customers').
 *
 *   archive_load DB CUSTOMERS ASSETS [PLATES_OUT]   (a sample of the plates, URL-encoded)
 */
#include "domain/maint.h"
#include "domain/warranty.h"
#include "util/pinyin.h"
#include "util/util.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "archive_load: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		fprintf(stderr, "archive_load: %s: %s\n", sql, e ? e : "?");
		exit(1);
	}
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void step(sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(what);
	sqlite3_reset(s);
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
				       "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
				       "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
				    "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红",
				    "志强", "玉兰", "海燕", "晓东", "思远", "子涵", "欣怡", "浩然", "雨轩", "梓萱"};

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: archive_load DB CUSTOMERS ASSETS [PLATES_OUT]\n");
		return 2;
	}
	FILE *sample = argc == 5 ? fopen(argv[4], "w") : NULL;
	int64_t ncust = strtoll(argv[2], NULL, 10), nasset = strtoll(argv[3], NULL, 10);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		die("open");
	exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY");

	/* the six outlets, the models (with their schedules) */
	int64_t outlet[16];
	int nout = 0;
	sqlite3_stmt *q = prep("SELECT id FROM organizations WHERE tenant_id = 1 AND type = 'outlet' ORDER BY id");
	while (sqlite3_step(q) == SQLITE_ROW && nout < 16)
		outlet[nout++] = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	struct model {
		int64_t id;
		bool car;
		maint_step steps[16];
		int nsteps;
	} models[64];
	int nmodel = 0;
	q = prep("SELECT id, category, maintenance_json FROM product_models WHERE tenant_id = 1 ORDER BY id");
	while (sqlite3_step(q) == SQLITE_ROW && nmodel < 64) {
		struct model *m = &models[nmodel++];
		memset(m, 0, sizeof *m);
		m->id = sqlite3_column_int64(q, 0);
		const char *cat = (const char *)sqlite3_column_text(q, 1);
		m->car = cat && strstr(cat, "汽车");
		json_t *s = sqlite3_column_text(q, 2) ? json_loads((const char *)sqlite3_column_text(q, 2), 0, NULL) : NULL;
		size_t i;
		json_t *st;
		json_array_foreach(s, i, st) if (m->nsteps < 16) {
			m->steps[m->nsteps].km = json_integer_value(json_object_get(st, "km"));
			m->steps[m->nsteps].months = (int)json_integer_value(json_object_get(st, "months"));
			m->nsteps++;
		}
		json_decref(s);
	}
	sqlite3_finalize(q);
	if (!nout || !nmodel) {
		fprintf(stderr, "archive_load: run `fuwu demo` on the database first (no outlets or models)\n");
		return 1;
	}
	int64_t first = 0;
	q = prep("SELECT coalesce(max(id), 0) FROM customers");
	if (sqlite3_step(q) == SQLITE_ROW)
		first = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);

	sqlite3_stmt *ic = prep("INSERT INTO customers(id, tenant_id, org_id, kind, name, class, source, created_at, "
				"updated_at, name_initials) VALUES (?, 1, ?, 'person', ?, ?, 'bench', ?, ?, ?)");
	sqlite3_stmt *ip = prep("INSERT INTO customer_phones(tenant_id, customer_id, phone) VALUES (1, ?, ?)");
	sqlite3_stmt *ia = prep("INSERT INTO customer_addresses(tenant_id, customer_id, province, city, district, text) "
				"VALUES (1, ?, '广东省', '广州市', '天河区', ?)");
	sqlite3_stmt *is = prep("INSERT INTO assets(tenant_id, customer_id, model_id, serial, plate, purchase_date, "
				"created_at, updated_at, next_due_on, due_org_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int64_t now = now_ms();
	int32_t today = (int32_t)((now + 8 * 3600000LL) / 86400000);
	int64_t t0 = mono_ns();
	exec("BEGIN");
	for (int64_t i = 0; i < ncust; i++) {
		int64_t id = first + 1 + i;
		uint64_t h = mix((uint64_t)i + 0x1234);
		char name[64], phone[24], ini[65], addr[128];
		snprintf(name, sizeof name, "%s%s%s", surnames[h % ARRAY_LEN(surnames)], given[(h >> 8) % ARRAY_LEN(given)],
			 (h >> 16) % 3 ? "" : given[(h >> 24) % ARRAY_LEN(given)]);
		pinyin_initials(name, ini, sizeof ini);
		/* +86 13x: the nine digits a bijection of i (odd multiplier mod 10^9), so the last four
		 * spread evenly and no two customers share a phone */
		uint64_t digits = ((uint64_t)i * 387420489ull + 12345ull) % 1000000000ull;
		snprintf(phone, sizeof phone, "+8613%c%09llu", "0123456789"[(i / 1000000000) % 10], (unsigned long long)digits);
		int64_t created = now - (int64_t)((h >> 32) % (3 * 365)) * 86400000LL;
		const char *cls = (h >> 40) % 10 < 1 ? "A" : (h >> 40) % 10 < 4 ? "B" : "C";
		sqlite3_bind_int64(ic, 1, id);
		sqlite3_bind_int64(ic, 2, outlet[i % nout]);
		sqlite3_bind_text(ic, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ic, 4, cls, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ic, 5, created);
		sqlite3_bind_int64(ic, 6, created);
		sqlite3_bind_text(ic, 7, ini, -1, SQLITE_TRANSIENT);
		step(ic, "customer");
		sqlite3_bind_int64(ip, 1, id);
		sqlite3_bind_text(ip, 2, phone, -1, SQLITE_TRANSIENT);
		step(ip, "phone");
		snprintf(addr, sizeof addr, "广东省广州市天河区天河路%lld号", (long long)(i % 999 + 1));
		sqlite3_bind_int64(ia, 1, id);
		sqlite3_bind_text(ia, 2, addr, -1, SQLITE_TRANSIENT);
		step(ia, "address");
		if ((i + 1) % 100000 == 0) {
			exec("COMMIT; BEGIN");
			fprintf(stderr, "\r  customers %lld", (long long)(i + 1));
		}
	}
	exec("COMMIT; BEGIN");
	fprintf(stderr, "\r  customers %lld in %.1f s\n", (long long)ncust, (double)(mono_ns() - t0) / 1e9);
	t0 = mono_ns();
	static const char *const cities[] = {"粤A", "粤B", "粤E", "粤C", "粤S", "粤T"};
	static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
	for (int64_t k = 0; k < nasset; k++) {
		uint64_t h = mix((uint64_t)k + 0xABCDEF);
		int64_t cust = first + 1 + (int64_t)((uint64_t)k % (uint64_t)ncust);
		struct model *m = &models[h % (uint64_t)nmodel];
		char serial[40], plate[24], buy[11], due[11] = "9999-12-31";
		snprintf(serial, sizeof serial, "BN%010lld", (long long)k);
		plate[0] = '\0';
		if (m->car) {
			/* a unique plate per car: city by outlet, five characters from the car's number */
			uint64_t v = (uint64_t)k;
			char tail[6];
			for (int c = 4; c >= 0; c--) {
				tail[c] = alnum[v % 34];
				v /= 34;
			}
			tail[5] = '\0';
			snprintf(plate, sizeof plate, "%s%s", cities[(cust - first - 1) % nout % 6], tail);
			if (sample && (k % 997) == 0) { /* a sample for the lookups, URL-encoded */
				for (const unsigned char *c = (const unsigned char *)plate; *c; c++)
					fprintf(sample, *c >= 0x80 ? "%%%02X" : "%c", *c);
				fputc('\n', sample);
			}
		}
		int32_t bday = today - 30 - (int32_t)((h >> 16) % (3 * 365));
		wty_day_format(bday, buy);
		if (m->nsteps) {
			/* no maintenance orders are loaded: every asset is at its first service */
			maint_input in = {.purchase_day = bday, .today = today, .steps = m->steps, .nsteps = m->nsteps, .done = 0};
			maint_due d;
			maint_next(&in, &d);
			if (d.step >= 0)
				wty_day_format(d.due_day, due);
		}
		int64_t created = now - (int64_t)(today - bday) * 86400000LL;
		sqlite3_bind_int64(is, 1, cust);
		sqlite3_bind_int64(is, 2, m->id);
		sqlite3_bind_text(is, 3, serial, -1, SQLITE_TRANSIENT);
		if (plate[0])
			sqlite3_bind_text(is, 4, plate, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(is, 4);
		sqlite3_bind_text(is, 5, buy, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(is, 6, created);
		sqlite3_bind_int64(is, 7, created);
		sqlite3_bind_text(is, 8, due, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(is, 9, outlet[(cust - first - 1) % nout]);
		step(is, "asset");
		if ((k + 1) % 100000 == 0) {
			exec("COMMIT; BEGIN");
			fprintf(stderr, "\r  assets %lld", (long long)(k + 1));
		}
	}
	exec("COMMIT");
	fprintf(stderr, "\r  assets %lld in %.1f s\n", (long long)nasset, (double)(mono_ns() - t0) / 1e9);
	sqlite3_finalize(ic);
	sqlite3_finalize(ip);
	sqlite3_finalize(ia);
	sqlite3_finalize(is);
	sqlite3_close(db);
	if (sample)
		fclose(sample);
	return 0;
}
