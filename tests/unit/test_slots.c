/* test_slots.c — appointment slots (domain/slots.c): the 30-minute grid of a local day, the
 * counts from technicians' shifts, breaks, leave and bookings (with travel), the appointments
 * that hold a technician, a skill asked for, and bays with their hours, daily capacity and one
 * car at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "domain/slots.h"

#define DAY0     20780 /* 2026-11-23, a Monday */
#define DS       ((int64_t)DAY0 * 86400 - 8 * 3600)
#define HM(h, m) (DS + (h)*3600 + (m)*60)
#define H1       3600

static const dsp_skill aircon[] = {{"空调", 3}};
static const dsp_skill washer[] = {{"洗衣机", 3}};
/* 09:00–12:00 and 13:00–18:00 */
static const dsp_span shift[] = {{HM(9, 0), HM(12, 0)}, {HM(13, 0), HM(18, 0)}};

static dsp_tech tech(int64_t id, const dsp_skill *sk)
{
	return (dsp_tech){.id = id,
	                  .lat = NAN,
	                  .lon = NAN,
	                  .on_duty = true,
	                  .skills = sk,
	                  .n_skills = 1,
	                  .shifts = shift,
	                  .n_shifts = 2,
	                  .level = 3,
	                  .score = 70};
}

static dsp_order order(const char *category)
{
	return (dsp_order){.lat = NAN,
	                   .lon = NAN,
	                   .category = category,
	                   .priority = 3,
	                   .sla_slack_s = INT64_MAX,
	                   .cls = DSP_C,
	                   .duration_s = H1};
}

/* Where nobody says where the order is, the service area cannot decide (the store ignores it). */
static const unsigned no_area[3] = {DSP_OUT_OF_AREA, DSP_OUT_OF_AREA, DSP_OUT_OF_AREA};

static slot_count *find(slot_count *s, size_t n, int64_t start)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].start == start)
			return &s[i];
	return NULL;
}

static void grid(void **state)
{
	(void)state;
	slot_count s[48];
	assert_int_equal(slots_grid(DS, 0, H1, s, 48), 47); /* 00:00 … 23:00 */
	assert_true(s[0].start == DS && s[46].start == HM(23, 0));
	assert_int_equal(slots_grid(DS, 0, 1800, s, 48), 48);
	assert_int_equal(slots_grid(DS, HM(17, 1), H1, s, 48), 12); /* 17:30 … 23:00 */
	assert_true(s[0].start == HM(17, 30));
	assert_int_equal(slots_grid(DS, 0, 0, s, 48), 0);
	assert_true(slots_on_grid(HM(9, 30), 480));
	assert_false(slots_on_grid(HM(9, 10), 480));
	assert_false(slots_on_grid(HM(9, 0) + 1, 480));
	/* India: +05:30 — the half hour is local */
	assert_true(slots_on_grid(HM(9, 0), 330));
	assert_false(slots_on_grid(HM(9, 0) + 900, 330));
}

static void techs_shifts_leave_bookings(void **state)
{
	(void)state;
	dsp_span leave[] = {{HM(14, 0), HM(16, 0)}};
	dsp_booking bk[] = {{.start = HM(9, 0), .end = HM(10, 0), .order_id = 7, .lat = NAN, .lon = NAN}};
	dsp_tech t[3] = {tech(1, aircon), tech(2, aircon), tech(3, washer)};
	t[0].booked = bk;
	t[0].n_booked = 1;
	t[1].leave = leave;
	t[1].n_leave = 1;
	dsp_span holds[] = {{HM(10, 0), HM(11, 0)}};
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order("空调");
	slot_count s[48];
	size_t n = slots_grid(DS, 0, H1, s, 48);
	slots_techs(&o, t, 3, no_area, &p, holds, 1, H1, s, n);
	slot_count *x = find(s, n, HM(9, 0));
	assert_true(x->capacity == 2 && x->free == 1); /* the washer does not count; t1 booked */
	x = find(s, n, HM(9, 30));
	assert_true(x->capacity == 2 && x->free == 0); /* t1 booked, t2 held */
	x = find(s, n, HM(10, 0));
	assert_true(x->capacity == 2 && x->free == 1); /* back to back with 9–10; the hold */
	x = find(s, n, HM(11, 0));
	assert_true(x->capacity == 2 && x->free == 2);
	assert_int_equal(find(s, n, HM(11, 30))->capacity, 0); /* runs into the break */
	assert_int_equal(find(s, n, HM(8, 30))->capacity, 0);
	assert_int_equal(find(s, n, HM(17, 30))->capacity, 0);
	x = find(s, n, HM(13, 30));
	assert_true(x->capacity == 1 && x->free == 1); /* runs into t2's leave */
	x = find(s, n, HM(16, 0));
	assert_true(x->capacity == 2 && x->free == 2); /* leave ends at 16:00 */
	/* no skill asked: the washer too */
	dsp_order any = order(NULL);
	slots_techs(&any, t, 3, no_area, &p, NULL, 0, H1, s, n);
	assert_int_equal(find(s, n, HM(11, 0))->capacity, 3);
	/* a skill nobody recorded is not held against them (the store's ignore mask) */
	unsigned ignore[3] = {DSP_OUT_OF_AREA, DSP_OUT_OF_AREA, DSP_OUT_OF_AREA | DSP_NO_SKILL | DSP_LEVEL_TOO_LOW};
	slots_techs(&o, t, 3, ignore, &p, NULL, 0, H1, s, n);
	assert_int_equal(find(s, n, HM(11, 0))->capacity, 3);
	/* moving order 7 itself: its own booking is not in its way */
	o.id = 7;
	slots_techs(&o, t, 3, no_area, &p, NULL, 0, H1, s, n);
	assert_int_equal(find(s, n, HM(9, 0))->free, 2);
	/* more holds than technicians: never below 0 */
	dsp_span many[] = {{HM(11, 0), HM(12, 0)}, {HM(11, 0), HM(12, 0)}, {HM(11, 0), HM(12, 0)}};
	slots_techs(&o, t, 3, no_area, &p, many, 3, H1, s, n);
	assert_int_equal(find(s, n, HM(11, 0))->free, 0);
	/* off duty (now) is the caller's to ignore for another day */
	t[0].on_duty = false;
	assert_int_equal(slots_tech_check(&o, &t[0], DSP_OUT_OF_AREA, &p, HM(11, 0), HM(12, 0)), DSP_OFF_DUTY);
	assert_int_equal(slots_tech_check(&o, &t[0], DSP_OFF_DUTY | DSP_OUT_OF_AREA, &p, HM(11, 0), HM(12, 0)), 0);
}

static void travel_between_bookings(void **state)
{
	(void)state;
	/* a booking 15 km away ending at 10:00: a visit here at 10:00 leaves no time to get back */
	dsp_booking bk[] = {
	    {.start = HM(9, 0), .end = HM(10, 0), .order_id = 8, .lat = 23.13, .lon = 113.47, .region = "440100"}};
	dsp_tech t = tech(1, aircon);
	t.booked = bk;
	t.n_booked = 1;
	dsp_order o = order("空调");
	o.lat = 23.13;
	o.lon = 113.32;
	dsp_params p;
	dsp_params_default(&p);
	slot_count s[2] = {{.start = HM(10, 0)}, {.start = HM(11, 0)}};
	slots_techs(&o, &t, 1, no_area, &p, NULL, 0, H1, s, 2);
	assert_int_equal(s[0].free, 0);
	assert_int_equal(s[0].capacity, 1);
	assert_int_equal(s[1].free, 1);
	/* an order with no position: travel cannot be measured, so it is not claimed */
	o.lat = o.lon = NAN;
	slots_techs(&o, &t, 1, no_area, &p, NULL, 0, H1, s, 2);
	assert_int_equal(s[0].free, 1);
}

static void bays(void **state)
{
	(void)state;
	dsp_span open[] = {{HM(8, 0), HM(18, 0)}};
	dsp_span booked1[] = {{HM(9, 0), HM(10, 0)}};
	slot_bay b[2] = {
	    {.capacity = 2, .used = 1, .open = open, .n_open = 1, .booked = booked1, .n_booked = 1},
	    {.capacity = 1, .used = 0, .open = open, .n_open = 1},
	};
	assert_int_equal(slots_bay_check(&b[0], HM(9, 30), HM(10, 30)), SLOT_BAY_TAKEN);
	assert_int_equal(slots_bay_check(&b[0], HM(10, 0), HM(11, 0)), SLOT_BAY_FREE);
	assert_int_equal(slots_bay_check(&b[0], HM(7, 30), HM(8, 30)), SLOT_BAY_CLOSED);
	assert_int_equal(slots_bay_check(&b[0], HM(17, 30), HM(18, 30)), SLOT_BAY_CLOSED);
	slot_count s[48];
	size_t n = slots_grid(DS, 0, H1, s, 48);
	slots_bays(b, 2, H1, s, n);
	assert_true(find(s, n, HM(9, 0))->capacity == 2 && find(s, n, HM(9, 0))->free == 1);
	assert_true(find(s, n, HM(12, 0))->free == 2);
	assert_int_equal(find(s, n, HM(7, 0))->capacity, 0);
	/* the day's capacity reached: full however free the hour is */
	b[0].used = 2;
	assert_int_equal(slots_bay_check(&b[0], HM(12, 0), HM(13, 0)), SLOT_BAY_FULL);
	slots_bays(b, 2, H1, s, n);
	assert_true(find(s, n, HM(12, 0))->capacity == 2 && find(s, n, HM(12, 0))->free == 1);
	/* a closed bay (no hours that day) */
	b[1].n_open = 0;
	slots_bays(b, 2, H1, s, n);
	assert_true(find(s, n, HM(12, 0))->capacity == 1 && find(s, n, HM(12, 0))->free == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(grid),
	    cmocka_unit_test(techs_shifts_leave_bookings),
	    cmocka_unit_test(travel_between_bookings),
	    cmocka_unit_test(bays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
