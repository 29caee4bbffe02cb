/* test_multipart.c — the multipart/form-data parser of photo uploads: boundaries, parts,
 * file names, missing parts and truncated bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

static void boundary_header(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(mp_boundary("multipart/form-data; boundary=abc123", b, sizeof b), MP_OK);
	assert_string_equal(b, "abc123");
	assert_int_equal(mp_boundary("Multipart/Form-Data;BOUNDARY=\"----WebKitFormBoundary7MA4YWxk\"", b, sizeof b), MP_OK);
	assert_string_equal(b, "----WebKitFormBoundary7MA4YWxk");
	assert_int_equal(mp_boundary("multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"", b, sizeof b), MP_OK);
	assert_string_equal(b, "a b'()+_,-./:=?");
	/* not multipart */
	assert_int_equal(mp_boundary("application/json", b, sizeof b), MP_NOT_MULTIPART);
	assert_int_equal(mp_boundary("multipart/form-datax; boundary=a", b, sizeof b), MP_NOT_MULTIPART);
	assert_int_equal(mp_boundary("multipart/mixed; boundary=a", b, sizeof b), MP_NOT_MULTIPART);
	assert_int_equal(mp_boundary(NULL, b, sizeof b), MP_NOT_MULTIPART);
	/* bad boundaries */
	assert_int_equal(mp_boundary("multipart/form-data", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=\"\"", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=\"abc", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=a<b", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=\"ends with space \"", b, sizeof b), MP_BAD_BOUNDARY);
	assert_int_equal(mp_boundary("multipart/form-data; boundary=a; boundary=b", b, sizeof b), MP_BAD_BOUNDARY);
	char longb[120] = "multipart/form-data; boundary=";
	size_t n = strlen(longb);
	memset(longb + n, 'x', 71);
	longb[n + 71] = '\0';
	assert_int_equal(mp_boundary(longb, b, sizeof b), MP_BAD_BOUNDARY);
	longb[n + 70] = '\0'; /* 70 is the most RFC 2046 allows */
	assert_int_equal(mp_boundary(longb, b, sizeof b), MP_OK);
	assert_int_equal(strlen(b), 70);
}

/* A form with a caption and a binary file whose bytes contain CRLF, "--" and the boundary
 * text not preceded by CRLF. */
static const char FILE_BYTES[] = "\xff\xd8\xff\r\n--XY\r\n-\x00\x01--XyZ\n--XyZ";
#define FILE_LEN (sizeof FILE_BYTES - 1)

static size_t form(char *out, const char *boundary, const char *preamble, const char *epilogue)
{
	size_t n = (size_t)snprintf(out, 4096,
				    "%s--%s\r\n"
				    "Content-Disposition: form-data; name=\"caption\"\r\n\r\n"
				    "更换压缩机后\r\n"
				    "--%s  \r\n"
				    "content-disposition: form-data; name=\"file\"; filename=\"C:\\\\fakepath\\\\照片 1.jpg\"\r\n"
				    "Content-Type: image/jpeg\r\n\r\n",
				    preamble, boundary, boundary);
	memcpy(out + n, FILE_BYTES, FILE_LEN);
	n += FILE_LEN;
	n += (size_t)snprintf(out + n, 4096 - n, "\r\n--%s--%s", boundary, epilogue);
	return n;
}

static void two_parts(void **state)
{
	(void)state;
	char body[4096];
	mp_part parts[4];
	int count;
	size_t n = form(body, "XyZ", "", "");
	assert_int_equal(mp_parse(body, n, "XyZ", parts, 4, &count), MP_OK);
	assert_int_equal(count, 2);
	assert_string_equal(parts[0].name, "caption");
	assert_false(parts[0].has_filename);
	assert_int_equal(parts[0].len, strlen("更换压缩机后"));
	assert_memory_equal(parts[0].data, "更换压缩机后", parts[0].len);
	const mp_part *f = mp_find(parts, count, "file");
	assert_non_null(f);
	assert_true(f->has_filename);
	assert_string_equal(f->filename, "照片 1.jpg"); /* the path a browser may send is dropped */
	assert_string_equal(f->ctype, "image/jpeg");
	assert_int_equal(f->len, FILE_LEN);
	assert_memory_equal(f->data, FILE_BYTES, FILE_LEN);
	assert_null(mp_find(parts, count, "missing"));

	/* a preamble and an epilogue are ignored */
	n = form(body, "XyZ", "This is a preamble.\r\n", "\r\nepilogue --XyZ trailing");
	assert_int_equal(mp_parse(body, n, "XyZ", parts, 4, &count), MP_OK);
	assert_int_equal(count, 2);
	assert_int_equal(parts[1].len, FILE_LEN);
}

static void truncated_everywhere(void **state)
{
	(void)state;
	char body[4096];
	mp_part parts[4];
	int count;
	size_t n = form(body, "XyZ", "", "");
	/* every shorter body is refused (never a silently shortened file), and nothing crashes */
	for (size_t k = 0; k < n; k++) {
		char *copy = malloc(k ? k : 1); /* exact size: a read past the end shows under ASan */
		memcpy(copy, body, k);
		int st = mp_parse(copy, k, "XyZ", parts, 4, &count);
		assert_int_not_equal(st, MP_OK);
		free(copy);
	}
	/* cut inside the file data */
	assert_int_equal(mp_parse(body, n - 10, "XyZ", parts, 4, &count), MP_TRUNCATED);
	assert_int_equal(count, 1);
	/* cut right after the last delimiter, before its "--" */
	assert_int_equal(mp_parse(body, n - 2, "XyZ", parts, 4, &count), MP_TRUNCATED);
}

static void refusals(void **state)
{
	(void)state;
	mp_part parts[3];
	int count;
	const char *s;
#define PARSE(str, max) mp_parse(str, strlen(str), "b", parts, max, &count)
	/* no delimiter at all, or another boundary */
	assert_int_equal(PARSE("just some bytes", 3), MP_NO_START);
	assert_int_equal(PARSE("", 3), MP_NO_START);
	assert_int_equal(mp_parse("--a\r\n", 5, "b", parts, 3, &count), MP_NO_START);
	/* an empty form is a form */
	assert_int_equal(PARSE("--b--\r\n", 3), MP_OK);
	assert_int_equal(count, 0);
	/* no name, no Content-Disposition, not form-data, an empty name, an empty header block */
	s = "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\nno colon here\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	s = "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	/* junk after a delimiter */
	s = "--bjunk\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_BAD_HEADERS);
	/* headers that never end */
	s = "--b\r\nContent-Disposition: form-data; name=a\r\n";
	assert_int_equal(PARSE(s, 3), MP_TRUNCATED);
	/* too many parts */
	s = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--b--";
	assert_int_equal(PARSE(s, 1), MP_TOO_MANY);
	assert_int_equal(PARSE(s, 2), MP_OK);
	assert_int_equal(count, 2);
	assert_string_equal(parts[1].name, "b");
	assert_int_equal(parts[1].len, 1);
	/* a header block longer than the limit */
	size_t big = MP_HEADERS_MAX + 100;
	char *h = malloc(big + 200);
	int k = snprintf(h, 200, "--b\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
	memset(h + k, 'p', big);
	memcpy(h + k + big, "\r\n\r\nx\r\n--b--", 13);
	assert_int_equal(mp_parse(h, strlen(h), "b", parts, 3, &count), MP_BAD_HEADERS);
	free(h);
	/* an empty part value is fine */
	s = "--b\r\nContent-Disposition: form-data; name=caption\r\n\r\n\r\n--b--";
	assert_int_equal(PARSE(s, 3), MP_OK);
	assert_int_equal(parts[0].len, 0);
#undef PARSE
}

static void file_names(void **state)
{
	(void)state;
	mp_part parts[2];
	int count;
	/* filename* (RFC 5987) wins over filename */
	const char *s = "--b\r\nContent-Disposition: form-data; name=file; filename=\"a.jpg\"; "
			"filename*=UTF-8''%E7%85%A7%E7%89%87.png\r\n\r\nx\r\n--b--";
	assert_int_equal(mp_parse(s, strlen(s), "b", parts, 2, &count), MP_OK);
	assert_string_equal(parts[0].filename, "照片.png");
	/* an escaped quote inside a quoted name; a path with slashes */
	s = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/tmp/x/say \\\"hi\\\".jpg\"\r\n\r\nx\r\n--b--";
	assert_int_equal(mp_parse(s, strlen(s), "b", parts, 2, &count), MP_OK);
	assert_string_equal(parts[0].filename, "say \"hi\".jpg");
	/* invalid UTF-8 in a name is dropped, the part is kept */
	s = "--b\r\nContent-Disposition: form-data; name=file; filename=\"\xff\xfe.jpg\"\r\n\r\nx\r\n--b--";
	assert_int_equal(mp_parse(s, strlen(s), "b", parts, 2, &count), MP_OK);
	assert_true(parts[0].has_filename);
	assert_string_equal(parts[0].filename, "");
	/* an empty filename (no file chosen in a browser) */
	s = "--b\r\nContent-Disposition: form-data; name=file; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--";
	assert_int_equal(mp_parse(s, strlen(s), "b", parts, 2, &count), MP_OK);
	assert_true(parts[0].has_filename);
	assert_int_equal(parts[0].len, 0);
	assert_string_equal(parts[0].ctype, "application/octet-stream");
	assert_non_null(strstr(mp_strerror(MP_TRUNCATED), "truncated"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boundary_header), cmocka_unit_test(two_parts), cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(refusals), cmocka_unit_test(file_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
