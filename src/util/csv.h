/*
 * csv.h — reading CSV files people export from spreadsheets (RFC 4180: quoted fields,
 * doubled quotes, CRLF or LF, a UTF-8 BOM skipped) and turning the bytes of an upload into
 * UTF-8 text: GBK/GB18030 files (common from Chinese Excel) are detected and converted.
 */
#ifndef FUWU_CSV_H
#define FUWU_CSV_H

#include <jansson.h>
#include <stddef.h>

/* Parse UTF-8 text into an array of rows, each an array of strings (trailing empty lines
 * dropped). NULL with a reason in err (unterminated quote, too many rows/columns). */
json_t *csv_parse(const char *s, size_t n, size_t max_rows, char *err, size_t errlen);

/* Bytes of an uploaded file → UTF-8 text (caller frees). Refuses, with a reason in err:
 * an .xlsx/zip or other binary file, and text that is neither UTF-8 nor GB18030. *converted
 * is set when the file was GBK/GB18030. */
char *csv_text_from_bytes(const unsigned char *b, size_t n, int *converted, char *err, size_t errlen);

#endif
