/* args.c: parsing options for the hotline command. It knows option syntax,
 * not what any option means. */
#include "cli/args.h"

#include <stdio.h>
#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"

static const cli_option_spec *find_spec(const cli_option_spec *specs, const char *name,
                                        size_t length)
{
    for (const cli_option_spec *spec = specs; spec != NULL && spec->name != NULL; spec++)
        if (strlen(spec->name) == length && memcmp(spec->name, name, length) == 0)
            return spec;
    return NULL;
}

int cli_args_parse(int argc, char **argv, const cli_option_spec *specs, cli_args *out,
                   char *message, size_t message_size)
{
    HL_REQUIRE(argc >= 0 && (argv != NULL || argc == 0) && out != NULL);
    memset(out, 0, sizeof *out);
    for (int index = 0; index < argc; index++) {
        const char *word = argv[index];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            out->help = true;
            continue;
        }
        if (strncmp(word, "--", 2) != 0 || word[2] == '\0') {
            if (out->positional_count == CLI_ARGS_MAX) {
                snprintf(message, message_size, HL_T("参数过多", "too many arguments"));
                return -1;
            }
            out->positional[out->positional_count++] = word;
            continue;
        }
        const char *name = word + 2;
        const char *equals = strchr(name, '=');
        size_t length = equals != NULL ? (size_t)(equals - name) : strlen(name);
        const cli_option_spec *spec = find_spec(specs, name, length);
        if (spec == NULL) {
            snprintf(message, message_size, HL_T("未知选项 --%.*s", "unknown option --%.*s"),
                     (int)length, name);
            return -1;
        }
        const char *value = "";
        if (spec->takes_value) {
            if (equals != NULL) {
                value = equals + 1;
            } else if (index + 1 < argc) {
                value = argv[++index];
            } else {
                snprintf(message, message_size,
                         HL_T("选项 --%s 需要一个值", "option --%s needs a value"), spec->name);
                return -1;
            }
        } else if (equals != NULL) {
            snprintf(message, message_size, HL_T("选项 --%s 不带值", "option --%s takes no value"),
                     spec->name);
            return -1;
        }
        if (out->option_count == CLI_ARGS_MAX) {
            snprintf(message, message_size, HL_T("选项过多", "too many options"));
            return -1;
        }
        out->names[out->option_count] = spec->name;
        out->values[out->option_count++] = value;
    }
    return 0;
}

const char *cli_args_get(const cli_args *args, const char *name)
{
    /* The last occurrence wins, as in most Unix tools. */
    for (int index = args->option_count - 1; index >= 0; index--)
        if (strcmp(args->names[index], name) == 0)
            return args->values[index];
    return NULL;
}

bool cli_args_has(const cli_args *args, const char *name)
{
    return cli_args_get(args, name) != NULL;
}
