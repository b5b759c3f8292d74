/* test_setting_text.c: every setting has a label and an explanation in
 * both languages, and the explanation quotes the range the setting takes
 * (domain/setting_text). */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/policy.h"
#include "base/array.h"
#include "base/i18n.h"
#include "domain/limits.h"
#include "domain/setting_text.h"

typedef struct key_list {
    const char *keys[64];
    size_t count;
} key_list;

static void collect(void *context, const char *key, int value)
{
    (void)value;
    key_list *list = context;
    assert_true(list->count < HL_COUNT_OF(list->keys));
    list->keys[list->count++] = key;
}

static key_list every_key(void)
{
    key_list list = {.count = 0};
    hl_limits limits;
    hl_limits_default(&limits);
    hl_limits_each(&limits, collect, &list);
    collect(&list, "time_zone", 0);
    hl_policy policy;
    memset(&policy, 0, sizeof policy);
    hl_policy_each(&policy, collect, &list);
    return list;
}

static void test_every_setting_has_words_in_both_languages(void **state)
{
    (void)state;
    key_list list = every_key();
    assert_true(list.count >= 23);
    for (hl_lang lang = HL_LANG_ZH; lang <= HL_LANG_EN; lang++) {
        hl_i18n_set(lang);
        for (size_t i = 0; i < list.count; i++) {
            const char *label = hl_setting_label(list.keys[i]);
            const char *help = hl_setting_help(list.keys[i]);
            if (label == NULL || help == NULL)
                fail_msg("%s has no words", list.keys[i]);
            assert_true(strlen(label) > 0 && strlen(help) > strlen(label));
        }
    }
    hl_i18n_set(HL_LANG_ZH);
}

/* A Chinese sentence takes full-width punctuation (GB/T 15834): no ASCII
 * comma, parenthesis, colon or semicolon in the Chinese words. */
static void test_chinese_words_use_full_width_punctuation(void **state)
{
    (void)state;
    key_list list = every_key();
    hl_i18n_set(HL_LANG_ZH);
    for (size_t i = 0; i < list.count; i++) {
        const char *texts[] = {hl_setting_label(list.keys[i]), hl_setting_help(list.keys[i])};
        for (size_t t = 0; t < HL_COUNT_OF(texts); t++)
            if (strpbrk(texts[t], ",();:") != NULL)
                fail_msg("%s: half-width punctuation in \"%s\"", list.keys[i], texts[t]);
    }
}

/* The range a limit's explanation quotes ("(1–60)") is the one
 * hl_limits_set enforces: both ends are taken, one step beyond is not. */
static void test_each_limit_quotes_the_range_it_takes(void **state)
{
    (void)state;
    hl_limits limits;
    hl_limits_default(&limits);
    key_list list = {.count = 0};
    hl_limits_each(&limits, collect, &list);
    hl_i18n_set(HL_LANG_EN);
    for (size_t i = 0; i < list.count; i++) {
        const char *help = hl_setting_help(list.keys[i]);
        int low = 0, high = 0;
        const char *range = strrchr(help, '('); /* the range is quoted last */
        /* "(0–1" is not quoted for the on/off setting: its words say 1 and 0. */
        if (strcmp(list.keys[i], "reopen_dissatisfied") == 0) {
            low = 0;
            high = 1;
        } else {
            if (range == NULL || sscanf(range, "(%d\xe2\x80\x93%d", &low, &high) != 2)
                fail_msg("%s quotes no range: \"%s\"", list.keys[i], help);
        }
        char text[16];
        hl_error error;
        hl_limits copy = limits;
        snprintf(text, sizeof text, "%d", low);
        assert_int_equal(hl_limits_set(&copy, list.keys[i], text, &error), HL_OK);
        snprintf(text, sizeof text, "%d", high);
        assert_int_equal(hl_limits_set(&copy, list.keys[i], text, &error), HL_OK);
        snprintf(text, sizeof text, "%d", low - 1);
        if (hl_limits_set(&copy, list.keys[i], text, &error) == HL_OK)
            fail_msg("%s takes %d below its quoted range", list.keys[i], low - 1);
        snprintf(text, sizeof text, "%d", high + 1);
        if (hl_limits_set(&copy, list.keys[i], text, &error) == HL_OK)
            fail_msg("%s takes %d above its quoted range", list.keys[i], high + 1);
    }
    hl_i18n_set(HL_LANG_ZH);
}

static void test_unknown_key_has_no_words(void **state)
{
    (void)state;
    assert_null(hl_setting_label("handle_days.unknown"));
    assert_null(hl_setting_help(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_setting_has_words_in_both_languages),
        cmocka_unit_test(test_chinese_words_use_full_width_punctuation),
        cmocka_unit_test(test_each_limit_quotes_the_range_it_takes),
        cmocka_unit_test(test_unknown_key_has_no_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
