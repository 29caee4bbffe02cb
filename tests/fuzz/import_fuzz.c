/*
 * import_fuzz.c — libFuzzer target for the readers of uploaded files (issue 3 item 9): the
 * .xlsx reader (zip + XML), the CSV reader and the upload decoder (UTF-8 / GBK / binary),
 * and the pinyin initials of whatever text comes out. Any input must give rows or a reason,
 * never a crash, a leak or undefined behaviour.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *         $(pkg-config --cflags minizip) tests/fuzz/import_fuzz.c src/util/xlsx.c src/util/csv.c \
 *         src/util/pinyin.c src/util/util.c \
 *         $(pkg-config --libs jansson libsodium xlsxwriter minizip expat) -lpthread -o /tmp/import_fuzz
 *   /tmp/import_fuzz -max_len=65536
 * A workbook seed: any .xlsx, e.g. one from GET /api/v1/customers/export?format=xlsx.
 */
#include "util/csv.h"
#include "util/pinyin.h"
#include "util/xlsx.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(json_t *rows)
{
	size_t i, j;
	json_t *row, *cell;
	char ini[65];
	json_array_foreach(rows, i, row) json_array_foreach(row, j, cell) pinyin_initials(json_string_value(cell), ini, sizeof ini);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *rows = xlsx_read(data, size, 1000, err, sizeof err);
	walk(rows);
	json_decref(rows);
	int converted;
	char *text = csv_text_from_bytes(data, size, &converted, err, sizeof err);
	if (text) {
		rows = csv_parse(text, strlen(text), 1000, err, sizeof err);
		walk(rows);
		json_decref(rows);
		free(text);
	}
	return 0;
}
