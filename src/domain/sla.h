/*
 * sla.h — SLA deadlines on a tenant's working calendar (DOMAIN §5), pure: no SQL, no HTTP.
 *
 * A calendar is the working week (a bit per weekday, Monday = bit 0), the working hours of a
 * working day as local minutes [start_min, end_min), the tenant's fixed offset from UTC in
 * minutes (Asia/Shanghai = +480, no daylight saving), and two lists of civil days that override
 * the week: holidays (closed, e.g. 国庆 2026-10-01..07) and extra working days (调休, e.g. the
 * Saturday 2026-10-10). Instants are UTC epoch milliseconds; a civil day is the number of days
 * since 1970-01-01 of the local calendar date.
 *
 * "Within N minutes" on the working calendar means N minutes of working time counted from the
 * start: time outside working hours, on weekends and on holidays does not count. A request made
 * outside working hours starts counting when the next working period opens, and a deadline that
 * uses up a working day exactly falls at that day's closing time (Friday 17:30 + 30 min →
 * Friday 18:00), not at the next opening. On the 24x7 clock the minutes are plain minutes.
 */
#ifndef FUWU_SLA_H
#define FUWU_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLA_MAX_MINUTES 525600 /* one year: the longest deadline a policy may set */

typedef struct sla_calendar {
	unsigned weekdays;        /* bit 0 = Monday … bit 6 = Sunday */
	int start_min, end_min;   /* working hours, local minutes of the day, 0 <= start < end <= 1440 */
	int tz_offset_min;        /* local = UTC + offset (fixed, no DST) */
	const int32_t *holidays;  /* civil days, sorted ascending (borrowed) */
	size_t n_holidays;
	const int32_t *workdays;  /* extra working days (调休), sorted ascending (borrowed) */
	size_t n_workdays;
} sla_calendar;

/* The built-in calendar: Monday to Friday 09:00–18:00, UTC+8, no holidays. */
void sla_calendar_default(sla_calendar *cal);
/* Sane week and hours (at least one weekday, 0 <= start < end <= 1440, offset within ±14 h). */
bool sla_calendar_valid(const sla_calendar *cal);

enum sla_kind { SLA_RESPONSE, SLA_ANSWER, SLA_ONSITE, SLA_RESOLVE, SLA_KINDS };
const char *sla_kind_name(int kind); /* "response" "answer" "onsite" "resolve" */
int sla_kind_parse(const char *s);   /* -1 if unknown */

typedef struct sla_policy {
	int64_t minutes[SLA_KINDS]; /* response, answer, on site, resolve */
	bool working;               /* true: the working calendar; false: 24x7 */
} sla_policy;

/* The built-in policy of a priority "P1".."P4" (DOMAIN §5; docs/api.md "SLA"); false if the
 * priority is unknown (out left untouched). */
bool sla_default_policy(const char *priority, sla_policy *out);

/* Civil days. */
int32_t sla_civil(int y, int m, int d);
void sla_civil_ymd(int32_t day, int *y, int *m, int *d);
bool sla_day_parse(const char *s, int32_t *out); /* "YYYY-MM-DD", a real date 1970..9999 */
void sla_day_format(int32_t day, char out[11]);
int sla_weekday(int32_t day);                    /* 0 = Monday … 6 = Sunday */
/* The local civil day of an instant. */
int32_t sla_local_day(const sla_calendar *cal, int64_t ms);

/* Is this civil day a working day? A holiday closes it, a 调休 day opens it, else the week. */
bool sla_is_working_day(const sla_calendar *cal, int32_t day);

/* The instant `minutes` working minutes after `start_ms`. minutes <= 0 → start_ms. False (and
 * *out untouched) if the calendar has no working time within ten years. */
bool sla_add_working(const sla_calendar *cal, int64_t start_ms, int64_t minutes, int64_t *out);

/* Working time between two instants in milliseconds; negative when to < from. */
int64_t sla_working_ms_between(const sla_calendar *cal, int64_t from_ms, int64_t to_ms);

/* The four deadlines of a policy from the creation time. False if the calendar has no working
 * time (the caller falls back to the 24x7 clock). */
bool sla_deadlines(const sla_calendar *cal, const sla_policy *p, int64_t created_ms, int64_t due[SLA_KINDS]);

/* Time left until `due` as seen at `now`, in minutes (rounded toward zero); negative when the
 * deadline has passed. On the working calendar these are working minutes both ways (a night or
 * a weekend in between does not count); on 24x7 plain minutes. */
int64_t sla_time_left_min(const sla_calendar *cal, bool working, int64_t due_ms, int64_t now_ms);

#endif
