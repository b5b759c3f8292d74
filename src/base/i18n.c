/* i18n.c: the per-thread language switch. It holds no catalogue: each text
 * pair stands where it is used, so that a reader sees both at once. */
#include "base/i18n.h"

#include <string.h>

static _Thread_local hl_lang current_language = HL_LANG_ZH;

void hl_i18n_set(hl_lang language)
{
    current_language = language;
}

hl_lang hl_i18n_get(void)
{
    return current_language;
}

bool hl_i18n_parse(const char *text, hl_lang *out)
{
    if (text == NULL)
        return false;
    if (strncmp(text, "zh", 2) == 0 && (text[2] == '\0' || text[2] == '-' || text[2] == '_')) {
        *out = HL_LANG_ZH;
        return true;
    }
    if (strncmp(text, "en", 2) == 0 && (text[2] == '\0' || text[2] == '-' || text[2] == '_')) {
        *out = HL_LANG_EN;
        return true;
    }
    return false;
}

const char *hl_i18n_pick(const char *chinese, const char *english)
{
    return current_language == HL_LANG_EN ? english : chinese;
}
