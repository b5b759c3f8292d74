/* test_arena.c: the per-request bump allocator of the HTTP server
 * (src/http/arena.c): alignment, zeroing, large blocks, copies, reset and
 * free. ASan (HOTLINE_SANITIZE) checks that nothing leaks or overlaps. */
#include "test_support.h"

#include <stdint.h>
#include <string.h>

#include "http/arena.h"

static void test_allocations_are_aligned_and_zeroed(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 256);
    for (size_t size = 1; size < 100; size += 7) {
        unsigned char *block = hl_arena_alloc(&arena, size);
        assert_int_equal((uintptr_t)block % HL_ARENA_ALIGNMENT, 0);
        for (size_t index = 0; index < size; index++)
            assert_int_equal(block[index], 0);
        memset(block, 0xAB, size); /* ASan: the whole block is ours */
    }
    hl_arena_free(&arena);
}

static void test_allocations_do_not_overlap(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 64);
    char *blocks[50];
    for (int index = 0; index < 50; index++) {
        blocks[index] = hl_arena_alloc(&arena, 24);
        memset(blocks[index], 'a' + index % 26, 24);
    }
    for (int index = 0; index < 50; index++)
        for (int offset = 0; offset < 24; offset++)
            assert_int_equal(blocks[index][offset], 'a' + index % 26);
    hl_arena_free(&arena);
}

static void test_zero_size_gives_distinct_pointers(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 0);
    void *first = hl_arena_alloc(&arena, 0);
    void *second = hl_arena_alloc(&arena, 0);
    assert_non_null(first);
    assert_ptr_not_equal(first, second);
    hl_arena_free(&arena);
}

static void test_large_block_gets_its_own_chunk(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 128);
    char *small = hl_arena_alloc(&arena, 16);
    memset(small, 's', 16);
    /* Larger than a chunk (an order record is ~40 KB in a 16 KiB arena). */
    char *large = hl_arena_alloc(&arena, 40000);
    memset(large, 'L', 40000);
    /* The front chunk's free space is still used after the large block. */
    char *after = hl_arena_alloc(&arena, 16);
    assert_ptr_equal(after, small + 16);
    for (int index = 0; index < 16; index++)
        assert_int_equal(small[index], 's');
    assert_int_equal(large[39999], 'L');
    assert_true(arena.allocated >= 40000 + 32);
    hl_arena_free(&arena);
}

static void test_strndup_copies_and_truncates(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 0);
    assert_string_equal(hl_arena_strndup(&arena, "/healthz", 100), "/healthz");
    assert_string_equal(hl_arena_strndup(&arena, "/api/v1/orders", 4), "/api");
    assert_string_equal(hl_arena_strndup(&arena, NULL, 10), "");
    assert_string_equal(hl_arena_strndup(&arena, "工单", 100), "工单");
    hl_arena_free(&arena);
}

static void test_reset_reuses_the_first_chunk(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 1024);
    void *first = hl_arena_alloc(&arena, 100);
    for (int index = 0; index < 100; index++)
        hl_arena_alloc(&arena, 100); /* several chunks */
    hl_arena_reset(&arena);
    assert_int_equal(arena.allocated, 0);
    void *again = hl_arena_alloc(&arena, 100);
    assert_non_null(again);
    char *filled = again;
    for (int index = 0; index < 100; index++)
        assert_int_equal(filled[index], 0); /* zeroed again after reuse */
    (void)first;
    hl_arena_free(&arena);
    /* An arena may be used again after free. */
    assert_non_null(hl_arena_alloc(&arena, 10));
    hl_arena_free(&arena);
    hl_arena_free(&arena); /* freeing an empty arena is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_are_aligned_and_zeroed),
        cmocka_unit_test(test_allocations_do_not_overlap),
        cmocka_unit_test(test_zero_size_gives_distinct_pointers),
        cmocka_unit_test(test_large_block_gets_its_own_chunk),
        cmocka_unit_test(test_strndup_copies_and_truncates),
        cmocka_unit_test(test_reset_reuses_the_first_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
