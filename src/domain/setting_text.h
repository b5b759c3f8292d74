/* setting_text.h: what each setting is called and what it does, in words
 * for the people who change it.
 *
 * The settings themselves live with what they govern (limits.h for the
 * time limits, app/policy for the account and session policy, the zone in
 * the store); their keys (`handle_days.complaint`) are for the command
 * line and the API. A page or a listing shows the label and the
 * explanation given here instead, in the current language (base/i18n). */
#ifndef HL_DOMAIN_SETTING_TEXT_H
#define HL_DOMAIN_SETTING_TEXT_H

/* The label of a setting ("投诉类办理时限"), in the current language; NULL
 * for a key this table does not know. The text is static. */
const char *hl_setting_label(const char *key);

/* One sentence on what the setting does and which values it takes, in the
 * current language; NULL for a key this table does not know. Static. */
const char *hl_setting_help(const char *key);

#endif
