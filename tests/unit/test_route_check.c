/*
 * test_route_check.c — the benchmark's independent feasibility checker
 * (bench/routing/solomon.c): it accepts a feasible solution with the right distance and
 * names the first violation of each kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/routing/solomon.c"

/* Depot at (0,0) open [0, 100]; customers on the axes, 10 away, demand 4, service 5. */
static const char instance[] = "TINY\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2         8\r\n\r\nCUSTOMER\r\n"
                               "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n"
                               "    0      0          0          0          0        100          0\r\n"
                               "    1     10          0          4          0         50          5\r\n"
                               "    2      0         10          4         30         40          5\r\n"
                               "    3    -10          0          4          0         50          5\r\n";

static void load(sol_inst *in)
{
	char path[] = "/tmp/fuwu-solomon.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, instance, sizeof(instance) - 1), (ssize_t)(sizeof(instance) - 1));
	close(fd);
	assert_int_equal(sol_read(path, in), 0);
	unlink(path);
}

static int check(const sol_inst *in, int n, const int *r0, int l0, const int *r1, int l1, double *dist, char *msg)
{
	const int *routes[2] = {r0, r1};
	int len[2] = {l0, l1};
	return sol_check(in, n, routes, len, dist, msg, 200);
}

static void reads_the_format(void **state)
{
	(void)state;
	sol_inst in;
	load(&in);
	assert_string_equal(in.name, "TINY");
	assert_int_equal(in.fleet, 2);
	assert_int_equal(in.capacity, 8);
	assert_int_equal(in.n, 4);
	assert_true(in.due[2] == 40 && in.service[3] == 5 && in.x[3] == -10);
	sol_free(&in);
}

static void accepts_and_rejects(void **state)
{
	(void)state;
	sol_inst in;
	load(&in);
	double d;
	char msg[200];
	/* 0-1-2-0 (10 + 14.14 + 10, at 2 at 29.14 → waits to 30) and 0-3-0 */
	int a[] = {1, 2}, b[] = {3};
	assert_int_equal(check(&in, 2, a, 2, b, 1, &d, msg), 0);
	assert_true(fabs(d - (20 + sqrt(200) + 20)) < 1e-9);
	/* served twice */
	int twice[] = {1, 2}, again[] = {1, 3};
	assert_int_equal(check(&in, 2, twice, 2, again, 2, &d, msg), -1);
	assert_non_null(strstr(msg, "twice"));
	/* not served */
	int only[] = {1, 2};
	assert_int_equal(check(&in, 1, only, 2, NULL, 0, &d, msg), -1);
	assert_non_null(strstr(msg, "not served"));
	/* capacity: 3 × 4 > 8 */
	int all[] = {1, 2, 3};
	assert_int_equal(check(&in, 1, all, 3, NULL, 0, &d, msg), -1);
	assert_true(strstr(msg, "capacity") || strstr(msg, "due"));
	/* other feasible splits: 0-2-0 with 0-3-1-0, and 0-3-2-0 (waits at 2) with 0-1-0 */
	int l2[] = {2}, r31[] = {3, 1};
	assert_int_equal(check(&in, 2, l2, 1, r31, 2, &d, msg), 0);
	int r32[] = {3, 2}, l1[] = {1};
	assert_int_equal(check(&in, 2, r32, 2, l1, 1, &d, msg), 0);
	/* fleet: three routes for two vehicles */
	const int r1[] = {1}, r2[] = {2}, r3[] = {3};
	const int *routes[3] = {r1, r2, r3};
	int len[3] = {1, 1, 1};
	assert_int_equal(sol_check(&in, 3, routes, len, &d, msg, 200), -1);
	assert_non_null(strstr(msg, "fleet"));
	/* a customer that does not exist */
	int ghost[] = {1, 7};
	assert_int_equal(check(&in, 2, ghost, 2, b, 1, &d, msg), -1);
	assert_non_null(strstr(msg, "does not exist"));
	sol_free(&in);
}

static void names_lateness(void **state)
{
	(void)state;
	sol_inst in;
	load(&in);
	double d;
	char msg[200];
	/* 0-3-1-2: at 3 at 10, leaves 15, at 1 at 35, leaves 40, at 2 at 54.1 > 40 */
	int r[] = {3, 1, 2};
	in.capacity = 100;
	assert_int_equal(check(&in, 1, r, 3, NULL, 0, &d, msg), -1);
	assert_non_null(strstr(msg, "due time"));
	/* back too late to the depot */
	in.due[0] = 30;
	int s[] = {1};
	int t[] = {2, 3};
	assert_int_equal(check(&in, 2, s, 1, t, 2, &d, msg), -1);
	assert_non_null(strstr(msg, "depot"));
	sol_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_the_format),
	    cmocka_unit_test(accepts_and_rejects),
	    cmocka_unit_test(names_lateness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
