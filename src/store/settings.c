/*
 * settings.c — per-tenant settings: one JSON value per key in tenant_settings, with the
 * defaults in the code that reads them (DOMAIN: every number is a default an administrator
 * may change).
 */
#include "store/store.h"

json_t *settings_get_tx(db_tx *tx, int64_t tenant_id, const char *key)
{
	dbv p[] = {VI(tenant_id), VT(key)};
	db_res *r;
	if (db_query(tx, "SELECT value_json FROM tenant_settings WHERE tenant_id = ? AND key = ?", p, 2, &r) != DB_OK)
		return NULL;
	json_t *v = db_rows(r) && db_text(r, 0, 0) ? json_loads(db_text(r, 0, 0), JSON_DECODE_ANY, NULL) : NULL;
	db_res_free(r);
	return v;
}

int64_t settings_int_tx(db_tx *tx, int64_t tenant_id, const char *key, int64_t def)
{
	json_t *v = settings_get_tx(tx, tenant_id, key);
	int64_t out = json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_boolean(v) ? json_is_true(v) : def;
	json_decref(v);
	return out;
}
