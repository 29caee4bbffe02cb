/*
 * sse.c — server-sent event streams on libmicrohttpd's suspend/resume (see sse.h).
 *
 * Each client has a small output queue under its own lock and a `suspended` flag that is
 * true exactly while its connection is suspended: the reader sets it (and suspends) when the
 * queue is empty, a sender clears it (and resumes) after queuing. libmicrohttpd's rule is
 * that resuming a connection that is not suspended is undefined behaviour, so the flag and
 * the two calls only ever change together under the client's lock.
 *
 * Lifetime: the registry holds every client from sse_open until libmicrohttpd destroys the
 * response (client_free), which happens only once the connection is done with it; a
 * suspended connection is never closed by libmicrohttpd, so a client that can be woken is
 * always alive. Lock order: registry, then client (then libmicrohttpd's own).
 */
#include "http/sse.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sse_client {
	struct MHD_Connection *conn;
	pthread_mutex_t mu;    /* guards everything below but prev/next */
	char *data;            /* queued output: data[off..len) not yet handed to the connection */
	size_t off, len, cap;
	bool suspended;        /* the connection is suspended (the reader had nothing to give) */
	bool closing;          /* end the stream once the queue is drained */
	int64_t opened_ms;
	void *user;
	void (*user_free)(void *);
	sse_client *prev, *next; /* registry list, under reg_mu */
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static sse_client *reg_head;
static int reg_count;
static bool reg_closed;
static int reg_max;

int sse_count(void)
{
	return __atomic_load_n(&reg_count, __ATOMIC_RELAXED);
}

/* With c->mu held: let the connection run again if it waits for data. */
static void wake(sse_client *c)
{
	if (c->suspended) {
		c->suspended = false;
		MHD_resume_connection(c->conn);
	}
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	sse_client *c = cls;
	ssize_t n = 0;
	pthread_mutex_lock(&c->mu);
	if (c->off < c->len) {
		size_t k = c->len - c->off < max ? c->len - c->off : max;
		memcpy(out, c->data + c->off, k);
		c->off += k;
		n = (ssize_t)k;
	} else {
		c->off = c->len = 0;
		if (c->cap > 16384) { /* a burst is over: give its memory back */
			free(c->data);
			c->data = NULL;
			c->cap = 0;
		}
		if (c->closing) {
			n = MHD_CONTENT_READER_END_OF_STREAM;
		} else {
			c->suspended = true;
			MHD_suspend_connection(c->conn);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return n;
}

static void client_free(void *cls)
{
	sse_client *c = cls;
	pthread_mutex_lock(&reg_mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		reg_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	__atomic_sub_fetch(&reg_count, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&reg_mu);
	if (c->user_free)
		c->user_free(c->user);
	pthread_mutex_destroy(&c->mu);
	free(c->data);
	free(c);
}

/* With c->mu held. */
static void queue(sse_client *c, const char *text, size_t len, bool front)
{
	if (c->closing)
		return;
	size_t pending = c->len - c->off;
	if (pending + len > SSE_MAX_PENDING) {
		/* the client does not read: end the stream, it catches up when it reconnects */
		c->closing = true;
		return;
	}
	if (c->off) { /* compact */
		memmove(c->data, c->data + c->off, pending);
		c->off = 0;
		c->len = pending;
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 512;
		while (cap < c->len + len + 1)
			cap *= 2;
		c->data = xrealloc(c->data, cap);
		c->cap = cap;
	}
	if (front) {
		memmove(c->data + len, c->data, c->len);
		memcpy(c->data, text, len);
	} else {
		memcpy(c->data + c->len, text, len);
	}
	c->len += len;
}

void sse_send(sse_client *c, const char *text, size_t len)
{
	pthread_mutex_lock(&c->mu);
	queue(c, text, len, false);
	wake(c);
	pthread_mutex_unlock(&c->mu);
}

void sse_prepend(sse_client *c, const char *text, size_t len)
{
	pthread_mutex_lock(&c->mu);
	queue(c, text, len, true);
	wake(c);
	pthread_mutex_unlock(&c->mu);
}

static int max_clients(void)
{
	if (!reg_max) {
		int64_t v = SSE_MAX_CLIENTS;
		const char *e = getenv("FUWU_SSE_MAX_CLIENTS");
		if (e && !parse_i64(e, 1, 1000000, &v))
			v = SSE_MAX_CLIENTS;
		reg_max = (int)v;
	}
	return reg_max;
}

sse_client *sse_open(req *r, void *user, void (*user_free)(void *))
{
	pthread_mutex_lock(&reg_mu);
	bool refuse = reg_closed || reg_count >= max_clients();
	sse_client *c = NULL;
	if (!refuse) {
		c = xcalloc(1, sizeof *c);
		pthread_mutex_init(&c->mu, NULL);
		c->conn = r->conn;
		c->user = user;
		c->user_free = user_free;
		c->opened_ms = now_ms();
		c->next = reg_head;
		if (reg_head)
			reg_head->prev = c;
		reg_head = c;
		__atomic_add_fetch(&reg_count, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&reg_mu);
	if (refuse) {
		if (user_free)
			user_free(user);
		reply_problem_x(r, 503, "unavailable", "too many live streams on this server; try again shortly",
				json_pack("{s:i}", "retry_after", 5));
		reply_header(r, "Retry-After", "5");
		return NULL;
	}
	/* the first bytes: the reconnection delay, so the headers and the stream start at once */
	static const char hello[] = ": fuwu live events\nretry: 3000\n\n";
	pthread_mutex_lock(&c->mu);
	queue(c, hello, sizeof hello - 1, true);
	pthread_mutex_unlock(&c->mu);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 512, reader, c, client_free);
	if (!resp) {
		client_free(c);
		reply_problem(r, 500, "internal", "cannot open the stream");
		return NULL;
	}
	MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: do not buffer the stream */
	reply_mhd(r, 200, resp, "text/event-stream; charset=utf-8");
	return c;
}

void sse_each(void (*fn)(sse_client *c, void *user, void *arg), void *arg)
{
	pthread_mutex_lock(&reg_mu);
	for (sse_client *c = reg_head; c; c = c->next)
		fn(c, c->user, arg);
	pthread_mutex_unlock(&reg_mu);
}

void sse_heartbeat(int64_t max_age_ms)
{
	static const char beat[] = ":\n\n";
	int64_t now = now_ms();
	pthread_mutex_lock(&reg_mu);
	for (sse_client *c = reg_head; c; c = c->next) {
		pthread_mutex_lock(&c->mu);
		if (max_age_ms > 0 && now - c->opened_ms > max_age_ms)
			c->closing = true;
		else if (c->off == c->len)
			queue(c, beat, sizeof beat - 1, false);
		wake(c); /* also finds clients that went away: their socket fails on the write */
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&reg_mu);
}

void sse_shutdown(void)
{
	pthread_mutex_lock(&reg_mu);
	reg_closed = true;
	for (sse_client *c = reg_head; c; c = c->next) {
		pthread_mutex_lock(&c->mu);
		c->closing = true;
		wake(c);
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&reg_mu);
}
