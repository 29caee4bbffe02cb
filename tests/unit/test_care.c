/* test_care.c — churn by the 3-6-9 rule and the ABC contact plan (DOMAIN §6). */
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

static void churn_boundaries(void **state)
{
	(void)state;
	care_policy p = care_policy_default();
	int32_t today = D("2026-11-23");
	assert_int_equal(care_churn(&p, D("2026-11-23"), today), CHURN_ACTIVE);
	assert_int_equal(care_churn(&p, D("2026-08-24"), today), CHURN_ACTIVE);   /* 3 months less a day */
	assert_int_equal(care_churn(&p, D("2026-08-23"), today), CHURN_AT_RISK);  /* exactly 3 months */
	assert_int_equal(care_churn(&p, D("2026-05-24"), today), CHURN_AT_RISK);
	assert_int_equal(care_churn(&p, D("2026-05-23"), today), CHURN_NEARLY_LOST);
	assert_int_equal(care_churn(&p, D("2026-02-24"), today), CHURN_NEARLY_LOST);
	assert_int_equal(care_churn(&p, D("2026-02-23"), today), CHURN_LOST);
	assert_int_equal(care_churn(&p, D("2020-01-01"), today), CHURN_LOST);
	/* month ends: 3 months before 2026-05-31 is 2026-02-28 */
	assert_int_equal(care_churn(&p, D("2026-02-28"), D("2026-05-31")), CHURN_AT_RISK);
	assert_int_equal(care_churn(&p, D("2026-03-01"), D("2026-05-31")), CHURN_ACTIVE);
}

static void names(void **state)
{
	(void)state;
	for (int c = 0; c < CHURN_COUNT; c++)
		assert_int_equal(care_churn_parse(care_churn_name(c)), c);
	assert_int_equal(care_churn_parse("gone"), -1);
	assert_int_equal(care_churn_parse(NULL), -1);
}

static void abc_plan(void **state)
{
	(void)state;
	care_policy p = care_policy_default();
	char s[11];
	wty_day_format(care_next_contact(&p, 'A', D("2026-11-23")), s);
	assert_string_equal(s, "2026-11-30");
	wty_day_format(care_next_contact(&p, 'B', D("2026-01-31")), s);
	assert_string_equal(s, "2026-02-28");
	wty_day_format(care_next_contact(&p, 'C', D("2026-11-23")), s);
	assert_string_equal(s, "2027-05-23");
	p.contact_days[2] = 30; /* policy data: C every 30 days */
	wty_day_format(care_next_contact(&p, 'C', D("2026-11-23")), s);
	assert_string_equal(s, "2026-12-23");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(churn_boundaries),
		cmocka_unit_test(names),
		cmocka_unit_test(abc_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
