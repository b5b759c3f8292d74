/* test_open311.c: the Open311 use cases (src/app/open311.c) and the CSV
 * load of category attributes (app/transfer_load.c) on a real SQLite file:
 * settings, services and definitions; a posted request registered as an
 * order with its Open311 record and answers, by the intake account; every
 * refusal naming Open311's parameter and leaving the store unchanged; and
 * the public reads: which orders are published, open and closed, status
 * notes, lists with their filters and paging, the public notes of a log
 * and the updates by time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/apikey.h"
#include "app/app_internal.h"
#include "app/auth.h"
#include "app/open311.h"
#include "app/transfer.h"
#include "base/i18n.h"
#include "test_support.h"

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */

static const char units_csv[] = "code,name,group,parent,active\n"
                                "lights,市路灯管理处,市直单位,,1\n"
                                "parks,市园林局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,lights,,1\n"
                                     "streetlight,路灯,city,lights,5,1\n"
                                     "trees,树木,city,parks,,1\n"
                                     "old,旧分类,,,,0\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent1,王芳,agent,,1\n"
                                "dispatcher1,张伟,dispatcher,,1\n"
                                "supervisor1,陈刚,supervisor,,1\n"
                                "h-lights,路灯承办人,handler,lights,1\n";
static const char attributes_csv[] =
    "category,code,order,datatype,required,variable,description,datatype_description,values\n"
    "streetlight,KIND,2,singlevaluelist,1,1,哪种问题,,out=不亮|flicker=闪烁\n"
    "streetlight,POLE,1,string,0,1,灯杆编号,,\n"
    "streetlight,SEEN,,datetime,0,1,发现时间,,\n"
    "streetlight,COUNT,,number,0,1,几盏灯,,\n"
    "streetlight,NOTICE,,string,0,0,请勿填写他人信息,,\n"
    "trees,TREES,,multivaluelist,0,1,树木问题,,fallen=倒伏|pests=病虫害|pruning=修剪\n"
    "trees,STORY,,text,0,1,经过,,\n";

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
    int64_t key_id;
} fixture;

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    hl_error error;
    int loaded = 0;
    if (hl_transfer_load_attributes(fix->app, attributes_csv, strlen(attributes_csv), &loaded,
                                    &error) != HL_OK)
        fail_msg("loading attributes: %s", error.message);
    char key[HL_APIKEY_TEXT_BYTES];
    hl_apikey record;
    assert_int_equal(hl_apikey_create(fix->app, "app", 0, "", NOW, key, &record, &error), HL_OK);
    fix->key_id = record.id;
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static int64_t order_count(hl_app *app)
{
    int64_t count = 0;
    hl_error error;
    assert_int_equal(hl_app_count_orders(app, NULL, &count, &error), HL_OK);
    return count;
}

/* A good submission for streetlight, answers as given. */
static hl_open311_submission good_submission(const fixture *fix, const hl_open311_answer *answers,
                                             size_t count)
{
    hl_open311_submission submission;
    memset(&submission, 0, sizeof submission);
    submission.api_key_id = fix->key_id;
    submission.service_code = "streetlight";
    submission.description = "\n  长风街路灯不亮已经三天了，晚上走路很危险\n第二行";
    submission.lat = "37.8123";
    submission.lon = "112.5456";
    submission.address_string = "小店区长风街 18 号";
    submission.first_name = "三";
    submission.last_name = "张";
    submission.phone = "13800000000";
    submission.email = "zhang@example.org";
    submission.device_id = "ios-42";
    submission.media_url = "https://example.org/light.jpg";
    submission.answers = answers;
    submission.answer_count = count;
    return submission;
}

static const hl_open311_answer kind_out[] = {{"KIND", "out", false}};

static int64_t submit_ok(fixture *fix, const hl_open311_submission *submission, hl_time now)
{
    int64_t id = 0;
    hl_error error;
    hl_error_clear(&error);
    if (hl_open311_submit(fix->app, submission, now, &id, &error) != HL_OK)
        fail_msg("submit refused: %s (%s)", error.message, error.field);
    return id;
}

/* ---- Settings, services, definitions ---- */

static void test_settings_have_defaults_and_can_be_set(void **state)
{
    fixture *fix = *state;
    hl_open311_settings settings;
    hl_error error;
    assert_int_equal(hl_open311_settings_load(fix->app, &settings, &error), HL_OK);
    assert_string_equal(settings.jurisdiction_id, "");
    assert_true(settings.contact[0] != '\0' && settings.key_service[0] != '\0' &&
                settings.service_notice[0] != '\0');
    assert_false(settings.publish_all);
    assert_int_equal(
        hl_open311_setting_set(fix->app, "open311.jurisdiction_id", "taiyuan.gov.cn", &error),
        HL_OK);
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.contact", " 12345 热线 ", &error),
                     HL_OK);
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.publish", "all", &error), HL_OK);
    assert_int_equal(hl_open311_settings_load(fix->app, &settings, &error), HL_OK);
    assert_string_equal(settings.jurisdiction_id, "taiyuan.gov.cn");
    assert_string_equal(settings.contact, "12345 热线");
    assert_true(settings.publish_all);
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.publish", "some", &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "open311.publish");
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.jurisdiction_id", "a b", &error),
                     HL_EINVAL);
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.colour", "x", &error), HL_EINVAL);
    assert_int_equal(hl_open311_setting_set(fix->app, "limits.sign_days", "2", &error), HL_EINVAL);
}

typedef struct service_list {
    char text[512];
} service_list;

static int collect_service(void *context, const hl_open311_service *service)
{
    service_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s(%s,%d) ", service->category->code,
             service->group, service->attribute_count);
    return 0;
}

static void test_services_are_the_active_categories(void **state)
{
    fixture *fix = *state;
    service_list list = {""};
    hl_error error;
    assert_int_equal(hl_open311_each_service(fix->app, collect_service, &list, &error), HL_OK);
    assert_string_equal(list.text, "city(,0) streetlight(市容环境,5) trees(市容环境,2) ");
}

static void test_definitions_list_attributes_in_order(void **state)
{
    fixture *fix = *state;
    hl_open311_definition definition;
    hl_error error;
    assert_int_equal(hl_open311_definition_load(fix->app, "streetlight", &definition, &error),
                     HL_OK);
    assert_string_equal(definition.category.name, "路灯");
    assert_int_equal(definition.count, 5);
    /* POLE has order 1, KIND 2; the others are numbered by their place. */
    assert_string_equal(definition.attributes[0].code, "POLE");
    assert_string_equal(definition.attributes[1].code, "KIND");
    assert_int_equal(definition.attributes[1].datatype, HL_ATTRIBUTE_SINGLEVALUELIST);
    assert_true(definition.attributes[1].required);
    assert_false(definition.attributes[4].variable);
    hl_open311_definition_free(&definition);
    assert_int_equal(hl_open311_definition_load(fix->app, "old", &definition, &error),
                     HL_ENOTFOUND);
    assert_string_equal(error.field, "service_code");
    assert_int_equal(hl_open311_definition_load(fix->app, "nothing", &definition, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_open311_definition_load(fix->app, "' OR 1=1", &definition, &error),
                     HL_ENOTFOUND);
    assert_null(strstr(error.message, "OR 1=1"));
}

/* ---- Loading attributes ---- */

static void test_loading_replaces_the_attributes_of_the_categories_named(void **state)
{
    fixture *fix = *state;
    const char csv[] = "category,code,datatype,description\n"
                       "streetlight,ONLY,string,唯一的问题\n"
                       "trees,,,\n";
    int loaded = 0;
    hl_error error;
    assert_int_equal(hl_transfer_load_attributes(fix->app, csv, strlen(csv), &loaded, &error),
                     HL_OK);
    assert_int_equal(loaded, 2);
    hl_open311_definition definition;
    assert_int_equal(hl_open311_definition_load(fix->app, "streetlight", &definition, &error),
                     HL_OK);
    assert_int_equal(definition.count, 1);
    assert_string_equal(definition.attributes[0].code, "ONLY");
    assert_int_equal(definition.attributes[0].position, 1);
    assert_false(definition.attributes[0].required);
    assert_true(definition.attributes[0].variable);
    hl_open311_definition_free(&definition);
    assert_int_equal(hl_open311_definition_load(fix->app, "trees", &definition, &error), HL_OK);
    assert_int_equal(definition.count, 0);
    hl_open311_definition_free(&definition);
}

static void test_a_bad_attribute_file_loads_nothing(void **state)
{
    fixture *fix = *state;
    static const struct {
        const char *csv;
        const char *field;
    } bad[] = {
        {"category,code,datatype,description\nnowhere,X,string,q\n", "category"},
        {"category,code,datatype,description\nstreetlight,X,string,q\nstreetlight,X,string,q\n",
         "code"},
        {"category,code,datatype,description\nstreetlight,X,colour,q\n", "datatype"},
        {"category,code,datatype,description,values\nstreetlight,X,singlevaluelist,q,\n", "values"},
        {"category,code,datatype,description,values\nstreetlight,X,singlevaluelist,q,a=A|a=B\n",
         "values"},
        {"category,code,datatype,description\nstreetlight,X,string,\n", "description"},
        {"category,code,datatype,description,required\nstreetlight,X,string,q,maybe\n", "required"},
        {"category,code,datatype,description\nstreetlight,,,\nstreetlight,X,string,q\n", "code"},
        {"category,code,datatype,description\nstreetlight,,string,\n", "code"},
        {"category,code,datatype,description,colour\nstreetlight,X,string,q,red\n", "header"},
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        hl_error error;
        hl_error_clear(&error);
        int loaded = 0;
        assert_int_equal(hl_transfer_load_attributes(fix->app, bad[index].csv,
                                                     strlen(bad[index].csv), &loaded, &error),
                         HL_EINVAL);
        if (strcmp(error.field, bad[index].field) != 0)
            fail_msg("file %zu: field %s, expected %s (%s)", index, error.field, bad[index].field,
                     error.message);
    }
    hl_open311_definition definition;
    hl_error error;
    assert_int_equal(hl_open311_definition_load(fix->app, "streetlight", &definition, &error),
                     HL_OK);
    assert_int_equal(definition.count, 5);
    hl_open311_definition_free(&definition);
}

/* ---- Posting ---- */

typedef struct answer_text {
    char text[512];
} answer_text;

static int collect_answer(void *context, const char *code, int seq, const char *value)
{
    answer_text *out = context;
    size_t used = strlen(out->text);
    snprintf(out->text + used, sizeof out->text - used, "%s#%d=%s;", code, seq, value);
    return 0;
}

static void test_a_posted_request_becomes_an_order_of_the_intake_account(void **state)
{
    fixture *fix = *state;
    const hl_open311_answer answers[] = {{"KIND", " out ", false},
                                         {"POLE", "L-0042", false},
                                         {"COUNT", "3", false},
                                         {"SEEN", "", false}};
    hl_open311_submission submission = good_submission(fix, answers, 4);
    int64_t id = submit_ok(fix, &submission, NOW);
    assert_int_equal(id, 20240304000001);

    hl_order *order = hl_xmalloc(sizeof *order);
    hl_error error;
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_int_equal(order->channel, HL_CHANNEL_OPEN311);
    assert_int_equal(order->type, HL_TYPE_HELP);
    assert_int_equal(order->state, HL_STATE_NEW);
    assert_int_equal(order->received_at, NOW);
    assert_string_equal(order->category, "streetlight");
    assert_string_equal(order->title, "长风街路灯不亮已经三天了，晚上走路很危险");
    assert_string_equal(order->content, "长风街路灯不亮已经三天了，晚上走路很危险\n第二行");
    assert_string_equal(order->citizen_name, "张三");
    assert_string_equal(order->citizen_phone, "13800000000");
    assert_string_equal(order->address, "小店区长风街 18 号");
    assert_true(order->has_location);
    assert_true(order->latitude > 37.8122 && order->latitude < 37.8124);
    assert_string_equal(order->registered_by, HL_OPEN311_ACCOUNT);
    free(order);

    hl_user intake;
    assert_int_equal(hl_app_load_actor(fix->app, HL_OPEN311_ACCOUNT, &intake, &error), HL_OK);
    assert_int_equal(intake.role, HL_ROLE_AGENT);
    char hash[HL_AUTH_HASH_BYTES];
    assert_int_equal(
        hl_store_password_get(fix->app->store, HL_OPEN311_ACCOUNT, hash, sizeof hash, NULL, &error),
        HL_OK);
    assert_string_equal(hash, ""); /* nobody can log in with it */

    hl_open311_record record;
    assert_int_equal(hl_store_open311_get(fix->app->store, id, &record, &error), HL_OK);
    assert_int_equal(record.api_key_id, fix->key_id);
    assert_string_equal(record.email, "zhang@example.org");
    assert_string_equal(record.device_id, "ios-42");
    assert_string_equal(record.media_url, "https://example.org/light.jpg");
    answer_text answered = {""};
    assert_int_equal(hl_store_answer_each(fix->app->store, id, collect_answer, &answered, &error),
                     HL_OK);
    assert_string_equal(answered.text, "COUNT#1=3;KIND#1=out;POLE#1=L-0042;");
}

static void test_titles_are_cut_and_names_joined_by_script(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    submission.description = "The street light in front of number 18 has been out for three days";
    submission.first_name = "Jane";
    submission.last_name = "Doe";
    int64_t id = submit_ok(fix, &submission, NOW);
    hl_order *order = hl_xmalloc(sizeof *order);
    hl_error error;
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_string_equal(order->title, "The street light in front of n");
    assert_string_equal(order->citizen_name, "Jane Doe");
    free(order);
}

static void test_without_description_the_service_name_stands_for_it(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    submission.description = NULL;
    submission.lat = submission.lon = NULL;
    submission.address_string = NULL;
    submission.address_id = "A-17";
    int64_t id = submit_ok(fix, &submission, NOW);
    hl_order *order = hl_xmalloc(sizeof *order);
    hl_error error;
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_string_equal(order->content, "路灯");
    assert_string_equal(order->title, "路灯");
    assert_false(order->has_location);
    free(order);
}

static void test_multivaluelist_values_are_numbered(void **state)
{
    fixture *fix = *state;
    const hl_open311_answer answers[] = {{"TREES", "pests", true},
                                         {"STORY", "先倒了一棵，\n又倒了一棵", false},
                                         {"TREES", "fallen", true}};
    hl_open311_submission submission = good_submission(fix, answers, 3);
    submission.service_code = "trees";
    int64_t id = submit_ok(fix, &submission, NOW);
    answer_text answered = {""};
    hl_error error;
    assert_int_equal(hl_store_answer_each(fix->app->store, id, collect_answer, &answered, &error),
                     HL_OK);
    assert_string_equal(answered.text,
                        "STORY#1=先倒了一棵，\n又倒了一棵;TREES#1=pests;TREES#2=fallen;");
}

/* A refused submission names the parameter and writes nothing. */
static void expect_refused(fixture *fix, const hl_open311_submission *submission, const char *field)
{
    int64_t before = order_count(fix->app);
    int64_t id = 0;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_open311_submit(fix->app, submission, NOW, &id, &error);
    if (result != HL_EINVAL || strcmp(error.field, field) != 0)
        fail_msg("expected a refusal naming %s, got %d naming %s: %s", field, result, error.field,
                 error.message);
    assert_true(error.message[0] != '\0');
    assert_int_equal(order_count(fix->app), before);
}

static void test_bad_submissions_name_the_parameter_and_change_nothing(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    submission.service_code = NULL;
    expect_refused(fix, &submission, "service_code");
    submission.service_code = "nothing";
    expect_refused(fix, &submission, "service_code");
    submission.service_code = "old";
    expect_refused(fix, &submission, "service_code");
    submission.service_code = "x'; DROP TABLE orders; --";
    expect_refused(fix, &submission, "service_code");

    submission = good_submission(fix, kind_out, 1);
    submission.lat = submission.lon = submission.address_string = NULL;
    expect_refused(fix, &submission, "lat");
    submission = good_submission(fix, kind_out, 1);
    submission.lon = NULL;
    expect_refused(fix, &submission, "long");
    submission = good_submission(fix, kind_out, 1);
    submission.lat = "north";
    expect_refused(fix, &submission, "lat");
    submission.lat = "95";
    expect_refused(fix, &submission, "lat");
    submission.lat = "37.8";
    submission.lon = "nan";
    expect_refused(fix, &submission, "long");

    char long_text[HL_CONTENT_CHARS + 2];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    submission = good_submission(fix, kind_out, 1);
    submission.description = long_text;
    expect_refused(fix, &submission, "description");
    submission.description = "bell \a in the text";
    expect_refused(fix, &submission, "description");

    submission = good_submission(fix, kind_out, 1);
    submission.phone = "call me";
    expect_refused(fix, &submission, "phone");
    submission = good_submission(fix, kind_out, 1);
    submission.email = "not-an-address";
    expect_refused(fix, &submission, "email");
    submission.email = "a@b@c";
    expect_refused(fix, &submission, "email");
    submission = good_submission(fix, kind_out, 1);
    submission.media_url = "javascript:alert(1)";
    expect_refused(fix, &submission, "media_url");
    submission.media_url = "https://example.org/a b.jpg";
    expect_refused(fix, &submission, "media_url");
    submission = good_submission(fix, kind_out, 1);
    submission.address_string = "two\nlines";
    expect_refused(fix, &submission, "address_string");
    submission = good_submission(fix, kind_out, 1);
    submission.device_id = "\x01";
    expect_refused(fix, &submission, "device_id");
}

static void test_bad_answers_name_the_attribute_and_change_nothing(void **state)
{
    fixture *fix = *state;
    static const struct {
        hl_open311_answer answers[2];
        size_t count;
        const char *field;
    } bad[] = {
        {{{"KIND", "out", false}, {"COLOUR", "red", false}}, 2, "attribute[COLOUR]"},
        {{{"POLE", "L-1", false}}, 1, "attribute[KIND]"},    /* required, not given */
        {{{"KIND", "   ", false}}, 1, "attribute[KIND]"},    /* empty counts as not given */
        {{{"KIND", "broken", false}}, 1, "attribute[KIND]"}, /* not a value offered */
        {{{"KIND", "out", true}}, 1, "attribute[KIND]"},     /* [] on a single value */
        {{{"KIND", "out", false}, {"KIND", "flicker", false}}, 2, "attribute[KIND]"},
        {{{"KIND", "out", false}, {"NOTICE", "x", false}}, 2, "attribute[NOTICE]"}, /* shown only */
        {{{"KIND", "out", false}, {"COUNT", "three", false}}, 2, "attribute[COUNT]"},
        {{{"KIND", "out", false}, {"SEEN", "yesterday", false}}, 2, "attribute[SEEN]"},
        {{{"KIND", "out", false}, {"POLE", "two\nlines", false}}, 2, "attribute[POLE]"},
        {{{"KIND", "' OR '1'='1", false}}, 1, "attribute[KIND]"},
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        hl_open311_submission submission =
            good_submission(fix, bad[index].answers, bad[index].count);
        expect_refused(fix, &submission, bad[index].field);
    }
    const hl_open311_answer twice[] = {{"TREES", "pests", true}, {"TREES", "pests", true}};
    hl_open311_submission submission = good_submission(fix, twice, 2);
    submission.service_code = "trees";
    expect_refused(fix, &submission, "attribute[TREES]");
}

static void test_a_disabled_intake_account_stops_intake(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    submit_ok(fix, &submission, NOW); /* creates the account */
    const char users[] = "username,display_name,role,unit,active\nopen311,Open311,agent,,0\n";
    int loaded = 0;
    hl_error error;
    assert_int_equal(hl_transfer_load_users(fix->app, users, strlen(users), &loaded, &error),
                     HL_OK);
    int64_t before = order_count(fix->app);
    int64_t id = 0;
    assert_int_equal(hl_open311_submit(fix->app, &submission, NOW, &id, &error), HL_EROLE);
    assert_int_equal(order_count(fix->app), before);
}

/* ---- Reading ---- */

typedef struct view_list {
    int count;
    int64_t ids[16];
    bool closed[16];
    char notes[16][256];
    char agency[16][128];
    char service[16][128];
    hl_time updated[16];
    hl_time expected[16];
    bool has_record[16];
} view_list;

static int collect_view(void *context, const hl_open311_view *view)
{
    view_list *list = context;
    int index = list->count++;
    if (index >= 16)
        return 0;
    list->ids[index] = view->order->id;
    list->closed[index] = view->closed;
    snprintf(list->notes[index], sizeof list->notes[index], "%s",
             view->status_notes != NULL ? view->status_notes : "-");
    snprintf(list->agency[index], sizeof list->agency[index], "%s",
             view->agency != NULL ? view->agency : "-");
    snprintf(list->service[index], sizeof list->service[index], "%s",
             view->service_name != NULL ? view->service_name : "-");
    list->updated[index] = view->updated_at;
    list->expected[index] = view->expected_at;
    list->has_record[index] = view->record != NULL;
    return 0;
}

static void act(fixture *fix, const char *actor, int64_t id, hl_action action, const char *unit,
                const char *note, hl_time now)
{
    hl_app_request request = {0};
    request.unit = unit;
    request.note = note;
    hl_error error;
    if (hl_app_act(fix->app, actor, id, action, &request, now, NULL, &error) != HL_OK)
        fail_msg("%s refused: %s", hl_workflow_rule_of(action)->name, error.message);
}

/* An order registered by an agent through a channel, with a citizen and a
 * category, and the citizen's consent to publication or not. */
static int64_t agent_order(fixture *fix, hl_channel channel, bool consent, hl_time now)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = channel;
    order->publish_consent = consent;
    order->type = HL_TYPE_COMPLAINT;
    order->received_at = now;
    snprintf(order->title, sizeof order->title, "电话诉求");
    snprintf(order->content, sizeof order->content, "电话里说的");
    snprintf(order->category, sizeof order->category, "streetlight");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "13900000000");
    int64_t id = 0;
    hl_error error;
    assert_int_equal(hl_app_register(fix->app, "agent1", order, now, &id, &error), HL_OK);
    free(order);
    return id;
}

/* A phone order without consent to publication. */
static int64_t phone_order(fixture *fix, hl_time now)
{
    return agent_order(fix, HL_CHANNEL_PHONE, false, now);
}

static void test_only_open311_requests_are_published_unless_all_are(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    int64_t posted = submit_ok(fix, &submission, NOW);
    int64_t phoned = phone_order(fix, NOW + 60);
    hl_open311_reader *reader = NULL;
    hl_error error;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    view_list list = {0};
    assert_int_equal(hl_open311_read_request(reader, posted, collect_view, &list, &error), HL_OK);
    assert_int_equal(hl_open311_read_request(reader, phoned, collect_view, &list, &error),
                     HL_ENOTFOUND);
    assert_string_equal(error.field, "service_request_id");
    assert_int_equal(hl_open311_read_request(reader, 20240304000099, collect_view, &list, &error),
                     HL_ENOTFOUND);
    hl_open311_query query = {.limit = 10};
    int64_t total = 0;
    list.count = 0;
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 1);
    assert_int_equal(list.ids[0], posted);
    assert_true(list.has_record[0]);
    hl_open311_reader_close(reader);

    /* "all" widens publication to every channel, never beyond consent:
     * the call without it stays unpublished, the one with it is listed. */
    int64_t consented = agent_order(fix, HL_CHANNEL_PHONE, true, NOW + 120);
    assert_int_equal(hl_open311_setting_set(fix->app, "open311.publish", "all", &error), HL_OK);
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    list.count = 0;
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 2);
    assert_int_equal(list.ids[0], consented); /* newest first */
    assert_false(list.has_record[0]);
    assert_int_equal(list.ids[1], posted);
    assert_int_equal(hl_open311_read_request(reader, phoned, collect_view, &list, &error),
                     HL_ENOTFOUND);
    hl_open311_reader_close(reader);
}

/* Issue 11, finding 4: publication followed the channel, so an order an
 * agent registered under the channel open311, without asking the citizen,
 * was published with its content and address. Now a post consents by the
 * API's terms and nothing else does unless asked: that order is not
 * published, not listed, and its events are not among the updates. */
static int count_note(void *context, const hl_open311_note *note)
{
    (void)context;
    (void)note;
    return 0;
}

static void test_finding_4_the_channel_open311_without_consent_is_not_published(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    int64_t posted = submit_ok(fix, &submission, NOW);
    int64_t named = agent_order(fix, HL_CHANNEL_OPEN311, false, NOW + 60);
    hl_order order;
    hl_error error;
    assert_int_equal(hl_app_get_order(fix->app, posted, &order, &error), HL_OK);
    assert_true(order.publish_consent);
    assert_int_equal(hl_app_get_order(fix->app, named, &order, &error), HL_OK);
    assert_false(order.publish_consent);

    hl_open311_reader *reader = NULL;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    view_list list = {0};
    assert_int_equal(hl_open311_read_request(reader, named, collect_view, &list, &error),
                     HL_ENOTFOUND);
    hl_open311_query query = {.limit = 10};
    int64_t total = 0;
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 1);
    assert_int_equal(list.ids[0], posted);
    int64_t updates = 0;
    assert_int_equal(
        hl_open311_list_updates(reader, 0, 0, 0, 100, count_note, NULL, &updates, &error), HL_OK);
    assert_int_equal(updates, 1); /* the post's registration only */
    hl_open311_reader_close(reader);
}

static void test_status_notes_and_times_follow_the_lifecycle(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    int64_t id = submit_ok(fix, &submission, NOW);
    hl_open311_reader *reader = NULL;
    hl_error error;
    view_list list = {0};

    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    assert_int_equal(hl_open311_read_request(reader, id, collect_view, &list, &error), HL_OK);
    hl_open311_reader_close(reader);
    assert_false(list.closed[0]);
    assert_string_equal(list.notes[0], hl_order_state_label(HL_STATE_NEW));
    assert_string_equal(list.agency[0], "-");
    assert_string_equal(list.service[0], "路灯");
    assert_int_equal(list.updated[0], NOW);
    assert_int_equal(list.expected[0], 0);

    act(fix, "dispatcher1", id, HL_ACTION_DISPATCH, "lights", "请尽快", NOW + 600);
    act(fix, "h-lights", id, HL_ACTION_SIGN, NULL, NULL, NOW + 1200);
    list.count = 0;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    assert_int_equal(hl_open311_read_request(reader, id, collect_view, &list, &error), HL_OK);
    hl_open311_reader_close(reader);
    assert_false(list.closed[0]);
    assert_string_equal(list.agency[0], "市路灯管理处");
    assert_int_equal(list.updated[0], NOW + 1200);
    assert_true(list.expected[0] > NOW + 1200); /* the handling deadline */
}

static void test_closed_orders_show_the_reply_and_their_closing_time(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    int64_t id = submit_ok(fix, &submission, NOW);
    act(fix, "dispatcher1", id, HL_ACTION_DISPATCH, "lights", "请尽快", NOW + 600);
    act(fix, "h-lights", id, HL_ACTION_SIGN, NULL, NULL, NOW + 1200);
    act(fix, "h-lights", id, HL_ACTION_COMPLETE, NULL, "已更换灯泡，恢复照明", NOW + 3600);
    int64_t invalid = submit_ok(fix, &submission, NOW + 10);
    act(fix, "agent1", invalid, HL_ACTION_INVALIDATE, NULL, "测试骚扰", NOW + 20);
    int64_t merged = submit_ok(fix, &submission, NOW + 30);
    hl_app_request merge = {0};
    merge.into = id;
    hl_error error;
    assert_int_equal(
        hl_app_act(fix->app, "agent1", merged, HL_ACTION_MERGE, &merge, NOW + 40, NULL, &error),
        HL_OK);

    hl_open311_reader *reader = NULL;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    view_list list = {0};
    hl_open311_query query = {.limit = 10, .closed = true};
    int64_t total = 0;
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    hl_open311_reader_close(reader);
    assert_int_equal(total, 3);
    /* Newest first: merged, invalid, completed. */
    assert_int_equal(list.ids[2], id);
    assert_true(list.closed[2]);
    assert_string_equal(list.notes[2], "已更换灯泡，恢复照明");
    assert_int_equal(list.updated[2], NOW + 3600);
    assert_int_equal(list.expected[2], 0);
    assert_null(strstr(list.notes[1], "测试骚扰")); /* an internal reason stays inside */
    assert_true(list.closed[1]);
    assert_non_null(strstr(list.notes[0], "20240304000001"));
}

static void test_lists_filter_by_service_status_dates_and_page(void **state)
{
    fixture *fix = *state;
    hl_open311_submission light = good_submission(fix, kind_out, 1);
    hl_open311_submission tree = good_submission(fix, NULL, 0);
    tree.service_code = "trees";
    int64_t ids[5];
    ids[0] = submit_ok(fix, &light, NOW);
    ids[1] = submit_ok(fix, &tree, NOW + 100);
    ids[2] = submit_ok(fix, &light, NOW + 200);
    ids[3] = submit_ok(fix, &tree, NOW + 300);
    ids[4] = submit_ok(fix, &light, NOW + 400);
    act(fix, "agent1", ids[2], HL_ACTION_RESOLVE, NULL, "已答复", NOW + 500);

    hl_open311_reader *reader = NULL;
    hl_error error;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    view_list list = {0};
    int64_t total = 0;
    hl_open311_query query = {.service_codes = "trees", .limit = 10};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 2);
    assert_int_equal(list.ids[0], ids[3]);
    assert_int_equal(list.ids[1], ids[1]);

    list.count = 0;
    query = (hl_open311_query){.open = true, .limit = 10};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 4);
    list.count = 0;
    query = (hl_open311_query){.open = true, .closed = true, .limit = 10};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 5);

    list.count = 0;
    query = (hl_open311_query){.from = NOW + 100, .to = NOW + 301, .limit = 10};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 3);

    list.count = 0;
    query = (hl_open311_query){.offset = 1, .limit = 2};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 5);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[0], ids[3]);
    assert_int_equal(list.ids[1], ids[2]);

    /* Ids override everything else; absent ones and repeats are skipped. */
    int64_t wanted[] = {ids[4], 20240304000099, ids[1], ids[4]};
    list.count = 0;
    query =
        (hl_open311_query){.ids = wanted, .id_count = 4, .service_codes = "nothing", .limit = 1};
    assert_int_equal(hl_open311_list_requests(reader, &query, collect_view, &list, &total, &error),
                     HL_OK);
    assert_int_equal(total, 2);
    assert_int_equal(list.ids[0], ids[4]);
    assert_int_equal(list.ids[1], ids[1]);
    hl_open311_reader_close(reader);
}

typedef struct note_list {
    int count;
    char types[16][32];
    char summaries[16][256];
    char descriptions[16][256];
    bool closed[16];
    hl_time at[16];
} note_list;

static int collect_note(void *context, const hl_open311_note *note)
{
    note_list *list = context;
    int index = list->count++;
    if (index >= 16)
        return 0;
    snprintf(list->types[index], sizeof list->types[index], "%s", note->type);
    snprintf(list->summaries[index], sizeof list->summaries[index], "%s", note->summary);
    snprintf(list->descriptions[index], sizeof list->descriptions[index], "%s",
             note->description != NULL ? note->description : "-");
    list->closed[index] = note->closed;
    list->at[index] = note->at;
    return 0;
}

static void test_notes_show_the_public_part_of_the_log(void **state)
{
    fixture *fix = *state;
    hl_open311_submission submission = good_submission(fix, kind_out, 1);
    int64_t id = submit_ok(fix, &submission, NOW);
    act(fix, "dispatcher1", id, HL_ACTION_DISPATCH, "parks", "内部备注：先派园林", NOW + 600);
    act(fix, "supervisor1", id, HL_ACTION_REMIND, NULL, "内部催办", NOW + 700);
    act(fix, "dispatcher1", id, HL_ACTION_REASSIGN, "lights", "内部：派错了", NOW + 800);
    act(fix, "h-lights", id, HL_ACTION_SIGN, NULL, NULL, NOW + 900);
    act(fix, "h-lights", id, HL_ACTION_HANDLE, NULL, "内部进展：联系了电工", NOW + 1000);
    act(fix, "h-lights", id, HL_ACTION_COMPLETE, NULL, "已更换灯泡", NOW + 3600);

    hl_open311_reader *reader = NULL;
    hl_error error;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    note_list notes = {0};
    assert_int_equal(hl_open311_each_note(reader, id, collect_note, &notes, &error), HL_OK);
    assert_int_equal(notes.count, 6); /* the reminder is left out */
    assert_string_equal(notes.types[0], "register");
    assert_string_equal(notes.types[1], "dispatch");
    assert_string_equal(notes.summaries[1], "dispatch to 市园林局");
    assert_string_equal(notes.descriptions[1], "-");
    assert_string_equal(notes.types[2], "reassign");
    assert_string_equal(notes.summaries[2], "transferred from 市园林局 to 市路灯管理处");
    assert_string_equal(notes.types[4], "handle");
    assert_string_equal(notes.descriptions[4], "-");
    assert_string_equal(notes.types[5], "complete");
    assert_string_equal(notes.descriptions[5], "已更换灯泡");
    assert_true(notes.closed[5]);
    assert_false(notes.closed[4]);
    for (int index = 0; index < notes.count; index++)
        assert_null(strstr(notes.descriptions[index], "内部"));

    hl_open311_reader_close(reader);

    /* Updates since a time: every published request's public notes. */
    submit_ok(fix, &submission, NOW + 2000);
    note_list updates = {0};
    int64_t total = 0;
    assert_int_equal(hl_open311_reader_open(fix->app, &reader, &error), HL_OK);
    assert_int_equal(hl_open311_list_updates(reader, NOW + 850, 0, 0, 10, collect_note, &updates,
                                             &total, &error),
                     HL_OK);
    assert_int_equal(total, 4); /* sign, handle, the other's register, complete */
    assert_string_equal(updates.types[2], "register");
    assert_int_equal(updates.at[2], NOW + 2000);
    assert_string_equal(updates.types[3], "complete");
    updates.count = 0;
    assert_int_equal(hl_open311_list_updates(reader, NOW + 850, NOW + 2000, 1, 1, collect_note,
                                             &updates, &total, &error),
                     HL_OK);
    assert_int_equal(total, 2);
    assert_int_equal(updates.count, 1);
    assert_string_equal(updates.types[0], "handle");
    hl_open311_reader_close(reader);
}

int main(void)
{
#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_settings_have_defaults_and_can_be_set),
        FIXTURE_TEST(test_services_are_the_active_categories),
        FIXTURE_TEST(test_definitions_list_attributes_in_order),
        FIXTURE_TEST(test_loading_replaces_the_attributes_of_the_categories_named),
        FIXTURE_TEST(test_a_bad_attribute_file_loads_nothing),
        FIXTURE_TEST(test_a_posted_request_becomes_an_order_of_the_intake_account),
        FIXTURE_TEST(test_titles_are_cut_and_names_joined_by_script),
        FIXTURE_TEST(test_without_description_the_service_name_stands_for_it),
        FIXTURE_TEST(test_multivaluelist_values_are_numbered),
        FIXTURE_TEST(test_bad_submissions_name_the_parameter_and_change_nothing),
        FIXTURE_TEST(test_bad_answers_name_the_attribute_and_change_nothing),
        FIXTURE_TEST(test_a_disabled_intake_account_stops_intake),
        FIXTURE_TEST(test_only_open311_requests_are_published_unless_all_are),
        FIXTURE_TEST(test_finding_4_the_channel_open311_without_consent_is_not_published),
        FIXTURE_TEST(test_status_notes_and_times_follow_the_lifecycle),
        FIXTURE_TEST(test_closed_orders_show_the_reply_and_their_closing_time),
        FIXTURE_TEST(test_lists_filter_by_service_status_dates_and_page),
        FIXTURE_TEST(test_notes_show_the_public_part_of_the_log),
    };
#undef FIXTURE_TEST
    return cmocka_run_group_tests(tests, NULL, NULL);
}
