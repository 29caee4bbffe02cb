/*
 * demo_load.c — writes the demo data set. Everything comes from one splitmix64 stream per
 * phase seeded by --seed, and every time is anchored on 00:00 today in the tenant's zone,
 * so the same seed on the same day gives the same rows on SQLite and PostgreSQL alike.
 *
 * The base set is one transaction: the network, the users, products, customers with their
 * phones, addresses and assets, 500 work orders each with its "create" timeline row, and
 * the marker counters row "demo:seed" — all or nothing, so "already loaded" is exact.
 * Work-order numbers follow the store's rule (WO + day in the tenant's zone + a per-day
 * counter, DOMAIN §3): for every day touched we continue from the counters row and write
 * the last value back, so later creates go on without a clash or a gap.
 *
 * The bulk orders (--orders N, for the benchmark) reuse the generator, time-ordered over
 * the past year (ids grow with time, as in real use), in transactions of 50,000 rows;
 * each gets its "create" timeline row but no audit row — one audit row records the run.
 */
#include "demo/demo.h"
#include "demo/demo_int.h"
#include "store/store.h"
#include "domain/warranty.h"
#include "util/pinyin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL
#define MARKER "demo:seed"

enum {
	S_NEW, S_ACCEPTED, S_DISPATCHED, S_TAKEN, S_ON_THE_WAY, S_IN_SERVICE, S_WAITING_PARTS,
	S_WAITING_CUSTOMER, S_COMPLETED, S_QC_PASSED, S_SETTLED, S_CLOSED, S_FOLLOWED_UP, S_CANCELLED,
};
_Static_assert(S_CANCELLED + 1 == DEMO_STATUSES, "one entry per DOMAIN §3 state");

/* The base mix (500 orders): how many in each state, how many days old (a range, spread
 * evenly so all 90 days are covered), and the record version a real order in that state
 * would have reached (one write per step of the flow). */
static const struct {
	int count, lo, hi, version;
} base_mix[DEMO_STATUSES] = {
	[S_NEW] = {35, 1, 3, 1},		[S_ACCEPTED] = {25, 1, 4, 2},
	[S_DISPATCHED] = {25, 1, 5, 3},		[S_TAKEN] = {20, 1, 5, 4},
	[S_ON_THE_WAY] = {15, 1, 3, 5},		[S_IN_SERVICE] = {35, 1, 12, 6},
	[S_WAITING_PARTS] = {15, 2, 20, 7},	[S_WAITING_CUSTOMER] = {10, 2, 15, 7},
	[S_COMPLETED] = {30, 2, 20, 8},		[S_QC_PASSED] = {25, 3, 25, 9},
	[S_SETTLED] = {40, 4, 45, 10},		[S_CLOSED] = {90, 5, 90, 11},
	[S_FOLLOWED_UP] = {100, 7, 90, 12},	[S_CANCELLED] = {35, 1, 90, 2},
};

/* --- shared state -------------------------------------------------------------------- */

struct gen {
	db_tx *tx;
	int64_t tenant_id;
	int tz_min;
	int64_t today; /* 00:00 today in the tenant's zone, UTC ms: every time is relative to it */
	uint64_t seed;
	const char *pw_hash;
	demo_result *res;
	char *err;
	size_t errlen;
};

static int fail(struct gen *g, int rc, const char *what)
{
	if (!*g->err)
		snprintf(g->err, g->errlen, "%s: %s", what, g->tx ? db_errmsg(g->tx) : "database error");
	return rc == ST_OK ? ST_DB : rc;
}

/* "YYYY-MM-DD" of a time in the tenant's zone. */
static void ymd_dash(const struct gen *g, int64_t ms, char out[11])
{
	char d[9];
	ymd_compact(ms, g->tz_min, d);
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

/* A time `days` days before today at a random moment between 07:30 and 22:00 local. */
static int64_t day_time(const struct gen *g, rng *r, int days)
{
	int64_t in_day = 27000000LL + (int64_t)(rng_unit(r) * 52200000.0);
	return g->today - (int64_t)days * DAY_MS + in_day;
}

static double jitter(rng *r, double span) { return (rng_unit(r) * 2.0 - 1.0) * span; }

/* --- the network -------------------------------------------------------------------- */

struct net {
	int64_t root, maker[2], station[DEMO_CITIES], outlet[DEMO_CITIES][DEMO_OUTLETS_PER_CITY];
	char root_path[64], station_path[DEMO_CITIES][64];
};

static int org_add(struct gen *g, int64_t parent, const char *parent_path, const char *type,
		   const struct demo_place *p, const char *province, const char *city, int64_t *id, char path[64])
{
	int64_t t = g->today - 1200 * DAY_MS;
	dbv v[] = {VI(g->tenant_id), VI(parent), VT(type), VT(p->name), VT(p->code), VT(province), VT(city),
		   VT(p->district), VT(p->address), VR(p->lat), VR(p->lon), VI(t), VI(t)};
	db_res *r;
	int e = db_query(g->tx,
			 "INSERT INTO organizations(tenant_id, parent_id, type, name, code, province, city, district, address, "
			 "lat, lon, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 v, 13, &r);
	if (e == DB_UNIQUE) {
		snprintf(g->err, g->errlen, "organisation code %s is already used by another organisation", p->code);
		return ST_CONFLICT;
	}
	if (e != DB_OK)
		return fail(g, ST_DB, "organisation");
	*id = db_int(r, 0, 0);
	db_res_free(r);
	char own[64];
	snprintf(own, sizeof own, "%s%lld/", parent_path, (long long)*id);
	dbv pp[] = {VT(own), VI(*id)};
	if (db_exec(g->tx, "UPDATE organizations SET path = ? WHERE id = ?", pp, 2) != DB_OK)
		return fail(g, ST_DB, "organisation path");
	if (path)
		snprintf(path, 64, "%s", own);
	return ST_OK;
}

static int network_add(struct gen *g, struct net *n)
{
	db_res *r;
	dbv pt[] = {VI(g->tenant_id)};
	if (db_query(g->tx, "SELECT id, path FROM organizations WHERE tenant_id = ? AND parent_id IS NULL ORDER BY id LIMIT 1",
		     pt, 1, &r) != DB_OK)
		return fail(g, ST_DB, "root organisation");
	if (!db_rows(r)) {
		db_res_free(r);
		snprintf(g->err, g->errlen, "the tenant has no root organisation");
		return ST_NOT_FOUND;
	}
	n->root = db_int(r, 0, 0);
	snprintf(n->root_path, sizeof n->root_path, "%s", db_text(r, 0, 1));
	db_res_free(r);
	int rc;
	for (int m = 0; m < 2; m++) {
		const struct demo_maker *mk = &demo_makers[m];
		if ((rc = org_add(g, n->root, n->root_path, "manufacturer", &mk->org, mk->province, mk->city, &n->maker[m],
				  NULL)) != ST_OK)
			return rc;
		g->res->manufacturers++;
	}
	for (int c = 0; c < DEMO_CITIES; c++) {
		const struct demo_city *ci = &demo_cities[c];
		if ((rc = org_add(g, n->root, n->root_path, "station", &ci->station, ci->province, ci->city, &n->station[c],
				  n->station_path[c])) != ST_OK)
			return rc;
		g->res->stations++;
		for (int o = 0; o < DEMO_OUTLETS_PER_CITY; o++) {
			if ((rc = org_add(g, n->station[c], n->station_path[c], "outlet", &ci->outlets[o], ci->province,
					  ci->city, &n->outlet[c][o], NULL)) != ST_OK)
				return rc;
			g->res->outlets++;
		}
	}
	return ST_OK;
}

/* --- users -------------------------------------------------------------------------- */

/* Insert a user unless the login is taken (then it is left alone and *id = 0). */
static int user_add(struct gen *g, int64_t org, const char *login, const char *name, const char *phone,
		    const char *roles, const char *skills, double lat, double lon, int64_t customer_id, int64_t *id)
{
	int64_t t = g->today - 1200 * DAY_MS;
	dbv v[] = {VI(g->tenant_id), VI(org), VT(login), VT(name), VT(phone), VT(g->pw_hash), VT(roles),
		   VT(skills), lat != 0 ? VR(lat) : VN, lon != 0 ? VR(lon) : VN, customer_id ? VI(customer_id) : VN,
		   VI(t), VI(t)};
	db_res *r;
	if (db_query(g->tx,
		     "INSERT INTO users(tenant_id, org_id, login, name, phone, password_hash, roles, skills, lat, lon, "
		     "customer_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		     "ON CONFLICT (tenant_id, login) DO NOTHING RETURNING id",
		     v, 13, &r) != DB_OK)
		return fail(g, ST_DB, "user");
	*id = db_rows(r) ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return ST_OK;
}

static void skills_json(rng *r, bool car_tech, int primary, char *out, size_t len)
{
	buf b;
	buf_init(&b, 0);
	if (car_tech) {
		buf_printf(&b, "[{\"category\":\"%s\",\"level\":%d}", demo_cat_names[CAT_CAR], rng_range(r, 2, 5));
		if (rng_pct(r, 60))
			buf_printf(&b, ",{\"category\":\"%s\",\"level\":%d}", demo_cat_names[CAT_EV], rng_range(r, 1, 4));
		buf_puts(&b, "]");
	} else {
		unsigned have = 1u << primary;
		buf_printf(&b, "[{\"category\":\"%s\",\"level\":%d}", demo_cat_names[primary], rng_range(r, 2, 5));
		int extra = rng_range(r, 1, 2);
		for (int k = 0; k < extra; k++) {
			int c = (int)rng_below(r, 4);
			if (have & (1u << c))
				continue;
			have |= 1u << c;
			buf_printf(&b, ",{\"category\":\"%s\",\"level\":%d}", demo_cat_names[c], rng_range(r, 1, 4));
		}
		buf_puts(&b, "]");
	}
	snprintf(out, len, "%s", b.data);
	buf_free(&b);
}

static int users_add(struct gen *g, struct net *n, rng *r)
{
	int rc;
	int64_t id;
	char phone[32];
	for (int i = 0; i < demo_staff_count; i++) {
		snprintf(phone, sizeof phone, "+861370000%04d", 101 + i);
		if ((rc = user_add(g, n->root, demo_staff[i].login, demo_staff[i].name, phone, demo_staff[i].role, NULL, 0, 0,
				   0, &id)) != ST_OK)
			return rc;
		g->res->staff += id != 0;
	}
	/* 5 technicians per outlet; the second outlet of each city also services cars. */
	int k = 0;
	for (int c = 0; c < DEMO_CITIES; c++)
		for (int o = 0; o < DEMO_OUTLETS_PER_CITY; o++) {
			const struct demo_place *p = &demo_cities[c].outlets[o];
			for (int j = 0; j < 5; j++, k++) {
				char login[16], name[32], skills[256];
				snprintf(login, sizeof login, "tech%02d", k + 1);
				snprintf(phone, sizeof phone, "+861370000%04d", k + 1);
				demo_person_name(r, name, sizeof name);
				bool car = o == 1 && j < 2;
				skills_json(r, car, (j + o + c) % 4, skills, sizeof skills);
				if ((rc = user_add(g, n->outlet[c][o], login, name, phone, "technician", skills,
						   p->lat + jitter(r, 0.03), p->lon + jitter(r, 0.03), 0, &id)) != ST_OK)
					return rc;
				g->res->technicians += id != 0;
			}
		}
	return ST_OK;
}

/* --- products, customers, assets ---------------------------------------------------- */

/* Maintenance schedules (DOMAIN §6): the car example — first service at 5,000 km (oil and
 * filter), 10,000 km (oil, oil filter, air filter, oil-passage cleaning, wheel alignment),
 * 15,000, 20,000, 30,000, and the 40,000 km major service; by months whichever first. */
static const char car_schedule[] =
	"[{\"name\":\"首保\",\"km\":5000,\"months\":6,\"operations\":[\"机油\",\"机油滤清器\"]},"
	"{\"name\":\"10000公里保养\",\"km\":10000,\"months\":12,\"operations\":[\"机油\",\"机油滤清器\",\"空气滤清器\","
	"\"油路清洗\",\"四轮定位\"]},"
	"{\"name\":\"15000公里保养\",\"km\":15000,\"months\":18,\"operations\":[\"机油\",\"机油滤清器\"]},"
	"{\"name\":\"20000公里保养\",\"km\":20000,\"months\":24,\"operations\":[\"机油\",\"机油滤清器\",\"空气滤清器\","
	"\"空调滤清器\"]},"
	"{\"name\":\"30000公里保养\",\"km\":30000,\"months\":36,\"operations\":[\"机油\",\"机油滤清器\",\"燃油滤清器\"]},"
	"{\"name\":\"40000公里大保养\",\"km\":40000,\"months\":48,\"operations\":[\"机油\",\"机油滤清器\",\"变速箱油\","
	"\"刹车油\",\"火花塞\",\"气门间隙\"]}]";
static const char ev_schedule[] =
	"[{\"name\":\"首保\",\"km\":5000,\"months\":6,\"operations\":[\"三电系统检测\",\"底盘检查\"]},"
	"{\"name\":\"20000公里保养\",\"km\":20000,\"months\":24,\"operations\":[\"空调滤清器\",\"刹车油\","
	"\"冷却液\"]},"
	"{\"name\":\"40000公里保养\",\"km\":40000,\"months\":48,\"operations\":[\"减速器油\",\"刹车油\"]}]";
static const char ac_schedule[] =
	"[{\"name\":\"年度清洗\",\"months\":12,\"operations\":[\"清洗滤网\",\"检查冷媒\"]},"
	"{\"name\":\"年度清洗\",\"months\":24,\"operations\":[\"清洗滤网\",\"检查冷媒\"]},"
	"{\"name\":\"年度清洗\",\"months\":36,\"operations\":[\"清洗滤网\",\"清洗蒸发器\"]}]";

static int models_add(struct gen *g, int64_t *ids)
{
	int64_t t = g->today - 1200 * DAY_MS;
	for (int i = 0; i < demo_model_count; i++) {
		const struct demo_model *m = &demo_models[i];
		const char *brand = demo_makers[m->maker].brand;
		const char *sched = m->cat == CAT_CAR ? car_schedule : m->cat == CAT_EV ? ev_schedule : m->cat == CAT_AC ? ac_schedule
															 : NULL;
		dbv v[] = {VI(g->tenant_id), VT(brand), VT(demo_cat_names[m->cat]), VT(m->model), VI(m->warranty_months),
			   VI(m->complexity_milli), VI(t), VI(t), VT(sched), demo_cat_is_car(m->cat) ? VI(100000) : VN};
		if (db_exec(g->tx,
			    "INSERT INTO product_models(tenant_id, brand, category, model, warranty_months, complexity_milli, "
			    "created_at, updated_at, maintenance_json, warranty_km) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			    "ON CONFLICT (tenant_id, brand, model) DO NOTHING",
			    v, 10) != DB_OK)
			return fail(g, ST_DB, "product model");
		dbv q[] = {VI(g->tenant_id), VT(brand), VT(m->model)};
		if (db_query_int(g->tx, "SELECT id FROM product_models WHERE tenant_id = ? AND brand = ? AND model = ?", q, 3,
				 &ids[i]) != ST_OK)
			return fail(g, ST_DB, "product model");
		g->res->models++;
	}
	return ST_OK;
}

struct cust_gen {
	int64_t id;
	int city;
	int age;  /* days since the customer was registered */
	bool company;
};

static void address_text(rng *r, const struct demo_city *ci, const struct demo_district *di, bool company,
			 char *out, size_t len)
{
	const char *road = RNG_PICK(r, di->roads);
	int num = rng_range(r, 1, 999);
	if (company)
		snprintf(out, len, "%s%s%s%s%d号%s大厦%d楼", ci->province, ci->city, di->name, road, num,
			 demo_company_words[rng_below(r, (uint32_t)demo_company_word_count)], rng_range(r, 2, 28));
	else
		snprintf(out, len, "%s%s%s%s%d号%s%d栋%d单元%d%02d", ci->province, ci->city, di->name, road, num,
			 demo_compounds[rng_below(r, (uint32_t)demo_compound_count)], rng_range(r, 1, 30),
			 rng_range(r, 1, 4), rng_range(r, 1, 32), rng_range(r, 1, 8));
}

/* Six customers in ten come regularly (the work orders go to them); the rest have not been
 * seen for months, so every churn class of DOMAIN §6 is in the demo. */
static bool demo_regular(int i)
{
	return i % 10 < 6;
}

static int customers_add(struct gen *g, struct net *n, rng *r, struct cust_gen *cg, int count)
{
	static const int city_w[DEMO_CITIES] = {45, 35, 20};
	static const char *const sources[] = {"phone", "phone", "wechat", "wechat", "web", "walk_in", "dealer"};
	for (int i = 0; i < count; i++) {
		int c = demo_rng_weighted(r, city_w, DEMO_CITIES);
		const struct demo_city *ci = &demo_cities[c];
		char name[96], phone[32];
		bool company = rng_pct(r, 8);
		const char *cls;
		if (company) {
			snprintf(name, sizeof name, "%.*s%s%s有限公司", (int)strlen(ci->city) - 3, ci->city,
				 demo_company_words[rng_below(r, (uint32_t)demo_company_word_count)],
				 demo_company_trades[rng_below(r, (uint32_t)demo_company_trade_count)]);
			cls = rng_pct(r, 50) ? "A" : "B";
		} else {
			demo_person_name(r, name, sizeof name);
			int x = (int)rng_below(r, 100);
			cls = x < 10 ? "A" : x < 40 ? "B" : "C";
		}
		cg[i].age = rng_range(r, 95, 1095);
		if (!demo_regular(i)) {
			/* DOMAIN §6 3-6-9: the customers without recent orders spread over at risk (3–6
			 * months since recorded), nearly lost (6–9) and lost (9+) */
			static const int lo[3] = {100, 190, 280}, hi[3] = {175, 265, 1095};
			int k = (i / 10) % 3;
			cg[i].age = lo[k] + (int)((unsigned)cg[i].age * 7919u % (unsigned)(hi[k] - lo[k] + 1));
		}
		cg[i].company = company;
		cg[i].city = c;
		int64_t t = day_time(g, r, cg[i].age);
		char ini[65];
		pinyin_initials(name, ini, sizeof ini);
		dbv v[] = {VI(g->tenant_id), VI(n->station[c]), VT(company ? "company" : "person"), VT(name), VT(cls),
			   VT(RNG_PICK(r, sources)), VI(t), VI(t), VT(ini)};
		if (db_query_int(g->tx,
				 "INSERT INTO customers(tenant_id, org_id, kind, name, class, source, created_at, updated_at, "
				 "name_initials) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				 v, 9, &cg[i].id) != ST_OK)
			return fail(g, ST_DB, "customer");
		g->res->customers++;
		/* Fictitious numbers: 1380000xxxx, a second one 1360000xxxx for some. */
		int nphones = rng_pct(r, 30) ? 2 : 1;
		for (int k = 0; k < nphones; k++) {
			snprintf(phone, sizeof phone, "+86%s%04d", k ? "1360000" : "1380000", i + 1);
			dbv pp[] = {VI(g->tenant_id), VI(cg[i].id), VT(phone)};
			if (db_exec(g->tx,
				    "INSERT INTO customer_phones(tenant_id, customer_id, phone) VALUES (?, ?, ?) "
				    "ON CONFLICT (tenant_id, phone) DO NOTHING",
				    pp, 3) != DB_OK)
				return fail(g, ST_DB, "customer phone");
			g->res->phones += db_changes(g->tx) > 0;
		}
		int naddr = rng_pct(r, 25) ? 2 : 1;
		for (int k = 0; k < naddr; k++) {
			const struct demo_district *di = &ci->districts[rng_below(r, DEMO_DISTRICTS)];
			char text[300];
			address_text(r, ci, di, company, text, sizeof text);
			dbv pa[] = {VI(g->tenant_id), VI(cg[i].id), VT(ci->province), VT(ci->city), VT(di->name), VT(text),
				    VR(di->lat + jitter(r, 0.025)), VR(di->lon + jitter(r, 0.025))};
			if (db_exec(g->tx,
				    "INSERT INTO customer_addresses(tenant_id, customer_id, province, city, district, text, lat, lon) "
				    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    pa, 8) != DB_OK)
				return fail(g, ST_DB, "customer address");
			g->res->addresses++;
		}
	}
	return ST_OK;
}

static const char vin_chars[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"; /* no I, O, Q */

static int assets_add(struct gen *g, rng *r, const int64_t *model_ids, const struct cust_gen *cg, int ncust, int count)
{
	for (int i = 0; i < count; i++) {
		/* Every customer owns at least one; the rest go to random customers. */
		const struct cust_gen *c = &cg[i < ncust ? i : (int)rng_below(r, (uint32_t)ncust)];
		int mi;
		if (!c->company && rng_pct(r, 15))
			mi = 8 + (int)rng_below(r, 4); /* a car */
		else if (c->company)
			mi = rng_pct(r, 70) ? (int)rng_below(r, 2) : (int)rng_below(r, 8);
		else
			mi = (int)rng_below(r, 8);
		const struct demo_model *m = &demo_models[mi];
		int age = rng_range(r, 30, c->age < 1095 ? c->age : 1095);
		int64_t bought = day_time(g, r, age);
		char date[11], serial[40], ym[9];
		ymd_dash(g, bought, date);
		ymd_compact(bought, g->tz_min, ym);
		if (demo_cat_is_car(m->cat)) {
			/* A VIN-shaped chassis number: fictitious maker prefix, check digit left as 'X'. */
			char mid[4];
			for (int k = 0; k < 3; k++)
				mid[k] = vin_chars[rng_below(r, (uint32_t)(sizeof vin_chars - 1))];
			mid[3] = '\0';
			snprintf(serial, sizeof serial, "%s%sX%cG%06d", m->serial_prefix, mid, ym[3],
				 100000 + i);
		} else {
			snprintf(serial, sizeof serial, "%s%.4s%04u%04d", m->serial_prefix, ym + 2, rng_below(r, 10000), i + 1);
		}
		dbv v[] = {VI(g->tenant_id), VI(c->id), VI(model_ids[mi]), VT(serial), VT(date), VI(bought), VI(bought)};
		if (db_exec(g->tx,
			    "INSERT INTO assets(tenant_id, customer_id, model_id, serial, purchase_date, created_at, updated_at) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?)",
			    v, 7) != DB_OK)
			return fail(g, ST_DB, "asset");
		g->res->assets++;
	}
	return ST_OK;
}

/* Plates and mileage readings of the cars (DOMAIN §2): a plate of the owner's city (粤A
 * Guangzhou, 粤B Shenzhen, 粤E Foshan; six characters after the city letter for new-energy
 * cars), and one to four readings since the purchase at the car's own km per day. */
static int car_details_add(struct gen *g, const struct net *n)
{
	static const char *const prefix[DEMO_CITIES] = {"粤A", "粤B", "粤E"};
	static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
	rng r;
	rng_seed(&r, g->seed, 0x1A);
	dbv p[] = {VI(g->tenant_id), VT(demo_cat_names[CAT_CAR]), VT(demo_cat_names[CAT_EV])};
	db_res *res;
	if (db_query(g->tx,
		     "SELECT a.id, a.purchase_date, c.org_id, m.category FROM assets a JOIN product_models m ON m.id = a.model_id "
		     "JOIN customers c ON c.id = a.customer_id WHERE a.tenant_id = ? AND m.category IN (?, ?) ORDER BY a.id",
		     p, 3, &res) != DB_OK)
		return fail(g, ST_DB, "cars");
	int32_t today = (int32_t)((g->today + (int64_t)g->tz_min * 60000) / DAY_MS);
	int rc = ST_OK;
	for (int i = 0; i < db_rows(res) && rc == ST_OK; i++) {
		int64_t id = db_int(res, i, 0);
		int city = 0;
		for (int c = 0; c < DEMO_CITIES; c++)
			if (db_int(res, i, 2) == n->station[c])
				city = c;
		bool ev = !strcmp(db_text(res, i, 3), demo_cat_names[CAT_EV]);
		char plate[32];
		if (ev)
			snprintf(plate, sizeof plate, "%sD%05u", prefix[city], rng_below(&r, 100000));
		else
			snprintf(plate, sizeof plate, "%s%c%04u", prefix[city], letters[rng_below(&r, sizeof letters - 1)],
				 rng_below(&r, 10000));
		dbv pu[] = {VT(plate), VI(id)};
		if (db_exec(g->tx, "UPDATE assets SET plate = ? WHERE id = ?", pu, 2) != DB_OK) {
			rc = fail(g, ST_DB, "plate");
			break;
		}
		g->res->plates++;
		int32_t bought;
		if (!wty_day_parse(db_text(res, i, 1), &bought) || today - bought < 30)
			continue;
		double per_day = 20 + rng_unit(&r) * 70; /* 20–90 km a day */
		int nread = rng_range(&r, 1, 4);
		int32_t prev = bought;
		int64_t last_km = 0;
		for (int k = 1; k <= nread; k++) {
			int32_t day = bought + (int32_t)((double)(today - 1 - bought) * k / nread);
			if (day <= prev)
				continue;
			int64_t km = (int64_t)((double)(day - bought) * per_day * (0.9 + 0.2 * rng_unit(&r)));
			if (km <= last_km)
				km = last_km + 1;
			char d[11];
			wty_day_format(day, d);
			int64_t at = g->today - (int64_t)(today - day) * DAY_MS + 10 * 3600000LL;
			dbv pr[] = {VI(g->tenant_id), VI(id), VT(d), VI(km), VI(at)};
			if (db_exec(g->tx,
				    "INSERT INTO asset_readings(tenant_id, asset_id, read_on, km, odometer_change, created_at) "
				    "VALUES (?, ?, ?, ?, 0, ?)",
				    pr, 5) != DB_OK) {
				rc = fail(g, ST_DB, "reading");
				break;
			}
			g->res->readings++;
			prev = day;
			last_km = km;
		}
	}
	db_res_free(res);
	return rc;
}

/* The next service of every asset (assets.next_due_on, store/maintenance.c). */
static int due_cache_fill(struct gen *g)
{
	dbv p[] = {VI(g->tenant_id)};
	db_res *r;
	if (db_query(g->tx, "SELECT id FROM assets WHERE tenant_id = ? ORDER BY id", p, 1, &r) != DB_OK)
		return fail(g, ST_DB, "assets");
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++)
		rc = maint_due_update_tx(g->tx, g->tenant_id, db_int(r, i, 0));
	db_res_free(r);
	return rc == ST_OK ? ST_OK : fail(g, rc, "maintenance due");
}

/* Contacts of the last weeks (DOMAIN §6 follow-up records): one customer in five was called,
 * with what came of it; the generator plans their next contact from these. */
static int contact_history_add(struct gen *g)
{
	static const char *const outcome[] = {"reached", "reached", "reached", "visit_booked", "no_answer", "wrong_number"};
	static const char *const note[] = {"客户对上次服务满意", "提醒按时保养", "客户表示近期来店", "已预约下周到店保养",
					   "无人接听", "号码已停用，待核实"};
	rng r;
	rng_seed(&r, g->seed, 0x1B);
	dbv p[] = {VI(g->tenant_id)};
	db_res *res;
	if (db_query(g->tx, "SELECT id, class, org_id FROM customers WHERE tenant_id = ? ORDER BY id", p, 1, &res) != DB_OK)
		return fail(g, ST_DB, "customers");
	int64_t agent = 0;
	dbv pa[] = {VI(g->tenant_id)};
	if (db_query_int(g->tx, "SELECT id FROM users WHERE tenant_id = ? AND login = 'followup1'", pa, 1, &agent) == ST_DB)
		agent = 0;
	int rc = ST_OK;
	for (int i = 0; i < db_rows(res) && rc == ST_OK; i += 5) {
		int days = rng_range(&r, 2, 40), o = (int)rng_below(&r, ARRAY_LEN(outcome));
		int64_t at = g->today - (int64_t)days * DAY_MS + 10 * 3600000LL;
		char due[11];
		ymd_dash(g, at, due);
		dbv pi[] = {VI(g->tenant_id), VI(db_int(res, i, 0)), db_isnull(res, i, 2) ? VN : VI(db_int(res, i, 2)),
			    agent ? VI(agent) : VN, VT(db_text(res, i, 1)), VT(due), VT(outcome[o]), VT(note[o]), VI(at),
			    agent ? VI(agent) : VN, VI(at - 3 * DAY_MS), VI(at)};
		if (db_exec(g->tx,
			    "INSERT INTO contact_tasks(tenant_id, customer_id, org_id, owner_id, class, due_on, status, outcome, "
			    "note, done_at, done_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, "
			    "?, ?, 2)",
			    pi, 12) != DB_OK)
			rc = fail(g, ST_DB, "contact task");
		else
			g->res->contacts_done++;
	}
	db_res_free(res);
	return rc;
}

/* --- what orders are made of, read back from the database ---------------------------- */

struct ref_outlet {
	int64_t id;
	double lat, lon;
	char *address;
	int tech0, ntech; /* range in ref.tech */
};
struct ref_cust {
	int64_t id;
	int city;
	char *name, *phone;
	int addr0, naddr, asset0, nasset;
};
struct ref_addr {
	char *text;
	double lat, lon;
};
struct ref_asset {
	int64_t id, customer_id;
	int cat;
};
struct ref {
	int64_t station[DEMO_CITIES];
	struct ref_outlet outlet[DEMO_CITIES][DEMO_OUTLETS_PER_CITY];
	int64_t *tech;
	unsigned *tech_cats; /* bit per demo_cat in the technician's skills */
	int ntech;
	struct ref_cust *cust;
	int ncust;
	struct ref_addr *addr;
	int naddr;
	struct ref_asset *asset;
	int nasset;
	int64_t agent_id, advisor_id;
};

static void ref_free(struct ref *rf)
{
	for (int c = 0; c < DEMO_CITIES; c++)
		for (int o = 0; o < DEMO_OUTLETS_PER_CITY; o++)
			free(rf->outlet[c][o].address);
	for (int i = 0; i < rf->ncust; i++) {
		free(rf->cust[i].name);
		free(rf->cust[i].phone);
	}
	for (int i = 0; i < rf->naddr; i++)
		free(rf->addr[i].text);
	free(rf->tech);
	free(rf->tech_cats);
	free(rf->cust);
	free(rf->addr);
	free(rf->asset);
	memset(rf, 0, sizeof *rf);
}

static int cat_of(const char *name)
{
	for (int c = 0; c < CAT_COUNT; c++)
		if (name && !strcmp(name, demo_cat_names[c]))
			return c;
	return CAT_AC;
}

static int org_by_code(struct gen *g, const char *code, int64_t *id, db_res **row)
{
	dbv p[] = {VI(g->tenant_id), VT(code)};
	db_res *r;
	if (db_query(g->tx, "SELECT id, lat, lon, address FROM organizations WHERE tenant_id = ? AND code = ?", p, 2, &r) !=
	    DB_OK)
		return fail(g, ST_DB, "organisation");
	if (!db_rows(r)) {
		db_res_free(r);
		snprintf(g->err, g->errlen, "demo organisation %s is missing", code);
		return ST_NOT_FOUND;
	}
	*id = db_int(r, 0, 0);
	if (row)
		*row = r;
	else
		db_res_free(r);
	return ST_OK;
}

static int64_t user_by_login(struct gen *g, const char *login)
{
	int64_t id = 0;
	dbv p[] = {VI(g->tenant_id), VT(login)};
	db_query_int(g->tx, "SELECT id FROM users WHERE tenant_id = ? AND login = ?", p, 2, &id);
	return id;
}

/* Read the demo network, technicians, customers and assets (ordered by id, so the same
 * database state gives the same arrays). */
static int ref_load(struct gen *g, struct ref *rf)
{
	int rc;
	db_res *r = NULL;
	memset(rf, 0, sizeof *rf);
	for (int c = 0; c < DEMO_CITIES; c++) {
		if ((rc = org_by_code(g, demo_cities[c].station.code, &rf->station[c], NULL)) != ST_OK)
			return rc;
		for (int o = 0; o < DEMO_OUTLETS_PER_CITY; o++) {
			struct ref_outlet *ro = &rf->outlet[c][o];
			if ((rc = org_by_code(g, demo_cities[c].outlets[o].code, &ro->id, &r)) != ST_OK)
				return rc;
			ro->lat = db_real(r, 0, 1);
			ro->lon = db_real(r, 0, 2);
			ro->address = xstrdup(db_text(r, 0, 3) ? db_text(r, 0, 3) : "");
			db_res_free(r);
			dbv p[] = {VI(g->tenant_id), VI(ro->id)};
			if (db_query(g->tx,
				     "SELECT id, skills FROM users WHERE tenant_id = ? AND org_id = ? AND status = 'active' "
				     "AND roles LIKE '%technician%' ORDER BY id",
				     p, 2, &r) != DB_OK)
				return fail(g, ST_DB, "technicians");
			ro->tech0 = rf->ntech;
			ro->ntech = db_rows(r);
			rf->tech = xrealloc(rf->tech, (size_t)(rf->ntech + ro->ntech + 1) * sizeof *rf->tech);
			rf->tech_cats = xrealloc(rf->tech_cats, (size_t)(rf->ntech + ro->ntech + 1) * sizeof *rf->tech_cats);
			for (int i = 0; i < ro->ntech; i++) {
				unsigned cats = 0;
				const char *sk = db_text(r, i, 1);
				for (int k = 0; sk && k < CAT_COUNT; k++) {
					char q[48];
					snprintf(q, sizeof q, "\"%s\"", demo_cat_names[k]);
					if (strstr(sk, q))
						cats |= 1u << k;
				}
				rf->tech[rf->ntech] = db_int(r, i, 0);
				rf->tech_cats[rf->ntech++] = cats;
			}
			db_res_free(r);
		}
	}
	dbv pt[] = {VI(g->tenant_id), VI(rf->station[0]), VI(rf->station[1]), VI(rf->station[2])};
	if (db_query(g->tx,
		     "SELECT c.id, c.org_id, c.name, (SELECT min(p.phone) FROM customer_phones p WHERE p.tenant_id = c.tenant_id "
		     "AND p.customer_id = c.id) FROM customers c WHERE c.tenant_id = ? AND c.org_id IN (?, ?, ?) ORDER BY c.id",
		     pt, 4, &r) != DB_OK)
		return fail(g, ST_DB, "customers");
	rf->ncust = db_rows(r);
	rf->cust = xcalloc((size_t)rf->ncust + 1, sizeof *rf->cust);
	for (int i = 0; i < rf->ncust; i++) {
		struct ref_cust *cu = &rf->cust[i];
		cu->id = db_int(r, i, 0);
		int64_t org = db_int(r, i, 1);
		for (int c = 0; c < DEMO_CITIES; c++)
			if (org == rf->station[c])
				cu->city = c;
		cu->name = xstrdup(db_text(r, i, 2));
		cu->phone = db_text(r, i, 3) ? xstrdup(db_text(r, i, 3)) : NULL;
	}
	db_res_free(r);
	if (!rf->ncust) {
		snprintf(g->err, g->errlen, "no demo customers");
		return ST_NOT_FOUND;
	}
	/* Addresses and assets, merged onto the customers (both sorted by customer id). */
	if (db_query(g->tx,
		     "SELECT a.customer_id, a.text, a.lat, a.lon FROM customer_addresses a JOIN customers c ON c.id = "
		     "a.customer_id WHERE a.tenant_id = ? AND c.org_id IN (?, ?, ?) ORDER BY a.customer_id, a.id",
		     pt, 4, &r) != DB_OK)
		return fail(g, ST_DB, "addresses");
	rf->naddr = db_rows(r);
	rf->addr = xcalloc((size_t)rf->naddr + 1, sizeof *rf->addr);
	for (int i = 0, k = 0; i < rf->naddr; i++) {
		int64_t cid = db_int(r, i, 0);
		while (k < rf->ncust && rf->cust[k].id < cid)
			k++;
		rf->addr[i].text = xstrdup(db_text(r, i, 1));
		rf->addr[i].lat = db_real(r, i, 2);
		rf->addr[i].lon = db_real(r, i, 3);
		if (k < rf->ncust && rf->cust[k].id == cid) {
			if (!rf->cust[k].naddr)
				rf->cust[k].addr0 = i;
			rf->cust[k].naddr++;
		}
	}
	db_res_free(r);
	if (db_query(g->tx,
		     "SELECT a.id, a.customer_id, m.category FROM assets a JOIN product_models m ON m.id = a.model_id "
		     "JOIN customers c ON c.id = a.customer_id WHERE a.tenant_id = ? AND c.org_id IN (?, ?, ?) "
		     "ORDER BY a.customer_id, a.id",
		     pt, 4, &r) != DB_OK)
		return fail(g, ST_DB, "assets");
	rf->nasset = db_rows(r);
	rf->asset = xcalloc((size_t)rf->nasset + 1, sizeof *rf->asset);
	for (int i = 0, k = 0; i < rf->nasset; i++) {
		struct ref_asset *a = &rf->asset[i];
		a->id = db_int(r, i, 0);
		a->customer_id = db_int(r, i, 1);
		a->cat = cat_of(db_text(r, i, 2));
		while (k < rf->ncust && rf->cust[k].id < a->customer_id)
			k++;
		if (k < rf->ncust && rf->cust[k].id == a->customer_id) {
			if (!rf->cust[k].nasset)
				rf->cust[k].asset0 = i;
			rf->cust[k].nasset++;
		}
	}
	db_res_free(r);
	rf->agent_id = user_by_login(g, "agent1");
	rf->advisor_id = user_by_login(g, "advisor1");
	return ST_OK;
}

/* --- work orders ---------------------------------------------------------------------- */

/* Work-order numbers per day: continue from the counters row, write the last value back. */
struct daynum {
	char day[9];
	int64_t last;
};

static int day_flush(struct gen *g, struct daynum *dn)
{
	if (!dn->day[0])
		return ST_OK;
	char name[24];
	snprintf(name, sizeof name, "wo:%s", dn->day);
	dbv p[] = {VI(g->tenant_id), VT(name), VI(dn->last)};
	if (db_exec(g->tx,
		    "INSERT INTO counters(tenant_id, name, value) VALUES (?, ?, ?) "
		    "ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value",
		    p, 3) != DB_OK)
		return fail(g, ST_DB, "counter");
	dn->day[0] = '\0';
	return ST_OK;
}

static int day_next(struct gen *g, struct daynum *dn, const char *day, int64_t *seq)
{
	if (strcmp(dn->day, day)) {
		int rc = day_flush(g, dn);
		if (rc != ST_OK)
			return rc;
		char name[24];
		snprintf(name, sizeof name, "wo:%s", day);
		dbv p[] = {VI(g->tenant_id), VT(name)};
		dn->last = 0;
		rc = db_query_int(g->tx, "SELECT value FROM counters WHERE tenant_id = ? AND name = ?", p, 2, &dn->last);
		if (rc != ST_OK && rc != ST_NOT_FOUND)
			return fail(g, rc, "counter");
		snprintf(dn->day, sizeof dn->day, "%s", day);
	}
	*seq = ++dn->last;
	return ST_OK;
}

struct ord_gen {
	struct gen *g;
	struct ref *rf;
	rng r;
	struct daynum dn;
	int64_t last_id; /* SQLite: ids given here (see ids_begin) */
};

/* On SQLite the ids are given here rather than taken with RETURNING: SQLite runs a RETURNING
 * statement with a statement journal, and inside the writer's per-job SAVEPOINT every
 * statement's release walks the whole in-memory sub-journal (memjrnlTruncate), which made
 * a 50,000-row transaction quadratic. This transaction holds the write lock, so max(id)
 * read here stays the maximum. PostgreSQL keeps RETURNING (its identity sequence). */
static int ids_begin(struct ord_gen *o)
{
	o->last_id = 0;
	if (db_tx_kind(o->g->tx) != DB_SQLITE)
		return ST_OK;
	int rc = db_query_int(o->g->tx, "SELECT coalesce(max(id), 0) FROM work_orders", NULL, 0, &o->last_id);
	return rc == ST_OK ? ST_OK : fail(o->g, rc, "work order ids");
}

static const int w_car_type[T_COUNT] = {45, 3, 42, 5, 0, 5};
static const int w_app_type[T_COUNT] = {55, 15, 10, 5, 5, 10};
static const int w_none_type[T_COUNT] = {30, 30, 0, 0, 0, 40};
/* phone web wechat sms email walk_in api */
static const char *const channels[] = {"phone", "web", "wechat", "sms", "email", "walk_in", "api"};
static const int w_car_channel[7] = {25, 5, 10, 0, 0, 55, 5};
static const int w_app_channel[7] = {40, 15, 22, 6, 3, 4, 10};
static const char *const priorities[] = {"P1", "P2", "P3", "P4"};
static const int w_priority[4] = {8, 25, 55, 12};

static double dist2(double lat1, double lon1, double lat2, double lon2)
{
	return (lat1 - lat2) * (lat1 - lat2) + (lon1 - lon2) * (lon1 - lon2);
}

/* One work order in `status`, created at `created`: a customer, maybe one of their assets,
 * a fitting fault text, the outlet nearest the service address (the station while the
 * order is not dispatched yet: two-level dispatch, DOMAIN §4), a technician with the
 * matching skill once dispatched; its number and its "create" timeline row. */
static int order_add(struct ord_gen *o, int status, int64_t created, int version)
{
	struct gen *g = o->g;
	struct ref *rf = o->rf;
	rng *r = &o->r;
	/* the regular customers only (demo_regular): index k of them is customer (k/6)*10 + k%6 */
	int nreg = rf->ncust / 10 * 6 + (rf->ncust % 10 < 6 ? rf->ncust % 10 : 6);
	int reg = (int)rng_below(r, (uint32_t)nreg);
	const struct ref_cust *cu = &rf->cust[reg / 6 * 10 + reg % 6];
	const struct ref_asset *as = NULL;
	int cat;
	if (cu->nasset && rng_pct(r, 80)) {
		as = &rf->asset[cu->asset0 + (int)rng_below(r, (uint32_t)cu->nasset)];
		cat = as->cat;
	} else {
		cat = (int)rng_below(r, 4);
	}
	bool car = demo_cat_is_car(cat);
	int type = demo_rng_weighted(r, as ? (car ? w_car_type : w_app_type) : w_none_type, T_COUNT);
	const char *const *list = demo_faults(cat, type);
	if (!list || !list[0])
		list = demo_faults(cat, T_REPAIR);
	int nf = 0;
	while (list[nf])
		nf++;
	char fault[256];
	const char *f = list[rng_below(r, (uint32_t)nf)];
	if (rng_pct(r, 35))
		snprintf(fault, sizeof fault, "%s%s", f, demo_fault_notes[rng_below(r, (uint32_t)demo_fault_note_count)]);
	else
		snprintf(fault, sizeof fault, "%s", f);
	const char *channel = channels[demo_rng_weighted(r, car ? w_car_channel : w_app_channel, 7)];
	const char *priority = priorities[demo_rng_weighted(r, w_priority, 4)];

	const struct ref_addr *ad = cu->naddr ? &rf->addr[cu->addr0 + (int)rng_below(r, (uint32_t)cu->naddr)] : NULL;
	int oi = 1;
	if (!car && ad)
		oi = dist2(ad->lat, ad->lon, rf->outlet[cu->city][0].lat, rf->outlet[cu->city][0].lon) <=
			     dist2(ad->lat, ad->lon, rf->outlet[cu->city][1].lat, rf->outlet[cu->city][1].lon)
			 ? 0
			 : 1;
	const struct ref_outlet *out = &rf->outlet[cu->city][oi];
	bool walk_in = !strcmp(channel, "walk_in");
	const char *address = walk_in ? out->address : ad ? ad->text : NULL;
	bool at_station = status == S_NEW || status == S_ACCEPTED || (status == S_CANCELLED && rng_pct(r, 50));
	int64_t org = at_station ? rf->station[cu->city] : out->id;
	int64_t assignee = 0;
	if (!at_station && status != S_CANCELLED && out->ntech) {
		int pick = (int)rng_below(r, (uint32_t)out->ntech);
		for (int k = 0; k < out->ntech; k++) {
			int t = out->tech0 + (pick + k) % out->ntech;
			if (rf->tech_cats[t] & (1u << cat)) {
				pick = (pick + k) % out->ntech;
				break;
			}
		}
		assignee = rf->tech[out->tech0 + pick];
	}
	int64_t by = 0;
	if (!strcmp(channel, "phone") || !strcmp(channel, "sms") || !strcmp(channel, "email"))
		by = rf->agent_id;
	else if (walk_in)
		by = rf->advisor_id;
	int64_t updated = created;
	if (status != S_NEW && g->today > created)
		updated = created + (int64_t)((double)(g->today - created) * (0.1 + 0.8 * rng_unit(r)));

	char day[9], number[32];
	int64_t seq;
	ymd_compact(created, g->tz_min, day);
	int rc = day_next(g, &o->dn, day, &seq);
	if (rc != ST_OK)
		return rc;
	snprintf(number, sizeof number, "WO%s-%05lld", day, (long long)seq);
	dbv v[] = {VI(g->tenant_id),
		   VI(org),
		   VT(number),
		   VT(demo_type_names[type]),
		   VT(priority),
		   VT(channel),
		   VT(demo_status_names[status]),
		   VI(cu->id),
		   VT(cu->name),
		   VT(cu->phone),
		   as ? VI(as->id) : VN,
		   VT(address),
		   VT(fault),
		   assignee ? VI(assignee) : VN,
		   by ? VI(by) : VN,
		   VI(created),
		   VI(updated),
		   VI(version),
		   VN};
	int64_t id;
	if (db_tx_kind(g->tx) == DB_SQLITE) {
		id = ++o->last_id;
		v[18] = VI(id);
		if (db_exec(g->tx,
			    "INSERT INTO work_orders(tenant_id, org_id, number, type, priority, channel, status, customer_id, "
			    "customer_name, customer_phone, asset_id, address, fault_description, assignee_id, created_by, "
			    "created_at, updated_at, version, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    v, 19) != DB_OK)
			return fail(g, ST_DB, "work order");
	} else if (db_query_int(g->tx,
				"INSERT INTO work_orders(tenant_id, org_id, number, type, priority, channel, status, "
				"customer_id, customer_name, customer_phone, asset_id, address, fault_description, "
				"assignee_id, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
				"?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				v, 18, &id) != ST_OK) {
		return fail(g, ST_DB, "work order");
	}
	/* The same "create" event the store writes (work_orders.c create_fn). */
	char data[96];
	snprintf(data, sizeof data, "{\"number\":\"%s\",\"channel\":\"%s\"}", number, channel);
	dbv e[] = {VI(g->tenant_id), VI(id), VI(created), by ? VI(by) : VN, VT("create"), VT(data)};
	if (db_exec(g->tx, "INSERT INTO wo_events(tenant_id, order_id, at, actor_id, event, data) VALUES (?, ?, ?, ?, ?, ?)",
		    e, 6) != DB_OK)
		return fail(g, ST_DB, "work order event");
	return ST_OK;
}

struct planned {
	int64_t created;
	int status, idx;
};

static int planned_cmp(const void *a, const void *b)
{
	const struct planned *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->idx - y->idx;
}

/* The 500 base orders: the mix of base_mix, each state's ages spread evenly over its range
 * (stratified), then written oldest first so ids grow with time. */
static int base_orders_add(struct gen *g, struct ref *rf)
{
	int total = 0;
	for (int s = 0; s < DEMO_STATUSES; s++)
		total += base_mix[s].count;
	struct planned *pl = xcalloc((size_t)total, sizeof *pl);
	rng r;
	rng_seed(&r, g->seed, 0x0D);
	int n = 0;
	for (int s = 0; s < DEMO_STATUSES; s++) {
		int span = base_mix[s].hi - base_mix[s].lo + 1;
		for (int k = 0; k < base_mix[s].count; k++) {
			int age = base_mix[s].lo + (int)(((double)k + rng_unit(&r)) * span / base_mix[s].count);
			pl[n].created = day_time(g, &r, age);
			pl[n].status = s;
			pl[n].idx = n;
			n++;
		}
	}
	qsort(pl, (size_t)n, sizeof *pl, planned_cmp);
	struct ord_gen o = {.g = g, .rf = rf};
	rng_seed(&o.r, g->seed, 0x0E);
	int rc = ids_begin(&o);
	for (int i = 0; i < n && rc == ST_OK; i++) {
		int s = pl[i].status;
		int version = base_mix[s].version + (s == S_CANCELLED ? (int)rng_below(&o.r, 3) : 0);
		rc = order_add(&o, s, pl[i].created, version);
		if (rc == ST_OK) {
			g->res->orders++;
			g->res->status_count[s]++;
		}
	}
	if (rc == ST_OK)
		rc = day_flush(g, &o.dn);
	free(pl);
	return rc;
}

/* --- the base set, one transaction --------------------------------------------------- */

static int base_fn(db_tx *tx, void *arg)
{
	struct gen *g = arg;
	g->tx = tx;
	int64_t seen;
	dbv pm[] = {VI(g->tenant_id), VT(MARKER)};
	int rc = db_query_int(tx, "SELECT value FROM counters WHERE tenant_id = ? AND name = ?", pm, 2, &seen);
	if (rc == ST_OK) {
		g->res->already = true;
		g->res->loaded_seed = seen;
		return ST_OK;
	}
	if (rc != ST_NOT_FOUND)
		return fail(g, rc, "demo marker");
	struct net n;
	memset(&n, 0, sizeof n);
	rng r;
	int64_t model_ids[32];
	struct cust_gen *cg = xcalloc(200, sizeof *cg);
	struct ref rf;
	memset(&rf, 0, sizeof rf);
	rng_seed(&r, g->seed, 0x0A);
	if ((rc = network_add(g, &n)) != ST_OK)
		goto out;
	if ((rc = users_add(g, &n, &r)) != ST_OK)
		goto out;
	if ((rc = models_add(g, model_ids)) != ST_OK)
		goto out;
	rng_seed(&r, g->seed, 0x0B);
	if ((rc = customers_add(g, &n, &r, cg, 200)) != ST_OK)
		goto out;
	/* The customer login: the first customer sees their own orders. */
	int64_t uid;
	if ((rc = user_add(g, n.station[cg[0].city], "customer1", "客户演示账号", NULL, "customer", NULL, 0, 0, cg[0].id,
			   &uid)) != ST_OK)
		goto out;
	g->res->customer_logins += uid != 0;
	rng_seed(&r, g->seed, 0x0C);
	if ((rc = assets_add(g, &r, model_ids, cg, 200, 300)) != ST_OK)
		goto out;
	if ((rc = ref_load(g, &rf)) != ST_OK)
		goto out;
	if ((rc = base_orders_add(g, &rf)) != ST_OK)
		goto out;
	if ((rc = demo_lifecycle_fill(tx, g->tenant_id, g->tz_min, g->seed, g->err, g->errlen)) != ST_OK)
		goto out;
	if ((rc = car_details_add(g, &n)) != ST_OK || (rc = due_cache_fill(g)) != ST_OK ||
	    (rc = contact_history_add(g)) != ST_OK)
		goto out;
	if ((rc = wo_counts_rebuild_tx(tx, g->tenant_id)) != ST_OK) /* orders written directly: recount */
		goto out;
	dbv ps[] = {VI(g->tenant_id), VT(MARKER), VI((int64_t)g->seed)};
	if (db_exec(tx, "INSERT INTO counters(tenant_id, name, value) VALUES (?, ?, ?)", ps, 3) != DB_OK) {
		rc = fail(g, ST_DB, "demo marker");
		goto out;
	}
	principal sys = {.tenant_id = g->tenant_id};
	actor a = {&sys, "demo", NULL, NULL};
	json_t *after = json_pack("{s:I, s:i, s:i, s:i, s:i, s:i, s:i}", "seed", (json_int_t)g->seed, "organizations",
				  g->res->manufacturers + g->res->stations + g->res->outlets, "users",
				  g->res->technicians + g->res->staff + g->res->customer_logins, "customers", g->res->customers, "product_models",
				  g->res->models, "assets", g->res->assets, "work_orders", g->res->orders);
	rc = audit_add(tx, &a, "demo", "tenant", g->tenant_id, NULL, after);
	json_decref(after);
out:
	ref_free(&rf);
	free(cg);
	return rc;
}

/* --- bulk orders (benchmark) --------------------------------------------------------- */

/* The state an order of this age is most likely in by now. */
static int status_for_age(rng *r, int age)
{
	/* new acc dis tak otw svc wpt wcu cmp qc set clo fol can */
	static const int w1[DEMO_STATUSES] = {30, 20, 15, 10, 8, 10, 3, 0, 0, 0, 0, 0, 0, 4};
	static const int w7[DEMO_STATUSES] = {3, 4, 5, 5, 2, 20, 10, 8, 20, 10, 10, 0, 0, 5};
	static const int w30[DEMO_STATUSES] = {0, 0, 0, 0, 0, 2, 2, 1, 5, 10, 25, 35, 15, 6};
	static const int wold[DEMO_STATUSES] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 40, 50, 8};
	const int *w = age <= 1 ? w1 : age <= 7 ? w7 : age <= 30 ? w30 : wold;
	return demo_rng_weighted(r, w, DEMO_STATUSES);
}

struct bulk_ctx {
	struct gen *g;
	struct ref rf;
	struct ord_gen o;
	int64_t total, done, upto;
	int64_t start, span_ms;
	bool ref_ready;
};

static int bulk_fn(db_tx *tx, void *arg)
{
	struct bulk_ctx *b = arg;
	struct gen *g = b->g;
	g->tx = tx;
	int rc;
	if (!b->ref_ready) {
		if ((rc = ref_load(g, &b->rf)) != ST_OK)
			return rc;
		b->ref_ready = true;
		b->o.g = g;
		b->o.rf = &b->rf;
	}
	b->o.dn.day[0] = '\0';
	if ((rc = ids_begin(&b->o)) != ST_OK)
		return rc;
	double step = (double)b->span_ms / (double)b->total;
	for (int64_t i = b->done; i < b->upto; i++) {
		int64_t created = b->start + (int64_t)(((double)i + rng_unit(&b->o.r)) * step);
		int age = (int)((g->today - created + DAY_MS - 1) / DAY_MS);
		int s = status_for_age(&b->o.r, age);
		int version = s == S_CANCELLED ? 2 : base_mix[s].version;
		if ((rc = order_add(&b->o, s, created, version)) != ST_OK)
			return rc;
	}
	return day_flush(g, &b->o.dn);
}

static int bulk_audit_fn(db_tx *tx, void *arg)
{
	struct bulk_ctx *b = arg;
	principal sys = {.tenant_id = b->g->tenant_id};
	actor a = {&sys, "demo", NULL, NULL};
	json_t *after = json_pack("{s:I}", "generated_work_orders", (json_int_t)b->done);
	int rc = audit_add(tx, &a, "demo", "tenant", b->g->tenant_id, NULL, after);
	if (rc == ST_OK) /* the per-state counts of the list header (store/live.c) */
		rc = wo_counts_rebuild_tx(tx, b->g->tenant_id);
	json_decref(after);
	return rc;
}

static int max_id_fn(db_tx *tx, void *arg)
{
	int64_t *v = arg;
	*v = 0;
	int rc = db_query_int(tx, "SELECT max(id) FROM work_orders", NULL, 0, v);
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

static int bulk_add(db *d, struct gen *g, const demo_opts *opt)
{
	struct bulk_ctx b;
	memset(&b, 0, sizeof b);
	b.g = g;
	b.total = opt->orders;
	/* A year back from yesterday, longer if needed to keep under 50,000 orders a day. */
	int64_t days = 365;
	if (b.total / days > 50000)
		days = b.total / 50000 + 1;
	b.start = g->today - days * DAY_MS;
	b.span_ms = days * DAY_MS;
	int64_t max_id = 0;
	if (db_read(d, max_id_fn, &max_id) != ST_OK)
		return fail(g, ST_DB, "work orders");
	rng_seed(&b.o.r, g->seed, 0xB0000000ull + (uint64_t)max_id); /* a second run adds different orders */
	int batch = opt->batch > 0 ? opt->batch : 50000;
	int64_t t0 = mono_ns();
	int rc = ST_OK;
	while (b.done < b.total) {
		b.upto = b.done + batch < b.total ? b.done + batch : b.total;
		if ((rc = db_write(d, bulk_fn, &b)) != ST_OK)
			break;
		b.done = b.upto;
		g->res->bulk_orders = b.done;
		if (opt->progress) {
			double s = (double)(mono_ns() - t0) / 1e9;
			fprintf(stderr, "\r  work orders: %lld / %lld  (%.0f/s)", (long long)b.done, (long long)b.total,
				s > 0 ? (double)b.done / s : 0.0);
			if (b.done == b.total)
				fputc('\n', stderr);
		}
	}
	if (rc == ST_OK && b.done)
		rc = db_write(d, bulk_audit_fn, &b);
	ref_free(&b.rf);
	return rc;
}

/* --- entry ------------------------------------------------------------------------------ */

struct tenant_ctx {
	const char *code;
	int64_t id;
	int tz_min;
};

static int tenant_fn(db_tx *tx, void *arg)
{
	struct tenant_ctx *t = arg;
	dbv p[] = {VT(t->code)};
	db_res *r;
	if (db_query(tx, "SELECT id, tz_offset_min FROM tenants WHERE code = ?", p, 1, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		t->id = db_int(r, 0, 0);
		t->tz_min = (int)db_int(r, 0, 1);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

int demo_load(db *d, const char *tenant, const demo_opts *o, demo_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof *res);
	err[0] = '\0';
	struct tenant_ctx t = {tenant, 0, 480};
	int rc = db_read(d, tenant_fn, &t);
	if (rc != ST_OK) {
		snprintf(err, errlen, rc == ST_NOT_FOUND ? "no tenant '%s'" : "cannot read tenant '%s'", tenant);
		return rc;
	}
	struct gen g = {.tenant_id = t.id, .tz_min = t.tz_min, .seed = o->seed, .res = res, .err = err, .errlen = errlen};
	int64_t off = (int64_t)t.tz_min * 60000;
	int64_t local = now_ms() + off;
	g.today = local - (local % DAY_MS) - off;

	int64_t t0 = mono_ns();
	/* Argon2id is slow on purpose: hash the shared demo password once, outside the transaction. */
	char *hash = password_hash(DEMO_PASSWORD);
	if (!hash) {
		snprintf(err, errlen, "cannot hash the demo password");
		return ST_DB;
	}
	g.pw_hash = hash;
	rc = db_write(d, base_fn, &g);
	free(hash);
	g.pw_hash = NULL;
	g.tx = NULL;
	res->base_s = (double)(mono_ns() - t0) / 1e9;
	if (rc != ST_OK) {
		if (!*err)
			snprintf(err, errlen, "loading the demo data failed");
		return rc;
	}
	if (!res->already) {
		/* the contact tasks the ABC plans call for today (store/care.c), as the scheduler would */
		principal sys = {.tenant_id = t.id, .tz_offset_min = t.tz_min};
		actor a = {&sys, "demo", NULL, NULL};
		int64_t made = 0, later = 0;
		int32_t today = (int32_t)((g.today + off) / DAY_MS);
		/* as the daily run would have left it: two weeks ago (those not done since are
		 * overdue now), then today */
		rc = store_tasks_generate(d, &a, today - 14, 7, &made);
		if (rc == ST_OK)
			rc = store_tasks_generate(d, &a, today, 7, &later);
		res->contact_tasks = (int)(made + later);
		if (rc != ST_OK) {
			snprintf(err, errlen, "generating the contact tasks failed");
			return rc;
		}
	}
	if (o->orders > 0) {
		t0 = mono_ns();
		rc = bulk_add(d, &g, o);
		res->bulk_s = (double)(mono_ns() - t0) / 1e9;
		if (rc != ST_OK && !*err)
			snprintf(err, errlen, "generating work orders failed");
	}
	return rc;
}
