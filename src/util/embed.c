/*
 * embed.c — lookup in the table of embedded files (sorted by name at build time).
 */
#include "util/embed.h"
#include <string.h>

const struct embedded_file *embed_find(const char *name)
{
	size_t lo = 0, hi = embedded_count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(embedded_files[mid].name, name);
		if (c == 0)
			return &embedded_files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
