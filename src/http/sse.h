/*
 * sse.h — server-sent event streams (text/event-stream) without a thread per client.
 *
 * A stream is a libmicrohttpd callback response whose reader hands out what was queued for
 * the client and, when nothing is queued, suspends the connection (MHD_suspend_connection)
 * and returns 0; queuing a message resumes it. A suspended connection costs its socket and
 * its memory pool, no thread and no CPU. The registry of open streams is per process (per
 * node); what to send to whom is decided by the caller (api/events.c).
 */
#ifndef FUWU_SSE_H
#define FUWU_SSE_H

#include "http/http.h"

#include <stddef.h>

typedef struct sse_client sse_client;

/* Most streams one node holds at once (beyond: 503 with Retry-After). FUWU_SSE_MAX_CLIENTS
 * overrides it. */
#define SSE_MAX_CLIENTS 5000
/* A client that lets this much pile up unread is cut off (it reconnects with Last-Event-ID). */
#define SSE_MAX_PENDING (1024 * 1024)

/* Answer r with an open stream (200 text/event-stream) and register it. `user` travels with
 * the client and is freed with user_free when the stream ends. Returns NULL, having answered
 * 503 (full, or shutting down), when the stream cannot be opened; user_free(user) is called. */
sse_client *sse_open(req *r, void *user, void (*user_free)(void *));

/* Queue text for a client and wake its connection. Before the handler returns it may also
 * put text in front of what is queued (prepend: the catch-up of a resumed stream). */
void sse_send(sse_client *c, const char *text, size_t len);
void sse_prepend(sse_client *c, const char *text, size_t len);

/* Call fn for every open stream, under the registry lock (fn may sse_send, nothing else of
 * this module). */
void sse_each(void (*fn)(sse_client *c, void *user, void *arg), void *arg);

/* Every stream: a comment line as heartbeat, and the end of streams older than max_age_ms (so
 * a session that ended stops being served; EventSource reconnects at once). */
void sse_heartbeat(int64_t max_age_ms);

int sse_count(void);
/* End every stream and refuse new ones (SIGTERM): the readers finish, the connections resume. */
void sse_shutdown(void);

#endif
