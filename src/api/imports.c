/*
 * imports.c — imports of the archive (issue 3 item 9): POST /api/v1/customers/import,
 * /api/v1/assets/import and /api/v1/product-models/import, each from a CSV file or an Excel
 * workbook (.xlsx, its first sheet). The file travels in JSON as text ("csv") or as bytes
 * ("base64": GBK CSV from Chinese Excel is detected and converted; a zip is read as .xlsx).
 * Every bad row is reported (row number, column, code, reason) and nothing is imported
 * until the whole file is clean (one transaction); "dry_run": true only reports. A file
 * that is neither (an old .xls, a PDF, a zip without a worksheet) is refused naming why.
 * Headers may be Chinese or English (tables below); other columns are ignored.
 */
#include "api/api.h"
#include "domain/phone.h"
#include "domain/warranty.h"
#include "util/csv.h"
#include "util/xlsx.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_MAX_ROWS 100000
#define IMPORT_MAX_ERRORS 1000

static const struct field import_fields[] = {
	{"csv", F_STR, false, 0x7fffffff, NULL, false},
	{"base64", F_STR, false, 0x7fffffff, NULL, false},
	{"filename", F_STR, false, 200, NULL, true},
	{"dry_run", F_BOOL, false, 0, NULL, false},
	{0},
};

/* A column: Chinese header, English header, another name people use, required. */
struct col {
	const char *zh, *en, *alt;
	bool required;
};

typedef struct rowctx {
	req *r;
	json_t *row;             /* the file's cells */
	const int *at;           /* column index per spec, -1 absent */
	const char *const *names;
	json_int_t line;
	json_t *errs;
	char **v;                /* trimmed values per spec */
} rowctx;

/* code: a stable word the console translates; reason: the English sentence. */
static void row_error(json_t *errs, json_int_t row, const char *column, const char *code, const char *reason)
{
	json_array_append_new(errs, json_pack("{s:I, s:s, s:s, s:s}", "row", row, "column", column, "code", code, "reason",
					       reason));
}

static void rerr(rowctx *x, int k, const char *code, const char *reason)
{
	row_error(x->errs, x->line, x->names[k], code, reason);
}

static char *trim(const char *s)
{
	if (!s)
		s = "";
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/* A text column of at most max characters into o[key] (empty: left out). */
static void text_col(rowctx *x, json_t *o, int k, const char *key, size_t max)
{
	const char *s = x->v[k];
	if (!*s)
		return;
	if (utf8_chars(s) > max) {
		char m[80];
		snprintf(m, sizeof m, "%s is longer than %zu characters", key, max);
		char code[40];
		snprintf(code, sizeof code, "%s_long", key);
		rerr(x, k, code, m);
		return;
	}
	json_object_set_new(o, key, json_string(s));
}

/* A whole number column within [lo, hi] (empty: left out). */
static void int_col(rowctx *x, json_t *o, int k, const char *key, int64_t lo, int64_t hi)
{
	int64_t v;
	if (!*x->v[k])
		return;
	if (!parse_i64(x->v[k], lo, hi, &v)) {
		char m[120];
		snprintf(m, sizeof m, "%s must be a whole number from %lld to %lld", key, (long long)lo, (long long)hi);
		rerr(x, k, "number_invalid", m);
		return;
	}
	json_object_set_new(o, key, json_integer(v));
}

/* Dates as people type them (2026-11-01, 2026/11/1, 2026.11.01, 2026年11月1日) or an Excel
 * serial day number from a workbook cell (45962 = 2025-11-01) → "YYYY-MM-DD". */
static bool date_norm(const char *s, char out[11])
{
	int64_t serial;
	int32_t day;
	if (parse_i64(s, 20000, 80000, &serial)) {
		day = (int32_t)(serial - 25569); /* Excel counts from 1899-12-30 */
		wty_day_format(day, out);
		return true;
	}
	int64_t part[3] = {0, 0, 0};
	int k = 0, digits = 0;
	for (const char *p = s; *p && k < 3;) {
		if (*p >= '0' && *p <= '9') {
			part[k] = part[k] * 10 + (*p - '0');
			if (++digits > 4)
				return false;
			p++;
			continue;
		}
		if (!digits)
			return false;
		k++;
		digits = 0;
		if (*p == '-' || *p == '/' || *p == '.')
			p++;
		else if (!strncmp(p, "年", 3) || !strncmp(p, "月", 3) || !strncmp(p, "日", 3))
			p += 3;
		else
			return false;
	}
	if (digits)
		k++;
	if (k != 3 || part[0] < 1900 || part[0] > 2999)
		return false;
	char buf10[16];
	snprintf(buf10, sizeof buf10, "%04lld-%02lld-%02lld", (long long)part[0], (long long)part[1], (long long)part[2]);
	if (!wty_day_parse(buf10, &day))
		return false;
	wty_day_format(day, out);
	return true;
}

static int32_t today_of(req *r)
{
	return (int32_t)((now_ms() + (int64_t)r->who.tz_offset_min * 60000) / 86400000);
}

/* --- customers ---------------------------------------------------------------------- */

enum { CU_NAME, CU_PHONES, CU_CLASS, CU_KIND, CU_ADDRESS, CU_SOURCE, CU_NOTES, CU_COUNT };
static const struct col cust_cols[CU_COUNT] = {
	[CU_NAME] = {"姓名", "name", "客户名称", true},    [CU_PHONES] = {"电话", "phones", "phone", true},
	[CU_CLASS] = {"等级", "class", "客户等级", false}, [CU_KIND] = {"类型", "kind", "客户类型", false},
	[CU_ADDRESS] = {"地址", "address", NULL, false},   [CU_SOURCE] = {"来源", "source", NULL, false},
	[CU_NOTES] = {"备注", "notes", NULL, false},
};

/* "13800138000；020-88886666、13900000000" → normalised phones, each bad one a row error. */
static json_t *phones_of(rowctx *x, int k)
{
	json_t *phones = json_array();
	for (char *p = x->v[k]; *p;) {
		/* separators: ; , / space and the Chinese ；，、 */
		size_t len = strcspn(p, ";,/ ");
		const char *cn[] = {"；", "，", "、"};
		for (size_t i = 0; i < 3; i++) {
			char *hit = strstr(p, cn[i]);
			if (hit && (size_t)(hit - p) < len)
				len = (size_t)(hit - p);
		}
		if (len) {
			char one[40], norm[20];
			snprintf(one, sizeof one, "%.*s", (int)(len < 39 ? len : 39), p);
			if (len > 32 || !phone_normalize(one, norm)) {
				char m[120];
				snprintf(m, sizeof m, "not a valid Chinese phone number: %s", one);
				rerr(x, k, "phone_invalid", m);
			} else {
				json_array_append_new(phones, json_string(norm));
			}
		}
		p += len;
		if (!*p)
			break;
		p += (unsigned char)*p >= 0x80 ? 3 : 1;
	}
	return phones;
}

static json_t *cust_row(rowctx *x)
{
	json_t *o = json_object();
	char **v = x->v;
	if (!*v[CU_NAME] || utf8_chars(v[CU_NAME]) > 100)
		rerr(x, CU_NAME, *v[CU_NAME] ? "name_long" : "name_empty",
		     *v[CU_NAME] ? "name is longer than 100 characters" : "name is empty");
	else
		json_object_set_new(o, "name", json_string(v[CU_NAME]));
	size_t before = json_array_size(x->errs);
	json_t *phones = phones_of(x, CU_PHONES);
	if (!json_array_size(phones) && json_array_size(x->errs) == before)
		rerr(x, CU_PHONES, "phone_missing", "no phone");
	if (json_array_size(phones) > 10)
		rerr(x, CU_PHONES, "phone_many", "more than 10 phones");
	json_object_set_new(o, "phones", phones);
	if (*v[CU_CLASS]) {
		const char *c = v[CU_CLASS];
		if ((c[0] == 'A' || c[0] == 'B' || c[0] == 'C') && (!c[1] || !strcmp(c + 1, "类")))
			json_object_set_new(o, "class", json_stringn(c, 1));
		else
			rerr(x, CU_CLASS, "class_invalid", "class is A, B or C");
	}
	if (*v[CU_KIND]) {
		const char *k = v[CU_KIND];
		if (!strcmp(k, "个人") || !strcmp(k, "person"))
			json_object_set_new(o, "kind", json_string("person"));
		else if (!strcmp(k, "单位") || !strcmp(k, "公司") || !strcmp(k, "company"))
			json_object_set_new(o, "kind", json_string("company"));
		else
			rerr(x, CU_KIND, "kind_invalid", "kind is 个人/person or 单位/company");
	}
	if (*v[CU_ADDRESS]) {
		if (utf8_chars(v[CU_ADDRESS]) > 300)
			rerr(x, CU_ADDRESS, "address_long", "address is longer than 300 characters");
		else
			json_object_set_new(o, "addresses", json_pack("[{s:s}]", "text", v[CU_ADDRESS]));
	}
	text_col(x, o, CU_SOURCE, "source", 50);
	if (*v[CU_NOTES] && utf8_chars(v[CU_NOTES]) > 2000)
		rerr(x, CU_NOTES, "notes_long", "notes are longer than 2000 characters");
	else if (*v[CU_NOTES])
		json_object_set_new(o, "notes", json_string(v[CU_NOTES]));
	if (!json_object_get(o, "source"))
		json_object_set_new(o, "source", json_string("import"));
	return o;
}

/* --- assets ------------------------------------------------------------------------- */

enum { AS_PHONE, AS_BRAND, AS_MODEL, AS_SERIAL, AS_PURCHASE, AS_PLATE, AS_ENGINE, AS_PLACE, AS_INVOICE, AS_INSTALL,
       AS_COUNT };
static const struct col asset_cols[AS_COUNT] = {
	[AS_PHONE] = {"客户电话", "customer_phone", "电话", true},
	[AS_BRAND] = {"品牌", "brand", NULL, true},
	[AS_MODEL] = {"型号", "model", "产品型号", true},
	[AS_SERIAL] = {"序列号", "serial", "车架号", true},
	[AS_PURCHASE] = {"购买日期", "purchase_date", NULL, false},
	[AS_PLATE] = {"车牌", "plate", "车牌号", false},
	[AS_ENGINE] = {"发动机号", "engine_no", NULL, false},
	[AS_PLACE] = {"购买地点", "purchase_place", NULL, false},
	[AS_INVOICE] = {"发票号", "invoice_no", NULL, false},
	[AS_INSTALL] = {"安装日期", "install_date", NULL, false},
};

static json_t *asset_row(rowctx *x)
{
	json_t *o = json_object();
	char **v = x->v;
	char norm[20];
	if (!*v[AS_PHONE])
		rerr(x, AS_PHONE, "phone_missing", "no customer phone: the asset's owner is found by phone");
	else if (strlen(v[AS_PHONE]) > 32 || !phone_normalize(v[AS_PHONE], norm))
		rerr(x, AS_PHONE, "phone_invalid", "not a valid Chinese phone number");
	else
		json_object_set_new(o, "customer_phone", json_string(norm));
	if (!*v[AS_BRAND] || !*v[AS_MODEL]) {
		rerr(x, *v[AS_BRAND] ? AS_MODEL : AS_BRAND, "model_missing", "brand and model name the product model");
	} else if (utf8_chars(v[AS_BRAND]) > 50 || utf8_chars(v[AS_MODEL]) > 64) {
		rerr(x, AS_MODEL, "model_unknown", "no product model has such a long name");
	} else {
		json_object_set_new(o, "model", json_pack("{s:s, s:s}", "brand", v[AS_BRAND], "model", v[AS_MODEL]));
	}
	if (!*v[AS_SERIAL])
		rerr(x, AS_SERIAL, "serial_missing", "serial is empty");
	else
		text_col(x, o, AS_SERIAL, "serial", 64);
	text_col(x, o, AS_PLATE, "plate", 20);
	text_col(x, o, AS_ENGINE, "engine_no", 64);
	text_col(x, o, AS_PLACE, "purchase_place", 100);
	text_col(x, o, AS_INVOICE, "invoice_no", 64);
	char buy[11] = "", inst[11] = "";
	int32_t b = 0, i = 0;
	if (*v[AS_PURCHASE]) {
		if (!date_norm(v[AS_PURCHASE], buy)) {
			rerr(x, AS_PURCHASE, "date_invalid", "purchase_date is not a date (YYYY-MM-DD)");
			buy[0] = '\0';
		} else if (wty_day_parse(buy, &b) && b > today_of(x->r)) {
			rerr(x, AS_PURCHASE, "date_future", "purchase_date may not be in the future");
			buy[0] = '\0';
		} else {
			json_object_set_new(o, "purchase_date", json_string(buy));
		}
	}
	if (*v[AS_INSTALL]) {
		if (!date_norm(v[AS_INSTALL], inst))
			rerr(x, AS_INSTALL, "date_invalid", "install_date is not a date (YYYY-MM-DD)");
		else if (buy[0] && wty_day_parse(inst, &i) && wty_day_parse(buy, &b) && i < b)
			rerr(x, AS_INSTALL, "install_before_purchase", "install_date may not be before purchase_date");
		else
			json_object_set_new(o, "install_date", json_string(inst));
	}
	return o;
}

/* --- product models ----------------------------------------------------------------- */

enum { PM_BRAND, PM_CATEGORY, PM_MODEL, PM_MONTHS, PM_MAIN, PM_REFUND, PM_EXCHANGE, PM_COMPLEXITY, PM_KM, PM_COUNT };
static const struct col model_cols[PM_COUNT] = {
	[PM_BRAND] = {"品牌", "brand", NULL, true},
	[PM_CATEGORY] = {"类别", "category", "品类", true},
	[PM_MODEL] = {"型号", "model", "产品型号", true},
	[PM_MONTHS] = {"保修月数", "warranty_months", "整机保修月数", false},
	[PM_MAIN] = {"主要部件保修月数", "main_part_months", NULL, false},
	[PM_REFUND] = {"退货天数", "refund_days", NULL, false},
	[PM_EXCHANGE] = {"换货天数", "exchange_days", NULL, false},
	[PM_COMPLEXITY] = {"技术复杂系数", "complexity", "复杂系数", false},
	[PM_KM] = {"保修里程", "warranty_km", NULL, false},
};

/* "1.2" → 1200 thousandths; 0.1 … 9.999 (the same rule as POST /product-models). */
static bool milli_parse(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && whole < 100)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9' && digits < 3) {
			frac = frac * 10 + (*p++ - '0');
			digits++;
		}
	}
	if (*p)
		return false;
	while (digits++ < 3)
		frac *= 10;
	*out = whole * 1000 + frac;
	return *out >= 100 && *out <= 9999;
}

static json_t *model_row(rowctx *x)
{
	json_t *o = json_object();
	char **v = x->v;
	static const struct {
		int k;
		const char *key;
		size_t max;
	} req_text[] = {{PM_BRAND, "brand", 50}, {PM_CATEGORY, "category", 50}, {PM_MODEL, "model", 64}};
	for (size_t i = 0; i < ARRAY_LEN(req_text); i++) {
		if (!*v[req_text[i].k]) {
			char m[60];
			snprintf(m, sizeof m, "%s is empty", req_text[i].key);
			rerr(x, req_text[i].k, "required", m);
		} else {
			text_col(x, o, req_text[i].k, req_text[i].key, req_text[i].max);
		}
	}
	int_col(x, o, PM_MONTHS, "warranty_months", 0, 240);
	int_col(x, o, PM_MAIN, "main_part_months", 0, 240);
	int_col(x, o, PM_REFUND, "refund_days", 0, 365);
	int_col(x, o, PM_EXCHANGE, "exchange_days", 0, 365);
	int_col(x, o, PM_KM, "warranty_km", 1, 10000000);
	json_t *rd = json_object_get(o, "refund_days"), *xd = json_object_get(o, "exchange_days");
	if (json_integer_value(xd) < json_integer_value(rd) && xd && rd)
		rerr(x, PM_EXCHANGE, "number_invalid", "exchange_days may not be shorter than refund_days");
	if (*v[PM_COMPLEXITY]) {
		int64_t milli;
		if (!milli_parse(v[PM_COMPLEXITY], &milli))
			rerr(x, PM_COMPLEXITY, "complexity_invalid", "complexity is a decimal such as 1.20 (0.1 to 9.999)");
		else
			json_object_set_new(o, "_complexity_milli", json_integer(milli));
	}
	return o;
}

/* --- the common path ------------------------------------------------------------------ */

typedef int (*import_store_fn)(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
			       json_t **ids);
struct kind {
	const struct col *cols;
	int ncols;
	json_t *(*row)(rowctx *x);
	import_store_fn store;
};

static const struct kind kinds[] = {
	{cust_cols, CU_COUNT, cust_row, store_cust_import},
	{asset_cols, AS_COUNT, asset_row, store_asset_import},
	{model_cols, PM_COUNT, model_row, store_model_import},
};

static void refuse(req *r, const char *field, const char *why)
{
	verr v;
	verr_init(&v);
	verr_add(&v, field, "invalid", why);
	verr_reply(&v, r);
}

/* The uploaded file → rows of cells; answers 400 and returns NULL when it is neither a
 * CSV text nor an .xlsx workbook. *fmt is "csv" or "xlsx". */
static json_t *file_rows(req *r, int *converted, const char **fmt)
{
	const char *csv = jstr(r->json, "csv"), *b64 = jstr(r->json, "base64");
	const char *field = b64 ? "base64" : "csv";
	char err[200] = "";
	json_t *rows = NULL;
	*fmt = "csv";
	if (b64) {
		size_t cap = strlen(b64) / 4 * 3 + 3, n = 0;
		unsigned char *bytes = xmalloc(cap + 1);
		if (sodium_base642bin(bytes, cap, b64, strlen(b64), "\r\n ", &n, NULL, sodium_base64_VARIANT_ORIGINAL)) {
			free(bytes);
			refuse(r, "base64", "base64 is not valid base64");
			return NULL;
		}
		if (xlsx_is_zip(bytes, n)) {
			*fmt = "xlsx";
			rows = xlsx_read(bytes, n, IMPORT_MAX_ROWS + 1, err, sizeof err);
		} else if (n >= 8 && !memcmp(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
			snprintf(err, sizeof err, "this is an old Excel .xls file: save it as .xlsx or as CSV and upload that");
		} else if (n >= 5 && !memcmp(bytes, "%PDF-", 5)) {
			snprintf(err, sizeof err, "this is a PDF, not a CSV or .xlsx file");
		} else {
			char *text = csv_text_from_bytes(bytes, n, converted, err, sizeof err);
			if (text)
				rows = csv_parse(text, strlen(text), IMPORT_MAX_ROWS + 1, err, sizeof err);
			free(text);
		}
		free(bytes);
	} else {
		int dummy;
		char *text = csv_text_from_bytes((const unsigned char *)csv, strlen(csv), &dummy, err, sizeof err);
		if (text)
			rows = csv_parse(text, strlen(text), IMPORT_MAX_ROWS + 1, err, sizeof err);
		free(text);
	}
	if (!rows || json_array_size(rows) < 1) {
		refuse(r, field, rows ? "the file is empty" : err);
		json_decref(rows);
		return NULL;
	}
	return rows;
}

static bool row_empty(json_t *row)
{
	size_t i;
	json_t *c;
	json_array_foreach(row, i, c) {
		const char *s = json_string_value(c);
		for (; s && *s; s++)
			if (*s != ' ' && *s != '\t')
				return false;
	}
	return true;
}

static void import_run(req *r, const struct kind *k)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, import_fields, &v);
	const char *csv = jstr(r->json, "csv"), *b64 = jstr(r->json, "base64");
	if (!csv == !b64)
		verr_add(&v, "csv", "required", "give the file as csv (text) or base64 (bytes), one of them");
	if (verr_reply(&v, r))
		return;
	int converted = 0;
	const char *fmt;
	json_t *rows = file_rows(r, &converted, &fmt);
	if (!rows)
		return;
	/* Header row: which column holds what. */
	json_t *head = json_array_get(rows, 0);
	int at[16];
	const char *names[16];
	json_t *errs = json_array();
	for (int c = 0; c < k->ncols; c++) {
		at[c] = -1;
		names[c] = k->cols[c].zh;
		for (size_t i = 0; i < json_array_size(head); i++) {
			char *h = trim(json_string_value(json_array_get(head, i)));
			if (at[c] < 0 && (!strcmp(h, k->cols[c].zh) || !strcasecmp(h, k->cols[c].en) ||
					  (k->cols[c].alt && !strcasecmp(h, k->cols[c].alt)))) {
				at[c] = (int)i;
				names[c] = json_string_value(json_array_get(head, i));
			}
			free(h);
		}
		if (at[c] < 0 && k->cols[c].required) {
			char m[120];
			snprintf(m, sizeof m, "the header has no %s/%s column", k->cols[c].zh, k->cols[c].en);
			row_error(errs, 1, k->cols[c].zh, "header_missing", m);
		}
	}
	bool header_ok = !json_array_size(errs);
	json_t *bodies = json_array(), *lines = json_array();
	size_t nrows = json_array_size(rows) - 1, counted = 0;
	if (nrows > IMPORT_MAX_ROWS)
		row_error(errs, IMPORT_MAX_ROWS + 2, "", "too_many_rows", "more than 100000 rows: split the file");
	char *vals[16];
	for (size_t i = 1; i <= nrows && header_ok && nrows <= IMPORT_MAX_ROWS && json_array_size(errs) < IMPORT_MAX_ERRORS;
	     i++) {
		json_t *row = json_array_get(rows, i);
		if (row_empty(row))
			continue;
		counted++;
		for (int c = 0; c < k->ncols; c++)
			vals[c] = trim(at[c] >= 0 && (size_t)at[c] < json_array_size(row)
					       ? json_string_value(json_array_get(row, (size_t)at[c]))
					       : "");
		size_t before = json_array_size(errs);
		rowctx x = {r, row, at, names, (json_int_t)i + 1, errs, vals};
		json_t *b = k->row(&x);
		if (json_array_size(errs) == before) {
			json_array_append_new(bodies, b);
			json_array_append_new(lines, json_integer((json_int_t)i + 1));
		} else {
			json_decref(b);
		}
		for (int c = 0; c < k->ncols; c++)
			free(vals[c]);
	}
	json_decref(rows);
	bool dry = json_is_true(json_object_get(r->json, "dry_run"));
	json_t *ids = NULL;
	if (header_ok) {
		/* The store checks what needs the database (taken, unknown, twice in the file). */
		actor a;
		char hash[65];
		if (!actor_begin(r, &a, hash)) {
			json_decref(errs);
			json_decref(bodies);
			json_decref(lines);
			return;
		}
		json_t *serrs = NULL;
		int rc = k->store(r->db, &a, bodies, lines, dry || json_array_size(errs), &serrs, &ids);
		if (rc != ST_OK) {
			json_decref(errs);
			json_decref(bodies);
			json_decref(lines);
			json_decref(serrs);
			json_decref(ids);
			reply_status(r, rc, "import");
			return;
		}
		json_array_extend(errs, serrs);
		json_decref(serrs);
	}
	json_decref(lines);
	json_decref(bodies);
	if (!ids)
		ids = json_array();
	if (dry) {
		json_decref(ids);
		reply_json(r, 200, json_pack("{s:b, s:I, s:o, s:b, s:b, s:s}", "dry_run", 1, "rows", (json_int_t)counted, "errors",
					     errs, "valid", json_array_size(errs) == 0, "converted_from_gbk", converted,
					     "format", fmt));
		return;
	}
	if (json_array_size(errs)) {
		json_decref(ids);
		char d[120];
		snprintf(d, sizeof d, "%zu bad rows: nothing was imported", json_array_size(errs));
		reply_problem_x(r, 400, "validation_failed", d,
				json_pack("{s:o, s:[{s:s, s:s, s:s}]}", "row_errors", errs, "errors", "field", b64 ? "base64" : "csv",
					  "code", "invalid", "message", d));
		return;
	}
	json_decref(errs);
	reply_json(r, 201, json_pack("{s:I, s:o, s:b, s:s}", "imported", (json_int_t)json_array_size(ids), "ids", ids,
				     "converted_from_gbk", converted, "format", fmt));
}

void h_cust_import(req *r)
{
	import_run(r, &kinds[0]);
}

void h_asset_import(req *r)
{
	import_run(r, &kinds[1]);
}

void h_model_import(req *r)
{
	import_run(r, &kinds[2]);
}

/* --- export ---------------------------------------------------------------------------- */

static void csv_cell(buf *b, json_t *v)
{
	if (json_is_integer(v)) {
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		return;
	}
	if (json_is_real(v)) {
		buf_printf(b, "%.2f", json_real_value(v));
		return;
	}
	const char *s = json_string_value(v);
	buf_puts(b, "\"");
	for (; s && *s; s++)
		buf_append(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_puts(b, "\"");
}

void reply_table(req *r, const char *name, const char *sheet, json_t *rows, const char *fmt)
{
	char disp[160];
	if (fmt && !strcmp(fmt, "xlsx")) {
		char err[200];
		size_t n = 0;
		unsigned char *x = xlsx_write(sheet, rows, &n, err, sizeof err);
		if (!x) {
			log_msg("error", "xlsx export: %s", err);
			reply_problem(r, 500, "internal", "the workbook could not be written");
			return;
		}
		reply_text(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (const char *)x, n, true);
		free(x);
		snprintf(disp, sizeof disp, "attachment; filename=\"%s.xlsx\"", name);
	} else {
		buf b;
		buf_init(&b, 0);
		/* UTF-8 BOM so spreadsheet programs read the Chinese headers right. */
		buf_puts(&b, "\xEF\xBB\xBF");
		size_t i, j;
		json_t *row, *v;
		json_array_foreach(rows, i, row) {
			json_array_foreach(row, j, v) {
				if (j)
					buf_puts(&b, ",");
				if (i == 0)
					buf_puts(&b, json_string_value(v)); /* headers: our own words, no quotes needed */
				else
					csv_cell(&b, v);
			}
			buf_puts(&b, "\r\n");
		}
		reply_text(r, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len, true);
		buf_free(&b);
		snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"", name);
	}
	reply_header(r, "Content-Disposition", disp);
}
