/* contract.h: preconditions and assertions that the checking builds test.
 *
 * HL_REQUIRE(condition) states what a function demands of its caller (a
 * pointer not NULL, an index in range); HL_ASSERT(condition) what the code
 * itself holds true at that point. Both are programming errors when false,
 * not conditions to handle: the error convention (base/error.h) is for
 * what input, storage and people can get wrong.
 *
 * They are compiled in when HL_CONTRACTS is 1, which the root CMakeLists.txt
 * defines for the sanitizer (HOTLINE_SANITIZE) and fuzzing (HOTLINE_FUZZ)
 * builds: a false one prints where and aborts, so that the sanitizers and
 * the fuzzers find it. Elsewhere they vanish: the condition is not
 * evaluated (it is still compiled, inside sizeof, so it cannot rot), and
 * cost nothing. So a condition must have no side effects. */
#ifndef HL_CONTRACT_H
#define HL_CONTRACT_H

#if defined(HL_CONTRACTS) && HL_CONTRACTS

/* Prints the broken contract to stderr and aborts. */
_Noreturn void hl_contract_broken(const char *kind, const char *condition, const char *file,
                                  int line, const char *function);

#define HL_REQUIRE(condition)                                                                      \
    ((condition) ? (void)0                                                                         \
                 : hl_contract_broken("precondition", #condition, __FILE__, __LINE__, __func__))
#define HL_ASSERT(condition)                                                                       \
    ((condition) ? (void)0                                                                         \
                 : hl_contract_broken("assertion", #condition, __FILE__, __LINE__, __func__))

#else

#define HL_REQUIRE(condition) ((void)sizeof((condition) ? 1 : 0))
#define HL_ASSERT(condition) ((void)sizeof((condition) ? 1 : 0))

#endif

#endif
