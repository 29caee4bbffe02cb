/*
 * perm.c — the permission matrix. DOMAIN §1: each role sees and does what its job needs;
 * the matrix is data, tested by tests/unit/test_perm.c and served by GET /api/v1/roles.
 * Data scope (tenant, organisation subtree, a customer's own records) is applied by the
 * store layer on top of these permissions.
 */
#include "domain/perm.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	"admin", "manager", "dispatcher", "agent", "advisor", "technician", "qc",
	"warranty_assessor", "warehouse", "cashier", "followup", "customer",
};

static const struct {
	const char *name;
	const char *what;
} perms[P_COUNT] = {
	[P_ORG_READ] = {"org.read", "view organisations"},
	[P_ORG_WRITE] = {"org.write", "change organisations"},
	[P_USER_READ] = {"user.read", "view users"},
	[P_USER_WRITE] = {"user.write", "create or change users"},
	[P_AUDIT_READ] = {"audit.read", "read the audit log"},
	[P_TOKEN_MANAGE] = {"token.manage", "manage API tokens"},
	[P_WO_READ] = {"wo.read", "view work orders"},
	[P_WO_CREATE] = {"wo.create", "create work orders"},
	[P_WO_UPDATE] = {"wo.update", "change work orders"},
	[P_CUST_READ] = {"customer.read", "view customers, assets and product models"},
	[P_CUST_WRITE] = {"customer.write", "create or change customers and assets"},
	[P_MODEL_WRITE] = {"model.write", "create or change product models"},
	[P_WARRANTY_REGISTER] = {"warranty.register", "register a product's warranty electronically"},
	[P_SETTINGS_WRITE] = {"settings.write", "change tenant settings, fault categories, SLA policies and the working calendar"},
	[P_TECH_WRITE] = {"tech.write", "change technicians' profiles, skills, shifts and leave"},
	[P_AUTHZ_WRITE] = {"authz.write", "propose, accept, suspend or end authorisations (网签)"},
};

#define B(p) (1ull << (p))
#define STAFF_READ (B(P_ORG_READ) | B(P_WO_READ) | B(P_CUST_READ))
#define CUST_RW (B(P_CUST_READ) | B(P_CUST_WRITE) | B(P_WARRANTY_REGISTER))

/* The matrix: one row per role. */
static const uint64_t matrix[ROLE_COUNT] = {
	[ROLE_ADMIN] = (1ull << P_COUNT) - 1,
	[ROLE_MANAGER] = STAFF_READ | B(P_USER_READ) | B(P_AUDIT_READ) | B(P_WO_CREATE) | B(P_WO_UPDATE) | CUST_RW | B(P_MODEL_WRITE) |
			 B(P_SETTINGS_WRITE) | B(P_TECH_WRITE) | B(P_AUTHZ_WRITE),
	[ROLE_DISPATCHER] = STAFF_READ | B(P_USER_READ) | B(P_WO_CREATE) | B(P_WO_UPDATE) | CUST_RW | B(P_TECH_WRITE),
	[ROLE_AGENT] = STAFF_READ | B(P_WO_CREATE) | B(P_WO_UPDATE) | CUST_RW,
	[ROLE_ADVISOR] = STAFF_READ | B(P_WO_CREATE) | B(P_WO_UPDATE) | CUST_RW,
	[ROLE_TECHNICIAN] = STAFF_READ | B(P_WO_UPDATE),
	[ROLE_QC] = STAFF_READ | B(P_WO_UPDATE),
	[ROLE_WARRANTY] = STAFF_READ | B(P_WO_UPDATE),
	[ROLE_WAREHOUSE] = STAFF_READ,
	[ROLE_CASHIER] = STAFF_READ,
	[ROLE_FOLLOWUP] = STAFF_READ | B(P_WO_UPDATE) | CUST_RW,
	[ROLE_CUSTOMER] = B(P_WO_READ) | B(P_WO_CREATE) | B(P_CUST_READ) | B(P_WARRANTY_REGISTER),
};

const char *role_name(int role)
{
	return role >= 0 && role < ROLE_COUNT ? role_names[role] : "?";
}

int role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (!strcmp(role_names[i], name))
			return i;
	return -1;
}

const char *perm_name(int perm)
{
	return perm >= 0 && perm < P_COUNT ? perms[perm].name : "?";
}

const char *perm_describe(int perm)
{
	return perm >= 0 && perm < P_COUNT ? perms[perm].what : "do this";
}

uint64_t perm_for_roles(uint32_t roles)
{
	uint64_t p = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		if (roles & (1u << i))
			p |= matrix[i];
	return p;
}

bool perm_has(uint64_t p, int perm)
{
	return perm >= 0 && perm < P_COUNT && (p & B(perm));
}

bool role_grants(int role, int perm)
{
	return role >= 0 && role < ROLE_COUNT && perm_has(matrix[role], perm);
}

bool roles_parse_csv(const char *csv, uint32_t *out)
{
	uint32_t r = 0;
	char name[32];
	const char *p = csv;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof name)
			return false;
		memcpy(name, p, n);
		name[n] = '\0';
		int id = role_parse(name);
		if (id < 0)
			return false;
		r |= 1u << id;
		if (comma && !comma[1])
			return false; /* a trailing comma */
		p += n + (comma ? 1 : 0);
	}
	*out = r;
	return r != 0;
}

void roles_csv(uint32_t roles, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < ROLE_COUNT; i++)
		if (roles & (1u << i))
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s", used ? "," : "", role_names[i]);
}
