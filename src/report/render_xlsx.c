/* render_xlsx.c: writes the monthly satisfaction bulletin as an Excel
 * workbook with libxlsxwriter.
 *
 * Three sheets: 通报 (the heading, the notice paragraph and the ranking
 * tables in the newspaper's two-column layout), 明细 (one row per unit,
 * counts and rates as numbers) and 说明 (the footnotes). Every rate is the
 * figure hl_assessment_format_percent prints, parsed back, so the workbook
 * and the text bulletin never disagree in the last decimal. The workbook is
 * written to a temporary file beside the target, flushed to disk and
 * renamed into place. This module computes nothing and words nothing of
 * the bulletin itself: the assessment comes ready from domain/assessment.c,
 * the paragraph, titles, lines, labels and footnotes from domain/bulletin.c,
 * and it does not read the store. */
#include "report/render.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/array.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/i18n.h"
#include "base/text.h"

/* ---- the workbook and its formats ---- */

typedef struct book {
    lxw_workbook *workbook;
    lxw_format *title;     /* the notice's heading */
    lxw_format *heading;   /* 公告 and each table's title */
    lxw_format *paragraph; /* wrapped running text */
    lxw_format *header;    /* column headers */
    lxw_format *cell;      /* ranking table cells */
    lxw_format *rank;      /* ranking table ranks, centred */
    lxw_format *percent;   /* rates: percent figures to two decimals */
    lxw_format *label;     /* the notes' item names */
    /* The first libxlsxwriter failure. Writes after it are harmless, so the
     * sheets are written straight through and the status checked once. */
    lxw_error status;
} book;

static void note(book *workbook, lxw_error status)
{
    if (workbook->status == LXW_NO_ERROR && status != LXW_NO_ERROR)
        workbook->status = status;
}

static void create_formats(book *workbook)
{
    workbook->title = workbook_add_format(workbook->workbook);
    format_set_bold(workbook->title);
    format_set_font_size(workbook->title, 16);
    format_set_align(workbook->title, LXW_ALIGN_CENTER);
    format_set_align(workbook->title, LXW_ALIGN_VERTICAL_CENTER);

    workbook->heading = workbook_add_format(workbook->workbook);
    format_set_bold(workbook->heading);
    format_set_font_size(workbook->heading, 12);
    format_set_align(workbook->heading, LXW_ALIGN_CENTER);
    format_set_align(workbook->heading, LXW_ALIGN_VERTICAL_CENTER);

    workbook->paragraph = workbook_add_format(workbook->workbook);
    format_set_text_wrap(workbook->paragraph);
    format_set_align(workbook->paragraph, LXW_ALIGN_VERTICAL_TOP);

    workbook->header = workbook_add_format(workbook->workbook);
    format_set_bold(workbook->header);
    format_set_text_wrap(workbook->header);
    format_set_align(workbook->header, LXW_ALIGN_CENTER);
    format_set_align(workbook->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_border(workbook->header, LXW_BORDER_THIN);
    format_set_bg_color(workbook->header, 0xD9D9D9);

    workbook->cell = workbook_add_format(workbook->workbook);
    format_set_border(workbook->cell, LXW_BORDER_THIN);

    workbook->rank = workbook_add_format(workbook->workbook);
    format_set_border(workbook->rank, LXW_BORDER_THIN);
    format_set_align(workbook->rank, LXW_ALIGN_CENTER);

    workbook->percent = workbook_add_format(workbook->workbook);
    format_set_num_format(workbook->percent, "0.00");

    workbook->label = workbook_add_format(workbook->workbook);
    format_set_bold(workbook->label);
    format_set_align(workbook->label, LXW_ALIGN_VERTICAL_TOP);
}

static lxw_worksheet *add_sheet(book *workbook, const char *name)
{
    lxw_worksheet *sheet = workbook_add_worksheet(workbook->workbook, name);
    /* The names are fixed and valid, so only an allocation can fail here. */
    if (sheet == NULL)
        note(workbook, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return sheet;
}

/* Empty texts leave the cell empty (libxlsxwriter would do the same). */
static void put_text(book *workbook, lxw_worksheet *sheet, lxw_row_t row, lxw_col_t column,
                     const char *text, lxw_format *format)
{
    if (sheet == NULL)
        return;
    if (text == NULL || text[0] == '\0') {
        if (format != NULL)
            note(workbook, worksheet_write_blank(sheet, row, column, format));
        return;
    }
    note(workbook, worksheet_write_string(sheet, row, column, text, format));
}

static void put_number(book *workbook, lxw_worksheet *sheet, lxw_row_t row, lxw_col_t column,
                       double value, lxw_format *format)
{
    if (sheet != NULL)
        note(workbook, worksheet_write_number(sheet, row, column, value, format));
}

static void put_merged(book *workbook, lxw_worksheet *sheet, lxw_row_t row, lxw_col_t first,
                       lxw_col_t last, const char *text, lxw_format *format)
{
    if (sheet != NULL)
        note(workbook, worksheet_merge_range(sheet, row, first, row, last, text, format));
}

static void set_column(book *workbook, lxw_worksheet *sheet, lxw_col_t column, double width)
{
    if (sheet != NULL)
        note(workbook, worksheet_set_column(sheet, column, column, width, NULL));
}

/* Excel does not grow a row to fit wrapped text in merged cells, so the
 * height is set from the text's display width (CJK characters count 2, as
 * they do in Excel's column units) over the width available. */
static void fit_row(book *workbook, lxw_worksheet *sheet, lxw_row_t row, const char *text,
                    double available_width)
{
    if (sheet == NULL)
        return;
    int width = hl_text_display_width(text);
    int lines = (int)((width + available_width - 1) / available_width);
    if (lines < 1)
        lines = 1;
    note(workbook, worksheet_set_row(sheet, row, 16.0 * lines + 4.0, NULL));
}

/* ---- figures ---- */

/* The rate as the number of percent the text bulletin prints: the string
 * of hl_assessment_format_percent, parsed back, so that both show exactly
 * the same figure. False when there is no data ("-"). */
static bool percent_value(hl_ratio ratio, double *out)
{
    char text[32];
    hl_assessment_format_percent(ratio, text, sizeof text);
    char *end = NULL;
    double value = strtod(text, &end);
    if (ratio.denominator == 0 || end == text || *end != '\0')
        return false;
    *out = value;
    return true;
}

static void put_percent(book *workbook, lxw_worksheet *sheet, lxw_row_t row, lxw_col_t column,
                        hl_ratio ratio)
{
    double value = 0;
    if (percent_value(ratio, &value))
        put_number(workbook, sheet, row, column, value, workbook->percent);
}

/* A fraction (the Wilson bounds; the score over 100) as percent to two
 * decimals rounded half up, printed and parsed back exactly as the text
 * bulletin prints it (domain/bulletin.c), not as "%.2f" would round it. */
static double percent_of_fraction(double fraction)
{
    char text[48];
    long long hundredths = (long long)floor(fraction * 10000.0 + 0.5);
    snprintf(text, sizeof text, "%lld.%02lld", hundredths / 100, hundredths % 100);
    return strtod(text, NULL);
}

/* ---- sheet 通报 ---- */

#define BULLETIN_NAME_WIDTH 30.0
#define BULLETIN_RANK_WIDTH 8.0
#define BULLETIN_TEXT_WIDTH (2 * (BULLETIN_NAME_WIDTH + BULLETIN_RANK_WIDTH))

static void write_unit_pair(book *workbook, lxw_worksheet *sheet, lxw_row_t row, lxw_col_t column,
                            const hl_unit_result *unit)
{
    if (unit == NULL) {
        put_text(workbook, sheet, row, column, "", workbook->cell);
        put_text(workbook, sheet, row, column + 1, "", workbook->rank);
        return;
    }
    put_text(workbook, sheet, row, column, unit->name, workbook->cell);
    put_number(workbook, sheet, row, column + 1, unit->rank, workbook->rank);
}

/* One group's table: title, header, then the first ceil(n/2) ranked units
 * in the left pair of columns and the rest in the right pair, as the
 * newspaper prints it; the group's unranked units follow in one line. */
static lxw_row_t write_group_table(book *workbook, lxw_worksheet *sheet, lxw_row_t row,
                                   const hl_assessment *assessment, size_t group_index,
                                   const hl_bulletin_meta *meta)
{
    const hl_group_result *group = &assessment->groups[group_index];
    hl_buf line;
    hl_buf_init(&line);
    /* domain/bulletin.c prints this as a title and a subtitle; one cell here. */
    hl_bulletin_table_title(meta, group_index, &line, NULL);
    put_merged(workbook, sheet, row++, 0, 3, line.data, workbook->heading);

    const char *heading = hl_bulletin_group_heading(group);
    const char *rank_header = HL_T("排名", "Rank");
    put_text(workbook, sheet, row, 0, heading, workbook->header);
    put_text(workbook, sheet, row, 1, rank_header, workbook->header);
    put_text(workbook, sheet, row, 2, heading, workbook->header);
    put_text(workbook, sheet, row, 3, rank_header, workbook->header);
    row++;

    size_t ranked = group->ranked_count;
    size_t left_count = (ranked + 1) / 2;
    for (size_t index = 0; index < left_count; index++, row++) {
        write_unit_pair(workbook, sheet, row, 0, group->units[index]);
        size_t right = left_count + index;
        write_unit_pair(workbook, sheet, row, 2, right < ranked ? group->units[right] : NULL);
    }

    hl_buf_reset(&line);
    hl_bulletin_unranked_line(assessment, group, &line);
    if (line.len > 0) {
        put_merged(workbook, sheet, row, 0, 3, line.data, workbook->paragraph);
        fit_row(workbook, sheet, row, line.data, BULLETIN_TEXT_WIDTH);
        row++;
    }
    hl_buf_free(&line);
    return row + 1; /* one empty row between tables */
}

static void write_bulletin_sheet(book *workbook, lxw_worksheet *sheet,
                                 const hl_assessment *assessment, const hl_bulletin_meta *meta,
                                 const char *paragraph)
{
    set_column(workbook, sheet, 0, BULLETIN_NAME_WIDTH);
    set_column(workbook, sheet, 1, BULLETIN_RANK_WIDTH);
    set_column(workbook, sheet, 2, BULLETIN_NAME_WIDTH);
    set_column(workbook, sheet, 3, BULLETIN_RANK_WIDTH);

    lxw_row_t row = 0;
    put_merged(workbook, sheet, row, 0, 3, meta->title, workbook->title);
    if (sheet != NULL)
        note(workbook, worksheet_set_row(sheet, row, 28.0, NULL));
    row++;
    put_merged(workbook, sheet, row++, 0, 3, HL_T("公告", "Notice"), workbook->heading);

    put_merged(workbook, sheet, row, 0, 3, paragraph, workbook->paragraph);
    fit_row(workbook, sheet, row, paragraph, BULLETIN_TEXT_WIDTH);
    row += 2;

    for (size_t index = 0; index < assessment->group_count; index++)
        row = write_group_table(workbook, sheet, row, assessment, index, meta);
}

/* ---- sheet 明细 ---- */

typedef struct detail_column {
    const char *chinese;
    const char *english;
    double width;
} detail_column;

static const detail_column detail_columns[] = {
    {"分组", "Group", 14},
    {"排名", "Rank", 6},
    {"单位编码", "Unit code", 10},
    {"单位", "Unit", 26},
    {"确定基数", "Base", 10},
    {"调查成功", "Reached", 10},
    {"调查成功率", "Success %", 11},
    {"满意数", "Satisfied", 10},
    {"满意率", "Satisfaction %", 12},
    {"95%区间下限", "95% CI low", 12},
    {"95%区间上限", "95% CI high", 12},
    {"解决数", "Resolved", 10},
    {"解决率", "Resolved %", 11},
    {"按时签收率", "Signed on time %", 12},
    {"按时办结率", "Completed on time %", 12},
    {"退单率", "Returned %", 10},
    {"重办率", "Reopened %", 10},
    {"综合得分", "Score", 10},
    {"红黑榜", "List", 8},
    {"上月排名", "Previous rank", 10},
    {"上月满意率", "Previous satisfaction %", 12},
};

#define DETAIL_COLUMN_COUNT HL_COUNT_OF(detail_columns)

static void write_detail_row(book *workbook, lxw_worksheet *sheet, lxw_row_t row,
                             const hl_unit_result *unit, const hl_assessment_policy *policy)
{
    lxw_col_t column = 0;
    put_text(workbook, sheet, row, column++, unit->group, NULL);
    if (unit->ranked)
        put_number(workbook, sheet, row, column, unit->rank, NULL);
    column++;
    put_text(workbook, sheet, row, column++, unit->unit, NULL);
    put_text(workbook, sheet, row, column++, unit->name, NULL);
    put_number(workbook, sheet, row, column++, (double)unit->base, NULL);
    put_number(workbook, sheet, row, column++, (double)unit->succeeded, NULL);
    put_percent(workbook, sheet, row, column++, unit->success_rate);
    put_number(workbook, sheet, row, column++, (double)unit->satisfied, NULL);
    put_percent(workbook, sheet, row, column++, unit->satisfaction_rate);
    if (unit->satisfaction_rate.denominator > 0) {
        put_number(workbook, sheet, row, column, percent_of_fraction(unit->wilson_low),
                   workbook->percent);
        put_number(workbook, sheet, row, column + 1, percent_of_fraction(unit->wilson_high),
                   workbook->percent);
    }
    column += 2;
    put_number(workbook, sheet, row, column++, (double)unit->resolved, NULL);
    put_percent(workbook, sheet, row, column++, unit->resolved_rate);
    put_percent(workbook, sheet, row, column++, unit->sign_on_time_rate);
    put_percent(workbook, sheet, row, column++, unit->completion_on_time_rate);
    put_percent(workbook, sheet, row, column++, unit->return_rate);
    put_percent(workbook, sheet, row, column++, unit->reopen_rate);
    /* The score is computed, and shown, only when it decides the ranking. */
    if (policy->method == HL_RANK_BY_SCORE)
        put_number(workbook, sheet, row, column, percent_of_fraction(unit->score / 100.0),
                   workbook->percent);
    column++;
    put_text(workbook, sheet, row, column++, hl_bulletin_list_label(unit->list), NULL);
    if (unit->has_previous && unit->previous_rank > 0)
        put_number(workbook, sheet, row, column, unit->previous_rank, NULL);
    column++;
    if (unit->has_previous)
        put_percent(workbook, sheet, row, column, unit->previous_satisfaction_rate);
}

static void write_detail_sheet(book *workbook, lxw_worksheet *sheet,
                               const hl_assessment *assessment)
{
    if (sheet == NULL)
        return;
    for (lxw_col_t column = 0; column < DETAIL_COLUMN_COUNT; column++) {
        const detail_column *spec = &detail_columns[column];
        const char *header = HL_T(spec->chinese, spec->english);
        double width = spec->width;
        double needed = hl_text_display_width(header) + 2.0;
        set_column(workbook, sheet, column, width > needed ? width : needed);
        put_text(workbook, sheet, 0, column, header, workbook->header);
    }
    worksheet_freeze_panes(sheet, 1, 0);

    /* In the bulletin's order: group by group, ranked units by rank. */
    lxw_row_t row = 1;
    for (size_t group = 0; group < assessment->group_count; group++)
        for (size_t index = 0; index < assessment->groups[group].count; index++)
            write_detail_row(workbook, sheet, row++, assessment->groups[group].units[index],
                             &assessment->policy);
    note(workbook, worksheet_autofilter(sheet, 0, 0, row > 1 ? row - 1 : 0,
                                        (lxw_col_t)(DETAIL_COLUMN_COUNT - 1)));
}

/* ---- sheet 说明 ---- */

/* The footnotes of domain/bulletin.c, one item per row under its label,
 * worded for this workbook's columns (empty cells, the interval's bounds
 * apart), then the instant the figures were read. */

#define NOTES_TEXT_WIDTH 90.0

typedef struct notes_sheet {
    book *workbook;
    lxw_worksheet *sheet;
    lxw_row_t row;
} notes_sheet;

static void put_note(void *context, const char *label, const char *text)
{
    notes_sheet *notes = context;
    put_text(notes->workbook, notes->sheet, notes->row, 0, label, notes->workbook->label);
    put_text(notes->workbook, notes->sheet, notes->row, 1, text, notes->workbook->paragraph);
    fit_row(notes->workbook, notes->sheet, notes->row, text, NOTES_TEXT_WIDTH);
    notes->row++;
}

static void write_notes_sheet(book *workbook, lxw_worksheet *sheet, const hl_assessment *assessment,
                              const hl_bulletin_meta *meta)
{
    set_column(workbook, sheet, 0, 16);
    set_column(workbook, sheet, 1, NOTES_TEXT_WIDTH);
    put_text(workbook, sheet, 0, 0, HL_T("项目", "Item"), workbook->header);
    put_text(workbook, sheet, 0, 1, HL_T("说明", "Note"), workbook->header);
    notes_sheet notes = {workbook, sheet, 1};
    hl_bulletin_each_footnote(assessment, HL_BULLETIN_LAYOUT_SHEET, put_note, &notes);
    if (meta->generated_at[0] != '\0')
        put_note(&notes, HL_T("数据时间", "Figures read at"), meta->generated_at);
}

/* ---- the file ---- */

/* Creates an empty, new file beside path (open with O_EXCL, so that two
 * writers never share one) that libxlsxwriter then fills by name. Mode
 * 0600: a bulletin names units and figures that are not yet published
 * (docs/security.md). */
static int create_temporary(const char *path, char *temporary, size_t size, hl_error *error)
{
    static atomic_uint sequence;
    int saved_errno = EEXIST;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned number = atomic_fetch_add(&sequence, 1u);
        int written = snprintf(temporary, size, "%s.tmp-%ld-%u", path, (long)getpid(), number);
        if (written < 0 || (size_t)written >= size) {
            saved_errno = ENAMETOOLONG;
            break;
        }
        int descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (descriptor >= 0) {
            close(descriptor);
            return HL_OK;
        }
        saved_errno = errno;
        if (saved_errno != EEXIST)
            break;
    }
    temporary[0] = '\0';
    return hl_error_set(error, HL_EIO, "file",
                        HL_T("无法创建文件 %s：%s", "cannot create the file %s: %s"), path,
                        strerror(saved_errno));
}

/* Flushes the finished workbook to disk before the rename makes it
 * visible, so that a crash leaves either the old file or the whole new one. */
static int sync_file(const char *path)
{
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        return -1;
    int result = fsync(descriptor);
    int saved_errno = errno;
    close(descriptor);
    errno = saved_errno;
    return result;
}

/* Makes the rename itself durable. Best effort: the workbook is already
 * complete and in place, and some file systems refuse fsync on directories. */
static void sync_parent_directory(const char *path)
{
    char directory[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(directory, sizeof directory, ".");
    else if (slash == path)
        snprintf(directory, sizeof directory, "/");
    else
        snprintf(directory, sizeof directory, "%.*s", (int)(slash - path), path);
    int descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0)
        return;
    (void)fsync(descriptor);
    close(descriptor);
}

static int save_error(const char *path, int error_number, hl_error *error)
{
    return hl_error_set(error, HL_EIO, "file",
                        HL_T("无法保存工作簿 %s：%s", "cannot save the workbook %s: %s"), path,
                        strerror(error_number));
}

/* The document's creation time is the instant the figures were read, so
 * that the same month's figures give the same workbook. */
static void set_properties(book *workbook, const hl_bulletin_meta *meta)
{
    char title[sizeof meta->title];
    char subject[64];
    snprintf(title, sizeof title, "%s", meta->title);
    snprintf(subject, sizeof subject, "%s %d",
             HL_T("月度满意度通报", "Monthly satisfaction bulletin"), meta->month);
    lxw_doc_properties properties = {0};
    properties.title = title;
    properties.subject = subject;
    hl_time read_at = 0;
    if (meta->generated_at[0] != '\0' &&
        hl_clock_parse_time(hl_slice_of(meta->generated_at), &read_at) == HL_OK)
        properties.created = (time_t)read_at;
    note(workbook, workbook_set_properties(workbook->workbook, &properties));
}

/* Writes the workbook of checked input to a temporary file and renames it
 * to path. */
static int write_workbook(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                          const char *paragraph, const char *path, hl_error *error)
{
    char temporary[4096];
    int result = create_temporary(path, temporary, sizeof temporary, error);
    if (result < 0)
        return result;

    book workbook = {0};
    workbook.workbook = workbook_new(temporary);
    if (workbook.workbook == NULL) {
        unlink(temporary);
        return hl_error_set(error, HL_EIO, "file",
                            HL_T("无法写入工作簿 %s：%s", "cannot write the workbook %s: %s"), path,
                            lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED));
    }
    create_formats(&workbook);
    set_properties(&workbook, meta);
    lxw_worksheet *bulletin = add_sheet(&workbook, HL_T("通报", "Bulletin"));
    lxw_worksheet *details = add_sheet(&workbook, HL_T("明细", "Details"));
    lxw_worksheet *notes = add_sheet(&workbook, HL_T("说明", "Notes"));
    write_bulletin_sheet(&workbook, bulletin, assessment, meta, paragraph);
    write_detail_sheet(&workbook, details, assessment);
    write_notes_sheet(&workbook, notes, assessment, meta);

    /* workbook_close writes the file and frees the workbook, also after an
     * earlier failure: it is the only way to release it. */
    note(&workbook, workbook_close(workbook.workbook));
    if (workbook.status != LXW_NO_ERROR) {
        unlink(temporary);
        return hl_error_set(error, HL_EIO, "file",
                            HL_T("无法写入工作簿 %s：%s", "cannot write the workbook %s: %s"), path,
                            lxw_strerror(workbook.status));
    }
    if (sync_file(temporary) != 0 || rename(temporary, path) != 0) {
        int saved_errno = errno;
        unlink(temporary);
        return save_error(path, saved_errno, error);
    }
    sync_parent_directory(path);
    return HL_OK;
}

int hl_render_xlsx_write(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                         const char *path, hl_error *error)
{
    if (assessment == NULL || meta == NULL)
        return hl_error_set(
            error, HL_EINVAL, NULL, "%s",
            HL_T("通报缺少考核数据或抬头", "the bulletin needs an assessment and its meta"));
    if (path == NULL || path[0] == '\0')
        return hl_error_set(error, HL_EINVAL, "file", HL_T("未指定文件名", "no file name given"));
    /* The paragraph is written first: it refuses a month that is not one,
     * or is not the figures' month, before any file is created. */
    hl_buf paragraph;
    hl_buf_init(&paragraph);
    int result = hl_bulletin_paragraph(assessment, meta, &paragraph, error);
    if (result == HL_OK)
        result = write_workbook(assessment, meta, paragraph.data, path, error);
    hl_buf_free(&paragraph);
    return result;
}

/* A workbook is tens of kilobytes; this bounds what is read back. */
#define WORKBOOK_MAX_BYTES ((size_t)64 * 1024 * 1024)

int hl_render_xlsx_bytes(const hl_assessment *assessment, const hl_bulletin_meta *meta, hl_buf *out,
                         hl_error *error)
{
    const char *base = getenv("TMPDIR");
    char directory[4096];
    int written = snprintf(directory, sizeof directory, "%s/hotline-xlsx-XXXXXX",
                           base != NULL && base[0] != '\0' ? base : "/tmp");
    if (written < 0 || (size_t)written >= sizeof directory || mkdtemp(directory) == NULL)
        return hl_error_set(error, HL_EIO, "file",
                            HL_T("无法创建临时目录：%s", "cannot create a temporary directory: %s"),
                            strerror(errno));
    char path[4200];
    snprintf(path, sizeof path, "%s/bulletin.xlsx", directory);
    int result = hl_render_xlsx_write(assessment, meta, path, error);
    if (result == HL_OK) {
        char *data = NULL;
        size_t length = 0;
        result = hl_file_read_all(path, WORKBOOK_MAX_BYTES, &data, &length, error);
        if (result == HL_OK)
            hl_buf_append(out, data, length);
        free(data);
    }
    unlink(path);
    rmdir(directory);
    return result;
}
