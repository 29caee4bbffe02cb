/*
 * pricing.h — money on work-order lines (DOMAIN §3), in integer fen.
 *
 * The rounding rule, written once: every amount is computed exactly in 128-bit integers from
 * its integer inputs and rounded to the fen ONCE, half away from zero (¥0.005 → ¥0.01,
 * −¥0.005 → −¥0.01). Nothing is rounded in between: 1.5 h × ¥85.00 × 1.15 = ¥146.625 → ¥146.63.
 * Inputs are scaled integers: hours × 100, quantities × 1000, coefficients × 1000,
 * percentages × 100 (basis points). Unit-tested in tests/unit/test_pricing.c.
 */
#ifndef FUWU_PRICING_H
#define FUWU_PRICING_H

#include <stdbool.h>
#include <stdint.h>

/* Largest amount a line or bill may hold: ¥100,000,000.00. */
#define PRICE_MAX_FEN 10000000000LL

/* a × b ÷ d rounded half away from zero; false if the result exceeds PRICE_MAX_FEN in size
 * or d is not positive. */
bool price_muldiv(int64_t a, int64_t b, int64_t d, int64_t *out);

/* Labour fee = standard hours × hourly rate × complexity coefficient. */
bool price_labour(int64_t hours_x100, int64_t rate_fen, int64_t coef_milli, int64_t *fen);
/* Parts and fees: quantity × unit price. */
bool price_qty(int64_t qty_milli, int64_t unit_fen, int64_t *fen);
/* pct_bp basis points of an amount (1000 = 10%). */
bool price_percent(int64_t amount_fen, int64_t pct_bp, int64_t *fen);

/* "146.63" (no currency sign, minus sign if negative) into out[24]. */
void price_format(int64_t fen, char out[24]);
/* Parse a decimal with at most `scale` (0..3) digits after the point into a scaled integer:
 * ("1.5", 2) → 150, ("1.20", 3) → 1200. Refuses signs, exponents, blanks, too many digits. */
bool price_parse_scaled(const char *s, int scale, int64_t max, int64_t *out);

#endif
