/*
 * outbox.c — the notification outbox: every message to a customer or a user is a row written
 * in the same transaction as the event that causes it (so a rolled-back event sends nothing and
 * a committed one is never forgotten). A sender (a later issue: SMS, e-mail, WeCom) claims
 * pending rows and marks them sent or failed.
 */
#include "store/store.h"

#include <stdlib.h>

int outbox_add(db_tx *tx, int64_t tenant_id, const char *channel, const char *recipient, const char *tmpl,
	       json_t *data, int64_t order_id, int64_t customer_id)
{
	char *d = json_dumps(data ? data : json_object(), JSON_COMPACT);
	int64_t now = now_ms();
	dbv p[] = {VI(tenant_id), VT(channel), VT(recipient), VT(tmpl), VT(d), order_id ? VI(order_id) : VN,
		   customer_id ? VI(customer_id) : VN, VI(now), VI(now)};
	int rc = db_exec(tx,
			 "INSERT INTO outbox(tenant_id, channel, recipient, template, data_json, order_id, customer_id, "
			 "created_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 p, 9);
	free(d);
	return rc == DB_OK ? ST_OK : ST_DB;
}

struct list_ctx {
	const principal *who;
	int64_t order_id, cursor, next;
	const char *state;
	int limit;
	json_t *out;
};

static int list_fn(db_tx *tx, void *arg)
{
	struct list_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[6];
	int n = 0;
	buf_puts(&sql, "SELECT id, channel, recipient, template, data_json, state, attempts, order_id, customer_id, "
		       "created_at, sent_at, last_error FROM outbox WHERE tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->order_id) {
		buf_puts(&sql, " AND order_id = ?");
		p[n++] = VI(c->order_id);
	}
	if (c->state) {
		buf_puts(&sql, " AND state = ?");
		p[n++] = VT(c->state);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY id DESC LIMIT %d", c->limit + 1);
	int rc = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return rc;
}

int store_outbox_list(db *d, const principal *who, int64_t order_id, const char *state, int limit, int64_t cursor,
		      json_t **items, int64_t *next)
{
	struct list_ctx c = {.who = who, .order_id = order_id, .state = state, .limit = limit, .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}
