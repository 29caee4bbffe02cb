/*
 * customers.c — /api/v1/customers: the customer archive (issue 3 item 1). Create with
 * several phones (normalised +86…; a phone of another customer → 409 with existing_id) and
 * addresses; lookup by the end of any phone (?phone=5678), name, plate, serial, class;
 * PATCH with If-Match; merge of two customers; the archive timeline.
 */
#include "api/api.h"
#include "domain/care.h"
#include "domain/phone.h"

#include <string.h>

static const char *const cust_kinds[] = {"person", "company", NULL};
static const char *const cust_classes[] = {"A", "B", "C", NULL};
static const char *const on_duplicate[] = {"refuse", "merge", NULL};

static const struct field cust_fields[] = {
	{"name", F_STR, true, 100, NULL, false},
	{"kind", F_STR, false, 10, cust_kinds, false},
	{"class", F_STR, false, 1, cust_classes, false},
	{"phones", F_ARR, true, 0, NULL, false},
	{"addresses", F_ARR, false, 0, NULL, false},
	{"tags", F_ARR, false, 0, NULL, true},
	{"source", F_STR, false, 50, NULL, true},
	{"consent", F_OBJ, false, 0, NULL, true},
	{"notes", F_STR, false, 2000, NULL, true},
	{"org_id", F_INT, false, 0, NULL, false},
	{"on_duplicate", F_STR, false, 10, on_duplicate, false},
	{0},
};

static const struct field cust_patch_fields[] = {
	{"name", F_STR, false, 100, NULL, false},
	{"kind", F_STR, false, 10, cust_kinds, false},
	{"class", F_STR, false, 1, cust_classes, false},
	{"phones", F_ARR, false, 0, NULL, false},
	{"addresses", F_ARR, false, 0, NULL, false},
	{"tags", F_ARR, false, 0, NULL, true},
	{"source", F_STR, false, 50, NULL, true},
	{"consent", F_OBJ, false, 0, NULL, true},
	{"notes", F_STR, false, 2000, NULL, true},
	{0},
};

static const struct field addr_fields[] = {
	{"text", F_STR, true, 300, NULL, false},
	{"province", F_STR, false, 30, NULL, true},
	{"city", F_STR, false, 30, NULL, true},
	{"district", F_STR, false, 30, NULL, true},
	{"lat", F_NUM, false, 0, NULL, true},
	{"lon", F_NUM, false, 0, NULL, true},
	{0},
};

static const char *const consent_channels[] = {"phone", "sms", "email", "wechat", "letter", NULL};

/* Check a sub-object against specs; errors are reported as "<prefix>.<field>". */
static void sub_check(req *r, json_t *obj, const struct field *specs, const char *prefix, verr *v)
{
	json_t *saved = r->json;
	r->json = obj;
	verr sub;
	verr_init(&sub);
	body_check(r, specs, &sub);
	r->json = saved;
	size_t i;
	json_t *e;
	json_array_foreach(sub.errors, i, e) {
		char f[96];
		snprintf(f, sizeof f, "%s.%s", prefix, json_string_value(json_object_get(e, "field")));
		verr_add(v, f, json_string_value(json_object_get(e, "code")), json_string_value(json_object_get(e, "message")));
	}
	json_decref(sub.errors);
}

/* Phones (1..10, each normalised in place), addresses, tags and consent of a body. */
static void check_children(req *r, verr *v, bool create)
{
	json_t *in = r->json, *phones = json_object_get(in, "phones");
	if (json_is_array(phones)) {
		size_t n = json_array_size(phones);
		if ((create && n == 0) || n > 10)
			verr_add(v, "phones", n ? "too_long" : "required", n ? "at most 10 phones" : "give at least one phone");
		for (size_t i = 0; i < n && i < 10; i++) {
			json_t *p = json_array_get(phones, i);
			char norm[20], f[32];
			snprintf(f, sizeof f, "phones[%zu]", i);
			if (!json_is_string(p) || json_string_length(p) > 32 || !phone_normalize(json_string_value(p), norm))
				verr_add(v, f, "invalid", "not a valid Chinese phone number");
			else
				json_array_set_new(phones, i, json_string(norm));
		}
	}
	json_t *addrs = json_object_get(in, "addresses");
	if (json_is_array(addrs)) {
		if (json_array_size(addrs) > 20)
			verr_add(v, "addresses", "too_long", "at most 20 addresses");
		for (size_t i = 0; i < json_array_size(addrs) && i < 20; i++) {
			json_t *a = json_array_get(addrs, i);
			char f[32];
			snprintf(f, sizeof f, "addresses[%zu]", i);
			if (!json_is_object(a)) {
				verr_add(v, f, "type", "an address is an object {text, lat, lon}");
				continue;
			}
			sub_check(r, a, addr_fields, f, v);
			json_t *lat = json_object_get(a, "lat"), *lon = json_object_get(a, "lon");
			if (json_is_number(lat) && (json_number_value(lat) < -90 || json_number_value(lat) > 90))
				verr_add(v, f, "invalid", "lat must be within -90..90");
			if (json_is_number(lon) && (json_number_value(lon) < -180 || json_number_value(lon) > 180))
				verr_add(v, f, "invalid", "lon must be within -180..180");
		}
	}
	json_t *tags = json_object_get(in, "tags");
	if (json_is_array(tags)) {
		size_t i;
		json_t *t;
		if (json_array_size(tags) > 20)
			verr_add(v, "tags", "too_long", "at most 20 tags");
		json_array_foreach(tags, i, t) if (!json_is_string(t) || utf8_chars(json_string_value(t)) > 30 ||
						   !*json_string_value(t)) {
			verr_add(v, "tags", "invalid", "tags are strings of 1 to 30 characters");
			break;
		}
	}
	/* consent: {"allowed":true,"channels":["sms","phone"]} */
	json_t *consent = json_object_get(in, "consent");
	if (json_is_object(consent)) {
		const char *k;
		json_t *x;
		json_object_foreach(consent, k, x) {
			if (!strcmp(k, "allowed")) {
				if (!json_is_boolean(x))
					verr_add(v, "consent.allowed", "type", "consent.allowed must be true or false");
			} else if (!strcmp(k, "channels")) {
				size_t i;
				json_t *ch;
				bool ok = json_is_array(x);
				if (ok)
					json_array_foreach(x, i, ch) {
						const char *const *o = consent_channels;
						while (json_is_string(ch) && *o && strcmp(*o, json_string_value(ch)))
							o++;
						if (!json_is_string(ch) || !*o)
							ok = false;
					}
				if (!ok)
					verr_add(v, "consent.channels", "invalid", "channels from phone, sms, email, wechat, letter");
			} else {
				verr_add(v, "consent", "unknown", "consent has allowed and channels");
			}
		}
	}
}

void h_cust_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, cust_fields, &v);
	check_children(r, &v, true);
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o;
	int rc = store_cust_create(r->db, &a, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "customer");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/customers/%lld", (long long)json_integer_value(json_object_get(o, "id")));
	/* on_duplicate=merge found the customer by a phone: 200 with that customer, nothing new created */
	reply_record(r, info.existing_id ? 200 : 201, o, loc);
}

void h_cust_get(req *r)
{
	api_get(r, store_cust_get, "customer");
}

void h_cust_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, cust_patch_fields, &v);
	check_children(r, &v, false);
	if (json_is_array(json_object_get(r->json, "phones")) && !json_array_size(json_object_get(r->json, "phones")))
		verr_add(&v, "phones", "required", "a customer keeps at least one phone");
	if (json_is_string(json_object_get(r->json, "name")) && !*jstr(r->json, "name"))
		verr_add(&v, "name", "required", "name may not be empty");
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_cust_update, "customer");
}

/* The filters of the list (phone, name/q, plate, serial, class, churn) from the query;
 * answers 400 and returns false when one is bad. */
static bool cust_filters(req *r, cust_filter *out, char digits[24])
{
	cust_filter f = {.churn = -1};
	verr v;
	verr_init(&v);
	f.phone = req_query(r, "phone");
	f.name = req_query(r, "name");
	if (!f.name)
		f.name = req_query(r, "q");
	f.plate = req_query(r, "plate");
	f.serial = req_query(r, "serial");
	f.cls = req_query(r, "class");
	if (f.phone) {
		/* The end of a phone: 3 to 20 digits (a full number is normalised first). */
		size_t n = strlen(f.phone);
		bool ok = n >= 3 && n <= 20;
		for (size_t i = 0; ok && i < n; i++)
			ok = f.phone[i] >= '0' && f.phone[i] <= '9';
		char norm[20];
		if (!ok && phone_normalize(f.phone, norm)) {
			snprintf(digits, 24, "%s", norm + 1);
			f.phone = digits;
		} else if (!ok) {
			verr_add(&v, "phone", "invalid", "phone is 3 to 20 digits: the end of a phone number");
		}
	}
	if (f.name && (!*f.name || utf8_chars(f.name) > 100)) {
		if (*f.name)
			verr_add(&v, "name", "too_long", "name is too long (at most 100 characters)");
		else
			f.name = NULL;
	}
	if (f.cls && strcmp(f.cls, "A") && strcmp(f.cls, "B") && strcmp(f.cls, "C"))
		verr_add(&v, "class", "invalid", "class is A, B or C");
	const char *churn = req_query(r, "churn");
	if (churn && (f.churn = care_churn_parse(churn)) < 0)
		verr_add(&v, "churn", "invalid", "churn is active, at_risk, nearly_lost or lost");
	if (f.plate && strlen(f.plate) > 20)
		verr_add(&v, "plate", "too_long", "plate is too long");
	if (f.serial && strlen(f.serial) > 64)
		verr_add(&v, "serial", "too_long", "serial is too long");
	if (verr_reply(&v, r))
		return false;
	/* letters only may be pinyin initials: rows written without them get them first */
	bool letters = f.name && *f.name;
	for (const char *p = f.name; letters && *p; p++)
		letters = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
	if (letters && store_cust_initials_fill(r->db, r->who.tenant_id) != ST_OK) {
		reply_status(r, ST_DB, "customers");
		return false;
	}
	*out = f;
	return true;
}

void h_cust_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	cust_filter f;
	char digits[24];
	if (!cust_filters(r, &f, digits))
		return;
	json_t *items;
	int64_t next;
	int rc = store_cust_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "customers");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

static const struct field merge_fields[] = {
	{"from_id", F_INT, true, 0, NULL, false},
	{0},
};

void h_cust_merge(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, merge_fields, &v);
	if (json_is_integer(json_object_get(r->json, "from_id")) && json_integer_value(json_object_get(r->json, "from_id")) < 1)
		verr_add(&v, "from_id", "invalid", "from_id must be a customer id");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o;
	int rc = store_cust_merge(r->db, &a, id, json_integer_value(json_object_get(r->json, "from_id")), ver, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "customer");
		return;
	}
	reply_record(r, 200, o, NULL);
}

void h_cust_timeline(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items;
	int rc = store_cust_timeline(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "customer");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *zh_churn(const char *c)
{
	static const char *const k[][2] = {{"active", "活跃"}, {"at_risk", "流失风险"}, {"nearly_lost", "濒临流失"}, {"lost", "已流失"}};
	for (size_t i = 0; c && i < ARRAY_LEN(k); i++)
		if (!strcmp(c, k[i][0]))
			return k[i][1];
	return c ? c : "";
}

/* GET /api/v1/customers/export?format=xlsx|csv&limit=&… (the list's filters): the customer
 * list with Chinese headers (issue 3 item 9), newest first, at most 100,000 rows. */
void h_cust_export(req *r)
{
	const char *fmt = req_query(r, "format"), *lim = req_query(r, "limit");
	int64_t limit = 10000;
	verr v;
	verr_init(&v);
	if (fmt && strcmp(fmt, "xlsx") && strcmp(fmt, "csv"))
		verr_add(&v, "format", "invalid", "format is xlsx or csv");
	if (lim && !parse_i64(lim, 1, 100000, &limit))
		verr_add(&v, "limit", "invalid", "limit is 1..100000");
	if (verr_reply(&v, r))
		return;
	cust_filter f;
	char digits[24];
	if (!cust_filters(r, &f, digits))
		return;
	json_t *items;
	int rc = store_cust_export(r->db, &r->who, &f, (int)limit, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "customers");
		return;
	}
	json_t *rows = json_array();
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s,s,s,s,s]", "客户编号", "姓名", "类型", "等级", "电话", "地址",
					      "来源", "流失状态", "最近到店", "下次联系", "备注", "建档时间"));
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) {
		buf ph, ad;
		buf_init(&ph, 0);
		buf_init(&ad, 0);
		size_t k;
		json_t *x;
		json_array_foreach(json_object_get(o, "phones"), k, x) buf_printf(&ph, "%s%s", k ? "；" : "", json_string_value(x));
		json_array_foreach(json_object_get(o, "addresses"), k, x) buf_printf(&ad, "%s%s", k ? "；" : "", jstr(x, "text"));
		const char *last = jstr(o, "last_visit_at"), *made = jstr(o, "created_at");
		json_array_append_new(rows, json_pack("[I,s,s,s,s,s,s,s,s,s,s,s]", (json_int_t)json_integer_value(json_object_get(o, "id")),
						      jstr(o, "name"), !strcmp(jstr(o, "kind"), "company") ? "单位" : "个人",
						      jstr(o, "class"), ph.data ? ph.data : "", ad.data ? ad.data : "",
						      jstr(o, "source") ? jstr(o, "source") : "", zh_churn(jstr(o, "churn")),
						      last ? last : "", jstr(o, "next_contact") ? jstr(o, "next_contact") : "",
						      jstr(o, "notes") ? jstr(o, "notes") : "", made ? made : ""));
		buf_free(&ph);
		buf_free(&ad);
	}
	json_decref(items);
	reply_table(r, "customers", "客户", rows, fmt ? fmt : "xlsx");
	json_decref(rows);
}
