/* test_maint.c — next maintenance due by km or time, whichever first (DOMAIN §6). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/maint.h"
#include "domain/warranty.h"

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (!wty_day_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

/* The car example of DOMAIN §6: first service at 5,000 km or 3 months; then 10,000 km / 12 months. */
static const maint_step car[] = {{5000, 3}, {10000, 12}, {15000, 18}};

static void time_first_without_readings(void **state)
{
	(void)state;
	maint_input in = {.purchase_day = D("2026-01-15"), .today = D("2026-02-01"), .steps = car, .nsteps = 3};
	maint_due d;
	maint_next(&in, &d);
	assert_int_equal(d.step, 0);
	assert_false(d.by_km);
	assert_int_equal(d.due_day, D("2026-04-15"));
	assert_int_equal(d.est_km, -1);
}

static void km_first_when_driving_a_lot(void **state)
{
	(void)state;
	/* 100 km/day: 5,000 km on day 50 after purchase, before 3 months. */
	maint_reading r[] = {{D("2026-01-31"), 3000, false}};
	maint_input in = {.purchase_day = D("2026-01-01"), .today = D("2026-02-10"), .steps = car, .nsteps = 3,
			  .readings = r, .nreadings = 1};
	maint_due d;
	maint_next(&in, &d);
	assert_int_equal(d.step, 0);
	assert_true(d.by_km);
	assert_int_equal(d.due_day, D("2026-01-31") + 20);
	assert_int_equal(d.est_km, 3000 + 100 * 10);
}

static void time_first_when_driving_little(void **state)
{
	(void)state;
	maint_reading r[] = {{D("2026-03-01"), 590, false}}; /* ~10 km/day */
	maint_input in = {.purchase_day = D("2026-01-01"), .today = D("2026-03-05"), .steps = car, .nsteps = 3,
			  .readings = r, .nreadings = 1};
	maint_due d;
	maint_next(&in, &d);
	assert_false(d.by_km);
	assert_int_equal(d.due_day, D("2026-04-01"));
}

static void next_step_and_finished_schedule(void **state)
{
	(void)state;
	maint_input in = {.purchase_day = D("2026-01-01"), .today = D("2026-05-01"), .steps = car, .nsteps = 3, .done = 1};
	maint_due d;
	maint_next(&in, &d);
	assert_int_equal(d.step, 1);
	assert_int_equal(d.due_day, D("2027-01-01"));
	in.done = 3;
	maint_next(&in, &d);
	assert_int_equal(d.step, -1);
}

static void overdue_by_km(void **state)
{
	(void)state;
	maint_reading r[] = {{D("2026-02-01"), 2000, false}, {D("2026-03-01"), 6000, false}};
	maint_input in = {.purchase_day = D("2026-01-01"), .today = D("2026-03-10"), .steps = car, .nsteps = 3,
			  .readings = r, .nreadings = 2};
	maint_due d;
	maint_next(&in, &d);
	assert_true(d.by_km);
	assert_true(d.due_day < D("2026-03-01")); /* passed 5,000 km before the last visit */
}

static void odometer_change_keeps_the_total(void **state)
{
	(void)state;
	/* 4,000 km on the old meter, a new meter from 0; 600 km more: total 4,600. */
	maint_reading r[] = {{D("2026-02-10"), 4000, false}, {D("2026-02-11"), 0, true}, {D("2026-02-21"), 600, true}};
	r[2].odometer_change = false;
	maint_input in = {.purchase_day = D("2026-01-01"), .today = D("2026-02-21"), .steps = car, .nsteps = 3,
			  .readings = r, .nreadings = 3};
	maint_due d;
	maint_next(&in, &d);
	assert_int_equal(d.est_km, 4600);
	assert_true(d.by_km);
	assert_int_equal(d.due_day, D("2026-02-21") + 7); /* 60 km/day, 400 km to go */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(time_first_without_readings),
		cmocka_unit_test(km_first_when_driving_a_lot),
		cmocka_unit_test(time_first_when_driving_little),
		cmocka_unit_test(next_step_and_finished_schedule),
		cmocka_unit_test(overdue_by_km),
		cmocka_unit_test(odometer_change_keeps_the_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
