/*
 * pricing.c — line and bill arithmetic in fen; the rounding rule is in pricing.h.
 */
#include "domain/pricing.h"

#include <stdio.h>

bool price_muldiv(int64_t a, int64_t b, int64_t d, int64_t *out)
{
	if (d <= 0)
		return false;
	__int128 p = (__int128)a * b;
	bool neg = p < 0;
	if (neg)
		p = -p;
	__int128 q = p / d, rem = p % d;
	if (rem * 2 >= d)
		q++;
	if (q > PRICE_MAX_FEN)
		return false;
	*out = neg ? -(int64_t)q : (int64_t)q;
	return true;
}

bool price_labour(int64_t hours_x100, int64_t rate_fen, int64_t coef_milli, int64_t *fen)
{
	if (hours_x100 < 0 || rate_fen < 0 || coef_milli < 0 || hours_x100 > 100000 || rate_fen > PRICE_MAX_FEN ||
	    coef_milli > 100000)
		return false;
	return price_muldiv(hours_x100 * coef_milli, rate_fen, 100000, fen);
}

bool price_qty(int64_t qty_milli, int64_t unit_fen, int64_t *fen)
{
	if (qty_milli < -PRICE_MAX_FEN || qty_milli > PRICE_MAX_FEN || unit_fen < -PRICE_MAX_FEN || unit_fen > PRICE_MAX_FEN)
		return false;
	return price_muldiv(qty_milli, unit_fen, 1000, fen);
}

bool price_percent(int64_t amount_fen, int64_t pct_bp, int64_t *fen)
{
	if (pct_bp < 0 || pct_bp > 10000 || amount_fen < -PRICE_MAX_FEN || amount_fen > PRICE_MAX_FEN)
		return false;
	return price_muldiv(amount_fen, pct_bp, 10000, fen);
}

void price_format(int64_t fen, char out[24])
{
	uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, 24, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(m / 100),
		 (unsigned long long)(m % 100));
}

bool price_parse_scaled(const char *s, int scale, int64_t max, int64_t *out)
{
	if (!s || !*s || scale < 0 || scale > 3)
		return false;
	int64_t v = 0;
	int frac = -1, digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (frac >= 0 || !digits)
				return false;
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
		if (frac >= 0 && ++frac > scale)
			return false;
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
		digits++;
	}
	if (frac == 0)
		return false; /* "1." */
	for (int k = frac < 0 ? 0 : frac; k < scale; k++) {
		if (v > INT64_MAX / 10)
			return false;
		v *= 10;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}
