/* test_csv.c — the CSV reader and the upload decoder (UTF-8, GBK, binary refused). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

static const char *cell(json_t *rows, size_t r, size_t c)
{
	return json_string_value(json_array_get(json_array_get(rows, r), c));
}

static void parse_quotes_crlf_bom(void **state)
{
	(void)state;
	const char *s = "\xEF\xBB\xBF" "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\r\n2,\"multi\nline\",\n";
	char err[100];
	json_t *rows = csv_parse(s, strlen(s), 100, err, sizeof err);
	assert_non_null(rows);
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(cell(rows, 0, 0), "a");
	assert_string_equal(cell(rows, 1, 1), "x,y");
	assert_string_equal(cell(rows, 1, 2), "he said \"hi\"");
	assert_string_equal(cell(rows, 2, 1), "multi\nline");
	assert_string_equal(cell(rows, 2, 2), "");
	json_decref(rows);
	/* no final newline */
	rows = csv_parse("x,y", 3, 100, err, sizeof err);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(cell(rows, 0, 1), "y");
	json_decref(rows);
}

static void parse_refusals(void **state)
{
	(void)state;
	char err[100];
	assert_null(csv_parse("a,\"b\n", 5, 100, err, sizeof err));
	assert_non_null(strstr(err, "unterminated"));
	assert_null(csv_parse("1\n2\n3\n", 6, 2, err, sizeof err));
	assert_non_null(strstr(err, "rows"));
	/* every prefix of a tricky input parses or fails cleanly */
	const char *t = "\"a\"\"b\",\"\",x\r\n\"";
	for (size_t n = 0; n <= strlen(t); n++) {
		json_t *r = csv_parse(t, n, 100, err, sizeof err);
		json_decref(r);
	}
}

static void decode(void **state)
{
	(void)state;
	char err[200];
	int conv;
	char *s = csv_text_from_bytes((const unsigned char *)"\xe5\xa7\x93\xe5\x90\x8d", 6, &conv, err, sizeof err);
	assert_string_equal(s, "姓名");
	assert_int_equal(conv, 0);
	free(s);
	s = csv_text_from_bytes((const unsigned char *)"\xd0\xd5\xc3\xfb", 4, &conv, err, sizeof err); /* GBK 姓名 */
	assert_non_null(s);
	assert_string_equal(s, "姓名");
	assert_int_equal(conv, 1);
	free(s);
	assert_null(csv_text_from_bytes((const unsigned char *)"PK\x03\x04zz", 6, &conv, err, sizeof err));
	assert_non_null(strstr(err, "xlsx"));
	assert_null(csv_text_from_bytes((const unsigned char *)"a\0b", 3, &conv, err, sizeof err));
	assert_null(csv_text_from_bytes((const unsigned char *)"\xff\xfe\xff", 3, &conv, err, sizeof err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_quotes_crlf_bom),
		cmocka_unit_test(parse_refusals),
		cmocka_unit_test(decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
