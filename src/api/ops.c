/*
 * ops.c — operations endpoints: /healthz (process up), /readyz (database answers),
 * /metrics (Prometheus text), /api/v1/openapi.json.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

void h_healthz(req *r)
{
	reply_text(r, 200, "text/plain; charset=utf-8", "ok\n", 3, false);
}

void h_readyz(req *r)
{
	if (db_ping(r->db))
		reply_text(r, 200, "text/plain; charset=utf-8", "ready\n", 6, false);
	else
		reply_problem(r, 503, "unavailable", "the database is not reachable");
}

void h_metrics(req *r)
{
	char *t = metrics_text();
	reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", t, strlen(t), true);
	free(t);
}

void h_openapi(req *r)
{
	reply_json(r, 200, openapi_document());
	reply_header(r, "Cache-Control", "no-cache");
}
