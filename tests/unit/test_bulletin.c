/* Tests of the monthly satisfaction bulletin: its model (src/domain/
 * bulletin.c) and its formats (src/report/render_*.c), together, since
 * each text of the model is checked against the bulletin that prints it.
 * The assessments are built here by hand, struct by struct, so that these
 * tests check the rendering alone and do not depend on how
 * hl_assessment_compute ranks. The seed fixture reproduces Taiyuan's February
 * 2024 notice: 42 units in two groups in the published rank order, whose
 * counts sum to the published totals (25301 / 20914 / 12803). The small
 * fixture holds the awkward cases: a rate change that is exactly half a
 * hundredth, unranked units, a unit with no surveys, markup in a name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/i18n.h"
#include "domain/bulletin.h"
#include "report/render.h"
#include "test_support.h"

#define SEED_PARAGRAPH                                                                                                                \
    "2024年2月1日至2月29日，市政府12345政务服务便民热线对各网络单位办结事项25301件进行了电话调查" \
    "，"                                                                                                                             \
    "电话调查成功的共20914件（占确定基数的82.66%"                                                                     \
    "），市民满意数12803件，经调查，2月各网络单位办结事项"                                                     \
    "平均满意率为61.22%。"

/* The two published tables (units.csv of the seed), in rank order. */
static const char *const city_units[30] = {
    "市住房公积金中心",   "市审批服务管理局", "市妇联",     "市人社局",     "市消防救援支队",
    "市文物局",           "市市场监管局",     "太原有线",   "市文旅局",     "市国投公司",
    "太原供电",           "市税务局",         "市卫健委",   "市园林局",     "市医保局",
    "市公安局交警支队",   "市民政局",         "市汾管委",   "市邮政管理局", "市轨道交通公司",
    "市公安局",           "市公交公司",       "市城管局",   "市房产局",     "市交通运输局",
    "市规划和自然资源局", "市教育局",         "市龙投公司", "市住建局",     "市国资委",
};
static const char *const district_units[12] = {
    "中北高新区管委会", "迎泽区政府", "小店区政府",   "杏花岭区政府",
    "清徐县政府",       "晋源区政府", "万柏林区政府", "西山示范区管委会",
    "娄烦县政府",       "阳曲县政府", "尖草坪区政府", "古交市政府",
};

#define MAX_UNITS 48
#define MAX_GROUPS 12

typedef struct fixture {
    hl_assessment assessment;
    hl_bulletin_meta meta;
    hl_unit_result units[MAX_UNITS];
    hl_group_result groups[MAX_GROUPS];
    hl_unit_result *members[MAX_GROUPS][MAX_UNITS];
} fixture;

static fixture seed;
static fixture small;

static hl_ratio ratio(int64_t numerator, int64_t denominator)
{
    hl_ratio value = {numerator, denominator};
    return value;
}

/* Fills one unit from its survey counts; the other rates are plausible
 * figures that vary with index so that rows differ. */
static hl_unit_result *add_unit(fixture *data, size_t group_index, const char *code,
                                const char *name, int64_t base, int64_t succeeded,
                                int64_t satisfied, int rank)
{
    hl_unit_result *unit = &data->units[data->assessment.unit_count];
    size_t index = data->assessment.unit_count++;
    hl_group_result *group = &data->groups[group_index];
    memset(unit, 0, sizeof *unit);
    snprintf(unit->unit, sizeof unit->unit, "%s", code);
    snprintf(unit->name, sizeof unit->name, "%s", name);
    memcpy(unit->group, group->name, sizeof unit->group); /* both HL_NAME_BYTES */
    unit->base = base;
    unit->succeeded = succeeded;
    unit->satisfied = satisfied;
    unit->resolved = satisfied + 20 < succeeded ? satisfied + 20 : succeeded;
    unit->success_rate = ratio(succeeded, base);
    unit->satisfaction_rate = ratio(satisfied, succeeded);
    unit->resolved_rate = ratio(unit->resolved, succeeded);
    unit->sign_on_time_rate = ratio(90 + (int64_t)(index % 10), 100);
    unit->completion_on_time_rate = ratio(80 + (int64_t)(index % 7), 90);
    unit->return_rate = ratio((int64_t)(index % 5), 100);
    unit->reopen_rate = ratio((int64_t)(index % 3), 90);
    hl_assessment_wilson(satisfied, succeeded, &unit->wilson_low, &unit->wilson_high);
    unit->ranked = rank > 0;
    unit->rank = rank;
    group->units[group->count++] = unit;
    if (unit->ranked)
        group->ranked_count++;
    data->assessment.base += base;
    data->assessment.succeeded += succeeded;
    data->assessment.satisfied += satisfied;
    data->assessment.resolved += unit->resolved;
    return unit;
}

static void start_fixture(fixture *data, int month, size_t group_count,
                          const char *const *group_names)
{
    memset(data, 0, sizeof *data);
    data->assessment.month = month;
    data->assessment.policy.method = HL_RANK_BY_RATE;
    data->assessment.policy.min_reached = 10;
    data->assessment.policy.weight_response = 30;
    data->assessment.policy.weight_resolution = 35;
    data->assessment.policy.weight_satisfaction = 35;
    data->assessment.policy.list_size = 3;
    data->assessment.units = data->units;
    data->assessment.groups = data->groups;
    data->assessment.group_count = group_count;
    for (size_t index = 0; index < group_count; index++) {
        snprintf(data->groups[index].name, sizeof data->groups[index].name, "%s",
                 group_names[index]);
        data->groups[index].units = data->members[index];
    }
    snprintf(data->meta.title, sizeof data->meta.title, "太原市人民政府12345政务服务便民热线");
    snprintf(data->meta.hotline_name, sizeof data->meta.hotline_name,
             "市政府12345政务服务便民热线");
    data->meta.month = month;
    snprintf(data->meta.generated_at, sizeof data->meta.generated_at, "2024-03-05T09:00:00+08:00");
}

static void finish_totals(fixture *data)
{
    hl_assessment *assessment = &data->assessment;
    assessment->success_rate = ratio(assessment->succeeded, assessment->base);
    assessment->satisfaction_rate = ratio(assessment->satisfied, assessment->succeeded);
    assessment->resolved_rate = ratio(assessment->resolved, assessment->succeeded);
}

/* Satisfied counts fall with rank inside each group, so the rates give the
 * published order; succeeded and failed surveys are spread evenly so that
 * the sums are the published totals. */
static void build_seed(void)
{
    static const char *const names[2] = {"市直单位", "县市区(开发区)"};
    start_fixture(&seed, 202402, 2, names);
    char code[16];
    for (int position = 0; position < 42; position++) {
        int64_t succeeded = position < 40 ? 498 : 497;
        int64_t failed = position < 19 ? 105 : 104;
        bool city = position < 30;
        int within = city ? position : position - 30;
        int64_t satisfied = city ? 450 - 9 * within : 323 - 10 * within + (within == 0 ? 2 : 0);
        snprintf(code, sizeof code, "TY-%c%02d", city ? 'A' : 'B', within + 1);
        hl_unit_result *unit =
            add_unit(&seed, city ? 0 : 1, code, city ? city_units[within] : district_units[within],
                     succeeded + failed, succeeded, satisfied, within + 1);
        int group_size = city ? 30 : 12;
        unit->list = within < 3                 ? HL_LIST_RED
                     : within >= group_size - 3 ? HL_LIST_BLACK
                                                : HL_LIST_NONE;
        if (city) {
            /* Last month the neighbours of each pair had swapped places. */
            unit->has_previous = true;
            unit->previous_rank = (within ^ 1) + 1;
            unit->previous_satisfaction_rate = ratio(satisfied - 5, succeeded);
        }
    }
    seed.units[1].appeal_upheld = 3;  /* 市审批服务管理局 */
    seed.units[34].appeal_upheld = 1; /* 清徐县政府 */
    seed.assessment.appeal_upheld = 4;
    finish_totals(&seed);
}

static void build_small(void)
{
    static const char *const names[1] = {"测试组"};
    start_fixture(&small, 202402, 1, names);
    hl_unit_result *first = add_unit(&small, 0, "C", "丙单位", 120000, 100000, 61225, 1);
    first->has_previous = true;
    first->previous_rank = 0; /* not ranked last month */
    first->previous_satisfaction_rate = ratio(61214, 100000);
    hl_unit_result *second = add_unit(&small, 0, "A", "甲单位", 110000, 100000, 50000, 2);
    second->has_previous = true;
    second->previous_rank = 4;
    second->previous_satisfaction_rate = ratio(48765, 100000);
    hl_unit_result *third = add_unit(&small, 0, "B", "乙单位", 110000, 100000, 48765, 3);
    third->has_previous = true;
    third->previous_rank = 2;
    third->previous_satisfaction_rate = ratio(50000, 100000);
    hl_unit_result *few = add_unit(&small, 0, "D", "<检测站>,二部", 8, 5, 3, 0);
    few->appeal_upheld = 2;
    hl_unit_result *none = add_unit(&small, 0, "E", "空白单位", 0, 0, 0, 0);
    none->resolved_rate = ratio(0, 0);
    none->sign_on_time_rate = ratio(3, 4);
    small.assessment.appeal_upheld = 2;
    small.assessment.policy.list_size = 0;
    finish_totals(&small);
}

static int setup(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_ZH);
    build_seed();
    build_small();
    return 0;
}

static int reset_language(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_ZH);
    return 0;
}

/* Renders a fixture; the caller frees the returned buffer's data. */
static char *render(const fixture *data, hl_render_format format)
{
    hl_buf out;
    hl_error error;
    hl_buf_init(&out);
    hl_error_clear(&error);
    int result = hl_render_bulletin(&data->assessment, &data->meta, format, &out, &error);
    if (result != HL_OK)
        fail_msg("render failed: %s", error.message);
    return out.data;
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("expected to find \"%s\" in:\n%s", part, text);
}

static void assert_lacks(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("did not expect \"%s\"", part);
}

static size_t count_of(const char *text, const char *part)
{
    size_t count = 0;
    for (const char *cursor = strstr(text, part); cursor != NULL; cursor = strstr(cursor + 1, part))
        count++;
    return count;
}

/* The line that starts with prefix, copied into out (without its newline). */
static void line_starting(const char *text, const char *prefix, char *out, size_t size)
{
    size_t prefix_length = strlen(prefix);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        if (length >= prefix_length && strncmp(line, prefix, prefix_length) == 0) {
            snprintf(out, size, "%.*s", (int)length, line);
            return;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    fail_msg("no line starts with \"%s\"", prefix);
}

/* The line after the one that starts with prefix. */
static void line_after(const char *text, const char *prefix, size_t skip, char *out, size_t size)
{
    char first[1024];
    line_starting(text, prefix, first, sizeof first);
    const char *line = strstr(text, first);
    for (size_t step = 0; step <= skip; step++) {
        line = strchr(line, '\n');
        assert_non_null(line);
        line++;
    }
    const char *end = strchr(line, '\n');
    snprintf(out, size, "%.*s", (int)(end != NULL ? (size_t)(end - line) : strlen(line)), line);
}

/* Runs of spaces to one space: compares rows whatever the padding. */
static void collapse_spaces(const char *text, char *out, size_t size)
{
    size_t written = 0;
    for (const char *cursor = text; *cursor != '\0' && written + 1 < size; cursor++) {
        if (*cursor == ' ' && written > 0 && out[written - 1] == ' ')
            continue;
        out[written++] = *cursor;
    }
    out[written] = '\0';
}

/* ---- Tests -------------------------------------------------------------- */

static void test_format_parse_accepts_each_name_and_rejects_others(void **state)
{
    (void)state;
    hl_render_format format;
    assert_int_equal(hl_render_format_parse("text", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_TEXT);
    assert_int_equal(hl_render_format_parse("markdown", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_MARKDOWN);
    assert_int_equal(hl_render_format_parse("md", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_MARKDOWN);
    assert_int_equal(hl_render_format_parse("csv", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_CSV);
    assert_int_equal(hl_render_format_parse("json", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_JSON);
    assert_int_equal(hl_render_format_parse("html", &format), HL_OK);
    assert_int_equal(format, HL_RENDER_HTML);
    assert_int_equal(hl_render_format_parse("xlsx", &format), HL_EINVAL);
    assert_int_equal(hl_render_format_parse("TEXT", &format), HL_EINVAL);
    assert_int_equal(hl_render_format_parse("", &format), HL_EINVAL);
    assert_int_equal(hl_render_format_parse(NULL, &format), HL_EINVAL);
}

static void test_fixture_sums_to_the_seed_totals(void **state)
{
    (void)state;
    assert_int_equal(seed.assessment.unit_count, 42);
    assert_int_equal(seed.assessment.base, 25301);
    assert_int_equal(seed.assessment.succeeded, 20914);
    assert_int_equal(seed.assessment.satisfied, 12803);
}

static void test_paragraph_is_the_seed_sentence(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    assert_contains(text, "\n" SEED_PARAGRAPH "\n");
    free(text);
}

static void test_heading_is_title_then_notice(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    const char *expected = "太原市人民政府12345政务服务便民热线\n公告\n\n";
    assert_memory_equal(text, expected, strlen(expected));
    free(text);
}

static void test_ranking_tables_use_the_two_column_layout(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    char line[1024], collapsed[1024];
    assert_contains(text, "\n2024年2月办结事项市民满意度\n调查结果排名（一）\n\n市直单位");
    assert_contains(text, "\n2024年2月办结事项市民满意度\n调查结果排名（二）\n\n县市区(开发区)");
    line_starting(text, "市直单位 ", line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "市直单位 排名 市直单位 排名");
    line_after(text, "市直单位 ", 0, line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "市住房公积金中心 1 市公安局交警支队 16");
    line_after(text, "市直单位 ", 14, line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "市医保局 15 市国资委 30");
    line_after(text, "县市区(开发区) ", 0, line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "中北高新区管委会 1 万柏林区政府 7");
    line_after(text, "县市区(开发区) ", 5, line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "晋源区政府 6 古交市政府 12");
    free(text);
}

/* The display column where each space-separated token of line starts. */
static size_t token_columns(const char *line, int *columns, size_t max)
{
    size_t count = 0;
    char prefix[1024];
    for (size_t offset = 0; line[offset] != '\0' && count < max; offset++) {
        if (line[offset] != ' ' && (offset == 0 || line[offset - 1] == ' ')) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)offset, line);
            columns[count++] = hl_text_display_width(prefix);
        }
    }
    return count;
}

static void test_ranking_text_aligns_columns_by_display_width(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    char line[1024];
    int header[4], row[4];
    line_starting(text, "市直单位 ", line, sizeof line);
    assert_int_equal(token_columns(line, header, 4), 4);
    /* The widest left name, 市住房公积金中心, is 8 CJK characters: 16 columns;
     * then two spaces, 排名 (4 columns), two spaces. */
    assert_int_equal(header[2], 16 + 2 + 4 + 2);
    for (size_t skip = 0; skip < 15; skip++) {
        line_after(text, "市直单位 ", skip, line, sizeof line);
        assert_int_equal(token_columns(line, row, 4), 4);
        assert_int_equal(row[0], 0);
        assert_int_equal(row[2], header[2]);
        /* Ranks are right-aligned: they end where the heading 排名 ends. */
        int left_digits = skip < 9 ? 1 : 2;
        assert_int_equal(row[1] + left_digits, header[1] + 4);
        assert_int_equal(row[3] + 2, header[3] + 4);
    }
    assert_lacks(text, " \n");
    free(text);
}

static void test_odd_group_leaves_the_right_pair_empty(void **state)
{
    (void)state;
    char *text = render(&small, HL_RENDER_TEXT);
    char line[1024], collapsed[1024];
    line_after(text, "测试组 ", 0, line, sizeof line);
    collapse_spaces(line, collapsed, sizeof collapsed);
    assert_string_equal(collapsed, "丙单位 1 乙单位 3");
    line_after(text, "测试组 ", 1, line, sizeof line);
    assert_string_equal(line, "甲单位     2"); /* 3 ranked: 2 rows; no trailing blanks */
    free(text);
}

static void test_unranked_units_are_listed_after_the_table(void **state)
{
    (void)state;
    char *text = render(&small, HL_RENDER_TEXT);
    char line[1024];
    line_after(text, "测试组 ", 2, line, sizeof line);
    assert_string_equal(line, "未参加排名（回访成功不足 10 件）：<检测站>,二部、空白单位");
    free(text);
    char *seed_text = render(&seed, HL_RENDER_TEXT);
    assert_lacks(seed_text, "未参加排名");
    free(seed_text);
}

/* How many lines of text, with runs of spaces collapsed, start with prefix;
 * the first such line goes to out. */
static size_t find_collapsed(const char *text, const char *prefix, char *out, size_t size)
{
    size_t found = 0;
    char line[2048], collapsed[2048];
    out[0] = '\0';
    for (const char *cursor = text; cursor != NULL && *cursor != '\0';) {
        const char *end = strchr(cursor, '\n');
        size_t length = end != NULL ? (size_t)(end - cursor) : strlen(cursor);
        snprintf(line, sizeof line, "%.*s", (int)length, cursor);
        collapse_spaces(line, collapsed, sizeof collapsed);
        if (strncmp(collapsed, prefix, strlen(prefix)) == 0 && found++ == 0)
            snprintf(out, size, "%s", collapsed);
        cursor = end != NULL ? end + 1 : NULL;
    }
    return found;
}

static void test_detail_lists_every_unit_with_counts_and_interval(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    const char *details = strstr(text, "\n2024年2月各网络单位办结事项明细\n");
    assert_non_null(details);
    char line[2048], prefix[1024];
    for (size_t index = 0; index < 42; index++) {
        const hl_unit_result *unit = &seed.units[index];
        snprintf(prefix, sizeof prefix, "%s %d %s %lld %lld ", unit->group, unit->rank, unit->name,
                 (long long)unit->base, (long long)unit->succeeded);
        assert_int_equal(find_collapsed(details, prefix, line, sizeof line), 1);
    }
    find_collapsed(details, "市直单位 1 ", line, sizeof line);
    /* 603 base, 498 reached (82.59%), 450 satisfied (90.36% [87.45, 92.65]),
     * 470 resolved of 498, on-time sign-for 90/100, completion 80/90,
     * returns 0/100, reopens 0/90, red list, +1.00 points, up one place. */
    assert_string_equal(line, "市直单位 1 市住房公积金中心 603 498 82.59 450 90.36 [87.45, 92.65] "
                              "94.38 (470/498) 90.00 (90/100) 88.89 (80/90) 0.00 (0/100) "
                              "0.00 (0/90) 红榜 +1.00 ↑1");
    free(text);
}

static void test_rate_change_is_exact_and_rounds_half_up(void **state)
{
    (void)state;
    char *text = render(&small, HL_RENDER_TEXT);
    const char *details = strstr(text, "明细\n");
    assert_non_null(details);
    char line[2048];
    /* 61.225% − 61.214% = 0.011 points, though the rounded rates differ by 0.02. */
    assert_int_equal(find_collapsed(details, "测试组 1 丙单位 ", line, sizeof line), 1);
    assert_non_null(strstr(line, " 61225 61.23 [60.92, 61.53] "));
    assert_non_null(strstr(line, " +0.01 -"));
    /* 1/2 − 48765/100000 = 1.235 points exactly: half up gives +1.24. */
    assert_int_equal(find_collapsed(details, "测试组 2 甲单位 ", line, sizeof line), 1);
    assert_non_null(strstr(line, " +1.24 ↑2"));
    assert_int_equal(find_collapsed(details, "测试组 3 乙单位 ", line, sizeof line), 1);
    assert_non_null(strstr(line, " -1.24 ↓1"));
    free(text);
}

static void test_unit_without_surveys_shows_dashes(void **state)
{
    (void)state;
    char *text = render(&small, HL_RENDER_TEXT);
    char line[2048];
    assert_int_equal(
        find_collapsed(strstr(text, "明细\n"), "测试组 - 空白单位 ", line, sizeof line), 1);
    assert_string_equal(line, "测试组 - 空白单位 0 0 - 0 - - 75.00 (3/4) 93.33 (84/90) "
                              "4.00 (4/100) 1.11 (1/90) - -");
    free(text);
}

static void test_footnotes_state_rate_rule_minimum_and_appeals(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_TEXT);
    const char *notes = strstr(text, "\n注：\n");
    assert_non_null(notes);
    assert_contains(
        notes, "1. 排名依据：满意率（满意数 ÷ 调查成功数），按精确比值由高到低。并列者名次相同");
    assert_contains(notes, "调查成功不足 10 件的单位不参加排名");
    assert_contains(notes, "“基本满意”不计为满意");
    assert_contains(notes, "确定基数：");
    assert_contains(notes, "95% 威尔逊");
    assert_contains(
        notes, "本月经申诉核实不纳入考核 4 件（其中 市审批服务管理局 3 件、清徐县政府 1 件）。");
    assert_contains(notes, "红榜、黑榜：各组排名前 3 名的单位列入红榜，后 3 名列入黑榜；");
    free(text);
}

static void test_footnotes_give_the_score_weights(void **state)
{
    (void)state;
    fixture *data = &small;
    data->assessment.policy.method = HL_RANK_BY_SCORE;
    data->assessment.policy.weight_response = 40;
    data->assessment.policy.weight_resolution = 30;
    data->assessment.policy.weight_satisfaction = 30;
    data->assessment.policy.basic_counts_satisfied = true;
    data->units[0].score = 72.5;
    char *text = render(data, HL_RENDER_TEXT);
    assert_contains(text, "排名依据：加权得分 = 响应率（按时签收数 ÷ 签收数）× 40% + "
                          "解决率（解决数 ÷ 调查成功数）× 30% + "
                          "满意率（满意数 ÷ 调查成功数）× 30%（百分制），由高到低。");
    assert_contains(text, "“基本满意”计为满意");
    assert_contains(text, "得分");
    assert_contains(text, " 72.50 ");
    assert_lacks(text, "红榜、黑榜"); /* list_size 0 */
    free(text);
    build_small();
}

static void test_footnotes_describe_the_wilson_rule(void **state)
{
    (void)state;
    small.assessment.policy.method = HL_RANK_BY_WILSON;
    char *text = render(&small, HL_RENDER_TEXT);
    assert_contains(text,
                    "排名依据：满意率（满意数 ÷ 调查成功数）95% 威尔逊（Wilson）置信区间的下限");
    assert_contains(text, "本月经申诉核实不纳入考核 2 件（其中 <检测站>,二部 2 件）。");
    free(text);
    build_small();
}

static void test_csv_has_a_header_and_one_row_per_unit(void **state)
{
    (void)state;
    char *csv = render(&seed, HL_RENDER_CSV);
    const char *header =
        "group,rank,unit_code,unit,base,survey_succeeded,survey_success_rate,satisfied,"
        "satisfaction_rate,satisfaction_low,satisfaction_high,resolved,resolved_rate,"
        "sign_on_time_rate,completion_on_time_rate,return_rate,reopen_rate,score,list,"
        "previous_rank,previous_satisfaction_rate,";
    assert_memory_equal(csv, header, strlen(header));
    assert_int_equal(count_of(csv, "\n"), 43);
    assert_contains(csv,
                    "\n市直单位,1,TY-A01,市住房公积金中心,603,498,82.59,450,90.36,87.45,92.65,470,"
                    "94.38,90.00,88.89,0.00,0.00,,red,2,89.36,90,100,80,90,0,100,0,90,445,498\n");
    assert_contains(csv, "\n县市区(开发区),12,TY-B12,古交市政府,601,497,");
    /* group order then rank order */
    assert_true(strstr(csv, "TY-A30") < strstr(csv, "TY-B01"));
    free(csv);
}

static void test_csv_leaves_rank_and_missing_rates_empty(void **state)
{
    (void)state;
    char *csv = render(&small, HL_RENDER_CSV);
    assert_contains(csv, "\n测试组,,D,\"<检测站>,二部\",8,5,62.50,3,60.00,");
    assert_contains(
        csv,
        "\n测试组,,E,空白单位,0,0,,0,,,,0,,75.00,93.33,4.00,1.11,,,,,3,4,84,90,4,100,1,90,,\n");
    free(csv);
}

static char *write_temp(const char *directory, const char *name, const char *text, char *path,
                        size_t size)
{
    test_path(path, size, directory, name);
    test_write_file(path, text);
    return path;
}

static void test_json_validates_against_the_schema(void **state)
{
    (void)state;
    const char *source = getenv("HOTLINE_SOURCE_DIR");
    if (source == NULL)
        fail_msg("HOTLINE_SOURCE_DIR is not set (run through ctest)");
    char directory[256], seed_path[512], small_path[512], command[2048];
    test_make_temp_dir(directory, sizeof directory);
    char *seed_json = render(&seed, HL_RENDER_JSON);
    small.assessment.policy.method = HL_RANK_BY_SCORE;
    char *small_json = render(&small, HL_RENDER_JSON);
    build_small();
    write_temp(directory, "seed.json", seed_json, seed_path, sizeof seed_path);
    write_temp(directory, "small.json", small_json, small_path, sizeof small_path);
    snprintf(
        command, sizeof command,
        "/usr/bin/python3 %s/tests/docs/validate_bulletin_json.py %s/docs/bulletin.schema.json "
        "%s %s",
        source, source, seed_path, small_path);
    int status = system(command);
    test_remove_tree(directory);
    free(seed_json);
    free(small_json);
    assert_int_equal(status, 0);
}

static void test_json_parses_with_the_right_figures(void **state)
{
    (void)state;
    char *text = render(&seed, HL_RENDER_JSON);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    if (root == NULL)
        fail_msg("JSON does not parse: %s at %d", error.text, error.position);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "hotline.bulletin/1");
    assert_string_equal(json_string_value(json_object_get(root, "month")), "2024-02");
    json_t *period = json_object_get(root, "period");
    assert_string_equal(json_string_value(json_object_get(period, "from")), "2024-02-01");
    assert_string_equal(json_string_value(json_object_get(period, "to")), "2024-02-29");
    assert_string_equal(json_string_value(json_object_get(root, "paragraph")), SEED_PARAGRAPH);
    json_t *totals = json_object_get(root, "totals");
    assert_int_equal(json_integer_value(json_object_get(totals, "base")), 25301);
    assert_int_equal(json_integer_value(json_object_get(totals, "survey_succeeded")), 20914);
    assert_int_equal(json_integer_value(json_object_get(totals, "satisfied")), 12803);
    assert_int_equal(json_integer_value(json_object_get(totals, "appeal_upheld")), 4);
    json_t *success = json_object_get(totals, "survey_success_rate");
    assert_int_equal(json_integer_value(json_object_get(success, "numerator")), 20914);
    assert_int_equal(json_integer_value(json_object_get(success, "denominator")), 25301);
    assert_string_equal(json_string_value(json_object_get(success, "percent")), "82.66");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(totals, "satisfaction_rate"), "percent")),
        "61.22");
    json_t *policy = json_object_get(root, "policy");
    assert_string_equal(json_string_value(json_object_get(policy, "method")), "rate");
    assert_int_equal(json_integer_value(json_object_get(policy, "min_reached")), 10);
    json_t *groups = json_object_get(root, "groups");
    assert_int_equal(json_array_size(groups), 2);
    json_t *city = json_array_get(groups, 0);
    assert_string_equal(json_string_value(json_object_get(city, "name")), "市直单位");
    assert_int_equal(json_array_size(json_object_get(city, "units")), 30);
    assert_int_equal(json_array_size(json_object_get(json_array_get(groups, 1), "units")), 12);
    json_t *first = json_array_get(json_object_get(city, "units"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "市住房公积金中心");
    assert_int_equal(json_integer_value(json_object_get(first, "rank")), 1);
    assert_true(json_is_true(json_object_get(first, "ranked")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(first, "wilson"), "low")),
                        "87.45");
    assert_string_equal(json_string_value(json_object_get(first, "list")), "red");
    assert_true(json_is_null(json_object_get(first, "score")));
    json_t *previous = json_object_get(first, "previous");
    assert_int_equal(json_integer_value(json_object_get(previous, "rank")), 2);
    assert_true(json_array_size(json_object_get(root, "footnotes")) >= 6);
    json_decref(root);
    free(text);
}

static void test_json_ratio_without_denominator_has_null_percent(void **state)
{
    (void)state;
    char *text = render(&small, HL_RENDER_JSON);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    assert_non_null(root);
    json_t *units = json_object_get(json_array_get(json_object_get(root, "groups"), 0), "units");
    json_t *empty = json_array_get(units, 4);
    assert_string_equal(json_string_value(json_object_get(empty, "code")), "E");
    assert_true(json_is_null(json_object_get(empty, "rank")));
    assert_true(json_is_false(json_object_get(empty, "ranked")));
    assert_true(json_is_null(json_object_get(empty, "wilson")));
    json_t *satisfaction = json_object_get(json_object_get(empty, "rates"), "satisfaction");
    assert_int_equal(json_integer_value(json_object_get(satisfaction, "denominator")), 0);
    assert_true(json_is_null(json_object_get(satisfaction, "percent")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(units, 3), "name")),
                        "<检测站>,二部");
    json_decref(root);
    free(text);
}

static void test_html_is_a_complete_escaped_page(void **state)
{
    (void)state;
    char *html = render(&small, HL_RENDER_HTML);
    const char *doctype = "<!DOCTYPE html>\n<html lang=\"zh-CN\">";
    assert_memory_equal(html, doctype, strlen(doctype));
    assert_contains(html, "<meta charset=\"utf-8\">");
    assert_contains(html, "\"Songti SC\", \"SimSun\", \"Noto Serif CJK SC\", serif");
    assert_contains(html, "size: A4");
    assert_contains(html, "&lt;检测站&gt;,二部");
    assert_lacks(html, "<检测站>");
    assert_lacks(html, "src=");
    assert_lacks(html, "href=");
    assert_lacks(html, "@import");
    assert_int_equal(count_of(html, "<table"), 2);
    assert_int_equal(count_of(html, "</table>"), 2);
    assert_int_equal(count_of(html, "<tr>"), count_of(html, "</tr>"));
    assert_int_equal(count_of(html, "<section"), count_of(html, "</section>"));
    assert_contains(html, "</body>\n</html>\n");
    free(html);
    char *seed_html = render(&seed, HL_RENDER_HTML);
    assert_int_equal(count_of(seed_html, "<table"), 3);
    assert_int_equal(count_of(seed_html, "</table>"), 3);
    assert_contains(seed_html, "<p class=\"paragraph\">" SEED_PARAGRAPH "</p>");
    assert_contains(seed_html, "<h1>太原市人民政府12345政务服务便民热线</h1>\n<h2>公告</h2>");
    assert_contains(seed_html,
                    "<tr><td>市住房公积金中心</td><td class=\"num\">1</td><td>市公安局交警支队</td>"
                    "<td class=\"num\">16</td></tr>");
    free(seed_html);
}

static void test_markdown_has_headings_pipe_tables_and_a_footnote_list(void **state)
{
    (void)state;
    char *markdown = render(&seed, HL_RENDER_MARKDOWN);
    const char *start = "# 太原市人民政府12345政务服务便民热线\n\n## 公告\n\n" SEED_PARAGRAPH "\n";
    assert_memory_equal(markdown, start, strlen(start));
    assert_contains(markdown, "### 2024年2月办结事项市民满意度\n\n**调查结果排名（一）**\n\n"
                              "| 市直单位 | 排名 | 市直单位 | 排名 |\n| --- | ---: | --- | ---: |\n"
                              "| 市住房公积金中心 | 1 | 市公安局交警支队 | 16 |\n");
    assert_contains(markdown, "\n1. 排名依据：");
    assert_contains(markdown, "90.36 \\[87.45, 92.65\\]");
    free(markdown);
    char *escaped = render(&small, HL_RENDER_MARKDOWN);
    assert_contains(escaped, "\\<检测站\\>,二部");
    free(escaped);
}

static void test_english_bulletin_uses_the_english_sentence(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    char *text = render(&seed, HL_RENDER_TEXT);
    assert_contains(text,
                    "太原市人民政府12345政务服务便民热线\nNotice\n\n"
                    "From 1 to 29 February 2024, the 市政府12345政务服务便民热线 surveyed by "
                    "telephone 25301 matters completed by the network units; 20914 surveys "
                    "succeeded (82.66% of the base), 12803 citizens were satisfied; the average "
                    "satisfaction rate of the units' completed matters in February was 61.22%.\n");
    assert_contains(text, "Survey ranking (2)");
    assert_contains(text, "Orders excluded from this month's assessment after an upheld appeal: 4");
    free(text);
    char *html = render(&seed, HL_RENDER_HTML);
    assert_contains(html, "<html lang=\"en\">");
    free(html);
    char *json = render(&seed, HL_RENDER_JSON);
    assert_contains(json, "\"paragraph\":\"From 1 to 29 February 2024");
    free(json);
}

static void test_period_follows_the_calendar(void **state)
{
    (void)state;
    static const struct {
        int month;
        const char *paragraph_start;
        const char *period;
    } cases[] = {
        {202312, "2023年12月1日至12月31日，",
         "\"period\":{\"from\":\"2023-12-01\",\"to\":\"2023-12-31\"}"},
        {202302, "2023年2月1日至2月28日，",
         "\"period\":{\"from\":\"2023-02-01\",\"to\":\"2023-02-28\"}"},
        {202402, "2024年2月1日至2月29日，",
         "\"period\":{\"from\":\"2024-02-01\",\"to\":\"2024-02-29\"}"},
        {202404, "2024年4月1日至4月30日，",
         "\"period\":{\"from\":\"2024-04-01\",\"to\":\"2024-04-30\"}"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        small.assessment.month = cases[index].month;
        small.meta.month = cases[index].month;
        char *text = render(&small, HL_RENDER_TEXT);
        assert_contains(text, cases[index].paragraph_start);
        free(text);
        char *json = render(&small, HL_RENDER_JSON);
        assert_contains(json, cases[index].period);
        free(json);
    }
    build_small();
}

static void test_render_rejects_a_bad_or_mismatched_month(void **state)
{
    (void)state;
    hl_buf out;
    hl_error error;
    hl_buf_init(&out);
    small.meta.month = 202413;
    small.assessment.month = 202413;
    assert_int_equal(
        hl_render_bulletin(&small.assessment, &small.meta, HL_RENDER_TEXT, &out, &error),
        HL_EINVAL);
    assert_string_equal(error.field, "month");
    small.meta.month = 202402;
    small.assessment.month = 202401;
    assert_int_equal(
        hl_render_bulletin(&small.assessment, &small.meta, HL_RENDER_JSON, &out, &error),
        HL_EINVAL);
    small.assessment.month = 202402;
    assert_int_equal(
        hl_render_bulletin(&small.assessment, &small.meta, (hl_render_format)99, &out, &error),
        HL_EINVAL);
    hl_buf_free(&out);
    build_small();
}

static void test_ranking_titles_count_groups_in_chinese(void **state)
{
    (void)state;
    static const char *const names[12] = {"组1", "组2", "组3", "组4",  "组5",  "组6",
                                          "组7", "组8", "组9", "组10", "组11", "组12"};
    fixture *many = calloc(1, sizeof *many);
    assert_non_null(many);
    start_fixture(many, 202402, 12, names);
    for (size_t index = 0; index < 12; index++)
        add_unit(many, index, "U", "某单位", 20, 15, 10, 1);
    finish_totals(many);
    char *text = render(many, HL_RENDER_TEXT);
    assert_contains(text, "调查结果排名（一）\n");
    assert_contains(text, "调查结果排名（十）\n");
    assert_contains(text, "调查结果排名（十一）\n");
    assert_contains(text, "调查结果排名（十二）\n");
    free(text);
    free(many);
}

static void test_group_without_ranked_units_has_no_table(void **state)
{
    (void)state;
    static const char *const names[1] = {"新设单位"};
    fixture *fresh = calloc(1, sizeof *fresh);
    assert_non_null(fresh);
    start_fixture(fresh, 202402, 1, names);
    add_unit(fresh, 0, "N1", "新单位一", 4, 3, 2, 0);
    add_unit(fresh, 0, "N2", "新单位二", 0, 0, 0, 0);
    finish_totals(fresh);
    char *text = render(fresh, HL_RENDER_TEXT);
    assert_contains(text,
                    "调查结果排名（一）\n\n未参加排名（回访成功不足 10 件）：新单位一、新单位二\n");
    assert_lacks(text, "新设单位  排名");
    free(text);
    char *html = render(fresh, HL_RENDER_HTML);
    assert_lacks(html, "<table class=\"ranking\">");
    assert_int_equal(count_of(html, "<table"), 1); /* the details */
    free(html);
    char *markdown = render(fresh, HL_RENDER_MARKDOWN);
    assert_contains(markdown, "**调查结果排名（一）**\n\n未参加排名");
    free(markdown);
    free(fresh);
}

/* ---- The texts one by one (the workbook's) ------------------------------ */

static void test_paragraph_alone_is_the_seed_sentence(void **state)
{
    (void)state;
    hl_buf out;
    hl_error error;
    hl_buf_init(&out);
    hl_error_clear(&error);
    assert_int_equal(hl_bulletin_paragraph(&seed.assessment, &seed.meta, &out, &error), HL_OK);
    assert_string_equal(out.data, SEED_PARAGRAPH);
    hl_buf_free(&out);
}

/* The same refusal, in the same words, as hl_render_bulletin's. */
static void test_paragraph_alone_refuses_what_render_refuses(void **state)
{
    (void)state;
    static const struct {
        int bulletin, figures;
    } months[] = {{202413, 202413}, {202402, 202401}};
    for (size_t index = 0; index < sizeof months / sizeof months[0]; index++) {
        small.meta.month = months[index].bulletin;
        small.assessment.month = months[index].figures;
        hl_buf out;
        hl_buf_init(&out);
        hl_error rendered, alone;
        hl_error_clear(&rendered);
        hl_error_clear(&alone);
        assert_int_equal(
            hl_render_bulletin(&small.assessment, &small.meta, HL_RENDER_TEXT, &out, &rendered),
            HL_EINVAL);
        assert_int_equal(hl_bulletin_paragraph(&small.assessment, &small.meta, &out, &alone),
                         HL_EINVAL);
        assert_string_equal(alone.field, "month");
        assert_string_equal(alone.message, rendered.message);
        assert_int_equal(out.len, 0);
        hl_buf_free(&out);
    }
    build_small();
}

static void test_table_title_comes_in_two_parts_or_one_line(void **state)
{
    (void)state;
    hl_buf title, subtitle;
    hl_buf_init(&title);
    hl_buf_init(&subtitle);
    hl_bulletin_table_title(&seed.meta, 10, &title, &subtitle);
    assert_string_equal(title.data, "2024年2月办结事项市民满意度");
    assert_string_equal(subtitle.data, "调查结果排名（十一）");
    hl_buf_reset(&title);
    hl_bulletin_table_title(&seed.meta, 0, &title, NULL);
    assert_string_equal(title.data, "2024年2月办结事项市民满意度调查结果排名（一）");
    hl_i18n_set(HL_LANG_EN);
    hl_buf_reset(&title);
    hl_bulletin_table_title(&seed.meta, 1, &title, NULL);
    assert_string_equal(
        title.data,
        "Citizen satisfaction with matters completed in February 2024: Survey ranking (2)");
    hl_buf_free(&title);
    hl_buf_free(&subtitle);
}

static void test_table_title_of_a_bad_month_is_empty(void **state)
{
    (void)state;
    hl_bulletin_meta meta = seed.meta;
    meta.month = 202400;
    hl_buf title;
    hl_buf_init(&title);
    hl_bulletin_table_title(&meta, 0, &title, NULL);
    assert_int_equal(title.len, 0);
    hl_buf_free(&title);
}

static void test_group_heading_is_the_name_or_unit(void **state)
{
    (void)state;
    assert_string_equal(hl_bulletin_group_heading(&seed.groups[0]), "市直单位");
    hl_group_result unnamed;
    memset(&unnamed, 0, sizeof unnamed);
    assert_string_equal(hl_bulletin_group_heading(&unnamed), "单位");
}

static void test_unranked_line_names_the_unranked_or_is_empty(void **state)
{
    (void)state;
    hl_buf line;
    hl_buf_init(&line);
    hl_bulletin_unranked_line(&small.assessment, &small.groups[0], &line);
    assert_string_equal(line.data, "未参加排名（回访成功不足 10 件）：<检测站>,二部、空白单位");
    hl_buf_reset(&line);
    hl_bulletin_unranked_line(&seed.assessment, &seed.groups[0], &line);
    assert_int_equal(line.len, 0);
    hl_buf_free(&line);
}

static void test_list_label_names_each_list(void **state)
{
    (void)state;
    assert_string_equal(hl_bulletin_list_label(HL_LIST_RED), "红榜");
    assert_string_equal(hl_bulletin_list_label(HL_LIST_BLACK), "黑榜");
    assert_string_equal(hl_bulletin_list_label(HL_LIST_NONE), "");
    hl_i18n_set(HL_LANG_EN);
    assert_string_equal(hl_bulletin_list_label(HL_LIST_BLACK), "black list");
}

/* Collects the footnotes as the text's numbered list, labels apart. */
typedef struct footnotes_seen {
    hl_buf notes;
    hl_buf labels;
} footnotes_seen;

static void see_footnote(void *context, const char *label, const char *note)
{
    footnotes_seen *seen = context;
    size_t number = 1;
    for (const char *cursor = seen->labels.data; cursor != NULL && *cursor != '\0'; cursor++)
        number += *cursor == '|';
    hl_buf_appendf(&seen->notes, "%zu. %s\n", number, note);
    hl_buf_appendf(&seen->labels, "%s|", label);
}

/* The footnotes numbered as the text numbers them; their labels, each
 * followed by '|', to labels. The caller frees both. */
static char *footnotes_of(const hl_assessment *assessment, hl_bulletin_layout layout, char **labels)
{
    footnotes_seen seen;
    hl_buf_init(&seen.notes);
    hl_buf_init(&seen.labels);
    hl_bulletin_each_footnote(assessment, layout, see_footnote, &seen);
    *labels = seen.labels.data;
    return seen.notes.data;
}

static void test_footnotes_are_the_text_notes_with_labels(void **state)
{
    (void)state;
    char *labels;
    char *notes = footnotes_of(&seed.assessment, HL_BULLETIN_LAYOUT_TEXT, &labels);
    assert_string_equal(labels, "排名规则|最低调查量|基本满意|定义|区间与上月|申诉剔除|红黑榜|");
    char *text = render(&seed, HL_RENDER_TEXT);
    const char *printed = strstr(text, "\n注：\n");
    assert_non_null(printed);
    assert_string_equal(printed + strlen("\n注：\n"), notes);
    free(text);
    free(notes);
    free(labels);
}

static void test_footnotes_for_a_sheet_speak_of_empty_cells(void **state)
{
    (void)state;
    char *labels;
    char *notes = footnotes_of(&seed.assessment, HL_BULLETIN_LAYOUT_SHEET, &labels);
    assert_contains(notes, "列于本组排名表下方，明细中排名留空。");
    assert_contains(notes, "百分数保留两位小数，四舍五入；空白表示分母为 0（无数据）。");
    assert_contains(notes, "95%区间下限、上限为满意率的 95% 威尔逊（Wilson）置信区间");
    assert_contains(
        notes, "本月经申诉核实不纳入考核 4 件（其中 市审批服务管理局 3 件、清徐县政府 1 件）。");
    assert_lacks(notes, "“-”");
    free(notes);
    free(labels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse_accepts_each_name_and_rejects_others),
        cmocka_unit_test(test_fixture_sums_to_the_seed_totals),
        cmocka_unit_test(test_paragraph_is_the_seed_sentence),
        cmocka_unit_test(test_heading_is_title_then_notice),
        cmocka_unit_test(test_ranking_tables_use_the_two_column_layout),
        cmocka_unit_test(test_ranking_text_aligns_columns_by_display_width),
        cmocka_unit_test(test_odd_group_leaves_the_right_pair_empty),
        cmocka_unit_test(test_unranked_units_are_listed_after_the_table),
        cmocka_unit_test(test_group_without_ranked_units_has_no_table),
        cmocka_unit_test(test_detail_lists_every_unit_with_counts_and_interval),
        cmocka_unit_test(test_rate_change_is_exact_and_rounds_half_up),
        cmocka_unit_test(test_unit_without_surveys_shows_dashes),
        cmocka_unit_test(test_footnotes_state_rate_rule_minimum_and_appeals),
        cmocka_unit_test(test_footnotes_give_the_score_weights),
        cmocka_unit_test(test_footnotes_describe_the_wilson_rule),
        cmocka_unit_test(test_csv_has_a_header_and_one_row_per_unit),
        cmocka_unit_test(test_csv_leaves_rank_and_missing_rates_empty),
        cmocka_unit_test(test_json_validates_against_the_schema),
        cmocka_unit_test(test_json_parses_with_the_right_figures),
        cmocka_unit_test(test_json_ratio_without_denominator_has_null_percent),
        cmocka_unit_test(test_html_is_a_complete_escaped_page),
        cmocka_unit_test(test_markdown_has_headings_pipe_tables_and_a_footnote_list),
        cmocka_unit_test_teardown(test_english_bulletin_uses_the_english_sentence, reset_language),
        cmocka_unit_test(test_period_follows_the_calendar),
        cmocka_unit_test(test_render_rejects_a_bad_or_mismatched_month),
        cmocka_unit_test(test_ranking_titles_count_groups_in_chinese),
        cmocka_unit_test(test_paragraph_alone_is_the_seed_sentence),
        cmocka_unit_test(test_paragraph_alone_refuses_what_render_refuses),
        cmocka_unit_test_teardown(test_table_title_comes_in_two_parts_or_one_line, reset_language),
        cmocka_unit_test(test_table_title_of_a_bad_month_is_empty),
        cmocka_unit_test(test_group_heading_is_the_name_or_unit),
        cmocka_unit_test(test_unranked_line_names_the_unranked_or_is_empty),
        cmocka_unit_test_teardown(test_list_label_names_each_list, reset_language),
        cmocka_unit_test(test_footnotes_are_the_text_notes_with_labels),
        cmocka_unit_test(test_footnotes_for_a_sheet_speak_of_empty_cells),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
