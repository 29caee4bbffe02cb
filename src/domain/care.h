/*
 * care.h — customer care rules (DOMAIN §6, issue 3 item 8) as pure functions: churn classes
 * by the 3-6-9 rule (no visit for 3 months = at risk, 6 = nearly lost, 9 = lost) and the
 * next contact by the ABC plan (A weekly, B monthly, C every six months). Numbers are policy
 * data. Unit-tested in tests/unit/test_care.c.
 */
#ifndef FUWU_CARE_H
#define FUWU_CARE_H

#include <stdint.h>

typedef struct care_policy {
	int churn_months[3];  /* at risk, nearly lost, lost: 3, 6, 9 */
	int contact_days[3];  /* A, B, C by days (0 = use months): 7, 0, 0 */
	int contact_months[3]; /* A, B, C by months: 0, 1, 6 */
} care_policy;

care_policy care_policy_default(void);

enum care_churn { CHURN_ACTIVE, CHURN_AT_RISK, CHURN_NEARLY_LOST, CHURN_LOST, CHURN_COUNT };
const char *care_churn_name(int churn);  /* "active", "at_risk", "nearly_lost", "lost" */
int care_churn_parse(const char *s);     /* -1 if unknown */

/* Churn class of a customer last seen on `last_day` (civil days), as of `today`. */
int care_churn(const care_policy *p, int32_t last_day, int32_t today);
/* The latest last-visit day still in class `churn` or worse: a customer is at least
 * `churn` when last_day <= care_churn_cutoff(p, churn, today). */
int32_t care_churn_cutoff(const care_policy *p, int churn, int32_t today);
/* Next contact of a class "A"/"B"/"C" customer last contacted on `last_day`. */
int32_t care_next_contact(const care_policy *p, char cls, int32_t last_day);

#endif
