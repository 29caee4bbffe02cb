/*
 * maint.c — next maintenance due (see maint.h). DOMAIN §6: "next service by mileage or by
 * time, whichever comes first; mileage is estimated from the readings at past visits".
 */
#include "domain/maint.h"
#include "domain/warranty.h"

#include <math.h>

void maint_next(const maint_input *in, maint_due *out)
{
	out->step = -1;
	out->due_day = 0;
	out->by_km = false;
	out->est_km = -1;
	out->km_per_day = 0;
	/* The average km/day from the origin (purchase at 0 km, or the last odometer change) to the
	 * last reading. */
	int32_t origin_day = in->purchase_day;
	int64_t origin_km = 0, offset = 0; /* offset: km shown before the last meter change */
	const maint_reading *last = NULL;
	for (int i = 0; i < in->nreadings; i++) {
		const maint_reading *r = &in->readings[i];
		if (r->odometer_change && last) {
			offset += last->km - r->km; /* the driving between the two readings is not known */
			origin_day = r->day;
			origin_km = r->km;
		}
		last = r;
	}
	if (last) {
		if (last->day > origin_day && last->km >= origin_km)
			out->km_per_day = (double)(last->km - origin_km) / (double)(last->day - origin_day);
		double est = (double)last->km + out->km_per_day * (double)(in->today - last->day);
		out->est_km = (int64_t)llround(est) + offset;
	}
	if (in->done < 0 || in->done >= in->nsteps)
		return;
	const maint_step *s = &in->steps[in->done];
	out->step = in->done;
	int32_t by_time = s->months > 0 ? wty_add_months(in->purchase_day, s->months) : INT32_MAX;
	int32_t by_km = INT32_MAX;
	if (s->km > 0 && last && out->km_per_day > 0) {
		/* total km (across meter changes) = shown + offset */
		double need = (double)(s->km - (last->km + offset)) / out->km_per_day;
		by_km = last->day + (int32_t)ceil(need);
	} else if (s->km > 0 && last && last->km + offset >= s->km) {
		by_km = last->day; /* reached, with no rate to say when */
	}
	out->by_km = by_km < by_time;
	out->due_day = out->by_km ? by_km : by_time;
	if (out->due_day == INT32_MAX)
		out->step = -1; /* nothing to go by */
}
