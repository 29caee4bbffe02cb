/*
 * care.h — customer care rules (DOMAIN §6, issue 3 item 8) as pure functions: churn classes
 * by the 3-6-9 rule (no visit for 3 months = at risk, 6 = nearly lost, 9 = lost) and the
 * next contact by the ABC plan (A weekly, B monthly, C every six months). Numbers are policy
 * data. Unit-tested in tests/unit/test_care.c.
 */
#ifndef FUWU_CARE_H
#define FUWU_CARE_H

#include <stdbool.h>
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

/* Contact tasks (issue 3 item 8): what a contact came to. */
enum care_outcome { OUT_REACHED, OUT_NO_ANSWER, OUT_WRONG_NUMBER, OUT_REFUSED, OUT_VISIT_BOOKED, OUT_COUNT };
const char *care_outcome_name(int outcome); /* "reached", "no_answer", … */
int care_outcome_parse(const char *s);      /* -1 if unknown */
/* Days before another try when nobody answered (not a full plan interval). */
#define CARE_RETRY_DAYS 2

/* The plan of one class as data: every `days` days, else every `months` months. Fails
 * (false) unless exactly one of them is above zero and within 1..366 days / 1..24 months. */
bool care_plan_valid(int64_t days, int64_t months);
/* Set class cls ('A'..'C') of p. */
void care_policy_set(care_policy *p, char cls, int days, int months);

/* The day the next contact task of a customer falls due (DOMAIN §6): from the latest of
 * the last visit, the last finished contact and the day the customer was recorded (civil
 * days, -1 = none), by the class's plan; a last contact that reached nobody is tried again
 * after CARE_RETRY_DAYS. */
int32_t care_task_due(const care_policy *p, char cls, int32_t created_day, int32_t last_visit_day,
		      int32_t last_done_day, int last_outcome);

#endif
