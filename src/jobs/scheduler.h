/*
 * scheduler.h — one scheduler for the whole cluster (DESIGN: "scheduler thread"). Every node
 * started with `fuwu serve` runs the thread, but only the node holding the lease named
 * "scheduler" in the leases table runs the jobs; the others keep trying to take it, so when the
 * holder stops (it releases the lease) or dies (the lease runs out) another node carries on.
 *
 * Environment:
 *   FUWU_SCHEDULER=off        no scheduler on this node (it never takes the lease)
 *   FUWU_SCHEDULER_TICK_MS=N  the thread wakes every N ms (default 5000, 50..60000) to renew or
 *                             take the lease and run the jobs that are due; job intervals are
 *                             scaled by N/5000 too, so tests run the clock faster (200 → the
 *                             30-second SLA sweep every 1.2 s; a dispatch policy's minute
 *                             lasts 2.4 s). The lease lasts 3 ticks (at
 *                             least 2 s) and is renewed every tick.
 */
#ifndef FUWU_SCHEDULER_H
#define FUWU_SCHEDULER_H

#include "store/db.h"

/* A periodic job. fn runs on the scheduler thread with the node's database handle and
 * returns a store status (ST_OK); it must be safe to run twice at once on two nodes (a lease
 * handed over in the middle of a run), which conditional updates give for free. */
struct sched_job {
	const char *name;
	int interval_s;
	int (*fn)(db *d);
};

/* The job table (scheduler.c); other modules add their jobs there. */
extern const struct sched_job sched_jobs[];

/* Start the scheduler thread (unless FUWU_SCHEDULER=off). 0 on success. */
int scheduler_start(db *d);
/* Stop it: the thread ends, the lease is released if held. Safe if never started. */
void scheduler_stop(void);

#endif
