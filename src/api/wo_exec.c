/*
 * wo_exec.c — execution on the order (issue 4 items 7 and 8): photos (multipart/form-data
 * or a raw image/jpeg|png body, checked by decoding, thumbnails), the attachments' bytes, the
 * work log, the execution checklist and the QC template.
 *
 * Photo refusals, each with its own answer: not multipart and not an image type → 415; a
 * malformed or truncated form, no file part, an empty file → 400; bigger than 10 MiB → 413
 * (the server refuses bodies above the route's limit before reading them, http/server.c);
 * a HEIC photo → 415 asking for JPEG/PNG (Debian's libgd has no HEIF decoder); any other
 * image format or anything that is not an image → 415 unsupported_media_type; more than
 * 50 megapixels → 413 (refused from the header, before decoding).
 */
#include "api/api.h"
#include "domain/checklist.h"
#include "domain/perm.h"
#include "http/multipart.h"
#include "util/image.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define THUMB_SIDE 320
#define CAPTION_MAX 200

/* base64 of n bytes; caller frees. */
static char *b64_encode(const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = xmalloc(len);
	sodium_bin2base64(s, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

/* A caption: UTF-8, at most CAPTION_MAX characters, no control characters but newlines. */
static bool caption_ok(const char *s, size_t n)
{
	if (!utf8_valid(s, n) || memchr(s, '\0', n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			return false;
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			chars++;
	return chars <= CAPTION_MAX;
}

/* The media type of a Content-Type value without its parameters, lower case. */
static void media_type(const char *ct, char *out, size_t len)
{
	size_t i = 0;
	for (; ct && ct[i] && ct[i] != ';' && ct[i] != ' ' && i + 1 < len; i++)
		out[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] + 32 : ct[i]);
	out[i] = '\0';
}

struct upload {
	const unsigned char *data;
	size_t len;
	char name[MP_FILENAME_MAX + 1];
	char *caption; /* owned */
};

/* The file and caption of the request: a form (file, caption) or a raw image body (?caption=,
 * ?name=). false when answered. */
static bool upload_read(req *r, struct upload *u)
{
	const char *ct = req_header(r, "Content-Type");
	char boundary[80], mt[64];
	verr v;
	verr_init(&v);
	int bst = mp_boundary(ct, boundary, sizeof boundary);
	if (bst == MP_OK) {
		mp_part parts[8];
		int count = 0;
		int st = mp_parse(r->body.data ? r->body.data : "", r->body.len, boundary, parts, 8, &count);
		if (st != MP_OK) {
			verr_add(&v, "body", st == MP_TRUNCATED ? "truncated" : "invalid", mp_strerror(st));
			verr_reply(&v, r);
			return false;
		}
		for (int i = 0; i < count; i++)
			if (strcmp(parts[i].name, "file") && strcmp(parts[i].name, "caption"))
				verr_add(&v, utf8_valid(parts[i].name, strlen(parts[i].name)) ? parts[i].name : "body", "unknown",
					 "unknown form field (expected file and caption)");
		const mp_part *file = mp_find(parts, count, "file"), *cap = mp_find(parts, count, "caption");
		if (!file)
			verr_add(&v, "file", "required", "the form needs a part named file with the photo");
		else if (file->len == 0)
			verr_add(&v, "file", "required", "the file is empty: choose a photo");
		if (cap && !caption_ok(cap->data, cap->len))
			verr_add(&v, "caption", "too_long", "caption is at most 200 characters of text");
		if (verr_reply(&v, r))
			return false;
		u->data = (const unsigned char *)file->data;
		u->len = file->len;
		snprintf(u->name, sizeof u->name, "%s", file->filename);
		if (cap && cap->len)
			u->caption = xstrndup(cap->data, cap->len);
		return true;
	}
	if (bst == MP_BAD_BOUNDARY) {
		verr_add(&v, "Content-Type", "invalid", mp_strerror(bst));
		verr_reply(&v, r);
		return false;
	}
	media_type(ct, mt, sizeof mt);
	/* A raw body: image/jpeg or image/png (any other image type is looked at too, to say why
	 * it is refused; the bytes decide, not the header). */
	if (strncmp(mt, "image/", 6) && strcmp(mt, "application/octet-stream")) {
		json_decref(v.errors);
		reply_problem(r, 415, "unsupported_media_type",
			      "send the photo as multipart/form-data (field file, optional caption) or as an image/jpeg or "
			      "image/png body");
		return false;
	}
	const char *cap = req_query(r, "caption"), *name = req_query(r, "name");
	if (r->body.len == 0)
		verr_add(&v, "file", "required", "the body is empty: send the photo's bytes");
	if (cap && !caption_ok(cap, strlen(cap)))
		verr_add(&v, "caption", "too_long", "caption is at most 200 characters of text");
	if (name && (!utf8_valid(name, strlen(name)) || strlen(name) > MP_FILENAME_MAX))
		verr_add(&v, "name", "too_long", "name is a file name of at most 256 bytes");
	if (verr_reply(&v, r))
		return false;
	u->data = (const unsigned char *)r->body.data;
	u->len = r->body.len;
	snprintf(u->name, sizeof u->name, "%s", name ? name : "");
	if (cap && *cap)
		u->caption = xstrdup(cap);
	return true;
}

/* The image checks in answers; false when answered. */
static bool image_check(req *r, const struct upload *u, img_result *img)
{
	char d[400];
	if (u->len > MAX_UPLOAD) {
		reply_problem(r, 413, "payload_too_large", "the photo is larger than 10 MiB");
		return false;
	}
	const char *format = "";
	img_sniff(u->data, u->len, &format);
	int st = img_process(u->data, u->len, THUMB_SIDE, img);
	switch (st) {
	case IMG_OK:
		return true;
	case IMG_IS_HEIC:
		reply_problem_x(r, 415, "unsupported_media_type",
				"HEIC/HEIF photos (the iPhone's default format) cannot be stored: send the photo as JPEG or "
				"PNG. On an iPhone: Settings → Camera → Formats → Most Compatible, or share it as JPEG.",
				json_pack("{s:s, s:[s, s]}", "format", "heic", "accepted", "image/jpeg", "image/png"));
		return false;
	case IMG_UNSUPPORTED:
		snprintf(d, sizeof d, "%s images are not accepted: send the photo as JPEG or PNG", format);
		reply_problem_x(r, 415, "unsupported_media_type", d,
				json_pack("{s:s, s:[s, s]}", "format", format, "accepted", "image/jpeg", "image/png"));
		return false;
	case IMG_NOT_IMAGE:
		reply_problem_x(r, 415, "unsupported_media_type", "the file is not an image: send a JPEG or PNG photo",
				json_pack("{s:[s, s]}", "accepted", "image/jpeg", "image/png"));
		return false;
	case IMG_UNDECODABLE:
		snprintf(d, sizeof d, "the file looks like %s but cannot be read (damaged or cut off): send the photo again",
			 !strcmp(format, "jpeg") ? "a JPEG" : "a PNG");
		reply_problem_x(r, 415, "unsupported_media_type", d, json_pack("{s:s}", "format", format));
		return false;
	case IMG_TOO_BIG:
		snprintf(d, sizeof d, "the photo is %d × %d pixels; at most 50 megapixels (%d pixels a side) are accepted",
			 img->width, img->height, IMG_MAX_SIDE);
		reply_problem(r, 413, "payload_too_large", d);
		return false;
	default:
		reply_problem(r, 503, "unavailable", "the server could not process the photo now; try again");
		return false;
	}
}

void h_photo_upload(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	struct upload u = {0};
	if (!upload_read(r, &u))
		return;
	actor a;
	char hash[65];
	img_result img = {0};
	if (!actor_begin(r, &a, hash) || !image_check(r, &u, &img))
		goto out;
	char *data = b64_encode(u.data, u.len), *thumb = b64_encode(img.thumb, img.thumb_len);
	json_t *in = json_pack("{s:s?, s:s?, s:s, s:I, s:i, s:i, s:s, s:s}", "name", u.name[0] ? u.name : NULL, "caption",
			       u.caption, "mime", img.mime, "size", (json_int_t)u.len, "width", img.width, "height",
			       img.height, "_data_b64", data, "_thumb_b64", thumb);
	free(data);
	free(thumb);
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_photo_add(r->db, &a, id, in, &o, &info);
	json_decref(in);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_store(r, rc, &info, "work order");
		goto out;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/attachments/%lld", (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
out:
	free(img.thumb);
	free(u.caption);
}

void h_photo_list(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items = NULL;
	int rc = store_photo_list(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_photo_delete(req *r)
{
	int64_t id, pid;
	if (!req_id_param(r, 0, &id) || !req_id_param(r, 1, &pid))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = store_photo_delete(r->db, &a, id, pid, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "photo");
		return;
	}
	reply_empty(r, 204);
}

static void attachment_reply(req *r, bool thumb)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	char etag[48];
	snprintf(etag, sizeof etag, "\"a%lld%s\"", (long long)id, thumb ? "t" : "");
	char *mime = NULL, *b64 = NULL;
	int rc = store_attachment_data(r->db, &r->who, id, thumb, &mime, &b64);
	if (rc != ST_OK) {
		reply_status(r, rc, "attachment");
		return;
	}
	const char *inm = req_header(r, "If-None-Match");
	if (inm && !strcmp(inm, etag)) {
		reply_empty(r, 304); /* an attachment never changes: same id, same bytes */
	} else {
		size_t blen = strlen(b64), n = 0;
		unsigned char *bin = xmalloc(blen / 4 * 3 + 3);
		if (sodium_base642bin(bin, blen / 4 * 3 + 3, b64, blen, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL))
			reply_problem(r, 500, "internal", "the stored attachment is damaged");
		else
			reply_text(r, 200, mime, (const char *)bin, n, true);
		free(bin);
	}
	reply_header(r, "Cache-Control", "private, max-age=86400");
	reply_header(r, "ETag", etag);
	if (r->status == 200)
		reply_header(r, "Content-Disposition", "inline");
	free(mime);
	free(b64);
}

void h_attachment_get(req *r)
{
	attachment_reply(r, false);
}

void h_attachment_thumb(req *r)
{
	attachment_reply(r, true);
}

/* --- the work log ------------------------------------------------------------------------- */

static const struct field note_fields[] = {
	{"note", F_STR, false, 500, NULL, true},
	{0},
};

/* The optional {note} body; false when answered. */
static bool note_body(req *r, const char **note)
{
	*note = NULL;
	if (!r->json)
		return true;
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	body_check(r, note_fields, &v);
	if (verr_reply(&v, r))
		return false;
	const char *s = jstr(r->json, "note");
	*note = s && *s ? s : NULL;
	return true;
}

static void worklog_event(req *r, bool start)
{
	int64_t id;
	const char *note;
	if (!req_id_param(r, 0, &id) || !note_body(r, &note))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = start ? store_worklog_start(r->db, &a, id, note, &o, &info) : store_worklog_stop(r->db, &a, id, note, &o, &info);
	if (rc == ST_FORBIDDEN) {
		reply_problem(r, 403, "forbidden", info.detail[0] ? info.detail : "not allowed");
		return;
	}
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_json(r, 200, o);
}

void h_worklog_start(req *r)
{
	worklog_event(r, true);
}

void h_worklog_stop(req *r)
{
	worklog_event(r, false);
}

void h_worklog_list(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *o = NULL;
	int rc = store_worklog_list(r->db, &r->who, id, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, o);
}

/* --- checklists ---------------------------------------------------------------------------- */

static void reply_checklist(req *r, json_t *o)
{
	char etag[32];
	snprintf(etag, sizeof etag, "\"%lld\"", (long long)json_integer_value(json_object_get(o, "order_version")));
	reply_json(r, 200, o);
	reply_header(r, "ETag", etag); /* the order's version: If-Match of the next save */
}

void h_checklist_get(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *o = NULL;
	int rc = store_checklist_get(r->db, &r->who, id, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_checklist(r, o);
}

static const struct field save_fields[] = {
	{"items", F_ARR, true, 0, NULL, false},
	{0},
};

static const struct field item_fields[] = {
	{"key", F_STR, true, 64, NULL, false},
	{"label", F_STR, false, 200, NULL, true},
	{"checked", F_BOOL, true, 0, NULL, false},
	{"note", F_STR, false, 500, NULL, true},
	{0},
};

/* Items of a checklist body: objects of item_fields, 1 to 100, keys valid and unique. */
static void items_check(req *r, json_t *items, verr *v)
{
	if (!json_is_array(items))
		return;
	if (json_array_size(items) == 0 || json_array_size(items) > 100) {
		verr_add(v, "items", "invalid", "a checklist has 1 to 100 items");
		return;
	}
	json_t *saved = r->json;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		char f[40];
		snprintf(f, sizeof f, "items[%zu]", i);
		if (!json_is_object(it)) {
			verr_add(v, f, "type", "an item is {key, label, checked, note}");
			continue;
		}
		verr sub;
		verr_init(&sub);
		r->json = it;
		body_check(r, item_fields, &sub);
		r->json = saved;
		size_t k;
		json_t *e;
		json_array_foreach(sub.errors, k, e) {
			char ff[80];
			snprintf(ff, sizeof ff, "%s.%s", f, json_string_value(json_object_get(e, "field")));
			verr_add(v, ff, json_string_value(json_object_get(e, "code")), json_string_value(json_object_get(e, "message")));
		}
		bool bad = json_array_size(sub.errors) > 0;
		json_decref(sub.errors);
		if (bad)
			continue;
		const char *key = jstr(it, "key");
		char ff[80];
		snprintf(ff, sizeof ff, "%s.key", f);
		if (!ck_key_valid(key)) {
			verr_add(v, ff, "invalid", "key is 1 to 64 of a-z, 0-9, _ . -");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(items, j), "key"), json_object_get(it, "key"))) {
				verr_add(v, ff, "duplicate", "each key once");
				break;
			}
	}
}

void h_checklist_put(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, save_fields, &v);
	items_check(r, json_object_get(r->json, "items"), &v);
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
	json_t *o = NULL;
	int rc = store_checklist_save(r->db, &a, id, ver, json_object_get(r->json, "items"), &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_checklist(r, o);
}

void h_qc_template(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *o = NULL;
	int rc = store_qc_template(r->db, &r->who, id, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_checklist(r, o);
}
