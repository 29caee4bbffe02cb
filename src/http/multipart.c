/*
 * multipart.c — multipart/form-data (RFC 7578, RFC 2046 §5.1.1), see multipart.h.
 *
 * The body is   [preamble CRLF] --B [pad] CRLF headers CRLF CRLF data CRLF --B [pad] CRLF …
 *               … data CRLF --B -- [epilogue]
 * A part's data ends at the next CRLF--B, so the data itself is never scanned for anything
 * else; a body without the closing --B-- is truncated and refused as a whole.
 */
#include "http/multipart.h"
#include "util/util.h"

#include <string.h>
#include <strings.h>

static bool bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c);
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A parameter value at s (quoted-string or token) into out; returns the end, NULL if it does
 * not fit or a quote is not closed. In a quoted string \" is a quote (browsers write %22). */
static const char *param_value(const char *s, const char *end, char *out, size_t outlen, size_t *outn)
{
	size_t n = 0;
	if (s < end && *s == '"') {
		s++;
		for (;;) {
			if (s >= end)
				return NULL;
			if (*s == '"')
				break;
			if (*s == '\\' && s + 1 < end && s[1] == '"')
				s++;
			if (n + 1 >= outlen)
				return NULL;
			out[n++] = *s++;
		}
		s++;
	} else {
		while (s < end && *s != ';' && *s != ' ' && *s != '\t') {
			if (n + 1 >= outlen)
				return NULL;
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	*outn = n;
	return s;
}

/* Walk "; name=value" parameters of a header value from s to end; calls fn for each.
 * Returns false on a malformed parameter. */
typedef bool (*param_fn)(void *ctx, const char *name, size_t namelen, const char *value, size_t valuelen);
static bool params_each(const char *s, const char *end, param_fn fn, void *ctx)
{
	char value[1024];
	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == ';'))
			s++;
		if (s >= end)
			break;
		const char *name = s;
		while (s < end && *s != '=' && *s != ';' && *s != ' ' && *s != '\t')
			s++;
		size_t namelen = (size_t)(s - name);
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s >= end || *s != '=' || namelen == 0)
			return false;
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		size_t vn;
		s = param_value(s, end, value, sizeof value, &vn);
		if (!s || !fn(ctx, name, namelen, value, vn))
			return false;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s != ';')
			return false;
	}
	return true;
}

struct bctx {
	char *out;
	size_t outlen;
	bool found, bad;
};

static bool boundary_param(void *ctx, const char *name, size_t namelen, const char *value, size_t vn)
{
	struct bctx *b = ctx;
	if (namelen != 8 || strncasecmp(name, "boundary", 8))
		return true;
	if (b->found || vn == 0 || vn > 70 || vn >= b->outlen || value[vn - 1] == ' ') {
		b->bad = true;
		return true;
	}
	for (size_t i = 0; i < vn; i++)
		if (!bchar((unsigned char)value[i]))
			b->bad = true;
	memcpy(b->out, value, vn);
	b->out[vn] = '\0';
	b->found = true;
	return true;
}

int mp_boundary(const char *ct, char *out, size_t outlen)
{
	if (!ct)
		return MP_NOT_MULTIPART;
	ct = skip_ws(ct);
	static const char mt[] = "multipart/form-data";
	if (strncasecmp(ct, mt, sizeof mt - 1))
		return MP_NOT_MULTIPART;
	const char *s = ct + sizeof mt - 1;
	if (*s && *s != ';' && *s != ' ' && *s != '\t')
		return MP_NOT_MULTIPART;
	struct bctx b = {out, outlen, false, false};
	if (!params_each(s, s + strlen(s), boundary_param, &b) || b.bad || !b.found)
		return MP_BAD_BOUNDARY;
	return MP_OK;
}

/* Percent-decode an RFC 5987 value (charset''text), UTF-8 only; false if not that. */
static bool ext_value(const char *v, size_t vn, char *out, size_t outlen)
{
	if (vn < 7 || strncasecmp(v, "utf-8'", 6))
		return false;
	const char *q = memchr(v + 6, '\'', vn - 6);
	if (!q)
		return false;
	size_t n = 0;
	for (const char *s = q + 1; s < v + vn; s++) {
		unsigned c = (unsigned char)*s;
		if (c == '%') {
			if (s + 2 >= v + vn)
				return false;
			int hi = s[1] >= '0' && s[1] <= '9' ? s[1] - '0' : (s[1] | 32) >= 'a' && (s[1] | 32) <= 'f' ? (s[1] | 32) - 'a' + 10 : -1;
			int lo = s[2] >= '0' && s[2] <= '9' ? s[2] - '0' : (s[2] | 32) >= 'a' && (s[2] | 32) <= 'f' ? (s[2] | 32) - 'a' + 10 : -1;
			if (hi < 0 || lo < 0)
				return false;
			c = (unsigned)(hi * 16 + lo);
			s += 2;
		}
		if (n + 1 >= outlen)
			break;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

/* Keep a file name: the last path segment, valid UTF-8, cut at a character boundary. */
static void set_filename(mp_part *p, const char *v)
{
	const char *base = v;
	for (const char *s = v; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	size_t n = strlen(base);
	if (n > MP_FILENAME_MAX)
		n = MP_FILENAME_MAX;
	while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80)
		n--; /* do not cut a UTF-8 sequence */
	memcpy(p->filename, base, n);
	p->filename[n] = '\0';
	if (!utf8_valid(p->filename, n))
		p->filename[0] = '\0';
	for (char *s = p->filename; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = '_';
	p->has_filename = true;
}

struct dctx {
	mp_part *p;
	bool name, ext;
	bool bad;
};

static bool disposition_param(void *ctx, const char *name, size_t namelen, const char *value, size_t vn)
{
	struct dctx *d = ctx;
	if (namelen == 4 && !strncasecmp(name, "name", 4)) {
		if (d->name || vn == 0 || vn > MP_NAME_MAX || memchr(value, '\0', vn)) {
			d->bad = true;
			return true;
		}
		memcpy(d->p->name, value, vn);
		d->p->name[vn] = '\0';
		d->name = true;
	} else if (namelen == 8 && !strncasecmp(name, "filename", 8)) {
		if (!d->ext)
			set_filename(d->p, value);
	} else if (namelen == 9 && !strncasecmp(name, "filename*", 9)) {
		char dec[MP_FILENAME_MAX * 2];
		if (ext_value(value, vn, dec, sizeof dec)) {
			set_filename(d->p, dec);
			d->ext = true;
		}
	}
	return true;
}

/* One header line [s, e) of a part. */
static bool header_line(mp_part *p, const char *s, const char *e, bool *has_name)
{
	const char *colon = memchr(s, ':', (size_t)(e - s));
	if (!colon || colon == s)
		return false;
	size_t nn = (size_t)(colon - s);
	const char *v = colon + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	const char *ve = e;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	if (nn == 19 && !strncasecmp(s, "Content-Disposition", 19)) {
		static const char fd[] = "form-data";
		if ((size_t)(ve - v) < sizeof fd - 1 || strncasecmp(v, fd, sizeof fd - 1))
			return false;
		const char *ps = v + sizeof fd - 1;
		if (ps < ve && *ps != ';' && *ps != ' ' && *ps != '\t')
			return false;
		struct dctx d = {p, false, false, false};
		if (!params_each(ps, ve, disposition_param, &d) || d.bad)
			return false;
		*has_name = d.name;
	} else if (nn == 12 && !strncasecmp(s, "Content-Type", 12)) {
		size_t n = (size_t)(ve - v);
		if (n > MP_CTYPE_MAX)
			return false;
		memcpy(p->ctype, v, n);
		p->ctype[n] = '\0';
	}
	return true;
}

int mp_parse(const char *body, size_t len, const char *boundary, mp_part *parts, int max, int *count)
{
	*count = 0;
	size_t bl = strlen(boundary);
	if (bl == 0 || bl > 70)
		return MP_BAD_BOUNDARY;
	char delim[80]; /* CRLF -- boundary */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, bl);
	size_t dl = bl + 4;
	const char *end = body + len;
	const char *p;
	/* The first delimiter: at the very start (no CRLF before it) or after a preamble. */
	if (len >= dl - 2 && !memcmp(body, delim + 2, dl - 2)) {
		p = body + dl - 2;
	} else {
		const char *f = memmem(body, len, delim, dl);
		if (!f)
			return MP_NO_START;
		p = f + dl;
	}
	for (;;) {
		/* After a delimiter: "--" closes, else padding and CRLF open the next part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return MP_OK;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2)
			return MP_TRUNCATED;
		if (p[0] != '\r' || p[1] != '\n')
			return MP_BAD_HEADERS;
		p += 2;
		if (*count >= max)
			return MP_TOO_MANY;
		mp_part *part = &parts[*count];
		memset(part, 0, sizeof *part);
		/* Headers up to the empty line. */
		size_t room = (size_t)(end - p);
		size_t look = room < MP_HEADERS_MAX + 4 ? room : MP_HEADERS_MAX + 4;
		const char *hend;
		if (look >= 2 && p[0] == '\r' && p[1] == '\n')
			hend = p; /* no headers at all: refused below for want of a name */
		else {
			hend = memmem(p, look, "\r\n\r\n", 4);
			if (!hend)
				return room < MP_HEADERS_MAX + 4 ? MP_TRUNCATED : MP_BAD_HEADERS;
			hend += 2; /* keep the last header's CRLF inside */
		}
		bool has_name = false;
		for (const char *s = p; s < hend;) {
			const char *e = memmem(s, (size_t)(hend - s), "\r\n", 2);
			if (!e || !header_line(part, s, e, &has_name))
				return MP_BAD_HEADERS;
			s = e + 2;
		}
		if (!has_name)
			return MP_BAD_HEADERS;
		const char *data = hend + 2;
		const char *next = memmem(data, (size_t)(end - data), delim, dl);
		if (!next)
			return MP_TRUNCATED;
		part->data = data;
		part->len = (size_t)(next - data);
		(*count)++;
		p = next + dl;
	}
}

const mp_part *mp_find(const mp_part *parts, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (!strcmp(parts[i].name, name))
			return &parts[i];
	return NULL;
}

const char *mp_strerror(int st)
{
	switch (st) {
	case MP_OK: return "ok";
	case MP_NOT_MULTIPART: return "the body is not multipart/form-data";
	case MP_BAD_BOUNDARY: return "the multipart boundary in Content-Type is missing or not allowed (1 to 70 characters)";
	case MP_NO_START: return "the body does not start a part with the boundary named in Content-Type";
	case MP_BAD_HEADERS: return "a part's headers are malformed (each part needs Content-Disposition: form-data; name=…)";
	case MP_TRUNCATED: return "the body ends before the closing boundary (truncated upload)";
	case MP_TOO_MANY: return "too many parts in the form";
	default: return "malformed multipart body";
	}
}
