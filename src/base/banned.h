/* banned.h: the C library calls hotline does not make, refused by the
 * compiler.
 *
 * The root CMakeLists.txt force-includes this header into every C file of
 * the project (-include), so a call to one of these is a compile error in
 * src/, tests/ and bench/ alike, wherever it hides (a macro, a new file).
 * They invite buffer overflows or hide errors: strcpy, strcat, sprintf,
 * vsprintf and gets write without a bound; strncpy and strncat bound the
 * wrong thing (strncpy does not terminate, strncat's bound is not the
 * buffer's size); strtok keeps hidden state between calls; atoi, atol and
 * atoll cannot report a malformed number. Use snprintf, hl_buf, hl_text_copy
 * and slices (base/text.h), strtok_r or hl_csv, and hl_text_parse_int.
 *
 * Each name is a macro that expands to an undeclared one, so a call does
 * not compile and the error names the function. Object-like, not
 * function-like: a text search for a call (`name(`) then finds none here,
 * only in code that really calls one. Not `#pragma
 * GCC poison`: that also rejects the name in the bodies of other libraries'
 * macros that hotline never expands (libxlsxwriter's headers use strncpy).
 * The headers that declare them come first, so that their declarations are
 * read before the macros exist; with their include guards, a source's own
 * #include of them later reads nothing.
 *
 * scripts/check-banned.sh reads the names from the HL_BANNED lines below
 * and looks for them in every source, also the ones a given configuration
 * does not compile (the fuzzing harnesses) and code under #if. */
#ifndef HL_BANNED_H
#define HL_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HL_BANNED(name) sorry_##name##_is_banned_see_src_base_banned_h

#define strcpy HL_BANNED(strcpy)
#define strcat HL_BANNED(strcat)
#define sprintf HL_BANNED(sprintf)
#define vsprintf HL_BANNED(vsprintf)
#define gets HL_BANNED(gets)
#define strncpy HL_BANNED(strncpy)
#define strncat HL_BANNED(strncat)
#define strtok HL_BANNED(strtok)
#define atoi HL_BANNED(atoi)
#define atol HL_BANNED(atol)
#define atoll HL_BANNED(atoll)

#endif
