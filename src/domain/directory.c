/* directory.c: validation of units, categories and users, and role names.
 *
 * It checks records field by field and names the field at fault; it does
 * not check that referenced codes (a parent, a user's unit) exist, which
 * needs the store and is the caller's business. */
#include "domain/directory.h"

#include <string.h>

#include "base/i18n.h"

/* The longest handling limit a category may set, as for hl_limits. */
#define CATEGORY_HANDLE_DAYS_MAX 60

typedef struct role_text {
    const char *name;
    const char *label_zh;
    const char *label_en;
} role_text;

static const role_text role_texts[HL_ROLE_COUNT] = {
    [HL_ROLE_AGENT] = {"agent", "话务员", "agent"},
    [HL_ROLE_DISPATCHER] = {"dispatcher", "派单员", "dispatcher"},
    [HL_ROLE_HANDLER] = {"handler", "承办人", "unit handler"},
    [HL_ROLE_SURVEYOR] = {"surveyor", "回访员", "surveyor"},
    [HL_ROLE_SUPERVISOR] = {"supervisor", "督办员", "supervisor"},
    [HL_ROLE_ANALYST] = {"analyst", "分析员", "analyst"},
    [HL_ROLE_SYSADMIN] = {"sysadmin", "系统管理员", "system administrator"},
    [HL_ROLE_SECADMIN] = {"secadmin", "安全管理员", "security administrator"},
    [HL_ROLE_AUDITOR] = {"auditor", "审计管理员", "audit administrator"},
};

static bool is_code_character(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9') || character == '-' || character == '_' ||
           character == '.';
}

bool hl_directory_code_valid(hl_slice code)
{
    if (code.len < 1 || code.len > HL_CODE_CHARS)
        return false;
    for (size_t index = 0; index < code.len; index++)
        if (!is_code_character(code.ptr[index]))
            return false;
    return true;
}

/* The message for a bad code, shared by every code field. field_zh is the
 * field's Chinese name, field its English one. */
static int invalid_code(const char *field, const char *field_zh, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field,
                        HL_T("%s须为 1 至 %d 个字母、数字、“-”、“_”或“.”",
                             "%s must be 1 to %d letters, digits, '-', '_' or '.'"),
                        HL_T(field_zh, field), HL_CODE_CHARS);
}

int hl_directory_copy_code(char *destination, hl_slice source, const char *field, hl_error *error)
{
    destination[0] = '\0';
    /* Codes often arrive from spreadsheets with stray spaces around them. */
    hl_slice code = hl_slice_trim(source);
    if (!hl_directory_code_valid(code))
        return invalid_code(field, field, error);
    memcpy(destination, code.ptr, code.len);
    destination[code.len] = '\0';
    return HL_OK;
}

/* Checks a code field of HL_CODE_BYTES; an empty one passes unless required. */
static int check_code(const char *code, bool required, const char *field, const char *field_zh,
                      hl_error *error)
{
    size_t length = strnlen(code, HL_CODE_BYTES);
    if (length == 0 && !required)
        return HL_OK;
    if (length == 0)
        return hl_error_set(error, HL_EINVAL, field, HL_T("%s不能为空", "%s is required"),
                            HL_T(field_zh, field));
    /* length == HL_CODE_BYTES means no terminator: too long by definition. */
    if (!hl_directory_code_valid((hl_slice){code, length}))
        return invalid_code(field, field_zh, error);
    return HL_OK;
}

/* Checks a name field of HL_NAME_BYTES: UTF-8 of at most HL_NAME_CHARS
 * characters; a blank one passes unless required. */
static int check_name(const char *name, bool required, const char *field, const char *field_zh,
                      hl_error *error)
{
    size_t length = strnlen(name, HL_NAME_BYTES);
    if (hl_slice_trim((hl_slice){name, length}).len == 0) {
        if (!required)
            return HL_OK;
        return hl_error_set(error, HL_EINVAL, field, HL_T("%s不能为空", "%s is required"),
                            HL_T(field_zh, field));
    }
    if (!hl_text_is_utf8(name, length))
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s不是有效的 UTF-8 文本", "%s is not valid UTF-8"),
                            HL_T(field_zh, field));
    if (length == HL_NAME_BYTES || hl_text_char_count(name, length) > HL_NAME_CHARS)
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s超过 %d 个字符", "%s is longer than %d characters"),
                            HL_T(field_zh, field), HL_NAME_CHARS);
    return HL_OK;
}

int hl_directory_unit_validate(const hl_unit *unit, hl_error *error)
{
    int status;
    if ((status = check_code(unit->code, true, "code", "单位编码", error)) != HL_OK ||
        (status = check_name(unit->name, true, "name", "单位名称", error)) != HL_OK ||
        (status = check_name(unit->group, false, "group", "单位分组", error)) != HL_OK ||
        (status = check_code(unit->parent, false, "parent", "上级单位", error)) != HL_OK)
        return status;
    /* A unit that is its own parent would make every walk up the tree loop. */
    if (strcmp(unit->parent, unit->code) == 0)
        return hl_error_set(
            error, HL_EINVAL, "parent",
            HL_T("单位 %s 不能是自己的上级单位", "unit %s cannot be its own parent"), unit->code);
    return HL_OK;
}

int hl_directory_category_validate(const hl_category *category, hl_error *error)
{
    int status;
    if ((status = check_code(category->code, true, "code", "分类编码", error)) != HL_OK ||
        (status = check_name(category->name, true, "name", "分类名称", error)) != HL_OK ||
        (status = check_code(category->parent, false, "parent", "上级分类", error)) != HL_OK ||
        (status = check_code(category->default_unit, false, "default_unit", "默认承办单位",
                             error)) != HL_OK)
        return status;
    if (strcmp(category->parent, category->code) == 0)
        return hl_error_set(
            error, HL_EINVAL, "parent",
            HL_T("分类 %s 不能是自己的上级分类", "category %s cannot be its own parent"),
            category->code);
    if (category->handle_days < 0 || category->handle_days > CATEGORY_HANDLE_DAYS_MAX)
        return hl_error_set(
            error, HL_EINVAL, "handle_days",
            HL_T("办理时限须为 0 至 %d 个工作日，而非 %d", "handle_days must be 0 to %d, not %d"),
            CATEGORY_HANDLE_DAYS_MAX, category->handle_days);
    return HL_OK;
}

int hl_directory_user_validate(const hl_user *user, hl_error *error)
{
    int status;
    if ((status = check_code(user->username, true, "username", "用户名", error)) != HL_OK ||
        (status = check_name(user->display_name, false, "display_name", "姓名", error)) != HL_OK)
        return status;
    if ((int)user->role < 0 || (int)user->role >= HL_ROLE_COUNT)
        return hl_error_set(error, HL_EINVAL, "role", HL_T("未知的角色 %d", "unknown role %d"),
                            (int)user->role);
    /* A handler acts for exactly one unit; the centre's roles act for none,
     * so that unit scope checks in the workflow cannot be sidestepped. */
    if (user->role == HL_ROLE_HANDLER) {
        if (user->unit[0] == '\0')
            return hl_error_set(error, HL_EINVAL, "unit",
                                HL_T("承办人必须属于一个承办单位", "a unit handler needs a unit"));
        return check_code(user->unit, true, "unit", "所属单位", error);
    }
    if (user->unit[0] != '\0')
        return hl_error_set(error, HL_EINVAL, "unit",
                            HL_T("只有承办人属于承办单位，%s不属于",
                                 "role %s has no unit: only unit handlers belong to one"),
                            HL_T(role_texts[user->role].label_zh, role_texts[user->role].name));
    return HL_OK;
}

const char *hl_directory_role_name(hl_role role)
{
    return (int)role >= 0 && role < HL_ROLE_COUNT ? role_texts[role].name : "unknown";
}

const char *hl_directory_role_label(hl_role role)
{
    if ((int)role < 0 || role >= HL_ROLE_COUNT)
        return HL_T("未知", "unknown");
    return HL_T(role_texts[role].label_zh, role_texts[role].label_en);
}

int hl_directory_role_parse(hl_slice text, hl_role *out)
{
    text = hl_slice_trim(text);
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        if (hl_slice_equal(text, role_texts[role].name) ||
            hl_slice_equal(text, role_texts[role].label_zh)) {
            *out = (hl_role)role;
            return HL_OK;
        }
    }
    return HL_EINVAL;
}
