/*
 * imports.c — POST /api/v1/customers/import: customers from a CSV file (issue 3 item 9).
 * The file travels in JSON as text ("csv") or as bytes ("base64", for GBK files from Chinese
 * Excel, detected and converted). Every bad row is reported (row number, column, reason) and
 * nothing is imported until the whole file is clean; "dry_run": true only reports.
 * Headers may be Chinese or English: 姓名/name, 电话/phones, 等级/class, 类型/kind,
 * 地址/address, 来源/source, 备注/notes.
 */
#include "api/api.h"
#include "domain/phone.h"
#include "util/csv.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_MAX_ROWS 100000

static const struct field import_fields[] = {
	{"csv", F_STR, false, 0x7fffffff, NULL, false},
	{"base64", F_STR, false, 0x7fffffff, NULL, false},
	{"filename", F_STR, false, 200, NULL, true},
	{"dry_run", F_BOOL, false, 0, NULL, false},
	{0},
};

enum col { C_NAME, C_PHONES, C_CLASS, C_KIND, C_ADDRESS, C_SOURCE, C_NOTES, C_COUNT };
static const struct {
	const char *zh, *en, *alt;
} cols[C_COUNT] = {
	[C_NAME] = {"姓名", "name", "客户名称"},    [C_PHONES] = {"电话", "phones", "phone"},
	[C_CLASS] = {"等级", "class", "客户等级"},   [C_KIND] = {"类型", "kind", "客户类型"},
	[C_ADDRESS] = {"地址", "address", NULL}, [C_SOURCE] = {"来源", "source", NULL},
	[C_NOTES] = {"备注", "notes", NULL},
};

/* code: a stable word the console translates; reason: the English sentence. */
static void row_error(json_t *errs, json_int_t row, const char *column, const char *code, const char *reason)
{
	json_array_append_new(errs, json_pack("{s:I, s:s, s:s, s:s}", "row", row, "column", column, "code", code, "reason",
					       reason));
}

static char *trim(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/* One data row → a customer body, or errors. */
static json_t *row_body(json_t *row, const int *at, const char *const *names, json_int_t line, json_t *errs)
{
	json_t *o = json_object();
	size_t before = json_array_size(errs);
	char *v[C_COUNT] = {0};
	for (int k = 0; k < C_COUNT; k++)
		v[k] = trim(at[k] >= 0 && (size_t)at[k] < json_array_size(row) ? json_string_value(json_array_get(row, (size_t)at[k])) : "");
	if (!*v[C_NAME] || utf8_chars(v[C_NAME]) > 100)
		row_error(errs, line, names[C_NAME], *v[C_NAME] ? "name_long" : "name_empty",
			  *v[C_NAME] ? "name is longer than 100 characters" : "name is empty");
	else
		json_object_set_new(o, "name", json_string(v[C_NAME]));
	json_t *phones = json_array();
	char *save = v[C_PHONES];
	for (char *p = v[C_PHONES]; *p;) {
		/* separators: ; , / space and the Chinese ；，、 */
		size_t len = strcspn(p, ";,/ ");
		const char *cn[] = {"；", "，", "、"};
		for (size_t k = 0; k < 3; k++) {
			char *hit = strstr(p, cn[k]);
			if (hit && (size_t)(hit - p) < len)
				len = (size_t)(hit - p);
		}
		if (len) {
			char one[40], norm[20];
			snprintf(one, sizeof one, "%.*s", (int)(len < 39 ? len : 39), p);
			if (len > 32 || !phone_normalize(one, norm)) {
				char m[120];
				snprintf(m, sizeof m, "not a valid Chinese phone number: %s", one);
				row_error(errs, line, names[C_PHONES], "phone_invalid", m);
			} else {
				json_array_append_new(phones, json_string(norm));
			}
		}
		p += len;
		if (!*p)
			break;
		p += (unsigned char)*p >= 0x80 ? 3 : 1;
	}
	(void)save;
	if (!json_array_size(phones) && json_array_size(errs) == before)
		row_error(errs, line, names[C_PHONES], "phone_missing", "no phone");
	if (json_array_size(phones) > 10)
		row_error(errs, line, names[C_PHONES], "phone_many", "more than 10 phones");
	json_object_set_new(o, "phones", phones);
	if (*v[C_CLASS]) {
		const char *c = v[C_CLASS];
		if ((c[0] == 'A' || c[0] == 'B' || c[0] == 'C') && (!c[1] || !strcmp(c + 1, "类")))
			json_object_set_new(o, "class", json_stringn(c, 1));
		else
			row_error(errs, line, names[C_CLASS], "class_invalid", "class is A, B or C");
	}
	if (*v[C_KIND]) {
		const char *k = v[C_KIND];
		if (!strcmp(k, "个人") || !strcmp(k, "person"))
			json_object_set_new(o, "kind", json_string("person"));
		else if (!strcmp(k, "单位") || !strcmp(k, "公司") || !strcmp(k, "company"))
			json_object_set_new(o, "kind", json_string("company"));
		else
			row_error(errs, line, names[C_KIND], "kind_invalid", "kind is 个人/person or 单位/company");
	}
	if (*v[C_ADDRESS]) {
		if (utf8_chars(v[C_ADDRESS]) > 300)
			row_error(errs, line, names[C_ADDRESS], "address_long", "address is longer than 300 characters");
		else
			json_object_set_new(o, "addresses", json_pack("[{s:s}]", "text", v[C_ADDRESS]));
	}
	if (*v[C_SOURCE])
		json_object_set_new(o, "source", json_stringn(v[C_SOURCE], strlen(v[C_SOURCE]) > 50 ? 50 : strlen(v[C_SOURCE])));
	if (*v[C_NOTES]) {
		if (utf8_chars(v[C_NOTES]) > 2000)
			row_error(errs, line, names[C_NOTES], "notes_long", "notes are longer than 2000 characters");
		else
			json_object_set_new(o, "notes", json_string(v[C_NOTES]));
	}
	json_object_set_new(o, "source", json_object_get(o, "source") ? json_incref(json_object_get(o, "source"))
								       : json_string("import"));
	for (int k = 0; k < C_COUNT; k++)
		free(v[k]);
	if (json_array_size(errs) != before) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void h_cust_import(req *r)
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
	char *text = NULL, err[200] = "";
	int converted = 0;
	if (b64) {
		size_t cap = strlen(b64) / 4 * 3 + 3, n = 0;
		unsigned char *bytes = xmalloc(cap + 1);
		if (sodium_base642bin(bytes, cap, b64, strlen(b64), "\r\n ", &n, NULL, sodium_base64_VARIANT_ORIGINAL)) {
			free(bytes);
			verr_init(&v);
			verr_add(&v, "base64", "invalid", "base64 is not valid base64");
			verr_reply(&v, r);
			return;
		}
		text = csv_text_from_bytes(bytes, n, &converted, err, sizeof err);
		free(bytes);
	} else {
		int dummy;
		text = csv_text_from_bytes((const unsigned char *)csv, strlen(csv), &dummy, err, sizeof err);
	}
	if (!text) {
		verr_init(&v);
		verr_add(&v, b64 ? "base64" : "csv", "invalid", err);
		verr_reply(&v, r);
		return;
	}
	json_t *rows = csv_parse(text, strlen(text), IMPORT_MAX_ROWS + 1, err, sizeof err);
	free(text);
	if (!rows || json_array_size(rows) < 1) {
		verr_init(&v);
		verr_add(&v, b64 ? "base64" : "csv", "invalid", rows ? "the file is empty" : err);
		json_decref(rows);
		verr_reply(&v, r);
		return;
	}
	/* Header row: which column holds what. */
	json_t *head = json_array_get(rows, 0);
	int at[C_COUNT];
	const char *names[C_COUNT];
	for (int k = 0; k < C_COUNT; k++) {
		at[k] = -1;
		names[k] = cols[k].zh;
		for (size_t i = 0; i < json_array_size(head); i++) {
			char *h = trim(json_string_value(json_array_get(head, i)));
			if (!strcmp(h, cols[k].zh) || !strcasecmp(h, cols[k].en) || (cols[k].alt && !strcmp(h, cols[k].alt))) {
				at[k] = (int)i;
				names[k] = json_string_value(json_array_get(head, i));
			}
			free(h);
		}
	}
	json_t *errs = json_array();
	if (at[C_NAME] < 0)
		row_error(errs, 1, cols[C_NAME].zh, "header_missing", "the header has no 姓名/name column");
	if (at[C_PHONES] < 0)
		row_error(errs, 1, cols[C_PHONES].zh, "header_missing", "the header has no 电话/phones column");
	json_t *bodies = json_array(), *lines = json_array();
	size_t nrows = json_array_size(rows) - 1;
	if (nrows > IMPORT_MAX_ROWS)
		row_error(errs, IMPORT_MAX_ROWS + 2, "", "too_many_rows", "more than 100000 rows: split the file");
	for (size_t i = 1; i <= nrows && json_array_size(errs) < 1000 && nrows <= IMPORT_MAX_ROWS && at[C_NAME] >= 0 &&
			   at[C_PHONES] >= 0;
	     i++) {
		json_t *b = row_body(json_array_get(rows, i), at, names, (json_int_t)i + 1, errs);
		if (b) {
			json_array_append_new(bodies, b);
			json_array_append_new(lines, json_integer((json_int_t)i + 1));
		}
	}
	json_decref(rows);
	bool dry = json_is_true(json_object_get(r->json, "dry_run"));
	json_t *ids = json_array();
	if (at[C_NAME] >= 0 && at[C_PHONES] >= 0) {
		/* The store checks what needs the database (a phone taken, twice in the file). */
		actor a;
		char hash[65];
		if (!actor_begin(r, &a, hash)) {
			json_decref(errs);
			json_decref(bodies);
			json_decref(lines);
			json_decref(ids);
			return;
		}
		json_t *serrs = NULL;
		json_decref(ids);
		int rc = store_cust_import(r->db, &a, bodies, lines, dry || json_array_size(errs), &serrs, &ids);
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
	size_t total = nrows;
	json_decref(bodies);
	if (dry) {
		json_decref(ids);
		reply_json(r, 200, json_pack("{s:b, s:I, s:o, s:b, s:b}", "dry_run", 1, "rows", (json_int_t)total, "errors", errs,
					     "valid", json_array_size(errs) == 0, "converted_from_gbk", converted));
		return;
	}
	if (json_array_size(errs)) {
		json_decref(ids);
		char d[120];
		snprintf(d, sizeof d, "%zu bad rows: nothing was imported", json_array_size(errs));
		reply_problem_x(r, 400, "validation_failed", d, json_pack("{s:o, s:[{s:s, s:s, s:s}]}", "row_errors", errs,
									  "errors", "field", "csv", "code", "invalid", "message", d));
		return;
	}
	reply_json(r, 201, json_pack("{s:I, s:o, s:b}", "imported", (json_int_t)json_array_size(ids), "ids", ids,
				     "converted_from_gbk", converted));
}
