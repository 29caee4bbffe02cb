/*
 * phone.h — Chinese phone numbers normalised to E.164 (+86…). DESIGN: "Phone numbers
 * normalised (+86…)". Mobile 1[3-9]xxxxxxxxx, landline with area code (020-12345678),
 * service numbers 400/800; separators and a leading +86 / 0086 are accepted.
 */
#ifndef FUWU_PHONE_H
#define FUWU_PHONE_H
#include <stdbool.h>
#include <stddef.h>

/* out must hold 20 bytes. */
bool phone_normalize(const char *in, char out[20]);
/* "+8613800138000" → "138****8000"; out must hold 20 bytes. */
void phone_mask(const char *e164, char out[20]);
#endif
