/*
 * wo_fsm.h — the work-order state machine of DOMAIN §3 as one table (from, event, to, guard,
 * who may), pure: no SQL, no HTTP. The store gathers the facts a guard looks at (wo_facts),
 * asks wo_next, and applies the answer. Unit-tested in tests/unit/test_wo_fsm.c.
 *
 *   new → accepted → dispatched → taken → on_the_way → in_service ⇄ waiting_parts / waiting_customer
 *   → completed → qc_passed (or back to in_service as rework) → settled → closed → followed_up;
 *   cancelled from any state before completed; a closed order reopened within the period → accepted
 *   (counted as rework).
 */
#ifndef FUWU_WO_FSM_H
#define FUWU_WO_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum wo_state {
	WS_NEW, WS_ACCEPTED, WS_DISPATCHED, WS_TAKEN, WS_ON_THE_WAY, WS_IN_SERVICE, WS_WAITING_PARTS,
	WS_WAITING_CUSTOMER, WS_COMPLETED, WS_QC_PASSED, WS_SETTLED, WS_CLOSED, WS_FOLLOWED_UP, WS_CANCELLED,
	WS_COUNT
};

enum wo_event {
	WE_ACCEPT, WE_DISPATCH, WE_TAKE, WE_DECLINE, WE_DEPART, WE_ARRIVE, WE_HOLD, WE_RESUME, WE_COMPLETE,
	WE_QC_PASS, WE_QC_FAIL, WE_SETTLE, WE_CLOSE, WE_FOLLOW_UP, WE_CANCEL, WE_REOPEN, WE_COUNT
};

/* Why a guard refused (wo_refusal.guard). */
enum wo_guard_fail {
	WG_OK,
	WG_NO_ROW,          /* no transition for this event from this state: invalid_transition */
	WG_ROLE,            /* the caller's roles may not do this: forbidden */
	WG_NOT_ASSIGNEE,    /* a technician acting on someone else's order: forbidden */
	WG_NEED_ASSIGNEE,   /* dispatch without a technician/outlet: validation (assignee_id) */
	WG_NEED_REASON,     /* decline, cancel, qc-fail, reopen: validation (reason) */
	WG_NEED_HOLD_KIND,  /* hold without kind parts|customer: validation (kind) */
	WG_CONSENT_PENDING, /* an additional item without the customer's consent: conflict */
	WG_APPROVAL_NEEDED, /* total above the customer's limit and not approved: conflict */
	WG_LINES_NOT_DONE,  /* QC pass with lines not done / checklist items unchecked: conflict */
	WG_QC_REQUIRED,     /* settle straight from completed while the tenant requires QC: invalid_transition */
	WG_NOT_PAID,        /* settle with no bill or a balance left: conflict */
	WG_BILL_OUTDATED,   /* settle while the actual lines changed after the bill: conflict */
	WG_REOPEN_EXPIRED,  /* reopen after the period: conflict */
	WG_COUNT
};

typedef struct wo_facts {
	uint32_t roles;           /* the caller's roles, bit per role_id */
	bool is_assignee;         /* the caller is the order's assigned technician */
	bool has_assignee;        /* dispatch: the request names one */
	bool has_reason;          /* the request carries a non-empty reason */
	int hold_kind;            /* hold: 0 none, 1 parts, 2 customer */
	int consents_pending;     /* additional items without consent */
	bool approval_needed;     /* total above the limit and above what was approved */
	bool lines_not_done;      /* some actual line not done, or a QC checklist item unchecked */
	bool qc_required;         /* tenant setting (default true) */
	bool has_bill;
	int64_t balance_fen;      /* what the customer still owes on the open bill */
	bool bill_outdated;       /* the actual lines changed after the bill was built */
	int64_t now_ms, closed_at_ms, reopen_period_ms;
} wo_facts;

const char *wo_state_name(int s);           /* "in_service" */
int wo_state_parse(const char *s);          /* -1 if unknown */
const char *wo_event_name(int e);           /* "qc-pass" (as in the URL) */
int wo_event_parse(const char *s);          /* -1 if unknown */
const char *wo_guard_detail(int g);         /* words for the refusal */
bool wo_state_open(int s);                  /* not completed/after, not cancelled: cancel allowed */

/* The next state for `event` from `from` given the facts; WG_OK and *to, or the first guard that
 * refused (a missing row before a role before the guards). */
int wo_next(int from, int event, const wo_facts *f, int *to);

/* The events that have a row from `from` that the roles may use (guards not evaluated), as a
 * bit per wo_event. */
uint32_t wo_allowed(int from, uint32_t roles);

/* Time spent in a hold when leaving state `from` (entered at since_ms) at now_ms: added to
 * *parts_ms or *customer_ms. */
void wo_hold_account(int from, int64_t since_ms, int64_t now_ms, int64_t *parts_ms, int64_t *customer_ms);

#endif
