/*
 * store.h — the store layer: every query of every resource, with the data scope applied
 * here (tenant, organisation subtree, a customer's own records), not only in handlers.
 * Records travel as jansson objects shaped as the API shows them. Every write is one
 * transaction with its audit-log row (and the order's timeline where it concerns an order).
 */
#ifndef FUWU_STORE_H
#define FUWU_STORE_H

#include <jansson.h>

#include "http/http.h"
#include "store/db.h"

/* Who writes, and the request it comes from: audit and idempotency need both. */
typedef struct actor {
	const principal *who;
	const char *req_id;
	const char *idem_key;  /* NULL if none */
	const char *idem_hash; /* hash of method, path and body */
} actor;

/* Extra detail of a failed write (e.g. the id holding a unique value). */
typedef struct st_info {
	int64_t existing_id;
	int64_t current_version;
	char field[48];
	char detail[200];
} st_info;

/* --- audit (audit.c) --- */
int audit_add(db_tx *tx, const actor *a, const char *action, const char *entity, int64_t id,
	      json_t *before, json_t *after);
int store_audit_list(db *d, const principal *who, const char *entity, int64_t entity_id, int64_t user_id,
		     int limit, int64_t cursor, json_t **items, int64_t *next);

/* --- idempotency (audit.c) --- */
/* ST_OK + stored response if the key was used, ST_NOT_FOUND if not. */
int idem_lookup(db *d, const principal *who, const char *key, char hash_out[65], int *status, char **body,
		char **location);
int idem_save(db_tx *tx, const actor *a, int status, json_t *body, const char *location);

/* --- tenants and auth (auth_store.c) --- */
typedef struct login_result {
	principal who;
	char *token;   /* caller frees */
	int64_t expires_at;
	int retry_after; /* seconds, when rate limited */
} login_result;
enum { LOGIN_OK, LOGIN_BAD, LOGIN_LIMITED, LOGIN_ERROR };
int store_login(db *d, const char *tenant_code, const char *login, const char *password, const char *ip,
		const char *req_id, login_result *out);
int store_logout(db *d, const principal *who, const char *req_id);
/* Resolve a session or API token; ST_OK fills who. */
int store_auth_token(db *d, const char *token, principal *who);
json_t *principal_json(const principal *who);

int store_tokens_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next);
int store_token_create(db *d, const actor *a, int64_t user_id, const char *name, json_t **out, st_info *info);
int store_token_revoke(db *d, const actor *a, int64_t id);

/* Bootstrap: the tenant, its root organisation and its admin, if missing. *created is set
 * when the admin was created now (so the caller prints the generated password once). */
int store_bootstrap(db *d, const char *tenant_code, const char *tenant_name, const char *admin_password,
		    char *generated, size_t genlen, bool *created);
int64_t store_tenant_id(db *d, const char *code);
/* CLI helpers. */
int store_user_add_cli(db *d, int64_t tenant_id, const char *login, const char *name, const char *password,
		       const char *roles_csv, int64_t org_id, char *err, size_t errlen);
int store_user_passwd_cli(db *d, int64_t tenant_id, const char *login, const char *password);
char *password_hash(const char *password); /* caller frees; NULL on failure */
bool password_verify(const char *hash, const char *password);

/* --- organisations (orgs.c) --- */
int store_orgs_list(db *d, const principal *who, const char *type, int64_t parent_id, const char *q, int limit,
		    int64_t cursor, json_t **items, int64_t *next);
int store_org_get(db *d, const principal *who, int64_t id, json_t **out);
int store_org_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_org_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_org_delete(db *d, const actor *a, int64_t id, st_info *info);
/* Is org `id` inside the caller's subtree? (used by other stores) */
int org_in_scope(db_tx *tx, const principal *who, int64_t id, char *path_out, size_t pathlen);

/* --- users (users.c) --- */
int store_users_list(db *d, const principal *who, const char *q, int64_t org_id, const char *role,
		     const char *status, int limit, int64_t cursor, json_t **items, int64_t *next);
int store_user_get(db *d, const principal *who, int64_t id, json_t **out);
int store_user_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_user_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_user_disable(db *d, const actor *a, int64_t id);
int store_user_set_password(db *d, const actor *a, int64_t id, const char *old_password, const char *password,
			    st_info *info);

/* --- work orders (work_orders.c) --- */
typedef struct wo_filter {
	const char *status; /* comma list */
	const char *q;
	const char *type;
	const char *priority;
	int64_t created_from, created_to; /* 0 = open */
	int64_t customer_id;
} wo_filter;
int store_wo_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_wo_get(db *d, const principal *who, int64_t id, json_t **out);
int store_wo_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_wo_list(db *d, const principal *who, const wo_filter *f, int limit, int64_t cursor, json_t **items,
		  int64_t *next);
int store_wo_timeline(db *d, const principal *who, int64_t id, json_t **items);

/* --- the customer archive (customers.c, models.c, assets.c; issue 3) --- */
typedef struct cust_filter {
	const char *phone;  /* digits: matches the end of any of the customer's phones */
	const char *name;   /* part of the name */
	const char *plate;  /* exact plate of one of their assets */
	const char *serial; /* exact serial / VIN of one of their assets */
	const char *cls;    /* A, B or C */
	int churn;          /* enum care_churn, -1 = any */
} cust_filter;
/* `in` is a checked body; phones already normalised (+86…). A phone of another customer →
 * ST_CONFLICT with info->existing_id. */
int store_cust_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_cust_get(db *d, const principal *who, int64_t id, json_t **out);
int store_cust_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_cust_list(db *d, const principal *who, const cust_filter *f, int limit, int64_t cursor, json_t **items,
		    int64_t *next);
/* Merge `from_id` into `id` in one transaction: phones, addresses, assets, work orders,
 * registrations and accounts move; `from_id` stays with merged_into set. */
int store_cust_merge(db *d, const actor *a, int64_t id, int64_t from_id, int64_t if_match, json_t **out,
		     st_info *info);
/* Import checked customer bodies in one transaction. ST_OK with *errors (rows whose phone is
 * taken, [{"row","column","reason","existing_id"}]) and *ids (created, empty when anything
 * failed or on a dry run). `lines` holds the file's line number of each row. */
int store_cust_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		      json_t **ids);
/* Timeline of a customer: audit rows of the customer and its assets, its work orders. */
int store_cust_timeline(db *d, const principal *who, int64_t id, json_t **items);

int store_model_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_model_get(db *d, const principal *who, int64_t id, json_t **out);
int store_model_get_tx(db_tx *tx, const principal *who, int64_t id, json_t **out); /* inside a transaction */
int store_model_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_model_list(db *d, const principal *who, const char *q, const char *brand, const char *category, int limit,
		     int64_t cursor, json_t **items, int64_t *next);

typedef struct asset_filter {
	int64_t customer_id, model_id;
	const char *serial, *plate;
} asset_filter;
int store_asset_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_asset_get(db *d, const principal *who, int64_t id, json_t **out);
int store_asset_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_asset_list(db *d, const principal *who, const asset_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next);
int store_asset_transfer(db *d, const actor *a, int64_t id, int64_t if_match, int64_t to_customer, const char *reason,
			 json_t **out, st_info *info);
int store_asset_transfers(db *d, const principal *who, int64_t id, json_t **items);
/* in: {"date","km","odometer_change","reason"}; a lower km than the last reading is
 * ST_INVALID unless odometer_change with a reason. */
int store_asset_reading_add(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info);
int store_asset_readings(db *d, const principal *who, int64_t id, json_t **items);
/* What the warranty decision needs: {"asset":{…},"policy":{…},"prior_repairs":N}. */
int store_asset_warranty_facts(db *d, const principal *who, int64_t id, const char *fault_code, json_t **out);
/* Electronic warranty registration: creates (or finds) the asset and registers its serial
 * once; a registered serial → ST_CONFLICT with existing_id. */
int store_registration_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_registration_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next);

/* Maintenance due (maintenance.c): assets whose next service falls due by `until` (civil
 * days), overdue ones included, earliest first; org_id (0 = caller's scope) filters by the
 * customer's outlet. */
int store_maint_due(db *d, const principal *who, int64_t org_id, int32_t today, int32_t until, int limit,
		    json_t **items);

int store_first_service(db *d, const principal *who, int64_t org_id, const char *from, const char *to, int64_t *sold,
			int64_t *served);

/* Standard labour operations (labour.c); `in` carries _hours_milli. */
int store_labour_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_labour_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_labour_list(db *d, const principal *who, int64_t model_id, const char *q, int limit, int64_t cursor,
		      json_t **items, int64_t *next);

/* Customer care campaigns (campaigns.c). */
int store_campaign_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_campaign_get(db *d, const principal *who, int64_t id, json_t **out);
int store_campaign_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next);
int store_campaign_targets(db *d, const principal *who, int64_t id, int limit, int64_t cursor, json_t **items,
			   int64_t *next);

/* Shared helpers (store_util.c) */
json_t *row_json(const db_res *r, int row);        /* column name → typed value */
void json_set_time(json_t *o, const char *key, int64_t ms);
/* A list page: runs sql (which asks for limit + 1 rows), turns the first `limit` rows into
 * *items with row_fn and sets *next to the last id shown when more rows exist (else 0). */
int page_query(db_tx *tx, const char *sql, const dbv *p, int n, int limit,
	       json_t *(*row_fn)(const db_res *r, int row), json_t **items, int64_t *next);
/* Escape a user string for LIKE … ESCAPE '\'; caller frees. */
char *like_escape(const char *s, bool prefix_only);

#endif
