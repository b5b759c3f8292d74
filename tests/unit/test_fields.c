/* test_fields.c: int settings named in a table (base/fields.h): finding a
 * key, reading and writing its field, and refusing values out of bounds. */
#include <stddef.h>
#include <string.h>

#include "base/array.h"
#include "base/fields.h"
#include "base/i18n.h"
#include "test_support.h"

typedef struct sample {
    int first;
    int second;
} sample;

static const hl_int_field sample_fields[] = {
    {"first", offsetof(sample, first), 0, 10},
    {"second", offsetof(sample, second), -5, 5},
};

static void find_names_a_field_or_none(void **state)
{
    (void)state;
    assert_ptr_equal(hl_int_field_find(sample_fields, 2, "second"), &sample_fields[1]);
    assert_null(hl_int_field_find(sample_fields, 2, "third"));
    assert_null(hl_int_field_find(sample_fields, 2, NULL));
}

static void set_writes_a_value_within_bounds(void **state)
{
    (void)state;
    sample record = {1, 2};
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_int_field_set(&record, &sample_fields[1], " -5 ", &error), HL_OK);
    assert_int_equal(record.second, -5);
    assert_int_equal(record.first, 1);
    assert_int_equal(hl_int_field_get(&record, &sample_fields[1]), -5);
    assert_int_equal(hl_int_field_get(&record, &sample_fields[0]), 1);
}

static void set_refuses_bad_values_and_leaves_the_record(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    sample record = {1, 2};
    const char *bad[] = {"11", "-1", "", "3.5", "x", NULL};
    for (size_t index = 0; index < HL_COUNT_OF(bad); index++) {
        hl_error error;
        hl_error_clear(&error);
        assert_int_equal(hl_int_field_set(&record, &sample_fields[0], bad[index], &error),
                         HL_EINVAL);
        assert_string_equal(error.field, "first");
        assert_string_equal(error.message, "first must be a whole number from 0 to 10");
        assert_int_equal(record.first, 1);
    }
    hl_i18n_set(HL_LANG_ZH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(find_names_a_field_or_none),
        cmocka_unit_test(set_writes_a_value_within_bounds),
        cmocka_unit_test(set_refuses_bad_values_and_leaves_the_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
