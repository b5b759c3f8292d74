// order.js: everything about one order: its registration, where it
// stands, its deadlines, the survey and appeal, the whole timeline of its
// events, the caller's earlier orders, and the actions this user may take.
// An order the user may not read answers 404, exactly as an absent one:
// the page shows the refusal page for both.

import { actionPanel, workflow } from '../actions.js';
import { ApiError, get } from '../api.js';
import { clear, dueBadge, errorText, formatTime, h, loading, orderLink, stateBadge } from '../dom.js';
import { t, T } from '../i18n.js';
import { directory } from '../lists.js';

export function facts(order, dir) {
  const rows = [
    [t('number'), order.number],
    [t('state'), stateBadge(order)],
    [t('type'), t(`type_${order.type}`)],
    [t('channel'), t(`channel_${order.channel}`)],
    [t('category'), dir.categoryName(order.category)],
    [t('received_at'), formatTime(order.received_at)],
    [t('citizen_name'), order.citizen_name || '—'],
    [t('citizen_phone'), order.citizen_phone || '—'],
    [t('address'), order.address || '—'],
    [t('title'), order.title],
    [t('content'), order.content],
    [t('lead_unit'), dir.unitName(order.lead_unit)],
    [t('co_units'), (order.co_units || []).map(dir.unitName).join('、') || '—'],
    [T('签收时限', 'Sign by'), formatTime(order.sign_deadline)],
    [T('办理时限', 'Handle by'), formatTime(order.handle_deadline)],
    [t('time_left'), ['dispatched', 'signed', 'handling'].includes(order.state) ? dueBadge(order, dir.exceptions) : '—'],
    [T('延期', 'Extensions'), order.extension_pending_days
      ? T(`${order.extension_count} 次；待审批 ${order.extension_pending_days} 个工作日`, `${order.extension_count}; ${order.extension_pending_days} working days awaiting a decision`)
      : String(order.extension_count)],
    [T('办结答复', 'Reply'), order.reply || '—'],
    [T('办结时间', 'Completed'), formatTime(order.completed_at)],
  ];
  if (order.duplicate_of) rows.push([T('并入工单', 'Merged into'), orderLink(order.duplicate_of)]);
  if (order.survey && order.survey.attempts) {
    rows.push([T('回访', 'Survey'), [
      order.survey.rating ? t(`rating_${order.survey.rating}`) : T('未接通', 'not reached'),
      order.survey.resolved ? ` · ${t(`resolved_${order.survey.resolved}`)}` : '',
      ` · ${T('呼叫', 'calls')} ${order.survey.attempts}`,
      order.survey.comment ? ` · ${order.survey.comment}` : ''].join('')]);
  }
  if (order.appeal && order.appeal.state) rows.push([T('申诉', 'Appeal'), `${order.appeal.state} ${order.appeal.reason || ''}`]);
  if (order.excluded) rows.push([T('不计入考核', 'Excluded'), order.excluded_reason || '—']);
  return h('dl.facts', {}, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

export function timeline(events, dir) {
  return h('ol.timeline', { id: 'timeline' }, events.map((event) => h('li', { dataset: { action: event.action } },
    h('div.when', {}, `${formatTime(event.at)} · ${event.actor}`),
    h('strong', {}, event.action_label),
    event.unit ? ` → ${dir.unitName(event.unit)}` : '',
    event.other_unit ? T(`（原 ${dir.unitName(event.other_unit)}）`, ` (from ${dir.unitName(event.other_unit)})`) : '',
    event.deadline ? h('span.muted', {}, ` · ${T('时限', 'deadline')} ${formatTime(event.deadline)}`) : '',
    event.rating ? ` · ${t(`rating_${event.rating}`)}` : event.outcome ? ` · ${t(`outcome_${event.outcome}`)}` : '',
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

export async function render(view, context) {
  const number = context.route.parts[1];
  view.append(loading());
  const dir = await directory();
  const flow = await workflow();

  // given: the order as an action just answered it; its events are read
  // only while the user may still read the order.
  async function show(given, givenEtag) {
    let order;
    let etag;
    let events;
    try {
      const answer = given ? { data: given, etag: givenEtag } : await get(`/orders/${encodeURIComponent(number)}`);
      order = answer.data;
      etag = answer.etag;
      events = (await get(`/orders/${encodeURIComponent(number)}/events`)).data.events;
    } catch (error) {
      if (given && error instanceof ApiError && error.status === 404) {
        clear(view, h('h1', {}, `${t('number')} ${given.number}`),
          h('p.notice', {}, T(`工单现为“${given.state_label}”，您已无权查看其处理记录。`,
            `The order is now "${given.state_label}"; you may no longer see its history.`)));
        return;
      }
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        context.refusal(view, t('refused_order'));
        return;
      }
      throw error;
    }
    if (!context.isCurrent()) return;
    const canMerge = order.state === 'new' && flow && flow.actions.some((action) => action.name === 'merge' && action.roles.includes(context.user.role));
    const merge = canMerge ? async (earlier) => {
      const panelForm = view.querySelector('#actions');
      const button = panelForm && panelForm.querySelector('button[data-action="merge"]');
      if (button) {
        button.click();
        const input = view.querySelector('form[data-action="merge"] input[name="into"]');
        input.value = earlier.number;
        input.focus();
      }
    } : null;
    clear(view,
      h('h1', {}, `${t('number')} ${order.number} · `, order.title),
      h('div.grid-2', {},
        h('div', {},
          h('section.panel', {}, h('h2', {}, T('工单信息', 'The order')), facts(order, dir)),
          h('section.panel', {}, h('h2', {}, T('处理记录', 'Timeline')), timeline(events, dir))),
        h('div', {},
          h('section.panel', {}, h('h2', {}, T('可执行操作', 'Actions')),
            actionPanel({ order, etag, user: context.user, flow, dir, onDone: (changed, changedEtag) => show(changed, changedEtag), reread: () => show() })),
          ['agent', 'dispatcher', 'supervisor'].includes(context.user.role)
            ? h('section.panel', {}, h('h2', {}, T('此号码的历史工单', 'Earlier orders from this number')),
              await earlierOrders(order.number, dir, { onMerge: merge }))
            : null)));
  }
  try {
    await show();
  } catch (error) {
    clear(view, h('p.form-error', { role: 'alert' }, errorText(error)));
  }
}
