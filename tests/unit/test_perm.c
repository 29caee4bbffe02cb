/* test_perm.c — the permission matrix: which role may do what (DOMAIN §1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "domain/perm.h"

static void admin_has_everything(void **state)
{
	(void)state;
	for (int p = 0; p < P_COUNT; p++)
		assert_true(role_grants(ROLE_ADMIN, p));
}

static void expected_rows(void **state)
{
	(void)state;
	/* Each row: role, then whether it may: org.read org.write user.read user.write audit.read
	 * token.manage wo.read wo.create wo.update customer.read customer.write model.write warranty.register
	 * settings.write tech.write authz.write */
	static const struct { int role; const char *row; } m[] = {
		{ROLE_MANAGER,    "1010101111111111"},
		{ROLE_DISPATCHER, "1010001111101010"},
		{ROLE_AGENT,      "1000001111101000"},
		{ROLE_ADVISOR,    "1000001111101000"},
		{ROLE_TECHNICIAN, "1000001011000000"},
		{ROLE_QC,         "1000001011000000"},
		{ROLE_WARRANTY,   "1000001011000000"},
		{ROLE_WAREHOUSE,  "1000001001000000"},
		{ROLE_CASHIER,    "1000001001000000"},
		{ROLE_FOLLOWUP,   "1000001011101000"},
		{ROLE_CUSTOMER,   "0000001101001000"},
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		for (int p = 0; p < P_COUNT; p++) {
			bool want = m[i].row[p] == '1';
			if (role_grants(m[i].role, p) != want)
				fail_msg("role %s, permission %s: expected %d", role_name(m[i].role), perm_name(p), want);
		}
}

static void roles_union(void **state)
{
	(void)state;
	uint32_t r;
	assert_true(roles_parse_csv("technician,warehouse", &r));
	uint64_t p = perm_for_roles(r);
	assert_true(perm_has(p, P_WO_UPDATE));
	assert_false(perm_has(p, P_USER_WRITE));
	assert_false(roles_parse_csv("technician,boss", &r));
	assert_false(roles_parse_csv("", &r));
	assert_false(roles_parse_csv("admin,", &r));
	char csv[128];
	assert_true(roles_parse_csv("qc,admin", &r));
	roles_csv(r, csv, sizeof csv);
	assert_string_equal(csv, "admin,qc");
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < ROLE_COUNT; i++)
		assert_int_equal(role_parse(role_name(i)), i);
	assert_int_equal(role_parse("root"), -1);
	assert_string_equal(perm_name(P_WO_CREATE), "wo.create");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(admin_has_everything),
		cmocka_unit_test(expected_rows),
		cmocka_unit_test(roles_union),
		cmocka_unit_test(names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
