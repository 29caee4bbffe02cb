/*
 * solomon.h — the Solomon / Gehring & Homberger VRPTW text format (benchmark only): a name,
 * the fleet size and capacity, then one row per node "id x y demand ready due service",
 * node 0 being the depot. Read by bench code, independently of the solver.
 */
#ifndef FUWU_BENCH_SOLOMON_H
#define FUWU_BENCH_SOLOMON_H

typedef struct sol_inst {
	char name[64];
	int fleet, capacity;
	int n; /* nodes including the depot */
	double *x, *y, *ready, *due, *service;
	int *demand;
} sol_inst;

/* 0 on success; -1 with a message on stderr. */
int sol_read(const char *path, sol_inst *in);
void sol_free(sol_inst *in);

/* Independent feasibility check of a solution given as routes of customer numbers (1..n-1):
 * every customer exactly once, at most fleet routes, capacity, windows (service starts in
 * [ready, due], back at the depot by its due time). Returns 0 and the total Euclidean
 * distance in *dist if feasible, else -1 with the first violation in msg. */
int sol_check(const sol_inst *in, int nroutes, const int *const *routes, const int *len, double *dist, char *msg,
              int msglen);

#endif
