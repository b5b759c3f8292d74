/* directory.h: the people and organisations a work order involves.
 *
 * Network units (网络单位), the category catalogue (诉求分类) and users with
 * their roles. Plain records and their validation; the store keeps them. */
#ifndef HL_DIRECTORY_H
#define HL_DIRECTORY_H

#include <stdbool.h>

#include "base/error.h"
#include "base/text.h"
#include "domain/limits.h"

typedef struct hl_unit {
    char code[HL_CODE_BYTES];   /* stable identifier, ASCII letters, digits, - _ . */
    char name[HL_NAME_BYTES];   /* 市住房公积金中心 */
    char group[HL_NAME_BYTES];  /* ranking group: 市直单位, 县市区(开发区) */
    char parent[HL_CODE_BYTES]; /* "" for a top-level unit */
    bool active;                /* retired units keep their history but get no new orders */
} hl_unit;

typedef struct hl_category {
    char code[HL_CODE_BYTES];
    char name[HL_NAME_BYTES];
    char parent[HL_CODE_BYTES];       /* "" for a first-level category */
    char default_unit[HL_CODE_BYTES]; /* suggested lead unit, may be "" */
    int handle_days;                  /* 0: the order type's default limit */
    bool active;
} hl_category;

typedef enum hl_role {
    HL_ROLE_AGENT = 0,  /* 话务员: registers orders, resolves at intake */
    HL_ROLE_DISPATCHER, /* 派单员: dispatches, reassigns, reviews returns */
    HL_ROLE_HANDLER,    /* 承办人: acts for one unit */
    HL_ROLE_SURVEYOR,   /* 回访员: calls citizens back */
    HL_ROLE_SUPERVISOR, /* 督办员: reminds, supervises, decides extensions and reopens */
    HL_ROLE_ANALYST,    /* 分析员: reads reports */
    /* The three separated administrators (三员分立): none acts on orders,
     * none can erase another's trace (nothing deletes or edits an audit
     * record). Stores from before the split held one role, "admin";
     * migration 11 (PostgreSQL: 5) makes those users security administrators. */
    HL_ROLE_SYSADMIN, /* 系统管理员: units, categories, calendar, limits and settings */
    HL_ROLE_SECADMIN, /* 安全管理员: users, roles, passwords, API keys, login waits */
    HL_ROLE_AUDITOR,  /* 审计管理员: reads the audit trail and changes nothing */
    HL_ROLE_COUNT
} hl_role;

typedef struct hl_user {
    char username[HL_CODE_BYTES];
    char display_name[HL_NAME_BYTES];
    hl_role role;
    char unit[HL_CODE_BYTES]; /* required for handlers, "" otherwise */
    bool active;
} hl_user;

/* A code: 1 to 32 ASCII letters, digits, '-', '_' or '.'. */
bool hl_directory_code_valid(hl_slice code);
/* Copies a code into a field, or fails naming the field. */
int hl_directory_copy_code(char *destination, hl_slice source, const char *field, hl_error *error);

/* Whole-record checks: required fields present and well-formed. */
int hl_directory_unit_validate(const hl_unit *unit, hl_error *error);
int hl_directory_category_validate(const hl_category *category, hl_error *error);
int hl_directory_user_validate(const hl_user *user, hl_error *error);

/* Role names: "agent", "dispatcher", "handler", "surveyor", "supervisor",
 * "analyst", "sysadmin", "secadmin", "auditor"; and their Chinese labels. */
const char *hl_directory_role_name(hl_role role);
const char *hl_directory_role_label(hl_role role); /* in the current language */
int hl_directory_role_parse(hl_slice text, hl_role *out);

#endif
