/*
 * api.h — what the resource files share: turning store results into answers, records
 * with their ETag, and the Idempotency-Key protocol.
 */
#ifndef FUWU_API_H
#define FUWU_API_H

#include "http/http.h"
#include "store/store.h"

/* Answer a failed store call: 400/404/409/412/500 with the st_info detail. */
void reply_store(req *r, int rc, const st_info *info, const char *what);
/* A single record: ETag from its version; `location` (may be NULL) for 201. Steals obj. */
void reply_record(req *r, int status, json_t *obj, const char *location);
/* Fill an actor for writes. Returns false (answered) when the Idempotency-Key was used
 * before: replayed, or 409 if the body differs. `hash` must live as long as the actor. */
bool actor_begin(req *r, actor *a, char hash[65]);
/* After a create returned ST_CONFLICT: if it lost an idempotency race, replay and return true. */
bool idem_replay_after_race(req *r, actor *a, int rc, const st_info *info);

/* The common shapes of handlers: GET one record, POST create, PATCH with If-Match. The body
 * has been validated by the caller; these do the actor, idempotency, store call and answer. */
typedef int (*get_fn)(db *d, const principal *who, int64_t id, json_t **out);
typedef int (*create_fn)(db *d, const actor *a, json_t *in, json_t **out, st_info *info);
typedef int (*update_fn)(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out,
			 st_info *info);
void api_get(req *r, get_fn fn, const char *what);
void api_create(req *r, create_fn fn, const char *what, const char *collection);
void api_update(req *r, int64_t id, update_fn fn, const char *what);

/* Handlers, one file per resource. */
void h_healthz(req *r);
void h_readyz(req *r);
void h_metrics(req *r);
void h_openapi(req *r);
void h_roles(req *r);
void h_session_create(req *r);
void h_session_get(req *r);
void h_session_delete(req *r);
void h_tokens_list(req *r);
void h_tokens_create(req *r);
void h_tokens_delete(req *r);
void h_orgs_list(req *r);
void h_orgs_get(req *r);
void h_orgs_create(req *r);
void h_orgs_update(req *r);
void h_orgs_delete(req *r);
void h_users_list(req *r);
void h_users_get(req *r);
void h_users_create(req *r);
void h_users_update(req *r);
void h_users_delete(req *r);
void h_users_password(req *r);
void h_audit_list(req *r);
void h_wo_list(req *r);
void h_wo_get(req *r);
void h_wo_create(req *r);
void h_wo_update(req *r);
void h_wo_timeline(req *r);
void h_wo_event(req *r);
void h_wo_comment(req *r);
void h_wo_outbox(req *r);
void h_routing_solve(req *r);
/* the customer archive (issue 3) */
void h_cust_list(req *r);
void h_cust_get(req *r);
void h_cust_create(req *r);
void h_cust_update(req *r);
void h_cust_merge(req *r);
void h_cust_timeline(req *r);
void h_model_list(req *r);
void h_model_get(req *r);
void h_model_create(req *r);
void h_model_update(req *r);
void h_asset_list(req *r);
void h_asset_get(req *r);
void h_asset_create(req *r);
void h_asset_update(req *r);
void h_asset_transfer(req *r);
void h_asset_transfers(req *r);
void h_asset_reading_add(req *r);
void h_asset_readings(req *r);
void h_asset_warranty(req *r);
void h_reg_create(req *r);
void h_reg_list(req *r);
void h_maint_due(req *r);
void h_cust_import(req *r);
void h_first_service(req *r);
void h_labour_list(req *r);
void h_labour_create(req *r);
void h_labour_update(req *r);
void h_campaign_list(req *r);
void h_campaign_get(req *r);
void h_campaign_create(req *r);
void h_campaign_targets(req *r);
/* the rest of the archive (issue 3): imports and exports, contact plans and tasks */
void h_cust_export(req *r);
void h_asset_import(req *r);
void h_model_import(req *r);
void h_care_plans_get(req *r);
void h_care_plans_set(req *r);
void h_tasks_list(req *r);
void h_tasks_generate(req *r);
void h_task_get(req *r);
void h_task_update(req *r);
void h_task_done(req *r);
/* Answer rows (the first one the header) as an .xlsx workbook (fmt "xlsx") or a CSV file
 * with a UTF-8 BOM (imports.c); `name` is the file name without extension. */
void reply_table(req *r, const char *name, const char *sheet, json_t *rows, const char *fmt);

#endif
