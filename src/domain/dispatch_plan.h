/*
 * dispatch_plan.h — the day's plan of a team (DOMAIN §4: "the day's visits of each technician
 * form a route; optimising the routes (travel time, time windows, skills, priorities, breaks)
 * is how the best systems cut travel"). Pure: structs in, a plan out; no SQL, no HTTP.
 *
 * The technicians become the route optimiser's vehicles (route/rt.h): working hours from their
 * shifts of the day, the gap of a split shift as a lunch break the optimiser may take up to
 * DPL_LUNCH_FLEX_S earlier or later, leave inside the working hours as a break fixed in time
 * (leave at either end shortens the day), the route starting at their position and ending at
 * the last visit (the way home is not counted, as in dsp_route). The day's orders become its
 * jobs: the visit starts within the appointment [start, end) (the time the customer was told
 * to expect the technician; at its start when it has no end), or any time of the working day
 * for an order without an appointment. Travel is the dispatch engine's estimate
 * (dsp_travel_s: straight line × detour ÷ speed; the slower city's speed when two differ; an
 * unknown position costs unknown_travel_s and 0 km).
 *
 * Modes. DPL_KEEP orders each technician's visits (an order stays with its technician);
 * DPL_TEAM may also move orders between technicians, but only to one the dispatch rules allow
 * — skill (when any is recorded), level, certificate, brand, service area, as a manual dispatch
 * checks them — or back to its own. Orders without a technician may go to any technician the
 * rules allow, in both modes. The time rules of a manual dispatch (shift, leave, double
 * booking) are the plan's own business: it schedules every visit.
 *
 * Never worse than the day as it is: in each group of technicians that share orders, the
 * given routes are kept when they keep every window and the plan neither serves more nor
 * travels less. In team mode, a plan that moves orders is taken only when it serves more
 * (by priority, then count) or saves at least DPL_MOVE_MIN_S of travel per order moved;
 * otherwise the keep plan is the answer (a move costs a phone call and the customer's SMS).
 *
 * Objective, as the optimiser's: the most priority served (P1 40, P2 30, P3 20, P4 10), then
 * the most orders, then the least travel time. Deterministic for a seed and an iteration
 * limit (the time limit only bounds very large teams).
 */
#ifndef FUWU_DISPATCH_PLAN_H
#define FUWU_DISPATCH_PLAN_H

#include "domain/dispatch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DPL_LUNCH_FLEX_S 3600  /* a lunch break moves at most this much */
#define DPL_LUNCH_MAX_S 7200   /* a longer gap between two shifts is not a lunch: it stays put */
#define DPL_MOVE_MIN_S 300     /* travel a move must save (team mode) */
#define DPL_MAX_BREAKS 16

enum dpl_mode { DPL_KEEP, DPL_TEAM };

/* Why an order is not in the plan. */
enum dpl_reason {
	DPL_UA_NONE,        /* dpl_plan_fixed: not in any route sent, left as it is */
	DPL_UA_NOT_WORKING, /* its technician does not work that day (no shift, leave, off duty, day over) */
	DPL_UA_NO_TECH,     /* no working technician of the team may take it (skill, brand, area …) */
	DPL_UA_WINDOW,      /* its appointment is outside the working hours (or already past) */
	DPL_UA_FAR,         /* nobody can reach it within its appointment and the working hours */
	DPL_UA_ROOM,        /* the day is full */
	DPL_UA_COMPLEX,     /* too many different skill combinations to plan together: left to its own */
};
const char *dpl_reason_code(int reason); /* "not_working", … */
const char *dpl_reason_text(int reason); /* the English sentence */

typedef struct dpl_job {
	dsp_order o;       /* what the rules look at; o.win_start/o.win_end: the appointment (0: none) */
	int tech;          /* its technician's index in dpl_in.techs, -1 = none */
	int64_t service_s; /* time on site */
} dpl_job;

typedef struct dpl_in {
	const dsp_tech *techs;
	const bool *skills_known; /* per technician; false: no skill recorded, the category is not checked */
	int n_techs;
	const dpl_job *jobs; /* a technician's jobs in this order are its route as it is ("before") */
	int n_jobs;
	int mode;                   /* enum dpl_mode */
	int64_t day_start, day_end; /* the civil day, seconds */
	int64_t not_before;         /* nothing planned earlier (now, for today); 0 = no limit */
	dsp_params prm;
	double time_limit;  /* seconds for the whole plan */
	int64_t iterations; /* the optimiser's iterations per group of technicians */
	uint64_t seed;
} dpl_in;

enum dpl_break_kind { DPL_LUNCH, DPL_LEAVE };

typedef struct dpl_break {
	int64_t start, end; /* planned: when it is taken */
	int kind;           /* enum dpl_break_kind */
} dpl_break;

typedef struct dpl_stop {
	int job;                     /* index in dpl_in.jobs */
	int64_t arrival, start, end; /* on site at arrival, service [start, end) */
	int64_t travel_s;            /* the leg to it */
	double km;                   /* straight-line km of that leg, 0 if a position is unknown */
} dpl_stop;

typedef struct dpl_route {
	bool working;                /* the technician works that day */
	int64_t work_start, work_end; /* working hours (from not_before) */
	int n_breaks;
	dpl_break breaks[DPL_MAX_BREAKS]; /* as planned (when the route has visits) */
	int n_before, *before;            /* the technician's jobs as given */
	bool before_feasible;             /* they keep every window and the working hours */
	int64_t travel_before_s;
	double km_before;
	int n_stops;
	dpl_stop *stops; /* the plan */
	int64_t travel_after_s;
	double km_after;
} dpl_route;

typedef struct dpl_unassigned {
	int job;
	int reason; /* enum dpl_reason */
} dpl_unassigned;

typedef struct dpl_plan {
	dpl_route *routes; /* one per technician of dpl_in.techs */
	int n_routes;
	dpl_unassigned *ua;
	int n_ua;
	int moved;    /* orders planned with another technician than their own */
	int assigned; /* orders without a technician that the plan gives one */
	int64_t travel_before_s, travel_after_s;
	double km_before, km_after;
	bool moves_kept; /* team mode: the plan that moves orders was better than the keep plan */
	double seconds;
	int64_t iterations;
} dpl_plan;

/* The plan of the day. False (and err) only for an inconsistent problem: a bug, not an input. */
bool dpl_plan_make(const dpl_in *in, dpl_plan *out, char *err, size_t errlen);

/* Refusals of dpl_plan_fixed. */
enum dpl_refusal { DPL_OK, DPL_BAD_JOB, DPL_NOT_WORKING, DPL_NOT_ALLOWED, DPL_LATE };

/* A plan the dispatcher applies, checked and timed again: seq[t] (n[t] jobs) is technician t's
 * route in visiting order; jobs in no route are left as they are (unassigned, DPL_UA_NONE).
 * Technicians and jobs may be moved as in team mode. DPL_OK and *out, or the refusal with the
 * technician (and the job, or -1) at fault. */
int dpl_plan_fixed(const dpl_in *in, int *const *seq, const int *n, dpl_plan *out, int *bad_tech, int *bad_job);

void dpl_plan_free(dpl_plan *p);

#endif
