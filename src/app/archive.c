/* archive.c: hotline archive and the check of an archive file (see
 * archive.h). It decides what is archived and in which order the file,
 * the anchors and the deletions happen; the SQL is the stores' and the
 * rule of what may be deleted is the schema's. It does not check that an
 * archive is anchored in the store (app/verify does, with the
 * audit.archive events). */
#include "app/archive.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/policy.h"
#include "app/verify.h"
#include "base/clock.h"
#include "base/contract.h"
#include "base/i18n.h"
#include "store/chain.h"

const hl_chain_kind hl_archive_chains[HL_ARCHIVE_CHAINS] = {HL_CHAIN_READS, HL_CHAIN_SECURITY};

/* What a chain scan's visitor returns to stop at the first record that is
 * not old enough (errors are negative). */
#define STOP_AT_CUTOFF 1

int hl_archive_latest_cutoff(hl_app *app, hl_time now, hl_time *out, hl_error *error)
{
    hl_policy policy;
    int result = hl_policy_load(app, &policy, error);
    if (result == HL_OK)
        *out = now - (hl_time)policy.audit_retention_days * HL_SECONDS_PER_DAY;
    return result;
}

/* ---- the seal ---- */

static size_t put_u64(unsigned char *out, uint64_t value)
{
    for (int index = 0; index < 8; index++)
        out[index] = (unsigned char)(value >> (56 - 8 * index));
    return 8;
}

/* The seal over each chain's name, starting anchor, last link and record
 * count: the links inside the file prove every record against these. */
static void seal_of(const hl_app *app, const hl_archive_summary *summary,
                    char out[HL_SEAL_HEX_BYTES])
{
    static const char tag[] = "hotline-archive-1";
    unsigned char bytes[sizeof tag + HL_ARCHIVE_CHAINS * (16 + 3 * 8 + 2 * HL_CHAIN_HEX_CHARS)];
    size_t length = 0;
    memcpy(bytes, tag, sizeof tag);
    length += sizeof tag;
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++) {
        const hl_archive_range *range = &summary->ranges[index];
        char name[16] = {0};
        snprintf(name, sizeof name, "%s", hl_chain_name(hl_archive_chains[index]));
        memcpy(bytes + length, name, sizeof name);
        length += sizeof name;
        length += put_u64(bytes + length, (uint64_t)range->from.seq);
        memcpy(bytes + length, range->from.hash, HL_CHAIN_HEX_CHARS);
        length += HL_CHAIN_HEX_CHARS;
        length += put_u64(bytes + length, (uint64_t)range->to.seq);
        memcpy(bytes + length, range->to.hash, HL_CHAIN_HEX_CHARS);
        length += HL_CHAIN_HEX_CHARS;
        length += put_u64(bytes + length, (uint64_t)range->records);
    }
    hl_seal_hex(app, bytes, length, out);
}

/* ---- (1) writing the file ---- */

typedef struct prefix_walk {
    hl_store *file;
    hl_time before;
    int64_t keep_from; /* a seq never archived, and none after it (0: none) */
    hl_archive_range *range;
    hl_chain_kind kind;
    hl_error *error;
} prefix_walk;

static hl_time record_time(const hl_chain_record *record)
{
    return record->kind == HL_CHAIN_READS ? record->as.read.at : record->as.security.at;
}

/* Copies one record of the prefix into the file, after checking that it
 * is the next link of the chain: a broken chain is never archived (the
 * file would seal the break, and the deletion would hide it). */
static int copy_record(void *context, const hl_chain_record *record)
{
    prefix_walk *walk = context;
    if (record_time(record) >= walk->before ||
        (walk->keep_from > 0 && record->link.seq >= walk->keep_from))
        return STOP_AT_CUTOFF;
    hl_archive_range *range = walk->range;
    hl_chain_link computed = record->link;
    hl_chain_link_record(record, &computed);
    if (record->link.seq != range->to.seq + 1 || strcmp(record->link.prev, range->to.hash) != 0 ||
        strcmp(computed.hash, record->link.hash) != 0)
        return hl_error_set(walk->error, HL_EMISMATCH, "archive",
                            HL_T("哈希链 %s 在第 %lld 环断开，不予归档（hotline verify 列出）",
                                 "hash chain %s is broken at link %lld and is not archived "
                                 "(hotline verify lists it)"),
                            hl_chain_name(walk->kind), (long long)(range->to.seq + 1));
    int result = walk->kind == HL_CHAIN_READS
                     ? hl_store_audit_put(walk->file, &record->as.read, walk->error)
                     : hl_store_security_append(walk->file, &record->as.security, walk->error);
    if (result != HL_OK)
        return result;
    range->records++;
    range->to.seq = record->link.seq;
    memcpy(range->to.hash, record->link.hash, sizeof range->to.hash);
    return HL_OK;
}

static int find_last_archive(void *context, const hl_security_event *event)
{
    if (strcmp(event->action, HL_ARCHIVE_ACTION) != 0 ||
        strcmp(event->outcome, HL_AUDIT_SUCCESS) != 0)
        return HL_OK;
    *(hl_security_event *)context = *event;
    return STOP_AT_CUTOFF;
}

int hl_archive_last_event(hl_store *store, hl_security_event *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    int result = hl_store_security_each(store, 0, find_last_archive, out, error);
    return result == STOP_AT_CUTOFF ? HL_OK : result;
}

/* The newest successful audit.archive event names both chains' anchors
 * (app/verify checks each anchor against it): it is never archived
 * itself, so the audit of security events stops before it. */
static int keep_last_event(hl_store *store, int64_t *seq, hl_error *error)
{
    hl_security_event *event = hl_xcalloc(1, sizeof *event);
    int result = hl_archive_last_event(store, event, error);
    *seq = event->seq;
    free(event);
    return result;
}

/* Copies each chain's prefix from one read snapshot of the store into the
 * file, in one transaction of the file. */
static int copy_prefixes(hl_app *app, hl_store *file, hl_archive_summary *summary, hl_error *error)
{
    int result = hl_app_read_begin(app, error);
    if (result != HL_OK)
        return result;
    result = hl_store_begin(file, error);
    if (result == HL_OK) {
        for (int index = 0; index < HL_ARCHIVE_CHAINS && result == HL_OK; index++) {
            hl_chain_kind kind = hl_archive_chains[index];
            hl_archive_range *range = &summary->ranges[index];
            result = hl_store_chain_anchor(app->store, kind, &range->from, error);
            if (result == HL_OK)
                result = hl_store_chain_start(file, kind, &range->from, error);
            if (result != HL_OK)
                break;
            range->to = range->from;
            prefix_walk walk = {file, summary->before, 0, range, kind, error};
            if (kind == HL_CHAIN_SECURITY)
                result = keep_last_event(app->store, &walk.keep_from, error);
            if (result != HL_OK)
                break;
            result = hl_store_chain_scan(app->store, kind, copy_record, &walk, error);
            if (result == STOP_AT_CUTOFF)
                result = HL_OK;
        }
        result = hl_store_finish(file, result, error);
    }
    hl_app_read_end(app);
    return result;
}

/* Writes, seals and syncs the file (created empty by the caller). */
static int write_file(hl_app *app, const char *path, hl_archive_summary *summary, hl_error *error)
{
    hl_store *file = NULL;
    int result = hl_store_open(path, &file, error);
    if (result == HL_OK)
        result = copy_prefixes(app, file, summary, error);
    if (result == HL_OK) {
        seal_of(app, summary, summary->seal);
        result = hl_seal_write(file, HL_ARCHIVE_SEAL_CONFIG_KEY, summary->seal, error);
    }
    hl_store_close(file); /* checkpoints: the file is one file after */
    if (result != HL_OK)
        return result;
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    bool synced = descriptor >= 0 && fsync(descriptor) == 0;
    if (descriptor >= 0)
        close(descriptor);
    if (!synced)
        return hl_error_set(error, HL_EIO, "archive",
                            HL_T("无法同步归档文件 %s", "cannot sync the archive %s"), path);
    return HL_OK;
}

/* ---- the audit.archive events ---- */

typedef struct name_search {
    const char *name;
    const hl_chain_head *anchor;
    bool newest_only;
    bool found;
} name_search;

/* Whether an audit.archive detail names the chain's range ending at the
 * anchor: "NAME A-B HASH" with B the anchor's seq and HASH its hash. */
static bool detail_names(const char *detail, const char *name, const hl_chain_head *anchor)
{
    size_t length = strlen(name);
    for (const char *at = detail; (at = strstr(at, name)) != NULL; at += length) {
        if ((at != detail && at[-1] != ' ') || at[length] != ' ')
            continue;
        long long first = 0, last = 0;
        char hash[HL_CHAIN_HEX_CHARS + 1];
        if (sscanf(at + length, " %lld-%lld %64[0-9a-f]", &first, &last, hash) == 3 &&
            last == anchor->seq && strcmp(hash, anchor->hash) == 0)
            return true;
    }
    return false;
}

static int search_event(void *context, const hl_security_event *event)
{
    name_search *search = context;
    if (strcmp(event->action, HL_ARCHIVE_ACTION) != 0 ||
        strcmp(event->outcome, HL_AUDIT_SUCCESS) != 0)
        return HL_OK;
    search->found = detail_names(event->detail, search->name, search->anchor);
    return search->found || search->newest_only ? STOP_AT_CUTOFF : HL_OK;
}

int hl_archive_event_names(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                           bool newest_only, bool *named, hl_error *error)
{
    name_search search = {hl_chain_name(kind), anchor, newest_only, false};
    int result = hl_store_security_each(store, 0, search_event, &search, error);
    *named = search.found;
    return result == STOP_AT_CUTOFF ? HL_OK : result;
}

int hl_archive_anchored(hl_app *app, const hl_archive_summary *summary, hl_error *error)
{
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++) {
        const hl_archive_range *range = &summary->ranges[index];
        if (range->records == 0)
            continue;
        hl_chain_head anchor;
        bool named = false;
        int result = hl_store_chain_anchor(app->store, hl_archive_chains[index], &anchor, error);
        if (result == HL_OK &&
            !(anchor.seq == range->to.seq && strcmp(anchor.hash, range->to.hash) == 0))
            result = hl_archive_event_names(app->store, hl_archive_chains[index], &range->to, false,
                                            &named, error);
        else
            named = true;
        if (result != HL_OK)
            return result;
        if (!named)
            return hl_error_set(error, HL_EMISMATCH, "archive",
                                HL_T("归档的哈希链 %s 止于第 %lld 环，但存储既不以它为锚点，也没有"
                                     "归档事件记下它：这份归档不属于此存储，或未完成",
                                     "the archive's %s chain ends at link %lld, but the store "
                                     "neither starts from it nor records an archive naming it: "
                                     "the archive is not this store's, or was never completed"),
                                hl_chain_name(hl_archive_chains[index]), (long long)range->to.seq);
    }
    return HL_OK;
}

/* ---- (2) checking it ---- */

static int check_chains(hl_app *app, hl_store *file, hl_archive_summary *summary, hl_error *error)
{
    char stored[HL_SEAL_HEX_BYTES];
    int result = hl_seal_read(file, HL_ARCHIVE_SEAL_CONFIG_KEY, stored, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EINVAL, "archive", "%s",
                            HL_T("它没有归档封印（不是 hotline archive 写出的文件）",
                                 "it carries no archive seal (it was not written by hotline "
                                 "archive)"));
    for (int index = 0; index < HL_ARCHIVE_CHAINS && result == HL_OK; index++) {
        hl_chain_kind kind = hl_archive_chains[index];
        hl_archive_range *range = &summary->ranges[index];
        hl_verify_chain_result walked;
        hl_chain_head head;
        result = hl_store_chain_anchor(file, kind, &range->from, error);
        if (result == HL_OK)
            result = hl_verify_chain_walk(file, kind, &range->from, &walked, error);
        if (result == HL_OK)
            result = hl_store_chain_head(file, kind, &head, error);
        if (result != HL_OK)
            break;
        if (walked.breaks > 0)
            return hl_error_set(error, HL_EINVAL, "archive", "%s", walked.first_break);
        if (head.seq != walked.last.seq || strcmp(head.hash, walked.last.hash) != 0)
            return hl_error_set(error, HL_EINVAL, "archive",
                                HL_T("哈希链 %s 的链头与最后一条记录不符",
                                     "hash chain %s: its head does not match its last record"),
                                hl_chain_name(kind));
        range->to = walked.last;
        range->records = walked.records;
    }
    if (result != HL_OK)
        return result;
    seal_of(app, summary, summary->seal);
    if (sodium_memcmp(stored, summary->seal, HL_SEAL_HEX_BYTES) != 0)
        return hl_error_set(error, HL_EINVAL, "archive", "%s",
                            HL_T("封印不符：归档写出后被改动过",
                                 "its seal does not match: it was changed after it was written"));
    return HL_OK;
}

int hl_archive_check(hl_app *app, const char *path, hl_archive_summary *out, hl_error *error)
{
    HL_REQUIRE(app != NULL && path != NULL);
    if (path[0] == '\0' || strstr(path, "://") != NULL || access(path, F_OK) != 0)
        return hl_error_set(error, HL_EINVAL, "archive",
                            HL_T("归档文件 %s 不存在", "the archive %s does not exist"), path);
    hl_archive_summary *summary = hl_xcalloc(1, sizeof *summary);
    hl_store *file = NULL;
    hl_error inner;
    hl_error_clear(&inner);
    int result = hl_store_open(path, &file, &inner);
    if (result == HL_OK)
        result = check_chains(app, file, summary, &inner);
    hl_store_close(file);
    if (result == HL_OK && out != NULL)
        *out = *summary;
    free(summary);
    if (result != HL_OK)
        return hl_error_set(error, result == HL_EIO ? HL_EIO : HL_EMISMATCH, "archive",
                            HL_T("归档 %s 未通过核验：%s", "the archive %s fails its check: %s"),
                            path, inner.message);
    return HL_OK;
}

/* ---- (3) moving the anchors ---- */

static bool same_head(const hl_chain_head *a, const hl_chain_head *b)
{
    return a->seq == b->seq && strcmp(a->hash, b->hash) == 0;
}

static bool same_ranges(const hl_archive_summary *a, const hl_archive_summary *b)
{
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++) {
        const hl_archive_range *left = &a->ranges[index], *right = &b->ranges[index];
        if (!same_head(&left->from, &right->from) || !same_head(&left->to, &right->to) ||
            left->records != right->records)
            return false;
    }
    return true;
}

static void describe(const hl_archive_summary *summary, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int index = 0; index < HL_ARCHIVE_CHAINS && used < size; index++) {
        const hl_archive_range *range = &summary->ranges[index];
        int written = snprintf(
            out + used, size - used, "%s %lld-%lld %s; ", hl_chain_name(hl_archive_chains[index]),
            (long long)(range->from.seq + 1), (long long)range->to.seq, range->to.hash);
        if (written > 0)
            used += (size_t)written;
    }
    if (used < size)
        snprintf(out + used, size - used, "seal %.32s", summary->seal);
}

static int move_anchors(hl_app *app, const char *path, const char *actor,
                        const hl_archive_summary *summary, hl_error *error)
{
    char detail[HL_SECURITY_DETAIL_BYTES];
    describe(summary, detail, sizeof detail);
    hl_security_event event;
    hl_audit_security_of(&event, actor, NULL, HL_ARCHIVE_ACTION, path, HL_AUDIT_SUCCESS, detail);
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        for (int index = 0; index < HL_ARCHIVE_CHAINS && result == HL_OK; index++) {
            const hl_archive_range *range = &summary->ranges[index];
            hl_chain_head now;
            result = hl_store_chain_anchor(app->store, hl_archive_chains[index], &now, error);
            if (result == HL_OK && !same_head(&now, &range->from))
                result = hl_error_set(error, HL_ECONFLICT, "archive", "%s",
                                      HL_T("审计在此期间已被另一次归档移动",
                                           "the audit was archived by someone else meanwhile"));
            if (result == HL_OK && range->records > 0)
                result = hl_store_chain_cut(app->store, hl_archive_chains[index], &range->from,
                                            &range->to, error);
        }
        if (result == HL_OK)
            result = hl_store_security_append(app->store, &event, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

int hl_archive(hl_app *app, const char *path, hl_time before, const char *actor,
               hl_archive_summary *out, hl_error *error)
{
    HL_REQUIRE(app != NULL && path != NULL && actor != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    if (path[0] == '\0' || strstr(path, "://") != NULL)
        return hl_error_set(
            error, HL_EINVAL, "archive", "%s",
            HL_T("归档须写入一个新文件（路径）", "an archive is written to a new file (a path)"));
    hl_time latest;
    int result = hl_archive_latest_cutoff(app, hl_clock_now(), &latest, error);
    if (result != HL_OK)
        return result;
    if (before > latest) {
        char asked[40], allowed[40];
        hl_clock_format_local(before, asked, sizeof asked);
        hl_clock_format_local(latest, allowed, sizeof allowed);
        return hl_error_set(error, HL_EINVAL, "before",
                            HL_T("--before %s 晚于审计保存期（audit.retention_days）允许的最晚时间 "
                                 "%s：未写任何文件",
                                 "--before %s is later than the audit's retention "
                                 "(audit.retention_days) allows, %s: nothing was written"),
                            asked, allowed);
    }
    out->before = before != 0 ? before : latest;
    result = hl_seal_create_file(path, "archive", error);
    if (result != HL_OK)
        return result;
    result = write_file(app, path, out, error);
    int64_t records = out->ranges[0].records + out->ranges[1].records;
    if (result == HL_OK && records > 0) {
        hl_archive_summary *checked = hl_xcalloc(1, sizeof *checked);
        result = hl_archive_check(app, path, checked, error);
        if (result == HL_OK &&
            (!same_ranges(checked, out) || strcmp(checked->seal, out->seal) != 0))
            result = hl_error_set(error, HL_EMISMATCH, "archive", "%s",
                                  HL_T("归档文件读回后与写入的不符", "the archive read back "
                                                                     "differs from what was "
                                                                     "written"));
        free(checked);
    }
    if (result != HL_OK || records == 0) {
        hl_seal_remove_files(path);
        return result;
    }
    result = move_anchors(app, path, actor, out, error);
    if (result != HL_OK) {
        hl_error inner = *error;
        hl_error_set(error, result, "archive",
                     HL_T("存储未作任何更改，%s 只是一份多余的副本：%s",
                          "the store is unchanged and %s is only a stray copy: %s"),
                     path, inner.message);
    }
    return result;
}
