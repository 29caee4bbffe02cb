/*
 * util.h — the small things every module uses: the out-of-memory policy (abort through
 * xmalloc, as Redis, kore and tmux do), a growable byte buffer with a maximum size,
 * bounded number parsing (no atoi/strtol at call sites), UTC time in milliseconds and
 * ISO 8601, random tokens and hashing (libsodium), and JSON-lines logging.
 */
#ifndef FUWU_UTIL_H
#define FUWU_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable buffer that refuses to grow past `max` (0 = no limit). Always NUL-terminated. */
typedef struct buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* refuse appends beyond this length; 0 = unlimited */
} buf;

void buf_init(buf *b, size_t max);
bool buf_append(buf *b, const void *p, size_t n); /* false: would exceed max, nothing appended */
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b);
void buf_free(buf *b);
char *buf_steal(buf *b); /* caller frees; buffer becomes empty */

/* Parse a whole string as a decimal integer in [min, max]; false if anything is off. */
bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
bool parse_double(const char *s, double *out);

/* Time: milliseconds since the epoch, UTC. */
int64_t now_ms(void);
int64_t mono_ns(void);
/* "2026-11-22T08:15:00.000Z"; out must hold 32 bytes. */
void iso_from_ms(int64_t ms, char out[32]);
/* Accepts "YYYY-MM-DD" (00:00 UTC) and "YYYY-MM-DDTHH:MM[:SS[.mmm]](Z|±HH:MM)". */
bool ms_from_iso(const char *s, int64_t *out);
/* Civil date in a fixed-offset zone: "YYYYMMDD" into out[9]. */
void ymd_compact(int64_t ms, int offset_min, char out[9]);

/* Random URL-safe token of `nbytes` random bytes with a prefix; caller frees. */
char *token_new(const char *prefix, size_t nbytes);
/* Hex BLAKE2b-256 of s; out must hold 65 bytes. */
void hash_hex(const char *s, size_t len, char out[65]);

bool utf8_valid(const char *s, size_t n);
size_t utf8_chars(const char *s);

/* Logging: one JSON object per line on stderr. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_line(const char *json_line); /* already-formatted JSON, newline appended */
extern int log_quiet;                 /* 1: no access log lines */

#endif
