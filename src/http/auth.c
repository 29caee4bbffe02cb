/*
 * auth.c — who is calling. A bearer token (session "fws_…" or API token "fwt_…") or the
 * session cookie; cookie-authenticated writes must also carry the session's CSRF token in
 * X-CSRF-Token (SameSite=Strict already stops most cross-site writes; this stops the rest).
 */
#include "http/http.h"
#include "store/store.h"

#include <microhttpd.h>
#include <sodium.h>
#include <string.h>

bool auth_request(req *r)
{
	const char *token = NULL;
	const char *h = req_header(r, "Authorization");
	bool cookie = false;
	if (h && !strncasecmp(h, "Bearer ", 7)) {
		token = h + 7;
		while (*token == ' ')
			token++;
	} else if (h) {
		reply_problem(r, 401, "unauthorized", "use 'Authorization: Bearer <token>'");
		return false;
	} else {
		token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "fuwu_session");
		cookie = token != NULL;
	}
	if (!token || !*token) {
		reply_problem(r, 401, "unauthorized", "log in first");
		reply_header(r, "WWW-Authenticate", "Bearer");
		return false;
	}
	int rc = store_auth_token(r->db, token, &r->who);
	if (rc == ST_DB) {
		reply_problem(r, 503, "unavailable", "the database is not reachable");
		return false;
	}
	if (rc != ST_OK) {
		reply_problem(r, 401, "unauthorized", "the session or token is not valid (expired, revoked or logged out)");
		reply_header(r, "WWW-Authenticate", "Bearer");
		return false;
	}
	r->authed = true;
	r->who.via_cookie = cookie;
	bool write = r->method != M_GET && r->method != M_HEAD && r->method != M_OPTIONS;
	if (cookie && write && !(r->route->flags & R_NOCSRF)) {
		const char *csrf = req_header(r, "X-CSRF-Token");
		size_t n = strlen(r->who.csrf);
		if (!csrf || strlen(csrf) != n || sodium_memcmp(csrf, r->who.csrf, n) != 0) {
			reply_problem(r, 403, "csrf_failed", "this write needs the X-CSRF-Token header from the session");
			return false;
		}
	}
	return true;
}
