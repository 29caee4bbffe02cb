/*
 * store_util.c — turning result rows into the JSON the API shows.
 * Column naming convention: "*_at", "*_due" and "*_since" columns are epoch-ms times shown
 * as ISO 8601 UTC; "lat"/"lon" are numbers; "*_json" columns hold JSON text shown as the
 * value; ids, versions, money (*_fen), scaled numbers (*_ms, *_min, *_milli, *_x100, *_bp,
 * *_days, *_months, *_km, *_count) and the plain counts named in int_names are integers;
 * everything else is text.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

void json_set_time(json_t *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	char iso[32];
	iso_from_ms(ms, iso);
	json_object_set_new(o, key, json_string(iso));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static const char *const int_suffixes[] = {"_id", "_by", "_months", "_count", "_fen", "_ms", "_min", "_milli",
					   "_x100", "_bp", "_days", "_km", NULL};
static const char *const int_names[] = {"id", "version", "mileage", "rating", "size", "width", "height", "attempts",
					"additional", "done", "public", "weekdays", "n", "minutes", "km", NULL};

static bool is_int_column(const char *name)
{
	if (!strcmp(name, "request_id"))
		return false;
	for (int i = 0; int_names[i]; i++)
		if (!strcmp(name, int_names[i]))
			return true;
	for (int i = 0; int_suffixes[i]; i++)
		if (ends_with(name, int_suffixes[i]))
			return true;
	return false;
}

json_t *row_json(const db_res *r, int row)
{
	json_t *o = json_object();
	for (int c = 0; c < db_cols(r); c++) {
		const char *name = db_colname(r, c);
		if (name[0] == '_')
			continue; /* internal columns */
		char key[64];
		snprintf(key, sizeof key, "%s", name);
		if (ends_with(key, "_json"))
			key[strlen(key) - 5] = '\0';
		if (db_isnull(r, row, c)) {
			json_object_set_new(o, key, json_null());
		} else if (ends_with(name, "_at") || !strcmp(name, "at") || ends_with(name, "_due") ||
			   ends_with(name, "_since")) {
			json_set_time(o, name, db_int(r, row, c));
		} else if (!strcmp(name, "lat") || !strcmp(name, "lon")) {
			json_object_set_new(o, name, json_real(db_real(r, row, c)));
		} else if (ends_with(name, "_json")) {
			json_t *v = json_loads(db_text(r, row, c), 0, NULL);
			json_object_set_new(o, key, v ? v : json_null());
		} else if (is_int_column(name)) {
			json_object_set_new(o, name, json_integer(db_int(r, row, c)));
		} else {
			json_object_set_new(o, name, json_string(db_text(r, row, c)));
		}
	}
	return o;
}

int page_query(db_tx *tx, const char *sql, const dbv *p, int n, int limit,
	       json_t *(*row_fn)(const db_res *r, int row), json_t **items, int64_t *next)
{
	db_res *r;
	if (db_query(tx, sql, p, n, &r) != DB_OK)
		return ST_DB;
	*items = json_array();
	int rows = db_rows(r);
	for (int i = 0; i < rows && i < limit; i++)
		json_array_append_new(*items, row_fn(r, i));
	*next = rows > limit ? db_int(r, limit - 1, 0) : 0;
	db_res_free(r);
	return ST_OK;
}

char *like_escape(const char *s, bool prefix_only)
{
	buf b;
	buf_init(&b, 0);
	if (!prefix_only)
		buf_puts(&b, "%");
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_append(&b, "\\", 1);
		buf_append(&b, s, 1);
	}
	buf_puts(&b, "%");
	return buf_steal(&b);
}
