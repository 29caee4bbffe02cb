/*
 * routes.c — the route table (tmux's cmd_table style): method, path, handler, required
 * permission, flags and the OpenAPI summary. /api/v1/openapi.json is generated from this
 * table plus the schemas below, so a route cannot exist undocumented.
 */
#include "api/api.h"
#include "domain/perm.h"

#include <stdlib.h>
#include <string.h>

#define ANY (-1)

const struct route routes[] = {
	{M_GET, "/healthz", h_healthz, ANY, R_PUBLIC, "Process is up", "operations", NULL, NULL},
	{M_GET, "/readyz", h_readyz, ANY, R_PUBLIC, "Database is reachable", "operations", NULL, NULL},
	{M_GET, "/metrics", h_metrics, ANY, R_PUBLIC, "Prometheus metrics", "operations", NULL, NULL},
	{M_GET, "/api/v1/openapi.json", h_openapi, ANY, R_PUBLIC, "This document", "operations", NULL, NULL},

	{M_POST, "/api/v1/session", h_session_create, ANY, R_PUBLIC | R_NOCSRF, "Log in", "session", "Login", "Session"},
	{M_GET, "/api/v1/session", h_session_get, ANY, 0, "The current session", "session", NULL, "Session"},
	{M_DELETE, "/api/v1/session", h_session_delete, ANY, 0, "Log out", "session", NULL, NULL},
	{M_GET, "/api/v1/roles", h_roles, ANY, 0, "Roles and the permission matrix", "users", NULL, NULL},

	{M_GET, "/api/v1/api-tokens", h_tokens_list, P_TOKEN_MANAGE, 0, "List API tokens", "session", NULL, "List"},
	{M_POST, "/api/v1/api-tokens", h_tokens_create, P_TOKEN_MANAGE, R_IDEM, "Create an API token (shown once)", "session", "ApiTokenCreate", "ApiToken"},
	{M_DELETE, "/api/v1/api-tokens/{id}", h_tokens_delete, P_TOKEN_MANAGE, 0, "Revoke an API token", "session", NULL, NULL},

	{M_GET, "/api/v1/organizations", h_orgs_list, P_ORG_READ, 0, "List organisations in your subtree", "organizations", NULL, "List"},
	{M_POST, "/api/v1/organizations", h_orgs_create, P_ORG_WRITE, R_IDEM, "Create an organisation", "organizations", "Organization", "Organization"},
	{M_GET, "/api/v1/organizations/{id}", h_orgs_get, P_ORG_READ, 0, "Get an organisation", "organizations", NULL, "Organization"},
	{M_PATCH, "/api/v1/organizations/{id}", h_orgs_update, P_ORG_WRITE, 0, "Change an organisation (If-Match)", "organizations", "Organization", "Organization"},
	{M_DELETE, "/api/v1/organizations/{id}", h_orgs_delete, P_ORG_WRITE, 0, "Delete an empty organisation", "organizations", NULL, NULL},

	{M_GET, "/api/v1/users", h_users_list, P_USER_READ, 0, "List users", "users", NULL, "List"},
	{M_POST, "/api/v1/users", h_users_create, P_USER_WRITE, R_IDEM, "Create a user", "users", "UserCreate", "User"},
	{M_GET, "/api/v1/users/{id}", h_users_get, P_USER_READ, 0, "Get a user", "users", NULL, "User"},
	{M_PATCH, "/api/v1/users/{id}", h_users_update, P_USER_WRITE, 0, "Change a user (If-Match)", "users", "UserCreate", "User"},
	{M_DELETE, "/api/v1/users/{id}", h_users_delete, P_USER_WRITE, 0, "Disable a user", "users", NULL, NULL},
	{M_POST, "/api/v1/users/{id}/password", h_users_password, ANY, 0, "Set a password (admin) or change your own", "users", "Password", NULL},

	{M_GET, "/api/v1/audit-log", h_audit_list, P_AUDIT_READ, 0, "The audit log of every write", "audit", NULL, "List"},

	{M_GET, "/api/v1/work-orders", h_wo_list, P_WO_READ, 0, "List work orders (status, q, type, priority, created_from, created_to, customer_id, assignee_id (or me), asset_id, late)", "work-orders", NULL, "List"},
	{M_POST, "/api/v1/work-orders", h_wo_create, P_WO_CREATE, R_IDEM, "Create a work order", "work-orders", "WorkOrderCreate", "WorkOrder"},
	{M_GET, "/api/v1/work-orders/{id}", h_wo_get, P_WO_READ, 0, "Get a work order", "work-orders", NULL, "WorkOrder"},
	{M_PATCH, "/api/v1/work-orders/{id}", h_wo_update, P_WO_UPDATE, 0, "Change a work order (If-Match)", "work-orders", "WorkOrderPatch", "WorkOrder"},
	{M_POST, "/api/v1/routing/solve", h_routing_solve, P_WO_UPDATE, 0, "Plan routes: VROOM-style problem in, solution out (?time_limit=2&seed=1)", "routing", "RoutingProblem", "RoutingSolution"},
	{M_GET, "/api/v1/work-orders/{id}/timeline", h_wo_timeline, P_WO_READ, 0, "Every event of a work order", "work-orders", NULL, "Timeline"},
	{M_POST, "/api/v1/work-orders/{id}/accept", h_wo_event, P_WO_READ, R_IDEM, "Accept a new request (受理)", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/dispatch", h_wo_event, P_WO_READ, R_IDEM, "Dispatch to a technician (派工): assignee_id", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/take", h_wo_event, P_WO_READ, R_IDEM, "The technician takes the order (接单)", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/decline", h_wo_event, P_WO_READ, R_IDEM, "The technician declines, with a reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/depart", h_wo_event, P_WO_READ, R_IDEM, "The technician sets off (已出发)", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/arrive", h_wo_event, P_WO_READ, R_IDEM, "Arrived on site / work starts (服务中)", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/hold", h_wo_event, P_WO_READ, R_IDEM, "Hold for parts or the customer: kind parts|customer", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/resume", h_wo_event, P_WO_READ, R_IDEM, "Resume work after a hold", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/complete", h_wo_event, P_WO_READ, R_IDEM, "Work completed (已完工); refused with an additional item lacking consent or a total above the customer's limit", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/qc-pass", h_wo_event, P_WO_READ, R_IDEM, "QC passed (完工总检), with the checklist; refused while a line is not done", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/qc-fail", h_wo_event, P_WO_READ, R_IDEM, "QC failed: back to in_service as rework, with the reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/settle", h_wo_event, P_WO_READ, R_IDEM, "Settled (已结算): needs a bill with nothing left to pay", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/close", h_wo_event, P_WO_READ, R_IDEM, "Closed: delivered and confirmed", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/follow-up", h_wo_event, P_WO_READ, R_IDEM, "Followed up (已回访)", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/late", h_wo_late, P_WO_READ, R_IDEM, "I will be late (迟到): the new arrival (eta) told to the customer and the appointment moved, or the order handed back (handover) with a reason", "work-order-flow", "WoLate", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/cancel", h_wo_event, P_WO_READ, R_IDEM, "Cancel before completion, with a reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/reopen", h_wo_event, P_WO_READ, R_IDEM, "Reopen a closed order within the period (counted as rework), with a reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/comments", h_wo_comment, P_WO_READ, R_IDEM, "Comment on an order (internal, or public: visible to the customer)", "work-order-flow", "WoComment", "TimelineItem"},
	{M_GET, "/api/v1/work-orders/{id}/outbox", h_wo_outbox, P_WO_UPDATE, 0, "Notifications written for an order (the outbox)", "work-order-flow", NULL, "List"},

	/* technicians as resources, authorisations (网签), dispatch policies (issue 5; api/technicians.c, api/authorizations.c, api/dispatch_policies.c) */
	{M_GET, "/api/v1/technicians", h_technicians_list, P_WO_UPDATE, 0, "Active technicians in your scope with profile and skills, to dispatch to (q, org_id, skill, team, on_duty)", "technicians", NULL, "List"},
	{M_GET, "/api/v1/technicians/{id}", h_tech_get, P_WO_UPDATE, 0, "A technician: profile, skills, certificates (expired flag), brands, shifts, leave not yet over", "technicians", NULL, "Technician"},
	{M_PATCH, "/api/v1/technicians/{id}", h_tech_update, P_TECH_WRITE, 0, "Change a technician's profile; skills, certs, brands replace their lists when given (If-Match)", "technicians", "TechnicianPatch", "Technician"},
	{M_PUT, "/api/v1/technicians/{id}/shifts", h_tech_shifts_put, P_TECH_WRITE, 0, "Replace the weekly shift pattern (local minutes of the day; If-Match)", "technicians", "TechShifts", "Technician"},
	{M_POST, "/api/v1/technicians/{id}/leave", h_tech_leave_add, P_TECH_WRITE, R_IDEM, "Book leave (from_at < to_at; overlapping leave → 409)", "technicians", "TechLeave", "TechLeaveItem"},
	{M_DELETE, "/api/v1/technicians/{id}/leave/{leave_id}", h_tech_leave_delete, P_TECH_WRITE, 0, "Cancel booked leave", "technicians", NULL, NULL},
	{M_POST, "/api/v1/technicians/me/position", h_tech_position, ANY, 0, "A technician's phone reports their position", "technicians", "TechPosition", "Technician"},
	{M_POST, "/api/v1/technicians/me/duty", h_tech_duty, ANY, 0, "A technician goes on or off duty", "technicians", "TechDuty", "Technician"},
	{M_GET, "/api/v1/technicians/{id}/score", h_tech_score, P_WO_UPDATE, 0, "The outcome score (first-time fix, rating, SLA kept; last 90 days) with its parts; stored for dispatch", "technicians", NULL, "TechScore"},
	{M_GET, "/api/v1/authorizations", h_authz_list, P_ORG_READ, 0, "Authorisations (网签) you are party to or that concern your subtree (outlet_org_id, principal_org_id, brand, category, status, valid_on)", "authorizations", NULL, "List"},
	{M_POST, "/api/v1/authorizations", h_authz_create, P_AUTHZ_WRITE, R_IDEM, "Propose an authorisation; your organisation must be the principal (manufacturer or station) or the outlet", "authorizations", "AuthorizationCreate", "Authorization"},
	{M_GET, "/api/v1/authorizations/{id}", h_authz_get, P_ORG_READ, 0, "Get an authorisation", "authorizations", NULL, "Authorization"},
	{M_POST, "/api/v1/authorizations/{id}/accept", h_authz_action, P_AUTHZ_WRITE, 0, "The other side accepts; active once both accepted (your side twice → 409)", "authorizations", "AuthorizationAction", "Authorization"},
	{M_POST, "/api/v1/authorizations/{id}/suspend", h_authz_action, P_AUTHZ_WRITE, 0, "Suspend an active authorisation, with a reason", "authorizations", "AuthorizationAction", "Authorization"},
	{M_POST, "/api/v1/authorizations/{id}/resume", h_authz_action, P_AUTHZ_WRITE, 0, "Resume a suspended authorisation", "authorizations", "AuthorizationAction", "Authorization"},
	{M_POST, "/api/v1/authorizations/{id}/end", h_authz_action, P_AUTHZ_WRITE, 0, "End an authorisation for good, with a reason", "authorizations", "AuthorizationAction", "Authorization"},
	{M_GET, "/api/v1/dispatch/suggestions", h_dispatch_suggestions, P_TECH_WRITE, 0, "The best technicians for an order (?order=&limit=5), with the reasons: distance, open orders, skill level", "dispatch", NULL, "DispatchSuggestions"},
	{M_GET, "/api/v1/dispatch/network", h_network_options, P_TECH_WRITE, 0, "Where an order goes next (?order=): stations of the consumer's city first, or the outlets authorised (网签) for its brand and category, nearest and least loaded first", "dispatch", NULL, "NetworkOptions"},
	{M_POST, "/api/v1/work-orders/{id}/route", h_wo_route, P_TECH_WRITE, R_IDEM, "Hand the order to a station or an outlet (org_id, or auto: true), before it is dispatched; an outlet must be authorised for the brand", "dispatch", "WoRoute", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/route/accept", h_wo_route_accept, P_TECH_WRITE, R_IDEM, "The outlet accepts a station's hand-over (or dispatches to its technician); unanswered past the policy's time it goes to the next outlet", "dispatch", "WoRouteAnswer", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/route/decline", h_wo_route_decline, P_TECH_WRITE, R_IDEM, "The outlet declines a station's hand-over with a reason: back to the station (and on to the next outlet under an auto policy)", "dispatch", "WoRouteAnswer", "WorkOrder"},
	{M_GET, "/api/v1/dispatch/routes", h_dispatch_routes_engine, P_TECH_WRITE, 0, "Each technician's visits of a day in route order (?date=&org_id=&engine=optimiser|heuristic): appointments keep their window; travel before and after", "dispatch", NULL, "DispatchPlan"},
	/* the day's plan of a team with the route optimiser (issue 5 item 8, issue 6 item 4; api/dispatch_plan.c) */
	{M_GET, "/api/v1/dispatch/plan", h_dispatch_plan, P_TECH_WRITE, 0, "Plan a team's day with the route optimiser (?date=&org_id=&mode=keep|team&include_unassigned=true): each technician's visits in order with arrival times, travel before and after, the orders left out with the reason", "dispatch", NULL, "DispatchPlan"},
	{M_POST, "/api/v1/dispatch/plan/apply", h_dispatch_plan_apply, P_TECH_WRITE, R_IDEM, "Apply a plan in one transaction: moved orders re-dispatched (If-Match: the versions planned), planned visits kept as appointments; 409 plan_outdated / 412 if the day changed", "dispatch", "DispatchPlanApply", "DispatchPlanApplied"},
	{M_GET, "/api/v1/dispatch/board", h_dispatch_board, P_TECH_WRITE, 0, "The dispatcher's board of a day (?date=YYYY-MM-DD&org_id=): technicians with shifts, leave and bookings; orders waiting", "dispatch", NULL, "DispatchBoard"},
	{M_GET, "/api/v1/dispatch/policies", h_dpolicy_list, P_WO_UPDATE, 0, "Dispatch policies of your subtree and the tenant default, with the built-in default", "dispatch", NULL, "DispatchPolicies"},
	{M_PUT, "/api/v1/dispatch/policies", h_dpolicy_put, P_SETTINGS_WRITE, 0, "Replace the dispatch policies of your subtree (the tenant default from the root only)", "dispatch", "DispatchPoliciesPut", "DispatchPolicies"},
	{M_GET, "/api/v1/dispatch/policies/resolve", h_dpolicy_resolve, P_WO_UPDATE, 0, "The policy that applies to an order (?org_id=&order_type=&priority=): most specific first", "dispatch", NULL, "DispatchPolicyResolved"},

	/* appointments and capacity (issue 5 item 6; api/appointments.c) */
	{M_GET, "/api/v1/bays", h_bays_list, P_ORG_READ, 0, "Workshop bays (工位) in your subtree (?org_id=&active=true)", "appointments", NULL, "List"},
	{M_POST, "/api/v1/bays", h_bay_create, P_SETTINGS_WRITE, R_IDEM, "Create a bay with its kind, equipment, hours and daily capacity (name unique per organisation)", "appointments", "Bay", "Bay"},
	{M_GET, "/api/v1/bays/{id}", h_bay_get, P_ORG_READ, 0, "Get a bay", "appointments", NULL, "Bay"},
	{M_PATCH, "/api/v1/bays/{id}", h_bay_update, P_SETTINGS_WRITE, 0, "Change a bay (If-Match)", "appointments", "BayPatch", "Bay"},
	{M_DELETE, "/api/v1/bays/{id}", h_bay_delete, P_SETTINGS_WRITE, 0, "Remove a bay (409 bay_booked while appointments to come are on it)", "appointments", NULL, NULL},
	{M_GET, "/api/v1/appointments/slots", h_appt_slots, P_WO_READ, 0, "Free slots of a day on the 30-minute grid (?date=&org_id=&order_id=&category=&bay_kind=&duration_min=60): from technicians' shifts, leave and bookings, or from the bays of a workshop; customers: their own order, availability only", "appointments", NULL, "AppointmentSlots"},
	{M_GET, "/api/v1/appointments", h_appt_board, P_WO_UPDATE, 0, "The appointment board (预约看板) of a day (?date=&org_id=): bays and technicians with their appointments (booked, arrived, no_show, done) and capacity used", "appointments", NULL, "AppointmentBoard"},
	{M_POST, "/api/v1/appointments/reminders", h_appt_reminders, P_SETTINGS_WRITE, 0, "Send the reminders of a day's appointments now (default tomorrow; the scheduler does it hourly; each once)", "appointments", "AppointmentReminders", "AppointmentRemindersSent"},
	{M_POST, "/api/v1/work-orders/{id}/appointment", h_appt_book, P_WO_READ, R_IDEM, "Book or move the order's appointment (staff, or the customer for their own order); capacity checked again: 409 slot_taken or outside_hours", "appointments", "AppointmentBook", "WorkOrder"},
	{M_DELETE, "/api/v1/work-orders/{id}/appointment", h_appt_cancel, P_WO_READ, 0, "Cancel the order's appointment (staff, or the customer for their own order)", "appointments", NULL, "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/no-show", h_appt_no_show, P_WO_UPDATE, R_IDEM, "The customer did not come: recorded on the order and counted on the customer (409 no_appointment, not_started, already_no_show)", "appointments", "NoShow", "WorkOrder"},

	/* settlement and delivery (issue 4 item 9; api/billing.c) */
	{M_POST, "/api/v1/work-orders/{id}/bill", h_bill_build, P_WO_READ, R_IDEM, "Build the bill from the actual lines (completed or QC passed; If-Match on the order; an unpaid bill is replaced)", "billing", NULL, "Bill"},
	{M_GET, "/api/v1/work-orders/{id}/bills", h_wo_bills, P_WO_READ, 0, "Bills and credit notes of an order, with their payments", "billing", NULL, "Items"},
	{M_GET, "/api/v1/bills/{id}", h_bill_get, P_WO_READ, 0, "A bill with its payments, the order, the asset and the company name (for the receipt)", "billing", NULL, "Bill"},
	{M_PATCH, "/api/v1/bills/{id}", h_bill_discount, P_WO_READ, 0, "Discount with a reason, within the role's limit (tenant setting discount_limits; If-Match)", "billing", "BillDiscount", "Bill"},
	{M_POST, "/api/v1/bills/{id}/payments", h_bill_pay, P_WO_READ, R_IDEM, "Take a payment (cash, card, WeChat Pay, Alipay, transfer); more than the balance → 409", "billing", "Payment", "Bill"},
	{M_POST, "/api/v1/bills/{id}/refunds", h_bill_refund, P_WO_READ, R_IDEM, "Refund, with a reason; more than was paid → 409", "billing", "Refund", "Bill"},
	{M_POST, "/api/v1/bills/{id}/credit-notes", h_bill_credit, P_WO_READ, R_IDEM, "Credit note correcting a bill (the lines of a settled order are frozen)", "billing", "CreditNote", "Bill"},
	{M_POST, "/api/v1/bills/{id}/void", h_bill_void, P_WO_READ, 0, "Void a bill with a reason (manager; after its payments were refunded)", "billing", "BillVoid", "Bill"},
	{M_POST, "/api/v1/work-orders/{id}/delivery", h_wo_delivery, P_WO_READ, 0, "Record the delivery (explanation, next maintenance, next appointment, old parts); closes a settled order", "billing", "Delivery", "WorkOrder"},
	{M_GET, "/api/v1/work-orders/{id}/delivery/suggestion", h_wo_delivery_suggest, P_WO_READ, 0, "Next maintenance suggested from the model's schedule and the mileage", "billing", NULL, "DeliverySuggestion"},
	{M_POST, "/api/v1/work-orders/{id}/confirm", h_wo_confirm, P_WO_READ, 0, "The customer confirms and rates 1-5 (portal, signature or phone); closes a settled order", "billing", "Confirm", "WorkOrder"},

	/* lines, estimate, approvals, car reception (issue 4 items 4-6; api/wo_lines.c) */
	{M_GET, "/api/v1/work-orders/{id}/lines", h_wo_lines_get, P_WO_READ, 0, "Estimate and actual lines with totals (labour/parts/fees, by pay type), approval_needed and consents_pending", "work-order-lines", NULL, "WoLines"},
	{M_POST, "/api/v1/work-orders/{id}/lines", h_wo_line_add, P_WO_UPDATE, R_IDEM, "Add a line (If-Match on the order): labour from operation_id or hours × rate × the model's coefficient; parts and fees qty × unit price; pay type defaulted from the warranty decision", "work-order-lines", "WoLineCreate", "WoLineResult"},
	{M_POST, "/api/v1/work-orders/{id}/lines/copy-estimate", h_wo_lines_copy, P_WO_UPDATE, R_IDEM, "Copy every estimate line not carried out yet to the actual lines (If-Match)", "work-order-lines", NULL, "WoLinesCopied"},
	{M_PATCH, "/api/v1/work-orders/{id}/lines/{line_id}", h_wo_line_update, P_WO_UPDATE, 0, "Change a line (If-Match on the order); raising an additional item asks for consent again", "work-order-lines", "WoLinePatch", "WoLineResult"},
	{M_DELETE, "/api/v1/work-orders/{id}/lines/{line_id}", h_wo_line_delete, P_WO_UPDATE, 0, "Remove a line (If-Match on the order; ETag: the order's new version)", "work-order-lines", NULL, NULL},
	{M_POST, "/api/v1/work-orders/{id}/lines/{line_id}/consent", h_wo_line_consent, P_WO_UPDATE, R_IDEM, "Record the customer's consent to an additional item (who, channel, signature)", "work-order-lines", "WoConsent", "WoLineResult"},
	{M_POST, "/api/v1/work-orders/{id}/lines/{line_id}/done", h_wo_line_done, P_WO_UPDATE, R_IDEM, "Mark an actual line done ({done:false} undoes); an additional item needs consent first", "work-order-lines", "WoLineDone", "WoLineResult"},
	{M_POST, "/api/v1/work-orders/{id}/estimate", h_wo_estimate_set, P_WO_UPDATE, R_IDEM, "Set the promised completion time and the customer's approval limit (\"call me above X\"; If-Match)", "work-order-lines", "WoEstimate", "WorkOrder"},
	{M_GET, "/api/v1/work-orders/{id}/estimate", h_wo_estimate_doc, P_WO_READ, 0, "The service authorisation (任务委托书) to print: company, order, asset, lines, totals, terms, signature", "work-order-lines", NULL, "WoEstimateDoc"},
	{M_POST, "/api/v1/work-orders/{id}/approvals", h_wo_approval_add, P_WO_READ, R_IDEM, "The customer approves the estimate or additional items (signature, online from the portal, phone, in person)", "work-order-lines", "WoApprovalCreate", "WoApprovalResult"},
	{M_GET, "/api/v1/work-orders/{id}/approvals", h_wo_approvals, P_WO_READ, 0, "Approvals and consents of an order, with their signature images", "work-order-lines", NULL, "Items"},
	{M_GET, "/api/v1/work-orders/{id}/reception", h_wo_reception_get, P_WO_READ, 0, "The car reception sheet (接车), null before it is filled in", "work-order-lines", NULL, "WoReceptionView"},
	{M_PUT, "/api/v1/work-orders/{id}/reception", h_wo_reception_put, P_WO_UPDATE, 0, "Fill in the reception sheet (If-Match on the order); the mileage becomes a reading of the asset", "work-order-lines", "WoReception", "WoReceptionView"},
	{M_POST, "/api/v1/work-orders/{id}/reception/sign", h_wo_reception_sign, P_WO_UPDATE, R_IDEM, "The customer signs the reception sheet (If-Match)", "work-order-lines", "WoSignature", "WoReceptionView"},

	/* execution: photos, work log, checklists, QC template, rework report (issue 4 items 7-8; api/wo_exec.c, api/reports.c) */
	{M_POST, "/api/v1/work-orders/{id}/photos", h_photo_upload, P_WO_UPDATE, R_IDEM | R_UPLOAD, "Add a photo: multipart/form-data (file, caption) or a raw image/jpeg|png body (?caption=); JPEG/PNG checked by decoding, at most 10 MiB (413), HEIC and other files 415", "work-order-exec", "PhotoUpload", "Photo"},
	{M_GET, "/api/v1/work-orders/{id}/photos", h_photo_list, P_WO_READ, 0, "Photos of an order (without their data; url and thumb_url)", "work-order-exec", NULL, "Items"},
	{M_DELETE, "/api/v1/work-orders/{id}/photos/{photo_id}", h_photo_delete, P_WO_UPDATE, 0, "Delete a photo (refused once the order is settled)", "work-order-exec", NULL, NULL},
	{M_GET, "/api/v1/attachments/{id}", h_attachment_get, P_WO_READ, 0, "A photo or signature image (its bytes; in your scope through its order)", "work-order-exec", NULL, NULL},
	{M_GET, "/api/v1/attachments/{id}/thumb", h_attachment_thumb, P_WO_READ, 0, "The JPEG thumbnail of a photo (longest side 320 px)", "work-order-exec", NULL, NULL},
	{M_POST, "/api/v1/work-orders/{id}/worklog/start", h_worklog_start, P_WO_UPDATE, R_IDEM, "Start your work log on the order (one running entry per person across orders: 409 names the running one)", "work-order-exec", "WorklogNote", "WorklogEntry"},
	{M_POST, "/api/v1/work-orders/{id}/worklog/stop", h_worklog_stop, P_WO_UPDATE, R_IDEM, "Stop your running work log on the order", "work-order-exec", "WorklogNote", "WorklogEntry"},
	{M_GET, "/api/v1/work-orders/{id}/worklog", h_worklog_list, P_WO_READ, 0, "Work log entries with minutes, totals per person, your running entry", "work-order-exec", NULL, "Worklog"},
	{M_GET, "/api/v1/work-orders/{id}/checklists/execution", h_checklist_get, P_WO_READ, 0, "The execution checklist: the order type's template (maintenance: the next service of the model's schedule) merged with what was saved", "work-order-exec", NULL, "Checklist"},
	{M_PUT, "/api/v1/work-orders/{id}/checklists/execution", h_checklist_put, P_WO_UPDATE, R_IDEM, "Save the execution checklist (If-Match on the order; ETag: its new version)", "work-order-exec", "ChecklistSave", "Checklist"},
	{M_GET, "/api/v1/work-orders/{id}/checklists/qc", h_qc_template, P_WO_READ, 0, "The QC checklist template: each actual line, safety items, no new damage vs the reception sheet; the decision is POST qc-pass|qc-fail", "work-order-exec", NULL, "QcTemplate"},
	{M_GET, "/api/v1/reports/rework", h_report_rework, P_WO_READ, 0, "Rework per technician (?from=&to= dates in the tenant's zone, default the last 30 days; &technician_id= adds their orders)", "reports", NULL, "ReworkReport"},

	/* live progress, list counts, saved filters (issue 4 items 11-12; api/events.c, api/saved_filters.c) */
	{M_GET, "/api/v1/events", h_events, P_WO_READ, 0, "Live work-order events as server-sent events (text/event-stream; Last-Event-ID resumes)", "live", NULL, NULL},
	{M_GET, "/api/v1/work-orders/summary", h_wo_summary, P_WO_READ, 0, "Orders per state and late ones, in your scope (the list header)", "live", NULL, "WoSummary"},
	{M_GET, "/api/v1/work-orders/board", h_wo_board, P_WO_READ, 0, "The wall board (进度看板): open orders per state column (?limit=60)", "live", NULL, "WoBoard"},
	{M_GET, "/api/v1/saved-filters", h_filters_list, P_WO_READ, 0, "Your saved work-order list filters", "live", NULL, "Items"},
	{M_POST, "/api/v1/saved-filters", h_filters_create, P_WO_READ, R_IDEM, "Save a list filter (name ≤ 40 characters; at most 50)", "live", "SavedFilterCreate", "SavedFilter"},
	{M_DELETE, "/api/v1/saved-filters/{id}", h_filters_delete, P_WO_READ, 0, "Delete one of your saved filters", "live", NULL, NULL},

	/* classification, SLA, working calendar and tenant settings (issue 4 item 3; api/settings.c) */
	{M_GET, "/api/v1/fault-categories", h_fc_list, ANY, 0, "Fault categories: the tree as a flat list, parents first (?q=&parent_id=)", "settings", NULL, "List"},
	{M_POST, "/api/v1/fault-categories", h_fc_create, P_SETTINGS_WRITE, R_IDEM, "Create a fault category (code unique per tenant)", "settings", "FaultCategory", "FaultCategory"},
	{M_GET, "/api/v1/fault-categories/{id}", h_fc_get, ANY, 0, "Get a fault category", "settings", NULL, "FaultCategory"},
	{M_PATCH, "/api/v1/fault-categories/{id}", h_fc_update, P_SETTINGS_WRITE, 0, "Change or move a fault category (If-Match)", "settings", "FaultCategory", "FaultCategory"},
	{M_DELETE, "/api/v1/fault-categories/{id}", h_fc_delete, P_SETTINGS_WRITE, 0, "Delete a fault category (409 while it has sub-categories or orders use it)", "settings", NULL, NULL},
	{M_GET, "/api/v1/sla-policies", h_slap_list, ANY, 0, "SLA policies (staff), with the built-in defaults per priority (?priority=)", "settings", NULL, "SlaPolicyList"},
	{M_GET, "/api/v1/sla-policies/preview", h_sla_preview, ANY, 0, "The policy and deadlines an order would get (?priority=&contract=&region=&created_at=; staff)", "settings", NULL, "SlaPreview"},
	{M_POST, "/api/v1/sla-policies", h_slap_create, P_SETTINGS_WRITE, R_IDEM, "Create an SLA policy for a priority, optionally a contract and/or region (one each)", "settings", "SlaPolicy", "SlaPolicy"},
	{M_GET, "/api/v1/sla-policies/{id}", h_slap_get, ANY, 0, "Get an SLA policy (staff)", "settings", NULL, "SlaPolicy"},
	{M_PATCH, "/api/v1/sla-policies/{id}", h_slap_update, P_SETTINGS_WRITE, 0, "Change an SLA policy (If-Match)", "settings", "SlaPolicy", "SlaPolicy"},
	{M_DELETE, "/api/v1/sla-policies/{id}", h_slap_delete, P_SETTINGS_WRITE, 0, "Delete an SLA policy (the default applies again)", "settings", NULL, NULL},
	{M_GET, "/api/v1/calendar", h_calendar_get, ANY, 0, "The working calendar: week, hours, holidays and 调休 working days (staff)", "settings", NULL, "Calendar"},
	{M_PUT, "/api/v1/calendar", h_calendar_put, P_SETTINGS_WRITE, 0, "Replace the working week and hours, and the list of days when given", "settings", "CalendarPut", "Calendar"},
	{M_GET, "/api/v1/settings", h_settings_get, ANY, 0, "Tenant settings with their defaults (staff)", "settings", NULL, "Settings"},
	{M_PATCH, "/api/v1/settings", h_settings_patch, P_SETTINGS_WRITE, 0, "Change tenant settings (known keys only; null = back to the default)", "settings", "Settings", "Settings"},
	{M_GET, "/api/v1/intake/suggest", h_intake_suggest, P_WO_CREATE, 0, "Suggested type and priority from the fault category, the customer's class and a contract (?fault_category_id=&customer_id=&contract=)", "settings", NULL, "IntakeSuggestion"},

	{M_GET, "/api/v1/customers", h_cust_list, P_CUST_READ, 0, "Find customers (phone: end of any phone, name, plate, serial, class)", "customers", NULL, "List"},
	{M_POST, "/api/v1/customers", h_cust_create, P_CUST_WRITE, R_IDEM, "Create a customer (a phone of another customer → 409 existing_id)", "customers", "CustomerCreate", "Customer"},
	{M_POST, "/api/v1/customers/import", h_cust_import, P_CUST_WRITE, R_IMPORT, "Import customers from CSV (UTF-8 or GBK) or .xlsx (dry_run reports every bad row)", "customers", "CustomerImport", "ImportResult"},
	{M_GET, "/api/v1/customers/export", h_cust_export, P_CUST_READ, 0, "Export the customer list as .xlsx or CSV with Chinese headers (?format=&limit= and the list's filters)", "customers", NULL, NULL},
	{M_GET, "/api/v1/customers/{id}", h_cust_get, P_CUST_READ, 0, "Get a customer with phones and addresses", "customers", NULL, "Customer"},
	{M_PATCH, "/api/v1/customers/{id}", h_cust_update, P_CUST_WRITE, 0, "Change a customer (If-Match)", "customers", "CustomerCreate", "Customer"},
	{M_POST, "/api/v1/customers/{id}/merge", h_cust_merge, P_CUST_WRITE, 0, "Merge customer from_id into this one, keeping every linked record", "customers", "CustomerMerge", "Customer"},
	{M_GET, "/api/v1/customers/{id}/timeline", h_cust_timeline, P_CUST_READ, 0, "The archive timeline of a customer", "customers", NULL, "Timeline"},
	{M_POST, "/api/v1/product-models/import", h_model_import, P_MODEL_WRITE, R_IMPORT, "Import product models from CSV or .xlsx (dry_run reports every bad row)", "product-models", "CustomerImport", "ImportResult"},
	{M_GET, "/api/v1/product-models", h_model_list, P_CUST_READ, 0, "List product models (q, brand, category)", "product-models", NULL, "List"},
	{M_POST, "/api/v1/product-models", h_model_create, P_MODEL_WRITE, R_IDEM, "Create a product model with its warranty policy", "product-models", "ProductModel", "ProductModel"},
	{M_GET, "/api/v1/product-models/{id}", h_model_get, P_CUST_READ, 0, "Get a product model", "product-models", NULL, "ProductModel"},
	{M_PATCH, "/api/v1/product-models/{id}", h_model_update, P_MODEL_WRITE, 0, "Change a product model (If-Match)", "product-models", "ProductModel", "ProductModel"},
	{M_GET, "/api/v1/labour-operations", h_labour_list, P_CUST_READ, 0, "Standard labour operations (?model_id=&q=)", "product-models", NULL, "List"},
	{M_POST, "/api/v1/labour-operations", h_labour_create, P_MODEL_WRITE, R_IDEM, "Create a standard labour operation", "product-models", "LabourOperation", "LabourOperation"},
	{M_PATCH, "/api/v1/labour-operations/{id}", h_labour_update, P_MODEL_WRITE, 0, "Change a labour operation (If-Match)", "product-models", "LabourOperation", "LabourOperation"},
	{M_POST, "/api/v1/assets/import", h_asset_import, P_CUST_WRITE, R_IMPORT, "Import assets from CSV or .xlsx: owner by phone, model by brand and model (dry_run reports every bad row)", "assets", "CustomerImport", "ImportResult"},
	{M_GET, "/api/v1/assets", h_asset_list, P_CUST_READ, 0, "List assets (customer_id, model_id, serial, plate)", "assets", NULL, "List"},
	{M_POST, "/api/v1/assets", h_asset_create, P_CUST_WRITE, R_IDEM, "Create an asset", "assets", "AssetCreate", "Asset"},
	{M_GET, "/api/v1/assets/{id}", h_asset_get, P_CUST_READ, 0, "Get an asset", "assets", NULL, "Asset"},
	{M_PATCH, "/api/v1/assets/{id}", h_asset_update, P_CUST_WRITE, 0, "Change an asset (If-Match)", "assets", "AssetCreate", "Asset"},
	{M_POST, "/api/v1/assets/{id}/transfer", h_asset_transfer, P_CUST_WRITE, 0, "Move an asset to another customer (history kept)", "assets", "AssetTransfer", "Asset"},
	{M_GET, "/api/v1/assets/{id}/transfers", h_asset_transfers, P_CUST_READ, 0, "Owners of an asset over time", "assets", NULL, "Items"},
	{M_POST, "/api/v1/assets/{id}/readings", h_asset_reading_add, P_CUST_WRITE, R_IDEM, "Add a mileage reading (lower only as an odometer change with reason)", "assets", "Reading", "Reading"},
	{M_GET, "/api/v1/assets/{id}/readings", h_asset_readings, P_CUST_READ, 0, "Mileage readings of an asset", "assets", NULL, "Items"},
	{M_GET, "/api/v1/assets/{id}/warranty", h_asset_warranty, P_CUST_READ, 0, "The 三包 warranty decision (?date=&fault=&fault_code=&mileage=)", "assets", NULL, "WarrantyDecision"},
	{M_POST, "/api/v1/warranty-registrations", h_reg_create, P_WARRANTY_REGISTER, R_IDEM, "Register a product's warranty electronically (a serial once)", "assets", "WarrantyRegistration", "WarrantyRegistration"},
	{M_GET, "/api/v1/warranty-registrations", h_reg_list, P_CUST_READ, 0, "List warranty registrations", "assets", NULL, "List"},
	{M_GET, "/api/v1/campaigns", h_campaign_list, P_CUST_READ, 0, "Customer care campaigns", "customers", NULL, "List"},
	{M_POST, "/api/v1/campaigns", h_campaign_create, P_CUST_WRITE, R_IDEM, "Start a campaign: customers by rule, a message queued for each", "customers", "CampaignCreate", "Campaign"},
	{M_GET, "/api/v1/campaigns/{id}", h_campaign_get, P_CUST_READ, 0, "A campaign with how many were reached and came back", "customers", NULL, "Campaign"},
	{M_GET, "/api/v1/campaigns/{id}/targets", h_campaign_targets, P_CUST_READ, 0, "The customers of a campaign and who came back", "customers", NULL, "List"},
	{M_GET, "/api/v1/care-plans", h_care_plans_get, P_CUST_READ, 0, "ABC contact plans (A weekly, B monthly, C every 6 months unless changed)", "customers", NULL, "CarePlans"},
	{M_PUT, "/api/v1/care-plans", h_care_plans_set, P_MODEL_WRITE, 0, "Change the contact interval of classes A, B, C", "customers", "CarePlans", "CarePlans"},
	{M_GET, "/api/v1/contact-tasks", h_tasks_list, P_CUST_WRITE, 0, "Contact tasks due (?status=open|done|all&due=overdue|today|week&owner_id=|me&org_id=&customer_id=)", "customers", NULL, "List"},
	{M_POST, "/api/v1/contact-tasks/generate", h_tasks_generate, P_CUST_WRITE, 0, "Generate the contact tasks of the ABC plans (idempotent: one open task per customer)", "customers", "TaskGenerate", "TaskGenerated"},
	{M_GET, "/api/v1/contact-tasks/{id}", h_task_get, P_CUST_WRITE, 0, "Get a contact task", "customers", NULL, "ContactTask"},
	{M_PATCH, "/api/v1/contact-tasks/{id}", h_task_update, P_CUST_WRITE, 0, "Give a contact task to someone, move its day, note (If-Match)", "customers", "ContactTaskPatch", "ContactTask"},
	{M_POST, "/api/v1/contact-tasks/{id}/done", h_task_done, P_CUST_WRITE, 0, "Mark a contact task done with its outcome (If-Match)", "customers", "ContactTaskDone", "ContactTask"},
	{M_GET, "/api/v1/maintenance/first-service", h_first_service, P_CUST_READ, 0, "First-service (首保) rate of the assets bought from..to (?org_id=)", "assets", NULL, "FirstService"},
	{M_GET, "/api/v1/maintenance/due", h_maint_due, P_CUST_READ, 0, "Maintenance due this month or overdue (?month=YYYY-MM&org_id=&format=csv|xlsx)", "assets", NULL, "Items"},
};
const int routes_count = (int)ARRAY_LEN(routes);

/* Schemas of components; referenced by name from the table above. */
static const char schemas[] =
	"{"
	"\"Problem\":{\"type\":\"object\",\"description\":\"RFC 9457 problem details\",\"properties\":{"
	"\"type\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"status\":{\"type\":\"integer\"},"
	"\"code\":{\"type\":\"string\",\"enum\":[\"bad_json\",\"validation_failed\",\"unauthorized\",\"csrf_failed\","
	"\"forbidden\",\"not_found\",\"method_not_allowed\",\"conflict\",\"precondition_failed\",\"payload_too_large\","
	"\"unsupported_media_type\",\"rate_limited\",\"invalid_transition\",\"unavailable\",\"internal\"]},"
	"\"detail\":{\"type\":\"string\"},\"request_id\":{\"type\":\"string\"},"
	"\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"field\":{\"type\":\"string\"},"
	"\"code\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"}}}},\"existing_id\":{\"type\":\"integer\"},"
	"\"current_version\":{\"type\":\"integer\"},\"retry_after\":{\"type\":\"integer\"}}},"
	"\"List\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	"\"next_cursor\":{\"type\":[\"string\",\"null\"]}}},"
	"\"Login\":{\"type\":\"object\",\"required\":[\"login\",\"password\"],\"properties\":{\"login\":{\"type\":\"string\"},"
	"\"password\":{\"type\":\"string\"},\"tenant\":{\"type\":\"string\",\"default\":\"default\"}}},"
	"\"Session\":{\"type\":\"object\",\"properties\":{\"token\":{\"type\":\"string\"},\"csrf_token\":{\"type\":\"string\"},"
	"\"csrf_header\":{\"type\":\"string\"},\"expires_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
	"\"user\":{\"$ref\":\"#/components/schemas/User\"}}},"
	"\"ApiTokenCreate\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":100},"
	"\"user_id\":{\"type\":\"integer\"}}},"
	"\"ApiToken\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
	"\"user_id\":{\"type\":\"integer\"},\"token\":{\"type\":\"string\"},\"created_at\":{\"type\":\"string\"}}},"
	"\"Organization\":{\"type\":\"object\",\"required\":[\"type\",\"name\",\"parent_id\"],\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"readOnly\":true},\"parent_id\":{\"type\":[\"integer\",\"null\"]},"
	"\"type\":{\"type\":\"string\",\"enum\":[\"platform\",\"manufacturer\",\"station\",\"outlet\",\"department\",\"team\"]},"
	"\"name\":{\"type\":\"string\",\"maxLength\":100},\"code\":{\"type\":[\"string\",\"null\"],\"maxLength\":32},"
	"\"region\":{\"type\":\"object\",\"properties\":{\"province\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"},"
	"\"district\":{\"type\":\"string\"}}},\"address\":{\"type\":\"string\",\"maxLength\":300},"
	"\"lat\":{\"type\":\"number\"},\"lon\":{\"type\":\"number\"},\"path\":{\"type\":\"string\",\"readOnly\":true},"
	"\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"UserCreate\":{\"type\":\"object\",\"required\":[\"login\",\"name\",\"password\",\"org_id\",\"roles\"],\"properties\":{"
	"\"login\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9_.-]{3,64}$\"},\"name\":{\"type\":\"string\",\"maxLength\":64},"
	"\"password\":{\"type\":\"string\",\"minLength\":8},\"org_id\":{\"type\":\"integer\"},"
	"\"roles\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"admin\",\"manager\",\"dispatcher\",\"agent\","
	"\"advisor\",\"technician\",\"qc\",\"warranty_assessor\",\"warehouse\",\"cashier\",\"followup\",\"customer\"]}},"
	"\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"disabled\"]}}},"
	"\"User\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"login\":{\"type\":\"string\"},"
	"\"name\":{\"type\":\"string\"},\"org_id\":{\"type\":\"integer\"},\"org_name\":{\"type\":\"string\"},"
	"\"roles\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"permissions\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"status\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"}}},"
	"\"Password\":{\"type\":\"object\",\"required\":[\"password\"],\"properties\":{\"password\":{\"type\":\"string\",\"minLength\":8},"
	"\"old_password\":{\"type\":\"string\"}}},"
	"\"WorkOrderCreate\":{\"type\":\"object\",\"required\":[\"type\",\"fault_description\"],\"properties\":{"
	"\"type\":{\"type\":\"string\",\"enum\":[\"repair\",\"install\",\"maintenance\",\"inspection\",\"return\",\"consultation\"]},"
	"\"priority\":{\"type\":\"string\",\"enum\":[\"P1\",\"P2\",\"P3\",\"P4\"],\"default\":\"P3\"},"
	"\"channel\":{\"type\":\"string\",\"enum\":[\"phone\",\"web\",\"wechat\",\"sms\",\"email\",\"walk_in\",\"api\"],\"default\":\"api\"},"
	"\"customer\":{\"type\":\"object\",\"required\":[\"name\",\"phone\"],\"properties\":{\"name\":{\"type\":\"string\"},"
	"\"phone\":{\"type\":\"string\"}}},\"customer_id\":{\"type\":\"integer\"},\"org_id\":{\"type\":\"integer\"},"
	"\"address\":{\"type\":\"string\",\"maxLength\":300},\"fault_description\":{\"type\":\"string\",\"maxLength\":2000}}},"
	"\"WorkOrderPatch\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},\"priority\":{\"type\":\"string\"},"
	"\"address\":{\"type\":\"string\"},\"fault_description\":{\"type\":\"string\"}}},"
	"\"WorkOrder\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
	"\"number\":{\"type\":\"string\",\"example\":\"WO20261122-00017\"},\"status\":{\"type\":\"string\"},"
	"\"type\":{\"type\":\"string\"},\"priority\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\"},"
	"\"customer_id\":{\"type\":\"integer\"},\"customer\":{\"type\":\"object\"},\"address\":{\"type\":\"string\"},"
	"\"fault_description\":{\"type\":\"string\"},\"org_id\":{\"type\":\"integer\"},\"created_at\":{\"type\":\"string\"},"
	"\"updated_at\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"}}},"
	"\"RoutingProblem\":{\"type\":\"object\",\"description\":\"jobs, vehicles, optional matrices (docs/routing.md)\","
	"\"required\":[\"jobs\",\"vehicles\"],\"properties\":{\"jobs\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	"\"vehicles\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"matrices\":{\"type\":\"object\"}}},"
	"\"RoutingSolution\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"integer\"},\"summary\":{\"type\":\"object\"},"
	"\"unassigned\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"routes\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}},"
	"\"Timeline\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"at\":{\"type\":\"string\"},\"actor\":{\"type\":\"object\"},\"event\":{\"type\":\"string\"},"
	"\"data\":{\"type\":\"object\"}}}}}},"
	"\"Items\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}},"
	/* --- classification, SLA, working calendar and tenant settings (issue 4 item 3) --- */
	"\"FaultCategory\":{\"type\":\"object\",\"required\":[\"code\",\"name\"],\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"readOnly\":true},\"parent_id\":{\"type\":[\"integer\",\"null\"]},"
	"\"path\":{\"type\":\"string\",\"readOnly\":true,\"example\":\"/3/7/\"},"
	"\"code\":{\"type\":\"string\",\"maxLength\":32,\"pattern\":\"^[A-Za-z0-9._-]+$\",\"example\":\"AC-NOCOOL\"},"
	"\"name\":{\"type\":\"string\",\"maxLength\":100,\"example\":\"空调不制冷\"},\"name_en\":{\"type\":[\"string\",\"null\"]},"
	"\"default_priority\":{\"type\":[\"string\",\"null\"],\"enum\":[\"P1\",\"P2\",\"P3\",\"P4\",null]},"
	"\"default_type\":{\"type\":[\"string\",\"null\"],\"enum\":[\"repair\",\"install\",\"maintenance\",\"inspection\","
	"\"return\",\"consultation\",null]},\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"SlaPolicy\":{\"type\":\"object\",\"required\":[\"priority\",\"response_min\",\"answer_min\",\"onsite_min\","
	"\"resolve_min\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},"
	"\"priority\":{\"type\":\"string\",\"enum\":[\"P1\",\"P2\",\"P3\",\"P4\"]},"
	"\"contract\":{\"type\":[\"string\",\"null\"],\"maxLength\":64},\"region\":{\"type\":[\"string\",\"null\"],\"maxLength\":64},"
	"\"response_min\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":525600},\"answer_min\":{\"type\":\"integer\",\"minimum\":1},"
	"\"onsite_min\":{\"type\":\"integer\",\"minimum\":1},\"resolve_min\":{\"type\":\"integer\",\"minimum\":1,"
	"\"description\":\"not earlier than the other three\"},\"calendar\":{\"type\":\"string\",\"enum\":[\"working\",\"24x7\"],"
	"\"default\":\"working\",\"description\":\"working: minutes of working time on the tenant's calendar\"},"
	"\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"SlaPolicyList\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":"
	"\"#/components/schemas/SlaPolicy\"}},\"next_cursor\":{\"type\":[\"string\",\"null\"]},\"defaults\":{\"type\":\"array\","
	"\"description\":\"the built-in policy of each priority, used when no row matches\",\"items\":{\"type\":\"object\"}}}},"
	"\"SlaPreview\":{\"type\":\"object\",\"properties\":{\"policy\":{\"type\":\"object\",\"description\":\"the policy "
	"that applies; source policy|default\"},\"created_at\":{\"type\":\"string\"},\"response_due\":{\"type\":\"string\"},"
	"\"answer_due\":{\"type\":\"string\"},\"onsite_due\":{\"type\":\"string\"},\"resolve_due\":{\"type\":\"string\"}}},"
	"\"CalendarPut\":{\"type\":\"object\",\"required\":[\"weekdays\",\"start_min\",\"end_min\"],\"properties\":{"
	"\"weekdays\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7},\"description\":\"1 = Monday\"},"
	"\"start_min\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1439,\"example\":540},"
	"\"end_min\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1440,\"example\":1080},"
	"\"days\":{\"type\":\"array\",\"maxItems\":2000,\"items\":{\"type\":\"object\",\"required\":[\"day\",\"kind\"],"
	"\"properties\":{\"day\":{\"type\":\"string\",\"format\":\"date\"},\"kind\":{\"type\":\"string\",\"enum\":[\"holiday\","
	"\"workday\"]},\"name\":{\"type\":[\"string\",\"null\"],\"maxLength\":50}}}}}},"
	"\"Calendar\":{\"type\":\"object\",\"properties\":{\"weekdays\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
	"\"start_min\":{\"type\":\"integer\"},\"end_min\":{\"type\":\"integer\"},\"tz_offset_min\":{\"type\":\"integer\","
	"\"readOnly\":true},\"days\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"updated_at\":{\"type\":[\"string\",\"null\"]}}},"
	"\"Settings\":{\"type\":\"object\",\"properties\":{\"labour_rate_fen\":{\"type\":\"integer\",\"default\":12000},"
	"\"reopen_days\":{\"type\":\"integer\",\"default\":30},\"qc_required\":{\"type\":\"boolean\",\"default\":true},"
	"\"discount_limits\":{\"type\":\"object\",\"description\":\"role → basis points (advisor 500, manager 2000, admin 10000, "
	"others 0)\",\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000}},"
	"\"company_name\":{\"type\":\"string\",\"maxLength\":100},\"company_phone\":{\"type\":\"string\",\"maxLength\":40},"
	"\"estimate_terms\":{\"type\":\"string\",\"maxLength\":4000},\"follow_up_days\":{\"type\":\"integer\",\"default\":3},"
	"\"defaults\":{\"type\":\"object\",\"readOnly\":true}}},"
	"\"IntakeSuggestion\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},\"priority\":{\"type\":\"string\"},"
	"\"reasons\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},"
	"\"zh\":{\"type\":\"string\"},\"en\":{\"type\":\"string\"}}}},\"category\":{\"type\":[\"object\",\"null\"]}}},"
	/* --- technicians, authorisations, dispatch policies (issue 5) --- */
	"\"TechSkill\":{\"type\":\"object\",\"required\":[\"skill\",\"level\"],\"properties\":{\"skill\":{\"type\":\"string\",\"maxLength\":40,\"example\":\"空调\"},"
	"\"level\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5}}},"
	"\"TechCert\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},"
	"\"name\":{\"type\":\"string\",\"maxLength\":100},\"number\":{\"type\":[\"string\",\"null\"]},\"skill\":{\"type\":[\"string\",\"null\"]},"
	"\"valid_from\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"expires_on\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"
	"\"expired\":{\"type\":\"boolean\",\"readOnly\":true}}},"
	"\"TechBrand\":{\"type\":\"object\",\"required\":[\"brand\"],\"properties\":{\"brand\":{\"type\":\"string\",\"maxLength\":64},"
	"\"category\":{\"type\":[\"string\",\"null\"],\"description\":\"null: every category of the brand\"}}},"
	"\"TechShift\":{\"type\":\"object\",\"required\":[\"weekday\",\"start_min\",\"end_min\"],\"properties\":{"
	"\"weekday\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7,\"description\":\"1 = Monday\"},\"start_min\":{\"type\":\"integer\",\"minimum\":0},"
	"\"end_min\":{\"type\":\"integer\",\"maximum\":1440},\"break_start_min\":{\"type\":[\"integer\",\"null\"]},\"break_end_min\":{\"type\":[\"integer\",\"null\"]}}},"
	"\"TechLeave\":{\"type\":\"object\",\"required\":[\"from_at\",\"to_at\",\"kind\"],\"properties\":{\"from_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
	"\"to_at\":{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"after from_at (exclusive end)\"},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"annual\",\"sick\",\"training\",\"other\"]},\"reason\":{\"type\":[\"string\",\"null\"],\"maxLength\":200}}},"
	"\"TechLeaveItem\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"user_id\":{\"type\":\"integer\"},"
	"\"from_at\":{\"type\":\"string\"},\"to_at\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"reason\":{\"type\":[\"string\",\"null\"]},"
	"\"created_by\":{\"type\":\"integer\"},\"created_at\":{\"type\":\"string\"}}},"
	"\"TechnicianPatch\":{\"type\":\"object\",\"properties\":{\"team\":{\"type\":[\"string\",\"null\"],\"maxLength\":40},"
	"\"level\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},\"on_duty\":{\"type\":\"boolean\"},"
	"\"base_lat\":{\"type\":[\"number\",\"null\"],\"minimum\":-90,\"maximum\":90},\"base_lon\":{\"type\":[\"number\",\"null\"],\"minimum\":-180,\"maximum\":180},"
	"\"area_radius_km\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":2000},\"area_regions\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"string\"}},"
	"\"skills\":{\"type\":\"array\",\"maxItems\":50,\"items\":{\"$ref\":\"#/components/schemas/TechSkill\"}},"
	"\"certs\":{\"type\":\"array\",\"maxItems\":50,\"items\":{\"$ref\":\"#/components/schemas/TechCert\"}},"
	"\"brands\":{\"type\":\"array\",\"maxItems\":50,\"items\":{\"$ref\":\"#/components/schemas/TechBrand\"}}}},"
	"\"Technician\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"phone\":{\"type\":[\"string\",\"null\"]},"
	"\"org_id\":{\"type\":\"integer\"},\"org_name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},\"team\":{\"type\":[\"string\",\"null\"]},"
	"\"level\":{\"type\":\"integer\"},\"on_duty\":{\"type\":\"boolean\"},\"duty_changed_at\":{\"type\":[\"string\",\"null\"]},"
	"\"base_lat\":{\"type\":[\"number\",\"null\"]},\"base_lon\":{\"type\":[\"number\",\"null\"]},\"area_radius_km\":{\"type\":[\"integer\",\"null\"]},"
	"\"area_regions\":{\"type\":[\"array\",\"null\"]},\"pos_lat\":{\"type\":[\"number\",\"null\"]},\"pos_lon\":{\"type\":[\"number\",\"null\"]},"
	"\"pos_at\":{\"type\":[\"string\",\"null\"]},\"score_x100\":{\"type\":[\"integer\",\"null\"]},\"version\":{\"type\":\"integer\"},"
	"\"skills\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/TechSkill\"}},\"certs\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/TechCert\"}},"
	"\"brands\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/TechBrand\"}},\"shifts\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/TechShift\"}},"
	"\"leave\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/TechLeaveItem\"}}}},"
	"\"TechShifts\":{\"type\":\"object\",\"required\":[\"shifts\"],\"properties\":{\"shifts\":{\"type\":\"array\",\"maxItems\":7,\"items\":{\"$ref\":\"#/components/schemas/TechShift\"}}}},"
	"\"TechPosition\":{\"type\":\"object\",\"required\":[\"lat\",\"lon\"],\"properties\":{\"lat\":{\"type\":\"number\",\"minimum\":-90,\"maximum\":90},"
	"\"lon\":{\"type\":\"number\",\"minimum\":-180,\"maximum\":180}}},"
	"\"TechDuty\":{\"type\":\"object\",\"required\":[\"on_duty\"],\"properties\":{\"on_duty\":{\"type\":\"boolean\"}}},"
	"\"TechScore\":{\"type\":\"object\",\"properties\":{\"technician_id\":{\"type\":\"integer\"},\"period_days\":{\"type\":\"integer\"},"
	"\"orders\":{\"type\":\"integer\"},\"first_time_fix\":{\"type\":\"integer\"},\"first_time_fix_rate\":{\"type\":[\"number\",\"null\"]},"
	"\"rework_count\":{\"type\":\"integer\"},\"rated_orders\":{\"type\":\"integer\"},\"avg_rating\":{\"type\":[\"number\",\"null\"]},"
	"\"sla_orders\":{\"type\":\"integer\"},\"sla_kept\":{\"type\":\"integer\"},\"sla_kept_rate\":{\"type\":[\"number\",\"null\"]},"
	"\"score\":{\"type\":[\"number\",\"null\"],\"description\":\"0..100; null without completed orders\"},\"score_x100\":{\"type\":[\"integer\",\"null\"]},"
	"\"formula\":{\"type\":\"string\"}}},"
	"\"AuthorizationCreate\":{\"type\":\"object\",\"required\":[\"principal_org_id\",\"outlet_org_id\",\"brand\",\"category\",\"valid_from\",\"valid_to\"],"
	"\"properties\":{\"principal_org_id\":{\"type\":\"integer\",\"description\":\"a manufacturer or station\"},\"outlet_org_id\":{\"type\":\"integer\",\"description\":\"an outlet\"},"
	"\"brand\":{\"type\":\"string\",\"maxLength\":64,\"example\":\"美的\"},\"category\":{\"type\":\"string\",\"maxLength\":40,\"example\":\"空调\"},"
	"\"valid_from\":{\"type\":\"string\",\"format\":\"date\"},\"valid_to\":{\"type\":\"string\",\"format\":\"date\",\"description\":\"not before valid_from; inclusive\"}}},"
	"\"Authorization\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"principal_org_id\":{\"type\":\"integer\"},\"principal_name\":{\"type\":\"string\"},"
	"\"principal_type\":{\"type\":\"string\"},\"outlet_org_id\":{\"type\":\"integer\"},\"outlet_name\":{\"type\":\"string\"},\"brand\":{\"type\":\"string\"},"
	"\"category\":{\"type\":\"string\"},\"valid_from\":{\"type\":\"string\"},\"valid_to\":{\"type\":\"string\"},"
	"\"status\":{\"type\":\"string\",\"enum\":[\"proposed\",\"active\",\"suspended\",\"ended\"]},\"status_reason\":{\"type\":[\"string\",\"null\"]},"
	"\"proposed_by_org_id\":{\"type\":\"integer\"},\"principal_accepted_at\":{\"type\":[\"string\",\"null\"]},\"outlet_accepted_at\":{\"type\":[\"string\",\"null\"]},"
	"\"version\":{\"type\":\"integer\"}}},"
	"\"AuthorizationAction\":{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":200,\"description\":\"required to suspend or end\"}}},"
	"\"DispatchPolicy\":{\"type\":\"object\",\"required\":[\"mode\"],\"properties\":{\"org_id\":{\"type\":[\"integer\",\"null\"],\"description\":\"null: the tenant default\"},"
	"\"order_type\":{\"type\":[\"string\",\"null\"],\"enum\":[\"repair\",\"install\",\"maintenance\",\"inspection\",\"return\",\"consultation\",null]},"
	"\"priority\":{\"type\":[\"string\",\"null\"],\"enum\":[\"P1\",\"P2\",\"P3\",\"P4\",null]},\"mode\":{\"type\":\"string\",\"enum\":[\"manual\",\"suggest\",\"auto\"]},"
	"\"accept_timeout_min\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1440,\"default\":30},"
	"\"weights\":{\"type\":[\"object\",\"null\"],\"description\":\"distance, load, skill, level, score: 0..100 each\",\"additionalProperties\":{\"type\":\"integer\"}}}},"
	"\"DispatchPoliciesPut\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\",\"maxItems\":200,\"items\":{\"$ref\":\"#/components/schemas/DispatchPolicy\"}}}},"
	"\"DispatchPolicies\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/DispatchPolicy\"}},"
	"\"default\":{\"type\":\"object\",\"description\":\"the built-in policy when no row matches: suggest, 30 minutes\"}}},"
	"\"DispatchPolicyResolved\":{\"type\":\"object\",\"properties\":{\"mode\":{\"type\":\"string\"},\"accept_timeout_min\":{\"type\":\"integer\"},"
	"\"weights\":{\"type\":[\"object\",\"null\"]},\"source\":{\"type\":\"string\",\"enum\":[\"policy\",\"default\"]},\"policy_id\":{\"type\":[\"integer\",\"null\"]}}},"
	"\"DispatchSuggestions\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"},\"distance_known\":{\"type\":\"boolean\"},"
	"\"note\":{\"type\":\"string\",\"description\":\"when the order has no position\"},\"category\":{\"type\":[\"string\",\"null\"]},\"region\":{\"type\":[\"string\",\"null\"]},"
	"\"technicians\":{\"type\":\"integer\",\"description\":\"technicians considered\"},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"technician_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"org_id\":{\"type\":\"integer\"},\"org_name\":{\"type\":\"string\"},"
	"\"score\":{\"type\":\"number\"},\"km\":{\"type\":[\"number\",\"null\"]},\"travel_min\":{\"type\":[\"integer\",\"null\"]},\"open_orders\":{\"type\":\"integer\"},"
	"\"booked_min\":{\"type\":\"integer\"},\"skill_level\":{\"type\":\"integer\"},\"tech_score\":{\"type\":\"integer\"},\"level\":{\"type\":\"integer\"},"
	"\"start_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"reason\":{\"type\":\"string\",\"example\":\"3.2 km, 2 open orders, skill 空调 level 3\"}}}}}},"
	"\"NetworkOptions\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"},\"holder_type\":{\"type\":\"string\"},\"next_level\":{\"type\":[\"string\",\"null\"],\"enum\":[\"station\",\"outlet\",null]},"
	"\"brand\":{\"type\":[\"string\",\"null\"]},\"category\":{\"type\":[\"string\",\"null\"]},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"org_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"city\":{\"type\":[\"string\",\"null\"]},\"km\":{\"type\":[\"number\",\"null\"]},"
	"\"open_orders\":{\"type\":\"integer\"},\"score\":{\"type\":\"number\"},\"same_city\":{\"type\":\"boolean\"}}}}}},"
	"\"WoRoute\":{\"type\":\"object\",\"properties\":{\"org_id\":{\"type\":\"integer\",\"description\":\"the station or outlet\"},"
	"\"auto\":{\"type\":\"boolean\",\"description\":\"the best candidate of GET /dispatch/network\"},\"reason\":{\"type\":\"string\",\"maxLength\":200}}},"
	"\"DispatchRoutes\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},\"km_before\":{\"type\":\"number\"},\"km_after\":{\"type\":\"number\"},"
	"\"routes\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"technician_id, name, lat, lon, visits [{order_id, number, lat, lon, start_at}], unplanned [order ids], km_before, km_after, travel_min_before, travel_min_after, before_feasible\"}}}},"
	"\"DispatchPlan\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},\"mode\":{\"type\":\"string\",\"enum\":[\"keep\",\"team\"]},"
	"\"engine\":{\"type\":\"string\",\"enum\":[\"optimiser\",\"heuristic\"]},\"km_before\":{\"type\":\"number\"},\"km_after\":{\"type\":\"number\"},\"travel_min_before\":{\"type\":\"integer\"},"
	"\"travel_min_after\":{\"type\":\"integer\"},\"saved_km\":{\"type\":\"number\"},\"saved_min\":{\"type\":\"integer\"},\"moved\":{\"type\":\"integer\"},\"assigned\":{\"type\":\"integer\"},"
	"\"seconds\":{\"type\":\"number\"},\"from_at\":{\"type\":[\"string\",\"null\"],\"description\":\"today: nothing planned before\"},"
	"\"routes\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"technician_id, name, lat, lon (the start), working, work_start_at, work_end_at, breaks [{kind lunch|leave, start_at, end_at}], visits [{order_id, number, version, lat, lon, arrival_at, start_at, end_at, travel_min, km, appointment_start_at, appointment_end_at, from_technician_id, moved}], before [{order_id, number, lat, lon}], unplanned [order ids], km_before, km_after, travel_min_before, travel_min_after, before_feasible\"}},"
	"\"unassigned\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"order_id, number, version, technician_id, reason_code (not_working, no_technician, window, too_far, no_room, too_complex), reason\"}}}},"
	"\"DispatchPlanApply\":{\"type\":\"object\",\"required\":[\"date\",\"routes\"],\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},\"org_id\":{\"type\":\"integer\"},"
	"\"include_unassigned\":{\"type\":\"boolean\"},\"routes\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\",\"required\":[\"technician_id\",\"visits\"],\"properties\":{"
	"\"technician_id\":{\"type\":\"integer\"},\"visits\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/PlanOrder\"}}}}},"
	"\"unassigned\":{\"type\":\"array\",\"description\":\"the orders the plan left out\",\"items\":{\"$ref\":\"#/components/schemas/PlanOrder\"}}}},"
	"\"PlanOrder\":{\"type\":\"object\",\"required\":[\"order_id\",\"version\"],\"properties\":{\"order_id\":{\"type\":\"integer\"},\"version\":{\"type\":\"integer\",\"description\":\"as planned (If-Match)\"}}},"
	"\"DispatchPlanApplied\":{\"type\":\"object\",\"properties\":{\"moved\":{\"type\":\"integer\"},\"timed\":{\"type\":\"integer\"},\"unchanged\":{\"type\":\"integer\"},"
	"\"orders\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"order_id, number, technician_id, change (moved, dispatched, timed, none), version, start_at, end_at\"}}}},"
	"\"DispatchBoard\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},\"day_start_at\":{\"type\":\"string\"},"
	"\"technicians\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"id, name, org, on_duty, lat, lon, level, open_orders, booked_min, skills, shifts, leave, bookings\"}},"
	"\"unassigned\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}},"
	/* --- live progress, list counts, saved filters (issue 4 items 11-12) --- */
	"\"WoSummary\":{\"type\":\"object\",\"properties\":{\"counts\":{\"type\":\"object\",\"description\":\"status → orders\","
	"\"additionalProperties\":{\"type\":\"integer\"}},\"late\":{\"type\":\"integer\",\"description\":\"open, with the "
	"resolution deadline or the promised time passed\"},\"total\":{\"type\":\"integer\"}}},"
	"\"WoBoard\":{\"type\":\"object\",\"properties\":{\"now\":{\"type\":\"string\"},\"columns\":{\"type\":\"object\","
	"\"description\":\"status → cards {id, number, status, customer_name, asset_plate, asset_serial, asset_model, "
	"assignee_name, state_since, sla_resolve_due, promised_at, late}\",\"additionalProperties\":{\"type\":\"array\","
	"\"items\":{\"type\":\"object\"}}}}},"
	"\"SavedFilterCreate\":{\"type\":\"object\",\"required\":[\"name\",\"query\"],\"properties\":{"
	"\"name\":{\"type\":\"string\",\"maxLength\":40},\"query\":{\"type\":\"object\",\"description\":\"the list's "
	"filter parameters: status, q, type, priority, created_from, created_to, customer_id, assignee_id, asset_id, late, org_id, from, to\"}}},"
	"\"SavedFilter\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
	"\"query\":{\"type\":\"object\"},\"created_at\":{\"type\":\"string\"}}},"
	/* --- the work-order flow (issue 4) --- */
	"\"WoEvent\":{\"type\":\"object\",\"description\":\"A state event; refused ones answer 409 invalid_transition with status, guard and allowed\","
	"\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":500},\"assignee_id\":{\"type\":\"integer\"},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"parts\",\"customer\"]},\"checklist\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"key\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"checked\":{\"type\":\"boolean\"},\"note\":{\"type\":\"string\"}}}},"
	"\"eta\":{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"depart: the expected arrival, in the customer's SMS\"},"
	"\"signature\":{\"type\":\"string\",\"description\":\"complete: the customer's signature, data:image/png;base64,…\"},"
	"\"signed_by\":{\"type\":\"string\",\"maxLength\":100}}},"
	"\"WoRouteAnswer\":{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":500,\"description\":\"required to decline\"}}},"
	"\"WoLate\":{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":{\"eta\":{\"type\":\"string\",\"format\":\"date-time\"},"
	"\"reason\":{\"type\":\"string\",\"maxLength\":500},\"handover\":{\"type\":\"boolean\",\"default\":false}}},"
	"\"WoComment\":{\"type\":\"object\",\"required\":[\"text\"],\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":2000},"
	"\"public\":{\"type\":\"boolean\",\"default\":false}}},"
	"\"TimelineItem\":{\"type\":\"object\",\"properties\":{\"at\":{\"type\":\"string\"},\"event\":{\"type\":\"string\"},"
	"\"data\":{\"type\":\"object\"},\"public\":{\"type\":\"boolean\"}}},"
	"\"CustomerCreate\":{\"type\":\"object\",\"required\":[\"name\",\"phones\"],\"properties\":{"
	"\"name\":{\"type\":\"string\",\"maxLength\":100},\"kind\":{\"type\":\"string\",\"enum\":[\"person\",\"company\"]},"
	"\"class\":{\"type\":\"string\",\"enum\":[\"A\",\"B\",\"C\"],\"default\":\"C\"},"
	"\"phones\":{\"type\":\"array\",\"maxItems\":10,\"items\":{\"type\":\"string\",\"example\":\"13912345678\"}},"
	"\"addresses\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"text\"],\"properties\":{"
	"\"text\":{\"type\":\"string\"},\"province\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"},"
	"\"district\":{\"type\":\"string\"},\"lat\":{\"type\":\"number\"},\"lon\":{\"type\":\"number\"}}}},"
	"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"source\":{\"type\":\"string\"},"
	"\"consent\":{\"type\":\"object\",\"properties\":{\"allowed\":{\"type\":\"boolean\"},\"channels\":{\"type\":\"array\","
	"\"items\":{\"type\":\"string\",\"enum\":[\"phone\",\"sms\",\"email\",\"wechat\",\"letter\"]}}}},"
	"\"notes\":{\"type\":\"string\"},\"org_id\":{\"type\":\"integer\"},"
	"\"on_duplicate\":{\"type\":\"string\",\"enum\":[\"refuse\",\"merge\"],\"default\":\"refuse\"}}},"
	"\"Customer\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
	"\"kind\":{\"type\":\"string\"},\"class\":{\"type\":\"string\"},\"phones\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"addresses\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"tags\":{\"type\":\"array\"},"
	"\"consent\":{\"type\":[\"object\",\"null\"]},\"merged_into\":{\"type\":[\"integer\",\"null\"]},"
	"\"version\":{\"type\":\"integer\"}}},"
	"\"CustomerImport\":{\"type\":\"object\",\"properties\":{\"csv\":{\"type\":\"string\",\"description\":\"the file as UTF-8 text\"},"
	"\"base64\":{\"type\":\"string\",\"description\":\"the file's bytes (UTF-8 or GBK)\"},\"filename\":{\"type\":\"string\"},"
	"\"dry_run\":{\"type\":\"boolean\"}}},"
	"\"ImportResult\":{\"type\":\"object\",\"properties\":{\"imported\":{\"type\":\"integer\"},\"ids\":{\"type\":\"array\"},"
	"\"dry_run\":{\"type\":\"boolean\"},\"rows\":{\"type\":\"integer\"},\"valid\":{\"type\":\"boolean\"},"
	"\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"row\":{\"type\":\"integer\"},"
	"\"column\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"}}}}}},"
	"\"FirstService\":{\"type\":\"object\",\"properties\":{\"from\":{\"type\":\"string\"},\"to\":{\"type\":\"string\"},"
	"\"sold\":{\"type\":\"integer\"},\"first_service_done\":{\"type\":\"integer\"},\"rate\":{\"type\":[\"number\",\"null\"]},"
	"\"target\":{\"type\":\"number\"}}},"
	"\"LabourOperation\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"standard_hours\"],\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"readOnly\":true},\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
	"\"standard_hours\":{\"type\":\"string\",\"example\":\"1.50\"},\"model_id\":{\"type\":[\"integer\",\"null\"]},"
	"\"category\":{\"type\":[\"string\",\"null\"]},\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"CampaignCreate\":{\"type\":\"object\",\"required\":[\"name\",\"channel\",\"message\",\"rule\"],\"properties\":{"
	"\"name\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\",\"enum\":[\"sms\",\"letter\",\"phone\",\"email\",\"wechat\"]},"
	"\"message\":{\"type\":\"string\",\"maxLength\":500},\"rule\":{\"type\":\"object\",\"properties\":{"
	"\"class\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"churn\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"brand\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}}},"
	"\"Campaign\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
	"\"channel\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"},\"rule\":{\"type\":\"object\"},"
	"\"target_count\":{\"type\":\"integer\"},\"came_back_count\":{\"type\":\"integer\"},\"version\":{\"type\":\"integer\"}}},"
	"\"CarePlans\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{"
	"\"type\":\"object\",\"required\":[\"class\"],\"properties\":{\"class\":{\"type\":\"string\",\"enum\":[\"A\",\"B\",\"C\"]},"
	"\"every_days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":366},\"every_months\":{\"type\":\"integer\",\"minimum\":1,"
	"\"maximum\":24},\"default\":{\"type\":\"boolean\",\"readOnly\":true}}}},\"retry_days\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"TaskGenerate\":{\"type\":\"object\",\"properties\":{\"horizon_days\":{\"type\":\"integer\",\"default\":7,\"maximum\":60},"
	"\"date\":{\"type\":\"string\",\"format\":\"date\"}}},"
	"\"TaskGenerated\":{\"type\":\"object\",\"properties\":{\"created\":{\"type\":\"integer\"},\"horizon_days\":{\"type\":\"integer\"}}},"
	"\"ContactTask\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"customer_id\":{\"type\":\"integer\"},"
	"\"customer\":{\"type\":\"object\"},\"org_id\":{\"type\":[\"integer\",\"null\"]},\"org_name\":{\"type\":[\"string\",\"null\"]},"
	"\"owner_id\":{\"type\":[\"integer\",\"null\"]},\"owner_name\":{\"type\":[\"string\",\"null\"]},\"class\":{\"type\":\"string\"},"
	"\"due_on\":{\"type\":\"string\",\"format\":\"date\"},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"done\",\"cancelled\"]},"
	"\"overdue\":{\"type\":\"boolean\"},\"outcome\":{\"type\":[\"string\",\"null\"]},\"note\":{\"type\":[\"string\",\"null\"]},"
	"\"done_at\":{\"type\":[\"string\",\"null\"]},\"version\":{\"type\":\"integer\"}}},"
	"\"ContactTaskPatch\":{\"type\":\"object\",\"properties\":{\"owner_id\":{\"type\":[\"integer\",\"null\"]},"
	"\"due_on\":{\"type\":\"string\",\"format\":\"date\"},\"note\":{\"type\":[\"string\",\"null\"],\"maxLength\":500}}},"
	"\"ContactTaskDone\":{\"type\":\"object\",\"required\":[\"outcome\"],\"properties\":{\"outcome\":{\"type\":\"string\","
	"\"enum\":[\"reached\",\"no_answer\",\"wrong_number\",\"refused\",\"visit_booked\"]},\"note\":{\"type\":\"string\",\"maxLength\":500}}},"
	"\"CustomerMerge\":{\"type\":\"object\",\"required\":[\"from_id\"],\"properties\":{\"from_id\":{\"type\":\"integer\"}}},"
	"\"ProductModel\":{\"type\":\"object\",\"required\":[\"brand\",\"category\",\"model\"],\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"readOnly\":true},\"brand\":{\"type\":\"string\"},\"category\":{\"type\":\"string\"},"
	"\"model\":{\"type\":\"string\"},\"warranty_months\":{\"type\":\"integer\",\"default\":12},"
	"\"main_part_months\":{\"type\":[\"integer\",\"null\"]},\"refund_days\":{\"type\":\"integer\",\"default\":7},"
	"\"exchange_days\":{\"type\":\"integer\",\"default\":15},\"repairs_before_exchange\":{\"type\":\"integer\",\"default\":2},"
	"\"warranty_km\":{\"type\":[\"integer\",\"null\"]},\"covers\":{\"type\":\"object\",\"properties\":{"
	"\"labour\":{\"type\":\"boolean\"},\"parts\":{\"type\":\"boolean\"},\"callout\":{\"type\":\"boolean\"}}},"
	"\"complexity\":{\"type\":\"string\",\"example\":\"1.20\"},\"maintenance\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"name\":{\"type\":\"string\"},\"km\":{\"type\":\"integer\"},\"months\":{\"type\":\"integer\"},"
	"\"operations\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}},\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"AssetCreate\":{\"type\":\"object\",\"required\":[\"customer_id\",\"model_id\",\"serial\"],\"properties\":{"
	"\"customer_id\":{\"type\":\"integer\"},\"model_id\":{\"type\":\"integer\"},\"serial\":{\"type\":\"string\"},"
	"\"purchase_date\":{\"type\":\"string\",\"format\":\"date\"},\"engine_no\":{\"type\":\"string\"},"
	"\"plate\":{\"type\":\"string\"},\"purchase_place\":{\"type\":\"string\"},\"invoice_no\":{\"type\":\"string\"},"
	"\"install_date\":{\"type\":\"string\",\"format\":\"date\"},\"warranty_end\":{\"type\":\"string\",\"format\":\"date\"},"
	"\"warranty_end_reason\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"scrapped\",\"sold\",\"lost\"]},"
	"\"confirm_duplicate\":{\"type\":\"boolean\",\"description\":\"save although another active asset carries the plate\"}}},"
	"\"Asset\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"customer_id\":{\"type\":\"integer\"},"
	"\"model_id\":{\"type\":\"integer\"},\"model\":{\"type\":\"object\"},\"customer\":{\"type\":\"object\"},"
	"\"serial\":{\"type\":\"string\"},\"purchase_date\":{\"type\":[\"string\",\"null\"]},"
	"\"warranty_start\":{\"type\":[\"string\",\"null\"]},\"warranty_end\":{\"type\":[\"string\",\"null\"]},"
	"\"warranty_end_overridden\":{\"type\":\"boolean\"},\"registered\":{\"type\":\"boolean\"},"
	"\"status\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"}}},"
	"\"AssetTransfer\":{\"type\":\"object\",\"required\":[\"to_customer_id\"],\"properties\":{"
	"\"to_customer_id\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"}}},"
	"\"Reading\":{\"type\":\"object\",\"required\":[\"date\",\"km\"],\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},"
	"\"km\":{\"type\":\"integer\",\"minimum\":0},\"odometer_change\":{\"type\":\"boolean\"},\"reason\":{\"type\":\"string\"}}},"
	"\"WarrantyDecision\":{\"type\":\"object\",\"properties\":{\"in_warranty\":{\"type\":\"boolean\"},"
	"\"entitlements\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"refund\",\"exchange\",\"repair\"]}},"
	"\"rule\":{\"type\":\"string\"},\"explanation\":{\"type\":\"string\"},\"explanation_zh\":{\"type\":\"string\"},"
	"\"explanation_en\":{\"type\":\"string\"},\"warranty_end\":{\"type\":\"string\"},\"day\":{\"type\":\"integer\"}}},"
	/* settlement and delivery (issue 4 item 9; api/billing.c) */
	"\"Bill\":{\"type\":\"object\",\"description\":\"balance_fen = total_fen - paid_fen + refunded_fen; warranty/claim/insurance lines at 0 to the customer\",\"properties\":{"
	"\"id\":{\"type\":\"integer\"},\"order_id\":{\"type\":\"integer\"},\"number\":{\"type\":\"string\",\"example\":\"BL20261123-00001\"},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"bill\",\"credit\"]},\"credit_of\":{\"type\":[\"integer\",\"null\"]},"
	"\"state\":{\"type\":\"string\",\"enum\":[\"open\",\"paid\",\"void\"]},\"labour_fen\":{\"type\":\"integer\"},"
	"\"parts_fen\":{\"type\":\"integer\"},\"fees_fen\":{\"type\":\"integer\"},\"subtotal_fen\":{\"type\":\"integer\"},"
	"\"warranty_fen\":{\"type\":\"integer\"},\"claim_fen\":{\"type\":\"integer\"},\"insurance_fen\":{\"type\":\"integer\"},"
	"\"discount_fen\":{\"type\":\"integer\"},\"discount_reason\":{\"type\":[\"string\",\"null\"]},\"total_fen\":{\"type\":\"integer\"},"
	"\"paid_fen\":{\"type\":\"integer\"},\"refunded_fen\":{\"type\":\"integer\"},\"balance_fen\":{\"type\":\"integer\"},"
	"\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"reason\":{\"type\":[\"string\",\"null\"]},"
	"\"void_reason\":{\"type\":[\"string\",\"null\"]},\"payments\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\"},\"kind\":{\"type\":\"string\",\"enum\":[\"payment\",\"refund\"]},\"method\":{\"type\":\"string\"},"
	"\"amount_fen\":{\"type\":\"integer\"},\"reference\":{\"type\":[\"string\",\"null\"]},\"reason\":{\"type\":[\"string\",\"null\"]},"
	"\"at\":{\"type\":\"string\"}}}},\"payment\":{\"type\":\"object\",\"description\":\"the payment or refund just recorded\"},"
	"\"order\":{\"type\":\"object\"},\"company_name\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"}}},"
	"\"BillDiscount\":{\"type\":\"object\",\"required\":[\"discount_reason\"],\"properties\":{"
	"\"discount_fen\":{\"type\":\"integer\",\"minimum\":0},\"discount_pct\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000,"
	"\"description\":\"basis points of the customer's part (500 = 5 %)\"},\"discount_reason\":{\"type\":\"string\",\"maxLength\":200}}},"
	"\"Payment\":{\"type\":\"object\",\"required\":[\"method\",\"amount_fen\"],\"properties\":{"
	"\"method\":{\"type\":\"string\",\"enum\":[\"cash\",\"card\",\"wechat\",\"alipay\",\"transfer\"]},"
	"\"amount_fen\":{\"type\":\"integer\",\"minimum\":1},\"reference\":{\"type\":[\"string\",\"null\"],\"maxLength\":100}}},"
	"\"Refund\":{\"type\":\"object\",\"required\":[\"method\",\"amount_fen\",\"reason\"],\"properties\":{"
	"\"method\":{\"type\":\"string\",\"enum\":[\"cash\",\"card\",\"wechat\",\"alipay\",\"transfer\"]},"
	"\"amount_fen\":{\"type\":\"integer\",\"minimum\":1},\"reason\":{\"type\":\"string\",\"maxLength\":200},"
	"\"reference\":{\"type\":[\"string\",\"null\"]}}},"
	"\"CreditNote\":{\"type\":\"object\",\"required\":[\"reason\"],\"description\":\"amount_fen or lines\",\"properties\":{"
	"\"amount_fen\":{\"type\":\"integer\",\"minimum\":1},\"reason\":{\"type\":\"string\",\"maxLength\":200},"
	"\"lines\":{\"type\":\"array\",\"maxItems\":100,\"items\":{\"type\":\"object\",\"required\":[\"name\",\"amount_fen\"],\"properties\":{"
	"\"name\":{\"type\":\"string\"},\"amount_fen\":{\"type\":\"integer\",\"minimum\":1},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"labour\",\"part\",\"fee\"]},\"line_id\":{\"type\":[\"integer\",\"null\"]}}}}}},"
	"\"BillVoid\":{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":200}}},"
	"\"Delivery\":{\"type\":\"object\",\"required\":[\"explanation\"],\"properties\":{"
	"\"explanation\":{\"type\":\"string\",\"maxLength\":2000},\"next_maintenance\":{\"type\":[\"string\",\"null\"],\"maxLength\":500},"
	"\"next_appointment_offer\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"old_parts_returned\":{\"type\":\"boolean\"}}},"
	"\"DeliverySuggestion\":{\"type\":\"object\",\"properties\":{\"available\":{\"type\":\"boolean\"},"
	"\"reason\":{\"type\":\"string\",\"enum\":[\"no_asset\",\"no_schedule\",\"no_purchase_date\",\"schedule_done\"]},"
	"\"service\":{\"type\":\"object\"},\"due_date\":{\"type\":\"string\",\"format\":\"date\"},\"due_by\":{\"type\":\"string\",\"enum\":[\"km\",\"time\"]},"
	"\"km\":{\"type\":[\"integer\",\"null\"]},\"estimated_km\":{\"type\":[\"integer\",\"null\"]},\"text\":{\"type\":\"string\"},"
	"\"text_en\":{\"type\":\"string\"}}},"
	"\"Confirm\":{\"type\":\"object\",\"required\":[\"rating\"],\"properties\":{\"rating\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},"
	"\"comment\":{\"type\":[\"string\",\"null\"],\"maxLength\":1000},\"channel\":{\"type\":\"string\",\"enum\":[\"portal\",\"signature\",\"phone\"],"
	"\"description\":\"a customer: portal (default) or signature; staff: signature or phone\"},\"by_name\":{\"type\":[\"string\",\"null\"]},"
	"\"signature\":{\"type\":[\"string\",\"null\"],\"description\":\"data:image/png;base64,… (not blank, at most 512 KB)\"}}},"
	/* --- execution: photos, work log, checklists, QC template, rework report (issue 4 items 7-8) --- */
	"\"PhotoUpload\":{\"type\":\"object\",\"required\":[\"file\"],\"description\":\"multipart/form-data; or the image bytes as an image/jpeg or image/png body with ?caption=&name=\","
	"\"properties\":{\"file\":{\"type\":\"string\",\"format\":\"binary\",\"description\":\"JPEG or PNG, at most 10 MiB and 50 megapixels\"},"
	"\"caption\":{\"type\":\"string\",\"maxLength\":200}}},"
	"\"Photo\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"order_id\":{\"type\":\"integer\"},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"photo\",\"signature\"]},\"name\":{\"type\":[\"string\",\"null\"]},"
	"\"mime\":{\"type\":\"string\",\"enum\":[\"image/jpeg\",\"image/png\"]},\"size\":{\"type\":\"integer\"},"
	"\"width\":{\"type\":\"integer\"},\"height\":{\"type\":\"integer\"},\"caption\":{\"type\":[\"string\",\"null\"]},"
	"\"created_by\":{\"type\":[\"integer\",\"null\"]},\"created_by_name\":{\"type\":[\"string\",\"null\"]},"
	"\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"url\":{\"type\":\"string\"},\"thumb_url\":{\"type\":\"string\"}}},"
	"\"WorklogNote\":{\"type\":\"object\",\"properties\":{\"note\":{\"type\":[\"string\",\"null\"],\"maxLength\":500}}},"
	"\"WorklogEntry\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"order_id\":{\"type\":\"integer\"},"
	"\"order_number\":{\"type\":\"string\"},\"user_id\":{\"type\":\"integer\"},\"user_name\":{\"type\":\"string\"},"
	"\"started_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"stopped_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},"
	"\"note\":{\"type\":[\"string\",\"null\"]},\"running\":{\"type\":\"boolean\"},\"minutes\":{\"type\":\"integer\"}}},"
	"\"Worklog\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/WorklogEntry\"}},"
	"\"total_minutes\":{\"type\":\"integer\"},\"by_user\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	"\"my_running\":{\"oneOf\":[{\"$ref\":\"#/components/schemas/WorklogEntry\"},{\"type\":\"null\"}]},\"now\":{\"type\":\"string\"}}},"
	"\"ChecklistItem\":{\"type\":\"object\",\"required\":[\"key\",\"checked\"],\"properties\":{"
	"\"key\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9_.-]{1,64}$\"},\"label\":{\"type\":\"string\",\"maxLength\":200},"
	"\"label_zh\":{\"type\":\"string\",\"readOnly\":true},\"label_en\":{\"type\":\"string\",\"readOnly\":true},"
	"\"checked\":{\"type\":\"boolean\"},\"note\":{\"type\":\"string\",\"maxLength\":500}}},"
	"\"ChecklistSave\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\","
	"\"minItems\":1,\"maxItems\":100,\"items\":{\"$ref\":\"#/components/schemas/ChecklistItem\"}}}},"
	"\"Checklist\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"},\"kind\":{\"type\":\"string\"},"
	"\"order_type\":{\"type\":\"string\"},\"vehicle\":{\"type\":\"boolean\"},\"source\":{\"type\":\"object\","
	"\"description\":\"{kind: template, type} or {kind: schedule, service: {index, name, km, months, operations, due_date, due_by}}\"},"
	"\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ChecklistItem\"}},\"checked\":{\"type\":\"integer\"},"
	"\"total\":{\"type\":\"integer\"},\"saved_at\":{\"type\":[\"string\",\"null\"]},\"saved_by\":{\"type\":[\"object\",\"null\"]},"
	"\"order_version\":{\"type\":\"integer\"}}},"
	"\"QcTemplate\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"},\"status\":{\"type\":\"string\"},"
	"\"vehicle\":{\"type\":\"boolean\"},\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ChecklistItem\"},"
	"\"description\":\"group lines (line_id, line_done), safety, damage (reception_damage)\"},\"lines_not_done\":{\"type\":\"integer\"},"
	"\"reception\":{\"type\":\"object\",\"properties\":{\"exists\":{\"type\":\"boolean\"},\"damage\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}},"
	"\"last\":{\"type\":[\"object\",\"null\"],\"description\":\"the last QC decision: items, result, note, by, at\"},"
	"\"rework_count\":{\"type\":\"integer\"},\"order_version\":{\"type\":\"integer\"}}},"
	"\"ReworkReport\":{\"type\":\"object\",\"properties\":{\"from\":{\"type\":\"string\"},\"to\":{\"type\":\"string\"},"
	"\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"technician\":{\"type\":\"object\"},"
	"\"orders\":{\"type\":\"integer\"},\"reworks\":{\"type\":\"integer\"},\"reworked_orders\":{\"type\":\"integer\"},"
	"\"qc_fail\":{\"type\":\"integer\"},\"reopen\":{\"type\":\"integer\"},\"rework_rate\":{\"type\":\"number\","
	"\"description\":\"reworked_orders / orders\"}}}},\"total\":{\"type\":\"object\"},"
	"\"orders\":{\"type\":\"array\",\"items\":{\"type\":\"object\"},\"description\":\"with technician_id: that technician's orders\"}}},"
	/* lines, estimate, approvals, car reception (issue 4 items 4-6; api/wo_lines.c) */
	"\"WoLineCreate\":{\"type\":\"object\",\"required\":[\"stage\",\"kind\"],\"description\":\"labour: operation_id, or name and hours (rate_fen defaults to the tenant setting labour_rate_fen, coefficient from the asset's model); part/fee: name, qty (default 1), unit_price_fen. Quantities and hours are decimals as strings or numbers; refused: zero or negative quantities, negative prices, absurd sizes\",\"properties\":{\"stage\":{\"type\":\"string\",\"enum\":[\"estimate\",\"actual\"]},\"kind\":{\"type\":\"string\",\"enum\":[\"labour\",\"part\",\"fee\"]},\"operation_id\":{\"type\":[\"integer\",\"null\"]},\"code\":{\"type\":[\"string\",\"null\"],\"maxLength\":40},\"name\":{\"type\":[\"string\",\"null\"],\"maxLength\":100},\"hours\":{\"type\":[\"string\",\"number\",\"null\"],\"example\":\"1.50\",\"description\":\"0.01..999.99\"},\"rate_fen\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":10000000},\"qty\":{\"type\":[\"string\",\"number\",\"null\"],\"example\":\"2\",\"description\":\"above 0, at most 99999.999, 3 decimals\"},\"unit_price_fen\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":1000000000},\"pay_type\":{\"type\":[\"string\",\"null\"],\"enum\":[\"warranty\",\"self_pay\",\"claim\",\"insurance\",null],\"description\":\"default: from the warranty decision of the order's asset\"},\"estimate_line_id\":{\"type\":[\"integer\",\"null\"],\"description\":\"an actual line carrying out this estimate line\"}}},"
	"\"WoLinePatch\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":[\"string\",\"null\"]},\"name\":{\"type\":\"string\"},\"hours\":{\"type\":[\"string\",\"number\"]},\"rate_fen\":{\"type\":\"integer\"},\"qty\":{\"type\":[\"string\",\"number\"]},\"unit_price_fen\":{\"type\":\"integer\"},\"pay_type\":{\"type\":\"string\",\"enum\":[\"warranty\",\"self_pay\",\"claim\",\"insurance\"]},\"estimate_line_id\":{\"type\":[\"integer\",\"null\"]}}},"
	"\"WoLine\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"order_id\":{\"type\":\"integer\"},\"stage\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"operation_id\":{\"type\":[\"integer\",\"null\"]},\"code\":{\"type\":[\"string\",\"null\"]},\"name\":{\"type\":\"string\"},\"hours\":{\"type\":[\"string\",\"null\"]},\"hours_x100\":{\"type\":[\"integer\",\"null\"]},\"rate_fen\":{\"type\":[\"integer\",\"null\"]},\"coefficient\":{\"type\":[\"string\",\"null\"],\"example\":\"1.15\"},\"coefficient_milli\":{\"type\":[\"integer\",\"null\"]},\"qty\":{\"type\":\"string\"},\"qty_milli\":{\"type\":\"integer\"},\"unit_price_fen\":{\"type\":[\"integer\",\"null\"]},\"amount_fen\":{\"type\":\"integer\"},\"pay_type\":{\"type\":\"string\"},\"additional\":{\"type\":\"boolean\"},\"consent_at\":{\"type\":[\"string\",\"null\"]},\"consent_by\":{\"type\":[\"string\",\"null\"]},\"consent_channel\":{\"type\":[\"string\",\"null\"]},\"done\":{\"type\":\"boolean\"},\"estimate_line_id\":{\"type\":[\"integer\",\"null\"]},\"stock\":{\"type\":\"null\",\"description\":\"no parts catalogue yet\"},\"version\":{\"type\":\"integer\"}}},"
	"\"WoLineTotals\":{\"type\":\"object\",\"properties\":{\"labour_fen\":{\"type\":\"integer\"},\"parts_fen\":{\"type\":\"integer\"},\"fees_fen\":{\"type\":\"integer\"},\"customer_fen\":{\"type\":\"integer\",\"description\":\"self-pay\"},\"warranty_fen\":{\"type\":\"integer\"},\"claim_fen\":{\"type\":\"integer\"},\"insurance_fen\":{\"type\":\"integer\"},\"total_fen\":{\"type\":\"integer\"}}},"
	"\"WoLines\":{\"type\":\"object\",\"properties\":{\"estimate\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/WoLine\"}},\"actual\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/WoLine\"}},\"totals\":{\"type\":\"object\",\"properties\":{\"estimate\":{\"$ref\":\"#/components/schemas/WoLineTotals\"},\"actual\":{\"$ref\":\"#/components/schemas/WoLineTotals\"}}},\"approval_needed\":{\"type\":\"boolean\"},\"consents_pending\":{\"type\":\"integer\"},\"payable_fen\":{\"type\":\"integer\"},\"approval_limit_fen\":{\"type\":[\"integer\",\"null\"]},\"approved_total_fen\":{\"type\":[\"integer\",\"null\"]},\"promised_at\":{\"type\":[\"string\",\"null\"]},\"warranty\":{\"type\":\"object\",\"description\":\"the default pay type and the rule that decided it\"},\"labour_rate_fen\":{\"type\":\"integer\"},\"coefficient\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\",\"description\":\"the order's version\"}}},"
	"\"WoLineResult\":{\"type\":\"object\",\"properties\":{\"line\":{\"$ref\":\"#/components/schemas/WoLine\"},\"version\":{\"type\":\"integer\",\"description\":\"the order's new version\"},\"warranty\":{\"type\":\"object\"}}},"
	"\"WoLinesCopied\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/WoLine\"}},\"copied\":{\"type\":\"integer\"},\"version\":{\"type\":\"integer\"}}},"
	"\"WoConsent\":{\"type\":\"object\",\"required\":[\"by_name\",\"channel\"],\"properties\":{\"by_name\":{\"type\":\"string\",\"maxLength\":64},\"channel\":{\"type\":\"string\",\"enum\":[\"phone\",\"in_person\",\"online\",\"signature\"]},\"signature\":{\"type\":[\"string\",\"null\"],\"description\":\"data:image/png;base64,… (required for channel signature; not blank, at most 2 MB)\"}}},"
	"\"WoLineDone\":{\"type\":\"object\",\"properties\":{\"done\":{\"type\":\"boolean\",\"default\":true}}},"
	"\"WoEstimate\":{\"type\":\"object\",\"properties\":{\"promised_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"approval_limit_fen\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"description\":\"above this customer-payable total, call the customer first\"}}},"
	"\"WoApprovalCreate\":{\"type\":\"object\",\"required\":[\"kind\"],\"properties\":{\"kind\":{\"type\":\"string\",\"enum\":[\"estimate\",\"additional\"]},\"by_name\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"a customer's own approval uses their name\"},\"channel\":{\"type\":\"string\",\"enum\":[\"signature\",\"online\",\"phone\",\"in_person\"]},\"signature\":{\"type\":[\"string\",\"null\"],\"description\":\"data:image/png;base64,… (required for channel signature)\"},\"line_ids\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"integer\"},\"description\":\"additional: these items (default every one waiting)\"}}},"
	"\"WoApprovalResult\":{\"type\":\"object\",\"properties\":{\"approval\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"kind\":{\"type\":\"string\"},\"total_fen\":{\"type\":\"integer\"},\"by_name\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\"},\"signature_id\":{\"type\":[\"integer\",\"null\"]},\"at\":{\"type\":\"string\"}}},\"approved_total_fen\":{\"type\":[\"integer\",\"null\"]},\"approval_needed\":{\"type\":\"boolean\"},\"version\":{\"type\":\"integer\"}}},"
	"\"WoEstimateDoc\":{\"type\":\"object\",\"properties\":{\"order\":{\"$ref\":\"#/components/schemas/WorkOrder\"},\"asset\":{\"type\":[\"object\",\"null\"]},\"lines\":{\"$ref\":\"#/components/schemas/WoLines\"},\"company_name\":{\"type\":[\"string\",\"null\"]},\"terms\":{\"type\":[\"string\",\"null\"]},\"approval_signed_by\":{\"type\":[\"string\",\"null\"]},\"approval_signature\":{\"type\":[\"string\",\"null\"]},\"approval_at\":{\"type\":[\"string\",\"null\"]},\"reception_mileage\":{\"type\":[\"integer\",\"null\"]},\"approvals\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"version\":{\"type\":\"integer\"}}},"
	"\"WoDamage\":{\"type\":\"object\",\"required\":[\"area\",\"kind\"],\"properties\":{\"area\":{\"type\":\"string\",\"enum\":[\"front\",\"front_left\",\"front_right\",\"left\",\"right\",\"rear\",\"rear_left\",\"rear_right\",\"roof\",\"hood\",\"trunk\",\"windshield\",\"wheel\",\"interior\",\"other\"]},\"kind\":{\"type\":\"string\",\"enum\":[\"scratch\",\"dent\",\"crack\",\"other\"]},\"note\":{\"type\":[\"string\",\"null\"],\"maxLength\":200},\"x\":{\"type\":\"number\",\"minimum\":0,\"maximum\":100},\"y\":{\"type\":\"number\",\"minimum\":0,\"maximum\":100}}},"
	"\"WoReception\":{\"type\":\"object\",\"properties\":{\"damages\":{\"type\":\"array\",\"maxItems\":60,\"items\":{\"$ref\":\"#/components/schemas/WoDamage\"}},\"fuel\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":100},\"mileage\":{\"type\":[\"integer\",\"null\"],\"minimum\":0},\"odometer_change\":{\"type\":\"boolean\",\"description\":\"a lower mileage than the last reading, with odometer_reason\"},\"odometer_reason\":{\"type\":[\"string\",\"null\"]},\"valuables_reminded\":{\"type\":\"boolean\"},\"valuables_note\":{\"type\":[\"string\",\"null\"]},\"old_parts\":{\"type\":[\"string\",\"null\"],\"enum\":[\"keep\",\"leave\",null]},\"wash\":{\"type\":\"boolean\"},\"payment_method\":{\"type\":[\"string\",\"null\"],\"enum\":[\"cash\",\"card\",\"wechat\",\"alipay\",\"transfer\",\"insurance\",null]}}},"
	"\"WoReceptionView\":{\"type\":\"object\",\"properties\":{\"reception\":{\"type\":[\"object\",\"null\"],\"description\":\"the sheet's fields, mileage, signed_at, signed_by, signature (data URL)\"},\"version\":{\"type\":\"integer\",\"description\":\"the order's version\"},\"asset_id\":{\"type\":[\"integer\",\"null\"]},\"last_km\":{\"type\":[\"integer\",\"null\"]}}},"
	"\"WoSignature\":{\"type\":\"object\",\"required\":[\"by_name\",\"signature\"],\"properties\":{\"by_name\":{\"type\":\"string\",\"maxLength\":64},\"signature\":{\"type\":\"string\",\"description\":\"data:image/png;base64,… (not blank, at most 2 MB)\"}}},"
	/* appointments and capacity (issue 5 item 6; api/appointments.c) */
	"\"Bay\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},\"org_id\":{\"type\":\"integer\",\"description\":\"default: yours\"},\"org_name\":{\"type\":\"string\",\"readOnly\":true},\"name\":{\"type\":\"string\",\"maxLength\":40},\"kind\":{\"type\":\"string\",\"enum\":[\"mechanical\",\"bodywork\",\"paint\",\"quick\",\"wash\",\"other\"],\"description\":\"机电 钣金 喷漆 快修 洗车\"},\"equipment\":{\"type\":\"array\",\"maxItems\":30,\"items\":{\"type\":\"string\",\"maxLength\":60}},\"daily_capacity\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"default\":8,\"description\":\"orders a day\"},\"open_min\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":1440,\"description\":\"own hours (local minutes); null: the working calendar\"},\"close_min\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":1440},\"active\":{\"type\":\"boolean\",\"default\":true},\"note\":{\"type\":[\"string\",\"null\"],\"maxLength\":200},\"version\":{\"type\":\"integer\",\"readOnly\":true}}},"
	"\"BayPatch\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"equipment\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"daily_capacity\":{\"type\":\"integer\"},\"open_min\":{\"type\":[\"integer\",\"null\"]},\"close_min\":{\"type\":[\"integer\",\"null\"]},\"active\":{\"type\":\"boolean\"},\"note\":{\"type\":[\"string\",\"null\"]}}},"
	"\"AppointmentSlots\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"},\"org_id\":{\"type\":\"integer\"},\"order_id\":{\"type\":\"integer\"},\"mode\":{\"type\":\"string\",\"enum\":[\"technicians\",\"bays\"]},\"category\":{\"type\":[\"string\",\"null\"]},\"duration_min\":{\"type\":\"integer\"},\"step_min\":{\"type\":\"integer\"},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"start_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"end_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"available\":{\"type\":\"boolean\"},\"free\":{\"type\":\"integer\",\"description\":\"staff only: places free\"},\"capacity\":{\"type\":\"integer\",\"description\":\"staff only: places working then\"}}}}}},"
	"\"AppointmentBook\":{\"type\":\"object\",\"required\":[\"start\"],\"properties\":{\"start\":{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"on the half hour, not past\"},\"end\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"duration_min\":{\"type\":[\"integer\",\"null\"],\"default\":60,\"description\":\"30..720, steps of 30 (instead of end)\"},\"bay_id\":{\"type\":[\"integer\",\"null\"],\"description\":\"workshops: this bay (default: a free one)\"}}},"
	"\"NoShow\":{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":[\"string\",\"null\"],\"maxLength\":200}}},"
	"\"AppointmentBoard\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\"},\"org_id\":{\"type\":\"integer\"},\"bays\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"a Bay with used, free and appointments\"}},\"technicians\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"description\":\"id, name, shift_min, booked_min, appointments\"}},\"unassigned\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"summary\":{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"integer\"},\"booked\":{\"type\":\"integer\"},\"arrived\":{\"type\":\"integer\"},\"no_show\":{\"type\":\"integer\"},\"done\":{\"type\":\"integer\"}}}}},"
	"\"AppointmentReminders\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\",\"description\":\"default tomorrow\"}}},"
	"\"AppointmentRemindersSent\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\"},\"sent\":{\"type\":\"integer\"}}},"
	"\"WarrantyRegistration\":{\"type\":\"object\",\"required\":[\"serial\",\"model_id\",\"purchase_date\"],\"properties\":{"
	"\"serial\":{\"type\":\"string\"},\"model_id\":{\"type\":\"integer\"},\"customer_id\":{\"type\":\"integer\"},"
	"\"purchase_date\":{\"type\":\"string\",\"format\":\"date\"},\"invoice_no\":{\"type\":\"string\"},"
	"\"purchase_place\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\",\"enum\":[\"web\",\"api\",\"store\",\"phone\",\"wechat\"]}}}"
	"}";

static json_t *ref(const char *name)
{
	char r[128];
	snprintf(r, sizeof r, "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", r);
}

static json_t *content(const char *schema, const char *ctype)
{
	return json_pack("{s:{s:{s:o}}}", "content", ctype, "schema", ref(schema));
}

json_t *openapi_document(void)
{
	static const char *lower[] = {"get", "post", "patch", "put", "delete", "head", "options", "x"};
	json_t *paths = json_object();
	for (int i = 0; i < routes_count; i++) {
		const struct route *rt = &routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, rt->pattern, item);
		}
		json_t *op = json_pack("{s:s, s:[s]}", "summary", rt->summary, "tags", rt->tag);
		json_t *params = json_array();
		for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
			const char *e = strchr(p, '}');
			char name[32];
			snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path",
								"required", 1, "schema", "type", "integer"));
		}
		if (rt->resp && !strcmp(rt->resp, "List") && rt->method == M_GET) {
			json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s, s:i, s:i}}", "name", "limit", "in", "query",
								"schema", "type", "integer", "minimum", 1, "maximum", 500));
			json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s}}", "name", "cursor", "in", "query", "schema",
								"type", "string"));
		}
		if (json_array_size(params))
			json_object_set_new(op, "parameters", params);
		else
			json_decref(params);
		if (rt->body)
			json_object_set_new(op, "requestBody", content(rt->body, rt->flags & R_UPLOAD ? "multipart/form-data" : "application/json"));
		if (rt->flags & R_UPLOAD) { /* the raw image body of simple clients */
			json_t *c = json_object_get(json_object_get(op, "requestBody"), "content");
			json_object_set_new(c, "image/jpeg", json_pack("{s:{s:s, s:s}}", "schema", "type", "string", "format", "binary"));
			json_object_set_new(c, "image/png", json_pack("{s:{s:s, s:s}}", "schema", "type", "string", "format", "binary"));
		}
		json_t *resp = json_object();
		int ok = 200;
		if (rt->method == M_DELETE)
			ok = 204;
		else if (rt->method == M_POST && (rt->flags & R_IDEM))
			ok = 201;
		else if (rt->method == M_POST && !rt->resp)
			ok = 204;
		char code[8];
		snprintf(code, sizeof code, "%d", ok);
		json_t *okr = rt->resp ? content(rt->resp, "application/json") : json_object();
		json_object_set_new(okr, "description", json_string("success"));
		json_object_set_new(resp, code, okr);
		json_t *err = content("Problem", "application/problem+json");
		json_object_set_new(err, "description", json_string("problem (RFC 9457)"));
		json_object_set_new(resp, "default", err);
		json_object_set_new(op, "responses", resp);
		if (rt->flags & R_PUBLIC)
			json_object_set_new(op, "security", json_array());
		if (rt->perm >= 0)
			json_object_set_new(op, "x-permission", json_string(perm_name(rt->perm)));
		if (rt->flags & R_IDEM)
			json_object_set_new(op, "x-idempotency-key", json_true());
		json_object_set_new(item, lower[rt->method], op);
	}
	json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "openapi", "3.1.0", "info", "title",
				"fuwu 售后服务管理系统 API", "version", "1", "description",
				"Conventions: docs/api.md. Errors are application/problem+json.", "paths", paths);
	json_t *comp = json_loads(schemas, 0, NULL);
	json_t *components = json_pack("{s:o, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}", "schemas", comp ? comp : json_object(),
				       "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "cookie", "type",
				       "apiKey", "in", "cookie", "name", "fuwu_session");
	json_object_set_new(doc, "components", components);
	json_object_set_new(doc, "security", json_pack("[{s:[]}, {s:[]}]", "bearer", "cookie"));
	return doc;
}
