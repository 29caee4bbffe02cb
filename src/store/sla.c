/* sla.c — placeholder until the SLA module lands: no deadlines. */
#include "store/store.h"

int sla_stamp_order(db_tx *tx, const principal *who, int64_t order_id)
{
	(void)tx;
	(void)who;
	(void)order_id;
	return ST_OK;
}
