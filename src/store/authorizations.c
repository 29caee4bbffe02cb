/*
 * authorizations.c — 网签 (DOMAIN §1–2, §4; issue 5 item 4): a manufacturer or station (the
 * principal) authorises an outlet to do warranty work of one brand and category over a period.
 * One side proposes (and so accepts), the other accepts; then it is active. Either side may
 * suspend (with a reason), resume, or end it (with a reason; final). Dispatch asks
 * authz_allows(): an outlet gets a brand's warranty work only under an active authorisation
 * valid that day.
 *
 * Who is a side: a caller acts for their party — the nearest manufacturer, station or outlet at
 * or above their organisation (an outlet's departments act for the outlet, never for the
 * station above it). Who sees one: the people of both parties, and anyone whose subtree
 * holds a party.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define AUTHZ_COLS                                                                                                  \
	"a.id, a.principal_org_id, po.name AS principal_name, po.type AS principal_type, a.outlet_org_id, "          \
	"oo.name AS outlet_name, a.brand, a.category, a.valid_from, a.valid_to, a.status, a.status_reason, "         \
	"a.proposed_by_org_id, a.principal_accepted_at, a.principal_accepted_by, a.outlet_accepted_at, "             \
	"a.outlet_accepted_by, a.created_by, a.created_at, a.updated_at, a.version"
/* Visible: a side in the caller's subtree, or the caller's party is a side. */
#define AUTHZ_FROM                                                                                                  \
	" FROM authorizations a JOIN organizations po ON po.id = a.principal_org_id JOIN organizations oo ON "         \
	"oo.id = a.outlet_org_id WHERE a.tenant_id = ? AND (po.path LIKE ? || '%' OR oo.path LIKE ? || '%' OR "     \
	"a.principal_org_id = ? OR a.outlet_org_id = ?)"
#define AUTHZ_SCOPE(who, party) VI((who)->tenant_id), VT((who)->org_path), VT((who)->org_path), VI(party), VI(party)

struct authz_ctx {
	const principal *who;
	const actor *a;
	const authz_filter *f;
	int64_t id, if_match, cursor, next;
	int limit;
	const char *action, *reason;
	json_t *in, *out;
	st_info *info;
};

static int fail(st_info *info, int rc, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return rc;
}

/* The caller's party: the nearest manufacturer, station or outlet at or above their
 * organisation; 0 if none (the platform). */
static int party_of(db_tx *tx, const principal *who, int64_t *party)
{
	dbv p[] = {VI(who->tenant_id), VT(who->org_path)};
	*party = 0;
	int rc = db_query_int(tx,
			      "SELECT id FROM organizations WHERE tenant_id = ? AND ? LIKE path || '%' AND type IN "
			      "('manufacturer', 'station', 'outlet') ORDER BY length(path) DESC LIMIT 1",
			      p, 2, party);
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

/* Which side the caller's party is: "principal", "outlet" or NULL. */
static const char *side_of(int64_t party, json_t *authz)
{
	if (!party)
		return NULL;
	if (json_integer_value(json_object_get(authz, "principal_org_id")) == party)
		return "principal";
	return json_integer_value(json_object_get(authz, "outlet_org_id")) == party ? "outlet" : NULL;
}

static int authz_load(db_tx *tx, const principal *who, int64_t id, json_t **out, int64_t *party_out)
{
	int64_t party;
	int rc = party_of(tx, who, &party);
	if (rc != ST_OK)
		return rc;
	if (party_out)
		*party_out = party;
	dbv p[] = {AUTHZ_SCOPE(who, party), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " AUTHZ_COLS AUTHZ_FROM " AND a.id = ?", p, 6, &r) != DB_OK)
		return ST_DB;
	rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = row_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

/* --- list and get ------------------------------------------------------------------------ */

static int list_fn(db_tx *tx, void *arg)
{
	struct authz_ctx *c = arg;
	const authz_filter *f = c->f;
	int64_t party;
	int rc = party_of(tx, c->who, &party);
	if (rc != ST_OK)
		return rc;
	buf sql;
	buf_init(&sql, 0);
	dbv p[16] = {AUTHZ_SCOPE(c->who, party)};
	int n = 5;
	buf_puts(&sql, "SELECT " AUTHZ_COLS AUTHZ_FROM);
	if (f->outlet_org_id) {
		buf_puts(&sql, " AND a.outlet_org_id = ?");
		p[n++] = VI(f->outlet_org_id);
	}
	if (f->principal_org_id) {
		buf_puts(&sql, " AND a.principal_org_id = ?");
		p[n++] = VI(f->principal_org_id);
	}
	if (f->brand) {
		buf_puts(&sql, " AND a.brand = ?");
		p[n++] = VT(f->brand);
	}
	if (f->category) {
		buf_puts(&sql, " AND a.category = ?");
		p[n++] = VT(f->category);
	}
	if (f->status) {
		buf_puts(&sql, " AND a.status = ?");
		p[n++] = VT(f->status);
	}
	if (f->valid_on) { /* what authz_allows() would say yes to */
		buf_puts(&sql, " AND a.status = 'active' AND a.valid_from <= ? AND a.valid_to >= ?");
		p[n++] = VT(f->valid_on);
		p[n++] = VT(f->valid_on);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND a.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY a.id DESC LIMIT %d", c->limit + 1);
	rc = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return rc;
}

int store_authz_list(db *d, const principal *who, const authz_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next)
{
	struct authz_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct authz_ctx *c = arg;
	return authz_load(tx, c->who, c->id, &c->out, NULL);
}

int store_authz_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct authz_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

/* --- propose ----------------------------------------------------------------------------- */

/* An organisation of the tenant (either side may lie outside the caller's subtree) of one of
 * the allowed types. */
static int org_of_type(db_tx *tx, struct authz_ctx *c, const char *field, const char *const *types,
		       const char *want)
{
	int64_t id = json_integer_value(json_object_get(c->in, field));
	dbv p[] = {VI(id), VI(c->a->who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT type FROM organizations WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	char detail[160];
	if (!db_rows(r)) {
		snprintf(detail, sizeof detail, "organisation %lld not found", (long long)id);
		rc = fail(c->info, ST_INVALID, field, detail);
	} else {
		const char *type = db_text(r, 0, 0);
		bool ok = false;
		for (int i = 0; types[i]; i++)
			ok = ok || !strcmp(type, types[i]);
		snprintf(detail, sizeof detail, "organisation %lld is a %s; it must be %s", (long long)id, type, want);
		if (!ok)
			rc = fail(c->info, ST_INVALID, field, detail);
	}
	db_res_free(r);
	return rc;
}

static int create_fn(db_tx *tx, void *arg)
{
	static const char *const principals[] = {"manufacturer", "station", NULL};
	static const char *const outlets[] = {"outlet", NULL};
	struct authz_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t party = 0;
	int rc = org_of_type(tx, c, "principal_org_id", principals, "a manufacturer or a station");
	if (rc == ST_OK)
		rc = org_of_type(tx, c, "outlet_org_id", outlets, "an outlet");
	if (rc == ST_OK)
		rc = party_of(tx, who, &party);
	if (rc != ST_OK)
		return rc;
	const char *side = side_of(party, in);
	if (!side)
		return fail(c->info, ST_FORBIDDEN, "", "your organisation is neither the principal nor the outlet");
	int64_t pid = json_integer_value(json_object_get(in, "principal_org_id"));
	int64_t oid = json_integer_value(json_object_get(in, "outlet_org_id"));
	/* One live authorisation per pair, brand and category at any day. */
	dbv pd[] = {VI(who->tenant_id), VI(pid), VI(oid), VT(jstr(in, "brand")), VT(jstr(in, "category")),
		    VT(jstr(in, "valid_to")), VT(jstr(in, "valid_from"))};
	if (db_query_int(tx,
			 "SELECT id FROM authorizations WHERE tenant_id = ? AND principal_org_id = ? AND outlet_org_id = ? "
			 "AND brand = ? AND category = ? AND status <> 'ended' AND valid_from <= ? AND valid_to >= ? "
			 "LIMIT 1",
			 pd, 7, &c->info->existing_id) == ST_OK)
		return fail(c->info, ST_CONFLICT, "valid_from",
			    "an authorisation of this brand and category between these organisations overlaps");
	c->info->existing_id = 0;
	bool by_principal = !strcmp(side, "principal");
	int64_t now = now_ms(), id = 0;
	dbv p[] = {VI(who->tenant_id),
		   VI(pid),
		   VI(oid),
		   VT(jstr(in, "brand")),
		   VT(jstr(in, "category")),
		   VT(jstr(in, "valid_from")),
		   VT(jstr(in, "valid_to")),
		   VI(by_principal ? pid : oid),
		   by_principal ? VI(now) : VN,
		   by_principal ? VI(who->user_id) : VN,
		   by_principal ? VN : VI(now),
		   by_principal ? VN : VI(who->user_id),
		   VI(who->user_id),
		   VI(now),
		   VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO authorizations(tenant_id, principal_org_id, outlet_org_id, brand, category, valid_from, "
			 "valid_to, status, proposed_by_org_id, principal_accepted_at, principal_accepted_by, "
			 "outlet_accepted_at, outlet_accepted_by, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, "
			 "?, ?, ?, 'proposed', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 15, &id) != ST_OK)
		return ST_DB;
	rc = authz_load(tx, who, id, &c->out, NULL);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "authorization", id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/authorizations/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_authz_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct authz_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* --- accept, suspend, resume, end ----------------------------------------------------------- */

/* The moves: from which statuses, to which (NULL: accept decides). */
static const struct authz_move {
	const char *action;
	const char *from; /* comma list */
	const char *to;
} moves[] = {
	{"accept", "proposed", NULL},
	{"suspend", "active", "suspended"},
	{"resume", "suspended", "active"},
	{"end", "proposed,active,suspended", "ended"},
};

static const struct authz_move *move_find(const char *action)
{
	for (size_t i = 0; i < ARRAY_LEN(moves); i++)
		if (!strcmp(moves[i].action, action))
			return &moves[i];
	return NULL;
}

static bool in_list(const char *csv, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = csv; (p = strstr(p, s)); p += n)
		if ((p == csv || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Accept for the caller's side. The proposer accepted by proposing, so once the other side
 * accepts both have: active. (SET reads the old row: one side already there → active.) */
static int accept_side(db_tx *tx, struct authz_ctx *c, json_t *before, const char *side)
{
	char col[32];
	snprintf(col, sizeof col, "%s_accepted_at", side);
	if (!json_is_null(json_object_get(before, col)))
		return fail(c->info, ST_CONFLICT, "", "your side has already accepted; the other side must accept");
	char sql[320];
	snprintf(sql, sizeof sql,
		 "UPDATE authorizations SET %s_accepted_at = ?, %s_accepted_by = ?, status = CASE WHEN "
		 "principal_accepted_at IS NULL AND outlet_accepted_at IS NULL THEN 'proposed' ELSE 'active' END "
		 "WHERE id = ?",
		 side, side);
	dbv p[] = {VI(now_ms()), VI(c->a->who->user_id), VI(c->id)};
	return db_exec(tx, sql, p, 3) == DB_OK ? ST_OK : ST_DB;
}

static int action_fn(db_tx *tx, void *arg)
{
	struct authz_ctx *c = arg;
	const principal *who = c->a->who;
	const struct authz_move *mv = move_find(c->action);
	int64_t party = 0;
	json_t *before = NULL;
	int rc = mv ? authz_load(tx, who, c->id, &before, &party) : ST_NOT_FOUND;
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	const char *side = side_of(party, before), *status = jstr(before, "status");
	char detail[160];
	snprintf(detail, sizeof detail, "cannot %s an authorisation that is %s", mv->action, status);
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = json_deep_copy(before);
		rc = ST_STALE;
	} else if (!side) {
		rc = fail(c->info, ST_FORBIDDEN, "", "your organisation is neither the principal nor the outlet");
	} else if (!in_list(mv->from, status)) {
		rc = fail(c->info, ST_CONFLICT, "status", detail);
	} else if (mv->to) {
		dbv p[] = {VT(mv->to), VT(c->reason), VI(c->id)};
		rc = db_exec(tx, "UPDATE authorizations SET status = ?, status_reason = ? WHERE id = ?", p, 3) == DB_OK
			     ? ST_OK
			     : ST_DB;
	} else {
		rc = accept_side(tx, c, before, side);
	}
	dbv pv[] = {VI(now_ms()), VI(c->id), VI(version)};
	if (rc == ST_OK && db_exec(tx, "UPDATE authorizations SET updated_at = ?, version = version + 1 WHERE id = ? AND "
				       "version = ?",
				   pv, 3) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK && db_changes(tx) == 0)
		rc = ST_STALE;
	if (rc == ST_OK)
		rc = authz_load(tx, who, c->id, &c->out, NULL);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, mv->action, "authorization", c->id, before, c->out);
	json_decref(before);
	return rc;
}

int store_authz_action(db *d, const actor *a, int64_t id, int64_t if_match, const char *action, const char *reason,
		       json_t **out, st_info *info)
{
	struct authz_ctx c = {.a = a, .id = id, .if_match = if_match, .action = action, .reason = reason, .info = info};
	int rc = db_write(d, action_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* --- what dispatch asks ---------------------------------------------------------------------- */

#define AUTHZ_VALID                                                                                                \
	" FROM authorizations WHERE tenant_id = ? AND brand = ? AND category = ? AND status = 'active' AND "      \
	"valid_from <= ? AND valid_to >= ?"

int authz_allows(db_tx *tx, int64_t tenant_id, int64_t outlet_org_id, const char *brand, const char *category,
		 const char *day, bool *allowed)
{
	int64_t n = 0;
	dbv p[] = {VI(tenant_id), VT(brand), VT(category), VT(day), VT(day), VI(outlet_org_id)};
	int rc = db_query_int(tx, "SELECT count(*)" AUTHZ_VALID " AND outlet_org_id = ?", p, 6, &n);
	*allowed = rc == ST_OK && n > 0;
	return rc;
}

int authz_outlets_tx(db_tx *tx, int64_t tenant_id, const char *brand, const char *category, const char *day,
		     json_t **ids)
{
	dbv p[] = {VI(tenant_id), VT(brand), VT(category), VT(day), VT(day)};
	db_res *r;
	if (db_query(tx, "SELECT DISTINCT outlet_org_id" AUTHZ_VALID " ORDER BY outlet_org_id", p, 5, &r) != DB_OK)
		return ST_DB;
	*ids = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(*ids, json_integer(db_int(r, i, 0)));
	db_res_free(r);
	return ST_OK;
}
