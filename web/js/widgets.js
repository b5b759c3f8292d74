// widgets.js: the parts of an order's view that the order page and the
// working desks share: its facts, the timeline of its events and the
// caller's earlier orders. Labels come from the server (vocabulary.js and
// the labels of the order JSON); the time left on a deadline is the
// server's count (dom.js dueBadge). Nothing here takes an action.

import { ApiError, get } from './api.js';
import { dueBadge, errorText, formatTime, h, orderLink, stateBadge } from './dom.js';
import { t, T } from './i18n.js';
import { label } from './vocabulary.js';

export function facts(order, dir) {
  const rows = [
    [t('number'), order.number],
    [t('state'), stateBadge(order)],
    [t('type'), label('types', order.type)],
    [t('channel'), label('channels', order.channel)],
    [t('category'), dir.categoryName(order.category)],
    [t('received_at'), formatTime(order.received_at)],
    [t('citizen_name'), order.citizen_name || '—'],
    [t('citizen_phone'), order.citizen_phone || '—'],
    [t('address'), order.address || '—'],
    [T('同意公开', 'Publication'), order.publish_consent ? T('诉求人同意公开', 'the citizen consented') : T('未同意', 'no consent')],
    [t('title'), order.title],
    [t('content'), order.content],
    [t('lead_unit'), dir.unitName(order.lead_unit)],
    [t('co_units'), (order.co_units || []).map(dir.unitName).join('、') || '—'],
    [T('签收时限', 'Sign by'), formatTime(order.sign_deadline)],
    [T('办理时限', 'Handle by'), formatTime(order.handle_deadline)],
    [t('time_left'), dueBadge(order)],
    [T('延期', 'Extensions'), order.extension_pending_days
      ? T(`${order.extension_count} 次；待审批 ${order.extension_pending_days} 个工作日`, `${order.extension_count}; ${order.extension_pending_days} working days awaiting a decision`)
      : String(order.extension_count)],
    [T('办结答复', 'Reply'), order.reply || '—'],
    [T('办结时间', 'Completed'), formatTime(order.completed_at)],
  ];
  if (order.duplicate_of) rows.push([T('并入工单', 'Merged into'), orderLink(order.duplicate_of)]);
  if (order.survey && order.survey.attempts) {
    rows.push([T('回访', 'Survey'), [
      order.survey.rating ? label('ratings', order.survey.rating) : T('未接通', 'not reached'),
      order.survey.resolved ? ` · ${label('resolved', order.survey.resolved)}` : '',
      ` · ${T('呼叫', 'calls')} ${order.survey.attempts}`,
      order.survey.comment ? ` · ${order.survey.comment}` : ''].join('')]);
  }
  if (order.appeal && order.appeal.state) rows.push([T('申诉', 'Appeal'), `${order.appeal.state} ${order.appeal.reason || ''}`]);
  if (order.excluded) rows.push([T('不计入考核', 'Excluded'), order.excluded_reason || '—']);
  return h('dl.facts', {}, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

export function timeline(events, dir) {
  return h('ol.timeline', { id: 'timeline' }, events.map((event) => h('li', { dataset: { action: event.action } },
    // People by name (姓名), their login beside it on hover; an actor who
    // is no user (the command line's) by what the log recorded.
    h('div.when', {}, `${formatTime(event.at)} · `,
      h('span.actor', { title: event.actor }, event.actor_name || event.actor)),
    h('strong', {}, event.action_label),
    event.unit ? ` → ${dir.unitName(event.unit)}` : '',
    event.other_unit ? T(`（原 ${dir.unitName(event.other_unit)}）`, ` (from ${dir.unitName(event.other_unit)})`) : '',
    event.deadline ? h('span.muted', {}, ` · ${T('时限', 'deadline')} ${formatTime(event.deadline)}`) : '',
    event.rating ? ` · ${label('ratings', event.rating)}` : event.outcome ? ` · ${label('outcomes', event.outcome)}` : '',
    event.note ? h('div.note', {}, event.note) : null)));
}

export async function earlierOrders(number, dir, { onMerge } = {}) {
  const box = h('div#earlier');
  try {
    const { data } = await get(`/orders/${number}/earlier`);
    if (!data.orders.length) {
      box.append(h('p.muted', {}, T('此号码没有更早的工单。', 'No earlier orders from this number.')));
      return box;
    }
    box.append(h('div.table-wrap', {}, h('table', {},
      h('thead', {}, h('tr', {}, [t('number'), t('received_at'), t('title'), t('state'), t('lead_unit'), ''].map((label) => h('th', {}, label)))),
      h('tbody', {}, data.orders.map((order) => h('tr', { dataset: { number: order.number } },
        h('td', {}, orderLink(order.number)), h('td', {}, formatTime(order.received_at)), h('td', {}, order.title),
        h('td', {}, stateBadge(order)), h('td', {}, dir.unitName(order.lead_unit)),
        h('td', {}, onMerge ? h('button.small', { type: 'button', dataset: { merge: order.number },
          onclick: () => onMerge(order) }, T('并入此单', 'Merge into this')) : null)))))));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    box.append(h('p.muted', {}, error.missingRoute ? t('not_available', { route: 'GET /api/v1/orders/{number}/earlier' }) : errorText(error)));
  }
  return box;
}

// The notes a desk needs without opening the order page: the latest note
// of each kind of action (the return's reason, the dispatch note, a
// reminder, supervision, the extension's reason, the reply), newest
// first, with who wrote it and when.
export function latestNotes(events) {
  const seen = new Set();
  const notes = [];
  for (const event of [...events].reverse()) {
    if (!event.note || seen.has(event.action)) continue;
    seen.add(event.action);
    notes.push(event);
  }
  if (!notes.length) return null;
  return h('section#desk-notes', {}, h('h3', {}, T('最新意见', 'Latest notes')),
    h('ul.notes', {}, notes.map((event) => h('li', { dataset: { action: event.action } },
      h('strong', {}, event.action_label), h('span.muted', {}, ` · ${event.actor_name || event.actor} · ${formatTime(event.at)}`),
      h('div.note', {}, event.note)))));
}
