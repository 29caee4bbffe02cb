/*
 * dispatch_policies.c — how orders are dispatched (DOMAIN §4, issue 5): per organisation
 * (NULL = the tenant's default), order type and priority (NULL = any), a mode (manual: a
 * person picks; suggest: the system ranks, a person picks; auto: the best suggestion is
 * dispatched), the time a technician has to accept before the order is re-dispatched, and
 * optional scoring weights. The most specific row matching an order wins; none → suggest, 30.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODE "suggest"
#define DEFAULT_TIMEOUT_MIN 30

#define DP_COLS "dp.id, dp.org_id, o.name AS org_name, dp.order_type, dp.priority, dp.mode, dp.accept_timeout_min, " \
		"dp.weights_json, dp.updated_at"

struct dp_ctx {
	const principal *who;
	const actor *a;
	int64_t org_id;
	const char *type, *priority;
	json_t *in, *out;
	st_info *info;
};

static json_t *default_json(void)
{
	return json_pack("{s:s, s:i}", "mode", DEFAULT_MODE, "accept_timeout_min", DEFAULT_TIMEOUT_MIN);
}

static int dp_load(db_tx *tx, const principal *who, json_t **out)
{
	dbv p[] = {VI(who->tenant_id), VT(who->org_path)};
	db_res *r;
	if (db_query(tx,
		     "SELECT " DP_COLS " FROM dispatch_policies dp LEFT JOIN organizations o ON o.id = dp.org_id "
		     "WHERE dp.tenant_id = ? AND (dp.org_id IS NULL OR o.path LIKE ? || '%') ORDER BY dp.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	json_t *items = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(items, row_json(r, i));
	db_res_free(r);
	*out = json_pack("{s:o, s:o}", "items", items, "default", default_json());
	return ST_OK;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct dp_ctx *c = arg;
	return dp_load(tx, c->who, &c->out);
}

int store_dpolicy_list(db *d, const principal *who, json_t **out)
{
	struct dp_ctx c = {.who = who};
	int rc = db_read(d, list_fn, &c);
	*out = c.out;
	return rc;
}

static int fail_item(st_info *info, size_t i, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "items[%zu].%s", i, field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return ST_INVALID;
}

/* Items the caller may set: organisations in their subtree; the tenant default only from the
 * root organisation (a default set lower down would change every other branch). */
static int check_items(db_tx *tx, struct dp_ctx *c, json_t *items)
{
	const principal *who = c->a->who;
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) {
		int64_t org = json_integer_value(json_object_get(x, "org_id"));
		if (!org && who->org_id != who->root_org_id)
			return fail_item(c->info, i, "org_id", "only the root organisation sets the tenant default");
		int rc = org ? org_in_scope(tx, who, org, NULL, 0) : ST_OK;
		if (rc == ST_NOT_FOUND)
			return fail_item(c->info, i, "org_id", "organisation not found in your scope");
		if (rc != ST_OK)
			return rc;
	}
	return ST_OK;
}

static int put_fn(db_tx *tx, void *arg)
{
	struct dp_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *items = json_object_get(c->in, "items"), *before = NULL;
	int rc = check_items(tx, c, items);
	if (rc == ST_OK)
		rc = dp_load(tx, who, &before);
	if (rc != ST_OK)
		return rc;
	bool root = who->org_id == who->root_org_id;
	dbv pd[] = {VI(who->tenant_id), VI(who->tenant_id), VT(who->org_path), VI(root)};
	if (db_exec(tx,
		    "DELETE FROM dispatch_policies WHERE tenant_id = ? AND (org_id IN (SELECT id FROM organizations "
		    "WHERE tenant_id = ? AND path LIKE ? || '%') OR (org_id IS NULL AND ? = 1))",
		    pd, 4) != DB_OK)
		rc = ST_DB;
	size_t i;
	json_t *x;
	int64_t now = now_ms();
	json_array_foreach(items, i, x) {
		if (rc != ST_OK)
			break;
		json_t *w = json_object_get(x, "weights");
		char *wj = json_is_object(w) ? json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_t *t = json_object_get(x, "accept_timeout_min");
		int64_t org = json_integer_value(json_object_get(x, "org_id"));
		dbv p[] = {VI(who->tenant_id), org ? VI(org) : VN, VT(jstr(x, "order_type")), VT(jstr(x, "priority")),
			   VT(jstr(x, "mode")), VI(json_is_integer(t) ? json_integer_value(t) : DEFAULT_TIMEOUT_MIN),
			   VT(wj), VI(now), VI(now)};
		if (db_exec(tx,
			    "INSERT INTO dispatch_policies(tenant_id, org_id, order_type, priority, mode, accept_timeout_min, "
			    "weights_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    p, 9) != DB_OK)
			rc = ST_DB;
		free(wj);
	}
	/* unassigned orders the automatic dispatch passed over are looked at again under the new rules */
	dbv pa[] = {VI(who->tenant_id), VI(who->tenant_id), VT(who->org_path)};
	if (rc == ST_OK && db_exec(tx,
				   "UPDATE work_orders SET auto_next_at = NULL WHERE tenant_id = ? AND assignee_id IS NULL AND "
				   "auto_next_at IS NOT NULL AND org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND "
				   "path LIKE ? || '%')",
				   pa, 3) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = dp_load(tx, who, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "dispatch_policies", 0, before, c->out);
	json_decref(before);
	return rc;
}

int store_dpolicy_put(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct dp_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, put_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

int dispatch_policy_resolve_tx(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *order_type,
			       const char *priority, dispatch_policy *out)
{
	*out = (dispatch_policy){.accept_timeout_min = DEFAULT_TIMEOUT_MIN};
	snprintf(out->mode, sizeof out->mode, "%s", DEFAULT_MODE);
	/* The order's organisation path: a policy of it or of any ancestor applies. */
	dbv pp[] = {VI(org_id), VI(tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT path FROM organizations WHERE id = ? AND tenant_id = ?", pp, 2, &r) != DB_OK)
		return ST_DB;
	char *path = xstrdup(db_rows(r) ? db_text(r, 0, 0) : "");
	db_res_free(r);
	dbv p[] = {VI(tenant_id), VT(path), VT(order_type), VT(priority)};
	int rc = db_query(tx,
			  "SELECT dp.id, dp.mode, dp.accept_timeout_min, dp.weights_json FROM dispatch_policies dp "
			  "LEFT JOIN organizations o ON o.id = dp.org_id WHERE dp.tenant_id = ? AND (dp.org_id IS NULL OR "
			  "? LIKE o.path || '%') AND (dp.order_type IS NULL OR dp.order_type = ?) AND (dp.priority IS NULL "
			  "OR dp.priority = ?) ORDER BY length(COALESCE(o.path, '')) DESC, CASE WHEN dp.order_type IS NULL "
			  "THEN 0 ELSE 1 END DESC, CASE WHEN dp.priority IS NULL THEN 0 ELSE 1 END DESC LIMIT 1",
			  p, 4, &r) == DB_OK
			 ? ST_OK
			 : ST_DB;
	free(path);
	if (rc != ST_OK)
		return rc;
	if (db_rows(r)) {
		out->id = db_int(r, 0, 0);
		snprintf(out->mode, sizeof out->mode, "%s", db_text(r, 0, 1));
		out->accept_timeout_min = db_int(r, 0, 2);
		out->weights = db_isnull(r, 0, 3) ? NULL : json_loads(db_text(r, 0, 3), 0, NULL);
	}
	db_res_free(r);
	return ST_OK;
}

static int resolve_fn(db_tx *tx, void *arg)
{
	struct dp_ctx *c = arg;
	int rc = org_in_scope(tx, c->who, c->org_id, NULL, 0);
	dispatch_policy dp;
	if (rc == ST_OK)
		rc = dispatch_policy_resolve_tx(tx, c->who->tenant_id, c->org_id, c->type, c->priority, &dp);
	if (rc != ST_OK)
		return rc;
	c->out = json_pack("{s:s, s:I, s:s, s:o}", "mode", dp.mode, "accept_timeout_min",
			   (json_int_t)dp.accept_timeout_min, "source", dp.id ? "policy" : "default", "weights",
			   dp.weights ? dp.weights : json_null());
	json_object_set_new(c->out, "policy_id", dp.id ? json_integer(dp.id) : json_null());
	return ST_OK;
}

int store_dpolicy_resolve(db *d, const principal *who, int64_t org_id, const char *order_type, const char *priority,
			  json_t **out)
{
	struct dp_ctx c = {.who = who, .org_id = org_id, .type = order_type, .priority = priority};
	int rc = db_read(d, resolve_fn, &c);
	*out = c.out;
	return rc;
}
