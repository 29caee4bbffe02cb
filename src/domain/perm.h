/*
 * perm.h — roles and the permission matrix (which role may do what), in one place.
 */
#ifndef FUWU_PERM_H
#define FUWU_PERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role_id {
	ROLE_ADMIN, ROLE_MANAGER, ROLE_DISPATCHER, ROLE_AGENT, ROLE_ADVISOR, ROLE_TECHNICIAN, ROLE_QC,
	ROLE_WARRANTY, ROLE_WAREHOUSE, ROLE_CASHIER, ROLE_FOLLOWUP, ROLE_CUSTOMER, ROLE_COUNT
};

enum perm_id {
	P_ORG_READ, P_ORG_WRITE, P_USER_READ, P_USER_WRITE, P_AUDIT_READ, P_TOKEN_MANAGE,
	P_WO_READ, P_WO_CREATE, P_WO_UPDATE, P_CUST_READ, P_CUST_WRITE, P_MODEL_WRITE, P_WARRANTY_REGISTER,
	P_SETTINGS_WRITE, P_TECH_WRITE, P_AUTHZ_WRITE, P_COUNT
};

const char *role_name(int role);
int role_parse(const char *name);          /* -1 if unknown */
const char *perm_name(int perm);
const char *perm_describe(int perm);       /* "create users" */
uint64_t perm_for_roles(uint32_t roles);   /* union of the roles' permissions */
bool perm_has(uint64_t perms, int perm);
bool role_grants(int role, int perm);
/* Roles from "admin,agent"; false if one is unknown. */
bool roles_parse_csv(const char *csv, uint32_t *out);
/* "admin,agent" into out. */
void roles_csv(uint32_t roles, char *out, size_t len);

#endif
