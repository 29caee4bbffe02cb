/*
 * dispatch_load.c — the loader of the server's dispatch benchmark (bench/dispatch_server.sh).
 * On a database `fuwu demo` has prepared, SQLite or PostgreSQL alike (through the store's
 * db.h), it adds 20 outlets to each of the three demo cities and TECHS technicians around
 * them, each as dispatch sees them in real use: a profile (a base near the outlet, most with a
 * position reported this morning, a service area of 20 km, or the city, or none), one to three
 * skills, a certificate for the car technicians, a brand authorisation for some, a weekly
 * pattern (08:00–20:00 with lunch; some none: the whole day), one in fifty on leave today;
 * BOOKED orders dispatched to them with an appointment today or tomorrow (their bookings and
 * open orders); and WAITING new orders around the cities, a tenth without a position (matched
 * by city), half with an appointment window tomorrow. The waiting orders' ids go to OUT, one a
 * line with 1 (has a position) or 0. Multi-row INSERTs, one transaction; on PostgreSQL then
 * ANALYZE, as autovacuum would soon after such a load.
 *
 *   dispatch_load URL TECHS BOOKED WAITING OUT
 */
#include "demo/demo_int.h"
#include "store/db.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTLETS_PER_CITY 20
#define MAX_CITIES       8
#define BATCH_ROWS       500
#define BATCH_COLS       20
#define MIN_MS           60000LL
#define DAY_MS           86400000LL

/* Rows gathered into one INSERT … VALUES (…), (…) written out as literals (the store binds at
 * most 64 parameters on PostgreSQL); text values owned until the flush. */
typedef struct batch {
	db_tx *tx;
	char *head; /* "INSERT INTO t(a, b) VALUES " */
	int cols, rows;
	buf sql;
	char *owned[BATCH_COLS]; /* text values of the row being added */
	int n_owned;
} batch;

static void die(db_tx *tx, const char *what)
{
	fprintf(stderr, "dispatch_load: %s: %s\n", what, tx ? db_errmsg(tx) : "?");
	exit(1);
}

static void flush(batch *b)
{
	if (!b->rows)
		return;
	char *s = buf_steal(&b->sql);
	if (db_exec(b->tx, s, NULL, 0) != DB_OK)
		die(b->tx, b->head);
	free(s);
	b->rows = 0;
}

static void add(batch *b, const dbv *row)
{
	buf_puts(&b->sql, b->rows ? ", (" : b->head);
	if (!b->rows)
		buf_puts(&b->sql, "(");
	for (int c = 0; c < b->cols; c++) {
		const dbv *v = &row[c];
		if (c)
			buf_puts(&b->sql, ", ");
		if (v->k == V_INT)
			buf_printf(&b->sql, "%lld", (long long)v->i);
		else if (v->k == V_REAL)
			buf_printf(&b->sql, "%.17g", v->d);
		else if (v->k == V_NULL)
			buf_puts(&b->sql, "NULL");
		else {
			buf_puts(&b->sql, "'");
			for (const char *t = v->s; *t; t++)
				buf_puts(&b->sql, *t == '\'' ? "''" : (char[]){*t, 0});
			buf_puts(&b->sql, "'");
		}
	}
	buf_puts(&b->sql, ")");
	for (int i = 0; i < b->n_owned; i++)
		free(b->owned[i]);
	b->n_owned = 0;
	if (++b->rows == BATCH_ROWS)
		flush(b);
}

/* A text value of the next row, freed once the row is added. */
static dbv own(batch *b, char *s)
{
	b->owned[b->n_owned++] = s;
	return VT(s);
}

/* A batch of rows of table's columns ("a, b, c"). */
static batch *batch_new(db_tx *tx, const char *table, const char *cols)
{
	batch *b = xcalloc(1, sizeof *b);
	*b = (batch){.tx = tx, .head = xasprintf("INSERT INTO %s(%s) VALUES ", table, cols), .cols = 1};
	for (const char *c = cols; *c; c++)
		b->cols += *c == ',';
	buf_init(&b->sql, 0);
	return b;
}

static void batch_done(batch *b)
{
	flush(b);
	buf_free(&b->sql);
	free(b->head);
	free(b);
}

/* Normal-ish offset: the mean of three uniforms, scaled to about ±sd·1.7. */
static double spread(rng *r, double sd)
{
	return (rng_unit(r) + rng_unit(r) + rng_unit(r) - 1.5) * 2 * sd;
}

struct place {
	int64_t id;
	char path[128], city[64];
	double lat, lon;
	int city_ix;
};

struct load {
	rng r;
	int64_t tenant, now, today; /* today: 00:00 in the tenant's zone, UTC ms */
	int tz;
	struct place station[MAX_CITIES], outlet[MAX_CITIES * OUTLETS_PER_CITY];
	int n_cities, n_outlets;
	int64_t *tech; /* user ids */
	int *tech_outlet;
	double *tech_lat, *tech_lon;
	int n_techs;
	struct asset {
		int64_t id, customer;
		char name[64];
	} asset[512];
	int n_assets;
	FILE *out;
};

static int64_t query_int(db_tx *tx, const char *sql, const dbv *p, int n)
{
	int64_t v = 0;
	if (db_query_int(tx, sql, p, n, &v) != ST_OK)
		die(tx, sql);
	return v;
}

/* The rows of a query whose one parameter is the tenant; dies on an error. */
static db_res *tenant_rows(db_tx *tx, const struct load *L, const char *sql, const char *what)
{
	db_res *r;
	dbv p[] = {VI(L->tenant)};
	if (db_query(tx, sql, p, 1, &r) != DB_OK)
		die(tx, what);
	return r;
}

static void network(db_tx *tx, struct load *L)
{
	db_res *r = tenant_rows(tx, L,
	                        "SELECT id, path, city, lat, lon, province FROM organizations WHERE tenant_id = ? AND "
	                        "type = 'station' AND lat IS NOT NULL ORDER BY id",
	                        "stations");
	for (int i = 0; i < db_rows(r) && L->n_cities < MAX_CITIES; i++) {
		struct place *s = &L->station[L->n_cities];
		s->id = db_int(r, i, 0);
		snprintf(s->path, sizeof s->path, "%s", db_text(r, i, 1));
		snprintf(s->city, sizeof s->city, "%s", db_text(r, i, 2) ? db_text(r, i, 2) : "");
		s->lat = db_real(r, i, 3);
		s->lon = db_real(r, i, 4);
		s->city_ix = L->n_cities++;
		for (int k = 0; k < OUTLETS_PER_CITY; k++) {
			struct place *o = &L->outlet[L->n_outlets++];
			*o = *s;
			o->lat = s->lat + spread(&L->r, 0.08);
			o->lon = s->lon + spread(&L->r, 0.09);
			char name[96], code[32];
			snprintf(name, sizeof name, "%.60s压测网点%02d", s->city, k + 1);
			snprintf(code, sizeof code, "BENCH-%lld-%02d", (long long)s->id, k + 1);
			dbv v[] = {VI(L->tenant), VI(s->id),  VT(name),   VT(code),   VT(db_text(r, i, 5)),
			           VT(s->city),   VR(o->lat), VR(o->lon), VI(L->now), VI(L->now)};
			db_res *id;
			if (db_query(
			        tx,
			        "INSERT INTO organizations(tenant_id, parent_id, type, name, code, province, city, "
			        "lat, lon, "
			        "created_at, updated_at) VALUES (?, ?, 'outlet', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			        v, 10, &id) != DB_OK)
				die(tx, "outlet");
			o->id = db_int(id, 0, 0);
			db_res_free(id);
			char *path = xasprintf("%s%lld/", s->path, (long long)o->id);
			snprintf(o->path, sizeof o->path, "%s", path);
			free(path);
			dbv u[] = {VT(o->path), VI(o->id)};
			if (db_exec(tx, "UPDATE organizations SET path = ? WHERE id = ?", u, 2) != DB_OK)
				die(tx, "outlet path");
		}
	}
	db_res_free(r);
	if (!L->n_cities)
		die(NULL, "no demo stations with a position (run `fuwu demo` first)");
}

static void technicians(db_tx *tx, struct load *L, int n)
{
	batch *u = batch_new(tx, "users",
	                     "tenant_id, org_id, login, name, password_hash, roles, status, created_at, updated_at");
	L->tech_outlet = xcalloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++) {
		int o = (int)rng_below(&L->r, (uint32_t)L->n_outlets);
		L->tech_outlet[i] = o;
		char name[32];
		demo_person_name(&L->r, name, sizeof name);
		dbv row[] = {VI(L->tenant),
		             VI(L->outlet[o].id),
		             own(u, xasprintf("bt%05d", i + 1)),
		             own(u, xstrdup(name)),
		             VT("bench: no log-in"),
		             VT("technician"),
		             VT("active"),
		             VI(L->now),
		             VI(L->now)};
		add(u, row);
	}
	batch_done(u);
	db_res *r =
	    tenant_rows(tx, L, "SELECT id, login FROM users WHERE tenant_id = ? AND login LIKE 'bt%' ORDER BY login",
	                "technician ids");
	if (db_rows(r) != n)
		die(NULL, "technician ids");
	L->tech = xcalloc((size_t)n, sizeof(int64_t));
	L->tech_lat = xcalloc((size_t)n, sizeof(double));
	L->tech_lon = xcalloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++)
		L->tech[i] = db_int(r, i, 0);
	db_res_free(r);
	L->n_techs = n;

	batch *pr = batch_new(tx, "tech_profiles",
	                      "tenant_id, user_id, team, base_lat, base_lon, area_radius_km, area_regions_json, "
	                      "on_duty, pos_lat, pos_lon, pos_at, level, score_x100, created_at, updated_at");
	batch *sk = batch_new(tx, "tech_skills", "tenant_id, user_id, skill, level");
	batch *ce = batch_new(tx, "tech_certs", "tenant_id, user_id, name, skill, valid_from, expires_on, created_at");
	batch *br = batch_new(tx, "tech_brands", "tenant_id, user_id, brand, category");
	batch *sh = batch_new(tx, "tech_shifts",
	                      "tenant_id, user_id, weekday, start_min, end_min, break_start_min, break_end_min");
	batch *lv = batch_new(tx, "tech_leave", "tenant_id, user_id, from_at, to_at, kind, created_at");
	static const int appl_pct[4] = {75, 40, 40, 30}; /* 空调 冰箱 洗衣机 热水器 */
	for (int i = 0; i < n; i++) {
		rng *g = &L->r;
		const struct place *o = &L->outlet[L->tech_outlet[i]];
		int64_t id = L->tech[i];
		double blat = o->lat + spread(g, 0.04), blon = o->lon + spread(g, 0.045);
		bool unplaced = rng_pct(g, 3), reported = !unplaced && rng_pct(g, 85);
		double plat = blat + spread(g, 0.02), plon = blon + spread(g, 0.02);
		L->tech_lat[i] = unplaced ? o->lat : reported ? plat : blat;
		L->tech_lon[i] = unplaced ? o->lon : reported ? plon : blon;
		int area = (int)rng_below(g, 10); /* 0-5 radius, 6-7 the city, 8-9 none */
		int level = rng_range(g, 1, 5);
		dbv row[] = {VI(L->tenant),
		             VI(id),
		             VT("家电组"),
		             unplaced ? VN : VR(blat),
		             unplaced ? VN : VR(blon),
		             area < 6 ? VI(20) : VN,
		             area == 6 || area == 7 ? own(pr, xasprintf("[\"%s\"]", o->city)) : VN,
		             VI(rng_pct(g, 92)),
		             reported ? VR(plat) : VN,
		             reported ? VR(plon) : VN,
		             reported ? VI(L->today + (8 * 60 + rng_range(g, 0, 60)) * MIN_MS) : VN,
		             VI(level),
		             VI(rng_range(g, 5000, 9800)),
		             VI(L->now),
		             VI(L->now)};
		add(pr, row);
		if (rng_pct(g, 8)) { /* a car technician */
			add(sk, (dbv[]){VI(L->tenant), VI(id), VT(demo_cat_names[4]), VI(level)});
			if (rng_pct(g, 50))
				add(sk,
				    (dbv[]){VI(L->tenant), VI(id), VT(demo_cat_names[5]), VI(rng_range(g, 1, level))});
			add(ce, (dbv[]){VI(L->tenant), VI(id), VT("机动车维修技术人员从业资格证"),
			                VT(demo_cat_names[4]), VT("2024-03-01"), VT("2029-02-28"), VI(L->now)});
		} else {
			int got = 0;
			for (int c = 0; c < 4; c++)
				if (rng_pct(g, appl_pct[c]) || (c == 3 && !got)) {
					add(sk, (dbv[]){VI(L->tenant), VI(id), VT(demo_cat_names[c]),
					                VI(rng_range(g, 1, level))});
					got++;
				}
			if (rng_pct(g, 10))
				add(br, (dbv[]){VI(L->tenant), VI(id), VT("美森"), VN});
		}
		if (!rng_pct(g, 10)) { /* else no pattern: the whole day */
			int days = rng_pct(g, 30) ? 6 : 7;
			for (int wd = 1; wd <= days; wd++)
				add(sh, (dbv[]){VI(L->tenant), VI(id), VI(wd), VI(480), VI(1200), VI(720), VI(780)});
		}
		if (rng_pct(g, 2))
			add(lv, (dbv[]){VI(L->tenant), VI(id), VI(L->today), VI(L->today + DAY_MS), VT("annual"),
			                VI(L->now)});
	}
	batch_done(pr);
	batch_done(sk);
	batch_done(ce);
	batch_done(br);
	batch_done(sh);
	batch_done(lv);
}

static void assets(db_tx *tx, struct load *L)
{
	db_res *r =
	    tenant_rows(tx, L,
	                "SELECT a.id, a.customer_id, c.name FROM assets a JOIN customers c ON c.id = a.customer_id "
	                "WHERE a.tenant_id = ? ORDER BY a.id LIMIT 512",
	                "demo assets");
	if (!db_rows(r))
		die(NULL, "no demo assets (run `fuwu demo` first)");
	for (int i = 0; i < db_rows(r); i++) {
		struct asset *a = &L->asset[L->n_assets++];
		a->id = db_int(r, i, 0);
		a->customer = db_int(r, i, 1);
		snprintf(a->name, sizeof a->name, "%s", db_text(r, i, 2));
	}
	db_res_free(r);
}

/* BOOKED orders dispatched with an appointment (today or tomorrow, 09:00 to 17:00, an hour)
 * near their technician; then WAITING new ones around the cities. */
static void orders(db_tx *tx, struct load *L, int booked, int waiting)
{
	static const char *const prio[] = {"P1", "P2", "P2", "P2", "P3", "P3", "P3", "P3", "P3", "P4"};
	batch *b = batch_new(tx, "work_orders",
	                     "tenant_id, org_id, number, type, priority, channel, status, customer_id, customer_name, "
	                     "asset_id, fault_description, assignee_id, lat, lon, region, appointment_start, "
	                     "appointment_end, sla_resolve_due, created_at, updated_at");
	rng *g = &L->r;
	for (int i = 0; i < booked + waiting; i++) {
		const struct asset *a = &L->asset[rng_below(g, (uint32_t)L->n_assets)];
		bool is_booked = i < booked;
		int t = (int)rng_below(g, (uint32_t)L->n_techs);
		const struct place *o =
		    is_booked ? &L->outlet[L->tech_outlet[t]] : &L->outlet[rng_below(g, (uint32_t)L->n_outlets)];
		double lat = is_booked ? L->tech_lat[t] + spread(g, 0.03) : o->lat + spread(g, 0.06);
		double lon = is_booked ? L->tech_lon[t] + spread(g, 0.03) : o->lon + spread(g, 0.06);
		bool placed = is_booked || !rng_pct(g, 10);
		bool window = is_booked || rng_pct(g, 50);
		int64_t start = L->today + (is_booked ? rng_range(g, 0, 1) : 1) * DAY_MS +
		                (9 * 60 + 30 * rng_range(g, 0, 16)) * MIN_MS;
		dbv row[] = {VI(L->tenant),
		             VI(L->station[o->city_ix].id),
		             own(b, xasprintf("%s%06d", is_booked ? "BD" : "BW", i + 1)),
		             VT("repair"),
		             VT(is_booked ? "P3" : RNG_PICK(g, prio)),
		             VT("phone"),
		             VT(is_booked ? "dispatched" : "new"),
		             VI(a->customer),
		             VT(a->name),
		             VI(a->id),
		             VT("不制冷"),
		             is_booked ? VI(L->tech[t]) : VN,
		             placed ? VR(lat) : VN,
		             placed ? VR(lon) : VN,
		             VT(o->city),
		             window ? VI(start) : VN,
		             window ? VI(start + (is_booked ? 60 : 120) * MIN_MS) : VN,
		             VI(L->now + rng_range(g, 4, 48) * 60 * MIN_MS),
		             VI(L->now),
		             VI(L->now)};
		add(b, row);
	}
	batch_done(b);
	db_res *r =
	    tenant_rows(tx, L, "SELECT id, lat FROM work_orders WHERE tenant_id = ? AND number LIKE 'BW%' ORDER BY id",
	                "waiting ids");
	for (int i = 0; i < db_rows(r); i++)
		fprintf(L->out, "%lld %d\n", (long long)db_int(r, i, 0), !db_isnull(r, i, 1));
	db_res_free(r);
}

struct run {
	struct load *L;
	int techs, booked, waiting;
};

static int load_fn(db_tx *tx, void *arg)
{
	struct run *x = arg;
	struct load *L = x->L;
	dbv p[] = {VT("default")};
	L->tenant = query_int(tx, "SELECT id FROM tenants WHERE code = ?", p, 1);
	dbv pt[] = {VI(L->tenant)};
	L->tz = (int)query_int(tx, "SELECT tz_offset_min FROM tenants WHERE id = ?", pt, 1);
	L->now = now_ms();
	int64_t local = L->now + L->tz * MIN_MS;
	L->today = local - local % DAY_MS - L->tz * MIN_MS;
	network(tx, L);
	technicians(tx, L, x->techs);
	assets(tx, L);
	orders(tx, L, x->booked, x->waiting);
	return ST_OK;
}

static int analyze_fn(db_tx *tx, void *arg)
{
	(void)arg;
	return db_script(tx, "ANALYZE") == DB_OK ? ST_OK : ST_DB;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: dispatch_load URL TECHS BOOKED WAITING OUT\n");
		return 2;
	}
	struct load L = {0};
	rng_seed(&L.r, 5, 17);
	struct run x = {&L, atoi(argv[2]), atoi(argv[3]), atoi(argv[4])};
	if (x.techs < 1 || x.booked < 0 || x.waiting < 1) {
		fprintf(stderr, "dispatch_load: TECHS and WAITING ≥ 1, BOOKED ≥ 0\n");
		return 2;
	}
	L.out = fopen(argv[5], "w");
	char err[256];
	db *d = db_open(argv[1], false, 1, err, sizeof err);
	if (!d || !L.out) {
		fprintf(stderr, "dispatch_load: %s\n", d ? argv[5] : err);
		return 1;
	}
	int rc = db_write(d, load_fn, &x);
	/* PostgreSQL: the statistics autovacuum would gather within a minute of such a load */
	if (rc == ST_OK && db_kind(d) == DB_PG)
		rc = db_write(d, analyze_fn, NULL);
	db_close(d);
	fclose(L.out);
	if (rc != ST_OK) {
		fprintf(stderr, "dispatch_load: the load failed\n");
		return 1;
	}
	printf("dispatch_load: %d outlets, %d technicians, %d booked and %d waiting orders\n", L.n_outlets, x.techs,
	       x.booked, x.waiting);
	free(L.tech);
	free(L.tech_outlet);
	free(L.tech_lat);
	free(L.tech_lon);
	return 0;
}
