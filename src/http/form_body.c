/* form_body.c: strict parsing of form-encoded text (see form_body.h).
 *
 * Splits the text at "&", each piece at its first "=", decodes both halves
 * into the request's arena and checks them. It knows nothing of Open311
 * beyond recognising the shape of an attribute[CODE] name: which
 * parameters a route takes, and which may repeat, is the route's
 * business. */
#include "http/form_body.h"

#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"

static int hex_digit(char character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

/* The name a message names: the decoded name when it is printable UTF-8,
 * else "body". */
static const char *field_for(const char *name)
{
    if (name == NULL || name[0] == '\0' || !hl_text_is_utf8(name, strlen(name)))
        return "body";
    for (const char *cursor = name; *cursor != '\0'; cursor++)
        if ((unsigned char)*cursor < 0x20 || *cursor == 0x7F)
            return "body";
    return name;
}

/* Decodes piece[0..length) into a NUL-terminated copy in the arena: "+" is
 * a space, "%XX" the byte XX. Refuses a malformed escape, a raw space or
 * control character and a decoded NUL. what names the piece for messages
 * (the parameter's name, or NULL while decoding the name itself). */
static int decode(const char *piece, size_t length, hl_arena *arena, const char *what, char **out,
                  size_t *out_length, hl_error *error)
{
    char *decoded = hl_arena_alloc(arena, length + 1);
    size_t written = 0;
    const char *field = field_for(what);
    const char *subject = what != NULL ? field : HL_T("参数名", "a parameter name");
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)piece[index];
        if (byte == '%') {
            if (length - index < 3 || hex_digit(piece[index + 1]) < 0 ||
                hex_digit(piece[index + 2]) < 0)
                return hl_error_set(
                    error, HL_EINVAL, field,
                    HL_T("%s 的百分号编码不正确（%% 后须为两位十六进制数）",
                         "malformed percent-encoding in %s (%% needs two hexadecimal digits)"),
                    subject);
            byte = (unsigned char)(hex_digit(piece[index + 1]) * 16 + hex_digit(piece[index + 2]));
            index += 2;
            if (byte == 0)
                return hl_error_set(error, HL_EINVAL, field,
                                    HL_T("%s 含有 NUL 字节（%%00）", "%s holds a NUL byte (%%00)"),
                                    subject);
        } else if (byte == '+') {
            byte = ' ';
        } else if (byte <= 0x20 || byte == 0x7F) {
            return hl_error_set(error, HL_EINVAL, field,
                                HL_T("%s 含未编码的空格或控制字符",
                                     "a raw space or control character in %s: encode it"),
                                subject);
        }
        decoded[written++] = (char)byte;
    }
    decoded[written] = '\0';
    if (!hl_text_is_utf8(decoded, written))
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s 不是有效的 UTF-8", "%s is not valid UTF-8"), subject);
    *out = decoded;
    *out_length = written;
    return HL_OK;
}

static int too_many(size_t max_fields, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, "body",
                        HL_T("参数超过 %zu 个", "more than %zu parameters"), max_fields);
}

/* Appends a checked parameter, growing the array in the arena. */
static void append_field(hl_form *form, hl_arena *arena, const char *name, const char *value,
                         size_t value_length)
{
    /* Capacities are powers of two from 8: a full array is copied into
     * one twice its size (the old one stays in the arena until the end). */
    size_t count = form->count;
    if (count == 0 || (count >= 8 && (count & (count - 1)) == 0)) {
        size_t capacity = count == 0 ? 8 : count * 2;
        hl_form_field *grown = hl_arena_alloc(arena, capacity * sizeof *grown);
        if (count > 0)
            memcpy(grown, form->fields, count * sizeof *grown);
        form->fields = grown;
    }
    form->fields[count].name = name;
    form->fields[count].value = value;
    form->fields[count].value_length = value_length;
    form->count = count + 1;
}

int hl_form_parse(const char *text, size_t length, hl_arena *arena, size_t max_fields, hl_form *out,
                  hl_error *error)
{
    HL_REQUIRE(arena != NULL && out != NULL && (text != NULL || length == 0));
    out->fields = NULL;
    out->count = 0;
    size_t position = 0;
    while (length > 0 && position <= length) {
        const char *start = text + position;
        const char *ampersand = memchr(start, '&', length - position);
        size_t piece_length = ampersand != NULL ? (size_t)(ampersand - start) : length - position;
        if (piece_length == 0)
            return hl_error_set(error, HL_EINVAL, "body",
                                HL_T("存在空参数（连续的 & 或位于首尾的 &）",
                                     "an empty parameter (two '&' in a row, or one at an end)"));
        if (out->count >= max_fields)
            return too_many(max_fields, error);
        const char *equals = memchr(start, '=', piece_length);
        size_t name_length = equals != NULL ? (size_t)(equals - start) : piece_length;
        char *name = NULL, *value = NULL;
        size_t decoded_name_length = 0, value_length = 0;
        int result = decode(start, name_length, arena, NULL, &name, &decoded_name_length, error);
        if (result != HL_OK)
            return result;
        if (decoded_name_length == 0)
            return hl_error_set(error, HL_EINVAL, "body",
                                HL_T("存在没有名称的参数", "a parameter without a name"));
        if (equals == NULL)
            return hl_error_set(error, HL_EINVAL, field_for(name),
                                HL_T("参数 %s 缺少 '=' 及其值", "%s has no '=' and no value"),
                                field_for(name));
        result = decode(equals + 1, piece_length - name_length - 1, arena, name, &value,
                        &value_length, error);
        if (result != HL_OK)
            return result;
        append_field(out, arena, name, value, value_length);
        if (ampersand == NULL)
            break;
        position += piece_length + 1;
        if (position == length)
            return hl_error_set(error, HL_EINVAL, "body",
                                HL_T("存在空参数（连续的 & 或位于首尾的 &）",
                                     "an empty parameter (two '&' in a row, or one at an end)"));
    }
    return HL_OK;
}

int hl_form_add(hl_form *form, hl_arena *arena, size_t max_fields, const char *name,
                size_t name_length, const char *value, size_t value_length, hl_error *error)
{
    HL_REQUIRE(form != NULL && arena != NULL);
    if (form->count >= max_fields)
        return too_many(max_fields, error);
    if (value == NULL)
        value_length = 0;
    if (name == NULL || name_length == 0)
        return hl_error_set(error, HL_EINVAL, "query",
                            HL_T("存在没有名称的参数", "a parameter without a name"));
    if (memchr(name, '\0', name_length) != NULL || !hl_text_is_utf8(name, name_length))
        return hl_error_set(error, HL_EINVAL, "query",
                            HL_T("参数名不是有效的 UTF-8", "a parameter name is not valid UTF-8"));
    char *name_copy = hl_arena_strndup(arena, name, name_length);
    const char *field = field_for(name_copy);
    if (value_length > 0 && memchr(value, '\0', value_length) != NULL)
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s 含有 NUL 字节（%%00）", "%s holds a NUL byte (%%00)"), field);
    if (!hl_text_is_utf8(value != NULL ? value : "", value_length))
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s 不是有效的 UTF-8", "%s is not valid UTF-8"), field);
    char *value_copy = hl_arena_strndup(arena, value != NULL ? value : "", value_length);
    append_field(form, arena, name_copy, value_copy, value_length);
    return HL_OK;
}

const char *hl_form_get(const hl_form *form, const char *name)
{
    for (size_t index = 0; index < form->count; index++)
        if (strcmp(form->fields[index].name, name) == 0)
            return form->fields[index].value;
    return NULL;
}

size_t hl_form_count(const hl_form *form, const char *name)
{
    size_t count = 0;
    for (size_t index = 0; index < form->count; index++)
        if (strcmp(form->fields[index].name, name) == 0)
            count++;
    return count;
}

bool hl_form_attribute_name(const char *name, hl_slice *code, bool *list)
{
    static const char prefix[] = "attribute[";
    size_t prefix_length = sizeof prefix - 1;
    if (strncmp(name, prefix, prefix_length) != 0)
        return false;
    const char *start = name + prefix_length;
    const char *close = strchr(start, ']');
    if (close == NULL)
        return false;
    if (close[1] == '\0')
        *list = false;
    else if (strcmp(close + 1, "[]") == 0)
        *list = true;
    else
        return false;
    code->ptr = start;
    code->len = (size_t)(close - start);
    return true;
}
