/* test_sla.c — the working calendar and SLA deadlines (DOMAIN §5) at their boundaries:
 * weekends, holidays with a 调休 working Saturday, requests outside working hours, the exact
 * end of a working day, and fixed (DST-free) offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "domain/sla.h"

/* Local time of a calendar → UTC ms. */
static int64_t at(const sla_calendar *cal, int y, int mo, int d, int h, int mi)
{
	return ((int64_t)sla_civil(y, mo, d) * 1440 + h * 60 + mi - cal->tz_offset_min) * 60000LL;
}

static int64_t add(const sla_calendar *cal, int64_t start, int64_t minutes)
{
	int64_t out = -1;
	assert_true(sla_add_working(cal, start, minutes, &out));
	return out;
}

#define ASSERT_TIME(cal, got, y, mo, d, h, mi) assert_int_equal((got), at((cal), y, mo, d, h, mi))

static void civil_days(void **state)
{
	(void)state;
	assert_int_equal(sla_civil(1970, 1, 1), 0);
	assert_int_equal(sla_weekday(0), 3); /* Thursday */
	assert_int_equal(sla_weekday(sla_civil(2026, 11, 20)), 4); /* Friday */
	assert_int_equal(sla_weekday(sla_civil(2026, 10, 10)), 5); /* Saturday */
	assert_int_equal(sla_weekday(sla_civil(2026, 9, 20)), 6);  /* Sunday */
	assert_int_equal(sla_weekday(sla_civil(1969, 12, 31)), 2); /* Wednesday, before the epoch */
	int32_t d;
	assert_true(sla_day_parse("2026-10-01", &d));
	assert_int_equal(d, sla_civil(2026, 10, 1));
	char s[11];
	sla_day_format(d, s);
	assert_string_equal(s, "2026-10-01");
	assert_true(sla_day_parse("2028-02-29", &d));
	assert_false(sla_day_parse("2026-02-29", &d)); /* not a leap year */
	assert_false(sla_day_parse("2026-13-01", &d));
	assert_false(sla_day_parse("2026-1-01", &d));
	assert_false(sla_day_parse("2026-01-01T00", &d));
	assert_false(sla_day_parse("20x6-01-01", &d));
	assert_false(sla_day_parse("", &d));
	assert_false(sla_day_parse(NULL, &d));
	int y, m, dd;
	sla_civil_ymd(sla_civil(2000, 2, 29), &y, &m, &dd);
	assert_int_equal(y * 10000 + m * 100 + dd, 20000229);
}

static void friday_evening_to_monday(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	assert_true(sla_calendar_valid(&cal));
	/* Friday 17:30 + 60 working minutes → Monday 09:30 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 17, 30), 60), 2026, 11, 23, 9, 30);
	/* Friday 17:30 + 30 uses the day up exactly: Friday 18:00, not Monday 09:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 17, 30), 30), 2026, 11, 20, 18, 0);
	/* 31 minutes: one minute into Monday */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 17, 30), 31), 2026, 11, 23, 9, 1);
	/* seconds are kept: 17:30:25 + 60 → Monday 09:30:25 */
	assert_int_equal(add(&cal, at(&cal, 2026, 11, 20, 17, 30) + 25000, 60), at(&cal, 2026, 11, 23, 9, 30) + 25000);
}

static void created_on_a_weekend(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	/* Saturday 10:00 + 60 → Monday 10:00; Sunday 23:59 + 540 → Monday 18:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 21, 10, 0), 60), 2026, 11, 23, 10, 0);
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 22, 23, 59), 540), 2026, 11, 23, 18, 0);
	/* a full working week of minutes from Saturday: the next Friday 18:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 21, 12, 0), 5 * 540), 2026, 11, 27, 18, 0);
}

static void created_outside_hours(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	/* Tuesday 07:00 → counting starts at 09:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 24, 7, 0), 30), 2026, 11, 24, 9, 30);
	/* Tuesday 20:00 → Wednesday 09:30 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 24, 20, 0), 30), 2026, 11, 25, 9, 30);
	/* just after midnight local (still the previous day in UTC) */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 25, 0, 10), 60), 2026, 11, 25, 10, 0);
	/* 0 minutes: the start itself */
	assert_int_equal(add(&cal, at(&cal, 2026, 11, 24, 20, 0), 0), at(&cal, 2026, 11, 24, 20, 0));
}

static void exactly_at_the_end_of_the_day(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	/* created at 18:00 sharp: the day is over, Tuesday 09:01 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 23, 18, 0), 1), 2026, 11, 24, 9, 1);
	/* created at 17:59:59.999 with 1 minute: Tuesday 09:00:59.999 */
	assert_int_equal(add(&cal, at(&cal, 2026, 11, 23, 18, 0) - 1, 1), at(&cal, 2026, 11, 24, 9, 0) + 59999);
	/* 09:00 + one working day of 540 minutes → 18:00 the same day */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 23, 9, 0), 540), 2026, 11, 23, 18, 0);
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 23, 9, 0), 541), 2026, 11, 24, 9, 1);
	/* working time between Friday 17:00 and Monday 10:00 is two hours */
	assert_int_equal(sla_working_ms_between(&cal, at(&cal, 2026, 11, 20, 17, 0), at(&cal, 2026, 11, 23, 10, 0)),
			 120 * 60000LL);
	assert_int_equal(sla_working_ms_between(&cal, at(&cal, 2026, 11, 23, 10, 0), at(&cal, 2026, 11, 20, 17, 0)),
			 -120 * 60000LL);
	assert_int_equal(sla_working_ms_between(&cal, at(&cal, 2026, 11, 21, 9, 0), at(&cal, 2026, 11, 22, 18, 0)), 0);
}

/* 国庆 2026: 10-01..10-07 closed; Sunday 09-20 and Saturday 10-10 are working days (调休). */
static const int32_t *golden_week(sla_calendar *cal, int32_t hol[7], int32_t work[2])
{
	sla_calendar_default(cal);
	for (int i = 0; i < 7; i++)
		hol[i] = sla_civil(2026, 10, 1 + i);
	work[0] = sla_civil(2026, 9, 20);
	work[1] = sla_civil(2026, 10, 10);
	cal->holidays = hol;
	cal->n_holidays = 7;
	cal->workdays = work;
	cal->n_workdays = 2;
	return hol;
}

static void national_day_holiday(void **state)
{
	(void)state;
	sla_calendar cal;
	int32_t hol[7], work[2];
	golden_week(&cal, hol, work);
	assert_false(sla_is_working_day(&cal, sla_civil(2026, 10, 1))); /* a Thursday, closed */
	assert_false(sla_is_working_day(&cal, sla_civil(2026, 10, 5))); /* a Monday, closed */
	assert_true(sla_is_working_day(&cal, sla_civil(2026, 10, 10)));  /* a Saturday, open */
	assert_true(sla_is_working_day(&cal, sla_civil(2026, 9, 20)));   /* a Sunday, open */
	assert_false(sla_is_working_day(&cal, sla_civil(2026, 10, 11))); /* the Sunday after, closed */
	/* Wednesday 09-30 17:00 + 120: one hour that evening, then Thursday 10-08 10:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 9, 30, 17, 0), 120), 2026, 10, 8, 10, 0);
	/* created on a holiday: 10-03 + one working day → 10-08 18:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 10, 3, 11, 0), 540), 2026, 10, 8, 18, 0);
	/* Friday 10-09 17:00 + 120: the 调休 Saturday 10-10 counts → 10:00 that Saturday */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 10, 9, 17, 0), 120), 2026, 10, 10, 10, 0);
	/* Saturday 09-19 15:00 + 60: the working Sunday 09-20 → 10:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 9, 19, 15, 0), 60), 2026, 9, 20, 10, 0);
	/* the whole holiday week holds no working time */
	assert_int_equal(sla_working_ms_between(&cal, at(&cal, 2026, 10, 1, 0, 0), at(&cal, 2026, 10, 8, 0, 0)), 0);
	/* two working days' worth from the eve: 09-30 18:00 → 10-08 + 10-09 → 10-09 18:00 */
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 9, 30, 18, 0), 1080), 2026, 10, 9, 18, 0);
}

static void fixed_offsets_without_dst(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	/* UTC+8: 09:00 local is 01:00 UTC every day of the year, across the dates other zones
	 * change their clocks (2026-03-08, 2026-03-29, 2026-10-25, 2026-11-01). */
	static const int dates[][3] = {{2026, 3, 9}, {2026, 3, 30}, {2026, 10, 26}, {2026, 11, 2}, {2026, 7, 1}};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		int64_t start = at(&cal, dates[i][0], dates[i][1], dates[i][2], 8, 0);
		int64_t due = add(&cal, start, 60);
		int64_t utc_day = due / 86400000LL * 86400000LL;
		assert_int_equal(due - utc_day, 2 * 3600000LL); /* 10:00 local = 02:00 UTC */
	}
	/* A fixed UTC−5 tenant: Friday 17:30 local (22:30 UTC) + 60 → Monday 09:30 local (14:30 UTC) */
	cal.tz_offset_min = -300;
	assert_true(sla_calendar_valid(&cal));
	int64_t fri = ((int64_t)sla_civil(2026, 11, 20) * 1440 + 22 * 60 + 30) * 60000LL;
	int64_t mon = ((int64_t)sla_civil(2026, 11, 23) * 1440 + 14 * 60 + 30) * 60000LL;
	assert_int_equal(add(&cal, fri, 60), mon);
	assert_int_equal(sla_local_day(&cal, fri), sla_civil(2026, 11, 20));
	/* 23:30 UTC on Friday is still Friday in UTC−5 but already Saturday in UTC+8 */
	int64_t late = ((int64_t)sla_civil(2026, 11, 20) * 1440 + 23 * 60 + 30) * 60000LL;
	assert_int_equal(sla_local_day(&cal, late), sla_civil(2026, 11, 20));
	cal.tz_offset_min = 480;
	assert_int_equal(sla_local_day(&cal, late), sla_civil(2026, 11, 21));
}

static void other_calendars(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	/* a six-day workshop, 08:30–17:30 */
	cal.weekdays = 0x3f;
	cal.start_min = 8 * 60 + 30;
	cal.end_min = 17 * 60 + 30;
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 17, 0), 60), 2026, 11, 21, 9, 0);
	/* round the clock on weekdays: 00:00–24:00 */
	cal.weekdays = 0x1f;
	cal.start_min = 0;
	cal.end_min = 1440;
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 23, 30), 60), 2026, 11, 23, 0, 30);
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 23, 23, 30), 60), 2026, 11, 24, 0, 30);
	/* no working weekday, but one extra working day */
	int32_t extra[] = {sla_civil(2026, 12, 5)};
	sla_calendar_default(&cal);
	cal.weekdays = 0;
	assert_false(sla_calendar_valid(&cal));
	int64_t out = 42;
	assert_false(sla_add_working(&cal, at(&cal, 2026, 11, 20, 9, 0), 60, &out));
	assert_int_equal(out, 42);
	cal.workdays = extra;
	cal.n_workdays = 1;
	ASSERT_TIME(&cal, add(&cal, at(&cal, 2026, 11, 20, 9, 0), 60), 2026, 12, 5, 10, 0);
	/* bad hours */
	sla_calendar_default(&cal);
	cal.start_min = 600;
	cal.end_min = 600;
	assert_false(sla_calendar_valid(&cal));
	cal.end_min = 1441;
	assert_false(sla_calendar_valid(&cal));
	sla_calendar_default(&cal);
	cal.tz_offset_min = 15 * 60;
	assert_false(sla_calendar_valid(&cal));
}

static void policy_deadlines(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	sla_policy p;
	assert_false(sla_default_policy("P5", &p));
	assert_false(sla_default_policy(NULL, &p));
	/* P1 urgent on the 24x7 clock: 2 h, 24 h, 24 h, 48 h — a Friday evening is no excuse */
	assert_true(sla_default_policy("P1", &p));
	assert_false(p.working);
	int64_t created = at(&cal, 2026, 11, 20, 17, 30), due[SLA_KINDS];
	assert_true(sla_deadlines(&cal, &p, created, due));
	ASSERT_TIME(&cal, due[SLA_RESPONSE], 2026, 11, 20, 19, 30);
	ASSERT_TIME(&cal, due[SLA_ANSWER], 2026, 11, 21, 17, 30);
	ASSERT_TIME(&cal, due[SLA_ONSITE], 2026, 11, 21, 17, 30);
	ASSERT_TIME(&cal, due[SLA_RESOLVE], 2026, 11, 22, 17, 30);
	/* P2 on the working calendar from the same instant */
	assert_true(sla_default_policy("P2", &p));
	assert_true(p.working);
	assert_true(sla_deadlines(&cal, &p, created, due));
	ASSERT_TIME(&cal, due[SLA_RESPONSE], 2026, 11, 23, 12, 30); /* 30 min Friday + 3.5 h Monday */
	ASSERT_TIME(&cal, due[SLA_ANSWER], 2026, 11, 23, 17, 30);   /* one working day: 30 min + 8.5 h */
	ASSERT_TIME(&cal, due[SLA_ONSITE], 2026, 11, 24, 17, 30);
	ASSERT_TIME(&cal, due[SLA_RESOLVE], 2026, 11, 25, 17, 30);
	/* P3 and P4 exist and stay in order */
	const char *pr[] = {"P3", "P4"};
	for (int i = 0; i < 2; i++) {
		assert_true(sla_default_policy(pr[i], &p));
		assert_true(p.minutes[SLA_RESPONSE] <= p.minutes[SLA_RESOLVE]);
		assert_true(p.minutes[SLA_ONSITE] <= p.minutes[SLA_RESOLVE]);
	}
	/* a calendar with no working time cannot place working deadlines */
	cal.weekdays = 0;
	assert_false(sla_deadlines(&cal, &p, created, due));
	assert_int_equal(sla_kind_parse("onsite"), SLA_ONSITE);
	assert_int_equal(sla_kind_parse("late"), -1);
	assert_string_equal(sla_kind_name(SLA_RESOLVE), "resolve");
}

static void time_left(void **state)
{
	(void)state;
	sla_calendar cal;
	sla_calendar_default(&cal);
	int64_t due = at(&cal, 2026, 11, 23, 12, 30); /* Monday 12:30 */
	/* seen on Friday 17:00: 1 h Friday + 3.5 h Monday of working time left */
	assert_int_equal(sla_time_left_min(&cal, true, due, at(&cal, 2026, 11, 20, 17, 0)), 270);
	/* on the 24x7 clock the weekend counts */
	assert_int_equal(sla_time_left_min(&cal, false, due, at(&cal, 2026, 11, 20, 17, 0)), 67 * 60 + 30);
	/* overdue: negative, both ways */
	assert_int_equal(sla_time_left_min(&cal, true, due, at(&cal, 2026, 11, 23, 13, 30)), -60);
	assert_int_equal(sla_time_left_min(&cal, false, due, at(&cal, 2026, 11, 23, 13, 30)), -60);
	/* overdue since Friday 17:00, seen Monday 10:00: two working hours late */
	assert_int_equal(sla_time_left_min(&cal, true, at(&cal, 2026, 11, 20, 17, 0), at(&cal, 2026, 11, 23, 10, 0)), -120);
	/* 59.9 s left rounds to 0 minutes, not −1 */
	assert_int_equal(sla_time_left_min(&cal, false, due, due - 59999), 0);
	assert_int_equal(sla_time_left_min(&cal, false, due, due + 59999), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(civil_days),
		cmocka_unit_test(friday_evening_to_monday),
		cmocka_unit_test(created_on_a_weekend),
		cmocka_unit_test(created_outside_hours),
		cmocka_unit_test(exactly_at_the_end_of_the_day),
		cmocka_unit_test(national_day_holiday),
		cmocka_unit_test(fixed_offsets_without_dst),
		cmocka_unit_test(other_calendars),
		cmocka_unit_test(policy_deadlines),
		cmocka_unit_test(time_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
