/*
 * multipart.h — a small multipart/form-data parser (RFC 7578 on RFC 2046) for uploads: the
 * boundary from the Content-Type header, then the body split into parts whose data point
 * into the body (nothing is copied). Strict where it matters to a server: the boundary's
 * length and characters, a header block of bounded size, a closing delimiter required (a
 * truncated body is an error, never a silently shortened file), at most `max` parts.
 * Unit-tested in tests/unit/test_multipart.c.
 */
#ifndef FUWU_MULTIPART_H
#define FUWU_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define MP_NAME_MAX 64       /* form field names longer than this are refused */
#define MP_FILENAME_MAX 256  /* bytes of the file name kept (UTF-8, cut at a character) */
#define MP_CTYPE_MAX 128
#define MP_HEADERS_MAX 8192  /* bytes of one part's header block */

typedef struct mp_part {
	char name[MP_NAME_MAX + 1];         /* Content-Disposition name */
	char filename[MP_FILENAME_MAX + 1]; /* "" when the part is not a file */
	bool has_filename;
	char ctype[MP_CTYPE_MAX + 1];       /* the part's Content-Type, "" if none */
	const char *data;                   /* borrowed from the body */
	size_t len;
} mp_part;

enum mp_status {
	MP_OK = 0,
	MP_NOT_MULTIPART,  /* the Content-Type is not multipart/form-data */
	MP_BAD_BOUNDARY,   /* missing, empty, too long or with characters RFC 2046 does not allow */
	MP_NO_START,       /* the body does not contain the first delimiter */
	MP_BAD_HEADERS,    /* a part's headers are malformed, too long, or lack a form-data name */
	MP_TRUNCATED,      /* the body ends before the closing delimiter */
	MP_TOO_MANY,       /* more than `max` parts */
};

/* The boundary of a "multipart/form-data; boundary=…" header value (quoted or not) into out
 * (at least 71 bytes). MP_OK, MP_NOT_MULTIPART or MP_BAD_BOUNDARY. */
int mp_boundary(const char *content_type, char *out, size_t outlen);

/* Split body into parts (at most max) and set *count. Returns an mp_status; on failure
 * *count is the number of parts read so far. */
int mp_parse(const char *body, size_t len, const char *boundary, mp_part *parts, int max, int *count);

/* The first part named `name`, or NULL. */
const mp_part *mp_find(const mp_part *parts, int count, const char *name);

/* Words for a status, for the problem detail. */
const char *mp_strerror(int status);

#endif
