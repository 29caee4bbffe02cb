/* test_wo_fsm.c — the work-order state machine (src/domain/wo_fsm.c): every allowed
 * transition, every refused one, the guards, who may, and the time spent in holds. The
 * expected table below is written out again by hand from DOMAIN §3, not derived from the code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "domain/perm.h"
#include "domain/wo_fsm.h"

#define ALL_ROLES ((1u << ROLE_COUNT) - 1)

/* Facts under which every guard passes (for the hold: kind parts). */
static wo_facts permissive(void)
{
	wo_facts f = {0};
	f.roles = 1u << ROLE_ADMIN;
	f.is_assignee = true;
	f.has_assignee = true;
	f.has_reason = true;
	f.hold_kind = 1;
	f.qc_required = true;
	f.has_bill = true;
	f.now_ms = 1000;
	f.closed_at_ms = 900;
	f.reopen_period_ms = 1000;
	return f;
}

/* expected[from][event] = the state reached (-1: refused), with permissive facts */
static int expected[WS_COUNT][WE_COUNT];

static void build_expected(void)
{
	for (int s = 0; s < WS_COUNT; s++)
		for (int e = 0; e < WE_COUNT; e++)
			expected[s][e] = -1;
	expected[WS_NEW][WE_ACCEPT] = WS_ACCEPTED;
	expected[WS_NEW][WE_DISPATCH] = WS_DISPATCHED;
	expected[WS_ACCEPTED][WE_DISPATCH] = WS_DISPATCHED;
	expected[WS_DISPATCHED][WE_DISPATCH] = WS_DISPATCHED;
	expected[WS_TAKEN][WE_DISPATCH] = WS_DISPATCHED;
	expected[WS_ON_THE_WAY][WE_DISPATCH] = WS_DISPATCHED;
	expected[WS_DISPATCHED][WE_TAKE] = WS_TAKEN;
	expected[WS_DISPATCHED][WE_DECLINE] = WS_ACCEPTED;
	expected[WS_TAKEN][WE_DECLINE] = WS_ACCEPTED;
	expected[WS_ON_THE_WAY][WE_DECLINE] = WS_ACCEPTED;
	expected[WS_TAKEN][WE_DEPART] = WS_ON_THE_WAY;
	expected[WS_TAKEN][WE_ARRIVE] = WS_IN_SERVICE;
	expected[WS_ON_THE_WAY][WE_ARRIVE] = WS_IN_SERVICE;
	expected[WS_IN_SERVICE][WE_HOLD] = WS_WAITING_PARTS;
	expected[WS_WAITING_PARTS][WE_RESUME] = WS_IN_SERVICE;
	expected[WS_WAITING_CUSTOMER][WE_RESUME] = WS_IN_SERVICE;
	expected[WS_IN_SERVICE][WE_COMPLETE] = WS_COMPLETED;
	expected[WS_COMPLETED][WE_QC_PASS] = WS_QC_PASSED;
	expected[WS_COMPLETED][WE_QC_FAIL] = WS_IN_SERVICE;
	expected[WS_QC_PASSED][WE_SETTLE] = WS_SETTLED;
	expected[WS_SETTLED][WE_CLOSE] = WS_CLOSED;
	expected[WS_CLOSED][WE_FOLLOW_UP] = WS_FOLLOWED_UP;
	expected[WS_CLOSED][WE_REOPEN] = WS_ACCEPTED;
	expected[WS_FOLLOWED_UP][WE_REOPEN] = WS_ACCEPTED;
	for (int s = WS_NEW; s <= WS_WAITING_CUSTOMER; s++)
		expected[s][WE_CANCEL] = WS_CANCELLED;
}

static void every_pair(void **state)
{
	(void)state;
	build_expected();
	wo_facts f = permissive();
	int allowed = 0;
	for (int s = 0; s < WS_COUNT; s++) {
		for (int e = 0; e < WE_COUNT; e++) {
			int to = -1;
			int g = wo_next(s, e, &f, &to);
			if (expected[s][e] < 0) {
				if (s == WS_COMPLETED && e == WE_SETTLE) {
					/* a row exists, but QC is required by default */
					assert_int_equal(g, WG_QC_REQUIRED);
					continue;
				}
				if (g != WG_NO_ROW)
					fail_msg("%s --%s--> should be refused, got guard %d", wo_state_name(s), wo_event_name(e), g);
			} else {
				if (g != WG_OK || to != expected[s][e])
					fail_msg("%s --%s--> expected %s, got guard %d to %d", wo_state_name(s), wo_event_name(e),
						 wo_state_name(expected[s][e]), g, to);
				allowed++;
			}
		}
	}
	assert_int_equal(allowed, 24 + 8); /* 24 rows of work, 8 of cancelling */
	/* nothing leaves cancelled */
	for (int e = 0; e < WE_COUNT; e++) {
		int to;
		assert_int_equal(wo_next(WS_CANCELLED, e, &f, &to), WG_NO_ROW);
	}
	assert_int_equal(wo_allowed(WS_CANCELLED, ALL_ROLES), 0);
}

static void hold_kinds(void **state)
{
	(void)state;
	wo_facts f = permissive();
	int to;
	f.hold_kind = 2;
	assert_int_equal(wo_next(WS_IN_SERVICE, WE_HOLD, &f, &to), WG_OK);
	assert_int_equal(to, WS_WAITING_CUSTOMER);
	f.hold_kind = 0;
	assert_int_equal(wo_next(WS_IN_SERVICE, WE_HOLD, &f, &to), WG_NEED_HOLD_KIND);
	int64_t parts = 5, cust = 7;
	wo_hold_account(WS_WAITING_PARTS, 1000, 4000, &parts, &cust);
	assert_int_equal(parts, 3005);
	assert_int_equal(cust, 7);
	wo_hold_account(WS_WAITING_CUSTOMER, 1000, 1500, &parts, &cust);
	assert_int_equal(cust, 507);
	wo_hold_account(WS_IN_SERVICE, 1000, 9000, &parts, &cust); /* not a hold */
	assert_int_equal(parts, 3005);
	assert_int_equal(cust, 507);
	wo_hold_account(WS_WAITING_PARTS, 5000, 4000, &parts, &cust); /* clock skew: nothing negative */
	assert_int_equal(parts, 3005);
}

static void guards(void **state)
{
	(void)state;
	int to;
	wo_facts f = permissive();
	f.has_assignee = false;
	assert_int_equal(wo_next(WS_ACCEPTED, WE_DISPATCH, &f, &to), WG_NEED_ASSIGNEE);
	f = permissive();
	f.has_reason = false;
	assert_int_equal(wo_next(WS_DISPATCHED, WE_DECLINE, &f, &to), WG_NEED_REASON);
	assert_int_equal(wo_next(WS_NEW, WE_CANCEL, &f, &to), WG_NEED_REASON);
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_FAIL, &f, &to), WG_NEED_REASON);
	assert_int_equal(wo_next(WS_CLOSED, WE_REOPEN, &f, &to), WG_NEED_REASON);
	f = permissive();
	f.consents_pending = 1;
	assert_int_equal(wo_next(WS_IN_SERVICE, WE_COMPLETE, &f, &to), WG_CONSENT_PENDING);
	f = permissive();
	f.approval_needed = true;
	assert_int_equal(wo_next(WS_IN_SERVICE, WE_COMPLETE, &f, &to), WG_APPROVAL_NEEDED);
	f = permissive();
	f.lines_not_done = true;
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_PASS, &f, &to), WG_LINES_NOT_DONE);
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_FAIL, &f, &to), WG_OK); /* failing is always possible */
	f = permissive();
	f.has_bill = false;
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_NOT_PAID);
	f.has_bill = true;
	f.balance_fen = 1;
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_NOT_PAID);
	f.balance_fen = 0;
	f.bill_outdated = true;
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_BILL_OUTDATED);
	f.bill_outdated = false;
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_OK);
	/* without QC required, settlement straight from completed, still only when paid */
	f.qc_required = false;
	assert_int_equal(wo_next(WS_COMPLETED, WE_SETTLE, &f, &to), WG_OK);
	assert_int_equal(to, WS_SETTLED);
	f.balance_fen = 100;
	assert_int_equal(wo_next(WS_COMPLETED, WE_SETTLE, &f, &to), WG_NOT_PAID);
	/* reopen: the last moment of the period is inside it, one ms later is not */
	f = permissive();
	f.closed_at_ms = 0;
	f.reopen_period_ms = 30LL * 86400000;
	f.now_ms = f.reopen_period_ms;
	assert_int_equal(wo_next(WS_CLOSED, WE_REOPEN, &f, &to), WG_OK);
	assert_int_equal(to, WS_ACCEPTED);
	f.now_ms++;
	assert_int_equal(wo_next(WS_CLOSED, WE_REOPEN, &f, &to), WG_REOPEN_EXPIRED);
}

static void who_may(void **state)
{
	(void)state;
	int to;
	wo_facts f = permissive();
	f.roles = 1u << ROLE_TECHNICIAN;
	f.is_assignee = true;
	assert_int_equal(wo_next(WS_DISPATCHED, WE_TAKE, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_IN_SERVICE, WE_COMPLETE, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_ACCEPTED, WE_DISPATCH, &f, &to), WG_ROLE);
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_PASS, &f, &to), WG_ROLE);  /* no self-inspection */
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_ROLE);
	assert_int_equal(wo_next(WS_NEW, WE_CANCEL, &f, &to), WG_ROLE);
	f.is_assignee = false;
	assert_int_equal(wo_next(WS_DISPATCHED, WE_TAKE, &f, &to), WG_NOT_ASSIGNEE);
	/* a dispatcher acts on the technician's behalf */
	f.roles = 1u << ROLE_DISPATCHER;
	assert_int_equal(wo_next(WS_DISPATCHED, WE_TAKE, &f, &to), WG_OK);
	/* the customer: cancel before dispatch, close (confirm); nothing else */
	f.roles = 1u << ROLE_CUSTOMER;
	assert_int_equal(wo_next(WS_NEW, WE_CANCEL, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_ACCEPTED, WE_CANCEL, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_DISPATCHED, WE_CANCEL, &f, &to), WG_ROLE);
	assert_int_equal(wo_next(WS_SETTLED, WE_CLOSE, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_NEW, WE_ACCEPT, &f, &to), WG_ROLE);
	/* cashier settles, QC inspects, follow-up caller follows up */
	f.roles = 1u << ROLE_CASHIER;
	assert_int_equal(wo_next(WS_QC_PASSED, WE_SETTLE, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_PASS, &f, &to), WG_ROLE);
	f.roles = 1u << ROLE_QC;
	assert_int_equal(wo_next(WS_COMPLETED, WE_QC_PASS, &f, &to), WG_OK);
	f.roles = 1u << ROLE_FOLLOWUP;
	assert_int_equal(wo_next(WS_CLOSED, WE_FOLLOW_UP, &f, &to), WG_OK);
	/* a missing row outranks nothing: a technician asking for an impossible event gets NO_ROW */
	f.roles = 1u << ROLE_TECHNICIAN;
	assert_int_equal(wo_next(WS_NEW, WE_COMPLETE, &f, &to), WG_NO_ROW);
	/* the warehouse ends a wait for parts */
	f.roles = 1u << ROLE_WAREHOUSE;
	assert_int_equal(wo_next(WS_WAITING_PARTS, WE_RESUME, &f, &to), WG_OK);
	assert_int_equal(wo_next(WS_WAITING_CUSTOMER, WE_RESUME, &f, &to), WG_ROLE);
}

static void allowed_lists(void **state)
{
	(void)state;
	uint32_t tech = wo_allowed(WS_DISPATCHED, 1u << ROLE_TECHNICIAN);
	assert_true(tech & (1u << WE_TAKE));
	assert_true(tech & (1u << WE_DECLINE));
	assert_false(tech & (1u << WE_CANCEL));
	assert_false(tech & (1u << WE_DISPATCH));
	uint32_t agent = wo_allowed(WS_NEW, 1u << ROLE_AGENT);
	assert_int_equal(agent, (1u << WE_ACCEPT) | (1u << WE_CANCEL));
}

static void names(void **state)
{
	(void)state;
	for (int s = 0; s < WS_COUNT; s++)
		assert_int_equal(wo_state_parse(wo_state_name(s)), s);
	for (int e = 0; e < WE_COUNT; e++)
		assert_int_equal(wo_event_parse(wo_event_name(e)), e);
	assert_int_equal(wo_state_parse("flying"), -1);
	assert_int_equal(wo_event_parse("qc_pass"), -1); /* the URL form is qc-pass */
	assert_int_equal(wo_event_parse(NULL), -1);
	assert_true(wo_state_open(WS_WAITING_CUSTOMER));
	assert_false(wo_state_open(WS_COMPLETED));
	assert_false(wo_state_open(WS_CANCELLED));
	for (int g = 0; g < WG_COUNT; g++)
		assert_true(strlen(wo_guard_detail(g)) > 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_pair), cmocka_unit_test(hold_kinds), cmocka_unit_test(guards),
		cmocka_unit_test(who_may),    cmocka_unit_test(allowed_lists), cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
