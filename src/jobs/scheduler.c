/*
 * scheduler.c — the cluster's one scheduler (see scheduler.h). One loop: wake every tick,
 * take or renew the lease, and while holding it run each job whose time has come. The lease is
 * a row (name, holder, until_ms) taken with one upsert that only succeeds when the row is ours
 * or has run out — atomic on both engines (SQLite's single writer, PostgreSQL's row lock on the
 * conflicting row), so two nodes never both believe they hold it.
 */
#include "jobs/scheduler.h"
#include "store/dispatch_cache.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- the jobs ----------------------------------------------------------------------------- */

/* DOMAIN §5: a deadline that passes unmet is recorded on the order (escalation: a later issue). */
static int job_sla_sweep(db *d)
{
	int64_t n = 0;
	int rc = store_sla_sweep(d, now_ms(), &n);
	if (rc == ST_OK && n > 0)
		log_msg("info", "scheduler: job sla_breach_sweep recorded %lld SLA breach(es)", (long long)n);
	return rc;
}

/* DOMAIN §6 (issue 3): the contact tasks of the ABC plans and the maintenance-due cache. */
static int job_archive_care(db *d)
{
	int64_t tasks = 0, assets = 0;
	int rc = store_care_daily(d, &tasks, &assets);
	if (rc == ST_OK && (tasks || assets))
		log_msg("info", "scheduler: job archive_care made %lld contact task(s), recomputed %lld asset(s)",
			(long long)tasks, (long long)assets);
	return rc;
}

/* DOMAIN §2 appointments (issue 5 item 6): the day before, each appointment of tomorrow is
 * reminded once by SMS (a reminder row per order and time keeps it once across runs and nodes). */
static int job_appt_reminders(db *d)
{
	int64_t sent = 0;
	int rc = store_appt_reminders(d, 0, 0, &sent);
	if (rc == ST_OK && sent)
		log_msg("info", "scheduler: job appointment_reminders sent %lld reminder(s)", (long long)sent);
	return rc;
}

/* DOMAIN §4 (issue 5 item 5): an unanswered dispatch goes to the next candidate after the
 * policy's time; an "auto" policy dispatches the unassigned orders. */
static int job_dispatch_answers(db *d)
{
	int64_t moved = 0, back = 0, assigned = 0;
	int rc = store_dispatch_answers(d, now_ms(), &moved, &back, &assigned);
	if (rc == ST_OK && (moved || back || assigned))
		log_msg("info", "scheduler: job dispatch_answers re-dispatched %lld, handed back %lld, auto-dispatched %lld",
			(long long)moved, (long long)back, (long long)assigned);
	return rc;
}

/* The notes by which every node's dispatch cache keeps up (dispatch_cache.c) live an hour. */
static int job_dispatch_changes_prune(db *d)
{
	int64_t n = 0;
	return store_dispatch_changes_prune(d, now_ms(), &n);
}

const struct sched_job sched_jobs[] = {
	{"dispatch_answers", 30, job_dispatch_answers},
	{"sla_breach_sweep", 30, job_sla_sweep},
	{"archive_care", 6 * 3600, job_archive_care},
	{"appointment_reminders", 3600, job_appt_reminders},
	{"dispatch_changes_prune", 600, job_dispatch_changes_prune},
	{NULL, 0, NULL},
};

/* --- the lease ---------------------------------------------------------------------------- */

#define LEASE_NAME "scheduler"

struct lease_ctx {
	const char *holder;
	int64_t now, until;
	bool held;
};

static int lease_take_fn(db_tx *tx, void *arg)
{
	struct lease_ctx *c = arg;
	dbv p[] = {VT(LEASE_NAME), VT(c->holder), VI(c->until), VI(c->now)};
	db_res *r;
	if (db_query(tx,
		     "INSERT INTO leases(name, holder, until_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
		     "holder = excluded.holder, until_ms = excluded.until_ms "
		     "WHERE leases.holder = excluded.holder OR leases.until_ms < ? RETURNING holder",
		     p, 4, &r) != DB_OK)
		return ST_DB;
	c->held = db_rows(r) == 1 && !strcmp(db_text(r, 0, 0), c->holder);
	db_res_free(r);
	return ST_OK;
}

static int lease_release_fn(db_tx *tx, void *arg)
{
	struct lease_ctx *c = arg;
	dbv p[] = {VT(LEASE_NAME), VT(c->holder)};
	return db_exec(tx, "DELETE FROM leases WHERE name = ? AND holder = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
}

/* --- the thread --------------------------------------------------------------------------- */

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	db *d;
	int64_t tick_ms, lease_ms;
	char node[96];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

static void *loop(void *arg)
{
	(void)arg;
	size_t njobs = 0;
	while (sched_jobs[njobs].name)
		njobs++;
	int64_t *next = xcalloc(njobs + 1, sizeof(int64_t));
	bool held = false, db_down = false;
	for (;;) {
		pthread_mutex_lock(&S.mu);
		bool stop = S.stop || server_stop_flag;
		pthread_mutex_unlock(&S.mu);
		if (stop)
			break;
		struct lease_ctx lc = {.holder = S.node, .now = now_ms()};
		lc.until = lc.now + S.lease_ms;
		int rc = db_write(S.d, lease_take_fn, &lc);
		if (rc != ST_OK) {
			if (!db_down)
				log_msg("warn", "scheduler: cannot reach the database for the lease; retrying");
			db_down = true;
			lc.held = false;
		} else {
			db_down = false;
		}
		if (lc.held != held) {
			log_msg("info", "scheduler: %s the scheduler lease (node %s)", lc.held ? "took" : "lost", S.node);
			held = lc.held;
			/* a new holder runs every job at once: the old one may have stopped long ago */
			memset(next, 0, (njobs + 1) * sizeof(int64_t));
		}
		for (size_t i = 0; held && i < njobs; i++) {
			int64_t t = mono_ms();
			if (t < next[i])
				continue;
			int64_t every = (int64_t)sched_jobs[i].interval_s * 1000 * S.tick_ms / 5000;
			next[i] = t + (every > S.tick_ms ? every : S.tick_ms);
			if (sched_jobs[i].fn(S.d) != ST_OK)
				log_msg("warn", "scheduler: job %s failed; it runs again at its next time", sched_jobs[i].name);
			pthread_mutex_lock(&S.mu);
			stop = S.stop;
			pthread_mutex_unlock(&S.mu);
			if (stop)
				break;
		}
		/* sleep one tick, or until told to stop */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += S.tick_ms / 1000;
		until.tv_nsec += (S.tick_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&S.mu);
		while (!S.stop && !server_stop_flag &&
		       pthread_cond_timedwait(&S.cv, &S.mu, &until) == 0)
			;
		pthread_mutex_unlock(&S.mu);
	}
	if (held) {
		struct lease_ctx lc = {.holder = S.node};
		if (db_write(S.d, lease_release_fn, &lc) == ST_OK)
			log_msg("info", "scheduler: released the scheduler lease (node %s)", S.node);
	}
	free(next);
	return NULL;
}

int scheduler_start(db *d)
{
	int64_t tick = 5000;
	const char *t = getenv("FUWU_SCHEDULER_TICK_MS");
	if (t && *t && !parse_i64(t, 50, 60000, &tick)) {
		log_msg("warn", "scheduler: FUWU_SCHEDULER_TICK_MS must be 50..60000; using 5000");
		tick = 5000;
	}
	store_set_time_scale(60000 * tick / 5000); /* a faster clock for tests: policy minutes too */
	const char *off = getenv("FUWU_SCHEDULER");
	if (off && (!strcmp(off, "off") || !strcmp(off, "0"))) {
		log_msg("info", "scheduler: off on this node (FUWU_SCHEDULER=%s)", off);
		return 0;
	}
	S.d = d;
	S.tick_ms = tick;
	S.lease_ms = 3 * tick > 2000 ? 3 * tick : 2000;
	S.stop = false;
	char host[48] = "node";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	char *rnd = token_new("", 6);
	snprintf(S.node, sizeof S.node, "%.47s:%ld:%s", host, (long)getpid(), rnd);
	free(rnd);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&S.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&S.thread, NULL, loop, NULL) != 0) {
		log_msg("error", "scheduler: cannot start its thread");
		return -1;
	}
	S.running = true;
	log_msg("info", "scheduler: node %s started (tick %lld ms)", S.node, (long long)tick);
	return 0;
}

void scheduler_stop(void)
{
	if (!S.running)
		return;
	pthread_mutex_lock(&S.mu);
	S.stop = true;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	pthread_join(S.thread, NULL);
	pthread_cond_destroy(&S.cv);
	S.running = false;
}
