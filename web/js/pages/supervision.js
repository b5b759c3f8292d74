// supervision.js: the supervision desk (督办): overdue and about-to-be-
// overdue orders, by unit (the unit filter) and deadline; reminders and
// supervision notes; the queues of extension requests and appeals awaiting
// a decision (GET /api/v1/orders?pending=...), each row with what was asked
// and why; reopening and archiving completed orders.

import { get } from '../api.js';
import { desk } from '../desk.js';
import { h } from '../dom.js';
import { t, T } from '../i18n.js';
import { columns, unitOptions } from '../lists.js';

// Each tab: its list's fixed filters and sort, its columns beyond the
// common ones, the count of /orders/counts it shows, what it says.
const VIEWS = {
  overdue: { query: { overdue: '1', state: 'dispatched,signed,handling', sort: 'deadline' }, cols: ['due'] },
  due_soon: { query: { due_soon: '1', state: 'dispatched,signed,handling', sort: 'deadline' }, cols: ['due'] },
  // The most pressing deadline first: an extension is asked before it passes.
  extensions: {
    query: { pending: 'extension', sort: 'deadline' },
    cols: ['due', 'pending_days', 'pending_reason'],
    pending: 'extension',
    intro: () => T('单位提出、尚待审批的延期申请，期限最近的在前。选择一件工单后批准（可少于申请天数）或驳回。',
      'Extension requests awaiting a decision, the nearest deadline first. Choose an order to approve (possibly fewer days) or refuse.'),
    empty: () => T('没有待审批的延期申请。', 'No extension request awaits a decision.'),
  },
  // First come, first decided.
  appeals: {
    query: { pending: 'appeal', sort: 'received' },
    cols: ['pending_reason', 'pending_at'],
    pending: 'appeal',
    intro: () => T('单位对回访结果或纳入考核提出、尚待审核的申诉。申诉成立的工单不计入该单位当月考核。',
      'Appeals by units against a survey result or an order\'s inclusion, awaiting a decision. An upheld appeal takes the order out of the unit\'s measures for its month.'),
    empty: () => T('没有待审核的申诉。', 'No appeal awaits a decision.'),
  },
};

export async function render(view, context) {
  const which = VIEWS[context.route.query.get('view')] ? context.route.query.get('view') : 'overdue';
  const current = VIEWS[which];
  const tabs = [['overdue', t('overdue')], ['due_soon', t('due_soon')], ['extensions', T('延期申请', 'Extension requests')],
    ['appeals', T('申诉', 'Appeals')]];
  // The queues' sizes beside their names (the same scope as the lists).
  let counts = null;
  try {
    counts = (await get('/orders/counts')).data;
  } catch {
    counts = null; // the tabs still work without their figures
  }
  const figure = (name) => {
    if (!counts) return null;
    const value = { overdue: counts.overdue, due_soon: counts.due_soon,
      extensions: counts.pending && counts.pending.extension, appeals: counts.pending && counts.pending.appeal }[name];
    return value === undefined ? null : h('span.tab-count', {}, String(value));
  };
  const nav = h('nav.tabs', { 'aria-label': t('supervision') });
  for (const [name, label] of tabs) {
    nav.append(h(`a${name === which ? '.active' : ''}`, { href: `#/supervision?view=${name}`,
      'aria-current': name === which ? 'page' : null, dataset: { view: name } }, label, figure(name)));
  }
  view.append(nav);
  await desk(view, context, {
    title: t('supervision'),
    list: (dir) => ({
      id: 'supervision-list',
      query: current.query,
      filterFields: [
        { name: 'unit', label: t('unit'), kind: 'select', options: unitOptions(dir, { blank: t('all') }) },
        { name: 'q', label: t('search'), kind: 'search' },
      ],
      cols: columns(dir, ['number', 'title', 'lead_unit', ...(current.pending === 'extension' ? [] : ['state']), ...current.cols]),
      empty: current.empty ? current.empty() : undefined,
      queue: Boolean(current.pending),
    }),
    intro: current.intro ? current.intro() : null,
    only: ['remind', 'supervise', 'extend-approve', 'extend-refuse', 'appeal-uphold', 'appeal-reject', 'reopen', 'archive', 'invalidate'],
  });
  view.prepend(view.querySelector('h1'));
}
