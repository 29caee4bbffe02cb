/*
 * server.c — libmicrohttpd glue: accepts requests on a thread pool (epoll), collects the
 * body under a size limit, finds the route, authenticates, calls the handler, writes the
 * access log line and the metrics, and shuts down gracefully on SIGTERM (no new
 * connections; requests already inside a handler finish; then the database closes).
 */
#include "http/http.h"
#include "http/sse.h"
#include "util/embed.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int server_stop_flag;
static int inflight;
static uint64_t req_seq;

static enum http_method method_of(const char *m)
{
	static const struct { const char *s; enum http_method m; } t[] = {
		{"GET", M_GET}, {"POST", M_POST}, {"PATCH", M_PATCH}, {"PUT", M_PUT},
		{"DELETE", M_DELETE}, {"HEAD", M_HEAD}, {"OPTIONS", M_OPTIONS},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (!strcmp(m, t[i].s))
			return t[i].m;
	return M_OTHER;
}

static const char *method_name(enum http_method m)
{
	static const char *n[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "OTHER"};
	return n[m];
}

/* --- replies ---------------------------------------------------------------------- */

static void set_response(req *r, int status, struct MHD_Response *resp, const char *ctype)
{
	if (r->response) /* a reply already prepared: keep the first */ {
		MHD_destroy_response(resp);
		return;
	}
	r->status = status;
	r->replied = true;
	r->response = resp;
	if (ctype)
		MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "X-Request-Id", r->req_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

void reply_mhd(req *r, int status, void *response, const char *ctype)
{
	set_response(r, status, response, ctype);
}

void reply_text(req *r, int status, const char *ctype, const char *text, size_t len, bool copy)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	set_response(r, status, resp, ctype);
}

static void reply_json_ctype(req *r, int status, json_t *body, const char *ctype)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!s)
		s = xstrdup("{}");
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	set_response(r, status, resp, ctype);
}

void reply_json(req *r, int status, json_t *body)
{
	reply_json_ctype(r, status, body, "application/json; charset=utf-8");
}

void reply_empty(req *r, int status)
{
	reply_text(r, status, NULL, "", 0, false);
}

void reply_header(req *r, const char *name, const char *value)
{
	if (r->response)
		MHD_add_response_header(r->response, name, value);
}

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

void reply_problem_x(req *r, int status, const char *code, const char *detail, json_t *extra)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "about:blank", "title",
			      status_title(status), "status", status, "code", code, "detail", detail,
			      "request_id", r->req_id);
	if (extra) {
		json_object_update(p, extra);
		json_decref(extra);
	}
	reply_json_ctype(r, status, p, "application/problem+json; charset=utf-8");
}

void reply_problem(req *r, int status, const char *code, const char *detail)
{
	reply_problem_x(r, status, code, detail, NULL);
}

void reply_status(req *r, int st, const char *what)
{
	char d[256];
	switch (st) {
	case ST_NOT_FOUND:
		snprintf(d, sizeof d, "%s not found", what);
		reply_problem(r, 404, "not_found", d);
		break;
	case ST_CONFLICT:
		snprintf(d, sizeof d, "%s conflicts with an existing record", what);
		reply_problem(r, 409, "conflict", d);
		break;
	case ST_STALE:
		snprintf(d, sizeof d, "%s was changed by someone else; reload and try again", what);
		reply_problem(r, 412, "precondition_failed", d);
		break;
	case ST_INVALID:
		snprintf(d, sizeof d, "%s: invalid reference", what);
		reply_problem(r, 400, "validation_failed", d);
		break;
	case ST_FORBIDDEN:
		reply_problem(r, 403, "forbidden", "not allowed");
		break;
	default:
		reply_problem(r, 500, "internal", "the database could not complete the request");
	}
}

/* --- request helpers ------------------------------------------------------------- */

const char *req_header(req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool req_id_param(req *r, int i, int64_t *out)
{
	if (i < r->nparams && parse_i64(r->params[i], 1, INT64_MAX / 2, out))
		return true;
	reply_problem(r, 404, "not_found", "no record with this id");
	return false;
}

int64_t req_if_match(req *r)
{
	const char *h = req_header(r, "If-Match");
	if (!h || !*h)
		return 0;
	char tmp[32];
	const char *p = h;
	if (!strncmp(p, "W/", 2))
		p += 2;
	size_t n = strlen(p);
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	int64_t v;
	if (n == 0 || n >= sizeof tmp) {
		reply_problem(r, 400, "validation_failed", "If-Match must be a version such as \"3\"");
		return -1;
	}
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (!parse_i64(tmp, 1, INT64_MAX / 2, &v)) {
		reply_problem(r, 400, "validation_failed", "If-Match must be a version such as \"3\"");
		return -1;
	}
	return v;
}

bool req_paging(req *r, int *limit, int64_t *cursor)
{
	return req_paging_default(r, 50, limit, cursor);
}

bool req_paging_default(req *r, int default_limit, int *limit, int64_t *cursor)
{
	const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
	int64_t v = default_limit;
	if (l && !parse_i64(l, 1, 500, &v)) {
		reply_problem(r, 400, "validation_failed", "limit must be a whole number from 1 to 500");
		return false;
	}
	*limit = (int)v;
	*cursor = 0;
	if (c && *c) {
		/* The cursor is "c" followed by the last id seen, in base 36. */
		int64_t id = 0;
		bool ok = c[0] == 'c' && c[1] && strlen(c) < 16;
		for (const char *p = c + 1; ok && *p; p++) {
			int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'z' ? *p - 'a' + 10 : -1;
			if (d < 0)
				ok = false;
			else
				id = id * 36 + d;
		}
		if (!ok || id <= 0) {
			reply_problem(r, 400, "validation_failed", "cursor is not one this server gave out");
			return false;
		}
		*cursor = id;
	}
	return true;
}

json_t *page_json(json_t *items, int64_t next)
{
	json_t *o = json_object();
	json_object_set_new(o, "items", items);
	if (next > 0) {
		char b[24], out[26];
		int n = 0;
		for (int64_t v = next; v; v /= 36)
			b[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
		out[0] = 'c';
		for (int i = 0; i < n; i++)
			out[1 + i] = b[n - 1 - i];
		out[1 + n] = '\0';
		json_object_set_new(o, "next_cursor", json_string(out));
	} else {
		json_object_set_new(o, "next_cursor", json_null());
	}
	return o;
}

/* --- static files ----------------------------------------------------------------- */

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } t[] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
		{".png", "image/png"}, {".jpg", "image/jpeg"}, {".ico", "image/x-icon"},
		{".woff2", "font/woff2"}, {".woff", "font/woff"}, {".ttf", "font/ttf"},
		{".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < ARRAY_LEN(t); i++)
		if (!strcmp(dot, t[i].ext))
			return t[i].type;
	return "application/octet-stream";
}

static const char no_web[] =
	"<!doctype html><meta charset=utf-8><title>fuwu</title><h1>fuwu 售后服务管理系统</h1>"
	"<p>The web app was not built into this binary. Run <code>make run</code> (or <code>cd web && npm ci && "
	"npm run build</code>, then <code>make</code>).</p>";

static bool serve_static(req *r)
{
	if (r->method != M_GET && r->method != M_HEAD)
		return false;
	if (!strncmp(r->path, "/api/", 5) || !strcmp(r->path, "/api"))
		return false;
	char name[600];
	const char *p = r->path[0] == '/' ? r->path + 1 : r->path;
	if (strstr(p, "..") || strlen(p) > 500)
		return false;
	snprintf(name, sizeof name, "web/%s", *p ? p : "index.html");
	const struct embedded_file *f = embed_find(name);
	bool spa = false;
	if (!f) {
		/* SPA fallback: a page path (no dot in the last segment) gets index.html. */
		const char *slash = strrchr(r->path, '/');
		if (slash && strchr(slash, '.'))
			return false;
		f = embed_find("web/index.html");
		spa = true;
		if (!f) {
			reply_text(r, 200, "text/html; charset=utf-8", no_web, sizeof no_web - 1, false);
			return true;
		}
	}
	reply_text(r, 200, content_type(f->name), (const char *)f->data, f->size, false);
	bool immutable = !spa && !strncmp(f->name, "web/assets/", 11);
	reply_header(r, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
	return true;
}

/* --- routing ---------------------------------------------------------------------- */

/* Match a path against a pattern; fills params. Returns true on match. */
static bool match(const char *pattern, const char *path, req *r)
{
	int np = 0;
	const char *a = pattern, *b = path;
	while (*a && *b) {
		if (*a == '{') {
			const char *end = strchr(a, '}');
			const char *seg_end = strchr(b, '/');
			size_t len = seg_end ? (size_t)(seg_end - b) : strlen(b);
			if (!end || len == 0 || np >= MAX_PARAMS)
				return false;
			if (r) {
				r->param_buf[np] = xstrndup(b, len);
				r->params[np] = r->param_buf[np];
			}
			np++;
			a = end + 1;
			b += len;
		} else if (*a == *b) {
			a++;
			b++;
		} else {
			return false;
		}
	}
	if (*a || (*b && strcmp(b, "/")))
		return false;
	if (r)
		r->nparams = np;
	return true;
}

static void dispatch(req *r)
{
	const struct route *found = NULL;
	char allow[128] = "";
	/* A route without parameters wins over one whose {id} would also match the path
	 * (/work-orders/summary before /work-orders/{id}), wherever it stands in the table. */
	for (int i = 0; i < routes_count; i++) {
		const struct route *rt = &routes[i];
		if (!strchr(rt->pattern, '{') && rt->method == r->method && match(rt->pattern, r->path, NULL)) {
			found = rt;
			r->route_idx = i;
			break;
		}
	}
	for (int i = 0; i < routes_count && !found; i++) {
		const struct route *rt = &routes[i];
		if (!match(rt->pattern, r->path, NULL))
			continue;
		if (rt->method == r->method || (r->method == M_HEAD && rt->method == M_GET)) {
			found = rt;
			r->route_idx = i;
			break;
		}
		size_t n = strlen(allow);
		snprintf(allow + n, sizeof allow - n, "%s%s", n ? ", " : "", method_name(rt->method));
	}
	if (!found) {
		if (allow[0]) {
			reply_problem_x(r, 405, "method_not_allowed", "this method is not allowed on this resource",
					json_pack("{s:s}", "allow", allow));
			reply_header(r, "Allow", allow);
			return;
		}
		if (serve_static(r))
			return;
		reply_problem(r, 404, "not_found", "no such resource");
		return;
	}
	r->route = found;
	match(found->pattern, r->path, r);
	if (!(found->flags & R_PUBLIC) && !auth_request(r))
		return;
	if (!(found->flags & R_PUBLIC) && found->perm >= 0 && !req_can(r, found->perm))
		return;
	bool has_body = r->method == M_POST || r->method == M_PATCH || r->method == M_PUT;
	if (has_body && r->body.len > 0 && !(found->flags & R_UPLOAD)) {
		const char *ct = req_header(r, "Content-Type");
		if (!ct || strncasecmp(ct, "application/json", 16)) {
			reply_problem(r, 415, "unsupported_media_type", "send the body as application/json");
			return;
		}
		if (!utf8_valid(r->body.data, r->body.len)) {
			reply_problem(r, 400, "bad_json", "the body is not valid UTF-8");
			return;
		}
		json_error_t e;
		r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &e);
		if (!r->json) {
			char d[300];
			snprintf(d, sizeof d, "malformed JSON at line %d, column %d: %s", e.line, e.column, e.text);
			reply_problem_x(r, 400, "bad_json", d,
					json_pack("{s:i, s:i, s:i}", "line", e.line, "column", e.column, "position", e.position));
			return;
		}
	}
	found->fn(r);
	if (!r->replied)
		reply_problem(r, 500, "internal", "the handler gave no answer");
}

/* --- access log ------------------------------------------------------------------- */

static void access_log(req *r, int64_t ns)
{
	if (log_quiet)
		return;
	char ts[32];
	iso_from_ms(now_ms(), ts);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "ts", ts, "level", "info", "req_id", r->req_id,
			      "method", r->method_str, "path", r->path, "status", r->status, "ms", (double)ns / 1e6,
			      "route", r->route ? r->route->pattern : "-");
	if (r->authed) {
		json_object_set_new(o, "user_id", json_integer(r->who.user_id));
		json_object_set_new(o, "tenant_id", json_integer(r->who.tenant_id));
	}
	json_object_set_new(o, "ip", json_string(r->ip));
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4));
	log_line(s);
	free(s);
	json_decref(o);
}

/* --- libmicrohttpd callbacks ------------------------------------------------------ */

struct srv {
	db *db;
};

static bool safe_req_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* Imports (routes flagged R_IMPORT) may send up to MAX_IMPORT, photo uploads (R_UPLOAD) up to
 * MAX_UPLOAD_BODY; every other body is limited to MAX_BODY. Known before the body is read,
 * from method and path. */
static size_t body_limit(enum http_method m, const char *path)
{
	for (int i = 0; i < routes_count; i++)
		if ((routes[i].flags & (R_IMPORT | R_UPLOAD)) && routes[i].method == m && match(routes[i].pattern, path, NULL))
			return routes[i].flags & R_IMPORT ? MAX_IMPORT : MAX_UPLOAD_BODY;
	return MAX_BODY;
}

static void reply_too_big(req *r)
{
	reply_problem(r, 413, "payload_too_large",
		      r->body.max == MAX_IMPORT ? "the file is larger than 32 MiB"
		      : r->body.max == MAX_UPLOAD_BODY ? "the photo is larger than 10 MiB"
						       : "the body is larger than 1 MiB");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct srv *s = cls;
	req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->conn = conn;
		r->db = s->db;
		r->method_str = method;
		r->method = method_of(method);
		r->path = url;
		r->route_idx = -1;
		r->t0 = mono_ns();
		size_t limit = body_limit(r->method, url);
		buf_init(&r->body, limit);
		const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
		if (rid && safe_req_id(rid))
			snprintf(r->req_id, sizeof r->req_id, "%s", rid);
		else
			snprintf(r->req_id, sizeof r->req_id, "r%x-%llx", (unsigned)getpid(),
				 (unsigned long long)__atomic_add_fetch(&req_seq, 1, __ATOMIC_RELAXED));
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, r->ip, sizeof r->ip);
		else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->ip, sizeof r->ip);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		int64_t len;
		if (cl && parse_i64(cl, 0, INT64_MAX, &len) && len > (int64_t)limit)
			r->too_big = true;
		__atomic_add_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
		*con_cls = r;
		/* Too big by its Content-Length and the client waits for "100 Continue" (curl does
		 * for large bodies): answer at once, the body is never sent. */
		const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
		if (r->too_big && expect && !strcasecmp(expect, "100-continue")) {
			reply_too_big(r);
			return MHD_queue_response(conn, (unsigned)r->status, r->response);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		/* Over the limit: keep reading and discarding, so the client gets to read the 413
		 * (closing early makes most clients fail with a broken pipe instead). */
		if (!r->too_big && !buf_append(&r->body, upload, *upload_size))
			r->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		reply_too_big(r);
	else
		dispatch(r);
	return MHD_queue_response(conn, (unsigned)r->status, r->response);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req *r = *con_cls;
	if (!r)
		return;
	int64_t ns = mono_ns() - r->t0;
	if (r->replied) {
		metrics_observe(r->route_idx, r->status, ns);
		access_log(r, ns);
	}
	if (r->response)
		MHD_destroy_response(r->response);
	json_decref(r->json);
	buf_free(&r->body);
	for (int i = 0; i < MAX_PARAMS; i++)
		free(r->param_buf[i]);
	free(r);
	*con_cls = NULL;
	__atomic_sub_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
}

static void on_signal(int sig)
{
	(void)sig;
	server_stop_flag = 1;
}

static bool parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	int64_t port;
	if (!parse_i64(colon + 1, 1, 65535, &port))
		return false;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!host[0] || !strcmp(host, "0.0.0.0"))
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return false;
	return true;
}

int server_run(const struct server_config *cfg)
{
	struct sockaddr_in sa;
	if (!parse_listen(cfg->listen, &sa)) {
		fprintf(stderr, "fuwu: --listen must be HOST:PORT (e.g. 127.0.0.1:8080), got '%s'\n", cfg->listen);
		return 2;
	}
	struct srv s = {cfg->db};
	struct sigaction act = {0};
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
		0, NULL, NULL,
		on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT, 8192u,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fuwu: cannot listen on %s (in use?)\n", cfg->listen);
		return 1;
	}
	log_msg("info", "listening on http://%s (%d threads)", cfg->listen, cfg->threads);
	while (!server_stop_flag)
		usleep(100000);
	log_msg("info", "shutting down: finishing %d request(s) in flight", __atomic_load_n(&inflight, __ATOMIC_SEQ_CST));
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	sse_shutdown(); /* live streams end (their clients reconnect to another node) */
	/* Requests already inside a handler finish; give them up to 10 s. */
	for (int i = 0; i < 100 && __atomic_load_n(&inflight, __ATOMIC_SEQ_CST) > 0; i++)
		usleep(100000);
	MHD_stop_daemon(d);
	log_msg("info", "stopped");
	return 0;
}
