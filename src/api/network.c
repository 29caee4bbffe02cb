/*
 * network.c — two-level network dispatch (DOMAIN §4): where an order held by a manufacturer
 * or a station goes next, and the hand-over (store/network.c).
 */
#include "api/api.h"
#include "store/store.h"

/* GET /api/v1/dispatch/network?order={id}: the stations (of the consumer's city first) or the
 * authorised outlets, nearest and least loaded first. */
void h_network_options(req *r)
{
	int64_t order = 0;
	verr v;
	verr_init(&v);
	order_query(r, &v, &order);
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = store_network_options(r->db, &r->who, order, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, out);
}

static const struct field route_fields[] = {
	{"org_id", F_INT, false, 0, NULL, true},
	{"auto", F_BOOL, false, 0, NULL, true},
	{"reason", F_STR, false, 200, NULL, true},
	{0},
};

/* POST /api/v1/work-orders/{id}/route {org_id | auto: true, reason?} (If-Match) */
void h_wo_route(req *r)
{
	int64_t id, ver;
	if (!req_id_param(r, 0, &id) || (ver = req_if_match(r)) < 0 || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, route_fields, &v);
	bool automatic = json_is_true(json_object_get(r->json, "auto"));
	json_t *org = json_object_get(r->json, "org_id");
	if (!automatic && !json_is_integer(org))
		verr_add(&v, "org_id", "required", "org_id: the station or outlet to hand the order to (or auto: true)");
	if (automatic && org && !json_is_null(org))
		verr_add(&v, "org_id", "invalid", "give org_id or auto, not both");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_network_route(r->db, &a, id, ver, automatic ? 0 : json_integer_value(org), automatic,
				     jstr(r->json, "reason"), &out, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, out, NULL);
}

static const struct field answer_fields[] = {
	{"reason", F_STR, false, 500, NULL, true},
	{0},
};

/* POST /api/v1/work-orders/{id}/route/accept | /route/decline {reason}: the outlet's answer to a
 * station's hand-over (If-Match, Idempotency-Key). */
static void route_answer(req *r, bool accept)
{
	int64_t id, ver;
	if (!req_id_param(r, 0, &id) || (ver = req_if_match(r)) < 0)
		return;
	if (!r->json && r->body.len == 0)
		r->json = json_object();
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, answer_fields, &v);
	const char *why = jstr(r->json, "reason");
	if (!accept && (!why || !*why))
		verr_add(&v, "reason", "required", "say why the outlet cannot take the order");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_network_answer(r->db, &a, id, ver, accept, why, &out, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, out, NULL);
}

void h_wo_route_accept(req *r)
{
	route_answer(r, true);
}

void h_wo_route_decline(req *r)
{
	route_answer(r, false);
}
