/*
 * customers.c — the customer archive (客户档案, DOMAIN §2, issue 3 item 1): customers with
 * several phones (normalised +86…, unique per tenant) and addresses; lookup by the end of
 * any phone, name, plate or serial; optimistic updates; merge of two customers in one
 * transaction (every linked record moves); the archive timeline.
 *
 * Scope: customers belong to the tenant (a customer may call any outlet), so staff with
 * customer.read see every customer of their tenant; a customer account sees only itself.
 * A merged-away customer keeps its row (merged_into set) for the audit trail; lists hide it.
 */
#include "store/store.h"
#include "domain/care.h"
#include "domain/perm.h"
#include "domain/warranty.h"
#include "util/pinyin.h"

#include <stdlib.h>
#include <string.h>

#define CU_COLS "c.id, c.kind, c.name, c.class, c.source, c.tags_json, c.consent_json, c.notes, c.org_id, " \
		"c.merged_into AS _merged, c.created_at, c.updated_at, c.version, " \
		"(SELECT max(w.created_at) FROM work_orders w WHERE w.tenant_id = c.tenant_id AND w.customer_id = c.id) AS _last"

struct cu_ctx {
	const principal *who;
	const actor *a;
	int64_t id, from_id, if_match, cursor, next;
	int limit;
	const cust_filter *f;
	json_t *in, *out;
	st_info *info;
	bool no_phone_lock; /* import: thousands of rows in one transaction (PostgreSQL's lock table is finite) */
};

/* Pinyin initials of a name for the search (util/pinyin.c), at most 64 letters. */
static void initials_of(const char *name, char out[65])
{
	pinyin_initials(name, out, 65);
}

static int invalid(st_info *info, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

static bool is_customer(const principal *who)
{
	return who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
}

/* Columns shown the way row_json would, but from a table instead of working the kinds out of
 * the column names again for every row (a list page has ~50 customers and their addresses):
 * 'i' integer, 's' text, 'r' number, 't' epoch ms as ISO 8601, 'j' JSON text as its value,
 * 0 not shown. */
struct col {
	const char *key;
	char kind;
};

/* An address as children_load and PAGE_ADDRS select it. */
static const struct col addr_cols[] = {
	{"id", 'i'}, {"province", 's'}, {"city", 's'}, {"district", 's'}, {"text", 's'}, {"lat", 'r'}, {"lon", 'r'},
};

/* Members of o from the columns at, at + 1, … of row. */
static void cols_json(json_t *o, const struct col *cols, int n, const db_res *r, int row, int at)
{
	for (int c = 0; c < n; c++) {
		const char *key = cols[c].key, *v = db_text(r, row, at + c);
		json_t *j;
		switch (cols[c].kind) {
		case 't':
			json_set_time(o, key, v ? db_int(r, row, at + c) : 0);
			break;
		case 'i':
			json_object_set_new(o, key, v ? json_integer(db_int(r, row, at + c)) : json_null());
			break;
		case 'r':
			json_object_set_new(o, key, v ? json_real(db_real(r, row, at + c)) : json_null());
			break;
		case 's':
			json_object_set_new(o, key, v ? json_string(v) : json_null());
			break;
		case 'j':
			j = v ? json_loads(v, 0, NULL) : NULL;
			json_object_set_new(o, key, j ? j : json_null());
			break;
		}
	}
}

static json_t *addr_json(const db_res *r, int row, int at)
{
	json_t *a = json_object();
	cols_json(a, addr_cols, (int)(sizeof addr_cols / sizeof addr_cols[0]), r, row, at);
	return a;
}

/* Phones and addresses of customer id into o. */
static int children_load(db_tx *tx, int64_t tenant, int64_t id, json_t *o)
{
	dbv p[] = {VI(tenant), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT phone FROM customer_phones WHERE tenant_id = ? AND customer_id = ? ORDER BY id", p, 2,
		     &r) != DB_OK)
		return ST_DB;
	json_t *phones = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(phones, json_string(db_text(r, i, 0)));
	db_res_free(r);
	json_object_set_new(o, "phones", phones);
	if (db_query(tx,
		     "SELECT id, province, city, district, text, lat, lon FROM customer_addresses WHERE tenant_id = ? AND "
		     "customer_id = ? ORDER BY id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	json_t *addrs = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(addrs, addr_json(r, i, 0));
	db_res_free(r);
	json_object_set_new(o, "addresses", addrs);
	return ST_OK;
}

static int32_t local_day(const principal *who, int64_t ms)
{
	return (int32_t)((ms + (int64_t)who->tz_offset_min * 60000) / 86400000);
}

/* Customer care facts (DOMAIN §6): the last visit (latest work order, else the day the
 * customer was recorded), the churn class by the 3-6-9 rule and the next contact of the
 * ABC plan. */
static void care_facts(const principal *who, json_t *o, const db_res *r, int row)
{
	care_policy p = care_policy_default();
	int64_t last = db_isnull(r, row, 13) ? db_int(r, row, 10) : db_int(r, row, 13);
	json_set_time(o, "last_visit_at", db_isnull(r, row, 13) ? 0 : db_int(r, row, 13));
	int32_t day = local_day(who, last);
	json_object_set_new(o, "churn", json_string(care_churn_name(care_churn(&p, day, local_day(who, now_ms())))));
	const char *cls = db_text(r, row, 3);
	char next[11];
	wty_day_format(care_next_contact(&p, cls ? cls[0] : 'C', day), next);
	json_object_set_new(o, "next_contact", json_string(next));
}

/* How cu_json shows the columns of CU_COLS, in their order. */
static const struct col cu_cols[] = {
	{"id", 'i'}, {"kind", 's'}, {"name", 's'}, {"class", 's'}, {"source", 's'}, {"tags", 'j'},
	{"consent", 'j'}, {"notes", 's'}, {"org_id", 'i'}, {"merged_into", 0}, {"created_at", 't'},
	{"updated_at", 't'}, {"version", 'i'}, {"_last", 0},
};

static json_t *cu_json(const principal *who, const db_res *r, int row)
{
	json_t *o = json_object();
	cols_json(o, cu_cols, (int)(sizeof cu_cols / sizeof cu_cols[0]), r, row, 0);
	care_facts(who, o, r, row);
	if (json_is_null(json_object_get(o, "tags")))
		json_object_set_new(o, "tags", json_array());
	json_object_set_new(o, "merged_into", db_isnull(r, row, 9) ? json_null() : json_integer(db_int(r, row, 9)));
	return o;
}

/* Load one customer in scope (merged ones too, with merged_into set). */
static int cu_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	if (is_customer(who) && id != who->customer_id)
		return ST_NOT_FOUND;
	dbv p[] = {VI(id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT " CU_COLS " FROM customers c WHERE c.id = ? AND c.tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = cu_json(who, r, 0);
		rc = children_load(tx, who->tenant_id, id, *out);
	}
	db_res_free(r);
	return rc;
}

/* PostgreSQL: serialise creators of the same phone (the same lock as work orders take). */
static int phone_lock(db_tx *tx, int64_t tenant, const char *phone)
{
	if (db_tx_kind(tx) != DB_PG)
		return ST_OK;
	dbv p[] = {VI(tenant % 2147483647), VT(phone)};
	return db_exec(tx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", p, 2) == DB_OK ? ST_OK : ST_DB;
}

/* Give customer `id` exactly the phones of `phones`; a phone of another customer → conflict. */
static int phones_set(db_tx *tx, struct cu_ctx *c, int64_t id, json_t *phones)
{
	int64_t tenant = c->a->who->tenant_id;
	size_t i;
	json_t *v;
	json_array_foreach(phones, i, v) {
		const char *ph = json_string_value(v);
		int rc = c->no_phone_lock ? ST_OK : phone_lock(tx, tenant, ph);
		if (rc != ST_OK)
			return rc;
		int64_t owner = 0;
		dbv p[] = {VI(tenant), VT(ph)};
		rc = db_query_int(tx, "SELECT customer_id FROM customer_phones WHERE tenant_id = ? AND phone = ?", p, 2, &owner);
		if (rc == ST_DB)
			return rc;
		if (rc == ST_OK && owner != id) {
			c->info->existing_id = owner;
			snprintf(c->info->field, sizeof c->info->field, "phones");
			snprintf(c->info->detail, sizeof c->info->detail, "the phone %s already belongs to customer %lld", ph,
				 (long long)owner);
			return ST_CONFLICT;
		}
	}
	dbv pd[] = {VI(tenant), VI(id)};
	if (db_exec(tx, "DELETE FROM customer_phones WHERE tenant_id = ? AND customer_id = ?", pd, 2) != DB_OK)
		return ST_DB;
	json_array_foreach(phones, i, v) {
		/* the same phone twice in the list: once (a failed INSERT would abort a PostgreSQL transaction) */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = json_equal(json_array_get(phones, k), v);
		if (seen)
			continue;
		dbv p[] = {VI(tenant), VI(id), VT(json_string_value(v))};
		int e = db_exec(tx, "INSERT INTO customer_phones(tenant_id, customer_id, phone) VALUES (?, ?, ?)", p, 3);
		if (e == DB_UNIQUE) {
			/* another transaction took it meanwhile */
			snprintf(c->info->field, sizeof c->info->field, "phones");
			snprintf(c->info->detail, sizeof c->info->detail, "the phone %s already belongs to another customer",
				 json_string_value(v));
			return ST_CONFLICT;
		}
		if (e != DB_OK)
			return ST_DB;
	}
	return ST_OK;
}

static dbv num_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? VR(json_number_value(v)) : VN;
}

static int addresses_set(db_tx *tx, int64_t tenant, int64_t id, json_t *addrs)
{
	dbv pd[] = {VI(tenant), VI(id)};
	if (db_exec(tx, "DELETE FROM customer_addresses WHERE tenant_id = ? AND customer_id = ?", pd, 2) != DB_OK)
		return ST_DB;
	size_t i;
	json_t *a;
	json_array_foreach(addrs, i, a) {
		dbv p[] = {VI(tenant), VI(id), VT(jstr(a, "province")), VT(jstr(a, "city")), VT(jstr(a, "district")),
			   VT(jstr(a, "text")), num_or_null(a, "lat"), num_or_null(a, "lon")};
		if (db_exec(tx,
			    "INSERT INTO customer_addresses(tenant_id, customer_id, province, city, district, text, lat, lon) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			    p, 8) != DB_OK)
			return ST_DB;
	}
	return ST_OK;
}

static char *dump_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* Insert customer c->in with phones and addresses and its audit row; sets c->id, c->out. */
static int insert_one(db_tx *tx, struct cu_ctx *c)
{
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t org = json_integer_value(json_object_get(in, "org_id"));
	int rc;
	if (org) {
		rc = org_in_scope(tx, who, org, NULL, 0);
		if (rc != ST_OK)
			return rc == ST_NOT_FOUND ? invalid(c->info, "org_id", "organisation not found") : rc;
	} else {
		org = who->org_id;
	}
	int64_t now = now_ms();
	char *tags = dump_or_null(in, "tags"), *consent = dump_or_null(in, "consent"), ini[65];
	initials_of(jstr(in, "name"), ini);
	dbv p[] = {VI(who->tenant_id), VI(org), VT(jstr(in, "kind") ? jstr(in, "kind") : "person"), VT(jstr(in, "name")),
		   VT(jstr(in, "class") ? jstr(in, "class") : "C"), VT(jstr(in, "source")), VT(tags), VT(consent),
		   VT(jstr(in, "notes")), VI(now), VI(now), VT(ini)};
	rc = db_query_int(tx,
			  "INSERT INTO customers(tenant_id, org_id, kind, name, class, source, tags_json, consent_json, notes, "
			  "created_at, updated_at, name_initials) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  p, 12, &c->id);
	free(tags);
	free(consent);
	if (rc != ST_OK)
		return ST_DB;
	if ((rc = phones_set(tx, c, c->id, json_object_get(in, "phones"))) != ST_OK)
		return rc;
	if ((rc = addresses_set(tx, who->tenant_id, c->id, json_object_get(in, "addresses"))) != ST_OK)
		return rc;
	if ((rc = cu_load(tx, who, c->id, &c->out)) != ST_OK)
		return rc;
	return audit_add(tx, c->a, "create", "customer", c->id, NULL, c->out);
}

static int load_for_write(db_tx *tx, struct cu_ctx *c, int64_t id, int64_t if_match, json_t **before);

/* "on_duplicate":"merge": a phone of the new customer belongs to one existing customer →
 * the new phones and addresses are added to that customer instead (c->from_id = 1 tells the
 * caller it answered with an existing record). ST_NOT_FOUND: no phone is known. */
static int merge_into_existing(db_tx *tx, struct cu_ctx *c)
{
	const principal *who = c->a->who;
	json_t *phones = json_object_get(c->in, "phones");
	int64_t owner = 0;
	size_t i;
	json_t *v;
	json_array_foreach(phones, i, v) {
		int rc = phone_lock(tx, who->tenant_id, json_string_value(v));
		if (rc != ST_OK)
			return rc;
		int64_t o = 0;
		dbv p[] = {VI(who->tenant_id), VT(json_string_value(v))};
		rc = db_query_int(tx, "SELECT customer_id FROM customer_phones WHERE tenant_id = ? AND phone = ?", p, 2, &o);
		if (rc == ST_DB)
			return rc;
		if (rc == ST_OK && owner && o != owner) {
			c->info->existing_id = o;
			snprintf(c->info->field, sizeof c->info->field, "phones");
			snprintf(c->info->detail, sizeof c->info->detail,
				 "the phones belong to two customers (%lld and %lld): merge them first", (long long)owner,
				 (long long)o);
			return ST_CONFLICT;
		}
		if (rc == ST_OK)
			owner = o;
	}
	if (!owner)
		return ST_NOT_FOUND;
	json_t *before = NULL;
	int rc = load_for_write(tx, c, owner, 0, &before);
	if (rc != ST_OK)
		return rc;
	json_t *all = json_deep_copy(json_object_get(before, "phones"));
	json_array_extend(all, phones);
	json_t *addrs = json_deep_copy(json_object_get(before, "addresses"));
	json_t *more = json_object_get(c->in, "addresses");
	if (json_is_array(more))
		json_array_extend(addrs, more);
	dbv pv[] = {VI(now_ms()), VI(owner)};
	if ((rc = phones_set(tx, c, owner, all)) == ST_OK && (!json_array_size(more) ||
							      (rc = addresses_set(tx, who->tenant_id, owner, addrs)) == ST_OK)) {
		if (db_exec(tx, "UPDATE customers SET updated_at = ?, version = version + 1 WHERE id = ?", pv, 2) != DB_OK)
			rc = ST_DB;
	}
	json_decref(all);
	json_decref(addrs);
	c->id = owner;
	if (rc == ST_OK)
		rc = cu_load(tx, who, owner, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "customer", owner, before, c->out);
	json_decref(before);
	c->from_id = 1;
	return rc;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	const char *dup = jstr(c->in, "on_duplicate");
	if (dup && !strcmp(dup, "merge")) {
		int mrc = merge_into_existing(tx, c);
		if (mrc == ST_OK) {
			char loc[64];
			snprintf(loc, sizeof loc, "/api/v1/customers/%lld", (long long)c->id);
			return idem_save(tx, c->a, 200, c->out, loc);
		}
		if (mrc != ST_NOT_FOUND)
			return mrc;
	}
	int rc = insert_one(tx, c);
	if (rc != ST_OK)
		return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/customers/%lld", (long long)c->id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

/* Import: every row inserted in one transaction; a row whose phone belongs to another
 * customer (or to an earlier row of the file) is reported and nothing is kept. A dry run
 * does the same work and always rolls back. */
struct import_ctx {
	struct cu_ctx c;
	json_t *rows;   /* checked customer bodies */
	json_t *lines;  /* the file's line number of each row */
	bool dry_run;
	json_t *errors; /* [{"row","column","reason"}] */
	json_t *ids;
};

/* Owners of the file's phones, 60 per query: phone → customer id into owners. */
static int phone_owners(db_tx *tx, int64_t tenant, json_t *rows, json_t *owners)
{
	json_t *all = json_array();
	size_t i, k;
	json_t *row, *ph;
	json_array_foreach(rows, i, row) json_array_foreach(json_object_get(row, "phones"), k, ph) json_array_append(all, ph);
	int rc = ST_OK;
	enum { CHUNK = 60 }; /* the store binds at most 64 parameters (pg.c) */
	dbv p[CHUNK + 1];
	buf sql;
	buf_init(&sql, 0);
	for (size_t at = 0; at < json_array_size(all) && rc == ST_OK; at += CHUNK) {
		size_t n = json_array_size(all) - at < CHUNK ? json_array_size(all) - at : CHUNK;
		buf_reset(&sql);
		/* SQLite, without statistics, takes `tenant_id = ?` for a few rows and would rather
		 * scan the tenant's whole part of an index that holds both columns (0014) than look
		 * 60 phones up in the unique index: named here. */
		buf_puts(&sql, "SELECT phone, customer_id FROM customer_phones");
		if (db_tx_kind(tx) == DB_SQLITE)
			buf_puts(&sql, " INDEXED BY customer_phones_phone");
		buf_puts(&sql, " WHERE tenant_id = ? AND phone IN (");
		p[0] = VI(tenant);
		for (size_t j = 0; j < n; j++) {
			buf_puts(&sql, j ? ", ?" : "?");
			p[j + 1] = VT(json_string_value(json_array_get(all, at + j)));
		}
		buf_puts(&sql, ")");
		db_res *r;
		if (db_query(tx, sql.data, p, (int)n + 1, &r) != DB_OK) {
			rc = ST_DB;
			break;
		}
		for (int j = 0; j < db_rows(r); j++)
			json_object_set_new(owners, db_text(r, j, 0), json_integer(db_int(r, j, 1)));
		db_res_free(r);
	}
	buf_free(&sql);
	json_decref(all);
	return rc;
}

/* One checked row whose phones are known to be free: the customer, phones, addresses, audit. */
static int import_insert(db_tx *tx, struct cu_ctx *c, json_t *in)
{
	const principal *who = c->a->who;
	int64_t now = now_ms();
	char ini[65];
	initials_of(jstr(in, "name"), ini);
	char *tags = dump_or_null(in, "tags"), *consent = dump_or_null(in, "consent");
	dbv p[] = {VI(who->tenant_id), VI(who->org_id), VT(jstr(in, "kind") ? jstr(in, "kind") : "person"), VT(jstr(in, "name")),
		   VT(jstr(in, "class") ? jstr(in, "class") : "C"), VT(jstr(in, "source")), VT(tags), VT(consent),
		   VT(jstr(in, "notes")), VI(now), VI(now), VT(ini)};
	int rc = db_query_int(tx,
			      "INSERT INTO customers(tenant_id, org_id, kind, name, class, source, tags_json, consent_json, notes, "
			      "created_at, updated_at, name_initials) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      p, 12, &c->id);
	free(tags);
	free(consent);
	if (rc != ST_OK)
		return ST_DB;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(in, "phones"), i, v) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = json_equal(json_array_get(json_object_get(in, "phones"), k), v);
		if (seen)
			continue;
		dbv pp[] = {VI(who->tenant_id), VI(c->id), VT(json_string_value(v))};
		int e = db_exec(tx, "INSERT INTO customer_phones(tenant_id, customer_id, phone) VALUES (?, ?, ?)", pp, 3);
		if (e == DB_UNIQUE) {
			/* taken by another transaction since the check: the whole import stops */
			snprintf(c->info->field, sizeof c->info->field, "phones");
			snprintf(c->info->detail, sizeof c->info->detail, "the phone %s was just given to another customer",
				 json_string_value(v));
			return ST_CONFLICT;
		}
		if (e != DB_OK)
			return ST_DB;
	}
	json_array_foreach(json_object_get(in, "addresses"), i, v) {
		dbv pa[] = {VI(who->tenant_id), VI(c->id), VT(jstr(v, "text"))};
		if (db_exec(tx, "INSERT INTO customer_addresses(tenant_id, customer_id, text) VALUES (?, ?, ?)", pa, 3) != DB_OK)
			return ST_DB;
	}
	json_t *after = json_deep_copy(in);
	json_object_set_new(after, "id", json_integer(c->id));
	rc = audit_add(tx, c->a, "import", "customer", c->id, NULL, after);
	json_decref(after);
	return rc;
}

/* Every phone is checked first (one query per 60 phones): a phone of an existing customer
 * or of an earlier row is a row error. Only a clean file that is not a dry run is written. */
static int import_fn(db_tx *tx, void *arg)
{
	struct import_ctx *m = arg;
	const principal *who = m->c.a->who;
	json_t *owners = json_object(), *in_file = json_object();
	int rc = phone_owners(tx, who->tenant_id, m->rows, owners);
	size_t i, k;
	json_t *row, *ph;
	json_array_foreach(m->rows, i, row) {
		if (rc != ST_OK)
			break;
		json_array_foreach(json_object_get(row, "phones"), k, ph) {
			const char *p = json_string_value(ph);
			json_t *owner = json_object_get(owners, p), *earlier = json_object_get(in_file, p);
			char why[200];
			if (owner)
				snprintf(why, sizeof why, "the phone %s already belongs to customer %lld", p,
					 (long long)json_integer_value(owner));
			else if (earlier && !json_equal(earlier, json_array_get(m->lines, i)))
				snprintf(why, sizeof why, "the phone %s is also in row %lld", p, (long long)json_integer_value(earlier));
			else {
				json_object_set(in_file, p, json_array_get(m->lines, i));
				continue;
			}
			json_array_append_new(m->errors, json_pack("{s:O, s:s, s:s, s:s, s:I}", "row", json_array_get(m->lines, i),
								   "column", "phones", "code", "phone_taken", "reason", why,
								   "existing_id", (json_int_t)(owner ? json_integer_value(owner) : 0)));
			break;
		}
	}
	json_decref(owners);
	json_decref(in_file);
	if (rc != ST_OK)
		return rc;
	if (json_array_size(m->errors) || m->dry_run)
		return ST_CONFLICT; /* nothing written: the caller reports */
	json_array_foreach(m->rows, i, row) {
		st_info info = {0};
		m->c.info = &info;
		rc = import_insert(tx, &m->c, row);
		if (rc == ST_CONFLICT) {
			json_array_append_new(m->errors, json_pack("{s:O, s:s, s:s, s:s}", "row", json_array_get(m->lines, i), "column",
								   "phones", "code", "phone_taken", "reason", info.detail));
			return ST_CONFLICT;
		}
		if (rc != ST_OK)
			return rc;
		json_array_append_new(m->ids, json_integer(m->c.id));
	}
	return ST_OK;
}

int store_cust_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		      json_t **ids)
{
	struct import_ctx m = {.c = {.a = a, .no_phone_lock = true}, .rows = rows, .lines = lines, .dry_run = dry_run,
			       .errors = json_array(), .ids = json_array()};
	int rc = db_write(d, import_fn, &m);
	if (rc == ST_CONFLICT && (dry_run || json_array_size(m.errors)))
		rc = ST_OK;
	*errors = m.errors;
	if (rc != ST_OK || dry_run || json_array_size(m.errors))
		json_array_clear(m.ids);
	*ids = m.ids;
	return rc;
}

static int finish(int rc, struct cu_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

int store_cust_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct cu_ctx c = {.a = a, .in = in, .info = info};
	int rc = finish(db_write(d, create_fn, &c), &c, out);
	if (rc == ST_OK && c.from_id)
		info->existing_id = c.id; /* answered with the existing customer */
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	return cu_load(tx, c->who, c->id, &c->out);
}

int store_cust_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct cu_ctx c = {.who = who, .id = id};
	return finish(db_read(d, get_fn, &c), &c, out);
}

/* Load for a write: in scope, not merged away, version as If-Match says. */
static int load_for_write(db_tx *tx, struct cu_ctx *c, int64_t id, int64_t if_match, json_t **before)
{
	int rc = cu_load(tx, c->a->who, id, before);
	if (rc != ST_OK)
		return rc;
	if (!json_is_null(json_object_get(*before, "merged_into"))) {
		snprintf(c->info->detail, sizeof c->info->detail, "customer %lld was merged into customer %lld",
			 (long long)id, (long long)json_integer_value(json_object_get(*before, "merged_into")));
		c->info->existing_id = json_integer_value(json_object_get(*before, "merged_into"));
		return ST_CONFLICT;
	}
	int64_t version = json_integer_value(json_object_get(*before, "version"));
	if (if_match && if_match != version) {
		c->info->current_version = version;
		return ST_STALE;
	}
	return ST_OK;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *m = NULL;
	int rc = load_for_write(tx, c, c->id, c->if_match, &before);
	if (rc != ST_OK)
		goto out;
	m = json_deep_copy(before);
	json_object_update(m, c->in);
	char *tags = dump_or_null(m, "tags"), *consent = dump_or_null(m, "consent"), ini[65];
	initials_of(jstr(m, "name"), ini);
	dbv p[] = {VT(jstr(m, "kind")), VT(jstr(m, "name")), VT(jstr(m, "class")), VT(jstr(m, "source")), VT(tags),
		   VT(consent), VT(jstr(m, "notes")), VI(now_ms()), VT(ini), VI(c->id),
		   VI(json_integer_value(json_object_get(before, "version")))};
	int e = db_exec(tx,
			"UPDATE customers SET kind = ?, name = ?, class = ?, source = ?, tags_json = ?, consent_json = ?, "
			"notes = ?, updated_at = ?, name_initials = ?, version = version + 1 WHERE id = ? AND version = ?",
			p, 11);
	free(tags);
	free(consent);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK && json_object_get(c->in, "phones"))
		rc = phones_set(tx, c, c->id, json_object_get(c->in, "phones"));
	if (rc == ST_OK && json_object_get(c->in, "addresses"))
		rc = addresses_set(tx, who->tenant_id, c->id, json_object_get(c->in, "addresses"));
	if (rc == ST_OK)
		rc = cu_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "customer", c->id, before, c->out);
out:
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_cust_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct cu_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

/* A search of letters only (1..20) is also a prefix of the pinyin initials: the range
 * [lo, hi) covers every initials string starting with it ("zw" → ["zw", "zx")). */
static bool initials_query(const char *q, char lo[65], char hi[66])
{
	size_t n = strlen(q);
	if (n < 1 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = q[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return false;
		lo[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	lo[n] = '\0';
	memcpy(hi, lo, n + 1);
	hi[n - 1]++; /* 'z' + 1 is '{', still above every letter */
	return true;
}

/* The ids of a page as one parameter, so that the statement text is the same for every page
 * and SQLite keeps it prepared (a list of literals was parsed anew on every lookup): a JSON
 * array read by json_each on SQLite, an array on PostgreSQL. */
#define IDS_SQLITE "IN (SELECT value FROM json_each(?))"
#define IDS_PG "= ANY(CAST(? AS BIGINT[]))"
#define PAGE_PHONES(in) \
	"SELECT customer_id, phone FROM customer_phones WHERE tenant_id = ? AND customer_id " in " ORDER BY id"
#define PAGE_ADDRS(in) \
	"SELECT customer_id, id, province, city, district, text, lat, lon FROM customer_addresses WHERE tenant_id = ? " \
	"AND customer_id " in " ORDER BY id"

/* Phones and addresses of a page of customers, two queries for the whole page. */
static int children_load_many(db_tx *tx, int64_t tenant, json_t *items)
{
	size_t n = json_array_size(items);
	if (!n)
		return ST_OK;
	bool lite = db_tx_kind(tx) == DB_SQLITE;
	buf ids;
	buf_init(&ids, 0);
	buf_puts(&ids, lite ? "[" : "{");
	size_t i;
	json_t *o, *by_id = json_object(); /* "17" → the item */
	json_array_foreach(items, i, o) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
		buf_printf(&ids, "%s%s", i ? "," : "", k);
		json_object_set(by_id, k, o);
		json_object_set_new(o, "phones", json_array());
		json_object_set_new(o, "addresses", json_array());
	}
	buf_puts(&ids, lite ? "]" : "}");
	dbv p[] = {VI(tenant), VT(ids.data)};
	db_res *r1 = NULL, *r2 = NULL;
	int rc = ST_DB;
	if (db_query(tx, lite ? PAGE_PHONES(IDS_SQLITE) : PAGE_PHONES(IDS_PG), p, 2, &r1) != DB_OK ||
	    db_query(tx, lite ? PAGE_ADDRS(IDS_SQLITE) : PAGE_ADDRS(IDS_PG), p, 2, &r2) != DB_OK)
		goto out;
	for (int k = 0; k < db_rows(r1); k++)
		if ((o = json_object_get(by_id, db_text(r1, k, 0))))
			json_array_append_new(json_object_get(o, "phones"), json_string(db_text(r1, k, 1)));
	for (int k = 0; k < db_rows(r2); k++)
		if ((o = json_object_get(by_id, db_text(r2, k, 0))))
			json_array_append_new(json_object_get(o, "addresses"), addr_json(r2, k, 1));
	rc = ST_OK;
out:
	json_decref(by_id);
	db_res_free(r1);
	db_res_free(r2);
	buf_free(&ids);
	return rc;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	const cust_filter *f = c->f;
	const principal *who = c->who;
	buf sql;
	buf_init(&sql, 0);
	dbv p[24];
	int n = 0;
	char *like_phone = NULL, *like_name = NULL;
	/* A phone, plate or serial narrows the list to a few customers, whose ids the subqueries
	 * below find: each is then read by its primary key. The unary + keeps SQLite off
	 * customers_merged, which it would otherwise probe first for every one of them. */
	if (f->phone || f->plate || f->serial)
		buf_puts(&sql, "SELECT " CU_COLS " FROM customers c WHERE +c.tenant_id = ? AND +c.merged_into IS NULL");
	else
		buf_puts(&sql, "SELECT " CU_COLS " FROM customers c WHERE c.tenant_id = ? AND c.merged_into IS NULL");
	p[n++] = VI(who->tenant_id);
	if (is_customer(who)) {
		buf_puts(&sql, " AND c.id = ?");
		p[n++] = VI(who->customer_id);
	}
	if (f->phone) {
		/* the end of any phone: "5678" matches +8613912345678 */
		size_t len = strlen(f->phone);
		buf_puts(&sql, " AND c.id IN (SELECT customer_id FROM customer_phones WHERE tenant_id = ?");
		p[n++] = VI(who->tenant_id);
		if (len >= 4) {
			/* uses the index customer_phones_tail (0014_phone_tail.sql), which holds the phone and
			 * customer too; the rest of the digits by substr, not LIKE: SQLite re-prepares a
			 * statement whose LIKE pattern is bound */
			buf_printf(&sql, " AND substr(phone, length(phone) - 3) = ? AND substr(phone, length(phone) - %d) = ?",
				   (int)len - 1);
			p[n++] = VT(f->phone + len - 4);
			p[n++] = VT(f->phone);
		} else {
			like_phone = xasprintf("%%%s", f->phone);
			buf_puts(&sql, " AND phone LIKE ?");
			p[n++] = VT(like_phone);
		}
		buf_puts(&sql, ")");
	}
	char ini_lo[65], ini_hi[66];
	if (f->name) {
		like_name = like_escape(f->name, false);
		if (initials_query(f->name, ini_lo, ini_hi)) {
			/* letters only: the name, or the start of its pinyin initials ("zw" → 张伟) */
			buf_puts(&sql, " AND (c.name LIKE ? ESCAPE '\\' OR (c.name_initials >= ? AND c.name_initials < ?))");
			p[n++] = VT(like_name);
			p[n++] = VT(ini_lo);
			p[n++] = VT(ini_hi);
		} else {
			buf_puts(&sql, " AND c.name LIKE ? ESCAPE '\\'");
			p[n++] = VT(like_name);
		}
	}
	if (f->plate) {
		buf_puts(&sql, " AND c.id IN (SELECT customer_id FROM assets WHERE tenant_id = ? AND plate = ?)");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(f->plate);
	}
	if (f->serial) {
		buf_puts(&sql, " AND c.id IN (SELECT customer_id FROM assets WHERE tenant_id = ? AND serial = ?)");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(f->serial);
	}
	if (f->cls) {
		buf_puts(&sql, " AND c.class = ?");
		p[n++] = VT(f->cls);
	}
	if (f->churn >= 0) {
		/* last visit within [lo, hi) in epoch ms, from the 3-6-9 cut-off days */
		care_policy cp = care_policy_default();
		int32_t today = local_day(who, now_ms());
		int64_t tz = (int64_t)who->tz_offset_min * 60000;
		int64_t hi = f->churn == CHURN_ACTIVE ? INT64_MAX
						      : ((int64_t)care_churn_cutoff(&cp, f->churn, today) + 1) * 86400000 - tz;
		int64_t lo = f->churn == CHURN_LOST ? INT64_MIN
						    : ((int64_t)care_churn_cutoff(&cp, f->churn + 1, today) + 1) * 86400000 - tz;
		buf_puts(&sql, " AND COALESCE((SELECT max(w.created_at) FROM work_orders w WHERE w.tenant_id = c.tenant_id AND "
			       "w.customer_id = c.id), c.created_at) >= ? AND COALESCE((SELECT max(w.created_at) FROM work_orders w "
			       "WHERE w.tenant_id = c.tenant_id AND w.customer_id = c.id), c.created_at) < ?");
		p[n++] = VI(lo);
		p[n++] = VI(hi);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND c.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY c.id DESC LIMIT %d", c->limit + 1);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	free(like_phone);
	free(like_name);
	if (e != DB_OK)
		return ST_DB;
	c->out = json_array();
	int rows = db_rows(r);
	for (int i = 0; i < rows && i < c->limit; i++)
		json_array_append_new(c->out, cu_json(who, r, i));
	c->next = rows > c->limit ? db_int(r, c->limit - 1, 0) : 0;
	db_res_free(r);
	return children_load_many(tx, who->tenant_id, c->out);
}

int store_cust_list(db *d, const principal *who, const cust_filter *f, int limit, int64_t cursor, json_t **items,
		    int64_t *next)
{
	struct cu_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}

/* Export: pages of 1,000 in one read transaction, up to `limit` customers. */
static int export_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	int want = c->limit;
	json_t *all = json_array();
	int rc = ST_OK;
	c->cursor = 0;
	do {
		c->limit = want - (int)json_array_size(all) < 1000 ? want - (int)json_array_size(all) : 1000;
		c->out = NULL;
		c->next = 0;
		rc = list_fn(tx, c);
		if (c->out)
			json_array_extend(all, c->out);
		json_decref(c->out);
		c->cursor = c->next;
	} while (rc == ST_OK && c->next && (int)json_array_size(all) < want);
	c->out = all;
	return rc;
}

int store_cust_export(db *d, const principal *who, const cust_filter *f, int limit, json_t **items)
{
	struct cu_ctx c = {.who = who, .f = f, .limit = limit};
	return finish(db_read(d, export_fn, &c), &c, items);
}

/* name_initials of rows written without them (work orders create customers too; rows from
 * before 0005): up to 5,000 per transaction. */
struct fill_ctx {
	int64_t tenant_id;
	int done;
};

static int fill_fn(db_tx *tx, void *arg)
{
	struct fill_ctx *f = arg;
	dbv p[] = {VI(f->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT id, name FROM customers WHERE tenant_id = ? AND name_initials IS NULL LIMIT 5000", p, 1, &r) !=
	    DB_OK)
		return ST_DB;
	f->done = db_rows(r);
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		char ini[65];
		initials_of(db_text(r, i, 1), ini);
		dbv pu[] = {VT(ini), VI(db_int(r, i, 0))};
		if (db_exec(tx, "UPDATE customers SET name_initials = ? WHERE id = ?", pu, 2) != DB_OK)
			rc = ST_DB;
	}
	db_res_free(r);
	return rc;
}

static int any_missing_fn(db_tx *tx, void *arg)
{
	struct fill_ctx *f = arg;
	dbv p[] = {VI(f->tenant_id)};
	int64_t one;
	int rc = db_query_int(tx, "SELECT 1 FROM customers WHERE tenant_id = ? AND name_initials IS NULL LIMIT 1", p, 1, &one);
	f->done = rc == ST_OK;
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

int store_cust_initials_fill(db *d, int64_t tenant_id)
{
	struct fill_ctx f = {tenant_id, 0};
	int rc = db_read(d, any_missing_fn, &f);
	while (rc == ST_OK && f.done)
		rc = db_write(d, fill_fn, &f);
	return rc;
}

static int merge_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *into = NULL, *from = NULL;
	int rc;
	if (c->id == c->from_id) {
		rc = invalid(c->info, "from_id", "a customer cannot be merged into itself");
		goto out;
	}
	/* PostgreSQL: lock both rows (in id order) so two merges of the same customers serialise. */
	if (db_tx_kind(tx) == DB_PG) {
		dbv pl[] = {VI(c->id < c->from_id ? c->id : c->from_id), VI(c->id < c->from_id ? c->from_id : c->id),
			    VI(who->tenant_id)};
		db_res *lr;
		if (db_query(tx, "SELECT id FROM customers WHERE id IN (?, ?) AND tenant_id = ? ORDER BY id FOR UPDATE", pl, 3,
			     &lr) != DB_OK) {
			rc = ST_DB;
			goto out;
		}
		db_res_free(lr);
	}
	if ((rc = load_for_write(tx, c, c->id, c->if_match, &into)) != ST_OK)
		goto out;
	if ((rc = load_for_write(tx, c, c->from_id, 0, &from)) != ST_OK) {
		if (rc == ST_NOT_FOUND)
			rc = invalid(c->info, "from_id", "customer not found");
		else if (rc == ST_CONFLICT)
			snprintf(c->info->field, sizeof c->info->field, "from_id");
		goto out;
	}
	/* Every linked record moves to the customer kept. DOMAIN §2: the archive is the customer
	 * with all their assets, orders, calls, letters, complaints and bills. */
	static const char *const moves[] = {
		"UPDATE customer_phones SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE customer_addresses SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE assets SET customer_id = ?, version = version + 1 WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE work_orders SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE warranty_registrations SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE users SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?",
		"UPDATE campaign_targets SET customer_id = ? WHERE tenant_id = ? AND customer_id = ? AND campaign_id NOT IN "
		"(SELECT campaign_id FROM campaign_targets WHERE tenant_id = ? AND customer_id = ?)",
		"UPDATE contact_tasks SET customer_id = ? WHERE tenant_id = ? AND customer_id = ? AND (status <> 'open' OR "
		"NOT EXISTS (SELECT 1 FROM contact_tasks o WHERE o.tenant_id = ? AND o.customer_id = ? AND o.status = 'open'))",
	};
	for (size_t i = 0; i < ARRAY_LEN(moves); i++) {
		dbv p[] = {VI(c->id), VI(who->tenant_id), VI(c->from_id), VI(who->tenant_id), VI(c->id)};
		if (db_exec(tx, moves[i], p, strstr(moves[i], "NOT ") ? 5 : 3) != DB_OK) {
			rc = ST_DB;
			goto out;
		}
	}
	/* the moved assets are listed in the due list of the kept customer's organisation */
	dbv po[] = {VI(c->id), VI(who->tenant_id), VI(c->id)};
	if (db_exec(tx, "UPDATE assets SET due_org_id = (SELECT org_id FROM customers WHERE id = ?) WHERE tenant_id = ? AND "
			"customer_id = ? AND due_org_id IS NOT NULL",
		    po, 3) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	/* an open contact task of the customer merged away ends with it (the kept one has its own plan) */
	dbv pt[] = {VI(now_ms()), VI(who->tenant_id), VI(c->from_id)};
	if (db_exec(tx, "UPDATE contact_tasks SET status = 'cancelled', outcome = 'merged', updated_at = ?, version = version + 1 "
			"WHERE tenant_id = ? AND customer_id = ? AND status = 'open'",
		    pt, 3) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	int64_t now = now_ms();
	/* The better class of the two is kept (A before B before C). */
	const char *ca = jstr(into, "class"), *cb = jstr(from, "class");
	const char *cls = ca && cb && strcmp(cb, ca) < 0 ? cb : ca;
	dbv pf[] = {VI(c->id), VI(now), VI(c->from_id)};
	char ini[65];
	initials_of(jstr(into, "name"), ini);
	dbv pi[] = {VT(cls), VI(now), VT(ini), VI(c->id)};
	if (db_exec(tx, "UPDATE customers SET merged_into = ?, updated_at = ?, version = version + 1 WHERE id = ?", pf, 3) !=
		    DB_OK ||
	    db_exec(tx, "UPDATE customers SET class = ?, updated_at = ?, name_initials = ?, version = version + 1 WHERE id = ?",
		    pi, 4) != DB_OK) {
		rc = ST_DB;
		goto out;
	}
	if ((rc = cu_load(tx, who, c->id, &c->out)) != ST_OK)
		goto out;
	json_t *note = json_pack("{s:I}", "merged_into", (json_int_t)c->id);
	rc = audit_add(tx, c->a, "merge", "customer", c->from_id, from, note);
	json_decref(note);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "merge", "customer", c->id, into, c->out);
out:
	json_decref(into);
	json_decref(from);
	return rc;
}

int store_cust_merge(db *d, const actor *a, int64_t id, int64_t from_id, int64_t if_match, json_t **out,
		     st_info *info)
{
	struct cu_ctx c = {.a = a, .id = id, .from_id = from_id, .if_match = if_match, .info = info};
	return finish(db_write(d, merge_fn, &c), &c, out);
}

static int timeline_fn(db_tx *tx, void *arg)
{
	struct cu_ctx *c = arg;
	const principal *who = c->who;
	json_t *cust = NULL;
	int rc = cu_load(tx, who, c->id, &cust);
	json_decref(cust);
	if (rc != ST_OK)
		return rc;
	/* Audit rows of the customer and of its assets, and the events of its work orders, newest first. */
	dbv p[] = {VI(who->tenant_id), VI(c->id), VI(who->tenant_id), VI(c->id),
		   VI(who->tenant_id), VI(who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT * FROM ("
		     "SELECT l.at AS at, l.action AS event, l.entity AS entity, l.entity_id AS entity_id, u.name AS actor "
		     "FROM audit_log l LEFT JOIN users u ON u.id = l.user_id WHERE l.tenant_id = ? AND "
		     "((l.entity = 'customer' AND l.entity_id = ?) OR (l.entity = 'asset' AND "
		     "l.entity_id IN (SELECT id FROM assets WHERE tenant_id = ? AND customer_id = ?))) "
		     "UNION ALL "
		     "SELECT e.at, e.event, 'work_order', e.order_id, u.name FROM wo_events e JOIN work_orders w ON w.id = "
		     "e.order_id LEFT JOIN users u ON u.id = e.actor_id WHERE e.tenant_id = ? AND w.tenant_id = ? AND "
		     "w.customer_id = ?) t ORDER BY at DESC LIMIT 500",
		     p, 7, &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++) {
		json_t *e = json_object();
		json_set_time(e, "at", db_int(r, i, 0));
		json_object_set_new(e, "event", json_string(db_text(r, i, 1)));
		json_object_set_new(e, "entity", json_string(db_text(r, i, 2)));
		json_object_set_new(e, "entity_id", json_integer(db_int(r, i, 3)));
		json_object_set_new(e, "actor", db_text(r, i, 4) ? json_string(db_text(r, i, 4)) : json_null());
		json_array_append_new(c->out, e);
	}
	db_res_free(r);
	return ST_OK;
}

int store_cust_timeline(db *d, const principal *who, int64_t id, json_t **items)
{
	struct cu_ctx c = {.who = who, .id = id};
	return finish(db_read(d, timeline_fn, &c), &c, items);
}
