/* test_dispatch_plan.c — the day's plan of a team (domain/dispatch_plan.h): a zig-zag day put
 * in order with the lunch break kept clear of visits, appointments kept, leave and the time
 * already past, team mode moving orders only to technicians with the skill (and only when it
 * saves enough), the given routes kept when the plan is no better, the check of a plan sent
 * back for applying, and determinism. Guangzhou positions; all times local UTC+8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/dispatch_plan.h"

#define DAY0 20780 /* 2026-11-23, a Monday */
#define HM(h, m) ((int64_t)DAY0 * 86400 + (h) * 3600 + (m) * 60 - 8 * 3600)
#define LAT 23.13
#define LON 113.32

static double east(double km)
{
	return LON + km / (111.19508 * cos(LAT * M_PI / 180));
}

static const dsp_skill aircon[] = {{"空调", 3}, {"洗衣机", 3}};
static const dsp_skill washer[] = {{"洗衣机", 3}};
static const dsp_span day_shift[] = {{HM(9, 0), HM(12, 0)}, {HM(13, 0), HM(18, 0)}};

static dsp_tech tech(int64_t id, double km_east, const dsp_skill *sk, size_t nsk)
{
	return (dsp_tech){.id = id, .org_id = 1, .lat = LAT, .lon = east(km_east), .region = "440100", .on_duty = true,
			  .skills = sk, .n_skills = nsk, .shifts = day_shift, .n_shifts = 2, .score = 80, .level = 3};
}

static dpl_job job(int64_t id, double km_east, const char *cat, int tech_index)
{
	return (dpl_job){.o = {.id = id, .lat = LAT, .lon = east(km_east), .region = "440100", .category = cat,
			       .priority = 3, .sla_slack_s = INT64_MAX, .cls = DSP_C, .duration_s = 3600},
			 .tech = tech_index, .service_s = 3600};
}

static dpl_in input(const dsp_tech *t, int nt, const dpl_job *j, int nj, int mode)
{
	static const bool known[8] = {true, true, true, true, true, true, true, true};
	dpl_in in = {.techs = t, .skills_known = known, .n_techs = nt, .jobs = j, .n_jobs = nj, .mode = mode,
		     .day_start = HM(0, 0), .day_end = HM(24, 0), .time_limit = 2, .iterations = 2000, .seed = 1};
	dsp_params_default(&in.prm);
	return in;
}

static dpl_plan make(const dpl_in *in)
{
	dpl_plan p;
	char err[200];
	assert_true(dpl_plan_make(in, &p, err, sizeof err));
	return p;
}

/* Every visit inside the working day, none overlapping another or a break, travel respected. */
static void assert_sane(const dpl_in *in, const dpl_plan *p)
{
	for (int t = 0; t < p->n_routes; t++) {
		const dpl_route *r = &p->routes[t];
		for (int k = 0; k < r->n_stops; k++) {
			const dpl_stop *s = &r->stops[k];
			const dpl_job *j = &in->jobs[s->job];
			assert_true(s->start >= r->work_start && s->end <= r->work_end);
			assert_true(s->start >= s->arrival);
			if (j->o.win_start)
				assert_true(s->start >= j->o.win_start &&
					    (j->o.win_end ? s->start < j->o.win_end : s->start == j->o.win_start));
			if (k)
				assert_true(s->arrival >= r->stops[k - 1].end + s->travel_s);
			for (int b = 0; b < r->n_breaks; b++)
				assert_true(s->end <= r->breaks[b].start || s->start >= r->breaks[b].end);
		}
	}
}

static int stop_job_id(const dpl_in *in, const dpl_plan *p, int t, int k)
{
	return (int)in->jobs[p->routes[t].stops[k].job].o.id;
}

static void zigzag_put_in_order(void **state)
{
	(void)state;
	dsp_tech t[] = {tech(1, 0, aircon, 2)};
	dpl_job j[] = {job(10, 20, "空调", 0), job(11, 2, "空调", 0), job(12, 10, "空调", 0), job(13, 5, "空调", 0)};
	dpl_in in = input(t, 1, j, 4, DPL_KEEP);
	dpl_plan p = make(&in);
	assert_int_equal(p.n_ua, 0);
	assert_int_equal(p.routes[0].n_stops, 4);
	int want[] = {11, 13, 12, 10};
	for (int k = 0; k < 4; k++)
		assert_int_equal(stop_job_id(&in, &p, 0, k), want[k]);
	assert_true(p.travel_after_s < p.travel_before_s);
	assert_true(p.km_after < p.km_before - 10);
	assert_true(p.routes[0].before_feasible);
	assert_int_equal(p.routes[0].n_breaks, 1);
	const dpl_break *b = &p.routes[0].breaks[0];
	assert_int_equal(b->kind, DPL_LUNCH);
	assert_int_equal(b->end - b->start, 3600);
	assert_true(b->start >= HM(11, 0) && b->start <= HM(13, 0));
	assert_sane(&in, &p);
	assert_int_equal(p.moved, 0);
	dpl_plan_free(&p);
}

static void appointments_kept(void **state)
{
	(void)state;
	dsp_tech t[] = {tech(1, 0, aircon, 2)};
	dpl_job j[] = {job(10, 1, "空调", 0), job(11, 2, "空调", 0), job(12, 3, "空调", 0)};
	j[0].o.win_start = HM(15, 0); /* no end: at 15:00 */
	j[1].o.win_start = HM(9, 0); /* a morning: any hour of it */
	j[1].o.win_end = HM(12, 0);
	dpl_in in = input(t, 1, j, 3, DPL_KEEP);
	dpl_plan p = make(&in);
	assert_int_equal(p.n_ua, 0);
	for (int k = 0; k < 3; k++)
		if (stop_job_id(&in, &p, 0, k) == 10)
			assert_int_equal(p.routes[0].stops[k].start, HM(15, 0));
	assert_sane(&in, &p);
	dpl_plan_free(&p);
}

static void given_route_kept_when_as_good(void **state)
{
	(void)state;
	dsp_tech t[] = {tech(1, 0, aircon, 2)};
	dpl_job j[] = {job(10, 1, "空调", 0), job(11, 2, "空调", 0), job(12, 3, "空调", 0)};
	dpl_in in = input(t, 1, j, 3, DPL_KEEP);
	dpl_plan p = make(&in);
	for (int k = 0; k < 3; k++)
		assert_int_equal(stop_job_id(&in, &p, 0, k), 10 + k);
	assert_int_equal(p.travel_after_s, p.travel_before_s);
	dpl_plan_free(&p);
}

static void past_and_leave(void **state)
{
	(void)state;
	dsp_span leave_all[] = {{HM(0, 0), HM(24, 0)}}, leave_mid[] = {{HM(14, 0), HM(16, 0)}};
	dsp_tech t[] = {tech(1, 0, aircon, 2), tech(2, 0, aircon, 2), tech(3, 0, aircon, 2)};
	t[1].leave = leave_all;
	t[1].n_leave = 1;
	t[2].leave = leave_mid;
	t[2].n_leave = 1;
	dpl_job j[] = {job(10, 1, "空调", 0), job(11, 2, "空调", 0), job(12, 1, "空调", 1), job(13, 1, "空调", 2),
		       job(14, 2, "空调", 2)};
	j[0].o.win_start = HM(9, 0); /* past by 10:00 */
	j[0].o.win_end = HM(10, 0);
	dpl_in in = input(t, 3, j, 5, DPL_KEEP);
	in.not_before = HM(10, 0);
	dpl_plan p = make(&in);
	assert_int_equal(p.n_ua, 2);
	assert_int_equal(p.ua[0].job, 0);
	assert_int_equal(p.ua[0].reason, DPL_UA_WINDOW);
	assert_int_equal(p.ua[1].job, 2);
	assert_int_equal(p.ua[1].reason, DPL_UA_NOT_WORKING);
	assert_false(p.routes[1].working);
	assert_int_equal(p.routes[0].stops[0].start >= HM(10, 0), 1);
	/* leave in the afternoon: a break fixed in time, no visit during it */
	const dpl_route *r = &p.routes[2];
	assert_int_equal(r->n_stops, 2);
	bool leave_seen = false;
	for (int b = 0; b < r->n_breaks; b++)
		if (r->breaks[b].kind == DPL_LEAVE) {
			leave_seen = true;
			assert_int_equal(r->breaks[b].start, HM(14, 0));
		}
	assert_true(leave_seen || r->stops[1].end <= HM(14, 0));
	assert_sane(&in, &p);
	assert_string_equal(dpl_reason_code(DPL_UA_WINDOW), "window");
	dpl_plan_free(&p);
	/* team mode: the order of the technician on leave goes to a colleague */
	in.mode = DPL_TEAM;
	p = make(&in);
	bool placed = false;
	for (int t2 = 0; t2 < 3; t2++)
		for (int k = 0; k < p.routes[t2].n_stops; k++)
			placed = placed || stop_job_id(&in, &p, t2, k) == 12;
	assert_true(placed);
	assert_sane(&in, &p);
	dpl_plan_free(&p);
}

static void team_moves_respect_skills(void **state)
{
	(void)state;
	/* A (air-con and washers) in the west has the whole day; B (washers only) sits in the east */
	dsp_tech t[] = {tech(1, 0, aircon, 2), tech(2, 20, washer, 1)};
	dpl_job j[] = {job(10, 19, "洗衣机", 0), job(11, 21, "洗衣机", 0), job(12, 1, "空调", 0), job(13, 2, "洗衣机", 0)};
	dpl_in in = input(t, 2, j, 4, DPL_TEAM);
	dpl_plan p = make(&in);
	assert_int_equal(p.n_ua, 0);
	assert_true(p.moved >= 2);
	assert_true(p.moves_kept);
	assert_true(p.travel_after_s + 300 * p.moved <= p.travel_before_s);
	for (int k = 0; k < p.routes[1].n_stops; k++)
		assert_string_equal(in.jobs[p.routes[1].stops[k].job].o.category, "洗衣机");
	assert_sane(&in, &p);
	dpl_plan p2 = make(&in); /* deterministic */
	for (int x = 0; x < 2; x++) {
		assert_int_equal(p.routes[x].n_stops, p2.routes[x].n_stops);
		for (int k = 0; k < p.routes[x].n_stops; k++)
			assert_int_equal(p.routes[x].stops[k].job, p2.routes[x].stops[k].job);
	}
	dpl_plan_free(&p2);
	dpl_plan_free(&p);
	/* keep mode moves nothing */
	in.mode = DPL_KEEP;
	p = make(&in);
	assert_int_equal(p.moved, 0);
	assert_int_equal(p.routes[0].n_stops, 4);
	dpl_plan_free(&p);
}

static void small_saving_no_move(void **state)
{
	(void)state;
	/* both at the centre: moving saves nothing worth a phone call */
	dsp_tech t[] = {tech(1, 0, aircon, 2), tech(2, 0.5, aircon, 2)};
	dpl_job j[] = {job(10, 0.6, "空调", 0), job(11, 0.1, "空调", 1)};
	dpl_in in = input(t, 2, j, 2, DPL_TEAM);
	dpl_plan p = make(&in);
	assert_int_equal(p.moved, 0);
	assert_false(p.moves_kept);
	dpl_plan_free(&p);
}

static void unassigned_orders_placed(void **state)
{
	(void)state;
	dsp_tech t[] = {tech(1, 0, aircon, 2), tech(2, 10, washer, 1)};
	dpl_job j[] = {job(10, 9, "空调", -1), job(11, 10, "冰箱", -1), job(12, 11, "洗衣机", -1)};
	dpl_in in = input(t, 2, j, 3, DPL_KEEP);
	dpl_plan p = make(&in);
	assert_int_equal(p.assigned, 2);
	assert_int_equal(p.n_ua, 1);
	assert_int_equal(p.ua[0].job, 1);
	assert_int_equal(p.ua[0].reason, DPL_UA_NO_TECH);
	assert_int_equal(stop_job_id(&in, &p, 0, 0), 10);
	assert_int_equal(stop_job_id(&in, &p, 1, 0), 12);
	dpl_plan_free(&p);
}

static void fixed_plan_checked(void **state)
{
	(void)state;
	dsp_tech t[] = {tech(1, 0, aircon, 2), tech(2, 10, washer, 1)};
	dpl_job j[] = {job(10, 1, "空调", 0), job(11, 2, "洗衣机", 0), job(12, 3, "空调", 0)};
	j[2].o.win_start = HM(9, 0);
	j[2].o.win_end = HM(10, 0);
	dpl_in in = input(t, 2, j, 3, DPL_KEEP);
	int s0[] = {2, 0}, s1[] = {1}, late[] = {0, 2}, wrong[] = {0};
	int *seq[] = {s0, s1};
	int n[] = {2, 1};
	int bt, bj;
	dpl_plan p;
	assert_int_equal(dpl_plan_fixed(&in, seq, n, &p, &bt, &bj), DPL_OK);
	assert_true(p.routes[0].stops[0].start < HM(9, 10));
	assert_int_equal(p.moved, 1);
	assert_int_equal(p.n_ua, 0);
	assert_sane(&in, &p);
	dpl_plan_free(&p);
	seq[0] = late; /* the 09:00 appointment after another hour's visit */
	n[1] = 0;
	assert_int_equal(dpl_plan_fixed(&in, seq, n, &p, &bt, &bj), DPL_LATE);
	assert_int_equal(bt, 0);
	seq[0] = s0;
	seq[1] = wrong; /* an air-con order to the washer technician */
	n[1] = 1;
	s0[0] = 2;
	n[0] = 1;
	assert_int_equal(dpl_plan_fixed(&in, seq, n, &p, &bt, &bj), DPL_NOT_ALLOWED);
	assert_int_equal(bt, 1);
	assert_int_equal(bj, 0);
	int twice[] = {2, 2};
	seq[0] = twice;
	n[0] = 2;
	n[1] = 0;
	assert_int_equal(dpl_plan_fixed(&in, seq, n, &p, &bt, &bj), DPL_BAD_JOB);
	/* orders in no route are left as they are */
	int one[] = {0};
	seq[0] = one;
	n[0] = 1;
	assert_int_equal(dpl_plan_fixed(&in, seq, n, &p, &bt, &bj), DPL_OK);
	assert_int_equal(p.n_ua, 2);
	assert_int_equal(p.ua[0].reason, DPL_UA_NONE);
	dpl_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zigzag_put_in_order),
		cmocka_unit_test(appointments_kept),
		cmocka_unit_test(given_route_kept_when_as_good),
		cmocka_unit_test(past_and_leave),
		cmocka_unit_test(team_moves_respect_skills),
		cmocka_unit_test(small_saving_no_move),
		cmocka_unit_test(unassigned_orders_placed),
		cmocka_unit_test(fixed_plan_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
