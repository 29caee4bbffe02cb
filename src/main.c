/*
 * main.c — the fuwu command line: serve | migrate | demo | user | tenant | backup | route |
 * schema | version. Each command parses its flags from one table and answers --help;
 * an unknown flag prints the usage and exits 2.
 */
#include "api/api.h"
#include "demo/demo.h"
#include "http/http.h"
#include "jobs/scheduler.h"
#include "route/route.h"
#include "store/store.h"
#include "util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUWU_VERSION
#define FUWU_VERSION "0.1.0"
#endif

#define DEFAULT_DB "sqlite:var/fuwu.db"

struct opt {
	const char *name;   /* "--listen" */
	const char *env;    /* environment variable or NULL */
	const char **value; /* where the value goes (string flags) */
	int *flag;          /* where a boolean flag goes */
	const char *help;
};

static void usage(const char *cmd, const char *synopsis, const struct opt *opts, FILE *f)
{
	fprintf(f, "usage: fuwu %s %s\n", cmd, synopsis);
	for (const struct opt *o = opts; o && o->name; o++)
		fprintf(f, "  %-22s %s%s%s%s\n", o->name, o->help, o->env ? " [env " : "", o->env ? o->env : "",
			o->env ? "]" : "");
	fprintf(f, "  %-22s show this help\n", "--help");
}

/* Returns 0 to go on, 1 if --help was printed, 2 on a usage error. */
static int parse_opts(int argc, char **argv, int first, const char *cmd, const char *synopsis, const struct opt *opts)
{
	for (const struct opt *o = opts; o->name; o++)
		if (o->env && o->value && getenv(o->env) && *getenv(o->env))
			*o->value = getenv(o->env);
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(cmd, synopsis, opts, stdout);
			return 1;
		}
		const struct opt *o = opts;
		size_t n = strcspn(a, "=");
		while (o->name && (strlen(o->name) != n || strncmp(o->name, a, n)))
			o++;
		if (!o->name) {
			fprintf(stderr, "fuwu %s: unknown option '%s'\n", cmd, a);
			usage(cmd, synopsis, opts, stderr);
			return 2;
		}
		if (o->flag) {
			*o->flag = 1;
			continue;
		}
		if (a[n] == '=') {
			*o->value = a + n + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "fuwu %s: %s needs a value\n", cmd, o->name);
			usage(cmd, synopsis, opts, stderr);
			return 2;
		}
	}
	return 0;
}

/* For a default sqlite:var/… path, create the folder. */
static void ensure_dir(const char *url)
{
	if (strncmp(url, "sqlite:", 7))
		return;
	char *path = xstrdup(url + 7);
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		for (char *p = path + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(path, 0755);
				*p = '/';
			}
		mkdir(path, 0755);
	}
	free(path);
}

static db *open_db(const char *url, bool server, int threads)
{
	char err[512];
	ensure_dir(url);
	db *d = db_open(url, server, threads, err, sizeof err);
	if (!d) {
		fprintf(stderr, "fuwu: %s\n", err);
		return NULL;
	}
	if (db_migrate(d, err, sizeof err) != 0) {
		fprintf(stderr, "fuwu: %s\n", err);
		db_close(d);
		return NULL;
	}
	return d;
}

static int bootstrap(db *d)
{
	char pw[64];
	bool created;
	const char *env = getenv("FUWU_ADMIN_PASSWORD");
	if (store_bootstrap(d, "default", "fuwu 服务网络", env, pw, sizeof pw, &created) != ST_OK) {
		fprintf(stderr, "fuwu: cannot create the first tenant and admin\n");
		return -1;
	}
	if (created && !(env && *env))
		printf("fuwu: created user 'admin' with password: %s  (shown once; change it after logging in)\n", pw);
	else if (created)
		printf("fuwu: created user 'admin' with the password from FUWU_ADMIN_PASSWORD\n");
	fflush(stdout);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	const char *listen = "127.0.0.1:8080", *url = DEFAULT_DB, *threads_s = "16";
	int quiet = 0;
	const struct opt opts[] = {
		{"--listen", "FUWU_LISTEN", &listen, NULL, "HOST:PORT to listen on (default 127.0.0.1:8080)"},
		{"--db", "FUWU_DB", &url, NULL, "sqlite:PATH or postgres://… (default " DEFAULT_DB ")"},
		{"--threads", "FUWU_THREADS", &threads_s, NULL, "request threads (default 16)"},
		{"--quiet", NULL, NULL, &quiet, "no access log"},
		{0},
	};
	int rc = parse_opts(argc, argv, 2, "serve", "[--listen HOST:PORT] [--db URL] [--threads N] [--quiet]", opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	int64_t threads;
	if (!parse_i64(threads_s, 1, 256, &threads)) {
		fprintf(stderr, "fuwu serve: --threads must be 1..256\n");
		return 2;
	}
	log_quiet = quiet;
	db *d = open_db(url, true, (int)threads);
	if (!d)
		return 1;
	if (bootstrap(d) != 0) {
		db_close(d);
		return 1;
	}
	struct server_config cfg = {listen, (int)threads, d};
	events_start(d); /* the live-event poller (api/events.c) */
	scheduler_start(d); /* one node of the cluster runs the jobs (src/jobs/scheduler.h) */
	rc = server_run(&cfg);
	scheduler_stop();
	events_stop();
	db_close(d);
	return rc;
}

static int cmd_migrate(int argc, char **argv)
{
	const char *url = DEFAULT_DB;
	const struct opt opts[] = {{"--db", "FUWU_DB", &url, NULL, "database URL"}, {0}};
	int rc = parse_opts(argc, argv, 2, "migrate", "[--db URL]", opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	db *d = open_db(url, false, 1);
	if (!d)
		return 1;
	printf("fuwu: schema is up to date\n");
	db_close(d);
	return 0;
}

static int cmd_schema(int argc, char **argv)
{
	const char *url = DEFAULT_DB;
	const struct opt opts[] = {{"--db", "FUWU_DB", &url, NULL, "database URL"}, {0}};
	int rc = parse_opts(argc, argv, 2, "schema", "[--db URL]   (print the normalised schema)", opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	db *d = open_db(url, false, 1);
	if (!d)
		return 1;
	char *s = db_schema_text(d);
	if (s)
		fputs(s, stdout);
	free(s);
	db_close(d);
	return s ? 0 : 1;
}

static int cmd_tenant(int argc, char **argv)
{
	const char *url = DEFAULT_DB, *code = NULL, *name = NULL, *pw = NULL;
	const struct opt opts[] = {
		{"--db", "FUWU_DB", &url, NULL, "database URL"},
		{"--code", NULL, &code, NULL, "tenant code used at log-in (required)"},
		{"--name", NULL, &name, NULL, "display name"},
		{"--admin-password", NULL, &pw, NULL, "password of the tenant's admin (else generated)"},
		{0},
	};
	const char *syn = "add --code CODE [--name NAME] [--admin-password PW] [--db URL]";
	if (argc < 3 || strcmp(argv[2], "add")) {
		if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			usage("tenant", syn, opts, stdout);
			return 0;
		}
		usage("tenant", syn, opts, stderr);
		return 2;
	}
	int rc = parse_opts(argc, argv, 3, "tenant", syn, opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (!code || !*code) {
		fprintf(stderr, "fuwu tenant add: --code is required\n");
		return 2;
	}
	db *d = open_db(url, false, 1);
	if (!d)
		return 1;
	char gen[64];
	bool created;
	rc = store_bootstrap(d, code, name ? name : code, pw, gen, sizeof gen, &created);
	db_close(d);
	if (rc != ST_OK) {
		fprintf(stderr, "fuwu tenant add: database error\n");
		return 1;
	}
	if (!created) {
		fprintf(stderr, "fuwu tenant add: tenant '%s' exists already\n", code);
		return 1;
	}
	printf("tenant '%s' created; its admin logs in as 'admin'%s%s\n", code, pw ? "" : " with password ", pw ? "" : gen);
	return 0;
}

static int cmd_user(int argc, char **argv)
{
	const char *url = DEFAULT_DB, *login = NULL, *pw = NULL, *name = NULL, *roles = "agent", *org = NULL,
		   *tenant = "default";
	const struct opt opts[] = {
		{"--db", "FUWU_DB", &url, NULL, "database URL"},
		{"--tenant", NULL, &tenant, NULL, "tenant code (default 'default')"},
		{"--login", NULL, &login, NULL, "login name (required)"},
		{"--password", NULL, &pw, NULL, "password, at least 8 characters (required)"},
		{"--name", NULL, &name, NULL, "display name (add)"},
		{"--role", NULL, &roles, NULL, "roles, comma separated (add; default agent)"},
		{"--org-id", NULL, &org, NULL, "organisation id (add; default the root)"},
		{0},
	};
	const char *syn = "add|passwd --login LOGIN --password PW [--name N] [--role R,…] [--org-id ID] [--tenant T] [--db URL]";
	bool add = argc >= 3 && !strcmp(argv[2], "add"), passwd = argc >= 3 && !strcmp(argv[2], "passwd");
	if (!add && !passwd) {
		bool help = argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
		usage("user", syn, opts, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	int rc = parse_opts(argc, argv, 3, "user", syn, opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (!login || !pw) {
		fprintf(stderr, "fuwu user: --login and --password are required\n");
		return 2;
	}
	if (strlen(pw) < 8) {
		fprintf(stderr, "fuwu user: the password needs at least 8 characters\n");
		return 2;
	}
	int64_t org_id = 0;
	if (org && !parse_i64(org, 1, INT64_MAX, &org_id)) {
		fprintf(stderr, "fuwu user: --org-id must be a number\n");
		return 2;
	}
	db *d = open_db(url, false, 1);
	if (!d)
		return 1;
	if (bootstrap(d) != 0) {
		db_close(d);
		return 1;
	}
	int64_t tid = store_tenant_id(d, tenant);
	if (!tid) {
		fprintf(stderr, "fuwu user: no tenant '%s'\n", tenant);
		db_close(d);
		return 1;
	}
	char err[256];
	if (add)
		rc = store_user_add_cli(d, tid, login, name ? name : login, pw, roles, org_id, err, sizeof err);
	else
		rc = store_user_passwd_cli(d, tid, login, pw);
	db_close(d);
	if (rc != ST_OK) {
		fprintf(stderr, "fuwu user: %s\n", add ? err : rc == ST_NOT_FOUND ? "no such user" : "database error");
		return 1;
	}
	printf("user '%s' %s\n", login, add ? "created" : "password changed");
	return 0;
}

static int cmd_backup(int argc, char **argv)
{
	const char *url = DEFAULT_DB, *out = NULL;
	const struct opt opts[] = {
		{"--db", "FUWU_DB", &url, NULL, "database URL"},
		{"--out", NULL, &out, NULL, "backup file to write (SQLite)"},
		{0},
	};
	int rc = parse_opts(argc, argv, 2, "backup", "--out FILE [--db URL]", opts);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (strncmp(url, "sqlite:", 7)) {
		printf("PostgreSQL: back up with pg_dump, e.g.\n  pg_dump --format=custom --file=fuwu.dump '%s'\n"
		       "and restore with pg_restore; or use continuous archiving (WAL) for point-in-time recovery.\n",
		       url);
		return 0;
	}
	if (!out) {
		fprintf(stderr, "fuwu backup: --out FILE is required\n");
		return 2;
	}
	char err[256];
	if (db_sqlite_backup(url + 7, out, err, sizeof err) != 0) {
		fprintf(stderr, "fuwu backup: %s\n", err);
		return 1;
	}
	printf("backup written to %s\n", out);
	return 0;
}

static void main_usage(FILE *f)
{
	fprintf(f, "fuwu %s — 售后服务管理系统 after-sales service management\n\n"
		   "usage: fuwu COMMAND [options]   (fuwu COMMAND --help for its options)\n\n"
		   "  serve     run the HTTP server (API and web console)\n"
		   "  migrate   apply database migrations\n"
		   "  demo      load the demo data set\n"
		   "  user      add a user or change a password (user add | user passwd)\n"
		   "  tenant    add a tenant with its own admin (tenant add)\n"
		   "  backup    online backup (SQLite) or how to back up (PostgreSQL)\n"
		   "  route     solve a routing problem (route solve < problem.json)\n"
		   "  schema    print the normalised database schema\n"
		   "  version   print the version\n",
		FUWU_VERSION);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "fuwu: libsodium failed to initialise\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc, argv);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(argc, argv);
	if (!strcmp(cmd, "demo"))
		return demo_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "user"))
		return cmd_user(argc, argv);
	if (!strcmp(cmd, "tenant"))
		return cmd_tenant(argc, argv);
	if (!strcmp(cmd, "backup"))
		return cmd_backup(argc, argv);
	if (!strcmp(cmd, "schema"))
		return cmd_schema(argc, argv);
	if (!strcmp(cmd, "route"))
		return route_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("fuwu %s\n", FUWU_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		main_usage(stdout);
		return 0;
	}
	fprintf(stderr, "fuwu: unknown command '%s'\n\n", cmd);
	main_usage(stderr);
	return 2;
}
