/* test_image.c — photos: sniffing by content, header sizes, decompression bombs refused
 * before decoding, thumbnails (longest side 320, never enlarged) and EXIF orientation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gd.h>
#include <stdlib.h>
#include <string.h>

#include "util/image.h"

/* A real image made with libgd: a red rectangle on blue. Caller frees with gdFree. */
static unsigned char *make(int w, int h, bool png, int *size)
{
	gdImagePtr im = gdImageCreateTrueColor(w, h);
	gdImageFilledRectangle(im, 0, 0, w - 1, h - 1, gdTrueColor(0, 0, 255));
	gdImageFilledRectangle(im, 0, 0, w / 2, h / 4, gdTrueColor(255, 0, 0));
	void *p = png ? gdImagePngPtr(im, size) : gdImageJpegPtr(im, size, 90);
	gdImageDestroy(im);
	return p;
}

static void sniff(void **state)
{
	(void)state;
	const char *f;
	assert_int_equal(img_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4, &f), IMG_JPEG);
	assert_string_equal(f, "jpeg");
	assert_int_equal(img_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n....", 12, &f), IMG_PNG);
	static const unsigned char heic[] = "\0\0\0\x18" "ftypheic" "\0\0\0\0" "mif1heic";
	assert_int_equal(img_sniff(heic, sizeof heic - 1, &f), IMG_HEIC);
	assert_string_equal(f, "heic");
	static const unsigned char mif1[] = "\0\0\0\x18" "ftypmif1" "\0\0\0\0" "mif1miaf";
	assert_int_equal(img_sniff(mif1, sizeof mif1 - 1, &f), IMG_HEIC);
	static const unsigned char avif[] = "\0\0\0\x1c" "ftypavif" "\0\0\0\0" "avifmif1miaf";
	assert_int_equal(img_sniff(avif, sizeof avif - 1, &f), IMG_OTHER);
	assert_string_equal(f, "avif");
	static const unsigned char mp4[] = "\0\0\0\x18" "ftypisom" "\0\0\0\0" "isomiso2";
	assert_int_equal(img_sniff(mp4, sizeof mp4 - 1, &f), IMG_NONE);
	assert_int_equal(img_sniff((const unsigned char *)"GIF89a\x01\0\x01\0", 10, &f), IMG_OTHER);
	assert_string_equal(f, "gif");
	assert_int_equal(img_sniff((const unsigned char *)"RIFF\x10\0\0\0WEBPVP8 ", 16, &f), IMG_OTHER);
	assert_string_equal(f, "webp");
	assert_int_equal(img_sniff((const unsigned char *)"hello, this is text", 19, &f), IMG_NONE);
	assert_int_equal(img_sniff((const unsigned char *)"", 0, &f), IMG_NONE);
	/* the name says nothing: a PNG is a PNG whatever it is called, and text is text */
	assert_int_equal(img_sniff((const unsigned char *)"\xff\xd8", 2, &f), IMG_NONE);
}

static void header_sizes(void **state)
{
	(void)state;
	int size, w, h;
	unsigned char *j = make(640, 480, false, &size);
	assert_true(img_header_size(j, (size_t)size, IMG_JPEG, &w, &h));
	assert_int_equal(w, 640);
	assert_int_equal(h, 480);
	assert_int_equal(img_exif_orientation(j, (size_t)size), 1);
	gdFree(j);
	unsigned char *p = make(33, 77, true, &size);
	assert_true(img_header_size(p, (size_t)size, IMG_PNG, &w, &h));
	assert_int_equal(w, 33);
	assert_int_equal(h, 77);
	gdFree(p);
	assert_false(img_header_size((const unsigned char *)"\xff\xd8\xff", 3, IMG_JPEG, &w, &h));
}

static void thumbnails(void **state)
{
	(void)state;
	int size;
	img_result r;
	unsigned char *j = make(640, 480, false, &size);
	assert_int_equal(img_process(j, (size_t)size, 320, &r), IMG_OK);
	assert_string_equal(r.mime, "image/jpeg");
	assert_int_equal(r.width, 640);
	assert_int_equal(r.height, 480);
	assert_int_equal(r.thumb_w, 320);
	assert_int_equal(r.thumb_h, 240);
	assert_true(r.thumb_len > 100);
	assert_int_equal(img_sniff(r.thumb, r.thumb_len, NULL), IMG_JPEG);
	gdImagePtr t = gdImageCreateFromJpegPtr((int)r.thumb_len, r.thumb);
	assert_non_null(t);
	assert_int_equal(gdImageSX(t), 320);
	gdImageDestroy(t);
	free(r.thumb);
	gdFree(j);

	unsigned char *p = make(100, 400, true, &size);
	assert_int_equal(img_process(p, (size_t)size, 320, &r), IMG_OK);
	assert_string_equal(r.mime, "image/png");
	assert_int_equal(r.thumb_w, 80);
	assert_int_equal(r.thumb_h, 320);
	free(r.thumb);
	gdFree(p);

	/* small photos are not enlarged */
	p = make(10, 6, true, &size);
	assert_int_equal(img_process(p, (size_t)size, 320, &r), IMG_OK);
	assert_int_equal(r.thumb_w, 10);
	assert_int_equal(r.thumb_h, 6);
	free(r.thumb);
	gdFree(p);
}

static void refusals(void **state)
{
	(void)state;
	img_result r;
	int size;
	/* a PNG header claiming 60000 × 60000 pixels: refused before anything is decoded */
	unsigned char *p = make(8, 8, true, &size);
	unsigned char bomb[64];
	memcpy(bomb, p, 33);
	bomb[16] = 0; bomb[17] = 0; bomb[18] = 0xEA; bomb[19] = 0x60;
	bomb[20] = 0; bomb[21] = 0; bomb[22] = 0xEA; bomb[23] = 0x60;
	assert_int_equal(img_process(bomb, 33, 320, &r), IMG_TOO_BIG);
	assert_int_equal(r.width, 60000);
	/* 8000 × 7000 = 56 MP: above the limit though each side is fine */
	bomb[18] = 0x1F; bomb[19] = 0x40; bomb[22] = 0x1B; bomb[23] = 0x58;
	assert_int_equal(img_process(bomb, 33, 320, &r), IMG_TOO_BIG);
	/* a truncated PNG does not decode */
	assert_int_equal(img_process(p, 40, 320, &r), IMG_UNDECODABLE);
	gdFree(p);
	/* JPEG magic followed by garbage */
	static const unsigned char junk[] = "\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03garbage garbage garbage";
	assert_int_equal(img_process(junk, sizeof junk - 1, 320, &r), IMG_UNDECODABLE);
	static const unsigned char heic[] = "\0\0\0\x18" "ftypheic" "\0\0\0\0" "mif1heic";
	assert_int_equal(img_process(heic, sizeof heic - 1, 320, &r), IMG_IS_HEIC);
	assert_int_equal(img_process((const unsigned char *)"GIF89a\x01\0\x01\0", 10, 320, &r), IMG_UNSUPPORTED);
	assert_int_equal(img_process((const unsigned char *)"plain text, not a photo", 23, 320, &r), IMG_NOT_IMAGE);
}

/* An APP1 Exif segment with IFD0 Orientation = o, inserted after the JPEG's SOI. */
static unsigned char *with_orientation(const unsigned char *j, int size, int o, bool le, size_t *n)
{
	unsigned char app1[36] = {0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0};
	unsigned char *t = app1 + 10;
	if (le) {
		memcpy(t, "II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0", 18);
		t[18] = (unsigned char)o;
		t[19] = 0;
	} else {
		memcpy(t, "MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01", 18);
		t[18] = 0;
		t[19] = (unsigned char)o;
	}
	unsigned char *out = malloc((size_t)size + sizeof app1);
	memcpy(out, j, 2);
	memcpy(out + 2, app1, sizeof app1);
	memcpy(out + 2 + sizeof app1, j + 2, (size_t)size - 2);
	*n = (size_t)size + sizeof app1;
	return out;
}

static void orientation(void **state)
{
	(void)state;
	int size;
	unsigned char *j = make(200, 100, false, &size);
	for (int le = 0; le <= 1; le++) {
		size_t n;
		unsigned char *o6 = with_orientation(j, size, 6, le, &n);
		assert_int_equal(img_exif_orientation(o6, n), 6);
		img_result r;
		assert_int_equal(img_process(o6, n, 320, &r), IMG_OK);
		/* shown upright: a portrait photo taken with the phone held upright */
		assert_int_equal(r.width, 100);
		assert_int_equal(r.height, 200);
		assert_int_equal(r.thumb_w, 100);
		assert_int_equal(r.thumb_h, 200);
		/* turned clockwise: the red top-left corner of the sensor image is now top right */
		gdImagePtr t = gdImageCreateFromJpegPtr((int)r.thumb_len, r.thumb);
		int right = gdImageGetTrueColorPixel(t, 95, 10), left = gdImageGetTrueColorPixel(t, 5, 10);
		assert_true(gdTrueColorGetRed(right) > 200 && gdTrueColorGetBlue(right) < 60);
		assert_true(gdTrueColorGetBlue(left) > 200 && gdTrueColorGetRed(left) < 60);
		gdImageDestroy(t);
		free(r.thumb);
		free(o6);
		unsigned char *o3 = with_orientation(j, size, 3, le, &n);
		assert_int_equal(img_exif_orientation(o3, n), 3);
		assert_int_equal(img_process(o3, n, 320, &r), IMG_OK);
		assert_int_equal(r.thumb_w, 200);
		free(r.thumb);
		free(o3);
	}
	gdFree(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff), cmocka_unit_test(header_sizes), cmocka_unit_test(thumbnails),
		cmocka_unit_test(refusals), cmocka_unit_test(orientation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
