/*
 * xlsx.c — see xlsx.h. The reader opens the zip from memory (minizip with our own I/O
 * callbacks over the buffer), streams xl/sharedStrings.xml and the first worksheet through
 * expat in 64 KiB pieces, and keeps every limit bounded (rows, columns, cell size, bytes
 * unpacked) so a hostile file (a zip bomb, a sheet claiming row 1,048,576) cannot make it
 * allocate without bound. The writer uses libxlsxwriter in constant-memory mode into a
 * temporary file, read back and removed.
 */
#include "util/xlsx.h"
#include "util/util.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>

#define XLSX_MAX_CELL (64 * 1024)
#define XLSX_MAX_COLS 200
#define XLSX_MAX_UNPACKED (256u * 1024 * 1024)
#define XLSX_MAX_STRINGS 2000000

bool xlsx_is_zip(const unsigned char *b, size_t n)
{
	return n >= 4 && !memcmp(b, "PK\x03\x04", 4);
}

/* --- the zip in memory -------------------------------------------------------------- */

struct mem {
	const unsigned char *b;
	size_t n, pos;
};

static voidpf ZCALLBACK mem_open(voidpf opaque, const char *name, int mode)
{
	(void)name;
	(void)mode;
	struct mem *m = opaque;
	m->pos = 0;
	return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *dst, uLong size)
{
	(void)opaque;
	struct mem *m = stream;
	size_t left = m->n - m->pos, k = size < left ? size : left;
	memcpy(dst, m->b + m->pos, k);
	m->pos += k;
	return (uLong)k;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *src, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)src;
	(void)size;
	return 0;
}

static long ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
	(void)opaque;
	return (long)((struct mem *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, uLong off, int origin)
{
	(void)opaque;
	struct mem *m = stream;
	size_t base = origin == ZLIB_FILEFUNC_SEEK_SET ? 0 : origin == ZLIB_FILEFUNC_SEEK_CUR ? m->pos : m->n;
	if (base + off > m->n)
		return -1;
	m->pos = base + off;
	return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

/* --- parsing state ------------------------------------------------------------------- */

struct rd {
	XML_Parser xp;
	char *err;
	size_t errlen;
	bool failed;
	size_t unpacked;
	/* shared strings */
	json_t *strings; /* array */
	int depth_rph;   /* inside <rPh> (phonetic runs: not part of the text) */
	bool in_t, in_v, in_is;
	buf text;        /* the current <t> / <v> text */
	buf si;          /* the current shared string or inline string */
	/* worksheet */
	json_t *rows;
	json_t *row;     /* current row (array) */
	size_t max_rows;
	long cur_row;    /* 1-based spreadsheet row */
	int next_col;    /* 0-based column the next <c> without r takes */
	int col;
	char type[16];   /* t attribute of the current cell */
	bool have_value;
};

static void rd_fail(struct rd *d, const char *fmt, const char *arg)
{
	if (d->failed)
		return;
	d->failed = true;
	snprintf(d->err, d->errlen, fmt, arg ? arg : "");
	XML_StopParser(d->xp, XML_FALSE);
}

/* Local name of a possibly prefixed element ("x:row" → "row"). */
static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (int i = 0; atts[i]; i += 2)
		if (!strcmp(local(atts[i]), name))
			return atts[i + 1];
	return NULL;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct rd *d = ud;
	if ((d->in_t && !d->depth_rph) || d->in_v) {
		if (!buf_append(&d->text, s, (size_t)len))
			rd_fail(d, "a cell longer than 64 KiB%s", NULL);
	}
}

/* sharedStrings.xml: <sst><si><t>…</t></si><si><r><t>a</t></r><r><t>b</t></r></si>… */
static void XMLCALL ss_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(void)atts;
	struct rd *d = ud;
	const char *n = local(name);
	if (!strcmp(n, "si")) {
		buf_reset(&d->si);
	} else if (!strcmp(n, "rPh")) {
		d->depth_rph++;
	} else if (!strcmp(n, "t")) {
		d->in_t = true;
		buf_reset(&d->text);
	}
}

static void XMLCALL ss_end(void *ud, const XML_Char *name)
{
	struct rd *d = ud;
	const char *n = local(name);
	if (!strcmp(n, "t")) {
		if (!d->depth_rph && d->text.len && !buf_append(&d->si, d->text.data, d->text.len))
			rd_fail(d, "a cell longer than 64 KiB%s", NULL);
		d->in_t = false;
	} else if (!strcmp(n, "rPh")) {
		d->depth_rph--;
	} else if (!strcmp(n, "si")) {
		if (json_array_size(d->strings) >= XLSX_MAX_STRINGS)
			rd_fail(d, "too many shared strings%s", NULL);
		else
			json_array_append_new(d->strings, json_stringn(d->si.data ? d->si.data : "", d->si.len));
	}
}

/* "AB12" → column 27 (0-based), row 12; false if malformed. */
static bool cell_ref(const char *r, int *col, long *row)
{
	int c = 0, letters = 0;
	for (; *r >= 'A' && *r <= 'Z'; r++, letters++) {
		c = c * 26 + (*r - 'A' + 1);
		if (c > 20000)
			return false;
	}
	long rw = 0;
	for (; *r >= '0' && *r <= '9'; r++) {
		rw = rw * 10 + (*r - '0');
		if (rw > 100000000)
			return false;
	}
	if (!letters || *r)
		return false;
	*col = c - 1;
	*row = rw;
	return true;
}

static void row_begin(struct rd *d, long r)
{
	if (r <= (long)json_array_size(d->rows))
		r = (long)json_array_size(d->rows) + 1; /* out of order or repeated: next row */
	if ((size_t)r > d->max_rows) {
		char m[32];
		snprintf(m, sizeof m, "%zu", d->max_rows);
		rd_fail(d, "more than %s rows", m);
		return;
	}
	while ((long)json_array_size(d->rows) < r - 1)
		json_array_append_new(d->rows, json_array());
	d->row = json_array();
	json_array_append_new(d->rows, d->row);
	d->cur_row = r;
	d->next_col = 0;
}

/* Whole numbers without a fraction or exponent: phone numbers stored as numbers read
 * "13800138000", not "1.3800138E10". */
static json_t *number_text(const char *s, size_t n)
{
	double v;
	char tmp[64];
	if (n > 0 && n < sizeof tmp) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (parse_double(tmp, &v) && v == (double)(long long)v && v > -1e15 && v < 1e15) {
			snprintf(tmp, sizeof tmp, "%lld", (long long)v);
			return json_string(tmp);
		}
	}
	return json_stringn(s, n);
}

static void XMLCALL ws_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rd *d = ud;
	const char *n = local(name);
	if (!strcmp(n, "row")) {
		const char *r = attr(atts, "r");
		int64_t rv = 0;
		row_begin(d, r && parse_i64(r, 1, 100000000, &rv) ? (long)rv : (long)json_array_size(d->rows) + 1);
	} else if (!strcmp(n, "c")) {
		if (!d->row)
			row_begin(d, (long)json_array_size(d->rows) + 1);
		const char *r = attr(atts, "r"), *t = attr(atts, "t");
		int col;
		long rw;
		d->col = r && cell_ref(r, &col, &rw) ? col : d->next_col;
		if (d->col >= XLSX_MAX_COLS) {
			char m[16];
			snprintf(m, sizeof m, "%d", XLSX_MAX_COLS);
			rd_fail(d, "more than %s columns", m);
			return;
		}
		d->next_col = d->col + 1;
		snprintf(d->type, sizeof d->type, "%s", t ? t : "n");
		d->have_value = false;
		buf_reset(&d->si);
	} else if (!strcmp(n, "v")) {
		d->in_v = true;
		buf_reset(&d->text);
	} else if (!strcmp(n, "is")) {
		d->in_is = true;
		buf_reset(&d->si);
	} else if (!strcmp(n, "rPh")) {
		d->depth_rph++;
	} else if (!strcmp(n, "t") && d->in_is) {
		d->in_t = true;
		buf_reset(&d->text);
	}
}

static void XMLCALL ws_end(void *ud, const XML_Char *name)
{
	struct rd *d = ud;
	const char *n = local(name);
	if (!strcmp(n, "v")) {
		d->in_v = false;
		d->have_value = true;
		buf_reset(&d->si);
		if (d->text.len && !buf_append(&d->si, d->text.data, d->text.len))
			rd_fail(d, "a cell longer than 64 KiB%s", NULL);
	} else if (!strcmp(n, "t") && d->in_is) {
		d->in_t = false;
		if (!d->depth_rph && d->text.len && !buf_append(&d->si, d->text.data, d->text.len))
			rd_fail(d, "a cell longer than 64 KiB%s", NULL);
	} else if (!strcmp(n, "rPh")) {
		d->depth_rph--;
	} else if (!strcmp(n, "is")) {
		d->in_is = false;
		d->have_value = true;
	} else if (!strcmp(n, "c") && d->row) {
		const char *v = d->si.data ? d->si.data : "";
		json_t *cell = NULL;
		if (!d->have_value) {
			cell = NULL;
		} else if (!strcmp(d->type, "s")) {
			int64_t k;
			if (!parse_i64(v, 0, INT32_MAX, &k) || (size_t)k >= json_array_size(d->strings)) {
				rd_fail(d, "a cell refers to a shared string that does not exist%s", NULL);
				return;
			}
			cell = json_incref(json_array_get(d->strings, (size_t)k));
		} else if (!strcmp(d->type, "n")) {
			cell = number_text(v, d->si.len);
		} else if (!strcmp(d->type, "b")) {
			cell = json_string(!strcmp(v, "1") ? "TRUE" : "FALSE");
		} else { /* inlineStr, str (formula result), e (error) */
			cell = json_stringn(v, d->si.len);
		}
		if (cell) {
			while ((int)json_array_size(d->row) < d->col)
				json_array_append_new(d->row, json_string(""));
			if ((int)json_array_size(d->row) == d->col)
				json_array_append_new(d->row, cell);
			else
				json_array_set_new(d->row, (size_t)d->col, cell);
		}
	} else if (!strcmp(n, "row")) {
		d->row = NULL;
	}
}

/* Stream the current entry of the zip through the parser. */
static bool parse_entry(unzFile z, struct rd *d, XML_StartElementHandler s, XML_EndElementHandler e)
{
	if (unzOpenCurrentFile(z) != UNZ_OK) {
		rd_fail(d, "a part of the workbook cannot be read%s", NULL);
		return false;
	}
	d->xp = XML_ParserCreate("UTF-8");
	XML_SetUserData(d->xp, d);
	XML_SetElementHandler(d->xp, s, e);
	XML_SetCharacterDataHandler(d->xp, on_text);
	char chunk[64 * 1024];
	for (;;) {
		int k = unzReadCurrentFile(z, chunk, sizeof chunk);
		if (k < 0) {
			rd_fail(d, "the workbook is damaged (the zip does not unpack)%s", NULL);
			break;
		}
		d->unpacked += (size_t)k;
		if (d->unpacked > XLSX_MAX_UNPACKED) {
			rd_fail(d, "the workbook unpacks to more than 256 MiB%s", NULL);
			break;
		}
		if (XML_Parse(d->xp, chunk, k, k == 0) == XML_STATUS_ERROR) {
			if (!d->failed) {
				char m[120];
				snprintf(m, sizeof m, "%s at line %lu", XML_ErrorString(XML_GetErrorCode(d->xp)),
					 (unsigned long)XML_GetCurrentLineNumber(d->xp));
				rd_fail(d, "the workbook's XML is broken: %s", m);
			}
			break;
		}
		if (k == 0)
			break;
	}
	XML_ParserFree(d->xp);
	d->xp = NULL;
	unzCloseCurrentFile(z);
	return !d->failed;
}

/* The first worksheet: xl/worksheets/sheet1.xml, else the first other xl/worksheets/NAME.xml. */
static bool locate_sheet(unzFile z)
{
	if (unzLocateFile(z, "xl/worksheets/sheet1.xml", 0) == UNZ_OK)
		return true;
	char best[256] = "";
	for (int rc = unzGoToFirstFile(z); rc == UNZ_OK; rc = unzGoToNextFile(z)) {
		char name[256];
		unz_file_info info;
		if (unzGetCurrentFileInfo(z, &info, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK)
			continue;
		size_t len = strlen(name);
		if (!strncmp(name, "xl/worksheets/", 14) && !strchr(name + 14, '/') && len > 18 &&
		    !strcmp(name + len - 4, ".xml") && (!best[0] || strcmp(name, best) < 0))
			snprintf(best, sizeof best, "%s", name);
	}
	return best[0] && unzLocateFile(z, best, 0) == UNZ_OK;
}

json_t *xlsx_read(const unsigned char *b, size_t n, size_t max_rows, char *err, size_t errlen)
{
	if (!xlsx_is_zip(b, n)) {
		snprintf(err, errlen, "this is not an .xlsx workbook (not a zip archive)");
		return NULL;
	}
	struct mem m = {b, n, 0};
	zlib_filefunc_def io = {mem_open, mem_read, mem_write, mem_tell, mem_seek, mem_close, mem_error, &m};
	unzFile z = unzOpen2("mem.xlsx", &io);
	if (!z) {
		snprintf(err, errlen, "the .xlsx file is damaged (the zip cannot be opened)");
		return NULL;
	}
	struct rd d = {.err = err, .errlen = errlen, .strings = json_array(), .rows = json_array(), .max_rows = max_rows};
	buf_init(&d.text, XLSX_MAX_CELL);
	buf_init(&d.si, XLSX_MAX_CELL);
	if (unzLocateFile(z, "xl/sharedStrings.xml", 0) == UNZ_OK)
		parse_entry(z, &d, ss_start, ss_end);
	if (!d.failed) {
		if (!locate_sheet(z))
			rd_fail(&d, "the zip holds no worksheet: is it an Excel .xlsx workbook?%s", NULL);
		else
			parse_entry(z, &d, ws_start, ws_end);
	}
	unzClose(z);
	buf_free(&d.text);
	buf_free(&d.si);
	json_decref(d.strings);
	if (d.failed) {
		json_decref(d.rows);
		return NULL;
	}
	/* trailing empty rows are dropped, as the CSV reader drops trailing blank lines */
	while (json_array_size(d.rows) && !json_array_size(json_array_get(d.rows, json_array_size(d.rows) - 1)))
		json_array_remove(d.rows, json_array_size(d.rows) - 1);
	return d.rows;
}

/* --- writing -------------------------------------------------------------------------- */

unsigned char *xlsx_write(const char *sheet, json_t *rows, size_t *len, char *err, size_t errlen)
{
	const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[512];
	snprintf(path, sizeof path, "%s/fuwu-xlsx-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %s", tmpdir);
		return NULL;
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	unsigned char *out = NULL;
	if (!wb) {
		snprintf(err, errlen, "cannot start the workbook");
		goto done;
	}
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	/* Column widths from the longest text (a CJK character is two wide); in constant-memory
	 * mode they, and the frozen header, are set before any row is written. */
	double width[XLSX_MAX_COLS] = {0};
	size_t i, j;
	json_t *row, *v;
	json_array_foreach(rows, i, row) json_array_foreach(row, j, v) {
		if (j >= XLSX_MAX_COLS)
			break;
		double w = json_is_string(v) ? (double)strlen(json_string_value(v)) * 0.7 + 2 : 12;
		if (w > width[j])
			width[j] = w > 60 ? 60 : w;
	}
	for (j = 0; j < XLSX_MAX_COLS && width[j] > 0; j++)
		worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, width[j] < 8 ? 8 : width[j], NULL);
	worksheet_freeze_panes(ws, 1, 0);
	json_array_foreach(rows, i, row) json_array_foreach(row, j, v) {
		if (j >= XLSX_MAX_COLS)
			break;
		if (json_is_string(v))
			worksheet_write_string(ws, (lxw_row_t)i, (lxw_col_t)j, json_string_value(v), i == 0 ? bold : NULL);
		else if (json_is_number(v))
			worksheet_write_number(ws, (lxw_row_t)i, (lxw_col_t)j, json_number_value(v), NULL);
	}
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write the workbook: %s", lxw_strerror(e));
		goto done;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read the workbook back");
		goto done;
	}
	buf b;
	buf_init(&b, 0);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, k);
	fclose(f);
	*len = b.len;
	out = (unsigned char *)buf_steal(&b);
done:
	unlink(path);
	return out;
}
