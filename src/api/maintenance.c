/*
 * maintenance.c — /api/v1/maintenance/due: the "due this month / overdue" list of issue 3
 * item 7 (?month=YYYY-MM, default this month in the tenant's zone; ?org_id= the outlet;
 * ?format=csv or xlsx exports it with Chinese headers).
 */
#include "api/api.h"
#include "domain/warranty.h"

#include <string.h>

/* The list as a table with Chinese headers, for CSV and .xlsx. */
static json_t *due_table(json_t *items)
{
	json_t *rows = json_array();
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s,s,s,s]", "状态", "应保养日期", "依据", "保养项目", "客户",
					      "序列号/VIN", "车牌", "品牌", "型号", "购买日期", "估算里程"));
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) {
		json_t *svc = json_object_get(o, "service"), *cust = json_object_get(o, "customer"),
		       *model = json_object_get(o, "model");
		const char *st = jstr(o, "status"), *by = jstr(o, "due_by");
		json_t *km = json_object_get(o, "estimated_km");
		json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s,s,s,o]", st && !strcmp(st, "overdue") ? "已逾期" : "本月到期",
						      jstr(o, "due_date") ? jstr(o, "due_date") : "",
						      by && !strcmp(by, "km") ? "里程" : "时间", jstr(svc, "name") ? jstr(svc, "name") : "",
						      jstr(cust, "name") ? jstr(cust, "name") : "", jstr(o, "serial") ? jstr(o, "serial") : "",
						      jstr(o, "plate") ? jstr(o, "plate") : "", jstr(model, "brand") ? jstr(model, "brand") : "",
						      jstr(model, "model") ? jstr(model, "model") : "",
						      jstr(o, "purchase_date") ? jstr(o, "purchase_date") : "",
						      json_is_integer(km) ? json_incref(km) : json_string("")));
	}
	return rows;
}

void h_maint_due(req *r)
{
	verr v;
	verr_init(&v);
	int64_t ms = now_ms() + (int64_t)r->who.tz_offset_min * 60000;
	int32_t today = (int32_t)(ms / 86400000), first;
	char ymd[11];
	wty_day_format(today, ymd);
	const char *month = req_query(r, "month"), *org = req_query(r, "org_id"), *fmt = req_query(r, "format");
	char buf10[11];
	snprintf(buf10, sizeof buf10, "%.7s-01", month ? month : ymd);
	if ((month && strlen(month) != 7) || !wty_day_parse(buf10, &first))
		verr_add(&v, "month", "invalid", "month is YYYY-MM");
	int64_t org_id = 0, limit = 500;
	if (org && !parse_i64(org, 1, INT64_MAX, &org_id))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	const char *lim = req_query(r, "limit");
	if (lim && !parse_i64(lim, 1, 5000, &limit))
		verr_add(&v, "limit", "invalid", "limit is 1..5000");
	if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "xlsx") && strcmp(fmt, "json"))
		verr_add(&v, "format", "invalid", "format is json, csv or xlsx");
	if (verr_reply(&v, r))
		return;
	int32_t until = wty_add_months(first, 1) - 1;
	json_t *items;
	int rc = store_maint_due(r->db, &r->who, org_id, today, until, (int)limit, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, org_id ? "organisation" : "maintenance list");
		return;
	}
	if (fmt && (!strcmp(fmt, "csv") || !strcmp(fmt, "xlsx"))) {
		json_t *rows = due_table(items);
		reply_table(r, "maintenance-due", "到期保养", rows, fmt);
		json_decref(rows);
		json_decref(items);
		return;
	}
	char mbuf[8];
	snprintf(mbuf, sizeof mbuf, "%.7s", buf10);
	reply_json(r, 200, json_pack("{s:o, s:s, s:s}", "items", items, "month", mbuf, "today", ymd));
}

/* GET /api/v1/maintenance/first-service?from=&to=&org_id= — 首保率 (DOMAIN §6, target ≥ 95%). */
void h_first_service(req *r)
{
	verr v;
	verr_init(&v);
	const char *from = req_query(r, "from"), *to = req_query(r, "to"), *org = req_query(r, "org_id");
	int32_t a, b;
	if (!from || !wty_day_parse(from, &a))
		verr_add(&v, "from", "invalid", "from is a date YYYY-MM-DD (purchases from)");
	if (!to || !wty_day_parse(to, &b))
		verr_add(&v, "to", "invalid", "to is a date YYYY-MM-DD (purchases until)");
	else if (from && wty_day_parse(from, &a) && b < a)
		verr_add(&v, "to", "invalid", "to may not be before from");
	int64_t org_id = 0;
	if (org && !parse_i64(org, 1, INT64_MAX, &org_id))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (verr_reply(&v, r))
		return;
	int64_t sold, served;
	int rc = store_first_service(r->db, &r->who, org_id, from, to, &sold, &served);
	if (rc != ST_OK) {
		reply_status(r, rc, "organisation");
		return;
	}
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:f}", "from", from, "to", to, "sold", (json_int_t)sold, "first_service_done",
			      (json_int_t)served, "target", 0.95);
	json_object_set_new(o, "rate", sold ? json_real((double)served / (double)sold) : json_null());
	reply_json(r, 200, o);
}
