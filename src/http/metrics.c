/*
 * metrics.c — Prometheus text for /metrics: request counts per route and status class,
 * a latency histogram per route, and the time spent in the database. Counters are
 * per process (Prometheus scrapes every node), updated with atomics.
 */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#define MAX_ROUTES 160
#define NBUCKETS 12
static const double bucket_le[NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

struct rstat {
	uint64_t by_class[6]; /* 1xx..5xx at [1..5] */
	uint64_t buckets[NBUCKETS];
	uint64_t count;
	uint64_t sum_ns;
};
static struct rstat stats[MAX_ROUTES + 1]; /* last slot: no route matched */

void metrics_observe(int route_idx, int status, int64_t ns)
{
	struct rstat *s = &stats[route_idx >= 0 && route_idx < MAX_ROUTES ? route_idx : MAX_ROUTES];
	int cls = status / 100;
	if (cls < 1 || cls > 5)
		cls = 5;
	__atomic_add_fetch(&s->by_class[cls], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->sum_ns, (uint64_t)ns, __ATOMIC_RELAXED);
	double sec = (double)ns / 1e9;
	for (int b = 0; b < NBUCKETS; b++)
		if (sec <= bucket_le[b])
			__atomic_add_fetch(&s->buckets[b], 1, __ATOMIC_RELAXED);
}

static void route_label(int i, char *out, size_t len)
{
	if (i == MAX_ROUTES || i >= routes_count) {
		snprintf(out, len, "method=\"ANY\",route=\"other\"");
		return;
	}
	static const char *m[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "OTHER"};
	snprintf(out, len, "method=\"%s\",route=\"%s\"", m[routes[i].method], routes[i].pattern);
}

char *metrics_text(void)
{
	buf b;
	buf_init(&b, 0);
	char label[256];
	buf_puts(&b, "# HELP fuwu_http_requests_total HTTP requests by route and status class.\n"
		     "# TYPE fuwu_http_requests_total counter\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		if (i < MAX_ROUTES && i >= routes_count)
			continue;
		route_label(i, label, sizeof label);
		for (int c = 1; c <= 5; c++) {
			uint64_t v = __atomic_load_n(&stats[i].by_class[c], __ATOMIC_RELAXED);
			if (v)
				buf_printf(&b, "fuwu_http_requests_total{%s,code=\"%dxx\"} %llu\n", label, c, (unsigned long long)v);
		}
	}
	buf_puts(&b, "# HELP fuwu_http_request_duration_seconds Time to answer, by route.\n"
		     "# TYPE fuwu_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		if (i < MAX_ROUTES && i >= routes_count)
			continue;
		uint64_t count = __atomic_load_n(&stats[i].count, __ATOMIC_RELAXED);
		if (!count)
			continue;
		route_label(i, label, sizeof label);
		for (int k = 0; k < NBUCKETS; k++)
			buf_printf(&b, "fuwu_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", label, bucket_le[k],
				   (unsigned long long)__atomic_load_n(&stats[i].buckets[k], __ATOMIC_RELAXED));
		buf_printf(&b, "fuwu_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", label, (unsigned long long)count);
		buf_printf(&b, "fuwu_http_request_duration_seconds_sum{%s} %.6f\n", label,
			   (double)__atomic_load_n(&stats[i].sum_ns, __ATOMIC_RELAXED) / 1e9);
		buf_printf(&b, "fuwu_http_request_duration_seconds_count{%s} %llu\n", label, (unsigned long long)count);
	}
	uint64_t ns, calls;
	db_stats(&ns, &calls);
	buf_printf(&b, "# HELP fuwu_db_seconds_total Time spent in database calls.\n# TYPE fuwu_db_seconds_total counter\n"
		       "fuwu_db_seconds_total %.6f\n"
		       "# HELP fuwu_db_calls_total Database calls.\n# TYPE fuwu_db_calls_total counter\nfuwu_db_calls_total %llu\n",
		   (double)ns / 1e9, (unsigned long long)calls);
	return buf_steal(&b);
}
