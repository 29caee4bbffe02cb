/*
 * campaigns.c — /api/v1/campaigns (issue 3 item 8): pick customers by rule, queue the
 * SMS/letter/call for each, see who came back.
 * Rule: {"class":["A","B"],"churn":["at_risk","nearly_lost"],"brand":"丰田","city":"广州市"} (all optional).
 */
#include "api/api.h"
#include "domain/care.h"

#include <string.h>

static const char *const channels[] = {"sms", "letter", "phone", "email", "wechat", NULL};

static const struct field campaign_fields[] = {
	{"name", F_STR, true, 100, NULL, false},
	{"channel", F_STR, true, 10, channels, false},
	{"message", F_STR, true, 500, NULL, false},
	{"rule", F_OBJ, true, 0, NULL, false},
	{0},
};

static void check_rule(json_t *rule, verr *v)
{
	const char *k;
	json_t *x;
	json_object_foreach(rule, k, x) {
		if (!strcmp(k, "class") || !strcmp(k, "churn")) {
			bool ok = json_is_array(x) && json_array_size(x) <= 4;
			size_t i;
			json_t *e;
			if (ok)
				json_array_foreach(x, i, e) {
					const char *s = json_string_value(e);
					if (!s || (!strcmp(k, "class") ? (strcmp(s, "A") && strcmp(s, "B") && strcmp(s, "C"))
									: care_churn_parse(s) < 0))
						ok = false;
				}
			if (!ok)
				verr_add(v, !strcmp(k, "class") ? "rule.class" : "rule.churn", "invalid",
					 !strcmp(k, "class") ? "rule.class is a list of A, B, C"
							     : "rule.churn is a list of active, at_risk, nearly_lost, lost");
		} else if (!strcmp(k, "brand") || !strcmp(k, "city")) {
			if (!json_is_string(x) || !*json_string_value(x) || utf8_chars(json_string_value(x)) > 50)
				verr_add(v, !strcmp(k, "brand") ? "rule.brand" : "rule.city", "invalid", "a text of 1 to 50 characters");
		} else {
			char f[80], m[120];
			snprintf(f, sizeof f, "rule.%.60s", k);
			snprintf(m, sizeof m, "unknown rule '%.60s' (class, churn, brand, city)", k);
			verr_add(v, f, "unknown", m);
		}
	}
}

void h_campaign_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, campaign_fields, &v);
	json_t *rule = json_object_get(r->json, "rule");
	if (json_is_object(rule))
		check_rule(rule, &v);
	if (verr_reply(&v, r))
		return;
	api_create(r, store_campaign_create, "campaign", "/api/v1/campaigns");
}

void h_campaign_get(req *r)
{
	api_get(r, store_campaign_get, "campaign");
}

void h_campaign_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	json_t *items;
	int64_t next;
	int rc = store_campaign_list(r->db, &r->who, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "campaigns");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_campaign_targets(req *r)
{
	int64_t id;
	int limit;
	int64_t cursor;
	if (!req_id_param(r, 0, &id) || !req_paging(r, &limit, &cursor))
		return;
	json_t *items;
	int64_t next;
	int rc = store_campaign_targets(r->db, &r->who, id, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "campaign");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
