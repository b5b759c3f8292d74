/* error.h: the one error convention of hotline.
 *
 * Every fallible function returns int: 0 (HL_OK) on success, a negative HL_E*
 * code on failure, and fills an hl_error with a message for humans and,
 * where the failure concerns one input field, that field's name. Results come
 * back through pointer parameters. Only out-of-memory aborts (hl_xmalloc). */
#ifndef HL_ERROR_H
#define HL_ERROR_H

#include <stddef.h>

enum {
    HL_OK = 0,
    HL_EINVAL = -1,       /* bad input: malformed, missing, too long, not UTF-8 */
    HL_ENOTFOUND = -2,    /* the named order, unit, user... does not exist */
    HL_ESTATE = -3,       /* the action is not allowed in the order's state */
    HL_EROLE = -4,        /* the actor's role or unit may not do this */
    HL_ECONFLICT = -5,    /* duplicate key, or the order changed underneath us */
    HL_EIO = -6,          /* the store or a file failed */
    HL_EMISMATCH = -7,    /* verification found a difference */
    HL_ERETRY = -8,       /* the transaction met another and must be run again */
    HL_EUNAVAILABLE = -9, /* the store is not reachable now (try again later) */
};

#define HL_ERROR_MESSAGE_MAX 512
#define HL_ERROR_FIELD_MAX 64

typedef struct hl_error {
    int code;
    char field[HL_ERROR_FIELD_MAX];     /* "" when no single field is at fault */
    char message[HL_ERROR_MESSAGE_MAX]; /* one line, in the current language */
} hl_error;

/* Clears an error to HL_OK with empty message and field. */
void hl_error_clear(hl_error *error);

/* Sets code, field (may be NULL) and a printf-style message; returns code so
 * that callers can write `return hl_error_set(...)`. error may be NULL. */
int hl_error_set(hl_error *error, int code, const char *field, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* A stable English name for a code ("invalid", "not_found"...), for JSON bodies. */
const char *hl_error_code_name(int code);

/* Allocation that aborts on out-of-memory, the only failure hotline aborts on.
 * The caller owns the returned memory and frees it with free(). */
void *hl_xmalloc(size_t size);
void *hl_xcalloc(size_t count, size_t size);
void *hl_xrealloc(void *pointer, size_t size);
/* Returns a malloc'd copy of text (owned by the caller). */
char *hl_xstrdup(const char *text);

#endif
