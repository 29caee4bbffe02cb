/*
 * image.c — sniffing, header sizes, EXIF orientation and thumbnails of photos (see image.h).
 * Decoding is libgd's (libjpeg, libpng underneath); everything before it reads only headers.
 */
#include "util/image.h"

#include <gd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool has(const unsigned char *p, size_t n, size_t at, const char *s)
{
	size_t k = strlen(s);
	return n >= at + k && !memcmp(p + at, s, k);
}

/* ISO-BMFF (HEIF, AVIF, MP4): "ftyp" box with a major and compatible brands. */
static int sniff_ftyp(const unsigned char *p, size_t n, const char **format)
{
	static const char *const heic[] = {"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", NULL};
	size_t box = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (box < 16 || box > n)
		box = n < 64 ? n : 64;
	bool is_heic = false;
	for (size_t at = 8; at + 4 <= box; at += 4) {
		if (at == 12)
			continue; /* minor version */
		if (has(p, n, at, "avif") || has(p, n, at, "avis")) {
			*format = "avif";
			return IMG_OTHER;
		}
		for (int i = 0; heic[i]; i++)
			if (has(p, n, at, heic[i]))
				is_heic = true;
	}
	if (is_heic) {
		*format = "heic";
		return IMG_HEIC;
	}
	return IMG_NONE; /* a video or another ISO-BMFF file */
}

int img_sniff(const unsigned char *p, size_t n, const char **format)
{
	const char *dummy;
	if (!format)
		format = &dummy;
	*format = "";
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
		*format = "jpeg";
		return IMG_JPEG;
	}
	if (has(p, n, 0, "\x89PNG\r\n\x1a\n")) {
		*format = "png";
		return IMG_PNG;
	}
	if (n >= 12 && has(p, n, 4, "ftyp"))
		return sniff_ftyp(p, n, format);
	static const struct { size_t at; const char *magic, *name; } other[] = {
		{0, "GIF87a", "gif"}, {0, "GIF89a", "gif"}, {8, "WEBP", "webp"}, {0, "BM", "bmp"},
		{0, "II*", "tiff"}, {0, "MM", "tiff"},
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		if (!has(p, n, other[i].at, other[i].magic))
			continue;
		if (!strcmp(other[i].name, "webp") && !has(p, n, 0, "RIFF"))
			continue;
		if (!strcmp(other[i].name, "tiff") && !(n >= 4 && ((p[0] == 'I' && p[3] == 0) || (p[0] == 'M' && p[2] == 0 && p[3] == '*'))))
			continue;
		if (!strcmp(other[i].name, "bmp") && n < 26)
			continue;
		*format = other[i].name;
		return IMG_OTHER;
	}
	return IMG_NONE;
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Walk a JPEG's markers up to the scan: fn sees each (marker, segment, length). */
typedef bool (*seg_fn)(void *ctx, int marker, const unsigned char *seg, size_t len);
static void jpeg_segments(const unsigned char *p, size_t n, seg_fn fn, void *ctx)
{
	size_t i = 2;
	while (i + 4 <= n) {
		if (p[i] != 0xFF)
			return;
		while (i < n && p[i] == 0xFF)
			i++; /* fill bytes */
		if (i >= n)
			return;
		int m = p[i++];
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* no length */
		if (m == 0xD9 || m == 0xDA || i + 2 > n)
			return; /* end of image, start of scan */
		size_t len = be16(p + i);
		if (len < 2 || i + len > n)
			return;
		if (!fn(ctx, m, p + i + 2, len - 2))
			return;
		i += len;
	}
}

struct sof {
	int w, h;
	bool found;
};

static bool sof_seg(void *ctx, int m, const unsigned char *seg, size_t len)
{
	struct sof *s = ctx;
	if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
		if (len >= 5) {
			s->h = (int)be16(seg + 1);
			s->w = (int)be16(seg + 3);
			s->found = true;
		}
		return false;
	}
	return true;
}

bool img_header_size(const unsigned char *p, size_t n, int kind, int *w, int *h)
{
	if (kind == IMG_PNG) {
		if (n < 24 || !has(p, n, 12, "IHDR"))
			return false;
		uint32_t pw = be32(p + 16), ph = be32(p + 20);
		if (pw == 0 || ph == 0 || pw > 0x7fffffff || ph > 0x7fffffff)
			return false;
		*w = (int)pw;
		*h = (int)ph;
		return true;
	}
	if (kind == IMG_JPEG) {
		struct sof s = {0, 0, false};
		jpeg_segments(p, n, sof_seg, &s);
		if (!s.found || s.w <= 0 || s.h <= 0)
			return false;
		*w = s.w;
		*h = s.h;
		return true;
	}
	return false;
}

struct exif {
	int orientation;
};

/* APP1 "Exif\0\0" + TIFF header; IFD0 tag 0x0112 (Orientation, SHORT). */
static bool exif_seg(void *ctx, int m, const unsigned char *seg, size_t len)
{
	struct exif *e = ctx;
	if (m != 0xE1 || len < 14 || memcmp(seg, "Exif\0\0", 6))
		return true;
	const unsigned char *t = seg + 6;
	size_t tn = len - 6;
	bool le;
	if (t[0] == 'I' && t[1] == 'I')
		le = true;
	else if (t[0] == 'M' && t[1] == 'M')
		le = false;
	else
		return false;
#define U16(q) (le ? (unsigned)(q)[0] | (unsigned)(q)[1] << 8 : be16(q))
#define U32(q) (le ? (uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 | (uint32_t)(q)[3] << 24 : be32(q))
	if (U16(t + 2) != 42)
		return false;
	uint32_t ifd = U32(t + 4);
	if (ifd < 8 || (size_t)ifd + 2 > tn)
		return false;
	unsigned count = U16(t + ifd);
	for (unsigned i = 0; i < count; i++) {
		size_t at = (size_t)ifd + 2 + (size_t)i * 12;
		if (at + 12 > tn)
			break;
		if (U16(t + at) == 0x0112 && U16(t + at + 2) == 3) {
			unsigned v = U16(t + at + 8);
			if (v >= 1 && v <= 8)
				e->orientation = (int)v;
			break;
		}
	}
#undef U16
#undef U32
	return false;
}

int img_exif_orientation(const unsigned char *p, size_t n)
{
	struct exif e = {1};
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8)
		jpeg_segments(p, n, exif_seg, &e);
	return e.orientation;
}

/* --- decoding ------------------------------------------------------------------------ */

static void gd_quiet(int level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap; /* libgd's warnings would break the JSON-lines log; the caller reports failures */
}

static pthread_once_t gd_once = PTHREAD_ONCE_INIT;
static void gd_init(void)
{
	gdSetErrorMethod(gd_quiet);
}

/* At most two decodes at once. */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cv = PTHREAD_COND_INITIALIZER;
static int slots_busy;

static void slot_take(void)
{
	pthread_mutex_lock(&slot_mu);
	while (slots_busy >= 2)
		pthread_cond_wait(&slot_cv, &slot_mu);
	slots_busy++;
	pthread_mutex_unlock(&slot_mu);
}

static void slot_give(void)
{
	pthread_mutex_lock(&slot_mu);
	slots_busy--;
	pthread_cond_signal(&slot_cv);
	pthread_mutex_unlock(&slot_mu);
}

/* A copy of im turned by EXIF orientation o (2..8); NULL on failure. */
static gdImagePtr orient(gdImagePtr im, int o)
{
	int w = gdImageSX(im), h = gdImageSY(im);
	bool swap = o >= 5;
	gdImagePtr out = gdImageCreateTrueColor(swap ? h : w, swap ? w : h);
	if (!out)
		return NULL;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int nx, ny;
			switch (o) {
			case 2: nx = w - 1 - x; ny = y; break;
			case 3: nx = w - 1 - x; ny = h - 1 - y; break;
			case 4: nx = x; ny = h - 1 - y; break;
			case 5: nx = y; ny = x; break;
			case 6: nx = h - 1 - y; ny = x; break;
			case 7: nx = h - 1 - y; ny = w - 1 - x; break;
			default: nx = y; ny = w - 1 - x; break; /* 8 */
			}
			gdImageSetPixel(out, nx, ny, gdImageGetTrueColorPixel(im, x, y));
		}
	return out;
}

int img_process(const unsigned char *p, size_t n, int max_side, img_result *out)
{
	memset(out, 0, sizeof *out);
	const char *format;
	int kind = img_sniff(p, n, &format);
	out->kind = kind;
	if (kind == IMG_NONE)
		return IMG_NOT_IMAGE;
	if (kind == IMG_HEIC)
		return IMG_IS_HEIC;
	if (kind == IMG_OTHER)
		return IMG_UNSUPPORTED;
	int w, h;
	if (!img_header_size(p, n, kind, &w, &h))
		return IMG_UNDECODABLE;
	if (w > IMG_MAX_SIDE || h > IMG_MAX_SIDE || (long long)w * h > IMG_MAX_PIXELS) {
		out->width = w;
		out->height = h;
		return IMG_TOO_BIG;
	}
	if (n > (size_t)INT32_MAX)
		return IMG_TOO_BIG;
	pthread_once(&gd_once, gd_init);
	slot_take();
	gdImagePtr im = kind == IMG_JPEG ? gdImageCreateFromJpegPtrEx((int)n, (void *)p, 1)
					 : gdImageCreateFromPngPtr((int)n, (void *)p);
	int rc = IMG_OK;
	gdImagePtr th = NULL, turned = NULL;
	if (!im) {
		rc = IMG_UNDECODABLE;
		goto out;
	}
	w = gdImageSX(im);
	h = gdImageSY(im);
	int tw = w, tht = h;
	if (w >= h && w > max_side) {
		tw = max_side;
		tht = (int)(((long long)h * max_side + w / 2) / w);
	} else if (h > w && h > max_side) {
		tht = max_side;
		tw = (int)(((long long)w * max_side + h / 2) / h);
	}
	if (tw < 1)
		tw = 1;
	if (tht < 1)
		tht = 1;
	th = gdImageCreateTrueColor(tw, tht);
	if (!th) {
		rc = IMG_ERROR;
		goto out;
	}
	/* Transparent PNG pixels go onto white, as a viewer shows them. */
	gdImageFilledRectangle(th, 0, 0, tw - 1, tht - 1, gdTrueColor(255, 255, 255));
	gdImageAlphaBlending(th, 1);
	gdImageCopyResampled(th, im, 0, 0, 0, 0, tw, tht, w, h);
	int o = kind == IMG_JPEG ? img_exif_orientation(p, n) : 1;
	if (o > 1) {
		turned = orient(th, o);
		if (!turned) {
			rc = IMG_ERROR;
			goto out;
		}
		gdImageDestroy(th);
		th = turned;
		turned = NULL;
	}
	int size = 0;
	void *jpg = gdImageJpegPtr(th, &size, 80);
	if (!jpg || size <= 0) {
		if (jpg)
			gdFree(jpg);
		rc = IMG_ERROR;
		goto out;
	}
	out->thumb = malloc((size_t)size);
	if (!out->thumb) {
		gdFree(jpg);
		rc = IMG_ERROR;
		goto out;
	}
	memcpy(out->thumb, jpg, (size_t)size);
	gdFree(jpg);
	out->thumb_len = (size_t)size;
	out->thumb_w = gdImageSX(th);
	out->thumb_h = gdImageSY(th);
	out->mime = kind == IMG_JPEG ? "image/jpeg" : "image/png";
	out->width = o >= 5 ? h : w;
	out->height = o >= 5 ? w : h;
out:
	if (th)
		gdImageDestroy(th);
	if (im)
		gdImageDestroy(im);
	slot_give();
	return rc;
}
