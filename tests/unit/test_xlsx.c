/* test_xlsx.c — the .xlsx reader and writer (util/xlsx.c): a workbook written with
 * libxlsxwriter reads back the same; a hand-made workbook with shared strings (rich text,
 * phonetic runs), inline strings, numbers (a phone stored as 1.3800138E10), booleans,
 * formulas, gaps between cells and rows; and every refusal (not a zip, no worksheet,
 * broken XML, too many rows or columns, a missing shared string). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "util/util.h"
#include "util/xlsx.h"

static const char *cell(json_t *rows, size_t r, size_t c)
{
	return json_string_value(json_array_get(json_array_get(rows, r), c));
}

/* A zip with the given (name, content) pairs, read into memory. */
static unsigned char *make_zip(const char *const *parts, size_t *len)
{
	char path[] = "/tmp/fuwu-test-xlsx-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	assert_non_null(z);
	for (size_t i = 0; parts[i]; i += 2) {
		zip_fileinfo zi;
		memset(&zi, 0, sizeof zi);
		assert_int_equal(zipOpenNewFileInZip(z, parts[i], &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6), ZIP_OK);
		assert_int_equal(zipWriteInFileInZip(z, parts[i + 1], (unsigned)strlen(parts[i + 1])), ZIP_OK);
		zipCloseFileInZip(z);
	}
	zipClose(z, NULL);
	FILE *f = fopen(path, "rb");
	buf b;
	buf_init(&b, 0);
	char chunk[4096];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, k);
	fclose(f);
	unlink(path);
	*len = b.len;
	return (unsigned char *)buf_steal(&b);
}

static void roundtrip(void **state)
{
	(void)state;
	json_t *rows = json_pack("[[s, s, s], [s, s, i], [s, n, f]]", "姓名", "电话", "次数", "张伟", "13800138000", 3,
				 "李娜 \"引号\" <b>&amp;", 2.5);
	size_t n = 0;
	char err[200];
	unsigned char *x = xlsx_write("客户", rows, &n, err, sizeof err);
	assert_non_null(x);
	assert_true(xlsx_is_zip(x, n));
	json_t *back = xlsx_read(x, n, 100, err, sizeof err);
	assert_non_null(back);
	assert_int_equal(json_array_size(back), 3);
	assert_string_equal(cell(back, 0, 0), "姓名");
	assert_string_equal(cell(back, 1, 1), "13800138000");
	assert_string_equal(cell(back, 1, 2), "3");
	assert_string_equal(cell(back, 2, 0), "李娜 \"引号\" <b>&amp;");
	assert_int_equal(json_array_size(json_array_get(back, 2)), 3); /* null → "" kept inside the row */
	assert_string_equal(cell(back, 2, 1), "");
	assert_string_equal(cell(back, 2, 2), "2.5");
	json_decref(back);
	/* max_rows is enforced */
	assert_null(xlsx_read(x, n, 2, err, sizeof err));
	assert_non_null(strstr(err, "rows"));
	free(x);
	json_decref(rows);
}

static const char SS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<si><t>姓名</t></si><si><t>电话</t></si>"
	"<si><r><rPr><b/></rPr><t>王</t></r><r><t xml:space=\"preserve\">小 二</t></r></si>"
	"<si><t>张三</t><rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></si></sst>";

static const char SHEET[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\"><v>1.3800138E10</v></c><c r=\"D2\" t=\"b\"><v>1</v></c></row>"
	"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>李&amp;四</t></is></c><c r=\"B4\" t=\"str\"><f>A1</f><v>计算</v></c>"
	"<c r=\"C4\"><v>0.25</v></c></row>"
	"<row r=\"5\"><c t=\"s\"><v>3</v></c><c><v>42</v></c></row>"
	"<row r=\"6\"></row>"
	"</sheetData></worksheet>";

static void hand_made(void **state)
{
	(void)state;
	const char *parts[] = {"[Content_Types].xml", "<Types/>", "xl/sharedStrings.xml", SS, "xl/worksheets/sheet1.xml", SHEET, NULL};
	size_t n;
	unsigned char *z = make_zip(parts, &n);
	char err[200];
	json_t *rows = xlsx_read(z, n, 100, err, sizeof err);
	if (!rows)
		fail_msg("read: %s", err);
	assert_int_equal(json_array_size(rows), 5); /* row 6 is empty and trailing: dropped */
	assert_string_equal(cell(rows, 0, 1), "电话");
	assert_string_equal(cell(rows, 1, 0), "王小 二");
	assert_string_equal(cell(rows, 1, 1), "13800138000");
	assert_string_equal(cell(rows, 1, 2), "");
	assert_string_equal(cell(rows, 1, 3), "TRUE");
	assert_int_equal(json_array_size(json_array_get(rows, 2)), 0); /* row 3 missing: empty */
	assert_string_equal(cell(rows, 3, 0), "李&四");
	assert_string_equal(cell(rows, 3, 1), "计算");
	assert_string_equal(cell(rows, 3, 2), "0.25");
	assert_string_equal(cell(rows, 4, 0), "张三"); /* phonetic run left out */
	assert_string_equal(cell(rows, 4, 1), "42");
	json_decref(rows);
	free(z);
}

static void refusals(void **state)
{
	(void)state;
	char err[200];
	size_t n;
	assert_null(xlsx_read((const unsigned char *)"name,phone\n", 11, 10, err, sizeof err));
	assert_non_null(strstr(err, "not an .xlsx"));
	assert_null(xlsx_read((const unsigned char *)"PK\x03\x04garbage", 11, 10, err, sizeof err));
	assert_non_null(strstr(err, "damaged"));
	const char *nosheet[] = {"word/document.xml", "<w/>", NULL};
	unsigned char *z = make_zip(nosheet, &n);
	assert_null(xlsx_read(z, n, 10, err, sizeof err));
	assert_non_null(strstr(err, "no worksheet"));
	free(z);
	const char *broken[] = {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c><v>1</v></row>", NULL};
	z = make_zip(broken, &n);
	assert_null(xlsx_read(z, n, 10, err, sizeof err));
	assert_non_null(strstr(err, "XML"));
	free(z);
	const char *far[] = {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1048576\"><c><v>1</v></c></row></sheetData></worksheet>", NULL};
	z = make_zip(far, &n);
	assert_null(xlsx_read(z, n, 1000, err, sizeof err));
	assert_non_null(strstr(err, "rows"));
	free(z);
	const char *wide[] = {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c r=\"ZZ1\"><v>1</v></c></row></sheetData></worksheet>", NULL};
	z = make_zip(wide, &n);
	assert_null(xlsx_read(z, n, 1000, err, sizeof err));
	assert_non_null(strstr(err, "columns"));
	free(z);
	const char *nostr[] = {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c t=\"s\"><v>7</v></c></row></sheetData></worksheet>", NULL};
	z = make_zip(nostr, &n);
	assert_null(xlsx_read(z, n, 1000, err, sizeof err));
	assert_non_null(strstr(err, "shared string"));
	free(z);
	/* a sheet with another name is found too */
	const char *other[] = {"xl/worksheets/data.xml", "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>", NULL};
	z = make_zip(other, &n);
	json_t *rows = xlsx_read(z, n, 10, err, sizeof err);
	assert_non_null(rows);
	assert_string_equal(cell(rows, 0, 0), "x");
	json_decref(rows);
	free(z);
	/* every prefix of a real workbook fails cleanly or reads */
	json_t *small = json_pack("[[s, s], [s, s]]", "a", "b", "c", "d");
	unsigned char *x = xlsx_write("s", small, &n, err, sizeof err);
	for (size_t k = 0; k < n; k += 97)
		json_decref(xlsx_read(x, k, 10, err, sizeof err));
	free(x);
	json_decref(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(hand_made),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
