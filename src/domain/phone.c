/*
 * phone.c — normalisation of Chinese phone numbers (see phone.h).
 */
#include "domain/phone.h"

#include <stdio.h>
#include <string.h>

bool phone_normalize(const char *in, char out[20])
{
	char d[24];
	size_t n = 0;
	bool plus = false;
	for (const char *p = in; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= sizeof d)
				return false;
			d[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus) {
			plus = true;
		} else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
			return false;
		}
	}
	d[n] = '\0';
	const char *s = d;
	if (plus) {
		if (strncmp(s, "86", 2))
			return false; /* only Chinese numbers for now */
		s += 2;
	} else if (!strncmp(s, "0086", 4)) {
		s += 4;
	} else if (n == 13 && !strncmp(s, "86", 2) && s[2] == '1') {
		s += 2;
	}
	size_t len = strlen(s);
	if (len > 12)
		return false;
	if (len == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9') {
		snprintf(out, 20, "+86%.12s", s);
		return true;
	}
	if ((len == 10) && (!strncmp(s, "400", 3) || !strncmp(s, "800", 3))) {
		snprintf(out, 20, "+86%.12s", s);
		return true;
	}
	/* Landline: 0 + area code (2–3 digits) + 7–8 digits; after +86 the 0 is dropped. */
	if (s[0] == '0' && len >= 10 && len <= 12 && s[1] != '0') {
		snprintf(out, 20, "+86%.12s", s + 1);
		return true;
	}
	if (plus && s[0] >= '1' && s[0] <= '9' && s[0] != '1' && len >= 9 && len <= 11) {
		snprintf(out, 20, "+86%.12s", s);
		return true;
	}
	return false;
}

void phone_mask(const char *e164, char out[20])
{
	const char *s = !strncmp(e164, "+86", 3) ? e164 + 3 : e164;
	size_t n = strlen(s);
	if (n < 8) {
		snprintf(out, 20, "%s", s);
		return;
	}
	snprintf(out, 20, "%.3s****%s", s, s + n - 4);
}
