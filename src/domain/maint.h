/*
 * maint.h — maintenance due (到期保养, DOMAIN §6, issue 3 item 7) as a pure function: the next
 * service of an asset by mileage or by time, whichever comes first, with today's mileage
 * estimated from the readings (average km per day since the purchase at 0 km, or since the
 * last odometer change). Unit-tested in tests/unit/test_maint.c.
 */
#ifndef FUWU_MAINT_H
#define FUWU_MAINT_H

#include <stdbool.h>
#include <stdint.h>

/* One service of a model's schedule: due at `km` (0 = not by mileage) or `months` after the
 * purchase (0 = not by time), whichever first. */
typedef struct maint_step {
	int64_t km;
	int months;
} maint_step;

typedef struct maint_reading {
	int32_t day;          /* civil days since 1970-01-01 */
	int64_t km;
	bool odometer_change; /* the meter restarted here */
} maint_reading;

typedef struct maint_input {
	int32_t purchase_day;
	int32_t today;
	const maint_step *steps; /* in order */
	int nsteps;
	int done;                /* services already done: the next is steps[done] */
	const maint_reading *readings; /* in order of day */
	int nreadings;
} maint_input;

typedef struct maint_due {
	int step;          /* index of the next service, -1 when the schedule is finished */
	int32_t due_day;   /* the day it falls due */
	bool by_km;        /* decided by mileage (else by time) */
	int64_t est_km;    /* estimated mileage today, -1 if unknown */
	double km_per_day; /* 0 if unknown */
} maint_due;

void maint_next(const maint_input *in, maint_due *out);

#endif
