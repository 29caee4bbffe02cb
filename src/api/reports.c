/*
 * reports.c — /api/v1/reports/…: figures over the caller's organisation subtree. Staff only
 * (a customer account gets 403). Periods are dates in the tenant's zone (from inclusive, to
 * inclusive as a whole day) or ISO 8601 times; the default is the last 30 days.
 */
#include "api/api.h"
#include "domain/perm.h"

#include <string.h>

#define DAY_MS 86400000LL

/* A period bound: "YYYY-MM-DD" is that local day's start (end_of_day: the next day's start),
 * anything else an ISO 8601 time. */
static bool period_bound(const principal *who, const char *s, bool end_of_day, int64_t *out)
{
	if (!ms_from_iso(s, out))
		return false;
	if (strlen(s) == 10) {
		*out -= (int64_t)who->tz_offset_min * 60000;
		if (end_of_day)
			*out += DAY_MS;
	}
	return true;
}

void h_report_rework(req *r)
{
	if (r->who.customer_id || (r->who.roles & (1u << ROLE_CUSTOMER))) {
		reply_problem(r, 403, "forbidden", "reports are for staff");
		return;
	}
	verr v;
	verr_init(&v);
	const char *from = req_query(r, "from"), *to = req_query(r, "to"), *tech = req_query(r, "technician_id");
	int64_t t1 = now_ms(), t0 = t1 - 30 * DAY_MS, tid = 0;
	if (to && *to && !period_bound(&r->who, to, true, &t1))
		verr_add(&v, "to", "invalid", "to is a date (2026-11-30) or an ISO 8601 time");
	if (from && *from && !period_bound(&r->who, from, false, &t0))
		verr_add(&v, "from", "invalid", "from is a date (2026-11-01) or an ISO 8601 time");
	else if (from && *from && (!to || !*to) && t0 >= t1)
		t1 = t0 + 30 * DAY_MS;
	if (t0 >= t1)
		verr_add(&v, "to", "invalid", "to must be after from");
	else if (t1 - t0 > 3700 * DAY_MS)
		verr_add(&v, "from", "invalid", "a period of at most ten years");
	if (tech && !parse_i64(tech, 1, INT64_MAX / 2, &tid))
		verr_add(&v, "technician_id", "invalid", "technician_id must be an id");
	if (verr_reply(&v, r))
		return;
	json_t *o = NULL;
	int rc = store_report_rework(r->db, &r->who, t0, t1, tid, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "report");
		return;
	}
	reply_json(r, 200, o);
}
