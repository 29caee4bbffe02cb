/*
 * http.h — the request as handlers see it, the route table, and the reply helpers.
 *
 * A handler has one signature, `void h(req *r)`, and answers exactly once through
 * reply_json()/reply_problem()/reply_empty(). Helpers that find a problem answer it
 * themselves and return false/NULL (Redis' lookupKeyOrReply style), so a handler just
 * returns. Everything a request allocates is freed when it completes.
 */
#ifndef FUWU_HTTP_H
#define FUWU_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/util.h"

#define MAX_BODY (1024 * 1024)
#define MAX_PARAMS 4

/* Who is calling: filled by authentication, used by every store call as its data scope. */
typedef struct principal {
	int64_t tenant_id;
	int64_t user_id;
	int64_t org_id;
	int64_t customer_id;   /* role customer: their own customer record, else 0 */
	int64_t root_org_id;   /* the tenant's root organisation */
	int tz_offset_min;     /* tenant zone */
	uint32_t roles;        /* bit per role_id */
	uint64_t perms;        /* bit per perm_id */
	char org_path[256];    /* "/1/4/9/": the caller's subtree */
	char login[72];
	char name[128];
	char csrf[64];
	int64_t session_id;    /* 0 for API tokens */
	bool via_cookie;
} principal;

enum http_method { M_GET, M_POST, M_PATCH, M_PUT, M_DELETE, M_HEAD, M_OPTIONS, M_OTHER };

typedef struct req req;
typedef void (*handler_fn)(req *r);

/* Route flags */
#define R_PUBLIC 1u  /* no authentication */
#define R_NOCSRF 2u  /* cookie writes need no CSRF header (the login itself) */
#define R_IDEM 4u    /* honours Idempotency-Key */
#define R_UPLOAD 8u  /* a photo upload: body up to MAX_UPLOAD_BODY in any Content-Type (the handler
		      * checks it; no JSON parsing) */
#define MAX_UPLOAD (10 * 1024 * 1024)            /* the uploaded file itself */
#define MAX_UPLOAD_BODY (MAX_UPLOAD + 64 * 1024) /* the file and the form around it */
#define R_IMPORT 16u /* an import (a CSV or .xlsx file inside JSON): the body may be up to MAX_IMPORT */
#define MAX_IMPORT (32 * 1024 * 1024)

struct route {
	enum http_method method;
	const char *pattern;   /* "/api/v1/work-orders/{id}" */
	handler_fn fn;
	int perm;              /* required permission (perm_id), -1 = any authenticated caller */
	unsigned flags;
	const char *summary;   /* OpenAPI summary */
	const char *tag;       /* OpenAPI tag */
	const char *body;      /* request schema name in components, or NULL */
	const char *resp;      /* response schema name, or NULL */
};

struct req {
	void *conn;               /* struct MHD_Connection */
	enum http_method method;
	const char *method_str;
	const char *path;
	const struct route *route;
	int route_idx;
	const char *params[MAX_PARAMS];
	char *param_buf[MAX_PARAMS];
	int nparams;
	buf body;
	bool too_big;
	json_t *json;             /* parsed body (object) or NULL */
	principal who;
	bool authed;
	db *db;
	char req_id[72];
	char ip[64];
	int status;
	bool replied;
	int64_t t0;
	void *response;           /* struct MHD_Response */
};

/* Replies. `body` is stolen (decref'd). */
void reply_json(req *r, int status, json_t *body);
void reply_text(req *r, int status, const char *ctype, const char *text, size_t len, bool copy);
void reply_empty(req *r, int status);
void reply_problem(req *r, int status, const char *code, const char *detail);
/* Problem with extra members (stolen). */
void reply_problem_x(req *r, int status, const char *code, const char *detail, json_t *extra);
void reply_header(req *r, const char *name, const char *value);
/* A reply already made as a struct MHD_Response (a stream, http/sse.c); stolen. */
void reply_mhd(req *r, int status, void *response, const char *ctype);
/* A store status to HTTP (404/409/412/400/403/500) with detail. */
void reply_status(req *r, int st, const char *what);

const char *req_header(req *r, const char *name);
const char *req_query(req *r, const char *name);
/* Path parameter as a positive id; on failure answers 404 and returns false. */
bool req_id_param(req *r, int i, int64_t *out);
/* Parsed If-Match version: 0 if absent; -1 (and answers 412/400) if malformed. */
int64_t req_if_match(req *r);

/* Input validation: a list of field errors collected, answered at once as 400. */
typedef struct verr {
	json_t *errors; /* array */
} verr;
void verr_init(verr *v);
void verr_add(verr *v, const char *field, const char *code, const char *message);
/* If errors were found, answers 400 validation_failed and returns true. */
bool verr_reply(verr *v, req *r);

/* Declared fields of a JSON body (kore style: undeclared fields are refused). */
enum ftype { F_STR, F_INT, F_NUM, F_BOOL, F_OBJ, F_ARR, F_ANY };
struct field {
	const char *name;
	enum ftype type;
	bool required;
	int max_chars;           /* F_STR: maximum characters (0 = 200) */
	const char *const *oneof; /* F_STR: allowed values, NULL-terminated */
	bool nullable;
};
/* Checks r->json against specs; collects errors into v (unknown, missing, type, length, enum). */
void body_check(req *r, const struct field *specs, verr *v);
/* Requires a JSON object body; answers 400/415 and returns false otherwise. */
bool body_required(req *r);
/* Typed getters for already-checked bodies (NULL/0 if absent). */
const char *jstr(json_t *o, const char *k);
bool jhas(json_t *o, const char *k);

/* Pagination: ?limit (1..500, default 50) and ?cursor (opaque). Answers 400 on bad input. */
bool req_paging(req *r, int *limit, int64_t *cursor);
bool req_paging_default(req *r, int default_limit, int *limit, int64_t *cursor);
json_t *page_json(json_t *items, int64_t next_cursor);

/* Authorisation check for an explicit permission; answers 403. */
bool req_can(req *r, int perm);

/* Server */
struct server_config {
	const char *listen;   /* "127.0.0.1:8080" */
	int threads;
	db *db;
};
int server_run(const struct server_config *cfg);
extern volatile int server_stop_flag;

/* Routes (api/routes.c) */
extern const struct route routes[];
extern const int routes_count;
json_t *openapi_document(void);

/* Metrics (http/metrics.c) */
void metrics_observe(int route_idx, int status, int64_t ns);
char *metrics_text(void);

/* Authentication (http/auth.c): fills r->who; answers 401/403 and returns false. */
bool auth_request(req *r);

#endif
