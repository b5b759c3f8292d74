/* i18n.h: the language of messages and labels.
 *
 * hotline speaks 简体中文 by default and English on request. The language is
 * per thread, so that each server request can answer in its own language.
 * Strings are written in pairs at the place they are used: HL_T("中文", "English"),
 * also as a format: hl_error_set(error, code, field, HL_T("无此单位 %s", "no unit %s"), code). */
#ifndef HL_I18N_H
#define HL_I18N_H

#include <stdbool.h>

typedef enum hl_lang { HL_LANG_ZH = 0, HL_LANG_EN = 1 } hl_lang;

void hl_i18n_set(hl_lang language);
hl_lang hl_i18n_get(void);
/* Parses "zh", "zh-CN", "en", "en-US"...; returns false for anything else. */
bool hl_i18n_parse(const char *text, hl_lang *out);
/* Picks one of two texts by the current thread's language. */
const char *hl_i18n_pick(const char *chinese, const char *english);

/* A conditional, not a call, so that when HL_T(...) is a printf format
 * (hl_error_set(error, code, field, HL_T("…%s", "…%s"), argument)) the
 * compiler checks both texts against the arguments (-Wformat looks into
 * both arms of ?:). Each argument is evaluated at most once. */
#define HL_T(chinese, english) (hl_i18n_get() == HL_LANG_EN ? (english) : (chinese))

#endif
