/*
 * csv.c — see csv.h. A small state machine over the bytes; every field is copied into a
 * growable buffer with a maximum, so a hostile file cannot make it grow without bound.
 */
#include "util/csv.h"
#include "util/util.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELD (64 * 1024)
#define CSV_MAX_COLS 200

json_t *csv_parse(const char *s, size_t n, size_t max_rows, char *err, size_t errlen)
{
	json_t *rows = json_array(), *row = json_array();
	buf f;
	buf_init(&f, CSV_MAX_FIELD);
	size_t i = 0;
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		i = 3;
	bool quoted = false, was_quoted = false;
	int line = 1;
	for (; i <= n; i++) {
		char c = i < n ? s[i] : '\n';
		bool end = i == n;
		if (quoted && !end) {
			if (c == '"') {
				if (i + 1 < n && s[i + 1] == '"') {
					buf_append(&f, "\"", 1);
					i++;
				} else {
					quoted = false;
				}
			} else {
				if (c == '\n')
					line++;
				if (!buf_append(&f, &c, 1))
					goto too_big;
			}
			continue;
		}
		if (quoted && end) {
			snprintf(err, errlen, "unterminated quoted field (line %d)", line);
			goto fail;
		}
		if (c == '"' && f.len == 0 && !was_quoted) {
			quoted = was_quoted = true;
		} else if (c == ',' || c == '\n' || c == '\r') {
			if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
				continue; /* the \n ends the record */
			json_array_append_new(row, json_string(f.data ? f.data : ""));
			buf_reset(&f);
			was_quoted = false;
			if (json_array_size(row) > CSV_MAX_COLS) {
				snprintf(err, errlen, "more than %d columns (line %d)", CSV_MAX_COLS, line);
				goto fail;
			}
			if (c != ',') {
				/* a record ends; a blank line gives one empty field and is skipped */
				if (!(json_array_size(row) == 1 && !*json_string_value(json_array_get(row, 0))))
					json_array_append(rows, row);
				json_decref(row);
				row = json_array();
				line++;
				if (json_array_size(rows) > max_rows) {
					snprintf(err, errlen, "more than %zu rows", max_rows);
					goto fail;
				}
			}
		} else if (!buf_append(&f, &c, 1)) {
			goto too_big;
		}
	}
	json_decref(row);
	buf_free(&f);
	return rows;
too_big:
	snprintf(err, errlen, "a field longer than %d bytes (line %d)", CSV_MAX_FIELD, line);
fail:
	json_decref(row);
	json_decref(rows);
	buf_free(&f);
	return NULL;
}

char *csv_text_from_bytes(const unsigned char *b, size_t n, int *converted, char *err, size_t errlen)
{
	*converted = 0;
	if (n >= 4 && !memcmp(b, "PK\x03\x04", 4)) {
		snprintf(err, errlen, "this is an .xlsx (zip) file: save it as CSV (UTF-8 or GBK) and upload that");
		return NULL;
	}
	if (memchr(b, '\0', n)) {
		snprintf(err, errlen, "this is not a CSV text file (it contains binary data)");
		return NULL;
	}
	if (utf8_valid((const char *)b, n))
		return xstrndup((const char *)b, n);
	/* Not UTF-8: try GB18030 (a superset of GBK and GB2312), what Chinese Excel writes. */
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, "the file is not UTF-8 and GBK conversion is unavailable");
		return NULL;
	}
	size_t cap = n * 2 + 16, inleft = n, outleft = cap;
	char *out = xmalloc(cap + 1), *ip = (char *)b, *op = out;
	size_t rc = iconv(cd, &ip, &inleft, &op, &outleft);
	iconv_close(cd);
	if (rc == (size_t)-1 || inleft) {
		free(out);
		snprintf(err, errlen, "the file is neither UTF-8 nor GBK text (byte %zu); save it as CSV UTF-8", n - inleft);
		return NULL;
	}
	*op = '\0';
	*converted = 1;
	return out;
}
