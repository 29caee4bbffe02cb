/*
 * wo_fsm.c — the transition table of the work order (see wo_fsm.h). One row per allowed
 * (from, event); a row's guard is checked only when the row matches and the role may use it.
 * Rows for the same (from, event) are tried in order: hold goes to one of two states by kind.
 */
#include "domain/wo_fsm.h"
#include "domain/perm.h"

#include <string.h>

static const char *const state_names[WS_COUNT] = {
	"new", "accepted", "dispatched", "taken", "on_the_way", "in_service", "waiting_parts",
	"waiting_customer", "completed", "qc_passed", "settled", "closed", "followed_up", "cancelled",
};

static const char *const event_names[WE_COUNT] = {
	"accept", "dispatch", "take", "decline", "depart", "arrive", "hold", "resume", "complete",
	"qc-pass", "qc-fail", "settle", "close", "follow-up", "cancel", "reopen",
};

static const char *const guard_details[WG_COUNT] = {
	[WG_OK] = "allowed",
	[WG_NO_ROW] = "this event is not possible in the order's current state",
	[WG_ROLE] = "your roles may not do this to a work order",
	[WG_NOT_ASSIGNEE] = "only the assigned technician (or a dispatcher) may do this",
	[WG_NEED_ASSIGNEE] = "dispatch needs a technician (assignee_id)",
	[WG_NEED_REASON] = "a reason is required",
	[WG_NEED_HOLD_KIND] = "hold needs kind: parts or customer",
	[WG_CONSENT_PENDING] = "an additional item has no customer consent yet: record the consent first",
	[WG_APPROVAL_NEEDED] = "the total is above the customer's limit and not approved: ask the customer to approve the new total",
	[WG_LINES_NOT_DONE] = "QC cannot pass: a line is not done or a checklist item is unchecked",
	[WG_QC_REQUIRED] = "QC is required before settlement",
	[WG_NOT_PAID] = "settlement needs a bill with nothing left to pay",
	[WG_BILL_OUTDATED] = "the lines changed after the bill was made: rebuild the bill (or issue a credit note) first",
	[WG_REOPEN_EXPIRED] = "the period for reopening this order has passed",
};

enum guard { G_NONE, G_ASSIGNEE, G_REASON, G_HOLD_PARTS, G_HOLD_CUSTOMER, G_COMPLETE, G_QC_PASS, G_REASON_REWORK,
	     G_SETTLE_NO_QC, G_PAID, G_REOPEN };

#define R(x) (1u << ROLE_##x)
#define OFFICE (R(ADMIN) | R(MANAGER) | R(DISPATCHER) | R(AGENT) | R(ADVISOR))
#define DISPATCHERS (R(ADMIN) | R(MANAGER) | R(DISPATCHER) | R(ADVISOR))
#define FIELD (DISPATCHERS | R(TECHNICIAN))      /* technicians: only their own orders (ASSIGNEE) */
#define QC (R(ADMIN) | R(MANAGER) | R(QC) | R(ADVISOR) | R(DISPATCHER))
#define CASH (R(ADMIN) | R(MANAGER) | R(CASHIER) | R(ADVISOR))
#define DELIVER (OFFICE | R(CUSTOMER))
#define FOLLOW (R(ADMIN) | R(MANAGER) | R(FOLLOWUP) | R(AGENT))
#define REOPEN (R(ADMIN) | R(MANAGER) | R(ADVISOR) | R(AGENT) | R(FOLLOWUP) | R(DISPATCHER))

static const struct row {
	unsigned char from, event, to, guard;
	uint32_t roles;
} rows[] = {
	{WS_NEW, WE_ACCEPT, WS_ACCEPTED, G_NONE, OFFICE},
	{WS_NEW, WE_DISPATCH, WS_DISPATCHED, G_ASSIGNEE, DISPATCHERS},
	{WS_ACCEPTED, WE_DISPATCH, WS_DISPATCHED, G_ASSIGNEE, DISPATCHERS},
	{WS_DISPATCHED, WE_DISPATCH, WS_DISPATCHED, G_ASSIGNEE, DISPATCHERS}, /* reassign */
	{WS_TAKEN, WE_DISPATCH, WS_DISPATCHED, G_ASSIGNEE, DISPATCHERS},      /* hand over */
	{WS_ON_THE_WAY, WE_DISPATCH, WS_DISPATCHED, G_ASSIGNEE, DISPATCHERS},
	{WS_DISPATCHED, WE_TAKE, WS_TAKEN, G_NONE, FIELD},
	{WS_DISPATCHED, WE_DECLINE, WS_ACCEPTED, G_REASON, FIELD},
	/* hand back after taking it (late, ill, the wrong part): with a reason, back to dispatch */
	{WS_TAKEN, WE_DECLINE, WS_ACCEPTED, G_REASON, FIELD},
	{WS_ON_THE_WAY, WE_DECLINE, WS_ACCEPTED, G_REASON, FIELD},
	{WS_TAKEN, WE_DEPART, WS_ON_THE_WAY, G_NONE, FIELD},
	{WS_TAKEN, WE_ARRIVE, WS_IN_SERVICE, G_NONE, FIELD}, /* workshop: the car is already here */
	{WS_ON_THE_WAY, WE_ARRIVE, WS_IN_SERVICE, G_NONE, FIELD},
	{WS_IN_SERVICE, WE_HOLD, WS_WAITING_PARTS, G_HOLD_PARTS, FIELD},
	{WS_IN_SERVICE, WE_HOLD, WS_WAITING_CUSTOMER, G_HOLD_CUSTOMER, FIELD},
	{WS_WAITING_PARTS, WE_RESUME, WS_IN_SERVICE, G_NONE, FIELD | R(WAREHOUSE)},
	{WS_WAITING_CUSTOMER, WE_RESUME, WS_IN_SERVICE, G_NONE, FIELD | R(AGENT)},
	{WS_IN_SERVICE, WE_COMPLETE, WS_COMPLETED, G_COMPLETE, FIELD},
	{WS_COMPLETED, WE_QC_PASS, WS_QC_PASSED, G_QC_PASS, QC},
	{WS_COMPLETED, WE_QC_FAIL, WS_IN_SERVICE, G_REASON_REWORK, QC},
	{WS_COMPLETED, WE_SETTLE, WS_SETTLED, G_SETTLE_NO_QC, CASH},
	{WS_QC_PASSED, WE_SETTLE, WS_SETTLED, G_PAID, CASH},
	{WS_SETTLED, WE_CLOSE, WS_CLOSED, G_NONE, DELIVER},
	{WS_CLOSED, WE_FOLLOW_UP, WS_FOLLOWED_UP, G_NONE, FOLLOW},
	{WS_CLOSED, WE_REOPEN, WS_ACCEPTED, G_REOPEN, REOPEN},
	{WS_FOLLOWED_UP, WE_REOPEN, WS_ACCEPTED, G_REOPEN, REOPEN},
	/* cancel: any state before completed, with a reason; a customer only before dispatch */
	{WS_NEW, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE | R(CUSTOMER)},
	{WS_ACCEPTED, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE | R(CUSTOMER)},
	{WS_DISPATCHED, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
	{WS_TAKEN, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
	{WS_ON_THE_WAY, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
	{WS_IN_SERVICE, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
	{WS_WAITING_PARTS, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
	{WS_WAITING_CUSTOMER, WE_CANCEL, WS_CANCELLED, G_REASON, OFFICE},
};

const char *wo_state_name(int s)
{
	return s >= 0 && s < WS_COUNT ? state_names[s] : "?";
}

int wo_state_parse(const char *s)
{
	for (int i = 0; s && i < WS_COUNT; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return -1;
}

const char *wo_event_name(int e)
{
	return e >= 0 && e < WE_COUNT ? event_names[e] : "?";
}

int wo_event_parse(const char *s)
{
	for (int i = 0; s && i < WE_COUNT; i++)
		if (!strcmp(s, event_names[i]))
			return i;
	return -1;
}

const char *wo_guard_detail(int g)
{
	return g >= 0 && g < WG_COUNT ? guard_details[g] : "refused";
}

bool wo_state_open(int s)
{
	return s >= WS_NEW && s <= WS_WAITING_CUSTOMER;
}

/* Technicians act only on orders assigned to them; office roles on behalf of anyone. */
static bool assignee_ok(const struct row *r, const wo_facts *f)
{
	if (!(r->roles & R(TECHNICIAN)) || f->is_assignee)
		return true;
	return (f->roles & r->roles & ~R(TECHNICIAN)) != 0;
}

static int guard_check(const struct row *r, const wo_facts *f)
{
	switch (r->guard) {
	case G_ASSIGNEE:
		return f->has_assignee ? WG_OK : WG_NEED_ASSIGNEE;
	case G_REASON:
	case G_REASON_REWORK:
		return f->has_reason ? WG_OK : WG_NEED_REASON;
	case G_HOLD_PARTS:
		return f->hold_kind == 1 ? WG_OK : WG_NEED_HOLD_KIND;
	case G_HOLD_CUSTOMER:
		return f->hold_kind == 2 ? WG_OK : WG_NEED_HOLD_KIND;
	case G_COMPLETE:
		if (f->consents_pending > 0)
			return WG_CONSENT_PENDING;
		return f->approval_needed ? WG_APPROVAL_NEEDED : WG_OK;
	case G_QC_PASS:
		return f->lines_not_done ? WG_LINES_NOT_DONE : WG_OK;
	case G_SETTLE_NO_QC:
		if (f->qc_required)
			return WG_QC_REQUIRED;
		return !f->has_bill || f->balance_fen != 0 ? WG_NOT_PAID : f->bill_outdated ? WG_BILL_OUTDATED : WG_OK;
	case G_PAID:
		return !f->has_bill || f->balance_fen != 0 ? WG_NOT_PAID : f->bill_outdated ? WG_BILL_OUTDATED : WG_OK;
	case G_REOPEN:
		if (!f->has_reason)
			return WG_NEED_REASON;
		return f->now_ms - f->closed_at_ms <= f->reopen_period_ms ? WG_OK : WG_REOPEN_EXPIRED;
	default:
		return WG_OK;
	}
}

int wo_next(int from, int event, const wo_facts *f, int *to)
{
	int first_fail = WG_NO_ROW;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		if (r->from != from || r->event != event)
			continue;
		int g;
		if (!(r->roles & f->roles))
			g = WG_ROLE;
		else if (!assignee_ok(r, f))
			g = WG_NOT_ASSIGNEE;
		else
			g = guard_check(r, f);
		if (g == WG_OK) {
			*to = r->to;
			return WG_OK;
		}
		/* a role refusal outranks a missing row; a guard's own answer outranks both */
		if (first_fail == WG_NO_ROW || (first_fail == WG_ROLE && g != WG_ROLE) ||
		    (first_fail == WG_NEED_HOLD_KIND && g != WG_NEED_HOLD_KIND && g != WG_ROLE))
			first_fail = g;
	}
	return first_fail;
}

uint32_t wo_allowed(int from, uint32_t roles)
{
	uint32_t out = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].from == from && (rows[i].roles & roles))
			out |= 1u << rows[i].event;
	return out;
}

void wo_hold_account(int from, int64_t since_ms, int64_t now_ms, int64_t *parts_ms, int64_t *customer_ms)
{
	int64_t d = now_ms > since_ms ? now_ms - since_ms : 0;
	if (from == WS_WAITING_PARTS)
		*parts_ms += d;
	else if (from == WS_WAITING_CUSTOMER)
		*customer_ms += d;
}
