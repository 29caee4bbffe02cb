/*
 * image.h — photos as the work order stores them (issue 4 item 7): what kind of file the
 * bytes are (by their content, never by the file name), the size an image claims in its
 * header (read before decoding, so a tiny file claiming 60000×60000 pixels is refused
 * without allocating gigabytes), a real decode with libgd to prove it is a JPEG or PNG, and
 * a JPEG thumbnail (longest side `max_side`) turned upright by the photo's EXIF orientation.
 * At most two decodes run at once (a 50-megapixel photo takes 200 MB while it is decoded).
 * Unit-tested in tests/unit/test_image.c.
 */
#ifndef FUWU_IMAGE_H
#define FUWU_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#define IMG_MAX_PIXELS (50LL * 1000 * 1000) /* 50 megapixels: a phone's largest mode */
#define IMG_MAX_SIDE 20000

enum img_kind {
	IMG_NONE,  /* not an image we know of */
	IMG_JPEG,
	IMG_PNG,
	IMG_HEIC,  /* HEIC/HEIF (an iPhone's default): no decoder in Debian's libgd */
	IMG_OTHER, /* GIF, WebP, AVIF, BMP, TIFF: an image, but not one we store */
};

enum img_status {
	IMG_OK = 0,
	IMG_NOT_IMAGE,     /* not an image at all */
	IMG_IS_HEIC,       /* a HEIC/HEIF photo */
	IMG_UNSUPPORTED,   /* another image format */
	IMG_TOO_BIG,       /* more pixels than IMG_MAX_PIXELS or a side above IMG_MAX_SIDE */
	IMG_UNDECODABLE,   /* claims to be JPEG/PNG but does not decode */
	IMG_ERROR,         /* out of memory while making the thumbnail */
};

/* The kind of the bytes; *format names it ("jpeg", "png", "heic", "webp", "gif", "avif",
 * "bmp", "tiff", or "" when unknown). */
int img_sniff(const unsigned char *p, size_t n, const char **format);

/* Width and height from a JPEG's SOF or a PNG's IHDR; false if the header is not readable. */
bool img_header_size(const unsigned char *p, size_t n, int kind, int *w, int *h);

/* EXIF orientation of a JPEG (1..8); 1 when it has none. */
int img_exif_orientation(const unsigned char *p, size_t n);

typedef struct img_result {
	int kind;                /* IMG_JPEG or IMG_PNG */
	const char *mime;        /* "image/jpeg" or "image/png" */
	int width, height;       /* as the photo is shown (after its EXIF orientation) */
	unsigned char *thumb;    /* JPEG; caller frees */
	size_t thumb_len;
	int thumb_w, thumb_h;
} img_result;

/* Check the bytes are a JPEG or PNG by decoding them and make the thumbnail. IMG_OK fills
 * *out; anything else says why (and *out->kind names what was seen for IMG_IS_HEIC etc.). */
int img_process(const unsigned char *p, size_t n, int max_side, img_result *out);

#endif
