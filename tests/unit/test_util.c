/* test_util.c — numbers, times, buffers, UTF-8 and phone normalisation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/phone.h"
#include "util/util.h"

static void numbers(void **state)
{
	(void)state;
	int64_t v;
	assert_true(parse_i64("42", 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(parse_i64("-7", -10, 10, &v));
	assert_int_equal(v, -7);
	assert_false(parse_i64("", 0, 100, &v));
	assert_false(parse_i64("12a", 0, 100, &v));
	assert_false(parse_i64("101", 0, 100, &v));
	assert_false(parse_i64("99999999999999999999", INT64_MIN, INT64_MAX, &v));
	assert_true(parse_i64("9223372036854775807", 0, INT64_MAX, &v));
	assert_false(parse_i64("-", -1, 1, &v));
	double d;
	assert_true(parse_double("23.13", &d));
	assert_false(parse_double("nan", &d));
	assert_false(parse_double("1e999", &d));
}

static void times(void **state)
{
	(void)state;
	int64_t ms;
	char iso[32];
	assert_true(ms_from_iso("2026-11-22T08:15:00.000Z", &ms));
	iso_from_ms(ms, iso);
	assert_string_equal(iso, "2026-11-22T08:15:00.000Z");
	assert_true(ms_from_iso("2026-11-22T16:15:00+08:00", &ms));
	iso_from_ms(ms, iso);
	assert_string_equal(iso, "2026-11-22T08:15:00.000Z");
	assert_true(ms_from_iso("2026-11-22", &ms));
	iso_from_ms(ms, iso);
	assert_string_equal(iso, "2026-11-22T00:00:00.000Z");
	assert_true(ms_from_iso("2024-02-29", &ms));
	assert_false(ms_from_iso("2026-02-29", &ms));
	assert_false(ms_from_iso("2026-13-01", &ms));
	assert_false(ms_from_iso("2026-11-22T25:00:00Z", &ms));
	assert_false(ms_from_iso("2026-11-22T08:15:00", &ms)); /* a time needs its zone */
	assert_false(ms_from_iso("yesterday", &ms));
	/* The tenant's day: 2026-11-22T17:00Z is already the 23rd in Shanghai (+08:00). */
	char day[9];
	assert_true(ms_from_iso("2026-11-22T17:00:00Z", &ms));
	ymd_compact(ms, 480, day);
	assert_string_equal(day, "20261123");
	ymd_compact(ms, 0, day);
	assert_string_equal(day, "20261122");
}

static void buffers(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 10);
	assert_true(buf_puts(&b, "hello"));
	assert_true(buf_printf(&b, "%d", 12345));
	assert_false(buf_puts(&b, "x")); /* would pass the maximum */
	assert_string_equal(b.data, "hello12345");
	char *s = buf_steal(&b);
	assert_string_equal(s, "hello12345");
	free(s);
	assert_null(b.data);
}

static void utf8(void **state)
{
	(void)state;
	const char *ok = "空调不制冷 abc";
	assert_true(utf8_valid(ok, strlen(ok)));
	assert_int_equal(utf8_chars(ok), 9);
	assert_false(utf8_valid("\xff\xfe", 2));
	assert_false(utf8_valid("\xe7\xa9", 2));         /* truncated */
	assert_false(utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
}

static void phones(void **state)
{
	(void)state;
	char out[20];
	assert_true(phone_normalize("13800138000", out));
	assert_string_equal(out, "+8613800138000");
	assert_true(phone_normalize("+86 138-0013-8000", out));
	assert_string_equal(out, "+8613800138000");
	assert_true(phone_normalize("008613800138000", out));
	assert_string_equal(out, "+8613800138000");
	assert_true(phone_normalize("020-87654321", out));
	assert_string_equal(out, "+862087654321");
	assert_true(phone_normalize("4008001234", out));
	assert_string_equal(out, "+864008001234");
	assert_false(phone_normalize("12345", out));
	assert_false(phone_normalize("12800138000", out)); /* 12x is not a mobile prefix */
	assert_false(phone_normalize("1380013800a", out));
	assert_false(phone_normalize("+1 415 555 0100", out));
	assert_false(phone_normalize("138001380001234567890", out));
	phone_mask("+8613800138000", out);
	assert_string_equal(out, "138****8000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers), cmocka_unit_test(times), cmocka_unit_test(buffers),
		cmocka_unit_test(utf8),    cmocka_unit_test(phones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
