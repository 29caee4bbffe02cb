/*
 * events.c — live progress (issue 4 item 12): GET /api/v1/events, a server-sent event
 * stream of the work orders' timeline rows, and the list header's summary and the wall
 * board it keeps fresh.
 *
 * The events come from the database, so every node sees every write: one poller thread per
 * node reads the wo_events rows after the last one it saw (every 50 ms while anyone listens;
 * the id is the primary key, so this is a short index range read) and fans each one out to
 * the streams whose caller may see the order — the tenant; the caller's organisation subtree
 * by the order's organisation path; a customer only their own orders, and only public rows.
 *
 *   id: <wo_events.id>
 *   event: wo
 *   data: {"order_id":…,"number":"…","event":"accept","status":"accepted","at":"…","actor":{…}}
 *
 * A client that reconnects with Last-Event-ID first gets what it missed (up to CATCHUP_MAX
 * rows; beyond that an `event: reset` tells it to reload). A heartbeat comment goes out every
 * 15 s, and a stream ends after 10 minutes so that a session that ended stops being served
 * (EventSource reconnects on its own, authenticated again, and resumes from its last id).
 *
 * PostgreSQL hands out ids before commit, so a row may become visible after a higher one: the
 * poller remembers the ids it skipped and looks for them again for GAP_WAIT_MS. SQLite commits
 * in id order (one writer), so there it simply follows the highest id.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "http/sse.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 50
#define IDLE_POLL_MS 1000      /* no one listening: only keep up with the newest id */
#define BATCH 500
#define GAP_WAIT_MS 10000
#define MAX_GAPS 1024
#define CATCHUP_MAX 1000
#define HEARTBEAT_MS 15000
#define STREAM_MAX_AGE_MS (10 * 60 * 1000)

/* What a stream carries with it: the caller, for the audience check of every row. */
struct listener {
	principal who;
	bool customer;
	size_t path_len;
};

struct gap {
	int64_t id, since;
};

static struct {
	db *db;
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;   /* held while a batch is fanned out; guards pos */
	pthread_cond_t cond;  /* stop */
	bool stop;
	int64_t pos;          /* highest id fanned out (or skipped) so far */
	struct gap gaps[MAX_GAPS];
	int ngaps;
} lv = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* May this caller see this row? */
static bool visible(const struct listener *l, const live_event *e)
{
	if (e->tenant_id != l->who.tenant_id)
		return false;
	if (l->customer)
		return e->public_ && e->customer_id && e->customer_id == l->who.customer_id;
	if (l->who.org_id == l->who.root_org_id || (e->assignee_id && e->assignee_id == l->who.user_id))
		return true;
	return !strncmp(e->org_path, l->who.org_path, l->path_len);
}

/* The message of one row; caller frees. */
static char *message(const live_event *e, size_t *len)
{
	char at[32];
	iso_from_ms(e->at, at);
	json_t *by = e->actor_id ? json_pack("{s:I, s:s}", "id", (json_int_t)e->actor_id, "name", e->actor_name)
				    : json_null();
	json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "order_id", (json_int_t)e->order_id, "number", e->number,
			      "event", e->event, "status", e->status, "at", at, "actor", by);
	char *js = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	char *m = xasprintf("id: %lld\nevent: wo\ndata: %s\n\n", (long long)e->id, js ? js : "{}");
	free(js);
	*len = strlen(m);
	return m;
}

struct fan {
	const live_event *e;
	const char *msg;
	size_t len;
};

static void fan_one(sse_client *c, void *user, void *arg)
{
	struct fan *f = arg;
	if (visible(user, f->e))
		sse_send(c, f->msg, f->len);
}

/* With lv.mu held: send the rows to every stream that may see them. */
static void fan_out(const live_event *rows, int n)
{
	for (int i = 0; i < n; i++) {
		struct fan f = {.e = &rows[i]};
		char *m = message(&rows[i], &f.len);
		f.msg = m;
		sse_each(fan_one, &f);
		free(m);
	}
}

static void gap_remove(int i)
{
	lv.gaps[i] = lv.gaps[--lv.ngaps];
}

/* One poll: new rows, then rows that filled a gap. Returns the number of new rows read. */
static int poll_once(bool pg)
{
	live_event *rows = NULL;
	int n = 0;
	if (store_live_events(lv.db, lv.pos, NULL, 0, BATCH, &rows, &n) != ST_OK) {
		free(rows);
		return 0;
	}
	int64_t now = now_ms();
	pthread_mutex_lock(&lv.mu);
	if (pg) {
		for (int i = 0; i < n; i++) {
			int64_t expect = i ? rows[i - 1].id + 1 : lv.pos + 1;
			for (int64_t id = expect; id < rows[i].id && lv.ngaps < MAX_GAPS; id++)
				lv.gaps[lv.ngaps++] = (struct gap){id, now};
		}
	}
	fan_out(rows, n);
	if (n)
		lv.pos = rows[n - 1].id;
	pthread_mutex_unlock(&lv.mu);
	free(rows);
	if (!pg || !lv.ngaps)
		return n;
	/* ids skipped: look for them again (they commit late, or they were rolled back) */
	int64_t ids[LIVE_MAX_IDS];
	int k = 0;
	for (int i = lv.ngaps - 1; i >= 0; i--)
		if (now - lv.gaps[i].since > GAP_WAIT_MS)
			gap_remove(i);
	for (int i = 0; i < lv.ngaps && k < LIVE_MAX_IDS; i++)
		ids[k++] = lv.gaps[i].id;
	live_event *late = NULL;
	int nl = 0;
	if (k && store_live_events(lv.db, 0, ids, k, 0, &late, &nl) == ST_OK && nl) {
		pthread_mutex_lock(&lv.mu);
		fan_out(late, nl);
		pthread_mutex_unlock(&lv.mu);
		for (int j = 0; j < nl; j++)
			for (int i = lv.ngaps - 1; i >= 0; i--)
				if (lv.gaps[i].id == late[j].id)
					gap_remove(i);
	}
	free(late);
	return n;
}

/* Wait ms, or less when told to stop. Returns false once stopping. */
static bool pause_ms(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lv.mu);
	if (!lv.stop)
		pthread_cond_timedwait(&lv.cond, &lv.mu, &ts);
	bool go = !lv.stop;
	pthread_mutex_unlock(&lv.mu);
	return go;
}

static void *poller_main(void *arg)
{
	(void)arg;
	bool pg = db_kind(lv.db) == DB_PG;
	int64_t last_beat = now_ms(), idle_since = 0;
	for (;;) {
		int n = 0;
		if (sse_count() > 0) {
			idle_since = 0;
			n = poll_once(pg);
		} else if (now_ms() - idle_since >= IDLE_POLL_MS) {
			/* no one listens: follow the newest id so the first listener gets only news */
			int64_t max = 0;
			if (store_live_max_id(lv.db, &max) == ST_OK) {
				pthread_mutex_lock(&lv.mu);
				if (max > lv.pos)
					lv.pos = max;
				lv.ngaps = 0;
				pthread_mutex_unlock(&lv.mu);
			}
			idle_since = now_ms();
		}
		if (now_ms() - last_beat >= HEARTBEAT_MS) {
			sse_heartbeat(STREAM_MAX_AGE_MS);
			last_beat = now_ms();
		}
		if (n < BATCH && !pause_ms(POLL_MS))
			break;
	}
	return NULL;
}

void events_start(db *d)
{
	lv.db = d;
	lv.stop = false;
	store_live_max_id(d, &lv.pos);
	if (pthread_create(&lv.thread, NULL, poller_main, NULL) == 0)
		lv.running = true;
	else
		log_msg("error", "cannot start the live events thread");
}

void events_stop(void)
{
	if (!lv.running)
		return;
	pthread_mutex_lock(&lv.mu);
	lv.stop = true;
	pthread_cond_signal(&lv.cond);
	pthread_mutex_unlock(&lv.mu);
	pthread_join(lv.thread, NULL);
	lv.running = false;
}

/* --- GET /api/v1/events ------------------------------------------------------------ */

static void listener_free(void *p)
{
	free(p);
}

/* What the client missed since last_id, up to the rows the poller had fanned out when the
 * stream was registered (later ones reach it through the poller). */
static void catch_up(req *r, sse_client *c, const struct listener *l, int64_t last_id, int64_t upto)
{
	if (last_id >= upto)
		return;
	live_event *rows = NULL;
	int n = 0;
	buf out;
	buf_init(&out, 0);
	if (store_live_events(r->db, last_id, NULL, 0, CATCHUP_MAX + 1, &rows, &n) != ST_OK || n > CATCHUP_MAX) {
		/* too much (or unreadable): the client reloads what it shows */
		buf_printf(&out, "id: %lld\nevent: reset\ndata: {}\n\n", (long long)upto);
	} else {
		for (int i = 0; i < n && rows[i].id <= upto; i++) {
			if (!visible(l, &rows[i]))
				continue;
			size_t len;
			char *m = message(&rows[i], &len);
			buf_append(&out, m, len);
			free(m);
		}
	}
	free(rows);
	if (out.len)
		sse_prepend(c, out.data, out.len);
	buf_free(&out);
}

void h_events(req *r)
{
	/* EventSource sends Last-Event-ID when it reconnects; ?last_event_id= for the first
	 * connection of a page that remembers where it was */
	const char *h = req_header(r, "Last-Event-ID");
	if (!h || !*h)
		h = req_query(r, "last_event_id");
	int64_t last_id = -1;
	if (h && *h && !parse_i64(h, 0, INT64_MAX / 2, &last_id)) {
		verr v;
		verr_init(&v);
		verr_add(&v, "Last-Event-ID", "invalid", "Last-Event-ID must be an event id this server sent");
		verr_reply(&v, r);
		return;
	}
	struct listener *l = xcalloc(1, sizeof *l);
	l->who = r->who;
	l->customer = r->who.customer_id || (r->who.roles & (1u << ROLE_CUSTOMER));
	l->path_len = strlen(l->who.org_path);
	/* With no one listening the poller only follows the newest id once a second: catch up
	 * first, so the first listener does not get the last second's rows as news. */
	int64_t newest = -1;
	if (sse_count() == 0 && store_live_max_id(r->db, &newest) != ST_OK)
		newest = -1;
	/* Registered under the poller's lock: every row up to `upto` has been fanned out before
	 * this stream existed, every later one will reach it. */
	pthread_mutex_lock(&lv.mu);
	if (newest > lv.pos && sse_count() == 0)
		lv.pos = newest;
	sse_client *c = sse_open(r, l, listener_free);
	int64_t upto = lv.pos;
	pthread_mutex_unlock(&lv.mu);
	if (c && last_id >= 0)
		catch_up(r, c, l, last_id, upto);
}

/* --- GET /api/v1/work-orders/summary, /work-orders/board -------------------------------- */

void h_wo_summary(req *r)
{
	json_t *o = NULL;
	int rc = store_wo_summary(r->db, &r->who, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "summary");
		return;
	}
	reply_json(r, 200, o);
	reply_header(r, "Cache-Control", "no-store");
}

void h_wo_board(req *r)
{
	int64_t limit = 60;
	const char *l = req_query(r, "limit");
	if (l && !parse_i64(l, 1, 200, &limit)) {
		verr v;
		verr_init(&v);
		verr_add(&v, "limit", "invalid", "limit must be a whole number from 1 to 200");
		verr_reply(&v, r);
		return;
	}
	json_t *o = NULL;
	int rc = store_wo_board(r->db, &r->who, (int)limit, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "board");
		return;
	}
	reply_json(r, 200, o);
	reply_header(r, "Cache-Control", "no-store");
}
