/*
 * dispatch.c — the hard rules, the travel estimate and the score of dispatch (DOMAIN §4: nearest,
 * balanced, skills and certificates, service area, customer status, brand authorisation; "a
 * technician is not booked twice for the same time"). See dispatch.h for the rules and the
 * formula; the spatial index is dispatch_grid.c, the backlog dispatch_auto.c, routes
 * dispatch_route.c.
 */
#include "domain/dispatch_int.h"

#include <math.h>
#include <string.h>

#define DAY_S 86400

static const char *const reason_codes[DSP_REASONS] = {
	"off_duty",	"no_skill",	 "level_too_low", "no_cert",   "cert_expired", "not_authorised",
	"out_of_area", "outside_shift", "on_leave",	  "double_booked", "no_free_slot",
};

const char *dsp_reason_code(unsigned bit)
{
	for (int i = 0; i < DSP_REASONS; i++)
		if (bit == 1u << i)
			return reason_codes[i];
	return "unknown";
}

void dsp_params_default(dsp_params *p)
{
	memset(p, 0, sizeof *p);
	p->w_near = 40;
	p->w_balance = 25;
	p->w_status = 15;
	p->w_outcome = 10;
	p->w_soon = 40;
	p->detour = 1.3;
	p->kmh = 30;
	p->unknown_travel_s = 1800;
	p->max_candidates = 50;
	p->tz_offset_min = 480;
}

bool dsp_has_pos(double lat, double lon)
{
	return !isnan(lat) && !isnan(lon);
}

double dsp_km(double lat1, double lon1, double lat2, double lon2)
{
	if (!dsp_has_pos(lat1, lon1) || !dsp_has_pos(lat2, lon2))
		return NAN;
	const double rad = M_PI / 180;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
	double h = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;
	return 2 * 6371.0088 * asin(sqrt(h < 1 ? h : 1));
}

static double city_kmh(const dsp_params *p, const char *region)
{
	for (size_t i = 0; region && i < p->n_speeds; i++)
		if (p->speeds[i].region && !strcmp(p->speeds[i].region, region) && p->speeds[i].kmh > 0)
			return p->speeds[i].kmh;
	return p->kmh > 0 ? p->kmh : 30;
}

int64_t dsp_travel_s(const dsp_params *p, double km, const char *region)
{
	if (isnan(km))
		return -1;
	return llround(km * p->detour / city_kmh(p, region) * 3600);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int32_t civil_day(const dsp_params *p, int64_t at)
{
	if (p->check_day)
		return p->check_day;
	int64_t local = at + (int64_t)p->tz_offset_min * 60;
	return (int32_t)(local >= 0 ? local / DAY_S : -((-local + DAY_S - 1) / DAY_S));
}

static int skill_level(const dsp_order *o, const dsp_tech *t)
{
	for (size_t i = 0; i < t->n_skills; i++)
		if (same(t->skills[i].skill, o->category))
			return t->skills[i].level;
	return 0;
}

/* A certificate is valid through its expiry day: expiring today is still valid today. */
static unsigned cert_rule(const dsp_order *o, const dsp_tech *t, int32_t day)
{
	bool held = false;
	for (size_t i = 0; i < t->n_certs; i++) {
		if (!same(t->certs[i].skill, o->category))
			continue;
		if (t->certs[i].expires_day == 0 || t->certs[i].expires_day >= day)
			return 0;
		held = true;
	}
	return held ? DSP_CERT_EXPIRED : o->needs_cert ? DSP_NO_CERT : 0;
}

/* DOMAIN §4: an outlet gets a brand's work only if it signed for that brand and category. */
static bool authorised(const dsp_order *o, const dsp_tech *t)
{
	if (empty(o->brand) || t->n_auths == 0)
		return true;
	for (size_t i = 0; i < t->n_auths; i++) {
		const dsp_auth *a = &t->auths[i];
		if ((empty(a->brand) || same(a->brand, o->brand)) && (empty(a->category) || same(a->category, o->category)))
			return true;
	}
	return false;
}

static bool listed(const dsp_order *o, const dsp_tech *t)
{
	for (size_t i = 0; i < t->n_regions; i++)
		if (same(t->regions[i], o->region))
			return true;
	return false;
}

/* km NAN: the distance cannot decide, the city codes do — home city or a listed one (see
 * dispatch.h "Positions"). */
static bool in_area(const dsp_order *o, const dsp_tech *t, double km)
{
	if (isnan(km))
		return same(t->region, o->region) || listed(o, t);
	if (t->radius_km <= 0 && t->n_regions == 0)
		return true;
	return (t->radius_km > 0 && km <= t->radius_km) || listed(o, t);
}

/* The rules that do not depend on the time slot, certificates checked on `day`. */
static unsigned tech_rules(const dsp_order *o, const dsp_tech *t, double km, int32_t day)
{
	unsigned why = 0;
	if (!t->on_duty)
		why |= DSP_OFF_DUTY;
	if (!empty(o->category)) {
		int level = skill_level(o, t);
		if (level == 0)
			why |= DSP_NO_SKILL; /* certificates of a skill one lacks are beside the point */
		else
			why |= (level < o->min_level ? DSP_LEVEL_TOO_LOW : 0) | cert_rule(o, t, day);
	}
	if (!authorised(o, t))
		why |= DSP_NOT_AUTHORISED;
	if (!in_area(o, t, km))
		why |= DSP_OUT_OF_AREA;
	return why;
}

static bool overlaps(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Travel between a booking and the order; 0 when it cannot be measured. The slower of the two
 * cities times it, so the leg is the same seen from either visit (a re-check agrees). */
static int64_t leg_s(const dsp_order *o, const dsp_booking *b, const dsp_params *p)
{
	const char *city = city_kmh(p, b->region) < city_kmh(p, o->region) ? b->region : o->region;
	int64_t s = dsp_travel_s(p, dsp_km(b->lat, b->lon, o->lat, o->lon), city);
	return s < 0 ? 0 : s;
}

/* The slot is clear of booking b only if it ends early enough to travel to b, or b ends early
 * enough to travel from it. On a clash *next is the first start that clears b. */
static bool clashes(const dsp_order *o, const dsp_booking *b, int64_t start, int64_t end, const dsp_params *p,
		    int64_t *next)
{
	if (b->order_id == o->id)
		return false;
	int64_t leg = leg_s(o, b, p);
	if (end + leg <= b->start || b->end + leg <= start)
		return false;
	*next = b->end + leg;
	return true;
}

static bool in_shift(const dsp_tech *t, int64_t start, int64_t end)
{
	for (size_t i = 0; i < t->n_shifts; i++)
		if (t->shifts[i].start <= start && end <= t->shifts[i].end)
			return true;
	return false;
}

/* The first leave or booking in the way of [start, end): false if none, else *next clears it. */
static bool blocked(const dsp_order *o, const dsp_tech *t, int64_t start, int64_t end, const dsp_params *p,
		    int64_t *next)
{
	for (size_t i = 0; i < t->n_leave; i++)
		if (overlaps(start, end, t->leave[i].start, t->leave[i].end)) {
			*next = t->leave[i].end;
			return true;
		}
	for (size_t i = 0; i < t->n_booked; i++)
		if (clashes(o, &t->booked[i], start, end, p, next))
			return true;
	return false;
}

unsigned dsp_check(const dsp_order *o, const dsp_tech *t, int64_t start, int64_t end, const dsp_params *p)
{
	double km = dsp_km(t->lat, t->lon, o->lat, o->lon);
	unsigned why = tech_rules(o, t, km, civil_day(p, start));
	if (!in_shift(t, start, end))
		why |= DSP_OUTSIDE_SHIFT;
	for (size_t i = 0; i < t->n_leave; i++)
		if (overlaps(start, end, t->leave[i].start, t->leave[i].end))
			why |= DSP_ON_LEAVE;
	int64_t next;
	for (size_t i = 0; i < t->n_booked; i++)
		if (clashes(o, &t->booked[i], start, end, p, &next))
			why |= DSP_DOUBLE_BOOKED;
	return why;
}

/* The earliest start ≥ from in shift s that is clear of leave and bookings and begins before
 * `until` (0 = no limit). Each clash moves the start strictly later, so the loop ends. */
static bool fit_in_shift(const dsp_order *o, const dsp_tech *t, const dsp_span *s, int64_t from, int64_t until,
			 const dsp_params *p, int64_t *out)
{
	int64_t at = from > s->start ? from : s->start;
	for (;;) {
		if ((until && at >= until) || at + o->duration_s > s->end)
			return false;
		int64_t next;
		if (!blocked(o, t, at, at + o->duration_s, p, &next)) {
			*out = at;
			return true;
		}
		at = next;
	}
}

static bool earliest(const dsp_order *o, const dsp_tech *t, int64_t from, const dsp_params *p, int64_t *out)
{
	int64_t best = INT64_MAX;
	for (size_t i = 0; i < t->n_shifts; i++) {
		int64_t at;
		if (fit_in_shift(o, t, &t->shifts[i], from, o->win_end, p, &at) && at < best)
			best = at;
	}
	*out = best;
	return best != INT64_MAX;
}

void dsp_order_weights(const dsp_order *o, dsp_weights *w)
{
	int pr = o->priority < 1 ? 1 : o->priority > 4 ? 4 : o->priority;
	double u = (4 - pr) / 3.0;
	double slack = o->sla_slack_s == INT64_MAX ? 0 : 1 - (double)o->sla_slack_s / (4 * 3600);
	if (slack > u)
		u = slack;
	w->u = u < 0 ? 0 : u > 1 ? 1 : u;
	static const double class_factor[] = {[DSP_VIP] = 1, [DSP_A] = 0.6, [DSP_B] = 0.2, [DSP_C] = 0};
	w->c = o->cls >= DSP_VIP && o->cls <= DSP_C ? class_factor[o->cls] : 0;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

double dsp_term_near(int64_t travel_s)
{
	return 1 / (1 + (double)travel_s / 60 / 30);
}

double dsp_term_soon(int64_t reach_s)
{
	return 1 / (1 + (double)(reach_s > 0 ? reach_s : 0) / 60 / 30);
}

double dsp_term_balance(const dsp_tech *t)
{
	double open = t->open_orders > 0 ? t->open_orders : 0, booked = t->booked_min > 0 ? t->booked_min : 0;
	return 0.5 / (1 + open / 3) + 0.5 / (1 + booked / 240);
}

double dsp_term_status(const dsp_tech *t)
{
	return 0.5 * clamp01((t->level - 1) / 4.0) + 0.5 * clamp01(t->score / 100.0);
}

double dsp_term_outcome(const dsp_tech *t)
{
	return clamp01(t->score / 100.0);
}

double dsp_combine(const dsp_params *p, const dsp_weights *w, double near, double balance, double status,
		   double outcome, double soon)
{
	return p->w_near * near + p->w_balance * balance + p->w_status * w->c * status +
	       p->w_outcome * outcome + p->w_soon * w->u * soon;
}

unsigned dsp_eval(const dsp_order *o, const dsp_tech *t, const dsp_params *p, int64_t now, dsp_candidate *out)
{
	double km = dsp_km(t->lat, t->lon, o->lat, o->lon);
	int64_t travel = dsp_travel_s(p, km, o->region);
	int64_t ready = now > o->win_start ? now : o->win_start; /* when the order could start at best */
	int64_t from = now + (travel > 0 ? travel : 0);
	if (from < o->win_start)
		from = o->win_start;
	unsigned why = tech_rules(o, t, km, civil_day(p, from));
	if (why)
		return why;
	int64_t start;
	if (!earliest(o, t, from, p, &start))
		return DSP_NO_SLOT;
	if (civil_day(p, start) != civil_day(p, from) && (why = cert_rule(o, t, civil_day(p, start))))
		return why;
	dsp_weights w;
	dsp_order_weights(o, &w);
	*out = (dsp_candidate){
		.tech_id = t->id,
		.km = km,
		.travel_s = travel,
		.open_orders = t->open_orders,
		.booked_min = t->booked_min,
		.skill_level = empty(o->category) ? 0 : skill_level(o, t),
		.tech_score = t->score,
		.tech_level = t->level,
		.start = start,
	};
	out->score = dsp_combine(p, &w, dsp_term_near(travel < 0 ? p->unknown_travel_s : travel), dsp_term_balance(t),
				 dsp_term_status(t), dsp_term_outcome(t), dsp_term_soon(start - ready));
	return 0;
}

static bool better(const dsp_candidate *a, const dsp_candidate *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return a->tech_id != b->tech_id ? a->tech_id < b->tech_id : a->tech < b->tech;
}

size_t dsp_top_insert(dsp_candidate *top, size_t n, size_t cap, const dsp_candidate *c)
{
	if (cap == 0 || (n == cap && !better(c, &top[n - 1])))
		return n;
	size_t i = n < cap ? n : cap - 1;
	for (; i > 0 && better(c, &top[i - 1]); i--)
		top[i] = top[i - 1];
	top[i] = *c;
	return n < cap ? n + 1 : n;
}

size_t dsp_top_cap(const dsp_params *p, size_t top_n)
{
	return p->max_candidates && top_n > p->max_candidates ? p->max_candidates : top_n;
}

void dsp_note_miss(unsigned *miss, unsigned why)
{
	if (*miss == DSP_NO_SLOT)
		return;
	if (why == DSP_NO_SLOT || *miss == 0 || __builtin_popcount(why) < __builtin_popcount(*miss))
		*miss = why;
}

size_t dsp_rank(const dsp_order *o, const dsp_tech *techs, size_t n, const dsp_params *p, int64_t now,
		dsp_candidate *out, size_t top_n)
{
	size_t cap = dsp_top_cap(p, top_n), got = 0;
	for (size_t i = 0; i < n; i++) {
		dsp_candidate c;
		if (dsp_eval(o, &techs[i], p, now, &c))
			continue;
		c.tech = i;
		got = dsp_top_insert(out, got, cap, &c);
	}
	return got;
}
