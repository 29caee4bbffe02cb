/*
 * care.c — churn classes and ABC contact plans (see care.h).
 */
#include "domain/care.h"
#include "domain/warranty.h"

#include <string.h>

care_policy care_policy_default(void)
{
	/* DOMAIN §6: "3-6-9" churn; A weekly, B monthly, C at least every six months. */
	care_policy p = {.churn_months = {3, 6, 9}, .contact_days = {7, 0, 0}, .contact_months = {0, 1, 6}};
	return p;
}

static const char *const churn_names[CHURN_COUNT] = {"active", "at_risk", "nearly_lost", "lost"};

const char *care_churn_name(int churn)
{
	return churn >= 0 && churn < CHURN_COUNT ? churn_names[churn] : "?";
}

int care_churn_parse(const char *s)
{
	for (int i = 0; s && i < CHURN_COUNT; i++)
		if (!strcmp(s, churn_names[i]))
			return i;
	return -1;
}

int32_t care_churn_cutoff(const care_policy *p, int churn, int32_t today)
{
	if (churn <= CHURN_ACTIVE)
		return today;
	/* last_day + N months <= today  ⇔  last_day <= today - N months (same day of month) */
	return wty_add_months(today, -p->churn_months[churn - 1]);
}

int care_churn(const care_policy *p, int32_t last_day, int32_t today)
{
	for (int c = CHURN_LOST; c > CHURN_ACTIVE; c--)
		if (last_day <= care_churn_cutoff(p, c, today))
			return c;
	return CHURN_ACTIVE;
}

int32_t care_next_contact(const care_policy *p, char cls, int32_t last_day)
{
	int i = cls == 'A' ? 0 : cls == 'B' ? 1 : 2;
	if (p->contact_days[i] > 0)
		return last_day + p->contact_days[i];
	return wty_add_months(last_day, p->contact_months[i]);
}

static const char *const outcome_names[OUT_COUNT] = {"reached", "no_answer", "wrong_number", "refused", "visit_booked"};

const char *care_outcome_name(int outcome)
{
	return outcome >= 0 && outcome < OUT_COUNT ? outcome_names[outcome] : "?";
}

int care_outcome_parse(const char *s)
{
	for (int i = 0; s && i < OUT_COUNT; i++)
		if (!strcmp(s, outcome_names[i]))
			return i;
	return -1;
}

bool care_plan_valid(int64_t days, int64_t months)
{
	if (days > 0 && months > 0)
		return false;
	return (days >= 1 && days <= 366) || (months >= 1 && months <= 24);
}

void care_policy_set(care_policy *p, char cls, int days, int months)
{
	int i = cls == 'A' ? 0 : cls == 'B' ? 1 : 2;
	p->contact_days[i] = days > 0 ? days : 0;
	p->contact_months[i] = days > 0 ? 0 : months;
}

int32_t care_task_due(const care_policy *p, char cls, int32_t created_day, int32_t last_visit_day,
		      int32_t last_done_day, int last_outcome)
{
	int32_t last = created_day;
	if (last_visit_day > last)
		last = last_visit_day;
	if (last_done_day >= 0 && last_done_day >= last) {
		/* DOMAIN §6 plans count from the last contact; one that reached nobody is tried again soon */
		if (last_outcome == OUT_NO_ANSWER)
			return last_done_day + CARE_RETRY_DAYS;
		last = last_done_day;
	}
	return care_next_contact(p, cls, last);
}
