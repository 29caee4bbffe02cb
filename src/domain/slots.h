/*
 * slots.h — appointment slots (DOMAIN §2 appointment 预约, §4 capacity per day), pure: no SQL,
 * no HTTP. The customer and the agent on the phone are offered slots on a 30-minute grid of
 * the tenant's local day; how many places a slot has comes either from technicians or from
 * workshop bays (工位):
 *
 *   technicians  capacity = technicians who work the whole slot (inside one shift, no leave)
 *                and have the skill; free = those of them with no booking in the way
 *                (dsp_check: travel to and from bookings counted where positions are known),
 *                minus the appointments not yet given to a technician that overlap the slot
 *                (each holds one technician), never below 0.
 *   bays         capacity = bays open for the whole slot; free = those of them with fewer
 *                bookings that day than their daily capacity and no booking overlapping the
 *                slot (one car on a bay at a time).
 *
 * Times are seconds since the epoch (UTC), intervals half-open [start, end), as dispatch.h.
 */
#ifndef FUWU_SLOTS_H
#define FUWU_SLOTS_H

#include "domain/dispatch.h"

#define SLOT_STEP_S         1800  /* the grid: every 30 minutes */
#define SLOT_MAX_DURATION_S 43200 /* 12 hours */

typedef struct slot_count {
	int64_t start; /* set by the caller (slots_grid) */
	int capacity;  /* places working then, bookings aside */
	int free;      /* places still free for the whole slot */
} slot_count;

/* Is `t` on the grid of the local day (tz_offset_min: local = UTC + offset)? */
bool slots_on_grid(int64_t t, int tz_offset_min);

/* The grid of the local day that starts at day_start: every SLOT_STEP_S from day_start, each
 * starting at or after not_before and ending by the day's end. Returns how many (≤ max). */
size_t slots_grid(int64_t day_start, int64_t not_before, int64_t duration_s, slot_count *out, size_t max);

/* Technicians: counts for each slot [start, start + duration_s). ignore[i] (or, with ignore
 * NULL, nothing) holds the reason bits not held against technician i (off duty when the day is
 * not today, a skill nobody recorded, …). holds: appointments without a technician. */
void slots_techs(const dsp_order *o, const dsp_tech *t, size_t n, const unsigned *ignore, const dsp_params *p,
                 const dsp_span *holds, size_t n_holds, int64_t duration_s, slot_count *slots, size_t n_slots);

/* One technician's answer for [start, end): 0 = free, else the reasons (after ignore). */
unsigned slots_tech_check(const dsp_order *o, const dsp_tech *t, unsigned ignore, const dsp_params *p, int64_t start,
                          int64_t end);

typedef struct slot_bay {
	int capacity;         /* orders per day */
	int used;             /* booked that day (the order being moved not counted) */
	const dsp_span *open; /* opening hours of the day */
	size_t n_open;
	const dsp_span *booked; /* its bookings of the day (idem) */
	size_t n_booked;
} slot_bay;

enum slot_bay_answer { SLOT_BAY_FREE, SLOT_BAY_CLOSED, SLOT_BAY_FULL, SLOT_BAY_TAKEN };
/* May the bay take [start, end)? Closed (not open for all of it) before full (daily capacity
 * reached) before taken (a booking overlaps). */
enum slot_bay_answer slots_bay_check(const slot_bay *b, int64_t start, int64_t end);

/* Bays: counts for each slot. */
void slots_bays(const slot_bay *b, size_t n, int64_t duration_s, slot_count *slots, size_t n_slots);

#endif
