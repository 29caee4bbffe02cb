/*
 * warranty.c — the 三包 decision (see warranty.h). The rules are tried in one fixed order,
 * each a row of a small table of explanations, so the rule id and the words said to the
 * customer always agree:
 *   1. invalid input (failure before purchase, unknown fault kind, nonsense policy)
 *   2. exclusions → out of warranty, whatever the age
 *   3. past the period (by date, or by mileage for vehicles) → out of warranty
 *   4. performance failure within refund_days → refund, exchange or repair (customer's choice)
 *   5. performance failure within exchange_days → exchange or repair
 *   6. the same fault already repaired repairs_before_exchange times in the period → exchange
 *      (refund when no exchange is possible)
 *   7. otherwise in the period → free repair
 */
#include "domain/warranty.h"

#include <stdio.h>
#include <string.h>

wty_policy wty_policy_default(int months)
{
	/* Issue 3 item 4: defaults for household appliances. */
	wty_policy p = {.refund_days = 7, .exchange_days = 15, .warranty_months = months, .warranty_km = 0,
			.repairs_before_exchange = 2};
	return p;
}

static const struct {
	const char *name;
	const char *zh; /* reason, as said to the customer */
	const char *en;
} faults[WF_COUNT] = {
	[WF_PERFORMANCE] = {"performance", "性能故障", "a performance failure"},
	[WF_OTHER] = {"other", "非性能故障", "a failure other than a performance failure"},
	[WF_MISUSE] = {"misuse", "因使用不当造成的损坏", "damage caused by misuse"},
	[WF_STORAGE] = {"storage", "因保管不当或受潮造成的损坏", "damage from improper storage or moisture"},
	[WF_UNAUTHORISED] = {"unauthorised_repair", "未经授权的拆修或改装", "an unauthorised repair or modification"},
	[WF_LIQUID] = {"liquid", "进液造成的损坏", "damage from a liquid spill"},
	[WF_WEAR] = {"wear", "正常磨损", "normal wear"},
};

int wty_fault_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < WF_COUNT; i++)
		if (!strcmp(s, faults[i].name))
			return i;
	if (!strcmp(s, "modification"))
		return WF_UNAUTHORISED;
	if (!strcmp(s, "moisture"))
		return WF_STORAGE;
	return -1;
}

const char *wty_fault_name(int fault)
{
	return fault >= 0 && fault < WF_COUNT ? faults[fault].name : "?";
}

/* --- civil dates (H. Hinnant's days_from_civil / civil_from_days) --- */

int32_t wty_day_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_day(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int month_days(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

bool wty_day_parse(const char *s, int32_t *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = {0, 0, 0};
	static const int at[3][2] = {{0, 4}, {5, 2}, {8, 2}};
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < at[k][1]; i++) {
			char c = s[at[k][0] + i];
			if (c < '0' || c > '9')
				return false;
			v[k] = v[k] * 10 + (c - '0');
		}
	if (v[0] < 1900 || v[0] > 9999 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > month_days(v[0], v[1]))
		return false;
	*out = wty_day_from_civil(v[0], v[1], v[2]);
	return true;
}

void wty_day_format(int32_t day, char out[11])
{
	int y, m, d;
	civil_from_day(day, &y, &m, &d);
	unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
	snprintf(out, 11, "%04u-%02u-%02u", uy, um, ud);
}

int32_t wty_add_months(int32_t day, int months)
{
	int y, m, d;
	civil_from_day(day, &y, &m, &d);
	int total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	int md = month_days(y, m);
	return wty_day_from_civil(y, m, d > md ? md : d);
}

size_t wty_entitlement_names(unsigned bits, const char *names[3])
{
	size_t n = 0;
	if (bits & WE_REFUND)
		names[n++] = "refund";
	if (bits & WE_EXCHANGE)
		names[n++] = "exchange";
	if (bits & WE_REPAIR)
		names[n++] = "repair";
	return n;
}

static int set_invalid(wty_decision *out, const char *rule, const char *zh, const char *en)
{
	out->in_warranty = false;
	out->entitlements = 0;
	out->rule = rule;
	snprintf(out->explanation_zh, sizeof out->explanation_zh, "%s", zh);
	snprintf(out->explanation_en, sizeof out->explanation_en, "%s", en);
	return WTY_INVALID;
}

int wty_decide(const wty_policy *p, const wty_input *in, wty_decision *out)
{
	memset(out, 0, sizeof *out);
	if (p->refund_days < 0 || p->exchange_days < p->refund_days || p->warranty_months < 0 ||
	    p->warranty_km < 0 || p->repairs_before_exchange < 1)
		return set_invalid(out, "invalid.policy", "保修政策数据不正确。", "The warranty policy is not valid.");
	if (in->fault < 0 || in->fault >= WF_COUNT)
		return set_invalid(out, "invalid.fault", "故障类型未知。", "The fault kind is unknown.");
	if (in->failure_day < in->purchase_day)
		return set_invalid(out, "invalid.failure_before_purchase", "故障日期早于购买日期，请核对日期。",
				   "The failure date is before the purchase date; please check the dates.");
	if (in->prior_repairs_same_fault < 0)
		return set_invalid(out, "invalid.repairs", "维修次数不能为负数。",
				   "The number of repairs cannot be negative.");

	int32_t day = in->failure_day - in->purchase_day;
	int32_t last = in->end_override ? in->end_override : wty_add_months(in->purchase_day, p->warranty_months);
	char lastbuf[11], buybuf[11];
	wty_day_format(last, lastbuf);
	wty_day_format(in->purchase_day, buybuf);
	out->day = day;
	out->last_day = last;
	char *zh = out->explanation_zh, *en = out->explanation_en;
	size_t zl = sizeof out->explanation_zh, el = sizeof out->explanation_en;

	/* 2. Exclusions: out of warranty with the reason, whatever the age. */
	if (in->fault != WF_PERFORMANCE && in->fault != WF_OTHER) {
		static const char *rules[WF_COUNT] = {
			[WF_MISUSE] = "exclusion.misuse", [WF_STORAGE] = "exclusion.storage",
			[WF_UNAUTHORISED] = "exclusion.unauthorised_repair", [WF_LIQUID] = "exclusion.liquid",
			[WF_WEAR] = "exclusion.wear"};
		out->rule = rules[in->fault];
		snprintf(zh, zl, "故障原因为%s，不属于三包范围，维修需自费。", faults[in->fault].zh);
		snprintf(en, el, "The failure is %s, which the warranty does not cover; the repair is paid by the customer.",
			 faults[in->fault].en);
		return WTY_OK;
	}
	/* 3. Past the period, by date or (vehicles) by mileage. */
	if (in->failure_day > last) {
		out->rule = "period.expired";
		snprintf(zh, zl, "保修期至%s已结束（购买日期%s），本次维修需自费。", lastbuf, buybuf);
		snprintf(en, el, "The warranty ended on %s (bought on %s); this repair is paid by the customer.", lastbuf,
			 buybuf);
		return WTY_OK;
	}
	if (p->warranty_km > 0 && in->mileage > p->warranty_km) {
		out->rule = "period.mileage";
		snprintf(zh, zl, "行驶里程%lld公里已超过保修里程%lld公里，本次维修需自费。", (long long)in->mileage,
			 (long long)p->warranty_km);
		snprintf(en, el, "The mileage of %lld km is over the warranty limit of %lld km; this repair is paid by "
			 "the customer.", (long long)in->mileage, (long long)p->warranty_km);
		return WTY_OK;
	}
	out->in_warranty = true;
	bool perf = in->fault == WF_PERFORMANCE;
	/* "on the day of purchase" / "on day 7 after purchase" */
	char when_zh[64], when_en[64];
	if (day == 0) {
		snprintf(when_zh, sizeof when_zh, "购买当天");
		snprintf(when_en, sizeof when_en, "on the day of purchase");
	} else {
		snprintf(when_zh, sizeof when_zh, "购买后第%d天", (int)day);
		snprintf(when_en, sizeof when_en, "on day %d after purchase", (int)day);
	}
	/* 4. Within refund_days of sale: refund, exchange or repair, as the customer chooses. */
	if (perf && day <= p->refund_days) {
		out->rule = "sanbao.refund";
		out->entitlements = WE_REFUND | WE_EXCHANGE | WE_REPAIR;
		snprintf(zh, zl, "%s出现性能故障（%d日内），您可以选择退货、换货或免费修理。", when_zh, p->refund_days);
		snprintf(en, el, "A performance failure %s (within %d days): you may choose a refund, an exchange or a "
			 "free repair.", when_en, p->refund_days);
		return WTY_OK;
	}
	/* 5. Within exchange_days: exchange or repair. */
	if (perf && day <= p->exchange_days) {
		out->rule = "sanbao.exchange";
		out->entitlements = WE_EXCHANGE | WE_REPAIR;
		snprintf(zh, zl, "%s出现性能故障（%d日内），您可以选择换货或免费修理。", when_zh, p->exchange_days);
		snprintf(en, el, "A performance failure %s (within %d days): you may choose an exchange or a free "
			 "repair.", when_en, p->exchange_days);
		return WTY_OK;
	}
	/* 6. Repaired N times for the same fault in the period and it fails again → exchange. */
	if (in->prior_repairs_same_fault >= p->repairs_before_exchange) {
		if (in->exchange_possible) {
			out->rule = "sanbao.repeated_failure";
			out->entitlements = WE_EXCHANGE;
			snprintf(zh, zl, "保修期内同一故障已修理%d次仍出现故障，可为您免费换货。",
				 in->prior_repairs_same_fault);
			snprintf(en, el, "The same fault has already been repaired %d times within the warranty period "
				 "and has come back: you are entitled to an exchange.", in->prior_repairs_same_fault);
		} else {
			out->rule = "sanbao.repeated_failure_refund";
			out->entitlements = WE_REFUND;
			snprintf(zh, zl, "保修期内同一故障已修理%d次仍出现故障，且无法换货，可为您办理退货。",
				 in->prior_repairs_same_fault);
			snprintf(en, el, "The same fault has already been repaired %d times within the warranty period "
				 "and has come back; no exchange is possible, so you are entitled to a refund.",
				 in->prior_repairs_same_fault);
		}
		return WTY_OK;
	}
	/* 7. In the period: free repair. */
	out->rule = "sanbao.repair";
	out->entitlements = WE_REPAIR;
	snprintf(zh, zl, "在保修期内（至%s），可为您免费修理。", lastbuf);
	snprintf(en, el, "Within the warranty period (until %s): the repair is free of charge.", lastbuf);
	return WTY_OK;
}
