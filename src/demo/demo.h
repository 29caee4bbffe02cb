/*
 * demo.h — `fuwu demo`: the deterministic demo data set (DOMAIN §1 network shape) and the
 * bulk work orders the benchmark needs.
 *
 * The base set (2 manufacturers, 3 stations, 6 outlets, 30 technicians, one login per staff
 * role, 200 customers in every class and churn state, 300 assets — cars with plates and
 * mileage readings, models with maintenance schedules — 500 work orders over the last 90
 * days, past contacts; the open contact tasks are generated after it) is written in one
 * transaction and marked by the counters row "demo:seed"; loading it again adds nothing.
 * The same seed gives the same rows (times are anchored on today's date in the tenant's
 * zone, so two loads on the same day are identical).
 */
#ifndef FUWU_DEMO_H
#define FUWU_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define DEMO_PASSWORD "demo12345"

typedef struct demo_opts {
	uint64_t seed;  /* same seed, same data */
	int64_t orders; /* extra generated work orders on top of the base set (benchmark); 0 = none */
	int batch;      /* extra orders per transaction; 0 = 50,000 */
	bool progress;  /* report the extra orders' progress on stderr */
} demo_opts;

typedef struct demo_result {
	bool already;         /* the base set was there before: nothing added to it */
	int64_t loaded_seed;  /* the seed the base set was loaded with */
	int manufacturers, stations, outlets, technicians, staff, customer_logins;
	int customers, phones, addresses, models, assets, orders;
	int plates, readings;       /* the cars' plates and mileage readings */
	int contacts_done, contact_tasks; /* past contacts and the open tasks generated */
	int status_count[14]; /* base orders per status, in DOMAIN §3 order */
	int64_t bulk_orders;  /* extra orders written */
	double base_s, bulk_s;
} demo_result;

/* Load the demo data into tenant `tenant` (which must exist: see store_bootstrap).
 * ST_OK, or another st_code with a message in err. */
int demo_load(db *d, const char *tenant, const demo_opts *o, demo_result *res, char *err, size_t errlen);

/* The `fuwu demo` command; argv[0] is "demo". */
int demo_main(int argc, char **argv);

#endif
