/* contract.c: what a broken contract does in a checking build (see
 * contract.h): one line on stderr naming the condition and where it
 * failed, then abort, so that a sanitizer or fuzzer run stops there.
 * Other builds have no checks, and this file defines nothing for them. */
#include "base/contract.h"

#include <stdio.h>
#include <stdlib.h>

#if defined(HL_CONTRACTS) && HL_CONTRACTS
_Noreturn void hl_contract_broken(const char *kind, const char *condition, const char *file,
                                  int line, const char *function)
{
    fprintf(stderr, "hotline: %s broken in %s (%s:%d): %s\n", kind, function, file, line,
            condition);
    abort();
}
#endif
