/*
 * store.h — the store layer: every query of every resource, with the data scope applied
 * here (tenant, organisation subtree, a customer's own records), not only in handlers.
 * Records travel as jansson objects shaped as the API shows them. Every write is one
 * transaction with its audit-log row (and the order's timeline where it concerns an order).
 */
#ifndef FUWU_STORE_H
#define FUWU_STORE_H

#include <jansson.h>

#include "domain/sla.h"
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
	json_t *current; /* ST_STALE: the record as it is now (a fresh copy), ST_CONFLICT: extra members
			  * for the problem body; reply_store attaches and releases it */
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
	int64_t assignee_id;
	int64_t asset_id;
	bool late;                        /* open and past its resolve deadline or promised time */
} wo_filter;
int store_wo_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_wo_get(db *d, const principal *who, int64_t id, json_t **out);
int store_wo_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_wo_list(db *d, const principal *who, const wo_filter *f, int limit, int64_t cursor, json_t **items,
		  int64_t *next);
int store_wo_timeline(db *d, const principal *who, int64_t id, json_t **items);
int store_wo_comment(db *d, const actor *a, int64_t id, const char *text, bool public_, json_t **out, st_info *info);

/* --- the work-order lifecycle (issue 4) -------------------------------------------------
 * Shared by the lifecycle files: wo_flow.c (transitions), wo_lines.c (lines, approvals,
 * reception), wo_exec.c (photos, work log, checklists), billing.c (bills, payments, delivery,
 * confirmation), live.c (SSE, counts), sla.c, settings.c, outbox.c. All *_tx functions run
 * inside the caller's write transaction. */

/* The order as the API shows it, in scope; ST_NOT_FOUND outside it. */
int wo_load_tx(db_tx *tx, const principal *who, int64_t id, json_t **out);
/* Lock and check the order for a write on it: in scope, and at version if_match (0 = any).
 * Returns ST_OK, ST_NOT_FOUND, ST_STALE (info->current_version set). Fills *status if given. */
int wo_lock_tx(db_tx *tx, const principal *who, int64_t id, int64_t if_match, st_info *info, char *status,
	       size_t status_len);
/* Bump the order's version and updated_at after a change to it or its lines. */
int wo_touch_tx(db_tx *tx, int64_t id);
/* A timeline row; public rows are shown to the customer too. data may be NULL. */
int wo_event_add(db_tx *tx, const actor *a, int64_t order_id, const char *event, json_t *data, bool public_);
/* Apply a state event (wo_fsm) to an order: guards, bookkeeping, timeline, audit. On refusal
 * info->detail says why and info->field names the field; ST_CONFLICT carries the allowed
 * events in info (see wo_refusal_json). */
int wo_transition_tx(db_tx *tx, const actor *a, int64_t id, int64_t if_match, const char *event, json_t *body,
		     json_t **out, st_info *info);
int store_wo_transition(db *d, const actor *a, int64_t id, int64_t if_match, const char *event, json_t *body,
			json_t **out, st_info *info);

/* Have the order's actual lines changed since this bill (JSON with order_id and lines) was
 * built? (billing.c) */
int bill_lines_changed_tx(db_tx *tx, int64_t tenant_id, json_t *bill, bool *changed);

/* Tenant settings (settings.c): a JSON value per key, or the default. */
json_t *settings_get_tx(db_tx *tx, int64_t tenant_id, const char *key); /* new reference or NULL */
int64_t settings_int_tx(db_tx *tx, int64_t tenant_id, const char *key, int64_t def);

/* The notification outbox (outbox.c): written in the same transaction as its cause. */
int outbox_add(db_tx *tx, int64_t tenant_id, const char *channel, const char *recipient, const char *tmpl,
	       json_t *data, int64_t order_id, int64_t customer_id);
int store_outbox_list(db *d, const principal *who, int64_t order_id, const char *state, int limit, int64_t cursor,
		      json_t **items, int64_t *next);

/* SLA deadlines of a new order from its priority, contract and region (sla.c). */
int sla_stamp_order(db_tx *tx, const principal *who, int64_t order_id);
/* Per-state counts kept up to date on every create and transition (live.c): from NULL on create. */
int wo_counts_move(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *from, const char *to);

/* --- settlement and delivery (billing.c; issue 4 item 9) ---
 * Bills are built from the actual lines (warranty/claim/insurance lines at zero to the
 * customer, summed for the claim); balance = total − paid + refunded, kept exact on every
 * payment and refund. Every write locks the order first (wo_lock_tx), then the bill. */
/* in: {} → the new bill (an unpaid open bill of the order is voided and replaced). */
int store_bill_build(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t **out, st_info *info);
int store_bill_get(db *d, const principal *who, int64_t id, json_t **out);  /* with payments, order, company */
int store_wo_bills(db *d, const principal *who, int64_t order_id, json_t **items);
/* in: {"_discount_fen" | "_discount_bp", "discount_reason"}; above the caller's role limit →
 * ST_FORBIDDEN (info->detail names the limit). */
int store_bill_discount(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out,
			st_info *info);
/* in: {"method","amount_fen","reference"|"reason"}; kind "payment" | "refund". More than the
 * balance (payment) or than was paid (refund) → ST_CONFLICT, nothing written. */
int store_bill_pay(db *d, const actor *a, int64_t id, const char *kind, json_t *in, json_t **out, st_info *info);
/* in: {"amount_fen", "lines":[{name, amount_fen, kind}], "reason"} → the credit note. */
int store_bill_credit(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info);
int store_bill_void(db *d, const actor *a, int64_t id, int64_t if_match, const char *reason, json_t **out,
		    st_info *info);
/* in: {explanation, next_maintenance, next_appointment_offer (ms or null), old_parts_returned};
 * closes a settled order in the same transaction. */
int store_wo_deliver(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_wo_delivery_suggest(db *d, const principal *who, int64_t id, json_t **out);
/* in: {rating, comment, channel, by_name, signature (data URL, see sig_parse)}; closes a settled
 * order in the same transaction. */
int store_wo_confirm(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);

/* --- lines, estimate, approvals, car reception (wo_lines.c, attachments_sig.c; issue 4 items 4-6) ---
 * Lines exist as estimate and as actual: labour = hours × rate × the model's complexity
 * coefficient, parts and fees = qty × unit price (domain/pricing.h); the pay type defaults from
 * the warranty decision of the order's asset. An actual line added during work (in_service,
 * waiting_*) that the customer pays and that carries out no estimate line is an additional
 * item (additional=1) and needs the customer's consent. Approving the estimate records the
 * customer-payable total in work_orders.approved_total_fen. Every write locks the order
 * (wo_lock_tx, If-Match), bumps its version (wo_touch_tx) and adds audit and timeline rows;
 * a settled, closed, followed-up or cancelled order refuses changes (ST_CONFLICT). Bodies are
 * checked by the handler (src/api/wo_lines.c); scaled values arrive as _hours_x100, _qty_milli,
 * _promised_ms. Results: {"line":{…},"version":order version,…}. */
int store_wo_lines(db *d, const principal *who, int64_t order_id, json_t **out);
int store_wo_line_add(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
		      st_info *info);
int store_wo_line_update(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
			 json_t **out, st_info *info);
int store_wo_line_delete(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t **out,
			 st_info *info);
/* in: {by_name, channel, signature?}; in {done:bool}; copy: every estimate line not carried out yet. */
int store_wo_line_consent(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
			  json_t **out, st_info *info);
int store_wo_line_done(db *d, const actor *a, int64_t order_id, int64_t line_id, int64_t if_match, json_t *in,
		       json_t **out, st_info *info);
int store_wo_lines_copy(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t **out, st_info *info);
/* in: {_promised_ms (0 = clear) | absent, approval_limit_fen (null = clear) | absent} → the order. */
int store_wo_estimate_set(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info);
/* in: {kind estimate|additional, by_name, channel, signature?, line_ids?} → {approval, version}. */
int store_wo_approval_add(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info);
int store_wo_approvals(db *d, const principal *who, int64_t order_id, json_t **items);
/* Everything the printable 任务委托书 shows: order, asset, lines, totals, approval with the
 * signature image, company name and terms. */
int store_wo_estimate_doc(db *d, const principal *who, int64_t order_id, json_t **out);
int store_wo_reception_get(db *d, const principal *who, int64_t order_id, json_t **out);
int store_wo_reception_put(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			   st_info *info);
int store_wo_reception_sign(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *in, json_t **out,
			    st_info *info);
/* Totals of an order's lines by stage: {estimate:{labour_fen, parts_fen, fees_fen, customer_fen,
 * warranty_fen, claim_fen, insurance_fen, total_fen}, actual:{…}}; *payable is the customer's
 * part of the actual lines if there are any, else of the estimate. */
int wo_lines_totals_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, json_t **out, int64_t *payable);

/* Signatures (attachments_sig.c): a data URL "data:image/png;base64,…" is checked — a PNG,
 * at most 2 MB, at most 4096 × 4096, and not empty (at least 20 drawn pixels, decoded with
 * libgd) — and stored as an attachments row of kind 'signature'. Refusals are ST_INVALID with
 * info->field "signature". */
typedef struct sig_image {
	const char *b64;  /* borrowed from the data URL */
	size_t b64_len;
	int64_t size;     /* decoded bytes */
	int width, height;
	int ink;          /* drawn pixels counted */
} sig_image;
int sig_parse(const char *data_url, sig_image *out, st_info *info);
int sig_store_tx(db_tx *tx, const actor *a, int64_t order_id, const char *data_url, const char *name, int64_t *id,
		 st_info *info);
/* The stored image again as a data URL (caller frees), NULL if none. */
char *sig_data_url_tx(db_tx *tx, int64_t tenant_id, int64_t attachment_id);

/* The archive's rules reused inside a transaction (assets.c): a mileage reading (lower only as
 * an odometer change with reason), the facts of the warranty decision and the decision itself
 * (-1 when the asset has no purchase date, else WTY_OK / WTY_INVALID of domain/warranty.h). */
struct wty_decision;
int asset_reading_add_tx(db_tx *tx, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info);
int asset_warranty_facts_tx(db_tx *tx, const principal *who, int64_t id, const char *fault_code, json_t **out);
int asset_warranty_decide(json_t *facts, int32_t fail_day, int fault, int64_t mileage, bool exchange_possible,
			  struct wty_decision *d);

/* --- live progress, list counts, saved filters (live.c, saved_filters.c; issue 4 items 11-12) ---
 * wo_state_counts is moved by wo_counts_move on every create and transition; a writer that
 * changes an order's status or org_id another way (a bulk loader) calls wo_counts_rebuild_tx. */
int wo_counts_rebuild_tx(db_tx *tx, int64_t tenant_id);
/* {"counts":{"new":12,…},"late":3,"total":N} over the caller's scope. */
int store_wo_summary(db *d, const principal *who, json_t **out);
/* The wall board: {"columns":{"new":[card…],…},"now"}, at most `limit` newest cards per state. */
extern const char *const wo_board_states[]; /* NULL-terminated */
int store_wo_board(db *d, const principal *who, int limit, json_t **out);

/* A timeline row as the live stream (api/events.c) carries it, with what its audience check
 * needs: the order's tenant, organisation path and customer, and whether the row is public. */
typedef struct live_event {
	int64_t id, tenant_id, order_id, customer_id, at, actor_id, assignee_id;
	bool public_;
	char number[40], event[40], status[24], org_path[256], actor_name[128];
} live_event;
#define LIVE_MAX_IDS 64
/* Rows with id > after, ascending, at most max; or (ids != NULL) the rows with these ids
 * (at most LIVE_MAX_IDS). *out is the caller's to free. */
int store_live_events(db *d, int64_t after, const int64_t *ids, int nids, int max, live_event **out, int *n);
int store_live_max_id(db *d, int64_t *out);

/* A user's saved list filters: {"id","name","query":{…},"created_at"}; the caller's own only. */
#define SAVED_FILTERS_MAX 50
int store_filters_list(db *d, const principal *who, json_t **items);
/* in: {"name","query"} checked; ST_CONFLICT (info->field) for a taken name or the 51st filter. */
int store_filter_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_filter_delete(db *d, const actor *a, int64_t id);

/* --- classification, SLA, calendar and tenant settings (sla.c, catalog.c, settings.c; issue 4
 * item 3) ---
 * Fault categories are a tree with a materialised path ("/3/7/"); an SLA policy gives the four
 * deadlines in minutes for a priority, optionally narrowed to a contract and/or a region (the
 * most specific wins, else the built-in default of domain/sla.c); the working calendar is the
 * week, the hours and the holidays / 调休 days of the tenant. Bodies are checked by the handlers
 * (src/api/settings.c); the store checks what needs the database (codes taken, parents, order). */
/* The tenant's calendar as domain/sla.h wants it, with the exceptional days from `from_ms`'s
 * local day on (cal points into the owned lists; sla_cal_free releases them). */
typedef struct sla_cal_data {
	sla_calendar cal;
	int32_t *holidays, *workdays;
} sla_cal_data;
int sla_cal_load_tx(db_tx *tx, int64_t tenant_id, int64_t from_ms, sla_cal_data *out);
void sla_cal_free(sla_cal_data *c);
/* The breach sweep (scheduler job): every open order of every tenant whose deadline has passed
 * unmet and is not yet marked gets the kind appended to sla_breached and an "sla_breach"
 * timeline row {kind, due}. *recorded counts the breaches written. */
int store_sla_sweep(db *d, int64_t now, int64_t *recorded);
/* The policy that applies and the deadlines it gives an order created at created_ms:
 * {"policy":{…,"source":"policy"|"default"},"response_due":…,"answer_due":…,…}. */
int store_sla_preview(db *d, const principal *who, const char *priority, const char *contract, const char *region,
		      int64_t created_ms, json_t **out);

int store_fc_list(db *d, const principal *who, const char *q, int64_t parent_id, int limit, int64_t cursor,
		  json_t **items, int64_t *next);
int store_fc_get(db *d, const principal *who, int64_t id, json_t **out);
int store_fc_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_fc_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
/* Refused (ST_CONFLICT) while it has children or orders use it. */
int store_fc_delete(db *d, const actor *a, int64_t id, st_info *info);
int store_slap_list(db *d, const principal *who, const char *priority, int limit, int64_t cursor, json_t **items,
		    int64_t *next);
int store_slap_get(db *d, const principal *who, int64_t id, json_t **out);
int store_slap_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_slap_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_slap_delete(db *d, const actor *a, int64_t id, st_info *info);
/* {"weekdays":[1..7],"start_min","end_min","tz_offset_min","days":[{"day","kind","name"}]};
 * put replaces the week and (when given) the list of days. */
int store_calendar_get(db *d, const principal *who, json_t **out);
int store_calendar_put(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
/* The intake suggestion: the category's default type and priority (nearest ancestor that has
 * one), raised one step for a class A customer or a service contract. cls may be NULL. */
int store_intake_suggest(db *d, const principal *who, int64_t category_id, const char *cls, const char *contract,
			 json_t **out, st_info *info);
/* The next bill number of the day `at_ms` falls on (tenant zone): BL20261123-00001. */
int bill_number_at(db_tx *tx, const principal *who, const char *prefix, int64_t at_ms, char out[40]);
/* Seed the default fault-category tree (home appliances and a car workshop) if the tenant has
 * no category yet. */
int lifecycle_defaults_tx(db_tx *tx, int64_t tenant_id);

/* Tenant settings: the known keys, their types, ranges and defaults (settings.c). settings_get_tx
 * answers a known key's default when the tenant has not set it (company_name: the tenant's name). */
enum setting_type { SET_INT, SET_BOOL, SET_TEXT, SET_ROLE_BP };
struct setting_def {
	const char *key;
	enum setting_type type;
	int64_t min, max;       /* SET_INT: the range; SET_TEXT: max characters in max */
	const char *def_json;   /* the default as JSON text; NULL: computed (company_name) */
};
extern const struct setting_def setting_defs[];
const struct setting_def *setting_find(const char *key);
/* {key: value, …, "defaults": {key: default}} */
int store_settings_get(db *d, const principal *who, json_t **out);
/* in: checked {key: value | null (back to the default)} → the settings as get shows them. */
int store_settings_patch(db *d, const actor *a, json_t *in, json_t **out, st_info *info);

/* --- execution: photos, work log, checklists, QC template, rework report (wo_exec.c,
 * reports.c; issue 4 items 7-8) ---
 * Photos are attachments of kind photo whose bytes were checked by decoding (util/image.h);
 * attachments (photos and signatures) are read through their order's scope. */
/* in: {name, caption, mime, size, width, height, _data_b64, _thumb_b64} → the photo without data. */
int store_photo_add(db *d, const actor *a, int64_t order_id, json_t *in, json_t **out, st_info *info);
int store_photo_list(db *d, const principal *who, int64_t order_id, json_t **items);
/* Refused (ST_CONFLICT) once the order is settled: photos are then evidence. */
int store_photo_delete(db *d, const actor *a, int64_t order_id, int64_t id, st_info *info);
/* An attachment's content type and base64 data (both caller frees); thumb: its thumbnail
 * (image/jpeg) when it has one. ST_NOT_FOUND outside the caller's scope. */
int store_attachment_data(db *d, const principal *who, int64_t id, bool thumb, char **mime, char **b64);
/* The caller's work log on an order. Start: taken/on_the_way/in_service only, a technician on
 * their own order only (ST_FORBIDDEN), one running entry per user (ST_CONFLICT with
 * running_order_* in info->current). Stop: the caller's running entry on this order. */
int store_worklog_start(db *d, const actor *a, int64_t order_id, const char *note, json_t **out, st_info *info);
int store_worklog_stop(db *d, const actor *a, int64_t order_id, const char *note, json_t **out, st_info *info);
/* {items:[{…, minutes, running}], total_minutes, by_user, my_running, now} */
int store_worklog_list(db *d, const principal *who, int64_t order_id, json_t **out);
/* The execution checklist: the template merged with what was saved {items, source, …}. */
int store_checklist_get(db *d, const principal *who, int64_t order_id, json_t **out);
/* items: checked [{key, label?, checked, note?}]; If-Match on the order; bumps its version. */
int store_checklist_save(db *d, const actor *a, int64_t order_id, int64_t if_match, json_t *items, json_t **out,
			 st_info *info);
/* The QC template: one item per actual line, safety items, no new damage vs the reception. */
int store_qc_template(db *d, const principal *who, int64_t order_id, json_t **out);
/* Rework per technician in [from, to) over the caller's subtree; technician_id (0 = none) adds
 * that technician's orders. */
int store_report_rework(db *d, const principal *who, int64_t from, int64_t to, int64_t technician_id, json_t **out);

/* --- the customer archive (customers.c, models.c, assets.c; issue 3) --- */
typedef struct cust_filter {
	const char *phone;  /* digits: matches the end of any of the customer's phones */
	const char *name;   /* part of the name, or (letters only) the start of its pinyin initials */
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

/* --- the rest of the archive (issue 3: imports, pinyin, due cache, contact plans) --- */
/* Fill name_initials of customers written without them (other modules, older rows); a few
 * thousand per call. ST_OK when none is left. */
int store_cust_initials_fill(db *d, int64_t tenant_id);
/* Customer list for export: like store_cust_list, up to `limit` rows in one go. */
int store_cust_export(db *d, const principal *who, const cust_filter *f, int limit, json_t **items);
/* Import checked asset / product-model bodies in one transaction, the same contract as
 * store_cust_import. Asset rows carry "customer_phone" (normalised) and "model" {"brand",
 * "model"}, resolved here: unknown → a row error, as is a serial of that model already
 * present or registered (三包 registration) or twice in the file. */
int store_asset_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		       json_t **ids);
int store_model_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		       json_t **ids);
/* The maintenance-due cache (maintenance.c): recompute assets.next_due_on of one asset
 * inside the caller's transaction; mark every asset of a model for recomputation. */
int maint_due_update_tx(db_tx *tx, int64_t tenant_id, int64_t asset_id);
int maint_due_stale_model_tx(db_tx *tx, int64_t tenant_id, int64_t model_id);
/* For the scheduler: recompute the cache where it may be out of date (never computed,
 * marked stale, maintenance orders changed since the last run, due within a month).
 * tenant_id 0 = every tenant. *updated counts the assets recomputed. */
int store_maint_refresh(db *d, int64_t tenant_id, int64_t *updated);

/* ABC contact plans and contact tasks (care.c). */
int store_care_plans(db *d, const principal *who, json_t **out);
int store_care_plans_set(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
typedef struct task_filter {
	const char *status; /* open (default) | done | all */
	const char *due;    /* overdue | today | week | NULL (any) */
	int64_t owner_id, org_id, customer_id;
	bool mine;          /* owner = the caller */
} task_filter;
int store_tasks_list(db *d, const principal *who, const task_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next);
int store_task_get(db *d, const principal *who, int64_t id, json_t **out);
int store_task_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_task_done(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
/* Generate the contact tasks due by today + horizon_days (tenant's zone) for every customer
 * of the tenant without an open task (consent refused → none). Idempotent; the scheduler
 * calls it daily, POST /contact-tasks/generate on demand. today: civil day (0 = now). */
int store_tasks_generate(db *d, const actor *a, int32_t today, int horizon_days, int64_t *created);
/* The scheduler's job (jobs/scheduler.c): for every tenant, the maintenance-due cache brought up
 * to date and the contact tasks of the next 7 days generated. */
int store_care_daily(db *d, int64_t *tasks, int64_t *assets);

/* --- technicians as resources, authorisations (网签), dispatch policies (issue 5 items 1, 4;
 * technicians.c, authorizations.c, dispatch_policies.c) ---
 * A technician is a user with the role technician inside the caller's subtree; their profile
 * row is created on the first write (reads show the defaults: level 1, off duty, version 1).
 * Every write to a technician bumps the profile's version (If-Match) and adds an audit row,
 * except position reports (telemetry, see store_tech_position). */
typedef struct tech_filter {
	const char *q, *skill, *team;
	int64_t org_id;
	int on_duty; /* 0 / 1, -1 = any */
} tech_filter;
int store_tech_list(db *d, const principal *who, const tech_filter *f, int limit, int64_t cursor, json_t **items,
		    int64_t *next);
/* Profile, skills, certs (with expired), brands, shifts and the leave not yet over. */
int store_tech_get(db *d, const principal *who, int64_t id, json_t **out);
/* in: checked profile fields; skills / certs / brands arrays replace their lists when present. */
int store_tech_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
/* in: {"shifts":[{weekday, start_min, end_min, break_start_min?, break_end_min?}]} (checked). */
int store_tech_shifts_put(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info);
/* in: {_from_ms, _to_ms, kind, reason}; overlapping leave → ST_CONFLICT with existing_id. */
int store_tech_leave_add(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info);
int store_tech_leave_delete(db *d, const actor *a, int64_t id, int64_t leave_id, st_info *info);
/* The caller's own position (their phone) and duty. */
int store_tech_position(db *d, const actor *a, double lat, double lon, json_t **out);
int store_tech_duty(db *d, const actor *a, bool on_duty, json_t **out);
/* The outcome score with its parts (formula in technicians.c); also stored in
 * tech_profiles.score_x100 for dispatch. */
int store_tech_score(db *d, const principal *who, int64_t id, json_t **out);
int tech_score_tx(db_tx *tx, int64_t tenant_id, int64_t user_id, int64_t now, json_t **out);
/* Is the technician on leave at `at` (epoch ms)? */
int tech_on_leave_tx(db_tx *tx, int64_t tenant_id, int64_t user_id, int64_t at, bool *on_leave);

typedef struct authz_filter {
	int64_t outlet_org_id, principal_org_id;
	const char *brand, *category, *status;
	const char *valid_on; /* 'YYYY-MM-DD': only authorisations that allow work on that day */
} authz_filter;
int store_authz_list(db *d, const principal *who, const authz_filter *f, int limit, int64_t cursor, json_t **items,
		     int64_t *next);
int store_authz_get(db *d, const principal *who, int64_t id, json_t **out);
/* in: {principal_org_id, outlet_org_id, brand, category, valid_from, valid_to} (checked); the
 * caller's organisation must be one side (ST_FORBIDDEN), which accepts by proposing. */
int store_authz_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
/* action: accept | suspend | end | resume; reason required by the handler for suspend / end. */
int store_authz_action(db *d, const actor *a, int64_t id, int64_t if_match, const char *action, const char *reason,
		       json_t **out, st_info *info);
/* May this outlet do warranty work of brand / category on day ('YYYY-MM-DD')? True only for
 * an active authorisation valid that day. */
int authz_allows(db_tx *tx, int64_t tenant_id, int64_t outlet_org_id, const char *brand, const char *category,
		 const char *day, bool *allowed);
/* The ids of the outlets authorised that way, as a JSON array (new reference). */
int authz_outlets_tx(db_tx *tx, int64_t tenant_id, const char *brand, const char *category, const char *day,
		     json_t **ids);

typedef struct dispatch_policy {
	int64_t id;              /* 0: the built-in default */
	char mode[8];            /* manual | suggest | auto */
	int64_t accept_timeout_min;
	json_t *weights;         /* object or NULL; new reference, caller decrefs */
} dispatch_policy;
/* {items:[…], default:{mode, accept_timeout_min}}: the tenant default and the policies of
 * organisations in the caller's subtree. */
int store_dpolicy_list(db *d, const principal *who, json_t **out);
/* Replace the policies of the caller's subtree (and the tenant default when the caller is at
 * the root) with in.items (checked). */
int store_dpolicy_put(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
/* The policy for an order of org / type / priority: the deepest organisation on the org's
 * path first, then a row naming the type, then one naming the priority; none → suggest, 30. */
/* --- dispatch over the store (dispatch.c): the engine of domain/dispatch.h fed with the
 * technicians of the caller's subtree for one day --- */
/* Ranked technicians for an order: {order_id, distance_known, note?, items:[{technician_id,
 * name, score, km, travel_min, open_orders, booked_min, skill_level, start_at, reason …}]}. */
int store_dispatch_suggest(db *d, const principal *who, int64_t order_id, int limit, json_t **out);
/* Why `tech` cannot take order `id` in [start_ms, end_ms) (0: the order's appointment, or no
 * slot): *conflicts a JSON array of reason codes, NULL if none; ST_FORBIDDEN if the technician
 * is not in the caller's subtree. */
int dispatch_conflicts_tx(db_tx *tx, const principal *who, int64_t id, int64_t tech, int64_t start_ms, int64_t end_ms,
			  json_t **conflicts);
/* The board of a civil day: technicians with shifts, leave, bookings; the orders waiting. */
int store_dispatch_board(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out);
/* The day's route of each technician (appointments keep their window; orders without one fit
 * anywhere), before and after ordering: {date, routes:[{technician_id, visits:[{order_id,
 * start_at}], unplanned, km_before, km_after, travel_min_before, travel_min_after}], km_*}. */
int store_dispatch_routes(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out);
/* Network dispatch (network.c): the next level for an order held by a manufacturer (stations,
 * of the consumer's city first) or a station (its outlets authorised for the brand and category,
 * nearest and least loaded first), and the hand-over: to_org, or the best candidate when
 * automatic; 409 not_authorised / no_next_level / no_candidate / invalid_transition. */
int store_network_options(db *d, const principal *who, int64_t id, json_t **out);
/* The hand-over inside a caller's transaction (the scheduler's automatic routing). */
int network_route_tx(db_tx *tx, const actor *a, int64_t id, int64_t if_match, int64_t to_org, bool automatic,
		     const char *reason, json_t **out, st_info *info);
/* The outlet's answer to a station's hand-over: accept (route_due_at cleared), or decline with a
 * reason (back to the station, the outlet remembered so the automatic choice skips it). */
int store_network_answer(db *d, const actor *a, int64_t id, int64_t if_match, bool accept, const char *reason,
			 json_t **out, st_info *info);
int store_network_route(db *d, const actor *a, int64_t id, int64_t if_match, int64_t to_org, bool automatic,
			const char *reason, json_t **out, st_info *info);
int dispatch_policy_resolve_tx(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *order_type,
			       const char *priority, dispatch_policy *out);
int store_dpolicy_resolve(db *d, const principal *who, int64_t org_id, const char *order_type, const char *priority,
			  json_t **out);

/* --- answers to a dispatch (dispatch_answer.c; issue 5 item 5) ---
 * The best technician for an order who has not declined it or let it time out: *tech 0 if
 * nobody can take it (within the next days); *start_s the earliest feasible start. */
int dispatch_next_tx(db_tx *tx, const principal *who, int64_t order_id, int64_t *tech, int64_t *start_s);
/* When the assignee of order_id must answer a dispatch made at `now` (its policy's timeout). */
int dispatch_accept_due_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, int64_t now, int64_t *due,
			   int64_t *timeout_min);
/* A technician (tech_id) or an outlet (org_id) that did not take the order: declined | timeout | late. */
int dispatch_attempt_add_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, int64_t tech_id, int64_t org_id,
			    const char *outcome, const char *reason);
/* [{technician_id, name, outcome, reason, at}] of the order, oldest first (new reference). */
int dispatch_tried_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, json_t **out);
/* The scheduler's job: unanswered dispatches past their time re-dispatched (or handed back),
 * unassigned orders under an "auto" policy dispatched. Counts what it did. */
int store_dispatch_answers(db *d, int64_t now, int64_t *redispatched, int64_t *returned, int64_t *assigned);
/* A policy minute in ms (60,000; shorter when the scheduler's clock runs fast for tests). */
void store_set_time_scale(int64_t ms_per_minute);
int64_t store_minute_ms(void);
/* "I will be late" (POST /work-orders/{id}/late): {eta, reason, handover?}: the new arrival is
 * told to the customer (the appointment moves with it), or the order goes back to dispatch. */
int store_wo_late(db *d, const actor *a, int64_t id, int64_t if_match, json_t *body, json_t **out, st_info *info);

/* --- appointments and capacity (appointments.c; issue 5 item 6) ---
 * The technicians of dispatch.c's pool for one local day, for the slots of appointments.c:
 * the subtree of who->org_path, every technician with shifts (the whole day when none is
 * recorded: tech_pool_shifts_known tells), leave and bookings. */
struct dsp_tech;
typedef struct tech_pool tech_pool;
int tech_pool_load(db_tx *tx, const principal *who, int64_t day_start, tech_pool **out);
/* Bookings of one local day (of start_ms) wait for each other here on PostgreSQL, so a check of
 * free time read after it holds at commit: booking, and dispatching with an appointment. */
int appt_day_lock_tx(db_tx *tx, const principal *who, int64_t start_ms);
const struct dsp_tech *tech_pool_techs(const tech_pool *tp, size_t *n);
bool tech_pool_skills_known(const tech_pool *tp, size_t i);
bool tech_pool_shifts_known(const tech_pool *tp, size_t i);
const char *tech_pool_name(const tech_pool *tp, size_t i);
void tech_pool_free(tech_pool *tp);

/* Bays (工位): {id, org_id, org_name, name, kind, equipment[], daily_capacity, open_min,
 * close_min, active, note, version}; bodies checked by api/appointments.c. A name is unique
 * per organisation (ST_CONFLICT, existing_id); a bay with appointments to come is not deleted
 * (ST_CONFLICT bay_booked). */
int store_bays_list(db *d, const principal *who, int64_t org_id, bool active_only, json_t **items);
int store_bay_get(db *d, const principal *who, int64_t id, json_t **out);
int store_bay_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
int store_bay_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info);
int store_bay_delete(db *d, const actor *a, int64_t id, int64_t if_match, st_info *info);

typedef struct appt_query {
	int32_t day;          /* civil day in the tenant's zone */
	int64_t org_id;       /* 0: the order's, else the caller's organisation */
	int64_t order_id;     /* 0: none */
	const char *category; /* the skill; NULL: the order's (its asset's category) or none */
	const char *bay_kind; /* NULL: any bay */
	int64_t duration_s;
} appt_query;
/* Free slots of a day: {date, org_id, mode technicians|bays, duration_min, items:[{start_at,
 * end_at, available, free, capacity}]} (customers: their own order's organisation only, and no
 * counts). ST_INVALID names the field. */
int store_appt_slots(db *d, const principal *who, const appt_query *q, json_t **out, st_info *info);
/* Book (or move) the appointment of an order at [start_ms, end_ms) after checking capacity in
 * the same transaction: ST_CONFLICT slot_taken / outside_hours / order_not_open; ST_INVALID for
 * a bay of another organisation. bay_id 0: any free bay (workshops). → the order. */
int store_appt_book(db *d, const actor *a, int64_t id, int64_t if_match, int64_t start_ms, int64_t end_ms,
		    int64_t bay_id, json_t **out, st_info *info);
int store_appt_cancel(db *d, const actor *a, int64_t id, int64_t if_match, json_t **out, st_info *info);
/* The customer did not come: recorded on the order and counted on the customer. */
int store_appt_no_show(db *d, const actor *a, int64_t id, int64_t if_match, const char *reason, json_t **out,
		       st_info *info);
/* The appointment board (预约看板) of a day: bays and technicians with their appointments. */
int store_appt_board(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out);
/* The reminders of the appointments of `day` (0: tomorrow in each tenant's zone), each order
 * and appointment time once: an SMS through the outbox. tenant_id 0 = every tenant. */
int store_appt_reminders(db *d, int64_t tenant_id, int32_t day, int64_t *sent);

/* --- the day's plan of a team (dispatch_plan.c; issue 5 item 8, issue 6 item 4) ---
 * The route optimiser over a team's day (domain/dispatch_plan.h): the technicians of the
 * subtree of org_id with their shifts, lunch, leave and position; the day's orders dispatched
 * or taken to them (appointment that day, or none) and, with_unassigned, the team's orders
 * without a technician that have an appointment that day. keep mode orders each technician's
 * visits, team mode may move orders to a technician the dispatch rules allow. */
typedef struct plan_opts {
	int32_t day;          /* civil day in the tenant's zone */
	int64_t org_id;       /* 0: the caller's subtree; outside it → ST_NOT_FOUND */
	int mode;             /* enum dpl_mode */
	bool with_unassigned;
	bool from_now;        /* today: nothing planned before now */
} plan_opts;
/* {date, mode, engine, routes:[{technician_id, name, working, work_start_at, breaks, visits:[{order_id,
 * number, version, arrival_at, start_at, end_at, travel_min, km, from_technician_id, moved, …}], before,
 * unplanned, km_before, km_after, travel_min_before, travel_min_after, before_feasible}], unassigned:
 * [{order_id, version, technician_id, reason_code, reason}], totals, seconds, iterations}. ST_INVALID
 * (field org_id) for a team with more than 500 orders that day. */
int store_dispatch_plan(db *d, const principal *who, const plan_opts *opt, json_t **out, st_info *info);
/* in (checked): {date, org_id?, include_unassigned?, routes:[{technician_id, visits:[{order_id,
 * version}]}], unassigned?:[{order_id, version}]} — every order of the plan with the version it was
 * made with. One transaction: 404 / 412 for an order out of scope or changed, 409 plan_outdated
 * (the day's orders changed), not_working, dispatch_conflict, plan_late; else each order that
 * changes technician is re-dispatched (timeline reason "route plan"), each order without an
 * appointment gets its planned visit as one. → {orders:[{order_id, technician_id, change, version,
 * start_at, end_at}], moved, timed, unchanged}. */
int store_dispatch_plan_apply(db *d, const actor *a, json_t *in, json_t **out, st_info *info);

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
