/* query.c: what the query model (domain/query.h) can say of a filter
 * without a store. It runs no query. */
#include "domain/query.h"

#include <stddef.h>

static bool set(const char *text)
{
    return text != NULL && text[0] != '\0';
}

bool hl_order_filter_is_states_only(const hl_order_filter *filter)
{
    return filter == NULL ||
           (!set(filter->unit) && !set(filter->co_unit) && !set(filter->category) &&
            !set(filter->categories) && filter->channel_mask == 0 && !filter->consented &&
            filter->received_from == 0 && filter->received_to == 0 && filter->due_before == 0 &&
            filter->due_from == 0 && !set(filter->text) && filter->assessed_month == 0 &&
            !filter->appeal_upheld && filter->pending == HL_PENDING_NONE && !set(filter->phone) &&
            !set(filter->scope_unit) && filter->after_id == 0 && filter->before_id == 0);
}
