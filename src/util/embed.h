/*
 * embed.h — files compiled into the binary by tools/embed.c (web/dist and migrations).
 */
#ifndef FUWU_EMBED_H
#define FUWU_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name; /* "web/index.html", "migrations/0001_init.sql" */
	const unsigned char *data;
	size_t size;
};
extern const struct embedded_file embedded_files[];
extern const size_t embedded_count;

const struct embedded_file *embed_find(const char *name);
#endif
