/*
 * dispatch.h — the dispatch engine (DOMAIN §4 "Dispatch (派工)"), pure: no SQL, no HTTP, no
 * globals. Structs in, results out; every rule is unit-tested in tests/unit/test_dispatch.c.
 *
 *   dsp_check        the hard rules for one technician and one time slot (also the conflict check
 *                    of a manual dispatch)
 *   dsp_rank         suggestions for one order: a scan of all technicians
 *   dsp_grid_*       the same suggestions through a spatial index (10,000 technicians: a few
 *                    hundred evaluated, not all)
 *   dsp_auto         a backlog of orders dispatched greedily, booking as it goes
 *   dsp_route        the order of one technician's visits of the day
 *
 * Units. Instants are seconds since the epoch, UTC (int64_t); durations are seconds. Intervals
 * are half-open [start, end): back-to-back visits (one ends at 10:00, the next starts at 10:00)
 * do not overlap. A civil day is the number of days since 1970-01-01 in the tenant's zone
 * (params.tz_offset_min, +480 for China).
 *
 * Ownership. Every pointer in the structs is borrowed: the caller keeps the strings and arrays
 * alive for the duration of the call (and of a dsp_grid built over them).
 *
 * Positions. lat/lon in degrees; a position is unknown when either is NAN. A distance with an
 * unknown end is unknown (km NAN, travel -1), never 0 km. Where a distance decides (the service
 * area) and is unknown, the city code decides instead: the order's region must be the
 * technician's home region or one of the listed service regions.
 *
 * Travel estimate. km = great-circle (haversine) distance on a sphere of radius 6371.0088 km;
 * travel seconds = km × detour (default 1.3, roads are not straight) ÷ speed × 3600, rounded,
 * where speed is the order's city's entry in params.speeds, else params.kmh (default 30 km/h).
 * Travel between bookings counts only when both positions are known: a conflict is never
 * claimed on a distance the engine cannot measure.
 *
 * Score (higher is better; weights ≥ 0, defaults in brackets). Every term lies in [0, 1]:
 *
 *   near     = 1 / (1 + travel_min / 30)            travel to the order; unknown → unknown_travel_s
 *   balance  = ½ / (1 + open_orders / 3) + ½ / (1 + booked_min_today / 240)
 *   status   = c × (½ (level − 1) / 4 + ½ tech_score / 100),  c = 1 VIP, 0.6 A, 0.2 B, 0 C
 *   outcome  = tech_score / 100                      first-time fix, rework, satisfaction, SLA
 *   soon     = 1 / (1 + reach_min / 30)              reach = earliest feasible start − max(now,
 *                                                    window start): the travel if the technician
 *                                                    is free, plus the wait if busy
 *   u        = max((4 − priority) / 3, 1 − sla_slack / 4 h) clamped to [0, 1]   (P1 → 1, P4 → 0)
 *
 *   score = w_near near + w_balance balance + w_status status + w_outcome outcome + w_soon u soon
 *                                                     [w_near 40, w_balance 25, w_status 15,
 *                                                      w_outcome 10, w_soon 40]
 *
 * so an urgent order (or one close to its SLA) weighs the time to reach the customer up to
 * twice as much — distance when technicians are free, and a technician free sooner over a
 * nearer one who is busy; a VIP or class-A customer prefers senior, well-rated technicians.
 * Ties go to the smaller technician id (deterministic).
 */
#ifndef FUWU_DISPATCH_H
#define FUWU_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a technician cannot take an order (a bitmask; dsp_reason_code names each bit). */
enum dsp_reason {
	DSP_OFF_DUTY = 1u << 0,       /* not on duty */
	DSP_NO_SKILL = 1u << 1,       /* lacks the order's category */
	DSP_LEVEL_TOO_LOW = 1u << 2,  /* has it below the order's minimum level */
	DSP_NO_CERT = 1u << 3,        /* the order needs a certificate the technician lacks */
	DSP_CERT_EXPIRED = 1u << 4,   /* every certificate for the category expired before the day */
	DSP_NOT_AUTHORISED = 1u << 5, /* not authorised for the brand and category */
	DSP_OUT_OF_AREA = 1u << 6,    /* outside the service area */
	DSP_OUTSIDE_SHIFT = 1u << 7,  /* the slot is not inside one shift */
	DSP_ON_LEAVE = 1u << 8,       /* the slot overlaps a leave */
	DSP_DOUBLE_BOOKED = 1u << 9,  /* overlaps a booking, or leaves no time to travel to/from it */
	DSP_NO_SLOT = 1u << 10,       /* no free slot in the shifts (within the window) */
};
#define DSP_REASONS 11

/* The stable snake_case code of one reason bit ("double_booked"); "unknown" otherwise. */
const char *dsp_reason_code(unsigned bit);

typedef enum dsp_class { DSP_VIP, DSP_A, DSP_B, DSP_C } dsp_class;

typedef struct dsp_span {
	int64_t start, end; /* [start, end), seconds */
} dsp_span;

typedef struct dsp_booking {
	int64_t start, end; /* [start, end) of an appointment already booked */
	int64_t order_id;   /* its order: ignored when re-checking that same order */
	double lat, lon;    /* where it is, for the travel before and after it */
	const char *region; /* its city: the slower city's speed times the leg, both ways alike */
} dsp_booking;

typedef struct dsp_skill {
	const char *skill; /* a category name, "空调" */
	int level;         /* 1..5 */
} dsp_skill;

typedef struct dsp_cert {
	const char *skill;   /* the category it certifies */
	int32_t expires_day; /* last valid civil day; 0 = never expires */
} dsp_cert;

typedef struct dsp_auth {
	const char *brand;    /* NULL or "": any brand */
	const char *category; /* NULL or "": any category */
} dsp_auth;

typedef struct dsp_tech {
	int64_t id, org_id;
	double lat, lon;            /* current (or base) position; NAN = unknown */
	const char *region;         /* home city code, "440100" */
	double radius_km;           /* service area: this far from the position; 0 = none */
	const char *const *regions; /* service area: these city codes (with radius_km: either) */
	size_t n_regions;           /* no radius and no regions: no area limit */
	bool on_duty;
	const dsp_skill *skills;
	size_t n_skills;
	const dsp_cert *certs;
	size_t n_certs;
	const dsp_auth *auths; /* brand authorisations; none = any brand */
	size_t n_auths;
	const dsp_span *shifts; /* working time, any order */
	size_t n_shifts;
	const dsp_span *leave;
	size_t n_leave;
	const dsp_booking *booked;
	size_t n_booked;
	int open_orders;       /* orders assigned and not finished */
	int booked_min;        /* minutes booked today */
	int score;             /* outcome score 0..100, computed elsewhere */
	int level;             /* seniority 1..5 */
} dsp_tech;

typedef struct dsp_order {
	int64_t id;
	double lat, lon;            /* NAN = unknown */
	const char *region;         /* city code */
	const char *category;       /* the required skill; NULL or "": none */
	const char *brand;          /* NULL or "": no brand authorisation needed */
	int min_level;              /* 0 = any */
	bool needs_cert;            /* the work needs a certificate of the category */
	int priority;               /* 1 (P1, urgent) .. 4 */
	int64_t sla_slack_s;        /* time left before the SLA deadline; INT64_MAX = none */
	dsp_class cls;
	int64_t win_start, win_end; /* the visit starts in [win_start, win_end); win_end 0 = open */
	int64_t duration_s;
} dsp_order;

typedef struct dsp_speed {
	const char *region;
	double kmh;
} dsp_speed;

typedef struct dsp_params {
	double w_near, w_balance, w_status, w_outcome, w_soon; /* ≥ 0 (the index prunes on it) */
	double detour;            /* road km per straight km */
	double kmh;               /* speed where the city has no entry */
	const dsp_speed *speeds;  /* per-city speeds */
	size_t n_speeds;
	int64_t unknown_travel_s; /* travel assumed for scoring (and routes) when unknown */
	size_t max_candidates;    /* upper limit on top_n; 0 = none */
	int32_t check_day;        /* certificates checked on this civil day; 0 = the visit's day */
	int tz_offset_min;        /* local = UTC + offset, for civil days */
} dsp_params;

/* Defaults: the weights above, detour 1.3, 30 km/h, unknown travel 30 min, 50 candidates,
 * UTC+8, certificates checked on the visit's day. */
void dsp_params_default(dsp_params *p);

/* Haversine km; NAN if a position is unknown. */
double dsp_km(double lat1, double lon1, double lat2, double lon2);
/* Travel seconds for km in a city (see "Travel estimate"); -1 if km is NAN. */
int64_t dsp_travel_s(const dsp_params *p, double km, const char *region);

/* The hard rules for the slot [start, end): 0 if the technician may take it, else the reasons.
 * Bookings of the same order id are ignored (re-dispatching or moving a booked order). The
 * order's window and "now" are the caller's business here (the slot is given). */
unsigned dsp_check(const dsp_order *o, const dsp_tech *t, int64_t start, int64_t end, const dsp_params *p);

typedef struct dsp_candidate {
	size_t tech;         /* index into the technicians given */
	int64_t tech_id;
	double score;
	double km;           /* straight-line km; NAN = unknown */
	int64_t travel_s;    /* -1 = unknown */
	int open_orders, booked_min;
	int skill_level;     /* in the order's category (0 if the order needs none) */
	int tech_score, tech_level;
	int64_t start;       /* earliest feasible start */
} dsp_candidate;

/* One technician for one order at its earliest feasible start (≥ now + travel, in the window,
 * in a shift, clear of leave and bookings): 0 and *out filled, or the reasons it cannot. */
unsigned dsp_eval(const dsp_order *o, const dsp_tech *t, const dsp_params *p, int64_t now, dsp_candidate *out);

/* The best min(top_n, max_candidates) technicians for an order, best first; returns how many.
 * A scan of all n; dsp_grid_rank gives the same answer faster. */
size_t dsp_rank(const dsp_order *o, const dsp_tech *techs, size_t n, const dsp_params *p, int64_t now,
		dsp_candidate *out, size_t top_n);

/*
 * The spatial index: a uniform grid of ≈cell_km square cells (0 → 2 km) over the technicians
 * with a position, and a per-city list (home and service regions) for the rest and for orders
 * without a position. Search walks rings of cells outward and stops when no technician further
 * away can beat the N-th best found: each cell keeps the maxima of its technicians' balance,
 * status and outcome terms, so the answer equals dsp_rank's.
 *
 * Building costs O(n log n) (about 2 ms for 10,000): rebuild it per request, or cache
 * it while the technicians' positions, regions, level, score, open orders and booked minutes
 * are unchanged (bookings, shifts and leave may change freely). NULL if out of memory. The grid
 * borrows techs.
 */
typedef struct dsp_grid dsp_grid;
dsp_grid *dsp_grid_build(const dsp_tech *techs, size_t n, double cell_km);
void dsp_grid_free(dsp_grid *g);
size_t dsp_grid_rank(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now, dsp_candidate *out,
		     size_t top_n);
/* dsp_grid_rank over the technicians i the grid was built on with !skip[i] (skip NULL: all),
 * and also those listed in also[] (indices into the same array), each evaluated one by one
 * whatever skip says and wherever it is now. Both may name technicians whose entry changed
 * since the build — a moved technician, a new booking — when skip leaves them out of the
 * walk and also lists them: the cells' maxima still bound everyone else, so the answer is
 * dsp_rank's over the technicians not skipped plus those listed. The strings of a changed
 * entry's old value must stay alive while the grid does (the city list points to them). */
size_t dsp_grid_rank_ex(const dsp_grid *g, const dsp_order *o, const dsp_params *p, int64_t now,
			const unsigned char *skip, const size_t *also, size_t n_also, dsp_candidate *out, size_t top_n);

typedef struct dsp_assignment {
	int64_t order_id;
	int64_t tech_id;      /* 0: not assigned */
	size_t tech;          /* index into techs (when assigned) */
	int64_t start, end;   /* the booked slot */
	double score;
	unsigned reasons;     /* not assigned: why (DSP_NO_SLOT, or the nearest miss's reasons) */
} dsp_assignment;

/* Dispatch a backlog: orders by priority, then SLA slack, then id; each to its best candidate
 * (as dsp_grid_rank) at that candidate's earliest feasible start, booked at once on a private
 * copy of the technicians so that later orders see it (the techs passed in are not changed).
 * out[i] answers orders[i]. False only if out of memory; *n_assigned counts the assignments. */
bool dsp_auto(const dsp_order *orders, size_t n_orders, const dsp_tech *techs, size_t n_techs, const dsp_params *p,
	      int64_t now, dsp_assignment *out, size_t *n_assigned);

/*
 * Daily route of one technician: the visits of the day put in an order that keeps every
 * visit's window (service starts in [win_start, win_end), waiting if early) and ends the last
 * visit by the shift's end, with the least travel time. Built by cheapest feasible insertion
 * (and by insertion in order of closing window), improved by 2-opt, or-opt (moving runs of 1–3
 * visits) and swaps; the given order is also improved when it is feasible, so the result is
 * never worse than it. The route starts at the given
 * position at shift start and does not count a return. Legs with an unknown end count
 * unknown_travel_s in time and nothing in km. Visits that fit nowhere are unplanned.
 */
#define DSP_ROUTE_MAX 32

typedef struct dsp_visit {
	int64_t id;
	double lat, lon;
	int64_t win_start, win_end; /* win_end 0: no window */
	int64_t duration_s;
} dsp_visit;

typedef struct dsp_route_in {
	double lat, lon;                 /* start position */
	int64_t shift_start, shift_end;
	const char *region;              /* city, for the speed */
	const dsp_visit *visits;         /* in the given order ("before") */
	size_t n;                        /* ≤ DSP_ROUTE_MAX */
} dsp_route_in;

typedef struct dsp_route_plan {
	size_t n_planned;
	size_t seq[DSP_ROUTE_MAX];       /* indices into visits, in visiting order */
	int64_t start[DSP_ROUTE_MAX];    /* service start of seq[i] */
	size_t n_unplanned;
	size_t unplanned[DSP_ROUTE_MAX]; /* indices that fit nowhere */
	bool before_feasible;            /* the given order keeps every window and the shift */
	double km_before, km_after;      /* straight-line km of the legs */
	int64_t travel_s_before, travel_s_after;
} dsp_route_plan;

/* False if in->n > DSP_ROUTE_MAX. */
bool dsp_route(const dsp_route_in *in, const dsp_params *p, dsp_route_plan *out);
/* A team: dsp_route for each technician; false if any has too many visits. */
bool dsp_route_team(const dsp_route_in *ins, size_t n, const dsp_params *p, dsp_route_plan *outs);

#endif
