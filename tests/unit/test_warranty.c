/* test_warranty.c — the 三包 decision (issue 3 item 4): every rule and every boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "domain/warranty.h"

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (!wty_day_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

/* Bought 2026-11-01, 12 months, performance failure on `fail`. */
static wty_decision decide(const char *fail, int fault, int prior)
{
	wty_policy p = wty_policy_default(12);
	wty_input in = {.purchase_day = D("2026-11-01"), .failure_day = D(fail), .fault = fault, .mileage = -1,
			.prior_repairs_same_fault = prior, .exchange_possible = true};
	wty_decision d;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_non_null(d.rule);
	assert_true(strlen(d.explanation_zh) > 0);
	assert_true(strlen(d.explanation_en) > 0);
	return d;
}

static void dates(void **state)
{
	(void)state;
	int32_t d;
	char s[11];
	assert_true(wty_day_parse("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(wty_day_parse("2024-02-29", &d));
	wty_day_format(d, s);
	assert_string_equal(s, "2024-02-29");
	assert_false(wty_day_parse("2026-02-29", &d));
	assert_false(wty_day_parse("2026-13-01", &d));
	assert_false(wty_day_parse("2026-11-1", &d));
	assert_false(wty_day_parse("2026/11/01", &d));
	assert_false(wty_day_parse("2026-11-01T00:00", &d));
	assert_false(wty_day_parse("", &d));
	assert_false(wty_day_parse(NULL, &d));
	wty_day_format(wty_add_months(D("2026-01-31"), 1), s);
	assert_string_equal(s, "2026-02-28");
	wty_day_format(wty_add_months(D("2027-11-30"), 3), s);
	assert_string_equal(s, "2028-02-29");
	wty_day_format(wty_add_months(D("2026-11-01"), 12), s);
	assert_string_equal(s, "2027-11-01");
	wty_day_format(wty_add_months(D("2026-11-01"), 0), s);
	assert_string_equal(s, "2026-11-01");
}

static void refund_window_day7_vs_day8(void **state)
{
	(void)state;
	wty_decision d = decide("2026-11-01", WF_PERFORMANCE, 0); /* the purchase day itself */
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.refund");
	assert_int_equal(d.entitlements, WE_REFUND | WE_EXCHANGE | WE_REPAIR);
	assert_non_null(strstr(d.explanation_zh, "购买当天"));
	d = decide("2026-11-08", WF_PERFORMANCE, 0); /* day 7 */
	assert_int_equal(d.day, 7);
	assert_string_equal(d.rule, "sanbao.refund");
	assert_int_equal(d.entitlements, WE_REFUND | WE_EXCHANGE | WE_REPAIR);
	assert_non_null(strstr(d.explanation_zh, "退货"));
	assert_non_null(strstr(d.explanation_en, "refund"));
	assert_non_null(strstr(d.explanation_zh, "第7天"));
	d = decide("2026-11-09", WF_PERFORMANCE, 0); /* day 8 */
	assert_int_equal(d.day, 8);
	assert_string_equal(d.rule, "sanbao.exchange");
	assert_int_equal(d.entitlements, WE_EXCHANGE | WE_REPAIR);
}

static void exchange_window_day15_vs_day16(void **state)
{
	(void)state;
	wty_decision d = decide("2026-11-16", WF_PERFORMANCE, 0); /* day 15 */
	assert_int_equal(d.day, 15);
	assert_string_equal(d.rule, "sanbao.exchange");
	assert_int_equal(d.entitlements, WE_EXCHANGE | WE_REPAIR);
	assert_non_null(strstr(d.explanation_zh, "换货"));
	d = decide("2026-11-17", WF_PERFORMANCE, 0); /* day 16 */
	assert_int_equal(d.day, 16);
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.repair");
	assert_int_equal(d.entitlements, WE_REPAIR);
}

static void last_day_of_period(void **state)
{
	(void)state;
	wty_decision d = decide("2027-11-01", WF_PERFORMANCE, 0);
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.repair");
	char s[11];
	wty_day_format(d.last_day, s);
	assert_string_equal(s, "2027-11-01");
	assert_non_null(strstr(d.explanation_zh, "2027-11-01"));
	d = decide("2027-11-02", WF_PERFORMANCE, 0);
	assert_false(d.in_warranty);
	assert_int_equal(d.entitlements, 0);
	assert_string_equal(d.rule, "period.expired");
	assert_non_null(strstr(d.explanation_en, "2027-11-01"));
}

static void override_end_and_zero_months(void **state)
{
	(void)state;
	wty_policy p = wty_policy_default(12);
	wty_input in = {.purchase_day = D("2026-11-01"), .end_override = D("2029-10-31"),
			.failure_day = D("2029-10-31"), .fault = WF_OTHER, .mileage = -1, .exchange_possible = true};
	wty_decision d;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.repair");
	in.failure_day = D("2029-11-01");
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_false(d.in_warranty);
	/* A policy with other numbers: 3-day refund, 10-day exchange, 6 months. */
	wty_policy q = {.refund_days = 3, .exchange_days = 10, .warranty_months = 6, .repairs_before_exchange = 1};
	wty_input j = {.purchase_day = D("2026-11-01"), .failure_day = D("2026-11-05"), .fault = WF_PERFORMANCE,
		       .mileage = -1, .exchange_possible = true};
	assert_int_equal(wty_decide(&q, &j, &d), WTY_OK);
	assert_string_equal(d.rule, "sanbao.exchange");
	j.failure_day = D("2026-11-20");
	j.prior_repairs_same_fault = 1;
	assert_int_equal(wty_decide(&q, &j, &d), WTY_OK);
	assert_string_equal(d.rule, "sanbao.repeated_failure");
	j.failure_day = D("2027-05-02");
	assert_int_equal(wty_decide(&q, &j, &d), WTY_OK);
	assert_string_equal(d.rule, "period.expired");
}

static void second_vs_third_repair(void **state)
{
	(void)state;
	/* One repair done: this is the second repair of the same fault → still a repair. */
	wty_decision d = decide("2027-03-01", WF_PERFORMANCE, 1);
	assert_string_equal(d.rule, "sanbao.repair");
	assert_int_equal(d.entitlements, WE_REPAIR);
	/* Two repairs done and it fails again: exchange. */
	d = decide("2027-03-01", WF_PERFORMANCE, 2);
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.repeated_failure");
	assert_int_equal(d.entitlements, WE_EXCHANGE);
	assert_non_null(strstr(d.explanation_zh, "2次"));
	/* … or a refund when no exchange is possible. */
	wty_policy p = wty_policy_default(12);
	wty_input in = {.purchase_day = D("2026-11-01"), .failure_day = D("2027-03-01"), .fault = WF_PERFORMANCE,
			.mileage = -1, .prior_repairs_same_fault = 3, .exchange_possible = false};
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_string_equal(d.rule, "sanbao.repeated_failure_refund");
	assert_int_equal(d.entitlements, WE_REFUND);
	/* Within 15 days the wider window still wins. */
	d = decide("2026-11-10", WF_PERFORMANCE, 2);
	assert_string_equal(d.rule, "sanbao.exchange");
	/* After the period, repeated repairs give nothing. */
	d = decide("2027-11-02", WF_PERFORMANCE, 2);
	assert_false(d.in_warranty);
}

static void other_failure_no_refund_window(void **state)
{
	(void)state;
	wty_decision d = decide("2026-11-02", WF_OTHER, 0);
	assert_true(d.in_warranty);
	assert_string_equal(d.rule, "sanbao.repair");
	assert_int_equal(d.entitlements, WE_REPAIR);
}

static void exclusions(void **state)
{
	(void)state;
	static const struct { int fault; const char *rule; const char *zh; } x[] = {
		{WF_MISUSE, "exclusion.misuse", "使用不当"},
		{WF_STORAGE, "exclusion.storage", "受潮"},
		{WF_UNAUTHORISED, "exclusion.unauthorised_repair", "改装"},
		{WF_LIQUID, "exclusion.liquid", "进液"},
		{WF_WEAR, "exclusion.wear", "磨损"},
	};
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
		/* Even on day 1, an exclusion is out of warranty with its reason. */
		wty_decision d = decide("2026-11-02", x[i].fault, 0);
		assert_false(d.in_warranty);
		assert_int_equal(d.entitlements, 0);
		assert_string_equal(d.rule, x[i].rule);
		assert_non_null(strstr(d.explanation_zh, x[i].zh));
	}
	assert_int_equal(wty_fault_parse("liquid"), WF_LIQUID);
	assert_int_equal(wty_fault_parse("modification"), WF_UNAUTHORISED);
	assert_int_equal(wty_fault_parse("moisture"), WF_STORAGE);
	assert_int_equal(wty_fault_parse("Liquid"), -1);
	assert_int_equal(wty_fault_parse(NULL), -1);
	for (int f = 0; f < WF_COUNT; f++)
		assert_int_equal(wty_fault_parse(wty_fault_name(f)), f);
}

static void mileage_limit(void **state)
{
	(void)state;
	wty_policy p = wty_policy_default(36);
	p.warranty_km = 100000;
	wty_input in = {.purchase_day = D("2026-01-01"), .failure_day = D("2027-06-01"), .fault = WF_OTHER,
			.mileage = 100000, .exchange_possible = true};
	wty_decision d;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_true(d.in_warranty);
	in.mileage = 100001;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_false(d.in_warranty);
	assert_string_equal(d.rule, "period.mileage");
	in.mileage = -1; /* unknown mileage: decided by date */
	assert_int_equal(wty_decide(&p, &in, &d), WTY_OK);
	assert_true(d.in_warranty);
}

static void invalid_input(void **state)
{
	(void)state;
	wty_policy p = wty_policy_default(12);
	wty_input in = {.purchase_day = D("2026-11-01"), .failure_day = D("2026-10-31"), .fault = WF_PERFORMANCE,
			.mileage = -1, .exchange_possible = true};
	wty_decision d;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_INVALID);
	assert_string_equal(d.rule, "invalid.failure_before_purchase");
	assert_false(d.in_warranty);
	assert_non_null(strstr(d.explanation_zh, "早于"));
	in.failure_day = D("2026-11-05");
	in.fault = WF_COUNT;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_INVALID);
	assert_string_equal(d.rule, "invalid.fault");
	in.fault = WF_PERFORMANCE;
	in.prior_repairs_same_fault = -1;
	assert_int_equal(wty_decide(&p, &in, &d), WTY_INVALID);
	in.prior_repairs_same_fault = 0;
	p.exchange_days = 3; /* shorter than the refund window: nonsense */
	assert_int_equal(wty_decide(&p, &in, &d), WTY_INVALID);
	assert_string_equal(d.rule, "invalid.policy");
}

static void entitlement_names(void **state)
{
	(void)state;
	const char *n[3];
	assert_int_equal(wty_entitlement_names(WE_REFUND | WE_EXCHANGE | WE_REPAIR, n), 3);
	assert_string_equal(n[0], "refund");
	assert_string_equal(n[1], "exchange");
	assert_string_equal(n[2], "repair");
	assert_int_equal(wty_entitlement_names(WE_REPAIR, n), 1);
	assert_string_equal(n[0], "repair");
	assert_int_equal(wty_entitlement_names(0, n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates),
		cmocka_unit_test(refund_window_day7_vs_day8),
		cmocka_unit_test(exchange_window_day15_vs_day16),
		cmocka_unit_test(last_day_of_period),
		cmocka_unit_test(override_end_and_zero_months),
		cmocka_unit_test(second_vs_third_repair),
		cmocka_unit_test(other_failure_no_refund_window),
		cmocka_unit_test(exclusions),
		cmocka_unit_test(mileage_limit),
		cmocka_unit_test(invalid_input),
		cmocka_unit_test(entitlement_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
