/* test_care_plan.c — ABC contact plans as data and the day a contact task falls due
 * (domain/care.c, DOMAIN §6: A weekly, B monthly, C at least every six months). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/care.h"
#include "domain/warranty.h"

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (!wty_day_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

static void plan_validity(void **state)
{
	(void)state;
	assert_true(care_plan_valid(7, 0));
	assert_true(care_plan_valid(0, 1));
	assert_true(care_plan_valid(366, 0));
	assert_true(care_plan_valid(0, 24));
	assert_false(care_plan_valid(0, 0));
	assert_false(care_plan_valid(7, 1));
	assert_false(care_plan_valid(367, 0));
	assert_false(care_plan_valid(0, 25));
	assert_false(care_plan_valid(-1, 0));
}

static void due_by_class(void **state)
{
	(void)state;
	care_policy p = care_policy_default();
	int32_t made = D("2026-01-31");
	/* nothing but the day the customer was recorded */
	assert_int_equal(care_task_due(&p, 'A', made, -1, -1, -1), D("2026-02-07"));
	assert_int_equal(care_task_due(&p, 'B', made, -1, -1, -1), D("2026-02-28")); /* end of a shorter month */
	assert_int_equal(care_task_due(&p, 'C', made, -1, -1, -1), D("2026-07-31"));
	/* the latest of visit and contact counts */
	assert_int_equal(care_task_due(&p, 'A', made, D("2026-03-01"), D("2026-02-10"), OUT_REACHED), D("2026-03-08"));
	assert_int_equal(care_task_due(&p, 'A', made, D("2026-02-01"), D("2026-02-10"), OUT_REACHED), D("2026-02-17"));
	/* nobody answered: again in CARE_RETRY_DAYS, not a whole interval */
	assert_int_equal(care_task_due(&p, 'C', made, -1, D("2026-02-10"), OUT_NO_ANSWER), D("2026-02-12"));
	/* …unless a visit came after */
	assert_int_equal(care_task_due(&p, 'C', made, D("2026-02-11"), D("2026-02-10"), OUT_NO_ANSWER), D("2026-08-11"));
	/* a tenant's own plan: B every 14 days */
	care_policy_set(&p, 'B', 14, 0);
	assert_int_equal(care_task_due(&p, 'B', made, -1, -1, -1), D("2026-02-14"));
	care_policy_set(&p, 'A', 0, 2);
	assert_int_equal(care_task_due(&p, 'A', made, -1, -1, -1), D("2026-03-31"));
}

static void outcomes(void **state)
{
	(void)state;
	for (int i = 0; i < OUT_COUNT; i++)
		assert_int_equal(care_outcome_parse(care_outcome_name(i)), i);
	assert_int_equal(care_outcome_parse("happy"), -1);
	assert_int_equal(care_outcome_parse(NULL), -1);
	assert_string_equal(care_outcome_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_validity),
		cmocka_unit_test(due_by_class),
		cmocka_unit_test(outcomes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
