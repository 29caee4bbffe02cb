/*
 * pinyin.h — pinyin initials of Chinese names for the customer search ("zw" finds 张伟,
 * issue 3 item 1). Our own mapping, no data file: GB2312 orders its 3,755 level-1 hanzi
 * by pinyin, so the code range a character falls in gives its initial (iconv converts);
 * a short table covers common name characters of level 2 (ordered by radical, not sound),
 * and a few surnames read differently from their common reading (单 Shàn, 解 Xiè, 查 Zhā …)
 * are corrected when they open a name. Anything else (level-2 characters not in the table,
 * other scripts) is skipped; ASCII letters and digits are kept, lowercased.
 */
#ifndef FUWU_PINYIN_H
#define FUWU_PINYIN_H

#include <stddef.h>
#include <stdint.h>

/* The initial (a–z) of one Unicode code point, or 0 when unknown. */
char pinyin_initial(uint32_t cp);

/* Initials of a UTF-8 name into out (NUL-terminated, at most outlen - 1 letters):
 * "张伟" → "zw", "单田芳" → "stf", "ABC空气" → "abckq". Returns the length. */
size_t pinyin_initials(const char *utf8, char *out, size_t outlen);

#endif
