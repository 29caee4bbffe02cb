/*
 * xlsx.h — Excel workbooks (.xlsx) in and out (issue 3 item 9). Writing goes through
 * libxlsxwriter (Debian libxlsxwriter-dev); reading is our own small reader: the zip is
 * opened in memory with minizip and the first worksheet and the shared strings are parsed
 * with expat — shared strings, inline strings, numbers and booleans; formulas give their
 * cached value. Rows come back as arrays of strings like csv_parse gives, so an import
 * treats a CSV and a workbook the same way.
 */
#ifndef FUWU_XLSX_H
#define FUWU_XLSX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Does this look like a zip archive (an .xlsx is one)? */
bool xlsx_is_zip(const unsigned char *b, size_t n);

/* The first worksheet of a workbook → an array of rows, each an array of strings; row i of
 * the array is spreadsheet row i + 1 (empty rows in between are empty arrays; trailing empty
 * cells are dropped). Whole numbers come back without a decimal point or exponent
 * ("13800138000"). NULL with a reason in err: not a zip, no worksheet, broken XML, more
 * than max_rows rows, more than 200 columns, a cell over 64 KiB, over 256 MiB unpacked. */
json_t *xlsx_read(const unsigned char *b, size_t n, size_t max_rows, char *err, size_t errlen);

/* One worksheet named `sheet` from rows (arrays of strings, numbers or null); the first row is
 * the header (bold, frozen). Returns the file's bytes (caller frees) and *len, or NULL with a
 * reason in err. */
unsigned char *xlsx_write(const char *sheet, json_t *rows, size_t *len, char *err, size_t errlen);

#endif
