/* test_render_xlsx.c: the bulletin workbook, read back with
 * tests/docs/read_xlsx.py (standard-library Python) as JSON.
 *
 * The assessment is built by hand, so that these tests check the workbook
 * alone: the seed's totals (25301 / 20914 / 12803 -> 82.66% / 61.22%) over
 * two groups, one unit not ranked and one with upheld appeals. */
#include "test_support.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "report/render.h"

#define SEED_PARAGRAPH                                                                                                                \
    "2024年2月1日至2月29日，市政府12345政务服务便民热线对各网络单位办结事项25301件进行了电话调查" \
    "，"                                                                                                                             \
    "电话调查成功的共20914件（占确定基数的82.66%"                                                                     \
    "），市民满意数12803件，经调查，2月各网络单位办结事项"                                                     \
    "平均满意率为61.22%。"

/* ---- the fixture ---- */

#define UNIT_COUNT 8

typedef struct fixture {
    char directory[256];
    hl_unit_result units[UNIT_COUNT];
    hl_unit_result *district_units[5];
    hl_unit_result *department_units[3];
    hl_group_result groups[2];
    hl_assessment assessment;
    hl_bulletin_meta meta;
    json_t *workbook; /* the workbook read back, once written */
} fixture;

static hl_ratio ratio(int64_t numerator, int64_t denominator)
{
    hl_ratio value = {numerator, denominator};
    return value;
}

static hl_unit_result *set_unit(fixture *data, size_t index, const char *code, const char *name,
                                const char *group, int64_t base, int64_t succeeded,
                                int64_t satisfied, int rank)
{
    hl_unit_result *unit = &data->units[index];
    memset(unit, 0, sizeof *unit);
    snprintf(unit->unit, sizeof unit->unit, "%s", code);
    snprintf(unit->name, sizeof unit->name, "%s", name);
    snprintf(unit->group, sizeof unit->group, "%s", group);
    unit->base = base;
    unit->succeeded = succeeded;
    unit->satisfied = satisfied;
    unit->resolved = succeeded / 2;
    unit->success_rate = ratio(succeeded, base);
    unit->satisfaction_rate = ratio(satisfied, succeeded);
    unit->resolved_rate = ratio(succeeded / 2, succeeded);
    unit->sign_on_time_rate = ratio(90, 100);
    unit->completion_on_time_rate = ratio(95, 100);
    unit->return_rate = ratio(3, 100);
    unit->reopen_rate = ratio(1, 100);
    unit->wilson_low = 0.5;
    unit->wilson_high = 0.6;
    unit->score = 70.0;
    unit->ranked = rank > 0;
    unit->rank = rank;
    return unit;
}

static int setup(void **state)
{
    hl_i18n_set(HL_LANG_ZH);
    fixture *data = calloc(1, sizeof *data);
    assert_non_null(data);
    test_make_temp_dir(data->directory, sizeof data->directory);

    const char *districts = "县(市、区)";
    const char *departments = "市直部门";
    /* 县(市、区): five ranked units, so the left pair holds ranks 1-3. */
    hl_unit_result *first = set_unit(data, 0, "U01", "小店区", districts, 6000, 5000, 3500, 1);
    set_unit(data, 1, "U02", "迎泽区", districts, 5000, 4200, 2800, 2);
    set_unit(data, 2, "U03", "杏花岭区", districts, 4000, 3300, 2000, 3);
    set_unit(data, 3, "U04", "尖草坪区", districts, 3000, 2500, 1400, 4);
    set_unit(data, 4, "U05", "万柏林区", districts, 2000, 1600, 800, 5);
    /* 市直部门: two ranked, one below the minimum volume. */
    set_unit(data, 5, "U11", "市住建局", departments, 3000, 2500, 1500, 1);
    set_unit(data, 6, "U12", "市交通局", departments, 2295, 1810, 800, 2);
    hl_unit_result *unranked = set_unit(data, 7, "U13", "市档案馆", departments, 6, 4, 3, 0);

    /* 2467 / 4000 = 61.675% exactly: half up gives 61.68 where a double
     * printed with %.2f may give 61.67. */
    first->sign_on_time_rate = ratio(2467, 4000);
    first->wilson_low = 0.68704;
    first->wilson_high = 0.71271;
    first->score = 68.1249;
    first->list = HL_LIST_RED;
    first->has_previous = true;
    first->previous_rank = 2;
    first->previous_satisfaction_rate = ratio(3300, 4800);
    data->units[4].list = HL_LIST_BLACK;
    data->units[1].appeal_upheld = 2;
    /* A unit with no dispatches has no return rate: an empty cell. */
    unranked->return_rate = ratio(0, 0);

    for (size_t index = 0; index < 5; index++)
        data->district_units[index] = &data->units[index];
    for (size_t index = 0; index < 3; index++)
        data->department_units[index] = &data->units[5 + index];
    snprintf(data->groups[0].name, sizeof data->groups[0].name, "%s", districts);
    data->groups[0].units = data->district_units;
    data->groups[0].count = 5;
    data->groups[0].ranked_count = 5;
    snprintf(data->groups[1].name, sizeof data->groups[1].name, "%s", departments);
    data->groups[1].units = data->department_units;
    data->groups[1].count = 3;
    data->groups[1].ranked_count = 2;

    hl_assessment *assessment = &data->assessment;
    assessment->month = 202402;
    assessment->policy.basic_counts_satisfied = false;
    assessment->policy.method = HL_RANK_BY_RATE;
    assessment->policy.min_reached = 10;
    assessment->policy.weight_response = 30;
    assessment->policy.weight_resolution = 35;
    assessment->policy.weight_satisfaction = 35;
    assessment->policy.list_size = 1;
    assessment->units = data->units;
    assessment->unit_count = UNIT_COUNT;
    assessment->groups = data->groups;
    assessment->group_count = 2;
    for (size_t index = 0; index < UNIT_COUNT; index++) {
        assessment->base += data->units[index].base;
        assessment->succeeded += data->units[index].succeeded;
        assessment->satisfied += data->units[index].satisfied;
        assessment->resolved += data->units[index].resolved;
        assessment->appeal_upheld += data->units[index].appeal_upheld;
    }
    assessment->success_rate = ratio(assessment->succeeded, assessment->base);
    assessment->satisfaction_rate = ratio(assessment->satisfied, assessment->succeeded);
    assessment->resolved_rate = ratio(assessment->resolved, assessment->succeeded);

    snprintf(data->meta.title, sizeof data->meta.title, "太原市人民政府12345政务服务便民热线");
    snprintf(data->meta.hotline_name, sizeof data->meta.hotline_name,
             "市政府12345政务服务便民热线");
    data->meta.month = 202402;
    snprintf(data->meta.generated_at, sizeof data->meta.generated_at, "2024-03-05T09:00:00+08:00");
    *state = data;
    return 0;
}

static int teardown(void **state)
{
    fixture *data = *state;
    json_decref(data->workbook);
    test_remove_tree(data->directory);
    free(data);
    hl_i18n_set(HL_LANG_ZH);
    return 0;
}

/* ---- writing and reading back ---- */

/* Writes the fixture's workbook and reads it back as JSON. */
static json_t *write_and_read(fixture *data)
{
    char workbook_path[512], json_path[512], command[2048];
    test_path(workbook_path, sizeof workbook_path, data->directory, "bulletin.xlsx");
    test_path(json_path, sizeof json_path, data->directory, "bulletin.json");
    hl_error error;
    hl_error_clear(&error);
    int result = hl_render_xlsx_write(&data->assessment, &data->meta, workbook_path, &error);
    if (result != HL_OK)
        fail_msg("hl_render_xlsx_write: %d %s", result, error.message);

    const char *source = getenv("HOTLINE_SOURCE_DIR");
    assert_non_null(source);
    snprintf(command, sizeof command,
             "/usr/bin/python3 '%s/tests/docs/read_xlsx.py' --json '%s' > '%s'", source,
             workbook_path, json_path);
    assert_int_equal(system(command), 0);

    json_error_t json_error;
    json_t *workbook = json_load_file(json_path, JSON_REJECT_DUPLICATES, &json_error);
    if (workbook == NULL)
        fail_msg("%s: %s", json_path, json_error.text);
    assert_true(json_is_object(workbook));
    json_decref(data->workbook);
    data->workbook = workbook;
    return workbook;
}

static json_t *sheet(json_t *workbook, const char *name)
{
    json_t *rows = json_object_get(workbook, name);
    if (rows == NULL)
        fail_msg("no sheet named %s", name);
    assert_true(json_is_array(rows));
    return rows;
}

/* The cell at a 0-based row and column; NULL past the row's last cell. */
static json_t *cell(json_t *rows, size_t row, size_t column)
{
    json_t *cells = json_array_get(rows, row);
    assert_non_null(cells);
    return json_array_get(cells, column);
}

static const char *text_at(json_t *rows, size_t row, size_t column)
{
    json_t *value = cell(rows, row, column);
    if (!json_is_string(value))
        fail_msg("row %zu column %zu is not a string", row, column);
    return json_string_value(value);
}

static double number_at(json_t *rows, size_t row, size_t column)
{
    json_t *value = cell(rows, row, column);
    if (!json_is_number(value))
        fail_msg("row %zu column %zu is not a number", row, column);
    return json_number_value(value);
}

static bool empty_at(json_t *rows, size_t row, size_t column)
{
    json_t *value = cell(rows, row, column);
    return value == NULL || (json_is_string(value) && json_string_value(value)[0] == '\0');
}

/* The percent figure the text bulletin prints, as a number. */
static double printed_percent(hl_ratio value)
{
    char text[32];
    hl_assessment_format_percent(value, text, sizeof text);
    return strtod(text, NULL);
}

/* The first row whose first cell is text, or fails. */
static size_t find_row(json_t *rows, const char *text)
{
    for (size_t row = 0; row < json_array_size(rows); row++) {
        json_t *first = cell(rows, row, 0);
        if (json_is_string(first) && strcmp(json_string_value(first), text) == 0)
            return row;
    }
    fail_msg("no row starts with %s", text);
    return 0;
}

static bool sheet_contains(json_t *rows, const char *needle)
{
    for (size_t row = 0; row < json_array_size(rows); row++) {
        json_t *cells = json_array_get(rows, row);
        for (size_t column = 0; column < json_array_size(cells); column++) {
            json_t *value = json_array_get(cells, column);
            if (json_is_string(value) && strstr(json_string_value(value), needle) != NULL)
                return true;
        }
    }
    return false;
}

/* ---- tests ---- */

static void test_has_the_three_sheets(void **state)
{
    json_t *workbook = write_and_read(*state);
    assert_int_equal(json_object_size(workbook), 3);
    sheet(workbook, "通报");
    sheet(workbook, "明细");
    sheet(workbook, "说明");
}

static void test_sheet_names_follow_the_language(void **state)
{
    hl_i18n_set(HL_LANG_EN);
    json_t *workbook = write_and_read(*state);
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(json_object_size(workbook), 3);
    json_t *details = sheet(workbook, "Details");
    sheet(workbook, "Bulletin");
    sheet(workbook, "Notes");
    assert_string_equal(text_at(details, 0, 3), "Unit");
    json_t *bulletin = sheet(workbook, "Bulletin");
    assert_non_null(strstr(text_at(bulletin, 2, 0), "From 1 to 29 February 2024, "));
    assert_non_null(strstr(text_at(bulletin, 2, 0), "(82.66% of the base)"));
}

static void test_bulletin_opens_with_title_notice_and_seed_paragraph(void **state)
{
    json_t *bulletin = sheet(write_and_read(*state), "通报");
    assert_string_equal(text_at(bulletin, 0, 0), "太原市人民政府12345政务服务便民热线");
    assert_string_equal(text_at(bulletin, 1, 0), "公告");
    assert_string_equal(text_at(bulletin, 2, 0), SEED_PARAGRAPH);
}

static void test_ranking_table_has_the_newspaper_two_column_layout(void **state)
{
    json_t *bulletin = sheet(write_and_read(*state), "通报");
    size_t title = find_row(bulletin, "2024年2月办结事项市民满意度调查结果排名（一）");
    assert_string_equal(text_at(bulletin, title + 1, 0), "县(市、区)");
    assert_string_equal(text_at(bulletin, title + 1, 1), "排名");
    assert_string_equal(text_at(bulletin, title + 1, 2), "县(市、区)");
    assert_string_equal(text_at(bulletin, title + 1, 3), "排名");
    /* Five ranked: ranks 1-3 on the left, 4-5 on the right. */
    assert_string_equal(text_at(bulletin, title + 2, 0), "小店区");
    assert_true(number_at(bulletin, title + 2, 1) == 1);
    assert_string_equal(text_at(bulletin, title + 2, 2), "尖草坪区");
    assert_true(number_at(bulletin, title + 2, 3) == 4);
    assert_string_equal(text_at(bulletin, title + 4, 0), "杏花岭区");
    assert_true(empty_at(bulletin, title + 4, 2));

    size_t second = find_row(bulletin, "2024年2月办结事项市民满意度调查结果排名（二）");
    assert_string_equal(text_at(bulletin, second + 2, 0), "市住建局");
    assert_true(number_at(bulletin, second + 2, 1) == 1);
    assert_string_equal(text_at(bulletin, second + 2, 2), "市交通局");
    assert_true(number_at(bulletin, second + 2, 3) == 2);
}

static void test_unranked_units_follow_their_table_in_one_line(void **state)
{
    json_t *bulletin = sheet(write_and_read(*state), "通报");
    size_t second = find_row(bulletin, "2024年2月办结事项市民满意度调查结果排名（二）");
    assert_string_equal(text_at(bulletin, second + 3, 0),
                        "未参加排名（回访成功不足 10 件）：市档案馆");
}

static void test_details_have_one_row_per_unit_with_the_same_figures(void **state)
{
    fixture *data = *state;
    json_t *details = sheet(write_and_read(data), "明细");
    assert_int_equal(json_array_size(details), 1 + UNIT_COUNT);
    assert_string_equal(text_at(details, 0, 0), "分组");
    assert_string_equal(text_at(details, 0, 20), "上月满意率");

    /* Rows follow the groups' order, which here is the fixture's order. */
    for (size_t index = 0; index < UNIT_COUNT; index++) {
        const hl_unit_result *unit = &data->units[index];
        size_t row = index + 1;
        assert_string_equal(text_at(details, row, 0), unit->group);
        assert_string_equal(text_at(details, row, 2), unit->unit);
        assert_string_equal(text_at(details, row, 3), unit->name);
        assert_true(number_at(details, row, 4) == (double)unit->base);
        assert_true(number_at(details, row, 5) == (double)unit->succeeded);
        assert_true(number_at(details, row, 6) == printed_percent(unit->success_rate));
        assert_true(number_at(details, row, 7) == (double)unit->satisfied);
        assert_true(number_at(details, row, 8) == printed_percent(unit->satisfaction_rate));
        assert_true(number_at(details, row, 11) == (double)unit->resolved);
        assert_true(number_at(details, row, 12) == printed_percent(unit->resolved_rate));
        assert_true(number_at(details, row, 13) == printed_percent(unit->sign_on_time_rate));
        assert_true(number_at(details, row, 14) == printed_percent(unit->completion_on_time_rate));
    }
    /* 小店区: 5000/6000, 3500/5000, and the exact half 61.675 rounded up. */
    assert_true(number_at(details, 1, 1) == 1);
    assert_true(number_at(details, 1, 6) == 83.33);
    assert_true(number_at(details, 1, 8) == 70.00);
    assert_true(number_at(details, 1, 9) == 68.70);
    assert_true(number_at(details, 1, 10) == 71.27);
    assert_true(number_at(details, 1, 13) == 61.68);
    assert_true(empty_at(details, 1, 17)); /* no score unless it ranks */
    assert_string_equal(text_at(details, 1, 18), "红榜");
    assert_true(number_at(details, 1, 19) == 2);
    assert_true(number_at(details, 1, 20) == 68.75);
    assert_string_equal(text_at(details, 5, 18), "黑榜");
}

static void test_details_leave_cells_empty_without_data(void **state)
{
    json_t *details = sheet(write_and_read(*state), "明细");
    size_t archive = find_row(details, "市直部门") + 2; /* 市档案馆, after the two ranked */
    assert_string_equal(text_at(details, archive, 3), "市档案馆");
    assert_true(empty_at(details, archive, 1));  /* not ranked */
    assert_true(empty_at(details, archive, 15)); /* no dispatches: no return rate */
    assert_true(empty_at(details, archive, 19)); /* no previous month */
    assert_true(empty_at(details, archive, 20));
    assert_true(number_at(details, archive, 8) == 75.00);
}

static void test_score_is_shown_when_it_ranks(void **state)
{
    fixture *data = *state;
    data->assessment.policy.method = HL_RANK_BY_SCORE;
    json_t *workbook = write_and_read(data);
    json_t *details = sheet(workbook, "明细");
    assert_true(number_at(details, 1, 17) == 68.12);
    assert_true(number_at(details, 2, 17) == 70.00);
    assert_true(sheet_contains(sheet(workbook, "说明"), "满意率（满意数 ÷ 调查成功数）× 35%"));
}

static void test_notes_give_rule_volume_policy_and_appeals(void **state)
{
    json_t *notes = sheet(write_and_read(*state), "说明");
    assert_string_equal(text_at(notes, 1, 0), "排名规则");
    assert_true(
        sheet_contains(notes, "排名依据：满意率（满意数 ÷ 调查成功数），按精确比值由高到低。"));
    assert_true(sheet_contains(notes, "当月调查成功不足 10 件的单位不参加排名"));
    assert_true(sheet_contains(notes, "满意数 = 非常满意 + 满意（“基本满意”不计为满意）。"));
    assert_true(sheet_contains(notes, "退单率 = 退单数 ÷ 派单数"));
    assert_true(sheet_contains(notes, "本月经申诉核实不纳入考核 2 件（其中 迎泽区 2 件）。"));
}

static size_t directory_entries(const char *path)
{
    DIR *directory = opendir(path);
    assert_non_null(directory);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(directory);
    return count;
}

static void test_unwritable_path_fails_with_eio_and_leaves_no_file(void **state)
{
    fixture *data = *state;
    char path[512];
    test_path(path, sizeof path, data->directory, "missing/bulletin.xlsx");
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_render_xlsx_write(&data->assessment, &data->meta, path, &error), HL_EIO);
    assert_non_null(strstr(error.message, "无法创建文件"));
    struct stat status;
    assert_int_equal(stat(path, &status), -1);
    assert_int_equal(directory_entries(data->directory), 0);
}

/* The workbook is written in full and only the final rename fails (the
 * target is a directory): the temporary file must not be left behind. */
static void test_failed_rename_leaves_no_temporary_file(void **state)
{
    fixture *data = *state;
    char path[512];
    test_path(path, sizeof path, data->directory, "bulletin.xlsx");
    assert_int_equal(mkdir(path, 0755), 0);
    hl_error error;
    hl_error_clear(&error);
    hl_i18n_set(HL_LANG_EN);
    int result = hl_render_xlsx_write(&data->assessment, &data->meta, path, &error);
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(result, HL_EIO);
    assert_non_null(strstr(error.message, "cannot save the workbook"));
    assert_int_equal(directory_entries(data->directory), 1);
    assert_int_equal(directory_entries(path), 0);
}

static void test_month_other_than_the_figures_is_refused(void **state)
{
    fixture *data = *state;
    data->meta.month = 202403;
    char path[512];
    test_path(path, sizeof path, data->directory, "bulletin.xlsx");
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_render_xlsx_write(&data->assessment, &data->meta, path, &error), HL_EINVAL);
    assert_int_equal(directory_entries(data->directory), 0);
}

static void test_replaces_an_existing_file(void **state)
{
    fixture *data = *state;
    char path[512];
    test_path(path, sizeof path, data->directory, "bulletin.xlsx");
    test_write_file(path, "not a workbook");
    json_t *bulletin = sheet(write_and_read(data), "通报");
    assert_string_equal(text_at(bulletin, 2, 0), SEED_PARAGRAPH);
    /* The workbook and its JSON reading; no temporary file. */
    assert_int_equal(directory_entries(data->directory), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_has_the_three_sheets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_names_follow_the_language, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulletin_opens_with_title_notice_and_seed_paragraph,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking_table_has_the_newspaper_two_column_layout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unranked_units_follow_their_table_in_one_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_details_have_one_row_per_unit_with_the_same_figures,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_details_leave_cells_empty_without_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_score_is_shown_when_it_ranks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notes_give_rule_volume_policy_and_appeals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_month_other_than_the_figures_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_path_fails_with_eio_and_leaves_no_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_rename_leaves_no_temporary_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_replaces_an_existing_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
