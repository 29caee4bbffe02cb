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

	{M_GET, "/api/v1/work-orders", h_wo_list, P_WO_READ, 0, "List work orders (status, q, type, priority, created_from, created_to)", "work-orders", NULL, "List"},
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
	{M_POST, "/api/v1/work-orders/{id}/cancel", h_wo_event, P_WO_READ, R_IDEM, "Cancel before completion, with a reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/reopen", h_wo_event, P_WO_READ, R_IDEM, "Reopen a closed order within the period (counted as rework), with a reason", "work-order-flow", "WoEvent", "WorkOrder"},
	{M_POST, "/api/v1/work-orders/{id}/comments", h_wo_comment, P_WO_READ, R_IDEM, "Comment on an order (internal, or public: visible to the customer)", "work-order-flow", "WoComment", "TimelineItem"},
	{M_GET, "/api/v1/work-orders/{id}/outbox", h_wo_outbox, P_WO_UPDATE, 0, "Notifications written for an order (the outbox)", "work-order-flow", NULL, "List"},

	{M_GET, "/api/v1/customers", h_cust_list, P_CUST_READ, 0, "Find customers (phone: end of any phone, name, plate, serial, class)", "customers", NULL, "List"},
	{M_POST, "/api/v1/customers", h_cust_create, P_CUST_WRITE, R_IDEM, "Create a customer (a phone of another customer → 409 existing_id)", "customers", "CustomerCreate", "Customer"},
	{M_POST, "/api/v1/customers/import", h_cust_import, P_CUST_WRITE, R_UPLOAD, "Import customers from CSV (UTF-8 or GBK) or .xlsx (dry_run reports every bad row)", "customers", "CustomerImport", "ImportResult"},
	{M_GET, "/api/v1/customers/export", h_cust_export, P_CUST_READ, 0, "Export the customer list as .xlsx or CSV with Chinese headers (?format=&limit= and the list's filters)", "customers", NULL, NULL},
	{M_GET, "/api/v1/customers/{id}", h_cust_get, P_CUST_READ, 0, "Get a customer with phones and addresses", "customers", NULL, "Customer"},
	{M_PATCH, "/api/v1/customers/{id}", h_cust_update, P_CUST_WRITE, 0, "Change a customer (If-Match)", "customers", "CustomerCreate", "Customer"},
	{M_POST, "/api/v1/customers/{id}/merge", h_cust_merge, P_CUST_WRITE, 0, "Merge customer from_id into this one, keeping every linked record", "customers", "CustomerMerge", "Customer"},
	{M_GET, "/api/v1/customers/{id}/timeline", h_cust_timeline, P_CUST_READ, 0, "The archive timeline of a customer", "customers", NULL, "Timeline"},
	{M_POST, "/api/v1/product-models/import", h_model_import, P_MODEL_WRITE, R_UPLOAD, "Import product models from CSV or .xlsx (dry_run reports every bad row)", "product-models", "CustomerImport", "ImportResult"},
	{M_GET, "/api/v1/product-models", h_model_list, P_CUST_READ, 0, "List product models (q, brand, category)", "product-models", NULL, "List"},
	{M_POST, "/api/v1/product-models", h_model_create, P_MODEL_WRITE, R_IDEM, "Create a product model with its warranty policy", "product-models", "ProductModel", "ProductModel"},
	{M_GET, "/api/v1/product-models/{id}", h_model_get, P_CUST_READ, 0, "Get a product model", "product-models", NULL, "ProductModel"},
	{M_PATCH, "/api/v1/product-models/{id}", h_model_update, P_MODEL_WRITE, 0, "Change a product model (If-Match)", "product-models", "ProductModel", "ProductModel"},
	{M_GET, "/api/v1/labour-operations", h_labour_list, P_CUST_READ, 0, "Standard labour operations (?model_id=&q=)", "product-models", NULL, "List"},
	{M_POST, "/api/v1/labour-operations", h_labour_create, P_MODEL_WRITE, R_IDEM, "Create a standard labour operation", "product-models", "LabourOperation", "LabourOperation"},
	{M_PATCH, "/api/v1/labour-operations/{id}", h_labour_update, P_MODEL_WRITE, 0, "Change a labour operation (If-Match)", "product-models", "LabourOperation", "LabourOperation"},
	{M_POST, "/api/v1/assets/import", h_asset_import, P_CUST_WRITE, R_UPLOAD, "Import assets from CSV or .xlsx: owner by phone, model by brand and model (dry_run reports every bad row)", "assets", "CustomerImport", "ImportResult"},
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
	/* --- the work-order flow (issue 4) --- */
	"\"WoEvent\":{\"type\":\"object\",\"description\":\"A state event; refused ones answer 409 invalid_transition with status, guard and allowed\","
	"\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":500},\"assignee_id\":{\"type\":\"integer\"},"
	"\"kind\":{\"type\":\"string\",\"enum\":[\"parts\",\"customer\"]},\"checklist\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"key\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"checked\":{\"type\":\"boolean\"},\"note\":{\"type\":\"string\"}}}}}},"
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
	"\"warranty_end_reason\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"scrapped\",\"sold\",\"lost\"]}}},"
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
			json_object_set_new(op, "requestBody", content(rt->body, "application/json"));
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
