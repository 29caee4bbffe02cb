/* test_pricing.c — the rounding rule of pricing.h, at its boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "domain/pricing.h"

static void labour_examples(void **state)
{
	(void)state;
	int64_t f;
	/* 1.5 h × ¥85.00 × 1.15 = ¥146.625 → ¥146.63 (half away from zero) */
	assert_true(price_labour(150, 8500, 1150, &f));
	assert_int_equal(f, 14663);
	/* 2 h × ¥120 × 1.000 = ¥240 exactly */
	assert_true(price_labour(200, 12000, 1000, &f));
	assert_int_equal(f, 24000);
	/* 0.3 h × ¥33.33 × 1.2 = ¥11.9988 → ¥12.00 */
	assert_true(price_labour(30, 3333, 1200, &f));
	assert_int_equal(f, 1200);
	/* 0.01 h × ¥1.00 × 1.0 = ¥0.01; 0.01 h × ¥0.49 = ¥0.0049 → ¥0.00 */
	assert_true(price_labour(1, 100, 1000, &f));
	assert_int_equal(f, 1);
	assert_true(price_labour(1, 49, 1000, &f));
	assert_int_equal(f, 0);
	assert_true(price_labour(1, 50, 1000, &f)); /* ¥0.005 → ¥0.01 */
	assert_int_equal(f, 1);
	/* refused: negatives and absurd sizes */
	assert_false(price_labour(-1, 100, 1000, &f));
	assert_false(price_labour(100, -1, 1000, &f));
	assert_false(price_labour(100, 100, -1, &f));
	assert_false(price_labour(100001, 100, 1000, &f));
	assert_false(price_labour(100000, PRICE_MAX_FEN, 100000, &f));
}

static void qty_and_percent(void **state)
{
	(void)state;
	int64_t f;
	assert_true(price_qty(4500, 6800, &f)); /* 4.5 L × ¥68.00 */
	assert_int_equal(f, 30600);
	assert_true(price_qty(4500, 6833, &f)); /* 4.5 × ¥68.33 = ¥307.485 → ¥307.49 (work-order lines test) */
	assert_int_equal(f, 30749);
	assert_true(price_labour(50, 8500, 1150, &f)); /* 0.5 h × ¥85 × 1.15 = ¥48.875 → ¥48.88 */
	assert_int_equal(f, 4888);
	assert_true(price_qty(333, 100, &f)); /* 0.333 × ¥1.00 = ¥0.333 → ¥0.33 */
	assert_int_equal(f, 33);
	assert_true(price_qty(-1000, 505, &f)); /* credit: −1 × ¥5.05 */
	assert_int_equal(f, -505);
	assert_true(price_qty(-5, 100, &f)); /* −¥0.005 → −¥0.01 */
	assert_int_equal(f, -1);
	assert_true(price_percent(12345, 1000, &f)); /* 10% of ¥123.45 = ¥12.345 → ¥12.35 */
	assert_int_equal(f, 1235);
	assert_false(price_percent(100, 10001, &f));
	assert_false(price_percent(100, -1, &f));
	assert_false(price_qty(PRICE_MAX_FEN, PRICE_MAX_FEN, &f));
	assert_false(price_muldiv(1, 1, 0, &f));
}

static void format_and_parse(void **state)
{
	(void)state;
	char s[24];
	price_format(14663, s);
	assert_string_equal(s, "146.63");
	price_format(-5, s);
	assert_string_equal(s, "-0.05");
	price_format(0, s);
	assert_string_equal(s, "0.00");
	int64_t v;
	assert_true(price_parse_scaled("1.5", 2, 100000, &v));
	assert_int_equal(v, 150);
	assert_true(price_parse_scaled("1.20", 3, 100000, &v));
	assert_int_equal(v, 1200);
	assert_true(price_parse_scaled("12", 2, 100000, &v));
	assert_int_equal(v, 1200);
	assert_false(price_parse_scaled("1.234", 2, 100000, &v));
	assert_false(price_parse_scaled("-1", 2, 100000, &v));
	assert_false(price_parse_scaled("1e3", 2, 100000, &v));
	assert_false(price_parse_scaled("", 2, 100000, &v));
	assert_false(price_parse_scaled(".5", 2, 100000, &v));
	assert_false(price_parse_scaled("5.", 2, 100000, &v));
	assert_false(price_parse_scaled("1001", 2, 100000, &v));
	assert_false(price_parse_scaled("99999999999999999999", 0, INT64_MAX, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(labour_examples),
		cmocka_unit_test(qty_and_percent),
		cmocka_unit_test(format_and_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
