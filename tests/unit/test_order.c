/* test_order.c: order numbers, enumeration names and labels, registration
 * checks and the overdue rule. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/i18n.h"
#include "domain/order.h"

static int reset_locale(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_ZH);
    hl_clock_set_offset_minutes(480);
    return 0;
}

static hl_time instant(const char *text)
{
    hl_time value = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &value), HL_OK);
    return value;
}

static void fill_registration(hl_order *order)
{
    memset(order, 0, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_COMPLAINT;
    order->received_at = instant("2024-02-01 09:30:00");
    snprintf(order->citizen_name, sizeof order->citizen_name, "%s", "张先生");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "%s", "+86 138-0000-0000");
    snprintf(order->title, sizeof order->title, "%s", "小区夜间施工噪音扰民");
    snprintf(order->content, sizeof order->content, "%s", "工地每晚十一点后仍在施工。");
    snprintf(order->category, sizeof order->category, "%s", "env.noise");
    order->has_location = true;
    order->latitude = 30.27;
    order->longitude = 120.15;
}

/* Validates the order and checks that it fails naming `field`. */
static void assert_rejected_for(const hl_order *order, const char *field)
{
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_order_validate_registration(order, &error), HL_EINVAL);
    assert_int_equal(error.code, HL_EINVAL);
    assert_string_equal(error.field, field);
    assert_true(error.message[0] != '\0');
}

static void test_format_number_pads_to_fourteen_digits(void **state)
{
    (void)state;
    char text[24];
    hl_order_format_number(20240201000123, text, sizeof text);
    assert_string_equal(text, "20240201000123");
    hl_order_format_number(20241231999999, text, sizeof text);
    assert_string_equal(text, "20241231999999");
}

static void test_parse_number_accepts_fourteen_digits(void **state)
{
    (void)state;
    int64_t id = 0;
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240201000123"), &id), HL_OK);
    assert_int_equal(id, 20240201000123);
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240229999999"), &id), HL_OK);
    assert_int_equal(id, 20240229999999);
}

static void test_parse_number_round_trips_format(void **state)
{
    (void)state;
    const int64_t ids[] = {20240101000001, 20240229000042, 20251231999999};
    for (size_t index = 0; index < sizeof ids / sizeof ids[0]; index++) {
        char text[24];
        int64_t parsed = 0;
        hl_order_format_number(ids[index], text, sizeof text);
        assert_int_equal(hl_order_parse_number(hl_slice_of(text), &parsed), HL_OK);
        assert_int_equal(parsed, ids[index]);
    }
}

static void test_parse_number_rejects_wrong_length(void **state)
{
    (void)state;
    int64_t id = 7;
    assert_int_equal(hl_order_parse_number(hl_slice_of(""), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("2024020100012"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("202402010001230"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of(" 20240201000123"), &id), HL_EINVAL);
    assert_int_equal(id, 7);
}

static void test_parse_number_rejects_non_digits(void **state)
{
    (void)state;
    int64_t id = 7;
    assert_int_equal(hl_order_parse_number(hl_slice_of("2024020100012x"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("-2024020100012"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("2024-02-01-012"), &id), HL_EINVAL);
    assert_int_equal(id, 7);
}

static void test_parse_number_rejects_invalid_date(void **state)
{
    (void)state;
    int64_t id = 7;
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240230000001"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("20230229000001"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("20241301000001"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240001000001"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240100000001"), &id), HL_EINVAL);
    assert_int_equal(hl_order_parse_number(hl_slice_of("00000000000001"), &id), HL_EINVAL);
    assert_int_equal(id, 7);
}

static void test_parse_number_rejects_sequence_zero(void **state)
{
    (void)state;
    int64_t id = 7;
    assert_int_equal(hl_order_parse_number(hl_slice_of("20240201000000"), &id), HL_EINVAL);
    assert_int_equal(id, 7);
}

static void test_prefix_is_local_day_times_million(void **state)
{
    (void)state;
    assert_int_equal(hl_order_number_prefix(instant("2024-02-01 09:30:00")), 20240201000000);
}

static void test_prefix_crosses_day_at_local_midnight(void **state)
{
    (void)state;
    /* 16:30 UTC on 31 January is 00:30 on 1 February in +08:00. */
    assert_int_equal(hl_order_number_prefix(instant("2024-01-31T16:30:00Z")), 20240201000000);
    assert_int_equal(hl_order_number_prefix(instant("2024-01-31T15:59:59Z")), 20240131000000);
    assert_int_equal(hl_order_number_prefix(instant("2024-01-31T16:00:00Z")), 20240201000000);
}

static void test_prefix_follows_zone_offset(void **state)
{
    (void)state;
    hl_clock_set_offset_minutes(0);
    assert_int_equal(hl_order_number_prefix(instant("2024-01-31T16:30:00Z")), 20240131000000);
}

static void test_channel_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"phone", "web", "app", "wechat", "open311", "other"};
    for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++) {
        hl_channel parsed = HL_CHANNEL_COUNT;
        assert_string_equal(hl_order_channel_name((hl_channel)channel), names[channel]);
        assert_int_equal(hl_order_channel_parse(hl_slice_of(names[channel]), &parsed), HL_OK);
        assert_int_equal(parsed, channel);
    }
}

static void test_channel_labels_in_chinese_parse_back(void **state)
{
    (void)state;
    const char *labels[] = {"电话", "网站", "手机应用", "微信", "Open311", "其他"};
    for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++) {
        hl_channel parsed = HL_CHANNEL_COUNT;
        assert_string_equal(hl_order_channel_label((hl_channel)channel), labels[channel]);
        assert_int_equal(hl_order_channel_parse(hl_slice_of(labels[channel]), &parsed), HL_OK);
        assert_int_equal(parsed, channel);
    }
}

static void test_channel_labels_in_english(void **state)
{
    (void)state;
    const char *labels[] = {"phone", "web", "app", "WeChat", "Open311", "other"};
    hl_i18n_set(HL_LANG_EN);
    for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++)
        assert_string_equal(hl_order_channel_label((hl_channel)channel), labels[channel]);
    /* Parsing does not depend on the language. */
    hl_channel parsed = HL_CHANNEL_COUNT;
    assert_int_equal(hl_order_channel_parse(hl_slice_of("微信"), &parsed), HL_OK);
    assert_int_equal(parsed, HL_CHANNEL_WECHAT);
}

static void test_type_names_and_labels_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"inquiry", "help", "complaint", "report", "suggestion", "praise"};
    const char *labels[] = {"咨询", "求助", "投诉", "举报", "建议", "表扬"};
    for (int type = 0; type < HL_TYPE_COUNT; type++) {
        hl_order_type parsed = HL_TYPE_COUNT;
        assert_string_equal(hl_order_type_name((hl_order_type)type), names[type]);
        assert_string_equal(hl_order_type_label((hl_order_type)type), labels[type]);
        assert_int_equal(hl_order_type_parse(hl_slice_of(names[type]), &parsed), HL_OK);
        assert_int_equal(parsed, type);
        parsed = HL_TYPE_COUNT;
        assert_int_equal(hl_order_type_parse(hl_slice_of(labels[type]), &parsed), HL_OK);
        assert_int_equal(parsed, type);
    }
    hl_i18n_set(HL_LANG_EN);
    for (int type = 0; type < HL_TYPE_COUNT; type++)
        assert_string_equal(hl_order_type_label((hl_order_type)type), names[type]);
}

static void test_state_names_and_labels_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"none",           "new",       "dispatched", "signed",   "handling",
                           "return_pending", "completed", "surveyed",   "archived", "invalid",
                           "merged"};
    const char *labels[] = {"无",     "待派单", "已派单", "已签收", "办理中", "退单待审",
                            "已办结", "已回访", "已归档", "无效",   "已并单"};
    const char *english[] = {"none",           "new",       "dispatched", "signed",   "handling",
                             "return pending", "completed", "surveyed",   "archived", "invalid",
                             "merged"};
    for (int value = HL_STATE_NONE; value < HL_STATE_COUNT; value++) {
        assert_string_equal(hl_order_state_name((hl_state)value), names[value]);
        assert_string_equal(hl_order_state_label((hl_state)value), labels[value]);
    }
    for (int value = HL_STATE_NEW; value < HL_STATE_COUNT; value++) {
        hl_state parsed = HL_STATE_COUNT;
        assert_int_equal(hl_order_state_parse(hl_slice_of(names[value]), &parsed), HL_OK);
        assert_int_equal(parsed, value);
        parsed = HL_STATE_COUNT;
        assert_int_equal(hl_order_state_parse(hl_slice_of(labels[value]), &parsed), HL_OK);
        assert_int_equal(parsed, value);
    }
    hl_i18n_set(HL_LANG_EN);
    for (int value = HL_STATE_NONE; value < HL_STATE_COUNT; value++)
        assert_string_equal(hl_order_state_label((hl_state)value), english[value]);
}

static void test_state_parse_refuses_none(void **state)
{
    (void)state;
    hl_state parsed = HL_STATE_NEW;
    assert_int_equal(hl_order_state_parse(hl_slice_of("none"), &parsed), HL_EINVAL);
    assert_int_equal(hl_order_state_parse(hl_slice_of("无"), &parsed), HL_EINVAL);
    assert_int_equal(parsed, HL_STATE_NEW);
}

static void test_parse_refuses_unknown_and_english_labels_that_are_not_names(void **state)
{
    (void)state;
    hl_channel channel;
    hl_order_type type;
    hl_state state_value;
    assert_int_equal(hl_order_channel_parse(hl_slice_of("fax"), &channel), HL_EINVAL);
    assert_int_equal(hl_order_channel_parse(hl_slice_of(""), &channel), HL_EINVAL);
    assert_int_equal(hl_order_type_parse(hl_slice_of("complain"), &type), HL_EINVAL);
    assert_int_equal(hl_order_state_parse(hl_slice_of("return pending"), &state_value), HL_EINVAL);
    assert_int_equal(hl_order_state_parse(hl_slice_of("closed"), &state_value), HL_EINVAL);
}

static void test_parse_ignores_surrounding_spaces(void **state)
{
    (void)state;
    hl_order_type type = HL_TYPE_COUNT;
    assert_int_equal(hl_order_type_parse(hl_slice_of("  report\t"), &type), HL_OK);
    assert_int_equal(type, HL_TYPE_REPORT);
}

static void test_out_of_range_values_get_placeholder_names(void **state)
{
    (void)state;
    assert_string_equal(hl_order_channel_name(HL_CHANNEL_COUNT), "unknown");
    assert_string_equal(hl_order_type_name((hl_order_type)-1), "unknown");
    assert_string_equal(hl_order_state_label(HL_STATE_COUNT), "未知");
}

static void test_validate_accepts_complete_registration(void **state)
{
    (void)state;
    hl_order order;
    hl_error error;
    fill_registration(&order);
    hl_error_clear(&error);
    assert_int_equal(hl_order_validate_registration(&order, &error), HL_OK);
}

static void test_validate_accepts_minimal_registration(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.citizen_phone[0] = '\0';
    order.category[0] = '\0';
    order.has_location = false;
    order.latitude = 500.0; /* ignored without has_location */
    assert_int_equal(hl_order_validate_registration(&order, NULL), HL_OK);
}

static void test_validate_rejects_blank_title(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.title, sizeof order.title, "%s", " \t ");
    assert_rejected_for(&order, "title");
    order.title[0] = '\0';
    assert_rejected_for(&order, "title");
}

static void test_validate_rejects_blank_content(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.content, sizeof order.content, "%s", "\r\n");
    assert_rejected_for(&order, "content");
}

static void test_validate_rejects_channel_out_of_range(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.channel = HL_CHANNEL_COUNT;
    assert_rejected_for(&order, "channel");
    order.channel = (hl_channel)-1;
    assert_rejected_for(&order, "channel");
}

static void test_validate_rejects_type_out_of_range(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.type = HL_TYPE_COUNT;
    assert_rejected_for(&order, "type");
}

static void test_validate_rejects_missing_received_at(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.received_at = 0;
    assert_rejected_for(&order, "received_at");
    order.received_at = -5;
    assert_rejected_for(&order, "received_at");
}

static void test_validate_accepts_phone_forms(void **state)
{
    (void)state;
    const char *phones[] = {"12345", "0571-87654321", "+86 138 0000 0000", "110",
                            "123456789012345678901234"};
    hl_order order;
    fill_registration(&order);
    for (size_t index = 0; index < sizeof phones / sizeof phones[0]; index++) {
        snprintf(order.citizen_phone, sizeof order.citizen_phone, "%s", phones[index]);
        assert_int_equal(hl_order_validate_registration(&order, NULL), HL_OK);
    }
}

static void test_validate_rejects_phone_with_letters(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.citizen_phone, sizeof order.citizen_phone, "%s", "138abc0000");
    assert_rejected_for(&order, "citizen_phone");
    snprintf(order.citizen_phone, sizeof order.citizen_phone, "%s", "(0571)8765");
    assert_rejected_for(&order, "citizen_phone");
}

static void test_validate_rejects_phone_too_short(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.citizen_phone, sizeof order.citizen_phone, "%s", "12");
    assert_rejected_for(&order, "citizen_phone");
}

static void test_validate_rejects_phone_with_fewer_than_three_digits(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.citizen_phone, sizeof order.citizen_phone, "%s", "+1 - 2");
    assert_rejected_for(&order, "citizen_phone");
}

static void test_validate_rejects_unterminated_phone(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    /* 25 digits fill the field with no terminator: more than 24 characters. */
    memset(order.citizen_phone, '1', sizeof order.citizen_phone);
    assert_rejected_for(&order, "citizen_phone");
}

static void test_validate_rejects_latitude_out_of_range(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.latitude = 90.0001;
    assert_rejected_for(&order, "latitude");
    order.latitude = -91.0;
    assert_rejected_for(&order, "latitude");
    order.latitude = NAN;
    assert_rejected_for(&order, "latitude");
}

static void test_validate_rejects_longitude_out_of_range(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.longitude = 180.5;
    assert_rejected_for(&order, "longitude");
    order.longitude = -181.0;
    assert_rejected_for(&order, "longitude");
}

static void test_validate_accepts_coordinates_on_the_limits(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    order.latitude = -90.0;
    order.longitude = 180.0;
    assert_int_equal(hl_order_validate_registration(&order, NULL), HL_OK);
}

static void test_validate_rejects_invalid_category_code(void **state)
{
    (void)state;
    hl_order order;
    fill_registration(&order);
    snprintf(order.category, sizeof order.category, "%s", "env noise");
    assert_rejected_for(&order, "category");
}

static void test_validate_message_follows_language(void **state)
{
    (void)state;
    hl_order order;
    hl_error error;
    fill_registration(&order);
    order.title[0] = '\0';
    hl_order_validate_registration(&order, &error);
    assert_non_null(strstr(error.message, "标题"));
    hl_i18n_set(HL_LANG_EN);
    hl_order_validate_registration(&order, &error);
    assert_string_equal(error.message, "title is required");
    assert_string_equal(error.field, "title");
}

static void test_overdue_only_after_due_at(void **state)
{
    (void)state;
    hl_order order;
    memset(&order, 0, sizeof order);
    order.due_at = 1000;
    assert_false(hl_order_is_overdue(&order, 999));
    assert_false(hl_order_is_overdue(&order, 1000));
    assert_true(hl_order_is_overdue(&order, 1001));
}

static void test_overdue_never_without_deadline(void **state)
{
    (void)state;
    hl_order order;
    memset(&order, 0, sizeof order);
    assert_false(hl_order_is_overdue(&order, 4000000000));
}

#define TEST(function) cmocka_unit_test_setup_teardown(function, reset_locale, reset_locale)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_format_number_pads_to_fourteen_digits),
        TEST(test_parse_number_accepts_fourteen_digits),
        TEST(test_parse_number_round_trips_format),
        TEST(test_parse_number_rejects_wrong_length),
        TEST(test_parse_number_rejects_non_digits),
        TEST(test_parse_number_rejects_invalid_date),
        TEST(test_parse_number_rejects_sequence_zero),
        TEST(test_prefix_is_local_day_times_million),
        TEST(test_prefix_crosses_day_at_local_midnight),
        TEST(test_prefix_follows_zone_offset),
        TEST(test_channel_names_round_trip),
        TEST(test_channel_labels_in_chinese_parse_back),
        TEST(test_channel_labels_in_english),
        TEST(test_type_names_and_labels_round_trip),
        TEST(test_state_names_and_labels_round_trip),
        TEST(test_state_parse_refuses_none),
        TEST(test_parse_refuses_unknown_and_english_labels_that_are_not_names),
        TEST(test_parse_ignores_surrounding_spaces),
        TEST(test_out_of_range_values_get_placeholder_names),
        TEST(test_validate_accepts_complete_registration),
        TEST(test_validate_accepts_minimal_registration),
        TEST(test_validate_rejects_blank_title),
        TEST(test_validate_rejects_blank_content),
        TEST(test_validate_rejects_channel_out_of_range),
        TEST(test_validate_rejects_type_out_of_range),
        TEST(test_validate_rejects_missing_received_at),
        TEST(test_validate_accepts_phone_forms),
        TEST(test_validate_rejects_phone_with_letters),
        TEST(test_validate_rejects_phone_too_short),
        TEST(test_validate_rejects_phone_with_fewer_than_three_digits),
        TEST(test_validate_rejects_unterminated_phone),
        TEST(test_validate_rejects_latitude_out_of_range),
        TEST(test_validate_rejects_longitude_out_of_range),
        TEST(test_validate_accepts_coordinates_on_the_limits),
        TEST(test_validate_rejects_invalid_category_code),
        TEST(test_validate_message_follows_language),
        TEST(test_overdue_only_after_due_at),
        TEST(test_overdue_never_without_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
