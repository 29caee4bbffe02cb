/*
 * settings.c — per-tenant settings: one JSON value per key in tenant_settings, over the
 * defaults in the table below (DOMAIN: every number is a default an administrator may change).
 * The table is the one place a setting is declared: its type, range and default; the handler
 * (src/api/settings.c) checks bodies against it and GET /api/v1/settings shows it.
 */
#include "store/store.h"
#include "domain/perm.h"

#include <stdlib.h>
#include <string.h>

const struct setting_def setting_defs[] = {
	{"labour_rate_fen", SET_INT, 0, 10000000, "12000"},  /* 工时单价 per hour: ¥120.00 */
	{"reopen_days", SET_INT, 0, 3650, "30"},             /* a closed order may be reopened this long */
	{"qc_required", SET_BOOL, 0, 1, "true"},             /* settle only after QC (完工总检) */
	{"discount_limits", SET_ROLE_BP, 0, 10000, NULL},    /* {role: basis points}; built below */
	{"company_name", SET_TEXT, 0, 100, NULL},            /* printed on the 任务委托书 and the bill; default the tenant's name */
	{"company_phone", SET_TEXT, 0, 40, "\"\""},
	{"estimate_terms", SET_TEXT, 0, 4000,
	 "\"1. 本委托书所列金额为预估，实际以结算单为准；超出预估金额或需增加项目时，须先征得客户同意。\\n"
	 "2. 更换下的旧件按客户选择带走或由本店处理；保修（三包/索赔）旧件须交回厂家。\\n"
	 "3. 请勿将贵重物品留在车内或设备中；交付时请当面验收。\\n"
	 "4. 维修项目享受本店质量保证，具体以结算单为准。\""},
	{"follow_up_days", SET_INT, 1, 60, "3"}, /* the first follow-up call, days after delivery (DOMAIN §5) */
	{NULL, SET_INT, 0, 0, NULL},
};

const struct setting_def *setting_find(const char *key)
{
	for (const struct setting_def *d = setting_defs; key && d->key; d++)
		if (!strcmp(d->key, key))
			return d;
	return NULL;
}

/* Discount limits by role (basis points of the bill): advisor 5 %, manager 20 %, admin 100 %,
 * every other staff role 0. */
static json_t *discount_defaults(void)
{
	json_t *o = json_object();
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (i == ROLE_CUSTOMER)
			continue;
		int64_t bp = i == ROLE_ADVISOR ? 500 : i == ROLE_MANAGER ? 2000 : i == ROLE_ADMIN ? 10000 : 0;
		json_object_set_new(o, role_name(i), json_integer(bp));
	}
	return o;
}

static json_t *default_tx(db_tx *tx, int64_t tenant_id, const struct setting_def *d)
{
	if (d->def_json)
		return json_loads(d->def_json, JSON_DECODE_ANY, NULL);
	if (d->type == SET_ROLE_BP)
		return discount_defaults();
	/* company_name: the tenant's name */
	dbv p[] = {VI(tenant_id)};
	db_res *r;
	json_t *v = NULL;
	if (db_query(tx, "SELECT name FROM tenants WHERE id = ?", p, 1, &r) == DB_OK) {
		v = json_string(db_rows(r) && db_text(r, 0, 0) ? db_text(r, 0, 0) : "");
		db_res_free(r);
	}
	return v;
}

static json_t *stored_tx(db_tx *tx, int64_t tenant_id, const char *key)
{
	dbv p[] = {VI(tenant_id), VT(key)};
	db_res *r;
	if (db_query(tx, "SELECT value_json FROM tenant_settings WHERE tenant_id = ? AND key = ?", p, 2, &r) != DB_OK)
		return NULL;
	json_t *v = db_rows(r) && db_text(r, 0, 0) ? json_loads(db_text(r, 0, 0), JSON_DECODE_ANY, NULL) : NULL;
	db_res_free(r);
	return v;
}

json_t *settings_get_tx(db_tx *tx, int64_t tenant_id, const char *key)
{
	json_t *v = stored_tx(tx, tenant_id, key);
	const struct setting_def *d = setting_find(key);
	if (!d)
		return v;
	if (v && d->type == SET_ROLE_BP) {
		/* roles not mentioned keep their default */
		json_t *m = discount_defaults();
		json_object_update(m, v);
		json_decref(v);
		return m;
	}
	return v ? v : default_tx(tx, tenant_id, d);
}

int64_t settings_int_tx(db_tx *tx, int64_t tenant_id, const char *key, int64_t def)
{
	json_t *v = stored_tx(tx, tenant_id, key);
	int64_t out = json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_boolean(v) ? json_is_true(v) : def;
	json_decref(v);
	return out;
}

static json_t *all_tx(db_tx *tx, int64_t tenant_id)
{
	json_t *o = json_object(), *defs = json_object();
	for (const struct setting_def *d = setting_defs; d->key; d++) {
		json_t *v = settings_get_tx(tx, tenant_id, d->key);
		json_object_set_new(o, d->key, v ? v : json_null());
		json_t *def = default_tx(tx, tenant_id, d);
		json_object_set_new(defs, d->key, def ? def : json_null());
	}
	json_object_set_new(o, "defaults", defs);
	return o;
}

struct set_ctx {
	const principal *who;
	const actor *a;
	json_t *in, *out;
	st_info *info;
};

static int get_fn(db_tx *tx, void *arg)
{
	struct set_ctx *c = arg;
	c->out = all_tx(tx, c->who->tenant_id);
	return ST_OK;
}

int store_settings_get(db *d, const principal *who, json_t **out)
{
	struct set_ctx c = {.who = who};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

static int patch_fn(db_tx *tx, void *arg)
{
	struct set_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id, now = now_ms();
	json_t *before = all_tx(tx, tenant);
	json_object_del(before, "defaults");
	const char *key;
	json_t *v;
	int rc = ST_OK;
	json_object_foreach(c->in, key, v) {
		const struct setting_def *d = setting_find(key);
		if (!d)
			continue; /* the handler refused unknown keys already */
		dbv pk[] = {VI(tenant), VT(key)};
		if (json_is_null(v)) {
			if (db_exec(tx, "DELETE FROM tenant_settings WHERE tenant_id = ? AND key = ?", pk, 2) != DB_OK)
				rc = ST_DB;
		} else {
			json_t *val = json_incref(v);
			if (d->type == SET_ROLE_BP) {
				/* a partial map changes the roles it names */
				json_t *cur = stored_tx(tx, tenant, key);
				json_t *m = json_is_object(cur) ? cur : json_object();
				if (m != cur)
					json_decref(cur);
				json_object_update(m, v);
				json_decref(val);
				val = m;
			}
			char *s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
			json_decref(val);
			dbv p[] = {VI(tenant), VT(key), VT(s), VI(now)};
			if (db_exec(tx,
				    "INSERT INTO tenant_settings(tenant_id, key, value_json, updated_at) VALUES (?, ?, ?, ?) "
				    "ON CONFLICT (tenant_id, key) DO UPDATE SET value_json = excluded.value_json, "
				    "updated_at = excluded.updated_at",
				    p, 4) != DB_OK)
				rc = ST_DB;
			free(s);
		}
		if (rc != ST_OK)
			break;
	}
	if (rc == ST_OK) {
		c->out = all_tx(tx, tenant);
		json_t *after = json_deep_copy(c->out);
		json_object_del(after, "defaults");
		rc = audit_add(tx, c->a, "update", "settings", 0, before, after);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

int store_settings_patch(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct set_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, patch_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
