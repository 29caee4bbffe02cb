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
void h_technicians_list(req *r);
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
/* settlement and delivery (issue 4 item 9; billing.c) */
void h_bill_build(req *r);
void h_bill_get(req *r);
void h_wo_bills(req *r);
void h_bill_discount(req *r);
void h_bill_pay(req *r);
void h_bill_refund(req *r);
void h_bill_credit(req *r);
void h_bill_void(req *r);
void h_wo_delivery(req *r);
void h_wo_delivery_suggest(req *r);
void h_wo_confirm(req *r);
/* lines, estimate, approvals, car reception (issue 4 items 4-6; wo_lines.c) */
void h_wo_lines_get(req *r);
void h_wo_line_add(req *r);
void h_wo_line_update(req *r);
void h_wo_line_delete(req *r);
void h_wo_line_consent(req *r);
void h_wo_line_done(req *r);
void h_wo_lines_copy(req *r);
void h_wo_estimate_set(req *r);
void h_wo_estimate_doc(req *r);
void h_wo_approval_add(req *r);
void h_wo_approvals(req *r);
void h_wo_reception_get(req *r);
void h_wo_reception_put(req *r);
void h_wo_reception_sign(req *r);
/* live progress, list counts, saved filters (issue 4 items 11-12; events.c, saved_filters.c) */
void h_events(req *r);
void h_wo_summary(req *r);
void h_wo_board(req *r);
void h_filters_list(req *r);
void h_filters_create(req *r);
void h_filters_delete(req *r);
/* The node's live-event poller (events.c): started before serving, stopped after. */
void events_start(db *d);
void events_stop(void);
/* execution: photos, attachments, work log, checklists, QC template, reports (issue 4 items 7-8; wo_exec.c, reports.c) */
void h_photo_upload(req *r);
void h_photo_list(req *r);
void h_photo_delete(req *r);
void h_attachment_get(req *r);
void h_attachment_thumb(req *r);
void h_worklog_start(req *r);
void h_worklog_stop(req *r);
void h_worklog_list(req *r);
void h_checklist_get(req *r);
void h_checklist_put(req *r);
void h_qc_template(req *r);
void h_report_rework(req *r);
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

/* classification, SLA, working calendar and tenant settings (issue 4 item 3; settings.c) */
void h_fc_list(req *r);
void h_fc_get(req *r);
void h_fc_create(req *r);
void h_fc_update(req *r);
void h_fc_delete(req *r);
void h_slap_list(req *r);
void h_slap_get(req *r);
void h_slap_create(req *r);
void h_slap_update(req *r);
void h_slap_delete(req *r);
void h_sla_preview(req *r);
void h_calendar_get(req *r);
void h_calendar_put(req *r);
void h_settings_get(req *r);
void h_settings_patch(req *r);
void h_intake_suggest(req *r);

/* Nested objects of a body (nested.c): body_check on `item`, errors named "<prefix>.<field>";
 * false when it had errors. array_check: arr is an array of at most max items (else an error
 * on name); false also when arr is absent or not an array (body_check reported the type). */
bool item_check(req *r, json_t *item, const struct field *spec, const char *prefix, verr *v);
bool array_check(json_t *arr, const char *name, size_t max, verr *v);

/* technicians as resources, authorisations (网签), dispatch policies (issue 5; technicians.c,
 * authorizations.c, dispatch_policies.c) */
void h_tech_get(req *r);
void h_tech_update(req *r);
void h_tech_shifts_put(req *r);
void h_tech_leave_add(req *r);
void h_tech_leave_delete(req *r);
void h_tech_position(req *r);
void h_tech_duty(req *r);
void h_tech_score(req *r);
void h_authz_list(req *r);
void h_authz_get(req *r);
void h_authz_create(req *r);
void h_authz_action(req *r);
void h_dpolicy_list(req *r);
void h_dpolicy_put(req *r);
void h_dpolicy_resolve(req *r);
/* dispatch.c */
/* ?order={id} of the dispatch questions: a field error in v when missing or not an id. */
void order_query(req *r, verr *v, int64_t *order);
void h_dispatch_suggestions(req *r);
void h_wo_late(req *r);
void h_dispatch_board(req *r);
/* network.c */
void h_network_options(req *r);
void h_wo_route(req *r);
void h_wo_route_accept(req *r);
void h_wo_route_decline(req *r);

/* appointments and capacity: bays, slots, booking, no-shows, the board, reminders (issue 5
 * item 6; appointments.c) */
void h_bays_list(req *r);
void h_bay_get(req *r);
void h_bay_create(req *r);
void h_bay_update(req *r);
void h_bay_delete(req *r);
void h_appt_slots(req *r);
void h_appt_board(req *r);
void h_appt_book(req *r);
void h_appt_cancel(req *r);
void h_appt_no_show(req *r);
void h_appt_reminders(req *r);

/* the day's plan of a team with the route optimiser (issue 5 item 8, issue 6 item 4; dispatch_plan.c) */
void h_dispatch_plan(req *r);
void h_dispatch_plan_apply(req *r);
void h_dispatch_routes_engine(req *r);

#endif
