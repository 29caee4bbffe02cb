/*
 * attachments_sig.c — signatures drawn on screen (the customer signing the estimate, an
 * additional item, the reception sheet; issue 4 items 5 and 6). The browser sends the canvas
 * as a data URL "data:image/png;base64,…"; it is checked here and kept as an attachments row
 * of kind 'signature' (base64 text in the database, so every node sees it).
 *
 * Checked: a PNG (by its magic bytes, not by what the URL claims), at most 2 MB decoded, at
 * most 4096 × 4096 pixels (read from the IHDR header before decoding, so a small file cannot
 * ask for gigabytes), and not empty: decoded with libgd, at least SIG_MIN_INK pixels must
 * differ from the background (the top-left pixel) — an untouched pad is refused.
 */
#include "store/store.h"

#include <gd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SIG_MAX_BYTES (2 * 1024 * 1024)
#define SIG_MAX_SIDE 4096
#define SIG_MIN_INK 20
#define SIG_PREFIX "data:image/png;base64,"

static int refuse(st_info *info, const char *detail)
{
	if (info) {
		snprintf(info->field, sizeof info->field, "signature");
		snprintf(info->detail, sizeof info->detail, "%s", detail);
	}
	return ST_INVALID;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A pixel "drawn": clearly opaque and clearly different from the background, or opaque on a
 * transparent background. gd's alpha runs 0 (opaque) .. 127 (transparent). */
static bool inked(gdImagePtr im, int c, int bg)
{
	int a = gdImageAlpha(im, c), ba = gdImageAlpha(im, bg);
	if (a > 96)
		return false;
	if (ba > 96)
		return true;
	int d = abs(gdImageRed(im, c) - gdImageRed(im, bg)) + abs(gdImageGreen(im, c) - gdImageGreen(im, bg)) +
		abs(gdImageBlue(im, c) - gdImageBlue(im, bg));
	return d > 96;
}

int sig_parse(const char *data_url, sig_image *out, st_info *info)
{
	memset(out, 0, sizeof *out);
	if (!data_url || !*data_url)
		return refuse(info, "the signature is missing");
	size_t plen = strlen(SIG_PREFIX);
	if (strncmp(data_url, SIG_PREFIX, plen))
		return refuse(info, "the signature must be a PNG image as a data URL (data:image/png;base64,…)");
	const char *b64 = data_url + plen;
	size_t n = strlen(b64);
	if (n == 0)
		return refuse(info, "the signature is empty");
	if (n > (size_t)SIG_MAX_BYTES / 3 * 4 + 8)
		return refuse(info, "the signature image is too large (at most 2 MB)");
	size_t cap = n / 4 * 3 + 3, len = 0;
	unsigned char *bin = xmalloc(cap);
	int rc = ST_OK;
	gdImagePtr im = NULL;
	if (sodium_base642bin(bin, cap, b64, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = refuse(info, "the signature is not valid base64");
		goto out;
	}
	if (len > SIG_MAX_BYTES) {
		rc = refuse(info, "the signature image is too large (at most 2 MB)");
		goto out;
	}
	static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len < 33 || memcmp(bin, magic, 8) || memcmp(bin + 12, "IHDR", 4)) {
		rc = refuse(info, "the signature is not a PNG image");
		goto out;
	}
	uint32_t w = be32(bin + 16), h = be32(bin + 20);
	if (w == 0 || h == 0 || w > SIG_MAX_SIDE || h > SIG_MAX_SIDE) {
		rc = refuse(info, "the signature image has an impossible size (at most 4096 × 4096 pixels)");
		goto out;
	}
	im = gdImageCreateFromPngPtr((int)len, bin);
	if (!im) {
		rc = refuse(info, "the signature is not a readable PNG image");
		goto out;
	}
	int sx = gdImageSX(im), sy = gdImageSY(im), bg = gdImageGetPixel(im, 0, 0), ink = 0;
	for (int y = 0; y < sy && ink < SIG_MIN_INK; y++)
		for (int x = 0; x < sx && ink < SIG_MIN_INK; x++)
			if (inked(im, gdImageGetPixel(im, x, y), bg))
				ink++;
	if (ink < SIG_MIN_INK) {
		rc = refuse(info, "the signature is empty: ask the customer to sign on the pad");
		goto out;
	}
	out->b64 = b64;
	out->b64_len = n;
	out->size = (int64_t)len;
	out->width = sx;
	out->height = sy;
	out->ink = ink;
out:
	if (im)
		gdImageDestroy(im);
	free(bin);
	return rc;
}

int sig_store_tx(db_tx *tx, const actor *a, int64_t order_id, const char *data_url, const char *name, int64_t *id,
		 st_info *info)
{
	sig_image s;
	int rc = sig_parse(data_url, &s, info);
	if (rc != ST_OK)
		return rc;
	const principal *who = a->who;
	dbv p[] = {VI(who->tenant_id), order_id ? VI(order_id) : VN, VT(name), VI(s.size), VI(s.width), VI(s.height),
		   VT(s.b64), who->user_id ? VI(who->user_id) : VN, VI(now_ms())};
	return db_query_int(tx,
			    "INSERT INTO attachments(tenant_id, order_id, kind, name, mime, size, width, height, data_b64, "
			    "created_by, created_at) VALUES (?, ?, 'signature', ?, 'image/png', ?, ?, ?, ?, ?, ?) RETURNING id",
			    p, 9, id) == ST_OK
		       ? ST_OK
		       : ST_DB;
}

char *sig_data_url_tx(db_tx *tx, int64_t tenant_id, int64_t attachment_id)
{
	if (!attachment_id)
		return NULL;
	dbv p[] = {VI(attachment_id), VI(tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT mime, data_b64 FROM attachments WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return NULL;
	char *s = db_rows(r) && db_text(r, 0, 1) ? xasprintf("data:%s;base64,%s", db_text(r, 0, 0), db_text(r, 0, 1)) : NULL;
	db_res_free(r);
	return s;
}
