/* test_pinyin.c — pinyin initials of names (util/pinyin.c): every level-1 boundary of
 * GB2312, level-2 name characters, surnames read differently, mixed and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "util/pinyin.h"

static const char *ini(const char *s)
{
	static char out[64];
	pinyin_initials(s, out, sizeof out);
	return out;
}

static void common_names(void **state)
{
	(void)state;
	assert_string_equal(ini("张伟"), "zw");
	assert_string_equal(ini("王芳"), "wf");
	assert_string_equal(ini("李娜"), "ln");
	assert_string_equal(ini("刘洋"), "ly");
	assert_string_equal(ini("陈静"), "cj");
	assert_string_equal(ini("欧阳娜娜"), "oynn");
	assert_string_equal(ini("诸葛亮"), "zgl");
	assert_string_equal(ini("赵敏"), "zm");
	assert_string_equal(ini("黄晓明"), "hxm");
	assert_string_equal(ini("广州美森电器有限公司"), "gzmsdqyxgs");
}

static void level1_boundaries(void **state)
{
	(void)state;
	/* the first and last character of several initials' ranges */
	assert_string_equal(ini("啊"), "a");
	assert_string_equal(ini("芭"), "b");
	assert_string_equal(ini("擦"), "c");
	assert_string_equal(ini("搭"), "d");
	assert_string_equal(ini("蛾"), "e");
	assert_string_equal(ini("发"), "f");
	assert_string_equal(ini("噶"), "g");
	assert_string_equal(ini("哈"), "h");
	assert_string_equal(ini("击"), "j");
	assert_string_equal(ini("骏"), "j");
	assert_string_equal(ini("喀"), "k");
	assert_string_equal(ini("垃"), "l");
	assert_string_equal(ini("妈"), "m");
	assert_string_equal(ini("拿"), "n");
	assert_string_equal(ini("哦"), "o");
	assert_string_equal(ini("啪"), "p");
	assert_string_equal(ini("期"), "q");
	assert_string_equal(ini("然"), "r");
	assert_string_equal(ini("撒"), "s");
	assert_string_equal(ini("塌"), "t");
	assert_string_equal(ini("挖"), "w");
	assert_string_equal(ini("昔"), "x");
	assert_string_equal(ini("压"), "y");
	assert_string_equal(ini("匝"), "z");
	assert_string_equal(ini("座"), "z"); /* the last level-1 character */
}

static void level2_and_surnames(void **state)
{
	(void)state;
	assert_string_equal(ini("李昊"), "lh");
	assert_string_equal(ini("王梓萱"), "wzx");
	assert_string_equal(ini("陈睿"), "cr");
	assert_string_equal(ini("单田芳"), "stf");   /* 单 as a surname: Shàn */
	assert_string_equal(ini("解缙"), "xj");      /* 解 as a surname: Xiè */
	assert_string_equal(ini("翟志刚"), "zzg");
	assert_string_equal(ini("简单"), "jd");      /* 单 inside a name keeps dān */
	/* unknown level-2 characters are skipped, not guessed */
	assert_string_equal(ini("\xe4\xb8\xb6"), ""); /* 丶 */
}

static void mixed_and_bad(void **state)
{
	(void)state;
	assert_string_equal(ini("ABC空气 3号"), "abckq3h");
	assert_string_equal(ini(""), "");
	assert_string_equal(ini(NULL), "");
	assert_string_equal(ini("\xff\xfe张"), "z");
	assert_string_equal(ini("\xe5\xbc"), ""); /* truncated sequence */
	char small[3];
	assert_int_equal(pinyin_initials("张伟明", small, sizeof small), 2);
	assert_string_equal(small, "zw");
	assert_int_equal(pinyin_initial('Q'), 'q');
	assert_int_equal(pinyin_initial('-'), 0);
	assert_int_equal(pinyin_initial(0x1F600), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(common_names),
		cmocka_unit_test(level1_boundaries),
		cmocka_unit_test(level2_and_surnames),
		cmocka_unit_test(mixed_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
