/* test_dispatch.c — the dispatch engine (DOMAIN §4): each hard rule alone and at its boundaries,
 * the travel estimate against known distances, the ranking's preferences, the spatial index
 * against a full scan, the backlog dispatch against double booking, and the route planner
 * against brute force. Random instances use fixed seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/dispatch.h"

#define DAY0 20780 /* 2026-11-23, a Monday */
/* Local time (UTC+8) on DAY0 → epoch seconds. */
#define HM(h, m) ((int64_t)DAY0 * 86400 + (h) * 3600 + (m) * 60 - 8 * 3600)
#define LAT 23.13
#define LON 113.32 /* Guangzhou, Tianhe */

static double lon_east(double km)
{
	return LON + km / (111.19508 * cos(LAT * M_PI / 180));
}

static const dsp_skill aircon3[] = {{"空调", 3}};
static const dsp_span day_shift[] = {{HM(9, 0), HM(18, 0)}};

/* A technician in Tianhe, km_east kilometres east of the centre: 空调 level 3, 09:00–18:00. */
static dsp_tech tech(int64_t id, double km_east)
{
	return (dsp_tech){.id = id, .org_id = 1, .lat = LAT, .lon = lon_east(km_east), .region = "440100",
			  .on_duty = true, .skills = aircon3, .n_skills = 1, .shifts = day_shift, .n_shifts = 1,
			  .score = 80, .level = 3};
}

/* An air-conditioner order at the centre, one hour, P3, class C, no window. */
static dsp_order order(int64_t id)
{
	return (dsp_order){.id = id, .lat = LAT, .lon = LON, .region = "440100", .category = "空调", .priority = 3,
			   .sla_slack_s = INT64_MAX, .cls = DSP_C, .duration_s = 3600};
}

static unsigned check(const dsp_order *o, const dsp_tech *t, int64_t start, int64_t end)
{
	dsp_params p;
	dsp_params_default(&p);
	return dsp_check(o, t, start, end, &p);
}

static void reason_codes(void **state)
{
	(void)state;
	assert_string_equal(dsp_reason_code(DSP_OFF_DUTY), "off_duty");
	assert_string_equal(dsp_reason_code(DSP_CERT_EXPIRED), "cert_expired");
	assert_string_equal(dsp_reason_code(DSP_NOT_AUTHORISED), "not_authorised");
	assert_string_equal(dsp_reason_code(DSP_DOUBLE_BOOKED), "double_booked");
	assert_string_equal(dsp_reason_code(DSP_NO_SLOT), "no_free_slot");
	assert_string_equal(dsp_reason_code(DSP_OFF_DUTY | DSP_NO_SKILL), "unknown");
	assert_string_equal(dsp_reason_code(1u << DSP_REASONS), "unknown");
	for (int i = 0; i < DSP_REASONS; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(dsp_reason_code(1u << i), dsp_reason_code(1u << j));
}

static void each_rule_alone(void **state)
{
	(void)state;
	dsp_order o = order(1);
	dsp_tech t = tech(1, 1);
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);

	t.on_duty = false;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OFF_DUTY);
	t = tech(1, 1);
	o.category = "汽车";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_NO_SKILL);
	o = order(1);
	o.min_level = 4;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_LEVEL_TOO_LOW);
	o.min_level = 3;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	o = order(1);
	o.needs_cert = true;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_NO_CERT);
	/* several reasons at once */
	t.on_duty = false;
	o.category = "汽车";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OFF_DUTY | DSP_NO_SKILL);
}

static void certificate_expiry(void **state)
{
	(void)state;
	dsp_order o = order(1);
	o.needs_cert = true;
	dsp_tech t = tech(1, 1);
	dsp_cert c = {"空调", DAY0};
	t.certs = &c;
	t.n_certs = 1;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0); /* expires today: still valid */
	c.expires_day = DAY0 - 1;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_CERT_EXPIRED); /* expired yesterday */
	o.needs_cert = false; /* an expired certificate disqualifies even when not demanded */
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_CERT_EXPIRED);
	c.expires_day = 0;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0); /* never expires */
	/* the day is the local (UTC+8) day: 07:59 local on DAY0 + 1 is still "tomorrow" */
	c.expires_day = DAY0;
	dsp_span late = {HM(0, 0), HM(48, 0)};
	t.shifts = &late;
	assert_int_equal(check(&o, &t, HM(23, 0), HM(23, 59)), 0);
	assert_int_equal(check(&o, &t, HM(24, 0), HM(24, 30)), DSP_CERT_EXPIRED);
	/* an expired and a valid one: valid */
	dsp_cert two[] = {{"空调", DAY0 - 10}, {"空调", DAY0 + 300}};
	t.certs = two;
	t.n_certs = 2;
	assert_int_equal(check(&o, &t, HM(24, 0), HM(24, 30)), 0);
	/* a fixed check day overrides the visit's day */
	dsp_params p;
	dsp_params_default(&p);
	p.check_day = DAY0 + 400;
	assert_int_equal(dsp_check(&o, &t, HM(10, 0), HM(11, 0), &p), DSP_CERT_EXPIRED);
}

static void brand_authorisation(void **state)
{
	(void)state;
	dsp_order o = order(1);
	dsp_tech t = tech(1, 1);
	dsp_auth a = {"格力", "空调"};
	t.auths = &a;
	t.n_auths = 1;
	o.brand = "格力";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	o.brand = "美的";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_NOT_AUTHORISED);
	o.brand = "格力";
	a.category = "冰箱"; /* the brand, but another category */
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_NOT_AUTHORISED);
	a = (dsp_auth){"", "空调"}; /* any brand of the category */
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	t.n_auths = 0; /* no list: any brand */
	o.brand = "美的";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	t.n_auths = 1;
	a = (dsp_auth){"格力", NULL};
	o.brand = NULL; /* not brand work */
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
}

static void service_area(void **state)
{
	(void)state;
	dsp_order o = order(1);
	dsp_tech t = tech(1, 20);
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0); /* no area: anywhere */
	t.radius_km = 10;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OUT_OF_AREA);
	t.radius_km = 20.5;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	t.radius_km = 10; /* the home city is no area of its own when the distance is known */
	const char *regions[] = {"440100"};
	t.region = "440600"; /* lives in Foshan, serves Guangzhou by list */
	t.regions = regions;
	t.n_regions = 1;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	t.n_regions = 0;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OUT_OF_AREA);
	/* unknown position: the city decides, even with a radius */
	t = tech(1, 20);
	t.radius_km = 10;
	t.lat = NAN;
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	t.region = "440300";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OUT_OF_AREA);
	t = tech(1, 20);
	o.lon = NAN; /* the order's position unknown */
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), 0);
	o.region = "440300";
	assert_int_equal(check(&o, &t, HM(10, 0), HM(11, 0)), DSP_OUT_OF_AREA);
}

static void shifts_and_leave(void **state)
{
	(void)state;
	dsp_order o = order(1);
	dsp_tech t = tech(1, 1);
	assert_int_equal(check(&o, &t, HM(17, 0), HM(18, 0)), 0); /* ends exactly at the shift's end */
	assert_int_equal(check(&o, &t, HM(17, 1), HM(18, 1)), DSP_OUTSIDE_SHIFT);
	assert_int_equal(check(&o, &t, HM(9, 0), HM(10, 0)), 0);
	assert_int_equal(check(&o, &t, HM(8, 59), HM(9, 59)), DSP_OUTSIDE_SHIFT);
	dsp_span split[] = {{HM(13, 0), HM(18, 0)}, {HM(9, 0), HM(12, 0)}}; /* lunch break, any order */
	t.shifts = split;
	t.n_shifts = 2;
	assert_int_equal(check(&o, &t, HM(11, 0), HM(12, 0)), 0);
	assert_int_equal(check(&o, &t, HM(11, 30), HM(12, 30)), DSP_OUTSIDE_SHIFT);
	assert_int_equal(check(&o, &t, HM(13, 0), HM(14, 0)), 0);
	t.n_shifts = 0;
	assert_int_equal(check(&o, &t, HM(13, 0), HM(14, 0)), DSP_OUTSIDE_SHIFT);

	t = tech(1, 1);
	dsp_span leave = {HM(14, 0), HM(16, 0)};
	t.leave = &leave;
	t.n_leave = 1;
	assert_int_equal(check(&o, &t, HM(13, 0), HM(14, 0)), 0); /* right up to the leave */
	assert_int_equal(check(&o, &t, HM(16, 0), HM(17, 0)), 0);
	assert_int_equal(check(&o, &t, HM(13, 30), HM(14, 30)), DSP_ON_LEAVE);
	assert_int_equal(check(&o, &t, HM(15, 59), HM(16, 59)), DSP_ON_LEAVE);
}

static void double_booking_and_travel(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t = tech(1, 1);
	dsp_booking b = {HM(10, 0), HM(11, 0), 99, LAT, LON, "440100"}; /* at the same place */
	t.booked = &b;
	t.n_booked = 1;
	assert_int_equal(check(&o, &t, HM(11, 0), HM(12, 0)), 0); /* back to back */
	assert_int_equal(check(&o, &t, HM(9, 0), HM(10, 0)), 0);
	assert_int_equal(check(&o, &t, HM(10, 30), HM(11, 30)), DSP_DOUBLE_BOOKED);
	assert_int_equal(check(&o, &t, HM(9, 30), HM(10, 30)), DSP_DOUBLE_BOOKED);
	assert_int_equal(check(&o, &t, HM(10, 15), HM(10, 45)), DSP_DOUBLE_BOOKED); /* inside */
	assert_int_equal(check(&o, &t, HM(9, 0), HM(12, 0)), DSP_DOUBLE_BOOKED);    /* around */
	b.order_id = 1; /* the same order: moving it is not a conflict with itself */
	assert_int_equal(check(&o, &t, HM(10, 30), HM(11, 30)), 0);

	/* 15 km away: 15 × 1.3 / 30 km/h = 39 min of travel either side */
	b = (dsp_booking){HM(12, 0), HM(13, 0), 99, LAT, lon_east(15), "440100"};
	int64_t leg = dsp_travel_s(&p, dsp_km(LAT, LON, LAT, lon_east(15)), "440100");
	assert_true(leg >= 39 * 60 - 1 && leg <= 39 * 60 + 1);
	assert_int_equal(check(&o, &t, HM(13, 0), HM(14, 0)), DSP_DOUBLE_BOOKED);
	assert_int_equal(check(&o, &t, HM(13, 0) + leg - 1, HM(14, 0) + leg - 1), DSP_DOUBLE_BOOKED);
	assert_int_equal(check(&o, &t, HM(13, 0) + leg, HM(14, 0) + leg), 0);
	assert_int_equal(check(&o, &t, HM(11, 0) - leg, HM(12, 0) - leg), 0);
	assert_int_equal(check(&o, &t, HM(11, 0) - leg + 1, HM(12, 0) - leg + 1), DSP_DOUBLE_BOOKED);
	/* a booking in a slower city: its speed times the leg */
	dsp_speed slow = {"440300", 15};
	p.speeds = &slow;
	p.n_speeds = 1;
	b.region = "440300";
	assert_int_equal(dsp_check(&o, &t, HM(13, 0) + leg, HM(14, 0) + leg, &p), DSP_DOUBLE_BOOKED);
	assert_int_equal(dsp_check(&o, &t, HM(13, 0) + 2 * leg, HM(14, 0) + 2 * leg, &p), 0);
	/* unknown position of the booking: travel not counted, back to back allowed */
	b = (dsp_booking){HM(12, 0), HM(13, 0), 99, NAN, NAN, "440100"};
	assert_int_equal(check(&o, &t, HM(13, 0), HM(14, 0)), 0);
	assert_int_equal(check(&o, &t, HM(12, 59), HM(13, 59)), DSP_DOUBLE_BOOKED);
}

static void travel_estimate(void **state)
{
	(void)state;
	/* Guangzhou (23.1291, 113.2644) – Shenzhen (22.5431, 114.0579): about 104 km straight */
	double km = dsp_km(23.1291, 113.2644, 22.5431, 114.0579);
	assert_true(km > 103 && km < 105);
	assert_true(fabs(dsp_km(22, 113, 22, 113) - 0) < 1e-9);
	assert_true(fabs(dsp_km(10, 100, 11, 100) - 111.2) < 0.05); /* one degree of latitude */
	assert_true(fabs(dsp_km(0, 0, 0, 1) - 111.2) < 0.05);       /* of longitude at the equator */
	assert_true(fabs(dsp_km(60, 0, 60, 1) - 55.6) < 0.05);      /* at 60°: half */
	assert_true(isnan(dsp_km(NAN, 113, 22, 113)));
	assert_true(isnan(dsp_km(22, 113, 22, NAN)));
	dsp_params p;
	dsp_params_default(&p);
	assert_int_equal(dsp_travel_s(&p, 10, "440100"), 1560); /* 10 × 1.3 / 30 h = 26 min */
	dsp_speed sp[] = {{"440300", 20}, {"440600", 40}};
	p.speeds = sp;
	p.n_speeds = 2;
	assert_int_equal(dsp_travel_s(&p, 10, "440300"), 2340);
	assert_int_equal(dsp_travel_s(&p, 10, "440600"), 1170);
	assert_int_equal(dsp_travel_s(&p, 10, "440100"), 1560);
	assert_int_equal(dsp_travel_s(&p, 10, NULL), 1560);
	assert_int_equal(dsp_travel_s(&p, NAN, "440100"), -1);
}

static size_t rank(const dsp_order *o, const dsp_tech *t, size_t n, const dsp_params *p, int64_t now,
		   dsp_candidate *out, size_t top)
{
	size_t got = dsp_rank(o, t, n, p, now, out, top);
	dsp_grid *g = dsp_grid_build(t, n, 0);
	assert_non_null(g);
	dsp_candidate again[16];
	assert_int_equal(dsp_grid_rank(g, o, p, now, again, top), got);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(again[i].tech_id, out[i].tech_id);
	dsp_grid_free(g);
	return got;
}

static void nearest_wins(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t[] = {tech(3, 10), tech(1, 5), tech(2, 2), tech(4, 2)};
	t[0].on_duty = false; /* the farthest is off duty anyway */
	dsp_candidate c[4];
	assert_int_equal(rank(&o, t, 3, &p, HM(9, 0), c, 4), 2);
	assert_int_equal(c[0].tech_id, 2);
	assert_int_equal(c[1].tech_id, 1);
	assert_true(fabs(c[0].km - 2) < 0.01);
	assert_true(c[0].score > c[1].score);
	assert_int_equal(c[0].travel_s, 312); /* 2 × 1.3 / 30 h */
	assert_int_equal(c[0].start, HM(9, 0) + 312);
	assert_int_equal(c[0].skill_level, 3);
	assert_int_equal(c[0].tech, 2);
	/* equal in every way: the smaller id first */
	t[0] = tech(3, 10);
	assert_int_equal(rank(&o, t, 4, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2);
	assert_int_equal(c[1].tech_id, 4);
	assert_true(c[0].score == c[1].score);
	/* max_candidates caps the answer */
	p.max_candidates = 1;
	assert_int_equal(dsp_rank(&o, t, 4, &p, HM(9, 0), c, 4), 1);
}

static void balanced_beats_nearest_by_weight(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t[] = {tech(1, 2), tech(2, 6)};
	t[0].open_orders = 6;
	t[0].booked_min = 420;
	dsp_candidate c[2];
	p.w_near = 60, p.w_balance = 5;
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 1);
	assert_int_equal(c[0].open_orders, 6);
	assert_int_equal(c[0].booked_min, 420);
	p.w_near = 10, p.w_balance = 60;
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2);
	/* with the defaults, a busy technician close by is still beaten by a free one a little further */
	dsp_params_default(&p);
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2);
}

static void vip_prefers_senior_well_rated(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t[] = {tech(1, 6), tech(2, 3)};
	t[0].score = 95, t[0].level = 5;
	t[1].score = 60, t[1].level = 2;
	dsp_candidate c[2];
	o.cls = DSP_C;
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2); /* a class-C customer gets the nearer one */
	o.cls = DSP_VIP;
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 1);
	assert_int_equal(c[0].tech_score, 95);
	assert_int_equal(c[0].tech_level, 5);
}

static void urgent_prefers_free_sooner(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t[] = {tech(1, 2), tech(2, 8)};
	dsp_booking busy = {HM(9, 0), HM(12, 0), 50, LAT, lon_east(2), "440100"};
	t[0].booked = &busy;
	t[0].n_booked = 1;
	dsp_candidate c[2];
	o.priority = 4; /* can wait: the nearer one, after his booking */
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 1);
	assert_int_equal(c[0].start, HM(12, 0) + 312);
	o.priority = 1; /* urgent: the one free now */
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2);
	o.priority = 4; /* a P4 close to breaching its SLA is urgent too */
	o.sla_slack_s = 600;
	assert_int_equal(rank(&o, t, 2, &p, HM(9, 0), c, 2), 2);
	assert_int_equal(c[0].tech_id, 2);
}

static void unknown_position_ranked_by_region(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t[] = {tech(1, 3), tech(2, 0), tech(3, 0)};
	t[1].lat = NAN, t[1].lon = NAN;
	t[2].lat = NAN, t[2].lon = NAN;
	t[2].region = "440300"; /* another city, position unknown: cannot be judged in area */
	dsp_candidate c[3];
	assert_int_equal(rank(&o, t, 3, &p, HM(9, 0), c, 3), 2);
	assert_int_equal(c[0].tech_id, 1); /* 3 km (7.8 min) beats an assumed 30 min */
	assert_int_equal(c[1].tech_id, 2);
	assert_true(isnan(c[1].km));
	assert_int_equal(c[1].travel_s, -1);
	assert_int_equal(c[1].start, HM(9, 0));
	/* an order without position: ranked by city, distances unknown for everyone */
	o.lat = NAN;
	assert_int_equal(rank(&o, t, 3, &p, HM(9, 0), c, 3), 2);
	assert_true(isnan(c[0].km) && isnan(c[1].km));
	assert_int_equal(c[0].tech_id, 1);
	assert_int_equal(c[1].tech_id, 2);
}

static void window_and_earliest_start(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_order o = order(1);
	dsp_tech t = tech(1, 10);
	dsp_candidate c;
	/* free now: starts after the travel (10 km: 26 min) */
	assert_int_equal(dsp_eval(&o, &t, &p, HM(10, 0), &c), 0);
	assert_int_equal(c.start, HM(10, 26));
	/* a window in the afternoon, a booking at its start at the same place: after the booking */
	o.win_start = HM(14, 0), o.win_end = HM(16, 0);
	dsp_booking b = {HM(13, 30), HM(15, 0), 7, LAT, LON, "440100"};
	t.booked = &b;
	t.n_booked = 1;
	assert_int_equal(dsp_eval(&o, &t, &p, HM(10, 0), &c), 0);
	assert_int_equal(c.start, HM(15, 0));
	assert_int_equal(dsp_check(&o, &t, c.start, c.start + o.duration_s, &p), 0);
	o.win_end = HM(15, 0); /* must start before 15:00: no slot */
	assert_int_equal(dsp_eval(&o, &t, &p, HM(10, 0), &c), DSP_NO_SLOT);
	/* the day is over: no slot; but with a shift tomorrow, tomorrow */
	o = order(1);
	assert_int_equal(dsp_eval(&o, &t, &p, HM(17, 30), &c), DSP_NO_SLOT);
	dsp_span two[] = {{HM(9, 0), HM(18, 0)}, {HM(24 + 9, 0), HM(24 + 18, 0)}};
	t.shifts = two;
	t.n_shifts = 2;
	assert_int_equal(dsp_eval(&o, &t, &p, HM(17, 30), &c), 0);
	assert_int_equal(c.start, HM(24 + 9, 0));
	/* a static rule reported before any slot search */
	t.on_duty = false;
	assert_int_equal(dsp_eval(&o, &t, &p, HM(9, 0), &c), DSP_OFF_DUTY);
}

/* ---- random instances ---- */

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}
static double frand(double lo, double hi)
{
	return lo + (hi - lo) * (rnd() / 65536.0 / 65536.0);
}

#define MAXT 500
static const char *const cities[] = {"440100", "440100", "440100", "440600", "440300"};
static const char *const list_fs[] = {"440600", "440100"};
static const dsp_speed rnd_speeds[] = {{"440300", 20}, {"440600", 35}};
static struct {
	dsp_tech t[MAXT];
	dsp_skill sk[MAXT][2];
	dsp_cert cert[MAXT];
	dsp_span sh[MAXT][2];
	dsp_span lv[MAXT];
	dsp_booking bk[MAXT][4];
} R;

static void random_tech(size_t i)
{
	dsp_tech *t = &R.t[i];
	*t = (dsp_tech){.id = (int64_t)(rnd() % 100000) + 1, .lat = LAT + frand(-0.3, 0.3),
			.lon = LON + frand(-0.3, 0.3), .region = cities[rnd() % 5], .on_duty = rnd() % 10 != 0,
			.open_orders = (int)(rnd() % 9), .booked_min = (int)(rnd() % 480),
			.score = (int)(rnd() % 101), .level = 1 + (int)(rnd() % 5)};
	if (rnd() % 10 == 0)
		t->lat = t->lon = NAN;
	R.sk[i][0] = (dsp_skill){"空调", 1 + (int)(rnd() % 5)};
	R.sk[i][1] = (dsp_skill){"冰箱", 1 + (int)(rnd() % 5)};
	t->skills = rnd() % 5 ? R.sk[i] : R.sk[i] + 1;
	t->n_skills = t->skills == R.sk[i] ? 1 + rnd() % 2 : 1;
	if (rnd() % 4 == 0) {
		R.cert[i] = (dsp_cert){"空调", DAY0 - 5 + (int32_t)(rnd() % 10)};
		t->certs = &R.cert[i];
		t->n_certs = 1;
	}
	if (rnd() % 3 == 0)
		t->radius_km = frand(3, 25);
	if (rnd() % 5 == 0) {
		t->regions = list_fs;
		t->n_regions = 1 + rnd() % 2;
	}
	int64_t s = HM(8, 0) + (int64_t)(rnd() % 7200);
	R.sh[i][0] = (dsp_span){s, s + 4 * 3600 + (int64_t)(rnd() % 18000)};
	R.sh[i][1] = (dsp_span){R.sh[i][0].end + 3600, R.sh[i][0].end + 3600 + 4 * 3600};
	t->shifts = R.sh[i];
	t->n_shifts = 1 + rnd() % 2;
	if (rnd() % 10 == 0) {
		int64_t l = HM(9, 0) + (int64_t)(rnd() % 30000);
		R.lv[i] = (dsp_span){l, l + 7200};
		t->leave = &R.lv[i];
		t->n_leave = 1;
	}
	/* bookings in sequence, with room for travel between them */
	int64_t at = HM(8, 0);
	size_t nb = rnd() % 4;
	for (size_t k = 0; k < nb; k++) {
		at += (int64_t)(3600 + rnd() % 7200);
		int64_t d = 1800 + (int64_t)(rnd() % 5400);
		R.bk[i][k] = (dsp_booking){at, at + d, 1000000 + (int64_t)(i * 4 + k), LAT + frand(-0.3, 0.3),
					   LON + frand(-0.3, 0.3), cities[rnd() % 5]};
		at += d;
	}
	t->booked = R.bk[i];
	t->n_booked = nb;
}

static dsp_order random_order(int64_t id)
{
	dsp_order o = {.id = id, .lat = LAT + frand(-0.35, 0.35), .lon = LON + frand(-0.35, 0.35),
		       .region = cities[rnd() % 5], .category = rnd() % 4 ? "空调" : "冰箱",
		       .min_level = (int)(rnd() % 4), .needs_cert = rnd() % 8 == 0, .priority = 1 + (int)(rnd() % 4),
		       .sla_slack_s = rnd() % 3 ? (int64_t)(rnd() % 40000) - 3600 : INT64_MAX,
		       .cls = (dsp_class)(rnd() % 4), .duration_s = 1800 + (int64_t)(rnd() % 5400)};
	if (rnd() % 10 == 0)
		o.lat = NAN;
	if (rnd() % 2) {
		o.win_start = HM(10, 0) + (int64_t)(rnd() % 18000);
		o.win_end = o.win_start + 7200;
	}
	return o;
}

static void grid_equals_scan(void **state)
{
	(void)state;
	rng_state = 88172645463325252ull;
	size_t nonempty = 0;
	for (int inst = 0; inst < 300; inst++) {
		size_t n = 1 + rnd() % MAXT;
		for (size_t i = 0; i < n; i++)
			random_tech(i);
		dsp_params p;
		dsp_params_default(&p);
		p.speeds = rnd_speeds;
		p.n_speeds = 2;
		if (inst % 3 == 0) {
			p.w_near = frand(0, 80), p.w_balance = frand(0, 50), p.w_status = frand(0, 30);
			p.w_outcome = frand(0, 30), p.w_soon = frand(0, 60);
		}
		dsp_grid *g = dsp_grid_build(R.t, n, inst % 4 == 0 ? frand(0.3, 8) : 0);
		assert_non_null(g);
		for (int q = 0; q < 5; q++) {
			dsp_order o = random_order(q + 1);
			int64_t now = HM(8, 0) + (int64_t)(rnd() % 20000);
			size_t top = 1 + rnd() % 10;
			dsp_candidate a[10], b[10];
			size_t na = dsp_rank(&o, R.t, n, &p, now, a, top);
			size_t nb = dsp_grid_rank(g, &o, &p, now, b, top);
			assert_int_equal(na, nb);
			for (size_t i = 0; i < na; i++) {
				assert_int_equal(a[i].tech, b[i].tech);
				assert_true(a[i].score == b[i].score);
				assert_int_equal(a[i].start, b[i].start);
				/* what is suggested passes the hard rules at the start it names */
				assert_int_equal(dsp_check(&o, &R.t[a[i].tech], a[i].start, a[i].start + o.duration_s, &p),
						 0);
				assert_true(a[i].start >= now);
			}
			nonempty += na > 0;
		}
		dsp_grid_free(g);
	}
	assert_true(nonempty > 1000); /* the instances are not vacuous */
}

/* The grid with technicians left out (another organisation's) and technicians changed since
 * the build (moved, re-booked, new skills: left out of the walk and listed to be evaluated one
 * by one) answers as a scan of the technicians that count, as they are now. */
static void grid_ex_equals_scan(void **state)
{
	(void)state;
	rng_state = 0x2545f4914f6cdd1dull;
	static dsp_tech kept[MAXT];
	static size_t back[MAXT], also[MAXT];
	static unsigned char skip[MAXT];
	size_t nonempty = 0, changed_found = 0;
	for (int inst = 0; inst < 200; inst++) {
		size_t n = 1 + rnd() % MAXT;
		for (size_t i = 0; i < n; i++) {
			random_tech(i);
			R.t[i].id = (int64_t)i * 7 + 1; /* unique: ties go by id */
		}
		dsp_params p;
		dsp_params_default(&p);
		p.speeds = rnd_speeds;
		p.n_speeds = 2;
		dsp_grid *g = dsp_grid_build(R.t, n, inst % 4 == 0 ? frand(0.3, 8) : 0);
		assert_non_null(g);
		size_t n_also = 0, nk = 0;
		for (size_t i = 0; i < n; i++) {
			bool outside = rnd() % 4 == 0, changed = rnd() % 5 == 0;
			if (changed) { /* a new value, maybe far away or with better terms than the cell's */
				random_tech(i);
				R.t[i].id = (int64_t)i * 7 + 1;
				if (rnd() % 2)
					R.t[i].lat += frand(-0.5, 0.5), R.t[i].lon += frand(-0.5, 0.5);
			}
			skip[i] = outside || changed;
			if (changed && !outside)
				also[n_also++] = i;
			if (!outside) {
				kept[nk] = R.t[i];
				back[nk++] = i;
			}
		}
		for (int q = 0; q < 5; q++) {
			dsp_order o = random_order(q + 1);
			int64_t now = HM(8, 0) + (int64_t)(rnd() % 20000);
			size_t top = 1 + rnd() % 10;
			dsp_candidate a[10], b[10];
			size_t na = dsp_rank(&o, kept, nk, &p, now, a, top);
			size_t nb = dsp_grid_rank_ex(g, &o, &p, now, skip, also, n_also, b, top);
			assert_int_equal(na, nb);
			for (size_t i = 0; i < na; i++) {
				assert_int_equal(back[a[i].tech], b[i].tech);
				assert_int_equal(a[i].tech_id, b[i].tech_id);
				assert_true(a[i].score == b[i].score);
				assert_int_equal(a[i].start, b[i].start);
				for (size_t k = 0; k < n_also; k++)
					changed_found += also[k] == b[i].tech;
			}
			nonempty += na > 0;
		}
		dsp_grid_free(g);
	}
	assert_true(nonempty > 600);
	assert_true(changed_found > 100); /* changed technicians do get suggested */
}

static bool overlap(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 < e2 && s2 < e1;
}

static void auto_never_double_books(void **state)
{
	(void)state;
	rng_state = 0x9e3779b97f4a7c15ull;
	enum { NT = 60, NO = 300 };
	static dsp_order orders[NO];
	static dsp_assignment as[NO];
	static dsp_booking fin[NT][4 + NO];
	size_t total = 0;
	for (int inst = 0; inst < 20; inst++) {
		for (size_t i = 0; i < NT; i++) {
			random_tech(i);
			R.t[i].id = (int64_t)i + 1;
		}
		for (size_t k = 0; k < NO; k++)
			orders[k] = random_order((int64_t)k + 1);
		dsp_params p;
		dsp_params_default(&p);
		p.speeds = rnd_speeds;
		p.n_speeds = 2;
		int64_t now = HM(8, 0);
		size_t n_assigned = 0;
		assert_true(dsp_auto(orders, NO, R.t, NT, &p, now, as, &n_assigned));
		/* The technicians as they are afterwards: their bookings plus the assignments. */
		dsp_tech after[NT];
		size_t count = 0;
		for (size_t i = 0; i < NT; i++) {
			after[i] = R.t[i];
			memcpy(fin[i], R.t[i].booked, R.t[i].n_booked * sizeof fin[i][0]);
			after[i].booked = fin[i];
		}
		for (size_t k = 0; k < NO; k++) {
			assert_int_equal(as[k].order_id, orders[k].id);
			if (!as[k].tech_id) {
				assert_true(as[k].reasons != 0);
				continue;
			}
			count++;
			dsp_tech *t = &after[as[k].tech];
			assert_int_equal(t->id, as[k].tech_id);
			fin[as[k].tech][t->n_booked++] = (dsp_booking){as[k].start, as[k].end, orders[k].id, orders[k].lat,
								      orders[k].lon, orders[k].region};
			assert_int_equal(as[k].end - as[k].start, orders[k].duration_s);
			assert_true(as[k].start >= now);
			if (orders[k].win_end)
				assert_true(as[k].start >= orders[k].win_start && as[k].start < orders[k].win_end);
		}
		assert_int_equal(count, n_assigned);
		total += count;
		for (size_t k = 0; k < NO; k++)
			if (as[k].tech_id) /* every rule, travel included, against the final bookings */
				assert_int_equal(dsp_check(&orders[k], &after[as[k].tech], as[k].start, as[k].end, &p), 0);
		for (size_t i = 0; i < NT; i++)
			for (size_t a = 0; a < after[i].n_booked; a++)
				for (size_t b = 0; b < a; b++)
					assert_false(overlap(fin[i][a].start, fin[i][a].end, fin[i][b].start, fin[i][b].end));
	}
	assert_true(total > 20 * NO / 3); /* most orders find someone */
}

static void auto_urgent_first_and_reasons(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_tech t = tech(1, 0);
	dsp_span shift = {HM(9, 0), HM(10, 0)}; /* room for one visit */
	t.shifts = &shift;
	dsp_order o[3] = {order(10), order(11), order(12)};
	o[0].priority = 4;
	o[1].priority = 1;
	o[2].category = "汽车";
	dsp_assignment a[3];
	size_t n = 0;
	assert_true(dsp_auto(o, 3, &t, 1, &p, HM(9, 0), a, &n));
	assert_int_equal(n, 1);
	assert_int_equal(a[1].tech_id, 1); /* the P1 got the only slot */
	assert_int_equal(a[1].start, HM(9, 0));
	assert_int_equal(a[0].tech_id, 0);
	assert_int_equal(a[0].reasons, DSP_NO_SLOT);
	assert_int_equal(a[2].reasons, DSP_NO_SKILL);
	assert_int_equal(t.n_booked, 0); /* the caller's technicians are not touched */
	/* nobody in the order's city and no positions: out of area */
	o[0].region = "110100";
	o[0].lat = NAN;
	assert_true(dsp_auto(o, 1, &t, 1, &p, HM(9, 0), a, &n));
	assert_int_equal(a[0].reasons, DSP_OUT_OF_AREA);
	assert_true(dsp_auto(o, 1, &t, 0, &p, HM(9, 0), a, &n)); /* no technicians at all */
	assert_int_equal(n, 0);
}

/* ---- routes ---- */

/* Re-drive a plan independently: windows, shift end, and the totals. */
static void assert_plan_feasible(const dsp_route_in *in, const dsp_params *p, const dsp_route_plan *r)
{
	double lat = in->lat, lon = in->lon;
	int64_t t = in->shift_start, travel = 0;
	bool seen[DSP_ROUTE_MAX] = {0};
	for (size_t k = 0; k < r->n_planned; k++) {
		const dsp_visit *v = &in->visits[r->seq[k]];
		assert_false(seen[r->seq[k]]);
		seen[r->seq[k]] = true;
		int64_t leg = dsp_travel_s(p, dsp_km(lat, lon, v->lat, v->lon), in->region);
		travel += leg;
		t += leg;
		if (t < v->win_start)
			t = v->win_start;
		assert_int_equal(r->start[k], t);
		if (v->win_end)
			assert_true(t < v->win_end);
		t += v->duration_s;
		lat = v->lat, lon = v->lon;
	}
	assert_true(t <= in->shift_end);
	assert_int_equal(travel, r->travel_s_after);
	for (size_t k = 0; k < r->n_unplanned; k++) {
		assert_false(seen[r->unplanned[k]]);
		seen[r->unplanned[k]] = true;
	}
	assert_int_equal(r->n_planned + r->n_unplanned, in->n);
}

static void route_fixed(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	/* four visits on a line east, given in a zig-zag order */
	dsp_visit v[] = {{1, LAT, lon_east(8), 0, 0, 1800}, {2, LAT, lon_east(2), 0, 0, 1800},
			 {3, LAT, lon_east(6), 0, 0, 1800}, {4, LAT, lon_east(4), 0, 0, 1800}};
	dsp_route_in in = {LAT, LON, HM(9, 0), HM(18, 0), "440100", v, 4};
	dsp_route_plan r;
	assert_true(dsp_route(&in, &p, &r));
	assert_plan_feasible(&in, &p, &r);
	assert_true(r.before_feasible);
	assert_int_equal(r.n_planned, 4);
	size_t want[] = {1, 3, 2, 0};
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(r.seq[k], want[k]);
	assert_true(fabs(r.km_after - 8) < 0.01);
	assert_true(fabs(r.km_before - (8 + 6 + 4 + 2)) < 0.01);
	assert_true(r.travel_s_after < r.travel_s_before);
	/* a window forces the far visit first */
	v[0].win_start = HM(9, 0), v[0].win_end = HM(9, 30);
	assert_true(dsp_route(&in, &p, &r));
	assert_plan_feasible(&in, &p, &r);
	assert_int_equal(r.seq[0], 0);
	assert_int_equal(r.n_planned, 4);
	/* infeasible visits: a window closed before the shift, one longer than the day */
	v[1].win_start = HM(7, 0), v[1].win_end = HM(8, 0);
	v[2].duration_s = 10 * 3600;
	assert_true(dsp_route(&in, &p, &r));
	assert_plan_feasible(&in, &p, &r);
	assert_false(r.before_feasible);
	assert_int_equal(r.n_planned, 2);
	assert_int_equal(r.n_unplanned, 2);
	assert_int_equal(r.unplanned[0], 1);
	assert_int_equal(r.unplanned[1], 2);
	in.n = DSP_ROUTE_MAX + 1;
	assert_false(dsp_route(&in, &p, &r));
}

/* The least travel over every order of all n visits (-1 if none is feasible). */
static int64_t brute_force(const dsp_route_in *in, const dsp_params *p, size_t *perm, size_t k)
{
	if (k == in->n) {
		double lat = in->lat, lon = in->lon;
		int64_t t = in->shift_start, travel = 0;
		for (size_t i = 0; i < in->n; i++) {
			const dsp_visit *v = &in->visits[perm[i]];
			int64_t leg = dsp_travel_s(p, dsp_km(lat, lon, v->lat, v->lon), in->region);
			travel += leg;
			t = t + leg < v->win_start ? v->win_start : t + leg;
			if (v->win_end && t >= v->win_end)
				return -1;
			t += v->duration_s;
			lat = v->lat, lon = v->lon;
		}
		return t <= in->shift_end ? travel : -1;
	}
	int64_t best = -1;
	for (size_t i = k; i < in->n; i++) {
		size_t x = perm[k];
		perm[k] = perm[i], perm[i] = x;
		int64_t c = brute_force(in, p, perm, k + 1);
		if (c >= 0 && (best < 0 || c < best))
			best = c;
		perm[i] = perm[k], perm[k] = x;
	}
	return best;
}

static void route_against_brute_force(void **state)
{
	(void)state;
	rng_state = 0x2545f4914f6cdd1dull;
	dsp_params p;
	dsp_params_default(&p);
	int optimal = 0, compared = 0;
	double worst_gap = 0, sum_gap = 0;
	for (int inst = 0; inst < 300; inst++) {
		dsp_visit v[7];
		size_t n = 2 + rnd() % 6;
		for (size_t i = 0; i < n; i++) {
			v[i] = (dsp_visit){(int64_t)i + 1, LAT + frand(-0.15, 0.15), LON + frand(-0.15, 0.15), 0, 0,
					   1800 + (int64_t)(rnd() % 3600)};
			if (rnd() % 2) {
				v[i].win_start = HM(9, 0) + (int64_t)(rnd() % 25000);
				v[i].win_end = v[i].win_start + 3600 * (1 + (int64_t)(rnd() % 3));
			}
		}
		dsp_route_in in = {LAT, LON, HM(9, 0), HM(18, 0), "440100", v, n};
		dsp_route_plan r;
		assert_true(dsp_route(&in, &p, &r));
		assert_plan_feasible(&in, &p, &r);
		if (r.before_feasible) {
			assert_int_equal(r.n_planned, n);
			assert_true(r.travel_s_after <= r.travel_s_before);
		}
		size_t perm[7] = {0, 1, 2, 3, 4, 5, 6};
		int64_t best = brute_force(&in, &p, perm, 0);
		if (best < 0)
			continue;
		compared++;
		assert_int_equal(r.n_planned, n); /* all fit in some order: the plan fits them all */
		double gap = (double)(r.travel_s_after - best) / (double)best;
		optimal += gap == 0;
		worst_gap = gap > worst_gap ? gap : worst_gap;
		sum_gap += gap;
	}
	print_message("route: %d of %d optimal, mean gap %.2f%%, worst %.1f%%\n", optimal, compared,
		      sum_gap / compared * 100, worst_gap * 100);
	assert_true(compared > 150);
	assert_true(optimal >= compared * 95 / 100);
	assert_true(sum_gap / compared < 0.005);
	assert_true(worst_gap < 0.15);
}

static void route_team(void **state)
{
	(void)state;
	dsp_params p;
	dsp_params_default(&p);
	dsp_visit v[] = {{1, LAT, lon_east(3), 0, 0, 1800}, {2, LAT, lon_east(1), 0, 0, 1800}};
	dsp_route_in in[2] = {{LAT, LON, HM(9, 0), HM(18, 0), "440100", v, 2},
			      {LAT, LON, HM(9, 0), HM(9, 20), "440100", v, 1}};
	dsp_route_plan r[2];
	assert_true(dsp_route_team(in, 2, &p, r));
	assert_int_equal(r[0].n_planned, 2);
	assert_int_equal(r[0].seq[0], 1);
	assert_int_equal(r[1].n_planned, 0); /* 3 km + 30 min does not fit in 20 minutes */
	assert_int_equal(r[1].n_unplanned, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reason_codes),
		cmocka_unit_test(each_rule_alone),
		cmocka_unit_test(certificate_expiry),
		cmocka_unit_test(brand_authorisation),
		cmocka_unit_test(service_area),
		cmocka_unit_test(shifts_and_leave),
		cmocka_unit_test(double_booking_and_travel),
		cmocka_unit_test(travel_estimate),
		cmocka_unit_test(nearest_wins),
		cmocka_unit_test(balanced_beats_nearest_by_weight),
		cmocka_unit_test(vip_prefers_senior_well_rated),
		cmocka_unit_test(urgent_prefers_free_sooner),
		cmocka_unit_test(unknown_position_ranked_by_region),
		cmocka_unit_test(window_and_earliest_start),
		cmocka_unit_test(grid_equals_scan),
		cmocka_unit_test(grid_ex_equals_scan),
		cmocka_unit_test(auto_never_double_books),
		cmocka_unit_test(auto_urgent_first_and_reasons),
		cmocka_unit_test(route_fixed),
		cmocka_unit_test(route_against_brute_force),
		cmocka_unit_test(route_team),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
