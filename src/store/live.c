/* live.c — placeholder until per-state counts land. */
#include "store/store.h"

int wo_counts_move(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *from, const char *to)
{
	(void)tx;
	(void)tenant_id;
	(void)org_id;
	(void)from;
	(void)to;
	return ST_OK;
}
