/*
 * slots.c — appointment slots from technicians' free time or from bays (see slots.h).
 */
#include "domain/slots.h"

static bool overlaps(int64_t a, int64_t b, int64_t c, int64_t d)
{
	return a < d && c < b;
}

bool slots_on_grid(int64_t t, int tz_offset_min)
{
	int64_t local = t + (int64_t)tz_offset_min * 60;
	return ((local % SLOT_STEP_S) + SLOT_STEP_S) % SLOT_STEP_S == 0;
}

size_t slots_grid(int64_t day_start, int64_t not_before, int64_t duration_s, slot_count *out, size_t max)
{
	size_t n = 0;
	if (duration_s <= 0)
		return 0;
	for (int64_t s = day_start; s + duration_s <= day_start + 86400 && n < max; s += SLOT_STEP_S)
		if (s >= not_before)
			out[n++] = (slot_count){.start = s};
	return n;
}

unsigned slots_tech_check(const dsp_order *o, const dsp_tech *t, unsigned ignore, const dsp_params *p, int64_t start,
                          int64_t end)
{
	return dsp_check(o, t, start, end, p) & ~ignore;
}

void slots_techs(const dsp_order *o, const dsp_tech *t, size_t n, const unsigned *ignore, const dsp_params *p,
                 const dsp_span *holds, size_t n_holds, int64_t duration_s, slot_count *slots, size_t n_slots)
{
	for (size_t k = 0; k < n_slots; k++) {
		int64_t s = slots[k].start, e = s + duration_s;
		int cap = 0, free = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned why = slots_tech_check(o, &t[i], ignore ? ignore[i] : 0, p, s, e);
			if (!(why & ~(unsigned)DSP_DOUBLE_BOOKED))
				cap++;
			if (!why)
				free++;
		}
		for (size_t h = 0; h < n_holds; h++)
			if (overlaps(s, e, holds[h].start, holds[h].end))
				free--;
		slots[k].capacity = cap;
		slots[k].free = free > 0 ? free : 0;
	}
}

enum slot_bay_answer slots_bay_check(const slot_bay *b, int64_t start, int64_t end)
{
	bool open = false;
	for (size_t i = 0; i < b->n_open && !open; i++)
		open = b->open[i].start <= start && end <= b->open[i].end;
	if (!open)
		return SLOT_BAY_CLOSED;
	if (b->used >= b->capacity)
		return SLOT_BAY_FULL;
	for (size_t i = 0; i < b->n_booked; i++)
		if (overlaps(start, end, b->booked[i].start, b->booked[i].end))
			return SLOT_BAY_TAKEN;
	return SLOT_BAY_FREE;
}

void slots_bays(const slot_bay *b, size_t n, int64_t duration_s, slot_count *slots, size_t n_slots)
{
	for (size_t k = 0; k < n_slots; k++) {
		int cap = 0, free = 0;
		for (size_t i = 0; i < n; i++) {
			enum slot_bay_answer a = slots_bay_check(&b[i], slots[k].start, slots[k].start + duration_s);
			cap += a != SLOT_BAY_CLOSED;
			free += a == SLOT_BAY_FREE;
		}
		slots[k].capacity = cap;
		slots[k].free = free;
	}
}
