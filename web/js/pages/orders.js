// orders.js: finding orders: every filter of GET /api/v1/orders (state,
// unit, category, text, the caller's phone, overdue, received between two
// dates), paged on the server. The server scopes the list to what the user
// may read; the phone filter is offered to the users whose rights include
// search_by_phone (the roles that see numbers in full).

import { t, T } from '../i18n.js';
import { add, h, notice } from '../dom.js';
import { columns, directory, orderList, stateOptions, unitOptions } from '../lists.js';
import { values } from '../vocabulary.js';

export async function render(view, context) {
  const dir = await directory();
  const states = values('states');
  const list = orderList({
    id: 'order-search',
    query: {},
    filterFields: [
      { name: 'q', label: T('关键词（标题、内容、地址）', 'Text (title, content, address)'), kind: 'search' },
      ...((context.user.rights || []).includes('search_by_phone')
        ? [{ name: 'phone', label: t('citizen_phone'), kind: 'search',
          attributes: { inputmode: 'tel', autocomplete: 'off', maxlength: 24 } }] : []),
      { name: 'state', label: t('state'), kind: 'select', options: stateOptions(states, t('all')) },
      { name: 'unit', label: t('lead_unit'), kind: 'select', options: unitOptions(dir, { blank: t('all') }) },
      { name: 'category', label: t('category'), kind: 'select',
        options: [['', t('all')], ...dir.categories.map((category) => [category.code, category.name])] },
      { name: 'overdue', label: t('overdue'), kind: 'select', options: [['', t('all')], ['1', T('仅超期', 'overdue only')]] },
      { name: 'received_from', label: T('受理日期自', 'Received from'), kind: 'date' },
      { name: 'received_to', label: T('至', 'to'), kind: 'date' },
      { name: 'sort', label: T('排序', 'Sort'), kind: 'select', options: [['-received', T('最新受理在前', 'newest first')],
        ['received', T('最早受理在前', 'oldest first')], ['deadline', T('时限最近在前', 'nearest deadline first')]] },
    ],
    cols: columns(dir, ['number', 'received_at', 'title', 'category', 'state', 'lead_unit', 'due']),
  });
  add(view, h('h1', {}, t('orders')),
    dir.missing.length ? notice(t('not_available', { route: dir.missing.join(', ') })) : null,
    h('section.panel', {}, list.element));
  await list.reload();
}
