/*
 * campaigns.c — customer care campaigns (活动, DOMAIN §6, issue 3 item 8): customers picked
 * by a rule (class, churn, brand of an asset, city), the SMS/letter/call queued for each one
 * in the same transaction (status "queued": the notification outbox of a later issue sends
 * them), and who came back (a work order created after the campaign).
 * Customers who refused contact (consent.allowed = false) are never picked.
 */
#include "store/store.h"
#include "domain/care.h"

#include <stdlib.h>
#include <string.h>

struct cp_ctx {
	const principal *who;
	const actor *a;
	int64_t id, cursor, next;
	int limit;
	json_t *in, *out;
	st_info *info;
};

static int finish(int rc, struct cp_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

#define CP_COLS "p.id, p.name, p.channel, p.message, p.rule_json, p.created_by, p.created_at, p.updated_at, p.version, " \
		"(SELECT count(*) FROM campaign_targets t WHERE t.tenant_id = p.tenant_id AND t.campaign_id = p.id) AS target_count, " \
		"(SELECT count(*) FROM campaign_targets t WHERE t.tenant_id = p.tenant_id AND t.campaign_id = p.id AND EXISTS " \
		"(SELECT 1 FROM work_orders w WHERE w.tenant_id = t.tenant_id AND w.customer_id = t.customer_id AND " \
		"w.created_at > p.created_at)) AS came_back_count"

static int cp_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT " CP_COLS " FROM campaigns p WHERE p.id = ? AND p.tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = row_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

/* The WHERE of the rule over customers c (appended to sql, parameters to p). */
static void rule_sql(buf *sql, dbv *p, int *n, const principal *who, json_t *rule, char **likes)
{
	json_t *cls = json_object_get(rule, "class"), *churn = json_object_get(rule, "churn");
	size_t i;
	json_t *v;
	if (json_array_size(cls)) {
		buf_puts(sql, " AND c.class IN (");
		json_array_foreach(cls, i, v) {
			buf_puts(sql, i ? ", ?" : "?");
			p[(*n)++] = VT(json_string_value(v));
		}
		buf_puts(sql, ")");
	}
	if (json_array_size(churn)) {
		/* last visit (or creation) within the bounds of any of the classes asked */
		care_policy cp = care_policy_default();
		int64_t tz = (int64_t)who->tz_offset_min * 60000;
		int32_t today = (int32_t)((now_ms() + tz) / 86400000);
		buf_puts(sql, " AND (");
		json_array_foreach(churn, i, v) {
			int k = care_churn_parse(json_string_value(v));
			int64_t hi = k == CHURN_ACTIVE ? INT64_MAX : ((int64_t)care_churn_cutoff(&cp, k, today) + 1) * 86400000 - tz;
			int64_t lo = k == CHURN_LOST ? INT64_MIN : ((int64_t)care_churn_cutoff(&cp, k + 1, today) + 1) * 86400000 - tz;
			buf_printf(sql, "%s(COALESCE((SELECT max(w.created_at) FROM work_orders w WHERE w.tenant_id = c.tenant_id AND "
					"w.customer_id = c.id), c.created_at) BETWEEN ? AND ?)", i ? " OR " : "");
			p[(*n)++] = VI(lo);
			p[(*n)++] = VI(hi - 1);
		}
		buf_puts(sql, ")");
	}
	const char *brand = json_string_value(json_object_get(rule, "brand"));
	if (brand) {
		buf_puts(sql, " AND EXISTS (SELECT 1 FROM assets a JOIN product_models m ON m.id = a.model_id WHERE "
			      "a.tenant_id = c.tenant_id AND a.customer_id = c.id AND m.brand = ?)");
		p[(*n)++] = VT(brand);
	}
	const char *city = json_string_value(json_object_get(rule, "city"));
	if (city) {
		*likes = like_escape(city, false);
		buf_puts(sql, " AND EXISTS (SELECT 1 FROM customer_addresses d WHERE d.tenant_id = c.tenant_id AND "
			      "d.customer_id = c.id AND (d.city = ? OR d.text LIKE ? ESCAPE '\\'))");
		p[(*n)++] = VT(city);
		p[(*n)++] = VT(*likes);
	}
}

static int create_fn(db_tx *tx, void *arg)
{
	struct cp_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t now = now_ms();
	char *rule = json_dumps(json_object_get(in, "rule"), JSON_COMPACT | JSON_SORT_KEYS);
	dbv p[] = {VI(who->tenant_id), VT(jstr(in, "name")), VT(jstr(in, "channel")), VT(jstr(in, "message")), VT(rule),
		   who->user_id ? VI(who->user_id) : VN, VI(now), VI(now)};
	int rc = db_query_int(tx,
			      "INSERT INTO campaigns(tenant_id, name, channel, message, rule_json, created_by, created_at, "
			      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      p, 8, &c->id);
	free(rule);
	if (rc != ST_OK)
		return ST_DB;
	/* The targets: every live customer the rule picks who did not refuse contact. */
	buf sql;
	buf_init(&sql, 0);
	dbv q[40];
	int n = 0;
	char *likes = NULL;
	buf_puts(&sql, "INSERT INTO campaign_targets(tenant_id, campaign_id, customer_id, address, status, queued_at) "
		       "SELECT c.tenant_id, ?, c.id, (SELECT min(phone) FROM customer_phones ph WHERE ph.tenant_id = c.tenant_id "
		       "AND ph.customer_id = c.id), 'queued', ? FROM customers c WHERE c.tenant_id = ? AND c.merged_into IS NULL "
		       "AND (c.consent_json IS NULL OR c.consent_json NOT LIKE '%\"allowed\":false%')");
	q[n++] = VI(c->id);
	q[n++] = VI(now);
	q[n++] = VI(who->tenant_id);
	rule_sql(&sql, q, &n, who, json_object_get(in, "rule"), &likes);
	int e = db_exec(tx, sql.data, q, n);
	buf_free(&sql);
	free(likes);
	if (e != DB_OK)
		return ST_DB;
	if ((rc = cp_load(tx, who, c->id, &c->out)) != ST_OK)
		return rc;
	if ((rc = audit_add(tx, c->a, "create", "campaign", c->id, NULL, c->out)) != ST_OK)
		return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/campaigns/%lld", (long long)c->id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

int store_campaign_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct cp_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, create_fn, &c), &c, out);
}

static int get_fn(db_tx *tx, void *arg)
{
	struct cp_ctx *c = arg;
	return cp_load(tx, c->who, c->id, &c->out);
}

int store_campaign_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct cp_ctx c = {.who = who, .id = id};
	return finish(db_read(d, get_fn, &c), &c, out);
}

static int list_fn(db_tx *tx, void *arg)
{
	struct cp_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[3];
	int n = 0;
	buf_puts(&sql, "SELECT " CP_COLS " FROM campaigns p WHERE p.tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->cursor) {
		buf_puts(&sql, " AND p.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY p.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return listed;
}

int store_campaign_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next)
{
	struct cp_ctx c = {.who = who, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}

static int targets_fn(db_tx *tx, void *arg)
{
	struct cp_ctx *c = arg;
	json_t *cp = NULL;
	int rc = cp_load(tx, c->who, c->id, &cp);
	json_decref(cp);
	if (rc != ST_OK)
		return rc;
	buf sql;
	buf_init(&sql, 0);
	dbv p[4];
	int n = 0;
	buf_puts(&sql, "SELECT t.id, t.customer_id, c.name AS customer_name, t.address, t.status, t.queued_at, "
		       "(SELECT min(w.created_at) FROM work_orders w, campaigns k WHERE k.id = t.campaign_id AND "
		       "w.tenant_id = t.tenant_id AND w.customer_id = t.customer_id AND w.created_at > k.created_at) AS came_back_at "
		       "FROM campaign_targets t JOIN customers c ON c.id = t.customer_id WHERE t.tenant_id = ? AND t.campaign_id = ?");
	p[n++] = VI(c->who->tenant_id);
	p[n++] = VI(c->id);
	if (c->cursor) {
		buf_puts(&sql, " AND t.id > ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY t.id LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return listed;
}

int store_campaign_targets(db *d, const principal *who, int64_t id, int limit, int64_t cursor, json_t **items,
			   int64_t *next)
{
	struct cp_ctx c = {.who = who, .id = id, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, targets_fn, &c), &c, items);
	*next = c.next;
	return rc;
}
