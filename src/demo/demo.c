/*
 * demo.c — the `fuwu demo` command: open the database, make sure the tenant "default" and
 * its admin exist (as `fuwu serve` would on its first start), load the demo data set
 * (demo_load.c) and print what was loaded and how to log in.
 *
 *   fuwu demo [--db URL] [--seed N] [--orders N] [--batch N]
 *
 * --orders N adds N generated work orders for the benchmark, even when the base set was
 * loaded before (only the base set is idempotent).
 */
#include "demo/demo.h"
#include "demo/demo_int.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEMO_DEFAULT_DB "sqlite:var/fuwu.db"

struct demo_flag {
	const char *name;   /* "--seed" */
	const char *env;    /* environment variable or NULL */
	const char **value; /* where the value goes */
	const char *help;
};

static void demo_usage(const struct demo_flag *flags, FILE *f)
{
	fprintf(f, "usage: fuwu demo [--db URL] [--seed N] [--orders N] [--batch N]\n"
		   "Load the demo network, staff, customers, assets and work orders into tenant 'default'\n"
		   "(idempotent: a second run adds nothing). All demo users log in with password %s.\n",
		DEMO_PASSWORD);
	for (const struct demo_flag *o = flags; o->name; o++)
		fprintf(f, "  %-22s %s%s%s%s\n", o->name, o->help, o->env ? " [env " : "", o->env ? o->env : "",
			o->env ? "]" : "");
	fprintf(f, "  %-22s show this help\n", "--help");
}

/* 0 go on, 1 help printed, 2 usage error (same contract as main.c's parse_opts). */
static int demo_parse(int argc, char **argv, const struct demo_flag *flags)
{
	for (const struct demo_flag *o = flags; o->name; o++)
		if (o->env && getenv(o->env) && *getenv(o->env))
			*o->value = getenv(o->env);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			demo_usage(flags, stdout);
			return 1;
		}
		size_t n = strcspn(a, "=");
		const struct demo_flag *o = flags;
		while (o->name && (strlen(o->name) != n || strncmp(o->name, a, n)))
			o++;
		if (!o->name) {
			fprintf(stderr, "fuwu demo: unknown option '%s'\n", a);
			demo_usage(flags, stderr);
			return 2;
		}
		if (a[n] == '=') {
			*o->value = a + n + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "fuwu demo: %s needs a value\n", o->name);
			demo_usage(flags, stderr);
			return 2;
		}
	}
	return 0;
}

/* For a sqlite:dir/file path, create the folders (as `fuwu serve` does for var/). */
static void demo_mkdirs(const char *url)
{
	if (strncmp(url, "sqlite:", 7))
		return;
	char *path = xstrdup(url + 7);
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		for (char *p = path + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(path, 0755);
				*p = '/';
			}
		mkdir(path, 0755);
	}
	free(path);
}

static void print_logins(void)
{
	printf("  logins (password %s, tenant 'default'):\n", DEMO_PASSWORD);
	for (int i = 0; i < demo_staff_count; i++)
		printf("    %-12s %-18s %s\n", demo_staff[i].login, demo_staff[i].role, demo_staff[i].name);
	printf("    %-12s %-18s %s\n", "customer1", "customer", "客户演示账号 (the first demo customer)");
	int k = 1;
	for (int c = 0; c < DEMO_CITIES; c++)
		for (int o = 0; o < DEMO_OUTLETS_PER_CITY; o++, k += 5)
			printf("    tech%02d..%02d   %-18s %s\n", k, k + 4, "technician", demo_cities[c].outlets[o].name);
}

int demo_main(int argc, char **argv)
{
	const char *url = DEMO_DEFAULT_DB, *seed_s = "1", *orders_s = "0", *batch_s = "50000";
	const struct demo_flag flags[] = {
		{"--db", "FUWU_DB", &url, "sqlite:PATH or postgres://… (default " DEMO_DEFAULT_DB ")"},
		{"--seed", NULL, &seed_s, "seed of the generator: same seed, same data (default 1)"},
		{"--orders", NULL, &orders_s, "also generate N more work orders, e.g. 1000000 for the benchmark"},
		{"--batch", NULL, &batch_s, "generated work orders per transaction (default 50000)"},
		{0},
	};
	int rc = demo_parse(argc, argv, flags);
	if (rc)
		return rc == 1 ? 0 : 2;
	int64_t seed, orders, batch;
	if (!parse_i64(seed_s, 0, INT64_MAX, &seed) || !parse_i64(orders_s, 0, 100000000, &orders) ||
	    !parse_i64(batch_s, 1, 10000000, &batch)) {
		fprintf(stderr, "fuwu demo: --seed, --orders and --batch take whole numbers (orders ≤ 100000000)\n");
		demo_usage(flags, stderr);
		return 2;
	}

	char err[512];
	demo_mkdirs(url);
	db *d = db_open(url, false, 1, err, sizeof err);
	if (!d) {
		fprintf(stderr, "fuwu demo: %s\n", err);
		return 1;
	}
	if (db_migrate(d, err, sizeof err) != 0) {
		fprintf(stderr, "fuwu demo: %s\n", err);
		db_close(d);
		return 1;
	}
	char pw[64];
	bool created;
	const char *env = getenv("FUWU_ADMIN_PASSWORD");
	if (store_bootstrap(d, "default", "fuwu 服务网络", env, pw, sizeof pw, &created) != ST_OK) {
		fprintf(stderr, "fuwu demo: cannot create the first tenant and admin\n");
		db_close(d);
		return 1;
	}
	if (created && !(env && *env))
		printf("fuwu: created user 'admin' with password: %s  (shown once; change it after logging in)\n", pw);
	else if (created)
		printf("fuwu: created user 'admin' with the password from FUWU_ADMIN_PASSWORD\n");

	demo_opts o = {.seed = (uint64_t)seed, .orders = orders, .batch = (int)batch, .progress = orders > 0};
	demo_result res;
	rc = demo_load(d, "default", &o, &res, err, sizeof err);
	db_close(d);
	if (res.already)
		printf("fuwu demo: demo data already loaded (seed %lld); nothing added to it\n", (long long)res.loaded_seed);
	else if (res.orders)
		printf("fuwu demo: loaded the demo data (seed %lld) in %.2f s\n"
		       "  organisations   %d manufacturers, %d stations, %d outlets\n"
		       "  users           %d technicians, %d staff, %d customer login\n"
		       "  customers       %d (%d phones, %d addresses)\n"
		       "  products        %d models, %d assets (%d cars with plates, %d mileage readings)\n"
		       "  work orders     %d over the last 90 days\n"
		       "  customer care   %d past contacts, %d contact tasks open\n",
		       (long long)seed, res.base_s, res.manufacturers, res.stations, res.outlets, res.technicians, res.staff,
		       res.customer_logins,
		       res.customers, res.phones, res.addresses, res.models, res.assets, res.plates, res.readings, res.orders,
		       res.contacts_done, res.contact_tasks);
	if (res.orders) {
		printf("                  ");
		for (int s = 0; s < DEMO_STATUSES; s++)
			printf("%s %d%s", demo_status_names[s], res.status_count[s], s + 1 < DEMO_STATUSES ? ", " : "\n");
	}
	if (res.bulk_orders)
		printf("fuwu demo: generated %lld more work orders in %.1f s (%.0f/s)\n", (long long)res.bulk_orders,
		       res.bulk_s, res.bulk_s > 0 ? (double)res.bulk_orders / res.bulk_s : 0.0);
	if (rc != ST_OK) {
		fprintf(stderr, "fuwu demo: %s\n", err);
		return 1;
	}
	if (!res.already || !orders)
		print_logins();
	return 0;
}
