/* attribute.c: validation of category attributes and of the answers to
 * them (see attribute.h).
 *
 * Pure checks on records and text. Which attributes a category has, and
 * whether a request answered the required ones, is for the caller, which
 * holds the category's whole definition. */
#include "domain/attribute.h"

#include <string.h>

#include "base/clock.h"
#include "base/i18n.h"
#include "domain/directory.h"

#define POSITION_MAX 1000
/* The longest number an answer may spell out. */
#define NUMBER_CHARS 32

static const char *const type_names[HL_ATTRIBUTE_TYPE_COUNT] = {
    [HL_ATTRIBUTE_STRING] = "string",
    [HL_ATTRIBUTE_NUMBER] = "number",
    [HL_ATTRIBUTE_DATETIME] = "datetime",
    [HL_ATTRIBUTE_TEXT] = "text",
    [HL_ATTRIBUTE_SINGLEVALUELIST] = "singlevaluelist",
    [HL_ATTRIBUTE_MULTIVALUELIST] = "multivaluelist",
};

const char *hl_attribute_type_name(hl_attribute_type type)
{
    return (int)type >= 0 && type < HL_ATTRIBUTE_TYPE_COUNT ? type_names[type] : "";
}

int hl_attribute_type_parse(hl_slice text, hl_attribute_type *out)
{
    for (int type = 0; type < HL_ATTRIBUTE_TYPE_COUNT; type++)
        if (hl_slice_equal(text, type_names[type])) {
            *out = (hl_attribute_type)type;
            return HL_OK;
        }
    return HL_EINVAL;
}

bool hl_attribute_is_list(hl_attribute_type type)
{
    return type == HL_ATTRIBUTE_SINGLEVALUELIST || type == HL_ATTRIBUTE_MULTIVALUELIST;
}

/* Splits the values text at each '|' and each piece at its first '='. */
void hl_attribute_each_value(const hl_attribute *attribute, hl_attribute_value_visitor visit,
                             void *context)
{
    const char *cursor = attribute->values;
    size_t left = strnlen(attribute->values, sizeof attribute->values);
    while (left > 0) {
        const char *bar = memchr(cursor, '|', left);
        size_t length = bar != NULL ? (size_t)(bar - cursor) : left;
        const char *equals = memchr(cursor, '=', length);
        hl_slice key = {cursor, equals != NULL ? (size_t)(equals - cursor) : length};
        hl_slice name =
            equals != NULL ? (hl_slice){equals + 1, length - key.len - 1} : (hl_slice){cursor, 0};
        if (!visit(context, key, name))
            return;
        if (bar == NULL)
            return;
        cursor = bar + 1;
        left -= length + 1;
    }
}

typedef struct value_search {
    hl_slice key;
    bool found;
} value_search;

static bool match_key(void *context, hl_slice key, hl_slice name)
{
    (void)name;
    value_search *search = context;
    if (key.len == search->key.len && memcmp(key.ptr, search->key.ptr, key.len) == 0) {
        search->found = true;
        return false;
    }
    return true;
}

bool hl_attribute_has_value(const hl_attribute *attribute, hl_slice key)
{
    value_search search = {key, false};
    hl_attribute_each_value(attribute, match_key, &search);
    return search.found;
}

typedef struct values_check {
    hl_error *error;
    int result;
    size_t count;
    hl_slice keys[HL_ATTRIBUTE_VALUES_MAX];
} values_check;

static int bad_values(hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, "values",
                        HL_T("可选值须为以“|”分隔的“键=名称”，键由字母、数字、“-”、“_”、“."
                             "”组成，名称不能为空",
                             "values are key=name pairs separated by '|', each key a code "
                             "(letters, digits, '-', '_', '.') and each name not empty"));
}

static bool check_one_value(void *context, hl_slice key, hl_slice name)
{
    values_check *check = context;
    if (check->count == HL_ATTRIBUTE_VALUES_MAX) {
        check->result =
            hl_error_set(check->error, HL_EINVAL, "values",
                         HL_T("可选值超过 %d 个", "more than %d values"), HL_ATTRIBUTE_VALUES_MAX);
        return false;
    }
    if (!hl_directory_code_valid(key) || name.len == 0) {
        check->result = bad_values(check->error);
        return false;
    }
    char scratch[HL_NAME_BYTES];
    check->result =
        hl_text_copy(scratch, sizeof scratch, name, HL_NAME_CHARS, false, "values", check->error);
    if (check->result != HL_OK)
        return false;
    /* A key offered twice would make an answer ambiguous. */
    for (size_t index = 0; index < check->count; index++)
        if (check->keys[index].len == key.len &&
            memcmp(check->keys[index].ptr, key.ptr, key.len) == 0) {
            check->result = hl_error_set(check->error, HL_EINVAL, "values",
                                         HL_T("键 %.*s 重复", "the key %.*s appears twice"),
                                         (int)key.len, key.ptr);
            return false;
        }
    check->keys[check->count++] = key;
    return true;
}

static int check_values(const hl_attribute *attribute, hl_error *error)
{
    size_t length = strnlen(attribute->values, sizeof attribute->values);
    if (length == sizeof attribute->values)
        return bad_values(error);
    if (!hl_attribute_is_list(attribute->datatype)) {
        if (length == 0)
            return HL_OK;
        return hl_error_set(error, HL_EINVAL, "values",
                            HL_T("只有 singlevaluelist 与 multivaluelist 可设可选值",
                                 "only singlevaluelist and multivaluelist take values"));
    }
    if (length == 0)
        return hl_error_set(error, HL_EINVAL, "values",
                            HL_T("列表类型须给出可选值（键=名称|键=名称）",
                                 "a list needs its values (key=name|key=name)"));
    /* An empty piece ("a=A||b=B", a trailing '|') is malformed. */
    if (attribute->values[0] == '|' || attribute->values[length - 1] == '|' ||
        strstr(attribute->values, "||") != NULL)
        return bad_values(error);
    values_check check = {.error = error, .result = HL_OK, .count = 0};
    hl_attribute_each_value(attribute, check_one_value, &check);
    return check.result;
}

/* A text field of a definition: UTF-8, one line, within its size. */
static int check_text(const char *text, size_t capacity, size_t max_chars, bool required,
                      const char *field, hl_error *error)
{
    size_t length = strnlen(text, capacity);
    if (length == capacity)
        return hl_error_set(error, HL_EINVAL, field, HL_T("%s 过长", "%s is too long"), field);
    if (required && length == 0)
        return hl_error_set(error, HL_EINVAL, field, HL_T("缺少必填项 %s", "%s is required"),
                            field);
    char scratch[HL_REASON_BYTES];
    return hl_text_copy(scratch, sizeof scratch, (hl_slice){text, length}, max_chars, false, field,
                        error);
}

int hl_attribute_validate(const hl_attribute *attribute, hl_error *error)
{
    char code[HL_CODE_BYTES];
    int result = hl_directory_copy_code(
        code, (hl_slice){attribute->category, strnlen(attribute->category, HL_CODE_BYTES)},
        "category", error);
    if (result == HL_OK)
        result = hl_directory_copy_code(
            code, (hl_slice){attribute->code, strnlen(attribute->code, HL_CODE_BYTES)}, "code",
            error);
    if (result != HL_OK)
        return result;
    if (attribute->position < 1 || attribute->position > POSITION_MAX)
        return hl_error_set(error, HL_EINVAL, "order",
                            HL_T("order 须为 1 至 %d", "order must be 1 to %d"), POSITION_MAX);
    if ((int)attribute->datatype < 0 || attribute->datatype >= HL_ATTRIBUTE_TYPE_COUNT)
        return hl_error_set(error, HL_EINVAL, "datatype",
                            HL_T("datatype 须为 string、number、datetime、text、singlevaluelist "
                                 "或 multivaluelist",
                                 "datatype is string, number, datetime, text, singlevaluelist or "
                                 "multivaluelist"));
    result = check_text(attribute->description, sizeof attribute->description, HL_REASON_CHARS,
                        true, "description", error);
    if (result == HL_OK)
        result = check_text(attribute->datatype_description, sizeof attribute->datatype_description,
                            HL_REASON_CHARS, false, "datatype_description", error);
    if (result == HL_OK)
        result = check_values(attribute, error);
    return result;
}

static int wrong_answer(const char *field, const char *zh, const char *en, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("%s：%s", "%s: %s"), field, HL_T(zh, en));
}

int hl_attribute_check_answer(const hl_attribute *attribute, hl_slice answer, const char *field,
                              hl_error *error)
{
    switch (attribute->datatype) {
    case HL_ATTRIBUTE_STRING:
    case HL_ATTRIBUTE_TEXT: {
        bool text = attribute->datatype == HL_ATTRIBUTE_TEXT;
        size_t max_chars = text ? HL_ATTRIBUTE_TEXT_CHARS : HL_ATTRIBUTE_STRING_CHARS;
        /* Checked as hl_text_copy would, without a copy of up to 16 KB. */
        if (!hl_text_is_utf8(answer.ptr, answer.len))
            return wrong_answer(field, "不是有效的 UTF-8 文本", "not valid UTF-8", error);
        for (size_t index = 0; index < answer.len; index++) {
            unsigned char character = (unsigned char)answer.ptr[index];
            bool line_break = character == '\n' || character == '\r' || character == '\t';
            if ((character < 0x20 && !(text && line_break)) || character == 0x7F)
                return wrong_answer(field, text ? "含有控制字符" : "须为一行文字，不含控制字符",
                                    text ? "holds a control character"
                                         : "one line, without control characters",
                                    error);
        }
        if (hl_text_char_count(answer.ptr, answer.len) > max_chars)
            return hl_error_set(error, HL_EINVAL, field,
                                HL_T("%s：超过 %zu 个字符", "%s: longer than %zu characters"),
                                field, max_chars);
        return HL_OK;
    }
    case HL_ATTRIBUTE_NUMBER: {
        double number = 0;
        if (answer.len > NUMBER_CHARS || hl_text_parse_double(answer, &number) != HL_OK)
            return wrong_answer(field, "须为数字", "must be a number", error);
        return HL_OK;
    }
    case HL_ATTRIBUTE_DATETIME: {
        hl_time instant = 0;
        if (hl_clock_parse_w3c(answer, &instant) != HL_OK)
            return wrong_answer(
                field, "须为带时区的 ISO 8601 时间，如 2024-02-01T09:30:00+08:00",
                "must be an ISO 8601 time with its zone, e.g. 2024-02-01T09:30:00+08:00", error);
        return HL_OK;
    }
    case HL_ATTRIBUTE_SINGLEVALUELIST:
    case HL_ATTRIBUTE_MULTIVALUELIST:
        if (!hl_attribute_has_value(attribute, answer))
            return wrong_answer(field, "不是可选值之一", "not one of the values offered", error);
        return HL_OK;
    case HL_ATTRIBUTE_TYPE_COUNT: break;
    }
    return wrong_answer(field, "未知的数据类型", "unknown datatype", error);
}
