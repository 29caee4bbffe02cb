/*
 * warranty.h — the 三包 (statutory warranty) decision as a pure function: policy numbers,
 * an asset's purchase date, a failure (date, kind, mileage) and the asset's repair history
 * in; in/out of warranty, what the customer is entitled to, the rule that decided and an
 * explanation a service advisor can read to the customer (Chinese and English) out.
 * DOMAIN §3 and issue 3 item 4. No I/O: unit-tested alone (tests/unit/test_warranty.c).
 *
 * Dates are civil days since 1970-01-01 (the calendar date of purchase or failure as the
 * customer states it; no time zone involved). Periods count from the day after the
 * purchase (民法典 第二百零一条: 按日计算的，开始的当日不计入): "day 7" is purchase + 7, and a
 * 12-month period bought on 2026-11-01 covers up to and including 2027-11-01.
 */
#ifndef FUWU_WARRANTY_H
#define FUWU_WARRANTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every number is policy data (DOMAIN: "a default that an administrator can change"). */
typedef struct wty_policy {
	int refund_days;       /* performance failure within N days → refund/exchange/repair (7) */
	int exchange_days;     /* performance failure within N days → exchange/repair (15) */
	int warranty_months;   /* whole-unit warranty period (12) */
	int64_t warranty_km;   /* vehicles: period also ends at this mileage; 0 = no limit */
	int repairs_before_exchange; /* same fault repaired N times in the period, fails again → exchange (2) */
} wty_policy;

/* The household-appliance defaults of issue 3 item 4, with `months` of whole-unit warranty. */
wty_policy wty_policy_default(int months);

/* Fault kinds. Only a performance failure (性能故障) opens the 7- and 15-day windows; the
 * exclusions put the asset out of warranty whatever its age. */
enum wty_fault {
	WF_PERFORMANCE,  /* performance failure 性能故障 */
	WF_OTHER,        /* another covered failure (not a performance failure): free repair in the period */
	WF_MISUSE,       /* misuse 使用不当 */
	WF_STORAGE,      /* storage damage / moisture 保管不当、受潮 */
	WF_UNAUTHORISED, /* unauthorised repair or modification 私自拆修、改装 */
	WF_LIQUID,       /* liquid spill 进液 */
	WF_WEAR,         /* normal wear 正常磨损 */
	WF_COUNT
};
/* "performance" … "wear"; -1 if unknown. */
int wty_fault_parse(const char *s);
const char *wty_fault_name(int fault);

typedef struct wty_input {
	int32_t purchase_day;      /* days since epoch */
	int32_t end_override;      /* last day of warranty set on the asset (with a reason); 0 = from policy */
	int32_t failure_day;       /* days since epoch */
	int fault;                 /* enum wty_fault */
	int64_t mileage;           /* km at failure; -1 = unknown / not a vehicle */
	int prior_repairs_same_fault; /* repairs of this same fault already done within the period */
	bool exchange_possible;    /* false: the model can no longer be supplied → refund instead */
} wty_input;

enum { WE_REFUND = 1, WE_EXCHANGE = 2, WE_REPAIR = 4 };

typedef struct wty_decision {
	bool in_warranty;
	unsigned entitlements; /* WE_* bits */
	const char *rule;      /* stable id, e.g. "sanbao.refund_7d", "exclusion.liquid" */
	int32_t day;           /* days after purchase at failure */
	int32_t last_day;      /* last day of the warranty period */
	char explanation_zh[512];
	char explanation_en[512];
} wty_decision;

enum { WTY_OK = 0, WTY_INVALID = 1 };
/* WTY_OK fills out; WTY_INVALID (failure before purchase, unknown fault, bad policy) puts the
 * reason in out->explanation_* and out->rule ("invalid.failure_before_purchase" …). */
int wty_decide(const wty_policy *p, const wty_input *in, wty_decision *out);

/* Entitlements as names, in the order refund, exchange, repair; returns the count. */
size_t wty_entitlement_names(unsigned bits, const char *names[3]);

/* Civil dates. */
bool wty_day_parse(const char *s, int32_t *out); /* "YYYY-MM-DD" only, a real date */
void wty_day_format(int32_t day, char out[11]);
int32_t wty_day_from_civil(int y, int m, int d);
/* Same day of month `months` later, clamped to the month's end (01-31 + 1 → 02-28/29). */
int32_t wty_add_months(int32_t day, int months);

#endif
