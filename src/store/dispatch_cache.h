/*
 * dispatch_cache.h — each node's cache of the technicians dispatch ranks (dispatch_cache.c),
 * shared by dispatch.c and nothing else.
 */
#ifndef FUWU_DISPATCH_CACHE_H
#define FUWU_DISPATCH_CACHE_H

#include "domain/dispatch.h"
#include "store/store.h"

/* The states in which an order is the technician's open work (and books their time). */
#define DSP_OPEN_STATES "('dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer')"
#define DSP_DEFAULT_VISIT_S 3600

/* Who a suggested technician is, copied out of the cache. */
typedef struct dcache_pick {
	int64_t org_id;
	char *name, *org_name; /* the caller frees */
} dcache_pick;

/* False when FUWU_DISPATCH_CACHE=off: every request loads the technicians itself. */
bool dcache_enabled(void);

/* The best `want` technicians of the caller's subtree for order o on the day starting at
 * day_start (seconds, local midnight), as dsp_rank over them as the database holds them now:
 * *n candidates with picks[0..*n) (want entries), and the count of the subtree's technicians.
 * ST_INVALID when the cache cannot serve (off, or too many tenants): load them instead. */
int dcache_rank(db_tx *tx, const principal *who, int64_t day_start, const dsp_order *o, const dsp_params *prm,
		int64_t now, dsp_candidate *cand, size_t want, size_t *n, dcache_pick *picks, size_t *n_techs);

/* The scheduler's cleaning: notes of changes older than an hour go (a node that has not looked
 * for half an hour reloads everything instead). */
int store_dispatch_changes_prune(db *d, int64_t now_ms, int64_t *deleted);

#endif
