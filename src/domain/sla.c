/*
 * sla.c — the working calendar and SLA deadlines (DOMAIN §5: "working hours, holidays and the
 * tenant's time zone decide what 'within 24 h' and '3 working days' mean"). See sla.h for the
 * rules; every boundary is unit-tested in tests/unit/test_sla.c.
 *
 * Time is walked a day at a time in local time (UTC + the fixed offset): on each working day
 * the part of [start, end) after the current instant is used up until the minutes run out.
 */
#include "domain/sla.h"

#include <string.h>

#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define SEARCH_DAYS 3660 /* ten years: a calendar without working time gives up here */

static const char *const kind_names[SLA_KINDS] = {"response", "answer", "onsite", "resolve"};

const char *sla_kind_name(int kind)
{
	return kind >= 0 && kind < SLA_KINDS ? kind_names[kind] : "?";
}

int sla_kind_parse(const char *s)
{
	for (int i = 0; s && i < SLA_KINDS; i++)
		if (!strcmp(s, kind_names[i]))
			return i;
	return -1;
}

void sla_calendar_default(sla_calendar *cal)
{
	memset(cal, 0, sizeof *cal);
	cal->weekdays = 0x1f; /* Monday … Friday */
	cal->start_min = 9 * 60;
	cal->end_min = 18 * 60;
	cal->tz_offset_min = 480;
}

bool sla_calendar_valid(const sla_calendar *cal)
{
	return (cal->weekdays & 0x7f) != 0 && cal->start_min >= 0 && cal->start_min < cal->end_min &&
	       cal->end_min <= 1440 && cal->tz_offset_min >= -14 * 60 && cal->tz_offset_min <= 14 * 60;
}

/*
 * The built-in policies (DOMAIN §5, documented in docs/api.md "SLA"). P1 is urgent and runs on
 * the 24x7 clock: first response 2 h, definite answer 24 h, on site 24 h, resolved 48 h. P2–P4
 * run on the working calendar, where the handbook's "24 h" is read as one working day of the
 * default 09:00–18:00 calendar (540 working minutes) and "48 h" as two:
 *   P2 (high):   response 4 working hours, answer 1 working day, on site 2, resolved 3 working days
 *   P3 (normal): response 1 working day,   answer 1 working day, on site 2, resolved 5 working days
 *   P4 (low):    response 1 working day,   answer 2 working days, on site 5, resolved 10 working days
 */
static const struct {
	const char *priority;
	sla_policy p;
} defaults[] = {
	{"P1", {{120, 1440, 1440, 2880}, false}},
	{"P2", {{240, 540, 1080, 1620}, true}},
	{"P3", {{540, 540, 1080, 2700}, true}},
	{"P4", {{540, 1080, 2700, 5400}, true}},
};

bool sla_default_policy(const char *priority, sla_policy *out)
{
	for (size_t i = 0; priority && i < sizeof defaults / sizeof defaults[0]; i++)
		if (!strcmp(priority, defaults[i].priority)) {
			*out = defaults[i].p;
			return true;
		}
	return false;
}

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
int32_t sla_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void sla_civil_ymd(int32_t day, int *y, int *m, int *d)
{
	int32_t z = day + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool sla_day_parse(const char *s, int32_t *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = {0, 0, 0};
	static const int pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < pos[k][1]; i++) {
			char c = s[pos[k][0] + i];
			if (c < '0' || c > '9')
				return false;
			v[k] = v[k] * 10 + (c - '0');
		}
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return false;
	int32_t day = sla_civil(v[0], v[1], v[2]);
	int y, m, d;
	sla_civil_ymd(day, &y, &m, &d);
	if (y != v[0] || m != v[1] || d != v[2])
		return false; /* 2026-02-30 */
	*out = day;
	return true;
}

void sla_day_format(int32_t day, char out[11])
{
	int y, m, d;
	sla_civil_ymd(day, &y, &m, &d);
	unsigned v[3] = {(unsigned)(y < 0 ? 0 : y % 10000), (unsigned)m, (unsigned)d};
	static const int width[3] = {4, 2, 2};
	char *p = out;
	for (int k = 0; k < 3; k++) {
		for (int i = width[k] - 1; i >= 0; i--, v[k] /= 10)
			p[i] = (char)('0' + v[k] % 10);
		p += width[k];
		*p++ = k < 2 ? '-' : '\0';
	}
}

int sla_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	int w = (int)((day % 7 + 7 + 3) % 7);
	return w;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int32_t sla_local_day(const sla_calendar *cal, int64_t ms)
{
	return (int32_t)floor_div(ms + (int64_t)cal->tz_offset_min * MIN_MS, DAY_MS);
}

static bool in_sorted(const int32_t *a, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] == day)
			return true;
		if (a[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool sla_is_working_day(const sla_calendar *cal, int32_t day)
{
	if (cal->holidays && in_sorted(cal->holidays, cal->n_holidays, day))
		return false;
	if (cal->workdays && in_sorted(cal->workdays, cal->n_workdays, day))
		return true;
	return (cal->weekdays >> sla_weekday(day)) & 1u;
}

bool sla_add_working(const sla_calendar *cal, int64_t start_ms, int64_t minutes, int64_t *out)
{
	if (minutes <= 0) {
		*out = start_ms;
		return true;
	}
	int64_t off = (int64_t)cal->tz_offset_min * MIN_MS;
	int64_t local = start_ms + off;
	int64_t day = floor_div(local, DAY_MS);
	int64_t t = local - day * DAY_MS; /* ms into the local day */
	int64_t left = minutes * MIN_MS;
	int64_t s = (int64_t)cal->start_min * MIN_MS, e = (int64_t)cal->end_min * MIN_MS;
	for (int i = 0; i < SEARCH_DAYS; i++, day++, t = 0) {
		if (!sla_is_working_day(cal, (int32_t)day))
			continue;
		if (t < s)
			t = s;
		if (t >= e)
			continue;
		if (left <= e - t) {
			*out = day * DAY_MS + t + left - off;
			return true;
		}
		left -= e - t;
	}
	return false;
}

int64_t sla_working_ms_between(const sla_calendar *cal, int64_t from_ms, int64_t to_ms)
{
	if (to_ms < from_ms)
		return -sla_working_ms_between(cal, to_ms, from_ms);
	int64_t off = (int64_t)cal->tz_offset_min * MIN_MS;
	int64_t a = from_ms + off, b = to_ms + off;
	int64_t d0 = floor_div(a, DAY_MS), d1 = floor_div(b, DAY_MS);
	if (d1 - d0 > 40 * 366)
		d1 = d0 + 40 * 366; /* beyond any deadline worth measuring */
	int64_t sum = 0;
	for (int64_t day = d0; day <= d1; day++) {
		if (!sla_is_working_day(cal, (int32_t)day))
			continue;
		int64_t lo = day * DAY_MS + (int64_t)cal->start_min * MIN_MS;
		int64_t hi = day * DAY_MS + (int64_t)cal->end_min * MIN_MS;
		if (lo < a)
			lo = a;
		if (hi > b)
			hi = b;
		if (hi > lo)
			sum += hi - lo;
	}
	return sum;
}

bool sla_deadlines(const sla_calendar *cal, const sla_policy *p, int64_t created_ms, int64_t due[SLA_KINDS])
{
	for (int k = 0; k < SLA_KINDS; k++) {
		int64_t m = p->minutes[k];
		if (m > SLA_MAX_MINUTES)
			m = SLA_MAX_MINUTES;
		if (!p->working)
			due[k] = created_ms + (m > 0 ? m : 0) * MIN_MS;
		else if (!sla_add_working(cal, created_ms, m, &due[k]))
			return false;
	}
	return true;
}

int64_t sla_time_left_min(const sla_calendar *cal, bool working, int64_t due_ms, int64_t now_ms)
{
	int64_t ms = working ? sla_working_ms_between(cal, now_ms, due_ms) : due_ms - now_ms;
	return ms / MIN_MS; /* C division rounds toward zero */
}
