/*
 * pinyin.c — see pinyin.h. The first call builds a sorted table (code point → initial) of
 * every GB2312 level-1 hanzi by converting each code with iconv, plus the level-2 name
 * characters below; lookups are a binary search. Built once (pthread_once), read-only after.
 */
#include "util/pinyin.h"
#include "util/util.h"

#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* GB2312 level 1 (0xB0A1–0xD7F9) is ordered by pinyin: the first code of each initial.
 * (啊 B0A1, 芭 B0C5, 擦 B2C1, 搭 B4EE, 蛾 B6EA, 发 B7A2, 噶 B8C1, 哈 B9FE, 击 BBF7, 喀 BFA6,
 * 垃 C0AC, 妈 C2E8, 拿 C4C3, 哦 C5B6, 啪 C5BE, 期 C6DA, 然 C8BB, 撒 C8F6, 塌 CBFA, 挖 CDDA,
 * 昔 CEF4, 压 D1B9, 匝 D4D1; no syllable starts with i, u or v.) */
static const struct {
	uint16_t first;
	char initial;
} level1[] = {
	{0xB0A1, 'a'}, {0xB0C5, 'b'}, {0xB2C1, 'c'}, {0xB4EE, 'd'}, {0xB6EA, 'e'}, {0xB7A2, 'f'},
	{0xB8C1, 'g'}, {0xB9FE, 'h'}, {0xBBF7, 'j'}, {0xBFA6, 'k'}, {0xC0AC, 'l'}, {0xC2E8, 'm'},
	{0xC4C3, 'n'}, {0xC5B6, 'o'}, {0xC5BE, 'p'}, {0xC6DA, 'q'}, {0xC8BB, 'r'}, {0xC8F6, 's'},
	{0xCBFA, 't'}, {0xCDDA, 'w'}, {0xCEF4, 'x'}, {0xD1B9, 'y'}, {0xD4D1, 'z'},
};
#define LEVEL1_LAST 0xD7F9

/* Level 2 is ordered by radical and stroke: common name characters, by initial. */
static const char *const level2[26] = {
	['a' - 'a'] = "嫒瑷",
	['b' - 'a'] = "璧蓓贲",
	['c' - 'a'] = "琛宸骋琮岑璨粲",
	['d' - 'a'] = "棣铎",
	['f' - 'a'] = "沣昉斐霏",
	['g' - 'a'] = "珙赓皋罡",
	['h' - 'a'] = "昊晗珩桦骅灏泓晖",
	['j' - 'a'] = "瑾婧菁珺璟隽珈婕玑缙",
	['k' - 'a'] = "恺锴珂琨",
	['l' - 'a'] = "璐岚琅潞珞翎骊俐珑",
	['m' - 'a'] = "淼旻嫚懋",
	['n' - 'a'] = "楠旎",
	['p' - 'a'] = "芃",
	['q' - 'a'] = "琪琦骞茜淇祺沁麒蔷颀覃",
	['r' - 'a'] = "睿芮冉嵘",
	['s' - 'a'] = "晟姝澍珅莘燊铄笙",
	['t' - 'a'] = "潼汀",
	['w' - 'a'] = "炜玮雯琬菀邬",
	['x' - 'a'] = "萱璇昕曦潇骁煦暄歆鑫羲晞岫",
	['y' - 'a'] = "妍奕媛钰昱彧祎琰烨懿滢瑛熠毓鄢闫晏妤芸昀筠",
	['z' - 'a'] = "喆臻梓铮峥祯缜",
};

/* Surnames whose reading differs from the character's usual one (GB2312 files them by the
 * usual one): corrected when the character opens a name. */
static const struct {
	const char *ch;
	char initial;
} surnames[] = {
	{"单", 's'}, {"解", 'x'}, {"查", 'z'}, {"仇", 'q'}, {"区", 'o'}, {"翟", 'z'}, {"乐", 'y'}, {"曾", 'z'},
};

struct entry {
	uint32_t cp;
	char initial;
};

static struct entry *table;
static size_t table_len;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Decode one UTF-8 sequence at s; returns its length (0 at the end, 1 for a bad byte with cp 0). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (!s[0]) {
		*cp = 0;
		return 0;
	}
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!n) {
		*cp = 0;
		return 1;
	}
	uint32_t v = s[0] & (0x7F >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return (size_t)n;
}

static int entry_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct entry *)a)->cp, y = ((const struct entry *)b)->cp;
	return x < y ? -1 : x > y;
}

static void table_build(void)
{
	size_t cap = 4096 + 512, n = 0;
	struct entry *t = xcalloc(cap, sizeof *t);
	iconv_t cd = iconv_open("UTF-8", "GB2312");
	if (cd != (iconv_t)-1) {
		size_t k = 0;
		for (unsigned code = 0xB0A1; code <= LEVEL1_LAST; code++) {
			unsigned char lo = code & 0xFF;
			if (lo < 0xA1 || lo > 0xFE)
				continue;
			while (k + 1 < ARRAY_LEN(level1) && code >= level1[k + 1].first)
				k++;
			char in[2] = {(char)(code >> 8), (char)lo}, out[8] = {0};
			char *ip = in, *op = out;
			size_t il = 2, ol = sizeof out - 1;
			if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || n >= cap)
				continue;
			uint32_t cp;
			if (utf8_next((const unsigned char *)out, &cp) > 1)
				t[n++] = (struct entry){cp, level1[k].initial};
		}
		iconv_close(cd);
	}
	size_t level1_n = n;
	for (int i = 0; i < 26; i++) {
		const unsigned char *p = (const unsigned char *)level2[i];
		uint32_t cp;
		size_t len;
		while (p && (len = utf8_next(p, &cp)) > 0 && n < cap) {
			/* a character already in level 1 keeps its level-1 initial */
			bool seen = false;
			for (size_t j = 0; j < level1_n && !seen; j++)
				seen = t[j].cp == cp;
			if (!seen && cp)
				t[n++] = (struct entry){cp, (char)('a' + i)};
			p += len;
		}
	}
	qsort(t, n, sizeof *t, entry_cmp);
	table = t;
	table_len = n;
}

char pinyin_initial(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			return (char)(cp + 32);
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ? (char)cp : 0;
	}
	pthread_once(&once, table_build);
	struct entry key = {cp, 0};
	const struct entry *e = bsearch(&key, table, table_len, sizeof *table, entry_cmp);
	return e ? e->initial : 0;
}

size_t pinyin_initials(const char *utf8, char *out, size_t outlen)
{
	size_t n = 0;
	if (!outlen)
		return 0;
	const unsigned char *p = (const unsigned char *)(utf8 ? utf8 : "");
	bool first = true;
	uint32_t cp;
	size_t len;
	while ((len = utf8_next(p, &cp)) > 0 && n + 1 < outlen) {
		char c = 0;
		if (first && len > 1) {
			for (size_t i = 0; i < ARRAY_LEN(surnames) && !c; i++)
				if (!strncmp((const char *)p, surnames[i].ch, len) && strlen(surnames[i].ch) == len)
					c = surnames[i].initial;
		}
		if (!c)
			c = pinyin_initial(cp);
		if (c)
			out[n++] = c;
		if (cp != ' ')
			first = false;
		p += len;
	}
	out[n] = '\0';
	return n;
}
