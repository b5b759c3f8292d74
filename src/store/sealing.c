/* sealing.c: sealing a name or an address for an insert, the same in both
 * store backends (see sealing.h). It calls the codec it is given; it holds
 * no key, binds nothing and reads no row. */
#include "store/sealing.h"

#include <string.h>

#include "base/i18n.h"
#include "domain/limits.h"

int hl_store_seal_text(const hl_phone_codec *codec, hl_sealed_field field, const char *text,
                       size_t size, const hl_sealed_text *given, unsigned char *scratch,
                       const unsigned char **bytes, size_t *length, hl_error *error)
{
    *bytes = NULL;
    *length = 0;
    if (given != NULL && given->length > 0 && given->length <= sizeof given->bytes) {
        *bytes = given->bytes;
        *length = given->length;
        return HL_OK;
    }
    size_t text_length = strnlen(text, size);
    if (text_length == 0)
        return HL_OK;
    if (codec == NULL || codec->seal_text == NULL)
        return hl_store_no_codec_error(error);
    /* The codec takes a terminated text; the order's field may fill its room. */
    char clear[HL_ADDRESS_BYTES];
    if (text_length >= sizeof clear)
        text_length = sizeof clear - 1;
    memcpy(clear, text, text_length);
    clear[text_length] = '\0';
    int result = codec->seal_text(codec->context, field, clear, scratch, length, error);
    memset(clear, 0, text_length);
    if (result == HL_OK)
        *bytes = scratch;
    return result;
}

int hl_store_no_codec_error(hl_error *error)
{
    return hl_error_set(
        error, HL_EIO, NULL, "%s",
        HL_T("联系电话须以密钥加密存储，而此数据库连接未获得密钥",
             "phone numbers are stored sealed, and this store connection was given no key"));
}
