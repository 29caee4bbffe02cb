/*
 * care.c — ABC contact plans and the contact tasks they generate (客户关怀, DOMAIN §6, issue 3
 * item 8): A weekly, B monthly, C every six months by default, each class's interval tenant
 * data (care_plans; no row = the default). The generator gives every live customer whose
 * next contact falls due within the horizon one open task — never two (a partial unique
 * index), so the scheduler may run it as often as it likes and two nodes may run it at once.
 * A task is marked done with its outcome; the next one counts from that day (a contact that
 * reached nobody is tried again two days later).
 *
 * Scope: a task belongs to the customer's organisation; staff see the tasks of their
 * subtree (the root sees all). Customer accounts have no tasks.
 */
#include "store/store.h"
#include "domain/care.h"
#include "domain/warranty.h"

#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

#define TK_COLS "t.id, t.customer_id, cu.name AS _cname, cu.class AS _cclass, t.org_id, o.name AS org_name, t.owner_id, " \
		"u.name AS owner_name, t.class, t.due_on, t.status, t.outcome, t.note, t.done_at, t.done_by, t.created_at, " \
		"t.updated_at, t.version, (SELECT min(p.phone) FROM customer_phones p WHERE p.tenant_id = t.tenant_id AND " \
		"p.customer_id = t.customer_id) AS _phone"
#define TK_FROM " FROM contact_tasks t JOIN customers cu ON cu.id = t.customer_id LEFT JOIN organizations o ON o.id = " \
		"t.org_id LEFT JOIN users u ON u.id = t.owner_id"

struct tk_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, cursor, next;
	int limit;
	const task_filter *f;
	json_t *in, *out;
	st_info *info;
	int32_t today;
};

static int32_t local_today(const principal *who)
{
	return (int32_t)((now_ms() + (int64_t)who->tz_offset_min * 60000) / DAY_MS);
}

static int32_t local_day(const principal *who, int64_t ms)
{
	return (int32_t)((ms + (int64_t)who->tz_offset_min * 60000) / DAY_MS);
}

static int invalid(st_info *info, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

static int finish(int rc, struct tk_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

/* --- plans ---------------------------------------------------------------------------- */

static int policy_load(db_tx *tx, int64_t tenant, care_policy *p, bool set[3])
{
	*p = care_policy_default();
	dbv q[] = {VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT class, every_days, every_months FROM care_plans WHERE tenant_id = ?", q, 1, &r) != DB_OK)
		return ST_DB;
	for (int i = 0; i < db_rows(r); i++) {
		const char *cls = db_text(r, i, 0);
		if (!cls || cls[0] < 'A' || cls[0] > 'C')
			continue;
		care_policy_set(p, cls[0], (int)db_int(r, i, 1), (int)db_int(r, i, 2));
		if (set)
			set[cls[0] - 'A'] = true;
	}
	db_res_free(r);
	return ST_OK;
}

static json_t *plans_json(const care_policy *p, const bool set[3])
{
	json_t *items = json_array();
	for (int i = 0; i < 3; i++) {
		char cls[2] = {(char)('A' + i), 0};
		json_array_append_new(items, json_pack("{s:s, s:i, s:i, s:b}", "class", cls, "every_days", p->contact_days[i],
						       "every_months", p->contact_days[i] ? 0 : p->contact_months[i], "default",
						       !set[i]));
	}
	return json_pack("{s:o, s:i}", "items", items, "retry_days", CARE_RETRY_DAYS);
}

static int plans_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	care_policy p;
	bool set[3] = {false, false, false};
	int rc = policy_load(tx, c->who->tenant_id, &p, set);
	if (rc == ST_OK)
		c->out = plans_json(&p, set);
	return rc;
}

int store_care_plans(db *d, const principal *who, json_t **out)
{
	struct tk_ctx c = {.who = who};
	return finish(db_read(d, plans_fn, &c), &c, out);
}

/* in: {"items":[{"class":"A","every_days":7}|{"class":"B","every_months":1}, …]} (checked). */
static int plans_set_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	const principal *who = c->a->who;
	struct tk_ctx tmp = {.who = who};
	int rc = plans_fn(tx, &tmp);
	if (rc != ST_OK)
		return rc;
	json_t *before = tmp.out;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(c->in, "items"), i, it) {
		dbv p[] = {VI(who->tenant_id), VT(jstr(it, "class")), VI(json_integer_value(json_object_get(it, "every_days"))),
			   VI(json_integer_value(json_object_get(it, "every_months"))), VI(now_ms())};
		if (db_exec(tx,
			    "INSERT INTO care_plans(tenant_id, class, every_days, every_months, updated_at) VALUES (?, ?, ?, ?, ?) "
			    "ON CONFLICT (tenant_id, class) DO UPDATE SET every_days = excluded.every_days, "
			    "every_months = excluded.every_months, updated_at = excluded.updated_at, "
			    "version = care_plans.version + 1",
			    p, 5) != DB_OK) {
			json_decref(before);
			return ST_DB;
		}
	}
	tmp.out = NULL;
	if ((rc = plans_fn(tx, &tmp)) == ST_OK) {
		c->out = tmp.out;
		rc = audit_add(tx, c->a, "update", "care_plan", who->tenant_id, before, c->out);
	}
	json_decref(before);
	return rc;
}

int store_care_plans_set(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct tk_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, plans_set_fn, &c), &c, out);
}

/* --- tasks ---------------------------------------------------------------------------- */

static json_t *tk_json(const principal *who, const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_object_set_new(o, "customer", json_pack("{s:I, s:s, s:s, s:s?}", "id", (json_int_t)db_int(r, row, 1), "name",
						     db_text(r, row, 2), "class", db_text(r, row, 3), "phone",
						     db_text(r, row, 18)));
	const char *due = db_text(r, row, 9), *st = db_text(r, row, 10);
	char today[11];
	wty_day_format(local_today(who), today);
	json_object_set_new(o, "overdue", json_boolean(st && !strcmp(st, "open") && due && strcmp(due, today) < 0));
	return o;
}

/* Tasks of the caller's subtree (the root sees every one). */
static void scope_sql(buf *sql, dbv *p, int *n, const principal *who)
{
	buf_puts(sql, " t.tenant_id = ?");
	p[(*n)++] = VI(who->tenant_id);
	if (who->org_id != who->root_org_id) {
		buf_puts(sql, " AND t.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[(*n)++] = VI(who->tenant_id);
		p[(*n)++] = VT(who->org_path);
	}
}

static int tk_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	buf sql;
	buf_init(&sql, 0);
	dbv p[5];
	int n = 0;
	buf_puts(&sql, "SELECT " TK_COLS TK_FROM " WHERE t.id = ? AND");
	p[n++] = VI(id);
	scope_sql(&sql, p, &n, who);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = tk_json(who, r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

/* The cursor carries (due day, id): the list is in the order work is done, earliest first. */
#define CURSOR_SPLIT 10000000000LL

static int list_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	const task_filter *f = c->f;
	const principal *who = c->who;
	buf sql;
	buf_init(&sql, 0);
	dbv p[16];
	int n = 0;
	char today[11], week[11], cur_day[11];
	int32_t t0 = local_today(who);
	wty_day_format(t0, today);
	wty_day_format(t0 + 7, week);
	buf_puts(&sql, "SELECT " TK_COLS TK_FROM " WHERE");
	scope_sql(&sql, p, &n, who);
	const char *st = f->status ? f->status : "open";
	if (strcmp(st, "all")) {
		buf_puts(&sql, " AND t.status = ?");
		p[n++] = VT(st);
	}
	if (f->due && !strcmp(f->due, "overdue")) {
		buf_puts(&sql, " AND t.due_on < ?");
		p[n++] = VT(today);
	} else if (f->due && !strcmp(f->due, "today")) {
		buf_puts(&sql, " AND t.due_on <= ?");
		p[n++] = VT(today);
	} else if (f->due && !strcmp(f->due, "week")) {
		buf_puts(&sql, " AND t.due_on <= ?");
		p[n++] = VT(week);
	}
	if (f->mine) {
		buf_puts(&sql, " AND t.owner_id = ?");
		p[n++] = VI(who->user_id);
	} else if (f->owner_id) {
		buf_puts(&sql, " AND t.owner_id = ?");
		p[n++] = VI(f->owner_id);
	}
	if (f->customer_id) {
		buf_puts(&sql, " AND t.customer_id = ?");
		p[n++] = VI(f->customer_id);
	}
	char path[256] = "";
	if (f->org_id) {
		int rc = org_in_scope(tx, who, f->org_id, path, sizeof path);
		if (rc != ST_OK) {
			buf_free(&sql);
			return rc;
		}
		buf_puts(&sql, " AND t.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(path);
	}
	if (c->cursor) {
		wty_day_format((int32_t)(c->cursor / CURSOR_SPLIT), cur_day);
		buf_puts(&sql, " AND (t.due_on > ? OR (t.due_on = ? AND t.id > ?))");
		p[n++] = VT(cur_day);
		p[n++] = VT(cur_day);
		p[n++] = VI(c->cursor % CURSOR_SPLIT);
	}
	buf_printf(&sql, " ORDER BY t.due_on, t.id LIMIT %d", c->limit + 1);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	c->out = json_array();
	int rows = db_rows(r);
	for (int i = 0; i < rows && i < c->limit; i++)
		json_array_append_new(c->out, tk_json(who, r, i));
	c->next = 0;
	if (rows > c->limit) {
		int32_t day = 0;
		wty_day_parse(db_text(r, c->limit - 1, 9), &day);
		c->next = (int64_t)day * CURSOR_SPLIT + db_int(r, c->limit - 1, 0);
	}
	db_res_free(r);
	return ST_OK;
}

int store_tasks_list(db *d, const principal *who, const task_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next)
{
	struct tk_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	return tk_load(tx, c->who, c->id, &c->out);
}

int store_task_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct tk_ctx c = {.who = who, .id = id};
	return finish(db_read(d, get_fn, &c), &c, out);
}

static int load_for_write(db_tx *tx, struct tk_ctx *c, json_t **before)
{
	int rc = tk_load(tx, c->a->who, c->id, before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(*before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		return ST_STALE;
	}
	if (strcmp(jstr(*before, "status"), "open")) {
		snprintf(c->info->detail, sizeof c->info->detail, "the task is %s already", jstr(*before, "status"));
		return ST_CONFLICT;
	}
	return ST_OK;
}

/* PATCH: owner_id (a user in the caller's scope, or null), due_on, note. */
static int update_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *m = NULL;
	int rc = load_for_write(tx, c, &before);
	if (rc != ST_OK)
		goto out;
	json_t *owner = json_object_get(c->in, "owner_id");
	if (json_is_integer(owner)) {
		int64_t org = 0;
		dbv pu[] = {VI(json_integer_value(owner)), VI(who->tenant_id)};
		rc = db_query_int(tx, "SELECT org_id FROM users WHERE id = ? AND tenant_id = ? AND status = 'active'", pu, 2, &org);
		if (rc == ST_OK)
			rc = org_in_scope(tx, who, org, NULL, 0);
		if (rc == ST_NOT_FOUND)
			rc = invalid(c->info, "owner_id", "no such active user in your organisation");
		if (rc != ST_OK)
			goto out;
	}
	m = json_deep_copy(before);
	json_object_update(m, c->in);
	json_t *own = json_object_get(m, "owner_id");
	dbv p[] = {json_is_integer(own) ? VI(json_integer_value(own)) : VN, VT(jstr(m, "due_on")), VT(jstr(m, "note")),
		   VI(now_ms()), VI(c->id), VI(json_integer_value(json_object_get(before, "version")))};
	int e = db_exec(tx,
			"UPDATE contact_tasks SET owner_id = ?, due_on = ?, note = ?, updated_at = ?, version = version + 1 "
			"WHERE id = ? AND version = ?",
			p, 6);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK)
		rc = tk_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "contact_task", c->id, before, c->out);
out:
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_task_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct tk_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

/* Done with its outcome (and a note): the next task of the plan counts from today. */
static int done_fn(db_tx *tx, void *arg)
{
	struct tk_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = load_for_write(tx, c, &before);
	if (rc != ST_OK)
		goto out;
	int64_t now = now_ms();
	dbv p[] = {VT(jstr(c->in, "outcome")), VT(jstr(c->in, "note") ? jstr(c->in, "note") : jstr(before, "note")), VI(now),
		   who->user_id ? VI(who->user_id) : VN, VI(now), VI(c->id),
		   VI(json_integer_value(json_object_get(before, "version")))};
	int e = db_exec(tx,
			"UPDATE contact_tasks SET status = 'done', outcome = ?, note = ?, done_at = ?, done_by = ?, updated_at = ?, "
			"version = version + 1 WHERE id = ? AND version = ?",
			p, 7);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK)
		rc = tk_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "done", "contact_task", c->id, before, c->out);
out:
	json_decref(before);
	return rc;
}

int store_task_done(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct tk_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, done_fn, &c), &c, out);
}

/* --- the generator --------------------------------------------------------------------- */

struct gen_ctx {
	const actor *a;
	int32_t today, until;
	int64_t last_id, created;
	bool more;
	care_policy policy;
};

#define GEN_BATCH 5000

static bool consent_refused(const char *consent_json)
{
	if (!consent_json)
		return false;
	json_t *c = json_loads(consent_json, 0, NULL);
	bool no = json_is_false(json_object_get(c, "allowed"));
	json_decref(c);
	return no;
}

static int gen_fn(db_tx *tx, void *arg)
{
	struct gen_ctx *g = arg;
	const principal *who = g->a->who;
	dbv p[] = {VI(who->tenant_id), VI(g->last_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT c.id, c.class, c.org_id, c.created_at, c.consent_json, "
		     "(SELECT max(w.created_at) FROM work_orders w WHERE w.tenant_id = c.tenant_id AND w.customer_id = c.id), "
		     "(SELECT max(t.done_at) FROM contact_tasks t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND "
		     "t.status = 'done'), "
		     "(SELECT t.outcome FROM contact_tasks t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND "
		     "t.status = 'done' ORDER BY t.done_at DESC, t.id DESC LIMIT 1), "
		     "(SELECT count(*) FROM contact_tasks t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND "
		     "t.status = 'open') "
		     "FROM customers c WHERE c.tenant_id = ? AND c.merged_into IS NULL AND c.id > ? ORDER BY c.id LIMIT 5000",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	int64_t now = now_ms();
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		g->last_id = db_int(r, i, 0);
		if (db_int(r, i, 8) > 0 || consent_refused(db_text(r, i, 4)))
			continue;
		const char *cls = db_text(r, i, 1);
		char c0 = cls && cls[0] >= 'A' && cls[0] <= 'C' ? cls[0] : 'C';
		int32_t due = care_task_due(&g->policy, c0, local_day(who, db_int(r, i, 3)),
					    db_isnull(r, i, 5) ? -1 : local_day(who, db_int(r, i, 5)),
					    db_isnull(r, i, 6) ? -1 : local_day(who, db_int(r, i, 6)),
					    care_outcome_parse(db_text(r, i, 7)));
		if (due > g->until)
			continue;
		/* a contact that fell due before the plan (or this tenant) started is due on the day
		 * the task is made: "overdue" counts from when someone had the task, not from 2023 */
		if (due < g->today)
			due = g->today;
		char day[11], cl[2] = {c0, 0};
		wty_day_format(due, day);
		dbv pi[] = {VI(who->tenant_id), VI(g->last_id), db_isnull(r, i, 2) ? VN : VI(db_int(r, i, 2)), VT(cl), VT(day),
			    VI(now), VI(now)};
		if (db_exec(tx,
			    "INSERT INTO contact_tasks(tenant_id, customer_id, org_id, class, due_on, created_at, updated_at) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			    pi, 7) != DB_OK)
			rc = ST_DB;
		else
			g->created += db_changes(tx);
	}
	g->more = db_rows(r) == GEN_BATCH;
	db_res_free(r);
	return rc;
}

static int gen_policy_fn(db_tx *tx, void *arg)
{
	struct gen_ctx *g = arg;
	return policy_load(tx, g->a->who->tenant_id, &g->policy, NULL);
}

static int gen_audit_fn(db_tx *tx, void *arg)
{
	struct gen_ctx *g = arg;
	char until[11];
	wty_day_format(g->until, until);
	json_t *after = json_pack("{s:I, s:s}", "created", (json_int_t)g->created, "due_until", until);
	int rc = audit_add(tx, g->a, "generate", "contact_task", 0, NULL, after);
	json_decref(after);
	return rc;
}

int store_tasks_generate(db *d, const actor *a, int32_t today, int horizon_days, int64_t *created)
{
	struct gen_ctx g = {.a = a, .today = today ? today : local_today(a->who)};
	g.until = g.today + (horizon_days > 0 ? horizon_days : 0);
	int rc = db_read(d, gen_policy_fn, &g);
	/* batches of customers, each its own transaction: a million customers do not hold the
	 * writer for long, and a crash half-way loses nothing (the next run goes on) */
	do
		rc = rc == ST_OK ? db_write(d, gen_fn, &g) : rc;
	while (rc == ST_OK && g.more);
	if (rc == ST_OK)
		rc = db_write(d, gen_audit_fn, &g);
	if (created)
		*created = g.created;
	return rc;
}

/* --- the scheduler's daily job ------------------------------------------------------------ */

struct tenants_ctx {
	int64_t id[256];
	int tz[256];
	int n;
};

static int tenants_fn(db_tx *tx, void *arg)
{
	struct tenants_ctx *t = arg;
	db_res *r;
	if (db_query(tx, "SELECT id, tz_offset_min FROM tenants ORDER BY id LIMIT 256", NULL, 0, &r) != DB_OK)
		return ST_DB;
	for (t->n = 0; t->n < db_rows(r); t->n++) {
		t->id[t->n] = db_int(r, t->n, 0);
		t->tz[t->n] = (int)db_int(r, t->n, 1);
	}
	db_res_free(r);
	return ST_OK;
}

int store_care_daily(db *d, int64_t *tasks, int64_t *assets)
{
	struct tenants_ctx t;
	int rc = db_read(d, tenants_fn, &t);
	*tasks = *assets = 0;
	for (int i = 0; i < t.n && rc == ST_OK; i++) {
		principal sys = {.tenant_id = t.id[i], .tz_offset_min = t.tz[i]};
		actor a = {&sys, "scheduler", NULL, NULL};
		int64_t made = 0, fixed = 0;
		rc = store_maint_refresh(d, t.id[i], &fixed);
		if (rc == ST_OK)
			rc = store_tasks_generate(d, &a, 0, 7, &made);
		*tasks += made;
		*assets += fixed;
	}
	return rc;
}
